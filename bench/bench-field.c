/* bench-field.c — the seed's headline on a real Debian base (issue 11)
 *
 * An environment whose cached preflight installs a toolchain with apt
 * (git, curl, python3, make; through the tests' caching apt proxy, so the
 * archive is not what is measured), on the Debian base of test-debian.h,
 * agent `true`. Measured, in this order:
 *  - (untimed) a bare build of the script, so that the apt proxy holds
 *    every package and the engine has built once before anything is timed;
 *  - bare build: `docker build --no-cache` of the equivalent Dockerfile
 *    (FROM the base, COPY the script, RUN it), then a bare `docker run
 *    --rm IMAGE true` of it: what a user would do by hand; its output read
 *    as a terminal would show it, since the app reads its build's output
 *    too (into the task's log; with -q, the bare build came out 0.1 to
 *    0.2 s per 5 000 lines cheaper);
 *  - cold: the first task with container caching on (key, cache MISS,
 *    the environment layer's build, then the task);
 *  - warm: later tasks (cache HIT), interleaved with a bare `docker run
 *    --rm IMAGE true` of the same image, medians;
 *  - cold and bare build once more, in the other order (the script with
 *    a comment added: a new key, and nothing of the first builds reused),
 *    so that neither gains from coming second; the ratio is of the means;
 *  - uncached: the same environment with caching off, so that the same
 *    script runs at every task start (as a run preflight would);
 * and prints the ratios warm ÷ bare run, cold ÷ (bare build + bare run),
 * uncached ÷ warm, and the number of tasks from which caching has paid
 * for its first build.
 *
 *   bench-field [WARM_ROUNDS [UNCACHED_ROUNDS]]     (default 7 and 2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "ar-task-runner.h"
#include "test-debian.h"
#include "test-utils.h"
#include "bench-stats.h"
#include "bench-task.h"

#define DEFAULT_WARM_ROUNDS 7
#define DEFAULT_UNCACHED_ROUNDS 2

static const char toolchain_script[] =
  "#!/bin/sh\n"
  "set -eu\n"
  "export DEBIAN_FRONTEND=noninteractive\n"
  "apt-get update\n"
  "apt-get install -y --no-install-recommends git curl python3 make ca-certificates\n"
  "rm -rf /var/lib/apt/lists/*\n";

/* `docker build --no-cache` of FROM base + @script; sets *image. */
static double
time_bare_build (const char *base, const char *script, char **image)
{
  g_autofree char *ctx = ar_test_mkdtemp ("bench-field-build");
  g_autofree char *script_path = g_build_filename (ctx, "cached.sh", NULL);
  g_autofree char *dockerfile_path = g_build_filename (ctx, "Dockerfile", NULL);
  g_autofree char *dockerfile = g_strdup_printf ("FROM %s\n"
                                                 "COPY cached.sh /tmp/cached.sh\n"
                                                 "RUN /bin/sh /tmp/cached.sh && rm -f /tmp/cached.sh\n",
                                                 base);
  g_autofree char *name = g_strdup_printf ("ar-bench-field:%s-%u", ar_test_engine_run_id (), g_str_hash (script));
  const char *args[] = { "build", "--no-cache", "--label", ar_test_engine_run_label (), "-t", name, ctx, NULL };
  g_autofree char *err = NULL;
  double start;

  ar_test_write_file (script_path, script);
  ar_test_write_file (dockerfile_path, dockerfile);
  g_chmod (script_path, 0644);
  start = now_seconds ();
  if (ar_test_engine_docker (args, NULL, &err) != 0)
    g_error ("docker build failed: %s", err);
  *image = g_steal_pointer (&name);
  return now_seconds () - start;
}

int
main (int argc, char **argv)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvironment) uncached_env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autofree char *base = NULL;
  g_autofree char *why = NULL;
  g_autofree char *image = NULL;
  g_autofree char *bare_image = NULL;
  g_autofree double *warm_times = NULL;
  g_autofree double *bare_times = NULL;
  g_autofree double *uncached_times = NULL;
  const char *agent[] = { "true", NULL };
  int warm_rounds = DEFAULT_WARM_ROUNDS;
  int uncached_rounds = DEFAULT_UNCACHED_ROUNDS;
  double bare_build, bare_build_run, cold, warm, bare, uncached;
  int break_even = 0;
  gboolean fatal = FALSE;

  ar_test_init (&argc, &argv);
  if (argc > 1)
    warm_rounds = MAX (1, atoi (argv[1]));
  if (argc > 2)
    uncached_rounds = MAX (1, atoi (argv[2]));
  if (!ar_test_debian_images ("docker", &base, NULL, &fatal, &why))
    {
      printf ("# %s: %s\n", fatal ? "failed" : "skipped", why);
      return fatal ? 1 : 77;
    }
  /* Containers and images of this run carry its label: removed at exit. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  engine = ar_engine_new ("docker", "");
  builder = ar_image_builder_new (engine);
  settings = ar_settings_new_default ();
  env = ar_environment_new_with_id ();
  ar_environment_set_name (env, "bench-field");
  ar_environment_set_base_image (env, base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, toolchain_script);
  uncached_env = ar_environment_copy (env);
  ar_environment_set_cache_container_build (uncached_env, FALSE);

  /* The packages in the apt proxy's cache before anything is timed, so
   * that neither build pays for the download (whichever came first would);
   * and a build of the engine's before it, so that neither pays for the
   * engine's first build either (in one run without it, the first bare
   * build took 31.7 s and the second 17.0 s; the first cold task 25.7 s
   * and the second 18.3 s). */
  {
    g_autofree char *script = g_strconcat (toolchain_script, "# the warm-up\n", NULL);
    g_autofree char *warm_up = NULL;
    double seconds = time_bare_build (base, script, &warm_up);

    printf ("# warm-up (untimed): a bare build of the script: %.1f s\n", seconds);
  }
  bare_build = time_bare_build (base, toolchain_script, &bare_image);
  bare_build_run = bench_time_bare_run (bare_image);
  printf ("# bare docker build --no-cache: %.1f s, then docker run --rm IMAGE true: %.0f ms\n", bare_build,
          bare_build_run * 1000);
  cold = bench_time_task (builder, env, settings, &image);
  printf ("# cold task (build of the environment layer, then the task): %.1f s\n", cold);

  bench_time_bare_run (image);  /* the engine has run the image once */
  warm_times = g_new0 (double, warm_rounds);
  bare_times = g_new0 (double, warm_rounds);
  for (int i = 0; i < warm_rounds; i++)
    {
      /* Alternate which goes first, so neither always follows the other. */
      if (i % 2 == 0)
        {
          warm_times[i] = bench_time_task (builder, env, settings, NULL);
          bare_times[i] = bench_time_bare_run (image);
        }
      else
        {
          bare_times[i] = bench_time_bare_run (image);
          warm_times[i] = bench_time_task (builder, env, settings, NULL);
        }
      printf ("# warm round %d: task %.0f ms, bare docker run %.0f ms\n", i + 1, warm_times[i] * 1000,
              bare_times[i] * 1000);
    }
  /* The other order: the cold task first, then the bare build. */
  {
    g_autofree char *script = g_strconcat (toolchain_script, "# the second round\n", NULL);
    g_autoptr(ArEnvironment) env2 = ar_environment_copy (env);
    g_autofree char *image2 = NULL;
    double cold2, bare_build2, bare_build_run2;

    ar_environment_set_cached_preflight_script (env2, script);
    cold2 = bench_time_task (builder, env2, settings, NULL);
    bare_build2 = time_bare_build (base, script, &image2);
    bare_build_run2 = bench_time_bare_run (image2);
    printf ("# second round, cold task first: %.1f s; then bare docker build --no-cache: %.1f s and docker run: %.0f ms\n",
            cold2, bare_build2, bare_build_run2 * 1000);
    cold = (cold + cold2) / 2;
    bare_build = (bare_build + bare_build2) / 2;
    bare_build_run = (bare_build_run + bare_build_run2) / 2;
  }
  uncached_times = g_new0 (double, uncached_rounds);
  for (int i = 0; i < uncached_rounds; i++)
    {
      uncached_times[i] = bench_time_task (builder, uncached_env, settings, NULL);
      printf ("# uncached round %d: task %.1f s\n", i + 1, uncached_times[i]);
    }

  warm = median (warm_times, warm_rounds);
  bare = median (bare_times, warm_rounds);
  uncached = median (uncached_times, uncached_rounds);
  /* n tasks cost cold + (n - 1) warm with caching, n uncached without:
   * the first n where caching costs no more. */
  for (int n = 1; n <= 1000 && break_even == 0; n++)
    if (cold + (n - 1) * warm <= n * uncached)
      break_even = n;

  printf ("cached preflight: apt-get install git curl python3 make (through the apt proxy), agent true\n");
  printf ("| measure | time |\n| --- | --- |\n");
  printf ("| first build (cold task), mean of 2 | %.1f s |\n", cold);
  printf ("| bare docker build + docker run, mean of 2 | %.1f s |\n", bare_build + bare_build_run);
  printf ("| warm task start (median of %d) | %.2f s |\n", warm_rounds, warm);
  printf ("| bare docker run (median of %d) | %.2f s |\n", warm_rounds, bare);
  printf ("| task start, caching off (median of %d) | %.1f s |\n", uncached_rounds, uncached);
  printf ("ratio warm / bare run: %.2f (goal <= 1.10)\n", warm / bare);
  printf ("ratio cold / bare build: %.2f (goal <= 1.05)\n", cold / (bare_build + bare_build_run));
  printf ("ratio uncached / warm: %.1f\n", uncached / warm);
  if (break_even > 0)
    printf ("break-even: caching has paid for its build from task %d on\n", break_even);
  else
    printf ("break-even: not within 1000 tasks (a task start with caching off is no slower)\n");
  ar_test_debian_cleanup ();
  return 0;
}
