/* test-agent.c — the agent's argv per preset (SPEC §4.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
  const char *want_twice[] = { "tool", "p", "--again", "p", "x{prompt}", NULL };
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
  g_test_add_func ("/agent/errors", test_errors);
  g_test_add_func ("/agent/split-args", test_split_args);
  g_test_add_func ("/agent/for-environment", test_for_environment);
  g_test_add_func ("/agent/config-dir", test_config_dir);
  g_test_add_func ("/agent/display-names", test_display_names);

  return g_test_run ();
}
