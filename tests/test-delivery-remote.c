/* test-delivery-remote.c — a task on the remote engine of the fixture
 * (test-remote-utils.h: a second dockerd whose /tmp, /home and /root are
 * not this machine's), over ssh:// and over TLS, with the engine-folders
 * setting left at auto (design.md §4.2, §9): the engine decides it sees
 * none of this machine's folders; a cached environment builds there; a
 * task with a mounted workspace runs, the agent's changes come back in the
 * review folder with a patch that applies; the workspace is untouched; the
 * secret is in no argv on either side; the scripts are read by a non-root
 * user; an extra bind mount fails by name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-image-builder.h"
#include "ar-preflight-build-check.h"
#include "ar-task-delivery.h"
#include "ar-task-runner.h"
#include "test-delivery-utils.h"
#include "test-remote-utils.h"
#include "test-utils.h"

static ArImageBuilder *
remote_builder (ArTestRemoteWay way)
{
  g_autoptr(ArEngine) engine = ar_engine_new ("docker", ar_test_remote_host (way));

  /* auto: a tcp:// or ssh:// host shares no folders */
  g_assert_false (ar_engine_shares_host_folders (engine));
  g_assert_cmpstr (ar_engine_folders_reason (engine), ==, way == AR_TEST_REMOTE_SSH ? "ssh:// host" : "tcp:// host");
  /* TLS (DOCKER_TLS_VERIFY from the fixture), or ssh: encrypted */
  g_assert_false (ar_engine_is_unencrypted_tcp (engine));
  return ar_image_builder_new (engine);
}

static ArSettings *
remote_settings (const char *base)
{
  ArSettings *settings = ar_settings_new_default ();

  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (base);
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");
  settings->build_timeout = 120;
  return settings;
}

static void
test_task (gconstpointer data)
{
  ArTestRemoteWay way = GPOINTER_TO_INT (data);
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *base = NULL;
  g_autofree char *ws = NULL;
  g_autofree char *config = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *log = NULL;
  g_autofree char *ps = NULL;

  if (!ar_test_remote_need ())
    return;
  base = ar_test_remote_base_image ();
  builder = remote_builder (way);
  ws = delivery_make_workspace ();
  config = ar_test_mkdtemp ("codex-config");
  /* the remote side has none of this machine's folders */
  g_assert_false (ar_test_remote_path_exists (ws));
  g_assert_false (ar_test_remote_path_exists (config));
  secret = g_strdup_printf ("remote-delivery-secret-%s-%s", ar_test_remote_way_name (way), ar_test_engine_run_id ());
  env = delivery_new_env (base, ws, config, secret);
  /* a cached environment: built on the remote engine */
  ar_environment_set_cache_container_build (env, TRUE);
  {
    /* one image per way and run: each builds */
    g_autofree char *cached = g_strdup_printf ("#!/bin/sh\nmkdir -p /opt\necho baked-%s-%s > /opt/marker\n",
                                               ar_test_remote_way_name (way), ar_test_engine_run_id ());

    ar_environment_set_cached_preflight_script (env, cached);
  }
  settings = remote_settings (base);

  log = delivery_run_task (builder, env, settings, secret, &task);
  g_test_message ("%s", log);
  delivery_assert_contains (log, "does not see this computer's folders (");
  delivery_assert_contains (log, "cache MISS agents-runner-env:");
  delivery_assert_contains (log, "cached preflight: baked into");
  delivery_assert_not_contains (log, "without TLS");
  delivery_assert_result (task, log, ws, secret);

  /* the image is on the remote engine; the container is gone from it */
  {
    const char *args[] = { "ps", "-a", "-q", "--filter", NULL, NULL };
    g_autofree char *filter = g_strconcat ("name=", ar_task_get_container_name (task), NULL);

    args[4] = filter;
    g_assert_cmpint (ar_test_remote_docker (args, &ps, NULL), ==, 0);
    g_assert_cmpstr (g_strstrip (ps), ==, "");
  }
  {
    const char *args[] = { "image", "inspect", ar_task_get_image (task), NULL };

    g_assert_cmpint (ar_test_remote_docker (args, NULL, NULL), ==, 0);
  }
}

/* The scripts copied in are read by uid 1000; an extra bind mount fails
 * the task at start, naming it. */
static void
test_nonroot_and_bind (gconstpointer data)
{
  ArTestRemoteWay way = GPOINTER_TO_INT (data);
  const char *agent[] = { "sh", "-c", "echo \"uid=$(id -u)\"", NULL };
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTask) bind_task = NULL;
  g_autofree char *nonroot = NULL;
  g_autofree char *log = NULL;
  g_autofree char *bind_log = NULL;
  g_autofree char *host = NULL;
  g_autofree char *line = NULL;

  if (!ar_test_remote_need ())
    return;
  nonroot = ar_test_remote_nonroot_base_image ();
  builder = remote_builder (way);
  env = ar_environment_new_with_id ();
  ar_environment_set_name (env, "delivery-remote-nonroot");
  ar_environment_set_base_image (env, nonroot);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_container_workdir (env, "/tmp/work");
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, "#!/bin/sh\necho preflight-ran-as-$(id -u)\n");
  settings = remote_settings (nonroot);
  log = delivery_run_task (builder, env, settings, NULL, &task);
  g_test_message ("%s", log);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  delivery_assert_contains (log, "preflight-ran-as-1000");
  delivery_assert_contains (log, "uid=1000");

  host = ar_test_mkdtemp ("bind");
  line = g_strdup_printf ("%s:/mnt/host", host);
  {
    const char *mounts[] = { line, NULL };

    ar_environment_set_extra_mounts (env, mounts);
  }
  bind_log = delivery_run_task (builder, env, settings, NULL, &bind_task);
  g_assert_cmpint (ar_task_get_state (bind_task), ==, AR_TASK_STATE_FAILED);
  delivery_assert_contains (ar_task_get_error_message (bind_task), line);
  delivery_assert_contains (ar_task_get_error_message (bind_task), ar_test_remote_host (way));
  delivery_assert_not_contains (bind_log, "running image");
}

static void
check_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  g_string_append (user_data, line);
  g_string_append_c (user_data, '\n');
}

/* Test preflight's build check (design.md §4.3, §5.1) there: the cached
 * part built on the remote engine, the run part run on it with its
 * scripts copied in (a bind mount of this machine's folder would show
 * nothing there), nothing of the check left on that engine. */
static void
test_build_check (gconstpointer data)
{
  ArTestRemoteWay way = GPOINTER_TO_INT (data);
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ArBuildCheckResult) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  g_autofree char *base = NULL;
  g_autofree char *label = g_strconcat ("label=", AR_LABEL_PREFLIGHT_CHECK, NULL);
  g_autofree char *left = NULL;

  if (!ar_test_remote_need ())
    return;
  base = ar_test_remote_base_image ();
  builder = remote_builder (way);
  env = ar_environment_new_with_id ();
  ar_environment_set_base_image (env, base);
  settings = remote_settings (base);
  ar_preflight_check_build_async (ar_image_builder_get_engine (builder), env, settings,
                                  "mkdir -p /opt\necho baked-for-check > /opt/check-marker\n",
                                  "cat /opt/check-marker\necho run-part-ran\n", NULL, check_line, output, NULL,
                                  ar_test_store_result, &result);
  check = ar_preflight_check_build_finish (ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_test_message ("%s", output->str);
  if (!check->ok)
    g_error ("the check failed (%s, status %d): %s", ar_build_check_stage_to_string (check->failed_stage),
             check->exit_status, check->output);
  g_assert_true (check->built);
  delivery_assert_contains (output->str, "baked-for-check\n");
  delivery_assert_contains (output->str, "run-part-ran\n");
  {
    const char *ps[] = { "ps", "-a", "-q", "--filter", label, NULL };

    g_assert_cmpint (ar_test_remote_docker (ps, &left, NULL), ==, 0);
    g_assert_cmpstr (g_strstrip (left), ==, "");
    g_clear_pointer (&left, g_free);
  }
  {
    const char *ls[] = { "image", "ls", "-q", "--filter", label, NULL };

    g_assert_cmpint (ar_test_remote_docker (ls, &left, NULL), ==, 0);
    g_assert_cmpstr (g_strstrip (left), ==, "");
  }
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  for (int way = AR_TEST_REMOTE_SSH; way <= AR_TEST_REMOTE_TLS; way++)
    {
      const char *name = way == AR_TEST_REMOTE_SSH ? "ssh" : "tls";
      g_autofree char *task = g_strdup_printf ("/delivery-remote/%s/task", name);
      g_autofree char *nonroot = g_strdup_printf ("/delivery-remote/%s/nonroot-and-bind", name);
      g_autofree char *check = g_strdup_printf ("/delivery-remote/%s/build-check", name);

      g_test_add_data_func (task, GINT_TO_POINTER (way), test_task);
      g_test_add_data_func (nonroot, GINT_TO_POINTER (way), test_nonroot_and_bind);
      g_test_add_data_func (check, GINT_TO_POINTER (way), test_build_check);
    }
  return g_test_run ();
}
