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

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_data_func ("/delivery/docker/mounted-workspace", &on_docker, test_mounted_workspace);
  g_test_add_data_func ("/delivery/podman/mounted-workspace", &on_podman, test_mounted_workspace);
  g_test_add_func ("/delivery/docker/cloned-workspace", test_cloned_workspace);
  g_test_add_func ("/delivery/docker/nonroot-scripts", test_nonroot_scripts);
  g_test_add_func ("/delivery/docker/bind-mount-refused", test_bind_mount_refused);

  status = g_test_run ();
  return status;
}
