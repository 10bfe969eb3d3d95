/* test-ui-environments-edit.c — the Environments page: add, duplicate, delete, unsaved changes, outside changes, slow saves, backups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-env-store.h"
#include "ar-environment-editor.h"
#include "ar-environments-page.h"
#include "ar-preflight-editor.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"
#include "test-ui-environments-utils.h"

/* ---- add, duplicate, delete, undo ---- */

static void
test_add_duplicate_delete (Fixture *f, gconstpointer data)
{
  g_autoptr(ArEnvStore) on_disk = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *copy_id = NULL;

  ar_environments_page_new_environment (page (f));
  g_assert_cmpuint (n_rows (f), ==, 3);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "New Environment");
  new_id = g_strdup (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))));
  g_assert_true (g_str_has_prefix (new_id, "env-"));
  /* A draft until saved. */
  g_assert_true (ar_environment_editor_get_is_new (editor (f)));
  save_and_wait (f);
  g_assert_false (ar_environment_editor_get_is_new (editor (f)));
  g_assert_cmpuint (n_rows (f), ==, 3);
  g_assert_cmpuint (selected_row (f), ==, 2);
  on_disk = reload (f);
  g_assert_nonnull (ar_env_store_find_by_id (on_disk, new_id));
  g_clear_object (&on_disk);

  /* A second one gets a name of its own. */
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.add", NULL);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "New Environment 2");
  save_and_wait (f);

  ar_environments_page_select (page (f), f->beta_id);
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.duplicate", NULL);
  g_assert_cmpuint (n_rows (f), ==, 5);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Beta (copy)");
  copy_id = g_strdup (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))));
  g_assert_cmpstr (copy_id, !=, f->beta_id);
  g_assert_true (gtk_switch_get_active (field (f, "caching_switch")));
  save_and_wait (f);
  ar_test_ui_screenshot (GTK_WIDGET (page (f)), "environments-list-after-add");

  /* Delete, then undo: back in its place, on disk too. */
  ar_environments_page_select (page (f), f->alpha_id);
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.delete", NULL);
  g_assert_cmpuint (n_rows (f), ==, 4);
  g_assert_null (ar_env_store_find_by_id (f->store, f->alpha_id));
  on_disk = reload (f);
  g_assert_null (ar_env_store_find_by_id (on_disk, f->alpha_id));
  g_clear_object (&on_disk);
  /* The editor shows a neighbour. */
  g_assert_nonnull (ar_environment_editor_get_environment (editor (f)));
  ar_test_ui_screenshot (GTK_WIDGET (page (f)), "environments-deleted-toast");

  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.undo-delete", NULL);
  g_assert_cmpuint (n_rows (f), ==, 5);
  g_assert_cmpstr (ar_environment_get_env_id (ar_env_store_get_environment (f->store, 0)), ==, f->alpha_id);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Alpha");
  on_disk = reload (f);
  g_assert_nonnull (ar_env_store_find_by_id (on_disk, f->alpha_id));
  g_clear_object (&on_disk);

  /* Deleting everything leaves the empty state. */
  while (ar_env_store_get_n_environments (f->store) > 0)
    gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.delete", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (ar_test_ui_child (page (f), AR_TYPE_ENVIRONMENTS_PAGE, "content_stack")), ==, "empty");
  g_assert_null (ar_environment_editor_get_environment (editor (f)));
  ar_test_ui_screenshot (GTK_WIDGET (page (f)), "environments-empty");
}

/* "+" by accident leaves nothing in environments.json (issue 12): a new
 * environment is a draft until its first Save, and leaving it asks. */
static void
test_new_is_draft (Fixture *f, gconstpointer data)
{
  g_autofree char *before = file_contents (f);
  g_autofree char *after = NULL;
  g_autofree char *new_id = NULL;
  AdwMessageDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.add", NULL);
  g_assert_cmpuint (n_rows (f), ==, 3);
  g_assert_cmpuint (selected_row (f), ==, 2);
  new_id = g_strdup (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))));
  g_assert_true (ar_environment_editor_get_modified (editor (f)));
  /* Not in the store, not on disk. */
  g_assert_null (ar_env_store_find_by_id (f->store, new_id));
  ar_test_ui_iterate (300);
  after = file_contents (f);
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);

  /* Leaving it asks; Cancel keeps it. */
  select_row (f, 0);
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Save the New Environment?");
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "new-environment-leave-dialog");
  ar_test_ui_respond (dialog, "cancel");
  ar_test_ui_await (ar_test_ui_no_message_dialog ());
  g_assert_cmpstr (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), ==, new_id);
  g_assert_cmpuint (selected_row (f), ==, 2);

  /* Discard: it leaves the list, and the file never had it. */
  select_row (f, 0);
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "discard");
  ar_test_ui_await (g_strcmp0 (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), f->alpha_id) == 0);
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpuint (selected_row (f), ==, 0);
  after = file_contents (f);
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);

  /* Delete on a draft just drops it. */
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.add", NULL);
  g_assert_cmpuint (n_rows (f), ==, 3);
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.delete", NULL);
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_true (ar_test_ui_no_message_dialog ());

  /* Saved, it is written; edits of it afterwards are ordinary edits. */
  ar_environments_page_new_environment (page (f));
  gtk_editable_set_text (field (f, "name_row"), "Fresh");
  save_and_wait (f);
  after = file_contents (f);
  g_assert_nonnull (strstr (after, "\"Fresh\""));
  g_assert_cmpuint (n_rows (f), ==, 3);
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
  select_row (f, 0);
  ar_test_ui_await (g_strcmp0 (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), f->alpha_id) == 0);
  g_assert_true (ar_test_ui_no_message_dialog ());
}

/* ---- leaving with unsaved changes ---- */

static void
test_unsaved_switch (Fixture *f, gconstpointer data)
{
  AdwMessageDialog *dialog;

  gtk_editable_set_text (field (f, "name_row"), "Alpha edited");

  /* Cancel: stays, the edit too. */
  select_row (f, 1);
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Alpha edited"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "unsaved-changes-dialog");
  ar_test_ui_respond (dialog, "cancel");
  ar_test_ui_await (ar_test_ui_no_message_dialog ());
  ar_test_ui_iterate (50);
  g_assert_cmpstr (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), ==, f->alpha_id);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Alpha edited");
  g_assert_cmpuint (selected_row (f), ==, 0);

  /* Discard: switches, nothing saved. */
  select_row (f, 1);
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "discard");
  ar_test_ui_await (g_strcmp0 (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), f->beta_id) == 0);
  g_assert_cmpuint (selected_row (f), ==, 1);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (f->store, f->alpha_id)), ==, "Alpha");

  /* Save: saves, then switches. */
  gtk_editable_set_text (field (f, "name_row"), "Beta edited");
  ar_environments_page_select (page (f), f->alpha_id);
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "save");
  ar_test_ui_await (g_strcmp0 (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), f->alpha_id) == 0);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (f->store, f->beta_id)), ==, "Beta edited");
  {
    g_autoptr(ArEnvStore) on_disk = reload (f);
    g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (on_disk, f->beta_id)), ==, "Beta edited");
  }
}

static void
test_close_unsaved (Fixture *f, gconstpointer data)
{
  gpointer window = f->window;

  g_object_add_weak_pointer (G_OBJECT (window), &window);
  gtk_editable_set_text (field (f, "name_row"), "Alpha edited");

  ar_window_show_page (f->window, "tasks");
  gtk_window_close (GTK_WINDOW (f->window));
  /* It asks, on the Environments page. */
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "cancel");
  ar_test_ui_await (ar_test_ui_no_message_dialog ());
  g_assert_nonnull (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ar_window_get_stack (f->window)), ==, "environments");

  gtk_window_close (GTK_WINDOW (f->window));
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "discard");
  ar_test_ui_await (window == NULL);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (f->store, f->alpha_id)), ==, "Alpha");
}

/* ---- the caching checkbox in single mode ---- */

static void
test_caching_checkbox (Fixture *f, gconstpointer data)
{
  AdwMessageDialog *dialog;

  show_tab (f, "general");
  gtk_switch_set_active (field (f, "caching_switch"), TRUE);
  dialog = ar_test_ui_await_message_dialog ();
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "caching-dialog-from-general-tab");
  ar_test_ui_respond (dialog, "open");
  ar_test_ui_await (ar_test_ui_no_message_dialog ());
  g_assert_cmpstr (gtk_stack_get_visible_child_name (field (f, "tabs")), ==, "preflight");
  g_assert_true (gtk_switch_get_active (field (f, "caching_switch")));

  show_tab (f, "general");
  gtk_switch_set_active (field (f, "caching_switch"), FALSE);
  gtk_switch_set_active (field (f, "caching_switch"), TRUE);
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "disable");
  ar_test_ui_await (ar_test_ui_no_message_dialog ());
  g_assert_false (gtk_switch_get_active (field (f, "caching_switch")));
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
}

/* ---- an unreadable environments.json ---- */

static void
test_malformed_file (Fixture *f, gconstpointer data)
{
  g_autofree char *bak = g_strconcat (f->path, ".bak", NULL);
  g_autofree char *good = file_contents (f);
  g_autofree char *after = NULL;
  const char *broken = "{ \"format\": 2, \"environments\": [ { \"env_id\": ";
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  ar_test_ui_close_all_windows ();
  await_saves (f);
  g_clear_object (&f->store);
  ar_test_write_file (bak, good);
  ar_test_write_file (f->path, broken);

  f->store = ar_env_store_new (f->path);
  g_assert_false (ar_env_store_load (f->store, &error));
  g_assert_nonnull (error);
  open_window (f);
  g_assert_cmpuint (n_rows (f), ==, 0);

  ar_environments_page_report_load_error (page (f), error);
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), f->path));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "line"));
  g_assert_true (adw_message_dialog_has_response (dialog, "backup"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "malformed-file-dialog");

  /* Leave untouched: still nothing written, even on add. */
  ar_test_ui_respond (dialog, "keep");
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.add", NULL);
  after = file_contents (f);
  g_assert_cmpstr (after, ==, broken);
  g_clear_pointer (&after, g_free);
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.delete", NULL);
  g_assert_cmpuint (n_rows (f), ==, 0);

  /* Open the backup: its environments, and the broken file stays until a
   * save. */
  ar_environments_page_report_load_error (page (f), error);
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "backup");
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_nonnull (ar_env_store_find_by_id (f->store, f->alpha_id));
  after = file_contents (f);
  g_assert_cmpstr (after, ==, broken);
  g_clear_pointer (&after, g_free);

  gtk_editable_set_text (field (f, "name_row"), "Alpha restored");
  save_and_wait (f);
  after = file_contents (f);
  g_assert_nonnull (strstr (after, "Alpha restored"));
  g_assert_nonnull (strstr (after, f->beta_id));
}

/* ---- changes made by another program (issue 8 item 3) ---- */

/* What `env import` or a second window does: its own store, its own save. */
static void
change_on_disk (Fixture *f, const char *env_id, const char *new_name, const char *add_name)
{
  g_autoptr(ArEnvStore) other = reload (f);
  g_autoptr(GError) error = NULL;

  if (env_id != NULL)
    ar_environment_set_name (ar_env_store_find_by_id (other, env_id), new_name);
  if (add_name != NULL)
    {
      g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();

      ar_environment_set_name (env, add_name);
      g_assert_true (ar_env_store_add (other, env, &error));
    }
  g_assert_true (ar_env_store_save (other, &error));
  g_assert_no_error (error);
}

static const char *
shown_name (Fixture *f)
{
  return gtk_editable_get_text (field (f, "name_row"));
}

static const char *
stored_name (Fixture *f, const char *env_id)
{
  ArEnvironment *env = ar_env_store_find_by_id (f->store, env_id);

  return env != NULL ? ar_environment_get_name (env) : NULL;
}

static void
test_outside_change_reloads (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpstr (shown_name (f), ==, "Alpha");

  /* No unsaved edits: the new environment appears, the renamed one shows
   * its new name, without a question. */
  change_on_disk (f, f->alpha_id, "Alpha from the CLI", "Imported");
  ar_test_ui_await (n_rows (f) == 3);
  ar_test_ui_await (g_strcmp0 (shown_name (f), "Alpha from the CLI") == 0);
  g_assert_true (ar_test_ui_no_message_dialog ());
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "outside-change-reloaded");

  /* The next save from the window keeps what the other program wrote. */
  gtk_editable_set_text (field (f, "name_row"), "Alpha, then edited here");
  save_and_wait (f);
  {
    g_autofree char *text = file_contents (f);
    g_assert_nonnull (strstr (text, "\"Imported\""));
    g_assert_nonnull (strstr (text, "Alpha, then edited here"));
  }
}

static void
test_outside_change_while_editing (Fixture *f, gconstpointer data)
{
  AdwMessageDialog *dialog;

  gtk_editable_set_text (field (f, "name_row"), "Mine");
  g_assert_true (ar_environment_editor_get_modified (editor (f)));

  /* Another entry changed: merged, no question, my edits stay. */
  change_on_disk (f, f->beta_id, "Beta from the CLI", NULL);
  ar_test_ui_await (g_strcmp0 (stored_name (f, f->beta_id), "Beta from the CLI") == 0);
  ar_test_ui_iterate (200);
  g_assert_true (ar_test_ui_no_message_dialog ());
  g_assert_cmpstr (shown_name (f), ==, "Mine");
  g_assert_true (ar_environment_editor_get_modified (editor (f)));

  /* The entry being edited changed there too: asked; keep mine. */
  change_on_disk (f, f->alpha_id, "Theirs", NULL);
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_true (adw_message_dialog_has_response (dialog, "mine"));
  g_assert_true (adw_message_dialog_has_response (dialog, "theirs"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "outside-change-dialog");
  ar_test_ui_respond (dialog, "mine");
  g_assert_cmpstr (shown_name (f), ==, "Mine");
  save_and_wait (f);
  {
    g_autofree char *text = file_contents (f);
    g_assert_nonnull (strstr (text, "\"Mine\""));
    g_assert_null (strstr (text, "\"Theirs\""));
    g_assert_nonnull (strstr (text, "Beta from the CLI"));
  }

  /* Again, and load theirs: the editor shows their version. */
  gtk_editable_set_text (field (f, "name_row"), "Mine again");
  change_on_disk (f, f->alpha_id, "Theirs again", NULL);
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "theirs");
  g_assert_cmpstr (shown_name (f), ==, "Theirs again");
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
}

/* ---- saves that take long (issue 10 item 6) ---- */

typedef struct {
  guint ticks;
  gint64 last;
  gint64 longest;   /* the longest the main loop did not turn, in µs */
} Ticks;

static gboolean
tick (gpointer user_data)
{
  Ticks *t = user_data;
  gint64 now = g_get_monotonic_time ();

  if (t->last != 0)
    t->longest = MAX (t->longest, now - t->last);
  t->last = now;
  t->ticks++;
  return G_SOURCE_CONTINUE;
}

static char *
file_now (Fixture *f)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (f->path, &contents, NULL, NULL));
  return contents;
}

static void
test_slow_save (Fixture *f, gconstpointer data)
{
  GtkWidget *save_button = field (f, "save_button");
  Ticks t = { 0, 0, 0 };
  g_autofree char *after_first = NULL;
  g_autofree char *after_both = NULL;
  guint id;

  /* Each write waits a second first, as one did beside image builds. */
  ar_env_store_set_save_delay (f->store, 1000);
  gtk_editable_set_text (field (f, "name_row"), "Slow");
  id = g_timeout_add (10, tick, &t);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.save-environment", NULL);
  ar_test_ui_await_for (ar_environment_editor_get_saving (editor (f)), SAVE_SECONDS);

  /* The save shows on its button, which waits; the window does not. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (save_button)), ==, "Saving…");
  g_assert_false (gtk_widget_is_sensitive (save_button));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "environment-saving");
  /* Counted from here: drawing the screenshot is not the save. */
  t = (Ticks) { 0, 0, 0 };

  /* A second save right behind it: Beta deleted. */
  ar_environments_page_select (page (f), f->beta_id);
  g_assert_cmpstr (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), ==, f->beta_id);
  gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.delete", NULL);
  g_assert_cmpuint (n_rows (f), ==, 1);

  /* They land in the order they were made: first the rename alone... */
  ar_test_ui_await_for (!ar_environment_editor_get_saving (editor (f)), SAVE_SECONDS);
  g_assert_true (ar_env_store_get_saving (f->store));
  after_first = file_now (f);
  g_assert_nonnull (strstr (after_first, "\"Slow\""));
  g_assert_nonnull (strstr (after_first, f->beta_id));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (save_button)), ==, "_Save");

  /* ...then the list without Beta. */
  ar_test_ui_await_for (!ar_env_store_get_saving (f->store), SAVE_SECONDS);
  after_both = file_now (f);
  g_assert_nonnull (strstr (after_both, "\"Slow\""));
  g_assert_null (strstr (after_both, f->beta_id));
  g_source_remove (id);

  /* Some 1.5 s of writes (a second each, the first begun before), and the
   * main loop kept turning: a save on this thread would stop it for 1 s. */
  g_test_message ("%u main loop turns, longest pause %" G_GINT64_FORMAT " ms", t.ticks, t.longest / 1000);
  g_assert_cmpuint (t.ticks, >=, 40);
  g_assert_cmpint (t.longest, <, 500 * 1000);
}

static void
test_backup_with_existing (Fixture *f, gconstpointer data)
{
  g_autofree char *bak = g_strconcat (f->path, ".bak", NULL);
  g_autofree char *good = file_contents (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvironment) mine = NULL;

  /* The file breaks while the window has its list. */
  ar_test_write_file (bak, good);
  ar_test_write_file (f->path, "{ broken");
  g_assert_false (ar_env_store_load (f->store, &error));
  g_assert_cmpuint (n_rows (f), ==, 2);
  mine = ar_environment_copy (ar_env_store_find_by_id (f->store, f->alpha_id));
  ar_environment_set_name (mine, "Alpha, changed here");
  ar_env_store_replace (f->store, mine);

  ar_environments_page_report_load_error (page (f), error);
  ar_test_ui_respond (ar_test_ui_await_message_dialog (), "backup");
  /* Both were in the list already: kept, and the user is told so. */
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_find_by_id (f->store, f->alpha_id)), ==, "Alpha, changed here");
  ar_test_ui_await (find_label_text (GTK_WIDGET (f->window), "were already in the list"));
  g_assert_true (find_label_text (GTK_WIDGET (f->window), "“Alpha, changed here”"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "backup-with-existing");
}

int
main (int argc, char **argv)
{
  add_system_schemas ();
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ui/environments/add-duplicate-delete", test_add_duplicate_delete);
  ADD ("/ui/environments/new-is-draft", test_new_is_draft);
  ADD ("/ui/environments/unsaved-switch", test_unsaved_switch);
  ADD ("/ui/environments/close-unsaved", test_close_unsaved);
  ADD ("/ui/environments/caching-checkbox", test_caching_checkbox);
  ADD ("/ui/environments/malformed-file", test_malformed_file);
  ADD ("/ui/environments/outside-change-reloads", test_outside_change_reloads);
  ADD ("/ui/environments/outside-change-while-editing", test_outside_change_while_editing);
  ADD ("/ui/environments/slow-save", test_slow_save);
  ADD ("/ui/environments/backup-with-existing", test_backup_with_existing);

  return g_test_run ();
}
