#!/bin/bash
# MetricsFile= in node_exporter's textfile directory, under the shipped
# hardened unit with no drop-in of its own: Debian's node_exporter serves
# what klpd wrote after a load, a disable with auto-unload and a stall that
# klpd reverts, with no textfile scrape error. The file is replaced
# atomically (mode 0644, no temporary file left), not rewritten when
# nothing changed until MetricsRefresh= is due (then only the stamp moves);
# a write failure is logged once and klpd carries on; a reload with a new
# MetricsFile= writes the new file and leaves the old one; klpd_up 0 is
# what klpd leaves when it stops.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
T=/var/lib/prometheus/node-exporter
F=$T/klpd.prom
NE=prometheus-node-exporter
DEFAULTS=/etc/default/$NE

conf() {
	printf '[Daemon]\nMetricsFile=%s\n[Policy]\nStallTimeout=2s\nOnStall=revert\nUnloadDelay=1s\n' \
		"$1" >$D/56-test.conf
}
# The value of one sample as node_exporter serves it ("" when absent).
sample() { curl -fsS http://127.0.0.1:9100/metrics | awk -v n="$1" '$1 == n { print $2 }'; }
sample_is() { [ "$(sample "$1")" = "$2" ]; }
# wait_sample SECS NAME VALUE: until node_exporter serves it.
wait_sample() {
	wait_until "$1" "$2 to read $3 (reads '$(sample "$2")')" sample_is "$2" "$3" &&
		ok "node_exporter: $2 $3"
}

mkdir -p $D $T
ne_was=$(systemctl is-active $NE)
diag "node_exporter was $ne_was before this scenario"
cp $DEFAULTS /tmp/56-defaults
# Only the textfile collector: a light node_exporter under TCG.
echo "ARGS=\"--collector.disable-defaults --collector.textfile --collector.textfile.directory=$T --web.listen-address=127.0.0.1:9100\"" >$DEFAULTS
check "start node_exporter" systemctl restart $NE
wait_until 30 "node_exporter on port 9100" curl -fsS -o /dev/null http://127.0.0.1:9100/metrics

conf $F
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$KLPT_MODULES/klpt_busy_patch.ko" $P/
rm -f $T/klpd*.prom
check "systemctl start klpd" systemctl start klpd
wait_until 10 "$F written at start" test -s $F
check_eq "mode 0644 (the unit's UMask=0077 notwithstanding)" 644 "$(stat -c %a $F)"
check_match "every counter present at zero" '^klpd_modules_unloaded_total\{reason="external"\} 0$' "$(cat $F)"
wait_sample 10 'klpd_transitions_total{result="completed"}' 0
check_eq "node_exporter: no textfile scrape error" 0 "$(sample node_textfile_scrape_error)"

# A load: its patch and the completed transition.
check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
wait_sample 10 'klpd_patch_info{patch="klpt_cmdline",state="applied"}' 1
check_eq "node_exporter: one completed transition" 1 \
	"$(sample 'klpd_transitions_total{result="completed"}')"
check_eq "node_exporter: duration histogram counted it" 1 \
	"$(sample 'klpd_transition_duration_seconds_count')"
check_eq "node_exporter: ... in the +Inf bucket too" 1 \
	"$(sample 'klpd_transition_duration_seconds_bucket{le="+Inf"}')"
check_eq "node_exporter: no reboot required" 0 "$(sample klpd_reboot_required)"
check_eq "node_exporter: klpd_up 1" 1 "$(sample klpd_up)"
check_eq "node_exporter: klpd_build_info names the running version" 1 \
	"$(sample "klpd_build_info{version=\"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager Version | sed 's/^s "\(.*\)"$/\1/')\"}")"
check_eq "node_exporter: no transition running" 0 "$(sample klpd_transition_running)"
check_eq "node_exporter: the default refresh, 5 min" 300 "$(sample klpd_metrics_refresh_seconds)"

# Nothing changed: a reload rescans but does not rewrite the file.
ino=$(stat -c %i $F)
check "systemctl reload klpd (nothing changed)" systemctl reload klpd
sleep 1
check_eq "file not rewritten when nothing changed" "$ino" "$(stat -c %i $F)"

# A disable, then auto-unload after UnloadDelay=1s.
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
wait_until 20 "klpt_cmdline removed by the policy" _mod_gone klpt_cmdline
wait_sample 10 'klpd_modules_unloaded_total{reason="policy"}' 1
check_eq "node_exporter: the patch is gone" "" "$(sample 'klpd_patch_info{patch="klpt_cmdline",state="applied"}')"
check_eq "node_exporter: disable completed too" 2 "$(sample 'klpd_transitions_total{result="completed"}')"
check_eq "node_exporter: requested unloads still 0" 0 "$(sample 'klpd_modules_unloaded_total{reason="requested"}')"

# A stall that OnStall=revert reverses.
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "load klpt_busy_patch" klpctl load klpt_busy_patch
wait_sample 30 'klpd_transitions_total{result="reverted"}' 1
check_eq "node_exporter: one stall" 1 "$(sample klpd_stalls_total)"
check_eq "node_exporter: klpd_forced_total is gone (transitions_total says it)" "" "$(sample klpd_forced_total)"
check_eq "node_exporter: no policy unload refused" 0 "$(sample 'klpd_unload_failures_total{reason="policy"}')"
check_eq "node_exporter: no requested unload refused" 0 "$(sample 'klpd_unload_failures_total{reason="requested"}')"
check_eq "node_exporter: forced transitions 0" 0 "$(sample 'klpd_transitions_total{result="forced"}')"
# The reverted load leaves its module behind, which the policy removes.
wait_sample 20 'klpd_modules_unloaded_total{reason="policy"}' 2
check_eq "node_exporter: no textfile scrape error after all that" 0 "$(sample node_textfile_scrape_error)"
check_eq "no temporary file left in $T" "" "$(ls $T | grep -v '\.prom$')"
diag "$(grep -v '^#' $F | tr '\n' ' ')"

# A write failure (read-only under ProtectSystem=strict): logged once,
# klpd goes on.
since=$(date '+%Y-%m-%d %H:%M:%S')
conf /etc/klpd/metrics.prom
check "reload with MetricsFile= in read-only /etc" systemctl reload klpd
check "load klpt_cmdline (a change)" klpctl load klpt_cmdline --wait --timeout 60s
check "disable klpt_cmdline (more changes)" klpctl disable klpt_cmdline --wait --timeout 60s
wait_until 20 "klpt_cmdline removed by the policy" _mod_gone klpt_cmdline
check_eq "the failure logged once" 1 \
	"$(journalctl -u klpd --since "$since" -o cat | grep -c 'Cannot write the metrics file /etc/klpd/metrics.prom: Read-only file system')"
check "klpd still running" systemctl is-active klpd
check_eq "no file in /etc/klpd" "" "$(ls /etc/klpd | grep metrics)"

# A new MetricsFile= on reload: written at once, the old file left as it was.
old=$(cat $F)
conf $T/klpd-new.prom
check "reload with a new MetricsFile=" systemctl reload klpd
wait_until 10 "$T/klpd-new.prom written" test -s $T/klpd-new.prom
check_match "the new file has the counters" '^klpd_modules_unloaded_total\{reason="policy"\} 3$' "$(cat $T/klpd-new.prom)"
check_eq "the old file left as it was" "$old" "$(cat $F)"

# MetricsRefresh=: nothing changes, and the file is rewritten with a newer
# stamp and nothing else new.
printf '[Daemon]\nMetricsRefresh=2s\n' >$D/57-refresh.conf
check "reload with MetricsRefresh=2s" systemctl reload klpd
wait_until 10 "the refresh in the file" grep -qx 'klpd_metrics_refresh_seconds 2.000' $T/klpd-new.prom
stamp() { awk '$1 == "klpd_metrics_timestamp_seconds" { print $2 }' $T/klpd-new.prom; }
rest() { grep -v '^klpd_metrics_timestamp_seconds ' $T/klpd-new.prom; }
s0=$(stamp) r0=$(rest)
newer() { [ "$(stamp)" != "$s0" ]; }
wait_until 10 "a rewrite with a new stamp" newer
check "the stamp moved forward" awk -v a="$s0" -v b="$(stamp)" 'BEGIN { exit !(b > a) }'
check_eq "and nothing else changed" "$r0" "$(rest)"

check "systemctl stop klpd" systemctl stop klpd
check_match "klpd_up 0 in the file it leaves" '^klpd_up 0$' "$(cat $T/klpd-new.prom)"
cp /tmp/56-defaults $DEFAULTS
if [ "$ne_was" = active ]; then systemctl restart $NE; else systemctl stop $NE; fi
rm -f $D/56-test.conf $D/57-refresh.conf $T/klpd*.prom $P/klpt_cmdline.ko $P/klpt_busy_patch.ko /tmp/56-defaults
cleanup_modules
done_testing
