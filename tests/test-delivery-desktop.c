/* test-delivery-desktop.c — the headless desktop of a task on the remote
 * engine of the fixture (test-remote-utils.h; design.md §4.2): its port is
 * published on 127.0.0.1 of the engine's machine. Over ssh:// the runner
 * forwards a port of this computer there through ssh: the task's desktop
 * URL is that local port (not the engine's), it answers 200, and the
 * forward ends with the task. Over TLS (tcp://) no forward can be made:
 * the task has no desktop URL and its log says where the desktop is and
 * how to reach it.
 *
 * `busybox httpd` on 6080 stands in for noVNC (the desktop's start script
 * of a scripts folder made here): the port publishing is what matters.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-env-store.h"
#include "ar-image-builder.h"
#include "ar-paths.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"
#include "test-delivery-utils.h"
#include "test-pty.h"
#include "test-remote-utils.h"
#include "test-task-runner-utils.h"
#include "test-utils.h"

/* The desktop's page through @port, once it answers. The URL is in the
 * record only once the desktop started (test-task-runner-clone.c's
 * desktop-port checks that), but a request through the ssh forward may
 * come before the forward's first connection is up. A task runner of this
 * process goes on meanwhile (as in test-field-desktop.c's
 * fetch_novnc_page, which also checks the page is noVNC's; the stand-in
 * here is not). */
static int
http_status_once_up (guint port)
{
  gint64 deadline = g_get_monotonic_time () + DELIVERY_TASK_SECONDS * G_USEC_PER_SEC;
  int code;

  while ((code = ar_test_http_status (port, "/vnc.html")) != 200 && g_get_monotonic_time () < deadline)
    for (guint i = 0; i < 10; i++)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (20000);
      }
  return code;
}

static gboolean
port_answers (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;

  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, NULL);
  return conn != NULL;
}

static gboolean
url_in_record (gpointer task)
{
  return *ar_task_get_desktop_url (task) != '\0';
}

static guint
local_port_of (const char *url)
{
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  return (guint) atoi (url + strlen ("http://127.0.0.1:"));
}

/* Until nothing answers on @port any more (10 s at the most). */
static void
assert_port_closes (guint port)
{
  gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (port_answers (port) && g_get_monotonic_time () < until)
    g_usleep (100000);
  g_assert_false (port_answers (port));
}

static void
task_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
  *(gboolean *) user_data = TRUE;
}

static void
test_desktop (gconstpointer data)
{
  ArTestRemoteWay way = GPOINTER_TO_INT (data);
  const char *agent[] = { "sh", "-c", "echo agent-up; sleep 90", NULL };
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *base = NULL;
  g_autofree char *log = NULL;
  g_autofree char *remote_port = NULL;
  gboolean done = FALSE;
  gint64 deadline = g_get_monotonic_time () + DELIVERY_TASK_SECONDS * G_USEC_PER_SEC;
  const char *wait_for = way == AR_TEST_REMOTE_SSH ? "through ssh" : "on the engine's machine";
  guint local = 0;

  if (!ar_test_remote_need ())
    return;
  base = ar_test_remote_base_image ();
  engine = ar_engine_new ("docker", ar_test_remote_host (way));
  builder = ar_image_builder_new (engine);
  env = ar_environment_new_with_id ();
  ar_environment_set_name (env, "delivery-desktop");
  ar_environment_set_base_image (env, base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  settings = ar_settings_new_default ();
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = ar_test_stand_in_desktop (0);

  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "hello", AR_TASK_KIND_TASK);
  runner = ar_task_runner_new (builder, task, env, settings);
  ar_task_runner_run_async (runner, NULL, task_done, &done);
  /* until the desktop's line is in the log (or the task ended) */
  while (!done)
    {
      g_free (log);
      log = task_log_text (task);
      if (strstr (log, wait_for) != NULL && (way != AR_TEST_REMOTE_SSH || *ar_task_get_desktop_url (task) != '\0'))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("no desktop line in %d s:\n%s", DELIVERY_TASK_SECONDS, log);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  g_test_message ("%s", log);
  g_assert_false (done);
  {
    const char *args[] = { "port", ar_task_get_container_name (task), "6080/tcp", NULL };
    const char *colon;

    g_assert_cmpint (ar_test_remote_docker (args, &remote_port, NULL), ==, 0);
    colon = strrchr (g_strstrip (remote_port), ':');
    g_assert_nonnull (colon);
    memmove (remote_port, colon + 1, strlen (colon + 1) + 1);
  }

  if (way == AR_TEST_REMOTE_SSH)
    {
      const char *url = ar_task_get_desktop_url (task);
      g_autofree char *engine_url = g_strdup_printf ("http://127.0.0.1:%s/vnc.html", remote_port);

      g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
      local = (guint) atoi (url + strlen ("http://127.0.0.1:"));
      g_assert_cmpuint (local, >, 0);
      /* this computer's forwarded port, not the engine's */
      g_assert_cmpstr (url, !=, engine_url);
      g_assert_cmpint (http_status_once_up (local), ==, 200);
      delivery_assert_contains (log, "desktop: http://127.0.0.1:");
    }
  else
    {
      g_autofree char *where = g_strdup_printf ("at 127.0.0.1:%s there", remote_port);
      g_autofree char *how = g_strdup_printf ("ssh -N -L 127.0.0.1:%s:127.0.0.1:%s", remote_port, remote_port);

      g_assert_cmpstr (ar_task_get_desktop_url (task), ==, "");
      delivery_assert_contains (log, where);
      delivery_assert_contains (log, how);
      delivery_assert_contains (log, ar_test_remote_host (way));
      delivery_assert_not_contains (log, "desktop: http://");
    }

  ar_task_runner_stop (runner);
  while (!done)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the task did not end in %d s", DELIVERY_TASK_SECONDS);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20000);
    }
  /* the forward ended with the task */
  if (local > 0)
    assert_port_closes (local);
}

/* The app killed (SIGKILL: nothing of it runs any more) while a task's
 * desktop is forwarded over ssh: the forward ends with it, instead of an
 * orphaned ssh holding the local port and its connection. A real
 * `agents-runner run` on the remote engine (Preferences through the
 * keyfile backend).
 *
 * Then the app again (a task manager here, as the window makes at start):
 * it follows the task, and the URL the record kept (the ended forward's)
 * gives way to a forward of its own, which answers, is saved, and ends when
 * the task is stopped. */
/* The app is killed while a task with a desktop runs on the ssh:// engine
 * (its forward goes with it); a new task manager takes the task up (@data
 * TRUE: an interactive task, whose terminal it attaches again; else it
 * follows the batch task's log) and forwards a port of its own. */
static void
test_forward_after_restart (gconstpointer data)
{
  gboolean interactive = GPOINTER_TO_INT (data);
  const char *agent[] = { "sh", "-c", "echo agent-up; sleep 120", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTask) saved = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *base = NULL;
  g_autofree char *scripts = NULL;
  g_autofree char *settings_dir = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *dead_url = NULL;
  g_autofree char *log = NULL;
  gint64 deadline = g_get_monotonic_time () + DELIVERY_TASK_SECONDS * G_USEC_PER_SEC;
  ArTestPty pty = { -1, NULL };
  const char *host = NULL;
  ArTask *followed;
  guint local = 0;
  guint finished = 0;
  Count until = { &finished, 1 };

  if (!ar_test_remote_need ())
    return;
  host = ar_test_remote_host (AR_TEST_REMOTE_SSH);
  base = ar_test_remote_base_image ();
  scripts = ar_test_stand_in_desktop (0);
  env = ar_environment_new_with_id ();
  ar_environment_set_name (env, "delivery-desktop-killed");
  ar_environment_set_base_image (env, base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  store = ar_test_save_env (env);

  settings_dir = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "glib-2.0", "settings", NULL);
  keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  keys = g_strdup_printf ("[io/github/agents_runner/AgentsRunner]\nengine='docker'\nengine-host='%s'\n"
                          "desktop-scripts-dir='%s'\n",
                          host, scripts);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  ar_test_write_file (keyfile, keys);

  if (interactive)
    {
      const char *argv[] = { g_getenv ("AR_BINARY"), "run", ar_environment_get_env_id (env), "--interactive", NULL };
      const char *env_pairs[] = { "GSETTINGS_BACKEND=keyfile", NULL };

      cli = ar_test_pty_spawn (argv, env_pairs, 24, 80, &pty);
    }
  else
    {
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
      g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
      cli = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AR_BINARY"), "run",
                                         ar_environment_get_env_id (env), NULL);
      g_assert_no_error (error);
    }

  /* until the record has the forwarded URL */
  while (local == 0)
    {
      g_clear_object (&task);
      task = ar_test_task_of_env (ar_environment_get_env_id (env));
      if (task != NULL && g_str_has_prefix (ar_task_get_desktop_url (task), "http://127.0.0.1:"))
        local = local_port_of (ar_task_get_desktop_url (task));
      if (g_get_monotonic_time () > deadline)
        g_error ("no forwarded desktop URL in the record in %d s%s%s", DELIVERY_TASK_SECONDS,
                 interactive ? "; the terminal showed: " : "", interactive ? pty.output->str : "");
      /* the terminal is read, or the program would wait to write to it */
      if (interactive)
        ar_test_pty_read (&pty);
      g_usleep (100000);
    }
  g_assert_cmpint (http_status_once_up (local), ==, 200);

  g_subprocess_force_exit (cli);
  g_assert_false (g_subprocess_wait (cli, NULL, NULL) && g_subprocess_get_successful (cli));
  if (interactive)
    ar_test_pty_close (&pty);
  assert_port_closes (local);

  /* The record still holds the ended forward's URL; the task still runs. */
  g_clear_object (&task);
  task = ar_test_task_of_env (ar_environment_get_env_id (env));
  dead_url = g_strdup (ar_task_get_desktop_url (task));
  g_assert_cmpuint (local_port_of (dead_url), ==, local);

  /* The app again, on the same engine. */
  engine = ar_engine_new ("docker", host);
  builder = ar_image_builder_new (engine);
  settings = ar_settings_new_default ();
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");
  g_free (settings->engine_host);
  settings->engine_host = g_strdup (host);
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);
  manager = manager_following (builder, settings, ar_task_get_id (task), &finished, &followed);
  g_assert_cmpint (ar_task_get_state (followed), ==, AR_TASK_STATE_RUNNING);
  g_assert_true ((ar_task_manager_get_interactive (manager, followed) != NULL) == interactive);
  wait_until (url_in_record, followed, DELIVERY_TASK_SECONDS, "the follower's desktop URL");
  local = local_port_of (ar_task_get_desktop_url (followed));
  g_assert_cmpint (http_status_once_up (local), ==, 200);
  saved = ar_test_task_of_env (ar_environment_get_env_id (env));
  g_assert_cmpstr (ar_task_get_desktop_url (saved), ==, ar_task_get_desktop_url (followed));
  log = task_log_text (followed);
  g_test_message ("%s", log);
  /* the forward's line twice: the killed process's, then the new one's */
  {
    const char *forwarded = "forwarded to this computer through ssh";
    const char *first = strstr (log, forwarded);
    const char *found = strstr (log, "[task/follow][INFO] found the container");

    g_assert_nonnull (first);
    g_assert_nonnull (found);
    g_assert_true (found > first);
    g_assert_nonnull (strstr (found, forwarded));
  }

  ar_task_manager_stop (manager, followed);
  wait_until (count_reached, &until, DELIVERY_TASK_SECONDS, "the followed task to stop");
  /* the follower's forward ended with the task */
  assert_port_closes (local);
  {
    const char *rm[] = { "rm", "-f", ar_task_get_container_name (followed), NULL };

    ar_test_remote_docker (rm, NULL, NULL);
  }
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_data_func ("/delivery-desktop/ssh", GINT_TO_POINTER (AR_TEST_REMOTE_SSH), test_desktop);
  g_test_add_data_func ("/delivery-desktop/tls", GINT_TO_POINTER (AR_TEST_REMOTE_TLS), test_desktop);
  g_test_add_data_func ("/delivery-desktop/ssh/forward-after-restart", GINT_TO_POINTER (FALSE),
                        test_forward_after_restart);
  g_test_add_data_func ("/delivery-desktop/ssh/interactive-forward-after-restart", GINT_TO_POINTER (TRUE),
                        test_forward_after_restart);
  return g_test_run ();
}
