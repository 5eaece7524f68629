# daemon/: klpd. Files are split by what they know (DESIGN.md, "Layout"):
#   kernel I/O     sysfs-livepatch.c tasks.c kmsg.c udev-monitor.c actions.c
#                  kmod-dlopen.c (libkmod, opened for compressed modules only)
#   state model    state.c
#   D-Bus service  bus-manager.c bus-patch.c
#   main           main.c manager.c (one sd-event loop), log.c, config.c
sbin_PROGRAMS += daemon/klpd

# The state model and the kernel reads it is built from: no sd-bus, no
# sd-event, so that the unit tests run it against a fake /sys.
daemon_state_sources = \
	daemon/state.c daemon/state.h \
	daemon/kmsg-clock.c daemon/kmsg-clock.h \
	daemon/sysfs-livepatch.c daemon/sysfs-livepatch.h \
	daemon/tasks.c daemon/tasks.h

daemon_klpd_SOURCES = \
	daemon/main.c \
	daemon/manager.c daemon/manager.h \
	daemon/actions.c daemon/actions.h \
	daemon/action-result.c daemon/action-result.h \
	daemon/kmod-dlopen.c daemon/kmod-dlopen.h \
	daemon/bus.h daemon/bus-manager.c daemon/bus-patch.c \
	daemon/caller.c daemon/caller.h \
	daemon/kmsg.c daemon/kmsg.h \
	daemon/udev-monitor.c daemon/udev-monitor.h \
	daemon/config.c daemon/config.h \
	daemon/log.c daemon/log.h \
	$(daemon_state_sources) \
	$(libklpd_shared_sources)
daemon_klpd_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(LIBUDEV_CFLAGS) $(LIBKMOD_CFLAGS) \
	$(INIH_CFLAGS)
# config.c reads klpd.conf with inih. libkmod is not linked: its header
# types the functions kmod-dlopen.c finds with dlsym().
daemon_klpd_LDADD = $(LIBSYSTEMD_LIBS) $(LIBUDEV_LIBS) $(DLOPEN_LIBS) $(INIH_LIBS)

# Configuration, policy and the state directory (the policy issue). The
# policy engine and the config parser are pure enough for the unit tests.
daemon_policy_sources = \
	daemon/config.c daemon/config.h \
	daemon/policy.c daemon/policy.h \
	daemon/statedir.c daemon/statedir.h
daemon_klpd_SOURCES += daemon/policy.c daemon/policy.h daemon/statedir.c daemon/statedir.h

# The last valid configuration, saved in the state directory and run on
# when klpd.conf is refused at start: its text form (pure, unit-tested) and
# the manager's choice of configuration (manager-config.c).
daemon_config_snapshot_sources = \
	daemon/config-snapshot.c daemon/config-snapshot.h \
	daemon/config.c daemon/config.h
daemon_klpd_SOURCES += daemon/config-snapshot.c daemon/config-snapshot.h \
	daemon/manager-config.c

# Boot-time loading: the kernel command line's kill switch and the
# crash-loop guard's records (pure, unit-tested); manager.c drives them.
daemon_boot_load_sources = \
	daemon/boot-load.c daemon/boot-load.h \
	daemon/statedir.c daemon/statedir.h
daemon_klpd_SOURCES += daemon/boot-load.c daemon/boot-load.h

# The persisted load queue (pure, unit-tested); actions.c keeps it.
daemon_load_queue_sources = \
	daemon/load-queue.c daemon/load-queue.h \
	daemon/statedir.c daemon/statedir.h
daemon_klpd_SOURCES += daemon/load-queue.c daemon/load-queue.h
daemon_klpd_CFLAGS += $(INIH_CFLAGS)
daemon_klpd_LDADD += $(INIH_LIBS)

# Metrics for node_exporter's textfile collector: the counters and their
# text (pure, unit-tested), and the writer manager.c calls once per event.
daemon_metrics_sources = daemon/metrics.c daemon/metrics.h
daemon_klpd_SOURCES += $(daemon_metrics_sources) daemon/metrics-export.c
# What the policy will do next about the running transition (the Manager's
# StallAction and StallDeadline): asks policy.c, so it is as pure.
daemon_klpd_SOURCES += daemon/policy-plan.c daemon/policy-plan.h
