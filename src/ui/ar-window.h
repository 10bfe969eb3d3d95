/* ar-window.h — the main window (design.md §6.1): Tasks, New task, Environments
 * and Cached images pages, and the bar that says when no engine is found.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-backend.h"
#include "ar-env-store.h"
#include "ar-environments-page.h"
#include "ar-images-page.h"
#include "ar-new-task-page.h"
#include "ar-tasks-page.h"

G_BEGIN_DECLS

#define AR_TYPE_WINDOW (ar_window_get_type ())
G_DECLARE_FINAL_TYPE (ArWindow, ar_window, AR, WINDOW, AdwApplicationWindow)

/* @application may be NULL (tests). Without a backend the window has only
 * the Environments page; Tasks, New task and Cached images say so. */
ArWindow *ar_window_new (GtkApplication *application,
                         ArEnvStore *store);
/* The whole window: its store is the backend's. Opens on Tasks, or on
 * Environments while there is none. */
ArWindow *ar_window_new_with_backend (GtkApplication *application,
                                      ArBackend *backend);

ArEnvStore *ar_window_get_store (ArWindow *self);
/* NULL for a window made without one. */
ArBackend *ar_window_get_backend (ArWindow *self);

/* The pages are named "tasks", "new-task", "environments" and "images". */
AdwViewStack *ar_window_get_stack (ArWindow *self);
/* Puts @child in place of the placeholder of page @name, keeping the page's
 * title, icon and position. */
void ar_window_set_page_content (ArWindow *self,
                                 const char *name,
                                 GtkWidget *child);
void ar_window_show_page (ArWindow *self,
                          const char *name);

ArEnvironmentsPage *ar_window_get_environments_page (ArWindow *self);
/* NULL without a backend. */
ArTasksPage *ar_window_get_tasks_page (ArWindow *self);
ArNewTaskPage *ar_window_get_new_task_page (ArWindow *self);
ArImagesPage *ar_window_get_images_page (ArWindow *self);

/* Switches to Tasks and opens @task there. */
void ar_window_show_task (ArWindow *self,
                          ArTask *task);

/* Shows @message in a bar under the header bar (no engine, engine not
 * answering…); NULL hides the bar. */
void ar_window_set_engine_problem (ArWindow *self,
                                   const char *message);

void ar_window_add_toast (ArWindow *self,
                          AdwToast *toast);

G_END_DECLS
