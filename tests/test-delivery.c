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

#include "ar-preflight-build-check.h"
#include "ar-task-delivery.h"
#include "ar-task-runner.h"
#include "test-delivery-utils.h"
#include "test-task-runner-utils.h"
#include "test-utils.h"

/* A builder whose engine does not share folders (its own, beside e's). */
/* `git count-objects -v` of @ws: what its object store holds. */
static char *
count_objects (const char *ws)
{
  const char *argv[] = { "git", "count-objects", "-v", NULL };
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (ws, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static ArImageBuilder *
not_shared_builder (Engine *e)
{
  g_autoptr(ArEngine) engine = ar_engine_new (e->name, "");

  ar_engine_set_folders (engine, AR_ENGINE_FOLDERS_NOT_SHARED);
  g_assert_false (ar_engine_shares_host_folders (engine));
  return ar_image_builder_new (engine);
}

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
  g_autofree char *filter = NULL;
  g_autofree char *out = NULL;
  g_autofree char *objects_before = NULL;
  g_autofree char *objects_after = NULL;

  if (!need_engine (e))
    return;
  builder = not_shared_builder (e);
  ws = delivery_make_workspace ();
  config = ar_test_mkdtemp ("codex-config");
  secret = g_strdup_printf ("delivery-secret-%s", ar_test_engine_run_id ());
  env = delivery_new_env (e->base, ws, config, secret);
  settings = new_settings (e);
  objects_before = count_objects (ws);

  log = delivery_run_task (builder, env, settings, secret, &task);
  g_test_message ("%s", log);
  assert_contains (log, "does not see this computer's folders (preference)");
  /* the user's repository got no objects of ours */
  objects_after = count_objects (ws);
  g_assert_cmpstr (objects_before, ==, objects_after);
  delivery_assert_result (task, log, ws, secret);
  /* the snapshot's objects went with the end */
  {
    g_autofree char *task_dir = ar_task_dup_dir (task);
    g_autofree char *objects = g_build_filename (task_dir, "git-objects", NULL);

    g_assert_false (g_file_test (objects, G_FILE_TEST_EXISTS));
  }

  /* the container is gone */
  filter = g_strconcat ("name=", ar_task_get_container_name (task), NULL);
  {
    const char *args[] = { "ps", "-a", "-q", "--filter", filter, NULL };

    out = engine_out (e, args);
  }
  g_assert_cmpstr (g_strstrip (out), ==, "");
}

/* A cloned workspace: cloned here, copied in, its result copied out beside
 * the task's clone, with a patch. */
static void
test_cloned_workspace (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo cloned-result > result.txt; echo more >> tracked.txt", NULL };
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *log = NULL;
  g_autofree char *task_dir = NULL;
  g_autofree char *clone = NULL;
  g_autofree char *review = NULL;
  g_autofree char *result = NULL;
  g_autofree char *patch = NULL;
  g_autofree char *text = NULL;

  if (!need_engine (e))
    return;
  builder = not_shared_builder (e);
  origin = delivery_make_workspace ();
  env = new_env (e, "delivery-clone", agent);
  ar_environment_set_workspace_type (env, "cloned");
  ar_environment_set_workspace_target (env, origin);
  settings = new_settings (e);
  log = delivery_run_task (builder, env, settings, NULL, &task);
  g_test_message ("%s", log);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  task_dir = ar_task_dup_dir (task);
  clone = g_build_filename (task_dir, "workspace", NULL);
  review = ar_task_delivery_review_dir (clone, ar_task_get_id (task));
  result = g_build_filename (review, "workspace", "result.txt", NULL);
  text = ar_test_read_file (result);
  g_assert_cmpstr (text, ==, "cloned-result\n");
  patch = g_build_filename (review, AR_DELIVERY_PATCH_FILE, NULL);
  g_clear_pointer (&text, g_free);
  text = ar_test_read_file (patch);
  assert_contains (text, "+more");
  assert_contains (text, "+cloned-result");
  delivery_git (clone, "apply", "--check", patch, NULL);
}

/* Stops the task once the agent says it wrote its file. */
static void
stop_when_written (ArTaskLog *log, const char *line, int level, gpointer runner)
{
  if (strstr (line, "wrote-it") != NULL && !ar_task_runner_get_stopping (runner))
    ar_task_runner_stop (runner);
}

/* Failed or stopped: the result still comes out, then the container goes. */
static void
test_failed_and_stopped (void)
{
  Engine *e = &on_docker;
  const char *failing[] = { "sh", "-c", "echo partial > result.txt; exit 3", NULL };
  const char *slow[] = { "sh", "-c", "echo before-stop > result.txt; echo wrote-it; sleep 60", NULL };

  if (!need_engine (e))
    return;
  for (int stop = 0; stop <= 1; stop++)
    {
      g_autoptr(ArImageBuilder) builder = not_shared_builder (e);
      g_autofree char *ws = ar_test_mkdtemp ("ws-end");
      g_autoptr(ArEnvironment) env = new_env (e, "delivery-end", stop ? slow : failing);
      g_autoptr(ArSettings) settings = new_settings (e);
      g_autoptr(ArTask) task = NULL;
      g_autoptr(ArTaskRunner) runner = NULL;
      g_autofree char *review = NULL;
      g_autofree char *result = NULL;
      g_autofree char *text = NULL;
      g_autofree char *log = NULL;
      gboolean done = FALSE;
      double started = now_seconds ();

      ar_environment_set_workspace_type (env, "mounted");
      ar_environment_set_workspace_target (env, ws);
      task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "", AR_TASK_KIND_TASK);
      runner = ar_task_runner_new (builder, task, env, settings);
      if (stop)
        g_signal_connect (ar_task_runner_get_log (runner), "line", G_CALLBACK (stop_when_written), runner);
      ar_task_runner_run_async (runner, NULL, run_done, &done);
      wait_until (flag_set, &done, TASK_SECONDS, "the task to end");
      log = task_log_text (task);
      g_test_message ("%s", log);
      g_assert_cmpint (ar_task_get_state (task), ==, stop ? AR_TASK_STATE_CANCELLED : AR_TASK_STATE_FAILED);
      if (stop)
        g_assert_cmpfloat (now_seconds () - started, <, 50);
      else
        g_assert_cmpint (ar_task_get_exit_status (task), ==, 3);
      review = ar_task_delivery_review_dir (ws, ar_task_get_id (task));
      result = g_build_filename (review, "workspace", "result.txt", NULL);
      text = ar_test_read_file (result);
      g_assert_cmpstr (text, ==, stop ? "before-stop\n" : "partial\n");
      g_assert_false (container_exists (e, ar_task_get_container_name (task)));
    }
}

/* Plain tcp:// without TLS: the log warns, once, before anything travels
 * (the engine there does not answer: the task then fails). */
static void
test_plain_tcp_warning (void)
{
  const char *agent[] = { "true", NULL };
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(ArSettings) settings = ar_settings_new_default ();
  g_autoptr(ArTask) task = NULL;
  g_autofree char *log = NULL;
  const char *first;

  g_unsetenv ("DOCKER_TLS_VERIFY");
  g_unsetenv ("DOCKER_TLS");
  engine = ar_engine_new ("docker", "tcp://127.0.0.1:9");
  g_assert_true (ar_engine_is_unencrypted_tcp (engine));
  builder = ar_image_builder_new (engine);
  ar_environment_set_name (env, "plain-tcp");
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  log = delivery_run_task (builder, env, settings, NULL, &task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  {
    g_auto(GStrv) parts = g_strsplit (log, "without TLS", -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 2); /* once */
    first = parts[0];
    /* the warning line is the first [task/copy][WARN] line */
    assert_contains (first, "[task/copy][WARN]");
  }
  assert_contains (log, "tcp://127.0.0.1:9");
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
  log = delivery_run_task (builder, env, settings, NULL, &task);
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
  log = delivery_run_task (builder, env, settings, NULL, &task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  assert_contains (ar_task_get_error_message (task), line);
  assert_contains (ar_task_get_error_message (task), "does not see");
  assert_contains (log, line);
  /* at start: before any image work or container */
  assert_not_contains (log, "running image");
}

static void
check_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  g_string_append (user_data, line);
  g_string_append_c (user_data, '\n');
}

/* The preflight build check (design.md §5.1) on an engine that does not
 * see this computer's folders: its scripts are copied in as a task's are
 * (no bind mount of the check's folder), the run part runs on the built
 * cached part, and no container or image of the check is left. */
static void
test_build_check (void)
{
  Engine *e = &on_docker;
  const char *run = "cat /cached-marker\n"
                    "if grep -q ' /tmp/agents-runner ' /proc/self/mountinfo; then echo 'the scripts are a mount'; "
                    "exit 7; fi\n"
                    "echo \"run part ok: $MY_VAR\"\n";
  const char *vars[] = { "MY_VAR=from-the-environment", NULL };
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ArBuildCheckResult) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  g_autofree char *label = g_strconcat ("label=", AR_LABEL_PREFLIGHT_CHECK, NULL);
  g_autofree char *ours = g_strconcat ("label=", ar_test_engine_run_label (), NULL);
  g_autofree char *containers = NULL;
  g_autofree char *images = NULL;

  if (!need_engine (e))
    return;
  builder = not_shared_builder (e);
  env = ar_environment_new_with_id ();
  ar_environment_set_base_image (env, e->base);
  ar_environment_set_env_vars (env, vars);
  settings = new_settings (e);
  ar_preflight_check_build_async (ar_image_builder_get_engine (builder), env, settings,
                                  "echo cached > /cached-marker\n", run, NULL, check_line, output, NULL,
                                  ar_test_store_result, &result);
  check = ar_preflight_check_build_finish (ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_test_message ("%s", output->str);
  if (!check->ok)
    g_error ("the check failed (%s, status %d): %s", ar_build_check_stage_to_string (check->failed_stage),
             check->exit_status, check->output);
  g_assert_true (check->built);
  assert_contains (output->str, "cached\n");
  assert_contains (output->str, "run part ok: from-the-environment");
  {
    const char *ps[] = { "ps", "-a", "-q", "--filter", label, "--filter", ours, NULL };
    const char *ls[] = { "image", "ls", "-q", "--filter", label, "--filter", ours, NULL };

    containers = engine_out (e, ps);
    images = engine_out (e, ls);
  }
  g_assert_cmpstr (g_strstrip (containers), ==, "");
  g_assert_cmpstr (g_strstrip (images), ==, "");
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_data_func ("/delivery/docker/mounted-workspace", &on_docker, test_mounted_workspace);
  g_test_add_data_func ("/delivery/podman/mounted-workspace", &on_podman, test_mounted_workspace);
  g_test_add_func ("/delivery/docker/cloned-workspace", test_cloned_workspace);
  g_test_add_func ("/delivery/docker/failed-and-stopped", test_failed_and_stopped);
  g_test_add_func ("/delivery/plain-tcp-warning", test_plain_tcp_warning);
  g_test_add_func ("/delivery/docker/nonroot-scripts", test_nonroot_scripts);
  g_test_add_func ("/delivery/docker/bind-mount-refused", test_bind_mount_refused);
  g_test_add_func ("/delivery/docker/build-check", test_build_check);

  status = g_test_run ();
  return status;
}
