/* ar-environments-page-private.h — what the files of ArEnvironmentsPage
 * share: the instance struct and the helpers one file uses of another's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-environments-page.h"
#include "ar-tab-out-bin.h"

G_BEGIN_DECLS

struct _ArEnvironmentsPage {
  AdwBin parent_instance;

  ArEnvStore *store;
  /* New environments not saved yet, shown after the store's. */
  GListStore *drafts;
  GListStore *models;
  GtkSingleSelection *selection;
  GCancellable *cancellable;
  /* Set while the page moves the selection itself. */
  gboolean syncing;

  /* The last deletion, for Undo. */
  ArEnvironment *deleted;
  guint deleted_position;

  /* Watching the file for other programs' changes. */
  GFileMonitor *monitor;
  GCancellable *read_cancellable;
  guint reload_source;
  gboolean reloading;

  AdwLeaflet *leaflet;
  GtkWidget *sidebar;
  GtkWidget *add_button;
  ArTabOutBin *list_bin;
  GtkListView *list_view;
  GtkStack *content_stack;
  ArEnvironmentEditor *editor;
};

void ar_environments_page_select_quietly (ArEnvironmentsPage *self, ArEnvironment *env);
void ar_environments_page_show_environment (ArEnvironmentsPage *self, ArEnvironment *env);
ArEnvironment *ar_environments_page_find_environment (ArEnvironmentsPage *self, const char *env_id);
void ar_environments_page_reload_cb (GObject *object, GAsyncResult *result, gpointer user_data);
void ar_environments_page_watch_store (ArEnvironmentsPage *self);

G_END_DECLS
