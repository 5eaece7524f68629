#!/bin/bash
# vm: matrix
# Only one transition at a time: insmod of a second livepatch while another is
# in transition fails with EBUSY and leaves nothing behind. klpd's load queue
# rests on this.
. /usr/lib/klpd-tests/lib.sh

check "load the busy target, holding its kthread" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "insmod klpt_busy_patch" insmod "$KLPT_MODULES/klpt_busy_patch.ko"
sleep 3
check "its transition is stalled after 3 s" lp_in_transition klpt_busy_patch
err=$(insmod "$KLPT_MODULES/klpt_cmdline.ko" 2>&1)
rc=$?
check_fails "second insmod during the transition fails" test $rc = 0
check_match "with EBUSY" "Device or resource busy" "$err"
check_fails "no module left behind" mod_loaded klpt_cmdline
check_fails "no patch left behind" lp_exists klpt_cmdline
check "first transition still running" lp_in_transition klpt_busy_patch

busy_hold 0
lp_wait_transition klpt_busy_patch 30 && ok "released: transition completes"
check "insmod klpt_cmdline now succeeds" insmod "$KLPT_MODULES/klpt_cmdline.ko"
lp_wait_transition klpt_cmdline
cleanup_modules
check_fails "all test modules removed" compgen -G '/sys/module/klpt_*'
done_testing
