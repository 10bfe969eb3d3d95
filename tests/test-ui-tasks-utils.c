/* test-ui-tasks-utils.c — what the test-ui-tasks programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
#include "test-ui-tasks-utils.h"

ArEnvironment *
add_env (Fixture *f, const char *name, const char *color, const char *const *command)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (env, name);
  ar_environment_set_color (env, color);
  ar_environment_set_agent_cli (env, "custom");
  if (command != NULL)
    {
      g_autofree char *base = ar_test_engine_base_image ();

      ar_environment_set_base_image (env, base);
      ar_environment_set_custom_command (env, command);
    }
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  return env;
}

void
open_window (Fixture *f)
{
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  ar_test_ui_await (ar_backend_get_tasks_loaded (f->backend));
}

ArTasksPage *
tasks_page (Fixture *f)
{
  return ar_window_get_tasks_page (f->window);
}

ArTaskView *
task_view (Fixture *f)
{
  return ar_tasks_page_get_task_view (tasks_page (f));
}

ArLogView *
log_view (Fixture *f)
{
  return ar_task_view_get_log_view (task_view (f));
}

gboolean
log_contains (ArLogView *view, const char *text)
{
  g_autofree char *all = ar_log_view_dup_text (view);

  return strstr (all, text) != NULL;
}

const char *
visible_page (Fixture *f)
{
  return adw_view_stack_get_visible_child_name (ar_window_get_stack (f->window));
}

/* ---- records of an earlier run, the filters --------------------------------- */

ArTask *
write_record (ArEnvironment *env, const char *prompt, ArTaskState state, int status, const char *log_text)
{
  ArTask *task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), prompt, AR_TASK_KIND_TASK);
  g_autofree char *dir = ar_task_dup_dir (task);
  g_autofree char *log = ar_task_dup_log_path (task);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  g_mkdir_with_parents (dir, 0700);
  ar_task_set_state (task, state);
  ar_task_set_exit_status (task, status);
  ar_task_set_started_at (task, now - 75 * G_USEC_PER_SEC);
  ar_task_set_finished_at (task, now - 3 * G_USEC_PER_SEC);
  ar_task_set_image (task, "agents-runner-env:0123456789abcdef");
  ar_task_set_layers (task, "base + environment layer");
  ar_task_set_cache_summary (task, "environment layer: cache HIT agents-runner-env:0123456789abcdef");
  g_assert_true (ar_task_save (task, &error));
  g_assert_no_error (error);
  ar_test_write_file (log, log_text);
  return task;
}

ArTask *
find_task (GListModel *model, const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArTask) task = g_list_model_get_item (model, i);

      if (g_str_equal (ar_task_get_id (task), id))
        return task;
    }
  return NULL;
}
