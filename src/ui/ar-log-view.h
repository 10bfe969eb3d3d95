/* ar-log-view.h — a task's log as it grows (design.md §4.4, §6.4): level
 * colours, search with highlighted matches, follow-tail, copy, and the
 * full file one click away.
 *
 * It stays responsive under hundreds of thousands of lines per second:
 * lines arrive from any thread into a lock-protected queue, and one flush
 * every 50 ms appends them to the buffer in one insertion and trims the
 * oldest in one deletion, so that the view holds the newest max-lines
 * lines (the file on disk holds all of them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-task-log.h"

G_BEGIN_DECLS

#define AR_LOG_VIEW_DEFAULT_MAX_LINES 10000
/* Longer lines are cut for display (the file has them whole). */
#define AR_LOG_VIEW_MAX_LINE_BYTES 8192

#define AR_TYPE_LOG_VIEW (ar_log_view_get_type ())
G_DECLARE_FINAL_TYPE (ArLogView, ar_log_view, AR, LOG_VIEW, AdwBin)

GtkWidget *ar_log_view_new (void);

guint ar_log_view_get_max_lines (ArLogView *self);
void ar_log_view_set_max_lines (ArLogView *self,
                                guint max_lines);

/* Shows the end of the file at @path (may be NULL), then every line @log
 * (may be NULL) emits from now on. Replaces what was shown. @path is also
 * what "Open Full Log" opens. */
void ar_log_view_show_log (ArLogView *self,
                           ArTaskLog *log,
                           const char *path);
void ar_log_view_clear (ArLogView *self);

/* Still reading the file given to show_log(). */
gboolean ar_log_view_get_loading (ArLogView *self);
/* Lines in the view, and lines not shown because of the cap (the count is
 * not known for a file read from its end: then only "truncated" says it). */
guint ar_log_view_get_n_lines (ArLogView *self);
gboolean ar_log_view_get_truncated (ArLogView *self);

/* Scroll to every new line (on by default). Turning it off keeps the view
 * where it is. */
gboolean ar_log_view_get_follow (ArLogView *self);
void ar_log_view_set_follow (ArLogView *self,
                             gboolean follow);

/* Case-insensitive (ASCII) search; every match is highlighted and the
 * current one selected. */
void ar_log_view_set_search_text (ArLogView *self,
                                  const char *text);
guint ar_log_view_get_n_matches (ArLogView *self);
gboolean ar_log_view_next_match (ArLogView *self);
gboolean ar_log_view_previous_match (ArLogView *self);

/* Appends lines now, as if @log had emitted them (tests, benchmarks, and
 * logs that are not ArTaskLogs). Any thread. */
void ar_log_view_push_line (ArLogView *self,
                            const char *line,
                            ArLogLevel level);

GtkTextView *ar_log_view_get_text_view (ArLogView *self);
/* What is shown, lines joined by "\n". */
char *ar_log_view_dup_text (ArLogView *self);

G_END_DECLS
