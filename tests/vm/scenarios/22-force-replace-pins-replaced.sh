#!/bin/bash
# vm: matrix
# vm: last-in-boot (it leaves modules pinned until reboot)
# Kernel patch, case (c): forcing a stalled atomic-replace patch to PATCHED
# marks the patches it replaces forced, not itself. The replaced modules stay
# at refcnt 1; the replace patch later disables and unloads. Without the
# patch the replace patch is pinned as well.
. /usr/lib/klpd-tests/lib.sh

lp_load klpt_cmdline && ok "klpt_cmdline applied"
lp_load klpt_version && ok "klpt_version applied"
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "insmod klpt_busy_replace" insmod "$KLPT_MODULES/klpt_busy_replace.ko"
sleep 3
check "replace transition stalled" lp_in_transition klpt_busy_replace
check "write force" sh -c "echo 1 > $KLP_SYSFS/klpt_busy_replace/force"
lp_wait_transition klpt_busy_replace 10 && ok "forced replace ends"
wait_until 10 "replaced patches to be freed" eval '! lp_exists klpt_cmdline && ! lp_exists klpt_version' &&
	ok "replaced patches' sysfs dirs vanish"
sleep 2
check_eq "replaced klpt_cmdline pinned (refcnt 1)" 1 "$(mod_refcnt klpt_cmdline)"
check_eq "replaced klpt_version pinned (refcnt 1)" 1 "$(mod_refcnt klpt_version)"
check_match "rmmod klpt_cmdline refuses: in use" "in use" "$(rmmod klpt_cmdline 2>&1)"
check_match "rmmod klpt_version refuses: in use" "in use" "$(rmmod klpt_version 2>&1)"

busy_hold 0
sleep 0.5
lp_disable klpt_busy_replace && ok "replace patch disabled"
if kernel_has_seed; then
	mod_wait_refcnt klpt_busy_replace 0 && ok "the forced replace patch itself is not pinned"
	check "rmmod klpt_busy_replace" rmmod klpt_busy_replace
else
	sleep 2
	check_eq "no kernel patch: the replace patch itself pinned (refcnt 1)" 1 "$(mod_refcnt klpt_busy_replace)"
	check_match "... rmmod refuses: in use" "in use" "$(rmmod klpt_busy_replace 2>&1)"
fi
check "rmmod klpt_busy_target" rmmod klpt_busy_target
done_testing
