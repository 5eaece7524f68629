/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "metrics.h"

/* The le labels are written as text, so that they read exactly as here. */
static const struct {
	const char *le;
	uint64_t usec;
} duration_bounds[METRICS_DURATION_BUCKETS] = {
	{ "0.1", 100 * USEC_PER_MSEC }, { "0.5", 500 * USEC_PER_MSEC },
	{ "1", 1 * USEC_PER_SEC },      { "2", 2 * USEC_PER_SEC },
	{ "5", 5 * USEC_PER_SEC },      { "10", 10 * USEC_PER_SEC },
	{ "30", 30 * USEC_PER_SEC },    { "60", 60 * USEC_PER_SEC },
	{ "120", 120 * USEC_PER_SEC },  { "300", 300 * USEC_PER_SEC },
};

static const char *const transition_names[_METRICS_TRANSITION_MAX] = {
	[METRICS_TRANSITION_COMPLETED] = "completed",
	[METRICS_TRANSITION_REVERTED] = "reverted",
	[METRICS_TRANSITION_FORCED] = "forced",
};

static const char *const unload_names[_METRICS_UNLOAD_MAX] = {
	[METRICS_UNLOAD_REQUESTED] = "requested",
	[METRICS_UNLOAD_POLICY] = "policy",
	[METRICS_UNLOAD_EXTERNAL] = "external",
};

void metrics_note_transition(struct metrics *m, unsigned how, uint64_t usec)
{
	size_t i = 0;

	if (how < _METRICS_TRANSITION_MAX)
		m->transitions[how]++;
	while (i < METRICS_DURATION_BUCKETS && usec > duration_bounds[i].usec)
		i++;
	m->duration_buckets[i]++;
	m->duration_sum_usec += usec;
}

void metrics_note_stall(struct metrics *m)
{
	m->stalls++;
}

/* The index of REASON in unload_names[] below END, or -EINVAL. */
static int unload_index(const char *reason, size_t end)
{
	for (size_t i = 0; i < end; i++)
		if (streq(unload_names[i], reason))
			return (int)i;
	return -EINVAL;
}

int metrics_note_unload(struct metrics *m, const char *reason)
{
	int i = unload_index(reason, _METRICS_UNLOAD_MAX);

	if (i < 0)
		return i;
	m->unloaded[i]++;
	return 0;
}

int metrics_note_unload_failure(struct metrics *m, const char *reason)
{
	int i = unload_index(reason, METRICS_UNLOAD_EXTERNAL);

	if (i < 0)
		return i;
	m->unload_failures[i]++;
	return 0;
}

void metrics_note_incident(struct metrics *m, enum kernel_incident_kind kind, bool blamed)
{
	if ((unsigned)kind >= _KERNEL_INCIDENT_KIND_MAX)
		return;
	m->incidents[kind]++;
	if (blamed)
		m->incidents_blamed[kind]++;
}

/* A label value: backslash, double quote and newline escaped. */
static void put_label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", f);
		else if (*v == '"')
			fputs("\\\"", f);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void put_header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* USEC as seconds, to the millisecond, and the end of the line. */
static void put_seconds(FILE *f, uint64_t usec)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 "\n", usec / USEC_PER_SEC,
		usec % USEC_PER_SEC / USEC_PER_MSEC);
}

static void put_duration(FILE *f, const struct metrics *c)
{
	static const char name[] = "klpd_transition_duration_seconds";
	uint64_t cumulative = 0;

	put_header(f, name, "histogram",
		   "How long livepatch transitions took, from start to end, since klpd started.");
	for (size_t i = 0; i < METRICS_DURATION_BUCKETS; i++) {
		cumulative += c->duration_buckets[i];
		fprintf(f, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", name, duration_bounds[i].le,
			cumulative);
	}
	cumulative += c->duration_buckets[METRICS_DURATION_BUCKETS];
	fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cumulative);
	fprintf(f, "%s_sum %" PRIu64 ".%06" PRIu64 "\n", name, c->duration_sum_usec / USEC_PER_SEC,
		c->duration_sum_usec % USEC_PER_SEC);
	fprintf(f, "%s_count %" PRIu64 "\n", name, cumulative);
}

int metrics_format(const struct metrics_snapshot *s, char **ret)
{
	const struct metrics *c = s->counters;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;

	put_header(f, "klpd_patch_info", "gauge",
		   "Livepatch modules klpd sees, one per module, with the state of its patch.");
	for (size_t i = 0; i < s->n_patches; i++) {
		fputs("klpd_patch_info{patch=\"", f);
		put_label_value(f, s->patches[i].name);
		fputs("\",state=\"", f);
		put_label_value(f, s->patches[i].state);
		fputs("\"} 1\n", f);
	}

	put_header(f, "klpd_transitions_total", "counter",
		   "Livepatch transitions that ended since klpd started, by how they ended.");
	for (size_t i = 0; i < _METRICS_TRANSITION_MAX; i++)
		fprintf(f, "klpd_transitions_total{result=\"%s\"} %" PRIu64 "\n",
			transition_names[i], c->transitions[i]);

	put_duration(f, c);

	put_header(f, "klpd_stalls_total", "counter",
		   "Transitions that ran past StallTimeout= since klpd started.");
	fprintf(f, "klpd_stalls_total %" PRIu64 "\n", c->stalls);

	put_header(f, "klpd_modules_unloaded_total", "counter",
		   "Livepatch modules removed since klpd started, by reason.");
	for (size_t i = 0; i < _METRICS_UNLOAD_MAX; i++)
		fprintf(f, "klpd_modules_unloaded_total{reason=\"%s\"} %" PRIu64 "\n",
			unload_names[i], c->unloaded[i]);

	put_header(f, "klpd_unload_failures_total", "counter",
		   "Removals of livepatch modules that the kernel refused since klpd started, by "
		   "reason.");
	for (size_t i = 0; i < METRICS_UNLOAD_EXTERNAL; i++)
		fprintf(f, "klpd_unload_failures_total{reason=\"%s\"} %" PRIu64 "\n",
			unload_names[i], c->unload_failures[i]);

	put_header(f, "klpd_kernel_incidents_total", "counter",
		   "Incident reports (WARNING, BUG, Oops, lockups, stalls, sanitizers) in the kernel "
		   "log since klpd started, by kind; blamed=\"yes\" those blamed on a patch in its "
		   "health window.");
	for (int k = 0; k < _KERNEL_INCIDENT_KIND_MAX; k++) {
		const char *kind = kernel_incident_kind_to_string((enum kernel_incident_kind)k);

		fprintf(f, "klpd_kernel_incidents_total{kind=\"%s\",blamed=\"no\"} %" PRIu64 "\n",
			kind, c->incidents[k] - c->incidents_blamed[k]);
		fprintf(f, "klpd_kernel_incidents_total{kind=\"%s\",blamed=\"yes\"} %" PRIu64 "\n",
			kind, c->incidents_blamed[k]);
	}

	put_header(f, "klpd_faulty_modules", "gauge",
		   "Livepatch modules marked faulty by the health window (skipped at boot until "
		   "cleared).");
	fprintf(f, "klpd_faulty_modules %zu\n", s->faulty);

	put_header(f, "klpd_reboot_required", "gauge",
		   "1 when a module is pinned by a forced transition until reboot, else 0.");
	fprintf(f, "klpd_reboot_required %d\n", s->reboot_required ? 1 : 0);

	put_header(f, "klpd_pinned_modules", "gauge",
		   "Livepatch modules pinned by a forced transition until reboot.");
	fprintf(f, "klpd_pinned_modules %zu\n", s->pinned);

	put_header(f, "klpd_config_refused", "gauge",
		   "1 while klpd.conf is refused (klpd runs on the last valid configuration or the "
		   "defaults), else 0.");
	fprintf(f, "klpd_config_refused %d\n", s->config_refused ? 1 : 0);

	put_header(f, "klpd_config_source_info", "gauge",
		   "Where the running configuration comes from: files, last-valid or defaults.");
	fputs("klpd_config_source_info{source=\"", f);
	put_label_value(f, s->config_source ? s->config_source : "files");
	fputs("\"} 1\n", f);

	put_header(f, "klpd_build_info", "gauge", "klpd's version, in its label; always 1.");
	fputs("klpd_build_info{version=\"", f);
	put_label_value(f, s->version ? s->version : "");
	fputs("\"} 1\n", f);

	put_header(f, "klpd_up", "gauge",
		   "1 while klpd runs; 0 in the file it leaves behind when it stops.");
	fprintf(f, "klpd_up %d\n", s->up ? 1 : 0);

	put_header(f, "klpd_transition_running", "gauge",
		   "1 while a livepatch transition runs, else 0.");
	fprintf(f, "klpd_transition_running %d\n", s->transition_running ? 1 : 0);

	put_header(f, "klpd_transition_stalled", "gauge",
		   "1 while the running transition is past StallTimeout=, else 0.");
	fprintf(f, "klpd_transition_stalled %d\n", s->transition_stalled ? 1 : 0);

	put_header(f, "klpd_metrics_refresh_seconds", "gauge",
		   "How often klpd rewrites this file when nothing changed (MetricsRefresh=).");
	fputs("klpd_metrics_refresh_seconds ", f);
	if (s->refresh_usec == USEC_INFINITY)
		fputs("+Inf\n", f);
	else
		put_seconds(f, s->refresh_usec);

	put_header(f, "klpd_metrics_timestamp_seconds", "gauge",
		   "When klpd wrote this file, in seconds since the epoch: it is stale when "
		   "older than the refresh.");
	fputs("klpd_metrics_timestamp_seconds ", f);
	put_seconds(f, s->written_at_usec);

	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(buf);
	return 0;
}

int metrics_write_file(const char *path, const char *text, bool sync)
{
	_cleanup_free_ char *tmp = NULL;

	/* node_exporter reads only *.prom: it never sees the temporary file. */
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return -ENOMEM;
	return write_file_atomic(path, tmp, text, sync ? WRITE_FILE_SYNC : 0);
}

void metrics_file_done(struct metrics_file *f)
{
	free(f->path);
	free(f->text);
	*f = (struct metrics_file){};
}
