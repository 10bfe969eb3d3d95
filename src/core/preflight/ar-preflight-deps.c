/* ar-preflight-deps.c — the facts of one unit of a split (design.md §5.1)
 *
 * Each unit gets its facts from the parse the rules read: the variables it
 * sets and reads, the functions it defines and calls, the files and folders
 * it creates, appends to, changes or uses by literal path, the working
 * folder and virtualenv it sets or relies on, shell state, a $? capture,
 * and the first secret it reads. A function definition's facts are those
 * of its body and belong to its callers (transitively), not to the
 * definition. The edges between units and the guarantee that reads them
 * are in ar-preflight-guarantee.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"
#include "ar-preflight-deps-private.h"

#include <string.h>

ArPreflightDeps *
ar_preflight_deps_ref (ArPreflightDeps *deps)
{
  g_return_val_if_fail (deps != NULL, NULL);
  g_atomic_int_inc (&deps->ref_count);
  return deps;
}

void
ar_preflight_deps_unref (ArPreflightDeps *deps)
{
  if (deps == NULL || !g_atomic_int_dec_and_test (&deps->ref_count))
    return;
  for (guint i = 0; i < deps->files->len; i++)
    g_free (g_array_index (deps->files, FileFact, i).path);
  g_array_unref (deps->files);
  g_ptr_array_unref (deps->sets);
  g_ptr_array_unref (deps->reads);
  g_ptr_array_unref (deps->exports);
  g_ptr_array_unref (deps->defines);
  g_ptr_array_unref (deps->calls);
  g_free (deps->cwd);
  g_free (deps->secret);
  g_free (deps);
}

/* ------------------------------------------------------------------------ */
/* Facts of one unit                                                        */

/* Adds @name unless the last few hold it: a long list may repeat a name
 * (an edge twice costs nothing), and a unit of thousands of names stays
 * linear. */
static void
add_name (GPtrArray *set, const char *name, gsize n)
{
  for (guint i = set->len > 32 ? set->len - 32 : 0; i < set->len; i++)
    {
      const char *s = g_ptr_array_index (set, i);

      if (strncmp (s, name, n) == 0 && s[n] == '\0')
        return;
    }
  g_ptr_array_add (set, g_strndup (name, n));
}

static SecretKind
secret_kind (GHashTable *env_names, const char *s, gsize n)
{
  char buf[128];

  if (ar_preflight_is_task_variable (s, n))
    return SECRET_TASK;
  if (n < sizeof buf)
    {
      memcpy (buf, s, n);
      buf[n] = '\0';
      if (g_hash_table_contains (env_names, buf))
        return SECRET_ENV;
    }
  return ar_preflight_looks_like_secret (s, n) ? SECRET_NAME : SECRET_NONE;
}

static void
note_secret (ArPreflightDeps *d, SecretKind kind, const char *name, gsize n, guint line)
{
  if (kind == SECRET_NONE || d->secret != NULL)
    return;
  d->secret_kind = kind;
  d->secret = g_strndup (name, n);
  d->secret_line = line;
}

/* $NAME, ${NAME…}, $?; heads of $( … ) and ` … ` as calls */
static void
scan_text (ArPreflightDeps *d, GHashTable *env_names, const char *t, gsize n, guint first_line)
{
  guint line = first_line;

  for (gsize k = 0; k < n; k++)
    {
      gsize a, e;
      guint backslashes = 0;

      if (t[k] == '\n')
        {
          line++;
          continue;
        }
      if (t[k] != '$' && t[k] != '`')
        continue;
      while (backslashes < k && t[k - 1 - backslashes] == '\\')
        backslashes++;
      if (backslashes % 2 == 1)
        continue;
      a = k + 1;
      if (t[k] == '`' || (a < n && t[a] == '(' && !(a + 1 < n && t[a + 1] == '(')))
        {
          /* the command a substitution runs */
          if (t[k] == '$')
            a++;
          while (a < n && (t[a] == ' ' || t[a] == '\t'))
            a++;
          for (e = a; e < n && (g_ascii_isalnum (t[e]) || strchr ("_-.:", t[e]) != NULL); e++)
            ;
          if (e > a)
            add_name (d->calls, t + a, e - a);
          continue;
        }
      if (a < n && t[a] == '?')
        {
          d->status_read = TRUE;
          continue;
        }
      if (a < n && t[a] == '{')
        {
          a++;
          if (a < n && (t[a] == '#' || t[a] == '!'))
            a++;
        }
      if (a >= n || !(g_ascii_isalpha (t[a]) || t[a] == '_'))
        continue;
      for (e = a; e < n && (g_ascii_isalnum (t[e]) || t[e] == '_'); e++)
        ;
      add_name (d->reads, t + a, e - a);
      note_secret (d, secret_kind (env_names, t + a, e - a), t + a, e - a, line);
    }
}

/* The key of a path: literal absolute paths and ~/… (or $HOME/…) as
 * "~/…", trailing slashes and doubled ones gone; NULL for anything else. */
static char *
path_key (const char *w, const char *cwd)
{
  GString *out;
  const char *rest = NULL;
  const char *prefix = "";

  if (g_str_has_prefix (w, "~/") || strcmp (w, "~") == 0)
    {
      prefix = "~";
      rest = w + 1;
    }
  else if (g_str_has_prefix (w, "$HOME") && (w[5] == '/' || w[5] == '\0'))
    {
      prefix = "~";
      rest = w + 5;
    }
  else if (g_str_has_prefix (w, "${HOME}") && (w[7] == '/' || w[7] == '\0'))
    {
      prefix = "~";
      rest = w + 7;
    }
  else if (w[0] == '/')
    rest = w;
  else if (cwd != NULL && w[0] != '\0' && w[0] != '-' && strstr (w, "://") == NULL)
    {
      g_autofree char *joined = g_strconcat (cwd, "/", w, NULL);

      return path_key (joined, NULL);
    }
  if (rest == NULL || strpbrk (rest, "$`*?[") != NULL)
    return NULL;
  out = g_string_new (prefix);
  for (const char *p = rest; *p != '\0'; p++)
    {
      if (*p == '/' && (p[1] == '/' || p[1] == '\0'))
        continue;
      if (*p == '/' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
        {
          p++;
          continue;
        }
      g_string_append_c (out, *p);
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

static void
add_file (ArPreflightDeps *d, const char *w, FileOp op, const char *cwd)
{
  FileFact f;

  if (g_str_has_prefix (w, "/dev/") || g_str_has_prefix (w, "/proc/"))
    return;
  f.path = path_key (w, cwd);
  if (f.path == NULL)
    return;
  f.op = op;
  g_array_append_val (d->files, f);
}

static gboolean
is_home_word (const char *w)
{
  return w[0] == '~' || strstr (w, "$HOME") != NULL || strstr (w, "${HOME}") != NULL;
}

/* A word naming something relative to the working folder. */
static gboolean
is_relative_path (const char *w)
{
  static const char *const exts[] = { ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".zip", ".deb",
                                      ".rpm", ".sh", ".py", ".whl", ".jar", NULL };

  if (w[0] == '\0' || w[0] == '/' || w[0] == '-' || w[0] == '$' || w[0] == '~' ||
      strstr (w, "://") != NULL || strchr (w, '=') != NULL || strchr (w, '@') != NULL)
    return FALSE;
  if (g_str_has_prefix (w, "./") || g_str_has_prefix (w, "../") || strcmp (w, ".") == 0)
    return TRUE;
  for (guint i = 0; exts[i] != NULL; i++)
    if (g_str_has_suffix (w, exts[i]))
      return TRUE;
  return strchr (w, '/') != NULL && strchr (w, ':') == NULL;
}

static gboolean
is_release_file (const char *w)
{
  return strcmp (w, "/etc/os-release") == 0 || strcmp (w, "/usr/lib/os-release") == 0 ||
         strcmp (w, "/etc/lsb-release") == 0;
}

static void
add_release_vars (ArPreflightDeps *d, const char *file)
{
  static const char *const os[] = { "ID", "ID_LIKE", "NAME", "PRETTY_NAME", "VERSION", "VERSION_ID",
                                    "VERSION_CODENAME", "UBUNTU_CODENAME", "PLATFORM_ID", "BUILD_ID",
                                    "VARIANT_ID", "HOME_URL", NULL };
  static const char *const lsb[] = { "DISTRIB_ID", "DISTRIB_RELEASE", "DISTRIB_CODENAME",
                                     "DISTRIB_DESCRIPTION", NULL };
  const char *const *names = strstr (file, "lsb") != NULL ? lsb : os;

  for (guint i = 0; names[i] != NULL; i++)
    add_name (d->sets, names[i], strlen (names[i]));
}

/* Commands that only define, test or ask: running them in both parts is
 * harmless. */
static gboolean
is_pure_name (const char *name)
{
  static const char *const pure[] = {
    "export", "readonly", "declare", "typeset", "local", "set", "shopt", "umask", "trap", "unset",
    "alias", "[", "test", "[[", "true", "false", ":", "echo", "printf", "read", "return", "exit",
    "shift", "break", "continue", "getopts", "type", "hash", "which", "uname", "arch", "id",
    "nproc", "getconf", "lsb_release", "dpkg-architecture", "basename", "dirname", "cd", "pushd",
    "popd", "whoami", NULL
  };

  return ar_preflight_str_in (name, pure);
}

/* Names of the environment that the tools a script runs read. */
static gboolean
is_tool_env (const char *name)
{
  static const char *const names[] = {
    "DEBIAN_FRONTEND", "DEBCONF_NONINTERACTIVE_SEEN", "PATH", "LANG", "LANGUAGE", "LC_ALL", "TZ",
    "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "GOPATH",
    "GOBIN", "GOROOT", "GOFLAGS", "GO111MODULE", "GOPROXY", "CARGO_HOME", "RUSTUP_HOME",
    "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "NODE_OPTIONS", "JAVA_HOME", "ACCEPT_EULA",
    "PKG_CONFIG_PATH", "LD_LIBRARY_PATH", "CC", "CXX", "CFLAGS", "MAKEFLAGS", "NVM_DIR",
    "PIPX_HOME", "PIPX_BIN_DIR", NULL
  };

  return ar_preflight_str_in (name, names) || g_str_has_prefix (name, "PIP_") ||
         g_str_has_prefix (name, "NPM_CONFIG_") || g_str_has_prefix (name, "npm_config_");
}

static const char *
positional_after (const ArPreflightView *v, guint *j)
{
  while (++*j < v->w->len)
    {
      const char *a = g_ptr_array_index (v->w, *j);

      if (a[0] != '-' || a[1] == '\0')
        return a;
    }
  return NULL;
}

/* The facts of one simple command. */
static void
command_facts (ArPreflightDeps *d, ArPreflightCmd *cmd, const char *cwd)
{
  static const char *const cwd_tools[] = { "make", "cmake", "ninja", "meson", "configure", "mvn",
                                           "gradle", "bundle", "composer", "autoreconf", NULL };
  static const char *const copies[] = { "cp", "install", "ln", "mv", "rsync", NULL };
  static const char *const changes[] = { "chmod", "chown", "chgrp", "setfacl", "chattr", NULL };
  ArPreflightView v;
  gboolean pure;
  gboolean workspace = FALSE;
  g_autofree char *pkg = NULL;
  const char *name;
  const char *cmdword;
  guint j;

  ar_preflight_view_init (&v, cmd);
  name = v.name;
  cmdword = ar_preflight_view_word (&v, v.i);
  pure = name == NULL || is_pure_name (name);

  ar_preflight_collect_defines (&v, d->sets);
  for (guint i = 0; i < cmd->words->len; i++)
    if (is_home_word (g_ptr_array_index (cmd->words, i)))
      d->home = TRUE;

  for (guint i = 0; i < cmd->redirs->len; i++)
    {
      ArPreflightRedir *r = g_ptr_array_index (cmd->redirs, i);
      const char *t = r->target;

      if (t[0] == '\0' || g_ascii_isdigit (t[0]) || t[0] == '-' || strcmp (t, "/dev/null") == 0 ||
          g_str_has_prefix (t, "/dev/std"))
        continue;
      if (is_home_word (t))
        d->home = TRUE;
      if (is_relative_path (t) || (t[0] != '/' && t[0] != '$' && t[0] != '~'))
        d->cwd_read = TRUE;
      if (r->op[0] == '<' && r->op[1] == '\0')
        add_file (d, t, FILE_USE, cwd);
      else if (strcmp (r->op, ">>") == 0 || strcmp (r->op, "&>>") == 0)
        {
          add_file (d, t, FILE_APPEND, cwd);
          pure = FALSE;
        }
      else if (r->op[0] == '>' || r->op[0] == '&' || strcmp (r->op, "<>") == 0)
        {
          add_file (d, t, FILE_CREATE, cwd);
          pure = FALSE;
        }
    }

  if (cmdword == NULL)
    {
      d->pure &= pure;
      return;
    }

  add_name (d->calls, cmdword, strlen (cmdword));
  if (strchr (cmdword, '/') != NULL)
    {
      if (cmdword[0] == '/' || cmdword[0] == '~')
        add_file (d, cmdword, FILE_USE, cwd);
      else
        d->cwd_read = TRUE;
    }

  for (j = v.i + 1; j < v.w->len; j++)
    {
      const char *a = g_ptr_array_index (v.w, j);

      if (is_relative_path (a))
        d->cwd_read = TRUE;
    }
  if (ar_preflight_str_in (name, cwd_tools))
    d->cwd_read = TRUE;

  if ((pkg = ar_preflight_match_package (&v, &workspace)) != NULL && workspace)
    d->home = TRUE;

  if (strcmp (name, ".") == 0 || strcmp (name, "source") == 0)
    {
      const char *file = ar_preflight_view_word (&v, v.i + 1);

      if (file != NULL)
        {
          add_file (d, file, FILE_USE, cwd);
          if (is_release_file (file))
            {
              add_release_vars (d, file);
              pure = TRUE;
            }
          else if (g_str_has_suffix (file, "/activate"))
            {
              d->venv_set = TRUE;
              pure = TRUE;
            }
          if (!g_path_is_absolute (file) && file[0] != '$' && file[0] != '~')
            d->cwd_read = TRUE;
        }
    }
  else if (strcmp (name, "cd") == 0 || strcmp (name, "pushd") == 0 || strcmp (name, "popd") == 0)
    {
      const char *dir = name[0] == 'p' && name[1] == 'o' ? NULL : ar_preflight_view_word (&v, v.i + 1);

      d->cwd_set = TRUE;
      g_clear_pointer (&d->cwd, g_free);
      if (dir != NULL && dir[0] != '-')
        {
          d->cwd = path_key (dir, cwd);
          if (d->cwd != NULL)
            add_file (d, d->cwd, FILE_USE, NULL);
          else if (is_home_word (dir))
            d->home = TRUE;
        }
    }
  else if (strcmp (name, "set") == 0 || strcmp (name, "shopt") == 0 || strcmp (name, "umask") == 0 ||
           strcmp (name, "trap") == 0)
    {
      d->state = TRUE;
      /* the command a trap runs, as a call */
      if (name[0] == 't' && (j = v.i + 1) < v.w->len)
        {
          const char *a = g_ptr_array_index (v.w, j);
          gsize n = strcspn (a, " \t;&|");

          if (n > 0)
            add_name (d->calls, a, n);
        }
    }
  else if (strcmp (name, "export") == 0)
    {
      for (j = v.i + 1; j < v.w->len; j++)
        {
          const char *a = g_ptr_array_index (v.w, j);
          gsize n = strcspn (a, "=");

          if (a[0] == '-' || !ar_preflight_is_name (a, n))
            continue;
          add_name (d->sets, a, n);
          {
            g_autofree char *nm = g_strndup (a, n);

            if (is_tool_env (nm))
              add_name (d->exports, a, n);
          }
        }
    }
  else if (strcmp (name, "tee") == 0)
    {
      gboolean append = FALSE;

      for (j = v.i + 1; j < v.w->len; j++)
        {
          const char *a = g_ptr_array_index (v.w, j);

          if (strcmp (a, "-a") == 0 || strcmp (a, "--append") == 0)
            append = TRUE;
        }
      for (j = v.i; positional_after (&v, &j) != NULL;)
        add_file (d, g_ptr_array_index (v.w, j), append ? FILE_APPEND : FILE_CREATE, cwd);
    }
  else if (ar_preflight_str_in (name, copies))
    {
      guint count = 0;
      const char *last = ar_preflight_last_positional (&v, &count);
      gboolean dirs = strcmp (name, "install") == 0 && ar_preflight_has_word (&v, (const char *const[]){ "-d", NULL });
      gboolean link = strcmp (name, "ln") == 0;

      for (j = v.i; positional_after (&v, &j) != NULL;)
        {
          const char *a = g_ptr_array_index (v.w, j);

          if (dirs || a == last)
            add_file (d, a, count > 2 && !dirs ? FILE_USE : FILE_CREATE, cwd);
          else if (!link)
            add_file (d, a, FILE_USE, cwd);
        }
    }
  else if (strcmp (name, "mkdir") == 0 || strcmp (name, "touch") == 0)
    {
      for (j = v.i; positional_after (&v, &j) != NULL;)
        add_file (d, g_ptr_array_index (v.w, j), FILE_CREATE, cwd);
    }
  else if (ar_preflight_str_in (name, changes) || (strcmp (name, "sed") == 0 &&
                                                   ar_preflight_first_word_in (&v, (const char *const[]){ "-i", "--in-place", NULL }) != NULL))
    {
      gboolean first = name[0] == 'c' || name[0] == 's' ? name[0] == 'c' : FALSE;

      for (j = v.i; positional_after (&v, &j) != NULL;)
        {
          if (first)
            {
              first = FALSE; /* the mode or the owner */
              continue;
            }
          add_file (d, g_ptr_array_index (v.w, j), FILE_MODIFY, cwd);
        }
    }
  else if (strcmp (name, "systemctl") == 0)
    {
      const char *verb = NULL;

      for (j = v.i; positional_after (&v, &j) != NULL;)
        {
          const char *a = g_ptr_array_index (v.w, j);

          if (verb == NULL)
            {
              verb = a;
              continue;
            }
          if (strcmp (verb, "enable") == 0 || strcmp (verb, "start") == 0 || strcmp (verb, "restart") == 0)
            {
              g_autofree char *key = g_strconcat ("unit:", a, strchr (a, '.') == NULL ? ".service" : "", NULL);
              FileFact f = { g_steal_pointer (&key), FILE_USE };

              g_array_append_val (d->files, f);
            }
        }
    }
  else if ((strcmp (name, "curl") == 0 || strcmp (name, "wget") == 0))
    {
      for (j = v.i + 1; j + 1 < v.w->len; j++)
        {
          const char *a = g_ptr_array_index (v.w, j);

          if (strcmp (a, "-o") == 0 || strcmp (a, "--output") == 0 || strcmp (a, "-O") == 0 ||
              (a[0] == '-' && a[1] != '-' && a[strlen (a) - 1] == 'o' && name[0] == 'c'))
            {
              const char *out = g_ptr_array_index (v.w, j + 1);

              if (!(name[0] == 'c' && strcmp (a, "-O") == 0) && strcmp (out, "-") != 0)
                {
                  add_file (d, out, FILE_CREATE, cwd);
                  if (out[0] != '/' && out[0] != '$' && out[0] != '~')
                    d->cwd_read = TRUE;
                }
            }
          else if (strcmp (a, "-O") == 0 || strcmp (a, "--remote-name") == 0)
            d->cwd_read = TRUE;
        }
    }
  else if (strcmp (name, "git") == 0)
    {
      const char *sub = NULL;

      for (j = v.i; positional_after (&v, &j) != NULL;)
        {
          const char *a = g_ptr_array_index (v.w, j);

          if (sub == NULL)
            sub = a;
          else if (strcmp (sub, "clone") == 0 && strstr (a, "://") == NULL && strchr (a, '@') == NULL)
            add_file (d, a, FILE_CREATE, cwd);
        }
      if (sub != NULL && strcmp (sub, "clone") != 0 && !ar_preflight_has_word (&v, (const char *const[]){ "-C", NULL }))
        d->cwd_read = TRUE;
    }
  else if (strcmp (name, "virtualenv") == 0 ||
           (g_str_has_prefix (name, "python") &&
            ar_preflight_has_word (&v, (const char *const[]){ "venv", "virtualenv", NULL })))
    {
      guint count = 0;
      const char *dir = ar_preflight_last_positional (&v, &count);

      if (dir != NULL && strcmp (dir, "venv") != 0 && strcmp (dir, "virtualenv") != 0)
        add_file (d, dir, FILE_CREATE, cwd);
      else if (dir != NULL)
        add_file (d, dir, FILE_CREATE, cwd);
    }
  else if (ar_preflight_is_shell_name (name))
    {
      j = v.i;
      if (positional_after (&v, &j) != NULL && !ar_preflight_has_word (&v, (const char *const[]){ "-c", NULL }))
        add_file (d, g_ptr_array_index (v.w, j), FILE_USE, cwd);
    }
  else if (strcmp (name, "dpkg") == 0 || strcmp (name, "rpm") == 0)
    pure = ar_preflight_has_word (&v, (const char *const[]){ "--print-architecture", "-E", "--eval", NULL });
  else if (strcmp (name, "tar") == 0 || strcmp (name, "unzip") == 0)
    {
      if (!ar_preflight_has_word (&v, (const char *const[]){ "-C", "--directory", "-d", NULL }))
        d->cwd_read = TRUE;
      for (j = v.i + 1; j < v.w->len; j++)
        {
          const char *a = g_ptr_array_index (v.w, j);

          if (a[0] == '/' && j > v.i + 1 && strcmp (g_ptr_array_index (v.w, j - 1), "-C") != 0)
            add_file (d, a, FILE_USE, cwd);
        }
    }

  if (g_str_has_prefix (name, "pip") || g_str_has_prefix (name, "python") || strcmp (name, "uv") == 0)
    if (cmdword[0] != '/')
      d->venv_read = TRUE;
  if (!pure)
    d->pure = FALSE;
}

ArPreflightDeps *
ar_preflight_deps_new (ArPreflightLexer *lx,
                       ArPreflightRawUnit *ru,
                       ArPreflightCursor *cursor,
                       const ArPreflightUnit *u,
                       gsize base,
                       GHashTable *env_names,
                       guint *pipeline,
                       const char *cwd_before)
{
  g_autoptr(GPtrArray) nested = g_ptr_array_new_with_free_func (ar_preflight_cmd_free);
  ArPreflightDeps *d = g_new0 (ArPreflightDeps, 1);
  gsize n = strlen (u->text);
  g_autofree char *vars = g_strndup (u->text, n);
  const char *cwd = cwd_before;

  d->ref_count = 1;
  d->line = ru->token_line;
  d->pure = TRUE;
  d->sets = g_ptr_array_new_with_free_func (g_free);
  d->reads = g_ptr_array_new_with_free_func (g_free);
  d->exports = g_ptr_array_new_with_free_func (g_free);
  d->defines = g_ptr_array_new_with_free_func (g_free);
  d->calls = g_ptr_array_new_with_free_func (g_free);
  d->files = g_array_new (FALSE, FALSE, sizeof (FileFact));
  d->definition = ru->functions->len > 0;
  for (guint i = 0; i < ru->functions->len; i++)
    {
      const char *f = g_ptr_array_index (ru->functions, i);

      add_name (d->defines, f, strlen (f));
    }

  /* comments and quoted here-documents read no variable */
  ar_preflight_blank_unread (lx, cursor, base, n, NULL, vars);
  scan_text (d, env_names, vars, n, u->line);

  ar_preflight_expand_nested (lx, ru->cmds, pipeline, 0, nested);
  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *cmds = pass == 0 ? ru->cmds : nested;

      for (guint k = 0; k < cmds->len; k++)
        {
          command_facts (d, g_ptr_array_index (cmds, k), cwd);
          if (d->cwd_set)
            cwd = d->cwd;
        }
    }
  for (guint i = 0; i < ru->defines->len; i++)
    {
      const char *s = g_ptr_array_index (ru->defines, i);

      add_name (d->sets, s, strlen (s));
    }
  for (guint i = 0; i < d->sets->len; i++)
    {
      const char *s = g_ptr_array_index (d->sets, i);

      if (ar_preflight_looks_like_secret (s, strlen (s)))
        note_secret (d, SECRET_NAME, s, strlen (s), d->line);
    }
  /* a cd inside ( … ) stays there */
  {
    const char *t = vars;

    while (*t == ' ' || *t == '\t' || *t == '\n')
      t++;
    if (*t == '(')
      {
        d->cwd_set = FALSE;
        g_clear_pointer (&d->cwd, g_free);
      }
  }
  /* only a $? the unit reads before it runs anything is the one before */
  d->status_read = FALSE;
  if (ru->cmds->len > 0)
    {
      ArPreflightCmd *first = g_ptr_array_index (ru->cmds, 0);

      for (guint i = 0; i < first->words->len && !d->status_read; i++)
        d->status_read = strstr (g_ptr_array_index (first->words, i), "$?") != NULL;
    }
  if (d->definition)
    {
      /* defining has no effect of its own: the facts are the callers' */
      d->pure = TRUE;
      d->status_read = FALSE;
    }
  if (ru->cmds->len == 0 && !d->definition)
    d->pure = FALSE;
  return d;
}

const char *
ar_preflight_deps_cwd_after (const ArPreflightDeps *d, const char *cwd_before)
{
  return d->cwd_set && !d->definition ? d->cwd : cwd_before;
}

gboolean
ar_preflight_deps_is_pure (const ArPreflightDeps *d)
{
  return d != NULL && d->pure && d->secret == NULL;
}
