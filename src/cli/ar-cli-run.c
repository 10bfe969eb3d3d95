/* ar-cli-run.c — run, preflight test, task list|log (design.md §4, §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "ar-cli-private.h"
#include "ar-image-builder.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"

/* Into a pipe or file, at most one progress update a second goes out. */
#define PROGRESS_INTERVAL_US G_USEC_PER_SEC

static char *opt_prompt;
static gboolean opt_json_events;
static gboolean opt_json;
static gboolean opt_interactive;
static gboolean opt_shell;

static GOptionEntry run_entries[] = {
  { "prompt", 0, 0, G_OPTION_ARG_STRING, &opt_prompt, N_ ("The prompt for the agent"), N_ ("TEXT") },
  { "json-events", 0, 0, G_OPTION_ARG_NONE, &opt_json_events,
    N_ ("Print one JSON object per line: log lines, state changes, the exit status"), NULL },
  { "interactive", 'i', 0, G_OPTION_ARG_NONE, &opt_interactive,
    N_ ("Run the agent's own terminal interface, attached to this terminal"), NULL },
  { "shell", 0, 0, G_OPTION_ARG_NONE, &opt_shell,
    N_ ("With --interactive: a shell in the prepared container instead of the agent"), NULL },
  { NULL }
};

static GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print JSON"), NULL },
  { NULL }
};

/* ---- running one task, streaming its log -------------------------------- */

typedef struct {
  gboolean json;
  gboolean done;
  gboolean tty;            /* stdout is a terminal: progress rewrites its line */
  gboolean progress_open;  /* tty: a progress update is on the last line, no line end yet */
  char *held;              /* otherwise: the last progress update, not printed yet */
  gint64 progress_printed; /* when a progress update last went out */
} Stream;

static void
print_event (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);

  printf ("%s\n", text);
  fflush (stdout);
}

static void
print_line (Stream *stream, const char *line, ArLogLevel level, gboolean progress)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (!stream->json)
    {
      printf ("%s\n", line);
      fflush (stdout);
      return;
    }
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "log");
  json_builder_set_member_name (builder, "line");
  json_builder_add_string_value (builder, line);
  /* Container output that is itself a log line (the entry script's) says
   * its own level. */
  if (level == AR_LOG_OUTPUT)
    level = ar_log_level_of_line (line);
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, ar_log_level_to_string (level));
  if (progress)
    {
      json_builder_set_member_name (builder, "progress");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  print_event (builder);
}

/* The last progress update that nothing replaced stays. */
static void
flush_progress (Stream *stream)
{
  g_autofree char *held = g_steal_pointer (&stream->held);

  if (stream->progress_open)
    {
      printf ("\n");
      fflush (stdout);
      stream->progress_open = FALSE;
    }
  if (held != NULL)
    print_line (stream, held, AR_LOG_OUTPUT, TRUE);
}

/* A progress update (a line that ended in "\r") is replaced by the next
 * line of output, as on a terminal: on one, it rewrites its line; into a
 * pipe or a file, only the last of a run goes out, or one a second, so a
 * progress bar cannot flood what reads the output. */
static void
on_line (ArTaskLog *log, const char *line, int level, gpointer user_data)
{
  Stream *stream = user_data;
  gboolean progress = ar_task_log_line_is_progress (log);

  if (stream->tty && !stream->json)
    {
      if (progress)
        {
          printf ("\r%s\033[K", line);
          fflush (stdout);
          stream->progress_open = TRUE;
          return;
        }
      if (stream->progress_open && level == AR_LOG_OUTPUT)
        {
          printf ("\r%s\033[K\n", line);
          fflush (stdout);
          stream->progress_open = FALSE;
          return;
        }
      flush_progress (stream);
      print_line (stream, line, (ArLogLevel) level, FALSE);
      return;
    }

  if (progress)
    {
      gint64 now = g_get_monotonic_time ();

      g_clear_pointer (&stream->held, g_free);
      if (stream->progress_printed == 0 || now - stream->progress_printed >= PROGRESS_INTERVAL_US)
        {
          stream->progress_printed = now;
          print_line (stream, line, (ArLogLevel) level, TRUE);
        }
      else
        stream->held = g_strdup (line);
      return;
    }
  if (level == AR_LOG_OUTPUT)
    g_clear_pointer (&stream->held, g_free);
  else
    flush_progress (stream);
  print_line (stream, line, (ArLogLevel) level, FALSE);
}

static void
print_state (ArTask *task)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "state");
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, ar_task_state_to_string (ar_task_get_state (task)));
  json_builder_set_member_name (builder, "task");
  json_builder_add_string_value (builder, ar_task_get_id (task));
  json_builder_end_object (builder);
  print_event (builder);
}

static void
on_state (ArTask *task, GParamSpec *pspec, gpointer user_data)
{
  Stream *stream = user_data;

  if (stream->json)
    print_state (task);
}

static void
print_exit (int status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "exit");
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);
  print_event (builder);
}

static gboolean
on_signal (gpointer user_data)
{
  ArTaskRunner *runner = user_data;

  /* A second Ctrl+C while stopping: the stop is already on its way. */
  ar_task_runner_stop (runner);
  return G_SOURCE_CONTINUE;
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Stream *stream = user_data;

  ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
  stream->done = TRUE;
}

int
ar_cli_task_exit_status (ArTask *task)
{
  switch (ar_task_get_state (task))
    {
    case AR_TASK_STATE_DONE:
      return AR_EXIT_OK;
    case AR_TASK_STATE_CANCELLED:
      return AR_CLI_EXIT_INTERRUPTED;
    default:
      /* The container's status; 1 when it failed before anything ran. */
      return ar_task_get_exit_status (task) > 0 ? ar_task_get_exit_status (task) : AR_EXIT_FAILURE;
    }
}

void
ar_cli_print_task_error (ArTask *task)
{
  if (ar_task_get_state (task) == AR_TASK_STATE_FAILED && *ar_task_get_error_message (task) != '\0')
    fprintf (stderr, "agents-runner: %s\n", ar_task_get_error_message (task));
}

static int
run_task (ArEnvironment *env, const char *prompt, ArTaskKind kind, gboolean json)
{
  g_autoptr(ArSettings) settings = ar_settings_new_from_gsettings ();
  g_autoptr(GError) engine_error = NULL;
  /* The environment's own engine (design.md §8). */
  g_autoptr(ArEngine) engine = ar_task_manager_new_engine (settings, ar_environment_get_engine (env), &engine_error);
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  ArTask *task;
  Stream stream = { json, FALSE, isatty (STDOUT_FILENO), FALSE, NULL, 0 };
  guint sigint_id, sigterm_id;
  int status;

  if (engine == NULL)
    return ar_cli_fail_error (engine_error);
  builder = ar_image_builder_new (engine);

  if (kind == AR_TASK_KIND_PREFLIGHT_TEST)
    {
      runner = ar_task_runner_new_preflight_test (builder, env, settings);
      /* A saved environment, as the window's Test Preflight of one without
       * unsaved changes: with caching on, the build check. */
      ar_task_manager_configure_preflight_test (runner, env, TRUE);
    }
  else
    {
      g_autoptr(ArTask) new_task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env),
                                                 prompt, AR_TASK_KIND_TASK);

      ar_task_set_engine (new_task, ar_engine_name_is_local (ar_environment_get_engine (env))
                                      ? AR_LOCAL_ENGINE_NAME
                                      : ar_environment_get_engine (env));
      runner = ar_task_runner_new (builder, new_task, env, settings);
    }
  task = ar_task_runner_get_task (runner);

  g_signal_connect (ar_task_runner_get_log (runner), "line", G_CALLBACK (on_line), &stream);
  g_signal_connect (task, "notify::state", G_CALLBACK (on_state), &stream);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, runner);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, runner);
  if (json)
    print_state (task);

  ar_task_runner_run_async (runner, NULL, run_done, &stream);
  while (!stream.done)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (ar_task_runner_get_log (runner), &stream);
  g_signal_handlers_disconnect_by_data (task, &stream);
  flush_progress (&stream);

  status = ar_cli_task_exit_status (task);
  if (json)
    print_exit (status);
  else
    ar_cli_print_task_error (task);
  return status;
}

static int
run_command (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  ArEnvironment *env;
  int status;

  opt_prompt = NULL;
  opt_json_events = FALSE;
  opt_interactive = opt_shell = FALSE;
  if (!ar_cli_parse (&ar_cli_run_commands[0], run_entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;
  if ((opt_shell && !opt_interactive) || (opt_interactive && opt_json_events))
    {
      fprintf (stderr, "agents-runner run: %s\n",
               opt_shell ? _ ("--shell goes with --interactive") : _ ("--interactive and --json-events cannot go together"));
      g_clear_pointer (&opt_prompt, g_free);
      return AR_EXIT_USAGE;
    }
  if ((env = ar_cli_load_environment (argv[1], &store, &error)) == NULL)
    return ar_cli_fail_error (error);
  /* What would stop the task (a refused mount, a missing folder) is said
   * before any task exists, as the New task page does. */
  if (!ar_task_runner_check_environment (env, opt_interactive ? AR_TASK_KIND_INTERACTIVE : AR_TASK_KIND_TASK,
                                         opt_prompt != NULL ? opt_prompt : "", &error))
    {
      g_clear_pointer (&opt_prompt, g_free);
      return ar_cli_fail_error (error);
    }

  if (opt_interactive)
    status = ar_cli_run_interactive (env, opt_prompt, opt_shell);
  else
    status = run_task (env, opt_prompt != NULL ? opt_prompt : "", AR_TASK_KIND_TASK, opt_json_events);
  g_clear_pointer (&opt_prompt, g_free);
  return status;
}

int
ar_cli_preflight_test (int argc, char **argv)
{
  static const ArCliCommand command = {
    "preflight", "test", N_ ("ENV [--json-events]"),
    N_ ("Test the preflights of ENV without the agent (a build check when caching is on)"), ar_cli_preflight_test
  };
  static GOptionEntry entries[] = {
    { "json-events", 0, 0, G_OPTION_ARG_NONE, &opt_json_events,
      N_ ("Print one JSON object per line: log lines, state changes, the exit status"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  ArEnvironment *env;

  opt_json_events = FALSE;
  if (!ar_cli_parse (&command, entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;
  if ((env = ar_cli_load_environment (argv[1], &store, &error)) == NULL)
    return ar_cli_fail_error (error);

  return run_task (env, "", AR_TASK_KIND_PREFLIGHT_TEST, opt_json_events);
}

/* ---- task list | log ---------------------------------------------------- */

static ArTaskManager *
load_tasks (ArTaskManagerLoadFlags flags, GError **error)
{
  g_autoptr(ArSettings) settings = ar_settings_new_from_gsettings ();
  /* The local engine; the manager makes the others it needs. */
  g_autoptr(ArEngine) engine = ar_task_manager_new_engine (settings, AR_LOCAL_ENGINE_NAME, NULL);
  g_autoptr(ArImageBuilder) builder = ar_image_builder_new (engine);
  g_autoptr(ArTaskManager) manager = ar_task_manager_new (builder, settings);
  ArSyncWait wait;
  gboolean loaded;

  ar_sync_wait_begin_shared (&wait);
  ar_task_manager_load_async (manager, flags, NULL, ar_sync_wait_callback, &wait);
  loaded = ar_task_manager_load_finish (manager, ar_sync_wait_run (&wait), error);
  ar_sync_wait_end (&wait);
  if (!loaded)
    return NULL;
  return g_steal_pointer (&manager);
}

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = NULL;

  if (usec <= 0)
    return g_strdup ("-");
  time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static char *
time_iso (gint64 usec)
{
  g_autoptr(GDateTime) utc = NULL;

  if (usec <= 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return utc != NULL ? g_date_time_format_iso8601 (utc) : NULL;
}

static void
add_time_member (JsonBuilder *builder, const char *name, gint64 usec)
{
  g_autofree char *iso = time_iso (usec);

  json_builder_set_member_name (builder, name);
  if (iso != NULL)
    json_builder_add_string_value (builder, iso);
  else
    json_builder_add_null_value (builder);
}

static int
task_list (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  GListModel *model;
  guint n;

  opt_json = FALSE;
  if (!ar_cli_parse (&ar_cli_task_commands[0], json_entries, &argc, &argv, 0))
    return AR_EXIT_USAGE;
  /* Reconcile: a task whose process is gone shows what really became of it. */
  if ((manager = load_tasks (AR_TASK_MANAGER_LOAD_RECONCILE, &error)) == NULL)
    return ar_cli_fail_error (error);
  model = G_LIST_MODEL (manager);
  n = g_list_model_get_n_items (model);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ArTask) task = g_list_model_get_item (model, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, ar_task_get_id (task));
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, ar_task_kind_to_string (ar_task_get_kind (task)));
          json_builder_set_member_name (builder, "env_id");
          json_builder_add_string_value (builder, ar_task_get_env_id (task));
          json_builder_set_member_name (builder, "env_name");
          json_builder_add_string_value (builder, ar_task_get_env_name (task));
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, ar_task_state_to_string (ar_task_get_state (task)));
          json_builder_set_member_name (builder, "exit_status");
          if (ar_task_get_exit_status (task) >= 0)
            json_builder_add_int_value (builder, ar_task_get_exit_status (task));
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "duration");
          json_builder_add_double_value (builder, ar_task_get_duration (task));
          add_time_member (builder, "started_at", ar_task_get_started_at (task));
          add_time_member (builder, "finished_at", ar_task_get_finished_at (task));
          json_builder_set_member_name (builder, "image");
          json_builder_add_string_value (builder, ar_task_get_image (task));
          json_builder_set_member_name (builder, "error");
          json_builder_add_string_value (builder, ar_task_get_error_message (task));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      ar_cli_print_json (root);
      return AR_EXIT_OK;
    }

  if (n == 0)
    {
      printf ("%s\n", _ ("No tasks yet."));
      return AR_EXIT_OK;
    }
  printf ("%-22s %-20s %-9s %-5s %9s  %s\n", _ ("ID"), _ ("ENVIRONMENT"), _ ("STATE"), _ ("EXIT"),
          _ ("DURATION"), _ ("STARTED"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArTask) task = g_list_model_get_item (model, i);
      g_autofree char *started = format_time (ar_task_get_started_at (task));
      g_autofree char *exit_text = ar_task_get_exit_status (task) >= 0
                                     ? g_strdup_printf ("%d", ar_task_get_exit_status (task))
                                     : g_strdup ("-");
      g_autofree char *duration = g_strdup_printf ("%.1fs", ar_task_get_duration (task));
      const char *env = *ar_task_get_env_name (task) != '\0' ? ar_task_get_env_name (task)
                                                             : ar_task_get_env_id (task);

      printf ("%-22s %-20s %-9s %-5s %9s  %s%s\n", ar_task_get_id (task), env,
              ar_task_state_to_string (ar_task_get_state (task)), exit_text, duration, started,
              ar_task_get_kind (task) == AR_TASK_KIND_PREFLIGHT_TEST ? _ (" (preflight test)") : "");
    }
  return AR_EXIT_OK;
}

static int
task_log (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskManager) manager = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  ArTask *task;

  if (!ar_cli_parse (&ar_cli_task_commands[1], NULL, &argc, &argv, 1))
    return AR_EXIT_USAGE;
  if ((manager = load_tasks (AR_TASK_MANAGER_LOAD_RECORDS, &error)) == NULL)
    return ar_cli_fail_error (error);
  if ((task = ar_task_manager_lookup (manager, argv[1], &error)) == NULL)
    return ar_cli_fail_error (error);

  path = ar_task_dup_log_path (task);
  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return AR_EXIT_OK; /* queued and never started: nothing was written */
      return ar_cli_fail (_ ("Could not read the log of task %s: %s"), ar_task_get_id (task), error->message);
    }
  fwrite (contents, 1, length, stdout);
  return AR_EXIT_OK;
}

const ArCliCommand ar_cli_run_commands[] = {
  { "run", "", N_ ("ENV [--prompt TEXT] [--json-events] [--interactive [--shell]]"),
    N_ ("Run a task of ENV and stream its log; the exit status is the task's"), run_command },
  { NULL }
};

const ArCliCommand ar_cli_task_commands[] = {
  { "task", "list", N_ ("[--json]"), N_ ("List the tasks, newest first"), task_list },
  { "task", "log", N_ ("ID"), N_ ("Print the full log of a task"), task_log },
  { NULL }
};
