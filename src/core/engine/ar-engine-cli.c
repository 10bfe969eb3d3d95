/* ar-engine-cli.c — running the engine's CLI: the process, its output as
 * lines or pieces, timeouts, cancelling and the container a stopped `run`
 * leaves (its command line is ar-engine-cli-argv.c, queries
 * ar-engine-cli-query.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ar-engine-private.h"
#include "ar-json.h"
#include "ar-task-log.h"

#define GRACE_SECONDS 5    /* SIGTERM → SIGKILL */
#define DRAIN_MS 2000      /* after exit, for output held open by a grandchild */
#define DRAIN_MAX_MS 60000 /* … however long it keeps writing */
#define STDERR_TAIL_LINES 10

/* ---- the runner ----------------------------------------------------------- */

typedef enum {
  STOP_NONE,
  STOP_TIMEOUT,
  STOP_CANCELLED,
} StopReason;

/* A line as a line callback gets it: the start of a long one, and what
 * it ended with. */
typedef struct {
  GString *text;
  guint64 n_cut;
  char *progress; /* the last "\r" update, passed on only if nothing replaces it */
  gboolean open;  /* a piece went out and its line has not ended */
} LineState;

typedef struct {
  GSubprocess *proc;
  ArEngineLineFunc on_line;
  ArEnginePieceFunc on_piece;
  gpointer line_data;
  LineState lines[2];
  char *what;
  guint timeout_seconds;

  GCancellable *io_cancellable; /* ours: output is read to the end even when cancelled */
  GSource *timeout_source;
  GSource *cancel_source;
  GSource *grace_source;
  GSource *drain_source;
  gint64 drain_started;

  guint open_streams;
  gboolean exited;
  gboolean completed;
  int exit_status;
  StopReason stop_reason;

  /* the container of a `run`, removed when we stop it */
  char *cid_dir;
  char *cidfile;
  gboolean container_removal_started;
  guint pending_cleanups;

  GQueue stderr_tail;
} RunData;

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
run_data_free (RunData *data)
{
  destroy_source (&data->timeout_source);
  destroy_source (&data->cancel_source);
  destroy_source (&data->grace_source);
  destroy_source (&data->drain_source);
  g_clear_object (&data->proc);
  g_clear_object (&data->io_cancellable);
  g_free (data->what);
  if (data->cidfile != NULL)
    g_unlink (data->cidfile);
  if (data->cid_dir != NULL)
    g_rmdir (data->cid_dir);
  g_free (data->cidfile);
  g_free (data->cid_dir);
  g_queue_clear_full (&data->stderr_tail, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (data->lines); i++)
    {
      g_string_free (data->lines[i].text, TRUE);
      g_free (data->lines[i].progress);
    }
  g_free (data);
}

static void
maybe_complete (GTask *task)
{
  RunData *data = g_task_get_task_data (task);

  if (data->completed || !data->exited || data->open_streams > 0 || data->pending_cleanups > 0)
    return;
  data->completed = TRUE;

  destroy_source (&data->timeout_source);
  destroy_source (&data->cancel_source);
  destroy_source (&data->grace_source);
  destroy_source (&data->drain_source);

  switch (data->stop_reason)
    {
    case STOP_TIMEOUT:
      g_task_return_new_error (task, AR_ENGINE_ERROR, AR_ENGINE_ERROR_TIMEOUT,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "“%s” did not finish within %u second and was stopped.",
                                            "“%s” did not finish within %u seconds and was stopped.",
                                            data->timeout_seconds),
                               data->what, data->timeout_seconds);
      break;
    case STOP_CANCELLED:
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _ ("“%s” was cancelled."), data->what);
      break;
    case STOP_NONE:
    default:
      g_task_return_int (task, data->exit_status);
      break;
    }
}

static void
cleanup_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  data->pending_cleanups--;
  maybe_complete (task);
}

/* docker-run's client does not take its container down with it: remove it
 * so that a timeout or a cancel leaves nothing running. */
static void
remove_container (GTask *task)
{
  ArEngine *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *cid = NULL;

  if (data->container_removal_started || data->cidfile == NULL ||
      !g_file_get_contents (data->cidfile, &cid, NULL, NULL))
    return;
  g_strstrip (cid);
  if (*cid == '\0')
    return;
  data->container_removal_started = TRUE;

  g_ptr_array_add (args, (char *) "rm");
  g_ptr_array_add (args, (char *) "-f");
  /* podman rm -f waits for the stop timeout first */
  if (self->kind == AR_ENGINE_KIND_PODMAN)
    {
      g_ptr_array_add (args, (char *) "-t");
      g_ptr_array_add (args, (char *) "0");
    }
  g_ptr_array_add (args, (char *) "--");
  g_ptr_array_add (args, cid);
  g_ptr_array_add (args, NULL);

  argv = ar_engine_cli_build_argv (self, (const char *const *) args->pdata, FALSE);
  launcher = ar_engine_cli_new_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, NULL);
  if (proc == NULL)
    return;
  data->pending_cleanups++;
  g_subprocess_wait_async (proc, NULL, cleanup_done, g_object_ref (task));
}

/* Signals the processes whose parent is `pid`; returns how many. */
static guint
signal_children (const char *pid, int sig)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  int parent = atoi (pid);
  const char *name;
  guint signalled = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *comm_end;
      int ppid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …", where comm may hold ") " itself */
      comm_end = strrchr (stat, ')');
      if (comm_end == NULL || sscanf (comm_end + 1, " %*c %d", &ppid) != 1 || ppid != parent)
        continue;
      if (kill (atoi (name), sig) == 0)
        signalled++;
    }
  return signalled;
}

static gboolean
grace_expired (gpointer user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->grace_source, g_source_unref);
  if (!data->exited)
    g_subprocess_force_exit (data->proc);
  return G_SOURCE_REMOVE;
}

static void
stop_process (GTask *task, StopReason reason)
{
  ArEngine *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  const char *pid;

  if (data->exited || data->stop_reason != STOP_NONE)
    return;
  data->stop_reason = reason;

  /* podman stopped in a build leaves the RUN step running and its
   * container in storage (podman#14523). Stopping the step's runtime, a
   * child of the CLI, fails the build instead, and podman removes what it
   * made; the grace period ends it if it does not. (Docker's daemon cleans
   * up a build whose client went away.) */
  pid = g_subprocess_get_identifier (data->proc);
  if (self->kind != AR_ENGINE_KIND_PODMAN || pid == NULL || signal_children (pid, SIGTERM) == 0)
    g_subprocess_send_signal (data->proc, SIGTERM);
  data->grace_source = g_timeout_source_new_seconds (GRACE_SECONDS);
  g_task_attach_source (task, data->grace_source, grace_expired);
  remove_container (task);
}

static gboolean
timeout_expired (gpointer user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->timeout_source, g_source_unref);
  stop_process (task, STOP_TIMEOUT);
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->cancel_source, g_source_unref);
  stop_process (task, STOP_CANCELLED);
  return G_SOURCE_REMOVE;
}

/* Whether output waits in a pipe the readers have not got to. */
static gboolean
output_waiting (RunData *data)
{
  GInputStream *pipes[] = { g_subprocess_get_stdout_pipe (data->proc), g_subprocess_get_stderr_pipe (data->proc) };

  for (guint i = 0; i < G_N_ELEMENTS (pipes); i++)
    if (G_IS_POLLABLE_INPUT_STREAM (pipes[i]) && !g_input_stream_is_closed (pipes[i]) &&
        g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (pipes[i])))
      return TRUE;
  return FALSE;
}

/* The process has ended and its output is still open: a grandchild holds
 * it. The readers stop, but not while output waits in a pipe: readers kept
 * from running (they run below the default priority) would lose it. */
static gboolean
drain_expired (gpointer user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);

  if (output_waiting (data) && g_get_monotonic_time () - data->drain_started < DRAIN_MAX_MS * G_TIME_SPAN_MILLISECOND)
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&data->drain_source, g_source_unref);
  g_cancellable_cancel (data->io_cancellable);
  return G_SOURCE_REMOVE;
}

static void
wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);

  g_subprocess_wait_finish (data->proc, result, NULL);
  data->exited = TRUE;
  if (g_subprocess_get_if_exited (data->proc))
    data->exit_status = g_subprocess_get_exit_status (data->proc);
  else if (g_subprocess_get_if_signaled (data->proc))
    data->exit_status = 128 + g_subprocess_get_term_sig (data->proc);
  else
    data->exit_status = 255;

  destroy_source (&data->timeout_source);
  destroy_source (&data->cancel_source);
  destroy_source (&data->grace_source);

  /* The cidfile may have appeared only after we were told to stop. */
  if (data->stop_reason != STOP_NONE)
    remove_container (task);

  if (data->open_streams > 0)
    {
      data->drain_started = g_get_monotonic_time ();
      data->drain_source = g_timeout_source_new (DRAIN_MS);
      g_task_attach_source (task, data->drain_source, drain_expired);
    }
  maybe_complete (task);
}

typedef struct {
  GTask *task;
  ArEngineStream stream;
} ReadOp;

#define READ_BUFFER_SIZE AR_ENGINE_MAX_LINE_BYTES

static void
pass_line (RunData *data, ArEngineStream stream, const char *line)
{
  if (stream == AR_ENGINE_STREAM_STDERR)
    {
      g_queue_push_tail (&data->stderr_tail, g_strdup (line));
      if (g_queue_get_length (&data->stderr_tail) > STDERR_TAIL_LINES)
        g_free (g_queue_pop_head (&data->stderr_tail));
    }
  if (data->on_line != NULL)
    data->on_line (stream, line, data->line_data);
}

/* Lines for a line callback: a long one cut with a marker, and of a run
 * of "\r" updates only the last, as a terminal would leave it. */
static void
line_piece (RunData *data, ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end)
{
  LineState *state = &data->lines[stream];
  ar_utf8_append_capped (state->text, AR_ENGINE_MAX_LINE_BYTES, &state->n_cut, text, len);
  if (end == AR_ENGINE_LINE_CONTINUES)
    return;
  if (state->n_cut > 0)
    {
      g_autofree char *marker = ar_log_cut_marker (state->n_cut);

      g_string_append (state->text, marker);
      state->n_cut = 0;
    }
  g_clear_pointer (&state->progress, g_free);
  if (end == AR_ENGINE_LINE_RETURN)
    state->progress = g_strndup (state->text->str, state->text->len);
  else
    pass_line (data, stream, state->text->str);
  g_string_truncate (state->text, 0);
}

static void
run_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  RunData *data = user_data;

  data->lines[stream].open = end == AR_ENGINE_LINE_CONTINUES;
  if (data->on_piece != NULL)
    data->on_piece (stream, text, len, end, data->line_data);
  line_piece (data, stream, text, len, end);
}

static void
stream_ended (GTask *task, ArEngineStream stream)
{
  RunData *data = g_task_get_task_data (task);
  LineState *state = &data->lines[stream];

  if (state->open)
    run_piece (stream, "", 0, AR_ENGINE_LINE_NEWLINE, data);
  /* The last update of a progress line that nothing replaced. */
  if (state->progress != NULL)
    {
      g_autofree char *last = g_steal_pointer (&state->progress);

      pass_line (data, stream, last);
    }
  data->open_streams--;
  maybe_complete (task);
}

static void
stream_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReadOp *op = user_data;
  g_autoptr(GTask) task = op->task;

  ar_engine_read_pieces_finish (result, NULL);
  stream_ended (task, op->stream);
  g_free (op);
}

static void
start_reading (GTask *task, GInputStream *pipe, ArEngineStream stream)
{
  RunData *data = g_task_get_task_data (task);
  ReadOp *op = g_new0 (ReadOp, 1);

  op->task = g_object_ref (task);
  op->stream = stream;
  data->open_streams++;
  ar_engine_read_pieces_async (pipe, stream, run_piece, data, data->io_cancellable, stream_read, op);
}

/* ---- output in pieces ---------------------------------------------------- */

typedef struct {
  GBufferedInputStream *in;
  ArEngineStream stream;
  ArEnginePieceFunc on_piece;
  gpointer piece_data;
} PieceReader;

static void
piece_reader_free (PieceReader *reader)
{
  g_object_unref (reader->in);
  g_free (reader);
}

static void
deliver (PieceReader *reader, const char *raw, gsize len, ArEngineLineEnd end)
{
  g_autofree char *valid = NULL;
  const char *text = raw;

  if (!g_utf8_validate_len (raw, len, NULL))
    {
      valid = g_utf8_make_valid (raw, (gssize) len);
      text = valid;
      len = strlen (valid);
    }
  reader->on_piece (reader->stream, text, len, end, reader->piece_data);
}

/* How much of buf[0, n) ends on a whole UTF-8 character (the rest may be
 * completed by what comes next). */
static gsize
utf8_whole_len (const char *buf, gsize n)
{
  gsize k = n;
  guchar lead;
  gsize want;

  while (k > 0 && n - k < 3 && ((guchar) buf[k - 1] & 0xc0) == 0x80)
    k--;
  if (k == 0)
    return n;
  lead = (guchar) buf[k - 1];
  if (lead < 0xc0)
    return n;
  want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3
                                         : 2;
  return k - 1 + want > n ? k - 1 : n;
}

/* Hands on what the buffer holds: whole lines, a piece of a line that
 * fills the buffer, or everything at the end of the stream. Returns how
 * many bytes were used. A "\r" at the very end waits: a "\n" may follow. */
static gsize
split_buffer (PieceReader *reader, const char *buf, gsize avail, gboolean eof)
{
  gsize i = 0;

  while (i < avail)
    {
      gsize j = i;

      while (j < avail && buf[j] != '\n' && buf[j] != '\r')
        j++;
      if (j == avail)
        {
          gsize n;

          if (eof)
            {
              deliver (reader, buf + i, avail - i, AR_ENGINE_LINE_NEWLINE);
              return avail;
            }
          /* Only a line that fills the buffer goes in pieces. */
          if (i > 0 || avail < READ_BUFFER_SIZE)
            return i;
          n = utf8_whole_len (buf, avail);
          deliver (reader, buf, n, AR_ENGINE_LINE_CONTINUES);
          return n;
        }
      if (buf[j] == '\n')
        {
          deliver (reader, buf + i, j - i, AR_ENGINE_LINE_NEWLINE);
          i = j + 1;
        }
      else if (j + 1 < avail)
        {
          gboolean crlf = buf[j + 1] == '\n';

          deliver (reader, buf + i, j - i, crlf ? AR_ENGINE_LINE_NEWLINE : AR_ENGINE_LINE_RETURN);
          i = j + (crlf ? 2 : 1);
        }
      else if (eof)
        {
          deliver (reader, buf + i, j - i, AR_ENGINE_LINE_RETURN);
          i = j + 1;
        }
      else
        {
          if (j > i)
            deliver (reader, buf + i, j - i, AR_ENGINE_LINE_CONTINUES);
          return j;
        }
    }
  return i;
}

static void piece_reader_more (GTask *task);

static void
piece_reader_filled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  PieceReader *reader = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean eof;
  gsize avail = 0, used;
  const char *buf;

  /* 0 at the end, -1 on an error or when the reading was cancelled: what
   * came so far is handed on all the same. */
  eof = g_buffered_input_stream_fill_finish (reader->in, result, &error) <= 0;
  buf = g_buffered_input_stream_peek_buffer (reader->in, &avail);
  /* At most a buffer (64 KiB) a turn: a flood is handed on in batches. */
  used = split_buffer (reader, buf, avail, eof);
  if (used > 0)
    g_input_stream_skip (G_INPUT_STREAM (reader->in), used, NULL, NULL);
  if (!eof)
    {
      piece_reader_more (task);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
piece_reader_more (GTask *task)
{
  PieceReader *reader = g_task_get_task_data (task);

  /* Below GTK's redraw priority: a process that floods its output must
   * not starve the window's frames (it only makes the reads wait a frame). */
  g_buffered_input_stream_fill_async (reader->in, -1, G_PRIORITY_DEFAULT_IDLE, g_task_get_cancellable (task),
                                      piece_reader_filled, task);
}

void
ar_engine_read_pieces_async (GInputStream *in,
                             ArEngineStream stream,
                             ArEnginePieceFunc on_piece,
                             gpointer piece_data,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task;
  PieceReader *reader;

  g_return_if_fail (G_IS_INPUT_STREAM (in));
  g_return_if_fail (on_piece != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_engine_read_pieces_async);
  /* An ended read is reported even when cancelled: the caller counts on it. */
  g_task_set_check_cancellable (task, FALSE);
  reader = g_new0 (PieceReader, 1);
  reader->in = G_BUFFERED_INPUT_STREAM (g_buffered_input_stream_new_sized (in, READ_BUFFER_SIZE));
  reader->stream = stream;
  reader->on_piece = on_piece;
  reader->piece_data = piece_data;
  g_task_set_task_data (task, reader, (GDestroyNotify) piece_reader_free);
  piece_reader_more (task);
}

gboolean
ar_engine_read_pieces_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* In the child, after stdin/stdout/stderr are the terminal: a session of
 * its own with that terminal as its controlling one, so that the CLI gets
 * SIGWINCH when the terminal is resized (and job control works inside). */
static void
tty_child_setup (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

static void
run_cli_async (ArEngine *self,
               const char *const *args,
               const char *const *extra_env,
               ArEngineLineFunc on_line,
               ArEnginePieceFunc on_piece,
               gpointer line_data,
               int tty_fd,
               guint timeout_seconds,
               GCancellable *cancellable,
               GAsyncReadyCallback callback,
               gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) prepared = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  RunData *data;
  gboolean env_fd;

  g_return_if_fail (AR_IS_ENGINE (self));
  g_return_if_fail (args != NULL);

  ar_engine_resolve (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_engine_run_cli_async);
  /* We answer for cancellation ourselves, once everything has stopped. */
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (RunData, 1);
  data->on_line = on_line;
  data->on_piece = on_piece;
  data->line_data = line_data;
  for (guint i = 0; i < G_N_ELEMENTS (data->lines); i++)
    data->lines[i].text = g_string_new (NULL);
  data->timeout_seconds = timeout_seconds;
  data->what = ar_engine_cli_command_label (self, args);
  data->io_cancellable = g_cancellable_new ();
  g_queue_init (&data->stderr_tail);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  prepared = ar_engine_cli_prepare_args (self, args, &data->cid_dir, &data->cidfile, &error);
  if (prepared == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (tty_fd >= 0)
    {
      /* The terminal is all three; what it shows is read by its owner. */
      launcher = ar_engine_cli_new_launcher (self, G_SUBPROCESS_FLAGS_NONE);
      g_subprocess_launcher_take_stdin_fd (launcher, fcntl (tty_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_take_stdout_fd (launcher, fcntl (tty_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_take_stderr_fd (launcher, fcntl (tty_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_set_child_setup (launcher, tty_child_setup, NULL, NULL);
    }
  else
    launcher = ar_engine_cli_new_launcher (self, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                   G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (!ar_engine_cli_setup_extra_env (self, launcher, extra_env, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  env_fd = self->in_flatpak && extra_env != NULL && extra_env[0] != NULL;
  argv = ar_engine_cli_build_argv (self, (const char *const *) prepared->pdata, env_fd);

  data->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  if (data->proc == NULL)
    {
      if (g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        g_task_return_error (task, ar_engine_not_found_error (self));
      else
        g_task_return_new_error (task, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                                 _ ("Could not start “%s”: %s."), data->what, error->message);
      return;
    }
  /* The timeout and the cancellation before the end can come: the end
   * removes them (maybe_complete), and one attached after it would hold
   * the command until it fired. */
  if (timeout_seconds > 0)
    {
      data->timeout_source = g_timeout_source_new (timeout_seconds * 1000);
      g_task_attach_source (task, data->timeout_source, timeout_expired);
    }
  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, data->cancel_source, G_SOURCE_FUNC (cancelled));
    }
  if (tty_fd < 0)
    {
      /* Nothing to say on stdin: the engine sees end of input at once. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (data->proc), NULL, NULL);

      start_reading (task, g_subprocess_get_stdout_pipe (data->proc), AR_ENGINE_STREAM_STDOUT);
      start_reading (task, g_subprocess_get_stderr_pipe (data->proc), AR_ENGINE_STREAM_STDERR);
    }
  g_subprocess_wait_async (data->proc, NULL, wait_done, g_object_ref (task));
}

void
ar_engine_run_cli_async (ArEngine *self,
                         const char *const *args,
                         const char *const *extra_env,
                         ArEngineLineFunc on_line,
                         gpointer line_data,
                         guint timeout_seconds,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  run_cli_async (self, args, extra_env, on_line, NULL, line_data, -1, timeout_seconds,
                 cancellable, callback, user_data);
}

void
ar_engine_run_cli_pieces_async (ArEngine *self,
                                const char *const *args,
                                const char *const *extra_env,
                                ArEnginePieceFunc on_piece,
                                gpointer piece_data,
                                guint timeout_seconds,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  run_cli_async (self, args, extra_env, NULL, on_piece, piece_data, -1, timeout_seconds,
                 cancellable, callback, user_data);
}

void
ar_engine_run_cli_tty_async (ArEngine *self,
                             const char *const *args,
                             const char *const *extra_env,
                             int tty_fd,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GPtrArray) with_options = g_ptr_array_new ();

  g_return_if_fail (tty_fd >= 0);
  g_return_if_fail (args != NULL && args[0] != NULL);

  /* The terminal hangs up when the app goes (closed, or killed): the CLI
   * must not pass that SIGHUP on to the container, whose agent then ended
   * with the app. The container runs on; its task's terminal is attached
   * again on the next start. `start -a` (copy mode, design.md §4.2):
   * podman's proxies signals when attached unless told not to; docker's
   * has no such option and proxies none with a TTY. */
  g_ptr_array_add (with_options, (gpointer) args[0]);
  if (g_str_equal (args[0], "run") || g_str_equal (args[0], "attach") ||
      (g_str_equal (args[0], "start") && ar_engine_get_kind (self) == AR_ENGINE_KIND_PODMAN))
    g_ptr_array_add (with_options, (gpointer) "--sig-proxy=false");
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (with_options, (gpointer) args[i]);
  g_ptr_array_add (with_options, NULL);

  run_cli_async (self, (const char *const *) with_options->pdata, extra_env, NULL, NULL, NULL, tty_fd, 0,
                 cancellable, callback, user_data);
}

int
ar_engine_run_cli_finish (ArEngine *self,
                          GAsyncResult *result,
                          char **stderr_tail,
                          GError **error)
{
  RunData *data;
  GError *local_error = NULL;
  gssize status;

  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_engine_run_cli_async, -1);

  data = g_task_get_task_data (G_TASK (result));
  if (stderr_tail != NULL)
    {
      g_autoptr(GString) tail = g_string_new (NULL);

      for (GList *l = data->stderr_tail.head; l != NULL; l = l->next)
        {
          g_string_append (tail, l->data);
          g_string_append_c (tail, '\n');
        }
      *stderr_tail = g_string_free (g_steal_pointer (&tail), FALSE);
    }

  status = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return -1;
    }
  return (int) status;
}
