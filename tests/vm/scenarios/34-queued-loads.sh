#!/bin/bash
# vm: matrix
# Two loads back to back while the first transition stalls: the second is
# queued (not failed) and applied once the first has finished.
. /usr/lib/klpd-tests/lib.sh

P=/var/lib/klpd/patches
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" "$KLPT_MODULES/klpt_cmdline.ko" "$P/"
check "systemctl start klpd" systemctl start klpd
check "busy target held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy

klpctl monitor >/tmp/monitor.log 2>&1 &
mon=$!
sleep 0.3
check "load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
check "load klpt_cmdline right after: accepted" klpctl load klpt_cmdline
check_fails "klpt_cmdline not loaded yet" mod_loaded klpt_cmdline
check_match "STATUS counts the queued load" "1 queued" "$(systemctl show -P StatusText klpd)"
check_match "journal says it was queued" "Queued load of '$P/klpt_cmdline.ko'" \
	"$(journalctl -u klpd -o cat --no-pager KLPD_PATCH=klpt_cmdline)"
sleep 2
check_fails "still not loaded while the first stalls" mod_loaded klpt_cmdline

busy_hold 0
wait_until 20 "klpt_cmdline applied" sh -c "grep -q 'TransitionFinished klpt_cmdline patched completed' /tmp/monitor.log" &&
	ok "queued load applied after the first finished"
kill $mon
check_eq "order of the signals" \
	"TransitionStarted klpt_busy_patch patched
TransitionFinished klpt_busy_patch patched completed
TransitionStarted klpt_cmdline patched
TransitionFinished klpt_cmdline patched completed" \
	"$(grep '^Transition' /tmp/monitor.log | sed 's/ completed .*/ completed/')"
check_eq "/proc/cmdline patched" "klpt_cmdline: patched" "$(cat /proc/cmdline)"

systemctl stop klpd
rm -f "$P/klpt_busy_patch.ko" "$P/klpt_cmdline.ko"
cleanup_modules
done_testing
