#!/bin/bash
# vm: last-in-boot (it leaves a module pinned until reboot)
# A forced transition to UNPATCHED pins its module: klpd shows it pinned,
# RebootRequired=true, and refuses to unload it with Pinned.
. /usr/lib/klpd-tests/lib.sh

M=org.klpd.livepatch1.Manager
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
obj=/org/klpd/livepatch1/patch/klpt_5fbusy_5fpatch
check "systemctl start klpd" systemctl start klpd
check "busy target, kthread free" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=0
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
lp_load klpt_busy_patch && ok "klpt_busy_patch applied"
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
busy_hold 1
wait_until 10 "the kthread to run the new function" grew

check "klpctl disable (stalls: the kthread sleeps in the new code)" klpctl disable klpt_busy_patch
sleep 2
check_eq "unpatching" 's "unpatching"' "$(busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State)"
check "klpctl force" klpctl force klpt_busy_patch
wait_until 10 "pinned" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State | grep -q pinned" &&
	ok "module shows as pinned"
check_eq "Forced" 'b true' "$(busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch Forced)"
check_eq "RebootRequired" 'b true' "$(mgr RebootRequired)"
check_eq "PinnedModules" 'as 1 "klpt_busy_patch"' "$(mgr PinnedModules)"
out=$(klpctl unload klpt_busy_patch 2>&1)
check_eq "unload refused: exit 4" 4 "$?"
check_match "... with Pinned" "Pinned" "$out"
check_match "status says reboot required" "Reboot: required" "$(klpctl status)"
check "the module is still loaded" mod_loaded klpt_busy_patch
busy_hold 0
systemctl stop klpd
done_testing
