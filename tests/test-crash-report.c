/* test-crash-report.c — a test program that crashes says where
 *
 * A crash that comes once in a dozen runs (a SIGSEGV in autosplit-engine
 * after 773 s of a loaded run) leaves nothing to read but "killed by
 * signal 11": no core is kept on these machines. So every test program
 * answers a fatal signal by running gdb on itself, which prints every
 * thread's stack on stderr (into the test's log), then dies of the same
 * signal as before. Without gdb, glibc's backtrace() of the crashing
 * thread is printed instead (addresses, for addr2line).
 *
 * Not under ASan: it reports a crash itself, with a better stack.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "test-utils.h"

/* Made before any crash: a signal handler may not allocate. */
static char *gdb_path;
static char *gdb_argv_pid;
static char *const *gdb_envp;

static void
say (const char *text)
{
  gsize left = strlen (text);

  while (left > 0)
    {
      ssize_t n = write (STDERR_FILENO, text, left);

      if (n <= 0)
        return;
      text += n;
      left -= (gsize) n;
    }
}

static void
on_fatal_signal (int sig)
{
  void *frames[64];
  int n_frames;

  say ("\n== crash: ");
  say (strsignal (sig));
  say ("; the stacks of this process follow ==\n");
  if (gdb_path != NULL)
    {
      pid_t child;

      /* A child may attach to its parent only when told so (Yama). */
      prctl (PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
      child = fork ();
      if (child == 0)
        {
          char *const argv[] = { gdb_path, (char *) "-batch", (char *) "-nx", (char *) "-q",
                                 (char *) "-ex", (char *) "set pagination off",
                                 (char *) "-ex", (char *) "thread apply all bt 40",
                                 (char *) "-p", gdb_argv_pid, NULL };

          dup2 (STDERR_FILENO, STDOUT_FILENO);
          execve (gdb_path, argv, gdb_envp);
          _exit (127);
        }
      if (child > 0)
        {
          int status = 0;

          while (waitpid (child, &status, 0) < 0 && errno == EINTR)
            ;
          if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
            goto done;
        }
    }
  say ("(no gdb: the crashing thread's frames, for addr2line)\n");
  n_frames = backtrace (frames, G_N_ELEMENTS (frames));
  backtrace_symbols_fd (frames, n_frames, STDERR_FILENO);
done:
  say ("== end of the crash report ==\n");
  signal (sig, SIG_DFL);
  raise (sig);
}

void
ar_test_report_crashes (void)
{
  static const int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
  struct sigaction action = { 0 };
  void *frames[1];

  if (AR_TEST_UNDER_ASAN)
    return;
  gdb_path = g_find_program_in_path ("gdb");
  gdb_argv_pid = g_strdup_printf ("%d", (int) getpid ());
  gdb_envp = (char *const *) g_get_environ ();
  /* backtrace() loads libgcc on first use: not in the handler. */
  backtrace (frames, 1);

  action.sa_handler = on_fatal_signal;
  sigemptyset (&action.sa_mask);
  /* A stack overflow is a SIGSEGV too: the handler needs its own stack. */
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  {
    static char alt_stack[64 * 1024];
    stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack };

    sigaltstack (&ss, NULL);
  }
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    sigaction (signals[i], &action, NULL);
}
