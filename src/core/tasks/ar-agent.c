/* ar-agent.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-agent.h"

/* clang-format off */
G_DEFINE_QUARK (ar-agent-error-quark, ar_agent_error)
/* clang-format on */

static const struct {
  const char *id;
  const char *name;
} display_names[] = {
  { "codex", N_ ("Codex") },
  { "claude", N_ ("Claude Code") },
  { "copilot", N_ ("GitHub Copilot") },
  { "gemini", N_ ("Gemini") },
  { "custom", N_ ("Custom command") },
};

const char *
ar_agent_display_name (const char *agent)
{
  for (guint i = 0; i < G_N_ELEMENTS (display_names); i++)
    if (g_strcmp0 (agent, display_names[i].id) == 0)
      return _ (display_names[i].name);
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
                   _ ("The agent arguments “%s” cannot be split into words (%s): check the quotes in the environment's agent arguments."),
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

/* ---- the custom command's {prompt} ----------------------------------------- */

#define PLACEHOLDER_LEN (sizeof AR_AGENT_PROMPT_PLACEHOLDER - 1)

gboolean
ar_agent_command_uses_prompt (const char *const *command)
{
  for (guint i = 0; command != NULL && command[i] != NULL; i++)
    if (strstr (command[i], AR_AGENT_PROMPT_PLACEHOLDER) != NULL)
      return TRUE;
  return FALSE;
}

/* Every "{prompt}" in `text` replaced by `prompt`, in one pass: a prompt
 * that itself holds "{prompt}" is not replaced again. */
static char *
replace_text (const char *text, const char *prompt)
{
  GString *out = g_string_new (NULL);
  const char *p = text;
  const char *hit;

  while ((hit = strstr (p, AR_AGENT_PROMPT_PLACEHOLDER)) != NULL)
    {
      g_string_append_len (out, p, hit - p);
      g_string_append (out, prompt);
      p = hit + PLACEHOLDER_LEN;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

static gboolean
basename_is_one_of (const char *path, const char *const *names)
{
  const char *slash = strrchr (path, '/');

  return g_strv_contains (names, slash != NULL ? slash + 1 : path);
}

/* The position of the script in `shell -c SCRIPT [NAME [ARGS…]]`, after an
 * optional `env NAME=VALUE…` or `busybox`; -1 when the command is no POSIX
 * shell running a -c script. `shell_at` is where the shell's name is. */
static int
find_shell_script (const char *const *command, guint *shell_at)
{
  static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh", NULL };
  static const char *const env[] = { "env", NULL };
  static const char *const busybox[] = { "busybox", NULL };
  gboolean dash_c = FALSE;
  guint i = 0;

  if (command[i] != NULL && basename_is_one_of (command[i], env))
    for (i++; command[i] != NULL && command[i][0] != '-' && strchr (command[i], '=') != NULL; i++)
      ;
  if (command[i] != NULL && basename_is_one_of (command[i], busybox))
    i++;
  if (command[i] == NULL || !basename_is_one_of (command[i], shells))
    return -1;
  *shell_at = i;

  /* The options: clusters of letters after - or +, where -c says the
   * first operand is the script and o/O take the next argument; "--" or
   * "-" ends them; the long ones (bash's) stand alone but for the two
   * that take a file. */
  for (i++; command[i] != NULL; i++)
    {
      const char *arg = command[i];

      if (g_str_equal (arg, "--") || g_str_equal (arg, "-"))
        {
          i++;
          break;
        }
      if (arg[0] != '-' && arg[0] != '+')
        break;
      if (arg[1] == '-')
        {
          if ((g_str_equal (arg, "--rcfile") || g_str_equal (arg, "--init-file")) && command[i + 1] != NULL)
            i++;
          continue;
        }
      for (const char *p = arg + 1; *p != '\0'; p++)
        {
          if (*p == 'c' && arg[0] == '-')
            dash_c = TRUE;
          else if ((*p == 'o' || *p == 'O') && command[i + 1] != NULL)
            i++;
        }
    }
  if (!dash_c || command[i] == NULL)
    return -1;
  return (int) i;
}

/* The script with each "{prompt}" replaced by a reference to positional
 * parameter `position`, written for the quotes around it so that it is
 * one word and nothing in its value is split or globbed:
 *   {prompt}   → "${N}"
 *   "{prompt}" → "${N}"        (inside double quotes: ${N})
 *   '{prompt}' → ''"${N}"''    (inside single quotes: close, reference, reopen)
 * The scan knows quotes, backslashes (\{prompt} stays as typed), comments,
 * and $( ) and ` ` which start over unquoted. The value of ${N} is
 * expanded by the shell, never parsed, so how well the scan guesses the
 * quotes decides only how the text reads, never what runs. */
typedef enum { UNQUOTED,
               SINGLE,
               ANSI_C,
               DOUBLE,
               COMMENT } ScanState;

typedef struct {
  ScanState outer;   /* the state to return to */
  gboolean backtick; /* ` … ` rather than $( … ) */
  guint parens;      /* ( ) open inside a $( … ) */
} ScanFrame;

static char *
replace_in_script (const char *script, guint position)
{
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (ScanFrame));
  ScanState state = UNQUOTED;
  GString *out = g_string_new (NULL);
  g_autofree char *reference = g_strdup_printf ("${%u}", position);
  const char *p = script;

  while (*p != '\0')
    {
      ScanFrame *frame = frames->len > 0 ? &g_array_index (frames, ScanFrame, frames->len - 1) : NULL;
      char c = *p;

      if (state != COMMENT && g_str_has_prefix (p, AR_AGENT_PROMPT_PLACEHOLDER))
        {
          if (state == DOUBLE)
            g_string_append (out, reference);
          else if (state == SINGLE)
            g_string_append_printf (out, "'\"%s\"'", reference);
          else if (state == ANSI_C)
            g_string_append_printf (out, "'\"%s\"$'", reference);
          else
            g_string_append_printf (out, "\"%s\"", reference);
          p += PLACEHOLDER_LEN;
          continue;
        }
      if (c == '\\' && p[1] != '\0' && state != SINGLE && state != COMMENT)
        {
          g_string_append_len (out, p, 2);
          p += 2;
          continue;
        }
      if ((state == UNQUOTED || state == DOUBLE) && (c == '`' || (c == '$' && p[1] == '(')))
        {
          if (c == '`' && frame != NULL && frame->backtick && state == UNQUOTED)
            {
              /* the end of ` … ` */
              state = frame->outer;
              g_array_set_size (frames, frames->len - 1);
              g_string_append_c (out, c);
              p++;
              continue;
            }
          g_array_append_val (frames, ((ScanFrame){ state, c == '`', 0 }));
          state = UNQUOTED;
          g_string_append_len (out, p, c == '`' ? 1 : 2);
          p += c == '`' ? 1 : 2;
          continue;
        }
      switch (state)
        {
        case UNQUOTED:
          if (c == '\'')
            state = SINGLE;
          else if (c == '"')
            state = DOUBLE;
          else if (c == '$' && p[1] == '\'')
            {
              g_string_append_len (out, p, 2);
              p += 2;
              state = ANSI_C;
              continue;
            }
          else if (c == '#' && (p == script || strchr (" \t\n;&|()<>", p[-1]) != NULL))
            state = COMMENT;
          else if (c == '(' && frame != NULL && !frame->backtick)
            frame->parens++;
          else if (c == ')' && frame != NULL && !frame->backtick)
            {
              if (frame->parens > 0)
                frame->parens--;
              else
                {
                  state = frame->outer;
                  g_array_set_size (frames, frames->len - 1);
                }
            }
          break;
        case SINGLE:
        case ANSI_C:
          if (c == '\'')
            state = UNQUOTED;
          break;
        case DOUBLE:
          if (c == '"')
            state = UNQUOTED;
          break;
        case COMMENT:
          if (c == '\n')
            state = UNQUOTED;
          break;
        default:
          break;
        }
      g_string_append_c (out, c);
      p++;
    }
  return g_string_free (out, FALSE);
}

static GStrv
build_custom (const char *const *command, const char *prompt)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  guint shell_at = 0;
  int script_at = find_shell_script (command, &shell_at);
  gboolean by_reference = script_at >= 0 && strstr (command[script_at], AR_AGENT_PROMPT_PLACEHOLDER) != NULL && !g_str_equal (command[script_at], AR_AGENT_PROMPT_PLACEHOLDER);
  guint n = g_strv_length ((char **) command);

  for (guint i = 0; i < n; i++)
    {
      if (g_str_equal (command[i], AR_AGENT_PROMPT_PLACEHOLDER))
        g_ptr_array_add (out, g_strdup (prompt));
      else if (by_reference && (int) i == script_at)
        {
          /* The arguments after the script are $0, $1…; the prompt
           * follows them (after a $0 of the shell's name when none). */
          guint after = n - (guint) script_at - 1;

          g_ptr_array_add (out, replace_in_script (command[i], MAX (after, 1)));
        }
      else
        g_ptr_array_add (out, replace_text (command[i], prompt));
    }
  if (by_reference)
    {
      if ((guint) script_at == n - 1)
        {
          const char *slash = strrchr (command[shell_at], '/');

          g_ptr_array_add (out, g_strdup (slash != NULL ? slash + 1 : command[shell_at]));
        }
      g_ptr_array_add (out, g_strdup (prompt));
    }
  g_debug ("custom command: %s", by_reference ? "the prompt as a positional parameter of the -c script" : "argv");
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

GStrv
ar_agent_build_argv (const char *agent,
                     const char *agent_cli_args,
                     const char *const *custom_command,
                     const char *workdir,
                     const char *prompt,
                     GError **error)
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
                               _ ("The custom agent has no command: set one in the environment's General tab."));
          return NULL;
        }
      return build_custom (custom_command, prompt);
    }

  if (!ar_environment_is_valid_agent (agent))
    {
      g_set_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_UNKNOWN_AGENT,
                   _ ("“%s” is not a known agent: choose codex, claude, copilot, gemini or custom."),
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
                   _ ("“%s” is not a known agent: choose codex, claude, copilot, gemini or custom."), agent);
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
