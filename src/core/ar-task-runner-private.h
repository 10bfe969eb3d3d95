/* ar-task-runner-private.h — what the task runner shares with the core
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
void ar_task_runner_set_terminal (ArTaskRunner      *self,
                                  int                tty_fd,
                                  const char *const *agent_argv,
                                  GFunc              drain,
                                  gpointer           drain_data);

G_END_DECLS
