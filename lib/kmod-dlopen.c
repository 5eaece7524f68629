/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmod-dlopen.h"
#include "macro.h"

/* The few libkmod functions klpd calls, typed by libkmod's own header. */
struct kmod_dl {
	void *handle;
	__typeof__(&kmod_new) new_ctx;
	__typeof__(&kmod_unref) unref;
	__typeof__(&kmod_module_new_from_path) module_new_from_path;
	__typeof__(&kmod_module_unref) module_unref;
	__typeof__(&kmod_module_get_info) module_get_info;
	__typeof__(&kmod_module_info_get_key) info_get_key;
	__typeof__(&kmod_module_info_get_value) info_get_value;
	__typeof__(&kmod_module_info_free_list) info_free_list;
	__typeof__(&kmod_list_next) list_next;
	__typeof__(&kmod_module_insert_module) insert_module;
	struct kmod_ctx *ctx;
	struct kmod_module *mod;
};

static void kmod_dl_close(struct kmod_dl *k)
{
	if (k->mod)
		k->module_unref(k->mod);
	if (k->ctx)
		k->unref(k->ctx);
	if (k->handle)
		dlclose(k->handle);
	*k = (struct kmod_dl){};
}

static int kmod_dl_symbols(struct kmod_dl *k, char *dlerr, size_t dlerr_size)
{
	/* dlsym() gives a void *; its value is the function's address. */
#define SYM(field, name)                                                                           \
	do {                                                                                       \
		*(void **)&k->field = dlsym(k->handle, name);                                      \
		if (!k->field) {                                                                   \
			snprintf(dlerr, dlerr_size, "%s", strempty(dlerror()));                    \
			return -ELIBACC;                                                           \
		}                                                                                  \
	} while (0)
	SYM(new_ctx, "kmod_new");
	SYM(unref, "kmod_unref");
	SYM(module_new_from_path, "kmod_module_new_from_path");
	SYM(module_unref, "kmod_module_unref");
	SYM(module_get_info, "kmod_module_get_info");
	SYM(info_get_key, "kmod_module_info_get_key");
	SYM(info_get_value, "kmod_module_info_get_value");
	SYM(info_free_list, "kmod_module_info_free_list");
	SYM(list_next, "kmod_list_next");
	SYM(insert_module, "kmod_module_insert_module");
#undef SYM
	return 0;
}

/* Open libkmod and a module object for the file open at FD. */
static int kmod_dl_open(struct kmod_dl *k, int fd, char *dlerr, size_t dlerr_size)
{
	char fdpath[64];
	int r;

	*k = (struct kmod_dl){};
	k->handle = dlopen("libkmod.so.2", RTLD_NOW | RTLD_LOCAL);
	if (!k->handle) {
		snprintf(dlerr, dlerr_size, "%s", strempty(dlerror()));
		return -ELIBACC;
	}
	r = kmod_dl_symbols(k, dlerr, dlerr_size);
	if (r < 0)
		return r;
	k->ctx = k->new_ctx(NULL, NULL);
	if (!k->ctx)
		return -ENOMEM;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	return k->module_new_from_path(k->ctx, fdpath, &k->mod);
}

/* What a child sends back: its result, and what it read or why it failed. */
struct child_result {
	int r;
	struct modinfo info;
	char dlerr[256];
};

static int read_modinfo_here(int fd, struct child_result *res)
{
	_cleanup_(kmod_dl_close) struct kmod_dl k = {};
	struct kmod_list *info = NULL;
	int r;

	r = kmod_dl_open(&k, fd, res->dlerr, sizeof(res->dlerr));
	if (r < 0)
		return r;
	r = k.module_get_info(k.mod, &info);
	if (r < 0)
		return r;
	for (struct kmod_list *l = info; l; l = k.list_next(info, l)) {
		const char *key = k.info_get_key(l), *value = k.info_get_value(l);
		char kv[512];
		int n;

		if (!key || !value)
			continue;
		/* The same key=value form as the section itself. */
		n = snprintf(kv, sizeof(kv), "%s=%s", key, value);
		if (n > 0 && (size_t)n < sizeof(kv))
			modinfo_add(&res->info, kv, (size_t)n);
	}
	k.info_free_list(info);
	return 0;
}

static int insert_here(int fd, struct child_result *res)
{
	_cleanup_(kmod_dl_close) struct kmod_dl k = {};
	int r;

	r = kmod_dl_open(&k, fd, res->dlerr, sizeof(res->dlerr));
	if (r < 0)
		return r;
	return k.insert_module(k.mod, 0, NULL);
}

/* Run FN in a child process, which opens libkmod, does the work and exits:
 * libcrypto, which libkmod pulls in and which can never be unloaded
 * (-z nodelete), then never enters klpd's own memory. klpd waits for it, as
 * it would wait for the same work done in its own process. */
static int in_child(int (*fn)(int fd, struct child_result *res), int fd, struct child_result *ret)
{
	_cleanup_close_ int rd = -1, wr = -1;
	int p[2], status, r = 0;
	size_t got = 0;
	pid_t pid;

	*ret = (struct child_result){};
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	rd = p[0];
	wr = p[1];
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct child_result res = {};

		res.r = fn(fd, &res);
		/* One write below PIPE_BUF: the parent gets all or nothing. */
		_exit(write(wr, &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 1);
	}
	close(wr);
	wr = -1;
	while (got < sizeof(*ret)) {
		ssize_t n = read(rd, (char *)ret + got, sizeof(*ret) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			r = -errno;
			break;
		}
	if (got != sizeof(*ret)) {
		snprintf(ret->dlerr, sizeof(ret->dlerr), "the libkmod helper process died");
		return r < 0 ? r : -EPROTO;
	}
	return 0;
}

int kmod_dlopen_read_modinfo(int fd, struct modinfo *ret, char *dlerr, size_t dlerr_size)
{
	struct child_result res;
	int r;

	r = in_child(read_modinfo_here, fd, &res);
	if (r == 0)
		r = res.r;
	if (dlerr)
		snprintf(dlerr, dlerr_size, "%s", res.dlerr);
	*ret = res.info;
	return r;
}

int kmod_dlopen_insert(int fd, char *dlerr, size_t dlerr_size)
{
	struct child_result res;
	int r;

	r = in_child(insert_here, fd, &res);
	if (r == 0)
		r = res.r;
	if (dlerr)
		snprintf(dlerr, dlerr_size, "%s", res.dlerr);
	return r;
}
