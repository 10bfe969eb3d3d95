/* ar-log-view-feed.c — lines on their way to an ArLogView: packed in one
 * allocation each, queued from any thread, flushed every 50 ms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ar-log-view-private.h"

#define FLUSH_INTERVAL_MS 50

/* One allocation per line: the level (plus one, never NUL) and whether it
 * is a progress update, then the text, valid UTF-8 and cut to
 * AR_LOG_VIEW_MAX_LINE_BYTES. */
char *
ar_log_view_pack_line (const char *line, gssize length, ArLogLevel level, gboolean progress)
{
  g_autofree char *valid = NULL;
  const char *suffix = "";
  gsize len = length >= 0 ? (gsize) length : strlen (line);
  char *packed;

  if (!g_utf8_validate (line, len, NULL))
    {
      valid = g_utf8_make_valid (line, len);
      line = valid;
      len = strlen (valid);
    }
  if (len > AR_LOG_VIEW_MAX_LINE_BYTES)
    {
      const char *cut = g_utf8_find_prev_char (line, line + AR_LOG_VIEW_MAX_LINE_BYTES + 1);

      len = cut != NULL ? (gsize) (cut - line) : AR_LOG_VIEW_MAX_LINE_BYTES;
      /* Translators: the end of a log line too long to show whole */
      suffix = _ (" … (cut here; the full log has all of it)");
    }
  packed = g_malloc (len + strlen (suffix) + 2);
  packed[0] = (char) ((level + 1) | (progress ? PACKED_PROGRESS : 0));
  memcpy (packed + 1, line, len);
  strcpy (packed + 1 + len, suffix);
  return packed;
}

ArLogViewFeed *
ar_log_view_feed_new (ArLogView *view, guint cap)
{
  ArLogViewFeed *feed = g_atomic_rc_box_new0 (ArLogViewFeed);

  g_mutex_init (&feed->lock);
  feed->lines = g_ptr_array_new_with_free_func (g_free);
  feed->cap = cap;
  feed->view = view;
  return feed;
}

static void
feed_clear (ArLogViewFeed *feed)
{
  g_ptr_array_unref (feed->lines);
  g_mutex_clear (&feed->lock);
}

ArLogViewFeed *
ar_log_view_feed_ref (ArLogViewFeed *feed)
{
  return g_atomic_rc_box_acquire (feed);
}

void
ar_log_view_feed_unref (ArLogViewFeed *feed)
{
  g_atomic_rc_box_release_full (feed, (GDestroyNotify) feed_clear);
}

static void
feed_closure_unref (gpointer data, GClosure *closure)
{
  ar_log_view_feed_unref (data);
}

static gboolean
flush_source_cb (gpointer user_data)
{
  ArLogViewFeed *feed = user_data;

  g_mutex_lock (&feed->lock);
  feed->scheduled = FALSE;
  g_mutex_unlock (&feed->lock);
  if (feed->view != NULL && feed->view->feed == feed)
    ar_log_view_flush (feed->view);
  return G_SOURCE_REMOVE;
}

/* Any thread. */
static void
feed_push (ArLogViewFeed *feed, char *packed)
{
  gboolean schedule = FALSE;

  g_mutex_lock (&feed->lock);
  /* Lines the next flush would trim anyway are dropped here, in batches,
   * so that a main thread that falls behind does not fill the memory. */
  if (feed->lines->len >= 2 * feed->cap)
    {
      guint excess = feed->lines->len - feed->cap;

      g_ptr_array_remove_range (feed->lines, 0, excess);
      feed->dropped += excess;
    }
  /* A run of progress updates waits as its last one. */
  if (feed->lines->len > 0 && ar_log_view_replaces (g_ptr_array_index (feed->lines, feed->lines->len - 1), packed))
    {
      g_free (feed->lines->pdata[feed->lines->len - 1]);
      feed->lines->pdata[feed->lines->len - 1] = packed;
    }
  else
    g_ptr_array_add (feed->lines, packed);
  if (!feed->scheduled)
    feed->scheduled = schedule = TRUE;
  g_mutex_unlock (&feed->lock);

  if (schedule)
    {
      GSource *source = g_timeout_source_new (FLUSH_INTERVAL_MS);

      g_source_set_callback (source, flush_source_cb, ar_log_view_feed_ref (feed), (GDestroyNotify) ar_log_view_feed_unref);
      g_source_set_static_name (source, "[agents-runner] log flush");
      g_source_attach (source, NULL);
      g_source_unref (source);
    }
}

static void
on_log_line (ArTaskLog *log,
             const char *line,
             int level,
             gpointer user_data)
{
  feed_push (user_data, ar_log_view_pack_line (line, -1, (ArLogLevel) level, ar_task_log_line_is_progress (log)));
}

gulong
ar_log_view_feed_connect (ArLogViewFeed *feed, ArTaskLog *log)
{
  return g_signal_connect_data (log, "line", G_CALLBACK (on_log_line),
                                ar_log_view_feed_ref (feed), feed_closure_unref, 0);
}

void
ar_log_view_push_line (ArLogView *self,
                       const char *line,
                       ArLogLevel level)
{
  g_return_if_fail (AR_IS_LOG_VIEW (self));
  g_return_if_fail (line != NULL);

  feed_push (self->feed, ar_log_view_pack_line (line, -1, level, FALSE));
}
