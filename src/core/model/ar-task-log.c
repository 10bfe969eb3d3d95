/* ar-task-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "ar-json.h"
#include "ar-task-log.h"
#include "ar-task-log-private.h"

/* The line of output one stream is writing in parts (see
 * ar_task_log_stream_piece()): escapes stripped, then registered values
 * redacted, then URL credentials, then token shapes, each stage holding
 * back only what the next piece could change, so that the parts redact as
 * the whole line would. */
typedef struct {
  GString *raw_carry;            /* an escape sequence cut by the end of a piece */
  GString *pending;              /* stripped, not yet redacted */
  gsize cover;                   /* its next bytes are inside a value already redacted */
  gboolean in_value;             /* the last byte written was inside a value */
  GString *urls;                 /* values redacted, URL credentials not yet */
  char url_ctx[SCHEME_LOOKBACK]; /* the last bytes before `urls` */
  gsize url_ctx_len;
  GString *tokens;    /* values redacted, token shapes not yet; starts with */
  gsize ctx_len;      /* the character before it (\b needs it), "" at first */
  TokenClass swallow; /* the rest of a token already redacted */
  GString *shown;     /* its first AR_TASK_LOG_MAX_LINE_BYTES, redacted */
  guint64 n_cut;      /* bytes past those */
  gboolean line_open; /* part of it went out (to the file or `deferred`) */
  GString *deferred;  /* for the file, once the other stream's line ends */
} Stream;

struct _ArTaskLog {
  GObject parent_instance;

  GMutex lock;
  char *path;
  FILE *file;
  GPtrArray *secrets; /* longest first, so a value inside another goes after */
  gsize longest_secret;
  guint64 n_lines;

  Stream streams[2]; /* ArLogStream */
  int file_owner;    /* the stream whose line is partly in the file, or -1 */
};

G_DEFINE_FINAL_TYPE (ArTaskLog, ar_task_log, G_TYPE_OBJECT)

enum { SIGNAL_LINE,
       N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR", "OUTPUT" };

const char *
ar_log_level_to_string (ArLogLevel level)
{
  g_return_val_if_fail (level <= AR_LOG_OUTPUT, "INFO");
  return level_names[level];
}

ArLogLevel
ar_log_level_of_line (const char *line)
{
  const char *close;

  if (line[0] != '[' || (close = strstr (line, "][")) == NULL)
    return AR_LOG_OUTPUT;
  for (guint i = 0; i < AR_LOG_OUTPUT; i++)
    {
      gsize n = strlen (level_names[i]);
      if (strncmp (close + 2, level_names[i], n) == 0 && close[2 + n] == ']')
        return i;
    }
  return AR_LOG_OUTPUT;
}

char *
ar_log_format (const char *scope, ArLogLevel level, const char *message)
{
  return g_strdup_printf ("[%s][%s] %s", scope, ar_log_level_to_string (level), message);
}

/* Replaces the registered values in text[0, limit) (len >= limit: a value
 * that starts before limit is seen whole). Every byte inside some
 * occurrence of some value is covered, so that overlapping values and a
 * value inside another all go; each covered run becomes one [REDACTED].
 * *cover: in, how many bytes at the start are covered by a value that
 * began earlier; out, how many past limit are. *in_value: whether the byte
 * before text was covered (its [REDACTED] is out already). The values go
 * before the token shapes: a value that holds a token would otherwise lose
 * only its token part. */
static void
redact_secrets (ArTaskLog *self, GString *out, const char *text, gsize len, gsize limit,
                gsize *cover, gboolean *in_value)
{
  gsize cover_end = *cover;
  gboolean in_run = *in_value;

  if (self->secrets->len == 0 && cover_end == 0)
    {
      g_string_append_len (out, text, (gssize) limit);
      *in_value = in_run && limit == 0;
      return;
    }
  for (gsize i = 0; i < limit; i++)
    {
      for (guint k = 0; k < self->secrets->len; k++)
        {
          const char *secret = g_ptr_array_index (self->secrets, k);
          gsize n = strlen (secret);

          if (secret[0] == text[i] && i + n <= len && i + n > cover_end && memcmp (text + i, secret, n) == 0)
            cover_end = i + n;
        }
      if (i < cover_end)
        {
          if (!in_run)
            g_string_append (out, REDACTED);
          in_run = TRUE;
        }
      else
        {
          in_run = FALSE;
          g_string_append_c (out, text[i]);
        }
    }
  *cover = cover_end > limit ? cover_end - limit : 0;
  *in_value = in_run;
}

static char *
redact_locked (ArTaskLog *self, const char *text)
{
  g_autoptr(GString) values = g_string_sized_new (strlen (text));
  g_autoptr(GString) urls = g_string_sized_new (strlen (text));
  GString *redacted = g_string_sized_new (strlen (text) + 16);
  gsize len = strlen (text);
  gsize cover = 0;
  gboolean in_value = FALSE;

  redact_secrets (self, values, text, len, len, &cover, &in_value);
  ar_log_redact_urls_into (urls, NULL, 0, values->str, values->len, TRUE);
  ar_log_redact_tokens_into (redacted, urls->str, urls->len, 0, NULL);
  return g_string_free (redacted, FALSE);
}

char *
ar_task_log_redact (ArTaskLog *self, const char *text)
{
  char *out;

  g_return_val_if_fail (AR_IS_TASK_LOG (self), NULL);
  g_mutex_lock (&self->lock);
  out = redact_locked (self, text);
  g_mutex_unlock (&self->lock);
  return out;
}

static int
longest_first (gconstpointer a, gconstpointer b)
{
  gsize la = strlen (*(const char **) a);
  gsize lb = strlen (*(const char **) b);

  return la == lb ? 0 : (la < lb ? 1 : -1);
}

void
ar_task_log_add_secret (ArTaskLog *self, const char *value)
{
  g_return_if_fail (AR_IS_TASK_LOG (self));

  /* Very short values would redact half the log and protect nothing. */
  if (value == NULL || strlen (value) < MIN_SECRET_LENGTH)
    return;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->secrets->len; i++)
    if (g_str_equal (g_ptr_array_index (self->secrets, i), value))
      {
        g_mutex_unlock (&self->lock);
        return;
      }
  g_ptr_array_add (self->secrets, g_strdup (value));
  g_ptr_array_sort (self->secrets, longest_first);
  self->longest_secret = MAX (self->longest_secret, strlen (value));
  g_mutex_unlock (&self->lock);
}

void
ar_task_log_add_secret_env_vars (ArTaskLog *self, const char *const *name_value)
{
  for (guint i = 0; name_value != NULL && name_value[i] != NULL; i++)
    {
      const char *eq = strchr (name_value[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL)
        continue;
      name = g_strndup (name_value[i], eq - name_value[i]);
      if (ar_log_is_secret_name (name))
        ar_task_log_add_secret (self, eq + 1);
    }
}

static GQuark
progress_quark (void)
{
  return g_quark_from_static_string ("progress");
}

static void
emit (ArTaskLog *self, const char *line, ArLogLevel level, gboolean progress)
{
  g_signal_emit (self, signals[SIGNAL_LINE], progress ? progress_quark () : 0, line, (int) level);
}

gboolean
ar_task_log_line_is_progress (ArTaskLog *self)
{
  GSignalInvocationHint *hint;

  g_return_val_if_fail (AR_IS_TASK_LOG (self), FALSE);
  hint = g_signal_get_invocation_hint (self);
  return hint != NULL && hint->signal_id == signals[SIGNAL_LINE] && hint->detail == progress_quark ();
}

/* Keeps what the line view shows: its start, then a count. */
static void
add_shown (Stream *s, const char *text, gsize len)
{
  ar_utf8_append_capped (s->shown, AR_TASK_LOG_MAX_LINE_BYTES, &s->n_cut, text, len);
}

static void
file_write (ArTaskLog *self, const char *text, gsize len)
{
  if (self->file != NULL)
    fwrite (text, 1, len, self->file);
}

/* The other stream's lines that waited for the owner's line to end. */
static void
release_file (ArTaskLog *self)
{
  int waiting = self->file_owner == 0 ? 1 : 0;
  Stream *other = &self->streams[waiting];

  self->file_owner = -1;
  if (other->deferred->len > 0)
    {
      file_write (self, other->deferred->str, other->deferred->len);
      g_string_truncate (other->deferred, 0);
      if (other->line_open)
        self->file_owner = waiting;
    }
}

/* Text of stream `which` for the file (line_end: it ends that stream's
 * line). The file has one line open at a time: while the other stream's
 * line is partly in it, this waits, so neither breaks the other's line. */
static void
out_text (ArTaskLog *self, int which, const char *text, gsize len, gboolean line_end)
{
  Stream *s = &self->streams[which];

  if (self->file_owner != -1 && self->file_owner != which)
    {
      g_string_append_len (s->deferred, text, (gssize) len);
      if (s->deferred->len <= DEFER_MAX_BYTES)
        return;
      /* Bounded: the owner's line is broken here, and goes on later. */
      file_write (self, "\n", 1);
      release_file (self);
      self->file_owner = line_end ? -1 : which;
      return;
    }
  file_write (self, text, len);
  if (!line_end)
    self->file_owner = which;
  else if (self->file_owner == which)
    release_file (self);
}

/* Redacts token shapes in what the values stage let through, holding back
 * only what more characters could still make a token of: the text is cut
 * before a character that cannot be in a token; a run of token characters
 * longer than TOKEN_HOLD_BYTES goes on where no token can span the cut. */
static void
redact_tokens_part (Stream *s, GString *out, gboolean line_ends)
{
  GString *t = s->tokens;
  gsize cut;

  /* The rest of a token already redacted. */
  if (s->swallow != TOKEN_NONE)
    {
      gsize j = s->ctx_len;

      while (j < t->len && ar_log_in_class (s->swallow, t->str[j]))
        j++;
      if (j > s->ctx_len)
        {
          g_string_erase (t, 0, (gssize) j - 1);
          s->ctx_len = 1;
        }
      if (s->ctx_len < t->len || line_ends)
        s->swallow = TOKEN_NONE;
      else
        return;
    }

  if (line_ends)
    cut = t->len;
  else
    {
      cut = s->ctx_len;
      for (gsize i = t->len; i > s->ctx_len; i--)
        if (!ar_log_is_token_char (t->str[i - 1]) && ((guchar) t->str[i - 1] & 0xc0) != 0x80)
          {
            cut = i - 1;
            break;
          }
      if (t->len - cut >= TOKEN_HOLD_BYTES)
        {
          /* A long run of token characters: what its end cannot change. */
          g_autoptr(GString) probe = g_string_new (NULL);
          TokenClass open = ar_log_redact_tokens_into (probe, t->str, t->len, s->ctx_len, NULL);

          if (open != TOKEN_NONE)
            {
              g_string_append_len (out, probe->str, (gssize) probe->len);
              s->swallow = open;
              g_string_erase (t, 0, (gssize) t->len - 1);
              s->ctx_len = 1;
              return;
            }
          cut = t->len - TOKEN_PREFIX_MAX;
          /* not inside a token found: after it */
          {
            g_autoptr(GMatchInfo) info = NULL;

            g_regex_match_full (ar_log_token_regex (), t->str, (gssize) t->len, (gint) s->ctx_len, 0, &info, NULL);
            for (; g_match_info_matches (info); g_match_info_next (info, NULL))
              {
                gint from, to;

                g_match_info_fetch_pos (info, 0, &from, &to);
                if ((gsize) from < cut && cut < (gsize) to)
                  cut = (gsize) to;
              }
          }
        }
    }
  if (cut > s->ctx_len)
    {
      gsize keep;

      ar_log_redact_tokens_into (out, t->str, cut, s->ctx_len, NULL);
      /* The character before the cut stays as the next part's context. */
      keep = cut - 1;
      while (keep > 0 && ((guchar) t->str[keep] & 0xc0) == 0x80)
        keep--;
      g_string_erase (t, 0, (gssize) keep);
      s->ctx_len = cut - keep;
    }
  if (line_ends)
    {
      g_string_truncate (t, 0);
      s->ctx_len = 0;
      s->swallow = TOKEN_NONE;
    }
}

/* Redacts and writes what can go of stream `which`'s pending line: all of
 * it when the line ends, else all but what a match could still need. */
static void
write_pending (ArTaskLog *self, int which, gboolean line_ends)
{
  Stream *s = &self->streams[which];
  GString *pending = s->pending;
  g_autoptr(GString) out = g_string_sized_new (pending->len + 64);
  gsize limit = pending->len;
  gsize taken;

  if (!line_ends)
    {
      /* A value that starts here may end in the next piece. */
      limit -= MIN (limit, self->longest_secret > 0 ? self->longest_secret - 1 : 0);
      while (limit > 0 && ((guchar) pending->str[limit] & 0xc0) == 0x80)
        limit--;
    }
  redact_secrets (self, s->urls, pending->str, pending->len, limit, &s->cover, &s->in_value);
  g_string_erase (pending, 0, (gssize) limit);
  taken = ar_log_redact_urls_into (s->tokens, s->url_ctx, s->url_ctx_len, s->urls->str, s->urls->len, line_ends);
  /* What the next part's scheme may need of what went. */
  {
    gsize from_urls = MIN (taken, SCHEME_LOOKBACK);
    gsize from_ctx = MIN (s->url_ctx_len, SCHEME_LOOKBACK - from_urls);

    memmove (s->url_ctx, s->url_ctx + s->url_ctx_len - from_ctx, from_ctx);
    memcpy (s->url_ctx + from_ctx, s->urls->str + taken - from_urls, from_urls);
    s->url_ctx_len = from_ctx + from_urls;
  }
  g_string_erase (s->urls, 0, (gssize) taken);
  redact_tokens_part (s, out, line_ends);
  if (line_ends)
    {
      s->cover = 0;
      s->in_value = FALSE;
      s->url_ctx_len = 0;
    }
  if (out->len > 0)
    {
      out_text (self, which, out->str, out->len, FALSE);
      add_shown (s, out->str, out->len);
      s->line_open = TRUE;
    }
}

static gboolean
stream_has_line (Stream *s)
{
  return s->line_open || s->pending->len > 0 || s->raw_carry->len > 0 || s->urls->len > 0 ||
         s->tokens->len > s->ctx_len;
}

/* Ends stream `which`'s line of output: its line end goes to the file, and
 * what it shows is returned (NULL: AR_LOG_END_NONE and no line was open). */
static char *
end_line_locked (ArTaskLog *self, int which, ArLogLineEnd end)
{
  Stream *s = &self->streams[which];
  char *shown;

  if (s->raw_carry->len > 0)
    {
      ar_log_strip_ansi_into (s->pending, s->raw_carry->str, s->raw_carry->str + s->raw_carry->len);
      g_string_truncate (s->raw_carry, 0);
    }
  if (!stream_has_line (s) && end == AR_LOG_END_NONE)
    return NULL;
  write_pending (self, which, TRUE);
  out_text (self, which, end == AR_LOG_END_RETURN ? "\r" : "\n", 1, TRUE);
  if (self->file != NULL)
    fflush (self->file);
  self->n_lines++;
  if (s->n_cut > 0)
    {
      g_autofree char *marker = ar_log_cut_marker (s->n_cut);

      g_string_append (s->shown, marker);
    }
  shown = g_strndup (s->shown->str, s->shown->len);
  g_string_truncate (s->shown, 0);
  s->n_cut = 0;
  s->line_open = FALSE;
  return shown;
}

/* Ends both streams' lines, the one partly in the file first; returns
 * what they show, in that order. */
static GPtrArray *
end_lines_locked (ArTaskLog *self)
{
  GPtrArray *shown = g_ptr_array_new_with_free_func (g_free);
  int first = self->file_owner == 1 ? 1 : 0;

  for (int k = 0; k < 2; k++)
    {
      char *line = end_line_locked (self, k == 0 ? first : 1 - first, AR_LOG_END_NONE);

      if (line != NULL)
        g_ptr_array_add (shown, line);
    }
  return shown;
}

static void
emit_line (ArTaskLog *self, const char *line, ArLogLevel level)
{
  g_autoptr(GPtrArray) before = NULL;
  g_autofree char *redacted = NULL;

  g_mutex_lock (&self->lock);
  /* Lines of output still open end here, rather than take this one in. */
  before = end_lines_locked (self);
  redacted = redact_locked (self, line);
  if (self->file != NULL)
    {
      fputs (redacted, self->file);
      fputc ('\n', self->file);
      fflush (self->file);
    }
  self->n_lines++;
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < before->len; i++)
    emit (self, g_ptr_array_index (before, i), AR_LOG_OUTPUT, FALSE);
  emit (self, redacted, level, FALSE);
}

void
ar_task_log_message (ArTaskLog *self,
                     const char *scope,
                     ArLogLevel level,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list args;

  g_return_if_fail (AR_IS_TASK_LOG (self));

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = ar_log_format (scope, level, message);
  emit_line (self, line, level);
}

void
ar_task_log_output (ArTaskLog *self, const char *line)
{
  g_return_if_fail (AR_IS_TASK_LOG (self));

  ar_task_log_stream_piece (self, AR_LOG_STREAM_STDOUT, line, -1, AR_LOG_END_NEWLINE);
}

void
ar_task_log_output_piece (ArTaskLog *self,
                          const char *text,
                          gssize length,
                          ArLogLineEnd end)
{
  ar_task_log_stream_piece (self, AR_LOG_STREAM_STDOUT, text, length, end);
}

void
ar_task_log_stream_piece (ArTaskLog *self,
                          ArLogStream stream,
                          const char *text,
                          gssize length,
                          ArLogLineEnd end)
{
  g_autofree char *shown = NULL;
  Stream *s;
  int which;
  gsize len;
  const char *p, *stop, *hold;

  g_return_if_fail (AR_IS_TASK_LOG (self));
  g_return_if_fail (text != NULL || length == 0);
  g_return_if_fail (stream == AR_LOG_STREAM_STDOUT || stream == AR_LOG_STREAM_STDERR);

  which = stream == AR_LOG_STREAM_STDERR ? 1 : 0;
  s = &self->streams[which];
  len = length >= 0 ? (gsize) length : strlen (text);
  g_mutex_lock (&self->lock);

  /* Escapes are stripped before anything else sees the text; one cut by
   * the end of this piece waits for the next (within reason). */
  g_string_append_len (s->raw_carry, text, (gssize) len);
  p = s->raw_carry->str;
  stop = p + s->raw_carry->len;
  hold = stop;
  if (end == AR_LOG_END_NONE)
    {
      const char *esc = NULL;

      for (const char *q = stop; q > p && stop - q < ESCAPE_HOLD_BYTES; q--)
        if (q[-1] == '\033')
          {
            esc = q - 1;
            break;
          }
      if (esc != NULL && ar_log_escape_end (esc, stop) == NULL)
        hold = esc;
    }
  ar_log_strip_ansi_into (s->pending, p, hold);
  g_string_erase (s->raw_carry, 0, hold - p);

  if (end != AR_LOG_END_NONE)
    shown = end_line_locked (self, which, end);
  else if (s->pending->len >= PART_BYTES)
    {
      write_pending (self, which, FALSE);
      if (self->file != NULL)
        fflush (self->file);
    }
  g_mutex_unlock (&self->lock);

  if (shown != NULL)
    emit (self, shown, AR_LOG_OUTPUT, end == AR_LOG_END_RETURN);
}

guint64
ar_task_log_get_n_lines (ArTaskLog *self)
{
  guint64 n;

  g_return_val_if_fail (AR_IS_TASK_LOG (self), 0);
  g_mutex_lock (&self->lock);
  n = self->n_lines;
  g_mutex_unlock (&self->lock);
  return n;
}

const char *
ar_task_log_get_path (ArTaskLog *self)
{
  g_return_val_if_fail (AR_IS_TASK_LOG (self), NULL);
  return self->path;
}

void
ar_task_log_close (ArTaskLog *self)
{
  g_autoptr(GPtrArray) shown = NULL;

  g_return_if_fail (AR_IS_TASK_LOG (self));
  g_mutex_lock (&self->lock);
  shown = end_lines_locked (self);
  g_clear_pointer (&self->file, fclose);
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < shown->len; i++)
    emit (self, g_ptr_array_index (shown, i), AR_LOG_OUTPUT, FALSE);
}

ArTaskLog *
ar_task_log_new (const char *path, GError **error)
{
  g_autoptr(ArTaskLog) self = g_object_new (AR_TYPE_TASK_LOG, NULL);

  if (path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_mkdir_with_parents (dir, 0700);
      self->file = fopen (path, "ae");
      if (self->file == NULL)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Could not open the log %s: %s", path, g_strerror (saved));
          return NULL;
        }
      self->path = g_strdup (path);
    }
  return g_steal_pointer (&self);
}

static void
ar_task_log_finalize (GObject *object)
{
  ArTaskLog *self = AR_TASK_LOG (object);

  g_clear_pointer (&self->file, fclose);
  g_free (self->path);
  g_ptr_array_unref (self->secrets);
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    {
      Stream *s = &self->streams[i];

      g_string_free (s->raw_carry, TRUE);
      g_string_free (s->pending, TRUE);
      g_string_free (s->urls, TRUE);
      g_string_free (s->tokens, TRUE);
      g_string_free (s->shown, TRUE);
      g_string_free (s->deferred, TRUE);
    }
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ar_task_log_parent_class)->finalize (object);
}

static void
ar_task_log_class_init (ArTaskLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ar_task_log_finalize;

  signals[SIGNAL_LINE] =
    g_signal_new ("line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
}

static void
ar_task_log_init (ArTaskLog *self)
{
  g_mutex_init (&self->lock);
  self->secrets = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->streams); i++)
    {
      Stream *s = &self->streams[i];

      s->raw_carry = g_string_new (NULL);
      s->pending = g_string_new (NULL);
      s->urls = g_string_new (NULL);
      s->tokens = g_string_new (NULL);
      s->shown = g_string_new (NULL);
      s->deferred = g_string_new (NULL);
    }
  self->file_owner = -1;
}
