/* ar-container-lines.h — the one validator of env var, mount and port
 * lines: the one-item-per-line fields of the editor's Container tab and
 * the custom command line, parsed with errors that name the line, and the
 * same rules a line at a time for the task runner. GLib only, no GTK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ar-environment.h"

G_BEGIN_DECLS

/* Each parser returns the items (blank lines skipped, whitespace around each
 * line removed) and appends one translated "line N: …" sentence per bad line
 * to @errors (element-type utf8, owned by the caller). Items are returned
 * even when some lines are bad, so a caller can show both. */
GStrv ar_container_lines_parse_env_vars (const char *text, GPtrArray *errors);
GStrv ar_container_lines_parse_mounts (const char *text, GPtrArray *errors);
GStrv ar_container_lines_parse_ports (const char *text, GPtrArray *errors);

/* The same rules, one line at a time, for a task about to start (the task
 * runner uses them, so that a task takes exactly what the editor accepts):
 *
 * A variable line, NAME=VALUE or NAME alone (an empty value): *name (to
 * free) and *value (inside @line); FALSE when NAME is not a variable name. */
gboolean ar_container_lines_split_env_var (const char *line,
                                           char **name,
                                           const char **value);
/* An extra mount line: its form (ar_mount_parse()), and, for a host folder,
 * that it is there (AR_ENVIRONMENT_ERROR_MISSING_PATH when not). */
ArMount *ar_container_lines_check_mount (const char *line, GError **error);
/* A port line ([address:][host-port:]container-port[/protocol]); blanks
 * around it do not count. */
gboolean ar_container_lines_check_port (const char *line, GError **error);

/* One item a line, for showing a list in a text view. */
char *ar_container_lines_join (const char *const *items);

/* Splits a command line like a shell would (without running one); an empty
 * or blank line is an empty argv. */
GStrv ar_shell_split (const char *line, GError **error);
/* The inverse: each word quoted only when it needs to be. */
char *ar_shell_join (const char *const *argv);

G_END_DECLS
