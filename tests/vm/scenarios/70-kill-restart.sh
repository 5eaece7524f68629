#!/bin/bash
# kill -9 of klpd at five points; systemd restarts it (Restart=on-failure)
# and the end state is the one without the kill, each policy action done
# exactly once:
#   1. a load queued behind a stalled transition (the queue is persisted),
#   2. a transition in progress,
#   3. a stall deadline pending (counted from the transition's real start,
#      which the restarted klpd reads from the kernel log),
#   4. an unload delay pending,
#   5. a reload of a changed configuration.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
Q=/var/lib/klpd/load-queue
BP=/org/klpd/livepatch1/patch
patch_state() { busctl get-property org.klpd.livepatch1 "$BP/$1" org.klpd.livepatch1.Patch State 2>/dev/null; }
_applied() { lp_exists "$1" && _lp_settled "$1"; }
mkdir -p $D
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" "$KLPT_MODULES/klpt_cmdline.ko" $P/
systemctl reset-failed klpd 2>/dev/null

# --- 1. a queued load
printf '[Policy]\nOnStall=wait\nStallTimeout=1h\nUnloadDelay=1h\n' >$D/70-test.conf
check "start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
busy_start
check "load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
check "load klpt_cmdline: queued" klpctl load klpt_cmdline
check_match "the queue is in the state directory" "^klpt_cmdline hand $P/klpt_cmdline.ko\$" "$(cat $Q 2>&1)"
klpd_kill9 && ok "killed with a load queued; restarted"
_requeued() { [ "$(journal_count "$since" "was queued when klpd stopped: queued again" KLPD_PATCH=klpt_cmdline)" = 1 ]; }
wait_until 10 "the restarted klpd to queue it again" _requeued && ok "queued again after the restart"
check_fails "klpt_cmdline not loaded during the transition" mod_loaded klpt_cmdline
check "still in the queue file" grep -q '^klpt_cmdline ' $Q
busy_hold 0
wait_until 60 "klpt_cmdline applied" _applied klpt_cmdline && ok "the queued load ran once the transition ended"
check_eq "loaded exactly once" 1 "$(journal_count "$since" "Loaded 'klpt_cmdline'" KLPD_PATCH=klpt_cmdline)"
wait_until 10 "the queue file gone" sh -c "! test -e $Q" && ok "queue file removed when empty"
# A queue file naming a module that is loaded already (the crash came right
# after the insert): not loaded twice.
systemctl stop klpd
printf 'klpt_cmdline hand %s\n' "$P/klpt_cmdline.ko" >$Q
since=$(date '+%Y-%m-%d %H:%M:%S')
check "start klpd with a stale queue entry" systemctl start klpd
_stale() { [ "$(journal_count "$since" "not loaded again" KLPD_PATCH=klpt_cmdline)" = 1 ]; }
wait_until 10 "the stale entry dropped" _stale && ok "stale entry: already loaded, not loaded again"
check "queue file removed" sh -c "! test -e $Q"
systemctl stop klpd
cleanup_modules

# A queued load that cannot be done after the restart (its file went away)
# is not dropped silently: a waiting `klpctl load --wait` gets LoadFailed.
check "start klpd" systemctl start klpd
busy_start
check "load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
klpctl load klpt_cmdline --wait --timeout 60s >/tmp/70-wait.out 2>&1 &
wpid=$!
wait_until 10 "klpt_cmdline in the queue file" grep -q '^klpt_cmdline ' $Q
rm $P/klpt_cmdline.ko
klpd_kill9 && ok "killed with a queued load whose file is gone; restarted"
wait $wpid
check_eq "the waiting klpctl load ends with exit status 4" 4 "$?"
check_match "... saying why" "the queued load of 'klpt_cmdline' failed: .*klpt_cmdline.ko" "$(cat /tmp/70-wait.out)"
check_fails "klpt_cmdline not loaded" mod_loaded klpt_cmdline
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/
systemctl stop klpd
cleanup_modules

# --- 2. during a transition: it ends while klpd is down or restarting
check "start klpd" systemctl start klpd
busy_start
check "load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
wait_until 10 "klpd to see the transition" sh -c "klpctl status | grep -q 'State: transition'"
old=$(klpd_pid)
kill -9 "$old"
busy_hold 0
lp_wait_transition klpt_busy_patch 30
_restarted() { p=$(klpd_pid); [ "${p:-0}" -gt 0 ] && [ "$p" != "$old" ] && systemctl is-active -q klpd; }
wait_until 30 "klpd restarted" _restarted && ok "restarted after a kill during the transition"
_applied_on_bus() { [ "$(patch_state klpt_5fbusy_5fpatch)" = 's "applied"' ]; }
wait_until 10 "klpt_busy_patch applied on the bus" _applied_on_bus && ok "klpd reports it applied"
check_match "manager idle" "State: idle" "$(klpctl status)"
systemctl stop klpd
cleanup_modules

# --- 3. a stall deadline pending: the revert comes StallTimeout after the
# transition's start, not after the restart.
printf '[Policy]\nOnStall=revert\nStallTimeout=8s\nUnloadDelay=1h\n' >$D/70-test.conf
check "start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
busy_start
t0=$(date +%s)
check "load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
sleep 4
klpd_kill9 && ok "killed 4 s into the transition; restarted"
_reverted() { ! lp_exists klpt_busy_patch; }
wait_until 30 "the transition reverted" _reverted && ok "reverted by the restarted klpd"
d=$(($(date +%s) - t0))
[ $d -le 11 ] && ok "reverted $d s after the start (StallTimeout=8s, counted from the real start)" ||
	not_ok "reverted $d s after the start: the restart reset the stall deadline"
check_eq "revert applied exactly once" 1 "$(journal_count "$since" "OnStall=revert" KLPD_ACTION=revert KLPD_PATCH=klpt_busy_patch)"
systemctl stop klpd
cleanup_modules

# --- 4. an unload delay pending
printf '[Policy]\nUnloadDelay=10s\n' >$D/70-test.conf
check "start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
t0=$(date +%s)
sleep 4
klpd_kill9 && ok "killed 4 s into the unload delay; restarted"
wait_until 30 "klpt_cmdline removed" _mod_gone klpt_cmdline && ok "unloaded by the restarted klpd"
d=$(($(date +%s) - t0))
[ $d -ge 9 ] && [ $d -le 14 ] && ok "unloaded $d s after the disable (UnloadDelay=10s kept)" ||
	not_ok "unloaded $d s after the disable (want about 10)"
check_eq "unloaded exactly once" 1 "$(journal_count "$since" "UnloadDelay=10s" KLPD_ACTION=unload KLPD_PATCH=klpt_cmdline)"
systemctl stop klpd
cleanup_modules

# --- 5. during a reload: the restarted klpd runs the new configuration
printf '[Policy]\nAutoUnload=no\n' >$D/70-test.conf
check "start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
sleep 2
check "AutoUnload=no keeps it" mod_loaded klpt_cmdline
printf '[Policy]\nAutoUnload=yes\nUnloadDelay=1s\n' >$D/70-test.conf
old=$(klpd_pid)
kill -HUP "$old"
kill -9 "$old"
wait_until 30 "klpd restarted" _restarted && ok "restarted after a kill during the reload"
wait_until 20 "klpt_cmdline removed" _mod_gone klpt_cmdline && ok "the new policy unloaded it"
check_eq "unloaded exactly once" 1 "$(journal_count "$since" "UnloadDelay=1s" KLPD_ACTION=unload KLPD_PATCH=klpt_cmdline)"

systemctl stop klpd
systemctl reset-failed klpd 2>/dev/null
rm -f $D/70-test.conf $P/klpt_busy_patch.ko $P/klpt_cmdline.ko $Q
cleanup_modules
done_testing
