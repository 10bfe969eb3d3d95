/* ar-preflight-parser.c — tokens → logical units of simple commands
 *
 * A unit ends at a newline unless something is still open: a quote or a
 * continued line (the lexer's part), an &&-chain or a pipe, an if / for /
 * while / until / case / { } / ( ) block, or a function definition. It is
 * not a full shell grammar: it only has to be right about where units end
 * and what the commands are, and it must never fail.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"
#include "ar-util.h"

#include <string.h>

typedef enum {
  CTX_IF,
  CTX_LOOP,
  CTX_CASE,
  CTX_BRACE,
  CTX_SUBSHELL,
  N_CTX
} Ctx;

typedef enum {
  MODE_NONE,
  MODE_FOR_HEAD,     /* for NAME in words… until do */
  MODE_CASE_HEAD,    /* case WORD until in */
  MODE_CASE_PATTERN, /* a pattern until ) */
  MODE_DBRACKET,     /* [[ … ]] */
  MODE_FUNC_NAME,    /* function NAME */
} Mode;

struct _ArPreflightParser {
  ArPreflightLexer lx;
  GArray *stack;     /* Ctx */
  guint open[N_CTX]; /* how many of each kind the stack holds */
  Mode mode;
  gboolean cmd_pos;   /* a reserved word would be recognised here */
  gboolean need_more; /* the unit cannot end at this newline (&&, |, f()) */
  gboolean for_first;
  gboolean func_named;
  gboolean func_paren;
  const char *pending_redir;
  ArPreflightCmd *cmd;
  guint *pipeline;
  gboolean pipe_open;
  ArPreflightRawUnit *unit;
  GPtrArray *units; /* ArPreflightRawUnit * */
};

void
ar_preflight_redir_free (gpointer data)
{
  ArPreflightRedir *r = data;

  g_free (r->target);
  g_free (r);
}

void
ar_preflight_cmd_free (gpointer data)
{
  ArPreflightCmd *c = data;

  g_ptr_array_unref (c->words);
  g_ptr_array_unref (c->redirs);
  if (c->heredocs != NULL)
    g_array_unref (c->heredocs);
  g_free (c);
}

static void
raw_unit_free (gpointer data)
{
  ArPreflightRawUnit *u = data;

  g_ptr_array_unref (u->cmds);
  g_ptr_array_unref (u->defines);
  g_ptr_array_unref (u->functions);
  g_free (u);
}

ArPreflightParser *
ar_preflight_parser_new (const char *s,
                         gsize len,
                         gsize pos,
                         guint line,
                         guint *pipeline)
{
  ArPreflightParser *p = g_new0 (ArPreflightParser, 1);

  ar_preflight_lexer_init (&p->lx, s, len, pos, line);
  p->stack = g_array_new (FALSE, FALSE, sizeof (Ctx));
  p->cmd_pos = TRUE;
  p->pipeline = pipeline;
  p->units = g_ptr_array_new_with_free_func (raw_unit_free);
  return p;
}

void
ar_preflight_parser_free (ArPreflightParser *p)
{
  if (p == NULL)
    return;
  ar_preflight_lexer_clear (&p->lx);
  g_array_unref (p->stack);
  g_ptr_array_unref (p->units);
  g_clear_pointer (&p->cmd, ar_preflight_cmd_free);
  g_clear_pointer (&p->unit, raw_unit_free);
  g_free (p);
}

ArPreflightLexer *
ar_preflight_parser_get_lexer (ArPreflightParser *p)
{
  return &p->lx;
}

static void
ensure_unit (ArPreflightParser *p, guint line)
{
  if (p->unit != NULL)
    return;
  p->unit = g_new0 (ArPreflightRawUnit, 1);
  p->unit->line = p->lx.comment_line != 0 ? MIN (p->lx.comment_line, line) : line;
  p->unit->end_line = line;
  p->unit->token_line = line;
  p->unit->cmds = g_ptr_array_new_with_free_func (ar_preflight_cmd_free);
  p->unit->defines = g_ptr_array_new_with_free_func (g_free);
  p->unit->functions = g_ptr_array_new_with_free_func (g_free);
}

static ArPreflightCmd *
ensure_cmd (ArPreflightParser *p, guint line)
{
  if (p->cmd == NULL)
    {
      p->cmd = g_new0 (ArPreflightCmd, 1);
      p->cmd->words = g_ptr_array_new_with_free_func (g_free);
      p->cmd->redirs = g_ptr_array_new_with_free_func (ar_preflight_redir_free);
      p->cmd->line = line;
      if (!p->pipe_open)
        (*p->pipeline)++;
      p->pipe_open = FALSE;
      p->cmd->pipeline = *p->pipeline;
    }
  return p->cmd;
}

static void
end_cmd (ArPreflightParser *p)
{
  ArPreflightCmd *c = g_steal_pointer (&p->cmd);

  if (c == NULL)
    return;
  if (p->unit != NULL && (c->words->len > 0 || c->redirs->len > 0 || c->heredocs != NULL))
    g_ptr_array_add (p->unit->cmds, c);
  else
    ar_preflight_cmd_free (c);
}

static void
end_unit (ArPreflightParser *p)
{
  end_cmd (p);
  if (p->unit != NULL)
    g_ptr_array_add (p->units, g_steal_pointer (&p->unit));
  g_array_set_size (p->stack, 0);
  memset (p->open, 0, sizeof p->open);
  p->mode = MODE_NONE;
  p->cmd_pos = TRUE;
  p->need_more = FALSE;
  p->func_named = FALSE;
  p->func_paren = FALSE;
  p->pipe_open = FALSE;
  p->pending_redir = NULL;
  p->lx.comment_line = 0;
}

/* Opens a block at @line, or gives up on the script when it would be
 * nested deeper than AR_PREFLIGHT_MAX_NESTING. */
static void
push_ctx (ArPreflightParser *p, Ctx ctx, guint line)
{
  if (p->stack->len >= AR_PREFLIGHT_MAX_NESTING)
    {
      ar_preflight_lexer_give_up (&p->lx, line);
      return;
    }
  g_array_append_val (p->stack, ctx);
  p->open[ctx]++;
}

/* Closes the innermost @ctx (and whatever was left open inside it). The
 * count makes a closer with nothing to close cost nothing, so that a run of
 * them stays linear. */
static void
pop_ctx (ArPreflightParser *p, Ctx ctx)
{
  if (p->open[ctx] == 0)
    return;
  while (p->stack->len > 0)
    {
      Ctx top = g_array_index (p->stack, Ctx, p->stack->len - 1);

      g_array_set_size (p->stack, p->stack->len - 1);
      p->open[top]--;
      if (top == ctx)
        return;
    }
}

gboolean
ar_preflight_is_name (const char *s, gsize n)
{
  return ar_is_env_name (s, (gssize) n);
}

/* NAME=…, NAME+=…, NAME[i]=… */
gboolean
ar_preflight_is_assignment (const char *w)
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
  return ar_preflight_is_name (w, n);
}

static gboolean
is_reserved (const ArPreflightToken *tok, const char *word)
{
  return !tok->quoted && strcmp (tok->value, word) == 0;
}

static void
parser_word (ArPreflightParser *p, ArPreflightToken *tok)
{
  ArPreflightCmd *cmd;

  if (p->pending_redir != NULL)
    {
      const char *op = p->pending_redir;

      p->pending_redir = NULL;
      cmd = ensure_cmd (p, tok->line);
      if (strcmp (op, "<<") == 0 || strcmp (op, "<<-") == 0)
        {
          ArPreflightHereDoc h = { 0 };
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
          ArPreflightRedir *r = g_new0 (ArPreflightRedir, 1);

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
      if (p->for_first && ar_preflight_is_name (tok->value, strlen (tok->value)))
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
          push_ctx (p, w[0] == 'i' ? CTX_IF : CTX_LOOP, tok->line);
          p->need_more = FALSE;
          return;
        }
      if (strcmp (w, "for") == 0 || strcmp (w, "select") == 0)
        {
          end_cmd (p);
          push_ctx (p, CTX_LOOP, tok->line);
          p->mode = MODE_FOR_HEAD;
          p->for_first = TRUE;
          p->cmd_pos = FALSE;
          p->need_more = FALSE;
          return;
        }
      if (strcmp (w, "case") == 0)
        {
          end_cmd (p);
          push_ctx (p, CTX_CASE, tok->line);
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
          push_ctx (p, CTX_BRACE, tok->line);
          p->need_more = FALSE;
          return;
        }
      if (strcmp (w, "fi") == 0 || strcmp (w, "done") == 0 ||
          strcmp (w, "esac") == 0 || strcmp (w, "}") == 0)
        {
          end_cmd (p);
          pop_ctx (p, w[0] == 'f' ? CTX_IF : w[0] == 'd' ? CTX_LOOP
                                           : w[0] == 'e' ? CTX_CASE
                                                         : CTX_BRACE);
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
parser_op (ArPreflightParser *p, ArPreflightToken *tok)
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
          !ar_preflight_is_assignment (g_ptr_array_index (p->cmd->words, 0)))
        {
          /* name() — a function definition; the name is not a command */
          g_ptr_array_add (p->unit->functions, g_steal_pointer (&p->cmd->words->pdata[0]));
          g_clear_pointer (&p->cmd, ar_preflight_cmd_free);
          p->func_paren = TRUE;
          return;
        }
      if (p->cmd_pos)
        {
          push_ctx (p, CTX_SUBSHELL, tok->line);
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
parser_feed (ArPreflightParser *p, ArPreflightToken *tok)
{
  if (tok->kind == AR_PREFLIGHT_TOKEN_NEWLINE)
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
    case AR_PREFLIGHT_TOKEN_WORD:
      parser_word (p, tok);
      break;
    case AR_PREFLIGHT_TOKEN_REDIR:
      if (p->mode == MODE_DBRACKET)
        g_ptr_array_add (ensure_cmd (p, tok->line)->words, g_strdup (tok->op));
      else if (p->mode == MODE_NONE)
        {
          ensure_cmd (p, tok->line);
          p->pending_redir = tok->op;
        }
      break;
    case AR_PREFLIGHT_TOKEN_OP:
      parser_op (p, tok);
      break;
    case AR_PREFLIGHT_TOKEN_NEWLINE:
    case AR_PREFLIGHT_TOKEN_EOF:
    default:
      break;
    }
}

GPtrArray *
ar_preflight_parser_run (ArPreflightParser *p)
{
  for (;;)
    {
      ArPreflightToken tok;

      ar_preflight_lexer_next (&p->lx, &tok);
      if (tok.kind == AR_PREFLIGHT_TOKEN_EOF)
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
  return p->units;
}
