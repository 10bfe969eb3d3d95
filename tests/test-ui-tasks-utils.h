/* test-ui-tasks-utils.h — what the test-ui-tasks programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <glib/gstdio.h>
#include <string.h>

#include "ar-auto-split-dialog.h"
#include "ar-backend.h"
#include "ar-environment-editor.h"
#include "ar-log-view.h"
#include "ar-paths.h"
#include "ar-preflight-editor.h"
#include "ar-task-row.h"
#include "ar-task-view.h"
#include "ar-tasks-page.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"


typedef ArTestUiWindowFixture Fixture;

ArEnvironment *add_env (Fixture *f, const char *name, const char *color, const char *const *command);

void open_window (Fixture *f);

ArTasksPage *tasks_page (Fixture *f);

ArTaskView *task_view (Fixture *f);

ArLogView *log_view (Fixture *f);

gboolean log_contains (ArLogView *view, const char *text);

const char *visible_page (Fixture *f);

ArTask *write_record (ArEnvironment *env, const char *prompt, ArTaskState state, int status, const char *log_text);

ArTask *find_task (GListModel *model, const char *id);
