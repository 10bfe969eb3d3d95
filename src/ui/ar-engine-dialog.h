/* ar-engine-dialog.h — adds or edits one engine of the Preferences' list
 * (design.md §7): name, address, kind and whether it shares this
 * computer's folders, checked before it is saved to the `engines` key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AR_TYPE_ENGINE_DIALOG (ar_engine_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ArEngineDialog, ar_engine_dialog, AR, ENGINE_DIALOG, AdwWindow)

/* @editing: the name of the engine to edit; NULL adds one. Save checks the
 * entry (ar_settings_validate_engine()), says what is wrong in the dialog,
 * or writes the list to @settings and closes. */
GtkWidget *ar_engine_dialog_new (GtkWindow *parent, GSettings *settings, const char *editing);

/* The message of the last refused Save; NULL when none. */
const char *ar_engine_dialog_get_error (ArEngineDialog *self);

G_END_DECLS
