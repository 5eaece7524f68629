#!/bin/bash
# vm: matrix
# An atomic-replace patch: the patches it replaces vanish from sysfs while
# their modules stay; klpd shows them as "replaced" leftovers with refcount 0
# and unloads them on request.
. /usr/lib/klpd-tests/lib.sh

P=/var/lib/klpd/patches
pstate() { busctl get-property org.klpd.livepatch1 "/org/klpd/livepatch1/patch/$1" org.klpd.livepatch1.Patch "${2:-State}"; }
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" "$KLPT_MODULES/klpt_version.ko" "$KLPT_MODULES/klpt_replace.ko" "$P/"
check "systemctl start klpd" systemctl start klpd
check "load klpt_cmdline" klpctl load klpt_cmdline --wait --timeout 60s
check "load klpt_version" klpctl load klpt_version --wait --timeout 60s
check "load klpt_replace" klpctl load "$P/klpt_replace.ko" --wait --timeout 60s
check_eq "/proc/cmdline from the replace patch" "klpt_replace: patched" "$(cat /proc/cmdline)"
wait_until 10 "klpt_cmdline replaced" sh -c "busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1/patch/klpt_5fcmdline org.klpd.livepatch1.Patch State | grep -q replaced" &&
	ok "klpt_cmdline shows as replaced"
check_eq "klpt_version replaced" 's "replaced"' "$(pstate klpt_5fversion)"
mod_wait_refcnt klpt_cmdline 0 && ok "replaced module's refcount drops to 0"
check_eq "klpd's Refcount agrees" 'i 0' "$(pstate klpt_5fcmdline Refcount)"
check_eq "klpt_replace applied" 's "applied"' "$(pstate klpt_5freplace)"
check "unload klpt_cmdline" klpctl unload klpt_cmdline
check "unload klpt_version" klpctl unload klpt_version
check "disable klpt_replace" klpctl disable klpt_replace --wait --timeout 60s
wait_until 10 "klpt_replace disabled" sh -c "busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1/patch/klpt_5freplace org.klpd.livepatch1.Patch State | grep -q disabled" &&
	ok "klpt_replace disabled"
mod_wait_refcnt klpt_replace 0
check "unload klpt_replace" klpctl unload klpt_replace
check_eq "no patches left" "No livepatch modules loaded." "$(klpctl list)"
systemctl stop klpd
rm -f "$P/klpt_cmdline.ko" "$P/klpt_version.ko" "$P/klpt_replace.ko"
cleanup_modules
done_testing
