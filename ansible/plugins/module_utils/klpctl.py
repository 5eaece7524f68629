# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
"""What the klpd.livepatch modules share: running klpctl on the managed host
and reading its JSON. klpctl is klpd's own client; its exit statuses are
documented in klpctl(1): 0 ok, 1 other failure, 2 usage, 3 no such patch or
module, 4 refused or failed (a --wait that ended reverted), 5 timed out."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

EXIT_OK = 0
EXIT_OTHER = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_REFUSED = 4
EXIT_TIMEOUT = 5

# Patch.State values (org.klpd.livepatch1(5)).
IN_TRANSITION = ("patching", "unpatching")
LEFTOVER = ("disabled", "replaced", "pinned")


class KlpctlError(Exception):
    """klpctl failed: RC its exit status, MESSAGE what it said."""

    def __init__(self, args, rc, message):
        self.argv = args
        self.rc = rc
        self.message = message
        super(KlpctlError, self).__init__(message)


class Klpctl(object):
    """klpctl on the managed host, through an AnsibleModule."""

    def __init__(self, module):
        self.module = module
        self.path = module.get_bin_path("klpctl", required=True)

    def run(self, *args):
        """(rc, stdout, stderr) of klpctl --json ARGS."""
        argv = [self.path, "--json"] + list(args)
        return self.module.run_command(argv, environ_update={"LC_ALL": "C", "NO_COLOR": "1"})

    def json(self, *args):
        """The JSON document klpctl printed ({} for none); KlpctlError when it
        failed."""
        rc, out, err = self.run(*args)
        if rc != EXIT_OK:
            raise KlpctlError(args, rc, _message(err, out, rc))
        if not out.strip():
            return {}  # unload and the like say nothing when they work
        return _last_document(out)

    def status(self):
        """`klpctl status`: the Manager's properties and every patch."""
        try:
            return self.json("status")
        except KlpctlError as e:
            if e.rc == EXIT_OTHER:
                e.message += " (is klpd running? systemctl status klpd)"
            raise

    def transition(self, verb, name, timeout):
        """`klpctl VERB NAME --wait`: how the transition ended, as klpctl
        reports it ({"patch", "target", "how", "duration_usec"}), or KlpctlError."""
        rc, out, err = self.run(verb, name, "--wait", "--timeout", "%ds" % timeout)
        doc = None
        try:
            doc = _last_document(out)
        except ValueError:
            pass
        if rc == EXIT_OK and doc is not None:
            return doc
        e = KlpctlError((verb, name), rc, _message(err, out, rc))
        e.result = doc
        raise e


def patch_of(status, name):
    """The patch NAME in a status document, or None."""
    for p in status.get("patches", []):
        if p.get("name") == name:
            return p
    return None


def _last_document(out):
    lines = [l for l in out.splitlines() if l.strip()]
    if not lines:
        raise ValueError("klpctl printed nothing")
    return json.loads(lines[-1])


def _message(err, out, rc):
    text = (err or "").strip() or (out or "").strip()
    text = "\n".join(l[len("klpctl: "):] if l.startswith("klpctl: ") else l
                     for l in text.splitlines())
    return text or "klpctl exited with status %d" % rc
