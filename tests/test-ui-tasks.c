/* test-ui-tasks.c — the Tasks page and the task view (SPEC §6.1, §6.4):
 * a task run from New task on the real engine, Stop, the filters, the
 * live log (cap, levels, search, follow), records of an earlier run read
 * from disk, Test preflight, and the question on closing with tasks
 * running. Also the screenshots the metainfo shows.
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

#define TASK_SECONDS 90


typedef ArTestUiWindowFixture Fixture;

static gboolean
have_engine (void)
{
  if (ar_test_engine_ensure ())
    return TRUE;
  {
    g_autofree char *why = g_strdup_printf ("no container engine: %s", ar_test_engine_skip_reason ());

    g_test_skip (why);
  }
  return FALSE;
}

static ArEnvironment *
add_env (Fixture *f, const char *name, const char *color, const char *const *command)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (env, name);
  ar_environment_set_color (env, color);
  ar_environment_set_agent_cli (env, "custom");
  if (command != NULL)
    {
      g_autofree char *base = ar_test_engine_base_image ();

      ar_environment_set_base_image (env, base);
      ar_environment_set_custom_command (env, command);
    }
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  return env;
}

static void
open_window (Fixture *f)
{
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  ar_test_ui_await (ar_backend_get_tasks_loaded (f->backend));
}

static ArTasksPage *
tasks_page (Fixture *f)
{
  return ar_window_get_tasks_page (f->window);
}

static ArTaskView *
task_view (Fixture *f)
{
  return ar_tasks_page_get_task_view (tasks_page (f));
}

static ArLogView *
log_view (Fixture *f)
{
  return ar_task_view_get_log_view (task_view (f));
}

static gboolean
log_contains (ArLogView *view, const char *text)
{
  g_autofree char *all = ar_log_view_dup_text (view);

  return strstr (all, text) != NULL;
}

static const char *
visible_page (Fixture *f)
{
  return adw_view_stack_get_visible_child_name (ar_window_get_stack (f->window));
}

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

  if (!have_engine ())
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

  if (!have_engine ())
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

/* ---- records of an earlier run, the filters --------------------------------- */

static ArTask *
write_record (ArEnvironment *env, const char *prompt, ArTaskState state, int status, const char *log_text)
{
  ArTask *task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), prompt, AR_TASK_KIND_TASK);
  g_autofree char *dir = ar_task_dup_dir (task);
  g_autofree char *log = ar_task_dup_log_path (task);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  g_mkdir_with_parents (dir, 0700);
  ar_task_set_state (task, state);
  ar_task_set_exit_status (task, status);
  ar_task_set_started_at (task, now - 75 * G_USEC_PER_SEC);
  ar_task_set_finished_at (task, now - 3 * G_USEC_PER_SEC);
  ar_task_set_image (task, "agents-runner-env:0123456789abcdef");
  ar_task_set_layers (task, "base + environment layer");
  ar_task_set_cache_summary (task, "environment layer: cache HIT agents-runner-env:0123456789abcdef");
  g_assert_true (ar_task_save (task, &error));
  g_assert_no_error (error);
  ar_test_write_file (log, log_text);
  return task;
}

static guint
count_env (GListModel *model, const char *env_id)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArTask) task = g_list_model_get_item (model, i);

      if (g_str_equal (ar_task_get_env_id (task), env_id))
        n++;
    }
  return n;
}

static ArTask *
find_task (GListModel *model, const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArTask) task = g_list_model_get_item (model, i);

      if (g_str_equal (ar_task_get_id (task), id))
        return task;
    }
  return NULL;
}

static void
test_records_and_filters (Fixture *f, gconstpointer data)
{
  ArEnvironment *alpha = add_env (f, "Alpha", "cyan", NULL);
  ArEnvironment *beta = add_env (f, "Beta", "rose", NULL);
  g_autofree char *alpha_id = g_strdup (ar_environment_get_env_id (alpha));
  g_autofree char *beta_id = g_strdup (ar_environment_get_env_id (beta));
  g_autoptr(ArTask) a1 = write_record (alpha, "Fix the flaky test in parser_test.go\nand explain", AR_TASK_STATE_DONE, 0,
                                       "[task/start][INFO] starting\n[env/image][DEBUG] inspecting\nplain output\n"
                                       "[image/env][WARN] cache MISS: the cached preflight changed\n"
                                       "[task/end][ERROR] failed: exit status 1\n");
  g_autoptr(ArTask) a2 = write_record (alpha, "Second alpha task", AR_TASK_STATE_FAILED, 1, "alpha two\n");
  g_autoptr(ArTask) b1 = write_record (beta, "Beta task", AR_TASK_STATE_CANCELLED, -1, "beta one\n");
  GListModel *model;
  ArTask *shown;
  ArLogView *view;
  GtkTextBuffer *buffer;
  GtkTextIter iter;

  open_window (f);
  model = ar_tasks_page_get_model (tasks_page (f));
  g_assert_cmpuint (count_env (model, alpha_id), ==, 2);
  g_assert_cmpuint (count_env (model, beta_id), ==, 1);

  /* By environment: Beta's task is hidden. */
  ar_tasks_page_set_env_filter (tasks_page (f), alpha_id);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpuint (count_env (model, beta_id), ==, 0);
  g_assert_cmpstr (ar_environment_get_env_id (gtk_drop_down_get_selected_item (ar_test_ui_child (tasks_page (f), AR_TYPE_TASKS_PAGE, "env_dropdown"))),
                   ==, alpha_id);
  /* Through the dropdown, as a user does: position 2 is Beta. */
  gtk_drop_down_set_selected (ar_test_ui_child (tasks_page (f), AR_TYPE_TASKS_PAGE, "env_dropdown"), 2);
  g_assert_cmpstr (ar_tasks_page_get_env_filter (tasks_page (f)), ==, beta_id);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_nonnull (find_task (model, ar_task_get_id (b1)));

  /* By state. */
  ar_tasks_page_set_env_filter (tasks_page (f), alpha_id);
  ar_tasks_page_set_state_filter (tasks_page (f), AR_TASK_FILTER_FAILED);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_nonnull (find_task (model, ar_task_get_id (a2)));
  ar_tasks_page_set_state_filter (tasks_page (f), AR_TASK_FILTER_ACTIVE);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (ar_test_ui_child (tasks_page (f), AR_TYPE_TASKS_PAGE, "list_stack")),
                   ==, "no-match");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "tasks-no-match");
  ar_tasks_page_set_state_filter (tasks_page (f), AR_TASK_FILTER_ALL);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  ar_tasks_page_set_env_filter (tasks_page (f), NULL);
  g_assert_cmpuint (count_env (model, beta_id), ==, 1);

  /* A task hidden by the filters is shown by clearing them. */
  ar_tasks_page_set_env_filter (tasks_page (f), beta_id);
  shown = find_task (G_LIST_MODEL (ar_backend_get_task_manager (f->backend)), ar_task_get_id (a1));
  g_assert_nonnull (shown);
  ar_window_show_task (f->window, shown);
  g_assert_cmpstr (ar_tasks_page_get_env_filter (tasks_page (f)), ==, "");
  g_assert_true (ar_tasks_page_get_selected_task (tasks_page (f)) == shown);

  /* Not run by this process: the end of its task.log, with level colours. */
  view = log_view (f);
  ar_test_ui_await_for (!ar_log_view_get_loading (view) && log_contains (view, "exit status 1"), 5);
  g_assert_true (log_contains (view, "plain output"));
  buffer = gtk_text_view_get_buffer (ar_log_view_get_text_view (view));
  gtk_text_buffer_get_iter_at_line (buffer, &iter, 4);
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "error")));
  gtk_text_buffer_get_iter_at_line (buffer, &iter, 3);
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "warn")));
  gtk_text_buffer_get_iter_at_line (buffer, &iter, 1);
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "debug")));
  gtk_text_buffer_get_iter_at_line (buffer, &iter, 2);
  g_assert_null (gtk_text_iter_get_tags (&iter));
  g_assert_cmpstr (gtk_label_get_label (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "exit_label")), ==,
                   "Exit status 0");
  g_assert_cmpstr (gtk_label_get_label (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "title_label")), ==,
                   "Fix the flaky test in parser_test.go");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "tasks-records");
}

/* ---- the log view alone --------------------------------------------------- */

static gboolean
push_lines_thread_done;

static gpointer
push_lines_thread (gpointer data)
{
  ArLogView *view = data;

  for (guint i = 0; i < 25000; i++)
    {
      g_autofree char *line = g_strdup_printf ("line %u", i);

      ar_log_view_push_line (view, line, i % 1000 == 7 ? AR_LOG_ERROR : AR_LOG_OUTPUT);
    }
  g_atomic_int_set (&push_lines_thread_done, TRUE);
  return NULL;
}

static void
test_log_view (Fixture *f, gconstpointer data)
{
  GtkWidget *window = gtk_window_new ();
  ArLogView *view = AR_LOG_VIEW (ar_log_view_new ());
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (ar_log_view_get_text_view (view));
  GtkTextTag *error_tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "error");
  GtkTextIter iter;
  GThread *thread;
  g_autofree char *text = NULL;
  g_autofree char *first = NULL;
  g_autofree char *long_line = g_strnfill (AR_LOG_VIEW_MAX_LINE_BYTES + 500, 'x');
  char invalid[] = { 'b', 'a', 'd', (char) 0xff, ' ', 'u', 't', 'f', '\0' };

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  ar_log_view_set_max_lines (view, 10000);
  g_assert_true (ar_log_view_get_follow (view));

  /* From another thread, faster than frames: batched, capped. */
  g_atomic_int_set (&push_lines_thread_done, FALSE);
  thread = g_thread_new ("push", push_lines_thread, view);
  ar_test_ui_await_for (g_atomic_int_get (&push_lines_thread_done), 30);
  g_thread_join (thread);
  ar_test_ui_await_for (log_contains (view, "line 24999"), 5);
  g_assert_cmpuint (ar_log_view_get_n_lines (view), ==, 10000);
  g_assert_true (ar_log_view_get_truncated (view));
  text = ar_log_view_dup_text (view);
  first = g_strndup (text, strchr (text, '\n') - text);
  g_assert_cmpstr (first, ==, "line 15000");
  g_assert_true (g_str_has_suffix (text, "\nline 24999"));
  /* "line 15007" is an ERROR line: red. */
  gtk_text_buffer_get_iter_at_line (buffer, &iter, 7);
  g_assert_true (gtk_text_iter_has_tag (&iter, error_tag));
  gtk_text_buffer_get_iter_at_line (buffer, &iter, 8);
  g_assert_false (gtk_text_iter_has_tag (&iter, error_tag));
  g_assert_nonnull (strstr (gtk_label_get_label (ar_test_ui_child (view, AR_TYPE_LOG_VIEW, "truncated_label")), "10"));

  /* Search: every match highlighted, next / previous move the current one. */
  ar_log_view_set_search_text (view, "LINE 2499");
  g_assert_cmpuint (ar_log_view_get_n_matches (view), ==, 10);  /* 24990 … 24999; 2499 is gone */
  g_assert_false (ar_log_view_get_follow (view));
  g_assert_true (ar_log_view_next_match (view));
  g_assert_true (ar_log_view_previous_match (view));
  g_assert_cmpstr (gtk_label_get_label (ar_test_ui_child (view, AR_TYPE_LOG_VIEW, "match_label")), ==, "10 matches");
  ar_test_ui_screenshot (window, "log-view-search");
  /* New lines are searched as they come. */
  ar_log_view_push_line (view, "and line 24991 again", AR_LOG_WARN);
  ar_test_ui_await_for (log_contains (view, "and line 24991 again"), 5);
  g_assert_cmpuint (ar_log_view_get_n_matches (view), ==, 11);
  ar_log_view_set_search_text (view, "no such text");
  g_assert_cmpuint (ar_log_view_get_n_matches (view), ==, 0);
  g_assert_false (ar_log_view_next_match (view));
  ar_log_view_set_search_text (view, NULL);

  /* Follow: on scrolls to the end; off keeps the place while lines come. */
  ar_log_view_set_follow (view, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.follow", NULL));
  g_assert_false (ar_log_view_get_follow (view));
  {
    GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (ar_log_view_get_text_view (view)));
    double value;

    gtk_adjustment_set_value (adjustment, 2000);

    ar_test_ui_iterate (100);
    value = gtk_adjustment_get_value (adjustment);
    for (guint i = 0; i < 5; i++)
      {
        g_autofree char *line = g_strdup_printf ("one more %u", i);

        ar_log_view_push_line (view, line, AR_LOG_INFO);
        ar_test_ui_await_for (log_contains (view, line), 5);
        ar_test_ui_iterate (60);
        g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), <=, value + 1);
      }
    ar_log_view_set_follow (view, TRUE);
    ar_test_ui_iterate (200);
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, value + 1000);
  }

  /* Lines too long are cut, lines that are not UTF-8 are repaired. */
  ar_log_view_push_line (view, long_line, AR_LOG_OUTPUT);
  ar_log_view_push_line (view, invalid, AR_LOG_OUTPUT);
  ar_test_ui_await_for (log_contains (view, "utf"), 5);
  g_assert_true (log_contains (view, "cut here"));

  /* Copy puts the lines on the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "log.copy", NULL));
  g_assert_true (gdk_clipboard_is_local (gtk_widget_get_clipboard (GTK_WIDGET (view))));

  ar_log_view_clear (view);
  g_assert_cmpuint (ar_log_view_get_n_lines (view), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A progress bar of 10 000 "\r" updates is one line that changes, as on a
 * terminal: the next line of output takes its place, a message keeps it;
 * the same when the view reads the stored log back. */
static void
test_log_view_progress (Fixture *f, gconstpointer data)
{
  GtkWidget *window = gtk_window_new ();
  ArLogView *view = AR_LOG_VIEW (ar_log_view_new ());
  g_autofree char *dir = ar_test_mkdtemp ("progress");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
  g_autofree char *text = NULL;
  g_autofree char *last = NULL;
  const char *expected_end = "\n[task/check][INFO] a message keeps the last state\nfinished";

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 300);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  ar_log_view_show_log (view, log, NULL);

  ar_task_log_output (log, "downloading the model");
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *bar = g_strnfill (i * 40 / 9999, '#');
      g_autofree char *line = g_strdup_printf ("[%-40s] %5.1f%% (%u/9999)", bar, i * 100.0 / 9999, i);

      ar_task_log_output_piece (log, line, -1, AR_LOG_END_RETURN);
      g_clear_pointer (&last, g_free);
      last = g_steal_pointer (&line);
      /* some of them reach the view while the bar runs */
      if (i % 2500 == 0)
        ar_test_ui_iterate (60);
    }
  ar_test_ui_await_for (log_contains (view, "(9999/9999)"), 5);
  ar_test_ui_iterate (100);
  text = ar_log_view_dup_text (view);
  g_assert_cmpuint (ar_log_view_get_n_lines (view), ==, 2);
  {
    g_autofree char *expected = g_strconcat ("downloading the model\n", last, NULL);

    g_assert_cmpstr (text, ==, expected);
  }
  ar_test_ui_screenshot (window, "log-view-progress");

  /* A message after it keeps the last state; the next bar's end is replaced
   * by the line that follows it. */
  ar_task_log_message (log, "task/check", AR_LOG_INFO, "a message keeps the last state");
  ar_task_log_output_piece (log, "step 1 of 2", -1, AR_LOG_END_RETURN);
  ar_task_log_output_piece (log, "step 2 of 2", -1, AR_LOG_END_RETURN);
  ar_test_ui_await_for (log_contains (view, "step 2 of 2"), 5);
  g_assert_false (log_contains (view, "step 1 of 2"));
  /* a match in a replaced line goes with it */
  ar_log_view_set_search_text (view, "STEP");
  g_assert_cmpuint (ar_log_view_get_n_matches (view), ==, 1);
  ar_task_log_output (log, "finished");
  ar_test_ui_await_for (log_contains (view, "finished"), 5);
  g_assert_cmpuint (ar_log_view_get_n_matches (view), ==, 0);
  ar_log_view_set_search_text (view, NULL);
  g_clear_pointer (&text, g_free);
  text = ar_log_view_dup_text (view);
  g_assert_cmpuint (ar_log_view_get_n_lines (view), ==, 4);
  g_assert_true (g_str_has_suffix (text, expected_end));
  g_assert_true (strstr (text, last) != NULL);
  ar_task_log_close (log);

  /* Read back from the file: the same lines. */
  {
    ArLogView *reread = AR_LOG_VIEW (ar_log_view_new ());
    g_autofree char *again = NULL;

    gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (reread));
    ar_log_view_show_log (reread, NULL, path);
    ar_test_ui_await_for (!ar_log_view_get_loading (reread), 5);
    again = ar_log_view_dup_text (reread);
    g_assert_cmpuint (ar_log_view_get_n_lines (reread), ==, 4);
    g_assert_cmpstr (again, ==, text);
  }
  gtk_window_destroy (GTK_WINDOW (window));
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

  if (!have_engine ())
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
  g_autoptr(GdkPaintable) window_paintable = gtk_widget_paintable_new (window);
  g_autoptr(GdkPaintable) dialog_paintable = gtk_widget_paintable_new (dialog);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  int width, height, dialog_width, dialog_height;

  ar_test_ui_await (gtk_widget_get_mapped (dialog) && gtk_widget_get_width (dialog) > 0);
  ar_test_ui_iterate (300);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  dialog_width = gtk_widget_get_width (dialog);
  dialog_height = gtk_widget_get_height (dialog);

  gdk_paintable_snapshot (window_paintable, GDK_SNAPSHOT (snapshot), width, height);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.25 }, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((width - dialog_width) / 2, (height - dialog_height) / 2));
  gdk_paintable_snapshot (dialog_paintable, GDK_SNAPSHOT (snapshot), dialog_width, dialog_height);
  gtk_snapshot_restore (snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (dir, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot %s", path);
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

  if (have_engine ())
    screenshot_tasks (f);
}

/* ---- every width, the keyboard, the names (issue 12) ------------------------ */

/* Three records and the window on Tasks with the first one shown. */
static ArTask *
open_with_records (Fixture *f)
{
  ArEnvironment *alpha = add_env (f, "Alpha", "cyan", NULL);
  ArEnvironment *beta = add_env (f, "Beta with a rather long environment name", "rose", NULL);
  g_autoptr(ArTask) a1 = write_record (alpha, "Fix the flaky test in parser_test.go and explain why it failed on the build machine",
                                       AR_TASK_STATE_FAILED, 1,
                                       "[task/start][INFO] starting\nplain output with a long line that has to wrap at a narrow width "
                                       "because nothing may be cut off\n[task/end][ERROR] failed: exit status 1\n");
  g_autoptr(ArTask) a2 = write_record (alpha, "Second alpha task", AR_TASK_STATE_DONE, 0, "alpha two\n");
  g_autoptr(ArTask) b1 = write_record (beta, "Beta task", AR_TASK_STATE_CANCELLED, -1, "beta one\n");
  ArTask *shown;

  open_window (f);
  ar_window_show_page (f->window, "tasks");
  shown = find_task (G_LIST_MODEL (ar_backend_get_task_manager (f->backend)), ar_task_get_id (a1));
  g_assert_nonnull (shown);
  /* The whole cache line, however long: it wraps, never ellipsized. */
  ar_task_set_cache_summary (shown, "environment layer: cache MISS agents-runner-env:0123456789abcdef (the cached "
                                    "preflight changed); desktop layer: cache HIT agents-runner-desktop:fedcba9876543210");
  ar_window_show_task (f->window, shown);
  ar_test_ui_await_for (!ar_log_view_get_loading (log_view (f)) && log_contains (log_view (f), "exit status 1"), 5);
  return shown;
}

static void
assert_nothing_cut (GtkWidget *root, const char *where)
{
  g_auto(GStrv) cut = ar_test_ui_cut_off_widgets (root);

  for (guint i = 0; cut[i] != NULL; i++)
    g_test_message ("%s: cut off: %s", where, cut[i]);
  g_assert_cmpuint (g_strv_length (cut), ==, 0);
}

static void
assert_all_named (GtkWidget *root, const char *where)
{
  g_auto(GStrv) unnamed = ar_test_ui_unnamed_widgets (root);

  for (guint i = 0; unnamed[i] != NULL; i++)
    g_test_message ("%s: no accessible name: %s", where, unnamed[i]);
  g_assert_cmpuint (g_strv_length (unnamed), ==, 0);
}

/* The cache line shows all of its text: no ellipsis, all lines laid out. */
static void
assert_cache_line_whole (Fixture *f)
{
  GtkLabel *cache = ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "cache_label");
  PangoLayout *layout = gtk_label_get_layout (cache);

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (cache)));
  g_assert_cmpint (gtk_label_get_ellipsize (cache), ==, PANGO_ELLIPSIZE_NONE);
  g_assert_false (pango_layout_is_ellipsized (layout));
  g_assert_nonnull (strstr (gtk_label_get_label (cache), "desktop:fedcba9876543210"));
}

static int
min_width (GtkWidget *widget)
{
  int min = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
  return min;
}

static void
test_adaptive (Fixture *f, gconstpointer data)
{
  GtkWindow *window;
  const int widths[] = { 360, 600, 1280 };
  const char *const pages[] = { "tasks", "new-task", "environments", "images" };

  open_with_records (f);
  window = GTK_WINDOW (f->window);

  g_test_message ("window minimum width %d (tasks page %d, task view %d, log view %d)", ar_test_ui_min_width (window),
                  min_width (GTK_WIDGET (tasks_page (f))), min_width (GTK_WIDGET (task_view (f))),
                  min_width (GTK_WIDGET (log_view (f))));
  /* Every page fits a phone's width. */
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      ar_window_show_page (f->window, pages[i]);
      g_test_message ("%s: minimum width %d", pages[i], ar_test_ui_min_width (window));
      g_assert_cmpint (ar_test_ui_min_width (window), <=, 360);
    }
  ar_window_show_page (f->window, "tasks");

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *where = g_strdup_printf ("tasks at %d px", widths[i]);

      ar_test_ui_set_size (window, widths[i], widths[i] == 360 ? 640 : 800);
      /* The task, and (folded) the list on its own. */
      g_assert_true (ar_tasks_page_get_showing_task (tasks_page (f)));
      assert_cache_line_whole (f);
      assert_nothing_cut (GTK_WIDGET (window), where);
      ar_test_ui_screenshot_at (window, widths[i], widths[i] == 360 ? 640 : 800, "tasks-task");
      if (ar_tasks_page_get_folded (tasks_page (f)))
        {
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tasks_page (f)), "tasks.back", NULL));
          g_assert_false (ar_tasks_page_get_showing_task (tasks_page (f)));
          ar_test_ui_iterate (50);
          assert_nothing_cut (GTK_WIDGET (window), where);
          ar_test_ui_screenshot_at (window, widths[i], widths[i] == 360 ? 640 : 800, "tasks-list");
          ar_window_show_task (f->window, ar_tasks_page_get_selected_task (tasks_page (f)));
          g_assert_true (ar_tasks_page_get_showing_task (tasks_page (f)));
        }
    }
  /* Folded at phone width, side by side on a laptop. */
  ar_test_ui_set_size (window, 360, 640);
  g_assert_true (ar_tasks_page_get_folded (tasks_page (f)));
  ar_test_ui_set_size (window, 1280, 800);
  g_assert_false (ar_tasks_page_get_folded (tasks_page (f)));

  /* With the banner the window shows when no engine answers, every page
   * still fits 360 x 640: what is taller scrolls. */
  ar_window_set_engine_problem (f->window, "No container engine found: install Docker or Podman, or set the engine in "
                                           "Preferences.");
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s with the engine banner at 360 x 640", pages[i]);
      g_autofree char *name = g_strdup_printf ("banner-%s", pages[i]);

      ar_window_show_page (f->window, pages[i]);
      if (g_str_equal (pages[i], "environments"))
        {
          ArEnvironmentsPage *envs = ar_window_get_environments_page (f->window);
          GListModel *list = G_LIST_MODEL (f->store);
          g_autoptr(ArEnvironment) first = g_list_model_get_item (list, 0);

          ar_environments_page_select (envs, ar_environment_get_env_id (first));
        }
      ar_test_ui_set_size (window, 360, 640);
      ar_test_ui_screenshot_at (window, 360, 640, name);
      g_test_message ("%s: window %d x %d", where, gtk_widget_get_width (GTK_WIDGET (window)),
                      gtk_widget_get_height (GTK_WIDGET (window)));
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 640);
      assert_nothing_cut (GTK_WIDGET (window), where);
    }
  /* The editor (folded: the list above, the editor here), on each tab:
   * the tallest, Preflight, scrolls too. */
  {
    ArEnvironmentsPage *envs = ar_window_get_environments_page (f->window);
    ArEnvironmentEditor *editor = ar_environments_page_get_editor (envs);
    const char *const tabs[] = { "general", "container", "preflight" };

    ar_window_show_page (f->window, "environments");
    adw_leaflet_set_visible_child_name (ar_test_ui_child (envs, AR_TYPE_ENVIRONMENTS_PAGE, "leaflet"), "content");
    for (guint i = 0; i < G_N_ELEMENTS (tabs); i++)
      {
        g_autofree char *where = g_strdup_printf ("the %s tab with the engine banner at 360 x 640", tabs[i]);
        g_autofree char *name = g_strdup_printf ("banner-environments-%s", tabs[i]);

        gtk_stack_set_visible_child_name (ar_test_ui_child (editor, AR_TYPE_ENVIRONMENT_EDITOR, "tabs"), tabs[i]);
        ar_test_ui_screenshot_at (window, 360, 640, name);
        g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 640);
        assert_nothing_cut (GTK_WIDGET (window), where);
      }
  }
  ar_window_set_engine_problem (f->window, NULL);
}

/* The colour dots of the task rows and of the task view's header say
 * their colour, as the environment rows' do. */
static void
assert_color_dots_named (Fixture *f)
{
  GtkWidget *dot = ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "color_dot");
  g_autofree char *error = NULL;
  guint rows = 0;

  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (dot)), ==, GTK_ACCESSIBLE_ROLE_IMG);
  error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (dot), GTK_ACCESSIBLE_PROPERTY_LABEL, "Color: Cyan");
  g_assert_null (error);
  for (guint i = 0;; i++)
    {
      GtkWidget *row = ar_test_ui_find_descendant (GTK_WIDGET (tasks_page (f)), AR_TYPE_TASK_ROW, i);
      const char *env;

      if (row == NULL)
        break;
      dot = ar_test_ui_child (row, AR_TYPE_TASK_ROW, "color_dot");
      env = gtk_label_get_label (ar_test_ui_child (row, AR_TYPE_TASK_ROW, "env_label"));
      g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (dot)), ==, GTK_ACCESSIBLE_ROLE_IMG);
      error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (dot), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                  g_str_equal (env, "Alpha") ? "Color: Cyan" : "Color: Rose");
      if (error != NULL)
        g_error ("task row of %s: %s", env, error);
      rows++;
    }
  g_assert_cmpuint (rows, ==, 3);
}

/* The first frame has only the page it shows: with environments saved the
 * window opens on Tasks, and the Environments page (its editor, three
 * source views) is built only when first shown (issue 12 item 5). */
static void
test_lazy_pages (Fixture *f, gconstpointer data)
{
  ArEnvironment *env = add_env (f, "Alpha", "cyan", NULL);
  AdwBin *environments_bin, *images_bin;

  open_window (f);
  environments_bin = ar_test_ui_child (f->window, AR_TYPE_WINDOW, "environments_bin");
  images_bin = ar_test_ui_child (f->window, AR_TYPE_WINDOW, "images_bin");
  g_assert_null (adw_bin_get_child (environments_bin));
  g_assert_null (adw_bin_get_child (images_bin));

  ar_window_show_page (f->window, "environments");
  g_assert_true (AR_IS_ENVIRONMENTS_PAGE (adw_bin_get_child (environments_bin)));
  g_assert_true (GTK_WIDGET (ar_window_get_environments_page (f->window)) == adw_bin_get_child (environments_bin));
  ar_environments_page_select (ar_window_get_environments_page (f->window), ar_environment_get_env_id (env));
  ar_test_ui_iterate (50);
  g_assert_null (adw_bin_get_child (images_bin));
}

static void
test_names (Fixture *f, gconstpointer data)
{
  open_with_records (f);
  ar_test_ui_set_size (GTK_WINDOW (f->window), 1280, 800);
  /* The shell, the list and the task (the other pages are their own
   * tests'). */
  assert_all_named (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "header_bar"), "header bar");
  assert_all_named (GTK_WIDGET (tasks_page (f)), "tasks page");
  ar_window_set_engine_problem (f->window, "No container engine answers");
  assert_all_named (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_revealer"), "engine banner");
  ar_test_ui_set_size (GTK_WINDOW (f->window), 360, 640);
  assert_all_named (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "switcher_bar"), "switcher bar");
  assert_all_named (GTK_WIDGET (tasks_page (f)), "tasks page, folded");
  assert_color_dots_named (f);
}

static gboolean
chain_has_list_row (GPtrArray *chain, GtkWidget *list)
{
  return ar_test_ui_chain_visits (chain, list);
}

static void
test_keyboard (Fixture *f, gconstpointer data)
{
  ArTask *shown = open_with_records (f);
  GtkWindow *window = GTK_WINDOW (f->window);
  GtkWidget *list = ar_test_ui_child (tasks_page (f), AR_TYPE_TASKS_PAGE, "list_view");
  ArLogView *log = log_view (f);
  g_autoptr(GPtrArray) forward = NULL;
  g_autoptr(GPtrArray) backward = NULL;
  GtkWidget *search = ar_test_ui_child (log, AR_TYPE_LOG_VIEW, "search_entry");
  GtkWidget *follow = ar_test_ui_child (log, AR_TYPE_LOG_VIEW, "follow_button");
  GtkWidget *env_dropdown = ar_test_ui_child (tasks_page (f), AR_TYPE_TASKS_PAGE, "env_dropdown");
  GtkWidget *state_dropdown = ar_test_ui_child (tasks_page (f), AR_TYPE_TASKS_PAGE, "state_dropdown");
  GtkWidget *text = GTK_WIDGET (ar_log_view_get_text_view (log));
  guint first_search = G_MAXUINT, first_list = G_MAXUINT, first_env = G_MAXUINT;

  ar_test_ui_set_size (window, 1280, 800);
  gtk_window_set_focus (window, NULL);
  forward = ar_test_ui_focus_chain (window, 40, FALSE);
  for (guint i = 0; i < forward->len; i++)
    {
      GtkWidget *w = g_ptr_array_index (forward, i);
      g_autofree char *what = w != NULL ? ar_test_ui_describe (w) : g_strdup ("(none)");

      g_test_message ("Tab %u: %s", i + 1, what);
      if (w == NULL)
        continue;
      if (first_env == G_MAXUINT && gtk_widget_is_ancestor (w, env_dropdown))
        first_env = i;
      if (first_list == G_MAXUINT && gtk_widget_is_ancestor (w, list))
        first_list = i;
      if (first_search == G_MAXUINT && gtk_widget_is_ancestor (w, search))
        first_search = i;
    }
  /* Every control of the page, in reading order: the filters, the list,
   * then the task's log tools and its text. */
  g_assert_true (ar_test_ui_chain_visits (forward, env_dropdown));
  g_assert_true (ar_test_ui_chain_visits (forward, state_dropdown));
  g_assert_true (chain_has_list_row (forward, list));
  g_assert_true (ar_test_ui_chain_visits (forward, search));
  g_assert_true (ar_test_ui_chain_visits (forward, follow));
  g_assert_true (ar_test_ui_chain_visits (forward, text));
  g_assert_cmpuint (first_env, <, first_list);
  g_assert_cmpuint (first_list, <, first_search);
  /* Tab leaves the list at once (one stop), and never moves the selection. */
  g_assert_false (g_ptr_array_index (forward, first_list + 1) != NULL &&
                  gtk_widget_is_ancestor (g_ptr_array_index (forward, first_list + 1), list));
  g_assert_true (ar_tasks_page_get_selected_task (tasks_page (f)) == shown);
  /* Never stuck: the chain goes round (the header's first control again). */
  g_assert_true (g_ptr_array_index (forward, forward->len - 1) != g_ptr_array_index (forward, forward->len - 2));

  backward = ar_test_ui_focus_chain (window, 40, TRUE);
  g_assert_true (ar_test_ui_chain_visits (backward, search));
  g_assert_true (ar_test_ui_chain_visits (backward, env_dropdown));
  g_assert_true (chain_has_list_row (backward, list));
  g_assert_true (ar_tasks_page_get_selected_task (tasks_page (f)) == shown);

  /* Ctrl+F in the log: its search. */
  gtk_widget_grab_focus (text);
  g_assert_true (gtk_widget_activate_action (text, "log.focus-search", NULL));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), search));

  /* Folded: the back button is in the chain, Ctrl+N opens New task. */
  ar_test_ui_set_size (window, 360, 640);
  gtk_window_set_focus (window, NULL);
  g_clear_pointer (&forward, g_ptr_array_unref);
  forward = ar_test_ui_focus_chain (window, 30, FALSE);
  g_assert_true (ar_test_ui_chain_visits (forward, ar_test_ui_child (tasks_page (f), AR_TYPE_TASKS_PAGE, "back_button")));
  g_assert_true (ar_test_ui_chain_visits (forward, search));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new", NULL));
  g_assert_cmpstr (visible_page (f), ==, "new-task");
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
  g_test_add ("/ui/tasks/records-and-filters", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_records_and_filters,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/log-view", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_log_view, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/log-view-progress", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_log_view_progress,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/preflight-test", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_preflight_test, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/screenshots", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_screenshots, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/adaptive", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_adaptive, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/lazy-pages", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_lazy_pages, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/names", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_names, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/keyboard", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_keyboard, ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
