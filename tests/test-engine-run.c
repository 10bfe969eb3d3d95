/* test-engine-run.c — ArEngine running commands: output streams, exit status, timeout, cancel, secrets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-engine.h"
#include "test-utils.h"
#include "test-engine-utils.h"

typedef struct {
  double t_a, t_b, t_err;
  guint lines;
} StreamSeen;

static void
stream_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  StreamSeen *seen = user_data;

  seen->lines++;
  if (stream == AR_ENGINE_STREAM_STDOUT && g_str_equal (line, "a"))
    seen->t_a = now_seconds ();
  else if (stream == AR_ENGINE_STREAM_STDOUT && g_str_equal (line, "b"))
    seen->t_b = now_seconds ();
  else if (stream == AR_ENGINE_STREAM_STDERR && g_str_equal (line, "e"))
    seen->t_err = now_seconds ();
}

static void
test_stream (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  GAsyncResult *result = NULL;
  StreamSeen seen = { 0 };
  double t0, t_end;
  int status;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);

  {
    const char *args[] = { "run", "--rm", "--label", ar_test_engine_run_label (), base,
                           "sh", "-c", "echo a; echo e >&2; sleep 1; echo b", NULL };

    t0 = now_seconds ();
    ar_engine_run_cli_async (engine, args, NULL, stream_line, &seen, 60, NULL, ar_test_store_result, &result);
    status = ar_engine_run_cli_finish (engine, ar_test_wait_result (&result), NULL, &error);
    t_end = now_seconds ();
  }
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (seen.lines, ==, 3);
  g_assert_cmpfloat (seen.t_a, >, 0);
  g_assert_cmpfloat (seen.t_b, >, 0);
  g_assert_cmpfloat (seen.t_err, >, 0);
  g_test_message ("line a after %.2f s, b after %.2f s, exit after %.2f s",
                  seen.t_a - t0, seen.t_b - t0, t_end - t0);
  /* "a" came while the container was still sleeping */
  g_assert_cmpfloat (seen.t_b - seen.t_a, >=, 0.7);
  g_assert_cmpfloat (t_end - seen.t_a, >=, 0.7);
}

static long
vm_hwm_kib (void)
{
  g_autofree char *status = NULL;
  const char *hwm;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  hwm = strstr (status, "VmHWM:");
  g_assert_nonnull (hwm);
  return strtol (hwm + strlen ("VmHWM:"), NULL, 10);
}

#define HUGE_LINE_BYTES (256u * 1024 * 1024)

typedef struct {
  guint64 bytes;
  gsize longest;
  guint n_lines;
  char *first;
} HugeSeen;

static void
huge_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  HugeSeen *seen = user_data;

  if (stream != AR_ENGINE_STREAM_STDOUT)
    return;
  seen->n_lines++;
  seen->longest = MAX (seen->longest, strlen (line));
  if (seen->first == NULL)
    seen->first = g_strdup (line);
}

static void
huge_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  HugeSeen *seen = user_data;

  if (stream != AR_ENGINE_STREAM_STDOUT)
    return;
  seen->bytes += len;
  seen->longest = MAX (seen->longest, len);
  if (end != AR_ENGINE_LINE_CONTINUES)
    seen->n_lines++;
}

/* 256 MiB without a line end (a "\r"-less progress bar): memory stays
 * bounded; a line callback gets the line cut with a count, a piece
 * callback every byte. */
static void
test_huge_line (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autofree char *base = NULL;
  g_autofree char *script = g_strdup_printf ("head -c %u /dev/zero | tr '\\0' x", HUGE_LINE_BYTES);

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);

  for (guint pieces = 0; pieces < 2; pieces++)
    {
      const char *args[] = { "run", "--rm", "--label", ar_test_engine_run_label (), base,
                             "sh", "-c", script, NULL };
      g_autoptr(GError) error = NULL;
      GAsyncResult *result = NULL;
      HugeSeen seen = { 0 };
      long before = vm_hwm_kib (), growth;
      int status;

      if (pieces)
        ar_engine_run_cli_pieces_async (engine, args, NULL, huge_piece, &seen, 300, NULL, ar_test_store_result, &result);
      else
        ar_engine_run_cli_async (engine, args, NULL, huge_line, &seen, 300, NULL, ar_test_store_result, &result);
      status = ar_engine_run_cli_finish (engine, ar_test_wait_result (&result), NULL, &error);
      g_clear_object (&result);
      g_assert_no_error (error);
      g_assert_cmpint (status, ==, 0);
      growth = vm_hwm_kib () - before;
      g_test_message ("%s: peak RSS growth %ld KiB for a 256 MiB line", pieces ? "pieces" : "lines", growth);
      g_assert_cmpint (growth, <, 64 * 1024);
      g_assert_cmpuint (seen.n_lines, ==, 1);
      if (pieces)
        {
          g_assert_cmpuint (seen.bytes, ==, HUGE_LINE_BYTES);
          g_assert_cmpuint (seen.longest, <=, AR_ENGINE_MAX_LINE_BYTES);
        }
      else
        {
          g_autofree char *more = g_strdup_printf ("%'u", HUGE_LINE_BYTES - AR_ENGINE_MAX_LINE_BYTES);

          g_assert_nonnull (seen.first);
          g_assert_true (g_str_has_prefix (seen.first, "xxxx"));
          g_assert_nonnull (strstr (seen.first, more));
          g_assert_cmpuint (seen.longest, <, AR_ENGINE_MAX_LINE_BYTES + 200);
        }
      g_free (seen.first);
    }
}

typedef struct {
  GString *pieces;
  GString *lines;
} ProgressSeen;

static void
progress_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  ProgressSeen *seen = user_data;

  g_string_append_len (seen->pieces, text, (gssize) len);
  /* Where a line comes in pieces is up to the pipe: only the ends count. */
  if (end != AR_ENGINE_LINE_CONTINUES)
    g_string_append (seen->pieces, end == AR_ENGINE_LINE_RETURN ? "<R>" : "<N>");
}

static void
progress_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  ProgressSeen *seen = user_data;

  g_string_append_printf (seen->lines, "%s|", line);
}

/* "\r" ends a line, "\r\n" is one line end; a line callback gets only the
 * last of a run of updates. */
static void
test_carriage_return (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autofree char *base = NULL;
  ProgressSeen seen = { g_string_new (NULL), g_string_new (NULL) };

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);

  for (guint pieces = 0; pieces < 2; pieces++)
    {
      const char *args[] = { "run", "--rm", "--label", ar_test_engine_run_label (), base, "sh", "-c",
                             "printf '10%%\\r20%%\\r30%%\\rdone\\r\\nnext\\n50%%\\r'", NULL };
      g_autoptr(GError) error = NULL;
      GAsyncResult *result = NULL;

      if (pieces)
        ar_engine_run_cli_pieces_async (engine, args, NULL, progress_piece, &seen, 60, NULL, ar_test_store_result, &result);
      else
        ar_engine_run_cli_async (engine, args, NULL, progress_line, &seen, 60, NULL, ar_test_store_result, &result);
      g_assert_cmpint (ar_engine_run_cli_finish (engine, ar_test_wait_result (&result), NULL, &error), ==, 0);
      g_clear_object (&result);
      g_assert_no_error (error);
    }
  g_assert_cmpstr (seen.pieces->str, ==, "10%<R>20%<R>30%<R>done<N>next<N>50%<R>");
  g_assert_cmpstr (seen.lines->str, ==, "done|next|50%|");
  g_string_free (seen.pieces, TRUE);
  g_string_free (seen.lines, TRUE);
}

typedef struct {
  guint lines;
  guint last;
  gint64 busy_until;
} StarvedSeen;

/* Work at the default priority that keeps the main loop busy: the output
 * readers (below it) wait. */
static gboolean
keep_busy (gpointer user_data)
{
  StarvedSeen *seen = user_data;

  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  return g_get_monotonic_time () < seen->busy_until ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
starved_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  StarvedSeen *seen = user_data;

  if (stream != AR_ENGINE_STREAM_STDOUT)
    return;
  if (seen->lines++ == 0)
    {
      seen->busy_until = g_get_monotonic_time () + 4 * G_TIME_SPAN_SECOND;
      g_idle_add_full (G_PRIORITY_DEFAULT, keep_busy, seen, NULL);
    }
  seen->last = (guint) g_ascii_strtoull (line, NULL, 10);
}

/* Output the CLI wrote before it ended is not lost when the readers are
 * kept from running for longer than the wait for a grandchild's output
 * (2 s): the first line starts 4 s of work that keeps the main loop busy;
 * a second later the container writes 39 kB (they fit in the pipe) and
 * ends, and so does the CLI. */
static void
test_output_after_exit (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  GAsyncResult *result = NULL;
  StarvedSeen seen = { 0 };
  const char *args[] = { "run", "--rm", "--label", NULL, NULL, "sh", "-c",
                         "echo 0; sleep 1; i=1; while [ $i -le 8000 ]; do echo $i; i=$((i + 1)); done", NULL };

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);
  args[3] = ar_test_engine_run_label ();
  args[4] = base;

  ar_engine_run_cli_async (engine, args, NULL, starved_line, &seen, 120, NULL, ar_test_store_result, &result);
  g_assert_cmpint (ar_engine_run_cli_finish (engine, ar_test_wait_result (&result), NULL, &error), ==, 0);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (seen.last, ==, 8000);
  g_assert_cmpuint (seen.lines, ==, 8001);
}

static void
test_exit_status (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failure = NULL;
  g_autofree char *base = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *bad_env[] = { "1BAD=x", NULL };
  int status;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);

  {
    const char *args[] = { "run", "--rm", "--label", ar_test_engine_run_label (), base,
                           "sh", "-c", "echo out; echo boom >&2; exit 4", NULL };

    status = run_sync (engine, args, &out, &err);
    g_assert_cmpint (status, ==, 4);
    g_assert_cmpstr (out, ==, "out\n");
    g_assert_cmpstr (err, ==, "boom\n");
    failure = ar_engine_cli_error_new (engine, args, status, err);
    g_assert_error (failure, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED);
    g_assert_nonnull (strstr (failure->message, "docker run"));
    g_assert_nonnull (strstr (failure->message, "exit status 4"));
    g_assert_nonnull (strstr (failure->message, "boom"));
  }

  {
    const char *args[] = { "version", NULL };

    status = ar_engine_run_cli_sync (engine, args, bad_env, 10, NULL, NULL, NULL, &error);
    g_assert_cmpint (status, ==, -1);
    g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED);
  }
}

static gboolean
container_exists (const char *name)
{
  g_autofree char *filter = g_strconcat ("name=^", name, "$", NULL);
  const char *args[] = { "ps", "-a", "-q", "--filter", filter, NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (ar_test_engine_docker (args, &out, NULL), ==, 0);
  return g_strstrip (out)[0] != '\0';
}

static gboolean
cancel_later (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
run_and_stop (gboolean by_timeout)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  GAsyncResult *result = NULL;
  double t0, elapsed;
  int status;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);
  name = g_strdup_printf ("ar-test-%s-%s", by_timeout ? "timeout" : "cancel", ar_test_engine_run_id ());

  {
    const char *args[] = { "run", "--rm", "--name", name, "--label", ar_test_engine_run_label (),
                           base, "sleep", "60", NULL };

    t0 = now_seconds ();
    if (!by_timeout)
      g_timeout_add (2000, cancel_later, cancellable);
    ar_engine_run_cli_async (engine, args, NULL, NULL, NULL, by_timeout ? 2 : 0,
                             by_timeout ? NULL : cancellable, ar_test_store_result, &result);
    status = ar_engine_run_cli_finish (engine, ar_test_wait_result (&result), NULL, &error);
    elapsed = now_seconds () - t0;
  }
  g_clear_object (&result);

  g_test_message ("%s: stopped after %.2f s", by_timeout ? "timeout" : "cancel", elapsed);
  g_assert_cmpint (status, ==, -1);
  if (by_timeout)
    {
      g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_TIMEOUT);
      g_assert_nonnull (strstr (error->message, "2 seconds"));
    }
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (elapsed, >=, 1.9);
  g_assert_cmpfloat (elapsed, <, 8.0);

  /* nothing left behind: no container, no CLI process */
  g_assert_false (container_exists (name));
  g_assert_false (ar_test_any_cmdline_contains (name));
}

static void
test_timeout (void)
{
  run_and_stop (TRUE);
}

static void
test_cancel (void)
{
  run_and_stop (FALSE);
}

typedef struct {
  const char *secret;
  const char *marker;
  gboolean saw_secret;
  gboolean checked;
} SecretSeen;

static void
secret_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  SecretSeen *seen = user_data;

  if (stream != AR_ENGINE_STREAM_STDOUT || !g_str_equal (line, seen->secret))
    return;
  seen->saw_secret = TRUE;
  /* while the container runs: the CLI is there (its argv has the marker),
   * the value is in no process's argv */
  g_assert_true (ar_test_any_cmdline_contains (seen->marker));
  g_assert_false (ar_test_any_cmdline_contains (seen->secret));
  seen->checked = TRUE;
}

static void
run_with_secret (ArEngine *engine)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = ar_test_engine_base_image ();
  g_autofree char *secret = g_strdup_printf ("s3cr3t-%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *marker = g_strdup_printf ("ar-test-secret-%08x", g_random_int ());
  g_autofree char *marker_label = g_strconcat (RUN_LABEL_KEY "-marker=", marker, NULL);
  g_autofree char *env = g_strconcat ("SECRET=", secret, NULL);
  const char *extra_env[] = { env, NULL };
  const char *args[] = { "run", "--rm", "-e", "SECRET", "--label", ar_test_engine_run_label (),
                         "--label", marker_label, base,
                         "sh", "-c", "echo \"$SECRET\"; sleep 1", NULL };
  SecretSeen seen = { secret, marker, FALSE, FALSE };
  GAsyncResult *result = NULL;
  int status;

  ar_engine_run_cli_async (engine, args, extra_env, secret_line, &seen, 60, NULL, ar_test_store_result, &result);
  status = ar_engine_run_cli_finish (engine, ar_test_wait_result (&result), NULL, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (seen.saw_secret);
  g_assert_true (seen.checked);
}

static void
test_secret_env (void)
{
  g_autoptr(ArEngine) engine = NULL;

  if (!ar_test_engine_need ())
    return;
  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);
  run_with_secret (engine);
}

/* flatpak-spawn cannot run outside a sandbox: this stands in for
 * `flatpak-spawn --host`, taking its options as it does (a forwarded fd stays
 * open, --env is exported) and running the command here. */
static const char fake_flatpak_spawn[] =
  "#!/bin/sh\n"
  "touch \"$0.used\"\n"
  "while [ $# -gt 0 ]; do\n"
  "  case \"$1\" in\n"
  "    --host|--watch-bus) shift ;;\n"
  "    --forward-fd=*) shift ;;\n"
  "    --env=*) export \"${1#--env=}\"; shift ;;\n"
  "    -*) echo \"fake flatpak-spawn: unexpected option $1\" >&2; exit 2 ;;\n"
  "    *) break ;;\n"
  "  esac\n"
  "done\n"
  "exec \"$@\"\n";

static void
test_flatpak_secret_env (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autofree char *saved_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *bin = NULL;
  g_autofree char *fake = NULL;
  g_autofree char *used = NULL;
  g_autofree char *info = NULL;
  g_autofree char *path = NULL;

  if (!ar_test_engine_need ())
    return;
  bin = ar_test_mkdtemp ("fake-flatpak");
  fake = g_build_filename (bin, "flatpak-spawn", NULL);
  used = g_strconcat (fake, ".used", NULL);
  info = g_build_filename (bin, "flatpak-info", NULL);
  ar_test_write_file (fake, fake_flatpak_spawn);
  g_assert_cmpint (g_chmod (fake, 0755), ==, 0);
  ar_test_write_file (info, "[Application]\n");
  path = g_strconcat (bin, ":", saved_path, NULL);
  g_setenv ("PATH", path, TRUE);

  engine = engine_on (AR_ENGINE_QUERY_PATH_AUTO);
  ar_engine_set_flatpak_info_path (engine, info);
  g_assert_cmpstr (ar_engine_get_cli_argv0 (engine), ==, "flatpak-spawn");
  run_with_secret (engine);
  g_assert_true (g_file_test (used, G_FILE_TEST_EXISTS));

  g_setenv ("PATH", saved_path, TRUE);
}

/* As another user the socket is out of reach: both paths say what to do. */
static void
test_permission_denied (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  const char *self_exe = "/proc/self/exe";
  g_autofree char *exe = NULL;

  if (!ar_test_engine_need ())
    return;
  if (geteuid () != 0)
    {
      g_test_skip ("only root can run the probe as another user");
      return;
    }
  exe = g_file_read_link (self_exe, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, "/");
  g_subprocess_launcher_setenv (launcher, "HOME", "/nonexistent", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "", TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, "setpriv", "--reuid=65534", "--regid=65534",
                                      "--clear-groups", exe, "--permission-probe", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("probe: %s%s", out, err);
  /* setpriv could not run us: the build folder is closed to others */
  if (g_subprocess_get_exit_status (proc) == 126 || g_subprocess_get_exit_status (proc) == 127)
    {
      g_test_skip ("the test program is out of reach of an unprivileged user");
      return;
    }
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_nonnull (strstr (out, "api: permission-denied"));
  g_assert_nonnull (strstr (out, "cli: permission-denied"));
  g_assert_nonnull (strstr (out, "sudo usermod -aG docker $USER"));
}

/* Runs in the child of test_permission_denied, as nobody. */
static int
permission_probe (void)
{
  const ArEngineQueryPath paths[] = { AR_ENGINE_QUERY_PATH_API, AR_ENGINE_QUERY_PATH_CLI };
  const char *names[] = { "api", "cli" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(ArEngine) engine = ar_engine_new ("docker", "");
      g_autoptr(GError) error = NULL;

      ar_engine_set_query_path (engine, paths[i]);
      if (ar_engine_ping_sync (engine, NULL, &error))
        g_print ("%s: answered\n", names[i]);
      else if (g_error_matches (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_PERMISSION_DENIED))
        g_print ("%s: permission-denied: %s\n", names[i], error->message);
      else
        g_print ("%s: other: %s\n", names[i], error->message);
    }
  return 0;
}

typedef struct {
  GString *text;        /* pieces joined, line ends as "\n" or "\r" */
  gsize longest;
  guint n_pieces;
} Pieces;

static void
collect_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  Pieces *p = user_data;

  g_assert_cmpint (stream, ==, AR_ENGINE_STREAM_STDERR);
  g_assert_true (g_utf8_validate_len (text, len, NULL));
  g_assert_null (memchr (text, '\n', len));
  g_assert_null (memchr (text, '\r', len));
  p->longest = MAX (p->longest, len);
  p->n_pieces++;
  g_string_append_len (p->text, text, (gssize) len);
  if (end == AR_ENGINE_LINE_NEWLINE)
    g_string_append_c (p->text, '\n');
  else if (end == AR_ENGINE_LINE_RETURN)
    g_string_append_c (p->text, '\r');
}

/* The shared reader (the engine CLI's output, a clone's): a long line in
 * pieces of at most 64 KiB, "\r" and "\r\n" ends, invalid UTF-8 made valid,
 * the last line without an end handed on at the end. */
static void
test_read_pieces (void)
{
  g_autoptr(GString) input = g_string_new ("one\r\ntwo\rthree\n");
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Pieces p = { g_string_new (NULL), 0, 0 };
  g_autoptr(GString) expected = NULL;
  gsize big = 5 * AR_ENGINE_MAX_LINE_BYTES + 123;

  /* two-byte characters across the 64 KiB cuts */
  while (input->len < strlen ("one\r\ntwo\rthree\n") + big)
    g_string_append (input, input->len % 3 == 0 ? "\xc3\xa9" : "a");
  big = input->len - strlen ("one\r\ntwo\rthree\n");
  g_string_append (input, "\nbad \xff byte\r\rlast");
  expected = g_string_new ("one\ntwo\rthree\n");
  g_string_append_len (expected, input->str + strlen ("one\r\ntwo\rthree\n"), (gssize) big);
  g_string_append (expected, "\nbad \xef\xbf\xbd byte\r\rlast\n");

  in = g_memory_input_stream_new_from_data (g_memdup2 (input->str, input->len), (gssize) input->len, g_free);
  ar_engine_read_pieces_async (in, AR_ENGINE_STREAM_STDERR, collect_piece, &p, NULL, ar_test_store_result, &result);
  g_assert_true (ar_engine_read_pieces_finish (ar_test_wait_result (&result), NULL));
  g_assert_cmpuint (p.longest, <=, AR_ENGINE_MAX_LINE_BYTES);
  g_assert_cmpuint (p.n_pieces, >=, 6 + 5);
  g_assert_cmpuint (p.text->len, ==, expected->len);
  g_assert_true (memcmp (p.text->str, expected->str, expected->len) == 0);
  g_string_free (p.text, TRUE);
}

int
main (int argc, char *argv[])
{
  if (argc > 1 && g_str_equal (argv[1], "--permission-probe"))
    return permission_probe ();

  ar_test_init (&argc, &argv);

  g_test_add_func ("/engine/stream", test_stream);
  g_test_add_func ("/engine/huge-line", test_huge_line);
  g_test_add_func ("/engine/carriage-return", test_carriage_return);
  g_test_add_func ("/engine/read-pieces", test_read_pieces);
  g_test_add_func ("/engine/output-after-exit", test_output_after_exit);
  g_test_add_func ("/engine/exit-status", test_exit_status);
  g_test_add_func ("/engine/timeout", test_timeout);
  g_test_add_func ("/engine/cancel", test_cancel);
  g_test_add_func ("/engine/secret-env", test_secret_env);
  g_test_add_func ("/engine/flatpak-secret-env", test_flatpak_secret_env);
  g_test_add_func ("/engine/permission-denied", test_permission_denied);

  return g_test_run ();
}
