# daemon/: klpd. Files are split by what they know (docs/ARCHITECTURE.md):
#   kernel I/O     sysfs-livepatch.c tasks.c kmsg.c udev-monitor.c module-file.c
#                  (lib/kmod-dlopen.c: libkmod, opened for compressed modules only)
#   actions        actions.c action-result.c (checks + kernel calls)
#   state model    state.c kmsg-history.c, policy.c policy-plan.c (pure decisions)
#   files          conf.c config-snapshot.c statedir.c boot-load.c
#                  load-queue.c metrics.c metrics-export.c
#   D-Bus service  bus-manager.c bus-patch.c caller.c
#   health window  health.c (pure: blame, window ends), health-records.c
#                  (its findings in the state directory), health-watch.c
#   main           main.c, log.c, manager.c (one sd-event loop, one pass,
#                  reload) and its jobs: manager-events.c manager-config.c
#                  blocker-scan.c policy-exec.c leftovers.c load-at-boot.c
#                  boot-guard.c
sbin_PROGRAMS += daemon/klpd

# Groups of sources that the unit tests build too (tests/unit/local.mk).
# The state model and the kernel reads it is built from: no sd-bus, no
# sd-event, so that the unit tests run it against a fake /sys.
daemon_state_sources = \
	daemon/state.c daemon/state.h \
	daemon/kmsg-clock.c daemon/kmsg-clock.h \
	daemon/kmsg-history.c daemon/kmsg-history.h \
	daemon/sysfs-livepatch.c daemon/sysfs-livepatch.h \
	daemon/tasks.c daemon/tasks.h
# klpd.conf (read with inih), its ForceWindow= values and the policy it
# configures.
daemon_conf_sources = daemon/conf.c daemon/conf.h daemon/force-window.c daemon/force-window.h
daemon_policy_sources = daemon/policy.c daemon/policy.h
# What the policy will do next about the running transition (the Manager's
# StallAction and StallDeadline): asks policy.c, so it is as pure.
daemon_policy_plan_sources = daemon/policy-plan.c daemon/policy-plan.h
# The last valid configuration, saved in the state directory and run on
# when klpd.conf is refused at start (its text form).
daemon_config_snapshot_sources = daemon/config-snapshot.c daemon/config-snapshot.h
# The state directory and what klpd keeps in it: the kernel command line's
# kill switch and the crash-loop guard's records, the persisted load queue.
daemon_statedir_sources = daemon/statedir.c daemon/statedir.h
# The health window: whom an incident is blamed on, and what it found out
# about each module (kept in the state directory).
daemon_health_sources = daemon/health.c daemon/health.h
daemon_health_records_sources = daemon/health-records.c daemon/health-records.h
daemon_boot_load_sources = daemon/boot-load.c daemon/boot-load.h
daemon_load_queue_sources = daemon/load-queue.c daemon/load-queue.h
# Metrics for node_exporter's textfile collector: the counters and their text.
daemon_metrics_sources = daemon/metrics.c daemon/metrics.h
# What the kernel's answers to inserting and removing a module mean.
daemon_action_result_sources = daemon/action-result.c daemon/action-result.h
# Who may change livepatches: /proc/PID/status and the verdict on a caller.
daemon_caller_sources = daemon/caller.c daemon/caller.h

daemon_klpd_SOURCES = \
	daemon/main.c \
	daemon/manager.c daemon/manager.h \
	daemon/manager-config.c \
	daemon/manager-events.c \
	daemon/blocker-scan.c \
	daemon/policy-exec.c \
	daemon/leftovers.c \
	daemon/load-at-boot.c \
	daemon/actions.c daemon/actions.h \
	daemon/module-file.c daemon/module-file.h \
	daemon/boot-guard.c daemon/boot-guard.h \
	daemon/health-watch.c \
	$(daemon_health_sources) \
	$(daemon_health_records_sources) \
	daemon/bus.h daemon/bus-manager.c daemon/bus-patch.c \
	daemon/kmsg.c daemon/kmsg.h \
	daemon/udev-monitor.c daemon/udev-monitor.h \
	daemon/log.c daemon/log.h \
	daemon/metrics-export.c \
	$(daemon_state_sources) \
	$(daemon_conf_sources) \
	$(daemon_policy_sources) \
	$(daemon_policy_plan_sources) \
	$(daemon_config_snapshot_sources) \
	$(daemon_statedir_sources) \
	$(daemon_boot_load_sources) \
	$(daemon_load_queue_sources) \
	$(daemon_metrics_sources) \
	$(daemon_action_result_sources) \
	$(daemon_caller_sources)
daemon_klpd_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(LIBUDEV_CFLAGS) $(LIBKMOD_CFLAGS) \
	$(INIH_CFLAGS)
# libkmod is not linked: its header types the functions kmod-dlopen.c finds
# with dlsym().
daemon_klpd_LDADD = $(libklpd_shared) $(LIBSYSTEMD_LIBS) $(LIBUDEV_LIBS) $(DLOPEN_LIBS) \
	$(INIH_LIBS)
