/* ar-build-lock.c — the cross-process build lock
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ar-build-lock.h"
#include "ar-paths.h"

#define POLL_MS 100

struct _ArBuildLock {
  int fd;
  char *path;
};

static char *
lock_path (const char *key, GError **error)
{
  g_autofree char *cache = ar_paths_cache_dir ();
  g_autofree char *dir = g_build_filename (cache, "locks", NULL);
  g_autofree char *name = g_strconcat (key, ".lock", NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not create the lock folder %s: %s."), dir, g_strerror (saved));
      return NULL;
    }
  return g_build_filename (dir, name, NULL);
}

static gboolean
valid_key (const char *key)
{
  if (key == NULL || key[0] == '\0')
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

/* TRUE with *out set when taken, TRUE with *out NULL when busy. */
static gboolean
try_path (const char *path, ArBuildLock **out, GError **error)
{
  *out = NULL;

  /* The holder removes the file before it lets go, so a lock taken on a
   * file that is no longer the one at @path is stale: try again. */
  for (;;)
    {
      struct stat held, current;
      int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

      if (fd < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not open the build lock %s: %s."), path, g_strerror (saved));
          return FALSE;
        }
      if (flock (fd, LOCK_EX | LOCK_NB) != 0)
        {
          int saved = errno;

          close (fd);
          if (saved == EWOULDBLOCK || saved == EINTR)
            return TRUE;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not lock %s: %s."), path, g_strerror (saved));
          return FALSE;
        }
      if (fstat (fd, &held) == 0 && g_stat (path, &current) == 0 &&
          held.st_dev == current.st_dev && held.st_ino == current.st_ino)
        {
          *out = g_new0 (ArBuildLock, 1);
          (*out)->fd = fd;
          (*out)->path = g_strdup (path);
          return TRUE;
        }
      close (fd);
    }
}

ArBuildLock *
ar_build_lock_try (const char *key, GError **error)
{
  g_autofree char *path = NULL;
  ArBuildLock *lock = NULL;

  g_return_val_if_fail (valid_key (key), NULL);

  path = lock_path (key, error);
  if (path == NULL || !try_path (path, &lock, error))
    return NULL;
  return lock;
}

void
ar_build_lock_release (ArBuildLock *lock)
{
  if (lock == NULL)
    return;
  g_unlink (lock->path);
  close (lock->fd);
  g_free (lock->path);
  g_free (lock);
}

typedef struct {
  char *path;
  GSource *timer;
} AcquireData;

static void
acquire_data_free (AcquireData *data)
{
  if (data->timer != NULL)
    {
      g_source_destroy (data->timer);
      g_source_unref (data->timer);
    }
  g_free (data->path);
  g_free (data);
}

static gboolean
poll_lock (gpointer user_data)
{
  GTask *task = user_data;
  AcquireData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ArBuildLock *lock = NULL;

  if (g_task_return_error_if_cancelled (task))
    goto done;
  if (!try_path (data->path, &lock, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      goto done;
    }
  if (lock == NULL)
    return G_SOURCE_CONTINUE;
  g_task_return_pointer (task, lock, (GDestroyNotify) ar_build_lock_release);

done:
  g_clear_pointer (&data->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

void
ar_build_lock_acquire_async (const char *key,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  AcquireData *data;

  g_return_if_fail (valid_key (key));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_build_lock_acquire_async);
  data = g_new0 (AcquireData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) acquire_data_free);

  data->path = lock_path (key, &error);
  if (data->path == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The task holds a reference through the source until it returns. */
  data->timer = g_timeout_source_new (POLL_MS);
  g_task_attach_source (task, data->timer, poll_lock);
  /* The first try at once. */
  g_source_set_ready_time (data->timer, 0);
}

ArBuildLock *
ar_build_lock_acquire_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_build_lock_acquire_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
