/* ar-task-row.h — one task in the Tasks list (design.md §6.4): status badge,
 * environment, prompt excerpt, start time and a duration that counts while
 * the task runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-env-store.h"
#include "ar-task.h"

G_BEGIN_DECLS

#define AR_TYPE_TASK_ROW (ar_task_row_get_type ())
G_DECLARE_FINAL_TYPE (ArTaskRow, ar_task_row, AR, TASK_ROW, AdwBin)

/* @store (may be NULL) gives the environments' colours. */
GtkWidget *ar_task_row_new (ArEnvStore *store);

ArTask *ar_task_row_get_task (ArTaskRow *self);
void ar_task_row_set_task (ArTaskRow *self,
                           ArTask *task);
/* Whether the row names the task's engine (a chip beside the duration):
 * on when more than one engine is configured (design.md §6.4). */
gboolean ar_task_row_get_show_engine (ArTaskRow *self);
void ar_task_row_set_show_engine (ArTaskRow *self, gboolean show);

G_END_DECLS
