/* test-util.c — the shared helpers of ar-util: removing a tree, "~" in a
 * path, variable names, blocking on an async call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ar-util.h"
#include "test-utils.h"

static void
test_remove_tree (void)
{
  g_autofree char *root = ar_test_mkdtemp ("tree");
  g_autofree char *outside = ar_test_mkdtemp ("outside");
  g_autofree char *kept = g_build_filename (outside, "kept.txt", NULL);
  g_autofree char *tree = g_build_filename (root, "tree", NULL);
  g_autofree char *deep = g_build_filename (tree, "a", "b", "c", NULL);
  g_autofree char *file = g_build_filename (deep, "file.txt", NULL);
  g_autofree char *top_file = g_build_filename (tree, "top.txt", NULL);
  g_autofree char *dir_link = g_build_filename (tree, "a", "to-outside", NULL);
  g_autofree char *file_link = g_build_filename (tree, "kept-link", NULL);
  g_autofree char *dangling = g_build_filename (tree, "dangling", NULL);

  g_assert_cmpint (g_mkdir_with_parents (deep, 0700), ==, 0);
  ar_test_write_file (file, "x");
  ar_test_write_file (top_file, "y");
  ar_test_write_file (kept, "keep me");
  g_assert_cmpint (symlink (outside, dir_link), ==, 0);
  g_assert_cmpint (symlink (kept, file_link), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/nowhere", dangling), ==, 0);

  ar_remove_tree (tree);

  /* Everything below is gone; what the links point to is untouched. */
  g_assert_false (g_file_test (tree, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (root, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));

  /* A plain file, a missing path and NULL: left alone. */
  ar_remove_tree (kept);
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  ar_remove_tree (tree);
  ar_remove_tree (NULL);
  g_assert_true (g_file_test (outside, G_FILE_TEST_IS_DIR));
}

static void
test_expand_home (void)
{
  const char *home = g_get_home_dir ();
  g_autofree char *bare = ar_expand_home ("~");
  g_autofree char *below = ar_expand_home ("~/projects/x");
  g_autofree char *want_below = g_build_filename (home, "projects", "x", NULL);
  g_autofree char *other_user = ar_expand_home ("~other/x");
  g_autofree char *absolute = ar_expand_home ("/srv/~/x");
  g_autofree char *relative = ar_expand_home ("rel/~");
  g_autofree char *empty = ar_expand_home ("");

  g_assert_cmpstr (bare, ==, home);
  g_assert_cmpstr (below, ==, want_below);
  g_assert_cmpstr (other_user, ==, "~other/x");
  g_assert_cmpstr (absolute, ==, "/srv/~/x");
  g_assert_cmpstr (relative, ==, "rel/~");
  g_assert_cmpstr (empty, ==, "");
}

static void
test_env_name (void)
{
  const char *good[] = { "A", "_", "PATH", "_x9", "abc_DEF_123", NULL };
  const char *bad[] = { "", "9A", "A-B", "A B", "A=B", "A.B", "É", "$A", NULL };

  for (guint i = 0; good[i] != NULL; i++)
    g_assert_true (ar_is_env_name (good[i], -1));
  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_false (ar_is_env_name (bad[i], -1));
  g_assert_false (ar_is_env_name (NULL, -1));
  g_assert_false (ar_is_env_name (NULL, 3));

  /* With a length: only that much is the name ("NAME=value"). */
  g_assert_true (ar_is_env_name ("NAME=value", 4));
  g_assert_false (ar_is_env_name ("NAME=value", 5));
  g_assert_false (ar_is_env_name ("NAME=value", 0));
  g_assert_true (ar_is_env_name ("A9-", 2));
}

/* ---- ArSyncWait ------------------------------------------------------------ */

static gboolean
return_value (gpointer data)
{
  GTask *task = data;

  g_task_return_int (task, GPOINTER_TO_INT (g_task_get_task_data (task)));
  return G_SOURCE_REMOVE;
}

/* An async call that answers from an idle of the caller's thread-default
 * context, as GIO's do. */
static void
answer_async (int value, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autoptr(GSource) idle = g_idle_source_new ();

  g_task_set_task_data (task, GINT_TO_POINTER (value), NULL);
  g_source_set_callback (idle, return_value, g_object_ref (task), g_object_unref);
  g_source_attach (idle, g_main_context_get_thread_default ());
}

static int
answer_finish (GAsyncResult *result, GError **error)
{
  return (int) g_task_propagate_int (G_TASK (result), error);
}

static gboolean
count_run (gpointer data)
{
  (*(int *) data)++;
  return G_SOURCE_REMOVE;
}

static void
test_sync_wait_private (void)
{
  ArSyncWait wait;
  int outer_runs = 0;

  g_idle_add (count_run, &outer_runs);

  ar_sync_wait_begin (&wait);
  g_assert_true (g_main_context_get_thread_default () == wait.context);
  g_assert_true (wait.context != g_main_context_default ());
  answer_async (42, ar_sync_wait_callback, &wait);
  g_assert_cmpint (answer_finish (ar_sync_wait_run (&wait), NULL), ==, 42);
  ar_sync_wait_end (&wait);

  /* The caller's context did not run meanwhile, and is the default again. */
  g_assert_cmpint (outer_runs, ==, 0);
  g_assert_null (wait.context);
  g_assert_null (wait.result);
  g_assert_null (g_main_context_get_thread_default ());
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (outer_runs, ==, 1);
}

static void
test_sync_wait_shared (void)
{
  ArSyncWait wait;
  int outer_runs = 0;

  /* Queued before the call, so the wait dispatches it on the way. */
  g_idle_add_full (G_PRIORITY_HIGH, count_run, &outer_runs, NULL);
  ar_sync_wait_begin_shared (&wait);
  g_assert_true (wait.context == g_main_context_default ());
  answer_async (7, ar_sync_wait_callback, &wait);
  g_assert_cmpint (answer_finish (ar_sync_wait_run (&wait), NULL), ==, 7);
  ar_sync_wait_end (&wait);

  g_assert_cmpint (outer_runs, ==, 1);
  g_assert_null (wait.context);
  g_assert_null (wait.result);
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/util/remove-tree", test_remove_tree);
  g_test_add_func ("/util/expand-home", test_expand_home);
  g_test_add_func ("/util/env-name", test_env_name);
  g_test_add_func ("/util/sync-wait/private", test_sync_wait_private);
  g_test_add_func ("/util/sync-wait/shared", test_sync_wait_shared);
  return g_test_run ();
}
