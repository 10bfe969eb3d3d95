/* ar-rebuild-dialog.h — "Rebuild" of the Cached images page (design.md §3.3,
 * §3.6): builds the images an environment wants again, even when they
 * exist (the `image build --force` of the command line), with the build's
 * log as it runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-image-builder.h"
#include "ar-log-view.h"

G_BEGIN_DECLS

#define AR_TYPE_REBUILD_DIALOG (ar_rebuild_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ArRebuildDialog, ar_rebuild_dialog, AR, REBUILD_DIALOG, AdwWindow)

/* Starts at once. Closing the dialog while it builds cancels the build. */
GtkWidget *ar_rebuild_dialog_new (GtkWindow *parent,
                                  ArImageBuilder *builder,
                                  ArEnvironment *environment,
                                  const ArSettings *settings);

gboolean ar_rebuild_dialog_get_running (ArRebuildDialog *self);
/* After the end: TRUE when every image the environment wants exists. */
gboolean ar_rebuild_dialog_get_succeeded (ArRebuildDialog *self);
ArLogView *ar_rebuild_dialog_get_log_view (ArRebuildDialog *self);

/* Signal "finished" (gboolean succeeded). */

G_END_DECLS
