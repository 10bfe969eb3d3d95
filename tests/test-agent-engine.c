/* test-agent-engine.c — a custom command's {prompt} on the real engine
 * (issue 12): `agents-runner run` with a prompt that holds everything a
 * shell acts on; the command prints exactly the prompt, and nothing in it
 * runs (each piece would leave a file in the mounted workspace).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-env-store.h"
#include "ar-environment.h"
#include "test-utils.h"

#define HOSTILE "it's \"quoted\" $(touch dollar) `touch tick` ; touch semi\n" \
                "second line && touch and | touch pipe $HOME * \\ '' \"\" ${1} {prompt}"

static void
assert_empty_dir (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *name;

  g_assert_no_error (error);
  if ((name = g_dir_read_name (dir)) != NULL)
    g_error ("the prompt ran: %s/%s exists", path, name);
}

static void
check_run (const char *const *command, const char *want)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autofree char *base = ar_test_engine_base_image ();
  g_autofree char *workspace = ar_test_mkdtemp ("workspace");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "run", ar_environment_get_env_id (env), "--prompt", HOSTILE, NULL };
  int status;

  ar_environment_set_name (env, "prompt as data");
  ar_environment_set_base_image (env, base);
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, workspace);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, command);
  g_object_unref (ar_test_save_env (env));

  status = ar_test_run_cli (args, NULL, &out, &err);
  if (status != 0 || strstr (out, want) == NULL)
    g_error ("run exited %d, without\n%s\nin its output:\n%s\n%s", status, want, out, err);
  assert_empty_dir (workspace);
}

static void
test_shell_script (void)
{
  /* Unquoted, in double quotes and in single quotes, in one -c script. */
  const char *command[] = { "sh", "-c", "printf '<%s>\\n' {prompt} \"{prompt}\" '{prompt}'", NULL };

  if (!ar_test_engine_ensure ())
    {
      g_test_skip (ar_test_engine_skip_reason ());
      return;
    }
  check_run (command, "<" HOSTILE ">\n<" HOSTILE ">\n<" HOSTILE ">\n");
}

static void
test_program (void)
{
  /* No shell: the text replaces {prompt} inside the argument. */
  const char *command[] = { "printf", "%s\\n", "Task: {prompt}.", NULL };

  if (!ar_test_engine_ensure ())
    {
      g_test_skip (ar_test_engine_skip_reason ());
      return;
    }
  check_run (command, "Task: " HOSTILE ".\n");
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/agent-engine/shell-script", test_shell_script);
  g_test_add_func ("/agent-engine/program", test_program);

  return g_test_run ();
}
