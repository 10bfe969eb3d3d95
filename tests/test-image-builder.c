/* test-image-builder.c — ArImageBuilder: why a layer is rebuilt, build statistics, the build lock, plans and pull policy
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

/* ---- no engine needed ------------------------------------------------------------ */

static ArImageInfo *
fake_image (const ArCacheKeyInputs *in, const char *env_id, const char *base_name, const char *parent_layer)
{
  ArImageInfo *info = g_new0 (ArImageInfo, 1);
  g_auto(GStrv) labels = ar_cache_key_labels (in, env_id, "2024-01-01T00:00:00Z");

  info->id = g_strdup ("sha256:0000");
  info->repo_tags = g_new0 (char *, 1);
  info->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *eq = strchr (labels[i], '=');

      g_hash_table_insert (info->labels, g_strndup (labels[i], eq - labels[i]), g_strdup (eq + 1));
    }
  g_hash_table_insert (info->labels, g_strdup (AR_LABEL_BASE_IMAGE), g_strdup (base_name));
  g_hash_table_insert (info->labels, g_strdup (AR_LABEL_PARENT_LAYER), g_strdup (parent_layer));
  g_hash_table_insert (info->labels, g_strdup (AR_LABEL_BUILT_FOR), g_strdup (env_id));
  return info;
}

static char *
explain (const ArCacheKeyInputs *old, const ArCacheKeyInputs *now, ArEnvironment *env, const char *old_base,
         const char *parent_layer, gboolean pulled)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_image_info_free);

  if (old != NULL)
    g_ptr_array_add (images, fake_image (old, ar_environment_get_env_id (env), old_base, parent_layer));
  return ar_image_layer_explain_miss (now, env, "base:1", g_str_equal (parent_layer, "base"), pulled, images);
}

static void
test_explain (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) other = ar_environment_new_with_id ();
  g_autoptr(GBytes) script_a = g_bytes_new_static ("echo a\n", 7);
  g_autoptr(GBytes) script_b = g_bytes_new_static ("echo b\n", 7);
  ArContextFile files_a[] = { { AR_CONTEXT_ENV_SCRIPT, script_a } };
  ArContextFile files_b[] = { { AR_CONTEXT_ENV_SCRIPT, script_b } };
  ArCacheKeyInputs old = { AR_LAYER_ENV, "sha256:1111", "", "FROM sha256:1111\nRUN x\n", files_a, 1, "" };
  ArCacheKeyInputs now = old;
  g_autofree char *r = NULL;

  r = explain (NULL, &now, env, NULL, "base", FALSE);
  g_assert_cmpstr (r, ==, "no image of this layer existed yet");
  g_clear_pointer (&r, g_free);

  /* the same key: the image exists untagged */
  r = explain (&old, &now, env, "base:1", "base", FALSE);
  g_assert_cmpstr (r, ==, "the image of this key is there but no longer tagged");
  g_clear_pointer (&r, g_free);

  now.files = files_b;
  r = explain (&old, &now, env, "base:1", "base", FALSE);
  g_assert_cmpstr (r, ==, "cached preflight changed");
  g_clear_pointer (&r, g_free);

  /* the newest by the created label: the engine's time has whole seconds */
  {
    g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_image_info_free);
    ArCacheKeyInputs older = old;
    ArImageInfo *first = fake_image (&now, ar_environment_get_env_id (env), "base:1", "base");
    ArImageInfo *second;

    older.parent_id = "sha256:9999";
    second = fake_image (&older, ar_environment_get_env_id (env), "base:1", "base");
    first->created = second->created = 1700000000;
    g_hash_table_insert (first->labels, g_strdup (AR_LABEL_CREATED), g_strdup ("2023-11-14T22:13:20.100000Z"));
    g_hash_table_insert (second->labels, g_strdup (AR_LABEL_CREATED), g_strdup ("2023-11-14T22:13:20.900000Z"));
    /* listed oldest first, to show the order of the list does not decide */
    g_ptr_array_add (images, first);
    g_ptr_array_add (images, second);
    g_hash_table_insert (first->labels, g_strdup (AR_LABEL_CACHE_KEY), g_strdup ("first"));
    r = ar_image_layer_explain_miss (&old, env, "base:1", TRUE, FALSE, images);
    g_assert_cmpstr (r, ==, "base image ID changed");
    g_clear_pointer (&r, g_free);
  }

  /* another environment's image says nothing about this one */
  {
    g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_image_info_free);

    g_ptr_array_add (images, fake_image (&old, ar_environment_get_env_id (other), "base:1", "base"));
    r = ar_image_layer_explain_miss (&now, env, "base:1", TRUE, FALSE, images);
    g_assert_cmpstr (r, ==, "no image of this layer existed yet");
    g_clear_pointer (&r, g_free);
  }

  now.files = files_a;
  now.parent_id = "sha256:2222";
  r = explain (&old, &now, env, "base:1", "base", TRUE);
  g_assert_cmpstr (r, ==, "base image ID changed (pulled)");
  g_clear_pointer (&r, g_free);
  r = explain (&old, &now, env, "base:1", "base", FALSE);
  g_assert_cmpstr (r, ==, "base image ID changed");
  g_clear_pointer (&r, g_free);
  r = explain (&old, &now, env, "base:0", "base", FALSE);
  g_assert_cmpstr (r, ==, "base image changed (base:0 → base:1)");
  g_clear_pointer (&r, g_free);
  /* the environment layer on a rebuilt desktop layer */
  r = explain (&old, &now, env, "base:1", "desktop", FALSE);
  g_assert_true (g_str_has_prefix (r, "parent image changed"));
  g_clear_pointer (&r, g_free);

  /* the Dockerfile alone: the generator changed */
  now.parent_id = old.parent_id;
  now.dockerfile = "FROM sha256:1111\nRUN y\n";
  r = explain (&old, &now, env, "base:1", "base", FALSE);
  g_assert_cmpstr (r, ==, "Dockerfile format changed");
  g_clear_pointer (&r, g_free);
  /* its text follows the build user: that is the news */
  now.build_user = "midori";
  now.platform = "linux/arm64";
  r = explain (&old, &now, env, "base:1", "base", FALSE);
  g_assert_cmpstr (r, ==, "build user changed (root → midori), platform changed");
  g_clear_pointer (&r, g_free);
  /* an image of an older format */
  {
    g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_image_info_free);
    ArImageInfo *info = fake_image (&old, ar_environment_get_env_id (env), "base:1", "base");

    g_hash_table_insert (info->labels, g_strdup (AR_LABEL_FORMAT), g_strdup ("agents-runner/env/0"));
    g_hash_table_insert (info->labels, g_strdup (AR_LABEL_CACHE_KEY), g_strdup ("a key of format 0"));
    g_ptr_array_add (images, info);
    r = ar_image_layer_explain_miss (&old, env, "base:1", TRUE, FALSE, images);
    g_assert_cmpstr (r, ==, "Dockerfile format changed");
    g_clear_pointer (&r, g_free);
  }

  /* the desktop layer: the newest on the same base when this environment
   * built none */
  {
    g_autoptr(GBytes) install_a = g_bytes_new_static ("a", 1);
    g_autoptr(GBytes) install_b = g_bytes_new_static ("b", 1);
    ArContextFile desk_a[] = { { "desktop/install.sh", install_a } };
    ArContextFile desk_b[] = { { "desktop/install.sh", install_b } };
    ArCacheKeyInputs dold = { AR_LAYER_DESKTOP, "sha256:1111", "", "FROM sha256:1111\n", desk_a, 1, "" };
    ArCacheKeyInputs dnow = dold;
    g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_image_info_free);

    dnow.files = desk_b;
    g_ptr_array_add (images, fake_image (&dold, ar_environment_get_env_id (other), "base:1", "base"));
    r = ar_image_layer_explain_miss (&dnow, env, "base:1", TRUE, FALSE, images);
    g_assert_cmpstr (r, ==, "desktop scripts changed");
    g_clear_pointer (&r, g_free);
  }
}

static void
test_stats (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArFailedBuild) record = NULL;
  g_auto(GStrv) ids = NULL;
  ArImageStats stats;
  const char *lines[] = { "step 1", "boom", NULL };
  const char *tags[] = { "localhost/agents-runner-env:00000000000000aa", NULL };
  ArFailedBuild failure = { (char *) "abcd", (char *) "env", (char *) "env-stats", (char *) "agents-runner-env:abcd",
                            1, (char *) "exit status 1", (char **) lines, 0 };

  ar_image_stats_get ("env-stats", &stats);
  g_assert_cmpuint (stats.tasks, ==, 0);
  g_assert_cmpfloat (ar_image_stats_hit_rate (&stats), ==, 0);
  g_assert_true (ar_image_stats_record_task ("env-stats", AR_TASK_CACHE_HIT, &error));
  g_assert_true (ar_image_stats_record_task ("env-stats", AR_TASK_CACHE_PARTIAL, &error));
  g_assert_true (ar_image_stats_record_task ("env-stats", AR_TASK_CACHE_MISS, &error));
  g_assert_true (ar_image_stats_record_task ("env-stats", AR_TASK_CACHE_HIT, &error));
  g_assert_true (ar_image_stats_record_use ("agents-runner-env:00000000000000aa", &error));
  g_assert_true (ar_image_stats_record_build ("env-stats", "agents-runner-env:00000000000000bb", 1.5, &error));
  g_assert_true (ar_image_stats_record_build ("env-stats", "agents-runner-env:00000000000000bb", 2.0, &error));
  g_assert_true (ar_image_stats_record_failure ("env-stats", &error));
  g_assert_no_error (error);
  ar_image_stats_get ("env-stats", &stats);
  g_assert_cmpuint (stats.tasks, ==, 4);
  g_assert_cmpuint (stats.hits, ==, 2);
  g_assert_cmpuint (stats.partial_hits, ==, 1);
  g_assert_cmpfloat_with_epsilon (ar_image_stats_hit_rate (&stats), 0.5, 1e-9);
  g_assert_cmpuint (stats.builds, ==, 2);
  g_assert_cmpuint (stats.build_failures, ==, 1);
  g_assert_cmpfloat_with_epsilon (stats.build_seconds, 3.5, 0.001);
  ids = ar_image_stats_dup_env_ids ();
  g_assert_true (g_strv_contains ((const char *const *) ids, "env-stats"));

  /* podman's spelling is the same tag */
  g_assert_cmpint (ar_image_stats_get_last_used ("localhost/agents-runner-env:00000000000000aa"), >,
                   g_get_real_time () / G_USEC_PER_SEC - 60);
  g_assert_cmpint (ar_image_stats_get_last_used ("agents-runner-env:00000000000000cc"), ==, 0);
  g_assert_true (ar_image_stats_forget_tags (tags, &error));
  g_assert_cmpint (ar_image_stats_get_last_used ("agents-runner-env:00000000000000aa"), ==, 0);

  g_assert_null (ar_failed_build_lookup ("abcd"));
  g_assert_true (ar_failed_build_remember (&failure, &error));
  record = ar_failed_build_lookup ("abcd");
  g_assert_nonnull (record);
  g_assert_cmpint (record->exit_status, ==, 1);
  g_assert_cmpstr (record->reason, ==, "exit status 1");
  g_assert_cmpstrv (record->last_lines, lines);
  g_assert_cmpint (record->time, >, 0);
  g_assert_true (ar_failed_build_forget ("abcd", &error));
  g_assert_no_error (error);
  g_assert_null (ar_failed_build_lookup ("abcd"));
}

/* A task counts once, whatever the number of its layers: a hit when every
 * layer it wanted was present, partial when some were (issue 10 item 1). */
static void
test_stats_per_task (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  struct {
    ArLayerState desktop, env;
    gboolean counted;
    ArTaskCacheOutcome outcome;
  } cases[] = {
    { AR_LAYER_STATE_HIT, AR_LAYER_STATE_HIT, TRUE, AR_TASK_CACHE_HIT },
    { AR_LAYER_STATE_HIT, AR_LAYER_STATE_BUILT, TRUE, AR_TASK_CACHE_PARTIAL },
    { AR_LAYER_STATE_HIT, AR_LAYER_STATE_FAILED, TRUE, AR_TASK_CACHE_PARTIAL },
    { AR_LAYER_STATE_BUILT, AR_LAYER_STATE_BUILT, TRUE, AR_TASK_CACHE_MISS },
    { AR_LAYER_STATE_NOT_WANTED, AR_LAYER_STATE_HIT, TRUE, AR_TASK_CACHE_HIT },
    { AR_LAYER_STATE_SKIPPED_FAILED_BEFORE, AR_LAYER_STATE_NOT_WANTED, TRUE, AR_TASK_CACHE_MISS },
    { AR_LAYER_STATE_NOT_WANTED, AR_LAYER_STATE_NOT_WANTED, FALSE, 0 },
  };
  ArImageStats stats;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ArImageResolution res = { 0 };
      ArTaskCacheOutcome outcome = 99;

      res.desktop.layer = AR_LAYER_DESKTOP;
      res.desktop.state = cases[i].desktop;
      res.env.layer = AR_LAYER_ENV;
      res.env.state = cases[i].env;
      g_assert_cmpint (ar_image_resolution_get_task_outcome (&res, &outcome), ==, cases[i].counted);
      if (cases[i].counted)
        g_assert_cmpint (outcome, ==, cases[i].outcome);
      ar_image_resolution_count_task (&res, env, NULL);
    }
  ar_image_stats_get (ar_environment_get_env_id (env), &stats);
  g_assert_cmpuint (stats.tasks, ==, 6);
  g_assert_cmpuint (stats.hits, ==, 2);
  g_assert_cmpuint (stats.partial_hits, ==, 2);
  g_assert_cmpfloat_with_epsilon (ar_image_stats_hit_rate (&stats), 2.0 / 6, 1e-9);

  /* two layers present in each of three tasks: 100 %, not 200 % */
  for (guint i = 0; i < 3; i++)
    {
      ArImageResolution res = { 0 };

      res.desktop.state = AR_LAYER_STATE_HIT;
      res.env.state = AR_LAYER_STATE_HIT;
      ar_image_resolution_count_task (&res, env, NULL);
    }
  ar_image_stats_get (ar_environment_get_env_id (env), &stats);
  g_assert_cmpuint (stats.tasks, ==, 9);
  g_assert_cmpuint (stats.hits, ==, 5);
  g_assert_cmpfloat (ar_image_stats_hit_rate (&stats), <=, 1);
}

/* Build seconds are kept to the millisecond, written as such. */
static void
test_stats_rounding (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ar_paths_state_dir ();
  g_autofree char *path = g_build_filename (dir, "image-stats.json", NULL);
  g_autofree char *nonce = new_nonce ();
  g_autofree char *env_id = g_strconcat ("env-round-", nonce, NULL);
  g_autofree char *member = NULL;
  g_autofree char *text = NULL;
  const char *at;
  ArImageStats stats;

  g_assert_true (ar_image_stats_record_build (env_id, "agents-runner-env:00000000000000dd", 49.154921000000002,
                                              &error));
  g_assert_no_error (error);
  text = ar_test_read_file (path);
  member = g_strdup_printf ("\"%s\"", env_id);
  at = strstr (text, member);
  g_assert_nonnull (at);
  g_assert_true (g_str_has_prefix (strstr (at, "\"build_seconds\""), "\"build_seconds\": 49.155\n"));
  g_assert_null (strstr (text, "49.1549"));
  ar_image_stats_get (env_id, &stats);
  g_assert_cmpfloat (stats.build_seconds, ==, 49.155);
}

static void
test_lock (void)
{
  const char *key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  ArBuildLock *first;
  ArBuildLock *second;
  ArBuildLock *waited;
  double started;

  first = ar_build_lock_try (key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  /* flock is per open file: a second open in this process is refused too */
  second = ar_build_lock_try (key, &error);
  g_assert_no_error (error);
  g_assert_null (second);

  ar_build_lock_acquire_async (key, NULL, ar_test_store_result, &result);
  started = now_seconds ();
  while (now_seconds () - started < 0.3)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (result);
  ar_build_lock_release (first);
  waited = ar_build_lock_acquire_finish (ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (waited);
  ar_build_lock_release (waited);

  /* a cancelled wait */
  first = ar_build_lock_try (key, &error);
  g_assert_nonnull (first);
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) cancelled = NULL;

    ar_build_lock_acquire_async (key, cancellable, ar_test_store_result, &cancelled);
    g_cancellable_cancel (cancellable);
    g_assert_null (ar_build_lock_acquire_finish (ar_test_wait_result (&cancelled), &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  ar_build_lock_release (first);
}

/* ---- plan, pull policy ------------------------------------------------------------------- */

static void
test_plan (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) before = NULL;
  g_autoptr(ArImageResolution) built = NULL;
  g_autoptr(ArImageResolution) after = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *scripts = NULL;
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  id = base_id (e);
  script = marker_script (nonce, "/cached-marker");
  env = split_env (base, script, "");
  settings = test_settings (e);
  builder = new_builder (e);

  before = plan (builder, env, settings);
  g_assert_true (before->base_present);
  g_assert_cmpstr (before->base_image_id, ==, id);
  g_assert_cmpint (before->env.state, ==, AR_LAYER_STATE_ABSENT);
  g_assert_nonnull (before->env.key);
  g_assert_cmpstr (before->env.parent, ==, id);
  g_assert_cmpstr (before->env.miss_reason, ==, "no image of this layer existed yet");
  g_assert_cmpstr (before->runtime_image, ==, base);
  g_assert_true (before->run_cached_preflight_at_start);
  g_assert_cmpuint (count_env_images (e, env), ==, 0);

  built = resolve (builder, env, settings, NULL, FALSE);
  g_assert_cmpstr (built->env.key, ==, before->env.key);
  after = plan (builder, env, settings);
  g_assert_cmpint (after->env.state, ==, AR_LAYER_STATE_HIT);
  g_assert_cmpstr (after->env.image_id, ==, built->env.image_id);
  g_assert_cmpstr (after->runtime_image, ==, built->env.tag);
  g_assert_false (after->run_cached_preflight_at_start);

  /* with an absent desktop layer the environment layer's key is not known yet */
  {
    g_autoptr(ArImageResolution) res = NULL;

    scripts = desktop_scripts (nonce, "mark");
    with_desktop (env, settings, scripts);
    res = plan (builder, env, settings);
    g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_ABSENT);
    g_assert_nonnull (res->desktop.key);
    g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_ABSENT);
    g_assert_null (res->env.key);
    g_assert_nonnull (strstr (res->env.miss_reason, "desktop layer"));
    /* what exists now */
    g_assert_cmpstr (res->runtime_image, ==, base);
    g_assert_true (res->install_desktop_at_start);
  }

  /* an absent base: no keys, no error */
  {
    g_autoptr(ArImageResolution) res = NULL;
    g_autofree char *absent = g_strdup_printf ("ar-test-absent:%s", nonce);

    ar_environment_set_base_image (env, absent);
    res = plan (builder, env, settings);
    g_assert_false (res->base_present);
    g_assert_null (res->base_image_id);
    g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_ABSENT);
    g_assert_null (res->env.key);
    g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_ABSENT);
    g_assert_null (res->desktop.key);
  }
}

static void
test_pull_policy (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *absent = NULL;
  g_autofree char *base = NULL;
  ArImageResolution *res;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  absent = g_strdup_printf ("ar-test-absent-%s:none", nonce);
  env = ar_environment_new_with_id ();
  settings = test_settings (e);
  builder = new_builder (e);

  /* the Settings default when the environment names none */
  {
    g_autoptr(Log) log = log_new ();
    g_autoptr(ArImageResolution) ok = resolve (builder, env, settings, log, FALSE);

    g_assert_cmpstr (ok->base_image, ==, base);
    g_assert_cmpstr (ok->runtime_image, ==, base);
    g_assert_false (ok->base_pulled);
    assert_log_has (log, "present; not pulled");
    assert_log_lacks (log, "pulling");
  }

  ar_environment_set_base_image (env, absent);
  settings->pull_policy = AR_PULL_NEVER;
  res = resolve_full (builder, env, settings, NULL, FALSE, NULL, &error);
  g_assert_null (res);
  g_assert_error (error, AR_IMAGE_BUILDER_ERROR, AR_IMAGE_BUILDER_ERROR_NO_BASE_IMAGE);
  g_assert_nonnull (strstr (error->message, absent));
  g_assert_nonnull (strstr (error->message, "“never”"));
  g_clear_error (&error);

  /* missing: a pull is tried (no registry answers here, or it has no such image) */
  {
    g_autoptr(Log) log = log_new ();

    settings->pull_policy = AR_PULL_MISSING;
    res = resolve_full (builder, env, settings, log, FALSE, NULL, &error);
    g_assert_null (res);
    g_assert_error (error, AR_IMAGE_BUILDER_ERROR, AR_IMAGE_BUILDER_ERROR_NO_BASE_IMAGE);
    g_assert_nonnull (strstr (error->message, "could not be pulled"));
    assert_log_has (log, "[image/base][INFO] pulling ");
    g_clear_error (&error);
  }

  /* always: a failed pull of a present image keeps the local one, with a warning */
  {
    g_autoptr(Log) log = log_new ();
    g_autoptr(ArImageResolution) ok = NULL;

    ar_environment_set_base_image (env, base);
    settings->pull_policy = AR_PULL_ALWAYS;
    ok = resolve (builder, env, settings, log, FALSE);
    g_assert_cmpstr (ok->runtime_image, ==, base);
    assert_log_has (log, "[image/base][INFO] pulling ");
    assert_log_has (log, "[image/base][WARN] could not pull ");
    assert_log_has (log, "using the image on this machine (");
    /* said once: not also "present; not pulled" after the failed pull */
    assert_log_lacks (log, "not pulled");
  }
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);
  /* Everything the builder makes carries this run's label (see
   * ar_image_builder_new), so the fixture removes it. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/image-builder/explain", test_explain);
  g_test_add_func ("/image-builder/stats", test_stats);
  g_test_add_func ("/image-builder/stats/per-task", test_stats_per_task);
  g_test_add_func ("/image-builder/stats/rounding", test_stats_rounding);
  g_test_add_func ("/image-builder/lock", test_lock);
  /* the scenarios, on each engine */
    {
    }
  g_test_add_func ("/image-builder/plan", test_plan);
  g_test_add_func ("/image-builder/pull-policy", test_pull_policy);

  return g_test_run ();
}
