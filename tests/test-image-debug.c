/* test-image-debug.c — what G_MESSAGES_DEBUG=agents-runner-images tells a
 * user about the image builder's decisions, against a real engine: a cache
 * MISS with its key and reason, the HIT after it, a failed build's fallback
 * and the skip of the same inputs after it (issue 13 item 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-image-builder.h"
#include "test-utils.h"

/* ---- the debug output of agents-runner-images -------------------------------- */

static GMutex lines_lock;
static GPtrArray *lines; /* char *: the messages of agents-runner-images at DEBUG */

/* Takes the builder's debug messages; everything else goes on as usual. */
static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  if ((level & G_LOG_LEVEL_DEBUG) != 0 && g_strcmp0 (domain, "agents-runner-images") == 0 && message != NULL)
    {
      g_mutex_lock (&lines_lock);
      g_ptr_array_add (lines, g_strdup (message));
      g_mutex_unlock (&lines_lock);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
lines_clear (void)
{
  g_mutex_lock (&lines_lock);
  g_ptr_array_set_size (lines, 0);
  g_mutex_unlock (&lines_lock);
}

/* The first debug line holding all of the NULL-terminated needles. */
static char *line_with (const char *first, ...) G_GNUC_NULL_TERMINATED;

static char *
line_with (const char *first, ...)
{
  char *found = NULL;

  g_mutex_lock (&lines_lock);
  for (guint i = 0; i < lines->len && found == NULL; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      gboolean all = TRUE;
      va_list args;

      va_start (args, first);
      for (const char *needle = first; needle != NULL && all; needle = va_arg (args, const char *))
        all = strstr (line, needle) != NULL;
      va_end (args);
      if (all)
        found = g_strdup (line);
    }
  g_mutex_unlock (&lines_lock);
  return found;
}

static void
dump_lines (void)
{
  g_mutex_lock (&lines_lock);
  for (guint i = 0; i < lines->len; i++)
    g_test_message ("debug: %s", (const char *) g_ptr_array_index (lines, i));
  g_mutex_unlock (&lines_lock);
}

/* ---- helpers ------------------------------------------------------------------ */

static ArSettings *
test_settings (const char *base)
{
  ArSettings *settings = ar_settings_new_default ();

  settings->build_timeout = 120;
  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (base);
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");
  return settings;
}

/* An environment whose cached preflight is @cached: the environment layer
 * only, with a key of its own. */
static ArEnvironment *
cached_env (const char *base, const char *cached)
{
  ArEnvironment *env = ar_environment_new_with_id ();

  ar_environment_set_name (env, "image debug test");
  ar_environment_set_base_image (env, base);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, cached);
  ar_environment_set_run_preflight_script (env, "true\n");
  return env;
}

static ArImageResolution *
resolve (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ArImageResolution *res;

  lines_clear ();
  ar_image_builder_resolve_async (builder, env, settings, NULL, FALSE, NULL, ar_test_store_result, &result);
  res = ar_image_builder_resolve_finish (builder, ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (res);
  dump_lines ();
  return res;
}

/* Fails unless a debug line holds every one of the strings. */
#define ASSERT_LINE(...)                                              \
  G_STMT_START {                                                      \
    g_autofree char *line_ = line_with (__VA_ARGS__, NULL);           \
    if (line_ == NULL)                                                \
      g_error ("no debug line of agents-runner-images holds %s",      \
               #__VA_ARGS__);                                         \
  } G_STMT_END

/* ---- the tests ---------------------------------------------------------------- */

/* A new key: MISS with its key and the same reason the result gives, then
 * the build; the same inputs again: HIT with the same key. */
static void
test_miss_then_hit (void)
{
  g_autofree char *base = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *script = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageResolution) first = NULL;
  g_autoptr(ArImageResolution) second = NULL;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  nonce = g_uuid_string_random ();
  script = g_strdup_printf ("echo debug-%s > /debug-marker\n", nonce);
  settings = test_settings (base);
  env = cached_env (base, script);
  engine = ar_engine_new ("docker", "");
  builder = ar_image_builder_new (engine);

  first = resolve (builder, env, settings);
  g_assert_cmpint (first->env.state, ==, AR_LAYER_STATE_BUILT);
  g_assert_nonnull (first->env.miss_reason);
  ASSERT_LINE ("image/env", "cache MISS", first->env.key, first->env.miss_reason);

  second = resolve (builder, env, settings);
  g_assert_cmpint (second->env.state, ==, AR_LAYER_STATE_HIT);
  g_assert_cmpstr (second->env.key, ==, first->env.key);
  ASSERT_LINE ("image/env", "cache HIT", second->env.key);
}

/* A build that fails: the fallback is said; the same inputs again are not
 * built, and why. */
static void
test_fallback (void)
{
  g_autofree char *base = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *script = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageResolution) first = NULL;
  g_autoptr(ArImageResolution) second = NULL;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  nonce = g_uuid_string_random ();
  script = g_strdup_printf ("echo failing-%s\nexit 3\n", nonce);
  settings = test_settings (base);
  env = cached_env (base, script);
  engine = ar_engine_new ("docker", "");
  builder = ar_image_builder_new (engine);

  first = resolve (builder, env, settings);
  g_assert_cmpint (first->env.state, ==, AR_LAYER_STATE_FAILED);
  g_assert_true (first->run_cached_preflight_at_start);
  ASSERT_LINE ("image/env", "cache MISS", first->env.key);
  ASSERT_LINE ("image/env", "fallback", first->env.key, "exit status 3");
  ASSERT_LINE ("image:", "runtime image", base, "cached preflight at start: yes");

  second = resolve (builder, env, settings);
  g_assert_cmpint (second->env.state, ==, AR_LAYER_STATE_SKIPPED_FAILED_BEFORE);
  ASSERT_LINE ("image/env", "cache MISS", second->env.key, "failed to build before", "fallback");
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);
  /* Everything the builder makes carries this run's label, so the fixture
   * removes it. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);
  lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/image-debug/miss-then-hit", test_miss_then_hit);
  g_test_add_func ("/image-debug/fallback", test_fallback);

  return g_test_run ();
}
