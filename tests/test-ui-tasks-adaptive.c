/* test-ui-tasks-adaptive.c — the Tasks page at every width, built when shown, its names and keyboard (issue 12)
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
  ArTask *shown;

  /* Two more records on disk, for the list only. */
  g_object_unref (write_record (alpha, "Second alpha task", AR_TASK_STATE_DONE, 0, "alpha two\n"));
  g_object_unref (write_record (beta, "Beta task", AR_TASK_STATE_CANCELLED, -1, "beta one\n"));

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

/* Tab reaches @shown (and Stop) from the window's start, and never @hidden;
 * @shown opens the desktop. */
static void
assert_desktop_reached (GtkWindow *window, GtkWidget *shown, GtkWidget *hidden, GtkWidget *stop, const char *where)
{
  g_autoptr(GPtrArray) forward = NULL;
  g_autoptr(GPtrArray) backward = NULL;

  gtk_window_set_focus (window, NULL);
  forward = ar_test_ui_focus_chain (window, 60, FALSE);
  for (guint i = 0; i < forward->len; i++)
    {
      GtkWidget *w = g_ptr_array_index (forward, i);
      g_autofree char *what = w != NULL ? ar_test_ui_describe (w) : g_strdup ("(none)");

      g_test_message ("%s, Tab %u: %s", where, i + 1, what);
    }
  g_assert_true (ar_test_ui_chain_visits (forward, shown));
  g_assert_true (ar_test_ui_chain_visits (forward, stop));
  g_assert_false (ar_test_ui_chain_visits (forward, hidden));
  gtk_window_set_focus (window, NULL);
  backward = ar_test_ui_focus_chain (window, 60, TRUE);
  g_assert_true (ar_test_ui_chain_visits (backward, shown));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (shown)), ==, "task.open-desktop");
}

/* A running task with a desktop (Stop and Open Desktop in its header) fits
 * a phone's width: Open Desktop as an icon there, with its label where it
 * fits; both open the desktop, both are reached with Tab, and both are
 * named for a screen reader. */
static void
test_running_desktop (Fixture *f, gconstpointer data)
{
  GtkWindow *window;
  ArTask *shown = open_with_records (f);
  GtkWidget *labelled = ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "desktop_button");
  GtkWidget *icon = ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "desktop_icon_button");
  GtkWidget *stop = ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "stop_button");

  window = GTK_WINDOW (f->window);
  ar_task_set_exit_status (shown, -1);
  ar_task_set_state (shown, AR_TASK_STATE_RUNNING);
  ar_task_set_desktop_url (shown, "http://127.0.0.1:32768/vnc.html");

  ar_test_ui_set_size (window, 1280, 800);
  ar_test_ui_await (gtk_widget_get_mapped (labelled) && gtk_widget_get_mapped (stop));
  g_assert_false (gtk_widget_get_mapped (icon));
  assert_desktop_reached (window, labelled, icon, stop, "1280 px");
  ar_test_ui_screenshot_at (window, 1280, 800, "tasks-running-desktop");

  g_test_message ("window minimum width with Stop and Open Desktop: %d", ar_test_ui_min_width (window));
  ar_test_ui_set_size (window, 360, 640); /* checks the window can be that narrow */
  ar_test_ui_await (gtk_widget_get_mapped (icon));
  g_assert_false (gtk_widget_get_mapped (labelled));
  g_assert_true (gtk_widget_get_mapped (stop));
  g_assert_true (gtk_widget_is_sensitive (icon));
  assert_nothing_cut (GTK_WIDGET (window), "a running task with a desktop at 360 px");
  assert_all_named (GTK_WIDGET (window), "a running task with a desktop at 360 px");
  assert_desktop_reached (window, icon, labelled, stop, "360 px");
  ar_test_ui_screenshot_at (window, 360, 640, "tasks-running-desktop");

  /* Ended: neither any more. */
  ar_task_set_state (shown, AR_TASK_STATE_DONE);
  ar_test_ui_await (!gtk_widget_get_mapped (icon) && !gtk_widget_get_mapped (stop));
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

  g_test_add ("/ui/tasks/adaptive", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_adaptive, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/running-desktop", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_running_desktop, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/lazy-pages", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_lazy_pages, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/names", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_names, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/tasks/keyboard", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_keyboard, ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
