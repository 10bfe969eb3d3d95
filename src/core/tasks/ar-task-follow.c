/* ar-task-follow.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "ar-entry-script.h"
#include "ar-task-delivery.h"
#include "ar-task-desktop.h"
#include "ar-task-follow.h"
#include "ar-task-runner.h"
#include "ar-task-scratch.h"

#define FOLLOW_DRAIN_MS 2000
#define STOP_COMMAND_TIMEOUT 30

/* Held by its owner and by each engine command still running for it: a
 * command that finishes after ar_task_follow_free() finds it inactive and
 * does nothing. */
struct _ArTaskFollow {
  gint ref_count;
  gboolean active; /* until freed by its owner */
  ArEngine *engine;
  ArTask *task;
  ArTaskLog *log;
  ArTaskFollowEnded ended;
  gpointer ended_data;
  GCancellable *cancellable; /* docker logs -f, docker wait */
  GString *wait_output;
  gboolean logs_done;
  gboolean wait_done;
  int wait_status;
  gboolean stop_requested;
  guint drain_id;
  guint64 skip; /* replayed lines the log already has */
  gboolean output_open[2];
  gboolean collecting;    /* copy mode: the result on its way out */
  ArTaskDesktop *desktop; /* once its desktop started, until it ends */
};

static ArTaskFollow *
follow_ref (ArTaskFollow *follow)
{
  follow->ref_count++;
  return follow;
}

static void
follow_unref (ArTaskFollow *follow)
{
  if (--follow->ref_count > 0)
    return;
  g_clear_object (&follow->cancellable);
  g_clear_object (&follow->engine);
  g_clear_object (&follow->task);
  g_clear_object (&follow->log);
  g_string_free (follow->wait_output, TRUE);
  g_free (follow);
}

void
ar_task_follow_free (ArTaskFollow *follow)
{
  if (follow == NULL)
    return;
  follow->active = FALSE;
  g_clear_handle_id (&follow->drain_id, g_source_remove);
  g_clear_pointer (&follow->desktop, ar_task_desktop_close);
  g_cancellable_cancel (follow->cancellable);
  follow_unref (follow);
}

ArTaskLog *
ar_task_follow_get_log (ArTaskFollow *follow)
{
  return follow->log;
}

/* ---- the end ------------------------------------------------------------- */

static void follow_complete (ArTaskFollow *follow);

static void
follow_collected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArTaskFollow *follow = user_data;

  ar_task_delivery_collect_finish (result, NULL);
  if (follow->active)
    follow_complete (follow);
  follow_unref (follow);
}

/* design.md §4.2, "Copied, not mounted": the workspace copied out into
 * the review folder (and the patch, when the snapshot of copy-in is in the
 * task's folder), the container removed, as the process that started the
 * task would have done. */
static void
follow_collect (ArTaskFollow *follow)
{
  ArTask *task = follow->task;
  g_autofree char *task_dir = ar_task_dup_dir (task);
  g_autofree char *objects = g_build_filename (task_dir, "git-objects", NULL);
  const char *workspace = ar_task_get_copied_workspace (task);

  follow->collecting = TRUE;
  g_debug ("task %s: copy mode: its result copied out of %s", ar_task_get_id (task),
           ar_task_get_container_name (task));
  ar_task_delivery_collect_async (follow->engine, ar_task_get_container_name (task),
                                  ar_task_get_copied_workdir (task), *workspace != '\0' ? workspace : NULL,
                                  ar_task_get_id (task), objects, TRUE, follow->log, follow_collected,
                                  follow_ref (follow));
}

static void
follow_finish (ArTaskFollow *follow)
{
  g_clear_handle_id (&follow->drain_id, g_source_remove);
  if (follow->collecting)
    return;
  if (ar_task_get_copied (follow->task))
    {
      follow_collect (follow);
      return;
    }
  follow_complete (follow);
}

static void
follow_complete (ArTaskFollow *follow)
{
  g_autoptr(ArTask) task = g_object_ref (follow->task);
  gint64 status = -1;
  ArTaskState state;
  double duration;

  if (follow->wait_status == 0)
    {
      g_autofree char *text = g_strstrip (g_strdup (follow->wait_output->str));

      if (*text != '\0' && !g_ascii_string_to_signed (text, 10, 0, 255, &status, NULL))
        status = -1;
    }

  g_clear_pointer (&follow->desktop, ar_task_desktop_close);
  ar_task_set_finished_at (task, g_get_real_time ());
  duration = ar_task_get_duration (task);
  if (status >= 0)
    ar_task_set_exit_status (task, (int) status);
  if (follow->stop_requested && status != 0)
    {
      state = AR_TASK_STATE_CANCELLED;
      ar_task_log_message (follow->log, "task/end", AR_LOG_INFO, _ ("cancelled after %.1f s"), duration);
    }
  else if (status == 0)
    {
      state = AR_TASK_STATE_DONE;
      ar_task_log_message (follow->log, "task/end", AR_LOG_INFO, _ ("done: exit status 0 after %.1f s"), duration);
    }
  else
    {
      state = AR_TASK_STATE_FAILED;
      if (status > 0)
        ar_task_log_message (follow->log, "task/end", AR_LOG_ERROR,
                             _ ("failed: exit status %d after %.1f s"), (int) status, duration);
      else
        {
          ar_task_set_error_message (task, _ ("The container ended while nobody was watching: its exit status is unknown."));
          ar_task_log_message (follow->log, "task/end", AR_LOG_ERROR, "%s", ar_task_get_error_message (task));
        }
    }
  g_debug ("task %s: the container followed after a restart ended: %s", ar_task_get_id (task),
           ar_task_state_to_string (state));
  ar_task_scratch_remove (ar_task_get_id (task));
  ar_task_set_state (task, state);
  ar_task_save (task, NULL);
  ar_task_release_ownership (task);
  ar_task_log_close (follow->log);

  /* The owner usually frees it from here. */
  follow->ended (task, follow->ended_data);
}

static gboolean
follow_drain_expired (gpointer user_data)
{
  ArTaskFollow *follow = user_data;

  follow->drain_id = 0;
  follow_finish (follow);
  return G_SOURCE_REMOVE;
}

static void
follow_maybe_done (ArTaskFollow *follow)
{
  if (!follow->wait_done)
    return;
  if (follow->logs_done)
    {
      follow_finish (follow);
      return;
    }
  /* docker logs -f ends with the container; give its last lines a moment. */
  if (follow->drain_id == 0)
    follow->drain_id = g_timeout_add (FOLLOW_DRAIN_MS, follow_drain_expired, follow);
}

/* ---- the desktop ---------------------------------------------------------- */

/* The desktop started (now, or before the restart: then the record has
 * its URL when that is still good, see ar_task_follow_new()). */
static void
follow_desktop_started (ArTaskFollow *follow)
{
  if (follow->desktop != NULL || *ar_task_get_desktop_url (follow->task) != '\0')
    return;
  follow->desktop = ar_task_desktop_reach (follow->engine, follow->task, follow->log);
}

/* ---- following ----------------------------------------------------------- */

static void
follow_piece (ArEngineStream stream,
              const char *text,
              gsize len,
              ArEngineLineEnd end,
              gpointer user_data)
{
  ArTaskFollow *follow = user_data;

  if (!follow->active)
    return;
  if (stream == AR_ENGINE_STREAM_STDOUT && end != AR_ENGINE_LINE_CONTINUES && !follow->output_open[stream] &&
      ar_entry_script_is_line (text, len, AR_ENTRY_DESKTOP_STARTED_LINE))
    follow_desktop_started (follow);
  if (follow->skip > 0)
    {
      if (end != AR_ENGINE_LINE_CONTINUES)
        follow->skip--;
      return;
    }
  ar_task_runner_log_output_piece (follow->log, follow->output_open, stream, text, len, end);
}

static void
wait_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  ArTaskFollow *follow = user_data;

  if (follow->active && stream == AR_ENGINE_STREAM_STDOUT)
    {
      g_string_append (follow->wait_output, line);
      g_string_append_c (follow->wait_output, '\n');
    }
}

static void
follow_logs_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArTaskFollow *follow = user_data;

  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  if (follow->active)
    {
      follow->logs_done = TRUE;
      follow_maybe_done (follow);
    }
  follow_unref (follow);
}

static void
follow_wait_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArTaskFollow *follow = user_data;
  int status = ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);

  if (follow->active)
    {
      follow->wait_done = TRUE;
      follow->wait_status = status;
      follow_maybe_done (follow);
    }
  follow_unref (follow);
}

/* How many lines of the container the earlier process logged: from the
 * container's first line (the entry script's marker) on, less the runner's
 * own messages. A replay of the container's output skips that many, so
 * that no line is logged twice (timestamps cannot tell: the engine stamps
 * a line when its log driver gets to it, which may be after the attached
 * client had it). */
static guint64
count_logged_container_lines (ArTask *task)
{
  g_autofree char *path = ar_task_dup_log_path (task);
  FILE *file = fopen (path, "rbe");
  g_autoptr(GString) head = g_string_new (NULL);
  guint64 count = 0;
  char buf[65536];
  size_t n;

  if (file == NULL)
    return 0;
  /* Lines end with "\n" or, for a progress update, "\r"; only their starts
   * matter here, so a line of any length costs no memory. */
  while ((n = fread (buf, 1, sizeof buf, file)) > 0)
    for (size_t i = 0; i < n; i++)
      {
        if (buf[i] != '\n' && buf[i] != '\r')
          {
            if (head->len < 256)
              g_string_append_c (head, buf[i]);
            continue;
          }
        if (g_str_equal (head->str, AR_ENTRY_STARTED_LINE))
          count = 1;
        else if (count > 0 && !ar_task_runner_is_own_line (head->str))
          count++;
        g_string_truncate (head, 0);
      }
  fclose (file);
  return count;
}

/* A desktop URL through the earlier process's ssh forward ended with that
 * process: dropped, so that Open desktop does not open a dead port. A
 * followed task reaches its desktop again on the desktop's line in the
 * replay (follow_desktop_started); an attached interactive task, whose
 * terminal replays nothing, finds that line in the container's output
 * (ar_interactive_find_desktop). */
static void
forget_ended_forward (ArEngine *engine, ArTask *task)
{
  if (*ar_task_get_desktop_url (task) == '\0' || ar_task_desktop_port_is_here (engine))
    return;
  g_debug ("task %s: its desktop URL %s went with the process that made it", ar_task_get_id (task),
           ar_task_get_desktop_url (task));
  ar_task_set_desktop_url (task, "");
}

/* The task's log, open again, with the environment's secrets. */
static ArTaskLog *
open_log (ArTask *task, ArEnvironment *env)
{
  g_autofree char *log_path = ar_task_dup_log_path (task);
  ArTaskLog *log = ar_task_log_new (log_path, NULL);

  if (log == NULL)
    log = ar_task_log_new (NULL, NULL);
  if (env != NULL)
    ar_task_log_add_secret_env_vars (log, ar_environment_get_env_vars (env));
  return log;
}

ArTaskFollow *
ar_task_follow_new (ArEngine *engine,
                    ArTask *task,
                    ArEnvironment *env,
                    ArTaskFollowEnded ended,
                    gpointer user_data)
{
  const char *name = ar_task_get_container_name (task);
  const char *logs_args[] = { "logs", "-f", name, NULL };
  const char *wait_args[] = { "wait", name, NULL };
  ArTaskFollow *follow;

  g_return_val_if_fail (AR_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (AR_IS_TASK (task), NULL);
  g_return_val_if_fail (ended != NULL, NULL);

  follow = g_new0 (ArTaskFollow, 1);
  follow->ref_count = 1;
  follow->active = TRUE;
  follow->engine = g_object_ref (engine);
  follow->task = g_object_ref (task);
  follow->ended = ended;
  follow->ended_data = user_data;
  follow->log = open_log (task, env);
  /* Before this process writes to the log. */
  follow->skip = count_logged_container_lines (task);
  follow->cancellable = g_cancellable_new ();
  follow->wait_output = g_string_new (NULL);

  g_debug ("task %s: its container %s still runs: followed, %" G_GUINT64_FORMAT " lines already logged",
           ar_task_get_id (task), name, follow->skip);
  ar_task_log_message (follow->log, "task/follow", AR_LOG_INFO,
                       _ ("found the container %s after a restart: following it again, from where this log stopped"),
                       name);
  if (ar_task_get_state (task) != AR_TASK_STATE_RUNNING)
    ar_task_set_state (task, AR_TASK_STATE_RUNNING);
  forget_ended_forward (engine, task);
  ar_task_save (task, NULL);

  /* All of it from the start, less what the log has. */
  ar_engine_run_cli_pieces_async (engine, logs_args, NULL, follow_piece, follow, 0,
                                  follow->cancellable, follow_logs_done, follow_ref (follow));
  ar_engine_run_cli_async (engine, wait_args, NULL, wait_line, follow, 0, follow->cancellable,
                           follow_wait_done, follow_ref (follow));
  return follow;
}

/* ---- stop ---------------------------------------------------------------- */

static void
follow_kill_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  follow_unref (user_data);
}

static void
follow_stop_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArTaskFollow *follow = user_data;

  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  if (follow->active)
    {
      const char *args[] = { "kill", ar_task_get_container_name (follow->task), NULL };

      ar_engine_run_cli_async (AR_ENGINE (source), args, NULL, NULL, NULL, STOP_COMMAND_TIMEOUT, NULL,
                               follow_kill_done, follow_ref (follow));
    }
  follow_unref (follow);
}

void
ar_task_follow_stop (ArTaskFollow *follow)
{
  const char *args[] = { "stop", "-t", "10", ar_task_get_container_name (follow->task), NULL };

  if (follow->stop_requested)
    return;
  follow->stop_requested = TRUE;
  ar_task_log_message (follow->log, "task/stop", AR_LOG_INFO, _ ("stopping the task"));
  ar_engine_run_cli_async (follow->engine, args, NULL, NULL, NULL, STOP_COMMAND_TIMEOUT, NULL,
                           follow_stop_done, follow_ref (follow));
}

/* ---- a task whose container is gone ------------------------------------- */

void
ar_task_follow_end_left_behind (ArTask *task)
{
  g_autofree char *log_path = ar_task_dup_log_path (task);
  g_autoptr(ArTaskLog) log = ar_task_log_new (log_path, NULL);
  ArTaskState was = ar_task_get_state (task);

  if (was == AR_TASK_STATE_QUEUED)
    {
      ar_task_set_state (task, AR_TASK_STATE_CANCELLED);
      ar_task_set_error_message (task, _ ("Agents Runner was closed before this task left the queue."));
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_ ("Agents Runner was closed while this task was %s, and its container is gone: the exit status is unknown."),
                                                  ar_task_state_to_string (was));

      ar_task_set_state (task, AR_TASK_STATE_FAILED);
      ar_task_set_error_message (task, message);
    }
  if (ar_task_get_finished_at (task) == 0)
    ar_task_set_finished_at (task, g_get_real_time ());
  if (log != NULL)
    ar_task_log_message (log, "task/end", AR_LOG_ERROR, "%s", ar_task_get_error_message (task));
  g_debug ("task %s: left %s by an earlier process, its container gone: %s", ar_task_get_id (task),
           ar_task_state_to_string (was), ar_task_state_to_string (ar_task_get_state (task)));
  ar_task_scratch_remove (ar_task_get_id (task));
  ar_task_save (task, NULL);
}

/* ---- an interactive task ------------------------------------------------- */

ArInteractive *
ar_task_follow_attach (ArEngine *engine, ArTask *task, ArEnvironment *env)
{
  g_autoptr(ArTaskLog) log = open_log (task, env);
  g_autoptr(GError) error = NULL;
  ArInteractive *interactive;

  ar_task_log_message (log, "task/follow", AR_LOG_INFO,
                       _ ("found the container %s running after a restart: attaching its terminal again"),
                       ar_task_get_container_name (task));
  interactive = ar_interactive_new_attach (engine, task, log, -1, &error);
  if (interactive == NULL)
    {
      /* No terminal to be had: it is followed as a batch task is. */
      g_debug ("task %s: no terminal to attach (%s): followed as a batch task", ar_task_get_id (task),
               error->message);
      ar_task_log_message (log, "task/follow", AR_LOG_WARN, "%s", error->message);
      ar_task_log_close (log);
      return NULL;
    }
  if (ar_task_get_state (task) != AR_TASK_STATE_RUNNING)
    ar_task_set_state (task, AR_TASK_STATE_RUNNING);
  forget_ended_forward (engine, task);
  if (*ar_task_get_desktop_url (task) == '\0')
    ar_interactive_find_desktop (interactive);
  ar_task_save (task, NULL);
  return interactive;
}
