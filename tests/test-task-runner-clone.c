/* test-task-runner-clone.c — ArTaskRunner: clone URLs and credentials, the agent’s config folder, the desktop port
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

typedef struct {
  ArTask *task;
  gboolean started_in_log; /* when the URL came */
  int status;              /* of its page, then */
} UrlSeen;

/* The moment the task gets its desktop URL: the desktop has started and
 * its page answers. */
static void
desktop_url_set (GObject *task, GParamSpec *pspec, gpointer user_data)
{
  UrlSeen *seen = user_data;
  const char *url = ar_task_get_desktop_url (seen->task);
  g_autofree char *log = NULL;
  const char *colon;

  if (*url == '\0' || (colon = strrchr (url, ':')) == NULL)
    return;
  log = task_log_text (seen->task);
  seen->started_in_log = strstr (log, "fake desktop started\n") != NULL;
  seen->status = ar_test_http_status ((guint) g_ascii_strtoull (colon + 1, NULL, 10), "/vnc.html");
}

/* The URL only once the desktop answers (here 2 s after the container
 * started): "Open desktop" never opens a page that is not there yet. */
static void
test_desktop_port (void)
{
  Engine *e = &on_docker;
  const char *agent[] = { "sh", "-c", "echo \"agent DISPLAY=$DISPLAY\"; sleep 6", NULL };
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
  UrlSeen seen = { 0 };

  if (!need_engine (e))
    return;
  ar_test_write_file (install, "#!/bin/sh\necho fake desktop installed\n");
  /* busybox httpd stands in for noVNC; it answers once it returns */
  ar_test_write_file (start, "#!/bin/sh\nsleep 2\nmkdir -p /tmp/www\necho fake-novnc > /tmp/www/vnc.html\n"
                             "busybox httpd -p 6080 -h /tmp/www\necho fake desktop started\n");
  env = new_env (e, "desktop", agent);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  settings = new_settings (e);
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);

  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "", AR_TASK_KIND_TASK);
  seen.task = task;
  g_signal_connect (task, "notify::desktop-url", G_CALLBACK (desktop_url_set), &seen);
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
      g_assert_true (seen.started_in_log);
      g_assert_cmpint (seen.status, ==, 200);
    }
  else
    g_assert_true (has_line_with (log, "[desktop/port][WARN]", "no host port for the desktop"));
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
  g_test_add_func ("/task-runner/clone-argv", test_clone_argv);
  g_test_add_func ("/task-runner/clone-credentials", test_clone_credentials);
  g_test_add_func ("/task-runner/config-dir", test_config_dir);
  g_test_add_func ("/task-runner/desktop-port", test_desktop_port);

  status = g_test_run ();
    {
    }
  return status;
}
