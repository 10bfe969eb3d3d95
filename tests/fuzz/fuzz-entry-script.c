/* fuzz-entry-script.c — bytes as the values a preflight step exports: the
 * generated entry script, run end to end under dash and bash, hands each
 * one to the agent byte for byte, and none of them ever runs as code
 * (issue 8 items 1 and 9).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input: a first byte of flags (bit 0: entry.sh under bash, else dash;
 * bit 1: the step's #! names bash, else dash; bit 2: the step unsets the
 * value the container's environment had), then up to five values separated
 * by NUL bytes (a value cannot hold one): the first is in the container's
 * environment before the step, the others the step exports as
 * `export AR_F_n='…'`. The agent is `env -0`; what it prints must be the
 * environment given, changed exactly as the step said. Each run happens in
 * a new folder, also the working folder and TMPDIR, which must hold nothing
 * but the scripts afterwards: a value that ran `touch x` would leave x.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ar-entry-script.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_VALUES 5

static char *dash_path;
static char *bash_path;
static char *env_path;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  dash_path = g_find_program_in_path ("dash");
  bash_path = g_find_program_in_path ("bash");
  env_path = g_find_program_in_path ("env");
  if (dash_path == NULL && bash_path == NULL)
    {
      g_printerr ("fuzz-entry-script: neither dash nor bash is here\n");
      abort ();
    }
  if (dash_path == NULL)
    dash_path = g_strdup (bash_path);
  if (bash_path == NULL)
    bash_path = g_strdup (dash_path);
  /* coreutils' env has -0; the harness needs it for the agent. */
  {
    const char *argv_env[] = { env_path, "-0", NULL };
    int status = -1;

    if (env_path == NULL ||
        !g_spawn_sync (NULL, (char **) argv_env, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL) ||
        !g_spawn_check_wait_status (status, NULL))
      {
        g_printerr ("fuzz-entry-script: this env has no -0\n");
        abort ();
      }
  }
  return 0;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
write_file (const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (!g_file_set_contents (path, text, -1, NULL))
    abort ();
}

/* The records of `env -0` output: name → value. */
static GHashTable *
parse_records (const char *data, gsize length)
{
  GHashTable *vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gsize at = 0;

  while (at < length)
    {
      const char *record = data + at;
      const char *end = memchr (record, '\0', length - at);
      const char *eq;

      if (end == NULL)
        abort ();   /* env -0 ends every record with a NUL */
      eq = memchr (record, '=', end - record);
      if (eq == NULL)
        abort ();
      g_hash_table_replace (vars, g_strndup (record, eq - record), g_strndup (eq + 1, end - eq - 1));
      at = end - data + 1;
    }
  return vars;
}

static gboolean
shell_own_variable (const char *name)
{
  return strcmp (name, "PWD") == 0 || strcmp (name, "OLDPWD") == 0 || strcmp (name, "SHLVL") == 0 ||
         strcmp (name, "_") == 0;
}

static void
check_env (GHashTable *want, GHashTable *got)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, want);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *have = g_hash_table_lookup (got, key);

      if (have == NULL || strcmp (have, value) != 0)
        {
          g_printerr ("fuzz-entry-script: %s reached the agent %s\n", (char *) key,
                      have == NULL ? "not at all" : "changed");
          abort ();
        }
    }
  g_hash_table_iter_init (&iter, got);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!shell_own_variable (key) && !g_hash_table_contains (want, key))
      {
        g_printerr ("fuzz-entry-script: the agent has %s, which nobody exported\n", (char *) key);
        abort ();
      }
}

/* Only the scripts are left: the state folder is gone, nothing was made. */
static void
check_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    abort ();
  while ((name = g_dir_read_name (dir)) != NULL)
    if (strcmp (name, AR_ENTRY_SCRIPT_FILE) != 0 && strcmp (name, AR_ENTRY_SETTINGS_PREFLIGHT_FILE) != 0)
      {
        g_printerr ("fuzz-entry-script: %s appeared: a value ran as code, or the state was left\n", name);
        abort ();
      }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  ArEntrySteps steps = { .settings_preflight = TRUE };
  g_autofree char *dir = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *entry_path = NULL;
  g_autofree char *pre_value = NULL;
  g_autoptr(GString) step = NULL;
  g_autoptr(GString) want_out = NULL;
  g_autoptr(GHashTable) want = NULL;
  g_autoptr(GHashTable) got = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) envp = NULL;
  const char *outer;
  gboolean unset_pre;
  const char *printed;
  gsize printed_length;

  if (size < 1)
    return 0;
  outer = (data[0] & 1) ? bash_path : dash_path;
  unset_pre = (data[0] & 4) != 0;

  /* Up to five values, split at NUL bytes. */
  values = g_ptr_array_new_with_free_func (g_free);
  for (size_t at = 1; at <= size && values->len < MAX_VALUES;)
    {
      const uint8_t *end = at < size ? memchr (data + at, '\0', size - at) : NULL;
      size_t stop = end != NULL ? (size_t) (end - data) : size;

      g_ptr_array_add (values, g_strndup ((const char *) data + at, stop - at));
      at = stop + 1;
    }
  pre_value = g_strdup (values->pdata[0]);

  dir = g_strdup ("/dev/shm/fuzz-entry-script-XXXXXX");
  if (g_mkdtemp (dir) == NULL)
    {
      g_free (dir);
      dir = g_dir_make_tmp ("fuzz-entry-script-XXXXXX", NULL);
      if (dir == NULL)
        abort ();
    }

  entry = ar_entry_script_generate (&steps);
  write_file (dir, AR_ENTRY_SCRIPT_FILE, entry);
  step = g_string_new ("#!");
  g_string_append_printf (step, "%s\n", (data[0] & 2) ? bash_path : dash_path);
  for (guint i = 1; i < values->len; i++)
    {
      g_string_append_printf (step, "export AR_F_%u='", i);
      for (const char *p = values->pdata[i]; *p != '\0'; p++)
        if (*p == '\'')
          g_string_append (step, "'\\''");
        else
          g_string_append_c (step, *p);
      g_string_append (step, "'\n");
    }
  if (unset_pre)
    g_string_append (step, "unset AR_F_PRE\n");
  write_file (dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE, step->str);

  /* A small, fixed environment, as a container's. */
  envp = g_new0 (char *, 1);
  envp = g_environ_setenv (envp, "PATH", "/usr/local/bin:/usr/bin:/bin", TRUE);
  envp = g_environ_setenv (envp, "HOME", dir, TRUE);
  envp = g_environ_setenv (envp, "TMPDIR", dir, TRUE);
  envp = g_environ_setenv (envp, "LANG", "C.UTF-8", TRUE);
  envp = g_environ_setenv (envp, "AR_F_PRE", pre_value, TRUE);

  want = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; envp[i] != NULL; i++)
    {
      const char *eq = strchr (envp[i], '=');

      g_hash_table_replace (want, g_strndup (envp[i], eq - envp[i]), g_strdup (eq + 1));
    }
  if (unset_pre)
    g_hash_table_remove (want, "AR_F_PRE");
  for (guint i = 1; i < values->len; i++)
    g_hash_table_replace (want, g_strdup_printf ("AR_F_%u", i), g_strdup (values->pdata[i]));

  entry_path = g_build_filename (dir, AR_ENTRY_SCRIPT_FILE, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_environ (launcher, envp);
  g_subprocess_launcher_set_cwd (launcher, dir);
  proc = g_subprocess_launcher_spawn (launcher, &error, outer, entry_path, env_path, "-0", NULL);
  if (proc == NULL || !g_subprocess_communicate (proc, NULL, NULL, &out, NULL, &error))
    abort ();
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_printerr ("fuzz-entry-script: entry.sh failed:\n%.*s\n", (int) g_bytes_get_size (out),
                  (const char *) g_bytes_get_data (out, NULL));
      abort ();
    }

  /* The log lines, exactly (no warning), then the agent's records. */
  want_out = g_string_new (AR_ENTRY_STARTED_LINE "\n");
  g_string_append_printf (want_out, "[task/preflight][INFO] running %s\n", ar_entry_step_name_settings ());
  printed = g_bytes_get_data (out, &printed_length);
  if (printed_length < want_out->len || memcmp (printed, want_out->str, want_out->len) != 0)
    {
      g_printerr ("fuzz-entry-script: unexpected output:\n%.*s\n", (int) printed_length, printed);
      abort ();
    }
  got = parse_records (printed + want_out->len, printed_length - want_out->len);
  check_env (want, got);
  check_dir (dir);
  remove_tree (dir);
  return 0;
}
