/* test-task-log-tail.c — reading the end of a log file, without GTK:
 * partial last lines, progress updates, files that grow, are cut or are
 * replaced, huge files, invalid UTF-8
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ar-task-log-tail.h"
#include "test-utils.h"

static char *
log_path (const char *name)
{
  g_autofree char *dir = ar_test_mkdtemp ("tail");

  return g_build_filename (dir, name, NULL);
}

static const char *
line_text (ArTaskLogTail *tail, guint i)
{
  g_assert_cmpuint (i, <, tail->lines->len);
  return g_array_index (tail->lines, ArTaskLogTailLine, i).text;
}

static ArTaskLogTailLine *
line_at (ArTaskLogTail *tail, guint i)
{
  g_assert_cmpuint (i, <, tail->lines->len);
  return &g_array_index (tail->lines, ArTaskLogTailLine, i);
}

static void
append (const char *path, const char *text)
{
  FILE *file = fopen (path, "ab");

  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (text, 1, strlen (text), file), ==, strlen (text));
  g_assert_cmpint (fclose (file), ==, 0);
}

static void
test_last_lines_and_levels (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) all = NULL;
  g_autoptr(ArTaskLogTail) two = NULL;

  ar_test_write_file (path, "[task][INFO] one\n[task][WARN] two\nthree\n[task][ERROR] four\n");
  all = ar_task_log_tail_read (path, -1, 100, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->lines->len, ==, 4);
  g_assert_false (all->truncated);
  g_assert_cmpstr (line_text (all, 0), ==, "[task][INFO] one");
  g_assert_cmpint (line_at (all, 0)->level, ==, AR_LOG_INFO);
  g_assert_cmpint (line_at (all, 1)->level, ==, AR_LOG_WARN);
  g_assert_cmpint (line_at (all, 2)->level, ==, AR_LOG_OUTPUT);
  g_assert_cmpint (line_at (all, 3)->level, ==, AR_LOG_ERROR);
  g_assert_cmpuint (line_at (all, 3)->length, ==, strlen ("[task][ERROR] four"));

  two = ar_task_log_tail_read (path, -1, 2, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->lines->len, ==, 2);
  g_assert_true (two->truncated);
  g_assert_cmpstr (line_text (two, 0), ==, "three");
  g_assert_cmpstr (line_text (two, 1), ==, "[task][ERROR] four");
}

static void
test_partial_last_line (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) tail = NULL;
  g_autoptr(ArTaskLogTail) last = NULL;

  /* A line still being written has no line end yet: it is a line. */
  ar_test_write_file (path, "a\nb\nhalf a li");
  tail = ar_task_log_tail_read (path, -1, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tail->lines->len, ==, 3);
  g_assert_cmpstr (line_text (tail, 2), ==, "half a li");
  g_assert_false (line_at (tail, 2)->progress);

  last = ar_task_log_tail_read (path, -1, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->lines->len, ==, 1);
  g_assert_cmpstr (line_text (last, 0), ==, "half a li");
  g_assert_true (last->truncated);
}

static void
test_progress_updates (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) tail = NULL;

  ar_test_write_file (path, "start\n 10%\r 50%\rdone\n");
  tail = ar_task_log_tail_read (path, -1, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tail->lines->len, ==, 4);
  g_assert_false (line_at (tail, 0)->progress);
  g_assert_cmpstr (line_text (tail, 1), ==, " 10%");
  g_assert_true (line_at (tail, 1)->progress);
  g_assert_true (line_at (tail, 2)->progress);
  g_assert_cmpstr (line_text (tail, 3), ==, "done");
  g_assert_false (line_at (tail, 3)->progress);
}

static void
test_file_grows (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) tail = NULL;
  g_autoptr(ArTaskLogTail) now = NULL;
  GStatBuf st;

  /* The size is taken when a view attaches; later lines come by signal. */
  ar_test_write_file (path, "one\ntwo\n");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  append (path, "three\nfour\n");
  tail = ar_task_log_tail_read (path, st.st_size, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tail->lines->len, ==, 2);
  g_assert_cmpstr (line_text (tail, 1), ==, "two");

  now = ar_task_log_tail_read (path, -1, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (now->lines->len, ==, 4);
  g_assert_cmpstr (line_text (now, 3), ==, "four");
}

static void
test_file_cut_or_replaced (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autofree char *rotated = g_strconcat (path, ".1", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) cut = NULL;
  g_autoptr(ArTaskLogTail) replaced = NULL;
  g_autoptr(ArTaskLogTail) gone = NULL;
  GStatBuf st;

  ar_test_write_file (path, "one\ntwo\nthree\nfour\n");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  /* Truncated after its size was taken: what is there is the log. */
  g_assert_cmpint (truncate (path, 4), ==, 0);
  cut = ar_task_log_tail_read (path, st.st_size, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cut->lines->len, ==, 1);
  g_assert_cmpstr (line_text (cut, 0), ==, "one");
  g_assert_false (cut->truncated);

  /* Rotated: the path names a new, shorter file. */
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  ar_test_write_file (path, "fresh\n");
  replaced = ar_task_log_tail_read (path, st.st_size, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replaced->lines->len, ==, 1);
  g_assert_cmpstr (line_text (replaced, 0), ==, "fresh");

  /* Removed: no lines, no error. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  gone = ar_task_log_tail_read (path, st.st_size, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gone->lines->len, ==, 0);
  g_assert_false (gone->truncated);
}

static void
test_unreadable (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("tail");
  g_autoptr(GError) error = NULL;
  ArTaskLogTail *tail;

  /* A folder opens but does not read: an error that names the log. */
  tail = ar_task_log_tail_read (dir, 4096, 10, 0, &error);
  g_assert_null (tail);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, dir));
}

static void
test_byte_limit (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) tail = NULL;
  g_autoptr(ArTaskLogTail) one = NULL;

  /* 10 lines of 10 bytes; 35 bytes back start inside line 7. */
  ar_test_write_file (path, "line-0000\nline-0001\nline-0002\nline-0003\nline-0004\n"
                            "line-0005\nline-0006\nline-0007\nline-0008\nline-0009\n");
  tail = ar_task_log_tail_read (path, -1, 100, 35, &error);
  g_assert_no_error (error);
  g_assert_true (tail->truncated);
  g_assert_cmpuint (tail->lines->len, ==, 3);
  g_assert_cmpstr (line_text (tail, 0), ==, "line-0007");
  g_assert_cmpstr (line_text (tail, 2), ==, "line-0009");

  /* One line longer than the limit: nothing whole is left to show. */
  one = ar_task_log_tail_read (path, -1, 100, 5, &error);
  g_assert_no_error (error);
  g_assert_true (one->truncated);
  g_assert_cmpuint (one->lines->len, ==, 0);
}

static void
test_huge_file (void)
{
  g_autofree char *path = log_path ("huge.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) tail = NULL;
  g_autoptr(ArTaskLogTail) capped = NULL;
  g_autoptr(GString) text = g_string_sized_new (AR_TASK_LOG_TAIL_MAX_BYTES + (4 << 20));
  guint n = 0;

  /* More than the default byte limit, in 100-byte lines. */
  while (text->len < AR_TASK_LOG_TAIL_MAX_BYTES + (2 << 20))
    {
      g_string_append_printf (text, "%09u", n++);
      for (int i = 0; i < 90; i++)
        g_string_append_c (text, 'x');
      g_string_append_c (text, '\n');
    }
  ar_test_write_file_fast (path, text->str, text->len);

  tail = ar_task_log_tail_read (path, -1, 10000, 0, &error);
  g_assert_no_error (error);
  g_assert_true (tail->truncated);
  g_assert_cmpuint (tail->lines->len, ==, 10000);
  {
    g_autofree char *first = g_strdup_printf ("%09u", n - 10000);
    g_autofree char *last = g_strdup_printf ("%09u", n - 1);

    g_assert_true (g_str_has_prefix (line_text (tail, 0), first));
    g_assert_true (g_str_has_prefix (line_text (tail, 9999), last));
  }

  /* Asking for more lines than the limit holds: the limit wins, and the
   * cut first line is left out. */
  capped = ar_task_log_tail_read (path, -1, G_MAXUINT, 0, &error);
  g_assert_no_error (error);
  g_assert_true (capped->truncated);
  g_assert_cmpuint (capped->lines->len, >=, AR_TASK_LOG_TAIL_MAX_BYTES / 100 - 1);
  g_assert_cmpuint (capped->lines->len, <=, AR_TASK_LOG_TAIL_MAX_BYTES / 100);
  g_assert_cmpuint (line_at (capped, 0)->length, ==, 99);
}

static void
test_invalid_utf8 (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTaskLogTail) tail = NULL;
  static const char bytes[] = "ok \xc3\xa9\n[task][WARN] bad \xff\xfe end\nnul\0byte\ncut \xe2\x82\n";

  ar_test_write_file_fast (path, bytes, sizeof bytes - 1);
  tail = ar_task_log_tail_read (path, -1, 10, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tail->lines->len, ==, 4);
  for (guint i = 0; i < tail->lines->len; i++)
    {
      ArTaskLogTailLine *line = line_at (tail, i);

      g_assert_true (g_utf8_validate (line->text, (gssize) line->length, NULL));
      g_assert_cmpuint (line->length, ==, strlen (line->text));
    }
  g_assert_cmpstr (line_text (tail, 0), ==, "ok \xc3\xa9");
  g_assert_cmpstr (line_text (tail, 1), ==, "[task][WARN] bad \xef\xbf\xbd\xef\xbf\xbd end");
  g_assert_cmpint (line_at (tail, 1)->level, ==, AR_LOG_WARN);
  g_assert_cmpstr (line_text (tail, 2), ==, "nul\xef\xbf\xbd" "byte");
  /* One U+FFFD a byte that starts no valid sequence. */
  g_assert_cmpstr (line_text (tail, 3), ==, "cut \xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_async (void)
{
  g_autofree char *path = log_path ("task.log");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ArTaskLogTail) tail = NULL;
  ArTaskLogTail *none;

  ar_test_write_file (path, "one\ntwo\nthree\n");
  ar_task_log_tail_read_async (path, -1, 2, 0, NULL, ar_test_store_result, &result);
  tail = ar_task_log_tail_read_finish (ar_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tail->lines->len, ==, 2);
  g_assert_cmpstr (line_text (tail, 0), ==, "two");

  g_cancellable_cancel (cancellable);
  ar_task_log_tail_read_async (path, -1, 2, 0, cancellable, ar_test_store_result, &cancelled_result);
  none = ar_task_log_tail_read_finish (ar_test_wait_result (&cancelled_result), &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/task-log-tail/last-lines-and-levels", test_last_lines_and_levels);
  g_test_add_func ("/task-log-tail/partial-last-line", test_partial_last_line);
  g_test_add_func ("/task-log-tail/progress-updates", test_progress_updates);
  g_test_add_func ("/task-log-tail/file-grows", test_file_grows);
  g_test_add_func ("/task-log-tail/file-cut-or-replaced", test_file_cut_or_replaced);
  g_test_add_func ("/task-log-tail/unreadable", test_unreadable);
  g_test_add_func ("/task-log-tail/byte-limit", test_byte_limit);
  g_test_add_func ("/task-log-tail/huge-file", test_huge_file);
  g_test_add_func ("/task-log-tail/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/task-log-tail/async", test_async);

  return g_test_run ();
}
