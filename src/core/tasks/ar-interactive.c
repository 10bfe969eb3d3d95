/* ar-interactive.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ar-agent.h"
#include "ar-entry-script.h"
#include "ar-interactive.h"
#include "ar-task-delivery.h"
#include "ar-task-desktop.h"
#include "ar-task-runner-private.h"

#define READ_CHUNK 65536
/* terminal.log gets a line at a time, redacted whole; a longer stretch
 * without a line end goes in at this size. */
#define RAW_LINE_MAX (64 * 1024)
/* Output waiting in memory for a terminal that does not read (the user
 * typing into a stopped agent): beyond this, input is dropped. */
#define MAX_PENDING_INPUT (4 * 1024 * 1024)

struct _ArInteractive {
  GObject parent_instance;

  ArTaskRunner *runner;
  ArTaskLog *log;
  int master;
  int slave;
  guint read_id;
  guint write_id;
  GByteArray *pending; /* input the terminal could not take yet */
  guint rows, columns;

  int raw_fd;          /* terminal.log */
  GString *raw_line;   /* its current line, until it ends */
  GString *text_line;  /* task.log: the current line, until \r or \n */
  gboolean pending_cr; /* a "\r" ended the last chunk: \r\n or a lone \r? */

  GTask *run;
  gboolean ended;

  /* Attach mode (ar_interactive_new_attach()): no runner; `attach` to the
   * container an earlier process left running. */
  ArEngine *engine;
  ArTask *task;
  gboolean stop_requested;
  GString *wait_output;       /* copy mode: what `wait` printed */
  ArTaskDesktop *desktop;     /* its desktop, reached again from here */
  GCancellable *desktop_scan; /* `logs`, looking for the desktop's line */
};

G_DEFINE_FINAL_TYPE (ArInteractive, ar_interactive, G_TYPE_OBJECT)

enum {
  SIGNAL_OUTPUT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- the command ---------------------------------------------------------- */

static void
add_all (GPtrArray *out, const char *const *items)
{
  for (guint i = 0; items[i] != NULL; i++)
    g_ptr_array_add (out, g_strdup (items[i]));
}

GStrv
ar_interactive_build_argv (ArEnvironment *env,
                           ArInteractiveCommand command,
                           const char *prompt,
                           GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) args = NULL;
  const char *agent = ar_environment_get_agent_cli (env);
  const char *workdir = ar_environment_get_container_workdir (env);
  gboolean with_prompt;

  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);

  if (prompt == NULL)
    prompt = "";
  with_prompt = *prompt != '\0';
  if (*workdir == '\0')
    workdir = AR_DEFAULT_CONTAINER_WORKDIR;

  if (command == AR_INTERACTIVE_SHELL)
    {
      /* Constant text: nothing of the user's reaches a shell here. */
      const char *const shell[] = {
        "/bin/sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi", NULL
      };

      return g_strdupv ((char **) shell);
    }

  if (g_strcmp0 (agent, "custom") == 0 || !ar_environment_is_valid_agent (agent))
    return ar_agent_build_argv (agent, ar_environment_get_agent_cli_args (env),
                                ar_environment_get_custom_command (env), workdir, prompt, error);

  if ((args = ar_agent_split_args (ar_environment_get_agent_cli_args (env), error)) == NULL)
    return NULL;

  if (g_str_equal (agent, "codex"))
    {
      const char *const head[] = { "codex", "--sandbox", "danger-full-access", NULL };

      add_all (out, head);
    }
  else if (g_str_equal (agent, "claude"))
    {
      const char *const head[] = { "claude", "--permission-mode", "bypassPermissions", "--add-dir", workdir, NULL };

      add_all (out, head);
    }
  else if (g_str_equal (agent, "copilot"))
    {
      const char *const head[] = { "copilot", "--allow-all-tools", "--allow-all-paths", "--add-dir", workdir, NULL };

      add_all (out, head);
    }
  else
    {
      const char *const head[] = { "gemini", "--no-sandbox", "--approval-mode", "yolo",
                                   "--include-directories", workdir, NULL };

      add_all (out, head);
    }
  add_all (out, (const char *const *) args);
  if (with_prompt)
    {
      /* copilot and gemini start their interface with a first message
       * through -i (which takes the next argument whatever it starts
       * with); codex and claude take it as their argument, after "--". */
      gboolean takes_i = g_str_equal (agent, "copilot") || g_str_equal (agent, "gemini");

      g_ptr_array_add (out, g_strdup (takes_i ? "-i" : "--"));
      g_ptr_array_add (out, g_strdup (prompt));
    }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

ArTask *
ar_interactive_new_task (ArEnvironment *env, const char *prompt)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);

  return ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env),
                      prompt != NULL ? prompt : "", AR_TASK_KIND_INTERACTIVE);
}

/* ---- the record of what the terminal showed -------------------------------- */

static void
raw_write (ArInteractive *self, const char *text, gsize len)
{
  while (self->raw_fd >= 0 && len > 0)
    {
      gssize n = write (self->raw_fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          ar_task_log_message (self->log, "task/terminal", AR_LOG_WARN,
                               _ ("Could not write the terminal's record: %s."), g_strerror (errno));
          g_close (self->raw_fd, NULL);
          self->raw_fd = -1;
          return;
        }
      text += n;
      len -= (gsize) n;
    }
}

/* A whole line (or RAW_LINE_MAX of one), redacted before it is stored:
 * escapes kept, so that a secret split by one is not seen (the text log,
 * which strips them, redacts after stripping). */
static void
raw_flush (ArInteractive *self)
{
  g_autofree char *redacted = NULL;

  if (self->raw_line->len == 0)
    return;
  redacted = ar_task_log_redact (self->log, self->raw_line->str);
  raw_write (self, redacted, strlen (redacted));
  g_string_truncate (self->raw_line, 0);
}

static void
raw_add (ArInteractive *self, const char *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      g_string_append_c (self->raw_line, data[i] != '\0' ? data[i] : ' ');
      if (data[i] == '\n' || self->raw_line->len >= RAW_LINE_MAX)
        raw_flush (self);
    }
}

/* task.log: lines end at "\r\n" (a terminal's newline) or "\n"; a lone
 * "\r" is an update of the same line, as for batch output. */
static void reach_desktop (ArInteractive *self);

static void
text_end (ArInteractive *self, ArLogLineEnd end)
{
  /* The entry script's line: the desktop answers now (a batch task's
   * runner reads it in the container's output, which here is ours). */
  if (end == AR_LOG_END_NEWLINE &&
      ar_entry_script_is_terminal_line (self->text_line->str, self->text_line->len, AR_ENTRY_DESKTOP_STARTED_LINE))
    {
      if (self->runner != NULL)
        ar_task_runner_desktop_started (self->runner);
      else
        reach_desktop (self);
    }
  ar_task_log_output_piece (self->log, self->text_line->str, (gssize) self->text_line->len, end);
  g_string_truncate (self->text_line, 0);
}

static void
text_add (ArInteractive *self, const char *data, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (self->pending_cr)
        {
          self->pending_cr = FALSE;
          if (c == '\n')
            {
              text_end (self, AR_LOG_END_NEWLINE);
              continue;
            }
          text_end (self, AR_LOG_END_RETURN);
        }
      if (c == '\r')
        self->pending_cr = TRUE;
      else if (c == '\n')
        text_end (self, AR_LOG_END_NEWLINE);
      else
        {
          g_string_append_c (self->text_line, c != '\0' ? c : ' ');
          if (self->text_line->len >= AR_TASK_LOG_MAX_LINE_BYTES)
            {
              ar_task_log_output_piece (self->log, self->text_line->str, (gssize) self->text_line->len,
                                        AR_LOG_END_NONE);
              g_string_truncate (self->text_line, 0);
            }
        }
    }
}

static void
record_flush (ArInteractive *self)
{
  raw_flush (self);
  if (self->pending_cr)
    {
      self->pending_cr = FALSE;
      text_end (self, AR_LOG_END_NEWLINE);
    }
  else if (self->text_line->len > 0)
    text_end (self, AR_LOG_END_NEWLINE);
}

/* ---- the terminal ---------------------------------------------------------- */

static void
got_output (ArInteractive *self, const char *data, gsize len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);

  raw_add (self, data, len);
  text_add (self, data, len);
  g_signal_emit (self, signals[SIGNAL_OUTPUT], 0, bytes);
}

/* Reads what is there now; FALSE once the terminal is gone (EIO: no
 * slave left) or broken. */
static gboolean
read_available (ArInteractive *self)
{
  char buf[READ_CHUNK];

  while (self->master >= 0)
    {
      gssize n = read (self->master, buf, sizeof buf);

      if (n > 0)
        {
          got_output (self, buf, (gsize) n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return TRUE;
      return FALSE;
    }
  return FALSE;
}

static gboolean
master_readable (int fd, GIOCondition condition, gpointer user_data)
{
  ArInteractive *self = user_data;

  if (read_available (self))
    return G_SOURCE_CONTINUE;
  self->read_id = 0;
  return G_SOURCE_REMOVE;
}

static void
flush_pending (ArInteractive *self)
{
  while (self->master >= 0 && self->pending->len > 0)
    {
      gssize n = write (self->master, self->pending->data, self->pending->len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      if (n <= 0)
        {
          /* The terminal is gone: what was typed has nowhere to go. */
          g_byte_array_set_size (self->pending, 0);
          return;
        }
      g_byte_array_remove_range (self->pending, 0, (guint) n);
    }
}

static gboolean
master_writable (int fd, GIOCondition condition, gpointer user_data)
{
  ArInteractive *self = user_data;

  flush_pending (self);
  if (self->pending->len > 0 && self->master >= 0)
    return G_SOURCE_CONTINUE;
  self->write_id = 0;
  return G_SOURCE_REMOVE;
}

void
ar_interactive_write (ArInteractive *self, const char *data, gsize length)
{
  g_return_if_fail (AR_IS_INTERACTIVE (self));

  if (self->master < 0 || length == 0)
    return;
  if (self->pending->len + length > MAX_PENDING_INPUT)
    return;
  g_byte_array_append (self->pending, (const guint8 *) data, (guint) length);
  flush_pending (self);
  if (self->pending->len > 0 && self->write_id == 0)
    self->write_id = g_unix_fd_add (self->master, G_IO_OUT, master_writable, self);
}

static void
apply_size (ArInteractive *self)
{
  struct winsize size = { 0 };

  if (self->master < 0 || self->rows == 0 || self->columns == 0)
    return;
  size.ws_row = (unsigned short) MIN (self->rows, G_MAXUSHORT);
  size.ws_col = (unsigned short) MIN (self->columns, G_MAXUSHORT);
  /* The kernel tells the terminal's foreground process (the engine's CLI),
   * which passes it on to the container. */
  ioctl (self->master, TIOCSWINSZ, &size);
}

void
ar_interactive_set_size (ArInteractive *self, guint rows, guint columns)
{
  g_return_if_fail (AR_IS_INTERACTIVE (self));

  if (rows > 0)
    self->rows = rows;
  if (columns > 0)
    self->columns = columns;
  apply_size (self);
}

void
ar_interactive_get_size (ArInteractive *self, guint *rows, guint *columns)
{
  g_return_if_fail (AR_IS_INTERACTIVE (self));

  if (rows != NULL)
    *rows = self->rows;
  if (columns != NULL)
    *columns = self->columns;
}

static gboolean
open_terminal (ArInteractive *self, int master_fd, GError **error)
{
  const char *name;
  int flags;

  if (master_fd < 0)
    master_fd = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_fd < 0 || grantpt (master_fd) != 0 || unlockpt (master_fd) != 0 ||
      (name = ptsname (master_fd)) == NULL)
    {
      int saved = errno;

      if (master_fd >= 0)
        g_close (master_fd, NULL);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not open a terminal for the task: %s."), g_strerror (saved));
      return FALSE;
    }
  self->master = master_fd;
  fcntl (self->master, F_SETFD, FD_CLOEXEC);
  flags = fcntl (self->master, F_GETFL);
  fcntl (self->master, F_SETFL, flags | O_NONBLOCK);
  /* Held open until the run ends: the last output is read before the
   * master sees the terminal hang up. */
  self->slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (self->slave < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not open the terminal %s: %s."), name, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static void
close_terminal (ArInteractive *self)
{
  g_clear_handle_id (&self->read_id, g_source_remove);
  g_clear_handle_id (&self->write_id, g_source_remove);
  if (self->slave >= 0)
    g_close (self->slave, NULL);
  self->slave = -1;
  if (self->master >= 0)
    g_close (self->master, NULL);
  self->master = -1;
}

/* ---- running ----------------------------------------------------------------- */

/* The engine's CLI has exited: its last output is in the terminal. */
static void
drain (gpointer runner, gpointer user_data)
{
  ArInteractive *self = user_data;

  read_available (self);
  record_flush (self);
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArInteractive) self = user_data;
  g_autoptr(GTask) run = g_steal_pointer (&self->run);
  ArTaskState state = ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);

  self->ended = TRUE;
  read_available (self);
  record_flush (self);
  close_terminal (self);
  if (self->raw_fd >= 0)
    g_close (self->raw_fd, NULL);
  self->raw_fd = -1;
  g_task_return_int (run, state);
}

#define ATTACH_STOP_TIMEOUT 30

/* The end of an attached container: `docker attach` exits with its
 * status. */
static void attach_end (ArInteractive *self, int status, const GError *error);

typedef struct {
  ArInteractive *self;
  int status;
  GError *error;
} AttachEnd;

static void
attach_collected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AttachEnd *end = user_data;

  ar_task_delivery_collect_finish (result, NULL);
  attach_end (end->self, end->status, end->error);
  g_object_unref (end->self);
  g_clear_error (&end->error);
  g_free (end);
}

/* design.md §4.2, "Copied, not mounted": the result copied out, the
 * container removed, as the process that started the task would have. */
static void
attach_collect (ArInteractive *self, int status, const GError *error)
{
  AttachEnd *end = g_new0 (AttachEnd, 1);
  g_autofree char *task_dir = ar_task_dup_dir (self->task);
  g_autofree char *objects = g_build_filename (task_dir, "git-objects", NULL);
  const char *workspace = ar_task_get_copied_workspace (self->task);

  end->self = g_object_ref (self);
  end->status = status;
  end->error = error != NULL ? g_error_copy (error) : NULL;
  ar_task_delivery_collect_async (self->engine, ar_task_get_container_name (self->task),
                                  ar_task_get_copied_workdir (self->task), *workspace != '\0' ? workspace : NULL,
                                  ar_task_get_id (self->task), objects, TRUE, self->log, attach_collected, end);
}

static void
wait_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  ArInteractive *self = user_data;

  if (stream == AR_ENGINE_STREAM_STDOUT)
    g_string_append (self->wait_output, line);
}

/* Copy mode: `attach` has ended, which a hang-up of its terminal does
 * too while the container runs on; the result is copied out only once the
 * container has ended (`wait`, which also gives its exit status). */
static void
waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArInteractive) self = user_data;
  g_autoptr(GError) error = NULL;
  int status = ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, &error);
  gint64 exit_status = -1;

  g_strstrip (self->wait_output->str);
  if (status != 0 || !g_ascii_string_to_signed (self->wait_output->str, 10, 0, 255, &exit_status, NULL))
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                             _ ("The container ended while nobody was watching: its exit status is unknown."));
      attach_collect (self, -1, error);
      return;
    }
  attach_collect (self, (int) exit_status, NULL);
}

static void
attach_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArInteractive) self = user_data;
  g_autoptr(GError) error = NULL;
  int status = ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, &error);

  self->ended = TRUE;
  read_available (self);
  record_flush (self);
  close_terminal (self);
  if (self->raw_fd >= 0)
    g_close (self->raw_fd, NULL);
  self->raw_fd = -1;

  if (ar_task_get_copied (self->task))
    {
      const char *args[] = { "wait", ar_task_get_container_name (self->task), NULL };

      g_debug ("task %s: attach ended (%d): the container's end is waited for, then its result copied out",
               ar_task_get_id (self->task), status);
      self->wait_output = g_string_new (NULL);
      ar_engine_run_cli_async (self->engine, args, NULL, wait_line, self, 0, NULL, waited, g_object_ref (self));
      return;
    }
  attach_end (self, status, error);
}

static void
attach_end (ArInteractive *self, int status, const GError *error)
{
  g_autoptr(GTask) run = g_steal_pointer (&self->run);
  ArTask *task = self->task;
  ArTaskState state;
  double duration;

  if (self->desktop_scan != NULL)
    g_cancellable_cancel (self->desktop_scan);
  g_clear_pointer (&self->desktop, ar_task_desktop_close);
  ar_task_set_finished_at (task, g_get_real_time ());
  duration = ar_task_get_duration (task);
  if (error == NULL && status >= 0 && status <= 255)
    ar_task_set_exit_status (task, status);
  if (self->stop_requested && status != 0)
    {
      state = AR_TASK_STATE_CANCELLED;
      ar_task_log_message (self->log, "task/end", AR_LOG_INFO, _ ("cancelled after %.1f s"), duration);
    }
  else if (error == NULL && status == 0)
    {
      state = AR_TASK_STATE_DONE;
      ar_task_log_message (self->log, "task/end", AR_LOG_INFO, _ ("done: exit status 0 after %.1f s"), duration);
    }
  else
    {
      state = AR_TASK_STATE_FAILED;
      if (error != NULL)
        {
          ar_task_set_error_message (task, error->message);
          ar_task_log_message (self->log, "task/end", AR_LOG_ERROR, "%s", error->message);
        }
      else
        ar_task_log_message (self->log, "task/end", AR_LOG_ERROR,
                             _ ("failed: exit status %d after %.1f s"), status, duration);
    }
  ar_task_set_state (task, state);
  ar_task_save (task, NULL);
  ar_task_release_ownership (task);
  ar_task_log_close (self->log);
  g_task_return_int (run, state);
}

void
ar_interactive_run_async (ArInteractive *self,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (AR_IS_INTERACTIVE (self));
  g_return_if_fail (self->run == NULL && !self->ended);

  self->run = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->run, ar_interactive_run_async);
  apply_size (self);
  self->read_id = g_unix_fd_add (self->master, G_IO_IN | G_IO_HUP | G_IO_ERR, master_readable, self);
  if (self->runner == NULL)
    {
      const char *args[] = { "attach", ar_task_get_container_name (self->task), NULL };

      ar_engine_run_cli_tty_async (self->engine, args, NULL, self->slave, cancellable,
                                   attach_done, g_object_ref (self));
      return;
    }
  ar_task_runner_run_async (self->runner, cancellable, run_done, g_object_ref (self));
}

ArTaskState
ar_interactive_run_finish (ArInteractive *self, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), AR_TASK_STATE_FAILED);

  return (ArTaskState) g_task_propagate_int (G_TASK (result), NULL);
}

void
ar_interactive_stop (ArInteractive *self)
{
  g_return_if_fail (AR_IS_INTERACTIVE (self));
  if (self->runner != NULL)
    {
      ar_task_runner_stop (self->runner);
      return;
    }
  if (self->stop_requested || self->ended)
    return;
  self->stop_requested = TRUE;
  ar_task_log_message (self->log, "task/stop", AR_LOG_INFO, _ ("stopping the task"));
  {
    const char *args[] = { "stop", "-t", "10", ar_task_get_container_name (self->task), NULL };

    ar_engine_run_cli_async (self->engine, args, NULL, NULL, NULL, ATTACH_STOP_TIMEOUT, NULL, NULL, NULL);
  }
}

gboolean
ar_interactive_get_running (ArInteractive *self)
{
  g_return_val_if_fail (AR_IS_INTERACTIVE (self), FALSE);
  return self->run != NULL && !self->ended;
}

ArTaskRunner *
ar_interactive_get_runner (ArInteractive *self)
{
  g_return_val_if_fail (AR_IS_INTERACTIVE (self), NULL);
  return self->runner;
}

ArTask *
ar_interactive_get_task (ArInteractive *self)
{
  g_return_val_if_fail (AR_IS_INTERACTIVE (self), NULL);
  return self->runner != NULL ? ar_task_runner_get_task (self->runner) : self->task;
}

ArTaskLog *
ar_interactive_get_log (ArInteractive *self)
{
  g_return_val_if_fail (AR_IS_INTERACTIVE (self), NULL);
  return self->log;
}

ArInteractive *
ar_interactive_new_attach (ArEngine *engine,
                           ArTask *task,
                           ArTaskLog *log,
                           int master_fd,
                           GError **error)
{
  g_autoptr(ArInteractive) self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *raw_path = NULL;

  g_return_val_if_fail (AR_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (AR_IS_TASK (task), NULL);
  g_return_val_if_fail (AR_IS_TASK_LOG (log), NULL);

  self = g_object_new (AR_TYPE_INTERACTIVE, NULL);
  if (!open_terminal (self, master_fd, error))
    return NULL;
  self->engine = g_object_ref (engine);
  self->task = g_object_ref (task);
  self->log = g_object_ref (log);
  dir = ar_task_dup_dir (task);
  raw_path = g_build_filename (dir, AR_INTERACTIVE_RAW_LOG_NAME, NULL);
  self->raw_fd = g_open (raw_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  ar_task_log_message (self->log, "task/terminal", AR_LOG_INFO,
                       _ ("interactive: attached again to the container %s (what it showed before is in the log)"),
                       ar_task_get_container_name (task));
  return g_steal_pointer (&self);
}

/* Attach mode: the desktop started; reached once, while the container runs. */
static void
reach_desktop (ArInteractive *self)
{
  if (self->desktop == NULL && !self->ended)
    self->desktop = ar_task_desktop_reach (self->engine, self->task, self->log);
}

static void
scan_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  ArInteractive *self = user_data;

  if (stream == AR_ENGINE_STREAM_STDOUT &&
      ar_entry_script_is_terminal_line (line, strlen (line), AR_ENTRY_DESKTOP_STARTED_LINE))
    reach_desktop (self);
}

static void
scan_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  g_object_unref (user_data); /* the ref the scan held */
}

void
ar_interactive_find_desktop (ArInteractive *self)
{
  const char *args[] = { "logs", NULL, NULL };

  g_return_if_fail (AR_IS_INTERACTIVE (self));
  g_return_if_fail (self->runner == NULL);

  if (self->desktop_scan != NULL || self->ended)
    return;
  args[1] = ar_task_get_container_name (self->task);
  self->desktop_scan = g_cancellable_new ();
  ar_engine_run_cli_async (self->engine, args, NULL, scan_line, self, 0, self->desktop_scan, scan_done,
                           g_object_ref (self));
}

ArInteractive *
ar_interactive_new (ArImageBuilder *builder,
                    ArTask *task,
                    ArEnvironment *environment,
                    const ArSettings *settings,
                    ArInteractiveCommand command,
                    int master_fd,
                    GError **error)
{
  g_autoptr(ArInteractive) self = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *raw_path = NULL;

  g_return_val_if_fail (AR_IS_TASK (task), NULL);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (environment), NULL);

  argv = ar_interactive_build_argv (environment, command, ar_task_get_prompt (task), error);
  if (argv == NULL)
    {
      if (master_fd >= 0)
        g_close (master_fd, NULL);
      return NULL;
    }

  self = g_object_new (AR_TYPE_INTERACTIVE, NULL);
  if (!open_terminal (self, master_fd, error))
    return NULL;

  self->runner = ar_task_runner_new (builder, task, environment, settings);
  self->log = g_object_ref (ar_task_runner_get_log (self->runner));
  ar_task_runner_set_terminal (self->runner, self->slave, (const char *const *) argv, drain, self);

  dir = ar_task_dup_dir (task);
  raw_path = g_build_filename (dir, AR_INTERACTIVE_RAW_LOG_NAME, NULL);
  self->raw_fd = g_open (raw_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (self->raw_fd < 0)
    ar_task_log_message (self->log, "task/terminal", AR_LOG_WARN,
                         _ ("Could not open the terminal's record %s: %s; task.log still has its text."),
                         raw_path, g_strerror (errno));
  if (command == AR_INTERACTIVE_SHELL)
    ar_task_log_message (self->log, "task/terminal", AR_LOG_INFO,
                         _ ("interactive: a shell in the prepared container instead of the agent"));
  else
    ar_task_log_message (self->log, "task/terminal", AR_LOG_INFO,
                         _ ("interactive: %s on a terminal"), argv[0]);
  return g_steal_pointer (&self);
}

static void
ar_interactive_dispose (GObject *object)
{
  ArInteractive *self = AR_INTERACTIVE (object);

  close_terminal (self);
  g_clear_pointer (&self->desktop, ar_task_desktop_close);
  G_OBJECT_CLASS (ar_interactive_parent_class)->dispose (object);
}

static void
ar_interactive_finalize (GObject *object)
{
  ArInteractive *self = AR_INTERACTIVE (object);

  if (self->raw_fd >= 0)
    g_close (self->raw_fd, NULL);
  g_clear_object (&self->runner);
  g_clear_object (&self->log);
  g_clear_object (&self->engine);
  g_clear_object (&self->task);
  g_clear_object (&self->desktop_scan);
  g_byte_array_unref (self->pending);
  g_string_free (self->raw_line, TRUE);
  g_string_free (self->text_line, TRUE);
  if (self->wait_output != NULL)
    g_string_free (self->wait_output, TRUE);
  G_OBJECT_CLASS (ar_interactive_parent_class)->finalize (object);
}

static void
ar_interactive_class_init (ArInteractiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ar_interactive_dispose;
  object_class->finalize = ar_interactive_finalize;

  signals[SIGNAL_OUTPUT] = g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
}

static void
ar_interactive_init (ArInteractive *self)
{
  self->master = -1;
  self->slave = -1;
  self->raw_fd = -1;
  self->pending = g_byte_array_new ();
  self->raw_line = g_string_new (NULL);
  self->text_line = g_string_new (NULL);
}
