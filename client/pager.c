/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "pager.h"

static pid_t pager_pid;

/* In the child, stdin the pipe: copy it to the terminal, the pager of
 * last resort, so that no output is lost when no pager runs. */
_noreturn_ static void copy_through(void)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		for (ssize_t done = 0; n > 0 && done < n;) {
			ssize_t w = write(STDOUT_FILENO, buf + done, (size_t)(n - done));

			if (w < 0 && errno != EINTR)
				_exit(EXIT_FAILURE);
			done += w > 0 ? w : 0;
		}
	_exit(EXIT_SUCCESS);
}

_noreturn_ static void run_pager(const char *pager)
{
	if (pager) {
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		copy_through();
	}
	(void)setenv("LESS", "FRSXMK", 0);
	execlp("less", "less", (char *)NULL);
	execlp("more", "more", (char *)NULL);
	copy_through();
}

void pager_open(bool no_pager)
{
	const char *pager = getenv("KLPCTL_PAGER");
	int fd[2];
	pid_t pid;

	if (no_pager || pager_pid > 0 || !isatty(STDOUT_FILENO))
		return;
	if (!pager)
		pager = getenv("PAGER");
	if (pager && (!*pager || streq(pager, "cat")))
		return;
	if (pipe(fd) < 0)
		return; /* then the text goes to the terminal as it is */
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	if (pid == 0) {
		if (dup2(fd[0], STDIN_FILENO) < 0)
			_exit(EXIT_FAILURE);
		close(fd[0]);
		close(fd[1]);
		run_pager(pager);
	}
	if (dup2(fd[1], STDOUT_FILENO) < 0) {
		/* the child sees the end of its input and quits */
		close(fd[0]);
		close(fd[1]);
		(void)waitpid(pid, NULL, 0);
		return;
	}
	close(fd[0]);
	close(fd[1]);
	pager_pid = pid;
	/* a user who quits the pager early ends klpctl without a message */
	signal(SIGPIPE, SIG_DFL);
}

int pager_close(int exit_status)
{
	if (pager_pid <= 0)
		return exit_status;
	fflush(stdout);
	close(STDOUT_FILENO);
	while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
		;
	pager_pid = 0;
	return exit_status;
}
