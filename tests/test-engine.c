/* test-engine.c — ArEngine: names, transports, queries, against a real engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-engine.h"
#include "test-utils.h"
#include "test-engine-utils.h"

static void
assert_labels_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (g_hash_table_lookup (b, key), ==, value);
}

static void
assert_images_equal (const ArImageInfo *a, const ArImageInfo *b)
{
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_true (g_strv_equal ((const char *const *) a->repo_tags, (const char *const *) b->repo_tags));
  g_assert_cmpstr (a->user, ==, b->user);
  g_assert_cmpint (a->size, ==, b->size);
  g_assert_cmpint (a->created, ==, b->created);
  assert_labels_equal (a->labels, b->labels);
}

static void
assert_containers_equal (const ArContainerInfo *a, const ArContainerInfo *b)
{
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_true (g_strv_equal ((const char *const *) a->names, (const char *const *) b->names));
  g_assert_cmpstr (a->image, ==, b->image);
  g_assert_cmpstr (a->image_id, ==, b->image_id);
  g_assert_cmpstr (a->state, ==, b->state);
  g_assert_cmpint (a->created, ==, b->created);
  assert_labels_equal (a->labels, b->labels);
}

/* ---- no engine needed ---------------------------------------------------- */

static void
test_normalize (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "foo", "foo:latest" },
    { "foo:1", "foo:1" },
    { "localhost/foo:1", "foo:1" },
    { "docker.io/library/ubuntu", "ubuntu:latest" },
    { "library/ubuntu:24.04", "ubuntu:24.04" },
    { "docker.io/me/tool:2", "me/tool:2" },
    { "ghcr.io/me/tool", "ghcr.io/me/tool:latest" },
    { "localhost:5000/foo", "localhost:5000/foo:latest" },
    { "foo@sha256:abc", "foo@sha256:abc" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = ar_engine_normalize_image_name (cases[i].in);

      g_assert_cmpstr (got, ==, cases[i].out);
    }
  g_assert_true (ar_engine_image_names_equal ("localhost/ar-test-base:x", "ar-test-base:x"));
  g_assert_false (ar_engine_image_names_equal ("ar-test-base:x", "ar-test-base:y"));
  g_assert_false (ar_engine_image_names_equal ("localhost:5000/a", "a"));
}

static void
test_flatpak_argv (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("flatpak");
  g_autofree char *info = g_build_filename (dir, ".flatpak-info", NULL);
  g_autofree char *missing = g_build_filename (dir, "absent", NULL);
  g_autoptr(ArEngine) outside = ar_engine_new ("docker", "");
  g_autoptr(ArEngine) inside = ar_engine_new ("docker", "");
  g_autoptr(ArEngine) remote = ar_engine_new ("docker", "tcp://192.0.2.1:2375");
  const char *args[] = { "image", "ls", NULL };
  g_auto(GStrv) argv_outside = NULL;
  g_auto(GStrv) argv_inside = NULL;
  g_auto(GStrv) argv_remote = NULL;

  ar_test_write_file (info, "[Application]\nname=io.github.agents_runner.AgentsRunner\n");
  g_assert_true (ar_engine_detect_flatpak (info));
  g_assert_false (ar_engine_detect_flatpak (missing));

  ar_engine_set_flatpak_info_path (outside, missing);
  ar_engine_set_flatpak_info_path (inside, info);
  ar_engine_set_flatpak_info_path (remote, info);

  g_assert_false (ar_engine_get_in_flatpak (outside));
  g_assert_cmpstr (ar_engine_get_cli_argv0 (outside), ==, "docker");
  argv_outside = ar_engine_build_argv (outside, args);
  g_assert_cmpstrv (argv_outside, ((const char *const[]) { "docker", "image", "ls", NULL }));

  g_assert_true (ar_engine_get_in_flatpak (inside));
  g_assert_cmpstr (ar_engine_get_cli_argv0 (inside), ==, "flatpak-spawn");
  argv_inside = ar_engine_build_argv (inside, args);
  g_assert_cmpstr (argv_inside[0], ==, "flatpak-spawn");
  g_assert_cmpstr (argv_inside[1], ==, "--host");
  g_assert_true (g_strv_contains ((const char *const *) argv_inside, "docker"));
  g_assert_cmpstr (argv_inside[g_strv_length (argv_inside) - 2], ==, "image");
  g_assert_cmpstr (argv_inside[g_strv_length (argv_inside) - 1], ==, "ls");

  /* the host travels as an option of flatpak-spawn: the host's CLI does not
   * see our environment; a tcp:// engine has no socket to ask */
  argv_remote = ar_engine_build_argv (remote, args);
  g_assert_true (g_strv_contains ((const char *const *) argv_remote, "--env=DOCKER_HOST=tcp://192.0.2.1:2375"));
  g_assert_null (ar_engine_get_socket_path (remote));
  g_assert_cmpstr (ar_engine_get_host (remote), ==, "tcp://192.0.2.1:2375");
}

static void
test_host_resolution (void)
{
  g_autofree char *saved_host = g_strdup (g_getenv ("DOCKER_HOST"));
  g_autofree char *docker = g_find_program_in_path ("docker");
  g_autoptr(ArEngine) from_env = NULL;
  g_autoptr(ArEngine) from_setting = NULL;
  g_autoptr(ArEngine) tcp = NULL;
  g_autoptr(ArEngine) from_context = NULL;
  g_autoptr(ArEngine) default_socket = NULL;

  g_setenv ("DOCKER_HOST", "unix:///run/ar-test/engine.sock", TRUE);
  from_env = ar_engine_new ("docker", "");
  from_setting = ar_engine_new ("docker", "unix:///run/ar-test/setting.sock");
  tcp = ar_engine_new ("docker", "tcp://192.0.2.1:2376");
  /* captured at construction: a later change does not split API and CLI */
  g_unsetenv ("DOCKER_HOST");
  g_assert_cmpstr (ar_engine_get_socket_path (from_env), ==, "/run/ar-test/engine.sock");
  g_assert_cmpstr (ar_engine_get_host (from_env), ==, "unix:///run/ar-test/engine.sock");
  g_assert_cmpstr (ar_engine_get_socket_path (from_setting), ==, "/run/ar-test/setting.sock");
  g_assert_null (ar_engine_get_socket_path (tcp));
  g_assert_cmpint (ar_engine_get_kind (tcp), ==, AR_ENGINE_KIND_DOCKER);

  default_socket = ar_engine_new ("docker", "");
  g_assert_cmpstr (ar_engine_get_socket_path (default_socket), ==, "/var/run/docker.sock");
  g_assert_cmpstr (ar_engine_get_host (default_socket), ==, "");

  /* a docker context made by the docker CLI itself (in the test's HOME) */
  if (docker != NULL)
    {
      const char *create[] = { "context", "create", "ar-test-ctx", "--docker", "host=unix:///run/ar-test/ctx.sock", NULL };
      const char *use[] = { "context", "use", "ar-test-ctx", NULL };
      const char *back[] = { "context", "use", "default", NULL };
      const char *rm[] = { "context", "rm", "ar-test-ctx", NULL };
      g_autofree char *err = NULL;

      g_assert_cmpint (ar_test_engine_docker (create, NULL, &err), ==, 0);
      g_assert_cmpint (ar_test_engine_docker (use, NULL, NULL), ==, 0);
      from_context = ar_engine_new ("docker", "");
      g_assert_cmpstr (ar_engine_get_socket_path (from_context), ==, "/run/ar-test/ctx.sock");
      g_assert_cmpint (ar_test_engine_docker (back, NULL, NULL), ==, 0);
      g_assert_cmpint (ar_test_engine_docker (rm, NULL, NULL), ==, 0);
    }
  else
    g_test_message ("no docker CLI: docker contexts not checked");

  if (saved_host != NULL)
    g_setenv ("DOCKER_HOST", saved_host, TRUE);
}

static void
test_not_found (void)
{
  g_autofree char *saved_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *empty = ar_test_mkdtemp ("empty-path");
  g_autoptr(ArEngine) docker = NULL;
  g_autoptr(ArEngine) any = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "version", NULL };
  int status;

  g_setenv ("PATH", empty, TRUE);
  /* tcp:// has no socket: only the CLI could answer */
  docker = ar_engine_new ("docker", "tcp://192.0.2.1:2375");
  any = ar_engine_new ("auto", "tcp://192.0.2.1:2375");

  status = ar_engine_run_cli_sync (docker, args, NULL, 10, NULL, NULL, NULL, &error);
  g_assert_cmpint (status, ==, -1);
  g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "sudo apt install docker.io"));
  g_clear_error (&error);

  g_assert_cmpint (ar_engine_get_kind (any), ==, AR_ENGINE_KIND_NONE);
  g_assert_false (ar_engine_ping_sync (any, NULL, &error));
  g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);

  g_setenv ("PATH", saved_path, TRUE);
}

static void
test_unreachable (void)
{
  g_autofree char *saved_host = g_strdup (g_getenv ("DOCKER_HOST"));
  g_autofree char *docker = g_find_program_in_path ("docker");
  const ArEngineQueryPath paths[] = {
    AR_ENGINE_QUERY_PATH_AUTO, AR_ENGINE_QUERY_PATH_API, AR_ENGINE_QUERY_PATH_CLI,
  };

  g_setenv ("DOCKER_HOST", "unix:///nonexistent", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(ArEngine) engine = ar_engine_new ("docker", "");
      g_autoptr(GError) error = NULL;

      if (paths[i] == AR_ENGINE_QUERY_PATH_CLI && docker == NULL)
        continue;
      ar_engine_set_query_path (engine, paths[i]);
      g_assert_false (ar_engine_ping_sync (engine, NULL, &error));
      g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_UNREACHABLE);
      g_assert_nonnull (strstr (error->message, "start the service: sudo systemctl start docker"));
      g_assert_nonnull (strstr (error->message, "unix:///nonexistent"));
      g_test_message ("path %u: %s", i, error->message);
    }

  if (saved_host != NULL)
    g_setenv ("DOCKER_HOST", saved_host, TRUE);
  else
    g_unsetenv ("DOCKER_HOST");
}

/* ---- against the engine ---------------------------------------------------- */

static void
test_ping (void)
{
  g_autoptr(ArEngine) api = NULL;
  g_autoptr(ArEngine) cli = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  if (!ar_test_engine_need ())
    return;

  api = engine_on (AR_ENGINE_QUERY_PATH_AUTO);
  g_assert_cmpint (ar_engine_get_last_query_path (api), ==, AR_ENGINE_QUERY_PATH_AUTO);
  ar_engine_ping_async (api, NULL, ar_test_store_result, &result);
  g_assert_true (ar_engine_ping_finish (api, ar_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (ar_engine_get_kind (api), ==, AR_ENGINE_KIND_DOCKER);
  g_assert_nonnull (ar_engine_get_socket_path (api));
  g_assert_cmpint (ar_engine_get_last_query_path (api), ==, AR_ENGINE_QUERY_PATH_API);

  cli = engine_on (AR_ENGINE_QUERY_PATH_CLI);
  g_assert_true (ar_engine_ping_sync (cli, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ar_engine_get_last_query_path (cli), ==, AR_ENGINE_QUERY_PATH_CLI);
}

static void
test_inspect (void)
{
  g_autoptr(ArEngine) api = NULL;
  g_autoptr(ArEngine) cli = NULL;
  g_autoptr(ArImageInfo) by_api = NULL;
  g_autoptr(ArImageInfo) by_cli = NULL;
  g_autoptr(ArImageInfo) nonroot_api = NULL;
  g_autoptr(ArImageInfo) nonroot_cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *nonroot = NULL;
  const guint api_rounds = 50, cli_rounds = 5;
  double t0, api_ms, cli_ms;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  nonroot = ar_test_engine_nonroot_base_image ();
  api = engine_on (AR_ENGINE_QUERY_PATH_API);
  cli = engine_on (AR_ENGINE_QUERY_PATH_CLI);

  by_api = ar_engine_inspect_image_sync (api, base, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ar_engine_get_last_query_path (api), ==, AR_ENGINE_QUERY_PATH_API);
  by_cli = ar_engine_inspect_image_sync (cli, base, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ar_engine_get_last_query_path (cli), ==, AR_ENGINE_QUERY_PATH_CLI);
  g_assert_nonnull (by_api);
  g_assert_nonnull (by_cli);

  g_assert_true (g_str_has_prefix (by_api->id, "sha256:"));
  g_assert_cmpstr (by_api->user, ==, "");
  g_assert_cmpint (by_api->size, >, 100000);
  g_assert_cmpint (by_api->created, >, 0);
  g_assert_cmpstr (ar_image_info_get_label (by_api, RUN_LABEL_KEY), ==, ar_test_engine_run_id ());
  g_assert_true (ar_image_info_has_tag (by_api, base));
  assert_images_equal (by_api, by_cli);

  nonroot_api = ar_engine_inspect_image_sync (api, nonroot, NULL, &error);
  g_assert_no_error (error);
  nonroot_cli = ar_engine_inspect_image_sync (cli, nonroot, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nonroot_api->user, ==, "midori");
  assert_images_equal (nonroot_api, nonroot_cli);
  g_assert_cmpstr (nonroot_api->id, !=, by_api->id);

  /* what a query costs on each path */
  t0 = now_seconds ();
  for (guint i = 0; i < api_rounds; i++)
    {
      g_autoptr(ArImageInfo) info = NULL;
      GAsyncResult *result = NULL;

      ar_engine_inspect_image_async (api, base, NULL, ar_test_store_result, &result);
      info = ar_engine_inspect_image_finish (api, ar_test_wait_result (&result), &error);
      g_assert_no_error (error);
      g_assert_nonnull (info);
      g_object_unref (result);
    }
  api_ms = (now_seconds () - t0) * 1000 / api_rounds;
  t0 = now_seconds ();
  for (guint i = 0; i < cli_rounds; i++)
    {
      g_autoptr(ArImageInfo) info = ar_engine_inspect_image_sync (cli, base, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (info);
    }
  cli_ms = (now_seconds () - t0) * 1000 / cli_rounds;
  g_test_message ("image inspect: %.3f ms through the socket, %.1f ms through the CLI (%.0f times)",
                  api_ms, cli_ms, cli_ms / api_ms);
  g_assert_cmpfloat (api_ms, <, cli_ms);
}

static void
test_inspect_absent (void)
{
  const ArEngineQueryPath paths[] = { AR_ENGINE_QUERY_PATH_API, AR_ENGINE_QUERY_PATH_CLI };
  g_autofree char *absent = NULL;

  if (!ar_test_engine_need ())
    return;
  absent = g_strconcat ("ar-test-absent:", ar_test_engine_run_id (), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(ArEngine) engine = engine_on (paths[i]);
      g_autoptr(ArImageInfo) info = NULL;
      g_autoptr(GError) error = NULL;

      info = ar_engine_inspect_image_sync (engine, absent, NULL, &error);
      g_assert_no_error (error);
      g_assert_null (info);
      g_assert_cmpint (ar_engine_get_last_query_path (engine), ==, paths[i]);
    }
}

static void
test_list_images (void)
{
  g_autoptr(ArEngine) api = NULL;
  g_autoptr(ArEngine) cli = NULL;
  g_autoptr(GPtrArray) by_api = NULL;
  g_autoptr(GPtrArray) by_cli = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *nonroot = NULL;
  g_autofree char *nobody = NULL;
  gboolean saw_base = FALSE, saw_nonroot = FALSE;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  nonroot = ar_test_engine_nonroot_base_image ();
  api = engine_on (AR_ENGINE_QUERY_PATH_API);
  cli = engine_on (AR_ENGINE_QUERY_PATH_CLI);

  by_api = ar_engine_list_images_sync (api, ar_test_engine_run_label (), NULL, &error);
  g_assert_no_error (error);
  by_cli = ar_engine_list_images_sync (cli, ar_test_engine_run_label (), NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (by_api->len, >=, 2);
  g_assert_cmpuint (by_api->len, ==, by_cli->len);
  for (guint i = 0; i < by_api->len; i++)
    {
      ArImageInfo *a = by_api->pdata[i];

      assert_images_equal (a, by_cli->pdata[i]);
      g_assert_null (a->user);
      g_assert_cmpstr (ar_image_info_get_label (a, RUN_LABEL_KEY), ==, ar_test_engine_run_id ());
      saw_base |= ar_image_info_has_tag (a, base);
      saw_nonroot |= ar_image_info_has_tag (a, nonroot);
    }
  g_assert_true (saw_base);
  g_assert_true (saw_nonroot);

  /* a label nothing carries, on the key alone as well */
  nobody = g_strconcat (RUN_LABEL_KEY "-none=", ar_test_engine_run_id (), NULL);
  none = ar_engine_list_images_sync (cli, nobody, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_clear_pointer (&none, g_ptr_array_unref);
  none = ar_engine_list_images_sync (api, RUN_LABEL_KEY "-none", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_list_containers (void)
{
  g_autoptr(ArEngine) api = NULL;
  g_autoptr(ArEngine) cli = NULL;
  g_autoptr(GPtrArray) by_api = NULL;
  g_autoptr(GPtrArray) by_cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *nonroot = NULL;
  g_autofree char *moving = NULL;
  g_autofree char *running_name = NULL;
  g_autofree char *created_name = NULL;
  g_autofree char *kind_label = NULL;
  g_autofree char *out = NULL;
  g_autoptr(ArImageInfo) base_info = NULL;
  g_autoptr(ArImageInfo) nonroot_info = NULL;
  const char *label;
  gboolean saw_running = FALSE, saw_created = FALSE;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  nonroot = ar_test_engine_nonroot_base_image ();
  label = ar_test_engine_run_label ();
  api = engine_on (AR_ENGINE_QUERY_PATH_API);
  cli = engine_on (AR_ENGINE_QUERY_PATH_CLI);
  base_info = ar_engine_inspect_image_sync (api, base, NULL, &error);
  g_assert_no_error (error);
  nonroot_info = ar_engine_inspect_image_sync (api, nonroot, NULL, &error);
  g_assert_no_error (error);

  running_name = g_strconcat ("ar-test-sleep-", ar_test_engine_run_id (), NULL);
  created_name = g_strconcat ("ar-test-created-", ar_test_engine_run_id (), NULL);
  moving = g_strconcat ("ar-test-moving:", ar_test_engine_run_id (), NULL);
  kind_label = g_strconcat (RUN_LABEL_KEY "-kind=list-", ar_test_engine_run_id (), NULL);
  {
    const char *tag_nonroot[] = { "tag", nonroot, moving, NULL };
    const char *run[] = { "run", "-d", "--name", running_name, "--label", label, "--label", kind_label,
                          base, "sleep", "60", NULL };
    const char *create[] = { "create", "--name", created_name, "--label", label, moving, "true", NULL };
    const char *tag_base[] = { "tag", base, moving, NULL };

    g_assert_cmpint (run_sync (api, run, &out, NULL), ==, 0);
    /* a container whose reference has since moved on to another image:
     * both paths must then name the image by its id */
    g_assert_cmpint (run_sync (api, tag_nonroot, NULL, NULL), ==, 0);
    g_assert_cmpint (run_sync (api, create, NULL, NULL), ==, 0);
    g_assert_cmpint (run_sync (api, tag_base, NULL, NULL), ==, 0);
  }

  g_strstrip (out);
  by_api = ar_engine_list_containers_sync (api, label, NULL, &error);
  g_assert_no_error (error);
  by_cli = ar_engine_list_containers_sync (cli, label, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ar_engine_get_last_query_path (cli), ==, AR_ENGINE_QUERY_PATH_CLI);

  g_assert_cmpuint (by_api->len, >=, 2);
  g_assert_cmpuint (by_api->len, ==, by_cli->len);
  for (guint i = 0; i < by_api->len; i++)
    {
      ArContainerInfo *c = by_api->pdata[i];

      assert_containers_equal (c, by_cli->pdata[i]);
      if (g_strv_contains ((const char *const *) c->names, running_name))
        {
          saw_running = TRUE;
          g_assert_cmpstr (c->state, ==, "running");
          g_assert_cmpstr (c->image, ==, base);
          g_assert_cmpstr (c->image_id, ==, base_info->id);
          g_assert_cmpstr (ar_container_info_get_label (c, RUN_LABEL_KEY "-kind"), ==, kind_label + strlen (RUN_LABEL_KEY "-kind="));
          g_assert_cmpstr (c->id, ==, out);
        }
      if (g_strv_contains ((const char *const *) c->names, created_name))
        {
          saw_created = TRUE;
          g_assert_cmpstr (c->state, ==, "created");
          g_assert_cmpstr (c->image_id, ==, nonroot_info->id);
          g_assert_cmpstr (c->image, ==, nonroot_info->id);
        }
    }
  g_assert_true (saw_running);
  g_assert_true (saw_created);

  {
    const char *rm[] = { "rm", "-f", running_name, created_name, NULL };

    g_assert_cmpint (run_sync (api, rm, NULL, NULL), ==, 0);
  }
  g_clear_pointer (&by_api, g_ptr_array_unref);
  by_api = ar_engine_list_containers_sync (api, kind_label, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (by_api->len, ==, 0);
}

/* A value for the container must not steer the CLI: such names are
 * refused before anything runs. */
static void
test_env_steers_cli (void)
{
  const char *const steering[] = { "STORAGE_DRIVER", "STORAGE_OPTS", "_CONTAINERS_USERNS_CONFIGURED",
                                   "_CONTAINERS_ROOTLESS_UID", "SSH_AUTH_SOCK", "DOCKER_HOST", "docker_config",
                                   "CONTAINERS_CONF", "XDG_RUNTIME_DIR", "HOME", "PATH", "LD_PRELOAD",
                                   "HTTPS_PROXY", "GODEBUG", "NOTIFY_SOCKET", "BUILDAH_ISOLATION", NULL };
  const char *const plain[] = { "OPENAI_API_KEY", "GH_TOKEN", "MY_STORAGE", "LANG", "TERM", NULL };
  g_autoptr(ArEngine) engine = ar_engine_new ("docker", "");

  for (guint i = 0; steering[i] != NULL; i++)
    {
      g_autofree char *pair = g_strconcat (steering[i], "=x", NULL);
      const char *extra_env[] = { pair, NULL };
      const char *args[] = { "version", NULL };
      g_autoptr(GError) error = NULL;

      g_assert_true (ar_engine_env_name_steers_cli (steering[i]));
      g_assert_cmpint (ar_engine_run_cli_sync (engine, args, extra_env, 10, NULL, NULL, NULL, &error), ==, -1);
      g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, steering[i]));
    }
  for (guint i = 0; plain[i] != NULL; i++)
    g_assert_false (ar_engine_env_name_steers_cli (plain[i]));
}

/* Docker's reference grammar, and a clear error before any URL is built:
 * "../../containers/abc" used to query GET /containers/abc/json. */
static void
test_image_reference (void)
{
  const char *const good[] = {
    "ubuntu", "ubuntu:24.04", "library/ubuntu:latest", "docker.io/library/ubuntu",
    "localhost/agents-runner-env:abc", "localhost:5000/a/b_c__d--e.f:v1.2-rc_3",
    "ghcr.io/owner/image@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL
  };
  const char *const bad[] = {
    "../../containers/abc", "..", "a/../b", "/ubuntu", "-ubuntu", "ubuntu?x=1", "ubuntu#x", "ub%2f",
    "ubuntu latest", "Ubuntu", "ubuntu:", "ubuntu::1", "a//b", "a/", "a_-b", "ubuntu@sha256:xyz",
    "ubuntu\n", "", NULL
  };
  g_autoptr(ArEngine) engine = ar_engine_new ("docker", "unix:///nonexistent/ar-test.sock");

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!ar_engine_check_image_reference (good[i], &error))
        g_error ("“%s” was refused: %s", good[i], error->message);
    }
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (ar_engine_check_image_reference (bad[i], &error))
        g_error ("“%s” was accepted", bad[i]);
      g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_BAD_REFERENCE);
    }

  /* The inspect refuses it before asking the engine (which here is not
   * even there: the error is about the name). */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ArImageInfo) info = ar_engine_inspect_image_sync (engine, "../../containers/abc", NULL, &error);

    g_assert_null (info);
    g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_BAD_REFERENCE);
    g_assert_nonnull (strstr (error->message, "../../containers/abc"));
  }
}

static void
test_podman (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageInfo) info = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *docker_base = NULL;
  g_autofree char *name = NULL;
  g_autofree char *change = NULL;
  g_autofree char *err = NULL;
  g_autofree char *container = NULL;
  const char *tar;

  if (!ar_test_engine_podman_ensure ())
    {
      g_test_skip ("podman is not installed, or not running as root");
      return;
    }
  if (!ar_test_engine_need ())
    return;
  docker_base = ar_test_engine_base_image ();
  tar = ar_test_engine_base_tar ();
  name = g_strconcat ("ar-test-base:", ar_test_engine_run_id (), NULL);
  change = g_strconcat ("LABEL " RUN_LABEL_KEY "=", ar_test_engine_run_id (), NULL);
  {
    const char *import[] = { "import", "--change", change, tar, name, NULL };

    if (ar_test_engine_podman (import, NULL, &err) != 0)
      g_error ("podman import failed: %s", err);
  }

  engine = ar_engine_new ("podman", "");
  g_assert_cmpint (ar_engine_get_kind (engine), ==, AR_ENGINE_KIND_PODMAN);
  g_assert_cmpstr (ar_engine_get_cli_argv0 (engine), ==, "podman");

  g_assert_true (ar_engine_ping_sync (engine, NULL, &error));
  g_assert_no_error (error);
  /* podman's API socket does not run by default: the CLI answered alone */
  if (!g_file_test (ar_engine_get_socket_path (engine), G_FILE_TEST_EXISTS))
    g_assert_cmpint (ar_engine_get_last_query_path (engine), ==, AR_ENGINE_QUERY_PATH_CLI);

  info = ar_engine_inspect_image_sync (engine, name, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_true (g_str_has_prefix (info->id, "sha256:"));
  g_assert_cmpuint (g_strv_length (info->repo_tags), ==, 1);
  g_test_message ("podman names it %s, docker %s", info->repo_tags[0], docker_base);
  g_assert_cmpstr (info->repo_tags[0], !=, docker_base);
  g_assert_true (ar_engine_image_names_equal (info->repo_tags[0], docker_base));
  g_assert_true (ar_image_info_has_tag (info, docker_base));
  g_assert_cmpstr (info->user, ==, "");
  g_assert_cmpstr (ar_image_info_get_label (info, RUN_LABEL_KEY), ==, ar_test_engine_run_id ());

  images = ar_engine_list_images_sync (engine, ar_test_engine_run_label (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 1);
  g_assert_cmpstr (((ArImageInfo *) images->pdata[0])->id, ==, info->id);
  g_assert_cmpint (((ArImageInfo *) images->pdata[0])->size, ==, info->size);

  container = g_strconcat ("ar-test-podman-", ar_test_engine_run_id (), NULL);
  {
    const char *run[] = { "run", "-d", "--name", container, "--label", ar_test_engine_run_label (),
                          name, "sleep", "30", NULL };

    g_assert_cmpint (run_sync (engine, run, NULL, NULL), ==, 0);
  }
  containers = ar_engine_list_containers_sync (engine, ar_test_engine_run_label (), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (containers->len, ==, 1);
  {
    ArContainerInfo *c = containers->pdata[0];

    g_assert_cmpstr (c->names[0], ==, container);
    g_assert_cmpstr (c->state, ==, "running");
    g_assert_cmpstr (c->image_id, ==, info->id);
    g_assert_true (ar_engine_image_names_equal (c->image, docker_base));
  }
  {
    const char *rm[] = { "rm", "-f", "-t", "0", container, NULL };

    g_assert_cmpint (run_sync (engine, rm, NULL, NULL), ==, 0);
  }
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/engine/normalize", test_normalize);
  g_test_add_func ("/engine/flatpak-argv", test_flatpak_argv);
  g_test_add_func ("/engine/host-resolution", test_host_resolution);
  g_test_add_func ("/engine/not-found", test_not_found);
  g_test_add_func ("/engine/unreachable", test_unreachable);
  g_test_add_func ("/engine/ping", test_ping);
  g_test_add_func ("/engine/inspect", test_inspect);
  g_test_add_func ("/engine/inspect-absent", test_inspect_absent);
  g_test_add_func ("/engine/list-images", test_list_images);
  g_test_add_func ("/engine/list-containers", test_list_containers);
  g_test_add_func ("/engine/image-reference", test_image_reference);
  g_test_add_func ("/engine/env-steers-cli", test_env_steers_cli);
  g_test_add_func ("/engine/podman", test_podman);

  return g_test_run ();
}
