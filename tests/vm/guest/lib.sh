# Helpers for VM scenarios, sourced by each scenario inside the guest.
# Every wait is bounded and says what it waited for when it gives up.
# Results are TAP lines ("ok - ..." / "not ok - ..."); the host numbers them.

KLPT_MODULES=${KLPT_MODULES:-/usr/lib/klpd-tests/modules}
KLP_SYSFS=/sys/kernel/livepatch
_klpt_failed=0

# The kernel of the matrix this runs on (tests/vm/kernels), and whether it
# has "livepatch: Don't block removal of patches that are safe to unload"
# (upstream since 5.18, or kernel/patches/ applied).
KLPT_KERNEL=$(sed -n 's/^name=//p' /usr/lib/klpd-tests/kernel 2>/dev/null)
# In a "# vm: reboot" scenario, which of its two boots this is (1, 2).
KLPT_PHASE=$(cat /usr/lib/klpd-tests/phase 2>/dev/null)
kernel_has_seed() { grep -qx 'seed=yes' /usr/lib/klpd-tests/kernel 2>/dev/null; }
# skip WHAT MISSING: WHAT is not tested here, since this kernel lacks the
# feature MISSING (say which, and since which release). Never for anything else.
skip() { echo "ok - $1 # SKIP $KLPT_KERNEL has no $2"; }

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; _klpt_failed=1; }
diag() { echo "# $*"; }

# check DESC CMD...: ok when CMD succeeds; its output is shown on failure.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc (exit $?: $*)"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
}

# check_fails DESC CMD...: ok when CMD fails.
check_fails() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		not_ok "$desc (unexpectedly succeeded: $*)"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
	ok "$desc"
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1 (expected '$2', got '$3')"
		return 1
	fi
}

# re_quote STR: STR as an extended regex that matches it literally (a
# kernel release such as 6.12.95+deb12-amd64 holds a '+').
re_quote() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }

# check_match DESC REGEX TEXT: ok when TEXT matches the extended REGEX.
check_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1 (no match for /$2/)"
		printf '%s\n' "$3" | head -n 20 | sed 's/^/#   /'
		return 1
	fi
}

# wait_until SECS DESC CMD...: poll CMD every 0.1 s until it succeeds.
# Silent on success (returns 0); reports not ok on timeout (returns 1).
wait_until() {
	local secs=$1 desc=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	not_ok "timed out after ${secs} s waiting for: $desc"
	return 1
}

sysfs_read() { cat "$1" 2>/dev/null; }

lp_exists() { [ -d "$KLP_SYSFS/$1" ]; }
lp_transition() { sysfs_read "$KLP_SYSFS/$1/transition"; }
lp_enabled() { sysfs_read "$KLP_SYSFS/$1/enabled"; }
lp_in_transition() { [ "$(lp_transition "$1")" = 1 ]; }
_lp_settled() { [ "$(lp_transition "$1")" = 0 ]; }
_lp_gone() { ! lp_exists "$1"; }
# Applied: in sysfs, enabled, no transition running.
_lp_applied() { lp_exists "$1" && [ "$(lp_enabled "$1")" = 1 ] && _lp_settled "$1"; }

# A patch's object on klpd's bus, and its health (busctl's "s \"watching\"").
patch_object() { echo "/org/klpd/livepatch1/patch/$(echo "$1" | sed 's/_/_5f/g')"; }
patch_get() {
	busctl get-property org.klpd.livepatch1 "$(patch_object "$1")" org.klpd.livepatch1.Patch "$2" 2>/dev/null
}
_patch_health_is() { [ "$(patch_get "$1" Health)" = "s \"$2\"" ]; }

# lp_wait_transition P [SECS]: wait until P's transition has ended.
lp_wait_transition() {
	wait_until "${2:-60}" "transition of '$1' to end" _lp_settled "$1"
}

# lp_load MOD [PARAM=V...]: insmod a test livepatch, wait for its transition.
lp_load() {
	local mod=$1
	shift
	insmod "$KLPT_MODULES/$mod.ko" "$@" || { not_ok "insmod $mod failed"; return 1; }
	lp_wait_transition "$mod"
}

# lp_disable P [SECS]: start the unpatch transition and wait for the sysfs
# directory to vanish (the patch is then freed).
lp_disable() {
	echo 0 >"$KLP_SYSFS/$1/enabled" || { not_ok "cannot disable '$1'"; return 1; }
	wait_until "${2:-60}" "'$KLP_SYSFS/$1' to vanish" _lp_gone "$1"
}

mod_loaded() { [ -d "/sys/module/$1" ]; }
mod_refcnt() { sysfs_read "/sys/module/$1/refcnt"; }
_mod_refcnt_is() { [ "$(mod_refcnt "$1")" = "$2" ]; }
_mod_gone() { ! mod_loaded "$1"; }

# mod_wait_refcnt M N [SECS]
mod_wait_refcnt() {
	wait_until "${3:-30}" "refcnt of '$1' to read $2 (reads '$(mod_refcnt "$1")')" \
		_mod_refcnt_is "$1" "$2"
}

# mod_unload M: wait for refcnt 0, then rmmod.
mod_unload() {
	mod_wait_refcnt "$1" 0 || return 1
	rmmod "$1" || { not_ok "rmmod $1 failed"; return 1; }
}

# busy_hold 0|1: hold klpt_busy_target's kthread inside klpt_busy_wait().
busy_hold() { echo "$1" >/sys/module/klpt_busy_target/parameters/hold; }

# cleanup_modules: remove whatever test modules are left, disabling their
# patches first, so that the next scenario in this boot starts clean.
# A pinned module (refcnt 1 after a forced transition) stays: say so.
cleanup_modules() {
	local p m
	[ -e /sys/module/klpt_busy_target ] && busy_hold 0
	for p in "$KLP_SYSFS"/*; do
		[ -d "$p" ] || continue
		p=$(basename "$p")
		lp_wait_transition "$p" 30 >/dev/null
		[ "$(lp_enabled "$p")" = 1 ] && echo 0 >"$KLP_SYSFS/$p/enabled"
		wait_until 30 "'$p' to go" _lp_gone "$p" >/dev/null
	done
	for m in /sys/module/klpt_*; do
		[ -d "$m" ] || continue
		m=$(basename "$m")
		[ "$m" = klpt_busy_target ] && continue
		rmmod "$m" 2>/dev/null || diag "cleanup: $m stays loaded (refcnt $(mod_refcnt "$m"))"
	done
	mod_loaded klpt_busy_target && rmmod klpt_busy_target 2>/dev/null
	return 0
}

# --- Guests the host drives over qemu's user network (tests/fleet/run,
# tests/cockpit/run).

# net_up: the e1000 card at 10.0.2.15, qemu's user network, through
# systemd-networkd; sshd with the host's key for root (AUTHORIZED_KEYS).
net_up() {
	install -d -m 0700 /root/.ssh
	install -m 0600 "$1" /root/.ssh/authorized_keys
	mkdir -p /etc/systemd/network
	printf '[Match]\nName=e*\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\n' \
		>/etc/systemd/network/10-klpd-tests.network
	wait_until 60 "the e1000 card" sh -c 'ls /sys/class/net | grep -q "^e"'
	check "systemd-networkd" systemctl start systemd-networkd
	wait_until 60 "the link up" sh -c 'grep -qx up /sys/class/net/e*/operstate'
	check "sshd" systemctl start ssh
}

# wait_for_host FILE LIMIT: until the host touches FILE (it is done with this
# guest), LIMIT seconds at most. Once a second: the host wants the CPU.
wait_for_host() {
	local waited=0
	while [ ! -e "$1" ] && [ $waited -lt "$2" ]; do
		sleep 1
		waited=$((waited + 1))
	done
	[ -e "$1" ] && ok "the host finished" || not_ok "the host did not finish in $2 s"
}

# klpd's main PID as systemd sees it (0 when not running).
klpd_pid() { systemctl show -p MainPID --value klpd; }

# klpd_kill9: SIGKILL klpd's main process, then wait until systemd has
# restarted it (Restart=on-failure) and the new one said READY=1.
klpd_kill9() {
	local old new i
	old=$(klpd_pid)
	[ "${old:-0}" -gt 0 ] || { not_ok "kill -9: klpd is not running"; return 1; }
	kill -9 "$old"
	for ((i = 0; i < 300; i++)); do
		new=$(klpd_pid)
		if [ "${new:-0}" -gt 0 ] && [ "$new" != "$old" ] && systemctl is-active -q klpd; then
			return 0
		fi
		sleep 0.1
	done
	not_ok "klpd was not restarted within 30 s of kill -9 (MainPID was $old)"
	return 1
}

# busy_start: load the busy target with its kthread held in the function
# that klpt_busy_patch patches, so that the patch's transition stalls.
busy_start() {
	insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1 || { not_ok "insmod klpt_busy_target"; return 1; }
	wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
}

# journal_count SINCE TEXT FIELD=VALUE...: klpd's journal lines since SINCE
# with those fields that contain TEXT.
journal_count() {
	local since=$1 text=$2
	shift 2
	journalctl -u klpd --since "$since" "$@" -o cat | grep -c -F -- "$text"
}

# done_testing: exit status of the scenario.
done_testing() { exit $_klpt_failed; }
