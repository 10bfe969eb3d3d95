/* test-delivery-utils.c — what the delivery tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-task-delivery.h"
#include "ar-task-runner.h"
#include "test-delivery-utils.h"
#include "test-utils.h"

void
delivery_assert_contains (const char *text, const char *needle)
{
  if (text == NULL || strstr (text, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, text);
}

void
delivery_assert_not_contains (const char *text, const char *needle)
{
  if (text != NULL && strstr (text, needle) != NULL)
    g_error ("“%s” should not be in:\n%s", needle, text);
}

void
delivery_git (const char *dir, const char *first, ...)
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

char *
delivery_make_workspace (void)
{
  char *ws = ar_test_mkdtemp ("ws");
  g_autofree char *tracked = g_build_filename (ws, "tracked.txt", NULL);
  g_autofree char *draft = g_build_filename (ws, "draft.txt", NULL);
  g_autofree char *ignore = g_build_filename (ws, ".gitignore", NULL);

  delivery_git (ws, "init", "-q", NULL);
  ar_test_write_file (tracked, "one\n");
  ar_test_write_file (ignore, "*.log\n");
  delivery_git (ws, "add", "-A", NULL);
  delivery_git (ws, "commit", "-q", "-m", "first", NULL);
  ar_test_write_file (tracked, "one\ntwo (not committed)\n");
  ar_test_write_file (draft, "untracked draft\n");
  return ws;
}

/* The agent: a `codex` of our own, installed by the run preflight. */
static const char fake_codex[] = "mkdir -p /usr/local/bin\n"
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

ArEnvironment *
delivery_new_env (const char *base_image, const char *ws, const char *config, const char *secret)
{
  ArEnvironment *env = ar_environment_new_with_id ();
  g_autofree char *name = g_strdup_printf ("delivery %s", ar_environment_get_env_id (env));
  g_autofree char *toml = g_build_filename (config, "config.toml", NULL);
  g_autofree char *var = g_strconcat ("MY_API_TOKEN=", secret, NULL);
  const char *vars[] = { var, NULL };
  /* a named volume still works */
  const char *mounts[] = { "ar-delivery-volume:/data", NULL };

  ar_test_write_file (toml, "model = \"copied-in\"\n");
  ar_environment_set_name (env, name);
  ar_environment_set_base_image (env, base_image);
  ar_environment_set_agent_cli (env, "codex");
  ar_environment_set_host_config_dir (env, config);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, fake_codex);
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, ws);
  ar_environment_set_env_vars (env, vars);
  ar_environment_set_extra_mounts (env, mounts);
  return env;
}

static void
task_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
  *(gboolean *) user_data = TRUE;
}

char *
delivery_run_task (ArImageBuilder *builder,
                   ArEnvironment *env,
                   const ArSettings *settings,
                   const char *secret,
                   ArTask **out_task)
{
  g_autoptr(ArTask) task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "hello",
                                         AR_TASK_KIND_TASK);
  g_autoptr(ArTaskRunner) runner = ar_task_runner_new (builder, task, env, settings);
  g_autofree char *log_path = NULL;
  char *log = NULL;
  gboolean done = FALSE;
  gboolean seen_in_argv = FALSE;
  gint64 deadline = g_get_monotonic_time () + DELIVERY_TASK_SECONDS * G_USEC_PER_SEC;

  ar_task_runner_run_async (runner, NULL, task_done, &done);
  /* From create to the end: no process's command line has the secret. */
  while (!done)
    {
      if (secret != NULL && ar_test_any_cmdline_contains (secret))
        seen_in_argv = TRUE;
      if (g_get_monotonic_time () > deadline)
        g_error ("the task did not end in %d s", DELIVERY_TASK_SECONDS);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_assert_false (seen_in_argv);
  log_path = ar_task_dup_log_path (task);
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  *out_task = g_steal_pointer (&task);
  return log;
}

void
delivery_assert_result (ArTask *task, const char *log, const char *ws, const char *secret)
{
  g_autofree char *review = ar_task_delivery_review_dir (ws, ar_task_get_id (task));
  g_autofree char *result_file = g_build_filename (review, "workspace", "result.txt", NULL);
  g_autofree char *patch = g_build_filename (review, AR_DELIVERY_PATCH_FILE, NULL);
  g_autofree char *ws_tracked = g_build_filename (ws, "tracked.txt", NULL);
  g_autofree char *ws_result = g_build_filename (ws, "result.txt", NULL);
  g_autofree char *draft = g_build_filename (ws, "draft.txt", NULL);
  g_autofree char *blob = g_build_filename (ws, "sub", "blob.bin", NULL);
  g_autofree char *text = NULL;
  g_autofree char *patch_text = NULL;
  g_autofree char *blob_text = NULL;
  gsize blob_len = 0;

  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  delivery_assert_not_contains (log, secret);
  delivery_assert_contains (log, "token=set");
  delivery_assert_contains (log, "model = \"copied-in\"");

  /* the result, beside the workspace, said in the log */
  g_assert_true (g_str_has_prefix (review, ws));
  text = ar_test_read_file (result_file);
  g_assert_cmpstr (text, ==, "from the agent\n");
  delivery_assert_contains (log, review);
  g_clear_pointer (&text, g_free);

  /* the workspace untouched */
  text = ar_test_read_file (ws_tracked);
  g_assert_cmpstr (text, ==, "one\ntwo (not committed)\n");
  g_assert_false (g_file_test (ws_result, G_FILE_TEST_EXISTS));
  g_clear_pointer (&text, g_free);

  /* the patch: what the agent changed, from the workspace as it was */
  patch_text = ar_test_read_file (patch);
  delivery_assert_contains (patch_text, "result.txt");
  delivery_assert_contains (patch_text, "+three");
  delivery_assert_not_contains (patch_text, "+two");      /* the base had it already */
  delivery_assert_not_contains (patch_text, "build.log"); /* ignored */
  delivery_assert_contains (patch_text, "GIT binary patch");
  delivery_assert_contains (log, "git -C");
  delivery_git (ws, "apply", "--check", patch, NULL);
  delivery_git (ws, "apply", patch, NULL);
  text = ar_test_read_file (ws_tracked);
  g_assert_cmpstr (text, ==, "one\ntwo (not committed)\nthree\n");
  g_clear_pointer (&text, g_free);
  text = ar_test_read_file (ws_result);
  g_assert_cmpstr (text, ==, "from the agent\n");
  g_assert_false (g_file_test (draft, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (blob, &blob_text, &blob_len, NULL));
  g_assert_cmpmem (blob_text, blob_len, "\000\001bin", 5);
}
