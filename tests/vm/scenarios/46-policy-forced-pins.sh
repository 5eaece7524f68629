#!/bin/bash
# vm: last-in-boot (it leaves a module pinned until reboot)
# OnStall=force on a stalled disable: the module is pinned (PinnedModules,
# RebootRequired=true), and klpd never tries to unload it (no retry storm);
# another leftover is still auto-unloaded.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
M=org.klpd.livepatch1.Manager
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
mkdir -p $D
printf '[Policy]\nStallTimeout=3s\nOnStall=force\nUnloadDelay=1s\n' >$D/40-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" "$KLPT_MODULES/klpt_cmdline.ko" $P/
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "busy target, kthread free" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=0
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "load klpt_busy_patch" klpctl load klpt_busy_patch --wait --timeout 30s
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
busy_hold 1
wait_until 10 "the kthread to run the new function" grew
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3

check "klpctl disable (stalls)" klpctl disable klpt_busy_patch
wait_until 20 "forced" grep -q "TransitionFinished klpt_busy_patch unpatched forced" /tmp/monitor.log &&
	ok "disable forced by policy"
check_match "PolicyApplied force says it pins" "PolicyApplied klpt_busy_patch force .*pins this module" "$(cat /tmp/monitor.log)"
wait_until 10 "PinnedModules" sh -c "busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M PinnedModules | grep -q klpt_busy_patch" &&
	ok "PinnedModules lists it"
check_eq "RebootRequired" 'b true' "$(mgr RebootRequired)"

# Another leftover is still removed.
check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
wait_until 20 "klpt_cmdline removed" _mod_gone klpt_cmdline && ok "other leftover auto-unloaded"
sleep 5
check "pinned module still loaded" mod_loaded klpt_busy_patch
check_eq "no unload attempt on the pinned module" 0 \
	"$(journalctl -u klpd --since "$since" KLPD_ACTION=unload KLPD_PATCH=klpt_busy_patch -o cat | wc -l)"
check_eq "no rmmod errors in the journal" 0 \
	"$(journalctl -u klpd --since "$since" -o cat | grep -ci 'cannot unload\|unload.*fail')"

kill $mon
busy_hold 0
systemctl stop klpd
rm -f $D/40-test.conf $P/klpt_busy_patch.ko $P/klpt_cmdline.ko
done_testing
