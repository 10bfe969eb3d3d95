/* fuzz-env-store.c — bytes as environments.json: whatever the store loads,
 * it saves, and what it saved loads again and saves to the same bytes
 * (issue 8 items 2 and 4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ar-env-store.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *dir;
static char *path;

static void
remove_dir (void)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *full = g_build_filename (dir, name, NULL);
      g_unlink (full);
    }
  g_rmdir (dir);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&dir, g_free);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* tmpfs when there is one: creating and renaming files there is
   * several times cheaper, and every run does both. */
  dir = g_strdup ("/dev/shm/fuzz-env-store-XXXXXX");
  if (g_mkdtemp (dir) == NULL)
    {
      g_free (dir);
      dir = g_dir_make_tmp ("fuzz-env-store-XXXXXX", NULL);
    }
  if (dir == NULL)
    abort ();
  path = g_build_filename (dir, "environments.json", NULL);
  atexit (remove_dir);
  return 0;
}

/* Plain write: g_file_set_contents would fsync an existing file. */
static void
write_input (const uint8_t *data, size_t size)
{
  FILE *f = fopen (path, "wb");

  if (f == NULL || (size > 0 && fwrite (data, 1, size, f) != size) || fclose (f) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(ArEnvStore) first = ar_env_store_new (path);
  g_autoptr(ArEnvStore) second = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *again = NULL;
  gsize saved_length, again_length;

  /* Entries without an id get a random one: the same one every run. */
  g_random_set_seed (8);
  ar_env_store_set_durable (first, FALSE);
  ar_env_store_set_durable (second, FALSE);
  write_input (data, size);

  if (!ar_env_store_load (first, &error))
    {
      /* Refused: with a message a user can read, and nothing written. */
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL) || ar_env_store_save (first, NULL))
        abort ();
      return 0;
    }
  if (!ar_env_store_save (first, &error))
    {
      fprintf (stderr, "save failed: %s\n", error->message);
      abort ();
    }
  if (!g_file_get_contents (path, &saved, &saved_length, NULL) || !g_utf8_validate (saved, saved_length, NULL))
    abort ();
  /* Loading the same bytes from memory spares a file read per run. */
  if (!ar_env_store_reload_data (second, saved, saved_length, NULL, &error))
    {
      fprintf (stderr, "what was saved does not load: %s\n", error->message);
      abort ();
    }
  again = ar_env_store_to_data (second, &again_length);
  if (again_length != saved_length || memcmp (again, saved, saved_length) != 0)
    {
      fprintf (stderr, "save → load → save changed the bytes\n--- first\n%s\n--- second\n%s\n", saved, again);
      abort ();
    }
  return 0;
}
