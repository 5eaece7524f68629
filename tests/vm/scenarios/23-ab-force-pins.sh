#!/bin/bash
# vm: matrix
# vm: last-in-boot (it leaves modules pinned until reboot)
# The A/B proof of what klpd relies on, run the same on a kernel with and
# without "livepatch: Don't block removal of patches that are safe to
# unload" (5.10-klp and 5.10 in the matrix): two ordinary patches applied,
# the disable of a third stalled and forced, then the first two disabled
# cleanly. With the kernel patch only the forced one is pinned and the other
# two are auto-unloaded; without it all three stay at refcount 1, and klpd
# reports all three pinned, says a reboot is required, refuses to unload
# them, and its policy leaves them alone.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
BUS=org.klpd.livepatch1
M=org.klpd.livepatch1.Manager
mgr() { busctl get-property $BUS /org/klpd/livepatch1 $M "$1"; }
state() { busctl get-property $BUS "/org/klpd/livepatch1/patch/${1//_/_5f}" org.klpd.livepatch1.Patch State; }
_pinned() { [ "$(state "$1")" = 's "pinned"' ]; }

mkdir -p $D
printf '[Policy]\nStallTimeout=infinity\nOnStall=wait\nAutoUnload=yes\nUnloadDelay=1s\n' >$D/23-test.conf
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$KLPT_MODULES/klpt_version.ko" \
	"$KLPT_MODULES/klpt_busy_patch.ko" $P/
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')

check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "load klpt_version" klpctl load klpt_version --wait --timeout 60s
check "busy target, kthread free" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=0
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "load klpt_busy_patch" klpctl load klpt_busy_patch --wait --timeout 60s
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
busy_hold 1
wait_until 10 "the kthread to run the new function" grew

check "disable klpt_busy_patch (stalls)" klpctl disable klpt_busy_patch
wait_until 10 "the unpatching transition" lp_in_transition klpt_busy_patch
check "klpctl force klpt_busy_patch" klpctl force klpt_busy_patch
wait_until 10 "klpt_busy_patch pinned" _pinned klpt_busy_patch && ok "the forced patch is pinned"
busy_hold 0

check "disable klpt_cmdline cleanly" klpctl disable klpt_cmdline --wait --timeout 60s
check "disable klpt_version cleanly" klpctl disable klpt_version --wait --timeout 60s

if kernel_has_seed; then
	wait_until 20 "klpt_cmdline auto-unloaded" _mod_gone klpt_cmdline && ok "klpt_cmdline auto-unloaded"
	wait_until 20 "klpt_version auto-unloaded" _mod_gone klpt_version && ok "klpt_version auto-unloaded"
	check_eq "PinnedModules: only the forced one" 'as 1 "klpt_busy_patch"' "$(mgr PinnedModules)"
else
	wait_until 20 "klpt_cmdline pinned" _pinned klpt_cmdline && ok "no kernel patch: klpt_cmdline pinned"
	wait_until 20 "klpt_version pinned" _pinned klpt_version && ok "no kernel patch: klpt_version pinned"
	check_eq "PinnedModules: all three" 'as 3 "klpt_busy_patch" "klpt_cmdline" "klpt_version"' \
		"$(mgr PinnedModules)"
	for m in klpt_cmdline klpt_version; do
		check_eq "$m at refcount 1" 1 "$(mod_refcnt $m)"
		out=$(klpctl unload $m 2>&1)
		check_eq "klpctl unload $m refused: exit 4" 4 "$?"
		check_match "... with Pinned" "Pinned" "$out"
	done
	sleep 3 # past UnloadDelay=: the policy must leave them alone
	check "klpt_cmdline still loaded" mod_loaded klpt_cmdline
	check "klpt_version still loaded" mod_loaded klpt_version
	check_eq "no unload attempt by the policy" 0 \
		"$(journalctl -u klpd --since "$since" KLPD_ACTION=unload -o cat | grep -c 'klpt_cmdline\|klpt_version')"
fi
check_eq "RebootRequired" 'b true' "$(mgr RebootRequired)"
check_match "klpctl status says so" "Reboot: required" "$(klpctl status)"
check "the forced module stays" mod_loaded klpt_busy_patch
out=$(klpctl unload klpt_busy_patch 2>&1)
check_eq "klpctl unload klpt_busy_patch refused: exit 4" 4 "$?"

systemctl stop klpd
rm -f $D/23-test.conf $P/klpt_cmdline.ko $P/klpt_version.ko $P/klpt_busy_patch.ko
done_testing
