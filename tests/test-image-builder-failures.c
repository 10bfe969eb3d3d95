/* test-image-builder-failures.c — ArImageBuilder: failed builds and the fallback, what they leave behind, listing and pruning
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

/* Containers from images of this base: what a build left behind. podman
 * keeps a build's working containers out of its usual list. */
static guint
count_build_containers (Engine *e, const char *base)
{
  g_autofree char *filter = g_strconcat ("ancestor=", base, NULL);
  const char *docker_args[] = { "ps", "-a", "-q", "--filter", filter, NULL };
  const char *podman_args[] = { "ps", "-a", "--external", "-q", "--filter", filter, NULL };
  g_autofree char *out = engine_out (e, e == &on_podman ? podman_args : docker_args);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      n++;
  return n;
}

/* ---- failures and the fallback --------------------------------------------------------- */

static void
check_failure (Engine *e, const char *script_body, guint timeout, const char *reason_part, gboolean try_force)
{
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) res = NULL;
  g_autoptr(Log) log = log_new ();
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *base = NULL;
  g_autofree char *warn = NULL;
  ArImageStats stats;
  double started;
  guint containers_before;

  base = g_strdup (e->base);
  containers_before = count_build_containers (e, base);
  script = g_strdup_printf ("#!/bin/sh\n# %s\n%s\n", nonce, script_body);
  env = split_env (base, script, "");
  settings = test_settings (e);
  settings->build_timeout = timeout;
  builder = new_builder (e);

  started = now_seconds ();
  res = resolve (builder, env, settings, log, FALSE);
  g_test_message ("failed build (%s) took %.1f s", reason_part, now_seconds () - started);
  g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_FAILED);
  g_assert_true (res->run_cached_preflight_at_start);
  g_assert_cmpstr (res->runtime_image, ==, base);
  g_assert_nonnull (strstr (res->env.failure, reason_part));
  warn = log_line_with (log, "[image/env][WARN] ", "could not be built");
  g_assert_nonnull (warn);
  g_assert_nonnull (strstr (warn, reason_part));
  g_assert_nonnull (strstr (warn, "the cached preflight will run at task start instead"));
  assert_log_has (log, "[image/env][WARN] last lines of the build:");
  assert_context_removed (log);
  g_assert_false (ar_test_any_cmdline_contains (res->env.tag));
  g_assert_cmpuint (count_env_images (e, env), ==, 0);
  /* Docker removes the stopped build's container just after its CLI ends
   * (not at once on a loaded machine: seen, one still there after 15 s in
   * a fresh-clone run of 1 642 busy CPU-s) */
  started = now_seconds ();
  while (count_build_containers (e, base) > containers_before && now_seconds () - started < 60)
    g_usleep (G_USEC_PER_SEC / 5);
  g_assert_cmpuint (count_build_containers (e, base), ==, containers_before);
  {
    g_autoptr(ArFailedBuild) record = ar_failed_build_lookup (res->env.key);

    g_assert_nonnull (record);
    g_assert_cmpstr (record->env_id, ==, ar_environment_get_env_id (env));
    g_assert_cmpstr (record->layer, ==, "env");
  }

  /* the same inputs again: no build, and the log says why */
  {
    g_autoptr(ArImageResolution) again = NULL;
    g_autoptr(Log) log2 = log_new ();
    g_autofree char *line = NULL;

    again = resolve (builder, env, settings, log2, FALSE);
    g_assert_cmpint (again->env.state, ==, AR_LAYER_STATE_SKIPPED_FAILED_BEFORE);
    g_assert_true (again->run_cached_preflight_at_start);
    g_assert_cmpstr (again->runtime_image, ==, base);
    line = log_line_with (log2, "[image/env][WARN] cache MISS ", "failed to build");
    g_assert_nonnull (line);
    g_assert_nonnull (strstr (line, "not building them again"));
    g_assert_nonnull (strstr (line, reason_part));
    assert_log_lacks (log2, "[INFO] building agents-runner-env");
    ar_image_stats_get (ar_environment_get_env_id (env), &stats);
    g_assert_cmpuint (stats.build_failures, ==, 1);
  }

  /* other inputs are a new try */
  {
    g_autoptr(ArEnvironment) changed = ar_environment_copy (env);
    g_autofree char *other = g_strconcat (script, "# changed\n", NULL);
    g_autoptr(ArImageResolution) again = NULL;

    if (try_force)
      {
        ar_environment_set_cached_preflight_script (changed, other);
        again = resolve (builder, changed, settings, NULL, FALSE);
        g_assert_cmpint (again->env.state, ==, AR_LAYER_STATE_FAILED);
      }
  }

  /* "Rebuild" tries again */
  if (try_force)
    {
      g_autoptr(ArImageResolution) again = NULL;
      g_autoptr(Log) log3 = log_new ();

      again = resolve (builder, env, settings, log3, TRUE);
      g_assert_cmpint (again->env.state, ==, AR_LAYER_STATE_FAILED);
      assert_log_has (log3, "rebuild requested");
      assert_log_has (log3, "[INFO] building agents-runner-env");
      ar_image_stats_get (ar_environment_get_env_id (env), &stats);
      g_assert_cmpuint (stats.build_failures, ==, 3);
    }
}

static void
test_failure_syntax (gconstpointer data)
{
  Engine *e = (Engine *) data;

  if (!need_engine (e))
    return;
  check_failure (e, "if then fi (", 120, "exit status", TRUE);
}

static void
test_failure_exit (gconstpointer data)
{
  Engine *e = (Engine *) data;

  if (!need_engine (e))
    return;
  check_failure (e, "echo about to fail\nexit 3", 120, "exit status", FALSE);
}

static void
test_failure_timeout (gconstpointer data)
{
  Engine *e = (Engine *) data;
  g_autofree char *hang = NULL;
  g_autofree char *body = NULL;
  double started;

  if (!need_engine (e))
    return;
  /* the hang names itself, to be looked for afterwards */
  hang = g_strdup_printf ("hang-%s", ar_test_engine_run_id ());
  body = g_strdup_printf ("echo hanging\nsh -c 'sleep 600; true' %s", hang);
  started = now_seconds ();
  check_failure (e, body, 3, "timed out after 3 seconds", FALSE);
  /* a real wall-clock timeout: the hang did not hold the task */
  g_assert_cmpfloat (now_seconds () - started, <, 30);
  /* and the stopped build stopped its script too (the leftover containers
   * were waited for above) */
  g_assert_false (ar_test_any_cmdline_contains (hang));
}

/* A failing environment layer over a good desktop layer runs on the
 * desktop layer; a failing desktop layer runs the environment layer on the
 * base and installs the desktop at start. */
static void
test_failure_fallback_layers (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  id = base_id (e);
  settings = test_settings (e);
  builder = new_builder (e);

  {
    g_autofree char *scripts = desktop_scripts (nonce, "mark");
    g_autofree char *script = g_strdup_printf ("# %s\nexit 1\n", nonce);
    g_autoptr(ArEnvironment) env = split_env (base, script, "");
    g_autoptr(ArImageResolution) res = NULL;

    with_desktop (env, settings, scripts);
    res = resolve (builder, env, settings, NULL, FALSE);
    g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_BUILT);
    g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_FAILED);
    g_assert_cmpstr (res->runtime_image, ==, res->desktop.tag);
    g_assert_false (res->install_desktop_at_start);
    g_assert_true (res->run_cached_preflight_at_start);
  }
  {
    g_autofree char *scripts = desktop_scripts (nonce, "echo no desktop here\nexit 1");
    g_autofree char *script = marker_script (nonce, "/cached-marker");
    g_autoptr(ArEnvironment) env = split_env (base, script, "");
    g_autoptr(ArImageResolution) res = NULL;
    g_autoptr(Log) log = log_new ();
    g_autofree char *parent = NULL;

    with_desktop (env, settings, scripts);
    res = resolve (builder, env, settings, log, FALSE);
    g_assert_cmpint (res->desktop.state, ==, AR_LAYER_STATE_FAILED);
    g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_BUILT);
    g_assert_cmpstr (res->env.parent, ==, id);
    parent = image_label (e, res->env.tag, AR_LABEL_PARENT);
    g_assert_cmpstr (parent, ==, id);
    g_assert_cmpstr (res->runtime_image, ==, res->env.tag);
    g_assert_true (res->install_desktop_at_start);
    g_assert_false (res->run_cached_preflight_at_start);
    assert_log_has (log, "the desktop will be installed at task start instead");
    assert_log_has (log, "no desktop here");
  }
}

/* ---- list and prune ------------------------------------------------------------------------ */

static GPtrArray *
list_cached (ArImageBuilder *builder, GPtrArray *envs, ArSettings *settings)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *images;

  ar_image_builder_list_cached_async (builder, envs, settings, NULL, ar_test_store_result, &result);
  images = ar_image_builder_list_cached_finish (builder, ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return images;
}

static GPtrArray *
prune (ArImageBuilder *builder, GPtrArray *envs, ArSettings *settings, gboolean dry_run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *removed;

  ar_image_builder_prune_async (builder, envs, settings, dry_run, NULL, ar_test_store_result, &result);
  removed = ar_image_builder_prune_finish (builder, ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  return removed;
}

static ArCachedImage *
find_cached (GPtrArray *images, const char *id)
{
  for (guint i = 0; i < images->len; i++)
    {
      ArCachedImage *image = g_ptr_array_index (images, i);

      if (g_str_equal (image->info->id, id))
        return image;
    }
  return NULL;
}

static gboolean
image_exists (Engine *e, const char *id)
{
  const char *args[] = { "image", "inspect", id, NULL };

  return e->cli (args, NULL, NULL) == 0;
}

static void
test_list_prune (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(GPtrArray) envs = g_ptr_array_new ();
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *base = NULL;
  g_autofree char *stopped_id = NULL;
  g_autofree char *running_id = NULL;
  g_autofree char *unused_id = NULL;
  g_autofree char *wanted_id = NULL;
  g_autofree char *running_name = g_strdup_printf ("ar-test-running-%s", nonce);
  const char *versions[] = { "stopped", "running", "unused", "wanted" };
  char **ids[] = { &stopped_id, &running_id, &unused_id, &wanted_id };

  if (!need_engine (e))
    return;
  base = g_strdup (e->base);
  settings = test_settings (e);
  builder = new_builder (e);
  env = split_env (base, "x", "");
  g_ptr_array_add (envs, env);

  /* four images of one environment: the last is what it wants now */
  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *script = g_strdup_printf ("# %s %s\necho %s > /version\n", nonce, versions[i], versions[i]);
      g_autoptr(ArImageResolution) res = NULL;
      g_autoptr(Log) log = log_new ();

      ar_environment_set_cached_preflight_script (env, script);
      res = resolve (builder, env, settings, log, FALSE);
      if (res->env.state != AR_LAYER_STATE_BUILT)
        g_error ("%s", log->text->str);
      *ids[i] = g_strdup (res->env.image_id);
    }
  {
    const char *create[] = { "create", "--label", ar_test_engine_run_label (), stopped_id, "true", NULL };
    const char *run[] = { "run", "-d", "--name", running_name, "--label", ar_test_engine_run_label (),
                          running_id, "sleep", "120", NULL };

    g_free (engine_out (e, create));
    g_free (engine_out (e, run));
  }

  images = list_cached (builder, envs, settings);
  g_assert_cmpuint (images->len, >=, 4);
  {
    ArCachedImage *stopped = find_cached (images, stopped_id);
    ArCachedImage *running = find_cached (images, running_id);
    ArCachedImage *unused = find_cached (images, unused_id);
    ArCachedImage *wanted = find_cached (images, wanted_id);

    g_assert_nonnull (stopped);
    g_assert_nonnull (running);
    g_assert_nonnull (unused);
    g_assert_nonnull (wanted);
    g_assert_true (stopped->used_by_container);
    g_assert_true (running->used_by_container);
    g_assert_false (unused->used_by_container);
    g_assert_false (ar_cached_image_in_use (unused));
    g_assert_true (ar_cached_image_in_use (wanted));
    g_assert_cmpstrv (wanted->wanted_by, ((const char *const[]) { ar_environment_get_env_id (env), NULL }));
    g_assert_cmpint (wanted->layer, ==, AR_LAYER_ENV);
    g_assert_cmpstr (wanted->env_id, ==, ar_environment_get_env_id (env));
    g_assert_cmpint (wanted->last_used, >, 0);
    g_assert_cmpint (wanted->info->size, >, 0);
    /* only this run's images: the scope label */
    for (guint i = 0; i < images->len; i++)
      {
        ArCachedImage *image = g_ptr_array_index (images, i);

        g_assert_cmpstr (ar_image_info_get_label (image->info, "io.github.agents-runner.test-run"), ==,
                         ar_test_engine_run_id ());
      }
  }

  /* a dry run removes nothing */
  removed = prune (builder, envs, settings, TRUE);
  g_assert_nonnull (find_cached (removed, unused_id));
  g_assert_null (find_cached (removed, stopped_id));
  g_assert_null (find_cached (removed, running_id));
  g_assert_null (find_cached (removed, wanted_id));
  g_assert_true (image_exists (e, unused_id));
  g_clear_pointer (&removed, g_ptr_array_unref);

  removed = prune (builder, envs, settings, FALSE);
  g_assert_nonnull (find_cached (removed, unused_id));
  g_assert_null (find_cached (removed, stopped_id));
  g_assert_false (image_exists (e, unused_id));
  g_assert_true (image_exists (e, stopped_id));
  g_assert_true (image_exists (e, running_id));
  g_assert_true (image_exists (e, wanted_id));
  g_clear_pointer (&removed, g_ptr_array_unref);

  /* without the environment nothing wants the last one: but the
   * containers still protect theirs */
  g_ptr_array_set_size (envs, 0);
  removed = prune (builder, envs, settings, FALSE);
  g_assert_nonnull (find_cached (removed, wanted_id));
  g_assert_false (image_exists (e, wanted_id));
  g_assert_true (image_exists (e, stopped_id));
  g_assert_true (image_exists (e, running_id));
  {
    const char *rm[] = { "rm", "-f", running_name, NULL };

    g_free (engine_out (e, rm));
  }
}

/* Every image of the engine, intermediate ones too (`docker images -a`). */
static GHashTable *
all_image_ids (Engine *e)
{
  const char *args[] = { "image", "ls", "-a", "-q", "--no-trunc", NULL };
  g_autofree char *out = engine_out (e, args);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_hash_table_add (ids, g_strdup (lines[i]));
  return ids;
}

/* Whether @id (with or without its "sha256:") is one of @ids. */
static gboolean
id_in_set (GHashTable *ids, const char *id)
{
  g_autofree char *full = g_str_has_prefix (id, "sha256:") ? g_strdup (id) : g_strconcat ("sha256:", id, NULL);

  return g_hash_table_contains (ids, id) || g_hash_table_contains (ids, full) ||
         g_hash_table_contains (ids, full + strlen ("sha256:"));
}

static const char *
bare_id (const char *id)
{
  return g_str_has_prefix (id, "sha256:") ? id + strlen ("sha256:") : id;
}

/* Whether image @id comes from @base_id: it is that image, or one of its
 * parents is (the legacy builder's step images have parents). An image
 * gone meanwhile comes from nowhere. */
static gboolean
comes_from (Engine *e, const char *id, const char *base_id)
{
  g_autofree char *at = g_strdup (id);

  for (guint depth = 0; depth < 64 && at != NULL && *at != '\0'; depth++)
    {
      const char *args[] = { "image", "inspect", "--format", "{{.Parent}}", at, NULL };
      g_autofree char *parent = NULL;

      if (g_strcmp0 (bare_id (at), bare_id (base_id)) == 0)
        return TRUE;
      if (e->cli (args, &parent, NULL) != 0)
        return FALSE;
      g_free (at);
      at = g_strdup (g_strstrip (parent));
    }
  return FALSE;
}

/* The images in @after that were not in @before and come from this test's
 * base image, joined for a message: the engine is shared with tests that
 * run beside this one (the field suite), whose images are theirs. */
static char *
new_images (Engine *e, GHashTable *before, GHashTable *after)
{
  g_autofree char *base_id = inspect_format (e, e->base, "{{.Id}}");
  GString *text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (before, id) && comes_from (e, id, base_id))
      g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", (const char *) id);
  return g_string_free (text, FALSE);
}

/* A failed build leaves nothing behind, not even the untagged images of its
 * steps; what a killed build left is ours by its label and `prune` removes
 * it (issue 10 item 4). */
static void
test_failure_leftovers (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageResolution) res = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GPtrArray) envs = g_ptr_array_new ();
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Log) log = log_new ();
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *left = NULL;
  g_autofree char *install_id = NULL;
  g_autofree char *context = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) leftover_ids = g_ptr_array_new_with_free_func (g_free);

  if (!need_engine (e))
    return;
  settings = test_settings (e);
  builder = new_builder (e);
  before = all_image_ids (e);

  script = g_strdup_printf ("# %s\necho half way > /half\nexit 3\n", nonce);
  env = split_env (e->base, script, "");
  res = resolve (builder, env, settings, log, FALSE);
  g_assert_cmpint (res->env.state, ==, AR_LAYER_STATE_FAILED);
  after = all_image_ids (e);
  left = new_images (e, before, after);
  g_assert_cmpstr (left, ==, "");

  /* A build killed half way (the process gone before it could clean up):
   * untagged step images with this install's label. */
  install_id = ar_paths_dup_install_id (&error);
  g_assert_no_error (error);
  context = ar_test_mkdtemp ("leftover");
  text = g_strdup_printf ("FROM %s\nLABEL " AR_LABEL_INSTALL "=\"%s\" %s\nRUN echo %s > /step\nRUN exit 3\n",
                          e->base, install_id, ar_test_engine_run_label (), nonce);
  {
    g_autofree char *dockerfile = g_build_filename (context, "Dockerfile", NULL);
    const char *build[] = { "build", "--force-rm", context, NULL };

    ar_test_write_file (dockerfile, text);
    g_assert_cmpint (e->cli (build, NULL, NULL), !=, 0);
  }
  g_clear_pointer (&after, g_hash_table_unref);
  after = all_image_ids (e);
  g_clear_pointer (&left, g_free);
  left = new_images (e, before, after);
  g_assert_cmpstr (left, !=, "");

  /* Leftovers of this build only: an earlier test's cancelled build may
   * have left some of its own, and the legacy builder leaves one image a
   * committed step (the LABEL step and the first RUN here). */
  images = list_cached (builder, envs, settings);
  for (guint i = 0; i < images->len; i++)
    {
      ArCachedImage *image = g_ptr_array_index (images, i);

      if (image->leftover && !id_in_set (before, image->info->id))
        {
          g_assert_true (image->ours);
          g_assert_true (ar_cached_image_is_unused (image));
          g_ptr_array_add (leftover_ids, g_strdup (image->info->id));
        }
    }
  g_assert_cmpuint (leftover_ids->len, >=, 1);
  removed = prune (builder, envs, settings, TRUE);
  for (guint i = 0; i < leftover_ids->len; i++)
    {
      g_assert_nonnull (find_cached (removed, g_ptr_array_index (leftover_ids, i)));
      g_assert_true (image_exists (e, g_ptr_array_index (leftover_ids, i)));
    }
  g_clear_pointer (&removed, g_ptr_array_unref);
  removed = prune (builder, envs, settings, FALSE);
  for (guint i = 0; i < leftover_ids->len; i++)
    g_assert_nonnull (find_cached (removed, g_ptr_array_index (leftover_ids, i)));
  g_clear_pointer (&after, g_hash_table_unref);
  after = all_image_ids (e);
  g_clear_pointer (&left, g_free);
  left = new_images (e, before, after);
  g_assert_cmpstr (left, ==, "");
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
      add_engine_test (engines[i], "failure/syntax", test_failure_syntax);
      add_engine_test (engines[i], "failure/exit", test_failure_exit);
      add_engine_test (engines[i], "failure/timeout", test_failure_timeout);
    }
  g_test_add_func ("/image-builder/failure/fallback-layers", test_failure_fallback_layers);
  g_test_add_func ("/image-builder/list-prune", test_list_prune);
  g_test_add_func ("/image-builder/failure/leftovers", test_failure_leftovers);

  return g_test_run ();
}
