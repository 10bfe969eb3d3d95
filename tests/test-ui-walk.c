/* test-ui-walk.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-ui-walk.h"

#include <adwaita.h>

#include "test-ui-utils.h"

/* The widest minimum of the window's children (its content and its
 * titlebar): gtk_widget_measure() on the window itself adds the room of
 * its client-side shadow, which the window's allocation leaves out. */
int
ar_test_ui_min_width (GtkWindow *window)
{
  int min = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (window));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0;

      if (GTK_IS_NATIVE (child) || !gtk_widget_get_visible (child))
        continue;
      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &child_min, NULL, NULL, NULL);
      min = MAX (min, child_min);
    }
  return min;
}

/* Waits until @widget's size stops changing (or is @width x @height). */
static void
await_settled (GtkWidget *widget, int width, int height)
{
  gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  int last_width = -1, last_height = -1;
  guint same = 0;

  while (same < 10 && g_get_monotonic_time () < end)
    {
      ar_test_ui_iterate (10);
      if (gtk_widget_get_width (widget) == width && gtk_widget_get_height (widget) == height)
        return;
      if (gtk_widget_get_width (widget) == last_width && gtk_widget_get_height (widget) == last_height)
        same++;
      else
        same = 0;
      last_width = gtk_widget_get_width (widget);
      last_height = gtk_widget_get_height (widget);
    }
}

static int
screen_width (GtkWidget *widget)
{
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));
  GdkMonitor *monitor = gdk_display_get_monitor_at_surface (gtk_widget_get_display (widget), surface);
  GdkRectangle geometry = { 0 };

  if (monitor != NULL)
    gdk_monitor_get_geometry (monitor, &geometry);
  return geometry.width;
}

void
ar_test_ui_set_size (GtkWindow *window, int width, int height)
{
  GtkWidget *widget = GTK_WIDGET (window);
  int min_width = ar_test_ui_min_width (window);
  int ask_width = width, ask_height = height;

  if (min_width > width)
    g_test_message ("%s is at least %d px wide, more than %d",
                    G_OBJECT_TYPE_NAME (window), min_width, width);
  g_assert_cmpint (min_width, <=, width);

  if (gtk_window_is_maximized (window))
    gtk_window_unmaximize (window);
  if (!gtk_widget_get_visible (widget))
    gtk_window_present (window);
  ar_test_ui_await (gtk_widget_get_mapped (widget));

  /* The default size may count what the allocation leaves out (the room
   * of a client-side shadow, on X11 without a compositor 10 px): ask,
   * see what comes, ask again for the difference. A configure event of
   * the size before may also arrive after a request and undo it: the
   * rounds ask again. */
  for (guint round = 0; round < 5; round++)
    {
      gtk_window_set_default_size (window, ask_width, ask_height);
      await_settled (widget, width, height);
      if (gtk_widget_get_width (widget) == width &&
          (gtk_widget_get_height (widget) == height || round > 1))
        break;
      /* Near what was asked: the rest is the room the allocation leaves
       * out. Far from it: the request was undone, ask again. */
      if (ABS (ask_width - gtk_widget_get_width (widget)) <= 64)
        ask_width += width - gtk_widget_get_width (widget);
      /* Taller than asked: that is its minimum height. */
      if (gtk_widget_get_height (widget) < ask_height && ask_height - gtk_widget_get_height (widget) <= 64)
        ask_height += height - gtk_widget_get_height (widget);
      ask_width = MAX (ask_width, 1);
      ask_height = MAX (ask_height, 1);
    }
  /* The screen is as wide as asked, but not with that room (1 280 px
   * under the tests' Xvfb): the widest it can be, within a few pixels. */
  if (gtk_widget_get_width (widget) != width && gtk_widget_get_width (widget) >= width - 16 &&
      ask_width > screen_width (widget))
    {
      g_test_message ("%s is %d px wide, not %d: the screen is %d px wide", G_OBJECT_TYPE_NAME (window),
                      gtk_widget_get_width (widget), width, screen_width (widget));
      ar_test_ui_iterate (50);
      return;
    }
  if (gtk_widget_get_width (widget) != width)
    g_error ("%s stays %d x %d, asked %d x %d (its minimum width %d)", G_OBJECT_TYPE_NAME (window),
             gtk_widget_get_width (widget), gtk_widget_get_height (widget), width, height, min_width);
  /* Let rows, labels and idle work settle at the new size. */
  ar_test_ui_iterate (50);
}

void
ar_test_ui_screenshot_at (GtkWindow *window, int width, int height, const char *name)
{
  g_autofree char *full = g_strdup_printf ("%s-%d", name, width);

  ar_test_ui_set_size (window, width, height);
  ar_test_ui_screenshot (GTK_WIDGET (window), full);
}

/* The text a widget shows of its own: a label's, a button's, or that of
 * the first visible GtkLabel inside it. */
static const char *
own_text (GtkWidget *widget)
{
  const char *text = NULL;

  if (GTK_IS_LABEL (widget))
    text = gtk_label_get_text (GTK_LABEL (widget));
  else if (GTK_IS_BUTTON (widget))
    text = gtk_button_get_label (GTK_BUTTON (widget));
  else if (GTK_IS_CHECK_BUTTON (widget))
    text = gtk_check_button_get_label (GTK_CHECK_BUTTON (widget));
  else if (GTK_IS_MENU_BUTTON (widget))
    text = gtk_menu_button_get_label (GTK_MENU_BUTTON (widget));
  else if (ADW_IS_PREFERENCES_ROW (widget))
    text = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  if (text != NULL && *text != '\0')
    return text;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child) || GTK_IS_NATIVE (child))
        continue;
      if ((text = own_text (child)) != NULL)
        return text;
    }
  return NULL;
}

char *
ar_test_ui_describe (GtkWidget *widget)
{
  GString *out = g_string_new (G_OBJECT_TYPE_NAME (widget));
  const char *name = gtk_widget_get_name (widget);
  const char *id = GTK_IS_BUILDABLE (widget) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) : NULL;
  const char *text = own_text (widget);
  guint depth = 0;

  if (id != NULL)
    g_string_append_printf (out, " #%s", id);
  if (name != NULL && g_strcmp0 (name, G_OBJECT_TYPE_NAME (widget)) != 0)
    g_string_append_printf (out, " name=%s", name);
  if (text != NULL)
    g_string_append_printf (out, " '%.40s'", text);
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    g_string_append_printf (out, " tooltip='%.40s'", gtk_widget_get_tooltip_text (widget));
  g_string_append (out, " in");
  for (GtkWidget *up = gtk_widget_get_parent (widget); up != NULL && depth < 8; up = gtk_widget_get_parent (up), depth++)
    {
      const char *up_id = GTK_IS_BUILDABLE (up) ? gtk_buildable_get_buildable_id (GTK_BUILDABLE (up)) : NULL;

      g_string_append_printf (out, " < %s", G_OBJECT_TYPE_NAME (up));
      if (up_id != NULL)
        g_string_append_printf (out, "#%s", up_id);
    }
  return g_string_free (out, FALSE);
}

/* ---- cut off ---------------------------------------------------------- */

static gboolean
sticks_out (const graphene_rect_t *bounds, const graphene_rect_t *clip)
{
  const float slack = 1.0f;

  return bounds->origin.x < clip->origin.x - slack ||
         bounds->origin.y < clip->origin.y - slack ||
         bounds->origin.x + bounds->size.width > clip->origin.x + clip->size.width + slack ||
         bounds->origin.y + bounds->size.height > clip->origin.y + clip->size.height + slack;
}

static void
cut_walk (GtkWidget *root, GtkWidget *widget, const graphene_rect_t *clip, GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds, inner;

      if (GTK_IS_NATIVE (child) || !gtk_widget_get_mapped (child))
        continue;
      if (!gtk_widget_compute_bounds (child, root, &bounds))
        continue;
      if (bounds.size.width > 0 && bounds.size.height > 0 && sticks_out (&bounds, clip))
        {
          g_autofree char *what = ar_test_ui_describe (child);

          /* Its children are cut too: report the outermost only. */
          g_ptr_array_add (out, g_strdup_printf ("%s: x=%.0f y=%.0f w=%.0f h=%.0f, shown x=%.0f y=%.0f w=%.0f h=%.0f",
                                                 what, bounds.origin.x, bounds.origin.y,
                                                 bounds.size.width, bounds.size.height,
                                                 clip->origin.x, clip->origin.y,
                                                 clip->size.width, clip->size.height));
          continue;
        }
      if (GTK_IS_SCROLLED_WINDOW (child) || GTK_IS_VIEWPORT (child))
        continue;
      inner = *clip;
      if (gtk_widget_get_overflow (child) == GTK_OVERFLOW_HIDDEN)
        graphene_rect_intersection (clip, &bounds, &inner);
      cut_walk (root, child, &inner, out);
    }
}

char **
ar_test_ui_cut_off_widgets (GtkWidget *root)
{
  GPtrArray *out = g_ptr_array_new ();
  graphene_rect_t clip = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (root), gtk_widget_get_height (root));

  cut_walk (root, root, &clip, out);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* ---- accessible names ------------------------------------------------- */

/* Controls made of inner widgets: the control is checked, its insides
 * (the GtkText of an entry, the toggle of a menu button) are not. */
static gboolean
is_composite (GtkWidget *widget)
{
  return GTK_IS_MENU_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || GTK_IS_ENTRY (widget) ||
         GTK_IS_PASSWORD_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) ||
         GTK_IS_TEXT (widget) || GTK_IS_TEXT_VIEW (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_SCALE (widget) ||
         GTK_IS_COLOR_BUTTON (widget) || GTK_IS_FONT_BUTTON (widget) ||
         ADW_IS_SPLIT_BUTTON (widget) || ADW_IS_ENTRY_ROW (widget) ||
         ADW_IS_COMBO_ROW (widget);
}

static gboolean
is_actionable (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) || GTK_IS_LIST_BOX (widget) || GTK_IS_LIST_VIEW (widget) ||
      GTK_IS_GRID_VIEW (widget) || GTK_IS_COLUMN_VIEW (widget) || GTK_IS_FLOW_BOX (widget) ||
      GTK_IS_NOTEBOOK (widget) || GTK_IS_STACK (widget) || GTK_IS_PANED (widget) ||
      GTK_IS_SCROLLED_WINDOW (widget) || GTK_IS_VIEWPORT (widget) || GTK_IS_WINDOW (widget) ||
      GTK_IS_POPOVER (widget) || GTK_IS_SCROLLBAR (widget))
    return FALSE;
  if (GTK_IS_LIST_BOX_ROW (widget))
    return gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)) ||
           gtk_widget_get_focusable (widget);
  return GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || is_composite (widget) ||
         GTK_IS_FLOW_BOX_CHILD (widget) || gtk_widget_get_focusable (widget);
}

/* A switch or check button is named by the row it sits in (the row is
 * what a screen reader announces with it). */
static gboolean
named_by_row (GtkWidget *widget)
{
  GtkWidget *row;

  if (!GTK_IS_SWITCH (widget) && !GTK_IS_CHECK_BUTTON (widget))
    return FALSE;
  row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);
  if (row == NULL)
    return FALSE;
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) != NULL &&
         *adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)) != '\0';
}

/* GTK 4.8 makes a button "labelled by" its child, even when that child
 * is an image: AT-SPI then names it "GtkImage". Such a relation is no
 * name. */
static gboolean
has_labelled_by (GtkWidget *widget)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);
  g_autofree char *mismatch = NULL;

  if (!gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return FALSE;
  if (child == NULL || own_text (child) != NULL)
    return TRUE;
  mismatch = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                                 child, NULL);
  return mismatch != NULL;
}

static gboolean
has_name (GtkWidget *widget)
{
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
      has_labelled_by (widget))
    return TRUE;
  if (named_by_row (widget))
    return TRUE;
  /* Entries and text views show the user's text, not a name. */
  if (GTK_IS_EDITABLE (widget) || GTK_IS_TEXT_VIEW (widget) || GTK_IS_DROP_DOWN (widget) ||
      GTK_IS_SWITCH (widget) || GTK_IS_SCALE (widget))
    return ADW_IS_PREFERENCES_ROW (widget) && own_text (widget) != NULL;
  return own_text (widget) != NULL;
}

static void
name_walk (GtkWidget *widget, GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gboolean check;

      if (!gtk_widget_get_visible (child))
        continue;
      check = is_actionable (child);
      /* A status icon or a colour dot that tells something by its tooltip. */
      if (!check && !GTK_IS_LABEL (child) && gtk_widget_get_tooltip_text (child) != NULL)
        check = TRUE;
      if (check && !has_name (child))
        g_ptr_array_add (out, ar_test_ui_describe (child));
      if (!is_composite (child) || ADW_IS_PREFERENCES_ROW (child))
        {
          if (ADW_IS_ENTRY_ROW (child) || ADW_IS_COMBO_ROW (child))
            continue;
          name_walk (child, out);
        }
    }
}

char **
ar_test_ui_unnamed_widgets (GtkWidget *root)
{
  GPtrArray *out = g_ptr_array_new ();

  name_walk (root, out);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* ---- focus chain ------------------------------------------------------ */

static gboolean
trigger_is_tab (GtkShortcutTrigger *trigger, gboolean backward)
{
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    return trigger_is_tab (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), backward) ||
           trigger_is_tab (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)), backward);
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    {
      guint keyval = gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger));
      GdkModifierType mods = gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger));

      if (keyval != GDK_KEY_Tab && keyval != GDK_KEY_KP_Tab && keyval != GDK_KEY_ISO_Left_Tab)
        return FALSE;
      return backward ? mods == GDK_SHIFT_MASK : mods == 0;
    }
  return FALSE;
}

/* What a Tab press does before the window's own Tab binding sees it:
 * STUCK when a focused editable text view that accepts tabs inserts one
 * (GtkTextView's key handler, for Tab and Shift+Tab alike); HANDLED when a
 * shortcut for Tab between the focus and the window was activated (a list
 * that lets Tab leave it, say); else NONE. */
typedef enum { TAB_NONE, TAB_STUCK, TAB_HANDLED } TabOutcome;

static TabOutcome
press_tab_on_the_way (GtkWindow *window, GtkWidget *focus, gboolean backward)
{
  if (focus == NULL)
    return TAB_NONE;
  if (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_accepts_tab (GTK_TEXT_VIEW (focus)) &&
      gtk_text_view_get_editable (GTK_TEXT_VIEW (focus)))
    return TAB_STUCK;
  for (GtkWidget *up = focus; up != NULL && up != GTK_WIDGET (window); up = gtk_widget_get_parent (up))
    {
      g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (up);

      for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
        {
          g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

          if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
            continue;
          for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
            {
              g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
              GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

              if (!trigger_is_tab (gtk_shortcut_get_trigger (shortcut), backward))
                continue;
              /* A binding that moves the focus does what the window's does. */
              if (GTK_IS_SIGNAL_ACTION (action) &&
                  g_strcmp0 (gtk_signal_action_get_signal_name (GTK_SIGNAL_ACTION (action)), "move-focus") == 0)
                continue;
              if (gtk_shortcut_action_activate (action, GTK_SHORTCUT_ACTION_EXCLUSIVE, up,
                                                gtk_shortcut_get_arguments (shortcut)))
                return TAB_HANDLED;
            }
        }
    }
  return TAB_NONE;
}

GPtrArray *
ar_test_ui_focus_chain (GtkWindow *window, guint max_steps, gboolean backward)
{
  GPtrArray *chain = g_ptr_array_new ();

  for (guint i = 0; i < max_steps; i++)
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

      if (press_tab_on_the_way (window, focus, backward) == TAB_NONE)
        g_signal_emit_by_name (window, "move-focus",
                               backward ? GTK_DIR_TAB_BACKWARD : GTK_DIR_TAB_FORWARD);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_ptr_array_add (chain, gtk_root_get_focus (GTK_ROOT (window)));
    }
  return chain;
}

int
ar_test_ui_chain_first_visit (GPtrArray *chain, GtkWidget *widget)
{
  for (guint i = 0; i < chain->len; i++)
    {
      GtkWidget *focus = g_ptr_array_index (chain, i);

      if (focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget)))
        return (int) i;
    }
  return -1;
}

gboolean
ar_test_ui_chain_visits (GPtrArray *chain, GtkWidget *widget)
{
  return ar_test_ui_chain_first_visit (chain, widget) >= 0;
}
