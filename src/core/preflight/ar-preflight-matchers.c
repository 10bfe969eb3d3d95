/* ar-preflight-matchers.c — what each rule of design.md §5.1 recognises in one
 * simple command: package installs (rule 1), downloads (2), system
 * configuration (3), static folders (4), exports (5), and the shell options
 * and plain variables that go to both parts. Which rule wins for a unit is
 * decided in ar-preflight-rules.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"

#include <string.h>

/* Interpreters a downloaded installer is piped into. */
static gboolean
is_installer_interpreter (const char *name)
{
  return ar_preflight_is_shell_name (name) ||
         (name != NULL && (strcmp (name, "python") == 0 || g_str_has_prefix (name, "python3")));
}

static gboolean
is_downloader (const char *name)
{
  return name != NULL && (strcmp (name, "curl") == 0 || strcmp (name, "wget") == 0);
}

static gboolean
is_relative_source (const char *a)
{
  return a[0] == '.' || a[0] == '~' || g_str_has_prefix (a, "file:") || ar_preflight_path_under (a, "/home");
}

/* pip install into the home folder or from the workspace cannot be baked:
 * the workspace is only mounted when a task runs. */
static gboolean
pip_is_workspace (const ArPreflightView *v, guint from)
{
  for (guint j = from; j < v->w->len; j++)
    {
      const char *a = g_ptr_array_index (v->w, j);
      const char *file = NULL;

      if (strcmp (a, "--user") == 0 || strcmp (a, "-e") == 0 || g_str_has_prefix (a, "--editable"))
        return TRUE;
      if (strcmp (a, "-r") == 0 || strcmp (a, "--requirement") == 0 ||
          strcmp (a, "-c") == 0 || strcmp (a, "--constraint") == 0)
        file = ar_preflight_view_word (v, ++j);
      else if (g_str_has_prefix (a, "--requirement="))
        file = a + strlen ("--requirement=");
      else if (g_str_has_prefix (a, "-r"))
        file = a + 2;
      else if (a[0] != '-' && is_relative_source (a))
        return TRUE;
      if (file != NULL && !g_path_is_absolute (file) && strstr (file, "://") == NULL)
        return TRUE;
      if (file != NULL && ar_preflight_path_under (file, "/home"))
        return TRUE;
    }
  return FALSE;
}

/* Rule 1. Returns what was recognised ("apt-get install") or NULL; sets
 * @workspace for an install into the workspace or the home folder. */
char *
ar_preflight_match_package (const ArPreflightView *v, gboolean *workspace)
{
  static const char *const pacman[] = { "pacman", "yay", "paru", "pikaur", NULL };
  static const char *const apt[] = { "apt-get", "apt", "aptitude", NULL };
  static const char *const apt_subs[] = {
    "install", "reinstall", "update", "upgrade", "dist-upgrade", "full-upgrade",
    "build-dep", "remove", "purge", "autoremove", "clean", "autoclean", NULL
  };
  static const char *const dnf[] = { "dnf", "yum", "microdnf", "tdnf", NULL };
  static const char *const dnf_subs[] = {
    "install", "reinstall", "update", "upgrade", "groupinstall", "makecache",
    "remove", "erase", "distro-sync", "builddep", "clean", NULL
  };
  static const char *const apk_subs[] = { "add", "update", "upgrade", "del", "cache", NULL };
  static const char *const zypper_subs[] = {
    "install", "in", "update", "up", "refresh", "ref", "dist-upgrade", "dup",
    "remove", "rm", "addrepo", "ar", NULL
  };
  static const char *const install[] = { "install", NULL };
  static const char *const npm[] = { "npm", "pnpm", "bun", NULL };
  static const char *const npm_subs[] = { "install", "i", "add", "ci", "in", NULL };
  static const char *const global[] = { "-g", "--global", "--location=global", NULL };
  static const char *const installers[] = {
    "gem", "pipx", "brew", "conda", "mamba", "micromamba", NULL
  };
  const char *name = v->name;
  const char *sub;

  if (name == NULL)
    return NULL;

  if (ar_preflight_str_in (name, pacman))
    {
      for (guint j = v->i + 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          /* -S, -Sy, -Syu, -U; not the queries -Ss, -Si, -Sl, -Sg, -Sp */
          if ((g_str_has_prefix (a, "-S") && strpbrk (a + 2, "silgpQ") == NULL) ||
              strcmp (a, "-U") == 0 || strcmp (a, "--sync") == 0 || strcmp (a, "--upgrade") == 0)
            return g_strdup_printf ("%s %s", name, a);
        }
      return NULL;
    }
  if (ar_preflight_str_in (name, apt) && (sub = ar_preflight_first_word_in (v, apt_subs)) != NULL)
    return g_strdup_printf ("%s %s", name, sub);
  if (ar_preflight_str_in (name, dnf) && (sub = ar_preflight_first_word_in (v, dnf_subs)) != NULL)
    return g_strdup_printf ("%s %s", name, sub);
  if (strcmp (name, "apk") == 0 && (sub = ar_preflight_first_word_in (v, apk_subs)) != NULL)
    return g_strdup_printf ("apk %s", sub);
  if (strcmp (name, "zypper") == 0 && (sub = ar_preflight_first_word_in (v, zypper_subs)) != NULL)
    return g_strdup_printf ("zypper %s", sub);
  if (strcmp (name, "emerge") == 0 || strcmp (name, "xbps-install") == 0 ||
      strcmp (name, "add-apt-repository") == 0)
    return g_strdup (name);
  if (strcmp (name, "dpkg") == 0 || strcmp (name, "rpm") == 0)
    {
      for (guint j = v->i + 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          if (strcmp (a, "--install") == 0 || strcmp (a, "--upgrade") == 0 ||
              (name[0] == 'r' && strcmp (a, "--import") == 0) ||
              (a[0] == '-' && a[1] != '-' && (a[1] == 'i' || (name[0] == 'r' && a[1] == 'U'))))
            return g_strdup_printf ("%s %s", name, a);
        }
      return NULL;
    }

  /* pip, pip3, python3 -m pip, uv pip */
  {
    guint at = G_MAXUINT;

    if (g_str_has_prefix (name, "pip") && strspn (name + 3, "0123456789.") == strlen (name + 3))
      at = v->i + 1;
    else if ((strcmp (name, "python") == 0 || g_str_has_prefix (name, "python3")) &&
             g_strcmp0 (ar_preflight_view_word (v, v->i + 1), "-m") == 0 &&
             g_str_has_prefix (ar_preflight_view_word (v, v->i + 2) ? ar_preflight_view_word (v, v->i + 2) : "",
                               "pip"))
      at = v->i + 3;
    else if (strcmp (name, "uv") == 0 && g_strcmp0 (ar_preflight_view_word (v, v->i + 1), "pip") == 0)
      at = v->i + 2;
    if (at != G_MAXUINT)
      {
        guint j = ar_preflight_first_positional_index (v, at);

        if (g_strcmp0 (ar_preflight_view_word (v, j), "install") != 0)
          return NULL;
        if (pip_is_workspace (v, j + 1))
          {
            *workspace = TRUE;
            return NULL;
          }
        if (at == v->i + 1)
          return g_strdup_printf ("%s install", name);
        return g_strdup_printf ("%s %s install", name, at == v->i + 3 ? "-m pip" : "pip");
      }
  }

  if (ar_preflight_str_in (name, npm))
    {
      sub = ar_preflight_view_word (v, ar_preflight_first_positional_index (v, v->i + 1));
      /* the package cache of the image, like apt-get clean */
      if (g_strcmp0 (sub, "cache") == 0 &&
          ar_preflight_has_word (v, (const char *const[]){ "clean", "--force", NULL }))
        return g_strdup_printf ("%s cache clean", name);
      if (sub == NULL || !ar_preflight_str_in (sub, npm_subs))
        return NULL;
      if (ar_preflight_has_word (v, global))
        return g_strdup_printf ("%s %s -g", name, sub);
      *workspace = TRUE;
      return NULL;
    }
  if (strcmp (name, "yarn") == 0)
    {
      sub = ar_preflight_view_word (v, ar_preflight_first_positional_index (v, v->i + 1));
      if (g_strcmp0 (sub, "global") == 0)
        return g_strdup ("yarn global add");
      if (g_strcmp0 (sub, "add") == 0 || g_strcmp0 (sub, "install") == 0)
        *workspace = TRUE;
      return NULL;
    }
  if (strcmp (name, "cargo") == 0 || strcmp (name, "go") == 0)
    {
      guint j = ar_preflight_first_positional_index (v, v->i + 1);

      if (g_strcmp0 (ar_preflight_view_word (v, j), "install") != 0)
        return NULL;
      for (j++; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          if (strcmp (a, "--path") == 0 || (a[0] != '-' && is_relative_source (a)))
            {
              *workspace = TRUE;
              return NULL;
            }
        }
      return g_strdup_printf ("%s install", name);
    }
  if (ar_preflight_str_in (name, installers) && ar_preflight_first_word_in (v, install) != NULL)
    return g_strdup_printf ("%s install", name);
  /* conda environments in a system place, and the package caches */
  if (ar_preflight_str_in (name, (const char *const[]){ "conda", "mamba", "micromamba", NULL }))
    {
      sub = ar_preflight_view_word (v, ar_preflight_first_positional_index (v, v->i + 1));
      if (g_strcmp0 (sub, "clean") == 0)
        return g_strdup_printf ("%s clean", name);
      if (g_strcmp0 (sub, "create") == 0 && ar_preflight_any_system_arg (v) != NULL)
        return g_strdup_printf ("%s create", name);
    }
  /* browsers for Playwright: with --with-deps it also installs packages */
  if (strcmp (name, "playwright") == 0 && ar_preflight_first_word_in (v, install) != NULL)
    return g_strdup ("playwright install");
  /* toolchain and version managers: what they install lives in the image */
  {
    static const char *const managers[] = { "nvm", "fnm", "volta", "pyenv", "rbenv", "asdf", "sdk", NULL };
    static const char *const manager_subs[] = { "install", "alias", NULL };
    static const char *const rustup_subs[] = { "component", "target", "toolchain", "default", NULL };

    sub = ar_preflight_view_word (v, ar_preflight_first_positional_index (v, v->i + 1));
    if (ar_preflight_str_in (name, managers) && sub != NULL && ar_preflight_str_in (sub, manager_subs))
      return g_strdup_printf ("%s %s", name, sub);
    if (strcmp (name, "rustup") == 0 && sub != NULL && ar_preflight_str_in (sub, rustup_subs))
      return g_strdup_printf ("rustup %s", sub);
  }
  /* package signing keys */
  if (strcmp (name, "apt-key") == 0 && ar_preflight_has_word (v, (const char *const[]){ "add", "adv", NULL }))
    return g_strdup ("apt-key add");
  if (strcmp (name, "nix-env") == 0 &&
      (ar_preflight_has_word (v, (const char *const[]){ "-i", "-iA", "--install", NULL })))
    return g_strdup ("nix-env -i");
  return NULL;
}

/* Where curl or wget writes, when that is a system place. */
static const char *
download_target (const ArPreflightView *v)
{
  static const char *const curl_outputs[] = { "--output", "--output-dir", NULL };
  static const char *const wget_outputs[] = { "--output-document", "--directory-prefix", NULL };

  if (g_strcmp0 (v->name, "curl") == 0)
    return ar_preflight_option_system_value (v, "o", curl_outputs);
  if (g_strcmp0 (v->name, "wget") == 0)
    return ar_preflight_option_system_value (v, "OP", wget_outputs);
  return NULL;
}

/* Where tar -C extracts, when that is a system place. */
static const char *
tar_target (const ArPreflightView *v)
{
  static const char *const directory[] = { "--directory", NULL };

  if (g_strcmp0 (v->name, "tar") != 0)
    return NULL;
  return ar_preflight_option_system_value (v, "C", directory);
}

static const char *
write_redirect_target (ArPreflightCmd *cmd)
{
  static const char *const writes[] = { ">", ">>", ">|", "&>", "&>>", "<>", NULL };

  for (guint j = 0; j < cmd->redirs->len; j++)
    {
      ArPreflightRedir *r = g_ptr_array_index (cmd->redirs, j);

      if (ar_preflight_str_in (r->op, writes) && ar_preflight_is_system_path (r->target))
        return r->target;
    }
  return NULL;
}

/* Rule 2: curl/wget into a system place, git clone into one, an installer
 * piped into a shell, an archive piped into tar -C. */
char *
ar_preflight_match_download (GPtrArray *cmds,
                             guint k,
                             const ArPreflightView *v,
                             gboolean *to_etc,
                             gboolean *installer)
{
  const char *target;

  *to_etc = FALSE;
  *installer = FALSE;
  if (v->name == NULL)
    return NULL;

  if (is_downloader (v->name))
    {
      target = download_target (v);
      if (target == NULL)
        target = write_redirect_target (v->cmd);
      if (target != NULL)
        {
          *to_etc = ar_preflight_path_under (target, "/etc");
          return g_strdup (target);
        }

      for (guint m = k + 1; m < cmds->len; m++)
        {
          ArPreflightCmd *next = g_ptr_array_index (cmds, m);
          ArPreflightView nv;

          if (next->pipeline != v->cmd->pipeline)
            break;
          ar_preflight_view_init (&nv, next);
          /* what follows it is that downloader's to judge; looking further
           * would make a long pipeline of them quadratic */
          if (nv.name != NULL && is_downloader (nv.name))
            break;
          if (is_installer_interpreter (nv.name))
            {
              *installer = TRUE;
              return g_strdup_printf ("%s | %s", v->name, nv.name);
            }
          if ((target = tar_target (&nv)) != NULL)
            return g_strdup (target);
        }
      return NULL;
    }

  if (strcmp (v->name, "git") == 0 &&
      ar_preflight_first_word_in (v, (const char *const[]){ "clone", NULL }) != NULL)
    {
      target = ar_preflight_any_system_arg (v);
      return target != NULL ? g_strdup (target) : NULL;
    }

  /* sh -c "$(curl …)", bash <(curl …) */
  if (is_installer_interpreter (v->name))
    for (guint j = v->i + 1; j < v->w->len; j++)
      {
        const char *a = g_ptr_array_index (v->w, j);

        if (strstr (a, "(curl ") != NULL || strstr (a, "(wget ") != NULL)
          {
            *installer = TRUE;
            return g_strdup_printf ("%s + %s", v->name, strstr (a, "(curl ") != NULL ? "curl" : "wget");
          }
      }
  return NULL;
}

/* Rule 3: writes, links and permissions under system places, and the
 * commands whose only job is system configuration. */
char *
ar_preflight_match_system_config (const ArPreflightView *v)
{
  static const char *const any_path[] = {
    "tee", "chmod", "chown", "chgrp", "chattr", "setfacl", "setcap", "rm", "rmdir",
    "touch", "truncate", "unlink", NULL
  };
  static const char *const copy[] = { "cp", "mv", "install", "rsync", "ln", NULL };
  static const char *const config_cmds[] = {
    "useradd", "usermod", "userdel", "groupadd", "groupmod", "adduser", "addgroup",
    "chsh", "chpasswd", "locale-gen", "localedef", "update-locale",
    "update-alternatives", "update-ca-certificates", "ldconfig", "dpkg-reconfigure",
    "fc-cache", "visudo", NULL
  };
  const char *target = write_redirect_target (v->cmd);
  const char *name = v->name;

  if (target != NULL)
    return g_strdup (target);
  if (name == NULL)
    return NULL;

  if (ar_preflight_str_in (name, any_path) && (target = ar_preflight_any_system_arg (v)) != NULL)
    return g_strdup (target);
  if (ar_preflight_str_in (name, copy))
    {
      guint count;
      const char *last = ar_preflight_last_positional (v, &count);

      target = ar_preflight_option_system_value (v, "t",
                                                 (const char *const[]){ "--target-directory", NULL });
      if (target == NULL && count >= 2 && ar_preflight_is_system_path (last))
        target = last;
      if (target == NULL && strcmp (name, "install") == 0 &&
          ar_preflight_has_word (v, (const char *const[]){ "-d", "--directory", NULL }))
        target = ar_preflight_any_system_arg (v);
      return target != NULL ? g_strdup (target) : NULL;
    }
  if (strcmp (name, "sed") == 0 || strcmp (name, "perl") == 0)
    {
      gboolean in_place = FALSE;

      for (guint j = v->i + 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          if (g_str_has_prefix (a, "--in-place") ||
              (a[0] == '-' && a[1] != '-' && strchr (a + 1, 'i') != NULL))
            in_place = TRUE;
        }
      if (in_place && (target = ar_preflight_any_system_arg (v)) != NULL)
        return g_strdup (target);
      return NULL;
    }
  if ((target = tar_target (v)) != NULL)
    return g_strdup (target);
  if (strcmp (name, "unzip") == 0 && (target = ar_preflight_option_system_value (v, "d", NULL)) != NULL)
    return g_strdup (target);
  /* gpg --dearmor -o /etc/apt/keyrings/x.gpg */
  if ((strcmp (name, "gpg") == 0 || strcmp (name, "gpg2") == 0) &&
      (target = ar_preflight_option_system_value (v, "o", (const char *const[]){ "--output", NULL })) != NULL)
    return g_strdup (target);
  if (ar_preflight_str_in (name, config_cmds))
    return g_strdup (name);
  if (strcmp (name, "systemctl") == 0 &&
      ar_preflight_has_word (v, (const char *const[]){ "enable", "disable", "mask", "set-default", NULL }))
    return g_strdup ("systemctl");
  if (strcmp (name, "git") == 0 && ar_preflight_has_word (v, (const char *const[]){ "--system", NULL }))
    return g_strdup ("git config --system");
  /* make -C /usr/local/src/x, make prefix=/usr/local install: a build for
   * a system place */
  if (strcmp (name, "make") == 0)
    {
      static const char *const prefixes[] = { "prefix=", "PREFIX=", "DESTDIR=", NULL };

      if ((target = ar_preflight_option_system_value (v, "C", (const char *const[]){ "--directory", NULL })) != NULL)
        return g_strdup_printf ("make -C %s", target);
      for (guint j = v->i + 1; j < v->w->len; j++)
        for (guint k = 0; prefixes[k] != NULL; k++)
          {
            const char *a = g_ptr_array_index (v->w, j);

            if (g_str_has_prefix (a, prefixes[k]) && ar_preflight_is_system_path (a + strlen (prefixes[k])))
              return g_strdup_printf ("make %s", a);
          }
    }
  return NULL;
}

/* Rule 4 */
char *
ar_preflight_match_static_dir (const ArPreflightView *v)
{
  const char *target;

  if (g_strcmp0 (v->name, "mkdir") != 0)
    return NULL;
  target = ar_preflight_any_system_arg (v);
  return target != NULL ? g_strdup (target) : NULL;
}

/* Rule 5: export NAME=…, declare -x NAME=… */
const char *
ar_preflight_match_export (const ArPreflightView *v, gsize *name_len)
{
  gboolean exports;
  guint j;

  if (v->name == NULL)
    return NULL;
  exports = strcmp (v->name, "export") == 0;
  if (!exports && (strcmp (v->name, "declare") == 0 || strcmp (v->name, "typeset") == 0))
    for (j = v->i + 1; j < v->w->len; j++)
      {
        const char *a = g_ptr_array_index (v->w, j);

        if (a[0] == '-' && strchr (a, 'x') != NULL)
          exports = TRUE;
      }
  if (!exports)
    return NULL;
  j = ar_preflight_first_positional_index (v, v->i + 1);
  if (j >= v->w->len)
    return NULL;
  {
    const char *a = g_ptr_array_index (v->w, j);
    const char *eq = strchr (a, '=');

    *name_len = eq != NULL ? (gsize) (eq - a) : strlen (a);
    return a;
  }
}

static gboolean
is_pure_assignment (ArPreflightCmd *cmd)
{
  if (cmd->words->len == 0 || cmd->redirs->len > 0 || cmd->heredocs != NULL)
    return FALSE;
  for (guint j = 0; j < cmd->words->len; j++)
    if (!ar_preflight_is_assignment (g_ptr_array_index (cmd->words, j)))
      return FALSE;
  return TRUE;
}

/* NAME=value, or readonly / declare / typeset / local without export */
gboolean
ar_preflight_is_variable_cmd (const ArPreflightView *v)
{
  static const char *const declares[] = { "declare", "typeset", "readonly", "local", NULL };
  gsize len;

  if (is_pure_assignment (v->cmd))
    return TRUE;
  return v->name != NULL && v->i == 0 && v->cmd->redirs->len == 0 &&
         ar_preflight_str_in (v->name, declares) && ar_preflight_match_export (v, &len) == NULL &&
         ar_preflight_first_positional_index (v, 1) < v->w->len;
}

/* set -e, set -o pipefail, shopt, umask: they shape how the rest runs. */
gboolean
ar_preflight_is_shell_option (const ArPreflightView *v)
{
  const char *arg;

  if (v->name == NULL || v->i != 0 || v->cmd->redirs->len > 0)
    return FALSE;
  if (strcmp (v->name, "shopt") == 0 || strcmp (v->name, "umask") == 0)
    return TRUE;
  if (strcmp (v->name, "set") != 0)
    return FALSE;
  arg = ar_preflight_view_word (v, 1);
  return arg != NULL && (arg[0] == '-' || arg[0] == '+') && arg[1] != '\0' && strcmp (arg, "--") != 0;
}

/* Names a command assigns in this shell (for the taint of run-only values). */
void
ar_preflight_collect_defines (const ArPreflightView *v, GPtrArray *out)
{
  static const char *const declares[] = { "export", "declare", "typeset", "readonly", "local", NULL };

  if (is_pure_assignment (v->cmd))
    {
      for (guint j = 0; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          g_ptr_array_add (out, g_strndup (a, strcspn (a, "+[=")));
        }
      return;
    }
  if (v->name == NULL || v->i != 0)
    return;
  if (ar_preflight_str_in (v->name, declares) || strcmp (v->name, "read") == 0)
    {
      gboolean read = v->name[0] == 'r' && v->name[1] == 'e' && v->name[2] == 'a';

      for (guint j = 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);
          gsize n = strcspn (a, "+[=");

          if (a[0] == '-')
            {
              /* read options that take a value */
              if (read && a[1] != '\0' && strchr ("pdnNtui", a[strlen (a) - 1]) != NULL)
                j++;
              continue;
            }
          if (ar_preflight_is_name (a, n))
            g_ptr_array_add (out, g_strndup (a, n));
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Install-script scaffolding (issue 9 item 3): what only sets the script
 * up — reading /etc/os-release, detecting the architecture or the package
 * manager, checking for root, messages, traps — has no effect on the
 * system, so both parts may run it. */

gboolean
ar_preflight_is_os_release (const char *path)
{
  static const char *const files[] = {
    "/etc/os-release", "/usr/lib/os-release", "/etc/lsb-release", NULL
  };

  return path != NULL && ar_preflight_str_in (path, files);
}

/* Redirections that only reach the terminal or nowhere: >&2, 2>&1,
 * >/dev/null, >/dev/stderr. */
static gboolean
redirects_to_terminal_only (ArPreflightCmd *cmd)
{
  static const char *const sinks[] = { "/dev/null", "/dev/stderr", "/dev/stdout", "/dev/tty", NULL };

  for (guint j = 0; j < cmd->redirs->len; j++)
    {
      ArPreflightRedir *r = g_ptr_array_index (cmd->redirs, j);

      if (strcmp (r->op, ">&") == 0 || strcmp (r->op, "<&") == 0)
        continue;
      if ((r->op[0] == '>' || r->op[0] == '&') && ar_preflight_str_in (r->target, sinks))
        continue;
      return FALSE;
    }
  return cmd->heredocs == NULL;
}

/* A command that only asks about the system: what a $(…) in a set-up line
 * may run. */
static gboolean
is_query_name (const char *name, const char *next)
{
  static const char *const queries[] = {
    "uname", "arch", "id", "whoami", "getconf", "nproc", "lsb_release", "date",
    "basename", "dirname", "command", "type", "which", "echo", "printf", "tput", NULL
  };

  if (name == NULL)
    return FALSE;
  if (ar_preflight_str_in (name, queries))
    return TRUE;
  if (strcmp (name, "dpkg") == 0 || strcmp (name, "apk") == 0)
    return g_strcmp0 (next, "--print-architecture") == 0 || g_strcmp0 (next, "--print-arch") == 0;
  if (strcmp (name, "cat") == 0 || strcmp (name, ".") == 0)
    return ar_preflight_is_os_release (next);
  return FALSE;
}

/* Every $(…) and `…` in @word runs only queries. */
static gboolean
substitutions_are_queries (const char *word)
{
  for (const char *p = word; (p = strpbrk (p, "$`")) != NULL; p++)
    {
      g_auto(GStrv) parts = NULL;
      const char *start;
      gsize n;

      if (p[0] == '$' && p[1] != '(')
        continue;
      if (p[0] == '$' && p[2] == '(') /* $((arithmetic)) */
        {
          p += 2;
          continue;
        }
      start = p[0] == '`' ? p + 1 : p + 2;
      n = strcspn (start, ")`|;&");
      {
        g_autofree char *inner = g_strndup (start, n);

        parts = g_strsplit_set (g_strstrip (inner), " \t", 3);
      }
      if (parts[0] == NULL || !is_query_name (parts[0], parts[0] != NULL ? parts[1] : NULL))
        return FALSE;
      if (p[0] == '`')
        {
          const char *end = strchr (start, '`');

          if (end == NULL)
            return FALSE;
          p = end;
        }
    }
  return TRUE;
}

/* A file test ([ -f X ]) on something that is the same in every container:
 * an absolute path outside the home folders and /tmp, or a command's path. */
static gboolean
is_fixed_test_operand (const char *a)
{
  if (g_str_has_prefix (a, "$(command -v") || g_str_has_prefix (a, "$(which"))
    return TRUE;
  return a[0] == '/' && !ar_preflight_path_under (a, "/home") && !ar_preflight_path_under (a, "/root") &&
         !ar_preflight_path_under (a, "/tmp") && strchr (a, '$') == NULL;
}

ArPreflightSetupKind
ar_preflight_match_setup (const ArPreflightView *v)
{
  static const char *const messages[] = { "echo", "printf", NULL };
  static const char *const flow[] = {
    "exit", "return", "true", "false", ":", "shift", "break", "continue", NULL
  };
  static const char *const lookups[] = { "command", "type", "which", "hash", NULL };
  static const char *const tests[] = { "[", "[[", "test", NULL };
  static const char *const queries[] = {
    "uname", "arch", "id", "whoami", "getconf", "nproc", "lsb_release", "tput", NULL
  };
  const char *name = v->name;

  /* command -v X: the view finds no command in it */
  if (name == NULL && redirects_to_terminal_only (v->cmd))
    for (guint j = 0; j + 1 < v->w->len; j++)
      if (strcmp (g_ptr_array_index (v->w, j), "command") == 0)
        return ar_preflight_str_in (g_ptr_array_index (v->w, j + 1), (const char *const[]){ "-v", "-V", NULL })
                 ? AR_PREFLIGHT_SETUP_QUERY
                 : AR_PREFLIGHT_SETUP_NONE;
  if (name == NULL || v->i >= v->w->len)
    return AR_PREFLIGHT_SETUP_NONE;
  /* ! command -v pacman */
  if (strcmp (name, "!") == 0)
    {
      ArPreflightView inner = *v;
      const char *next = ar_preflight_view_word (v, v->i + 1);

      if (next == NULL)
        return AR_PREFLIGHT_SETUP_NONE;
      inner.i = v->i + 1;
      inner.name = next;
      return ar_preflight_match_setup (&inner);
    }
  for (guint j = v->i; j < v->w->len; j++)
    if (!substitutions_are_queries (g_ptr_array_index (v->w, j)))
      return AR_PREFLIGHT_SETUP_NONE;
  if (!redirects_to_terminal_only (v->cmd))
    return AR_PREFLIGHT_SETUP_NONE;

  if (ar_preflight_str_in (name, messages))
    return AR_PREFLIGHT_SETUP_MESSAGE;
  if (strcmp (name, "trap") == 0)
    return AR_PREFLIGHT_SETUP_TRAP;
  if (strcmp (name, ".") == 0 || strcmp (name, "source") == 0)
    {
      const char *file = ar_preflight_view_word (v, v->i + 1);

      if (ar_preflight_is_os_release (file))
        return AR_PREFLIGHT_SETUP_DETECT;
      /* shell functions an install put into the image (nvm.sh, cargo's env) */
      if (file != NULL && ar_preflight_is_system_path (file) && strchr (file, '$') == NULL &&
          !g_str_has_suffix (file, "/bin/activate"))
        return AR_PREFLIGHT_SETUP_SOURCE;
      return AR_PREFLIGHT_SETUP_NONE;
    }
  if (ar_preflight_str_in (name, flow) || ar_preflight_str_in (name, lookups) ||
      ar_preflight_str_in (name, queries))
    return AR_PREFLIGHT_SETUP_QUERY;
  if ((strcmp (name, "dpkg") == 0 || strcmp (name, "apk") == 0) &&
      is_query_name (name, ar_preflight_view_word (v, v->i + 1)))
    return AR_PREFLIGHT_SETUP_QUERY;
  if (ar_preflight_str_in (name, tests))
    {
      static const char *const file_tests[] = {
        "-f", "-d", "-e", "-r", "-w", "-x", "-s", "-L", "-h", "-O", "-G", NULL
      };

      for (guint j = v->i + 1; j + 1 < v->w->len; j++)
        if (ar_preflight_str_in (g_ptr_array_index (v->w, j), file_tests) &&
            !is_fixed_test_operand (g_ptr_array_index (v->w, j + 1)))
          return AR_PREFLIGHT_SETUP_NONE;
      return AR_PREFLIGHT_SETUP_QUERY;
    }
  return AR_PREFLIGHT_SETUP_NONE;
}

/* export NAME=VALUE where VALUE has no substitution and expands nothing but
 * $PATH, $HOME and names in @constants: the same at build time and at every
 * start. NULL @constants: only $PATH and $HOME. */
gboolean
ar_preflight_is_constant_export (const ArPreflightView *v, GHashTable *constants)
{
  gsize len;
  const char *a = ar_preflight_match_export (v, &len);
  const char *value;

  if (a == NULL || a[len] != '=' || v->cmd->redirs->len > 0)
    return FALSE;
  if (ar_preflight_first_positional_index (v, v->i + 1) + 1 != v->w->len)
    return FALSE;
  value = a + len + 1;
  if (strchr (value, '`') != NULL)
    return FALSE;
  for (const char *p = strchr (value, '$'); p != NULL; p = strchr (p + 1, '$'))
    {
      const char *s = p + 1;
      gsize n;
      g_autofree char *name = NULL;

      if (*s == '{')
        s++;
      n = strspn (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
      if (n == 0)
        return FALSE;
      if (p[1] == '{' && s[n] != '}')
        return FALSE; /* ${X:-…} and other operators */
      name = g_strndup (s, n);
      if (strcmp (name, "PATH") != 0 && strcmp (name, "HOME") != 0 &&
          (constants == NULL || !g_hash_table_contains (constants, name)))
        return FALSE;
    }
  return TRUE;
}
