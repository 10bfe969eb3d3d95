/* ar-environment-editor.h — edits one environment (design.md §6.2): the General,
 * Container and Preflight tabs, on a draft copy that Save writes through
 * the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-env-store.h"
#include "ar-environment.h"
#include "ar-preflight-editor.h"

G_BEGIN_DECLS

#define AR_ENVIRONMENT_EDITOR_ERROR (ar_environment_editor_error_quark ())
GQuark ar_environment_editor_error_quark (void);

typedef enum {
  AR_ENVIRONMENT_EDITOR_ERROR_INVALID, /* fields with errors; nothing saved */
  AR_ENVIRONMENT_EDITOR_ERROR_NOTHING, /* no environment to save */
} ArEnvironmentEditorError;

#define AR_TYPE_ENVIRONMENT_EDITOR (ar_environment_editor_get_type ())
G_DECLARE_FINAL_TYPE (ArEnvironmentEditor, ar_environment_editor, AR, ENVIRONMENT_EDITOR, AdwBin)

GtkWidget *ar_environment_editor_new (void);

/* Where Save writes (replace + save). NULL: Save only updates
 * :environment. */
ArEnvStore *ar_environment_editor_get_store (ArEnvironmentEditor *self);
void ar_environment_editor_set_store (ArEnvironmentEditor *self,
                                      ArEnvStore *store);

/* The saved environment shown; setting it drops any unsaved changes (ask
 * first with ar_environment_editor_confirm_leave_async()). */
ArEnvironment *ar_environment_editor_get_environment (ArEnvironmentEditor *self);
void ar_environment_editor_set_environment (ArEnvironmentEditor *self,
                                            ArEnvironment *environment);
/* Shows @environment, which is not in the store yet: the editor counts as
 * modified until its first Save, which adds it to the store. */
void ar_environment_editor_set_new_environment (ArEnvironmentEditor *self,
                                                ArEnvironment *environment);
/* The environment shown has never been saved. */
gboolean ar_environment_editor_get_is_new (ArEnvironmentEditor *self);

/* A back button before the title, for a page that shows the editor
 * instead of its list (a narrow window). */
void ar_environment_editor_set_show_back_button (ArEnvironmentEditor *self,
                                                 gboolean show);
/* Focuses the name field, on the General tab. */
void ar_environment_editor_focus_name (ArEnvironmentEditor *self);

/* The copy the widgets edit. */
ArEnvironment *ar_environment_editor_get_draft (ArEnvironmentEditor *self);

/* The draft differs from the saved environment, or a field has text that
 * could not be taken over because of errors. */
gboolean ar_environment_editor_get_modified (ArEnvironmentEditor *self);
/* Some line of env vars, mounts or ports, or the command line, is wrong. */
gboolean ar_environment_editor_get_has_errors (ArEnvironmentEditor *self);
/* TRUE while a save is being written (the window stays usable meanwhile). */
gboolean ar_environment_editor_get_saving (ArEnvironmentEditor *self);

ArPreflightEditor *ar_environment_editor_get_preflight_editor (ArEnvironmentEditor *self);

/* Save (design.md §6.2): refuses while fields have errors, runs the preflight
 * validator and, with warnings, asks "Go back" / "Save anyway"; then
 * replaces the entry in the store and saves the file. Fails with
 * G_IO_ERROR_CANCELLED when the user went back. Errors are also shown to
 * the user. */
void ar_environment_editor_save_async (ArEnvironmentEditor *self,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean ar_environment_editor_save_finish (ArEnvironmentEditor *self,
                                            GAsyncResult *result,
                                            GError **error);

/* With unsaved changes, asks Save / Discard / Cancel. Completes with TRUE
 * when the editor may show something else (nothing to lose, saved, or
 * discarded), FALSE when the user cancelled or the save failed. */
void ar_environment_editor_confirm_leave_async (ArEnvironmentEditor *self,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
gboolean ar_environment_editor_confirm_leave_finish (ArEnvironmentEditor *self,
                                                     GAsyncResult *result);

G_END_DECLS
