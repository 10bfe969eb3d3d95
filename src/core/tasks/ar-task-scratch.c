/* ar-task-scratch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ar-entry-script.h"
#include "ar-paths.h"
#include "ar-task-scratch.h"
#include "ar-util.h"

char *
ar_task_scratch_dir (const char *task_id)
{
  g_autofree char *run_dir = ar_paths_run_dir ();

  return g_build_filename (run_dir, task_id, NULL);
}

char *
ar_task_scratch_env_file (const char *task_id)
{
  g_autofree char *run_dir = ar_paths_run_dir ();

  return g_strdup_printf ("%s/%s.env", run_dir, task_id);
}

void
ar_task_scratch_remove (const char *task_id)
{
  g_autofree char *scratch = ar_task_scratch_dir (task_id);
  g_autofree char *env_file = ar_task_scratch_env_file (task_id);

  /* Always: the scratch folder holds nothing worth keeping. */
  ar_remove_tree (scratch);
  g_unlink (env_file);
}

gboolean
ar_task_scratch_write_script (const char *dir, const char *name, const char *text, GError **error)
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
                   _ ("Could not make %s readable: %s."), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  const char *dir;
  ArTaskLog *log;
  ArEntrySteps steps;
  GPtrArray *written; /* names, for the log line */
} Scratch;

static gboolean
write_script (Scratch *s, const char *name, const char *text, gboolean *step, GError **error)
{
  if (!ar_task_scratch_write_script (s->dir, name, text, error))
    return FALSE;
  *step = TRUE;
  g_ptr_array_add (s->written, (char *) name);
  return TRUE;
}

static char *
read_desktop_script (Scratch *s, const ArSettings *settings, const char *name)
{
  g_autofree char *dir = ar_settings_desktop_scripts_dir (settings);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      ar_task_log_message (s->log, "desktop/scripts", AR_LOG_WARN,
                           _ ("The desktop script %s cannot be read (%s): the task runs without a desktop."),
                           path, error->message);
      return NULL;
    }
  return text;
}

static gboolean
make_folder (const char *path, int mode, gboolean with_parents, GError **error)
{
  if ((with_parents ? g_mkdir_with_parents (path, mode) != 0 : (g_mkdir (path, mode) != 0 && errno != EEXIST)) ||
      g_chmod (path, mode) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not make the scratch folder %s: %s."), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* The preflight scripts: the Settings', the cached one when it runs at
 * start, the run (or single) one. */
static gboolean
write_preflights (Scratch *s,
                  ArEnvironment *env,
                  const ArSettings *settings,
                  const ArImageResolution *r,
                  GError **error)
{
  gboolean split = ar_environment_get_preflight_mode (env) == AR_PREFLIGHT_MODE_SPLIT;

  if (settings->preflight_enabled && !ar_script_is_blank (settings->preflight_script) &&
      !write_script (s, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, settings->preflight_script,
                     &s->steps.settings_preflight, error))
    return FALSE;

  /* The builder decided it (ar_environment_runs_cached_preflight_at_start()). */
  if (r->run_cached_preflight_at_start)
    {
      g_debug ("cached preflight: not in the image %s, run at start", r->runtime_image);
      if (!write_script (s, AR_ENTRY_CACHED_PREFLIGHT_FILE, ar_environment_get_cached_preflight_script (env),
                         &s->steps.cached_preflight, error))
        return FALSE;
    }
  else if (split && (r->env.state == AR_LAYER_STATE_HIT || r->env.state == AR_LAYER_STATE_BUILT))
    ar_task_log_message (s->log, "task/preflight", AR_LOG_INFO,
                         _ ("cached preflight: baked into %s, not run at start"), r->env.tag);

  if (split && !ar_script_is_blank (ar_environment_get_run_preflight_script (env)))
    return write_script (s, AR_ENTRY_RUN_PREFLIGHT_FILE, ar_environment_get_run_preflight_script (env),
                         &s->steps.run_preflight, error);
  if (!split && ar_environment_get_preflight_enabled (env) &&
      !ar_script_is_blank (ar_environment_get_preflight_script (env)))
    {
      s->steps.run_preflight_is_legacy = TRUE;
      return write_script (s, AR_ENTRY_RUN_PREFLIGHT_FILE, ar_environment_get_preflight_script (env),
                           &s->steps.run_preflight, error);
    }
  return TRUE;
}

/* The desktop's scripts: install.sh only when the image lacks it. */
static gboolean
write_desktop (Scratch *s, const ArSettings *settings, const ArImageResolution *r, gboolean *desktop,
               GError **error)
{
  g_autofree char *install = r->install_desktop_at_start ? read_desktop_script (s, settings, "install.sh") : NULL;
  g_autofree char *start = NULL;

  if (!r->install_desktop_at_start || install != NULL)
    start = read_desktop_script (s, settings, "start.sh");
  if (start == NULL)
    return TRUE;
  g_debug ("desktop: %s", install != NULL ? "installed at start (not in the image)" : "in the image, started");
  if (install != NULL &&
      !write_script (s, AR_ENTRY_DESKTOP_INSTALL_FILE, install, &s->steps.desktop_install, error))
    return FALSE;
  if (!write_script (s, AR_ENTRY_DESKTOP_START_FILE, start, &s->steps.desktop_start, error))
    return FALSE;
  *desktop = TRUE;
  return TRUE;
}

gboolean
ar_task_scratch_write (const char *task_id,
                       ArEnvironment *env,
                       const ArSettings *settings,
                       const ArImageResolution *r,
                       gboolean enter_workdir,
                       ArTaskLog *log,
                       gboolean *desktop,
                       GError **error)
{
  g_autofree char *run_dir = ar_paths_run_dir ();
  g_autofree char *scratch = ar_task_scratch_dir (task_id);
  g_autoptr(GPtrArray) written = g_ptr_array_new ();
  g_autofree char *entry = NULL;
  g_autofree char *names = NULL;
  Scratch s = { scratch, log, { 0 }, written };
  gboolean entry_written = FALSE;

  *desktop = FALSE;
  if (!make_folder (run_dir, 0700, TRUE, error) || !make_folder (scratch, 0755, FALSE, error))
    return FALSE;
  if (!write_preflights (&s, env, settings, r, error))
    return FALSE;
  if (ar_environment_get_headless_desktop_enabled (env) && !write_desktop (&s, settings, r, desktop, error))
    return FALSE;

  s.steps.enter_workdir = enter_workdir;
  entry = ar_entry_script_generate (&s.steps);
  if (!write_script (&s, AR_ENTRY_SCRIPT_FILE, entry, &entry_written, error))
    return FALSE;
  /* The entry script first, then in the order they run. */
  g_ptr_array_remove_index (written, written->len - 1);
  g_ptr_array_insert (written, 0, (char *) AR_ENTRY_SCRIPT_FILE);
  g_ptr_array_add (written, NULL);
  names = g_strjoinv (", ", (char **) written->pdata);
  ar_task_log_message (log, "task/scripts", AR_LOG_INFO,
                       _ ("scripts for this task: %s (at %s in the container)"),
                       names, AR_ENTRY_CONTAINER_DIR);
  return TRUE;
}
