/* ar-task-log-tail.h — the end of a task's log file, read backwards
 * (design.md §4.4, §6.4): what a log view shows first when it opens a log.
 *
 * GLib only. The file is read up to a size taken beforehand (lines written
 * after it reach a view through the log's "line" signal instead), at most
 * max_bytes back from there whatever the line count, and split into lines
 * the way ArTaskLog wrote them: "\n" ends a line, a lone "\r" ends a
 * progress update that the next line of output replaces on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-task-log.h"

G_BEGIN_DECLS

/* Reading a file's end stops this far back, whatever the line count. */
#define AR_TASK_LOG_TAIL_MAX_BYTES (16 * 1024 * 1024)

typedef struct {
  char *text;        /* valid UTF-8 (invalid bytes as U+FFFD), no line end */
  gsize length;      /* strlen (text) */
  ArLogLevel level;  /* ar_log_level_of_line() */
  gboolean progress; /* ended in a lone "\r" */
} ArTaskLogTailLine;

typedef struct {
  GArray *lines; /* ArTaskLogTailLine, oldest first */
  /* Lines before the first were left out (by max_lines or max_bytes). */
  gboolean truncated;
} ArTaskLogTail;

void ar_task_log_tail_free (ArTaskLogTail *tail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArTaskLogTail, ar_task_log_tail_free)

/* The last @max_lines (> 0) lines of the first @end bytes of @path (-1: the
 * whole file as it is now), reading no more than @max_bytes (0:
 * AR_TASK_LOG_TAIL_MAX_BYTES) back from the end; a line cut by that limit
 * is left out whole. A file now shorter than @end (cut, or replaced by a
 * new one) gives what it holds; a missing file gives no lines. A last line
 * without its line end counts as a line. Blocking: see the async variant. */
ArTaskLogTail *ar_task_log_tail_read (const char *path,
                                      gint64 end,
                                      guint max_lines,
                                      gsize max_bytes,
                                      GError **error);

/* The same in a worker thread. */
void ar_task_log_tail_read_async (const char *path,
                                  gint64 end,
                                  guint max_lines,
                                  gsize max_bytes,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
ArTaskLogTail *ar_task_log_tail_read_finish (GAsyncResult *result,
                                             GError **error);

G_END_DECLS
