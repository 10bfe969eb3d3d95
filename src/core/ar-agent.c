/* ar-agent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ar-agent.h"

G_DEFINE_QUARK (ar-agent-error-quark, ar_agent_error)

static const struct {
  const char *id;
  const char *name;
} display_names[] = {
  { "codex", N_("Codex") },
  { "claude", N_("Claude Code") },
  { "copilot", N_("GitHub Copilot") },
  { "gemini", N_("Gemini") },
  { "custom", N_("Custom command") },
};

const char *
ar_agent_display_name (const char *agent)
{
  for (guint i = 0; i < G_N_ELEMENTS (display_names); i++)
    if (g_strcmp0 (agent, display_names[i].id) == 0)
      return _(display_names[i].name);
  return agent != NULL ? agent : "";
}

GStrv
ar_agent_split_args (const char *args, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char **argv = NULL;

  if (args == NULL)
    return g_new0 (char *, 1);
  /* g_shell_parse_argv() only splits and unquotes; it runs nothing. */
  if (!g_shell_parse_argv (args, NULL, &argv, &local_error))
    {
      if (g_error_matches (local_error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
        return g_new0 (char *, 1);
      g_set_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_BAD_ARGS,
                   _("The agent arguments “%s” cannot be split into words (%s): check the quotes in the environment's agent arguments."),
                   args, local_error->message);
      return NULL;
    }
  return argv;
}

static void
add_all (GPtrArray *out, const char *const *strv)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    g_ptr_array_add (out, g_strdup (strv[i]));
}

GStrv
ar_agent_build_argv (const char        *agent,
                     const char        *agent_cli_args,
                     const char *const *custom_command,
                     const char        *workdir,
                     const char        *prompt,
                     GError           **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) args = NULL;

  if (prompt == NULL)
    prompt = "";
  if (workdir == NULL || workdir[0] == '\0')
    workdir = AR_DEFAULT_CONTAINER_WORKDIR;

  if (g_strcmp0 (agent, "custom") == 0)
    {
      if (custom_command == NULL || custom_command[0] == NULL)
        {
          g_set_error_literal (error, AR_AGENT_ERROR, AR_AGENT_ERROR_NO_COMMAND,
                               _("The custom agent has no command: set one in the environment's General tab."));
          return NULL;
        }
      for (guint i = 0; custom_command[i] != NULL; i++)
        g_ptr_array_add (out, g_strdup (g_str_equal (custom_command[i], AR_AGENT_PROMPT_PLACEHOLDER)
                                        ? prompt : custom_command[i]));
      g_ptr_array_add (out, NULL);
      return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
    }

  if (!ar_environment_is_valid_agent (agent))
    {
      g_set_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_UNKNOWN_AGENT,
                   _("“%s” is not a known agent: choose codex, claude, copilot, gemini or custom."),
                   agent != NULL ? agent : "");
      return NULL;
    }
  if ((args = ar_agent_split_args (agent_cli_args, error)) == NULL)
    return NULL;

  if (g_str_equal (agent, "codex"))
    {
      const char *const head[] = { "codex", "exec", "--sandbox", "danger-full-access", NULL };

      add_all (out, head);
      add_all (out, (const char *const *) args);
      /* The end of options: a prompt starting with "-" (or naming a
       * subcommand) is the prompt, and variadic options (claude --add-dir,
       * gemini --include-directories) cannot take it. */
      g_ptr_array_add (out, g_strdup ("--"));
      g_ptr_array_add (out, g_strdup (prompt));
    }
  else if (g_str_equal (agent, "claude"))
    {
      const char *const head[] = { "claude", "--print", "--output-format", "text",
                                   "--permission-mode", "bypassPermissions", "--add-dir", workdir, NULL };

      add_all (out, head);
      add_all (out, (const char *const *) args);
      /* The end of options: a prompt starting with "-" (or naming a
       * subcommand) is the prompt, and variadic options (claude --add-dir,
       * gemini --include-directories) cannot take it. */
      g_ptr_array_add (out, g_strdup ("--"));
      g_ptr_array_add (out, g_strdup (prompt));
    }
  else if (g_str_equal (agent, "copilot"))
    {
      const char *const head[] = { "copilot", "--allow-all-tools", "--allow-all-paths",
                                   "--add-dir", workdir, NULL };

      add_all (out, head);
      add_all (out, (const char *const *) args);
      g_ptr_array_add (out, g_strdup ("-p"));
      g_ptr_array_add (out, g_strdup (prompt));
    }
  else if (g_str_equal (agent, "gemini"))
    {
      const char *const head[] = { "gemini", "--no-sandbox", "--approval-mode", "yolo",
                                   "--include-directories", workdir, NULL };

      add_all (out, head);
      add_all (out, (const char *const *) args);
      /* The end of options: a prompt starting with "-" (or naming a
       * subcommand) is the prompt, and variadic options (claude --add-dir,
       * gemini --include-directories) cannot take it. */
      g_ptr_array_add (out, g_strdup ("--"));
      g_ptr_array_add (out, g_strdup (prompt));
    }
  else
    {
      g_set_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_UNKNOWN_AGENT,
                   _("“%s” is not a known agent: choose codex, claude, copilot, gemini or custom."), agent);
      return NULL;
    }

  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

GStrv
ar_agent_build_argv_for_environment (ArEnvironment *env, const char *prompt, GError **error)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);

  return ar_agent_build_argv (ar_environment_get_agent_cli (env),
                              ar_environment_get_agent_cli_args (env),
                              ar_environment_get_custom_command (env),
                              ar_environment_get_container_workdir (env),
                              prompt, error);
}

char *
ar_agent_container_config_dir (const char *agent)
{
  if (agent == NULL || g_str_equal (agent, "custom") || !ar_environment_is_valid_agent (agent))
    return NULL;
  return g_strdup_printf ("%s/.%s", AR_AGENT_CONTAINER_HOME, agent);
}
