/* test-entry-script-utils.c — what the test-entry-script programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-entry-script.h"
#include "test-utils.h"
#include "test-entry-script-utils.h"

char *
make_scratch (const ArEntrySteps *steps)
{
  char *dir = ar_test_mkdtemp ("scratch");
  g_autofree char *entry = ar_entry_script_generate (steps);
  g_autofree char *path = g_build_filename (dir, AR_ENTRY_SCRIPT_FILE, NULL);

  ar_test_write_file (path, entry);
  g_chmod (path, 0644);
  return dir;
}

/* Mode 0644, as the runner writes them: never executed directly. */
void
write_step (const char *dir, const char *file, const char *text)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);

  ar_test_write_file (path, text);
  g_chmod (path, 0644);
}
