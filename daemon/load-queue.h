/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "names.h"

/* The loads waiting for a transition to end, kept in the state directory so
 * that a klpd killed while loads wait does not drop them: Load() returned
 * to its caller when it queued the load, nobody else would ask again. The
 * file is rewritten after each insert, so a load that happened just before
 * a crash is found loaded at the next start and not done twice. */

/* The queue in memory: the loads in order, each with its file open so that
 * what runs later is what was checked when it was queued. */
struct load_request {
	char name[KLP_MODULE_NAME_MAX];
	char *source;
	const char *reason; /* NULL for Load(); "LoadAtBoot" */
	int fd;
	struct load_request *next;
};

/* Frees Q and every request after it, closing their files. */
void load_queue_free(struct load_request *q);
/* A new request at the end of *QUEUE; it owns FD once this returns 0. */
int load_queue_append(struct load_request **queue, int fd, const char *name, const char *source,
		      const char *reason);
bool load_queue_contains(const struct load_request *queue, const char *name);
/* Take the first request off *QUEUE (NULL when empty), or put one back. */
struct load_request *load_queue_pop(struct load_request **queue);
void load_queue_push_front(struct load_request **queue, struct load_request *q);
/* QUEUE as it stands into DIR/load-queue (removed when QUEUE is empty). */
int load_queue_save(const struct load_request *queue, const char *dir);

/* The file. */
#define LOAD_QUEUE_FILE "load-queue"
#define LOAD_QUEUE_FILE_MAX (256 * 1024)

struct queued_load {
	char name[KLP_MODULE_NAME_MAX];
	bool at_boot; /* LoadAtBoot, else Load() */
	char *path;   /* absolute, checked again when it is loaded */
};

void queued_loads_free(struct queued_load *l, size_t n);

/* "# comment" lines, else "NAME boot|hand PATH" lines. -EBADMSG for
 * anything else (bad name, relative path, a NUL byte): the file is then worth
 * nothing. */
int load_queue_parse(const char *buf, size_t len, struct queued_load **ret, size_t *ret_n);

/* The file's text, malloc'ed. -EINVAL for a path holding a newline. */
int load_queue_format(const struct queued_load *l, size_t n, char **ret);

/* DIR/load-queue: an empty list when it does not exist; written
 * atomically, removed when N is 0. */
int load_queue_read(const char *dir, struct queued_load **ret, size_t *ret_n);
int load_queue_write(const char *dir, const struct queued_load *l, size_t n);
