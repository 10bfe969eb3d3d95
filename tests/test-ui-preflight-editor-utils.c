/* test-ui-preflight-editor-utils.c — what the test-ui-preflight-editor programs share
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

void
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

void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  ar_test_ui_close_all_windows ();
  g_assert_finalize_object (f->env);
}

GtkWidget *
view (Fixture *f, const char *name)
{
  g_autofree char *id = g_strconcat (name, "_view", NULL);
  return ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, id);
}

gboolean
view_is_active (Fixture *f, const char *name)
{
  g_autofree char *overlay_id = g_strconcat (name, "_overlay", NULL);
  GtkWidget *overlay = ar_test_ui_child (f->editor, AR_TYPE_PREFLIGHT_EDITOR, overlay_id);
  gboolean editable = gtk_text_view_get_editable (GTK_TEXT_VIEW (view (f, name)));

  /* Editable and not dimmed go together. */
  g_assert_cmpint (editable, ==, !gtk_widget_has_css_class (overlay, "ar-inactive"));
  return editable;
}

void
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

guint
find_unit (GPtrArray *units, const char *text)
{
  for (guint i = 0; i < units->len; i++)
    if (g_str_equal (((ArPreflightUnit *) g_ptr_array_index (units, i))->text, text))
      return i;
  g_error ("no unit %s", text);
}

/* The switch in the row of unit @index (the list shows rows only for the
 * units on screen; the first ones are). */
GtkSwitch *
unit_switch (ArAutoSplitDialog *dialog, guint index)
{
  GPtrArray *units = ar_auto_split_dialog_get_units (dialog);
  GtkWidget *sw;

  g_assert_cmpint (((ArPreflightUnit *) g_ptr_array_index (units, index))->part, !=, AR_PREFLIGHT_PART_BOTH);
  for (guint nth = 0; (sw = ar_test_ui_find_descendant (GTK_WIDGET (dialog), GTK_TYPE_SWITCH, nth)) != NULL; nth++)
    {
      GtkListItem *list_item = g_object_get_data (G_OBJECT (sw), "ar-list-item");
      GObject *item = list_item != NULL ? gtk_list_item_get_item (list_item) : NULL;

      if (item != NULL && gtk_list_item_get_position (list_item) == index)
        return GTK_SWITCH (sw);
    }
  g_error ("no switch for unit %u", index);
}


/* The trust summary (issue 9 item 4) and Check Build (item 5): the dialog
 * says how much is cached, how much was not recognised and what ran at
 * start because of another line; Check Build builds the cached part on the
 * engine and runs the run part on top, and shows ok or the failing line
 * with its output, before Apply. */
gboolean
check_finished (ArAutoSplitDialog *dialog)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "finished")) != 0;
}

void
on_check_finished (ArAutoSplitDialog *dialog)
{
  g_object_set_data (G_OBJECT (dialog), "finished", GINT_TO_POINTER (1));
}

void
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

void
assert_nothing_cut (GtkWidget *root, const char *where)
{
  g_auto(GStrv) cut = ar_test_ui_cut_off_widgets (root);

  for (guint i = 0; cut[i] != NULL; i++)
    g_test_message ("%s: cut off: %s", where, cut[i]);
  g_assert_cmpuint (g_strv_length (cut), ==, 0);
}

void
assert_all_named (GtkWidget *root, const char *where)
{
  g_auto(GStrv) unnamed = ar_test_ui_unnamed_widgets (root);

  for (guint i = 0; unnamed[i] != NULL; i++)
    g_test_message ("%s: no accessible name: %s", where, unnamed[i]);
  g_assert_cmpuint (g_strv_length (unnamed), ==, 0);
}

const int widths[] = { 360, 600, 1280 };

/* The widest window the screen holds (Xvfb's screen is the limit). */
int
screen_width (GtkWindow *window)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
  GListModel *monitors = gdk_display_get_monitors (display);
  g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
  GdkRectangle geometry;

  gdk_monitor_get_geometry (monitor, &geometry);
  return geometry.width;
}

/* Like ar_test_ui_set_size(), for an AdwWindow: under Xvfb its default
 * size includes 10 px of client-side decoration that its width does not,
 * so the size asked is corrected by what the window actually got. A width
 * the screen cannot hold is narrowed to what it can, and said so. */
void
set_size (GtkWindow *window, int width, int height)
{
  GtkWidget *widget = GTK_WIDGET (window);
  int min_height = 0;
  int dw, dh;

  g_assert_cmpint (ar_test_ui_min_width (window), <=, width);
  if (!gtk_widget_get_visible (widget))
    gtk_window_present (window);
  ar_test_ui_await (gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0);
  ar_test_ui_iterate (100);
  /* the decoration: what the default size has that the width has not */
  gtk_window_get_default_size (window, &dw, &dh);
  dw = dw > 0 ? dw - gtk_widget_get_width (widget) : 0;
  dh = dh > 0 ? dh - gtk_widget_get_height (widget) : 0;
  dw = CLAMP (dw, 0, 64);
  dh = CLAMP (dh, 0, 64);
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min_height, NULL, NULL, NULL);
  if (width + dw > screen_width (window))
    {
      g_test_message ("the screen is %d px wide: %d px instead of %d", screen_width (window),
                      screen_width (window) - dw, width);
      width = screen_width (window) - dw;
    }
  gtk_window_set_default_size (window, width + dw, height + dh);
  ar_test_ui_await (gtk_widget_get_width (widget) == width);
  ar_test_ui_iterate (100);
  g_assert_cmpint (gtk_widget_get_height (widget), >=, MIN (height, min_height) - 10);
}

void
screenshot_at (GtkWindow *window, int width, int height, const char *name)
{
  g_autofree char *full = g_strdup_printf ("%s-%d", name, width);

  set_size (window, width, height);
  ar_test_ui_screenshot (GTK_WIDGET (window), full);
}
