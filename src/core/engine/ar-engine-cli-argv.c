/* ar-engine-cli-argv.c — the command line of a CLI run: the program
 * (through flatpak-spawn inside Flatpak), its environment, the --cidfile of
 * a `run`, what a message calls the command, and the error a failed run's
 * output means
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ar-engine-private.h"

#define MAX_ENV_PIPE_BYTES 60000 /* fits a pipe buffer: written before the spawn */

/* Inside Flatpak the CLI runs on the host, where our environment does not
 * reach; flatpak-spawn's --env would put secrets in argv. So they travel as
 * NAME=VALUE lines on a forwarded fd, which this fixed script exports before
 * it execs the CLI. `export "$line"` assigns the text as is: no parsing. */
static const char env_fd_script[] =
  "while IFS= read -r ar_env; do export \"$ar_env\"; done <&3; exec 3<&-; exec \"$@\"";

/* ---- argv --------------------------------------------------------------- */

static const char *
cli_program (ArEngine *self)
{
  return self->kind == AR_ENGINE_KIND_PODMAN ? "podman" : "docker";
}

const char *
ar_engine_get_cli_argv0 (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  ar_engine_resolve (self);
  return self->in_flatpak ? "flatpak-spawn" : cli_program (self);
}

GPtrArray *
ar_engine_cli_build_argv (ArEngine *self, const char *const *args, gboolean env_fd)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  ar_engine_resolve (self);

  if (self->in_flatpak)
    {
      g_ptr_array_add (argv, g_strdup ("flatpak-spawn"));
      g_ptr_array_add (argv, g_strdup ("--host"));
      /* Not secrets: where the engine is, and plain build output. */
      if (self->kind != AR_ENGINE_KIND_PODMAN && *self->host != '\0')
        g_ptr_array_add (argv, g_strconcat ("--env=DOCKER_HOST=", self->host, NULL));
      if (self->kind == AR_ENGINE_KIND_PODMAN && *self->host != '\0')
        g_ptr_array_add (argv, g_strconcat ("--env=CONTAINER_HOST=", self->host, NULL));
      g_ptr_array_add (argv, g_strdup ("--env=BUILDKIT_PROGRESS=plain"));
      if (env_fd)
        {
          g_ptr_array_add (argv, g_strdup ("--forward-fd=3"));
          g_ptr_array_add (argv, g_strdup ("sh"));
          g_ptr_array_add (argv, g_strdup ("-c"));
          g_ptr_array_add (argv, g_strdup (env_fd_script));
          g_ptr_array_add (argv, g_strdup ("sh"));
        }
    }
  g_ptr_array_add (argv, g_strdup (cli_program (self)));
  if (self->kind == AR_ENGINE_KIND_PODMAN && *self->host != '\0')
    g_ptr_array_add (argv, g_strdup ("--remote"));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  return argv;
}

char **
ar_engine_build_argv (ArEngine *self, const char *const *args)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  return (char **) g_ptr_array_free (ar_engine_cli_build_argv (self, args, FALSE), FALSE);
}

GSubprocessLauncher *
ar_engine_cli_new_launcher (ArEngine *self, GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* The host captured at construction, so that the CLI and the API
   * socket always speak to the same engine. */
  if (self->kind == AR_ENGINE_KIND_PODMAN)
    {
      if (*self->host != '\0')
        g_subprocess_launcher_setenv (launcher, "CONTAINER_HOST", self->host, TRUE);
    }
  else if (*self->host != '\0')
    g_subprocess_launcher_setenv (launcher, "DOCKER_HOST", self->host, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "DOCKER_HOST");
  /* Build output as lines whichever builder the engine uses. */
  g_subprocess_launcher_setenv (launcher, "BUILDKIT_PROGRESS", "plain", FALSE);
  return launcher;
}

/* "docker run", "docker image inspect": what a message calls a command. */
char *
ar_engine_cli_command_label (ArEngine *self, const char *const *args)
{
  static const char *const groups[] = {
    "builder", "buildx", "container", "context", "image", "network", "system", "volume", NULL
  };
  GString *label = g_string_new (cli_program (self));

  if (args != NULL && args[0] != NULL && args[0][0] != '-')
    {
      g_string_append_printf (label, " %s", args[0]);
      if (g_strv_contains (groups, args[0]) && args[1] != NULL && args[1][0] != '-')
        g_string_append_printf (label, " %s", args[1]);
    }
  return g_string_free (label, FALSE);
}

/* ---- errors from what the CLI printed ----------------------------------- */

static gboolean
contains (const char *haystack, const char *needle)
{
  return strstr (haystack, needle) != NULL;
}

static char *
tail_sentence (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  guint n = g_strv_length (lines);

  /* The last three non-empty lines say what went wrong. */
  for (guint i = n; i > 0 && kept->len < 3; i--)
    {
      g_strstrip (lines[i - 1]);
      if (lines[i - 1][0] != '\0')
        g_ptr_array_insert (kept, 0, lines[i - 1]);
    }
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("; ", (char **) kept->pdata);
}

GError *
ar_engine_cli_error_new (ArEngine *self,
                         const char *const *args,
                         int exit_status,
                         const char *stderr_text)
{
  g_autofree char *lower = g_ascii_strdown (stderr_text != NULL ? stderr_text : "", -1);
  g_autofree char *what = NULL;
  g_autofree char *tail = NULL;

  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  ar_engine_resolve (self);

  /* Only what concerns the engine's own socket: a registry that refuses
   * a connection during a pull is not the engine being down. */
  if (contains (lower, "permission denied") &&
      (contains (lower, "while trying to connect") || contains (lower, "dial unix")))
    return ar_engine_permission_error (self);
  if (contains (lower, "cannot connect to the docker daemon") ||
      contains (lower, "is the docker daemon running") ||
      contains (lower, "cannot connect to podman") ||
      (contains (lower, "dial unix") &&
       (contains (lower, "no such file") || contains (lower, "connection refused"))))
    return ar_engine_unreachable_error (self);
  /* flatpak-spawn could not start the program on the host */
  if (self->in_flatpak && contains (lower, "failed to execute child process"))
    return ar_engine_not_found_error (self);

  what = ar_engine_cli_command_label (self, args);
  tail = tail_sentence (stderr_text);
  if (*tail == '\0')
    return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                        _ ("“%s” failed with exit status %d."), what, exit_status);
  return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                      _ ("“%s” failed with exit status %d: %s"), what, exit_status, tail);
}

/* ---- the environment and the --cidfile ----------------------------------- */

gboolean
ar_engine_env_name_steers_cli (const char *name)
{
  static const char *const exact[] = {
    "PATH", "HOME", "TMPDIR", "TMP", "TEMP", "SHELL", "USER", "LOGNAME",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REGISTRY_AUTH_FILE", "REGISTRIES_CONFIG_PATH",
    /* podman's storage, and its rootless re-exec state */
    "STORAGE_DRIVER", "STORAGE_OPTS",
    /* systemd and D-Bus, which podman talks to for cgroups and sd_notify */
    "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
    "DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS",
    /* the Go runtime both CLIs are built on */
    "GODEBUG", "GOTRACEBACK", "GOMAXPROCS", "GOGC", "GOMEMLIMIT",
    /* the flatpak-spawn wrapper is a shell */
    "ENV", "BASH_ENV", "IFS", "CDPATH",
    NULL
  };
  static const char *const prefixes[] = {
    "DOCKER_", "CONTAINER_", "CONTAINERS_", "_CONTAINERS_", "PODMAN_", "BUILDAH_", "BUILDKIT_",
    "STORAGE_", "XDG_", "LD_", "GIT_", "SSH_", "GPG_", "GNUPG", "OTEL_", "CNI_", "NETAVARK_",
    NULL
  };
  g_autofree char *upper = NULL;

  g_return_val_if_fail (name != NULL, TRUE);
  upper = g_ascii_strup (name, -1);
  if (g_strv_contains (exact, upper) || strstr (upper, "PROXY") != NULL)
    return TRUE;
  for (guint i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix (upper, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* A `run` gets a --cidfile of ours, so that the container of a stopped run
 * can be found and removed. It goes right after "run", before any option of
 * the caller: parsing the caller's options to look for --name could mistake
 * an argument of the container's command for one. */
GPtrArray *
ar_engine_cli_prepare_args (ArEngine *self,
                            const char *const *args,
                            char **cid_dir,
                            char **cidfile,
                            GError **error)
{
  GPtrArray *out = g_ptr_array_new ();
  int run_at = -1;

  if (args[0] != NULL && g_str_equal (args[0], "run"))
    run_at = 0;
  else if (args[0] != NULL && g_str_equal (args[0], "container") &&
           args[1] != NULL && g_str_equal (args[1], "run"))
    run_at = 1;

  if (run_at >= 0)
    {
      /* Inside Flatpak the host's CLI writes it: the app's cache folder is
       * the one place both see under the same path. */
      g_autofree char *base = self->in_flatpak ? g_build_filename (g_get_user_cache_dir (), "agents-runner", NULL)
                                               : g_strdup (g_get_tmp_dir ());
      g_autofree char *tmpl = g_build_filename (base, "cid-XXXXXX", NULL);

      g_mkdir_with_parents (base, 0700);
      *cid_dir = g_mkdtemp (g_steal_pointer (&tmpl));
      if (*cid_dir == NULL)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not make a temporary folder in %s: %s."), base, g_strerror (saved));
          g_ptr_array_unref (out);
          return NULL;
        }
      *cidfile = g_build_filename (*cid_dir, "cid", NULL);
    }

  for (int i = 0; args[i] != NULL; i++)
    {
      g_ptr_array_add (out, (char *) args[i]);
      if (i == run_at)
        {
          g_ptr_array_add (out, (char *) "--cidfile");
          g_ptr_array_add (out, *cidfile);
        }
    }
  g_ptr_array_add (out, NULL);
  return out;
}

gboolean
ar_engine_cli_setup_extra_env (ArEngine *self,
                               GSubprocessLauncher *launcher,
                               const char *const *extra_env,
                               GError **error)
{
  g_autoptr(GString) lines = g_string_new (NULL);
  int fds[2];

  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      const char *eq = strchr (extra_env[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || !ar_is_env_name (extra_env[i], eq - extra_env[i]))
        {
          g_set_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                       _ ("“%.*s” is not a valid environment variable name: use letters, digits and underscores."),
                       (int) (eq != NULL ? eq - extra_env[i] : (int) strlen (extra_env[i])), extra_env[i]);
          return FALSE;
        }
      name = g_strndup (extra_env[i], eq - extra_env[i]);
      /* Values for the container must not steer the CLI itself. */
      if (ar_engine_env_name_steers_cli (name))
        {
          g_set_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                       _ ("%s would change what the container engine's CLI does, so it cannot pass through the CLI's environment: pass it with an env file."),
                       name);
          return FALSE;
        }
      if (!self->in_flatpak)
        {
          g_subprocess_launcher_setenv (launcher, name, eq + 1, TRUE);
          continue;
        }
      if (strchr (eq + 1, '\n') != NULL)
        {
          g_set_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                       _ ("The value of %s has a line break, which cannot be passed to the host from Flatpak: remove it."),
                       name);
          return FALSE;
        }
      g_string_append (lines, extra_env[i]);
      g_string_append_c (lines, '\n');
    }

  if (!self->in_flatpak || lines->len == 0)
    return TRUE;

  if (lines->len > MAX_ENV_PIPE_BYTES)
    {
      g_set_error_literal (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                           _ ("The environment variables are too large to pass to the host from Flatpak: shorten them."));
      return FALSE;
    }
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  /* The whole text fits the pipe buffer, so writing first cannot block. */
  for (gsize done = 0; done < lines->len;)
    {
      gssize n = write (fds[1], lines->str + done, lines->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          close (fds[0]);
          close (fds[1]);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not pass the environment to the host: %s."), g_strerror (saved));
          return FALSE;
        }
      done += n;
    }
  close (fds[1]);
  g_subprocess_launcher_take_fd (launcher, fds[0], 3);
  return TRUE;
}
