#!/bin/bash
# The demo (README's first command runs this one with -v): klpd under systemd
# loads a livepatch, a stalled transition is resolved by policy, and a
# disabled patch's module is unloaded by itself. Each step is also checked.
. /usr/lib/klpd-tests/lib.sh

show() {
	echo "# \$ $*"
	"$@" 2>&1 | sed 's/^/#   /'
	return "${PIPESTATUS[0]}"
}
step() { echo "# ==== $*"; }

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
mkdir -p $D
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$KLPT_MODULES/klpt_busy_patch.ko" $P/

step "a policy: stalls longer than 5 s are reverted, leftovers unloaded after 3 s"
printf '[Policy]\nStallTimeout=5s\nOnStall=revert\nUnloadDelay=3s\n' >$D/50-demo.conf
show cat $D/50-demo.conf
check "klpd --check-config accepts it" klpd --check-config
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
show systemctl status klpd --no-pager --lines=0
show klpctl status

step "load a livepatch and wait for its transition"
check "klpctl load klpt_cmdline --wait" show klpctl load klpt_cmdline --wait --timeout 60s
show cat /proc/cmdline
check_eq "/proc/cmdline runs the patched code" "klpt_cmdline: patched" "$(cat /proc/cmdline)"
show klpctl list

step "a patch whose transition stalls: a kthread sleeps in the function it replaces"
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
show klpctl load klpt_busy_patch --wait --timeout 60s
check_eq "the stalled load was reverted by policy" 0 "$(lp_exists klpt_busy_patch && echo 1 || echo 0)"
show journalctl -u klpd --since "$since" --no-pager -o cat KLPD_PATCH=klpt_busy_patch
check_match "the journal says why" "OnStall=revert" \
	"$(journalctl -u klpd --since "$since" -o cat KLPD_PATCH=klpt_busy_patch KLPD_ACTION=revert)"

step "disable a patch: klpd unloads its module once that is safe"
check "klpctl disable klpt_cmdline --wait" show klpctl disable klpt_cmdline --wait --timeout 60s
show klpctl list
wait_until 20 "klpt_cmdline and klpt_busy_patch to be unloaded" \
	sh -c '! test -e /sys/module/klpt_cmdline && ! test -e /sys/module/klpt_busy_patch' &&
	ok "both leftover modules were unloaded by klpd"
show journalctl -u klpd --since "$since" --no-pager -o cat KLPD_ACTION=unload
show klpctl status

systemctl stop klpd
rm -f $D/50-demo.conf $P/klpt_cmdline.ko $P/klpt_busy_patch.ko
cleanup_modules
done_testing
