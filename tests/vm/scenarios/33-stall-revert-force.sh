#!/bin/bash
# vm: matrix
# vm: last-in-boot (without the kernel patch the forced module stays pinned)
# A stalled transition with the busy pair: blockers listed by pid and comm,
# `klpctl revert` ends it as reverted, and in a second run `klpctl force`
# ends it as forced (to PATCHED, non-replace): with the kernel patch that
# pins nothing; without it (stock 5.10) the kernel marks the patch forced,
# and klpd says it is pinned after its disable and refuses to unload it.
. /usr/lib/klpd-tests/lib.sh

P=/var/lib/klpd/patches
M=org.klpd.livepatch1.Manager
obj=/org/klpd/livepatch1/patch/klpt_5fbusy_5fpatch
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
patch_prop() { busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch "$1"; }
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" "$P/"
check "systemctl start klpd" systemctl start klpd
check "busy target, kthread held in the old function" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
kpid=$(pgrep -x klpt_busy)

klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3

# --- run 1: revert
out=$(klpctl load klpt_busy_patch --wait --timeout 4s 2>&1)
check_eq "load --wait --timeout 4s times out: exit 5" 5 "$?"
check_match "... saying so" "timed out" "$out"
check_match "Manager.State in transition or stalled" '"(transition|stalled)"' "$(mgr State)"
check_eq "TransitionPatch" 's "klpt_busy_patch"' "$(mgr TransitionPatch)"
since=$(mgr TransitionSince | cut -d' ' -f2)
now=$(($(date +%s%N) / 1000))
check "TransitionSince: the start, 4 to 30 s ago ($(((now - since) / 1000)) ms)" \
	test "$since" -le $((now - 4000000)) -a "$since" -ge $((now - 30000000))
check_eq "Patch.State patching" 's "patching"' "$(patch_prop State)"
wait_until 10 "blockers listed" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch Blockers | grep -q klpt_busy" &&
	ok "Blockers lists the kthread"
check_match "Blockers: pid and comm" "a\\(uss\\) 1 $kpid \"klpt_busy\"" "$(patch_prop Blockers)"
check_match "klpctl show lists the blocker" "Blockers: $kpid klpt_busy" "$(klpctl show klpt_busy_patch)"
check_match "STATUS says what is going on" "klpt_busy_patch' in transition to patched" \
	"$(systemctl show -P StatusText klpd)"
out=$(klpctl disable klpt_busy_patch 2>&1)
check_eq "disable during its transition is refused: exit 4" 4 "$?"
check_match "... with TransitionInProgress" TransitionInProgress "$out"
out=$(klpctl force klpt_cmdline 2>&1)
check_eq "force of a patch not in transition: exit 3" 3 "$?"

check "klpctl revert" klpctl revert klpt_busy_patch
wait_until 10 "transition end" sh -c "grep -q 'TransitionFinished klpt_busy_patch' /tmp/monitor.log" &&
	ok "transition ended"
check_match "ended as reverted" "TransitionFinished klpt_busy_patch unpatched reverted" "$(cat /tmp/monitor.log)"
wait_until 10 "leftover disabled" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State | grep -q disabled" &&
	ok "reverted patch is a disabled leftover"
check_eq "Blockers cleared" 'a(uss) 0' "$(patch_prop Blockers)"
check_eq "TransitionSince 0 once idle" "t 0" "$(mgr TransitionSince)"
mod_wait_refcnt klpt_busy_patch 0 && ok "refcount 0: nothing pinned"
check "klpctl unload klpt_busy_patch" klpctl unload klpt_busy_patch

# --- run 2: force
check "load again" klpctl load klpt_busy_patch
sleep 4
check_match "stalled again" '"(transition|stalled)"' "$(mgr State)"
check "klpctl force" klpctl force klpt_busy_patch
wait_until 10 "forced end" sh -c "grep -q 'TransitionFinished klpt_busy_patch patched forced' /tmp/monitor.log" &&
	ok "ended as forced"
check_eq "Patch.State applied" 's "applied"' "$(patch_prop State)"
busy_hold 0
if kernel_has_seed; then
	check_eq "Forced is false: forcing a non-replace patch marks nothing" 'b false' "$(patch_prop Forced)"
	check "disable" klpctl disable klpt_busy_patch --wait --timeout 30s
	mod_wait_refcnt klpt_busy_patch 0 && ok "module unloadable after the forced patch"
	check "klpctl unload" klpctl unload klpt_busy_patch
	check_eq "RebootRequired false" 'b false' "$(mgr RebootRequired)"
else
	# The kernel marked it forced, but says so nowhere: klpd, which
	# assumes the kernel patch's rules until shown otherwise, learns it
	# from the refcount that stays once the patch is gone.
	check "disable" klpctl disable klpt_busy_patch --wait --timeout 30s
	wait_until 10 "pinned" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State | grep -q pinned" &&
		ok "the disabled forced patch is pinned"
	check_eq "Forced is true once it is pinned" 'b true' "$(patch_prop Forced)"
	check_eq "its refcount stays 1" 1 "$(mod_refcnt klpt_busy_patch)"
	out=$(klpctl unload klpt_busy_patch 2>&1)
	check_eq "klpctl unload of the pinned module fails: exit 4" 4 "$?"
	check_match "... with Pinned" "Pinned" "$out"
	check "the module is still loaded" mod_loaded klpt_busy_patch
	check_eq "RebootRequired true" 'b true' "$(mgr RebootRequired)"
fi

kill $mon
systemctl stop klpd
rm -f "$P/klpt_busy_patch.ko"
cleanup_modules
done_testing
