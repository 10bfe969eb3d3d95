/* ar-engine-cli.c — running the engine's CLI, and queries through it
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

#define GRACE_SECONDS 5          /* SIGTERM → SIGKILL */
#define DRAIN_MS 2000            /* after exit, for output held open by a grandchild */
#define STDERR_TAIL_LINES 10
#define QUERY_TIMEOUT_SECONDS 60
#define MAX_ENV_PIPE_BYTES 60000 /* fits a pipe buffer: written before the spawn */

/* Inside Flatpak the CLI runs on the host, where our environment does not
 * reach; flatpak-spawn's --env would put secrets in argv. So they travel as
 * NAME=VALUE lines on a forwarded fd, which this fixed script exports before
 * it execs the CLI. `export "$line"` assigns the text as is: no parsing. */
static const char env_fd_script[] =
  "while IFS= read -r ar_env; do export \"$ar_env\"; done <&3; exec 3<&-; exec \"$@\"";

/* ---- argv --------------------------------------------------------------- */

static const char *
cli_program (ArEngine *self)
{
  return self->kind == AR_ENGINE_KIND_PODMAN ? "podman" : "docker";
}

const char *
ar_engine_get_cli_argv0 (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  ar_engine_resolve (self);
  return self->in_flatpak ? "flatpak-spawn" : cli_program (self);
}

static GPtrArray *
build_argv (ArEngine *self, const char *const *args, gboolean env_fd)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  ar_engine_resolve (self);

  if (self->in_flatpak)
    {
      g_ptr_array_add (argv, g_strdup ("flatpak-spawn"));
      g_ptr_array_add (argv, g_strdup ("--host"));
      /* Not secrets: where the engine is, and plain build output. */
      if (self->kind != AR_ENGINE_KIND_PODMAN && *self->host != '\0')
        g_ptr_array_add (argv, g_strconcat ("--env=DOCKER_HOST=", self->host, NULL));
      if (self->kind == AR_ENGINE_KIND_PODMAN && *self->host != '\0')
        g_ptr_array_add (argv, g_strconcat ("--env=CONTAINER_HOST=", self->host, NULL));
      g_ptr_array_add (argv, g_strdup ("--env=BUILDKIT_PROGRESS=plain"));
      if (env_fd)
        {
          g_ptr_array_add (argv, g_strdup ("--forward-fd=3"));
          g_ptr_array_add (argv, g_strdup ("sh"));
          g_ptr_array_add (argv, g_strdup ("-c"));
          g_ptr_array_add (argv, g_strdup (env_fd_script));
          g_ptr_array_add (argv, g_strdup ("sh"));
        }
    }
  g_ptr_array_add (argv, g_strdup (cli_program (self)));
  if (self->kind == AR_ENGINE_KIND_PODMAN && *self->host != '\0')
    g_ptr_array_add (argv, g_strdup ("--remote"));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  return argv;
}

char **
ar_engine_build_argv (ArEngine *self, const char *const *args)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  return (char **) g_ptr_array_free (build_argv (self, args, FALSE), FALSE);
}

static GSubprocessLauncher *
new_launcher (ArEngine *self, GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* The host captured at construction, so that the CLI and the API
   * socket always speak to the same engine. */
  if (self->kind == AR_ENGINE_KIND_PODMAN)
    {
      if (*self->host != '\0')
        g_subprocess_launcher_setenv (launcher, "CONTAINER_HOST", self->host, TRUE);
    }
  else if (*self->host != '\0')
    g_subprocess_launcher_setenv (launcher, "DOCKER_HOST", self->host, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "DOCKER_HOST");
  /* Build output as lines whichever builder the engine uses. */
  g_subprocess_launcher_setenv (launcher, "BUILDKIT_PROGRESS", "plain", FALSE);
  return launcher;
}

/* "docker run", "docker image inspect": what a message calls a command. */
static char *
command_label (ArEngine *self, const char *const *args)
{
  static const char *const groups[] = {
    "builder", "buildx", "container", "context", "image", "network", "system", "volume", NULL
  };
  GString *label = g_string_new (cli_program (self));

  if (args != NULL && args[0] != NULL && args[0][0] != '-')
    {
      g_string_append_printf (label, " %s", args[0]);
      if (g_strv_contains (groups, args[0]) && args[1] != NULL && args[1][0] != '-')
        g_string_append_printf (label, " %s", args[1]);
    }
  return g_string_free (label, FALSE);
}

/* ---- errors from what the CLI printed ----------------------------------- */

static gboolean
contains (const char *haystack, const char *needle)
{
  return strstr (haystack, needle) != NULL;
}

static char *
tail_sentence (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  guint n = g_strv_length (lines);

  /* The last three non-empty lines say what went wrong. */
  for (guint i = n; i > 0 && kept->len < 3; i--)
    {
      g_strstrip (lines[i - 1]);
      if (lines[i - 1][0] != '\0')
        g_ptr_array_insert (kept, 0, lines[i - 1]);
    }
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("; ", (char **) kept->pdata);
}

GError *
ar_engine_cli_error_new (ArEngine          *self,
                         const char *const *args,
                         int                exit_status,
                         const char        *stderr_text)
{
  g_autofree char *lower = g_ascii_strdown (stderr_text != NULL ? stderr_text : "", -1);
  g_autofree char *what = NULL;
  g_autofree char *tail = NULL;

  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  ar_engine_resolve (self);

  /* Only what concerns the engine's own socket: a registry that refuses
   * a connection during a pull is not the engine being down. */
  if (contains (lower, "permission denied") &&
      (contains (lower, "while trying to connect") || contains (lower, "dial unix")))
    return ar_engine_permission_error (self);
  if (contains (lower, "cannot connect to the docker daemon") ||
      contains (lower, "is the docker daemon running") ||
      contains (lower, "cannot connect to podman") ||
      (contains (lower, "dial unix") &&
       (contains (lower, "no such file") || contains (lower, "connection refused"))))
    return ar_engine_unreachable_error (self);
  /* flatpak-spawn could not start the program on the host */
  if (self->in_flatpak && contains (lower, "failed to execute child process"))
    return ar_engine_not_found_error (self);

  what = command_label (self, args);
  tail = tail_sentence (stderr_text);
  if (*tail == '\0')
    return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                        _("“%s” failed with exit status %d."), what, exit_status);
  return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                      _("“%s” failed with exit status %d: %s"), what, exit_status, tail);
}

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
  char *progress;   /* the last "\r" update, passed on only if nothing replaces it */
  gboolean open;    /* a piece went out and its line has not ended */
} LineState;

typedef struct {
  GSubprocess *proc;
  ArEngineLineFunc on_line;
  ArEnginePieceFunc on_piece;
  gpointer line_data;
  LineState lines[2];
  char *what;
  guint timeout_seconds;

  GCancellable *io_cancellable;  /* ours: output is read to the end even when cancelled */
  GSource *timeout_source;
  GSource *cancel_source;
  GSource *grace_source;
  GSource *drain_source;

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
                               _("“%s” was cancelled."), data->what);
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

  argv = build_argv (self, (const char *const *) args->pdata, FALSE);
  launcher = new_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
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

static gboolean
drain_expired (gpointer user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);

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
  want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
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
ar_engine_read_pieces_async (GInputStream        *in,
                             ArEngineStream       stream,
                             ArEnginePieceFunc    on_piece,
                             gpointer             piece_data,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
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

gboolean
ar_engine_env_name_steers_cli (const char *name)
{
  static const char *const exact[] = {
    "PATH", "HOME", "TMPDIR", "TMP", "TEMP", "SHELL", "USER", "LOGNAME",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REGISTRY_AUTH_FILE", "REGISTRIES_CONFIG_PATH",
    /* podman's storage, and its rootless re-exec state */
    "STORAGE_DRIVER", "STORAGE_OPTS",
    /* systemd and D-Bus, which podman talks to for cgroups and sd_notify */
    "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
    "DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS",
    /* the Go runtime both CLIs are built on */
    "GODEBUG", "GOTRACEBACK", "GOMAXPROCS", "GOGC", "GOMEMLIMIT",
    /* the flatpak-spawn wrapper is a shell */
    "ENV", "BASH_ENV", "IFS", "CDPATH",
    NULL
  };
  static const char *const prefixes[] = {
    "DOCKER_", "CONTAINER_", "CONTAINERS_", "_CONTAINERS_", "PODMAN_", "BUILDAH_", "BUILDKIT_",
    "STORAGE_", "XDG_", "LD_", "GIT_", "SSH_", "GPG_", "GNUPG", "OTEL_", "CNI_", "NETAVARK_",
    NULL
  };
  g_autofree char *upper = NULL;

  g_return_val_if_fail (name != NULL, TRUE);
  upper = g_ascii_strup (name, -1);
  if (g_strv_contains (exact, upper) || strstr (upper, "PROXY") != NULL)
    return TRUE;
  for (guint i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix (upper, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* A `run` gets a --cidfile of ours, so that the container of a stopped run
 * can be found and removed. It goes right after "run", before any option of
 * the caller: parsing the caller's options to look for --name could mistake
 * an argument of the container's command for one. */
static GPtrArray *
prepare_args (ArEngine *self, const char *const *args, RunData *data, GError **error)
{
  GPtrArray *out = g_ptr_array_new ();
  int run_at = -1;

  if (args[0] != NULL && g_str_equal (args[0], "run"))
    run_at = 0;
  else if (args[0] != NULL && g_str_equal (args[0], "container") &&
           args[1] != NULL && g_str_equal (args[1], "run"))
    run_at = 1;

  if (run_at >= 0)
    {
      /* Inside Flatpak the host's CLI writes it: the app's cache folder is
       * the one place both see under the same path. */
      g_autofree char *base = self->in_flatpak ? g_build_filename (g_get_user_cache_dir (), "agents-runner", NULL)
                                               : g_strdup (g_get_tmp_dir ());
      g_autofree char *tmpl = g_build_filename (base, "cid-XXXXXX", NULL);

      g_mkdir_with_parents (base, 0700);
      data->cid_dir = g_mkdtemp (g_steal_pointer (&tmpl));
      if (data->cid_dir == NULL)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not make a temporary folder in %s: %s."), base, g_strerror (saved));
          g_ptr_array_unref (out);
          return NULL;
        }
      data->cidfile = g_build_filename (data->cid_dir, "cid", NULL);
    }

  for (int i = 0; args[i] != NULL; i++)
    {
      g_ptr_array_add (out, (char *) args[i]);
      if (i == run_at)
        {
          g_ptr_array_add (out, (char *) "--cidfile");
          g_ptr_array_add (out, data->cidfile);
        }
    }
  g_ptr_array_add (out, NULL);
  return out;
}

static gboolean
setup_extra_env (ArEngine            *self,
                 GSubprocessLauncher *launcher,
                 const char *const   *extra_env,
                 GError             **error)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  int fds[2];

  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      const char *eq = strchr (extra_env[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || !ar_is_env_name (extra_env[i], eq - extra_env[i]))
        {
          g_set_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                       _("“%.*s” is not a valid environment variable name: use letters, digits and underscores."),
                       (int) (eq != NULL ? eq - extra_env[i] : (int) strlen (extra_env[i])), extra_env[i]);
          return FALSE;
        }
      name = g_strndup (extra_env[i], eq - extra_env[i]);
      /* Values for the container must not steer the CLI itself. */
      if (ar_engine_env_name_steers_cli (name))
        {
          g_set_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                       _("%s would change what the container engine's CLI does, so it cannot pass through the CLI's environment: pass it with an env file."),
                       name);
          return FALSE;
        }
      if (!self->in_flatpak)
        {
          g_subprocess_launcher_setenv (launcher, name, eq + 1, TRUE);
          continue;
        }
      if (strchr (eq + 1, '\n') != NULL)
        {
          g_set_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                       _("The value of %s has a line break, which cannot be passed to the host from Flatpak: remove it."),
                       name);
          return FALSE;
        }
      g_string_append (lines, extra_env[i]);
      g_string_append_c (lines, '\n');
    }

  if (!self->in_flatpak || lines->len == 0)
    return TRUE;

  if (lines->len > MAX_ENV_PIPE_BYTES)
    {
      g_set_error_literal (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                           _("The environment variables are too large to pass to the host from Flatpak: shorten them."));
      return FALSE;
    }
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  /* The whole text fits the pipe buffer, so writing first cannot block. */
  for (gsize done = 0; done < lines->len;)
    {
      gssize n = write (fds[1], lines->str + done, lines->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          close (fds[0]);
          close (fds[1]);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Could not pass the environment to the host: %s."), g_strerror (saved));
          return FALSE;
        }
      done += n;
    }
  close (fds[1]);
  g_subprocess_launcher_take_fd (launcher, fds[0], 3);
  return TRUE;
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
run_cli_async (ArEngine            *self,
               const char *const   *args,
               const char *const   *extra_env,
               ArEngineLineFunc     on_line,
               ArEnginePieceFunc    on_piece,
               gpointer             line_data,
               int                  tty_fd,
               guint                timeout_seconds,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
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
  data->what = command_label (self, args);
  data->io_cancellable = g_cancellable_new ();
  g_queue_init (&data->stderr_tail);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  prepared = prepare_args (self, args, data, &error);
  if (prepared == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (tty_fd >= 0)
    {
      /* The terminal is all three; what it shows is read by its owner. */
      launcher = new_launcher (self, G_SUBPROCESS_FLAGS_NONE);
      g_subprocess_launcher_take_stdin_fd (launcher, fcntl (tty_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_take_stdout_fd (launcher, fcntl (tty_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_take_stderr_fd (launcher, fcntl (tty_fd, F_DUPFD_CLOEXEC, 3));
      g_subprocess_launcher_set_child_setup (launcher, tty_child_setup, NULL, NULL);
    }
  else
    launcher = new_launcher (self, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                   G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (!setup_extra_env (self, launcher, extra_env, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  env_fd = self->in_flatpak && extra_env != NULL && extra_env[0] != NULL;
  argv = build_argv (self, (const char *const *) prepared->pdata, env_fd);

  data->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  if (data->proc == NULL)
    {
      if (g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        g_task_return_error (task, ar_engine_not_found_error (self));
      else
        g_task_return_new_error (task, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                                 _("Could not start “%s”: %s."), data->what, error->message);
      return;
    }
  if (tty_fd < 0)
    {
      /* Nothing to say on stdin: the engine sees end of input at once. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (data->proc), NULL, NULL);

      start_reading (task, g_subprocess_get_stdout_pipe (data->proc), AR_ENGINE_STREAM_STDOUT);
      start_reading (task, g_subprocess_get_stderr_pipe (data->proc), AR_ENGINE_STREAM_STDERR);
    }
  g_subprocess_wait_async (data->proc, NULL, wait_done, g_object_ref (task));

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
}

void
ar_engine_run_cli_async (ArEngine            *self,
                         const char *const   *args,
                         const char *const   *extra_env,
                         ArEngineLineFunc     on_line,
                         gpointer             line_data,
                         guint                timeout_seconds,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  run_cli_async (self, args, extra_env, on_line, NULL, line_data, -1, timeout_seconds,
                 cancellable, callback, user_data);
}

void
ar_engine_run_cli_pieces_async (ArEngine            *self,
                                const char *const   *args,
                                const char *const   *extra_env,
                                ArEnginePieceFunc    on_piece,
                                gpointer             piece_data,
                                guint                timeout_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  run_cli_async (self, args, extra_env, NULL, on_piece, piece_data, -1, timeout_seconds,
                 cancellable, callback, user_data);
}

void
ar_engine_run_cli_tty_async (ArEngine            *self,
                             const char *const   *args,
                             const char *const   *extra_env,
                             int                  tty_fd,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GPtrArray) with_options = g_ptr_array_new ();

  g_return_if_fail (tty_fd >= 0);
  g_return_if_fail (args != NULL && args[0] != NULL);

  /* The terminal hangs up when the app goes (closed, or killed): the CLI
   * must not pass that SIGHUP on to the container, whose agent then ended
   * with the app. The container runs on; its task's terminal is attached
   * again on the next start. */
  g_ptr_array_add (with_options, (gpointer) args[0]);
  if (g_str_equal (args[0], "run") || g_str_equal (args[0], "attach"))
    g_ptr_array_add (with_options, (gpointer) "--sig-proxy=false");
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (with_options, (gpointer) args[i]);
  g_ptr_array_add (with_options, NULL);

  run_cli_async (self, (const char *const *) with_options->pdata, extra_env, NULL, NULL, NULL, tty_fd, 0,
                 cancellable, callback, user_data);
}

int
ar_engine_run_cli_finish (ArEngine      *self,
                          GAsyncResult  *result,
                          char         **stderr_tail,
                          GError       **error)
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

typedef struct {
  GString *out;
  GString *err;
} Capture;

/* All of it, however long a line: what a query parses must be whole. */
static void
capture_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  Capture *capture = user_data;
  GString *dest = stream == AR_ENGINE_STREAM_STDOUT ? capture->out : capture->err;

  g_string_append_len (dest, text, (gssize) len);
  if (end != AR_ENGINE_LINE_CONTINUES)
    g_string_append_c (dest, '\n');
}

int
ar_engine_run_cli_sync (ArEngine           *self,
                        const char *const  *args,
                        const char *const  *extra_env,
                        guint               timeout_seconds,
                        GCancellable       *cancellable,
                        char              **out_stdout,
                        char              **out_stderr,
                        GError            **error)
{
  ArSyncWait wait;
  Capture capture = { g_string_new (NULL), g_string_new (NULL) };
  int status;

  g_return_val_if_fail (AR_IS_ENGINE (self), -1);

  ar_sync_wait_begin (&wait);
  ar_engine_run_cli_pieces_async (self, args, extra_env, capture_piece, &capture, timeout_seconds,
                                  cancellable, ar_sync_wait_callback, &wait);
  status = ar_engine_run_cli_finish (self, ar_sync_wait_run (&wait), NULL, error);
  ar_sync_wait_end (&wait);

  if (out_stdout != NULL)
    *out_stdout = g_string_free (g_steal_pointer (&capture.out), FALSE);
  if (out_stderr != NULL)
    *out_stderr = g_string_free (g_steal_pointer (&capture.err), FALSE);
  if (capture.out != NULL)
    g_string_free (capture.out, TRUE);
  if (capture.err != NULL)
    g_string_free (capture.err, TRUE);
  return status;
}

/* ---- queries through the CLI ---------------------------------------------- */

typedef struct {
  ArEngineQuery query;
  char *arg;
  GPtrArray *args;          /* of the command running now */
  Capture capture;
  GHashTable *ps_images;    /* container id → image, as `ps` (the API list) shows it */
} CliQuery;

static void
cli_query_free (CliQuery *q)
{
  g_free (q->arg);
  g_clear_pointer (&q->args, g_ptr_array_unref);
  g_string_free (q->capture.out, TRUE);
  g_string_free (q->capture.err, TRUE);
  g_clear_pointer (&q->ps_images, g_hash_table_unref);
  g_free (q);
}

static void
cli_query_run (GTask *task, GPtrArray *args, GAsyncReadyCallback done)
{
  ArEngine *self = g_task_get_source_object (task);
  CliQuery *q = g_task_get_task_data (task);

  g_ptr_array_add (args, NULL);
  g_clear_pointer (&q->args, g_ptr_array_unref);
  q->args = args;
  g_string_truncate (q->capture.out, 0);
  g_string_truncate (q->capture.err, 0);
  ar_engine_run_cli_pieces_async (self, (const char *const *) args->pdata, NULL,
                                  capture_piece, &q->capture, QUERY_TIMEOUT_SECONDS,
                                  g_task_get_cancellable (task), done, task);
}

static GPtrArray *
new_args (const char *first, ...) G_GNUC_NULL_TERMINATED;

static GPtrArray *
new_args (const char *first, ...)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (a));
  va_end (ap);
  return args;
}

/* Runs finished: the status, or FALSE with the task answered. */
static gboolean
cli_query_status (GTask *task, GAsyncResult *result, int *status)
{
  ArEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  *status = ar_engine_run_cli_finish (self, result, NULL, &error);
  if (*status < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
says_no_such (const char *stderr_text)
{
  g_autofree char *lower = g_ascii_strdown (stderr_text, -1);

  return contains (lower, "no such image") || contains (lower, "image not known") ||
         contains (lower, "no such container") || contains (lower, "no such object");
}

static void
cli_query_fail (GTask *task, int status)
{
  ArEngine *self = g_task_get_source_object (task);
  CliQuery *q = g_task_get_task_data (task);

  g_task_return_error (task, ar_engine_cli_error_new (self, (const char *const *) q->args->pdata,
                                                      status, q->capture.err->str));
}

/* Runs finished with status 0, or FALSE with the task answered. */
static gboolean
cli_query_succeeded (GTask *task, GAsyncResult *result)
{
  int status;

  if (!cli_query_status (task, result, &status))
    return FALSE;
  if (status != 0)
    {
      cli_query_fail (task, status);
      return FALSE;
    }
  return TRUE;
}

/* An inspect of several objects prints those it found even when it exits
 * 1 for one that went away in the meantime. */
static JsonArray *
parse_inspect_output (GTask *task, int status, JsonParser *parser)
{
  CliQuery *q = g_task_get_task_data (task);
  JsonNode *root;

  if (status != 0 && !says_no_such (q->capture.err->str))
    {
      cli_query_fail (task, status);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, q->capture.out->str, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      if (status != 0)
        cli_query_fail (task, status);
      else
        g_task_return_new_error (task, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                                 _("The container engine printed something that is not JSON: check that %s is Docker or Podman."),
                                 (const char *) q->args->pdata[0]);
      return NULL;
    }
  return json_node_get_array (root);
}

static GPtrArray *
lines_to_ids (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      /* `image ls -q` repeats an id once per tag */
      if (lines[i][0] != '\0' && !g_ptr_array_find_with_equal_func (ids, lines[i], g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (lines[i]));
    }
  return ids;
}

static void
ping_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  int status;

  if (!cli_query_status (task, result, &status))
    return;
  if (status != 0 || q->capture.out->len == 0)
    {
      cli_query_fail (task, status);
      return;
    }
  g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
}

static void
inspect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *array;
  JsonObject *obj;
  int status;

  if (!cli_query_status (task, result, &status))
    return;
  if (status != 0 && says_no_such (q->capture.err->str))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if ((array = parse_inspect_output (task, status, parser)) == NULL)
    return;
  if (json_array_get_length (array) == 0 || (obj = json_array_get_object_element (array, 0)) == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_return_pointer (task, ar_image_info_from_json (obj), (GDestroyNotify) ar_image_info_free);
}

static gpointer
listed_image_from_json (JsonObject *obj)
{
  ArImageInfo *info = ar_image_info_from_json (obj);

  /* the API list does not carry the user: neither does this one */
  g_clear_pointer (&info->user, g_free);
  return info;
}

static gpointer
listed_container_from_json (JsonObject *obj, CliQuery *q)
{
  ArContainerInfo *info = ar_container_info_from_json (obj);
  const char *image;

  /* `ps` shows what the API list shows: the reference, or the image id
   * when the reference has moved on to another image */
  image = g_hash_table_lookup (q->ps_images, info->id);
  if (image != NULL)
    {
      g_free (info->image);
      info->image = g_strdup (image);
    }
  return info;
}

/* The answer to a list query: @list, or an empty list when NULL. */
static void
return_list (GTask *task, GPtrArray *list)
{
  CliQuery *q = g_task_get_task_data (task);

  if (list == NULL)
    list = g_ptr_array_new_with_free_func (q->query == AR_ENGINE_QUERY_LIST_IMAGES
                                           ? (GDestroyNotify) ar_image_info_free
                                           : (GDestroyNotify) ar_container_info_free);
  g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

/* The inspect of what a list query found: its entries, sorted. */
static void
list_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  gboolean images = q->query == AR_ENGINE_QUERY_LIST_IMAGES;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) list = NULL;
  JsonArray *array;
  int status;

  if (!cli_query_status (task, result, &status))
    return;
  if ((array = parse_inspect_output (task, status, parser)) == NULL)
    return;
  list = g_ptr_array_new_with_free_func (images ? (GDestroyNotify) ar_image_info_free
                                                : (GDestroyNotify) ar_container_info_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);

      if (obj == NULL)
        continue;
      g_ptr_array_add (list, images ? listed_image_from_json (obj) : listed_container_from_json (obj, q));
    }
  if (images)
    ar_engine_sort_images (list);
  else
    ar_engine_sort_containers (list);
  return_list (task, g_steal_pointer (&list));
}

static void
list_images_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  g_autoptr(GPtrArray) ids = NULL;
  GPtrArray *args;

  if (!cli_query_succeeded (task, result))
    return;
  ids = lines_to_ids (q->capture.out->str);
  if (ids->len == 0)
    {
      return_list (task, NULL);
      return;
    }
  args = new_args ("image", "inspect", "--", NULL);
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (args, g_strdup (ids->pdata[i]));
  cli_query_run (g_steal_pointer (&task), args, list_inspected);
}

static void
list_containers_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  g_auto(GStrv) lines = NULL;
  GPtrArray *args;

  if (!cli_query_succeeded (task, result))
    return;

  q->ps_images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  args = new_args ("container", "inspect", "--", NULL);
  lines = g_strsplit (q->capture.out->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *tab = strchr (lines[i], '\t');

      if (tab == NULL)
        continue;
      *tab = '\0';
      if (g_hash_table_insert (q->ps_images, g_strdup (lines[i]), g_strdup (tab + 1)))
        g_ptr_array_add (args, g_strdup (lines[i]));
    }
  if (args->len == 3)
    {
      g_ptr_array_unref (args);
      return_list (task, NULL);
      return;
    }
  cli_query_run (g_steal_pointer (&task), args, list_inspected);
}

void
ar_engine_cli_query_async (ArEngine            *self,
                           ArEngineQuery        query,
                           const char          *arg,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CliQuery *q = g_new0 (CliQuery, 1);
  g_autofree char *filter = NULL;

  g_task_set_source_tag (task, ar_engine_cli_query_async);
  q->query = query;
  q->arg = g_strdup (arg);
  q->capture.out = g_string_new (NULL);
  q->capture.err = g_string_new (NULL);
  g_task_set_task_data (task, q, (GDestroyNotify) cli_query_free);

  ar_engine_resolve (self);
  if (arg != NULL)
    filter = g_strconcat ("label=", arg, NULL);

  switch (query)
    {
    case AR_ENGINE_QUERY_PING:
      cli_query_run (task, new_args ("version", "--format",
                                     self->kind == AR_ENGINE_KIND_PODMAN ? "{{.Client.Version}}"
                                                                         : "{{.Server.APIVersion}}",
                                     NULL),
                     ping_done);
      break;
    case AR_ENGINE_QUERY_INSPECT_IMAGE:
      cli_query_run (task, new_args ("image", "inspect", "--", arg, NULL), inspect_done);
      break;
    case AR_ENGINE_QUERY_LIST_IMAGES:
      cli_query_run (task, new_args ("image", "ls", "-q", "--no-trunc", "--filter", filter, NULL),
                     list_images_listed);
      break;
    case AR_ENGINE_QUERY_LIST_CONTAINERS:
      cli_query_run (task, new_args ("ps", "-a", "--no-trunc", "--filter", filter,
                                     "--format", "{{.ID}}\t{{.Image}}", NULL),
                     list_containers_listed);
      break;
    default:
      g_assert_not_reached ();
    }
}

gpointer
ar_engine_cli_query_finish (ArEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
