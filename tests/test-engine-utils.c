/* test-engine-utils.c — what the test-engine programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-engine.h"
#include "test-utils.h"
#include "test-engine-utils.h"

double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

/* An engine on one query path. Made after the fixture: it captures DOCKER_HOST. */
ArEngine *
engine_on (ArEngineQueryPath path)
{
  ArEngine *engine = ar_engine_new ("auto", "");

  ar_engine_set_query_path (engine, path);
  return engine;
}

int
run_sync (ArEngine *engine, const char *const *args, char **out, char **err)
{
  g_autoptr(GError) error = NULL;
  int status = ar_engine_run_cli_sync (engine, args, NULL, 60, NULL, out, err, &error);

  g_assert_no_error (error);
  return status;
}
