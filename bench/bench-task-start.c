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
#include "bench-task.h"

#define DEFAULT_ROUNDS 7

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
  bench_time_task (builder, env, settings, &image);
  bench_time_bare_run (image);

  task_times = g_new0 (double, rounds);
  bare_times = g_new0 (double, rounds);
  for (int i = 0; i < rounds; i++)
    {
      /* Alternate which goes first, so neither always follows the other. */
      if (i % 2 == 0)
        {
          task_times[i] = bench_time_task (builder, env, settings, NULL);
          bare_times[i] = bench_time_bare_run (image);
        }
      else
        {
          bare_times[i] = bench_time_bare_run (image);
          task_times[i] = bench_time_task (builder, env, settings, NULL);
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
