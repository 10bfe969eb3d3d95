/* test-preflight-analyzer-utils.c — what the test-preflight-analyzer programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-preflight-analyzer.h"
#include "test-utils.h"

#include <string.h>
#include <time.h>
#include "test-preflight-analyzer-utils.h"

/* The analysis of a script it must not give up on. */
GPtrArray *
analyze (const char *script, const char *const *names)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *units = ar_preflight_analyze (script, names, &error);

  g_assert_no_error (error);
  g_assert_nonnull (units);
  return units;
}

ArPreflightUnit *
unit_at (GPtrArray *units, guint i)
{
  g_assert_cmpuint (i, <, units->len);
  return g_ptr_array_index (units, i);
}

/* Analyzes a one-unit script and checks its category and part. */
void
assert_single (const char *script,
               const char *const *names,
               ArPreflightCategory category,
               ArPreflightPart part)
{
  g_autoptr(GPtrArray) units = analyze (script, names);
  ArPreflightUnit *u;

  if (units->len != 1)
    g_error ("%s: expected one unit, got %u", script, units->len);
  u = unit_at (units, 0);
  if (u->category != category || u->part != part)
    g_error ("%s: expected %s/%s, got %s/%s (%s)", script,
             ar_preflight_category_to_string (category), ar_preflight_part_to_string (part),
             ar_preflight_category_to_string (u->category), ar_preflight_part_to_string (u->part),
             u->reason);
  g_assert_cmpstr (u->text, ==, script);
  g_assert_nonnull (u->reason);
  g_assert_cmpstr (u->reason, !=, "");
}
