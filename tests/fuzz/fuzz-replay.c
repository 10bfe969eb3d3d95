/* fuzz-replay.c — runs a libFuzzer harness over its corpus without libFuzzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked into each harness when the build is not a fuzzing build (gcc, or
 * clang without -Dfuzzing=true), so that every seed and every input a fuzzer
 * once found keeps running as a regression test in the ordinary suite.
 * Arguments are files or folders (read one level deep, in name order).
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static guint
replay_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      fprintf (stderr, "cannot read %s: %s\n", path, error->message);
      exit (2);
    }
  /* A copy of exactly the input's size, so that ASan sees a read past it. */
  g_autofree uint8_t *copy = g_memdup2 (contents, length);
  LLVMFuzzerTestOneInput (copy, length);
  return 1;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static guint
replay_dir (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint count = 0;

  if (dir == NULL)
    {
      fprintf (stderr, "cannot open %s: %s\n", path, error->message);
      exit (2);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    if (g_file_test (names->pdata[i], G_FILE_TEST_IS_REGULAR))
      count += replay_file (names->pdata[i]);
  return count;
}

int
main (int argc, char **argv)
{
  guint count = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        count += replay_dir (argv[i]);
      else
        count += replay_file (argv[i]);
    }
  if (count == 0)
    {
      fprintf (stderr, "no input was replayed\n");
      return 1;
    }
  printf ("replayed %u inputs without a failure\n", count);
  return 0;
}
