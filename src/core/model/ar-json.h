/* ar-json.h — the JSON reader and writer of environments.json (design.md §2.3)
 *
 * A strict RFC 8259 reader and a pretty writer that agree with each other:
 * whatever the writer emits, the reader accepts, and a file the reader
 * accepted is written back byte-stable. Neither recurses: nesting is bounded
 * on load (AR_JSON_MAX_DEPTH) and the writer walks an explicit stack.
 * Values JsonNode cannot hold without loss (a number past 64 bits or out of
 * double range, \u0000, unpaired surrogates, a repeated key) are refused on
 * load with the line and column, so nothing is changed silently.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Lists and objects nested deeper than this are refused on load. */
#define AR_JSON_MAX_DEPTH 256

/* Two-space indent, "key": value, [] and {} when empty, trailing newline. */
char *ar_json_to_pretty_string (JsonNode *node, gsize *length);
/* One line, no spaces; cut to max_chars characters (never inside a UTF-8
 * character) with "..." when longer; 0 = no limit. For messages. */
char *ar_json_to_short_string (JsonNode *node, guint max_chars);

/* Parse with a one-sentence error (AR_ENV_STORE_ERROR) naming the path,
 * line and column. */
JsonNode *ar_json_parse_file (const char *path, GError **error);
JsonNode *ar_json_parse_data (const char *data, gssize length, const char *name, GError **error);

/* Cuts text to at most max_chars characters, on a character boundary,
 * ending with "..." when something was cut. */
char *ar_utf8_shorten (const char *text, guint max_chars);
/* Appends len bytes of text to out while out holds at most max_bytes: the
 * first piece that does not fit is cut on a character boundary, and from
 * then on only counted in *n_cut (the caller resets it with the line). */
void ar_utf8_append_capped (GString *out, gsize max_bytes, guint64 *n_cut,
                            const char *text, gsize len);

/* Deep copies (json_node_copy() shares objects and arrays). */
JsonObject *ar_json_object_copy (JsonObject *object);
JsonNode *ar_json_node_deep_copy (JsonNode *node);

G_END_DECLS
