/* test-ui-rebuild-dialog.c — the Rebuild Images dialog of the Cached
 * images page at every width and from the keyboard: nothing cut off at
 * 360 × 640 (with a long, wrapping status line), every control named, Tab
 * and Shift+Tab reach every control and never stay put, Escape closes it
 * and cancels the build. No engine is needed: the dialog's engine answers
 * nowhere, so its build fails at once with a long reason, the longest
 * status the dialog shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-image-builder.h"
#include "ar-log-view.h"
#include "ar-rebuild-dialog.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

typedef struct {
  GtkWindow *parent;
  ArRebuildDialog *dialog;
  gboolean finished;
} Fixture;

static void
on_finished (ArRebuildDialog *dialog, gboolean succeeded, gpointer user_data)
{
  Fixture *f = user_data;

  f->finished = TRUE;
}

/* A dialog made at @width x @height, as the page opens it (transient for
 * the window), on an engine whose socket does not exist. */
static void
open_dialog (Fixture *f, int width, int height)
{
  g_autoptr(ArEngine) engine = ar_engine_new ("docker", "unix:///nonexistent/ar-test-no-engine.sock");
  g_autoptr(ArImageBuilder) builder = ar_image_builder_new (engine);
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(ArSettings) settings = ar_settings_new_default ();

  ar_environment_set_name (env, "A rather long environment name for a narrow window");
  ar_environment_set_base_image (env, "debian:bookworm");
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, "#!/bin/sh\ntrue\n");

  f->finished = FALSE;
  f->dialog = AR_REBUILD_DIALOG (ar_rebuild_dialog_new (f->parent, builder, env, settings));
  g_signal_connect (f->dialog, "finished", G_CALLBACK (on_finished), f);
  gtk_window_set_default_size (GTK_WINDOW (f->dialog), width, height);
  gtk_window_present (GTK_WINDOW (f->dialog));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->dialog)));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->parent = GTK_WINDOW (adw_application_window_new (NULL));
  gtk_window_set_default_size (f->parent, 360, 640);
  gtk_window_present (f->parent);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->parent)));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  ar_test_ui_close_all_windows ();
}

/* Phone, half screen, full screen: nothing cut off once finished with a
 * long reason that wraps; the status line is as tall as its text at any
 * width (its box once reported a smaller minimum height than it needed at
 * a large width: a fatal Gtk-CRITICAL when the dialog was resized). */
static void
test_widths (Fixture *f, gconstpointer data)
{
  const int widths[] = { 360, 600, 1280 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_auto(GStrv) cut = NULL;
      g_autofree char *file = g_strdup_printf ("rebuild-dialog-%d", widths[w]);
      GtkWidget *status_label, *status_box;
      int minimum, natural, minimum_wide;

      open_dialog (f, widths[w], 640);
      ar_test_ui_await (f->finished);
      g_assert_false (ar_rebuild_dialog_get_succeeded (f->dialog));
      status_label = ar_test_ui_child (f->dialog, AR_TYPE_REBUILD_DIALOG, "status_label");
      g_test_message ("status: %s", gtk_label_get_label (GTK_LABEL (status_label)));
      g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (status_label)), "Nothing was built"));
      /* and the log says why, not nothing */
      {
        GtkWidget *text_view = ar_test_ui_find_descendant (GTK_WIDGET (ar_rebuild_dialog_get_log_view (f->dialog)),
                                                           GTK_TYPE_TEXT_VIEW, 0);
        g_autofree char *text = NULL;

        /* counted as its lines enter the text buffer */
        ar_test_ui_await (ar_log_view_get_n_lines (ar_rebuild_dialog_get_log_view (f->dialog)) > 0);
        text = ar_test_ui_text_view_get_text (text_view);
        g_test_message ("log: %s", text);
        g_assert_nonnull (strstr (text, "[image][ERROR] nothing was built: "));
        g_assert_nonnull (strstr (text, "not running"));
      }
      status_box = gtk_widget_get_parent (ar_test_ui_child (f->dialog, AR_TYPE_REBUILD_DIALOG, "status_icon"));
      gtk_widget_measure (status_box, GTK_ORIENTATION_VERTICAL, -1, &minimum, NULL, NULL, NULL);
      gtk_widget_measure (status_box, GTK_ORIENTATION_VERTICAL, 1048576, &minimum_wide, NULL, NULL, NULL);
      g_assert_cmpint (minimum_wide, <=, minimum);

      ar_test_ui_set_size (GTK_WINDOW (f->dialog), widths[w], 640);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (f->dialog)), <=, 640);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (f->dialog)), >=, 640 - 10);
      ar_test_ui_screenshot (GTK_WIDGET (f->dialog), file);
      cut = ar_test_ui_cut_off_widgets (GTK_WIDGET (f->dialog));
      for (guint i = 0; cut[i] != NULL; i++)
        g_test_message ("at %d: cut off: %s", widths[w], cut[i]);
      g_assert_cmpuint (g_strv_length (cut), ==, 0);
      /* The whole reason shows: the label is as tall as its wrapped text. */
      gtk_widget_measure (status_label, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (status_label), &minimum,
                          &natural, NULL, NULL);
      g_assert_cmpint (gtk_widget_get_height (status_label), >=, minimum);
      gtk_window_destroy (GTK_WINDOW (f->dialog));
    }
}

/* Every control has a name a screen reader can say. */
static void
test_names (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) unnamed = NULL;

  open_dialog (f, 360, 640);
  unnamed = ar_test_ui_unnamed_widgets (GTK_WIDGET (f->dialog));
  for (guint i = 0; unnamed[i] != NULL; i++)
    g_test_message ("no accessible name: %s", unnamed[i]);
  g_assert_cmpuint (g_strv_length (unnamed), ==, 0);
}

/* Tab reaches Cancel, the log's search and the log in reading order;
 * Shift+Tab reaches them too; neither stays put (the log hands Tab on). */
static void
test_focus_chain (Fixture *f, gconstpointer data)
{
  GtkWidget *log_view;
  GtkWidget *controls[3];

  open_dialog (f, 360, 640);
  /* The chain of the dialog as it stays: its build's end changes the
   * status, the button and the log, which under load could land in the
   * middle of the walk (seen: Shift+Tab "stuck" on the log). */
  ar_test_ui_await (f->finished);
  ar_test_ui_await_layout (GTK_WIDGET (f->dialog));
  log_view = GTK_WIDGET (ar_rebuild_dialog_get_log_view (f->dialog));
  controls[0] = ar_test_ui_child (f->dialog, AR_TYPE_REBUILD_DIALOG, "close_button");
  controls[1] = ar_test_ui_find_descendant (log_view, GTK_TYPE_SEARCH_ENTRY, 0);
  controls[2] = ar_test_ui_find_descendant (log_view, GTK_TYPE_TEXT_VIEW, 0);
  for (guint backward = 0; backward < 2; backward++)
    {
      g_autoptr(GPtrArray) chain = NULL;
      int last = -1;

      gtk_window_set_focus (GTK_WINDOW (f->dialog), NULL);
      chain = ar_test_ui_focus_chain (GTK_WINDOW (f->dialog), 30, backward);
      for (guint i = 1; i < chain->len; i++)
        if (g_ptr_array_index (chain, i) == g_ptr_array_index (chain, i - 1))
          {
            g_autofree char *what = g_ptr_array_index (chain, i) != NULL
                                      ? ar_test_ui_describe (g_ptr_array_index (chain, i)) : g_strdup ("nothing");

            g_error ("Tab %s stuck on %s", backward ? "backward" : "forward", what);
          }
      for (guint c = 0; c < G_N_ELEMENTS (controls); c++)
        {
          int at = ar_test_ui_chain_first_visit (chain, controls[c]);
          g_autofree char *what = ar_test_ui_describe (controls[c]);

          if (at < 0)
            g_error ("Tab %s never reaches %s", backward ? "backward" : "forward", what);
          if (!backward)
            {
              g_assert_cmpint (at, >, last);
              last = at;
            }
        }
    }
}

/* Escape closes the dialog from wherever the focus is (here the log). */
static void
test_escape_closes (Fixture *f, gconstpointer data)
{
  GtkWidget *text_view;

  open_dialog (f, 360, 640);
  text_view = ar_test_ui_find_descendant (GTK_WIDGET (ar_rebuild_dialog_get_log_view (f->dialog)),
                                          GTK_TYPE_TEXT_VIEW, 0);
  gtk_widget_grab_focus (text_view);
  g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
  g_assert_true (ar_test_ui_press_shortcut (GTK_WINDOW (f->dialog), GDK_KEY_Escape, 0));
  ar_test_ui_await (f->dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
  if (f->dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ui/rebuild-dialog/widths", test_widths);
  ADD ("/ui/rebuild-dialog/names", test_names);
  ADD ("/ui/rebuild-dialog/focus-chain", test_focus_chain);
  ADD ("/ui/rebuild-dialog/escape-closes", test_escape_closes);

  return g_test_run ();
}
