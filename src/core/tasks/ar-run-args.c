/* ar-run-args.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-container-lines.h"
#include "ar-engine.h"
#include "ar-entry-script.h"
#include "ar-run-args.h"
#include "ar-task.h"
#include "ar-task-runner.h"

gboolean
ar_task_runner_env_name_is_reserved (const char *name)
{
  return ar_engine_env_name_steers_cli (name);
}

/* ---- variables ----------------------------------------------------------- */

void
ar_run_args_add_env (ArTaskLog *log,
                     const char *task_id,
                     const char *env_id,
                     const char *const *vars,
                     GPtrArray *args,
                     GPtrArray *run_env,
                     GString *env_file_text)
{
  static const char *const own_names[] = { "AGENTS_RUNNER_TASK_ID", "TASK_ID", "AGENTS_RUNNER_ENV_ID", NULL };

  /* The task's own variables, then the environment's: names only in argv,
   * values through the CLI's environment. */
  for (guint i = 0; own_names[i] != NULL; i++)
    {
      g_ptr_array_add (args, g_strdup ("-e"));
      g_ptr_array_add (args, g_strdup (own_names[i]));
    }
  g_ptr_array_add (run_env, g_strconcat ("AGENTS_RUNNER_TASK_ID=", task_id, NULL));
  g_ptr_array_add (run_env, g_strconcat ("TASK_ID=", task_id, NULL));
  g_ptr_array_add (run_env, g_strconcat ("AGENTS_RUNNER_ENV_ID=", env_id, NULL));

  for (guint i = 0; vars != NULL && vars[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      const char *value;

      /* The editor's rule (ar-container-lines.h); a line without "=" is an
       * empty value. */
      if (!ar_container_lines_split_env_var (vars[i], &name, &value))
        {
          if (log != NULL)
            ar_task_log_message (log, "task/env", AR_LOG_WARN,
                                 _ ("“%s” is not a valid variable name (letters, digits and underscores): not passed."),
                                 name);
          continue;
        }
      if (g_strv_contains (own_names, name))
        {
          if (log != NULL)
            ar_task_log_message (log, "task/env", AR_LOG_WARN,
                                 _ ("%s is set by Agents Runner for every task: the environment's value is not used."),
                                 name);
          continue;
        }
      if (ar_task_runner_env_name_is_reserved (name))
        {
          if (strchr (value, '\n') != NULL)
            {
              if (log != NULL)
                ar_task_log_message (log, "task/env", AR_LOG_WARN,
                                     _ ("The value of %s has a line break, which an env file cannot hold: not passed."),
                                     name);
              continue;
            }
          g_debug ("%s: the engine CLI reads this name itself: passed through the env file", name);
          g_string_append_printf (env_file_text, "%s=%s\n", name, value);
          continue;
        }
      g_ptr_array_add (args, g_strdup ("-e"));
      g_ptr_array_add (args, g_strdup (name));
      g_ptr_array_add (run_env, g_strconcat (name, "=", value, NULL));
    }
}

gboolean
ar_run_args_add_env_file (const char *path, GString *env_file_text, GPtrArray *args, GError **error)
{
  if (env_file_text->len == 0)
    return TRUE;
  /* run/ is 0700 and the file 0600: only this user reads it. */
  if (!g_file_set_contents_full (path, env_file_text->str, env_file_text->len,
                                 G_FILE_SET_CONTENTS_NONE, 0600, error))
    return FALSE;
  g_ptr_array_add (args, g_strdup ("--env-file"));
  g_ptr_array_add (args, g_strdup (path));
  return TRUE;
}

void
ar_run_args_add_workdir (const char *workdir, gboolean from_script, GPtrArray *args, GPtrArray *run_env)
{
  if (from_script)
    {
      g_debug ("working folder %s: made and entered by the entry script (podman, no workspace there)", workdir);
      g_ptr_array_add (args, g_strdup ("-e"));
      g_ptr_array_add (args, g_strdup ("AGENTS_RUNNER_WORKDIR"));
      g_ptr_array_add (run_env, g_strconcat ("AGENTS_RUNNER_WORKDIR=", workdir, NULL));
    }
  else
    {
      g_ptr_array_add (args, g_strdup ("-w"));
      g_ptr_array_add (args, g_strdup (workdir));
    }
}

void
ar_run_args_add_command (const char *image, const char *const *agent_argv, GPtrArray *args, GPtrArray *run_env)
{
  g_ptr_array_add (args, g_strdup (image));
  g_ptr_array_add (args, g_strdup ("/bin/sh"));
  g_ptr_array_add (args, g_strdup (AR_ENTRY_CONTAINER_DIR "/" AR_ENTRY_SCRIPT_FILE));
  for (guint i = 0; agent_argv[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (agent_argv[i]));
  g_ptr_array_add (args, NULL);
  g_ptr_array_add (run_env, NULL);
}

/* ---- mounts -------------------------------------------------------------- */

typedef struct {
  ArTaskLog *log;
  GPtrArray *args;
  GPtrArray *container_paths;
  const char *host_option; /* "z" on SELinux hosts, else "" */
} Mounts;

static void
add_mount (Mounts *m, const char *host, const char *container, const char *mode, const char *what)
{
  g_autofree char *spec = NULL;
  g_autofree char *options = NULL;

  if (g_ptr_array_find_with_equal_func (m->container_paths, container, g_str_equal, NULL))
    {
      if (m->log != NULL)
        ar_task_log_message (m->log, "task/mounts", AR_LOG_WARN,
                             _ ("%s %s → %s not mounted: %s is already mounted"), what, host, container, container);
      return;
    }
  g_ptr_array_add (m->container_paths, g_strdup (container));

  if (mode != NULL && *mode != '\0' && *m->host_option != '\0')
    options = g_strconcat (mode, ",", m->host_option, NULL);
  else if (mode != NULL && *mode != '\0')
    options = g_strdup (mode);
  else
    options = g_strdup (m->host_option);
  spec = *options != '\0' ? g_strdup_printf ("%s:%s:%s", host, container, options)
                          : g_strdup_printf ("%s:%s", host, container);
  g_ptr_array_add (m->args, g_strdup ("-v"));
  g_ptr_array_add (m->args, g_steal_pointer (&spec));
}

static gboolean
target_taken (GPtrArray *targets, const char *line, const ArMount *mount, GError **error)
{
  if (!g_ptr_array_find_with_equal_func (targets, mount->target, g_str_equal, NULL))
    return FALSE;
  g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
               _ ("The extra mount “%s” goes to %s, where something else is already mounted: change its container path in the environment's Container tab."),
               line, mount->target);
  return TRUE;
}

static void
set_not_shared_error (GError **error, const char *line, const char *where)
{
  g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
               _ ("The extra mount “%s” is a folder of this computer, which the container engine (%s) does not see: "
                  "remove it from the environment's Container tab, or use a named volume (NAME:/path) instead."),
               line, where);
}

/* Checked before the task started (ar_task_runner_check_environment());
 * a folder gone since fails the task rather than run without it. */
static gboolean
add_extra_mount (Mounts *m, const char *text, gboolean copy_in, GError **error)
{
  g_autoptr(ArMount) mount = NULL;
  g_autofree char *spec = NULL;

  if (ar_script_is_blank (text))
    return TRUE;
  if ((mount = ar_container_lines_check_mount (text, error)) == NULL)
    return FALSE;
  if (mount->type == AR_MOUNT_BIND && copy_in)
    {
      g_autofree char *line = g_strstrip (g_strdup (text));

      set_not_shared_error (error, line, _ ("it shares no folders with this computer"));
      return FALSE;
    }
  if (mount->type == AR_MOUNT_BIND)
    {
      add_mount (m, mount->source, mount->target, mount->mode, _ ("extra mount"));
      return TRUE;
    }

  if (target_taken (m->container_paths, text, mount, error))
    return FALSE;
  g_ptr_array_add (m->container_paths, g_strdup (mount->target));
  /* A named volume: the engine makes it on first use and keeps it between
   * tasks. --mount, because -v would take a bad name for a relative path;
   * "ro" is the spelling both engines take (podman refuses "readonly"). */
  spec = g_strdup_printf ("type=volume,src=%s,dst=%s%s", mount->source, mount->target,
                          g_strcmp0 (mount->mode, "ro") == 0 ? ",ro" : "");
  g_ptr_array_add (m->args, g_strdup ("--mount"));
  g_ptr_array_add (m->args, g_steal_pointer (&spec));
  if (m->log != NULL)
    ar_task_log_message (m->log, "task/mounts", AR_LOG_INFO,
                         _ ("volume %s mounted at %s%s"), mount->source, mount->target,
                         g_strcmp0 (mount->mode, "ro") == 0 ? _ (" (read-only)") : "");
  return TRUE;
}

static void
add_config_dir (const ArRunArgsSpec *spec, Mounts *m)
{
  g_autofree char *expanded = NULL;

  if (spec->config_dir == NULL || *spec->config_dir == '\0' || spec->container_config == NULL)
    return;
  expanded = ar_expand_home (spec->config_dir);
  if (g_file_test (expanded, G_FILE_TEST_IS_DIR))
    {
      add_mount (m, expanded, spec->container_config, NULL, _ ("config folder"));
      if (m->log != NULL)
        ar_task_log_message (m->log, "task/mounts", AR_LOG_INFO,
                             _ ("config folder %s mounted at %s"), expanded, spec->container_config);
    }
  else if (m->log != NULL)
    ar_task_log_message (m->log, "task/mounts", AR_LOG_INFO,
                         _ ("no config folder %s for %s on this computer: not mounted"), expanded,
                         spec->agent != NULL ? spec->agent : "");
}

/* ---- the whole argv ------------------------------------------------------ */

static void
add_pair (GPtrArray *args, const char *option, char *value)
{
  g_ptr_array_add (args, g_strdup (option));
  g_ptr_array_add (args, value);
}

gboolean
ar_run_args_build (const ArRunArgsSpec *spec,
                   ArTaskLog *log,
                   GPtrArray **args_out,
                   GPtrArray **run_env_out,
                   gboolean *env_file_written,
                   GError **error)
{
  const char *workdir = spec->workdir != NULL && *spec->workdir != '\0' ? spec->workdir : AR_DEFAULT_CONTAINER_WORKDIR;
  const char *const *ports = spec->ports;
  const char *const *extra_mounts = spec->extra_mounts;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) run_env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) container_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) env_file_text = g_string_new (NULL);
  Mounts m = { log, args, container_paths, spec->selinux ? "z" : "" };

  g_return_val_if_fail (spec->task_id != NULL && spec->env_id != NULL && spec->scratch != NULL, FALSE);
  g_return_val_if_fail (spec->image != NULL && spec->agent_argv != NULL, FALSE);

  if (env_file_written != NULL)
    *env_file_written = FALSE;
  /* Copied in: created first, files copied, started; removed by the
   * runner after the results are copied out. */
  g_ptr_array_add (args, g_strdup (spec->copy_in ? "create" : "run"));
  if (!spec->copy_in)
    g_ptr_array_add (args, g_strdup ("--rm"));
  if (spec->tty)
    {
      g_ptr_array_add (args, g_strdup ("-i"));
      g_ptr_array_add (args, g_strdup ("-t"));
    }
  if (spec->init)
    g_ptr_array_add (args, g_strdup ("--init"));
  add_pair (args, "--name", g_strdup (spec->container_name));
  add_pair (args, "--label", g_strconcat (AR_LABEL_TASK_ID "=", spec->task_id, NULL));
  add_pair (args, "--label", g_strconcat (AR_LABEL_ENV_ID "=", spec->env_id, NULL));
  if (spec->extra_label != NULL && *spec->extra_label != '\0')
    add_pair (args, "--label", g_strdup (spec->extra_label));
  /* Rootless podman maps the user's uid to the same uid inside, so that
   * files written in the workspace stay the user's. */
  if (spec->userns_keep_id)
    g_ptr_array_add (args, g_strdup ("--userns=keep-id"));

  /* Mounts, first one per container path wins. SELinux: shared folders get
   * the shared label (z): a private one (Z) would lock out a second task
   * mounting the same folder; the scratch folder is this task's alone. */
  if (spec->copy_in)
    {
      /* The same container paths are taken, by copies (ar-task-delivery.c). */
      if (spec->workspace != NULL)
        g_ptr_array_add (container_paths, g_strdup (workdir));
      if (spec->container_config != NULL)
        g_ptr_array_add (container_paths, g_strdup (spec->container_config));
      g_ptr_array_add (container_paths, g_strdup (AR_ENTRY_CONTAINER_DIR));
    }
  else
    {
      if (spec->workspace != NULL)
        add_mount (&m, spec->workspace, workdir, NULL, _ ("workspace"));
      add_config_dir (spec, &m);
      /* Straight into the list: the Z must not get the shared z added. */
      g_ptr_array_add (container_paths, g_strdup (AR_ENTRY_CONTAINER_DIR));
      add_pair (args, "-v", g_strdup_printf ("%s:%s:%s", spec->scratch, AR_ENTRY_CONTAINER_DIR, spec->selinux ? "ro,Z" : "ro"));
    }
  for (guint i = 0; extra_mounts != NULL && extra_mounts[i] != NULL; i++)
    if (!add_extra_mount (&m, extra_mounts[i], spec->copy_in, error))
      return FALSE;

  ar_run_args_add_env (log, spec->task_id, spec->env_id, spec->vars, args, run_env, env_file_text);
  if (env_file_text->len > 0)
    {
      g_return_val_if_fail (spec->env_file != NULL, FALSE);
      if (!ar_run_args_add_env_file (spec->env_file, env_file_text, args, error))
        return FALSE;
      if (env_file_written != NULL)
        *env_file_written = TRUE;
    }

  for (guint i = 0; ports != NULL && ports[i] != NULL; i++)
    {
      if (ar_script_is_blank (ports[i]))
        continue;
      add_pair (args, "-p", g_strstrip (g_strdup (ports[i])));
    }
  /* A random free port on the loopback only: the desktop has no password. */
  if (spec->desktop)
    add_pair (args, "-p", g_strdup ("127.0.0.1::" AR_RUN_ARGS_DESKTOP_PORT));

  ar_run_args_add_workdir (workdir, spec->workdir_from_script, args, run_env);
  ar_run_args_add_command (spec->image, spec->agent_argv, args, run_env);

  *args_out = g_steal_pointer (&args);
  *run_env_out = g_steal_pointer (&run_env);
  return TRUE;
}

/* ---- before a task starts ------------------------------------------------ */

gboolean
ar_run_args_check_not_shared (ArEnvironment *env, const char *where, GError **error)
{
  const char *const *mounts = ar_environment_get_extra_mounts (env);

  for (guint i = 0; mounts[i] != NULL; i++)
    {
      g_autoptr(ArMount) mount = NULL;
      g_autofree char *line = NULL;

      if (ar_script_is_blank (mounts[i]))
        continue;
      if ((mount = ar_container_lines_check_mount (mounts[i], error)) == NULL)
        return FALSE;
      if (mount->type != AR_MOUNT_BIND)
        continue;
      line = g_strstrip (g_strdup (mounts[i]));
      set_not_shared_error (error, line, where);
      return FALSE;
    }
  return TRUE;
}

gboolean
ar_run_args_check_environment (ArEnvironment *env, GError **error)
{
  const char *const *mounts = ar_environment_get_extra_mounts (env);
  const char *const *ports = ar_environment_get_ports (env);
  const char *workdir = ar_environment_get_container_workdir (env);
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);

  if (*workdir == '\0')
    workdir = AR_DEFAULT_CONTAINER_WORKDIR;
  g_ptr_array_add (targets, g_strdup (AR_ENTRY_CONTAINER_DIR));
  if (ar_environment_get_workspace_kind (env) != AR_WORKSPACE_NONE)
    g_ptr_array_add (targets, g_strdup (workdir));

  for (guint i = 0; mounts[i] != NULL; i++)
    {
      g_autoptr(ArMount) mount = NULL;

      if (ar_script_is_blank (mounts[i]))
        continue;
      if ((mount = ar_container_lines_check_mount (mounts[i], error)) == NULL)
        return FALSE;
      if (target_taken (targets, mounts[i], mount, error))
        return FALSE;
      g_ptr_array_add (targets, g_strdup (mount->target));
    }
  for (guint i = 0; ports[i] != NULL; i++)
    if (!ar_script_is_blank (ports[i]) && !ar_container_lines_check_port (ports[i], error))
      return FALSE;
  return TRUE;
}
