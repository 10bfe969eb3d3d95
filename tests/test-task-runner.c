/* test-task-runner.c — ArTaskRunner against a real engine: the preflight scenarios on each engine, volumes, Test preflight
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <libsoup/soup.h>

#include "ar-env-store.h"
#include "ar-paths.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"
#include "test-utils.h"
#include "test-task-runner-utils.h"

static void
assert_line_with (const char *text, const char *a, const char *b)
{
  if (!has_line_with (text, a, b))
    g_error ("no line holds both “%s” and “%s” in:\n%s", a, b, text);
}

/* ---- scenario 1: caching off, the single preflight at start ------------ */

static void
check_single_preflight (Engine *e, gboolean caching_flag)
{
  const char *agent[] = { "sh", "-c", "echo \"agent ran: $1\"; ls /", "--", "{prompt}", NULL };
  const char *prompt = "it's a \"prompt\" with $(touch /tmp/pwned) and `id`; * spaces  ";
  g_autoptr(ArEnvironment) env = new_env (e, "single", agent);
  g_autoptr(ArSettings) settings = new_settings (e);
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *log = NULL;
  g_autofree char *want = g_strdup_printf ("agent ran: %s\n", prompt);
  g_autofree char *record_path = NULL;
  g_autofree char *state_dir = NULL;
  g_autoptr(ArTask) reread = NULL;
  g_autoptr(GError) error = NULL;
  ArTask *task;

  ar_environment_set_preflight_enabled (env, TRUE);
  ar_environment_set_preflight_script (env, "#!/bin/sh\necho \"legacy preflight ran as $(id -u)\"\n");
  /* Single mode builds no environment layer, whatever the flag says. */
  ar_environment_set_cache_container_build (env, caching_flag);
  ar_environment_set_cached_preflight_script (env, caching_flag ? "echo never baked\n" : "");

  runner = run_task (e->builder, env, settings, prompt);
  task = ar_task_runner_get_task (runner);
  log = task_log_text (task);

  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 0);
  assert_contains (log, "[task/preflight][INFO] running preflight\n");
  assert_contains (log, "legacy preflight ran as 0\n");
  assert_contains (log, want);
  assert_contains (log, "\ntmp\n");          /* `ls /` of the image */
  assert_not_contains (log, "never baked");
  assert_not_contains (log, "cache MISS");
  g_assert_true (ar_engine_image_names_equal (ar_task_get_image (task), e->base));
  g_assert_cmpstr (ar_task_get_layers (task), ==, "base");
  g_assert_cmpfloat (ar_task_get_duration (task), >, 0);
  /* the line before docker run names the image */
  g_assert_true (has_line_with (log, "[docker/run][INFO]", e->base));
  /* No image was built for it. */
  {
    g_autofree char *filter = g_strconcat ("label=" AR_LABEL_ENV_ID "=", ar_environment_get_env_id (env), NULL);
    const char *args[] = { "image", "ls", "-q", "--filter", filter, NULL };
    g_autofree char *images = engine_out (e, args);

    g_assert_cmpstr (images, ==, "");
  }

  /* The record and the log live under XDG_STATE_HOME. */
  state_dir = g_build_filename (g_getenv ("XDG_STATE_HOME"), "agents-runner", "tasks", ar_task_get_id (task), NULL);
  record_path = g_build_filename (state_dir, "task.json", NULL);
  reread = ar_task_new_from_file (record_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ar_task_get_id (reread), ==, ar_task_get_id (task));
  g_assert_cmpint (ar_task_get_state (reread), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_exit_status (reread), ==, 0);
  g_assert_cmpstr (ar_task_get_env_id (reread), ==, ar_environment_get_env_id (env));
  g_assert_cmpstr (ar_task_get_prompt (reread), ==, prompt);
  g_assert_cmpstr (ar_task_get_image (reread), ==, ar_task_get_image (task));
  g_assert_cmpint (ar_task_get_started_at (reread) / 1000, ==, ar_task_get_started_at (task) / 1000);
  g_assert_cmpfloat_with_epsilon (ar_task_get_duration (reread), ar_task_get_duration (task), 0.01);
  g_assert_false (ar_task_is_owned_elsewhere (reread));

  /* The scratch folder is gone. */
  {
    g_autofree char *run_dir = ar_paths_run_dir ();
    g_autofree char *scratch = g_build_filename (run_dir, ar_task_get_id (task), NULL);

    g_assert_false (g_file_test (scratch, G_FILE_TEST_EXISTS));
  }
}

static void
test_single_preflight (gconstpointer data)
{
  Engine *e = (Engine *) data;

  if (!need_engine (e))
    return;
  check_single_preflight (e, FALSE);
  check_single_preflight (e, TRUE);
}

/* ---- scenario 5: an old single-preflight environment, then split -------- */

static char *
cli_task_id_of (const char *out)
{
  const char *at = strstr (out, "[task/start][INFO] task ");

  g_assert_nonnull (at);
  at += strlen ("[task/start][INFO] task ");
  return g_strndup (at, strcspn (at, ":"));
}

/* The command line on this engine. Its Settings come from a keyfile: the
 * tests' memory backend is not shared with another process. The keyfile
 * goes where the child looks, under XDG_CONFIG_HOME, which here is not
 * g_get_user_config_dir(). */
static int
run_cli (Engine *e, const char *const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *keyfile = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "glib-2.0", "settings", "keyfile", NULL);
  g_autofree char *settings = g_strdup_printf ("[io/github/agents_runner/AgentsRunner]\nengine='%s'\n", e->name);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  ar_test_write_file (keyfile, settings);
  g_ptr_array_add (argv, (char *) g_getenv ("AR_BINARY"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  return g_subprocess_get_exit_status (proc);
}

static void
test_legacy_then_split (gconstpointer data)
{
  Engine *e = (Engine *) data;
  g_autofree char *path = ar_paths_environments_file ();
  g_autofree char *env_id = NULL;
  g_autofree char *json = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ArEnvironment *env;

  if (!need_engine (e))
    return;
  env_id = g_strdup_printf ("legacy%s%s", e->name, ar_test_engine_run_id ());
  /* The earlier tool's shape: no "format", "id" for the id, the caching
   * flag under its old name, one enabled single preflight. */
  json = g_strdup_printf (
    "{\"environments\": [{\"id\": \"%s\", \"name\": \"Legacy env\", \"color\": \"cyan\",\n"
    "  \"base_image\": \"%s\", \"agent_cli\": \"custom\",\n"
    "  \"custom_command\": [\"sh\", \"-c\", \"cat /opt/marker 2>/dev/null || echo no marker; echo agent ran: $1\", \"--\", \"{prompt}\"],\n"
    "  \"preflight_enabled\": true,\n"
    "  \"preflight_script\": \"#!/bin/sh\\necho legacy preflight ran\\n\",\n"
    "  \"container_caching_enabled\": false, \"host_workdir\": \"\", \"some_old_key\": 7}]}\n",
    env_id, e->base);
  ar_test_write_file (path, json);

  {
    const char *args[] = { "run", "Legacy env", "--prompt", "one", NULL };

    g_assert_cmpint (run_cli (e, args, &out, &err), ==, 0);
  }
  assert_contains (out, "[task/preflight][INFO] running preflight\nlegacy preflight ran\n");
  assert_contains (out, "no marker\nagent ran: one\n");
  assert_not_contains (out, "cache MISS");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The user splits it: cached part baked, run part at start. */
  store = ar_env_store_new (NULL);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  env = ar_env_store_find_by_id (store, env_id);
  g_assert_nonnull (env);
  ar_environment_set_cached_preflight_script (env, "#!/bin/sh\nmkdir -p /opt\necho baked > /opt/marker\necho cached part ran\n");
  ar_environment_set_run_preflight_script (env, "echo run part ran\n");
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);

  {
    const char *args[] = { "run", env_id, "--prompt", "two", NULL };

    g_assert_cmpint (run_cli (e, args, &out, &err), ==, 0);
  }
  assert_line_with (out, "cache MISS", "agents-runner-env:");
  assert_contains (out, "cached part ran\n");          /* streamed from the build */
  assert_not_contains (out, "running cached preflight"); /* baked, not run at start */
  assert_contains (out, "[task/preflight][INFO] running run preflight\nrun part ran\n");
  assert_contains (out, "baked\nagent ran: two\n");
  assert_not_contains (out, "legacy preflight ran");
  assert_line_with (out, "[docker/run][INFO]", "environment layer agents-runner-env:");
  /* built by this engine */
  {
    g_autofree char *filter = g_strconcat ("label=" AR_LABEL_ENV_ID "=", env_id, NULL);
    const char *args[] = { "image", "ls", "-q", "--filter", filter, NULL };
    g_autofree char *images = engine_out (e, args);

    g_assert_cmpstr (images, !=, "");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    const char *args[] = { "run", env_id, "--prompt", "three", NULL };

    g_assert_cmpint (run_cli (e, args, &out, &err), ==, 0);
  }
  assert_line_with (out, "cache HIT", "agents-runner-env:");
  assert_not_contains (out, "cache MISS");
  assert_not_contains (out, "cached part ran");
  assert_contains (out, "baked\nagent ran: three\n");

  /* task log prints the stored log, and task list knows the three runs. */
  {
    g_autofree char *id = cli_task_id_of (out);
    const char *log_args[] = { "task", "log", id, NULL };
    const char *list_args[] = { "task", "list", "--json", NULL };
    g_autofree char *log_out = NULL;
    g_autofree char *list_out = NULL;
    g_autoptr(JsonNode) node = NULL;
    JsonArray *array;
    guint mine = 0;

    g_assert_cmpint (run_cli (e, log_args, &log_out, NULL), ==, 0);
    g_assert_cmpstr (log_out, ==, out);
    g_assert_cmpint (run_cli (e, list_args, &list_out, NULL), ==, 0);
    node = json_from_string (list_out, &error);
    g_assert_no_error (error);
    array = json_node_get_array (node);
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *obj = json_array_get_object_element (array, i);

        if (g_str_equal (json_object_get_string_member (obj, "env_id"), env_id))
          {
            mine++;
            g_assert_cmpstr (json_object_get_string_member (obj, "state"), ==, "done");
            g_assert_cmpint (json_object_get_int_member (obj, "exit_status"), ==, 0);
          }
      }
    g_assert_cmpuint (mine, ==, 3);
  }
}

/* ---- scenario 6: a cached preflight that cannot be baked ---------------- */

static void
check_fallback (Engine *e, const char *cached, gboolean task_succeeds, int exit_status)
{
  const char *agent[] = { "sh", "-c", "echo agent ran", NULL };
  g_autoptr(ArEnvironment) env = new_env (e, "fallback", agent);
  g_autoptr(ArSettings) settings = new_settings (e);
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *log = NULL;
  ArTask *task;
  double started = now_seconds ();

  settings->build_timeout = 3;
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, cached);
  ar_environment_set_run_preflight_script (env, "echo run part ran\n");

  runner = run_task (e->builder, env, settings, "p");
  task = ar_task_runner_get_task (runner);
  log = task_log_text (task);
  g_test_message ("fallback log:\n%s", log);

  /* The build failed, the log says so at WARN, and the task went on. */
  g_assert_true (has_line_with (log, "[image", "][WARN]"));
  assert_contains (log, "[task/preflight][INFO] running cached preflight\n");
  assert_contains (ar_task_get_cache_summary (task), "cached preflight runs at start");
  g_assert_cmpstr (ar_task_get_layers (task), ==, "base");
  if (task_succeeds)
    {
      g_autofree char *ran = g_strdup_printf ("cached ran in task %s\n", ar_task_get_id (task));

      g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
      assert_contains (log, ran);
      assert_contains (log, "run part ran\nagent ran\n");
    }
  else
    {
      g_autofree char *line = g_strdup_printf ("[task/preflight][ERROR] cached preflight failed with exit status %d\n",
                                               exit_status);

      g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
      g_assert_cmpint (ar_task_get_exit_status (task), ==, exit_status);
      assert_contains (log, line);
      assert_not_contains (log, "agent ran");
    }
  /* A 3 s build timeout, not the script's 30 s. */
  g_assert_cmpfloat (now_seconds () - started, <, 20);
}

static void
test_cached_fallback (gconstpointer data)
{
  Engine *e = (Engine *) data;

  if (!need_engine (e))
    return;
  /* Fails at build time only (no task there), then works at start. */
  check_fallback (e, "#!/bin/sh\n[ -n \"$AGENTS_RUNNER_TASK_ID\" ] || exit 1\n"
                  "echo \"cached ran in task $AGENTS_RUNNER_TASK_ID\"\n", TRUE, 0);
  /* Hangs at build time past the timeout. */
  check_fallback (e, "#!/bin/sh\n[ -n \"$AGENTS_RUNNER_TASK_ID\" ] || sleep 30\n"
                  "echo \"cached ran in task $AGENTS_RUNNER_TASK_ID\"\n", TRUE, 0);
  /* Not shell at all: fails at build, and again at start, named. */
  check_fallback (e, "if then fi (\n", FALSE, 2);
}

/* A named volume as the host side (issue 10 item 2): one task writes a
 * file into it, the next reads it back, and read-only stays read-only. */
static void
test_volumes (gconstpointer data)
{
  Engine *e = (Engine *) data;
  const char *writer[] = { "sh", "-c", "echo \"written by the first task\" > /data/shared.txt && echo wrote", NULL };
  const char *reader[] = { "sh", "-c", "cat /data/shared.txt; if touch /data/other 2>/dev/null; then echo WRITABLE; else echo read-only; fi", NULL };
  g_autofree char *volume = g_strdup_printf ("ar-test-%08x", g_random_int ());
  g_autofree char *rw = g_strdup_printf ("%s:/data:rw", volume);
  g_autofree char *ro = g_strdup_printf ("%s:/data:ro", volume);
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskRunner) first = NULL;
  g_autoptr(ArTaskRunner) second = NULL;
  g_autofree char *log = NULL;

  if (!need_engine (e))
    return;
  env = new_env (e, "volume", writer);
  settings = new_settings (e);
  ar_environment_set_extra_mounts (env, (const char *const[]) { rw, NULL });
  first = run_task (e->builder, env, settings, "");
  log = task_log_text (ar_task_runner_get_task (first));
  g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (first)), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "\nwrote\n");
  g_assert_true (has_line_with (log, "[task/mounts][INFO]", volume));
  g_clear_pointer (&log, g_free);

  ar_environment_set_custom_command (env, reader);
  ar_environment_set_extra_mounts (env, (const char *const[]) { ro, NULL });
  second = run_task (e->builder, env, settings, "");
  log = task_log_text (ar_task_runner_get_task (second));
  assert_contains (log, "\nwritten by the first task\nread-only\n");
  g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (second)), ==, AR_TASK_STATE_DONE);

  {
    const char *args[] = { "volume", "rm", volume, NULL };
    g_autofree char *out = engine_out (e, args);

    g_assert_nonnull (out);
  }
}

/* A cached preflight of only blanks is no cached preflight (issue 10 item
 * 5): caching on builds no environment layer for it, and nothing of it
 * runs at start. */
static void
test_blank_cached_preflight (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo agent ran", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *log = NULL;
  ArTask *task;

  if (!need_engine (e))
    return;
  env = new_env (e, "blank cached", agent);
  settings = new_settings (e);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, "\n   \n\t\n");
  runner = run_task (e->builder, env, settings, "");
  task = ar_task_runner_get_task (runner);
  log = task_log_text (task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "\nagent ran\n");
  assert_not_contains (log, "cache MISS");
  assert_not_contains (log, "cached-preflight.sh");
  g_assert_cmpstr (ar_task_get_layers (task), ==, "base");
  {
    g_autofree char *filter = g_strconcat ("label=" AR_LABEL_ENV_ID "=", ar_environment_get_env_id (env), NULL);
    const char *args[] = { "image", "ls", "-q", "--filter", filter, NULL };
    g_autofree char *images = engine_out (e, args);

    g_assert_cmpstr (images, ==, "");
  }
}

/* ---- preflight test ------------------------------------------------------ */

static void
test_preflight_test (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo the agent must not run", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *log = NULL;
  gboolean done = FALSE;
  ArTask *task;

  if (!need_engine (e))
    return;
  env = new_env (e, "draft", agent);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, "echo draft run preflight\n");
  runner = ar_task_runner_new_preflight_test (e->builder, env, (settings = new_settings (e)));
  /* The draft may change after: the test runs what it had. */
  ar_environment_set_run_preflight_script (env, "echo changed later\n");
  task = ar_task_runner_get_task (runner);
  g_assert_cmpint (ar_task_get_kind (task), ==, AR_TASK_KIND_PREFLIGHT_TEST);
  ar_task_runner_run_async (runner, NULL, run_done, &done);
  wait_until (flag_set, &done, TASK_SECONDS, "the preflight test to end");
  log = task_log_text (task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "draft run preflight\npreflight complete\n");
  assert_not_contains (log, "the agent must not run");
  assert_not_contains (log, "changed later");
}

/* "/task-runner/<engine>/<name>" */
static void
add_engine_test (Engine *e, const char *name, GTestDataFunc func)
{
  g_autofree char *path = g_strdup_printf ("/task-runner/%s/%s", e->name, name);

  g_test_add_data_func (path, e, func);
}

int
main (int argc, char **argv)
{
  Engine *engines[] = { &on_docker, &on_podman };
  int status;

  ar_test_init (&argc, &argv);
  /* Every container and image of this run carries the run's label, also
   * those the CLI makes: the fixture removes them at the end. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  /* the scenarios, on each engine */
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      add_engine_test (engines[i], "single-preflight", test_single_preflight);
      add_engine_test (engines[i], "legacy-then-split", test_legacy_then_split);
      add_engine_test (engines[i], "cached-fallback", test_cached_fallback);
      add_engine_test (engines[i], "volumes", test_volumes);
    }
  g_test_add_func ("/task-runner/blank-cached-preflight", test_blank_cached_preflight);
  g_test_add_func ("/task-runner/preflight-test", test_preflight_test);

  status = g_test_run ();
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      g_clear_object (&engines[i]->builder);
      g_clear_object (&engines[i]->engine);
      g_clear_pointer (&engines[i]->base, g_free);
    }
  return status;
}
