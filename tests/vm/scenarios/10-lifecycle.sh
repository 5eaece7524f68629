#!/bin/bash
# vm: matrix
# A livepatch's whole life on the real kernel, as the selftests do it by hand:
# load -> the patched code runs -> disable -> sysfs dir gone -> refcnt 0 -> rmmod.
. /usr/lib/klpd-tests/lib.sh

before=$(cat /proc/cmdline)
check "cmdline is the kernel's before the patch" test "$before" != "klpt_cmdline: patched"
check "insmod klpt_cmdline" insmod "$KLPT_MODULES/klpt_cmdline.ko"
check "patch dir appears" lp_exists klpt_cmdline
lp_wait_transition klpt_cmdline && ok "transition to patched completes"
check_eq "patch is enabled" 1 "$(lp_enabled klpt_cmdline)"
if [ -e $KLP_SYSFS/klpt_cmdline/vmlinux/patched ]; then
	check_eq "vmlinux object is patched" 1 "$(sysfs_read $KLP_SYSFS/klpt_cmdline/vmlinux/patched)"
else
	skip "vmlinux object is patched" "<object>/patched attribute (Linux 6.1)"
fi
check_eq "/proc/cmdline runs the new code" "klpt_cmdline: patched" "$(cat /proc/cmdline)"
check_eq "an enabled patch holds its module (refcnt 1)" 1 "$(mod_refcnt klpt_cmdline)"
check_match "module is tainted K" K "$(cat /sys/module/klpt_cmdline/taint)"
check_match "rmmod of an enabled patch fails: in use" "in use" "$(rmmod klpt_cmdline 2>&1)"

lp_disable klpt_cmdline && ok "disable: sysfs dir vanishes"
check_eq "/proc/cmdline back to the kernel's" "$before" "$(cat /proc/cmdline)"
check "module stays loaded after disable" mod_loaded klpt_cmdline
mod_wait_refcnt klpt_cmdline 0 && ok "refcnt drops to 0 after a clean disable"
check "rmmod" rmmod klpt_cmdline
check_fails "module gone" mod_loaded klpt_cmdline
done_testing
