# tests/vm/: the real-kernel rig. It runs as root outside `make check`
# (tests/vm/run, or tests/run-all for everything); only distributed here.
EXTRA_DIST += \
	tests/setup \
	tests/run-all \
	tests/demo \
	tests/vm/run \
	tests/vm/kernel.sh \
	tests/vm/disk.sh \
	tests/vm/rootfs.sh \
	tests/vm/apt-mirror.sh \
	tests/vm/kernels \
	tests/vm/kernel-build.sh \
	tests/vm/build-kernel \
	tests/vm/kernel-configs/5.10-klp.config \
	tests/vm/guest/klpt-noeff.c \
	tests/vm/guest/runner \
	tests/vm/guest/lib.sh \
	tests/vm/guest/klpd-vm-tests.service \
	$(wildcard $(srcdir)/tests/vm/scenarios/*.sh) \
	tests/fleet/run \
	tests/fleet/guest.sh \
	tests/fleet/prom-test
EXTRA_DIST += tests/unit/valgrind
