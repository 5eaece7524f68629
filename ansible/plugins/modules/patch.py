#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: patch
short_description: Bring one kernel livepatch to a wanted state through klpd
description:
  - Installs, loads, disables or removes one livepatch module on a host
    through klpd, the kernel livepatch daemon, and its client C(klpctl).
  - A load or a disable waits for the kernel's transition to end and
    reports how it ended. A transition that klpd's policy reverted (it
    stalled, and C(OnStall=revert)), that timed out, or a result other than
    the one asked for fails the task with klpd's own words.
  - Idempotent; supports check mode and diff mode.
version_added: "0.1.0"
author: klpd developers
options:
  name:
    description:
      - The livepatch's module name (as C(lsmod) and C(klpctl status) show it).
    type: str
    required: true
  state:
    description:
      - C(loaded) installs I(src) when given and different from what is
        installed, and loads the patch until it is C(applied).
      - C(disabled) disables an applied patch (its module stays loaded until
        klpd's C(AutoUnload=) removes it) and leaves the file installed.
      - C(absent) disables it, removes its module and uninstalls its file.
    type: str
    choices: [loaded, disabled, absent]
    default: loaded
  src:
    description:
      - A livepatch module file (C(.ko)) to install with C(klpctl install)
        before loading, on the controller (copied over by the module's
        action plugin) or on the host with I(remote_src=true).
      - Without it the module must already be installed in one of klpd's
        patch directories for the running kernel.
    type: path
  remote_src:
    description:
      - I(src) is a path on the managed host.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait for a transition to end before failing.
    type: int
    default: 300
  allow_forced:
    description:
      - Whether a transition that klpd forced (C(OnStall=force)) counts as
        success. A forced transition may pin modules until reboot.
    type: bool
    default: true
notes:
  - Needs klpd running and C(klpctl) on the host, and root (C(become)).
  - Check mode reports what would change from klpd's state, without
    touching the kernel or the patch directories.
seealso:
  - module: klpd.livepatch.facts
"""

EXAMPLES = r"""
- name: Roll out the fix for this host's kernel
  klpd.livepatch.patch:
    name: cve_2026_1234
    src: "files/{{ ansible_kernel }}/cve_2026_1234.ko"
    state: loaded
    timeout: 600
  become: true

- name: Take it back
  klpd.livepatch.patch:
    name: cve_2026_1234
    state: disabled
  become: true

- name: Remove it for good
  klpd.livepatch.patch:
    name: cve_2026_1234
    state: absent
  become: true
"""

RETURN = r"""
name:
  description: The patch's module name.
  returned: always
  type: str
state:
  description: The patch's state in klpd after the task (C(applied),
    C(disabled), C(replaced), C(pinned), C(patching), C(unpatching)), or
    C(absent) when no module of that name is loaded.
  returned: always
  type: str
  sample: applied
previous_state:
  description: The same before the task.
  returned: always
  type: str
  sample: absent
installed:
  description: The file klpd would load for this patch, or "" when none is
    installed.
  returned: always
  type: str
  sample: /var/lib/klpd/patches/6.1.0-57-amd64/cve_2026_1234.ko
transition:
  description: How the transition the task started ended, as klpd
    reported it; empty when none ran.
  returned: always
  type: dict
  contains:
    target:
      description: C(patched) or C(unpatched).
      type: str
    how:
      description: C(completed), C(reverted) (klpd's policy reversed a
        stalled transition), C(forced), or C(failed) (a queued load failed).
      type: str
    seconds:
      description: How long the transition took.
      type: float
forced:
  description: Whether the kernel marked the patch forced.
  returned: always
  type: bool
pinned:
  description: Whether the patch's module is pinned until reboot.
  returned: always
  type: bool
reboot_required:
  description: Whether klpd says the host needs a reboot (a pinned module).
  returned: always
  type: bool
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.klpd.livepatch.plugins.module_utils.klpctl import (
    EXIT_NOT_FOUND,
    EXIT_TIMEOUT,
    IN_TRANSITION,
    LEFTOVER,
    Klpctl,
    KlpctlError,
    patch_of,
)

# klpd resolves a NAME to NAME.ko, then its compressed forms (klpctl(1), load).
SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def installed_file(module, name, release):
    """The file klpd resolves NAME to (PatchDirectories, release first), or "".
    """
    dirs = ["/var/lib/klpd/patches"]
    rc, out, _ = module.run_command(
        ["busctl", "--json=short", "get-property", "org.klpd.livepatch1",
         "/org/klpd/livepatch1", "org.klpd.livepatch1.Manager", "PatchDirectories"])
    if rc == 0:
        try:
            dirs = module.from_json(out)["data"] or dirs
        except (ValueError, KeyError, TypeError):
            pass
    for d in dirs:
        for sub in (os.path.join(d, release), d):
            for suffix in SUFFIXES:
                p = os.path.join(sub, name + suffix)
                if os.path.isfile(p):
                    return p
    return ""


def same_file(module, a, b):
    return bool(a) and bool(b) and module.sha256(a) == module.sha256(b)


class Run(object):
    def __init__(self, module):
        self.module = module
        self.k = Klpctl(module)
        self.name = module.params["name"]
        self.timeout = module.params["timeout"]
        self.changed = False
        self.transition = {}
        self.status = self._status()
        self.release = self.status.get("kernel_release") or os.uname()[2]
        p = patch_of(self.status, self.name)
        self.previous = p["state"] if p else "absent"
        self.installed = installed_file(module, self.name, self.release)
        self.before = {"state": self.previous, "installed": self.installed}

    def _status(self):
        try:
            return self.k.status()
        except KlpctlError as e:
            self.module.fail_json(msg="Cannot read klpd's status: %s" % e.message)

    def state(self):
        p = patch_of(self.status, self.name)
        return p["state"] if p else "absent"

    def refresh(self):
        self.status = self._status()

    def fail(self, msg, **extra):
        self.refresh()
        self.module.fail_json(msg=msg, **self.result(**extra))

    def result(self, **extra):
        p = patch_of(self.status, self.name) or {}
        r = dict(
            changed=self.changed,
            name=self.name,
            state=self.state(),
            previous_state=self.previous,
            installed=self.installed,
            transition=self.transition,
            forced=bool(p.get("forced")),
            pinned=self.state() == "pinned",
            reboot_required=bool(self.status.get("reboot_required")),
        )
        if self.module._diff:
            after = self.state()
            if self.module.check_mode and self.changed:
                after = {"loaded": "applied", "disabled": "disabled",
                         "absent": "absent"}[self.module.params["state"]]
            r["diff"] = dict(before=self.before, after={"state": after, "installed": self.installed})
        r.update(extra)
        return r

    def klpctl(self, *args):
        try:
            return self.k.json(*args)
        except KlpctlError as e:
            self.fail("klpctl %s failed: %s" % (" ".join(args), e.message))

    def wait_idle(self):
        """A transition of this patch already running: wait for its end."""
        waited = 0
        while self.state() in IN_TRANSITION:
            if waited >= self.timeout:
                self.fail("The transition of '%s' already running did not end in %d s"
                          % (self.name, self.timeout))
            time.sleep(1)
            waited += 1
            self.refresh()

    def run_transition(self, verb, target):
        self.changed = True
        try:
            doc = self.k.transition(verb, self.name, self.timeout)
        except KlpctlError as e:
            doc = getattr(e, "result", None) or {}
            if doc.get("how"):
                self.transition = _transition(doc)
            if doc.get("how") == "reverted":
                self.fail("The transition of '%s' to %s was reverted by klpd's policy "
                          "(it stalled): the patch is %s. %s"
                          % (self.name, target, self.state(), self.blockers_hint()))
            if e.rc == EXIT_TIMEOUT:
                self.fail("The transition of '%s' to %s did not end in %d s: %s"
                          % (self.name, target, self.timeout, e.message))
            self.fail("klpctl %s %s failed: %s" % (verb, self.name, e.message))
        self.transition = _transition(doc)
        self.refresh()
        if doc.get("how") == "forced" and not self.module.params["allow_forced"]:
            self.fail("The transition of '%s' to %s was forced by klpd's policy, and "
                      "allow_forced is false" % (self.name, target))

    def blockers_hint(self):
        return ("See `journalctl -u klpd KLPD_PATCH=%s` on the host for the tasks "
                "that blocked it." % self.name)

    # --- the states

    def install(self):
        src = self.module.params["src"]
        if not src:
            return
        if not os.path.isfile(src):
            self.module.fail_json(msg="src '%s' is not a file on the host" % src)
        if same_file(self.module, src, self.installed):
            return
        self.changed = True
        if self.module.check_mode:
            self.installed = self.installed or "(would be installed)"
            return
        doc = self.klpctl("install", src)
        if doc.get("patch") != self.name:
            self.fail("src '%s' is the livepatch '%s', not '%s'"
                      % (self.module.params["src"], doc.get("patch"), self.name))
        self.installed = doc.get("path", "")

    def loaded(self):
        self.install()
        self.wait_idle()
        st = self.state()
        if st == "applied":
            return
        if st == "pinned":
            self.fail("The module of '%s' is pinned until reboot by a forced transition: "
                      "it cannot be loaded again before a reboot" % self.name)
        if not self.installed:
            self.fail("'%s' is not installed in klpd's patch directories for %s: give src"
                      % (self.name, self.release))
        self.changed = True
        if self.module.check_mode:
            return
        if st in LEFTOVER:
            # Its module stays from an earlier disable: load means a new one.
            self.klpctl("unload", self.name)
        self.run_transition("load", "patched")
        if self.state() != "applied":
            self.fail("'%s' is %s after its load, not applied" % (self.name, self.state()))

    def disabled(self):
        self.wait_idle()
        if self.state() != "applied":
            return
        self.changed = True
        if self.module.check_mode:
            return
        self.run_transition("disable", "unpatched")
        if self.state() not in LEFTOVER + ("absent",):
            self.fail("'%s' is %s after its disable" % (self.name, self.state()))

    def absent(self):
        self.disabled()
        st = self.state()
        if st == "pinned":
            self.fail("The module of '%s' is pinned until reboot by a forced transition: "
                      "it is disabled but cannot be removed before a reboot" % self.name)
        if st in LEFTOVER:
            self.changed = True
            if not self.module.check_mode:
                try:
                    self.k.json("unload", self.name)
                except KlpctlError as e:
                    # klpd's AutoUnload= may have removed it meanwhile.
                    if e.rc != EXIT_NOT_FOUND:
                        self.fail("klpctl unload %s failed: %s" % (self.name, e.message))
                self.refresh()
        if self.installed:
            self.changed = True
            if not self.module.check_mode:
                self.klpctl("uninstall", self.name)
            self.installed = installed_file(self.module, self.name, self.release)
            if self.module.check_mode:
                self.installed = ""


def _transition(doc):
    return {
        "target": doc.get("target", ""),
        "how": doc.get("how", ""),
        "seconds": round(doc.get("duration_usec", 0) / 1e6, 3),
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", default="loaded", choices=["loaded", "disabled", "absent"]),
            src=dict(type="path"),
            remote_src=dict(type="bool", default=False),
            timeout=dict(type="int", default=300),
            allow_forced=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    if module.params["timeout"] <= 0:
        module.fail_json(msg="timeout must be above 0")
    if module.params["src"] and module.params["state"] != "loaded":
        module.fail_json(msg="src is only for state=loaded")
    run = Run(module)
    getattr(run, module.params["state"])()
    if not module.check_mode:
        run.refresh()
    module.exit_json(**run.result())


if __name__ == "__main__":
    main()
