/* test-pty.c — a program run on a pseudo-terminal (test-pty.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "test-pty.h"

static void
child_setup (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

GSubprocess *
ar_test_pty_spawn (const char *const *argv,
                   const char *const *env_pairs,
                   guint rows,
                   guint columns,
                   ArTestPty *pty)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  int slave;

  pty->output = g_string_new (NULL);
  pty->master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (pty->master, >=, 0);
  g_assert_cmpint (grantpt (pty->master), ==, 0);
  g_assert_cmpint (unlockpt (pty->master), ==, 0);
  if (rows > 0 && columns > 0)
    {
      struct winsize size = { rows, columns, 0, 0 };

      g_assert_cmpint (ioctl (pty->master, TIOCSWINSZ, &size), ==, 0);
    }
  slave = open (ptsname (pty->master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (slave, >=, 0);
  g_assert_true (g_unix_set_fd_nonblocking (pty->master, TRUE, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdin_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stdout_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  for (guint i = 0; env_pairs != NULL && env_pairs[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env_pairs[i], "=", 2);

      g_assert_nonnull (pair[1]);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* the launcher holds the slave's copies until it goes (at return) */
  return proc;
}

gboolean
ar_test_pty_read (ArTestPty *pty)
{
  char buf[4096];
  gssize n;

  while ((n = read (pty->master, buf, sizeof buf)) > 0)
    g_string_append_len (pty->output, buf, n);
  return n < 0 && errno == EAGAIN;
}

void
ar_test_pty_await (ArTestPty *pty, const char *text, guint seconds, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (strstr (pty->output->str, text) == NULL)
    {
      if (!ar_test_pty_read (pty) || g_get_monotonic_time () > deadline)
        g_error ("%s: not within %u s; the terminal showed: %s", what, seconds, pty->output->str);
      g_usleep (20000);
    }
}

void
ar_test_pty_close (ArTestPty *pty)
{
  if (pty->master >= 0)
    close (pty->master);
  pty->master = -1;
  if (pty->output != NULL)
    g_string_free (pty->output, TRUE);
  pty->output = NULL;
}
