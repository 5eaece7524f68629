#!/usr/bin/python3
"""Drives headless Chromium over the DevTools protocol through the Livepatches
page of a Cockpit (tests/cockpit/run starts the guest and calls this).

Prints TAP ("ok N - ..."), ends with "# browser: done". What the page shows is
checked against klpd on the guest, read over SSH with klpctl; waits are
bounded and say what they waited for."""

import argparse
import base64
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

FRAME = 'iframe[name="cockpit1:localhost/klpd"]'


class Browser:
    """One Chromium, one page, the few DevTools commands the test needs."""

    def __init__(self, chromium, verbose):
        self.verbose = verbose
        self.profile = tempfile.mkdtemp(prefix="klpd-cockpit-chromium-")
        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-allow-origins=*",
             "--window-size=1280,1600", "--user-data-dir=" + self.profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        with urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], suppress_origin=True,
                                              timeout=60)
        self.next_id = 0
        self.console = []
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mine:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if msg.get("method") == "Runtime.exceptionThrown":
                self.console.append(msg["params"]["exceptionDetails"].get("text", "") + " " +
                                    json.dumps(msg["params"]["exceptionDetails"].get("exception", {})
                                               .get("description", "")))

    def js(self, expr):
        """The value of EXPR in the top document (await-ed)."""
        r = self.send("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expr, r["exceptionDetails"].get("exception", {})
                                           .get("description", r["exceptionDetails"])))
        return r["result"].get("value")

    def page(self, expr):
        """The value of EXPR in the Livepatches page's frame, whose document
        is `doc` and window `win` there (null before the frame is up)."""
        return self.js("(() => { const f = document.querySelector(%s); "
                       "const win = f && f.contentWindow, doc = f && f.contentDocument; "
                       "if (!doc || !doc.body) return null; return (%s); })()"
                       % (json.dumps(FRAME), expr))

    def go(self, url):
        self.send("Page.navigate", url=url)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


class Test:
    def __init__(self, args):
        self.args = args
        self.n = 0
        self.failed = 0
        self.ssh = shlex.split(args.ssh)

    def result(self, good, desc, detail=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if good else "not ok", self.n, desc), flush=True)
        if not good:
            self.failed += 1
            if detail:
                for line in str(detail).splitlines()[:40]:
                    print("#   " + line, flush=True)
        return good

    def guest(self, command):
        """COMMAND's output on the guest (a shell command line, as root)."""
        r = subprocess.run(self.ssh + [command], capture_output=True, text=True, timeout=120)
        return r.stdout.strip()

    def state(self, name):
        """The patch's state as klpctl on the guest says it ("absent": none)."""
        out = self.guest("klpctl --json status")
        try:
            for p in json.loads(out)["patches"]:
                if p["name"] == name:
                    return p["state"]
        except (ValueError, KeyError):
            return "unreadable: " + out
        return "absent"

    def wait(self, seconds, what, fn):
        """FN()'s first true value within SECONDS; None, and a diagnostic
        naming WHAT and the last value seen, when there is none."""
        deadline = time.time() + seconds
        last = None
        while True:
            try:
                last = fn()
                if last:
                    return last
            except Exception as e:  # a frame reloading, a value not there yet
                last = "(%s)" % e
            if time.time() > deadline:
                print("# waited %d s for %s; last seen: %r" % (seconds, what, last), flush=True)
                return None
            time.sleep(0.2)


def login(b, t, url, user, password, admin):
    """The login page, as a person would use it. An administrator's choice of
    administrative access is what Cockpit keeps in localStorage per user."""
    b.send("Network.enable")
    b.send("Network.clearBrowserCookies")
    b.go(url + "/")
    # The form is in the page from the start, hidden until login.js is set up.
    t.wait(60, "the login form", lambda: b.js("(() => { const l = document.getElementById('login'); "
                                              "return !!l && !l.hidden && l.offsetParent !== null; })()"))
    b.js("localStorage.clear()")
    b.js("localStorage.setItem('superuser:%s', '%s')" % (user, "sudo" if admin else "none"))
    b.js("document.getElementById('login-user-input').value = %s;"
         "document.getElementById('login-password-input').value = %s;"
         "document.getElementById('login-button').click()" % (json.dumps(user), json.dumps(password)))
    ok = t.wait(60, "the shell after logging in as " + user,
                lambda: b.js("location.pathname.indexOf('/system') >= 0 || "
                             "!!document.querySelector('#topnav, .pf-c-page__header, #nav-system')"))
    if not t.result(bool(ok), "logged in to Cockpit as %s" % user):
        b.screenshot(os.path.join(t.args.shots, "login-failed-%s.png" % user))
        print("#   at %s: %s" % (b.js("location.href"), b.js("document.body.innerText.slice(0, 600)")))
        for line in t.guest("journalctl -b --no-pager -o short-monotonic --no-hostname -n 300 | "
                            "grep -v -e ' kernel: ' -e certificate-ensure | tail -n 40").splitlines():
            print("#   guest: " + line)
        raise RuntimeError("cannot log in as " + user)
    b.go(url + "/klpd")
    ok = t.wait(90, "the Livepatches page ready", lambda: b.page("doc.body.getAttribute('data-ready') === '1'"))
    t.result(bool(ok), "%s: the Livepatches page is up (Tools, Livepatches)" % user)
    # Set once: still there at the end means the page was never reloaded.
    b.page("win.__klpdNoReload = 1")


def row_state(b, name):
    return b.page("(() => { const r = doc.querySelector('tr[data-patch=\"%s\"] .state'); "
                  "return r ? r.textContent : null; })()" % name)


def visible_actions(b):
    return b.page("[...doc.querySelectorAll('[data-action]')].filter(e => e.offsetParent !== null)"
                  ".map(e => e.getAttribute('data-action'))")


def click(b, selector):
    return b.page("(() => { const e = doc.querySelector(%s); if (!e || e.offsetParent === null) return false; "
                  "e.click(); return true; })()" % json.dumps(selector))


def alerts(b):
    return b.page("[...doc.querySelectorAll('#alerts .alert-text')].map(e => e.textContent).join('\\n')") or ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--ssh", required=True, help="the ssh command line to the guest's root")
    ap.add_argument("--shots", required=True)
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    t = Test(args)
    b = Browser(args.chromium, args.verbose)
    shot = lambda name: b.screenshot(os.path.join(args.shots, name + ".png"))
    try:
        run(b, t, shot)
    except Exception as e:  # a step that cannot go on: the rest is not run
        t.result(False, "the browser's steps ran to their end", e)
    finally:
        if b.console:
            print("# page exceptions: " + "; ".join(b.console[:10]))
        b.close()
    print("# browser: done, %d checks, %d failed" % (t.n, t.failed))
    return 1 if t.failed else 0


def run(b, t, shot):
    args = t.args
    t.guest("rmmod klpt_busy_target 2>/dev/null; true")

    # --- an administrator
    login(b, t, args.url, "klpt-admin", args.password, admin=True)
    acts = t.wait(30, "the administrator's actions", lambda: "load" in (visible_actions(b) or []) and visible_actions(b))
    t.result(bool(acts), "klpt-admin (administrative access): the Load action is offered", acts)
    t.result(b.page("doc.getElementById('kernel-release').textContent") == t.guest("uname -r"),
             "the page shows the guest's kernel release")
    installed = t.wait(30, "the installed modules listed", lambda: b.page(
        "doc.getElementById('installed-list').textContent.indexOf('klpt_cmdline.ko') >= 0"))
    t.result(bool(installed), "the installed patches are listed (klpt_cmdline.ko)")

    # a load klpd refuses: its own error, nothing changed
    b.page("doc.getElementById('load-source').value = 'klpt_no_such_patch'")
    click(b, '[data-action="load"]')
    err = t.wait(30, "klpd's refusal shown", lambda: "refused Load" in alerts(b) and alerts(b))
    t.result(bool(err) and "klpt_no_such_patch" in (err or ""),
             "Load of a missing module: klpd's error is shown", err)
    t.result(t.state("klpt_no_such_patch") == "absent" and row_state(b, "klpt_no_such_patch") is None,
             "...and nothing was loaded")

    # load an installed patch, see it applied
    b.page("doc.getElementById('load-source').value = 'klpt_cmdline'")
    click(b, '[data-action="load"]')
    ok = t.wait(60, "klpt_cmdline applied on the page", lambda: row_state(b, "klpt_cmdline") == "applied")
    t.result(bool(ok), "Load klpt_cmdline from the page: it shows applied")
    t.result(t.state("klpt_cmdline") == "applied", "klpctl on the guest agrees: applied",
             t.state("klpt_cmdline"))
    t.result("klpd is loading klpt_cmdline" in alerts(b), "the page said so only after klpd's reply", alerts(b))
    journal = t.wait(30, "the journal entry of the load", lambda: b.page(
        "doc.getElementById('journal-entries').textContent.indexOf(\"Loaded 'klpt_cmdline'\") >= 0"))
    t.result(bool(journal), "klpd's journal entries follow live (Loaded 'klpt_cmdline')")

    # a stalled transition: its blockers appear, then go, without a reload
    t.guest("insmod /usr/lib/klpd-tests/modules/klpt_busy_target.ko hold=1")
    kpid = t.guest("pgrep -x klpt_busy")
    t.result(kpid.isdigit(), "the busy target's kthread runs on the guest (pid %s)" % kpid)
    b.page("doc.getElementById('load-source').value = 'klpt_busy_patch'")
    click(b, '[data-action="load"]')
    shown = t.wait(60, "the transition card", lambda: b.page("!doc.getElementById('transition').hidden"))
    t.result(bool(shown), "the running transition is shown")
    rows = t.wait(60, "the blockers listed", lambda: b.page(
        "[...doc.querySelectorAll('#blocker-rows tr')].map(r => r.getAttribute('data-pid') + ' ' + "
        "r.children[1].textContent).join(',') || null"))
    t.result(rows == "%s klpt_busy" % kpid, "the stalled transition's blocker appears: %s" % rows, rows)
    facts = b.page("['transition-patch','transition-target','transition-age','transition-plan']"
                   ".map(i => doc.getElementById(i).textContent).join(' | ')") or ""
    t.result(facts.startswith("klpt_busy_patch | patched | ") and "stalled" in facts and "wait" in facts,
             "patch, target, age, stalled and the policy's plan (wait) shown", facts)
    shot("stalled-transition")
    t.guest("echo 0 > /sys/module/klpt_busy_target/parameters/hold")
    gone = t.wait(60, "the blockers gone", lambda: b.page(
        "doc.getElementById('transition').hidden && doc.querySelectorAll('#blocker-rows tr').length === 0"))
    t.result(bool(gone), "once the task lets go, the blockers and the transition disappear")
    ok = t.wait(30, "klpt_busy_patch applied", lambda: row_state(b, "klpt_busy_patch") == "applied")
    t.result(bool(ok) and t.state("klpt_busy_patch") == "applied", "klpt_busy_patch applied (page and klpctl)")

    # disable from the page: the module goes (auto-unload)
    click(b, 'tr[data-patch="klpt_busy_patch"] [data-action="disable"]')
    gone = t.wait(60, "klpt_busy_patch gone", lambda: row_state(b, "klpt_busy_patch") is None)
    t.result(bool(gone) and t.state("klpt_busy_patch") == "absent",
             "Disable klpt_busy_patch: disabled, then unloaded by klpd's policy")

    # revert a stalled transition from the page
    t.guest("echo 1 > /sys/module/klpt_busy_target/parameters/hold")
    b.page("doc.getElementById('load-source').value = 'klpt_busy_patch'")
    click(b, '[data-action="load"]')
    t.wait(60, "the blockers listed again", lambda: b.page("doc.querySelectorAll('#blocker-rows tr').length > 0"))
    clicked = click(b, '#transition-actions [data-action="revert"]')
    t.result(bool(clicked), "the Revert action is offered on the stalled transition")
    rev = t.wait(60, "the reverted transition", lambda: "ended: reverted" in alerts(b) and alerts(b))
    t.result(bool(rev), "Revert: the page reports the transition reverted, as klpd signalled it", rev)
    t.result(t.state("klpt_busy_patch") in ("disabled", "absent"), "klpctl: klpt_busy_patch not applied",
             t.state("klpt_busy_patch"))

    # a leftover klpd does not remove on its own: Unload from the page
    t.guest("echo 0 > /sys/module/klpt_busy_target/parameters/hold")
    t.wait(60, "klpt_busy_patch gone after the revert", lambda: t.state("klpt_busy_patch") == "absent")
    t.guest("mkdir -p /etc/klpd/klpd.conf.d && printf '[Policy]\\nAutoUnload=no\\n' >/etc/klpd/klpd.conf.d/60-keep.conf"
            " && systemctl reload klpd")
    b.page("doc.getElementById('load-source').value = 'klpt_busy_patch'")
    click(b, '[data-action="load"]')
    t.wait(60, "klpt_busy_patch applied", lambda: row_state(b, "klpt_busy_patch") == "applied")
    click(b, 'tr[data-patch="klpt_busy_patch"] [data-action="disable"]')
    left = t.wait(60, "the disabled leftover", lambda: row_state(b, "klpt_busy_patch") == "disabled")
    t.result(bool(left), "with AutoUnload=no the disabled module stays, shown disabled")
    click(b, 'tr[data-patch="klpt_busy_patch"] [data-action="unload"]')
    gone = t.wait(60, "the leftover unloaded", lambda: row_state(b, "klpt_busy_patch") is None)
    t.result(bool(gone) and t.state("klpt_busy_patch") == "absent", "Unload from the page removes the leftover")
    t.guest("rm -f /etc/klpd/klpd.conf.d/60-keep.conf && systemctl reload klpd")

    # force a stalled transition: the load of klpt_busy_patch first; a
    # forced load pins nothing on this kernel (it has the seed patch)
    hold = "/sys/module/klpt_busy_target/parameters/hold"
    t.guest("echo 1 > " + hold)
    b.page("doc.getElementById('load-source').value = 'klpt_busy_patch'")
    click(b, '[data-action="load"]')
    t.wait(60, "the blockers listed once more", lambda: b.page("doc.querySelectorAll('#blocker-rows tr').length > 0"))
    click(b, '#transition-actions [data-action="force"]')
    t.result(bool(b.page("!doc.getElementById('force-confirm').hidden")), "Force asks to confirm first")
    click(b, '#transition-actions [data-action="force-confirm"]')
    forced = t.wait(60, "the forced transition", lambda: "to patched ended: forced" in alerts(b) and alerts(b))
    t.result(bool(forced), "Force: the page reports the transition forced", forced)
    t.result(t.state("klpt_busy_patch") == "applied", "klpctl: klpt_busy_patch applied by force")

    # then its disable, while the kthread sits in the patched function: the
    # module is pinned until a reboot, and the page says so
    t.guest("echo 0 > %s; sleep 0.5; echo 1 > %s; sleep 0.5" % (hold, hold))
    t.wait(30, "klpt_busy_patch applied on the page", lambda: row_state(b, "klpt_busy_patch") == "applied")
    click(b, 'tr[data-patch="klpt_busy_patch"] [data-action="disable"]')
    t.wait(60, "the disable's blockers", lambda: b.page(
        "doc.getElementById('transition-target').textContent === 'unpatched' && "
        "doc.querySelectorAll('#blocker-rows tr').length > 0"))
    click(b, '#transition-actions [data-action="force"]')
    click(b, '#transition-actions [data-action="force-confirm"]')
    forced = t.wait(60, "the forced disable", lambda: "to unpatched ended: forced" in alerts(b) and alerts(b))
    t.result(bool(forced), "Force on a stalled disable: reported forced", forced)
    t.guest("echo 0 > " + hold)
    reboot = t.wait(90, "reboot required", lambda: b.page(
        "doc.getElementById('reboot-required').textContent === 'yes' && "
        "doc.getElementById('pinned-modules').textContent"))
    pinned = t.guest("busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 "
                     "org.klpd.livepatch1.Manager PinnedModules")
    t.result(bool(reboot) and "klpt_busy_patch" in reboot and "klpt_busy_patch" in pinned,
             "the pinned module and the reboot required shown, as klpd says (%s)" % pinned, reboot)
    t.result(row_state(b, "klpt_busy_patch") == "pinned" and t.state("klpt_busy_patch") == "pinned",
             "klpt_busy_patch shown pinned, as klpctl says", t.state("klpt_busy_patch"))
    t.result(b.page("win.__klpdNoReload === 1") is True, "all of it without reloading the page")
    shot("admin")

    # --- a user without administrative access
    login(b, t, args.url, "klpt-viewer", args.password, admin=False)
    time.sleep(2)  # the permission check answers after the first render
    acts = visible_actions(b)
    t.result(acts == [], "klpt-viewer: no action is offered", acts)
    t.result(b.page("!doc.getElementById('readonly-note').hidden") is True,
             "klpt-viewer: the page says why (limited access)")
    t.result(row_state(b, "klpt_cmdline") == "applied", "klpt-viewer: sees klpt_cmdline applied")
    refused = b.page("win.cockpit.dbus('org.klpd.livepatch1', { bus: 'system' })"
                     ".call('/org/klpd/livepatch1', 'org.klpd.livepatch1.Manager', 'Disable', ['klpt_cmdline'])"
                     ".then(() => 'accepted', e => 'refused: ' + e.message)")
    t.result(isinstance(refused, str) and refused.startswith("refused"),
             "klpt-viewer: a Disable sent anyway is refused by klpd", refused)
    t.result(t.state("klpt_cmdline") == "applied", "...and klpt_cmdline stays applied")
    shot("viewer")


if __name__ == "__main__":
    sys.exit(main())
