/* bench-field.c — the seed's headline on a real Debian base (issue 11)
 *
 * An environment whose cached preflight installs a toolchain with apt
 * (git, curl, python3, make; through the tests' caching apt proxy, so the
 * archive is not what is measured), on the Debian base of test-debian.h,
 * agent `true`. Measured, in this order:
 *  - (untimed) a bare build of the script, so that the apt proxy holds
 *    every package and the engine has built once before anything is timed
 *    (without it, the first build of a run took 31.7 s and the next 17.0);
 *  - PAIRS pairs of first builds, each pair with a script of its own (a
 *    comment added: a new key, and nothing of another build reused), in
 *    turns of order (bare first, then the app first), so that neither
 *    gains from its place:
 *    - cold: the first task with container caching on (key, cache MISS,
 *      the environment layer's build, then the task);
 *    - bare: `docker build --no-cache` of the equivalent Dockerfile (FROM
 *      the base, COPY the script, RUN it), then a bare `docker run --rm
 *      IMAGE true` of it: what a user would do by hand; its output read
 *      as a terminal would show it, as the app reads its build's output
 *      (into the task's log);
 *  - the same pairs with a trivial script (`seq`), OVERHEAD_PAIRS of them:
 *    a build of about a second whose time varies little, so that what the
 *    app adds of its own (key, lookups, its Dockerfile's two LABEL steps,
 *    the log) shows, which the apt builds' spread of ±10 % hides;
 *  - warm: later tasks (cache HIT), interleaved with a bare `docker run
 *    --rm IMAGE true` of the same image, medians;
 *  - uncached: the same environment with caching off, so that the same
 *    script runs at every task start (as a run preflight would);
 * and prints the ratios warm ÷ bare run, cold ÷ (bare build + bare run)
 * (of the means, with each pair's own ratio), uncached ÷ warm, and the
 * number of tasks from which caching has paid for its first build.
 *
 *   bench-field [PAIRS [WARM_ROUNDS [UNCACHED_ROUNDS [OVERHEAD_PAIRS]]]]
 *                                          (default 4, 7, 2 and 8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ar-task-runner.h"
#include "test-debian.h"
#include "test-utils.h"
#include "bench-stats.h"
#include "bench-task.h"

#define DEFAULT_PAIRS 4
#define DEFAULT_WARM_ROUNDS 7
#define DEFAULT_UNCACHED_ROUNDS 2
#define DEFAULT_OVERHEAD_PAIRS 8

static const char toolchain_script[] =
  "#!/bin/sh\n"
  "set -eu\n"
  "export DEBIAN_FRONTEND=noninteractive\n"
  "apt-get update\n"
  "apt-get install -y --no-install-recommends git curl python3 make ca-certificates\n"
  "rm -rf /var/lib/apt/lists/*\n";

static const char trivial_script[] =
  "#!/bin/sh\n"
  "seq 1 300\n";

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

/* First builds, cold task against bare build and run. */
typedef struct
{
  double cold_sum;
  double bare_sum;
  double ratios[64]; /* each pair's */
  int pairs;
} FirstBuilds;

/* @pairs pairs of a cold task of @env with @script (a comment added per
 * pair) and a bare build and run of the same, in turns of order. */
static void
time_first_builds (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, const char *base,
                   const char *script, const char *what, int pairs, gboolean verbose, FirstBuilds *out)
{
  *out = (FirstBuilds){ .pairs = pairs };
  g_assert_cmpint (pairs, <=, (int) G_N_ELEMENTS (out->ratios));
  for (int i = 0; i < pairs; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s# %s, pair %d\n", script, what, i + 1);
      g_autoptr(ArEnvironment) pair_env = ar_environment_copy (env);
      g_autofree char *bare_image = NULL;
      double cold = 0, bare_build = 0, bare_run = 0, ratio;

      ar_environment_set_cached_preflight_script (pair_env, text);
      for (int turn = 0; turn < 2; turn++)
        {
          /* What the build before wrote goes to disk now, not during this
           * one (untimed): in 4 pairs without it, the second build of a
           * pair took 1.2 s longer than the first on the mean, whichever
           * it was. */
          sync ();
          if ((turn == 0) == (i % 2 == 0))
            {
              bare_build = time_bare_build (base, text, &bare_image);
              bare_run = bench_time_bare_run (bare_image);
            }
          else
            cold = bench_time_task (builder, pair_env, settings, NULL);
        }
      ratio = cold / (bare_build + bare_run);
      out->cold_sum += cold;
      out->bare_sum += bare_build + bare_run;
      out->ratios[i] = ratio;
      if (verbose)
        printf ("# %s, pair %d (%s first): cold task %.1f s; bare docker build --no-cache %.1f s + docker run %.0f ms; "
                "ratio %.2f\n",
                what, i + 1, i % 2 == 0 ? "bare" : "cold", cold, bare_build, bare_run * 1000, ratio);
    }
}

/* The median of @builds' pair ratios, and in *lo and *hi the least and the
 * greatest (median() sorts them). */
static double
ratio_spread (FirstBuilds *builds, double *lo, double *hi)
{
  double mid = median (builds->ratios, builds->pairs);

  *lo = builds->ratios[0];
  *hi = builds->ratios[builds->pairs - 1];
  return mid;
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
  g_autofree double *warm_times = NULL;
  g_autofree double *bare_times = NULL;
  g_autofree double *uncached_times = NULL;
  const char *agent[] = { "true", NULL };
  int pairs = DEFAULT_PAIRS;
  int warm_rounds = DEFAULT_WARM_ROUNDS;
  int uncached_rounds = DEFAULT_UNCACHED_ROUNDS;
  int overhead_pairs = DEFAULT_OVERHEAD_PAIRS;
  FirstBuilds apt, trivial;
  double apt_median, apt_lo, apt_hi, trivial_lo, trivial_hi;
  double cold, warm, bare, uncached;
  int break_even = 0;
  gboolean fatal = FALSE;

  ar_test_init (&argc, &argv);
  if (argc > 1)
    pairs = CLAMP (atoi (argv[1]), 1, 64);
  if (argc > 2)
    warm_rounds = MAX (1, atoi (argv[2]));
  if (argc > 3)
    uncached_rounds = MAX (1, atoi (argv[3]));
  if (argc > 4)
    overhead_pairs = CLAMP (atoi (argv[4]), 1, 64);
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
   * that neither build pays for the download (whichever came first would),
   * and a build of the engine's before the timed ones. */
  {
    g_autofree char *script = g_strconcat (toolchain_script, "# the warm-up\n", NULL);
    g_autofree char *warm_up = NULL;
    double seconds = time_bare_build (base, script, &warm_up);

    printf ("# warm-up (untimed): a bare build of the script: %.1f s\n", seconds);
  }
  time_first_builds (builder, env, settings, base, toolchain_script, "apt", pairs, TRUE, &apt);
  time_first_builds (builder, env, settings, base, trivial_script, "trivial", overhead_pairs, FALSE, &trivial);
  apt_median = ratio_spread (&apt, &apt_lo, &apt_hi);
  ratio_spread (&trivial, &trivial_lo, &trivial_hi);
  printf ("# trivial script, %d pairs: cold task %.2f s, bare build + run %.2f s (means); ratios %.2f to %.2f\n",
          overhead_pairs, trivial.cold_sum / overhead_pairs, trivial.bare_sum / overhead_pairs, trivial_lo,
          trivial_hi);

  bench_time_task (builder, env, settings, &image);  /* the image the warm tasks run */
  bench_time_bare_run (image);                      /* the engine has run it once */
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
  uncached_times = g_new0 (double, uncached_rounds);
  for (int i = 0; i < uncached_rounds; i++)
    {
      uncached_times[i] = bench_time_task (builder, uncached_env, settings, NULL);
      printf ("# uncached round %d: task %.1f s\n", i + 1, uncached_times[i]);
    }

  cold = apt.cold_sum / pairs;
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
  printf ("| first build (cold task), mean of %d | %.1f s |\n", pairs, cold);
  printf ("| bare docker build + docker run, mean of %d | %.1f s |\n", pairs, apt.bare_sum / pairs);
  printf ("| warm task start (median of %d) | %.2f s |\n", warm_rounds, warm);
  printf ("| bare docker run (median of %d) | %.2f s |\n", warm_rounds, bare);
  printf ("| task start, caching off (median of %d) | %.1f s |\n", uncached_rounds, uncached);
  printf ("| the app's own cost, trivial script: cold task - bare build and run, mean of %d | %+.2f s |\n",
          overhead_pairs, (trivial.cold_sum - trivial.bare_sum) / overhead_pairs);
  printf ("ratio warm / bare run: %.2f (goal <= 1.10)\n", warm / bare);
  printf ("ratio cold / bare build: %.2f (goal <= 1.05); pair by pair %.2f to %.2f, median %.2f\n",
          apt.cold_sum / apt.bare_sum, apt_lo, apt_hi, apt_median);
  printf ("ratio cold / bare build, trivial script: %.2f; pair by pair %.2f to %.2f\n",
          trivial.cold_sum / trivial.bare_sum, trivial_lo, trivial_hi);
  printf ("ratio uncached / warm: %.1f\n", uncached / warm);
  if (break_even > 0)
    printf ("break-even: caching has paid for its build from task %d on\n", break_even);
  else
    printf ("break-even: not within 1000 tasks (a task start with caching off is no slower)\n");
  ar_test_debian_cleanup ();
  return 0;
}
