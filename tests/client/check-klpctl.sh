#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpctl where no klpd is needed: its help, its usage errors, its message
# when there is no bus, the pager. (With klpd: tests/vm/scenarios/.)
# Prints TAP. Run by `make check` with $top_srcdir and $top_builddir set.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
build=$(cd "${top_builddir:-$top}" && pwd)
klpctl=$build/client/klpctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# no system bus here, whatever the machine has
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-bus
export NO_COLOR=1
unset KLPCTL_PAGER PAGER

# shellcheck source=../tap.sh
. "$top/tests/tap.sh"
# expect DESCRIPTION STATUS REGEX ARGS...: klpctl ARGS exits STATUS and its
# stderr and stdout match the extended REGEX.
expect() {
	local d=$1 want=$2 re=$3 out rc
	shift 3
	out=$("$klpctl" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qE -- "$re" <<<"$out"; then
		ok "$d"
	else
		not_ok "$d" "klpctl $*: exit $rc (want $want)" "${out//$'\n'/ | }"
	fi
}

help=$("$klpctl" --help)
# every line of every command's text, not only the first
mapfile -t lines < <(sed -n '/struct command commands\[\]/,/^};/p' "$top/client/klpctl.c" |
	grep -oE '^[[:space:]]*"[^"]*(\\n)?"' | grep -v '^[[:space:]]*"[a-z-]*"$' |
	sed -E 's/^[[:space:]]*"//; s/(\\n)?"$//; s/\\"/"/g')
missing=()
for l in "${lines[@]}"; do
	[ -n "$l" ] && ! grep -qF -- "$l" <<<"$help" && missing+=("$l")
done
if [ ${#lines[@]} -gt 20 ] && [ ${#missing[@]} = 0 ]; then
	ok "--help shows all ${#lines[@]} lines of the commands' texts"
else
	not_ok "--help shows every line of the commands' texts" "${missing[@]/#/missing: }"
fi
long=$(awk 'length > 79' <<<"$help")
[ -z "$long" ] && ok "--help fits 80 columns" || not_ok "--help fits 80 columns" "$long"
# the texts start in one column
cols=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | grep -E '^  [a-z]' | awk '{ match($0, /^  [a-z-]+( [A-Z|]+)? +/); print RLENGTH }' | sort -u)
[ "$cols" = 22 ] && ok "--help: the commands' texts are aligned" || not_ok "--help: aligned" "columns: $cols"
grep -q 'klpctl(1)' <<<"$help" && ok "--help names the man page" || not_ok "--help names the man page"
expect "COMMAND --help: the whole text" 0 "without loading it now" clear-skip --help

# usage errors: klpctl's words, "klpctl:" whatever argv[0] is
expect "unknown option, as klpctl" 2 "^klpctl: unknown option '--bogus'" --bogus
expect "missing option value" 2 "^klpctl: option '--timeout' needs a value" load x --timeout
expect "invalid --json mode" 2 "invalid --json mode 'yaml': use short, pretty or off" --json=yaml status
expect "two arguments for load" 2 "'load' takes one FILE\|NAME, not 2 arguments" load a b
expect "no argument for show" 2 "'show' needs NAME" show
expect "an argument for status" 2 "'status' takes no arguments" status x
expect "invalid --kernel" 2 "invalid --kernel '../x'" install --kernel ../x /x.ko

# no bus: a hint, exit 1; no command runs status (not a usage error)
expect "no bus: says where to look" 1 "cannot connect to the system bus: .*systemctl status dbus" status
expect "no command is status" 1 "cannot connect to the system bus" 
expect "--json=pretty is accepted" 1 "cannot connect" --json=pretty status

# the pager: at a terminal only, never with --no-pager
pager="cat >'$tmp/paged'"
rm -f "$tmp/paged"
KLPCTL_PAGER=$pager script -qec "'$klpctl' --help" /dev/null >/dev/null 2>&1
if grep -q '^Usage: klpctl' "$tmp/paged" 2>/dev/null; then
	ok "at a terminal the help goes through \$KLPCTL_PAGER"
else
	not_ok "at a terminal the help goes through \$KLPCTL_PAGER"
fi
rm -f "$tmp/paged"
KLPCTL_PAGER=$pager script -qec "'$klpctl' --no-pager --help" /dev/null >"$tmp/tty" 2>&1
if [ ! -e "$tmp/paged" ] && grep -q 'Usage: klpctl' "$tmp/tty"; then
	ok "--no-pager prints at the terminal itself"
else
	not_ok "--no-pager prints at the terminal itself"
fi
KLPCTL_PAGER=$pager "$klpctl" --help >/dev/null
[ ! -e "$tmp/paged" ] && ok "into a pipe: no pager" || not_ok "into a pipe: no pager"
tap_end
