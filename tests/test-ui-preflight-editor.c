/* test-ui-preflight-editor.c — the Preflight tab (SPEC §6.3), driven
 * through its actions and properties.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-auto-split-dialog.h"
#include "ar-preflight-analyzer.h"
#include "ar-preflight-editor.h"
#include "ar-preflight-validator.h"
#include "ar-ui.h"
#include "test-ui-utils.h"

#define KNOWN_SCRIPT "#!/bin/sh\nset -e\napt-get update\napt-get install -y git\nexport FOO=1\necho $TASK_ID\n"

typedef struct {
  GtkWindow *window;
  GtkStack *stack;
  ArPreflightEditor *editor;
  ArEnvironment *env;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  GtkWidget *other = gtk_label_new ("another page");

  f->env = ar_environment_new_with_id ();
  ar_environment_set_name (f->env, "Test");
  ar_environment_set_preflight_script (f->env, KNOWN_SCRIPT);
  ar_environment_set_cached_preflight_script (f->env, "#!/bin/sh\napt-get install -y ripgrep\n");
  ar_environment_set_run_preflight_script (f->env, "#!/bin/sh\necho start\n");

  /* A stack around the editor, as in the environment editor, so that
   * "Open Preflight tab" has something to switch. */
  f->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (f->window, 980, 620);
  f->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (f->stack, other, "other");
  f->editor = AR_PREFLIGHT_EDITOR (ar_preflight_editor_new ());
  gtk_stack_add_named (f->stack, GTK_WIDGET (f->editor), "preflight");
  gtk_stack_set_visible_child_name (f->stack, "preflight");
  adw_window_set_content (ADW_WINDOW (f->window), GTK_WIDGET (f->stack));
  ar_preflight_editor_set_environment (f->editor, f->env);
  gtk_window_present (f->window);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->editor)));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  ar_test_ui_close_all_windows ();
  g_assert_finalize_object (f->env);
}

static GtkWidget *
view (Fixture *f, const char *name)
{
  g_autofree char *id = g_strconcat (name, "_view", NULL);
  return ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, id);
}

static gboolean
view_is_active (Fixture *f, const char *name)
{
  g_autofree char *overlay_id = g_strconcat (name, "_overlay", NULL);
  GtkWidget *overlay = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, overlay_id);
  gboolean editable = gtk_text_view_get_editable (GTK_TEXT_VIEW (view (f, name)));

  /* Editable and not dimmed go together. */
  g_assert_cmpint (editable, ==, !gtk_widget_has_css_class (overlay, "ar-inactive"));
  return editable;
}

static void
show_tab (Fixture *f, int page)
{
  GtkNotebook *notebook = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "notebook");

  gtk_notebook_set_current_page (notebook, page);
}

static void
assert_texts (Fixture *f, const char *single, const char *cached, const char *run)
{
  g_autofree char *single_text = ar_test_ui_text_view_get_text (view (f, "single"));
  g_autofree char *cached_text = ar_test_ui_text_view_get_text (view (f, "cached"));
  g_autofree char *run_text = ar_test_ui_text_view_get_text (view (f, "run"));

  g_assert_cmpstr (single_text, ==, single);
  g_assert_cmpstr (cached_text, ==, cached);
  g_assert_cmpstr (run_text, ==, run);
  g_assert_cmpstr (ar_environment_get_preflight_script (f->env), ==, single);
  g_assert_cmpstr (ar_environment_get_cached_preflight_script (f->env), ==, cached);
  g_assert_cmpstr (ar_environment_get_run_preflight_script (f->env), ==, run);
}

static void
test_mode_switches_editors (Fixture *f, gconstpointer data)
{
  const char *cached = "#!/bin/sh\napt-get install -y ripgrep\n";
  const char *run = "#!/bin/sh\necho start\n";
  GtkWidget *enabled_check = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "enabled_check");

  g_assert_cmpstr (ar_preflight_editor_get_mode (f->editor), ==, "single");
  g_assert_true (view_is_active (f, "single"));
  g_assert_false (view_is_active (f, "cached"));
  g_assert_false (view_is_active (f, "run"));
  g_assert_true (gtk_widget_get_sensitive (enabled_check));
  assert_texts (f, KNOWN_SCRIPT, cached, run);
  show_tab (f, 0);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-single-mode-single-tab");
  show_tab (f, 1);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-single-mode-cached-tab");

  /* The mode selector's action. */
  gtk_widget_activate_action (GTK_WIDGET (f->editor), "preflight.mode", "s", "split");
  g_assert_cmpstr (ar_preflight_editor_get_mode (f->editor), ==, "split");
  g_assert_cmpint (ar_environment_get_preflight_mode (f->env), ==, AR_PREFLIGHT_MODE_SPLIT);
  g_assert_false (view_is_active (f, "single"));
  g_assert_true (view_is_active (f, "cached"));
  g_assert_true (view_is_active (f, "run"));
  g_assert_false (gtk_widget_get_sensitive (enabled_check));
  assert_texts (f, KNOWN_SCRIPT, cached, run);
  show_tab (f, 1);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-split-mode-cached-tab");
  show_tab (f, 2);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-split-mode-run-tab");
  show_tab (f, 0);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-split-mode-single-tab");

  /* Caching on in split mode: no question, and still nothing erased. */
  ar_environment_set_cache_container_build (f->env, TRUE);
  ar_test_ui_iterate (50);
  g_assert_true (ar_test_ui_no_message_dialog ());
  assert_texts (f, KNOWN_SCRIPT, cached, run);

  /* Through the toggle buttons' property as well. */
  g_object_set (f->editor, "mode", "single", NULL);
  g_assert_true (view_is_active (f, "single"));
  g_assert_false (view_is_active (f, "run"));
  assert_texts (f, KNOWN_SCRIPT, cached, run);
  g_assert_true (gtk_toggle_button_get_active (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "single_button")));
  g_assert_false (gtk_toggle_button_get_active (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "split_button")));
  show_tab (f, 0);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-single-mode-caching-hint");

  /* Typing in an editor reaches the environment. */
  ar_test_ui_text_view_set_text (view (f, "single"), "#!/bin/sh\necho typed\n");
  g_assert_cmpstr (ar_environment_get_preflight_script (f->env), ==, "#!/bin/sh\necho typed\n");
}

static void
test_placeholder (Fixture *f, gconstpointer data)
{
  GtkWidget *placeholder = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "run_placeholder");

  g_assert_false (gtk_widget_get_visible (placeholder));
  ar_environment_set_run_preflight_script (f->env, "");
  g_assert_true (gtk_widget_get_visible (placeholder));
  ar_environment_set_preflight_mode (f->env, AR_PREFLIGHT_MODE_SPLIT);
  show_tab (f, 2);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-run-tab-placeholder");
  ar_test_ui_text_view_set_text (view (f, "run"), "echo $TASK_ID\n");
  g_assert_false (gtk_widget_get_visible (placeholder));
}

static void
test_build_user (Fixture *f, gconstpointer data)
{
  GtkLabel *label = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "cached_warning_label");

  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "warning"));
  g_assert_cmpstr (ar_preflight_editor_get_build_user (f->editor), ==, "root");
  g_assert_nonnull (strstr (gtk_label_get_text (label), "as root"));
  g_assert_nonnull (strstr (gtk_label_get_text (label), "secrets"));

  g_object_set (f->editor, "build-user", "midori", NULL);
  g_assert_nonnull (strstr (gtk_label_get_text (label), "midori"));
  g_assert_null (strstr (gtk_label_get_text (label), "root"));

  /* Markup in a user name is shown as text. */
  g_object_set (f->editor, "build-user", "<b>x&y", NULL);
  g_assert_nonnull (strstr (gtk_label_get_text (label), "<b>x&y"));

  g_object_set (f->editor, "build-user", "midori", NULL);
  ar_environment_set_preflight_mode (f->env, AR_PREFLIGHT_MODE_SPLIT);
  show_tab (f, 1);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-cached-tab-build-user");
}

static ArAutoSplitDialog *
open_auto_split (Fixture *f)
{
  gtk_widget_activate_action (GTK_WIDGET (f->editor), "preflight.auto-split", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) != NULL);
  return AR_AUTO_SPLIT_DIALOG (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG));
}

static guint
find_unit (GPtrArray *units, const char *text)
{
  for (guint i = 0; i < units->len; i++)
    if (g_str_equal (((ArPreflightUnit *) g_ptr_array_index (units, i))->text, text))
      return i;
  g_error ("no unit %s", text);
}

/* The switch of unit @index: one per unit that is not BOTH, in order. */
static GtkSwitch *
unit_switch (ArAutoSplitDialog *dialog, guint index)
{
  GPtrArray *units = ar_auto_split_dialog_get_units (dialog);
  guint nth = 0;

  g_assert_cmpint (((ArPreflightUnit *) g_ptr_array_index (units, index))->part, !=, AR_PREFLIGHT_PART_BOTH);
  for (guint i = 0; i < index; i++)
    if (((ArPreflightUnit *) g_ptr_array_index (units, i))->part != AR_PREFLIGHT_PART_BOTH)
      nth++;
  return GTK_SWITCH (ar_test_ui_find_descendant (GTK_WIDGET (dialog), GTK_TYPE_SWITCH, nth));
}

static void
test_auto_split (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) expected_units = ar_preflight_analyze (KNOWN_SCRIPT, NULL, NULL);
  g_autofree char *expected_cached = NULL;
  g_autofree char *expected_run = NULL;
  ArAutoSplitDialog *dialog;
  GPtrArray *units;
  guint install_unit;
  GtkListBox *list;

  dialog = open_auto_split (f);
  units = ar_auto_split_dialog_get_units (dialog);
  g_assert_cmpuint (units->len, ==, expected_units->len);
  g_assert_cmpuint (units->len, >=, 5);
  list = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "list_box");
  g_assert_nonnull (gtk_list_box_get_row_at_index (list, units->len - 1));
  g_assert_null (gtk_list_box_get_row_at_index (list, units->len));
  g_assert_true (gtk_widget_get_visible (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "replace_box")));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog");

  /* Shebang and set -e go to both parts and have no switch. */
  g_assert_cmpint (((ArPreflightUnit *) g_ptr_array_index (units, find_unit (units, "#!/bin/sh")))->part,
                   ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpint (((ArPreflightUnit *) g_ptr_array_index (units, find_unit (units, "set -e")))->part,
                   ==, AR_PREFLIGHT_PART_BOTH);

  /* Flip the install to Run with its switch; the core renders the same
   * split from the same flip. */
  install_unit = find_unit (units, "apt-get install -y git");
  g_assert_true (gtk_switch_get_active (unit_switch (dialog, install_unit)));
  gtk_switch_set_active (unit_switch (dialog, install_unit), FALSE);
  g_assert_cmpint (((ArPreflightUnit *) g_ptr_array_index (units, install_unit))->part, ==, AR_PREFLIGHT_PART_RUN);
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog-flipped");

  ((ArPreflightUnit *) g_ptr_array_index (expected_units, install_unit))->part = AR_PREFLIGHT_PART_RUN;
  expected_cached = ar_preflight_render (expected_units, AR_PREFLIGHT_PART_CACHED);
  expected_run = ar_preflight_render (expected_units, AR_PREFLIGHT_PART_RUN);
  g_assert_null (strstr (expected_cached, "apt-get install -y git"));
  g_assert_nonnull (strstr (expected_run, "apt-get install -y git"));
  g_assert_null (strstr (expected_cached, "TASK_ID"));
  g_assert_nonnull (strstr (expected_run, "echo $TASK_ID"));

  gtk_widget_activate_action (GTK_WIDGET (dialog), "auto-split.apply", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) == NULL);

  assert_texts (f, KNOWN_SCRIPT, expected_cached, expected_run);
  g_assert_cmpstr (ar_preflight_editor_get_mode (f->editor), ==, "split");
  g_assert_true (view_is_active (f, "cached"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-after-auto-split");

  /* Apply was one user action per editor: Ctrl+Z brings the old text back. */
  g_assert_true (gtk_text_buffer_get_can_undo (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view (f, "cached")))));
}

static void
test_auto_split_cancel (Fixture *f, gconstpointer data)
{
  const char *cached = "#!/bin/sh\napt-get install -y ripgrep\n";
  const char *run = "#!/bin/sh\necho start\n";
  ArAutoSplitDialog *dialog;

  dialog = open_auto_split (f);
  gtk_switch_set_active (unit_switch (dialog, find_unit (ar_auto_split_dialog_get_units (dialog), "echo $TASK_ID")), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "auto-split.cancel", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) == NULL);
  assert_texts (f, KNOWN_SCRIPT, cached, run);
  g_assert_cmpstr (ar_preflight_editor_get_mode (f->editor), ==, "single");

  /* Escape cancels too. */
  dialog = open_auto_split (f);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) == NULL);
  assert_texts (f, KNOWN_SCRIPT, cached, run);
  g_assert_cmpstr (ar_preflight_editor_get_mode (f->editor), ==, "single");

  /* Nothing to split: an empty state, and Apply is off. */
  ar_environment_set_preflight_script (f->env, "");
  ar_environment_set_run_preflight_script (f->env, "");
  dialog = open_auto_split (f);
  g_assert_false (gtk_widget_is_sensitive (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "apply_button")));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog-empty");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "auto-split.apply", NULL);
  g_assert_true (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) != NULL);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "auto-split.cancel", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) == NULL);
}

static void
test_validate (Fixture *f, gconstpointer data)
{
  GtkRevealer *revealer = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "results_revealer");
  GtkListBox *list = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "results_list");
  GtkLabel *title = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "results_title");
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GError) error = NULL;
  gboolean cached_line_found = FALSE;
  gboolean run_found = FALSE;
  GtkListBoxRow *row;
  guint n_rows = 0;

  ar_environment_set_preflight_mode (f->env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (f->env, TRUE);
  ar_test_ui_text_view_set_text (view (f, "cached"), "#!/bin/sh\napt-get install -y git\necho $TASK_ID > /etc/task\n");
  ar_test_ui_text_view_set_text (view (f, "run"), "#!/bin/sh\napt-get install -y curl\n");

  expected = ar_preflight_validate (f->env, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (expected->len, >=, 2);

  g_assert_false (gtk_revealer_get_reveal_child (revealer));
  gtk_widget_activate_action (GTK_WIDGET (f->editor), "preflight.validate", NULL);
  ar_test_ui_await (gtk_revealer_get_reveal_child (revealer));

  for (; (row = gtk_list_box_get_row_at_index (list, n_rows)) != NULL; n_rows++)
    {
      const char *row_title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));

      if (g_str_equal (row_title, "Cached preflight, line 3"))
        cached_line_found = TRUE;
      if (g_str_has_prefix (row_title, "Run preflight"))
        run_found = TRUE;
    }
  g_assert_cmpuint (n_rows, ==, expected->len);
  g_assert_true (cached_line_found);
  g_assert_true (run_found);
  g_assert_nonnull (strstr (gtk_label_get_text (title), "warning"));
  show_tab (f, 1);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-validate-warnings");

  /* A row takes the user to the line. */
  g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (list, 0));

  /* Fixed scripts: nothing found. */
  ar_test_ui_text_view_set_text (view (f, "cached"), "#!/bin/sh\napt-get install -y git\n");
  ar_test_ui_text_view_set_text (view (f, "run"), "#!/bin/sh\necho $TASK_ID\n");
  gtk_widget_activate_action (GTK_WIDGET (f->editor), "preflight.validate", NULL);
  ar_test_ui_await (gtk_list_box_get_row_at_index (list, 0) == NULL &&
                    strstr (gtk_label_get_text (title), "No problems") != NULL);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "preflight-validate-clean");
}

static void
on_test_preflight (ArPreflightEditor *editor,
                   ArEnvironment     *env,
                   ArEnvironment    **out)
{
  *out = env;
}

static void
test_test_preflight_signal (Fixture *f, gconstpointer data)
{
  ArEnvironment *received = NULL;

  g_signal_connect (f->editor, "test-preflight", G_CALLBACK (on_test_preflight), &received);
  gtk_widget_activate_action (GTK_WIDGET (f->editor), "preflight.test", NULL);
  g_assert_true (received == f->env);
}

static void
caching_dialog_round (Fixture *f, const char *response)
{
  AdwMessageDialog *dialog;
  GtkNotebook *notebook = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "notebook");

  ar_environment_set_cache_container_build (f->env, FALSE);
  ar_environment_set_preflight_mode (f->env, AR_PREFLIGHT_MODE_SINGLE);
  /* Before hiding the editor: GTK 4.8 leaks text views whose page is
   * switched while hidden. */
  show_tab (f, 2);
  gtk_stack_set_visible_child_name (f->stack, "other");

  ar_environment_set_cache_container_build (f->env, TRUE);
  dialog = ar_test_ui_await_message_dialog ();
  g_assert_true (adw_message_dialog_has_response (dialog, "open"));
  g_assert_true (adw_message_dialog_has_response (dialog, "split"));
  g_assert_true (adw_message_dialog_has_response (dialog, "disable"));
  g_assert_true (adw_message_dialog_has_response (dialog, "later"));
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "open"), ==, "_Open Preflight Tab");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "split"), ==, "_Split Automatically…");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "disable"), ==, "_Disable Container Caching");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "later"), ==, "_Later");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "later");
  if (g_str_equal (response, "later"))
    ar_test_ui_screenshot (GTK_WIDGET (dialog), "caching-in-single-mode-dialog");

  ar_test_ui_respond (dialog, response);
  ar_test_ui_await (ar_test_ui_no_message_dialog ());

  if (g_str_equal (response, "later"))
    {
      g_assert_true (ar_environment_get_cache_container_build (f->env));
      g_assert_cmpstr (gtk_stack_get_visible_child_name (f->stack), ==, "other");
      g_assert_null (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG));
      /* The tab itself still says how to get caching. */
      g_assert_true (gtk_widget_get_visible (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "caching_hint")));
    }
  else if (g_str_equal (response, "disable"))
    {
      g_assert_false (ar_environment_get_cache_container_build (f->env));
      g_assert_cmpstr (gtk_stack_get_visible_child_name (f->stack), ==, "other");
      g_assert_false (gtk_widget_get_visible (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "caching_hint")));
    }
  else if (g_str_equal (response, "open"))
    {
      g_assert_true (ar_environment_get_cache_container_build (f->env));
      g_assert_cmpstr (gtk_stack_get_visible_child_name (f->stack), ==, "preflight");
      g_assert_cmpint (gtk_notebook_get_current_page (notebook), ==, 0);
      g_assert_null (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG));
    }
  else if (g_str_equal (response, "split"))
    {
      ArAutoSplitDialog *split;

      g_assert_cmpstr (gtk_stack_get_visible_child_name (f->stack), ==, "preflight");
      ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) != NULL);
      split = AR_AUTO_SPLIT_DIALOG (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG));
      gtk_widget_activate_action (GTK_WIDGET (split), "auto-split.apply", NULL);
      ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) == NULL);
      g_assert_cmpstr (ar_preflight_editor_get_mode (f->editor), ==, "split");
      g_assert_true (ar_environment_get_cache_container_build (f->env));
      g_assert_false (gtk_widget_get_visible (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "caching_hint")));
    }
  else
    g_assert_not_reached ();

  /* Never an erased script. */
  g_assert_cmpstr (ar_environment_get_preflight_script (f->env), ==, KNOWN_SCRIPT);
}

static void
test_caching_dialog (Fixture *f, gconstpointer data)
{
  caching_dialog_round (f, "later");
  caching_dialog_round (f, "disable");
  caching_dialog_round (f, "open");
  caching_dialog_round (f, "split");

  /* Turning caching off, or on in split mode, asks nothing. */
  ar_environment_set_cache_container_build (f->env, FALSE);
  ar_environment_set_cache_container_build (f->env, TRUE);
  ar_test_ui_iterate (50);
  g_assert_true (ar_test_ui_no_message_dialog ());
}

static void
test_no_environment (void)
{
  ArPreflightEditor *editor = AR_PREFLIGHT_EDITOR (g_object_ref_sink (ar_preflight_editor_new ()));

  g_assert_null (ar_preflight_editor_get_environment (editor));
  g_assert_cmpstr (ar_preflight_editor_get_mode (editor), ==, "single");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (editor)));
  /* Actions are harmless without an environment. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "preflight.auto-split", NULL);
  gtk_widget_activate_action (GTK_WIDGET (editor), "preflight.validate", NULL);
  g_assert_null (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG));
  g_assert_finalize_object (editor);
}

/* A script nested too deeply to analyse (300 000 "$( crashed the analyzer,
 * and with it the window): the dialog says why instead of listing units,
 * and there is nothing to apply. */
static void
test_auto_split_too_deep (void)
{
  g_autoptr(GString) deep = g_string_new ("echo ");
  ArAutoSplitDialog *dialog;
  GtkStack *stack;
  AdwStatusPage *page;

  for (guint i = 0; i < 300000; i++)
    g_string_append (deep, "\"$(");
  dialog = ar_auto_split_dialog_new (deep->str, NULL, TRUE);
  stack = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "stack");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "error");
  page = ADW_STATUS_PAGE (gtk_stack_get_visible_child (stack));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "1000 levels"));
  g_assert_cmpuint (ar_auto_split_dialog_get_units (dialog)->len, ==, 0);
  g_assert_false (gtk_widget_get_visible (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "replace_box")));
  g_assert_false (gtk_widget_is_sensitive (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "apply_button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
}


/* The trust summary (issue 9 item 4) and Check Build (item 5): the dialog
 * says how much is cached, how much was not recognised and what ran at
 * start because of another line; Check Build builds the cached part on the
 * engine and runs the run part on top, and shows ok or the failing line
 * with its output, before Apply. */
static gboolean
check_finished (ArAutoSplitDialog *dialog)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "finished")) != 0;
}

static void
on_check_finished (ArAutoSplitDialog *dialog)
{
  g_object_set_data (G_OBJECT (dialog), "finished", GINT_TO_POINTER (1));
}

static void
run_check (ArAutoSplitDialog *dialog)
{
  g_object_set_data (G_OBJECT (dialog), "finished", NULL);
  g_assert_true (gtk_widget_is_sensitive (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_button")));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "auto-split.check", NULL);
  /* running: the button is off and the spinner turns */
  g_assert_false (gtk_widget_is_sensitive (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_button")));
  g_assert_true (gtk_widget_get_visible (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_spinner")));
  ar_test_ui_await_for (check_finished (dialog), 120);
}

static void
test_auto_split_summary_check (void)
{
  const char *script =
    "#!/bin/sh\n"
    "set -e\n"
    "mkdir -p /opt/tool\n"
    "cp /etc/passwd /opt/tool/users\n"
    "frobnicate --all\n"
    "echo \"task $TASK_ID\"\n";
  const char *failing =
    "#!/bin/sh\n"
    "set -e\n"
    "mkdir -p /opt/tool\n"
    "apt-get install -y ripgrep\n"
    "echo \"task $TASK_ID\"\n";
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(ArSettings) settings = ar_settings_new_default ();
  g_autoptr(GPtrArray) units = ar_preflight_analyze (script, NULL, NULL);
  g_autoptr(ArPreflightSummary) summary = ar_preflight_summary_new (units);
  g_autofree char *cached_lines = ar_preflight_summary_describe (summary);
  g_autofree char *base = NULL;
  g_autoptr(ArEngine) engine = NULL;
  const ArBuildCheckResult *result;
  ArAutoSplitDialog *dialog;
  GtkLabel *trust, *check_label, *check_output;

  dialog = ar_auto_split_dialog_new (script, NULL, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 900, 640);
  g_signal_connect (dialog, "check-finished", G_CALLBACK (on_check_finished), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (dialog)));

  /* "N of M lines cached" and the unrecognised count, as the core counts */
  trust = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "trust_label");
  g_assert_nonnull (strstr (gtk_label_get_label (trust), cached_lines));
  g_assert_nonnull (strstr (cached_lines, "lines cached"));
  if (ar_preflight_summary_get_unrecognised (summary) > 0)
    g_assert_nonnull (strstr (gtk_label_get_label (trust), "not recognised"));
  /* without an engine, Check Build is off and says why */
  g_assert_false (gtk_widget_is_sensitive (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_button")));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog-summary");

  if (!ar_test_engine_ensure ())
    {
      gtk_window_destroy (GTK_WINDOW (dialog));
      g_test_skip (ar_test_engine_skip_reason ());
      return;
    }
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);
  base = ar_test_engine_base_image ();
  engine = ar_engine_new ("docker", "");
  ar_environment_set_base_image (env, base);
  ar_auto_split_dialog_set_check_target (dialog, engine, env, settings);

  run_check (dialog);
  result = ar_auto_split_dialog_get_check_result (dialog);
  check_label = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_label");
  check_output = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_output");
  /* frobnicate is not there: the run part fails, the cached part built */
  g_assert_nonnull (result);
  g_assert_true (result->built);
  g_assert_false (result->ok);
  g_assert_cmpint (result->failed_stage, ==, AR_BUILD_CHECK_STAGE_RUN);
  g_assert_nonnull (strstr (gtk_label_get_label (check_label), "frobnicate"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (check_output)));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog-check-run-failed");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* a cached part that does not build: the line and its output */
  dialog = ar_auto_split_dialog_new (failing, NULL, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 900, 640);
  g_signal_connect (dialog, "check-finished", G_CALLBACK (on_check_finished), NULL);
  ar_auto_split_dialog_set_check_target (dialog, engine, env, settings);
  gtk_window_present (GTK_WINDOW (dialog));
  run_check (dialog);
  result = ar_auto_split_dialog_get_check_result (dialog);
  g_assert_false (result->ok);
  g_assert_cmpint (result->failed_stage, ==, AR_BUILD_CHECK_STAGE_BUILD);
  g_assert_cmpstr (result->line_text, ==, "apt-get install -y ripgrep");
  check_label = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_label");
  g_assert_nonnull (strstr (gtk_label_get_label (check_label), "apt-get install -y ripgrep"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog-check-build-failed");

  /* a flip after the check: the result is marked as out of date */
  {
    guint apt = find_unit (ar_auto_split_dialog_get_units (dialog), "apt-get install -y ripgrep");

    gtk_switch_set_active (unit_switch (dialog, apt), FALSE);
    g_assert_nonnull (strstr (gtk_label_get_label (check_label), "check again"));
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* a split that works */
  dialog = ar_auto_split_dialog_new ("#!/bin/sh\nset -e\nmkdir -p /opt/tool\necho \"task $TASK_ID\"\n", NULL, FALSE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 900, 640);
  g_signal_connect (dialog, "check-finished", G_CALLBACK (on_check_finished), NULL);
  ar_auto_split_dialog_set_check_target (dialog, engine, env, settings);
  gtk_window_present (GTK_WINDOW (dialog));
  run_check (dialog);
  result = ar_auto_split_dialog_get_check_result (dialog);
  g_assert_true (result->ok);
  check_label = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_label");
  g_assert_nonnull (strstr (gtk_label_get_label (check_label), "builds"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog-check-ok");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ui/preflight-editor/mode-switches-editors", test_mode_switches_editors);
  ADD ("/ui/preflight-editor/placeholder", test_placeholder);
  ADD ("/ui/preflight-editor/build-user", test_build_user);
  ADD ("/ui/preflight-editor/auto-split", test_auto_split);
  ADD ("/ui/preflight-editor/auto-split-cancel", test_auto_split_cancel);
  ADD ("/ui/preflight-editor/validate", test_validate);
  ADD ("/ui/preflight-editor/test-preflight-signal", test_test_preflight_signal);
  ADD ("/ui/preflight-editor/caching-dialog", test_caching_dialog);
  g_test_add_func ("/ui/preflight-editor/no-environment", test_no_environment);
  g_test_add_func ("/ui/preflight-editor/auto-split-too-deep", test_auto_split_too_deep);
  g_test_add_func ("/ui/preflight-editor/auto-split-summary-check", test_auto_split_summary_check);

  return g_test_run ();
}
