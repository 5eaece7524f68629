# Sourced by tests/vm/run: the disk of "# vm: reboot" scenarios, which keeps
# klpd's state directory and configuration drop-ins from one boot to the next.

# vm_make_disk BOOTDIR: a raw disk image with an ext4 file system holding
# state/ (what the guest's /var/lib/klpd holds at first, from make install)
# and klpd.conf.d/ (the rig's drop-ins); prints its path.
vm_make_disk() {
	local root=$1/disk-root img=$1/disk.img
	rm -rf "$root" "$img" && mkdir -p "$root/state" "$root/klpd.conf.d" || return 1
	cp -a "$overlay_klpd/var/lib/klpd/." "$root/state/" &&
		cp -a "$overlay_klpd/etc/klpd/klpd.conf.d/." "$root/klpd.conf.d/" || return 1
	# Without orphan_file (Debian 12's mke2fs sets it; kernels mount it
	# since 5.15): every kernel of the matrix can mount the disk.
	truncate -s 64M "$img" &&
		mkfs.ext4 -q -F -L klpd-vm -O ^orphan_file -d "$root" "$img" >/dev/null || return 1
	rm -rf "$root"
	echo "$img"
}

# vm_disk_fstab OVERLAY: the guest's /etc/fstab for that disk (the first
# virtio disk, /dev/vda): mounted at /var/lib/klpd-vm, its two directories
# bound over /var/lib/klpd and /etc/klpd/klpd.conf.d before klpd starts
# (local-fs.target, which every service follows). klpd is enabled, as a
# package's postinst leaves it: it starts at boot, not when first called.
vm_disk_fstab() {
	local unit
	unit=$(cd "$overlay_klpd" && find . -path '*/systemd/system/klpd.service' | head -n1)
	[ -n "$unit" ] || { echo "[vm] error: make install put no klpd.service in $overlay_klpd" >&2; return 1; }
	mkdir -p "$1/etc/systemd/system/multi-user.target.wants" "$1/var/lib/klpd-vm" || return 1
	ln -sf "${unit#.}" "$1/etc/systemd/system/multi-user.target.wants/klpd.service" || return 1
	cat >"$1/etc/fstab" <<'FSTAB'
/dev/vda /var/lib/klpd-vm ext4 defaults 0 0
/var/lib/klpd-vm/state /var/lib/klpd none bind,x-systemd.requires-mounts-for=/var/lib/klpd-vm 0 0
/var/lib/klpd-vm/klpd.conf.d /etc/klpd/klpd.conf.d none bind,x-systemd.requires-mounts-for=/var/lib/klpd-vm 0 0
FSTAB
}
