/* ar-new-task-page.h — the New Task page (design.md §6.1): environment, prompt,
 * Run (Ctrl+Enter), Run Interactive (Ctrl+Shift+Enter; its menu: a shell in
 * the prepared container, to debug a preflight). Run stays off, with the
 * reason above it, while the environment cannot run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-backend.h"

G_BEGIN_DECLS

#define AR_TYPE_NEW_TASK_PAGE (ar_new_task_page_get_type ())
G_DECLARE_FINAL_TYPE (ArNewTaskPage, ar_new_task_page, AR, NEW_TASK_PAGE, AdwBin)

GtkWidget *ar_new_task_page_new (ArBackend *backend);

/* The chosen environment, or NULL. */
ArEnvironment *ar_new_task_page_get_environment (ArNewTaskPage *self);
void ar_new_task_page_select_environment (ArNewTaskPage *self,
                                          const char *env_id);

char *ar_new_task_page_dup_prompt (ArNewTaskPage *self);
void ar_new_task_page_set_prompt (ArNewTaskPage *self,
                                  const char *prompt);

/* Why Run is off, one sentence; NULL when the task can run. */
const char *ar_new_task_page_get_blocker (ArNewTaskPage *self);
/* The same for Run Interactive and its Shell choice (no prompt needed). */
const char *ar_new_task_page_get_interactive_blocker (ArNewTaskPage *self);

/* Signal "task-started" (ArTask *task): Run (or Run Interactive) started it (the window shows it
 * in Tasks). */

G_END_DECLS
