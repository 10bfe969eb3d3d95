/* bench-interactive.c — an interactive task's start against a bare
 * `docker run -it` and a batch task (issue 14)
 *
 * One environment, container caching on with a small cached preflight, its
 * image built once before timing; agent `custom`:
 * sh -c 'echo first-byte; sleep 0.1'. Each round, interleaved so that all
 * see the same engine and machine load (the order turns every round):
 *   interactive  ArInteractive, the window's own path (the whole task
 *                pipeline, `docker run -i -t` on a pseudo-terminal): from
 *                the start to the moment "first-byte" comes out of its
 *                "output" signal (what the terminal widget is fed);
 *   bare         `docker run --rm -it IMAGE true` of the same image on a
 *                pseudo-terminal of its own (forkpty): from the fork to
 *                its exit;
 *   batch        ArTaskRunner, a batch task of the same environment: from
 *                the start to the line "first-byte" in its log.
 * Each task is run to its end (not timed past its first output) before the
 * next starts. Prints the medians and the ratios interactive ÷ bare run and
 * interactive ÷ batch.
 *
 *   bench-interactive [ROUNDS]      (default 7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-interactive.h"
#include "ar-task-runner.h"
#include "test-utils.h"
#include "bench-stats.h"

#define DEFAULT_ROUNDS 7
#define MARKER "first-byte"
#define ROUND_SECONDS 120

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Spins the main context until *done, with a deadline. */
static void
wait_for (const gboolean *done, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + ROUND_SECONDS * G_USEC_PER_SEC;
  guint tick = g_timeout_add (500, wake, NULL);

  while (!*done)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not end within %d s", what, ROUND_SECONDS);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

/* ---- interactive ------------------------------------------------------------- */

typedef struct {
  GString *output;
  double first;   /* when MARKER came out; 0 before */
  gboolean done;
  ArTaskState state;
} Interactive;

static void
interactive_output (ArInteractive *interactive, GBytes *bytes, gpointer user_data)
{
  Interactive *run = user_data;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  g_string_append_len (run->output, data, (gssize) len);
  if (run->first == 0 && strstr (run->output->str, MARKER) != NULL)
    run->first = now_seconds ();
}

static void
interactive_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Interactive *run = user_data;

  run->state = ar_interactive_run_finish (AR_INTERACTIVE (source), result);
  run->done = TRUE;
}

/* One interactive task to its end; returns the time to its first output. */
static double
time_interactive (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, char **image)
{
  g_autoptr(ArTask) task = ar_interactive_new_task (env, NULL);
  g_autoptr(ArInteractive) interactive = NULL;
  g_autoptr(GError) error = NULL;
  Interactive run = { g_string_new (NULL), 0, FALSE, AR_TASK_STATE_QUEUED };
  double start = now_seconds ();

  interactive = ar_interactive_new (builder, task, env, settings, AR_INTERACTIVE_AGENT, -1, &error);
  if (interactive == NULL)
    g_error ("no interactive task: %s", error->message);
  g_signal_connect (interactive, "output", G_CALLBACK (interactive_output), &run);
  ar_interactive_run_async (interactive, NULL, interactive_done, &run);
  wait_for (&run.done, "the interactive task");
  if (run.state != AR_TASK_STATE_DONE || run.first == 0)
    g_error ("the interactive task ended %s (%s); output: %s", ar_task_state_to_string (run.state),
             ar_task_get_error_message (task), run.output->str);
  if (image != NULL)
    *image = g_strdup (ar_task_get_image (task));
  g_string_free (run.output, TRUE);
  return run.first - start;
}

/* ---- batch --------------------------------------------------------------------- */

typedef struct {
  GMutex lock;    /* "line" comes from the thread that wrote it */
  gint64 first;   /* µs, when the log had MARKER; 0 before */
  gboolean done;
  ArTaskState state;
} Batch;

static void
batch_line (ArTaskLog *log, const char *line, int level, gpointer user_data)
{
  Batch *run = user_data;

  if (level == AR_LOG_OUTPUT && g_str_has_prefix (line, MARKER))
    {
      gint64 now = g_get_monotonic_time ();

      g_mutex_lock (&run->lock);
      if (run->first == 0)
        run->first = now;
      g_mutex_unlock (&run->lock);
    }
}

static void
batch_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Batch *run = user_data;

  run->state = ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
  run->done = TRUE;
}

static double
time_batch (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings)
{
  g_autoptr(ArTask) task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "",
                                        AR_TASK_KIND_TASK);
  g_autoptr(ArTaskRunner) runner = NULL;
  Batch run = { 0 };
  gint64 start = g_get_monotonic_time ();
  gint64 first;

  g_mutex_init (&run.lock);
  run.state = AR_TASK_STATE_QUEUED;
  runner = ar_task_runner_new (builder, task, env, settings);
  g_signal_connect (ar_task_runner_get_log (runner), "line", G_CALLBACK (batch_line), &run);
  ar_task_runner_run_async (runner, NULL, batch_done, &run);
  wait_for (&run.done, "the batch task");
  g_mutex_lock (&run.lock);
  first = run.first;
  g_mutex_unlock (&run.lock);
  g_signal_handlers_disconnect_by_data (ar_task_runner_get_log (runner), &run);
  g_mutex_clear (&run.lock);
  if (run.state != AR_TASK_STATE_DONE || first == 0)
    g_error ("the batch task ended %s: %s", ar_task_state_to_string (run.state),
             ar_task_get_error_message (task));
  return (first - start) / (double) G_USEC_PER_SEC;
}

/* ---- bare docker run -it -------------------------------------------------------- */

static double
time_bare_run (const char *image)
{
  const char *argv[] = {
    "docker", "run", "--rm", "-it", "--label", ar_test_engine_run_label (), image, "true", NULL
  };
  GString *output = g_string_new (NULL);
  double start = now_seconds ();
  double elapsed;
  int master = -1, status = 0;
  pid_t pid;

  pid = forkpty (&master, NULL, NULL, NULL);
  if (pid < 0)
    g_error ("forkpty: %s", g_strerror (errno));
  if (pid == 0)
    {
      execvp (argv[0], (char **) argv);
      _exit (127);
    }
  /* Read until the terminal has no writer left (EIO), then reap. */
  for (;;)
    {
      char buf[4096];
      ssize_t n = read (master, buf, sizeof buf);

      if (n > 0)
        g_string_append_len (output, buf, n);
      else if (n < 0 && errno == EINTR)
        continue;
      else
        break;
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  elapsed = now_seconds () - start;
  close (master);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("docker run -it failed (status %d): %s", status, output->str);
  g_string_free (output, TRUE);
  return elapsed;
}

int
main (int argc, char **argv)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autofree char *base = NULL;
  g_autofree char *image = NULL;
  g_autofree double *interactive_times = NULL;
  g_autofree double *bare_times = NULL;
  g_autofree double *batch_times = NULL;
  const char *agent[] = { "sh", "-c", "echo " MARKER "; sleep 0.1", NULL };
  int rounds = DEFAULT_ROUNDS;
  double interactive_median, bare_median, batch_median;

  ar_test_init (&argc, &argv);
  if (argc > 1)
    rounds = MAX (1, atoi (argv[1]));
  if (!ar_test_engine_ensure ())
    {
      printf ("# skipped: %s\n", ar_test_engine_skip_reason ());
      return 77;
    }
  /* Containers and images of this run carry its label: removed at exit. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  base = ar_test_engine_base_image ();
  engine = ar_engine_new ("docker", "");
  builder = ar_image_builder_new (engine);
  settings = ar_settings_new_default ();
  env = ar_environment_new_with_id ();
  ar_environment_set_name (env, "bench");
  ar_environment_set_base_image (env, base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, "mkdir -p /opt/bench && echo baked > /opt/bench/marker\n");

  /* Warm: the environment layer is built here, and the engine has run
   * the image once each way. */
  time_interactive (builder, env, settings, &image);
  time_bare_run (image);
  time_batch (builder, env, settings);

  interactive_times = g_new0 (double, rounds);
  bare_times = g_new0 (double, rounds);
  batch_times = g_new0 (double, rounds);
  for (int i = 0; i < rounds; i++)
    {
      /* Turn the order, so that none always follows the same one. */
      for (int k = 0; k < 3; k++)
        switch ((i + k) % 3)
          {
          case 0:
            interactive_times[i] = time_interactive (builder, env, settings, NULL);
            break;
          case 1:
            bare_times[i] = time_bare_run (image);
            break;
          default:
            batch_times[i] = time_batch (builder, env, settings);
            break;
          }
      printf ("# round %d: interactive first byte %.0f ms, bare docker run -it %.0f ms, "
              "batch first line %.0f ms\n", i + 1, interactive_times[i] * 1000, bare_times[i] * 1000,
              batch_times[i] * 1000);
    }

  interactive_median = median (interactive_times, rounds);
  bare_median = median (bare_times, rounds);
  batch_median = median (batch_times, rounds);
  printf ("interactive task, Run to first byte of the agent's output (image %s, all layers cached): "
          "median %.0f ms over %d runs\n", image, interactive_median * 1000, rounds);
  printf ("bare docker run --rm -it IMAGE true on a pty, to exit: median %.0f ms over %d runs\n",
          bare_median * 1000, rounds);
  printf ("batch task, start to first output line: median %.0f ms over %d runs\n", batch_median * 1000, rounds);
  printf ("ratio interactive / bare docker run -it: %.2f\n", interactive_median / bare_median);
  printf ("ratio interactive / batch: %.2f\n", interactive_median / batch_median);
  return 0;
}
