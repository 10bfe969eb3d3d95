/* test-ui-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-ui-utils.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gtksourceview/gtksource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ar-ui.h"

#define OWN_DISPLAY_TIMEOUT_MS 20000

static void
xvfb_child_setup (gpointer user_data)
{
  /* Xvfb ends with the test program, however that ends. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* A display of this program's own: an Xvfb it starts (-displayfd picks a
 * free number), DISPLAY set to it. Programs run side by side, and on one
 * display without a window manager each new window takes the keyboard
 * focus from the others: a window not active any more moves its focus
 * differently on Tab (GTK 4.8), and focus walks failed at random (about
 * one in six runs of test-ui-preferences, four at once). A user's window
 * is the active one when they press Tab. Without Xvfb, or with
 * AR_TEST_SHARED_DISPLAY set, the DISPLAY given is used. */
static void
open_own_display (void)
{
  g_autofree char *xvfb = g_find_program_in_path ("Xvfb");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  int fds[2];
  char number[32] = "";
  size_t len = 0;
  gint64 deadline = g_get_monotonic_time () + OWN_DISPLAY_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;

  if (xvfb == NULL || g_getenv ("AR_TEST_SHARED_DISPLAY") != NULL)
    return;
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("a pipe for Xvfb's display number: %s", error->message);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup (launcher, xvfb_child_setup, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, xvfb, "-displayfd", "3", "-screen", "0", "1920x1200x24",
                                      "-nolisten", "tcp", "-nolisten", "unix", NULL);
  /* -nolisten unix leaves the abstract socket, which is all a client here needs */
  if (proc == NULL)
    g_error ("Xvfb did not start: %s", error->message);
  g_clear_object (&launcher); /* closes the launcher's copy of the write end */
  /* The number and a newline, once Xvfb is ready for clients. */
  while (len < sizeof number - 1 && memchr (number, '\n', len) == NULL)
    {
      struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
      int left_ms = (int) ((deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND);
      ssize_t n;

      if (left_ms <= 0 || poll (&pfd, 1, left_ms) <= 0)
        g_error ("Xvfb gave no display number in %d s", OWN_DISPLAY_TIMEOUT_MS / 1000);
      n = read (fds[0], number + len, sizeof number - 1 - len);
      if (n <= 0)
        g_error ("Xvfb ended before giving a display number");
      len += (size_t) n;
    }
  close (fds[0]);
  number[len] = '\0';
  g_strstrip (number);
  {
    g_autofree char *display = g_strconcat (":", number, NULL);

    g_setenv ("DISPLAY", display, TRUE);
  }
  /* Not freed: it lives as long as the program, and ends with it. */
  (void) proc;
}

void
ar_test_ui_init (void)
{
  GdkDisplay *display;
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  GtkSourceLanguageManager *languages;
  GtkSourceStyleSchemeManager *schemes;
  GtkWidget *label;
  const char *icon_dir = AR_TEST_SYSTEM_DATADIR "/icons";
  const char *language_dir = AR_TEST_SYSTEM_DATADIR "/gtksourceview-5/language-specs";
  const char *styles_dir = AR_TEST_SYSTEM_DATADIR "/gtksourceview-5/styles";
  const char *mime_dir = AR_TEST_SYSTEM_DATADIR "/mime";

  open_own_display ();
  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      exit (0);
    }
  adw_init ();
  ar_ui_init ();

  display = gdk_display_get_default ();
  g_object_set (gtk_settings_get_for_display (display), "gtk-enable-animations", FALSE, NULL);
  gtk_css_provider_load_from_resource (provider, AR_RESOURCE_PATH "/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  /* GTest points XDG_DATA_DIRS at /dev/null (and at a fresh folder in each
   * test): look where GTK and GtkSourceView are installed instead. */
  gtk_icon_theme_set_search_path (gtk_icon_theme_get_for_display (display),
                                  (const char *const[]) { icon_dir, NULL });
  /* gdk-pixbuf tells SVG icons by their MIME type. */
  g_content_type_set_mime_dirs ((const char *const[]) { mime_dir, NULL });
  languages = gtk_source_language_manager_get_default ();
  gtk_source_language_manager_set_search_path (languages, (const char *const[]) { language_dir, NULL });
  g_assert_nonnull (gtk_source_language_manager_get_language (languages, "sh"));
  schemes = gtk_source_style_scheme_manager_get_default ();
  gtk_source_style_scheme_manager_set_search_path (schemes, (const char *const[]) { styles_dir, NULL });
  g_assert_nonnull (gtk_source_style_scheme_manager_get_scheme (schemes, "Adwaita"));
  g_assert_nonnull (gtk_source_style_scheme_manager_get_scheme (schemes, "Adwaita-dark"));
  label = g_object_ref_sink (gtk_label_new ("fonts"));
  gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);
  g_object_unref (label);
}

gboolean
ar_test_ui_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
done_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
ar_test_ui_iterate (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

GtkWindow *
ar_test_ui_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        found = window;
    }
  return found;
}

AdwMessageDialog *
ar_test_ui_await_message_dialog (void)
{
  ar_test_ui_await (ar_test_ui_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL &&
                    gtk_widget_get_mapped (GTK_WIDGET (ar_test_ui_find_window (ADW_TYPE_MESSAGE_DIALOG))));
  return ADW_MESSAGE_DIALOG (ar_test_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
}

void
ar_test_ui_respond (AdwMessageDialog *dialog, const char *response)
{
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  adw_message_dialog_response (dialog, response);
  /* Destroy rather than close: closing would answer the close response. */
  gtk_window_destroy (GTK_WINDOW (dialog));
}

gboolean
ar_test_ui_no_message_dialog (void)
{
  return ar_test_ui_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

void
ar_test_ui_window_fixture_set_up (ArTestUiWindowFixture *f, gconstpointer data)
{
  g_autofree char *state = ar_test_mkdtemp ("state");
  g_autofree char *path = NULL;

  g_setenv ("XDG_STATE_HOME", state, TRUE);
  f->dir = ar_test_mkdtemp ("envs");
  path = g_build_filename (f->dir, "environments.json", NULL);
  f->store = ar_env_store_new (path);
}

void
ar_test_ui_window_fixture_tear_down (ArTestUiWindowFixture *f, gconstpointer data)
{
  ar_test_ui_close_all_windows ();
  g_clear_object (&f->backend);
  g_clear_object (&f->store);
  g_free (f->dir);
}

void
ar_test_ui_close_all_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, 0);

      gtk_window_destroy (window);
    }
  ar_test_ui_iterate (10);
}

static GtkWidget *
find_descendant (GtkWidget *widget, GType type, guint *nth)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        {
          if (*nth == 0)
            return child;
          (*nth)--;
        }
      if ((found = find_descendant (child, type, nth)) != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
ar_test_ui_find_descendant (GtkWidget *root, GType type, guint nth)
{
  return find_descendant (root, type, &nth);
}

/* One frame of @widget's window, awaited: its after-paint comes after its
 * layout, so every widget has its allocation then (a snapshot taken between
 * frames can meet a child queued for allocation since: "Trying to snapshot
 * GtkGizmo … without a current allocation", seen under load with a
 * terminal's output arriving). With @paintable, snapshots it there. */
typedef struct {
  GtkWidget *widget;
  GdkPaintable *paintable;
  GskRenderNode *node;
  int width, height;
  gboolean painted;
} Frame;

static void
on_after_paint (GdkFrameClock *clock, gpointer user_data)
{
  Frame *frame = user_data;

  if (frame->painted)
    return;
  frame->painted = TRUE;
  if (frame->paintable != NULL)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      frame->width = gtk_widget_get_width (frame->widget);
      frame->height = gtk_widget_get_height (frame->widget);
      gdk_paintable_snapshot (frame->paintable, GDK_SNAPSHOT (snapshot), frame->width, frame->height);
      frame->node = gtk_snapshot_free_to_node (snapshot);
    }
}

static void
await_frame (GtkWidget *widget, Frame *frame)
{
  GdkFrameClock *clock;
  gulong handler;

  ar_test_ui_await (gtk_widget_get_mapped (widget) && gtk_widget_get_frame_clock (widget) != NULL);
  clock = gtk_widget_get_frame_clock (widget);
  frame->painted = FALSE;
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), frame);
  gtk_widget_queue_draw (widget);
  ar_test_ui_await (frame->painted);
  g_signal_handler_disconnect (clock, handler);
}

void
ar_test_ui_await_layout (GtkWidget *widget)
{
  Frame frame = { 0 };

  await_frame (widget, &frame);
}

GskRenderNode *
ar_test_ui_snapshot (GtkWidget *widget, int *width, int *height)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GskRenderNode *node = NULL;

  ar_test_ui_await (gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0);
  /* Let layout, style and idle work (list rows, size requests) settle. */
  ar_test_ui_iterate (150);

  paintable = gtk_widget_paintable_new (widget);
  /* The paintable draws nothing while a relayout is pending (after a
   * scroll, say): give the frame clock a few more turns. */
  for (guint attempt = 0; node == NULL && attempt < 40; attempt++)
    {
      Frame frame = { .widget = widget, .paintable = paintable };

      if (attempt > 0)
        ar_test_ui_iterate (50);
      await_frame (widget, &frame);
      node = frame.node;
      *width = frame.width;
      *height = frame.height;
    }
  g_assert_nonnull (node);
  return node;
}

void
ar_test_ui_save_png (GtkWidget *widget, GskRenderNode *node, int width, int height, const char *name)
{
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr(GdkTexture) texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_autofree char *dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                           "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot %s", path);
}

void
ar_test_ui_screenshot (GtkWidget *widget, const char *name)
{
  int width = 0, height = 0;
  g_autoptr(GskRenderNode) node = ar_test_ui_snapshot (widget, &width, &height);

  ar_test_ui_save_png (widget, node, width, height, name);
}

char *
ar_test_ui_text_view_get_text (GtkWidget *text_view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

void
ar_test_ui_text_view_set_text (GtkWidget *text_view, const char *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  GtkTextIter start, end;

  /* As a user edit, like typing (set_text() is not one). */
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, text, -1);
  gtk_text_buffer_end_user_action (buffer);
}

static gboolean
trigger_is_key (GtkShortcutTrigger *trigger, guint keyval, GdkModifierType mods)
{
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    return trigger_is_key (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), keyval, mods) ||
           trigger_is_key (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)), keyval, mods);
  return GTK_IS_KEYVAL_TRIGGER (trigger) && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval &&
         gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == mods;
}

gboolean
ar_test_ui_press_shortcut (GtkWindow *window, guint keyval, GdkModifierType mods)
{
  GtkWidget *focus = gtk_window_get_focus (window);

  /* From the focus up to the window, as shortcuts are looked up. */
  for (GtkWidget *up = focus != NULL ? focus : GTK_WIDGET (window); up != NULL; up = gtk_widget_get_parent (up))
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

              if (trigger_is_key (gtk_shortcut_get_trigger (shortcut), keyval, mods) &&
                  gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE, up,
                                                gtk_shortcut_get_arguments (shortcut)))
                return TRUE;
            }
        }
      if (up == GTK_WIDGET (window))
        break;
    }
  return FALSE;
}
