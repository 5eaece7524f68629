#!/bin/bash
# vm: reboot
# The health window across a real reboot: the state directory and the
# drop-ins are on a disk (tests/vm/run, "# vm: reboot"). Boot 1 marks a
# patch that WARNs faulty, accepts a quiet one, leaves a third in its
# window, and shuts down. Boot 2 is a new kernel: klpd, started at boot with
# LoadAtBoot=yes, loads the accepted patch and the one that was in its window
# (a window of the last boot does not carry over: a new one opens), skips the
# faulty one and says why, until clear-skip. A WARN while klpd is stopped is
# blamed when it starts again, from the kernel log's history.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
B=/var/lib/klpd/patches/$(uname -r)
H=/var/lib/klpd/health
C=$D/61-test.conf
DISK=/var/lib/klpd-vm
M=org.klpd.livepatch1.Manager
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
since_usec() { patch_get "$1" HealthSince | cut -d' ' -f2; }
boot_id=$(cat /proc/sys/kernel/random/boot_id)

check_match "/var/lib/klpd is on the disk" "^/dev/vda" "$(findmnt -n -o SOURCE --target /var/lib/klpd)"
check_match "so is $D" "^/dev/vda" "$(findmnt -n -o SOURCE --target $D)"

case "$KLPT_PHASE" in
1)
	systemctl stop klpd
	cleanup_modules
	rm -f $H
	mkdir -p $B
	install -m 0644 "$KLPT_MODULES/klpt_warn.ko" "$KLPT_MODULES/klpt_cmdline.ko" \
		"$KLPT_MODULES/klpt_version.ko" $B/
	printf '[Daemon]\nLoadAtBoot=no\n[Policy]\nUnloadDelay=1s\nHealthWindow=1h\n[Patch:klpt_warn]\nOnKernelWarning=revert\n[Patch:klpt_cmdline]\nHealthWindow=3s\n' >$C
	check "start klpd" systemctl start klpd

	check "klpctl load klpt_warn --wait" klpctl load klpt_warn --wait
	wait_until 10 "klpt_warn watched" _patch_health_is klpt_warn watching
	check_match "the patched function runs (and WARNs)" "klpt_warn: patched" "$(cat /proc/cmdline)"
	wait_until 20 "klpt_warn faulty" _patch_health_is klpt_warn faulty && ok "klpt_warn marked faulty"
	wait_until 20 "klpt_warn's module unloaded" _mod_gone klpt_warn && ok "...reverted and removed"

	check "klpctl load klpt_cmdline --wait" klpctl load klpt_cmdline --wait
	wait_until 20 "klpt_cmdline accepted" _patch_health_is klpt_cmdline accepted &&
		ok "klpt_cmdline accepted after its 3 s window"
	check "klpctl load klpt_version --wait" klpctl load klpt_version --wait
	wait_until 10 "klpt_version watched" _patch_health_is klpt_version watching && ok "klpt_version in its window"

	check_match "health: klpt_warn faulty" "^klpt_warn faulty [0-9]+ warning$" "$(cat $H)"
	check_match "health: klpt_cmdline accepted" "^klpt_cmdline accepted [0-9]+$" "$(cat $H)"
	check_match "health: klpt_version watched in this boot" "^klpt_version watching [0-9]+ $boot_id$" "$(cat $H)"
	# What boot 2 compares with, beside the state directory.
	echo "$boot_id $(since_usec klpt_version)" >$DISK/61-boot1
	# The next boot loads at boot what klpd's records allow.
	sed -i 's/^LoadAtBoot=no$/LoadAtBoot=yes/' $C
	check_match "next boot's drop-in: LoadAtBoot=yes" "^LoadAtBoot=yes$" "$(cat $C)"
	diag "powering off with klpt_cmdline and klpt_version applied"
	;;
2)
	read -r boot1_id boot1_since <$DISK/61-boot1 || not_ok "boot 1 left no record on the disk"
	check "a new boot (not $boot1_id)" test "$boot_id" != "$boot1_id"
	check_eq "klpd.service enabled" enabled "$(systemctl is-enabled klpd)"
	check_eq "klpd is active" active "$(systemctl is-active klpd)"
	check_fails "...not started by D-Bus activation" sh -c "journalctl -b -o cat | grep -q \"Activating via systemd: service name='org.klpd.livepatch1'\""
	check_match "the faulty mark is still there" "^klpt_warn faulty [0-9]+ warning$" "$(cat $H)"
	wait_until 60 "klpt_cmdline and klpt_version applied" sh -c "$(declare -f _lp_applied lp_exists lp_enabled _lp_settled lp_transition sysfs_read); KLP_SYSFS=$KLP_SYSFS; _lp_applied klpt_cmdline && _lp_applied klpt_version" &&
		ok "klpt_cmdline and klpt_version loaded at boot"
	check_match "klpd loaded them in this boot" "Loaded 'klpt_cmdline' from $(re_quote "$B")/klpt_cmdline\\.ko.*Loaded 'klpt_version' from" \
		"$(journalctl -b -u klpd -o cat | grep "^Loaded 'klpt_" | sort | tr '\n' ' ')"
	check_fails "klpt_warn not loaded" mod_loaded klpt_warn
	check_match "journal of this boot: skipped as faulty" "Skipping $(re_quote "$B")/klpt_warn\\.ko at boot \\(reason: faulty\\)" \
		"$(journalctl -b -u klpd KLPD_PATCH=klpt_warn -o cat)"
	check_match "SkippedAtBoot lists it" '"klpt_warn"' "$(mgr SkippedAtBoot)"
	check_eq "klpctl check: 14, skipped at boot" 14 "$(klpctl check >/dev/null 2>&1; echo $?)"
	check "klpt_cmdline still accepted" _patch_health_is klpt_cmdline accepted
	wait_until 10 "klpt_version watched" _patch_health_is klpt_version watching &&
		ok "klpt_version watched again"
	since=$(since_usec klpt_version)
	check "...in a window of this boot (HealthSince $since after $boot1_since)" test "$since" -gt "$boot1_since"
	check_match "health: klpt_version's window is this boot's" "^klpt_version watching [0-9]+ $boot_id$" "$(cat $H)"

	check "klpctl clear-skip klpt_warn" klpctl clear-skip klpt_warn
	check_eq "SkippedAtBoot empty" "as 0" "$(mgr SkippedAtBoot)"
	check_fails "no faulty mark left" grep -q '^klpt_warn ' $H
	check "klpctl load klpt_warn --wait: loads again" klpctl load klpt_warn --wait

	# An incident while klpd is down: read from the kernel log at start.
	wait_until 10 "klpt_warn watched again" _patch_health_is klpt_warn watching
	check "stop klpd" systemctl stop klpd
	check_match "klpt_warn WARNs while klpd is stopped" "klpt_warn: patched" "$(cat /proc/cmdline)"
	check "start klpd" systemctl start klpd
	wait_until 30 "klpt_warn faulty" _patch_health_is klpt_warn faulty &&
		ok "the incident of while klpd was stopped is blamed from the kernel log's history"
	wait_until 30 "klpt_warn reverted" _lp_gone klpt_warn && ok "...and OnKernelWarning=revert took it back"

	systemctl stop klpd
	cleanup_modules
	rm -rf $B
	rm -f $C $H $DISK/61-boot1
	;;
*) not_ok "no phase (KLPT_PHASE='$KLPT_PHASE'): run with '# vm: reboot'" ;;
esac
done_testing
