#!/bin/bash
# A refused configuration never keeps klpd down. With a typo in klpd.conf at
# start, klpd runs on the built-in defaults (nothing saved yet) or on the
# last configuration it accepted (saved in its state directory), still loads
# the boot-time patches, and says so in STATUS=, the journal (every
# file:line error), the Manager's ConfigurationSource/ConfigurationErrors,
# the metrics and klpctl status. `systemctl reload klpd` fails on a refused
# file and keeps the running policy, succeeds on a good one and clears the
# refusal everywhere; `klpd --check-config` still fails on the bad file.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
C=$D/48-test.conf
P=/var/lib/klpd/patches
B=$P/$(uname -r)
S=/var/lib/klpd/last-valid.conf
F=/var/lib/prometheus/node-exporter/48-klpd.prom
M=org.klpd.livepatch1.Manager
MID_REFUSED=c81b4e07d2a34f6b9e5d0a7f13c62e94
mgr() { busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 $M "$1"; }
status_text() { systemctl show -P StatusText klpd; }
metric() { awk -v n="$1" '$1 == n { print $2 }' $F 2>/dev/null; }
_metric_is() { [ "$(metric "$1")" = "$2" ]; }
_cmdline_applied() { lp_exists klpt_cmdline && _lp_settled klpt_cmdline; }
refused_journal() { journalctl -u klpd --since "$1" MESSAGE_ID=$MID_REFUSED -o cat; }
_refused_logged() { refused_journal "$1" | grep -q .; }
# restart_klpd DESC: restart klpd from a clean kernel, as at boot.
restart_klpd() {
	systemctl stop klpd
	cleanup_modules
	check "$1" systemctl restart klpd
	check_eq "... klpd is active" active "$(systemctl is-active klpd)"
	wait_until 60 "the boot-time load of klpt_cmdline" _cmdline_applied &&
		ok "... and loaded klpt_cmdline at boot (LoadAtBoot)"
}

systemctl stop klpd
cleanup_modules
systemctl reset-failed klpd 2>/dev/null
rm -f $S $F $P/klpt_busy_patch.ko
mkdir -p $D $B /var/lib/prometheus/node-exporter
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $B/

# --- (a) a typo, nothing saved yet: the built-in defaults
printf '[Daemon]\nLoadAtBoot=yes\n[Policy]\nStalTimeout=5s\nOnStall=sometimes\n' >$C
since=$(date '+%Y-%m-%d %H:%M:%S')
restart_klpd "systemctl restart klpd with a typo in the configuration"
check_eq "not restarted in a loop" 0 "$(systemctl show -P NRestarts klpd)"
wait_until 10 "STATUS= to show the boot-time load" sh -c "systemctl show -P StatusText klpd | grep -q 'idle, 1 applied'"
check_match "STATUS= says so first" \
	"^Configuration refused, running on the built-in defaults \\(see journalctl -u klpd\\); idle, 1 applied" \
	"$(status_text)"
wait_until 10 "the refusal in the journal" _refused_logged "$since"
out=$(refused_journal "$since")
check_match "journal: refused, on the defaults" "^Configuration refused, running on the built-in defaults" "$out"
check_match "journal: the first file:line error" \
	"^$C:4: unknown key 'StalTimeout' in section 'Policy'$" "$out"
check_match "journal: the second one too" \
	"^$C:5: key 'OnStall' in section 'Policy': value 'sometimes' must be one of wait, revert, force$" "$out"
check_eq "journal: at priority err" 1 "$(journalctl -u klpd --since "$since" MESSAGE_ID=$MID_REFUSED -p err -o cat | grep -c '^Configuration refused')"
check_eq "ConfigurationSource" 's "defaults"' "$(mgr ConfigurationSource)"
check_match "ConfigurationErrors: every error" \
	"^as 2 \"$C:4: unknown key .*StalTimeout.*\" \"$C:5: key .*OnStall.* value .*sometimes" \
	"$(mgr ConfigurationErrors)"
out=$(klpctl status)
klpctl check >/tmp/48-check.out
check_eq "klpctl check: a refused configuration is 13" 13 "$?"
check_match "... saying so" "^config-refused: klpd refused its configuration files" "$(cat /tmp/48-check.out)"
check_match "klpctl status: Config: refused" \
	"^ +Config: refused, running on the built-in defaults \\(see journalctl -u klpd\\)$" "$out"
check_match "klpctl status: with the errors" "^ +$C:5: key 'OnStall'" "$out"
check_match "klpctl --json status" \
	"\"config_source\":\"defaults\",\"config_refused\":true,\"config_errors\":\\[\"$C:4: unknown key" \
	"$(klpctl --json status)"
check_fails "nothing saved as the last valid one" test -e $S
# (d) the check still refuses it
out=$(klpd --check-config 2>&1)
check_eq "klpd --check-config on the bad file: exit 1" 1 "$?"
check_match "... with file:line" "^$C:4: unknown key 'StalTimeout'" "$out"

# --- (b) a valid configuration (not the defaults) is accepted and saved;
# a typo at the next start runs on it
printf '[Daemon]\nLoadAtBoot=yes\nMetricsFile=%s\n[Policy]\nStallTimeout=2s\nOnStall=wait\n' $F >$C
check "reload with a valid file" systemctl reload klpd
check_eq "ConfigurationSource: files" 's "files"' "$(mgr ConfigurationSource)"
check_eq "ConfigurationErrors: none" "as 0" "$(mgr ConfigurationErrors)"
check_match "STATUS= no longer says refused" "^idle, 1 applied" "$(status_text)"
check_fails "klpctl status: no Config: line" sh -c "klpctl status | grep -q Config:"
check_match "klpctl --json status: not refused" '"config_source":"files","config_refused":false,"config_errors":\[\]' \
	"$(klpctl --json status)"
wait_until 10 "the metric klpd_config_refused 0" _metric_is klpd_config_refused 0 && ok "metric: klpd_config_refused 0"
check_match "metric: source files" '^klpd_config_source_info\{source="files"\} 1$' "$(cat $F)"
check "saved as the last valid one" grep -qx 'OnStall=wait' $S
check_eq "the saved file is root's, 0644" "644 0" "$(stat -c '%a %u' $S)"

printf '[Daemon]\nLoadAtBoot=yes\nMetricsFile=%s\n[Policy]\nStallTimeout=2s\nOnStall=wiat\n' $F >$C
since=$(date '+%Y-%m-%d %H:%M:%S')
restart_klpd "systemctl restart klpd with a typo after a valid one"
check_eq "ConfigurationSource: last-valid" 's "last-valid"' "$(mgr ConfigurationSource)"
check_match "ConfigurationErrors" "^as 1 \"$C:6: key .*OnStall.* value .*wiat.* must be" "$(mgr ConfigurationErrors)"
check_match "STATUS=" "^Configuration refused, running on the last valid one \\(see journalctl -u klpd\\); " "$(status_text)"
wait_until 10 "the refusal in the journal" _refused_logged "$since"
check_match "journal: on the last valid one, with file:line" \
	"^$C:6: key 'OnStall' in section 'Policy': value 'wiat' must be" "$(refused_journal "$since")"
check_match "journal: running on the last valid one" "^Configuration refused, running on the last valid one" \
	"$(refused_journal "$since")"
wait_until 10 "the metric klpd_config_refused 1" _metric_is klpd_config_refused 1 &&
	ok "metric: klpd_config_refused 1 (MetricsFile= of the last valid one)"
check_match "metric: source last-valid" '^klpd_config_source_info\{source="last-valid"\} 1$' "$(cat $F)"
check_match "klpctl status" "^ +Config: refused, running on the last valid one \\(see journalctl -u klpd\\)$" \
	"$(klpctl status)"
check_match "klpctl --json status" '"config_source":"last-valid","config_refused":true' "$(klpctl --json status)"

# The saved policy is in force: StallTimeout=2s and OnStall=wait, not the
# defaults' 60s and revert.
busy_start
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" $P/
klpctl monitor >/tmp/48-monitor.log 2>&1 &
mon=$!
sleep 0.3
check "load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
check_eq "StallAction: wait (the saved OnStall=)" 's "wait"' "$(mgr StallAction)"
wait_until 20 "PolicyApplied wait" grep -q "PolicyApplied klpt_busy_patch wait" /tmp/48-monitor.log &&
	ok "stalled after 2 s and left alone: the saved policy is in force"
check "not reverted" sh -c "! grep -q 'PolicyApplied klpt_busy_patch revert' /tmp/48-monitor.log"
busy_hold 0
lp_wait_transition klpt_busy_patch 30 && ok "the transition completes once the kthread is free"

# --- (c) systemctl reload fails on the refused file, the policy stays
since=$(date '+%Y-%m-%d %H:%M:%S')
check_fails "systemctl reload klpd with the bad file fails" systemctl reload klpd
check_eq "klpd still active" active "$(systemctl is-active klpd)"
check_eq "still on the last valid one" 's "last-valid"' "$(mgr ConfigurationSource)"
out=$(klpctl reload 2>&1)
check_eq "klpctl reload: exit 4" 4 "$?"
check_match "... ConfigRefused with file:line" "$C:6: key 'OnStall'" "$out"
check_match "... named" "ConfigRefused" "$out"
check_match "journal: the reload kept the running one" "^Configuration refused, keeping the running one \\(the last valid one\\)" \
	"$(journalctl -u klpd --since "$since" KLPD_ACTION=reload -o cat)"

# a good one: reload succeeds, the new policy is in force, the refusal clears
printf '[Daemon]\nLoadAtBoot=yes\nMetricsFile=%s\n[Policy]\nStallTimeout=3s\nOnStall=revert\n' $F >$C
check "systemctl reload klpd with a good file" systemctl reload klpd
check_eq "ConfigurationSource: files" 's "files"' "$(mgr ConfigurationSource)"
check_eq "ConfigurationErrors: none" "as 0" "$(mgr ConfigurationErrors)"
check_match "STATUS= cleared" "^idle, " "$(status_text)"
check_fails "klpctl status: no Config: line" sh -c "klpctl status | grep -q Config:"
wait_until 10 "the metric klpd_config_refused 0" _metric_is klpd_config_refused 0 && ok "metric cleared"
check "the new one saved" grep -qx 'OnStall=revert' $S
p0=$(cat /sys/module/klpt_busy_target/parameters/patched_calls)
grew() { [ "$(cat /sys/module/klpt_busy_target/parameters/patched_calls)" -gt "$p0" ]; }
wait_until 10 "the kthread to run the new function" grew
busy_hold 1
sleep 0.5
check "klpctl disable klpt_busy_patch (stalls)" klpctl disable klpt_busy_patch
wait_until 20 "reverted" grep -q "TransitionFinished klpt_busy_patch patched reverted" /tmp/48-monitor.log &&
	ok "the new policy (OnStall=revert) is in force"
busy_hold 0
kill $mon

# a refused reload while running on the files: the next restart runs on
# the one that was running, not on the defaults. (A long StallTimeout=: the
# transition of the boot-time load below may be dated from an older kmsg
# record of the same patch.)
printf '[Daemon]\nLoadAtBoot=yes\nMetricsFile=%s\n[Policy]\nStallTimeout=5min\n' $F >$C
check "systemctl reload klpd with StallTimeout=5min" systemctl reload klpd
printf '[Policy]\nOnStall=never\n' >$C
check_fails "systemctl reload klpd with another bad file" systemctl reload klpd
check_eq "refused: running on the last valid one" 's "last-valid"' "$(mgr ConfigurationSource)"
rm -f $P/klpt_busy_patch.ko
restart_klpd "systemctl restart klpd after the refused reload"
check_eq "ConfigurationSource after the restart" 's "last-valid"' "$(mgr ConfigurationSource)"
wait_until 10 "the metric klpd_config_refused 1" _metric_is klpd_config_refused 1 &&
	ok "... with its MetricsFile=, which says refused"

# a damaged saved configuration is not used: the defaults, and why
echo 'klpd-config-snapshot 1' >$S
since=$(date '+%Y-%m-%d %H:%M:%S')
restart_klpd "systemctl restart klpd with a damaged saved configuration"
check_eq "ConfigurationSource: defaults" 's "defaults"' "$(mgr ConfigurationSource)"
check_match "journal: why the saved one is ignored" "^Ignoring the last valid configuration $S: truncated" \
	"$(journalctl -u klpd --since "$since" -o cat)"

systemctl stop klpd
cleanup_modules
systemctl reset-failed klpd 2>/dev/null
rm -f $C $S $F $B/klpt_cmdline.ko
done_testing
