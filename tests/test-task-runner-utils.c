/* test-task-runner-utils.c — what the test-task-runner programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <libsoup/soup.h>

#include "ar-env-store.h"
#include "ar-paths.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"
#include "test-utils.h"
#include "test-task-runner-utils.h"

Engine on_docker = { "docker", ar_test_engine_docker, NULL, NULL, NULL };
Engine on_podman = { "podman", ar_test_engine_podman, NULL, NULL, NULL };

gboolean
need_engine (Engine *e)
{
  /* podman too: the fixture that makes the base's file system is Docker's */
  if (!ar_test_engine_need ())
    return FALSE;
  if (e == &on_podman && !ar_test_engine_podman_ensure ())
    {
      g_test_skip ("podman is not installed, or not running as root");
      return FALSE;
    }
  if (e->builder == NULL)
    {
      e->base = e == &on_podman ? ar_test_engine_podman_base_image () : ar_test_engine_base_image ();
      /* After the fixture: the engine captures DOCKER_HOST. */
      e->engine = ar_engine_new (e->name, "");
      e->builder = ar_image_builder_new (e->engine);
    }
  return TRUE;
}

double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until cond() holds; fails after `seconds`. */
void
wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds, const char *what)
{
  double deadline = now_seconds () + seconds;
  guint tick = g_timeout_add (50, wake, NULL);

  while (!cond (data))
    {
      if (now_seconds () > deadline)
        g_error ("timed out after %.0f s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

gboolean
task_finished (gpointer task)
{
  return ar_task_state_is_finished (ar_task_get_state (task));
}

gboolean
task_running (gpointer task)
{
  return ar_task_get_state (task) == AR_TASK_STATE_RUNNING || task_finished (task);
}

ArSettings *
new_settings (Engine *e)
{
  ArSettings *settings = ar_settings_new_default ();

  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (e->base);
  g_free (settings->engine);
  settings->engine = g_strdup (e->name);
  settings->build_timeout = 60;
  return settings;
}

ArEnvironment *
new_env (Engine *e, const char *name, const char *const *agent)
{
  ArEnvironment *env = ar_environment_new_with_id ();
  g_autofree char *full_name = g_strdup_printf ("%s %s", name, ar_environment_get_env_id (env));

  ar_environment_set_name (env, full_name);
  ar_environment_set_base_image (env, e->base);
  ar_environment_set_agent_cli (env, "custom");
  if (agent != NULL)
    ar_environment_set_custom_command (env, agent);
  return env;
}

void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
  *(gboolean *) user_data = TRUE;
}

gboolean
flag_set (gpointer flag)
{
  return *(gboolean *) flag;
}

/* Runs one task to its end with the shared docker builder. */
ArTaskRunner *
run_task (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, const char *prompt)
{
  g_autoptr(ArTask) task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env),
                                        prompt, AR_TASK_KIND_TASK);
  ArTaskRunner *runner = ar_task_runner_new (builder, task, env, settings);
  gboolean done = FALSE;

  ar_task_runner_run_async (runner, NULL, run_done, &done);
  wait_until (flag_set, &done, TASK_SECONDS, "the task to end");
  g_assert_true (task_finished (task));
  return runner;
}

char *
task_log_text (ArTask *task)
{
  g_autofree char *path = ar_task_dup_log_path (task);

  return ar_test_read_file (path);
}

void
assert_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, text);
}

void
assert_not_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” should not be in:\n%s", needle, text);
}

/* A line holding all of the needles. */
gboolean
has_line_with (const char *text, const char *a, const char *b)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], a) != NULL && strstr (lines[i], b) != NULL)
      return TRUE;
  return FALSE;
}

char *
engine_out (Engine *e, const char *const *args)
{
  char *out = NULL;
  g_autofree char *err = NULL;

  if (e->cli (args, &out, &err) != 0)
    g_error ("%s %s failed: %s", e->name, args[0], err);
  return g_strstrip (out);
}

gboolean
container_exists (Engine *e, const char *name)
{
  g_autofree char *filter = g_strconcat ("name=^", name, "$", NULL);
  const char *args[] = { "ps", "-aq", "--filter", filter, NULL };
  g_autofree char *out = engine_out (e, args);

  return *out != '\0';
}

void
count_finished (ArTaskManager *manager, ArTask *task, gpointer user_data)
{
  (*(guint *) user_data)++;
}

gboolean
count_reached (gpointer data)
{
  Count *c = data;

  return *c->count >= c->want;
}

void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_task_manager_load_finish (AR_TASK_MANAGER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

ArTaskManager *
manager_following (ArImageBuilder *builder,
                   const ArSettings *settings,
                   const char *task_id,
                   guint *finished,
                   ArTask **task)
{
  ArTaskManager *manager = ar_task_manager_new (builder, settings);
  g_autoptr(GError) error = NULL;
  gboolean loaded = FALSE;

  g_signal_connect (manager, "task-finished", G_CALLBACK (count_finished), finished);
  ar_task_manager_load_async (manager, AR_TASK_MANAGER_LOAD_RECONCILE | AR_TASK_MANAGER_LOAD_FOLLOW, NULL,
                              load_done, &loaded);
  wait_until (flag_set, &loaded, TASK_SECONDS, "the tasks to load");
  *task = ar_task_manager_lookup (manager, task_id, &error);
  g_assert_no_error (error);
  return manager;
}
