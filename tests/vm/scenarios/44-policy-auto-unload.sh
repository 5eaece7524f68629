#!/bin/bash
# vm: matrix
# Auto-unload: a disabled patch's module is removed after UnloadDelay=2s
# without anyone calling rmmod (ModuleUnloaded ... policy); after an atomic
# replace the replaced module goes the same way; AutoUnload=no keeps one.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
mkdir -p $D
printf '[Policy]\nUnloadDelay=2s\n[Patch:klpt_version]\nAutoUnload=no\n' >$D/40-test.conf
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$KLPT_MODULES/klpt_replace.ko" "$KLPT_MODULES/klpt_version.ko" $P/
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3

check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
t0=$(date +%s)
check "still loaded right after the disable (UnloadDelay)" mod_loaded klpt_cmdline
wait_until 20 "klpt_cmdline removed" _mod_gone klpt_cmdline && ok "module gone without rmmod"
t1=$(date +%s)
[ $((t1 - t0)) -ge 1 ] && ok "not before UnloadDelay ($((t1 - t0)) s)" || not_ok "too early: $((t1 - t0)) s"
wait_until 5 "ModuleUnloaded" grep -q "ModuleUnloaded klpt_cmdline" /tmp/monitor.log
check_match "ModuleUnloaded klpt_cmdline policy" "ModuleUnloaded klpt_cmdline policy" "$(cat /tmp/monitor.log)"
check_match "PolicyApplied unload with the reason" "PolicyApplied klpt_cmdline unload patch disabled .*UnloadDelay=2s" "$(cat /tmp/monitor.log)"
check_match "journal: KLPD_ACTION=unload" "UnloadDelay=2s" \
	"$(journalctl -u klpd --since "$since" KLPD_ACTION=unload KLPD_PATCH=klpt_cmdline -o cat)"

# Atomic replace: the replaced modules become leftovers and go too.
check "load klpt_cmdline again" klpctl load klpt_cmdline --wait --timeout 60s
check "load klpt_version" klpctl load klpt_version --wait --timeout 60s
check "load klpt_replace" klpctl load klpt_replace --wait --timeout 60s
wait_until 20 "replaced klpt_cmdline removed" _mod_gone klpt_cmdline && ok "replaced module gone"
check_match "reason: replaced" "PolicyApplied klpt_cmdline unload patch replaced" "$(cat /tmp/monitor.log)"
sleep 3
check "AutoUnload=no: klpt_version stays" mod_loaded klpt_version
check_eq "klpt_version shows replaced" 's "replaced"' \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1/patch/klpt_5fversion org.klpd.livepatch1.Patch State)"
check "klpt_replace still applied" lp_exists klpt_replace

kill $mon
systemctl stop klpd
rm -f $D/40-test.conf $P/klpt_cmdline.ko $P/klpt_replace.ko $P/klpt_version.ko
cleanup_modules
done_testing
