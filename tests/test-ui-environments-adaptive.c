/* test-ui-environments-adaptive.c — the Environments page at every width, the keyboard, names, Undo, switches, folder choosers (issue 12)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-env-store.h"
#include "ar-environment-editor.h"
#include "ar-environments-page.h"
#include "ar-preflight-editor.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"
#include "test-ui-environments-utils.h"

static void
open_bare_window (Fixture *f)
{
  GtkWidget *overlay = adw_toast_overlay_new ();

  f->bare_window = GTK_WINDOW (adw_window_new ());
  f->bare_page = AR_ENVIRONMENTS_PAGE (ar_environments_page_new (f->store));
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (f->bare_page));
  adw_window_set_content (ADW_WINDOW (f->bare_window), overlay);
  gtk_window_set_default_size (f->bare_window, 1280, 800);
  gtk_window_present (f->bare_window);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->bare_window)));
}

/* The fixture's store, shown in the page alone. */
static void
bare_set_up (Fixture *f, gconstpointer data)
{
  fixture_set_up (f, data);
  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  open_bare_window (f);
}

/* ---- every width (issue 12 item 1) ---- */

static void
assert_nothing_cut (GtkWidget *root, const char *what, int width)
{
  g_auto(GStrv) cut = ar_test_ui_cut_off_widgets (root);

  for (guint i = 0; cut[i] != NULL; i++)
    g_test_message ("%s at %d px: cut off: %s", what, width, cut[i]);
  g_assert_cmpuint (g_strv_length (cut), ==, 0);
}

/* The bare window at that size (the width exactly; the height as the
 * window allows). */
static void
print_widest (GtkWidget *w)
{
  while (w != NULL)
    {
      GtkWidget *widest = NULL;
      int best = -1, mine = 0;
      g_autofree char *d = ar_test_ui_describe (w);

      gtk_widget_measure (w, GTK_ORIENTATION_HORIZONTAL, -1, &mine, NULL, NULL, NULL);
      g_test_message ("min %d: %s", mine, d);
      for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
        {
          int m = 0;

          if (!gtk_widget_get_visible (c) || GTK_IS_NATIVE (c))
            continue;
          gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &m, NULL, NULL, NULL);
          if (m > best)
            {
              best = m;
              widest = c;
            }
        }
      w = widest;
    }
}

static void
set_size (Fixture *f, int width, int height)
{
  if (ar_test_ui_min_width (f->bare_window) > width)
    print_widest (GTK_WIDGET (f->bare_window));
  g_assert_cmpint (ar_test_ui_min_width (f->bare_window), <=, width);
  /* The default size counts the window's frame (its shadow): what is
   * left for the content is a little less. */
  for (guint attempt = 0; attempt < 3 && gtk_widget_get_width (GTK_WIDGET (f->bare_window)) != width; attempt++)
    {
      int frame_w = 0, frame_h = 0;

      gtk_window_get_default_size (f->bare_window, &frame_w, &frame_h);
      frame_w = MAX (frame_w - gtk_widget_get_width (GTK_WIDGET (f->bare_window)), 0);
      frame_h = MAX (frame_h - gtk_widget_get_height (GTK_WIDGET (f->bare_window)), 0);
      if (attempt == 0)
        frame_w = frame_h = 0;
      gtk_window_set_default_size (f->bare_window, width + frame_w, height + frame_h);
      ar_test_ui_iterate (200);
    }
  /* The Xvfb screen of the test run is 1 280 px wide: a window of 1 280
   * plus its frame is as wide as it can be. */
  if (gtk_widget_get_width (GTK_WIDGET (f->bare_window)) != width)
    {
      GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (f->bare_window));
      GdkMonitor *monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
      GdkRectangle area;

      gdk_monitor_get_geometry (monitor, &area);
      g_object_unref (monitor);
      if (width >= area.width - 20)
        {
          g_test_message ("asked %d px, the screen allows %d", width, gtk_widget_get_width (GTK_WIDGET (f->bare_window)));
          g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->bare_window)), >=, area.width - 20);
          return;
        }
    }
  ar_test_ui_await (gtk_widget_get_width (GTK_WIDGET (f->bare_window)) == width);
  ar_test_ui_iterate (100);
}

static void
screenshot_at (Fixture *f, int width, int height, const char *name)
{
  g_autofree char *full = g_strdup_printf ("%s-%d", name, width);

  set_size (f, width, height);
  ar_test_ui_screenshot (GTK_WIDGET (f->bare_window), full);
}

static AdwLeaflet *
leaflet (Fixture *f)
{
  return ar_test_ui_child (page (f), AR_TYPE_ENVIRONMENTS_PAGE, "leaflet");
}

static void
test_widths (Fixture *f, gconstpointer data)
{
  const int widths[] = { 360, 600, 1280 };
  const char *tabs[] = { "general", "container", "preflight" };

  /* The page asks no more than 360 px. */
  g_assert_cmpint (ar_test_ui_min_width (f->bare_window), <=, 360);

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      int width = widths[w];
      int height = width == 1280 ? 800 : 640;
      g_autofree char *name = NULL;

      set_size (f, width, height);
      /* Side by side from some 600 px up; one at a time below. */
      g_assert_cmpint (adw_leaflet_get_folded (leaflet (f)), ==, width < 600);
      g_assert_cmpint (gtk_widget_get_visible (field (f, "back_button")), ==, width < 600);

      if (adw_leaflet_get_folded (leaflet (f)))
        {
          gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.show-list", NULL);
          screenshot_at (f, width, height, "environments-list");
          assert_nothing_cut (GTK_WIDGET (f->bare_window), "list", width);
          gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.show-editor", NULL);
          g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet (f)), ==, "content");
        }

      for (guint t = 0; t < G_N_ELEMENTS (tabs); t++)
        {
          /* Modified, so that Revert shows too. */
          gtk_editable_set_text (field (f, "name_row"), "Beta with a somewhat longer name than usual");
          show_tab (f, tabs[t]);
          g_clear_pointer (&name, g_free);
          name = g_strdup_printf ("environments-%s", tabs[t]);
          screenshot_at (f, width, height, name);
          assert_nothing_cut (GTK_WIDGET (f->bare_window), name, width);
          g_assert_true (gtk_widget_get_mapped (field (f, "save_button")));
          g_assert_true (gtk_widget_get_mapped (field (f, "revert_button")));
          gtk_widget_activate_action (GTK_WIDGET (editor (f)), "editor.revert", NULL);
        }
    }
}

/* The save-warnings dialog at each width. */
static void
test_warnings_dialog_widths (Fixture *f, gconstpointer data)
{
  const int widths[] = { 360, 600, 1280 };
  ArPreflightEditor *preflight = ar_environment_editor_get_preflight_editor (editor (f));

  show_tab (f, "preflight");
  gtk_widget_activate_action (GTK_WIDGET (preflight), "preflight.mode", "s", "split");
  ar_test_ui_text_view_set_text (preflight_field (f, "cached_view"), "#!/bin/sh\necho $TASK_ID > /etc/task-id\n");
  ar_test_ui_text_view_set_text (preflight_field (f, "run_view"), "#!/bin/sh\napt-get install -y curl\n");

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      int height = widths[w] == 1280 ? 800 : 640;
      AdwMessageDialog *dialog;
      int min_width;

      set_size (f, widths[w], height);
      gtk_widget_activate_action (GTK_WIDGET (page (f)), "environments.save", NULL);
      dialog = ar_test_ui_await_message_dialog ();
      /* "Save Anyway" destroys nothing: not red (issue 12 item 4). */
      g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "save"), !=, ADW_RESPONSE_DESTRUCTIVE);
      /* Fits the window. */
      gtk_widget_measure (GTK_WIDGET (dialog), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      g_assert_cmpint (min_width, <=, widths[w]);
      {
        g_autofree char *name = g_strdup_printf ("save-warnings-dialog-%d", widths[w]);

        ar_test_ui_screenshot (GTK_WIDGET (dialog), name);
      }
      assert_nothing_cut (GTK_WIDGET (dialog), "save-warnings dialog", widths[w]);
      ar_test_ui_respond (dialog, "back");
      ar_test_ui_await (ar_test_ui_no_message_dialog ());
    }
}

/* Folded: a row opens the editor, whose back button returns to the list. */
static void
test_folded_navigation (Fixture *f, gconstpointer data)
{
  set_size (f, 360, 640);
  g_assert_true (adw_leaflet_get_folded (leaflet (f)));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet (f)), ==, "list");

  g_signal_emit_by_name (ar_test_ui_child (page (f), AR_TYPE_ENVIRONMENTS_PAGE, "list_view"), "activate", 1);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet (f)), ==, "content");
  g_assert_cmpstr (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), ==, f->beta_id);
  g_assert_true (gtk_widget_get_mapped (field (f, "back_button")));

  g_signal_emit_by_name (field (f, "back_button"), "clicked");
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet (f)), ==, "list");

  /* Ctrl+N's new environment opens in the editor. */
  ar_environments_page_new_environment (page (f));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet (f)), ==, "content");
}

/* ---- the keyboard (issue 12 item 2) ---- */

/* A widget under @root by its id in the .ui (bound as a template child or
 * not). */
static GtkWidget *
find_by_id (GtkWidget *root, const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_id (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
preflight_widget (Fixture *f, const char *id)
{
  GtkWidget *widget = find_by_id (GTK_WIDGET (ar_environment_editor_get_preflight_editor (editor (f))), id);

  g_assert_nonnull (widget);
  return widget;
}

static void
test_focus_chain (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) chain = NULL;
  g_autoptr(GPtrArray) back = NULL;
  GtkWidget *list_view = ar_test_ui_child (page (f), AR_TYPE_ENVIRONMENTS_PAGE, "list_view");
  guint in_list = 0;

  /* Beta: split mode, so all three preflight tabs are there. */
  ar_environments_page_select (page (f), f->beta_id);
  /* A change, so that Save takes focus. */
  gtk_editable_set_text (field (f, "name_row"), "Beta edited");
  show_tab (f, "preflight");
  set_size (f, 1280, 800);

  /* From the list, Tab goes on: to the buttons below it, then the editor. */
  gtk_widget_child_focus (ar_test_ui_child (page (f), AR_TYPE_ENVIRONMENTS_PAGE, "list_bin"), GTK_DIR_TAB_FORWARD);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->bare_window)), list_view));
  chain = ar_test_ui_focus_chain (f->bare_window, 60, FALSE);
  for (guint i = 0; i < chain->len; i++)
    {
      g_autofree char *what = g_ptr_array_index (chain, i) != NULL ? ar_test_ui_describe (g_ptr_array_index (chain, i)) : g_strdup ("(none)");

      g_test_message ("Tab %u: %s", i + 1, what);
      /* Tab never moves from one row to the next: it leaves the list. */
      if (g_ptr_array_index (chain, i) != NULL && gtk_widget_is_ancestor (g_ptr_array_index (chain, i), list_view))
        in_list++;
      else
        in_list = 0;
      g_assert_cmpuint (in_list, <=, 1);
    }
  g_assert_true (ar_test_ui_chain_visits (chain, ar_test_ui_child (page (f), AR_TYPE_ENVIRONMENTS_PAGE, "add_button")));
  g_assert_true (ar_test_ui_chain_visits (chain, find_by_id (GTK_WIDGET (page (f)), "delete_button")));
  g_assert_true (ar_test_ui_chain_visits (chain, field (f, "save_button")));
  g_assert_true (ar_test_ui_chain_visits (chain, field (f, "revert_button")));
  g_assert_true (ar_test_ui_chain_visits (chain, preflight_widget (f, "single_tab")));
  g_assert_true (ar_test_ui_chain_visits (chain, preflight_widget (f, "cached_tab")));
  g_assert_true (ar_test_ui_chain_visits (chain, preflight_widget (f, "run_tab")));
  g_assert_true (ar_test_ui_chain_visits (chain, preflight_widget (f, "auto_split_button")));
  g_assert_true (ar_test_ui_chain_visits (chain, preflight_widget (f, "validate_button")));
  g_assert_true (ar_test_ui_chain_visits (chain, preflight_widget (f, "test_button")));
  /* Passing through the list selected nothing: Beta is still shown. */
  g_assert_cmpuint (selected_row (f), ==, 1);
  g_assert_cmpstr (ar_environment_get_env_id (ar_environment_editor_get_environment (editor (f))), ==, f->beta_id);
  g_assert_true (ar_test_ui_no_message_dialog ());

  /* Shift+Tab too, never stuck. */
  back = ar_test_ui_focus_chain (f->bare_window, 60, TRUE);
  g_assert_true (ar_test_ui_chain_visits (back, field (f, "save_button")));
  g_assert_true (ar_test_ui_chain_visits (back, find_by_id (GTK_WIDGET (page (f)), "delete_button")));
  g_assert_true (ar_test_ui_chain_visits (back, preflight_widget (f, "test_button")));
  g_assert_cmpuint (selected_row (f), ==, 1);

  /* The General tab's fields are on the way too. */
  show_tab (f, "general");
  g_clear_pointer (&chain, g_ptr_array_unref);
  chain = ar_test_ui_focus_chain (f->bare_window, 60, FALSE);
  g_assert_true (ar_test_ui_chain_visits (chain, field (f, "name_row")));
  g_assert_true (ar_test_ui_chain_visits (chain, field (f, "caching_switch")));
}

/* ---- accessible names (issue 12 item 3) ---- */

static void
assert_all_named (GtkWidget *root, const char *what)
{
  g_auto(GStrv) unnamed = ar_test_ui_unnamed_widgets (root);

  for (guint i = 0; unnamed[i] != NULL; i++)
    g_test_message ("%s: no accessible name: %s", what, unnamed[i]);
  g_assert_cmpuint (g_strv_length (unnamed), ==, 0);
}

static void
test_accessible_names (Fixture *f, gconstpointer data)
{
  const char *tabs[] = { "general", "container", "preflight" };

  /* Modified: Revert shows. Mounted workspace: its folder button shows. */
  gtk_editable_set_text (field (f, "name_row"), "Alpha edited");
  ar_environment_set_workspace_type (ar_environment_editor_get_draft (editor (f)), "mounted");
  for (guint t = 0; t < G_N_ELEMENTS (tabs); t++)
    {
      show_tab (f, tabs[t]);
      ar_test_ui_iterate (50);
      assert_all_named (GTK_WIDGET (page (f)), tabs[t]);
    }
  /* Folded, with the back button. */
  set_size (f, 360, 640);
  assert_all_named (GTK_WIDGET (page (f)), "folded");
}

/* ---- Revert offers Undo (issue 12 item 4) ---- */

static void
test_revert_undo (Fixture *f, gconstpointer data)
{
  gtk_editable_set_text (field (f, "name_row"), "Alpha edited");
  gtk_switch_set_active (field (f, "desktop_switch"), TRUE);
  g_assert_true (ar_environment_editor_get_modified (editor (f)));

  gtk_widget_activate_action (GTK_WIDGET (editor (f)), "editor.revert", NULL);
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Alpha");
  ar_test_ui_await (find_label_text (GTK_WIDGET (f->bare_window), "Changes reverted"));
  ar_test_ui_screenshot (GTK_WIDGET (f->bare_window), "revert-undo-toast");

  gtk_widget_activate_action (GTK_WIDGET (editor (f)), "editor.undo-revert", NULL);
  g_assert_true (ar_environment_editor_get_modified (editor (f)));
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Alpha edited");
  g_assert_true (gtk_switch_get_active (field (f, "desktop_switch")));

  /* Undo is for the environment it came from only. */
  gtk_widget_activate_action (GTK_WIDGET (editor (f)), "editor.revert", NULL);
  ar_environments_page_select (page (f), f->beta_id);
  gtk_widget_activate_action (GTK_WIDGET (editor (f)), "editor.undo-revert", NULL);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "name_row")), ==, "Beta");
  g_assert_false (ar_environment_editor_get_modified (editor (f)));
}

/* ---- switches for on/off options, as in Preferences ---- */

static void
test_option_switches (Fixture *f, gconstpointer data)
{
  const char *names[] = { "desktop_switch", "desktop_cache_switch", "caching_switch" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkWidget *widget = field (f, names[i]);
      GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

      g_assert_true (GTK_IS_SWITCH (widget));
      g_assert_nonnull (row);
      g_assert_true (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) == widget);
    }
  /* Activating the row flips the switch. */
  adw_action_row_activate (ADW_ACTION_ROW (gtk_widget_get_ancestor (field (f, "desktop_switch"), ADW_TYPE_ACTION_ROW)));
  g_assert_true (ar_environment_get_headless_desktop_enabled (ar_environment_editor_get_draft (editor (f))));
}

/* ---- folder choosers (issue 12 item 4) ---- */

/* Answers the chooser the button opened (GtkFileChooserNative falls back
 * to a GtkFileChooserDialog without a portal) with @folder. */
static void
choose_in_dialog (const char *folder)
{
  GtkWindow *dialog;
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  g_autoptr(GError) error = NULL;

  ar_test_ui_await ((dialog = ar_test_ui_find_window (GTK_TYPE_FILE_CHOOSER_DIALOG)) != NULL);
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)), ==, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), file, &error));
  g_assert_no_error (error);
  ar_test_ui_iterate (200);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
}

static void
test_folder_choosers (Fixture *f, gconstpointer data)
{
  g_autofree char *work = g_build_filename (f->dir, "project", NULL);
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *mount_line = NULL;
  g_autofree char *mounts = NULL;
  GtkWidget *workspace_button = field (f, "workspace_choose_button");

  g_assert_cmpint (g_mkdir (work, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (config, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (data_dir, 0700), ==, 0);

  /* The workspace folder: a button beside it when the workspace is mounted. */
  ar_environment_set_workspace_type (ar_environment_editor_get_draft (editor (f)), "none");
  g_assert_false (gtk_widget_get_visible (workspace_button));
  ar_environment_set_workspace_type (ar_environment_editor_get_draft (editor (f)), "mounted");
  g_assert_true (gtk_widget_get_visible (workspace_button));
  g_signal_emit_by_name (workspace_button, "clicked");
  choose_in_dialog (work);
  ar_test_ui_await (g_strcmp0 (ar_environment_get_workspace_target (ar_environment_editor_get_draft (editor (f))), work) == 0);
  g_assert_cmpstr (gtk_editable_get_text (field (f, "workspace_target_row")), ==, work);

  /* The agent's configuration folder. */
  g_signal_emit_by_name (find_by_id (GTK_WIDGET (editor (f)), "host_config_choose_button"), "clicked");
  choose_in_dialog (config);
  ar_test_ui_await (g_strcmp0 (ar_environment_get_host_config_dir (ar_environment_editor_get_draft (editor (f))), config) == 0);

  /* Mounts: a line appended, after those there are. */
  show_tab (f, "container");
  ar_test_ui_text_view_set_text (field (f, "mounts_view"), "/srv/cache:/cache:ro");
  g_signal_emit_by_name (find_by_id (GTK_WIDGET (editor (f)), "add_mount_button"), "clicked");
  choose_in_dialog (data_dir);
  mount_line = g_strdup_printf ("/srv/cache:/cache:ro\n%s:/mnt/data\n", data_dir);
  ar_test_ui_await ((g_free (mounts), mounts = ar_test_ui_text_view_get_text (field (f, "mounts_view")),
                     g_strcmp0 (mounts, mount_line) == 0));
  g_assert_false (gtk_widget_get_visible (field (f, "mounts_errors")));
  g_assert_cmpuint (g_strv_length ((char **) ar_environment_get_extra_mounts (ar_environment_editor_get_draft (editor (f)))), ==, 2);
  save_and_wait (f);
}

int
main (int argc, char **argv)
{
  add_system_schemas ();
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

#define ADD_BARE(path, func) \
  g_test_add (path, Fixture, NULL, bare_set_up, func, fixture_tear_down)

  ADD_BARE ("/ui/environments/widths", test_widths);
  ADD_BARE ("/ui/environments/warnings-dialog-widths", test_warnings_dialog_widths);
  ADD_BARE ("/ui/environments/folded-navigation", test_folded_navigation);
  ADD_BARE ("/ui/environments/focus-chain", test_focus_chain);
  ADD_BARE ("/ui/environments/accessible-names", test_accessible_names);
  ADD_BARE ("/ui/environments/revert-undo", test_revert_undo);
  ADD_BARE ("/ui/environments/option-switches", test_option_switches);
  ADD_BARE ("/ui/environments/folder-choosers", test_folder_choosers);

  return g_test_run ();
}
