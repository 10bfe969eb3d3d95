/* ar-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-application.h"
#include "ar-preferences-window.h"
#include "ar-ui.h"
#include "ar-window.h"

struct _ArApplication
{
  AdwApplication parent_instance;

  ArEnvStore *store;
  /* Why the store could not load, shown once the window is up. */
  GError *load_error;
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

static void
ar_application_activate (GApplication *application)
{
  ArApplication *self = AR_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (ar_window_new (GTK_APPLICATION (self), self->store));
  gtk_window_present (window);

  if (self->load_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->load_error);

      ar_environments_page_report_load_error (ar_window_get_environments_page (AR_WINDOW (window)), error);
    }
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
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ArApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  GtkWindow *window;

  if (settings == NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (parent, _("Preferences Are Not Available"),
                                                  _("The settings schema io.github.agents_runner.AgentsRunner is not installed. Install the application, or run it with GSETTINGS_SCHEMA_DIR pointing at the build folder's data directory."));

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
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
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (AR_RESOURCE_PATH "/ar-shortcuts-window.ui");
  GtkWindow *window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));

  gtk_window_set_transient_for (window, gtk_application_get_active_window (app));
  gtk_window_present (window);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Agents Runner developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (app);
  GtkIconTheme *icons = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Agents Runner"),
                        /* An uninstalled build has no icon of its own yet. */
                        "application-icon", gtk_icon_theme_has_icon (icons, APP_ID) ? APP_ID : "applications-engineering-symbolic",
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Agents Runner developers"),
                        "developers", developers,
                        "comments", _("Run AI coding agents in containers, with environments whose slow setup is cached in the image."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your names here, one a line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
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
