/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* A pager for long output at a terminal, as systemd's tools have one: when
 * stdout is a terminal and NO_PAGER is false, stdout becomes a pipe into
 * $KLPCTL_PAGER, else $PAGER, else less (with LESS=FRSXMK unless LESS is
 * set: it quits at once when the text fits the screen), else more; when
 * none can run, the text still reaches the terminal. An empty pager or
 * "cat" means none. */
void pager_open(bool no_pager);
/* Flush, end the pipe, wait for the pager to quit; returns EXIT_STATUS. */
int pager_close(int exit_status);
