/* ar-preflight-analyzer.h — splits one preflight script into a cached and a
 * run part (design.md §5.1). Pure: no I/O, no GTK.
 *
 * The preflight/ folder (this is its main header). Owns the shell analyzer
 * behind the auto-split: lexer → parser → command views → matchers →
 * analysis and rules → the facts of each unit and the guarantee → the
 * analyzer that puts them together; and the validator of a split script.
 * May use: model/ and GLib only. It runs no process, asks no engine and
 * reads no file, so all of it is tested without either. Used by cli/ and
 * ui/. Log domain: agents-runner-preflight.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define AR_PREFLIGHT_ANALYZER_ERROR (ar_preflight_analyzer_error_quark ())
GQuark ar_preflight_analyzer_error_quark (void);

typedef enum {
  /* quotes, substitutions or blocks nested deeper than the analyzer follows */
  AR_PREFLIGHT_ANALYZER_ERROR_TOO_DEEP,
} ArPreflightAnalyzerError;

typedef enum {
  AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL, /* rule 1 → cached */
  AR_PREFLIGHT_CATEGORY_DOWNLOAD,        /* rule 2 → cached */
  AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG,   /* rule 3 → cached */
  AR_PREFLIGHT_CATEGORY_STATIC_DIR,      /* rule 4 → cached */
  AR_PREFLIGHT_CATEGORY_ENV_EXPORT,      /* rule 5 → run */
  AR_PREFLIGHT_CATEGORY_TASK_VARIABLE,   /* rule 6 → run */
  AR_PREFLIGHT_CATEGORY_TEMP_DIR,        /* rule 7 → run */
  AR_PREFLIGHT_CATEGORY_AMBIGUOUS,       /* rule 8 → run */
  AR_PREFLIGHT_CATEGORY_SHEBANG,         /* → both */
  AR_PREFLIGHT_CATEGORY_SHELL_OPTION,    /* set -…, shopt, umask → both */
  AR_PREFLIGHT_CATEGORY_VARIABLE,        /* plain NAME=value → both, so later
                                            lines of either part can use it */
} ArPreflightCategory;

typedef enum {
  AR_PREFLIGHT_PART_CACHED,
  AR_PREFLIGHT_PART_RUN,
  AR_PREFLIGHT_PART_BOTH,
} ArPreflightPart;

/* One logical unit of the script: a line, a continued line, a here-document
 * with its body, an &&-chain, or a whole if/for/while/until/case/{ } block or
 * function. */
typedef struct {
  guint line;     /* 1-based first line, comment lines above it included */
  guint end_line; /* last line (here-document bodies included) */
  char *text;     /* lines line..end_line verbatim, joined with \n */
  ArPreflightCategory category;
  char *reason; /* one translated sentence */
  ArPreflightPart part;

  /* What the validator reads; found by the same scan that classifies, so
   * there is one definition of each. 0 / NULL when absent. */
  char *task_variable; /* first $TASK_ID / $AGENTS_RUNNER_… used */
  guint task_variable_line;
  char *env_variable; /* first env var of the environment used */
  guint env_variable_line;
  guint dynamic_tmp_line; /* first /tmp/…$… path */
  guint package_line;     /* first package install or update command */

  /* Set by the guarantee (design.md §5.1) when it moved the unit away from the
   * part its category gives: the first code line of the unit that forced
   * the move (a variable, function, file, folder or shell state this unit
   * needs, or a secret it reads: then its own line). 0 when not moved. */
  guint moved_by_line;
  /* What the unit uses and provides (ar-preflight-deps.h), shared between
   * copies; NULL for a unit made by hand. */
  struct _ArPreflightDeps *deps;
} ArPreflightUnit;

#define AR_TYPE_PREFLIGHT_UNIT (ar_preflight_unit_get_type ())
GType ar_preflight_unit_get_type (void) G_GNUC_CONST;
ArPreflightUnit *ar_preflight_unit_copy (const ArPreflightUnit *unit);
void ar_preflight_unit_free (ArPreflightUnit *unit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArPreflightUnit, ar_preflight_unit_free)

/* Splits @script into units in source order (element-type ArPreflightUnit,
 * the array owns them). Comment lines belong to the unit below them, with
 * any blank lines in between; trailing comments at the end of the script
 * belong to the last unit; other blank lines belong to no unit.
 * @env_var_names (NULL-terminated, may be NULL) are the names of the
 * environment's env vars: a line using one of them runs at start.
 *
 * Beyond §5.1: installs into the workspace or the home folder (pip --user,
 * pip -e / -r relative, npm install without -g, go install ./…) run at start
 * as "ambiguous" with their own reason, even next to a cached command; a
 * plain NAME=value (or a block of only those) goes to both parts; a call of
 * a function defined in the script is classified like the function's body.
 * Then the guarantee (ar-preflight-deps.h): units move until each part has
 * everything it uses; a unit sent to run because of another line keeps its
 * category, says so in its reason and has moved_by_line set; nothing
 * reading a secret-looking name, a task variable or one of @env_var_names
 * stays in the cached part or in both. Never fails: a script that is not valid shell still gets units (the
 * validator reports the syntax error), except one nested deeper than the
 * analyzer follows (1 000 levels of quotes and substitutions, or of blocks,
 * inside each other): then it returns NULL with
 * AR_PREFLIGHT_ANALYZER_ERROR_TOO_DEEP, a sentence naming the line. Fast:
 * a few ms for a 1 000-line installer (bench/bench-analyzer.c); no
 * recursion, so any input is safe on any thread. */
GPtrArray *ar_preflight_analyze (const char *script,
                                 const char *const *env_var_names,
                                 GError **error);

/* Renders the cached or the run script from @units, honouring each unit's
 * current part (a caller may have flipped some): the units of part @which
 * and those of part BOTH, in source order, each followed by \n, with a blank
 * line where the source had one between them. Returns "" when no unit has
 * part @which (only shebang / shell options / variables): an empty cached
 * script means "nothing to cache". @which must be CACHED or RUN. */
char *ar_preflight_render (GPtrArray *units, ArPreflightPart which);

/* Stable machine names, used in CLI JSON: "package-install", "download",
 * "system-config", "static-dir", "env-export", "task-variable", "temp-dir",
 * "ambiguous", "shebang", "shell-option", "variable". */
const char *ar_preflight_category_to_string (ArPreflightCategory category);
/* "cached", "run", "both" */
const char *ar_preflight_part_to_string (ArPreflightPart part);
gboolean ar_preflight_part_from_string (const char *str, ArPreflightPart *part);

/* The trust summary of a split (design.md §5.1, the "summary" of --json). */
typedef struct _ArPreflightSummary ArPreflightSummary;

typedef struct {
  guint line;       /* first line of a unit sent to run by the guarantee */
  guint because_of; /* the line that forced it */
} ArPreflightMove;

/* Counts @units as they are now (a caller may have flipped some parts). */
ArPreflightSummary *ar_preflight_summary_new (GPtrArray *units);
void ar_preflight_summary_free (ArPreflightSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArPreflightSummary, ar_preflight_summary_free)

/* Lines held by units (comment lines above a command included), and of
 * those the lines of units only in the cached part. */
guint ar_preflight_summary_get_lines (const ArPreflightSummary *summary);
guint ar_preflight_summary_get_cached_lines (const ArPreflightSummary *summary);
guint ar_preflight_summary_get_units (const ArPreflightSummary *summary);
guint ar_preflight_summary_get_cached (const ArPreflightSummary *summary);
guint ar_preflight_summary_get_run (const ArPreflightSummary *summary);
guint ar_preflight_summary_get_both (const ArPreflightSummary *summary);
/* units left "ambiguous": not recognised */
guint ar_preflight_summary_get_unrecognised (const ArPreflightSummary *summary);
/* units in the run part that the guarantee sent there because of another
 * line, in source order */
guint ar_preflight_summary_get_n_moved (const ArPreflightSummary *summary);
const ArPreflightMove *ar_preflight_summary_get_moved (const ArPreflightSummary *summary, guint index);
/* "N of M lines cached", translated */
char *ar_preflight_summary_describe (const ArPreflightSummary *summary);

G_END_DECLS
