#!/bin/bash
# Boot-time loading (LoadAtBoot=yes): at start klpd loads
# <dir>/<uname -r>/*.ko and <dir>/*.ko built for this kernel, in lexical
# order through Load's queue, and never a module twice. The crash-loop guard
# skips a module whose load record from another boot was left behind (the
# machine went down during that load), says so in the journal and in
# SkippedAtBoot, until it is loaded by hand or cleared (klpctl clear-skip).
# The kill switch (klpd.load=0 on the kernel command line) is unit-tested:
# this kernel's command line cannot be changed from here.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
B=$P/$(uname -r)
Bre=$(re_quote "$B") # as a regex
S=/var/lib/klpd/boot-loads
M=org.klpd.livepatch1.Manager
MID_SKIPPED=3d0f7e2a9b6c4e58a1f2c7d94b0e6a15
OTHER_BOOT=00000000-0000-4000-8000-000000000000
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
boot_loads() { journalctl -u klpd --since "$1" KLPD_ACTION=load -o cat | grep 'reason: LoadAtBoot'; }
_both_applied() { lp_exists klpt_cmdline && lp_exists klpt_version && _lp_settled klpt_cmdline && _lp_settled klpt_version; }
_version_applied() { lp_exists klpt_version && _lp_settled klpt_version; }

systemctl stop klpd
cleanup_modules
rm -f $S
mkdir -p $D $B
printf '[Daemon]\nLoadAtBoot=yes\n' >$D/47-test.conf
install -m 0644 "$KLPT_MODULES/klpt_version.ko" "$KLPT_MODULES/klpt_cmdline.ko" $B/

# --- both loaded at start, in lexical order, one transition after the other
since=$(date '+%Y-%m-%d %H:%M:%S')
check "restart klpd" systemctl restart klpd
wait_until 60 "both boot-time loads applied" _both_applied && ok "klpt_cmdline and klpt_version applied"
loads=$(boot_loads "$since")
check_eq "two boot-time loads logged" 2 "$(printf '%s\n' "$loads" | grep -c .)"
check_match "klpt_cmdline first" "^Loaded 'klpt_cmdline' from $Bre/klpt_cmdline\\.ko" "$(printf '%s\n' "$loads" | head -n 1)"
check_match "klpt_version second" "^Loaded 'klpt_version' from $Bre/klpt_version\\.ko" "$(printf '%s\n' "$loads" | sed -n 2p)"
check_eq "Source is the file" "s \"$B/klpt_version.ko\"" \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1/patch/klpt_5fversion org.klpd.livepatch1.Patch Source)"
wait_until 10 "the records dropped once the loads are over" sh -c "! test -e $S" && ok "no record left"
check_eq "SkippedAtBoot empty" "as 0" "$(mgr SkippedAtBoot)"

# --- a restart loads nothing twice
since=$(date '+%Y-%m-%d %H:%M:%S')
check "restart klpd again" systemctl restart klpd
check "klpd runs" systemctl is-active klpd
_not_loading() { [ "$(boot_loads "$since" | grep -c '^Not loading .* already loaded')" = 2 ]; }
wait_until 10 "both said to be loaded already" _not_loading && ok "both are loaded already: not loaded again"
check_eq "no boot-time load after the restart" 0 "$(boot_loads "$since" | grep -c '^Loaded')"

# --- the crash-loop guard: a record from another boot
systemctl stop klpd
cleanup_modules
printf '# left by a boot that went down\nklpt_cmdline %s\n' $OTHER_BOOT >$S
since=$(date '+%Y-%m-%d %H:%M:%S')
check "start klpd with a record from another boot" systemctl start klpd
wait_until 60 "klpt_version applied" _version_applied && ok "klpt_version loaded at boot"
check_fails "klpt_cmdline skipped" mod_loaded klpt_cmdline
_skip_logged() { journalctl -u klpd --since "$since" MESSAGE_ID=$MID_SKIPPED -o cat | grep -q .; }
wait_until 10 "the skip in the journal" _skip_logged
check_match "skip in the journal with its MESSAGE_ID" \
	"^Skipping $Bre/klpt_cmdline\\.ko at boot \\(reason: crash-loop guard\\).*boot $OTHER_BOOT" \
	"$(journalctl -u klpd --since "$since" MESSAGE_ID=$MID_SKIPPED KLPD_PATCH=klpt_cmdline KLPD_ACTION=skip -o cat)"
check_eq "SkippedAtBoot" 'as 1 "klpt_cmdline"' "$(mgr SkippedAtBoot)"
check_match "klpctl status shows it" "Skipped: klpt_cmdline" "$(klpctl status)"
check_match "klpctl --json status shows it" '"skipped_at_boot":\["klpt_cmdline"\]' "$(klpctl --json status)"
out=$(klpctl check)
check_eq "klpctl check: skipped at boot is 14" 14 "$?"
check_match "... naming the module" "^skipped-at-boot: klpt_cmdline\$" "$out"
check "the record stays" grep -q "^klpt_cmdline $OTHER_BOOT\$" $S

check "restart klpd: still skipped" systemctl restart klpd
check_fails "klpt_cmdline still not loaded" mod_loaded klpt_cmdline
check_eq "SkippedAtBoot after the restart" 'as 1 "klpt_cmdline"' "$(mgr SkippedAtBoot)"

# loading it by hand ends it
since=$(date '+%Y-%m-%d %H:%M:%S')
check "klpctl load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check_eq "SkippedAtBoot empty after the load by hand" "as 0" "$(mgr SkippedAtBoot)"
check "record removed" sh -c "! test -e $S"
_cleared_logged() { journalctl -u klpd --since "$since" KLPD_PATCH=klpt_cmdline -o cat | grep -q 'no longer skipped'; }
wait_until 10 "the end of the skipping in the journal" _cleared_logged
check_match "the journal says so" "klpt_cmdline' was loaded by hand: no longer skipped at boot" \
	"$(journalctl -u klpd --since "$since" KLPD_PATCH=klpt_cmdline -o cat)"

# clearing it without loading it: the next start loads it
systemctl stop klpd
cleanup_modules
printf 'klpt_cmdline %s\n' $OTHER_BOOT >$S
check "start klpd with the record again" systemctl start klpd
wait_until 60 "klpt_version applied" _version_applied
check_eq "skipped again" 'as 1 "klpt_cmdline"' "$(mgr SkippedAtBoot)"
out=$(setpriv --reuid=klpt-user --regid=klpt-user --clear-groups klpctl clear-skip klpt_cmdline 2>&1)
check_eq "clear-skip as a user: exit 4" 4 "$?"
check_eq "... and still skipped" 'as 1 "klpt_cmdline"' "$(mgr SkippedAtBoot)"
klpctl clear-skip klpt_version >/dev/null 2>&1
check_eq "clear-skip of a module that is not skipped: exit 3" 3 "$?"
klpctl clear-skip ../x >/dev/null 2>&1
check_eq "clear-skip of an invalid name: exit 2" 2 "$?"
since=$(date '+%Y-%m-%d %H:%M:%S')
check_match "klpctl clear-skip klpt_cmdline" "no longer skipped" "$(klpctl clear-skip klpt_cmdline 2>&1)"
check_eq "SkippedAtBoot empty after clear-skip" "as 0" "$(mgr SkippedAtBoot)"
check_fails "klpt_cmdline not loaded by clear-skip" mod_loaded klpt_cmdline
check "record removed by clear-skip" sh -c "! test -e $S"
_clear_logged() { journalctl -u klpd --since "$since" KLPD_ACTION=clear-skip KLPD_PATCH=klpt_cmdline -o cat | grep -q 'cleared by hand, not loaded'; }
wait_until 10 "clear-skip in the journal" _clear_logged && ok "clear-skip logged with KLPD_ACTION=clear-skip"
check "restart klpd" systemctl restart klpd
wait_until 60 "both boot-time loads applied" _both_applied && ok "the next start loads klpt_cmdline"

# --- a record from this boot: klpd itself went down during the load
systemctl stop klpd
cleanup_modules
printf 'klpt_cmdline %s\n' "$(cat /proc/sys/kernel/random/boot_id)" >$S
check "start klpd with a record from this boot" systemctl start klpd
wait_until 60 "both boot-time loads applied" _both_applied && ok "klpt_cmdline loaded again"
check_eq "nothing skipped" "as 0" "$(mgr SkippedAtBoot)"
wait_until 10 "the record dropped" sh -c "! test -e $S" && ok "no record left"

# --- a malformed record file is ignored, never a crash
systemctl stop klpd
echo 'klpt_cmdline yesterday' >$S
check "start with a malformed record file" systemctl start klpd
check "klpd runs" systemctl is-active klpd
check_eq "nothing skipped" "as 0" "$(mgr SkippedAtBoot)"

# --- the top of the patch directory: this kernel's modules, merged with the
# release's directory in lexical order of file names; the release's copy
# wins; a module for another kernel is passed over without an error.
systemctl stop klpd
cleanup_modules
rm -rf $B && mkdir -p $B
install -m 0644 "$KLPT_MODULES/klpt_version.ko" $B/
install -m 0644 "$KLPT_MODULES/klpt_version.ko" "$KLPT_MODULES/klpt_cmdline.ko" $P/
fake=$(uname -r | tr '0-8' '9')
cp "$KLPT_MODULES/klpt_replace.ko" $P/klpt_a_other.ko
LC_ALL=C sed -i "s/$(uname -r) SMP/$fake SMP/" $P/klpt_a_other.ko
check_eq "klpt_a_other.ko is for $fake" "$fake" "$(modinfo -F vermagic $P/klpt_a_other.ko | cut -d' ' -f1)"
since=$(date '+%Y-%m-%d %H:%M:%S')
check "start klpd" systemctl start klpd
wait_until 60 "both boot-time loads applied" _both_applied && ok "top-level and release modules applied"
loads=$(boot_loads "$since")
check_eq "two boot-time loads" 2 "$(printf '%s\n' "$loads" | grep -c '^Loaded')"
check_match "klpt_cmdline from the top, first" "^Loaded 'klpt_cmdline' from $P/klpt_cmdline.ko" "$(printf '%s\n' "$loads" | head -n 1)"
check_match "klpt_version from the release's directory" "^Loaded 'klpt_version' from $Bre/klpt_version\\.ko" "$(printf '%s\n' "$loads" | sed -n 2p)"
check_eq "the top's klpt_version not tried" 0 "$(journalctl -u klpd --since "$since" -o cat | grep -c "$P/klpt_version.ko")"
check_match "the other kernel's module passed over" "Not loading $P/klpt_a_other.ko at boot: .*built for another kernel" \
	"$(journalctl -u klpd --since "$since" -o cat)"
check_fails "klpt_replace (other kernel) not loaded" mod_loaded klpt_replace
check_eq "no error logged" "" "$(journalctl -u klpd --since "$since" -p err -o cat)"
systemctl stop klpd
cleanup_modules
rm -f $P/klpt_version.ko $P/klpt_cmdline.ko $P/klpt_a_other.ko

# --- klpctl install / uninstall: files in <first dir>/<uname -r>/
systemctl stop klpd
cleanup_modules
rm -rf $B
check "start klpd" systemctl start klpd
check "install klpt_cmdline" klpctl install "$KLPT_MODULES/klpt_cmdline.ko"
check_eq "installed root-owned 0644" "644 0 0" "$(stat -c '%a %u %g' $B/klpt_cmdline.ko)"
check "same bytes" cmp "$KLPT_MODULES/klpt_cmdline.ko" $B/klpt_cmdline.ko
check_eq "no temporary file left" "klpt_cmdline.ko" "$(ls -A $B)"
check "install again replaces it" klpctl install "$KLPT_MODULES/klpt_cmdline.ko"
check_match "--json install" "^\{\"patch\":\"klpt_version\",\"path\":\"$Bre/klpt_version\\.ko\",\"kernel_release\":\"$(re_quote "$(uname -r)")\"\}\$" \
	"$(klpctl --json install "$KLPT_MODULES/klpt_version.ko")"
out=$(klpctl install "$KLPT_MODULES/klpt_plain.ko" 2>&1)
check_eq "a module without livepatch=Y is refused: exit 4" 4 "$?"
check_match "... saying why" "is not a livepatch module" "$out"
check_fails "... and not installed" test -e $B/klpt_plain.ko
out=$(klpctl install /etc/hostname 2>&1)
check_eq "a file that is no module is refused: exit 4" 4 "$?"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups klpctl install "$KLPT_MODULES/klpt_cmdline.ko" 2>&1)
check_eq "install needs root: exit 4" 4 "$?"
check_match "... saying so" "must run as root" "$out"
check "klpctl load finds the installed module" klpctl load klpt_cmdline --wait --timeout 60s
check "uninstall klpt_cmdline" klpctl uninstall klpt_cmdline
check_fails "file removed" test -e $B/klpt_cmdline.ko
check "the module stays loaded" mod_loaded klpt_cmdline
klpctl uninstall klpt_cmdline >/dev/null 2>&1
check_eq "uninstall of nothing: exit 3" 3 "$?"
klpctl uninstall ../etc >/dev/null 2>&1
check_eq "uninstall of an invalid name: exit 2" 2 "$?"
check "uninstall klpt_version" klpctl uninstall klpt_version

# --- compressed modules: install keeps the suffix, Load finds the name
# (python3's lzma: the guest has no xz tool; klpd reads it through libkmod)
python3 -c 'import lzma, sys; open(sys.argv[2], "wb").write(lzma.compress(open(sys.argv[1], "rb").read(), check=lzma.CHECK_CRC32))' \
	"$KLPT_MODULES/klpt_version.ko" /tmp/klpt_version.ko.xz
check "install a .ko.xz" klpctl install /tmp/klpt_version.ko.xz
check_eq "installed as .ko.xz, alone" "klpt_version.ko.xz" "$(ls -A $B)"
check_match "inventory: installed for this kernel, not loaded" \
	"^klpt_version +$(re_quote "$(uname -r)")\* +- +$Bre/klpt_version\.ko\.xz\$" "$(klpctl --no-legend inventory)"
check_match "inventory --names" "^klpt_version\$" "$(klpctl inventory --names)"
check "load klpt_version by name: the .ko.xz" klpctl load klpt_version --wait --timeout 60s
check_eq "its source is the .ko.xz" "$B/klpt_version.ko.xz" "$(klpctl --json show klpt_version | jq -r .source)"
check_eq "inventory --json: loaded and applied" "true applied" \
	"$(klpctl --json inventory | jq -r '.modules[] | select(.name == "klpt_version") | "\(.loaded) \(.state)"')"
out=$(klpctl install "$KLPT_MODULES/klpt_version.ko")
check_eq "the .ko installed over it replaces the .ko.xz" "klpt_version.ko" "$(ls -A $B)"
check_match "... and says so" "Removed $Bre/klpt_version\.ko\.xz" "$out"
check "uninstall" klpctl uninstall klpt_version
check_eq "nothing left" "" "$(ls -A $B)"

# --- install --kernel: staged for the kernel the host boots next. A copy
# whose vermagic names another release (same length: the modinfo stays valid)
rel=$(uname -r)
next=9${rel:1}
python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d.replace(b"vermagic=" + sys.argv[3].encode(), b"vermagic=" + sys.argv[4].encode()))' \
	"$KLPT_MODULES/klpt_cmdline.ko" /tmp/klpt_cmdline.ko "$rel" "$next"
out=$(klpctl install /tmp/klpt_cmdline.ko 2>&1)
check_eq "a module for another kernel, without --kernel: exit 4" 4 "$?"
check_match "... pointing at --kernel" "built for another kernel .*--kernel KVER" "$out"
check "install --kernel $next" klpctl install --kernel "$next" /tmp/klpt_cmdline.ko
check "... into $P/$next/" test -f "$P/$next/klpt_cmdline.ko"
check_match "inventory: for $next, not for this kernel" "^klpt_cmdline +$(re_quote "$next") +- +$(re_quote "$P/$next")/klpt_cmdline\.ko\$" \
	"$(klpctl --no-legend inventory)"
out=$(klpctl load klpt_cmdline 2>&1)
check_eq "load by name does not take another kernel's file: exit 3" 3 "$?"
out=$(klpctl install --kernel "$next" "$KLPT_MODULES/klpt_cmdline.ko" 2>&1)
check_eq "install --kernel of a module for this kernel: exit 4" 4 "$?"
check_match "... saying which kernel was asked for" "asked for $(re_quote "$next")" "$out"
check "uninstall --kernel $next" klpctl uninstall --kernel "$next" klpt_cmdline
check_fails "... removed" test -e "$P/$next/klpt_cmdline.ko"
rm -rf "${P:?}/$next" /tmp/klpt_cmdline.ko /tmp/klpt_version.ko.xz

systemctl stop klpd
cleanup_modules
rm -rf $B
rm -f $S $D/47-test.conf
done_testing
