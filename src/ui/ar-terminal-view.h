/* ar-terminal-view.h — an interactive task's terminal (design.md §6.4): the
 * agent's own interface in a VTE terminal, connected to the container's
 * TTY through ArInteractive
 *
 * The pseudo-terminal is made with vte_pty_new_sync(); ArInteractive holds
 * its master side, so that what the container shows is also recorded in
 * the task's log: its output is fed to the terminal, and what the user
 * types (VteTerminal::commit) goes back. The terminal's size follows the
 * widget and is passed on to the container. Copy (Ctrl+Shift+C), paste
 * (Ctrl+Shift+V), search (Ctrl+Shift+F), zoom (Ctrl+plus, Ctrl+minus,
 * Ctrl+0), and the GNOME palette in the light or dark style.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <vte/vte.h>

#include "ar-interactive.h"

G_BEGIN_DECLS

#define AR_TYPE_TERMINAL_VIEW (ar_terminal_view_get_type ())
G_DECLARE_FINAL_TYPE (ArTerminalView, ar_terminal_view, AR, TERMINAL_VIEW, GtkWidget)

GtkWidget *ar_terminal_view_new (void);

/* The master side of a new pseudo-terminal (vte_pty_new_sync()), for
 * ar_interactive_new(); -1 with @error when none can be had. */
int ar_terminal_view_open_pty (GError **error);

/* Shows @interactive (not started, or running: a reattach shows what comes
 * from now on) and connects the terminal to it; NULL disconnects. The
 * terminal's size goes to it at once and whenever it changes. */
void ar_terminal_view_set_interactive (ArTerminalView *self,
                                       ArInteractive *interactive);
ArInteractive *ar_terminal_view_get_interactive (ArTerminalView *self);

VteTerminal *ar_terminal_view_get_terminal (ArTerminalView *self);

/* What the terminal shows (its text, without attributes). */
char *ar_terminal_view_dup_text (ArTerminalView *self);

/* Font zoom: steps of 10 %, 0.5 to 3.0; 0 resets. */
void ar_terminal_view_zoom (ArTerminalView *self,
                            int steps);

/* Search the terminal's text (case-insensitive, literal); FALSE when no
 * match is there. */
void ar_terminal_view_set_search_text (ArTerminalView *self,
                                       const char *text);
gboolean ar_terminal_view_search_next (ArTerminalView *self);
gboolean ar_terminal_view_search_previous (ArTerminalView *self);

G_END_DECLS
