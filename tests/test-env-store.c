/* test-env-store.c — the environments file: loading, saving, backups, concurrent and asynchronous saves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-env-store.h"
#include "ar-paths.h"
#include <glib/gstdio.h>
#include "test-utils.h"
#include "test-env-store-utils.h"

/* The file as it is on disk, loaded by a new store. */
static ArEnvStore *
load_existing (const char *path)
{
  g_autofree char *text = ar_test_read_file (path);

  return load_from_text (path, text);
}

static void
test_missing_file_is_empty (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_default_path (void)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  g_autofree char *expected = g_build_filename (g_getenv ("XDG_CONFIG_HOME"), "agents-runner",
                                                "environments.json", NULL);

  g_assert_cmpstr (ar_env_store_get_path (store), ==, expected);
}

static void
test_malformed_not_overwritten (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  const char *broken = "{\n  \"format\": 2,\n  \"environments\": [\n    {\"env_id\": \"x\",}\n  ]\n}\n";
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();

  ar_test_write_file (path, broken);
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "line 4, column"));
  g_clear_error (&error);

  /* Nothing may overwrite it until the user decides. */
  g_assert_true (ar_env_store_add (store, env, &error));
  g_assert_false (ar_env_store_save (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_REFUSED);
  after = ar_test_read_file (path);
  g_assert_cmpstr (after, ==, broken);
  g_assert_false (g_file_test (bak, G_FILE_TEST_EXISTS));
}

static void
test_wrong_shape (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;

  ar_test_write_file (path, "{\"something\": 1}");
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE);
  g_clear_error (&error);

  ar_test_write_file (path, "");
  g_assert_false (ar_env_store_load (store, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_PARSE);
}

static void
test_backup_kept (void)
{
  g_autofree char *path = store_path ();
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autoptr(ArEnvStore) store = load_from_text (path, "{\"format\": 2, \"environments\": []}");
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_autofree char *bak_text = NULL;

  g_assert_true (ar_env_store_add (store, env, &error));
  g_assert_true (ar_env_store_save (store, &error));
  bak_text = ar_test_read_file (bak);
  g_assert_cmpstr (bak_text, ==, "{\"format\": 2, \"environments\": []}");
}

static void
test_lookup (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "[{\"env_id\": \"e1\", \"name\": \"Same\"}, {\"env_id\": \"e2\", \"name\": \"Same\"},"
    " {\"env_id\": \"e3\", \"name\": \"Unique\"}]");
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_env_store_lookup (store, "e2", &error) == ar_env_store_get_environment (store, 1));
  g_assert_true (ar_env_store_lookup (store, "Unique", &error) == ar_env_store_get_environment (store, 2));
  g_assert_null (ar_env_store_lookup (store, "Same", &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_AMBIGUOUS);
  g_clear_error (&error);
  g_assert_null (ar_env_store_lookup (store, "nope", &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (ar_env_store_add (store, ar_env_store_get_environment (store, 0), &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_EXISTS);
  g_assert_true (ar_env_store_remove (store, "e1"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
}

/* ---- kill -9 during save ------------------------------------------------ */

#define N_BIG 300

static void
fill_store (ArEnvStore *store, const char *name)
{
  g_autofree char *script = NULL;
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < 50; i++)
    g_string_append_printf (s, "apt-get install -y package-%u-%s\n", i, name);
  script = g_string_free (g_steal_pointer (&s), FALSE);

  for (guint i = 0; i < ar_env_store_get_n_environments (store); i++)
    {
      ArEnvironment *env = ar_env_store_get_environment (store, i);
      ar_environment_set_name (env, name);
      ar_environment_set_cached_preflight_script (env, script);
    }
}

/* The child: saves A, B, A, B… until it is killed. */
static int
run_saver (const char *path)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;

  if (!ar_env_store_load (store, &error))
    return 3;
  for (guint round = 0; ; round++)
    {
      fill_store (store, round % 2 ? "B" : "A");
      if (!ar_env_store_save (store, &error))
        return 4;
    }
  return 0;
}

static const char *
uniform_name (const char *path)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;
  const char *name;

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, N_BIG);
  name = ar_environment_get_name (ar_env_store_get_environment (store, 0));
  for (guint i = 1; i < N_BIG; i++)
    g_assert_cmpstr (ar_environment_get_name (ar_env_store_get_environment (store, i)), ==, name);
  return g_intern_string (name);
}

static void
test_kill_during_save (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  guint seen_a = 0, seen_b = 0;

  g_assert_true (ar_env_store_load (store, &error));
  for (guint i = 0; i < N_BIG; i++)
    {
      g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
      g_assert_true (ar_env_store_add (store, env, &error));
    }
  fill_store (store, "A");
  g_assert_true (ar_env_store_save (store, &error));

  for (guint attempt = 0; attempt < 25; attempt++)
    {
      const char *argv[] = { self_exe, NULL };
      g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "AR_TEST_SAVER", path, TRUE);
      GPid pid;
      int status;
      const char *name;

      g_assert_true (g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                    NULL, NULL, &pid, &error));
      g_usleep (g_random_int_range (20, 200) * 1000);
      kill (pid, SIGKILL);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status));

      /* Old or new, never torn: the file parses and every entry agrees. */
      name = uniform_name (path);
      if (g_str_equal (name, "A"))
        seen_a++;
      else
        seen_b++;
      if (g_file_test (bak, G_FILE_TEST_EXISTS))
        uniform_name (bak);
    }
  g_test_message ("kill -9 during save: 25 kills, file held A %u times and B %u times, never torn",
                  seen_a, seen_b);
}

static void
test_unreadable_entries_not_a_list (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path,
    "{\"format\": 2, \"environments\": [{\"env_id\": \"a\"}, 5, \"x\"], \"unreadable_entries\": \"a note\"}");
  g_autoptr(ArEnvStore) again = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *top;

  g_assert_true (ar_env_store_save (store, &error));
  again = load_existing (path);
  root = ar_json_parse_file (path, &error);
  top = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (top, "unreadable_entries"), ==, "a note");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (top, "unreadable_entries_2")), ==, 2);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (top, "unreadable_entries_2"), 0), ==, 5);
}

static void
test_stale_temps_removed (void)
{
  g_autofree char *path = store_path ();
  g_autofree char *temp = g_strconcat (path, ".Ab12Cd", NULL);
  g_autofree char *bak_temp = g_strconcat (path, ".bak.Zz99y0", NULL);
  g_autofree char *other = g_strconcat (path, ".notes", NULL);
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autoptr(ArEnvStore) store = quiet_store (path);
  g_autoptr(GError) error = NULL;
  int lock;

  ar_test_write_file (path, "{\"format\": 2, \"environments\": []}");
  ar_test_write_file (temp, "{\"format\": 2, \"environments\": [{\"env_id\": \"secret\"}]}");
  ar_test_write_file (bak_temp, "{}");
  ar_test_write_file (other, "mine");

  /* While a save holds the lock, its temp file is in use. */
  lock = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (flock (lock, LOCK_EX), ==, 0);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_true (g_file_test (temp, G_FILE_TEST_EXISTS));
  close (lock);

  g_assert_true (ar_env_store_load (store, &error));
  g_assert_false (g_file_test (temp, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (bak_temp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_symlink_written_through (void)
{
  g_autofree char *path = store_path ();
  g_autofree char *real_dir = ar_test_mkdtemp ("dotfiles");
  g_autofree char *real = g_build_filename (real_dir, "envs.json", NULL);
  g_autoptr(ArEnvStore) store = quiet_store (path);
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);

  ar_test_write_file (real, "{\"format\": 2, \"environments\": []}");
  g_assert_cmpint (symlink (real, path), ==, 0);
  g_assert_true (ar_env_store_load (store, &error));
  g_assert_true (ar_env_store_add (store, env, &error));
  g_assert_true (ar_env_store_save (store, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
  text = ar_test_read_file (real);
  g_assert_nonnull (strstr (text, ar_environment_get_env_id (env)));
  {
    g_autofree char *bak_text = ar_test_read_file (bak);

    g_assert_cmpstr (bak_text, ==, "{\"format\": 2, \"environments\": []}");
  }
}

static void
test_warnings_cut_on_character (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(GString) text = g_string_new ("{\"format\": 2, \"environments\": [{\"env_id\": \"a\", \"name\": [\"");
  g_autoptr(ArEnvStore) store = NULL;
  g_auto(GStrv) warnings = NULL;

  /* 2-byte characters from an odd offset: a byte cut lands inside one. */
  for (guint i = 0; i < 80; i++)
    g_string_append (text, "é");
  g_string_append (text, "\"]}, 7, \"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé€\"]}");
  store = load_from_text (path, text->str);
  warnings = ar_environment_dup_warnings (ar_env_store_get_environment (store, 0));
  g_assert_nonnull (warnings[0]);
  for (guint i = 0; warnings[i] != NULL; i++)
    g_assert_true (g_utf8_validate (warnings[i], -1, NULL));
  g_strfreev (warnings);
  warnings = ar_env_store_dup_warnings (store);
  g_assert_nonnull (warnings[0]);
  for (guint i = 0; warnings[i] != NULL; i++)
    g_assert_true (g_utf8_validate (warnings[i], -1, NULL));
}

/* Two programs that read the file, then each save their own change:
 * both changes land; the same entry changed both ways is refused. */
static void
test_concurrent_saves_merge (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) one = load_from_text (path, "{\"format\": 2, \"environments\": [{\"env_id\": \"shared\", \"name\": \"S\"}]}");
  g_autoptr(ArEnvStore) two = load_existing (path);
  g_autoptr(ArEnvStore) check = NULL;
  g_autoptr(ArEnvironment) a = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) b = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  g_assert_true (ar_env_store_add (one, a, &error));
  g_assert_true (ar_env_store_save (one, &error));
  g_assert_true (ar_env_store_add (two, b, &error));
  g_assert_true (ar_env_store_save (two, &error));
  g_assert_no_error (error);

  check = load_existing (path);
  g_assert_nonnull (ar_env_store_find_by_id (check, ar_environment_get_env_id (a)));
  g_assert_nonnull (ar_env_store_find_by_id (check, ar_environment_get_env_id (b)));
  g_assert_nonnull (ar_env_store_find_by_id (check, "shared"));
  /* The saving store now holds the merged list. */
  g_assert_nonnull (ar_env_store_find_by_id (two, ar_environment_get_env_id (a)));

  /* Both rename "shared": the second is refused and writes nothing. */
  g_assert_true (ar_env_store_load (one, &error));
  ar_environment_set_name (ar_env_store_find_by_id (one, "shared"), "One");
  ar_environment_set_name (ar_env_store_find_by_id (two, "shared"), "Two");
  g_assert_true (ar_env_store_save (one, &error));
  before = ar_test_read_file (path);
  g_assert_false (ar_env_store_save (two, &error));
  g_assert_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "“Two” (shared)"));
  {
    g_autofree char *now = ar_test_read_file (path);

    g_assert_cmpstr (now, ==, before);
  }
}

/* ---- saving without blocking (issue 10 item 6) ---- */

static void
count_notifications (guint *count)
{
  (*count)++;
}

typedef struct {
  GPtrArray *order;      /* the tags of the saves, as they ended */
  guint ticks;           /* main loop turns meanwhile */
  guint pending;
} AsyncSaves;

typedef struct {
  AsyncSaves *saves;
  const char *tag;
  GError *error;
} AsyncSave;

static void
async_saved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncSave *save = user_data;

  ar_env_store_save_finish (AR_ENV_STORE (source), result, &save->error);
  g_ptr_array_add (save->saves->order, (gpointer) save->tag);
  save->saves->pending--;
}

static gboolean
tick (gpointer user_data)
{
  ((AsyncSaves *) user_data)->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
wait_for_saves (AsyncSaves *saves)
{
  guint id = g_timeout_add (10, tick, saves);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (saves->pending > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_cmpuint (saves->pending, ==, 0);
}

static void
test_save_async_in_order (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = load_from_text (path, "{\"format\": 2, \"environments\": [{\"env_id\": \"one\", \"name\": \"Before\"}]}");
  g_autoptr(ArEnvStore) check = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autofree char *bak_text = NULL;
  AsyncSaves saves = { order, 0, 2 };
  AsyncSave first = { &saves, "first", NULL };
  AsyncSave second = { &saves, "second", NULL };
  g_autoptr(ArEnvironment) added = ar_environment_new_with_id ();
  gint64 start;
  guint notified = 0;

  /* Slow saves, as beside image builds on a busy disk. */
  ar_env_store_set_save_delay (store, 400);
  g_signal_connect_swapped (store, "notify::saving", G_CALLBACK (count_notifications), &notified);

  ar_environment_set_name (ar_env_store_find_by_id (store, "one"), "First");
  start = g_get_monotonic_time ();
  ar_env_store_save_async (store, NULL, async_saved, &first);
  /* The caller is back at once, while the worker waits and writes. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 200 * 1000);
  g_assert_true (ar_env_store_get_saving (store));

  ar_environment_set_name (added, "Added");
  g_assert_true (ar_env_store_add (store, added, NULL));
  ar_env_store_save_async (store, NULL, async_saved, &second);

  wait_for_saves (&saves);
  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_assert_false (ar_env_store_get_saving (store));
  g_assert_cmpuint (notified, ==, 2);
  /* In the order asked for, and the main loop turned all along (two
   * writes of 400 ms: some 80 ticks of 10 ms). */
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "second");
  g_test_message ("%u main loop ticks during two slow saves", saves.ticks);
  g_assert_cmpuint (saves.ticks, >=, 40);

  check = load_existing (path);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "one")), ==, "First");
  g_assert_nonnull (ar_env_store_find_by_id (check, ar_environment_get_env_id (added)));
  /* The .bak is the file before the last save: the first save's. */
  bak_text = ar_test_read_file (bak);
  g_assert_nonnull (strstr (bak_text, "First"));
  g_assert_null (strstr (bak_text, "Added"));
}

/* Another program's save between the read and an asynchronous save is
 * merged in, as ar_env_store_save() does (issue 8 item 3). */
static void
test_save_async_merges (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) mine = load_from_text (path, "{\"format\": 2, \"environments\": [{\"env_id\": \"shared\", \"name\": \"S\"}, {\"env_id\": \"both\", \"name\": \"B\"}]}");
  g_autoptr(ArEnvStore) theirs = load_existing (path);
  g_autoptr(ArEnvStore) check = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  AsyncSaves saves = { order, 0, 1 };
  AsyncSave save = { &saves, "mine", NULL };
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (ar_env_store_find_by_id (theirs, "shared"), "Theirs");
  g_assert_true (ar_env_store_save (theirs, &error));
  ar_environment_set_name (ar_env_store_find_by_id (mine, "both"), "Mine");
  ar_env_store_save_async (mine, NULL, async_saved, &save);
  wait_for_saves (&saves);
  g_assert_no_error (save.error);
  check = load_existing (path);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "shared")), ==, "Theirs");
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "both")), ==, "Mine");

  /* Both changed the same entry: nothing written, CONFLICT. */
  {
    g_autoptr(ArEnvStore) other = load_existing (path);

    ar_environment_set_name (ar_env_store_find_by_id (other, "both"), "Other");
    g_assert_true (ar_env_store_save (other, &error));
  }
  ar_environment_set_name (ar_env_store_find_by_id (mine, "both"), "Mine again");
  saves.pending = 1;
  ar_env_store_save_async (mine, NULL, async_saved, &save);
  wait_for_saves (&saves);
  g_assert_error (save.error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT);
  g_clear_error (&save.error);
  g_clear_object (&check);
  check = load_existing (path);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (check, "both")), ==, "Other");
}

static void
test_save_async_refused (void)
{
  g_autofree char *path = store_path ();
  g_autoptr(ArEnvStore) store = ar_env_store_new (path);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autofree char *text = NULL;
  AsyncSaves saves = { order, 0, 1 };
  AsyncSave save = { &saves, "refused", NULL };

  ar_test_write_file (path, "{ not json");
  g_assert_false (ar_env_store_load (store, NULL));
  ar_env_store_save_async (store, NULL, async_saved, &save);
  wait_for_saves (&saves);
  g_assert_error (save.error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_REFUSED);
  g_clear_error (&save.error);
  text = ar_test_read_file (path);
  g_assert_cmpstr (text, ==, "{ not json");
}

int
main (int argc, char *argv[])
{
  const char *saver = g_getenv ("AR_TEST_SAVER");

  if (saver != NULL)
    return run_saver (saver);

  ar_test_init (&argc, &argv);

  g_test_add_func ("/env-store/missing-file-is-empty", test_missing_file_is_empty);
  g_test_add_func ("/env-store/default-path", test_default_path);
  g_test_add_func ("/env-store/malformed-not-overwritten", test_malformed_not_overwritten);
  g_test_add_func ("/env-store/wrong-shape", test_wrong_shape);
  g_test_add_func ("/env-store/backup-kept", test_backup_kept);
  g_test_add_func ("/env-store/lookup", test_lookup);
  g_test_add_func ("/env-store/kill-during-save", test_kill_during_save);
  g_test_add_func ("/env-store/unreadable-entries-not-a-list", test_unreadable_entries_not_a_list);
  g_test_add_func ("/env-store/stale-temps-removed", test_stale_temps_removed);
  g_test_add_func ("/env-store/symlink-written-through", test_symlink_written_through);
  g_test_add_func ("/env-store/warnings-cut-on-character", test_warnings_cut_on_character);
  g_test_add_func ("/env-store/concurrent-saves-merge", test_concurrent_saves_merge);
  g_test_add_func ("/env-store/save-async/in-order", test_save_async_in_order);
  g_test_add_func ("/env-store/save-async/merges", test_save_async_merges);
  g_test_add_func ("/env-store/save-async/refused", test_save_async_refused);

  return g_test_run ();
}
