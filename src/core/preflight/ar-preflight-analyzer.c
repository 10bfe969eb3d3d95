/* ar-preflight-analyzer.c — auto-split of a preflight script (design.md §5.1)
 *
 * The public face of the split: the units of a script, in source order and
 * classified, and the cached and run scripts rendered from them. The steps
 * are in the files named in ar-preflight-analyzer-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

ArPreflightUnit *
ar_preflight_unit_copy (const ArPreflightUnit *unit)
{
  ArPreflightUnit *copy;

  g_return_val_if_fail (unit != NULL, NULL);

  copy = g_new0 (ArPreflightUnit, 1);
  *copy = *unit;
  copy->text = g_strdup (unit->text);
  copy->reason = g_strdup (unit->reason);
  copy->task_variable = g_strdup (unit->task_variable);
  copy->env_variable = g_strdup (unit->env_variable);
  if (unit->deps != NULL)
    copy->deps = ar_preflight_deps_ref (unit->deps);
  return copy;
}

void
ar_preflight_unit_free (ArPreflightUnit *unit)
{
  if (unit == NULL)
    return;
  g_free (unit->text);
  g_free (unit->reason);
  g_free (unit->task_variable);
  g_free (unit->env_variable);
  if (unit->deps != NULL)
    ar_preflight_deps_unref (unit->deps);
  g_free (unit);
}

G_DEFINE_BOXED_TYPE (ArPreflightUnit, ar_preflight_unit, ar_preflight_unit_copy, ar_preflight_unit_free)

/* clang-format off */
G_DEFINE_QUARK (ar-preflight-analyzer-error-quark, ar_preflight_analyzer_error)
/* clang-format on */

static gboolean
gave_up (ArPreflightLexer *lx, GError **error)
{
  if (lx->too_deep_line == 0)
    return FALSE;
  g_set_error (error, AR_PREFLIGHT_ANALYZER_ERROR, AR_PREFLIGHT_ANALYZER_ERROR_TOO_DEEP,
               _ ("Line %u nests quotes, substitutions or blocks more than %u levels deep, which is too deep to analyse."),
               lx->too_deep_line, (guint) AR_PREFLIGHT_MAX_NESTING);
  return TRUE;
}

static GPtrArray *
analyze (const char *script, const char *const *env_var_names, gboolean guarantee, GError **error);

GPtrArray *
ar_preflight_analyze (const char *script, const char *const *env_var_names, GError **error)
{
  return analyze (script, env_var_names, TRUE, error);
}

GPtrArray *
ar_preflight_analyze_classify_only (const char *script, const char *const *env_var_names, GError **error)
{
  return analyze (script, env_var_names, FALSE, error);
}

static GPtrArray *
analyze (const char *script, const char *const *env_var_names, gboolean guarantee, GError **error)
{
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_preflight_unit_free);
  g_autoptr(ArPreflightParser) p = NULL;
  ArPreflightAnalysis an;
  ArPreflightLexer *lx;
  GPtrArray *raw_units;
  gsize pos = 0;
  guint first_line = 1;
  guint last_line;
  ArPreflightCursor cursor = { 0, 0 };
  ArPreflightCursor deps_cursor = { 0, 0 };
  const char *cwd = NULL; /* owned by a unit's facts */

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (script == NULL || script[0] == '\0')
    return g_steal_pointer (&units);

  ar_preflight_analysis_init (&an, script, env_var_names);

  if (g_str_has_prefix (script, "#!"))
    {
      ArPreflightUnit *u = g_new0 (ArPreflightUnit, 1);

      u->line = u->end_line = 1;
      u->text = ar_preflight_analysis_text (&an, 1, 1);
      u->category = AR_PREFLIGHT_CATEGORY_SHEBANG;
      u->reason = g_strdup (_ ("Names the program that runs the script: it goes to both parts."));
      u->part = AR_PREFLIGHT_PART_BOTH;
      g_ptr_array_add (units, u);
      pos = ar_preflight_analysis_line_end (&an, 1);
      pos = pos < an.len ? pos + 1 : pos;
      first_line = 2;
    }

  p = ar_preflight_parser_new (script, an.len, pos, first_line, &an.pipeline);
  raw_units = ar_preflight_parser_run (p);
  lx = ar_preflight_parser_get_lexer (p);
  if (gave_up (lx, error))
    {
      ar_preflight_analysis_clear (&an);
      return NULL;
    }

  /* a final newline ends the last line; it does not start another, which
   * an unterminated quote or block running to the end would take in */
  last_line = an.line_starts->len;
  if (last_line > 1 && script[an.len - 1] == '\n')
    last_line--;

  for (guint i = 0; i < raw_units->len; i++)
    {
      ArPreflightRawUnit *ru = g_ptr_array_index (raw_units, i);
      ArPreflightUnit *u = g_new0 (ArPreflightUnit, 1);

      u->line = ru->line;
      u->end_line = MAX (ru->line, MIN (ru->end_line, last_line));
      u->text = ar_preflight_analysis_text (&an, u->line, u->end_line);
      ar_preflight_classify (&an, lx, ru, &cursor, units->len, u);
      if (!guarantee)
        {
          g_ptr_array_add (units, u);
          if (gave_up (lx, error))
            {
              ar_preflight_analysis_clear (&an);
              return NULL;
            }
          continue;
        }
      u->deps = ar_preflight_deps_new (lx, ru, &deps_cursor, u,
                                       g_array_index (an.line_starts, gsize, u->line - 1),
                                       an.env_names, &an.pipeline, cwd);
      cwd = ar_preflight_deps_cwd_after (u->deps, cwd);
      /* what a value set at start does to the units that use it is the
       * guarantee's to decide (a pure definition is shared, anything else
       * moves its users to run naming its line), so each unit keeps the
       * category of what it does */
      g_hash_table_remove_all (an.taint);
      g_ptr_array_add (units, u);
      /* in a nested shell (sh -c, a here-document fed to sh) */
      if (gave_up (lx, error))
        {
          ar_preflight_analysis_clear (&an);
          return NULL;
        }
    }

  ar_preflight_share_called_functions (&an, units);
  if (guarantee)
    ar_preflight_guarantee (units);

  /* comments after the last command stay with it */
  if (lx->comment_line != 0 && units->len > 0)
    {
      ArPreflightUnit *last = g_ptr_array_index (units, units->len - 1);

      if (lx->last_comment_line > last->end_line)
        {
          last->end_line = lx->last_comment_line;
          g_free (last->text);
          last->text = ar_preflight_analysis_text (&an, last->line, last->end_line);
        }
    }

  ar_preflight_analysis_clear (&an);
  return g_steal_pointer (&units);
}

char *
ar_preflight_render (GPtrArray *units, ArPreflightPart which)
{
  GString *out;
  gboolean any = FALSE;
  gboolean gap = FALSE;
  gboolean first = TRUE;
  guint prev_end = 0;

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (which == AR_PREFLIGHT_PART_CACHED || which == AR_PREFLIGHT_PART_RUN, NULL);

  for (guint i = 0; i < units->len && !any; i++)
    any = ((ArPreflightUnit *) g_ptr_array_index (units, i))->part == which;
  if (!any)
    return g_strdup ("");

  out = g_string_new (NULL);
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      /* a line no unit covers is a blank line of the source */
      if (prev_end != 0 && u->line > prev_end + 1)
        gap = TRUE;
      prev_end = MAX (prev_end, u->end_line);
      if (u->part != which && u->part != AR_PREFLIGHT_PART_BOTH)
        continue;
      if (gap && !first)
        g_string_append_c (out, '\n');
      g_string_append (out, u->text);
      g_string_append_c (out, '\n');
      gap = FALSE;
      first = FALSE;
    }
  return g_string_free (out, FALSE);
}

const char *
ar_preflight_category_to_string (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return "package-install";
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return "download";
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return "system-config";
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return "static-dir";
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT: return "env-export";
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE: return "task-variable";
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR: return "temp-dir";
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS: return "ambiguous";
    case AR_PREFLIGHT_CATEGORY_SHEBANG: return "shebang";
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION: return "shell-option";
    case AR_PREFLIGHT_CATEGORY_VARIABLE: return "variable";
    default: return "ambiguous";
    }
}

const char *
ar_preflight_part_to_string (ArPreflightPart part)
{
  switch (part)
    {
    case AR_PREFLIGHT_PART_CACHED: return "cached";
    case AR_PREFLIGHT_PART_BOTH: return "both";
    case AR_PREFLIGHT_PART_RUN:
    default: return "run";
    }
}

gboolean
ar_preflight_part_from_string (const char *str, ArPreflightPart *part)
{
  static const struct {
    const char *name;
    ArPreflightPart part;
  } parts[] = {
    { "cached", AR_PREFLIGHT_PART_CACHED },
    { "run", AR_PREFLIGHT_PART_RUN },
    { "both", AR_PREFLIGHT_PART_BOTH },
  };

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (parts); i++)
    if (strcmp (str, parts[i].name) == 0)
      {
        if (part != NULL)
          *part = parts[i].part;
        return TRUE;
      }
  return FALSE;
}

struct _ArPreflightSummary {
  guint lines;
  guint cached_lines;
  guint units;
  guint cached;
  guint run;
  guint both;
  guint unrecognised;
  GArray *moved; /* ArPreflightMove */
};

ArPreflightSummary *
ar_preflight_summary_new (GPtrArray *units)
{
  ArPreflightSummary *s;

  g_return_val_if_fail (units != NULL, NULL);

  s = g_new0 (ArPreflightSummary, 1);
  s->moved = g_array_new (FALSE, FALSE, sizeof (ArPreflightMove));
  for (guint i = 0; i < units->len; i++)
    {
      const ArPreflightUnit *u = g_ptr_array_index (units, i);
      guint n = u->end_line >= u->line ? u->end_line - u->line + 1 : 1;

      s->units++;
      s->lines += n;
      switch (u->part)
        {
        case AR_PREFLIGHT_PART_CACHED:
          s->cached++;
          s->cached_lines += n;
          break;
        case AR_PREFLIGHT_PART_BOTH:
          s->both++;
          break;
        case AR_PREFLIGHT_PART_RUN:
        default:
          s->run++;
          if (u->moved_by_line != 0)
            {
              ArPreflightMove m = { u->line, u->moved_by_line };

              g_array_append_val (s->moved, m);
            }
          break;
        }
      if (u->category == AR_PREFLIGHT_CATEGORY_AMBIGUOUS)
        s->unrecognised++;
    }
  return s;
}

void
ar_preflight_summary_free (ArPreflightSummary *summary)
{
  if (summary == NULL)
    return;
  g_array_unref (summary->moved);
  g_free (summary);
}

guint
ar_preflight_summary_get_lines (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->lines;
}

guint
ar_preflight_summary_get_cached_lines (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->cached_lines;
}

guint
ar_preflight_summary_get_units (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->units;
}

guint
ar_preflight_summary_get_cached (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->cached;
}

guint
ar_preflight_summary_get_run (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->run;
}

guint
ar_preflight_summary_get_both (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->both;
}

guint
ar_preflight_summary_get_unrecognised (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->unrecognised;
}

guint
ar_preflight_summary_get_n_moved (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, 0);
  return summary->moved->len;
}

const ArPreflightMove *
ar_preflight_summary_get_moved (const ArPreflightSummary *summary, guint index)
{
  g_return_val_if_fail (summary != NULL, NULL);
  g_return_val_if_fail (index < summary->moved->len, NULL);
  return &g_array_index (summary->moved, ArPreflightMove, index);
}

char *
ar_preflight_summary_describe (const ArPreflightSummary *summary)
{
  g_return_val_if_fail (summary != NULL, NULL);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u line cached", "%u of %u lines cached",
                                       summary->lines),
                          summary->cached_lines, summary->lines);
}
