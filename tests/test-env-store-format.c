/* test-env-store-format.c — the environments file’s format: byte-stable round trips, unknown keys, migration
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
#include "test-env-store-utils.h"

static gboolean
strv_contains_substring (char **strv, const char *needle)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (strstr (strv[i], needle) != NULL)
      return TRUE;
  return FALSE;
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

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/env-store/round-trip-byte-stable", test_round_trip_byte_stable);
  g_test_add_func ("/env-store/unknown-keys-kept", test_unknown_keys_kept);
  g_test_add_func ("/env-store/pretty-format", test_pretty_format);
  g_test_add_func ("/env-store/migrate/legacy-preflight", test_migrate_legacy_preflight);
  g_test_add_func ("/env-store/migrate/mode", test_migrate_mode);
  g_test_add_func ("/env-store/migrate/caching-alias", test_migrate_caching_alias);
  g_test_add_func ("/env-store/migrate/caching-on-empty-cached", test_caching_on_empty_cached_warns);
  g_test_add_func ("/env-store/migrate/missing-and-duplicate-ids", test_missing_and_duplicate_ids);
  g_test_add_func ("/env-store/migrate/type-errors", test_type_errors_keep_entry);

  return g_test_run ();
}
