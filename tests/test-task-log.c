/* test-task-log.c — log lines, ANSI stripping, redaction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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

  return g_test_run ();
}
