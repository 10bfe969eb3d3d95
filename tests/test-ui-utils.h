/* test-ui-utils.h — helpers for the UI tests: a display, waiting on the
 * main loop, finding windows and widgets, and screenshots.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-backend.h"
#include "ar-window.h"
#include "test-utils.h"

G_BEGIN_DECLS

/* Call right after ar_test_init(): opens a display of the program's own
 * (an Xvfb it starts, when there is one; else DISPLAY, or a TAP skip and
 * exit when there is none), initialises libadwaita and GtkSourceView,
 * loads style.css, turns animations off, and loads the icon theme, the
 * shell language and the style schemes before GTest isolates XDG_DATA_DIRS
 * for each test. */
void ar_test_ui_init (void);

/* Wakes the main loop every few milliseconds while waiting. */
gboolean ar_test_ui_tick (gpointer data);

/* Runs the main loop until @condition holds; fails the test after
 * @seconds (10 for ar_test_ui_await). */
#define ar_test_ui_await_for(condition, seconds)                                 \
  G_STMT_START {                                                                 \
    gint64 _ar_end = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;       \
    guint _ar_tick = g_timeout_add (5, ar_test_ui_tick, NULL);                   \
    while (!(condition))                                                         \
      {                                                                          \
        if (g_get_monotonic_time () > _ar_end)                                   \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #condition); \
        g_main_context_iteration (NULL, TRUE);                                   \
      }                                                                          \
    g_source_remove (_ar_tick);                                                  \
  } G_STMT_END
#define ar_test_ui_await(condition) ar_test_ui_await_for (condition, 10)

/* A window on its own environments file and task state, for the tests that
 * open the whole window: set_up makes the store (not yet loaded) and points
 * XDG_STATE_HOME at a fresh folder, so one test's task records are not the
 * next one's; the test makes backend and window; tear_down closes all. */
typedef struct {
  char *dir;
  ArEnvStore *store;
  ArBackend *backend;
  ArWindow *window;
} ArTestUiWindowFixture;

void ar_test_ui_window_fixture_set_up (ArTestUiWindowFixture *f, gconstpointer data);
void ar_test_ui_window_fixture_tear_down (ArTestUiWindowFixture *f, gconstpointer data);

/* Runs the main loop for @ms milliseconds. */
void ar_test_ui_iterate (guint ms);

/* The most recent visible toplevel of @type, or NULL. */
GtkWindow *ar_test_ui_find_window (GType type);
/* Waits for a visible AdwMessageDialog and returns it. */
AdwMessageDialog *ar_test_ui_await_message_dialog (void);
/* Answers @dialog as a click on the response's button does: emits the
 * response, then closes the dialog. */
void ar_test_ui_respond (AdwMessageDialog *dialog, const char *response);
/* No AdwMessageDialog is visible. */
gboolean ar_test_ui_no_message_dialog (void);
/* Destroys every toplevel, so tests start from a clean screen. */
void ar_test_ui_close_all_windows (void);

/* The first descendant of @root of @type (depth first), optionally the
 * @nth one (0-based). */
GtkWidget *ar_test_ui_find_descendant (GtkWidget *root, GType type, guint nth);

/* A template child, checked. */
#define ar_test_ui_child(widget, Type, name) \
  ((gpointer) gtk_widget_get_template_child (GTK_WIDGET (widget), Type, name))

/* Runs the main loop until @widget's window has painted a frame: its
 * layout is done then (allocations of what changed before the call). */
void ar_test_ui_await_layout (GtkWidget *widget);

/* @widget as shown, as a render node taken right after its window painted a
 * frame (its layout done); its size in @width and @height. */
GskRenderNode *ar_test_ui_snapshot (GtkWidget *widget, int *width, int *height);

/* Renders @node with @widget's renderer into
 * $G_TEST_BUILDDIR/screenshots/@name.png. */
void ar_test_ui_save_png (GtkWidget *widget, GskRenderNode *node, int width, int height, const char *name);

/* Renders @widget as shown and writes $G_TEST_BUILDDIR/screenshots/@name.png. */
void ar_test_ui_screenshot (GtkWidget *widget, const char *name);

/* Presses @keyval with @mods as a shortcut: the first shortcut for it from
 * the focus up to @window is activated. FALSE when none takes it. */
gboolean ar_test_ui_press_shortcut (GtkWindow *window, guint keyval, GdkModifierType mods);

/* The whole text of a text view's buffer. */
char *ar_test_ui_text_view_get_text (GtkWidget *text_view);
void ar_test_ui_text_view_set_text (GtkWidget *text_view, const char *text);

G_END_DECLS
