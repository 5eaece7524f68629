#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# debian/copyright says what the files say: for every file of the tree with
# an SPDX-License-Identifier line in its first lines, the License: of the
# last Files: paragraph whose pattern matches it (as DEP-5 reads them) is
# that identifier. Prints TAP. Run by `make check` with $top_srcdir set.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
. "$top/tests/tap.sh"

copyright=$top/debian/copyright
# "PATTERN LICENSE" a line, in the order of the file.
rules=$(awk '
	/^Files:/ { files = substr($0, 7); in_files = 1; next }
	/^[ \t]/ && in_files { files = files " " $0; next }
	{ in_files = 0 }
	/^License:/ && files != "" {
		n = split(files, p, /[ \t]+/)
		for (i = 1; i <= n; i++) if (p[i] != "") print p[i], $2
		files = ""
	}
	/^$/ { files = "" }' "$copyright")
if [ -z "$rules" ]; then
	not_ok "debian/copyright has Files: paragraphs" "none found in $copyright"
	tap_end
	exit
fi

wrong=() n=0
while IFS= read -r -d '' f; do
	rel=${f#"$top"/}
	spdx=$(head -n 5 "$f" | sed -n 's/.*SPDX-License-Identifier: *\([A-Za-z0-9.+-]*\).*/\1/p' | head -n 1)
	[ -n "$spdx" ] || continue
	n=$((n + 1))
	license=""
	while read -r pat lic; do
		# shellcheck disable=SC2053 # the pattern is a glob: * matches / too
		[[ $rel == $pat ]] && license=$lic
	done <<<"$rules"
	[ "$license" = "$spdx" ] || wrong+=("$rel: SPDX $spdx, debian/copyright ${license:-nothing}")
done < <(find "$top" \( -name .git -o -name _build -o -name autom4te.cache \) -prune -o -type f -print0)

if [ $n -eq 0 ]; then
	not_ok "files with an SPDX line" "found none below $top"
elif [ ${#wrong[@]} -eq 0 ]; then
	ok "debian/copyright gives all $n files with an SPDX line their license"
else
	not_ok "debian/copyright gives ${#wrong[@]} of $n files another license than their SPDX line" \
		"${wrong[@]}"
fi
tap_end
