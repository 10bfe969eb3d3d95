/* ar-task-runner-private.h — what the task runner shares with the core
 *
 * The terminal of an interactive task (ar-interactive.c), and the
 * preflight test that is a build check (the task manager). The pieces of
 * a container that the preflight build check makes the same way as a task
 * are in ar-run-args.h and ar-task-scratch.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-task-runner.h"

G_BEGIN_DECLS

/* Interactive tasks (ar-interactive.c): the container runs with `-i -t`
 * on the terminal @tty_fd, with @agent_argv as the agent's command; @drain
 * (called with the runner and @drain_data) reads the last output before
 * the task ends. Before ar_task_runner_run_async(). */
void ar_task_runner_set_terminal (ArTaskRunner *self,
                                  int tty_fd,
                                  const char *const *agent_argv,
                                  GFunc drain,
                                  gpointer drain_data);
/* The terminal showed the entry script's line that the task's desktop
 * started (AR_ENTRY_DESKTOP_STARTED_LINE): the desktop is reached from
 * here (ar-task-desktop.h), once, for a task that asked for one. A batch
 * task's runner sees the line itself. */
void ar_task_runner_desktop_started (ArTaskRunner *self);

/* Makes this preflight-test task (§4.3), before it runs, the preflight
 * build check (ar-preflight-build-check.h) of its environment: the cached
 * part built on the base image in a throwaway build (no cache key, no
 * failure remembered, removed afterwards), the run part run on top with
 * the agent replaced by `true`. The check's output goes into the task's
 * log; the task ends done when the check is ok, failed otherwise, with the
 * check's description (the failing line and its part) as its error and the
 * failing part's exit status. Stopping it cancels the check, which still
 * removes what it made. For a saved environment with container caching on
 * (the task manager decides). */
void ar_task_runner_set_build_check (ArTaskRunner *self);
/* A line (INFO, scope task/preflight-test) said right after the task's
 * first line: why a preflight test is, or is not, the build check. */
void ar_task_runner_set_note (ArTaskRunner *self,
                              const char *note);

G_END_DECLS
