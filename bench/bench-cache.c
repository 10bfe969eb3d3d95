/* bench-cache.c — what the image cache costs (design.md §3)
 *
 * (a) The cache decision for two layers (keys and presence of the desktop
 *     and environment layers, both present), in-process through the Engine
 *     API, against the same decision with every query through the CLI.
 * (b) A cold build of an environment layer by the builder, against a bare
 *     `docker build --no-cache` of the same Dockerfile.
 * Both ratios are measured in the same run and printed side by side.
 *
 * Run: meson test -C BUILDDIR --benchmark cache -v   (needs an engine)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ar-dockerfile.h"
#include "ar-image-builder.h"
#include "bench-stats.h"
#include "test-utils.h"

#define API_ROUNDS 300
#define CLI_ROUNDS 10
#define BUILD_ROUNDS 3

static ArImageResolution *
run (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, gboolean plan_only)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ArImageResolution *res;

  if (plan_only)
    {
      ar_image_builder_plan_async (builder, env, settings, NULL, ar_test_store_result, &result);
      res = ar_image_builder_plan_finish (builder, ar_test_wait_result (&result), &error);
    }
  else
    {
      ar_image_builder_resolve_async (builder, env, settings, NULL, FALSE, NULL, ar_test_store_result, &result);
      res = ar_image_builder_resolve_finish (builder, ar_test_wait_result (&result), &error);
    }
  if (res == NULL)
    g_error ("%s", error->message);
  return res;
}

static double
decision_seconds (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, guint rounds)
{
  double started = now_seconds ();

  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(ArImageResolution) res = run (builder, env, settings, TRUE);

      if (res->desktop.state != AR_LAYER_STATE_HIT || res->env.state != AR_LAYER_STATE_HIT)
        g_error ("the decision should find both layers present");
    }
  return (now_seconds () - started) / rounds;
}

static double
bare_build_seconds (const char *base, const char *script)
{
  g_autofree char *dir = ar_test_mkdtemp ("bare");
  g_autofree char *dockerfile_path = g_build_filename (dir, "Dockerfile", NULL);
  g_autofree char *script_path = g_build_filename (dir, AR_CONTEXT_ENV_SCRIPT, NULL);
  g_autofree char *tag = g_strdup_printf ("ar-bench-bare:%s", ar_test_engine_run_id ());
  g_autoptr(GBytes) bytes = g_bytes_new (script, strlen (script));
  ArDockerfileParams params = { .layer = AR_LAYER_ENV, .parent = base,
                                .has_shebang = ar_dockerfile_has_shebang (bytes) };
  g_autofree char *dockerfile = ar_dockerfile_generate (&params, NULL);
  const char *args[] = { "build", "--no-cache", "-q", "--label", ar_test_engine_run_label (), "-t", tag,
                         "-f", dockerfile_path, dir, NULL };
  g_autofree char *err = NULL;
  double started;

  ar_test_write_file (dockerfile_path, dockerfile);
  ar_test_write_file (script_path, script);
  g_chmod (script_path, 0644);
  started = now_seconds ();
  if (ar_test_engine_docker (args, NULL, &err) != 0)
    g_error ("bare docker build failed: %s", err);
  return now_seconds () - started;
}

int
main (int argc, char *argv[])
{
  g_autoptr(ArEngine) api_engine = NULL;
  g_autoptr(ArEngine) cli_engine = NULL;
  g_autoptr(ArImageBuilder) api = NULL;
  g_autoptr(ArImageBuilder) cli = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) warm = NULL;
  g_autofree char *base = NULL;
  g_autofree char *scripts = NULL;
  g_autofree char *install = NULL;
  double api_s, cli_s;
  double cold[BUILD_ROUNDS], bare[BUILD_ROUNDS];

  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);
  if (!ar_test_engine_ensure ())
    {
      printf ("bench-cache: skipped, %s\n", ar_test_engine_skip_reason ());
      return 77;
    }

  base = ar_test_engine_base_image ();
  settings = ar_settings_new_default ();
  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (base);
  scripts = ar_test_mkdtemp ("desktop");
  install = g_build_filename (scripts, "install.sh", NULL);
  ar_test_write_file (install, "#!/bin/sh\necho desktop > /desktop-marker\n");

  env = ar_environment_new_with_id ();
  ar_environment_set_base_image (env, base);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  ar_environment_set_cache_desktop_build (env, TRUE);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, "echo cached > /cached-marker\n");
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);

  api_engine = ar_engine_new ("docker", "");
  cli_engine = ar_engine_new ("docker", "");
  ar_engine_set_query_path (cli_engine, AR_ENGINE_QUERY_PATH_CLI);
  api = ar_image_builder_new (api_engine);
  cli = ar_image_builder_new (cli_engine);

  /* (a) both layers present, then decide again and again */
  warm = run (api, env, settings, FALSE);
  if (!ar_layer_result_in_image (&warm->desktop) || !ar_layer_result_in_image (&warm->env))
    g_error ("the layers could not be built");
  decision_seconds (api, env, settings, 5);
  api_s = decision_seconds (api, env, settings, API_ROUNDS);
  if (ar_engine_get_last_query_path (api_engine) != AR_ENGINE_QUERY_PATH_API)
    printf ("note: the engine has no API socket here; both runs used the CLI\n");
  cli_s = decision_seconds (cli, env, settings, CLI_ROUNDS);

  /* (b) cold builds: a new script each round, so nothing is cached */
  ar_environment_set_headless_desktop_enabled (env, FALSE);
  for (guint i = 0; i < BUILD_ROUNDS; i++)
    {
      g_autofree char *script = g_strdup_printf ("#!/bin/sh\necho round %u %08x > /cached-marker\n",
                                                 i, g_random_int ());
      g_autoptr(ArImageResolution) res = NULL;
      double started;

      ar_environment_set_cached_preflight_script (env, script);
      started = now_seconds ();
      res = run (api, env, settings, FALSE);
      cold[i] = now_seconds () - started;
      if (res->env.state != AR_LAYER_STATE_BUILT)
        g_error ("the cold build did not build");
      bare[i] = bare_build_seconds (base, script);
    }

  printf ("cache decision, 2 layers present: in-process (API) %.3f ms, CLI queries %.1f ms per decision; "
          "CLI / in-process = %.0f\n",
          api_s * 1000, cli_s * 1000, cli_s / api_s);
  printf ("cold build of the environment layer: builder %.2f s, bare docker build --no-cache %.2f s "
          "(medians of %d); builder / bare = %.2f\n",
          median (cold, BUILD_ROUNDS), median (bare, BUILD_ROUNDS), BUILD_ROUNDS,
          median (cold, BUILD_ROUNDS) / median (bare, BUILD_ROUNDS));
  return 0;
}
