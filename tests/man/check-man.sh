#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages render without warnings and still describe the code:
#  - man(1) prints no warning for any page, and mandoc -T lint nothing down
#    to style level for any page of man/;
#  - each D-Bus interface has a section of its own in org.klpd.livepatch1(5);
#  - each sandbox directive klpd(8) names is as units/klpd.service sets it;
#    the bus policy lets only root call the Manager, as klpd(8) says;
#  - every D-Bus member (with its type and argument names), error name and
#    state string of the code is in org.klpd.livepatch1(5);
#  - every key klpd.conf accepts is in klpd.conf(5);
#  - every command, long option and JSON key of klpctl is in klpctl(1);
#    every long option and journal MESSAGE_ID of klpd is in klpd(8).
# Only the code -> page direction is checked: a page may describe more.
# Prints TAP. Run by `make check` with $top_srcdir set.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
man_dir=$top/man
pages=(klpd.8 klpctl.1 klpd.conf.5 org.klpd.livepatch1.5)

results=()
failed=0
ok() { results+=("ok - $1"); }
skip() { results+=("ok # SKIP $1"); }
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
# may span lines.
flat() {
	sed -e 's://.*$::' "$@" | tr '\n\t' '  ' | sed -e 's:/\*\([^*]\|\*[^/]\)*\*/: :g'
}

# check_words PAGE WHAT MODE FORMAT WORD...: each WORD, put into FORMAT (a
# printf format; "%s" for the word alone), must occur in PAGE's source, with
# runs of blanks taken as one space. MODE is F for a fixed string, E for an
# extended regular expression (the words themselves are plain names), T for
# an extended regular expression that must match the tag of a .TP entry (the
# line after ".TP"): where the page describes the thing, not only names it.
check_words() {
	local page=$1 what=$2 mode=$3 fmt=$4 missing=() needle
	shift 4
	if [ $# -eq 0 ]; then
		not_ok "$page: found no $what in the sources (has the code changed shape?)"
		return
	fi
	local text
	if [ "$mode" = T ]; then
		# roff's "\-" is the minus a command name like clear-skip needs
		text=$(sed -n '/^\.TP/{n;s/\\-/-/g;p;}' "$man_dir/$page" | tr -s ' \t' '  ')
		mode=E
	else
		text=$(tr -s ' \t' '  ' <"$man_dir/$page")
	fi
	for w in "$@"; do
		# shellcheck disable=SC2059
		needle=$(printf "$fmt" "$w")
		grep -q"$mode" -- "$needle" <<<"$text" || missing+=("$needle")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "$page: all $# $what"
	else
		not_ok "$page: ${#missing[@]} of $# $what missing" "${missing[@]/#/missing: }"
	fi
}

# --- 1. man(1) renders each page without a warning

have_man=yes
command -v man >/dev/null 2>&1 || have_man=no
command -v groff >/dev/null 2>&1 || have_man=no
for p in "${pages[@]}"; do
	if [ ! -f "$man_dir/$p" ]; then
		not_ok "$p: no such file in $man_dir"
		continue
	fi
	if [ $have_man = no ]; then
		if [ "${KLPD_REQUIRE_ALL:-0}" = 1 ]; then
			not_ok "$p: man(1) or groff is missing: apt-get install man-db groff-base"
		else
			skip "$p: man not installed (apt-get install man-db groff-base)"
		fi
		continue
	fi
	warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l "$man_dir/$p" 2>&1 >/dev/null)
	if [ -z "$warnings" ]; then
		ok "$p: man --warnings prints nothing"
	else
		mapfile -t lines <<<"$warnings"
		not_ok "$p: man --warnings complains" "${lines[@]}"
	fi
done

# --- 1b. mandoc -T lint finds nothing in any page of man/
#
# Every level down to "style" is reported (-W style) and each message fails,
# but for those in mandoc_accepted, "PAGE: LEVEL: MESSAGE" without the line:
# none yet at style level (mandoc 1.14.6 prints none for these pages), so a
# new one is looked at, not let through.
mandoc_accepted=()
if ! command -v mandoc >/dev/null 2>&1; then
	if [ "${KLPD_REQUIRE_ALL:-0}" = 1 ]; then
		not_ok "mandoc is missing: apt-get install mandoc"
	else
		skip "mandoc -T lint: mandoc not installed (apt-get install mandoc)"
	fi
else
	for f in "$man_dir"/*.[1-8]; do
		p=${f##*/}
		complaints=()
		while IFS= read -r line; do
			# "mandoc: DIR/PAGE:LINE:COL: LEVEL: MESSAGE"
			msg=$(sed -E 's/^mandoc: [^:]*:[0-9]+:[0-9]+: //' <<<"$line")
			accepted=no
			for a in "${mandoc_accepted[@]}"; do
				[ "$a" = "$p: $msg" ] && accepted=yes
			done
			[ $accepted = yes ] || complaints+=("${line#mandoc: "$man_dir"/}")
		done < <(mandoc -T lint -W style "$f" 2>&1)
		if [ ${#complaints[@]} -eq 0 ]; then
			ok "$p: mandoc -T lint -W style finds nothing"
		else
			not_ok "$p: mandoc -T lint -W style complains" "${complaints[@]}"
		fi
	done
fi

# --- 2. org.klpd.livepatch1(5) against daemon/bus-*.c and lib/dbus-names.h

bus_src=$(flat "$top"/daemon/bus-*.c)
vtable_re='SD_BUS_(WRITABLE_PROPERTY|PROPERTY|METHOD|METHOD_WITH_[A-Z_]+|SIGNAL|SIGNAL_WITH_[A-Z_]+) *\( *"[A-Za-z0-9_]+"'
mapfile -t members < <(grep -oE "$vtable_re" <<<"$bus_src" | sed -E 's/.*"(.*)"/\1/' | sort -u)
check_words org.klpd.livepatch1.5 "D-Bus members" E "(^|[^A-Za-z0-9_])%s([^A-Za-z0-9_]|$)" "${members[@]}"

# Properties with their type, as the page's interface listing writes them
# ("readonly as PinnedModules").
mapfile -t props < <(grep -oE 'SD_BUS_(WRITABLE_)?PROPERTY *\( *"[A-Za-z0-9_]+" *, *"[^"]+"' <<<"$bus_src" |
	sed -E 's/.*\( *"([^"]+)" *, *"([^"]+)"/\2 \1/' | sort -u)
check_words org.klpd.livepatch1.5 "properties with their types" F "readonly %s" "${props[@]}"

# Method and signal arguments: SD_BUS_ARGS("s", source, "t", flags) and
# SD_BUS_RESULT("o", patch) give "s source", "t flags", "o patch".
mapfile -t args < <(grep -oE 'SD_BUS_(ARGS|RESULT) *\(( *"[^"]*" *, *[A-Za-z_][A-Za-z0-9_]* *,?)+ *\)' <<<"$bus_src" |
	grep -oE '"[^"]*" *, *[A-Za-z_][A-Za-z0-9_]*' | sed -E 's/"([^"]*)" *, *(.*)/\1 \2/' | sort -u)
check_words org.klpd.livepatch1.5 "typed method and signal arguments" F "%s" "${args[@]}"

names_h=$top/lib/dbus-names.h
prefix=$(sed -nE 's/^#define KLPD_ERROR_PREFIX "([^"]+)".*/\1/p' "$names_h")
mapfile -t errors < <(sed -nE 's/^#define KLPD_ERROR_[A-Z_]+ KLPD_ERROR_PREFIX "([^"]+)".*/\1/p' "$names_h" |
	sed "s/^/$prefix/")
check_words org.klpd.livepatch1.5 "error names" F "%s" "${errors[@]}"

# The bus name, paths, interfaces and every state, target and "how" string.
mapfile -t strings < <(sed -nE 's/^#define KLPD_(BUS|[A-Z]+_PATH|[A-Z]+_INTERFACE|STATE_[A-Z]+|HOW_[A-Z]+|TARGET_[A-Z]+) "([^"]+)".*/\2/p' "$names_h")
check_words org.klpd.livepatch1.5 "names and state strings of lib/dbus-names.h" F "%s" "${strings[@]}"

# Each interface of lib/dbus-names.h has a section of its own, ".SH THE
# MANAGER INTERFACE" for org.klpd.livepatch1.Manager, and its listing
# ("interface NAME {") comes right under that heading, not under another
# interface's last subsection.
mapfile -t interfaces < <(sed -nE 's/^#define KLPD_[A-Z]+_INTERFACE "([^"]+)".*/\1/p' "$names_h")
[ ${#interfaces[@]} -gt 0 ] || not_ok "org.klpd.livepatch1.5: no interface in lib/dbus-names.h"
for i in "${interfaces[@]}"; do
	want=".SH THE ${i##*.} INTERFACE"
	want=${want^^}
	heading=$(awk -v i="interface $i {" '/^\.S[HS] /{ h = $0 } index($0, i) { print h; exit }' \
		"$man_dir/org.klpd.livepatch1.5")
	if [ "$heading" = "$want" ]; then
		ok "org.klpd.livepatch1.5: $i is listed under \"$want\""
	elif [ -z "$heading" ]; then
		not_ok "org.klpd.livepatch1.5: no listing \"interface $i {\""
	else
		not_ok "org.klpd.livepatch1.5: $i is listed under \"$heading\", not \"$want\""
	fi
done

mapfile -t pstates < <(grep -oE '\[PATCH_STATE_[A-Z]+\] *= *"[a-z]+"' "$top/daemon/state.c" | sed -E 's/.*"(.*)"/\1/')
check_words org.klpd.livepatch1.5 "patch states of daemon/state.c" E "^\\.B +%s$" "${pstates[@]}"

# --- 3. klpd.conf(5) against daemon/conf*.c, or conf/klpd.conf

# A parser names its sections and keys as string literals, in a table or in
# comparisons: every literal that looks like one ("StallTimeout", "Policy")
# must be documented as "Key=" or as a "[Section". The keys of the shipped
# conf/klpd.conf are checked always, so that a parser whose keys are not
# literals still leaves a check.
mapfile -t conf_keys < <(sed -nE 's/^#? *([A-Z][A-Za-z0-9]+)=.*/\1/p' "$top/conf/klpd.conf" | sort -u)
check_words klpd.conf.5 "keys of conf/klpd.conf" T "^\\.B[IR]? +%s=" "${conf_keys[@]}"
mapfile -t conf_sections < <(sed -nE 's/^#? *\[([A-Za-z]+)(:[^]]*)?\].*/\1/p' "$top/conf/klpd.conf" | sort -u)
check_words klpd.conf.5 "sections of conf/klpd.conf" F "[%s" "${conf_sections[@]}"

config_src=$(flat "$top"/daemon/conf*.c "$top"/daemon/config-snapshot.c)
mapfile -t literals < <(grep -oE '"[A-Z][A-Za-z0-9]*"' <<<"$config_src" | tr -d '"' | sort -u)
if [ ${#literals[@]} -eq 0 ]; then
	ok "klpd.conf.5: daemon/conf*.c names no key yet # SKIP no parser: only conf/klpd.conf checked"
else
	missing=()
	text=$(cat "$man_dir/klpd.conf.5")
	tags=$(sed -n '/^\.TP/{n;p;}' "$man_dir/klpd.conf.5")
	for k in "${literals[@]}"; do
		# a key is the tag of its entry; a section has a heading of its own
		grep -qE -- "^\.B[IR]? +$k=" <<<"$tags" || grep -qE -- "^\.SH \"?\[$k" <<<"$text" ||
			missing+=("$k")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		ok "klpd.conf.5: all ${#literals[@]} sections and keys of daemon/conf*.c"
	else
		not_ok "klpd.conf.5: ${#missing[@]} sections or keys of daemon/conf*.c missing" \
			"${missing[@]/#/missing: }"
	fi
fi

# --- 4. klpctl(1) and klpd(8) against the programs

klpctl_src=$(flat "$top"/client/*.c)
# The entries of "static const struct command commands[] = { ... };".
table=$(grep -oE 'struct command commands\[\] *= *\{.*' <<<"$klpctl_src" | sed -E 's/\} *; .*//')
mapfile -t commands < <(grep -oE '\{ *"[a-z][a-z-]*" *,' <<<"$table" | sed -E 's/\{ *"(.*)".*/\1/')
# Each command is the tag of an entry: ".B status", ".BI show " NAME"".
check_words klpctl.1 "klpctl commands" T '^\\.BI? +"?%s( |"|$)' "${commands[@]}"

long_options() {
	grep -oE '\{ *"[a-z][a-z-]*" *, *(no|required|optional)_argument' <<<"$1" | sed -E 's/\{ *"([^"]+)".*/\1/' | sed 's/-/\\-/g'
}
mapfile -t klpctl_opts < <(long_options "$klpctl_src")
check_words klpctl.1 "klpctl long options" F '\\-\\-%s' "${klpctl_opts[@]}"

# JSON keys as klpctl prints them: json_string(&j, "name", ...)
mapfile -t json_keys < <(grep -oE 'json_[a-z_]+\( *&?[a-z]+ *, *"[a-z_]+"' <<<"$klpctl_src" | sed -E 's/.*"([a-z_]+)"$/\1/' | sort -u)
check_words klpctl.1 "JSON keys of klpctl" F '"%s"' "${json_keys[@]}"

klpd_src=$(flat "$top/daemon/main.c")
mapfile -t klpd_opts < <(long_options "$klpd_src")
check_words klpd.8 "klpd long options" F '\\-\\-%s' "${klpd_opts[@]}"

mapfile -t mids < <(sed -nE 's/^#define KLPD_MID_[A-Z_]+ "([0-9a-f]{32})".*/\1/p' "$top/daemon/log.h")
check_words klpd.8 "journal MESSAGE_IDs" F "%s" "${mids[@]}"

# --- 5. klpd(8)'s Sandbox section against units/klpd.service.in
#
# Every unit directive the section names ("Name=", or "Name=value") is one
# the unit sets, to that value when the page gives one; those named in the
# paragraph that says the unit "does not set" them are set nowhere in it.
# Keys of klpd.conf the section names (MetricsFile=) are no unit directives.
unit=$top/units/klpd.service.in
sandbox=$(sed -n '/^\.SS Sandbox$/,/^\.S[SH] /{/^\.S[SH] /!p;}' "$man_dir/klpd.8" |
	sed -e 's/\\%//g' -e 's/\\-/-/g')
if [ -z "$sandbox" ]; then
	not_ok "klpd.8: no Sandbox section"
else
	set_wrong=() unset_wrong=() n=0
	# one paragraph a line; "!" before the words of the "does not set" one
	while IFS= read -r para; do
		neg=no
		[[ $para == *"does not set"* ]] && neg=yes
		while IFS= read -r d; do
			key=${d%%=*} value=${d#*=}
			grep -qE "^#? *$key=" "$top/conf/klpd.conf" && continue
			n=$((n + 1))
			if [ $neg = yes ]; then
				grep -qE "^$key=" "$unit" && unset_wrong+=("$key= is set in the unit")
			elif ! grep -qE "^$key=" "$unit"; then
				set_wrong+=("$key= is not set in the unit")
			elif [ -n "$value" ] && ! grep -qE "^$key=(.* )?$value( |$)" "$unit"; then
				set_wrong+=("$key=$value: the unit has $(grep -E "^$key=" "$unit")")
			fi
		done < <(grep -oE '(^|[^A-Za-z])[A-Z][A-Za-z]+=[A-Za-z0-9@_/-]*' <<<"$para" | sed -E 's/^[^A-Z]//')
	done < <(awk '/^\.(PP|TP|IP)/ { if (p != "") print p; p = ""; next } { p = p " " $0 } END { print p }' <<<"$sandbox")
	if [ $n -eq 0 ]; then
		not_ok "klpd.8: the Sandbox section names no directive (has the page changed shape?)"
	elif [ ${#set_wrong[@]} -eq 0 ] && [ ${#unset_wrong[@]} -eq 0 ]; then
		ok "klpd.8: all $n directives of the Sandbox section are as units/klpd.service sets them"
	else
		not_ok "klpd.8: the Sandbox section does not say what units/klpd.service sets" \
			"${set_wrong[@]}" "${unset_wrong[@]}"
	fi
fi

# klpd(8) says the bus policy lets only root call the Manager: the default
# context of units/org.klpd.livepatch1.conf.in may send to klpd only with a
# send_interface, never the Manager's.
policy=$top/units/org.klpd.livepatch1.conf.in
manager_if=$(sed -nE 's/^#define KLPD_MANAGER_INTERFACE "([^"]+)".*/\1/p' "$names_h")
page_text=$(tr -s ' \n' '  ' <"$man_dir/klpd.8" | sed -e 's/\\-/-/g')
if [[ $page_text != *"lets only root send to the .B $manager_if"* ]]; then
	not_ok "klpd.8: no \"lets only root send to the $manager_if\" (has the page changed shape?)"
else
	mapfile -t open_sends < <(sed -n '/<policy context="default">/,/<\/policy>/p' "$policy" |
		tr -s ' \n\t' '   ' | grep -oE '<allow [^>]*send_destination="[^"]*"[^>]*>' |
		grep -vE 'send_interface="[^"]+"' )
	mapfile -t manager_sends < <(grep -F "send_interface=\"$manager_if\"" < <(
		sed -n '/<policy context="default">/,/<\/policy>/p' "$policy"))
	if [ ${#open_sends[@]} -eq 0 ] && [ ${#manager_sends[@]} -eq 0 ]; then
		ok "klpd.8: only root may send to $manager_if, as units/org.klpd.livepatch1.conf.in says"
	else
		not_ok "klpd.8 says only root may send to $manager_if, but the bus policy's default context allows" \
			"${open_sends[@]}" "${manager_sends[@]}"
	fi
fi

echo "1..$(grep -c '^\(not \)\?ok' < <(printf '%s\n' "${results[@]}"))"
printf '%s\n' "${results[@]}"
exit $failed
