#!/bin/bash
# tests/kernel/klp-kernel-carries-patch.sh [KERNEL_DIR]
#
# The 5.10-klp kernel that tests/vm/build-kernel built really carries
# kernel/patches/, not only a build that ran: the patch applies to the
# pristine 5.10 source without fuzz (at the expected offset), the built tree's
# transition.c is exactly that result, transition.o was compiled from it
# after patching, vmlinux holds the patched code, and vmlinuz is that vmlinux.
#
# KERNEL_DIR is what tests/vm/build-kernel 5.10-klp prints (default: the one
# in the cache, KLPD_VM_CACHE or /var/cache/klpd-vm). The pristine source is
# the tarball of the package named in KERNEL_DIR/source, from the cache
# (KLPD_LINUX_SOURCE overrides its path). Needs binutils (objdump, readelf).
# Not part of `make check`: it needs the built kernel.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
cache=${KLPD_VM_CACHE:-/var/cache/klpd-vm}
patch=$top/kernel/patches/0001-livepatch-Don-t-block-removal-of-patches-that-are-safe-to-unload.patch
# What the patch's hunk meets in 5.10.223's transition.c (it is written
# against v5.17): the lines sit 14 further down.
expected_offset=${KLPD_EXPECTED_OFFSET:-14}
file=kernel/livepatch/transition.c
obj=kernel/livepatch/transition.o

kdir=${1:-$(ls -d "$cache"/kernel-5.10-klp-*/ 2>/dev/null | grep -v '\.tmp/$' | head -n1)}
kdir=${kdir%/}
echo "1..6"
if [ -z "$kdir" ] || [ ! -f "$kdir/vmlinuz" ] || [ ! -d "$kdir/build" ]; then
	echo "Bail out! no built 5.10-klp kernel${kdir:+ in $kdir} (tests/vm/build-kernel 5.10-klp)"
	exit 1
fi
tree=$kdir/build
read -r srcpkg version <"$kdir/source" 2>/dev/null
tarball=${KLPD_LINUX_SOURCE:-$cache/src/${srcpkg:-linux-source-5.10}_${version:-}/usr/src/${srcpkg:-linux-source-5.10}.tar.xz}
if [ ! -r "$tarball" ]; then
	echo "Bail out! no source tarball $tarball"
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rc=0
n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $*"
	[ -s "$work/out" ] && sed 's/^/# /' "$work/out"
	rc=1
}

# 1. Against the pristine file: no fuzz, one hunk, the expected offset.
tar -xf "$tarball" -C "$work" --wildcards "*/$file"
pristine=$(find "$work" -path "*/$file" | head -n1)
src=${pristine%/"$file"}
if (cd "$src" && patch -p1 -F0 --dry-run <"$patch") >"$work/out" 2>&1 &&
	! grep -qi fuzz "$work/out" &&
	grep -q "^Hunk #1 succeeded at [0-9]* (offset $expected_offset lines)" "$work/out" &&
	[ "$(grep -c '^Hunk' "$work/out")" = 1 ]; then
	ok "$(basename "$patch") applies to $srcpkg $version's $file without fuzz: $(grep '^Hunk' "$work/out")"
else
	not_ok "$(basename "$patch") does not apply to $srcpkg $version's $file as expected (no fuzz, offset $expected_offset)"
fi

# 2. The built tree's file is the pristine one with the patch applied.
(cd "$src" && patch -p1 -F0 --silent <"$patch") >"$work/out" 2>&1
if cmp "$src/$file" "$tree/$file" >"$work/out" 2>&1 &&
	grep -q 'Set forced flag for patches being removed' "$tree/$file"; then
	ok "the tree's $file is $version's with the patch applied"
else
	diff -u "$src/$file" "$tree/$file" >>"$work/out" 2>&1
	not_ok "the tree's $file is not $version's with the patch applied"
fi

# klp_force_transition() before the patch marks every patch forced and never
# touches klp_transition_patch; after it, it reads klp_transition_patch (and
# its "replace"). In vmlinux objdump names the symbol of a rip-relative
# operand; in the object, the relocations do (klp_transition_patch is global).
# objdump -dr also prints the section's relocations before the function's
# start: only those at or after it count.
reads_transition_patch() {
	local start="" off sym
	objdump -dr --no-show-raw-insn --disassemble=klp_force_transition "$1" 2>&1 |
		tee -a "$work/out" >"$work/dis"
	start=$(sed -n 's/^\([0-9a-f]*\) <klp_force_transition>:$/\1/p' "$work/dis" | head -n1)
	[ -n "$start" ] || return 1
	grep -q '<klp_transition_patch>' "$work/dis" && return 0
	while read -r off sym; do
		[ $((16#${off%:})) -ge $((16#$start)) ] && [ "${sym%%[-+]*}" = klp_transition_patch ] && return 0
	done < <(awk '$2 ~ /^R_X86_64/ {print $1, $3}' "$work/dis")
	return 1
}

# 3. transition.o was compiled from that file, after it was patched.
cmd=$tree/kernel/livepatch/.transition.o.cmd
: >"$work/out"
if grep -q "^source_$obj := $file\$" "$cmd" 2>/dev/null &&
	[ "$tree/$obj" -nt "$tree/$file" ] && reads_transition_patch "$tree/$obj"; then
	ok "$obj was compiled from $file after patching (.transition.o.cmd, mtime) and its klp_force_transition reads klp_transition_patch"
else
	{ grep '^source_' "$cmd"; ls -l --time-style=full-iso "$tree/$obj" "$tree/$file"; } >>"$work/out" 2>&1
	not_ok "$obj does not come from the patched $file"
fi

# 4. vmlinux holds the patched code, linked after transition.o.
: >"$work/out"
if [ "$tree/vmlinux" -nt "$tree/$obj" ] && reads_transition_patch "$tree/vmlinux"; then
	ok "vmlinux was linked after $obj and its klp_force_transition reads klp_transition_patch"
else
	ls -l --time-style=full-iso "$tree/vmlinux" "$tree/$obj" >>"$work/out" 2>&1
	not_ok "vmlinux does not hold the patched klp_force_transition"
fi

# 5. vmlinuz is that vmlinux: the same GNU build id.
build_id() { readelf -n "$1" 2>/dev/null | awk '/Build ID:/ { print $3; exit }'; }
sh "$tree/scripts/extract-vmlinux" "$kdir/vmlinuz" >"$work/vmlinux" 2>"$work/out"
id_z=$(build_id "$work/vmlinux")
id_l=$(build_id "$tree/vmlinux")
if [ -n "$id_l" ] && [ "$id_z" = "$id_l" ]; then
	ok "vmlinuz unpacks to the tree's vmlinux (build id $id_l)"
else
	echo "vmlinuz: '$id_z', vmlinux: '$id_l'" >>"$work/out"
	not_ok "vmlinuz is not the tree's vmlinux"
fi

# 6. vmlinuz's version string (bzImage header: pointer at 0x20e, +0x200) is
# the tree's release and build stamp.
ptr=$(od -An -tu2 -j526 -N2 "$kdir/vmlinuz" | tr -d ' ')
vz=$(dd if="$kdir/vmlinuz" bs=1 skip=$((ptr + 512)) count=200 2>/dev/null | tr '\0' '\n' | head -n1)
release=$(cat "$tree/include/config/kernel.release" 2>/dev/null)
uts=$(sed -n 's/^#define UTS_VERSION "\(.*\)"$/\1/p' "$tree/include/generated/compile.h" 2>/dev/null)
echo "vmlinuz: '$vz'; tree: release '$release', UTS_VERSION '$uts'" >"$work/out"
case "$vz" in
"$release "*"$uts")
	[ -n "$release" ] && [ -n "$uts" ] && [ "$release" = "$(cat "$kdir/release")" ] &&
		ok "vmlinuz says '$vz', the tree's release and build stamp" ||
		not_ok "vmlinuz's version string does not match the tree"
	;;
*) not_ok "vmlinuz's version string does not match the tree" ;;
esac
exit $rc
