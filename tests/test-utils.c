/* test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-utils.h"
#include "ar-paths.h"
#include "ar-task.h"
#include "ar-util.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *test_root;

static void
cleanup_root (void)
{
  if (test_root != NULL && g_getenv ("AR_TEST_KEEP") == NULL)
    ar_remove_tree (test_root);
}

const char *
ar_test_init (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;
  g_autofree char *cache = NULL;

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ar_test_report_crashes ();

  test_root = g_dir_make_tmp ("ar-test-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (cleanup_root);

  config = g_build_filename (test_root, "config", NULL);
  state = g_build_filename (test_root, "state", NULL);
  cache = g_build_filename (test_root, "cache", NULL);
  g_mkdir_with_parents (config, 0700);
  g_mkdir_with_parents (state, 0700);
  g_mkdir_with_parents (cache, 0700);
  g_setenv ("HOME", test_root, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  return test_root;
}

char *
ar_test_mkdtemp (const char *prefix)
{
  g_autofree char *tmpl = g_strdup_printf ("%s/%s-XXXXXX", test_root, prefix);
  char *dir = g_mkdtemp (g_steal_pointer (&tmpl));

  g_assert_nonnull (dir);
  return dir;
}

char *
ar_test_stand_in_desktop (guint start_delay)
{
  g_autofree char *dir = ar_test_mkdtemp ("desktop-scripts");
  g_autofree char *install = g_build_filename (dir, "install.sh", NULL);
  g_autofree char *start = g_build_filename (dir, "start.sh", NULL);
  g_autofree char *start_text = g_strdup_printf ("#!/bin/sh\nsleep %u\nmkdir -p /tmp/www\n"
                                                 "echo stand-in-novnc > /tmp/www/vnc.html\n"
                                                 "busybox httpd -p 6080 -h /tmp/www\n",
                                                 start_delay);

  ar_test_write_file (install, "#!/bin/sh\necho stand-in desktop: nothing to install\n");
  ar_test_write_file (start, start_text);
  return g_steal_pointer (&dir);
}

/* Atomic (a temp file renamed over the path, so a watcher never reads half
 * of it) but not durable: a test needs no fsync, which costs tens of
 * milliseconds a file on a busy disk. */
void
ar_test_write_file_fast (const char *path, const char *contents, gsize length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *temp = g_strconcat (path, ".test-XXXXXX", NULL);
  int fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_true (g_file_set_contents_full (temp, contents, length, G_FILE_SET_CONTENTS_NONE, 0644, &error));
  g_assert_no_error (error);
  close (fd);
  g_assert_cmpint (g_rename (temp, path), ==, 0);
}

void
ar_test_write_file (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0700);
  ar_test_write_file_fast (path, contents, strlen (contents));
  g_assert_no_error (error);
}

char *
ar_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

void
ar_test_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
ar_test_wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

gboolean
ar_test_any_cmdline_contains (const char *needle)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  gsize needle_len = strlen (needle);

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_build_filename ("/proc", name, "cmdline", NULL);
      if (!g_file_get_contents (path, &contents, &len, NULL))
        continue;
      if (len >= needle_len && memmem (contents, len, needle, needle_len) != NULL)
        return TRUE;
    }
  return FALSE;
}

int
ar_test_run_cli (const char *const *args,
                 const char *stdin_text,
                 char **out_stdout,
                 char **out_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *binary = g_getenv ("AR_BINARY");

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (char *) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE |
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);

  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);

  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* ---- a real container engine ------------------------------------------- */

#define RUN_LABEL_KEY "io.github.agents-runner.test-run"

static char *engine_run_id;
static char *engine_run_label;
static char *engine_dir;          /* /tmp/ar-test-engine-XXXXXX: removed by the reaper */
static GSubprocess *engine_reaper;
static int engine_state = -1;     /* -1 unknown, 0 none, 1 reachable */
static char *engine_skip_reason;
static char *engine_base_image;
static char *engine_nonroot_image;
static char *engine_base_tar;

/* Runs once the test process is gone, however it went (a failed assertion
 * aborts, skipping atexit): its stdin is our end of a pipe. It removes what
 * carries the run label, stops the private dockerd if this run started one
 * (its pidfile is in our folder), and removes the folder. */
static const char reaper_script[] =
  "label=\"$1\" dir=\"$2\"\n"
  "cat >/dev/null\n"
  "uniq_lines () { awk '!seen[$0]++'; }\n"
  "# An engine refuses to remove a parent whose child is still there (the\n"
  "# base under a layer, the desktop layer under an environment layer): each\n"
  "# round removes what has no child left, children first.\n"
  "remove_images () {\n"
  "  for round in 1 2 3 4 5; do\n"
  "    ids=$(\"$1\" image ls -q --no-trunc --filter \"label=$label\" 2>/dev/null | uniq_lines)\n"
  "    [ -n \"$ids\" ] || return 0\n"
  "    \"$1\" image rm -f $ids >/dev/null 2>&1\n"
  "  done\n"
  "}\n"
  "[ -e \"$dir/pid\" ] && export DOCKER_HOST=\"unix://$dir/docker.sock\"\n"
  "if command -v docker >/dev/null 2>&1; then\n"
  "  ids=$(docker ps -aq --no-trunc --filter \"label=$label\" 2>/dev/null)\n"
  "  [ -z \"$ids\" ] || docker rm -f $ids >/dev/null 2>&1\n"
  "  remove_images docker\n"
  "fi\n"
  "if [ -e \"$dir/containers.conf\" ]; then\n"
  "  export CONTAINERS_CONF=\"$dir/containers.conf\"\n"
  "  ids=$(podman ps -aq --no-trunc --filter \"label=$label\" 2>/dev/null)\n"
  "  [ -z \"$ids\" ] || podman rm -f -t 0 $ids >/dev/null 2>&1\n"
  "  remove_images podman\n"
  "fi\n"
  "if [ -e \"$dir/pid\" ]; then\n"
  "  pid=$(cat \"$dir/pid\")\n"
  "  kill \"$pid\" 2>/dev/null\n"
  "  i=0\n"
  "  while [ -e \"$dir/pid\" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done\n"
  "  [ -e \"$dir/pid\" ] && kill -9 \"$pid\" 2>/dev/null\n"
  "fi\n"
  "[ -e \"$dir/teardown\" ] && sh \"$dir/teardown\"\n"
  "rm -rf --one-file-system \"$dir\"\n";

static void
new_session (gpointer user_data)
{
  /* out of the test's process group: a harness killing the group on
   * timeout must not take down the cleanup (or the private engine) */
  setsid ();
}

static void
engine_fixture_init (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  if (engine_run_id != NULL)
    return;

  engine_run_id = g_strdup_printf ("%x%08x", (guint) getpid (), g_random_int ());
  engine_run_label = g_strconcat (RUN_LABEL_KEY "=", engine_run_id, NULL);
  /* under /tmp, not the test root: a unix socket path must stay short */
  engine_dir = g_dir_make_tmp ("ar-test-engine-XXXXXX", &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  engine_reaper = g_subprocess_launcher_spawn (launcher, &error,
                                               "sh", "-c", reaper_script, "ar-test-reaper",
                                               engine_run_label, engine_dir, NULL);
  g_assert_no_error (error);
}

const char *
ar_test_engine_run_id (void)
{
  engine_fixture_init ();
  return engine_run_id;
}

const char *
ar_test_engine_run_label (void)
{
  engine_fixture_init ();
  return engine_run_label;
}

const char *
ar_test_engine_skip_reason (void)
{
  return engine_skip_reason != NULL ? engine_skip_reason : "no container engine";
}

int
ar_test_run_argv (const char *const *argv, const char *const *envp, char **out_stdout, char **out_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, (char **) envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &wait_status, &error))
    {
      if (out_stderr != NULL)
        *out_stderr = g_strdup (error->message);
      if (out_stdout != NULL)
        *out_stdout = g_strdup ("");
      return 127;
    }
  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  return 128 + WTERMSIG (wait_status);
}

static int
run_program (const char *program, const char *const *args, char **out_stdout, char **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) program);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return ar_test_run_argv ((const char *const *) argv->pdata, NULL, out_stdout, out_stderr);
}

int
ar_test_engine_docker (const char *const *args, char **out_stdout, char **out_stderr)
{
  return run_program ("docker", args, out_stdout, out_stderr);
}

int
ar_test_engine_podman (const char *const *args, char **out_stdout, char **out_stderr)
{
  return run_program ("podman", args, out_stdout, out_stderr);
}

static gboolean
docker_answers (void)
{
  const char *args[] = { "info", "--format", "{{.ServerVersion}}", NULL };
  g_autofree char *out = NULL;

  return ar_test_engine_docker (args, &out, NULL) == 0 && g_strstrip (out)[0] != '\0';
}

/* The private engine of tests/engine-up.sh, started in our folder (so the
 * reaper stops it and runs its DIR/teardown): everything under that
 * folder, its own containerd namespaces, and a bridge and NAT rules of its
 * own, so that containers reach Debian's archive and published ports
 * answer, while another engine's docker0 and iptables chains are left
 * alone (--bridge=none used to delete docker0). */
static gboolean
start_private_dockerd (void)
{
  const char *root = g_getenv ("AR_SOURCE_ROOT");
  g_autofree char *script = g_build_filename (root != NULL ? root : ".", "tests", "engine-up.sh", NULL);
  const char *argv[] = { "sh", script, NULL };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "AR_TEST_ENGINE_UP_DIR", engine_dir, TRUE);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *host;
  int wait_status = 0;

  envp = g_environ_unsetenv (envp, "DOCKER_HOST");
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status, &error))
    {
      engine_skip_reason = g_strdup_printf ("could not run %s: %s", script, error->message);
      return FALSE;
    }
  if (!WIFEXITED (wait_status) || WEXITSTATUS (wait_status) != 0 ||
      (host = strstr (out, "export DOCKER_HOST=")) == NULL)
    {
      engine_skip_reason = g_strdup_printf ("a private dockerd could not be started: %s", g_strstrip (err));
      return FALSE;
    }
  host += strlen ("export DOCKER_HOST=");
  {
    g_autofree char *value = g_strndup (host, strcspn (host, "\n"));

    g_setenv ("DOCKER_HOST", value, TRUE);
    g_test_message ("engine fixture: private dockerd at %s", value);
  }
  return TRUE;
}

gboolean
ar_test_engine_ensure (void)
{
  g_autofree char *docker = NULL;
  g_autofree char *dockerd = NULL;

  if (engine_state >= 0)
    return engine_state == 1;
  engine_fixture_init ();
  engine_state = 0;

  if ((docker = g_find_program_in_path ("docker")) == NULL)
    {
      engine_skip_reason = g_strdup ("no docker command is installed");
      return FALSE;
    }
  if (docker_answers ())
    {
      engine_state = 1;
      return TRUE;
    }
  if (geteuid () != 0)
    {
      engine_skip_reason = g_strdup ("no Docker engine answers, and only root may start a private one");
      return FALSE;
    }
  if ((dockerd = g_find_program_in_path ("dockerd")) == NULL)
    {
      engine_skip_reason = g_strdup ("no Docker engine answers and dockerd is not installed");
      return FALSE;
    }
  if (!start_private_dockerd ())
    return FALSE;
  engine_state = 1;
  return TRUE;
}

gboolean
ar_test_engine_need (void)
{
  if (!ar_test_engine_ensure ())
    {
      g_autofree char *why = g_strdup_printf ("no container engine can be had here: %s",
                                              ar_test_engine_skip_reason ());

      g_test_skip (why);
      return FALSE;
    }
  return TRUE;
}

static void
make_base_rootfs (const char *root)
{
  static const char *const links[] = {
    "sh", "echo", "cat", "mkdir", "rm", "sleep", "id", "env", "ls", "cp", "mv", "chmod",
    "ln", "true", "false", "test", "printf", "head", "tail", "grep", "sed", "tr", "wc",
    "date", "touch", "tee", "find", "xargs", NULL
  };
  g_autofree char *busybox = g_find_program_in_path ("busybox");
  g_autofree char *bin = g_build_filename (root, "bin", NULL);
  g_autofree char *target = g_build_filename (bin, "busybox", NULL);
  g_autofree char *tmp = g_build_filename (root, "tmp", NULL);
  g_autofree char *home = g_build_filename (root, "home", "midori", NULL);
  g_autofree char *root_home = g_build_filename (root, "root", NULL);
  g_autofree char *passwd = g_build_filename (root, "etc", "passwd", NULL);
  g_autofree char *group = g_build_filename (root, "etc", "group", NULL);
  g_autoptr(GFile) src = NULL;
  g_autoptr(GFile) dest = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (busybox);
  g_mkdir_with_parents (bin, 0755);
  src = g_file_new_for_path (busybox);
  dest = g_file_new_for_path (target);
  g_file_copy (src, dest, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_chmod (target, 0755);
  for (guint i = 0; links[i] != NULL; i++)
    {
      g_autofree char *link = g_build_filename (bin, links[i], NULL);

      g_assert_cmpint (symlink ("busybox", link), ==, 0);
    }

  ar_test_write_file (passwd,
                      "root:x:0:0:root:/root:/bin/sh\n"
                      "midori:x:1000:1000:midori:/home/midori:/bin/sh\n");
  ar_test_write_file (group, "root:x:0:\nmidori:x:1000:\n");
  g_chmod (passwd, 0644);
  g_chmod (group, 0644);
  g_mkdir_with_parents (tmp, 0755);
  g_chmod (tmp, 01777);
  g_mkdir_with_parents (root_home, 0700);
  g_mkdir_with_parents (home, 0755);
  if (geteuid () == 0)
    g_assert_cmpint (chown (home, 1000, 1000), ==, 0);
}

void
ar_test_make_base_tar (const char *root, const char *tar_path)
{
  const char *tar[] = { "--numeric-owner", "-C", root, "-cf", tar_path, ".", NULL };
  g_autofree char *err = NULL;

  make_base_rootfs (root);
  if (run_program ("tar", tar, NULL, &err) != 0)
    g_error ("tar of the base image's root failed: %s", err);
}

char *
ar_test_engine_base_image (void)
{
  g_autofree char *root = NULL;
  g_autofree char *name = NULL;
  g_autofree char *change = NULL;
  g_autofree char *err = NULL;

  if (engine_base_image != NULL)
    return g_strdup (engine_base_image);
  g_assert_true (ar_test_engine_ensure ());

  root = g_build_filename (engine_dir, "base-root", NULL);
  engine_base_tar = g_build_filename (engine_dir, "base.tar", NULL);
  ar_test_make_base_tar (root, engine_base_tar);

  name = g_strconcat ("ar-test-base:", engine_run_id, NULL);
  change = g_strconcat ("LABEL ", RUN_LABEL_KEY, "=", engine_run_id, NULL);
  {
    const char *import[] = { "import", "--change", change, engine_base_tar, name, NULL };

    g_clear_pointer (&err, g_free);
    if (ar_test_engine_docker (import, NULL, &err) != 0)
      g_error ("docker import failed: %s", err);
  }
  engine_base_image = g_steal_pointer (&name);
  return g_strdup (engine_base_image);
}

const char *
ar_test_engine_base_tar (void)
{
  g_free (ar_test_engine_base_image ());
  return engine_base_tar;
}

void
ar_test_engine_build (const char *name, const char *dockerfile)
{
  g_autofree char *context = ar_test_mkdtemp ("image");
  g_autofree char *path = g_build_filename (context, "Dockerfile", NULL);
  g_autofree char *err = NULL;
  const char *build[] = { "build", "-q", "-t", name, "--label", ar_test_engine_run_label (), context, NULL };

  ar_test_write_file (path, dockerfile);
  if (ar_test_engine_docker (build, NULL, &err) != 0)
    g_error ("docker build of %s failed: %s", name, err);
}

char *
ar_test_engine_nonroot_base_image (void)
{
  g_autofree char *base = NULL;
  g_autofree char *text = NULL;

  if (engine_nonroot_image != NULL)
    return g_strdup (engine_nonroot_image);

  base = ar_test_engine_base_image ();
  text = g_strdup_printf ("FROM %s\nUSER midori\n", base);
  engine_nonroot_image = g_strconcat ("ar-test-base-nonroot:", engine_run_id, NULL);
  ar_test_engine_build (engine_nonroot_image, text);
  return g_strdup (engine_nonroot_image);
}

char *
ar_test_engine_podman_base_image (void)
{
  g_autofree char *name = g_strconcat ("ar-test-base:", ar_test_engine_run_id (), NULL);
  g_autofree char *change = g_strconcat ("LABEL ", ar_test_engine_run_label (), NULL);
  g_autofree char *err = NULL;
  const char *import[] = { "import", "--change", change, ar_test_engine_base_tar (), name, NULL };

  if (ar_test_engine_podman (import, NULL, &err) != 0)
    g_error ("podman import failed: %s", err);
  return g_steal_pointer (&name);
}

gboolean
ar_test_engine_podman_ensure (void)
{
  g_autofree char *podman = NULL;
  g_autofree char *conf = NULL;

  engine_fixture_init ();
  if (geteuid () != 0 || (podman = g_find_program_in_path ("podman")) == NULL)
    return FALSE;

  /* runc cannot set rlimits in this sandbox: ENGINE.md */
  conf = g_build_filename (engine_dir, "containers.conf", NULL);
  if (!g_file_test (conf, G_FILE_TEST_EXISTS))
    ar_test_write_file (conf, "[containers]\ndefault_ulimits = []\n");
  g_setenv ("CONTAINERS_CONF", conf, TRUE);
  return TRUE;
}

char *
ar_test_task_record_of_env (const char *env_id)
{
  g_autofree char *tasks = ar_paths_tasks_dir ();
  g_autoptr(GDir) dir = g_dir_open (tasks, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks, name, AR_TASK_RECORD_FILE, NULL);
      g_autoptr(ArTask) task = ar_task_new_from_file (path, NULL);

      if (task != NULL && g_str_equal (ar_task_get_env_id (task), env_id))
        return g_steal_pointer (&path);
    }
  return NULL;
}

ArTask *
ar_test_task_of_env (const char *env_id)
{
  g_autofree char *path = ar_test_task_record_of_env (env_id);

  return path != NULL ? ar_task_new_from_file (path, NULL) : NULL;
}

ArEnvStore *
ar_test_save_env (ArEnvironment *env)
{
  ArEnvStore *store = ar_env_store_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  ar_env_store_replace (store, env);
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);
  return store;
}

gint64
ar_test_thread_cpu_usec (void)
{
  struct timespec now;

  g_assert_cmpint (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now), ==, 0);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

int
ar_test_http_status (guint port, const char *path)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autofree char *req = g_strdup_printf ("GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
  char buf[256] = { 0 };
  gsize got = 0;

  g_socket_client_set_timeout (client, 10);
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, NULL);
  if (conn == NULL ||
      !g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), req, strlen (req), NULL, NULL,
                                  NULL))
    return 0;
  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf, sizeof buf - 1, &got, NULL, NULL);
  return g_str_has_prefix (buf, "HTTP/1.") ? atoi (buf + strlen ("HTTP/1.0 ")) : 0;
}
