/* test-ui-engines.c — several engines in the window (issue 15 part 2):
 * Preferences add, edit and remove engines by keyboard, with clear
 * refusals; the environment editor's engine row; the Tasks list names each
 * task's engine only when there are several; and, on two private engines,
 * a task on each running at once from the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-engine-dialog.h"
#include "ar-images-page.h"
#include "ar-rebuild-dialog.h"
#include "ar-preferences-window.h"
#include "test-remote-utils.h"
#include "test-second-engine.h"
#include "test-ui-tasks-utils.h"

static GPtrArray *
engines_of (GSettings *settings)
{
  g_autoptr(GVariant) value = g_settings_get_value (settings, "engines");

  return ar_settings_engines_from_variant (value);
}

static void
reset_engines (void)
{
  g_autoptr(GSettings) settings = ar_ui_settings_new ();

  g_settings_reset (settings, "engines");
}

/* What Enter or Space does on the focused widget. */
static void
activate_focus (GtkWindow *window)
{
  GtkWidget *focus = gtk_window_get_focus (window);
  g_autofree char *what = NULL;

  g_assert_nonnull (focus);
  what = ar_test_ui_describe (focus);
  g_test_message ("activating %s", what);
  g_assert_true (gtk_widget_activate (focus));
  /* A button's activation shows it pressed, then clicks. */
  ar_test_ui_iterate (400);
}

/* Tab from the start of @window until @target has the focus. */
static void
tab_to (GtkWindow *window, GtkWidget *target)
{
  g_autoptr(GPtrArray) chain = ar_test_ui_focus_chain (window, 60, FALSE);
  g_autofree char *what = ar_test_ui_describe (target);

  if (ar_test_ui_chain_first_visit (chain, target) < 0)
    g_error ("Tab never reaches %s", what);
  gtk_widget_grab_focus (target);
  g_assert_true (gtk_widget_has_focus (target) || gtk_widget_is_focus (target) ||
                 gtk_widget_is_ancestor (gtk_window_get_focus (window), target));
}

static ArEngineDialog *
await_dialog (void)
{
  GtkWindow *dialog = NULL;

  ar_test_ui_await ((dialog = ar_test_ui_find_window (AR_TYPE_ENGINE_DIALOG)) != NULL &&
                    gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  return AR_ENGINE_DIALOG (dialog);
}

static gpointer
dialog_child (ArEngineDialog *dialog, const char *name)
{
  return ar_test_ui_child (dialog, AR_TYPE_ENGINE_DIALOG, name);
}

/* Types into an entry row as a user does: focus it (Tab), set its text. */
static void
type_into (ArEngineDialog *dialog, const char *row, const char *text)
{
  tab_to (GTK_WINDOW (dialog), dialog_child (dialog, row));
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, row)), text);
}

/* Enter in an entry row saves, as the Save button does. */
static void
press_enter_in (ArEngineDialog *dialog, const char *row)
{
  g_signal_emit_by_name (dialog_child (dialog, row), "entry-activated");
}

static GtkWidget *
engine_button (ArPreferencesWindow *window, guint row, guint which)
{
  GtkWidget *list = ar_test_ui_child (window, AR_TYPE_PREFERENCES_WINDOW, "engines_list");
  GtkWidget *list_row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), row));

  g_assert_nonnull (list_row);
  return ar_test_ui_find_descendant (list_row, GTK_TYPE_BUTTON, which);
}

static void
test_preferences_keyboard (void)
{
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  ArPreferencesWindow *window = ar_preferences_window_new (settings);
  GtkWidget *add = ar_test_ui_child (window, AR_TYPE_PREFERENCES_WINDOW, "add_engine_button");
  GtkWidget *list = ar_test_ui_child (window, AR_TYPE_PREFERENCES_WINDOW, "engines_list");
  ArEngineDialog *dialog;
  g_autoptr(GPtrArray) engines = NULL;
  g_auto(GStrv) unnamed = NULL;
  g_auto(GStrv) cut = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 640, 720);
  gtk_window_present (GTK_WINDOW (window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_false (gtk_widget_get_visible (list));

  /* Add: Tab to the button, Enter; the dialog's rows by Tab. */
  tab_to (GTK_WINDOW (window), add);
  activate_focus (GTK_WINDOW (window));
  dialog = await_dialog ();
  unnamed = ar_test_ui_unnamed_widgets (GTK_WIDGET (dialog));
  for (guint i = 0; unnamed[i] != NULL; i++)
    g_test_message ("engine dialog: no accessible name: %s", unnamed[i]);
  g_assert_cmpuint (g_strv_length (unnamed), ==, 0);
  {
    g_autoptr(GPtrArray) chain = ar_test_ui_focus_chain (GTK_WINDOW (dialog), 40, FALSE);
    const char *const rows[] = { "name_row", "endpoint_row", "kind_row", "folders_row", NULL };
    int last = -1;

    for (guint i = 0; rows[i] != NULL; i++)
      {
        int at = ar_test_ui_chain_first_visit (chain, dialog_child (dialog, rows[i]));

        if (at < 0)
          g_error ("Tab never reaches %s in the engine dialog", rows[i]);
        g_assert_cmpint (at, >, last);
        last = at;
      }
    g_assert_cmpint (ar_test_ui_chain_first_visit (chain, dialog_child (dialog, "save_button")), >=, 0);
  }
  /* A bad address is refused, saying why, and the dialog stays. */
  type_into (dialog, "name_row", "big box");
  type_into (dialog, "endpoint_row", "http://big:2375");
  press_enter_in (dialog, "endpoint_row");
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "error_label")));
  g_assert_nonnull (strstr (gtk_label_get_label (dialog_child (dialog, "error_label")), "http://"));
  g_assert_nonnull (strstr (ar_engine_dialog_get_error (dialog), "is not an engine address"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "engines-dialog-refused");
  engines = engines_of (settings);
  g_assert_cmpuint (engines->len, ==, 0);
  g_clear_pointer (&engines, g_ptr_array_unref);
  /* Fixed, with Podman and no shared folders; Enter saves and closes. */
  type_into (dialog, "endpoint_row", "ssh://me@big");
  /* the refusal goes with the edit */
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "error_label")));
  g_assert_null (ar_engine_dialog_get_error (dialog));
  tab_to (GTK_WINDOW (dialog), dialog_child (dialog, "kind_row"));
  adw_combo_row_set_selected (dialog_child (dialog, "kind_row"), 1);
  adw_combo_row_set_selected (dialog_child (dialog, "folders_row"), 2);
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "engines-dialog");
  ar_test_ui_screenshot_at (GTK_WINDOW (dialog), 360, 640, "engines-dialog-360");
  press_enter_in (dialog, "name_row");
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_ENGINE_DIALOG) == NULL);
  engines = engines_of (settings);
  g_assert_cmpuint (engines->len, ==, 1);
  {
    ArEngineEntry *entry = g_ptr_array_index (engines, 0);

    g_assert_cmpstr (entry->name, ==, "big box");
    g_assert_cmpstr (entry->endpoint, ==, "ssh://me@big");
    g_assert_cmpstr (entry->kind, ==, "podman");
    g_assert_cmpstr (entry->folders, ==, "not-shared");
  }
  g_clear_pointer (&engines, g_ptr_array_unref);
  ar_test_ui_await (gtk_widget_get_visible (list) && gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0) != NULL);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0))),
                   ==, "big box");

  /* A second engine of the same name is refused. */
  tab_to (GTK_WINDOW (window), add);
  activate_focus (GTK_WINDOW (window));
  dialog = await_dialog ();
  type_into (dialog, "name_row", "big box");
  type_into (dialog, "endpoint_row", "tcp://other:2376");
  tab_to (GTK_WINDOW (dialog), dialog_child (dialog, "save_button"));
  activate_focus (GTK_WINDOW (dialog));
  g_assert_nonnull (strstr (ar_engine_dialog_get_error (dialog), "already an engine named “big box”"));
  /* the focus is where the mistake is */
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)), dialog_child (dialog, "name_row")));
  g_assert_true (ar_test_ui_press_shortcut (GTK_WINDOW (dialog), GDK_KEY_Escape, 0));
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_ENGINE_DIALOG) == NULL);
  engines = engines_of (settings);
  g_assert_cmpuint (engines->len, ==, 1);
  g_clear_pointer (&engines, g_ptr_array_unref);

  /* The preferences page, at its default width and at 360 px. */
  ar_test_ui_screenshot (GTK_WIDGET (window), "engines-preferences");
  ar_test_ui_screenshot_at (GTK_WINDOW (window), 360, 720, "engines-preferences-360");
  cut = ar_test_ui_cut_off_widgets (GTK_WIDGET (window));
  for (guint i = 0; cut[i] != NULL; i++)
    g_test_message ("preferences at 360: cut off: %s", cut[i]);
  g_assert_cmpuint (g_strv_length (cut), ==, 0);
  g_clear_pointer (&unnamed, g_strfreev);
  unnamed = ar_test_ui_unnamed_widgets (GTK_WIDGET (window));
  g_assert_cmpuint (g_strv_length (unnamed), ==, 0);

  /* Edit: Tab to the row's Edit button, Enter; the fields are filled. */
  tab_to (GTK_WINDOW (window), engine_button (window, 0, 0));
  activate_focus (GTK_WINDOW (window));
  dialog = await_dialog ();
  g_assert_cmpstr (gtk_editable_get_text (dialog_child (dialog, "name_row")), ==, "big box");
  g_assert_cmpstr (gtk_editable_get_text (dialog_child (dialog, "endpoint_row")), ==, "ssh://me@big");
  g_assert_cmpuint (adw_combo_row_get_selected (dialog_child (dialog, "kind_row")), ==, 1);
  g_assert_cmpuint (adw_combo_row_get_selected (dialog_child (dialog, "folders_row")), ==, 2);
  type_into (dialog, "endpoint_row", "tcp://big:2376");
  press_enter_in (dialog, "endpoint_row");
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_ENGINE_DIALOG) == NULL);
  engines = engines_of (settings);
  g_assert_cmpuint (engines->len, ==, 1);
  g_assert_cmpstr (((ArEngineEntry *) g_ptr_array_index (engines, 0))->endpoint, ==, "tcp://big:2376");
  g_clear_pointer (&engines, g_ptr_array_unref);

  /* Remove: Tab to the row's Remove button, Enter. */
  ar_test_ui_await (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0) != NULL);
  tab_to (GTK_WINDOW (window), engine_button (window, 0, 1));
  activate_focus (GTK_WINDOW (window));
  engines = engines_of (settings);
  g_assert_cmpuint (engines->len, ==, 0);
  ar_test_ui_await (!gtk_widget_get_visible (list));
  /* The keyboard goes on from Add. */
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)), add) ||
                 gtk_window_get_focus (GTK_WINDOW (window)) == add);

  ar_test_ui_close_all_windows ();
  reset_engines ();
}

static GtkWidget *
row_engine_label (Fixture *f, guint nth)
{
  GtkWidget *row = ar_test_ui_find_descendant (GTK_WIDGET (tasks_page (f)), AR_TYPE_TASK_ROW, nth);

  g_assert_nonnull (row);
  return ar_test_ui_child (row, AR_TYPE_TASK_ROW, "engine_label");
}

/* The Tasks list names the engine only when there are several. */
static void
test_tasks_list (Fixture *f, gconstpointer data)
{
  ArEnvironment *alpha = add_env (f, "Alpha", "cyan", NULL);
  ArEnvironment *beta = add_env (f, "Beta", "rose", NULL);
  g_autoptr(ArTask) b1 = NULL;
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  GtkWidget *label;

  {
    /* A record of a task on each engine. */
    g_autoptr(GError) error = NULL;

    g_object_unref (write_record (alpha, "Fix the parser", AR_TASK_STATE_DONE, 0, "done\n"));

    b1 = write_record (beta, "Train the model on the big box", AR_TASK_STATE_FAILED, 1, "failed\n");
    ar_task_set_engine (b1, "big box");
    g_assert_true (ar_task_save (b1, &error));
    g_assert_no_error (error);
  }
  open_window (f);
  ar_test_ui_await (ar_test_ui_find_descendant (GTK_WIDGET (tasks_page (f)), AR_TYPE_TASK_ROW, 1) != NULL);
  /* One engine: nothing about engines. */
  for (guint i = 0; i < 2; i++)
    g_assert_false (gtk_widget_get_visible (row_engine_label (f, i)));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "engines-tasks-one");

  g_settings_set_value (settings, "engines", g_variant_new_parsed ("[('big box', 'ssh://me@big', 'docker', 'auto')]"));
  ar_test_ui_await (gtk_widget_get_visible (row_engine_label (f, 0)));
  for (guint i = 0; i < 2; i++)
    {
      ArTask *task;

      label = row_engine_label (f, i);
      g_assert_true (gtk_widget_get_visible (label));
      task = ar_task_row_get_task (AR_TASK_ROW (gtk_widget_get_ancestor (label, AR_TYPE_TASK_ROW)));
      g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==,
                       g_str_equal (ar_task_get_id (task), ar_task_get_id (b1)) ? "big box" : "Local");
    }
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "engines-tasks-two");
  ar_test_ui_screenshot_at (GTK_WINDOW (f->window), 360, 640, "engines-tasks-two-360");

  /* Back to one: hidden again. */
  g_settings_reset (settings, "engines");
  ar_test_ui_await (!gtk_widget_get_visible (row_engine_label (f, 0)));
}

/* The editor's engine row: hidden with one engine, a choice with several,
 * a warning for an engine Preferences do not know. */
static void
test_editor_row (Fixture *f, gconstpointer data)
{
  ArEnvironment *alpha = add_env (f, "Alpha", "cyan", NULL);
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  ArEnvironmentEditor *editor = AR_ENVIRONMENT_EDITOR (ar_environment_editor_new ());
  GtkWidget *window = gtk_window_new ();
  AdwComboRow *row = ar_test_ui_child (editor, AR_TYPE_ENVIRONMENT_EDITOR, "engine_row");

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 760);
  ar_environment_editor_set_store (editor, f->store);
  ar_environment_editor_set_environment (editor, alpha);
  gtk_window_present (GTK_WINDOW (window));
  ar_test_ui_await (gtk_widget_get_mapped (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (row)));

  g_settings_set_value (settings, "engines", g_variant_new_parsed ("[('big box', 'ssh://me@big', 'docker', 'auto')]"));
  ar_test_ui_await (gtk_widget_get_visible (GTK_WIDGET (row)));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);
  adw_combo_row_set_selected (row, 1);
  g_assert_cmpstr (ar_environment_get_engine (ar_environment_editor_get_draft (editor)), ==, "big box");
  g_assert_true (ar_environment_editor_get_modified (editor));
  ar_test_ui_screenshot (window, "engines-editor");

  /* An engine that is not in Preferences: kept, and warned about. */
  ar_environment_set_engine (ar_environment_editor_get_draft (editor), "gone box");
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, 3);
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 2);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "no engine named “gone box”"));
  g_assert_cmpstr (ar_environment_get_engine (ar_environment_editor_get_draft (editor)), ==, "gone box");
  ar_test_ui_screenshot (window, "engines-editor-unknown");
  ar_test_ui_screenshot_at (GTK_WINDOW (window), 360, 720, "engines-editor-unknown-360");
  reset_engines ();
}

typedef struct {
  ArTask *a;
  ArTask *b;
} Both;

static gboolean
both_running (Both *both)
{
  return ar_task_get_state (both->a) == AR_TASK_STATE_RUNNING && ar_task_get_state (both->b) == AR_TASK_STATE_RUNNING;
}

/* From the window: a task on the other engine (@endpoint, with @base there)
 * and one on the local engine run at the same time; the list says which
 * is where. */
static void
run_two_from_window (Fixture *f, const char *endpoint, const char *base, const char *screenshot)
{
  const char *agent[] = { "sh", "-c", "echo working; sleep 25", NULL };
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  g_autoptr(GVariant) engines = NULL;
  g_autofree char *wide = g_strdup_printf ("%s-360", screenshot);
  ArEnvironment *here;
  ArEnvironment *there;
  ArTaskManager *manager;
  Both both;

  g_settings_set_string (settings, "engine", "docker");
  g_settings_set_int (settings, "max-concurrent-tasks", 1);
  engines = g_variant_ref_sink (g_variant_new_parsed ("[('build box', %s, 'docker', 'auto')]", endpoint));
  g_settings_set_value (settings, "engines", engines);
  here = add_env (f, "On this computer", "cyan", agent);
  there = add_env (f, "On the build box", "violet", agent);
  ar_environment_set_engine (there, "build box");
  ar_environment_set_base_image (there, base);
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (ar_env_store_save (f->store, &error));
    g_assert_no_error (error);
  }
  open_window (f);
  manager = ar_backend_get_task_manager (f->backend);
  both.a = g_object_ref (ar_task_manager_start (manager, here, "Refactor the parser"));
  both.b = g_object_ref (ar_task_manager_start (manager, there, "Run the long benchmark"));
  ar_test_ui_await_for (both_running (&both) || ar_task_state_is_finished (ar_task_get_state (both.b)), 120);
  if (!both_running (&both))
    {
      g_autofree char *log = NULL;
      g_autofree char *path = ar_task_dup_log_path (both.b);

      g_file_get_contents (path, &log, NULL, NULL);
      g_error ("the task on the build box did not run:\n%s", log);
    }
  ar_window_show_task (f->window, both.b);
  ar_test_ui_await (gtk_widget_get_visible (row_engine_label (f, 0)));
  {
    /* The task view says where the shown task runs. */
    GtkLabel *engine = ar_test_ui_child (task_view (f), AR_TYPE_TASK_VIEW, "engine_label");

    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (engine)));
    g_assert_cmpstr (gtk_label_get_label (engine), ==, "build box");
  }
  ar_test_ui_iterate (300);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), screenshot);
  ar_test_ui_screenshot_at (GTK_WINDOW (f->window), 360, 720, wide);
  g_assert_cmpstr (ar_task_get_engine (both.a), ==, "local");
  g_assert_cmpstr (ar_task_get_engine (both.b), ==, "build box");
  g_assert_cmpuint (ar_task_manager_get_n_active (manager), ==, 2);
  ar_task_manager_stop (manager, both.a);
  ar_task_manager_stop (manager, both.b);
  ar_test_ui_await_for (ar_task_state_is_finished (ar_task_get_state (both.a)) &&
                          ar_task_state_is_finished (ar_task_get_state (both.b)),
                        90);
  g_object_unref (both.a);
  g_object_unref (both.b);
  reset_engines ();
  g_settings_reset (settings, "engine");
  g_settings_reset (settings, "max-concurrent-tasks");
}

/* Two private engines on this machine, the second standing in for another. */
static void
test_two_running (Fixture *f, gconstpointer data)
{
  g_autofree char *base = NULL;
  const char *second;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  if ((second = ar_test_second_engine_up (base)) == NULL)
    return;
  run_two_from_window (f, second, base, "engines-two-running");
}

/* The remote engine of tests/remote-engine-up.sh over ssh:// (no shared
 * folders: the task's files are copied in) beside the local one. */
static void
test_remote_and_local (Fixture *f, gconstpointer data)
{
  g_autofree char *base = NULL;

  if (!ar_test_engine_need () || !ar_test_remote_need ())
    return;
  base = ar_test_remote_base_image ();
  run_two_from_window (f, ar_test_remote_host (AR_TEST_REMOTE_SSH), base, "engines-remote-and-local");
}

/* Cached images with several engines: Rebuild builds on the environment's
 * own engine, the page lists the images of every engine that answers, each
 * saying which, and names the one that does not. */
static void
test_images (Fixture *f, gconstpointer data)
{
  g_autofree char *base = NULL;
  const char *second;
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  g_autoptr(GVariant) engines = NULL;
  g_autoptr(ArEnvironment) there = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  ArImagesPage *page;
  ArRebuildDialog *dialog;
  GtkWidget *group;
  const char *summary;
  gboolean found = FALSE;

  if (!ar_test_engine_need ())
    return;
  base = ar_test_engine_base_image ();
  if ((second = ar_test_second_engine_up (base)) == NULL)
    return;
  g_settings_set_string (settings, "engine", "docker");
  engines = g_variant_ref_sink (g_variant_new_parsed ("[('build box', %s, 'docker', 'shared'), "
                                                      "('switched off', 'tcp://127.0.0.1:9', 'docker', 'auto')]",
                                                      second));
  g_settings_set_value (settings, "engines", engines);
  ar_environment_set_name (there, "Cached on the build box");
  ar_environment_set_base_image (there, base);
  ar_environment_set_engine (there, "build box");
  ar_environment_set_agent_cli (there, "custom");
  ar_environment_set_custom_command (there, (const char *const[]) { "true", NULL });
  ar_environment_set_preflight_mode (there, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (there, TRUE);
  ar_environment_set_cached_preflight_script (there, "#!/bin/sh\necho built-on-the-build-box > /built\n");
  g_assert_true (ar_env_store_add (f->store, there, &error));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  open_window (f);
  page = ar_window_get_images_page (f->window);

  dialog = AR_REBUILD_DIALOG (ar_images_page_rebuild (page, ar_environment_get_env_id (there)));
  g_assert_nonnull (dialog);
  ar_test_ui_await_for (!ar_rebuild_dialog_get_running (dialog), 180);
  g_assert_true (ar_rebuild_dialog_get_succeeded (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  {
    /* Built there, not here. */
    const char *args[] = { "images", "-q", "--filter", "reference=agents-runner-env", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (ar_test_second_engine_docker (args, &out, NULL), ==, 0);
    g_assert_cmpstr (g_strstrip (out), !=, "");
  }

  ar_images_page_refresh (page);
  ar_test_ui_await_for (!ar_images_page_get_loading (page), 60);
  group = ar_test_ui_child (page, AR_TYPE_IMAGES_PAGE, "images_group");
  for (guint i = 0;; i++)
    {
      GtkWidget *row = ar_test_ui_find_descendant (group, ADW_TYPE_ACTION_ROW, i);
      const char *subtitle;

      if (row == NULL)
        break;
      subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
      g_test_message ("image row: %s: %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), subtitle);
      if (g_str_has_prefix (subtitle, "On build box · Environment layer of Cached on the build box"))
        found = TRUE;
    }
  g_assert_true (found);
  summary = gtk_label_get_label (ar_test_ui_child (page, AR_TYPE_IMAGES_PAGE, "unreachable_label"));
  g_assert_nonnull (strstr (summary, "switched off did not answer"));
  ar_window_show_page (f->window, "images");
  ar_test_ui_iterate (300);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "engines-images");
  ar_test_ui_screenshot_at (GTK_WINDOW (f->window), 360, 720, "engines-images-360");

  /* Remove Unused reaches the other engine too: once the environment goes,
   * its image there is unused, listed, and removed. */
  g_assert_true (ar_env_store_remove (f->store, ar_environment_get_env_id (there)));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  ar_test_ui_iterate (500);
  ar_images_page_refresh (page);
  ar_test_ui_await_for (!ar_images_page_get_loading (page), 60);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "images.remove-unused", NULL));
  {
    AdwMessageDialog *confirm = ar_test_ui_await_message_dialog ();
    GtkWidget *list_label = ar_test_ui_find_descendant (adw_message_dialog_get_extra_child (confirm), GTK_TYPE_LABEL, 0);
    const char *args[] = { "images", "-q", "--filter", "reference=agents-runner-env", NULL };
    g_autofree char *out = NULL;

    g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (list_label)), "agents-runner-env:"));
    ar_test_ui_respond (confirm, "remove");
    ar_test_ui_await_for (!ar_images_page_get_loading (page) && ar_images_page_get_images (page)->len == 0, 120);
    g_assert_cmpint (ar_test_second_engine_docker (args, &out, NULL), ==, 0);
    g_assert_cmpstr (g_strstrip (out), ==, "");
  }
  reset_engines ();
  g_settings_reset (settings, "engine");
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/ui/engines/preferences-keyboard", test_preferences_keyboard);
  g_test_add ("/ui/engines/tasks-list", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_tasks_list,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/engines/editor-row", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_editor_row,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/engines/two-running", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_two_running,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/engines/remote-and-local", Fixture, NULL, ar_test_ui_window_fixture_set_up,
              test_remote_and_local, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/engines/images", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_images,
              ar_test_ui_window_fixture_tear_down);
  return g_test_run ();
}
