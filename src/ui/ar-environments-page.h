/* ar-environments-page.h — the Environments page (design.md §6.2): the list with
 * add, duplicate and delete (with undo), and the editor, side by side or,
 * in a narrow window, one at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-env-store.h"
#include "ar-environment-editor.h"

G_BEGIN_DECLS

#define AR_TYPE_ENVIRONMENTS_PAGE (ar_environments_page_get_type ())
G_DECLARE_FINAL_TYPE (ArEnvironmentsPage, ar_environments_page, AR, ENVIRONMENTS_PAGE, AdwBin)

GtkWidget *ar_environments_page_new (ArEnvStore *store);

ArEnvStore *ar_environments_page_get_store (ArEnvironmentsPage *self);
void ar_environments_page_set_store (ArEnvironmentsPage *self,
                                     ArEnvStore *store);

ArEnvironmentEditor *ar_environments_page_get_editor (ArEnvironmentsPage *self);

/* Starts a new environment (asking first when the editor has unsaved
 * changes): a draft in the list and the editor, written on its first Save
 * (Ctrl+N on this page). */
void ar_environments_page_new_environment (ArEnvironmentsPage *self);

/* Saves the editor's changes, if any (Ctrl+S; the "environments.save"
 * action does the same). */
void ar_environments_page_save (ArEnvironmentsPage *self);

/* Shows the environment in the editor (asking first when the editor has
 * unsaved changes). */
void ar_environments_page_select (ArEnvironmentsPage *self,
                                  const char *env_id);

/* The store could not read its file: says so with the parser's position and
 * offers to open the .bak instead, or to start with an empty list. Until the
 * user decides, the file is never overwritten. */
void ar_environments_page_report_load_error (ArEnvironmentsPage *self,
                                             const GError *error);

G_END_DECLS
