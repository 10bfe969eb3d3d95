/* fuzz-env-import.c — bytes as a file to import (the earlier tool's
 * environments.json or environment-<id>.json, this app's own file, an
 * export) into a small store: the result saves, loads again and saves to
 * the same bytes (issue 8 item 2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ar-env-import.h"
#include "fuzz-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *store_path;
static char *import_path;

/* The store the import goes into: one entry the input may collide with. */
static const char start[] =
  "{\n  \"format\": 2,\n  \"environments\": [\n    {\"version\": 1, \"env_id\": \"env-1\", \"name\": \"Default\","
  " \"color\": \"emerald\", \"env_vars\": {\"A\": \"1\"}, \"codex_extra_args\": \"--x\"}\n  ],\n"
  "  \"unreadable_entries\": [3]\n}\n";

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *dir = ar_fuzz_scratch_dir ("fuzz-env-import");

  store_path = g_build_filename (dir, "environments.json", NULL);
  /* Named like the earlier tool's per-environment files, so an entry
   * without an id takes it from the name. */
  import_path = g_build_filename (dir, "environment-fromname.json", NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (store_path);
  g_autoptr(ArEnvStore) again = ar_env_store_new (store_path);
  g_autoptr(ArImportSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *resaved = NULL;
  gsize saved_length, resaved_length;

  g_random_set_seed (8);
  ar_env_store_set_durable (store, FALSE);
  ar_env_store_set_durable (again, FALSE);
  ar_fuzz_write_file (import_path, data, size);
  /* The store's own bytes from memory: what is on disk is the same. */
  if (!ar_env_store_reload_data (store, start, sizeof start - 1, NULL, &error))
    abort ();

  /* Odd sizes import with --replace, even ones without. */
  summary = ar_env_import_file (store, import_path, size % 2 == 1, &error);
  if (summary == NULL)
    {
      if (error == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  for (guint i = 0; i < summary->warnings->len; i++)
    if (!g_utf8_validate (g_ptr_array_index (summary->warnings, i), -1, NULL))
      abort ();

  /* What a save would write, without the disk: the store harness covers the
   * writing itself, and this one stays fast enough to run millions. */
  saved = ar_env_store_to_data (store, &saved_length);
  if (!ar_env_store_reload_data (again, saved, saved_length, NULL, &error))
    {
      fprintf (stderr, "the store does not load after an import: %s\n", error->message);
      abort ();
    }
  /* Added entries are new; replaced and skipped ones are not. */
  if (ar_env_store_get_n_environments (again) != 1 + summary->added->len)
    abort ();
  resaved = ar_env_store_to_data (again, &resaved_length);
  if (resaved_length != saved_length || memcmp (resaved, saved, saved_length) != 0)
    {
      fprintf (stderr, "save → load → save changed the bytes\n--- first\n%s\n--- second\n%s\n", saved, resaved);
      abort ();
    }
  return 0;
}
