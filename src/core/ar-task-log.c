/* ar-task-log.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "ar-task-log.h"

#define REDACTED "[REDACTED]"
#define MIN_SECRET_LENGTH 4

struct _ArTaskLog
{
  GObject parent_instance;

  GMutex lock;
  char *path;
  FILE *file;
  GPtrArray *secrets;   /* longest first, so a value inside another goes after */
  guint64 n_lines;
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

char *
ar_log_strip_ansi (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '\033')
        {
          p++;
          if (*p == '[')
            {
              /* CSI: parameters and intermediates, then one final byte. */
              p++;
              while (*p != '\0' && !(*p >= 0x40 && *p <= 0x7e))
                p++;
              if (*p != '\0')
                p++;
            }
          else if (*p == ']')
            {
              /* OSC: up to BEL or ESC \ */
              p++;
              while (*p != '\0' && *p != '\a' && !(p[0] == '\033' && p[1] == '\\'))
                p++;
              if (*p == '\a')
                p++;
              else if (*p == '\033')
                p += 2;
            }
          else if (*p != '\0')
            p++;
          continue;
        }
      if ((guchar) *p < 0x20 && *p != '\t')
        {
          p++;
          continue;
        }
      g_string_append_c (out, *p);
      p++;
    }
  return g_string_free (out, FALSE);
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

static char *
redact_locked (ArTaskLog *self, const char *text)
{
  g_autofree char *out = g_regex_replace_literal (token_regex (), text, -1, 0, REDACTED, 0, NULL);

  for (guint i = 0; i < self->secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (self->secrets, i);
      if (strstr (out, secret) != NULL)
        {
          g_auto(GStrv) parts = g_strsplit (out, secret, -1);
          g_free (out);
          out = g_strjoinv (REDACTED, parts);
        }
    }
  return g_steal_pointer (&out);
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
  return (int) strlen (*(const char **) b) - (int) strlen (*(const char **) a);
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

static void
emit_line (ArTaskLog *self, const char *line, ArLogLevel level)
{
  g_autofree char *redacted = NULL;

  g_mutex_lock (&self->lock);
  redacted = redact_locked (self, line);
  if (self->file != NULL)
    {
      fputs (redacted, self->file);
      fputc ('\n', self->file);
      fflush (self->file);
    }
  self->n_lines++;
  g_mutex_unlock (&self->lock);

  g_signal_emit (self, signals[SIGNAL_LINE], 0, redacted, (int) level);
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
  g_autofree char *clean = NULL;

  g_return_if_fail (AR_IS_TASK_LOG (self));
  clean = ar_log_strip_ansi (line);
  emit_line (self, clean, AR_LOG_OUTPUT);
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
  g_return_if_fail (AR_IS_TASK_LOG (self));
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->file, fclose);
  g_mutex_unlock (&self->lock);
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
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ar_task_log_parent_class)->finalize (object);
}

static void
ar_task_log_class_init (ArTaskLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ar_task_log_finalize;

  signals[SIGNAL_LINE] =
    g_signal_new ("line", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
}

static void
ar_task_log_init (ArTaskLog *self)
{
  g_mutex_init (&self->lock);
  self->secrets = g_ptr_array_new_with_free_func (g_free);
}
