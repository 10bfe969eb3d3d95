/* test-delivery-folders.c — whether the engine sees this computer's folders
 * (design.md §9): the decision from the engine host setting, DOCKER_HOST,
 * CONTAINER_HOST, a docker context, a podman connection and the
 * preference; and whether the connection is plain tcp:// without TLS. No
 * engine needed: nothing here connects.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-engine.h"
#include "ar-entry-script.h"
#include "ar-run-args.h"
#include "ar-settings.h"
#include "ar-task-delivery.h"
#include "test-utils.h"

static const char *const steering[] = {
  "DOCKER_HOST",
  "DOCKER_CONTEXT",
  "DOCKER_CONFIG",
  "DOCKER_TLS_VERIFY",
  "DOCKER_TLS",
  "CONTAINER_HOST",
  "CONTAINER_CONNECTION",
  NULL,
};

static void
clear_env (void)
{
  for (guint i = 0; steering[i] != NULL; i++)
    g_unsetenv (steering[i]);
}

typedef struct {
  const char *kind;
  const char *host_setting;
  const char *docker_host;
  const char *container_host;
  const char *tls_verify;
  gboolean shared;
  const char *reason;
  gboolean unencrypted;
} Case;

static void
test_hosts (void)
{
  static const Case cases[] = {
    /* nothing set: the default socket */
    { "docker", "", NULL, NULL, NULL, TRUE, "default socket", FALSE },
    { "podman", "", NULL, NULL, NULL, TRUE, "default socket", FALSE },
    /* DOCKER_HOST */
    { "docker", "", "unix:///run/other.sock", NULL, NULL, TRUE, "unix:// socket", FALSE },
    { "docker", "", "tcp://10.0.0.5:2375", NULL, NULL, FALSE, "tcp:// host", TRUE },
    { "docker", "", "tcp://10.0.0.5:2376", NULL, "1", FALSE, "tcp:// host", FALSE },
    { "docker", "", "ssh://me@box", NULL, NULL, FALSE, "ssh:// host", FALSE },
    { "docker", "", "npipe:////./pipe/docker_engine", NULL, NULL, TRUE, "npipe:// pipe", FALSE },
    /* the engine host setting wins over DOCKER_HOST */
    { "docker", "ssh://me@box", "unix:///run/other.sock", NULL, NULL, FALSE, "ssh:// host", FALSE },
    { "docker", "unix:///run/other.sock", "tcp://10.0.0.5:2375", NULL, NULL, TRUE, "unix:// socket", FALSE },
    /* podman reads CONTAINER_HOST, not DOCKER_HOST */
    { "podman", "", "tcp://10.0.0.5:2375", NULL, NULL, TRUE, "default socket", FALSE },
    { "podman", "", NULL, "ssh://me@box/run/podman/podman.sock", NULL, FALSE, "CONTAINER_HOST", FALSE },
    { "podman", "", NULL, "tcp://10.0.0.5:8080", NULL, FALSE, "CONTAINER_HOST", TRUE },
    { "podman", "", NULL, "unix:///run/user/1000/podman/podman.sock", NULL, TRUE, "unix:// socket", FALSE },
    { "podman", "ssh://me@box/run/podman/podman.sock", NULL, NULL, NULL, FALSE, "ssh:// host", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(ArEngine) engine = NULL;

      clear_env ();
      if (c->docker_host != NULL)
        g_setenv ("DOCKER_HOST", c->docker_host, TRUE);
      if (c->container_host != NULL)
        g_setenv ("CONTAINER_HOST", c->container_host, TRUE);
      if (c->tls_verify != NULL)
        g_setenv ("DOCKER_TLS_VERIFY", c->tls_verify, TRUE);
      engine = ar_engine_new (c->kind, c->host_setting);
      g_test_message ("case %u: %s host “%s”", i, c->kind, c->host_setting);
      g_assert_cmpint (ar_engine_shares_host_folders (engine), ==, c->shared);
      g_assert_cmpstr (ar_engine_folders_reason (engine), ==, c->reason);
      g_assert_cmpint (ar_engine_is_unencrypted_tcp (engine), ==, c->unencrypted);

      /* the preference overrides the decision both ways */
      ar_engine_set_folders (engine, AR_ENGINE_FOLDERS_NOT_SHARED);
      g_assert_false (ar_engine_shares_host_folders (engine));
      g_assert_cmpstr (ar_engine_folders_reason (engine), ==, "preference");
      ar_engine_set_folders (engine, AR_ENGINE_FOLDERS_SHARED);
      g_assert_true (ar_engine_shares_host_folders (engine));
      g_assert_cmpstr (ar_engine_folders_reason (engine), ==, "preference");
      ar_engine_set_folders (engine, AR_ENGINE_FOLDERS_AUTO);
      g_assert_cmpint (ar_engine_shares_host_folders (engine), ==, c->shared);
      g_assert_cmpstr (ar_engine_folders_reason (engine), ==, c->reason);
    }
  clear_env ();
}

/* A docker context as `docker context create` stores it. */
static char *
make_context (const char *name, const char *host, gboolean tls)
{
  g_autofree char *config = ar_test_mkdtemp ("docker-config");
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  g_autofree char *meta_dir = g_build_filename (config, "contexts", "meta", digest, NULL);
  g_autofree char *meta = g_build_filename (meta_dir, "meta.json", NULL);
  g_autofree char *json = g_strdup_printf ("{\"Name\":\"%s\",\"Metadata\":{},"
                                           "\"Endpoints\":{\"docker\":{\"Host\":\"%s\",\"SkipTLSVerify\":false}}}",
                                           name, host);
  g_autofree char *config_json = g_build_filename (config, "config.json", NULL);
  g_autofree char *current = g_strdup_printf ("{\"currentContext\":\"%s\"}", name);

  g_assert_cmpint (g_mkdir_with_parents (meta_dir, 0700), ==, 0);
  ar_test_write_file (meta, json);
  ar_test_write_file (config_json, current);
  if (tls)
    {
      g_autofree char *tls_dir = g_build_filename (config, "contexts", "tls", digest, "docker", NULL);
      g_autofree char *ca = g_build_filename (tls_dir, "ca.pem", NULL);

      g_assert_cmpint (g_mkdir_with_parents (tls_dir, 0700), ==, 0);
      ar_test_write_file (ca, "not a real certificate\n");
    }
  return g_steal_pointer (&config);
}

static void
test_contexts (void)
{
  struct {
    const char *name;
    const char *host;
    gboolean tls;
    gboolean by_env; /* DOCKER_CONTEXT, else the config's currentContext */
    gboolean shared;
    const char *reason;
    gboolean unencrypted;
  } cases[] = {
    { "box", "ssh://me@box", FALSE, TRUE, FALSE, "remote context box", FALSE },
    { "box-tcp", "tcp://box:2375", FALSE, FALSE, FALSE, "remote context box-tcp", TRUE },
    { "box-tls", "tcp://box:2376", TRUE, TRUE, FALSE, "remote context box-tls", FALSE },
    { "rootless", "unix:///run/user/1000/docker.sock", FALSE, FALSE, TRUE, "unix:// socket", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *config = NULL;
      g_autoptr(ArEngine) engine = NULL;

      clear_env ();
      config = make_context (cases[i].name, cases[i].host, cases[i].tls);
      g_setenv ("DOCKER_CONFIG", config, TRUE);
      if (cases[i].by_env)
        g_setenv ("DOCKER_CONTEXT", cases[i].name, TRUE);
      engine = ar_engine_new ("docker", "");
      g_test_message ("context %s", cases[i].name);
      g_assert_cmpint (ar_engine_shares_host_folders (engine), ==, cases[i].shared);
      g_assert_cmpstr (ar_engine_folders_reason (engine), ==, cases[i].reason);
      g_assert_cmpint (ar_engine_is_unencrypted_tcp (engine), ==, cases[i].unencrypted);

      /* DOCKER_HOST set: the context is not read */
      g_object_unref (g_steal_pointer (&engine));
      g_setenv ("DOCKER_HOST", "unix:///run/other.sock", TRUE);
      engine = ar_engine_new ("docker", "");
      g_assert_true (ar_engine_shares_host_folders (engine));
    }
  clear_env ();
}

static void
test_podman_connection (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArEngine) with_host = NULL;

  clear_env ();
  g_setenv ("CONTAINER_CONNECTION", "bigbox", TRUE);
  engine = ar_engine_new ("podman", "");
  g_assert_false (ar_engine_shares_host_folders (engine));
  g_assert_cmpstr (ar_engine_folders_reason (engine), ==, "remote connection bigbox");
  /* an explicit local host wins over the named connection */
  with_host = ar_engine_new ("podman", "unix:///run/podman/podman.sock");
  g_assert_true (ar_engine_shares_host_folders (with_host));
  clear_env ();
}

static void
test_settings (void)
{
  g_autoptr(ArSettings) defaults = ar_settings_new_default ();
  g_autoptr(ArSettings) copy = NULL;
  g_autoptr(ArSettings) from_gsettings = NULL;

  g_assert_cmpstr (defaults->engine_folders, ==, "auto");
  copy = ar_settings_copy (defaults);
  g_assert_cmpstr (copy->engine_folders, ==, "auto");
  g_assert_true (copy->engine_folders != defaults->engine_folders);

  g_assert_cmpint (ar_engine_folders_from_string ("auto"), ==, AR_ENGINE_FOLDERS_AUTO);
  g_assert_cmpint (ar_engine_folders_from_string ("shared"), ==, AR_ENGINE_FOLDERS_SHARED);
  g_assert_cmpint (ar_engine_folders_from_string ("not-shared"), ==, AR_ENGINE_FOLDERS_NOT_SHARED);
  g_assert_cmpint (ar_engine_folders_from_string ("bogus"), ==, AR_ENGINE_FOLDERS_AUTO);
  g_assert_cmpint (ar_engine_folders_from_string (NULL), ==, AR_ENGINE_FOLDERS_AUTO);
  for (ArEngineFolders f = AR_ENGINE_FOLDERS_AUTO; f <= AR_ENGINE_FOLDERS_NOT_SHARED; f++)
    g_assert_cmpint (ar_engine_folders_from_string (ar_engine_folders_to_string (f)), ==, f);

  /* the key of the schema (GSETTINGS_BACKEND=memory in the tests) */
  {
    g_autoptr(GSettings) gs = g_settings_new (AR_SETTINGS_SCHEMA_ID);

    g_assert_true (g_settings_set_string (gs, "engine-folders", "not-shared"));
    from_gsettings = ar_settings_new_from_gsettings ();
    g_assert_cmpstr (from_gsettings->engine_folders, ==, "not-shared");
    g_settings_reset (gs, "engine-folders");
  }
}

static gboolean
args_have (GPtrArray *args, const char *a)
{
  for (guint i = 0; i < args->len && args->pdata[i] != NULL; i++)
    if (g_str_equal (args->pdata[i], a))
      return TRUE;
  return FALSE;
}

/* Copy mode's argv (ar-run-args.h, copy_in): `create`, no --rm, none of the
 * host folders mounted, volumes kept, the secret only in the CLI's
 * environment; an extra bind mount refused by name. */
static void
test_create_args (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("create-args");
  g_autofree char *config = ar_test_mkdtemp ("config");
  g_autofree char *env_file = g_build_filename (dir, "t.env", NULL);
  const char *agent_argv[] = { "codex", "do it", NULL };
  const char *vars[] = { "API_TOKEN=s3cret-in-env", NULL };
  const char *mounts[] = { "cache:/cache", NULL };
  g_autofree char *bind = g_strdup_printf ("%s:/mnt/x:ro", dir);
  const char *bind_mounts[] = { "cache:/cache", bind, NULL };
  ArRunArgsSpec spec = {
    .task_id = "t-1",
    .env_id = "e-1",
    .container_name = "agents-runner-t-1",
    .image = "example/image:1",
    .agent_argv = agent_argv,
    .workdir = "/home/midori-ai/workspace",
    .workspace = "/home/me/project",
    .agent = "codex",
    .config_dir = config,
    .container_config = "/home/midori-ai/.codex",
    .scratch = "/host/run/t-1",
    .env_file = env_file,
    .vars = vars,
    .extra_mounts = mounts,
    .init = TRUE,
  };
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) run_env = NULL;
  g_autoptr(GPtrArray) shared_args = NULL;
  g_autoptr(GPtrArray) shared_env = NULL;
  g_autoptr(GError) error = NULL;
  gboolean written = FALSE;

  /* the same spec mounted: the three folders are bind mounts */
  g_assert_true (ar_run_args_build (&spec, NULL, &shared_args, &shared_env, &written, &error));
  g_assert_cmpstr (shared_args->pdata[0], ==, "run");
  g_assert_true (args_have (shared_args, "/home/me/project:/home/midori-ai/workspace"));

  spec.copy_in = TRUE;
  g_assert_true (ar_run_args_build (&spec, NULL, &args, &run_env, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (args->pdata[0], ==, "create");
  g_assert_false (args_have (args, "--rm"));
  g_assert_false (args_have (args, "-v"));
  g_assert_true (args_have (args, "type=volume,src=cache,dst=/cache"));
  g_assert_true (args_have (args, "API_TOKEN"));
  for (guint i = 0; i < args->len && args->pdata[i] != NULL; i++)
    {
      g_assert_null (strstr (args->pdata[i], "s3cret-in-env"));
      g_assert_null (strstr (args->pdata[i], "/home/me/project"));
      g_assert_null (strstr (args->pdata[i], "/host/run/t-1"));
    }
  g_assert_true (g_strv_contains ((const char *const *) run_env->pdata, "API_TOKEN=s3cret-in-env"));
  /* the same command: the entry script that the copy puts in place */
  g_assert_true (args_have (args, AR_ENTRY_CONTAINER_DIR "/" AR_ENTRY_SCRIPT_FILE));

  g_clear_pointer (&args, g_ptr_array_unref);
  g_clear_pointer (&run_env, g_ptr_array_unref);
  spec.extra_mounts = bind_mounts;
  g_assert_false (ar_run_args_build (&spec, NULL, &args, &run_env, &written, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, bind));
}

/* The copies in (argv arrays): docker keeps the files' owner for the
 * workspace and config (-a), not for the scripts; podman's default. */
static void
test_copy_steps (void)
{
  g_autoptr(GPtrArray) docker = ar_task_delivery_copy_in_steps (AR_ENGINE_KIND_DOCKER, "c1", "/run/t", "/tmp/agents-runner",
                                                                 "/home/me/.codex", "/home/midori-ai/.codex",
                                                                 "/home/me/my project", "/home/midori-ai/workspace");
  g_autoptr(GPtrArray) podman = ar_task_delivery_copy_in_steps (AR_ENGINE_KIND_PODMAN, "c1", "/run/t", "/tmp/agents-runner",
                                                                 NULL, NULL, "/home/me/p", "/w");
  g_autoptr(ArDeliveryStep) out = ar_task_delivery_copy_out_step ("c1", "/w", "/home/me/p.agents-runner/t/workspace");
  const char *const scripts[] = { "cp", "/run/t/.", "c1:/tmp/agents-runner", NULL };
  const char *const config[] = { "cp", "-a", "/home/me/.codex/.", "c1:/home/midori-ai/.codex", NULL };
  const char *const ws[] = { "cp", "-a", "/home/me/my project/.", "c1:/home/midori-ai/workspace", NULL };
  const char *const podman_ws[] = { "cp", "/home/me/p/.", "c1:/w", NULL };
  const char *const copy_out[] = { "cp", "c1:/w/.", "/home/me/p.agents-runner/t/workspace", NULL };
  g_autofree char *review = ar_task_delivery_review_dir ("/home/me/p/", "t-9");

  g_assert_cmpuint (docker->len, ==, 3);
  g_assert_cmpstrv (((ArDeliveryStep *) docker->pdata[0])->args, scripts);
  g_assert_cmpstrv (((ArDeliveryStep *) docker->pdata[1])->args, config);
  g_assert_cmpstrv (((ArDeliveryStep *) docker->pdata[2])->args, ws);
  g_assert_cmpstr (((ArDeliveryStep *) docker->pdata[2])->container_path, ==, "/home/midori-ai/workspace");
  g_assert_cmpuint (podman->len, ==, 2);
  g_assert_cmpstrv (((ArDeliveryStep *) podman->pdata[1])->args, podman_ws);
  g_assert_cmpstrv (out->args, copy_out);
  g_assert_null (out->container_path);
  g_assert_cmpstr (review, ==, "/home/me/p.agents-runner/t-9");
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/delivery/folders/hosts", test_hosts);
  g_test_add_func ("/delivery/folders/contexts", test_contexts);
  g_test_add_func ("/delivery/folders/podman-connection", test_podman_connection);
  g_test_add_func ("/delivery/folders/settings", test_settings);
  g_test_add_func ("/delivery/create-args", test_create_args);
  g_test_add_func ("/delivery/copy-steps", test_copy_steps);
  return g_test_run ();
}
