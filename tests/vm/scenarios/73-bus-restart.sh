#!/bin/bash
# The system bus goes away (dbus-daemon killed): klpd keeps running, its
# policy work goes on (a pending auto-unload happens on time), and it is
# back on the bus when dbus-daemon is (socket activation restarts it when
# klpd reconnects).
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
mkdir -p $D
printf '[Policy]\nUnloadDelay=8s\n' >$D/73-test.conf
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/

check "start klpd" systemctl start klpd
pid=$(klpd_pid)
check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
t0=$(date +%s)
since=$(date '+%Y-%m-%d %H:%M:%S')
dbus_pid=$(systemctl show -p MainPID --value dbus)
check "kill dbus-daemon" kill -9 "$dbus_pid"
wait_until 30 "klpt_cmdline removed" _mod_gone klpt_cmdline && ok "policy went on: module unloaded"
d=$(($(date +%s) - t0))
[ $d -ge 6 ] && [ $d -le 14 ] && ok "unloaded $d s after the disable (UnloadDelay=8s)" ||
	not_ok "unloaded $d s after the disable (want about 8)"
check_eq "same klpd process" "$pid" "$(klpd_pid)"
_on_bus() { klpctl status >/dev/null 2>&1; }
wait_until 60 "klpd back on the bus" _on_bus && ok "klpctl status works again"
check_match "journal: lost the bus" "Lost the connection to the system bus" "$(journalctl -u klpd --since "$since" -o cat)"
check_match "journal: connected again" "Connected to the system bus again" "$(journalctl -u klpd --since "$since" -o cat)"
check "a new dbus-daemon runs" sh -c "[ \"\$(systemctl show -p MainPID --value dbus)\" -gt 0 ]"
check "klpctl load works over the new bus" klpctl load klpt_cmdline --wait --timeout 60s
check "klpctl disable too" klpctl disable klpt_cmdline --wait --timeout 60s

systemctl stop klpd
rm -f $D/73-test.conf $P/klpt_cmdline.ko
cleanup_modules
done_testing
