#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# catalog/klpd.catalog is a catalog journalctl --update-catalog accepts, and
# it has exactly one entry for each MESSAGE_ID of daemon/log.h and none else:
#  - the file follows systemd's catalog format: "-- ID" after an empty line,
#    no text before the first ID, a header of "Key: value" lines with
#    Subject:, Defined-By: klpd and Support:, then some text;
#  - every @FIELD@ in the text is a field klpd's entries carry;
#  - the IDs of daemon/log.h are distinct, and each has one entry;
#  - where journalctl is installed, it builds a catalog database from it.
# Prints TAP. Run by `make check` with $top_srcdir set.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
catalog=$top/catalog/klpd.catalog
log_h=$top/daemon/log.h

results=()
failed=0
ok() { results+=("ok - $1"); }
# not_ok DESCRIPTION [DETAIL...]: details become TAP diagnostics.
not_ok() {
	local d=$1
	shift
	results+=("not ok - $d")
	for line in "$@"; do
		results+=("# $line")
	done
	failed=1
}

# parse_catalog FILE: prints "id ID" for each entry, "field NAME" for each
# @NAME@ of the text, and "error LINE: WHAT" for each departure from the
# format. It reads lines as systemd's catalog parser does: a line starting
# with '#' or ';' is a comment wherever it is, and only "-- " after an empty
# line starts an entry.
parse_catalog() {
	awk '
	function finish() {
		if (!id)
			return
		if (!subject)
			printf "error %d: entry %s has no Subject: header\n", start, id
		if (!defined_by)
			printf "error %d: entry %s has no \"Defined-By: klpd\" header\n", start, id
		if (!support)
			printf "error %d: entry %s has no Support: header\n", start, id
		if (!text)
			printf "error %d: entry %s has no text after its header\n", start, id
	}
	BEGIN { empty = 1 }
	/^$/ { empty = 1; if (id) in_header = 0; next }
	/^[#;]/ { next }
	{
		if (empty && /^-- /) {
			finish()
			start = NR
			id = substr($0, 4)
			if (id !~ /^[0-9a-f]+$/ || length(id) != 32)
				printf "error %d: \"%s\" is not \"-- \" and 32 lowercase hex digits\n", NR, $0
			print "id " id
			in_header = 1
			subject = defined_by = support = text = 0
			empty = 0
			next
		}
		empty = 0
		if (!id) {
			printf "error %d: text before the first \"-- ID\" line\n", NR
			next
		}
		if (in_header) {
			if ($0 !~ /^[A-Z][A-Za-z-]*: [^ ]/)
				printf "error %d: header line \"%s\" is not \"Key: value\"\n", NR, $0
			if ($0 ~ /^Subject: /) subject = 1
			if ($0 == "Defined-By: klpd") defined_by = 1
			if ($0 ~ /^Support: /) support = 1
		} else
			text = 1
		s = $0
		while (match(s, /@[A-Za-z0-9_]+@/)) {
			print "field " substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
	}
	END {
		finish()
		if (!start)
			print "error 0: no entry at all"
	}' "$1"
}

if [ ! -f "$catalog" ]; then
	printf '1..1\nnot ok - %s: no such file\n' "$catalog"
	exit 1
fi
parsed=$(parse_catalog "$catalog")

mapfile -t errors < <(sed -n 's/^error /klpd.catalog:/p' <<<"$parsed")
if [ ${#errors[@]} -eq 0 ]; then
	ok "catalog/klpd.catalog follows the catalog format"
else
	not_ok "catalog/klpd.catalog: ${#errors[@]} format errors" "${errors[@]}"
fi

# The fields of klpd's entries (daemon/log.c) and journald's own (_PID, ...).
mapfile -t bad_fields < <(sed -n 's/^field //p' <<<"$parsed" | sort -u |
	grep -vxE 'MESSAGE|PRIORITY|MESSAGE_ID|KLPD_PATCH|KLPD_ACTION|ERRNO|_[A-Z_]+' | sed 's/.*/@&@/')
if [ ${#bad_fields[@]} -eq 0 ]; then
	ok "every @FIELD@ of the text is a field of klpd's entries"
else
	not_ok "fields klpd never sets" "${bad_fields[@]/#/unknown: }"
fi

mid_re='^#define (KLPD_MID_[A-Z0-9_]+) "([0-9a-f]{32})"$'
mapfile -t mids < <(sed -nE "s/$mid_re/\\2 \\1/p" "$log_h")
mapfile -t bad_mids < <(grep -E '^#define KLPD_MID_' "$log_h" | grep -vE "$mid_re")
if [ ${#mids[@]} -eq 0 ]; then
	not_ok "daemon/log.h: found no KLPD_MID_* (has the code changed shape?)"
elif [ ${#bad_mids[@]} -ne 0 ]; then
	not_ok "daemon/log.h: a KLPD_MID_* is not 32 lowercase hex digits in quotes" \
		"${bad_mids[@]}"
else
	ok "daemon/log.h: ${#mids[@]} MESSAGE_IDs"
fi

mapfile -t dup_mids < <(printf '%s\n' "${mids[@]%% *}" | sort | uniq -d)
if [ ${#dup_mids[@]} -eq 0 ]; then
	ok "daemon/log.h: the MESSAGE_IDs are distinct"
else
	not_ok "daemon/log.h: MESSAGE_IDs used twice" "${dup_mids[@]}"
fi

entries=$(sed -n 's/^id //p' <<<"$parsed")
problems=()
for m in "${mids[@]}"; do
	n=$(grep -cx "${m%% *}" <<<"$entries")
	[ "$n" -eq 1 ] || problems+=("${m#* } (${m%% *}): $n entries")
done
if [ ${#problems[@]} -eq 0 ]; then
	ok "each MESSAGE_ID of daemon/log.h has one catalog entry"
else
	not_ok "MESSAGE_IDs of daemon/log.h without exactly one entry" "${problems[@]}"
fi

mapfile -t strays < <(grep -vxF -f <(printf '%s\n' "${mids[@]%% *}") <<<"$entries")
if [ ${#strays[@]} -eq 0 ]; then
	ok "each catalog entry is a MESSAGE_ID of daemon/log.h"
else
	not_ok "catalog entries for no MESSAGE_ID of daemon/log.h" "${strays[@]}"
fi

# systemd's own parser, where there is one: journalctl builds the catalog
# database of a scratch root from the file, and lists every entry.
if command -v journalctl >/dev/null 2>&1; then
	root=$(mktemp -d) || exit 99
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root/usr/lib/systemd/catalog"
	cp "$catalog" "$root/usr/lib/systemd/catalog/"
	if out=$(journalctl --root="$root" --update-catalog 2>&1); then
		listed=$(journalctl --root="$root" --list-catalog 2>&1 | cut -d' ' -f1 | sort)
		if [ "$listed" = "$(sort <<<"$entries")" ]; then
			ok "journalctl --update-catalog takes it, --list-catalog lists all $(wc -l <<<"$listed") entries"
		else
			mapfile -t d < <(diff <(sort <<<"$entries") - <<<"$listed")
			not_ok "journalctl --list-catalog lists other entries than the file has" "${d[@]}"
		fi
	else
		mapfile -t d <<<"$out"
		not_ok "journalctl --update-catalog refuses it" "${d[@]}"
	fi
else
	ok "journalctl --update-catalog # SKIP no journalctl here"
fi

echo "1..$(printf '%s\n' "${results[@]}" | grep -c '^\(not \)\?ok')"
printf '%s\n' "${results[@]}"
exit $failed
