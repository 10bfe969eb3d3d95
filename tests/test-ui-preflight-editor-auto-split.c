/* test-ui-preflight-editor-auto-split.c — the preflight editor’s Auto-split: apply, cancel, too deep, the summary’s check, reasons
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

static ArAutoSplitDialog *
open_auto_split (Fixture *f)
{
  ArAutoSplitDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f->editor), "preflight.auto-split", NULL);
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG) != NULL);
  dialog = AR_AUTO_SPLIT_DIALOG (ar_test_ui_find_window (AR_TYPE_AUTO_SPLIT_DIALOG));
  /* the analysis runs in a thread */
  ar_test_ui_await (!ar_auto_split_dialog_get_analysing (dialog));
  ar_test_ui_iterate (50);
  return dialog;
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
  GtkListView *list;

  dialog = open_auto_split (f);
  units = ar_auto_split_dialog_get_units (dialog);
  g_assert_cmpuint (units->len, ==, expected_units->len);
  g_assert_cmpuint (units->len, >=, 5);
  list = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "list_view");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list))), ==, units->len);
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
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "analysing");
  ar_test_ui_await (!ar_auto_split_dialog_get_analysing (dialog));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "error");
  page = ADW_STATUS_PAGE (gtk_stack_get_visible_child (stack));
  g_assert_nonnull (strstr (adw_status_page_get_description (page), "1000 levels"));
  g_assert_cmpuint (ar_auto_split_dialog_get_units (dialog)->len, ==, 0);
  g_assert_false (gtk_widget_get_visible (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "replace_box")));
  g_assert_false (gtk_widget_is_sensitive (ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "apply_button")));
  gtk_window_destroy (GTK_WINDOW (dialog));
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
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (dialog)) && !ar_auto_split_dialog_get_analysing (dialog));

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
  ar_test_ui_await (!ar_auto_split_dialog_get_analysing (dialog));
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
  ar_test_ui_await (!ar_auto_split_dialog_get_analysing (dialog));
  run_check (dialog);
  result = ar_auto_split_dialog_get_check_result (dialog);
  g_assert_true (result->ok);
  check_label = ar_test_ui_child (dialog, AR_TYPE_AUTO_SPLIT_DIALOG, "check_label");
  g_assert_nonnull (strstr (gtk_label_get_label (check_label), "builds"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "auto-split-dialog-check-ok");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The reason of a unit says why, never the category shown beside it again
 * ("Not recognised  not recognised; …", "Shell option  A shell option:"). */
static gboolean
reason_repeats_category (const char *reason, const char *category)
{
  g_autofree char *r = g_utf8_casefold (reason, -1);
  g_autofree char *c = g_utf8_casefold (category, -1);
  const char *p = r;
  gsize len = strlen (c);

  if (*c == '\0')
    return FALSE;
  if (g_str_has_prefix (p, "a "))
    p += 2;
  else if (g_str_has_prefix (p, "an "))
    p += 3;
  else if (g_str_has_prefix (p, "the "))
    p += 4;
  return strncmp (p, c, len) == 0 && !g_ascii_isalpha (p[len]);
}

static void
test_reason_not_repeated (void)
{
  const char *script = "#!/bin/sh\nset -eu\nfrobnicate --all\napt-get install -y git\nexport FOO=1\n";
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "corpus", "autosplit", NULL);
  g_autoptr(GDir) corpus = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) units = ar_preflight_analyze (script, NULL, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  ArAutoSplitDialog *dialog;
  GtkWidget *sw;
  const char *name;
  guint n_scripts = 0;

  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      g_hash_table_add (seen, GINT_TO_POINTER (u->category));
      if (reason_repeats_category (u->reason, ar_preflight_category_label (u->category)))
        g_error ("line %u: “%s — %s”", u->line, ar_preflight_category_label (u->category), u->reason);
    }
  g_assert_true (g_hash_table_contains (seen, GINT_TO_POINTER (AR_PREFLIGHT_CATEGORY_AMBIGUOUS)));
  g_assert_true (g_hash_table_contains (seen, GINT_TO_POINTER (AR_PREFLIGHT_CATEGORY_SHEBANG)));
  g_assert_true (g_hash_table_contains (seen, GINT_TO_POINTER (AR_PREFLIGHT_CATEGORY_SHELL_OPTION)));

  /* Every unit of the labelled corpus. */
  g_assert_nonnull (corpus);
  while ((name = g_dir_read_name (corpus)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GPtrArray) corpus_units = NULL;

      if (!g_str_has_suffix (name, ".sh"))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      corpus_units = ar_preflight_analyze (text, NULL, NULL);
      for (guint i = 0; i < corpus_units->len; i++)
        {
          ArPreflightUnit *u = g_ptr_array_index (corpus_units, i);

          if (reason_repeats_category (u->reason, ar_preflight_category_label (u->category)))
            g_error ("%s line %u: “%s — %s”", name, u->line, ar_preflight_category_label (u->category), u->reason);
        }
      n_scripts++;
    }
  g_assert_cmpuint (n_scripts, >=, 20);

  /* And as the dialog shows it: the category, then the reason. */
  dialog = ar_auto_split_dialog_new (script, NULL, FALSE);
  gtk_window_present (GTK_WINDOW (dialog));
  ar_test_ui_await (!ar_auto_split_dialog_get_analysing (dialog) && gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  ar_test_ui_iterate (50);
  for (guint nth = 0; (sw = ar_test_ui_find_descendant (GTK_WIDGET (dialog), GTK_TYPE_SWITCH, nth)) != NULL; nth++)
    {
      GtkWidget *box = gtk_widget_get_parent (gtk_widget_get_parent (sw));
      GtkLabel *category = g_object_get_data (G_OBJECT (box), "ar-category");
      GtkLabel *reason = g_object_get_data (G_OBJECT (box), "ar-reason");

      g_assert_nonnull (category);
      g_assert_false (reason_repeats_category (gtk_label_get_label (reason), gtk_label_get_label (category)));
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ui/preflight-editor/auto-split", test_auto_split);
  ADD ("/ui/preflight-editor/auto-split-cancel", test_auto_split_cancel);
  g_test_add_func ("/ui/preflight-editor/auto-split-too-deep", test_auto_split_too_deep);
  g_test_add_func ("/ui/preflight-editor/auto-split-summary-check", test_auto_split_summary_check);
  g_test_add_func ("/ui/preflight-editor/reason-not-repeated", test_reason_not_repeated);

  return g_test_run ();
}
