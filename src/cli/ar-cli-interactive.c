/* ar-cli-interactive.c — `run ENV --interactive`: the agent's terminal
 * interface on the caller's terminal
 *
 * The container gets a pseudo-terminal of ours (ArInteractive), so that
 * what it shows is also recorded in the task's log; this relays the
 * caller's terminal to it: keys in (the caller's terminal raw once the
 * container runs, so Ctrl+C reaches the agent as on `docker run -it`),
 * output out, and the window size, followed on SIGWINCH. Before the
 * container runs, Ctrl+C stops the task as for `run`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ar-cli-private.h"
#include "ar-image-builder.h"
#include "ar-interactive.h"
#include "ar-task-manager.h"

typedef struct {
  ArInteractive *interactive;
  gboolean done;
  gboolean in_tty; /* stdin is a terminal */
  gboolean raw;    /* and it is in raw mode now */
  struct termios saved;
  guint stdin_id;
} Session;

static void
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      data += n;
      len -= (gsize) n;
    }
}

static void
on_output (ArInteractive *interactive, GBytes *bytes, gpointer user_data)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  write_all (STDOUT_FILENO, data, len);
}

/* The app's own lines (images, cache, the end) on stderr; the container's
 * output came through the terminal already. */
static void
on_line (ArTaskLog *log, const char *line, int level, gpointer user_data)
{
  Session *s = user_data;

  if (level == AR_LOG_OUTPUT)
    return;
  fprintf (stderr, s->raw ? "%s\r\n" : "%s\n", line);
  fflush (stderr);
}

static void
follow_size (Session *s)
{
  struct winsize size = { 0 };

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &size) == 0 || ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0)
    ar_interactive_set_size (s->interactive, size.ws_row, size.ws_col);
}

static gboolean
on_winch (gpointer user_data)
{
  follow_size (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
stdin_readable (int fd, GIOCondition condition, gpointer user_data)
{
  Session *s = user_data;
  char buf[4096];
  gssize n;

  do
    n = read (STDIN_FILENO, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    {
      ar_interactive_write (s->interactive, buf, (gsize) n);
      return G_SOURCE_CONTINUE;
    }
  /* End of input from a pipe or file: the container's terminal gets the
   * end-of-file character, as if typed. */
  if (n == 0 && !s->in_tty)
    ar_interactive_write (s->interactive, "\004", 1);
  s->stdin_id = 0;
  return G_SOURCE_REMOVE;
}

static void
restore_terminal (Session *s)
{
  if (s->raw)
    tcsetattr (STDIN_FILENO, TCSADRAIN, &s->saved);
  s->raw = FALSE;
}

static void
on_state (ArTask *task, GParamSpec *pspec, gpointer user_data)
{
  Session *s = user_data;

  if (ar_task_get_state (task) != AR_TASK_STATE_RUNNING || s->stdin_id != 0 || s->done)
    return;
  if (s->in_tty && tcgetattr (STDIN_FILENO, &s->saved) == 0)
    {
      struct termios raw = s->saved;

      cfmakeraw (&raw);
      if (tcsetattr (STDIN_FILENO, TCSADRAIN, &raw) == 0)
        s->raw = TRUE;
    }
  s->stdin_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_readable, s);
}

static gboolean
on_signal (gpointer user_data)
{
  Session *s = user_data;

  ar_interactive_stop (s->interactive);
  return G_SOURCE_CONTINUE;
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Session *s = user_data;

  ar_interactive_run_finish (AR_INTERACTIVE (source), result);
  s->done = TRUE;
}

int
ar_cli_run_interactive (ArEnvironment *env, const char *prompt, gboolean shell)
{
  g_autoptr(ArSettings) settings = ar_settings_new_from_gsettings ();
  g_autoptr(GError) error = NULL;
  /* The environment's own engine (design.md §8). */
  g_autoptr(ArEngine) engine = ar_task_manager_new_engine (settings, ar_environment_get_engine (env), &error);
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArTask) new_task = ar_interactive_new_task (env, prompt);
  g_autoptr(ArInteractive) interactive = NULL;
  Session s = { 0 };
  ArTask *task;
  guint sigint_id, sigterm_id, winch_id;

  if (engine == NULL)
    return ar_cli_fail_error (error);
  builder = ar_image_builder_new (engine);
  ar_task_set_engine (new_task, ar_engine_name_is_local (ar_environment_get_engine (env))
                                  ? AR_LOCAL_ENGINE_NAME
                                  : ar_environment_get_engine (env));

  interactive = ar_interactive_new (builder, new_task, env, settings,
                                    shell ? AR_INTERACTIVE_SHELL : AR_INTERACTIVE_AGENT, -1, &error);
  if (interactive == NULL)
    return ar_cli_fail_error (error);
  s.interactive = interactive;
  s.in_tty = isatty (STDIN_FILENO);
  task = ar_interactive_get_task (interactive);
  ar_interactive_set_size (interactive, 24, 80);
  follow_size (&s);

  g_signal_connect (interactive, "output", G_CALLBACK (on_output), &s);
  g_signal_connect (ar_task_runner_get_log (ar_interactive_get_runner (interactive)), "line",
                    G_CALLBACK (on_line), &s);
  g_signal_connect (task, "notify::state", G_CALLBACK (on_state), &s);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, &s);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &s);
  winch_id = g_unix_signal_add (SIGWINCH, on_winch, &s);

  ar_interactive_run_async (interactive, NULL, run_done, &s);
  while (!s.done)
    g_main_context_iteration (NULL, TRUE);

  restore_terminal (&s);
  g_clear_handle_id (&s.stdin_id, g_source_remove);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_source_remove (winch_id);
  g_signal_handlers_disconnect_by_data (ar_task_runner_get_log (ar_interactive_get_runner (interactive)), &s);
  g_signal_handlers_disconnect_by_data (task, &s);
  g_signal_handlers_disconnect_by_data (interactive, &s);

  ar_cli_print_task_error (task);
  return ar_cli_task_exit_status (task);
}
