/* ar-task-log-private.h — what the task log's writer (ar-task-log.c) and
 * its text functions (ar-task-log-text.c: escape stripping, token shapes,
 * URL credentials) share. Nothing outside those two files includes it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REDACTED "[REDACTED]"
#define MIN_SECRET_LENGTH 4
/* A line of output longer than this is written to the file in parts of
 * about this size, so that memory stays bounded whatever comes. */
#define PART_BYTES (64 * 1024)
/* A run of token characters waits for its end before token shapes are
 * looked for in it (a token cut in two would match in neither half); one
 * longer than this goes on in parts cut where no token can span. */
#define TOKEN_HOLD_BYTES 4096
/* The longest text that can still become a token with more characters:
 * "github_pat_" and 19 of its 20 characters. */
#define TOKEN_PREFIX_MAX 32
/* A URL's user:password@ is looked for this far after its "://". */
#define URL_AUTHORITY_MAX 2048
/* Enough of a scheme to tell ssh ("git+ssh", "ssh+git") from the rest. */
#define SCHEME_LOOKBACK 8
/* An escape sequence cut by the end of a piece waits, up to this length. */
#define ESCAPE_HOLD_BYTES 4096
/* What one stream writes while the other's line is partly in the file
 * waits, up to this much; past it the other's line is broken in the file. */
#define DEFER_MAX_BYTES (4 * 1024 * 1024)

/* What a token that ran up to the end of a written part may go on with. */
typedef enum {
  TOKEN_NONE,
  TOKEN_SK,     /* [A-Za-z0-9_-] */
  TOKEN_GH,     /* [A-Za-z0-9] */
  TOKEN_GH_PAT, /* [A-Za-z0-9_] */
} TokenClass;

/* Where the escape sequence at p (an ESC) ends, or NULL when the text
 * stops inside it. */
const char *ar_log_escape_end (const char *p, const char *end);
/* Appends [p, end) to out without its escape sequences. */
void ar_log_strip_ansi_into (GString *out, const char *p, const char *end);
/* The token shapes (GitHub tokens, sk-… keys), compiled once. */
GRegex *ar_log_token_regex (void);
gboolean ar_log_in_class (TokenClass class, char c);
gboolean ar_log_is_token_char (char c);
/* Appends text with the token shapes from `start` on redacted; *last: where
 * the last token ended; returns the class a token that ran to the end may
 * go on with. */
TokenClass ar_log_redact_tokens_into (GString *out, const char *text, gsize len, gsize start, gsize *last);
/* Appends text with URL user:password@ redacted (ctx: the bytes before
 * text); returns how much of text's end is held back (all: none). */
gsize ar_log_redact_urls_into (GString *out, const char *ctx, gsize ctx_len, const char *text, gsize len, gboolean all);

G_END_DECLS
