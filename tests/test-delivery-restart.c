/* test-delivery-restart.c — a task on an engine that does not see this
 * computer's folders (design.md §4.2, "Copied, not mounted") whose process
 * dies while it runs: the next load follows it again and, when it ends,
 * copies its workspace out into the review folder with the patch and
 * removes the container, as the process that started it would have; and a
 * container that ended while no process followed it gets the same at load.
 * On Docker and on rootful podman. The task runs in a real `agents-runner
 * run` (Preferences through the keyfile backend: engine-folders
 * not-shared), killed with SIGKILL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib-unix.h>
#include <stdlib.h>
#include <unistd.h>

#include "ar-interactive.h"
#include "ar-task-delivery.h"
#include "test-delivery-utils.h"
#include "test-pty.h"
#include "test-task-runner-utils.h"

typedef struct {
  Engine *e;
  GSubprocess *proc;
  gboolean exited;
  const char *env_id;
  char *path; /* its task record, once there */
} Cli;

static void
cli_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cli *cli = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  cli->exited = TRUE;
}

/* `agents-runner run ENV` with Preferences saying the engine (@e's kind;
 * podman's CONTAINERS_CONF comes from need_engine(), in this process's
 * environment) does not see this computer's folders. */
static void
write_not_shared_keyfile (Engine *e)
{
  g_autofree char *settings_dir = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autofree char *text = g_strdup_printf ("[io/github/agents_runner/AgentsRunner]\n"
                                           "engine='%s'\n"
                                           "engine-folders='not-shared'\n",
                                           e->name);

  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  ar_test_write_file (keyfile, text);
}

static void
cli_start (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *dir = ar_test_mkdtemp ("cli-run");
  g_autofree char *out_path = g_build_filename (dir, "output", NULL);
  int fd = g_open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  write_not_shared_keyfile (cli->e);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_take_stdout_fd (launcher, fd);
  cli->proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AR_BINARY"), "run", cli->env_id, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (cli->proc, NULL, cli_waited, cli);
}

/* The agent has started (its first line is in the log), or the CLI is gone. */
static gboolean
agent_started (gpointer data)
{
  Cli *cli = data;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *log = NULL;

  if (cli->exited)
    return TRUE;
  if (cli->path == NULL && (cli->path = ar_test_task_record_of_env (cli->env_id)) == NULL)
    return FALSE;
  task = ar_task_new_from_file (cli->path, NULL);
  if (task == NULL || ar_task_get_state (task) != AR_TASK_STATE_RUNNING)
    return FALSE;
  log = task_log_text (task);
  return strstr (log, "token=set") != NULL;
}

static gboolean
cli_exited (gpointer data)
{
  return ((Cli *) data)->exited;
}

/* A container of an engine, for wait_until(). */
typedef struct {
  Engine *e;
  const char *name;
} Container;

static gboolean
container_exited (gpointer data)
{
  Container *c = data;
  const char *args[] = { "inspect", "-f", "{{.State.Status}}", c->name, NULL };
  g_autofree char *out = engine_out (c->e, args);

  return g_str_has_prefix (out, "exited");
}

/* The agent of delivery_new_env(), taking @seconds after its work. */
static void
slow_agent (ArEnvironment *env, guint seconds)
{
  g_autoptr(GString) script = g_string_new (ar_environment_get_run_preflight_script (env));
  g_autofree char *sleep = g_strdup_printf ("echo agent-working\nsleep %u\necho agent-finished\n", seconds);

  g_assert_cmpuint (g_string_replace (script, "sleep 1\n", sleep, 1), ==, 1);
  ar_environment_set_run_preflight_script (env, script->str);
}

/* @running: the load finds the container running (the agent still sleeps);
 * else the container has ended before the load. */
static void
restart (Engine *e, gboolean running)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ws = NULL;
  g_autofree char *config = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *log = NULL;
  g_autofree char *container = NULL;
  Cli cli = { e, NULL, FALSE, NULL, NULL };
  ArTask *task;
  guint finished = 0;
  Count until = { &finished, 1 };
  gboolean loaded = FALSE;

  if (!need_engine (e))
    return;
  ws = delivery_make_workspace ();
  config = ar_test_mkdtemp ("codex-config");
  secret = g_strdup_printf ("restart-secret-%s", ar_test_engine_run_id ());
  env = delivery_new_env (e->base, ws, config, secret);
  slow_agent (env, running ? 8 : 2);
  store = ar_test_save_env (env);

  /* A real process runs the task in copy mode, and dies without a word. */
  cli.env_id = ar_environment_get_env_id (env);
  cli_start (&cli);
  wait_until (agent_started, &cli, TASK_SECONDS, "the CLI's agent to start");
  if (cli.exited)
    g_error ("the CLI ended early with status %d", g_subprocess_get_exit_status (cli.proc));
  {
    g_autoptr(ArTask) record = ar_task_new_from_file (cli.path, &error);

    g_assert_no_error (error);
    {
      g_autofree char *started = task_log_text (record);

      g_test_message ("before the kill:\n%s", started);
      assert_contains (started, "does not see this computer's folders (preference)");
    }
    /* what a follower needs, in the record */
    g_assert_true (ar_task_get_copied (record));
    g_assert_cmpstr (ar_task_get_copied_workspace (record), ==, ws);
    g_assert_cmpstr (ar_task_get_copied_workdir (record), ==, AR_DEFAULT_CONTAINER_WORKDIR);
    container = g_strdup (ar_task_get_container_name (record));
  }
  g_subprocess_force_exit (cli.proc);
  wait_until (cli_exited, &cli, 30, "the killed CLI");
  g_clear_object (&cli.proc);
  if (!running)
    {
      Container c = { e, container };

      wait_until (container_exited, &c, TASK_SECONDS, "the container to end unfollowed");
    }

  /* The next start: this manager's engine shares folders; the record says
   * how the task was delivered. */
  settings = new_settings (e);
  manager = ar_task_manager_new (e->builder, settings);
  ar_task_manager_set_env_store (manager, store);
  g_signal_connect (manager, "task-finished", G_CALLBACK (count_finished), &finished);
  ar_task_manager_load_async (manager, AR_TASK_MANAGER_LOAD_RECONCILE | AR_TASK_MANAGER_LOAD_FOLLOW, NULL,
                              load_done, &loaded);
  wait_until (flag_set, &loaded, TASK_SECONDS, "the tasks to load");
  {
    g_autofree char *dir = g_path_get_dirname (cli.path);
    g_autofree char *id = g_path_get_basename (dir);

    task = ar_task_manager_lookup (manager, id, &error);
    g_assert_no_error (error);
  }
  if (finished == 0)
    wait_until (count_reached, &until, TASK_SECONDS, "the followed task to end");

  log = task_log_text (task);
  g_test_message ("%s", log);
  assert_contains (log, "[task/follow][INFO] found the container");
  if (running)
    assert_contains (log, "agent-finished");
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 0);
  /* the result and the patch, exactly as without the restart */
  delivery_assert_result (task, log, ws, secret);
  g_assert_false (container_exists (e, container));
  {
    g_autofree char *task_dir = ar_task_dup_dir (task);
    g_autofree char *objects = g_build_filename (task_dir, "git-objects", NULL);
    g_autoptr(ArTask) reread = ar_task_new_from_file (cli.path, &error);

    g_assert_false (g_file_test (objects, G_FILE_TEST_EXISTS));
    g_assert_no_error (error);
    g_assert_cmpint (ar_task_get_state (reread), ==, AR_TASK_STATE_DONE);
  }
  g_free (cli.path);
}

static void
test_running (gconstpointer data)
{
  restart ((Engine *) data, TRUE);
}

static void
test_exited (gconstpointer data)
{
  restart ((Engine *) data, FALSE);
}

/* ---- an interactive task ------------------------------------------------ */

static void
output_cb (ArInteractive *interactive, GBytes *bytes, gpointer user_data)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  g_string_append_len (user_data, data, (gssize) len);
}

static void
flag_finished (ArTaskManager *manager, ArTask *task, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* `run --interactive` in copy mode; the app dies and its terminal hangs
 * up while the agent waits for a line. The container runs on (the hang-up
 * does not reach it); the next start attaches its terminal again, and at
 * the end the workspace comes out into the review folder, with the patch,
 * and the container is removed. The agent ends on a SIGHUP, as most do
 * (here it is the container's PID 1 without --init, which a signal it does
 * not trap would not end): podman's `start -a` would pass the terminal's
 * hang-up on to it without --sig-proxy=false. */
static void
test_interactive (gconstpointer data)
{
  Engine *e = (Engine *) data;
  const char *command[] = { "sh", "-c",
                            "trap 'echo hang-up; exit 129' HUP; echo ready; read x; echo \"got:$x\"; "
                            "echo \"$x\" > result.txt; echo three >> tracked.txt",
                            NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(GString) attached = g_string_new (NULL);
  g_autofree char *ws = NULL;
  g_autofree char *log = NULL;
  g_autofree char *container = NULL;
  ArInteractive *interactive;
  ArTask *task = NULL;
  gboolean loaded = FALSE;
  gboolean finished = FALSE;
  ArTestPty pty;

  if (!need_engine (e))
    return;
  ws = delivery_make_workspace ();
  env = new_env (e, "interactive restart", command);
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, ws);
  store = ar_test_save_env (env);
  write_not_shared_keyfile (e);

  {
    const char *argv[] = { g_getenv ("AR_BINARY"), "run", ar_environment_get_env_id (env), "--interactive", NULL };
    const char *env_pairs[] = { "GSETTINGS_BACKEND=keyfile", NULL };

    proc = ar_test_pty_spawn (argv, env_pairs, 0, 0, &pty);
  }
  ar_test_pty_await (&pty, "ready\r\n", TASK_SECONDS, "run --interactive getting ready");
  /* The app dies without a word, and its terminal hangs up. */
  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  ar_test_pty_close (&pty);

  settings = new_settings (e);
  manager = ar_task_manager_new (e->builder, settings);
  ar_task_manager_set_env_store (manager, store);
  g_signal_connect (manager, "task-finished", G_CALLBACK (flag_finished), &finished);
  ar_task_manager_load_async (manager, AR_TASK_MANAGER_LOAD_RECONCILE | AR_TASK_MANAGER_LOAD_FOLLOW, NULL,
                              load_done, &loaded);
  wait_until (flag_set, &loaded, TASK_SECONDS, "the tasks to load");
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (manager)) && task == NULL; i++)
    {
      g_autoptr(ArTask) item = g_list_model_get_item (G_LIST_MODEL (manager), i);

      if (g_str_equal (ar_task_get_env_id (item), ar_environment_get_env_id (env)))
        task = item;
    }
  g_assert_nonnull (task);
  /* the hang-up left the container running: its terminal again */
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  g_assert_true (ar_task_get_copied (task));
  container = g_strdup (ar_task_get_container_name (task));
  {
    const char *args[] = { "inspect", "-f", "{{.State.Status}}", container, NULL };
    g_autofree char *status = engine_out (e, args);

    g_assert_cmpstr (status, ==, "running");
  }
  interactive = ar_task_manager_get_interactive (manager, task);
  g_assert_nonnull (interactive);
  g_signal_connect (interactive, "output", G_CALLBACK (output_cb), attached);
  ar_interactive_set_size (interactive, 24, 80);
  ar_interactive_write (interactive, "back again\r", strlen ("back again\r"));
  wait_until (flag_set, &finished, TASK_SECONDS, "the reattached task to end");

  log = task_log_text (task);
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (attached->str, "got:back again"));
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 0);
  {
    g_autofree char *review = ar_task_delivery_review_dir (ws, ar_task_get_id (task));
    g_autofree char *result = g_build_filename (review, AR_DELIVERY_RESULT_DIR, "result.txt", NULL);
    g_autofree char *patch = g_build_filename (review, AR_DELIVERY_PATCH_FILE, NULL);
    g_autofree char *text = ar_test_read_file (result);
    g_autofree char *patch_text = ar_test_read_file (patch);
    g_autofree char *ws_result = g_build_filename (ws, "result.txt", NULL);

    g_assert_cmpstr (text, ==, "back again\n");
    delivery_assert_contains (patch_text, "+three");
    delivery_assert_contains (patch_text, "result.txt");
    g_assert_false (g_file_test (ws_result, G_FILE_TEST_EXISTS));
    assert_contains (log, review);
  }
  g_assert_false (container_exists (e, container));
}

static gboolean
container_gone (gpointer data)
{
  Container *c = data;

  return !container_exists (c->e, c->name);
}

/* A copy-mode container made but never started (the process died between
 * `create` and `start`): nothing to copy out; the next load removes it
 * and ends the task failed. */
static void
test_never_started (gconstpointer data)
{
  Engine *e = (Engine *) data;
  g_autoptr(ArTask) record = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ws = ar_test_mkdtemp ("ws");
  g_autofree char *path = NULL;
  g_autofree char *review = NULL;
  gboolean loaded = FALSE;
  ArTask *task;

  if (!need_engine (e))
    return;
  record = ar_task_new ("env-never", "never", "p", AR_TASK_KIND_TASK);
  ar_task_set_state (record, AR_TASK_STATE_STARTING);
  ar_task_set_started_at (record, g_get_real_time ());
  ar_task_set_copied (record, ws, AR_DEFAULT_CONTAINER_WORKDIR);
  g_assert_true (ar_task_save (record, &error));
  g_assert_no_error (error);
  {
    g_autofree char *label = g_strconcat (AR_LABEL_TASK_ID, "=", ar_task_get_id (record), NULL);
    const char *create[] = { "create", "--name", ar_task_get_container_name (record), "--label", label,
                             "--label", ar_test_engine_run_label (), e->base, "true", NULL };

    g_free (engine_out (e, create));
  }
  g_assert_true (container_exists (e, ar_task_get_container_name (record)));

  settings = new_settings (e);
  manager = ar_task_manager_new (e->builder, settings);
  ar_task_manager_load_async (manager, AR_TASK_MANAGER_LOAD_RECONCILE | AR_TASK_MANAGER_LOAD_FOLLOW, NULL,
                              load_done, &loaded);
  wait_until (flag_set, &loaded, TASK_SECONDS, "the tasks to load");
  task = ar_task_manager_lookup (manager, ar_task_get_id (record), &error);
  g_assert_no_error (error);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_FAILED);
  {
    Container c = { e, ar_task_get_container_name (record) };

    wait_until (container_gone, &c, 30, "the container's removal");
  }
  /* nothing was copied out */
  review = ar_task_delivery_review_dir (ws, ar_task_get_id (record));
  g_assert_false (g_file_test (review, G_FILE_TEST_EXISTS));
  path = ar_task_dup_record_path (record);
  g_clear_object (&record);
  record = ar_task_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_true (ar_task_get_copied (record));
  g_assert_cmpstr (ar_task_get_copied_workspace (record), ==, ws);
}

/* In one process: an interactive task in copy mode (`start -a -i`) typed
 * to its end, and one stopped while its agent waits (as the window does
 * for the interactive tasks when the user closes it and chooses to stop
 * them): each result comes out into the review folder, with the patch,
 * and no container is left. */
typedef struct {
  gboolean done;
  ArTaskState state;
} Ended;

static void
interactive_ended (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ended *ended = user_data;

  ended->state = ar_interactive_run_finish (AR_INTERACTIVE (source), result);
  ended->done = TRUE;
}

static gboolean
output_has (gpointer data)
{
  GString **pair = data;

  return strstr (pair[0]->str, pair[1]->str) != NULL;
}

static void
interactive_one (Engine *e, gboolean stop)
{
  const char *command[] = { "sh", "-c",
                            "echo three >> tracked.txt; echo ready; read x; echo \"$x\" > result.txt; echo wrote",
                            NULL };
  g_autoptr(ArEngine) engine = ar_engine_new (e->name, "");
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArInteractive) interactive = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  g_autoptr(GString) wanted = g_string_new ("ready\r\n");
  GString *pair[2] = { output, wanted };
  g_autofree char *ws = NULL;
  g_autofree char *log = NULL;
  g_autofree char *review = NULL;
  g_autofree char *patch = NULL;
  g_autofree char *patch_text = NULL;
  g_autofree char *result = NULL;
  Ended ended = { FALSE, AR_TASK_STATE_QUEUED };

  if (!need_engine (e))
    return;
  ar_engine_set_folders (engine, AR_ENGINE_FOLDERS_NOT_SHARED);
  builder = ar_image_builder_new (engine);
  ws = delivery_make_workspace ();
  env = new_env (e, "interactive copy", command);
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, ws);
  settings = new_settings (e);
  task = ar_interactive_new_task (env, NULL);
  interactive = ar_interactive_new (builder, task, env, settings, AR_INTERACTIVE_AGENT, -1, &error);
  g_assert_no_error (error);
  g_signal_connect (interactive, "output", G_CALLBACK (output_cb), output);
  ar_interactive_run_async (interactive, NULL, interactive_ended, &ended);
  wait_until (output_has, pair, TASK_SECONDS, "the agent to be ready");
  if (stop)
    ar_interactive_stop (interactive);
  else
    ar_interactive_write (interactive, "typed line\r", strlen ("typed line\r"));
  wait_until (flag_set, &ended.done, TASK_SECONDS, "the interactive task to end");

  log = task_log_text (task);
  g_test_message ("%s", log);
  g_assert_cmpint (ended.state, ==, stop ? AR_TASK_STATE_CANCELLED : AR_TASK_STATE_DONE);
  review = ar_task_delivery_review_dir (ws, ar_task_get_id (task));
  patch = g_build_filename (review, AR_DELIVERY_PATCH_FILE, NULL);
  result = g_build_filename (review, AR_DELIVERY_RESULT_DIR, "result.txt", NULL);
  patch_text = ar_test_read_file (patch);
  delivery_assert_contains (patch_text, "+three");
  if (stop)
    g_assert_false (g_file_test (result, G_FILE_TEST_EXISTS));
  else
    {
      g_autofree char *text = ar_test_read_file (result);

      g_assert_cmpstr (text, ==, "typed line\n");
    }
  g_assert_false (container_exists (e, ar_task_get_container_name (task)));
}

static void
test_interactive_typed (gconstpointer data)
{
  interactive_one ((Engine *) data, FALSE);
}

static void
test_interactive_stopped (gconstpointer data)
{
  interactive_one ((Engine *) data, TRUE);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  /* each case on Docker and on rootful podman (whose `start -a` in a
   * terminal must not pass the terminal's hang-up on: design.md §4.2) */
  for (guint i = 0; i < 2; i++)
    {
      Engine *e = i == 0 ? &on_docker : &on_podman;
      g_autofree char *running = g_strdup_printf ("/delivery-restart/%s/running", e->name);
      g_autofree char *exited = g_strdup_printf ("/delivery-restart/%s/exited", e->name);
      g_autofree char *never = g_strdup_printf ("/delivery-restart/%s/never-started", e->name);
      g_autofree char *interactive = g_strdup_printf ("/delivery-restart/%s/interactive", e->name);
      g_autofree char *typed = g_strdup_printf ("/delivery-restart/%s/interactive-typed", e->name);
      g_autofree char *stopped = g_strdup_printf ("/delivery-restart/%s/interactive-stopped", e->name);

      g_test_add_data_func (running, e, test_running);
      g_test_add_data_func (exited, e, test_exited);
      g_test_add_data_func (never, e, test_never_started);
      g_test_add_data_func (interactive, e, test_interactive);
      g_test_add_data_func (typed, e, test_interactive_typed);
      g_test_add_data_func (stopped, e, test_interactive_stopped);
    }
  return g_test_run ();
}
