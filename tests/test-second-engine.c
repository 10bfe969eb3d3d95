/* test-second-engine.c — a second private Docker engine (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-second-engine.h"
#include "test-utils.h"

static char *second_dir;         /* its folder, removed by stop */
static char *second_host;        /* unix://…/docker.sock */
static GSubprocess *second_reaper; /* kept for the process's life: its stdin is the pipe */

static char *
script_path (void)
{
  const char *root = g_getenv ("AR_SOURCE_ROOT");

  return g_build_filename (root != NULL ? root : ".", "tests", "engine-up.sh", NULL);
}

static void
new_session (gpointer user_data)
{
  /* out of the test's process group, as the other fixtures' reapers */
  setsid ();
}

/* Stops the engine once this process is gone, however it went (a failed
 * assertion aborts, skipping atexit): the reaper's stdin is our end of a
 * pipe. */
static void
start_reaper (const char *script)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  second_reaper = g_subprocess_launcher_spawn (launcher, &error, "sh", "-c",
                                               "cat >/dev/null; AR_TEST_DOCKERD_DIR=\"$2\" sh \"$1\" stop",
                                               "ar-test-second-engine-reaper", script, second_dir, NULL);
  g_assert_no_error (error);
}

int
ar_test_second_engine_docker (const char *const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_assert_nonnull (second_host);
  g_ptr_array_add (argv, (gpointer) "docker");
  g_ptr_array_add (argv, (gpointer) "-H");
  g_ptr_array_add (argv, second_host);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return ar_test_run_argv ((const char *const *) argv->pdata, NULL, out, err);
}

const char *
ar_test_second_engine_up (const char *image)
{
  g_autofree char *script = script_path ();
  g_auto(GStrv) envp = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "sh", script, NULL };
  const char *line;
  int status = 0;

  if (second_host != NULL)
    return second_host;
  if (geteuid () != 0)
    {
      g_test_skip ("only root may start a second private engine");
      return NULL;
    }
  second_dir = g_dir_make_tmp ("ar-test-engine2-XXXXXX", NULL);
  start_reaper (script);
  envp = g_environ_setenv (g_get_environ (), "AR_TEST_ENGINE_UP_DIR", second_dir, TRUE);
  envp = g_environ_unsetenv (envp, "DOCKER_HOST");
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL) || (line = strstr (out, "export DOCKER_HOST=")) == NULL)
    g_error ("tests/engine-up.sh could not start a second engine: %s", err != NULL ? err : error->message);
  line += strlen ("export DOCKER_HOST=");
  second_host = g_strndup (line, strcspn (line, "\n"));
  g_test_message ("the second engine: %s", second_host);
  {
    g_autofree char *change = g_strconcat ("LABEL ", ar_test_engine_run_label (), NULL);
    const char *import[] = { "import", "--change", change, ar_test_engine_base_tar (), image, NULL };
    g_autofree char *import_out = NULL;
    g_autofree char *import_err = NULL;

    if (ar_test_second_engine_docker (import, &import_out, &import_err) != 0)
      g_error ("docker import on the second engine failed: %s", import_err);
  }
  return second_host;
}
