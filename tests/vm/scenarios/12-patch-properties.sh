#!/bin/bash
# vm: matrix
# What klpd reads of each patch on this kernel, attribute by attribute: every
# attribute the kernel has is used, and none it lacks is guessed.
#   replace (6.11+)      Replace "yes"/"no"; without it "unknown"
#   stack_order (6.14+)  StackOrder as the kernel counts; without it 0
#   <obj>/patched (6.1+) Objects' flag; without it vmlinux, and each target
#                        module that is loaded, are patched
# No warning in klpd's journal for an attribute that is missing.
. /usr/lib/klpd-tests/lib.sh

BUS=org.klpd.livepatch1
prop() { busctl get-property $BUS "/org/klpd/livepatch1/patch/${1//_/_5f}" org.klpd.livepatch1.Patch "$2"; }

check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "busy target, kthread free" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=0
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
lp_load klpt_cmdline && ok "klpt_cmdline applied"
lp_load klpt_busy_patch && ok "klpt_busy_patch applied"
sleep 0.5

# --- replace
if [ -e "$KLP_SYSFS/klpt_cmdline/replace" ]; then
	check_eq "replace reads 0 for a stacked patch" 0 "$(cat "$KLP_SYSFS/klpt_cmdline/replace")"
	check_eq "Replace of klpt_cmdline from the kernel" 's "no"' "$(prop klpt_cmdline Replace)"
else
	skip "Replace read from the kernel" "replace attribute (Linux 6.11)"
	check_eq "Replace unknown without the attribute" 's "unknown"' "$(prop klpt_cmdline Replace)"
fi

# --- stack_order
if [ -e "$KLP_SYSFS/klpt_cmdline/stack_order" ]; then
	for p in klpt_cmdline klpt_busy_patch; do
		check_eq "StackOrder of $p is the kernel's" "u $(cat "$KLP_SYSFS/$p/stack_order")" "$(prop $p StackOrder)"
	done
	check_eq "klpt_busy_patch is second in the stack" "u 2" "$(prop klpt_busy_patch StackOrder)"
else
	skip "StackOrder read from the kernel" "stack_order attribute (Linux 6.14)"
	check_eq "StackOrder 0 without the attribute" "u 0" "$(prop klpt_busy_patch StackOrder)"
fi

# --- objects
if [ -e "$KLP_SYSFS/klpt_cmdline/vmlinux/patched" ]; then
	ok "objects read from <obj>/patched"
else
	ok "objects without <obj>/patched: derived from what is loaded"
fi
check_eq "Objects of klpt_cmdline" 'a(sb) 1 "vmlinux" true' "$(prop klpt_cmdline Objects)"
check_eq "Objects of klpt_busy_patch" 'a(sb) 1 "klpt_busy_target" true' "$(prop klpt_busy_patch Objects)"
check_match "klpctl show lists the object" "klpt_busy_target" "$(klpctl show klpt_busy_patch)"

# --- a replace patch
lp_load klpt_replace && ok "klpt_replace applied"
wait_until 10 "klpt_cmdline replaced" _lp_gone klpt_cmdline
if [ -e "$KLP_SYSFS/klpt_replace/replace" ]; then
	check_eq "Replace of an atomic-replace patch" 's "yes"' "$(prop klpt_replace Replace)"
else
	check_eq "Replace unknown without the attribute" 's "unknown"' "$(prop klpt_replace Replace)"
fi
wait_until 10 "klpt_cmdline shown replaced" sh -c "[ \"\$(busctl get-property $BUS /org/klpd/livepatch1/patch/klpt_5fcmdline org.klpd.livepatch1.Patch State)\" = 's \"replaced\"' ]" &&
	ok "klpt_cmdline replaced"

check_eq "no warning from klpd" "" "$(journalctl -u klpd --since "$since" -p warning -o cat)"

systemctl stop klpd
cleanup_modules
done_testing
