# tests/unit/: cmocka programs, each a table of cases, run by `make check`
# under automake's TAP driver (CMOCKA_MESSAGE_OUTPUT=TAP).
#
# A test is two lines: its sources (its own .c and the daemon/ or client/
# groups it exercises, named in their local.mk) and the shared CPPFLAGS.
# Every test links lib/ and cmocka through the default LDADD (klpd and
# klpctl name their own _LDADD).
if ENABLE_TESTS
unit_tests = \
	tests/unit/test-action-result \
	tests/unit/test-actions \
	tests/unit/test-boot-load \
	tests/unit/test-caller \
	tests/unit/test-config \
	tests/unit/test-config-snapshot \
	tests/unit/test-duration \
	tests/unit/test-force-window \
	tests/unit/test-health \
	tests/unit/test-json \
	tests/unit/test-kernel-incident \
	tests/unit/test-kmsg-record \
	tests/unit/test-load-queue \
	tests/unit/test-metrics \
	tests/unit/test-modinfo \
	tests/unit/test-names \
	tests/unit/test-policy \
	tests/unit/test-policy-plan \
	tests/unit/test-state \
	tests/unit/test-terminal \
	tests/unit/test-utf8
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)
endif
unit_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon -I$(top_srcdir)/client \
	$(CMOCKA_CFLAGS) $(INIH_CFLAGS)
LDADD = $(libklpd_shared) $(CMOCKA_LIBS) $(INIH_LIBS)

# lib/ alone: names, durations, kmsg records and incident reports, UTF-8, a
# module's .modinfo.
tests_unit_test_names_SOURCES = tests/unit/test-names.c
tests_unit_test_names_CPPFLAGS = $(unit_cppflags)
tests_unit_test_duration_SOURCES = tests/unit/test-duration.c
tests_unit_test_duration_CPPFLAGS = $(unit_cppflags)
tests_unit_test_kmsg_record_SOURCES = tests/unit/test-kmsg-record.c
tests_unit_test_kmsg_record_CPPFLAGS = $(unit_cppflags)
tests_unit_test_kernel_incident_SOURCES = tests/unit/test-kernel-incident.c
tests_unit_test_kernel_incident_CPPFLAGS = $(unit_cppflags)
tests_unit_test_utf8_SOURCES = tests/unit/test-utf8.c
tests_unit_test_utf8_CPPFLAGS = $(unit_cppflags)
tests_unit_test_modinfo_SOURCES = tests/unit/test-modinfo.c
tests_unit_test_modinfo_CPPFLAGS = $(unit_cppflags)

# The state model against a fake /sys, with what the policy decides about it.
tests_unit_test_state_SOURCES = tests/unit/test-state.c $(daemon_state_sources) \
	$(daemon_conf_sources) $(daemon_policy_sources)
tests_unit_test_state_CPPFLAGS = $(unit_cppflags)

# The health window: whom an incident is blamed on, and its file.
tests_unit_test_health_SOURCES = tests/unit/test-health.c $(daemon_health_sources) \
	$(daemon_health_records_sources) $(daemon_statedir_sources) $(daemon_conf_sources) \
	$(daemon_boot_load_sources)
tests_unit_test_health_CPPFLAGS = $(unit_cppflags)

# ForceWindow=: its values, and when a window is open in local time.
tests_unit_test_force_window_SOURCES = tests/unit/test-force-window.c \
	daemon/force-window.c daemon/force-window.h
tests_unit_test_force_window_CPPFLAGS = $(unit_cppflags)

# Config parser, policy engine, and what the policy will do next.
tests_unit_test_config_SOURCES = tests/unit/test-config.c $(daemon_conf_sources) \
	$(daemon_policy_sources) $(daemon_statedir_sources)
tests_unit_test_config_CPPFLAGS = $(unit_cppflags)
tests_unit_test_policy_SOURCES = tests/unit/test-policy.c $(daemon_conf_sources) \
	$(daemon_policy_sources) $(daemon_statedir_sources)
tests_unit_test_policy_CPPFLAGS = $(unit_cppflags)
tests_unit_test_policy_plan_SOURCES = tests/unit/test-policy-plan.c $(daemon_policy_plan_sources) \
	$(daemon_conf_sources) $(daemon_policy_sources) $(daemon_statedir_sources)
tests_unit_test_policy_plan_CPPFLAGS = $(unit_cppflags)

# The last valid configuration: its text, read back, and the fallback.
tests_unit_test_config_snapshot_SOURCES = tests/unit/test-config-snapshot.c \
	$(daemon_config_snapshot_sources) $(daemon_conf_sources)
tests_unit_test_config_snapshot_CPPFLAGS = $(unit_cppflags)

# The state directory: boot-time loading's records, the load queue.
tests_unit_test_boot_load_SOURCES = tests/unit/test-boot-load.c $(daemon_boot_load_sources) \
	$(daemon_statedir_sources)
tests_unit_test_boot_load_CPPFLAGS = $(unit_cppflags)
tests_unit_test_load_queue_SOURCES = tests/unit/test-load-queue.c $(daemon_load_queue_sources) \
	$(daemon_statedir_sources)
tests_unit_test_load_queue_CPPFLAGS = $(unit_cppflags)

# Metrics for node_exporter: exact text of snapshots, the atomic file write.
tests_unit_test_metrics_SOURCES = tests/unit/test-metrics.c $(daemon_metrics_sources)
tests_unit_test_metrics_CPPFLAGS = $(unit_cppflags)

# What the kernel's answers to insert/remove mean; who may change livepatches.
tests_unit_test_action_result_SOURCES = tests/unit/test-action-result.c \
	$(daemon_action_result_sources)
tests_unit_test_action_result_CPPFLAGS = $(unit_cppflags)
tests_unit_test_caller_SOURCES = tests/unit/test-caller.c $(daemon_caller_sources)
tests_unit_test_caller_CPPFLAGS = $(unit_cppflags)

# The actions against a fake kernel: the test stands in for module-file.c
# (finit_module, delete_module and the file checks).
tests_unit_test_actions_SOURCES = tests/unit/test-actions.c daemon/actions.c daemon/actions.h \
	daemon/boot-guard.c daemon/boot-guard.h daemon/log.c daemon/log.h \
	$(daemon_state_sources) $(daemon_conf_sources) $(daemon_statedir_sources) \
	$(daemon_boot_load_sources) $(daemon_load_queue_sources) $(daemon_action_result_sources) \
	$(daemon_health_records_sources)
tests_unit_test_actions_CPPFLAGS = $(unit_cppflags)
tests_unit_test_actions_CFLAGS = $(AM_CFLAGS) $(LIBSYSTEMD_CFLAGS)
tests_unit_test_actions_LDADD = $(LDADD) $(LIBSYSTEMD_LIBS)

# klpctl at a terminal: the colour decision, the progress line's text.
tests_unit_test_terminal_SOURCES = tests/unit/test-terminal.c client/terminal.c client/terminal.h
tests_unit_test_terminal_CPPFLAGS = $(unit_cppflags)

# klpctl's JSON writer: RFC 8259 quoting, commas, the shape of a patch.
tests_unit_test_json_SOURCES = tests/unit/test-json.c client/output.c client/output.h \
	client/bus-objects.h client/klpctl.h client/terminal.c client/terminal.h
tests_unit_test_json_CPPFLAGS = $(unit_cppflags) $(LIBSYSTEMD_CFLAGS)

# The include arrows of docs/ARCHITECTURE.md, kept one way.
TESTS += tests/arch/check-includes.sh
EXTRA_DIST += tests/arch/check-includes.sh

