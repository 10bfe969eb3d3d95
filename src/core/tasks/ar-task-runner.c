/* ar-task-runner.c — a task's steps: the images, the workspace (a clone:
 * ar-task-clone.c), the scratch folder (ar-task-scratch.c), then the
 * container (ar-task-runner-container.c, with its arguments from
 * ar-run-args.c), and the end; the preflight test that is a build check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ar-agent.h"
#include "ar-entry-script.h"
#include "ar-preflight-build-check.h"
#include "ar-run-args.h"
#include "ar-task-clone.h"
#include "ar-task-runner.h"
#include "ar-task-runner-private.h"
#include "ar-task-runner-internal.h"
#include "ar-task-scratch.h"
#include "ar-util.h"

G_DEFINE_FINAL_TYPE (ArTaskRunner, ar_task_runner, G_TYPE_OBJECT)

/* ---- small helpers ------------------------------------------------------ */

void
ar_task_runner_save_task (ArTask *task, ArTaskLog *log)
{
  g_autoptr(GError) error = NULL;

  if (!ar_task_save (task, &error))
    ar_task_log_message (log, "task/record", AR_LOG_WARN, _ ("Could not write the task record: %s"), error->message);
}

void
ar_task_runner_save_record (ArTaskRunner *self)
{
  ar_task_runner_save_task (self->task, self->log);
}

void
ar_task_runner_update_state (ArTaskRunner *self, ArTaskState state)
{
  ar_task_set_state (self->task, state);
  ar_task_runner_save_record (self);
}

gboolean
ar_task_runner_is_own_line (const char *line)
{
  static const char *const own[] = {
    "[desktop/port][", "[task/stop][", "[task/record][", "[task/follow][", "[task/end][", NULL
  };

  for (guint i = 0; own[i] != NULL; i++)
    if (g_str_has_prefix (line, own[i]))
      return TRUE;
  return FALSE;
}

/* ---- the end ------------------------------------------------------------ */

void
ar_task_runner_end_task (ArTaskRunner *self, ArTaskState state)
{
  g_autoptr(GTask) run = g_steal_pointer (&self->run);
  double duration;

  if (self->ended || self->collecting)
    return;
  /* Copy mode: the result comes out of the container first, whatever
   * the end (design.md §4.2). */
  if (self->copy_mode && self->created && !self->collected)
    {
      self->collecting = TRUE;
      self->end_state = state;
      self->run = g_steal_pointer (&run);
      ar_task_runner_collect (self);
      return;
    }
  self->ended = TRUE;
  g_clear_handle_id (&self->stop_grace_id, g_source_remove);

  /* Always: the scratch folder and the env file hold nothing worth keeping. */
  if (self->scratch != NULL)
    ar_task_scratch_remove (ar_task_get_id (self->task));
  /* The snapshot's objects, unless the snapshot still writes them (it
   * removes them itself then). */
  if (self->git_objects != NULL && self->prepare_pending == 0)
    ar_remove_tree (self->git_objects);

  if (self->stop_requested && state != AR_TASK_STATE_DONE)
    state = AR_TASK_STATE_CANCELLED;
  ar_task_set_finished_at (self->task, g_get_real_time ());
  duration = ar_task_get_duration (self->task);

  switch (state)
    {
    case AR_TASK_STATE_CANCELLED:
      ar_task_log_message (self->log, "task/end", AR_LOG_INFO,
                           _ ("cancelled after %.1f s"), duration);
      break;
    case AR_TASK_STATE_DONE:
      ar_task_log_message (self->log, "task/end", AR_LOG_INFO,
                           _ ("done: exit status 0 after %.1f s"), duration);
      break;
    default:
      state = AR_TASK_STATE_FAILED;
      if (ar_task_get_exit_status (self->task) >= 0)
        ar_task_log_message (self->log, "task/end", AR_LOG_ERROR,
                             _ ("failed: exit status %d after %.1f s"),
                             ar_task_get_exit_status (self->task), duration);
      else
        ar_task_log_message (self->log, "task/end", AR_LOG_ERROR,
                             _ ("failed after %.1f s: %s"), duration,
                             ar_task_get_error_message (self->task));
      break;
    }

  ar_task_runner_update_state (self, state);
  ar_task_release_ownership (self->task);
  ar_task_log_close (self->log);

  if (self->external != NULL && self->external_id != 0)
    g_cancellable_disconnect (self->external, self->external_id);
  self->external_id = 0;

  if (run != NULL)
    g_task_return_int (run, state);
}

void
ar_task_runner_fail_task (ArTaskRunner *self, const char *scope, const char *message)
{
  ar_task_set_error_message (self->task, message);
  ar_task_log_message (self->log, scope, AR_LOG_ERROR, "%s", message);
  ar_task_runner_end_task (self, AR_TASK_STATE_FAILED);
}

/* ---- the images --------------------------------------------------------- */

static void
describe_layer (const ArLayerResult *result, GString *summary, GString *layers, GString *detail)
{
  const char *name = ar_layer_kind_display_name (result->layer);
  const char *short_name = result->layer == AR_LAYER_DESKTOP ? "desktop" : "environment";
  const char *fallback = result->layer == AR_LAYER_DESKTOP ? _ ("the desktop is installed at start")
                                                           : _ ("the cached preflight runs at start");

  if (summary->len > 0 && result->state != AR_LAYER_STATE_NOT_WANTED)
    g_string_append (summary, "; ");
  switch (result->state)
    {
    case AR_LAYER_STATE_NOT_WANTED:
      return;
    case AR_LAYER_STATE_HIT:
      g_string_append_printf (summary, _ ("%s: cache HIT %s"), name, result->tag);
      break;
    case AR_LAYER_STATE_BUILT:
      g_string_append_printf (summary, _ ("%s: cache MISS, built %s"), name, result->tag);
      if (result->miss_reason != NULL && *result->miss_reason != '\0')
        g_string_append_printf (summary, " (%s)", result->miss_reason);
      break;
    case AR_LAYER_STATE_FAILED:
      g_string_append_printf (summary, _ ("%s: build failed; %s"), name, fallback);
      g_string_append_printf (detail, ", %s", fallback);
      return;
    case AR_LAYER_STATE_SKIPPED_FAILED_BEFORE:
    default:
      g_string_append_printf (summary, _ ("%s: failed before, not rebuilt; %s"), name, fallback);
      g_string_append_printf (detail, ", %s", fallback);
      return;
    }
  g_string_append_printf (layers, " + %s", short_name);
  g_string_append_printf (detail, ", %s %s (%s)", name, result->tag,
                          result->state == AR_LAYER_STATE_HIT ? "cache HIT" : "built now");
}

static void
record_resolution (ArTaskRunner *self)
{
  ArImageResolution *r = self->resolution;
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autoptr(GString) layers = g_string_new ("base");
  g_autoptr(GString) detail = g_string_new (NULL);

  g_string_append_printf (detail, "base %s", r->base_image);
  describe_layer (&r->desktop, summary, layers, detail);
  describe_layer (&r->env, summary, layers, detail);
  if (summary->len == 0)
    g_string_append (summary, _ ("no cached layers"));

  g_debug ("task %s: image %s (%s)%s%s", ar_task_get_id (self->task), r->runtime_image, layers->str,
           r->install_desktop_at_start ? "; fallback: the desktop is installed at start" : "",
           r->run_cached_preflight_at_start ? "; fallback: the cached preflight runs at start" : "");
  ar_task_set_image (self->task, r->runtime_image);
  ar_task_set_layers (self->task, layers->str);
  ar_task_set_cache_summary (self->task, summary->str);
  ar_task_runner_save_record (self);
  /* Said again just before docker run, where the spec wants it. */
  g_free (self->layers_detail);
  self->layers_detail = g_string_free (g_steal_pointer (&detail), FALSE);
}

/* ---- the scratch folder, then the container ------------------------------ */

/* Podman fails on a -w the image lacks (docker makes it): without a
 * workspace mounted there, the entry script makes and enters it. */
gboolean
ar_task_runner_workdir_from_script (ArTaskRunner *self)
{
  return ar_engine_get_kind (self->engine) == AR_ENGINE_KIND_PODMAN && self->workspace == NULL;
}

static void
prepare_and_start (ArTaskRunner *self)
{
  g_autoptr(GError) error = NULL;

  if (self->stop_requested)
    {
      ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  ar_task_runner_update_state (self, AR_TASK_STATE_STARTING);
  g_free (self->scratch);
  self->scratch = ar_task_scratch_dir (ar_task_get_id (self->task));
  if (!ar_task_scratch_write (ar_task_get_id (self->task), self->env, self->settings, self->resolution,
                              ar_task_runner_workdir_from_script (self), self->log, &self->desktop, &error))
    {
      ar_task_runner_fail_task (self, "task/scripts", error->message);
      return;
    }
  ar_task_runner_start_container (self);
}

/* ---- a cloned workspace ------------------------------------------------- */

static void
clone_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = ar_task_clone_finish (result, &error);

  if (self->stop_requested)
    ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
  else if (!ok)
    ar_task_runner_fail_task (self, "git/clone", error->message);
  else
    prepare_and_start (self);
}

static void
clone_workspace (ArTaskRunner *self)
{
  g_autofree char *dir = ar_task_dup_dir (self->task);

  self->workspace = g_build_filename (dir, "workspace", NULL);
  ar_task_clone_async (ar_environment_get_workspace_target (self->env), self->workspace,
                       ar_task_get_id (self->task), self->log, self->cancellable,
                       clone_done, g_object_ref (self));
}

/* ---- the images, then the workspace ------------------------------------- */

static void
resolve_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;

  self->resolution = ar_image_builder_resolve_finish (self->builder, result, &error);
  if (self->resolution == NULL)
    {
      if (self->stop_requested || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      else
        ar_task_runner_fail_task (self, "image/resolve", error->message);
      return;
    }
  record_resolution (self);
  /* Each task counts once in the cache statistics (design.md §3.6). */
  ar_image_resolution_count_task (self->resolution, self->env, self->log);
  if (self->stop_requested)
    {
      ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  /* In copy mode the clone is made inside the container, or here when the
   * image has no git (ar-task-runner-container.c, design.md §4.2). */
  if (self->workspace == NULL && ar_environment_get_workspace_kind (self->env) == AR_WORKSPACE_CLONED &&
      !self->copy_mode)
    clone_workspace (self);
  else
    prepare_and_start (self);
}

gboolean
ar_task_runner_check_environment (ArEnvironment *env,
                                  ArTaskKind kind,
                                  const char *prompt,
                                  GError **error)
{
  const char *target;

  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), FALSE);

  /* An interactive task's command is checked where it is made. */
  if (kind == AR_TASK_KIND_TASK)
    {
      g_auto(GStrv) argv = ar_agent_build_argv_for_environment (env, prompt, error);

      if (argv == NULL)
        return FALSE;
    }

  target = ar_environment_get_workspace_target (env);
  switch (ar_environment_get_workspace_kind (env))
    {
    case AR_WORKSPACE_MOUNTED:
      {
        g_autofree char *path = ar_expand_home (target);

        if (*target == '\0' || !g_path_is_absolute (path) || !g_file_test (path, G_FILE_TEST_IS_DIR))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _ ("The workspace folder “%s” does not exist: choose an existing folder in the environment's General tab."),
                         target);
            return FALSE;
          }
      }
      break;
    case AR_WORKSPACE_CLONED:
      if (*target == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("The workspace is “cloned” but names no repository: set owner/repo or a URL in the environment's General tab."));
          return FALSE;
        }
      break;
    case AR_WORKSPACE_NONE:
    default:
      break;
    }

  return ar_run_args_check_environment (env, error);
}

/* What can be known wrong before any engine work: say it at once. */
static gboolean
check_environment (ArTaskRunner *self, GError **error)
{
  ArTaskKind kind = ar_task_get_kind (self->task);

  if (!ar_task_runner_check_environment (self->env, kind, ar_task_get_prompt (self->task), error))
    return FALSE;

  if (kind == AR_TASK_KIND_PREFLIGHT_TEST)
    {
      const char *const argv[] = { "/bin/sh", "-c", "echo '" AR_PREFLIGHT_COMPLETE_LINE "'", NULL };

      self->agent_argv = g_strdupv ((char **) argv);
    }
  else if (self->terminal_argv != NULL)
    self->agent_argv = g_strdupv (self->terminal_argv);
  else if ((self->agent_argv = ar_agent_build_argv_for_environment (self->env, ar_task_get_prompt (self->task),
                                                                    error)) == NULL)
    return FALSE;

  if (self->copy_mode)
    {
      const char *host = ar_engine_get_host (self->engine);
      const char *reason = ar_engine_folders_reason (self->engine);
      g_autofree char *where = g_str_equal (reason, "preference") ? g_strdup (_ ("set in Preferences not to share them"))
                               : *host != '\0'                    ? g_strdup_printf (_ ("at %s"), host)
                                                                  : g_strdup (reason);

      if (!ar_run_args_check_not_shared (self->env, where, error))
        return FALSE;
    }
  if (ar_environment_get_workspace_kind (self->env) == AR_WORKSPACE_MOUNTED)
    self->workspace = ar_expand_home (ar_environment_get_workspace_target (self->env));
  return TRUE;
}

/* ---- a preflight test that is the build check ---------------------------- */

static void
check_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  ArTaskRunner *self = user_data;

  if (self->ended)
    return;
  ar_task_log_output (self->log, line);
  if (stage == AR_BUILD_CHECK_STAGE_RUN && !self->container_started && g_str_equal (line, AR_ENTRY_STARTED_LINE))
    {
      self->container_started = TRUE;
      ar_task_runner_update_state (self, AR_TASK_STATE_RUNNING);
    }
}

static void
build_check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArBuildCheckResult) check = ar_preflight_check_build_finish (result, &error);
  g_autofree char *text = NULL;

  if (check == NULL)
    {
      if (self->stop_requested || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      else
        ar_task_runner_fail_task (self, "preflight/check", error->message);
      return;
    }
  text = ar_build_check_result_describe (check);
  ar_task_set_exit_status (self->task, check->ok ? 0 : check->exit_status);
  if (check->ok)
    {
      ar_task_log_message (self->log, "preflight/check", AR_LOG_INFO, "%s", text);
      ar_task_runner_end_task (self, AR_TASK_STATE_DONE);
      return;
    }
  ar_task_runner_fail_task (self, "preflight/check", text);
}

static void
start_build_check (ArTaskRunner *self)
{
  const char *base = ar_environment_get_base_image (self->env);

  if (*base == '\0')
    base = self->settings->default_base_image != NULL ? self->settings->default_base_image : "";
  ar_task_set_image (self->task, base);
  ar_task_set_layers (self->task, "base");
  ar_task_set_cache_summary (self->task, _ ("build check: the cached part in a throwaway image, no cache key recorded"));
  ar_task_log_message (self->log, "preflight/check", AR_LOG_INFO,
                       _ ("build check: the cached part is built on %s in a throwaway image (no cache key "
                          "recorded, removed afterwards), then the run part runs on top of it with the agent "
                          "replaced by “true”"),
                       base);
  ar_task_runner_update_state (self, AR_TASK_STATE_BUILDING);
  ar_preflight_check_build_async (self->engine, self->env, self->settings,
                                  ar_environment_get_cached_preflight_script (self->env),
                                  ar_environment_get_run_preflight_script (self->env),
                                  NULL, check_line, self, self->cancellable,
                                  build_check_done, g_object_ref (self));
}

/* ---- public ------------------------------------------------------------- */

static gboolean
stop_from_idle (gpointer user_data)
{
  ar_task_runner_stop (user_data);
  return G_SOURCE_REMOVE;
}

static void
external_cancelled (GCancellable *cancellable, gpointer user_data)
{
  ArTaskRunner *self = user_data;

  /* Called in the thread that cancelled: stop from the main context. */
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, stop_from_idle,
                              g_object_ref (self), g_object_unref);
}

void
ar_task_runner_run_async (ArTaskRunner *self,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *agent = NULL;

  g_return_if_fail (AR_IS_TASK_RUNNER (self));
  g_return_if_fail (self->run == NULL && !self->ended);

  self->run = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->run, ar_task_runner_run_async);

  if (cancellable != NULL)
    {
      self->external = g_object_ref (cancellable);
      self->external_id = g_cancellable_connect (cancellable, G_CALLBACK (external_cancelled), self, NULL);
    }

  ar_task_set_started_at (self->task, g_get_real_time ());
  if (!ar_task_acquire_ownership (self->task))
    ar_task_log_message (self->log, "task/record", AR_LOG_WARN,
                         _ ("Could not lock the task folder: another process may think it runs this task."));
  ar_task_runner_update_state (self, AR_TASK_STATE_PREPARING);

  if (self->log_error != NULL)
    {
      ar_task_runner_fail_task (self, "task/log", self->log_error->message);
      return;
    }

  agent = ar_task_get_kind (self->task) == AR_TASK_KIND_PREFLIGHT_TEST
            ? g_strdup (_ ("none (preflight test)"))
            : g_strdup (ar_environment_get_agent_cli (self->env));
  ar_task_log_message (self->log, "task/start", AR_LOG_INFO,
                       _ ("task %s: environment “%s” (%s), agent %s"),
                       ar_task_get_id (self->task), ar_environment_get_name (self->env),
                       ar_environment_get_env_id (self->env), agent);
  if (self->note != NULL)
    ar_task_log_message (self->log, "task/preflight-test", AR_LOG_INFO, "%s", self->note);
  if (self->build_check)
    {
      start_build_check (self);
      return;
    }

  self->copy_mode = !ar_engine_shares_host_folders (self->engine);
  if (self->copy_mode)
    {
      g_debug ("task %s: the engine does not see this computer's folders (%s): copies instead of bind mounts",
               ar_task_get_id (self->task), ar_engine_folders_reason (self->engine));
      ar_task_log_message (self->log, "task/copy", AR_LOG_INFO,
                           _ ("The container engine does not see this computer's folders (%s): the task's scripts, "
                              "the workspace and the agent's configuration are copied into the container, and the "
                              "workspace is copied back out at the end into a review folder beside it."),
                           ar_engine_folders_reason (self->engine));
      if (ar_engine_is_unencrypted_tcp (self->engine))
        ar_task_log_message (self->log, "task/copy", AR_LOG_WARN,
                             _ ("The engine at %s is reached over plain tcp:// without TLS: the agent's configuration "
                                "folder (its credentials), the workspace and the variables travel unencrypted. Use "
                                "ssh:// or TLS (DOCKER_TLS_VERIFY=1)."),
                             ar_engine_get_host (self->engine));
    }

  if (!check_environment (self, &error))
    {
      ar_task_runner_fail_task (self, "task/start", error->message);
      return;
    }
  if (self->copy_mode)
    {
      const char *workdir = ar_environment_get_container_workdir (self->env);

      /* In the record: a process following it after a restart copies the
       * result out as this one would (ar-task-follow.c). */
      ar_task_set_copied (self->task, self->workspace, *workdir != '\0' ? workdir : AR_DEFAULT_CONTAINER_WORKDIR);
    }
  if (self->stop_requested)
    {
      ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }

  ar_task_runner_update_state (self, AR_TASK_STATE_BUILDING);
  ar_image_builder_resolve_async (self->builder, self->env, self->settings, self->log, FALSE,
                                  self->cancellable, resolve_done, g_object_ref (self));
}

ArTaskState
ar_task_runner_run_finish (ArTaskRunner *self, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), AR_TASK_STATE_FAILED);

  return (ArTaskState) g_task_propagate_int (G_TASK (result), NULL);
}

void
ar_task_runner_stop (ArTaskRunner *self)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (self));

  if (self->ended || self->stop_requested)
    return;
  self->stop_requested = TRUE;
  ar_task_log_message (self->log, "task/stop", AR_LOG_INFO, _ ("stopping the task"));

  if (self->run == NULL)
    {
      /* Never started (queued): it simply ends. */
      ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  g_cancellable_cancel (self->cancellable);
  if (self->run_spawned)
    ar_task_runner_stop_container (self);
}

gboolean
ar_task_runner_get_stopping (ArTaskRunner *self)
{
  g_return_val_if_fail (AR_IS_TASK_RUNNER (self), FALSE);
  return self->stop_requested && !self->ended;
}

ArTask *
ar_task_runner_get_task (ArTaskRunner *self)
{
  g_return_val_if_fail (AR_IS_TASK_RUNNER (self), NULL);
  return self->task;
}

ArTaskLog *
ar_task_runner_get_log (ArTaskRunner *self)
{
  g_return_val_if_fail (AR_IS_TASK_RUNNER (self), NULL);
  return self->log;
}

ArEnvironment *
ar_task_runner_get_environment (ArTaskRunner *self)
{
  g_return_val_if_fail (AR_IS_TASK_RUNNER (self), NULL);
  return self->env;
}

void
ar_task_runner_set_terminal (ArTaskRunner *self,
                             int tty_fd,
                             const char *const *agent_argv,
                             GFunc drain,
                             gpointer drain_data)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (self));
  g_return_if_fail (self->run == NULL);
  g_return_if_fail (agent_argv != NULL && agent_argv[0] != NULL);

  self->tty_fd = tty_fd;
  self->terminal_drain = drain;
  self->terminal_data = drain_data;
  g_strfreev (self->terminal_argv);
  self->terminal_argv = g_strdupv ((char **) agent_argv);
}

void
ar_task_runner_set_build_check (ArTaskRunner *self)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (self));
  g_return_if_fail (self->run == NULL);
  g_return_if_fail (ar_task_get_kind (self->task) == AR_TASK_KIND_PREFLIGHT_TEST);

  self->build_check = TRUE;
}

void
ar_task_runner_set_note (ArTaskRunner *self, const char *note)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (self));

  g_free (self->note);
  self->note = g_strdup (note);
}

void
ar_task_runner_set_extra_label (ArTaskRunner *self, const char *label)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (self));
  g_free (self->extra_label);
  self->extra_label = g_strdup (label);
}

ArTaskRunner *
ar_task_runner_new (ArImageBuilder *builder,
                    ArTask *task,
                    ArEnvironment *environment,
                    const ArSettings *settings)
{
  ArTaskRunner *self;
  g_autofree char *log_path = NULL;

  g_return_val_if_fail (AR_IS_IMAGE_BUILDER (builder), NULL);
  g_return_val_if_fail (AR_IS_TASK (task), NULL);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (environment), NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  self = g_object_new (AR_TYPE_TASK_RUNNER, NULL);
  self->builder = g_object_ref (builder);
  self->engine = g_object_ref (ar_image_builder_get_engine (builder));
  self->task = g_object_ref (task);
  self->env = ar_environment_copy (environment);
  self->settings = ar_settings_copy (settings);
  self->extra_label = g_strdup (g_getenv (AR_TEST_RUN_LABEL_ENV));

  log_path = ar_task_dup_log_path (task);
  self->log = ar_task_log_new (log_path, &self->log_error);
  if (self->log == NULL)
    self->log = ar_task_log_new (NULL, NULL);
  /* Before any line: values of secret-looking variables never reach it. */
  ar_task_log_add_secret_env_vars (self->log, ar_environment_get_env_vars (self->env));
  /* Held from now on, also while queued: another process reading the
   * records must not take this task for one left behind. */
  ar_task_acquire_ownership (task);
  ar_task_runner_save_record (self);
  return self;
}

ArTaskRunner *
ar_task_runner_new_preflight_test (ArImageBuilder *builder,
                                   ArEnvironment *draft,
                                   const ArSettings *settings)
{
  g_autoptr(ArTask) task = NULL;

  g_return_val_if_fail (AR_IS_ENVIRONMENT (draft), NULL);

  task = ar_task_new (ar_environment_get_env_id (draft), ar_environment_get_name (draft), "",
                      AR_TASK_KIND_PREFLIGHT_TEST);
  return ar_task_runner_new (builder, task, draft, settings);
}

static void
ar_task_runner_dispose (GObject *object)
{
  ArTaskRunner *self = AR_TASK_RUNNER (object);

  if (self->external != NULL && self->external_id != 0)
    g_cancellable_disconnect (self->external, self->external_id);
  self->external_id = 0;
  g_clear_object (&self->external);
  g_clear_handle_id (&self->stop_grace_id, g_source_remove);
  g_clear_pointer (&self->desktop_reach, ar_task_desktop_close);

  G_OBJECT_CLASS (ar_task_runner_parent_class)->dispose (object);
}

static void
ar_task_runner_finalize (GObject *object)
{
  ArTaskRunner *self = AR_TASK_RUNNER (object);

  g_clear_object (&self->builder);
  g_clear_object (&self->engine);
  g_clear_object (&self->task);
  g_clear_object (&self->env);
  g_clear_pointer (&self->settings, ar_settings_free);
  g_clear_object (&self->log);
  g_clear_error (&self->log_error);
  g_free (self->extra_label);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->run_cancellable);
  g_clear_pointer (&self->resolution, ar_image_resolution_free);
  g_free (self->layers_detail);
  g_strfreev (self->agent_argv);
  g_free (self->note);
  g_strfreev (self->terminal_argv);
  g_free (self->workspace);
  g_free (self->scratch);
  g_free (self->config_copy);
  g_free (self->git_objects);
  g_free (self->base_tree);
  g_clear_pointer (&self->run_args, g_ptr_array_unref);
  g_clear_pointer (&self->run_env, g_ptr_array_unref);

  G_OBJECT_CLASS (ar_task_runner_parent_class)->finalize (object);
}

static void
ar_task_runner_class_init (ArTaskRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ar_task_runner_dispose;
  object_class->finalize = ar_task_runner_finalize;
}

static void
ar_task_runner_init (ArTaskRunner *self)
{
  self->cancellable = g_cancellable_new ();
  self->run_cancellable = g_cancellable_new ();
  self->tty_fd = -1;
}
