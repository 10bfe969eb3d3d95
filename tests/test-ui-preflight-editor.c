/* test-ui-preflight-editor.c — the preflight editor: modes, validation, Test preflight, the caching dialog, widths, focus
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
#include "test-ui-walk.h"
#include "test-ui-preflight-editor-utils.h"

static void
show_tab (Fixture *f, int page)
{
  GtkNotebook *notebook = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "notebook");

  gtk_notebook_set_current_page (notebook, page);
}

static void
test_mode_switches_editors (Fixture *f, gconstpointer data)
{
  const char *cached = "#!/bin/sh\napt-get install -y ripgrep\n";
  const char *run = "#!/bin/sh\necho start\n";
  GtkWidget *enabled_check = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "enabled_switch");

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
      ar_test_ui_await (!ar_auto_split_dialog_get_analysing (split));
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

/* ---- issue 12: "Run at task start", the reasons, the window at every
 * width and from the keyboard ---------------------------------------- */

/* A new single script runs at task start (issue 12: a newcomer's script
 * silently never ran); an environment as loaded keeps its choice. */
static void
test_run_at_start_default (Fixture *f, gconstpointer data)
{
  GtkSwitch *sw = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "enabled_switch");
  g_autoptr(ArEnvironment) fresh = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) loaded = ar_environment_new_with_id ();

  g_assert_true (GTK_IS_SWITCH (sw));

  /* As loaded from a file: a script that is off stays off, edits too. */
  ar_environment_set_preflight_script (loaded, "#!/bin/sh\necho old\n");
  ar_environment_set_preflight_enabled (loaded, FALSE);
  ar_preflight_editor_set_environment (f->editor, loaded);
  g_assert_false (ar_environment_get_preflight_enabled (loaded));
  g_assert_false (gtk_switch_get_active (sw));
  ar_test_ui_text_view_set_text (view (f, "single"), "#!/bin/sh\necho old\necho more\n");
  g_assert_false (ar_environment_get_preflight_enabled (loaded));

  /* A new environment: the first script written runs at task start. */
  ar_preflight_editor_set_environment (f->editor, fresh);
  g_assert_false (ar_environment_get_preflight_enabled (fresh));
  ar_test_ui_text_view_set_text (view (f, "single"), "#!/bin/sh\napt-get install -y git\n");
  g_assert_true (ar_environment_get_preflight_enabled (fresh));
  g_assert_true (gtk_switch_get_active (sw));

  /* Turned off by the user, it stays off while the script is edited. */
  gtk_switch_set_active (sw, FALSE);
  g_assert_false (ar_environment_get_preflight_enabled (fresh));
  ar_test_ui_text_view_set_text (view (f, "single"), "#!/bin/sh\napt-get install -y git curl\n");
  g_assert_false (ar_environment_get_preflight_enabled (fresh));

  /* In split mode the single script is not what runs: nothing changes. */
  ar_test_ui_text_view_set_text (view (f, "single"), "");
  ar_environment_set_preflight_mode (fresh, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_preflight_script (fresh, "echo kept\n");
  g_assert_false (ar_environment_get_preflight_enabled (fresh));

  ar_preflight_editor_set_environment (f->editor, f->env);
}

/* The editor at a phone's width, a half screen and a laptop's, on each
 * tab, in both modes: nothing cut off, everything named. */
static void
test_editor_widths (Fixture *f, gconstpointer data)
{
  static const char *const tabs[] = { "single", "cached", "run" };

  g_assert_cmpint (ar_test_ui_min_width (f->window), <=, 360);
  ar_environment_set_cache_container_build (f->env, TRUE);
  ar_test_ui_iterate (50);
  if (!ar_test_ui_no_message_dialog ())
    ar_test_ui_respond (ar_test_ui_await_message_dialog (), "later");
  ar_test_ui_await (ar_test_ui_no_message_dialog ());

  for (guint mode = 0; mode < 2; mode++)
    {
      ar_environment_set_preflight_mode (f->env, mode == 0 ? AR_PREFLIGHT_MODE_SINGLE : AR_PREFLIGHT_MODE_SPLIT);
      for (guint t = 0; t < G_N_ELEMENTS (tabs); t++)
        for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
          {
            g_autofree char *name = g_strdup_printf ("preflight-editor-%s-mode-%s-tab",
                                                     mode == 0 ? "single" : "split", tabs[t]);
            g_autofree char *where = g_strdup_printf ("%s at %d px", name, widths[w]);

            show_tab (f, t);
            screenshot_at (f->window, widths[w], 640, name);
            assert_nothing_cut (GTK_WIDGET (f->window), where);
          }
    }
  assert_all_named (GTK_WIDGET (f->window), "preflight editor");
}

/* Tab and Shift+Tab reach every control in reading order: the mode, the
 * buttons, the three tabs, then the page; arrows switch tabs. */
static void
test_editor_focus (Fixture *f, gconstpointer data)
{
  const char *order[] = { "single_button", "split_button", "auto_split_button", "validate_button",
                          "test_button", "single_tab", "cached_tab", "run_tab", "enabled_switch",
                          "single_view" };
  GtkToggleButton *cached_tab = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "cached_tab");
  GtkNotebook *notebook = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "notebook");
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) back = NULL;
  int last = -1;

  set_size (f->window, 360, 640);
  show_tab (f, 0);
  gtk_widget_grab_focus (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "single_button"));
  gtk_window_set_focus (f->window, NULL);
  chain = ar_test_ui_focus_chain (f->window, 24, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      GtkWidget *widget = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, order[i]);
      int at = -1;

      for (guint j = 0; j < chain->len && at < 0; j++)
        if (g_ptr_array_index (chain, j) == widget)
          at = j;
      if (at < 0)
        g_error ("Tab never reaches %s", order[i]);
      if (at < last)
        g_error ("Tab reaches %s before the control above it", order[i]);
      last = at;
    }
  /* the script editor does not keep Tab: the next press leaves it */
  g_assert_false (gtk_text_view_get_accepts_tab (GTK_TEXT_VIEW (view (f, "single"))));

  back = ar_test_ui_focus_chain (f->window, 24, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    g_assert_true (ar_test_ui_chain_visits (back, ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, order[i])));

  /* A tab is one Tab stop; Right moves to the next tab, Space or Enter
   * opens it (its mnemonic too). */
  gtk_widget_grab_focus (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "single_tab"));
  g_signal_emit_by_name (f->window, "move-focus", GTK_DIR_RIGHT);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (cached_tab)));
  gtk_widget_activate (GTK_WIDGET (cached_tab));
  /* a button's activation shows the press for a moment, then clicks */
  ar_test_ui_await (gtk_notebook_get_current_page (notebook) == 1);
  g_assert_true (gtk_widget_mnemonic_activate (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "run_tab"), FALSE));
  ar_test_ui_await (gtk_notebook_get_current_page (notebook) == 2);
  /* and the tab bar follows a page shown from elsewhere (a warning row) */
  show_tab (f, 0);
  g_assert_true (gtk_toggle_button_get_active (ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, "single_tab")));
  g_assert_false (gtk_toggle_button_get_active (cached_tab));
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
  ADD ("/ui/preflight-editor/validate", test_validate);
  ADD ("/ui/preflight-editor/test-preflight-signal", test_test_preflight_signal);
  ADD ("/ui/preflight-editor/caching-dialog", test_caching_dialog);
  g_test_add_func ("/ui/preflight-editor/no-environment", test_no_environment);
  ADD ("/ui/preflight-editor/run-at-start-default", test_run_at_start_default);
  ADD ("/ui/preflight-editor/widths", test_editor_widths);
  ADD ("/ui/preflight-editor/focus", test_editor_focus);

  return g_test_run ();
}
