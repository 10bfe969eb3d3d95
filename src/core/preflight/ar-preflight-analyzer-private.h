/* ar-preflight-analyzer-private.h — what the parts of the auto-split share
 *
 * The script is read in steps, one file each: the lexer turns text into
 * tokens (quoting, expansions, here-document bodies, comments), the parser
 * groups them into logical units of simple commands (continued lines,
 * &&-chains, compound blocks, functions), ar-preflight-command.c looks at
 * one command past its wrappers and into nested shells, the matchers
 * recognise what each rule of design.md §5.1 looks for in a command, and the
 * rules decide a unit's category, part and reason.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-preflight-analyzer.h"
#include "ar-preflight-deps.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/* ar-preflight-lexer.c                                                     */

typedef enum {
  AR_PREFLIGHT_TOKEN_WORD,
  AR_PREFLIGHT_TOKEN_OP,
  AR_PREFLIGHT_TOKEN_REDIR,
  AR_PREFLIGHT_TOKEN_NEWLINE,
  AR_PREFLIGHT_TOKEN_EOF,
} ArPreflightTokenKind;

typedef struct {
  ArPreflightTokenKind kind;
  char *value;     /* WORD: quotes removed, $(…) `…` ${…} kept as written */
  const char *op;  /* OP, REDIR */
  gboolean quoted; /* WORD: had quotes or escapes (never a reserved word) */
  guint line;
  guint end_line; /* NEWLINE: includes the here-document bodies it read */
} ArPreflightToken;

typedef struct {
  gsize start;
  gsize end;
} ArPreflightSpan;

typedef struct {
  char *delim;
  gboolean strip_tabs;
  gboolean quoted; /* <<'EOF': the body is not expanded */
  gboolean exec;   /* fed to a shell: the body is commands, not data */
  gboolean read;
  gsize start; /* body */
  gsize end;
  gsize mask_end; /* end of the delimiter line */
  guint first_line;
} ArPreflightHereDoc;

typedef struct {
  const char *s;
  gsize len;
  gsize pos;
  guint line;
  GArray *heredocs;   /* ArPreflightHereDoc, in order of appearance */
  guint next_body;    /* first here-document whose body is not read yet */
  GArray *comments;   /* ArPreflightSpan */
  guint comment_line; /* first comment line since the parser last cleared it */
  guint last_comment_line;
  guint too_deep_line; /* 0, or where nesting went past the limit */
} ArPreflightLexer;

/* Quotes and expansions inside each other (lexer), and blocks inside each
 * other (parser), are followed this deep; past it the analysis gives up. */
#define AR_PREFLIGHT_MAX_NESTING 1000

/* Reads @s[@pos..@len) from line @line on. */
void ar_preflight_lexer_init (ArPreflightLexer *lx,
                              const char *s,
                              gsize len,
                              gsize pos,
                              guint line);
void ar_preflight_lexer_clear (ArPreflightLexer *lx);
/* Stops reading (the next token is EOF) and records @line in
 * lx->too_deep_line unless an earlier line is there already. */
void ar_preflight_lexer_give_up (ArPreflightLexer *lx, guint line);
/* The next token; the caller frees its value. Comments it skips go to
 * lx->comments, here-document bodies are read after the newline that ends
 * their line. */
void ar_preflight_lexer_next (ArPreflightLexer *lx, ArPreflightToken *tok);

/* ------------------------------------------------------------------------ */
/* ar-preflight-parser.c                                                    */

typedef struct {
  const char *op;
  char *target;
} ArPreflightRedir;

/* A simple command as the parser found it. */
typedef struct {
  GPtrArray *words;  /* char * */
  GPtrArray *redirs; /* ArPreflightRedir * */
  GArray *heredocs;  /* guint indexes into the lexer's here-documents */
  guint line;
  guint pipeline; /* commands joined by | share it */
} ArPreflightCmd;

typedef struct {
  guint line;
  guint end_line;
  guint token_line;     /* first line with code (line may be a comment) */
  GPtrArray *cmds;      /* ArPreflightCmd * */
  GPtrArray *defines;   /* char *: the for-loop variable */
  GPtrArray *functions; /* char *: functions this unit defines */
} ArPreflightRawUnit;

typedef struct _ArPreflightParser ArPreflightParser;

void ar_preflight_cmd_free (gpointer data);
/* Frees an ArPreflightRedir. */
void ar_preflight_redir_free (gpointer data);

/* Parses @s[@pos..@len) from line @line on; @pipeline numbers the
 * pipelines and goes on counting across nested parses. */
ArPreflightParser *ar_preflight_parser_new (const char *s,
                                            gsize len,
                                            gsize pos,
                                            guint line,
                                            guint *pipeline);
void ar_preflight_parser_free (ArPreflightParser *p);
/* Reads to the end; returns the units (ArPreflightRawUnit, owned by @p). */
GPtrArray *ar_preflight_parser_run (ArPreflightParser *p);
/* The lexer after the run: comments, here-documents, trailing comments. */
ArPreflightLexer *ar_preflight_parser_get_lexer (ArPreflightParser *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArPreflightParser, ar_preflight_parser_free)

gboolean ar_preflight_is_name (const char *s, gsize n);
/* NAME=…, NAME+=…, NAME[i]=… */
gboolean ar_preflight_is_assignment (const char *w);

/* ------------------------------------------------------------------------ */
/* ar-preflight-command.c                                                   */

/* A simple command with its wrappers (assignments, sudo, env, …) skipped. */
typedef struct {
  ArPreflightCmd *cmd;
  GPtrArray *w;
  guint i;          /* index of the command name; w->len when none */
  const char *name; /* its base name, or NULL */
} ArPreflightView;

static inline const char *
ar_preflight_view_word (const ArPreflightView *v, guint j)
{
  return j < v->w->len ? g_ptr_array_index (v->w, j) : NULL;
}

void ar_preflight_view_init (ArPreflightView *v, ArPreflightCmd *cmd);
/* The words from the command name on, joined by spaces. */
char *ar_preflight_join_words (const ArPreflightView *v);

gboolean ar_preflight_str_in (const char *s, const char *const *list);
gboolean ar_preflight_is_shell_name (const char *name);
gboolean ar_preflight_path_under (const char *path, const char *dir);
/* Places in the image that are the same for every task. */
gboolean ar_preflight_is_system_path (const char *path);

/* Queries of the arguments after the command name. */
const char *ar_preflight_any_system_arg (const ArPreflightView *v);
const char *ar_preflight_last_positional (const ArPreflightView *v, guint *count);
const char *ar_preflight_option_system_value (const ArPreflightView *v,
                                              const char *letters,
                                              const char *const *longs);
gboolean ar_preflight_has_word (const ArPreflightView *v, const char *const *words);
const char *ar_preflight_first_word_in (const ArPreflightView *v, const char *const *words);
guint ar_preflight_first_positional_index (const ArPreflightView *v, guint from);

/* Commands that run in a nested shell: here-documents fed to a shell
 * (sh <<EOF, cat <<EOF | sh) and sh -c STRING. Marks those here-documents as
 * code and appends the nested commands to @out. */
void ar_preflight_expand_nested (ArPreflightLexer *lx,
                                 GPtrArray *cmds,
                                 guint *pipeline,
                                 int depth,
                                 GPtrArray *out);

/* ------------------------------------------------------------------------ */
/* ar-preflight-matchers.c: what each rule recognises in one command        */

char *ar_preflight_match_package (const ArPreflightView *v, gboolean *workspace);
char *ar_preflight_match_download (GPtrArray *cmds,
                                   guint k,
                                   const ArPreflightView *v,
                                   gboolean *to_etc,
                                   gboolean *installer);
char *ar_preflight_match_system_config (const ArPreflightView *v);
char *ar_preflight_match_static_dir (const ArPreflightView *v);
const char *ar_preflight_match_export (const ArPreflightView *v, gsize *name_len);
gboolean ar_preflight_is_variable_cmd (const ArPreflightView *v);
gboolean ar_preflight_is_shell_option (const ArPreflightView *v);
void ar_preflight_collect_defines (const ArPreflightView *v, GPtrArray *out);

/* Install-script scaffolding: commands that only set the script up. */
typedef enum {
  AR_PREFLIGHT_SETUP_NONE,
  AR_PREFLIGHT_SETUP_MESSAGE, /* echo, printf to the terminal */
  AR_PREFLIGHT_SETUP_QUERY,   /* tests, command -v, uname -m, id -u, exit, … */
  AR_PREFLIGHT_SETUP_TRAP,    /* trap */
  AR_PREFLIGHT_SETUP_DETECT,  /* . /etc/os-release */
  AR_PREFLIGHT_SETUP_SOURCE,  /* . /usr/local/share/nvm/nvm.sh: a file of the image */
} ArPreflightSetupKind;

gboolean ar_preflight_is_os_release (const char *path);
ArPreflightSetupKind ar_preflight_match_setup (const ArPreflightView *v);
/* export NAME=VALUE with a value that is the same at build time and at
 * every start; @constants (may be NULL) are names known to be constant. */
gboolean ar_preflight_is_constant_export (const ArPreflightView *v, GHashTable *constants);

/* ------------------------------------------------------------------------ */
/* ar-preflight-rules.c                                                     */

/* ar-preflight-analysis.c: what classifying one unit needs from the units
 * before it, and the scans of its text; ar-preflight-rules.c: the rules. */

/* One of the script's own functions, as the unit that defines it was
 * classified. */
typedef struct {
  char *name;
  ArPreflightCategory category;
  guint line;
  guint unit;       /* index of the defining unit in the result */
  gboolean helper;  /* only prints, tests or sets variables: in both parts */
  gboolean exits;   /* a helper that may end the script (die, fail) */
  gboolean wrapper; /* runs the command it is given ("$@"), like sudo */
} ArPreflightFuncInfo;

/* A call of one of them, by the unit at index @unit. */
typedef struct {
  ArPreflightFuncInfo *func;
  guint unit;
} ArPreflightCall;

typedef struct {
  const char *script;
  gsize len;
  GArray *line_starts;   /* gsize, index = line - 1 */
  GHashTable *env_names; /* set */
  GHashTable *taint;     /* name → line that set it at task start */
  GHashTable *functions; /* name → ArPreflightFuncInfo of the script's own functions */
  GPtrArray *func_infos; /* ArPreflightFuncInfo, owned (a redefinition does not free
                            what a recorded call points at) */
  GArray *calls;         /* ArPreflightCall */
  guint pipeline;        /* numbers the pipelines, nested parses included */
  GHashTable *constants; /* name → literal value, of variables set the same
                            way in both parts (ar-preflight-rules.c) */
  GArray *tool_exports;  /* guint: indexes of units that only export a
                            constant installs read (PATH, DEBIAN_FRONTEND) */
  GHashTable *choices;   /* name → first non-empty literal value any unit
                            gives it ($SUDO → sudo, $INSTALL_CMD → apt-get) */
  guint run_venv_line;   /* a virtualenv of the workspace or home folder is
                            active from this line on (0: none) */
} ArPreflightAnalysis;

/* Cursors into the lexer's comments and here-documents, which are in source
 * order like the units. */
typedef struct {
  guint comment;
  guint heredoc;
} ArPreflightCursor;

void ar_preflight_analysis_init (ArPreflightAnalysis *an,
                                 const char *script,
                                 const char *const *env_var_names);
void ar_preflight_analysis_clear (ArPreflightAnalysis *an);
gsize ar_preflight_analysis_line_end (ArPreflightAnalysis *an, guint line);
/* Lines @line..@end_line of the script, verbatim. */
char *ar_preflight_analysis_text (ArPreflightAnalysis *an, guint line, guint end_line);
/* The offset where @line (1-based) starts. */
gsize ar_preflight_analysis_line_start (ArPreflightAnalysis *an, guint line);
/* The line of offset @off in @text, whose first line is @first_line. */
guint ar_preflight_line_of (const char *text, gsize off, guint first_line);
/* $TASK_ID or $AGENTS_RUNNER_…: different for every task. */
gboolean ar_preflight_is_task_variable (const char *name, gsize n);
/* A name that says it holds a secret (design.md §5.1): …TOKEN, …SECRET,
 * …PASSWORD, …_KEY, …CREDENTIALS, in any case. */
gboolean ar_preflight_looks_like_secret (const char *name, gsize n);
/* What a reason quotes from the script: one line (control characters become
 * spaces) of at most 60 bytes, cut between characters with "…"; NULL is "". */
char *ar_preflight_one_line (const char *detail);

/* The first use of each kind of variable in a unit's text (offsets, -1:
 * none) and its name (owned). */
typedef struct {
  gssize task_off, env_off, taint_off, tmpdir_off, secret_off;
  char *task, *env, *taint, *secret;
} ArPreflightVarScan;

/* Fills @out from the $NAME and ${NAME…} uses in @t (single-quoted text
 * too: it is often a script for sh -c). */
void ar_preflight_scan_variables (ArPreflightAnalysis *an, const char *t, gsize n, ArPreflightVarScan *out);
/* The first path under /tmp in @t or -1; @dynamic_off gets the first /tmp/…
 * path built from an expansion. */
gssize ar_preflight_scan_tmp (const char *t, gsize n, gssize *dynamic_off);
/* Blanks [@from, @to) of @t (of @len bytes), keeping its newlines. */
void ar_preflight_blank_span (char *t, gsize len, gsize from, gsize to);
/* Blanks what the shell does not read in the @n bytes of a unit's text at
 * offset @base, moving @cursor past them: comments in @code and @vars, the
 * data of here-documents (not those run as code) in @code, and of quoted
 * ones in @vars, where the shell expands no variable. @code may be NULL. */
void ar_preflight_blank_unread (ArPreflightLexer *lx,
                                ArPreflightCursor *cursor,
                                gsize base,
                                gsize n,
                                char *code,
                                char *vars);
/* What the matchers see of @cmd: constants put in, a leading $SUDO or a
 * call of the script's own wrapper function dropped. A copy, or NULL when
 * it would be the same. */
ArPreflightCmd *ar_preflight_shadow_cmd (ArPreflightAnalysis *an, ArPreflightCmd *cmd);
/* Records the first literal value each name gets in @cmds. */
void ar_preflight_record_choices (ArPreflightAnalysis *an, GPtrArray *cmds);
/* Records the constants @u sets when it is in both parts (or is a
 * @tool_export), and forgets any other value it gives a name in @defines. */
void ar_preflight_record_constants (ArPreflightAnalysis *an,
                                    ArPreflightRawUnit *ru,
                                    ArPreflightUnit *u,
                                    gboolean tool_export,
                                    GPtrArray *defines);

/* Sets @u's category, reason, part and validator signals; @u's lines and
 * text are set, @unit_index is its index in the result. */
void ar_preflight_classify (ArPreflightAnalysis *an,
                            ArPreflightLexer *lx,
                            ArPreflightRawUnit *ru,
                            ArPreflightCursor *cursor,
                            guint unit_index,
                            ArPreflightUnit *u);
/* After all units are classified: a function called from the other part
 * goes to both. */
void ar_preflight_share_called_functions (ArPreflightAnalysis *an, GPtrArray *units);

/* ------------------------------------------------------------------------ */
/* ar-preflight-deps.c, ar-preflight-guarantee.c: the dependency model,    */
/* the check and the guarantee                                              */

/* The facts of @u, classified, from its raw unit; @base is the offset of
 * its first line. @cursor is the model's own, like the rules'. Relative
 * paths are taken from @cwd_before (a literal folder the units before
 * changed into, or NULL). */
ArPreflightDeps *ar_preflight_deps_new (ArPreflightLexer *lx,
                                        ArPreflightRawUnit *ru,
                                        ArPreflightCursor *cursor,
                                        const ArPreflightUnit *u,
                                        gsize base,
                                        GHashTable *env_names,
                                        guint *pipeline,
                                        const char *cwd_before);
/* The working folder after the unit: a literal path or NULL. */
const char *ar_preflight_deps_cwd_after (const ArPreflightDeps *deps, const char *cwd_before);
/* Only definitions and queries, reading no secret: may run in both parts. */
gboolean ar_preflight_deps_is_pure (const ArPreflightDeps *deps);
/* The analysis as it was before the guarantee: classification alone (with
 * the rules' taint of run-only values), no facts. For the benchmark. */
GPtrArray *ar_preflight_analyze_classify_only (const char *script,
                                               const char *const *env_var_names,
                                               GError **error);
/* Moves units until every dependency holds (design.md §5.1, the guarantee). */
void ar_preflight_guarantee (GPtrArray *units);

G_END_DECLS
