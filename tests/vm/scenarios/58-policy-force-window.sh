#!/bin/bash
# vm: last-in-boot seed=no (without the kernel patch the forced klpt_busy_patch stays pinned)
# ForceWindow=: OnStall=force only forces inside a window of local time.
# A window further away than ForceWindowMaxWait= makes the policy revert at
# once; a window that opens a minute later makes it wait, with StallAction
# "force" and StallDeadline the window's start, and force then.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
M=org.klpd.livepatch1.Manager
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
hhmm() { date -d "@$1" +%H:%M; }
mkdir -p $D
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" $P/
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy

# --- the next window is an hour away, beyond ForceWindowMaxWait=10min
far=$(($(date +%s) / 60 * 60 + 3600))
printf '[Policy]\nStallTimeout=3s\nOnStall=force\nForceWindow=%s-%s\nForceWindowMaxWait=10min\nUnloadDelay=1h\n' \
	"$(hhmm $far)" "$(hhmm $((far + 600)))" >$D/58-test.conf
check "systemctl start klpd" systemctl start klpd
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3
check "load klpt_busy_patch" klpctl load klpt_busy_patch
wait_until 20 "TransitionFinished" grep -q "TransitionFinished klpt_busy_patch" /tmp/monitor.log &&
	ok "the transition ended by itself"
check_match "PolicyApplied revert: the window is beyond the wait allowed" \
	"PolicyApplied klpt_busy_patch revert .*beyond ForceWindowMaxWait=" "$(cat /tmp/monitor.log)"
check_match "TransitionFinished: reverted, not forced" "TransitionFinished klpt_busy_patch unpatched reverted" \
	"$(cat /tmp/monitor.log)"
wait_until 20 "klpd to see the reverted patch gone" sh -c \
	"busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1/patch/klpt_5fbusy_5fpatch org.klpd.livepatch1.Patch Objects | grep -qx 'a(sb) 0'"
check "unload the reverted module" klpctl unload klpt_busy_patch
wait_until 10 "klpt_busy_patch gone" sh -c '! test -d /sys/module/klpt_busy_patch'

# --- a window that opens at the next minute at least 30 s away
start=$((($(date +%s) + 30) / 60 * 60 + 60))
printf '[Policy]\nStallTimeout=3s\nOnStall=force\nForceWindow=%s-%s\nUnloadDelay=1h\n' \
	"$(hhmm $start)" "$(hhmm $((start + 600)))" >$D/58-test.conf
check "systemctl reload klpd" systemctl reload klpd
: >/tmp/monitor.log
check "load klpt_busy_patch again" klpctl load klpt_busy_patch
wait_until 15 "State stalled" sh -c "busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M State | grep -q stalled" &&
	ok "stalled outside the window"
check_eq "StallAction: force, later" 's "force"' "$(mgr StallAction)"
deadline=$(mgr StallDeadline | cut -d' ' -f2)
# within a second: klpd keeps it on CLOCK_MONOTONIC and converts it back
check "StallDeadline: the window's start" test $((deadline / 1000000 - start)) -ge -1 -a $((deadline / 1000000 - start)) -le 1
check_match "klpctl status shows the planned time" "Policy: force at $(hhmm $start):00 \\(in " "$(klpctl status)"
check_eq "no PolicyApplied while waiting" 0 "$(grep -c PolicyApplied /tmp/monitor.log)"
w=$((start - $(date +%s) - 5))
[ "$w" -gt 0 ] && sleep "$w"
check "5 s before the window: still in transition" lp_in_transition klpt_busy_patch
wait_until 40 "TransitionFinished" grep -q "TransitionFinished klpt_busy_patch" /tmp/monitor.log &&
	ok "the transition ended once the window opened"
check "... not before it" test "$(date +%s)" -ge "$start"
check_match "PolicyApplied force" "PolicyApplied klpt_busy_patch force" "$(cat /tmp/monitor.log)"
check_match "TransitionFinished: forced" "TransitionFinished klpt_busy_patch patched forced" "$(cat /tmp/monitor.log)"

kill $mon
busy_hold 0
systemctl stop klpd
rm -f $D/58-test.conf $P/klpt_busy_patch.ko
cleanup_modules
done_testing
