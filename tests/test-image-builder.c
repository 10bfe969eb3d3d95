/* test-image-builder.c — the layered cached images against a real engine
 * (SPEC §3); the caching scenarios run on Docker and again on podman
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

/* ---- the engines --------------------------------------------------------------- */

/* The caching scenarios run on each engine, podman as well as Docker: one
 * test body, given the engine it runs on. */
typedef struct {
  const char *name;   /* "docker" or "podman": the ArEngine kind and the test path */
  int (*cli) (const char *const *args, char **out_stdout, char **out_stderr);
  char *base;         /* the fixture's base image in this engine, made on first use */
} Engine;

static Engine on_docker = { "docker", ar_test_engine_docker, NULL };
static Engine on_podman = { "podman", ar_test_engine_podman, NULL };

/* Podman keeps its own images: the same root file system, imported there. */
static char *
podman_import_base (void)
{
  g_autofree char *name = g_strconcat ("ar-test-base:", ar_test_engine_run_id (), NULL);
  g_autofree char *change = g_strconcat ("LABEL ", ar_test_engine_run_label (), NULL);
  g_autofree char *err = NULL;
  const char *import[] = { "import", "--change", change, ar_test_engine_base_tar (), name, NULL };

  if (ar_test_engine_podman (import, NULL, &err) != 0)
    g_error ("podman import failed: %s", err);
  return g_steal_pointer (&name);
}

static gboolean
need_engine (Engine *e)
{
  /* podman too: the fixture that makes the base's file system is Docker's */
  if (!ar_test_engine_ensure ())
    {
      g_autofree char *why = g_strdup_printf ("no container engine can be had here: %s",
                                              ar_test_engine_skip_reason ());

      g_test_skip (why);
      return FALSE;
    }
  if (e == &on_podman)
    {
      if (!ar_test_engine_podman_ensure ())
        {
          g_test_skip ("podman is not installed, or not running as root");
          return FALSE;
        }
      if (e->base == NULL)
        e->base = podman_import_base ();
    }
  else if (e->base == NULL)
    e->base = ar_test_engine_base_image ();
  return TRUE;
}

/* ---- helpers ------------------------------------------------------------------ */

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

/* A unique word for this test: scripts that contain it give keys no other
 * test (or earlier run) has built. */
static char *
new_nonce (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

static char *
engine_out (Engine *e, const char *const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = e->cli (args, &out, &err);

  if (status != 0)
    g_error ("%s %s %s failed (%d): %s", e->name, args[0], args[1] != NULL ? args[1] : "", status, err);
  return g_strdup (g_strstrip (out));
}

static char *
inspect_format (Engine *e, const char *image, const char *format)
{
  const char *args[] = { "image", "inspect", "--format", format, image, NULL };

  return engine_out (e, args);
}

static char *
image_label (Engine *e, const char *image, const char *label)
{
  g_autofree char *format = g_strdup_printf ("{{index .Config.Labels \"%s\"}}", label);

  return inspect_format (e, image, format);
}

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

/* How many images carry this label. */
static guint
count_images (Engine *e, const char *label)
{
  g_autofree char *filter = g_strconcat ("label=", label, NULL);
  const char *args[] = { "image", "ls", "-q", "--no-trunc", "--filter", filter, NULL };
  g_autofree char *out = engine_out (e, args);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_hash_table_add (ids, lines[i]);
  return g_hash_table_size (ids);
}

static guint
count_env_images (Engine *e, ArEnvironment *env)
{
  g_autofree char *label = g_strconcat (AR_LABEL_ENV_ID "=", ar_environment_get_env_id (env), NULL);

  return count_images (e, label);
}

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

/* A log in memory whose lines the test can read. */
typedef struct {
  ArTaskLog *log;
  GString *text;
} Log;

static void
on_line (ArTaskLog *log, const char *line, int level, gpointer user_data)
{
  GString *text = user_data;

  g_string_append (text, line);
  g_string_append_c (text, '\n');
}

static Log *
log_new (void)
{
  g_autoptr(GError) error = NULL;
  Log *log = g_new0 (Log, 1);

  log->log = ar_task_log_new (NULL, &error);
  g_assert_no_error (error);
  log->text = g_string_new (NULL);
  g_signal_connect (log->log, "line", G_CALLBACK (on_line), log->text);
  return log;
}

static void
log_free (Log *log)
{
  g_object_unref (log->log);
  g_string_free (log->text, TRUE);
  g_free (log);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Log, log_free)

static gboolean
log_has (Log *log, const char *needle)
{
  return strstr (log->text->str, needle) != NULL;
}

/* The line holding both needles, or NULL. */
static char *
log_line_with (Log *log, const char *a, const char *b)
{
  g_auto(GStrv) lines = g_strsplit (log->text->str, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], a) != NULL && (b == NULL || strstr (lines[i], b) != NULL))
      return g_strdup (lines[i]);
  return NULL;
}

static void
assert_log_has (Log *log, const char *needle)
{
  if (!log_has (log, needle))
    g_error ("the log has no “%s”:\n%s", needle, log->text->str);
}

static void
assert_log_lacks (Log *log, const char *needle)
{
  if (log_has (log, needle))
    g_error ("the log has “%s”:\n%s", needle, log->text->str);
}

/* The build folder the log names is gone. */
static void
assert_context_removed (Log *log)
{
  g_autofree char *line = log_line_with (log, "build context: ", NULL);
  const char *path;

  g_assert_nonnull (line);
  path = strstr (line, "build context: ") + strlen ("build context: ");
  g_assert_true (g_path_is_absolute (path));
  g_assert_true (strstr (path, "agents-runner-build-") != NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static ArSettings *
test_settings (Engine *e)
{
  ArSettings *settings = ar_settings_new_default ();

  settings->build_timeout = 120;
  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (e->base);
  g_free (settings->engine);
  settings->engine = g_strdup (e->name);
  return settings;
}

static ArEnvironment *
split_env (const char *base, const char *cached, const char *run)
{
  ArEnvironment *env = ar_environment_new_with_id ();

  ar_environment_set_name (env, "image builder test");
  ar_environment_set_base_image (env, base);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, cached);
  ar_environment_set_run_preflight_script (env, run);
  return env;
}

/* A replacement desktop scripts folder: containers cannot download the
 * real desktop here. install.sh reaches a sibling script, as the bundled
 * ones do. */
static char *
desktop_scripts (const char *nonce, const char *install_body)
{
  g_autofree char *dir = ar_test_mkdtemp ("desktop");
  g_autofree char *install = g_build_filename (dir, "install.sh", NULL);
  g_autofree char *lib = g_build_filename (dir, "lib.sh", NULL);
  g_autofree char *lib_text = g_strdup_printf ("mark () { echo desktop-%s > /desktop-marker; }\n", nonce);
  g_autofree char *install_text = g_strdup_printf ("#!/bin/sh\nset -e\n. \"$(dirname \"$0\")/lib.sh\"\n%s\n",
                                                   install_body);

  ar_test_write_file (lib, lib_text);
  ar_test_write_file (install, install_text);
  return g_steal_pointer (&dir);
}

static void
with_desktop (ArEnvironment *env, ArSettings *settings, const char *scripts)
{
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  ar_environment_set_cache_desktop_build (env, TRUE);
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);
}

static ArImageBuilder *
new_builder (Engine *e)
{
  g_autoptr(ArEngine) engine = ar_engine_new (e->name, "");

  return ar_image_builder_new (engine);
}

static ArImageResolution *
resolve_full (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, Log *log, gboolean force,
              GCancellable *cancellable, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ar_image_builder_resolve_async (builder, env, settings, log != NULL ? log->log : NULL, force, cancellable,
                                  ar_test_store_result, &result);
  return ar_image_builder_resolve_finish (builder, ar_test_wait_result (&result), error);
}

static ArImageResolution *
resolve (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, Log *log, gboolean force)
{
  g_autoptr(GError) error = NULL;
  ArImageResolution *res = resolve_full (builder, env, settings, log, force, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (res);
  return res;
}

static ArImageResolution *
plan (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ArImageResolution *res;

  ar_image_builder_plan_async (builder, env, settings, NULL, ar_test_store_result, &result);
  res = ar_image_builder_plan_finish (builder, ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (res);
  return res;
}

/* As the core names image IDs: podman prints them without "sha256:". */
static char *
image_id (Engine *e, const char *image)
{
  g_autofree char *id = inspect_format (e, image, "{{.Id}}");

  return g_str_has_prefix (id, "sha256:") ? g_steal_pointer (&id) : g_strconcat ("sha256:", id, NULL);
}

static char *
base_id (Engine *e)
{
  return image_id (e, e->base);
}

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

/* ---- the environment layer --------------------------------------------------------- */

static char *
marker_script (const char *nonce, const char *path)
{
  return g_strdup_printf ("#!/bin/sh\nset -e\necho building-%s\necho %s > %s\n", nonce, nonce, path);
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
  /* Docker removes the stopped build's container just after its CLI ends */
  started = now_seconds ();
  while (count_build_containers (e, base) > containers_before && now_seconds () - started < 15)
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

/* The images in @after that were not in @before, joined for a message. */
static char *
new_images (GHashTable *before, GHashTable *after)
{
  GString *text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, after);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (before, id))
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
  left = new_images (before, after);
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
  left = new_images (before, after);
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
  left = new_images (before, after);
  g_assert_cmpstr (left, ==, "");
}

/* "/image-builder/<engine>/<name>" */
static void
add_engine_test (Engine *e, const char *name, GTestDataFunc func)
{
  g_autofree char *path = g_strdup_printf ("/image-builder/%s/%s", e->name, name);

  g_test_add_data_func (path, e, func);
}

int
main (int argc, char *argv[])
{
  Engine *engines[] = { &on_docker, &on_podman };
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
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      add_engine_test (engines[i], "env-layer", test_env_layer);
      add_engine_test (engines[i], "desktop-and-env", test_desktop_and_env);
      add_engine_test (engines[i], "invalidation", test_invalidation);
      add_engine_test (engines[i], "failure/syntax", test_failure_syntax);
      add_engine_test (engines[i], "failure/exit", test_failure_exit);
      add_engine_test (engines[i], "failure/timeout", test_failure_timeout);
    }
  /* the rest of the builder, on Docker */
  g_test_add_func ("/image-builder/nonroot-base", test_nonroot_base);
  g_test_add_func ("/image-builder/failure/fallback-layers", test_failure_fallback_layers);
  g_test_add_func ("/image-builder/concurrent/in-process", test_concurrent_in_process);
  g_test_add_func ("/image-builder/cancel", test_cancel);
  g_test_add_func ("/image-builder/plan", test_plan);
  g_test_add_func ("/image-builder/pull-policy", test_pull_policy);
  g_test_add_func ("/image-builder/list-prune", test_list_prune);
  g_test_add_func ("/image-builder/failure/leftovers", test_failure_leftovers);

  return g_test_run ();
}
