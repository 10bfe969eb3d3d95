/* test-task-log.c — log lines, ANSI stripping, redaction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ar-task-log.h"
#include "test-utils.h"

static void
test_format_and_level (void)
{
  g_autofree char *line = ar_log_format ("image/env", AR_LOG_WARN, "cache MISS");

  g_assert_cmpstr (line, ==, "[image/env][WARN] cache MISS");
  g_assert_cmpint (ar_log_level_of_line (line), ==, AR_LOG_WARN);
  g_assert_cmpint (ar_log_level_of_line ("[task][ERROR] x"), ==, AR_LOG_ERROR);
  g_assert_cmpint (ar_log_level_of_line ("[task][DEBUG] x"), ==, AR_LOG_DEBUG);
  g_assert_cmpint (ar_log_level_of_line ("plain output"), ==, AR_LOG_OUTPUT);
  g_assert_cmpint (ar_log_level_of_line ("[1/3][INFOS] not a level"), ==, AR_LOG_OUTPUT);
}

static void
test_strip_ansi (void)
{
  g_autofree char *a = ar_log_strip_ansi ("\033[1;31merror\033[0m: \033]0;title\007done\r");
  g_autofree char *b = ar_log_strip_ansi ("tab\tkept \033[2Kcleared");

  g_assert_cmpstr (a, ==, "error: done");
  g_assert_cmpstr (b, ==, "tab\tkept cleared");
}

static void
collect_line (ArTaskLog *log, const char *line, int level, GPtrArray *lines)
{
  g_ptr_array_add (lines, g_strdup (line));
}

static void
test_redaction_file_and_signal (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("log");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, &error);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  const char *vars[] = { "OPENAI_API_KEY=verysecretvalue123", "MY_PASSWORD=hunter2hunter2",
                         "PLAIN=visible-value", "X_TOKEN=ab", NULL };

  g_assert_no_error (error);
  g_signal_connect (log, "line", G_CALLBACK (collect_line), lines);
  ar_task_log_add_secret_env_vars (log, vars);

  ar_task_log_message (log, "task", AR_LOG_INFO, "key is %s", "verysecretvalue123");
  ar_task_log_output (log, "\033[32mpassword hunter2hunter2 and visible-value\033[0m");
  ar_task_log_output (log, "token ghp_abcdefghijklmnopqrstuvwxyz0123 and sk-proj-ABCDEFGHIJKLMNOP12");
  ar_task_log_output (log, "short value ab stays");
  ar_task_log_close (log);

  g_assert_cmpuint (lines->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "[task][INFO] key is [REDACTED]");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "password [REDACTED] and visible-value");
  g_assert_cmpstr (g_ptr_array_index (lines, 2), ==, "token [REDACTED] and [REDACTED]");
  g_assert_cmpstr (g_ptr_array_index (lines, 3), ==, "short value ab stays");

  text = ar_test_read_file (path);
  g_assert_null (strstr (text, "verysecretvalue123"));
  g_assert_null (strstr (text, "hunter2hunter2"));
  g_assert_null (strstr (text, "ghp_abc"));
  g_assert_null (strstr (text, "\033"));
  g_assert_cmpstr (text, ==,
                   "[task][INFO] key is [REDACTED]\n"
                   "password [REDACTED] and visible-value\n"
                   "token [REDACTED] and [REDACTED]\n"
                   "short value ab stays\n");
  g_assert_cmpuint (ar_task_log_get_n_lines (log), ==, 4);
}


/* Values are redacted before token shapes, whole, however they overlap. */
static void
test_redaction_order (void)
{
  g_autoptr(ArTaskLog) log = ar_task_log_new (NULL, NULL);
  const char *const cases[][3] = {
    /* secret, output, expected */
    { "sk-abcdefghijklmnop1234:Tr0ub4dor&3-the-real-secret",
      "key sk-abcdefghijklmnop1234:Tr0ub4dor&3-the-real-secret end", "key [REDACTED] end" },
    { "my-password-ghp_abcdefghijklmnopqrstuv0123",
      "pw=my-password-ghp_abcdefghijklmnopqrstuv0123.", "pw=[REDACTED]." },
    { "ghp_abcdefghijklmnopqrstuvwxyz0123:pa55word",
      "(ghp_abcdefghijklmnopqrstuvwxyz0123:pa55word)", "([REDACTED])" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ArTaskLog) one = ar_task_log_new (NULL, NULL);
      g_autofree char *out = NULL;

      ar_task_log_add_secret (one, cases[i][0]);
      out = ar_task_log_redact (one, cases[i][1]);
      g_assert_cmpstr (out, ==, cases[i][2]);
    }

  /* Overlapping values, and one inside another. */
  ar_task_log_add_secret (log, "abcdefgh");
  ar_task_log_add_secret (log, "efghijkl");
  ar_task_log_add_secret (log, "supersecretvalue");
  ar_task_log_add_secret (log, "secret");
  {
    g_autofree char *a = ar_task_log_redact (log, "xx abcdefghijkl yy");
    g_autofree char *b = ar_task_log_redact (log, "supersecretvalue and secret and sk-0123456789abcdefXYZ");
    g_autofree char *c = ar_task_log_redact (log, "efghijklabcdefgh!");

    g_assert_cmpstr (a, ==, "xx [REDACTED] yy");
    g_assert_cmpstr (b, ==, "[REDACTED] and [REDACTED] and [REDACTED]");
    g_assert_cmpstr (c, ==, "[REDACTED]!");
  }
}

typedef struct {
  GPtrArray *lines;
  GArray *progress;
} Collected;

static void
collect_progress (ArTaskLog *log, const char *line, int level, Collected *c)
{
  gboolean progress = ar_task_log_line_is_progress (log);

  g_ptr_array_add (c->lines, g_strdup (line));
  g_array_append_val (c->progress, progress);
}

/* A "\r" progress bar: every update in the file, each shown as one that the
 * next replaces, not one giant line. */
static void
test_progress (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("log");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
  Collected c = { g_ptr_array_new_with_free_func (g_free), g_array_new (FALSE, FALSE, sizeof (gboolean)) };
  g_autofree char *text = NULL;

  g_signal_connect (log, "line", G_CALLBACK (collect_progress), &c);
  ar_task_log_output_piece (log, "10%", -1, AR_LOG_END_RETURN);
  ar_task_log_output_piece (log, "\033[1m20", -1, AR_LOG_END_NONE);
  ar_task_log_output_piece (log, "%\033[0", -1, AR_LOG_END_NONE);
  ar_task_log_output_piece (log, "m", -1, AR_LOG_END_RETURN);
  ar_task_log_output_piece (log, "done", -1, AR_LOG_END_NEWLINE);
  ar_task_log_close (log);

  g_assert_cmpuint (c.lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (c.lines, 0), ==, "10%");
  g_assert_cmpstr (g_ptr_array_index (c.lines, 1), ==, "20%");
  g_assert_cmpstr (g_ptr_array_index (c.lines, 2), ==, "done");
  g_assert_true (g_array_index (c.progress, gboolean, 0));
  g_assert_true (g_array_index (c.progress, gboolean, 1));
  g_assert_false (g_array_index (c.progress, gboolean, 2));
  text = ar_test_read_file (path);
  g_assert_cmpstr (text, ==, "10%\r20%\rdone\n");
  g_ptr_array_unref (c.lines);
  g_array_unref (c.progress);
}

/* A long line in small pieces: values and tokens cut by the pieces, and by
 * the parts the log writes, are redacted as in the whole line. */
static void
test_pieces_redacted (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("log");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
  g_autoptr(ArTaskLog) whole = ar_task_log_new (NULL, NULL);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  const char *secret = "Tr0ub4dor&3-the-real-secret";
  const char *token = "sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  ar_task_log_add_secret (log, secret);
  ar_task_log_add_secret (whole, secret);
  for (guint i = 0; line->len < 600 * 1024; i++)
    {
      g_string_append_printf (line, "word%u ", i);
      if (i % 997 == 0)
        g_string_append_printf (line, "%s ", secret);
      if (i % 1499 == 0)
        g_string_append_printf (line, "%s ", token);
    }
  for (gsize at = 0; at < line->len; at += 777)
    ar_task_log_output_piece (log, line->str + at, (gssize) MIN (777, line->len - at), AR_LOG_END_NONE);
  ar_task_log_output_piece (log, "", 0, AR_LOG_END_NEWLINE);
  ar_task_log_close (log);

  text = ar_test_read_file (path);
  expected = ar_task_log_redact (whole, line->str);
  g_assert_null (strstr (text, "Tr0ub4"));
  g_assert_null (strstr (text, "sk-"));
  g_assert_null (strstr (text, "XYZ0123"));
  g_assert_cmpuint (strlen (text), ==, strlen (expected) + 1);
  g_assert_true (memcmp (text, expected, strlen (expected)) == 0);
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

static void
count_lines (ArTaskLog *log, const char *line, int level, GPtrArray *lines)
{
  g_ptr_array_add (lines, g_strdup (line));
}

/* 256 MiB without a line end: the file holds every byte, memory does not
 * grow with the line, and the line shows cut with a count. */
static void
test_huge_line (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("log");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *chunk = g_strnfill (64 * 1024, 'x');
  const gsize total = 256u * 1024 * 1024;
  long before, growth;
  GStatBuf st;
  FILE *file;
  char buf[4096];
  gsize n, seen = 0;
  gboolean all_x = TRUE;

  ar_task_log_add_secret (log, "not-in-the-output");
  g_signal_connect (log, "line", G_CALLBACK (count_lines), lines);
  before = vm_hwm_kib ();
  for (gsize done = 0; done < total; done += 64 * 1024)
    ar_task_log_output_piece (log, chunk, 64 * 1024, AR_LOG_END_NONE);
  ar_task_log_output_piece (log, "", 0, AR_LOG_END_NEWLINE);
  ar_task_log_close (log);
  growth = vm_hwm_kib () - before;
  g_test_message ("peak RSS growth for a 256 MiB line: %ld KiB", growth);
  g_assert_cmpint (growth, <, 64 * 1024);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, (goffset) total + 1);
  file = fopen (path, "rb");
  while ((n = fread (buf, 1, sizeof buf, file)) > 0)
    {
      for (gsize i = 0; i < n; i++)
        if (buf[i] != (seen + i < total ? 'x' : '\n'))
          all_x = FALSE;
      seen += n;
    }
  fclose (file);
  g_assert_true (all_x);

  g_assert_cmpuint (lines->len, ==, 1);
  {
    const char *shown = g_ptr_array_index (lines, 0);
    g_autofree char *marker = ar_log_cut_marker (total - AR_TASK_LOG_MAX_LINE_BYTES);

    g_assert_cmpuint (strlen (shown), ==, AR_TASK_LOG_MAX_LINE_BYTES + strlen (marker));
    g_assert_true (g_str_has_suffix (shown, marker));
  }
}

static void
test_secret_names (void)
{
  g_assert_true (ar_log_is_secret_name ("GITHUB_TOKEN"));
  g_assert_true (ar_log_is_secret_name ("openai_api_key"));
  g_assert_true (ar_log_is_secret_name ("DB_PASSWORD"));
  g_assert_true (ar_log_is_secret_name ("CLIENT_SECRET"));
  g_assert_false (ar_log_is_secret_name ("PATH"));
  g_assert_false (ar_log_is_secret_name ("LANG"));
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/task-log/format-and-level", test_format_and_level);
  g_test_add_func ("/task-log/strip-ansi", test_strip_ansi);
  g_test_add_func ("/task-log/redaction-file-and-signal", test_redaction_file_and_signal);
  g_test_add_func ("/task-log/secret-names", test_secret_names);
  g_test_add_func ("/task-log/redaction-order", test_redaction_order);
  g_test_add_func ("/task-log/progress", test_progress);
  g_test_add_func ("/task-log/pieces-redacted", test_pieces_redacted);
  g_test_add_func ("/task-log/huge-line", test_huge_line);

  return g_test_run ();
}
