# Sourced by tests/vm/run: the Debian 12 kernel the VM boots, and its headers.
# The image is unpacked into the cache (never installed on the host); the
# matching linux-headers package is installed, as out-of-tree module builds
# need its kbuild tools in their packaged place.

# vm_kernel_version: the release linux-image-amd64 currently depends on,
# e.g. 6.1.0-56-amd64 (KLPD_VM_KERNEL overrides).
vm_kernel_version() {
	if [ -n "${KLPD_VM_KERNEL:-}" ]; then
		echo "$KLPD_VM_KERNEL"
		return
	fi
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9].*-amd64\)$/\1/p' | head -n1
}

# vm_fetch_kernel KVER: leave vmlinuz in $cache/kernel-KVER/ and print its path.
vm_fetch_kernel() {
	local kver=$1 dir=$cache/kernel-$1
	if [ ! -s "$dir/vmlinuz" ]; then
		log "fetching linux-image-$kver"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/deb" || return 1
		(cd "$dir.tmp/deb" && apt-get download -o APT::Sandbox::User=root "linux-image-$kver") >&2 || return 1
		dpkg-deb -x "$dir.tmp"/deb/*.deb "$dir.tmp/root" || return 1
		cp "$dir.tmp/root/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz" || return 1
		# Keep the module index files only: the guest's /lib/modules/KVER
		# needs them for kmod, not the 300 MB of modules.
		mkdir -p "$dir.tmp/modules"
		cp "$dir.tmp/root/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} \
			"$dir.tmp/modules/" 2>/dev/null
		cp "$dir.tmp/root/boot/config-$kver" "$dir.tmp/config" || return 1
		rm -rf "$dir.tmp/root" "$dir.tmp/deb" "$dir"
		mv "$dir.tmp" "$dir" || return 1
	fi
	grep -q '^CONFIG_LIVEPATCH=y' "$dir/config" || die "kernel $kver lacks CONFIG_LIVEPATCH"
}

# vm_headers KVER: make sure the headers are installed; print their path.
vm_headers() {
	local kver=$1 dir=/usr/src/linux-headers-$1
	if [ ! -e "$dir/Makefile" ]; then
		log "installing linux-headers-$kver"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			"linux-headers-$kver" >&2 || return 1
	fi
	echo "$dir"
}
