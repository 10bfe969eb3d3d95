/* test-delivery-clone.c — a cloned workspace on an engine that does not
 * see this computer's folders (design.md §4.2): the local engine set to
 * not-shared, the repository served over HTTP with Basic authentication
 * (a small Python server on the bridge's gateway, where containers reach
 * this computer; the credentials in the clone URL).
 *  - an image with git (the Debian base of test-debian.h with git installed
 *    through its apt proxy, built once per run): the entry script clones
 *    inside the container, before the preflights; nothing is cloned here;
 *    the result (the repository and the agent's file) is copied out into the
 *    review folder; the password is in no process's argv (either side) and
 *    not in the log;
 *  - the busybox base (no git): the log says so, the clone is made here and
 *    copied in, the result comes back the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-image-builder.h"
#include "ar-task-delivery.h"
#include "ar-task-runner.h"
#include "test-debian.h"
#include "test-delivery-utils.h"
#include "test-utils.h"

#define USER "clone-user"

static const char server_py[] =
  "import base64, http.server, os, sys, threading, time\n"
  "parent = os.getppid()\n"
  "def watch():\n"
  "    while os.getppid() == parent:\n"
  "        time.sleep(0.5)\n"
  "    os._exit(0)\n"
  "threading.Thread(target=watch, daemon=True).start()\n"
  "os.chdir(sys.argv[1])\n"
  "want = 'Basic ' + base64.b64encode(os.environ['AR_TEST_AUTH'].encode()).decode()\n"
  "class H(http.server.SimpleHTTPRequestHandler):\n"
  "    def do_GET(self):\n"
  "        if self.headers.get('Authorization') != want:\n"
  "            self.send_response(401)\n"
  "            self.send_header('WWW-Authenticate', 'Basic realm=\"test\"')\n"
  "            self.send_header('Content-Length', '0')\n"
  "            self.end_headers()\n"
  "            return\n"
  "        super().do_GET()\n"
  "    def log_message(self, *args):\n"
  "        pass\n"
  "s = http.server.ThreadingHTTPServer((sys.argv[2], 0), H)\n"
  "print(s.server_address[1], flush=True)\n"
  "s.serve_forever()\n";

static GSubprocess *server;
static char *server_url; /* http://ADDRESS:PORT/repo.git, no credentials */
static char *password;
static char *git_image;
static char *debian_base;

static void
run_git (const char *dir, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;
  int status = 0;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) "git");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status,
                               NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("git failed: %s", err);
}

/* The repository (README committed), bare, served over HTTP with Basic
 * authentication on the apt proxy's address (the bridge's gateway). */
static gboolean
ensure_server (void)
{
  g_autofree char *work = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *address = NULL;
  g_autofree char *auth = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *port = NULL;
  const char *proxy;
  const char *colon;
  gboolean fatal = FALSE;
  g_autofree char *why = NULL;

  if (server != NULL)
    return TRUE;
  if (!ar_test_debian_images ("docker", &debian_base, NULL, &fatal, &why))
    {
      if (fatal)
        g_test_fail_printf ("%s", why);
      else
        g_test_skip (why);
      return FALSE;
    }
  proxy = ar_test_debian_apt_proxy ();
  g_assert_true (g_str_has_prefix (proxy, "http://"));
  colon = strrchr (proxy + strlen ("http://"), ':');
  address = g_strndup (proxy + strlen ("http://"), colon - proxy - strlen ("http://"));

  work = ar_test_mkdtemp ("clone-source");
  readme = g_build_filename (work, "README", NULL);
  g_assert_true (g_file_set_contents (readme, "cloned-readme\n", -1, NULL));
  delivery_git (work, "init", "-q", "-b", "main", NULL);
  delivery_git (work, "add", "README", NULL);
  delivery_git (work, "commit", "-q", "-m", "first", NULL);
  bare = ar_test_mkdtemp ("clone-served");
  run_git (bare, "clone", "-q", "--bare", work, "repo.git", NULL);
  {
    g_autofree char *repo = g_build_filename (bare, "repo.git", NULL);

    run_git (repo, "update-server-info", NULL);
  }

  password = g_strdup_printf ("clone-secret-%s", ar_test_engine_run_id ());
  auth = g_strdup_printf ("%s:%s", USER, password);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "AR_TEST_AUTH", auth, TRUE);
  server = g_subprocess_launcher_spawn (launcher, NULL, "python3", "-c", server_py, bare, address, NULL);
  g_assert_nonnull (server);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  port = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  g_assert_nonnull (port);
  server_url = g_strdup_printf ("http://%s:%s/repo.git", address, g_strstrip (port));
  return TRUE;
}

/* Debian with git, through the apt proxy; once per run. */
static const char *
ensure_git_image (void)
{
  g_autofree char *text = NULL;

  if (git_image != NULL)
    return git_image;
  text = g_strdup_printf ("FROM %s\nRUN apt-get update && apt-get install -y --no-install-recommends git "
                          "&& rm -rf /var/lib/apt/lists/*\n",
                          debian_base);
  git_image = g_strdup_printf ("ar-test-debian-git:%s", ar_test_engine_run_id ());
  ar_test_engine_build (git_image, text);
  return git_image;
}

/* The git image with a user who cannot write to a workdir the engine
 * makes (owned by root). */
static char *
nonroot_git_image (void)
{
  g_autofree char *text = g_strdup_printf ("FROM %s\nUSER nobody\n", ensure_git_image ());
  char *image = g_strdup_printf ("ar-test-debian-git-nobody:%s", ar_test_engine_run_id ());

  ar_test_engine_build (image, text);
  return image;
}

typedef enum {
  CLONE_NO_GIT,      /* busybox: cloned here */
  CLONE_INSIDE,      /* Debian with git: cloned inside */
  CLONE_NOT_WRITABLE /* Debian with git, its user cannot write the workdir: cloned here */
} CloneCase;

static void
test_clone (gconstpointer data)
{
  CloneCase which = GPOINTER_TO_INT (data);
  gboolean with_git = which == CLONE_INSIDE;
  /* nobody cannot write into what is copied in (root's files): it reads */
  const char *agent[] = { "sh", "-c",
                          which == CLONE_NOT_WRITABLE
                            ? "echo \"agent sees $(cat README)\""
                            : "echo \"agent sees $(cat README)\"; echo agent-was-here > result.txt",
                          NULL };
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *image = NULL;
  g_autofree char *target = NULL;
  g_autofree char *log = NULL;
  g_autofree char *task_ws = NULL;
  g_autofree char *review = NULL;
  g_autofree char *text = NULL;

  if (!ar_test_engine_need () || !ensure_server ())
    return;
  image = which == CLONE_INSIDE ? g_strdup (ensure_git_image ())
          : which == CLONE_NOT_WRITABLE ? nonroot_git_image ()
          : ar_test_engine_base_image ();
  engine = ar_engine_new ("docker", "");
  ar_engine_set_folders (engine, AR_ENGINE_FOLDERS_NOT_SHARED);
  builder = ar_image_builder_new (engine);
  target = g_strdup_printf ("http://%s:%s@%s", USER, password, server_url + strlen ("http://"));

  env = ar_environment_new_with_id ();
  ar_environment_set_name (env, "delivery-clone");
  ar_environment_set_base_image (env, image);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_container_workdir (env, "/srv/work");
  ar_environment_set_workspace_kind (env, AR_WORKSPACE_CLONED);
  ar_environment_set_workspace_target (env, target);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_run_preflight_script (
    env, "#!/bin/sh\necho \"preflight sees $(cat README 2>/dev/null || echo nothing)\"\n"
         "echo \"preflight credentials: [${AR_GIT_USERNAME-}${AR_GIT_PASSWORD-}]\"\n");
  settings = ar_settings_new_default ();
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");

  /* the password in no process's argv, here or in the container */
  log = delivery_run_task (builder, env, settings, password, &task);
  g_test_message ("%s", log);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  delivery_assert_not_contains (log, password);
  delivery_assert_contains (log, server_url);
  /* the clone is there before the preflights; its credentials are not */
  delivery_assert_contains (log, "preflight sees cloned-readme");
  delivery_assert_contains (log, "preflight credentials: []");
  delivery_assert_contains (log, "agent sees cloned-readme");

  {
    g_autofree char *dir = ar_task_dup_dir (task);
    g_autofree char *readme = NULL;

    task_ws = g_build_filename (dir, "workspace", NULL);
    readme = g_build_filename (task_ws, "README", NULL);
    if (with_git)
      {
        delivery_assert_contains (log, "is cloned inside the container");
        delivery_assert_not_contains (log, "has no git");
        /* nothing was cloned on this computer */
        g_assert_false (g_file_test (readme, G_FILE_TEST_EXISTS));
      }
    else if (which == CLONE_NOT_WRITABLE)
      {
        delivery_assert_contains (log, "cannot write to its workdir: the repository is cloned on this computer");
        delivery_assert_not_contains (log, "is cloned inside the container");
        g_assert_true (g_file_test (readme, G_FILE_TEST_EXISTS));
        return;
      }
    else
      {
        delivery_assert_contains (log, "has no git: the repository is cloned on this computer");
        g_assert_true (g_file_test (readme, G_FILE_TEST_EXISTS));
      }
  }
  /* the result: copied out beside the task's workspace */
  review = ar_task_delivery_review_dir (task_ws, ar_task_get_id (task));
  {
    g_autofree char *result = g_build_filename (review, AR_DELIVERY_RESULT_DIR, "result.txt", NULL);
    g_autofree char *readme = g_build_filename (review, AR_DELIVERY_RESULT_DIR, "README", NULL);
    g_autofree char *head = g_build_filename (review, AR_DELIVERY_RESULT_DIR, ".git", "HEAD", NULL);
    g_autofree char *config = g_build_filename (review, AR_DELIVERY_RESULT_DIR, ".git", "config", NULL);
    g_autofree char *config_text = NULL;

    g_assert_true (g_file_get_contents (result, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "agent-was-here\n");
    g_clear_pointer (&text, g_free);
    g_assert_true (g_file_get_contents (readme, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "cloned-readme\n");
    g_assert_true (g_file_test (head, G_FILE_TEST_EXISTS));
    /* the repository's remote has no credentials either */
    g_assert_true (g_file_get_contents (config, &config_text, NULL, NULL));
    delivery_assert_not_contains (config_text, password);
  }
}

int
main (int argc, char **argv)
{
  int rc;

  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_data_func ("/delivery-clone/inside", GINT_TO_POINTER (CLONE_INSIDE), test_clone);
  g_test_add_data_func ("/delivery-clone/no-git-here", GINT_TO_POINTER (CLONE_NO_GIT), test_clone);
  g_test_add_data_func ("/delivery-clone/workdir-not-writable-here", GINT_TO_POINTER (CLONE_NOT_WRITABLE),
                        test_clone);
  rc = g_test_run ();
  if (server != NULL)
    g_subprocess_force_exit (server);
  ar_test_debian_cleanup ();
  return rc;
}
