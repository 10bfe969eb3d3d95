/* test-ui-environments-utils.h — what the test-ui-environments programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <glib/gstdio.h>
#include <string.h>

#include "ar-env-store.h"
#include "ar-environment-editor.h"
#include "ar-environments-page.h"
#include "ar-preflight-editor.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

#define SAVE_SECONDS 60

typedef struct {
  char *dir;
  char *path;
  ArEnvStore *store;
  ArWindow *window;
  /* The page alone in a window of its own (the "bare" tests): what is
   * measured there is this page's, not the main window's. */
  GtkWindow *bare_window;
  ArEnvironmentsPage *bare_page;
  char *alpha_id;
  char *beta_id;
} Fixture;

void await_saves (Fixture *f);

ArEnvironmentsPage *page (Fixture *f);

ArEnvironmentEditor *editor (Fixture *f);

gpointer field (Fixture *f, const char *name);

gpointer preflight_field (Fixture *f, const char *name);

void open_window (Fixture *f);

void fixture_set_up (Fixture *f, gconstpointer data);

void fixture_tear_down (Fixture *f, gconstpointer data);

char *file_contents (Fixture *f);

ArEnvStore *reload (Fixture *f);

GtkSingleSelection *list_selection (Fixture *f);

guint n_rows (Fixture *f);

void select_row (Fixture *f, guint position);

guint selected_row (Fixture *f);

void show_tab (Fixture *f, const char *tab);

void save_and_wait (Fixture *f);

gboolean find_label_text (GtkWidget *widget, const char *needle);

void add_system_schemas (void);
