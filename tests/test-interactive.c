/* test-interactive.c — interactive tasks on the real engine: the command
 * per agent, a typed line and the exit status, the terminal's size
 * following, the record (ANSI kept in terminal.log, stripped in task.log,
 * secrets redacted), and `run --interactive` driven through a
 * pseudo-terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ar-agent.h"
#include "ar-entry-script.h"
#include "ar-env-store.h"
#include "ar-interactive.h"
#include "ar-task-manager.h"
#include "test-pty.h"
#include "test-utils.h"

/* A task's whole run, its first output included: at a load average of 13
 * (the engine suite beside the field, auto-split and sanitizer jobs in
 * tools/test) /interactive/resize once saw none in 60 s, and passed alone. */
#define TASK_SECONDS 180

static char *base_image;
static ArEngine *engine;
static ArImageBuilder *builder;

static gboolean
need_engine (void)
{
  if (!ar_test_engine_need ())
    return FALSE;
  if (builder == NULL)
    {
      base_image = ar_test_engine_base_image ();
      engine = ar_engine_new ("docker", "");
      builder = ar_image_builder_new (engine);
    }
  return TRUE;
}

static ArSettings *
new_settings (void)
{
  ArSettings *settings = ar_settings_new_default ();

  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (base_image);
  g_free (settings->engine);
  settings->engine = g_strdup ("docker");
  settings->build_timeout = 60;
  return settings;
}

static ArEnvironment *
new_env (const char *const *command)
{
  ArEnvironment *env = ar_environment_new_with_id ();

  ar_environment_set_name (env, ar_environment_get_env_id (env));
  ar_environment_set_base_image (env, base_image);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, command);
  return env;
}

/* ---- the title ---------------------------------------------------------------- */

/* The Tasks list and the task view name an interactive task without a
 * first message for what it is, not "No prompt". */
static void
test_title (void)
{
  const char *command[] = { "sh", NULL };
  g_autoptr(ArEnvironment) env = new_env (command);
  g_autoptr(ArTask) session = ar_interactive_new_task (env, NULL);
  g_autoptr(ArTask) blank = ar_interactive_new_task (env, " \n");
  g_autoptr(ArTask) with_prompt = ar_interactive_new_task (env, "fix the build\nthen the docs");
  g_autoptr(ArTask) batch = ar_task_new ("e", "E", "", AR_TASK_KIND_TASK);
  g_autoptr(ArTask) preflight = ar_task_new ("e", "E", "", AR_TASK_KIND_PREFLIGHT_TEST);
  g_autofree char *session_title = ar_task_dup_title (session);
  g_autofree char *blank_title = ar_task_dup_title (blank);
  g_autofree char *prompt_title = ar_task_dup_title (with_prompt);
  g_autofree char *batch_title = ar_task_dup_title (batch);
  g_autofree char *preflight_title = ar_task_dup_title (preflight);

  g_assert_cmpstr (session_title, ==, "Interactive session");
  g_assert_cmpstr (blank_title, ==, "Interactive session");
  g_assert_cmpstr (prompt_title, ==, "fix the build");
  g_assert_cmpstr (batch_title, ==, "No prompt");
  g_assert_cmpstr (preflight_title, ==, "Preflight test");
}

/* ---- the command per agent ------------------------------------------------- */

static void
test_argv (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  struct { const char *agent; const char *prompt; const char *expected; } cases[] = {
    { "codex", "", "codex --sandbox danger-full-access --model o3" },
    { "codex", "-fix it", "codex --sandbox danger-full-access --model o3 -- -fix it" },
    { "claude", "hi", "claude --permission-mode bypassPermissions --add-dir /w --model o3 -- hi" },
    { "copilot", "hi", "copilot --allow-all-tools --allow-all-paths --add-dir /w --model o3 -i hi" },
    { "gemini", "", "gemini --no-sandbox --approval-mode yolo --include-directories /w --model o3" },
  };

  ar_environment_set_container_workdir (env, "/w");
  ar_environment_set_agent_cli_args (env, "--model o3");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) argv = NULL;
      g_autofree char *joined = NULL;

      ar_environment_set_agent_cli (env, cases[i].agent);
      argv = ar_interactive_build_argv (env, AR_INTERACTIVE_AGENT, cases[i].prompt, &error);
      g_assert_no_error (error);
      joined = g_strjoinv (" ", argv);
      g_assert_cmpstr (joined, ==, cases[i].expected);
      /* no batch flags: the agent's own interface */
      g_assert_false (g_strv_contains ((const char *const *) argv, "exec"));
      g_assert_false (g_strv_contains ((const char *const *) argv, "--print"));
      g_assert_false (g_strv_contains ((const char *const *) argv, "-p"));
    }

  /* custom: the template as for a batch task, {prompt} included */
  {
    const char *command[] = { "tool", "--ask", "{prompt}", NULL };
    g_auto(GStrv) argv = NULL;
    g_autofree char *joined = NULL;

    ar_environment_set_agent_cli (env, "custom");
    ar_environment_set_custom_command (env, command);
    argv = ar_interactive_build_argv (env, AR_INTERACTIVE_AGENT, "a b", NULL);
    g_assert_cmpuint (g_strv_length (argv), ==, 3);
    g_assert_cmpstr (argv[2], ==, "a b");
    /* the shell choice ignores the agent */
    g_clear_pointer (&argv, g_strfreev);
    argv = ar_interactive_build_argv (env, AR_INTERACTIVE_SHELL, "ignored", NULL);
    g_assert_cmpstr (argv[0], ==, "/bin/sh");
    joined = g_strjoinv (" ", argv);
    g_assert_null (strstr (joined, "ignored"));
  }

  /* an empty custom command is refused before any engine work */
  {
    g_autoptr(GError) error = NULL;
    g_auto(GStrv) argv = NULL;

    ar_environment_set_custom_command (env, NULL);
    argv = ar_interactive_build_argv (env, AR_INTERACTIVE_AGENT, "", &error);
    g_assert_null (argv);
    g_assert_error (error, AR_AGENT_ERROR, AR_AGENT_ERROR_NO_COMMAND);
  }
}

/* ---- running one ------------------------------------------------------------- */

typedef struct {
  ArInteractive *interactive;
  GString *output;
  gboolean done;
  ArTaskState state;
  const char *type_after;   /* when the output holds this… */
  const char *typed;        /* …this is typed */
  gboolean has_typed;
} Run;

static void
on_output (ArInteractive *interactive, GBytes *bytes, gpointer user_data)
{
  Run *run = user_data;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  g_string_append_len (run->output, data, (gssize) len);
  if (!run->has_typed && run->type_after != NULL && strstr (run->output->str, run->type_after) != NULL)
    {
      run->has_typed = TRUE;
      ar_interactive_write (interactive, run->typed, strlen (run->typed));
    }
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;

  run->state = ar_interactive_run_finish (AR_INTERACTIVE (source), result);
  run->done = TRUE;
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
run_to_end (Run *run)
{
  gint64 deadline = g_get_monotonic_time () + TASK_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, wake, NULL);

  g_signal_connect (run->interactive, "output", G_CALLBACK (on_output), run);
  ar_interactive_run_async (run->interactive, NULL, run_done, run);
  while (!run->done)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the interactive task did not end within %d s; output so far: %s", TASK_SECONDS,
                 run->output->str);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static char *
task_file (ArTask *task, const char *name)
{
  g_autofree char *dir = ar_task_dup_dir (task);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return ar_test_read_file (path);
}

static void
test_typed_line (void)
{
  const char *command[] = {
    "sh", "-c",
    "printf 'ready\\n'; read x; echo got:$x; printf '\\033[1mbold\\033[0m tok=%s\\n' \"$API_TOKEN\"", NULL
  };
  const char *vars[] = { "API_TOKEN=s3cr3t-interactive-value", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text_log = NULL;
  g_autofree char *raw_log = NULL;
  g_autofree char *record = NULL;
  Run run = { 0 };

  if (!need_engine ())
    return;
  settings = new_settings ();
  env = new_env (command);
  ar_environment_set_env_vars (env, vars);
  task = ar_interactive_new_task (env, NULL);
  run.interactive = ar_interactive_new (builder, task, env, settings, AR_INTERACTIVE_AGENT, -1, &error);
  g_assert_no_error (error);
  run.output = g_string_new (NULL);
  run.type_after = "ready";
  run.typed = "hello world\r";
  run_to_end (&run);

  g_assert_true (run.has_typed);
  g_assert_cmpint (run.state, ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 0);
  g_assert_nonnull (strstr (run.output->str, "got:hello world\r\n"));
  /* the terminal shows what the container wrote, escapes and all */
  g_assert_nonnull (strstr (run.output->str, "\033[1mbold\033[0m"));
  g_assert_cmpint (ar_task_get_kind (task), ==, AR_TASK_KIND_INTERACTIVE);
  g_assert_cmpstr (ar_task_get_image (task), ==, base_image);
  g_assert_cmpstr (ar_task_get_cache_summary (task), !=, "");

  /* task.log: the text, no escapes, the secret redacted; the cache
   * decision and the end as for a batch task */
  text_log = task_file (task, "task.log");
  g_assert_nonnull (strstr (text_log, "\ngot:hello world\n"));
  g_assert_nonnull (strstr (text_log, "\nbold tok=[REDACTED]\n"));
  g_assert_null (strstr (text_log, "\033"));
  g_assert_null (strstr (text_log, "s3cr3t-interactive-value"));
  g_assert_nonnull (strstr (text_log, "[docker/run][INFO] running image"));
  g_assert_nonnull (strstr (text_log, "[task/end][INFO] done: exit status 0"));
  /* terminal.log: the escapes kept, the secret not */
  raw_log = task_file (task, AR_INTERACTIVE_RAW_LOG_NAME);
  g_assert_nonnull (strstr (raw_log, "got:hello world\r\n"));
  g_assert_nonnull (strstr (raw_log, "\033[1mbold\033[0m tok=[REDACTED]"));
  g_assert_null (strstr (raw_log, "s3cr3t-interactive-value"));
  /* the record */
  record = task_file (task, "task.json");
  g_assert_nonnull (strstr (record, "\"kind\" : \"interactive\""));
  g_assert_null (strstr (record, "s3cr3t-interactive-value"));
  /* the value never was in a command line */
  g_assert_false (ar_test_any_cmdline_contains ("s3cr3t-interactive-value"));

  g_string_free (run.output, TRUE);
  g_object_unref (run.interactive);
}

static void
test_exit_status (void)
{
  const char *command[] = { "sh", "-c", "echo bye; exit 3", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  if (!need_engine ())
    return;
  settings = new_settings ();
  env = new_env (command);
  task = ar_interactive_new_task (env, NULL);
  run.interactive = ar_interactive_new (builder, task, env, settings, AR_INTERACTIVE_AGENT, -1, &error);
  g_assert_no_error (error);
  run.output = g_string_new (NULL);
  run_to_end (&run);

  g_assert_cmpint (run.state, ==, AR_TASK_STATE_FAILED);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 3);
  g_assert_nonnull (strstr (run.output->str, "bye"));
  g_string_free (run.output, TRUE);
  g_object_unref (run.interactive);
}

/* The container's terminal has the size given before the start, and
 * follows a resize while it runs. The engine's CLI passes a resize on
 * through its own API call, beside the input stream: a line is typed until
 * the container reports the new size (or the test gives up). */
typedef struct {
  ArInteractive *interactive;
  GString *output;
  gboolean resized;
  gboolean quit;
  guint typed;
} Resize;

static void
resize_output (ArInteractive *interactive, GBytes *bytes, gpointer user_data)
{
  Resize *r = user_data;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  g_string_append_len (r->output, data, (gssize) len);
  if (!r->resized && strstr (r->output->str, "size:31 97\r\n") != NULL)
    {
      r->resized = TRUE;
      ar_interactive_set_size (interactive, 42, 123);
    }
  if (!r->quit && strstr (r->output->str, "size:42 123\r\n") != NULL)
    {
      r->quit = TRUE;
      ar_interactive_write (interactive, "q\r", 2);
    }
}

static gboolean
resize_type (gpointer user_data)
{
  Resize *r = user_data;

  if (r->resized && !r->quit && r->typed < 50)
    {
      r->typed++;
      ar_interactive_write (r->interactive, "\r", 1);
    }
  return G_SOURCE_CONTINUE;
}

static void
test_resize (void)
{
  const char *command[] = {
    "sh", "-c",
    /* the first size once stty can read one: at the very start it
     * sometimes cannot ("stty: standard input"), and the test then waited
     * for a size that never came */
    "i=0; until s=$(stty size 2>/dev/null) && [ -n \"$s\" ] || [ $i -ge 50 ]; do i=$((i+1)); sleep 0.1; done; "
    "echo size:$s; while read x; do [ \"$x\" = q ] && exit 0; echo size:$(stty size); done; exit 1",
    NULL
  };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };
  Resize r = { 0 };
  guint tick;

  if (!need_engine ())
    return;
  settings = new_settings ();
  env = new_env (command);
  task = ar_interactive_new_task (env, NULL);
  run.interactive = r.interactive = ar_interactive_new (builder, task, env, settings, AR_INTERACTIVE_AGENT, -1, &error);
  g_assert_no_error (error);
  ar_interactive_set_size (run.interactive, 31, 97);
  run.output = r.output = g_string_new (NULL);
  g_signal_connect (run.interactive, "output", G_CALLBACK (resize_output), &r);
  tick = g_timeout_add (200, resize_type, &r);
  run_to_end (&run);
  g_source_remove (tick);

  g_test_message ("output: %s; %u lines typed", run.output->str, r.typed);
  g_assert_cmpint (run.state, ==, AR_TASK_STATE_DONE);
  g_assert_true (r.resized);
  g_assert_nonnull (strstr (run.output->str, "size:42 123"));
  /* the size the terminal has is the one asked for */
  {
    guint rows = 0, columns = 0;

    ar_interactive_get_size (run.interactive, &rows, &columns);
    g_assert_cmpuint (rows, ==, 42);
    g_assert_cmpuint (columns, ==, 123);
  }
  g_string_free (run.output, TRUE);
  g_object_unref (run.interactive);
}

/* ---- the command line, through a pseudo-terminal ----------------------------- */

/* An interactive task with a headless desktop: its terminal shows the
 * entry script's lines, the desktop's among them, and the task gets its
 * desktop URL once the desktop answers, as a batch task does (it got none:
 * only the batch runner read that line). busybox httpd stands in for
 * noVNC. */
static void
test_desktop (void)
{
  const char *command[] = { "sh", "-c", "echo ready; read x; echo got:$x", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *scripts = ar_test_stand_in_desktop (0);
  g_autofree char *text_log = NULL;
  const char *url;
  Run run = { 0 };
  gint64 deadline;
  guint tick;
  guint port;

  if (!need_engine ())
    return;
  settings = new_settings ();
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);
  env = new_env (command);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  task = ar_interactive_new_task (env, NULL);
  run.interactive = ar_interactive_new (builder, task, env, settings, AR_INTERACTIVE_AGENT, -1, &error);
  g_assert_no_error (error);
  run.output = g_string_new (NULL);

  tick = g_timeout_add (100, wake, NULL);
  g_signal_connect (run.interactive, "output", G_CALLBACK (on_output), &run);
  ar_interactive_run_async (run.interactive, NULL, run_done, &run);
  deadline = g_get_monotonic_time () + TASK_SECONDS * G_USEC_PER_SEC;
  while (*ar_task_get_desktop_url (task) == '\0')
    {
      if (run.done || g_get_monotonic_time () > deadline)
        g_error ("no desktop URL for the interactive task; the terminal showed: %s", run.output->str);
      g_main_context_iteration (NULL, TRUE);
    }
  url = ar_task_get_desktop_url (task);
  g_assert_true (g_regex_match_simple ("^http://127\\.0\\.0\\.1:[0-9]+/vnc\\.html$", url, 0, 0));
  port = (guint) g_ascii_strtoull (strrchr (url, ':') + 1, NULL, 10);
  g_assert_cmpint (ar_test_http_status (port, "/vnc.html"), ==, 200);
  g_assert_nonnull (strstr (run.output->str, "[desktop/start][INFO] desktop started"));

  while (strstr (run.output->str, "ready") == NULL)
    {
      if (run.done || g_get_monotonic_time () > deadline)
        g_error ("the agent did not start; the terminal showed: %s", run.output->str);
      g_main_context_iteration (NULL, TRUE);
    }
  ar_interactive_write (run.interactive, "bye\r", strlen ("bye\r"));
  while (!run.done)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the interactive task did not end; the terminal showed: %s", run.output->str);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_assert_cmpint (run.state, ==, AR_TASK_STATE_DONE);
  g_assert_nonnull (strstr (run.output->str, "got:bye"));
  text_log = task_file (task, "task.log");
  g_assert_nonnull (strstr (text_log, "[desktop/port][INFO] desktop: http://127.0.0.1:"));
  /* the container's end took the published port with it (the engine's
   * proxy may take a moment to go) */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (ar_test_http_status (port, "/vnc.html") != 0 && g_get_monotonic_time () < deadline)
    g_usleep (100000);
  g_assert_cmpint (ar_test_http_status (port, "/vnc.html"), ==, 0);
  g_string_free (run.output, TRUE);
  g_object_unref (run.interactive);
}

static void
test_cli (void)
{
  const char *command[] = { "sh", "-c", "echo ready; read x; echo got:$x; exit 0", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  ArTestPty pty;
  gboolean typed = FALSE;
  gint64 deadline;

  if (!need_engine ())
    return;
  env = new_env (command);
  store = ar_test_save_env (env);

  {
    const char *argv[] = { g_getenv ("AR_BINARY"), "run", ar_environment_get_env_id (env), "--interactive", NULL };

    proc = ar_test_pty_spawn (argv, NULL, 25, 90, &pty);
  }

  deadline = g_get_monotonic_time () + TASK_SECONDS * G_USEC_PER_SEC;
  while (ar_test_pty_read (&pty))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("run --interactive did not end within %d s: %s", TASK_SECONDS, pty.output->str);
      if (!typed && strstr (pty.output->str, "ready\r\n") != NULL)
        {
          /* a key at a time, as typed */
          for (const char *c = "hi there\r"; *c != '\0'; c++)
            g_assert_cmpint (write (pty.master, c, 1), ==, 1);
          typed = TRUE;
        }
      g_usleep (20000);
    }
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);

  g_test_message ("run --interactive printed: %s", pty.output->str);
  g_assert_true (typed);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_nonnull (strstr (pty.output->str, "got:hi there\r\n"));
  /* the app's lines too: where it ran, and the end */
  g_assert_nonnull (strstr (pty.output->str, "[docker/run][INFO] running image"));
  g_assert_nonnull (strstr (pty.output->str, "[task/end][INFO] done: exit status 0"));
  /* the caller's terminal is as it was: cooked again */
  {
    struct termios mode;

    g_assert_cmpint (tcgetattr (pty.master, &mode), ==, 0);
    g_assert_true ((mode.c_lflag & ICANON) != 0);
    g_assert_true ((mode.c_lflag & ECHO) != 0);
  }
  ar_test_pty_close (&pty);
}

/* The app is closed while an interactive task's container runs (the
 * process dies; the container keeps running, as after `run --interactive`
 * was killed); a new task manager's load attaches its terminal again:
 * typed input reaches the agent, the exit status is recorded. */
typedef struct {
  GString *output;
  gboolean finished;
} Attached;

static void
attached_output (ArInteractive *interactive, GBytes *bytes, gpointer user_data)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  g_string_append_len (((Attached *) user_data)->output, data, (gssize) len);
}

static void
attached_finished (ArTaskManager *manager, ArTask *task, gpointer user_data)
{
  ((Attached *) user_data)->finished = TRUE;
}

static void
loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_task_manager_load_finish (AR_TASK_MANAGER (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* A new task manager, as at the app's next start, loading and following
 * the tasks of @store: the task of @env in it, its terminal attached
 * again; @attached->finished set when it ends. */
static ArTaskManager *
manager_attaching (ArEnvStore *store, ArSettings *settings, ArEnvironment *env, Attached *attached, ArTask **task)
{
  ArTaskManager *manager = ar_task_manager_new (builder, settings);
  gboolean loaded = FALSE;

  ar_task_manager_set_env_store (manager, store);
  g_signal_connect (manager, "task-finished", G_CALLBACK (attached_finished), attached);
  ar_task_manager_load_async (manager, AR_TASK_MANAGER_LOAD_FOLLOW, NULL, loaded_cb, &loaded);
  while (!loaded)
    g_main_context_iteration (NULL, TRUE);
  *task = NULL;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (manager)) && *task == NULL; i++)
    {
      g_autoptr(ArTask) item = g_list_model_get_item (G_LIST_MODEL (manager), i);

      if (g_str_equal (ar_task_get_env_id (item), ar_environment_get_env_id (env)))
        *task = g_object_ref (item);
    }
  g_assert_nonnull (*task);
  g_assert_nonnull (ar_task_manager_get_interactive (manager, *task));
  return manager;
}

static void
test_reattach (void)
{
  const char *command[] = { "sh", "-c", "echo ready; read x; echo got:$x; exit 0", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autofree char *text_log = NULL;
  g_autofree char *title = NULL;
  ArInteractive *interactive;
  ArTestPty pty;
  Attached attached = { g_string_new (NULL), FALSE };
  gint64 deadline;
  guint tick;

  if (!need_engine ())
    return;
  env = new_env (command);
  store = ar_test_save_env (env);

  {
    const char *argv[] = { g_getenv ("AR_BINARY"), "run", ar_environment_get_env_id (env), "--interactive", NULL };

    proc = ar_test_pty_spawn (argv, NULL, 0, 0, &pty);
  }
  /* The agent waits for its line; the app dies without a word. */
  ar_test_pty_await (&pty, "ready\r\n", TASK_SECONDS, "run --interactive getting ready");
  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  ar_test_pty_close (&pty);

  settings = new_settings ();
  tick = g_timeout_add (100, wake, NULL);
  manager = manager_attaching (store, settings, env, &attached, &task);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  g_assert_cmpuint (ar_task_manager_get_n_active (manager), ==, 1);
  title = ar_task_dup_title (task);
  g_assert_cmpstr (title, ==, "Interactive session");

  /* The Tasks list's view finds its terminal again. */
  interactive = ar_task_manager_get_interactive (manager, task);
  g_assert_nonnull (interactive);
  g_assert_true (ar_task_manager_get_log (manager, task) == ar_interactive_get_log (interactive));
  g_signal_connect (interactive, "output", G_CALLBACK (attached_output), &attached);
  ar_interactive_set_size (interactive, 24, 80);
  /* typed until the agent has it (the attach may still be connecting) */
  deadline = g_get_monotonic_time () + TASK_SECONDS * G_USEC_PER_SEC;
  ar_interactive_write (interactive, "back again\r", strlen ("back again\r"));
  while (!attached.finished)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the reattached task did not end; output: %s", attached.output->str);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);

  g_test_message ("reattached terminal showed: %s", attached.output->str);
  g_assert_nonnull (strstr (attached.output->str, "got:back again\r\n"));
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  g_assert_cmpint (ar_task_get_exit_status (task), ==, 0);
  g_assert_null (ar_task_manager_get_interactive (manager, task));
  g_assert_false (ar_task_get_owned (task));
  text_log = task_file (task, "task.log");
  g_assert_nonnull (strstr (text_log, "[task/follow][INFO] found the container"));
  g_assert_nonnull (strstr (text_log, "\ngot:back again\n"));
  g_assert_nonnull (strstr (text_log, "[task/end][INFO] done: exit status 0"));
  {
    g_autofree char *path = ar_task_dup_record_path (task);
    g_autoptr(ArTask) reread = ar_task_new_from_file (path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ar_task_get_state (reread), ==, AR_TASK_STATE_DONE);
    g_assert_cmpint (ar_task_get_exit_status (reread), ==, 0);
  }
  g_string_free (attached.output, TRUE);
}

/* The app is closed while an interactive task's desktop is still starting
 * (no URL yet); the desktop starts while no app runs, so no terminal saw
 * its line. Attached again, the task finds that line in the container's
 * output and gets its desktop URL, whose page answers. */
static gboolean
desktop_line_logged (const char *name)
{
  const char *args[] = { "logs", name, NULL };
  g_autofree char *out = NULL;

  return ar_test_engine_docker (args, &out, NULL) == 0 && strstr (out, AR_ENTRY_DESKTOP_STARTED_LINE) != NULL;
}

static void
test_reattach_desktop (void)
{
  const char *command[] = { "sh", "-c", "echo ready; read x; echo got:$x; exit 0", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(ArTask) recorded = NULL;
  g_autofree char *scripts = ar_test_stand_in_desktop (3);
  g_autofree char *scripts_var = g_strconcat ("AR_DESKTOP_SCRIPTS_DIR=", scripts, NULL);
  const char *env_pairs[] = { scripts_var, NULL };
  ArInteractive *interactive;
  ArTestPty pty;
  Attached attached = { g_string_new (NULL), FALSE };
  const char *url;
  gint64 deadline;
  guint tick;

  if (!need_engine ())
    return;
  env = new_env (command);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  store = ar_test_save_env (env);
  {
    const char *argv[] = { g_getenv ("AR_BINARY"), "run", ar_environment_get_env_id (env), "--interactive", NULL };

    proc = ar_test_pty_spawn (argv, env_pairs, 0, 0, &pty);
  }
  /* Closed while the desktop starts (start.sh waits 3 s first). */
  ar_test_pty_await (&pty, "running desktop start", TASK_SECONDS, "run --interactive starting the desktop");
  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (pty.output->str, AR_ENTRY_DESKTOP_STARTED_LINE));
  ar_test_pty_close (&pty);
  {
    g_autoptr(ArTask) left = ar_test_task_of_env (ar_environment_get_env_id (env));

    g_assert_nonnull (left);
    g_assert_cmpstr (ar_task_get_desktop_url (left), ==, "");
    /* The desktop started with no app there to see it. */
    deadline = g_get_monotonic_time () + TASK_SECONDS * G_USEC_PER_SEC;
    while (!desktop_line_logged (ar_task_get_container_name (left)))
      {
        if (g_get_monotonic_time () > deadline)
          g_error ("the desktop did not start within %d s", TASK_SECONDS);
        g_usleep (200000);
      }
  }

  settings = new_settings ();
  g_free (settings->desktop_scripts_dir);
  settings->desktop_scripts_dir = g_strdup (scripts);
  tick = g_timeout_add (100, wake, NULL);
  manager = manager_attaching (store, settings, env, &attached, &task);
  interactive = ar_task_manager_get_interactive (manager, task);

  deadline = g_get_monotonic_time () + TASK_SECONDS * G_USEC_PER_SEC;
  while (*ar_task_get_desktop_url (task) == '\0')
    {
      if (attached.finished || g_get_monotonic_time () > deadline)
        g_error ("no desktop URL after attaching again (the desktop's line in the container's output: %s)",
                 desktop_line_logged (ar_task_get_container_name (task)) ? "yes" : "no");
      g_main_context_iteration (NULL, TRUE);
    }
  url = ar_task_get_desktop_url (task);
  g_assert_cmpint (ar_test_http_status ((guint) g_ascii_strtoull (strrchr (url, ':') + 1, NULL, 10), "/vnc.html"),
                   ==, 200);
  {
    g_autofree char *path = ar_task_dup_record_path (task);

    recorded = ar_task_new_from_file (path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ar_task_get_desktop_url (recorded), ==, url);
  }

  ar_interactive_write (interactive, "bye\r", strlen ("bye\r"));
  while (!attached.finished)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the reattached task did not end");
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
  g_string_free (attached.output, TRUE);
}

/* Bad usage is said at once, with status 2. */
static void
test_cli_usage (void)
{
  const char *shell_alone[] = { "run", "x", "--shell", NULL };
  const char *with_events[] = { "run", "x", "--interactive", "--json-events", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (ar_test_run_cli (shell_alone, NULL, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--shell"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ar_test_run_cli (with_events, NULL, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--json-events"));
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/interactive/title", test_title);
  g_test_add_func ("/interactive/argv", test_argv);
  g_test_add_func ("/interactive/typed-line", test_typed_line);
  g_test_add_func ("/interactive/exit-status", test_exit_status);
  g_test_add_func ("/interactive/resize", test_resize);
  g_test_add_func ("/interactive/desktop", test_desktop);
  g_test_add_func ("/interactive/cli", test_cli);
  g_test_add_func ("/interactive/cli-usage", test_cli_usage);
  g_test_add_func ("/interactive/reattach", test_reattach);
  g_test_add_func ("/interactive/reattach-desktop", test_reattach_desktop);

  status = g_test_run ();
  g_clear_object (&builder);
  g_clear_object (&engine);
  g_free (base_image);
  return status;
}
