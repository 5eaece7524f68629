# Sourced by the VM rig: where the system's own apt sources fetch Debian from.
# The rig names no mirror of its own; KLPD_VM_MIRROR overrides what is found.

# apt_mirror SUITE: the first URI of /etc/apt/sources.list{,.d/*.list,.d/*.sources}
# that serves SUITE with "deb" lines, without a trailing slash; nothing if none.
apt_mirror() {
	local suite=$1 f
	{
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			# deb [options] URI SUITE COMPONENT...
			awk -v s="$suite" '$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if ($(i + 1) == s) print $i
			}' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			# deb822 paragraphs: Types:, URIs:, Suites: (several words each)
			awk -v s="$suite" '
			function flush() {
				if (deb && uri != "" && has) print uri
				deb = 0; uri = ""; has = 0
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) has = 1 }
			END { flush() }' "$f"
		done
	} | sed -n '1{s|/*$||;p}'
}
