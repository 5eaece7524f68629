#!/bin/bash
# vm: matrix
# vm: last-in-boot (without the kernel patch it leaves both modules pinned)
# Kernel patch, case (a): forcing a non-replace patch to PATCHED marks no
# patch forced. The earlier patch and the forced one itself both unload
# later. Without the patch (stock 5.10) both stay pinned until reboot.
. /usr/lib/klpd-tests/lib.sh

if kernel_has_seed; then pinned=0; else pinned=1; fi

lp_load klpt_version && ok "earlier patch klpt_version applied"
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "insmod klpt_busy_patch" insmod "$KLPT_MODULES/klpt_busy_patch.ko"
sleep 3
check "transition stalled" lp_in_transition klpt_busy_patch
check "write force" sh -c "echo 1 > $KLP_SYSFS/klpt_busy_patch/force"
lp_wait_transition klpt_busy_patch 10 && ok "forced transition ends"
check_eq "forced patch is enabled" 1 "$(lp_enabled klpt_busy_patch)"
check_match "kernel logged the force" "forcing remaining tasks to the patched state" "$(dmesg)"

lp_disable klpt_version && ok "earlier patch disabled after the force"
busy_hold 0
sleep 0.5
lp_disable klpt_busy_patch && ok "forced patch disabled cleanly once released"
if [ $pinned = 0 ]; then
	mod_wait_refcnt klpt_version 0 && ok "earlier patch's module reaches refcnt 0 (not pinned)"
	check "rmmod klpt_version" rmmod klpt_version
	mod_wait_refcnt klpt_busy_patch 0 && ok "forced patch's module reaches refcnt 0 (not pinned)"
	check "rmmod klpt_busy_patch" rmmod klpt_busy_patch
else
	sleep 2
	check_eq "no kernel patch: the earlier patch's module pinned (refcnt 1)" 1 "$(mod_refcnt klpt_version)"
	check_match "... rmmod refuses: in use" "in use" "$(rmmod klpt_version 2>&1)"
	check_eq "no kernel patch: the forced patch's module pinned (refcnt 1)" 1 "$(mod_refcnt klpt_busy_patch)"
	check_match "... rmmod refuses: in use" "in use" "$(rmmod klpt_busy_patch 2>&1)"
fi
check "rmmod klpt_busy_target" rmmod klpt_busy_target
done_testing
