/* test-ui-environments.c — the Environments page: the window, the list and tabs, save and reload, line errors, warnings on save
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

static guint
index_of (const char *const *list, const char *item)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (g_str_equal (list[i], item))
      return i;
  g_error ("%s not found", item);
}

/* ---- the window ---- */

static void
test_window_pages (Fixture *f, gconstpointer data)
{
  AdwViewStack *stack = ar_window_get_stack (f->window);
  const char *names[] = { "tasks", "new-task", "environments", "images" };
  GtkWidget *label;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (adw_view_stack_get_child_by_name (stack, names[i]));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "environments");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "new-task");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "window-new-task-placeholder");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-page", "s", "tasks");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "tasks");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "window-tasks-placeholder");

  /* Another page's content goes where its placeholder was. */
  label = gtk_label_new ("the real task list");
  ar_window_set_page_content (f->window, "tasks", label);
  g_assert_true (gtk_widget_is_ancestor (label, adw_view_stack_get_child_by_name (stack, "tasks")));
  g_assert_true (adw_view_stack_get_visible_child (stack) == adw_view_stack_get_child_by_name (stack, "tasks"));

  ar_window_show_page (f->window, "environments");
  ar_window_set_engine_problem (f->window, "No container engine found: install Docker or Podman, or set the engine in Preferences.");
  g_assert_true (gtk_revealer_get_reveal_child (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_revealer")));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "window-engine-banner");
  ar_window_set_engine_problem (f->window, NULL);
  g_assert_false (gtk_revealer_get_reveal_child (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_revealer")));
}

static void
test_list_and_tabs (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpuint (selected_row (f), ==, 0);
  g_assert_cmpstr (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), ==, f->alpha_id);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Alpha");
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
  g_assert_false (gtk_switch_get_active (field (f, "caching_switch")));
  g_assert_false (gtk_widget_get_sensitive (field (f, "desktop_cache_row")));
  g_assert_nonnull (gtk_widget_get_tooltip_text (field (f, "caching_switch")));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (field (f, "caching_switch")), "run preflight"));
  g_assert_cmpstr (gtk_entry_get_placeholder_text (field (f, "base_image_entry")), ==, "lunamidori5/pixelarch:emerald");

  show_tab (f, "general");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-general");
  {
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (field (f, "general_page"));

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-general-options");
  }
  show_tab (f, "container");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-container");
  show_tab (f, "preflight");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-preflight");

  /* The second environment, through the list. */
  select_row (f, 1);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Beta");
  g_assert_true (gtk_switch_get_active (field (f, "caching_switch")));
  g_assert_cmpstr (ar_preflight_editor_get_mode (ar_environment_editor_get_preflight_editor (editor (f))), ==, "split");
  show_tab (f, "general");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-general-beta");

  /* Desktop caching follows the desktop checkbox. */
  gtk_switch_set_active (field (f, "desktop_switch"), TRUE);
  g_assert_true (gtk_widget_get_sensitive (field (f, "desktop_cache_row")));
  g_assert_true (ar_environment_editor_get_modified (editor (f)));
  g_assert_nonnull (strstr (gtk_label_get_label (field (f, "title_label")), "•"));
  g_assert_true (gtk_widget_has_css_class (field (f, "save_button"), "suggested-action"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-general-modified");

  /* Undoing the change by hand clears the mark. */
  gtk_switch_set_active (field (f, "desktop_switch"), FALSE);
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
  g_assert_null (strstr (gtk_label_get_label (field (f, "title_label")), "•"));
}

/* ---- save and reload ---- */

#define CUSTOM_LINE "my-agent --flag \"two words\" {prompt}"

static void
edit_everything (Fixture *f)
{
  ArPreflightEditor *preflight = ar_environment_editor_get_preflight_editor (editor (f));

  show_tab (f, "general");
  gtk_editable_set_text (field (f, "name_row"), "Renamed");
  adw_combo_row_set_selected (field (f, "color_row"), index_of (ar_environment_colors (), "violet"));
  gtk_editable_set_text (field (f, "base_image_entry"), "debian:12");
  adw_combo_row_set_selected (field (f, "workspace_type_row"), 1);
  gtk_editable_set_text (field (f, "workspace_target_row"), "/home/me/project");
  gtk_editable_set_text (field (f, "workdir_row"), "/work");
  gtk_editable_set_text (field (f, "agent_args_row"), "--model 'big one'");
  adw_combo_row_set_selected (field (f, "agent_row"), index_of (ar_environment_agents (), "custom"));
  g_assert_true (gtk_widget_get_visible (field (f, "custom_command_row")));
  gtk_editable_set_text (field (f, "custom_command_row"), CUSTOM_LINE);
  gtk_editable_set_text (field (f, "host_config_entry"), "/home/me/.agent");
  gtk_switch_set_active (field (f, "desktop_switch"), TRUE);
  gtk_switch_set_active (field (f, "desktop_cache_switch"), TRUE);

  show_tab (f, "container");
  ar_test_ui_text_view_set_text (field (f, "env_vars_view"), "FOO=1\nBAR=two words\n");
  ar_test_ui_text_view_set_text (field (f, "mounts_view"), "/data:/data:ro\n/cache:/cache\n");
  ar_test_ui_text_view_set_text (field (f, "ports_view"), "8080:80\n127.0.0.1:9000:9000/udp\n");
  gtk_spin_button_set_value (field (f, "max_agents_spin"), 3);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-container-filled");

  show_tab (f, "preflight");
  gtk_widget_activate_action (GTK_WIDGET (preflight), "preflight.mode", "s", "split");
  ar_test_ui_text_view_set_text (preflight_field (f, "cached_view"), "#!/bin/sh\napt-get install -y git\n");
  ar_test_ui_text_view_set_text (preflight_field (f, "run_view"), "#!/bin/sh\necho \"$TASK_ID\"\n");
  /* In split mode, caching asks nothing. */
  gtk_switch_set_active (field (f, "caching_switch"), TRUE);
  ar_test_ui_iterate (20);
  g_assert_true (ar_test_ui_no_message_dialog ());
}

static void
check_environment (ArEnvironment *env, const char *legacy)
{
  const char *const argv[] = { "my-agent", "--flag", "two words", "{prompt}", NULL };
  const char *const env_vars[] = { "FOO=1", "BAR=two words", NULL };
  const char *const mounts[] = { "/data:/data:ro", "/cache:/cache", NULL };
  const char *const ports[] = { "8080:80", "127.0.0.1:9000:9000/udp", NULL };

  g_assert_cmpstr (ar_environment_get_name (env), ==, "Renamed");
  g_assert_cmpstr (ar_environment_get_color (env), ==, "violet");
  g_assert_cmpstr (ar_environment_get_base_image (env), ==, "debian:12");
  g_assert_cmpstr (ar_environment_get_workspace_type (env), ==, "mounted");
  g_assert_cmpstr (ar_environment_get_workspace_target (env), ==, "/home/me/project");
  g_assert_cmpstr (ar_environment_get_container_workdir (env), ==, "/work");
  g_assert_cmpstr (ar_environment_get_agent_cli (env), ==, "custom");
  g_assert_cmpstr (ar_environment_get_agent_cli_args (env), ==, "--model 'big one'");
  g_assert_cmpstrv (ar_environment_get_custom_command (env), argv);
  g_assert_cmpstr (ar_environment_get_host_config_dir (env), ==, "/home/me/.agent");
  g_assert_cmpstrv (ar_environment_get_env_vars (env), env_vars);
  g_assert_cmpstrv (ar_environment_get_extra_mounts (env), mounts);
  g_assert_cmpstrv (ar_environment_get_ports (env), ports);
  g_assert_cmpint (ar_environment_get_max_agents_running (env), ==, 3);
  g_assert_true (ar_environment_get_headless_desktop_enabled (env));
  g_assert_true (ar_environment_get_cache_desktop_build (env));
  g_assert_true (ar_environment_get_cache_container_build (env));
  g_assert_cmpint (ar_environment_get_preflight_mode (env), ==, AR_PREFLIGHT_MODE_SPLIT);
  g_assert_cmpstr (ar_environment_get_cached_preflight_script (env), ==, "#!/bin/sh\napt-get install -y git\n");
  g_assert_cmpstr (ar_environment_get_run_preflight_script (env), ==, "#!/bin/sh\necho \"$TASK_ID\"\n");
  g_assert_cmpstr (ar_environment_get_preflight_script (env), ==, legacy);
}

static void
test_save_reload (Fixture *f, gconstpointer data)
{
  const char *legacy = "#!/bin/sh\napt-get install -y git\necho $TASK_ID\n";
  g_autoptr(ArEnvStore) reloaded = NULL;
  g_autofree char *command = NULL;
  ArEnvironment *env;

  edit_everything (f);
  g_assert_true (ar_environment_editor_get_modified (editor (f)));
  g_assert_false (ar_environment_editor_get_has_errors (editor (f)));
  /* Nothing reaches the store or the file before Save. */
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (f->store, f->alpha_id)), ==, "Alpha");

  save_and_wait (f);
  g_assert_null (strstr (gtk_label_get_label (field (f, "title_label")), "•"));
  check_environment (ar_env_store_find_by_id (f->store, f->alpha_id), legacy);

  /* A new store from the same file has the same values... */
  reloaded = reload (f);
  env = ar_env_store_find_by_id (reloaded, f->alpha_id);
  g_assert_nonnull (env);
  check_environment (env, legacy);

  /* ...and a new window shows them in the same editors. */
  ar_test_ui_close_all_windows ();
  await_saves (f);
  g_clear_object (&f->store);
  f->store = g_steal_pointer (&reloaded);
  open_window (f);
  g_assert_cmpuint (selected_row (f), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Renamed");
  g_assert_cmpuint (adw_combo_row_get_selected (field (f, "color_row")), ==, index_of (ar_environment_colors (), "violet"));
  g_assert_cmpstr (gtk_editable_get_text (field (f, "base_image_entry")), ==, "debian:12");
  g_assert_cmpuint (adw_combo_row_get_selected (field (f, "workspace_type_row")), ==, 1);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "workspace_target_row")), ==, "/home/me/project");
  g_assert_cmpstr (gtk_editable_get_text (field (f, "workdir_row")), ==, "/work");
  g_assert_cmpuint (adw_combo_row_get_selected (field (f, "agent_row")), ==, index_of (ar_environment_agents (), "custom"));
  /* Shown joined, quoted where needed. */
  command = g_strdup (gtk_editable_get_text (field (f, "custom_command_row")));
  g_assert_cmpstr (command, ==, "my-agent --flag 'two words' {prompt}");
  g_assert_cmpstr (gtk_editable_get_text (field (f, "host_config_entry")), ==, "/home/me/.agent");
  g_assert_true (gtk_switch_get_active (field (f, "desktop_switch")));
  g_assert_true (gtk_switch_get_active (field (f, "desktop_cache_switch")));
  g_assert_true (gtk_switch_get_active (field (f, "caching_switch")));
  g_assert_cmpint ((int) gtk_spin_button_get_value (field (f, "max_agents_spin")), ==, 3);
  {
    g_autofree char *env_vars = ar_test_ui_text_view_get_text (field (f, "env_vars_view"));
    g_autofree char *mounts = ar_test_ui_text_view_get_text (field (f, "mounts_view"));
    g_autofree char *ports = ar_test_ui_text_view_get_text (field (f, "ports_view"));
    g_autofree char *single = ar_test_ui_text_view_get_text (preflight_field (f, "single_view"));
    g_autofree char *cached = ar_test_ui_text_view_get_text (preflight_field (f, "cached_view"));
    g_autofree char *run = ar_test_ui_text_view_get_text (preflight_field (f, "run_view"));

    g_assert_cmpstr (env_vars, ==, "FOO=1\nBAR=two words");
    g_assert_cmpstr (mounts, ==, "/data:/data:ro\n/cache:/cache");
    g_assert_cmpstr (ports, ==, "8080:80\n127.0.0.1:9000:9000/udp");
    g_assert_cmpstr (single, ==, legacy);
    g_assert_cmpstr (cached, ==, "#!/bin/sh\napt-get install -y git\n");
    g_assert_cmpstr (run, ==, "#!/bin/sh\necho \"$TASK_ID\"\n");
  }
  g_assert_cmpstr (ar_preflight_editor_get_mode (ar_environment_editor_get_preflight_editor (editor (f))), ==, "split");
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
  show_tab (f, "general");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-general-reloaded");
}

/* ---- line errors ---- */

static void
test_line_errors_block_save (Fixture *f, gconstpointer data)
{
  g_autofree char *before = file_contents (f);
  g_autofree char *after = NULL;
  GtkLabel *env_errors = field (f, "env_vars_errors");
  GtkLabel *mount_errors = field (f, "mounts_errors");
  GtkLabel *port_errors = field (f, "ports_errors");

  show_tab (f, "container");
  ar_test_ui_text_view_set_text (field (f, "env_vars_view"), "GOOD=1\n\nBAD LINE\n2X=3\n");
  g_assert_true (ar_environment_editor_get_has_errors (editor (f)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (env_errors)));
  g_assert_nonnull (strstr (gtk_label_get_text (env_errors), "line 3:"));
  g_assert_nonnull (strstr (gtk_label_get_text (env_errors), "line 4:"));
  g_assert_null (strstr (gtk_label_get_text (env_errors), "line 1:"));

  ar_test_ui_text_view_set_text (field (f, "mounts_view"), "/a:/b\nrelative\n/c:/d:rx\n");
  g_assert_nonnull (strstr (gtk_label_get_text (mount_errors), "line 2:"));
  g_assert_nonnull (strstr (gtk_label_get_text (mount_errors), "line 3:"));
  ar_test_ui_text_view_set_text (field (f, "ports_view"), "8080:80\n99999:1\n1.2.3:80:80\n");
  g_assert_nonnull (strstr (gtk_label_get_text (port_errors), "line 2:"));
  g_assert_nonnull (strstr (gtk_label_get_text (port_errors), "line 3:"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-container-errors");

  /* Save refuses, from the General tab too, and shows where. */
  show_tab (f, "general");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.save-environment", NULL);
  ar_test_ui_iterate (100);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (field (f, "tabs")), ==, "container");
  g_assert_true (ar_environment_editor_get_modified (editor (f)));
  g_assert_true (ar_test_ui_no_message_dialog ());
  after = file_contents (f);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);

  /* The draft kept the last good values. */
  g_assert_cmpuint (g_strv_length ((char **) ar_environment_get_env_vars (ar_environment_editor_get_draft (editor (f)))), ==, 0);

  /* Fixed lines: errors gone, Save works. */
  ar_test_ui_text_view_set_text (field (f, "env_vars_view"), "GOOD=1\nOTHER=2\n");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (env_errors)));
  g_assert_true (ar_environment_editor_get_has_errors (editor (f)));
  ar_test_ui_text_view_set_text (field (f, "mounts_view"), "/a:/b\n");
  ar_test_ui_text_view_set_text (field (f, "ports_view"), "8080:80\n[::1]:9000:9000\n");
  g_assert_false (ar_environment_editor_get_has_errors (editor (f)));

  /* A command line that does not split is an error too. */
  adw_combo_row_set_selected (field (f, "agent_row"), index_of (ar_environment_agents (), "custom"));
  gtk_editable_set_text (field (f, "custom_command_row"), "agent \"unclosed");
  g_assert_true (ar_environment_editor_get_has_errors (editor (f)));
  g_assert_true (gtk_widget_has_css_class (field (f, "custom_command_row"), "error"));
  gtk_editable_set_text (field (f, "custom_command_row"), "agent {prompt}");
  g_assert_false (ar_environment_editor_get_has_errors (editor (f)));

  save_and_wait (f);
  after = file_contents (f);
  g_assert_cmpstr (before, !=, after);
  g_assert_nonnull (strstr (after, "\"OTHER\""));
}

/* ---- preflight warnings on save ---- */

static void
test_save_anyway (Fixture *f, gconstpointer data)
{
  ArPreflightEditor *preflight = ar_environment_editor_get_preflight_editor (editor (f));
  g_autofree char *before = file_contents (f);
  g_autofree char *after = NULL;
  AdwMessageDialog *dialog;

  show_tab (f, "preflight");
  gtk_widget_activate_action (GTK_WIDGET (preflight), "preflight.mode", "s", "split");
  ar_test_ui_text_view_set_text (preflight_field (f, "cached_view"), "#!/bin/sh\necho $TASK_ID > /etc/task-id\n");
  ar_test_ui_text_view_set_text (preflight_field (f, "run_view"), "#!/bin/sh\napt-get install -y curl\n");

  /* Go back: nothing written, the warnings are listed in the tab. */
  show_tab (f, "general");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.save-environment", NULL);
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_true (adw_message_dialog_has_response (dialog, "back"));
  g_assert_true (adw_message_dialog_has_response (dialog, "save"));
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "back"), ==, "_Go Back");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "save"), ==, "_Save Anyway");
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "save-warnings-dialog");
  ar_test_ui_respond (dialog, "back");
  ar_test_ui_await (ar_test_ui_no_message_dialog ());
  g_assert_true (ar_environment_editor_get_modified (editor (f)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (field (f, "tabs")), ==, "preflight");
  g_assert_true (gtk_revealer_get_reveal_child (preflight_field (f, "results_revealer")));
  after = file_contents (f);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environments-preflight-after-go-back");

  /* Save anyway: written as it is. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.save-environment", NULL);
  dialog = ar_test_ui_await_message_dialog ();
  ar_test_ui_respond (dialog, "save");
  ar_test_ui_await_for (!ar_environment_editor_get_modified (editor (f)), SAVE_SECONDS);
  after = file_contents (f);
  g_assert_nonnull (strstr (after, "echo $TASK_ID > /etc/task-id"));
  g_assert_nonnull (strstr (after, "apt-get install -y curl"));
}

int
main (int argc, char **argv)
{
  add_system_schemas ();
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ui/environments/window-pages", test_window_pages);
  ADD ("/ui/environments/list-and-tabs", test_list_and_tabs);
  ADD ("/ui/environments/save-reload", test_save_reload);
  ADD ("/ui/environments/line-errors-block-save", test_line_errors_block_save);
  ADD ("/ui/environments/save-anyway", test_save_anyway);

  return g_test_run ();
}
