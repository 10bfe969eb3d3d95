/* fuzz-env-store.c — bytes as environments.json: whatever the store loads,
 * it saves, and what it saved loads again and saves to the same bytes
 * (issue 8 items 2 and 4).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ar-env-store.h"
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *path;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  path = g_build_filename (ar_fuzz_scratch_dir ("fuzz-env-store"), "environments.json", NULL);
  return 0;
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
  ar_fuzz_write_file (path, data, size);

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
