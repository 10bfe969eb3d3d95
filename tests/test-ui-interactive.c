/* test-ui-interactive.c — an interactive task in the embedded terminal, on
 * the real engine: typed input reaches the container and its answer the
 * terminal, the exit status is recorded, the container's terminal follows
 * the widget's size; zoom and search; screenshots light and dark. In the
 * window: Run Interactive from New task, the task in Tasks with its
 * terminal, reattached after another task was shown, the queue's limit,
 * and the question on closing with interactive tasks running.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-backend.h"
#include "ar-interactive.h"
#include "ar-new-task-page.h"
#include "ar-task-view.h"
#include "ar-tasks-page.h"
#include "ar-terminal-view.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

#define TASK_SECONDS 60

static char *base_image;
static ArEngine *engine;
static ArImageBuilder *builder;

static gboolean
need_engine (void)
{
  if (!ar_test_engine_need ())
    return FALSE;
  if (builder == NULL)
    {
      base_image = ar_test_engine_base_image ();
      engine = ar_engine_new ("docker", "");
      builder = ar_image_builder_new (engine);
    }
  return TRUE;
}

typedef struct {
  GtkWindow *window;
  ArTerminalView *view;
  ArInteractive *interactive;
  ArTask *task;
  gboolean done;
  ArTaskState state;
} Session;

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;

  s->state = ar_interactive_run_finish (AR_INTERACTIVE (source), result);
  s->done = TRUE;
}

/* A window with the terminal, and a task of a custom command in it. */
static void
start (Session *s, const char *const *command, int width, int height)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(ArSettings) settings = ar_settings_new_default ();
  g_autoptr(GError) error = NULL;
  int fd;

  ar_environment_set_name (env, "Interactive");
  ar_environment_set_base_image (env, base_image);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, command);
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");

  s->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (s->window, width, height);
  s->view = AR_TERMINAL_VIEW (ar_terminal_view_new ());
  gtk_window_set_child (s->window, GTK_WIDGET (s->view));
  gtk_window_present (s->window);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (s->view)) &&
                    vte_terminal_get_row_count (ar_terminal_view_get_terminal (s->view)) > 0);

  fd = ar_terminal_view_open_pty (&error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  s->task = ar_interactive_new_task (env, NULL);
  s->interactive = ar_interactive_new (builder, s->task, env, settings, AR_INTERACTIVE_AGENT, fd, &error);
  g_assert_no_error (error);
  ar_terminal_view_set_interactive (s->view, s->interactive);
  ar_interactive_run_async (s->interactive, NULL, run_done, s);
  gtk_widget_grab_focus (GTK_WIDGET (ar_terminal_view_get_terminal (s->view)));
}

static gboolean
shows (Session *s, const char *text)
{
  g_autofree char *all = ar_terminal_view_dup_text (s->view);

  return all != NULL && strstr (all, text) != NULL;
}

/* Waits for @text on the terminal; says what it shows when it times out. */
static void
await_shows (Session *s, const char *text)
{
  gint64 end = g_get_monotonic_time () + TASK_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (20, ar_test_ui_tick, NULL);

  while (!shows (s, text))
    {
      if (g_get_monotonic_time () > end)
        {
          g_autofree char *all = ar_terminal_view_dup_text (s->view);

          g_error ("timed out waiting for “%s” on the terminal, which shows:\n%s", text, all);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static void
finish (Session *s)
{
  ar_test_ui_await_for (s->done, TASK_SECONDS);
  ar_terminal_view_set_interactive (s->view, NULL);
  g_clear_object (&s->interactive);
  g_clear_object (&s->task);
  gtk_window_destroy (s->window);
}

/* Typed into the terminal (its own input path: VteTerminal::commit), the
 * line reaches the container, whose answer the terminal shows. */
static void
test_typed_line (void)
{
  const char *command[] = { "sh", "-c", "echo ready; read x; echo got:$x; exit 0", NULL };
  AdwStyleManager *style = adw_style_manager_get_default ();
  Session s = { 0 };

  if (!need_engine ())
    return;
  start (&s, command, 720, 420);
  await_shows (&s, "ready");
  g_assert_cmpint (ar_task_get_state (s.task), ==, AR_TASK_STATE_RUNNING);

  /* the running task, in both styles */
  vte_terminal_feed_child (ar_terminal_view_get_terminal (s.view), "typing...", -1);
  ar_test_ui_await (shows (&s, "typing..."));
  ar_test_ui_screenshot (GTK_WIDGET (s.window), "interactive-light");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  ar_test_ui_screenshot (GTK_WIDGET (s.window), "interactive-dark");
  {
    /* the background follows the style */
    GdkRGBA bg;

    vte_terminal_get_color_background_for_draw (ar_terminal_view_get_terminal (s.view), &bg);
    g_assert_cmpfloat (bg.red, <, 0.2);
  }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  {
    GdkRGBA bg;

    vte_terminal_get_color_background_for_draw (ar_terminal_view_get_terminal (s.view), &bg);
    g_assert_cmpfloat (bg.red, >, 0.8);
  }

  /* erase what was typed for the screenshots, then the line and Enter */
  for (guint i = 0; i < g_utf8_strlen ("typing...", -1); i++)
    vte_terminal_feed_child (ar_terminal_view_get_terminal (s.view), "\177", 1);
  vte_terminal_feed_child (ar_terminal_view_get_terminal (s.view), "hello terminal\r", -1);
  ar_test_ui_await_for (s.done, TASK_SECONDS);
  g_assert_true (shows (&s, "got:hello terminal"));
  g_assert_cmpint (s.state, ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_exit_status (s.task), ==, 0);

  /* search and zoom */
  ar_terminal_view_set_search_text (s.view, "GOT:");
  g_assert_true (ar_terminal_view_search_previous (s.view));
  ar_terminal_view_set_search_text (s.view, "not in the terminal");
  g_assert_false (ar_terminal_view_search_previous (s.view));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (s.view), "terminal.zoom", "i", 1));
  g_assert_cmpfloat_with_epsilon (vte_terminal_get_font_scale (ar_terminal_view_get_terminal (s.view)), 1.1, 1e-6);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (s.view), "terminal.zoom", "i", 0));
  g_assert_cmpfloat_with_epsilon (vte_terminal_get_font_scale (ar_terminal_view_get_terminal (s.view)), 1.0, 1e-6);
  finish (&s);
}

/* A failing command: its status is the task's. */
static void
test_exit_status (void)
{
  const char *command[] = { "sh", "-c", "echo failing; exit 7", NULL };
  Session s = { 0 };

  if (!need_engine ())
    return;
  start (&s, command, 600, 300);
  ar_test_ui_await_for (s.done, TASK_SECONDS);
  g_assert_true (shows (&s, "failing"));
  g_assert_cmpint (s.state, ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (s.task), ==, 7);
  finish (&s);
}

static gboolean
type_return (gpointer user_data)
{
  Session *s = user_data;

  if (!s->done)
    vte_terminal_feed_child (ar_terminal_view_get_terminal (s->view), "\r", 1);
  return G_SOURCE_CONTINUE;
}

/* `stty size` in the container says the terminal's rows and columns, and
 * again after the widget got smaller. */
static void
test_resize (void)
{
  const char *command[] = {
    "sh", "-c",
    "echo size:$(stty size):; while read x; do [ \"$x\" = q ] && exit 0; echo size:$(stty size):; done",
    NULL
  };
  Session s = { 0 };
  VteTerminal *terminal;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  glong rows, columns;
  guint typing;

  if (!need_engine ())
    return;
  start (&s, command, 800, 500);
  terminal = ar_terminal_view_get_terminal (s.view);
  await_shows (&s, "size:");
  /* what the container says is the grid the widget shows */
  rows = vte_terminal_get_row_count (terminal);
  columns = vte_terminal_get_column_count (terminal);
  first = g_strdup_printf ("size:%ld %ld:", rows, columns);
  g_assert_cmpint (rows, >, 24);
  g_assert_cmpint (columns, >, 80);
  /* The window may still settle after the container started: ask until
   * it says the grid shown now (a terminal left at its start size, or at
   * 24x80, never would). */
  typing = g_timeout_add (300, type_return, &s);
  await_shows (&s, first);
  g_source_remove (typing);

  /* smaller: the widget's size is now what it asks for */
  gtk_widget_set_halign (GTK_WIDGET (s.view), GTK_ALIGN_START);
  gtk_widget_set_valign (GTK_WIDGET (s.view), GTK_ALIGN_START);
  gtk_widget_set_size_request (GTK_WIDGET (s.view), 400, 200);
  ar_test_ui_await (vte_terminal_get_column_count (terminal) < columns &&
                    vte_terminal_get_row_count (terminal) < rows);
  ar_test_ui_iterate (100);
  rows = vte_terminal_get_row_count (terminal);
  columns = vte_terminal_get_column_count (terminal);
  second = g_strdup_printf ("size:%ld %ld:", rows, columns);
  g_test_message ("before: %s, after: %s", first, second);
  /* the engine's CLI passes a resize on beside the input: ask until the
   * container says it */
  typing = g_timeout_add (300, type_return, &s);
  await_shows (&s, second);
  g_source_remove (typing);
  vte_terminal_feed_child (terminal, "q\r", -1);
  ar_test_ui_await_for (s.done, TASK_SECONDS);
  g_assert_cmpint (s.state, ==, AR_TASK_STATE_DONE);
  finish (&s);
}

/* ---- in the window ------------------------------------------------------------ */

typedef ArTestUiWindowFixture Fixture;

static ArEnvironment *
add_env (Fixture *f, const char *name, const char *const *command)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (env, name);
  ar_environment_set_base_image (env, base_image);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, command);
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  return env;
}

static ArTaskView *
task_view (Fixture *f)
{
  return ar_tasks_page_get_task_view (ar_window_get_tasks_page (f->window));
}

static gboolean
terminal_shows (ArTerminalView *view, const char *text)
{
  g_autofree char *all = view != NULL ? ar_terminal_view_dup_text (view) : NULL;

  return all != NULL && strstr (all, text) != NULL;
}

static gboolean
in_list (Fixture *f, ArTask *task)
{
  GListModel *model = ar_tasks_page_get_model (ar_window_get_tasks_page (f->window));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArTask) item = g_list_model_get_item (model, i);

      if (item == task)
        return TRUE;
    }
  return FALSE;
}

/* Run Interactive on the New task page, as its button does (@action), or
 * by its key, Ctrl+Shift+Enter in the prompt (@action NULL). */
static ArTask *
run_interactive (Fixture *f, ArEnvironment *env, const char *action)
{
  ArNewTaskPage *page = ar_window_get_new_task_page (f->window);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  ar_new_task_page_select_environment (page, ar_environment_get_env_id (env));
  ar_test_ui_iterate (20);
  g_assert_null (ar_new_task_page_get_interactive_blocker (page));
  if (action != NULL)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  else
    {
      gtk_widget_grab_focus (ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, "prompt_view"));
      g_assert_true (ar_test_ui_press_shortcut (GTK_WINDOW (f->window), GDK_KEY_Return,
                                                GDK_CONTROL_MASK | GDK_SHIFT_MASK));
    }
  return ar_tasks_page_get_selected_task (ar_window_get_tasks_page (f->window));
}

/* From New task to Tasks: the terminal in the task's view, a line typed
 * into it answered by the container, the exit status recorded; another
 * task shown meanwhile, and back: the same terminal, with what it showed. */
static void
test_window (Fixture *f, gconstpointer data)
{
  const char *const command[] = { "sh", "-c", "echo ready; read x; echo got:$x", NULL };
  const char *const other_command[] = { "sh", "-c", "echo other task", NULL };
  AdwStyleManager *style = adw_style_manager_get_default ();
  ArEnvironment *env, *other_env;
  ArTasksPage *tasks_page;
  ArTaskManager *manager;
  ArTerminalView *terminal;
  ArTask *other, *task;

  if (!need_engine ())
    return;
  env = add_env (f, "Interactive", command);
  other_env = add_env (f, "Batch", other_command);
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 720);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)) && ar_backend_get_tasks_loaded (f->backend));
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  tasks_page = ar_window_get_tasks_page (f->window);
  manager = ar_backend_get_task_manager (f->backend);

  /* a batch task first, to go to and back from */
  other = run_interactive (f, other_env, "new-task.run");
  g_assert_nonnull (other);
  g_assert_cmpint (ar_task_get_kind (other), ==, AR_TASK_KIND_TASK);
  g_assert_null (ar_task_view_get_terminal_view (task_view (f)));
  ar_test_ui_await_for (ar_task_state_is_finished (ar_task_get_state (other)), TASK_SECONDS);

  task = run_interactive (f, env, "new-task.run-interactive");
  g_assert_nonnull (task);
  g_assert_true (task != other);
  g_assert_cmpint (ar_task_get_kind (task), ==, AR_TASK_KIND_INTERACTIVE);
  g_assert_true (in_list (f, task));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ar_window_get_stack (f->window)), ==, "tasks");
  g_assert_true (ar_task_view_get_task (task_view (f)) == task);
  terminal = ar_task_view_get_terminal_view (task_view (f));
  g_assert_nonnull (terminal);
  g_assert_true (ar_terminal_view_get_interactive (terminal) == ar_task_manager_get_interactive (manager, task));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (terminal)));
  /* what is typed goes to the task */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (ar_terminal_view_get_terminal (terminal))));
  ar_test_ui_await_for (terminal_shows (terminal, "ready"), TASK_SECONDS);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);

  ar_test_ui_screenshot (GTK_WIDGET (f->window), "interactive-window-light");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "interactive-window-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  /* phone-sized: the terminal still there, nothing sticks out */
  ar_test_ui_screenshot_at (GTK_WINDOW (f->window), 360, 640, "interactive-window");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (terminal)));
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (terminal)), >=, 120);
  {
    g_auto(GStrv) cut = ar_test_ui_cut_off_widgets (GTK_WIDGET (f->window));

    g_assert_cmpstr (cut[0], ==, NULL);
  }
  ar_test_ui_set_size (GTK_WINDOW (f->window), 1100, 720);

  /* another task shown: no terminal; back: the same one, still showing
   * what it showed */
  ar_tasks_page_select_task (tasks_page, other);
  ar_test_ui_await (ar_task_view_get_task (task_view (f)) == other);
  g_assert_null (ar_task_view_get_terminal_view (task_view (f)));
  ar_tasks_page_select_task (tasks_page, task);
  ar_test_ui_await (ar_task_view_get_task (task_view (f)) == task);
  g_assert_true (ar_task_view_get_terminal_view (task_view (f)) == terminal);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (terminal)));
  g_assert_true (terminal_shows (terminal, "ready"));

  vte_terminal_feed_child (ar_terminal_view_get_terminal (terminal), "hello window\r", -1);
  ar_test_ui_await_for (ar_task_state_is_finished (ar_task_get_state (task)), TASK_SECONDS);
  ar_test_ui_await (terminal_shows (terminal, "got:hello window"));
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 0);
  g_assert_null (ar_task_manager_get_interactive (manager, task));
  ar_test_ui_await (g_strcmp0 (gtk_label_get_label (ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "exit_label")),
                               "Exit status 0") == 0);
  /* the ended task keeps its terminal while shown, and its log has the line */
  g_assert_true (ar_task_view_get_terminal_view (task_view (f)) == terminal);
  {
    g_autofree char *log = ar_log_view_dup_text (ar_task_view_get_log_view (task_view (f)));

    g_assert_nonnull (strstr (log, "got:hello window"));
  }
}

/* An environment allowing one task at a time queues the second interactive
 * task; closing the window with both asks, Cancel keeps them, Close stops
 * them. */
static void
test_queue_and_close (Fixture *f, gconstpointer data)
{
  const char *const command[] = { "sh", "-c", "echo ready; read x; echo got:$x", NULL };
  ArEnvironment *env;
  ArTaskManager *manager;
  g_autoptr(ArTask) first = NULL;
  g_autoptr(ArTask) second = NULL;
  AdwMessageDialog *dialog;

  if (!need_engine ())
    return;
  env = add_env (f, "One at a time", command);
  ar_environment_set_max_agents_running (env, 1);
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 700);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)) && ar_backend_get_tasks_loaded (f->backend));
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  manager = ar_backend_get_task_manager (f->backend);

  first = g_object_ref (run_interactive (f, env, "new-task.run-interactive"));
  ar_test_ui_await_for (terminal_shows (ar_task_view_get_terminal_view (task_view (f)), "ready"), TASK_SECONDS);
  second = g_object_ref (run_interactive (f, env, NULL));
  g_assert_true (first != second);
  ar_test_ui_iterate (200);
  g_assert_cmpint (ar_task_get_state (second), ==, AR_TASK_STATE_QUEUED);
  g_assert_cmpint (ar_task_get_state (first), ==, AR_TASK_STATE_RUNNING);
  g_assert_cmpuint (ar_task_manager_get_n_interactive (manager), ==, 2);
  /* queued, it has its terminal already */
  g_assert_nonnull (ar_task_view_get_terminal_view (task_view (f)));

  gtk_window_close (GTK_WINDOW (f->window));
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Closing stops 2 interactive tasks"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "close"), ==, ADW_RESPONSE_DESTRUCTIVE);
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "close-with-interactive-dialog");
  ar_test_ui_respond (dialog, "cancel");
  ar_test_ui_iterate (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  g_assert_cmpint (ar_task_get_state (first), ==, AR_TASK_STATE_RUNNING);

  gtk_window_close (GTK_WINDOW (f->window));
  dialog = ar_test_ui_await_message_dialog ();
  ar_test_ui_respond (dialog, "close");
  f->window = NULL;
  ar_test_ui_await_for (ar_task_state_is_finished (ar_task_get_state (first)) &&
                        ar_task_state_is_finished (ar_task_get_state (second)), 60);
  g_assert_cmpint (ar_task_get_state (first), ==, AR_TASK_STATE_CANCELLED);
  g_assert_cmpint (ar_task_get_state (second), ==, AR_TASK_STATE_CANCELLED);
  g_assert_cmpuint (ar_task_manager_get_n_interactive (manager), ==, 0);
  g_assert_cmpuint (ar_task_manager_get_n_active (manager), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  ar_test_ui_init ();
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/ui-interactive/typed-line", test_typed_line);
  g_test_add_func ("/ui-interactive/exit-status", test_exit_status);
  g_test_add_func ("/ui-interactive/resize", test_resize);
  g_test_add ("/ui-interactive/window", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_window,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui-interactive/queue-and-close", Fixture, NULL, ar_test_ui_window_fixture_set_up,
              test_queue_and_close, ar_test_ui_window_fixture_tear_down);

  status = g_test_run ();
  g_clear_object (&builder);
  g_clear_object (&engine);
  g_free (base_image);
  return status;
}
