/* ar-preflight-deps.c — the dependency model of a split and the guarantee
 * (SPEC §5.1)
 *
 * Each unit gets its facts from the parse the rules read: the variables it
 * sets and reads, the functions it defines and calls, the files and folders
 * it creates, appends to, changes or uses by literal path, the working
 * folder and virtualenv it sets or relies on, shell state, a $? capture,
 * and the first secret it reads. A function definition's facts are those
 * of its body and belong to its callers (transitively), not to the
 * definition. Edges link a unit to the unit that provides what it uses:
 * the nearest earlier setter of a variable, the definition of a function,
 * the creator of a path or of a folder above it, the last cd, the last
 * activate, the unit before a $? capture.
 *
 * The guarantee moves units along edges until every edge holds, each unit
 * only along RUN → CACHED → BOTH → RUN-for-good, so the worklist ends after
 * at most three moves a unit. The check reads the same edges.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"
#include "ar-preflight-deps.h"

#include <glib/gi18n-lib.h>
#include <string.h>

typedef enum {
  FILE_CREATE,
  FILE_APPEND,
  FILE_MODIFY,
  FILE_USE,
} FileOp;

typedef struct {
  char *path;
  FileOp op;
} FileFact;

typedef enum {
  SECRET_NONE,
  SECRET_NAME, /* looks like a secret */
  SECRET_TASK, /* $TASK_ID, $AGENTS_RUNNER_… */
  SECRET_ENV,  /* an env var of the environment */
} SecretKind;

struct _ArPreflightDeps
{
  gint ref_count;
  guint line;            /* first line with code */
  gboolean definition;   /* defines functions: the facts below are its body's */
  gboolean pure;         /* only definitions and queries: may run in both parts */
  gboolean home;         /* uses the home folder or the workspace */
  gboolean state;        /* set, shopt, umask, trap */
  gboolean status_read;  /* $? of the unit before */
  gboolean cwd_read;
  gboolean cwd_set;
  gboolean venv_read;
  gboolean venv_set;
  char *cwd;             /* literal folder the cd goes to, or NULL */
  GPtrArray *sets;       /* char *: variables */
  GPtrArray *reads;      /* char *: variables */
  GPtrArray *exports;    /* char *: exported variables commands read */
  GPtrArray *defines;    /* char *: functions */
  GPtrArray *calls;      /* char *: command names, some of them functions */
  GArray *files;         /* FileFact */
  SecretKind secret_kind;
  char *secret;
  guint secret_line;
};

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

static gboolean
ends_with_ci (const char *s, gsize n, const char *suffix)
{
  gsize m = strlen (suffix);

  return n >= m && g_ascii_strncasecmp (s + n - m, suffix, m) == 0;
}

/* …TOKEN, …SECRET, …PASSWORD, …_KEY, …CREDENTIALS, any case (SPEC §5.1) */
static gboolean
looks_secret (const char *s, gsize n)
{
  return ends_with_ci (s, n, "TOKEN") || ends_with_ci (s, n, "SECRET") ||
         ends_with_ci (s, n, "PASSWORD") || ends_with_ci (s, n, "_KEY") ||
         ends_with_ci (s, n, "CREDENTIALS");
}

static SecretKind
secret_kind (GHashTable *env_names, const char *s, gsize n)
{
  char buf[128];

  if ((n == 7 && memcmp (s, "TASK_ID", 7) == 0) || (n > 14 && memcmp (s, "AGENTS_RUNNER_", 14) == 0))
    return SECRET_TASK;
  if (n < sizeof buf)
    {
      memcpy (buf, s, n);
      buf[n] = '\0';
      if (g_hash_table_contains (env_names, buf))
        return SECRET_ENV;
    }
  return looks_secret (s, n) ? SECRET_NAME : SECRET_NONE;
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
      gboolean dirs = strcmp (name, "install") == 0 && ar_preflight_has_word (&v, (const char *const[]) { "-d", NULL });
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
           ar_preflight_first_word_in (&v, (const char *const[]) { "-i", "--in-place", NULL }) != NULL))
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
      if (sub != NULL && strcmp (sub, "clone") != 0 && !ar_preflight_has_word (&v, (const char *const[]) { "-C", NULL }))
        d->cwd_read = TRUE;
    }
  else if (strcmp (name, "virtualenv") == 0 ||
           (g_str_has_prefix (name, "python") &&
            ar_preflight_has_word (&v, (const char *const[]) { "venv", "virtualenv", NULL })))
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
      if (positional_after (&v, &j) != NULL && !ar_preflight_has_word (&v, (const char *const[]) { "-c", NULL }))
        add_file (d, g_ptr_array_index (v.w, j), FILE_USE, cwd);
    }
  else if (strcmp (name, "dpkg") == 0 || strcmp (name, "rpm") == 0)
    pure = ar_preflight_has_word (&v, (const char *const[]) { "--print-architecture", "-E", "--eval", NULL });
  else if (strcmp (name, "tar") == 0 || strcmp (name, "unzip") == 0)
    {
      if (!ar_preflight_has_word (&v, (const char *const[]) { "-C", "--directory", "-d", NULL }))
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
  for (; cursor->comment < lx->comments->len; cursor->comment++)
    {
      ArPreflightSpan *c = &g_array_index (lx->comments, ArPreflightSpan, cursor->comment);

      if (c->start >= base + n)
        break;
      if (c->start < base)
        continue;
      for (gsize i = c->start - base; i < c->end - base && i < n; i++)
        vars[i] = ' ';
    }
  for (; cursor->heredoc < lx->heredocs->len; cursor->heredoc++)
    {
      ArPreflightHereDoc *h = &g_array_index (lx->heredocs, ArPreflightHereDoc, cursor->heredoc);

      if (!h->read || h->start >= base + n)
        break;
      if (h->exec || h->start < base || !h->quoted)
        continue;
      for (gsize i = h->start - base; i < h->mask_end - base && i < n; i++)
        if (vars[i] != '\n')
          vars[i] = ' ';
    }
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

      if (looks_secret (s, strlen (s)))
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


/* ------------------------------------------------------------------------ */
/* Edges                                                                    */

typedef enum {
  EDGE_VAR,
  EDGE_FUNC,
  EDGE_FILE,
  EDGE_CWD,
  EDGE_VENV,
  EDGE_STATUS,
  /* soft: a pure provider goes to both, nothing else moves for them */
  EDGE_EXPORT,
  EDGE_STATE,
} EdgeKind;

typedef struct {
  guint user;
  guint provider;
  EdgeKind kind;
  const char *name; /* owned by a unit's facts */
} Edge;

typedef struct {
  GArray *edges;        /* Edge */
  const char **secret;  /* per unit: first secret it reads, itself or in a function it calls */
  SecretKind *secret_kind;
} Graph;

static void
graph_clear (Graph *g)
{
  g_array_unref (g->edges);
  g_free (g->secret);
  g_free (g->secret_kind);
}

static ArPreflightDeps *
deps_at (GPtrArray *units, guint i)
{
  return ((ArPreflightUnit *) g_ptr_array_index (units, i))->deps;
}

static void
add_edge (Graph *g, guint user, guint provider, EdgeKind kind, const char *name)
{
  Edge e = { user, provider, kind, name };

  if (user != provider)
    g_array_append_val (g->edges, e);
}

/* The unit that created @path or the nearest folder above it (only folders
 * above when @parents_only), or -1. */
static int
find_creator (GHashTable *creators, const char *path, gboolean parents_only)
{
  g_autofree char *p = g_strdup (path);

  if (g_str_has_prefix (p, "unit:"))
    return parents_only ? -1 : GPOINTER_TO_INT (g_hash_table_lookup (creators, p)) - 1;
  for (;;)
    {
      char *slash;

      if (!parents_only)
        {
          gpointer v = g_hash_table_lookup (creators, p);

          if (v != NULL)
            return GPOINTER_TO_INT (v) - 1;
        }
      parents_only = FALSE;
      slash = strrchr (p, '/');
      if (slash == NULL || slash == p || (slash == p + 1 && p[0] == '~'))
        return -1;
      *slash = '\0';
    }
}

/* What unit @p created that @path is or is under, as its facts hold it
 * (for a reason: "line 3 creates /opt/c", not "/opt/c/x"). */
static const char *
created_path (GPtrArray *units, guint p, const char *path)
{
  ArPreflightDeps *d = deps_at (units, p);
  const char *best = path;
  gsize best_len = 0;

  for (guint k = 0; k < d->files->len; k++)
    {
      FileFact *ff = &g_array_index (d->files, FileFact, k);
      gsize n = strlen (ff->path);

      if (ff->op == FILE_CREATE && n > best_len && strncmp (path, ff->path, n) == 0 &&
          (path[n] == '\0' || path[n] == '/'))
        {
          best = ff->path;
          best_len = n;
        }
    }
  return best;
}

static void
build_graph (GPtrArray *units, Graph *g)
{
  guint n = units->len;
  g_autoptr(GHashTable) first_def = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) defs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) setters = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) creators = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) exporters = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree GArray **callees = g_new0 (GArray *, n);
  g_autofree guint *stamp = g_new0 (guint, n);
  g_autoptr(GArray) closure = g_array_new (FALSE, FALSE, sizeof (guint));
  int cwd_setter = -1, venv_setter = -1, state_setter = -1;
  /* Following calls through bodies is quadratic when every function calls
   * every other: past this many steps a unit gets only its direct calls'
   * bodies, which keeps any script fast (real ones stay far below). */
  guint64 budget = 4000000;

  g->edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  g->secret = g_new0 (const char *, n);
  g->secret_kind = g_new0 (SecretKind, n);

  /* the functions each unit calls directly: the nearest definition before
   * it, else the first one (a body may call a function defined later) */
  for (guint i = 0; i < n; i++)
    {
      ArPreflightDeps *d = deps_at (units, i);

      for (guint k = 0; d != NULL && k < d->defines->len; k++)
        if (!g_hash_table_contains (first_def, g_ptr_array_index (d->defines, k)))
          g_hash_table_insert (first_def, g_ptr_array_index (d->defines, k), GUINT_TO_POINTER (i + 1));
    }
  for (guint i = 0; i < n; i++)
    {
      ArPreflightDeps *d = deps_at (units, i);

      if (d == NULL)
        continue;
      for (guint k = 0; k < d->calls->len; k++)
        {
          const char *c = g_ptr_array_index (d->calls, k);
          gpointer v = g_hash_table_lookup (defs, c);

          if (v == NULL)
            v = g_hash_table_lookup (first_def, c);
          if (v != NULL && GPOINTER_TO_UINT (v) - 1 != i)
            {
              guint def = GPOINTER_TO_UINT (v) - 1;

              if (callees[i] == NULL)
                callees[i] = g_array_new (FALSE, FALSE, sizeof (guint));
              g_array_append_val (callees[i], def);
            }
        }
      for (guint k = 0; k < d->defines->len; k++)
        g_hash_table_insert (defs, g_ptr_array_index (d->defines, k), GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < n; i++)
    {
      ArPreflightDeps *own = deps_at (units, i);
      guint n_facts;

      if (own == NULL)
        continue;

      /* the definitions it calls, through bodies too */
      g_array_set_size (closure, 0);
      stamp[i] = i + 1;
      if (callees[i] != NULL)
        for (guint k = 0; k < callees[i]->len; k++)
          {
            guint c = g_array_index (callees[i], guint, k);

            if (stamp[c] != i + 1)
              {
                stamp[c] = i + 1;
                g_array_append_val (closure, c);
              }
          }
      for (guint q = 0; q < closure->len && budget > 0; q++)
        {
          guint c = g_array_index (closure, guint, q);

          for (guint k = 0; callees[c] != NULL && k < callees[c]->len && budget > 0; k++, budget--)
            {
              guint cc = g_array_index (callees[c], guint, k);

              if (stamp[cc] != i + 1)
                {
                  stamp[cc] = i + 1;
                  g_array_append_val (closure, cc);
                }
            }
        }

      if (own->secret != NULL)
        {
          g->secret[i] = own->secret;
          g->secret_kind[i] = own->secret_kind;
        }

      /* own facts first (unless a definition's), then each called body's */
      n_facts = closure->len + (own->definition ? 0 : 1);
      for (guint f = 0; f < n_facts; f++)
        {
          gboolean is_own = !own->definition && f == 0;
          guint src = is_own ? i : g_array_index (closure, guint, f - (own->definition ? 0 : 1));
          ArPreflightDeps *d = deps_at (units, src);

          if (!is_own)
            {
              add_edge (g, i, src, EDGE_FUNC, NULL);
              if (g->secret[i] == NULL && d->secret != NULL)
                {
                  g->secret[i] = d->secret;
                  g->secret_kind[i] = d->secret_kind;
                }
            }
          for (guint k = 0; k < d->reads->len; k++)
            {
              const char *v = g_ptr_array_index (d->reads, k);
              gpointer p;

              if (is_own && g_ptr_array_find_with_equal_func (own->sets, v, g_str_equal, NULL))
                continue;
              p = g_hash_table_lookup (setters, v);
              if (p != NULL)
                add_edge (g, i, GPOINTER_TO_UINT (p) - 1, EDGE_VAR, v);
            }
          for (guint k = 0; k < d->files->len; k++)
            {
              FileFact *ff = &g_array_index (d->files, FileFact, k);
              int p = find_creator (creators, ff->path, ff->op == FILE_CREATE);

              if (p >= 0)
                add_edge (g, i, p, EDGE_FILE, created_path (units, p, ff->path));
            }
          if (d->cwd_read && !d->cwd_set && cwd_setter >= 0)
            add_edge (g, i, cwd_setter, EDGE_CWD, NULL);
          if (d->venv_read && !d->venv_set && venv_setter >= 0)
            add_edge (g, i, venv_setter, EDGE_VENV, NULL);
        }

      if (!own->definition)
        {
          if (own->status_read && i > 0 && deps_at (units, i - 1) != NULL)
            add_edge (g, i, i - 1, EDGE_STATUS, NULL);
          if (!own->pure || closure->len > 0)
            {
              GHashTableIter it;
              gpointer key, value;

              g_hash_table_iter_init (&it, exporters);
              while (g_hash_table_iter_next (&it, &key, &value))
                add_edge (g, i, GPOINTER_TO_UINT (value) - 1, EDGE_EXPORT, key);
            }
          if (state_setter >= 0)
            add_edge (g, i, state_setter, EDGE_STATE, NULL);
        }

      /* what it provides to the units after it */
      for (guint f = 0; f < n_facts; f++)
        {
          gboolean is_own = !own->definition && f == 0;
          guint src = is_own ? i : g_array_index (closure, guint, f - (own->definition ? 0 : 1));
          ArPreflightDeps *d = deps_at (units, src);

          for (guint k = 0; k < d->sets->len; k++)
            g_hash_table_insert (setters, g_ptr_array_index (d->sets, k), GUINT_TO_POINTER (i + 1));
          for (guint k = 0; k < d->exports->len; k++)
            g_hash_table_insert (exporters, g_ptr_array_index (d->exports, k), GUINT_TO_POINTER (i + 1));
          for (guint k = 0; k < d->files->len; k++)
            {
              FileFact *ff = &g_array_index (d->files, FileFact, k);

              if (ff->op != FILE_CREATE)
                continue;
              g_hash_table_insert (creators, g_strdup (ff->path), GUINT_TO_POINTER (i + 1));
              if (g_str_has_suffix (ff->path, ".service") || g_str_has_suffix (ff->path, ".timer") ||
                  g_str_has_suffix (ff->path, ".socket") || g_str_has_suffix (ff->path, ".path"))
                g_hash_table_insert (creators, g_strconcat ("unit:", strrchr (ff->path, '/') + 1, NULL),
                                     GUINT_TO_POINTER (i + 1));
            }
          if (d->cwd_set)
            cwd_setter = i;
          if (d->venv_set)
            venv_setter = i;
          if (d->state)
            state_setter = i;
        }
    }

  for (guint i = 0; i < n; i++)
    if (callees[i] != NULL)
      g_array_unref (callees[i]);
}

static gboolean
on_cached_side (ArPreflightPart part)
{
  return part == AR_PREFLIGHT_PART_CACHED || part == AR_PREFLIGHT_PART_BOTH;
}

static gboolean
on_run_side (ArPreflightPart part)
{
  return part == AR_PREFLIGHT_PART_RUN || part == AR_PREFLIGHT_PART_BOTH;
}

/* A file of the image is there at start whichever part made it; a $?
 * capture in both parts is whole where its command is. */
static gboolean
run_side_broken (const Edge *e, const ArPreflightUnit *u, const ArPreflightUnit *p)
{
  if (e->kind == EDGE_FILE)
    return FALSE;
  if (e->kind == EDGE_STATUS)
    return u->part == AR_PREFLIGHT_PART_RUN && !on_run_side (p->part);
  return on_run_side (u->part) && !on_run_side (p->part);
}

/* What a reason quotes: one line of at most 60 bytes. */
static char *
shown (const char *s)
{
  GString *out = g_string_new (NULL);
  gsize n = s != NULL ? strlen (s) : 0;
  gsize cut = n;

  if (n > 60)
    {
      cut = 60;
      while (cut > 0 && ((guchar) s[cut] & 0xC0) == 0x80)
        cut--;
    }
  for (gsize i = 0; i < cut; i++)
    g_string_append_c (out, (guchar) s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i]);
  if (cut < n)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static char *
secret_reason (SecretKind kind, const char *name)
{
  g_autofree char *nm = shown (name);

  switch (kind)
    {
    case SECRET_TASK:
      return g_strdup_printf (_("Uses $%s, which is different for every task."), nm);
    case SECRET_ENV:
      return g_strdup_printf (_("Uses $%s, an env var of the environment: it is not there at build time, and a secret would be baked into the image."), nm);
    case SECRET_NAME:
    case SECRET_NONE:
    default:
      return g_strdup_printf (_("Uses $%s, whose name looks like a secret: it must never reach the image, so it runs at start."), nm);
    }
}

/* ------------------------------------------------------------------------ */
/* The check                                                                */

static const char *
describe_kind (EdgeKind kind)
{
  switch (kind)
    {
    case EDGE_VAR: return _("a variable");
    case EDGE_FUNC: return _("a function");
    case EDGE_FILE: return _("a file or folder");
    case EDGE_CWD: return _("the working folder");
    case EDGE_VENV: return _("the virtualenv");
    case EDGE_STATUS: return _("the exit status");
    case EDGE_EXPORT:
    case EDGE_STATE:
    default: return _("shell state");
    }
}

gboolean
ar_preflight_check_split (GPtrArray *units, GPtrArray **problems)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  Graph g;

  g_return_val_if_fail (units != NULL, FALSE);

  build_graph (units, &g);
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (g.secret[i] != NULL && on_cached_side (u->part))
        {
          g_autofree char *nm = shown (g.secret[i]);

          g_ptr_array_add (out, g_strdup_printf (_("Line %u is in the cached part but reads $%s, which must not reach the image."),
                                                 u->deps->line, nm));
        }
    }
  for (guint k = 0; k < g.edges->len; k++)
    {
      Edge *e = &g_array_index (g.edges, Edge, k);
      ArPreflightUnit *u = g_ptr_array_index (units, e->user);
      ArPreflightUnit *p = g_ptr_array_index (units, e->provider);
      g_autofree char *what = NULL;

      if (e->kind == EDGE_EXPORT || e->kind == EDGE_STATE)
        continue;
      what = e->name != NULL ? g_strdup_printf ("%s %s", describe_kind (e->kind), e->name)
                             : g_strdup (describe_kind (e->kind));
      if (on_cached_side (u->part) && !on_cached_side (p->part))
        g_ptr_array_add (out, g_strdup_printf (_("Line %u is in the cached part but uses %s from line %u, which only the run part has."),
                                               u->deps->line, what, p->deps->line));
      else if (run_side_broken (e, u, p))
        g_ptr_array_add (out, g_strdup_printf (_("Line %u is in the run part but uses %s from line %u, which only the cached part sets up."),
                                               u->deps->line, what, p->deps->line));
    }
  graph_clear (&g);
  if (problems != NULL)
    *problems = g_ptr_array_ref (out);
  return out->len == 0;
}

/* ------------------------------------------------------------------------ */
/* The guarantee                                                            */

typedef struct {
  GPtrArray *units;
  gboolean *pinned;  /* runs at start for good */
  guint *adj_start;  /* edges of unit i: adj[adj_start[i] .. adj_start[i + 1]) */
  guint *adj;
  GQueue work;
  gboolean *queued;
} Fix;

static gboolean
pure_able (Fix *fx, guint i)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, i);

  return !fx->pinned[i] && ar_preflight_deps_is_pure (u->deps);
}

static gboolean
cacheable (Fix *fx, guint i)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, i);

  return !fx->pinned[i] && !u->deps->home && u->category != AR_PREFLIGHT_CATEGORY_ENV_EXPORT &&
         u->category != AR_PREFLIGHT_CATEGORY_TASK_VARIABLE && u->category != AR_PREFLIGHT_CATEGORY_TEMP_DIR;
}

static void
touched (Fix *fx, guint i)
{
  for (guint k = fx->adj_start[i]; k < fx->adj_start[i + 1]; k++)
    if (!fx->queued[fx->adj[k]])
      {
        fx->queued[fx->adj[k]] = TRUE;
        g_queue_push_tail (&fx->work, GUINT_TO_POINTER (fx->adj[k]));
      }
}

static void
set_reason (ArPreflightUnit *u, char *reason)
{
  g_free (u->reason);
  u->reason = reason;
}

static const char *
category_sentence (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return _("Installs or updates packages.");
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return _("Downloads into a system place.");
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return _("Changes system configuration.");
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return _("Creates a folder.");
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS: return _("Not recognised.");
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT:
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE:
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR:
    case AR_PREFLIGHT_CATEGORY_SHEBANG:
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION:
    case AR_PREFLIGHT_CATEGORY_VARIABLE:
    default:
      return NULL;
    }
}

/* @u must run at start because of @e. */
static void
move_to_run (Fix *fx, const Edge *e)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, e->user);
  ArPreflightUnit *p = g_ptr_array_index (fx->units, e->provider);
  guint line = p->deps->line;
  g_autofree char *nm = shown (e->name);
  g_autofree char *why = NULL;
  const char *what;

  switch (e->kind)
    {
    case EDGE_VAR:
      why = g_strdup_printf (_("Runs at start because line %u sets $%s at start."), line, nm);
      break;
    case EDGE_FUNC:
      {
        g_autofree char *fn = shown (p->deps->defines->len > 0 ? g_ptr_array_index (p->deps->defines, 0) : "");

        why = g_strdup_printf (_("Runs at start because it calls %s (line %u), which runs at start."), fn, line);
      }
      break;
    case EDGE_FILE:
      why = g_strdup_printf (_("Runs at start because line %u creates %s at start."), line, nm);
      break;
    case EDGE_CWD:
      why = g_strdup_printf (_("Runs at start because line %u changes into its working folder at start."), line);
      break;
    case EDGE_VENV:
      why = g_strdup_printf (_("Runs at start because line %u activates its virtualenv at start."), line);
      break;
    case EDGE_STATUS:
    case EDGE_EXPORT:
    case EDGE_STATE:
    default:
      why = g_strdup_printf (_("Runs at start because it checks the exit status of line %u, which runs at start."), line);
      break;
    }
  if (u->category == AR_PREFLIGHT_CATEGORY_VARIABLE || u->category == AR_PREFLIGHT_CATEGORY_SHELL_OPTION)
    u->category = AR_PREFLIGHT_CATEGORY_TASK_VARIABLE;
  what = category_sentence (u->category);
  set_reason (u, what != NULL ? g_strdup_printf ("%s %s", what, why) : g_steal_pointer (&why));
  g_debug ("guarantee: line %u runs at start because of line %u", u->deps->line, line);
  u->part = AR_PREFLIGHT_PART_RUN;
  u->moved_by_line = line;
  fx->pinned[e->user] = TRUE;
  touched (fx, e->user);
}

/* @p goes to both parts because @u (the other end of @e) needs it. */
static void
move_to_both (Fix *fx, const Edge *e, guint who)
{
  ArPreflightUnit *p = g_ptr_array_index (fx->units, who);
  guint other = who == e->provider ? e->user : e->provider;
  guint line = ((ArPreflightUnit *) g_ptr_array_index (fx->units, other))->deps->line;
  g_autofree char *nm = shown (e->name);

  if (p->deps->definition)
    {
      g_autofree char *fn = shown (p->deps->defines->len > 0 ? g_ptr_array_index (p->deps->defines, 0) : "");

      set_reason (p, g_strdup_printf (_("Defines the function %s, which line %u calls in the other part too, so it goes to both parts."),
                                      fn, line));
    }
  else
    switch (e->kind)
      {
      case EDGE_VAR:
        set_reason (p, g_strdup_printf (_("Sets $%s, which line %u uses in the other part too, so it goes to both parts."), nm, line));
        break;
      case EDGE_EXPORT:
        set_reason (p, g_strdup_printf (_("Exports %s, which line %u needs too, so it goes to both parts."), nm, line));
        break;
      case EDGE_CWD:
        set_reason (p, g_strdup_printf (_("Changes the working folder that line %u relies on, so it goes to both parts."), line));
        break;
      case EDGE_VENV:
        set_reason (p, g_strdup_printf (_("Activates the virtualenv that line %u uses, so it goes to both parts."), line));
        break;
      case EDGE_STATUS:
        set_reason (p, g_strdup_printf (_("Line %u checks its exit status in the other part too, so it goes to both parts."), line));
        break;
      case EDGE_STATE:
      case EDGE_FUNC:
      case EDGE_FILE:
      default:
        set_reason (p, g_strdup_printf (_("Sets shell state that line %u relies on in the other part too, so it goes to both parts."), line));
        break;
      }
  if (p->category == AR_PREFLIGHT_CATEGORY_AMBIGUOUS)
    p->category = e->kind == EDGE_VAR || p->deps->definition ? AR_PREFLIGHT_CATEGORY_VARIABLE
                                                             : AR_PREFLIGHT_CATEGORY_SHELL_OPTION;
  g_debug ("guarantee: line %u goes to both because of line %u", p->deps->line, line);
  p->part = AR_PREFLIGHT_PART_BOTH;
  touched (fx, who);
}

static void
move_to_cached (Fix *fx, const Edge *e)
{
  ArPreflightUnit *p = g_ptr_array_index (fx->units, e->provider);
  guint line = ((ArPreflightUnit *) g_ptr_array_index (fx->units, e->user))->deps->line;
  g_autofree char *nm = shown (e->name);

  set_reason (p, g_strdup_printf (_("Creates %s, which line %u changes in the cached part, so the image holds it too."), nm, line));
  if (p->category == AR_PREFLIGHT_CATEGORY_AMBIGUOUS)
    p->category = AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG;
  g_debug ("guarantee: line %u goes to the cached part because of line %u", p->deps->line, line);
  p->part = AR_PREFLIGHT_PART_CACHED;
  touched (fx, e->provider);
}

static void
resolve (Fix *fx, const Edge *e)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, e->user);
  ArPreflightUnit *p = g_ptr_array_index (fx->units, e->provider);
  gboolean cached_broken = on_cached_side (u->part) && !on_cached_side (p->part);
  gboolean run_broken = run_side_broken (e, u, p);

  if (!cached_broken && !run_broken)
    return;
  if (e->kind == EDGE_EXPORT || e->kind == EDGE_STATE)
    {
      if (pure_able (fx, e->provider))
        move_to_both (fx, e, e->provider);
      return;
    }
  if (cached_broken)
    {
      /* the provider runs at start only */
      if (pure_able (fx, e->provider))
        move_to_both (fx, e, e->provider);
      else if (e->kind == EDGE_FILE && cacheable (fx, e->provider))
        move_to_cached (fx, e);
      else
        move_to_run (fx, e);
      return;
    }
  /* the provider is only in the cached part */
  if (e->kind == EDGE_STATUS && !fx->pinned[e->user] && u->part == AR_PREFLIGHT_PART_RUN &&
      cacheable (fx, e->user))
    {
      u->part = AR_PREFLIGHT_PART_CACHED;
      set_reason (u, g_strdup_printf (_("Checks the exit status of line %u, so it goes where that line goes."), p->deps->line));
      if (u->category == AR_PREFLIGHT_CATEGORY_AMBIGUOUS)
        u->category = AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG;
      touched (fx, e->user);
    }
  else
    move_to_both (fx, e, e->provider);
}

void
ar_preflight_guarantee (GPtrArray *units)
{
  guint n = units->len;
  Graph g;
  Fix fx = { 0 };
  g_autofree guint *fill = NULL;

  build_graph (units, &g);
  fx.units = units;
  fx.pinned = g_new0 (gboolean, n);
  fx.adj_start = g_new0 (guint, n + 1);
  fx.adj = g_new (guint, g.edges->len * 2 + 1);
  fx.queued = g_new0 (gboolean, g.edges->len + 1);
  g_queue_init (&fx.work);

  /* what reads a secret, a task variable or an environment's variable runs
   * at start and nowhere else */
  for (guint i = 0; i < n; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (u->deps == NULL)
        continue;
      if (u->category == AR_PREFLIGHT_CATEGORY_TASK_VARIABLE || u->category == AR_PREFLIGHT_CATEGORY_TEMP_DIR)
        fx.pinned[i] = TRUE;
      if (g.secret[i] == NULL)
        continue;
      fx.pinned[i] = TRUE;
      if (u->part != AR_PREFLIGHT_PART_RUN ||
          (g.secret_kind[i] == SECRET_NAME && u->category != AR_PREFLIGHT_CATEGORY_ENV_EXPORT &&
           u->category != AR_PREFLIGHT_CATEGORY_TASK_VARIABLE && u->category != AR_PREFLIGHT_CATEGORY_TEMP_DIR))
        {
          u->part = AR_PREFLIGHT_PART_RUN;
          u->category = AR_PREFLIGHT_CATEGORY_TASK_VARIABLE;
          set_reason (u, secret_reason (g.secret_kind[i], g.secret[i]));
        }
    }

  /* edges by unit, both ends */
  for (guint k = 0; k < g.edges->len; k++)
    {
      Edge *e = &g_array_index (g.edges, Edge, k);

      fx.adj_start[e->user + 1]++;
      fx.adj_start[e->provider + 1]++;
    }
  for (guint i = 0; i < n; i++)
    fx.adj_start[i + 1] += fx.adj_start[i];
  fill = g_memdup2 (fx.adj_start, sizeof (guint) * (n + 1));
  for (guint k = 0; k < g.edges->len; k++)
    {
      Edge *e = &g_array_index (g.edges, Edge, k);

      fx.adj[fill[e->user]++] = k;
      fx.adj[fill[e->provider]++] = k;
    }

  for (guint k = 0; k < g.edges->len; k++)
    {
      fx.queued[k] = TRUE;
      g_queue_push_tail (&fx.work, GUINT_TO_POINTER (k));
    }
  while (!g_queue_is_empty (&fx.work))
    {
      guint k = GPOINTER_TO_UINT (g_queue_pop_head (&fx.work));

      fx.queued[k] = FALSE;
      resolve (&fx, &g_array_index (g.edges, Edge, k));
    }

  g_free (fx.pinned);
  g_free (fx.adj_start);
  g_free (fx.adj);
  g_free (fx.queued);
  graph_clear (&g);
}
