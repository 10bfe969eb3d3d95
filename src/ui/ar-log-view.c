/* ar-log-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "ar-log-view.h"
#include "ar-ui.h"

#define FLUSH_INTERVAL_MS 50
/* Reading a file's end stops this far back, whatever the line count. */
#define MAX_TAIL_BYTES (16 * 1024 * 1024)
/* Highlighting more matches than this helps nobody and costs a lot. */
#define MAX_HIGHLIGHTS 5000

/* Where lines wait between their signal, in any thread, and the next flush
 * in the main thread. Shared by reference with the signal handler and the
 * flush source, so that neither can outlive it. */
typedef struct {
  GMutex lock;
  GPtrArray *lines;     /* packed lines, see pack_line() */
  guint64 dropped;      /* lines that fell out of the queue over the cap */
  guint cap;
  gboolean scheduled;   /* a flush source is attached */
  ArLogView *view;      /* main thread only; NULL once detached */
} Feed;

struct _ArLogView
{
  AdwBin parent_instance;

  GtkTextView *text_view;
  GtkScrolledWindow *scrolled;
  GtkSearchEntry *search_entry;
  GtkLabel *match_label;
  GtkLabel *truncated_label;

  GtkTextBuffer *buffer;
  GtkTextMark *match_mark;   /* start of the current match */
  GtkTextTag *level_tags[AR_LOG_OUTPUT + 1];
  GtkTextTag *match_tag;
  GtkTextTag *current_tag;

  guint max_lines;
  guint n_lines;
  gboolean last_is_progress; /* the last line is a progress update: the next line of output replaces it */
  guint64 n_dropped;
  gboolean truncated;
  gboolean follow;
  guint follow_tick_id;      /* keeps the view at the end while lines come */
  guint quiet_frames;
  double last_upper;

  ArTaskLog *log;
  gulong line_handler;
  char *path;
  Feed *feed;
  gboolean loading;
  GCancellable *load_cancellable;

  char *search;         /* ASCII-lowercased; NULL when not searching */
  guint n_matches;
};

G_DEFINE_FINAL_TYPE (ArLogView, ar_log_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_FOLLOW,
  PROP_LOADING,
  PROP_N_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void flush (ArLogView *self);

/* ---- lines ------------------------------------------------------------- */

/* In the first byte of a packed line: a progress update (a line that
 * ended in "\r"), which the next line of output replaces, as on a terminal. */
#define PACKED_PROGRESS 0x40

/* One allocation per line: the level (plus one, never NUL) and whether it
 * is a progress update, then the text, valid UTF-8 and cut to
 * AR_LOG_VIEW_MAX_LINE_BYTES. */
static char *
pack_line (const char *line, gssize length, ArLogLevel level, gboolean progress)
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
      suffix = _(" … (cut here; the full log has all of it)");
    }
  packed = g_malloc (len + strlen (suffix) + 2);
  packed[0] = (char) ((level + 1) | (progress ? PACKED_PROGRESS : 0));
  memcpy (packed + 1, line, len);
  strcpy (packed + 1 + len, suffix);
  return packed;
}

static inline ArLogLevel
packed_level (const char *packed)
{
  return (ArLogLevel) ((packed[0] & ~PACKED_PROGRESS) - 1);
}

static inline gboolean
packed_progress (const char *packed)
{
  return (packed[0] & PACKED_PROGRESS) != 0;
}

/* Whether `next` takes the place of the progress update `packed`. */
static inline gboolean
replaces (const char *packed, const char *next)
{
  return packed_progress (packed) && packed_level (next) == AR_LOG_OUTPUT;
}

static Feed *
feed_new (ArLogView *view, guint cap)
{
  Feed *feed = g_atomic_rc_box_new0 (Feed);

  g_mutex_init (&feed->lock);
  feed->lines = g_ptr_array_new_with_free_func (g_free);
  feed->cap = cap;
  feed->view = view;
  return feed;
}

static void
feed_clear (Feed *feed)
{
  g_ptr_array_unref (feed->lines);
  g_mutex_clear (&feed->lock);
}

static Feed *
feed_ref (Feed *feed)
{
  return g_atomic_rc_box_acquire (feed);
}

static void
feed_unref (Feed *feed)
{
  g_atomic_rc_box_release_full (feed, (GDestroyNotify) feed_clear);
}

static void
feed_closure_unref (gpointer data, GClosure *closure)
{
  feed_unref (data);
}

static gboolean
flush_source_cb (gpointer user_data)
{
  Feed *feed = user_data;

  g_mutex_lock (&feed->lock);
  feed->scheduled = FALSE;
  g_mutex_unlock (&feed->lock);
  if (feed->view != NULL && feed->view->feed == feed)
    flush (feed->view);
  return G_SOURCE_REMOVE;
}

/* Any thread. */
static void
feed_push (Feed *feed, char *packed)
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
  if (feed->lines->len > 0 && replaces (g_ptr_array_index (feed->lines, feed->lines->len - 1), packed))
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

      g_source_set_callback (source, flush_source_cb, feed_ref (feed), (GDestroyNotify) feed_unref);
      g_source_set_static_name (source, "[agents-runner] log flush");
      g_source_attach (source, NULL);
      g_source_unref (source);
    }
}

static void
on_log_line (ArTaskLog  *log,
             const char *line,
             int         level,
             gpointer    user_data)
{
  feed_push (user_data, pack_line (line, -1, (ArLogLevel) level, ar_task_log_line_is_progress (log)));
}

void
ar_log_view_push_line (ArLogView  *self,
                       const char *line,
                       ArLogLevel  level)
{
  g_return_if_fail (AR_IS_LOG_VIEW (self));
  g_return_if_fail (line != NULL);

  feed_push (self->feed, pack_line (line, -1, level, FALSE));
}

/* ---- the buffer ---------------------------------------------------------- */

static void
update_labels (ArLogView *self)
{
  g_autofree char *truncated = NULL;

  if (self->truncated)
    {
      g_autofree char *count = g_strdup_printf ("%'u", self->max_lines);

      /* Translators: %s is a number of lines, like 10,000 */
      truncated = g_strdup_printf (_("Showing the newest %s lines"), count);
    }
  gtk_label_set_label (self->truncated_label, truncated != NULL ? truncated : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->truncated_label),
                               self->truncated ? _("The full log is on disk: Open Full Log shows all of it") : NULL);

  if (self->search == NULL)
    gtk_label_set_label (self->match_label, "");
  else if (self->n_matches == 0)
    gtk_label_set_label (self->match_label, _("No matches"));
  else if (self->n_matches > MAX_HIGHLIGHTS)
    {
      g_autofree char *text = g_strdup_printf (_("More than %'d matches"), MAX_HIGHLIGHTS);

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
follow_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  ArLogView *self = user_data;
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->text_view));
  double upper = gtk_adjustment_get_upper (adjustment);

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

/* Highlights the matches in @text, which starts at char @base of the
 * buffer. ASCII case folding only: fast enough for a flush of 10 000
 * lines. */
static void
highlight_in_text (ArLogView *self, const char *text, gsize length, int base)
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

static guint
count_matches_before (ArLogView *self, const GtkTextIter *limit)
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
    self->n_matches -= MIN (self->n_matches, count_matches_before (self, &cut));
  gtk_text_buffer_delete (self->buffer, &start, &cut);
  self->n_lines = self->max_lines;
  self->n_dropped += excess;
  self->truncated = TRUE;
}

static guint
count_matches_between (ArLogView *self, const GtkTextIter *from, const GtkTextIter *to)
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
    self->n_matches -= MIN (self->n_matches, count_matches_between (self, &start, &end));
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
    if (i + 1 == all->len || !replaces (g_ptr_array_index (all, i), g_ptr_array_index (all, i + 1)))
      g_ptr_array_add (lines, g_ptr_array_index (all, i));
  first = 0;
  n = lines->len;
  if (n == 0)
    return;
  if (self->n_lines > 0 && self->last_is_progress && packed_level (g_ptr_array_index (lines, 0)) == AR_LOG_OUTPUT)
    remove_last_line (self);
  self->last_is_progress = packed_progress (g_ptr_array_index (lines, n - 1));
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
      ArLogLevel level = packed_level (packed);

      if (level != AR_LOG_OUTPUT && level != AR_LOG_INFO)
        {
          Run *last = runs->len > 0 ? &g_array_index (runs, Run, runs->len - 1) : NULL;

          if (last != NULL && last->level == level && last->end + 1 == chars)
            last->end = chars + len_chars;
          else
            g_array_append_val (runs, ((Run) { chars, chars + len_chars, level }));
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
  highlight_in_text (self, text->str, text->len, base);
  self->n_lines += n;
  trim (self);

  update_labels (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
  if (self->follow)
    scroll_to_end (self);
}

static void
flush (ArLogView *self)
{
  g_autoptr(GPtrArray) batch = NULL;
  Feed *feed = self->feed;
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

typedef struct {
  char *path;
  gint64 end;        /* read up to here: the size when the view attached */
  guint max_lines;
} TailRequest;

typedef struct {
  GPtrArray *lines;
  gboolean truncated;
} TailResult;

static void
tail_request_free (TailRequest *request)
{
  g_free (request->path);
  g_free (request);
}

static void
tail_result_free (TailResult *result)
{
  g_ptr_array_unref (result->lines);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TailResult, tail_result_free)

/* The last max_lines lines of [0, end), found by reading backwards. */
static TailResult *
read_tail (const TailRequest *request, GError **error)
{
  g_autoptr(TailResult) result = NULL;
  g_autofree char *data = NULL;
  char buf[65536];
  FILE *file;
  gint64 end = request->end, pos, start, min_pos;
  size_t got = 0;
  guint newlines = 0;
  gboolean found = FALSE;
  const char *p, *stop;

  result = g_new0 (TailResult, 1);
  result->lines = g_ptr_array_new_with_free_func (g_free);

  file = fopen (request->path, "rb");
  if (file == NULL)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        return g_steal_pointer (&result);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not read the log %s: %s."), request->path, g_strerror (saved_errno));
      return NULL;
    }
  if (fseeko (file, 0, SEEK_END) == 0)
    end = MIN (end, (gint64) ftello (file));

  min_pos = MAX (0, end - MAX_TAIL_BYTES);
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
          if (++newlines == request->max_lines)
            {
              start = pos + i + 1;
              found = TRUE;
              break;
            }
        }
    }

  data = g_malloc ((gsize) (end - start) + 1);
  errno = 0;
  if (fseeko (file, start, SEEK_SET) != 0
      || ((got = fread (data, 1, (size_t) (end - start), file)) != (size_t) (end - start) && ferror (file)))
    {
      /* A short read at the end of the file is no error (below); errno
       * can be 0 here, and must not read as "Success". */
      int saved_errno = errno != 0 ? errno : EIO;

      fclose (file);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not read the log %s: %s."), request->path, g_strerror (saved_errno));
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
  result->truncated = start > 0;
  while (p < stop)
    {
      const char *nl = p;
      const char *line_end;

      /* A progress update is stored ending in "\r": a line of its own,
       * which the next line of output replaces (see append_lines()). */
      while (nl < stop && *nl != '\n' && *nl != '\r')
        nl++;
      if (nl == stop)
        nl = NULL;
      line_end = nl != NULL ? nl : stop;
      g_autofree char *line = g_strndup (p, line_end - p);

      g_ptr_array_add (result->lines, pack_line (line, line_end - p, ar_log_level_of_line (line),
                                                 nl != NULL && *nl == '\r'));
      p = nl != NULL ? nl + 1 : stop;
    }
  return g_steal_pointer (&result);
}

static void
read_tail_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  TailResult *result = read_tail (task_data, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) tail_result_free);
}

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
  ArLogView *self = AR_LOG_VIEW (source);
  g_autoptr(TailResult) tail = NULL;
  g_autoptr(GError) error = NULL;

  tail = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_task_get_task_data (G_TASK (result)) == NULL ||
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  if (tail == NULL)
    {
      g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

      g_ptr_array_add (lines, pack_line (error->message, -1, AR_LOG_ERROR, FALSE));
      append_lines (self, lines, 0);
    }
  else
    {
      if (tail->truncated)
        self->truncated = TRUE;
      append_lines (self, tail->lines, 0);
      update_labels (self);
    }
  set_loading (self, FALSE);
  flush (self);
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
      g_clear_pointer (&self->feed, feed_unref);
    }
  set_loading (self, FALSE);
}

static void
reset (ArLogView *self)
{
  detach (self);
  self->feed = feed_new (self, self->max_lines);
  gtk_text_buffer_set_text (self->buffer, "", 0);
  self->n_lines = 0;
  self->n_dropped = 0;
  self->truncated = FALSE;
  self->n_matches = 0;
  g_clear_pointer (&self->path, g_free);
  update_labels (self);
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
ar_log_view_show_log (ArLogView  *self,
                      ArTaskLog  *log,
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
      self->line_handler = g_signal_connect_data (log, "line", G_CALLBACK (on_log_line),
                                                  feed_ref (self->feed), feed_closure_unref, 0);
    }
  if (path != NULL)
    {
      g_autoptr(GTask) task = NULL;
      TailRequest *request = g_new0 (TailRequest, 1);
      GStatBuf st;

      request->path = g_strdup (path);
      request->end = g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
      request->max_lines = self->max_lines;
      self->load_cancellable = g_cancellable_new ();
      set_loading (self, TRUE);
      task = g_task_new (self, self->load_cancellable, tail_read, NULL);
      g_task_set_source_tag (task, ar_log_view_show_log);
      g_task_set_task_data (task, request, (GDestroyNotify) tail_request_free);
      g_task_run_in_thread (task, read_tail_thread);
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
  update_labels (self);
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
           double                    dx,
           double                    dy,
           ArLogView                *self)
{
  /* Scrolling up means reading: stop pulling the view to the end. */
  if (dy < 0)
    ar_log_view_set_follow (self, FALSE);
  return FALSE;
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
      highlight_in_text (self, all, strlen (all), 0);
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
  update_labels (self);
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

/* ---- actions ------------------------------------------------------------- */

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
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
    message = _("Copied the lines shown; Open Full Log has all of them");
  else
    message = _("Log copied");
  ar_ui_add_toast (widget, adw_toast_new (message));
}

static void
open_full_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ArLogView *self = AR_LOG_VIEW (widget);
  g_autofree char *uri = NULL;

  if (self->path == NULL)
    return;
  uri = g_filename_to_uri (self->path, NULL, NULL);
  if (uri != NULL)
    gtk_show_uri (ar_ui_get_window (widget), uri, GDK_CURRENT_TIME);
}

static void
next_match_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  find_match (AR_LOG_VIEW (widget), TRUE);
}

static void
previous_match_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  find_match (AR_LOG_VIEW (widget), FALSE);
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (AR_LOG_VIEW (widget)->search_entry));
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
ar_log_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
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
ar_log_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
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
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_next);
  gtk_widget_class_bind_template_callback (widget_class, on_search_previous);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);

  gtk_widget_class_install_property_action (widget_class, "log.follow", "follow");
  gtk_widget_class_install_action (widget_class, "log.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "log.open-full", NULL, open_full_action);
  gtk_widget_class_install_action (widget_class, "log.next-match", NULL, next_match_action);
  gtk_widget_class_install_action (widget_class, "log.previous-match", NULL, previous_match_action);
  gtk_widget_class_install_action (widget_class, "log.focus-search", NULL, focus_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "log.focus-search", NULL);
}

static void
ar_log_view_init (ArLogView *self)
{
  GtkEventController *scroll;
  GtkTextIter end;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->max_lines = AR_LOG_VIEW_DEFAULT_MAX_LINES;
  self->follow = TRUE;
  self->feed = feed_new (self, self->max_lines);
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

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), scroll);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.open-full", FALSE);
  update_labels (self);
}

GtkWidget *
ar_log_view_new (void)
{
  return g_object_new (AR_TYPE_LOG_VIEW, NULL);
}
