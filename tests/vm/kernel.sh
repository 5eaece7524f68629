# Sourced by tests/vm/run: the kernel the VM boots, its headers, and the test
# modules built for it, for any kernel of the matrix (tests/vm/kernels).
# Packages come from Debian's archive through a private apt configuration in
# the cache (the host's own sources and packages stay as they are); images and
# headers are unpacked with dpkg-deb, never installed.

# vm_kernel_select NAME: set k_name k_release k_version k_suite k_kind
# k_kbuild k_cc k_seed k_tcg from the matrix.
vm_kernel_select() {
	local line
	line=$(awk -v n="$1" '!/^#/ && $1 == n' "$vmdir/kernels")
	[ -n "$line" ] || die "no kernel '$1' in tests/vm/kernels (there: $(awk '!/^#/ && NF {printf "%s ", $1}' "$vmdir/kernels"))"
	# shellcheck disable=SC2034
	read -r k_name k_release k_version k_suite k_kind k_kbuild k_cc k_seed k_tcg <<<"$line"
	[ -n "$k_tcg" ] || die "tests/vm/kernels: the line of '$1' has too few fields"
}

# The private apt configuration: every suite of the matrix, from the mirror
# the system's sources use (security suites from theirs).
vm_apt_dir() { echo "$cache/apt"; }
vm_apt() {
	local d
	d=$(vm_apt_dir)
	apt-get -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root "$@"
}
vm_apt_setup() {
	local d base sec suite m sources
	d=$(vm_apt_dir)
	base=$(apt_mirror bookworm)
	sec=$(apt_mirror bookworm-security)
	[ -n "$base" ] || die "no apt source serves bookworm: cannot tell Debian's mirror"
	sources=$(awk '!/^#/ && NF {print $4}' "$vmdir/kernels" | sort -u | while read -r suite; do
		m=$(apt_mirror "$suite")
		case "$suite" in *-security) m=${m:-$sec} ;; esac
		echo "deb ${m:-$base} $suite main"
	done)
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" || return 1
	# Fetch the package lists when the sources changed or once a day.
	if [ "$sources" != "$(cat "$d/sources.list" 2>/dev/null)" ] ||
		[ -z "$(find "$d/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ]; then
		echo "$sources" >"$d/sources.list"
		log "fetching the package lists of: $(echo "$sources" | awk '{printf "%s ", $3}')"
		vm_apt update -q >"$d/update.log" 2>&1 || { tail -n 20 "$d/update.log" >&2; return 1; }
	fi
}

# vm_apt_unpack DIR PKG=VER...: download the packages and unpack them into DIR.
vm_apt_unpack() {
	local dir=$1 deb
	shift
	mkdir -p "$dir.debs" || return 1
	if ! (cd "$dir.debs" && vm_apt download -q "$@") >"$dir.debs/log" 2>&1; then
		sed 's/^/  /' "$dir.debs/log" >&2
		echo "[vm] error: cannot download $*: if the archive dropped that version, update tests/vm/kernels" >&2
		return 1
	fi
	for deb in "$dir.debs"/*.deb; do
		dpkg-deb -x "$deb" "$dir" || return 1
	done
	rm -rf "$dir.debs"
}

# vm_fetch_kernel: the kernel of the selected entry in $cache/kernel-RELEASE/
# (vmlinuz, and the modules index files the guest's kmod wants); sets
# k_kernel_dir, and k_release for a kernel the rig builds.
vm_fetch_kernel() {
	local dir root
	if [ "$k_kind" = build ]; then
		k_kernel_dir=$(vm_build_kernel "$k_name") || return 1
		k_release=$(cat "$k_kernel_dir/build/include/config/kernel.release") || return 1
		return 0
	fi
	dir=$cache/kernel-$k_release
	k_kernel_dir=$dir
	[ -s "$dir/vmlinuz" ] && return 0
	log "fetching the kernel $k_name ($k_release, $k_version)"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/modules" || return 1
	root=$dir.tmp/root
	case "$k_kind" in
	image)
		vm_apt_unpack "$root" "linux-image-$k_release=$k_version" || return 1
		cp "$root/boot/vmlinuz-$k_release" "$dir.tmp/vmlinuz" || return 1
		;;
	binary)
		vm_apt_unpack "$root" "linux-binary-$k_release=$k_version" || return 1
		cp "$root/usr/lib/modules/$k_release/vmlinuz" "$dir.tmp/vmlinuz" || return 1
		;;
	*) die "tests/vm/kernels: unknown kind '$k_kind'" ;;
	esac
	# Only the module index files: not the hundreds of MB of modules.
	cp "$root"/lib/modules/"$k_release"/modules.{order,builtin,builtin.modinfo} \
		"$dir.tmp/modules/" 2>/dev/null
	rm -rf "$root" "$dir"
	mv "$dir.tmp" "$dir"
}

# vm_fetch_modules KEY MODULE...: modules of the selected kernel that the
# base image leaves out, with the modules they depend on (the package's
# modules.dep), cut from the image package into $cache/KEY-RELEASE/modules/
# (kernel/.../NAME.ko*, as under /lib/modules/RELEASE); prints that
# directory. Only Debian's image kernels: the rig's own builds and the
# binary packages have no such package to cut from.
vm_fetch_modules() {
	local key=$1 dir root mdir m ko want
	shift
	if [ "$k_kind" != image ]; then
		echo "[vm] error: kernel $k_name has no module package the rig can cut $* from (kind $k_kind): pick an image kernel" >&2
		return 1
	fi
	dir=$cache/$key-$k_release
	if [ -s "$dir/wanted" ] && [ "$(cat "$dir/wanted")" = "$*" ]; then
		echo "$dir/modules"
		return 0
	fi
	log "fetching the modules $* of $k_name ($k_release)"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/modules" || return 1
	root=$dir.tmp/root
	vm_apt_unpack "$root" "linux-image-$k_release=$k_version" || return 1
	mdir=$(cd "$root" && find lib/modules usr/lib/modules -maxdepth 1 -name "$k_release" 2>/dev/null | head -n1)
	[ -n "$mdir" ] || { echo "[vm] error: no modules of $k_release in its image package" >&2; return 1; }
	# The package has no modules.dep (its postinst runs depmod): made here.
	# A line "kernel/a/b.ko: kernel/c.ko ..." names every module that a
	# module needs, transitively.
	depmod -b "$root" "$k_release" 2>/dev/null || true
	[ -s "$root/$mdir/modules.dep" ] ||
		{ echo "[vm] error: depmod made no modules.dep for $k_release" >&2; return 1; }
	for m in "$@"; do
		want=$(awk -F: -v m="$m" '{ n = $1; sub(".*/", "", n); sub("[.]ko.*", "", n) }
			n == m { print $1 " " $2; exit }' "$root/$mdir/modules.dep")
		[ -n "$want" ] || { echo "[vm] error: no module '$m' in linux-image-$k_release" >&2; return 1; }
		for ko in $want; do
			mkdir -p "$dir.tmp/modules/$(dirname "$ko")" &&
				cp "$root/$mdir/$ko" "$dir.tmp/modules/$ko" || return 1
		done
	done
	echo "$*" >"$dir.tmp/wanted"
	rm -rf "$root" "$dir"
	mv "$dir.tmp" "$dir" && echo "$dir/modules"
}

# vm_fetch_nic: the e1000 driver, for a guest with a network card on qemu's
# user network (tests/vm/run --prepare); sets k_nic_dir.
vm_fetch_nic() {
	k_nic_dir=$(vm_fetch_modules nic e1000)
}

# vm_fetch_disk: what a guest needs to mount an ext4 file system on a
# virtio disk (the state directory that survives a reboot, "# vm: reboot"
# scenarios); sets k_disk_dir.
vm_fetch_disk() {
	k_disk_dir=$(vm_fetch_modules disk virtio_pci virtio_blk ext4 crc32c_generic)
}

# vm_headers: the headers of the selected kernel; sets k_kdir, the KDIR for
# the modules' build (a path inside the build chroot when cc is not host).
vm_headers() {
	local dir flavourless
	if [ "$k_kind" = build ]; then
		k_kdir=$k_kernel_dir/build
		return 0
	fi
	flavourless=${k_release%-*}
	if [ "$k_cc" = host ]; then
		dir=$cache/headers-$k_release
		k_kdir=$dir/usr/src/linux-headers-$k_release
	else
		dir=$(vm_build_root "$k_cc") || return 1
		k_kdir=/usr/src/linux-headers-$k_release
	fi
	[ -e "$dir/usr/src/linux-headers-$k_release/.config" ] && return 0
	log "fetching the headers of $k_name"
	vm_apt_unpack "$dir" "linux-headers-$k_release=$k_version" \
		"linux-headers-$flavourless-common=$k_version" "$k_kbuild=$k_version" || return 1
	if [ "$k_cc" = host ]; then
		# The flavour's Makefile includes the common part by its packaged,
		# absolute path: point it at the unpacked copy.
		sed -i "s|^include /usr/src/|include $dir/usr/src/|" \
			"$dir/usr/src/linux-headers-$k_release/Makefile" || return 1
	fi
	grep -q '^CONFIG_LIVEPATCH=y' "$dir/usr/src/linux-headers-$k_release/.config" ||
		die "kernel $k_name ($k_release) lacks CONFIG_LIVEPATCH"
}

# vm_build_root SUITE: a Debian chroot with a compiler and make, for headers
# that want a newer gcc than the host's; built once, kept in the cache.
vm_build_root_packages=gcc-14,make,libc6-dev,libelf-dev,bc,kmod
vm_build_root() {
	local suite=$1 key dir base
	base=$(apt_mirror bookworm)
	key=$(echo "$suite $base $vm_build_root_packages" | sha256sum | cut -c1-16)
	dir=$cache/buildroot-$suite-$key
	if [ ! -x "$dir/usr/bin/make" ]; then
		log "building a $suite chroot for the test modules (debootstrap; once)"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" "$cache/debs-$suite" || return 1
		if ! debootstrap --variant=minbase --include="$vm_build_root_packages" \
			--cache-dir="$cache/debs-$suite" "$suite" "$dir.tmp" "$base" \
			>"$cache/buildroot-$suite.log" 2>&1; then
			tail -n 20 "$cache/buildroot-$suite.log" >&2
			return 1
		fi
		find "$cache" -maxdepth 1 -name "buildroot-$suite-*" ! -name "buildroot-$suite-$key.tmp" \
			-exec rm -rf {} +
		mv "$dir.tmp" "$dir" || return 1
	fi
	echo "$dir"
}

# vm_build_modules SRC: build the test modules in SRC (a copy of
# kernel/test-modules) for the selected kernel.
vm_build_modules() {
	local src=$1 root
	# The headers ship vmlinux for BTF of modules, which wants pahole: the
	# tests need no BTF.
	if [ "$k_cc" = host ]; then
		# The host's gcc (12) whatever the headers name: 5.10's want gcc-10,
		# which Debian 12 lacks; modules built with 12 load and patch there.
		make -C "$src" KDIR="$k_kdir" CC=gcc HOSTCC=gcc CONFIG_DEBUG_INFO_BTF_MODULES= \
			>"$src.log" 2>&1
		return
	fi
	root=$(vm_build_root "$k_cc") || return 1
	rm -rf "$root/build" && cp -r "$src" "$root/build" || return 1
	# objtool reads /proc/self/maps: /proc in a mount namespace of its own.
	unshare --mount --fork sh -c "mount -t proc proc '$root/proc' &&
		chroot '$root' make -C /build KDIR='$k_kdir' CC=gcc-14 HOSTCC=gcc-14 CONFIG_DEBUG_INFO_BTF_MODULES=" \
		>"$src.log" 2>&1 || return 1
	cp "$root"/build/*.ko "$src/" && rm -rf "$root/build"
}
