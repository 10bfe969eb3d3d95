/* ar-preflight-validator.c — preflight warnings (design.md §5.2)
 *
 * The content checks read the analyzer's signals (one definition of "uses a
 * task variable"); the syntax check asks the real shell.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-validator.h"

#include "ar-preflight-analyzer.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* clang-format off */
G_DEFINE_QUARK (ar-preflight-validator-error-quark, ar_preflight_validator_error)
/* clang-format on */

/* What is checked, copied out of the environment so that the check can run
 * in a thread while the user keeps editing. */
typedef struct {
  ArPreflightMode mode;
  gboolean caching;
  char *single;
  char *cached;
  char *run;
  GStrv env_names;
} Snapshot;

static void
snapshot_free (gpointer data)
{
  Snapshot *s = data;

  g_free (s->single);
  g_free (s->cached);
  g_free (s->run);
  g_strfreev (s->env_names);
  g_free (s);
}

static Snapshot *
snapshot_new (ArEnvironment *env)
{
  Snapshot *s = g_new0 (Snapshot, 1);

  s->mode = ar_environment_get_preflight_mode (env);
  s->caching = ar_environment_get_cache_container_build (env);
  s->single = g_strdup (ar_environment_get_preflight_script (env));
  s->cached = g_strdup (ar_environment_get_cached_preflight_script (env));
  s->run = g_strdup (ar_environment_get_run_preflight_script (env));
  s->env_names = ar_environment_dup_env_var_names (env);
  return s;
}

ArPreflightWarning *
ar_preflight_warning_copy (const ArPreflightWarning *warning)
{
  ArPreflightWarning *copy;

  g_return_val_if_fail (warning != NULL, NULL);

  copy = g_new0 (ArPreflightWarning, 1);
  copy->script = warning->script;
  copy->line = warning->line;
  copy->code = g_strdup (warning->code);
  copy->message = g_strdup (warning->message);
  return copy;
}

void
ar_preflight_warning_free (ArPreflightWarning *warning)
{
  if (warning == NULL)
    return;
  g_free (warning->code);
  g_free (warning->message);
  g_free (warning);
}

G_DEFINE_BOXED_TYPE (ArPreflightWarning, ar_preflight_warning, ar_preflight_warning_copy, ar_preflight_warning_free)

const char *
ar_preflight_script_kind_to_string (ArPreflightScriptKind kind)
{
  switch (kind)
    {
    case AR_PREFLIGHT_SCRIPT_SINGLE: return "single";
    case AR_PREFLIGHT_SCRIPT_CACHED: return "cached";
    case AR_PREFLIGHT_SCRIPT_RUN:
    default: return "run";
    }
}

static const char *
script_label (ArPreflightScriptKind kind)
{
  switch (kind)
    {
    case AR_PREFLIGHT_SCRIPT_SINGLE: return _ ("Single preflight");
    case AR_PREFLIGHT_SCRIPT_CACHED: return _ ("Cached preflight");
    case AR_PREFLIGHT_SCRIPT_RUN:
    default: return _ ("Run preflight");
    }
}

char *
ar_preflight_warning_to_string (const ArPreflightWarning *warning)
{
  g_return_val_if_fail (warning != NULL, NULL);

  if (warning->line == 0)
    return g_strdup_printf (_ ("%s: %s"), script_label (warning->script), warning->message);
  return g_strdup_printf (_ ("%s, line %u: %s"), script_label (warning->script), warning->line, warning->message);
}

static void
add_warning (GPtrArray *warnings,
             ArPreflightScriptKind script,
             guint line,
             const char *code,
             char *message /* owned */)
{
  ArPreflightWarning *w = g_new0 (ArPreflightWarning, 1);

  w->script = script;
  w->line = line;
  w->code = g_strdup (code);
  w->message = message;
  g_ptr_array_add (warnings, w);
}

static gboolean
is_blank (const char *script)
{
  for (const char *p = script; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* Anything but a shebang, shell options and variables. */
static gboolean
has_commands (GPtrArray *units)
{
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (u->category != AR_PREFLIGHT_CATEGORY_SHEBANG &&
          u->category != AR_PREFLIGHT_CATEGORY_SHELL_OPTION &&
          u->category != AR_PREFLIGHT_CATEGORY_VARIABLE)
        return TRUE;
    }
  return FALSE;
}

/* The analyzer's units, or NULL when the script is nested too deeply for
 * it: that is a warning of its own, and the content checks are skipped. */
static GPtrArray *
analyze (Snapshot *s, ArPreflightScriptKind kind, const char *script, GPtrArray *warnings)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *units = ar_preflight_analyze (script, (const char *const *) s->env_names, &error);

  if (units == NULL)
    add_warning (warnings, kind, 0, AR_PREFLIGHT_WARNING_TOO_DEEP, g_strdup (error->message));
  return units;
}

static void
check_cached (Snapshot *s, GPtrArray *warnings)
{
  g_autoptr(GPtrArray) units = analyze (s, AR_PREFLIGHT_SCRIPT_CACHED, s->cached, warnings);

  if (units == NULL)
    return;
  if (s->caching && !has_commands (units))
    add_warning (warnings, AR_PREFLIGHT_SCRIPT_CACHED, 0, AR_PREFLIGHT_WARNING_CACHING_EMPTY_CACHED,
                 g_strdup (_ ("Container caching is on but the cached preflight is empty: nothing will be cached.")));

  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (u->task_variable != NULL)
        add_warning (warnings, AR_PREFLIGHT_SCRIPT_CACHED, u->task_variable_line,
                     AR_PREFLIGHT_WARNING_CACHED_USES_TASK_VARIABLE,
                     g_strdup_printf (_ ("Uses $%s, which differs for every task and is not set when the image is built; move this line to the run preflight."),
                                      u->task_variable));
      if (u->env_variable != NULL)
        add_warning (warnings, AR_PREFLIGHT_SCRIPT_CACHED, u->env_variable_line,
                     AR_PREFLIGHT_WARNING_CACHED_USES_ENV_VAR,
                     g_strdup_printf (_ ("Uses $%s, an env var of this environment: it is not set when the image is built, and a secret would be baked into the image."),
                                      u->env_variable));
      if (u->dynamic_tmp_line != 0)
        add_warning (warnings, AR_PREFLIGHT_SCRIPT_CACHED, u->dynamic_tmp_line,
                     AR_PREFLIGHT_WARNING_CACHED_DYNAMIC_TMP,
                     g_strdup (_ ("Writes a /tmp path built from a variable: the path at build time is not the one a task sees.")));
    }
}

static void
check_run (Snapshot *s, GPtrArray *warnings)
{
  g_autoptr(GPtrArray) units = analyze (s, AR_PREFLIGHT_SCRIPT_RUN, s->run, warnings);

  if (units == NULL)
    return;

  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      /* only what the analyzer would move: an install using a task value
       * has to stay */
      if (u->category == AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL)
        add_warning (warnings, AR_PREFLIGHT_SCRIPT_RUN, u->package_line != 0 ? u->package_line : u->line,
                     AR_PREFLIGHT_WARNING_RUN_INSTALLS_PACKAGES,
                     g_strdup (_ ("Installs packages at every task start; move it to the cached preflight for faster starts.")));
    }
}

/* The shell that judges @script: bash for a bash shebang, sh without one or
 * for another POSIX shell, NULL for an interpreter sh cannot judge. */
static const char *
checker_for (const char *script)
{
  static const char *const posix[] = { "sh", "dash", "ash", "ksh", "mksh", "posh", "busybox", NULL };
  g_autofree char *first = NULL;
  g_auto(GStrv) words = NULL;
  const char *interp = NULL;

  if (!g_str_has_prefix (script, "#!"))
    return "sh";
  first = g_strndup (script + 2, strcspn (script + 2, "\r\n"));
  words = g_strsplit_set (g_strstrip (first), " \t", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *base = strrchr (words[i], '/') != NULL ? strrchr (words[i], '/') + 1 : words[i];

      if (words[i][0] == '\0')
        continue;
      if (interp == NULL && strcmp (base, "env") == 0)
        continue;
      if (words[i][0] == '-' || strchr (words[i], '=') != NULL)
        continue;
      interp = base;
      break;
    }
  if (interp == NULL)
    return "sh";
  if (strcmp (interp, "bash") == 0)
    return "bash";
  for (guint i = 0; posix[i] != NULL; i++)
    if (strcmp (interp, posix[i]) == 0)
      return "sh";
  return NULL;
}

static guint
count_lines (const char *script)
{
  guint n = 0;
  const char *p;

  for (p = script; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  if (p > script && p[-1] != '\n')
    n++;
  return MAX (n, 1);
}

/* "PATH: line 3: msg" (bash) or "PATH: 3: msg" (dash) → 3, "msg". */
static gboolean
parse_shell_line (const char *text, const char *path, guint *line, const char **message)
{
  gsize plen = strlen (path);
  const char *p = text;
  guint64 n;
  char *end = NULL;

  if (strncmp (p, path, plen) != 0 || p[plen] != ':')
    return FALSE;
  p += plen + 1;
  while (*p == ' ')
    p++;
  if (g_str_has_prefix (p, "line "))
    p += 5;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  n = g_ascii_strtoull (p, &end, 10);
  if (end == NULL || *end != ':')
    return FALSE;
  p = end + 1;
  while (*p == ' ')
    p++;
  *line = (guint) MIN (n, G_MAXUINT);
  *message = p;
  return TRUE;
}

static gboolean
write_all (int fd, const char *data, gsize len, GError **error)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not write the script to check it: %s"), g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
check_syntax (ArPreflightScriptKind kind,
              const char *script,
              GPtrArray *warnings,
              GCancellable *cancellable,
              GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *shell_path = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *err_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) message = NULL;
  const char *shell = checker_for (script);
  const char *argv[4];
  guint line = 0;
  int fd;

  if (shell == NULL)
    return TRUE;
  shell_path = g_find_program_in_path (shell);
  if (shell_path == NULL && strcmp (shell, "bash") == 0)
    {
      shell = "sh";
      shell_path = g_find_program_in_path (shell);
    }
  if (shell_path == NULL)
    {
      g_set_error (error, AR_PREFLIGHT_VALIDATOR_ERROR, AR_PREFLIGHT_VALIDATOR_ERROR_NO_SHELL,
                   _ ("No “sh” was found to check the preflight scripts; install a POSIX shell."));
      return FALSE;
    }

  /* A file, not stdin: only then do the shells report line numbers. */
  fd = g_file_open_tmp ("ar-preflight-XXXXXX.sh", &tmp_path, error);
  if (fd < 0)
    return FALSE;
  if (!write_all (fd, script, strlen (script), error))
    {
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }
  close (fd);

  argv[0] = shell_path;
  argv[1] = "-n";
  argv[2] = tmp_path;
  argv[3] = NULL;
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &local_error);
  if (proc != NULL &&
      !g_subprocess_communicate_utf8 (proc, NULL, cancellable, NULL, &err_text, &local_error))
    g_subprocess_force_exit (proc);
  g_unlink (tmp_path);

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, AR_PREFLIGHT_VALIDATOR_ERROR, AR_PREFLIGHT_VALIDATOR_ERROR_FAILED,
                     _ ("Could not run “%s -n” to check the %s: %s"), shell,
                     script_label (kind), local_error->message);
      return FALSE;
    }
  if (g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc) == 0)
    return TRUE;

  /* The first message names the line; bash adds the offending text on a
   * second one for the same line. */
  message = g_string_new (NULL);
  lines = g_strsplit (err_text != NULL ? err_text : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *msg;
      guint n;

      if (!parse_shell_line (lines[i], tmp_path, &n, &msg) || *msg == '\0')
        continue;
      if (message->len == 0)
        {
          line = n;
          g_string_append (message, msg);
        }
      else if (n == line)
        g_string_append_printf (message, ": %s", msg);
    }
  if (message->len == 0)
    {
      /* not in a form we know: show it all, without our temporary path */
      g_autofree char *all = g_strstrip (g_strdup (err_text != NULL ? err_text : ""));
      g_auto(GStrv) parts = g_strsplit (all, tmp_path, -1);
      g_autofree char *joined = g_strjoinv (script_label (kind), parts);

      g_string_append (message, joined[0] != '\0' ? joined : _ ("the shell rejected it"));
    }
  if (line > 0)
    line = MIN (line, count_lines (script));

  add_warning (warnings, kind, line, AR_PREFLIGHT_WARNING_SYNTAX_ERROR,
               g_strdup_printf (_ ("Not valid shell (%s -n): %s"), shell, message->str));
  return TRUE;
}

static int
compare_warnings (gconstpointer a, gconstpointer b)
{
  const ArPreflightWarning *wa = *(ArPreflightWarning *const *) a;
  const ArPreflightWarning *wb = *(ArPreflightWarning *const *) b;

  if (wa->script != wb->script)
    return wa->script < wb->script ? -1 : 1;
  if (wa->line != wb->line)
    return wa->line < wb->line ? -1 : 1;
  return 0;
}

static GPtrArray *
validate_snapshot (Snapshot *s, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_preflight_warning_free);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (s->mode == AR_PREFLIGHT_MODE_SINGLE)
    {
      if (s->caching)
        add_warning (warnings, AR_PREFLIGHT_SCRIPT_SINGLE, 0, AR_PREFLIGHT_WARNING_SINGLE_MODE_CACHING,
                     g_strdup (_ ("Container caching is on but the preflight mode is single: nothing is cached until the preflight is split.")));
      if (!is_blank (s->single) &&
          !check_syntax (AR_PREFLIGHT_SCRIPT_SINGLE, s->single, warnings, cancellable, error))
        return NULL;
    }
  else
    {
      check_cached (s, warnings);
      check_run (s, warnings);
      if (!is_blank (s->cached) &&
          !check_syntax (AR_PREFLIGHT_SCRIPT_CACHED, s->cached, warnings, cancellable, error))
        return NULL;
      if (!is_blank (s->run) &&
          !check_syntax (AR_PREFLIGHT_SCRIPT_RUN, s->run, warnings, cancellable, error))
        return NULL;
    }

  /* g_ptr_array_sort is not stable; the order within a line does not matter */
  g_ptr_array_sort (warnings, compare_warnings);
  return g_steal_pointer (&warnings);
}

GPtrArray *
ar_preflight_validate (ArEnvironment *env, GCancellable *cancellable, GError **error)
{
  Snapshot *s;
  GPtrArray *warnings;

  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  s = snapshot_new (env);
  warnings = validate_snapshot (s, cancellable, error);
  snapshot_free (s);
  return warnings;
}

static void
validate_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *warnings = validate_snapshot (task_data, cancellable, &error);

  if (warnings == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, warnings, (GDestroyNotify) g_ptr_array_unref);
}

void
ar_preflight_validate_async (ArEnvironment *env,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (AR_IS_ENVIRONMENT (env));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (env, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_preflight_validate_async);
  g_task_set_task_data (task, snapshot_new (env), snapshot_free);
  g_task_run_in_thread (task, validate_thread);
}

GPtrArray *
ar_preflight_validate_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_preflight_validate_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
