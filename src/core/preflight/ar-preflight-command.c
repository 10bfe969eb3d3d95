/* ar-preflight-command.c — one simple command of a preflight script: its
 * name past the wrappers (assignments, sudo, env, nice, timeout, …), queries
 * of its arguments, and the commands it runs in a nested shell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"

#include <string.h>

/* Nested shells (sh -c, here-documents fed to a shell) are parsed this deep. */
#define MAX_NESTING 4

static const char *
base_name (const char *w)
{
  const char *slash = strrchr (w, '/');

  return slash != NULL ? slash + 1 : w;
}

gboolean
ar_preflight_str_in (const char *s, const char *const *list)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (strcmp (s, list[i]) == 0)
      return TRUE;
  return FALSE;
}

void
ar_preflight_view_init (ArPreflightView *v, ArPreflightCmd *cmd)
{
  static const char *const sudo_args[] = { "-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", NULL };
  static const char *const env_args[] = { "-u", "--unset", "-C", "--chdir", "-S", NULL };
  static const char *const plain[] = { "command", "exec", "nohup", "builtin", "eatmydata", "time", NULL };
  GPtrArray *w = cmd->words;
  guint i = 0;

  v->cmd = cmd;
  v->w = w;
  for (;;)
    {
      const char *name;

      while (i < w->len && ar_preflight_is_assignment (g_ptr_array_index (w, i)))
        i++;
      if (i >= w->len)
        break;
      name = base_name (g_ptr_array_index (w, i));
      if (strcmp (name, "sudo") == 0 || strcmp (name, "doas") == 0)
        {
          for (i++; i < w->len; i++)
            {
              const char *a = g_ptr_array_index (w, i);

              if (a[0] != '-')
                break;
              if (strcmp (a, "--") == 0)
                {
                  i++;
                  break;
                }
              if (ar_preflight_str_in (a, sudo_args))
                i++;
            }
          continue;
        }
      if (strcmp (name, "env") == 0)
        {
          for (i++; i < w->len; i++)
            {
              const char *a = g_ptr_array_index (w, i);

              if (a[0] != '-' && !ar_preflight_is_assignment (a))
                break;
              if (ar_preflight_str_in (a, env_args))
                i++;
            }
          continue;
        }
      if (strcmp (name, "nice") == 0 || strcmp (name, "timeout") == 0)
        {
          gboolean timeout = name[0] == 't';

          for (i++; i < w->len; i++)
            {
              const char *a = g_ptr_array_index (w, i);

              if (a[0] != '-')
                break;
              if (strcmp (a, "-n") == 0 || strcmp (a, "-s") == 0 || strcmp (a, "-k") == 0)
                i++;
            }
          if (timeout && i < w->len)
            i++; /* the duration */
          continue;
        }
      if (ar_preflight_str_in (name, plain))
        {
          const char *next = ar_preflight_view_word (v, i + 1);

          /* command -v NAME only asks where NAME is */
          if (next != NULL && (strcmp (next, "-v") == 0 || strcmp (next, "-V") == 0))
            i = w->len;
          else
            i++;
          continue;
        }
      break;
    }
  v->i = i;
  v->name = i < w->len ? base_name (g_ptr_array_index (w, i)) : NULL;
}

gboolean
ar_preflight_is_shell_name (const char *name)
{
  static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", NULL };

  return name != NULL && ar_preflight_str_in (name, shells);
}

gboolean
ar_preflight_path_under (const char *path, const char *dir)
{
  gsize n = strlen (dir);

  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

gboolean
ar_preflight_is_system_path (const char *path)
{
  static const char *const dirs[] = {
    "/etc", "/usr", "/opt", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/var", NULL
  };

  if (path == NULL || path[0] != '/')
    return FALSE;
  if (ar_preflight_path_under (path, "/var/tmp") || ar_preflight_path_under (path, "/var/run"))
    return FALSE;
  for (guint i = 0; dirs[i] != NULL; i++)
    if (ar_preflight_path_under (path, dirs[i]))
      return TRUE;
  return FALSE;
}

/* Steps @j to the next positional argument after the command name: not an
 * option, or anything after "--". Start with @j = v->i and @options = TRUE;
 * NULL at the end. */
static const char *
next_positional (const ArPreflightView *v, guint *j, gboolean *options)
{
  while (++*j < v->w->len)
    {
      const char *a = g_ptr_array_index (v->w, *j);

      if (*options && strcmp (a, "--") == 0)
        *options = FALSE;
      else if (!*options || a[0] != '-')
        return a;
    }
  return NULL;
}

/* The first positional argument that is a system path, or NULL. */
const char *
ar_preflight_any_system_arg (const ArPreflightView *v)
{
  gboolean options = TRUE;
  guint j = v->i;
  const char *a;

  while ((a = next_positional (v, &j, &options)) != NULL)
    if (ar_preflight_is_system_path (a))
      return a;
  return NULL;
}

const char *
ar_preflight_last_positional (const ArPreflightView *v, guint *count)
{
  const char *last = NULL;
  gboolean options = TRUE;
  guint j = v->i;
  const char *a;

  *count = 0;
  while ((a = next_positional (v, &j, &options)) != NULL)
    {
      last = a;
      (*count)++;
    }
  return last;
}

/* The value of an option given as "-X VALUE", "-XVALUE", "--long VALUE" or
 * "--long=VALUE"; @letters are short option letters that may end a cluster
 * ("-fsSLo FILE"). Returns the first value that is a system path. */
const char *
ar_preflight_option_system_value (const ArPreflightView *v,
                                  const char *letters,
                                  const char *const *longs)
{
  for (guint j = v->i + 1; j < v->w->len; j++)
    {
      const char *a = g_ptr_array_index (v->w, j);
      const char *val = NULL;

      if (a[0] != '-' || a[1] == '\0')
        continue;
      if (a[1] == '-')
        {
          for (guint k = 0; longs != NULL && longs[k] != NULL; k++)
            {
              gsize n = strlen (longs[k]);

              if (strncmp (a, longs[k], n) == 0 && a[n] == '=')
                val = a + n + 1;
              else if (strcmp (a, longs[k]) == 0)
                val = ar_preflight_view_word (v, ++j);
            }
        }
      else if (letters != NULL)
        {
          const char *hit = strpbrk (a + 1, letters);

          if (hit != NULL)
            val = hit[1] != '\0' ? hit + 1 : ar_preflight_view_word (v, ++j);
        }
      if (ar_preflight_is_system_path (val))
        return val;
    }
  return NULL;
}

const char *
ar_preflight_first_word_in (const ArPreflightView *v, const char *const *words)
{
  for (guint j = v->i + 1; j < v->w->len; j++)
    if (ar_preflight_str_in (g_ptr_array_index (v->w, j), words))
      return g_ptr_array_index (v->w, j);
  return NULL;
}

gboolean
ar_preflight_has_word (const ArPreflightView *v, const char *const *words)
{
  return ar_preflight_first_word_in (v, words) != NULL;
}

/* The first argument that is not an option, from index @from. */
guint
ar_preflight_first_positional_index (const ArPreflightView *v, guint from)
{
  for (guint j = from; j < v->w->len; j++)
    if (((const char *) g_ptr_array_index (v->w, j))[0] != '-')
      return j;
  return v->w->len;
}

char *
ar_preflight_join_words (const ArPreflightView *v)
{
  GString *out = g_string_new (NULL);

  for (guint j = v->i; j < v->w->len; j++)
    {
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, g_ptr_array_index (v->w, j));
    }
  return g_string_free (out, FALSE);
}

static guint collect_commands (const char *s, gsize len, guint line, guint *pipeline,
                               int depth, GPtrArray *out);

/* A nested script too deeply nested to read makes the whole one so. */
static void
nested_gave_up (ArPreflightLexer *lx, guint too_deep_line)
{
  if (too_deep_line != 0 && lx->too_deep_line == 0)
    lx->too_deep_line = too_deep_line;
}

void
ar_preflight_expand_nested (ArPreflightLexer *lx,
                            GPtrArray *cmds,
                            guint *pipeline,
                            int depth,
                            GPtrArray *out)
{
  for (guint k = 0; k < cmds->len && lx->too_deep_line == 0; k++)
    {
      ArPreflightCmd *cmd = g_ptr_array_index (cmds, k);
      ArPreflightView v;
      gboolean shell;

      ar_preflight_view_init (&v, cmd);
      shell = ar_preflight_is_shell_name (v.name);

      if (cmd->heredocs != NULL)
        {
          gboolean exec = shell;

          if (!exec && g_strcmp0 (v.name, "cat") == 0 && k + 1 < cmds->len)
            {
              ArPreflightCmd *next = g_ptr_array_index (cmds, k + 1);
              ArPreflightView nv;

              ar_preflight_view_init (&nv, next);
              exec = next->pipeline == cmd->pipeline && ar_preflight_is_shell_name (nv.name);
            }
          for (guint j = 0; exec && j < cmd->heredocs->len; j++)
            {
              guint index = g_array_index (cmd->heredocs, guint, j);
              ArPreflightHereDoc *h = &g_array_index (lx->heredocs, ArPreflightHereDoc, index);

              h->exec = TRUE;
              if (h->read && depth < MAX_NESTING)
                nested_gave_up (lx, collect_commands (lx->s + h->start, h->end - h->start,
                                                      h->first_line, pipeline, depth + 1, out));
            }
        }

      if ((shell || g_strcmp0 (v.name, "su") == 0) && depth < MAX_NESTING)
        for (guint j = v.i + 1; j < v.w->len; j++)
          {
            const char *a = g_ptr_array_index (v.w, j);

            if (a[0] == '-' && a[1] != '-' && strchr (a + 1, 'c') != NULL)
              {
                const char *script = ar_preflight_view_word (&v, j + 1);

                if (script != NULL)
                  nested_gave_up (lx, collect_commands (script, strlen (script), cmd->line,
                                                        pipeline, depth + 1, out));
                break;
              }
            if (a[0] != '-' && !shell)
              continue; /* su USER -c … */
            if (a[0] != '-')
              break;
          }
    }
}

/* Parses a nested script and appends its commands to @out; returns the
 * line where it was nested too deeply to read, or 0. */
static guint
collect_commands (const char *s, gsize len, guint line, guint *pipeline, int depth, GPtrArray *out)
{
  g_autoptr(ArPreflightParser) p = ar_preflight_parser_new (s, len, 0, line, pipeline);
  GPtrArray *units = ar_preflight_parser_run (p);
  ArPreflightLexer *lx = ar_preflight_parser_get_lexer (p);

  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightRawUnit *u = g_ptr_array_index (units, i);

      if (lx->too_deep_line != 0)
        break;
      ar_preflight_expand_nested (lx, u->cmds, pipeline, depth, out);
      g_ptr_array_extend (out, u->cmds, NULL, NULL);
      g_ptr_array_set_free_func (u->cmds, NULL);
    }
  return lx->too_deep_line;
}
