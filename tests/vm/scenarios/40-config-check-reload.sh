#!/bin/bash
# The configuration: `klpd --check-config` names file and line of each error;
# a broken file on reload (SIGHUP and D-Bus Reload) is refused, the error goes
# back to the caller and to the journal, and the running policy stays; a good
# reload changes behaviour without a restart; `systemctl reload` fails on a
# broken file; at start a broken file does not stop klpd: it runs on the last
# valid configuration (48-config-fallback.sh goes further).
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
mkdir -p $D
mgr_call() { busctl call org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager "$@"; }

check "the shipped klpd.conf is valid" klpd --check-config
check "... and says so on stdout" sh -c "klpd --check-config | grep -q 'is valid'"

printf '[Policy]\nOnStall=sometimes\n\n[Patch:a.b]\n' >/tmp/bad.conf
out=$(klpd --check-config /tmp/bad.conf 2>&1)
check_eq "--check-config of a bad file: exit 1" 1 "$?"
check_match "... file:line: key, section, value, what is accepted" \
	"^/tmp/bad.conf:2: key 'OnStall' in section 'Policy': value 'sometimes' must be one of wait, revert, force$" "$out"
check_match "... and every error, not only the first" "^/tmp/bad.conf:4: section 'Patch:a.b': glob 'a.b'" "$out"
out=$(KLPD_CONFIG_FILE=/nonexistent/klpd.conf klpd --check-config 2>&1)
check_eq "--check-config without any file: exit 0" 0 "$?"
check_match "... saying that the built-in defaults apply" \
	"^/nonexistent/klpd.conf: no such file, and no drop-ins: the built-in defaults apply$" "$out"
out=$(klpd --check-config /nonexistent/klpd.conf 2>&1)
check_eq "--check-config of a missing file: exit 1" 1 "$?"
check_match "... saying so" "/nonexistent/klpd.conf: cannot open" "$out"
head -c 2000000 /dev/zero >/tmp/huge.conf
out=$(klpd --check-config /tmp/huge.conf 2>&1)
check_eq "a huge file is refused: exit 1" 1 "$?"
check_match "... cleanly" "larger than 1048576 bytes" "$out"

# A good policy, then a broken reload: the old policy must stay in force.
printf '[Policy]\nStallTimeout=2s\nOnStall=wait\n' >$D/40-test.conf
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
printf '[Policy]\nStallTimeout=2s\nOnStall=revert\nOnStall=revert # not a comment\n' >$D/40-test.conf
out=$(mgr_call Reload 2>&1)
check_eq "D-Bus Reload with a broken drop-in fails" 1 "$?"
check_match "... the caller gets file:line" "$D/40-test.conf:4: key 'OnStall' in section 'Policy': value 'revert # not a comment' must be one of wait, revert, force \\('#' starts a comment only at the start of a line\\)" "$out"
check_fails "systemctl reload with the broken file fails" systemctl reload klpd
check "SIGHUP with the broken file" systemctl kill -s HUP klpd
wait_until 10 "refusal in the journal" sh -c "journalctl -u klpd --since '$since' -o cat | grep -q 'Configuration refused'" &&
	ok "journal: configuration refused"
check_match "journal names file and line" "40-test.conf:4:" "$(journalctl -u klpd --since "$since" -o cat)"
check "klpd still running" systemctl is-active klpd

check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" /var/lib/klpd/patches/
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3
check "load klpt_busy_patch" klpctl load klpt_busy_patch
wait_until 15 "PolicyApplied wait" grep -q "PolicyApplied klpt_busy_patch wait" /tmp/monitor.log &&
	ok "old policy (OnStall=wait) still in force"
sleep 2
check "not reverted" sh -c "! grep -q 'PolicyApplied klpt_busy_patch revert' /tmp/monitor.log"
check_match "journal: KLPD_ACTION=wait" "OnStall=wait" \
	"$(journalctl -u klpd --since "$since" KLPD_ACTION=wait -o cat)"
busy_hold 0
lp_wait_transition klpt_busy_patch 20 && ok "transition completes once the kthread is free"

# A good reload changes behaviour without a restart: the stalled disable
# is now reverted.
printf '[Policy]\nStallTimeout=2s\nOnStall=revert\nUnloadDelay=1h\n' >$D/40-test.conf
check "D-Bus Reload with a good file" mgr_call Reload
out=$(klpd --dump-config)
check_eq "klpd --dump-config: exit 0" 0 "$?"
check_match "... names the file and line of a value" "^StallTimeout=2s +; $D/40-test.conf:2$" "$out"
check_match "... and the built-in defaults" "^ForceAfter=0 +; default$" "$out"
check_match "klpd --dump-config PATCH: the policy for that module" "^OnStall=revert +; $D/40-test.conf:3$" \
	"$(klpd --dump-config klpt_busy_patch)"
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
wait_until 10 "the kthread to run the new function" grew
busy_hold 1
sleep 0.5
check "klpctl disable (stalls)" klpctl disable klpt_busy_patch
wait_until 20 "reverted" grep -q "TransitionFinished klpt_busy_patch patched reverted" /tmp/monitor.log &&
	ok "new policy (OnStall=revert) in force"
kill $mon
busy_hold 0

# At start: a broken file is refused, and klpd runs on the last valid one
# (the OnStall=revert one above); no exit 78 any more.
systemctl stop klpd
printf '[Policy]\nOnStall=never\n' >$D/40-test.conf
systemctl reset-failed klpd 2>/dev/null
check "start with a broken file succeeds" systemctl start klpd
sleep 2
check_eq "klpd is active" active "$(systemctl is-active klpd)"
check_eq "not restarted" 0 "$(systemctl show -P NRestarts klpd)"
check_match "journal says why" "40-test.conf:2: key 'OnStall'" "$(journalctl -u klpd --since "$since" -o cat)"
check_eq "running on the last valid one" 's "last-valid"' \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager ConfigurationSource)"
systemctl stop klpd

rm -f $D/40-test.conf /tmp/bad.conf /tmp/huge.conf /var/lib/klpd/patches/klpt_busy_patch.ko \
	/var/lib/klpd/last-valid.conf
systemctl reset-failed klpd 2>/dev/null
cleanup_modules
done_testing
