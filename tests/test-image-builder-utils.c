/* test-image-builder-utils.c — what the test-image-builder programs share
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

Engine on_docker = { "docker", ar_test_engine_docker, NULL };
Engine on_podman = { "podman", ar_test_engine_podman, NULL };

gboolean
need_engine (Engine *e)
{
  /* podman too: the fixture that makes the base's file system is Docker's */
  if (!ar_test_engine_need ())
    return FALSE;
  if (e == &on_podman)
    {
      if (!ar_test_engine_podman_ensure ())
        {
          g_test_skip ("podman is not installed, or not running as root");
          return FALSE;
        }
      if (e->base == NULL)
        e->base = ar_test_engine_podman_base_image ();
    }
  else if (e->base == NULL)
    e->base = ar_test_engine_base_image ();
  return TRUE;
}

/* ---- helpers ------------------------------------------------------------------ */

double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

/* A unique word for this test: scripts that contain it give keys no other
 * test (or earlier run) has built. */
char *
new_nonce (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

char *
engine_out (Engine *e, const char *const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = e->cli (args, &out, &err);

  if (status != 0)
    g_error ("%s %s %s failed (%d): %s", e->name, args[0], args[1] != NULL ? args[1] : "", status, err);
  return g_strdup (g_strstrip (out));
}

char *
inspect_format (Engine *e, const char *image, const char *format)
{
  const char *args[] = { "image", "inspect", "--format", format, image, NULL };

  return engine_out (e, args);
}

char *
image_label (Engine *e, const char *image, const char *label)
{
  g_autofree char *format = g_strdup_printf ("{{index .Config.Labels \"%s\"}}", label);

  return inspect_format (e, image, format);
}

/* How many images carry this label. */
guint
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

guint
count_env_images (Engine *e, ArEnvironment *env)
{
  g_autofree char *label = g_strconcat (AR_LABEL_ENV_ID "=", ar_environment_get_env_id (env), NULL);

  return count_images (e, label);
}

void
on_line (ArTaskLog *log, const char *line, int level, gpointer user_data)
{
  GString *text = user_data;

  g_string_append (text, line);
  g_string_append_c (text, '\n');
}

Log *
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

void
log_free (Log *log)
{
  g_object_unref (log->log);
  g_string_free (log->text, TRUE);
  g_free (log);
}

gboolean
log_has (Log *log, const char *needle)
{
  return strstr (log->text->str, needle) != NULL;
}

/* The line holding both needles, or NULL. */
char *
log_line_with (Log *log, const char *a, const char *b)
{
  g_auto(GStrv) lines = g_strsplit (log->text->str, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], a) != NULL && (b == NULL || strstr (lines[i], b) != NULL))
      return g_strdup (lines[i]);
  return NULL;
}

void
assert_log_has (Log *log, const char *needle)
{
  if (!log_has (log, needle))
    g_error ("the log has no “%s”:\n%s", needle, log->text->str);
}

void
assert_log_lacks (Log *log, const char *needle)
{
  if (log_has (log, needle))
    g_error ("the log has “%s”:\n%s", needle, log->text->str);
}

/* The build folder the log names is gone. */
void
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

ArSettings *
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

ArEnvironment *
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
char *
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

void
with_desktop (ArEnvironment *env, ArSettings *settings, const char *scripts)
{
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  ar_environment_set_cache_desktop_build (env, TRUE);
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);
}

ArImageBuilder *
new_builder (Engine *e)
{
  g_autoptr(ArEngine) engine = ar_engine_new (e->name, "");

  return ar_image_builder_new (engine);
}

ArImageResolution *
resolve_full (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, Log *log, gboolean force,
              GCancellable *cancellable, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ar_image_builder_resolve_async (builder, env, settings, log != NULL ? log->log : NULL, force, cancellable,
                                  ar_test_store_result, &result);
  return ar_image_builder_resolve_finish (builder, ar_test_wait_result (&result), error);
}

ArImageResolution *
resolve (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, Log *log, gboolean force)
{
  g_autoptr(GError) error = NULL;
  ArImageResolution *res = resolve_full (builder, env, settings, log, force, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (res);
  return res;
}

ArImageResolution *
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
char *
image_id (Engine *e, const char *image)
{
  g_autofree char *id = inspect_format (e, image, "{{.Id}}");

  return g_str_has_prefix (id, "sha256:") ? g_steal_pointer (&id) : g_strconcat ("sha256:", id, NULL);
}

char *
base_id (Engine *e)
{
  return image_id (e, e->base);
}

/* ---- the environment layer --------------------------------------------------------- */

char *
marker_script (const char *nonce, const char *path)
{
  return g_strdup_printf ("#!/bin/sh\nset -e\necho building-%s\necho %s > %s\n", nonce, nonce, path);
}

/* "/image-builder/<engine>/<name>" */
void
add_engine_test (Engine *e, const char *name, GTestDataFunc func)
{
  g_autofree char *path = g_strdup_printf ("/image-builder/%s/%s", e->name, name);

  g_test_add_data_func (path, e, func);
}
