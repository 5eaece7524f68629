#!/bin/bash
# vm: last-in-boot seed=no (without the kernel patch the forced klpt_busy_patch stays pinned)
# klpctl at a terminal, on a pty from script(1): the live progress line of
# `load --wait` through a stall (blocker count, the policy's plan from
# StallAction/StallDeadline), colour only for a terminal and never under
# NO_COLOR, TERM=dumb or --no-color, and the installed bash completion.
. /usr/lib/klpd-tests/lib.sh

D=/etc/klpd/klpd.conf.d
mkdir -p $D
printf '[Policy]\nStallTimeout=4s\nOnStall=force\nForceAfter=6s\nUnloadDelay=1h\n' >$D/55-test.conf
install -m 0644 "$KLPT_MODULES/klpt_busy_patch.ko" "$KLPT_MODULES/klpt_cmdline.ko" /var/lib/klpd/patches/
check "systemctl start klpd" systemctl start klpd
esc=$'\033'
# klpctl pages long text at a terminal: these checks read what it prints
# itself (the pager has its own check below)
export KLPCTL_PAGER=

# on_tty OUT CMD: run CMD on a pty, its output (stdout and stderr) to OUT.
on_tty() {
	local out=$1
	shift
	script -qec "$*" /dev/null </dev/null >"$out" 2>&1
}
# Each rewrite of the progress line starts with a carriage return.
lines_of() { tr '\r' '\n' <"$1" | sed 's/ *$//'; }

# --- the progress line through a stall: forced by the policy after 4s + 6s
check "busy target, kthread held" insmod "$KLPT_MODULES/klpt_busy_target.ko" hold=1
wait_until 10 "kthread klpt_busy" pgrep -x klpt_busy
check "load --wait on a tty" on_tty /tmp/55-load.out \
	TERM=xterm klpctl load --wait --timeout 60s klpt_busy_patch
text=$(lines_of /tmp/55-load.out)
diag "progress lines seen: $(grep -c ' -> patched' <<<"$text"), among them:"
grep -E ' -> patched' <<<"$text" | sed -n '1p;/stalled/{p;q}' | sed 's/^/#   /'
grep -E ' -> patched' <<<"$text" | tail -n1 | sed 's/^/#   /'
check_match "progress: before the stall, the policy's plan with its countdown" \
	'^[0-9.]+s klpt_busy_patch -> patched; policy: force in [0-9]+s$' "$text"
check_match "progress: stalled, the blocker count, force counting down" \
	'^[0-9.]+s klpt_busy_patch -> patched, stalled, 1 blocker; policy: force in [0-9]+s$' "$text"
check_match "final message on a line of its own" \
	"^Transition of 'klpt_busy_patch' to patched ${esc}\\[33mforced${esc}\\[0m after" "$text"
# the deadline counts down: the last "force in" is smaller than the first
first=$(grep -oE 'force in [0-9]+s' <<<"$text" | head -n1 | tr -dc 0-9)
last=$(grep -oE 'force in [0-9]+s' <<<"$text" | tail -n1 | tr -dc 0-9)
[ -n "$first" ] && [ -n "$last" ] && [ "$last" -lt "$first" ] &&
	ok "countdown from ${first}s to ${last}s" || not_ok "no countdown (first '$first', last '$last')"
check_eq "StallAction is empty once forced" '""' \
	"$(busctl get-property org.klpd.livepatch1 /org/klpd/livepatch1 org.klpd.livepatch1.Manager StallAction | cut -d' ' -f2)"

# --- colour: a terminal gets it, NO_COLOR / TERM=dumb / --no-color / a pipe never
on_tty /tmp/55-status.out TERM=xterm klpctl status
# the colour wraps the padded column, so that the table stays aligned
check_match "status on a tty: applied in green" "${esc}\\[32mapplied +${esc}\\[0m" "$(cat /tmp/55-status.out)"
on_tty /tmp/55-nc.out TERM=xterm NO_COLOR=1 klpctl status
check_eq "NO_COLOR=1: no escape sequence" 0 "$(grep -c "$esc" /tmp/55-nc.out)"
check_match "NO_COLOR=1: still the table" "klpt_busy_patch +applied" "$(cat /tmp/55-nc.out)"
on_tty /tmp/55-empty.out TERM=xterm NO_COLOR= klpctl status
check_match "NO_COLOR empty: colour" "$esc" "$(cat /tmp/55-empty.out)"
on_tty /tmp/55-dumb.out TERM=dumb klpctl status
check_eq "TERM=dumb: no escape sequence" 0 "$(grep -c "$esc" /tmp/55-dumb.out)"
on_tty /tmp/55-opt.out TERM=xterm klpctl --no-color status
check_eq "--no-color: no escape sequence" 0 "$(grep -c "$esc" /tmp/55-opt.out)"
TERM=xterm klpctl status >/tmp/55-pipe.out 2>&1
check_eq "into a file: no escape sequence" 0 "$(grep -c "$esc" /tmp/55-pipe.out)"

# --- the pager: status at a terminal goes through it, with its colour
rm -f /tmp/55-paged.out
on_tty /tmp/55-tty.out TERM=xterm KLPCTL_PAGER="'cat >/tmp/55-paged.out'" klpctl status
check_match "status at a terminal goes through \$KLPCTL_PAGER, colour kept" \
	"klpt_busy_patch +${esc}\\[32mapplied" "$(cat /tmp/55-paged.out 2>&1)"
rm -f /tmp/55-paged.out
on_tty /tmp/55-tty.out TERM=xterm KLPCTL_PAGER="'cat >/tmp/55-paged.out'" klpctl --no-pager status
check_fails "--no-pager: no pager" test -e /tmp/55-paged.out
check_match "... the status on the terminal itself" "klpt_busy_patch" "$(cat /tmp/55-tty.out)"
on_tty /tmp/55-err.out TERM=xterm klpctl show no_such_patch
check_match "error on a tty: the prefix in red" "^${esc}\\[31mklpctl:${esc}\\[0m no livepatch module" \
	"$(cat /tmp/55-err.out)"

# a wait under NO_COLOR on a tty: a progress line, and still no escape
busy_hold 0 # the disable must not stall
sleep 0.5
check "disable --wait under NO_COLOR" on_tty /tmp/55-nc-wait.out \
	TERM=xterm NO_COLOR=1 klpctl disable --wait --timeout 60s klpt_busy_patch
check_match "NO_COLOR wait: the final message" "to unpatched completed" "$(cat /tmp/55-nc-wait.out)"
check_eq "NO_COLOR wait: no escape sequence" 0 "$(grep -c "$esc" /tmp/55-nc-wait.out)"
# a wait into a pipe: neither progress line nor colour
klpctl load --wait --timeout 60s klpt_cmdline 2>&1 | cat >/tmp/55-pipe-wait.out
check_match "wait into a pipe: the final message" "^Transition of 'klpt_cmdline' to patched completed" \
	"$(cat /tmp/55-pipe-wait.out)"
check_eq "wait into a pipe: no carriage return, no escape" 0 \
	"$(grep -c "[$esc$(printf '\r')]" /tmp/55-pipe-wait.out)"
check_eq "--json on a tty: no progress line" 0 \
	"$(on_tty /tmp/55-json.out TERM=xterm klpctl --json disable --wait klpt_cmdline; grep -c "$(printf '\r')[0-9]" /tmp/55-json.out)"

# --- bash completion, as installed, driven the way bash drives it
comp=/usr/share/bash-completion/completions/klpctl
check "completion installed" test -f $comp
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _klpctl
		printf "%s\n" "${COMPREPLY[@]}"' _ $comp "$@" | sort | tr '\n' ' ' | sed 's/ $//'
}
check_eq "complete a command" "disable" "$(complete_words klpctl dis)"
check_eq "complete the commands starting with un" "uninstall unload" "$(complete_words klpctl un)"
# both modules are still loaded, their patches disabled (UnloadDelay=1h)
check_eq "complete a loaded module's name for show" "klpt_busy_patch klpt_cmdline" \
	"$(complete_words klpctl show klpt_)"
check_eq "complete the patch for disable after --json" "klpt_cmdline" \
	"$(complete_words klpctl --json disable klpt_c)"
check_eq "complete load's options" "--wait" "$(complete_words klpctl load --wa)"
check_eq "complete a .ko for load" "$KLPT_MODULES/klpt_busy_patch.ko" \
	"$(complete_words klpctl load "$KLPT_MODULES/klpt_busy_p")"
check_eq "list --names" "klpt_busy_patch klpt_cmdline" "$(klpctl list --names | sort | tr '\n' ' ' | sed 's/ $//')"

systemctl stop klpd
rm -f $D/55-test.conf /var/lib/klpd/patches/klpt_busy_patch.ko /var/lib/klpd/patches/klpt_cmdline.ko
rm -f /tmp/55-*.out
cleanup_modules
done_testing
