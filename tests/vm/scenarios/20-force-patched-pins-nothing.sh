#!/bin/bash
# Kernel patch, case (a): forcing a non-replace patch to PATCHED marks no
# patch forced. The earlier patch and the forced one itself both unload
# later (before the patch, both were pinned until reboot).
. /usr/lib/klpd-tests/lib.sh

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
mod_wait_refcnt klpt_version 0 && ok "earlier patch's module reaches refcnt 0 (not pinned)"
check "rmmod klpt_version" rmmod klpt_version

busy_hold 0
sleep 0.5
lp_disable klpt_busy_patch && ok "forced patch disabled cleanly once released"
mod_wait_refcnt klpt_busy_patch 0 && ok "forced patch's module reaches refcnt 0 (not pinned)"
check "rmmod klpt_busy_patch" rmmod klpt_busy_patch
check "rmmod klpt_busy_target" rmmod klpt_busy_target
done_testing
