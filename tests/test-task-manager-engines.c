/* test-task-manager-engines.c — several engines side by side (issue 15 part
 * 2): the task manager runs each environment's tasks on its own engine, the
 * Settings-wide limit holds per engine, the record names the engine, and a
 * task left running is looked for on its own engine after a restart.
 *
 * Two private engines: the run's (tests/engine-up.sh, as every engine test)
 * as the local one, and a second started here (tests/engine-up.sh with
 * AR_TEST_ENGINE_UP_DIR, as test-field.c's test_engine_network) as the
 * engine "second", reached by its own unix:// socket.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-second-engine.h"
#include "test-task-runner-utils.h"

#define SECOND "second"

static const char *second_host; /* the second engine's DOCKER_HOST */

static int
docker_on (const char *host, const char *const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) "docker");
  g_ptr_array_add (argv, (gpointer) "-H");
  g_ptr_array_add (argv, (gpointer) host);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &status, &error))
    g_error ("docker: %s", error->message);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 255;
}

static char *
docker_out (const char *host, const char *const *args)
{
  char *out = NULL;
  g_autofree char *err = NULL;

  if (docker_on (host, args, &out, &err) != 0)
    g_error ("docker -H %s %s failed: %s", host, args[0], err);
  return g_strstrip (out);
}

static gboolean
second_engine_up (const char *base)
{
  second_host = ar_test_second_engine_up (base);
  return second_host != NULL;
}

/* Whether a container of that name is on the engine at @host. */
static gboolean
exists_on (const char *host, const char *name)
{
  g_autofree char *filter = g_strconcat ("name=^", name, "$", NULL);
  const char *args[] = { "ps", "-aq", "--filter", filter, NULL };
  g_autofree char *out = docker_out (host, args);

  return *out != '\0';
}

static ArSettings *
two_engine_settings (Engine *e)
{
  ArSettings *settings = new_settings (e);

  g_ptr_array_add (settings->engines, ar_engine_entry_new (SECOND, second_host, "docker", "shared"));
  return settings;
}

typedef struct {
  ArTask *a;
  ArTask *b;
} Both;

static gboolean
both_running (gpointer data)
{
  Both *both = data;

  return ar_task_get_state (both->a) == AR_TASK_STATE_RUNNING && ar_task_get_state (both->b) == AR_TASK_STATE_RUNNING;
}

/* Tasks of A run on the local engine and of B on the second, at the same
 * time although Settings allow one task at a time: the limit is per engine.
 * A second task of A waits for the first. The records name the engines. */
static void
test_two_engines (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo started; sleep 4; echo end", NULL };
  g_autoptr(ArEnvironment) env_a = NULL;
  g_autoptr(ArEnvironment) env_b = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) a1 = NULL;
  g_autoptr(ArTask) a2 = NULL;
  g_autoptr(ArTask) b1 = NULL;
  g_autofree char *log = NULL;
  const char *local_host;
  guint finished = 0;
  Count until = { &finished, 3 };
  Both both;

  if (!need_engine (e) || !second_engine_up (e->base))
    return;
  /* after the fixture, which may have just started the engine */
  local_host = g_getenv ("DOCKER_HOST");
  g_assert_nonnull (local_host);
  env_a = new_env (e, "on local", agent);
  env_b = new_env (e, "on second", agent);
  ar_environment_set_engine (env_b, SECOND);
  settings = two_engine_settings (e);
  settings->max_concurrent_tasks = 1;
  manager = ar_task_manager_new (e->builder, settings);
  g_signal_connect (manager, "task-finished", G_CALLBACK (count_finished), &finished);

  a1 = g_object_ref (ar_task_manager_start (manager, env_a, "a one"));
  a2 = g_object_ref (ar_task_manager_start (manager, env_a, "a two"));
  b1 = g_object_ref (ar_task_manager_start (manager, env_b, "b one"));
  g_assert_true (ar_task_state_is_active (ar_task_get_state (a1)));
  g_assert_cmpint (ar_task_get_state (a2), ==, AR_TASK_STATE_QUEUED);
  /* Not held back by the local engine's full slot. */
  g_assert_true (ar_task_state_is_active (ar_task_get_state (b1)));
  g_assert_cmpuint (ar_task_manager_get_n_active (manager), ==, 2);
  g_assert_cmpstr (ar_task_get_engine (a1), ==, AR_LOCAL_ENGINE_NAME);
  g_assert_cmpstr (ar_task_get_engine (b1), ==, SECOND);

  both.a = a1;
  both.b = b1;
  wait_until (both_running, &both, TASK_SECONDS, "both tasks to run at once");
  /* Each container on its own engine, and only there. */
  g_assert_true (exists_on (local_host, ar_task_get_container_name (a1)));
  g_assert_false (exists_on (local_host, ar_task_get_container_name (b1)));
  g_assert_true (exists_on (second_host, ar_task_get_container_name (b1)));
  g_assert_false (exists_on (second_host, ar_task_get_container_name (a1)));
  g_assert_cmpint (ar_task_get_state (a2), ==, AR_TASK_STATE_QUEUED);

  wait_until (count_reached, &until, TASK_SECONDS * 2, "the three tasks to end");
  g_assert_cmpint (ar_task_get_state (a1), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_state (a2), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_state (b1), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_started_at (a2), >=, ar_task_get_finished_at (a1));
  g_assert_cmpint (ar_task_get_started_at (b1), <, ar_task_get_finished_at (a1));
  log = task_log_text (a2);
  assert_contains (log, "[task/queue][INFO] queued: Settings allow 1 task at a time on the engine “Local”\n");
  g_clear_pointer (&log, g_free);
  log = task_log_text (b1);
  assert_not_contains (log, "[task/queue]");
  {
    g_autofree char *path = ar_task_dup_record_path (b1);
    g_autoptr(ArTask) reread = ar_task_new_from_file (path, NULL);
    g_autofree char *path_a = ar_task_dup_record_path (a1);
    g_autoptr(ArTask) reread_a = ar_task_new_from_file (path_a, NULL);

    g_assert_cmpstr (ar_task_get_engine (reread), ==, SECOND);
    g_assert_cmpstr (ar_task_get_engine (reread_a), ==, AR_LOCAL_ENGINE_NAME);
  }
}

/* An environment naming an engine that is not in Preferences: the task
 * fails at start, saying so, and nothing runs. */
static void
test_unknown_engine (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *log = NULL;

  if (!need_engine (e))
    return;
  env = new_env (e, "nowhere", NULL);
  ar_environment_set_engine (env, "gone-box");
  settings = new_settings (e);
  manager = ar_task_manager_new (e->builder, settings);
  task = g_object_ref (ar_task_manager_start (manager, env, "hello"));
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  g_assert_cmpstr (ar_task_get_engine (task), ==, "gone-box");
  g_assert_nonnull (strstr (ar_task_get_error_message (task), "no engine named “gone-box” in Preferences"));
  log = task_log_text (task);
  assert_contains (log, "[task/engine][ERROR] There is no engine named “gone-box” in Preferences");
  g_assert_false (container_exists (e, ar_task_get_container_name (task)));
}

/* A task an earlier process left running on the second engine: the next
 * manager looks for its container there (not on the local engine, where it
 * would have been declared left behind), follows it, and stops it there. */
static void
test_reattach (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) record = NULL;
  g_autoptr(GError) error = NULL;
  ArTask *task;
  g_autofree char *log = NULL;
  guint finished = 0;
  Count until = { &finished, 1 };

  if (!need_engine (e) || !second_engine_up (e->base))
    return;
  record = ar_task_new ("env-elsewhere", "elsewhere", "left running", AR_TASK_KIND_TASK);
  ar_task_set_engine (record, SECOND);
  ar_task_set_state (record, AR_TASK_STATE_RUNNING);
  ar_task_set_started_at (record, g_get_real_time ());
  g_assert_true (ar_task_save (record, &error));
  g_assert_no_error (error);
  {
    g_autofree char *label = g_strconcat (AR_LABEL_TASK_ID, "=", ar_task_get_id (record), NULL);
    const char *run[] = { "run", "-d", "--name", ar_task_get_container_name (record), "--label", label,
                          "--label", ar_test_engine_run_label (), e->base,
                          "sh", "-c", "echo left-running; sleep 60", NULL };
    g_free (docker_out (second_host, run));
  }

  settings = two_engine_settings (e);
  manager = manager_following (e->builder, settings, ar_task_get_id (record), &finished, &task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  g_assert_nonnull (ar_task_manager_get_log (manager, task));
  g_assert_cmpuint (ar_task_manager_get_n_active (manager), ==, 1);

  ar_task_manager_stop (manager, task);
  wait_until (count_reached, &until, TASK_SECONDS, "the followed task to stop");
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_CANCELLED);
  log = task_log_text (task);
  assert_contains (log, "[task/follow][INFO] found the container");
}

static int
cli (const char *const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "GSETTINGS_BACKEND", "keyfile", TRUE);

  g_ptr_array_add (argv, (gpointer) g_getenv ("AR_BINARY"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return ar_test_run_argv ((const char *const *) argv->pdata, (const char *const *) envp, out, err);
}

/* The command line: `run` uses the environment's engine (an image that only
 * the second engine has, and a pull policy of never, so the local engine
 * could not have run it), refuses an engine Preferences do not know, and
 * `engine list` names them all. Preferences through the keyfile backend,
 * which the child process reads. */
static void
test_cli (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo ran-on-the-second-engine", NULL };
  g_autofree char *only_there = NULL;
  g_autofree char *settings_dir = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *text = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(ArEnvironment) there = NULL;
  g_autoptr(ArEnvironment) nowhere = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTask) record = NULL;

  if (!need_engine (e) || !second_engine_up (e->base))
    return;
  only_there = g_strdup_printf ("ar-test-only-second:%s", ar_test_engine_run_id ());
  {
    const char *tag[] = { "tag", e->base, only_there, NULL };
    g_free (docker_out (second_host, tag));
  }
  /* Where the child looks: its XDG_CONFIG_HOME, as the environments file. */
  settings_dir = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "glib-2.0", "settings", NULL);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  text = g_strdup_printf ("[io/github/agents_runner/AgentsRunner]\n"
                          "engine='docker'\n"
                          "pull-policy='never'\n"
                          "engines=[('second', '%s', 'docker', 'shared'), ('far', 'ssh://me@far.invalid', 'podman', "
                          "'not-shared')]\n",
                          second_host);
  ar_test_write_file (keyfile, text);

  there = new_env (e, "cli on second", agent);
  ar_environment_set_base_image (there, only_there);
  ar_environment_set_engine (there, SECOND);
  nowhere = new_env (e, "cli nowhere", agent);
  ar_environment_set_engine (nowhere, "missing");
  store = ar_env_store_new (NULL);
  g_assert_true (ar_env_store_load (store, &error));
  ar_env_store_replace (store, there);
  ar_env_store_replace (store, nowhere);
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);

  {
    const char *run[] = { "run", ar_environment_get_env_id (there), "--prompt", "hi", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = cli (run, &out, &err);

    if (status != 0)
      g_error ("run on the second engine: exit %d:\n%s\n%s", status, out, err);
    assert_contains (out, "ran-on-the-second-engine");
  }
  record = ar_test_task_of_env (ar_environment_get_env_id (there));
  g_assert_nonnull (record);
  g_assert_cmpstr (ar_task_get_engine (record), ==, SECOND);
  {
    const char *run[] = { "run", ar_environment_get_env_id (nowhere), "--prompt", "hi", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (cli (run, &out, &err), ==, 1);
    assert_contains (err, "agents-runner: There is no engine named “missing” in Preferences");
  }
  {
    const char *list[] = { "engine", "list", "--json", NULL };
    const char *plain[] = { "engine", "list", NULL };
    g_autofree char *out = NULL;
    g_autofree char *plain_out = NULL;

    g_assert_cmpint (cli (list, &out, NULL), ==, 0);
    assert_contains (out, "\"name\": \"local\"");
    assert_contains (out, "\"name\": \"second\"");
    assert_contains (out, "\"endpoint\": \"ssh://me@far.invalid\"");
    g_assert_cmpint (cli (plain, &plain_out, NULL), ==, 0);
    assert_contains (plain_out, "far\tssh://me@far.invalid\tpodman\tnot-shared\n");
  }
  g_remove (keyfile);
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/task-manager-engines/two-engines", test_two_engines);
  g_test_add_func ("/task-manager-engines/unknown-engine", test_unknown_engine);
  g_test_add_func ("/task-manager-engines/reattach", test_reattach);
  g_test_add_func ("/task-manager-engines/cli", test_cli);

  status = g_test_run ();
  return status;
}
