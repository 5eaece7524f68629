#!/bin/bash
# Events klpd cannot have seen are reconciled by a rescan of the kernel:
#  - a kmsg overflow: klpd is stopped (SIGSTOP) while a transition ends and
#    the kernel log is flooded past its ring buffer; when klpd runs again,
#    the records it missed are gone (EPIPE), it says so and reads sysfs;
#  - modules loaded and removed while klpd is not running at all.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
BP=/org/klpd/livepatch1/patch
patch_state() { busctl get-property org.klpd.livepatch1 "$BP/$1" org.klpd.livepatch1.Patch State 2>/dev/null; }
mkdir -p $D
printf '[Policy]\nOnStall=wait\nStallTimeout=1h\nUnloadDelay=1h\n' >$D/71-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" $P/

# --- kmsg overflow
check "start klpd" systemctl start klpd
busy_start
check "load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
wait_until 10 "klpd to see the transition" sh -c "klpctl status | grep -q 'State: transition'"
pid=$(klpd_pid)
since=$(date '+%Y-%m-%d %H:%M:%S')
kill -STOP "$pid"
busy_hold 0
lp_wait_transition klpt_busy_patch 30
# Debug level: not echoed on the serial console. One open file, so the
# kernel's per-writer rate limit is turned off for the flood.
old_devkmsg=$(cat /proc/sys/kernel/printk_devkmsg)
echo on >/proc/sys/kernel/printk_devkmsg
line=$(printf '%0180d' 0)
exec 7>/dev/kmsg
for ((i = 0; i < 12000; i++)); do echo "<7>klpd-test flood $i $line" >&7; done
exec 7>&-
echo "$old_devkmsg" >/proc/sys/kernel/printk_devkmsg
check_fails "the transition's end is no longer in the kernel log" sh -c "dmesg | grep -q \"'klpt_busy_patch': patching complete\""
kill -CONT "$pid"
_lost_said() { [ "$(journal_count "$since" "Kernel log records were lost")" -ge 1 ]; }
wait_until 10 "klpd to notice the lost records" _lost_said && ok "klpd says records were lost"
_applied_on_bus() { [ "$(patch_state klpt_5fbusy_5fpatch)" = 's "applied"' ]; }
wait_until 10 "klpt_busy_patch applied on the bus" _applied_on_bus && ok "the rescan found the transition over"
check_match "manager idle" "State: idle" "$(klpctl status)"
check_eq "same klpd process" "$pid" "$(klpd_pid)"
systemctl stop klpd
cleanup_modules

# --- while klpd is stopped: one module comes and goes, another comes
check "klpd stopped" sh -c "! systemctl is-active -q klpd"
lp_load klpt_cmdline
lp_disable klpt_cmdline
mod_unload klpt_cmdline
lp_load klpt_version
since=$(date '+%Y-%m-%d %H:%M:%S')
check "start klpd" systemctl start klpd
check_eq "klpt_version found applied" 's "applied"' "$(patch_state klpt_5fversion)"
la=$(busctl get-property org.klpd.livepatch1 "$BP/klpt_5fversion" org.klpd.livepatch1.Patch LoadedAt | cut -d' ' -f2)
now=$(date +%s)
[ "$((la / 1000000))" -ge $((now - 300)) ] && [ "$((la / 1000000))" -le "$now" ] &&
	ok "LoadedAt from the kernel log's 'enabling patch' record ($la)" ||
	not_ok "LoadedAt is '$la', not a time of the last minutes (now $now)"
check_fails "no object for klpt_cmdline" busctl introspect org.klpd.livepatch1 "$BP/klpt_5fcmdline" org.klpd.livepatch1.Patch
check_eq "klpctl list: only klpt_version" "klpt_version" \
	"$(klpctl --json list | jq -r '.[].name' 2>/dev/null | grep klpt_ | tr '\n' ' ' | sed 's/ $//')"
check_eq "nothing logged at error level" "" "$(journalctl -u klpd --since "$since" -p err -o cat)"

systemctl stop klpd
rm -f $D/71-test.conf $P/klpt_busy_patch.ko
cleanup_modules
done_testing
