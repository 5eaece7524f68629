#!/bin/bash
# klpd's sandbox: `systemd-analyze security` rates the unit below the
# threshold, the running process really has the sandbox it asks for, and
# klpd still does its whole job inside it: loads (finit_module), sysfs
# writes through the one writable bind mount, module uevents from the kernel
# source in a private network namespace, transitions from /dev/kmsg behind
# PrivateDevices=, blockers read from its own /proc.
. /usr/lib/klpd-tests/lib.sh

# Overall exposure reached with systemd 252; it must not grow (README
# "Security model" explains what is left).
MAX_EXPOSURE=2.5
P=/var/lib/klpd/patches
BUS=org.klpd.livepatch1
MGR=/org/klpd/livepatch1
patch_prop() {
	busctl get-property $BUS "$MGR/patch/$1" org.klpd.livepatch1.Patch "$2" 2>/dev/null
}

out=$(systemd-analyze security klpd.service --no-pager 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for klpd.service: \([0-9.]*\).*/\1/p')
check "systemd-analyze security rates klpd.service" test -n "$score"
check "overall exposure $score <= $MAX_EXPOSURE" awk -v s="$score" -v m=$MAX_EXPOSURE 'BEGIN { exit !(s <= m) }'

install -m 0644 "$KLPT_MODULES/klpt_version.ko" "$KLPT_MODULES/klpt_busy_patch.ko" $P/
since=$(date '+%Y-%m-%d %H:%M:%S')
check "systemctl start klpd" systemctl start klpd
pid=$(systemctl show -P MainPID klpd)

# --- the sandbox, as the kernel sees the process
status=$(cat /proc/$pid/status)
check_match "no new privileges" '^NoNewPrivs:[[:space:]]+1' "$status"
check_match "seccomp filter" '^Seccomp:[[:space:]]+2' "$status"
bnd=$(printf '%s\n' "$status" | awk '/^CapBnd/ {print $2}')
# CAP_DAC_READ_SEARCH 2, CAP_SYS_MODULE 16, CAP_SYS_PTRACE 19, CAP_SYS_ADMIN 21, CAP_SYSLOG 34
check_eq "capability bounding set is exactly the five" \
	"$(printf '%016x' $(((1 << 2) | (1 << 16) | (1 << 19) | (1 << 21) | (1 << 34))))" "$bnd"
mi=/proc/$pid/mountinfo
ro_mount() { awk -v p="$1" '$5 == p { split($6, o, ","); print o[1] }' $mi | tail -n 1; }
check_eq "/ read-only" ro "$(ro_mount /)"
check_eq "/sys read-only" ro "$(ro_mount /sys)"
check_eq "/sys/kernel/livepatch writable" rw "$(ro_mount /sys/kernel/livepatch)"
check_eq "/var/lib/klpd writable" rw "$(ro_mount /var/lib/klpd)"
check_eq "/dev/kmsg read-only" ro "$(ro_mount /dev/kmsg)"
check_fails "no /dev/mem in its /dev" test -e /proc/$pid/root/dev/mem
check "/home/klpt-user exists outside" test -d /home/klpt-user
check_eq "... and /home is empty inside" "" "$(ls -A /proc/$pid/root/home 2>&1)"
check_eq "own network namespace" 1 "$([ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/1/ns/net)" ] && echo 1)"
check_eq "own mount namespace" 1 "$([ "$(readlink /proc/$pid/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] && echo 1)"

# --- the job, inside it
klpctl monitor >/tmp/monitor-52.log 2>&1 &
mon=$!
sleep 0.3
check "load klpt_version (finit_module)" klpctl load klpt_version --wait --timeout 60s
check_eq "applied" 's "applied"' "$(patch_prop klpt_5fversion State)"
wait_until 5 "TransitionStarted from /dev/kmsg" grep -q 'TransitionStarted klpt_version' /tmp/monitor-52.log &&
	ok "transition start read from /dev/kmsg"
check "disable it (write to /sys/kernel/livepatch)" klpctl disable klpt_version --wait --timeout 60s
mod_wait_refcnt klpt_version 0 && check "unload it (delete_module)" klpctl unload klpt_version
check_fails "gone" mod_loaded klpt_version

# An external insmod: the module uevent reaches the kernel source in the
# private network namespace.
check "external insmod klpt_version" insmod "$KLPT_MODULES/klpt_version.ko"
wait_until 2 "klpt_version on the bus" sh -c "busctl introspect $BUS $MGR/patch/klpt_5fversion >/dev/null 2>&1" &&
	ok "external load seen at once"
lp_wait_transition klpt_version
lp_disable klpt_version && mod_unload klpt_version
wait_until 2 "klpt_version off the bus" sh -c "! busctl introspect $BUS $MGR/patch/klpt_5fversion >/dev/null 2>&1" &&
	ok "external unload seen at once"

# A stalled transition: the blocking kthread is visible in its /proc.
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
kpid=$(pgrep -x klpt_busy)
check "load klpt_busy_patch" klpctl load klpt_busy_patch
wait_until 15 "blockers listed" sh -c "busctl get-property $BUS $MGR/patch/klpt_5fbusy_5fpatch org.klpd.livepatch1.Patch Blockers | grep -q klpt_busy" &&
	ok "blocker found through ProtectProc=invisible"
check_match "Blockers: pid, comm and stack" "a\\(uss\\) 1 $kpid \"klpt_busy\" \"[^\"]+\"" \
	"$(patch_prop klpt_5fbusy_5fpatch Blockers)"
check "klpctl revert" klpctl revert klpt_busy_patch
wait_until 15 "reverted" grep -q 'TransitionFinished klpt_busy_patch unpatched reverted' /tmp/monitor-52.log &&
	ok "revert ended as reverted"
busy_hold 0
# klpd refuses the unload until it has seen the kernel free the patch (its
# sysfs directory gone): on a slow guest that comes after the refcount.
mod_wait_refcnt klpt_busy_patch 0 &&
	wait_until 15 "klpd to see the patch gone (no Objects)" sh -c \
		"busctl get-property $BUS $MGR/patch/klpt_5fbusy_5fpatch org.klpd.livepatch1.Patch Objects | grep -qx 'a(sb) 0'" &&
	check "unload klpt_busy_patch" klpctl unload klpt_busy_patch
check "systemctl reload klpd" systemctl reload klpd
check_eq "same process after reload" "$pid" "$(systemctl show -P MainPID klpd)"
kill $mon 2>/dev/null

# Nothing the sandbox refused shows in its log.
log=$(journalctl -u klpd --since "$since" -o cat --no-pager)
if printf '%s\n' "$log" | grep -Eiq 'read-only file system|permission denied|operation not permitted|bad system call'; then
	not_ok "the journal shows a refusal by the sandbox"
	printf '%s\n' "$log" | grep -Ei 'read-only|denied|not permitted|system call' | sed 's/^/#   /'
else
	ok "no EROFS/EPERM/EACCES in klpd's journal"
fi
check_eq "klpd never restarted" "$pid" "$(systemctl show -P MainPID klpd)"

systemctl stop klpd
rm -f $P/klpt_version.ko $P/klpt_busy_patch.ko /tmp/monitor-52.log
cleanup_modules
done_testing
