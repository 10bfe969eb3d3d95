/* ar-task-runner.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ar-agent.h"
#include "ar-entry-script.h"
#include "ar-paths.h"
#include "ar-preflight-build-check.h"
#include "ar-task-runner.h"
#include "ar-task-runner-private.h"

#define STOP_SECONDS "10"          /* docker stop -t */
#define STOP_COMMAND_TIMEOUT 30    /* for stop and kill themselves */
#define STOP_GRACE_MS 3000         /* after kill, for the last output */
#define PORT_TIMEOUT 20
#define DESKTOP_PORT "6080"
#define PODMAN_NO_INIT "container-init binary not found"

struct _ArTaskRunner
{
  GObject parent_instance;

  ArImageBuilder *builder;
  ArEngine *engine;
  ArTask *task;
  ArEnvironment *env;        /* the snapshot */
  ArSettings *settings;      /* the snapshot */
  ArTaskLog *log;
  GError *log_error;         /* task.log could not be opened */
  char *extra_label;

  GTask *run;                /* the pending run_async */
  GCancellable *cancellable; /* builds, clones: cancelled by stop */
  GCancellable *run_cancellable; /* the docker run CLI: cancelled last */
  GCancellable *external;
  gulong external_id;

  ArImageResolution *resolution;
  char *layers_detail;       /* base and layers, for the line before docker run */
  GStrv agent_argv;
  gboolean build_check;      /* a preflight test that is the build check */
  char *note;                /* said after the first line */
  char *workspace;           /* host folder mounted at the workdir, or NULL */
  char *scratch;             /* run/<id> */
  char *env_file;            /* run/<id>.env, 0600, only when needed */
  GPtrArray *run_args;
  GPtrArray *run_env;
  gboolean desktop;          /* -p 127.0.0.1::6080 */
  int tty_fd;                /* interactive: the terminal of `run -i -t`, else -1 */
  GStrv terminal_argv;       /* interactive: the agent's command on it */
  GFunc terminal_drain;      /* interactive: reads the last output, before the end */
  gpointer terminal_data;
  GString *port_output;      /* what `docker port` printed */
  gulong clone_cancel_id;    /* on cancellable: kills the clone */

  gboolean run_spawned;
  gboolean container_started;
  gboolean stop_requested;
  gboolean ended;
  gboolean without_init;     /* podman without catatonit: retried once */
  gboolean saw_no_init;
  gboolean output_open[2];   /* per stream: a line came in part */
  guint stop_grace_id;
};

G_DEFINE_FINAL_TYPE (ArTaskRunner, ar_task_runner, G_TYPE_OBJECT)

static void start_container (ArTaskRunner *self);

/* ---- small helpers ------------------------------------------------------ */

static void
save_record (ArTaskRunner *self)
{
  g_autoptr(GError) error = NULL;

  if (!ar_task_save (self->task, &error))
    ar_task_log_message (self->log, "task/record", AR_LOG_WARN,
                         _("Could not write the task record: %s"), error->message);
}

static void
set_state (ArTaskRunner *self, ArTaskState state)
{
  ar_task_set_state (self->task, state);
  save_record (self);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;
  if ((dir = g_dir_open (path, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static gboolean
valid_env_name (const char *name)
{
  if (name == NULL || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;
  for (const char *p = name + 1; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_'))
      return FALSE;
  return TRUE;
}

gboolean
ar_task_runner_env_name_is_reserved (const char *name)
{
  return ar_engine_env_name_steers_cli (name);
}

void
ar_task_runner_add_env (ArTaskLog         *log,
                        const char        *task_id,
                        const char        *env_id,
                        const char *const *vars,
                        GPtrArray         *args,
                        GPtrArray         *run_env,
                        GString           *env_file_text)
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
      const char *eq = strchr (vars[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (vars[i], eq - vars[i]) : g_strdup (vars[i]);
      const char *value = eq != NULL ? eq + 1 : "";

      if (!valid_env_name (name))
        {
          if (log != NULL)
            ar_task_log_message (log, "task/env", AR_LOG_WARN,
                                 _("“%s” is not a valid variable name (letters, digits and underscores): not passed."),
                                 name);
          continue;
        }
      if (g_strv_contains (own_names, name))
        {
          if (log != NULL)
            ar_task_log_message (log, "task/env", AR_LOG_WARN,
                                 _("%s is set by Agents Runner for every task: the environment's value is not used."),
                                 name);
          continue;
        }
      if (ar_task_runner_env_name_is_reserved (name))
        {
          if (strchr (value, '\n') != NULL)
            {
              if (log != NULL)
                ar_task_log_message (log, "task/env", AR_LOG_WARN,
                                     _("The value of %s has a line break, which an env file cannot hold: not passed."),
                                     name);
              continue;
            }
          g_string_append_printf (env_file_text, "%s=%s\n", name, value);
          continue;
        }
      g_ptr_array_add (args, g_strdup ("-e"));
      g_ptr_array_add (args, g_strdup (name));
      g_ptr_array_add (run_env, g_strconcat (name, "=", value, NULL));
    }
}

gboolean
ar_task_runner_add_env_file (const char *path, GString *env_file_text, GPtrArray *args, GError **error)
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
ar_task_runner_add_workdir (const char *workdir, gboolean from_script, GPtrArray *args, GPtrArray *run_env)
{
  if (from_script)
    {
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
ar_task_runner_add_command (const char *image, const char *const *agent_argv, GPtrArray *args, GPtrArray *run_env)
{
  g_ptr_array_add (args, g_strdup (image));
  g_ptr_array_add (args, g_strdup ("/bin/sh"));
  g_ptr_array_add (args, g_strdup (AR_ENTRY_CONTAINER_DIR "/" AR_ENTRY_SCRIPT_FILE));
  for (guint i = 0; agent_argv[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (agent_argv[i]));
  g_ptr_array_add (args, NULL);
  g_ptr_array_add (run_env, NULL);
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

static gboolean
selinux_enforcing (void)
{
  g_autofree char *text = NULL;

  return g_file_get_contents ("/sys/fs/selinux/enforce", &text, NULL, NULL) && text[0] == '1';
}

/* ---- the end ------------------------------------------------------------ */

static void
end_task (ArTaskRunner *self, ArTaskState state)
{
  g_autoptr(GTask) run = g_steal_pointer (&self->run);
  double duration;

  if (self->ended)
    return;
  self->ended = TRUE;
  g_clear_handle_id (&self->stop_grace_id, g_source_remove);

  /* Always: the scratch folder holds nothing worth keeping. */
  if (self->scratch != NULL)
    remove_tree (self->scratch);
  if (self->env_file != NULL)
    g_unlink (self->env_file);

  if (self->stop_requested && state != AR_TASK_STATE_DONE)
    state = AR_TASK_STATE_CANCELLED;
  ar_task_set_finished_at (self->task, g_get_real_time ());
  duration = ar_task_get_duration (self->task);

  switch (state)
    {
    case AR_TASK_STATE_CANCELLED:
      ar_task_log_message (self->log, "task/end", AR_LOG_INFO,
                           _("cancelled after %.1f s"), duration);
      break;
    case AR_TASK_STATE_DONE:
      ar_task_log_message (self->log, "task/end", AR_LOG_INFO,
                           _("done: exit status 0 after %.1f s"), duration);
      break;
    default:
      state = AR_TASK_STATE_FAILED;
      if (ar_task_get_exit_status (self->task) >= 0)
        ar_task_log_message (self->log, "task/end", AR_LOG_ERROR,
                             _("failed: exit status %d after %.1f s"),
                             ar_task_get_exit_status (self->task), duration);
      else
        ar_task_log_message (self->log, "task/end", AR_LOG_ERROR,
                             _("failed after %.1f s: %s"), duration,
                             ar_task_get_error_message (self->task));
      break;
    }

  set_state (self, state);
  ar_task_release_ownership (self->task);
  ar_task_log_close (self->log);

  if (self->external != NULL && self->external_id != 0)
    g_cancellable_disconnect (self->external, self->external_id);
  self->external_id = 0;

  if (run != NULL)
    g_task_return_int (run, state);
}

static void
fail_task (ArTaskRunner *self, const char *scope, const char *message)
{
  ar_task_set_error_message (self->task, message);
  ar_task_log_message (self->log, scope, AR_LOG_ERROR, "%s", message);
  end_task (self, AR_TASK_STATE_FAILED);
}

/* ---- the images --------------------------------------------------------- */

static const char *
layer_name (ArLayerKind layer)
{
  return layer == AR_LAYER_DESKTOP ? _("desktop layer") : _("environment layer");
}

static void
describe_layer (const ArLayerResult *result, GString *summary, GString *layers, GString *detail)
{
  const char *name = layer_name (result->layer);
  const char *short_name = result->layer == AR_LAYER_DESKTOP ? "desktop" : "environment";
  const char *fallback = result->layer == AR_LAYER_DESKTOP ? _("the desktop is installed at start")
                                                          : _("the cached preflight runs at start");

  if (summary->len > 0 && result->state != AR_LAYER_STATE_NOT_WANTED)
    g_string_append (summary, "; ");
  switch (result->state)
    {
    case AR_LAYER_STATE_NOT_WANTED:
      return;
    case AR_LAYER_STATE_HIT:
      g_string_append_printf (summary, _("%s: cache HIT %s"), name, result->tag);
      break;
    case AR_LAYER_STATE_BUILT:
      g_string_append_printf (summary, _("%s: cache MISS, built %s"), name, result->tag);
      if (result->miss_reason != NULL && *result->miss_reason != '\0')
        g_string_append_printf (summary, " (%s)", result->miss_reason);
      break;
    case AR_LAYER_STATE_FAILED:
      g_string_append_printf (summary, _("%s: build failed; %s"), name, fallback);
      g_string_append_printf (detail, ", %s", fallback);
      return;
    case AR_LAYER_STATE_SKIPPED_FAILED_BEFORE:
    default:
      g_string_append_printf (summary, _("%s: failed before, not rebuilt; %s"), name, fallback);
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
    g_string_append (summary, _("no cached layers"));

  ar_task_set_image (self->task, r->runtime_image);
  ar_task_set_layers (self->task, layers->str);
  ar_task_set_cache_summary (self->task, summary->str);
  save_record (self);
  /* Said again just before docker run, where the spec wants it. */
  g_free (self->layers_detail);
  self->layers_detail = g_string_free (g_steal_pointer (&detail), FALSE);
}

/* ---- the scratch folder -------------------------------------------------- */

/* Podman fails on a -w the image lacks (docker makes it): without a
 * workspace mounted there, the entry script makes and enters it. */
static gboolean
workdir_from_script (ArTaskRunner *self)
{
  return ar_engine_get_kind (self->engine) == AR_ENGINE_KIND_PODMAN && self->workspace == NULL;
}

gboolean
ar_task_runner_write_script (const char *dir, const char *name, const char *text, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *with_newline = NULL;

  /* A script whose last line has no line end still runs it. */
  if (!g_str_has_suffix (text, "\n"))
    text = with_newline = g_strconcat (text, "\n", NULL);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, error))
    return FALSE;
  /* The umask may have taken bits away: a container user with another uid
   * reads these through the read-only mount (0600 was a real bug). */
  if (g_chmod (path, 0644) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not make %s readable: %s."), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_script (ArTaskRunner *self, const char *name, const char *text, GError **error)
{
  return ar_task_runner_write_script (self->scratch, name, text, error);
}

static char *
read_desktop_script (ArTaskRunner *self, const char *name)
{
  g_autofree char *dir = ar_settings_desktop_scripts_dir (self->settings);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      ar_task_log_message (self->log, "desktop/scripts", AR_LOG_WARN,
                           _("The desktop script %s cannot be read (%s): the task runs without a desktop."),
                           path, error->message);
      return NULL;
    }
  return text;
}

static gboolean
write_scratch (ArTaskRunner *self, GError **error)
{
  ArEnvironment *env = self->env;
  ArImageResolution *r = self->resolution;
  ArEntrySteps steps = { 0 };
  gboolean split = ar_environment_get_preflight_mode (env) == AR_PREFLIGHT_MODE_SPLIT;
  g_autofree char *run_dir = ar_paths_run_dir ();
  g_autofree char *entry = NULL;
  g_autoptr(GPtrArray) written = g_ptr_array_new ();

  if (g_mkdir_with_parents (run_dir, 0700) != 0 || g_chmod (run_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not make the scratch folder %s: %s."), run_dir, g_strerror (saved));
      return FALSE;
    }
  self->scratch = g_build_filename (run_dir, ar_task_get_id (self->task), NULL);
  if ((g_mkdir (self->scratch, 0755) != 0 && errno != EEXIST) || g_chmod (self->scratch, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not make the scratch folder %s: %s."), self->scratch, g_strerror (saved));
      return FALSE;
    }

  if (self->settings->preflight_enabled && !ar_script_is_blank (self->settings->preflight_script))
    {
      if (!write_script (self, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, self->settings->preflight_script, error))
        return FALSE;
      steps.settings_preflight = TRUE;
      g_ptr_array_add (written, (char *) AR_ENTRY_SETTINGS_PREFLIGHT_FILE);
    }

  /* The builder decided it (ar_environment_runs_cached_preflight_at_start()). */
  if (r->run_cached_preflight_at_start)
    {
      if (!write_script (self, AR_ENTRY_CACHED_PREFLIGHT_FILE,
                         ar_environment_get_cached_preflight_script (env), error))
        return FALSE;
      steps.cached_preflight = TRUE;
      g_ptr_array_add (written, (char *) AR_ENTRY_CACHED_PREFLIGHT_FILE);
    }
  else if (split && (r->env.state == AR_LAYER_STATE_HIT || r->env.state == AR_LAYER_STATE_BUILT))
    ar_task_log_message (self->log, "task/preflight", AR_LOG_INFO,
                         _("cached preflight: baked into %s, not run at start"), r->env.tag);

  if (split && !ar_script_is_blank (ar_environment_get_run_preflight_script (env)))
    {
      if (!write_script (self, AR_ENTRY_RUN_PREFLIGHT_FILE, ar_environment_get_run_preflight_script (env), error))
        return FALSE;
      steps.run_preflight = TRUE;
    }
  else if (!split && ar_environment_get_preflight_enabled (env) &&
           !ar_script_is_blank (ar_environment_get_preflight_script (env)))
    {
      if (!write_script (self, AR_ENTRY_RUN_PREFLIGHT_FILE, ar_environment_get_preflight_script (env), error))
        return FALSE;
      steps.run_preflight = TRUE;
      steps.run_preflight_is_legacy = TRUE;
    }
  if (steps.run_preflight)
    g_ptr_array_add (written, (char *) AR_ENTRY_RUN_PREFLIGHT_FILE);

  if (ar_environment_get_headless_desktop_enabled (env))
    {
      g_autofree char *install = r->install_desktop_at_start ? read_desktop_script (self, "install.sh") : NULL;
      g_autofree char *start = NULL;

      if (!r->install_desktop_at_start || install != NULL)
        start = read_desktop_script (self, "start.sh");
      if (start != NULL)
        {
          if (install != NULL)
            {
              if (!write_script (self, AR_ENTRY_DESKTOP_INSTALL_FILE, install, error))
                return FALSE;
              steps.desktop_install = TRUE;
              g_ptr_array_add (written, (char *) AR_ENTRY_DESKTOP_INSTALL_FILE);
            }
          if (!write_script (self, AR_ENTRY_DESKTOP_START_FILE, start, error))
            return FALSE;
          steps.desktop_start = TRUE;
          g_ptr_array_add (written, (char *) AR_ENTRY_DESKTOP_START_FILE);
          self->desktop = TRUE;
        }
    }

  steps.enter_workdir = workdir_from_script (self);
  entry = ar_entry_script_generate (&steps);
  if (!write_script (self, AR_ENTRY_SCRIPT_FILE, entry, error))
    return FALSE;
  g_ptr_array_insert (written, 0, (char *) AR_ENTRY_SCRIPT_FILE);
  g_ptr_array_add (written, NULL);
  {
    g_autofree char *names = g_strjoinv (", ", (char **) written->pdata);

    ar_task_log_message (self->log, "task/scripts", AR_LOG_INFO,
                         _("scripts for this task: %s (mounted read-only at %s)"),
                         names, AR_ENTRY_CONTAINER_DIR);
  }
  return TRUE;
}

/* ---- docker run arguments ---------------------------------------------- */

typedef struct {
  GPtrArray *args;
  GPtrArray *container_paths;
  const char *host_option;   /* ":z" on SELinux hosts, else "" */
} Mounts;

static void
add_mount (ArTaskRunner *self, Mounts *m, const char *host, const char *container,
           const char *mode, const char *what)
{
  g_autofree char *spec = NULL;
  g_autofree char *options = NULL;

  if (g_ptr_array_find_with_equal_func (m->container_paths, container, g_str_equal, NULL))
    {
      ar_task_log_message (self->log, "task/mounts", AR_LOG_WARN,
                           _("%s %s → %s not mounted: %s is already mounted"), what, host, container, container);
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

/* Checked before the task started (ar_task_runner_check_environment());
 * a folder gone since fails the task rather than run without it. */
static gboolean
add_extra_mount (ArTaskRunner *self, Mounts *m, const char *text, GError **error)
{
  g_autoptr(ArMount) mount = NULL;
  g_autofree char *spec = NULL;

  if (ar_script_is_blank (text))
    return TRUE;
  if ((mount = ar_mount_parse (text, error)) == NULL)
    return FALSE;
  if (mount->type == AR_MOUNT_BIND)
    {
      if (!g_file_test (mount->source, G_FILE_TEST_EXISTS))
        {
          /* Docker would make a missing folder, owned by root. */
          g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_MISSING_PATH,
                       _("The host path %s of the extra mount “%s” does not exist: create it, or change the mount in the environment's Container tab."),
                       mount->source, text);
          return FALSE;
        }
      add_mount (self, m, mount->source, mount->target, mount->mode, _("extra mount"));
      return TRUE;
    }

  if (g_ptr_array_find_with_equal_func (m->container_paths, mount->target, g_str_equal, NULL))
    {
      g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
                   _("The extra mount “%s” goes to %s, where something else is already mounted: change its container path in the environment's Container tab."),
                   text, mount->target);
      return FALSE;
    }
  g_ptr_array_add (m->container_paths, g_strdup (mount->target));
  /* A named volume: the engine makes it on first use and keeps it between
   * tasks. --mount, because -v would take a bad name for a relative path;
   * "ro" is the spelling both engines take (podman refuses "readonly"). */
  spec = g_strdup_printf ("type=volume,src=%s,dst=%s%s", mount->source, mount->target,
                          g_strcmp0 (mount->mode, "ro") == 0 ? ",ro" : "");
  g_ptr_array_add (m->args, g_strdup ("--mount"));
  g_ptr_array_add (m->args, g_steal_pointer (&spec));
  ar_task_log_message (self->log, "task/mounts", AR_LOG_INFO,
                       _("volume %s mounted at %s%s"), mount->source, mount->target,
                       g_strcmp0 (mount->mode, "ro") == 0 ? _(" (read-only)") : "");
  return TRUE;
}

static gboolean
is_github_shorthand (const char *target)
{
  g_auto(GStrv) parts = g_strsplit (target, "/", -1);
  const char *allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";

  return g_strv_length (parts) == 2 && parts[0][0] != '\0' && parts[1][0] != '\0' &&
         strspn (parts[0], allowed) == strlen (parts[0]) && strspn (parts[1], allowed) == strlen (parts[1]) &&
         parts[0][0] != '.' && parts[0][0] != '-';
}

static gboolean
build_run_args (ArTaskRunner *self, GError **error)
{
  ArEnvironment *env = self->env;
  ArEngineKind kind = ar_engine_get_kind (self->engine);
  const char *workdir = ar_environment_get_container_workdir (env);
  const char *agent = ar_environment_get_agent_cli (env);
  const char *const *vars = ar_environment_get_env_vars (env);
  const char *const *ports = ar_environment_get_ports (env);
  const char *const *extra_mounts = ar_environment_get_extra_mounts (env);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) run_env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) container_paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) env_file_text = g_string_new (NULL);
  g_autofree char *config_dir = NULL;
  g_autofree char *container_config = NULL;
  g_autofree char *scratch_option = NULL;
  gboolean selinux = selinux_enforcing ();
  Mounts m = { args, container_paths, selinux ? "z" : "" };
  const char *task_id = ar_task_get_id (self->task);
  const char *env_id = ar_environment_get_env_id (env);

  if (*workdir == '\0')
    workdir = AR_DEFAULT_CONTAINER_WORKDIR;

  g_ptr_array_add (args, g_strdup ("run"));
  g_ptr_array_add (args, g_strdup ("--rm"));
  if (self->tty_fd >= 0)
    {
      g_ptr_array_add (args, g_strdup ("-i"));
      g_ptr_array_add (args, g_strdup ("-t"));
    }
  if (!self->without_init)
    g_ptr_array_add (args, g_strdup ("--init"));
  g_ptr_array_add (args, g_strdup ("--name"));
  g_ptr_array_add (args, g_strdup (ar_task_get_container_name (self->task)));
  g_ptr_array_add (args, g_strdup ("--label"));
  g_ptr_array_add (args, g_strconcat (AR_LABEL_TASK_ID "=", task_id, NULL));
  g_ptr_array_add (args, g_strdup ("--label"));
  g_ptr_array_add (args, g_strconcat (AR_LABEL_ENV_ID "=", env_id, NULL));
  if (self->extra_label != NULL && *self->extra_label != '\0')
    {
      g_ptr_array_add (args, g_strdup ("--label"));
      g_ptr_array_add (args, g_strdup (self->extra_label));
    }
  /* Rootless podman maps the user's uid to the same uid inside, so that
   * files written in the workspace stay the user's. */
  if (kind == AR_ENGINE_KIND_PODMAN && geteuid () != 0 && *ar_engine_get_host (self->engine) == '\0')
    g_ptr_array_add (args, g_strdup ("--userns=keep-id"));

  /* Mounts, first one per container path wins. SELinux: shared folders get
   * the shared label (z): a private one (Z) would lock out a second task
   * mounting the same folder; the scratch folder is this task's alone. */
  if (self->workspace != NULL)
    add_mount (self, &m, self->workspace, workdir, NULL, _("workspace"));

  config_dir = ar_settings_agent_config_dir (self->settings, agent, ar_environment_get_host_config_dir (env));
  container_config = ar_agent_container_config_dir (agent);
  if (config_dir != NULL && *config_dir != '\0' && container_config != NULL &&
      ar_task_get_kind (self->task) != AR_TASK_KIND_PREFLIGHT_TEST)
    {
      g_autofree char *expanded = ar_expand_home (config_dir);

      if (g_file_test (expanded, G_FILE_TEST_IS_DIR))
        {
          add_mount (self, &m, expanded, container_config, NULL, _("config folder"));
          ar_task_log_message (self->log, "task/mounts", AR_LOG_INFO,
                               _("config folder %s mounted at %s"), expanded, container_config);
        }
      else
        ar_task_log_message (self->log, "task/mounts", AR_LOG_INFO,
                             _("no config folder %s for %s on this computer: not mounted"), expanded, agent);
    }

  scratch_option = selinux ? g_strdup ("ro,Z") : g_strdup ("ro");
  {
    /* Straight into the list: the Z must not get the shared z added. */
    g_ptr_array_add (container_paths, g_strdup (AR_ENTRY_CONTAINER_DIR));
    g_ptr_array_add (args, g_strdup ("-v"));
    g_ptr_array_add (args, g_strdup_printf ("%s:%s:%s", self->scratch, AR_ENTRY_CONTAINER_DIR, scratch_option));
  }
  for (guint i = 0; extra_mounts[i] != NULL; i++)
    if (!add_extra_mount (self, &m, extra_mounts[i], error))
      return FALSE;

  ar_task_runner_add_env (self->log, task_id, env_id, vars, args, run_env, env_file_text);
  if (env_file_text->len > 0)
    {
      g_autofree char *run_dir = ar_paths_run_dir ();

      self->env_file = g_strdup_printf ("%s/%s.env", run_dir, task_id);
      if (!ar_task_runner_add_env_file (self->env_file, env_file_text, args, error))
        return FALSE;
    }

  for (guint i = 0; ports[i] != NULL; i++)
    {
      if (ar_script_is_blank (ports[i]))
        continue;
      g_ptr_array_add (args, g_strdup ("-p"));
      g_ptr_array_add (args, g_strstrip (g_strdup (ports[i])));
    }
  if (self->desktop)
    {
      /* A random free port on the loopback only: the desktop has no password. */
      g_ptr_array_add (args, g_strdup ("-p"));
      g_ptr_array_add (args, g_strdup ("127.0.0.1::" DESKTOP_PORT));
    }

  ar_task_runner_add_workdir (workdir, workdir_from_script (self), args, run_env);
  ar_task_runner_add_command (self->resolution->runtime_image, (const char *const *) self->agent_argv,
                              args, run_env);

  g_clear_pointer (&self->run_args, g_ptr_array_unref);
  g_clear_pointer (&self->run_env, g_ptr_array_unref);
  self->run_args = g_steal_pointer (&args);
  self->run_env = g_steal_pointer (&run_env);
  return TRUE;
}

/* ---- the container ------------------------------------------------------ */

static void
port_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;
  GString *out = self->port_output;
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status = ar_engine_run_cli_finish (AR_ENGINE (source), result, &tail, &error);
  g_auto(GStrv) lines = NULL;
  const char *colon;

  if (status == 0 && out != NULL)
    {
      lines = g_strsplit (out->str, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_strstrip (lines[i]);
          if ((colon = strrchr (lines[i], ':')) != NULL && colon[1] != '\0' &&
              strspn (colon + 1, "0123456789") == strlen (colon + 1))
            {
              g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%s/vnc.html", colon + 1);

              ar_task_set_desktop_url (self->task, url);
              save_record (self);
              ar_task_log_message (self->log, "desktop/port", AR_LOG_INFO,
                                   _("desktop: %s"), url);
              return;
            }
        }
    }
  if (self->ended)
    return;
  ar_task_log_message (self->log, "desktop/port", AR_LOG_WARN,
                       _("The engine published no host port for the desktop (%s): %s There is no “Open desktop” for this task; an engine without a bridge network cannot publish ports."),
                       DESKTOP_PORT,
                       error != NULL ? error->message : (tail != NULL && *tail != '\0' ? g_strstrip (tail) : "-"));
}

static void
port_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  GString *out = user_data;

  if (stream == AR_ENGINE_STREAM_STDOUT)
    {
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
}

static void
query_desktop_port (ArTaskRunner *self)
{
  const char *args[] = { "port", ar_task_get_container_name (self->task), DESKTOP_PORT "/tcp", NULL };

  if (self->port_output != NULL)
    g_string_truncate (self->port_output, 0);
  else
    self->port_output = g_string_new (NULL);
  /* port_line writes into it until port_done: the runner is held till then. */
  ar_engine_run_cli_async (self->engine, args, NULL, port_line, self->port_output, PORT_TIMEOUT, NULL,
                           port_done, g_object_ref (self));
}

/* Hands the container's output to the log as it comes: a long line in
 * parts, each part on disk at once (see ar_task_log_stream_piece()); the
 * log keeps each stream's line apart. */
void
ar_task_runner_log_output_piece (ArTaskLog       *log,
                                 gboolean        *open,
                                 ArEngineStream   stream,
                                 const char      *text,
                                 gsize            len,
                                 ArEngineLineEnd  end)
{
  open[stream] = end == AR_ENGINE_LINE_CONTINUES;
  ar_task_log_stream_piece (log, stream == AR_ENGINE_STREAM_STDERR ? AR_LOG_STREAM_STDERR : AR_LOG_STREAM_STDOUT,
                            text, (gssize) len,
                            end == AR_ENGINE_LINE_CONTINUES ? AR_LOG_END_NONE
                            : end == AR_ENGINE_LINE_RETURN ? AR_LOG_END_RETURN
                            : AR_LOG_END_NEWLINE);
}

static void
on_container_piece (ArEngineStream   stream,
                    const char      *text,
                    gsize            len,
                    ArEngineLineEnd  end,
                    gpointer         user_data)
{
  ArTaskRunner *self = user_data;
  /* The markers below are short lines that come whole. */
  gboolean whole = !self->output_open[stream] && end != AR_ENGINE_LINE_CONTINUES;

  if (whole && stream == AR_ENGINE_STREAM_STDERR && !self->container_started &&
      g_strstr_len (text, (gssize) len, PODMAN_NO_INIT) != NULL)
    self->saw_no_init = TRUE;

  ar_task_runner_log_output_piece (self->log, self->output_open, stream, text, len, end);

  if (whole && !self->container_started && stream == AR_ENGINE_STREAM_STDOUT &&
      len == strlen (AR_ENTRY_STARTED_LINE) && memcmp (text, AR_ENTRY_STARTED_LINE, len) == 0)
    {
      self->container_started = TRUE;
      if (!self->ended)
        set_state (self, AR_TASK_STATE_RUNNING);
      if (self->desktop)
        query_desktop_port (self);
    }
}

static void
retry_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskRunner) self = user_data;

  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  if (self->stop_requested)
    end_task (self, AR_TASK_STATE_CANCELLED);
  else
    start_container (self);
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
  if (self->ended)
    return;

  /* Podman without catatonit cannot --init: once more without it. */
  if (status == 125 && self->saw_no_init && !self->without_init && !self->stop_requested)
    {
      ar_task_log_message (self->log, "docker/run", AR_LOG_WARN,
                           _("podman has no init binary (install catatonit): running without --init, so stopping the agent may take until the stop timeout"));
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
          end_task (self, AR_TASK_STATE_CANCELLED);
          return;
        }
      fail_task (self, "docker/run", error->message);
      return;
    }

  ar_task_set_exit_status (self->task, status);
  if (self->stop_requested)
    end_task (self, AR_TASK_STATE_CANCELLED);
  else if (status == 0)
    end_task (self, AR_TASK_STATE_DONE);
  else
    {
      g_autofree char *message = NULL;

      if (!self->container_started)
        message = g_strdup_printf (_("The container did not start (exit status %d): see the engine's message above."), status);
      else
        message = g_strdup_printf (_("The container exited with status %d."), status);
      ar_task_set_error_message (self->task, message);
      end_task (self, AR_TASK_STATE_FAILED);
    }
}

static void
start_container (ArTaskRunner *self)
{
  g_autoptr(GError) error = NULL;
  if (!build_run_args (self, &error))
    {
      fail_task (self, "docker/run", error->message);
      return;
    }

  ar_task_log_message (self->log, "docker/run", AR_LOG_INFO,
                       _("running image %s: %s"), self->resolution->runtime_image,
                       self->layers_detail != NULL ? self->layers_detail : "");
  self->run_spawned = TRUE;
  self->container_started = FALSE;
  self->output_open[0] = self->output_open[1] = FALSE;
  g_clear_object (&self->run_cancellable);
  self->run_cancellable = g_cancellable_new ();
  if (self->tty_fd >= 0)
    {
      /* What the terminal shows is read, and logged, by its owner. */
      self->container_started = TRUE;
      set_state (self, AR_TASK_STATE_RUNNING);
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

static void
prepare_and_start (ArTaskRunner *self)
{
  g_autoptr(GError) error = NULL;

  if (self->stop_requested)
    {
      end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  set_state (self, AR_TASK_STATE_STARTING);
  if (!write_scratch (self, &error))
    {
      fail_task (self, "task/scripts", error->message);
      return;
    }
  start_container (self);
}

/* ---- a cloned workspace ------------------------------------------------- */

/* git asks it for the credentials a clone URL held; they come from the
 * environment, never from this text or an argv. */
static const char askpass_script[] =
  "#!/bin/sh\n"
  "# Agents Runner: the clone's credentials, from git's environment\n"
  "case \"$1\" in\n"
  "  Username*) printf '%s\\n' \"$AR_GIT_USERNAME\" ;;\n"
  "  *) printf '%s\\n' \"$AR_GIT_PASSWORD\" ;;\n"
  "esac\n";

static char *
unescape_or_copy (const char *text, gsize len)
{
  g_autofree char *raw = g_strndup (text, len);
  char *decoded = g_uri_unescape_string (raw, NULL);

  return decoded != NULL ? decoded : g_steal_pointer (&raw);
}

char *
ar_task_runner_strip_url_credentials (const char *url, char **username, char **password)
{
  const char *sep = strstr (url, "://");
  const char *authority, *at = NULL, *colon;
  gboolean ssh;
  GString *out;

  if (username != NULL)
    *username = NULL;
  if (password != NULL)
    *password = NULL;
  if (sep == NULL || sep == url)
    return g_strdup (url);
  for (const char *p = url; p < sep; p++)
    if (!(g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.'))
      return g_strdup (url);
  authority = sep + 3;
  /* as git reads it: the userinfo ends at the last "@" before the path */
  for (const char *p = authority; *p != '\0' && *p != '/'; p++)
    if (*p == '@')
      at = p;
  if (at == NULL)
    return g_strdup (url);

  colon = memchr (authority, ':', at - authority);
  ssh = g_ascii_strncasecmp (url, "ssh://", 6) == 0 || g_ascii_strncasecmp (url, "git+ssh://", 10) == 0 ||
        g_ascii_strncasecmp (url, "ssh+git://", 10) == 0;
  out = g_string_new (NULL);
  g_string_append_len (out, url, authority - url);
  /* An ssh login name is no secret (and ssh needs it); any other user is
   * often a token (https://TOKEN@host/…). */
  if (ssh)
    {
      g_string_append_len (out, authority, (colon != NULL ? colon : at) - authority);
      g_string_append_c (out, '@');
    }
  else if (username != NULL)
    *username = unescape_or_copy (authority, (colon != NULL ? colon : at) - authority);
  if (colon != NULL && password != NULL)
    *password = unescape_or_copy (colon + 1, at - colon - 1);
  g_string_append (out, at + 1);
  return g_string_free (out, FALSE);
}

char **
ar_task_runner_clone_argv (const char  *target,
                           const char  *workspace,
                           const char  *askpass,
                           char      ***env,
                           char       **shown_url)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) vars = g_strv_builder_new ();
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL;

  url = ar_task_runner_strip_url_credentials (target, &username, &password);
  g_strv_builder_add (argv, "git");
  /* Never wait for a password on a terminal nobody sees. */
  g_strv_builder_add (vars, "GIT_TERMINAL_PROMPT=0");
  if (username != NULL || password != NULL)
    {
      g_autofree char *user_var = g_strconcat ("AR_GIT_USERNAME=", username != NULL ? username : "", NULL);
      g_autofree char *password_var = g_strconcat ("AR_GIT_PASSWORD=", password != NULL ? password : "", NULL);
      g_autofree char *askpass_var = g_strconcat ("GIT_ASKPASS=", askpass, NULL);

      /* The URL's credentials win over stored ones, as they did in the URL:
       * no credential helper answers before the askpass program. */
      g_strv_builder_add_many (argv, "-c", "credential.helper=", NULL);
      g_strv_builder_add_many (vars, user_var, password_var, askpass_var, NULL);
    }
  g_strv_builder_add_many (argv, "clone", "--", url, workspace, NULL);
  if (env != NULL)
    *env = g_strv_builder_end (vars);
  if (shown_url != NULL)
    *shown_url = g_steal_pointer (&url);
  return g_strv_builder_end (argv);
}

typedef struct {
  ArTaskRunner *self;
  GSubprocess *proc;
  char *shown_url;
  char *askpass;     /* removed when the clone ends */
  gboolean exited;
  gboolean eof;
} Clone;

static void
clone_free (Clone *clone)
{
  if (clone->askpass != NULL)
    g_unlink (clone->askpass);
  g_free (clone->askpass);
  g_free (clone->shown_url);
  g_clear_object (&clone->self);
  g_clear_object (&clone->proc);
  g_free (clone);
}

static void
clone_maybe_done (Clone *clone)
{
  ArTaskRunner *self = clone->self;

  if (!clone->exited || !clone->eof)
    return;
  /* The handler holds the git process: let it go with the clone. */
  g_cancellable_disconnect (self->cancellable, self->clone_cancel_id);
  self->clone_cancel_id = 0;
  if (self->stop_requested)
    end_task (self, AR_TASK_STATE_CANCELLED);
  else if (!g_subprocess_get_successful (clone->proc))
    {
      g_autofree char *message = g_strdup_printf (_("git clone failed with exit status %d: check the repository “%s” and your access to it."),
                                                  g_subprocess_get_if_exited (clone->proc)
                                                  ? g_subprocess_get_exit_status (clone->proc) : 128,
                                                  clone->shown_url);

      fail_task (self, "git/clone", message);
    }
  else
    prepare_and_start (self);
  clone_free (clone);
}

static void
clone_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  Clone *clone = user_data;

  ar_task_runner_log_output_piece (clone->self->log, clone->self->output_open, stream, text, len, end);
}

static void
clone_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Clone *clone = user_data;

  ar_engine_read_pieces_finish (result, NULL);
  clone->eof = TRUE;
  clone_maybe_done (clone);
}

static void
clone_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Clone *clone = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  clone->exited = TRUE;
  clone_maybe_done (clone);
}

static void
clone_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GSubprocess *proc = user_data;

  g_subprocess_force_exit (proc);
}

/* The askpass program, 0700 in the private run folder. */
static char *
write_askpass (ArTaskRunner *self, GError **error)
{
  g_autofree char *run_dir = ar_paths_run_dir ();
  g_autofree char *name = g_strconcat (ar_task_get_id (self->task), ".askpass", NULL);
  g_autofree char *path = g_build_filename (run_dir, name, NULL);

  if (g_mkdir_with_parents (run_dir, 0700) != 0 || g_chmod (run_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not make the folder %s: %s."), run_dir, g_strerror (saved));
      return NULL;
    }
  if (!g_file_set_contents_full (path, askpass_script, -1, G_FILE_SET_CONTENTS_NONE, 0700, error))
    return NULL;
  return g_steal_pointer (&path);
}

static void
clone_workspace (ArTaskRunner *self)
{
  const char *target = ar_environment_get_workspace_target (self->env);
  g_autofree char *url = NULL;
  g_autofree char *dir = ar_task_dup_dir (self->task);
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  Clone *clone;

  if (is_github_shorthand (target))
    url = g_strdup_printf ("https://github.com/%s.git", target);
  else
    url = ar_expand_home (target);
  self->workspace = g_build_filename (dir, "workspace", NULL);
  clone = g_new0 (Clone, 1);
  clone->self = g_object_ref (self);

  g_free (ar_task_runner_strip_url_credentials (url, &username, &password));
  /* Whatever git or the server says back never shows them either. */
  ar_task_log_add_secret (self->log, password);
  ar_task_log_add_secret (self->log, username);
  if ((username != NULL || password != NULL) && (clone->askpass = write_askpass (self, &error)) == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not hand the clone its credentials: %s."), error->message);

      clone_free (clone);
      fail_task (self, "git/clone", message);
      return;
    }
  argv = ar_task_runner_clone_argv (url, self->workspace, clone->askpass, &env, &clone->shown_url);
  ar_task_log_message (self->log, "git/clone", AR_LOG_INFO, _("cloning %s into %s"), clone->shown_url, self->workspace);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  for (guint i = 0; env[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (env[i], strchr (env[i], '=') - env[i]);

      g_subprocess_launcher_setenv (launcher, name, strchr (env[i], '=') + 1, TRUE);
    }
  clone->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  if (clone->proc == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not run git to clone the workspace: %s."), error->message);

      clone_free (clone);
      fail_task (self, "git/clone", message);
      return;
    }
  self->clone_cancel_id = g_cancellable_connect (self->cancellable, G_CALLBACK (clone_cancelled),
                                                 g_object_ref (clone->proc), g_object_unref);
  ar_engine_read_pieces_async (g_subprocess_get_stdout_pipe (clone->proc), AR_ENGINE_STREAM_STDOUT,
                               clone_piece, clone, NULL, clone_read, clone);
  g_subprocess_wait_async (clone->proc, NULL, clone_waited, clone);
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
        end_task (self, AR_TASK_STATE_CANCELLED);
      else
        fail_task (self, "image/resolve", error->message);
      return;
    }
  record_resolution (self);
  /* Each task counts once in the cache statistics (SPEC §3.6). */
  ar_image_resolution_count_task (self->resolution, self->env, self->log);
  if (self->stop_requested)
    {
      end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  if (self->workspace == NULL && ar_environment_get_workspace_kind (self->env) == AR_WORKSPACE_CLONED)
    clone_workspace (self);
  else
    prepare_and_start (self);
}

static gboolean
check_extra_mounts (ArEnvironment *env, GError **error)
{
  const char *const *mounts = ar_environment_get_extra_mounts (env);
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
      if ((mount = ar_mount_parse (mounts[i], error)) == NULL)
        return FALSE;
      if (mount->type == AR_MOUNT_BIND && !g_file_test (mount->source, G_FILE_TEST_EXISTS))
        {
          /* Docker would make a missing folder, owned by root. */
          g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_MISSING_PATH,
                       _("The host path %s of the extra mount “%s” does not exist: create it, or change the mount in the environment's Container tab."),
                       mount->source, mounts[i]);
          return FALSE;
        }
      if (g_ptr_array_find_with_equal_func (targets, mount->target, g_str_equal, NULL))
        {
          g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
                       _("The extra mount “%s” goes to %s, where something else is already mounted: change its container path in the environment's Container tab."),
                       mounts[i], mount->target);
          return FALSE;
        }
      g_ptr_array_add (targets, g_strdup (mount->target));
    }
  return TRUE;
}

gboolean
ar_task_runner_check_environment (ArEnvironment *env,
                                  ArTaskKind     kind,
                                  const char    *prompt,
                                  GError       **error)
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
                         _("The workspace folder “%s” does not exist: choose an existing folder in the environment's General tab."),
                         target);
            return FALSE;
          }
      }
      break;
    case AR_WORKSPACE_CLONED:
      if (*target == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The workspace is “cloned” but names no repository: set owner/repo or a URL in the environment's General tab."));
          return FALSE;
        }
      break;
    case AR_WORKSPACE_NONE:
    default:
      break;
    }

  return check_extra_mounts (env, error);
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
      set_state (self, AR_TASK_STATE_RUNNING);
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
        end_task (self, AR_TASK_STATE_CANCELLED);
      else
        fail_task (self, "preflight/check", error->message);
      return;
    }
  text = ar_build_check_result_describe (check);
  ar_task_set_exit_status (self->task, check->ok ? 0 : check->exit_status);
  if (check->ok)
    {
      ar_task_log_message (self->log, "preflight/check", AR_LOG_INFO, "%s", text);
      end_task (self, AR_TASK_STATE_DONE);
      return;
    }
  fail_task (self, "preflight/check", text);
}

static void
start_build_check (ArTaskRunner *self)
{
  const char *base = ar_environment_get_base_image (self->env);

  if (*base == '\0')
    base = self->settings->default_base_image != NULL ? self->settings->default_base_image : "";
  ar_task_set_image (self->task, base);
  ar_task_set_layers (self->task, "base");
  ar_task_set_cache_summary (self->task, _("build check: the cached part in a throwaway image, no cache key recorded"));
  ar_task_log_message (self->log, "preflight/check", AR_LOG_INFO,
                       _("build check: the cached part is built on %s in a throwaway image (no cache key "
                         "recorded, removed afterwards), then the run part runs on top of it with the agent "
                         "replaced by “true”"),
                       base);
  set_state (self, AR_TASK_STATE_BUILDING);
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
ar_task_runner_run_async (ArTaskRunner        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
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
                         _("Could not lock the task folder: another process may think it runs this task."));
  set_state (self, AR_TASK_STATE_PREPARING);

  if (self->log_error != NULL)
    {
      fail_task (self, "task/log", self->log_error->message);
      return;
    }

  agent = ar_task_get_kind (self->task) == AR_TASK_KIND_PREFLIGHT_TEST
          ? g_strdup (_("none (preflight test)"))
          : g_strdup (ar_environment_get_agent_cli (self->env));
  ar_task_log_message (self->log, "task/start", AR_LOG_INFO,
                       _("task %s: environment “%s” (%s), agent %s"),
                       ar_task_get_id (self->task), ar_environment_get_name (self->env),
                       ar_environment_get_env_id (self->env), agent);
  if (self->note != NULL)
    ar_task_log_message (self->log, "task/preflight-test", AR_LOG_INFO, "%s", self->note);
  if (self->build_check)
    {
      start_build_check (self);
      return;
    }

  if (!check_environment (self, &error))
    {
      fail_task (self, "task/start", error->message);
      return;
    }
  if (self->stop_requested)
    {
      end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }

  set_state (self, AR_TASK_STATE_BUILDING);
  ar_image_builder_resolve_async (self->builder, self->env, self->settings, self->log, FALSE,
                                  self->cancellable, resolve_done, g_object_ref (self));
}

ArTaskState
ar_task_runner_run_finish (ArTaskRunner *self, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), AR_TASK_STATE_FAILED);

  return (ArTaskState) g_task_propagate_int (G_TASK (result), NULL);
}

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
ar_task_runner_stop (ArTaskRunner *self)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (self));

  if (self->ended || self->stop_requested)
    return;
  self->stop_requested = TRUE;
  ar_task_log_message (self->log, "task/stop", AR_LOG_INFO, _("stopping the task"));

  if (self->run == NULL)
    {
      /* Never started (queued): it simply ends. */
      end_task (self, AR_TASK_STATE_CANCELLED);
      return;
    }
  g_cancellable_cancel (self->cancellable);
  if (self->run_spawned)
    {
      const char *args[] = { "stop", "-t", STOP_SECONDS, ar_task_get_container_name (self->task), NULL };

      ar_engine_run_cli_async (self->engine, args, NULL, NULL, NULL, STOP_COMMAND_TIMEOUT, NULL,
                               stop_done, g_object_ref (self));
    }
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
ar_task_runner_set_terminal (ArTaskRunner      *self,
                             int                tty_fd,
                             const char *const *agent_argv,
                             GFunc              drain,
                             gpointer           drain_data)
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
ar_task_runner_new (ArImageBuilder   *builder,
                    ArTask           *task,
                    ArEnvironment    *environment,
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
  save_record (self);
  return self;
}

ArTaskRunner *
ar_task_runner_new_preflight_test (ArImageBuilder   *builder,
                                   ArEnvironment    *draft,
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
  if (self->clone_cancel_id != 0)
    g_cancellable_disconnect (self->cancellable, self->clone_cancel_id);
  self->clone_cancel_id = 0;

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
  g_free (self->env_file);
  g_clear_pointer (&self->run_args, g_ptr_array_unref);
  g_clear_pointer (&self->run_env, g_ptr_array_unref);
  if (self->port_output != NULL)
    g_string_free (self->port_output, TRUE);

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
