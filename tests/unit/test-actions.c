/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The actions (actions.c) against a fake kernel: module-file.h is replaced
 * here, so that "inserting" a module makes its patch appear in a fake /sys
 * with its transition running, and "removing" one takes it away. What is
 * tested is the load path's logic: loads run or wait for the transition,
 * the queue on disk, refusals, the crash-loop guard, unload's checks and
 * the events the manager hears. The real file checks and syscalls run in
 * the VM tier. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "actions.h"
#include "boot-load.h"
#include "load-queue.h"
#include "macro.h"
#include "module-file.h"

#define KREL "6.1.0-test"
#define BOOT_ID "0c7a1c2e-4f43-4c1b-9d53-2a7e8f6b1d90"
#define OTHER_BOOT_ID "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"

struct fixture {
	char root[64];
	char patches[96]; /* the patch directory */
	char statedir[96];
	struct state *state;
	struct config config;
	struct load_request *queue;
	struct boot_guard guard;
	struct health_book health;
	struct action_context ctx;

	/* the fake kernel */
	int insert_error;         /* what the next inserts return */
	int delete_error;         /* what the next removals return */
	unsigned n_inserts, n_deletes;
	char inserted[8][KLP_MODULE_NAME_MAX];

	/* what the manager heard */
	struct {
		enum action_event_kind kind;
		char name[KLP_MODULE_NAME_MAX];
		char message[256];
		enum unload_origin origin;
	} events[16];
	unsigned n_events;
};

static struct fixture *current; /* the fakes below have no userdata */

static void put(const struct fixture *f, const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", f->root, rel);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void rm_rf(const struct fixture *f, const char *rel)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", f->root, rel);
	assert_int_equal(system(cmd), 0);
}

static bool exists(const struct fixture *f, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	return access(path, F_OK) == 0;
}

/* The module name of a file: its base name without ".ko". */
static void name_of(const char *path, char name[static KLP_MODULE_NAME_MAX])
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	snprintf(name, KLP_MODULE_NAME_MAX, "%.*s", (int)strcspn(base, "."), base);
}

/* A livepatch module as the kernel shows it, its patch in transition to
 * ENABLED when TRANSITION. */
static void kernel_patch(const struct fixture *f, const char *name, int enabled, int transition)
{
	char p[256];

	snprintf(p, sizeof(p), "sys/module/%s/taint", name);
	put(f, p, "OEK");
	snprintf(p, sizeof(p), "sys/module/%s/initstate", name);
	put(f, p, "live");
	snprintf(p, sizeof(p), "sys/module/%s/refcnt", name);
	put(f, p, "1");
	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s/enabled", name);
	put(f, p, enabled ? "1" : "0");
	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s/transition", name);
	put(f, p, transition ? "1" : "0");
}

/* The transition of NAME ends where it was going. */
static void kernel_transition_ends(struct fixture *f, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s/transition", name);
	put(f, p, "0");
	assert_int_equal(state_rescan(f->state, 100), 0);
	assert_false(f->state->transition.active);
}

/* A disabled patch the kernel has freed: its module is left. */
static void kernel_leftover(const struct fixture *f, const char *name, const char *refcnt)
{
	char p[256];

	snprintf(p, sizeof(p), "sys/kernel/livepatch/%s", name);
	rm_rf(f, p);
	snprintf(p, sizeof(p), "sys/module/%s/refcnt", name);
	put(f, p, refcnt);
}

/* --- module-file.h, faked */

int module_file_open(const char *path, const char *kernel_release,
		     char ret_name[static KLP_MODULE_NAME_MAX], struct action_result *res)
{
	struct stat st;
	int fd;

	assert_string_equal(kernel_release, KREL);
	if (stat(path, &st) < 0)
		return action_fail(res, ACTION_ERROR_BAD_SOURCE, -errno, "Cannot open '%s'", path);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	name_of(path, ret_name);
	return fd;
}

int module_file_insert(int fd, const char *path)
{
	struct fixture *f = current;
	char name[KLP_MODULE_NAME_MAX];

	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) >= 0); /* still open */
	if (f->insert_error)
		return f->insert_error;
	name_of(path, name);
	assert_true(f->n_inserts < ELEMENTSOF(f->inserted));
	snprintf(f->inserted[f->n_inserts++], KLP_MODULE_NAME_MAX, "%s", name);
	kernel_patch(f, name, 1, 1);
	return 0;
}

int module_delete(const char *name)
{
	struct fixture *f = current;
	char p[256];

	f->n_deletes++;
	if (f->delete_error)
		return f->delete_error;
	snprintf(p, sizeof(p), "sys/module/%s", name);
	rm_rf(f, p);
	return 0;
}

/* --- the manager's side */

static void on_event(void *userdata, const struct action_event *ev)
{
	struct fixture *f = userdata;

	assert_true(f->n_events < ELEMENTSOF(f->events));
	f->events[f->n_events].kind = ev->kind;
	snprintf(f->events[f->n_events].name, KLP_MODULE_NAME_MAX, "%s", ev->name);
	snprintf(f->events[f->n_events].message, sizeof(f->events[0].message), "%s",
		 ev->message ? ev->message : "");
	f->events[f->n_events].origin = ev->origin;
	f->n_events++;
}

static void patch_file(const struct fixture *f, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "patches/%s", rel);
	put(f, p, "a module\n");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/klpd-test-actions-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->patches, sizeof(f->patches), "%s/patches", f->root);
	snprintf(f->statedir, sizeof(f->statedir), "%s/state", f->root);
	put(f, "sys/kernel/livepatch/.keep", "");
	put(f, "sys/module/.keep", "");
	put(f, "state/.keep", "");
	put(f, "proc/sys/kernel/random/boot_id", BOOT_ID "\n");
	patch_file(f, KREL "/klpt_a.ko");
	patch_file(f, "klpt_b.ko");
	patch_file(f, "klpt_c.ko");
	assert_int_equal(setenv("STATE_DIRECTORY", f->statedir, 1), 0);

	assert_int_equal(config_init_defaults(&f->config), 0);
	free(f->config.patch_dirs[0]);
	f->config.patch_dirs[0] = strdup(f->patches);
	assert_non_null(f->config.patch_dirs[0]);
	assert_int_equal(state_new(f->root, NULL, NULL, &f->state), 0);
	assert_int_equal(state_rescan(f->state, 10), 0);
	f->ctx = (struct action_context){
		.state = f->state,
		.config = &f->config,
		.root = f->root,
		.kernel_release = KREL,
		.queue = &f->queue,
		.guard = &f->guard,
		.health = &f->health,
		.on_event = on_event,
		.userdata = f,
	};
	current = f;
	*state = f;
	return 0;
}

/* Reads the guard's records at start, after the test wrote its file. */
static void guard_start(struct fixture *f)
{
	boot_guard_read(&f->guard, f->root, f->state);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	load_queue_free(f->queue);
	boot_guard_done(&f->guard);
	health_book_done(&f->health);
	state_free(f->state);
	config_done(&f->config);
	rm_rf(f, "");
	unsetenv("STATE_DIRECTORY");
	free(f);
	current = NULL;
	return 0;
}

static int load(struct fixture *f, const char *source, const char *reason, bool *queued,
		struct action_result *res)
{
	char name[KLP_MODULE_NAME_MAX];

	*res = (struct action_result){};
	return action_load(&f->ctx, source, 0, reason, name, queued, res);
}

/* klpt_a loaded by hand, its transition running. */
static void transition_of_a(struct fixture *f)
{
	struct action_result res;
	bool queued;

	assert_int_equal(load(f, "klpt_a", NULL, &queued, &res), 0);
	assert_false(queued);
	assert_int_equal(state_rescan(f->state, 20), 0);
	assert_true(f->state->transition.active);
}

/* --- the cases */

/* By name, the kernel release's directory first, then the top; by path.
 * Idle: inserted at once, nothing queued, nothing written. */
static void test_load_idle(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	char path[256];
	bool queued;

	guard_start(f);
	assert_int_equal(load(f, "klpt_a", NULL, &queued, &res), 0);
	assert_false(queued);
	assert_int_equal(f->n_inserts, 1);
	assert_string_equal(f->inserted[0], "klpt_a");
	assert_null(f->queue);
	assert_false(exists(f, "state/" LOAD_QUEUE_FILE));
	assert_int_equal(state_rescan(f->state, 20), 0);
	assert_true(f->state->transition.active);
	snprintf(path, sizeof(path), "%s/" KREL "/klpt_a.ko", f->patches);
	assert_non_null(state_find(f->state, "klpt_a"));
	assert_string_equal(state_find(f->state, "klpt_a")->source, path);
}

/* A name finds a compressed module too, but an uncompressed file of the
 * same name in the same place first. */
static void test_load_compressed_by_name(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	char path[256];
	bool queued;

	guard_start(f);
	patch_file(f, KREL "/klpt_z.ko.zst");
	assert_int_equal(load(f, "klpt_z", NULL, &queued, &res), 0);
	assert_int_equal(f->n_inserts, 1);
	assert_string_equal(f->inserted[0], "klpt_z");
	assert_int_equal(state_rescan(f->state, 20), 0);
	snprintf(path, sizeof(path), "%s/" KREL "/klpt_z.ko.zst", f->patches);
	assert_string_equal(state_find(f->state, "klpt_z")->source, path);

	patch_file(f, "klpt_y.ko.xz");
	patch_file(f, "klpt_y.ko");
	kernel_transition_ends(f, "klpt_z");
	assert_int_equal(load(f, "klpt_y", NULL, &queued, &res), 0);
	assert_int_equal(state_rescan(f->state, 30), 0);
	snprintf(path, sizeof(path), "%s/klpt_y.ko", f->patches);
	assert_string_equal(state_find(f->state, "klpt_y")->source, path);
}

/* A load while a transition runs waits for it, in order, on disk too; the
 * same module twice is refused; the queue runs when the transition ends
 * and each queued insert starts a transition the next one waits for. */
static void test_load_waits_for_transition(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	char path[256];
	bool queued;

	guard_start(f);
	transition_of_a(f);
	assert_int_equal(load(f, "klpt_b", NULL, &queued, &res), 0);
	assert_true(queued);
	snprintf(path, sizeof(path), "%s/klpt_c.ko", f->patches);
	assert_int_equal(load(f, path, BOOT_LOAD_REASON, &queued, &res), 0);
	assert_true(queued);
	assert_int_equal(f->n_inserts, 1);
	assert_true(exists(f, "state/" LOAD_QUEUE_FILE));

	assert_int_equal(load(f, "klpt_b", NULL, &queued, &res), -EEXIST);
	assert_int_equal(res.error, ACTION_ERROR_REFUSED);
	assert_non_null(strstr(res.message, "(queued)"));
	assert_int_equal(load(f, "klpt_a", NULL, &queued, &res), -EEXIST);
	assert_null(strstr(res.message, "(queued)"));

	/* still running: nothing happens */
	actions_run_queue(&f->ctx);
	assert_int_equal(f->n_inserts, 1);

	kernel_transition_ends(f, "klpt_a");
	actions_run_queue(&f->ctx);
	assert_int_equal(f->n_inserts, 2);
	assert_string_equal(f->inserted[1], "klpt_b");
	assert_non_null(f->queue); /* klpt_c waits for klpt_b's transition */
	assert_string_equal(f->queue->name, "klpt_c");

	kernel_transition_ends(f, "klpt_b");
	actions_run_queue(&f->ctx);
	assert_int_equal(f->n_inserts, 3);
	assert_string_equal(f->inserted[2], "klpt_c");
	assert_null(f->queue);
	assert_false(exists(f, "state/" LOAD_QUEUE_FILE));
}

/* Another transition started between the check and the insert (EBUSY):
 * the load waits instead of failing. */
static void test_load_busy_queues(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	bool queued;

	guard_start(f);
	f->insert_error = -EBUSY;
	assert_int_equal(load(f, "klpt_b", NULL, &queued, &res), 0);
	assert_true(queued);
	assert_non_null(f->queue);
	/* and the queue keeps it while the kernel stays busy */
	actions_run_queue(&f->ctx);
	assert_non_null(f->queue);
	assert_int_equal(f->n_events, 0);
	f->insert_error = 0;
	actions_run_queue(&f->ctx);
	assert_null(f->queue);
	assert_int_equal(f->n_inserts, 1);
}

/* A queued load the kernel refuses: the manager hears of it with the
 * reason, and the queue moves on. */
static void test_queued_load_fails(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	bool queued;

	guard_start(f);
	transition_of_a(f);
	assert_int_equal(load(f, "klpt_b", NULL, &queued, &res), 0);
	assert_true(queued);
	kernel_transition_ends(f, "klpt_a");
	f->insert_error = -ENOEXEC;
	actions_run_queue(&f->ctx);
	assert_null(f->queue);
	assert_int_equal(f->n_events, 1);
	assert_int_equal(f->events[0].kind, ACTION_EVENT_LOAD_FAILED);
	assert_string_equal(f->events[0].name, "klpt_b");
	assert_true(f->events[0].message[0] != '\0');
	assert_false(exists(f, "state/" LOAD_QUEUE_FILE));
}

/* What the caller gets wrong is refused with its own error, and nothing
 * reaches the kernel. */
static void test_load_refusals(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	char name[KLP_MODULE_NAME_MAX], tried[512];
	bool queued;

	guard_start(f);
	assert_int_equal(action_load(&f->ctx, "klpt_a", 1u << 30, NULL, name, &queued, &res),
			 -EINVAL);
	assert_int_equal(res.error, ACTION_ERROR_INVALID_ARGS);
	assert_int_equal(load(f, "nosuch", NULL, &queued, &res), -ENOENT);
	assert_int_equal(res.error, ACTION_ERROR_NO_SUCH_PATCH);
	/* the message names the directories tried, not a placeholder */
	snprintf(tried, sizeof(tried), "(tried %s/" KREL "/nosuch.ko[.xz|.zst|.gz], %s/nosuch.ko[...])",
		 f->patches, f->patches);
	assert_non_null(strstr(res.message, tried));
	assert_null(strstr(res.message, "<dir>"));
	assert_int_equal(load(f, "/tmp/klpt_b.ko", NULL, &queued, &res), -EPERM);
	assert_int_equal(res.error, ACTION_ERROR_BAD_SOURCE);
	assert_int_equal(load(f, "klpt_b.ko/../x", NULL, &queued, &res), -EINVAL);
	assert_int_equal(res.error, ACTION_ERROR_INVALID_ARGS);
	assert_int_equal(f->n_inserts, 0);
	assert_null(f->queue);
}

/* A load that was queued when klpd stopped is found in the state directory
 * at the next start: done now when idle, queued again otherwise, not done
 * twice when the module is loaded already. */
static void test_restore_queue(void **state)
{
	struct fixture *f = *state;
	char text[512];

	guard_start(f);
	kernel_patch(f, "klpt_c", 1, 0);
	assert_int_equal(state_rescan(f->state, 20), 0);
	snprintf(text, sizeof(text),
		 "klpt_b hand %s/klpt_b.ko\nklpt_a boot %s/" KREL "/klpt_a.ko\n"
		 "klpt_c hand %s/klpt_c.ko\n",
		 f->patches, f->patches, f->patches);
	put(f, "state/" LOAD_QUEUE_FILE, text);
	actions_restore_queue(&f->ctx);
	assert_int_equal(f->n_inserts, 1);
	assert_string_equal(f->inserted[0], "klpt_b");
	assert_non_null(f->queue);
	assert_string_equal(f->queue->name, "klpt_a");
	assert_string_equal(f->queue->reason, BOOT_LOAD_REASON);
	assert_null(f->queue->next); /* klpt_c: loaded already */
	assert_true(exists(f, "state/" LOAD_QUEUE_FILE));
}

/* The crash-loop guard: a boot-time load of a module another boot went
 * down loading is refused; a load by hand works and ends the skipping. */
static void test_boot_load_skipped(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	bool queued;

	put(f, "state/" BOOT_LOADS_FILE, "klpt_b " OTHER_BOOT_ID "\n");
	guard_start(f);
	assert_true(boot_guard_skipped(&f->guard, "klpt_b"));
	assert_int_equal(load(f, "klpt_b", BOOT_LOAD_REASON, &queued, &res), -ECANCELED);
	assert_int_equal(res.error, ACTION_ERROR_REFUSED);
	assert_int_equal(f->n_inserts, 0);

	assert_int_equal(load(f, "klpt_b", NULL, &queued, &res), 0);
	assert_int_equal(f->n_inserts, 1);
	assert_false(boot_guard_skipped(&f->guard, "klpt_b"));
	assert_int_equal(f->n_events, 1);
	assert_int_equal(f->events[0].kind, ACTION_EVENT_SKIP_CLEARED);
}

/* The health window's marks: a faulty module is skipped at boot until
 * cleared by hand (the file says so after a restart too); under
 * LoadAtBoot=accepted only accepted ones load at boot; by hand anything. */
static void test_boot_load_health(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	bool queued;

	put(f, "state/" HEALTH_FILE, "klpt_b faulty 1700000000000000 warning\n"
				    "klpt_c accepted 1700000000000000\n");
	guard_start(f);
	assert_int_equal(health_book_load(&f->health, f->statedir), 0);
	assert_int_equal(load(f, "klpt_b", BOOT_LOAD_REASON, &queued, &res), -ECANCELED);
	assert_non_null(strstr(res.message, "faulty"));
	assert_int_equal(f->n_inserts, 0);

	assert_int_equal(action_clear_skip(&f->ctx, "klpt-b", &res), 0);
	assert_int_equal(health_book_get(&f->health, "klpt_b"), PATCH_HEALTH_NONE);
	assert_int_equal(health_book_load(&f->health, f->statedir), 0); /* as saved */
	assert_int_equal(health_book_get(&f->health, "klpt_b"), PATCH_HEALTH_NONE);
	assert_int_equal(action_clear_skip(&f->ctx, "klpt_b", &res), -ENOENT);

	f->config.load_at_boot = LOAD_AT_BOOT_ACCEPTED;
	assert_int_equal(load(f, "klpt_b", BOOT_LOAD_REASON, &queued, &res), -EPERM);
	assert_non_null(strstr(res.message, "LoadAtBoot=accepted"));
	assert_int_equal(f->n_inserts, 0);
	assert_int_equal(load(f, "klpt_c", BOOT_LOAD_REASON, &queued, &res), 0);
	assert_int_equal(f->n_inserts, 1);
}

/* A load by hand of a faulty module ends the mark. */
static void test_load_by_hand_clears_faulty(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	bool queued;

	put(f, "state/" HEALTH_FILE, "klpt_b faulty 1700000000000000 bug\n");
	guard_start(f);
	assert_int_equal(health_book_load(&f->health, f->statedir), 0);
	assert_int_equal(load(f, "klpt_b", NULL, &queued, &res), 0);
	assert_int_equal(health_book_get(&f->health, "klpt_b"), PATCH_HEALTH_NONE);
	assert_false(exists(f, "state/" HEALTH_FILE));
	assert_int_equal(f->n_events, 1);
	assert_int_equal(f->events[0].kind, ACTION_EVENT_SKIP_CLEARED);
}

/* A boot-time load is recorded before the insert (a machine going down in
 * it skips it next boot), and the record goes when the insert fails. */
static void test_boot_load_recorded(void **state)
{
	struct fixture *f = *state;
	struct action_result res;
	bool queued;

	guard_start(f);
	assert_int_equal(load(f, "klpt_b", BOOT_LOAD_REASON, &queued, &res), 0);
	assert_non_null(boot_guard_find(&f->guard, "klpt_b"));
	assert_true(exists(f, "state/" BOOT_LOADS_FILE));
	kernel_transition_ends(f, "klpt_b");

	f->insert_error = -ENOEXEC;
	assert_true(load(f, "klpt_c", BOOT_LOAD_REASON, &queued, &res) < 0);
	assert_null(boot_guard_find(&f->guard, "klpt_c"));
}

/* Unload removes only a leftover, and tells the manager around it. */
static void test_unload(void **state)
{
	struct fixture *f = *state;
	struct action_result res = {};

	guard_start(f);
	kernel_patch(f, "klpt_b", 1, 0);
	assert_int_equal(state_rescan(f->state, 20), 0);
	assert_int_equal(action_unload(&f->ctx, "klpt_b", UNLOAD_REQUESTED, &res), -EBUSY);
	assert_int_equal(res.error, ACTION_ERROR_REFUSED);
	assert_int_equal(action_unload(&f->ctx, "ext4", UNLOAD_REQUESTED, &res), -ENOENT);
	assert_int_equal(action_unload(&f->ctx, "bad name", UNLOAD_REQUESTED, &res), -EINVAL);
	assert_int_equal(f->n_deletes, 0);

	kernel_leftover(f, "klpt_b", "0");
	assert_int_equal(state_rescan(f->state, 20), 0);
	f->delete_error = -EWOULDBLOCK;
	res = (struct action_result){};
	assert_true(action_unload(&f->ctx, "klpt_b", UNLOAD_BY_POLICY, &res) < 0);
	assert_int_equal(f->n_deletes, 1);
	/* the refusal is told, for klpd_unload_failures_total */
	assert_int_equal(f->n_events, 3);
	assert_int_equal(f->events[0].kind, ACTION_EVENT_UNLOADING);
	assert_int_equal(f->events[1].kind, ACTION_EVENT_UNLOAD_FAILED);
	assert_int_equal(f->events[1].origin, UNLOAD_BY_POLICY);
	assert_int_equal(f->events[2].kind, ACTION_EVENT_UNLOAD_OVER);
	assert_non_null(state_find(f->state, "klpt_b"));

	f->delete_error = 0;
	res = (struct action_result){};
	assert_int_equal(action_unload(&f->ctx, "klpt_b", UNLOAD_REQUESTED, &res), 0);
	assert_int_equal(f->n_deletes, 2);
	assert_null(state_find(f->state, "klpt_b"));
	/* a removal that worked is no failure */
	assert_int_equal(f->n_events, 5);
	assert_int_equal(f->events[3].kind, ACTION_EVENT_UNLOADING);
	assert_int_equal(f->events[4].kind, ACTION_EVENT_UNLOAD_OVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_waits_for_transition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_busy_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queued_load_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_compressed_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_load_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_load_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_by_hand_clears_faulty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_load_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unload, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
