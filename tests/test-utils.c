/* test-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-utils.h"

#include <glib/gstdio.h>
#include <stdlib.h>

static char *test_root;

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) en = NULL;
  GFileInfo *info;

  en = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (en != NULL && (info = g_file_enumerator_next_file (en, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static void
cleanup_root (void)
{
  if (test_root != NULL && g_getenv ("AR_TEST_KEEP") == NULL)
    remove_tree (test_root);
}

const char *
ar_test_init (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *state = NULL;
  g_autofree char *cache = NULL;

  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  test_root = g_dir_make_tmp ("ar-test-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (cleanup_root);

  config = g_build_filename (test_root, "config", NULL);
  state = g_build_filename (test_root, "state", NULL);
  cache = g_build_filename (test_root, "cache", NULL);
  g_mkdir_with_parents (config, 0700);
  g_mkdir_with_parents (state, 0700);
  g_mkdir_with_parents (cache, 0700);
  g_setenv ("HOME", test_root, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  return test_root;
}

char *
ar_test_mkdtemp (const char *prefix)
{
  g_autofree char *tmpl = g_strdup_printf ("%s/%s-XXXXXX", test_root, prefix);
  char *dir = g_mkdtemp (g_steal_pointer (&tmpl));

  g_assert_nonnull (dir);
  return dir;
}

void
ar_test_write_file (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

char *
ar_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

int
ar_test_run_cli (const char *const *args,
                 const char *stdin_text,
                 char **out_stdout,
                 char **out_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *binary = g_getenv ("AR_BINARY");

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (char *) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char *const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE |
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                            G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, stdin_text, NULL, &out, &err, &error);
  g_assert_no_error (error);

  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);

  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}
