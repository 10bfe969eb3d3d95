/* test-ui-tasks-records.c — the Tasks page: records of an earlier run, the filters, the log view
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

/* Whether the last line of @view is in sight, all of it. */
static gboolean
last_line_in_sight (ArLogView *view)
{
  GtkTextView *text_view = ar_log_view_get_text_view (view);
  GtkTextIter end;
  GdkRectangle visible;
  int y = 0, height = 0;

  gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (text_view), &end);
  gtk_text_view_get_line_yrange (text_view, &end, &y, &height);
  gtk_text_view_get_visible_rect (text_view, &visible);
  return height > 0 && y >= visible.y && y + height <= visible.y + visible.height + 1;
}

/* Following holds when the window changes width: the lines wrap again,
 * the text grows or shrinks, and the end stays in sight (in a 360 px
 * screenshot of field-desktop, the log showed the middle of the build's
 * output after the window was made narrow). */
static void
test_log_view_resize (Fixture *f, gconstpointer data)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  ArLogView *view = AR_LOG_VIEW (ar_log_view_new ());
  const int widths[] = { 360, 1280, 600, 360 };

  gtk_window_set_child (window, GTK_WIDGET (view));
  ar_test_ui_set_size (window, 1280, 700);
  for (guint i = 0; i < 800; i++)
    {
      g_autofree char *line = g_strdup_printf ("Get:%u http://deb.debian.org/debian bookworm/main amd64 "
                                               "libsomething%u amd64 1.2.3-4+deb12u1 [%u kB] and a long "
                                               "description that wraps on a narrow window",
                                               i, i, i * 7 % 900);

      ar_log_view_push_line (view, line, AR_LOG_OUTPUT);
    }
  ar_test_ui_await_for (log_contains (view, "Get:799 "), 5);
  ar_test_ui_await_for (last_line_in_sight (view), 5);
  /* the log is quiet: nothing but the resize moves it now */
  ar_test_ui_iterate (300);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_test_message ("at %d px", widths[i]);
      ar_test_ui_set_size (window, widths[i], 700);
      ar_test_ui_await_for (last_line_in_sight (view), 5);
      g_assert_true (ar_log_view_get_follow (view));
    }
  ar_test_ui_screenshot (GTK_WIDGET (window), "log-view-resized-360");

  /* Paging up or taking the scroll bar is reading: following stops, as
   * for the wheel, so that nothing pulls the view back to the end. */
  gtk_widget_grab_focus (GTK_WIDGET (ar_log_view_get_text_view (view)));
  ar_test_ui_press_shortcut (window, GDK_KEY_Page_Up, 0);
  g_assert_false (ar_log_view_get_follow (view));
  ar_log_view_set_follow (view, TRUE);
  {
    GtkWidget *scrollbar = gtk_scrolled_window_get_vscrollbar (
      GTK_SCROLLED_WINDOW (gtk_widget_get_parent (GTK_WIDGET (ar_log_view_get_text_view (view)))));
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scrollbar);
    gboolean pressed = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers) && !pressed; i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_GESTURE_CLICK (controller) &&
            gtk_event_controller_get_propagation_phase (controller) == GTK_PHASE_CAPTURE)
          {
            g_signal_emit_by_name (controller, "pressed", 1, 4.0, 40.0);
            pressed = TRUE;
          }
      }
    g_assert_true (pressed);
  }
  g_assert_false (ar_log_view_get_follow (view));

  /* Not following: a resize does not pull the view to the end. */
  gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (ar_log_view_get_text_view (view))), 0);
  ar_test_ui_set_size (window, 1280, 700);
  ar_test_ui_iterate (300);
  g_assert_false (last_line_in_sight (view));
  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();
  /* Every container and image of this run carries the run's label: the
   * fixture removes them when the process ends. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add ("/ui/tasks/records-and-filters", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_records_and_filters,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/log-view", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_log_view, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/log-view-progress", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_log_view_progress,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/log-view-resize", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_log_view_resize,
              ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
