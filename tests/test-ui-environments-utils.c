/* test-ui-environments-utils.c — what the test-ui-environments programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
#include "test-ui-environments-utils.h"

/* The window's saves are written in a worker (issue 10 item 6): what is
 * on disk is read once they are done. */
void
await_saves (Fixture *f)
{
  if (f->store != NULL)
    ar_test_ui_await_for (!ar_env_store_get_saving (f->store), SAVE_SECONDS);
}

ArEnvironmentsPage *
page (Fixture *f)
{
  if (f->bare_page != NULL)
    return f->bare_page;
  return ar_window_get_environments_page (f->window);
}

ArEnvironmentEditor *
editor (Fixture *f)
{
  return ar_environments_page_get_editor (page (f));
}

gpointer
field (Fixture *f, const char *name)
{
  return ar_test_ui_child (editor (f), AR_TYPE_ENVIRONMENT_EDITOR, name);
}

gpointer
preflight_field (Fixture *f, const char *name)
{
  return ar_test_ui_child (ar_environment_editor_get_preflight_editor (editor (f)), AR_TYPE_PREFLIGHT_EDITOR, name);
}

void
open_window (Fixture *f)
{
  f->window = ar_window_new (NULL, f->store);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1180, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
}

void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(ArEnvironment) alpha = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) beta = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;

  f->dir = ar_test_mkdtemp ("envs");
  f->path = g_build_filename (f->dir, "environments.json", NULL);
  f->store = ar_env_store_new (f->path);

  ar_environment_set_name (alpha, "Alpha");
  ar_environment_set_color (alpha, "cyan");
  ar_environment_set_preflight_script (alpha, "#!/bin/sh\napt-get install -y git\necho $TASK_ID\n");
  ar_environment_set_name (beta, "Beta");
  ar_environment_set_color (beta, "rose");
  ar_environment_set_cache_container_build (beta, TRUE);
  ar_environment_set_preflight_mode (beta, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cached_preflight_script (beta, "#!/bin/sh\napt-get install -y ripgrep\n");
  f->alpha_id = g_strdup (ar_environment_get_env_id (alpha));
  f->beta_id = g_strdup (ar_environment_get_env_id (beta));
  g_assert_true (ar_env_store_add (f->store, alpha, &error));
  g_assert_true (ar_env_store_add (f->store, beta, &error));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);

  open_window (f);
}

void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  await_saves (f);
  ar_test_ui_close_all_windows ();
  /* What the closed window still had under way (a toast's timeout) lets
   * go of the store within a moment. */
  ar_test_ui_await (G_OBJECT (f->store)->ref_count == 1);
  g_assert_finalize_object (f->store);
  g_free (f->alpha_id);
  g_free (f->beta_id);
  g_free (f->path);
  g_free (f->dir);
}

char *
file_contents (Fixture *f)
{
  char *contents = NULL;

  await_saves (f);
  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  return contents;
}

ArEnvStore *
reload (Fixture *f)
{
  ArEnvStore *store = ar_env_store_new (f->path);
  g_autoptr(GError) error = NULL;

  await_saves (f);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  return store;
}

/* The list: a GtkListView on a single selection. */
GtkSingleSelection *
list_selection (Fixture *f)
{
  GtkListView *list = ar_test_ui_child (page (f), AR_TYPE_ENVIRONMENTS_PAGE, "list_view");

  return GTK_SINGLE_SELECTION (gtk_list_view_get_model (list));
}

guint
n_rows (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (list_selection (f)));
}

/* As a click or an arrow key does. */
void
select_row (Fixture *f, guint position)
{
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (list_selection (f)), position, TRUE);
}

guint
selected_row (Fixture *f)
{
  return gtk_single_selection_get_selected (list_selection (f));
}

void
show_tab (Fixture *f, const char *tab)
{
  gtk_stack_set_visible_child_name (field (f, "tabs"), tab);
}

void
save_and_wait (Fixture *f)
{
  g_assert_true (ar_environment_editor_get_modified (editor (f)));
  if (f->window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (f->window), "win.save-environment", NULL);
  else
    gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.save", NULL);
  /* A save runs the validator's shells and two fsyncs; beside engine tests
   * building images on the same disk that has taken over 10 s in CI. */
  ar_test_ui_await_for (!ar_environment_editor_get_modified (editor (f)) && !ar_env_store_get_saving (f->store),
                        SAVE_SECONDS);
}

/* ---- the backup, when the list already holds some of it (issue 10 item 7) ---- */

gboolean
find_label_text (GtkWidget *widget, const char *needle)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (find_label_text (child, needle))
      return TRUE;
  return FALSE;
}

/* GTK's own schemas (the fallback file chooser's): where the system's are,
 * noted before GTest hides XDG_DATA_DIRS. */
void
add_system_schemas (void)
{
  const char *data_dirs = g_getenv ("XDG_DATA_DIRS");
  g_auto(GStrv) dirs = g_strsplit (data_dirs != NULL && *data_dirs != '\0' ? data_dirs : "/usr/local/share:/usr/share", ":", -1);
  g_autoptr(GString) path = g_string_new (g_getenv ("GSETTINGS_SCHEMA_DIR"));

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *dir = g_build_filename (dirs[i], "glib-2.0", "schemas", NULL);

      if (path->len > 0)
        g_string_append_c (path, G_SEARCHPATH_SEPARATOR);
      g_string_append (path, dir);
    }
  g_setenv ("GSETTINGS_SCHEMA_DIR", path->str, TRUE);
}
