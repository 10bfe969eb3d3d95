/* ar-paths.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-paths.h"

#define AR_DIR_NAME "agents-runner"

/* g_get_user_*_dir() caches its answer for the whole process; tests and the
 * CLI change XDG_* before they start, but reading the variables here keeps
 * the answer right even when a caller changes them later. */
static char *
xdg_dir (const char *variable, const char *fallback_below_home)
{
  const char *value = g_getenv (variable);

  if (value != NULL && g_path_is_absolute (value))
    return g_strdup (value);
  return g_build_filename (g_get_home_dir (), fallback_below_home, NULL);
}

char *
ar_paths_environments_file (void)
{
  g_autofree char *base = xdg_dir ("XDG_CONFIG_HOME", ".config");

  return g_build_filename (base, AR_DIR_NAME, "environments.json", NULL);
}

char *
ar_paths_state_dir (void)
{
  g_autofree char *base = xdg_dir ("XDG_STATE_HOME", ".local/state");

  return g_build_filename (base, AR_DIR_NAME, NULL);
}

char *
ar_paths_tasks_dir (void)
{
  g_autofree char *state = ar_paths_state_dir ();

  return g_build_filename (state, "tasks", NULL);
}

char *
ar_paths_cache_dir (void)
{
  g_autofree char *base = xdg_dir ("XDG_CACHE_HOME", ".cache");

  return g_build_filename (base, AR_DIR_NAME, NULL);
}

char *
ar_paths_run_dir (void)
{
  g_autofree char *cache = ar_paths_cache_dir ();

  return g_build_filename (cache, "run", NULL);
}

char *
ar_paths_legacy_dir (void)
{
  return g_build_filename (g_get_home_dir (), ".midoriai", "agents-runner", NULL);
}
