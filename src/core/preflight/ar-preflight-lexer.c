/* ar-preflight-lexer.c — the tokens of a preflight script
 *
 * Words with their quotes removed and their expansions ($(…), ${…}, `…`)
 * kept as written, operators, redirections and newlines; here-document
 * bodies are read after the newline that ends their line, and comments are
 * set aside, since they travel with the unit below them. Never fails: an
 * unterminated quote runs to the end of the script.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"

#include <string.h>

static void
heredoc_clear (gpointer data)
{
  ArPreflightHereDoc *h = data;

  g_free (h->delim);
}

void
ar_preflight_lexer_init (ArPreflightLexer *lx,
                         const char *s,
                         gsize len,
                         gsize pos,
                         guint line)
{
  memset (lx, 0, sizeof *lx);
  lx->s = s;
  lx->len = len;
  lx->pos = pos;
  lx->line = line;
  lx->heredocs = g_array_new (FALSE, TRUE, sizeof (ArPreflightHereDoc));
  g_array_set_clear_func (lx->heredocs, heredoc_clear);
  lx->comments = g_array_new (FALSE, FALSE, sizeof (ArPreflightSpan));
}

void
ar_preflight_lexer_give_up (ArPreflightLexer *lx, guint line)
{
  if (lx->too_deep_line == 0)
    lx->too_deep_line = MAX (line, 1);
  lx->pos = lx->len;
}

void
ar_preflight_lexer_clear (ArPreflightLexer *lx)
{
  g_array_unref (lx->heredocs);
  g_array_unref (lx->comments);
}

static inline char
lx_peek (ArPreflightLexer *lx, gsize ahead)
{
  return lx->pos + ahead < lx->len ? lx->s[lx->pos + ahead] : '\0';
}

static inline void
lx_step (ArPreflightLexer *lx)
{
  if (lx->s[lx->pos] == '\n')
    lx->line++;
  lx->pos++;
}

/* At a backslash: skips it and the character it escapes. */
static inline void
lx_skip_escape (ArPreflightLexer *lx)
{
  lx->pos++;
  if (lx->pos < lx->len)
    lx_step (lx);
}

static gboolean
skip_squote (ArPreflightLexer *lx)
{
  lx->pos++;
  while (lx->pos < lx->len && lx->s[lx->pos] != '\'')
    lx_step (lx);
  if (lx->pos >= lx->len)
    return FALSE;
  lx->pos++;
  return TRUE;
}

static void
skip_backtick (ArPreflightLexer *lx)
{
  lx->pos++;
  while (lx->pos < lx->len)
    {
      char c = lx->s[lx->pos];

      if (c == '\\')
        lx_skip_escape (lx);
      else if (c == '`')
        {
          lx->pos++;
          return;
        }
      else
        lx_step (lx);
    }
}

/* What skip_nested is inside of; its stack holds one per level. */
typedef enum {
  FRAME_PAREN,  /* ( … ): command substitution, arithmetic, arrays, globs */
  FRAME_BRACE,  /* ${ … } */
  FRAME_DQUOTE, /* " … " inside one of those */
} Frame;

/* Enters one more level, or gives up on the script when that would be
 * deeper than AR_PREFLIGHT_MAX_NESTING: the lexer jumps to the end, so the
 * parser stops, and the analysis reports the line. */
static gboolean
push_frame (ArPreflightLexer *lx, guint8 *stack, guint *depth, Frame frame)
{
  if (*depth >= AR_PREFLIGHT_MAX_NESTING)
    {
      ar_preflight_lexer_give_up (lx, lx->line);
      return FALSE;
    }
  stack[(*depth)++] = frame;
  return TRUE;
}

/* Just past the character that opens @first: skips to the end of that
 * level, with an explicit stack rather than recursion, so that any nesting
 * is safe. In ( … ) a '#' after a blank starts a comment; in ${ … } it is
 * an operator, and a $( … ) inside is skipped whole; in " … " only $( … ),
 * ${ … } and `…` nest. */
static void
skip_nested (ArPreflightLexer *lx, Frame first)
{
  guint8 stack[AR_PREFLIGHT_MAX_NESTING];
  guint depth = 0;

  if (!push_frame (lx, stack, &depth, first))
    return;
  while (depth > 0 && lx->pos < lx->len)
    {
      Frame frame = stack[depth - 1];
      char c = lx->s[lx->pos];
      char n = lx_peek (lx, 1);

      if (c == '\\')
        lx_skip_escape (lx);
      else if (c == '`')
        skip_backtick (lx);
      else if (frame == FRAME_DQUOTE)
        {
          if (c == '"')
            {
              lx->pos++;
              depth--;
            }
          else if (c == '$' && (n == '(' || n == '{'))
            {
              lx->pos += 2;
              if (!push_frame (lx, stack, &depth, n == '(' ? FRAME_PAREN : FRAME_BRACE))
                return;
            }
          else
            lx_step (lx);
        }
      else if (c == (frame == FRAME_PAREN ? ')' : '}'))
        {
          lx->pos++;
          depth--;
        }
      else if (c == (frame == FRAME_PAREN ? '(' : '{'))
        {
          lx->pos++;
          if (!push_frame (lx, stack, &depth, frame))
            return;
        }
      else if (c == '\'')
        skip_squote (lx);
      else if (c == '"')
        {
          lx->pos++;
          if (!push_frame (lx, stack, &depth, FRAME_DQUOTE))
            return;
        }
      else if (c == '#' && frame == FRAME_PAREN && g_ascii_isspace (lx->s[lx->pos - 1]))
        {
          while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
            lx->pos++;
        }
      else if (c == '$' && frame == FRAME_BRACE && n == '(')
        {
          lx->pos += 2;
          if (!push_frame (lx, stack, &depth, FRAME_PAREN))
            return;
        }
      else
        lx_step (lx);
    }
}

/* At '(': skips to the matching ')'. */
static void
skip_group (ArPreflightLexer *lx)
{
  lx->pos++;
  skip_nested (lx, FRAME_PAREN);
}

/* At '$' followed by '(' or '{'. */
static void
skip_expansion (ArPreflightLexer *lx)
{
  lx->pos += 2;
  skip_nested (lx, lx->s[lx->pos - 1] == '(' ? FRAME_PAREN : FRAME_BRACE);
}

static inline gboolean
is_meta (char c)
{
  switch (c)
    {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case ';':
    case '&':
    case '|':
    case '<':
    case '>':
    case '(':
    case ')':
      return TRUE;
    default:
      return FALSE;
    }
}

/* At $(, ${ or `: appends the expansion as written. */
static void
append_expansion (ArPreflightLexer *lx, GString *v)
{
  gsize start = lx->pos;

  if (lx->s[lx->pos] == '`')
    skip_backtick (lx);
  else
    skip_expansion (lx);
  g_string_append_len (v, lx->s + start, lx->pos - start);
}

static void
lex_dquote_value (ArPreflightLexer *lx, GString *v)
{
  lx->pos++;
  while (lx->pos < lx->len)
    {
      char c = lx->s[lx->pos];
      char n = lx_peek (lx, 1);

      if (c == '"')
        {
          lx->pos++;
          return;
        }
      if (c == '\\')
        {
          if (n == '\n')
            {
              lx->pos += 2;
              lx->line++;
            }
          else if (n != '\0' && strchr ("$`\"\\", n) != NULL)
            {
              g_string_append_c (v, n);
              lx->pos += 2;
            }
          else
            {
              g_string_append_c (v, c);
              lx->pos++;
            }
          continue;
        }
      if ((c == '$' && (n == '(' || n == '{')) || c == '`')
        {
          append_expansion (lx, v);
          continue;
        }
      g_string_append_c (v, c);
      lx_step (lx);
    }
}

static void
lex_word (ArPreflightLexer *lx, ArPreflightToken *tok)
{
  GString *v = g_string_new (NULL);

  tok->kind = AR_PREFLIGHT_TOKEN_WORD;
  while (lx->pos < lx->len)
    {
      char c = lx->s[lx->pos];
      char n = lx_peek (lx, 1);

      if (c == '\\')
        {
          if (n == '\n')
            {
              lx->pos += 2;
              lx->line++;
              continue;
            }
          tok->quoted = TRUE;
          if (n != '\0')
            g_string_append_c (v, n);
          lx_skip_escape (lx);
        }
      else if (c == '\'')
        {
          gsize start = lx->pos + 1;
          gboolean closed = skip_squote (lx);

          tok->quoted = TRUE;
          g_string_append_len (v, lx->s + start, lx->pos - start - (closed ? 1 : 0));
        }
      else if (c == '"')
        {
          tok->quoted = TRUE;
          lex_dquote_value (lx, v);
        }
      else if (c == '$' && n == '\'')
        {
          /* $'…': backslash escapes inside, kept as written */
          tok->quoted = TRUE;
          lx->pos += 2;
          while (lx->pos < lx->len && lx->s[lx->pos] != '\'')
            {
              if (lx->s[lx->pos] == '\\' && lx->pos + 1 < lx->len)
                g_string_append_c (v, lx->s[lx->pos++]);
              g_string_append_c (v, lx->s[lx->pos]);
              lx_step (lx);
            }
          if (lx->pos < lx->len)
            lx->pos++;
        }
      else if ((c == '$' && (n == '(' || n == '{')) || c == '`')
        append_expansion (lx, v);
      else if (c == '(' && v->len > 0 && strchr ("=@!+*?", v->str[v->len - 1]) != NULL)
        {
          /* arr=(…) and extended globs */
          gsize start = lx->pos;

          skip_group (lx);
          g_string_append_len (v, lx->s + start, lx->pos - start);
        }
      else if (is_meta (c))
        break;
      else
        {
          g_string_append_c (v, c);
          lx->pos++;
        }
    }
  tok->value = g_string_free (v, FALSE);
}

/* After a newline: reads the bodies of the here-documents opened on the
 * line it ends. */
static void
lex_read_bodies (ArPreflightLexer *lx)
{
  while (lx->next_body < lx->heredocs->len)
    {
      ArPreflightHereDoc *h = &g_array_index (lx->heredocs, ArPreflightHereDoc, lx->next_body++);
      gsize dlen = strlen (h->delim);

      h->read = TRUE;
      h->start = lx->pos;
      h->first_line = lx->line;
      h->end = h->mask_end = lx->len;
      while (lx->pos < lx->len)
        {
          const char *eol = memchr (lx->s + lx->pos, '\n', lx->len - lx->pos);
          gsize e = eol != NULL ? (gsize) (eol - lx->s) : lx->len;
          gsize a = lx->pos;
          gsize b = e;
          gsize line_start = lx->pos;

          if (h->strip_tabs)
            while (a < b && lx->s[a] == '\t')
              a++;
          if (b > a && lx->s[b - 1] == '\r')
            b--;
          lx->pos = eol != NULL ? e + 1 : e;
          lx->line++;
          if (b - a == dlen && memcmp (lx->s + a, h->delim, dlen) == 0)
            {
              h->end = line_start;
              h->mask_end = e;
              break;
            }
        }
    }
}

void
ar_preflight_lexer_next (ArPreflightLexer *lx, ArPreflightToken *tok)
{
  static const char *const ops[] = {
    ";;&", ";;", ";&", ";", "&&", "&", "||", "|&", "|", "(", ")", NULL
  };
  static const char *const redirs[] = {
    "&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">", NULL
  };

  memset (tok, 0, sizeof *tok);

  for (;;)
    {
      while (lx->pos < lx->len)
        {
          char c = lx->s[lx->pos];

          if (c == ' ' || c == '\t' || c == '\r')
            lx->pos++;
          else if (c == '\\' && lx_peek (lx, 1) == '\n')
            {
              lx->pos += 2;
              lx->line++;
            }
          else
            break;
        }
      if (lx->pos >= lx->len || lx->s[lx->pos] != '#')
        break;

      /* a comment: not code, but it travels with the unit below it */
      {
        ArPreflightSpan span = { lx->pos, lx->pos };
        const char *eol = memchr (lx->s + lx->pos, '\n', lx->len - lx->pos);

        lx->pos = eol != NULL ? (gsize) (eol - lx->s) : lx->len;
        span.end = lx->pos;
        g_array_append_val (lx->comments, span);
        if (lx->comment_line == 0)
          lx->comment_line = lx->line;
        lx->last_comment_line = lx->line;
      }
    }

  tok->line = tok->end_line = lx->line;
  if (lx->pos >= lx->len)
    {
      tok->kind = AR_PREFLIGHT_TOKEN_EOF;
      return;
    }

  {
    const char *p = lx->s + lx->pos;
    gsize rest = lx->len - lx->pos;
    gsize digits = 0;

    if (*p == '\n')
      {
        lx->pos++;
        lx->line++;
        lex_read_bodies (lx);
        tok->kind = AR_PREFLIGHT_TOKEN_NEWLINE;
        tok->end_line = lx->line - 1;
        return;
      }

    if (*p == '(' && rest > 1 && p[1] == '(')
      {
        /* (( arithmetic )) as one word */
        tok->kind = AR_PREFLIGHT_TOKEN_WORD;
        skip_group (lx);
        tok->value = g_strndup (p, lx->s + lx->pos - p);
        tok->quoted = TRUE;
        tok->end_line = lx->line;
        return;
      }
    if ((*p == '<' || *p == '>') && rest > 1 && p[1] == '(')
      {
        /* process substitution <(…) */
        tok->kind = AR_PREFLIGHT_TOKEN_WORD;
        lx->pos++;
        skip_group (lx);
        tok->value = g_strndup (p, lx->s + lx->pos - p);
        tok->end_line = lx->line;
        return;
      }

    for (guint i = 0; ops[i] != NULL; i++)
      {
        gsize n = strlen (ops[i]);

        /* "&>" and "&>>" are redirections, not "&" */
        if (ops[i][0] == '&' && n == 1 && rest > 1 && p[1] == '>')
          continue;
        if (n <= rest && memcmp (p, ops[i], n) == 0)
          {
            tok->kind = AR_PREFLIGHT_TOKEN_OP;
            tok->op = ops[i];
            lx->pos += n;
            return;
          }
      }

    while (digits < rest && g_ascii_isdigit (p[digits]))
      digits++;
    if (digits < rest && (p[digits] == '<' || p[digits] == '>'))
      {
        for (guint i = 0; redirs[i] != NULL; i++)
          {
            gsize n = strlen (redirs[i]);

            if (digits + n <= rest && memcmp (p + digits, redirs[i], n) == 0)
              {
                tok->kind = AR_PREFLIGHT_TOKEN_REDIR;
                tok->op = redirs[i];
                lx->pos += digits + n;
                return;
              }
          }
      }
    if (*p == '&' && rest > 1 && p[1] == '>')
      {
        gboolean app = rest > 2 && p[2] == '>';

        tok->kind = AR_PREFLIGHT_TOKEN_REDIR;
        tok->op = app ? "&>>" : "&>";
        lx->pos += app ? 3 : 2;
        return;
      }
  }

  lex_word (lx, tok);
  tok->end_line = lx->line;
}
