/* test-utils.h — shared helpers for the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* Call first in main(): g_test_init plus a private temporary HOME and
 * XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_CACHE_HOME, removed at exit.
 * Returns the temporary root. */
const char *ar_test_init (int *argc, char ***argv);

/* A new empty folder under the temporary root. */
char *ar_test_mkdtemp (const char *prefix);

void ar_test_write_file (const char *path, const char *contents);
char *ar_test_read_file (const char *path);

/* Runs the real agents-runner binary (AR_BINARY) with argv (NULL-terminated,
 * without the program name), optional stdin text; returns its exit status and
 * fills stdout / stderr when non-NULL. */
int ar_test_run_cli (const char *const *args,
                     const char *stdin_text,
                     char **out_stdout,
                     char **out_stderr);

G_END_DECLS
