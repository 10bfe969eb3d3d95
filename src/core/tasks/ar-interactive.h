/* ar-interactive.h — an interactive task: the agent's own terminal
 * interface in the environment's container, on a pseudo-terminal
 *
 * The same pipeline as a batch task (ArTaskRunner: snapshot, cache decision
 * and build, fallback, scripts, run preflight, mounts, secrets through the
 * CLI's environment) with `docker run -i -t` on the slave side of a
 * pseudo-terminal and the agent started in its interactive mode. This
 * object holds the master side: what the container writes comes out of
 * "output" (for a terminal widget, or the caller's terminal) and goes into
 * the task's log — ANSI escapes kept in terminal.log, stripped in task.log,
 * secrets redacted in both; what the user types goes in with
 * ar_interactive_write(); ar_interactive_set_size() resizes the container's
 * terminal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-task-runner.h"

G_BEGIN_DECLS

/* Beside task.log in the task's folder: the terminal's output as it came. */
#define AR_INTERACTIVE_RAW_LOG_NAME "terminal.log"

typedef enum {
  AR_INTERACTIVE_AGENT, /* the environment's agent, in its interactive mode */
  AR_INTERACTIVE_SHELL, /* bash (else sh) in the prepared container */
} ArInteractiveCommand;

/* The command on the terminal:
 *   codex   codex --sandbox danger-full-access ARGS [-- PROMPT]
 *   claude  claude --permission-mode bypassPermissions --add-dir WORKDIR ARGS [-- PROMPT]
 *   copilot copilot --allow-all-tools --allow-all-paths --add-dir WORKDIR ARGS [-i PROMPT]
 *   gemini  gemini --no-sandbox --approval-mode yolo --include-directories WORKDIR ARGS [-i PROMPT]
 *   custom  the template as for a batch task (ar_agent_build_argv())
 *   shell   /bin/sh -c 'command -v bash … && exec bash || exec sh'
 * The prompt (may be empty: none is given) is the first message. */
GStrv ar_interactive_build_argv (ArEnvironment *env,
                                 ArInteractiveCommand command,
                                 const char *prompt,
                                 GError **error);

/* ArTask kind AR_TASK_KIND_INTERACTIVE of `env`, with an empty prompt when
 * NULL. */
ArTask *ar_interactive_new_task (ArEnvironment *env, const char *prompt);

#define AR_TYPE_INTERACTIVE (ar_interactive_get_type ())
G_DECLARE_FINAL_TYPE (ArInteractive, ar_interactive, AR, INTERACTIVE, GObject)

/* master_fd: the master side of a pseudo-terminal (taken: closed when the
 * run ends; e.g. a dup of vte_pty_get_fd()), or -1 to open one. Fails when
 * the command cannot be made (ar_interactive_build_argv()) or no terminal
 * can be opened. Signal "output" (GBytes *data): bytes the container
 * wrote, in the main context, as they come. */
ArInteractive *ar_interactive_new (ArImageBuilder *builder,
                                   ArTask *task,
                                   ArEnvironment *environment,
                                   const ArSettings *settings,
                                   ArInteractiveCommand command,
                                   int master_fd,
                                   GError **error);

/* Attach mode: the terminal of an interactive task whose container an
 * earlier process left running (the task manager's load finds it):
 * run_async() runs `ENGINE attach CONTAINER` on the terminal and finishes
 * when the container ends, with the task's exit status, state and record
 * written, its ownership released and @log (task.log, opened again)
 * closed; stop() stops the container. No runner. */
ArInteractive *ar_interactive_new_attach (ArEngine *engine,
                                          ArTask *task,
                                          ArTaskLog *log,
                                          int master_fd,
                                          GError **error);
/* Attach mode, for a task with no desktop URL that works (none yet, or
 * one through the earlier process's ssh forward, which ended with it):
 * reads the container's output so far (`logs`; attaching again replays
 * nothing) for the entry script's line that the desktop started, and
 * reaches the desktop from here when it is there (ar-task-desktop.h), or
 * when the terminal shows that line later; for as long as the container
 * runs. */
void ar_interactive_find_desktop (ArInteractive *self);

/* NULL in attach mode. */
ArTaskRunner *ar_interactive_get_runner (ArInteractive *self);
ArTaskLog *ar_interactive_get_log (ArInteractive *self);
ArTask *ar_interactive_get_task (ArInteractive *self);

/* The terminal's size, before or while it runs (0 is left as it is). */
void ar_interactive_set_size (ArInteractive *self, guint rows, guint columns);
void ar_interactive_get_size (ArInteractive *self, guint *rows, guint *columns);
/* What the user typed (or pasted), to the container. Never blocks: what
 * the terminal cannot take yet waits in order. */
void ar_interactive_write (ArInteractive *self, const char *data, gsize length);

/* Runs it; finishes with the task's final state once the container is gone
 * and its last output has come out of "output" and into the log. */
void ar_interactive_run_async (ArInteractive *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
ArTaskState ar_interactive_run_finish (ArInteractive *self,
                                       GAsyncResult *result);
/* As ar_task_runner_stop(). */
void ar_interactive_stop (ArInteractive *self);
gboolean ar_interactive_get_running (ArInteractive *self);

G_END_DECLS
