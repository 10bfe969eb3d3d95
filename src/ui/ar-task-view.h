/* ar-task-view.h — one task, opened from the Tasks list (design.md §6.4): state,
 * exit status, duration, the cache decisions and the image used at the
 * top, Stop and Open Desktop, and the live log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-env-store.h"
#include "ar-log-view.h"
#include "ar-task-manager.h"
#include "ar-terminal-view.h"

G_BEGIN_DECLS

#define AR_TYPE_TASK_VIEW (ar_task_view_get_type ())
G_DECLARE_FINAL_TYPE (ArTaskView, ar_task_view, AR, TASK_VIEW, AdwBin)

GtkWidget *ar_task_view_new (void);

/* Gives the environments' colours and names (may be NULL). */
void ar_task_view_set_store (ArTaskView *self,
                             ArEnvStore *store);

ArTask *ar_task_view_get_task (ArTaskView *self);
/* Shows @task; its live log when @manager runs or follows it, else the end
 * of its task.log. @manager also stops it. */
void ar_task_view_set_task (ArTaskView *self,
                            ArTask *task,
                            ArTaskManager *manager);

ArLogView *ar_task_view_get_log_view (ArTaskView *self);
/* An interactive task's terminal, above its log, while the task is shown;
 * NULL for other tasks. */
ArTerminalView *ar_task_view_get_terminal_view (ArTaskView *self);

G_END_DECLS
