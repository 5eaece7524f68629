#!/bin/bash
# Hostile task names (issue 13, items 2-4). Unprivileged user processes block
# a transition, reading /proc/klpt_busy, under names any user can give
# itself: "\xff" (not UTF-8), 14 x 'a' + the first byte of 'é' (the kernel
# cuts comm at 15 bytes, inside the character) and "\e[2J\e]0;x\a" (clear
# the screen, set the title, bell). Every read on the bus still answers,
# TransitionStalled still goes out, klpctl prints the names escaped with no
# raw control byte, its JSON parses; stack frames go to root only, as the
# kernel's own /proc/PID/stack does.
. /usr/lib/klpd-tests/lib.sh

U=klpt-user
BUS=org.klpd.livepatch1
MGR=/org/klpd/livepatch1
OBJ=$MGR/patch/klpt_5fbusy_5fpatch
PIF=org.klpd.livepatch1.Patch
D=/etc/klpd/klpd.conf.d
as_user() { runuser -u $U -- "$@"; }
# root without CAP_SYS_ADMIN: the kernel hides /proc/PID/stack from it
as_capless_root() { setpriv --bounding-set=-sys_admin -- "$@"; }

# The names as printf(1) writes them, and as klpd must show them.
names=('\xff' 'aaaaaaaaaaaaaa\xc3\xa9' '\e[2J\e]0;x\a')
shown=('\xff' 'aaaaaaaaaaaaaa\xc3' '\x1b[2J\x1b]0;x\x07')

# No C0 control (newlines aside) or DEL, and valid UTF-8 (C1 controls are
# caught by the UTF-8 check only if raw: none of these names has one).
clean() {
	! LC_ALL=C grep -q '[[:cntrl:]]' <<<"$(tr -d '\n' <<<"$1")" &&
		iconv -f UTF-8 -t UTF-8 <<<"$1" >/dev/null 2>&1
}
check_clean() { clean "$2" && ok "$1: escaped, valid UTF-8" || { not_ok "$1: raw bytes"; printf '%s\n' "$2" | od -c | head -n 8 | sed 's/^/#   /'; }; }

# A zombie still answers kill -0: ended means gone or a zombie.
ended() {
	local s
	s=$(ps -o stat= -p "$1")
	[ -z "$s" ] || [ "${s:0:1}" = Z ]
}
signals() { dmesg | grep -c 'livepatch: signaling remaining tasks'; }
sig0=$(signals)

mkdir -p $D
printf '[Policy]\nStallTimeout=12s\nOnStall=wait\n' >$D/57-test.conf
check "systemctl start klpd" systemctl start klpd
check "busy target held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
kpid=$(pgrep -x klpt_busy)
check "/proc/klpt_busy is readable by everyone" test "$(stat -c %a /proc/klpt_busy)" = 444

# A user shell names itself, then reads /proc/klpt_busy in the same process
# (bash builtins: no exec gives it its file's name back). setpriv execs, so
# $! is the reader.
readers=()
for n in "${names[@]}"; do
	setpriv --reuid=$U --regid=$U --clear-groups -- \
		bash -c 'printf "$1" >/proc/$$/comm && read -r _ </proc/klpt_busy' _ "$n" &
	readers+=($!)
done
sleep 0.5
for i in 0 1 2; do
	check_eq "reader ${readers[i]} runs as $U" "$(id -u $U)" "$(stat -c %u /proc/${readers[i]})"
	check_eq "reader ${readers[i]} carries its name" "$(printf "${names[i]}" | head -c 15 | od -An -tx1)" \
		"$(head -c -1 /proc/${readers[i]}/comm | od -An -tx1)"
done

stdbuf -oL busctl monitor --json=short --match "type='signal',interface='org.klpd.livepatch1.Manager',member='TransitionStalled'" \
	>/tmp/57-busctl-monitor.json 2>/dev/null &
bmon=$!
klpctl monitor >/tmp/57-monitor.log 2>&1 &
mon=$!
as_user klpctl --json monitor >/tmp/57-monitor-user.json 2>&1 &
umon=$!
sleep 0.5
check "insmod klpt_busy_patch (stalls)" insmod "$KLPT_MODULES/klpt_busy_patch.ko"
blockers_json() { "$@" busctl --json=short get-property $BUS $OBJ $PIF Blockers; }
wait_until 20 "four blockers listed" sh -c \
	"busctl --json=short get-property $BUS $OBJ $PIF Blockers | jq -e '.data | length == 4'" &&
	ok "Blockers answers and lists the kthread and the three readers"

# --- the bus: every read answers, with the names escaped
root_json=$(blockers_json)
for i in 0 1 2; do
	check_eq "Blockers: reader ${readers[i]} named '${shown[i]}'" "${shown[i]}" \
		"$(jq -r --argjson p "${readers[i]}" '.data[] | select(.[0] == $p) | .[1]' <<<"$root_json")"
done
check_eq "Blockers: the kthread" klpt_busy \
	"$(jq -r --argjson p "$kpid" '.data[] | select(.[0] == $p) | .[1]' <<<"$root_json")"
check_eq "root: a stack frame for every blocker" 0 "$(jq '[.data[] | select(.[2] == "")] | length' <<<"$root_json")"
check_match "root: the kthread's frame as before" 'msleep_interruptible' \
	"$(jq -r --argjson p "$kpid" '.data[] | select(.[0] == $p) | .[2]' <<<"$root_json")"
diag "a reader's frame: $(jq -r --argjson p "${readers[0]}" '.data[] | select(.[0] == $p) | .[2]' <<<"$root_json")"
user_json=$(blockers_json as_user)
check_eq "$U: Blockers lists all four" 4 "$(jq '.data | length' <<<"$user_json")"
check_eq "$U: no stack frame at all" 0 "$(jq '[.data[] | select(.[2] != "")] | length' <<<"$user_json")"
check_fails "... as the kernel: $U cannot read the kthread's /proc/PID/stack" as_user cat /proc/$kpid/stack
check_eq "root without CAP_SYS_ADMIN: no stack frame either" 0 \
	"$(blockers_json as_capless_root | jq '[.data[] | select(.[2] != "")] | length')"
check_fails "... as the kernel: it cannot read /proc/PID/stack" as_capless_root cat /proc/$kpid/stack

for who in root $U; do
	run=()
	[ $who = $U ] && run=(as_user)
	out=$("${run[@]}" busctl call $BUS $OBJ org.freedesktop.DBus.Properties GetAll s $PIF 2>&1)
	check_eq "$who: Patch GetAll answers" 0 $?
	check_clean "$who: Patch GetAll" "$out"
	out=$("${run[@]}" busctl --json=short call $BUS $MGR org.freedesktop.DBus.ObjectManager GetManagedObjects 2>&1)
	check_eq "$who: GetManagedObjects answers" 0 $?
	check_eq "$who: ... with the escaped names" '\x1b[2J\x1b]0;x\x07' \
		"$(jq -r '.data[0][] | .["org.klpd.livepatch1.Patch"].Blockers.data // empty | .[][1]' <<<"$out" 2>&1 | grep -F '\x1b')"

	# --- klpctl, text and JSON
	out=$("${run[@]}" klpctl status 2>&1)
	check_eq "$who: klpctl status" 0 $?
	check_clean "$who: klpctl status" "$out"
	out=$("${run[@]}" klpctl show klpt_busy_patch 2>&1)
	check_eq "$who: klpctl show" 0 $?
	check_clean "$who: klpctl show" "$out"
	for i in 0 1 2; do
		check_match "$who: klpctl show: ${readers[i]} ${shown[i]}" \
			"^ +(Blockers:)? ${readers[i]} $(sed 's/[][\\.]/\\&/g' <<<"${shown[i]}")( |$)" "$out"
	done
	if [ $who = root ]; then
		check_match "root: klpctl show has the kthread's frame" "$kpid klpt_busy msleep_interruptible" "$out"
	else
		check_match "$U: klpctl show, the kthread without a frame" "$kpid klpt_busy\$" "$out"
	fi
	for cmd in status "show klpt_busy_patch"; do
		# shellcheck disable=SC2086
		out=$("${run[@]}" klpctl --json $cmd 2>&1)
		check "$who: klpctl --json $cmd is valid JSON" jq -e . <<<"$out"
		check_eq "$who: ... with the escaped names" "$(printf '%s\n' "${shown[@]}" klpt_busy | sort)" \
			"$(jq -r '(.patches // [.])[] | .blockers[] | .comm' <<<"$out" | sort)"
	done
done

# --- the stall: TransitionStalled goes out, to everyone, without frames
wait_until 30 "State stalled" sh -c "busctl get-property $BUS $MGR org.klpd.livepatch1.Manager State | grep -q stalled" &&
	ok "stalled after StallTimeout"
sleep 1
kill $mon $umon $bmon
wait $mon $umon $bmon 2>/dev/null
log=$(cat /tmp/57-monitor.log)
check_match "klpctl monitor: TransitionStalled" "^TransitionStalled klpt_busy_patch " "$log"
for i in 0 1 2; do
	check_match "... with ${readers[i]}/${shown[i]}" \
		"${readers[i]}/$(sed 's/[][\\.]/\\&/g' <<<"${shown[i]}")(,|$)" "$(grep ^TransitionStalled <<<"$log")"
done
check_clean "klpctl monitor" "$log"
check "$U: klpctl --json monitor, every line valid JSON" jq -e . /tmp/57-monitor-user.json
check_match "$U: ... TransitionStalled among them" '"signal":"TransitionStalled"' "$(cat /tmp/57-monitor-user.json)"
sig=$(jq -c 'select(.member == "TransitionStalled") | .payload.data[1]' /tmp/57-busctl-monitor.json)
check_eq "the signal lists four blockers" 4 "$(jq 'length' <<<"$sig")"
check_eq "... with empty stack fields" 0 "$(jq '[.[] | select(.[2] != "")] | length' <<<"$sig")"

# --- the journal and the metrics carry no frame and no raw name
check_eq "journal: no stack frame" 0 "$(journalctl -u klpd -o cat --no-pager | grep -c 'klpt_busy_wait+0x')"
check "journal: every klpd entry is valid JSON" sh -c "journalctl -u klpd -o json --no-pager | jq -e . >/dev/null"

# --- the readers: asleep, not spinning, through the livepatch core's fake
# signals (every 15 retries, about 15 s), and killable
wait_until 40 "the livepatch core to signal the blocking tasks" sh -c "[ \$(dmesg | grep -c 'livepatch: signaling remaining tasks') -gt $sig0 ]" &&
	ok "the kernel sent the blocking tasks its fake signal"
sleep 1
ticks() { awk '{print $14 + $15}' /proc/$1/stat; }
t0=$(ticks ${readers[0]})
sleep 2
t1=$(ticks ${readers[0]})
check "reader ${readers[0]} sleeps (CPU ticks in 2 s: $((t1 - t0)))" test $((t1 - t0)) -lt 20
kill -9 ${readers[0]}
wait_until 5 "the killed reader to go" ended ${readers[0]} && ok "kill -9 ends a held reader"
busy_hold 0
wait_until 15 "the transition to complete" _lp_settled klpt_busy_patch && ok "completes once hold=0"
for p in "${readers[@]:1}"; do
	wait_until 5 "reader $p to end" ended $p && ok "reader $p read end-of-file and ended"
done
wait 2>/dev/null
wait_until 10 "Blockers cleared" sh -c \
	"busctl --json=short get-property $BUS $OBJ $PIF Blockers | jq -e '.data | length == 0'" &&
	ok "Blockers cleared"

systemctl stop klpd
rm -f $D/57-test.conf
cleanup_modules
done_testing
