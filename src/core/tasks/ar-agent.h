/* ar-agent.h — the agent's command line in the container (design.md §4.2)
 *
 * Presets for codex, claude, copilot and gemini, and the `custom` template.
 * The result is an argv: it reaches the container as separate arguments and
 * no shell ever parses it, so the prompt arrives exactly as typed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ar-environment.h"

G_BEGIN_DECLS

#define AR_AGENT_ERROR (ar_agent_error_quark ())
GQuark ar_agent_error_quark (void);

typedef enum {
  AR_AGENT_ERROR_UNKNOWN_AGENT, /* not codex, claude, copilot, gemini or custom */
  AR_AGENT_ERROR_BAD_ARGS,      /* agent_cli_args do not split (unmatched quote) */
  AR_AGENT_ERROR_NO_COMMAND,    /* custom with an empty template */
} ArAgentError;

/* What the prompt replaces in a custom template (see below). */
#define AR_AGENT_PROMPT_PLACEHOLDER "{prompt}"
/* Where agents keep their config in the container: /home/midori-ai/.<agent> */
#define AR_AGENT_CONTAINER_HOME "/home/midori-ai"

/* The argv for `agent`:
 *   codex   codex exec --sandbox danger-full-access ARGS -- PROMPT
 *   claude  claude --print --output-format text --permission-mode bypassPermissions
 *           --add-dir WORKDIR ARGS -- PROMPT
 *   copilot copilot --allow-all-tools --allow-all-paths --add-dir WORKDIR ARGS -p PROMPT
 *   gemini  gemini --no-sandbox --approval-mode yolo --include-directories WORKDIR ARGS -- PROMPT
 * "--" ends the options (clap, commander and yargs all honour it), so a
 * prompt starting with "-" reaches the agent as the prompt; copilot's -p
 * takes the next argument as its value whatever it starts with.
 *   custom  the template (the whole command: ARGS do not apply), its
 *           "{prompt}"s replaced, the prompt always as data (see below)
 * ARGS is agent_cli_args split like a shell would (quotes, backslashes), but
 * nothing in it is expanded or run. */
GStrv ar_agent_build_argv (const char *agent,
                           const char *agent_cli_args,
                           const char *const *custom_command,
                           const char *workdir,
                           const char *prompt,
                           GError **error);

/* {prompt} in a custom command (docs/user-guide.md, "Custom command"):
 * - an element that is exactly "{prompt}" becomes the prompt, one argument
 *   (design.md §2.1), wherever it stands;
 * - in the script of a POSIX shell run with -c (sh, bash, dash, zsh, ksh,
 *   mksh, ash, yash, posh; by path, after `env NAME=VALUE…` or `busybox`),
 *   each "{prompt}" becomes a quoted reference to a positional parameter,
 *   "${N}", and the prompt is appended as that parameter (after a $0 of
 *   the shell's name when the script is the last argument): the shell
 *   expands it and never parses it;
 * - in any other element, "{prompt}" inside the text is replaced by the
 *   prompt's text: the program receives it as data in its argv.
 * So the prompt is parsed as shell code only where the template says so:
 * `sh -c {prompt}` (the prompt is the script), or a script that hands
 * "${N}" to a shell again (eval, a nested sh -c "…"). */
gboolean ar_agent_command_uses_prompt (const char *const *command);

/* The same from an environment's fields. */
GStrv ar_agent_build_argv_for_environment (ArEnvironment *env,
                                           const char *prompt,
                                           GError **error);

/* agent_cli_args as an argv (empty for blank text). */
GStrv ar_agent_split_args (const char *args, GError **error);

/* The name a user reads, the same wherever it shows: "Codex", "Claude
 * Code", "GitHub Copilot", "Gemini", "Custom command" (translated); an
 * unknown agent reads as itself. */
const char *ar_agent_display_name (const char *agent);

/* "/home/midori-ai/.codex"…; NULL for custom (no config folder). */
char *ar_agent_container_config_dir (const char *agent);

G_END_DECLS
