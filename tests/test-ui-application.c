/* test-ui-application.c — the application's actions: preferences,
 * shortcuts, about, quit (design.md §6.1). The application is not registered
 * (that needs a session bus); its actions are activated directly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-application.h"
#include "ar-environment-editor.h"
#include "ar-environments-page.h"
#include "ar-preferences-window.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"

static void
activate (ArApplication *app, const char *name)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (app), name);

  g_assert_nonnull (action);
  g_action_activate (action, NULL);
}

static void
test_actions (void)
{
  ArApplication *app = ar_application_new ();
  GtkWindow *window;

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (app)), ==, "io.github.agents_runner.AgentsRunner");

  activate (app, "preferences");
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_PREFERENCES_WINDOW) != NULL);
  window = ar_test_ui_find_window (AR_TYPE_PREFERENCES_WINDOW);
  gtk_widget_activate_action (GTK_WIDGET (window), "window.close", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_PREFERENCES_WINDOW) == NULL);

  activate (app, "shortcuts");
  ar_test_ui_await (ar_test_ui_find_window (GTK_TYPE_SHORTCUTS_WINDOW) != NULL);
  window = ar_test_ui_find_window (GTK_TYPE_SHORTCUTS_WINDOW);
  ar_test_ui_screenshot (GTK_WIDGET (window), "shortcuts-window");
  gtk_window_destroy (window);

  activate (app, "about");
  ar_test_ui_await (ar_test_ui_find_window (ADW_TYPE_ABOUT_WINDOW) != NULL);
  window = ar_test_ui_find_window (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (window)), ==, "0.1.0");
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (window)), ==, GTK_LICENSE_GPL_3_0);
  ar_test_ui_screenshot (GTK_WIDGET (window), "about-window");
  gtk_window_destroy (window);

  g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (app), "quit"));
  ar_test_ui_close_all_windows ();
  g_assert_finalize_object (app);
}

static void
test_window_shortcuts (void)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  ArWindow *window = ar_window_new (NULL, store);
  AdwViewStack *stack = ar_window_get_stack (window);

  gtk_window_present (GTK_WINDOW (window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (window)));

  /* Ctrl+N goes to New task, Alt+3 back to Environments. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-task", NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "new-task");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "environments"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "environments");
  /* Nothing to save is not an error. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.save-environment", NULL));
  ar_test_ui_screenshot (GTK_WIDGET (window), "window-no-environments");

  ar_test_ui_close_all_windows ();
}

/* Ctrl+N makes what is new on the page shown; the shortcuts window lists
 * the window's shortcuts (issue 12). */
static void
test_new_per_page (void)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  ArWindow *window = ar_window_new (NULL, store);
  AdwViewStack *stack = ar_window_get_stack (window);
  ArEnvironmentEditor *editor = ar_environments_page_get_editor (ar_window_get_environments_page (window));
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (AR_RESOURCE_PATH "/ar-shortcuts-window.ui");
  g_autoptr(GString) accels = g_string_new (NULL);
  const char *const wanted[] = { "<Control>n", "<Control>s", "<Control>f", "<Alt>Left", "<Control>w", NULL };
  g_autoptr(GSList) objects = NULL;

  gtk_window_present (GTK_WINDOW (window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (window)));

  /* On Environments: a new environment, not a task. */
  ar_window_show_page (window, "environments");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new", NULL));
  ar_test_ui_await (ar_environment_editor_get_is_new (editor));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "environments");

  /* Elsewhere: New task. */
  ar_window_show_page (window, "tasks");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new", NULL));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "new-task");

  objects = gtk_builder_get_objects (builder);
  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accel = NULL;

        g_object_get (l->data, "accelerator", &accel, NULL);
        g_string_append_printf (accels, "%s ", accel);
      }
  for (guint i = 0; wanted[i] != NULL; i++)
    g_assert_nonnull (strstr (accels->str, wanted[i]));

  ar_test_ui_close_all_windows ();
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

  g_test_add_func ("/ui/application/actions", test_actions);
  g_test_add_func ("/ui/application/window-shortcuts", test_window_shortcuts);
  g_test_add_func ("/ui/application/new-per-page", test_new_per_page);

  return g_test_run ();
}
