/* bench-task-start.c — a warm task start against a bare `docker run`
 *
 * Every layer cached (the environment layer is built once before timing),
 * agent `true`. Each round times one whole task (cache decisions, scratch
 * folder, docker run, record, cleanup) and one `docker run --rm IMAGE true`
 * of the same image, interleaved so that both see the same engine and
 * machine load. Prints the medians and their ratio: what the app adds on
 * top of the engine's own start.
 *
 *   bench-task-start [ROUNDS]      (default 7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "ar-task-runner.h"
#include "test-utils.h"
#include "bench-stats.h"

#define DEFAULT_ROUNDS 7

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(ArTaskState *) user_data = ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
}

/* One task to its end; returns its wall-clock time. */
static double
time_task (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, char **image)
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

static double
time_bare_run (const char *image)
{
  const char *args[] = { "run", "--rm", "--label", ar_test_engine_run_label (), image, "true", NULL };
  g_autofree char *err = NULL;
  double start = now_seconds ();

  if (ar_test_engine_docker (args, NULL, &err) != 0)
    g_error ("docker run failed: %s", err);
  return now_seconds () - start;
}

int
main (int argc, char **argv)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autofree char *base = NULL;
  g_autofree char *image = NULL;
  g_autofree double *task_times = NULL;
  g_autofree double *bare_times = NULL;
  const char *agent[] = { "true", NULL };
  int rounds = DEFAULT_ROUNDS;
  double task_median, bare_median;

  ar_test_init (&argc, &argv);
  if (argc > 1)
    rounds = MAX (1, atoi (argv[1]));
  if (!ar_test_engine_ensure ())
    {
      printf ("# skipped: %s\n", ar_test_engine_skip_reason ());
      return 77;
    }
  /* Containers and images of this run carry its label: removed at exit. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  base = ar_test_engine_base_image ();
  engine = ar_engine_new ("docker", "");
  builder = ar_image_builder_new (engine);
  settings = ar_settings_new_default ();
  env = ar_environment_new_with_id ();
  ar_environment_set_name (env, "bench");
  ar_environment_set_base_image (env, base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, "mkdir -p /opt/bench && echo baked > /opt/bench/marker\n");

  /* Warm: the environment layer is built here, and the engine has run
   * the image once. */
  time_task (builder, env, settings, &image);
  time_bare_run (image);

  task_times = g_new0 (double, rounds);
  bare_times = g_new0 (double, rounds);
  for (int i = 0; i < rounds; i++)
    {
      /* Alternate which goes first, so neither always follows the other. */
      if (i % 2 == 0)
        {
          task_times[i] = time_task (builder, env, settings, NULL);
          bare_times[i] = time_bare_run (image);
        }
      else
        {
          bare_times[i] = time_bare_run (image);
          task_times[i] = time_task (builder, env, settings, NULL);
        }
      printf ("# round %d: task %.0f ms, bare docker run %.0f ms\n", i + 1,
              task_times[i] * 1000, bare_times[i] * 1000);
    }

  task_median = median (task_times, rounds);
  bare_median = median (bare_times, rounds);
  printf ("warm task start (image %s, all layers cached, agent true): median %.0f ms over %d runs\n",
          image, task_median * 1000, rounds);
  printf ("bare docker run --rm IMAGE true: median %.0f ms over %d runs\n", bare_median * 1000, rounds);
  printf ("ratio task start / bare docker run: %.2f\n", task_median / bare_median);
  return 0;
}
