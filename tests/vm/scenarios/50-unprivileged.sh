#!/bin/bash
# Who may do what: an unprivileged user reads everything and changes
# nothing. Every method of org.klpd.livepatch1.Manager (they all change
# something) is refused with AccessDenied, by the bus policy for a non-root
# user and by klpd itself for root without CAP_SYS_MODULE, and leaves the
# kernel as it was. Each method has a real target: an applied patch
# (Disable), a disabled leftover (Unload), a stalled transition (Revert,
# Force), a loadable module (Load).
. /usr/lib/klpd-tests/lib.sh

U=klpt-user
P=/var/lib/klpd/patches
D=/etc/klpd/klpd.conf.d
BUS=org.klpd.livepatch1
MGR=/org/klpd/livepatch1
IF=org.klpd.livepatch1.Manager
as_user() { runuser -u $U -- "$@"; }
# root, but without CAP_SYS_MODULE: the bus lets it through, klpd must not.
as_capless_root() { setpriv --bounding-set=-sys_module -- "$@"; }
# dbus-send names the error it got ("Error org.freedesktop.DBus.Error.X: ...").
send() { dbus-send --system --print-reply --dest=$BUS $MGR "$IF.$1" "${@:2}" 2>&1; }

# What must not change: loaded modules, patches, each one's enabled and
# transition, the refcounts of the test modules.
snapshot() {
	local p m
	ls /sys/module
	for p in "$KLP_SYSFS"/*; do
		[ -d "$p" ] && echo "$(basename "$p") enabled=$(cat "$p/enabled") transition=$(cat "$p/transition")"
	done
	for m in /sys/module/klpt_*; do
		[ -d "$m" ] && echo "$(basename "$m") refcnt=$(cat "$m/refcnt")"
	done
}
unchanged() {
	local after
	after=$(snapshot)
	if [ "$after" = "$before" ]; then
		ok "$1: kernel unchanged"
	else
		not_ok "$1: kernel changed"
		diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
	fi
}

check "$U exists and is not root" test "$(id -u $U)" -gt 0
mkdir -p $D
# Nothing may end the stalled transition or remove the leftover but us.
printf '[Policy]\nStallTimeout=infinity\nOnStall=wait\nAutoUnload=no\n' >$D/50-test.conf
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$KLPT_MODULES/klpt_version.ko" \
	"$KLPT_MODULES/klpt_busy_patch.ko" "$KLPT_MODULES/klpt_replace.ko" $P/
check "systemctl start klpd" systemctl start klpd
pid=$(systemctl show -P MainPID klpd)

# --- targets
check "klpt_cmdline applied" klpctl load klpt_cmdline --wait --timeout 60s
check "klpt_version loaded" klpctl load klpt_version --wait --timeout 60s
check "klpt_version disabled: a leftover for Unload" klpctl disable klpt_version --wait --timeout 60s
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "klpctl load klpt_busy_patch (stalls)" klpctl load klpt_busy_patch
wait_until 10 "klpt_busy_patch in transition" lp_in_transition klpt_busy_patch &&
	ok "klpt_busy_patch is in a transition that cannot finish"
sleep 1
before=$(snapshot)
diag "before: $(echo "$before" | grep -E '^klpt_' | tr '\n' ' ')"

# --- every mutating method, as an unprivileged user: the bus refuses it.
deny_user() {
	local what=$1 out
	shift
	out=$(as_user dbus-send --system --print-reply --dest=$BUS $MGR "$IF.$what" "$@" 2>&1)
	check_match "$U: $what is AccessDenied" '^Error org\.freedesktop\.DBus\.Error\.AccessDenied: ' "$out"
	unchanged "$U: $what"
}
deny_user Load string:klpt_replace uint64:0
deny_user Load string:$P/klpt_replace.ko uint64:0
deny_user Disable string:klpt_cmdline
deny_user Revert string:klpt_busy_patch
deny_user Force string:klpt_busy_patch
deny_user Unload string:klpt_version
deny_user Reload

# busctl says the same in its words (it prints the message of a well-known
# error, not the bus daemon's rule).
for call in "Load st klpt_replace 0" "Disable s klpt_cmdline" "Revert s klpt_busy_patch" \
	"Force s klpt_busy_patch" "Unload s klpt_version" "Reload"; do
	# shellcheck disable=SC2086
	out=$(as_user busctl call $BUS $MGR $IF $call 2>&1)
	check_eq "$U: busctl call ${call%% *} fails" 1 "$?"
	check_match "... Access denied" 'Access denied' "$out"
done
unchanged "$U: busctl calls"

# Properties.Set is not allowed either (and there is nothing to set).
out=$(as_user busctl set-property $BUS $MGR/patch/klpt_5fcmdline org.klpd.livepatch1.Patch Enabled b false 2>&1)
check_eq "$U: set-property fails" 1 "$?"
check_match "... Access denied" 'Access denied' "$out"
unchanged "$U: set-property"

# --- root without CAP_SYS_MODULE: the bus lets it through, klpd refuses.
eff=$(as_capless_root awk '/^CapEff/ {print $2}' /proc/self/status)
check_eq "capless root: CAP_SYS_MODULE (bit 16) not effective (CapEff $eff)" 0 $(((0x$eff >> 16) & 1))
# deny_root WHO WHY RUN METHOD ARGS...: RUN calls METHOD; klpd refuses it,
# saying WHY (a regular expression), and the kernel stays as it was.
deny_root() {
	local who=$1 why=$2 run=$3 what=$4 out
	shift 4
	out=$($run dbus-send --system --print-reply --dest=$BUS $MGR "$IF.$what" "$@" 2>&1)
	check_match "$who: $what refused by klpd" \
		"^Error org\\.freedesktop\\.DBus\\.Error\\.AccessDenied: $what needs CAP_SYS_MODULE in the host's user namespace \\($why\\)" "$out"
	unchanged "$who: $what"
}
deny_capless() { deny_root "root without CAP_SYS_MODULE" "the caller lacks the capability" as_capless_root "$@"; }
deny_capless Load string:klpt_replace uint64:0
deny_capless Disable string:klpt_cmdline
deny_capless Revert string:klpt_busy_patch
deny_capless Force string:klpt_busy_patch
deny_capless Unload string:klpt_version
deny_capless Reload

# --- root in a user namespace of its own: it holds every capability there,
# CAP_SYS_MODULE included, and none in the host's. uid 0 maps to uid 0, so
# the bus policy lets it through; klpd must not.
as_userns_root() { unshare --user --map-root-user -- "$@"; }
eff=$(as_userns_root awk '/^CapEff/ {print $2}' /proc/self/status)
check_eq "userns root: CAP_SYS_MODULE (bit 16) effective in its namespace (CapEff $eff)" 1 $(((0x$eff >> 16) & 1))
check_eq "userns root: another user namespace" 1 \
	"$([ "$(as_userns_root readlink /proc/self/ns/user)" != "$(readlink /proc/self/ns/user)" ] && echo 1)"
deny_userns() { deny_root "root in a new user namespace" "the caller is in another user namespace" as_userns_root "$@"; }
deny_userns Load string:klpt_replace uint64:0
deny_userns Load string:$P/klpt_replace.ko uint64:0
deny_userns Disable string:klpt_cmdline
deny_userns Revert string:klpt_busy_patch
deny_userns Force string:klpt_busy_patch
deny_userns Unload string:klpt_version
deny_userns ClearSkippedAtBoot string:klpt_cmdline
deny_userns Reload
out=$(as_userns_root klpctl disable klpt_cmdline 2>&1)
check_eq "userns root: klpctl disable exits 4" 4 "$?"
unchanged "userns root: klpctl"

# --- root with CAP_SYS_MODULE permitted and in its bounding set, but not
# effective: klpt-noeff drops it with capset(2) and makes the call itself
# (an exec would give root its effective set back); of dbus-send's words it
# takes the method and the name.
as_noeff_root() {
	shift 5
	/usr/lib/klpd-tests/klpt-noeff "${1##*.}" ${2:+"${2#string:}"}
}
deny_noeff() { deny_root "root without effective CAP_SYS_MODULE" "the caller lacks the capability" as_noeff_root "$@"; }
deny_noeff Load string:klpt_replace uint64:0
deny_noeff Disable string:klpt_cmdline
deny_noeff Revert string:klpt_busy_patch
deny_noeff Force string:klpt_busy_patch
deny_noeff Unload string:klpt_version
deny_noeff ClearSkippedAtBoot string:klpt_cmdline
deny_noeff Reload

# --- klpctl as the user: a clear message and exit status 4 (klpctl(1)).
for c in "load klpt_replace" "disable klpt_cmdline" "revert klpt_busy_patch" \
	"force klpt_busy_patch" "unload klpt_version" "reload"; do
	# shellcheck disable=SC2086
	out=$(as_user klpctl $c 2>&1)
	check_eq "$U: klpctl $c exits 4" 4 "$?"
	check_match "... saying permission denied" '^klpctl: .*permission denied' "$out"
done
diag "$(as_user klpctl reload 2>&1 | head -n 1)"
unchanged "$U: klpctl"

# --- every read works for the user.
for prop in Version KernelRelease Supported State TransitionPatch TransitionSince RebootRequired \
	PinnedModules PatchDirectories; do
	check "$U: get-property Manager $prop" as_user busctl get-property $BUS $MGR $IF $prop
done
check_match "$U: sees the stalled transition" '"klpt_busy_patch"' \
	"$(as_user busctl get-property $BUS $MGR $IF TransitionPatch)"
for obj in klpt_5fcmdline klpt_5fversion klpt_5fbusy_5fpatch; do
	for prop in Name State Enabled Transition Replace StackOrder Objects Refcount Forced \
		LoadedAt Source Blockers; do
		as_user busctl get-property $BUS $MGR/patch/$obj org.klpd.livepatch1.Patch $prop \
			>/dev/null 2>&1 || not_ok "$U: get-property $obj $prop"
	done
	ok "$U: every Patch property of $obj"
done
check_eq "$U: Enabled of the applied patch" "b true" \
	"$(as_user busctl get-property $BUS $MGR/patch/klpt_5fcmdline org.klpd.livepatch1.Patch Enabled)"
check_match "$U: Blockers of the stalled patch" 'klpt_busy' \
	"$(as_user busctl get-property $BUS $MGR/patch/klpt_5fbusy_5fpatch org.klpd.livepatch1.Patch Blockers)"
check_match "$U: Properties.GetAll" 'KernelRelease' \
	"$(as_user busctl call $BUS $MGR org.freedesktop.DBus.Properties GetAll s $IF)"
out=$(as_user busctl call --json=short $BUS $MGR org.freedesktop.DBus.ObjectManager GetManagedObjects 2>&1)
check_match "$U: GetManagedObjects lists the three patches" \
	'klpt_5fcmdline.*klpt_5fversion|klpt_5fversion.*klpt_5fcmdline' "$out"
check_match "... and the stalled one" 'klpt_5fbusy_5fpatch' "$out"
check_match "$U: Introspect" 'org\.klpd\.livepatch1\.Manager' "$(as_user busctl introspect $BUS $MGR 2>&1)"
check_match "$U: busctl tree" 'klpt_5fcmdline' "$(as_user busctl tree $BUS 2>&1)"
check "$U: Peer.Ping" as_user busctl call $BUS $MGR org.freedesktop.DBus.Peer Ping
check "$U: klpctl status" as_user klpctl status
check_match "$U: klpctl --json status" '"klpt_busy_patch"' "$(as_user klpctl --json status 2>&1)"
check_match "$U: klpctl show" 'klpt_cmdline' "$(as_user klpctl show klpt_cmdline 2>&1)"
unchanged "$U: reads"

# Signals reach the user too: it watches root end the stalled transition.
as_user klpctl monitor >/tmp/monitor-user.log 2>&1 &
mon=$!
sleep 0.5
check "root: klpctl revert klpt_busy_patch" klpctl revert klpt_busy_patch
wait_until 15 "the user's monitor to see the end" \
	grep -q 'TransitionFinished klpt_busy_patch unpatched reverted' /tmp/monitor-user.log &&
	ok "$U: receives TransitionFinished"
kill $mon 2>/dev/null
check_eq "klpd never restarted" "$pid" "$(systemctl show -P MainPID klpd)"

# --- clean up
busy_hold 0
check "disable klpt_cmdline" klpctl disable klpt_cmdline --wait --timeout 60s
# klpd refuses to unload until the kernel has freed the patch.
leftover() { busctl get-property $BUS "$MGR/patch/${1//_/_5f}" org.klpd.livepatch1.Patch State | grep -Eq '"(disabled|replaced)"'; }
for m in klpt_busy_patch klpt_version klpt_cmdline; do
	wait_until 10 "$m freed" leftover $m && mod_wait_refcnt $m 0 && check "unload $m" klpctl unload $m
done
systemctl stop klpd
rm -f $D/50-test.conf /tmp/monitor-user.log
rm -f $P/klpt_cmdline.ko $P/klpt_version.ko $P/klpt_busy_patch.ko $P/klpt_replace.ko
cleanup_modules
done_testing
