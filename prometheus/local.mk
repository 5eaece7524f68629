# prometheus/: alerting rules for klpd's metrics, installed for operators to
# copy or point their Prometheus at, and their promtool unit tests.
promrulesdir = $(datadir)/klpd/prometheus
dist_promrules_DATA = prometheus/klpd.rules.yml
EXTRA_DIST += prometheus/klpd.rules.test.yml

# promtool check rules and promtool test rules (PROMTOOL from configure),
# and promtool check metrics on what daemon/metrics.c writes.
TESTS += tests/prometheus/check-rules.sh
EXTRA_DIST += tests/prometheus/check-rules.sh
if ENABLE_TESTS
check_PROGRAMS += tests/prometheus/metrics-sample
endif
tests_prometheus_metrics_sample_SOURCES = tests/prometheus/metrics-sample.c \
	$(daemon_metrics_sources)
tests_prometheus_metrics_sample_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_prometheus_metrics_sample_LDADD = $(libklpd_shared)
