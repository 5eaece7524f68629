#!/bin/bash
# klpd under systemd: READY with a STATUS line, the D-Bus contract on the bus,
# reads open to everyone, reload keeps it running.
. /usr/lib/klpd-tests/lib.sh

check "systemctl start klpd (waits for READY=1)" systemctl start klpd
check_eq "klpd is active" active "$(systemctl is-active klpd)"
check_match "systemctl status shows the STATUS line" 'Status: "idle, 0 applied"' \
	"$(systemctl status klpd --no-pager 2>&1)"

intro=$(busctl introspect --no-pager org.klpd.livepatch1 /org/klpd/livepatch1 2>&1)
check_match "Manager interface" '^org\.klpd\.livepatch1\.Manager +interface' "$intro"
check_match "ObjectManager on the manager object" '^org\.freedesktop\.DBus\.ObjectManager' "$intro"
for m in 'Load +method +st +o' 'Disable +method +s' 'Revert +method +s' 'Force +method +s' \
	'Unload +method +s' 'Reload +method'; do
	check_match "method ${m%% *}" "^\\.$m" "$intro"
done
for p in 'Version +property +s' 'KernelRelease +property +s' 'Supported +property +b +true' \
	'State +property +s +"idle"' 'TransitionPatch +property +s' 'TransitionSince +property +t +0' 'RebootRequired +property +b' \
	'PinnedModules +property +as' 'PatchDirectories +property +as'; do
	check_match "property ${p%% *}" "^\\.$p" "$intro"
done
for s in 'TransitionStarted +signal +ss' 'TransitionFinished +signal +ssst' \
	'TransitionStalled +signal +sa\(uss\)' 'ModuleUnloaded +signal +ss' 'PolicyApplied +signal +sss'; do
	check_match "signal ${s%% *}" "^\\.$s" "$intro"
done
check_eq "KernelRelease is uname -r" "s \"$(uname -r)\"" \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager KernelRelease)"

check "klpctl status" klpctl status
check_match "klpctl --json status" '"state":"idle"' "$(klpctl --json status)"
check "reads are open to an unprivileged user" setpriv --reuid=65534 --regid=65534 --clear-groups klpctl status
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups klpctl reload 2>&1)
check_eq "Reload needs CAP_SYS_MODULE: exit 4" 4 "$?"
check_match "... saying who may" "^klpctl: reload failed: permission denied: only root with CAP_SYS_MODULE" "$out"
check_match "klpctl with no command is status" "^ +State: " "$(klpctl)"
klpctl bogus >/dev/null 2>&1
check_eq "unknown command: exit 2" 2 "$?"

check "systemctl reload klpd" systemctl reload klpd
check_eq "still active after reload" active "$(systemctl is-active klpd)"
check_match "journal has the start with its MESSAGE_ID" "klpd .* started" \
	"$(journalctl -u klpd -o cat MESSAGE_ID=be29deb1e79740ce924b9cef1be89891 --no-pager)"
check "systemctl stop klpd" systemctl stop klpd
check_eq "stopped" inactive "$(systemctl is-active klpd)"
check_eq "a bus call activates klpd" 's "idle"' \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager State 2>&1)"
check_eq "klpd.service started by D-Bus activation" active "$(systemctl is-active klpd)"
systemctl stop klpd
done_testing
