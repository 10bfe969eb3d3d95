/* test-ui-walk-self.c — the window walkers of test-ui-walk.c find what
 * they must (so the page tests built on them cannot pass by missing it),
 * and nothing more.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-ui-utils.h"
#include "test-ui-walk.h"

/* A container that gives its child the child's natural width whatever its
 * own width, and asks for none itself: what a row of buttons that does
 * not fit does to its window. */
#define SELF_TYPE_SPILL (self_spill_get_type ())
G_DECLARE_FINAL_TYPE (SelfSpill, self_spill, SELF, SPILL, GtkWidget)
struct _SelfSpill { GtkWidget parent_instance; };
G_DEFINE_TYPE (SelfSpill, self_spill, GTK_TYPE_WIDGET)

static void
self_spill_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                    int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = *natural = 0;
  if (orientation == GTK_ORIENTATION_VERTICAL && gtk_widget_get_first_child (widget) != NULL)
    gtk_widget_measure (gtk_widget_get_first_child (widget), orientation, -1, minimum, natural, NULL, NULL);
}

static void
self_spill_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);
  int natural = 0;

  if (child == NULL)
    return;
  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  gtk_widget_size_allocate (child, &(GtkAllocation) { 0, 0, natural, height }, -1);
}

static void
self_spill_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (self_spill_parent_class)->dispose (object);
}

static void
self_spill_class_init (SelfSpillClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = self_spill_dispose;
  GTK_WIDGET_CLASS (klass)->measure = self_spill_measure;
  GTK_WIDGET_CLASS (klass)->size_allocate = self_spill_size_allocate;
}

static void
self_spill_init (SelfSpill *self)
{
}

static GtkWidget *
spill_new (GtkWidget *child)
{
  GtkWidget *spill = g_object_new (SELF_TYPE_SPILL, NULL);

  gtk_widget_set_parent (child, spill);
  return spill;
}

static GtkWidget *
wide_button (const char *label)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_widget_set_size_request (button, 600, -1);
  return button;
}

static GtkWindow *
window_with (GtkWidget *child)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_child (window, child);
  return window;
}

static guint
count (char **strv)
{
  for (guint i = 0; strv[i] != NULL; i++)
    g_test_message ("  %s", strv[i]);
  return g_strv_length (strv);
}

static gboolean
any_contains (char **strv, const char *needle)
{
  for (guint i = 0; strv[i] != NULL; i++)
    if (strstr (strv[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_size (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *wide = gtk_label_new ("wide");
  GtkWindow *window = window_with (box);

  gtk_widget_set_size_request (wide, 500, 20);
  gtk_box_append (GTK_BOX (box), wide);
  g_assert_cmpint (ar_test_ui_min_width (window), >=, 500);

  ar_test_ui_set_size (window, 640, 480);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, 640);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), ==, 480);
  ar_test_ui_set_size (window, 520, 10);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, 520);
  /* Not smaller than it can be. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), >=, 20);
  ar_test_ui_screenshot_at (window, 600, 100, "walk-self");

  ar_test_ui_close_all_windows ();
}

/* Asking for less than the minimum width fails the test. */
static void
test_size_too_narrow (void)
{
  if (g_test_subprocess ())
    {
      GtkWidget *wide = gtk_label_new ("wide");
      GtkWindow *window = window_with (wide);

      gtk_widget_set_size_request (wide, 500, 20);
      ar_test_ui_set_size (window, 360, 640);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*min_width <= width*");
}

static void
test_cut_off (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *fits = gtk_button_new_with_label ("Fits");
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clipping = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWindow *window = window_with (box);
  g_auto(GStrv) cut = NULL;

  gtk_box_append (GTK_BOX (box), fits);
  /* Beyond the window: cut. */
  gtk_box_append (GTK_BOX (box), spill_new (wide_button ("Beyond the window")));
  /* In a scrolled window: scrolled to, not cut. */
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), spill_new (wide_button ("Scrolled")));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 40);
  gtk_box_append (GTK_BOX (box), scrolled);
  /* Beyond a box that clips, itself inside the window: cut. */
  gtk_widget_set_overflow (clipping, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_margin_end (clipping, 100);
  gtk_box_append (GTK_BOX (clipping), spill_new (wide_button ("Clipped")));
  gtk_box_append (GTK_BOX (box), clipping);

  ar_test_ui_set_size (window, 300, 300);
  cut = ar_test_ui_cut_off_widgets (GTK_WIDGET (window));
  g_assert_cmpuint (count (cut), ==, 2);
  g_assert_true (any_contains (cut, "'Beyond the window'"));
  g_assert_true (any_contains (cut, "'Clipped'"));
  g_assert_false (any_contains (cut, "'Scrolled'"));
  g_assert_false (any_contains (cut, "'Fits'"));

  /* Wide enough: nothing is cut. */
  g_clear_pointer (&cut, g_strfreev);
  ar_test_ui_set_size (window, 800, 300);
  cut = ar_test_ui_cut_off_widgets (GTK_WIDGET (window));
  g_assert_cmpuint (count (cut), ==, 0);

  ar_test_ui_close_all_windows ();
}

static GtkWidget *
named (GtkWidget *widget, const char *name)
{
  gtk_widget_set_name (widget, name);
  return widget;
}

static void
test_unnamed (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bare_row = gtk_list_box_row_new ();
  GtkWidget *labelled_button = named (gtk_button_new_from_icon_name ("edit-delete-symbolic"), "labelled-icon");
  GtkWidget *tooltip_button = named (gtk_button_new_from_icon_name ("edit-delete-symbolic"), "tooltip-icon");
  GtkWidget *dot = named (gtk_image_new_from_icon_name ("emblem-ok-symbolic"), "dot");
  GtkWidget *named_dot = named (gtk_image_new_from_icon_name ("emblem-ok-symbolic"), "named-dot");
  GtkWidget *caption = gtk_label_new ("Folder");
  GtkWidget *labelled_entry = named (gtk_entry_new (), "labelled-entry");
  GtkWidget *insensitive = named (gtk_button_new_from_icon_name ("list-add-symbolic"), "insensitive-icon");
  GtkWidget *hidden = named (gtk_button_new_from_icon_name ("list-add-symbolic"), "hidden-icon");
  GtkWidget *menu = named (gtk_menu_button_new (), "menu");
  GtkWindow *window = window_with (box);
  g_auto(GStrv) unnamed = NULL;

  gtk_box_append (GTK_BOX (box), named (gtk_button_new_from_icon_name ("edit-delete-symbolic"), "bare-icon"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (labelled_button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Delete", -1);
  gtk_box_append (GTK_BOX (box), labelled_button);
  gtk_widget_set_tooltip_text (tooltip_button, "Delete");
  gtk_box_append (GTK_BOX (box), tooltip_button);
  gtk_box_append (GTK_BOX (box), named (gtk_button_new_with_label ("Save"), "text-button"));
  gtk_box_append (GTK_BOX (box), named (gtk_check_button_new_with_label ("Option"), "text-check"));
  gtk_box_append (GTK_BOX (box), named (gtk_entry_new (), "bare-entry"));
  gtk_box_append (GTK_BOX (box), caption);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (labelled_entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption, NULL, -1);
  gtk_box_append (GTK_BOX (box), labelled_entry);
  gtk_box_append (GTK_BOX (box), named (gtk_text_view_new (), "bare-text-view"));
  gtk_box_append (GTK_BOX (box), named (gtk_switch_new (), "bare-switch"));
  gtk_widget_set_tooltip_text (dot, "Running");
  gtk_box_append (GTK_BOX (box), dot);
  gtk_widget_set_tooltip_text (named_dot, "Running");
  gtk_accessible_update_property (GTK_ACCESSIBLE (named_dot), GTK_ACCESSIBLE_PROPERTY_LABEL, "Running", -1);
  gtk_box_append (GTK_BOX (box), named_dot);
  gtk_widget_set_sensitive (insensitive, FALSE);
  gtk_box_append (GTK_BOX (box), insensitive);
  gtk_widget_set_visible (hidden, FALSE);
  gtk_box_append (GTK_BOX (box), hidden);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu), "open-menu-symbolic");
  gtk_box_append (GTK_BOX (box), menu);

  /* A switch in a titled row is named by the row; an icon button is not. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), "Enabled");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), named (gtk_switch_new (), "row-switch"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), named (gtk_button_new_from_icon_name ("edit-delete-symbolic"), "row-icon"));
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  /* A focusable row with only an icon in it. */
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (bare_row), gtk_image_new_from_icon_name ("emblem-ok-symbolic"));
  gtk_widget_set_name (bare_row, "bare-row");
  gtk_list_box_append (GTK_LIST_BOX (list), bare_row);
  gtk_box_append (GTK_BOX (box), list);

  gtk_window_present (window);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (window)));
  unnamed = ar_test_ui_unnamed_widgets (GTK_WIDGET (window));
  count (unnamed);
  g_assert_true (any_contains (unnamed, "name=bare-icon"));
  g_assert_true (any_contains (unnamed, "name=tooltip-icon"));
  g_assert_true (any_contains (unnamed, "name=bare-entry"));
  g_assert_true (any_contains (unnamed, "name=bare-text-view"));
  g_assert_true (any_contains (unnamed, "name=bare-switch"));
  g_assert_true (any_contains (unnamed, "name=dot"));
  g_assert_true (any_contains (unnamed, "name=insensitive-icon"));
  g_assert_true (any_contains (unnamed, "name=menu"));
  g_assert_true (any_contains (unnamed, "name=row-icon"));
  g_assert_true (any_contains (unnamed, "name=bare-row"));
  g_assert_cmpuint (g_strv_length (unnamed), ==, 10);

  ar_test_ui_close_all_windows ();
}

static void
test_focus_chain (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *first = gtk_button_new_with_label ("First");
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *text_view = gtk_text_view_new ();
  GtkWidget *last = gtk_button_new_with_label ("Last");
  GtkWidget *unreached = gtk_button_new_with_label ("Unreached");
  GtkWindow *window = window_with (box);
  g_autoptr(GPtrArray) chain = NULL;

  gtk_box_append (GTK_BOX (box), first);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), text_view);
  gtk_box_append (GTK_BOX (box), last);
  gtk_widget_set_focusable (unreached, FALSE);
  gtk_box_append (GTK_BOX (box), unreached);
  gtk_window_present (window);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (window)));
  gtk_window_set_focus (window, NULL);

  /* A text view that takes Tab keeps the focus: stuck after it. */
  chain = ar_test_ui_focus_chain (window, 6, FALSE);
  g_assert_true (g_ptr_array_index (chain, 0) == first);
  g_assert_true (gtk_widget_is_ancestor (g_ptr_array_index (chain, 1), entry));
  g_assert_true (g_ptr_array_index (chain, 2) == text_view);
  g_assert_true (g_ptr_array_index (chain, 3) == text_view);
  g_assert_true (ar_test_ui_chain_visits (chain, entry));
  g_assert_false (ar_test_ui_chain_visits (chain, last));
  g_clear_pointer (&chain, g_ptr_array_unref);

  /* One that does not: on to Last, round to First. */
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_window_set_focus (window, NULL);
  chain = ar_test_ui_focus_chain (window, 5, FALSE);
  g_assert_true (g_ptr_array_index (chain, 3) == last);
  g_assert_true (g_ptr_array_index (chain, 4) == first);
  g_assert_false (ar_test_ui_chain_visits (chain, unreached));
  g_clear_pointer (&chain, g_ptr_array_unref);

  /* Backwards from Last. */
  gtk_widget_grab_focus (last);
  chain = ar_test_ui_focus_chain (window, 3, TRUE);
  g_assert_true (g_ptr_array_index (chain, 0) == text_view);
  g_assert_true (gtk_widget_is_ancestor (g_ptr_array_index (chain, 1), entry));
  g_assert_true (g_ptr_array_index (chain, 2) == first);

  ar_test_ui_close_all_windows ();
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

  g_test_add_func ("/ui/walk/size", test_size);
  g_test_add_func ("/ui/walk/size-too-narrow", test_size_too_narrow);
  g_test_add_func ("/ui/walk/cut-off", test_cut_off);
  g_test_add_func ("/ui/walk/unnamed", test_unnamed);
  g_test_add_func ("/ui/walk/focus-chain", test_focus_chain);

  return g_test_run ();
}
