/* ar-environments-page.h — the Environments page (SPEC §6.2): the list with
 * add, duplicate and delete (with undo), and the editor.
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
                                     ArEnvStore         *store);

ArEnvironmentEditor *ar_environments_page_get_editor (ArEnvironmentsPage *self);

/* Shows the environment in the editor (asking first when the editor has
 * unsaved changes). */
void ar_environments_page_select (ArEnvironmentsPage *self,
                                  const char         *env_id);

/* The store could not read its file: says so with the parser's position and
 * offers to open the .bak instead, or to start with an empty list. Until the
 * user decides, the file is never overwritten. */
void ar_environments_page_report_load_error (ArEnvironmentsPage *self,
                                             const GError       *error);

G_END_DECLS
