#!/bin/bash
# The patch in kernel/patches/ must be exactly the change the test kernel
# carries: it has to reverse-apply cleanly to the kernel's own
# kernel/livepatch/transition.c. The source comes from Debian's
# linux-source-6.1 package (KLPD_LINUX_SOURCE overrides the tarball path).
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
tarball=${KLPD_LINUX_SOURCE:-$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)}
echo "1..2"
if [ -z "$tarball" ] || [ ! -r "$tarball" ]; then
	# CI sets KLPD_REQUIRE_ALL=1: there a missing source is a failure.
	if [ "${KLPD_REQUIRE_ALL:-0}" = 1 ]; then
		echo "not ok 1 - linux-source-6.1 not installed (apt-get install linux-source-6.1)"
		echo "not ok 2 - # SKIP no source"
		exit 1
	fi
	echo "ok 1 # SKIP linux-source-6.1 not installed"
	echo "ok 2 # SKIP linux-source-6.1 not installed"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$tarball" -C "$work" --wildcards '*/kernel/livepatch/transition.c'
src=$(dirname "$(dirname "$(dirname "$(find "$work" -name transition.c | head -n1)")")")
rc=0
for p in "$top"/kernel/patches/*.patch; do
	if (cd "$src" && patch -p1 -R --dry-run --silent -F0 < "$p") >"$work/out" 2>&1; then
		echo "ok 1 - $(basename "$p") reverse-applies to $(basename "$tarball")"
	else
		echo "not ok 1 - $(basename "$p") does not reverse-apply to $(basename "$tarball")"
		sed 's/^/# /' "$work/out"
		rc=1
	fi
	# And forward to the tree without it: undo it, then apply it again.
	if (cd "$src" && patch -p1 -R --silent -F0 < "$p" && patch -p1 --dry-run --silent -F0 < "$p") >"$work/out" 2>&1; then
		echo "ok 2 - $(basename "$p") applies to the same file without it"
	else
		echo "not ok 2 - $(basename "$p") does not apply forward"
		sed 's/^/# /' "$work/out"
		rc=1
	fi
done
exit $rc
