#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The interface XML files of dbus/ describe the vtables of the code:
#  - each file holds the one interface its name says, and its tags are
#    balanced;
#  - the interface, one canonical line per element (tests/vm/guest/
#    xml-canon.awk), equals what sd-bus would give for the vtable of
#    daemon/bus-*.c: the same members in the same order, argument names,
#    types and directions, property access and annotations.
# The man page is checked against the code by tests/man/check-man.sh, so
# with this it covers every member of the XML too. The VM scenario
# 54-introspection.sh compares the files with the live Introspect().
# Prints TAP. Run by `make check` with $top_srcdir set.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
canon=$top/tests/vm/guest/xml-canon.awk

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

# C source with the comments removed and every line joined: a vtable entry
# spans lines.
flat() {
	sed -e 's://.*$::' "$@" | tr '\n\t' '  ' | sed -e 's:/\*\([^*]\|\*[^/]\)*\*/: :g'
}

# vtable_canon INTERFACE: reads the flattened C of a vtable (from its "{"
# to SD_BUS_VTABLE_END) and prints the canonical lines of the <interface>
# element sd-bus's introspection writes for it (sd-bus's introspect.c: the
# arguments of a method, in then out, then its annotations; EmitsChangedSignal
# only where it is not "true"; Privileged where a method or writable property
# lacks SD_BUS_VTABLE_UNPRIVILEGED).
vtable_canon() {
	awk -v iface="$1" '
	# The text from the "(" at position P of S to its matching ")".
	function group(s, p,    d, i, c) {
		d = 0
		for (i = p; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "(") d++
			else if (c == ")" && --d == 0)
				return substr(s, p + 1, i - p - 1)
		}
		return ""
	}
	# Split S at its top-level commas into A[1..n]; returns n.
	function args(s, a,    n, d, i, c, cur, q) {
		n = 0; d = 0; cur = ""; q = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\"") q = !q
			if (!q && c == "(") d++
			if (!q && c == ")") d--
			if (!q && d == 0 && c == ",") {
				a[++n] = trim(cur); cur = ""
			} else
				cur = cur c
		}
		if (trim(cur) != "")
			a[++n] = trim(cur)
		return n
	}
	function trim(s) { gsub(/^ +| +$/, "", s); return s }
	function unquote(s) { s = trim(s); gsub(/^"|"$/, "", s); return s }
	# SD_BUS_ARGS("s", a, "t", b) or SD_BUS_RESULT(...) or SD_BUS_NO_*:
	# one arg line each, with DIR (empty for signals).
	function named(s, dir,    a, n, i) {
		if (s ~ /^SD_BUS_NO_(ARGS|RESULT)$/)
			return
		if (s !~ /^SD_BUS_(ARGS|RESULT) *\(/) {
			bad("arguments " s)
			return
		}
		n = args(group(s, index(s, "(")), a)
		for (i = 1; i + 1 <= n; i += 2)
			print "  arg " (dir != "" ? "direction=\"" dir "\" " : "") \
				"name=\"" trim(a[i + 1]) "\" type=\"" unquote(a[i]) "\""
	}
	# An unnamed signature "sa(uss)": one arg line per complete type.
	function unnamed(sig, dir,    i, c, d, cur) {
		sig = unquote(sig)
		if (sig == "NULL")
			return
		d = 0; cur = ""
		for (i = 1; i <= length(sig); i++) {
			c = substr(sig, i, 1)
			cur = cur c
			if (c == "(" || c == "{") d++
			if (c == ")" || c == "}") d--
			if (d == 0 && c != "a") {
				print "  arg " (dir != "" ? "direction=\"" dir "\" " : "") "type=\"" cur "\""
				cur = ""
			}
		}
	}
	function has(flags, f) {
		gsub(/[|()]/, " ", flags)
		return index(" " flags " ", " SD_BUS_VTABLE_" f " ")
	}
	function annotation(name, value) {
		print "  annotation name=\"" name "\" value=\"" value "\""
	}
	function annotations(kind, flags) {
		if (has(flags, "DEPRECATED"))
			annotation("org.freedesktop.DBus.Deprecated", "true")
		if (kind == "method" && has(flags, "METHOD_NO_REPLY"))
			annotation("org.freedesktop.DBus.Method.NoReply", "true")
		if (kind == "property") {
			if (has(flags, "PROPERTY_EXPLICIT"))
				annotation("org.freedesktop.systemd1.Explicit", "true")
			if (has(flags, "PROPERTY_CONST"))
				annotation("org.freedesktop.DBus.Property.EmitsChangedSignal", "const")
			else if (has(flags, "PROPERTY_EMITS_INVALIDATION"))
				annotation("org.freedesktop.DBus.Property.EmitsChangedSignal", "invalidates")
			else if (!has(flags, "PROPERTY_EMITS_CHANGE"))
				annotation("org.freedesktop.DBus.Property.EmitsChangedSignal", "false")
		}
		if ((kind == "method" || writable) && !has(flags, "UNPRIVILEGED"))
			annotation("org.freedesktop.systemd1.Privileged", "true")
	}
	function bad(what) {
		print "vtable: cannot read " what > "/dev/stderr"
		status = 1
	}
	{
		print "interface name=\"" iface "\""
		s = $0
		re = "SD_BUS_(VTABLE_START|WRITABLE_PROPERTY|PROPERTY|METHOD_WITH_ARGS|METHOD|SIGNAL_WITH_ARGS|SIGNAL|[A-Z_]+) *[(]"
		while (match(s, re)) {
			macro = substr(s, RSTART, RLENGTH)
			sub(/ *[(]$/, "", macro)
			body = group(s, RSTART + RLENGTH - 1)
			s = substr(s, RSTART + RLENGTH + length(body))
			n = args(body, a)
			writable = 0
			if (macro == "SD_BUS_VTABLE_START") {
				if (trim(body) != "0")
					bad("SD_BUS_VTABLE_START(" body "): only 0 is known here")
			} else if (macro == "SD_BUS_PROPERTY" || macro == "SD_BUS_WRITABLE_PROPERTY") {
				writable = macro == "SD_BUS_WRITABLE_PROPERTY"
				if (has(a[n], "HIDDEN")) continue
				print " property access=\"" (writable ? "readwrite" : "read") "\" name=\"" \
					unquote(a[1]) "\" type=\"" unquote(a[2]) "\""
				annotations("property", a[n])
			} else if (macro == "SD_BUS_METHOD_WITH_ARGS") {
				if (has(a[n], "HIDDEN")) continue
				print " method name=\"" unquote(a[1]) "\""
				named(a[2], "in")
				named(a[3], "out")
				annotations("method", a[n])
			} else if (macro == "SD_BUS_METHOD") {
				if (has(a[n], "HIDDEN")) continue
				print " method name=\"" unquote(a[1]) "\""
				unnamed(a[2], "in")
				unnamed(a[3], "out")
				annotations("method", a[n])
			} else if (macro == "SD_BUS_SIGNAL_WITH_ARGS") {
				if (has(a[n], "HIDDEN")) continue
				print " signal name=\"" unquote(a[1]) "\""
				named(a[2], "")
				annotations("signal", a[n])
			} else if (macro == "SD_BUS_SIGNAL") {
				if (has(a[n], "HIDDEN")) continue
				print " signal name=\"" unquote(a[1]) "\""
				unnamed(a[2], "")
				annotations("signal", a[n])
			} else
				bad(macro "(" body ")")
		}
		exit status
	}'
}

# check_interface INTERFACE SOURCE VTABLE: dbus/INTERFACE.xml against the
# array VTABLE of SOURCE.
check_interface() {
	local iface=$1 src=$top/$2 vtable=$3 xml=$top/dbus/$1.xml c_text expected actual
	if [ ! -f "$xml" ]; then
		not_ok "dbus/$iface.xml: no such file"
		return
	fi
	local n
	n=$(grep -c '<interface[ >]' "$xml")
	if [ "$n" = 1 ]; then
		ok "dbus/$iface.xml: one interface"
	else
		not_ok "dbus/$iface.xml: $n interfaces, not 1"
	fi

	c_text=$(flat "$src" | grep -oE "$vtable\\[\\] *= *\\{.*" | sed -E 's/SD_BUS_VTABLE_END.*//')
	if [ -z "$c_text" ]; then
		not_ok "$2: found no $vtable[] (has the code changed shape?)"
		return
	fi
	if ! expected=$(vtable_canon "$iface" <<<"$c_text" 2>&1); then
		mapfile -t lines <<<"$expected"
		not_ok "$2: cannot read $vtable[]" "${lines[@]}"
		return
	fi
	if ! actual=$(awk -v iface="$iface" -f "$canon" "$xml" 2>&1); then
		mapfile -t lines <<<"$actual"
		not_ok "dbus/$iface.xml: cannot read it" "${lines[@]}"
		return
	fi
	if [ "$expected" = "$actual" ]; then
		ok "dbus/$iface.xml matches $vtable[] of $2 ($(grep -c '^ [a-z]' <<<"$expected") members)"
	else
		mapfile -t lines < <(diff -u --label "$vtable[] of $2" --label "dbus/$iface.xml" \
			<(printf '%s\n' "$expected") <(printf '%s\n' "$actual"))
		not_ok "dbus/$iface.xml differs from $vtable[] of $2" "${lines[@]}"
	fi
}

check_interface org.klpd.livepatch1.Manager daemon/bus-manager.c manager_vtable
check_interface org.klpd.livepatch1.Patch daemon/bus-patch.c patch_vtable

echo "1..$(printf '%s\n' "${results[@]}" | grep -c '^\(not \)\?ok')"
printf '%s\n' "${results[@]}"
exit $failed
