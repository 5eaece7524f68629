/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The D-Bus contract of klpd (man/org.klpd.livepatch1.5), shared by klpd and
 * klpctl so that neither can drift from the other. */

#define KLPD_BUS_NAME "org.klpd.livepatch1"
#define KLPD_MANAGER_PATH "/org/klpd/livepatch1"
#define KLPD_PATCH_PATH_PREFIX "/org/klpd/livepatch1/patch"

#define KLPD_MANAGER_INTERFACE "org.klpd.livepatch1.Manager"
#define KLPD_PATCH_INTERFACE "org.klpd.livepatch1.Patch"

#define KLPD_ERROR_PREFIX "org.klpd.livepatch1.Error."
#define KLPD_ERROR_NO_SUCH_PATCH KLPD_ERROR_PREFIX "NoSuchPatch"
#define KLPD_ERROR_NOT_LIVEPATCH KLPD_ERROR_PREFIX "NotLivepatch"
#define KLPD_ERROR_TRANSITION_IN_PROGRESS KLPD_ERROR_PREFIX "TransitionInProgress"
#define KLPD_ERROR_NOT_IN_TRANSITION KLPD_ERROR_PREFIX "NotInTransition"
#define KLPD_ERROR_PINNED KLPD_ERROR_PREFIX "Pinned"
#define KLPD_ERROR_BAD_SOURCE KLPD_ERROR_PREFIX "BadSource"
#define KLPD_ERROR_NOT_SUPPORTED KLPD_ERROR_PREFIX "NotSupported"
#define KLPD_ERROR_REFUSED KLPD_ERROR_PREFIX "Refused"
#define KLPD_ERROR_CONFIG_REFUSED KLPD_ERROR_PREFIX "ConfigRefused"

/* Manager.State */
#define KLPD_STATE_IDLE "idle"
#define KLPD_STATE_TRANSITION "transition"
#define KLPD_STATE_STALLED "stalled"

/* Manager.ConfigurationSource */
#define KLPD_CONFIG_SOURCE_FILES "files"
#define KLPD_CONFIG_SOURCE_LAST_VALID "last-valid"
#define KLPD_CONFIG_SOURCE_DEFAULTS "defaults"

/* TransitionFinished "how" */
#define KLPD_HOW_COMPLETED "completed"
#define KLPD_HOW_REVERTED "reverted"
#define KLPD_HOW_FORCED "forced"

/* Transition targets */
#define KLPD_TARGET_PATCHED "patched"
#define KLPD_TARGET_UNPATCHED "unpatched"

/* Load() flags: none defined yet; unknown bits are refused. */
#define KLPD_LOAD_FLAGS_ALL UINT64_C(0)
