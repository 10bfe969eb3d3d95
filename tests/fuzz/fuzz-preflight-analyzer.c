/* fuzz-preflight-analyzer.c — bytes as a preflight script for the auto-split
 * (design.md §5.1, issue 8 items 6 and 9).
 *
 * Whatever the script, the analysis never crashes and either gives up with
 * the one error it has (nested too deeply, one line naming the line) or
 * returns units that:
 * - are in source order, do not overlap, and each hold exactly the lines
 *   they claim, verbatim;
 * - leave out only blank lines and comment lines, so no line of code is lost;
 * - carry a category, a part that matches it (or BOTH, for a definition
 *   the other part needs too, or RUN when the guarantee moved it there,
 *   naming a line) and a one-line reason; their validator signals name
 *   lines inside the unit;
 * - hold the guarantee (design.md §5.1): ar_preflight_check_split finds no
 *   broken dependency, and no unit using a task or environment variable is
 *   in the cached part or in both;
 * - render into a cached and a run script made of exactly their units' text
 *   in order, valid UTF-8 when the script is;
 * and a second analysis gives the same result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "ar-preflight-analyzer.h"
#include "ar-preflight-deps.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define CHECK(cond) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) \
      { \
        g_printerr ("fuzz-preflight-analyzer: invariant failed: %s (line %d)\n", #cond, __LINE__); \
        abort (); \
      } \
  } G_STMT_END

/* Two of them per-task secrets, one never used, as an environment has. */
static const char *const env_names[] = { "GITHUB_TOKEN", "API_KEY", "UNUSED_NAME", NULL };

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* a g_return_if_fail inside the analyzer is a bug too */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* A line no unit holds must be one the documentation lets go: blank (a
 * lone continuation backslash joins it to nothing), or a comment when no
 * command follows it to carry it. */
static gboolean
is_blank (const char *line, gsize n)
{
  if (n > 0 && line[n - 1] == '\\')
    n--;
  for (gsize i = 0; i < n; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
      return FALSE;
  return TRUE;
}

static gboolean
is_blank_or_comment (const char *line, gsize n)
{
  gsize i = 0;

  while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
    i++;
  return i == n || line[i] == '#' || is_blank (line, n);
}

static gboolean
part_matches_category (const ArPreflightUnit *u)
{
  /* sent to run by the guarantee, because of a line of the script */
  if (u->moved_by_line != 0)
    return u->part == AR_PREFLIGHT_PART_RUN && u->category != AR_PREFLIGHT_CATEGORY_SHEBANG;
  switch (u->category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL:
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD:
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG:
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR:
      return u->part == AR_PREFLIGHT_PART_CACHED || u->part == AR_PREFLIGHT_PART_BOTH;
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT:
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE:
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR:
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS:
      return u->part == AR_PREFLIGHT_PART_RUN || u->part == AR_PREFLIGHT_PART_BOTH;
    case AR_PREFLIGHT_CATEGORY_SHEBANG:
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION:
    case AR_PREFLIGHT_CATEGORY_VARIABLE:
      return u->part == AR_PREFLIGHT_PART_BOTH;
    default:
      return FALSE;
    }
}

static gboolean
signal_in_unit (const ArPreflightUnit *u, guint line)
{
  return line == 0 || (line >= u->line && line <= u->end_line);
}

/* The rendered script of part @which is the texts of that part's units and
 * of the BOTH units, in order, each with a newline, and a blank line where
 * lines no unit holds were between two of them. */
static void
check_render (GPtrArray *units, ArPreflightPart which, const char *rendered, gboolean utf8)
{
  const char *p = rendered;
  gboolean any = FALSE;
  gboolean first = TRUE;
  guint prev_end = 0;
  gboolean gap = FALSE;

  for (guint i = 0; i < units->len; i++)
    any |= ((ArPreflightUnit *) g_ptr_array_index (units, i))->part == which;
  if (!any)
    {
      CHECK (rendered[0] == '\0');
      return;
    }
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);
      gsize n = strlen (u->text);

      if (prev_end != 0 && u->line > prev_end + 1)
        gap = TRUE;
      prev_end = u->end_line;
      if (u->part != which && u->part != AR_PREFLIGHT_PART_BOTH)
        continue;
      if (gap && !first)
        {
          CHECK (*p == '\n');
          p++;
        }
      CHECK (strncmp (p, u->text, n) == 0);
      p += n;
      CHECK (*p == '\n');
      p++;
      gap = FALSE;
      first = FALSE;
    }
  CHECK (*p == '\0');
  if (utf8)
    CHECK (g_utf8_validate (rendered, -1, NULL));
}

static void
check_units (const char *script, GPtrArray *units, gboolean utf8)
{
  g_auto(GStrv) lines = g_strsplit (script, "\n", -1);
  guint n_lines = g_strv_length (lines);
  guint covered_to = 0; /* last line held by a unit so far */

  /* a final newline ends the last line, it does not start another */
  if (n_lines > 1 && lines[n_lines - 1][0] == '\0')
    n_lines--;

  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autoptr(ArPreflightUnit) copy = NULL;

      CHECK (u->line >= 1);
      CHECK (u->line > covered_to);
      CHECK (u->end_line >= u->line);
      CHECK (u->end_line <= n_lines);
      /* lines between units are blank: a comment goes with the unit below */
      for (guint l = covered_to + 1; l < u->line; l++)
        CHECK (is_blank (lines[l - 1], strlen (lines[l - 1])));
      for (guint l = u->line; l <= u->end_line; l++)
        {
          if (l > u->line)
            g_string_append_c (expected, '\n');
          g_string_append (expected, lines[l - 1]);
        }
      CHECK (strcmp (u->text, expected->str) == 0);
      covered_to = u->end_line;

      CHECK (part_matches_category (u));
      CHECK (u->deps != NULL || u->category == AR_PREFLIGHT_CATEGORY_SHEBANG);
      if (u->task_variable != NULL || u->env_variable != NULL)
        CHECK (u->part == AR_PREFLIGHT_PART_RUN);
      CHECK (u->reason != NULL && u->reason[0] != '\0');
      CHECK (strchr (u->reason, '\n') == NULL);
      if (utf8)
        CHECK (g_utf8_validate (u->reason, -1, NULL));
      CHECK ((u->task_variable != NULL) == (u->task_variable_line != 0));
      CHECK ((u->env_variable != NULL) == (u->env_variable_line != 0));
      CHECK (signal_in_unit (u, u->task_variable_line));
      CHECK (signal_in_unit (u, u->env_variable_line));
      CHECK (signal_in_unit (u, u->dynamic_tmp_line));
      CHECK (signal_in_unit (u, u->package_line));
      CHECK (u->env_variable == NULL || g_strv_contains (env_names, u->env_variable));
      if (u->category == AR_PREFLIGHT_CATEGORY_SHEBANG)
        CHECK (i == 0 && u->line == 1 && g_str_has_prefix (u->text, "#!"));

      copy = ar_preflight_unit_copy (u);
      CHECK (g_strcmp0 (copy->text, u->text) == 0 && g_strcmp0 (copy->reason, u->reason) == 0);
    }

  /* after the last unit: blank lines only, or comments when there is no
   * unit to carry them */
  for (guint l = covered_to + 1; l <= n_lines; l++)
    {
      const char *line = lines[l - 1];

      if (units->len > 0)
        CHECK (is_blank (line, strlen (line)));
      else
        CHECK (is_blank_or_comment (line, strlen (line)));
    }
}

static gboolean
same_units (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      ArPreflightUnit *x = g_ptr_array_index (a, i);
      ArPreflightUnit *y = g_ptr_array_index (b, i);

      if (x->line != y->line || x->end_line != y->end_line || x->category != y->category ||
          x->part != y->part || x->moved_by_line != y->moved_by_line || x->task_variable_line != y->task_variable_line ||
          x->env_variable_line != y->env_variable_line || x->dynamic_tmp_line != y->dynamic_tmp_line ||
          x->package_line != y->package_line || g_strcmp0 (x->text, y->text) != 0 ||
          g_strcmp0 (x->reason, y->reason) != 0 || g_strcmp0 (x->task_variable, y->task_variable) != 0 ||
          g_strcmp0 (x->env_variable, y->env_variable) != 0)
        return FALSE;
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* a script is a C string: it ends at the first NUL, as it would coming
   * from the store */
  g_autofree char *script = g_strndup ((const char *) data, size);
  gboolean utf8 = g_utf8_validate (script, -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(GPtrArray) units = ar_preflight_analyze (script, env_names, &error);
  g_autoptr(GPtrArray) units2 = ar_preflight_analyze (script, env_names, &error2);
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;
  g_autofree char *cached2 = NULL;
  g_autofree char *run2 = NULL;

  if (units == NULL)
    {
      /* the one way it gives up: too deeply nested, said in one line */
      CHECK (error != NULL);
      CHECK (g_error_matches (error, AR_PREFLIGHT_ANALYZER_ERROR, AR_PREFLIGHT_ANALYZER_ERROR_TOO_DEEP));
      CHECK (g_str_has_prefix (error->message, "Line "));
      CHECK (strchr (error->message, '\n') == NULL);
      CHECK (units2 == NULL && error2 != NULL && strcmp (error->message, error2->message) == 0);
      return 0;
    }
  CHECK (error == NULL);
  CHECK (units2 != NULL);

  check_units (script, units, utf8);
  CHECK (ar_preflight_check_split (units, NULL));
  cached = ar_preflight_render (units, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (units, AR_PREFLIGHT_PART_RUN);
  check_render (units, AR_PREFLIGHT_PART_CACHED, cached, utf8);
  check_render (units, AR_PREFLIGHT_PART_RUN, run, utf8);

  /* deterministic: no state carried from one analysis to the next */
  CHECK (same_units (units, units2));
  cached2 = ar_preflight_render (units2, AR_PREFLIGHT_PART_CACHED);
  run2 = ar_preflight_render (units2, AR_PREFLIGHT_PART_RUN);
  CHECK (strcmp (cached, cached2) == 0);
  CHECK (strcmp (run, run2) == 0);

  /* a user flipping every switch: each unit lands in the other part */
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (u->part == AR_PREFLIGHT_PART_CACHED)
        u->part = AR_PREFLIGHT_PART_RUN;
      else if (u->part == AR_PREFLIGHT_PART_RUN)
        u->part = AR_PREFLIGHT_PART_CACHED;
    }
  {
    g_autofree char *flipped_cached = ar_preflight_render (units, AR_PREFLIGHT_PART_CACHED);
    g_autofree char *flipped_run = ar_preflight_render (units, AR_PREFLIGHT_PART_RUN);

    check_render (units, AR_PREFLIGHT_PART_CACHED, flipped_cached, utf8);
    check_render (units, AR_PREFLIGHT_PART_RUN, flipped_run, utf8);
  }
  return 0;
}
