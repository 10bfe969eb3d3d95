/* test-env-import.c — import of the earlier tool's files (design.md §2.5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-env-import.h"
#include "test-utils.h"

/* Shaped like the earlier tool's environments.json. */
static const char *legacy_file =
  "{\n"
  "  \"environments\": [\n"
  "    {\n"
  "      \"env_id\": \"env-legacy01\",\n"
  "      \"name\": \"Python work\",\n"
  "      \"color\": \"cyan\",\n"
  "      \"host_workdir\": \"/home/u/src/proj\",\n"
  "      \"codex_extra_args\": \"--model o3\",\n"
  "      \"container_caching_enabled\": true,\n"
  "      \"preflight_enabled\": true,\n"
  "      \"preflight_script\": \"#!/bin/bash\\npacman -Syu --noconfirm python\\n\",\n"
  "      \"gh_management_mode\": \"pull-request\",\n"
  "      \"gh_last_base_branch\": \"main\",\n"
  "      \"env_vars\": {\"OPENAI_API_KEY\": \"sk-test\"}\n"
  "    },\n"
  "    {\n"
  "      \"id\": \"env-legacy02\",\n"
  "      \"name\": \"Disabled preflight\",\n"
  "      \"preflight_enabled\": false,\n"
  "      \"preflight_script\": \"echo hidden\\n\",\n"
  "      \"workspace_type\": \"cloned\",\n"
  "      \"workspace_target\": \"owner/repo\",\n"
  "      \"host_workdir\": \"/not/used\",\n"
  "      \"agent_cli_args\": \"--already\",\n"
  "      \"codex_extra_args\": \"--ignored\"\n"
  "    }\n"
  "  ]\n"
  "}\n";

static ArEnvStore *
empty_store (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("import-store");
  g_autofree char *path = g_build_filename (dir, "environments.json", NULL);
  ArEnvStore *store = ar_env_store_new (path);

  g_assert_true (ar_env_store_load (store, NULL));
  return store;
}

static char *
write_temp (const char *name, const char *text)
{
  g_autofree char *dir = ar_test_mkdtemp ("import-src");
  char *path = g_build_filename (dir, name, NULL);

  ar_test_write_file (path, text);
  return path;
}

static void
test_legacy_mapping (void)
{
  g_autoptr(ArEnvStore) store = empty_store ();
  g_autofree char *path = write_temp ("environments.json", legacy_file);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImportSummary) summary = ar_env_import_file (store, path, FALSE, &error);
  ArEnvironment *a, *b;

  g_assert_no_error (error);
  g_assert_cmpuint (summary->added->len, ==, 2);
  g_assert_cmpuint (summary->skipped->len, ==, 0);

  a = ar_env_store_find_by_id (store, "env-legacy01");
  g_assert_nonnull (a);
  g_assert_cmpstr (ar_environment_get_workspace_type (a), ==, "mounted");
  g_assert_cmpstr (ar_environment_get_workspace_target (a), ==, "/home/u/src/proj");
  g_assert_cmpstr (ar_environment_get_agent_cli_args (a), ==, "--model o3");
  g_assert_true (ar_environment_get_cache_container_build (a));
  g_assert_cmpstr (ar_environment_get_run_preflight_script (a), ==, "#!/bin/bash\npacman -Syu --noconfirm python\n");
  g_assert_cmpstr (ar_environment_get_preflight_script (a), ==, "#!/bin/bash\npacman -Syu --noconfirm python\n");
  g_assert_cmpstr (ar_environment_get_env_vars (a)[0], ==, "OPENAI_API_KEY=sk-test");

  /* id falls back to "id"; existing cloned workspace and args win. */
  b = ar_env_store_find_by_id (store, "env-legacy02");
  g_assert_nonnull (b);
  g_assert_cmpstr (ar_environment_get_workspace_type (b), ==, "cloned");
  g_assert_cmpstr (ar_environment_get_agent_cli_args (b), ==, "--already");
  g_assert_cmpstr (ar_environment_get_run_preflight_script (b), ==, "");
  g_assert_cmpstr (ar_environment_get_preflight_script (b), ==, "echo hidden\n");
}

static void
test_nothing_lost_on_export (void)
{
  g_autoptr(ArEnvStore) store = empty_store ();
  g_autofree char *path = write_temp ("environments.json", legacy_file);
  g_autoptr(ArImportSummary) summary = ar_env_import_file (store, path, FALSE, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonObject *out;

  g_assert_nonnull (summary);
  text = ar_env_entry_to_string (ar_env_store_find_by_id (store, "env-legacy01"));
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  out = json_node_get_object (json_parser_get_root (parser));

  /* Every key of the original entry comes out again with its value. */
  g_assert_cmpstr (json_object_get_string_member (out, "gh_management_mode"), ==, "pull-request");
  g_assert_cmpstr (json_object_get_string_member (out, "gh_last_base_branch"), ==, "main");
  g_assert_cmpstr (json_object_get_string_member (out, "host_workdir"), ==, "/home/u/src/proj");
  g_assert_cmpstr (json_object_get_string_member (out, "codex_extra_args"), ==, "--model o3");
  g_assert_true (json_object_get_boolean_member (out, "container_caching_enabled"));
  g_assert_true (json_object_get_boolean_member (out, "preflight_enabled"));
  g_assert_cmpstr (json_object_get_string_member (out, "color"), ==, "cyan");

  /* And re-importing the export gives the same entry. */
  {
    g_autoptr(ArEnvStore) other = empty_store ();
    g_autofree char *export_path = write_temp ("export.json", text);
    g_autoptr(ArImportSummary) again = ar_env_import_file (other, export_path, FALSE, &error);
    g_autofree char *text2 = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (again->added->len, ==, 1);
    text2 = ar_env_entry_to_string (ar_env_store_get_environment (other, 0));
    g_assert_cmpstr (text2, ==, text);
  }
}

static void
test_bare_list_and_single_files (void)
{
  g_autoptr(ArEnvStore) store = empty_store ();
  g_autofree char *list = write_temp ("list.json", "[{\"env_id\": \"l1\"}, {\"env_id\": \"l2\"}]");
  g_autofree char *single = write_temp ("environment-fromname.json", "{\"name\": \"Named by file\"}");
  g_autofree char *single_id = write_temp ("environment-other.json", "{\"env_id\": \"inside\", \"name\": \"x\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImportSummary) s1 = ar_env_import_file (store, list, FALSE, &error);
  g_autoptr(ArImportSummary) s2 = ar_env_import_file (store, single, FALSE, &error);
  g_autoptr(ArImportSummary) s3 = ar_env_import_file (store, single_id, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (s1->added->len, ==, 2);
  g_assert_cmpuint (s2->added->len, ==, 1);
  g_assert_cmpuint (s3->added->len, ==, 1);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (store, "fromname")), ==, "Named by file");
  g_assert_nonnull (ar_env_store_find_by_id (store, "inside"));
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 4);
}

static void
test_skip_replace_rename (void)
{
  g_autoptr(ArEnvStore) store = empty_store ();
  g_autofree char *first = write_temp ("a.json", "[{\"env_id\": \"same\", \"name\": \"original\"}]");
  g_autofree char *second = write_temp ("b.json",
    "[{\"env_id\": \"same\", \"name\": \"newer\"}, {\"name\": \"no id\"},"
    " {\"env_id\": \"twice\"}, {\"env_id\": \"twice\"}, 42]");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImportSummary) s1 = ar_env_import_file (store, first, FALSE, &error);
  g_autoptr(ArImportSummary) s2 = ar_env_import_file (store, second, FALSE, &error);
  g_autoptr(ArImportSummary) s3 = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (s1->added->len, >=, 1);
  /* Never overwritten without --replace. */
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (store, "same")), ==, "original");
  g_assert_cmpuint (s2->skipped->len, ==, 2); /* the existing id, and the 42 */
  g_assert_nonnull (strstr (g_ptr_array_index (s2->skipped, 0), "--replace"));
  g_assert_cmpuint (s2->renamed->len, ==, 2); /* no id, and the repeated one */
  g_assert_cmpuint (s2->added->len, ==, 3);

  s3 = ar_env_import_file (store, second, TRUE, &error);
  g_assert_cmpuint (s3->replaced->len, >=, 1);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (store, "same")), ==, "newer");
}

static void
test_bad_files (void)
{
  g_autoptr(ArEnvStore) store = empty_store ();
  g_autofree char *bad_json = write_temp ("bad.json", "{\"environments\": [");
  g_autofree char *bad_shape = write_temp ("shape.json", "{\"colour\": 3}");
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "does-not-exist-ar.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (ar_env_import_file (store, bad_json, FALSE, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "line 1"));
  g_clear_error (&error);
  g_assert_null (ar_env_import_file (store, bad_shape, FALSE, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_null (ar_env_import_file (store, missing, FALSE, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_NOT_FOUND);
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 0);
}

/* An import used to exit 0 and leave a file no command could read again
 * (1e999 written as inf, "\377" as a raw byte): now it is refused before
 * the store changes, naming the place. */
static void
test_unwritable_values_refused (void)
{
  static const char *const inputs[] = {
    "[{\"env_id\": \"a\", \"odd\": 1e999}]",
    "[{\"env_id\": \"a\", \"odd\": \"x\\377y\"}]",
    "[{\"env_id\": \"a\", \"odd\": 99999999999999999999}]",
    "[{\"env_id\": \"a\", \"odd\": \"cut\\u0000here\"}]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(ArEnvStore) store = empty_store ();
      g_autofree char *path = write_temp ("odd.json", inputs[i]);
      g_autoptr(GError) error = NULL;

      g_assert_null (ar_env_import_file (store, path, FALSE, &error));
      g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, "line 1, column"));
      g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 0);
    }
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/env-import/legacy-mapping", test_legacy_mapping);
  g_test_add_func ("/env-import/nothing-lost-on-export", test_nothing_lost_on_export);
  g_test_add_func ("/env-import/bare-list-and-single-files", test_bare_list_and_single_files);
  g_test_add_func ("/env-import/skip-replace-rename", test_skip_replace_rename);
  g_test_add_func ("/env-import/bad-files", test_bad_files);
  g_test_add_func ("/env-import/unwritable-values-refused", test_unwritable_values_refused);

  return g_test_run ();
}
