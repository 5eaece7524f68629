#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: facts
short_description: klpd's status on a host, as facts
description:
  - Reads klpd's status with C(klpctl status) and returns it as the fact
    C(ansible_facts.klpd), with the livepatch modules and their states, the
    running transition, whether it stalled, reboot required, pinned modules,
    modules skipped at boot and whether klpd refused its configuration.
  - Changes nothing; runs in check mode too.
version_added: "0.1.0"
author: klpd developers
options: {}
notes:
  - Needs klpd running and C(klpctl) on the host. The patch list needs no
    privilege; blockers' stack frames are shown to root only.
seealso:
  - module: klpd.livepatch.patch
"""

EXAMPLES = r"""
- name: Read klpd's status
  klpd.livepatch.facts:

- name: Stop when a transition is stalled
  ansible.builtin.assert:
    that: not ansible_facts.klpd.stalled
    fail_msg: "{{ ansible_facts.klpd.transition_patch }} is stalled"
"""

RETURN = r"""
ansible_facts:
  description: Facts added.
  returned: always
  type: dict
  contains:
    klpd:
      description: klpd's status.
      type: dict
      contains:
        version:
          description: klpd's version.
          type: str
        kernel_release:
          description: The running kernel, as C(uname -r).
          type: str
        supported:
          description: Whether the kernel has livepatch support.
          type: bool
        state:
          description: C(idle), C(transition) or C(stalled).
          type: str
        stalled:
          description: Whether the running transition is past C(StallTimeout=).
          type: bool
        transition_patch:
          description: The patch in transition, or "".
          type: str
        reboot_required:
          description: Whether a module is pinned until reboot.
          type: bool
        pinned_modules:
          description: The modules pinned until reboot.
          type: list
          elements: str
        skipped_at_boot:
          description: Modules the crash-loop guard skips at boot.
          type: list
          elements: str
        config_valid:
          description: Whether klpd accepted its configuration files.
          type: bool
        config_errors:
          description: C(file:line:) messages when it did not.
          type: list
          elements: str
        config_source:
          description: C(files), C(last-valid) or C(defaults).
          type: str
        patches:
          description: Every livepatch module klpd sees, by name.
          type: dict
          sample:
            cve_2026_1234:
              state: applied
              enabled: true
              forced: false
              replace: "no"
              source: /var/lib/klpd/patches/6.1.0-57-amd64/cve_2026_1234.ko
        applied:
          description: The names of the patches whose state is C(applied).
          type: list
          elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.klpd.livepatch.plugins.module_utils.klpctl import Klpctl, KlpctlError


def facts_of(status):
    patches = {}
    for p in status.get("patches", []):
        name = p.get("name")
        if name:
            patches[name] = {k: v for k, v in p.items() if k != "name"}

    def words(v):
        # klpctl prints these lists as arrays, or as one space-separated string
        if isinstance(v, list):
            return v
        return (v or "").split()

    errors = status.get("config_errors") or []
    return {
        "version": status.get("version", ""),
        "kernel_release": status.get("kernel_release", ""),
        "supported": bool(status.get("supported")),
        "state": status.get("state", ""),
        "stalled": status.get("state") == "stalled",
        "transition_patch": status.get("transition_patch", ""),
        "reboot_required": bool(status.get("reboot_required")),
        "pinned_modules": words(status.get("pinned_modules")),
        "skipped_at_boot": words(status.get("skipped_at_boot")),
        "config_valid": not status.get("config_refused") and not errors,
        "config_errors": errors,
        "config_source": status.get("config_source", ""),
        "patches": patches,
        "applied": sorted(n for n, p in patches.items() if p.get("state") == "applied"),
    }


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    try:
        status = Klpctl(module).status()
    except KlpctlError as e:
        module.fail_json(msg="Cannot read klpd's status: %s" % e.message)
    module.exit_json(changed=False, ansible_facts={"klpd": facts_of(status)})


if __name__ == "__main__":
    main()
