#!/bin/bash
# vm: matrix
# OnStall=revert with StallTimeout=3s: the stalled load of the busy pair is
# reversed by klpd itself; TransitionFinished says reverted, PolicyApplied
# and the journal (KLPD_ACTION=revert) say why.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
mkdir -p $D
printf '[Policy]\nStallTimeout=3s\nOnStall=revert\nUnloadDelay=1h\n' >$D/40-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" /var/lib/klpd/patches/
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3

t0=$(date +%s)
check "load klpt_busy_patch" klpctl load klpt_busy_patch
wait_until 20 "TransitionFinished" grep -q "TransitionFinished klpt_busy_patch" /tmp/monitor.log &&
	ok "transition ended by itself"
t1=$(date +%s)
check_match "TransitionStalled first" "TransitionStalled klpt_busy_patch" "$(cat /tmp/monitor.log)"
check_match "PolicyApplied revert with the reason" "PolicyApplied klpt_busy_patch revert .*OnStall=revert" "$(cat /tmp/monitor.log)"
check_match "TransitionFinished: reverted" "TransitionFinished klpt_busy_patch unpatched reverted" "$(cat /tmp/monitor.log)"
[ $((t1 - t0)) -le 10 ] && ok "within StallTimeout plus a few seconds ($((t1 - t0)) s)" ||
	not_ok "took $((t1 - t0)) s"
check_match "journal: KLPD_ACTION=revert KLPD_PATCH=klpt_busy_patch" "OnStall=revert" \
	"$(journalctl -u klpd --since "$since" KLPD_ACTION=revert KLPD_PATCH=klpt_busy_patch -o cat)"
check_eq "reverted once" 1 "$(grep -c 'PolicyApplied klpt_busy_patch revert' /tmp/monitor.log)"

kill $mon
systemctl stop klpd
rm -f $D/40-test.conf /var/lib/klpd/patches/klpt_busy_patch.ko
cleanup_modules
done_testing
