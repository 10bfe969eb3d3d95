/* ar-terminal-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "ar-terminal-view.h"
#include "ar-ui.h"

/* PCRE2 compile flags (pcre2.h is not a dependency of ours): VTE wants
 * MULTILINE for search patterns. */
#define AR_PCRE2_CASELESS 0x00000008u
#define AR_PCRE2_MULTILINE 0x00000400u

#define ZOOM_STEP 0.1
#define ZOOM_MIN 0.5
#define ZOOM_MAX 3.0

struct _ArTerminalView {
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkScrolledWindow *scrolled;
  VteTerminal *terminal;

  ArInteractive *interactive;
  gulong output_id;
  glong rows, columns; /* the size last passed on */
  guint size_idle_id;
  gulong dark_id;
};

G_DEFINE_FINAL_TYPE (ArTerminalView, ar_terminal_view, GTK_TYPE_WIDGET)

/* ---- the palette ------------------------------------------------------------ */

/* The GNOME palette (GNOME Terminal, Console): the same 16 colours in both
 * styles; foreground and background follow the style. */
static const char *const palette_spec[16] = {
  "#171421",
  "#c01c28",
  "#26a269",
  "#a2734c",
  "#12488b",
  "#a347ba",
  "#2aa1b3",
  "#d0cfcc",
  "#5e5c64",
  "#f66151",
  "#33d17a",
  "#e9ad0c",
  "#2a7bde",
  "#c061cb",
  "#33c7de",
  "#ffffff",
};

static void
apply_palette (ArTerminalView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA palette[16];
  GdkRGBA fg, bg;

  for (guint i = 0; i < G_N_ELEMENTS (palette); i++)
    gdk_rgba_parse (&palette[i], palette_spec[i]);
  gdk_rgba_parse (&fg, dark ? "#ffffff" : "#1e1e1e");
  gdk_rgba_parse (&bg, dark ? "#1e1e1e" : "#ffffff");
  vte_terminal_set_colors (self->terminal, &fg, &bg, palette, G_N_ELEMENTS (palette));
}

static void
on_dark_changed (AdwStyleManager *manager, GParamSpec *pspec, gpointer user_data)
{
  apply_palette (user_data);
}

/* ---- the connection --------------------------------------------------------- */

static void
on_output (ArInteractive *interactive, GBytes *bytes, gpointer user_data)
{
  ArTerminalView *self = user_data;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert (AR_IS_TERMINAL_VIEW (self));

  vte_terminal_feed (self->terminal, data, (gssize) len);
}

static void
on_commit (VteTerminal *terminal, const char *text, guint size, gpointer user_data)
{
  ArTerminalView *self = user_data;

  g_assert (AR_IS_TERMINAL_VIEW (self));

  if (self->interactive != NULL)
    ar_interactive_write (self->interactive, text, size);
}

static void
pass_size (ArTerminalView *self)
{
  glong rows = vte_terminal_get_row_count (self->terminal);
  glong columns = vte_terminal_get_column_count (self->terminal);

  if (self->interactive == NULL || rows <= 0 || columns <= 0 ||
      (rows == self->rows && columns == self->columns))
    return;
  self->rows = rows;
  self->columns = columns;
  ar_interactive_set_size (self->interactive, (guint) rows, (guint) columns);
}

static gboolean
pass_size_idle (gpointer user_data)
{
  ArTerminalView *self = user_data;

  g_assert (AR_IS_TERMINAL_VIEW (self));

  self->size_idle_id = 0;
  pass_size (self);
  return G_SOURCE_REMOVE;
}

void
ar_terminal_view_set_interactive (ArTerminalView *self,
                                  ArInteractive *interactive)
{
  g_return_if_fail (AR_IS_TERMINAL_VIEW (self));
  g_return_if_fail (interactive == NULL || AR_IS_INTERACTIVE (interactive));

  if (self->interactive == interactive)
    return;
  if (self->interactive != NULL)
    {
      g_clear_signal_handler (&self->output_id, self->interactive);
      g_clear_object (&self->interactive);
    }
  self->rows = self->columns = 0;
  if (interactive == NULL)
    return;
  self->interactive = g_object_ref (interactive);
  self->output_id = g_signal_connect (interactive, "output", G_CALLBACK (on_output), self);
  pass_size (self);
}

ArInteractive *
ar_terminal_view_get_interactive (ArTerminalView *self)
{
  g_return_val_if_fail (AR_IS_TERMINAL_VIEW (self), NULL);
  return self->interactive;
}

int
ar_terminal_view_open_pty (GError **error)
{
  g_autoptr(VtePty) pty = vte_pty_new_sync (VTE_PTY_DEFAULT, NULL, error);
  int fd;

  if (pty == NULL)
    return -1;
  /* Ours from here: the VtePty closes its own when it goes. */
  fd = dup (vte_pty_get_fd (pty));
  if (fd < 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                 _ ("Could not open a terminal for the task: %s."), g_strerror (errno));
  return fd;
}

/* ---- size ------------------------------------------------------------------------ */

static void
ar_terminal_view_measure (GtkWidget *widget,
                          GtkOrientation orientation,
                          int for_size,
                          int *minimum,
                          int *natural,
                          int *minimum_baseline,
                          int *natural_baseline)
{
  ArTerminalView *self = AR_TERMINAL_VIEW (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

/* The terminal's grid follows its allocation: once it is allocated, the
 * container's terminal gets its rows and columns. */
static void
ar_terminal_view_size_allocate (GtkWidget *widget,
                                int width,
                                int height,
                                int baseline)
{
  ArTerminalView *self = AR_TERMINAL_VIEW (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);
  pass_size (self);
  /* Should the grid change only when VTE next lays out. */
  if (self->size_idle_id == 0)
    self->size_idle_id = g_idle_add (pass_size_idle, self);
}

/* ---- copy, paste, zoom, search -------------------------------------------------- */

void
ar_terminal_view_zoom (ArTerminalView *self, int steps)
{
  double scale;

  g_return_if_fail (AR_IS_TERMINAL_VIEW (self));

  scale = steps == 0 ? 1.0 : vte_terminal_get_font_scale (self->terminal) + steps * ZOOM_STEP;
  vte_terminal_set_font_scale (self->terminal, CLAMP (scale, ZOOM_MIN, ZOOM_MAX));
}

void
ar_terminal_view_set_search_text (ArTerminalView *self, const char *text)
{
  g_autoptr(VteRegex) regex = NULL;
  g_autofree char *escaped = NULL;

  g_return_if_fail (AR_IS_TERMINAL_VIEW (self));

  if (text == NULL || *text == '\0')
    {
      vte_terminal_search_set_regex (self->terminal, NULL, 0);
      return;
    }
  escaped = g_regex_escape_string (text, -1);
  regex = vte_regex_new_for_search (escaped, -1, AR_PCRE2_CASELESS | AR_PCRE2_MULTILINE, NULL);
  vte_terminal_search_set_regex (self->terminal, regex, 0);
  vte_terminal_search_set_wrap_around (self->terminal, TRUE);
}

gboolean
ar_terminal_view_search_next (ArTerminalView *self)
{
  g_return_val_if_fail (AR_IS_TERMINAL_VIEW (self), FALSE);
  return vte_terminal_search_find_next (self->terminal);
}

gboolean
ar_terminal_view_search_previous (ArTerminalView *self)
{
  g_return_val_if_fail (AR_IS_TERMINAL_VIEW (self), FALSE);
  return vte_terminal_search_find_previous (self->terminal);
}

static void
on_search_changed (GtkSearchEntry *entry, gpointer user_data)
{
  ArTerminalView *self = user_data;

  g_assert (AR_IS_TERMINAL_VIEW (self));

  ar_terminal_view_set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
  ar_terminal_view_search_previous (self);
}

static void
on_search_next (ArTerminalView *self)
{
  ar_terminal_view_search_next (self);
}

static void
on_search_previous (ArTerminalView *self)
{
  ar_terminal_view_search_previous (self);
}

static void
action_copy (GtkWidget *widget, const char *name, GVariant *param)
{
  vte_terminal_copy_clipboard_format (AR_TERMINAL_VIEW (widget)->terminal, VTE_FORMAT_TEXT);
}

static void
action_paste (GtkWidget *widget, const char *name, GVariant *param)
{
  vte_terminal_paste_clipboard (AR_TERMINAL_VIEW (widget)->terminal);
}

static void
action_zoom (GtkWidget *widget, const char *name, GVariant *param)
{
  ar_terminal_view_zoom (AR_TERMINAL_VIEW (widget), g_variant_get_int32 (param));
}

static void
action_search (GtkWidget *widget, const char *name, GVariant *param)
{
  ArTerminalView *self = AR_TERMINAL_VIEW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
action_search_next (GtkWidget *widget, const char *name, GVariant *param)
{
  ar_terminal_view_search_next (AR_TERMINAL_VIEW (widget));
}

static void
action_search_previous (GtkWidget *widget, const char *name, GVariant *param)
{
  ar_terminal_view_search_previous (AR_TERMINAL_VIEW (widget));
}

static void
on_search_mode (GtkSearchBar *bar, GParamSpec *pspec, gpointer user_data)
{
  ArTerminalView *self = user_data;

  g_assert (AR_IS_TERMINAL_VIEW (self));

  /* Closing the search gives the keys back to the terminal. */
  if (!gtk_search_bar_get_search_mode (bar))
    gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* Before the terminal sees them: a terminal passes every key to the
 * program in it, and these are the terminal's own. */
static void
add_shortcuts (ArTerminalView *self)
{
  static const struct {
    const char *trigger;
    const char *action;
    int zoom;
  } shortcuts[] = {
    { "<Control><Shift>c", "terminal.copy", 0 },
    { "<Control><Shift>v", "terminal.paste", 0 },
    { "<Control><Shift>f", "terminal.search", 0 },
    { "<Control>plus", "terminal.zoom", 1 },
    { "<Control>equal", "terminal.zoom", 1 },
    { "<Control>KP_Add", "terminal.zoom", 1 },
    { "<Control>minus", "terminal.zoom", -1 },
    { "<Control>KP_Subtract", "terminal.zoom", -1 },
    { "<Control>0", "terminal.zoom", 0 },
    { "<Control>KP_0", "terminal.zoom", 0 },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (shortcuts[i].trigger),
                                                gtk_named_action_new (shortcuts[i].action));

      if (g_str_equal (shortcuts[i].action, "terminal.zoom"))
        gtk_shortcut_set_arguments (shortcut, g_variant_new_int32 (shortcuts[i].zoom));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* ---- the rest ------------------------------------------------------------------ */

VteTerminal *
ar_terminal_view_get_terminal (ArTerminalView *self)
{
  g_return_val_if_fail (AR_IS_TERMINAL_VIEW (self), NULL);
  return self->terminal;
}

char *
ar_terminal_view_dup_text (ArTerminalView *self)
{
  g_return_val_if_fail (AR_IS_TERMINAL_VIEW (self), NULL);
  return vte_terminal_get_text (self->terminal, NULL, NULL, NULL);
}

GtkWidget *
ar_terminal_view_new (void)
{
  return g_object_new (AR_TYPE_TERMINAL_VIEW, NULL);
}

static void
ar_terminal_view_dispose (GObject *object)
{
  ArTerminalView *self = AR_TERMINAL_VIEW (object);

  g_clear_handle_id (&self->size_idle_id, g_source_remove);
  g_clear_signal_handler (&self->dark_id, adw_style_manager_get_default ());
  ar_terminal_view_set_interactive (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_TERMINAL_VIEW);
  G_OBJECT_CLASS (ar_terminal_view_parent_class)->dispose (object);
}

static void
ar_terminal_view_class_init (ArTerminalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_terminal_view_dispose;
  widget_class->measure = ar_terminal_view_measure;
  widget_class->size_allocate = ar_terminal_view_size_allocate;

  g_type_ensure (VTE_TYPE_TERMINAL);
  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-terminal-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ArTerminalView, box);
  gtk_widget_class_bind_template_child (widget_class, ArTerminalView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ArTerminalView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ArTerminalView, scrolled);
  gtk_widget_class_bind_template_child (widget_class, ArTerminalView, terminal);
  gtk_widget_class_bind_template_callback (widget_class, on_commit);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_next);
  gtk_widget_class_bind_template_callback (widget_class, on_search_previous);

  gtk_widget_class_install_action (widget_class, "terminal.copy", NULL, action_copy);
  gtk_widget_class_install_action (widget_class, "terminal.paste", NULL, action_paste);
  gtk_widget_class_install_action (widget_class, "terminal.zoom", "i", action_zoom);
  gtk_widget_class_install_action (widget_class, "terminal.search", NULL, action_search);
  gtk_widget_class_install_action (widget_class, "terminal.search-next", NULL, action_search_next);
  gtk_widget_class_install_action (widget_class, "terminal.search-previous", NULL, action_search_previous);

  gtk_widget_class_set_css_name (widget_class, "terminal-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ar_terminal_view_init (ArTerminalView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect (self->search_bar, "notify::search-mode-enabled", G_CALLBACK (on_search_mode), self);
  add_shortcuts (self);
  apply_palette (self);
  self->dark_id = g_signal_connect (adw_style_manager_get_default (), "notify::dark",
                                    G_CALLBACK (on_dark_changed), self);
}
