#!/bin/bash
# What Load accepts: a root-owned regular file, in directories only root can
# change, inside a configured patch directory, reached without a symbolic
# link, a livepatch module for this kernel. Every other source is refused
# with its own named error and message and leaves the kernel untouched; bad
# D-Bus arguments to every method are InvalidArgs.
. /usr/lib/klpd-tests/lib.sh

U=klpt-user
P=/var/lib/klpd/patches
BUS=org.klpd.livepatch1
MGR=/org/klpd/livepatch1
IF=org.klpd.livepatch1.Manager
E=org.klpd.livepatch1.Error
INVALID=org.freedesktop.DBus.Error.InvalidArgs
REL=$(uname -r)
RELre=$(re_quote "$REL") # as a regex
# Outside the patch directories, and not in /tmp (klpd has its own).
EVIL=/var/lib/klpt-evil
# dbus-send names the error it got: "Error NAME: MESSAGE".
send() { dbus-send --system --print-reply --dest=$BUS $MGR "$IF.$1" "${@:2}" 2>&1; }
snapshot() { ls /sys/module; ls "$KLP_SYSFS"; }

# refused DESC ERROR MESSAGE-REGEX METHOD ARGS...: the call fails with
# exactly ERROR, its message matches, and the kernel is as it was.
refused() {
	local desc=$1 err=$2 re=$3 out after
	shift 3
	out=$(send "$@" | head -c 2000)
	diag "$desc -> ${out:0:300}"
	check_match "$desc: $err" "^Error ${err//./\\.}: " "$out" &&
		check_match "$desc: message" "^Error [^ ]*: $re" "$out"
	after=$(snapshot)
	[ "$after" = "$before" ] && ok "$desc: /sys/module and $KLP_SYSFS unchanged" ||
		not_ok "$desc: the kernel changed"
}
load_refused() {
	local desc=$1 err=$2 re=$3 src=$4
	refused "$desc" "$err" "$re" Load "string:$src" uint64:0
}

rm -rf $EVIL && mkdir -p $EVIL
cp "$KLPT_MODULES/klpt_cmdline.ko" $EVIL/
check "systemctl start klpd" systemctl start klpd
pid=$(systemctl show -P MainPID klpd)
before=$(snapshot)

# --- names and paths
load_refused "nonexistent name" $E.NoSuchPatch \
	"No module 'klpt_nonexistent' in the patch directories \\(tried $P/$RELre/klpt_nonexistent\\.ko\\[\\.xz\\|\\.zst\\|\\.gz\\], $P/klpt_nonexistent\\.ko" \
	klpt_nonexistent
out=$(klpctl load klpt_nonexistent 2>&1)
check_eq "klpctl load of a name installed nowhere: exit 3 (klpctl(1))" 3 "$?"
check_match "... naming the directory, not <dir>" "^klpctl: load failed: No module 'klpt_nonexistent' .*tried $P/" "$out"
load_refused "path outside the patch directories" $E.BadSource \
	"'$KLPT_MODULES/klpt_cmdline.ko' is not inside a configured patch directory" \
	"$KLPT_MODULES/klpt_cmdline.ko"
load_refused "'..' escape" $INVALID "'$P/\\.\\./\\.\\./\\.\\./\\.\\.$EVIL/klpt_cmdline.ko' is neither a module name nor an absolute, normalized path" \
	"$P/../../../..$EVIL/klpt_cmdline.ko"
load_refused "relative path" $INVALID "'klpt_cmdline.ko' is neither" klpt_cmdline.ko
load_refused "module name with '/'" $INVALID "'klpt/cmdline' is neither" klpt/cmdline
long=$(printf 'k%.0s' $(seq 60))
load_refused "overlong name (60 characters)" $INVALID "'$long' is neither" "$long"
load_refused "name with a space" $INVALID "'klpt cmdline' is neither" "klpt cmdline"

ln -s $EVIL/klpt_cmdline.ko $P/klpt_link.ko
load_refused "symbolic link to a file outside" $E.BadSource \
	"Cannot open '$P/klpt_link.ko': it is a symbolic link" $P/klpt_link.ko
rm $P/klpt_link.ko
ln -s $EVIL $P/klpt_linkdir
load_refused "path through a symbolic link to a directory outside" $E.BadSource \
	"Cannot open '$P/klpt_linkdir/klpt_cmdline.ko': '$P/klpt_linkdir' is a symbolic link" \
	$P/klpt_linkdir/klpt_cmdline.ko
rm $P/klpt_linkdir
# A name resolves through <dir>/<uname -r>/: that one is no way out either.
ln -s $EVIL "$P/$REL"
load_refused "name resolved through a symbolic link <dir>/$REL" $E.BadSource \
	"Cannot open '$P/$RELre/klpt_cmdline\\.ko': '$P/$RELre' is a symbolic link" klpt_cmdline
rm "$P/$REL"

# --- who may write the file or its directories
install -m 0666 "$KLPT_MODULES/klpt_cmdline.ko" $P/klpt_ww.ko
chmod 0666 $P/klpt_ww.ko # whatever the umask
load_refused "world-writable file" $E.BadSource "'$P/klpt_ww.ko' is writable by group or others \\(mode 0666\\)" \
	$P/klpt_ww.ko
chmod 0664 $P/klpt_ww.ko
load_refused "group-writable file" $E.BadSource "'$P/klpt_ww.ko' is writable by group or others \\(mode 0664\\)" \
	$P/klpt_ww.ko
rm $P/klpt_ww.ko
install -m 0644 -o $U "$KLPT_MODULES/klpt_cmdline.ko" $P/klpt_user.ko
load_refused "file owned by $U" $E.BadSource "'$P/klpt_user.ko' is owned by uid $(id -u $U), not by root" \
	$P/klpt_user.ko
rm $P/klpt_user.ko
mkdir -m 0777 $P/klpt_open && chmod 0777 $P/klpt_open
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/klpt_open/
load_refused "directory writable by others" $E.BadSource \
	"Directory '$P/klpt_open' is writable by group or others \\(mode 0777\\)" $P/klpt_open/klpt_cmdline.ko
chmod 1777 $P/klpt_open
load_refused "sticky directory writable by others" $E.BadSource \
	"Directory '$P/klpt_open' is writable by group or others \\(mode 1777\\)" $P/klpt_open/klpt_cmdline.ko
chmod 0755 $P/klpt_open && chown $U $P/klpt_open
load_refused "directory owned by $U" $E.BadSource \
	"Directory '$P/klpt_open' is owned by uid $(id -u $U), not by root" $P/klpt_open/klpt_cmdline.ko
rm -r $P/klpt_open
# The patch directory itself opened to everyone: nothing in it is trusted.
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/
chmod 0757 $P
load_refused "patch directory writable by others, by name" $E.BadSource \
	"Directory '$P' is writable by group or others \\(mode 0757\\)" klpt_cmdline
chmod 0755 $P
rm $P/klpt_cmdline.ko

# --- what the file is
install -m 0644 "$KLPT_MODULES/klpt_plain.ko" $P/
load_refused "not a livepatch module" $E.NotLivepatch \
	"'$P/klpt_plain.ko' is not a livepatch module \\(no livepatch=Y in its modinfo\\)" klpt_plain
rm $P/klpt_plain.ko
head -c 4096 "$KLPT_MODULES/klpt_cmdline.ko" >$P/klpt_trunc.ko
load_refused "truncated module" $E.BadSource "Cannot read the modinfo of '$P/klpt_trunc.ko'" klpt_trunc
cp "$KLPT_MODULES/klpt_cmdline.ko" $P/klpt_corrupt.ko
dd if=/dev/urandom of=$P/klpt_corrupt.ko bs=64 count=1 conv=notrunc status=none
load_refused "corrupt ELF header" $E.BadSource "Cannot read the modinfo of '$P/klpt_corrupt.ko'" klpt_corrupt
rm $P/klpt_trunc.ko $P/klpt_corrupt.ko
: >$P/klpt_empty.ko
load_refused "empty file" $E.BadSource "Cannot read the modinfo of '$P/klpt_empty.ko'" klpt_empty
rm $P/klpt_empty.ko
mkdir $P/klpt_dir.ko
load_refused "directory" $E.BadSource "'$P/klpt_dir.ko' is not a regular file" klpt_dir
rmdir $P/klpt_dir.ko
mkfifo -m 0644 $P/klpt_fifo.ko
load_refused "FIFO (nothing ever writes to it)" $E.BadSource "'$P/klpt_fifo.ko' is not a regular file" klpt_fifo
rm $P/klpt_fifo.ko
ln -s /dev/zero $P/klpt_dev.ko
load_refused "symbolic link to a device" $E.BadSource "Cannot open '$P/klpt_dev.ko': it is a symbolic link" klpt_dev
rm $P/klpt_dev.ko

# A module for another kernel: the release in its vermagic, same length.
fake=$(echo "$REL" | tr '0-8' '9')
cp "$KLPT_MODULES/klpt_cmdline.ko" $P/klpt_other.ko
LC_ALL=C sed -i "s/$REL SMP/$fake SMP/" $P/klpt_other.ko
check_eq "vermagic patched to $fake, size kept" \
	"$fake SMP $(stat -c %s "$KLPT_MODULES/klpt_cmdline.ko")" \
	"$(modinfo -F vermagic $P/klpt_other.ko | cut -d' ' -f1-2) $(stat -c %s $P/klpt_other.ko)"
load_refused "module for another kernel" $E.BadSource \
	"'$P/klpt_other.ko' is built for another kernel \\(vermagic '$(re_quote "$fake") SMP.*', running $RELre\\)" klpt_other
rm $P/klpt_other.ko

# A compressed module is read and inserted by libkmod, which klpd opens only
# for it: without libkmod, a load says so and nothing else breaks.
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko.xz" $P/
libkmod=$(ldconfig -p | sed -n 's/^[[:space:]]*libkmod\.so\.2 .* => //p' | head -n 1)
check "libkmod.so.2 found ($libkmod)" test -e "$libkmod"
mv "$libkmod" "$libkmod.klpt-off"
load_refused "compressed module without libkmod" org.freedesktop.DBus.Error.Failed \
	"Loading compressed module '$P/klpt_cmdline\\.ko\\.xz' needs libkmod\\.so\\.2: " \
	$P/klpt_cmdline.ko.xz
mv "$libkmod.klpt-off" "$libkmod"
rm $P/klpt_cmdline.ko.xz

# --- D-Bus arguments
refused "Load with signature 's'" $INVALID "Invalid arguments 's' to call $IF\\.Load\\(\\), expecting 'st'" \
	Load string:klpt_cmdline
refused "Load with signature 'ss'" $INVALID "Invalid arguments 'ss'" Load string:klpt_cmdline string:0
refused "Load with signature 'tt'" $INVALID "Invalid arguments 'tt'" Load uint64:1 uint64:0
refused "Load with no arguments" $INVALID "Invalid arguments '' " Load
refused "Disable with signature 'u'" $INVALID "Invalid arguments 'u'" Disable uint32:1
refused "Reload with an argument" $INVALID "Invalid arguments 's'" Reload string:x
load_refused "Load of an empty string" $INVALID "'' is neither" ""
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/
refused "Load with unknown flag bits" $INVALID "Unknown flags 0x1" Load string:klpt_cmdline uint64:1
refused "Load with the top flag bit" $INVALID "Unknown flags 0x8000000000000000" \
	Load string:klpt_cmdline uint64:9223372036854775808
rm $P/klpt_cmdline.ko
huge=$(head -c 100000 /dev/zero | tr '\0' k)
load_refused "Load of a 100 KB name" $INVALID "'kkkk" "$huge"
load_refused "Load of a 100 KB path" $INVALID "'$P/kkkk" "$P/$huge.ko"
for method in Disable Revert Force Unload; do
	refused "$method of an empty name" $INVALID "Invalid module name ''" $method string:
	refused "$method of a name with '/'" $INVALID "Invalid module name '\\.\\./klpt_cmdline'" \
		$method string:../klpt_cmdline
	refused "$method of a 100 KB name" $INVALID "Invalid module name 'kkkk" $method "string:$huge"
done

# Non-UTF-8: no client library sends it (the D-Bus spec forbids it), and
# the bus daemon would drop a connection that did; klpd never sees it.
out=$(busctl call $BUS $MGR $IF Load st $'klpt_\xff\xfe' 0 2>&1)
check_eq "busctl refuses to send non-UTF-8 in an 's'" 1 "$?"
diag "busctl: $out"
out=$(klpctl load $'klpt_\xff\xfe' 2>&1)
check_fails "klpctl load of non-UTF-8 fails" test $? -eq 0
diag "klpctl: $out"
check_eq "nothing changed" "$before" "$(snapshot)"

# --- after all that, klpd is the same process and still works.
check_eq "klpd never restarted" "$pid" "$(systemctl show -P MainPID klpd)"
check_eq "klpd is idle" 's "idle"' "$(busctl get-property $BUS $MGR $IF State)"
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko" $P/
check "a good module still loads, by name" klpctl load klpt_cmdline --wait --timeout 60s
check "disable it" klpctl disable klpt_cmdline --wait --timeout 60s
wait_until 10 "klpt_cmdline freed" _lp_gone klpt_cmdline && mod_wait_refcnt klpt_cmdline 0 &&
	check "unload it" klpctl unload klpt_cmdline
check "a good module loads by absolute path" klpctl load $P/klpt_cmdline.ko --wait --timeout 60s
check "disable it" klpctl disable klpt_cmdline --wait --timeout 60s
wait_until 10 "klpt_cmdline freed" _lp_gone klpt_cmdline && mod_wait_refcnt klpt_cmdline 0 &&
	check "unload it" klpctl unload klpt_cmdline
install -m 0644 "$KLPT_MODULES/klpt_cmdline.ko.xz" $P/
check "an xz-compressed module loads, by path" \
	klpctl load $P/klpt_cmdline.ko.xz --wait --timeout 60s
check_eq "the compressed module is in" "1" "$(cat "$KLP_SYSFS/klpt_cmdline/enabled" 2>&1)"
# libkmod ran in a child process: neither it nor libcrypto is in klpd now.
check_eq "no libkmod or libcrypto mapped in klpd" 0 \
	"$(grep -c 'libkmod\|libcrypto' /proc/"$(klpd_pid)"/maps)"
check "disable it" klpctl disable klpt_cmdline --wait --timeout 60s
wait_until 10 "klpt_cmdline freed" _lp_gone klpt_cmdline && mod_wait_refcnt klpt_cmdline 0 &&
	check "unload it" klpctl unload klpt_cmdline
rm $P/klpt_cmdline.ko.xz
check_eq "the kernel is as it was" "$before" "$(snapshot)"

systemctl stop klpd
rm -f $P/klpt_cmdline.ko
rm -rf $EVIL
cleanup_modules
done_testing
