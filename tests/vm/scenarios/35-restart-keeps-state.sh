#!/bin/bash
# vm: matrix
# klpd restarted while one patch is applied and another stalls: the new
# instance rebuilds the same state from the kernel. Stopping klpd changes
# nothing in the kernel.
. /usr/lib/klpd-tests/lib.sh

M=org.klpd.livepatch1.Manager
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
pstate() { busctl get-property org.klpd.livepatch1 "/org/klpd/livepatch1/patch/$1" org.klpd.livepatch1.Patch State; }
check "systemctl start klpd" systemctl start klpd
lp_load klpt_cmdline && ok "klpt_cmdline applied"
check "busy target held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "insmod klpt_busy_patch (stalls)" insmod "$KLPT_MODULES/klpt_busy_patch.ko"
# klpd has seen the transition and planned for its stall (not a fixed
# sleep: how soon it reads the uevent and the log differs by kernel and load)
wait_until 10 "klpd plans for the stall" sh -c \
	"klpctl --json status | grep -q '\"stall_deadline_usec\":[1-9]'"
# The stall deadline is the transition's start, from the kernel's log, in
# CLOCK_REALTIME: equal within the clocks' conversion, compared apart.
json_strip() { sed 's/"loaded_at_usec":\(null\|[0-9]*\)//g;s/"blockers":\[[^]]*\]//g;s/"stall_deadline_usec":\(null\|[0-9]*\)//g'; }
deadline() { sed -n 's/.*"stall_deadline_usec":\([0-9]*\).*/\1/p'; }
json=$(klpctl --json status)
before=$(json_strip <<<"$json") before_deadline=$(deadline <<<"$json")

check "systemctl stop klpd" systemctl stop klpd
check "the stalled transition still runs" lp_in_transition klpt_busy_patch
check_eq "the applied patch stays enabled" 1 "$(lp_enabled klpt_cmdline)"
check "systemctl start klpd" systemctl start klpd
check_eq "State after restart" 's "transition"' "$(mgr State)"
check_eq "TransitionPatch after restart" 's "klpt_busy_patch"' "$(mgr TransitionPatch)"
check_eq "klpt_cmdline applied" 's "applied"' "$(pstate klpt_5fcmdline)"
check_eq "klpt_busy_patch patching" 's "patching"' "$(pstate klpt_5fbusy_5fpatch)"
json=$(klpctl --json status)
after=$(json_strip <<<"$json") after_deadline=$(deadline <<<"$json")
check_eq "klpctl --json status is the same" "$before" "$after"
d=$((after_deadline - before_deadline))
check "the stall deadline is the same, within 1 s ($before_deadline, $after_deadline)" \
	test "$before_deadline" -gt 0 -a "${d#-}" -lt 1000000

klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3
busy_hold 0
wait_until 10 "the transition to end" sh -c "grep -q 'TransitionFinished klpt_busy_patch patched completed' /tmp/monitor.log" &&
	ok "the new instance sees the transition finish"
kill $mon
systemctl stop klpd
cleanup_modules
done_testing
