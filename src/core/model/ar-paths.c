/* ar-paths.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

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
ar_paths_install_id_file (void)
{
  g_autofree char *base = xdg_dir ("XDG_CONFIG_HOME", ".config");

  return g_build_filename (base, AR_DIR_NAME, "install-id", NULL);
}

/* An id goes into an image label as it is: a plain token only. */
static gboolean
is_valid_install_id (const char *id)
{
  gsize len = strlen (id);

  if (len < 8 || len > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* TRUE with *out_id NULL when the file does not exist. */
static gboolean
read_install_id (const char *path, char **out_id, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  *out_id = NULL;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Could not read this install’s id from %s: %s"), path,
                   local->message);
      return FALSE;
    }
  g_strstrip (text);
  if (!is_valid_install_id (text))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("%s does not hold an install id (letters, digits and “-”): remove it and a new one is made"),
                   path);
      return FALSE;
    }
  *out_id = g_steal_pointer (&text);
  return TRUE;
}

static char *
create_install_id (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *text = g_strconcat (id, "\n", NULL);
  char *found = NULL;
  int fd, saved;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not create the folder %s: %s"), dir,
                   g_strerror (saved));
      return NULL;
    }
  tmp = g_build_filename (dir, ".install-id-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not write in %s: %s"), dir,
                   g_strerror (saved));
      return NULL;
    }
  close (fd);
  if (!g_file_set_contents_full (tmp, text, -1, G_FILE_SET_CONTENTS_DURABLE, 0644, error))
    {
      g_unlink (tmp);
      return NULL;
    }
  /* link() never replaces: the first id to land stays. */
  if (link (tmp, path) != 0 && errno != EEXIST)
    {
      saved = errno;
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not create %s: %s"), path,
                   g_strerror (saved));
      return NULL;
    }
  g_unlink (tmp);
  if (!read_install_id (path, &found, error))
    return NULL;
  if (found == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("%s disappeared just after it was created"), path);
  return found;
}

char *
ar_paths_dup_install_id (GError **error)
{
  /* Path → id: read once per process (tests change XDG_CONFIG_HOME). */
  static GMutex lock;
  static GHashTable *known;
  g_autofree char *path = ar_paths_install_id_file ();
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  char *id = NULL;

  if (known == NULL)
    known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if ((id = g_hash_table_lookup (known, path)) != NULL)
    return g_strdup (id);
  if (!read_install_id (path, &id, error))
    return NULL;
  if (id == NULL && (id = create_install_id (path, error)) == NULL)
    return NULL;
  g_hash_table_insert (known, g_strdup (path), g_strdup (id));
  return id;
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
