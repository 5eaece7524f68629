#!/bin/bash
# vm: matrix
# The crash-loop guard across a restart of klpd: a boot-time load whose
# transition still runs when klpd restarts keeps its record (the machine may
# yet go down in that load, and the next boot must then skip the module);
# the record goes once the transition is over, and a record of this boot
# whose module is not in transition is dropped at start as before.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
B=$P/$(uname -r)
S=/var/lib/klpd/boot-loads
BOOT=$(cat /proc/sys/kernel/random/boot_id)
M=org.klpd.livepatch1.Manager
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
_record() { grep -q "^klpt_busy_patch $BOOT\$" $S 2>/dev/null; }

systemctl stop klpd
cleanup_modules
rm -f $S
mkdir -p $D $B
# The stall policy waits: the transition must outlive the restarts.
printf '[Daemon]\nLoadAtBoot=yes\n[Policy]\nOnStall=wait\nStallTimeout=1h\n' >$D/49-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" $B/
busy_start

check "start klpd" systemctl start klpd
wait_until 30 "the boot-time load in transition" lp_in_transition klpt_busy_patch &&
	ok "klpt_busy_patch loaded at boot, its transition held"
check "the guard's record, for this boot" _record

check "restart klpd mid-transition" systemctl restart klpd
check "still in transition" lp_in_transition klpt_busy_patch
check "the record survives the restart" _record
check_eq "nothing skipped" "as 0" "$(mgr SkippedAtBoot)"

klpd_kill9
check "the record survives a kill -9 too" _record

busy_hold 0
wait_until 30 "the transition to end" _lp_settled klpt_busy_patch && ok "transition completed"
wait_until 10 "the record dropped" sh -c "! test -e $S" && ok "no record once the load is over"

# A record of this boot whose module is not in transition goes at start.
systemctl stop klpd
printf 'klpt_busy_patch %s\n' "$BOOT" >$S
check "start klpd with a settled module's record" systemctl start klpd
wait_until 10 "the record dropped" sh -c "! test -e $S" && ok "dropped: the load was over"
check_eq "nothing skipped" "as 0" "$(mgr SkippedAtBoot)"

systemctl stop klpd
cleanup_modules
rm -rf $B
rm -f $S $D/49-test.conf
done_testing
