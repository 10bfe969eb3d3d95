/* test-pty.h — a program run on a pseudo-terminal, as from a terminal
 * window: `run --interactive` of the command-line interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  int master;      /* non-blocking */
  GString *output; /* all that came out so far */
} ArTestPty;

/* Starts @argv with its standard input, output and error on a new
 * pseudo-terminal of @rows × @columns (0 × 0: the system's size), its
 * controlling terminal, in a session of its own; with this process's
 * environment and the NAME=VALUE of @env_pairs (NULL: none) set. */
GSubprocess *ar_test_pty_spawn (const char *const *argv,
                                const char *const *env_pairs,
                                guint rows,
                                guint columns,
                                ArTestPty *pty);

/* Adds all the program wrote since to pty->output; FALSE once the other
 * side has closed (the program and all it started have ended). */
gboolean ar_test_pty_read (ArTestPty *pty);

/* Reads until pty->output holds @text; g_error() with what came, naming
 * @what, when it has not within @seconds or the other side closed. */
void ar_test_pty_await (ArTestPty *pty, const char *text, guint seconds, const char *what);

/* Closes the master side; frees the output. */
void ar_test_pty_close (ArTestPty *pty);

G_END_DECLS
