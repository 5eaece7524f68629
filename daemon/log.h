/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <syslog.h>

#include "macro.h"

/* MESSAGE_ID= of klpd's journal entries, so that `journalctl MESSAGE_ID=...`
 * finds every occurrence of one kind of event. Each has an entry in
 * catalog/klpd.catalog, which `journalctl -x` shows next to it. */
#define KLPD_MID_STARTED "be29deb1e79740ce924b9cef1be89891"
#define KLPD_MID_TRANSITION_STARTED "f64e72cf8df14717a4409912ce4eeae2"
#define KLPD_MID_TRANSITION_FINISHED "4f52f9208ed34ac1a5a60c831c263318"
#define KLPD_MID_TRANSITION_STALLED "066488a4a11f4e31b0ad00c5d186c310"
#define KLPD_MID_PATCH_LOADED "556e5f663aed4581964020d91061dd4e"
#define KLPD_MID_MODULE_UNLOADED "b99ba5be3402474498f510e9911f83d8"
#define KLPD_MID_ACTION "eafa6ec28a4d4409abcb9166528b6703"
#define KLPD_MID_MODULE_PINNED "a144458a43e048909842bfee5ef99552"
#define KLPD_MID_BOOT_LOAD_SKIPPED "3d0f7e2a9b6c4e58a1f2c7d94b0e6a15"
#define KLPD_MID_TRANSITION_FORCED "9d953eed1c8e4e3c84b1043e0a7ebe33"
#define KLPD_MID_TRANSITION_REVERTED "f527188c87374116a68439b52578d01a"
#define KLPD_MID_MODULE_AUTO_UNLOADED "30e9933e36464c949eba8016cb64ea18"
#define KLPD_MID_CONFIG_REFUSED "c81b4e07d2a34f6b9e5d0a7f13c62e94"
#define KLPD_MID_PATCH_FAULTY "bc1f4203a0ba415ea4474244f0189240"
#define KLPD_MID_PATCH_ACCEPTED "6a0d2e91c4b84f7d8e13a5c2f9b07d64"

void log_set_max_level(int level);

/* One log line. PATCH, ACTION and MESSAGE_ID may be NULL; when set they
 * become the journal fields KLPD_PATCH=, KLPD_ACTION=, MESSAGE_ID=.
 * Returns -ERR when ERR is negative (so that `return log_error_errno(...)`
 * works), else 0. */
int log_full(int prio, int err, const char *patch, const char *action, const char *message_id,
	     const char *fmt, ...) _printf_(6, 7);

#define log_debug(...) log_full(LOG_DEBUG, 0, NULL, NULL, NULL, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, 0, NULL, NULL, NULL, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, 0, NULL, NULL, NULL, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, 0, NULL, NULL, NULL, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, 0, NULL, NULL, NULL, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full(LOG_WARNING, (e), NULL, NULL, NULL, __VA_ARGS__)
#define log_error_errno(e, ...) log_full(LOG_ERR, (e), NULL, NULL, NULL, __VA_ARGS__)

/* An event about one patch, with its structured fields. */
#define log_patch(prio, patch, action, mid, ...) log_full((prio), 0, (patch), (action), (mid), __VA_ARGS__)
