#!/bin/bash
# vm: last-in-boot seed=no (without the kernel patch the forced klpt_busy_patch stays pinned)
# Per-patch override: [Policy] says OnStall=revert, [Patch:klpt_busy_p*]
# says force. The stalled klpt_busy_patch is forced (to PATCHED, non-replace:
# pins nothing); the same stall of klpt_busy_replace is reverted.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
mkdir -p $D
printf '[Policy]\nStallTimeout=3s\nOnStall=revert\nUnloadDelay=1h\n[Patch:klpt_busy_p*]\nOnStall=force\nForceAfter=1s\n' >$D/40-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" "$KLPT_MODULES/klpt_busy_replace.ko" $P/
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3

check "load klpt_busy_patch" klpctl load klpt_busy_patch
wait_until 20 "TransitionFinished" grep -q "TransitionFinished klpt_busy_patch" /tmp/monitor.log &&
	ok "transition ended by itself"
check_match "PolicyApplied force, naming the section" "PolicyApplied klpt_busy_patch force .*\\[Patch:klpt_busy_p\\*\\]" "$(cat /tmp/monitor.log)"
check_match "TransitionFinished: forced" "TransitionFinished klpt_busy_patch patched forced" "$(cat /tmp/monitor.log)"
check_eq "Forced false: a non-replace patch to PATCHED pins nothing" 'b false' \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1/patch/klpt_5fbusy_5fpatch org.klpd.livepatch1.Patch Forced)"
check_match "journal: KLPD_ACTION=force" "OnStall=force" \
	"$(journalctl -u klpd --since "$since" KLPD_ACTION=force KLPD_PATCH=klpt_busy_patch -o cat)"

# Put the kthread into klpt_busy_patch's code: then the replace patch stalls.
busy_hold 0
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
wait_until 10 "the kthread to run the new function" grew
busy_hold 1
sleep 0.5
check "load klpt_busy_replace" klpctl load klpt_busy_replace
wait_until 20 "TransitionFinished" grep -q "TransitionFinished klpt_busy_replace" /tmp/monitor.log &&
	ok "replace transition ended by itself"
check_match "[Policy] applies to it: reverted" "PolicyApplied klpt_busy_replace revert .*\\[Policy\\]" "$(cat /tmp/monitor.log)"
check_match "TransitionFinished: reverted" "TransitionFinished klpt_busy_replace unpatched reverted" "$(cat /tmp/monitor.log)"
check_eq "RebootRequired false" 'b false' \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager RebootRequired)"

kill $mon
busy_hold 0
systemctl stop klpd
rm -f $D/40-test.conf $P/klpt_busy_patch.ko $P/klpt_busy_replace.ko
cleanup_modules
done_testing
