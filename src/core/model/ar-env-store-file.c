/* ar-env-store-file.c — the file under environments.json: links followed
 * to the real file, the writers' lock, temp files a killed save left, the
 * atomic write and the read (design.md §2.3). No JSON (ar-env-store-json.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ar-env-store.h"
#include "ar-env-store-private.h"

/* environments.json may be a link (into a dotfiles folder, say): saving
 * writes through it, next to its target, instead of replacing the link. */
char *
ar_env_file_resolve_links (const char *path)
{
  g_autofree char *current = g_strdup (path);

  for (int hops = 0; hops < 40; hops++)
    {
      g_autofree char *target = g_file_read_link (current, NULL);
      g_autofree char *dir = NULL;

      if (target == NULL)
        break;
      if (g_path_is_absolute (target))
        {
          g_free (current);
          current = g_steal_pointer (&target);
          continue;
        }
      dir = g_path_get_dirname (current);
      g_free (current);
      current = g_build_filename (dir, target, NULL);
    }
  return g_steal_pointer (&current);
}

/* Every writer holds an flock on <file>.lock around read-compare-write, so
 * two saves never interleave and a temp file nobody holds the lock for is
 * stale. The lock file stays: removing it would race with the next taker. */
int
ar_env_file_take_lock (const char *target, gboolean wait, GError **error)
{
  g_autofree char *lock_path = g_strconcat (target, ".lock", NULL);
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _ ("Could not open the lock file %s: %s"), lock_path, g_strerror (saved));
      return -1;
    }
  while (flock (fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      if (saved == EINTR)
        continue;
      close (fd);
      if (saved != EWOULDBLOCK)
        g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                     _ ("Could not lock %s: %s"), lock_path, g_strerror (saved));
      return -1;
    }
  return fd;
}

/* g_mkstemp's pattern: <prefix>.XXXXXX with letters and digits. */
static gboolean
is_temp_name (const char *name, const char *prefix)
{
  gsize n = strlen (prefix);

  if (strlen (name) != n + 7 || strncmp (name, prefix, n) != 0 || name[n] != '.')
    return FALSE;
  for (gsize i = n + 1; i < n + 7; i++)
    if (!g_ascii_isalnum (name[i]))
      return FALSE;
  return TRUE;
}

/* One pass over the folder for the file's and the backup's temp files. */
static void
remove_temps_in (const char *dir_path, const char *prefix, const char *other_prefix)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *full = NULL;
      GStatBuf st;

      if (!is_temp_name (name, prefix) && (other_prefix == NULL || !is_temp_name (name, other_prefix)))
        continue;
      full = g_build_filename (dir_path, name, NULL);
      if (g_lstat (full, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == getuid ())
        {
          g_debug ("Removing %s, left by a save that did not finish", full);
          g_unlink (full);
        }
    }
}

/* A save killed between writing its temp file and renaming it leaves a full
 * copy (0600) behind. Only while nobody holds the lock is none in use. */
void
ar_env_file_remove_stale_temps (const char *path, const char *target)
{
  g_autofree char *target_dir = g_path_get_dirname (target);
  g_autofree char *target_base = g_path_get_basename (target);
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autofree char *bak_target = ar_env_file_resolve_links (bak);
  g_autofree char *bak_dir = g_path_get_dirname (bak_target);
  g_autofree char *bak_base = g_path_get_basename (bak_target);
  gboolean same_dir;
  int lock;

  if (!g_file_test (target_dir, G_FILE_TEST_IS_DIR))
    return;
  lock = ar_env_file_take_lock (target, FALSE, NULL);
  if (lock < 0)
    return;
  same_dir = g_str_equal (bak_dir, target_dir);
  remove_temps_in (target_dir, target_base, same_dir ? bak_base : NULL);
  if (!same_dir)
    remove_temps_in (bak_dir, bak_base, NULL);
  close (lock);
}

/* A temp file beside target, fsync unless tests turned it off, rename. */
gboolean
ar_env_file_write_atomically (const char *target,
                              const char *data,
                              gsize length,
                              gboolean durable,
                              GError **error)
{
  g_autofree char *tmp = g_strconcat (target, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  gsize done = 0;
  int saved;

  if (fd < 0)
    {
      saved = errno;
      g_set_error_literal (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO, g_strerror (saved));
      return FALSE;
    }
  while (done < length)
    {
      gssize n = write (fd, data + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += n;
    }
  if (durable && fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, target) != 0)
    goto fail;
  return TRUE;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  g_set_error_literal (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO, g_strerror (saved));
  return FALSE;
}

/* disk NULL: there is no file. */
gboolean
ar_env_file_read (const char *target, GBytes **disk, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char *data = NULL;
  gsize length;

  *disk = NULL;
  if (g_file_get_contents (target, &data, &length, &local_error))
    {
      *disk = g_bytes_new_take (data, length);
      return TRUE;
    }
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return TRUE;
  g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO, "%s", local_error->message);
  return FALSE;
}
