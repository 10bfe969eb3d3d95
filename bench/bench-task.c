/* bench-task.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "bench-task.h"

#include "bench-stats.h"
#include "test-utils.h"

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(ArTaskState *) user_data = ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
}

double
bench_time_task (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, char **image)
{
  g_autoptr(ArTask) task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "",
                                        AR_TASK_KIND_TASK);
  g_autoptr(ArTaskRunner) runner = NULL;
  ArTaskState state = AR_TASK_STATE_QUEUED;
  double start = now_seconds ();

  runner = ar_task_runner_new (builder, task, env, settings);
  ar_task_runner_run_async (runner, NULL, run_done, &state);
  while (state == AR_TASK_STATE_QUEUED)
    g_main_context_iteration (NULL, TRUE);
  if (state != AR_TASK_STATE_DONE)
    g_error ("the task ended %s: %s", ar_task_state_to_string (state), ar_task_get_error_message (task));
  if (image != NULL)
    *image = g_strdup (ar_task_get_image (task));
  return now_seconds () - start;
}

double
bench_time_bare_run (const char *image)
{
  const char *args[] = { "run", "--rm", "--label", ar_test_engine_run_label (), image, "true", NULL };
  g_autofree char *err = NULL;
  double start = now_seconds ();

  if (ar_test_engine_docker (args, NULL, &err) != 0)
    g_error ("docker run failed: %s", err);
  return now_seconds () - start;
}
