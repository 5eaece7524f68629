# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
"""Action plugin of klpd.livepatch.patch: a src on the controller (looked up
in the play's files/ like ansible.builtin.copy's) is copied to a private
temporary directory on the host, and the module installs it from there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self._task.args.copy()
        src = args.get("src")
        try:
            if src and not boolean(args.get("remote_src", False), strict=False):
                try:
                    local = self._find_needle("files", src)
                except AnsibleError as e:
                    result.update(failed=True, msg="Cannot find src '%s': %s" % (src, e))
                    return result
                remote = self._connection._shell.join_path(
                    self._connection._shell.tmpdir, "klpd-livepatch.ko")
                self._transfer_file(local, remote)
                self._fixup_perms2((self._connection._shell.tmpdir, remote))
                args["src"] = remote
                args["remote_src"] = True
            result.update(self._execute_module(module_name="klpd.livepatch.patch",
                                               module_args=args, task_vars=task_vars))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        if result.get("changed") and args.get("src") and result.get("installed"):
            # the host's temporary path means nothing to the caller
            result["src"] = src
        return result
