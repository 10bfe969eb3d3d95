/* fuzz-common.c — see fuzz-common.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "fuzz-common.h"

static char *scratch;

static void
remove_scratch (void)
{
  g_autoptr(GDir) d = g_dir_open (scratch, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *full = g_build_filename (scratch, name, NULL);
      g_unlink (full);
    }
  g_rmdir (scratch);
  g_clear_pointer (&scratch, g_free);
}

const char *
ar_fuzz_scratch_dir (const char *harness)
{
  g_autofree char *tmpl = g_strdup_printf ("%s-XXXXXX", harness);

  if (scratch != NULL)
    return scratch;
  scratch = g_build_filename ("/dev/shm", tmpl, NULL);
  if (g_mkdtemp (scratch) == NULL)
    {
      g_free (scratch);
      scratch = g_dir_make_tmp (tmpl, NULL);
    }
  if (scratch == NULL)
    abort ();
  atexit (remove_scratch);
  return scratch;
}

void
ar_fuzz_write_file (const char *file, const void *data, size_t size)
{
  FILE *f = fopen (file, "wb");

  if (f == NULL || (size > 0 && fwrite (data, 1, size, f) != size) || fclose (f) != 0)
    abort ();
}
