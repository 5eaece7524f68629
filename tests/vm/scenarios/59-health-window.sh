#!/bin/bash
# vm: matrix
# The health window: a patch whose code makes the kernel WARN in its window
# is marked faulty and, with OnKernelWarning=revert, disabled; with report
# it stays. HealthAttribution=stack does not blame a patch for a WARN of
# another module, window does. The faulty mark survives a restart of klpd
# and keeps the module from loading at boot until cleared; a quiet window
# accepts a patch, a restart keeps an open window, and LoadAtBoot=accepted
# loads only accepted patches.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
B=$P/$(uname -r)
H=/var/lib/klpd/health
C=$D/59-test.conf
PROM=/run/klpd-59.prom
M=org.klpd.livepatch1.Manager
MID_FAULTY=bc1f4203a0ba415ea4474244f0189240
MID_ACCEPTED=6a0d2e91c4b84f7d8e13a5c2f9b07d64
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
incidents() { # KIND BLAMED: the metric's value, 0 when absent
	local v
	v=$(grep "^klpd_kernel_incidents_total{kind=\"$1\",blamed=\"$2\"} " $PROM 2>/dev/null | cut -d' ' -f2)
	echo "${v:-0}"
}
_incidents_above() { [ "$(incidents "$1" "$2")" -gt "$3" ]; }
conf() { # the [Policy] and the rest of the drop-in
	printf '[Daemon]\nLoadAtBoot=%s\nMetricsFile=%s\n[Policy]\nUnloadDelay=1s\n%s\n' "$1" $PROM "$2" >$C
}

systemctl stop klpd
cleanup_modules
rm -f $H
mkdir -p $D $B
install -m 0644 "$KLPT_MODULES/klpt_warn.ko" "$KLPT_MODULES/klpt_cmdline.ko" \
	"$KLPT_MODULES/klpt_version.ko" $B/

# --- OnKernelWarning=revert: the patch's own code WARNs, it is disabled
conf no $'HealthWindow=1h\n[Patch:klpt_warn]\nOnKernelWarning=revert'
check "start klpd" systemctl start klpd
klpctl monitor >/tmp/monitor59.log 2>&1 &
mon=$!
sleep 0.3
check "klpctl load klpt_warn --wait" klpctl load klpt_warn --wait
wait_until 10 "Health watching" _patch_health_is klpt_warn watching && ok "klpt_warn is watched"
check_match "klpctl show says watching" "Health: watching" "$(klpctl show klpt_warn)"
since=$(date '+%Y-%m-%d %H:%M:%S')
check_match "the patched function runs" "klpt_warn: patched" "$(cat /proc/cmdline)"
check_match "the kernel logged a WARNING naming klpt_warn" "klpt_warn" \
	"$(journalctl -k --since "$since" -o cat | grep -m1 -E 'WARNING|RIP')"
wait_until 20 "klpt_warn disabled by klpd" _lp_gone klpt_warn && ok "the faulty patch was disabled"
wait_until 20 "klpt_warn's module unloaded" _mod_gone klpt_warn && ok "...and its module removed"
check_match "journal: the incident blamed on klpt_warn" "Kernel incident \\(warning\\) blamed on livepatch 'klpt_warn'.*disabling it" \
	"$(journalctl -u klpd --since "$since" MESSAGE_ID=$MID_FAULTY -o cat | tr '\n' ' ')"
check_match "journal: with the report's first line" "WARNING" \
	"$(journalctl -u klpd --since "$since" MESSAGE_ID=$MID_FAULTY -o cat)"
check_match "KernelIncident signal" "KernelIncident klpt_warn warning" "$(cat /tmp/monitor59.log)"
check_match "PolicyApplied revert" "PolicyApplied klpt_warn revert" "$(cat /tmp/monitor59.log)"
check_match "marked faulty in the state directory" "^klpt_warn faulty [0-9]+ warning$" "$(cat $H)"
check_match "SkippedAtBoot lists it" '"klpt_warn"' "$(mgr SkippedAtBoot)"
wait_until 10 "metric blamed=yes" _incidents_above warning yes 0 && ok "klpd_kernel_incidents_total counts it as blamed"
check_match "klpd_faulty_modules 1" "^klpd_faulty_modules 1$" "$(cat $PROM)"

# --- the mark survives a restart, and boot-time loading skips the module
conf yes 'HealthWindow=1h'
since=$(date '+%Y-%m-%d %H:%M:%S')
check "restart klpd with LoadAtBoot=yes" systemctl restart klpd
wait_until 60 "the other two loaded at boot" sh -c "$(declare -f _lp_applied lp_exists lp_enabled _lp_settled lp_transition sysfs_read); KLP_SYSFS=$KLP_SYSFS; _lp_applied klpt_cmdline && _lp_applied klpt_version" &&
	ok "klpt_cmdline and klpt_version loaded at boot"
check_fails "klpt_warn not loaded at boot" mod_loaded klpt_warn
check_match "journal: skipped as faulty" "Skipping $(re_quote "$B")/klpt_warn\\.ko at boot \\(reason: faulty\\)" \
	"$(journalctl -u klpd --since "$since" KLPD_PATCH=klpt_warn -o cat)"
check_match "still in SkippedAtBoot" '"klpt_warn"' "$(mgr SkippedAtBoot)"
check_match "klpctl check: 14, skipped at boot" "^14$" "$(klpctl check >/dev/null 2>&1; echo $?)"
check "klpctl clear-skip klpt_warn" klpctl clear-skip klpt_warn
check_eq "SkippedAtBoot empty" "as 0" "$(mgr SkippedAtBoot)"
check_fails "no faulty mark left" grep -q '^klpt_warn ' $H
check_eq "clear-skip again: not skipped (exit 3)" 3 "$(klpctl clear-skip klpt_warn >/dev/null 2>&1; echo $?)"
cleanup_modules

# --- OnKernelWarning=report: marked faulty, left enabled
conf no $'HealthWindow=1h\nOnKernelWarning=report'
check "restart klpd" systemctl restart klpd
check "klpctl load klpt_warn --wait" klpctl load klpt_warn --wait
wait_until 10 "Health watching" _patch_health_is klpt_warn watching
cat /proc/cmdline >/dev/null
wait_until 20 "Health faulty" _patch_health_is klpt_warn faulty && ok "reported: faulty"
sleep 2
check "...and still enabled" _lp_applied klpt_warn
check_match "klpctl show: faulty" "Health: faulty" "$(klpctl show klpt_warn)"
check_match "klpctl status --json: health faulty" '"health":"faulty"' "$(klpctl status --json=short)"
check "klpctl disable klpt_warn --wait" klpctl disable klpt_warn --wait
cleanup_modules
check "klpctl clear-skip klpt_warn" klpctl clear-skip klpt_warn

# --- stack: a WARN of another module blames no patch; window: the newest
conf no 'HealthWindow=1h'
check "restart klpd" systemctl restart klpd
check "klpctl load klpt_cmdline --wait" klpctl load klpt_cmdline --wait
wait_until 10 "klpt_cmdline watched" _patch_health_is klpt_cmdline watching
wait_until 10 "metrics written" test -s $PROM
before=$(incidents warning no)
check "insmod klpt_warner (it WARNs)" insmod "$KLPT_MODULES/klpt_warner.ko"
wait_until 20 "an unblamed WARNING counted" _incidents_above warning no "$before" &&
	ok "the WARNING was seen and blamed on nobody"
check "HealthAttribution=stack: klpt_cmdline still watched" _patch_health_is klpt_cmdline watching
check_match "KernelIncident with no patch" "KernelIncident - warning" \
	"$(cat /tmp/monitor59.log)"
check "rmmod klpt_warner" rmmod klpt_warner
conf no $'HealthWindow=1h\nHealthAttribution=window'
check "systemctl reload klpd" systemctl reload klpd
check "insmod klpt_warner again" insmod "$KLPT_MODULES/klpt_warner.ko"
wait_until 20 "klpt_cmdline faulty" _patch_health_is klpt_cmdline faulty &&
	ok "HealthAttribution=window: blamed on the newest patch in its window"
check_match "journal says why" "the newest patch, HealthAttribution=window" \
	"$(journalctl -u klpd KLPD_PATCH=klpt_cmdline MESSAGE_ID=$MID_FAULTY -o cat)"
check "rmmod klpt_warner" rmmod klpt_warner
check "klpctl clear-skip klpt_cmdline" klpctl clear-skip klpt_cmdline

# --- a restart keeps an open window where it was
check "klpctl load klpt_version --wait" klpctl load klpt_version --wait
wait_until 10 "klpt_version watched" _patch_health_is klpt_version watching
s1=$(patch_get klpt_version HealthSince)
check "restart klpd" systemctl restart klpd
wait_until 10 "klpt_version watched after the restart" _patch_health_is klpt_version watching &&
	ok "still watching after a restart"
check_eq "HealthSince unchanged" "$s1" "$(patch_get klpt_version HealthSince)"

# --- a quiet window accepts; LoadAtBoot=accepted loads only accepted ones
conf no $'HealthWindow=1h\n[Patch:klpt_version]\nHealthWindow=5s'
check "systemctl reload klpd (a 5 s window)" systemctl reload klpd
wait_until 20 "klpt_version accepted" _patch_health_is klpt_version accepted && ok "accepted after a quiet window"
check_match "journal: accepted" "accepted" \
	"$(journalctl -u klpd KLPD_PATCH=klpt_version MESSAGE_ID=$MID_ACCEPTED -o cat)"
check_match "recorded" "^klpt_version accepted [0-9]+$" "$(cat $H)"
systemctl stop klpd
cleanup_modules
conf accepted 'HealthWindow=1h'
since=$(date '+%Y-%m-%d %H:%M:%S')
check "start klpd with LoadAtBoot=accepted" systemctl start klpd
wait_until 60 "klpt_version loaded at boot" _lp_applied klpt_version && ok "the accepted patch loaded at boot"
sleep 2
check_fails "klpt_cmdline (never accepted) not loaded" mod_loaded klpt_cmdline
check_fails "klpt_warn (never accepted) not loaded" mod_loaded klpt_warn
check_match "journal: never accepted" "Not loading $(re_quote "$B")/klpt_cmdline\\.ko at boot \\(LoadAtBoot=accepted\\)" \
	"$(journalctl -u klpd --since "$since" KLPD_PATCH=klpt_cmdline -o cat)"

kill $mon 2>/dev/null
systemctl stop klpd
cleanup_modules
rm -rf $B
rm -f $C $H $PROM
done_testing
