/* ar-preflight-analyzer.c — auto-split of a preflight script (SPEC §5.1)
 *
 * A small shell lexer and parser find the logical units (continued lines,
 * here-documents, &&-chains, compound blocks, functions) and the simple
 * commands inside them; the units are then classified by the rules of §5.1.
 * It is not a full shell grammar: it only has to be right about where units
 * end and what the commands are, and it must never fail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Nested shells (sh -c, here-documents fed to a shell) are parsed this deep. */
#define MAX_NESTING 4

/* ------------------------------------------------------------------------ */
/* Lexer                                                                    */

typedef enum {
  TOK_WORD,
  TOK_OP,
  TOK_REDIR,
  TOK_NEWLINE,
  TOK_EOF,
} TokKind;

typedef struct {
  TokKind kind;
  char *value;     /* WORD: quotes removed, $(…) `…` ${…} kept as written */
  const char *op;  /* OP, REDIR */
  gboolean quoted; /* WORD: had quotes or escapes (never a reserved word) */
  guint line;
  guint end_line;  /* NEWLINE: includes the here-document bodies it read */
} Token;

typedef struct {
  gsize start;
  gsize end;
} Span;

typedef struct {
  char *delim;
  gboolean strip_tabs;
  gboolean quoted; /* <<'EOF': the body is not expanded */
  gboolean exec;   /* fed to a shell: the body is commands, not data */
  gboolean read;
  gsize start;     /* body */
  gsize end;
  gsize mask_end;  /* end of the delimiter line */
  guint first_line;
} HereDoc;

typedef struct {
  const char *s;
  gsize len;
  gsize pos;
  guint line;
  GArray *heredocs;  /* HereDoc, in order of appearance */
  guint next_body;   /* first here-document whose body is not read yet */
  GArray *comments;  /* Span */
  guint comment_line; /* first comment line since the parser last cleared it */
  guint last_comment_line;
} Lexer;

static void
heredoc_clear (gpointer data)
{
  HereDoc *h = data;

  g_free (h->delim);
}

static inline char
lx_peek (Lexer *lx, gsize ahead)
{
  return lx->pos + ahead < lx->len ? lx->s[lx->pos + ahead] : '\0';
}

static inline void
lx_step (Lexer *lx)
{
  if (lx->s[lx->pos] == '\n')
    lx->line++;
  lx->pos++;
}

/* At a backslash: skips it and the character it escapes. */
static inline void
lx_skip_escape (Lexer *lx)
{
  lx->pos++;
  if (lx->pos < lx->len)
    lx_step (lx);
}

static gboolean
skip_squote (Lexer *lx)
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
skip_backtick (Lexer *lx)
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

static void skip_parens (Lexer *lx);
static void skip_braces (Lexer *lx);

/* At '$' followed by '(' or '{'. */
static void
skip_expansion (Lexer *lx)
{
  lx->pos++;
  if (lx->s[lx->pos] == '(')
    skip_parens (lx);
  else
    skip_braces (lx);
}

static void
skip_dquote (Lexer *lx)
{
  lx->pos++;
  while (lx->pos < lx->len)
    {
      char c = lx->s[lx->pos];

      if (c == '"')
        {
          lx->pos++;
          return;
        }
      if (c == '\\')
        lx_skip_escape (lx);
      else if (c == '$' && (lx_peek (lx, 1) == '(' || lx_peek (lx, 1) == '{'))
        skip_expansion (lx);
      else if (c == '`')
        skip_backtick (lx);
      else
        lx_step (lx);
    }
}

/* At '(': skips to the matching ')' (command substitution, arithmetic,
 * arrays, process substitution). */
static void
skip_parens (Lexer *lx)
{
  int depth = 0;

  while (lx->pos < lx->len)
    {
      char c = lx->s[lx->pos];

      switch (c)
        {
        case '(':
          depth++;
          lx->pos++;
          break;
        case ')':
          lx->pos++;
          if (--depth == 0)
            return;
          break;
        case '\\':
          lx_skip_escape (lx);
          break;
        case '\'':
          skip_squote (lx);
          break;
        case '"':
          skip_dquote (lx);
          break;
        case '`':
          skip_backtick (lx);
          break;
        case '#':
          if (g_ascii_isspace (lx->s[lx->pos - 1]))
            while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
              lx->pos++;
          else
            lx->pos++;
          break;
        default:
          lx_step (lx);
        }
    }
}

/* At '{' of ${…}. */
static void
skip_braces (Lexer *lx)
{
  int depth = 0;

  while (lx->pos < lx->len)
    {
      char c = lx->s[lx->pos];

      switch (c)
        {
        case '{':
          depth++;
          lx->pos++;
          break;
        case '}':
          lx->pos++;
          if (--depth == 0)
            return;
          break;
        case '\\':
          lx_skip_escape (lx);
          break;
        case '\'':
          skip_squote (lx);
          break;
        case '"':
          skip_dquote (lx);
          break;
        case '`':
          skip_backtick (lx);
          break;
        case '$':
          if (lx_peek (lx, 1) == '(')
            skip_expansion (lx);
          else
            lx->pos++;
          break;
        default:
          lx_step (lx);
        }
    }
}

static inline gboolean
is_meta (char c)
{
  switch (c)
    {
    case ' ': case '\t': case '\r': case '\n':
    case ';': case '&': case '|': case '<': case '>': case '(': case ')':
      return TRUE;
    default:
      return FALSE;
    }
}

static void
lex_dquote_value (Lexer *lx, GString *v)
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
          gsize start = lx->pos;

          if (c == '`')
            skip_backtick (lx);
          else
            skip_expansion (lx);
          g_string_append_len (v, lx->s + start, lx->pos - start);
          continue;
        }
      g_string_append_c (v, c);
      lx_step (lx);
    }
}

static void
lex_word (Lexer *lx, Token *tok)
{
  GString *v = g_string_new (NULL);

  tok->kind = TOK_WORD;
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
        {
          gsize start = lx->pos;

          if (c == '`')
            skip_backtick (lx);
          else
            skip_expansion (lx);
          g_string_append_len (v, lx->s + start, lx->pos - start);
        }
      else if (c == '(' && v->len > 0 && strchr ("=@!+*?", v->str[v->len - 1]) != NULL)
        {
          /* arr=(…) and extended globs */
          gsize start = lx->pos;

          skip_parens (lx);
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
lex_read_bodies (Lexer *lx)
{
  while (lx->next_body < lx->heredocs->len)
    {
      HereDoc *h = &g_array_index (lx->heredocs, HereDoc, lx->next_body++);
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

static void
lex_next (Lexer *lx, Token *tok)
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
        Span span = { lx->pos, lx->pos };
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
      tok->kind = TOK_EOF;
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
        tok->kind = TOK_NEWLINE;
        tok->end_line = lx->line - 1;
        return;
      }

    if (*p == '(' && rest > 1 && p[1] == '(')
      {
        /* (( arithmetic )) as one word */
        tok->kind = TOK_WORD;
        skip_parens (lx);
        tok->value = g_strndup (p, lx->s + lx->pos - p);
        tok->quoted = TRUE;
        tok->end_line = lx->line;
        return;
      }
    if ((*p == '<' || *p == '>') && rest > 1 && p[1] == '(')
      {
        /* process substitution <(…) */
        tok->kind = TOK_WORD;
        lx->pos++;
        skip_parens (lx);
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
            tok->kind = TOK_OP;
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
                tok->kind = TOK_REDIR;
                tok->op = redirs[i];
                lx->pos += digits + n;
                return;
              }
          }
      }
    if (*p == '&' && rest > 1 && p[1] == '>')
      {
        gboolean app = rest > 2 && p[2] == '>';

        tok->kind = TOK_REDIR;
        tok->op = app ? "&>>" : "&>";
        lx->pos += app ? 3 : 2;
        return;
      }
  }

  lex_word (lx, tok);
  tok->end_line = lx->line;
}

/* ------------------------------------------------------------------------ */
/* Parser: tokens → logical units of simple commands                        */

typedef struct {
  const char *op;
  char *target;
} Redir;

typedef struct {
  GPtrArray *words;   /* char * */
  GPtrArray *redirs;  /* Redir * */
  GArray *heredocs;   /* guint indexes into the lexer's here-documents */
  guint line;
  guint pipeline;     /* commands joined by | share it */
} Cmd;

typedef struct {
  guint line;
  guint end_line;
  guint token_line;   /* first line with code (line may be a comment) */
  GPtrArray *cmds;    /* Cmd * */
  GPtrArray *defines; /* char *: the for-loop variable */
  GPtrArray *functions; /* char *: functions this unit defines */
} RawUnit;

typedef enum {
  CTX_IF,
  CTX_LOOP,
  CTX_CASE,
  CTX_BRACE,
  CTX_SUBSHELL,
} Ctx;

typedef enum {
  MODE_NONE,
  MODE_FOR_HEAD,     /* for NAME in words… until do */
  MODE_CASE_HEAD,    /* case WORD until in */
  MODE_CASE_PATTERN, /* a pattern until ) */
  MODE_DBRACKET,     /* [[ … ]] */
  MODE_FUNC_NAME,    /* function NAME */
} Mode;

typedef struct {
  Lexer lx;
  GArray *stack;        /* Ctx */
  Mode mode;
  gboolean cmd_pos;     /* a reserved word would be recognised here */
  gboolean need_more;   /* the unit cannot end at this newline (&&, |, f()) */
  gboolean for_first;
  gboolean func_named;
  gboolean func_paren;
  const char *pending_redir;
  Cmd *cmd;
  guint *pipeline;
  gboolean pipe_open;
  RawUnit *unit;
  GPtrArray *units;     /* RawUnit * */
} Parser;

static void
redir_free (gpointer data)
{
  Redir *r = data;

  g_free (r->target);
  g_free (r);
}

static void
cmd_free (gpointer data)
{
  Cmd *c = data;

  g_ptr_array_unref (c->words);
  g_ptr_array_unref (c->redirs);
  if (c->heredocs != NULL)
    g_array_unref (c->heredocs);
  g_free (c);
}

static void
raw_unit_free (gpointer data)
{
  RawUnit *u = data;

  g_ptr_array_unref (u->cmds);
  g_ptr_array_unref (u->defines);
  g_ptr_array_unref (u->functions);
  g_free (u);
}

static void
parser_init (Parser *p,
             const char *s,
             gsize len,
             gsize pos,
             guint line,
             guint *pipeline)
{
  memset (p, 0, sizeof *p);
  p->lx.s = s;
  p->lx.len = len;
  p->lx.pos = pos;
  p->lx.line = line;
  p->lx.heredocs = g_array_new (FALSE, TRUE, sizeof (HereDoc));
  g_array_set_clear_func (p->lx.heredocs, heredoc_clear);
  p->lx.comments = g_array_new (FALSE, FALSE, sizeof (Span));
  p->stack = g_array_new (FALSE, FALSE, sizeof (Ctx));
  p->cmd_pos = TRUE;
  p->pipeline = pipeline;
  p->units = g_ptr_array_new_with_free_func (raw_unit_free);
}

static void
parser_clear (Parser *p)
{
  g_array_unref (p->lx.heredocs);
  g_array_unref (p->lx.comments);
  g_array_unref (p->stack);
  g_ptr_array_unref (p->units);
  g_clear_pointer (&p->cmd, cmd_free);
  g_clear_pointer (&p->unit, raw_unit_free);
}

static void
ensure_unit (Parser *p, guint line)
{
  if (p->unit != NULL)
    return;
  p->unit = g_new0 (RawUnit, 1);
  p->unit->line = p->lx.comment_line != 0 ? MIN (p->lx.comment_line, line) : line;
  p->unit->end_line = line;
  p->unit->token_line = line;
  p->unit->cmds = g_ptr_array_new_with_free_func (cmd_free);
  p->unit->defines = g_ptr_array_new_with_free_func (g_free);
  p->unit->functions = g_ptr_array_new_with_free_func (g_free);
}

static Cmd *
ensure_cmd (Parser *p, guint line)
{
  if (p->cmd == NULL)
    {
      p->cmd = g_new0 (Cmd, 1);
      p->cmd->words = g_ptr_array_new_with_free_func (g_free);
      p->cmd->redirs = g_ptr_array_new_with_free_func (redir_free);
      p->cmd->line = line;
      if (!p->pipe_open)
        (*p->pipeline)++;
      p->pipe_open = FALSE;
      p->cmd->pipeline = *p->pipeline;
    }
  return p->cmd;
}

static void
end_cmd (Parser *p)
{
  Cmd *c = g_steal_pointer (&p->cmd);

  if (c == NULL)
    return;
  if (p->unit != NULL && (c->words->len > 0 || c->redirs->len > 0 || c->heredocs != NULL))
    g_ptr_array_add (p->unit->cmds, c);
  else
    cmd_free (c);
}

static void
end_unit (Parser *p)
{
  end_cmd (p);
  if (p->unit != NULL)
    g_ptr_array_add (p->units, g_steal_pointer (&p->unit));
  g_array_set_size (p->stack, 0);
  p->mode = MODE_NONE;
  p->cmd_pos = TRUE;
  p->need_more = FALSE;
  p->func_named = FALSE;
  p->func_paren = FALSE;
  p->pipe_open = FALSE;
  p->pending_redir = NULL;
  p->lx.comment_line = 0;
}

static void
push_ctx (Parser *p, Ctx ctx)
{
  g_array_append_val (p->stack, ctx);
}

/* Closes the innermost @ctx (and whatever was left open inside it). */
static void
pop_ctx (Parser *p, Ctx ctx)
{
  for (guint i = p->stack->len; i > 0; i--)
    if (g_array_index (p->stack, Ctx, i - 1) == ctx)
      {
        g_array_set_size (p->stack, i - 1);
        return;
      }
}

static gboolean
is_name (const char *s, gsize n)
{
  if (n == 0 || !(g_ascii_isalpha (s[0]) || s[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < n; i++)
    if (!(g_ascii_isalnum (s[i]) || s[i] == '_'))
      return FALSE;
  return TRUE;
}

/* NAME=…, NAME+=…, NAME[i]=… */
static gboolean
is_assignment (const char *w)
{
  const char *eq = strchr (w, '=');
  const char *br;
  gsize n;

  if (eq == NULL || eq == w)
    return FALSE;
  n = eq - w;
  if (w[n - 1] == '+')
    n--;
  br = memchr (w, '[', n);
  if (br != NULL)
    n = br - w;
  return is_name (w, n);
}

static gboolean
is_reserved (const Token *tok, const char *word)
{
  return !tok->quoted && strcmp (tok->value, word) == 0;
}

static void
parser_word (Parser *p, Token *tok)
{
  Cmd *cmd;

  if (p->pending_redir != NULL)
    {
      const char *op = p->pending_redir;

      p->pending_redir = NULL;
      cmd = ensure_cmd (p, tok->line);
      if (strcmp (op, "<<") == 0 || strcmp (op, "<<-") == 0)
        {
          HereDoc h = { 0 };
          guint index = p->lx.heredocs->len;

          h.delim = g_steal_pointer (&tok->value);
          h.strip_tabs = op[2] == '-';
          h.quoted = tok->quoted;
          g_array_append_val (p->lx.heredocs, h);
          if (cmd->heredocs == NULL)
            cmd->heredocs = g_array_new (FALSE, FALSE, sizeof (guint));
          g_array_append_val (cmd->heredocs, index);
        }
      else
        {
          Redir *r = g_new0 (Redir, 1);

          r->op = op;
          r->target = g_steal_pointer (&tok->value);
          g_ptr_array_add (cmd->redirs, r);
        }
      return;
    }

  switch (p->mode)
    {
    case MODE_DBRACKET:
      if (is_reserved (tok, "]]"))
        p->mode = MODE_NONE;
      g_ptr_array_add (ensure_cmd (p, tok->line)->words, g_steal_pointer (&tok->value));
      p->cmd_pos = FALSE;
      return;
    case MODE_CASE_HEAD:
      if (is_reserved (tok, "in"))
        p->mode = MODE_CASE_PATTERN;
      return;
    case MODE_CASE_PATTERN:
      if (is_reserved (tok, "esac"))
        {
          pop_ctx (p, CTX_CASE);
          p->mode = MODE_NONE;
          p->cmd_pos = FALSE;
        }
      return;
    case MODE_FOR_HEAD:
      if (p->cmd_pos && is_reserved (tok, "do"))
        {
          p->mode = MODE_NONE;
          p->cmd_pos = TRUE;
          return;
        }
      if (p->for_first && is_name (tok->value, strlen (tok->value)))
        g_ptr_array_add (p->unit->defines, g_strdup (tok->value));
      p->for_first = FALSE;
      p->cmd_pos = FALSE;
      return;
    case MODE_FUNC_NAME:
      g_ptr_array_add (p->unit->functions, g_strdup (tok->value));
      p->mode = MODE_NONE;
      p->func_named = TRUE;
      p->need_more = TRUE;
      p->cmd_pos = TRUE;
      return;
    case MODE_NONE:
    default:
      break;
    }

  p->func_named = FALSE;
  if (p->cmd_pos && !tok->quoted)
    {
      const char *w = tok->value;

      if (strcmp (w, "if") == 0 || strcmp (w, "while") == 0 || strcmp (w, "until") == 0)
        {
          end_cmd (p);
          push_ctx (p, w[0] == 'i' ? CTX_IF : CTX_LOOP);
          p->need_more = FALSE;
          return;
        }
      if (strcmp (w, "for") == 0 || strcmp (w, "select") == 0)
        {
          end_cmd (p);
          push_ctx (p, CTX_LOOP);
          p->mode = MODE_FOR_HEAD;
          p->for_first = TRUE;
          p->cmd_pos = FALSE;
          p->need_more = FALSE;
          return;
        }
      if (strcmp (w, "case") == 0)
        {
          end_cmd (p);
          push_ctx (p, CTX_CASE);
          p->mode = MODE_CASE_HEAD;
          p->need_more = FALSE;
          return;
        }
      if (strcmp (w, "then") == 0 || strcmp (w, "else") == 0 ||
          strcmp (w, "elif") == 0 || strcmp (w, "do") == 0 ||
          strcmp (w, "!") == 0 || strcmp (w, "time") == 0)
        {
          end_cmd (p);
          return;
        }
      if (strcmp (w, "{") == 0)
        {
          end_cmd (p);
          push_ctx (p, CTX_BRACE);
          p->need_more = FALSE;
          return;
        }
      if (strcmp (w, "fi") == 0 || strcmp (w, "done") == 0 ||
          strcmp (w, "esac") == 0 || strcmp (w, "}") == 0)
        {
          end_cmd (p);
          pop_ctx (p, w[0] == 'f' ? CTX_IF : w[0] == 'd' ? CTX_LOOP : w[0] == 'e' ? CTX_CASE : CTX_BRACE);
          p->cmd_pos = FALSE;
          return;
        }
      if (strcmp (w, "function") == 0)
        {
          end_cmd (p);
          p->mode = MODE_FUNC_NAME;
          return;
        }
      if (strcmp (w, "[[") == 0)
        p->mode = MODE_DBRACKET;
    }

  cmd = ensure_cmd (p, tok->line);
  g_ptr_array_add (cmd->words, g_steal_pointer (&tok->value));
  p->cmd_pos = FALSE;
  p->need_more = FALSE;
}

static void
parser_op (Parser *p, Token *tok)
{
  const char *op = tok->op;
  gboolean func_named = p->func_named;

  p->func_named = FALSE;

  if (p->mode == MODE_DBRACKET)
    {
      g_ptr_array_add (ensure_cmd (p, tok->line)->words, g_strdup (op));
      return;
    }
  if (p->mode == MODE_CASE_PATTERN)
    {
      if (strcmp (op, ")") == 0)
        {
          p->mode = MODE_NONE;
          p->cmd_pos = TRUE;
        }
      return;
    }
  if (p->mode == MODE_CASE_HEAD)
    return;
  if (p->mode == MODE_FOR_HEAD && strcmp (op, ";") != 0)
    return;

  p->pending_redir = NULL;

  if (strcmp (op, "(") == 0)
    {
      if (func_named)
        {
          p->func_paren = TRUE;
          return;
        }
      if (p->cmd != NULL && p->cmd->words->len == 1 && p->cmd->redirs->len == 0 &&
          !is_assignment (g_ptr_array_index (p->cmd->words, 0)))
        {
          /* name() — a function definition; the name is not a command */
          g_ptr_array_add (p->unit->functions, g_steal_pointer (&p->cmd->words->pdata[0]));
          g_clear_pointer (&p->cmd, cmd_free);
          p->func_paren = TRUE;
          return;
        }
      if (p->cmd_pos)
        {
          push_ctx (p, CTX_SUBSHELL);
          p->need_more = FALSE;
        }
      return;
    }
  if (strcmp (op, ")") == 0)
    {
      if (p->func_paren)
        {
          p->func_paren = FALSE;
          p->need_more = TRUE;
          p->cmd_pos = TRUE;
          return;
        }
      end_cmd (p);
      pop_ctx (p, CTX_SUBSHELL);
      p->cmd_pos = FALSE;
      return;
    }

  end_cmd (p);
  p->cmd_pos = TRUE;
  if (op[0] == '|' && op[1] != '|')
    {
      p->pipe_open = TRUE;
      p->need_more = TRUE;
      return;
    }
  p->pipe_open = FALSE;
  if (strcmp (op, "&&") == 0 || strcmp (op, "||") == 0)
    p->need_more = TRUE;
  else if (op[0] == ';' && op[1] != '\0' && p->stack->len > 0 &&
           g_array_index (p->stack, Ctx, p->stack->len - 1) == CTX_CASE)
    p->mode = MODE_CASE_PATTERN;
}

static void
parser_feed (Parser *p, Token *tok)
{
  if (tok->kind == TOK_NEWLINE)
    {
      p->pending_redir = NULL;
      if (p->mode == MODE_DBRACKET)
        p->mode = MODE_NONE;
      if (p->unit == NULL)
        return;
      p->unit->end_line = MAX (p->unit->end_line, tok->end_line);
      end_cmd (p);
      if (p->stack->len == 0 && !p->need_more && !p->func_paren && p->mode == MODE_NONE)
        end_unit (p);
      else
        p->cmd_pos = TRUE;
      return;
    }

  ensure_unit (p, tok->line);
  p->unit->end_line = MAX (p->unit->end_line, tok->end_line);

  switch (tok->kind)
    {
    case TOK_WORD:
      parser_word (p, tok);
      break;
    case TOK_REDIR:
      if (p->mode == MODE_DBRACKET)
        g_ptr_array_add (ensure_cmd (p, tok->line)->words, g_strdup (tok->op));
      else if (p->mode == MODE_NONE)
        {
          ensure_cmd (p, tok->line);
          p->pending_redir = tok->op;
        }
      break;
    case TOK_OP:
      parser_op (p, tok);
      break;
    case TOK_NEWLINE:
    case TOK_EOF:
    default:
      break;
    }
}

static void
parser_run (Parser *p)
{
  for (;;)
    {
      Token tok;

      lex_next (&p->lx, &tok);
      if (tok.kind == TOK_EOF)
        break;
      parser_feed (p, &tok);
      g_free (tok.value);
    }
  /* an unterminated block runs to the end of the script */
  {
    guint comment_line = p->lx.comment_line;

    end_unit (p);
    p->lx.comment_line = comment_line;
  }
}

/* ------------------------------------------------------------------------ */
/* Commands                                                                 */

/* A simple command with its wrappers (assignments, sudo, env, …) skipped. */
typedef struct {
  Cmd *cmd;
  GPtrArray *w;
  guint i;          /* index of the command name; w->len when none */
  const char *name; /* its base name, or NULL */
} View;

static const char *
base_name (const char *w)
{
  const char *slash = strrchr (w, '/');

  return slash != NULL ? slash + 1 : w;
}

static gboolean
str_in (const char *s, const char *const *list)
{
  for (guint i = 0; list[i] != NULL; i++)
    if (strcmp (s, list[i]) == 0)
      return TRUE;
  return FALSE;
}

static inline const char *
view_word (const View *v, guint j)
{
  return j < v->w->len ? g_ptr_array_index (v->w, j) : NULL;
}

static void
view_init (View *v, Cmd *cmd)
{
  static const char *const sudo_args[] = { "-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", NULL };
  static const char *const env_args[] = { "-u", "--unset", "-C", "--chdir", "-S", NULL };
  static const char *const plain[] = { "command", "exec", "nohup", "builtin", "eatmydata", "time", NULL };
  GPtrArray *w = cmd->words;
  guint i = 0;

  v->cmd = cmd;
  v->w = w;
  for (;;)
    {
      const char *name;

      while (i < w->len && is_assignment (g_ptr_array_index (w, i)))
        i++;
      if (i >= w->len)
        break;
      name = base_name (g_ptr_array_index (w, i));
      if (strcmp (name, "sudo") == 0 || strcmp (name, "doas") == 0)
        {
          for (i++; i < w->len; i++)
            {
              const char *a = g_ptr_array_index (w, i);

              if (a[0] != '-')
                break;
              if (strcmp (a, "--") == 0)
                {
                  i++;
                  break;
                }
              if (str_in (a, sudo_args))
                i++;
            }
          continue;
        }
      if (strcmp (name, "env") == 0)
        {
          for (i++; i < w->len; i++)
            {
              const char *a = g_ptr_array_index (w, i);

              if (a[0] != '-' && !is_assignment (a))
                break;
              if (str_in (a, env_args))
                i++;
            }
          continue;
        }
      if (strcmp (name, "nice") == 0 || strcmp (name, "timeout") == 0)
        {
          gboolean timeout = name[0] == 't';

          for (i++; i < w->len; i++)
            {
              const char *a = g_ptr_array_index (w, i);

              if (a[0] != '-')
                break;
              if (strcmp (a, "-n") == 0 || strcmp (a, "-s") == 0 || strcmp (a, "-k") == 0)
                i++;
            }
          if (timeout && i < w->len)
            i++; /* the duration */
          continue;
        }
      if (str_in (name, plain))
        {
          const char *next = view_word (v, i + 1);

          /* command -v NAME only asks where NAME is */
          if (next != NULL && (strcmp (next, "-v") == 0 || strcmp (next, "-V") == 0))
            i = w->len;
          else
            i++;
          continue;
        }
      break;
    }
  v->i = i;
  v->name = i < w->len ? base_name (g_ptr_array_index (w, i)) : NULL;
}

static gboolean
is_shell_name (const char *name)
{
  static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", NULL };

  return name != NULL && str_in (name, shells);
}

/* Interpreters a downloaded installer is piped into. */
static gboolean
is_installer_interpreter (const char *name)
{
  return is_shell_name (name) ||
         (name != NULL && (strcmp (name, "python") == 0 || g_str_has_prefix (name, "python3")));
}

static gboolean
is_downloader (const char *name)
{
  return name != NULL && (strcmp (name, "curl") == 0 || strcmp (name, "wget") == 0);
}

static gboolean
path_under (const char *path, const char *dir)
{
  gsize n = strlen (dir);

  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Places in the image that are the same for every task. */
static gboolean
is_system_path (const char *path)
{
  static const char *const dirs[] = {
    "/etc", "/usr", "/opt", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/var", NULL
  };

  if (path == NULL || path[0] != '/')
    return FALSE;
  if (path_under (path, "/var/tmp") || path_under (path, "/var/run"))
    return FALSE;
  for (guint i = 0; dirs[i] != NULL; i++)
    if (path_under (path, dirs[i]))
      return TRUE;
  return FALSE;
}

/* The first positional argument (not an option) after the command name
 * that is a system path, or NULL. */
static const char *
any_system_arg (const View *v)
{
  gboolean options = TRUE;

  for (guint j = v->i + 1; j < v->w->len; j++)
    {
      const char *a = g_ptr_array_index (v->w, j);

      if (options && strcmp (a, "--") == 0)
        options = FALSE;
      else if ((!options || a[0] != '-') && is_system_path (a))
        return a;
    }
  return NULL;
}

static const char *
last_positional (const View *v, guint *count)
{
  const char *last = NULL;
  gboolean options = TRUE;

  *count = 0;
  for (guint j = v->i + 1; j < v->w->len; j++)
    {
      const char *a = g_ptr_array_index (v->w, j);

      if (options && strcmp (a, "--") == 0)
        options = FALSE;
      else if (!options || a[0] != '-')
        {
          last = a;
          (*count)++;
        }
    }
  return last;
}

/* The value of an option given as "-X VALUE", "-XVALUE", "--long VALUE" or
 * "--long=VALUE"; @letters are short option letters that may end a cluster
 * ("-fsSLo FILE"). Returns the first value that is a system path. */
static const char *
option_system_value (const View *v, const char *letters, const char *const *longs)
{
  for (guint j = v->i + 1; j < v->w->len; j++)
    {
      const char *a = g_ptr_array_index (v->w, j);
      const char *val = NULL;

      if (a[0] != '-' || a[1] == '\0')
        continue;
      if (a[1] == '-')
        {
          for (guint k = 0; longs != NULL && longs[k] != NULL; k++)
            {
              gsize n = strlen (longs[k]);

              if (strncmp (a, longs[k], n) == 0 && a[n] == '=')
                val = a + n + 1;
              else if (strcmp (a, longs[k]) == 0)
                val = view_word (v, ++j);
            }
        }
      else if (letters != NULL)
        {
          const char *hit = strpbrk (a + 1, letters);

          if (hit != NULL)
            val = hit[1] != '\0' ? hit + 1 : view_word (v, ++j);
        }
      if (is_system_path (val))
        return val;
    }
  return NULL;
}

static gboolean
has_word (const View *v, const char *const *words)
{
  for (guint j = v->i + 1; j < v->w->len; j++)
    if (str_in (g_ptr_array_index (v->w, j), words))
      return TRUE;
  return FALSE;
}

static const char *
first_word_in (const View *v, const char *const *words)
{
  for (guint j = v->i + 1; j < v->w->len; j++)
    if (str_in (g_ptr_array_index (v->w, j), words))
      return g_ptr_array_index (v->w, j);
  return NULL;
}

/* The first argument that is not an option, from index @from. */
static guint
first_positional_index (const View *v, guint from)
{
  for (guint j = from; j < v->w->len; j++)
    if (((const char *) g_ptr_array_index (v->w, j))[0] != '-')
      return j;
  return v->w->len;
}

static gboolean
is_relative_source (const char *a)
{
  return a[0] == '.' || a[0] == '~' || g_str_has_prefix (a, "file:") || path_under (a, "/home");
}

/* pip install into the home folder or from the workspace cannot be baked:
 * the workspace is only mounted when a task runs. */
static gboolean
pip_is_workspace (const View *v, guint from)
{
  for (guint j = from; j < v->w->len; j++)
    {
      const char *a = g_ptr_array_index (v->w, j);
      const char *file = NULL;

      if (strcmp (a, "--user") == 0 || strcmp (a, "-e") == 0 || g_str_has_prefix (a, "--editable"))
        return TRUE;
      if (strcmp (a, "-r") == 0 || strcmp (a, "--requirement") == 0 ||
          strcmp (a, "-c") == 0 || strcmp (a, "--constraint") == 0)
        file = view_word (v, ++j);
      else if (g_str_has_prefix (a, "--requirement="))
        file = a + strlen ("--requirement=");
      else if (g_str_has_prefix (a, "-r"))
        file = a + 2;
      else if (a[0] != '-' && is_relative_source (a))
        return TRUE;
      if (file != NULL && !g_path_is_absolute (file) && strstr (file, "://") == NULL)
        return TRUE;
      if (file != NULL && path_under (file, "/home"))
        return TRUE;
    }
  return FALSE;
}

/* Rule 1. Returns what was recognised ("apt-get install") or NULL; sets
 * @workspace for an install into the workspace or the home folder. */
static char *
match_package (const View *v, gboolean *workspace)
{
  static const char *const pacman[] = { "pacman", "yay", "paru", "pikaur", NULL };
  static const char *const apt[] = { "apt-get", "apt", "aptitude", NULL };
  static const char *const apt_subs[] = {
    "install", "reinstall", "update", "upgrade", "dist-upgrade", "full-upgrade",
    "build-dep", "remove", "purge", "autoremove", NULL
  };
  static const char *const dnf[] = { "dnf", "yum", "microdnf", "tdnf", NULL };
  static const char *const dnf_subs[] = {
    "install", "reinstall", "update", "upgrade", "groupinstall", "makecache",
    "remove", "erase", "distro-sync", "builddep", NULL
  };
  static const char *const apk_subs[] = { "add", "update", "upgrade", "del", NULL };
  static const char *const zypper_subs[] = {
    "install", "in", "update", "up", "refresh", "ref", "dist-upgrade", "dup",
    "remove", "rm", "addrepo", "ar", NULL
  };
  static const char *const install[] = { "install", NULL };
  static const char *const npm[] = { "npm", "pnpm", "bun", NULL };
  static const char *const npm_subs[] = { "install", "i", "add", "ci", "in", NULL };
  static const char *const global[] = { "-g", "--global", "--location=global", NULL };
  static const char *const installers[] = {
    "gem", "pipx", "brew", "conda", "mamba", "micromamba", NULL
  };
  const char *name = v->name;
  const char *sub;

  if (name == NULL)
    return NULL;

  if (str_in (name, pacman))
    {
      for (guint j = v->i + 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          /* -S, -Sy, -Syu, -U; not the queries -Ss, -Si, -Sl, -Sg, -Sp */
          if ((g_str_has_prefix (a, "-S") && strpbrk (a + 2, "silgpQ") == NULL) ||
              strcmp (a, "-U") == 0 || strcmp (a, "--sync") == 0 || strcmp (a, "--upgrade") == 0)
            return g_strdup_printf ("%s %s", name, a);
        }
      return NULL;
    }
  if (str_in (name, apt) && (sub = first_word_in (v, apt_subs)) != NULL)
    return g_strdup_printf ("%s %s", name, sub);
  if (str_in (name, dnf) && (sub = first_word_in (v, dnf_subs)) != NULL)
    return g_strdup_printf ("%s %s", name, sub);
  if (strcmp (name, "apk") == 0 && (sub = first_word_in (v, apk_subs)) != NULL)
    return g_strdup_printf ("apk %s", sub);
  if (strcmp (name, "zypper") == 0 && (sub = first_word_in (v, zypper_subs)) != NULL)
    return g_strdup_printf ("zypper %s", sub);
  if (strcmp (name, "emerge") == 0 || strcmp (name, "xbps-install") == 0 ||
      strcmp (name, "add-apt-repository") == 0)
    return g_strdup (name);
  if (strcmp (name, "dpkg") == 0 || strcmp (name, "rpm") == 0)
    {
      for (guint j = v->i + 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          if (strcmp (a, "--install") == 0 || strcmp (a, "--upgrade") == 0 ||
              (a[0] == '-' && a[1] != '-' && (a[1] == 'i' || (name[0] == 'r' && a[1] == 'U'))))
            return g_strdup_printf ("%s %s", name, a);
        }
      return NULL;
    }

  /* pip, pip3, python3 -m pip, uv pip */
  {
    guint at = G_MAXUINT;

    if (g_str_has_prefix (name, "pip") && strspn (name + 3, "0123456789.") == strlen (name + 3))
      at = v->i + 1;
    else if ((strcmp (name, "python") == 0 || g_str_has_prefix (name, "python3")) &&
             g_strcmp0 (view_word (v, v->i + 1), "-m") == 0 &&
             g_str_has_prefix (view_word (v, v->i + 2) ? view_word (v, v->i + 2) : "", "pip"))
      at = v->i + 3;
    else if (strcmp (name, "uv") == 0 && g_strcmp0 (view_word (v, v->i + 1), "pip") == 0)
      at = v->i + 2;
    if (at != G_MAXUINT)
      {
        guint j = first_positional_index (v, at);

        if (g_strcmp0 (view_word (v, j), "install") != 0)
          return NULL;
        if (pip_is_workspace (v, j + 1))
          {
            *workspace = TRUE;
            return NULL;
          }
        if (at == v->i + 1)
          return g_strdup_printf ("%s install", name);
        return g_strdup_printf ("%s %s install", name, at == v->i + 3 ? "-m pip" : "pip");
      }
  }

  if (str_in (name, npm))
    {
      sub = view_word (v, first_positional_index (v, v->i + 1));
      if (sub == NULL || !str_in (sub, npm_subs))
        return NULL;
      if (has_word (v, global))
        return g_strdup_printf ("%s %s -g", name, sub);
      *workspace = TRUE;
      return NULL;
    }
  if (strcmp (name, "yarn") == 0)
    {
      sub = view_word (v, first_positional_index (v, v->i + 1));
      if (g_strcmp0 (sub, "global") == 0)
        return g_strdup ("yarn global add");
      if (g_strcmp0 (sub, "add") == 0 || g_strcmp0 (sub, "install") == 0)
        *workspace = TRUE;
      return NULL;
    }
  if (strcmp (name, "cargo") == 0 || strcmp (name, "go") == 0)
    {
      guint j = first_positional_index (v, v->i + 1);

      if (g_strcmp0 (view_word (v, j), "install") != 0)
        return NULL;
      for (j++; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          if (strcmp (a, "--path") == 0 || (a[0] != '-' && is_relative_source (a)))
            {
              *workspace = TRUE;
              return NULL;
            }
        }
      return g_strdup_printf ("%s install", name);
    }
  if (str_in (name, installers) && first_word_in (v, install) != NULL)
    return g_strdup_printf ("%s install", name);
  if (strcmp (name, "nix-env") == 0 &&
      (has_word (v, (const char *const[]) { "-i", "-iA", "--install", NULL })))
    return g_strdup ("nix-env -i");
  return NULL;
}

/* Where curl or wget writes, when that is a system place. */
static const char *
download_target (const View *v)
{
  if (g_strcmp0 (v->name, "curl") == 0)
    return option_system_value (v, "o", (const char *const[]) { "--output", "--output-dir", NULL });
  if (g_strcmp0 (v->name, "wget") == 0)
    return option_system_value (v, "OP", (const char *const[]) { "--output-document", "--directory-prefix", NULL });
  return NULL;
}

static const char *
write_redirect_target (Cmd *cmd)
{
  static const char *const writes[] = { ">", ">>", ">|", "&>", "&>>", "<>", NULL };

  for (guint j = 0; j < cmd->redirs->len; j++)
    {
      Redir *r = g_ptr_array_index (cmd->redirs, j);

      if (str_in (r->op, writes) && is_system_path (r->target))
        return r->target;
    }
  return NULL;
}

/* Rule 2: curl/wget into a system place, git clone into one, an installer
 * piped into a shell, an archive piped into tar -C. */
static char *
match_download (GPtrArray *cmds, guint k, const View *v, gboolean *to_etc, gboolean *installer)
{
  const char *target;

  *to_etc = FALSE;
  *installer = FALSE;
  if (v->name == NULL)
    return NULL;

  if (is_downloader (v->name))
    {
      target = download_target (v);
      if (target == NULL)
        target = write_redirect_target (v->cmd);
      if (target != NULL)
        {
          *to_etc = path_under (target, "/etc");
          return g_strdup (target);
        }

      for (guint m = k + 1; m < cmds->len; m++)
        {
          Cmd *next = g_ptr_array_index (cmds, m);
          View nv;

          if (next->pipeline != v->cmd->pipeline)
            break;
          view_init (&nv, next);
          if (is_installer_interpreter (nv.name))
            {
              *installer = TRUE;
              return g_strdup_printf ("%s | %s", v->name, nv.name);
            }
          if (g_strcmp0 (nv.name, "tar") == 0 &&
              (target = option_system_value (&nv, "C", (const char *const[]) { "--directory", NULL })) != NULL)
            return g_strdup (target);
        }
      return NULL;
    }

  if (strcmp (v->name, "git") == 0 && first_word_in (v, (const char *const[]) { "clone", NULL }) != NULL)
    {
      target = any_system_arg (v);
      return target != NULL ? g_strdup (target) : NULL;
    }

  /* sh -c "$(curl …)", bash <(curl …) */
  if (is_installer_interpreter (v->name))
    for (guint j = v->i + 1; j < v->w->len; j++)
      {
        const char *a = g_ptr_array_index (v->w, j);

        if (strstr (a, "(curl ") != NULL || strstr (a, "(wget ") != NULL)
          {
            *installer = TRUE;
            return g_strdup_printf ("%s + %s", v->name, strstr (a, "(curl ") != NULL ? "curl" : "wget");
          }
      }
  return NULL;
}

/* Rule 3: writes, links and permissions under system places, and the
 * commands whose only job is system configuration. */
static char *
match_system_config (const View *v)
{
  static const char *const any_path[] = {
    "tee", "chmod", "chown", "chgrp", "chattr", "setfacl", "setcap", "rm", "rmdir",
    "touch", "truncate", "unlink", NULL
  };
  static const char *const copy[] = { "cp", "mv", "install", "rsync", "ln", NULL };
  static const char *const config_cmds[] = {
    "useradd", "usermod", "userdel", "groupadd", "groupmod", "adduser", "addgroup",
    "chsh", "chpasswd", "locale-gen", "localedef", "update-locale",
    "update-alternatives", "update-ca-certificates", "ldconfig", "dpkg-reconfigure",
    "fc-cache", "visudo", NULL
  };
  const char *target = write_redirect_target (v->cmd);
  const char *name = v->name;

  if (target != NULL)
    return g_strdup (target);
  if (name == NULL)
    return NULL;

  if (str_in (name, any_path) && (target = any_system_arg (v)) != NULL)
    return g_strdup (target);
  if (str_in (name, copy))
    {
      guint count;
      const char *last = last_positional (v, &count);

      target = option_system_value (v, "t", (const char *const[]) { "--target-directory", NULL });
      if (target == NULL && count >= 2 && is_system_path (last))
        target = last;
      if (target == NULL && strcmp (name, "install") == 0 &&
          has_word (v, (const char *const[]) { "-d", "--directory", NULL }))
        target = any_system_arg (v);
      return target != NULL ? g_strdup (target) : NULL;
    }
  if (strcmp (name, "sed") == 0 || strcmp (name, "perl") == 0)
    {
      gboolean in_place = FALSE;

      for (guint j = v->i + 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          if (g_str_has_prefix (a, "--in-place") ||
              (a[0] == '-' && a[1] != '-' && strchr (a + 1, 'i') != NULL))
            in_place = TRUE;
        }
      if (in_place && (target = any_system_arg (v)) != NULL)
        return g_strdup (target);
      return NULL;
    }
  if (strcmp (name, "tar") == 0 &&
      (target = option_system_value (v, "C", (const char *const[]) { "--directory", NULL })) != NULL)
    return g_strdup (target);
  if (strcmp (name, "unzip") == 0 && (target = option_system_value (v, "d", NULL)) != NULL)
    return g_strdup (target);
  if (str_in (name, config_cmds))
    return g_strdup (name);
  if (strcmp (name, "systemctl") == 0 &&
      has_word (v, (const char *const[]) { "enable", "disable", "mask", "set-default", NULL }))
    return g_strdup ("systemctl");
  if (strcmp (name, "git") == 0 && has_word (v, (const char *const[]) { "--system", NULL }))
    return g_strdup ("git config --system");
  return NULL;
}

/* Rule 4 */
static char *
match_static_dir (const View *v)
{
  const char *target;

  if (g_strcmp0 (v->name, "mkdir") != 0)
    return NULL;
  target = any_system_arg (v);
  return target != NULL ? g_strdup (target) : NULL;
}

/* Rule 5: export NAME=…, declare -x NAME=… */
static const char *
match_export (const View *v, gsize *name_len)
{
  gboolean exports;
  guint j;

  if (v->name == NULL)
    return NULL;
  exports = strcmp (v->name, "export") == 0;
  if (!exports && (strcmp (v->name, "declare") == 0 || strcmp (v->name, "typeset") == 0))
    for (j = v->i + 1; j < v->w->len; j++)
      {
        const char *a = g_ptr_array_index (v->w, j);

        if (a[0] == '-' && strchr (a, 'x') != NULL)
          exports = TRUE;
      }
  if (!exports)
    return NULL;
  j = first_positional_index (v, v->i + 1);
  if (j >= v->w->len)
    return NULL;
  {
    const char *a = g_ptr_array_index (v->w, j);
    const char *eq = strchr (a, '=');

    *name_len = eq != NULL ? (gsize) (eq - a) : strlen (a);
    return a;
  }
}

static gboolean
is_pure_assignment (Cmd *cmd)
{
  if (cmd->words->len == 0 || cmd->redirs->len > 0 || cmd->heredocs != NULL)
    return FALSE;
  for (guint j = 0; j < cmd->words->len; j++)
    if (!is_assignment (g_ptr_array_index (cmd->words, j)))
      return FALSE;
  return TRUE;
}

/* NAME=value, or readonly / declare / typeset / local without export */
static gboolean
is_variable_cmd (const View *v)
{
  static const char *const declares[] = { "declare", "typeset", "readonly", "local", NULL };
  gsize len;

  if (is_pure_assignment (v->cmd))
    return TRUE;
  return v->name != NULL && v->i == 0 && v->cmd->redirs->len == 0 &&
         str_in (v->name, declares) && match_export (v, &len) == NULL &&
         first_positional_index (v, 1) < v->w->len;
}

/* set -e, set -o pipefail, shopt, umask: they shape how the rest runs. */
static gboolean
is_shell_option (const View *v)
{
  const char *arg;

  if (v->name == NULL || v->i != 0 || v->cmd->redirs->len > 0)
    return FALSE;
  if (strcmp (v->name, "shopt") == 0 || strcmp (v->name, "umask") == 0)
    return TRUE;
  if (strcmp (v->name, "set") != 0)
    return FALSE;
  arg = view_word (v, 1);
  return arg != NULL && (arg[0] == '-' || arg[0] == '+') && arg[1] != '\0' && strcmp (arg, "--") != 0;
}

/* Names a command assigns in this shell (for the taint of run-only values). */
static void
collect_defines (const View *v, GPtrArray *out)
{
  static const char *const declares[] = { "export", "declare", "typeset", "readonly", "local", NULL };

  if (is_pure_assignment (v->cmd))
    {
      for (guint j = 0; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);

          g_ptr_array_add (out, g_strndup (a, strcspn (a, "+[=")));
        }
      return;
    }
  if (v->name == NULL || v->i != 0)
    return;
  if (str_in (v->name, declares) || strcmp (v->name, "read") == 0)
    {
      gboolean read = v->name[0] == 'r' && v->name[1] == 'e' && v->name[2] == 'a';

      for (guint j = 1; j < v->w->len; j++)
        {
          const char *a = g_ptr_array_index (v->w, j);
          gsize n = strcspn (a, "+[=");

          if (a[0] == '-')
            {
              /* read options that take a value */
              if (read && a[1] != '\0' && strchr ("pdnNtui", a[strlen (a) - 1]) != NULL)
                j++;
              continue;
            }
          if (is_name (a, n))
            g_ptr_array_add (out, g_strndup (a, n));
        }
    }
}

static void collect_commands (const char *s, gsize len, guint line, guint *pipeline,
                              int depth, GPtrArray *out);

/* Commands that run in a nested shell: here-documents fed to a shell
 * (sh <<EOF, cat <<EOF | sh) and sh -c STRING. Marks those here-documents as
 * code and appends the nested commands to @out. */
static void
expand_nested (Lexer *lx, GPtrArray *cmds, guint *pipeline, int depth, GPtrArray *out)
{
  for (guint k = 0; k < cmds->len; k++)
    {
      Cmd *cmd = g_ptr_array_index (cmds, k);
      View v;
      gboolean shell;

      view_init (&v, cmd);
      shell = is_shell_name (v.name);

      if (cmd->heredocs != NULL)
        {
          gboolean exec = shell;

          if (!exec && g_strcmp0 (v.name, "cat") == 0 && k + 1 < cmds->len)
            {
              Cmd *next = g_ptr_array_index (cmds, k + 1);
              View nv;

              view_init (&nv, next);
              exec = next->pipeline == cmd->pipeline && is_shell_name (nv.name);
            }
          for (guint j = 0; exec && j < cmd->heredocs->len; j++)
            {
              HereDoc *h = &g_array_index (lx->heredocs, HereDoc, g_array_index (cmd->heredocs, guint, j));

              h->exec = TRUE;
              if (h->read && depth < MAX_NESTING)
                collect_commands (lx->s + h->start, h->end - h->start, h->first_line,
                                  pipeline, depth + 1, out);
            }
        }

      if ((shell || g_strcmp0 (v.name, "su") == 0) && depth < MAX_NESTING)
        for (guint j = v.i + 1; j < v.w->len; j++)
          {
            const char *a = g_ptr_array_index (v.w, j);

            if (a[0] == '-' && a[1] != '-' && strchr (a + 1, 'c') != NULL)
              {
                const char *script = view_word (&v, j + 1);

                if (script != NULL)
                  collect_commands (script, strlen (script), cmd->line, pipeline, depth + 1, out);
                break;
              }
            if (a[0] != '-' && !shell)
              continue; /* su USER -c … */
            if (a[0] != '-')
              break;
          }
    }
}

static void
collect_commands (const char *s, gsize len, guint line, guint *pipeline, int depth, GPtrArray *out)
{
  Parser p;

  parser_init (&p, s, len, 0, line, pipeline);
  parser_run (&p);
  for (guint i = 0; i < p.units->len; i++)
    {
      RawUnit *u = g_ptr_array_index (p.units, i);

      expand_nested (&p.lx, u->cmds, pipeline, depth, out);
      g_ptr_array_extend (out, u->cmds, NULL, NULL);
      g_ptr_array_set_free_func (u->cmds, NULL);
    }
  parser_clear (&p);
}

/* ------------------------------------------------------------------------ */
/* Classification                                                           */

typedef struct {
  const char *script;
  gsize len;
  GArray *line_starts;   /* gsize, index = line - 1 */
  GHashTable *env_names; /* set */
  GHashTable *taint;     /* name → line that set it at task start */
  GHashTable *functions; /* name → FuncInfo of the script's own functions */
  GPtrArray *func_infos; /* FuncInfo, owned (a redefinition does not free
                            what a recorded call points at) */
  GArray *calls;         /* Call */
  guint pipeline;
} Analysis;

typedef struct {
  char *name;
  ArPreflightCategory category;
  guint line;
  guint unit; /* index of the defining unit in the result */
} FuncInfo;

typedef struct {
  FuncInfo *func;
  guint unit;
} Call;

static void
func_info_free (gpointer data)
{
  FuncInfo *f = data;

  g_free (f->name);
  g_free (f);
}

typedef struct {
  gssize task_off, env_off, taint_off, tmpdir_off;
  char *task, *env, *taint;
} VarScan;

static gsize
line_start (Analysis *an, guint line)
{
  if (line == 0)
    return 0;
  if (line > an->line_starts->len)
    return an->len;
  return g_array_index (an->line_starts, gsize, line - 1);
}

static gsize
line_end (Analysis *an, guint line)
{
  if (line >= an->line_starts->len)
    return an->len;
  return g_array_index (an->line_starts, gsize, line) - 1;
}

static guint
line_of (const char *text, gsize off, guint first_line)
{
  guint line = first_line;

  for (gsize i = 0; i < off; i++)
    if (text[i] == '\n')
      line++;
  return line;
}

static gboolean
is_task_variable (const char *name, gsize n)
{
  return (n == 7 && memcmp (name, "TASK_ID", 7) == 0) ||
         (n > 14 && memcmp (name, "AGENTS_RUNNER_", 14) == 0);
}

/* Finds $NAME and ${NAME…} uses. Single-quoted text is scanned too: it is
 * often a script for sh -c, and running at start is never wrong. */
static void
scan_variables (Analysis *an, const char *t, gsize n, VarScan *out)
{
  char buf[128];

  out->task_off = out->env_off = out->taint_off = out->tmpdir_off = -1;
  for (const char *p = memchr (t, '$', n); p != NULL; p = memchr (p + 1, '$', n - (p + 1 - t)))
    {
      gsize k = p - t;
      gsize a = k + 1;
      gsize e;
      guint backslashes = 0;

      if (k + 1 >= n)
        break;
      while (backslashes < k && t[k - 1 - backslashes] == '\\')
        backslashes++;
      if (backslashes % 2 == 1)
        continue;
      if (t[a] == '{')
        {
          a++;
          if (a < n && (t[a] == '#' || t[a] == '!'))
            a++;
        }
      if (a >= n || !(g_ascii_isalpha (t[a]) || t[a] == '_'))
        continue;
      for (e = a; e < n && (g_ascii_isalnum (t[e]) || t[e] == '_'); e++)
        ;

      if (is_task_variable (t + a, e - a))
        {
          if (out->task_off < 0)
            {
              out->task_off = k;
              out->task = g_strndup (t + a, e - a);
            }
          continue;
        }
      if (e - a == 6 && memcmp (t + a, "TMPDIR", 6) == 0 && out->tmpdir_off < 0)
        out->tmpdir_off = k;
      if (e - a >= sizeof buf)
        continue;
      memcpy (buf, t + a, e - a);
      buf[e - a] = '\0';
      if (out->env_off < 0 && g_hash_table_contains (an->env_names, buf))
        {
          out->env_off = k;
          out->env = g_strdup (buf);
        }
      else if (out->taint_off < 0 && g_hash_table_contains (an->taint, buf))
        {
          out->taint_off = k;
          out->taint = g_strdup (buf);
        }
    }
}

/* Finds a path under /tmp (not /var/tmp, not ~/tmp); @dynamic_off gets the
 * first /tmp/… path built from an expansion. */
static gssize
scan_tmp (const char *t, gsize n, gssize *dynamic_off)
{
  gssize first = -1;

  *dynamic_off = -1;
  for (const char *p = memchr (t, '/', n); p != NULL; p = memchr (p + 1, '/', n - (p + 1 - t)))
    {
      gsize k = p - t;
      char before = k > 0 ? t[k - 1] : ' ';
      char after;

      if (k + 4 > n || memcmp (p, "/tmp", 4) != 0)
        continue;
      if (g_ascii_isalnum (before) || strchr ("_./}$)~", before) != NULL)
        continue;
      after = k + 4 < n ? t[k + 4] : ' ';
      if (g_ascii_isalnum (after) || after == '_' || after == '.' || after == '-')
        continue;
      if (first < 0)
        first = k;
      if (after == '/' && *dynamic_off < 0)
        for (gsize j = k + 5; j < n && strchr (" \t\n;|&<>)", t[j]) == NULL; j++)
          if (t[j] == '$' || t[j] == '`')
            {
              *dynamic_off = k;
              break;
            }
      if (*dynamic_off >= 0)
        break;
    }
  return first;
}

static void
blank_span (char *t, gsize len, gsize from, gsize to)
{
  for (gsize i = from; i < to && i < len; i++)
    if (t[i] != '\n')
      t[i] = ' ';
}

static int
rule_of (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return 1;
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return 2;
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return 3;
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return 4;
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT: return 5;
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE: return 6;
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR: return 7;
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS:
    case AR_PREFLIGHT_CATEGORY_SHEBANG:
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION:
    case AR_PREFLIGHT_CATEGORY_VARIABLE:
    default:
      return 0;
    }
}

static ArPreflightPart
part_for (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL:
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD:
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG:
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR:
      return AR_PREFLIGHT_PART_CACHED;
    case AR_PREFLIGHT_CATEGORY_SHEBANG:
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION:
    case AR_PREFLIGHT_CATEGORY_VARIABLE:
      return AR_PREFLIGHT_PART_BOTH;
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT:
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE:
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR:
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS:
    default:
      return AR_PREFLIGHT_PART_RUN;
    }
}

static char *
unit_text (Analysis *an, guint line, guint end_line)
{
  gsize a = line_start (an, line);
  gsize b = line_end (an, end_line);

  return g_strndup (an->script + a, b > a ? b - a : 0);
}

static char *
join_words (const View *v)
{
  GString *out = g_string_new (NULL);

  for (guint j = v->i; j < v->w->len; j++)
    {
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, g_ptr_array_index (v->w, j));
    }
  return g_string_free (out, FALSE);
}

/* Cursors into the lexer's comments and here-documents, which are in source
 * order like the units. */
typedef struct {
  guint comment;
  guint heredoc;
} Cursor;

static void
classify (Analysis *an, Lexer *lx, RawUnit *ru, Cursor *cursor, guint unit_index, ArPreflightUnit *u)
{
  g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func (cmd_free);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GPtrArray) defines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *code = NULL;
  g_autofree char *vars = NULL;
  g_autofree char *cached_detail = NULL;
  g_autofree char *workspace_detail = NULL;
  gsize base = line_start (an, u->line);
  gsize n = strlen (u->text);
  VarScan vs = { 0 };
  gssize tmp_off, dyn_off;
  int cached_rule = 0;
  gboolean cached_installer = FALSE;
  const char *export_name = NULL;
  gsize export_len = 0;
  gboolean mktemp = FALSE;
  const char *run_call = NULL; /* a call of a script function that runs at start */
  FuncInfo *run_call_info = NULL;
  gboolean all_options = ru->cmds->len > 0;
  gboolean all_assignments = ru->cmds->len > 0;

  expand_nested (lx, ru->cmds, &an->pipeline, 0, extra);
  g_ptr_array_extend (all, ru->cmds, NULL, NULL);
  g_ptr_array_extend (all, extra, NULL, NULL);

  /* Two views of the text: code (no comments, no here-document data) for
   * paths, and the same plus unquoted here-document bodies for variables,
   * which the shell expands there. */
  code = g_strndup (u->text, n);
  vars = g_strndup (u->text, n);
  for (; cursor->comment < lx->comments->len; cursor->comment++)
    {
      Span *c = &g_array_index (lx->comments, Span, cursor->comment);

      if (c->start >= base + n)
        break;
      if (c->start < base)
        continue;
      blank_span (code, n, c->start - base, c->end - base);
      blank_span (vars, n, c->start - base, c->end - base);
    }
  for (; cursor->heredoc < lx->heredocs->len; cursor->heredoc++)
    {
      HereDoc *h = &g_array_index (lx->heredocs, HereDoc, cursor->heredoc);

      if (!h->read || h->start >= base + n)
        break;
      if (h->exec || h->start < base)
        continue;
      blank_span (code, n, h->start - base, h->mask_end - base);
      if (h->quoted)
        blank_span (vars, n, h->start - base, h->mask_end - base);
    }

  scan_variables (an, vars, n, &vs);
  tmp_off = scan_tmp (code, n, &dyn_off);
  mktemp = strstr (code, "mktemp") != NULL;

  for (guint k = 0; k < all->len; k++)
    {
      Cmd *cmd = g_ptr_array_index (all, k);
      gboolean top = k < ru->cmds->len;
      gboolean workspace = FALSE;
      gboolean to_etc = FALSE;
      gboolean installer = FALSE;
      g_autofree char *detail = NULL;
      int rule = 0;
      View v;

      view_init (&v, cmd);
      if (top)
        {
          gsize len = 0;
          const char *exported = match_export (&v, &len);

          if (exported != NULL && export_name == NULL)
            {
              export_name = exported;
              export_len = len;
            }
          if (!is_shell_option (&v))
            all_options = FALSE;
          if (!is_variable_cmd (&v))
            all_assignments = FALSE;
          collect_defines (&v, defines);
        }

      /* a call of the script's own function is what its body is */
      if (v.name != NULL && v.i < v.w->len)
        {
          FuncInfo *f = g_hash_table_lookup (an->functions, g_ptr_array_index (v.w, v.i));
          int frule = f != NULL ? rule_of (f->category) : 0;

          if (f != NULL)
            {
              Call call = { f, unit_index };

              g_array_append_val (an->calls, call);
            }

          if (frule >= 5 && run_call == NULL)
            {
              run_call = g_ptr_array_index (v.w, v.i);
              run_call_info = f;
            }
          else if (frule >= 1 && frule <= 4)
            {
              rule = frule;
              detail = g_strdup (g_ptr_array_index (v.w, v.i));
              if (rule == 1 && u->package_line == 0)
                u->package_line = cmd->line;
            }
        }

      if (rule != 0)
        ;
      else if ((detail = match_package (&v, &workspace)) != NULL)
        {
          rule = 1;
          if (u->package_line == 0)
            u->package_line = cmd->line;
        }
      else if ((detail = match_download (all, k, &v, &to_etc, &installer)) != NULL)
        rule = to_etc ? 3 : 2;
      else if ((detail = match_system_config (&v)) != NULL)
        rule = 3;
      else if ((detail = match_static_dir (&v)) != NULL)
        rule = 4;

      if (workspace && workspace_detail == NULL)
        workspace_detail = join_words (&v);
      if (rule != 0 && (cached_rule == 0 || rule < cached_rule))
        {
          cached_rule = rule;
          cached_installer = installer;
          g_free (cached_detail);
          cached_detail = g_steal_pointer (&detail);
        }
    }

  /* The validator's signals */
  if (vs.task_off >= 0)
    {
      u->task_variable = g_strdup (vs.task);
      u->task_variable_line = line_of (vars, vs.task_off, u->line);
    }
  if (vs.env_off >= 0)
    {
      u->env_variable = g_strdup (vs.env);
      u->env_variable_line = line_of (vars, vs.env_off, u->line);
    }
  if (dyn_off >= 0)
    u->dynamic_tmp_line = line_of (code, dyn_off, u->line);

  /* Rules 5–7 first: a per-task value can never be baked. */
  if (export_name != NULL)
    {
      g_autofree char *name = g_strndup (export_name, export_len);

      u->category = AR_PREFLIGHT_CATEGORY_ENV_EXPORT;
      u->reason = g_strdup_printf (_("Exports %s for the task; an export in the cached part would not reach it."), name);
    }
  else if (vs.task_off >= 0 || vs.env_off >= 0 || vs.taint_off >= 0)
    {
      gssize first = G_MAXSSIZE;

      u->category = AR_PREFLIGHT_CATEGORY_TASK_VARIABLE;
      if (vs.task_off >= 0)
        first = vs.task_off;
      if (vs.env_off >= 0)
        first = MIN (first, vs.env_off);
      if (vs.taint_off >= 0)
        first = MIN (first, vs.taint_off);
      if (first == vs.task_off)
        u->reason = g_strdup_printf (_("Uses $%s, which is different for every task."), vs.task);
      else if (first == vs.env_off)
        u->reason = g_strdup_printf (_("Uses $%s, an env var of the environment: it is not there at build time, and a secret would be baked into the image."), vs.env);
      else
        u->reason = g_strdup_printf (_("Uses $%s, which line %u sets at task start."), vs.taint,
                                     GPOINTER_TO_UINT (g_hash_table_lookup (an->taint, vs.taint)));
    }
  else if (tmp_off >= 0 || vs.tmpdir_off >= 0 || mktemp)
    {
      u->category = AR_PREFLIGHT_CATEGORY_TEMP_DIR;
      u->reason = g_strdup (_("Uses the temporary folder /tmp, whose contents belong to one task."));
    }
  else if (run_call != NULL)
    {
      u->category = run_call_info->category;
      u->reason = g_strdup_printf (_("Calls %s (line %u), which runs at start."), run_call, run_call_info->line);
    }
  else if (workspace_detail != NULL)
    {
      u->category = AR_PREFLIGHT_CATEGORY_AMBIGUOUS;
      u->reason = g_strdup_printf (_("Installs into the workspace or the home folder (%s), which only a running task has."),
                                   workspace_detail);
    }
  else if (cached_rule != 0)
    {
      switch (cached_rule)
        {
        case 1:
          u->category = AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL;
          u->reason = g_strdup_printf (_("Installs or updates packages (%s): the same for every task, so it can be baked into the image."), cached_detail);
          break;
        case 2:
          u->category = AR_PREFLIGHT_CATEGORY_DOWNLOAD;
          if (cached_installer)
            u->reason = g_strdup_printf (_("Downloads and runs an installer (%s): the same for every task, so it can be baked into the image."), cached_detail);
          else
            u->reason = g_strdup_printf (_("Downloads into a system place (%s): the same for every task, so it can be baked into the image."), cached_detail);
          break;
        case 3:
          u->category = AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG;
          u->reason = g_strdup_printf (_("Changes system configuration (%s): the same for every task, so it can be baked into the image."), cached_detail);
          break;
        default:
          u->category = AR_PREFLIGHT_CATEGORY_STATIC_DIR;
          u->reason = g_strdup_printf (_("Creates the folder %s: the same for every task, so it can be baked into the image."), cached_detail);
          break;
        }
    }
  else if (all_options)
    {
      u->category = AR_PREFLIGHT_CATEGORY_SHELL_OPTION;
      u->reason = g_strdup (_("A shell option: it goes to both parts, so both scripts behave alike."));
    }
  else if (all_assignments)
    {
      u->category = AR_PREFLIGHT_CATEGORY_VARIABLE;
      u->reason = g_strdup (_("Sets a shell variable: it goes to both parts, so later lines of either can use it."));
    }
  else
    {
      u->category = AR_PREFLIGHT_CATEGORY_AMBIGUOUS;
      u->reason = g_strdup (_("not recognised; runs at start, which is always correct, only slower"));
    }
  u->part = part_for (u->category);

  /* A value set by a unit that runs at start is not there at build time:
   * later units using it must run at start too. */
  for (guint i = 0; i < ru->defines->len; i++)
    g_ptr_array_add (defines, g_strdup (g_ptr_array_index (ru->defines, i)));
  for (guint i = 0; i < defines->len; i++)
    {
      const char *name = g_ptr_array_index (defines, i);

      if (u->part == AR_PREFLIGHT_PART_RUN)
        g_hash_table_insert (an->taint, g_strdup (name), GUINT_TO_POINTER (ru->token_line));
      else
        g_hash_table_remove (an->taint, name);
    }

  for (guint i = 0; i < ru->functions->len; i++)
    {
      FuncInfo *f = g_new0 (FuncInfo, 1);

      f->name = g_strdup (g_ptr_array_index (ru->functions, i));
      f->category = u->category;
      f->line = ru->token_line;
      f->unit = unit_index;
      g_ptr_array_add (an->func_infos, f);
      g_hash_table_insert (an->functions, f->name, f);
    }

  g_free (vs.task);
  g_free (vs.env);
  g_free (vs.taint);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

ArPreflightUnit *
ar_preflight_unit_copy (const ArPreflightUnit *unit)
{
  ArPreflightUnit *copy;

  g_return_val_if_fail (unit != NULL, NULL);

  copy = g_new0 (ArPreflightUnit, 1);
  *copy = *unit;
  copy->text = g_strdup (unit->text);
  copy->reason = g_strdup (unit->reason);
  copy->task_variable = g_strdup (unit->task_variable);
  copy->env_variable = g_strdup (unit->env_variable);
  return copy;
}

void
ar_preflight_unit_free (ArPreflightUnit *unit)
{
  if (unit == NULL)
    return;
  g_free (unit->text);
  g_free (unit->reason);
  g_free (unit->task_variable);
  g_free (unit->env_variable);
  g_free (unit);
}

G_DEFINE_BOXED_TYPE (ArPreflightUnit, ar_preflight_unit, ar_preflight_unit_copy, ar_preflight_unit_free)

GPtrArray *
ar_preflight_analyze (const char *script, const char *const *env_var_names)
{
  GPtrArray *units = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_preflight_unit_free);
  Analysis an = { 0 };
  Parser p;
  gsize pos = 0;
  guint first_line = 1;
  Cursor cursor = { 0, 0 };

  if (script == NULL || script[0] == '\0')
    return units;

  an.script = script;
  an.len = strlen (script);
  an.line_starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_array_append_val (an.line_starts, pos);
  for (const char *nl = memchr (script, '\n', an.len); nl != NULL;
       nl = memchr (nl + 1, '\n', an.len - (nl + 1 - script)))
    {
      gsize next = nl + 1 - script;

      g_array_append_val (an.line_starts, next);
    }
  an.env_names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; env_var_names != NULL && env_var_names[i] != NULL; i++)
    if (env_var_names[i][0] != '\0')
      g_hash_table_add (an.env_names, (gpointer) env_var_names[i]);
  an.taint = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  an.functions = g_hash_table_new (g_str_hash, g_str_equal);
  an.func_infos = g_ptr_array_new_with_free_func (func_info_free);
  an.calls = g_array_new (FALSE, FALSE, sizeof (Call));

  if (g_str_has_prefix (script, "#!"))
    {
      ArPreflightUnit *u = g_new0 (ArPreflightUnit, 1);

      u->line = u->end_line = 1;
      u->text = unit_text (&an, 1, 1);
      u->category = AR_PREFLIGHT_CATEGORY_SHEBANG;
      u->reason = g_strdup (_("The interpreter line: it goes to both parts."));
      u->part = AR_PREFLIGHT_PART_BOTH;
      g_ptr_array_add (units, u);
      pos = line_end (&an, 1);
      pos = pos < an.len ? pos + 1 : pos;
      first_line = 2;
    }

  parser_init (&p, script, an.len, pos, first_line, &an.pipeline);
  parser_run (&p);

  for (guint i = 0; i < p.units->len; i++)
    {
      RawUnit *ru = g_ptr_array_index (p.units, i);
      ArPreflightUnit *u = g_new0 (ArPreflightUnit, 1);

      u->line = ru->line;
      u->end_line = MAX (ru->line, MIN (ru->end_line, an.line_starts->len));
      u->text = unit_text (&an, u->line, u->end_line);
      classify (&an, &p.lx, ru, &cursor, units->len, u);
      g_ptr_array_add (units, u);
    }

  /* A function called from the other part must be defined there too;
   * a definition has no effect of its own, so both parts may hold it. */
  for (guint i = 0; i < an.calls->len; i++)
    {
      Call *call = &g_array_index (an.calls, Call, i);
      ArPreflightUnit *def = g_ptr_array_index (units, call->func->unit);
      ArPreflightUnit *user = g_ptr_array_index (units, call->unit);

      if (def->part != AR_PREFLIGHT_PART_BOTH && user->part != AR_PREFLIGHT_PART_BOTH &&
          def->part != user->part)
        {
          def->part = AR_PREFLIGHT_PART_BOTH;
          g_free (def->reason);
          def->reason = g_strdup_printf (_("Defines %s, which both parts call, so it goes to both."),
                                         call->func->name);
        }
    }

  /* comments after the last command stay with it */
  if (p.lx.comment_line != 0 && units->len > 0)
    {
      ArPreflightUnit *last = g_ptr_array_index (units, units->len - 1);

      if (p.lx.last_comment_line > last->end_line)
        {
          last->end_line = p.lx.last_comment_line;
          g_free (last->text);
          last->text = unit_text (&an, last->line, last->end_line);
        }
    }

  parser_clear (&p);
  g_array_unref (an.line_starts);
  g_hash_table_unref (an.env_names);
  g_hash_table_unref (an.taint);
  g_hash_table_unref (an.functions);
  g_ptr_array_unref (an.func_infos);
  g_array_unref (an.calls);
  return units;
}

char *
ar_preflight_render (GPtrArray *units, ArPreflightPart which)
{
  GString *out;
  gboolean any = FALSE;
  gboolean gap = FALSE;
  gboolean first = TRUE;
  guint prev_end = 0;

  g_return_val_if_fail (units != NULL, NULL);
  g_return_val_if_fail (which == AR_PREFLIGHT_PART_CACHED || which == AR_PREFLIGHT_PART_RUN, NULL);

  for (guint i = 0; i < units->len && !any; i++)
    any = ((ArPreflightUnit *) g_ptr_array_index (units, i))->part == which;
  if (!any)
    return g_strdup ("");

  out = g_string_new (NULL);
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      /* a line no unit covers is a blank line of the source */
      if (prev_end != 0 && u->line > prev_end + 1)
        gap = TRUE;
      prev_end = MAX (prev_end, u->end_line);
      if (u->part != which && u->part != AR_PREFLIGHT_PART_BOTH)
        continue;
      if (gap && !first)
        g_string_append_c (out, '\n');
      g_string_append (out, u->text);
      g_string_append_c (out, '\n');
      gap = FALSE;
      first = FALSE;
    }
  return g_string_free (out, FALSE);
}

const char *
ar_preflight_category_to_string (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return "package-install";
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return "download";
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return "system-config";
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return "static-dir";
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT: return "env-export";
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE: return "task-variable";
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR: return "temp-dir";
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS: return "ambiguous";
    case AR_PREFLIGHT_CATEGORY_SHEBANG: return "shebang";
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION: return "shell-option";
    case AR_PREFLIGHT_CATEGORY_VARIABLE: return "variable";
    default: return "ambiguous";
    }
}

const char *
ar_preflight_part_to_string (ArPreflightPart part)
{
  switch (part)
    {
    case AR_PREFLIGHT_PART_CACHED: return "cached";
    case AR_PREFLIGHT_PART_BOTH: return "both";
    case AR_PREFLIGHT_PART_RUN:
    default: return "run";
    }
}

gboolean
ar_preflight_part_from_string (const char *str, ArPreflightPart *part)
{
  static const struct { const char *name; ArPreflightPart part; } parts[] = {
    { "cached", AR_PREFLIGHT_PART_CACHED },
    { "run", AR_PREFLIGHT_PART_RUN },
    { "both", AR_PREFLIGHT_PART_BOTH },
  };

  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (parts); i++)
    if (strcmp (str, parts[i].name) == 0)
      {
        if (part != NULL)
          *part = parts[i].part;
        return TRUE;
      }
  return FALSE;
}
