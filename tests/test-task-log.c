/* test-task-log.c — log lines, ANSI stripping, redaction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ar-task-log.h"
#include "ar-task-runner.h"
#include "test-utils.h"

/* TOKEN_HOLD_BYTES in ar-task-log.c */
#define TOKEN_HOLD_TEST_BYTES 4096

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

/* 256 MiB (32 under ASan) without a line end: the file holds every byte, memory does not
 * grow with the line, and the line shows cut with a count. */
static void
test_huge_line (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("log");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *chunk = g_strnfill (64 * 1024, 'x');
  /* 32 MiB under ASan (the sanitizer lane), where the 256 MiB take 17 s of
   * CPU and the memory bound below is not asserted: still 8 times the
   * longest text the log ever holds back (DEFER_MAX_BYTES). */
  const gsize total = (AR_TEST_UNDER_ASAN ? 32u : 256u) * 1024 * 1024;
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
  g_test_message ("peak RSS growth for a %" G_GSIZE_FORMAT " MiB line: %ld KiB", total / (1024 * 1024), growth);
  if (!AR_TEST_UNDER_ASAN)
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


/* What the log file holds after `line` went in as the given pieces. */
static char *
file_after_pieces (const char *const *secrets, const char *line, const gsize *cuts, guint n_cuts)
{
  g_autofree char *dir = ar_test_mkdtemp ("log");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
  gsize len = strlen (line), at = 0;
  char *text;

  for (guint i = 0; secrets != NULL && secrets[i] != NULL; i++)
    ar_task_log_add_secret (log, secrets[i]);
  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize next = i < n_cuts ? MIN (cuts[i], len) : len;

      ar_task_log_output_piece (log, line + at, (gssize) (next - at),
                                i < n_cuts ? AR_LOG_END_NONE : AR_LOG_END_NEWLINE);
      at = next;
    }
  ar_task_log_close (log);
  text = ar_test_read_file (path);
  g_unlink (path);
  g_rmdir (dir);
  return text;
}

static char *
whole_line_redacted (const char *const *secrets, const char *line)
{
  g_autoptr(ArTaskLog) whole = ar_task_log_new (NULL, NULL);
  g_autofree char *redacted = NULL;

  for (guint i = 0; secrets != NULL && secrets[i] != NULL; i++)
    ar_task_log_add_secret (whole, secrets[i]);
  redacted = ar_task_log_redact (whole, line);
  return g_strconcat (redacted, "\n", NULL);
}

/* More than 4 KiB of token characters, then a token that the 64 KiB part
 * cuts: "…aaaa-sk-ABCDEFGH" | "IJKLMNOPQRST": neither half holds 16
 * characters after "sk-", the whole line does. */
static void
test_token_at_part_boundary (void)
{
  const char *token = "sk-ABCDEFGHIJKLMNOPQRST";
  const gsize part = 64 * 1024;
  g_autoptr(GString) line = g_string_new ("start ");
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  gsize cut;

  /* the cut falls 8 characters after "sk-" */
  while (line->len < part - 1 - 3 - 8)
    g_string_append_c (line, 'a');
  g_string_append_c (line, '-');
  cut = line->len + 3 + 8;
  g_string_append (line, token);
  g_string_append (line, " end");
  g_assert_cmpuint (cut, ==, part);
  g_assert_cmpuint (line->len - (cut - 3 - 8) + 1 + 5000, >, TOKEN_HOLD_TEST_BYTES);

  text = file_after_pieces (NULL, line->str, &cut, 1);
  expected = whole_line_redacted (NULL, line->str);
  g_assert_null (strstr (text, "sk-"));
  g_assert_null (strstr (text, "IJKLMNOPQRST"));
  g_assert_true (g_str_has_suffix (text, "-[REDACTED] end\n"));
  g_assert_true (strcmp (text, expected) == 0);
}

/* Random lines cut at random places: the file holds exactly what redacting
 * the whole line gives. */
static void
test_pieces_equal_whole_random (void)
{
  static const char *const fragments[] = {
    " ", "-", "_", "a", "Z", "9", "é", "[", ":", "/", "sk-", "ghp_", "gho_", "github_pat_",
    "sk-abcdefghijklmnop", "ghp_ABCDEFGHIJKLMNOPQRST", "github_pat_abc_defghijklmnopqrst",
    "s3cr3t-value", "s3cr3t", "tail-sk-", "x\xc3\xa9y",
    "https://", "ssh://", "git+ssh://", "SSH://", "://", ":", ":/", "/", "@", "user:pw@", "git@", "\"",
    "http://tok3n@host/", "https://u:s3cr3t-value@h.example/p",
  };
  /* URL-dense lines: long authorities, so that parts end inside them */
  static const char *const url_fragments[] = {
    "u", "ser", ":", "pw", "@", "@", "host", ".", "-", "s3cr3t-value", "9", "sk-abcdefghijklmnop", "h",
    "https://", "ssh://", "/",
  };
  const char *const secrets[] = { "s3cr3t-value", "cr3t-v", "value-sk-abcdefghijklmnop", "ghp_ABCD", NULL };
  const guint rounds = g_test_thorough () ? 2000 : 150;

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GString) line = g_string_new (NULL);
      g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
      g_autofree char *text = NULL;
      g_autofree char *expected = NULL;
      gsize target = (gsize) g_test_rand_int_range (1, round % 3 == 0 ? 300 * 1024 : 140 * 1024);
      const char *const *with = round % 2 == 0 ? secrets : NULL;

      while (line->len < target)
        {
          int pick = g_test_rand_int_range (0, 100);

          if (round % 4 == 1)
            {
              /* "https://", "ssh://" and "/" one time in 60 */
              guint n = G_N_ELEMENTS (url_fragments);
              guint k = pick < 5 ? n - 3 + (guint) g_test_rand_int_range (0, 3) : (guint) g_test_rand_int_range (0, (gint) n - 3);

              g_string_append (line, url_fragments[k]);
            }
          else if (pick < 8)
            {
              /* a long run of token characters */
              gsize n = (gsize) g_test_rand_int_range (1, 12000);
              const char *alphabet = "abcXYZ019_-";

              for (gsize i = 0; i < n; i++)
                g_string_append_c (line, alphabet[g_test_rand_int_range (0, 11)]);
            }
          else
            g_string_append (line, fragments[g_test_rand_int_range (0, G_N_ELEMENTS (fragments))]);
        }
      /* cuts on character boundaries, as the engine hands pieces on */
      for (gsize at = 0;;)
        {
          at += (gsize) g_test_rand_int_range (1, g_test_rand_bit () ? 200 : 70000);
          while (at < line->len && ((guchar) line->str[at] & 0xc0) == 0x80)
            at++;
          if (at >= line->len)
            break;
          g_array_append_val (cuts, at);
        }
      text = file_after_pieces (with, line->str, (gsize *) cuts->data, cuts->len);
      expected = whole_line_redacted (with, line->str);
      if (g_strcmp0 (text, expected) != 0)
        {
          gsize d = 0;

          while (text[d] == expected[d])
            d++;
          g_test_message ("round %u: %zu bytes in %u pieces differ at %zu: «%.60s» vs «%.60s»", round,
                          line->len, cuts->len + 1, d, text + (d > 20 ? d - 20 : 0), expected + (d > 20 ? d - 20 : 0));
        }
      g_assert_true (strcmp (text, expected) == 0);
    }
}

static void
collect_any (ArTaskLog *log, const char *line, int level, GPtrArray *lines)
{
  g_ptr_array_add (lines, g_strdup (line));
}

/* A stdout line longer than a part, with stderr lines coming in the middle
 * of it (and the other way round): each line stays whole in the file, the
 * other's lines follow it. */
static void
test_streams_apart (void)
{
  for (int long_stream = 0; long_stream < 2; long_stream++)
    {
      g_autofree char *dir = ar_test_mkdtemp ("log");
      g_autofree char *path = g_build_filename (dir, "task.log", NULL);
      g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *chunk = g_strnfill (50 * 1024, long_stream == 0 ? 'o' : 'e');
      g_autofree char *long_line = g_strnfill (5 * 50 * 1024, long_stream == 0 ? 'o' : 'e');
      g_autofree char *expected = NULL;
      g_autofree char *text = NULL;
      gboolean open[2] = { FALSE, FALSE };
      ArEngineStream other = long_stream == 0 ? AR_ENGINE_STREAM_STDERR : AR_ENGINE_STREAM_STDOUT;

      g_signal_connect (log, "line", G_CALLBACK (collect_any), lines);
      ar_task_runner_log_output_piece (log, open, other, "before", 6, AR_ENGINE_LINE_NEWLINE);
      for (int i = 0; i < 5; i++)
        {
          g_autofree char *note = g_strdup_printf ("other %d", i);

          ar_task_runner_log_output_piece (log, open, long_stream, chunk, strlen (chunk), AR_ENGINE_LINE_CONTINUES);
          ar_task_runner_log_output_piece (log, open, other, note, strlen (note), AR_ENGINE_LINE_NEWLINE);
        }
      /* a part of the other's line waits too */
      ar_task_runner_log_output_piece (log, open, other, "half ", 5, AR_ENGINE_LINE_CONTINUES);
      ar_task_runner_log_output_piece (log, open, long_stream, "", 0, AR_ENGINE_LINE_NEWLINE);
      ar_task_runner_log_output_piece (log, open, other, "and half", 8, AR_ENGINE_LINE_NEWLINE);
      ar_task_log_close (log);

      text = ar_test_read_file (path);
      /* "other 0" came while the long line was still all in memory */
      expected = g_strdup_printf ("before\nother 0\n%s\nother 1\nother 2\nother 3\nother 4\nhalf and half\n", long_line);
      g_assert_cmpuint (strlen (text), ==, strlen (expected));
      g_assert_true (strcmp (text, expected) == 0);
      /* Every line is shown once and whole (the long one cut with a count). */
      g_assert_cmpuint (lines->len, ==, 8);
      g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "before");
      g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "other 0");
      g_assert_cmpstr (g_ptr_array_index (lines, 7), ==, "half and half");
      {
        guint n_long = 0;

        for (guint i = 0; i < lines->len; i++)
          if (g_str_has_prefix (g_ptr_array_index (lines, i), long_stream == 0 ? "ooo" : "eee"))
            n_long++;
        g_assert_cmpuint (n_long, ==, 1);
      }
    }
}

static void
test_url_userinfo (void)
{
  const char *const cases[][2] = {
    { "cloning https://user:p%40ss@example.org/r.git into /x",
      "cloning https://[REDACTED]@example.org/r.git into /x" },
    { "fatal: 'https://ghp_abc@github.com/o/r' and http://a:b@h:8080",
      "fatal: 'https://[REDACTED]@github.com/o/r' and http://[REDACTED]@h:8080" },
    { "ssh://git@example.org/r.git ssh://git:pw@example.org/r",
      "ssh://git@example.org/r.git ssh://[REDACTED]@example.org/r" },
    { "no credentials: https://example.org/a@b and mailto:x@y",
      "no credentials: https://example.org/a@b and mailto:x@y" },
    { "://@ odd ://x@y", "://@ odd ://x@y" },
  };
  g_autofree char *dir = ar_test_mkdtemp ("log");
  g_autofree char *path = g_build_filename (dir, "task.log", NULL);
  g_autoptr(ArTaskLog) log = ar_task_log_new (path, NULL);
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = ar_log_redact_url_userinfo (cases[i][0]);

      g_assert_cmpstr (out, ==, cases[i][1]);
    }
  ar_task_log_message (log, "git/clone", AR_LOG_INFO, "cloning %s", "https://me:hunter22@example.org/r.git");
  /* output too, whatever the pieces */
  ar_task_log_output_piece (log, "fatal: https://me:hun", -1, AR_LOG_END_NONE);
  ar_task_log_output_piece (log, "ter22@example.org/r.git", -1, AR_LOG_END_NEWLINE);
  ar_task_log_close (log);
  text = ar_test_read_file (path);
  g_assert_cmpstr (text, ==, "[git/clone][INFO] cloning https://[REDACTED]@example.org/r.git\n"
                             "fatal: https://[REDACTED]@example.org/r.git\n");
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
  g_test_add_func ("/task-log/token-at-part-boundary", test_token_at_part_boundary);
  g_test_add_func ("/task-log/pieces-equal-whole-random", test_pieces_equal_whole_random);
  g_test_add_func ("/task-log/streams-apart", test_streams_apart);
  g_test_add_func ("/task-log/url-userinfo", test_url_userinfo);

  return g_test_run ();
}
