/* ar-environments-page-disk.c — the page and the file on disk: reloading
 * when another program changes it (asking before unsaved edits go), and a
 * file that could not be read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-environments-page-private.h"
#include "ar-ui.h"

/* ---- changes made by other programs ---- */

static void schedule_reload (ArEnvironmentsPage *self);

static void
on_outside_change_response (AdwMessageDialog *dialog,
                            const char *response,
                            ArEnvironmentsPage *self)
{
  const char *env_id = g_object_get_data (G_OBJECT (dialog), "ar-env-id");
  ArEnvironment *theirs;

  if (g_strcmp0 (response, "theirs") != 0)
    return;
  /* Their version, or, when they removed it, the first one. */
  theirs = ar_env_store_find_by_id (self->store, env_id);
  if (theirs == NULL && ar_env_store_get_n_environments (self->store) > 0)
    theirs = ar_env_store_get_environment (self->store, 0);
  ar_environments_page_show_environment (self, theirs);
}

/* The entry being edited changed on disk too: keep mine (Save then writes
 * it over theirs) or load theirs (my edits go). Never decided silently. */
static void
ask_about_outside_change (ArEnvironmentsPage *self,
                          ArEnvironment *current,
                          ArEnvironment *theirs)
{
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (theirs != NULL)
    heading = g_strdup_printf (_ ("“%s” Was Changed by Another Program"), ar_environment_get_name (current));
  else
    heading = g_strdup_printf (_ ("“%s” Was Removed by Another Program"), ar_environment_get_name (current));
  dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)), heading,
                                   theirs != NULL
                                     ? _ ("It changed on disk while you were editing it here. Keep your unsaved changes (saving replaces the other version), or load the version on disk and drop yours?")
                                     : _ ("It was removed from disk while you were editing it here. Keep your unsaved changes (saving adds it again), or drop them?"));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "theirs", theirs != NULL ? _ ("_Load Theirs") : _ ("_Drop Mine"),
                                    "mine", _ ("_Keep Mine"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "mine");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "mine");
  g_object_set_data_full (G_OBJECT (dialog), "ar-env-id",
                          g_strdup (ar_environment_get_env_id (current)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_outside_change_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
ar_environments_page_reload_cb (GObject *object,
                                GAsyncResult *result,
                                gpointer user_data)
{
  g_autoptr(ArEnvironmentsPage) self = user_data;
  guint serial = GPOINTER_TO_UINT (g_object_get_data (object, "ar-serial"));
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  ArEnvironment *current;
  ArEnvironment *now;
  gboolean modified;
  gboolean changed = FALSE;
  gboolean ok;

  if (!g_file_load_contents_finish (G_FILE (object), result, &data, &length, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_debug ("Could not read %s after a change: %s", g_file_peek_path (G_FILE (object)), error->message);
          return;
        }
      g_clear_pointer (&data, g_free);
    }
  if (self->store == NULL)
    return;
  /* This window saved meanwhile, or is saving: what was read may be older
   * than that, or be our own save before the store knows it wrote it. */
  if (serial != ar_env_store_get_disk_serial (self->store) || ar_env_store_get_saving (self->store))
    {
      schedule_reload (self);
      return;
    }

  current = ar_environment_editor_get_environment (self->editor);
  modified = ar_environment_editor_get_modified (self->editor);
  if (current != NULL)
    g_object_ref (current);

  self->reloading = TRUE;
  ok = ar_env_store_reload_data (self->store, data, length, &changed, &error);
  self->reloading = FALSE;

  if (!ok)
    ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (error->message));
  if (changed)
    {
      g_debug ("%s changed on disk; reloaded", ar_env_store_get_path (self->store));
      /* A draft is not on disk: nothing there touches it. */
      now = current != NULL ? ar_environments_page_find_environment (self, ar_environment_get_env_id (current)) : NULL;
      if (current != NULL && now == current)
        ar_environments_page_select_quietly (self, current); /* not touched there: edits stay */
      else if (current != NULL && modified)
        {
          ar_environments_page_select_quietly (self, now);
          ask_about_outside_change (self, current, now);
        }
      else if (now != NULL)
        ar_environments_page_show_environment (self, now);
      else
        {
          g_autoptr(ArEnvironment) first = g_list_model_get_item (G_LIST_MODEL (self->store), 0);
          ar_environments_page_show_environment (self, first);
        }
    }
  g_clear_object (&current);
}

static gboolean
reload_now (gpointer user_data)
{
  ArEnvironmentsPage *self = user_data;
  g_autoptr(GFile) file = NULL;

  g_assert (AR_IS_ENVIRONMENTS_PAGE (self));

  self->reload_source = 0;
  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  g_cancellable_cancel (self->read_cancellable);
  g_clear_object (&self->read_cancellable);
  self->read_cancellable = g_cancellable_new ();
  file = g_file_new_for_path (ar_env_store_get_path (self->store));
  g_object_set_data (G_OBJECT (file), "ar-serial", GUINT_TO_POINTER (ar_env_store_get_disk_serial (self->store)));
  g_file_load_contents_async (file, self->read_cancellable, ar_environments_page_reload_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* A save is several events (temp file, rename): read once they settle. */
static void
schedule_reload (ArEnvironmentsPage *self)
{
  if (self->reload_source != 0)
    g_source_remove (self->reload_source);
  self->reload_source = g_timeout_add (100, reload_now, self);
}

static void
on_file_changed (GFileMonitor *monitor,
                 GFile *file,
                 GFile *other_file,
                 GFileMonitorEvent event,
                 ArEnvironmentsPage *self)
{
  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  schedule_reload (self);
}

void
ar_environments_page_watch_store (ArEnvironmentsPage *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;

  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->store == NULL)
    return;

  file = g_file_new_for_path (ar_env_store_get_path (self->store));
  self->monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_debug ("Not watching %s: %s", g_file_peek_path (file), error->message);
      return;
    }
  g_signal_connect (self->monitor, "changed", G_CALLBACK (on_file_changed), self);
}

/* ---- a file that could not be read ---- */

static void
open_backup (ArEnvironmentsPage *self)
{
  g_autofree char *bak_path = g_strconcat (ar_env_store_get_path (self->store), ".bak", NULL);
  g_autoptr(ArEnvStore) backup = ar_env_store_new (bak_path);
  g_autoptr(GString) kept = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!ar_env_store_load (backup, &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                                  _ ("Could Not Read the Backup"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  for (guint i = 0; i < ar_env_store_get_n_environments (backup); i++)
    {
      g_autoptr(ArEnvironment) copy = ar_environment_copy (ar_env_store_get_environment (backup, i));
      g_autoptr(GError) add_error = NULL;

      if (ar_env_store_add (self->store, copy, &add_error))
        continue;
      /* Already in the list (read before the file broke, or made since):
       * the list's version stays, and the user is told which. */
      if (!g_error_matches (add_error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_EXISTS))
        {
          ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (add_error->message));
          continue;
        }
      if (kept->len > 0)
        g_string_append (kept, ", ");
      g_string_append_printf (kept, "“%s”", ar_environment_get_name (ar_env_store_find_by_id (self->store, ar_environment_get_env_id (copy))));
    }
  /* The user chose the backup: the next save may replace the broken file
   * (which then becomes the new .bak). */
  ar_env_store_allow_overwrite (self->store);
  if (kept->len > 0)
    {
      g_autofree char *title = NULL;

      /* Translators: %s is a list of environment names */
      title = g_strdup_printf (_ ("Backup opened: %s were already in the list and kept as they are; saving will replace the unreadable file"),
                               kept->str);
      ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (title));
    }
  else
    ar_ui_add_toast (GTK_WIDGET (self),
                     adw_toast_new (_ ("Backup opened: saving will replace the unreadable file")));
}

static void
on_load_error_response (AdwMessageDialog *dialog,
                        const char *response,
                        ArEnvironmentsPage *self)
{
  if (g_strcmp0 (response, "backup") == 0)
    open_backup (self);
  else if (g_strcmp0 (response, "empty") == 0)
    ar_env_store_allow_overwrite (self->store);
}

void
ar_environments_page_report_load_error (ArEnvironmentsPage *self,
                                        const GError *error)
{
  g_autofree char *bak_path = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_return_if_fail (AR_IS_ENVIRONMENTS_PAGE (self));
  g_return_if_fail (error != NULL);
  g_return_if_fail (self->store != NULL);

  bak_path = g_strconcat (ar_env_store_get_path (self->store), ".bak", NULL);
  body = g_strdup_printf (_ ("%s\n\nThe file is left as it is and nothing is written to it until you choose."),
                          error->message);
  dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                   _ ("Could Not Read the Environments"), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "keep", _ ("_Leave Untouched"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "empty", _ ("Start _Empty"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "empty", ADW_RESPONSE_DESTRUCTIVE);
  if (g_file_test (bak_path, G_FILE_TEST_IS_REGULAR))
    {
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "backup", _ ("Open _Backup"));
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "backup", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "backup");
    }
  else
    adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_load_error_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
