# tests/unit/: cmocka programs, each a table of cases, run by `make check`
# under automake's TAP driver (CMOCKA_MESSAGE_OUTPUT=TAP).
if ENABLE_TESTS
unit_test_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
unit_test_ldadd = $(CMOCKA_LIBS)

check_PROGRAMS += \
	tests/unit/test-names \
	tests/unit/test-duration \
	tests/unit/test-kmsg-record \
	tests/unit/test-utf8
TESTS += \
	tests/unit/test-names \
	tests/unit/test-duration \
	tests/unit/test-kmsg-record \
	tests/unit/test-utf8

tests_unit_test_names_SOURCES = tests/unit/test-names.c $(libklpd_shared_sources)
tests_unit_test_names_CFLAGS = $(unit_test_cflags)
tests_unit_test_names_LDADD = $(unit_test_ldadd)

tests_unit_test_duration_SOURCES = tests/unit/test-duration.c $(libklpd_shared_sources)
tests_unit_test_duration_CFLAGS = $(unit_test_cflags)
tests_unit_test_duration_LDADD = $(unit_test_ldadd)

tests_unit_test_kmsg_record_SOURCES = tests/unit/test-kmsg-record.c $(libklpd_shared_sources)
tests_unit_test_kmsg_record_CFLAGS = $(unit_test_cflags)
tests_unit_test_kmsg_record_LDADD = $(unit_test_ldadd)

tests_unit_test_utf8_SOURCES = tests/unit/test-utf8.c $(libklpd_shared_sources)
tests_unit_test_utf8_CFLAGS = $(unit_test_cflags)
tests_unit_test_utf8_LDADD = $(unit_test_ldadd)
endif

if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-state
TESTS += tests/unit/test-state
# with the policy: what it decides about the modules the model reports
tests_unit_test_state_SOURCES = tests/unit/test-state.c $(daemon_state_sources) \
	daemon/config.c daemon/config.h daemon/policy.c daemon/policy.h $(libklpd_shared_sources)
tests_unit_test_state_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_state_CFLAGS = $(unit_test_cflags) $(INIH_CFLAGS)
tests_unit_test_state_LDADD = $(unit_test_ldadd) $(INIH_LIBS)
endif

# Config parser and policy engine (the policy issue): tables of cases.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-config tests/unit/test-policy
TESTS += tests/unit/test-config tests/unit/test-policy
tests_unit_test_config_SOURCES = tests/unit/test-config.c $(daemon_policy_sources) $(libklpd_shared_sources)
tests_unit_test_config_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_config_CFLAGS = $(unit_test_cflags) $(INIH_CFLAGS)
tests_unit_test_config_LDADD = $(unit_test_ldadd) $(INIH_LIBS)
tests_unit_test_policy_SOURCES = tests/unit/test-policy.c $(daemon_policy_sources) $(libklpd_shared_sources)
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_policy_CFLAGS = $(unit_test_cflags) $(INIH_CFLAGS)
tests_unit_test_policy_LDADD = $(unit_test_ldadd) $(INIH_LIBS)
endif

# The last valid configuration: its text, read back, and the fallback.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-config-snapshot
TESTS += tests/unit/test-config-snapshot
tests_unit_test_config_snapshot_SOURCES = tests/unit/test-config-snapshot.c \
	$(daemon_config_snapshot_sources) $(libklpd_shared_sources)
tests_unit_test_config_snapshot_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_config_snapshot_CFLAGS = $(unit_test_cflags) $(INIH_CFLAGS)
tests_unit_test_config_snapshot_LDADD = $(unit_test_ldadd) $(INIH_LIBS)
endif

# Boot-time loading: kill switch, boot ids, the crash-loop guard's records.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-boot-load
TESTS += tests/unit/test-boot-load
tests_unit_test_boot_load_SOURCES = tests/unit/test-boot-load.c $(daemon_boot_load_sources) $(libklpd_shared_sources)
tests_unit_test_boot_load_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_boot_load_CFLAGS = $(unit_test_cflags)
tests_unit_test_boot_load_LDADD = $(unit_test_ldadd)
endif

# The load queue kept in the state directory across restarts.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-load-queue
TESTS += tests/unit/test-load-queue
tests_unit_test_load_queue_SOURCES = tests/unit/test-load-queue.c $(daemon_load_queue_sources) $(libklpd_shared_sources)
tests_unit_test_load_queue_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_load_queue_CFLAGS = $(unit_test_cflags)
tests_unit_test_load_queue_LDADD = $(unit_test_ldadd)
endif

# What the kernel's answers to inserting and removing a module mean to klpd's
# callers.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-action-result
TESTS += tests/unit/test-action-result
tests_unit_test_action_result_SOURCES = tests/unit/test-action-result.c \
	daemon/action-result.c daemon/action-result.h $(libklpd_shared_sources)
tests_unit_test_action_result_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_action_result_CFLAGS = $(unit_test_cflags)
tests_unit_test_action_result_LDADD = $(unit_test_ldadd)
endif

# The .modinfo of a module file, as klpd's Load and klpctl install read it.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-modinfo
TESTS += tests/unit/test-modinfo
tests_unit_test_modinfo_SOURCES = tests/unit/test-modinfo.c $(libklpd_shared_sources)
tests_unit_test_modinfo_CFLAGS = $(unit_test_cflags)
tests_unit_test_modinfo_LDADD = $(unit_test_ldadd)
endif

# Metrics for node_exporter: exact text of snapshots, the atomic file write.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-metrics
TESTS += tests/unit/test-metrics
tests_unit_test_metrics_SOURCES = tests/unit/test-metrics.c $(daemon_metrics_sources) $(libklpd_shared_sources)
tests_unit_test_metrics_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_metrics_CFLAGS = $(unit_test_cflags)
tests_unit_test_metrics_LDADD = $(unit_test_ldadd)
endif

# What the policy will do next about a transition (StallAction, StallDeadline).
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-policy-plan
TESTS += tests/unit/test-policy-plan
tests_unit_test_policy_plan_SOURCES = tests/unit/test-policy-plan.c daemon/policy-plan.c daemon/policy-plan.h $(daemon_policy_sources) $(libklpd_shared_sources)
tests_unit_test_policy_plan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_policy_plan_CFLAGS = $(unit_test_cflags) $(INIH_CFLAGS)
tests_unit_test_policy_plan_LDADD = $(unit_test_ldadd) $(INIH_LIBS)
endif

# klpctl at a terminal: the colour decision, the progress line's text.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-terminal
TESTS += tests/unit/test-terminal
tests_unit_test_terminal_SOURCES = tests/unit/test-terminal.c client/terminal.c client/terminal.h $(libklpd_shared_sources)
tests_unit_test_terminal_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client
tests_unit_test_terminal_CFLAGS = $(unit_test_cflags)
tests_unit_test_terminal_LDADD = $(unit_test_ldadd)
endif

# Who may change livepatches: /proc/PID/status and the verdict on a caller.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-caller
TESTS += tests/unit/test-caller
tests_unit_test_caller_SOURCES = tests/unit/test-caller.c daemon/caller.c daemon/caller.h \
	$(libklpd_shared_sources)
tests_unit_test_caller_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_unit_test_caller_CFLAGS = $(unit_test_cflags)
tests_unit_test_caller_LDADD = $(unit_test_ldadd)
endif

# klpctl's JSON writer: RFC 8259 quoting, commas, the shape of a patch.
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-json
TESTS += tests/unit/test-json
tests_unit_test_json_SOURCES = tests/unit/test-json.c client/output.c client/output.h \
	client/bus-objects.h client/klpctl.h client/terminal.c client/terminal.h \
	$(libklpd_shared_sources)
tests_unit_test_json_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client
tests_unit_test_json_CFLAGS = $(unit_test_cflags) $(LIBSYSTEMD_CFLAGS)
tests_unit_test_json_LDADD = $(unit_test_ldadd)
endif
