#!/bin/bash
# A transition older than StallTimeout (60 s by default) is stalled: State
# says so, TransitionStalled carries the blockers, the journal has one line.
# OnStall=wait: the default (revert) would end the transition at once.
. /usr/lib/klpd-tests/lib.sh

M=org.klpd.livepatch1.Manager
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
mkdir -p /etc/klpd/klpd.conf.d
printf '[Policy]\nOnStall=wait\n' >/etc/klpd/klpd.conf.d/37-test.conf
check "systemctl start klpd" systemctl start klpd
check "busy target held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
kpid=$(pgrep -x klpt_busy)
klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
klpctl --json monitor >/tmp/monitor.json 2>&1 &
monj=$!
sleep 0.3
check "insmod klpt_busy_patch (stalls)" insmod "$KLPT_MODULES/klpt_busy_patch.ko"
sleep 5
check_eq "in transition, not stalled yet" 's "transition"' "$(mgr State)"
check_match "klpctl status says what the policy will do, and when" \
	'Policy: wait at [0-9]{2}:[0-9]{2}:[0-9]{2} \(in [0-9]+s\)' "$(klpctl status)"
check_match "klpctl --json status too" '"stall_action":"wait","stall_deadline_usec":[1-9][0-9]*' \
	"$(klpctl --json status)"
klpctl check >/tmp/check.out
check_eq "klpctl check: a transition running is 15" 15 "$?"
check_match "... saying which" "^transition: klpt_busy_patch is in transition" "$(cat /tmp/check.out)"
check_eq "no blockers in status before the stall" "[]" "$(klpctl --json status | jq -c .blockers)"
wait_until 70 "State stalled" sh -c "busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M State | grep -q stalled" &&
	ok "State becomes stalled after StallTimeout"
sleep 0.5
check_match "TransitionStalled with the kthread as blocker" \
	"^TransitionStalled klpt_busy_patch $kpid/klpt_busy" "$(cat /tmp/monitor.log)"
check_match "STATUS says stalled" "klpt_busy_patch' stalled" "$(systemctl show -P StatusText klpd)"
check_match "klpctl status: the policy waits, stalled" 'Policy: wait \(stalled\)' "$(klpctl status)"
check_match "klpctl status shows what blocks it (klp blocking)" "^ +Blockers: $kpid klpt_busy" "$(klpctl status)"
check_match "klpctl with no command is status" "^ +Blockers: $kpid klpt_busy" "$(klpctl)"
check "... and in JSON: blockers with named keys" sh -c \
	"klpctl --json status | jq -e '.blockers[0].pid == $kpid and .blockers[0].comm == \"klpt_busy\"'"
check "--json=pretty is one document over many lines" sh -c \
	"[ \$(klpctl --json=pretty status | wc -l) -gt 20 ] && klpctl --json=pretty status | jq -e '.state == \"stalled\"'"
klpctl check >/tmp/check.out
check_eq "klpctl check: stalled is 11" 11 "$?"
check_match "... saying so" "^stalled: the transition of klpt_busy_patch is stalled" "$(cat /tmp/check.out)"
check "klpctl --json check" sh -c \
	"klpctl --json check | jq -e '.status == \"stalled\" and .exit_status == 11 and (.findings | length) == 1'"
check "show --json: objects as an array of named keys" sh -c \
	"klpctl --json show klpt_busy_patch | jq -e '.objects == [{\"name\": \"klpt_busy_target\", \"patched\": true}]'"
check_eq "one journal line for the stall" 1 \
	"$(journalctl -u klpd -o cat --no-pager MESSAGE_ID=066488a4a11f4e31b0ad00c5d186c310 | grep -c klpt_busy_patch)"
busy_hold 0
wait_until 10 "completion" sh -c "grep -q 'TransitionFinished klpt_busy_patch patched completed' /tmp/monitor.log" &&
	ok "completes once the kthread lets go"
check_eq "idle again" 's "idle"' "$(mgr State)"
check_match "klpctl check: 0 once idle" "^ok: idle" "$(klpctl check)"
sleep 0.3
check "monitor --json: TransitionStarted by named keys" jq -se \
	'map(select(.signal == "TransitionStarted"))[0] | .patch == "klpt_busy_patch" and .target == "patched" and .time_usec > 0' /tmp/monitor.json
check "monitor --json: TransitionStalled with blockers as objects" jq -se \
	"map(select(.signal == \"TransitionStalled\"))[0].blockers[0] | .pid == $kpid and .comm == \"klpt_busy\"" /tmp/monitor.json
check "monitor --json: TransitionFinished with how and duration_usec" jq -se \
	'map(select(.signal == "TransitionFinished"))[0] | .how == "completed" and .duration_usec > 60000000' /tmp/monitor.json
kill $monj
kill $mon
systemctl stop klpd
rm -f /etc/klpd/klpd.conf.d/37-test.conf
cleanup_modules
done_testing
