/* ar-task-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "ar-task-log.h"

#define REDACTED "[REDACTED]"
#define MIN_SECRET_LENGTH 4
/* A line of output longer than this is written to the file in parts of
 * about this size, so that memory stays bounded whatever comes. */
#define PART_BYTES (64 * 1024)
/* A run of token characters at the end of a part waits for the next one
 * (a token cut in two would match in neither half), up to this length. */
#define TOKEN_HOLD_BYTES 4096
/* An escape sequence cut by the end of a piece waits, up to this length. */
#define ESCAPE_HOLD_BYTES 4096

/* What a token that ran up to the end of a written part may go on with. */
typedef enum {
  TOKEN_NONE,
  TOKEN_SK,       /* [A-Za-z0-9_-] */
  TOKEN_GH,       /* [A-Za-z0-9] */
  TOKEN_GH_PAT,   /* [A-Za-z0-9_] */
} TokenClass;

struct _ArTaskLog
{
  GObject parent_instance;

  GMutex lock;
  char *path;
  FILE *file;
  GPtrArray *secrets;   /* longest first, so a value inside another goes after */
  gsize longest_secret;
  guint64 n_lines;

  /* the line of output being written in parts (see ar_task_log_output_piece) */
  GString *raw_carry;   /* an escape sequence cut by the end of a piece */
  GString *pending;     /* stripped, not yet redacted nor written */
  GString *shown;       /* its first AR_TASK_LOG_MAX_LINE_BYTES, redacted */
  guint64 n_cut;        /* bytes past those */
  gboolean line_open;   /* part of it is in the file */
  gsize cover;          /* its next bytes are inside a value already redacted */
  TokenClass swallow;   /* the rest of a token already redacted */
};

G_DEFINE_FINAL_TYPE (ArTaskLog, ar_task_log, G_TYPE_OBJECT)

enum { SIGNAL_LINE, N_SIGNALS };
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

/* Where the escape sequence at p (an ESC) ends, or NULL when the text
 * stops inside it: a piece of output may end in the middle of one. */
static const char *
escape_end (const char *p, const char *end)
{
  p++;
  if (p >= end)
    return NULL;
  if (*p == '[')
    {
      /* CSI: parameters and intermediates, then one final byte. */
      for (p++; p < end; p++)
        if (*p >= 0x40 && *p <= 0x7e)
          return p + 1;
      return NULL;
    }
  if (*p == ']')
    {
      /* OSC: up to BEL or ESC \ */
      for (p++; p < end; p++)
        {
          if (*p == '\a')
            return p + 1;
          if (*p == '\033')
            return p + 1 < end ? p + 2 : NULL;
        }
      return NULL;
    }
  return p + 1;
}

static void
strip_ansi_into (GString *out, const char *p, const char *end)
{
  while (p < end)
    {
      if (*p == '\033')
        {
          const char *after = escape_end (p, end);

          p = after != NULL ? after : end;
          continue;
        }
      if ((guchar) *p < 0x20 && *p != '\t')
        {
          p++;
          continue;
        }
      {
        const char *q = p + 1;

        while (q < end && ((guchar) *q >= 0x20 || *q == '\t') && *q != '\033')
          q++;
        g_string_append_len (out, p, q - p);
        p = q;
      }
    }
}

char *
ar_log_strip_ansi (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  strip_ansi_into (out, text, text + strlen (text));
  return g_string_free (out, FALSE);
}

char *
ar_log_cut_marker (guint64 n_more)
{
  /* Translators: ends a line of output too long to show whole; %s is a number */
  g_autofree char *count = g_strdup_printf ("%'" G_GUINT64_FORMAT, n_more);

  return g_strdup_printf (_(" … [line cut: %s bytes more; the log file has all of it]"), count);
}

gboolean
ar_log_is_secret_name (const char *name)
{
  g_autofree char *upper = g_ascii_strup (name, -1);

  return strstr (upper, "TOKEN") != NULL || strstr (upper, "KEY") != NULL ||
         strstr (upper, "SECRET") != NULL || strstr (upper, "PASSWORD") != NULL;
}

static GRegex *
token_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      /* GitHub tokens (classic and fine-grained) and sk-… API keys. */
      GRegex *r = g_regex_new ("\\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|"
                               "sk-[A-Za-z0-9_-]{16,})",
                               G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, r);
    }
  return regex;
}

static gboolean
in_class (TokenClass class, char c)
{
  switch (class)
    {
    case TOKEN_SK:
      return g_ascii_isalnum (c) || c == '_' || c == '-';
    case TOKEN_GH:
      return g_ascii_isalnum (c);
    case TOKEN_GH_PAT:
      return g_ascii_isalnum (c) || c == '_';
    case TOKEN_NONE:
    default:
      return FALSE;
    }
}

/* Replaces the registered values in text[0, limit) (len >= limit: a value
 * that starts before limit is seen whole). Every byte inside some
 * occurrence of some value is covered, so that overlapping values and a
 * value inside another all go; each covered run becomes one [REDACTED].
 * *cover: in, how many bytes at the start are covered by a value that
 * began earlier; out, how many past limit are. The values go before the
 * token shapes: a value that holds a token would otherwise lose only its
 * token part. */
static void
redact_secrets (ArTaskLog *self, GString *out, const char *text, gsize len, gsize limit, gsize *cover)
{
  gsize cover_end = *cover;
  gboolean in_run = FALSE;

  if (self->secrets->len == 0 && cover_end == 0)
    {
      g_string_append_len (out, text, (gssize) limit);
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
}

static TokenClass
class_of_token (const char *token)
{
  if (g_str_has_prefix (token, "sk-"))
    return TOKEN_SK;
  if (g_str_has_prefix (token, "github_pat_"))
    return TOKEN_GH_PAT;
  return TOKEN_GH;
}

/* The token shapes in text; *open gets the class of a token that runs to
 * the very end (NULL: not asked). */
static char *
redact_tokens (const char *text, gsize len, TokenClass *open)
{
  g_autoptr(GMatchInfo) info = NULL;
  GString *out = g_string_sized_new (len);
  gint last = 0;

  if (open != NULL)
    *open = TOKEN_NONE;
  g_regex_match_full (token_regex (), text, (gssize) len, 0, 0, &info, NULL);
  while (g_match_info_matches (info))
    {
      gint start, end;

      g_match_info_fetch_pos (info, 0, &start, &end);
      g_string_append_len (out, text + last, start - last);
      g_string_append (out, REDACTED);
      if (open != NULL && (gsize) end == len)
        *open = class_of_token (text + start);
      last = end;
      g_match_info_next (info, NULL);
    }
  g_string_append_len (out, text + last, (gssize) len - last);
  return g_string_free (out, FALSE);
}

static char *
redact_locked (ArTaskLog *self, const char *text)
{
  g_autoptr(GString) out = g_string_sized_new (strlen (text));
  gsize len = strlen (text);
  gsize cover = 0;

  redact_secrets (self, out, text, len, len, &cover);
  return redact_tokens (out->str, out->len, NULL);
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
add_shown (ArTaskLog *self, const char *text, gsize len)
{
  gsize room = AR_TASK_LOG_MAX_LINE_BYTES - MIN (self->shown->len, AR_TASK_LOG_MAX_LINE_BYTES);

  if (self->n_cut == 0 && len > room)
    {
      gsize take = room;

      /* Not inside a UTF-8 character. */
      while (take > 0 && ((guchar) text[take] & 0xc0) == 0x80)
        take--;
      g_string_append_len (self->shown, text, (gssize) take);
      self->n_cut = len - take;
    }
  else if (self->n_cut == 0)
    g_string_append_len (self->shown, text, (gssize) len);
  else
    self->n_cut += len;
}

static void
write_text (ArTaskLog *self, const char *text, gsize len)
{
  if (self->file != NULL)
    fwrite (text, 1, len, self->file);
}

/* Redacts and writes what can go of the pending line: all of it when the
 * line ended, else all but what a match could still need. */
static void
write_pending (ArTaskLog *self, gboolean line_ends)
{
  GString *pending = self->pending;
  g_autoptr(GString) out = NULL;
  g_autofree char *redacted = NULL;
  gsize start = 0, limit, consumed;
  TokenClass open = TOKEN_NONE;

  /* The rest of a token cut at the end of the last part. */
  while (self->swallow != TOKEN_NONE && start < pending->len && in_class (self->swallow, pending->str[start]))
    start++;
  if (start < pending->len || line_ends)
    self->swallow = TOKEN_NONE;
  self->cover = self->cover > start ? self->cover - start : 0;

  limit = pending->len;
  if (!line_ends)
    {
      /* A value that starts here may end in the next piece. */
      limit -= MIN (limit - start, self->longest_secret > 0 ? self->longest_secret - 1 : 0);
      while (limit > start && ((guchar) pending->str[limit] & 0xc0) == 0x80)
        limit--;
    }
  out = g_string_sized_new (limit - start + 64);
  redact_secrets (self, out, pending->str + start, pending->len - start, limit - start, &self->cover);
  consumed = limit;
  if (!line_ends)
    {
      gsize run = 0;

      while (run < out->len && in_class (TOKEN_SK, out->str[out->len - 1 - run]))
        run++;
      /* A short run may be the start of a token: it waits for the rest (it
       * is not inside a value: a value's bytes became [REDACTED]). A longer
       * one goes, and what continues a token in it is cut later. */
      if (run < TOKEN_HOLD_BYTES && run < out->len)
        {
          g_string_truncate (out, out->len - run);
          consumed -= run;
        }
    }
  else
    self->cover = 0;
  redacted = redact_tokens (out->str, out->len, line_ends ? NULL : &open);
  if (open != TOKEN_NONE)
    self->swallow = open;
  g_string_erase (pending, 0, (gssize) consumed);

  if (*redacted != '\0')
    {
      gsize n = strlen (redacted);

      write_text (self, redacted, n);
      add_shown (self, redacted, n);
      self->line_open = TRUE;
    }
}

/* Ends the line of output being written, if any: its line end goes to the
 * file, and what it shows is returned (NULL: no line was open). */
static char *
end_line_locked (ArTaskLog *self, ArLogLineEnd end)
{
  char *shown;

  if (self->raw_carry->len > 0)
    {
      strip_ansi_into (self->pending, self->raw_carry->str, self->raw_carry->str + self->raw_carry->len);
      g_string_truncate (self->raw_carry, 0);
    }
  if (!self->line_open && self->pending->len == 0 && end == AR_LOG_END_NONE)
    return NULL;
  write_pending (self, TRUE);
  if (self->file != NULL)
    {
      fputc (end == AR_LOG_END_RETURN ? '\r' : '\n', self->file);
      fflush (self->file);
    }
  self->n_lines++;
  if (self->n_cut > 0)
    {
      g_autofree char *marker = ar_log_cut_marker (self->n_cut);

      g_string_append (self->shown, marker);
    }
  shown = g_strndup (self->shown->str, self->shown->len);
  g_string_truncate (self->shown, 0);
  self->n_cut = 0;
  self->line_open = FALSE;
  return shown;
}

static void
emit_line (ArTaskLog *self, const char *line, ArLogLevel level)
{
  g_autofree char *before = NULL;
  g_autofree char *redacted = NULL;

  g_mutex_lock (&self->lock);
  /* A line of output still open ends here, rather than take this one in. */
  before = end_line_locked (self, AR_LOG_END_NONE);
  redacted = redact_locked (self, line);
  if (self->file != NULL)
    {
      fputs (redacted, self->file);
      fputc ('\n', self->file);
      fflush (self->file);
    }
  self->n_lines++;
  g_mutex_unlock (&self->lock);

  if (before != NULL)
    emit (self, before, AR_LOG_OUTPUT, FALSE);
  emit (self, redacted, level, FALSE);
}

void
ar_task_log_message (ArTaskLog  *self,
                     const char *scope,
                     ArLogLevel  level,
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

  ar_task_log_output_piece (self, line, -1, AR_LOG_END_NEWLINE);
}

void
ar_task_log_output_piece (ArTaskLog    *self,
                          const char   *text,
                          gssize        length,
                          ArLogLineEnd  end)
{
  g_autofree char *shown = NULL;
  gsize len;
  const char *p, *stop, *hold;

  g_return_if_fail (AR_IS_TASK_LOG (self));
  g_return_if_fail (text != NULL || length == 0);

  len = length >= 0 ? (gsize) length : strlen (text);
  g_mutex_lock (&self->lock);

  /* Escapes are stripped before anything else sees the text; one cut by
   * the end of this piece waits for the next (within reason). */
  g_string_append_len (self->raw_carry, text, (gssize) len);
  p = self->raw_carry->str;
  stop = p + self->raw_carry->len;
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
      if (esc != NULL && escape_end (esc, stop) == NULL)
        hold = esc;
    }
  strip_ansi_into (self->pending, p, hold);
  g_string_erase (self->raw_carry, 0, hold - p);

  if (end != AR_LOG_END_NONE)
    shown = end_line_locked (self, end);
  else if (self->pending->len >= PART_BYTES)
    {
      write_pending (self, FALSE);
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
  g_autofree char *shown = NULL;

  g_return_if_fail (AR_IS_TASK_LOG (self));
  g_mutex_lock (&self->lock);
  shown = end_line_locked (self, AR_LOG_END_NONE);
  g_clear_pointer (&self->file, fclose);
  g_mutex_unlock (&self->lock);
  if (shown != NULL)
    emit (self, shown, AR_LOG_OUTPUT, FALSE);
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
  g_string_free (self->raw_carry, TRUE);
  g_string_free (self->pending, TRUE);
  g_string_free (self->shown, TRUE);
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
  self->raw_carry = g_string_new (NULL);
  self->pending = g_string_new (NULL);
  self->shown = g_string_new (NULL);
}
