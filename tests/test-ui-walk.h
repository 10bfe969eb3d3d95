/* test-ui-walk.h — walks over a window for the UI tests: its size, what
 * is cut off at a width, which controls have no accessible name, and
 * where Tab takes the focus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Resizes @window to @width x @height, and iterates the main loop until its
 * allocation is that size (or its minimum if larger); fails the test if the
 * minimum width is larger than @width. The window's surface is wider than its
 * allocation (10 px on X11 without a compositor): where that does not fit
 * on the screen (1 280 px on the tests' 1 280 px Xvfb) the window is as
 * wide as the screen allows, a few pixels less than asked. */
void ar_test_ui_set_size (GtkWindow *window, int width, int height);

/* The window's minimum width: the widest minimum of its children (its
 * content, its titlebar), what its allocation can go down to. */
int ar_test_ui_min_width (GtkWindow *window);

/* Visible, mapped widgets under @root that stick out of what is shown of
 * them: beyond @root's allocation, or beyond an ancestor that clips its
 * children (overflow hidden) — except inside a GtkScrolledWindow or
 * GtkViewport, which clips legitimately (the user scrolls). Returns a
 * newly allocated, NULL-terminated array of descriptions
 * ("GtkButton 'Save' x=.. w=.. in ..."); empty when nothing is cut. */
char **ar_test_ui_cut_off_widgets (GtkWidget *root);

/* Every visible actionable widget under @root (buttons, toggles, switches,
 * check buttons, entries, text views, drop-downs, spin buttons, menu
 * buttons, activatable list rows, any other focusable widget) without an
 * accessible name: no GTK_ACCESSIBLE_PROPERTY_LABEL, no LABELLED_BY
 * relation, no text of its own (button or check button label, a GtkLabel
 * inside it, an AdwPreferencesRow title, or the title of the AdwActionRow
 * whose switch or check button it is). A tooltip is not a name. Widgets
 * with a tooltip or focusable that show no text (a status icon, a colour
 * dot) are checked too. Insensitive widgets are checked as well (a screen
 * reader still reads them), and so are those on hidden pages of a stack,
 * as long as they and their ancestors are visible. Returns a newly
 * allocated, NULL-terminated array of descriptions (type, name or
 * buildable id, ancestor chain); empty when all are named. */
char **ar_test_ui_unnamed_widgets (GtkWidget *root);

/* Presses Tab (Shift+Tab when @backward) @max_steps times in @window the
 * way the keyboard does: a focused editable text view that accepts tabs
 * takes the key (the focus stays: stuck); a shortcut for Tab on a widget
 * from the focus up is activated; otherwise the window moves the focus as
 * its Tab binding does (the "move-focus" signal, which wraps around).
 * Returns the widgets that had the focus after each press (not reffed;
 * NULL when nothing had it). */
GPtrArray *ar_test_ui_focus_chain (GtkWindow *window, guint max_steps, gboolean backward);

/* TRUE when @chain visits @widget or a descendant of it. */
gboolean ar_test_ui_chain_visits (GPtrArray *chain, GtkWidget *widget);

/* The index of @chain's first visit to @widget or a descendant of it, -1
 * when it never goes there. */
int ar_test_ui_chain_first_visit (GPtrArray *chain, GtkWidget *widget);

/* ar_test_ui_set_size() then ar_test_ui_screenshot() as NAME-WIDTH.png. */
void ar_test_ui_screenshot_at (GtkWindow *window, int width, int height, const char *name);

/* A one-line description of @widget: type, name or buildable id, label. */
char *ar_test_ui_describe (GtkWidget *widget);

G_END_DECLS
