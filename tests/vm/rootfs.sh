# Sourced by tests/vm/run: the guest's Debian 12 root filesystem, built once
# with debootstrap and cached as an uncompressed cpio archive (the kernel
# unpacks that fastest under TCG). The cache key covers everything that goes
# into it: suite, mirror, package list and this file.

rootfs_suite=bookworm
# The mirror the system's apt sources use for that suite (apt-mirror.sh).
rootfs_mirror=${KLPD_VM_MIRROR:-$(apt_mirror "$rootfs_suite")}
# systemd, dbus and udev for the real thing; klpd's runtime libraries; the
# sanitizer runtimes for --enable-sanitizers builds; tools the scenarios use
# (node_exporter and curl for the metrics scenario); sshd and Python for
# Ansible in the fleet test (tests/fleet/run); Cockpit and sudo for the
# Livepatches page's browser test (tests/cockpit/run), with the session
# bus that dconf wants (debootstrap does not resolve its virtual package).
rootfs_packages=systemd,systemd-sysv,dbus,udev,kmod,procps,psmisc,libkmod2,libinih1,libsystemd0,libudev1,libasan8,libubsan1,jq,prometheus-node-exporter,curl,openssh-server,python3,cockpit-ws,cockpit-bridge,cockpit-system,sudo,dbus-user-session

rootfs_key() {
	{
		echo "$rootfs_suite $rootfs_mirror $rootfs_packages"
		cat "$vmdir/rootfs.sh"
	} | sha256sum | cut -c1-16
}

# vm_rootfs: print the path of the cached base archive, building it if absent.
vm_rootfs() {
	local key out tmp
	[ -n "$rootfs_mirror" ] ||
		die "no apt source serves '$rootfs_suite' (set KLPD_VM_MIRROR to a Debian mirror)"
	key=$(rootfs_key)
	out=$cache/rootfs-$key.cpio
	if [ -s "$out" ]; then
		echo "$out"
		return 0
	fi
	tmp=$cache/rootfs-$key.tmp
	rm -rf "$tmp" && mkdir -p "$tmp" "$cache/debs" || return 1
	log "building the guest rootfs (debootstrap $rootfs_suite, minbase; a few minutes, once)"
	if ! debootstrap --variant=minbase --include="$rootfs_packages" \
		--cache-dir="$cache/debs" "$rootfs_suite" "$tmp/root" "$rootfs_mirror" \
		>"$tmp/debootstrap.log" 2>&1; then
		tail -n 30 "$tmp/debootstrap.log" >&2
		die "debootstrap failed (full log: $tmp/debootstrap.log)"
	fi
	rootfs_customize "$tmp/root" || return 1
	# The owners debootstrap gave: a setuid helper belongs to its group
	# (cockpit-session to cockpit-wsinstance, whose cockpit-ws runs it).
	(cd "$tmp/root" && find . -xdev | LC_ALL=C sort | cpio --quiet -o -H newc) >"$tmp/rootfs.cpio" ||
		return 1
	mv "$tmp/rootfs.cpio" "$out" && rm -rf "$tmp"
	# Older archives of other keys are of no more use.
	find "$cache" -maxdepth 1 -name 'rootfs-*.cpio' ! -name "rootfs-$key.cpio" -delete
	echo "$out"
}

rootfs_customize() {
	local r=$1
	# The kernel runs /init from the initramfs: make that systemd.
	ln -sf /lib/systemd/systemd "$r/init"
	echo klpd-vm >"$r/etc/hostname"
	: >"$r/etc/machine-id"
	: >"$r/etc/fstab"
	chroot "$r" passwd -d root >/dev/null
	# An unprivileged user for the permission scenarios.
	chroot "$r" useradd --create-home --shell /bin/bash klpt-user
	# Nothing that the tests do not need, and nothing on the consoles: the
	# serial ports belong to the kernel log and the test results.
	chroot "$r" systemctl mask --quiet getty@tty1.service serial-getty@ttyS0.service \
		serial-getty@ttyS1.service apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer \
		systemd-timesyncd.service 2>/dev/null
	# sshd and Cockpit only where a scenario starts them (the fleet's
	# guests, tests/cockpit/run's).
	chroot "$r" systemctl disable --quiet ssh.service cockpit.socket 2>/dev/null
	rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* \
		"$r"/usr/share/locale/* "$r"/var/cache/apt/*.bin "$r"/var/lib/apt/lists/* \
		"$r"/var/cache/debconf/*-old "$r"/var/log/*.log
	mkdir -p "$r/etc/systemd/journald.conf.d"
	# Volatile journal in RAM; keep every record the tests may want to read.
	printf '[Journal]\nStorage=volatile\nRateLimitBurst=0\n' \
		>"$r/etc/systemd/journald.conf.d/klpd-vm.conf"
}
