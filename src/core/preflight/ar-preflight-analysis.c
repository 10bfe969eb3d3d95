/* ar-preflight-analysis.c — what classifying a unit needs from the units
 * before it (design.md §5.1)
 *
 * The line index of the script, the scans of a unit's text for variables
 * it reads and for /tmp, the constants the script sets the same way in
 * both parts and the values it gives a $NAME used as a command, and the
 * command as the matchers see it (constants put in, $SUDO and the script's
 * own wrapper functions dropped). The rules themselves are in
 * ar-preflight-rules.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"

#include <string.h>

static void
func_info_free (gpointer data)
{
  ArPreflightFuncInfo *f = data;

  g_free (f->name);
  g_free (f);
}

void
ar_preflight_analysis_init (ArPreflightAnalysis *an,
                            const char *script,
                            const char *const *env_var_names)
{
  gsize pos = 0;

  memset (an, 0, sizeof *an);
  an->script = script;
  an->len = strlen (script);
  an->line_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_array_append_val (an->line_starts, pos);
  for (const char *nl = memchr (script, '\n', an->len); nl != NULL;
       nl = memchr (nl + 1, '\n', an->len - (nl + 1 - script)))
    {
      gsize next = nl + 1 - script;

      g_array_append_val (an->line_starts, next);
    }
  an->env_names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; env_var_names != NULL && env_var_names[i] != NULL; i++)
    if (env_var_names[i][0] != '\0')
      g_hash_table_add (an->env_names, (gpointer) env_var_names[i]);
  an->taint = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  an->functions = g_hash_table_new (g_str_hash, g_str_equal);
  an->func_infos = g_ptr_array_new_with_free_func (func_info_free);
  an->calls = g_array_new (FALSE, FALSE, sizeof (ArPreflightCall));
  an->constants = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  an->tool_exports = g_array_new (FALSE, FALSE, sizeof (guint));
  an->choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
ar_preflight_analysis_clear (ArPreflightAnalysis *an)
{
  g_array_unref (an->line_starts);
  g_hash_table_unref (an->env_names);
  g_hash_table_unref (an->taint);
  g_hash_table_unref (an->functions);
  g_ptr_array_unref (an->func_infos);
  g_array_unref (an->calls);
  g_hash_table_unref (an->constants);
  g_hash_table_unref (an->choices);
  g_array_unref (an->tool_exports);
}

gsize
ar_preflight_analysis_line_start (ArPreflightAnalysis *an, guint line)
{
  if (line == 0)
    return 0;
  if (line > an->line_starts->len)
    return an->len;
  return g_array_index (an->line_starts, gsize, line - 1);
}

gsize
ar_preflight_analysis_line_end (ArPreflightAnalysis *an, guint line)
{
  if (line >= an->line_starts->len)
    return an->len;
  return g_array_index (an->line_starts, gsize, line) - 1;
}

guint
ar_preflight_line_of (const char *text, gsize off, guint first_line)
{
  guint line = first_line;

  for (gsize i = 0; i < off; i++)
    if (text[i] == '\n')
      line++;
  return line;
}

gboolean
ar_preflight_is_task_variable (const char *name, gsize n)
{
  return (n == 7 && memcmp (name, "TASK_ID", 7) == 0) ||
         (n > 14 && memcmp (name, "AGENTS_RUNNER_", 14) == 0);
}

/* A name that says it holds a secret (design.md §5.1): …TOKEN, …SECRET,
 * …PASSWORD, …_KEY, …CREDENTIALS, in any case. */
gboolean
ar_preflight_looks_like_secret (const char *name, gsize n)
{
  static const char *const suffixes[] = { "TOKEN", "SECRET", "PASSWORD", "_KEY", "CREDENTIALS", NULL };

  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      gsize k = strlen (suffixes[i]);

      if (n >= k && g_ascii_strncasecmp (name + n - k, suffixes[i], k) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Finds $NAME and ${NAME…} uses. Single-quoted text is scanned too: it is
 * often a script for sh -c, and running at start is never wrong. */
void
ar_preflight_scan_variables (ArPreflightAnalysis *an, const char *t, gsize n, ArPreflightVarScan *out)
{
  char buf[128];

  out->task_off = out->env_off = out->taint_off = out->tmpdir_off = out->secret_off = -1;
  for (const char *p = memchr (t, '$', n); p != NULL; p = memchr (p + 1, '$', n - (p + 1 - t)))
    {
      gsize k = p - t;
      gsize a = k + 1;
      gsize e;
      guint backslashes = 0;

      if (k + 1 >= n)
        break;
      while (backslashes < k && t[k - 1 - backslashes] == '\\')
        backslashes++;
      if (backslashes % 2 == 1)
        continue;
      if (t[a] == '{')
        {
          a++;
          if (a < n && (t[a] == '#' || t[a] == '!'))
            a++;
        }
      if (a >= n || !(g_ascii_isalpha (t[a]) || t[a] == '_'))
        continue;
      for (e = a; e < n && (g_ascii_isalnum (t[e]) || t[e] == '_'); e++)
        ;

      if (ar_preflight_is_task_variable (t + a, e - a))
        {
          if (out->task_off < 0)
            {
              out->task_off = k;
              out->task = g_strndup (t + a, e - a);
            }
          continue;
        }
      if (e - a == 6 && memcmp (t + a, "TMPDIR", 6) == 0 && out->tmpdir_off < 0)
        out->tmpdir_off = k;
      if (out->secret_off < 0 && ar_preflight_looks_like_secret (t + a, e - a))
        {
          out->secret_off = k;
          out->secret = g_strndup (t + a, e - a);
        }
      if (e - a >= sizeof buf)
        continue;
      memcpy (buf, t + a, e - a);
      buf[e - a] = '\0';
      if (out->env_off < 0 && g_hash_table_contains (an->env_names, buf))
        {
          out->env_off = k;
          out->env = g_strdup (buf);
        }
      else if (out->taint_off < 0 && g_hash_table_contains (an->taint, buf))
        {
          out->taint_off = k;
          out->taint = g_strdup (buf);
        }
    }
}

/* Finds a path under /tmp (not /var/tmp, not ~/tmp); @dynamic_off gets the
 * first /tmp/… path built from an expansion. */
gssize
ar_preflight_scan_tmp (const char *t, gsize n, gssize *dynamic_off)
{
  gssize first = -1;
  gsize plain_to = 0; /* [.., plain_to) ends a path already seen to hold no expansion */

  *dynamic_off = -1;
  for (const char *p = memchr (t, '/', n); p != NULL; p = memchr (p + 1, '/', n - (p + 1 - t)))
    {
      gsize k = p - t;
      char before = k > 0 ? t[k - 1] : ' ';
      char after;

      if (k + 4 > n || memcmp (p, "/tmp", 4) != 0)
        continue;
      if (g_ascii_isalnum (before) || strchr ("_./}$)~", before) != NULL)
        continue;
      after = k + 4 < n ? t[k + 4] : ' ';
      if (g_ascii_isalnum (after) || after == '_' || after == '.' || after == '-')
        continue;
      if (first < 0)
        first = k;
      /* a later /tmp/ in the same word ends where this one does: scanning
       * it again would make a long word of them quadratic */
      if (after == '/' && *dynamic_off < 0 && k >= plain_to)
        {
          gsize j;

          for (j = k + 5; j < n && strchr (" \t\n;|&<>)", t[j]) == NULL; j++)
            if (t[j] == '$' || t[j] == '`')
              {
                *dynamic_off = k;
                break;
              }
          plain_to = j;
        }
      if (*dynamic_off >= 0)
        break;
    }
  return first;
}

void
ar_preflight_blank_span (char *t, gsize len, gsize from, gsize to)
{
  for (gsize i = from; i < to && i < len; i++)
    if (t[i] != '\n')
      t[i] = ' ';
}

void
ar_preflight_blank_unread (ArPreflightLexer *lx,
                           ArPreflightCursor *cursor,
                           gsize base,
                           gsize n,
                           char *code,
                           char *vars)
{
  for (; cursor->comment < lx->comments->len; cursor->comment++)
    {
      ArPreflightSpan *c = &g_array_index (lx->comments, ArPreflightSpan, cursor->comment);

      if (c->start >= base + n)
        break;
      if (c->start < base)
        continue;
      if (code != NULL)
        ar_preflight_blank_span (code, n, c->start - base, c->end - base);
      ar_preflight_blank_span (vars, n, c->start - base, c->end - base);
    }
  for (; cursor->heredoc < lx->heredocs->len; cursor->heredoc++)
    {
      ArPreflightHereDoc *h = &g_array_index (lx->heredocs, ArPreflightHereDoc, cursor->heredoc);

      if (!h->read || h->start >= base + n)
        break;
      if (h->exec || h->start < base)
        continue;
      if (code != NULL)
        ar_preflight_blank_span (code, n, h->start - base, h->mask_end - base);
      if (h->quoted)
        ar_preflight_blank_span (vars, n, h->start - base, h->mask_end - base);
    }
}

/* What a reason quotes from the script: one line (control characters become
 * spaces) of at most 60 bytes, cut between characters with "…". */
char *
ar_preflight_one_line (const char *detail)
{
  GString *out = g_string_new (NULL);
  gsize n = detail != NULL ? strlen (detail) : 0;
  gsize cut = n;

  if (n > 60)
    {
      cut = 60;
      while (cut > 0 && ((guchar) detail[cut] & 0xC0) == 0x80)
        cut--;
    }
  for (gsize i = 0; i < cut; i++)
    g_string_append_c (out, (guchar) detail[i] < 0x20 || detail[i] == 0x7f ? ' ' : detail[i]);
  if (cut < n)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

char *
ar_preflight_analysis_text (ArPreflightAnalysis *an, guint line, guint end_line)
{
  gsize a = ar_preflight_analysis_line_start (an, line);
  gsize b = ar_preflight_analysis_line_end (an, end_line);

  return g_strndup (an->script + a, b > a ? b - a : 0);
}

/* @word with $NAME and ${NAME} replaced by the constants' values. */
static char *
substitute_constants (ArPreflightAnalysis *an, const char *word)
{
  GString *out;
  const char *p;

  if (strchr (word, '$') == NULL || g_hash_table_size (an->constants) == 0)
    return NULL;
  out = g_string_new (NULL);
  for (p = word; *p != '\0'; p++)
    {
      const char *s = p + 1;
      gboolean braced = *s == '{';
      gsize n;

      if (*p != '$' || (p > word && p[-1] == '\\'))
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (braced)
        s++;
      n = strspn (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
      if (n > 0 && (!braced || s[n] == '}'))
        {
          g_autofree char *name = g_strndup (s, n);
          const char *value = g_hash_table_lookup (an->constants, name);

          if (value != NULL)
            {
              g_string_append (out, value);
              p = s + n + (braced ? 1 : 0) - 1;
              continue;
            }
        }
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* What the matchers see of @cmd: constants put in (a folder named by a
 * variable set to a literal path is that path), and a leading $SUDO or a
 * call of the script's own wrapper function (as_root apt-get …) dropped.
 * A copy, or NULL when it would be the same. */
ArPreflightCmd *
ar_preflight_shadow_cmd (ArPreflightAnalysis *an, ArPreflightCmd *cmd)
{
  ArPreflightCmd *copy;
  gboolean changed = FALSE;
  ArPreflightView v;

  copy = g_new0 (ArPreflightCmd, 1);
  copy->words = g_ptr_array_new_with_free_func (g_free);
  copy->redirs = g_ptr_array_new_with_free_func (ar_preflight_redir_free);
  copy->heredocs = cmd->heredocs != NULL ? g_array_ref (cmd->heredocs) : NULL;
  copy->line = cmd->line;
  copy->pipeline = cmd->pipeline;
  for (guint j = 0; j < cmd->words->len; j++)
    {
      const char *w = g_ptr_array_index (cmd->words, j);
      char *sub = substitute_constants (an, w);

      changed |= sub != NULL;
      g_ptr_array_add (copy->words, sub != NULL ? sub : g_strdup (w));
    }
  for (guint j = 0; j < cmd->redirs->len; j++)
    {
      ArPreflightRedir *r = g_ptr_array_index (cmd->redirs, j);
      ArPreflightRedir *c = g_new0 (ArPreflightRedir, 1);
      char *sub = substitute_constants (an, r->target);

      changed |= sub != NULL;
      c->op = r->op;
      c->target = sub != NULL ? sub : g_strdup (r->target);
      g_ptr_array_add (copy->redirs, c);
    }

  for (int round = 0; round < 3; round++)
    {
      ArPreflightFuncInfo *f;

      ar_preflight_view_init (&v, copy);
      if (v.name == NULL || v.i + 1 >= v.w->len)
        break;
      f = g_hash_table_lookup (an->functions, g_ptr_array_index (v.w, v.i));
      if (f != NULL && f->wrapper)
        {
          g_ptr_array_remove_index (copy->words, v.i);
          changed = TRUE;
        }
      else if (v.name[0] == '$' && strcmp (v.name, "$@") != 0 && strcmp (v.name, "$*") != 0)
        {
          /* $SUDO apt-get …, ${INSTALL_CMD} install …: the command is one of
           * the values the script gives the variable, or nothing */
          const char *w = g_ptr_array_index (v.w, v.i);
          g_autofree char *name = g_strndup (w + 1 + (w[1] == '{'), strcspn (w + 1 + (w[1] == '{'), "}"));
          const char *value = g_hash_table_lookup (an->choices, name);

          changed = TRUE;
          if (value == NULL)
            {
              g_ptr_array_remove_index (copy->words, v.i);
              continue;
            }
          g_free (g_ptr_array_index (copy->words, v.i));
          g_ptr_array_index (copy->words, v.i) = g_strdup (value);
          /* sudo is a wrapper the view skips; apt-get is the command */
          if (strcmp (value, "sudo") != 0 && strcmp (value, "doas") != 0)
            break;
        }
      else
        break;
    }

  if (!changed)
    {
      ar_preflight_cmd_free (copy);
      return NULL;
    }
  return copy;
}

/* The first non-empty literal value each name gets anywhere (SUDO=sudo in
 * an if, INSTALL_CMD=apt-get in one branch): what $NAME as a command may
 * be. */
void
ar_preflight_record_choices (ArPreflightAnalysis *an, GPtrArray *cmds)
{
  for (guint k = 0; k < cmds->len; k++)
    {
      ArPreflightCmd *cmd = g_ptr_array_index (cmds, k);

      for (guint j = 0; j < cmd->words->len; j++)
        {
          const char *a = g_ptr_array_index (cmd->words, j);
          const char *eq = strchr (a, '=');
          g_autofree char *name = NULL;

          if (eq == NULL || !ar_preflight_is_name (a, eq - a))
            break;
          name = g_strndup (a, eq - a);
          if (eq[1] != '\0' && strpbrk (eq + 1, "$` \t") == NULL &&
              !g_hash_table_contains (an->choices, name))
            g_hash_table_insert (an->choices, g_steal_pointer (&name), g_strdup (eq + 1));
        }
    }
}

/* Records the constants a unit in both parts sets (NAME=literal, export
 * NAME=literal), and forgets any other value a unit gives a name. */
void
ar_preflight_record_constants (ArPreflightAnalysis *an,
                               ArPreflightRawUnit *ru,
                               ArPreflightUnit *u,
                               gboolean tool_export,
                               GPtrArray *defines)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  /* a single command: NAME=v in one branch of an if or a case is no
   * constant; an export of one that installs read is shared when needed */
  if ((u->part == AR_PREFLIGHT_PART_BOTH || tool_export) && ru->cmds->len == 1)
    {
      ArPreflightCmd *cmd = g_ptr_array_index (ru->cmds, 0);
      guint from = 0;

      if (cmd->words->len > 0 && strcmp (g_ptr_array_index (cmd->words, 0), "export") == 0)
        from = 1;
      for (guint j = from; j < cmd->words->len && cmd->redirs->len == 0; j++)
        {
          const char *a = g_ptr_array_index (cmd->words, j);
          const char *eq = strchr (a, '=');
          g_autofree char *value = NULL;
          g_autofree char *name = NULL;

          if (eq == NULL || !ar_preflight_is_name (a, eq - a))
            break;
          name = g_strndup (a, eq - a);
          value = substitute_constants (an, eq + 1);
          if (value == NULL)
            value = g_strdup (eq + 1);
          if (strpbrk (value, "$`") == NULL)
            {
              g_hash_table_add (set, g_ptr_array_index (cmd->words, j));
              g_hash_table_insert (an->constants, g_steal_pointer (&name), g_steal_pointer (&value));
            }
        }
    }
  for (guint i = 0; i < defines->len; i++)
    {
      const char *name = g_ptr_array_index (defines, i);
      gboolean constant = FALSE;
      GHashTableIter it;
      gpointer word;

      g_hash_table_iter_init (&it, set);
      while (!constant && g_hash_table_iter_next (&it, &word, NULL))
        constant = g_str_has_prefix (word, name) && ((const char *) word)[strlen (name)] == '=';
      if (!constant)
        g_hash_table_remove (an->constants, name);
    }
  g_hash_table_unref (set);
}
