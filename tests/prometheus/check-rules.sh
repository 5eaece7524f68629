#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpd's metrics text passes promtool check metrics (tests/prometheus/metrics-sample).
# prometheus/klpd.rules.yml: valid for Prometheus (promtool check rules),
# and each alert fires when and only when its unit tests say
# (promtool test rules prometheus/klpd.rules.test.yml). Every metric an
# alert reads is one klpd writes (daemon/metrics.c).
# Prints TAP. Skips (a "1..0 # SKIP" plan) without promtool: tests/setup fetches it and
# configure takes PROMTOOL=; tests/run-all counts a skip as a failure.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
promtool=${PROMTOOL:-$(command -v promtool || true)}
# absolute: the checks run in a directory of their own
sample=""
[ -n "${top_builddir:-}" ] && sample=$(cd "$top_builddir" && pwd)/tests/prometheus/metrics-sample
if [ -z "$promtool" ]; then
	echo "1..0 # SKIP promtool not found (tests/setup fetches it; configure PROMTOOL=)"
	exit 0
fi
[ -x "$promtool" ] || { echo "Bail out! PROMTOOL=$promtool is not executable"; exit 1; }

. "$top/tests/tap.sh"

# promtool resolves rule_files against the test file's directory: run it
# on copies, so that a read-only source tree (distcheck) works too.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$top/prometheus/klpd.rules.yml" "$top/prometheus/klpd.rules.test.yml" "$tmp/"
cd "$tmp" || exit 1

if out=$("$promtool" check rules klpd.rules.yml 2>&1); then
	ok "promtool check rules: $(echo "$out" | grep -o '[0-9]* rules found')"
else
	not_ok "promtool check rules" "$out"
fi
if out=$("$promtool" test rules klpd.rules.test.yml 2>&1); then
	ok "promtool test rules"
else
	not_ok "promtool test rules" "$out"
fi

# What klpd writes passes Prometheus' own lint (the program is built by
# make check; a --disable-tests build has none).
if [ -z "$sample" ] || [ ! -x "$sample" ]; then
	ok "promtool check metrics # SKIP tests/prometheus/metrics-sample not built"
elif ! text=$("$sample"); then
	not_ok "tests/prometheus/metrics-sample fails"
elif out=$(printf '%s\n' "$text" | "$promtool" check metrics 2>&1); then
	ok "promtool check metrics: klpd's metrics text is clean"
else
	not_ok "promtool check metrics" "$out"
fi

# Every alert has a test, and every klpd_ metric a rule reads exists.
for a in $(awk '$1 == "-" && $2 == "alert:" { print $3 }' klpd.rules.yml); do
	if grep -q "alertname: $a\$" klpd.rules.test.yml; then
		ok "$a has a test"
	else
		not_ok "$a has a test"
	fi
done
for m in $(grep -o 'klpd_[a-z_]*' klpd.rules.yml | sort -u); do
	if grep -q "\"$m\"\|\"$m \|\"$m{" "$top/daemon/metrics.c"; then
		ok "$m is written by klpd"
	else
		not_ok "$m is written by klpd" "no \"$m\" in daemon/metrics.c"
	fi
done
tap_end
