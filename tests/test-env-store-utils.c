/* test-env-store-utils.c — what the test-env-store programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-env-store.h"
#include "ar-paths.h"
#include <glib/gstdio.h>
#include "test-utils.h"
#include "test-env-store-utils.h"

char *
store_path (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("store");
  return g_build_filename (dir, "environments.json", NULL);
}

ArEnvStore *
load_from_text (const char *path, const char *text)
{
  g_autoptr(GError) error = NULL;
  ArEnvStore *store = ar_env_store_new (path);

  ar_test_write_file (path, text);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  return store;
}

/* ---- issue 8: what the reader accepts, the writer writes back ---------- */

ArEnvStore *
quiet_store (const char *path)
{
  ArEnvStore *store = ar_env_store_new (path);

  ar_env_store_set_durable (store, FALSE);
  return store;
}
