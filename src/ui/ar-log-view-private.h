/* ar-log-view-private.h — what the files of ArLogView share: the
 * instance, the queue lines wait in between their signal and the next
 * flush, and the packed form of a line.
 *
 *   ar-log-view.c         the object, the buffer, showing a log, follow
 *   ar-log-view-feed.c    packing lines and the queue (any thread)
 *   ar-log-view-search.c  search, match highlights and their actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-log-view.h"

G_BEGIN_DECLS

/* Highlighting more matches than this helps nobody and costs a lot. */
#define MAX_HIGHLIGHTS 5000

/* Where lines wait between their signal, in any thread, and the next flush
 * in the main thread. Shared by reference with the signal handler and the
 * flush source, so that neither can outlive it. */
typedef struct {
  GMutex lock;
  GPtrArray *lines; /* packed lines, see ar_log_view_pack_line() */
  guint64 dropped;  /* lines that fell out of the queue over the cap */
  guint cap;
  gboolean scheduled; /* a flush source is attached */
  ArLogView *view;    /* main thread only; NULL once detached */
} ArLogViewFeed;

struct _ArLogView {
  AdwBin parent_instance;

  GtkTextView *text_view;
  GtkScrolledWindow *scrolled;
  GtkSearchEntry *search_entry;
  GtkLabel *match_label;
  GtkLabel *truncated_label;

  GtkTextBuffer *buffer;
  GtkTextMark *match_mark; /* start of the current match */
  GtkTextTag *level_tags[AR_LOG_OUTPUT + 1];
  GtkTextTag *match_tag;
  GtkTextTag *current_tag;

  guint max_lines;
  guint n_lines;
  gboolean last_is_progress; /* the last line is a progress update: the next line of output replaces it */
  guint64 n_dropped;
  gboolean truncated;
  gboolean follow;
  guint follow_tick_id; /* keeps the view at the end while lines come */
  guint quiet_frames;
  double last_upper;

  ArTaskLog *log;
  gulong line_handler;
  char *path;
  ArLogViewFeed *feed;
  gboolean loading;
  GCancellable *load_cancellable;

  char *search; /* ASCII-lowercased; NULL when not searching */
  guint n_matches;
};

/* In the first byte of a packed line: a progress update (a line that
 * ended in "\r"), which the next line of output replaces, as on a terminal. */
#define PACKED_PROGRESS 0x40

static inline ArLogLevel
ar_log_view_packed_level (const char *packed)
{
  return (ArLogLevel) ((packed[0] & ~PACKED_PROGRESS) - 1);
}

static inline gboolean
ar_log_view_packed_progress (const char *packed)
{
  return (packed[0] & PACKED_PROGRESS) != 0;
}

/* Whether `next` takes the place of the progress update `packed`. */
static inline gboolean
ar_log_view_replaces (const char *packed, const char *next)
{
  return ar_log_view_packed_progress (packed) && ar_log_view_packed_level (next) == AR_LOG_OUTPUT;
}

/* ar-log-view.c */
void ar_log_view_flush (ArLogView *self);
void ar_log_view_update_labels (ArLogView *self);

/* ar-log-view-feed.c */
char *ar_log_view_pack_line (const char *line,
                             gssize length,
                             ArLogLevel level,
                             gboolean progress);
ArLogViewFeed *ar_log_view_feed_new (ArLogView *view,
                                     guint cap);
ArLogViewFeed *ar_log_view_feed_ref (ArLogViewFeed *feed);
void ar_log_view_feed_unref (ArLogViewFeed *feed);
/* Queues every line @log emits from now on; the handler holds a reference
 * on @feed. */
gulong ar_log_view_feed_connect (ArLogViewFeed *feed,
                                 ArTaskLog *log);

/* ar-log-view-search.c */
void ar_log_view_highlight_in_text (ArLogView *self,
                                    const char *text,
                                    gsize length,
                                    int base);
guint ar_log_view_count_matches_before (ArLogView *self,
                                        const GtkTextIter *limit);
guint ar_log_view_count_matches_between (ArLogView *self,
                                         const GtkTextIter *from,
                                         const GtkTextIter *to);
/* Binds the search entry's callbacks and installs the match actions. */
void ar_log_view_class_init_search (GtkWidgetClass *widget_class);

G_END_DECLS
