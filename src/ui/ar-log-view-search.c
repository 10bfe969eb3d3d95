/* ar-log-view-search.c — searching an ArLogView: every match highlighted
 * as lines come, the current one selected, next and previous.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ar-log-view-private.h"

/* Highlights the matches in @text, which starts at char @base of the
 * buffer. ASCII case folding only: fast enough for a flush of 10 000
 * lines. */
void
ar_log_view_highlight_in_text (ArLogView *self, const char *text, gsize length, int base)
{
  g_autofree char *folded = NULL;
  gsize needle_len, needle_chars;
  const char *p, *last;
  long offset = 0;

  if (self->search == NULL || length == 0)
    return;
  folded = g_ascii_strdown (text, length);
  needle_len = strlen (self->search);
  needle_chars = g_utf8_strlen (self->search, -1);
  last = folded;

  for (p = memmem (folded, length, self->search, needle_len); p != NULL;
       p = memmem (p + needle_len, length - (p + needle_len - folded), self->search, needle_len))
    {
      GtkTextIter start, end;

      self->n_matches++;
      if (self->n_matches > MAX_HIGHLIGHTS)
        continue;
      offset += g_utf8_pointer_to_offset (last, p);
      last = p;
      gtk_text_buffer_get_iter_at_offset (self->buffer, &start, base + (int) offset);
      gtk_text_buffer_get_iter_at_offset (self->buffer, &end, base + (int) (offset + needle_chars));
      gtk_text_buffer_apply_tag (self->buffer, self->match_tag, &start, &end);
      if ((gsize) (p + needle_len - folded) >= length)
        break;
    }
}

guint
ar_log_view_count_matches_before (ArLogView *self, const GtkTextIter *limit)
{
  GtkTextIter iter;
  guint n = 0;

  if (self->search == NULL || self->n_matches == 0)
    return 0;
  gtk_text_buffer_get_start_iter (self->buffer, &iter);
  do
    {
      if (gtk_text_iter_compare (&iter, limit) >= 0)
        break;
      if (gtk_text_iter_starts_tag (&iter, self->match_tag))
        n++;
    }
  while (gtk_text_iter_forward_to_tag_toggle (&iter, self->match_tag));
  return n;
}

guint
ar_log_view_count_matches_between (ArLogView *self, const GtkTextIter *from, const GtkTextIter *to)
{
  GtkTextIter iter = *from;
  guint n = 0;

  if (self->search == NULL || self->n_matches == 0)
    return 0;
  if (gtk_text_iter_starts_tag (&iter, self->match_tag))
    n++;
  while (gtk_text_iter_forward_to_tag_toggle (&iter, self->match_tag) && gtk_text_iter_compare (&iter, to) < 0)
    if (gtk_text_iter_starts_tag (&iter, self->match_tag))
      n++;
  return n;
}

/* ---- search -------------------------------------------------------------- */

static void
clear_current (ArLogView *self)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->current_tag, &start, &end);
}

static void
select_match (ArLogView *self, const GtkTextIter *start, const GtkTextIter *end)
{
  GtkTextIter s = *start;

  clear_current (self);
  gtk_text_buffer_apply_tag (self->buffer, self->current_tag, start, end);
  gtk_text_buffer_move_mark (self->buffer, self->match_mark, start);
  /* Looking at a match: new lines must not pull it away. */
  ar_log_view_set_follow (self, FALSE);
  /* At once, from the heights known now: a scroll_to_mark() would wait for
   * the whole layout and could fire after the user had scrolled on. */
  gtk_text_view_scroll_to_iter (self->text_view, &s, 0.1, FALSE, 0.0, 0.0);
}

static gboolean
find_match (ArLogView *self, gboolean forward)
{
  GtkTextIter from, start, end;
  GtkTextSearchFlags flags = GTK_TEXT_SEARCH_CASE_INSENSITIVE | GTK_TEXT_SEARCH_TEXT_ONLY;
  gboolean found;

  if (self->search == NULL)
    return FALSE;

  gtk_text_buffer_get_iter_at_mark (self->buffer, &from, self->match_mark);
  if (forward)
    {
      GtkTextIter current = from;

      /* From just after the current match. */
      if (gtk_text_iter_has_tag (&current, self->current_tag))
        gtk_text_iter_forward_char (&from);
      found = gtk_text_iter_forward_search (&from, self->search, flags, &start, &end, NULL);
      if (!found)
        {
          gtk_text_buffer_get_start_iter (self->buffer, &from);
          found = gtk_text_iter_forward_search (&from, self->search, flags, &start, &end, NULL);
        }
    }
  else
    {
      found = gtk_text_iter_backward_search (&from, self->search, flags, &start, &end, NULL);
      if (!found)
        {
          gtk_text_buffer_get_end_iter (self->buffer, &from);
          found = gtk_text_iter_backward_search (&from, self->search, flags, &start, &end, NULL);
        }
    }
  if (found)
    select_match (self, &start, &end);
  return found;
}

gboolean
ar_log_view_next_match (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), FALSE);
  return find_match (self, TRUE);
}

gboolean
ar_log_view_previous_match (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), FALSE);
  return find_match (self, FALSE);
}

guint
ar_log_view_get_n_matches (ArLogView *self)
{
  g_return_val_if_fail (AR_IS_LOG_VIEW (self), 0);
  return self->n_matches;
}

void
ar_log_view_set_search_text (ArLogView *self, const char *text)
{
  GtkTextIter start, end;
  g_autofree char *all = NULL;

  g_return_if_fail (AR_IS_LOG_VIEW (self));

  gtk_text_buffer_get_bounds (self->buffer, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->match_tag, &start, &end);
  gtk_text_buffer_remove_tag (self->buffer, self->current_tag, &start, &end);
  g_clear_pointer (&self->search, g_free);
  self->n_matches = 0;
  if (text != NULL && *text != '\0')
    {
      self->search = g_ascii_strdown (text, -1);
      all = gtk_text_buffer_get_text (self->buffer, &start, &end, FALSE);
      ar_log_view_highlight_in_text (self, all, strlen (all), 0);
      /* The first match at or after the top of the view. */
      {
        GdkRectangle visible;
        GtkTextIter top;

        gtk_text_view_get_visible_rect (self->text_view, &visible);
        gtk_text_view_get_iter_at_location (self->text_view, &top, visible.x, visible.y);
        gtk_text_buffer_move_mark (self->buffer, self->match_mark, &top);
      }
      if (self->n_matches > 0)
        find_match (self, TRUE);
    }
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text != NULL ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  ar_log_view_update_labels (self);
}

static void
on_search_changed (ArLogView *self, GtkSearchEntry *entry)
{
  ar_log_view_set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_search_activate (ArLogView *self, GtkSearchEntry *entry)
{
  /* Enter right after typing: the delayed search-changed may not have run. */
  if (g_strcmp0 (self->search, gtk_editable_get_text (GTK_EDITABLE (entry))) != 0 &&
      self->search == NULL)
    ar_log_view_set_search_text (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
  else
    find_match (self, TRUE);
}

static void
on_search_next (ArLogView *self, GtkSearchEntry *entry)
{
  find_match (self, TRUE);
}

static void
on_search_previous (ArLogView *self, GtkSearchEntry *entry)
{
  find_match (self, FALSE);
}

static void
on_search_stop (ArLogView *self, GtkSearchEntry *entry)
{
  ar_log_view_set_search_text (self, NULL);
}

static void
next_match_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  find_match (AR_LOG_VIEW (widget), TRUE);
}

static void
previous_match_action (GtkWidget *widget,
                       const char *action_name,
                       GVariant *parameter)
{
  find_match (AR_LOG_VIEW (widget), FALSE);
}

static void
focus_search_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (AR_LOG_VIEW (widget)->search_entry));
}

void
ar_log_view_class_init_search (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_next);
  gtk_widget_class_bind_template_callback (widget_class, on_search_previous);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);

  gtk_widget_class_install_action (widget_class, "log.next-match", NULL, next_match_action);
  gtk_widget_class_install_action (widget_class, "log.previous-match", NULL, previous_match_action);
  gtk_widget_class_install_action (widget_class, "log.focus-search", NULL, focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "log.focus-search", NULL);
}
