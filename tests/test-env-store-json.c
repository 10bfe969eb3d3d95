/* test-env-store-json.c — what the reader accepts, the writer writes back (issue 8)
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

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/env-store/json/refuses-what-cannot-be-written-back", test_refuses_what_cannot_be_written_back);
  g_test_add_func ("/env-store/json/keeps-what-can-be-written-back", test_keeps_what_can_be_written_back);
  g_test_add_func ("/env-store/json/property-accepted-is-byte-stable", test_property_accepted_is_byte_stable);
  g_test_add_func ("/env-store/json/nesting-bounded", test_nesting_bounded);
  g_test_add_func ("/env-store/json/writer-iterative", test_writer_iterative);
  g_test_add_func ("/env-store/json/messages-in-users-words", test_messages_in_users_words);

  return g_test_run ();
}
