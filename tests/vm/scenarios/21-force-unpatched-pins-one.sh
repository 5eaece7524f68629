#!/bin/bash
# vm: matrix
# vm: last-in-boot (it leaves a module pinned until reboot)
# Kernel patch, case (b): forcing a stalled disable to UNPATCHED marks only
# the patch being disabled. Its module keeps refcnt 1 and rmmod says "in use";
# another patch still unloads. Without the patch the other one is pinned too.
. /usr/lib/klpd-tests/lib.sh

lp_load klpt_version && ok "other patch klpt_version applied"
check "busy target, kthread free" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=0
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
lp_load klpt_busy_patch && ok "klpt_busy_patch applied"
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
patched_calls_grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
busy_hold 1
wait_until 10 "the kthread to run the new function" patched_calls_grew
check "disable klpt_busy_patch" sh -c "echo 0 > $KLP_SYSFS/klpt_busy_patch/enabled"
sleep 3
check "unpatch transition stalled (kthread sleeps in the new code)" lp_in_transition klpt_busy_patch
check "write force" sh -c "echo 1 > $KLP_SYSFS/klpt_busy_patch/force"
wait_until 10 "'klpt_busy_patch' dir to vanish" _lp_gone klpt_busy_patch && ok "forced unpatch ends, patch freed"
sleep 2
check_eq "forced-off module stays pinned (refcnt 1)" 1 "$(mod_refcnt klpt_busy_patch)"
check_match "rmmod refuses: in use" "in use" "$(rmmod klpt_busy_patch 2>&1)"
check "still loaded" mod_loaded klpt_busy_patch

lp_disable klpt_version && ok "other patch disabled"
if kernel_has_seed; then
	mod_wait_refcnt klpt_version 0 && ok "other patch's module reaches refcnt 0"
	check "rmmod klpt_version" rmmod klpt_version
else
	sleep 2
	check_eq "no kernel patch: the other patch's module pinned too (refcnt 1)" 1 "$(mod_refcnt klpt_version)"
	check_match "... rmmod refuses: in use" "in use" "$(rmmod klpt_version 2>&1)"
fi
busy_hold 0
check "rmmod klpt_busy_target" rmmod klpt_busy_target
done_testing
