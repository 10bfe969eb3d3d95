/* ar-auto-split-dialog.h — the Auto-Split helper of the Preflight tab
 * (design.md §6.3): the analyzer's units, one row each, with a cached/run switch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-engine.h"
#include "ar-environment.h"
#include "ar-preflight-analyzer.h"
#include "ar-preflight-build-check.h"
#include "ar-settings.h"

G_BEGIN_DECLS

#define AR_TYPE_AUTO_SPLIT_DIALOG (ar_auto_split_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ArAutoSplitDialog, ar_auto_split_dialog, AR, AUTO_SPLIT_DIALOG, AdwWindow)

/* @env_var_names: the environment's env var names, for the analyzer.
 * @replaces_text: whether the cached or run editor already holds text that
 * Apply would replace (the dialog then says so).
 *
 * The script is analysed in a thread: until it is done the dialog shows a
 * spinner, ::analysing is TRUE and there are no units; closing the dialog
 * drops the analysis.
 *
 * Emits ::applied (const char *cached, const char *run) on Apply, then
 * closes; Cancel and Escape close without emitting anything. */
ArAutoSplitDialog *ar_auto_split_dialog_new (const char *script,
                                             const char *const *env_var_names,
                                             gboolean replaces_text);

/* TRUE while the script is being analysed (property "analysing"). */
gboolean ar_auto_split_dialog_get_analysing (ArAutoSplitDialog *self);

/* The units with the parts as currently switched (element-type
 * ArPreflightUnit, owned by the dialog); empty while analysing. */
GPtrArray *ar_auto_split_dialog_get_units (ArAutoSplitDialog *self);
/* Flips unit @index to CACHED or RUN, as its switch would; BOTH units
 * cannot be flipped. */
void ar_auto_split_dialog_set_part (ArAutoSplitDialog *self,
                                    guint index,
                                    ArPreflightPart part);
/* The script of part @which as Apply would render it now. */
char *ar_auto_split_dialog_render (ArAutoSplitDialog *self,
                                   ArPreflightPart which);

/* Where "Check Build" checks the split (ar-preflight-build-check.h): the
 * engine, and snapshots of the environment (base image, variables) and the
 * Settings. Without it (engine NULL) the button is off and says why.
 * ::check-finished is emitted when a check ends. */
void ar_auto_split_dialog_set_check_target (ArAutoSplitDialog *self,
                                            ArEngine *engine,
                                            ArEnvironment *environment,
                                            const ArSettings *settings);
/* The last check's result, NULL before one ended. */
const ArBuildCheckResult *ar_auto_split_dialog_get_check_result (ArAutoSplitDialog *self);

/* Translated short name of an analyzer category ("Package install"). */
const char *ar_preflight_category_label (ArPreflightCategory category);

G_END_DECLS
