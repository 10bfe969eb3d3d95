/* ar-task-runner-container.c — the task runner's `docker run`: its
 * arguments (ar-run-args.h) from the runner's state, the container's output
 * into the log, the desktop's published port, the retry without --init on
 * podman, and stopping the container.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ar-agent.h"
#include "ar-task-clone.h"
#include "ar-entry-script.h"
#include "ar-run-args.h"
#include "ar-task-delivery.h"
#include "ar-task-runner-private.h"
#include "ar-task-desktop.h"
#include "ar-task-runner.h"
#include "ar-task-runner-internal.h"
#include "ar-task-scratch.h"
#include "ar-util.h"

#define STOP_SECONDS "10"       /* docker stop -t */
#define STOP_COMMAND_TIMEOUT 30 /* for stop and kill themselves */
#define STOP_GRACE_MS 3000      /* after kill, for the last output */
#define PODMAN_NO_INIT "container-init binary not found"
/* copy mode, a cloned workspace: its "AR_GIT_…=" credentials (a GStrv,
 * maybe empty) when the clone is made inside the container */
#define CLONE_INSIDE_KEY "ar-clone-inside"
#define GIT_CHECK_TIMEOUT 120
#define GIT_CHECK_NO_GIT 3       /* the check's exit status when git is not in the image */
#define GIT_CHECK_NOT_WRITABLE 4 /* … when the image's user cannot write the workdir */

static gboolean
selinux_enforcing (void)
{
  g_autofree char *text = NULL;

  return g_file_get_contents ("/sys/fs/selinux/enforce", &text, NULL, NULL) && text[0] == '1';
}

/* ---- docker run arguments ---------------------------------------------- */

static gboolean
build_run_args (ArTaskRunner *self, GError **error)
{
  ArEnvironment *env = self->env;
  const char *agent = ar_environment_get_agent_cli (env);
  const char *task_id = ar_task_get_id (self->task);
  g_autofree char *config_dir = NULL;
  g_autofree char *container_config = NULL;
  g_autofree char *env_file = ar_task_scratch_env_file (task_id);
  ArRunArgsSpec spec = {
    .task_id = task_id,
    .env_id = ar_environment_get_env_id (env),
    .container_name = ar_task_get_container_name (self->task),
    .extra_label = self->extra_label,
    .image = self->resolution->runtime_image,
    .agent_argv = (const char *const *) self->agent_argv,
    .workdir = ar_environment_get_container_workdir (env),
    .workspace = self->workspace,
    .agent = agent,
    .scratch = self->scratch,
    .env_file = env_file,
    .vars = ar_environment_get_env_vars (env),
    .extra_mounts = ar_environment_get_extra_mounts (env),
    .ports = ar_environment_get_ports (env),
    .tty = self->tty_fd >= 0,
    .init = !self->without_init,
    /* Rootless podman on this computer: the user's uid inside too. */
    .userns_keep_id = ar_engine_get_kind (self->engine) == AR_ENGINE_KIND_PODMAN && geteuid () != 0 &&
                      *ar_engine_get_host (self->engine) == '\0',
    .selinux = selinux_enforcing (),
    .desktop = self->desktop,
    .workdir_from_script = ar_task_runner_workdir_from_script (self),
    .copy_in = self->copy_mode,
  };
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) run_env = NULL;
  gboolean env_file_written = FALSE;
  const char *const *clone_vars = g_object_get_data (G_OBJECT (self), CLONE_INSIDE_KEY);
  g_autoptr(GStrvBuilder) vars = NULL;
  g_auto(GStrv) all_vars = NULL;

  /* The clone's credentials: variables of the container (names in argv,
   * values in the CLI's environment), unset by the entry script after it. */
  if (clone_vars != NULL && clone_vars[0] != NULL)
    {
      vars = g_strv_builder_new ();
      if (spec.vars != NULL)
        g_strv_builder_addv (vars, (const char **) spec.vars);
      g_strv_builder_addv (vars, (const char **) clone_vars);
      all_vars = g_strv_builder_end (vars);
      spec.vars = (const char *const *) all_vars;
    }

  /* A preflight test runs without the agent's config folder. */
  if (ar_task_get_kind (self->task) != AR_TASK_KIND_PREFLIGHT_TEST)
    {
      config_dir = ar_settings_agent_config_dir (self->settings, agent, ar_environment_get_host_config_dir (env));
      container_config = ar_agent_container_config_dir (agent);
      spec.config_dir = config_dir;
      spec.container_config = container_config;
      g_clear_pointer (&self->config_copy, g_free);
      if (self->copy_mode && *config_dir != '\0' && container_config != NULL)
        {
          g_autofree char *expanded = ar_expand_home (config_dir);

          if (g_file_test (expanded, G_FILE_TEST_IS_DIR))
            self->config_copy = g_steal_pointer (&expanded);
          else
            ar_task_log_message (self->log, "task/copy", AR_LOG_INFO,
                                 _ ("no config folder %s for %s on this computer: not copied"), expanded, agent);
        }
    }
  g_debug ("task %s: run options: %s%s%s%s", task_id, spec.init ? "--init" : "without --init (podman has no init binary)",
           spec.userns_keep_id ? ", --userns=keep-id (rootless podman)" : "",
           spec.selinux ? ", SELinux labels z/Z on the mounts" : "",
           spec.tty ? ", on a terminal (-i -t)" : "");
  g_debug ("task %s: scripts delivered by %s of %s at %s; workspace %s", task_id,
           self->copy_mode ? "a copy" : "a read-only mount", self->scratch, AR_ENTRY_CONTAINER_DIR,
           self->workspace != NULL ? self->workspace : "none");
  if (!ar_run_args_build (&spec, self->log, &args, &run_env, &env_file_written, error))
    return FALSE;
  if (env_file_written)
    g_debug ("task %s: variables the engine CLI reads itself go through the env file %s", task_id, env_file);

  g_clear_pointer (&self->run_args, g_ptr_array_unref);
  g_clear_pointer (&self->run_env, g_ptr_array_unref);
  self->run_args = g_steal_pointer (&args);
  self->run_env = g_steal_pointer (&run_env);
  return TRUE;
}

/* ---- the container ------------------------------------------------------ */

/* Hands the container's output to the log as it comes: a long line in
 * parts, each part on disk at once (see ar_task_log_stream_piece()); the
 * log keeps each stream's line apart. */
void
ar_task_runner_log_output_piece (ArTaskLog *log,
                                 gboolean *open,
                                 ArEngineStream stream,
                                 const char *text,
                                 gsize len,
                                 ArEngineLineEnd end)
{
  open[stream] = end == AR_ENGINE_LINE_CONTINUES;
  ar_task_log_stream_piece (log, stream == AR_ENGINE_STREAM_STDERR ? AR_LOG_STREAM_STDERR : AR_LOG_STREAM_STDOUT,
                            text, (gssize) len,
                            end == AR_ENGINE_LINE_CONTINUES ? AR_LOG_END_NONE
                            : end == AR_ENGINE_LINE_RETURN  ? AR_LOG_END_RETURN
                                                            : AR_LOG_END_NEWLINE);
}

static void
on_container_piece (ArEngineStream stream,
                    const char *text,
                    gsize len,
                    ArEngineLineEnd end,
                    gpointer user_data)
{
  ArTaskRunner *self = user_data;
  /* The markers below are short lines that come whole. */
  gboolean whole = !self->output_open[stream] && end != AR_ENGINE_LINE_CONTINUES;

  if (whole && stream == AR_ENGINE_STREAM_STDERR && !self->container_started &&
      g_strstr_len (text, (gssize) len, PODMAN_NO_INIT) != NULL)
    self->saw_no_init = TRUE;

  ar_task_runner_log_output_piece (self->log, self->output_open, stream, text, len, end);

  if (whole && !self->container_started && stream == AR_ENGINE_STREAM_STDOUT &&
      ar_entry_script_is_line (text, len, AR_ENTRY_STARTED_LINE))
    {
      self->container_started = TRUE;
      if (!self->ended)
        ar_task_runner_update_state (self, AR_TASK_STATE_RUNNING);
    }
  else if (whole && self->container_started && stream == AR_ENGINE_STREAM_STDOUT &&
           ar_entry_script_is_line (text, len, AR_ENTRY_DESKTOP_STARTED_LINE))
    ar_task_runner_desktop_started (self);
}

/* The desktop's URL once it answers, not when the container starts: an
 * install at start takes minutes, and "Open desktop" would open nothing. */
void
ar_task_runner_desktop_started (ArTaskRunner *self)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (self));

  if (self->desktop && self->container_started && !self->ended && self->desktop_reach == NULL)
    self->desktop_reach = ar_task_desktop_reach (self->engine, self->task, self->log);
}

static void
retry_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;

  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  if (self->stop_requested)
    ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
  else
    ar_task_runner_start_container (self);
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  int status;

  status = ar_engine_run_cli_finish (self->engine, result, NULL, &error);
  g_clear_handle_id (&self->stop_grace_id, g_source_remove);
  if (self->terminal_drain != NULL && !self->ended)
    self->terminal_drain (self, self->terminal_data);
  /* The container's end: an ssh forward to its desktop ends with it (after
   * the terminal's last output, whose desktop line would reach it again). */
  g_clear_pointer (&self->desktop_reach, ar_task_desktop_close);
  if (self->ended)
    return;

  /* Podman without catatonit cannot --init: once more without it. */
  if (status == 125 && self->saw_no_init && !self->without_init && !self->stop_requested)
    {
      g_debug ("task %s: podman has no init binary: run again without --init", ar_task_get_id (self->task));
      ar_task_log_message (self->log, "docker/run", AR_LOG_WARN,
                           _ ("podman has no init binary (install catatonit): running without --init, so stopping the agent may take until the stop timeout"));
      self->without_init = TRUE;
      self->saw_no_init = FALSE;
      {
        const char *args[] = { "rm", "-f", ar_task_get_container_name (self->task), NULL };

        /* It may have been created before the start failed. */
        ar_engine_run_cli_async (self->engine, args, NULL, NULL, NULL, STOP_COMMAND_TIMEOUT, NULL,
                                 retry_removed, g_object_ref (self));
      }
      return;
    }

  if (status < 0)
    {
      if (self->stop_requested)
        {
          ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
          return;
        }
      ar_task_runner_fail_task (self, "docker/run", error->message);
      return;
    }

  ar_task_set_exit_status (self->task, status);
  if (self->stop_requested)
    ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
  else if (status == 0)
    ar_task_runner_end_task (self, AR_TASK_STATE_DONE);
  else
    {
      g_autofree char *message = NULL;

      if (!self->container_started)
        message = g_strdup_printf (_ ("The container did not start (exit status %d): see the engine's message above."), status);
      else
        message = g_strdup_printf (_ ("The container exited with status %d."), status);
      ar_task_set_error_message (self->task, message);
      ar_task_runner_end_task (self, AR_TASK_STATE_FAILED);
    }
}

/* ---- copy mode: create, copy in, start; copy out, remove ------------------ */

static void
follow_started (ArTaskRunner *self)
{
  const char *name = ar_task_get_container_name (self->task);

  self->started = TRUE;
  self->container_started = FALSE;
  self->output_open[0] = self->output_open[1] = FALSE;
  g_clear_object (&self->run_cancellable);
  self->run_cancellable = g_cancellable_new ();
  if (self->tty_fd >= 0)
    {
      const char *const args[] = { "start", "-a", "-i", name, NULL };

      self->container_started = TRUE;
      ar_task_runner_update_state (self, AR_TASK_STATE_RUNNING);
      ar_engine_run_cli_tty_async (self->engine, args, NULL, self->tty_fd, self->run_cancellable,
                                   run_done, g_object_ref (self));
      return;
    }
  {
    const char *const args[] = { "start", "-a", name, NULL };

    ar_engine_run_cli_pieces_async (self->engine, args, NULL, on_container_piece, self, 0, self->run_cancellable,
                                    run_done, g_object_ref (self));
  }
}

static void
copied_in (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ar_task_delivery_run_finish (result, &error))
    {
      if (self->stop_requested)
        ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      else
        ar_task_runner_fail_task (self, "task/copy", error->message);
      return;
    }
  if (self->stop_requested)
    {
      ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  follow_started (self);
}

static void create_container (ArTaskRunner *self);

/* Both the container made and the workspace's snapshot taken (side by
 * side): the copies in, side by side too. */
static void
copy_in (ArTaskRunner *self)
{
  const char *workdir = ar_environment_get_container_workdir (self->env);
  g_autofree char *container_config = NULL;
  g_autoptr(GPtrArray) steps = NULL;

  if (self->prepare_pending > 0 || self->ended || self->collecting || !self->created)
    return;
  if (self->stop_requested)
    {
      ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  if (self->config_copy != NULL)
    container_config = ar_agent_container_config_dir (ar_environment_get_agent_cli (self->env));
  /* cloned inside: nothing of the workspace goes in */
  steps = ar_task_delivery_copy_in_steps (
    ar_engine_get_kind (self->engine), ar_task_get_container_name (self->task), self->scratch, AR_ENTRY_CONTAINER_DIR,
    self->config_copy, container_config,
    g_object_get_data (G_OBJECT (self), CLONE_INSIDE_KEY) != NULL ? NULL : self->workspace,
    *workdir != '\0' ? workdir : AR_DEFAULT_CONTAINER_WORKDIR);
  ar_task_delivery_run_parallel_async (self->engine, steps, self->log, "task/copy", self->cancellable, copied_in,
                                       g_object_ref (self));
}

static void
created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status = ar_engine_run_cli_finish (self->engine, result, &tail, &error);

  /* Podman without catatonit refuses --init at create: once more without. */
  if (status == 125 && tail != NULL && strstr (tail, PODMAN_NO_INIT) != NULL && !self->without_init &&
      !self->stop_requested)
    {
      ar_task_log_message (self->log, "docker/create", AR_LOG_WARN,
                           _ ("podman has no init binary (install catatonit): running without --init, so stopping the agent may take until the stop timeout"));
      self->without_init = TRUE;
      if (!build_run_args (self, &error))
        {
          self->prepare_pending--;
          ar_task_runner_fail_task (self, "docker/create", error->message);
          return;
        }
      create_container (self);
      return;
    }
  self->prepare_pending--;
  if (self->ended || self->collecting)
    return;
  if (status != 0)
    {
      if (error == NULL)
        error = ar_engine_cli_error_new (self->engine, (const char *const *) self->run_args->pdata, status, tail);
      if (self->stop_requested)
        ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      else
        ar_task_runner_fail_task (self, "docker/create", error->message);
      return;
    }
  self->created = TRUE;
  copy_in (self);
}

static void
create_container (ArTaskRunner *self)
{
  ar_engine_run_cli_async (self->engine, (const char *const *) self->run_args->pdata,
                           (const char *const *) self->run_env->pdata, NULL, NULL, 0, self->cancellable,
                           created, g_object_ref (self));
}

static void
snapshot_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;

  self->prepare_pending--;
  self->base_tree = ar_task_delivery_git_snapshot_finish (result, &error);
  if (self->ended)
    {
      /* create failed meanwhile: nothing will use it */
      ar_remove_tree (self->git_objects);
      return;
    }
  if (self->base_tree == NULL)
    ar_task_log_message (self->log, "task/copy", AR_LOG_WARN,
                         _ ("Could not take the workspace's state for a patch (%s): the result is copied back "
                            "without one."),
                         error->message);
  copy_in (self);
}

static void
copy_mode_start (ArTaskRunner *self)
{
  g_autofree char *task_dir = ar_task_dup_dir (self->task);

  g_clear_pointer (&self->git_objects, g_free);
  self->git_objects = g_build_filename (task_dir, "git-objects", NULL);
  self->prepare_pending = 1;
  if (self->workspace != NULL && self->base_tree == NULL && ar_task_delivery_is_git (self->workspace))
    {
      self->prepare_pending++;
      ar_task_delivery_git_snapshot_async (self->workspace, self->git_objects, NULL, snapshot_done,
                                           g_object_ref (self));
    }
  create_container (self);
}

static void
collected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;

  ar_task_delivery_collect_finish (result, NULL);
  self->collected = TRUE;
  self->collecting = FALSE;
  ar_task_runner_end_task (self, self->end_state);
}

/* The end of a copy-mode task: the same as a follower's after a restart
 * (ar_task_delivery_collect_async): the result copied out, the patch made,
 * the container and the snapshot's objects removed. */
void
ar_task_runner_collect (ArTaskRunner *self)
{
  const char *workdir = ar_environment_get_container_workdir (self->env);

  ar_task_delivery_collect_async (self->engine, ar_task_get_container_name (self->task),
                                  *workdir != '\0' ? workdir : AR_DEFAULT_CONTAINER_WORKDIR, self->workspace,
                                  ar_task_get_id (self->task), self->git_objects, self->started, self->log,
                                  collected, g_object_ref (self));
}

/* ---- copy mode: a cloned workspace, inside the container or here ---------- */

static char *
task_workspace_dir (ArTaskRunner *self)
{
  g_autofree char *dir = ar_task_dup_dir (self->task);

  return g_build_filename (dir, "workspace", NULL);
}

static void
cloned_here (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = ar_task_clone_finish (result, &error);

  if (self->ended)
    return;
  if (self->stop_requested)
    ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
  else if (!ok)
    ar_task_runner_fail_task (self, "git/clone", error->message);
  else
    ar_task_runner_start_container (self);
}

static void
git_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status = ar_engine_run_cli_finish (self->engine, result, &tail, &error);
  const char *target = ar_environment_get_workspace_target (self->env);
  const char *image = self->resolution->runtime_image;

  if (self->ended)
    return;
  if (self->stop_requested)
    {
      ar_task_runner_end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  self->workspace = task_workspace_dir (self);
  {
    const char *workdir = ar_environment_get_container_workdir (self->env);

    /* The record's copy: where a follower after a restart copies it out. */
    ar_task_set_copied (self->task, self->workspace, *workdir != '\0' ? workdir : AR_DEFAULT_CONTAINER_WORKDIR);
  }
  if (status == 0)
    {
      g_auto(GStrv) vars = NULL;
      g_autofree char *shown = NULL;

      if (g_mkdir_with_parents (self->workspace, 0700) != 0 ||
          !ar_task_clone_write_container_step (target, self->scratch, &vars, &shown, &error))
        {
          ar_task_runner_fail_task (self, "git/clone",
                                    error != NULL ? error->message : g_strerror (errno));
          return;
        }
      ar_task_log_message (self->log, "git/clone", AR_LOG_INFO,
                           _ ("git is in the image %s: %s is cloned inside the container, into the workdir, before "
                              "the preflights; the result is copied out at the end."),
                           image, shown);
      g_object_set_data_full (G_OBJECT (self), CLONE_INSIDE_KEY, g_steal_pointer (&vars),
                              (GDestroyNotify) g_strfreev);
      ar_task_runner_start_container (self);
      return;
    }
  g_debug ("task %s: git in %s: status %d (%s)", ar_task_get_id (self->task), image, status,
           error != NULL ? error->message : (tail != NULL ? tail : ""));
  if (status == GIT_CHECK_NOT_WRITABLE)
    ar_task_log_message (self->log, "git/clone", AR_LOG_INFO,
                         _ ("The user of the image %s cannot write to its workdir: the repository is cloned on this "
                            "computer and copied into the container."),
                         image);
  else
    ar_task_log_message (self->log, "git/clone", AR_LOG_INFO,
                         _ ("The image %s has no git: the repository is cloned on this computer and copied into "
                            "the container."),
                         image);
  ar_task_clone_async (target, self->workspace, ar_task_get_id (self->task), self->log, self->cancellable,
                       cloned_here, g_object_ref (self));
}

/* Copy mode, a cloned workspace not cloned yet (design.md §4.2): inside
 * the container when its image has git, else here and copied in. */
static gboolean
clone_first (ArTaskRunner *self)
{
  const char *workdir = ar_environment_get_container_workdir (self->env);
  /* As the task's container will: the image's user, in the workdir (which
   * the engine makes, owned by root, when the image has none). */
  const char *args[] = { "run", "--rm", "--entrypoint", "/bin/sh", "-w",
                         *workdir != '\0' ? workdir : AR_DEFAULT_CONTAINER_WORKDIR, self->resolution->runtime_image,
                         "-c", "command -v git >/dev/null || exit " G_STRINGIFY (GIT_CHECK_NO_GIT) "; "
                                                                                                   "test -w . || exit " G_STRINGIFY (GIT_CHECK_NOT_WRITABLE),
                         NULL };

  if (!self->copy_mode || self->workspace != NULL ||
      ar_environment_get_workspace_kind (self->env) != AR_WORKSPACE_CLONED)
    return FALSE;
  ar_engine_run_cli_async (self->engine, args, NULL, NULL, NULL, GIT_CHECK_TIMEOUT, self->cancellable, git_checked,
                           g_object_ref (self));
  return TRUE;
}

void
ar_task_runner_start_container (ArTaskRunner *self)
{
  g_autoptr(GError) error = NULL;

  if (clone_first (self))
    return;
  if (!build_run_args (self, &error))
    {
      ar_task_runner_fail_task (self, "docker/run", error->message);
      return;
    }

  ar_task_log_message (self->log, "docker/run", AR_LOG_INFO,
                       _ ("running image %s: %s"), self->resolution->runtime_image,
                       self->layers_detail != NULL ? self->layers_detail : "");
  if (self->copy_mode)
    {
      self->run_spawned = TRUE;
      copy_mode_start (self);
      return;
    }
  self->run_spawned = TRUE;
  self->container_started = FALSE;
  self->output_open[0] = self->output_open[1] = FALSE;
  g_clear_object (&self->run_cancellable);
  self->run_cancellable = g_cancellable_new ();
  if (self->tty_fd >= 0)
    {
      /* What the terminal shows is read, and logged, by its owner. */
      self->container_started = TRUE;
      ar_task_runner_update_state (self, AR_TASK_STATE_RUNNING);
      ar_engine_run_cli_tty_async (self->engine,
                                   (const char *const *) self->run_args->pdata,
                                   (const char *const *) self->run_env->pdata,
                                   self->tty_fd, self->run_cancellable,
                                   run_done, g_object_ref (self));
      return;
    }
  ar_engine_run_cli_pieces_async (self->engine,
                                  (const char *const *) self->run_args->pdata,
                                  (const char *const *) self->run_env->pdata,
                                  on_container_piece, self, 0, self->run_cancellable,
                                  run_done, g_object_ref (self));
}

/* ---- stop ------------------------------------------------------------- */

static gboolean
stop_grace_expired (gpointer user_data)
{
  ArTaskRunner *self = user_data;

  self->stop_grace_id = 0;
  /* The engine's own last resort: kill the CLI and remove the container. */
  g_cancellable_cancel (self->run_cancellable);
  return G_SOURCE_REMOVE;
}

static void
kill_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;

  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  if (self->ended || self->stop_grace_id != 0)
    return;
  self->stop_grace_id = g_timeout_add (STOP_GRACE_MS, stop_grace_expired, self);
}

static void
stop_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  const char *args[] = { "kill", ar_task_get_container_name (self->task), NULL };

  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  if (self->ended)
    return;
  /* Still here after the stop timeout, or stop could not reach it. */
  ar_engine_run_cli_async (self->engine, args, NULL, NULL, NULL, STOP_COMMAND_TIMEOUT, NULL,
                           kill_done, g_object_ref (self));
}

void
ar_task_runner_stop_container (ArTaskRunner *self)
{
  const char *args[] = { "stop", "-t", STOP_SECONDS, ar_task_get_container_name (self->task), NULL };

  ar_engine_run_cli_async (self->engine, args, NULL, NULL, NULL, STOP_COMMAND_TIMEOUT, NULL,
                           stop_done, g_object_ref (self));
}
