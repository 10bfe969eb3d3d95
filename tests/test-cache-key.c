/* test-cache-key.c — cache keys (SPEC §3.2) and layer Dockerfiles (§3.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ar-cache-key.h"
#include "ar-dockerfile.h"
#include "ar-environment.h"
#include "test-utils.h"

#define PARENT_A "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PARENT_B "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

typedef struct {
  const char *name;
  const char *contents;
} TextFile;

/* Inputs as plain strings; every computation builds fresh GBytes from them,
 * so nothing is shared between two computations but the text. */
typedef struct {
  ArLayerKind layer;
  const char *parent;
  const char *platform;
  const char *user;
  const char *dockerfile;
  TextFile files[4];
  gsize n_files;
} Case;

static const Case base_case = {
  .layer = AR_LAYER_ENV,
  .parent = PARENT_A,
  .platform = "linux/amd64",
  .user = "midori-ai",
  .dockerfile = "FROM scratch\nRUN true\n",
  .files = {
    { "cached-preflight.sh", "#!/bin/sh\nyay -S --noconfirm ripgrep\n" },
    { "a-helper.sh", "echo helper\n" },
  },
  .n_files = 2,
};

static GArray *
case_files (const Case *c)
{
  GArray *files = ar_context_files_new ();

  for (gsize i = 0; i < c->n_files; i++)
    {
      g_autoptr(GBytes) contents = g_bytes_new (c->files[i].contents, strlen (c->files[i].contents));

      ar_context_files_add (files, c->files[i].name, contents);
    }
  return files;
}

static void
case_inputs (const Case *c, GArray *files, ArCacheKeyInputs *in)
{
  *in = (ArCacheKeyInputs) {
    .layer = c->layer,
    .parent_id = c->parent,
    .platform = c->platform,
    .dockerfile = c->dockerfile,
    .files = (const ArContextFile *) (gpointer) files->data,
    .n_files = files->len,
    .build_user = c->user,
  };
}

static char *
case_key (const Case *c)
{
  g_autoptr(GArray) files = case_files (c);
  ArCacheKeyInputs in;

  case_inputs (c, files, &in);
  return ar_cache_key_compute (&in);
}

static void
assert_hex64 (const char *key)
{
  g_assert_nonnull (key);
  g_assert_cmpuint (strlen (key), ==, 64);
  for (const char *p = key; *p != '\0'; p++)
    g_assert_true ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
}

static void
assert_case_key_differs (const Case *changed, const char *what)
{
  g_autofree char *before = case_key (&base_case);
  g_autofree char *after = case_key (changed);

  g_test_message ("%s: %s -> %s", what, before, after);
  assert_hex64 (after);
  g_assert_cmpstr (before, !=, after);
}

static void
test_key_format_and_stable (void)
{
  g_autoptr(GArray) files = case_files (&base_case);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *fresh = NULL;
  ArCacheKeyInputs in;

  case_inputs (&base_case, files, &in);
  first = ar_cache_key_compute (&in);
  second = ar_cache_key_compute (&in);
  fresh = case_key (&base_case);

  assert_hex64 (first);
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpstr (first, ==, fresh);
}

/* The encoding is pinned by a digest computed outside this code, with bash:
 *
 *   export LC_ALL=C
 *   rec() { printf '%s\0%s\0%s\n' "$1" "${#2}" "$2"; }
 *   h() { printf '%s' "$1" | sha256sum | cut -c1-64; }
 *   {
 *     rec format agents-runner/env/1
 *     rec layer env
 *     rec parent sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
 *     rec platform linux/amd64
 *     rec build-user midori-ai
 *     rec dockerfile $'FROM scratch\nRUN true\n'
 *     rec file a-helper.sh
 *     rec sha256 "$(h $'echo helper\n')"
 *     rec file cached-preflight.sh
 *     rec sha256 "$(h $'#!/bin/sh\nyay -S --noconfirm ripgrep\n')"
 *   } | sha256sum
 *
 * (base_case gives the files in the other order: the function sorts them.) */
static void
test_known_answer (void)
{
  g_autofree char *key = case_key (&base_case);

  g_assert_cmpstr (key, ==, "851f851915b6b4eca2fd15d6e7a753598751fdd5e377743d8999b0be031262b8");
}

/* The exposed encoding is the documented byte string, and the key is its
 * SHA-256. */
static void
test_encoding_layout (void)
{
  static const char expected_head[] =
    "format\0" "19\0" "agents-runner/env/1\n"
    "layer\0" "3\0" "env\n"
    "parent\0" "71\0" PARENT_A "\n"
    "platform\0" "11\0" "linux/amd64\n"
    "build-user\0" "9\0" "midori-ai\n"
    "dockerfile\0" "22\0" "FROM scratch\nRUN true\n" "\n"
    "file\0" "11\0" "a-helper.sh\n"
    "sha256\0" "64\0";
  g_autoptr(GArray) files = case_files (&base_case);
  g_autoptr(GBytes) encoded = NULL;
  g_autofree char *helper_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "echo helper\n", -1);
  g_autofree char *digest = NULL;
  g_autofree char *key = NULL;
  ArCacheKeyInputs in;
  const char *data;
  gsize len;

  case_inputs (&base_case, files, &in);
  encoded = ar_cache_key_encode (&in);
  data = g_bytes_get_data (encoded, &len);

  g_assert_cmpuint (len, >, sizeof expected_head - 1);
  g_assert_cmpmem (data, sizeof expected_head - 1, expected_head, sizeof expected_head - 1);
  g_assert_cmpmem (data + sizeof expected_head - 1, 64, helper_sha, 64);
  g_assert_cmpint (data[len - 1], ==, '\n');

  digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, encoded);
  key = ar_cache_key_compute (&in);
  g_assert_cmpstr (digest, ==, key);
}

static void
test_null_is_empty (void)
{
  Case with_null = base_case;
  Case with_empty = base_case;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  with_null.platform = NULL;
  with_null.user = NULL;
  with_empty.platform = "";
  with_empty.user = "";
  a = case_key (&with_null);
  b = case_key (&with_empty);
  g_assert_cmpstr (a, ==, b);
}

static void
test_tag (void)
{
  g_autofree char *key = case_key (&base_case);
  g_autofree char *env_tag = ar_cache_key_tag (AR_LAYER_ENV, key);
  g_autofree char *desktop_tag = ar_cache_key_tag (AR_LAYER_DESKTOP, key);
  g_autofree char *expected_env = g_strdup_printf ("agents-runner-env:%.16s", key);
  g_autofree char *expected_desktop = g_strdup_printf ("agents-runner-desktop:%.16s", key);

  g_assert_cmpstr (env_tag, ==, expected_env);
  g_assert_cmpstr (desktop_tag, ==, expected_desktop);
  g_assert_cmpuint (strlen (env_tag), ==, strlen ("agents-runner-env:") + 16);
  g_assert_cmpstr (ar_layer_kind_to_string (AR_LAYER_DESKTOP), ==, "desktop");
  g_assert_cmpstr (ar_layer_kind_to_string (AR_LAYER_ENV), ==, "env");
}

static void
test_key_changes (void)
{
  Case c;

  c = base_case;
  c.files[0].contents = "#!/bin/sh\nyay -S --noconfirm ripgrEp\n";
  assert_case_key_differs (&c, "cached script, one byte");

  c = base_case;
  c.files[0].contents = "#!/bin/sh\nyay -S --noconfirm ripgrep\n\n";
  assert_case_key_differs (&c, "cached script, one byte more");

  c = base_case;
  c.dockerfile = "FROM scratch\nRUN  true\n";
  assert_case_key_differs (&c, "Dockerfile text");

  c = base_case;
  c.parent = PARENT_B;
  assert_case_key_differs (&c, "parent ID");

  c = base_case;
  c.files[2] = (TextFile) { "b-extra.sh", "" };
  c.n_files = 3;
  assert_case_key_differs (&c, "context file added (even empty)");

  c = base_case;
  c.n_files = 1;
  assert_case_key_differs (&c, "context file removed");

  c = base_case;
  c.files[1].name = "b-helper.sh";
  assert_case_key_differs (&c, "context file renamed");

  c = base_case;
  c.files[1].contents = "echo helper!\n";
  assert_case_key_differs (&c, "context file changed");

  c = base_case;
  c.user = "root";
  assert_case_key_differs (&c, "build user");

  c = base_case;
  c.user = "";
  assert_case_key_differs (&c, "build user empty");

  c = base_case;
  c.platform = "linux/arm64";
  assert_case_key_differs (&c, "platform");

  c = base_case;
  c.platform = "";
  assert_case_key_differs (&c, "platform not forced");

  c = base_case;
  c.layer = AR_LAYER_DESKTOP;
  assert_case_key_differs (&c, "layer kind");
}

static void
test_file_order_irrelevant (void)
{
  Case reversed = base_case;
  Case three = base_case;
  Case three_shuffled = base_case;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;

  reversed.files[0] = base_case.files[1];
  reversed.files[1] = base_case.files[0];
  a = case_key (&base_case);
  b = case_key (&reversed);
  g_assert_cmpstr (a, ==, b);

  /* Same name twice (a caller bug) still gives one answer for any order. */
  three.files[2] = (TextFile) { "a-helper.sh", "other\n" };
  three.n_files = 3;
  three_shuffled.files[0] = three.files[2];
  three_shuffled.files[1] = three.files[0];
  three_shuffled.files[2] = three.files[1];
  three_shuffled.n_files = 3;
  c = case_key (&three);
  d = case_key (&three_shuffled);
  g_assert_cmpstr (c, ==, d);
}

/* Moving a boundary between two fields, or between a name and its
 * contents, must change the key. */
static void
test_boundaries_unambiguous (void)
{
  Case a = base_case;
  Case b = base_case;
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;
  g_autofree char *kc = NULL;
  g_autofree char *kd = NULL;
  g_autofree char *ke = NULL;
  g_autofree char *kf = NULL;

  a.parent = "sha256:ab";
  a.platform = "c";
  b.parent = "sha256:a";
  b.platform = "bc";
  ka = case_key (&a);
  kb = case_key (&b);
  g_assert_cmpstr (ka, !=, kb);

  /* A value that imitates the next record. */
  a = base_case;
  b = base_case;
  a.user = "midori-ai";
  a.dockerfile = "FROM x\n";
  b.user = "midori-ai\n" "dockerfile";
  b.dockerfile = "FROM x\n";
  kc = case_key (&a);
  kd = case_key (&b);
  g_assert_cmpstr (kc, !=, kd);

  /* The last Dockerfile line versus a file name. */
  a = base_case;
  b = base_case;
  a.dockerfile = "FROM x\nfile";
  a.n_files = 1;
  a.files[0] = (TextFile) { "s.sh", "x" };
  b.dockerfile = "FROM x\n";
  b.n_files = 1;
  b.files[0] = (TextFile) { "files.sh", "x" };
  ke = case_key (&a);
  kf = case_key (&b);
  g_assert_cmpstr (ke, !=, kf);
}

static GHashTable *
labels_to_table (GStrv labels)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (char **l = labels; *l != NULL; l++)
    {
      const char *eq = strchr (*l, '=');

      g_assert_nonnull (eq);
      g_assert_true (g_str_has_prefix (*l, AR_LABEL_PREFIX));
      g_assert_false (g_hash_table_contains (table, *l));
      g_hash_table_insert (table, g_strndup (*l, eq - *l), g_strdup (eq + 1));
    }
  return table;
}

static void
test_labels_env (void)
{
  g_autoptr(GArray) files = case_files (&base_case);
  g_autoptr(GHashTable) table = NULL;
  g_auto(GStrv) labels = NULL;
  g_autofree char *key = NULL;
  g_autofree char *dockerfile_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, base_case.dockerfile, -1);
  g_autofree char *script_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, base_case.files[0].contents, -1);
  g_autofree char *context_before = NULL;
  ArCacheKeyInputs in;
  Case changed = base_case;

  case_inputs (&base_case, files, &in);
  key = ar_cache_key_compute (&in);
  labels = ar_cache_key_labels (&in, "env-1234abcd", "2026-01-02T03:04:05Z");
  table = labels_to_table (labels);

  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.layer"), ==, "env");
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.cache-key"), ==, key);
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.parent"), ==, PARENT_A);
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.env-id"), ==, "env-1234abcd");
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.format"), ==, "agents-runner/env/1");
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.created"), ==, "2026-01-02T03:04:05Z");
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.platform"), ==, "linux/amd64");
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.build-user"), ==, "midori-ai");
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.dockerfile-sha256"), ==, dockerfile_sha);
  g_assert_cmpstr (g_hash_table_lookup (table, "io.github.agents-runner.cached-preflight-sha256"), ==, script_sha);
  g_assert_false (g_hash_table_contains (table, AR_LABEL_DESKTOP_SCRIPTS_SHA256));
  assert_hex64 (g_hash_table_lookup (table, AR_LABEL_CONTEXT_SHA256));
  context_before = g_strdup (g_hash_table_lookup (table, AR_LABEL_CONTEXT_SHA256));

  /* Only the context digest and the key move when a helper file changes;
   * that is what lets a miss be explained input by input. */
  {
    g_autoptr(GArray) files2 = NULL;
    g_autoptr(GHashTable) table2 = NULL;
    g_auto(GStrv) labels2 = NULL;

    changed.files[1].contents = "echo other helper\n";
    files2 = case_files (&changed);
    case_inputs (&changed, files2, &in);
    labels2 = ar_cache_key_labels (&in, "env-1234abcd", "2026-01-02T03:04:05Z");
    table2 = labels_to_table (labels2);
    g_assert_cmpstr (g_hash_table_lookup (table2, AR_LABEL_CONTEXT_SHA256), !=, context_before);
    g_assert_cmpstr (g_hash_table_lookup (table2, AR_LABEL_CACHE_KEY), !=, key);
    g_assert_cmpstr (g_hash_table_lookup (table2, AR_LABEL_CACHED_PREFLIGHT_SHA256), ==, script_sha);
    g_assert_cmpstr (g_hash_table_lookup (table2, AR_LABEL_DOCKERFILE_SHA256), ==, dockerfile_sha);
  }
}

static void
test_labels_desktop (void)
{
  Case c = {
    .layer = AR_LAYER_DESKTOP,
    .parent = PARENT_B,
    .platform = "",
    .user = "",
    .dockerfile = "FROM x\n",
    .files = {
      { "desktop/install.sh", "echo install\n" },
      { "desktop/lib/vnc.sh", "echo vnc\n" },
    },
    .n_files = 2,
  };
  g_autoptr(GArray) files = case_files (&c);
  g_autoptr(GHashTable) table = NULL;
  g_auto(GStrv) labels = NULL;
  ArCacheKeyInputs in;

  case_inputs (&c, files, &in);
  labels = ar_cache_key_labels (&in, "env-1234abcd", NULL);
  table = labels_to_table (labels);

  g_assert_cmpstr (g_hash_table_lookup (table, AR_LABEL_LAYER), ==, "desktop");
  g_assert_cmpstr (g_hash_table_lookup (table, AR_LABEL_FORMAT), ==, "agents-runner/desktop/1");
  g_assert_cmpstr (g_hash_table_lookup (table, AR_LABEL_PLATFORM), ==, "");
  g_assert_cmpstr (g_hash_table_lookup (table, AR_LABEL_BUILD_USER), ==, "");
  /* A desktop layer is shared by environments: it names none. */
  g_assert_false (g_hash_table_contains (table, AR_LABEL_ENV_ID));
  g_assert_false (g_hash_table_contains (table, AR_LABEL_CREATED));
  g_assert_false (g_hash_table_contains (table, AR_LABEL_CACHED_PREFLIGHT_SHA256));
  assert_hex64 (g_hash_table_lookup (table, AR_LABEL_DESKTOP_SCRIPTS_SHA256));
  g_assert_cmpstr (g_hash_table_lookup (table, AR_LABEL_DESKTOP_SCRIPTS_SHA256), ==,
                   g_hash_table_lookup (table, AR_LABEL_CONTEXT_SHA256));
}

/* Environment level ------------------------------------------------------ */

static ArEnvironment *
make_environment (void)
{
  static const char *const env_vars[] = { "GITHUB_TOKEN=ghp_secret", "MODE=fast", NULL };
  static const char *const mounts[] = { "/srv/data:/data:ro", NULL };
  static const char *const ports[] = { "8080:80", NULL };
  ArEnvironment *env = ar_environment_new ();

  ar_environment_set_env_id (env, "env-1234abcd");
  ar_environment_set_name (env, "Web app");
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, "#!/bin/bash\r\nyay -S --noconfirm ripgrep  \r\n# café ☕\n");
  ar_environment_set_run_preflight_script (env, "export MODE=$TASK_ID\n");
  ar_environment_set_env_vars (env, env_vars);
  ar_environment_set_extra_mounts (env, mounts);
  ar_environment_set_ports (env, ports);
  ar_environment_set_agent_cli (env, "codex");
  ar_environment_set_agent_cli_args (env, "--model o3");
  return env;
}

/* What the image builder does for the environment layer, minus the engine:
 * the parent's ID and user come from `image inspect`. */
static char *
env_layer_key (ArEnvironment *env, const char *parent_id, const char *parent_user)
{
  g_autoptr(GArray) files = ar_cache_key_env_layer_files (env);
  g_autoptr(GError) error = NULL;
  g_autofree char *dockerfile = NULL;
  const ArContextFile *script;
  ArDockerfileParams params = { 0 };
  ArCacheKeyInputs in = { 0 };

  g_assert_cmpuint (files->len, ==, 1);
  script = &g_array_index (files, ArContextFile, 0);

  params.layer = AR_LAYER_ENV;
  params.parent = parent_id;
  params.build_user = parent_user;
  params.has_shebang = ar_dockerfile_has_shebang (script->contents);
  dockerfile = ar_dockerfile_generate (&params, &error);
  g_assert_no_error (error);

  in.layer = AR_LAYER_ENV;
  in.parent_id = parent_id;
  in.platform = "";
  in.dockerfile = dockerfile;
  in.files = script;
  in.n_files = files->len;
  in.build_user = parent_user;
  return ar_cache_key_compute (&in);
}

static void
test_env_layer_files (void)
{
  g_autoptr(ArEnvironment) env = make_environment ();
  g_autoptr(GArray) files = ar_cache_key_env_layer_files (env);
  const ArContextFile *file;
  const char *script = ar_environment_get_cached_preflight_script (env);
  gsize len;
  gconstpointer data;

  g_assert_cmpuint (files->len, ==, 1);
  file = &g_array_index (files, ArContextFile, 0);
  g_assert_cmpstr (file->name, ==, AR_CONTEXT_ENV_SCRIPT);
  g_assert_cmpstr (file->name, ==, "cached-preflight.sh");
  data = g_bytes_get_data (file->contents, &len);
  g_assert_cmpmem (data, len, script, strlen (script));
  g_assert_true (ar_dockerfile_has_shebang (file->contents));
}

static void
test_env_key_ignores_runtime_inputs (void)
{
  static const char *const other_vars[] = { "GITHUB_TOKEN=ghp_other", NULL };
  static const char *const other_mounts[] = { "/home/me/.ssh:/home/midori-ai/.ssh:ro", "/tmp:/scratch", NULL };
  static const char *const other_ports[] = { "127.0.0.1:9000:9000", NULL };
  static const char *const custom[] = { "my-agent", "--yes", "{prompt}", NULL };
  g_autoptr(ArEnvironment) env = make_environment ();
  g_autofree char *before = env_layer_key (env, PARENT_A, "midori-ai");
  g_autofree char *after = NULL;
  g_autofree char *changed = NULL;

  ar_environment_set_run_preflight_script (env, "echo a different run preflight\n");
  ar_environment_set_env_vars (env, other_vars);
  ar_environment_set_extra_mounts (env, other_mounts);
  ar_environment_set_ports (env, other_ports);
  ar_environment_set_agent_cli (env, "custom");
  /* The prompt is a task's, never an environment's; the nearest thing an
   * environment holds is the {prompt} slot of a custom command. */
  ar_environment_set_custom_command (env, custom);
  ar_environment_set_agent_cli_args (env, "--verbose");
  ar_environment_set_host_config_dir (env, "/home/me/.other");
  ar_environment_set_name (env, "Renamed");
  ar_environment_set_color (env, "rose");
  ar_environment_set_max_agents_running (env, 3);
  ar_environment_set_workspace_type (env, "cloned");
  ar_environment_set_workspace_target (env, "owner/repo");
  ar_environment_set_preflight_enabled (env, TRUE);
  ar_environment_set_preflight_script (env, "echo legacy\n");

  after = env_layer_key (env, PARENT_A, "midori-ai");
  g_assert_cmpstr (before, ==, after);

  /* ...while the one input it does have still counts, to the byte. */
  ar_environment_set_cached_preflight_script (env, "#!/bin/bash\r\nyay -S --noconfirm ripgrep \r\n# café ☕\n");
  changed = env_layer_key (env, PARENT_A, "midori-ai");
  g_assert_cmpstr (before, !=, changed);
}

static void
test_env_key_includes_desktop_image (void)
{
  g_autoptr(ArEnvironment) env = make_environment ();
  g_autoptr(GArray) desktop_files = ar_context_files_new ();
  g_autoptr(GBytes) install_v1 = g_bytes_new_static ("echo desktop v1\n", 16);
  g_autoptr(GBytes) install_v2 = g_bytes_new_static ("echo desktop v2\n", 16);
  g_autofree char *desktop_key_v1 = NULL;
  g_autofree char *desktop_key_v2 = NULL;
  g_autofree char *desktop_id_v1 = NULL;
  g_autofree char *desktop_id_v2 = NULL;
  g_autofree char *on_base = NULL;
  g_autofree char *on_desktop_v1 = NULL;
  g_autofree char *on_desktop_v1_again = NULL;
  g_autofree char *on_desktop_v2 = NULL;
  ArCacheKeyInputs in = {
    .layer = AR_LAYER_DESKTOP,
    .parent_id = PARENT_A,
    .dockerfile = "FROM " PARENT_A "\n",
  };

  /* Changing the desktop scripts changes the desktop key... */
  ar_context_files_add (desktop_files, "desktop/install.sh", install_v1);
  in.files = (const ArContextFile *) (gpointer) desktop_files->data;
  in.n_files = desktop_files->len;
  desktop_key_v1 = ar_cache_key_compute (&in);
  g_array_set_size (desktop_files, 0);
  ar_context_files_add (desktop_files, "desktop/install.sh", install_v2);
  in.files = (const ArContextFile *) (gpointer) desktop_files->data;
  desktop_key_v2 = ar_cache_key_compute (&in);
  g_assert_cmpstr (desktop_key_v1, !=, desktop_key_v2);

  /* ...whose rebuild yields a new image ID, the environment layer's
   * parent. An image ID only exists after a build; stand-ins here. */
  desktop_id_v1 = g_strconcat ("sha256:", desktop_key_v1, NULL);
  desktop_id_v2 = g_strconcat ("sha256:", desktop_key_v2, NULL);

  on_base = env_layer_key (env, PARENT_A, "midori-ai");
  on_desktop_v1 = env_layer_key (env, desktop_id_v1, "midori-ai");
  on_desktop_v1_again = env_layer_key (env, desktop_id_v1, "midori-ai");
  on_desktop_v2 = env_layer_key (env, desktop_id_v2, "midori-ai");

  g_assert_cmpstr (on_base, !=, on_desktop_v1);
  g_assert_cmpstr (on_desktop_v1, ==, on_desktop_v1_again);
  g_assert_cmpstr (on_desktop_v1, !=, on_desktop_v2);
}

/* Desktop scripts folder ---------------------------------------------- */

static void
test_desktop_layer_files (void)
{
  static const char install_text[] = "#!/bin/sh\nsh \"$(dirname \"$0\")/lib/vnc.sh\"\n";
  g_autofree char *dir = ar_test_mkdtemp ("desktop-scripts");
  g_autofree char *lib = g_build_filename (dir, "lib", NULL);
  g_autofree char *install = g_build_filename (dir, "install.sh", NULL);
  g_autofree char *helper = g_build_filename (lib, "vnc.sh", NULL);
  g_autofree char *link = g_build_filename (dir, "link.sh", NULL);
  g_autofree char *fifo = g_build_filename (dir, "pipe", NULL);
  g_autofree char *loop = g_build_filename (lib, "loop", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autoptr(GArray) files = NULL;
  g_autoptr(GArray) again = NULL;
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *key1 = NULL;
  g_autofree char *key2 = NULL;
  ArCacheKeyInputs in = { .layer = AR_LAYER_DESKTOP, .parent_id = PARENT_A, .dockerfile = "FROM x\n" };
  GBytes *contents;

  g_assert_cmpint (g_mkdir (lib, 0755), ==, 0);
  ar_test_write_file (install, install_text);
  ar_test_write_file (helper, "echo vnc\n");
  g_assert_cmpint (symlink ("install.sh", link), ==, 0);

  files = ar_cache_key_desktop_layer_files (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 3);
  for (guint i = 0; i < files->len; i++)
    {
      ArContextFile *f = &g_array_index (files, ArContextFile, i);

      g_hash_table_insert (by_name, (gpointer) f->name, f->contents);
    }
  contents = g_hash_table_lookup (by_name, "desktop/install.sh");
  g_assert_nonnull (contents);
  g_assert_cmpmem (g_bytes_get_data (contents, NULL), g_bytes_get_size (contents),
                   install_text, strlen (install_text));
  contents = g_hash_table_lookup (by_name, "desktop/lib/vnc.sh");
  g_assert_nonnull (contents);
  g_assert_cmpmem (g_bytes_get_data (contents, NULL), g_bytes_get_size (contents), "echo vnc\n", 9);
  /* A link is followed: the build sees the file it points to. */
  g_assert_true (g_bytes_equal (g_hash_table_lookup (by_name, "desktop/link.sh"),
                                g_hash_table_lookup (by_name, "desktop/install.sh")));

  /* Enumeration order is the file system's; the key does not care. */
  in.files = (const ArContextFile *) (gpointer) files->data;
  in.n_files = files->len;
  key1 = ar_cache_key_compute (&in);
  ar_test_write_file (helper, "echo vnc changed\n");
  again = ar_cache_key_desktop_layer_files (dir, &error);
  g_assert_no_error (error);
  in.files = (const ArContextFile *) (gpointer) again->data;
  in.n_files = again->len;
  key2 = ar_cache_key_compute (&in);
  g_assert_cmpstr (key1, !=, key2);

  /* Nothing COPY would treat differently from a plain file is accepted. */
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_assert_null (ar_cache_key_desktop_layer_files (dir, &error));
  g_assert_error (error, AR_CACHE_KEY_ERROR, AR_CACHE_KEY_ERROR_UNSUPPORTED_FILE);
  g_assert_nonnull (strstr (error->message, "pipe"));
  g_clear_error (&error);
  g_unlink (fifo);

  g_assert_cmpint (symlink ("..", loop), ==, 0);
  g_assert_null (ar_cache_key_desktop_layer_files (dir, &error));
  g_assert_error (error, AR_CACHE_KEY_ERROR, AR_CACHE_KEY_ERROR_UNSUPPORTED_FILE);
  g_clear_error (&error);
  g_unlink (loop);

  g_assert_null (ar_cache_key_desktop_layer_files (missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* Dockerfile ------------------------------------------------------------- */

static char *
generate (ArLayerKind layer, const char *parent, const char *user, gboolean shebang)
{
  g_autoptr(GError) error = NULL;
  ArDockerfileParams params = { 0 };
  char *text;

  params.layer = layer;
  params.parent = parent;
  params.build_user = user;
  params.has_shebang = shebang;
  text = ar_dockerfile_generate (&params, &error);
  g_assert_no_error (error);
  return text;
}

static void
test_dockerfile_env (void)
{
  g_autofree char *root_sh = generate (AR_LAYER_ENV, PARENT_A, "", FALSE);
  g_autofree char *root_null = generate (AR_LAYER_ENV, PARENT_A, NULL, FALSE);
  g_autofree char *user_shebang = generate (AR_LAYER_ENV, PARENT_A, "midori-ai", TRUE);
  g_autofree char *uid_gid = generate (AR_LAYER_ENV, "agents-runner-desktop:0123456789abcdef", "1000:1000", FALSE);

  g_assert_cmpstr (root_sh, ==,
                   "# Generated by Agents Runner (agents-runner/env/1), do not edit\n"
                   "FROM " PARENT_A "\n"
                   "COPY cached-preflight.sh /tmp/agents-runner-build/cached-preflight.sh\n"
                   "RUN [\"/bin/sh\", \"-c\", \"/bin/sh /tmp/agents-runner-build/cached-preflight.sh"
                   " && rm -rf /tmp/agents-runner-build\"]\n");
  g_assert_cmpstr (root_null, ==, root_sh);
  g_assert_cmpstr (user_shebang, ==,
                   "# Generated by Agents Runner (agents-runner/env/1), do not edit\n"
                   "FROM " PARENT_A "\n"
                   "COPY --chown=midori-ai cached-preflight.sh /tmp/agents-runner-build/cached-preflight.sh\n"
                   "USER midori-ai\n"
                   "RUN [\"/bin/sh\", \"-c\", \"chmod 0755 /tmp/agents-runner-build/cached-preflight.sh"
                   " && /tmp/agents-runner-build/cached-preflight.sh && rm -rf /tmp/agents-runner-build\"]\n");
  g_assert_cmpstr (uid_gid, ==,
                   "# Generated by Agents Runner (agents-runner/env/1), do not edit\n"
                   "FROM agents-runner-desktop:0123456789abcdef\n"
                   "COPY --chown=1000:1000 cached-preflight.sh /tmp/agents-runner-build/cached-preflight.sh\n"
                   "USER 1000:1000\n"
                   "RUN [\"/bin/sh\", \"-c\", \"/bin/sh /tmp/agents-runner-build/cached-preflight.sh"
                   " && rm -rf /tmp/agents-runner-build\"]\n");
  /* No labels in the text: the key label would be circular. */
  g_assert_null (strstr (user_shebang, "LABEL"));
}

static void
test_dockerfile_desktop (void)
{
  g_autofree char *root = generate (AR_LAYER_DESKTOP, PARENT_B, "", TRUE);
  g_autofree char *user = generate (AR_LAYER_DESKTOP, PARENT_B, "midori-ai", FALSE);
  g_autofree char *custom = NULL;
  g_autoptr(GError) error = NULL;
  ArDockerfileParams params = {
    .layer = AR_LAYER_DESKTOP,
    .parent = PARENT_B,
    .source = "desktop-v2",
    .entry = "bin/setup.sh",
  };

  g_assert_cmpstr (root, ==,
                   "# Generated by Agents Runner (agents-runner/desktop/1), do not edit\n"
                   "FROM " PARENT_B "\n"
                   "COPY desktop/ /tmp/agents-runner-build/\n"
                   "RUN [\"/bin/sh\", \"-c\", \"chmod 0755 /tmp/agents-runner-build/install.sh"
                   " && /tmp/agents-runner-build/install.sh && rm -rf /tmp/agents-runner-build\"]\n");
  g_assert_cmpstr (user, ==,
                   "# Generated by Agents Runner (agents-runner/desktop/1), do not edit\n"
                   "FROM " PARENT_B "\n"
                   "COPY --chown=midori-ai desktop/ /tmp/agents-runner-build/\n"
                   "USER midori-ai\n"
                   "RUN [\"/bin/sh\", \"-c\", \"/bin/sh /tmp/agents-runner-build/install.sh"
                   " && rm -rf /tmp/agents-runner-build\"]\n");

  custom = ar_dockerfile_generate (&params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (custom, "COPY desktop-v2/ /tmp/agents-runner-build/\n"));
  g_assert_nonnull (strstr (custom, "/bin/sh /tmp/agents-runner-build/bin/setup.sh && "));
}

static void
test_dockerfile_rejects_unsafe (void)
{
  static const char *const bad_parents[] = {
    "", "sha256:abc def", "-v", "img\nRUN evil", "$HOME", "img:tag\\", "\"img\"", NULL,
  };
  static const char *const bad_users[] = {
    "root\nUSER evil", "me; rm", "$USER", "a:b:c", ":1000", "1000:", "-u", "us er", NULL,
  };
  static const char *const bad_names[] = {
    "../etc/passwd", "/abs.sh", "a/../b.sh", "-x.sh", "sp ace.sh", "a\"b.sh", "a//b.sh", "./a.sh", "", NULL,
  };
  ArDockerfileParams params = { .layer = AR_LAYER_ENV, .parent = PARENT_A };

  for (const char *const *p = bad_parents; *p != NULL; p++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      params.parent = *p;
      text = ar_dockerfile_generate (&params, &error);
      g_assert_null (text);
      g_assert_error (error, AR_DOCKERFILE_ERROR, AR_DOCKERFILE_ERROR_INVALID_PARENT);
    }
  params.parent = NULL;
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (ar_dockerfile_generate (&params, &error));
    g_assert_error (error, AR_DOCKERFILE_ERROR, AR_DOCKERFILE_ERROR_INVALID_PARENT);
  }
  params.parent = PARENT_A;

  for (const char *const *u = bad_users; *u != NULL; u++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      params.build_user = *u;
      text = ar_dockerfile_generate (&params, &error);
      g_assert_null (text);
      g_assert_error (error, AR_DOCKERFILE_ERROR, AR_DOCKERFILE_ERROR_INVALID_USER);
      g_assert_nonnull (strstr (error->message, *u));
    }
  params.build_user = NULL;

  for (const char *const *n = bad_names; *n != NULL; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      g_autofree char *text = NULL;
      g_autofree char *text2 = NULL;
      ArDockerfileParams desktop = { .layer = AR_LAYER_DESKTOP, .parent = PARENT_A, .entry = *n };

      params.source = *n;
      text = ar_dockerfile_generate (&params, &error);
      g_assert_null (text);
      g_assert_error (error, AR_DOCKERFILE_ERROR, AR_DOCKERFILE_ERROR_INVALID_NAME);

      text2 = ar_dockerfile_generate (&desktop, &error2);
      g_assert_null (text2);
      g_assert_error (error2, AR_DOCKERFILE_ERROR, AR_DOCKERFILE_ERROR_INVALID_NAME);
    }
}

static void
test_dockerfile_shebang (void)
{
  g_autoptr(GBytes) with = g_bytes_new_static ("#!/bin/bash\necho\n", 17);
  g_autoptr(GBytes) space = g_bytes_new_static (" #!/bin/bash\n", 13);
  g_autoptr(GBytes) hash_only = g_bytes_new_static ("#", 1);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autofree char *a = generate (AR_LAYER_ENV, PARENT_A, "", TRUE);
  g_autofree char *b = generate (AR_LAYER_ENV, PARENT_A, "", FALSE);
  Case ca = base_case;
  Case cb = base_case;
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;

  g_assert_true (ar_dockerfile_has_shebang (with));
  g_assert_false (ar_dockerfile_has_shebang (space));
  g_assert_false (ar_dockerfile_has_shebang (hash_only));
  g_assert_false (ar_dockerfile_has_shebang (empty));

  /* Adding a shebang changes how the script runs, so it changes the key
   * twice over: the script bytes and the Dockerfile. */
  ca.dockerfile = a;
  cb.dockerfile = b;
  ka = case_key (&ca);
  kb = case_key (&cb);
  g_assert_cmpstr (ka, !=, kb);
}

/* Speed ------------------------------------------------------------------ */

static void
test_speed_1mb (void)
{
  gsize size = 1024 * 1024;
  g_autofree char *script = g_malloc (size);
  g_autoptr(GBytes) contents = NULL;
  g_autofree char *dockerfile = generate (AR_LAYER_ENV, PARENT_A, "midori-ai", TRUE);
  ArContextFile file;
  ArCacheKeyInputs in = { 0 };
  gint64 best = G_MAXINT64;

  for (gsize i = 0; i < size; i++)
    script[i] = "abcdefghij\n"[i % 11];
  contents = g_bytes_new_static (script, size);
  file.name = AR_CONTEXT_ENV_SCRIPT;
  file.contents = contents;
  in.layer = AR_LAYER_ENV;
  in.parent_id = PARENT_A;
  in.dockerfile = dockerfile;
  in.files = &file;
  in.n_files = 1;
  in.build_user = "midori-ai";

  /* Best of several runs: measures the code, not a busy machine. */
  for (int run = 0; run < 10; run++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autofree char *key = ar_cache_key_compute (&in);
      gint64 elapsed = g_get_monotonic_time () - start;

      assert_hex64 (key);
      best = MIN (best, elapsed);
    }
  g_test_message ("key over a 1 MiB script: best %.2f ms", best / 1000.0);
  g_assert_cmpint (best, <, 5000);
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/cache-key/format-and-stable", test_key_format_and_stable);
  g_test_add_func ("/cache-key/known-answer", test_known_answer);
  g_test_add_func ("/cache-key/encoding-layout", test_encoding_layout);
  g_test_add_func ("/cache-key/null-is-empty", test_null_is_empty);
  g_test_add_func ("/cache-key/tag", test_tag);
  g_test_add_func ("/cache-key/changes", test_key_changes);
  g_test_add_func ("/cache-key/file-order-irrelevant", test_file_order_irrelevant);
  g_test_add_func ("/cache-key/boundaries-unambiguous", test_boundaries_unambiguous);
  g_test_add_func ("/cache-key/labels-env", test_labels_env);
  g_test_add_func ("/cache-key/labels-desktop", test_labels_desktop);
  g_test_add_func ("/cache-key/env-layer-files", test_env_layer_files);
  g_test_add_func ("/cache-key/env-key-ignores-runtime-inputs", test_env_key_ignores_runtime_inputs);
  g_test_add_func ("/cache-key/env-key-includes-desktop-image", test_env_key_includes_desktop_image);
  g_test_add_func ("/cache-key/desktop-layer-files", test_desktop_layer_files);
  g_test_add_func ("/dockerfile/env", test_dockerfile_env);
  g_test_add_func ("/dockerfile/desktop", test_dockerfile_desktop);
  g_test_add_func ("/dockerfile/rejects-unsafe", test_dockerfile_rejects_unsafe);
  g_test_add_func ("/dockerfile/shebang", test_dockerfile_shebang);
  g_test_add_func ("/cache-key/speed-1mb", test_speed_1mb);

  return g_test_run ();
}
