/* ar-tasks-page.h — the Tasks page (design.md §6.1, §6.4): the tasks newest
 * first, filtered by environment and state, and the selected task's view.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-backend.h"
#include "ar-task-view.h"

G_BEGIN_DECLS

typedef enum {
  AR_TASK_FILTER_ALL,
  AR_TASK_FILTER_ACTIVE, /* preparing … running */
  AR_TASK_FILTER_QUEUED,
  AR_TASK_FILTER_DONE,
  AR_TASK_FILTER_FAILED,
  AR_TASK_FILTER_CANCELLED,
} ArTaskFilter;

#define AR_TYPE_TASKS_PAGE (ar_tasks_page_get_type ())
G_DECLARE_FINAL_TYPE (ArTasksPage, ar_tasks_page, AR, TASKS_PAGE, AdwBin)

GtkWidget *ar_tasks_page_new (ArBackend *backend);

/* The tasks the filters let through, newest first. */
GListModel *ar_tasks_page_get_model (ArTasksPage *self);

/* NULL or "" = every environment. */
void ar_tasks_page_set_env_filter (ArTasksPage *self,
                                   const char *env_id);
const char *ar_tasks_page_get_env_filter (ArTasksPage *self);
void ar_tasks_page_set_state_filter (ArTasksPage *self,
                                     ArTaskFilter filter);
ArTaskFilter ar_tasks_page_get_state_filter (ArTasksPage *self);

/* Selects @task and opens it; clears the filters when they hide it. */
void ar_tasks_page_select_task (ArTasksPage *self,
                                ArTask *task);
ArTask *ar_tasks_page_get_selected_task (ArTasksPage *self);

ArTaskView *ar_tasks_page_get_task_view (ArTasksPage *self);
/* Narrow: the list and the task one at a time. */
gboolean ar_tasks_page_get_folded (ArTasksPage *self);
/* The task, not the list, is what shows (always when not folded). */
gboolean ar_tasks_page_get_showing_task (ArTasksPage *self);

G_END_DECLS
