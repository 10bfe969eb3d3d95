/* test-ui-new-task.c — the New task page (SPEC §6.1) and the window's
 * wiring: Run is off with the reason beside it while the environment
 * cannot run (none, a missing workspace folder, a custom agent without a
 * command, no engine), the engine banner follows Preferences, the window
 * opens on Environments while there is none, and the first start offers
 * the earlier tool's environments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-agent.h"
#include "ar-application.h"
#include "ar-backend.h"
#include "ar-images-page.h"
#include "ar-new-task-page.h"
#include "ar-paths.h"
#include "ar-task-runner.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"

typedef ArTestUiWindowFixture Fixture;

static void
open_window (Fixture *f)
{
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
}

static ArEnvironment *
add_env (Fixture *f, const char *name, const char *color)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (env, name);
  ar_environment_set_color (env, color);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, (const char *const[]) { "sh", "-c", "echo {prompt} >&2 && echo '<done>'", "{prompt}", NULL });
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_no_error (error);
  return env;
}

static ArNewTaskPage *
new_task_page (Fixture *f)
{
  return ar_window_get_new_task_page (f->window);
}

static gboolean
run_enabled (Fixture *f)
{
  return gtk_widget_get_sensitive (ar_test_ui_child (new_task_page (f), AR_TYPE_NEW_TASK_PAGE, "run_button"));
}

static const char *
reason (Fixture *f)
{
  return gtk_label_get_label (ar_test_ui_child (new_task_page (f), AR_TYPE_NEW_TASK_PAGE, "reason_label"));
}

static const char *
visible_page (Fixture *f)
{
  return adw_view_stack_get_visible_child_name (ar_window_get_stack (f->window));
}

/* ---- nothing to run ------------------------------------------------------ */

static void
test_no_environments (Fixture *f, gconstpointer data)
{
  open_window (f);
  /* Nothing to run yet: the window opens where environments are made. */
  g_assert_cmpstr (visible_page (f), ==, "environments");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL));
  g_assert_cmpstr (visible_page (f), ==, "new-task");
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "no environment yet"));
  g_assert_cmpstr (reason (f), ==, ar_new_task_page_get_blocker (new_task_page (f)));
  /* Run does nothing while it is off. */
  gtk_widget_activate_action (GTK_WIDGET (new_task_page (f)), "new-task.run", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ar_backend_get_task_manager (f->backend))), ==, 0);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-no-environments");

  /* Ctrl+Enter is Run, caught before the prompt takes it as a new line. */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (new_task_page (f)));
    gboolean found = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
          continue;
        g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==, GTK_PHASE_CAPTURE);
        for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
          {
            g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
            g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
            g_autofree char *action = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));

            if (strstr (trigger, "<Control>Return") != NULL && g_str_equal (action, "action(new-task.run)"))
              found = TRUE;
          }
      }
    g_assert_true (found);
  }
}

/* ---- environments that cannot run ------------------------------------------ */

static void
test_blocked (Fixture *f, gconstpointer data)
{
  ArEnvironment *missing = add_env (f, "Missing folder", "rose");
  ArEnvironment *no_command = add_env (f, "No command", "amber");
  ArEnvironment *ready = add_env (f, "Ready", "emerald");
  g_autofree char *missing_id = g_strdup (ar_environment_get_env_id (missing));
  g_autofree char *no_command_id = g_strdup (ar_environment_get_env_id (no_command));
  g_autofree char *ready_id = g_strdup (ar_environment_get_env_id (ready));
  g_autofree char *folder = ar_test_mkdtemp ("workspace");
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  ArNewTaskPage *page;

  ar_environment_set_workspace_type (missing, "mounted");
  ar_environment_set_workspace_target (missing, "/nonexistent/agents-runner-test/project");
  ar_environment_set_custom_command (no_command, (const char *const[]) { NULL });
  ar_environment_set_workspace_type (ready, "mounted");
  ar_environment_set_workspace_target (ready, folder);

  /* Known before the window pings it: an engine that does not answer would
   * be the first reason given, ahead of the ones checked here. */
  if (!ar_test_engine_ensure ())
    {
      g_test_skip (ar_test_engine_skip_reason ());
      return;
    }
  open_window (f);
  g_assert_cmpstr (visible_page (f), ==, "tasks");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  page = new_task_page (f);

  ar_new_task_page_select_environment (page, missing_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "/nonexistent/agents-runner-test/project"));
  g_assert_nonnull (strstr (reason (f), "does not exist"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-missing-folder");

  ar_new_task_page_select_environment (page, no_command_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "no command"));

  /* Through the combo row, as a user picks it: position 2 is Ready. */
  adw_combo_row_set_selected (ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, "env_row"), 2);
  g_assert_cmpstr (ar_environment_get_env_id (ar_new_task_page_get_environment (page)), ==, ready_id);
  /* Its command wants the prompt. */
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "prompt"));
  ar_new_task_page_set_prompt (page, "   \n");
  g_assert_false (run_enabled (f));
  ar_new_task_page_set_prompt (page, "List the files");

  if (!ar_test_engine_ensure ())
    {
      g_test_message ("no engine here: the rest needs one (%s)", ar_test_engine_skip_reason ());
      return;
    }
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  g_assert_null (ar_backend_get_engine_problem (f->backend));
  g_assert_true (run_enabled (f));
  g_assert_cmpstr (reason (f), ==, "");

  /* The folder goes away: the page says so when it is shown again. */
  g_assert_cmpint (g_rmdir (folder), ==, 0);
  ar_window_show_page (f->window, "tasks");
  ar_window_show_page (f->window, "new-task");
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "does not exist"));
  g_mkdir (folder, 0700);
  ar_window_show_page (f->window, "tasks");
  ar_window_show_page (f->window, "new-task");
  g_assert_true (run_enabled (f));

  /* Preferences point at an engine that is not there: the banner says
   * why, Run says it cannot, and the Cached images page too. */
  g_assert_nonnull (settings);
  g_settings_set_string (settings, "engine", "docker");
  g_settings_set_string (settings, "engine-host", "unix:///nonexistent/agents-runner-test/docker.sock");
  ar_test_ui_await_for (ar_backend_get_engine_problem (f->backend) != NULL, 60);
  ar_test_ui_iterate (50);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "container engine"));
  g_assert_true (gtk_revealer_get_reveal_child (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_revealer")));
  g_assert_cmpstr (gtk_label_get_label (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_label")), ==,
                   ar_backend_get_engine_problem (f->backend));
  g_assert_true (gtk_widget_get_visible (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "retry_button")));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-no-engine");

  ar_window_show_page (f->window, "images");
  ar_test_ui_await_for (!ar_images_page_get_loading (ar_window_get_images_page (f->window)), 60);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (ar_test_ui_child (ar_window_get_images_page (f->window),
                                                                       AR_TYPE_IMAGES_PAGE, "stack")),
                   ==, "problem");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "images-no-engine");

  /* Back to the engine that answers: the banner goes away by itself. */
  g_settings_reset (settings, "engine-host");
  g_settings_reset (settings, "engine");
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend) && ar_backend_get_engine_problem (f->backend) == NULL, 60);
  ar_test_ui_iterate (50);
  g_assert_false (gtk_revealer_get_reveal_child (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_revealer")));
  ar_window_show_page (f->window, "new-task");
  g_assert_true (run_enabled (f));
}

/* ---- extra mounts the runner would refuse (issue 10 item 2) --------------- */

static const char *
agent_subtitle (Fixture *f)
{
  return adw_action_row_get_subtitle (ar_test_ui_child (new_task_page (f), AR_TYPE_NEW_TASK_PAGE, "agent_row"));
}

/* The page's reason is the runner's own, word for word. */
static void
assert_runner_says_the_same (Fixture *f, ArEnvironment *env, const char *prompt)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ar_task_runner_check_environment (env, AR_TASK_KIND_TASK, prompt, &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (reason (f), ==, error->message);
}

static void
test_refused_mount (Fixture *f, gconstpointer data)
{
  ArEnvironment *env = add_env (f, "Mounts", "teal");
  g_autofree char *env_id = g_strdup (ar_environment_get_env_id (env));
  g_autofree char *folder = ar_test_mkdtemp ("mount");
  g_autofree char *good = g_strdup_printf ("%s:/data", folder);
  ArNewTaskPage *page;

  open_window (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  page = new_task_page (f);
  ar_new_task_page_select_environment (page, env_id);
  ar_new_task_page_set_prompt (page, "List the files");

  /* A host folder that is not there: said before Run, not after. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { "/nonexistent/agents-runner-test/data:/data:ro", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "/nonexistent/agents-runner-test/data"));
  g_assert_nonnull (strstr (reason (f), "does not exist"));
  assert_runner_says_the_same (f, env, "List the files");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-refused-mount");
  /* Run does nothing while it is off. */
  gtk_widget_activate_action (GTK_WIDGET (page), "new-task.run", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ar_backend_get_task_manager (f->backend))), ==, 0);

  /* Neither a path nor a volume name. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { "my data:/data", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "volume name"));
  assert_runner_says_the_same (f, env, "List the files");

  /* Two mounts on one container path: the second would be dropped. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { good, "cache:/data", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "already mounted"));
  assert_runner_says_the_same (f, env, "List the files");

  /* A named volume and an existing folder: nothing to say about mounts. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { good, "volume_1:/cache:rw", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_null (strstr (reason (f), "mount"));
  g_assert_true (ar_task_runner_check_environment (env, AR_TASK_KIND_TASK, "List the files", NULL));

  /* The agent reads as in the editor (issue 10 item 5). */
  ar_environment_set_agent_cli (env, "claude");
  ar_new_task_page_select_environment (page, env_id);
  g_assert_nonnull (strstr (agent_subtitle (f), "Claude Code"));
  g_assert_true (g_str_has_prefix (agent_subtitle (f), ar_agent_display_name ("claude")));
}

/* ---- the application: first start, import of the earlier tool's file --------- */

static const char *legacy_file =
  "{\n"
  "  \"environments\": [\n"
  "    {\n"
  "      \"env_id\": \"env-legacy01\",\n"
  "      \"name\": \"Python work\",\n"
  "      \"color\": \"cyan\",\n"
  "      \"codex_extra_args\": \"--model o3\",\n"
  "      \"preflight_enabled\": true,\n"
  "      \"preflight_script\": \"#!/bin/bash\\npacman -Syu --noconfirm python\\n\"\n"
  "    }\n"
  "  ]\n"
  "}\n";

static ArApplication *
start_application (void)
{
  ArApplication *app = ar_application_new ();
  g_autoptr(GError) error = NULL;

  /* Not unique: registering then needs no session bus. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_WINDOW) != NULL);
  return app;
}

static void
quit_application (ArApplication *app)
{
  GtkWindow *window = ar_test_ui_find_window (AR_TYPE_WINDOW);

  if (window != NULL)
    gtk_window_close (window);
  ar_test_ui_close_all_windows ();
  g_application_quit (G_APPLICATION (app));
  g_object_unref (app);
}

static void
test_legacy_import (Fixture *f, gconstpointer data)
{
  g_autofree char *legacy_path = ar_application_dup_legacy_environments_path ();
  g_autofree char *legacy_dir = g_path_get_dirname (legacy_path);
  g_autofree char *store_path = ar_paths_environments_file ();
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  ArApplication *app;
  ArWindow *window;
  AdwMessageDialog *dialog;
  ArEnvStore *store;

  g_assert_nonnull (settings);
  g_settings_reset (settings, "legacy-import-offered");
  g_unlink (store_path);
  g_mkdir_with_parents (legacy_dir, 0700);
  ar_test_write_file (legacy_path, legacy_file);

  app = start_application ();
  window = AR_WINDOW (ar_test_ui_find_window (AR_TYPE_WINDOW));
  g_assert_nonnull (ar_window_get_backend (window));
  g_assert_true (ar_window_get_backend (window) == ar_application_get_backend (app));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ar_window_get_stack (window)), ==, "environments");

  dialog = ar_test_ui_await_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Import Your Environments?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), ".midoriai/agents-runner/environments.json"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "legacy-import-dialog");
  ar_test_ui_respond (dialog, "import");

  store = ar_application_get_env_store (app);
  /* Written in a worker (issue 10 item 6): done when the store says so. */
  ar_test_ui_await_for (!ar_env_store_get_saving (store), 60);
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 1);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_get_environment (store, 0)), ==, "Python work");
  /* The earlier tool's extra args became this app's. */
  g_assert_cmpstr (ar_environment_get_agent_cli_args (ar_env_store_get_environment (store, 0)), ==, "--model o3");
  g_assert_true (g_file_test (store_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_settings_get_boolean (settings, "legacy-import-offered"));
  ar_test_ui_screenshot (GTK_WIDGET (window), "legacy-imported");
  quit_application (app);

  /* Asked once: the next start opens on Tasks, without the question. */
  app = start_application ();
  window = AR_WINDOW (ar_test_ui_find_window (AR_TYPE_WINDOW));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ar_window_get_stack (window)), ==, "tasks");
  ar_test_ui_iterate (200);
  g_assert_true (ar_test_ui_no_message_dialog ());
  quit_application (app);

  /* "Not now" is an answer too. */
  g_settings_reset (settings, "legacy-import-offered");
  g_unlink (store_path);
  app = start_application ();
  dialog = ar_test_ui_await_message_dialog ();
  ar_test_ui_respond (dialog, "later");
  g_assert_cmpuint (ar_env_store_get_n_environments (ar_application_get_env_store (app)), ==, 0);
  g_assert_true (g_settings_get_boolean (settings, "legacy-import-offered"));
  quit_application (app);

  g_settings_reset (settings, "legacy-import-offered");
  g_unlink (legacy_path);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add ("/ui/new-task/no-environments", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_no_environments, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/blocked", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_blocked, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/refused-mount", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_refused_mount, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/legacy-import", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_legacy_import, ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
