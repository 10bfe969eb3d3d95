/* test-image-builder-layers.c — ArImageBuilder: the environment and desktop layers on each engine, the build user, one build per key, cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-build-lock.h"
#include "ar-dockerfile.h"
#include "ar-image-builder-private.h"
#include "ar-image-builder.h"
#include "ar-paths.h"
#include "test-utils.h"
#include "test-image-builder-utils.h"

static char *
run_in (Engine *e, const char *image, const char *const *command)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "run");
  g_ptr_array_add (args, (char *) "--rm");
  g_ptr_array_add (args, (char *) "--label");
  g_ptr_array_add (args, (char *) ar_test_engine_run_label ());
  g_ptr_array_add (args, (char *) image);
  for (guint i = 0; command[i] != NULL; i++)
    g_ptr_array_add (args, (char *) command[i]);
  g_ptr_array_add (args, NULL);
  return engine_out (e, (const char *const *) args->pdata);
}

/* The env image really sits on the base: the base's layers are the first
 * of its own. */
static void
assert_layers_extend (Engine *e, const char *child, const char *parent)
{
  g_autofree char *child_layers = inspect_format (e, child, "{{range .RootFS.Layers}}{{.}} {{end}}");
  g_autofree char *parent_layers = inspect_format (e, parent, "{{range .RootFS.Layers}}{{.}} {{end}}");

  g_assert_true (g_str_has_prefix (child_layers, parent_layers));
  g_assert_cmpuint (strlen (child_layers), >, strlen (parent_layers));
}

/* The child was built FROM the parent: its history, newest first, ends
 * with the parent's. (Not by image IDs: podman names a step by whichever
 * image has that top layer, which may be an untagged one of the build.) */
static void
assert_history_extends (Engine *e, const char *child, const char *parent)
{
  const char *child_args[] = { "image", "history", "--no-trunc", "--format", "step {{.CreatedBy}}", child, NULL };
  const char *parent_args[] = { "image", "history", "--no-trunc", "--format", "step {{.CreatedBy}}", parent, NULL };
  g_autofree char *child_steps = engine_out (e, child_args);
  g_autofree char *parent_steps = engine_out (e, parent_args);
  g_autofree char *tail = g_strconcat ("\n", parent_steps, NULL);

  if (!g_str_has_suffix (child_steps, tail))
    g_error ("the history of %s does not extend that of %s:\n%s\n----\n%s", child, parent, child_steps, parent_steps);
}

static double
bare_build_seconds (Engine *e, const char *dockerfile, const char *script)
{
  g_autofree char *dir = ar_test_mkdtemp ("bare");
  g_autofree char *df = g_build_filename (dir, "Dockerfile", NULL);
  g_autofree char *sc = g_build_filename (dir, AR_CONTEXT_ENV_SCRIPT, NULL);
  g_autofree char *tag = g_strdup_printf ("ar-test-bare:%s", ar_test_engine_run_id ());
  const char *args[] = { "build", "--no-cache", "-q", "--label", ar_test_engine_run_label (), "-t", tag,
                         "-f", df, dir, NULL };
  double started;

  ar_test_write_file (df, dockerfile);
  ar_test_write_file (sc, script);
  g_chmod (sc, 0644);
  started = now_seconds ();
  g_free (engine_out (e, args));
  return now_seconds () - started;
}

static void
test_env_layer (gconstpointer data)
{
  Engine *e = (Engine *) data;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) first = NULL;
  g_autoptr(ArImageResolution) second = NULL;
  g_autoptr(Log) log1 = NULL;
  g_autoptr(Log) log2 = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *built_id = NULL;
  g_autofree char *line = NULL;
  g_autofree char *secret = NULL;
  ArImageStats stats;
  double cold, bare;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  id = base_id (e);
  /* the build's environment is dumped, to show no env var reaches it */
  {
    g_autofree char *marker_text = marker_script (nonce, "/cached-marker");

    script = g_strconcat (marker_text, "env > /build-env\n", NULL);
  }
  env = split_env (base, script, "echo run preflight\n");
  secret = g_strdup_printf ("AR_TEST_TOKEN=secret-%s", nonce);
  ar_environment_set_env_vars (env, (const char *const[]) { secret, NULL });
  settings = test_settings (e);
  builder = new_builder (e);

  log1 = log_new ();
  cold = now_seconds ();
  first = resolve (builder, env, settings, log1, FALSE);
  cold = now_seconds () - cold;
  g_assert_cmpint (first->env.state, ==, AR_LAYER_STATE_BUILT);
  g_assert_cmpint (first->desktop.state, ==, AR_LAYER_STATE_NOT_WANTED);
  g_assert_true (first->base_present);
  g_assert_cmpstr (first->base_image, ==, base);
  g_assert_cmpstr (first->base_image_id, ==, id);
  g_assert_cmpstr (first->env.parent, ==, id);
  g_assert_cmpstr (first->env.miss_reason, ==, "no image of this layer existed yet");
  g_assert_cmpstr (first->runtime_image, ==, first->env.tag);
  g_assert_cmpstr (first->runtime_user, ==, "");
  g_assert_false (first->run_cached_preflight_at_start);
  g_assert_false (first->install_desktop_at_start);
  {
    g_autofree char *tag = ar_cache_key_tag (AR_LAYER_ENV, first->env.key);

    g_assert_cmpstr (first->env.tag, ==, tag);
  }

  /* The key covers the base's ID and the Dockerfile FROM that ID, even
   * though the build named the base by its name. */
  {
    g_autoptr(GArray) files = ar_cache_key_env_layer_files (env);
    g_autoptr(GBytes) bytes = g_bytes_new (script, strlen (script));
    ArDockerfileParams params = { AR_LAYER_ENV, id, "", ar_dockerfile_has_shebang (bytes), NULL, NULL };
    g_autofree char *dockerfile = ar_dockerfile_generate (&params, NULL);
    ArCacheKeyInputs in = { AR_LAYER_ENV, id, "", dockerfile, (ArContextFile *) files->data, files->len, "" };
    g_autofree char *key = ar_cache_key_compute (&in);

    g_assert_cmpstr (first->env.key, ==, key);
  }

  /* what the engine has */
  built_id = image_id (e, first->env.tag);
  g_assert_cmpstr (built_id, ==, first->env.image_id);
  g_free (marker);
  marker = image_label (e, first->env.tag, AR_LABEL_PARENT);
  g_assert_cmpstr (marker, ==, id);
  g_free (marker);
  marker = image_label (e, first->env.tag, AR_LABEL_CACHE_KEY);
  g_assert_cmpstr (marker, ==, first->env.key);
  g_free (marker);
  marker = image_label (e, first->env.tag, AR_LABEL_ENV_ID);
  g_assert_cmpstr (marker, ==, ar_environment_get_env_id (env));
  g_free (marker);
  marker = image_label (e, first->env.tag, "io.github.agents-runner.test-run");
  g_assert_cmpstr (marker, ==, ar_test_engine_run_id ());
  assert_layers_extend (e, first->env.tag, base);
  assert_history_extends (e, first->env.tag, base);
  /* the cached preflight ran at build time and left its file */
  {
    const char *cat[] = { "cat", "/cached-marker", NULL };

    g_free (marker);
    marker = run_in (e, first->env.tag, cat);
    g_assert_cmpstr (marker, ==, nonce);
  }
  /* nothing of env_vars reached the build, or the image */
  {
    const char *cat[] = { "cat", "/build-env", NULL };
    g_autofree char *dump = run_in (e, first->env.tag, cat);
    g_autofree char *config = inspect_format (e, first->env.tag, "{{json .Config}}");

    g_assert_nonnull (strstr (dump, "PATH="));
    g_assert_null (strstr (dump, "AR_TEST_TOKEN"));
    g_assert_null (strstr (config, "secret-"));
  }
  /* nothing of the build folder is left in the image */
  {
    const char *ls[] = { "ls", "/tmp", NULL };

    g_free (marker);
    marker = run_in (e, first->env.tag, ls);
    g_assert_cmpstr (marker, ==, "");
  }

  /* the log: decision with tag and key, the build's own output, the folder gone */
  line = log_line_with (log1, "[image/env][INFO] cache MISS ", first->env.tag);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, first->env.key));
  g_assert_nonnull (strstr (line, "no image of this layer existed yet"));
  assert_log_has (log1, "[image/base][INFO] base image ");
  assert_log_has (log1, "present; not pulled");
  g_free (marker);
  marker = g_strdup_printf ("building-%s", nonce);
  assert_log_has (log1, marker);
  assert_log_has (log1, "[image][INFO] runtime image ");
  assert_context_removed (log1);
  assert_log_lacks (log1, "pulling");

  /* again: a HIT, nothing built */
  log2 = log_new ();
  second = resolve (builder, env, settings, log2, FALSE);
  g_assert_cmpint (second->env.state, ==, AR_LAYER_STATE_HIT);
  g_assert_null (second->env.miss_reason);
  g_assert_cmpstr (second->env.key, ==, first->env.key);
  g_assert_cmpstr (second->env.image_id, ==, built_id);
  g_assert_cmpstr (second->runtime_image, ==, first->env.tag);
  g_clear_pointer (&line, g_free);
  line = log_line_with (log2, "[image/env][INFO] cache HIT ", first->env.tag);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, first->env.key));
  assert_log_lacks (log2, "building ");
  g_free (marker);
  marker = image_id (e, first->env.tag);
  g_assert_cmpstr (marker, ==, built_id);
  g_assert_cmpuint (count_env_images (e, env), ==, 1);

  ar_image_stats_get (ar_environment_get_env_id (env), &stats);
  g_assert_cmpuint (stats.builds, ==, 1);
  /* resolve() alone is no task: the task runner counts the tasks */
  g_assert_cmpuint (stats.tasks, ==, 0);
  g_assert_cmpuint (stats.build_failures, ==, 0);
  g_assert_cmpfloat (stats.build_seconds, >, 0);
  g_assert_cmpint (ar_image_stats_get_last_used (first->env.tag), >, 0);
  ar_image_resolution_count_task (first, env, NULL);
  ar_image_resolution_count_task (second, env, NULL);
  ar_image_stats_get (ar_environment_get_env_id (env), &stats);
  g_assert_cmpuint (stats.tasks, ==, 2);
  g_assert_cmpuint (stats.hits, ==, 1);
  g_assert_cmpuint (stats.partial_hits, ==, 0);

  /* the same Dockerfile built bare, for the closing note */
  {
    g_autoptr(GBytes) bytes = g_bytes_new (script, strlen (script));
    ArDockerfileParams params = { AR_LAYER_ENV, base, "", ar_dockerfile_has_shebang (bytes), NULL, NULL };
    g_autofree char *dockerfile = ar_dockerfile_generate (&params, NULL);

    bare = bare_build_seconds (e, dockerfile, script);
  }
  g_test_message ("cold resolve with build %.2f s, bare %s build --no-cache %.2f s: ratio %.2f",
                  cold, e->name, bare, cold / bare);
}

/* ---- desktop and environment layers -------------------------------------------------- */

static void
test_desktop_and_env (gconstpointer data)
{
  Engine *e = (Engine *) data;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) res = NULL;
  g_autoptr(Log) log = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *scripts = NULL;
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  id = base_id (e);
  script = marker_script (nonce, "/cached-marker");
  env = split_env (base, script, "");
  settings = test_settings (e);
  scripts = desktop_scripts (nonce, "mark");
  with_desktop (env, settings, scripts);
  builder = new_builder (e);

  log = log_new ();
  res = resolve (builder, env, settings, log, FALSE);
  g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_BUILT);
  g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_BUILT);
  g_assert_cmpstr (res->desktop.parent, ==, id);
  g_assert_cmpstr (res->env.parent, ==, res->desktop.image_id);
  g_assert_cmpstr (res->runtime_image, ==, res->env.tag);
  g_assert_false (res->install_desktop_at_start);
  g_assert_false (res->run_cached_preflight_at_start);
  g_assert_true (g_str_has_prefix (res->desktop.tag, "agents-runner-desktop:"));

  g_free (out);
  out = image_label (e, res->env.tag, AR_LABEL_PARENT);
  g_assert_cmpstr (out, ==, res->desktop.image_id);
  g_free (out);
  out = image_label (e, res->desktop.tag, AR_LABEL_PARENT);
  g_assert_cmpstr (out, ==, id);
  assert_layers_extend (e, res->desktop.tag, base);
  assert_layers_extend (e, res->env.tag, res->desktop.tag);
  assert_history_extends (e, res->desktop.tag, base);
  assert_history_extends (e, res->env.tag, res->desktop.tag);
  {
    const char *cat[] = { "cat", "/desktop-marker", "/cached-marker", NULL };

    g_free (out);
    out = run_in (e, res->env.tag, cat);
    expected = g_strdup_printf ("desktop-%s\n%s", nonce, nonce);
    g_assert_cmpstr (out, ==, expected);
  }
  assert_log_has (log, "[image/desktop][INFO] cache MISS agents-runner-desktop:");
  assert_log_has (log, "[image/env][INFO] cache MISS agents-runner-env:");
  assert_log_has (log, "desktop layer + environment layer");
}

static void
test_invalidation (gconstpointer data)
{
  Engine *e = (Engine *) data;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) start = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *scripts = NULL;
  g_autofree char *base = NULL;
  g_autofree char *install = NULL;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  script = marker_script (nonce, "/cached-marker");
  env = split_env (base, script, "echo run 1\n");
  settings = test_settings (e);
  scripts = desktop_scripts (nonce, "mark");
  with_desktop (env, settings, scripts);
  builder = new_builder (e);
  start = resolve (builder, env, settings, NULL, FALSE);
  g_assert_cmpint (start->desktop.state, ==, AR_LAYER_STATE_BUILT);
  g_assert_cmpint (start->env.state, ==, AR_LAYER_STATE_BUILT);

  /* the run preflight is in no key */
  {
    g_autoptr(ArImageResolution) res = NULL;
    g_autoptr(Log) log = log_new ();

    ar_environment_set_run_preflight_script (env, "echo run 2\n");
    res = resolve (builder, env, settings, log, FALSE);
    g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_HIT);
    g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_HIT);
    g_assert_cmpstr (res->env.key, ==, start->env.key);
    assert_log_lacks (log, "cache MISS");
  }

  /* the cached preflight: the environment layer only */
  {
    g_autoptr(ArImageResolution) res = NULL;
    g_autoptr(Log) log = log_new ();
    g_autofree char *changed = g_strconcat (script, "echo more > /more\n", NULL);

    ar_environment_set_cached_preflight_script (env, changed);
    res = resolve (builder, env, settings, log, FALSE);
    g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_HIT);
    g_assert_cmpstr (res->desktop.key, ==, start->desktop.key);
    g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_BUILT);
    g_assert_cmpstr (res->env.key, !=, start->env.key);
    g_assert_cmpstr (res->env.miss_reason, ==, "cached preflight changed");
    assert_log_has (log, "[image/desktop][INFO] cache HIT ");
    assert_log_has (log, ": cached preflight changed");
  }

  /* the desktop scripts: both */
  {
    g_autoptr(ArImageResolution) res = NULL;
    g_autoptr(Log) log = log_new ();

    install = g_build_filename (scripts, "install.sh", NULL);
    ar_test_write_file (install, "#!/bin/sh\nset -e\n. \"$(dirname \"$0\")/lib.sh\"\nmark\necho v2 >> /desktop-marker\n");
    res = resolve (builder, env, settings, log, FALSE);
    g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_BUILT);
    g_assert_cmpstr (res->desktop.miss_reason, ==, "desktop scripts changed");
    g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_BUILT);
    g_assert_cmpstr (res->env.miss_reason, ==, "parent image changed (the desktop layer was rebuilt)");
    g_assert_cmpstr (res->env.parent, ==, res->desktop.image_id);
    assert_log_has (log, ": desktop scripts changed");
  }
}

/* ---- the build user ---------------------------------------------------------------- */

static void
test_nonroot_base (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) res = NULL;
  g_autoptr(Log) log = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *base = NULL;
  g_autofree char *out = NULL;

  if (!need_engine (e))
    return;
  base = ar_test_engine_nonroot_base_image ();
  /* id -u: the fixture's /etc is not readable by midori, so no names */
  script = g_strdup_printf ("#!/bin/sh\nset -e\n# %s\nid -u > /home/midori/who\necho x > /home/midori/made\n", nonce);
  env = split_env (base, script, "");
  settings = test_settings (e);
  builder = new_builder (e);
  log = log_new ();

  res = resolve (builder, env, settings, log, FALSE);
  g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_BUILT);
  g_assert_cmpstr (res->base_user, ==, "midori");
  g_assert_cmpstr (res->runtime_user, ==, "midori");
  assert_log_has (log, " as midori");

  out = inspect_format (e, res->env.tag, "{{.Config.User}}");
  g_assert_cmpstr (out, ==, "midori");
  g_free (out);
  out = image_label (e, res->env.tag, AR_LABEL_BUILD_USER);
  g_assert_cmpstr (out, ==, "midori");
  {
    const char *cat[] = { "cat", "/home/midori/who", NULL };
    const char *ls[] = { "ls", "-ln", "/home/midori/made", NULL };
    g_auto(GStrv) fields = NULL;

    g_free (out);
    out = run_in (e, res->env.tag, cat);
    g_assert_cmpstr (out, ==, "1000");
    g_free (out);
    out = run_in (e, res->env.tag, ls);
    fields = g_strsplit_set (out, " ", -1);
    /* "-rw-r--r--    1 1000     1000 …": the owner is midori's uid */
    {
      guint seen = 0;

      for (guint i = 0; fields[i] != NULL; i++)
        if (fields[i][0] != '\0' && ++seen == 3)
          g_assert_cmpstr (fields[i], ==, "1000");
      g_assert_cmpuint (seen, >=, 3);
    }
  }
}

/* ---- one build per key ------------------------------------------------------------------ */

static void
test_concurrent_in_process (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvironment) copy = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(ArImageResolution) a = NULL;
  g_autoptr(ArImageResolution) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Log) log1 = log_new ();
  g_autoptr(Log) log2 = log_new ();
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *base = NULL;
  ArImageStats stats;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  script = marker_script (nonce, "/cached-marker");
  env = split_env (base, script, "");
  copy = ar_environment_copy (env);
  settings = test_settings (e);
  builder = new_builder (e);

  ar_image_builder_resolve_async (builder, env, settings, log1->log, FALSE, NULL, ar_test_store_result, &r1);
  ar_image_builder_resolve_async (builder, copy, settings, log2->log, FALSE, NULL, ar_test_store_result, &r2);
  a = ar_image_builder_resolve_finish (builder, ar_test_wait_result (&r1), &error);
  g_assert_no_error (error);
  b = ar_image_builder_resolve_finish (builder, ar_test_wait_result (&r2), &error);
  g_assert_no_error (error);

  /* whichever looked first built it; the other waited and found it */
  if (b->env.state == AR_LAYER_STATE_BUILT)
    {
      ArImageResolution *swap_res = a;
      Log *swap_log = log1;

      a = b, b = swap_res;
      log1 = log2, log2 = swap_log;
    }
  g_assert_cmpint (a->env.state, ==, AR_LAYER_STATE_BUILT);
  g_assert_cmpint (b->env.state, ==, AR_LAYER_STATE_HIT);
  g_assert_cmpstr (a->env.image_id, ==, b->env.image_id);
  assert_log_has (log1, "cache MISS");
  assert_log_has (log2, "waiting for another task that is building");
  assert_log_has (log2, "cache HIT");
  assert_log_has (log2, "built by another task just now");
  assert_log_lacks (log2, "[INFO] building agents-runner-env");
  g_assert_cmpuint (count_env_images (e, env), ==, 1);
  ar_image_stats_get (ar_environment_get_env_id (env), &stats);
  g_assert_cmpuint (stats.builds, ==, 1);
  g_assert_cmpuint (stats.tasks, ==, 0);
}

/* ---- cancellation ------------------------------------------------------------------------ */

static void
test_cancel (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(GCancellable) cancel_a = g_cancellable_new ();
  g_autoptr(GCancellable) cancel_b = g_cancellable_new ();
  g_autoptr(GAsyncResult) ra = NULL;
  g_autoptr(GAsyncResult) rb = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Log) log = log_new ();
  g_autoptr(Log) log_b = log_new ();
  g_autoptr(ArImageResolution) planned = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *base = NULL;
  g_autofree char *needle = NULL;
  ArImageResolution *res;
  double started;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  script = g_strdup_printf ("#!/bin/sh\n# %s\necho started-%s\nsleep 600\n", nonce, nonce);
  env = split_env (base, script, "");
  settings = test_settings (e);
  builder = new_builder (e);
  planned = plan (builder, env, settings);
  needle = g_strdup_printf ("started-%s", nonce);

  ar_image_builder_resolve_async (builder, env, settings, log->log, FALSE, cancel_a, ar_test_store_result, &ra);
  started = now_seconds ();
  while (!log_has (log, needle) && now_seconds () - started < 60)
    g_main_context_iteration (NULL, TRUE);
  assert_log_has (log, needle);
  g_assert_true (ar_test_any_cmdline_contains (planned->env.tag));

  /* a second task waiting for that build is cancelled on its own */
  ar_image_builder_resolve_async (builder, env, settings, log_b->log, FALSE, cancel_b, ar_test_store_result, &rb);
  while (!log_has (log_b, "waiting for another task"))
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancel_b);
  res = ar_image_builder_resolve_finish (builder, ar_test_wait_result (&rb), &error);
  g_assert_null (res);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (ra);
  g_assert_true (ar_test_any_cmdline_contains (planned->env.tag));

  started = now_seconds ();
  g_cancellable_cancel (cancel_a);
  res = ar_image_builder_resolve_finish (builder, ar_test_wait_result (&ra), &error);
  g_test_message ("the build stopped %.2f s after the cancel", now_seconds () - started);
  g_assert_null (res);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* no docker build left, no folder, no lock held, not a failure */
  g_assert_false (ar_test_any_cmdline_contains (planned->env.tag));
  assert_context_removed (log);
  g_assert_null (ar_failed_build_lookup (planned->env.key));
  {
    g_autoptr(GError) lock_error = NULL;
    ArBuildLock *lock = ar_build_lock_try (planned->env.key, &lock_error);

    g_assert_no_error (lock_error);
    g_assert_nonnull (lock);
    ar_build_lock_release (lock);
  }
  g_assert_cmpuint (count_env_images (e, env), ==, 0);
}

int
main (int argc, char *argv[])
{
  Engine *engines[] = { &on_docker, &on_podman };
  ar_test_init (&argc, &argv);
  /* Everything the builder makes carries this run's label (see
   * ar_image_builder_new), so the fixture removes it. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  /* the scenarios, on each engine */
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      add_engine_test (engines[i], "env-layer", test_env_layer);
      add_engine_test (engines[i], "desktop-and-env", test_desktop_and_env);
      add_engine_test (engines[i], "invalidation", test_invalidation);
    }
  /* the rest of the builder, on Docker */
  g_test_add_func ("/image-builder/nonroot-base", test_nonroot_base);
  g_test_add_func ("/image-builder/concurrent/in-process", test_concurrent_in_process);
  g_test_add_func ("/image-builder/cancel", test_cancel);

  return g_test_run ();
}
