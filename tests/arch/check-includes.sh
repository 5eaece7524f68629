#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The include arrows of docs/ARCHITECTURE.md, one way (TAP):
#  - lib/ includes only lib/ headers;
#  - daemon/ includes daemon/ and lib/ headers, never client/ ones;
#  - client/ includes client/ and lib/ headers, never daemon/ ones;
#  - the layers below the manager (actions, the model, the policy, the
#    kernel and state-directory files) include neither bus.h nor manager.h.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
fails=0

# check DESCRIPTION FILE... with $allowed the directories a quoted include
# may name a header of, and $banned the headers it may not name at all.
check() {
	local desc=$1 f inc bad=()
	shift
	for f in "$@"; do
		[ -e "$f" ] || continue
		while read -r inc; do
			local ok=
			for d in $allowed; do
				[ -e "$top/$d/$inc" ] && ok=1
			done
			for b in $banned; do
				[ "$inc" = "$b" ] && ok=
			done
			[ -n "$ok" ] || bad+=("${f#"$top"/}: #include \"$inc\"")
		done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/p' "$f")
	done
	n=$((n + 1))
	if [ ${#bad[@]} -eq 0 ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		printf '# %s\n' "${bad[@]}"
		fails=$((fails + 1))
	fi
}

allowed=lib banned=
check "lib/ includes only lib/" "$top"/lib/*.[ch]
allowed="daemon lib" banned=
check "daemon/ includes only daemon/ and lib/" "$top"/daemon/*.[ch]
allowed="client lib" banned=
check "client/ includes only client/ and lib/" "$top"/client/*.[ch]
allowed="daemon lib" banned="bus.h manager.h"
lower=()
for b in actions action-result boot-guard boot-load conf config-snapshot force-window load-queue metrics \
	policy policy-plan state statedir sysfs-livepatch tasks kmsg-clock kmod-dlopen caller; do
	lower+=("$top/daemon/$b.c" "$top/daemon/$b.h")
done
check "actions, the model, policy and state files include no bus.h or manager.h" "${lower[@]}"
echo "1..$n"
[ "$fails" -eq 0 ]
