# Sourced by tests/vm/run and tests/vm/build-kernel: the kernels of the test
# matrix that we build ourselves, from a Debian source package with the
# project's kernel patches applied and a small config of our own
# (tests/vm/kernel-configs/NAME.config on top of `make tinyconfig`): the
# lines of tests/vm/kernels of kind "build".
#
# Needs from the caller: log, die, $cache, $vmdir, $top, and apt_mirror
# (apt-mirror.sh). Needs on the host: gcc, make, flex, bison, bc, libelf-dev
# (objtool), patch, xz, dpkg-deb, apt-get; run as root (apt-get download into
# the cache).
#
# The result, cached in $cache/kernel-NAME-KEY/ (KEY: a hash of the source
# package's version, the config fragment, the patches and this file):
#   vmlinuz    the bzImage
#   config     the final .config
#   build/     a tree to build out-of-tree modules against (KDIR): what kbuild
#              needs for `make -C build M=DIR modules`, plus vmlinux and
#              kernel/livepatch/ as built (sources, objects, .cmd files), for
#              tests/kernel/klp-kernel-carries-patch.sh
#   release    the kernel release (uname -r in the guest)
#   source     the source package and version it was built from
#   modules/   modules.order, modules.builtin{,.modinfo}: for the guest's kmod
#   patch.log  what `patch` said applying each patch
#   build.log  the build's output

# kbuild_spec NAME: what kernel NAME is, from its line in tests/vm/kernels
# (kind "build"). Sets kb_version (the exact Debian version of the source
# package), kb_suite (the suite that has it), kb_srcpkg (linux-source-X.Y of
# that version), kb_patches (kernel/patches/*.patch, applied in order with
# -p1, no fuzz) and kb_fragment (tests/vm/kernel-configs/NAME.config).
kbuild_spec() {
	local kind
	read -r kb_version kb_suite kind < <(awk -v n="$1" '!/^#/ && $1 == n {print $3, $4, $5}' "$vmdir/kernels")
	[ -n "${kb_version:-}" ] || return 1
	[ "$kind" = build ] || die "tests/vm/kernels: '$1' is of kind '$kind', not one the rig builds"
	kb_srcpkg=linux-source-$(echo "$kb_version" | cut -d. -f1-2)
	kb_patches=("$top"/kernel/patches/*.patch)
	[ -f "${kb_patches[0]}" ] || die "no patch in kernel/patches/"
	kb_fragment=$vmdir/kernel-configs/$1.config
	[ -f "$kb_fragment" ] || die "no config fragment $kb_fragment"
}

# kbuild_key NAME: the cache key of kernel NAME (after kbuild_spec). The
# compiler is part of it too: another gcc makes another kernel.
kbuild_key() {
	local p
	{
		echo "$kb_srcpkg $kb_version"
		gcc --version | head -n1
		echo "== fragment"
		cat "$kb_fragment"
		for p in "${kb_patches[@]}"; do
			echo "== patch $(basename "$p")"
			cat "$p"
		done
		echo "== kernel-build.sh"
		cat "$vmdir/kernel-build.sh"
	} | sha256sum | cut -c1-16
}

# kbuild_fetch_source: print the path of the source tarball of
# $kb_srcpkg=$kb_version, downloading the package into the cache if absent.
# The suite is reached through a private apt configuration in the cache
# (sources file, lists, package cache): the host's apt sources and state stay
# as they are. The suite is served by the same archive as bookworm.
kbuild_fetch_source() {
	local dir=$cache/src/${kb_srcpkg}_$kb_version apt=$cache/apt-$kb_suite mirror
	local tarball=$dir/usr/src/$kb_srcpkg.tar.xz
	if [ -s "$tarball" ]; then
		echo "$tarball"
		return 0
	fi
	mirror=${KLPD_VM_MIRROR:-$(apt_mirror bookworm)}
	[ -n "$mirror" ] || die "no apt source serves bookworm (set KLPD_VM_MIRROR to a Debian mirror)"
	rm -rf "$apt" "$dir.tmp" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dir.tmp" ||
		return 1
	echo "deb $mirror $kb_suite main" >"$apt/sources.list"
	local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
	log "fetching $kb_srcpkg=$kb_version ($kb_suite, $mirror)"
	apt-get -q "${opts[@]}" update >"$apt/update.log" 2>&1 ||
		{ tail -n 20 "$apt/update.log" >&2; die "apt-get update for $kb_suite failed"; }
	(cd "$dir.tmp" && apt-get -q "${opts[@]}" download "$kb_srcpkg=$kb_version") >"$apt/download.log" 2>&1 ||
		{ tail -n 20 "$apt/download.log" >&2; die "cannot download $kb_srcpkg=$kb_version"; }
	dpkg-deb -x "$dir.tmp"/"${kb_srcpkg}"_*.deb "$dir.tmp" || die "cannot unpack the $kb_srcpkg package"
	rm -f "$dir.tmp"/*.deb
	[ -s "$dir.tmp/usr/src/$kb_srcpkg.tar.xz" ] || die "$kb_srcpkg has no usr/src/$kb_srcpkg.tar.xz"
	rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
	echo "$tarball"
}

# kbuild_configure SRC: SRC/.config from `make tinyconfig` plus the fragment,
# then olddefconfig. merge_config.sh keeps quiet when olddefconfig drops an
# option whose dependencies are missing: every line of the fragment is checked
# against the result, and any that did not survive is an error.
kbuild_configure() {
	local src=$1 line opt lost=()
	make -C "$src" "${kb_make[@]}" tinyconfig >"$src/config.log" 2>&1 &&
		(cd "$src" && scripts/kconfig/merge_config.sh -m .config "$kb_fragment") >>"$src/config.log" 2>&1 &&
		make -C "$src" "${kb_make[@]}" olddefconfig >>"$src/config.log" 2>&1 ||
		{ tail -n 20 "$src/config.log" >&2; die "configuring the kernel failed"; }
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$src/.config" || lost+=("$line")
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			grep -q "^$opt=" "$src/.config" && lost+=("$line")
			;;
		esac
	done <"$kb_fragment"
	if [ ${#lost[@]} -gt 0 ]; then
		for line in "${lost[@]}"; do
			opt=${line#\# }
			opt=${opt%%[= ]*}
			log "lost: '$line', got: '$(grep -E "^$opt=|^# $opt is not set" "$src/.config")'"
		done
		die "$(basename "$kb_fragment"): ${#lost[@]} option(s) did not survive olddefconfig (dependencies missing?)"
	fi
}

# kbuild_module_tree SRC DEST: copy of the built tree SRC that out-of-tree
# modules build against (make -C DEST M=DIR modules), the way Debian's
# linux-headers packages cut it: the top Makefile, the config, Module.symvers,
# all of include/ and arch/x86/include/, the arch Makefiles, scripts/ with its
# host programs, objtool. No object of the kernel itself, except
# kernel/livepatch/ (kept whole, with vmlinux and System.map, to show that the
# patch went into this kernel).
kbuild_module_tree() {
	local src=$1 dest=$2
	mkdir -p "$dest" || return 1
	(
		cd "$src" || exit 1
		{
			ls -d Makefile .config Module.symvers System.map vmlinux modules.order \
				modules.builtin modules.builtin.modinfo 2>/dev/null
			find include arch/x86/include scripts kernel/livepatch ! -type d ! -name '*.o' ! -name '.*.o.cmd'
			find kernel/livepatch -name '*.o' -o -name '.*.o.cmd'
			find arch/x86 -maxdepth 1 -name 'Makefile*'
			echo tools/objtool/objtool
		} | sort -u | cpio --quiet -pdm "$dest"
	) || return 1
	[ -x "$dest/tools/objtool/objtool" ] && [ -s "$dest/Module.symvers" ] && [ -s "$dest/include/config/auto.conf" ]
}

# vm_build_kernel NAME: build kernel NAME (see kbuild_spec) unless the cache
# has it; print its directory. Expects the caller to hold the VM lock: the
# build takes both CPUs for minutes (tests/vm/run and tests/vm/build-kernel
# take it). A patch that does not apply without fuzz, an option the config
# lost, or a failed build is an error, never a skip.
vm_build_kernel() {
	local name=$1 key dir tmp tarball src p release
	kbuild_spec "$name" ||
		die "no kernel '$name' in tests/vm/kernels (to build: $(awk '!/^#/ && $5 == "build" {printf "%s ", $1}' "$vmdir/kernels"))"
	# Who built it, in its version string; nothing of the host's name.
	kb_make=(KBUILD_BUILD_USER=klpd KBUILD_BUILD_HOST=klpd-vm)
	key=$(kbuild_key)
	dir=$cache/kernel-$name-$key
	if [ -s "$dir/vmlinuz" ] && [ -s "$dir/build/Module.symvers" ]; then
		echo "$dir"
		return 0
	fi
	tarball=$(kbuild_fetch_source) || die "cannot fetch $kb_srcpkg=$kb_version"
	tmp=$dir.tmp
	rm -rf "$tmp" && mkdir -p "$tmp" || return 1
	log "unpacking $kb_srcpkg $kb_version"
	tar -xf "$tarball" -C "$tmp" || die "cannot unpack $tarball"
	src=$tmp/$kb_srcpkg
	[ -f "$src/Makefile" ] || die "$tarball has no $kb_srcpkg/Makefile"
	for p in "${kb_patches[@]}"; do
		# First a dry run: nothing is changed unless the whole patch applies,
		# exactly (no fuzz), and at an offset at most.
		echo "== $(basename "$p")" >>"$tmp/patch.log"
		if ! (cd "$src" && patch -p1 -F0 --dry-run <"$p") >>"$tmp/patch.log" 2>&1; then
			sed 's/^/  /' "$tmp/patch.log" >&2
			die "$(basename "$p") does not apply to $kb_srcpkg $kb_version without fuzz"
		fi
		(cd "$src" && patch -p1 -F0 <"$p") >>"$tmp/patch.log" 2>&1 ||
			die "applying $(basename "$p") failed after a clean dry run"
	done
	kbuild_configure "$src"
	log "building $name ($kb_srcpkg $kb_version; make -j2, some minutes)"
	if ! make -C "$src" "${kb_make[@]}" -j2 all >"$tmp/build.log" 2>&1; then
		grep -E 'error|Error' "$tmp/build.log" | head -n 20 >&2
		tail -n 20 "$tmp/build.log" >&2
		die "building $name failed (log: $tmp/build.log)"
	fi
	release=$(make -s -C "$src" kernelrelease) || return 1
	echo "$release" >"$tmp/release"
	echo "$kb_srcpkg $kb_version" >"$tmp/source"
	cp "$src/arch/x86/boot/bzImage" "$tmp/vmlinuz" && cp "$src/.config" "$tmp/config" ||
		die "the build left no bzImage"
	kbuild_module_tree "$src" "$tmp/build" || die "cannot cut the module build tree out of $src"
	# The module index files the guest's kmod wants in /lib/modules/RELEASE.
	mkdir -p "$tmp/modules" && cp "$src"/modules.{order,builtin,builtin.modinfo} "$tmp/modules/" ||
		die "the build left no modules.order, modules.builtin{,.modinfo}"
	rm -rf "$src"
	# The tree must do what it is for: build our test modules.
	cp -r "$top/kernel/test-modules" "$tmp/modtest" &&
		make -C "$tmp/modtest" KDIR="$tmp/build" >"$tmp/modtest.log" 2>&1 ||
		{ tail -n 20 "$tmp/modtest.log" >&2; die "the test modules do not build against $tmp/build"; }
	case "$(modinfo -F vermagic "$tmp/modtest/klpt_cmdline.ko")" in
	"$release "*) ;;
	*) die "klpt_cmdline.ko was not built for $release" ;;
	esac
	rm -rf "$tmp/modtest"
	rm -rf "$dir" && mv "$tmp" "$dir" || return 1
	# Builds of other keys are of no more use.
	find "$cache" -maxdepth 1 -name "kernel-$name-*" ! -name "kernel-$name-$key" -exec rm -rf {} +
	log "kernel $name ($release) in $dir"
	echo "$dir"
}
