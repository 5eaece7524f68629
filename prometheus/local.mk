# prometheus/: alerting rules for klpd's metrics, installed for operators to
# copy or point their Prometheus at, and their promtool unit tests.
promrulesdir = $(datadir)/klpd/prometheus
dist_promrules_DATA = prometheus/klpd.rules.yml
EXTRA_DIST += prometheus/klpd.rules.test.yml

# promtool check rules and promtool test rules (PROMTOOL from configure).
TESTS += tests/prometheus/check-rules.sh
EXTRA_DIST += tests/prometheus/check-rules.sh
