/* bench-stats.h — the clock and the median the benchmarks share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdlib.h>

#include <glib.h>

/* Monotonic time in seconds. */
static inline double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static inline int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The median of @n values; sorts them in place. */
static inline double
median (double *values, int n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* The median of a GArray of doubles; sorts it in place. */
static inline double
array_median (GArray *values)
{
  return median ((double *) (gpointer) values->data, (int) values->len);
}
