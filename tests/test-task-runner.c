/* test-task-runner.c — tasks on the real engine (SPEC §4): the runner, the
 * queue, stop, secrets, the scratch folder, records, and a restart; the
 * caching scenarios run on Docker and again on podman
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

#define RUN_LABEL_KEY "io.github.agents-runner.test-run"
#define TASK_SECONDS 60   /* nothing here may take longer */

/* The caching scenarios run on each engine, podman as well as Docker: one
 * test body, given the engine it runs on. */
typedef struct {
  const char *name;          /* "docker" or "podman": the ArEngine kind and the test path */
  int (*cli) (const char *const *args, char **out_stdout, char **out_stderr);
  char *base;                /* the fixture's base image in this engine */
  ArEngine *engine;
  ArImageBuilder *builder;
} Engine;

static Engine on_docker = { "docker", ar_test_engine_docker, NULL, NULL, NULL };
static Engine on_podman = { "podman", ar_test_engine_podman, NULL, NULL, NULL };

/* Podman keeps its own images: the same root file system, imported there. */
static char *
podman_import_base (void)
{
  g_autofree char *name = g_strconcat ("ar-test-base:", ar_test_engine_run_id (), NULL);
  g_autofree char *change = g_strconcat ("LABEL " RUN_LABEL_KEY "=", ar_test_engine_run_id (), NULL);
  g_autofree char *err = NULL;
  const char *import[] = { "import", "--change", change, ar_test_engine_base_tar (), name, NULL };

  if (ar_test_engine_podman (import, NULL, &err) != 0)
    g_error ("podman import failed: %s", err);
  return g_steal_pointer (&name);
}

static gboolean
need_engine (Engine *e)
{
  /* podman too: the fixture that makes the base's file system is Docker's */
  if (!ar_test_engine_ensure ())
    {
      g_autofree char *why = g_strdup_printf ("no container engine can be had here: %s",
                                              ar_test_engine_skip_reason ());

      g_test_skip (why);
      return FALSE;
    }
  if (e == &on_podman && !ar_test_engine_podman_ensure ())
    {
      g_test_skip ("podman is not installed, or not running as root");
      return FALSE;
    }
  if (e->builder == NULL)
    {
      e->base = e == &on_podman ? podman_import_base () : ar_test_engine_base_image ();
      /* After the fixture: the engine captures DOCKER_HOST. */
      e->engine = ar_engine_new (e->name, "");
      e->builder = ar_image_builder_new (e->engine);
    }
  return TRUE;
}

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context until cond() holds; fails after `seconds`. */
static void
wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds, const char *what)
{
  double deadline = now_seconds () + seconds;
  guint tick = g_timeout_add (50, wake, NULL);

  while (!cond (data))
    {
      if (now_seconds () > deadline)
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
new_settings (Engine *e)
{
  ArSettings *settings = ar_settings_new_default ();

  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (e->base);
  g_free (settings->engine);
  settings->engine = g_strdup (e->name);
  settings->build_timeout = 60;
  return settings;
}

static ArEnvironment *
new_env (Engine *e, const char *name, const char *const *agent)
{
  ArEnvironment *env = ar_environment_new_with_id ();
  g_autofree char *full_name = g_strdup_printf ("%s %s", name, ar_environment_get_env_id (env));

  ar_environment_set_name (env, full_name);
  ar_environment_set_base_image (env, e->base);
  ar_environment_set_agent_cli (env, "custom");
  if (agent != NULL)
    ar_environment_set_custom_command (env, agent);
  return env;
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer flag)
{
  return *(gboolean *) flag;
}

/* Runs one task to its end with the shared docker builder. */
static ArTaskRunner *
run_task (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, const char *prompt)
{
  g_autoptr(ArTask) task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env),
                                        prompt, AR_TASK_KIND_TASK);
  ArTaskRunner *runner = ar_task_runner_new (builder, task, env, settings);
  gboolean done = FALSE;

  ar_task_runner_run_async (runner, NULL, run_done, &done);
  wait_until (flag_set, &done, TASK_SECONDS, "the task to end");
  g_assert_true (task_finished (task));
  return runner;
}

static char *
task_log_text (ArTask *task)
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

/* A line holding all of the needles. */
static gboolean
has_line_with (const char *text, const char *a, const char *b)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], a) != NULL && strstr (lines[i], b) != NULL)
      return TRUE;
  return FALSE;
}

static void
assert_line_with (const char *text, const char *a, const char *b)
{
  if (!has_line_with (text, a, b))
    g_error ("no line holds both “%s” and “%s” in:\n%s", a, b, text);
}

static char *
engine_out (Engine *e, const char *const *args)
{
  char *out = NULL;
  g_autofree char *err = NULL;

  if (e->cli (args, &out, &err) != 0)
    g_error ("%s %s failed: %s", e->name, args[0], err);
  return g_strstrip (out);
}

static gboolean
container_exists (Engine *e, const char *name)
{
  g_autofree char *filter = g_strconcat ("name=^", name, "$", NULL);
  const char *args[] = { "ps", "-aq", "--filter", filter, NULL };
  g_autofree char *out = engine_out (e, args);

  return *out != '\0';
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

/* ---- secrets ------------------------------------------------------------ */

typedef struct {
  GPtrArray *lines;
} Lines;

static void
collect_line (ArTaskLog *log, const char *line, int level, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (line));
}

static gboolean
saw_token_line (gpointer lines)
{
  GPtrArray *array = lines;

  for (guint i = 0; i < array->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (array, i), "token="))
      return TRUE;
  return FALSE;
}

static void
test_secret (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo \"token=$MY_API_TOKEN\"; echo \"plain=$PLAIN_VALUE\"; "
                          "echo \"dh=$DOCKER_HOST\"; sleep 3", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *secret = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *log = NULL;
  gboolean done = FALSE;

  if (!need_engine (e))
    return;
  env = new_env (e, "secret", agent);
  settings = new_settings (e);
  secret = g_strdup_printf ("some-long-secret-value-%s", ar_test_engine_run_id ());
  plain = g_strdup_printf ("not-secret-%s", ar_test_engine_run_id ());
  {
    g_autofree char *a = g_strconcat ("MY_API_TOKEN=", secret, NULL);
    g_autofree char *b = g_strconcat ("PLAIN_VALUE=", plain, NULL);
    /* The CLI reads DOCKER_HOST itself: this one must reach only the
     * container, or docker run would go nowhere. */
    const char *vars[] = { a, b, "DOCKER_HOST=tcp://127.0.0.1:1", NULL };

    ar_environment_set_env_vars (env, vars);
  }

  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "", AR_TASK_KIND_TASK);
  runner = ar_task_runner_new (e->builder, task, env, settings);
  g_signal_connect (ar_task_runner_get_log (runner), "line", G_CALLBACK (collect_line), lines);
  ar_task_runner_run_async (runner, NULL, run_done, &done);
  while (!saw_token_line (lines) && !done)
    g_main_context_iteration (NULL, TRUE);
  if (done)
    {
      g_autofree char *early = task_log_text (task);

      g_error ("the task ended before the agent printed the token:\n%s", early);
    }

  /* The container runs now, with the value: in no process's argv. */
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  g_assert_false (ar_test_any_cmdline_contains (secret));
  g_assert_false (ar_test_any_cmdline_contains (plain));

  wait_until (flag_set, &done, TASK_SECONDS, "the task to end");
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  log = task_log_text (task);
  /* The container saw it (the echo printed it), the log has it redacted. */
  assert_contains (log, "token=[REDACTED]\n");
  assert_not_contains (log, secret);
  for (guint i = 0; i < lines->len; i++)
    assert_not_contains (g_ptr_array_index (lines, i), secret);
  /* A value whose name does not look secret is passed and shown. */
  {
    g_autofree char *shown = g_strdup_printf ("plain=%s\n", plain);

    assert_contains (log, shown);
  }
  assert_contains (log, "dh=tcp://127.0.0.1:1\n");
  {
    g_autofree char *run_dir = ar_paths_run_dir ();
    g_autofree char *env_file = g_strdup_printf ("%s/%s.env", run_dir, ar_task_get_id (task));

    g_assert_false (g_file_test (env_file, G_FILE_TEST_EXISTS));
  }
}

/* ---- stop --------------------------------------------------------------- */

static void
test_stop (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sleep", "300", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *log = NULL;
  gboolean done = FALSE;
  double stopped_at;

  if (!need_engine (e))
    return;
  env = new_env (e, "stop", agent);
  settings = new_settings (e);
  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "", AR_TASK_KIND_TASK);
  runner = ar_task_runner_new (e->builder, task, env, settings);
  ar_task_runner_run_async (runner, NULL, run_done, &done);
  wait_until (task_running, task, TASK_SECONDS, "the container to start");
  g_assert_true (container_exists (e, ar_task_get_container_name (task)));

  stopped_at = now_seconds ();
  ar_task_runner_stop (runner);
  g_assert_true (ar_task_runner_get_stopping (runner));
  wait_until (flag_set, &done, 30, "the stopped task to end");
  g_test_message ("stopped in %.2f s", now_seconds () - stopped_at);
  /* docker stop's SIGTERM reaches sleep through --init: no 10 s wait. */
  g_assert_cmpfloat (now_seconds () - stopped_at, <, 8);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_CANCELLED);
  g_assert_false (container_exists (e, ar_task_get_container_name (task)));
  log = task_log_text (task);
  assert_contains (log, "[task/stop][INFO] stopping the task\n");
  assert_contains (log, "[task/end][INFO] cancelled after");

  /* Stopping again, or after the end, does nothing. */
  ar_task_runner_stop (runner);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_CANCELLED);

  /* Stopped while its environment layer builds: the build is cancelled. */
  {
    g_autoptr(ArTask) building = NULL;
    g_autoptr(ArTaskRunner) build_runner = NULL;
    g_autofree char *build_log = NULL;
    gboolean build_done = FALSE;

    ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
    ar_environment_set_cache_container_build (env, TRUE);
    ar_environment_set_cached_preflight_script (env, "echo slow build started\nsleep 30\n");
    building = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "", AR_TASK_KIND_TASK);
    build_runner = ar_task_runner_new (e->builder, building, env, settings);
    ar_task_runner_run_async (build_runner, NULL, run_done, &build_done);
    g_assert_cmpint (ar_task_get_state (building), ==, AR_TASK_STATE_BUILDING);
    while (strstr ((build_log = task_log_text (building)), "slow build started") == NULL)
      {
        g_clear_pointer (&build_log, g_free);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (20000);
      }
    stopped_at = now_seconds ();
    ar_task_runner_stop (build_runner);
    wait_until (flag_set, &build_done, 30, "the task stopped while building to end");
    g_assert_cmpfloat (now_seconds () - stopped_at, <, 10);
    g_assert_cmpint (ar_task_get_state (building), ==, AR_TASK_STATE_CANCELLED);
    g_assert_cmpint (ar_task_get_exit_status (building), ==, -1);
    g_assert_false (container_exists (e, ar_task_get_container_name (building)));
  }
}

/* ---- the queue ----------------------------------------------------------- */

static void load_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
count_finished (ArTaskManager *manager, ArTask *task, gpointer user_data)
{
  (*(guint *) user_data)++;
}

typedef struct {
  guint *count;
  guint want;
} Count;

static gboolean
count_reached (gpointer data)
{
  Count *c = data;

  return *c->count >= c->want;
}

static void
test_queue (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo start; sleep 1.5; echo end", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvironment) other = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) first = NULL;
  g_autoptr(ArTask) second = NULL;
  g_autoptr(ArTask) third = NULL;
  g_autoptr(ArTask) fourth = NULL;
  g_autoptr(ArTask) fifth = NULL;
  g_autofree char *log = NULL;
  guint finished = 0;
  Count until = { &finished, 0 };

  if (!need_engine (e))
    return;
  env = new_env (e, "queue", agent);
  other = new_env (e, "queue other", agent);
  ar_environment_set_max_agents_running (env, 1);
  settings = new_settings (e);
  manager = ar_task_manager_new (e->builder, settings);
  g_signal_connect (manager, "task-finished", G_CALLBACK (count_finished), &finished);

  /* Two of one environment with max_agents_running 1; another environment
   * is not held back by that limit. */
  first = g_object_ref (ar_task_manager_start (manager, env, "one"));
  second = g_object_ref (ar_task_manager_start (manager, env, "two"));
  third = g_object_ref (ar_task_manager_start (manager, other, "three"));
  g_assert_cmpint (ar_task_get_state (second), ==, AR_TASK_STATE_QUEUED);
  g_assert_true (ar_task_state_is_active (ar_task_get_state (first)));
  g_assert_true (ar_task_state_is_active (ar_task_get_state (third)));
  g_assert_cmpuint (ar_task_manager_get_n_active (manager), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 3);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (manager)) == AR_TYPE_TASK);

  /* Another manager (another process) leaves a live queued task alone. */
  {
    g_autoptr(ArTaskManager) other_manager = ar_task_manager_new (e->builder, settings);
    g_autofree char *path = ar_task_dup_record_path (second);
    g_autoptr(ArTask) reread = NULL;
    gboolean loaded = FALSE;

    ar_task_manager_load_async (other_manager, AR_TASK_MANAGER_LOAD_FOLLOW, NULL, load_done, &loaded);
    wait_until (flag_set, &loaded, TASK_SECONDS, "the other manager to load");
    reread = ar_task_new_from_file (path, NULL);
    g_assert_cmpint (ar_task_get_state (reread), ==, AR_TASK_STATE_QUEUED);
    g_assert_cmpint (ar_task_get_state (second), ==, AR_TASK_STATE_QUEUED);
  }

  /* A queued task can be stopped before it ever starts. */
  fourth = g_object_ref (ar_task_manager_start (manager, env, "four"));
  g_assert_cmpint (ar_task_get_state (fourth), ==, AR_TASK_STATE_QUEUED);
  ar_task_manager_stop (manager, fourth);
  g_assert_cmpint (ar_task_get_state (fourth), ==, AR_TASK_STATE_CANCELLED);
  g_assert_cmpuint (finished, ==, 1);

  until.want = 2;
  wait_until (count_reached, &until, TASK_SECONDS, "the first tasks to end");
  /* The second waited the whole first run. */
  while (!ar_task_state_is_finished (ar_task_get_state (first)))
    g_main_context_iteration (NULL, TRUE);
  until.want = 4;
  wait_until (count_reached, &until, TASK_SECONDS, "the queued task to end");
  g_assert_cmpint (ar_task_get_state (first), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_state (second), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_state (third), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_started_at (second), >=, ar_task_get_finished_at (first));
  g_assert_cmpint (ar_task_get_started_at (third), <, ar_task_get_finished_at (first));
  log = task_log_text (second);
  assert_contains (log, "[task/queue][INFO] queued: the environment allows 1 task at a time\n");
  g_clear_pointer (&log, g_free);

  /* The Settings-wide limit holds back any environment. */
  settings->max_concurrent_tasks = 1;
  ar_task_manager_set_settings (manager, settings);
  g_clear_object (&first);
  g_clear_object (&third);
  first = g_object_ref (ar_task_manager_start (manager, other, "five"));
  fifth = g_object_ref (ar_task_manager_start (manager, env, "six"));
  g_assert_cmpint (ar_task_get_state (fifth), ==, AR_TASK_STATE_QUEUED);
  until.want = 6;
  wait_until (count_reached, &until, TASK_SECONDS, "the Settings-limited tasks to end");
  g_assert_cmpint (ar_task_get_started_at (fifth), >=, ar_task_get_finished_at (first));
  log = task_log_text (fifth);
  assert_contains (log, "[task/queue][INFO] queued: Settings allow 1 task at a time\n");

  /* Lookups by id and by a unique beginning. */
  {
    g_autoptr(GError) error = NULL;
    const char *id = ar_task_get_id (fifth);
    g_autofree char *prefix = g_strndup (id, strlen (id) - 2);

    g_assert_true (ar_task_manager_lookup (manager, id, &error) == fifth);
    g_assert_true (ar_task_manager_lookup (manager, prefix, &error) == fifth);
    g_assert_null (ar_task_manager_lookup (manager, "nope", &error));
    g_assert_error (error, AR_TASK_ERROR, AR_TASK_ERROR_NOT_FOUND);
  }
}

/* ---- the scratch folder -------------------------------------------------- */

static guint
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static void
test_scratch (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "id -u; sleep 2", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *nonroot = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *scratch = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint files = 0;
  gboolean done = FALSE;

  if (!need_engine (e))
    return;
  nonroot = ar_test_engine_nonroot_base_image ();
  env = new_env (e, "scratch", agent);
  ar_environment_set_base_image (env, nonroot);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, "echo \"run preflight as $(id -u)\"\n");
  settings = new_settings (e);
  settings->preflight_enabled = TRUE;
  settings->preflight_script = (g_free (settings->preflight_script), g_strdup ("echo settings preflight ran\n"));

  /* A umask that would make 0600 files: the runner must not care. */
  {
    mode_t old = umask (077);

    task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "", AR_TASK_KIND_TASK);
    runner = ar_task_runner_new (e->builder, task, env, settings);
    ar_task_runner_run_async (runner, NULL, run_done, &done);
    wait_until (task_running, task, TASK_SECONDS, "the container to start");
    umask (old);
  }

  run_dir = ar_paths_run_dir ();
  scratch = g_build_filename (run_dir, ar_task_get_id (task), NULL);
  g_assert_cmpuint (mode_of (run_dir), ==, 0700);
  g_assert_cmpuint (mode_of (scratch), ==, 0755);
  dir = g_dir_open (scratch, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (scratch, name, NULL);

      g_assert_cmpuint (mode_of (path), ==, 0644);
      files++;
    }
  g_assert_cmpuint (files, ==, 3);  /* entry, Settings preflight, run preflight */

  wait_until (flag_set, &done, TASK_SECONDS, "the task to end");
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  g_assert_false (g_file_test (scratch, G_FILE_TEST_EXISTS));
  log = task_log_text (task);
  /* uid 1000 read them through the read-only mount */
  assert_contains (log, "settings preflight ran\n[task/preflight][INFO] running run preflight\nrun preflight as 1000\n");
  assert_contains (log, "\n1000\n");
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* Live GSubprocess objects, counted by wrapping the class's own
 * constructed and finalize (GLib's instance count needs a debug build). */
static int live_subprocesses;
static void (*subprocess_constructed) (GObject *object);
static void (*subprocess_finalize) (GObject *object);

static void
counted_constructed (GObject *object)
{
  live_subprocesses++;
  if (subprocess_constructed != NULL)
    subprocess_constructed (object);
}

static void
counted_finalize (GObject *object)
{
  live_subprocesses--;
  subprocess_finalize (object);
}

static void
track_subprocesses (void)
{
  GObjectClass *klass = g_type_class_ref (G_TYPE_SUBPROCESS);

  if (subprocess_finalize != NULL)
    return;
  subprocess_constructed = klass->constructed;
  subprocess_finalize = klass->finalize;
  klass->constructed = counted_constructed;
  klass->finalize = counted_finalize;
}

/* ---- workspaces and mounts ------------------------------------------------ */

static void
test_workspaces (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "pwd; cat hello.txt; echo from-container > out.txt; cat /extra/x.txt", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autoptr(ArTaskRunner) missing_runner = NULL;
  g_autoptr(ArTaskRunner) clone_runner = NULL;
  g_autofree char *workspace = ar_test_mkdtemp ("workspace");
  g_autofree char *extra = ar_test_mkdtemp ("extra");
  g_autofree char *other = ar_test_mkdtemp ("other");
  g_autofree char *hello = g_build_filename (workspace, "hello.txt", NULL);
  g_autofree char *x = g_build_filename (extra, "x.txt", NULL);
  g_autofree char *out_file = g_build_filename (workspace, "out.txt", NULL);
  g_autofree char *out_text = NULL;
  g_autofree char *log = NULL;
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *git = g_find_program_in_path ("git");

  if (!need_engine (e))
    return;
  ar_test_write_file (hello, "hello from the host\n");
  ar_test_write_file (x, "extra mounted\n");
  g_chmod (workspace, 0777);   /* the container user may differ from ours */

  env = new_env (e, "workspace", agent);
  settings = new_settings (e);
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, workspace);
  ar_environment_set_container_workdir (env, "/work");
  m1 = g_strdup_printf ("%s:/extra:ro", extra);
  m2 = g_strdup_printf ("%s:/work", other);
  {
    const char *mounts[] = { m1, NULL };

    ar_environment_set_extra_mounts (env, mounts);
  }
  runner = run_task (e->builder, env, settings, "");
  log = task_log_text (ar_task_runner_get_task (runner));
  g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (runner)), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "/work\nhello from the host\nextra mounted\n");
  out_text = ar_test_read_file (out_file);
  g_assert_cmpstr (out_text, ==, "from-container\n");
  g_clear_pointer (&log, g_free);

  /* A mount the runner cannot make fails the task at once, saying which
   * and why, instead of running without it (issue 10 item 2): the same
   * container path as the workspace, a host folder that is not there. */
  {
    const char *const refused[][3] = {
      { m2, "/work", "already mounted" },
      { "/no/such/folder:/nowhere", "/no/such/folder", "does not exist" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        const char *mounts[] = { m1, refused[i][0], NULL };
        g_autoptr(ArTaskRunner) refused_runner = NULL;
        ArTask *task;

        ar_environment_set_extra_mounts (env, mounts);
        refused_runner = run_task (e->builder, env, settings, "");
        task = ar_task_runner_get_task (refused_runner);
        g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
        g_assert_cmpint (ar_task_get_exit_status (task), ==, -1);
        assert_contains (ar_task_get_error_message (task), refused[i][1]);
        assert_contains (ar_task_get_error_message (task), refused[i][2]);
        g_assert_cmpstr (ar_task_get_image (task), ==, "");
      }
    ar_environment_set_extra_mounts (env, (const char *const[]) { m1, NULL });
  }

  /* A mounted workspace that does not exist fails at once, saying so. */
  ar_environment_set_workspace_target (env, "/no/such/workspace");
  missing_runner = run_task (e->builder, env, settings, "");
  g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (missing_runner)), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (ar_task_runner_get_task (missing_runner)), ==, -1);
  assert_contains (ar_task_get_error_message (ar_task_runner_get_task (missing_runner)), "/no/such/workspace");

  /* cloned: git clone on the host into the task's folder. */
  if (git == NULL)
    {
      g_test_message ("no git here: the cloned case is skipped");
      return;
    }
  {
    g_autofree char *repo = ar_test_mkdtemp ("repo");
    g_autofree char *readme = g_build_filename (repo, "README", NULL);
    const char *init[] = { "git", "-C", repo, "init", "-q", NULL };
    const char *add[] = { "git", "-C", repo, "add", "README", NULL };
    const char *commit[] = { "git", "-C", repo, "-c", "user.email=t@example.org", "-c", "user.name=t",
                             "commit", "-q", "-m", "one", NULL };
    const char *clone_agent[] = { "cat", "README", NULL };
    g_autofree char *clone_dir = NULL;
    int live;
    int status;

    ar_test_write_file (readme, "cloned readme\n");
    g_assert_true (g_spawn_sync (NULL, (char **) init, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) add, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_true (g_spawn_sync (NULL, (char **) commit, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));

    ar_environment_set_workspace_type (env, "cloned");
    ar_environment_set_workspace_target (env, repo);
    ar_environment_set_custom_command (env, clone_agent);
    ar_environment_set_extra_mounts (env, NULL);
    track_subprocesses ();
    live = live_subprocesses;
    clone_runner = run_task (e->builder, env, settings, "");
    /* The git process went when the clone ended, not with the runner: the
     * cancel handler used to hold it (issue 10 item 7). */
    g_assert_cmpint (live_subprocesses, <=, live);
    log = task_log_text (ar_task_runner_get_task (clone_runner));
    g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (clone_runner)), ==, AR_TASK_STATE_DONE);
    assert_contains (log, "[git/clone][INFO] cloning");
    assert_contains (log, "\ncloned readme\n");
    /* The clone stays with the task: the agent's work is there. */
    clone_dir = g_build_filename (g_getenv ("XDG_STATE_HOME"), "agents-runner", "tasks",
                                  ar_task_get_id (ar_task_runner_get_task (clone_runner)), "workspace", "README", NULL);
    g_assert_true (g_file_test (clone_dir, G_FILE_TEST_EXISTS));
  }
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

/* ---- a clone URL with credentials --------------------------------------- */

static void
test_clone_argv (void)
{
  const char *const cases[][5] = {
    /* target, URL in argv, username, password */
    { "https://user:p%40ss%3Aword@example.org/o/r.git", "https://example.org/o/r.git", "user", "p@ss:word", NULL },
    { "https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r.git", "https://github.com/o/r.git",
      "ghp_abcdefghijklmnopqrstuvwxyz0123", NULL, NULL },
    { "http://al1ce:b0bpw@127.0.0.1:8080/x@y/r.git", "http://127.0.0.1:8080/x@y/r.git", "al1ce", "b0bpw", NULL },
    { "ssh://git:hunter22@example.org/r.git", "ssh://git@example.org/r.git", NULL, "hunter22", NULL },
    { "ssh://git@example.org/r.git", "ssh://git@example.org/r.git", NULL, NULL, NULL },
    { "git@github.com:o/r.git", "git@github.com:o/r.git", NULL, NULL, NULL },
    { "/home/me/repo", "/home/me/repo", NULL, NULL, NULL },
    { "file:///srv/r.git", "file:///srv/r.git", NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) argv = NULL;
      g_auto(GStrv) env = NULL;
      g_autofree char *shown = NULL;
      g_autofree char *user = NULL;
      g_autofree char *password = NULL;
      gboolean secret = cases[i][2] != NULL || cases[i][3] != NULL;
      guint n = secret ? 7 : 5;

      argv = ar_task_runner_clone_argv (cases[i][0], "/tmp/ws", "/run/askpass", &env, &shown);
      g_assert_cmpuint (g_strv_length (argv), ==, n);
      g_assert_cmpstr (argv[0], ==, "git");
      g_assert_cmpstr (argv[n - 3], ==, "--");
      g_assert_cmpstr (argv[n - 2], ==, cases[i][1]);
      g_assert_cmpstr (argv[n - 1], ==, "/tmp/ws");
      g_assert_cmpstr (shown, ==, cases[i][1]);
      for (guint k = 0; argv[k] != NULL; k++)
        {
          if (cases[i][3] != NULL)
            g_assert_null (strstr (argv[k], cases[i][3]));
          if (cases[i][2] != NULL)
            g_assert_null (strstr (argv[k], cases[i][2]));
        }
      g_assert_true (g_strv_contains ((const char *const *) env, "GIT_TERMINAL_PROMPT=0"));
      if (secret)
        {
          g_autofree char *user_var = g_strconcat ("AR_GIT_USERNAME=", cases[i][2] ? cases[i][2] : "", NULL);
          g_autofree char *password_var = g_strconcat ("AR_GIT_PASSWORD=", cases[i][3] ? cases[i][3] : "", NULL);

          /* the user's stored credentials do not answer first */
          g_assert_cmpstr (argv[1], ==, "-c");
          g_assert_cmpstr (argv[2], ==, "credential.helper=");
          g_assert_true (g_strv_contains ((const char *const *) env, user_var));
          g_assert_true (g_strv_contains ((const char *const *) env, password_var));
          g_assert_true (g_strv_contains ((const char *const *) env, "GIT_ASKPASS=/run/askpass"));
        }
      else
        g_assert_cmpuint (g_strv_length (env), ==, 1);
      g_free (ar_task_runner_strip_url_credentials (cases[i][0], &user, &password));
      g_assert_cmpstr (user, ==, cases[i][2]);
      g_assert_cmpstr (password, ==, cases[i][3]);
    }
}

/* A git repository over "dumb" HTTP that asks for a user and a password. */
typedef struct {
  char *root;             /* holds repo.git */
  const char *user;
  const char *password;
  guint n_requests;
  guint n_refused;
  gboolean secret_in_argv;  /* a process's command line held the password */
} GitServer;

static gboolean
git_server_auth (SoupAuthDomain *domain, SoupServerMessage *msg, const char *user, const char *password, gpointer data)
{
  GitServer *server = data;
  gboolean ok = g_str_equal (user, server->user) && g_str_equal (password, server->password);

  if (!ok)
    server->n_refused++;
  return ok;
}

static void
git_server_handle (SoupServer *soup, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  GitServer *server = data;
  g_autofree char *file = NULL;
  char *contents = NULL;
  gsize len = 0;

  server->n_requests++;
  /* git is running now: its command lines (and its helpers') are there;
   * the password's middle is the same raw and percent-encoded */
  if (ar_test_any_cmdline_contains ("s3cret"))
    server->secret_in_argv = TRUE;
  file = g_build_filename (server->root, path, NULL);
  if (strstr (path, "..") != NULL || !g_file_get_contents (file, &contents, &len, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_TAKE, contents, len);
}

static void
git_in (const char *dir, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (char *) "git");
  g_ptr_array_add (argv, (char *) "-C");
  g_ptr_array_add (argv, (char *) dir);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("git %s failed: %s", args[0], err);
}

/* A real clone over http://127.0.0.1 that needs a user and a password: the
 * clone works, and the password is in no command line and not in the log;
 * a wrong one fails saying so, without it. */
static void
test_clone_credentials (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "cat", "README", NULL };
  GitServer server = { NULL, "someone", "Tr0ub4dor&3-s3cret@x", 0, 0, FALSE };
  g_autofree char *git = g_find_program_in_path ("git");
  g_autoptr(SoupServer) soup = NULL;
  g_autoptr(SoupAuthDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autoptr(ArTaskRunner) wrong_runner = NULL;
  g_autofree char *work = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *url = NULL;
  g_autofree char *wrong_url = NULL;
  g_autofree char *log = NULL;
  GSList *uris;
  guint port;

  if (git == NULL)
    {
      g_test_skip ("no git here");
      return;
    }
  if (!need_engine (e))
    return;

  /* the repository, served as files */
  server.root = ar_test_mkdtemp ("served");
  work = ar_test_mkdtemp ("repo");
  bare = g_build_filename (server.root, "repo.git", NULL);
  readme = g_build_filename (work, "README", NULL);
  ar_test_write_file (readme, "cloned over http\n");
  git_in (work, (const char *[]) { "init", "-q", NULL });
  git_in (work, (const char *[]) { "add", "README", NULL });
  git_in (work, (const char *[]) { "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "one", NULL });
  git_in (server.root, (const char *[]) { "clone", "-q", "--bare", work, bare, NULL });
  git_in (bare, (const char *[]) { "update-server-info", NULL });

  soup = soup_server_new (NULL, NULL);
  domain = soup_auth_domain_basic_new ("realm", "git", NULL);
  soup_auth_domain_basic_set_auth_callback (domain, git_server_auth, &server, NULL);
  soup_auth_domain_add_path (domain, "/");
  soup_server_add_auth_domain (soup, domain);
  soup_server_add_handler (soup, NULL, git_server_handle, &server, NULL);
  g_assert_true (soup_server_listen_local (soup, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (soup);
  port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  escaped = g_uri_escape_string (server.password, NULL, FALSE);
  url = g_strdup_printf ("http://%s:%s@127.0.0.1:%u/repo.git", server.user, escaped, port);

  env = new_env (e, "clone-credentials", agent);
  settings = new_settings (e);
  ar_environment_set_workspace_type (env, "cloned");
  ar_environment_set_workspace_target (env, url);
  runner = run_task (e->builder, env, settings, "");
  log = task_log_text (ar_task_runner_get_task (runner));
  g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (runner)), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "\ncloned over http\n");
  g_assert_cmpuint (server.n_requests, >, 0);
  g_assert_false (server.secret_in_argv);
  assert_not_contains (log, server.password);
  assert_not_contains (log, escaped);
  assert_not_contains (log, "s3cret");
  {
    g_autofree char *shown = g_strdup_printf ("cloning http://127.0.0.1:%u/repo.git into", port);

    assert_contains (log, shown);
  }
  g_clear_pointer (&log, g_free);

  /* A wrong password: git is refused, and nothing shows either password. */
  wrong_url = g_strdup_printf ("http://%s:%s@127.0.0.1:%u/repo.git", server.user, "wrong-Pa55word-here", port);
  ar_environment_set_workspace_target (env, wrong_url);
  server.n_refused = 0;
  wrong_runner = run_task (e->builder, env, settings, "");
  log = task_log_text (ar_task_runner_get_task (wrong_runner));
  g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (wrong_runner)), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpuint (server.n_refused, >, 0);
  assert_contains (ar_task_get_error_message (ar_task_runner_get_task (wrong_runner)), "git clone failed");
  assert_not_contains (ar_task_get_error_message (ar_task_runner_get_task (wrong_runner)), "wrong-Pa55word-here");
  assert_not_contains (log, "wrong-Pa55word-here");
  g_assert_false (server.secret_in_argv);
  {
    /* the askpass program went with the clone */
    g_autofree char *run_dir = ar_paths_run_dir ();
    g_autoptr(GDir) dir = g_dir_open (run_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      g_assert_false (g_str_has_suffix (name, ".askpass"));
  }

  /* A token as the user, as GitHub takes it: the same way, nowhere shown. */
  {
    g_autoptr(ArTaskRunner) token_runner = NULL;
    g_autofree char *token_url = NULL;

    server.user = "ghp_s3cretTOKENabcdefghijklmnop0123";
    server.password = "";
    token_url = g_strdup_printf ("http://%s@127.0.0.1:%u/repo.git", server.user, port);
    ar_environment_set_workspace_target (env, token_url);
    token_runner = run_task (e->builder, env, settings, "");
    g_clear_pointer (&log, g_free);
    log = task_log_text (ar_task_runner_get_task (token_runner));
    g_assert_cmpint (ar_task_get_state (ar_task_runner_get_task (token_runner)), ==, AR_TASK_STATE_DONE);
    assert_contains (log, "\ncloned over http\n");
    assert_not_contains (log, "s3cret");
    g_assert_false (server.secret_in_argv);
  }
  soup_server_disconnect (soup);
  g_free (server.root);
}

/* ---- the agent's config folder -------------------------------------------- */

static void
test_config_dir (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autoptr(ArTaskRunner) missing_runner = NULL;
  g_autofree char *config = g_build_filename (g_get_home_dir (), ".gemini", NULL);
  g_autofree char *file = g_build_filename (config, "settings.json", NULL);
  g_autofree char *log = NULL;
  g_autofree char *missing_log = NULL;
  ArTask *task;

  if (!need_engine (e))
    return;
  ar_test_write_file (file, "{\"from\": \"the host\"}\n");
  g_chmod (config, 0755);
  g_chmod (file, 0644);
  env = new_env (e, "config", NULL);
  ar_environment_set_agent_cli (env, "gemini");
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, "cat /home/midori-ai/.gemini/settings.json\n");
  settings = new_settings (e);

  /* The image has no gemini: the agent fails with 127, after the
   * preflight has shown the mounted folder. */
  runner = run_task (e->builder, env, settings, "hello");
  task = ar_task_runner_get_task (runner);
  log = task_log_text (task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 127);
  assert_contains (log, "{\"from\": \"the host\"}\n");
  g_assert_true (has_line_with (log, "[task/mounts][INFO]", "/home/midori-ai/.gemini"));

  /* No folder on this computer: not mounted, and said at INFO. */
  ar_environment_set_host_config_dir (env, "~/.no-such-gemini");
  missing_runner = run_task (e->builder, env, settings, "hello");
  missing_log = task_log_text (ar_task_runner_get_task (missing_runner));
  g_assert_true (has_line_with (missing_log, "[task/mounts][INFO] no config folder", ".no-such-gemini"));
  assert_contains (missing_log, "No such file or directory");
}

/* ---- desktop: the published port ------------------------------------------ */

static void
test_desktop_port (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo \"agent DISPLAY=$DISPLAY\"; sleep 2", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *scripts = ar_test_mkdtemp ("desktop");
  g_autofree char *install = g_build_filename (scripts, "install.sh", NULL);
  g_autofree char *start = g_build_filename (scripts, "start.sh", NULL);
  g_autofree char *bindings = NULL;
  g_autofree char *log = NULL;
  gboolean done = FALSE;

  if (!need_engine (e))
    return;
  ar_test_write_file (install, "#!/bin/sh\necho fake desktop installed\n");
  ar_test_write_file (start, "#!/bin/sh\necho fake desktop started\n");
  env = new_env (e, "desktop", agent);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  settings = new_settings (e);
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);

  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "", AR_TASK_KIND_TASK);
  runner = ar_task_runner_new (e->builder, task, env, settings);
  ar_task_runner_run_async (runner, NULL, run_done, &done);
  wait_until (task_running, task, TASK_SECONDS, "the container to start");
  {
    const char *args[] = { "inspect", "-f", "{{json .HostConfig.PortBindings}}",
                           ar_task_get_container_name (task), NULL };

    bindings = engine_out (e, args);
  }
  /* 6080 on the loopback, a random host port. */
  assert_contains (bindings, "\"6080/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]");
  wait_until (flag_set, &done, TASK_SECONDS, "the task to end");
  log = task_log_text (task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  assert_contains (log, "fake desktop installed\n");
  /* (the runner's own port line may come between these two) */
  assert_contains (log, "fake desktop started\n");
  assert_contains (log, "agent DISPLAY=:1\n");
  /* An engine with a bridge gives the URL; this one (--bridge=none) may
   * not, and then the log says so instead of showing a dead link. */
  if (*ar_task_get_desktop_url (task) != '\0')
    {
      g_assert_true (g_regex_match_simple ("^http://127\\.0\\.0\\.1:[0-9]+/vnc\\.html$",
                                           ar_task_get_desktop_url (task), 0, 0));
      g_assert_true (has_line_with (log, "[desktop/port][INFO]", ar_task_get_desktop_url (task)));
    }
  else
    g_assert_true (has_line_with (log, "[desktop/port][WARN]", "no host port for the desktop"));
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

/* ---- the command line ----------------------------------------------------- */

static void
save_env (ArEnvironment *env)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  ar_env_store_replace (store, env);
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);
}

static gboolean
container_of_env_running (gpointer env_id)
{
  g_autofree char *filter = g_strconcat ("label=io.github.agents-runner.env-id=", (char *) env_id, NULL);
  const char *args[] = { "ps", "-q", "--filter", filter, NULL };
  /* the command line here runs with the default Settings: Docker */
  g_autofree char *out = engine_out (&on_docker, args);

  return *out != '\0';
}

/* `agents-runner run ENV` in the background. */
typedef struct {
  GSubprocess *proc;
  gboolean exited;
  const char *env_id;
} CliRun;

static void
cli_run_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CliRun *cli = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  cli->exited = TRUE;
}

static void
cli_run_start (CliRun *cli, const char *env_id)
{
  g_autoptr(GError) error = NULL;

  /* Output to a file: a pipe nobody reads could fill up and block it. */
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *dir = ar_test_mkdtemp ("cli-run");
  g_autofree char *out_path = g_build_filename (dir, "output", NULL);
  int fd = g_open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_subprocess_launcher_take_stdout_fd (launcher, fd);
  cli->proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AR_BINARY"), "run", env_id, NULL);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (cli->proc), "out-path", g_steal_pointer (&out_path), g_free);
  g_subprocess_wait_async (cli->proc, NULL, cli_run_waited, cli);
}

static char *
cli_run_output (CliRun *cli)
{
  const char *path = g_object_get_data (G_OBJECT (cli->proc), "out-path");
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text != NULL ? text : g_strdup ("");
}

static void
cli_run_check_alive (CliRun *cli)
{
  if (cli->exited)
    {
      g_autofree char *out = cli_run_output (cli);

      g_error ("the CLI ended early with status %d:\n%s", g_subprocess_get_exit_status (cli->proc), out);
    }
}

static gboolean
cli_exited (gpointer data)
{
  return ((CliRun *) data)->exited;
}

static gboolean
cli_container_or_exit (gpointer data)
{
  CliRun *cli = data;

  return cli->exited || container_of_env_running ((gpointer) cli->env_id);
}

static void
test_cli (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo \"agent got: $1\"; exit 4", "--", "{prompt}", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  gboolean saw_exit = FALSE, saw_agent = FALSE, saw_info = FALSE;
  const char *id;

  if (!need_engine (e))
    return;
  env = new_env (e, "cli", agent);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (env, "echo cli run preflight\n");
  save_env (env);
  id = ar_environment_get_env_id (env);

  /* --json-events: one object per line; the exit status is the task's. */
  {
    const char *args[] = { "run", id, "--prompt", "a \"b\" $(c)", "--json-events", NULL };

    g_assert_cmpint (ar_test_run_cli (args, NULL, &out, &err), ==, 4);
  }
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (lines[i], &error);
      JsonObject *obj;
      const char *event;

      g_assert_no_error (error);
      obj = json_node_get_object (node);
      event = json_object_get_string_member (obj, "event");
      if (g_str_equal (event, "state"))
        g_ptr_array_add (states, g_strdup (json_object_get_string_member (obj, "state")));
      else if (g_str_equal (event, "log"))
        {
          const char *line = json_object_get_string_member (obj, "line");
          const char *level = json_object_get_string_member (obj, "level");

          if (g_str_equal (line, "agent got: a \"b\" $(c)"))
            {
              saw_agent = TRUE;
              g_assert_cmpstr (level, ==, "OUTPUT");
            }
          if (g_str_equal (line, "[task/preflight][INFO] running run preflight"))
            {
              saw_info = TRUE;
              g_assert_cmpstr (level, ==, "INFO");
            }
        }
      else
        {
          g_assert_cmpstr (event, ==, "exit");
          g_assert_null (lines[i + 1]);   /* the last line */
          g_assert_cmpint (json_object_get_int_member (obj, "status"), ==, 4);
          saw_exit = TRUE;
        }
    }
  g_assert_true (saw_exit && saw_agent && saw_info);
  {
    g_autofree char *joined = NULL;

    g_ptr_array_add (states, NULL);
    joined = g_strjoinv (" ", (char **) states->pdata);
    g_assert_cmpstr (joined, ==, "queued preparing building starting running failed");
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* preflight test: the same start, then "preflight complete" instead of the agent. */
  {
    const char *args[] = { "preflight", "test", id, NULL };

    g_assert_cmpint (ar_test_run_cli (args, NULL, &out, &err), ==, 0);
  }
  assert_contains (out, "cli run preflight\npreflight complete\n");
  assert_not_contains (out, "agent got");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* ... and its exit status is the failing step's. */
  ar_environment_set_run_preflight_script (env, "exit 3\n");
  save_env (env);
  {
    const char *args[] = { "preflight", "test", id, NULL };

    g_assert_cmpint (ar_test_run_cli (args, NULL, &out, &err), ==, 3);
  }
  assert_contains (out, "[task/preflight][ERROR] run preflight failed with exit status 3\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Failing before anything ran is 1, with one sentence on stderr. */
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, "/no/such/workspace/here");
  save_env (env);
  {
    const char *args[] = { "run", id, NULL };

    g_assert_cmpint (ar_test_run_cli (args, NULL, &out, &err), ==, 1);
  }
  assert_contains (err, "/no/such/workspace/here");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A mount the runner would refuse is said before any task exists
   * (issue 10 item 2): it used to run without it, exit status the agent's. */
  ar_environment_set_workspace_type (env, "none");
  ar_environment_set_extra_mounts (env, (const char *const[]) { "/no/such/mount/source:/data:ro", NULL });
  save_env (env);
  {
    const char *args[] = { "run", id, "--prompt", "p", NULL };
    g_autofree char *tasks_dir = g_build_filename (g_getenv ("XDG_STATE_HOME"), "agents-runner", "tasks", NULL);
    guint before = count_entries (tasks_dir);

    g_assert_cmpint (ar_test_run_cli (args, NULL, &out, &err), ==, 1);
    g_assert_cmpuint (count_entries (tasks_dir), ==, before);
  }
  assert_contains (err, "/no/such/mount/source");
  assert_contains (err, "does not exist");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ar_environment_set_extra_mounts (env, NULL);
  save_env (env);

  /* Bad usage is 2. */
  {
    const char *args[] = { "run", NULL };

    g_assert_cmpint (ar_test_run_cli (args, NULL, &out, &err), ==, 2);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Ctrl+C stops the task: cancelled, container gone, status 130. */
  {
    const char *sleeper[] = { "sleep", "300", NULL };
    CliRun cli = { NULL, FALSE, id };
    double started;

    ar_environment_set_workspace_type (env, "none");
    ar_environment_set_run_preflight_script (env, "");
    ar_environment_set_custom_command (env, sleeper);
    save_env (env);
    cli_run_start (&cli, id);
    wait_until (cli_container_or_exit, &cli, TASK_SECONDS, "the CLI's container");
    cli_run_check_alive (&cli);
    started = now_seconds ();
    g_subprocess_send_signal (cli.proc, SIGINT);
    wait_until (cli_exited, &cli, 30, "the CLI to stop");
    g_assert_cmpint (g_subprocess_get_exit_status (cli.proc), ==, 130);
    g_assert_cmpfloat (now_seconds () - started, <, 10);
    g_assert_false (container_of_env_running ((gpointer) id));
    g_clear_object (&cli.proc);
  }
}

/* ---- a restart finds the running container again ------------------------- */

static gboolean
record_running (gpointer path)
{
  g_autoptr(ArTask) task = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return FALSE;
  task = ar_task_new_from_file (path, NULL);
  return task != NULL && ar_task_get_state (task) == AR_TASK_STATE_RUNNING;
}

static char *
find_record_of_env (const char *env_id)
{
  g_autofree char *tasks = ar_paths_tasks_dir ();
  g_autoptr(GDir) dir = g_dir_open (tasks, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks, name, "task.json", NULL);
      g_autoptr(ArTask) task = ar_task_new_from_file (path, NULL);

      if (task != NULL && g_str_equal (ar_task_get_env_id (task), env_id))
        return g_steal_pointer (&path);
    }
  return NULL;
}

typedef struct {
  const char *env_id;
  char *path;
  CliRun *cli;
} FindRecord;

static gboolean
record_appeared (gpointer data)
{
  FindRecord *find = data;

  if (find->cli->exited)
    return TRUE;   /* said by cli_run_check_alive() */

  if (find->path == NULL)
    find->path = find_record_of_env (find->env_id);
  return find->path != NULL && record_running (find->path);
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_task_manager_load_finish (AR_TASK_MANAGER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_restart (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo before; sleep 4; echo after; exit 3", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTaskManager) lister = NULL;
  CliRun cli = { NULL, FALSE, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *log = NULL;
  FindRecord find = { NULL, NULL, NULL };
  guint finished = 0;
  Count until = { &finished, 1 };
  gboolean loaded = FALSE;

  if (!need_engine (e))
    return;
  env = new_env (e, "restart", agent);
  {
    const char *vars[] = { "SOME_TOKEN=restart-secret-value-123", NULL };
    const char *secret_agent[] = { "sh", "-c", "echo before; sleep 4; echo \"after $SOME_TOKEN\"; exit 3", NULL };

    ar_environment_set_env_vars (env, vars);
    ar_environment_set_custom_command (env, secret_agent);
  }
  store = ar_env_store_new (NULL);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  ar_env_store_replace (store, env);
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);

  /* A real process runs the task, and dies without a word. */
  cli.env_id = ar_environment_get_env_id (env);
  cli_run_start (&cli, cli.env_id);
  find.env_id = ar_environment_get_env_id (env);
  find.cli = &cli;
  wait_until (record_appeared, &find, TASK_SECONDS, "the CLI's task to run");
  cli_run_check_alive (&cli);
  {
    g_autoptr(ArTask) probe = ar_task_new_from_file (find.path, NULL);

    /* While the CLI lives, its task is not ours to take. */
    g_assert_true (ar_task_is_owned_elsewhere (probe));
  }
  g_subprocess_force_exit (cli.proc);
  wait_until (cli_exited, &cli, 30, "the killed CLI");
  g_clear_object (&cli.proc);

  settings = new_settings (e);
  manager = ar_task_manager_new (e->builder, settings);
  ar_task_manager_set_env_store (manager, store);
  g_signal_connect (manager, "task-finished", G_CALLBACK (count_finished), &finished);
  ar_task_manager_load_async (manager, AR_TASK_MANAGER_LOAD_FOLLOW, NULL, load_done, &loaded);
  wait_until (flag_set, &loaded, TASK_SECONDS, "the tasks to load");

  {
    g_autofree char *dir = g_path_get_dirname (find.path);
    g_autofree char *id = g_path_get_basename (dir);

    task = g_object_ref (ar_task_manager_lookup (manager, id, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  g_assert_cmpuint (ar_task_manager_get_n_active (manager), ==, 1);
  g_assert_nonnull (ar_task_manager_get_log (manager, task));
  g_assert_true (container_exists (e, ar_task_get_container_name (task)));

  /* A second manager (another window, `task list`) leaves it alone. */
  {
    gboolean loaded2 = FALSE;

    lister = ar_task_manager_new (e->builder, settings);
    ar_task_manager_load_async (lister, AR_TASK_MANAGER_LOAD_RECONCILE, NULL, load_done, &loaded2);
    wait_until (flag_set, &loaded2, TASK_SECONDS, "the second load");
    g_assert_cmpint (ar_task_get_state (ar_task_manager_lookup (lister, ar_task_get_id (task), NULL)), ==,
                     AR_TASK_STATE_RUNNING);
  }

  wait_until (count_reached, &until, TASK_SECONDS, "the followed task to end");
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 3);
  log = task_log_text (task);
  /* Each line once: the output is followed from where the log stopped. */
  {
    g_auto(GStrv) parts = g_strsplit (log, "\nbefore\n", -1);

    g_test_message ("restart log:\n%s", log);

    g_auto(GStrv) started = g_strsplit (log, "[task/container][INFO] container started\n", -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    g_assert_cmpuint (g_strv_length (started), ==, 2);
  }
  assert_contains (log, "[task/follow][INFO] found the container");
  /* its output after the restart, redacted with the environment's values */
  assert_contains (log, "after [REDACTED]\n");
  assert_not_contains (log, "restart-secret-value-123");
  assert_contains (log, "[task/end][ERROR] failed: exit status 3");
  {
    g_autofree char *run_dir = ar_paths_run_dir ();
    g_autofree char *scratch = g_build_filename (run_dir, ar_task_get_id (task), NULL);

    g_assert_false (g_file_test (scratch, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr(ArTask) reread = ar_task_new_from_file (find.path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ar_task_get_state (reread), ==, AR_TASK_STATE_FAILED);
    g_assert_cmpint (ar_task_get_exit_status (reread), ==, 3);
  }
  g_free (find.path);
}

/* A record left in a running state by a process that died, with no
 * container any more: failed, saying why, on the next load. */
static void
test_left_behind (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) reread = NULL;
  g_autofree char *path = NULL;
  gboolean loaded = FALSE;

  if (!need_engine (e))
    return;
  task = ar_task_new ("env-gone", "gone", "p", AR_TASK_KIND_TASK);
  ar_task_set_started_at (task, g_get_real_time ());
  ar_task_set_state (task, AR_TASK_STATE_RUNNING);
  g_assert_true (ar_task_save (task, NULL));

  settings = new_settings (e);
  manager = ar_task_manager_new (e->builder, settings);
  ar_task_manager_load_async (manager, AR_TASK_MANAGER_LOAD_RECONCILE, NULL, load_done, &loaded);
  wait_until (flag_set, &loaded, TASK_SECONDS, "the tasks to load");
  path = ar_task_dup_record_path (task);
  reread = ar_task_new_from_file (path, NULL);
  g_assert_cmpint (ar_task_get_state (reread), ==, AR_TASK_STATE_FAILED);
  assert_contains (ar_task_get_error_message (reread), "exit status is unknown");
}

static guint
count_char (const char *text, char c)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == c;
  return n;
}

/* `run` and a progress bar of 10 000 "\r" updates: into a pipe only the
 * last of the run (or one a second) goes out; on a terminal each update
 * rewrites the line. */
static void
test_cli_progress (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c",
                          "i=0; while [ $i -lt 10000 ]; do printf '%d%%\\r' $i; i=$((i+1)); done; "
                          "printf 'last 100%%\\r'; echo; echo after", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *script = g_find_program_in_path ("script");
  const char *id;
  guint n_progress = 0;

  if (!need_engine (e))
    return;
  env = new_env (e, "cli-progress", agent);
  save_env (env);
  id = ar_environment_get_env_id (env);

  {
    const char *args[] = { "run", id, NULL };
    g_auto(GStrv) lines = NULL;

    g_assert_cmpint (ar_test_run_cli (args, NULL, &out, &err), ==, 0);
    lines = g_strsplit (out, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      if (strchr (lines[i], '%') != NULL)
        n_progress++;
    g_test_message ("%u progress lines of 10 001 went out", n_progress);
    /* one a second at most (the container runs for a few) */
    g_assert_cmpuint (n_progress, <=, 10);
    g_assert_null (strchr (out, '\r'));
    /* "last 100%" then an empty line: the empty line replaces it, as on a terminal */
    assert_contains (out, "\nafter\n");
    assert_not_contains (out, "9999%");
  }

  if (script == NULL)
    {
      g_test_message ("no script(1) here: the terminal case is skipped");
      return;
    }
  {
    g_autofree char *binary = g_shell_quote (g_getenv ("AR_BINARY"));
    g_autofree char *quoted_id = g_shell_quote (id);
    g_autofree char *command = g_strdup_printf ("%s run %s", binary, quoted_id);
    const char *argv[] = { script, "-qefc", command, "/dev/null", NULL };
    int status;

    g_clear_pointer (&out, g_free);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    /* every update rewrites the line: many "\r", few line ends */
    g_assert_cmpuint (count_char (out, '\r'), >, 10000);
    g_assert_cmpuint (count_char (out, '\n'), <, 200);
    assert_contains (out, "\r9999%\033[K");
    assert_contains (out, "after");
  }
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
  /* the rest of the runner, on Docker */
  g_test_add_func ("/task-runner/secret", test_secret);
  g_test_add_func ("/task-runner/stop", test_stop);
  g_test_add_func ("/task-runner/queue", test_queue);
  g_test_add_func ("/task-runner/scratch", test_scratch);
  g_test_add_func ("/task-runner/workspaces", test_workspaces);
  g_test_add_func ("/task-runner/blank-cached-preflight", test_blank_cached_preflight);
  g_test_add_func ("/task-runner/clone-argv", test_clone_argv);
  g_test_add_func ("/task-runner/clone-credentials", test_clone_credentials);
  g_test_add_func ("/task-runner/config-dir", test_config_dir);
  g_test_add_func ("/task-runner/desktop-port", test_desktop_port);
  g_test_add_func ("/task-runner/preflight-test", test_preflight_test);
  g_test_add_func ("/task-runner/cli", test_cli);
  g_test_add_func ("/task-runner/cli-progress", test_cli_progress);
  g_test_add_func ("/task-runner/restart", test_restart);
  g_test_add_func ("/task-runner/left-behind", test_left_behind);

  status = g_test_run ();
  for (guint i = 0; i < G_N_ELEMENTS (engines); i++)
    {
      g_clear_object (&engines[i]->builder);
      g_clear_object (&engines[i]->engine);
      g_clear_pointer (&engines[i]->base, g_free);
    }
  return status;
}
