/* test-engines-model.c — several engines in the model (issue 15 part 2): the
 * Preferences' list of engines, its checks, its GSettings round trip, the
 * environment's "engine" field and the task record's engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>

#include "ar-env-store.h"
#include "ar-settings.h"
#include "ar-task.h"
#include "test-utils.h"

static void
assert_endpoint_bad (const char *endpoint, const char *words)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ar_engine_entry_validate_endpoint (endpoint, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s”: the message “%s” does not say “%s”", endpoint, error->message, words);
}

static void
test_endpoints (void)
{
  const char *good[] = { "ssh://user@build-box", "ssh://root@127.0.0.1:2222", "tcp://10.0.0.5:2376",
                         "tcp://host", "unix:///run/docker.sock", "npipe:////./pipe/docker_engine",
                         "my-context", "remote.box_2", NULL };

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!ar_engine_entry_validate_endpoint (good[i], &error))
        g_error ("“%s” refused: %s", good[i], error->message);
    }
  assert_endpoint_bad ("", "address");
  assert_endpoint_bad ("http://host:2375", "http://");
  assert_endpoint_bad ("tcp://", "needs a host");
  assert_endpoint_bad ("ssh://user@", "needs a host");
  assert_endpoint_bad ("tcp://:2375", "needs a host");
  assert_endpoint_bad ("unix://run/docker.sock", "full path");
  assert_endpoint_bad ("ssh://host name", "spaces");
  assert_endpoint_bad ("-H tcp://x", "spaces");
  assert_endpoint_bad ("-context", "neither");
}

static void
test_names (void)
{
  g_autoptr(ArSettings) settings = ar_settings_new_default ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEngineEntry) big = ar_engine_entry_new ("big box", "ssh://me@big", "docker", "not-shared");
  g_autoptr(ArEngineEntry) copy = NULL;

  g_assert_cmpuint (ar_settings_get_n_engines (settings), ==, 1);
  g_assert_true (ar_settings_validate_engine (settings, big, NULL, &error));
  g_assert_no_error (error);
  g_ptr_array_add (settings->engines, ar_engine_entry_copy (big));
  g_assert_cmpuint (ar_settings_get_n_engines (settings), ==, 2);

  /* unique */
  copy = ar_engine_entry_new ("big box", "tcp://other:2376", "podman", "auto");
  g_assert_false (ar_settings_validate_engine (settings, copy, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "already an engine named “big box”"));
  g_clear_error (&error);
  /* … but an edit of that entry keeps its own name */
  g_assert_true (ar_settings_validate_engine (settings, copy, "big box", &error));
  g_assert_no_error (error);
  g_clear_pointer (&copy, ar_engine_entry_free);

  /* non-empty, and not the local engine's */
  copy = ar_engine_entry_new ("  ", "tcp://x:1", "docker", "auto");
  g_assert_false (ar_settings_validate_engine (settings, copy, NULL, &error));
  g_assert_nonnull (strstr (error->message, "name"));
  g_clear_error (&error);
  g_clear_pointer (&copy, ar_engine_entry_free);
  copy = ar_engine_entry_new ("Local", "tcp://x:1", "docker", "auto");
  g_assert_false (ar_settings_validate_engine (settings, copy, NULL, &error));
  g_assert_nonnull (strstr (error->message, "this computer’s engine"));
  g_clear_error (&error);
  g_clear_pointer (&copy, ar_engine_entry_free);
  /* a bad endpoint, kind or folders value */
  copy = ar_engine_entry_new ("x", "ftp://x", "docker", "auto");
  g_assert_false (ar_settings_validate_engine (settings, copy, NULL, &error));
  g_clear_error (&error);
  g_clear_pointer (&copy, ar_engine_entry_free);
  copy = ar_engine_entry_new ("x", "tcp://x:1", "containerd", "auto");
  g_assert_false (ar_settings_validate_engine (settings, copy, NULL, &error));
  g_assert_nonnull (strstr (error->message, "docker or podman"));
  g_clear_error (&error);
  g_clear_pointer (&copy, ar_engine_entry_free);
  copy = ar_engine_entry_new ("x", "tcp://x:1", "docker", "sometimes");
  g_assert_false (ar_settings_validate_engine (settings, copy, NULL, &error));
  g_clear_error (&error);

  /* lookups: "" and "local" are the local engine */
  g_assert_true (ar_engine_name_is_local (""));
  g_assert_true (ar_engine_name_is_local ("local"));
  g_assert_true (ar_engine_name_is_local ("LOCAL"));
  g_assert_false (ar_engine_name_is_local ("big box"));
  g_assert_null (ar_settings_find_engine (settings, ""));
  g_assert_nonnull (ar_settings_find_engine (settings, "big box"));
  g_assert_true (ar_settings_has_engine (settings, ""));
  g_assert_true (ar_settings_has_engine (settings, "big box"));
  g_assert_false (ar_settings_has_engine (settings, "gone"));
  g_assert_cmpstr (ar_engine_display_name (""), ==, "Local");
  g_assert_cmpstr (ar_engine_display_name ("big box"), ==, "big box");
}

/* The `engines` key: written and read back through GSettings (the memory
 * backend, the built schema), with the rest of the settings. */
static void
test_gsettings_round_trip (void)
{
  g_autoptr(GSettings) gs = g_settings_new (AR_SETTINGS_SCHEMA_ID);
  g_autoptr(ArSettings) written = ar_settings_new_default ();
  g_autoptr(ArSettings) read = NULL;
  g_autoptr(ArSettings) copy = NULL;

  g_ptr_array_add (written->engines, ar_engine_entry_new ("big box", "ssh://me@big:22", "docker", "not-shared"));
  g_ptr_array_add (written->engines, ar_engine_entry_new ("pod", "unix:///run/podman/podman.sock", "podman", "shared"));
  g_ptr_array_add (written->engines, ar_engine_entry_new ("ctx", "my-context", "docker", "auto"));
  g_assert_true (g_settings_set_value (gs, "engines", ar_settings_engines_to_variant (written->engines)));

  read = ar_settings_new_from_gsettings ();
  g_assert_cmpuint (read->engines->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_true (ar_engine_entry_equal (g_ptr_array_index (read->engines, i),
                                          g_ptr_array_index (written->engines, i)));
  copy = ar_settings_copy (read);
  g_assert_cmpuint (copy->engines->len, ==, 3);
  g_assert_true (ar_engine_entry_equal (g_ptr_array_index (copy->engines, 2), g_ptr_array_index (read->engines, 2)));

  /* A value set by hand that makes no sense is left out (with a message). */
  g_settings_set_value (gs, "engines",
                        g_variant_new_parsed ("[('dup', 'tcp://a:1', 'docker', 'auto'), "
                                              "('dup', 'tcp://b:1', 'docker', 'auto')]"));
  g_clear_pointer (&read, ar_settings_free);
  read = ar_settings_new_from_gsettings ();
  g_assert_cmpuint (read->engines->len, ==, 1);
  g_settings_reset (gs, "engines");
  g_clear_pointer (&read, ar_settings_free);
  read = ar_settings_new_from_gsettings ();
  g_assert_cmpuint (read->engines->len, ==, 0);
}

static char *
entry_text (ArEnvironment *env)
{
  return ar_env_entry_to_string (env);
}

static ArEnvironment *
entry_from_text (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return ar_env_entry_from_json (json_node_get_object (json_parser_get_root (parser)), "test");
}

static void
test_environment_field (void)
{
  const char *old = "{\"version\": 1, \"env_id\": \"env-1\", \"name\": \"Old\"}";
  g_autoptr(ArEnvironment) env = entry_from_text (old);
  g_autoptr(ArEnvironment) again = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) warnings = NULL;

  /* A file from before: no field, the local engine, nothing new written. */
  g_assert_cmpstr (ar_environment_get_engine (env), ==, "");
  warnings = ar_environment_dup_warnings (env);
  g_assert_cmpuint (g_strv_length (warnings), ==, 0);
  text = entry_text (env);
  g_assert_null (strstr (text, "\"engine\""));

  /* Named: written, right after base_image, and read back. */
  ar_environment_set_engine (env, "big box");
  g_clear_pointer (&text, g_free);
  text = entry_text (env);
  if (strstr (text, "\"base_image\": \"\",\n  \"engine\": \"big box\"") == NULL)
    g_error ("not after base_image:\n%s", text);
  again = entry_from_text (text);
  g_assert_cmpstr (ar_environment_get_engine (again), ==, "big box");
  {
    g_autoptr(ArEnvironment) copy = ar_environment_copy (again);

    g_assert_cmpstr (ar_environment_get_engine (copy), ==, "big box");
  }
  /* Back to the local engine: the field goes away again. */
  ar_environment_set_engine (again, "");
  g_clear_pointer (&text, g_free);
  text = entry_text (again);
  g_assert_null (strstr (text, "\"engine\""));
  g_clear_object (&again);

  /* A wrong type keeps its raw value, as every field does. */
  again = entry_from_text ("{\"version\": 1, \"env_id\": \"env-2\", \"engine\": 3}");
  g_assert_cmpstr (ar_environment_get_engine (again), ==, "");
  g_clear_pointer (&text, g_free);
  text = entry_text (again);
  g_assert_nonnull (strstr (text, "\"engine\": 3"));
}

static void
test_task_record (void)
{
  g_autoptr(ArTask) task = ar_task_new ("env-1", "One", "hello", AR_TASK_KIND_TASK);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ArTask) back = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ArTask) old = NULL;

  g_assert_cmpstr (ar_task_get_engine (task), ==, "");
  ar_task_set_engine (task, "big box");
  node = ar_task_to_json (task);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "engine"), ==, "big box");
  back = ar_task_new_from_json (json_node_get_object (node), NULL);
  g_assert_cmpstr (ar_task_get_engine (back), ==, "big box");

  /* A record from before several engines: the local engine. */
  g_assert_true (json_parser_load_from_data (parser, "{\"id\": \"20261206-062000-a1b2c3\", \"state\": \"done\"}", -1, NULL));
  old = ar_task_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);
  g_assert_cmpstr (ar_task_get_engine (old), ==, "");
  g_assert_true (ar_engine_name_is_local (ar_task_get_engine (old)));
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/engines/endpoints", test_endpoints);
  g_test_add_func ("/engines/names", test_names);
  g_test_add_func ("/engines/gsettings-round-trip", test_gsettings_round_trip);
  g_test_add_func ("/engines/environment-field", test_environment_field);
  g_test_add_func ("/engines/task-record", test_task_record);
  return g_test_run ();
}
