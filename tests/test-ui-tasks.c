/* test-ui-tasks.c — the Tasks page with tasks on the engine: New task, stop, Test preflight, the screenshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-auto-split-dialog.h"
#include "ar-backend.h"
#include "ar-environment-editor.h"
#include "ar-log-view.h"
#include "ar-paths.h"
#include "ar-preflight-editor.h"
#include "ar-task-row.h"
#include "ar-task-view.h"
#include "ar-tasks-page.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"
#include "test-ui-tasks-utils.h"

#define TASK_SECONDS 90

static gboolean
task_finished (ArTask *task)
{
  return ar_task_state_is_finished (ar_task_get_state (task));
}

/* ---- a task from New task, on the engine ---------------------------------- */

static void
test_run_from_new_task (Fixture *f, gconstpointer data)
{
  const char *const command[] = { "sh", "-c", "echo hello from agent; exit 3", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  ArNewTaskPage *new_task;
  ArTask *task;
  GtkLabel *exit_label;

  if (!ar_test_engine_need ())
    return;
  env = g_object_ref (add_env (f, "Hello agent", "violet", command));
  open_window (f);
  /* With environments, the window opens on Tasks. */
  g_assert_cmpstr (visible_page (f), ==, "tasks");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "tasks-empty");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL));
  g_assert_cmpstr (visible_page (f), ==, "new-task");
  new_task = ar_window_get_new_task_page (f->window);
  ar_new_task_page_select_environment (new_task, ar_environment_get_env_id (env));
  ar_new_task_page_set_prompt (new_task, "Say hello, then fail with status 3.");
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  g_assert_null (ar_backend_get_engine_problem (f->backend));
  g_assert_null (ar_new_task_page_get_blocker (new_task));
  g_assert_true (gtk_widget_get_sensitive (ar_test_ui_child (new_task, AR_TYPE_NEW_TASK_PAGE, "run_button")));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (new_task), "new-task.run", NULL));
  /* Shown at once in Tasks, selected. */
  g_assert_cmpstr (visible_page (f), ==, "tasks");
  task = ar_tasks_page_get_selected_task (tasks_page (f));
  g_assert_nonnull (task);
  g_assert_cmpstr (ar_task_get_prompt (task), ==, "Say hello, then fail with status 3.");
  g_assert_true (ar_task_view_get_task (task_view (f)) == task);
  /* The prompt is cleared for the next one. */
  {
    g_autofree char *prompt = ar_new_task_page_dup_prompt (new_task);

    g_assert_cmpstr (prompt, ==, "");
  }

  ar_test_ui_await_for (task_finished (task), TASK_SECONDS);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 3);
  ar_test_ui_await_for (log_contains (log_view (f), "hello from agent"), 5);
  /* The line before docker run names the image; the cache decision and
   * the image are at the top. */
  exit_label = ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "exit_label");
  g_assert_cmpstr (gtk_label_get_label (exit_label), ==, "Exit status 3");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (exit_label)));
  g_assert_nonnull (strstr (gtk_label_get_label (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "image_label")),
                            ar_task_get_image (task)));
  g_assert_false (gtk_widget_get_visible (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "stop_button")));
  g_assert_cmpstr (gtk_label_get_label (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "state_label")), ==,
                   ar_task_state_to_label (AR_TASK_STATE_FAILED));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "tasks-finished");

  /* The same log read back from disk, as after a restart. */
  ar_task_view_set_task (task_view (f), task, NULL);
  ar_test_ui_await_for (!ar_log_view_get_loading (log_view (f)), 5);
  g_assert_true (log_contains (log_view (f), "hello from agent"));
  g_assert_true (log_contains (log_view (f), "exit status 3"));
}

/* ---- stop, and closing with a task running ---------------------------------- */

static void
test_stop_and_close (Fixture *f, gconstpointer data)
{
  const char *const command[] = { "sh", "-c", "echo started; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done",
                                  NULL };
  g_autoptr(ArEnvironment) env = NULL;
  ArNewTaskPage *new_task;
  AdwMessageDialog *dialog;
  ArTask *task;

  if (!ar_test_engine_need ())
    return;
  env = g_object_ref (add_env (f, "Long runner", "amber", command));
  open_window (f);
  new_task = ar_window_get_new_task_page (f->window);
  ar_new_task_page_select_environment (new_task, ar_environment_get_env_id (env));
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (new_task), "new-task.run", NULL));
  task = ar_tasks_page_get_selected_task (tasks_page (f));
  g_assert_nonnull (task);
  ar_test_ui_await_for (log_contains (log_view (f), "tick 3"), TASK_SECONDS);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  g_assert_true (gtk_widget_get_visible (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "stop_button")));
  g_assert_false (gtk_widget_get_visible (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "exit_label")));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "tasks-running");

  /* Closing asks first; Cancel keeps the window. */
  gtk_window_close (GTK_WINDOW (f->window));
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "keeps running"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "close-with-tasks-dialog");
  ar_test_ui_respond (dialog, "cancel");
  ar_test_ui_iterate (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (task_view (f)), "task.stop", NULL));
  ar_test_ui_await_for (task_finished (task), 60);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_CANCELLED);
  ar_test_ui_await_for (!gtk_widget_get_visible (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "stop_button")), 5);

  /* Nothing runs any more: closing does not ask. */
  gtk_window_close (GTK_WINDOW (f->window));
  ar_test_ui_iterate (50);
  g_assert_true (ar_test_ui_no_message_dialog ());
}

/* ---- Test preflight --------------------------------------------------------- */

static void
test_preflight_test (Fixture *f, gconstpointer data)
{
  const char *const command[] = { "sh", "-c", "echo agent must not run", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  ArEnvironmentEditor *editor;
  ArPreflightEditor *preflight;
  ArTask *task;

  if (!ar_test_engine_need ())
    return;
  env = g_object_ref (add_env (f, "Preflight check", "teal", command));
  open_window (f);
  ar_window_show_page (f->window, "environments");
  editor = ar_environments_page_get_editor (ar_window_get_environments_page (f->window));
  ar_environments_page_select (ar_window_get_environments_page (f->window), ar_environment_get_env_id (env));
  /* An unsaved draft: the test runs what the editor shows. */
  ar_environment_set_preflight_enabled (ar_environment_editor_get_draft (editor), TRUE);
  ar_environment_set_preflight_script (ar_environment_editor_get_draft (editor), "#!/bin/sh\necho the draft preflight ran\n");
  preflight = ar_environment_editor_get_preflight_editor (editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preflight), "preflight.test", NULL));

  g_assert_cmpstr (visible_page (f), ==, "tasks");
  task = ar_tasks_page_get_selected_task (tasks_page (f));
  g_assert_nonnull (task);
  g_assert_cmpint (ar_task_get_kind (task), ==, AR_TASK_KIND_PREFLIGHT_TEST);
  ar_test_ui_await_for (task_finished (task), TASK_SECONDS);
  ar_test_ui_await_for (log_contains (log_view (f), "preflight complete"), 5);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  g_assert_true (log_contains (log_view (f), "the draft preflight ran"));
  g_assert_false (log_contains (log_view (f), "agent must not run"));
  g_assert_cmpstr (gtk_label_get_label (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "title_label")), ==,
                   "Preflight test");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "tasks-preflight-test");
}

/* ---- the screenshots of the metainfo ------------------------------------------- */

/* The window with @dialog over it, centred, the window dimmed as a modal
 * dialog dims it. */
static void
screenshot_with_dialog (GtkWidget *window, GtkWidget *dialog, const char *name)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) window_node = NULL;
  g_autoptr(GskRenderNode) dialog_node = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  int width, height, dialog_width, dialog_height;

  /* each as its own last frame painted it, its layout done */
  dialog_node = ar_test_ui_snapshot (dialog, &dialog_width, &dialog_height);
  window_node = ar_test_ui_snapshot (window, &width, &height);

  gtk_snapshot_append_node (snapshot, window_node);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.25 }, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - dialog_width) / 2, (height - dialog_height) / 2));
  gtk_snapshot_append_node (snapshot, dialog_node);
  gtk_snapshot_restore (snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  ar_test_ui_save_png (window, node, width, height, name);
}

/* Runs @prompt on @env from New task, as a user does; the task is then
 * shown selected in Tasks. */
static ArTask *
run_from_new_task (Fixture *f, ArEnvironment *env, const char *prompt)
{
  ArNewTaskPage *new_task = ar_window_get_new_task_page (f->window);
  ArTask *task;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL));
  ar_new_task_page_select_environment (new_task, ar_environment_get_env_id (env));
  ar_new_task_page_set_prompt (new_task, prompt);
  g_assert_null (ar_new_task_page_get_blocker (new_task));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (new_task), "new-task.run", NULL));
  task = ar_tasks_page_get_selected_task (tasks_page (f));
  g_assert_nonnull (task);
  g_assert_cmpstr (ar_task_get_prompt (task), ==, prompt);
  return task;
}

/* The Tasks screenshot shows tasks really run on the engine, in
 * environments that can run on the test base image: the sample ones of
 * the editor screenshots name images and agents this machine lacks. */
static void
screenshot_tasks (Fixture *f)
{
  const char *const web_agent[] = { "sh", "-c",
                                    "cat /opt/tools/VERSION; echo \"agent working on: $1\"; "
                                    "for f in a b c; do echo \"  step $f done\"; done",
                                    "agent", "{prompt}", NULL };
  const char *const data_agent[] = { "sh", "-c", "echo \"agent working on: $1\"; echo 'no database here'; exit 3",
                                     "agent", "{prompt}", NULL };
  const char *const docs_agent[] = { "sh", "-c",
                                     "echo \"agent working on: $1\"; i=0; "
                                     "while true; do i=$((i+1)); echo \"page $i checked\"; sleep 0.2; done",
                                     "agent", "{prompt}", NULL };
  g_autofree char *path = g_build_filename (f->dir, "engine-environments.json", NULL);
  g_autoptr(GError) error = NULL;
  ArEnvironment *web, *data_env, *docs;
  ArTask *miss, *hit, *failed, *stopped;

  ar_test_ui_close_all_windows ();
  g_clear_object (&f->backend);
  g_clear_object (&f->store);
  f->store = ar_env_store_new (path);
  web = add_env (f, "Web shop", "violet", web_agent);
  ar_environment_set_cache_container_build (web, TRUE);
  ar_environment_set_preflight_mode (web, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cached_preflight_script (web, "#!/bin/sh\nset -e\nmkdir -p /opt/tools\n"
                                                   "echo 'tool v1' > /opt/tools/VERSION\n");
  ar_environment_set_run_preflight_script (web, "#!/bin/sh\necho \"preparing task $TASK_ID\"\n");
  data_env = add_env (f, "Data pipeline", "cyan", data_agent);
  docs = add_env (f, "Docs site", "amber", docs_agent);
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);

  open_window (f);
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  g_assert_null (ar_backend_get_engine_problem (f->backend));

  /* The first task builds the environment layer, the second reuses it. */
  miss = run_from_new_task (f, web, "Check the tools in the image and run the build steps");
  ar_test_ui_await_for (task_finished (miss), TASK_SECONDS);
  g_assert_cmpint (ar_task_get_state (miss), ==, AR_TASK_STATE_DONE);
  g_assert_nonnull (strstr (ar_task_get_cache_summary (miss), "cache MISS"));
  hit = run_from_new_task (f, web, "Run the build steps again on the cached image");
  ar_test_ui_await_for (task_finished (hit), TASK_SECONDS);
  g_assert_cmpint (ar_task_get_state (hit), ==, AR_TASK_STATE_DONE);
  g_assert_nonnull (strstr (ar_task_get_cache_summary (hit), "cache HIT"));
  g_assert_cmpstr (ar_task_get_image (hit), ==, ar_task_get_image (miss));

  failed = run_from_new_task (f, data_env, "Load the orders table");
  ar_test_ui_await_for (task_finished (failed), TASK_SECONDS);
  g_assert_cmpint (ar_task_get_state (failed), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (failed), ==, 3);

  stopped = run_from_new_task (f, docs, "Check every page of the guide");
  ar_test_ui_await_for (log_contains (log_view (f), "page 3 checked"), TASK_SECONDS);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (task_view (f)), "task.stop", NULL));
  ar_test_ui_await_for (task_finished (stopped), 60);
  g_assert_cmpint (ar_task_get_state (stopped), ==, AR_TASK_STATE_CANCELLED);

  ar_window_show_task (f->window, hit);
  g_assert_true (ar_tasks_page_get_selected_task (tasks_page (f)) == hit);
  ar_test_ui_await_for (!ar_log_view_get_loading (log_view (f)) && log_contains (log_view (f), "exit status 0"), 5);
  g_assert_true (log_contains (log_view (f), "cache HIT"));
  g_assert_true (log_contains (log_view (f), "preparing task "));
  g_assert_true (log_contains (log_view (f), "tool v1"));
  g_assert_true (log_contains (log_view (f), "agent working on: Run the build steps again on the cached image"));
  g_assert_true (log_contains (log_view (f), "  step c done"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "metainfo-tasks");
}

static void
test_screenshots (Fixture *f, gconstpointer data)
{
  g_autoptr(ArEnvironment) web = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) data_env = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) docs = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  ArEnvironmentsPage *page;
  ArEnvironmentEditor *editor;
  GtkWidget *dialog;

  ar_environment_set_name (web, "Web shop");
  ar_environment_set_color (web, "violet");
  ar_environment_set_base_image (web, "lunamidori5/pixelarch:emerald");
  ar_environment_set_workspace_type (web, "mounted");
  /* A path as a user has it; the editor shows it as it is. */
  ar_environment_set_workspace_target (web, "/home/alex/src/webshop");
  ar_environment_set_agent_cli (web, "codex");
  ar_environment_set_cache_container_build (web, TRUE);
  ar_environment_set_preflight_mode (web, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cached_preflight_script (web,
                                              "#!/bin/sh\nset -e\nyay -S --noconfirm nodejs npm postgresql-libs\n"
                                              "npm install -g pnpm@9\nmkdir -p /opt/playwright\n"
                                              "curl -fsSL https://example.com/tools.tar.gz -o /opt/tools.tar.gz\n");
  ar_environment_set_run_preflight_script (web, "#!/bin/sh\nset -e\nexport PNPM_HOME=/tmp/pnpm-$TASK_ID\n"
                                                "cd /home/midori-ai/workspace && pnpm install --frozen-lockfile\n");
  ar_environment_set_name (data_env, "Data pipeline");
  ar_environment_set_color (data_env, "cyan");
  ar_environment_set_agent_cli (data_env, "claude");
  ar_environment_set_preflight_enabled (data_env, TRUE);
  ar_environment_set_preflight_script (data_env, "#!/bin/sh\napt-get update\napt-get install -y python3-pip\n"
                                                 "pip install dbt-core==1.8\nexport DBT_PROFILES_DIR=/tmp/dbt-$TASK_ID\n"
                                                 "mkdir -p /tmp/dbt-$TASK_ID\n");
  ar_environment_set_name (docs, "Docs site");
  ar_environment_set_color (docs, "amber");
  ar_environment_set_agent_cli (docs, "gemini");
  g_assert_true (ar_env_store_add (f->store, web, &error));
  g_assert_true (ar_env_store_add (f->store, data_env, &error));
  g_assert_true (ar_env_store_add (f->store, docs, &error));
  g_assert_true (ar_env_store_save (f->store, &error));

  open_window (f);
  page = ar_window_get_environments_page (f->window);
  editor = ar_environments_page_get_editor (page);

  ar_window_show_page (f->window, "environments");
  ar_environments_page_select (page, ar_environment_get_env_id (web));
  gtk_stack_set_visible_child_name (ar_test_ui_child (editor, AR_TYPE_ENVIRONMENT_EDITOR, "tabs"), "general");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "metainfo-environments");

  gtk_stack_set_visible_child_name (ar_test_ui_child (editor, AR_TYPE_ENVIRONMENT_EDITOR, "tabs"), "preflight");
  /* Split mode, on the cached tab with its warning. */
  gtk_notebook_set_current_page (ar_test_ui_child (ar_environment_editor_get_preflight_editor (editor),
                                                   AR_TYPE_PREFLIGHT_EDITOR, "notebook"),
                                 1);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "metainfo-preflight-editor");

  ar_environments_page_select (page, ar_environment_get_env_id (data_env));
  gtk_stack_set_visible_child_name (ar_test_ui_child (editor, AR_TYPE_ENVIRONMENT_EDITOR, "tabs"), "preflight");
  ar_test_ui_iterate (100);
  gtk_widget_activate_action (GTK_WIDGET (ar_environment_editor_get_preflight_editor (editor)), "preflight.auto-split", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) != NULL);
  dialog = GTK_WIDGET (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG));
  screenshot_with_dialog (GTK_WIDGET (f->window), dialog, "metainfo-auto-split");
  gtk_widget_activate_action (dialog, "auto-split.cancel", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) == NULL);

  if (ar_test_engine_need ())
    screenshot_tasks (f);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();
  /* Every container and image of this run carries the run's label: the
   * fixture removes them when the process ends. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add ("/ui/tasks/run-from-new-task", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_run_from_new_task, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/stop-and-close", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_stop_and_close, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/preflight-test", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_preflight_test, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/screenshots", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_screenshots, ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
