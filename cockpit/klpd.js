/* The Livepatches page: a client of klpd's org.klpd.livepatch1 on the
 * system bus. Everything shown comes from klpd's properties and signals as
 * they change (no polling); the clock only ages what klpd stamped. Actions
 * are offered to administrators only, and a result is shown only as klpd
 * replied: its own error message when it refuses.
 *
 * Every string from the bus or the journal is text, never markup: task names
 * and file names belong to other users. */
"use strict";

const BUS = "org.klpd.livepatch1";
const ROOT = "/org/klpd/livepatch1";
const MANAGER = BUS + ".Manager";
const PATCH = BUS + ".Patch";
const JOURNAL_ENTRIES = 20;

const _ = cockpit.gettext;
const $ = (id) => document.getElementById(id);

/* Administrators' calls go through Cockpit's privileged bridge ("try": the
 * user's own one otherwise, whose calls klpd refuses). */
const permission = cockpit.permission({ admin: true });
const client = cockpit.dbus(BUS, { bus: "system", superuser: "try" });
const manager = client.proxy(MANAGER, ROOT);
const patches = client.proxies(PATCH, ROOT);

/* Blockers is sent as invalidated (its value depends on the reader): read it
 * again for the transition's patch whenever klpd says it changed. */
const blockers = { path: null, list: [] };

/* --- formatting */

function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (k === "class")
            e.className = v;
        else if (k.startsWith("data-"))
            e.setAttribute(k, v);
        else
            e[k] = v;
    }
    for (const c of children)
        e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
}

function duration(usec) {
    let s = Math.max(0, Math.round(usec / 1e6));
    const parts = [];
    for (const [unit, n] of [["d", 86400], ["h", 3600], ["min", 60]]) {
        if (s >= n) {
            parts.push(Math.floor(s / n) + " " + unit);
            s %= n;
        }
        if (parts.length === 2)
            return parts.join(" ");
    }
    parts.push(s + " s");
    return parts.slice(0, 2).join(" ");
}

function clockTime(usec) {
    return new Date(usec / 1000).toLocaleTimeString([], { hour12: false });
}

function ago(usec) {
    return usec ? cockpit.format(_("$0 ago"), duration(Date.now() * 1000 - usec)) : "–";
}

function label(text, kind) {
    return el("span", { class: "label label-" + kind }, text);
}

const STATE_KIND = {
    applied: "ok", patching: "busy", unpatching: "busy", disabled: "muted",
    pinned: "danger", forced: "warn",
};
const HEALTH_KIND = { accepted: "ok", watching: "info", faulty: "danger" };

function objectOf(name) {
    for (const path in patches)
        if (patches[path].Name === name)
            return patches[path];
    return null;
}

/* --- alerts: what klpd said, nothing it did not */

function alert(kind, text) {
    const a = el("div", { class: "alert alert-" + kind, role: kind === "danger" ? "alert" : "status" },
                 el("span", { class: "alert-text" }, text),
                 el("button", { type: "button", class: "btn btn-link", title: _("Dismiss"),
                                onclick: () => a.remove() }, "×"));
    $("alerts").prepend(a);
    while ($("alerts").children.length > 5)
        $("alerts").lastChild.remove();
}

/* call METHOD ARGS TYPES DONE: one of Manager's methods for an action. The
 * success message is shown only once klpd replied without an error. */
function call(method, args, types, done) {
    document.body.classList.add("busy");
    return client.call(ROOT, MANAGER, method, args, { type: types })
        .then(reply => { if (done) alert("info", done(reply)); })
        .catch(err => alert("danger", cockpit.format(_("klpd refused $0: $1"), method,
                                                      err.message || String(err))))
        .finally(() => document.body.classList.remove("busy"));
}

/* --- rendering */

function renderManager() {
    const m = manager;
    if (!m.valid) {
        $("unreachable").textContent = _("klpd is not running or not reachable on the system bus " +
                                         "(systemctl status klpd).");
        $("unreachable").hidden = false;
        $("summary").textContent = _("klpd is not running.");
        return;
    }
    $("unreachable").hidden = true;
    $("kernel-release").textContent = m.KernelRelease + (m.Supported ? "" : _(" (no livepatch support)"));
    $("klpd-version").textContent = m.Version;
    $("manager-state").textContent = m.State === "idle" ? _("idle") : m.State;
    $("reboot-required").replaceChildren(m.RebootRequired ? label(_("yes"), "danger") : _("no"));
    $("pinned-modules").textContent = (m.PinnedModules || []).length ? m.PinnedModules.join(", ") : _("none");
    const errors = m.ConfigurationErrors || [];
    $("configuration").replaceChildren(
        errors.length
            ? el("span", {}, label(_("refused"), "danger"), " ", errors.join("; "))
            : cockpit.format(_("from $0"), m.ConfigurationSource || "–"));

    const skipped = m.SkippedAtBoot || [];
    $("skipped").hidden = skipped.length === 0;
    $("skipped-list").replaceChildren(...skipped.map(name =>
        el("li", { "data-module": name }, el("code", {}, name), " ",
           el("button", { type: "button", class: "btn btn-small admin-only", "data-action": "clear-skip",
                          onclick: () => call("ClearSkippedAtBoot", [name], "s",
                                              () => cockpit.format(_("$0 is no longer skipped at boot"), name)) },
              _("Load at boot again")))));

    const n = Object.keys(patches).length;
    $("summary").textContent = m.State === "idle"
        ? cockpit.format(cockpit.ngettext("$0 livepatch module, no transition running",
                                          "$0 livepatch modules, no transition running", n), n)
        : cockpit.format(_("$0 is in transition"), m.TransitionPatch);
    renderTransition();
}

function renderTransition() {
    const m = manager;
    const running = m.valid && m.State !== "idle" && m.TransitionPatch;
    $("transition").hidden = !running;
    $("transition").classList.toggle("stalled", m.State === "stalled");
    if (!running) {
        setBlockers(null);
        return;
    }
    const p = objectOf(m.TransitionPatch);
    $("transition-patch").textContent = m.TransitionPatch;
    $("transition-target").textContent = p && p.State === "unpatching" ? _("unpatched") : _("patched");
    $("transition-age").replaceChildren(
        m.TransitionSince ? duration(Date.now() * 1000 - m.TransitionSince) : "–", " ",
        m.State === "stalled" ? label(_("stalled"), "warn") : "");
    const plan = m.StallAction;
    const now = Date.now() * 1000;
    let text;
    if (!plan)
        text = _("nothing more: the transition is left to finish");
    else if (m.StallDeadline > now)
        text = cockpit.format(_("$0 at $1 (in $2)"), plan, clockTime(m.StallDeadline),
                              duration(m.StallDeadline - now));
    else if (m.StallDeadline)
        text = cockpit.format(_("$0 (due)"), plan);
    else if (m.State === "stalled")
        text = cockpit.format(_("$0 (stalled)"), plan);
    else
        text = cockpit.format(_("$0 once it stalls"), plan);
    $("transition-plan").textContent = text;
    if (p && blockers.path !== p.path)
        setBlockers(p.path);
}

function setBlockers(path) {
    blockers.path = path;
    blockers.list = [];
    renderBlockers();
    if (path)
        readBlockers(path);
}

function readBlockers(path) {
    client.call(path, "org.freedesktop.DBus.Properties", "Get", [PATCH, "Blockers"], { type: "ss" })
        .then(([v]) => {
            if (blockers.path !== path)
                return;
            blockers.list = v.v || [];
            renderBlockers();
        })
        .catch(() => {}); /* the patch is gone: its removal renders */
}

function renderBlockers() {
    $("blockers").hidden = blockers.list.length === 0;
    $("blocker-rows").replaceChildren(...blockers.list.map(([pid, comm, stack]) =>
        el("tr", { "data-pid": String(pid) },
           el("td", {}, String(pid)), el("td", {}, comm),
           el("td", { class: "stack" }, stack || "–"))));
}

function renderPatches() {
    const list = Object.values(patches).filter(p => p.valid)
        .sort((a, b) => (a.StackOrder || 0) - (b.StackOrder || 0) || a.Name.localeCompare(b.Name));
    $("no-patches").hidden = list.length > 0;
    $("patch-rows").replaceChildren(...list.map(p => {
        const actions = el("td", { class: "admin-only row-actions" });
        if (p.State === "applied")
            actions.append(el("button", { type: "button", class: "btn btn-small", "data-action": "disable",
                                          onclick: () => call("Disable", [p.Name], "s",
                                                              () => cockpit.format(_("klpd is disabling $0"), p.Name)) },
                              _("Disable")));
        if (p.State === "disabled")
            actions.append(el("button", { type: "button", class: "btn btn-small", "data-action": "unload",
                                          onclick: () => call("Unload", [p.Name], "s",
                                                              () => cockpit.format(_("$0 unloaded"), p.Name)) },
                              _("Unload")));
        const health = p.Health && p.Health !== "none" ? label(p.Health, HEALTH_KIND[p.Health] || "muted") : "–";
        return el("tr", { "data-patch": p.Name },
                  el("th", { scope: "row" }, p.Name, p.Forced ? label(_("forced"), "warn") : ""),
                  el("td", { class: "state" }, label(p.State, STATE_KIND[p.State] || "muted")),
                  el("td", { class: "health" }, health),
                  el("td", {}, ago(p.LoadedAt)),
                  el("td", { class: "source" }, p.Source || _("unknown (not loaded by klpd)")),
                  actions);
    }));
    renderManager();
}

/* --- installed patches: the patch directories, as an administrator reads
 * them (klpd keeps them readable by root only). */

function listInstalled() {
    const dirs = manager.PatchDirectories || [];
    if (!permission.allowed || dirs.length === 0)
        return;
    const release = manager.KernelRelease;
    const where = [];
    for (const d of dirs)
        where.push(d + "/" + release, d);
    cockpit.spawn(["find", ...where, "-maxdepth", "1", "-type", "f", "-name", "*.ko*"],
                  { superuser: "try", err: "ignore" })
        .catch((err, out) => out || "") /* a directory that does not exist */
        .then(out => {
            const files = (out || "").split("\n").filter(f => /\.ko(\.(xz|zst|gz))?$/.test(f));
            $("installed").replaceChildren(...files.map(f => el("option", { value: f })));
            $("installed-list").textContent = files.length
                ? cockpit.format(_("Installed for $0: $1"), release,
                                 files.map(f => f.replace(/^.*\//, "")).join(", "))
                : cockpit.format(_("No module installed for $0 in $1"), release, dirs.join(", "));
        });
}

/* --- the journal: klpd's entries, followed */

function followJournal() {
    const entries = $("journal-entries");
    let buffer = "";
    cockpit.spawn(["journalctl", "--unit=klpd.service", "--output=json", "--lines=" + JOURNAL_ENTRIES,
                   "--follow", "--no-pager", "--output-fields=MESSAGE,PRIORITY,KLPD_PATCH"],
                  { superuser: "try", err: "message" })
        .stream(data => {
            buffer += data;
            const lines = buffer.split("\n");
            buffer = lines.pop();
            for (const line of lines) {
                let e;
                try {
                    e = JSON.parse(line);
                } catch (ex) {
                    continue;
                }
                /* MESSAGE is an array of bytes when it is not valid UTF-8 */
                const msg = Array.isArray(e.MESSAGE) ? new TextDecoder().decode(new Uint8Array(e.MESSAGE))
                    : String(e.MESSAGE || "");
                const prio = parseInt(e.PRIORITY, 10);
                entries.prepend(el("li", { class: prio <= 3 ? "error" : prio === 4 ? "warning" : "" },
                                   el("time", {}, clockTime(parseInt(e.__REALTIME_TIMESTAMP, 10))), " ", msg));
                while (entries.children.length > JOURNAL_ENTRIES)
                    entries.lastChild.remove();
            }
            $("journal-note").hidden = entries.children.length > 0;
        })
        .catch(err => {
            $("journal-note").textContent = cockpit.format(_("The journal cannot be read: $0"), err.message || String(err));
            $("journal-note").hidden = false;
        });
    if (!permission.allowed) {
        $("journal-note").textContent = _("Without administrative access only the journal " +
                                          "entries your groups may read are shown.");
        $("journal-note").hidden = false;
    }
}

/* --- wiring */

function renderAdmin() {
    const admin = permission.allowed === true;
    document.body.classList.toggle("admin", admin);
    $("readonly-note").hidden = permission.allowed !== false;
    listInstalled();
}

$("transition-actions").addEventListener("click", ev => {
    const action = ev.target.getAttribute("data-action");
    const name = manager.TransitionPatch;
    if (action === "revert")
        call("Revert", [name], "s", () => cockpit.format(_("klpd is reverting the transition of $0"), name));
    else if (action === "force")
        $("force-confirm").hidden = false;
    else if (action === "force-cancel")
        $("force-confirm").hidden = true;
    else if (action === "force-confirm") {
        $("force-confirm").hidden = true;
        call("Force", [name], "s", () => cockpit.format(_("klpd forced the transition of $0"), name));
    }
});

$("load-form").addEventListener("submit", ev => {
    ev.preventDefault();
    const source = $("load-source").value.trim();
    if (!source)
        return;
    call("Load", [source, 0], "st", () => cockpit.format(_("klpd is loading $0"), source))
        .then(() => { $("load-source").value = ""; });
});

manager.addEventListener("changed", renderManager);
patches.addEventListener("added", renderPatches);
patches.addEventListener("changed", renderPatches);
patches.addEventListener("removed", renderPatches);
permission.addEventListener("changed", renderAdmin);

client.subscribe({ interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged",
                   path_namespace: ROOT },
                 (path, iface, signal, args) => {
                     if (path === blockers.path && (args[2] || []).includes("Blockers"))
                         readBlockers(path);
                 });
client.subscribe({ interface: MANAGER, path: ROOT }, (path, iface, signal, args) => {
    if (signal === "TransitionStalled" && blockers.path)
        readBlockers(blockers.path);
    else if (signal === "TransitionFinished")
        alert(args[2] === "completed" ? "info" : "warning",
              cockpit.format(_("Transition of $0 to $1 ended: $2"), args[0], args[1], args[2]));
    else if (signal === "LoadFailed")
        alert("danger", cockpit.format(_("Loading $0 failed: $1"), args[0] || args[1], args[2]));
    else if (signal === "PolicyApplied")
        alert("warning", cockpit.format(_("klpd's policy on $0: $1 ($2)"), args[0], args[1], args[2]));
    else if (signal === "KernelIncident" && args[0])
        alert("danger", cockpit.format(_("Kernel incident ($0) blamed on $1: $2"), args[1], args[0], args[2]));
});

/* The ages tick with the clock; what they are ages of comes from klpd. */
window.setInterval(() => {
    if (!document.hidden && manager.valid && manager.State !== "idle")
        renderTransition();
}, 1000);

manager.wait(() => {
    renderPatches();
    renderAdmin();
    $("klpd").setAttribute("aria-busy", "false");
    document.body.setAttribute("data-ready", "1");
});
followJournal();
