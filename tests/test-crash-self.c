/* test-crash-self.c — a test program that crashes prints its stacks
 * (test-crash-report.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>

#include "test-utils.h"

/* Not inlined, so that its name is a frame of the report. */
G_GNUC_NO_INLINE static void
ar_test_crash_here (volatile int *where)
{
  *where = 1;
}

static void
test_segv (void)
{
  if (AR_TEST_UNDER_ASAN)
    {
      g_test_skip ("under ASan, which reports a crash itself");
      return;
    }
  if (g_test_subprocess ())
    {
      volatile int *nowhere = NULL;

      ar_test_crash_here (nowhere);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  /* killed by the same signal, after the report */
  g_test_trap_assert_stderr ("*== crash: Segmentation fault; the stacks of this process follow ==*");
  g_test_trap_assert_stderr ("*ar_test_crash_here*test_segv*== end of the crash report ==*");
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  g_test_add_func ("/crash-report/segv", test_segv);
  return g_test_run ();
}
