/* test-container-lines.c — the line parsers of the Container tab and the
 * command-line split/join of the General tab.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-container-lines.h"
#include "test-utils.h"

typedef GStrv (*Parser) (const char *text, GPtrArray *errors);

/* Parses @text and checks that exactly the @bad lines (0-terminated) have
 * an error, each starting "line N:". */
static void
check_lines (Parser parse, const char *text, const guint *bad, guint n_items)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) items = parse (text, errors);
  guint n_bad = 0;

  while (bad[n_bad] != 0)
    {
      g_autofree char *prefix = g_strdup_printf ("line %u: ", bad[n_bad]);
      gboolean found = FALSE;

      for (guint i = 0; i < errors->len; i++)
        if (g_str_has_prefix (g_ptr_array_index (errors, i), prefix))
          found = TRUE;
      if (!found)
        g_error ("no error for line %u of %s", bad[n_bad], text);
      n_bad++;
    }
  g_assert_cmpuint (errors->len, ==, n_bad);
  g_assert_cmpuint (g_strv_length (items), ==, n_items);
}

static void
test_env_vars (void)
{
  const char *const expected[] = { "A=1", "B_2=two words", "EMPTY=", NULL };
  g_auto(GStrv) items = ar_container_lines_parse_env_vars ("  A=1\n\nB_2=two words  \nEMPTY=\n", NULL);

  g_assert_cmpstrv (items, expected);
  check_lines (ar_container_lines_parse_env_vars, "A=1\nno equals\n2X=1\nA=2\n_OK=x\n",
               (const guint[]) { 2, 3, 4, 0 }, 5);
  check_lines (ar_container_lines_parse_env_vars, "", (const guint[]) { 0 }, 0);
}

static void
test_mounts (void)
{
  check_lines (ar_container_lines_parse_mounts,
               "/a:/b\n~/x:/y:ro\nvolume_1:/data:rw\nrelative/path:/b\n/a:b\n/a:/b:rx\n/a\n:/b\n/a:/b:ro:x\n",
               (const guint[]) { 4, 5, 6, 7, 8, 9, 0 }, 9);
}

static void
test_ports (void)
{
  check_lines (ar_container_lines_parse_ports,
               "80\n8080:80\n127.0.0.1:8080:80\n127.0.0.1::80\n[::1]:9000:9000/udp\n8000-8010:8000-8010\n3000/sctp\n",
               (const guint[]) { 0 }, 7);
  check_lines (ar_container_lines_parse_ports,
               "0\n65536:80\n80:abc\n1.2.3:80:80\n80/icmp\n10-5\n1:2:3:4\n[::1]9000\n",
               (const guint[]) { 1, 2, 3, 4, 5, 6, 7, 8, 0 }, 8);
}

static void
test_shell (void)
{
  const char *const argv[] = { "agent", "--flag", "two words", "it's", "{prompt}", "", NULL };
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) split = NULL;
  g_auto(GStrv) again = NULL;
  g_autofree char *joined = ar_shell_join (argv);

  g_assert_cmpstr (joined, ==, "agent --flag 'two words' 'it'\\''s' {prompt} ''");
  again = ar_shell_split (joined, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (again, argv);

  split = ar_shell_split ("   ", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (split), ==, 0);
  g_clear_pointer (&split, g_strfreev);

  split = ar_shell_split ("agent \"unclosed", &error);
  g_assert_null (split);
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/container-lines/env-vars", test_env_vars);
  g_test_add_func ("/container-lines/mounts", test_mounts);
  g_test_add_func ("/container-lines/ports", test_ports);
  g_test_add_func ("/container-lines/shell", test_shell);

  return g_test_run ();
}
