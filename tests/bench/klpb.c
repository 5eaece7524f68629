/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpb: the benchmark's helpers, one binary with subcommands. Built on the
 * host by tests/bench/run (the guest has no compiler) and shipped inside the
 * generated scenario.
 *
 *   klpb threads N          spawn N sleeping threads, print "ready", sleep
 *   klpb listen             a `klpctl monitor`-like client: on every
 *                           TransitionFinished write a marker to /dev/kmsg
 *   klpb stamp TAG          copy stdin lines to /dev/kmsg as markers
 *   klpb mark TEXT          write one marker to /dev/kmsg
 *   klpb dbus N METHOD      N calls of METHOD (managed = ObjectManager.
 *                           GetManagedObjects, ping = Peer.Ping) to klpd;
 *                           prints median and p90 latency in usec, calls/s
 *   klpb scan N TARGET      N runs of klpd's own blocker scan
 *                           (daemon/tasks.c); prints median wall and CPU
 *                           usec per scan and the blockers counted
 *
 * Markers: the kernel stamps every /dev/kmsg record with the same clock as
 * its own "livepatch: 'P': patching complete" record, so the difference of
 * two records' timestamps is a latency with no clock conversion at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "tasks.h"

static uint64_t now_usec(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* One record per write(2); opened each time, so that the per-open rate
 * limit of /dev/kmsg (printk.devkmsg=ratelimit) never drops a marker. */
static void mark(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd, n;

	n = snprintf(buf, sizeof(buf), "<5>klpb: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)!write(fd, buf, (size_t)n);
	close(fd);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(uint64_t *v, size_t n, unsigned p)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n ? v[(n - 1) * p / 100] : 0;
}

/* --- threads */

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static int cmd_threads(int argc, char **argv)
{
	pthread_attr_t attr;
	long n = argc > 0 ? strtol(argv[0], NULL, 10) : 0, i;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++) {
		pthread_t t;
		int r = pthread_create(&t, &attr, sleeper, NULL);

		if (r) {
			fprintf(stderr, "klpb threads: thread %ld: %s\n", i, strerror(r));
			return 1;
		}
	}
	printf("ready %ld\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

/* --- listen: the client side of the detection latency */

static int on_finished(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	uint64_t t = now_usec(CLOCK_MONOTONIC), usec = 0;
	const char *p = "", *target = "", *how = "";

	(void)sd_bus_message_read(m, "ssst", &p, &target, &how, &usec);
	mark("listen TransitionFinished %s %s %s", p, target, how);
	printf("%" PRIu64 " TransitionFinished %s %s %s\n", t, p, target, how);
	fflush(stdout);
	return 0;
}

static int cmd_listen(int argc, char **argv)
{
	sd_bus *bus = NULL;
	sd_bus_slot *slot = NULL;
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0)
		goto fail;
	r = sd_bus_match_signal(bus, &slot, "org.klpd.livepatch1", "/org/klpd/livepatch1",
				"org.klpd.livepatch1.Manager", "TransitionFinished", on_finished,
				NULL);
	if (r < 0)
		goto fail;
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			goto fail;
		if (r > 0)
			continue;
		r = sd_bus_wait(bus, UINT64_MAX);
		if (r < 0 && r != -EINTR)
			goto fail;
	}
fail:
	fprintf(stderr, "klpb listen: %s\n", strerror(-r));
	return 1;
}

/* --- stamp, mark */

static int cmd_stamp(int argc, char **argv)
{
	const char *tag = argc > 0 ? argv[0] : "stamp";
	char line[512];

	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		mark("%s %s", tag, line);
	}
	return 0;
}

static int cmd_mark(int argc, char **argv)
{
	mark("%s", argc > 0 ? argv[0] : "");
	return 0;
}

/* --- dbus: calls per second and latency */

static int cmd_dbus(int argc, char **argv)
{
	sd_bus *bus = NULL;
	long n = argc > 0 ? strtol(argv[0], NULL, 10) : 0;
	const char *what = argc > 1 ? argv[1] : "managed";
	const char *iface = "org.freedesktop.DBus.ObjectManager", *method = "GetManagedObjects";
	uint64_t *lat, t0, t1;
	int r;

	if (n <= 0)
		return 2;
	if (strcmp(what, "ping") == 0) {
		iface = "org.freedesktop.DBus.Peer";
		method = "Ping";
	}
	lat = calloc((size_t)n, sizeof(*lat));
	r = sd_bus_open_system(&bus);
	if (r < 0 || !lat)
		goto fail;
	t0 = now_usec(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++) {
		sd_bus_error error = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;
		uint64_t a = now_usec(CLOCK_MONOTONIC);

		r = sd_bus_call_method(bus, "org.klpd.livepatch1", "/org/klpd/livepatch1", iface,
				       method, &error, &reply, "");
		lat[i] = now_usec(CLOCK_MONOTONIC) - a;
		if (r < 0) {
			fprintf(stderr, "klpb dbus: %s: %s\n", method,
				error.message ? error.message : strerror(-r));
			sd_bus_error_free(&error);
			goto fail;
		}
		sd_bus_message_unref(reply);
	}
	t1 = now_usec(CLOCK_MONOTONIC);
	{
		uint64_t med = pct(lat, (size_t)n, 50), p90 = pct(lat, (size_t)n, 90);

		printf("median_us=%" PRIu64 " p90_us=%" PRIu64 " calls_per_s=%.1f n=%ld\n", med, p90,
		       (double)n * 1e6 / (double)(t1 - t0 ? t1 - t0 : 1), n);
	}
	free(lat);
	sd_bus_unref(bus);
	return 0;
fail:
	free(lat);
	sd_bus_unref(bus);
	return 1;
}

/* --- scan: klpd's blocker scan, timed */

static int cmd_scan(int argc, char **argv)
{
	long n = argc > 0 ? strtol(argv[0], NULL, 10) : 1;
	int target = argc > 1 ? atoi(argv[1]) : 1;
	uint64_t *wall, *cpu;
	size_t got = 0, total = 0;

	if (n <= 0)
		return 2;
	wall = calloc((size_t)n, sizeof(*wall));
	cpu = calloc((size_t)n, sizeof(*cpu));
	if (!wall || !cpu)
		return 1;
	for (long i = 0; i < n; i++) {
		struct blocker *list = NULL;
		uint64_t w = now_usec(CLOCK_MONOTONIC), c = now_usec(CLOCK_PROCESS_CPUTIME_ID);
		int r;

		r = tasks_scan_blockers("", target, NULL, 64, &list, &got, &total);
		cpu[i] = now_usec(CLOCK_PROCESS_CPUTIME_ID) - c;
		wall[i] = now_usec(CLOCK_MONOTONIC) - w;
		if (r < 0) {
			fprintf(stderr, "klpb scan: %s\n", strerror(-r));
			return 1;
		}
		blockers_free(list, got);
	}
	printf("wall_us=%" PRIu64 " cpu_us=%" PRIu64 " blockers=%zu n=%ld", pct(wall, (size_t)n, 50),
	       pct(cpu, (size_t)n, 50), total, n);

	/* klpd's later scans of the same transition: with the memo of the
	 * processes that had no blocker, taken by a first full scan. */
	struct tasks_memo memo = TASKS_MEMO_INIT;
	for (long i = -1; i < n; i++) {
		struct blocker *list = NULL;
		uint64_t c = now_usec(CLOCK_PROCESS_CPUTIME_ID);
		int r;

		r = tasks_scan_blockers("", target, &memo, 64, &list, &got, &total);
		if (i >= 0)
			cpu[i] = now_usec(CLOCK_PROCESS_CPUTIME_ID) - c;
		if (r < 0) {
			fprintf(stderr, "klpb scan: %s\n", strerror(-r));
			return 1;
		}
		blockers_free(list, got);
	}
	printf(" rescan_cpu_us=%" PRIu64 " rescan_blockers=%zu\n", pct(cpu, (size_t)n, 50), total);
	tasks_memo_clear(&memo);
	free(wall);
	free(cpu);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "threads", cmd_threads }, { "listen", cmd_listen }, { "stamp", cmd_stamp },
		{ "mark", cmd_mark },	    { "dbus", cmd_dbus },     { "scan", cmd_scan },
	};

	if (argc < 2) {
		fprintf(stderr, "usage: klpb threads|listen|stamp|mark|dbus|scan ...\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "klpb: unknown command '%s'\n", argv[1]);
	return 2;
}
