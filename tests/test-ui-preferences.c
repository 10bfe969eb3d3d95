/* test-ui-preferences.c — Preferences (SPEC §7): every key of the schema
 * is bound both ways to its widget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-preferences-window.h"
#include "ar-ui.h"
#include "test-ui-utils.h"

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

  return g_test_run ();
}
