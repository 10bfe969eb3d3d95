/* test-env-store.c — environments.json: round trip, unknown keys,
 * migrations, malformed files, atomic save under kill -9
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-env-store.h"
#include "ar-paths.h"
#include <glib/gstdio.h>
#include "test-utils.h"

static char *
store_path (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("store");
  return g_build_filename (dir, "environments.json", NULL);
}

static ArEnvStore *
load_from_text (const char *path, const char *text)
{
  g_autoptr(GError) error = NULL;
  ArEnvStore *store = ar_env_store_new (path);

  ar_test_write_file (path, text);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  return store;
}

/* The file as it is on disk, loaded by a new store. */
static ArEnvStore *
load_existing (const char *path)
{
  g_autofree char *text = ar_test_read_file (path);

  return load_from_text (path, text);
}

static gboolean
strv_contains_substring (char **strv, const char *needle)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_missing_file_is_empty (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_default_path (void)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  g_autofree char *expected = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "agents-runner",
                                                "environments.json", NULL);

  g_assert_cmpstr (ar_env_store_get_path (store), ==, expected);
}

static ArEnvironment *
full_environment (void)
{
  ArEnvironment *env = ar_environment_new_with_id ();
  const char *vars[] = { "ZED=last", "ALPHA=first", "WITH_EQ=a=b", NULL };
  const char *mounts[] = { "/data:/data:ro", NULL };
  const char *ports[] = { "127.0.0.1:3000:3000", "8080", NULL };
  const char *argv[] = { "aider", "--yes", "{prompt}", NULL };

  ar_environment_set_name (env, "Full “quoted” ünïcode");
  ar_environment_set_color (env, "indigo");
  ar_environment_set_base_image (env, "debian:12");
  ar_environment_set_workspace_type (env, "cloned");
  ar_environment_set_workspace_target (env, "owner/repo");
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, argv);
  ar_environment_set_env_vars (env, vars);
  ar_environment_set_extra_mounts (env, mounts);
  ar_environment_set_ports (env, ports);
  ar_environment_set_max_agents_running (env, 2);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  ar_environment_set_cache_desktop_build (env, TRUE);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cached_preflight_script (env, "#!/bin/bash\nset -e\napt-get install -y \"git\" \\\n  curl\n\ttab\n");
  ar_environment_set_run_preflight_script (env, "export X=1\n");
  ar_environment_set_preflight_script (env, "old script, kept\n");
  return env;
}

static void
test_round_trip_byte_stable (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(ArEnvStore) again = ar_env_store_new (path);
  g_autoptr(ArEnvironment) env = full_environment ();
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  ArEnvironment *loaded;

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_true (ar_env_store_add (store, env, &error));
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);
  first = ar_test_read_file (path);

  g_assert_true (ar_env_store_load (again, &error));
  g_assert_cmpuint (ar_env_store_get_n_environments (again), ==, 1);
  loaded = ar_env_store_get_environment (again, 0);
  g_assert_cmpstr (ar_environment_get_name (loaded), ==, ar_environment_get_name (env));
  g_assert_cmpstr (ar_environment_get_cached_preflight_script (loaded), ==,
                   ar_environment_get_cached_preflight_script (env));
  g_assert_true (g_strv_equal (ar_environment_get_env_vars (loaded), ar_environment_get_env_vars (env)));
  g_assert_true (g_strv_equal (ar_environment_get_custom_command (loaded),
                               ar_environment_get_custom_command (env)));
  g_assert_true (g_strv_equal (ar_environment_get_ports (loaded), ar_environment_get_ports (env)));
  g_assert_cmpint (ar_environment_get_max_agents_running (loaded), ==, 2);
  g_assert_true (ar_environment_get_cache_desktop_build (loaded));
  g_assert_cmpint (ar_environment_get_preflight_mode (loaded), ==, AR_PREFLIGHT_MODE_SPLIT);

  /* The second save writes the very same bytes. */
  ar_env_store_allow_overwrite (again);
  g_remove (path);
  g_assert_true (ar_env_store_save (again, &error));
  second = ar_test_read_file (path);
  g_assert_cmpstr (first, ==, second);

  /* Format as promised: format 2, two-space indent, the alias written. */
  g_assert_true (g_str_has_prefix (first, "{\n  \"format\": 2,\n  \"environments\": [\n    {\n"));
  g_assert_nonnull (strstr (first, "\"container_caching_enabled\": true"));
  g_assert_true (g_str_has_suffix (first, "}\n"));
}

static void
test_pretty_format (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"format\": 2, \"environments\": [{\"env_id\": \"f\", \"name\": \"tab\\there \\\"q\\\" \\\\ \\u0001 ü\","
    " \"x_float\": 1.0, \"x_num\": 2.5e10, \"x_empty_obj\": {}, \"x_empty_list\": [], \"x_null\": null}]}");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autoptr(ArEnvStore) reload = ar_env_store_new (path);

  g_assert_true (ar_env_store_save (store, &error));
  text = ar_test_read_file (path);
  g_assert_nonnull (strstr (text, "\n      \"name\": \"tab\\there \\\"q\\\" \\\\ \\u0001 ü\",\n"));
  g_assert_nonnull (strstr (text, "\"env_vars\": {},\n"));
  g_assert_nonnull (strstr (text, "\"ports\": [],\n"));
  g_assert_nonnull (strstr (text, "\"x_float\": 1.0,\n"));
  g_assert_nonnull (strstr (text, "\"x_empty_obj\": {},\n"));
  g_assert_nonnull (strstr (text, "\"x_null\": null\n"));

  /* What we write, we read back to the same bytes. */
  g_assert_true (ar_env_store_load (reload, &error));
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_get_environment (reload, 0)), ==, "tab\there \"q\" \\ \001 ü");
  again = ar_env_store_to_data (reload, NULL);
  g_assert_cmpstr (again, ==, text);
}

static const char *unknown_keys_file =
  "{\n"
  "  \"format\": 2,\n"
  "  \"top_future\": {\"nested\": [1, 2, {\"x\": null}]},\n"
  "  \"environments\": [\n"
  "    {\"version\": 1, \"env_id\": \"env-00000001\", \"name\": \"A\",\n"
  "     \"future_flag\": true, \"future_obj\": {\"b\": 2, \"a\": 1}, \"gh_context\": [\"x\"]}\n"
  "  ],\n"
  "  \"later\": \"kept\"\n"
  "}\n";

static void
test_unknown_keys_kept (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path, unknown_keys_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *top, *entry, *obj;
  ArEnvironment *env = ar_env_store_get_environment (store, 0);

  /* Edit a known field: unknown ones must survive that too. */
  ar_environment_set_name (env, "A edited");
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);

  root = ar_json_parse_file (path, &error);
  g_assert_no_error (error);
  top = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (top, "later"), ==, "kept");
  g_assert_true (json_object_has_member (json_object_get_object_member (top, "top_future"), "nested"));
  entry = json_array_get_object_element (json_object_get_array_member (top, "environments"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "A edited");
  g_assert_true (json_object_get_boolean_member (entry, "future_flag"));
  obj = json_object_get_object_member (entry, "future_obj");
  g_assert_cmpint (json_object_get_int_member (obj, "b"), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (entry, "gh_context"), 0), ==, "x");

  /* Unknown members keep their order after the known ones. */
  {
    g_autofree char *text = ar_test_read_file (path);
    const char *a = strstr (text, "\"future_flag\"");
    const char *b = strstr (text, "\"future_obj\"");
    const char *c = strstr (text, "\"gh_context\"");
    g_assert_true (a != NULL && a < b && b < c);
    g_assert_true (strstr (text, "\"top_future\"") < strstr (text, "\"later\""));
  }
}

static void
test_migrate_legacy_preflight (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"environments\": ["
    " {\"env_id\": \"enabled\", \"preflight_enabled\": true, \"preflight_script\": \"echo on\\n\"},"
    " {\"env_id\": \"disabled\", \"preflight_enabled\": false, \"preflight_script\": \"echo off\\n\"},"
    " {\"env_id\": \"has-run\", \"preflight_enabled\": true, \"preflight_script\": \"echo legacy\\n\","
    "  \"run_preflight_script\": \"echo run\\n\"}"
    "]}");
  ArEnvironment *enabled = ar_env_store_get_environment (store, 0);
  ArEnvironment *disabled = ar_env_store_get_environment (store, 1);
  ArEnvironment *has_run = ar_env_store_get_environment (store, 2);

  g_assert_cmpstr (ar_environment_get_run_preflight_script (enabled), ==, "echo on\n");
  g_assert_cmpstr (ar_environment_get_preflight_script (enabled), ==, "echo on\n");
  g_assert_true (ar_environment_get_preflight_enabled (enabled));

  /* A disabled script would start running in split mode: not copied. */
  g_assert_cmpstr (ar_environment_get_run_preflight_script (disabled), ==, "");
  g_assert_cmpstr (ar_environment_get_preflight_script (disabled), ==, "echo off\n");

  g_assert_cmpstr (ar_environment_get_run_preflight_script (has_run), ==, "echo run\n");
}

static void
test_migrate_mode (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"environments\": ["
    " {\"env_id\": \"a\", \"cached_preflight_script\": \"apk add git\\n\"},"
    " {\"env_id\": \"b\", \"cached_preflight_script\": \"\"},"
    " {\"env_id\": \"c\", \"cached_preflight_script\": \"apk add git\\n\", \"preflight_mode\": \"single\"}"
    "]}");

  g_assert_cmpint (ar_environment_get_preflight_mode (ar_env_store_get_environment (store, 0)), ==, AR_PREFLIGHT_MODE_SPLIT);
  g_assert_cmpint (ar_environment_get_preflight_mode (ar_env_store_get_environment (store, 1)), ==, AR_PREFLIGHT_MODE_SINGLE);
  g_assert_cmpint (ar_environment_get_preflight_mode (ar_env_store_get_environment (store, 2)), ==, AR_PREFLIGHT_MODE_SINGLE);
}

static void
test_migrate_caching_alias (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "[ {\"env_id\": \"alias-only\", \"container_caching_enabled\": true},"
    "  {\"env_id\": \"both\", \"container_caching_enabled\": true, \"cache_container_build\": false} ]");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (ar_environment_get_cache_container_build (ar_env_store_get_environment (store, 0)));
  /* The new name wins when both are there. */
  g_assert_false (ar_environment_get_cache_container_build (ar_env_store_get_environment (store, 1)));

  /* A bare list loads, and saves in the new shape with the alias in step. */
  g_assert_true (ar_env_store_save (store, &error));
  text = ar_test_read_file (path);
  g_assert_true (g_str_has_prefix (text, "{\n  \"format\": 2,"));
  g_assert_nonnull (strstr (text, "\"cache_container_build\": false,\n      \"container_caching_enabled\": false"));
}

static void
test_caching_on_empty_cached_warns (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"environments\": [{\"env_id\": \"e\", \"cache_container_build\": true, \"preflight_mode\": \"split\","
    " \"cached_preflight_script\": \"\", \"run_preflight_script\": \"echo hi\\n\"}]}");
  ArEnvironment *env = ar_env_store_get_environment (store, 0);
  g_auto(GStrv) warnings = ar_environment_dup_warnings (env);

  g_assert_true (ar_environment_get_cache_container_build (env));
  g_assert_true (strv_contains_substring (warnings, "container caching is on but the cached preflight is empty: nothing will be cached"));
}

static void
test_missing_and_duplicate_ids (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"environments\": ["
    " {\"name\": \"no id\"},"
    " {\"id\": \"old-style\", \"name\": \"legacy id\"},"
    " {\"env_id\": \"dup\", \"name\": \"first\"},"
    " {\"env_id\": \"dup\", \"name\": \"second\"}"
    "]}");
  ArEnvironment *no_id = ar_env_store_get_environment (store, 0);
  g_auto(GStrv) w0 = ar_environment_dup_warnings (no_id);
  g_auto(GStrv) w3 = ar_environment_dup_warnings (ar_env_store_get_environment (store, 3));

  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 4);
  g_assert_true (g_str_has_prefix (ar_environment_get_env_id (no_id), "env-"));
  g_assert_true (strv_contains_substring (w0, "has no id"));
  g_assert_cmpstr (ar_environment_get_env_id (ar_env_store_get_environment (store, 1)), ==, "old-style");
  g_assert_cmpstr (ar_environment_get_env_id (ar_env_store_get_environment (store, 2)), ==, "dup");
  g_assert_cmpstr (ar_environment_get_env_id (ar_env_store_get_environment (store, 3)), !=, "dup");
  g_assert_true (strv_contains_substring (w3, "repeats the id"));
}

static void
test_type_errors_keep_entry (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"environments\": [{\"env_id\": \"t\", \"name\": 42, \"ports\": \"8080\", \"max_agents_running\": \"3\","
    " \"headless_desktop_enabled\": \"yes\", \"color\": \"purple\", \"env_vars\": {\"A\": 1},"
    " \"base_image\": null, \"version\": 7}]}");
  ArEnvironment *env = ar_env_store_get_environment (store, 0);
  g_auto(GStrv) warnings = ar_environment_dup_warnings (env);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *entry;

  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 1);
  g_assert_cmpstr (ar_environment_get_name (env), ==, "");
  g_assert_cmpint (ar_environment_get_max_agents_running (env), ==, -1);
  g_assert_false (ar_environment_get_headless_desktop_enabled (env));
  g_assert_cmpstr (ar_environment_get_color (env), ==, "emerald");
  g_assert_true (strv_contains_substring (warnings, "“name” should be a string but is 42"));
  g_assert_true (strv_contains_substring (warnings, "“ports” should be a list of strings"));
  g_assert_true (strv_contains_substring (warnings, "“max_agents_running” should be a whole number"));
  g_assert_true (strv_contains_substring (warnings, "“headless_desktop_enabled” should be true or false"));
  g_assert_true (strv_contains_substring (warnings, "“color” has the unknown value \"purple\""));
  g_assert_true (strv_contains_substring (warnings, "“env_vars” should be an object of strings"));
  g_assert_true (strv_contains_substring (warnings, "has version 7"));

  /* The raw values are written back unchanged… */
  g_assert_true (ar_env_store_save (store, &error));
  root = ar_json_parse_file (path, &error);
  entry = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "environments"), 0);
  g_assert_cmpint (json_object_get_int_member (entry, "name"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (entry, "ports"), ==, "8080");
  g_assert_cmpstr (json_object_get_string_member (entry, "color"), ==, "purple");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (entry, "base_image")));
  g_assert_cmpint (json_object_get_int_member (entry, "version"), ==, 7);

  /* …until the user sets the field again. */
  g_clear_pointer (&root, json_node_unref);
  ar_environment_set_name (env, "Fixed");
  ar_environment_set_color (env, "rose");
  g_assert_true (ar_env_store_save (store, &error));
  root = ar_json_parse_file (path, &error);
  entry = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "environments"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "Fixed");
  g_assert_cmpstr (json_object_get_string_member (entry, "color"), ==, "rose");
}

static void
test_malformed_not_overwritten (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  const char *broken = "{\n  \"format\": 2,\n  \"environments\": [\n    {\"env_id\": \"x\",}\n  ]\n}\n";
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();

  ar_test_write_file (path, broken);
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "line 4, column"));
  g_clear_error (&error);

  /* Nothing may overwrite it until the user decides. */
  g_assert_true (ar_env_store_add (store, env, &error));
  g_assert_false (ar_env_store_save (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_REFUSED);
  after = ar_test_read_file (path);
  g_assert_cmpstr (after, ==, broken);
  g_assert_false (g_file_test (bak, G_FILE_TEST_EXISTS));
}

static void
test_wrong_shape (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;

  ar_test_write_file (path, "{\"something\": 1}");
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE);
  g_clear_error (&error);

  ar_test_write_file (path, "");
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
}

static void
test_backup_kept (void)
{
  g_autofree char *path = store_path ();
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autoptr(ArEnvStore) store = load_from_text (path, "{\"format\": 2, \"environments\": []}");
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_autofree char *bak_text = NULL;

  g_assert_true (ar_env_store_add (store, env, &error));
  g_assert_true (ar_env_store_save (store, &error));
  bak_text = ar_test_read_file (bak);
  g_assert_cmpstr (bak_text, ==, "{\"format\": 2, \"environments\": []}");
}

static void
test_lookup (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "[{\"env_id\": \"e1\", \"name\": \"Same\"}, {\"env_id\": \"e2\", \"name\": \"Same\"},"
    " {\"env_id\": \"e3\", \"name\": \"Unique\"}]");
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_env_store_lookup (store, "e2", &error) == ar_env_store_get_environment (store, 1));
  g_assert_true (ar_env_store_lookup (store, "Unique", &error) == ar_env_store_get_environment (store, 2));
  g_assert_null (ar_env_store_lookup (store, "Same", &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_AMBIGUOUS);
  g_clear_error (&error);
  g_assert_null (ar_env_store_lookup (store, "nope", &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (ar_env_store_add (store, ar_env_store_get_environment (store, 0), &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_EXISTS);
  g_assert_true (ar_env_store_remove (store, "e1"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
}

/* ---- kill -9 during save ------------------------------------------------ */

#define N_BIG 300

static void
fill_store (ArEnvStore *store, const char *name)
{
  g_autofree char *script = NULL;
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < 50; i++)
    g_string_append_printf (s, "apt-get install -y package-%u-%s\n", i, name);
  script = g_string_free (g_steal_pointer (&s), FALSE);

  for (guint i = 0; i < ar_env_store_get_n_environments (store); i++)
    {
      ArEnvironment *env = ar_env_store_get_environment (store, i);
      ar_environment_set_name (env, name);
      ar_environment_set_cached_preflight_script (env, script);
    }
}

/* The child: saves A, B, A, B… until it is killed. */
static int
run_saver (const char *path)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;

  if (!ar_env_store_load (store, &error))
    return 3;
  for (guint round = 0; ; round++)
    {
      fill_store (store, round % 2 ? "B" : "A");
      if (!ar_env_store_save (store, &error))
        return 4;
    }
  return 0;
}

static const char *
uniform_name (const char *path)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;
  const char *name;

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, N_BIG);
  name = ar_environment_get_name (ar_env_store_get_environment (store, 0));
  for (guint i = 1; i < N_BIG; i++)
    g_assert_cmpstr (ar_environment_get_name (ar_env_store_get_environment (store, i)), ==, name);
  return g_intern_string (name);
}

static void
test_kill_during_save (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  guint seen_a = 0, seen_b = 0;

  g_assert_true (ar_env_store_load (store, &error));
  for (guint i = 0; i < N_BIG; i++)
    {
      g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
      g_assert_true (ar_env_store_add (store, env, &error));
    }
  fill_store (store, "A");
  g_assert_true (ar_env_store_save (store, &error));

  for (guint attempt = 0; attempt < 25; attempt++)
    {
      const char *argv[] = { self_exe, NULL };
      g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "AR_TEST_SAVER", path, TRUE);
      GPid pid;
      int status;
      const char *name;

      g_assert_true (g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, &error));
      g_usleep (g_random_int_range (20, 200) * 1000);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      /* Old or new, never torn: the file parses and every entry agrees. */
      name = uniform_name (path);
      if (g_str_equal (name, "A"))
        seen_a++;
      else
        seen_b++;
      if (g_file_test (bak, G_FILE_TEST_EXISTS))
        uniform_name (bak);
    }
  g_test_message ("kill -9 during save: 25 kills, file held A %u times and B %u times, never torn",
                  seen_a, seen_b);
}

/* ---- issue 8: what the reader accepts, the writer writes back ---------- */

static ArEnvStore *
quiet_store (const char *path)
{
  ArEnvStore *store = ar_env_store_new (path);

  ar_env_store_set_durable (store, FALSE);
  return store;
}

/* Loads text; when accepted, save → load → save must give the same bytes.
 * Returns whether the loader accepted it. */
static gboolean
assert_stable_if_accepted (const char *path, const char *text, gsize length, GError **out_error)
{
  g_autoptr(ArEnvStore) first = quiet_store (path);
  g_autoptr(ArEnvStore) second = quiet_store (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *again = NULL;
  gsize saved_length, again_length;

  ar_test_write_file_fast (path, text, length);
  if (!ar_env_store_load (first, &error))
    {
      g_assert_error (error, AR_ENV_STORE_ERROR, error->code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (out_error != NULL)
        *out_error = g_steal_pointer (&error);
      return FALSE;
    }
  g_assert_true (ar_env_store_save (first, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &saved, &saved_length, NULL));
  g_assert_true (g_utf8_validate (saved, saved_length, NULL));
  if (!ar_env_store_load (second, &error))
    g_error ("what was saved does not load again: %s\n--- input:\n%s\n--- saved:\n%s", error->message, text, saved);
  again = ar_env_store_to_data (second, &again_length);
  if (saved_length != again_length || memcmp (saved, again, saved_length) != 0)
    g_error ("save → load → save changed the bytes\n--- input:\n%s\n--- first:\n%s\n--- second:\n%s", text, saved, again);
  return TRUE;
}

static void
test_refuses_what_cannot_be_written_back (void)
{
  g_autofree char *path = store_path ();
  /* The value starts at column 28 of line 4. */
  static const struct { const char *value; guint column; const char *message; } cases[] = {
    { "1e999", 28, "too large" },
    { "-1e999", 28, "too large" },
    { "1e-999", 28, "too small" },
    { "123456789012345678901234", 28, "64 bits" },
    { "-9223372036854775809", 28, "64 bits" },
    { "\"x\\377y\"", 30, "not a JSON escape" },
    { "\"a\\u0000b\"", 30, "\\u0000" },
    { "\"\\ud800\"", 29, "surrogate" },
    { "\"\\udc00x\"", 29, "surrogate" },
    { "{\"k\": 1, \"k\": 2}", 37, "appears twice" },
    { "01", 28, "not a valid number" },
    { "NaN", 28, "where a value was expected" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\n  \"format\": 2,\n  \"environments\": [\n    {\"env_id\": \"a\", \"odd\": %s}\n  ]\n}\n",
                                               cases[i].value);
      g_autofree char *where = g_strdup_printf ("line 4, column %u:", cases[i].column);
      g_autoptr(GError) error = NULL;

      g_assert_false (assert_stable_if_accepted (path, text, strlen (text), &error));
      g_test_message ("%s: %s", cases[i].value, error->message);
      g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, where));
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

static void
test_keeps_what_can_be_written_back (void)
{
  g_autofree char *path = store_path ();
  const char *text =
    "{\"format\": 2, \"environments\": [{\"env_id\": \"a\", \"big\": 9223372036854775807,"
    " \"small\": -9223372036854775808, \"tenth\": 0.1, \"huge\": 1.5e300, \"tiny\": 4.9e-324,"
    " \"minus_zero\": -0.0, \"smile\": \"\\ud83d\\ude00 caf\\u00e9 \\/ \\u001f\\u007f\"}]}";
  g_autoptr(ArEnvStore) store = load_from_text (path, text);
  JsonObject *extra = ar_environment_get_extra (ar_env_store_get_environment (store, 0));
  g_autofree char *data = ar_env_store_to_data (store, NULL);

  g_assert_cmpint (json_object_get_int_member (extra, "big"), ==, G_MAXINT64);
  g_assert_cmpint (json_object_get_int_member (extra, "small"), ==, G_MININT64);
  g_assert_cmpfloat (json_object_get_double_member (extra, "huge"), ==, 1.5e300);
  g_assert_cmpstr (json_object_get_string_member (extra, "smile"), ==, "😀 café / \x1f\x7f");
  g_assert_nonnull (strstr (data, "\"tenth\": 0.1,"));
  g_assert_nonnull (strstr (data, "\"minus_zero\": -0.0,"));
  g_assert_nonnull (strstr (data, "\"big\": 9223372036854775807,"));
  g_assert_true (assert_stable_if_accepted (path, text, strlen (text), NULL));
}

/* A random JSON-ish document: mostly valid environments files with odd
 * values, sometimes broken on purpose. */
static void
random_string (GString *out, GRand *rand)
{
  static const char *const pieces[] = {
    "a", "Z", " ", "é", "😀", "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r",
    "\\u0041", "\\u00e9", "\\u001f", "\\u007f", "\\ud83d\\ude00", "\\u0000", "\\ud800",
    "\\377", "\\x41", "=", "$(id)", "'", "\xff", "\t", "\xe2\x82",
  };
  guint n = g_rand_int_range (rand, 0, 12);

  g_string_append_c (out, '"');
  for (guint i = 0; i < n; i++)
    {
      /* The invalid pieces are rare, so most documents load. */
      guint pick = g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces));
      if (pick >= 19 && g_rand_int_range (rand, 0, 8) != 0)
        pick = g_rand_int_range (rand, 0, 19);
      g_string_append (out, pieces[pick]);
    }
  g_string_append_c (out, '"');
}

static void
random_number (GString *out, GRand *rand)
{
  static const char *const numbers[] = {
    "0", "-0", "1", "-1", "42", "0.1", "-0.0", "1.0", "1e3", "1E-3", "2.5e+10", "3.14159265358979",
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e999", "1e-999",
    "4.9e-324", "1.7976931348623157e308", "123456789.123456789", "1e22", "5e-324",
  };
  g_string_append (out, numbers[g_rand_int_range (rand, 0, G_N_ELEMENTS (numbers))]);
}

static void
random_value (GString *out, GRand *rand, guint depth)
{
  switch (g_rand_int_range (rand, 0, depth > 4 ? 5 : 7))
    {
    case 0: random_string (out, rand); break;
    case 1: random_number (out, rand); break;
    case 2: g_string_append (out, "true"); break;
    case 3: g_string_append (out, "null"); break;
    case 4: g_string_append (out, "false"); break;
    case 5:
      {
        guint n = g_rand_int_range (rand, 0, 4);
        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append (out, ", ");
            random_value (out, rand, depth + 1);
          }
        g_string_append_c (out, ']');
        break;
      }
    default:
      {
        guint n = g_rand_int_range (rand, 0, 4);
        g_string_append_c (out, '{');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append (out, ",\n");
            g_string_append_printf (out, "\"k%u\": ", i);
            random_value (out, rand, depth + 1);
          }
        g_string_append_c (out, '}');
      }
    }
}

static const char *const entry_keys[] = {
  "env_id", "id", "name", "color", "base_image", "workspace_type", "agent_cli", "custom_command",
  "env_vars", "extra_mounts", "max_agents_running", "cache_container_build", "container_caching_enabled",
  "preflight_mode", "preflight_enabled", "preflight_script", "version", "codex_extra_args", "unknown",
};

static void
random_document (GString *out, GRand *rand)
{
  guint n = g_rand_int_range (rand, 0, 4);

  g_string_append (out, g_rand_boolean (rand) ? "{\"format\": 2, \"environments\": [" : "[");
  for (guint i = 0; i < n; i++)
    {
      guint keys = g_rand_int_range (rand, 0, 6);

      g_string_append (out, i > 0 ? ",\n" : "\n");
      if (g_rand_int_range (rand, 0, 8) == 0)
        {
          random_value (out, rand, 1);
          continue;
        }
      g_string_append_c (out, '{');
      for (guint k = 0; k < keys; k++)
        {
          g_string_append_printf (out, "%s\"%s\": ", k > 0 ? ", " : "",
                                  entry_keys[g_rand_int_range (rand, 0, G_N_ELEMENTS (entry_keys))]);
          random_value (out, rand, 1);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "\n]");
  if (out->str[0] == '{')
    {
      if (g_rand_boolean (rand))
        {
          g_string_append (out, ", \"unreadable_entries\": ");
          random_value (out, rand, 1);
        }
      g_string_append (out, ", \"extra\": ");
      random_value (out, rand, 1);
      g_string_append_c (out, '}');
    }
  /* Now and then a byte is broken on purpose. */
  if (g_rand_int_range (rand, 0, 6) == 0 && out->len > 0)
    out->str[g_rand_int_range (rand, 0, out->len)] = (char) g_rand_int_range (rand, 0, 256);
}

static void
test_property_accepted_is_byte_stable (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  guint accepted = 0, refused = 0;

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GString) doc = g_string_new (NULL);

      random_document (doc, rand);
      if (assert_stable_if_accepted (path, doc->str, doc->len, NULL))
        accepted++;
      else
        refused++;
    }
  g_test_message ("random documents: %u accepted and byte-stable, %u refused", accepted, refused);
  g_assert_cmpuint (accepted, >, 1000);
  g_assert_cmpuint (refused, >, 100);
}

static void
test_nesting_bounded (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(GString) ok = g_string_new ("{\"format\": 2, \"environments\": [{\"env_id\": \"a\", \"deep\":\n");
  g_autoptr(GString) deep = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = quiet_store (path);
  gint64 start;

  /* 253 levels inside environments[0].deep: 256 in all, accepted. */
  for (guint i = 0; i < 253; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 253; i++)
    g_string_append_c (ok, ']');
  g_string_append (ok, "}]}");
  g_assert_true (assert_stable_if_accepted (path, ok->str, ok->len, NULL));

  /* One more is refused, naming the line; 60 000 levels and 80 KB of "["
   * neither crash nor write gigabytes. */
  g_string_insert_c (ok, strchr (ok->str, '\n') + 1 - ok->str, '[');
  g_assert_false (assert_stable_if_accepted (path, ok->str, ok->len, &error));
  g_assert_nonnull (strstr (error->message, "line 2, column 254"));
  g_assert_nonnull (strstr (error->message, "nested more than 256 deep"));
  g_clear_error (&error);

  deep = g_string_new ("{\"format\": 2, \"environments\": [], \"x\": ");
  for (guint i = 0; i < 60000; i++)
    g_string_append_c (deep, '[');
  start = g_get_monotonic_time ();
  ar_test_write_file (path, deep->str);
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "line 1"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* The writer is iterative: a tree deeper than any stack frame budget
 * built in code is written without recursion, in time linear in its size. */
static void
test_writer_iterative (void)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
  JsonArray *inner = json_array_new ();
  g_autofree char *text = NULL;
  gsize length;

  json_node_take_array (root, inner);
  for (guint i = 0; i < 2000; i++)
    {
      JsonArray *next = json_array_new ();
      json_array_add_array_element (inner, next);
      inner = next;
    }
  text = ar_json_to_short_string (root, 0);
  g_assert_cmpuint (strlen (text), ==, 2 * 2001);
  g_clear_pointer (&text, g_free);
  text = ar_json_to_pretty_string (root, &length);
  /* Each level: its indent and bracket, opening and closing. */
  g_assert_cmpuint (length, <, 2 * 2001 * (2 * 2001 + 2));
}

static void
test_messages_in_users_words (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = quiet_store (path);
  g_autoptr(GError) error = NULL;
  const char with_nul[] = "{\"format\": 2,\n \"en\0vironments\": []}";
  const char *truncated = "{\"format\": 2,\n \"environments\": [\n  {\"name\": \"half a na";

  g_assert_true (g_file_set_contents (path, with_nul, sizeof with_nul - 1, NULL));
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_nonnull (strstr (error->message, "contains a NUL byte at line 2, column 5; it is not a text file"));
  g_clear_error (&error);

  ar_test_write_file (path, truncated);
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_nonnull (strstr (error->message, "ends in the middle of a string that starts at line 3, column 12"));
  g_clear_error (&error);

  ar_test_write_file (path, "{\"format\": 2,\n \"environments\": [\n  {\"name\": \"x\"}");
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_nonnull (strstr (error->message, "ends before the list that starts at line 2, column 18 is closed"));
  g_clear_error (&error);

  ar_test_write_file (path, "{\"format\": 2, \"environments\": [\"caf\xe9\"]}");
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_nonnull (strstr (error->message, "is not UTF-8 text: line 1, column 36"));
}

static void
test_unreadable_entries_not_a_list (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"format\": 2, \"environments\": [{\"env_id\": \"a\"}, 5, \"x\"], \"unreadable_entries\": \"a note\"}");
  g_autoptr(ArEnvStore) again = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *top;

  g_assert_true (ar_env_store_save (store, &error));
  again = load_existing (path);
  root = ar_json_parse_file (path, &error);
  top = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (top, "unreadable_entries"), ==, "a note");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (top, "unreadable_entries_2")), ==, 2);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (top, "unreadable_entries_2"), 0), ==, 5);
}

static void
test_stale_temps_removed (void)
{
  g_autofree char *path = store_path ();
  g_autofree char *temp = g_strconcat (path, ".Ab12Cd", NULL);
  g_autofree char *bak_temp = g_strconcat (path, ".bak.Zz99y0", NULL);
  g_autofree char *other = g_strconcat (path, ".notes", NULL);
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autoptr(ArEnvStore) store = quiet_store (path);
  g_autoptr(GError) error = NULL;
  int lock;

  ar_test_write_file (path, "{\"format\": 2, \"environments\": []}");
  ar_test_write_file (temp, "{\"format\": 2, \"environments\": [{\"env_id\": \"secret\"}]}");
  ar_test_write_file (bak_temp, "{}");
  ar_test_write_file (other, "mine");

  /* While a save holds the lock, its temp file is in use. */
  lock = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (flock (lock, LOCK_EX), ==, 0);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_true (g_file_test (temp, G_FILE_TEST_EXISTS));
  close (lock);

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_false (g_file_test (temp, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (bak_temp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_symlink_written_through (void)
{
  g_autofree char *path = store_path ();
  g_autofree char *real_dir = ar_test_mkdtemp ("dotfiles");
  g_autofree char *real = g_build_filename (real_dir, "envs.json", NULL);
  g_autoptr(ArEnvStore) store = quiet_store (path);
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);

  ar_test_write_file (real, "{\"format\": 2, \"environments\": []}");
  g_assert_cmpint (symlink (real, path), ==, 0);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_true (ar_env_store_add (store, env, &error));
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
  text = ar_test_read_file (real);
  g_assert_nonnull (strstr (text, ar_environment_get_env_id (env)));
  {
    g_autofree char *bak_text = ar_test_read_file (bak);

    g_assert_cmpstr (bak_text, ==, "{\"format\": 2, \"environments\": []}");
  }
}

static void
test_warnings_cut_on_character (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(GString) text = g_string_new ("{\"format\": 2, \"environments\": [{\"env_id\": \"a\", \"name\": [\"");
  g_autoptr(ArEnvStore) store = NULL;
  g_auto(GStrv) warnings = NULL;

  /* 2-byte characters from an odd offset: a byte cut lands inside one. */
  for (guint i = 0; i < 80; i++)
    g_string_append (text, "é");
  g_string_append (text, "\"]}, 7, \"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé€\"]}");
  store = load_from_text (path, text->str);
  warnings = ar_environment_dup_warnings (ar_env_store_get_environment (store, 0));
  g_assert_nonnull (warnings[0]);
  for (guint i = 0; warnings[i] != NULL; i++)
    g_assert_true (g_utf8_validate (warnings[i], -1, NULL));
  g_strfreev (warnings);
  warnings = ar_env_store_dup_warnings (store);
  g_assert_nonnull (warnings[0]);
  for (guint i = 0; warnings[i] != NULL; i++)
    g_assert_true (g_utf8_validate (warnings[i], -1, NULL));
}

/* Two programs that read the file, then each save their own change:
 * both changes land; the same entry changed both ways is refused. */
static void
test_concurrent_saves_merge (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) one = load_from_text (path, "{\"format\": 2, \"environments\": [{\"env_id\": \"shared\", \"name\": \"S\"}]}");
  g_autoptr(ArEnvStore) two = load_existing (path);
  g_autoptr(ArEnvStore) check = NULL;
  g_autoptr(ArEnvironment) a = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) b = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  g_assert_true (ar_env_store_add (one, a, &error));
  g_assert_true (ar_env_store_save (one, &error));
  g_assert_true (ar_env_store_add (two, b, &error));
  g_assert_true (ar_env_store_save (two, &error));
  g_assert_no_error (error);

  check = load_existing (path);
  g_assert_nonnull (ar_env_store_find_by_id (check, ar_environment_get_env_id (a)));
  g_assert_nonnull (ar_env_store_find_by_id (check, ar_environment_get_env_id (b)));
  g_assert_nonnull (ar_env_store_find_by_id (check, "shared"));
  /* The saving store now holds the merged list. */
  g_assert_nonnull (ar_env_store_find_by_id (two, ar_environment_get_env_id (a)));

  /* Both rename "shared": the second is refused and writes nothing. */
  g_assert_true (ar_env_store_load (one, &error));
  ar_environment_set_name (ar_env_store_find_by_id (one, "shared"), "One");
  ar_environment_set_name (ar_env_store_find_by_id (two, "shared"), "Two");
  g_assert_true (ar_env_store_save (one, &error));
  before = ar_test_read_file (path);
  g_assert_false (ar_env_store_save (two, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "“Two” (shared)"));
  {
    g_autofree char *now = ar_test_read_file (path);

    g_assert_cmpstr (now, ==, before);
  }
}

/* ---- saving without blocking (issue 10 item 6) ---- */

static void
count_notifications (guint *count)
{
  (*count)++;
}

typedef struct {
  GPtrArray *order;      /* the tags of the saves, as they ended */
  guint ticks;           /* main loop turns meanwhile */
  guint pending;
} AsyncSaves;

typedef struct {
  AsyncSaves *saves;
  const char *tag;
  GError *error;
} AsyncSave;

static void
async_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncSave *save = user_data;

  ar_env_store_save_finish (AR_ENV_STORE (source), result, &save->error);
  g_ptr_array_add (save->saves->order, (gpointer) save->tag);
  save->saves->pending--;
}

static gboolean
tick (gpointer user_data)
{
  ((AsyncSaves *) user_data)->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
wait_for_saves (AsyncSaves *saves)
{
  guint id = g_timeout_add (10, tick, saves);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (saves->pending > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_cmpuint (saves->pending, ==, 0);
}

static void
test_save_async_in_order (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path, "{\"format\": 2, \"environments\": [{\"env_id\": \"one\", \"name\": \"Before\"}]}");
  g_autoptr(ArEnvStore) check = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autofree char *bak_text = NULL;
  AsyncSaves saves = { order, 0, 2 };
  AsyncSave first = { &saves, "first", NULL };
  AsyncSave second = { &saves, "second", NULL };
  g_autoptr(ArEnvironment) added = ar_environment_new_with_id ();
  gint64 start;
  guint notified = 0;

  /* Slow saves, as beside image builds on a busy disk. */
  ar_env_store_set_save_delay (store, 400);
  g_signal_connect_swapped (store, "notify::saving", G_CALLBACK (count_notifications), &notified);

  ar_environment_set_name (ar_env_store_find_by_id (store, "one"), "First");
  start = g_get_monotonic_time ();
  ar_env_store_save_async (store, NULL, async_saved, &first);
  /* The caller is back at once, while the worker waits and writes. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 200 * 1000);
  g_assert_true (ar_env_store_get_saving (store));

  ar_environment_set_name (added, "Added");
  g_assert_true (ar_env_store_add (store, added, NULL));
  ar_env_store_save_async (store, NULL, async_saved, &second);

  wait_for_saves (&saves);
  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_assert_false (ar_env_store_get_saving (store));
  g_assert_cmpuint (notified, ==, 2);
  /* In the order asked for, and the main loop turned all along (two
   * writes of 400 ms: some 80 ticks of 10 ms). */
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "second");
  g_test_message ("%u main loop ticks during two slow saves", saves.ticks);
  g_assert_cmpuint (saves.ticks, >=, 40);

  check = load_existing (path);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "one")), ==, "First");
  g_assert_nonnull (ar_env_store_find_by_id (check, ar_environment_get_env_id (added)));
  /* The .bak is the file before the last save: the first save's. */
  bak_text = ar_test_read_file (bak);
  g_assert_nonnull (strstr (bak_text, "First"));
  g_assert_null (strstr (bak_text, "Added"));
}

/* Another program's save between the read and an asynchronous save is
 * merged in, as ar_env_store_save() does (issue 8 item 3). */
static void
test_save_async_merges (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) mine = load_from_text (path, "{\"format\": 2, \"environments\": [{\"env_id\": \"shared\", \"name\": \"S\"}, {\"env_id\": \"both\", \"name\": \"B\"}]}");
  g_autoptr(ArEnvStore) theirs = load_existing (path);
  g_autoptr(ArEnvStore) check = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  AsyncSaves saves = { order, 0, 1 };
  AsyncSave save = { &saves, "mine", NULL };
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (ar_env_store_find_by_id (theirs, "shared"), "Theirs");
  g_assert_true (ar_env_store_save (theirs, &error));
  ar_environment_set_name (ar_env_store_find_by_id (mine, "both"), "Mine");
  ar_env_store_save_async (mine, NULL, async_saved, &save);
  wait_for_saves (&saves);
  g_assert_no_error (save.error);
  check = load_existing (path);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "shared")), ==, "Theirs");
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "both")), ==, "Mine");

  /* Both changed the same entry: nothing written, CONFLICT. */
  {
    g_autoptr(ArEnvStore) other = load_existing (path);

    ar_environment_set_name (ar_env_store_find_by_id (other, "both"), "Other");
    g_assert_true (ar_env_store_save (other, &error));
  }
  ar_environment_set_name (ar_env_store_find_by_id (mine, "both"), "Mine again");
  saves.pending = 1;
  ar_env_store_save_async (mine, NULL, async_saved, &save);
  wait_for_saves (&saves);
  g_assert_error (save.error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT);
  g_clear_error (&save.error);
  g_clear_object (&check);
  check = load_existing (path);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "both")), ==, "Other");
}

static void
test_save_async_refused (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autofree char *text = NULL;
  AsyncSaves saves = { order, 0, 1 };
  AsyncSave save = { &saves, "refused", NULL };

  ar_test_write_file (path, "{ not json");
  g_assert_false (ar_env_store_load (store, NULL));
  ar_env_store_save_async (store, NULL, async_saved, &save);
  wait_for_saves (&saves);
  g_assert_error (save.error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_REFUSED);
  g_clear_error (&save.error);
  text = ar_test_read_file (path);
  g_assert_cmpstr (text, ==, "{ not json");
}

int
main (int argc, char *argv[])
{
  const char *saver = g_getenv ("AR_TEST_SAVER");

  if (saver != NULL)
    return run_saver (saver);

  ar_test_init (&argc, &argv);

  g_test_add_func ("/env-store/missing-file-is-empty", test_missing_file_is_empty);
  g_test_add_func ("/env-store/default-path", test_default_path);
  g_test_add_func ("/env-store/round-trip-byte-stable", test_round_trip_byte_stable);
  g_test_add_func ("/env-store/unknown-keys-kept", test_unknown_keys_kept);
  g_test_add_func ("/env-store/pretty-format", test_pretty_format);
  g_test_add_func ("/env-store/migrate/legacy-preflight", test_migrate_legacy_preflight);
  g_test_add_func ("/env-store/migrate/mode", test_migrate_mode);
  g_test_add_func ("/env-store/migrate/caching-alias", test_migrate_caching_alias);
  g_test_add_func ("/env-store/migrate/caching-on-empty-cached", test_caching_on_empty_cached_warns);
  g_test_add_func ("/env-store/migrate/missing-and-duplicate-ids", test_missing_and_duplicate_ids);
  g_test_add_func ("/env-store/migrate/type-errors", test_type_errors_keep_entry);
  g_test_add_func ("/env-store/malformed-not-overwritten", test_malformed_not_overwritten);
  g_test_add_func ("/env-store/wrong-shape", test_wrong_shape);
  g_test_add_func ("/env-store/backup-kept", test_backup_kept);
  g_test_add_func ("/env-store/lookup", test_lookup);
  g_test_add_func ("/env-store/kill-during-save", test_kill_during_save);
  g_test_add_func ("/env-store/json/refuses-what-cannot-be-written-back", test_refuses_what_cannot_be_written_back);
  g_test_add_func ("/env-store/json/keeps-what-can-be-written-back", test_keeps_what_can_be_written_back);
  g_test_add_func ("/env-store/json/property-accepted-is-byte-stable", test_property_accepted_is_byte_stable);
  g_test_add_func ("/env-store/json/nesting-bounded", test_nesting_bounded);
  g_test_add_func ("/env-store/json/writer-iterative", test_writer_iterative);
  g_test_add_func ("/env-store/json/messages-in-users-words", test_messages_in_users_words);
  g_test_add_func ("/env-store/unreadable-entries-not-a-list", test_unreadable_entries_not_a_list);
  g_test_add_func ("/env-store/stale-temps-removed", test_stale_temps_removed);
  g_test_add_func ("/env-store/symlink-written-through", test_symlink_written_through);
  g_test_add_func ("/env-store/warnings-cut-on-character", test_warnings_cut_on_character);
  g_test_add_func ("/env-store/concurrent-saves-merge", test_concurrent_saves_merge);
  g_test_add_func ("/env-store/save-async/in-order", test_save_async_in_order);
  g_test_add_func ("/env-store/save-async/merges", test_save_async_merges);
  g_test_add_func ("/env-store/save-async/refused", test_save_async_refused);

  return g_test_run ();
}
