/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

/* The live progress line of a --wait: follows klpd's signals and the
 * properties of the Manager and of the patch, and draws the line on stderr
 * (client/terminal.c). */
struct progress;

/* Start following PATCH. */
int progress_new(sd_bus *bus, const char *patch, struct progress **ret);
/* Read again what changed and redraw when due. Returns how long the caller
 * may sleep (usec) before the next call is due. */
uint64_t progress_update(struct progress *p);
/* Blank the line out, so that the final message starts on a clean line. */
struct progress *progress_free(struct progress *p);
static inline void progress_freep(struct progress **p)
{
	progress_free(*p);
}
