/* ar-task-log-tail.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "ar-task-log-tail.h"

static void
tail_line_clear (gpointer data)
{
  ArTaskLogTailLine *line = data;

  g_free (line->text);
}

static ArTaskLogTail *
tail_new (void)
{
  ArTaskLogTail *tail = g_new0 (ArTaskLogTail, 1);

  tail->lines = g_array_new (FALSE, FALSE, sizeof (ArTaskLogTailLine));
  g_array_set_clear_func (tail->lines, tail_line_clear);
  return tail;
}

void
ar_task_log_tail_free (ArTaskLogTail *tail)
{
  if (tail == NULL)
    return;
  g_array_unref (tail->lines);
  g_free (tail);
}

static void
add_line (ArTaskLogTail *tail, const char *p, gsize len, gboolean progress)
{
  ArTaskLogTailLine line = { NULL, 0, AR_LOG_OUTPUT, progress };

  /* make_valid() also turns a NUL byte into U+FFFD. */
  line.text = g_utf8_validate (p, (gssize) len, NULL) ? g_strndup (p, len) : g_utf8_make_valid (p, (gssize) len);
  line.length = strlen (line.text);
  line.level = ar_log_level_of_line (line.text);
  g_array_append_val (tail->lines, line);
}

static void
set_read_error (GError **error, const char *path, int saved_errno)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _ ("Could not read the log %s: %s."), path, g_strerror (saved_errno));
}

ArTaskLogTail *
ar_task_log_tail_read (const char *path,
                       gint64 end,
                       guint max_lines,
                       gsize max_bytes,
                       GError **error)
{
  g_autoptr(ArTaskLogTail) tail = NULL;
  g_autofree char *data = NULL;
  char buf[65536];
  FILE *file;
  gint64 pos, start, min_pos;
  size_t got = 0;
  guint newlines = 0;
  gboolean found = FALSE;
  const char *p, *stop;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (max_lines > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (max_bytes == 0)
    max_bytes = AR_TASK_LOG_TAIL_MAX_BYTES;
  tail = tail_new ();

  file = fopen (path, "rb");
  if (file == NULL)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return g_steal_pointer (&tail);
      set_read_error (error, path, saved_errno);
      return NULL;
    }
  if (fseeko (file, 0, SEEK_END) == 0)
    {
      gint64 size = (gint64) ftello (file);

      end = end < 0 ? size : MIN (end, size);
    }
  else if (end < 0)
    end = 0;

  min_pos = MAX (0, end - (gint64) MIN (max_bytes, (gsize) G_MAXINT64));
  start = min_pos;
  pos = end;
  while (pos > min_pos && !found)
    {
      gint64 chunk = MIN ((gint64) sizeof buf, pos - min_pos);

      pos -= chunk;
      if (fseeko (file, pos, SEEK_SET) != 0 || fread (buf, 1, (size_t) chunk, file) != (size_t) chunk)
        break;
      for (gint64 i = chunk - 1; i >= 0; i--)
        {
          /* The line end of the last line does not start a line. */
          if (buf[i] != '\n' || pos + i == end - 1)
            continue;
          if (++newlines == max_lines)
            {
              start = pos + i + 1;
              found = TRUE;
              break;
            }
        }
    }

  data = g_malloc ((gsize) (end - start) + 1);
  errno = 0;
  if (fseeko (file, start, SEEK_SET) != 0 || ((got = fread (data, 1, (size_t) (end - start), file)) != (size_t) (end - start) && ferror (file)))
    {
      /* A short read at the end of the file is no error (below); errno
       * can be 0 here, and must not read as "Success". */
      int saved_errno = errno != 0 ? errno : EIO;

      fclose (file);
      set_read_error (error, path, saved_errno);
      return NULL;
    }
  fclose (file);
  /* The file became shorter since its size was taken (cut, replaced):
   * what is there is the log. */
  end = start + (gint64) got;
  data[end - start] = '\0';

  p = data;
  stop = data + (end - start);
  /* Cut by the byte limit: the first line is only the end of one. */
  if (!found && start > 0)
    {
      const char *nl = memchr (p, '\n', stop - p);

      p = nl != NULL ? nl + 1 : stop;
    }
  tail->truncated = start > 0;
  while (p < stop)
    {
      const char *nl = p;

      /* A progress update is stored ending in "\r": a line of its own. */
      while (nl < stop && *nl != '\n' && *nl != '\r')
        nl++;
      if (nl == stop)
        nl = NULL;
      add_line (tail, p, (gsize) ((nl != NULL ? nl : stop) - p), nl != NULL && *nl == '\r');
      p = nl != NULL ? nl + 1 : stop;
    }
  return g_steal_pointer (&tail);
}

typedef struct {
  char *path;
  gint64 end;
  guint max_lines;
  gsize max_bytes;
} TailRequest;

static void
tail_request_free (TailRequest *request)
{
  g_free (request->path);
  g_free (request);
}

static void
read_tail_thread (GTask *task,
                  gpointer source_object,
                  gpointer task_data,
                  GCancellable *cancellable)
{
  TailRequest *request = task_data;
  GError *error = NULL;
  ArTaskLogTail *tail = ar_task_log_tail_read (request->path, request->end, request->max_lines,
                                               request->max_bytes, &error);

  if (tail == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tail, (GDestroyNotify) ar_task_log_tail_free);
}

void
ar_task_log_tail_read_async (const char *path,
                             gint64 end,
                             guint max_lines,
                             gsize max_bytes,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  TailRequest *request;

  g_return_if_fail (path != NULL);
  g_return_if_fail (max_lines > 0);

  request = g_new0 (TailRequest, 1);
  request->path = g_strdup (path);
  request->end = end;
  request->max_lines = max_lines;
  request->max_bytes = max_bytes;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_task_log_tail_read_async);
  g_task_set_name (task, "[agents-runner] log tail");
  g_task_set_task_data (task, request, (GDestroyNotify) tail_request_free);
  g_task_run_in_thread (task, read_tail_thread);
}

ArTaskLogTail *
ar_task_log_tail_read_finish (GAsyncResult *result,
                              GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_task_log_tail_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
