/* ar-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ar-util.h"

void
ar_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        ar_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

char *
ar_expand_home (const char *path)
{
  if (g_str_equal (path, "~"))
    return g_strdup (g_get_home_dir ());
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);
  return g_strdup (path);
}

gboolean
ar_is_env_name (const char *name, gssize len)
{
  gsize n;

  if (name == NULL)
    return FALSE;
  n = len < 0 ? strlen (name) : (gsize) len;
  if (n == 0 || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!(g_ascii_isalnum (name[i]) || name[i] == '_'))
      return FALSE;
  return TRUE;
}

/* ---- blocking on an async call ----------------------------------------------- */

void
ar_sync_wait_begin (ArSyncWait *wait)
{
  wait->context = g_main_context_new ();
  wait->result = NULL;
  wait->private_context = TRUE;
  g_main_context_push_thread_default (wait->context);
}

void
ar_sync_wait_begin_shared (ArSyncWait *wait)
{
  wait->context = g_main_context_ref_thread_default ();
  wait->result = NULL;
  wait->private_context = FALSE;
}

void
ar_sync_wait_callback (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArSyncWait *wait = user_data;

  g_assert (wait != NULL && wait->result == NULL);
  wait->result = g_object_ref (result);
}

GAsyncResult *
ar_sync_wait_run (ArSyncWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);
  return wait->result;
}

void
ar_sync_wait_end (ArSyncWait *wait)
{
  if (wait->private_context)
    {
      /* Let what the operation left behind (closing sockets, …) run down. */
      while (g_main_context_pending (wait->context))
        g_main_context_iteration (wait->context, FALSE);
      g_main_context_pop_thread_default (wait->context);
    }
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->context, g_main_context_unref);
}
