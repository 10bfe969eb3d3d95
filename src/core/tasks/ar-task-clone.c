/* ar-task-clone.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ar-engine.h"
#include "ar-entry-script.h"
#include "ar-paths.h"
#include "ar-task-clone.h"
#include "ar-task-runner.h"
#include "ar-util.h"

/* git asks it for the credentials a clone URL held; they come from the
 * environment, never from this text or an argv. */
static const char askpass_script[] =
  "#!/bin/sh\n"
  "# Agents Runner: the clone's credentials, from git's environment\n"
  "case \"$1\" in\n"
  "  Username*) printf '%s\\n' \"$AR_GIT_USERNAME\" ;;\n"
  "  *) printf '%s\\n' \"$AR_GIT_PASSWORD\" ;;\n"
  "esac\n";

static char *
unescape_or_copy (const char *text, gsize len)
{
  g_autofree char *raw = g_strndup (text, len);
  char *decoded = g_uri_unescape_string (raw, NULL);

  return decoded != NULL ? decoded : g_steal_pointer (&raw);
}

char *
ar_task_runner_strip_url_credentials (const char *url, char **username, char **password)
{
  const char *sep = strstr (url, "://");
  const char *authority, *at = NULL, *colon;
  gboolean ssh;
  GString *out;

  if (username != NULL)
    *username = NULL;
  if (password != NULL)
    *password = NULL;
  if (sep == NULL || sep == url)
    return g_strdup (url);
  for (const char *p = url; p < sep; p++)
    if (!(g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.'))
      return g_strdup (url);
  authority = sep + 3;
  /* as git reads it: the userinfo ends at the last "@" before the path */
  for (const char *p = authority; *p != '\0' && *p != '/'; p++)
    if (*p == '@')
      at = p;
  if (at == NULL)
    return g_strdup (url);

  colon = memchr (authority, ':', at - authority);
  ssh = g_ascii_strncasecmp (url, "ssh://", 6) == 0 || g_ascii_strncasecmp (url, "git+ssh://", 10) == 0 ||
        g_ascii_strncasecmp (url, "ssh+git://", 10) == 0;
  out = g_string_new (NULL);
  g_string_append_len (out, url, authority - url);
  /* An ssh login name is no secret (and ssh needs it); any other user is
   * often a token (https://TOKEN@host/…). */
  if (ssh)
    {
      g_string_append_len (out, authority, (colon != NULL ? colon : at) - authority);
      g_string_append_c (out, '@');
    }
  else if (username != NULL)
    *username = unescape_or_copy (authority, (colon != NULL ? colon : at) - authority);
  if (colon != NULL && password != NULL)
    *password = unescape_or_copy (colon + 1, at - colon - 1);
  g_string_append (out, at + 1);
  return g_string_free (out, FALSE);
}

char **
ar_task_runner_clone_argv (const char *target,
                           const char *workspace,
                           const char *askpass,
                           char ***env,
                           char **shown_url)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) vars = g_strv_builder_new ();
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL;

  url = ar_task_runner_strip_url_credentials (target, &username, &password);
  g_strv_builder_add (argv, "git");
  /* Never wait for a password on a terminal nobody sees. */
  g_strv_builder_add (vars, "GIT_TERMINAL_PROMPT=0");
  if (username != NULL || password != NULL)
    {
      g_autofree char *user_var = g_strconcat ("AR_GIT_USERNAME=", username != NULL ? username : "", NULL);
      g_autofree char *password_var = g_strconcat ("AR_GIT_PASSWORD=", password != NULL ? password : "", NULL);
      g_autofree char *askpass_var = g_strconcat ("GIT_ASKPASS=", askpass, NULL);

      /* The URL's credentials win over stored ones, as they did in the URL:
       * no credential helper answers before the askpass program. */
      g_strv_builder_add_many (argv, "-c", "credential.helper=", NULL);
      g_strv_builder_add_many (vars, user_var, password_var, askpass_var, NULL);
    }
  g_strv_builder_add_many (argv, "clone", "--", url, workspace, NULL);
  if (env != NULL)
    *env = g_strv_builder_end (vars);
  if (shown_url != NULL)
    *shown_url = g_steal_pointer (&url);
  return g_strv_builder_end (argv);
}

gboolean
ar_task_clone_is_github_shorthand (const char *target)
{
  g_auto(GStrv) parts = g_strsplit (target, "/", -1);
  const char *allowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";

  return g_strv_length (parts) == 2 && parts[0][0] != '\0' && parts[1][0] != '\0' &&
         strspn (parts[0], allowed) == strlen (parts[0]) && strspn (parts[1], allowed) == strlen (parts[1]) &&
         parts[0][0] != '.' && parts[0][0] != '-';
}

/* ---- the clone ----------------------------------------------------------- */

typedef struct {
  ArTaskLog *log;
  GSubprocess *proc;
  GCancellable *cancellable;
  gulong cancel_id; /* on cancellable: kills git */
  char *shown_url;
  char *askpass; /* removed when the clone ends */
  gboolean exited;
  gboolean eof;
  gboolean output_open[2];
} Clone;

static void
clone_free (Clone *clone)
{
  if (clone->cancel_id != 0)
    g_cancellable_disconnect (clone->cancellable, clone->cancel_id);
  g_clear_object (&clone->cancellable);
  if (clone->askpass != NULL)
    g_unlink (clone->askpass);
  g_free (clone->askpass);
  g_free (clone->shown_url);
  g_clear_object (&clone->log);
  g_clear_object (&clone->proc);
  g_free (clone);
}

static void
clone_maybe_done (GTask *task)
{
  Clone *clone = g_task_get_task_data (task);

  if (!clone->exited || !clone->eof)
    return;
  /* The handler holds the git process: let it go with the clone. */
  if (clone->cancel_id != 0)
    g_cancellable_disconnect (clone->cancellable, clone->cancel_id);
  clone->cancel_id = 0;
  if (!g_subprocess_get_successful (clone->proc))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _ ("git clone failed with exit status %d: check the repository “%s” and your access to it."),
                             g_subprocess_get_if_exited (clone->proc) ? g_subprocess_get_exit_status (clone->proc) : 128,
                             clone->shown_url);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
clone_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  Clone *clone = g_task_get_task_data (user_data);

  ar_task_runner_log_output_piece (clone->log, clone->output_open, stream, text, len, end);
}

static void
clone_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Clone *clone = g_task_get_task_data (task);

  ar_engine_read_pieces_finish (result, NULL);
  clone->eof = TRUE;
  clone_maybe_done (task);
}

static void
clone_waited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Clone *clone = g_task_get_task_data (task);

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  clone->exited = TRUE;
  clone_maybe_done (task);
}

static void
clone_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GSubprocess *proc = user_data;

  g_subprocess_force_exit (proc);
}

/* The askpass program, 0700 in the private run folder. */
static char *
write_askpass (const char *task_id, GError **error)
{
  g_autofree char *run_dir = ar_paths_run_dir ();
  g_autofree char *name = g_strconcat (task_id, ".askpass", NULL);
  g_autofree char *path = g_build_filename (run_dir, name, NULL);

  if (g_mkdir_with_parents (run_dir, 0700) != 0 || g_chmod (run_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not make the folder %s: %s."), run_dir, g_strerror (saved));
      return NULL;
    }
  if (!g_file_set_contents_full (path, askpass_script, -1, G_FILE_SET_CONTENTS_NONE, 0700, error))
    return NULL;
  return g_steal_pointer (&path);
}

void
ar_task_clone_async (const char *target,
                     const char *workspace,
                     const char *task_id,
                     ArTaskLog *log,
                     GCancellable *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autofree char *url = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = NULL;
  Clone *clone;

  g_task_set_source_tag (task, ar_task_clone_async);
  clone = g_new0 (Clone, 1);
  clone->log = g_object_ref (log);
  clone->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, clone, (GDestroyNotify) clone_free);

  if (ar_task_clone_is_github_shorthand (target))
    url = g_strdup_printf ("https://github.com/%s.git", target);
  else
    url = ar_expand_home (target);
  /* Never the URL itself here: it may hold credentials. */
  g_debug ("workspace: cloned from %s", ar_task_clone_is_github_shorthand (target)
                                          ? "GitHub (owner/repo shorthand)"
                                          : "the URL or path the environment names");

  g_free (ar_task_runner_strip_url_credentials (url, &username, &password));
  /* Whatever git or the server says back never shows them either. */
  ar_task_log_add_secret (log, password);
  ar_task_log_add_secret (log, username);
  if ((username != NULL || password != NULL) && (clone->askpass = write_askpass (task_id, &error)) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _ ("Could not hand the clone its credentials: %s."), error->message);
      return;
    }
  if (clone->askpass != NULL)
    g_debug ("clone credentials: through the askpass program %s and git's environment", clone->askpass);
  argv = ar_task_runner_clone_argv (url, workspace, clone->askpass, &env, &clone->shown_url);
  ar_task_log_message (log, "git/clone", AR_LOG_INFO, _ ("cloning %s into %s"), clone->shown_url, workspace);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  for (guint i = 0; env[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (env[i], strchr (env[i], '=') - env[i]);

      g_subprocess_launcher_setenv (launcher, name, strchr (env[i], '=') + 1, TRUE);
    }
  clone->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  if (clone->proc == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _ ("Could not run git to clone the workspace: %s."), error->message);
      return;
    }
  if (cancellable != NULL)
    clone->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (clone_cancelled),
                                              g_object_ref (clone->proc), g_object_unref);
  /* Both hold the task; the last of them returns it. */
  ar_engine_read_pieces_async (g_subprocess_get_stdout_pipe (clone->proc), AR_ENGINE_STREAM_STDOUT,
                               clone_piece, task, NULL, clone_read, task);
  g_subprocess_wait_async (clone->proc, NULL, clone_waited, g_steal_pointer (&task));
}

gboolean
ar_task_clone_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- inside the container (copy mode) -------------------------------------- */

/* Sourced by the entry script's ar_step in a child shell ($0: entry.sh,
 * beside this file), in the workdir. */
static const char container_clone_script[] =
  "# Agents Runner: the workspace cloned inside the container (design.md 4.2)\n"
  "__ar_clone_dir=${0%/*}\n"
  "__ar_clone_url=$(cat \"$__ar_clone_dir/" AR_ENTRY_CLONE_URL_FILE "\")\n"
  "if ! command -v git >/dev/null 2>&1; then\n"
  "  echo 'git is not in the image' >&2\n"
  "  false\n"
  "elif [ -n \"$(ls -A . 2>/dev/null)\" ]; then\n"
  "  echo \"the workdir $(pwd) is not empty: the repository cannot be cloned into it\" >&2\n"
  "  false\n"
  "elif [ -n \"${AR_GIT_USERNAME-}${AR_GIT_PASSWORD-}\" ]; then\n"
  "  # git runs the askpass program itself: an executable copy, this user's only\n"
  "  __ar_clone_askpass=$(mktemp) &&\n"
  "    cat \"$__ar_clone_dir/" AR_ENTRY_ASKPASS_FILE "\" >\"$__ar_clone_askpass\" &&\n"
  "    chmod 700 \"$__ar_clone_askpass\" &&\n"
  "    GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=$__ar_clone_askpass git -c credential.helper= clone -- \"$__ar_clone_url\" .\n"
  "  __ar_clone_status=$?\n"
  "  rm -f \"$__ar_clone_askpass\"\n"
  "  [ \"$__ar_clone_status\" -eq 0 ]\n"
  "else\n"
  "  GIT_TERMINAL_PROMPT=0 git clone -- \"$__ar_clone_url\" .\n"
  "fi\n";

gboolean
ar_task_clone_write_container_step (const char *target,
                                    const char *scratch,
                                    GStrv *vars,
                                    char **shown_url,
                                    GError **error)
{
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL;
  g_autofree char *script = g_build_filename (scratch, AR_ENTRY_CLONE_FILE, NULL);
  g_autofree char *url_file = g_build_filename (scratch, AR_ENTRY_CLONE_URL_FILE, NULL);
  g_autofree char *askpass = g_build_filename (scratch, AR_ENTRY_ASKPASS_FILE, NULL);
  g_autofree char *url_text = NULL;
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (ar_task_clone_is_github_shorthand (target))
    url = g_strdup_printf ("https://github.com/%s.git", target);
  else
    url = ar_task_runner_strip_url_credentials (target, &username, &password);
  url_text = g_strconcat (url, "\n", NULL);
  /* the scratch folder is 0700 here; inside, the files are readable by the
   * container's user, the credentials are not in them */
  if (!g_file_set_contents_full (script, container_clone_script, -1, G_FILE_SET_CONTENTS_NONE, 0644, error) ||
      !g_file_set_contents_full (url_file, url_text, -1, G_FILE_SET_CONTENTS_NONE, 0644, error) ||
      !g_file_set_contents_full (askpass, askpass_script, -1, G_FILE_SET_CONTENTS_NONE, 0644, error))
    return FALSE;
  if (username != NULL || password != NULL)
    {
      g_autofree char *user_var = g_strconcat ("AR_GIT_USERNAME=", username != NULL ? username : "", NULL);
      g_autofree char *password_var = g_strconcat ("AR_GIT_PASSWORD=", password != NULL ? password : "", NULL);

      g_strv_builder_add_many (b, user_var, password_var, NULL);
    }
  *vars = g_strv_builder_end (b);
  if (shown_url != NULL)
    *shown_url = g_steal_pointer (&url);
  return TRUE;
}
