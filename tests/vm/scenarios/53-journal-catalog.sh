#!/bin/bash
# vm: last-in-boot seed=no (without the kernel patch the forced klpt_busy_patch stays pinned)
# The journal catalog: once `journalctl --update-catalog` has run,
# --list-catalog lists every entry of klpd.catalog, and `journalctl -x`
# explains a stall, a revert, a force and two auto-unloads provoked with the
# busy pair, each under its own MESSAGE_ID, with the patch's name filled in.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
P=/var/lib/klpd/patches
CATALOG=/usr/lib/systemd/catalog/klpd.catalog
MID_STALLED=066488a4a11f4e31b0ad00c5d186c310
MID_REVERTED=f527188c87374116a68439b52578d01a
MID_FORCED=9d953eed1c8e4e3c84b1043e0a7ebe33
MID_AUTO_UNLOADED=30e9933e36464c949eba8016cb64ea18
MID_ACTION=eafa6ec28a4d4409abcb9166528b6703
MID_FAULTY=bc1f4203a0ba415ea4474244f0189240
MID_ACCEPTED=6a0d2e91c4b84f7d8e13a5c2f9b07d64
# entries of klpd since the scenario started, for one MESSAGE_ID
entries() { journalctl -u klpd --since "$since" --no-pager "$@"; }
count() { entries -o cat MESSAGE_ID="$1" KLPD_PATCH=klpt_busy_patch | grep -c .; }

check "catalog installed" test -s $CATALOG
check "journalctl --update-catalog" journalctl --update-catalog
listed=$(journalctl --list-catalog)
mapfile -t ids < <(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' $CATALOG)
check_eq "klpd.catalog has an entry for each of the 15 MESSAGE_IDs" 15 "${#ids[@]}"
missing=()
for id in "${ids[@]}"; do
	grep -q "^$id klpd: " <<<"$listed" || missing+=("$id")
done
check_eq "--list-catalog lists every entry, defined by klpd" "" "${missing[*]}"
for id in $MID_STALLED $MID_REVERTED $MID_FORCED $MID_AUTO_UNLOADED $MID_FAULTY $MID_ACCEPTED; do
	check_match "--list-catalog has $id" "^$id klpd: " "$listed"
done

mkdir -p $D
printf '[Policy]\nStallTimeout=2s\nOnStall=revert\nUnloadDelay=2s\n' >$D/53-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" $P/
check "systemctl start klpd" systemctl start klpd
since=$(date '+%Y-%m-%d %H:%M:%S')
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy

# --- stall, revert by policy, auto-unload of the leftover
check "load klpt_busy_patch" klpctl load klpt_busy_patch
wait_until 20 "the reverted leftover removed" _mod_gone klpt_busy_patch &&
	ok "stalled, reverted, auto-unloaded"

x=$(entries -x MESSAGE_ID=$MID_STALLED)
check_match "-x: stall explained" "Subject: Livepatch transition of klpt_busy_patch stalled" "$x"
check_match "-x: stall says what to do, with the name" 'klpctl show klpt_busy_patch' "$x"
# StallTimeout=2s is below the 3 s after which blockers are listed anyway:
# the stall's own scan still finds the held kthread.
check_match "the stall counts its blocker" "stalled: 1 tasks still unpatched" "$(entries MESSAGE_ID=$MID_STALLED)"
x=$(entries -x MESSAGE_ID=$MID_REVERTED)
check_match "-x: revert explained" "Subject: Livepatch transition of klpt_busy_patch reverted" "$x"
check_match "-x: revert entry is klpd's" "Reverting the transition of 'klpt_busy_patch'" "$x"
check_match "-x: revert says what to do" 'klpctl load klpt_busy_patch' "$x"
x=$(entries -x MESSAGE_ID=$MID_AUTO_UNLOADED)
check_match "-x: auto-unload explained" "Subject: Livepatch module klpt_busy_patch removed by klpd's policy" "$x"
check_match "-x: auto-unload entry is the removal by policy" "Module 'klpt_busy_patch' unloaded \\(policy\\)" "$x"
check_eq "one revert entry" 1 "$(count $MID_REVERTED)"
check_eq "one auto-unload entry" 1 "$(count $MID_AUTO_UNLOADED)"
x=$(entries -o cat MESSAGE_ID=$MID_ACTION KLPD_ACTION=revert)
check_match "the generic action ID keeps the policy's decision" "^Policy: reverted the transition of 'klpt_busy_patch'" "$x"
check_eq "... but no longer the revert itself" 0 "$(grep -c Reverting <<<"$x")"

# --- stall, force by policy (to patched, non-replace: pins nothing),
# then disable and auto-unload
printf '[Policy]\nStallTimeout=2s\nOnStall=force\nUnloadDelay=2s\n' >$D/53-test.conf
check "systemctl reload klpd" systemctl reload klpd
check "load klpt_busy_patch again" klpctl load klpt_busy_patch --wait --timeout 30s
x=$(entries -x MESSAGE_ID=$MID_FORCED)
check_match "-x: force explained" "Subject: Livepatch transition of klpt_busy_patch forced" "$x"
check_match "-x: force says what it risks" "old code" "$x"
check_eq "one force entry" 1 "$(count $MID_FORCED)"
check_eq "two stall entries" 2 "$(count $MID_STALLED)"
busy_hold 0
check "disable" klpctl disable klpt_busy_patch --wait --timeout 30s
if kernel_has_seed; then
	wait_until 20 "the disabled module removed" _mod_gone klpt_busy_patch && ok "auto-unloaded again"
	check_eq "two auto-unload entries" 2 "$(count $MID_AUTO_UNLOADED)"
else
	# Without the kernel patch the force marked the patch forced: its
	# module stays pinned after the disable, and nothing removes it.
	obj=/org/klpd/livepatch1/patch/klpt_5fbusy_5fpatch
	wait_until 20 "pinned" sh -c "busctl get-property org.klpd.livepatch1 $obj org.klpd.livepatch1.Patch State | grep -q pinned" &&
		ok "the disabled forced module is pinned, not removed"
	check_eq "still one auto-unload entry" 1 "$(count $MID_AUTO_UNLOADED)"
fi

# The unit's whole journal, explained: each kind once at least.
x=$(entries -x)
for s in "transition of klpt_busy_patch stalled" "transition of klpt_busy_patch reverted" \
	"transition of klpt_busy_patch forced" "module klpt_busy_patch removed by klpd's policy" \
	"Livepatch manager action: revert" "Livepatch module klpt_busy_patch loaded by klpd"; do
	check_match "journalctl -x -u klpd: $s" "Subject: .*$s" "$x"
done
check_eq "fields filled in: no @KLPD_...@ left" 0 "$(grep -c '@KLPD_' <<<"$x")"
entries -o cat | sed 's/^/# journal: /'

systemctl stop klpd
rm -f $D/53-test.conf $P/klpt_busy_patch.ko
cleanup_modules
done_testing
