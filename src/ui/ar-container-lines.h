/* ar-container-lines.h — the one-item-per-line fields of the editor's
 * Container tab (env vars, mounts, ports) and the custom command line,
 * parsed with errors that name the line. GLib only, no GTK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each parser returns the items (blank lines skipped, whitespace around each
 * line removed) and appends one translated "line N: …" sentence per bad line
 * to @errors (element-type utf8, owned by the caller). Items are returned
 * even when some lines are bad, so a caller can show both. */
GStrv ar_container_lines_parse_env_vars (const char *text, GPtrArray *errors);
GStrv ar_container_lines_parse_mounts (const char *text, GPtrArray *errors);
GStrv ar_container_lines_parse_ports (const char *text, GPtrArray *errors);

/* One item a line, for showing a list in a text view. */
char *ar_container_lines_join (const char *const *items);

/* Splits a command line like a shell would (without running one); an empty
 * or blank line is an empty argv. */
GStrv ar_shell_split (const char *line, GError **error);
/* The inverse: each word quoted only when it needs to be. */
char *ar_shell_join (const char *const *argv);

G_END_DECLS
