/* test-ui-interactive.c — an interactive task in the embedded terminal, on
 * the real engine: typed input reaches the container and its answer the
 * terminal, the exit status is recorded, the container's terminal follows
 * the widget's size; zoom and search; screenshots light and dark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-interactive.h"
#include "ar-terminal-view.h"
#include "test-ui-utils.h"

#define TASK_SECONDS 60

static char *base_image;
static ArEngine *engine;
static ArImageBuilder *builder;

static gboolean
need_engine (void)
{
  if (!ar_test_engine_ensure ())
    {
      g_autofree char *why = g_strdup_printf ("no container engine can be had here: %s",
                                              ar_test_engine_skip_reason ());

      g_test_skip (why);
      return FALSE;
    }
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
  g_assert_true (shows (&s, first));

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

  status = g_test_run ();
  g_clear_object (&builder);
  g_clear_object (&engine);
  g_free (base_image);
  return status;
}
