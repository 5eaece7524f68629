# kernel/: the kernel patch klpd relies on and the livepatch modules the VM
# tests load. The modules are built by tests/vm/ against the VM kernel's
# headers, not by this build.
EXTRA_DIST += \
	kernel/README.md \
	kernel/patches/0001-livepatch-Don-t-block-removal-of-patches-that-are-safe-to-unload.patch \
	kernel/test-modules/README.md \
	kernel/test-modules/Kbuild \
	kernel/test-modules/Makefile \
	kernel/test-modules/klpt_cmdline.c \
	kernel/test-modules/klpt_version.c \
	kernel/test-modules/klpt_replace.c \
	kernel/test-modules/klpt_busy_target.c \
	kernel/test-modules/klpt_busy_patch.c \
	kernel/test-modules/klpt_busy_replace.c \
	kernel/test-modules/klpt_busy_wait.h \
	kernel/test-modules/klpt_plain.c

TESTS += tests/kernel/patch-matches-kernel.sh
EXTRA_DIST += tests/kernel/patch-matches-kernel.sh
# Needs the 5.10-klp kernel built (tests/vm/build-kernel): run by hand.
EXTRA_DIST += tests/kernel/klp-kernel-carries-patch.sh
