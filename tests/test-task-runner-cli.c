/* test-task-runner-cli.c — ArTaskRunner through the command line, and a restart finding its containers again
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

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* ---- the command line ----------------------------------------------------- */

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
  g_object_unref (ar_test_save_env (env));
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
  g_object_unref (ar_test_save_env (env));
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
  g_object_unref (ar_test_save_env (env));
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
  g_object_unref (ar_test_save_env (env));
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
  g_object_unref (ar_test_save_env (env));

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
    g_object_unref (ar_test_save_env (env));
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
    find->path = ar_test_task_record_of_env (find->env_id);
  return find->path != NULL && record_running (find->path);
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
  store = ar_test_save_env (env);

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
  g_object_unref (ar_test_save_env (env));
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

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  /* Every container and image of this run carries the run's label, also
   * those the CLI makes: the fixture removes them at the end. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  /* the scenarios, on each engine */
    {
    }
  g_test_add_func ("/task-runner/cli", test_cli);
  g_test_add_func ("/task-runner/cli-progress", test_cli_progress);
  g_test_add_func ("/task-runner/restart", test_restart);
  g_test_add_func ("/task-runner/left-behind", test_left_behind);

  status = g_test_run ();
    {
    }
  return status;
}
