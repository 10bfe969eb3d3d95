/* test-entry-script.c — the generated entry script: steps, order, shells, the agent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-entry-script.h"
#include "test-utils.h"
#include "test-entry-script-utils.h"

/* The shells an image may have as /bin/sh: dash (Debian), busybox ash
 * (the test base image, Alpine) and bash (Arch, Fedora). */
typedef struct {
  const char *name;
  const char *argv[3];
} Shell;

static const Shell shells[] = {
  { "sh", { "/bin/sh", NULL } },
  { "busybox", { "busybox", "sh", NULL } },
  { "bash", { "bash", NULL } },
};

static gboolean
shell_available (const Shell *shell)
{
  g_autofree char *path = g_find_program_in_path (shell->argv[0]);

  return path != NULL;
}

/* Runs `SHELL dir/entry.sh AGENT…` with stderr merged; returns the status. */
static int
run_entry (const Shell *shell, const char *dir, const char *const *agent, char **output)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  for (guint i = 0; shell->argv[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (shell->argv[i]));
  g_ptr_array_add (argv, g_build_filename (dir, AR_ENTRY_SCRIPT_FILE, NULL));
  for (guint i = 0; agent != NULL && agent[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (agent[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  *output = out;
  return g_subprocess_get_exit_status (proc);
}

/* `needles` appear in `text` in this order. */
static void
assert_in_order (const char *text, const char *const *needles)
{
  const char *at = text;

  for (guint i = 0; needles[i] != NULL; i++)
    {
      const char *found = strstr (at, needles[i]);

      if (found == NULL)
        g_error ("“%s” is missing (or out of order) in:\n%s", needles[i], text);
      at = found + strlen (needles[i]);
    }
}

static void
test_syntax (void)
{
  ArEntrySteps all = { TRUE, TRUE, TRUE, FALSE, TRUE, TRUE, TRUE };
  ArEntrySteps none = { 0 };
  ArEntrySteps *variants[] = { &all, &none };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autofree char *dir = make_scratch (variants[v]);
      g_autofree char *path = g_build_filename (dir, AR_ENTRY_SCRIPT_FILE, NULL);
      g_autofree char *text = ar_test_read_file (path);
      const char *argv[] = { "sh", "-n", path, NULL };
      g_autofree char *err = NULL;
      int status;

      g_assert_true (g_str_has_prefix (text, "#!/bin/sh\n"));
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                                   NULL, NULL, NULL, &err, &status, NULL));
      g_assert_cmpstr (err, ==, "");
      g_assert_true (g_spawn_check_wait_status (status, NULL));

      /* And shellcheck has nothing to say, for each shell it knows. */
      {
        g_autofree char *shellcheck = g_find_program_in_path ("shellcheck");
        const char *dialects[] = { "sh", "dash", "bash", NULL };

        if (shellcheck == NULL)
          {
            g_test_message ("no shellcheck here: not run");
            continue;
          }
        for (guint d = 0; dialects[d] != NULL; d++)
          {
            const char *check[] = { shellcheck, "-s", dialects[d], path, NULL };
            g_autofree char *report = NULL;

            g_assert_true (g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                         &report, NULL, &status, NULL));
            if (!g_spawn_check_wait_status (status, NULL))
              g_error ("shellcheck -s %s:\n%s", dialects[d], report);
          }
      }
    }
}

static void
test_order (void)
{
  ArEntrySteps steps = { .settings_preflight = TRUE, .cached_preflight = TRUE, .run_preflight = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  const char *agent[] = { "sh", "-c", "echo agent ran", NULL };
  const char *order[] = {
    AR_ENTRY_STARTED_LINE "\n",
    "[task/preflight][INFO] running Settings preflight\n", "settings ran\n",
    "[task/preflight][INFO] running cached preflight\n", "cached ran\n",
    "[task/preflight][INFO] running run preflight\n", "run ran\n",
    "agent ran\n", NULL
  };

  write_step (dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, "echo settings ran\n");
  write_step (dir, AR_ENTRY_CACHED_PREFLIGHT_FILE, "echo cached ran\n");
  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, "echo run ran");   /* no line end */

  for (guint s = 0; s < G_N_ELEMENTS (shells); s++)
    {
      g_autofree char *out = NULL;

      if (!shell_available (&shells[s]))
        continue;
      g_test_message ("shell %s", shells[s].name);
      g_assert_cmpint (run_entry (&shells[s], dir, agent, &out), ==, 0);
      /* The marker is the very first line: the runner waits for it. */
      g_assert_true (g_str_has_prefix (out, AR_ENTRY_STARTED_LINE "\n"));
      assert_in_order (out, order);
      g_assert_null (strstr (out, "WARN"));
      g_assert_null (strstr (out, "ERROR"));
    }
}

static void
test_skipped_steps (void)
{
  ArEntrySteps legacy = { .run_preflight = TRUE, .run_preflight_is_legacy = TRUE };
  ArEntrySteps nothing = { 0 };
  g_autofree char *dir = make_scratch (&legacy);
  g_autofree char *empty_dir = make_scratch (&nothing);
  const char *agent[] = { "echo", "agent ran", NULL };
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  /* A leftover file of a step that is not wanted must not run. */
  write_step (dir, AR_ENTRY_CACHED_PREFLIGHT_FILE, "echo cached must not run\n");
  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, "echo legacy ran\n");
  g_assert_cmpint (run_entry (&shells[0], dir, agent, &out), ==, 0);
  g_assert_nonnull (strstr (out, "[task/preflight][INFO] running preflight\nlegacy ran\n"));
  g_assert_null (strstr (out, "cached"));
  g_assert_null (strstr (out, "Settings"));
  g_assert_true (g_str_has_suffix (out, "agent ran\n"));

  g_assert_cmpint (run_entry (&shells[0], empty_dir, agent, &out2), ==, 0);
  g_assert_cmpstr (out2, ==, AR_ENTRY_STARTED_LINE "\nagent ran\n");
}

/* Which program ran the step: its /proc/self/exe. */
static const char exe_probe[] = "echo \"exe=$(basename \"$(readlink /proc/$$/exe)\")\"\n";

static char *
run_step_with (const char *first_line, const char *body, int *status)
{
  ArEntrySteps steps = { .run_preflight = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  g_autofree char *text = g_strconcat (first_line, body, NULL);
  const char *agent[] = { "true", NULL };
  char *out = NULL;

  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, text);
  *status = run_entry (&shells[0], dir, agent, &out);
  return out;
}

static void
test_shebang (void)
{
  g_autofree char *busybox = g_find_program_in_path ("busybox");
  g_autofree char *bash = g_find_program_in_path ("bash");
  g_autofree char *sh_exe = NULL;
  g_autofree char *out = NULL;
  int status;

  /* No #! line: /bin/sh. */
  {
    g_autofree char *real = realpath ("/bin/sh", NULL);

    g_assert_nonnull (real);
    sh_exe = g_path_get_basename (real);
  }
  out = run_step_with ("", exe_probe, &status);
  g_assert_cmpint (status, ==, 0);
  {
    g_autofree char *want = g_strconcat ("exe=", sh_exe, "\n", NULL);

    g_assert_nonnull (strstr (out, want));
  }
  g_clear_pointer (&out, g_free);

  if (bash != NULL)
    {
      /* #!/bin/bash, with a bash-only construct that dash rejects. */
      out = run_step_with ("#!/bin/bash\n", "a=(x y); echo \"second=${a[1]}\"\n" "echo \"exe=$(basename \"$(readlink /proc/$$/exe)\")\"\n", &status);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "second=y\n"));
      g_assert_nonnull (strstr (out, "exe=bash\n"));
      g_clear_pointer (&out, g_free);

      /* #!/usr/bin/env bash, and a CRLF line end on the #! line. */
      out = run_step_with ("#!/usr/bin/env bash\r\n", exe_probe, &status);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "exe=bash\n"));
      g_clear_pointer (&out, g_free);
    }
  else
    g_test_message ("no bash here: the bash cases are skipped");

  if (busybox != NULL)
    {
      g_autofree char *line = g_strdup_printf ("#!%s sh\n", busybox);

      /* An interpreter with an argument, as in the busybox base image. */
      out = run_step_with (line, exe_probe, &status);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "exe=busybox\n"));
      g_clear_pointer (&out, g_free);
    }

  /* The #! line's options apply: -e stops at the first failing command. */
  out = run_step_with ("#!/bin/sh -e\n", "echo before\nfalse\necho after\n", &status);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "before\n"));
  g_assert_null (strstr (out, "after\n"));
  g_assert_nonnull (strstr (out, "[task/preflight][ERROR] run preflight failed with exit status 1\n"));
  g_clear_pointer (&out, g_free);

  /* An interpreter the image lacks: /bin/sh, and a warning that says so. */
  out = run_step_with ("#!/opt/nowhere/zsh\n", exe_probe, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "[task/preflight][WARN] interpreter /opt/nowhere/zsh not found"));
  g_assert_nonnull (strstr (out, sh_exe));
  g_clear_pointer (&out, g_free);

  out = run_step_with ("#!/usr/bin/env no-such-shell-here\n", exe_probe, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "[task/preflight][WARN] interpreter no-such-shell-here not found"));
  g_clear_pointer (&out, g_free);

  /* A bare "#!" is no interpreter: /bin/sh. */
  out = run_step_with ("#!\n", exe_probe, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, sh_exe));
}

static void
test_failure_stops (void)
{
  ArEntrySteps steps = { .settings_preflight = TRUE, .cached_preflight = TRUE, .run_preflight = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  const char *agent[] = { "sh", "-c", "echo agent ran", NULL };

  write_step (dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, "echo settings ran\n");
  write_step (dir, AR_ENTRY_CACHED_PREFLIGHT_FILE, "echo cached output\nexit 3\n");
  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, "echo run ran\n");

  for (guint s = 0; s < G_N_ELEMENTS (shells); s++)
    {
      g_autofree char *out = NULL;
      const char *order[] = { "settings ran\n", "cached output\n",
                              "[task/preflight][ERROR] cached preflight failed with exit status 3\n", NULL };

      if (!shell_available (&shells[s]))
        continue;
      g_assert_cmpint (run_entry (&shells[s], dir, agent, &out), ==, 3);
      assert_in_order (out, order);
      g_assert_null (strstr (out, "run ran"));
      g_assert_null (strstr (out, "agent ran"));
      g_assert_true (g_str_has_suffix (out, "exit status 3\n"));
    }
}

static void
test_syntax_error_named (void)
{
  ArEntrySteps steps = { .settings_preflight = TRUE, .run_preflight = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  const char *agent[] = { "echo", "agent ran", NULL };
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  int status;

  write_step (dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, "echo settings ran\n");
  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, "if then fi (\n");
  status = run_entry (&shells[0], dir, agent, &out);
  g_assert_cmpint (status, !=, 0);
  {
    g_autofree char *line = g_strdup_printf ("[task/preflight][ERROR] run preflight failed with exit status %d\n",
                                             status);

    g_assert_nonnull (strstr (out, line));
  }
  g_assert_null (strstr (out, "agent ran"));

  /* The Settings preflight is named too. */
  write_step (dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, "exit 42\n");
  g_assert_cmpint (run_entry (&shells[0], dir, agent, &out2), ==, 42);
  g_assert_nonnull (strstr (out2, "[task/preflight][ERROR] Settings preflight failed with exit status 42\n"));
}

static void
test_argv_verbatim (void)
{
  ArEntrySteps steps = { .run_preflight = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  g_autofree char *marker = g_build_filename (dir, "pwned", NULL);
  g_autofree char *subst = g_strdup_printf ("$(touch %s)", marker);
  g_autofree char *backticks = g_strdup_printf ("`touch %s`", marker);
  const char *printer = "for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done";
  const char *args[] = {
    "a prompt with  two spaces", "it's \"quoted\"", subst, backticks, "$HOME", "${PATH}",
    "a;b|c&d>e", "", "*", "-e", "line one\nline two", "\\back\\slash", NULL
  };
  g_autoptr(GPtrArray) agent = g_ptr_array_new ();
  g_autoptr(GString) want = g_string_new (NULL);

  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, "echo run ran\n");
  g_ptr_array_add (agent, (char *) "sh");
  g_ptr_array_add (agent, (char *) "-c");
  g_ptr_array_add (agent, (char *) printer);
  g_ptr_array_add (agent, (char *) "agent");
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_ptr_array_add (agent, (char *) args[i]);
      g_string_append_printf (want, "<%s>\n", args[i]);
    }
  g_ptr_array_add (agent, NULL);

  for (guint s = 0; s < G_N_ELEMENTS (shells); s++)
    {
      g_autofree char *out = NULL;

      if (!shell_available (&shells[s]))
        continue;
      g_assert_cmpint (run_entry (&shells[s], dir, (const char *const *) agent->pdata, &out), ==, 0);
      g_assert_true (g_str_has_suffix (out, want->str));
      g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
    }
}

static void
test_agent_exit_status (void)
{
  ArEntrySteps steps = { 0 };
  g_autofree char *dir = make_scratch (&steps);
  const char *agent[] = { "sh", "-c", "exit 7", NULL };
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  /* exec: the agent's status is the script's. */
  g_assert_cmpint (run_entry (&shells[0], dir, agent, &out), ==, 7);
  /* No agent at all is an error, not a silent success. */
  g_assert_cmpint (run_entry (&shells[0], dir, NULL, &out2), ==, 127);
  g_assert_nonnull (strstr (out2, "[task/agent][ERROR] no agent command was given"));
}

static void
test_desktop (void)
{
  ArEntrySteps steps = { .run_preflight = TRUE, .desktop_install = TRUE, .desktop_start = TRUE };
  ArEntrySteps baked = { .desktop_start = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  g_autofree char *baked_dir = make_scratch (&baked);
  const char *agent[] = { "sh", "-c", "echo \"agent DISPLAY=${DISPLAY-unset}\"", NULL };
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  const char *order[] = {
    "run ran\n",
    "[desktop/install][INFO] running desktop install\n", "installed\n",
    "[desktop/start][INFO] running desktop start\n", "started\n",
    AR_ENTRY_DESKTOP_STARTED_LINE "\n",
    "agent DISPLAY=:1\n", NULL
  };

  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, "echo run ran\n");
  write_step (dir, AR_ENTRY_DESKTOP_INSTALL_FILE, "#!/bin/sh\necho installed\n");
  write_step (dir, AR_ENTRY_DESKTOP_START_FILE, "#!/bin/sh\necho started\n");
  g_assert_cmpint (run_entry (&shells[0], dir, agent, &out), ==, 0);
  assert_in_order (out, order);

  /* A desktop that fails is a warning: the agent runs, without DISPLAY. */
  write_step (dir, AR_ENTRY_DESKTOP_INSTALL_FILE, "#!/bin/sh\necho no package manager >&2\nexit 1\n");
  g_assert_cmpint (run_entry (&shells[0], dir, agent, &out2), ==, 0);
  g_assert_nonnull (strstr (out2, "[desktop/install][WARN] desktop install failed with exit status 1; the task goes on without it\n"));
  g_assert_null (strstr (out2, "running desktop start"));
  g_assert_null (strstr (out2, AR_ENTRY_DESKTOP_STARTED_LINE));
  g_assert_nonnull (strstr (out2, "agent DISPLAY=unset\n"));

  /* Baked desktop: only the start. */
  write_step (baked_dir, AR_ENTRY_DESKTOP_START_FILE, "echo started\nexit 5\n");
  g_assert_cmpint (run_entry (&shells[0], baked_dir, agent, &out3), ==, 0);
  g_assert_null (strstr (out3, "desktop install"));
  g_assert_nonnull (strstr (out3, "[desktop/start][WARN] desktop start failed with exit status 5"));
  /* the runner offers no desktop that did not start */
  g_assert_null (strstr (out3, AR_ENTRY_DESKTOP_STARTED_LINE));
  g_assert_nonnull (strstr (out3, "agent DISPLAY=unset\n"));
}

static void
test_enter_workdir (void)
{
  ArEntrySteps steps = { .enter_workdir = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  g_autofree char *workdir = g_build_filename (dir, "made", "by the script", NULL);
  g_autofree char *blocked = g_build_filename (dir, AR_ENTRY_SCRIPT_FILE, "sub", NULL);
  g_autofree char *want = g_strconcat (workdir, "\n", NULL);
  const char *agent[] = { "pwd", NULL };
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  g_setenv ("AGENTS_RUNNER_WORKDIR", workdir, TRUE);
  g_assert_cmpint (run_entry (&shells[0], dir, agent, &out), ==, 0);
  g_assert_true (g_str_has_suffix (out, want));
  g_assert_true (g_file_test (workdir, G_FILE_TEST_IS_DIR));

  /* One that cannot be made: a warning, and the agent still runs. */
  g_setenv ("AGENTS_RUNNER_WORKDIR", blocked, TRUE);
  g_assert_cmpint (run_entry (&shells[0], dir, agent, &out2), ==, 0);
  g_assert_nonnull (strstr (out2, "[task/container][WARN] cannot make or enter"));
  g_unsetenv ("AGENTS_RUNNER_WORKDIR");
}

static void
test_no_user_data (void)
{
  ArEntrySteps all = { TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE };
  g_autofree char *text = ar_entry_script_generate (&all);

  /* The names in the log are the documented ones. */
  g_assert_cmpstr (ar_entry_step_name_settings (), ==, "Settings preflight");
  g_assert_cmpstr (ar_entry_step_name_cached (), ==, "cached preflight");
  g_assert_cmpstr (ar_entry_step_name_run (FALSE), ==, "run preflight");
  g_assert_cmpstr (ar_entry_step_name_run (TRUE), ==, "preflight");
  /* It ends in exec "$@" and evaluates nothing it is given. */
  g_assert_true (g_str_has_suffix (text, "exec \"$@\"\n"));
  g_assert_null (strstr (text, "eval "));
}

/* What a step exports reaches the later steps and the agent, as it would
 * in one script, whatever the shell; values keep quotes and blanks. */
static void
test_exports_reach_agent (void)
{
  ArEntrySteps steps = { .settings_preflight = TRUE, .cached_preflight = TRUE, .run_preflight = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  const char *agent[] = { "sh", "-c", "echo \"agent: A=$AR_A B=$AR_B C=$AR_C P=$PATH\"", NULL };

  write_step (dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, "export AR_A=\"it's a b\"\n");
  write_step (dir, AR_ENTRY_CACHED_PREFLIGHT_FILE, "#!/bin/sh -e\necho \"cached sees A=$AR_A\"\nexport AR_B=two\nexit 0\n");
  write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, "export PATH=\"/opt/tool/bin:$PATH\"\nAR_C=not-exported\n");

  for (guint s = 0; s < G_N_ELEMENTS (shells); s++)
    {
      g_autofree char *out = NULL;

      if (!shell_available (&shells[s]))
        continue;
      g_test_message ("shell %s", shells[s].name);
      g_assert_cmpint (run_entry (&shells[s], dir, agent, &out), ==, 0);
      g_assert_nonnull (strstr (out, "cached sees A=it's a b\n"));
      g_assert_nonnull (strstr (out, "agent: A=it's a b B=two C= P=/opt/tool/bin:"));
    }
}

/* The marker lines as a batch task's output has them (whole lines), and
 * as a terminal shows them: with escapes, after keys it echoed. */
static void
test_marker_lines (void)
{
  const char *marker = AR_ENTRY_DESKTOP_STARTED_LINE;
  const char *echoed = "abc" AR_ENTRY_DESKTOP_STARTED_LINE;
  const char *coloured = "\033[0m" AR_ENTRY_DESKTOP_STARTED_LINE "\033[K";
  const char *other = AR_ENTRY_DESKTOP_STARTED_LINE " and more";
  const char *with_return = AR_ENTRY_DESKTOP_STARTED_LINE "\r";

  g_assert_true (ar_entry_script_is_line (marker, strlen (marker), marker));
  g_assert_false (ar_entry_script_is_line (echoed, strlen (echoed), marker));
  g_assert_false (ar_entry_script_is_line (marker, strlen (marker) - 1, marker));

  g_assert_true (ar_entry_script_is_terminal_line (marker, strlen (marker), marker));
  g_assert_true (ar_entry_script_is_terminal_line (echoed, strlen (echoed), marker));
  g_assert_true (ar_entry_script_is_terminal_line (coloured, strlen (coloured), marker));
  g_assert_true (ar_entry_script_is_terminal_line (with_return, strlen (with_return), marker));
  g_assert_false (ar_entry_script_is_terminal_line (other, strlen (other), marker));
  g_assert_false (ar_entry_script_is_terminal_line (marker, strlen (marker) - 1, marker));
  g_assert_false (ar_entry_script_is_terminal_line ("", 0, marker));
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/entry-script/syntax", test_syntax);
  g_test_add_func ("/entry-script/order", test_order);
  g_test_add_func ("/entry-script/skipped-steps", test_skipped_steps);
  g_test_add_func ("/entry-script/shebang", test_shebang);
  g_test_add_func ("/entry-script/failure-stops", test_failure_stops);
  g_test_add_func ("/entry-script/syntax-error-named", test_syntax_error_named);
  g_test_add_func ("/entry-script/argv-verbatim", test_argv_verbatim);
  g_test_add_func ("/entry-script/agent-exit-status", test_agent_exit_status);
  g_test_add_func ("/entry-script/desktop", test_desktop);
  g_test_add_func ("/entry-script/marker-lines", test_marker_lines);
  g_test_add_func ("/entry-script/enter-workdir", test_enter_workdir);
  g_test_add_func ("/entry-script/no-user-data", test_no_user_data);
  g_test_add_func ("/entry-script/exports-reach-agent", test_exports_reach_agent);

  return g_test_run ();
}
