#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client/klpctl.bash-completion, driven the way bash drives it (COMP_WORDS,
# COMP_CWORD, then COMPREPLY), against a stand-in klpctl that knows two
# patches. Prints TAP. Run by `make check` with $top_srcdir set.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
# shellcheck source=../../client/klpctl.bash-completion
. "$top/client/klpctl.bash-completion"

# Stand-in for the program: what `klpctl list --names` (loaded) and
# `klpctl inventory --names` (installed) print.
klpctl() {
	[ "$*" = "list --names" ] && printf '%s\n' klpt_busy_patch klpt_cmdline
	[ "$*" = "inventory --names" ] && printf '%s\n' klpt_cmdline klpt_next
}

n=0
failed=0
# expect LINE WANT: completing LINE (a trailing space starts a new word)
# offers the words WANT, sorted, space-separated.
expect() {
	local line=$1 want=$2 got
	read -r -a COMP_WORDS <<<"$line"
	[[ $line == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_klpctl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - '$line' -> $want"
	else
		echo "not ok $n - '$line'"
		echo "# got:  '$got'"
		echo "# want: '$want'"
		failed=1
	fi
}

echo "1..22"
expect "klpctl " "check clear-skip disable force install inventory list load monitor reload revert show status uninstall unload"
expect "klpctl re" "reload revert"
expect "klpctl --json st" "status"
expect "klpctl dis" "disable"
expect "klpctl disable " "klpt_busy_patch klpt_cmdline"
expect "klpctl show klpt_c" "klpt_cmdline"
expect "klpctl --json unload " "klpt_busy_patch klpt_cmdline"
expect "klpctl disable klpt_cmdline " ""
expect "klpctl load --" "--help --json --json= --no-color --no-legend --no-pager --timeout --version --wait"
expect "klpctl list --n" "--names --no-color --no-legend --no-pager"
expect "klpctl --json=p" "--json=pretty"
expect "klpctl clear-skip " "klpt_cmdline klpt_next"
expect "klpctl uninstall klpt_n" "klpt_next"
expect "klpctl install --k" "--kernel"
expect "klpctl uninstall --kernel 1.2.3 klpt_c" "klpt_cmdline"
expect "klpctl load klpt_n" "klpt_next"
expect "klpctl status --w" ""
expect "klpctl load --timeout " "1min 30min 30s 5min infinity"
expect "klpctl load --timeout 5min --wait klpt_x " ""

# .ko files and directories for load
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/sub"
touch "$tmp/a.ko" "$tmp/b.txt" "$tmp/c.ko.xz" "$tmp/d.ko.zst" "$tmp/e.ko.gz" "$tmp/f.xz"
expect "klpctl load $tmp/" "$tmp/a.ko $tmp/c.ko.xz $tmp/d.ko.zst $tmp/e.ko.gz $tmp/sub"
expect "klpctl install $tmp/" "$tmp/a.ko $tmp/c.ko.xz $tmp/d.ko.zst $tmp/e.ko.gz $tmp/sub"

# Every command of klpctl's table, and no other, is offered.
table=$(grep -oE '^\s*\{ "[a-z][a-z-]*", "' "$top/client/klpctl.c" | sed -E 's/.*"([a-z-]+)".*/\1/' | sort | tr '\n' ' ' | sed 's/ $//')
expect "klpctl " "$table"
exit $failed
