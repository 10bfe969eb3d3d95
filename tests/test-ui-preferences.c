/* test-ui-preferences.c — Preferences (design.md §7): every key of the schema
 * is bound both ways to its widget; every page fits 360 px and reads at
 * 1 280, Tab reaches every control, every control has a name, Escape
 * closes, and the Settings preflight says what it is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-preferences-window.h"
#include "ar-ui.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

typedef struct {
  GSettings *settings;
  ArPreferencesWindow *window;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->settings = ar_ui_settings_new ();
  g_assert_nonnull (f->settings);
  f->window = ar_preferences_window_new (f->settings);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 640, 720);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  ar_test_ui_close_all_windows ();
  /* Back to the defaults for the next test (the memory backend lives as
   * long as the program). */
  {
    g_autoptr(GSettingsSchema) schema = NULL;
    g_auto(GStrv) keys = NULL;

    g_object_get (f->settings, "settings-schema", &schema, NULL);
    keys = g_settings_schema_list_keys (schema);
    for (guint i = 0; keys[i] != NULL; i++)
      g_settings_reset (f->settings, keys[i]);
  }
  /* Not g_assert_finalize_object(): AdwPreferencesWindow in libadwaita
   * 1.2 never finalizes its rows, so their settings bindings live on. */
  g_object_unref (f->settings);
}

static void
assert_setting (Fixture *f, const char *key, const char *expected)
{
  g_autofree char *value = g_settings_get_string (f->settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static gpointer
child (Fixture *f, const char *name)
{
  return ar_test_ui_child (f->window, AR_TYPE_PREFERENCES_WINDOW, name);
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preferences-general");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "preflight");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preferences-preflight");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "folders");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preferences-folders");

  /* The defaults of the schema are shown. */
  g_assert_cmpstr (gtk_editable_get_text (child (f, "base_image_row")), ==, "lunamidori5/pixelarch:emerald");
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "engine_row")), ==, 0);
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "pull_policy_row")), ==, 0);
  g_assert_cmpint ((int) gtk_spin_button_get_value (child (f, "build_timeout_spin")), ==, 600);
  g_assert_cmpint ((int) gtk_spin_button_get_value (child (f, "max_tasks_spin")), ==, -1);
  g_assert_cmpstr (gtk_editable_get_text (child (f, "max_tasks_spin")), ==, "Unlimited");
  g_assert_true (g_str_has_prefix (gtk_entry_get_placeholder_text (child (f, "codex_entry")), "~/"));
}

static void
test_widgets_to_settings (Fixture *f, gconstpointer data)
{
  g_autofree char *engine = NULL;
  g_autofree char *pull = NULL;
  g_autofree char *script = NULL;

  gtk_editable_set_text (child (f, "base_image_row"), "alpine:3");
  adw_combo_row_set_selected (child (f, "engine_row"), 2);
  gtk_editable_set_text (child (f, "engine_host_entry"), "tcp://builder:2376");
  adw_combo_row_set_selected (child (f, "pull_policy_row"), 1);
  gtk_spin_button_set_value (child (f, "build_timeout_spin"), 1200);
  gtk_spin_button_set_value (child (f, "max_tasks_spin"), 4);
  gtk_switch_set_active (child (f, "preflight_switch"), TRUE);
  ar_test_ui_text_view_set_text (child (f, "preflight_view"), "#!/bin/sh\necho settings\n");
  gtk_editable_set_text (child (f, "codex_entry"), "/srv/codex");
  gtk_editable_set_text (child (f, "claude_entry"), "/srv/claude");
  gtk_editable_set_text (child (f, "copilot_entry"), "/srv/copilot");
  gtk_editable_set_text (child (f, "gemini_entry"), "/srv/gemini");
  gtk_editable_set_text (child (f, "desktop_scripts_entry"), "/srv/desktop");

  assert_setting (f, "default-base-image", "alpine:3");
  engine = g_settings_get_string (f->settings, "engine");
  g_assert_cmpstr (engine, ==, "podman");
  assert_setting (f, "engine-host", "tcp://builder:2376");
  pull = g_settings_get_string (f->settings, "pull-policy");
  g_assert_cmpstr (pull, ==, "always");
  g_assert_cmpuint (g_settings_get_uint (f->settings, "build-timeout"), ==, 1200);
  g_assert_cmpint (g_settings_get_int (f->settings, "max-concurrent-tasks"), ==, 4);
  g_assert_true (g_settings_get_boolean (f->settings, "preflight-enabled"));
  script = g_settings_get_string (f->settings, "preflight-script");
  g_assert_cmpstr (script, ==, "#!/bin/sh\necho settings\n");
  assert_setting (f, "codex-config-dir", "/srv/codex");
  assert_setting (f, "claude-config-dir", "/srv/claude");
  assert_setting (f, "copilot-config-dir", "/srv/copilot");
  assert_setting (f, "gemini-config-dir", "/srv/gemini");
  assert_setting (f, "desktop-scripts-dir", "/srv/desktop");

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), "preflight");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preferences-preflight-filled");
}

static void
test_settings_to_widgets (Fixture *f, gconstpointer data)
{
  g_autofree char *script = NULL;

  g_settings_set_string (f->settings, "default-base-image", "fedora:40");
  g_settings_set_string (f->settings, "engine", "docker");
  g_settings_set_string (f->settings, "engine-host", "unix:///run/user/1000/podman.sock");
  g_settings_set_string (f->settings, "pull-policy", "never");
  g_settings_set_uint (f->settings, "build-timeout", 90);
  g_settings_set_int (f->settings, "max-concurrent-tasks", 8);
  g_settings_set_boolean (f->settings, "preflight-enabled", TRUE);
  g_settings_set_string (f->settings, "preflight-script", "echo from settings\n");
  g_settings_set_string (f->settings, "gemini-config-dir", "/opt/gemini");
  g_settings_set_string (f->settings, "desktop-scripts-dir", "/opt/desktop");

  g_assert_cmpstr (gtk_editable_get_text (child (f, "base_image_row")), ==, "fedora:40");
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "engine_row")), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (child (f, "engine_host_entry")), ==, "unix:///run/user/1000/podman.sock");
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "pull_policy_row")), ==, 2);
  g_assert_cmpint ((int) gtk_spin_button_get_value (child (f, "build_timeout_spin")), ==, 90);
  g_assert_cmpint ((int) gtk_spin_button_get_value (child (f, "max_tasks_spin")), ==, 8);
  g_assert_true (gtk_switch_get_active (child (f, "preflight_switch")));
  script = ar_test_ui_text_view_get_text (child (f, "preflight_view"));
  g_assert_cmpstr (script, ==, "echo from settings\n");
  g_assert_cmpstr (gtk_editable_get_text (child (f, "gemini_entry")), ==, "/opt/gemini");
  g_assert_cmpstr (gtk_editable_get_text (child (f, "desktop_scripts_entry")), ==, "/opt/desktop");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preferences-general-changed");
}

static const char *const page_names[] = { "general", "preflight", "folders", NULL };

/* The controls of each page, in reading order. */
static const char *const general_controls[] = { "base_image_row", "pull_policy_row", "build_timeout_spin",
                                                "engine_row", "engine_host_entry", "max_tasks_spin", NULL };
static const char *const preflight_controls[] = { "preflight_switch", "preflight_view", NULL };
static const char *const folders_controls[] = { "codex_entry", "claude_entry", "copilot_entry", "gemini_entry",
                                                "desktop_scripts_entry", NULL };

static const char *const *
page_controls (guint page)
{
  const char *const *controls[] = { general_controls, preflight_controls, folders_controls };

  return controls[page];
}

static void
show_page (Fixture *f, const char *name)
{
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->window), name);
  ar_test_ui_iterate (50);
}

/* Usable on a phone (360 px), a half screen and a full one: the window
 * goes down to 360 px (ar_test_ui_set_size() checks), and nothing is cut off. */
static void
test_widths (Fixture *f, gconstpointer data)
{
  const int widths[] = { 360, 600, 1280 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    for (guint p = 0; page_names[p] != NULL; p++)
      {
        g_autofree char *name = g_strconcat ("preferences-", page_names[p], NULL);
        g_auto(GStrv) cut = NULL;

        /* A window made at that size: without a window manager, a
         * client-side decorated window resized after it is shown comes
         * out a few pixels short of the size asked. */
        if (p == 0)
          {
            gtk_window_destroy (GTK_WINDOW (f->window));
            f->window = ar_preferences_window_new (f->settings);
            gtk_window_set_default_size (GTK_WINDOW (f->window), widths[w], 640);
            gtk_window_present (GTK_WINDOW (f->window));
            ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
          }
        show_page (f, page_names[p]);
        ar_test_ui_set_size (GTK_WINDOW (f->window), widths[w], 640);
        {
          g_autofree char *file = g_strdup_printf ("%s-%d", name, widths[w]);

          ar_test_ui_screenshot (GTK_WIDGET (f->window), file);
        }
        cut = ar_test_ui_cut_off_widgets (GTK_WIDGET (f->window));
        for (guint i = 0; cut[i] != NULL; i++)
          g_test_message ("%s at %d: cut off: %s", page_names[p], widths[w], cut[i]);
        g_assert_cmpuint (g_strv_length (cut), ==, 0);
      }
}

/* Every control, icon-only or not, has a name a screen reader can say. */
static void
test_names (Fixture *f, gconstpointer data)
{
  for (guint p = 0; page_names[p] != NULL; p++)
    {
      g_auto(GStrv) unnamed = NULL;

      show_page (f, page_names[p]);
      unnamed = ar_test_ui_unnamed_widgets (GTK_WIDGET (f->window));
      for (guint i = 0; unnamed[i] != NULL; i++)
        g_test_message ("%s: no accessible name: %s", page_names[p], unnamed[i]);
      g_assert_cmpuint (g_strv_length (unnamed), ==, 0);
    }
}

/* Tab and Shift+Tab reach every control of each page, forward in reading
 * order, and never stay put (the script view hands Tab on). */
static void
test_focus_chain (Fixture *f, gconstpointer data)
{
  for (guint p = 0; page_names[p] != NULL; p++)
    for (guint backward = 0; backward < 2; backward++)
      {
        const char *const *controls = page_controls (p);
        g_autoptr(GPtrArray) chain = NULL;
        int last = -1;

        show_page (f, page_names[p]);
        gtk_window_set_focus (GTK_WINDOW (f->window), NULL);
        chain = ar_test_ui_focus_chain (GTK_WINDOW (f->window), 40, backward);
        for (guint i = 1; i < chain->len; i++)
          {
            g_autofree char *what = g_ptr_array_index (chain, i) != NULL
                                      ? ar_test_ui_describe (g_ptr_array_index (chain, i)) : g_strdup ("nothing");

            if (g_ptr_array_index (chain, i) == g_ptr_array_index (chain, i - 1))
              g_error ("%s: Tab %s stuck on %s", page_names[p], backward ? "backward" : "forward", what);
          }
        for (guint c = 0; controls[c] != NULL; c++)
          {
            int at = ar_test_ui_chain_first_visit (chain, child (f, controls[c]));

            if (at < 0)
              g_error ("%s: Tab %s never reaches %s", page_names[p], backward ? "backward" : "forward", controls[c]);
            /* Forward from the header, the form reads top to bottom. */
            if (!backward)
              {
                g_assert_cmpint (at, >, last);
                last = at;
              }
          }
      }
}

static void
test_escape_closes (Fixture *f, gconstpointer data)
{
  g_autoptr(GtkWidget) window = g_object_ref (GTK_WIDGET (f->window));

  show_page (f, "preflight");
  gtk_widget_grab_focus (child (f, "preflight_view"));
  g_assert_true (ar_test_ui_press_shortcut (GTK_WINDOW (window), GDK_KEY_Escape, 0));
  ar_test_ui_await (!gtk_widget_get_visible (window));
}

/* The third preflight says what it is: when it runs against the
 * environment's two, and as which user; on/off is a switch. */
static void
test_settings_preflight_explained (Fixture *f, gconstpointer data)
{
  GtkWidget *group = gtk_widget_get_ancestor (child (f, "preflight_switch"), ADW_TYPE_PREFERENCES_GROUP);
  const char *description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group));

  g_assert_nonnull (strstr (description, "every task of every environment"));
  g_assert_nonnull (strstr (description, "before the environment's cached preflight"));
  g_assert_nonnull (strstr (description, "before its run preflight"));
  g_assert_nonnull (strstr (description, "never baked into an image"));
  g_assert_nonnull (strstr (description, "as the container's user"));
  g_assert_true (GTK_IS_SWITCH (child (f, "preflight_switch")));
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ui/preferences/pages", test_pages);
  ADD ("/ui/preferences/widgets-to-settings", test_widgets_to_settings);
  ADD ("/ui/preferences/settings-to-widgets", test_settings_to_widgets);
  ADD ("/ui/preferences/widths", test_widths);
  ADD ("/ui/preferences/names", test_names);
  ADD ("/ui/preferences/focus-chain", test_focus_chain);
  ADD ("/ui/preferences/escape-closes", test_escape_closes);
  ADD ("/ui/preferences/settings-preflight-explained", test_settings_preflight_explained);

  return g_test_run ();
}
