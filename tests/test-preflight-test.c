/* test-preflight-test.c — Test Preflight on the real engine (design.md §4.3,
 * issue 9 item 5): for a saved environment with container caching on it is
 * the build check of the two parts (ar-preflight-build-check.h), run as a
 * preflight-test task of the task manager: the failing line and its output
 * in the task's log, nothing left behind (no image, no cache key, no
 * failure record, no container); a draft with unsaved changes keeps the
 * task's own start, caching included.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-env-store.h"
#include "ar-preflight-build-check.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"
#include "test-utils.h"

#define TASK_SECONDS 90

static char *base;
static ArEngine *engine;
static ArImageBuilder *builder;

static gboolean
need_engine (void)
{
  if (!ar_test_engine_need ())
    return FALSE;
  if (builder == NULL)
    {
      base = ar_test_engine_base_image ();
      /* After the fixture: the engine captures DOCKER_HOST. */
      engine = ar_engine_new ("docker", "");
      builder = ar_image_builder_new (engine);
    }
  return TRUE;
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint tick = g_timeout_add (50, wake, NULL);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out after %.0f s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static gboolean
task_finished (gpointer task)
{
  return ar_task_state_is_finished (ar_task_get_state (task));
}

static gboolean
task_running (gpointer task)
{
  return ar_task_get_state (task) == AR_TASK_STATE_RUNNING || task_finished (task);
}

static ArSettings *
new_settings (void)
{
  ArSettings *settings = ar_settings_new_default ();

  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (base);
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");
  settings->build_timeout = 60;
  return settings;
}

/* Split mode with container caching on: an environment layer is wanted. */
static ArEnvironment *
new_env (const char *cached, const char *run)
{
  const char *agent[] = { "sh", "-c", "echo the agent must not run", NULL };
  ArEnvironment *env = ar_environment_new_with_id ();
  g_autofree char *name = g_strdup_printf ("preflight test %s", ar_environment_get_env_id (env));

  ar_environment_set_name (env, name);
  ar_environment_set_base_image (env, base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, cached);
  ar_environment_set_run_preflight_script (env, run);
  return env;
}

static char *
log_text (ArTask *task)
{
  g_autofree char *path = ar_task_dup_log_path (task);

  return ar_test_read_file (path);
}

static void
assert_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, text);
}

static void
assert_not_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” should not be in:\n%s", needle, text);
}

static char *
docker_out (const char *const *args)
{
  char *out = NULL;
  g_autofree char *err = NULL;

  if (ar_test_engine_docker (args, &out, &err) != 0)
    g_error ("docker %s failed: %s", args[0], err);
  return g_strstrip (out);
}

/* Every image ID on this program's base, the untagged ones of build steps
 * too, one a line: an image inherits the run's label from the base (the
 * engine is shared with other suites, which build meanwhile: seen, four
 * images of another program's counted as left here). */
static char *
all_images (void)
{
  g_autofree char *run_filter = g_strconcat ("label=", ar_test_engine_run_label (), NULL);
  const char *args[] = { "image", "ls", "-aq", "--no-trunc", "--filter", run_filter, NULL };

  return docker_out (args);
}

/* The IDs in @after that @before does not hold. */
static char *
new_lines (const char *before, const char *after)
{
  g_auto(GStrv) old = g_strsplit (before, "\n", -1);
  g_auto(GStrv) now = g_strsplit (after, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; now[i] != NULL; i++)
    if (*now[i] != '\0' && !g_strv_contains ((const char *const *) old, now[i]))
      g_string_append_printf (out, "%s\n", now[i]);
  return g_string_free (out, FALSE);
}

/* What a task of @env would find in the cache: the environment layer. */
static ArLayerState
planned_env_layer (ArEnvironment *env, const ArSettings *settings)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ArImageResolution *plan;
  ArLayerState state;

  ar_image_builder_plan_async (builder, env, settings, NULL, ar_test_store_result, &result);
  plan = ar_image_builder_plan_finish (builder, ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  state = plan->env.state;
  ar_image_resolution_free (plan);
  return state;
}

static void
assert_nothing_left (ArEnvironment *env, const ArSettings *settings, const char *images_before)
{
  const char *check_images[] = { "image", "ls", "-aq", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK, NULL };
  const char *check_containers[] = { "ps", "-aq", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK, NULL };
  g_autofree char *filter = g_strconcat ("label=" AR_LABEL_BUILT_FOR "=", ar_environment_get_env_id (env), NULL);
  const char *layer_images[] = { "image", "ls", "-aq", "--filter", filter, NULL };
  g_autofree char *images = docker_out (check_images);
  g_autofree char *containers = docker_out (check_containers);
  g_autofree char *layers = docker_out (layer_images);
  g_autofree char *after = all_images ();
  g_autofree char *added = new_lines (images_before, after);

  g_assert_cmpstr (images, ==, "");
  g_assert_cmpstr (containers, ==, "");
  g_assert_cmpstr (layers, ==, "");
  /* Not even an untagged image of a build step. */
  g_assert_cmpstr (added, ==, "");
  /* No image under the key, and no failure remembered for it: a task of
   * this environment would still build its layer. */
  g_assert_cmpint (planned_env_layer (env, settings), ==, AR_LAYER_STATE_ABSENT);
}

/* ---- a saved environment with caching on: the build check --------------- */

static void
test_saved_failing_line (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *before = NULL;
  g_autofree char *log = NULL;
  ArTask *task;

  if (!need_engine ())
    return;
  settings = new_settings ();
  manager = ar_task_manager_new (builder, settings);
  env = new_env ("#!/bin/sh\nset -e\nmkdir -p /opt/x\nno_such_command --now\necho never\n",
                 "echo the run part ran\n");
  before = all_images ();

  task = ar_task_manager_start_preflight_test (manager, env, TRUE);
  g_assert_cmpint (ar_task_get_kind (task), ==, AR_TASK_KIND_PREFLIGHT_TEST);
  wait_until (task_finished, task, TASK_SECONDS, "the preflight test to end");
  log = log_text (task);

  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  /* the check, said as such, with the failing line, its part, and its output */
  assert_contains (log, "build check");
  assert_contains (log, "“no_such_command --now” (line 4 of the cached part)");
  assert_contains (log, "no_such_command: not found");
  assert_contains (ar_task_get_error_message (task), "line 4 of the cached part");
  assert_not_contains (log, "the run part ran");
  assert_not_contains (log, "the agent must not run");
  /* no cached layer of the task pipeline: its words are not there */
  assert_not_contains (log, "cache MISS");
  assert_nothing_left (env, settings, before);
}

static void
test_saved_passes (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *before = NULL;
  g_autofree char *log = NULL;
  g_autofree char *ok = NULL;
  ArBuildCheckResult passed = { .ok = TRUE, .built = TRUE };
  ArTask *task;

  if (!need_engine ())
    return;
  settings = new_settings ();
  manager = ar_task_manager_new (builder, settings);
  env = new_env ("mkdir -p /opt/tool\necho baked > /opt/tool/mark\n",
                 "echo \"run part sees $(cat /opt/tool/mark) as $TASK_ID\"\n");
  before = all_images ();

  task = ar_task_manager_start_preflight_test (manager, env, TRUE);
  wait_until (task_finished, task, TASK_SECONDS, "the preflight test to end");
  log = log_text (task);

  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "run part sees baked as " AR_PREFLIGHT_CHECK_TASK_ID "\n");
  ok = ar_build_check_result_describe (&passed);
  assert_contains (log, ok);
  assert_not_contains (log, "the agent must not run");
  assert_nothing_left (env, settings, before);
}

/* The run part fails on top of a cached part that builds. */
static void
test_saved_run_part_fails (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *before = NULL;
  g_autofree char *log = NULL;
  ArTask *task;

  if (!need_engine ())
    return;
  settings = new_settings ();
  manager = ar_task_manager_new (builder, settings);
  env = new_env ("mkdir -p /opt/tool\n", "#!/bin/sh\nset -e\ntest -d /opt/tool\nexit 7\n");
  before = all_images ();

  task = ar_task_manager_start_preflight_test (manager, env, TRUE);
  wait_until (task_finished, task, TASK_SECONDS, "the preflight test to end");
  log = log_text (task);

  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 7);
  assert_contains (log, "The run part fails on top of the cached part");
  assert_nothing_left (env, settings, before);
}

/* Stopped while the run part runs: cancelled, nothing left. */
static void
test_saved_stop (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *before = NULL;
  ArTask *task;

  if (!need_engine ())
    return;
  settings = new_settings ();
  manager = ar_task_manager_new (builder, settings);
  env = new_env ("mkdir -p /opt/tool\n", "echo sleeping; sleep 120\n");
  before = all_images ();

  task = ar_task_manager_start_preflight_test (manager, env, TRUE);
  wait_until (task_running, task, TASK_SECONDS, "the run part to start");
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  ar_task_manager_stop (manager, task);
  wait_until (task_finished, task, 30, "the stopped preflight test to end");
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_CANCELLED);
  assert_nothing_left (env, settings, before);
}

/* ---- a draft with unsaved changes: the task's own start ----------------- */

static void
test_draft_keeps_pipeline (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *log = NULL;
  ArTask *task;

  if (!need_engine ())
    return;
  settings = new_settings ();
  manager = ar_task_manager_new (builder, settings);
  env = new_env ("mkdir -p /opt/draft\n", "test -d /opt/draft && echo draft layer used\n");

  task = ar_task_manager_start_preflight_test (manager, env, FALSE);
  wait_until (task_finished, task, TASK_SECONDS, "the preflight test to end");
  log = log_text (task);

  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  /* said why it is not the build check */
  assert_contains (log, "unsaved changes");
  assert_contains (log, "cache MISS");
  assert_contains (log, "draft layer used\n" AR_PREFLIGHT_COMPLETE_LINE "\n");
  /* the pipeline's layer is kept, as a task's is */
  g_assert_cmpint (planned_env_layer (env, settings), ==, AR_LAYER_STATE_HIT);
}

/* Caching off: the task's own start; the log says the check needs caching. */
static void
test_caching_off_keeps_pipeline (void)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *log = NULL;
  ArTask *task;

  if (!need_engine ())
    return;
  settings = new_settings ();
  manager = ar_task_manager_new (builder, settings);
  env = new_env ("echo cached part at start\n", "echo run part at start\n");
  ar_environment_set_cache_container_build (env, FALSE);

  task = ar_task_manager_start_preflight_test (manager, env, TRUE);
  wait_until (task_finished, task, TASK_SECONDS, "the preflight test to end");
  log = log_text (task);

  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "Container caching is off");
  assert_contains (log, "cached part at start\n");
  assert_contains (log, "run part at start\n" AR_PREFLIGHT_COMPLETE_LINE "\n");
  assert_not_contains (log, "build check:");
}

/* ---- the command line: `preflight test ENV` ------------------------------- */

static char *
run_cli_preflight_test (ArEnvironment *env, int *status)
{
  const char *args[] = { "preflight", "test", ar_environment_get_env_id (env), NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  *status = ar_test_run_cli (args, NULL, &out, &err);
  return g_strconcat (out, err, NULL);
}

/* As assert_nothing_left(), for what this run and @env made only: the
 * binary's images carry the run's label, and other processes may be
 * building on the same engine meanwhile. */
static void
assert_cli_left_nothing (ArEnvironment *env, const ArSettings *settings)
{
  g_autofree char *run_filter = g_strconcat ("label=", ar_test_engine_run_label (), NULL);
  const char *check_images[] = { "image", "ls", "-aq", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK,
                                 "--filter", run_filter, NULL };
  const char *check_containers[] = { "ps", "-aq", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK,
                                     "--filter", run_filter, NULL };
  g_autofree char *filter = g_strconcat ("label=" AR_LABEL_BUILT_FOR "=", ar_environment_get_env_id (env), NULL);
  const char *layer_images[] = { "image", "ls", "-aq", "--filter", filter, NULL };
  g_autofree char *images = docker_out (check_images);
  g_autofree char *containers = docker_out (check_containers);
  g_autofree char *layers = docker_out (layer_images);

  g_assert_cmpstr (images, ==, "");
  g_assert_cmpstr (containers, ==, "");
  g_assert_cmpstr (layers, ==, "");
  g_assert_cmpint (planned_env_layer (env, settings), ==, AR_LAYER_STATE_ABSENT);
}

/* Its environments are saved ones: with caching on, it is the build check,
 * as the window's Test Preflight of a saved environment, and keeps nothing. */
static void
test_cli (void)
{
  g_autoptr(ArEnvironment) passing = NULL;
  g_autoptr(ArEnvironment) failing = NULL;
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  int status;

  if (!need_engine ())
    return;
  settings = new_settings ();
  passing = new_env ("mkdir -p /opt/tool\necho baked > /opt/tool/mark\n",
                     "echo \"run part sees $(cat /opt/tool/mark) as $TASK_ID\"\n");
  failing = new_env ("#!/bin/sh\nset -e\nmkdir -p /opt/x\nno_such_command --now\necho never\n",
                     "echo the run part ran\n");
  ar_env_store_allow_overwrite (store);
  g_assert_true (ar_env_store_add (store, passing, &error));
  g_assert_true (ar_env_store_add (store, failing, &error));
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);

  output = run_cli_preflight_test (passing, &status);
  g_test_message ("%s", output);
  g_assert_cmpint (status, ==, 0);
  assert_contains (output, "build check");
  assert_contains (output, "run part sees baked as " AR_PREFLIGHT_CHECK_TASK_ID);
  assert_not_contains (output, "the agent must not run");
  assert_not_contains (output, "cache MISS");
  assert_cli_left_nothing (passing, settings);
  g_clear_pointer (&output, g_free);

  output = run_cli_preflight_test (failing, &status);
  g_assert_cmpint (status, !=, 0);
  assert_contains (output, "“no_such_command --now” (line 4 of the cached part)");
  assert_not_contains (output, "the run part ran");
  assert_cli_left_nothing (failing, settings);
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  /* Every container and image of this run carries the run's label. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/preflight-test/saved/failing-line", test_saved_failing_line);
  g_test_add_func ("/preflight-test/saved/passes", test_saved_passes);
  g_test_add_func ("/preflight-test/saved/run-part-fails", test_saved_run_part_fails);
  g_test_add_func ("/preflight-test/saved/stop", test_saved_stop);
  g_test_add_func ("/preflight-test/draft", test_draft_keeps_pipeline);
  g_test_add_func ("/preflight-test/caching-off", test_caching_off_keeps_pipeline);
  g_test_add_func ("/preflight-test/cli", test_cli);

  status = g_test_run ();
  g_clear_object (&builder);
  g_clear_object (&engine);
  g_clear_pointer (&base, g_free);
  return status;
}
