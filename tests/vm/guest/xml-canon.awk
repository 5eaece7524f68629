# SPDX-License-Identifier: GPL-2.0-or-later
# D-Bus introspection XML to one canonical line per element, so that two
# documents that differ only in layout compare equal with diff(1):
#   awk -f xml-canon.awk [-v iface=NAME] FILE...
# Each element becomes its name and its attributes sorted by name, written
# name="value", indented by one space per level; "<a/>" and "<a></a>" are
# the same. Comments, <?...?> and <!DOCTYPE> go; text other than blanks is
# kept as a line of its own. With iface=NAME only that <interface> element is
# printed, from level 0, and the exit status is 1 if there is none. A tag
# that is not closed, or closed by another name, is an error (status 2).
# Plain POSIX awk: the VM guest has mawk and no XML tools.

function emit(line,    i, pad) {
	if (iface != "" && !inside)
		return
	pad = ""
	for (i = base; i < depth; i++)
		pad = pad " "
	print pad line
}

# The attributes of S as sorted name="value" words.
function attributes(s,    n, k, i, j, t, name, value, out, a) {
	n = 0
	while (match(s, /[A-Za-z_:][-A-Za-z0-9_:.]*[ \t]*=[ \t]*("[^"]*"|'[^']*')/)) {
		t = substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
		k = index(t, "=")
		name = substr(t, 1, k - 1)
		sub(/[ \t]+$/, "", name)
		value = substr(t, k + 1)
		sub(/^[ \t]+/, "", value)
		a[++n] = name "=\"" substr(value, 2, length(value) - 2) "\""
	}
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--)
			a[j + 1] = a[j]
		a[j + 1] = t
	}
	out = ""
	for (i = 1; i <= n; i++)
		out = out " " a[i]
	return out
}

function text(s) {
	gsub(/[ \t]+/, " ", s)
	sub(/^ /, "", s)
	sub(/ $/, "", s)
	if (s != "")
		emit("\"" s "\"")
}

BEGIN { RS = "<"; depth = 0; inside = 0; found = 0 }

{
	gsub(/[\r\n]/, " ")
	if (in_comment) {
		# a comment may hold "<": it ends at the first "-->"
		k = index($0, "-->")
		if (!k)
			next
		in_comment = 0
		text(substr($0, k + 3))
		next
	}
	if (NR == 1) {
		text($0)
		next
	}
	if (substr($0, 1, 3) == "!--") {
		k = index(substr($0, 4), "-->")
		if (!k) {
			in_comment = 1
			next
		}
		text(substr($0, k + 6))
		next
	}
	k = index($0, ">")
	if (!k) {
		print "xml-canon: unterminated tag <" $0 > "/dev/stderr"
		bad = 1
		exit 2
	}
	tag = substr($0, 1, k - 1)
	rest = substr($0, k + 1)
	if (tag ~ /^[?!]/) {
		text(rest)
		next
	}
	if (substr(tag, 1, 1) == "/") {
		name = substr(tag, 2)
		sub(/[ \t]+$/, "", name)
		if (depth == 0 || open[depth - 1] != name) {
			print "xml-canon: </" name "> closes " (depth ? "<" open[depth - 1] ">" : "nothing") > "/dev/stderr"
			bad = 1
			exit 2
		}
		depth--
		if (inside && depth == base)
			inside = 0
		text(rest)
		next
	}
	closed = sub(/\/[ \t]*$/, "", tag)
	name = tag
	sub(/[ \t].*/, "", name)
	attrs = attributes(substr(tag, length(name) + 1))
	if (iface != "" && !inside && name == "interface" && index(attrs, " name=\"" iface "\"")) {
		inside = 1
		found = 1
		base = depth
	}
	emit(name attrs)
	open[depth++] = name
	if (closed) {
		depth--
		if (inside && depth == base)
			inside = 0
	}
	text(rest)
}

END {
	if (bad)
		exit 2
	if (in_comment || depth) {
		print "xml-canon: the document ends inside " (in_comment ? "a comment" : "<" open[depth - 1] ">") > "/dev/stderr"
		exit 2
	}
	if (iface != "" && !found) {
		print "xml-canon: no <interface name=\"" iface "\">" > "/dev/stderr"
		exit 1
	}
}
