/* ar-task-log.h — one task's log: formatted, redacted, on disk and live
 * (design.md §4.4)
 *
 * Lines the app writes look like "[scope/subscope][LEVEL] message".
 * Output of builds and containers is kept as it came, with ANSI escapes
 * stripped. Every line is redacted before it is stored or shown.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  AR_LOG_DEBUG,
  AR_LOG_INFO,
  AR_LOG_WARN,
  AR_LOG_ERROR,
  AR_LOG_OUTPUT, /* a line of container or build output */
} ArLogLevel;

const char *ar_log_level_to_string (ArLogLevel level);
/* The level of a stored line: parsed from "[scope][LEVEL]", else OUTPUT. */
ArLogLevel ar_log_level_of_line (const char *line);

/* "[scope][LEVEL] message" */
char *ar_log_format (const char *scope, ArLogLevel level, const char *message);
/* Removes ANSI escape sequences (CSI, OSC) and stray control characters
 * other than tab. */
char *ar_log_strip_ansi (const char *text);
/* Every URL's user:password@ (or token@) as "[REDACTED]@"; a login name
 * alone stays for ssh. Part of what the log redacts in every line. */
char *ar_log_redact_url_userinfo (const char *text);
/* " … [line cut: N bytes more; …]": the end of a line shown only in part. */
char *ar_log_cut_marker (guint64 n_more);
/* Whether an env var of this name holds a secret (TOKEN, KEY, SECRET,
 * PASSWORD in its name, any case). */
gboolean ar_log_is_secret_name (const char *name);

#define AR_TYPE_TASK_LOG (ar_task_log_get_type ())
G_DECLARE_FINAL_TYPE (ArTaskLog, ar_task_log, AR, TASK_LOG, GObject)

/* path NULL = in memory only (no file). The file is appended to. */
ArTaskLog *ar_task_log_new (const char *path, GError **error);
const char *ar_task_log_get_path (ArTaskLog *self);

/* Values that must never appear; each is replaced by "[REDACTED]". */
void ar_task_log_add_secret (ArTaskLog *self, const char *value);
/* Registers the values of "NAME=VALUE" pairs whose names look secret. */
void ar_task_log_add_secret_env_vars (ArTaskLog *self, const char *const *name_value);
/* Redacts registered values (longest first), then URL credentials (see
 * ar_log_redact_url_userinfo()), then known token shapes (GitHub tokens,
 * sk-… keys): a value that holds a token goes whole. */
char *ar_task_log_redact (ArTaskLog *self, const char *text);

void ar_task_log_message (ArTaskLog *self,
                          const char *scope,
                          ArLogLevel level,
                          const char *format,
                          ...) G_GNUC_PRINTF (4, 5);
/* A line of output (without its line end), stored as it came but for
 * ANSI escapes and secrets. */
void ar_task_log_output (ArTaskLog *self, const char *line);

/* What the "line" signal shows of one line at most; the file has it all. */
#define AR_TASK_LOG_MAX_LINE_BYTES (64 * 1024)

typedef enum {
  AR_LOG_END_NONE,    /* more of this line follows */
  AR_LOG_END_NEWLINE, /* "\n" (or "\r\n") */
  AR_LOG_END_RETURN,  /* a lone "\r": a progress update the next line replaces */
} ArLogLineEnd;

typedef enum {
  AR_LOG_STREAM_STDOUT,
  AR_LOG_STREAM_STDERR,
} ArLogStream;

/* Output as it arrives: `text` (no line end inside; length -1 = NUL-ended)
 * continues the current line, which `end` ends or not. The file gets every
 * byte as it comes (escapes stripped, secrets redacted) with the line end,
 * "\r" for a progress update; memory stays bounded however long the line.
 * Once the line ends, "line" shows its first AR_TASK_LOG_MAX_LINE_BYTES and
 * ar_log_cut_marker() for the rest. A message written while a line is open
 * ends that line first.
 *
 * Each stream has its own line: while one stream's line is partly in the
 * file, the other's lines wait (in memory, up to a few MiB) for it to end,
 * so that neither breaks the other's line. Redacting a line in pieces
 * gives what ar_task_log_redact() gives for the whole line, wherever the
 * pieces are cut. */
void ar_task_log_stream_piece (ArTaskLog *self,
                               ArLogStream stream,
                               const char *text,
                               gssize length,
                               ArLogLineEnd end);
/* The same, of standard output. */
void ar_task_log_output_piece (ArTaskLog *self,
                               const char *text,
                               gssize length,
                               ArLogLineEnd end);
/* Lines written so far (kept in memory only up to a cap; the file has all). */
guint64 ar_task_log_get_n_lines (ArTaskLog *self);
/* Closes the file; later lines are only emitted. */
void ar_task_log_close (ArTaskLog *self);

/* Signal "line" (const char *line, ArLogLevel level): emitted in the thread
 * that wrote the line, after it is on disk. Detailed: a line of output that
 * ended with a lone "\r" is emitted as "line::progress". */
/* Inside a "line" handler: whether this line is a progress update, which
 * the next line of output replaces on screen. */
gboolean ar_task_log_line_is_progress (ArTaskLog *self);

G_END_DECLS
