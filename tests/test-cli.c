/* test-cli.c — the real agents-runner binary: env and preflight commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>

#include <glib/gstdio.h>

#include "test-utils.h"

#define CLI(...) ((const char *const[]) { __VA_ARGS__, NULL })

static char *
env_file (void)
{
  return g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "agents-runner", "environments.json", NULL);
}

static void
reset_config (void)
{
  g_autofree char *path = env_file ();
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);

  g_remove (path);
  g_remove (bak);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* stderr of a failure: one line, naming the program. */
static void
assert_one_sentence (const char *err)
{
  g_assert_true (g_str_has_prefix (err, "agents-runner"));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_null (strchr (err, '\n') == err + strlen (err) - 1 ? NULL : "more than one line");
}

static void
test_usage_errors (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (ar_test_run_cli (CLI ("--help"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "env list"));
  g_assert_nonnull (strstr (out, "preflight split"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("frobnicate"), NULL, NULL, &err), ==, 2);
  assert_one_sentence (err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "frob"), NULL, NULL, &err), ==, 2);
  assert_one_sentence (err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "show"), NULL, NULL, &err), ==, 2);
  assert_one_sentence (err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "list", "--bogus"), NULL, NULL, &err), ==, 2);
  assert_one_sentence (err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "list", "extra"), NULL, NULL, &err), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("--version"), NULL, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "agents-runner 0.1.0"));
}

static void
test_env_commands (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("cli-env");
  g_autofree char *src = g_build_filename (dir, "environments.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *entry;

  reset_config ();
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "list"), NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "No environments yet.\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "list", "--json"), NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "[]\n");
  g_clear_pointer (&out, g_free);

  ar_test_write_file (src,
    "{\"environments\": [{\"env_id\": \"env-0000cafe\", \"name\": \"Web app\", \"container_caching_enabled\": true,"
    " \"preflight_enabled\": true, \"preflight_script\": \"npm install -g pnpm\\n\", \"future\": [1]},"
    " {\"env_id\": \"env-0000beef\", \"name\": \"Other\"}]}");
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", src), NULL, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "2 added, 0 replaced, 0 skipped, 0 renamed"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Importing again skips, and says how to replace. */
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", src), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 added, 0 replaced, 2 skipped"));
  g_assert_nonnull (strstr (out, "--replace"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", "--replace", src), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "0 added, 2 replaced"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("env", "list"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "env-0000cafe"));
  g_assert_nonnull (strstr (out, "Web app"));
  g_clear_pointer (&out, g_free);

  /* show --json: the entry as stored plus warnings. */
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "show", "Web app", "--json"), NULL, &out, NULL), ==, 0);
  node = parse_json (out);
  entry = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (entry, "env_id"), ==, "env-0000cafe");
  g_assert_true (json_object_get_boolean_member (entry, "cache_container_build"));
  g_assert_cmpstr (json_object_get_string_member (entry, "run_preflight_script"), ==, "npm install -g pnpm\n");
  g_assert_cmpstr (json_object_get_string_member (entry, "preflight_mode"), ==, "single");
  g_assert_true (json_object_has_member (entry, "future"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (entry, "warnings")), ==, 2);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("env", "show", "env-0000cafe"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Warning: container caching is on but the cached preflight is empty"));
  g_clear_pointer (&out, g_free);

  /* Unknown environment: exit 1, one sentence. */
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "show", "nope"), NULL, NULL, &err), ==, 1);
  assert_one_sentence (err);
  g_assert_nonnull (strstr (err, "nope"));
  g_clear_pointer (&err, g_free);
}

static void
test_export_import_round_trip (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("cli-export");
  g_autofree char *src = g_build_filename (dir, "in.json", NULL);
  g_autofree char *exported = g_build_filename (dir, "one.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  reset_config ();
  ar_test_write_file (src, "[{\"env_id\": \"env-00000e01\", \"name\": \"Exported\", \"ports\": [\"8080\"],"
                           " \"preflight_mode\": \"split\", \"cached_preflight_script\": \"apk add git\\n\"}]");
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", src), NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "export", "env-00000e01"), NULL, &out, NULL), ==, 0);
  ar_test_write_file (exported, out);

  /* The export is itself importable; into a fresh config it is the same. */
  reset_config ();
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", exported), NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "export", "Exported"), NULL, &out2, NULL), ==, 0);
  g_assert_cmpstr (out, ==, out2);
}

static void
test_malformed_file (void)
{
  g_autofree char *path = env_file ();
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = ar_test_mkdtemp ("cli-bad");
  g_autofree char *src = g_build_filename (dir, "in.json", NULL);
  const char *broken = "{\"format\": 2,\n \"environments\": [\n  {\"env_id\": \"x\" \"name\": 1}\n ]}\n";

  reset_config ();
  ar_test_write_file (path, broken);
  ar_test_write_file (src, "[{\"env_id\": \"x\"}]");

  g_assert_cmpint (ar_test_run_cli (CLI ("env", "list"), NULL, NULL, &err), ==, 1);
  assert_one_sentence (err);
  g_assert_nonnull (strstr (err, "line 3, column"));
  g_assert_nonnull (strstr (err, path));
  g_clear_pointer (&err, g_free);

  /* An import must not overwrite the broken file either. */
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", src), NULL, NULL, &err), ==, 1);
  after = ar_test_read_file (path);
  g_assert_cmpstr (after, ==, broken);
  reset_config ();
}

static GSubprocess *
spawn_cli (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, (char *) g_getenv ("AR_BINARY"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  return proc;
}

/* Two imports at once: each reads, adds its entry and saves; before the
 * lock and the merge, the second save dropped the first one's entry. */
static void
test_concurrent_imports (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("cli-concurrent");
  g_autofree char *first = g_build_filename (dir, "first.json", NULL);
  g_autofree char *second = g_build_filename (dir, "second.json", NULL);
  guint both = 0;

  ar_test_write_file (first, "[{\"env_id\": \"first\", \"name\": \"First\"}]");
  ar_test_write_file (second, "[{\"env_id\": \"second\", \"name\": \"Second\"}]");
  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(GSubprocess) a = NULL;
      g_autoptr(GSubprocess) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autoptr(JsonNode) root = NULL;
      gboolean seen_first = FALSE, seen_second = FALSE;
      JsonArray *list;

      reset_config ();
      /* Some rounds start from an existing file, some from none. */
      if (round % 2 == 1)
        {
          g_autofree char *path = env_file ();

          ar_test_write_file (path, "{\"format\": 2, \"environments\": [{\"env_id\": \"old\"}]}");
        }
      a = spawn_cli (CLI ("env", "import", first));
      b = spawn_cli (CLI ("env", "import", second));
      g_assert_true (g_subprocess_wait_check (a, NULL, &error));
      g_assert_true (g_subprocess_wait_check (b, NULL, &error));

      g_assert_cmpint (ar_test_run_cli (CLI ("env", "list", "--json"), NULL, &out, NULL), ==, 0);
      root = parse_json (out);
      list = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          const char *id = json_object_get_string_member (json_array_get_object_element (list, i), "env_id");
          seen_first |= g_str_equal (id, "first");
          seen_second |= g_str_equal (id, "second");
        }
      g_assert_cmpuint (json_array_get_length (list), ==, round % 2 == 1 ? 3 : 2);
      both += seen_first && seen_second;
    }
  g_test_message ("both environments present in %u of 20 rounds", both);
  g_assert_cmpuint (both, ==, 20);
  reset_config ();
}

/* A warning quoting a long non-ASCII value is cut on a character, so the
 * JSON on stdout stays UTF-8. */
static void
test_show_json_valid_utf8 (void)
{
  g_autoptr(GString) text = g_string_new ("{\"format\": 2, \"environments\": [{\"env_id\": \"u\", \"color\": \"x");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = env_file ();
  gsize length;
  const char *data;

  reset_config ();
  for (guint i = 0; i < 60; i++)
    g_string_append (text, "é");
  g_string_append (text, "\", \"ports\": [\"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééé€\"], \"max_agents_running\": \"€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€\"}]}");
  ar_test_write_file (path, text->str);

  g_ptr_array_add (argv, (char *) g_getenv ("AR_BINARY"));
  g_ptr_array_add (argv, "env");
  g_ptr_array_add (argv, "show");
  g_ptr_array_add (argv, "u");
  g_ptr_array_add (argv, "--json");
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  data = g_bytes_get_data (out, &length);
  g_assert_true (g_utf8_validate_len (data, length, NULL));
  g_assert_nonnull (g_strstr_len (data, length, "\"warnings\": ["));
  g_assert_nonnull (g_strstr_len (data, length, "..."));
  reset_config ();
}

static void
test_list_thousand (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("cli-1000");
  g_autofree char *src = g_build_filename (dir, "many.json", NULL);
  g_autoptr(GString) text = g_string_new ("{\"format\": 2, \"environments\": [");
  g_autofree char *out = NULL;
  gint64 start, best = G_MAXINT64;

  reset_config ();
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (text,
                            "%s{\"env_id\": \"env-%08x\", \"name\": \"Environment %u\", \"preflight_mode\": \"split\","
                            " \"cache_container_build\": true, \"cached_preflight_script\": \"apt-get update\\napt-get install -y git curl\\n\","
                            " \"run_preflight_script\": \"echo $TASK_ID\\n\", \"env_vars\": {\"A\": \"1\", \"B\": \"2\"}}",
                            i ? ", " : "", i, i);
  g_string_append (text, "]}");
  ar_test_write_file (src, text->str);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", src), NULL, NULL, NULL), ==, 0);

  for (guint run = 0; run < 3; run++)
    {
      g_clear_pointer (&out, g_free);
      start = g_get_monotonic_time ();
      g_assert_cmpint (ar_test_run_cli (CLI ("env", "list"), NULL, &out, NULL), ==, 0);
      best = MIN (best, g_get_monotonic_time () - start);
    }
  g_assert_nonnull (strstr (out, "env-000003e7"));
  /* 1000 rows + the header line. */
  {
    guint lines = 0;
    for (const char *p = out; *p; p++)
      lines += *p == '\n';
    g_assert_cmpuint (lines, ==, 1001);
  }
  g_test_message ("env list with 1000 environments: best of 3 runs %.1f ms (process start included)",
                  best / 1000.0);
  reset_config ();
}

static const char *split_script =
  "#!/bin/sh\n"
  "set -e\n"
  "# tools for every task\n"
  "apt-get update\n"
  "apt-get install -y git \\\n"
  "  curl\n"
  "export PATH=\"$HOME/bin:$PATH\"\n"
  "echo \"task $TASK_ID\"\n";

static void
test_preflight_split_json (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("cli-split");
  g_autofree char *path = g_build_filename (dir, "preflight.sh", NULL);
  g_autofree char *out = NULL;
  g_autofree char *out_stdin = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  JsonArray *lines;
  gboolean saw_install = FALSE, saw_task = FALSE;

  ar_test_write_file (path, split_script);
  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "split", path, "--json"), NULL, &out, NULL), ==, 0);
  node = parse_json (out);
  root = json_node_get_object (node);
  lines = json_object_get_array_member (root, "lines");
  g_assert_cmpuint (json_array_get_length (lines), >=, 5);
  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      JsonObject *l = json_array_get_object_element (lines, i);
      const char *text = json_object_get_string_member (l, "text");
      const char *part = json_object_get_string_member (l, "part");

      g_assert_true (json_object_has_member (l, "line"));
      g_assert_true (json_object_has_member (l, "category"));
      g_assert_true (json_object_has_member (l, "reason"));
      if (strstr (text, "apt-get install") != NULL)
        {
          saw_install = TRUE;
          g_assert_cmpstr (part, ==, "cached");
          g_assert_cmpstr (json_object_get_string_member (l, "category"), ==, "package-install");
          g_assert_cmpint (json_object_get_int_member (l, "line"), ==, 5);
        }
      if (strstr (text, "$TASK_ID") != NULL)
        {
          saw_task = TRUE;
          g_assert_cmpstr (part, ==, "run");
        }
      if (g_str_equal (text, "set -e"))
        g_assert_cmpstr (part, ==, "both");
    }
  g_assert_true (saw_install && saw_task);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (root, "cached"), "#!/bin/sh\nset -e\n"));
  g_assert_nonnull (strstr (json_object_get_string_member (root, "cached"), "apt-get install -y git \\\n  curl\n"));
  g_assert_null (strstr (json_object_get_string_member (root, "cached"), "TASK_ID"));
  g_assert_nonnull (strstr (json_object_get_string_member (root, "run"), "echo \"task $TASK_ID\""));

  /* FILE - reads standard input and gives the same answer. */
  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "split", "-", "--json"), split_script, &out_stdin, NULL), ==, 0);
  g_assert_cmpstr (out_stdin, ==, out);
}

static void
test_preflight_split_text_and_errors (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "split", "-"), split_script, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--- cached preflight (build time) ---"));
  g_assert_nonnull (strstr (out, "package-install"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "split", "/nonexistent/script.sh"), NULL, NULL, &err), ==, 1);
  assert_one_sentence (err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "split"), NULL, NULL, &err), ==, 2);
}

/* A script nested too deeply to analyse (300 000 "$( crashed the analyzer):
 * split fails with one sentence naming the line and status 1; check warns. */
static void
test_preflight_too_deep (void)
{
  g_autoptr(GString) deep = g_string_new ("apt-get update\necho ");
  g_autofree char *dir = ar_test_mkdtemp ("cli-deep");
  g_autofree char *src = g_build_filename (dir, "envs.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  for (guint i = 0; i < 300000; i++)
    g_string_append (deep, "\"$(");
  g_string_append_c (deep, '\n');
  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "split", "-"), deep->str, &out, &err), ==, 1);
  assert_one_sentence (err);
  g_assert_nonnull (strstr (err, "Line 2 "));
  g_assert_nonnull (strstr (err, "1000 levels"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);

  reset_config ();
  g_string_assign (deep, "[{\"env_id\": \"env-00000dee\", \"name\": \"Deep\", \"preflight_mode\": \"split\","
                         " \"cached_preflight_script\": \"echo ");
  for (guint i = 0; i < 1001; i++)
    g_string_append (deep, "$(");
  g_string_append (deep, "\\n\"}]");
  ar_test_write_file (src, deep->str);
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", src), NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "check", "Deep", "--json"), NULL, &out, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "\"too-deeply-nested\""));
}

static void
test_preflight_check (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("cli-check");
  g_autofree char *src = g_build_filename (dir, "envs.json", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *warnings;
  gboolean saw_task_var = FALSE, saw_syntax = FALSE, saw_run_install = FALSE;

  reset_config ();
  ar_test_write_file (src,
    "[{\"env_id\": \"env-0000c4ec\", \"name\": \"Checked\", \"preflight_mode\": \"split\","
    "  \"cache_container_build\": true,"
    "  \"cached_preflight_script\": \"apt-get install -y git\\nmkdir -p /opt/$TASK_ID\\n\","
    "  \"run_preflight_script\": \"pip install requests\\nif true; then\\necho unterminated\\n\"},"
    " {\"env_id\": \"env-00000c1e\", \"name\": \"Clean\", \"preflight_mode\": \"split\","
    "  \"cache_container_build\": true, \"cached_preflight_script\": \"apt-get install -y git\\n\","
    "  \"run_preflight_script\": \"echo hello\\n\"}]");
  g_assert_cmpint (ar_test_run_cli (CLI ("env", "import", src), NULL, NULL, NULL), ==, 0);

  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "check", "Checked", "--json"), NULL, &out, NULL), ==, 1);
  node = parse_json (out);
  warnings = json_object_get_array_member (json_node_get_object (node), "warnings");
  for (guint i = 0; i < json_array_get_length (warnings); i++)
    {
      JsonObject *w = json_array_get_object_element (warnings, i);
      const char *code = json_object_get_string_member (w, "code");

      if (g_str_equal (code, "cached-uses-task-variable"))
        {
          saw_task_var = TRUE;
          g_assert_cmpstr (json_object_get_string_member (w, "script"), ==, "cached");
          g_assert_cmpint (json_object_get_int_member (w, "line"), ==, 2);
        }
      if (g_str_equal (code, "syntax-error"))
        {
          saw_syntax = TRUE;
          g_assert_cmpstr (json_object_get_string_member (w, "script"), ==, "run");
        }
      if (g_str_equal (code, "run-installs-packages"))
        saw_run_install = TRUE;
    }
  g_assert_true (saw_task_var && saw_syntax && saw_run_install);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("preflight", "check", "Clean"), NULL, &out, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "No warnings"));
  reset_config ();
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/env-commands", test_env_commands);
  g_test_add_func ("/cli/export-import-round-trip", test_export_import_round_trip);
  g_test_add_func ("/cli/malformed-file", test_malformed_file);
  g_test_add_func ("/cli/list-thousand", test_list_thousand);
  g_test_add_func ("/cli/concurrent-imports", test_concurrent_imports);
  g_test_add_func ("/cli/show-json-valid-utf8", test_show_json_valid_utf8);
  g_test_add_func ("/cli/preflight-split-json", test_preflight_split_json);
  g_test_add_func ("/cli/preflight-split-text-and-errors", test_preflight_split_text_and_errors);
  g_test_add_func ("/cli/preflight-check", test_preflight_check);
  g_test_add_func ("/cli/preflight-too-deep", test_preflight_too_deep);

  return g_test_run ();
}
