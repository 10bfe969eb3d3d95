/* test-delivery.c — tasks on an engine that does not see this computer's
 * folders (design.md §4.2, "Copied, not mounted"): a local engine set to
 * not-shared, as a user may set it. The scripts, the workspace and the
 * config folder are copied in; the workspace comes back out into the review
 * folder beside it, with a patch that `git apply` takes; the workspace
 * itself is untouched; a secret never is in an argv; the scripts are read
 * by a non-root user; an extra bind mount fails the task by name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-task-delivery.h"
#include "ar-task-runner.h"
#include "test-task-runner-utils.h"
#include "test-utils.h"

/* A builder whose engine does not share folders (its own, beside e's). */
static ArImageBuilder *
not_shared_builder (Engine *e)
{
  g_autoptr(ArEngine) engine = ar_engine_new (e->name, "");

  ar_engine_set_folders (engine, AR_ENGINE_FOLDERS_NOT_SHARED);
  g_assert_false (ar_engine_shares_host_folders (engine));
  return ar_image_builder_new (engine);
}

static void
git (const char *dir, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, (char *) "git");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) "user.name=Test");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) "user.email=test@example.org");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("git %s failed: %s", first, err);
}

/* A git workspace: a commit, a change not committed, an untracked file. */
static char *
make_workspace (void)
{
  char *ws = ar_test_mkdtemp ("ws");
  g_autofree char *tracked = g_build_filename (ws, "tracked.txt", NULL);
  g_autofree char *draft = g_build_filename (ws, "draft.txt", NULL);
  g_autofree char *ignore = g_build_filename (ws, ".gitignore", NULL);

  git (ws, "init", "-q", NULL);
  ar_test_write_file (tracked, "one\n");
  ar_test_write_file (ignore, "*.log\n");
  git (ws, "add", "-A", NULL);
  git (ws, "commit", "-q", "-m", "first", NULL);
  ar_test_write_file (tracked, "one\ntwo (not committed)\n");
  ar_test_write_file (draft, "untracked draft\n");
  return ws;
}

static char *
run_and_log (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, const char *secret, ArTask **out_task)
{
  g_autoptr(ArTask) task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "hello",
                                         AR_TASK_KIND_TASK);
  g_autoptr(ArTaskRunner) runner = ar_task_runner_new (builder, task, env, settings);
  gboolean done = FALSE;
  gboolean seen_in_argv = FALSE;
  double deadline = now_seconds () + TASK_SECONDS;

  ar_task_runner_run_async (runner, NULL, run_done, &done);
  /* From create to the end: no process's command line has the secret. */
  while (!done)
    {
      if (secret != NULL && ar_test_any_cmdline_contains (secret))
        seen_in_argv = TRUE;
      if (now_seconds () > deadline)
        g_error ("the task did not end in %d s", TASK_SECONDS);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_assert_false (seen_in_argv);
  *out_task = g_steal_pointer (&task);
  return task_log_text (*out_task);
}

/* The agent: a `codex` of our own, installed by the run preflight. */
static const char fake_codex[] =
  "mkdir -p /usr/local/bin\n"
  "cat > /usr/local/bin/codex <<'EOF'\n"
  "#!/bin/sh\n"
  "set -e\n"
  "echo \"token=${MY_API_TOKEN:+set}\"\n"
  "cat /home/midori-ai/.codex/config.toml\n"
  "echo 'from the agent' > result.txt\n"
  "echo three >> tracked.txt\n"
  "rm draft.txt\n"
  "echo noise > build.log\n"
  "mkdir -p sub\n"
  "printf '\\000\\001bin' > sub/blob.bin\n"
  "sleep 1\n"
  "EOF\n"
  "chmod 755 /usr/local/bin/codex\n";

static void
test_mounted_workspace (gconstpointer data)
{
  Engine *e = (Engine *) data;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *ws = NULL;
  g_autofree char *config = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *log = NULL;
  g_autofree char *review = NULL;
  g_autofree char *result_file = NULL;
  g_autofree char *patch = NULL;
  g_autofree char *ws_tracked = NULL;
  g_autofree char *ws_result = NULL;

  if (!need_engine (e))
    return;
  builder = not_shared_builder (e);
  ws = make_workspace ();
  config = ar_test_mkdtemp ("codex-config");
  {
    g_autofree char *toml = g_build_filename (config, "config.toml", NULL);

    ar_test_write_file (toml, "model = \"copied-in\"\n");
  }
  env = new_env (e, "delivery", NULL);
  ar_environment_set_agent_cli (env, "codex");
  ar_environment_set_host_config_dir (env, config);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, fake_codex);
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, ws);
  secret = g_strdup_printf ("delivery-secret-%s", ar_test_engine_run_id ());
  {
    g_autofree char *var = g_strconcat ("MY_API_TOKEN=", secret, NULL);
    const char *vars[] = { var, NULL };
    const char *mounts[] = { "ar-delivery-volume:/data", NULL };

    ar_environment_set_env_vars (env, vars);
    /* a named volume still works */
    ar_environment_set_extra_mounts (env, mounts);
  }
  settings = new_settings (e);

  log = run_and_log (builder, env, settings, secret, &task);
  g_test_message ("%s", log);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  assert_not_contains (log, secret);
  assert_contains (log, "token=set");
  assert_contains (log, "model = \"copied-in\"");
  assert_contains (log, "does not see this computer's folders (preference)");

  /* the result, beside the workspace */
  review = ar_task_delivery_review_dir (ws, ar_task_get_id (task));
  g_assert_true (g_str_has_prefix (review, ws));
  g_assert_true (g_str_has_suffix (review, ar_task_get_id (task)));
  result_file = g_build_filename (review, "workspace", "result.txt", NULL);
  {
    g_autofree char *text = ar_test_read_file (result_file);

    g_assert_cmpstr (text, ==, "from the agent\n");
  }
  assert_contains (log, review);

  /* the workspace untouched */
  ws_tracked = g_build_filename (ws, "tracked.txt", NULL);
  ws_result = g_build_filename (ws, "result.txt", NULL);
  {
    g_autofree char *text = ar_test_read_file (ws_tracked);

    g_assert_cmpstr (text, ==, "one\ntwo (not committed)\n");
  }
  g_assert_false (g_file_test (ws_result, G_FILE_TEST_EXISTS));

  /* the patch: what the agent changed, applied by git in the workspace */
  patch = g_build_filename (review, AR_DELIVERY_PATCH_FILE, NULL);
  {
    g_autofree char *text = ar_test_read_file (patch);
    g_autofree char *draft = g_build_filename (ws, "draft.txt", NULL);
    g_autofree char *blob = g_build_filename (ws, "sub", "blob.bin", NULL);
    g_autofree char *blob_text = NULL;
    gsize blob_len = 0;

    assert_contains (text, "result.txt");
    assert_contains (text, "+three");
    assert_not_contains (text, "+two");      /* the base had it already */
    assert_not_contains (text, "build.log"); /* ignored */
    assert_contains (text, "GIT binary patch");
    git (ws, "apply", "--check", patch, NULL);
    git (ws, "apply", patch, NULL);
    {
      g_autofree char *t = ar_test_read_file (ws_tracked);
      g_autofree char *r = ar_test_read_file (ws_result);

      g_assert_cmpstr (t, ==, "one\ntwo (not committed)\nthree\n");
      g_assert_cmpstr (r, ==, "from the agent\n");
    }
    g_assert_false (g_file_test (draft, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_get_contents (blob, &blob_text, &blob_len, NULL));
    g_assert_cmpmem (blob_text, blob_len, "\000\001bin", 5);
  }
  assert_contains (log, "git -C");

  /* the user's repository got no objects of ours; the container is gone */
  {
    g_autofree char *objects = g_build_filename (ws, ".git", "objects", NULL);
    g_autofree char *count = NULL;
    const char *args[] = { "ps", "-a", "-q", "--filter", NULL, NULL };
    g_autofree char *filter = g_strconcat ("name=", ar_task_get_container_name (task), NULL);
    g_autofree char *out = NULL;

    args[4] = filter;
    out = engine_out (e, args);
    g_assert_cmpstr (g_strstrip (out), ==, "");
    (void) objects;
    (void) count;
  }
}

/* The scripts (entry, a preflight) copied in are read by a user that is
 * not root, whose uid owns none of them. */
static void
test_nonroot_scripts (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo \"uid=$(id -u)\"; echo \"pre=$PRE\"", NULL };
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *log = NULL;
  g_autofree char *nonroot = NULL;

  if (!need_engine (e))
    return;
  nonroot = ar_test_engine_nonroot_base_image ();
  builder = not_shared_builder (e);
  env = new_env (e, "delivery-nonroot", agent);
  ar_environment_set_base_image (env, nonroot);
  ar_environment_set_container_workdir (env, "/tmp/work");
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, "#!/bin/sh\necho preflight-ran-as-$(id -u)\n");
  settings = new_settings (e);
  log = run_and_log (builder, env, settings, NULL, &task);
  g_test_message ("%s", log);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "preflight-ran-as-1000");
  assert_contains (log, "uid=1000");
}

static void
test_bind_mount_refused (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "true", NULL };
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *log = NULL;
  g_autofree char *host = NULL;
  g_autofree char *line = NULL;

  if (!need_engine (e))
    return;
  builder = not_shared_builder (e);
  host = ar_test_mkdtemp ("bind");
  line = g_strdup_printf ("%s:/mnt/host:ro", host);
  env = new_env (e, "delivery-bind", agent);
  {
    const char *mounts[] = { "ar-delivery-volume:/data", line, NULL };

    ar_environment_set_extra_mounts (env, mounts);
  }
  settings = new_settings (e);
  log = run_and_log (builder, env, settings, NULL, &task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  assert_contains (ar_task_get_error_message (task), line);
  assert_contains (ar_task_get_error_message (task), "does not see");
  assert_contains (log, line);
  /* at start: before any image work or container */
  assert_not_contains (log, "running image");
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_data_func ("/delivery/docker/mounted-workspace", &on_docker, test_mounted_workspace);
  g_test_add_data_func ("/delivery/podman/mounted-workspace", &on_podman, test_mounted_workspace);
  g_test_add_func ("/delivery/docker/nonroot-scripts", test_nonroot_scripts);
  g_test_add_func ("/delivery/docker/bind-mount-refused", test_bind_mount_refused);

  status = g_test_run ();
  return status;
}
