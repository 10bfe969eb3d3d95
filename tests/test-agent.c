/* test-agent.c — the agent's argv per preset (design.md §4.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-agent.h"
#include "test-utils.h"

#define WORKDIR "/home/midori-ai/workspace"
/* Everything a shell would act on: none of it may be touched. */
#define PROMPT "fix the \"bug\" in it's $(rm -rf /) `id` ; ls | cat & $HOME *"
#define ARGS "--model o3 --reasoning 'very high' \"a b\" c\\ d"

static void
assert_argv (GStrv got, const char *const *want)
{
  g_autofree char *got_text = g_strjoinv ("|", got);
  g_autofree char *want_text = g_strjoinv ("|", (char **) want);

  g_assert_cmpstr (got_text, ==, want_text);
  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length ((char **) want));
}

static void
test_codex (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ar_agent_build_argv ("codex", ARGS, NULL, WORKDIR, PROMPT, &error);
  const char *want[] = { "codex", "exec", "--sandbox", "danger-full-access",
                         "--model", "o3", "--reasoning", "very high", "a b", "c d", "--", PROMPT, NULL };

  g_assert_no_error (error);
  assert_argv (argv, want);
}

static void
test_claude (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ar_agent_build_argv ("claude", ARGS, NULL, "/work", PROMPT, &error);
  const char *want[] = { "claude", "--print", "--output-format", "text",
                         "--permission-mode", "bypassPermissions", "--add-dir", "/work",
                         "--model", "o3", "--reasoning", "very high", "a b", "c d", "--", PROMPT, NULL };

  g_assert_no_error (error);
  assert_argv (argv, want);
}

static void
test_copilot (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ar_agent_build_argv ("copilot", ARGS, NULL, WORKDIR, PROMPT, &error);
  const char *want[] = { "copilot", "--allow-all-tools", "--allow-all-paths", "--add-dir", WORKDIR,
                         "--model", "o3", "--reasoning", "very high", "a b", "c d", "-p", PROMPT, NULL };

  g_assert_no_error (error);
  assert_argv (argv, want);
}

static void
test_gemini (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ar_agent_build_argv ("gemini", ARGS, NULL, WORKDIR, PROMPT, &error);
  const char *want[] = { "gemini", "--no-sandbox", "--approval-mode", "yolo",
                         "--include-directories", WORKDIR,
                         "--model", "o3", "--reasoning", "very high", "a b", "c d", "--", PROMPT, NULL };

  g_assert_no_error (error);
  assert_argv (argv, want);
}

/* A prompt that starts with "-" follows the end of options, so no agent
 * takes it for an option; copilot's is the value of -p. */
static void
test_dash_prompt (void)
{
  const char *const agents[] = { "codex", "claude", "gemini", "copilot", NULL };
  const char *prompt = "--help me fix -v";

  for (guint i = 0; agents[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) argv = ar_agent_build_argv (agents[i], "--model o3", NULL, WORKDIR, prompt, &error);
      guint n;

      g_assert_no_error (error);
      n = g_strv_length (argv);
      g_assert_cmpuint (n, >=, 3);
      g_assert_cmpstr (argv[n - 1], ==, prompt);
      g_assert_cmpstr (argv[n - 2], ==, g_str_equal (agents[i], "copilot") ? "-p" : "--");
      /* the user's own arguments stay options, before the end of options */
      g_assert_cmpstr (argv[n - 4], ==, "--model");
    }
}

static void
test_no_args (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) blank = ar_agent_build_argv ("codex", "  \t ", NULL, WORKDIR, "hi", &error);
  g_auto(GStrv) null_args = NULL;
  g_auto(GStrv) no_workdir = NULL;
  const char *want[] = { "codex", "exec", "--sandbox", "danger-full-access", "--", "hi", NULL };
  const char *want_claude[] = { "claude", "--print", "--output-format", "text",
                                "--permission-mode", "bypassPermissions", "--add-dir", WORKDIR, "--", "", NULL };

  g_assert_no_error (error);
  assert_argv (blank, want);
  null_args = ar_agent_build_argv ("codex", NULL, NULL, WORKDIR, "hi", &error);
  g_assert_no_error (error);
  assert_argv (null_args, want);
  /* An empty workdir means the default one; a missing prompt is "". */
  no_workdir = ar_agent_build_argv ("claude", "", NULL, "", NULL, &error);
  g_assert_no_error (error);
  assert_argv (no_workdir, want_claude);
}

static void
test_custom (void)
{
  g_autoptr(GError) error = NULL;
  const char *template[] = { "sh", "-c", "echo agent ran: \"$1\"", "--", "{prompt}", NULL };
  const char *want[] = { "sh", "-c", "echo agent ran: \"$1\"", "--", PROMPT, NULL };
  const char *twice[] = { "tool", "{prompt}", "--again", "{prompt}", "x{prompt}", NULL };
  const char *want_twice[] = { "tool", "p", "--again", "p", "xp", NULL };
  const char *no_placeholder[] = { "cat", "/marker", NULL };
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) argv_twice = NULL;
  g_auto(GStrv) argv_plain = NULL;

  /* agent_cli_args do not apply: the template is the whole command. */
  argv = ar_agent_build_argv ("custom", "--ignored", template, WORKDIR, PROMPT, &error);
  g_assert_no_error (error);
  assert_argv (argv, want);

  argv_twice = ar_agent_build_argv ("custom", NULL, twice, WORKDIR, "p", &error);
  g_assert_no_error (error);
  assert_argv (argv_twice, want_twice);

  argv_plain = ar_agent_build_argv ("custom", NULL, no_placeholder, WORKDIR, "ignored", &error);
  g_assert_no_error (error);
  assert_argv (argv_plain, no_placeholder);
}

/* ---- {prompt} inside an argument (issue 12) ---------------------------------- */

static void
assert_custom (const char *const *template, const char *prompt, const char *const *want)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ar_agent_build_argv ("custom", NULL, template, WORKDIR, prompt, &error);

  g_assert_no_error (error);
  assert_argv (argv, want);
}

/* In a shell's -c script, {prompt} is a quoted reference to a positional
 * parameter that holds the prompt, written for the quotes around it. */
static void
test_custom_shell_script (void)
{
  /* The script is the last argument: $0 is the shell's name, $1 the prompt. */
  assert_custom ((const char *[]) { "sh", "-c", "echo {prompt}", NULL }, PROMPT,
                 (const char *[]) { "sh", "-c", "echo \"${1}\"", "sh", PROMPT, NULL });
  /* Inside double quotes, inside single quotes, twice, and glued to text. */
  assert_custom ((const char *[]) { "/bin/bash", "-c", "echo \"<{prompt}>\" '[{prompt}]' x{prompt}y", NULL }, "p",
                 (const char *[]) { "/bin/bash", "-c", "echo \"<${1}>\" '['\"${1}\"']' x\"${1}\"y", "bash", "p", NULL });
  /* Arguments after the script are $0, $1…: the prompt comes after them,
   * and a {prompt} among them is plain data. */
  assert_custom ((const char *[]) { "sh", "-c", "echo \"$1\" {prompt}", "--", "first", NULL }, "p",
                 (const char *[]) { "sh", "-c", "echo \"$1\" \"${2}\"", "--", "first", "p", NULL });
  assert_custom ((const char *[]) { "sh", "-c", "echo {prompt} >&2", "{prompt}", NULL }, "p",
                 (const char *[]) { "sh", "-c", "echo \"${1}\" >&2", "p", "p", NULL });
  /* Options before the script, clustered or taking a value; env and busybox in front. */
  assert_custom ((const char *[]) { "bash", "-o", "pipefail", "--login", "-ec", "run {prompt}", NULL }, "p",
                 (const char *[]) { "bash", "-o", "pipefail", "--login", "-ec", "run \"${1}\"", "bash", "p", NULL });
  assert_custom ((const char *[]) { "env", "A=b", "zsh", "-c", "run {prompt}", NULL }, "p",
                 (const char *[]) { "env", "A=b", "zsh", "-c", "run \"${1}\"", "zsh", "p", NULL });
  assert_custom ((const char *[]) { "busybox", "sh", "-c", "run {prompt}", NULL }, "p",
                 (const char *[]) { "busybox", "sh", "-c", "run \"${1}\"", "sh", "p", NULL });
  /* Ten arguments after the script: the reference needs its braces. */
  assert_custom ((const char *[]) { "sh", "-c", "{prompt}.", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL }, "p",
                 (const char *[]) { "sh", "-c", "\"${10}\".", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "p", NULL });
  /* An escaped brace and a comment are left alone. */
  assert_custom ((const char *[]) { "sh", "-c", "echo \\{prompt} # {prompt}\necho {prompt}", NULL }, "p",
                 (const char *[]) { "sh", "-c", "echo \\{prompt} # {prompt}\necho \"${1}\"", "sh", "p", NULL });
  /* Not a -c script: a shell reading a file gets the prompt as data. */
  assert_custom ((const char *[]) { "bash", "agent.sh", "--task={prompt}", NULL }, PROMPT,
                 (const char *[]) { "bash", "agent.sh", "--task=" PROMPT, NULL });
  /* design.md §2.1: an element that is exactly {prompt} is the prompt, even as the
   * script: the template asked for the prompt to be run. */
  assert_custom ((const char *[]) { "sh", "-c", "{prompt}", NULL }, "echo hi",
                 (const char *[]) { "sh", "-c", "echo hi", NULL });
}

/* Any other program gets the prompt's text in place of {prompt}, in its
 * argv, once: a prompt holding "{prompt}" is not replaced again. */
static void
test_custom_text (void)
{
  assert_custom ((const char *[]) { "my-agent", "--message=Task: {prompt}!", "{prompt}", NULL }, PROMPT,
                 (const char *[]) { "my-agent", "--message=Task: " PROMPT "!", PROMPT, NULL });
  assert_custom ((const char *[]) { "tool", "a{prompt}b{prompt}c", NULL }, "{prompt}",
                 (const char *[]) { "tool", "a{prompt}b{prompt}c", NULL });
  assert_custom ((const char *[]) { "tool", "[{prompt}]", NULL }, "",
                 (const char *[]) { "tool", "[]", NULL });
  /* fish is no POSIX shell: its -c script gets the text. */
  assert_custom ((const char *[]) { "fish", "-c", "echo {prompt}", NULL }, "p",
                 (const char *[]) { "fish", "-c", "echo p", NULL });
}

static void
test_uses_prompt (void)
{
  g_assert_true (ar_agent_command_uses_prompt ((const char *[]) { "a", "{prompt}", NULL }));
  g_assert_true (ar_agent_command_uses_prompt ((const char *[]) { "sh", "-c", "echo {prompt}", NULL }));
  g_assert_false (ar_agent_command_uses_prompt ((const char *[]) { "sh", "-c", "echo {Prompt} prompt", NULL }));
  g_assert_false (ar_agent_command_uses_prompt (NULL));
}

/* The commands run, by every POSIX shell this machine has: each prints
 * exactly the prompt, and nothing in the prompt runs (each would leave a
 * file behind in the folder the command runs in). */
#define HOSTILE "it's \"quoted\" $(touch dollar) `touch tick` ; touch semi\n" \
                "second line && touch and | touch pipe $HOME * \\ '' \"\" ${1} {prompt}"

static void
test_custom_runs (void)
{
  const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "mksh", "busybox", NULL };
  const char *const scripts[] = {
    "printf '%s\\n' {prompt}",
    "printf '%s\\n' \"{prompt}\"",
    "printf '%s\\n' '{prompt}'",
    "p={prompt}; printf '%s\\n' \"$p\"",
    "printf '%s\\n' \"$(printf '%s' {prompt})\"",
    NULL,
  };
  g_autofree char *dir = ar_test_mkdtemp ("agent-runs");
  guint ran = 0;

  for (guint i = 0; shells[i] != NULL; i++)
    {
      g_autofree char *path = g_find_program_in_path (shells[i]);

      if (path == NULL)
        continue;
      for (guint j = 0; scripts[j] != NULL; j++)
        {
          gboolean busybox = g_str_equal (shells[i], "busybox");
          const char *template[] = { path, busybox ? "sh" : "-c", busybox ? "-c" : scripts[j],
                                     busybox ? scripts[j] : NULL, NULL };
          g_autoptr(GError) error = NULL;
          g_auto(GStrv) argv = ar_agent_build_argv ("custom", NULL, template, WORKDIR, HOSTILE, &error);
          g_autofree char *out = NULL;
          g_autofree char *err = NULL;
          g_autoptr(GDir) left = NULL;
          int status = -1;

          g_assert_no_error (error);
          g_assert_true (g_spawn_sync (dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
          g_assert_no_error (error);
          g_test_message ("%s -c %s", shells[i], scripts[j]);
          g_assert_cmpstr (err, ==, "");
          g_assert_cmpint (status, ==, 0);
          g_assert_cmpstr (out, ==, HOSTILE "\n");
          left = g_dir_open (dir, 0, &error);
          g_assert_no_error (error);
          g_assert_null (g_dir_read_name (left));
          ran++;
        }
    }
  /* /bin/sh at least */
  g_assert_cmpuint (ran, >=, G_N_ELEMENTS (scripts) - 1);

  /* And a program that is no shell gets the text in its argument. */
  {
    g_autofree char *printf_path = g_find_program_in_path ("printf");
    const char *template[] = { printf_path, "%s\\n", "<{prompt}>", NULL };
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) argv = NULL;
    g_autofree char *out = NULL;
    int status = -1;

    g_assert_nonnull (printf_path);
    argv = ar_agent_build_argv ("custom", NULL, template, WORKDIR, HOSTILE, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_sync (dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (out, ==, "<" HOSTILE ">\n");
  }
  g_rmdir (dir);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  const char *empty[] = { NULL };
  g_auto(GStrv) argv = NULL;

  argv = ar_agent_build_argv ("custom", NULL, empty, WORKDIR, "p", &error);
  g_assert_null (argv);
  g_assert_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_NO_COMMAND);
  g_clear_error (&error);

  argv = ar_agent_build_argv ("custom", NULL, NULL, WORKDIR, "p", &error);
  g_assert_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_NO_COMMAND);
  g_clear_error (&error);

  argv = ar_agent_build_argv ("codex", "--model 'o3", NULL, WORKDIR, "p", &error);
  g_assert_null (argv);
  g_assert_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_BAD_ARGS);
  g_assert_nonnull (strstr (error->message, "--model 'o3"));
  g_clear_error (&error);

  argv = ar_agent_build_argv ("aider", NULL, NULL, WORKDIR, "p", &error);
  g_assert_null (argv);
  g_assert_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_UNKNOWN_AGENT);
  g_assert_nonnull (strstr (error->message, "aider"));
}

static void
test_split_args (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = ar_agent_split_args ("a 'b c' \"$HOME\" `x` $(y) d\\ e", &error);
  const char *want[] = { "a", "b c", "$HOME", "`x`", "$(y)", "d e", NULL };
  g_auto(GStrv) empty = ar_agent_split_args ("", &error);

  g_assert_no_error (error);
  /* Split like a shell would, but nothing expanded. */
  assert_argv (args, want);
  g_assert_cmpuint (g_strv_length (empty), ==, 0);
}

static void
test_for_environment (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  const char *want[] = { "gemini", "--no-sandbox", "--approval-mode", "yolo",
                         "--include-directories", "/src", "--debug", "--", "go", NULL };

  ar_environment_set_agent_cli (env, "gemini");
  ar_environment_set_agent_cli_args (env, "--debug");
  ar_environment_set_container_workdir (env, "/src");
  argv = ar_agent_build_argv_for_environment (env, "go", &error);
  g_assert_no_error (error);
  assert_argv (argv, want);
}

static void
test_config_dir (void)
{
  g_autofree char *codex = ar_agent_container_config_dir ("codex");
  g_autofree char *claude = ar_agent_container_config_dir ("claude");
  g_autofree char *custom = ar_agent_container_config_dir ("custom");

  g_assert_cmpstr (codex, ==, "/home/midori-ai/.codex");
  g_assert_cmpstr (claude, ==, "/home/midori-ai/.claude");
  g_assert_null (custom);
}

/* Issue 10 item 5: one name per agent, wherever it shows. */
static void
test_display_names (void)
{
  const char *const *agents = ar_environment_agents ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (ar_agent_display_name ("codex"), ==, "Codex");
  g_assert_cmpstr (ar_agent_display_name ("claude"), ==, "Claude Code");
  g_assert_cmpstr (ar_agent_display_name ("copilot"), ==, "GitHub Copilot");
  g_assert_cmpstr (ar_agent_display_name ("gemini"), ==, "Gemini");
  g_assert_cmpstr (ar_agent_display_name ("custom"), ==, "Custom command");
  for (guint i = 0; agents[i] != NULL; i++)
    {
      const char *name = ar_agent_display_name (agents[i]);

      g_assert_cmpstr (name, !=, agents[i]);
      g_assert_true (g_hash_table_add (seen, (gpointer) name));
    }
  g_assert_cmpstr (ar_agent_display_name ("aider"), ==, "aider");
  g_assert_cmpstr (ar_agent_display_name (NULL), ==, "");
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/agent/codex", test_codex);
  g_test_add_func ("/agent/claude", test_claude);
  g_test_add_func ("/agent/copilot", test_copilot);
  g_test_add_func ("/agent/gemini", test_gemini);
  g_test_add_func ("/agent/dash-prompt", test_dash_prompt);
  g_test_add_func ("/agent/no-args", test_no_args);
  g_test_add_func ("/agent/custom", test_custom);
  g_test_add_func ("/agent/custom-shell-script", test_custom_shell_script);
  g_test_add_func ("/agent/custom-text", test_custom_text);
  g_test_add_func ("/agent/uses-prompt", test_uses_prompt);
  g_test_add_func ("/agent/custom-runs", test_custom_runs);
  g_test_add_func ("/agent/errors", test_errors);
  g_test_add_func ("/agent/split-args", test_split_args);
  g_test_add_func ("/agent/for-environment", test_for_environment);
  g_test_add_func ("/agent/config-dir", test_config_dir);
  g_test_add_func ("/agent/display-names", test_display_names);

  return g_test_run ();
}
