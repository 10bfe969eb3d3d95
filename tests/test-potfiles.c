/* test-potfiles.c — every source file with translatable strings is listed
 * in po/POTFILES, and every listed file exists.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "test-utils.h"

static const char *
source_root (void)
{
  const char *root = g_getenv ("AR_SOURCE_ROOT");

  g_assert_nonnull (root);
  return root;
}

static GHashTable *
read_potfiles (void)
{
  g_autofree char *path = g_build_filename (source_root (), "po", "POTFILES", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line != '\0' && *line != '#')
        g_hash_table_add (set, g_strdup (line));
    }
  return set;
}

/* A gettext call as xgettext sees it: _ or N_ not glued to a longer
 * identifier, then blanks, then "(" (the code's style puts a space before
 * every parenthesis, so "_ (" is as much a call as "_("). */
static gboolean
has_gettext_call (const char *text)
{
  for (const char *p = strchr (text, '_'); p != NULL; p = strchr (p + 1, '_'))
    {
      const char *start = p;
      const char *q = p + 1;

      if (start > text && start[-1] == 'N')
        start--;
      if (start > text && (g_ascii_isalnum (start[-1]) || start[-1] == '_'))
        continue;
      while (*q == ' ' || *q == '\t')
        q++;
      if (*q == '(')
        return TRUE;
    }
  return FALSE;
}

static void
collect (const char *root, const char *relative, GPtrArray *out)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = g_build_filename (relative, name, NULL);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      g_autofree char *contents = NULL;
      gboolean translatable = FALSE;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          collect (root, child_rel, out);
          continue;
        }
      if (!g_file_get_contents (child, &contents, NULL, NULL))
        continue;
      if (g_str_has_suffix (name, ".c") || g_str_has_suffix (name, ".h"))
        translatable = has_gettext_call (contents);
      else if (g_str_has_suffix (name, ".ui") || g_str_has_suffix (name, ".xml"))
        translatable = strstr (contents, "translatable=\"yes\"") != NULL;
      if (translatable)
        g_ptr_array_add (out, g_steal_pointer (&child_rel));
    }
}

static void
test_detector (void)
{
  g_assert_true (has_gettext_call ("puts (_(\"x\"));"));
  g_assert_true (has_gettext_call ("{ N_(\"x\") }"));
  g_assert_true (has_gettext_call ("_(\"x\")"));
  g_assert_true (has_gettext_call ("puts (_ (\"x\"));"));
  g_assert_true (has_gettext_call ("{ N_ (\"x\") }"));
  g_assert_false (has_gettext_call ("MAX_ (1); foo_ (2); G_N_ (3); _x (4)"));
  g_assert_false (has_gettext_call ("MAX_(1); foo_(2); G_N_(3)"));
  g_assert_false (has_gettext_call ("nothing here"));
}

static void
test_all_listed (void)
{
  g_autoptr(GHashTable) listed = read_potfiles ();
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) missing = g_string_new (NULL);

  collect (source_root (), "src", found);
  collect (source_root (), "ui", found);
  g_assert_cmpuint (found->len, >, 0);

  for (guint i = 0; i < found->len; i++)
    if (!g_hash_table_contains (listed, g_ptr_array_index (found, i)))
      g_string_append_printf (missing, " %s", (char *) g_ptr_array_index (found, i));

  if (missing->len > 0)
    g_error ("files with translatable strings missing from po/POTFILES:%s", missing->str);
}

static void
test_all_exist (void)
{
  g_autoptr(GHashTable) listed = read_potfiles ();
  GHashTableIter iter;
  const char *file;

  g_hash_table_iter_init (&iter, listed);
  while (g_hash_table_iter_next (&iter, (gpointer *) &file, NULL))
    {
      g_autofree char *path = g_build_filename (source_root (), file, NULL);

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_error ("po/POTFILES lists %s, which does not exist", file);
    }
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/potfiles/detector", test_detector);
  g_test_add_func ("/potfiles/all-listed", test_all_listed);
  g_test_add_func ("/potfiles/all-exist", test_all_exist);

  return g_test_run ();
}
