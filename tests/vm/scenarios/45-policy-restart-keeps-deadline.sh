#!/bin/bash
# Unload deadlines survive a restart: with UnloadDelay=20s, a restart of klpd
# 8 s after the disable does not push the unload to 20 s after the restart.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
mkdir -p $D
printf '[Policy]\nUnloadDelay=20s\n' >$D/40-test.conf
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/
check "systemctl start klpd" systemctl start klpd
check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
t0=$(date +%s)
wait_until 10 "the deadline persisted" grep -q '^klpt_cmdline [0-9]' /var/lib/klpd/leftovers &&
	ok "state directory records the leftover"
sleep 8
check "restart klpd" systemctl restart klpd
check "still loaded after the restart" mod_loaded klpt_cmdline
wait_until 40 "klpt_cmdline removed" _mod_gone klpt_cmdline && ok "module gone"
t1=$(date +%s)
d=$((t1 - t0))
[ $d -ge 18 ] && [ $d -le 25 ] && ok "unloaded $d s after the disable: the deadline was kept" ||
	not_ok "unloaded $d s after the disable (want about 20)"
wait_until 10 "entry dropped" sh -c "! grep -q klpt_cmdline /var/lib/klpd/leftovers" && ok "entry dropped"

# A malformed file is ignored, never a crash.
echo 'klpt_cmdline soon' >/var/lib/klpd/leftovers
check "restart with a malformed state file" systemctl restart klpd
check "klpd runs" systemctl is-active klpd

systemctl stop klpd
rm -f $D/40-test.conf $P/klpt_cmdline.ko
cleanup_modules
done_testing
