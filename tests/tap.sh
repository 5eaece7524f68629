# SPDX-License-Identifier: GPL-2.0-or-later
# TAP for the shell tests of make check, sourced: ok DESC, not_ok DESC
# [DETAIL...] (details become "# " lines), check DESC CMD... (ok when CMD
# succeeds, else its output as details), tap_end (the plan; exit status 1
# when anything failed).
tap_n=0
tap_failed=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok() {
	tap_n=$((tap_n + 1))
	echo "not ok $tap_n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	tap_failed=1
}
check() {
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}
tap_end() {
	echo "1..$tap_n"
	exit $tap_failed
}
