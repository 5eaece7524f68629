#!/bin/bash
# AllowPin=no: a stalled disable under OnStall=force would pin the module, so
# klpd reverts it instead (the patch stays applied) and says why.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
obj=/org/klpd/livepatch1/patch/klpt_5fbusy_5fpatch
mkdir -p $D
printf '[Policy]\nStallTimeout=3s\nOnStall=force\nUnloadDelay=1h\n[Patch:klpt_busy_*]\nAllowPin=no\n' >$D/40-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" $P/
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "busy target, kthread free" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=0
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "load klpt_busy_patch" klpctl load klpt_busy_patch --wait --timeout 30s
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
busy_hold 1
wait_until 10 "the kthread to run the new function" grew
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3

check "klpctl disable (stalls)" klpctl disable klpt_busy_patch
wait_until 20 "TransitionFinished" grep -q "TransitionFinished klpt_busy_patch" /tmp/monitor.log &&
	ok "transition ended by itself"
check_match "PolicyApplied revert, because of AllowPin" \
	"PolicyApplied klpt_busy_patch revert forcing would pin module 'klpt_busy_patch', and AllowPin=no in \\[Patch:klpt_busy_\\*\\]: reverting instead" \
	"$(cat /tmp/monitor.log)"
check_match "TransitionFinished: reverted (back to patched)" "TransitionFinished klpt_busy_patch patched reverted" "$(cat /tmp/monitor.log)"
check "never forced" sh -c "! grep -q 'PolicyApplied klpt_busy_patch force' /tmp/monitor.log"
check_eq "patch applied" 's "applied"' "$(busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State)"
check_eq "not pinned" 'b false' "$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager RebootRequired)"
check_match "journal says why" "AllowPin=no" \
	"$(journalctl -u klpd --since "$since" KLPD_ACTION=revert KLPD_PATCH=klpt_busy_patch -o cat)"

kill $mon
busy_hold 0
systemctl stop klpd
rm -f $D/40-test.conf $P/klpt_busy_patch.ko
cleanup_modules
done_testing
