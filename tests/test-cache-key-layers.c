/* test-cache-key-layers.c — the layers' keys and Dockerfiles
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
#include "test-cache-key-utils.h"

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

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/cache-key/env-layer-files", test_env_layer_files);
  g_test_add_func ("/cache-key/env-key-ignores-runtime-inputs", test_env_key_ignores_runtime_inputs);
  g_test_add_func ("/cache-key/env-key-includes-desktop-image", test_env_key_includes_desktop_image);
  g_test_add_func ("/cache-key/desktop-layer-files", test_desktop_layer_files);
  g_test_add_func ("/dockerfile/env", test_dockerfile_env);
  g_test_add_func ("/dockerfile/desktop", test_dockerfile_desktop);
  g_test_add_func ("/dockerfile/rejects-unsafe", test_dockerfile_rejects_unsafe);
  g_test_add_func ("/dockerfile/shebang", test_dockerfile_shebang);

  return g_test_run ();
}
