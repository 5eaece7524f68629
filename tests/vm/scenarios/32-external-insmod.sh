#!/bin/bash
# A module loaded and removed behind klpd's back shows up on the bus at once:
# the module uevent and the kernel log drive the state, nothing polls.
. /usr/lib/klpd-tests/lib.sh

obj=/org/klpd/livepatch1/patch/klpt_5fversion
state() { busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State 2>/dev/null; }
check "systemctl start klpd" systemctl start klpd

check "plain insmod klpt_version" insmod "$KLPT_MODULES/klpt_version.ko"
wait_until 1 "klpt_version on the bus" sh -c "busctl introspect org.klpd.livepatch1 $obj >/dev/null 2>&1" &&
	ok "appears on the bus within a second"
wait_until 10 "klpt_version applied" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State | grep -q applied" &&
	ok "reaches applied"
check_eq "Source unknown for an external load" 's ""' \
	"$(busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch Source)"

lp_disable klpt_version && ok "disabled by hand through sysfs"
wait_until 5 "klpd to see the leftover" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State | grep -q disabled" &&
	ok "klpd shows the leftover as disabled"
mod_unload klpt_version && ok "rmmod by hand"
wait_until 1 "object to go" sh -c "! busctl introspect org.klpd.livepatch1 $obj >/dev/null 2>&1" &&
	ok "gone from the bus within a second"
check_match "the journal says it was unloaded externally" "klpt_version' unloaded \\(external\\)" \
	"$(journalctl -u klpd -o cat --no-pager KLPD_PATCH=klpt_version)"

# A plain module is none of klpd's business.
check "insmod klpt_plain" insmod "$KLPT_MODULES/klpt_plain.ko"
sleep 0.5
check_fails "klpt_plain is not a patch object" busctl introspect org.klpd.livepatch1 /org/klpd/livepatch1/patch/klpt_5fplain
out=$(klpctl unload klpt_plain 2>&1)
check_eq "unload of a plain module is refused: exit 4" 4 "$?"
check_match "... as NotLivepatch" NotLivepatch "$out"
rmmod klpt_plain

# No wake-ups while nothing is pending: the loop sleeps (watchdog aside).
check_eq "idle" 's "idle"' "$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager State)"
pid=$(systemctl show -P MainPID klpd)
sw1=$(awk '/voluntary_ctxt_switches/ && !/non/ {print $2}' /proc/$pid/status)
sleep 3
sw2=$(awk '/voluntary_ctxt_switches/ && !/non/ {print $2}' /proc/$pid/status)
check "at most a couple of wake-ups in 3 s idle ($sw1 -> $sw2)" test $((sw2 - sw1)) -le 3

systemctl stop klpd
cleanup_modules
done_testing
