/* ar-log-view.c — the object, its buffer, showing a log and following its
 * end (see ar-log-view-private.h for the other files)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ar-log-view-private.h"
#include "ar-task-log-tail.h"
#include "ar-ui.h"

G_DEFINE_FINAL_TYPE (ArLogView, ar_log_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_FOLLOW,
  PROP_LOADING,
  PROP_N_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- the buffer ---------------------------------------------------------- */

void
ar_log_view_update_labels (ArLogView *self)
{
  g_autofree char *truncated = NULL;

  if (self->truncated)
    {
      g_autofree char *count = g_strdup_printf ("%'u", self->max_lines);

      /* Translators: %s is a number of lines, like 10,000 */
      truncated = g_strdup_printf (_ ("Showing the newest %s lines"), count);
    }
  gtk_label_set_label (self->truncated_label, truncated != NULL ? truncated : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->truncated_label),
                               self->truncated ? _ ("The full log is on disk: Open Full Log shows all of it") : NULL);

  if (self->search == NULL)
    gtk_label_set_label (self->match_label, "");
  else if (self->n_matches == 0)
    gtk_label_set_label (self->match_label, _ ("No matches"));
  else if (self->n_matches > MAX_HIGHLIGHTS)
    {
      g_autofree char *text = g_strdup_printf (_ ("More than %'d matches"), MAX_HIGHLIGHTS);

      gtk_label_set_label (self->match_label, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches",
                                                            self->n_matches),
                                               self->n_matches);

      gtk_label_set_label (self->match_label, text);
    }
}

/* Following the end goes through the adjustment, once per frame: the
 * upper bound is only known after the frame's layout has measured the new
 * lines. (gtk_text_view_scroll_to_mark() defers its scroll until the whole
 * layout is valid, and a deferred scroll still fires after follow was
 * turned off; setting the adjustment at every change of its bounds lays
 * the text out again at every step: ten times the cost in bench-window.) */
static void
jump_to_end (ArLogView *self)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->text_view));
  double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (gtk_adjustment_get_value (adjustment) != end)
    gtk_adjustment_set_value (adjustment, end);
}

static gboolean
follow_tick (GtkWidget *widget,
             GdkFrameClock *clock,
             gpointer user_data)
{
  ArLogView *self = user_data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->text_view));
  double upper = gtk_adjustment_get_upper (adjustment);

  g_assert (AR_IS_LOG_VIEW (self));

  if (!self->follow)
    {
      self->follow_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  jump_to_end (self);
  /* Frames cost nothing while nothing comes: stop once the end is still. */
  if (upper != self->last_upper)
    self->quiet_frames = 0;
  else if (++self->quiet_frames > 3)
    {
      self->follow_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  self->last_upper = upper;
  return G_SOURCE_CONTINUE;
}

static void
scroll_to_end (ArLogView *self)
{
  jump_to_end (self);
  self->quiet_frames = 0;
  if (self->follow_tick_id == 0)
    self->follow_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->text_view), follow_tick, self, NULL);
}

/* The text's height changes without a line coming when the lines wrap
 * again at a new width, or the layout of lines further up is measured
 * later: the end is followed again then, as for a line. */
static void
on_bounds_changed (ArLogView *self)
{
  if (self->follow && self->follow_tick_id == 0)
    scroll_to_end (self);
}

/* Removes the oldest lines over the cap, in one deletion. */
static void
trim (ArLogView *self)
{
  GtkTextIter start, cut;
  guint excess;

  if (self->n_lines <= self->max_lines)
    return;
  excess = self->n_lines - self->max_lines;
  gtk_text_buffer_get_start_iter (self->buffer, &start);
  gtk_text_buffer_get_iter_at_line (self->buffer, &cut, (int) excess);
  if (self->n_matches <= MAX_HIGHLIGHTS)
    self->n_matches -= MIN (self->n_matches, ar_log_view_count_matches_before (self, &cut));
  gtk_text_buffer_delete (self->buffer, &start, &cut);
  self->n_lines = self->max_lines;
  self->n_dropped += excess;
  self->truncated = TRUE;
}

/* Takes the last line away: a progress update that a new line replaces. */
static void
remove_last_line (ArLogView *self)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_end_iter (self->buffer, &end);
  gtk_text_buffer_get_iter_at_line (self->buffer, &start, (int) self->n_lines - 1);
  /* with the line end before it */
  if (self->n_lines > 1)
    gtk_text_iter_backward_char (&start);
  if (self->n_matches <= MAX_HIGHLIGHTS)
    self->n_matches -= MIN (self->n_matches, ar_log_view_count_matches_between (self, &start, &end));
  gtk_text_buffer_delete (self->buffer, &start, &end);
  self->n_lines--;
}

typedef struct {
  int start;
  int end;
  ArLogLevel level;
} Run;

/* Appends lines[first…] in one insertion; level colours go on after, one
 * tag per run of equal levels (the common flood of output has none). A
 * progress update followed by a line of output is not shown: that line
 * takes its place, as on a terminal, so a progress bar is one line. */
static void
append_lines (ArLogView *self, GPtrArray *all, guint first)
{
  g_autoptr(GString) text = NULL;
  g_autoptr(GArray) runs = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_sized_new (all->len - MIN (first, all->len));
  GtkTextIter end;
  guint n;
  int base, chars = 0;

  for (guint i = first; i < all->len; i++)
    if (i + 1 == all->len || !ar_log_view_replaces (g_ptr_array_index (all, i), g_ptr_array_index (all, i + 1)))
      g_ptr_array_add (lines, g_ptr_array_index (all, i));
  first = 0;
  n = lines->len;
  if (n == 0)
    return;
  if (self->n_lines > 0 && self->last_is_progress && ar_log_view_packed_level (g_ptr_array_index (lines, 0)) == AR_LOG_OUTPUT)
    remove_last_line (self);
  self->last_is_progress = ar_log_view_packed_progress (g_ptr_array_index (lines, n - 1));
  if (n >= self->max_lines)
    {
      /* The batch alone fills the view: what is shown now would go. */
      first += n - self->max_lines;
      n = self->max_lines;
      if (self->n_lines > 0 || first > 0)
        self->truncated = TRUE;
      self->n_dropped += self->n_lines + first;
      gtk_text_buffer_set_text (self->buffer, "", 0);
      self->n_lines = 0;
      if (self->search != NULL)
        self->n_matches = 0;
    }

  text = g_string_sized_new (n * 64);
  runs = g_array_new (FALSE, FALSE, sizeof (Run));
  if (self->n_lines > 0)
    {
      g_string_append_c (text, '\n');
      chars++;
    }
  for (guint i = first; i < lines->len; i++)
    {
      const char *packed = g_ptr_array_index (lines, i);
      const char *body = packed + 1;
      gsize len = strlen (body);
      int len_chars = (int) g_utf8_strlen (body, (gssize) len);
      ArLogLevel level = ar_log_view_packed_level (packed);

      if (level != AR_LOG_OUTPUT && level != AR_LOG_INFO)
        {
          Run *last = runs->len > 0 ? &g_array_index (runs, Run, runs->len - 1) : NULL;

          if (last != NULL && last->level == level && last->end + 1 == chars)
            last->end = chars + len_chars;
          else
            g_array_append_val (runs, ((Run){ chars, chars + len_chars, level }));
        }
      g_string_append_len (text, body, (gssize) len);
      chars += len_chars;
      if (i + 1 < lines->len)
        {
          g_string_append_c (text, '\n');
          chars++;
        }
    }

  gtk_text_buffer_get_end_iter (self->buffer, &end);
  base = gtk_text_iter_get_offset (&end);
  gtk_text_buffer_insert (self->buffer, &end, text->str, (int) text->len);
  for (guint i = 0; i < runs->len; i++)
    {
      Run *run = &g_array_index (runs, Run, i);
      GtkTextIter start, stop;

      gtk_text_buffer_get_iter_at_offset (self->buffer, &start, base + run->start);
      gtk_text_buffer_get_iter_at_offset (self->buffer, &stop, base + run->end);
      gtk_text_buffer_apply_tag (self->buffer, self->level_tags[run->level], &start, &stop);
    }
  ar_log_view_highlight_in_text (self, text->str, text->len, base);
  self->n_lines += n;
  trim (self);

  ar_log_view_update_labels (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
  if (self->follow)
    scroll_to_end (self);
}

void
ar_log_view_flush (ArLogView *self)
{
  g_autoptr(GPtrArray) batch = NULL;
  ArLogViewFeed *feed = self->feed;
  guint64 dropped;

  /* The file's lines go first; these wait for them. */
  if (self->loading)
    return;

  g_mutex_lock (&feed->lock);
  batch = g_steal_pointer (&feed->lines);
  feed->lines = g_ptr_array_new_with_free_func (g_free);
  dropped = feed->dropped;
  feed->dropped = 0;
  g_mutex_unlock (&feed->lock);

  if (dropped > 0)
    {
      /* Everything shown now is older than what was dropped. */
      self->n_dropped += dropped + self->n_lines;
      self->truncated = TRUE;
      gtk_text_buffer_set_text (self->buffer, "", 0);
      self->n_lines = 0;
      if (self->search != NULL)
        self->n_matches = 0;
    }
  append_lines (self, batch, 0);
}

/* ---- the file ------------------------------------------------------------ */

static void
set_loading (ArLogView *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
tail_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArLogView) self = user_data;
  g_autoptr(ArTaskLogTail) tail = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;

  g_assert (AR_IS_LOG_VIEW (self));

  tail = ar_task_log_tail_read_finish (result, &error);
  /* Cancelled: the view has moved on (or is gone). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  if (tail == NULL)
    {
      lines = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (lines, ar_log_view_pack_line (error->message, -1, AR_LOG_ERROR, FALSE));
      append_lines (self, lines, 0);
    }
  else
    {
      lines = g_ptr_array_new_full (tail->lines->len, g_free);
      for (guint i = 0; i < tail->lines->len; i++)
        {
          ArTaskLogTailLine *line = &g_array_index (tail->lines, ArTaskLogTailLine, i);

          g_ptr_array_add (lines, ar_log_view_pack_line (line->text, (gssize) line->length, line->level, line->progress));
        }
      if (tail->truncated)
        self->truncated = TRUE;
      append_lines (self, lines, 0);
      ar_log_view_update_labels (self);
    }
  set_loading (self, FALSE);
  ar_log_view_flush (self);
}

/* ---- showing a log -------------------------------------------------------- */

static void
detach (ArLogView *self)
{
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->log != NULL)
    {
      g_clear_signal_handler (&self->line_handler, self->log);
      g_clear_object (&self->log);
    }
  if (self->feed != NULL)
    {
      self->feed->view = NULL;
      g_clear_pointer (&self->feed, ar_log_view_feed_unref);
    }
  set_loading (self, FALSE);
}

static void
reset (ArLogView *self)
{
  detach (self);
  self->feed = ar_log_view_feed_new (self, self->max_lines);
  gtk_text_buffer_set_text (self->buffer, "", 0);
  self->n_lines = 0;
  self->n_dropped = 0;
  self->truncated = FALSE;
  self->n_matches = 0;
  g_clear_pointer (&self->path, g_free);
  ar_log_view_update_labels (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
}

void
ar_log_view_clear (ArLogView *self)
{
  g_return_if_fail (AR_IS_LOG_VIEW (self));

  reset (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.open-full", FALSE);
}

void
ar_log_view_show_log (ArLogView *self,
                      ArTaskLog *log,
                      const char *path)
{
  g_return_if_fail (AR_IS_LOG_VIEW (self));
  g_return_if_fail (log == NULL || AR_IS_TASK_LOG (log));

  reset (self);
  self->path = g_strdup (path);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.open-full", path != NULL);

  /* Connect first, then take the file's size: a line is on disk before it
   * is emitted, so every line is either in the file up to that size or in
   * the queue (lines are emitted in the main thread today; from another
   * thread the overlap is at most the line being written). */
  if (log != NULL)
    {
      self->log = g_object_ref (log);
      self->line_handler = ar_log_view_feed_connect (self->feed, log);
    }
  if (path != NULL)
    {
      GStatBuf st;

      self->load_cancellable = g_cancellable_new ();
      set_loading (self, TRUE);
      ar_task_log_tail_read_async (path, g_stat (path, &st) == 0 ? (gint64) st.st_size : 0,
                                   self->max_lines, AR_TASK_LOG_TAIL_MAX_BYTES,
                                   self->load_cancellable, tail_read, g_object_ref (self));
    }
}

gboolean
ar_log_view_get_loading (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), FALSE);
  return self->loading;
}

guint
ar_log_view_get_n_lines (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), 0);
  return self->n_lines;
}

gboolean
ar_log_view_get_truncated (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), FALSE);
  return self->truncated;
}

guint
ar_log_view_get_max_lines (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), 0);
  return self->max_lines;
}

void
ar_log_view_set_max_lines (ArLogView *self, guint max_lines)
{
  g_return_if_fail (AR_IS_LOG_VIEW (self));
  g_return_if_fail (max_lines > 0);

  self->max_lines = max_lines;
  g_mutex_lock (&self->feed->lock);
  self->feed->cap = max_lines;
  g_mutex_unlock (&self->feed->lock);
  trim (self);
  ar_log_view_update_labels (self);
}

GtkTextView *
ar_log_view_get_text_view (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), NULL);
  return self->text_view;
}

char *
ar_log_view_dup_text (ArLogView *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (AR_IS_LOG_VIEW (self), NULL);

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  return gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE);
}

/* ---- follow -------------------------------------------------------------- */

gboolean
ar_log_view_get_follow (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), FALSE);
  return self->follow;
}

void
ar_log_view_set_follow (ArLogView *self, gboolean follow)
{
  g_return_if_fail (AR_IS_LOG_VIEW (self));

  follow = !!follow;
  if (self->follow == follow)
    return;
  self->follow = follow;
  if (follow)
    scroll_to_end (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW]);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double dx,
           double dy,
           ArLogView *self)
{
  /* Scrolling up means reading: stop pulling the view to the end. */
  if (dy < 0)
    ar_log_view_set_follow (self, FALSE);
  return FALSE;
}

/* Paging up with the keyboard or taking the scroll bar is reading too (the
 * end would otherwise pull the view back at the next line, or when the text
 * wraps again). The key still moves the view. */
static gboolean
on_reading_key (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  ar_log_view_set_follow (AR_LOG_VIEW (user_data), FALSE);
  return FALSE;
}

static void
on_scrollbar_pressed (ArLogView *self)
{
  ar_log_view_set_follow (self, FALSE);
}

static void
watch_reading (ArLogView *self)
{
  static const struct {
    guint keyval;
    GdkModifierType mods;
  } keys[] = {
    { GDK_KEY_Page_Up, 0 },
    { GDK_KEY_KP_Page_Up, 0 },
    { GDK_KEY_Up, 0 },
    { GDK_KEY_KP_Up, 0 },
    { GDK_KEY_Home, GDK_CONTROL_MASK },
    { GDK_KEY_KP_Home, GDK_CONTROL_MASK },
  };
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  GtkGesture *press = gtk_gesture_click_new ();

  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].keyval, keys[i].mods),
                                                            gtk_callback_action_new (on_reading_key, self, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), shortcuts);

  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (press), GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (press, "pressed", G_CALLBACK (on_scrollbar_pressed), self);
  gtk_widget_add_controller (gtk_scrolled_window_get_vscrollbar (self->scrolled), GTK_EVENT_CONTROLLER (press));
}

/* ---- actions ------------------------------------------------------------- */

static void
copy_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  ArLogView *self = AR_LOG_VIEW (widget);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  const char *message;

  if (!gtk_text_buffer_get_selection_bounds (self->buffer, &start, &end))
    gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  text = gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);

  if (self->truncated && !gtk_text_buffer_get_has_selection (self->buffer))
    message = _ ("Copied the lines shown; Open Full Log has all of them");
  else
    message = _ ("Log copied");
  ar_ui_add_toast (widget, adw_toast_new (message));
}

static void
open_full_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  ArLogView *self = AR_LOG_VIEW (widget);
  g_autofree char *uri = NULL;

  if (self->path == NULL)
    return;
  uri = g_filename_to_uri (self->path, NULL, NULL);
  if (uri != NULL)
    gtk_show_uri (ar_ui_get_window (widget), uri, GDK_CURRENT_TIME);
}

/* ---- colours ------------------------------------------------------------- */

static void
update_colors (ArLogView *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  /* The libadwaita palette: dim grey, orange 5 / 2, red 4 / error on dark. */
  GdkRGBA debug, warn, error, match, current;

  gdk_rgba_parse (&debug, dark ? "#9a9996" : "#77767b");
  gdk_rgba_parse (&warn, dark ? "#ffa348" : "#c64600");
  gdk_rgba_parse (&error, dark ? "#ff7b63" : "#c01c28");
  gdk_rgba_parse (&match, dark ? "rgba(245,194,17,0.35)" : "rgba(246,211,45,0.55)");
  gdk_rgba_parse (&current, dark ? "rgba(255,120,0,0.7)" : "rgba(255,163,72,0.9)");
  g_object_set (self->level_tags[AR_LOG_DEBUG], "foreground-rgba", &debug, NULL);
  g_object_set (self->level_tags[AR_LOG_WARN], "foreground-rgba", &warn, NULL);
  g_object_set (self->level_tags[AR_LOG_ERROR], "foreground-rgba", &error, "weight", PANGO_WEIGHT_BOLD, NULL);
  g_object_set (self->match_tag, "background-rgba", &match, NULL);
  g_object_set (self->current_tag, "background-rgba", &current, NULL);
}

/* ---- object -------------------------------------------------------------- */

static void
ar_log_view_dispose (GObject *object)
{
  ArLogView *self = AR_LOG_VIEW (object);

  detach (self);
  if (self->follow_tick_id != 0 && self->text_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->text_view), self->follow_tick_id);
  self->follow_tick_id = 0;
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_LOG_VIEW);

  G_OBJECT_CLASS (ar_log_view_parent_class)->dispose (object);
}

static void
ar_log_view_finalize (GObject *object)
{
  ArLogView *self = AR_LOG_VIEW (object);

  g_free (self->path);
  g_free (self->search);

  G_OBJECT_CLASS (ar_log_view_parent_class)->finalize (object);
}

static void
ar_log_view_get_property (GObject *object,
                          guint prop_id,
                          GValue *value,
                          GParamSpec *pspec)
{
  ArLogView *self = AR_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLLOW: g_value_set_boolean (value, self->follow); break;
    case PROP_LOADING: g_value_set_boolean (value, self->loading); break;
    case PROP_N_LINES: g_value_set_uint (value, self->n_lines); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_log_view_set_property (GObject *object,
                          guint prop_id,
                          const GValue *value,
                          GParamSpec *pspec)
{
  ArLogView *self = AR_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLLOW: ar_log_view_set_follow (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_log_view_class_init (ArLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_log_view_dispose;
  object_class->finalize = ar_log_view_finalize;
  object_class->get_property = ar_log_view_get_property;
  object_class->set_property = ar_log_view_set_property;

  properties[PROP_FOLLOW] =
    g_param_spec_boolean ("follow", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LINES] =
    g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ArLogView, text_view);
  gtk_widget_class_bind_template_child (widget_class, ArLogView, scrolled);
  gtk_widget_class_bind_template_child (widget_class, ArLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ArLogView, match_label);
  gtk_widget_class_bind_template_child (widget_class, ArLogView, truncated_label);
  gtk_widget_class_bind_template_child_full (widget_class, "follow_button", FALSE, 0);

  gtk_widget_class_install_property_action (widget_class, "log.follow", "follow");
  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "log.open-full", NULL, open_full_action);
  ar_log_view_class_init_search (widget_class);
}

static void
ar_log_view_init (ArLogView *self)
{
  GtkEventController *scroll;
  GtkTextIter end;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->max_lines = AR_LOG_VIEW_DEFAULT_MAX_LINES;
  self->follow = TRUE;
  self->feed = ar_log_view_feed_new (self, self->max_lines);
  self->buffer = gtk_text_view_get_buffer (self->text_view);
  /* An undo stack would keep every line ever shown. */
  gtk_text_buffer_set_enable_undo (self->buffer, FALSE);
  gtk_text_buffer_get_end_iter (self->buffer, &end);
  self->match_mark = gtk_text_buffer_create_mark (self->buffer, "ar-match", &end, TRUE);
  self->level_tags[AR_LOG_DEBUG] = gtk_text_buffer_create_tag (self->buffer, "debug", NULL);
  self->level_tags[AR_LOG_WARN] = gtk_text_buffer_create_tag (self->buffer, "warn", NULL);
  self->level_tags[AR_LOG_ERROR] = gtk_text_buffer_create_tag (self->buffer, "error", NULL);
  self->match_tag = gtk_text_buffer_create_tag (self->buffer, "search-match", NULL);
  self->current_tag = gtk_text_buffer_create_tag (self->buffer, "search-current", NULL);
  update_colors (self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_colors), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->text_view)), "changed",
                           G_CALLBACK (on_bounds_changed), self, G_CONNECT_SWAPPED);

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), scroll);
  watch_reading (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.open-full", FALSE);
  ar_log_view_update_labels (self);
}

GtkWidget *
ar_log_view_new (void)
{
  return g_object_new (AR_TYPE_LOG_VIEW, NULL);
}
