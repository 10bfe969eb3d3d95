/* ar-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-application.h"
#include "ar-backend.h"
#include "ar-env-import.h"
#include "ar-paths.h"
#include "ar-preferences-window.h"
#include "ar-ui.h"
#include "ar-window.h"

struct _ArApplication {
  AdwApplication parent_instance;

  ArEnvStore *store;
  ArBackend *backend;
  /* Why the store could not load, shown once the window is up. */
  GError *load_error;
  /* Held while the store writes, so that quitting does not cut a save. */
  gboolean held_for_save;
  /* One Preferences window, hidden on close and shown again: libadwaita
   * 1.2 leaks the rows of every AdwPreferencesWindow it destroys. */
  GtkWindow *preferences;
};

G_DEFINE_FINAL_TYPE (ArApplication, ar_application, ADW_TYPE_APPLICATION)

ArEnvStore *
ar_application_get_env_store (ArApplication *self)
{
  g_return_val_if_fail (AR_IS_APPLICATION (self), NULL);

  return self->store;
}

ArBackend *
ar_application_get_backend (ArApplication *self)
{
  g_return_val_if_fail (AR_IS_APPLICATION (self), NULL);

  return self->backend;
}

char *
ar_application_dup_legacy_environments_path (void)
{
  g_autofree char *dir = ar_paths_legacy_dir ();

  return g_build_filename (dir, "environments.json", NULL);
}

/* ---- import from the earlier tool (design.md §2.5) ------------------------------ */

static void
report_import (ArWindow *window, ArImportSummary *summary)
{
  g_autofree char *message = NULL;
  guint added = summary->added->len;
  guint skipped = summary->skipped->len;

  if (skipped > 0)
    /* Translators: the second number counts environments that were not imported */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u environment, %u skipped",
                                            "Imported %u environments, %u skipped", added),
                               added, skipped);
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %u environment", "Imported %u environments",
                                            added),
                               added);
  ar_window_add_toast (window, adw_toast_new (message));
}

static void
show_import_error (ArWindow *window, const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (window), _ ("The Environments Could Not Be Imported"),
                                              error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  ArWindow *window;
  ArImportSummary *summary;
} ImportSave;

static void
import_saved (GObject *source,
              GAsyncResult *result,
              gpointer user_data)
{
  ImportSave *save = user_data;
  g_autoptr(GError) error = NULL;

  if (ar_env_store_save_finish (AR_ENV_STORE (source), result, &error))
    report_import (save->window, save->summary);
  else
    show_import_error (save->window, error);
  g_object_unref (save->window);
  ar_import_summary_free (save->summary);
  g_free (save);
}

static void
legacy_import_response (AdwMessageDialog *dialog,
                        const char *response,
                        ArApplication *self)
{
  ArWindow *window = AR_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  g_autofree char *path = ar_application_dup_legacy_environments_path ();
  g_autoptr(ArImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;

  /* Asked once, whatever the answer: Not now means not again. */
  if (settings != NULL)
    g_settings_set_boolean (settings, "legacy-import-offered", TRUE);
  if (g_strcmp0 (response, "import") != 0)
    return;

  summary = ar_env_import_file (self->store, path, FALSE, &error);
  if (summary == NULL)
    {
      show_import_error (window, error);
      return;
    }
  {
    ImportSave *save = g_new0 (ImportSave, 1);

    save->window = g_object_ref (window);
    save->summary = g_steal_pointer (&summary);
    ar_env_store_save_async (self->store, NULL, import_saved, save);
  }
}

static void
offer_legacy_import (ArApplication *self, ArWindow *window)
{
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  g_autofree char *path = ar_application_dup_legacy_environments_path ();
  g_autofree char *shown_path = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* A store that could not read its own file must not be written now. */
  if (settings == NULL || self->load_error != NULL ||
      g_settings_get_boolean (settings, "legacy-import-offered") ||
      !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return;

  shown_path = ar_ui_tilde_path (path);
  body = g_strdup_printf (_ ("The earlier Agents Runner left its environments in %s. Import them here? That file is only read, never changed."),
                          shown_path);
  dialog = adw_message_dialog_new (GTK_WINDOW (window), _ ("Import Your Environments?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "later", _ ("_Not Now"), "import", _ ("_Import"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "import");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_signal_connect_object (dialog, "response", G_CALLBACK (legacy_import_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ar_application_activate (GApplication *application)
{
  ArApplication *self = AR_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  gboolean first = window == NULL;

  if (first)
    window = GTK_WINDOW (ar_window_new_with_backend (GTK_APPLICATION (self), self->backend));
  gtk_window_present (window);

  if (first)
    offer_legacy_import (self, AR_WINDOW (window));
  if (self->load_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->load_error);

      ar_environments_page_report_load_error (ar_window_get_environments_page (AR_WINDOW (window)), error);
    }
}

/* Saves are written in a worker: the last window closing must not end the
 * process before the file is. */
static void
on_store_saving (ArApplication *self)
{
  gboolean saving = ar_env_store_get_saving (self->store);

  if (saving == self->held_for_save)
    return;
  self->held_for_save = saving;
  if (saving)
    g_application_hold (G_APPLICATION (self));
  else
    g_application_release (G_APPLICATION (self));
}

static void
ar_application_startup (GApplication *application)
{
  ArApplication *self = AR_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (ar_application_parent_class)->startup (application);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);

  self->store = ar_env_store_new (NULL);
  if (!ar_env_store_load (self->store, &self->load_error))
    g_debug ("%s", self->load_error->message);
  g_signal_connect_object (self->store, "notify::saving", G_CALLBACK (on_store_saving), self, G_CONNECT_SWAPPED);
  /* Nothing probes yet: the window starts it, and everything that needs no
   * engine works while the engine is asked. */
  self->backend = ar_backend_new (self->store);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant *parameter,
                       gpointer user_data)
{
  ArApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  GtkWindow *window;

  g_assert (AR_IS_APPLICATION (self));

  if (settings == NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (parent, _ ("Preferences Are Not Available"),
                                                  _ ("The settings schema io.github.agents_runner.AgentsRunner is not installed. Install the application, or run it with GSETTINGS_SCHEMA_DIR pointing at the build folder's data directory."));

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  if (self->preferences == NULL)
    {
      self->preferences = GTK_WINDOW (ar_preferences_window_new (settings));
      gtk_window_set_hide_on_close (self->preferences, TRUE);
      g_object_add_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
    }
  window = self->preferences;
  gtk_window_set_transient_for (window, parent);
  gtk_window_present (window);
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant *parameter,
                     gpointer user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (AR_RESOURCE_PATH "/ar-shortcuts-window.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));

  gtk_window_set_transient_for (window, gtk_application_get_active_window (app));
  gtk_window_present (window);
}

static void
about_activated (GSimpleAction *action,
                 GVariant *parameter,
                 gpointer user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Agents Runner developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (app);
  GtkIconTheme *icons = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _ ("Agents Runner"),
                        /* An uninstalled build has no icon of its own yet. */
                        "application-icon", gtk_icon_theme_has_icon (icons, APP_ID) ? APP_ID : "applications-engineering-symbolic",
                        "version", PACKAGE_VERSION,
                        "developer-name", _ ("The Agents Runner developers"),
                        "developers", developers,
                        "comments", _ ("Run AI coding agents in containers, with environments whose slow setup is cached in the image."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your names here, one a line */
                        "translator-credits", _ ("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_activated (GSimpleAction *action,
                GVariant *parameter,
                gpointer user_data)
{
  GtkApplication *app = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing goes through each window's unsaved-changes question. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static const GActionEntry app_entries[] = {
  { .name = "preferences", .activate = preferences_activated },
  { .name = "shortcuts", .activate = shortcuts_activated },
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
};

static void
ar_application_finalize (GObject *object)
{
  ArApplication *self = AR_APPLICATION (object);

  g_clear_object (&self->backend);
  g_clear_object (&self->store);
  g_clear_error (&self->load_error);
  if (self->preferences != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->preferences), (gpointer *) &self->preferences);
      gtk_window_destroy (self->preferences);
    }

  G_OBJECT_CLASS (ar_application_parent_class)->finalize (object);
}

static void
ar_application_class_init (ArApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ar_application_finalize;
  app_class->activate = ar_application_activate;
  app_class->startup = ar_application_startup;
}

static void
ar_application_init (ArApplication *self)
{
  /* Before AdwApplication's startup, which loads style.css from them. */
  ar_ui_init ();
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries, G_N_ELEMENTS (app_entries), self);
}

ArApplication *
ar_application_new (void)
{
  return g_object_new (AR_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", AR_RESOURCE_PATH,
                       NULL);
}
