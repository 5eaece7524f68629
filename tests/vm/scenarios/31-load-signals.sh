#!/bin/bash
# Load through klpctl: TransitionStarted/TransitionFinished seen by a monitor,
# the patch object's properties, the patched code running; then disable,
# the leftover module, and unload.
. /usr/lib/klpd-tests/lib.sh

P=/var/lib/klpd/patches
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$P/klpt_cmdline.ko"
install -m 0644 "$KLPT_MODULES/klpt_plain.ko" "$P/klpt_plain.ko"
check "systemctl start klpd" systemctl start klpd

klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.5

out=$(klpctl load klpt_cmdline --wait --timeout 60s 2>&1)
check_eq "klpctl load --wait exits 0" 0 "$?"
check_match "... and says how it ended" "klpt_cmdline' to patched completed" "$out"
check_eq "/proc/cmdline runs the new code" "klpt_cmdline: patched" "$(cat /proc/cmdline)"
obj=/org/klpd/livepatch1/patch/klpt_5fcmdline
prop() { busctl get-property org.klpd.livepatch1 "$obj" org.klpd.livepatch1.Patch "$1"; }
check_eq "Patch.State" 's "applied"' "$(prop State)"
check_eq "Patch.Enabled" 'b true' "$(prop Enabled)"
check_eq "Patch.Refcount" 'i 1' "$(prop Refcount)"
check_eq "Patch.Source" "s \"$P/klpt_cmdline.ko\"" "$(prop Source)"
check_eq "Patch.Objects" 'a(sb) 1 "vmlinux" true' "$(prop Objects)"
check_match "Patch.LoadedAt is set" '^t [1-9]' "$(prop LoadedAt)"
check_match "klpctl list shows it" '^klpt_cmdline +applied +yes +1 ' "$(klpctl list)"

out=$(klpctl load klpt_cmdline 2>&1)
check_eq "loading it again is refused: exit 4" 4 "$?"
check_match "... saying why" "already loaded" "$out"
out=$(klpctl load klpt_plain 2>&1)
check_eq "a plain module is refused: exit 4" 4 "$?"
check_match "... as NotLivepatch" "NotLivepatch" "$out"
klpctl load /tmp/klpt_cmdline.ko >/dev/null 2>&1
check_eq "a file outside the patch directories is refused" 4 "$?"
chmod 0666 "$P/klpt_plain.ko"
check_match "a world-writable file is refused" "writable by group or others" "$(klpctl load klpt_plain 2>&1)"
out=$(klpctl unload klpt_cmdline 2>&1)
check_eq "unload of an enabled patch is refused: exit 4" 4 "$?"
check_match "... with Refused" "Refused" "$out"
klpctl show no_such_patch >/dev/null 2>&1
check_eq "show of an unknown patch: exit 3" 3 "$?"

out=$(klpctl disable klpt_cmdline --wait --timeout 60s 2>&1)
check_eq "klpctl disable --wait exits 0" 0 "$?"
check_match "... unpatched completed" "to unpatched completed" "$out"
wait_until 10 "leftover state disabled" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State | grep -q disabled" &&
	ok "leftover module shows as disabled"
check_eq "leftover refcount 0" 'i 0' "$(prop Refcount)"
check "klpctl unload klpt_cmdline" klpctl unload klpt_cmdline
check_fails "module gone" mod_loaded klpt_cmdline
wait_until 5 "object gone from the bus" sh -c "! busctl introspect org.klpd.livepatch1 $obj >/dev/null 2>&1" &&
	ok "patch object removed"

sleep 0.5
kill $mon
log=$(cat /tmp/monitor.log)
check_match "monitor: TransitionStarted patched" "^TransitionStarted klpt_cmdline patched" "$log"
check_match "monitor: TransitionFinished completed" "^TransitionFinished klpt_cmdline patched completed" "$log"
check_match "monitor: unpatch finished" "^TransitionFinished klpt_cmdline unpatched completed" "$log"
check_match "monitor: ModuleUnloaded" "^ModuleUnloaded klpt_cmdline requested" "$log"
check_match "journal has KLPD_PATCH fields" "Transition of 'klpt_cmdline'" \
	"$(journalctl -u klpd -o cat KLPD_PATCH=klpt_cmdline --no-pager)"

systemctl stop klpd
rm -f "$P/klpt_cmdline.ko" "$P/klpt_plain.ko"
cleanup_modules
done_testing
