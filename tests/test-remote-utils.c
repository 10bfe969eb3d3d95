/* test-remote-utils.c — the "remote" engine fixture (test-remote-utils.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-remote-utils.h"
#include "test-debian.h"
#include "test-utils.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int remote_state = -1; /* -1 not tried, 0 none, 1 up */
static gboolean remote_fatal;
static char *remote_why;
static char *remote_dir;
static char *remote_socket;
static char *ssh_host;
static char *ssh_path;
static char *tls_host;
static char *cert_path;
static int remote_pid;
static GSubprocess *remote_reaper; /* kept for the process's life: its stdin is the pipe */
static char *base_image;
static char *nonroot_image;
static char *debian_base;
static char *debian_dev;
static char *debian_why;
static gboolean debian_fatal;
static gboolean debian_done;

static void
new_session (gpointer user_data)
{
  /* out of the test's process group: a harness killing the group on
   * timeout must not take the cleanup down with it */
  setsid ();
}

static char *
script_path (void)
{
  const char *root = g_getenv ("AR_SOURCE_ROOT");

  return g_build_filename (root != NULL ? root : ".", "tests", "remote-engine-up.sh", NULL);
}

/* The value of `export NAME=VALUE` in the script's output, or NULL. */
static char *
exported (const char *out, const char *name)
{
  g_autofree char *key = g_strconcat ("export ", name, "=", NULL);
  const char *at = strstr (out, key);

  if (at == NULL)
    return NULL;
  at += strlen (key);
  return g_strndup (at, strcspn (at, "\n"));
}

static char *
path_with_ssh (const char *path)
{
  return path != NULL && *path != '\0' ? g_strconcat (ssh_path, ":", path, NULL) : g_strdup (ssh_path);
}

static void
start_remote (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = script_path ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  remote_state = 0;
  if (geteuid () != 0)
    {
      remote_why = g_strdup ("only root may start the remote engine (a second dockerd in a mount namespace of its own)");
      return;
    }
  /* This run's label first: the local engine fixture's reaper keeps the
   * environment it starts with, ours is changed below. */
  (void) ar_test_engine_run_label ();

  /* Not under /tmp, /home or /root: the remote engine has its own. */
  dir = g_strdup ("/var/tmp/ar-test-remote-XXXXXX");
  if (g_mkdtemp_full (dir, 0700) == NULL)
    {
      remote_fatal = TRUE;
      remote_why = g_strdup_printf ("could not make a folder under /var/tmp: %s", g_strerror (errno));
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  remote_reaper = g_subprocess_launcher_spawn (launcher, &error, "sh", "-c",
                                               "cat >/dev/null; sh \"$1\" stop \"$2\" >/dev/null 2>&1; rm -rf \"$2\"",
                                               "ar-test-remote-reaper", script, dir, NULL);
  g_assert_no_error (error);

  {
    const char *argv[] = { "sh", script, "start", dir, NULL };

    status = ar_test_run_argv (argv, NULL, &out, &err);
  }
  if (status != 0)
    {
      remote_fatal = status != 2;
      remote_why = g_strdup_printf ("tests/remote-engine-up.sh: %s", g_strstrip (err));
      return;
    }
  remote_dir = g_steal_pointer (&dir);
  remote_socket = exported (out, "AR_TEST_REMOTE_SOCKET");
  ssh_host = exported (out, "AR_TEST_REMOTE_SSH_HOST");
  ssh_path = exported (out, "AR_TEST_REMOTE_SSH_PATH");
  tls_host = exported (out, "AR_TEST_REMOTE_TLS_HOST");
  cert_path = exported (out, "AR_TEST_REMOTE_CERT_PATH");
  pid = exported (out, "AR_TEST_REMOTE_PID");
  if (remote_socket == NULL || ssh_host == NULL || ssh_path == NULL || tls_host == NULL || cert_path == NULL ||
      pid == NULL)
    {
      remote_fatal = TRUE;
      remote_why = g_strdup_printf ("tests/remote-engine-up.sh printed not all it should: %s", out);
      return;
    }
  remote_pid = atoi (pid);

  path = path_with_ssh (g_getenv ("PATH"));
  g_setenv ("PATH", path, TRUE);
  g_setenv ("DOCKER_TLS_VERIFY", "1", TRUE);
  g_setenv ("DOCKER_CERT_PATH", cert_path, TRUE);
  g_test_message ("remote engine: %s and %s (its socket %s), up in %.1f s", ssh_host, tls_host, remote_socket,
                  (g_get_monotonic_time () - start) / 1e6);
  remote_state = 1;
}

gboolean
ar_test_remote_ensure (gboolean *fatal, char **why)
{
  if (remote_state < 0)
    start_remote ();
  if (remote_state == 1)
    return TRUE;
  if (fatal != NULL)
    *fatal = remote_fatal;
  if (why != NULL)
    *why = g_strdup (remote_why);
  return FALSE;
}

gboolean
ar_test_remote_need (void)
{
  gboolean fatal = FALSE;
  g_autofree char *why = NULL;

  if (ar_test_remote_ensure (&fatal, &why))
    return TRUE;
  if (fatal)
    {
      g_test_message ("the remote engine should have started and did not: %s", why);
      g_test_fail ();
    }
  else
    {
      g_autofree char *skip = g_strdup_printf ("no remote engine can be had here: %s", why);

      g_test_skip (skip);
    }
  return FALSE;
}

const char *
ar_test_remote_host (ArTestRemoteWay way)
{
  g_assert_cmpint (remote_state, ==, 1);
  return way == AR_TEST_REMOTE_SSH ? ssh_host : tls_host;
}

const char *
ar_test_remote_way_name (ArTestRemoteWay way)
{
  return way == AR_TEST_REMOTE_SSH ? "SSH" : "TLS";
}

char **
ar_test_remote_environ (ArTestRemoteWay way, char **envp)
{
  g_assert_cmpint (remote_state, ==, 1);
  if (envp == NULL)
    envp = g_get_environ ();
  if (way == AR_TEST_REMOTE_SSH)
    {
      const char *old = g_environ_getenv (envp, "PATH");

      /* ar_test_remote_ensure() put it in ours already: not twice */
      if (old == NULL || !g_str_has_prefix (old, ssh_path))
        {
          g_autofree char *path = path_with_ssh (old);

          envp = g_environ_setenv (envp, "PATH", path, TRUE);
        }
    }
  else
    {
      envp = g_environ_setenv (envp, "DOCKER_TLS_VERIFY", "1", TRUE);
      envp = g_environ_setenv (envp, "DOCKER_CERT_PATH", cert_path, TRUE);
    }
  return envp;
}

const char *
ar_test_remote_socket (void)
{
  g_assert_cmpint (remote_state, ==, 1);
  return remote_socket;
}

const char *
ar_test_remote_dir (void)
{
  g_assert_cmpint (remote_state, ==, 1);
  return remote_dir;
}

int
ar_test_remote_pid (void)
{
  g_assert_cmpint (remote_state, ==, 1);
  return remote_pid;
}

int
ar_test_remote_docker (const char *const *args, char **out_stdout, char **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "DOCKER_HOST", ar_test_remote_socket (), TRUE);

  g_ptr_array_add (argv, (char *) "docker");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return ar_test_run_argv ((const char *const *) argv->pdata, (const char *const *) envp, out_stdout, out_stderr);
}

gboolean
ar_test_remote_path_exists (const char *path)
{
  g_autofree char *pid = g_strdup_printf ("%d", ar_test_remote_pid ());
  const char *argv[] = { "nsenter", "-t", pid, "-m", "--", "test", "-e", path, NULL };
  g_autofree char *err = NULL;
  int status = ar_test_run_argv (argv, NULL, NULL, &err);

  if (status != 0 && status != 1)
    g_error ("nsenter into the remote engine's mount namespace failed (%d): %s", status, err);
  return status == 0;
}

char *
ar_test_remote_base_image (void)
{
  g_autofree char *root = NULL;
  g_autofree char *tar = NULL;
  g_autofree char *change = NULL;
  g_autofree char *name = NULL;
  g_autofree char *err = NULL;

  if (base_image != NULL)
    return g_strdup (base_image);
  root = g_build_filename (ar_test_remote_dir (), "base-root", NULL);
  tar = g_build_filename (ar_test_remote_dir (), "base.tar", NULL);
  ar_test_make_base_tar (root, tar);
  name = g_strconcat ("ar-test-remote-base:", ar_test_engine_run_id (), NULL);
  change = g_strconcat ("LABEL ", ar_test_engine_run_label (), NULL);
  {
    const char *import[] = { "import", "--change", change, tar, name, NULL };

    if (ar_test_remote_docker (import, NULL, &err) != 0)
      g_error ("docker import on the remote engine failed: %s", err);
  }
  base_image = g_steal_pointer (&name);
  return g_strdup (base_image);
}

char *
ar_test_remote_nonroot_base_image (void)
{
  g_autofree char *base = NULL;
  g_autofree char *context = NULL;
  g_autofree char *dockerfile = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *err = NULL;

  if (nonroot_image != NULL)
    return g_strdup (nonroot_image);
  base = ar_test_remote_base_image ();
  context = g_build_filename (ar_test_remote_dir (), "nonroot", NULL);
  dockerfile = g_build_filename (context, "Dockerfile", NULL);
  text = g_strdup_printf ("FROM %s\nUSER midori\n", base);
  ar_test_write_file (dockerfile, text);
  name = g_strconcat ("ar-test-remote-base-nonroot:", ar_test_engine_run_id (), NULL);
  {
    const char *build[] = { "build", "-q", "-t", name, "--label", ar_test_engine_run_label (), context, NULL };

    if (ar_test_remote_docker (build, NULL, &err) != 0)
      g_error ("docker build of the non-root base on the remote engine failed: %s", err);
  }
  nonroot_image = g_steal_pointer (&name);
  return g_strdup (nonroot_image);
}

static void
make_debian (void)
{
  g_autofree char *base = NULL;
  g_autofree char *dev = NULL;
  g_autofree char *err = NULL;
  gint64 start;

  debian_done = TRUE;
  if (!ar_test_remote_ensure (&debian_fatal, &debian_why))
    return;
  if (!ar_test_debian_images ("docker", &base, &dev, &debian_fatal, &debian_why))
    return;
  start = g_get_monotonic_time ();
  {
    /* the local engine (DOCKER_HOST or the default socket) to the remote one */
    const char *argv[] = { "bash", "-c", "set -o pipefail; docker save \"$1\" \"$2\" | DOCKER_HOST=\"$3\" docker load -q",
                           "ar-test-remote-debian", base, dev, ar_test_remote_socket (), NULL };

    if (ar_test_run_argv (argv, NULL, NULL, &err) != 0)
      {
        debian_fatal = TRUE;
        debian_why = g_strdup_printf ("could not copy the Debian images to the remote engine: %s", g_strstrip (err));
        return;
      }
  }
  g_test_message ("the Debian images copied to the remote engine in %.1f s", (g_get_monotonic_time () - start) / 1e6);
  debian_base = g_steal_pointer (&base);
  debian_dev = g_steal_pointer (&dev);
}

gboolean
ar_test_remote_debian_images (char **base, char **dev, gboolean *fatal, char **why)
{
  if (!debian_done)
    make_debian ();
  if (debian_base == NULL)
    {
      if (fatal != NULL)
        *fatal = debian_fatal;
      if (why != NULL)
        *why = g_strdup (debian_why);
      return FALSE;
    }
  if (base != NULL)
    *base = g_strdup (debian_base);
  if (dev != NULL)
    *dev = g_strdup (debian_dev);
  return TRUE;
}
