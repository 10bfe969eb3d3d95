/* test-entry-script-exports.c — exported values reach the agent byte for byte, in every shell (issue 8 item 1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-entry-script.h"
#include "test-utils.h"
#include "test-entry-script-utils.h"

extern char **environ;

/* ---- exported values, byte for byte (issue 8, item 1) -------------------- */

/* The matrix: the shell that runs entry.sh × the shell of the step's #!
 * line. Each step is a real preflight step, with `export NAME='…'` lines,
 * and the agent is this program again (--dump-env), which writes the
 * environment it was given as NUL-separated records. */
typedef struct {
  const char *name;
  const char *program;   /* looked up in PATH */
  const char *arg;       /* busybox: its applet */
} MatrixShell;

static const MatrixShell matrix_shells[] = {
  { "dash", "dash", NULL },
  { "bash", "bash", NULL },
  { "busybox sh", "busybox", "sh" },
};

/* The agent of the matrix: its environment, NUL-separated, to `path`. */
static int
dump_env (const char *path)
{
  FILE *file = fopen (path, "wb");

  if (file == NULL)
    return 2;
  for (char **e = environ; *e != NULL; e++)
    fwrite (*e, 1, strlen (*e) + 1, file);
  return fclose (file) == 0 ? 0 : 2;
}

/* The records of a dump: name → value. */
static GHashTable *
read_dump (const char *path)
{
  GHashTable *vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *data = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  for (gsize at = 0; at < length;)
    {
      const char *record = data + at;
      const char *eq = strchr (record, '=');

      g_assert_nonnull (eq);
      g_hash_table_replace (vars, g_strndup (record, eq - record), g_strdup (eq + 1));
      at += strlen (record) + 1;
    }
  return vars;
}

/* Shells set these for themselves; nothing else may differ. */
static gboolean
shell_own_variable (const char *name)
{
  return g_strv_contains ((const char *const[]) { "PWD", "OLDPWD", "SHLVL", "_", NULL }, name);
}

static void
assert_env_equal (GHashTable *want, GHashTable *got, const char *label)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, want);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *have = g_hash_table_lookup (got, key);

      if (shell_own_variable (key))
        continue;
      if (have == NULL)
        g_error ("%s: %s is missing in the agent's environment", label, (char *) key);
      if (strcmp (have, value) != 0)
        {
          gsize i = 0;

          while (have[i] == ((char *) value)[i])
            i++;
          g_error ("%s: %s differs at byte %" G_GSIZE_FORMAT " (%zu bytes, want %zu): “%.40s”",
                   label, (char *) key, i, strlen (have), strlen (value), have + i);
        }
    }
  g_hash_table_iter_init (&iter, got);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!shell_own_variable (key) && !g_hash_table_contains (want, key))
      g_error ("%s: the agent has %s, which nobody exported", label, (char *) key);
}

/* 'value', for a POSIX shell: single quotes hold every byte but ' itself. */
static void
append_quoted (GString *out, const char *value)
{
  g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    if (*p == '\'')
      g_string_append (out, "'\\''");
    else
      g_string_append_c (out, *p);
  g_string_append_c (out, '\'');
}

typedef struct {
  GPtrArray *names;
  GPtrArray *values;
} Vars;

static void
vars_add (Vars *vars, const char *name, char *value)
{
  g_ptr_array_add (vars->names, g_strdup (name));
  g_ptr_array_add (vars->values, value);
}

/* Values a preflight may well export (PEM keys, JSON, prompts) and values
 * crafted to run code if anything ever parsed them. */
static void
matrix_values (Vars *vars, const char *marks)
{
  GString *all = g_string_new (NULL);
  GString *big = g_string_new (NULL);
  guint32 seed = 2463534242u;

  for (guint b = 1; b <= 0xff; b++)
    {
      char one[2] = { (char) b, '\0' };
      g_autofree char *name = g_strdup_printf ("AR_T_BYTE_%02X", b);

      g_string_append_c (all, (char) b);
      vars_add (vars, name, g_strdup (one));
    }
  vars_add (vars, "AR_T_ALL", g_string_free (g_steal_pointer (&all), FALSE));
  while (big->len < 65536)
    {
      seed ^= seed << 13, seed ^= seed >> 17, seed ^= seed << 5;
      g_string_append_c (big, (char) (1 + seed % 255));
    }
  vars_add (vars, "AR_T_BIG", g_string_free (g_steal_pointer (&big), FALSE));
  vars_add (vars, "AR_T_LINES", g_strdup ("-----BEGIN KEY-----\nMIIB\n-----END KEY-----\n\n"));
  vars_add (vars, "AR_T_LEADING", g_strdup ("\nstarts with a line end"));
  vars_add (vars, "AR_T_QUOTES", g_strdup ("it's \"quoted\" 'twice' \\back\\slash\\"));
  vars_add (vars, "AR_T_JSON", g_strdup ("{\"a\": [1, \"two\\n\"],\n \"b\": \"$x\"}"));
  vars_add (vars, "AR_T_CAFE", g_strdup ("caf\xc3\xa9\tline2"));
  vars_add (vars, "AR_T_INVALID", g_strdup ("\xff\xfe\xc3\x28 \x80\xed\xa0\x80 \xf8\x88\x80\x80\x80"));
  vars_add (vars, "AR_T_EMPTY", g_strdup (""));
  vars_add (vars, "AR_T_EQUALS", g_strdup ("a=b==c="));
  vars_add (vars, "AR_T_ESCAPES", g_strdup ("%s%n%b \\0101 \\n \\c \\x41 \\u00e9 $'\\n' \\\\"));
  vars_add (vars, "AR_T_RECORD", g_strdup ("x\nAR_T_EVIL=1\nexport AR_T_EVIL=2\n"));
  vars_add (vars, "AR_T_SUBST", g_strdup_printf ("$(touch %s/subst)", marks));
  vars_add (vars, "AR_T_BACKTICKS", g_strdup_printf ("`touch %s/backticks`", marks));
  vars_add (vars, "AR_T_INJECT1", g_strdup_printf ("'; touch %s/inject1 #", marks));
  vars_add (vars, "AR_T_INJECT2", g_strdup_printf ("line one\nx'; touch %s/inject2 #", marks));
  vars_add (vars, "AR_T_INJECT3", g_strdup_printf ("\"; touch %s/inject3 #", marks));
  vars_add (vars, "AR_T_INJECT4", g_strdup_printf ("x'\n'$(touch %s/inject4)'\n", marks));
  vars_add (vars, "AR_T_INJECT5", g_strdup_printf ("$'\\n'; touch %s/inject5; : '", marks));
  vars_add (vars, "AR_T_INJECT6", g_strdup_printf ("\\'; touch %s/inject6 #\n${x:=$(touch %s/inject7)}", marks, marks));
}

static char *
matrix_step (const MatrixShell *shell, const char *path, const Vars *vars, gboolean first)
{
  GString *text = g_string_new ("#!");

  g_string_append (text, path);
  if (shell->arg != NULL)
    g_string_append_printf (text, " %s", shell->arg);
  g_string_append_c (text, '\n');
  if (!first)
    {
      /* The second step sees the first one's values, and hands them on. */
      g_string_append (text, "export AR_T_SEEN_ALL=\"$AR_T_ALL\" AR_T_SEEN_BIG=\"$AR_T_BIG\"\n"
                             "export AR_T_SEEN_PRE=\"$AR_PRE_ALL\"\n"
                             "unset AR_T_BYTE_41\n");
      return g_string_free (text, FALSE);
    }
  for (guint i = 0; i < vars->names->len; i++)
    {
      g_string_append_printf (text, "export %s=", (char *) vars->names->pdata[i]);
      append_quoted (text, vars->values->pdata[i]);
      g_string_append_c (text, '\n');
    }
  g_string_append (text, "unset AR_PRE_GONE\n"
                         "export AR_PRE_CHANGED=new\n"
                         "AR_T_NOT_EXPORTED=1\n");
  return g_string_free (text, FALSE);
}

/* Runs `OUTER entry.sh AGENT…` with exactly `envp`; returns the status. */
static int
run_entry_env (const char *const *outer, const char *dir, const char *const *agent,
               char **envp, char **output)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; outer[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (outer[i]));
  g_ptr_array_add (argv, g_build_filename (dir, AR_ENTRY_SCRIPT_FILE, NULL));
  for (guint i = 0; agent[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (agent[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_environ (launcher, envp);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  *output = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  return g_subprocess_get_exit_status (proc);
}

static void
test_exports_byte_for_byte (void)
{
  ArEntrySteps steps = { .settings_preflight = TRUE, .run_preflight = TRUE };
  g_autofree char *dir = make_scratch (&steps);
  g_autofree char *marks = g_build_filename (dir, "marks", NULL);
  g_autofree char *dump = g_build_filename (dir, "agent-env", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *agent[] = { self, "--dump-env", dump, NULL };
  Vars vars = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free) };
  g_auto(GStrv) base_env = g_get_environ ();
  g_autoptr(GHashTable) want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint pairs = 0;

  g_assert_nonnull (self);
  g_assert_cmpint (g_mkdir (marks, 0700), ==, 0);
  matrix_values (&vars, marks);

  /* What the container's environment holds before any step: handed on
   * unchanged, unless a step unsets or changes it. */
  base_env = g_environ_unsetenv (base_env, "DISPLAY");
  base_env = g_environ_setenv (base_env, "AR_PRE_ALL", g_ptr_array_index (vars.values, 255), TRUE);
  base_env = g_environ_setenv (base_env, "AR_PRE_BIG", g_ptr_array_index (vars.values, 256), TRUE);
  base_env = g_environ_setenv (base_env, "AR_PRE_INJECT", g_ptr_array_index (vars.values, vars.values->len - 1), TRUE);
  base_env = g_environ_setenv (base_env, "AR_PRE_LINES", "a\nb'c\n", TRUE);
  base_env = g_environ_setenv (base_env, "AR_PRE_GONE", "unset by the step", TRUE);
  base_env = g_environ_setenv (base_env, "AR_PRE_CHANGED", "old", TRUE);

  for (guint i = 0; base_env[i] != NULL; i++)
    {
      const char *eq = strchr (base_env[i], '=');

      if (eq != NULL)
        g_hash_table_replace (want, g_strndup (base_env[i], eq - base_env[i]), g_strdup (eq + 1));
    }
  g_hash_table_remove (want, "AR_PRE_GONE");
  g_hash_table_replace (want, g_strdup ("AR_PRE_CHANGED"), g_strdup ("new"));
  for (guint i = 0; i < vars.names->len; i++)
    g_hash_table_replace (want, g_strdup (vars.names->pdata[i]), g_strdup (vars.values->pdata[i]));
  g_hash_table_replace (want, g_strdup ("AR_T_SEEN_ALL"), g_strdup (g_ptr_array_index (vars.values, 255)));
  g_hash_table_replace (want, g_strdup ("AR_T_SEEN_BIG"), g_strdup (g_ptr_array_index (vars.values, 256)));
  g_hash_table_replace (want, g_strdup ("AR_T_SEEN_PRE"), g_strdup (g_ptr_array_index (vars.values, 255)));
  g_hash_table_remove (want, "AR_T_BYTE_41");

  for (guint o = 0; o < G_N_ELEMENTS (matrix_shells); o++)
    for (guint s = 0; s < G_N_ELEMENTS (matrix_shells); s++)
      {
        g_autofree char *outer_path = g_find_program_in_path (matrix_shells[o].program);
        g_autofree char *step_path = g_find_program_in_path (matrix_shells[s].program);
        g_autofree char *first = NULL;
        g_autofree char *second = NULL;
        g_autofree char *out = NULL;
        g_autofree char *label = NULL;
        g_autoptr(GHashTable) got = NULL;
        const char *outer[] = { outer_path, matrix_shells[o].arg, NULL };

        if (outer_path == NULL || step_path == NULL)
          {
            g_test_message ("no %s here: skipped", outer_path == NULL ? matrix_shells[o].name : matrix_shells[s].name);
            continue;
          }
        label = g_strdup_printf ("entry.sh under %s, steps under %s", matrix_shells[o].name, matrix_shells[s].name);
        first = matrix_step (&matrix_shells[s], step_path, &vars, TRUE);
        second = matrix_step (&matrix_shells[s], step_path, &vars, FALSE);
        write_step (dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, first);
        write_step (dir, AR_ENTRY_RUN_PREFLIGHT_FILE, second);
        g_remove (dump);

        gint64 t0 = g_get_monotonic_time ();
        g_assert_cmpint (run_entry_env (outer, dir, agent, base_env, &out), ==, 0);
        g_test_message ("%s: %.2f s", label, (g_get_monotonic_time () - t0) / 1e6);
        if (strstr (out, "WARN") != NULL || strstr (out, "ERROR") != NULL)
          g_error ("%s:\n%s", label, out);
        got = read_dump (dump);
        assert_env_equal (want, got, label);
        {
          g_autoptr(GDir) marked = g_dir_open (marks, 0, NULL);

          g_assert_nonnull (marked);
          if (g_dir_read_name (marked) != NULL)
            g_error ("%s: a value ran as code", label);
        }
        pairs++;
      }
  g_assert_cmpuint (pairs, >, 0);
  g_ptr_array_unref (vars.names);
  g_ptr_array_unref (vars.values);
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--dump-env") == 0)
    return dump_env (argv[2]);

  ar_test_init (&argc, &argv);

  g_test_add_func ("/entry-script/exports-byte-for-byte", test_exports_byte_for_byte);

  return g_test_run ();
}
