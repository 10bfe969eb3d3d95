/* ar-task-log-text.c — the task log's text functions: escape sequences
 * stripped, token shapes and URL credentials redacted, the cut marker,
 * secret-looking names. Pure functions of their input; the writer in
 * ar-task-log.c applies them to lines and to pieces of lines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-task-log.h"
#include "ar-task-log-private.h"

/* Where the escape sequence at p (an ESC) ends, or NULL when the text
 * stops inside it: a piece of output may end in the middle of one. */
const char *
ar_log_escape_end (const char *p, const char *end)
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

void
ar_log_strip_ansi_into (GString *out, const char *p, const char *end)
{
  while (p < end)
    {
      if (*p == '\033')
        {
          const char *after = ar_log_escape_end (p, end);

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

  ar_log_strip_ansi_into (out, text, text + strlen (text));
  return g_string_free (out, FALSE);
}

char *
ar_log_cut_marker (guint64 n_more)
{
  /* Translators: ends a line of output too long to show whole; %s is a number */
  g_autofree char *count = g_strdup_printf ("%'" G_GUINT64_FORMAT, n_more);

  return g_strdup_printf (_ (" … [line cut: %s bytes more; the log file has all of it]"), count);
}

gboolean
ar_log_is_secret_name (const char *name)
{
  g_autofree char *upper = g_ascii_strup (name, -1);

  return strstr (upper, "TOKEN") != NULL || strstr (upper, "KEY") != NULL ||
         strstr (upper, "SECRET") != NULL || strstr (upper, "PASSWORD") != NULL;
}

GRegex *
ar_log_token_regex (void)
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

gboolean
ar_log_in_class (TokenClass class, char c)
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

static TokenClass
class_of_token (const char *token)
{
  if (g_str_has_prefix (token, "sk-"))
    return TOKEN_SK;
  if (g_str_has_prefix (token, "github_pat_"))
    return TOKEN_GH_PAT;
  return TOKEN_GH;
}

gboolean
ar_log_is_token_char (char c)
{
  return ar_log_in_class (TOKEN_SK, c);
}

/* Appends text[start, len) to out with token shapes replaced; text[0,
 * start) is only what comes before (a token starts at a word boundary).
 * Returns the class of a token that runs to the very end, and in *last the
 * start of the last token found (len: none). */
TokenClass
ar_log_redact_tokens_into (GString *out, const char *text, gsize len, gsize start, gsize *last)
{
  g_autoptr(GMatchInfo) info = NULL;
  gsize done = start;
  TokenClass open = TOKEN_NONE;

  if (last != NULL)
    *last = len;
  g_regex_match_full (ar_log_token_regex (), text, (gssize) len, (gint) start, 0, &info, NULL);
  while (g_match_info_matches (info))
    {
      gint from, to;

      g_match_info_fetch_pos (info, 0, &from, &to);
      g_string_append_len (out, text + done, (gssize) from - (gssize) done);
      g_string_append (out, REDACTED);
      if (last != NULL)
        *last = (gsize) from;
      open = (gsize) to == len ? class_of_token (text + from) : TOKEN_NONE;
      done = (gsize) to;
      g_match_info_next (info, NULL);
    }
  g_string_append_len (out, text + done, (gssize) len - (gssize) done);
  return open;
}

static gboolean
is_scheme_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '-' || c == '.';
}

static gboolean
ends_authority (char c)
{
  return strchr ("/ \t\r\n\"'<>`", c) != NULL;
}

typedef enum {
  SCHEME_NONE,
  SCHEME_SSH, /* a login name there is no secret */
  SCHEME_OTHER,
} SchemeKind;

/* The scheme that ends at text[k] (where "://" starts), looking back into
 * ctx (the bytes before text) if need be. */
static SchemeKind
scheme_before (const char *ctx, gsize ctx_len, const char *text, gsize k)
{
  char name[SCHEME_LOOKBACK + 1];
  gsize n = 0;

  for (gsize i = k; i > 0 && n < SCHEME_LOOKBACK && is_scheme_char (text[i - 1]); i--)
    name[SCHEME_LOOKBACK - 1 - n++] = g_ascii_tolower (text[i - 1]);
  if (n == k)
    for (gsize i = ctx_len; i > 0 && n < SCHEME_LOOKBACK && is_scheme_char (ctx[i - 1]); i--)
      name[SCHEME_LOOKBACK - 1 - n++] = g_ascii_tolower (ctx[i - 1]);
  if (n == 0)
    return SCHEME_NONE;
  if (n == SCHEME_LOOKBACK)
    return SCHEME_OTHER;
  name[SCHEME_LOOKBACK] = '\0';
  {
    const char *scheme = name + SCHEME_LOOKBACK - n;

    return g_str_equal (scheme, "ssh") || g_str_equal (scheme, "git+ssh") || g_str_equal (scheme, "ssh+git")
             ? SCHEME_SSH
             : SCHEME_OTHER;
  }
}

/* Appends text[0, len) to out with every URL's user:password@ (or token@:
 * what comes before the last "@" within URL_AUTHORITY_MAX bytes of "://"
 * and before the path) as "[REDACTED]@"; an ssh login name alone stays.
 * ctx: the bytes before text. Unless `all`, stops where more text could
 * change what follows; returns how many bytes of text it took. */
gsize
ar_log_redact_urls_into (GString *out, const char *ctx, gsize ctx_len, const char *text, gsize len, gboolean all)
{
  gsize i = 0;

  for (;;)
    {
      const char *hit = i + 3 <= len ? memmem (text + i, len - i, "://", 3) : NULL;
      gsize k, auth, j, at = 0;
      gboolean has_at = FALSE;
      SchemeKind kind;

      if (hit == NULL)
        {
          gsize end = len;

          /* A "://" may begin in the last two bytes. */
          if (!all && end >= 1 && text[end - 1] == ':')
            end--;
          else if (!all && end >= 2 && text[end - 2] == ':' && text[end - 1] == '/')
            end -= 2;
          end = MAX (end, i);
          g_string_append_len (out, text + i, (gssize) (end - i));
          return end;
        }
      k = (gsize) (hit - text);
      auth = k + 3;
      for (j = auth; j < len && j - auth < URL_AUTHORITY_MAX && !ends_authority (text[j]); j++)
        if (text[j] == '@')
          {
            at = j;
            has_at = TRUE;
          }
      if (!all && j == len && j - auth < URL_AUTHORITY_MAX)
        {
          /* The authority goes on in the next piece. */
          g_string_append_len (out, text + i, (gssize) (k - i));
          return k;
        }
      kind = scheme_before (ctx, ctx_len, text, k);
      g_string_append_len (out, text + i, (gssize) (auth - i));
      if (has_at && at > auth && kind != SCHEME_NONE)
        {
          if (kind == SCHEME_SSH && memchr (text + auth, ':', at - auth) == NULL)
            g_string_append_len (out, text + auth, (gssize) (at - auth));
          else
            g_string_append (out, REDACTED);
          i = at;
        }
      else
        i = auth;
    }
}

char *
ar_log_redact_url_userinfo (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  ar_log_redact_urls_into (out, NULL, 0, text, strlen (text), TRUE);
  return g_string_free (out, FALSE);
}
