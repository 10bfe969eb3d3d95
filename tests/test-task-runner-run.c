/* test-task-runner-run.c — ArTaskRunner: secrets, stop, the queue, the scratch folder, workspaces and mounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <libsoup/soup.h>

#include "ar-entry-script.h"
#include "ar-env-store.h"
#include "ar-paths.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"
#include "test-utils.h"
#include "test-task-runner-utils.h"

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

static gboolean
has_desktop_url (gpointer task)
{
  return *ar_task_get_desktop_url (task) != '\0';
}

/* A task whose process ended before its desktop started (an app closed
 * while the desktop installs at start): the next process, following the
 * container, gives it its desktop URL once the desktop started. Its entry
 * script is stood in for by the lines the real one prints. */
static void
test_follow_desktop (void)
{
  Engine *e = &on_docker;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *log = NULL;
  ArTask *task;
  const char *url;
  guint finished = 0;
  Count until = { &finished, 1 };

  if (!need_engine (e))
    return;
  record = ar_task_new ("env-desktop-follow", "desktop follow", "left running", AR_TASK_KIND_TASK);
  ar_task_set_state (record, AR_TASK_STATE_RUNNING);
  ar_task_set_started_at (record, g_get_real_time ());
  g_assert_true (ar_task_save (record, &error));
  g_assert_no_error (error);
  label = g_strconcat (AR_LABEL_TASK_ID, "=", ar_task_get_id (record), NULL);
  {
    const char *run[] = { "run", "-d", "--name", ar_task_get_container_name (record), "--label", label,
                          "--label", ar_test_engine_run_label (), "-p", "127.0.0.1::6080", e->base, "sh", "-c",
                          "echo '" AR_ENTRY_STARTED_LINE "'; sleep 3; mkdir -p /tmp/www; echo page > /tmp/www/vnc.html; "
                          "busybox httpd -p 6080 -h /tmp/www; echo '" AR_ENTRY_DESKTOP_STARTED_LINE "'; sleep 60",
                          NULL };

    g_free (engine_out (e, run));
  }

  settings = new_settings (e);
  manager = manager_following (e->builder, settings, ar_task_get_id (record), &finished, &task);
  g_assert_cmpstr (ar_task_get_desktop_url (task), ==, "");
  wait_until (has_desktop_url, task, TASK_SECONDS, "the followed task's desktop URL");
  url = ar_task_get_desktop_url (task);
  g_assert_true (g_regex_match_simple ("^http://127\\.0\\.0\\.1:[0-9]+/vnc\\.html$", url, 0, 0));
  g_assert_cmpint (ar_test_http_status ((guint) g_ascii_strtoull (strrchr (url, ':') + 1, NULL, 10), "/vnc.html"),
                   ==, 200);
  /* in the saved record too */
  {
    g_autofree char *path = ar_task_dup_record_path (task);
    g_autoptr(ArTask) reread = ar_task_new_from_file (path, NULL);

    g_assert_cmpstr (ar_task_get_desktop_url (reread), ==, url);
  }

  ar_task_manager_stop (manager, task);
  wait_until (count_reached, &until, TASK_SECONDS, "the followed task to stop");
  log = task_log_text (task);
  assert_contains (log, "[desktop/port][INFO] desktop: http://127.0.0.1:");
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
  /* the rest of the runner, on Docker */
  g_test_add_func ("/task-runner/secret", test_secret);
  g_test_add_func ("/task-runner/stop", test_stop);
  g_test_add_func ("/task-runner/queue", test_queue);
  g_test_add_func ("/task-runner/follow-desktop", test_follow_desktop);
  g_test_add_func ("/task-runner/scratch", test_scratch);
  g_test_add_func ("/task-runner/workspaces", test_workspaces);

  status = g_test_run ();
    {
    }
  return status;
}
