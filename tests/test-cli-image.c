/* test-cli-image.c — `agents-runner image …` on the real binary and engine
 * (design.md §3, §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "ar-env-store.h"
#include "ar-image-builder.h"
#include "test-utils.h"

#define CLI(...) ((const char *const[]) { __VA_ARGS__, NULL })

static char *
new_nonce (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
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

static void
assert_members (JsonObject *object, const char *const *names)
{
  g_autoptr(GList) members = json_object_get_members (object);

  g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((char **) names));
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_true (json_object_has_member (object, names[i]));
}

static ArEnvironment *
split_env (const char *name, const char *cached)
{
  ArEnvironment *env = ar_environment_new_with_id ();
  g_autofree char *base = ar_test_engine_base_image ();

  ar_environment_set_name (env, name);
  ar_environment_set_base_image (env, base);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, cached);
  return env;
}

/* Writes the environments file the binary reads. */
static void
save_envs (ArEnvironment *first, ...)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  g_autoptr(GError) error = NULL;
  va_list args;

  ar_env_store_allow_overwrite (store);
  va_start (args, first);
  for (ArEnvironment *env = first; env != NULL; env = va_arg (args, ArEnvironment *))
    {
      ar_env_store_add (store, env, &error);
      g_assert_no_error (error);
    }
  va_end (args);
  ar_env_store_save (store, &error);
  g_assert_no_error (error);
}

static char *
docker_out (const char *const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (ar_test_engine_docker (args, &out, &err) != 0)
    g_error ("docker %s failed: %s", args[0], err);
  return g_strdup (g_strstrip (out));
}

static gboolean
image_exists (const char *name)
{
  return ar_test_engine_docker (CLI ("image", "inspect", name), NULL, NULL) == 0;
}

static guint
count_env_images (ArEnvironment *env)
{
  g_autofree char *filter = g_strconcat ("label=" AR_LABEL_ENV_ID "=", ar_environment_get_env_id (env), NULL);
  g_autofree char *out = docker_out (CLI ("image", "ls", "-q", "--filter", filter));
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += lines[i][0] != '\0';
  return n;
}

static JsonObject *
key_layer (JsonNode *root, guint index)
{
  JsonArray *layers = json_object_get_array_member (json_node_get_object (root), "layers");

  return json_array_get_object_element (layers, index);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_key_and_build (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *line = NULL;
  JsonObject *layer;

  if (!ar_test_engine_need ())
    return;
  script = g_strdup_printf ("echo built-%s\necho %s > /cached-marker\n", nonce, nonce);
  env = split_env ("cli image", script);
  save_envs (env, NULL);

  /* image key --json: exactly the documented shape */
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "key", "cli image", "--json"), NULL, &out, &err), ==, 0);
  before = parse_json (out);
  assert_members (json_node_get_object (before), CLI ("layers", "runtime_image"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (before), "layers")),
                    ==, 1);
  layer = key_layer (before, 0);
  assert_members (layer, CLI ("layer", "tag", "key", "parent", "present", "reason"));
  g_assert_cmpstr (json_object_get_string_member (layer, "layer"), ==, "env");
  g_assert_false (json_object_get_boolean_member (layer, "present"));
  g_assert_cmpstr (json_object_get_string_member (layer, "reason"), ==, "no image of this layer existed yet");
  g_assert_cmpuint (strlen (json_object_get_string_member (layer, "key")), ==, 64);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (layer, "parent"), "sha256:"));
  tag = g_strdup (json_object_get_string_member (layer, "tag"));
  g_assert_true (g_str_has_prefix (tag, "agents-runner-env:"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (before), "runtime_image"), ==,
                   ar_environment_get_base_image (env));
  g_assert_false (image_exists (tag));
  g_clear_pointer (&out, g_free);

  /* the text form names the same */
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "key", ar_environment_get_env_id (env)), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, tag));
  g_assert_nonnull (strstr (out, "not present"));
  g_assert_nonnull (strstr (out, "no image of this layer existed yet"));
  g_clear_pointer (&out, g_free);

  /* image build streams the log and exits 0 once the image exists */
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "build", "cli image"), NULL, &out, &err), ==, 0);
  line = g_strdup_printf ("[image/env][INFO] cache MISS %s", tag);
  g_assert_nonnull (strstr (out, line));
  g_free (line);
  line = g_strdup_printf ("built-%s", nonce);
  g_assert_nonnull (strstr (out, line));
  g_assert_true (image_exists (tag));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "key", "cli image", "--json"), NULL, &out, NULL), ==, 0);
  after = parse_json (out);
  layer = key_layer (after, 0);
  g_assert_true (json_object_get_boolean_member (layer, "present"));
  g_assert_true (json_node_is_null (json_object_get_member (layer, "reason")));
  g_assert_cmpstr (json_object_get_string_member (layer, "tag"), ==, tag);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (after), "runtime_image"), ==, tag);
  g_clear_pointer (&out, g_free);

  /* again: a HIT, nothing built */
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "build", "cli image"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "cache HIT"));
  g_assert_null (strstr (out, line));
  g_assert_cmpuint (count_env_images (env), ==, 1);
  g_clear_pointer (&out, g_free);

  /* --force builds again */
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "build", "cli image", "--force"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "rebuild requested"));
  g_assert_nonnull (strstr (out, line));
}

static void
test_build_fails (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvironment) plain = ar_environment_new_with_id ();
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!ar_test_engine_need ())
    return;
  script = g_strdup_printf ("# %s\necho going wrong\nexit 1\n", nonce);
  env = split_env ("cli failing", script);
  ar_environment_set_name (plain, "cli plain");
  save_envs (env, plain, NULL);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "build", "cli failing"), NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "[image/env][WARN] "));
  g_assert_nonnull (strstr (out, "going wrong"));
  g_assert_nonnull (strstr (err, "the env layer is not built"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* the failure is remembered */
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "build", "cli failing"), NULL, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "not building them again"));
  g_assert_null (strstr (out, "[INFO] building agents-runner-env"));
  /* with what it said then */
  g_assert_nonnull (strstr (out, "  | going wrong"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* nothing wanted, nothing to do */
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "build", "cli plain"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "nothing to build"));
}

static void
test_usage (void)
{
  g_autofree char *err = NULL;
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();

  ar_environment_set_name (env, "cli usage");
  save_envs (env, NULL);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "key"), NULL, NULL, &err), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "frobnicate"), NULL, NULL, &err), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "list", "extra"), NULL, NULL, &err), ==, 2);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "key", "no such environment"), NULL, NULL, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, "agents-runner: "));
}

/* Two processes building the same key at once build it once. */
static void
test_two_processes (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(GSubprocess) p1 = NULL;
  g_autoptr(GSubprocess) p2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *script = NULL;
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *needle = NULL;
  const char *binary = g_getenv ("AR_BINARY");
  ArImageStats stats;
  guint built = 0;

  if (!ar_test_engine_need ())
    return;
  /* long enough that the second surely starts while the first builds */
  script = g_strdup_printf ("echo built-%s\nsleep 2\necho %s > /cached-marker\n", nonce, nonce);
  env = split_env ("cli twice", script);
  save_envs (env, NULL);

  p1 = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, binary, "image", "build", "cli twice", NULL);
  g_assert_no_error (error);
  p2 = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, binary, "image", "build", "cli twice", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p1, NULL, NULL, &out1, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p2, NULL, NULL, &out2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (p1), ==, 0);
  g_assert_cmpint (g_subprocess_get_exit_status (p2), ==, 0);

  needle = g_strdup_printf ("built-%s", nonce);
  built = (strstr (out1, needle) != NULL) + (strstr (out2, needle) != NULL);
  g_assert_cmpuint (built, ==, 1);
  g_assert_true (strstr (out1, "waiting for another Agents Runner process") != NULL ||
                 strstr (out2, "waiting for another Agents Runner process") != NULL);
  g_assert_true (strstr (out1, "built by another process meanwhile") != NULL ||
                 strstr (out2, "built by another process meanwhile") != NULL);
  g_assert_cmpuint (count_env_images (env), ==, 1);
  /* both processes wrote to the same state folder */
  ar_image_stats_get (ar_environment_get_env_id (env), &stats);
  g_assert_cmpuint (stats.builds, ==, 1);
  /* `image build` is not a task */
  g_assert_cmpuint (stats.tasks, ==, 0);
}

static JsonObject *
find_listed (JsonNode *root, const char *id)
{
  JsonArray *images = json_object_get_array_member (json_node_get_object (root), "images");

  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonObject *image = json_array_get_object_element (images, i);

      if (g_str_equal (json_object_get_string_member (image, "id"), id))
        return image;
    }
  return NULL;
}

static char *
build_version (ArEnvironment *env, const char *nonce, const char *version)
{
  g_autofree char *script = g_strdup_printf ("# %s\necho %s > /version\n", nonce, version);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *tag;

  ar_environment_set_cached_preflight_script (env, script);
  save_envs (env, NULL);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "build", ar_environment_get_env_id (env)), NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "key", ar_environment_get_env_id (env), "--json"), NULL, &out, NULL),
                   ==, 0);
  root = parse_json (out);
  tag = json_object_get_string_member (key_layer (root, 0), "tag");
  return docker_out (CLI ("image", "inspect", "--format", "{{.Id}}", tag));
}

static void
test_list_prune (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvironment) gone = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *used = NULL;
  g_autofree char *unused = NULL;
  g_autofree char *wanted = NULL;
  g_autofree char *out = NULL;
  g_autofree char *container = NULL;
  JsonObject *image;

  if (!ar_test_engine_need ())
    return;
  env = split_env ("cli list", "x");
  gone = split_env ("cli gone", "x");
  unused = build_version (gone, nonce, "gone");
  used = build_version (env, nonce, "one");
  wanted = build_version (env, nonce, "two");
  /* `gone` is no longer in the file: build_version saved `env` alone */
  container = docker_out (CLI ("create", "--label", ar_test_engine_run_label (), used, "true"));

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "list", "--json"), NULL, &out, NULL), ==, 0);
  list = parse_json (out);
  image = find_listed (list, wanted);
  g_assert_nonnull (image);
  g_assert_cmpstr (json_object_get_string_member (image, "layer"), ==, "env");
  g_assert_cmpstr (json_object_get_string_member (image, "env_id"), ==, ar_environment_get_env_id (env));
  g_assert_true (json_object_get_boolean_member (image, "in_use"));
  g_assert_false (json_object_get_boolean_member (image, "used_by_container"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (image, "wanted_by"), 0), ==,
                   ar_environment_get_env_id (env));
  g_assert_cmpint (json_object_get_int_member (image, "size"), >, 0);
  g_assert_cmpint (json_object_get_int_member (image, "last_used"), >, 0);
  image = find_listed (list, used);
  g_assert_nonnull (image);
  g_assert_true (json_object_get_boolean_member (image, "in_use"));
  g_assert_true (json_object_get_boolean_member (image, "used_by_container"));
  image = find_listed (list, unused);
  g_assert_nonnull (image);
  g_assert_false (json_object_get_boolean_member (image, "in_use"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "list"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "LAYER"));
  g_assert_nonnull (strstr (out, "agents-runner-env:"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "prune", "--dry-run"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "would remove"));
  g_assert_nonnull (strstr (out, "nothing removed"));
  g_assert_true (image_exists (unused));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "prune"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "removed"));
  g_assert_false (image_exists (unused));
  g_assert_true (image_exists (used));
  g_assert_true (image_exists (wanted));
  g_clear_pointer (&out, g_free);

  /* once the container is gone, nothing protects the old one */
  g_free (docker_out (CLI ("rm", container)));
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "prune"), NULL, &out, NULL), ==, 0);
  g_assert_false (image_exists (used));
  g_assert_true (image_exists (wanted));
}

/* Another install on the same engine (its own XDG_CONFIG_HOME, so its own
 * install id) builds an image nobody here wants: prune here never lists it
 * (issue 10 item 3). */
static void
test_other_install (void)
{
  g_autoptr(ArEnvironment) mine = NULL;
  g_autoptr(ArEnvironment) theirs = NULL;
  g_autoptr(ArEnvironment) plain = ar_environment_new_with_id ();
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *config = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  g_autofree char *other_config = ar_test_mkdtemp ("other-install");
  g_autofree char *other_id_file = g_build_filename (other_config, "agents-runner", "install-id", NULL);
  g_autofree char *my_id_file = g_build_filename (config, "agents-runner", "install-id", NULL);
  g_autofree char *other_id = NULL;
  g_autofree char *my_id = NULL;
  g_autofree char *my_image = NULL;
  g_autofree char *their_image = NULL;
  g_autofree char *my_tag = NULL;
  g_autofree char *their_tag = NULL;
  g_autofree char *out = NULL;
  JsonObject *image;

  if (!ar_test_engine_need ())
    return;
  mine = split_env ("cli mine", "x");
  theirs = split_env ("cli theirs", "x");
  my_image = build_version (mine, nonce, "mine");

  g_setenv ("XDG_CONFIG_HOME", other_config, TRUE);
  their_image = build_version (theirs, nonce, "theirs");
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  other_id = g_strstrip (ar_test_read_file (other_id_file));
  my_id = g_strstrip (ar_test_read_file (my_id_file));
  g_assert_cmpstr (other_id, !=, my_id);
  g_assert_cmpuint (strlen (my_id), ==, 36);

  /* here, nothing wants either of them any more */
  ar_environment_set_name (plain, "cli nothing cached");
  save_envs (plain, NULL);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "list", "--json"), NULL, &out, NULL), ==, 0);
  list = parse_json (out);
  image = find_listed (list, my_image);
  g_assert_nonnull (image);
  g_assert_true (json_object_get_boolean_member (image, "this_install"));
  g_assert_true (json_object_get_boolean_member (image, "unused"));
  g_assert_cmpstr (json_object_get_string_member (image, "install"), ==, my_id);
  image = find_listed (list, their_image);
  g_assert_nonnull (image);
  g_assert_false (json_object_get_boolean_member (image, "this_install"));
  g_assert_false (json_object_get_boolean_member (image, "unused"));
  g_assert_cmpstr (json_object_get_string_member (image, "install"), ==, other_id);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "list"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "other installs"));
  g_clear_pointer (&out, g_free);

  my_tag = docker_out (CLI ("image", "inspect", "--format", "{{index .RepoTags 0}}", my_image));
  their_tag = docker_out (CLI ("image", "inspect", "--format", "{{index .RepoTags 0}}", their_image));
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "prune", "--dry-run"), NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "would remove"));
  g_assert_nonnull (strstr (out, my_tag));
  g_assert_null (strstr (out, their_tag));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "prune"), NULL, NULL, NULL), ==, 0);
  g_assert_false (image_exists (my_image));
  g_assert_true (image_exists (their_image));

  /* and the other install prunes its own */
  g_setenv ("XDG_CONFIG_HOME", other_config, TRUE);
  save_envs (plain, NULL);
  g_assert_cmpint (ar_test_run_cli (CLI ("image", "prune"), NULL, NULL, NULL), ==, 0);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_assert_false (image_exists (their_image));
}

/* `image list --json` has the counters per environment (design.md §3.6). */
static void
test_list_environments (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *nonce = new_nonce ();
  g_autofree char *out = NULL;
  JsonArray *envs;
  JsonObject *entry = NULL;

  if (!ar_test_engine_need ())
    return;
  env = split_env ("cli counted", "x");
  g_free (build_version (env, nonce, "counted"));
  /* three tasks: what the task runner counts */
  g_assert_true (ar_image_stats_record_task (ar_environment_get_env_id (env), AR_TASK_CACHE_MISS, &error));
  g_assert_true (ar_image_stats_record_task (ar_environment_get_env_id (env), AR_TASK_CACHE_HIT, &error));
  g_assert_true (ar_image_stats_record_task (ar_environment_get_env_id (env), AR_TASK_CACHE_PARTIAL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ar_test_run_cli (CLI ("image", "list", "--json"), NULL, &out, NULL), ==, 0);
  list = parse_json (out);
  envs = json_object_get_array_member (json_node_get_object (list), "environments");
  g_assert_nonnull (envs);
  for (guint i = 0; i < json_array_get_length (envs); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (envs, i), "env_id"),
                   ar_environment_get_env_id (env)) == 0)
      entry = json_array_get_object_element (envs, i);
  g_assert_nonnull (entry);
  assert_members (entry, CLI ("env_id", "tasks", "hits", "partial_hits", "builds", "build_failures",
                              "build_seconds", "hit_rate"));
  g_assert_cmpint (json_object_get_int_member (entry, "tasks"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (entry, "hits"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (entry, "partial_hits"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (entry, "builds"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (entry, "build_failures"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (entry, "build_seconds"), >, 0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (entry, "hit_rate"), 1.0 / 3, 1e-9);
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);
  /* Everything the binary builds carries this run's label, and its list
   * and prune see only that (see ar_image_builder_new). */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/cli-image/usage", test_usage);
  g_test_add_func ("/cli-image/key-and-build", test_key_and_build);
  g_test_add_func ("/cli-image/build-fails", test_build_fails);
  g_test_add_func ("/cli-image/two-processes", test_two_processes);
  g_test_add_func ("/cli-image/list-prune", test_list_prune);
  g_test_add_func ("/cli-image/other-install", test_other_install);
  g_test_add_func ("/cli-image/list-environments", test_list_environments);

  return g_test_run ();
}
