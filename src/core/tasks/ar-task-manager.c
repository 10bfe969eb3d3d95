/* ar-task-manager.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "ar-paths.h"
#include "ar-task-follow.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"
#include "ar-task-runner-internal.h"
#include "ar-task-runner-private.h"
#include "ar-task-scratch.h"

struct _ArTaskManager {
  GObject parent_instance;

  ArImageBuilder *builder; /* the local engine's */
  GHashTable *builders;    /* engine name → ArImageBuilder: the others, made on first use */
  ArSettings *settings;
  ArEnvStore *env_store;
  char *extra_label;

  GPtrArray *tasks;           /* ArTask, newest first */
  GHashTable *runners;        /* ArTask → ArTaskRunner, until it ends */
  GQueue queue;               /* ArTaskRunner, oldest first */
  GHashTable *waiting_logged; /* ArTask set: "waiting" said once */
  GHashTable *follows;        /* ArTask → ArTaskFollow */
  GHashTable *interactives;   /* ArTask → ArInteractive, until it ends */
};

static void ar_task_manager_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArTaskManager, ar_task_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ar_task_manager_list_model_init))

enum { SIGNAL_TASK_FINISHED,
       N_SIGNALS };
static guint signals[N_SIGNALS];

static void pump (ArTaskManager *self);

/* ---- GListModel --------------------------------------------------------- */

static GType
get_item_type (GListModel *model)
{
  return AR_TYPE_TASK;
}

static guint
get_n_items (GListModel *model)
{
  return AR_TASK_MANAGER (model)->tasks->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  ArTaskManager *self = AR_TASK_MANAGER (model);

  if (position >= self->tasks->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->tasks, position));
}

static void
ar_task_manager_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static ArTask *
find_task (ArTaskManager *self, const char *id)
{
  for (guint i = 0; i < self->tasks->len; i++)
    {
      ArTask *task = g_ptr_array_index (self->tasks, i);

      if (g_str_equal (ar_task_get_id (task), id))
        return task;
    }
  return NULL;
}

/* Newest first, by creation time then id. */
static guint
insert_position (ArTaskManager *self, ArTask *task)
{
  for (guint i = 0; i < self->tasks->len; i++)
    {
      ArTask *other = g_ptr_array_index (self->tasks, i);

      if (ar_task_get_created_at (other) < ar_task_get_created_at (task) ||
          (ar_task_get_created_at (other) == ar_task_get_created_at (task) &&
           strcmp (ar_task_get_id (other), ar_task_get_id (task)) < 0))
        return i;
    }
  return self->tasks->len;
}

static void
add_task (ArTaskManager *self, ArTask *task)
{
  guint position = insert_position (self, task);

  g_ptr_array_insert (self->tasks, position, g_object_ref (task));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

/* ---- the queue ---------------------------------------------------------- */

static gboolean
counts_as_active (ArTaskManager *self, ArTask *task)
{
  ArTaskState state = ar_task_get_state (task);

  return ar_task_state_is_active (state) &&
         (g_hash_table_contains (self->runners, task) || g_hash_table_contains (self->follows, task) ||
          g_hash_table_contains (self->interactives, task));
}

guint
ar_task_manager_get_n_active (ArTaskManager *self)
{
  guint n = 0;

  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), 0);
  for (guint i = 0; i < self->tasks->len; i++)
    if (counts_as_active (self, g_ptr_array_index (self->tasks, i)))
      n++;
  return n;
}

/* The engine a task runs on: "local" for records from before several engines. */
static const char *
engine_of (ArTask *task)
{
  return ar_engine_name_is_local (ar_task_get_engine (task)) ? AR_LOCAL_ENGINE_NAME : ar_task_get_engine (task);
}

/* The Settings-wide limit applies per engine (design.md §4.5). */
static guint
n_active_on_engine (ArTaskManager *self, const char *engine)
{
  guint n = 0;

  for (guint i = 0; i < self->tasks->len; i++)
    {
      ArTask *task = g_ptr_array_index (self->tasks, i);

      if (counts_as_active (self, task) && g_str_equal (engine_of (task), engine))
        n++;
    }
  return n;
}

static guint
n_active_for_env (ArTaskManager *self, const char *env_id)
{
  guint n = 0;

  for (guint i = 0; i < self->tasks->len; i++)
    {
      ArTask *task = g_ptr_array_index (self->tasks, i);

      if (counts_as_active (self, task) && g_str_equal (ar_task_get_env_id (task), env_id))
        n++;
    }
  return n;
}

static void
ended (ArTaskManager *self, ArTask *task)
{
  g_hash_table_remove (self->runners, task);
  g_hash_table_remove (self->interactives, task);
  g_hash_table_remove (self->waiting_logged, task);
  g_signal_emit (self, signals[SIGNAL_TASK_FINISHED], 0, task);
  pump (self);
}

static void
runner_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskManager) self = user_data;
  ArTaskRunner *runner = AR_TASK_RUNNER (source);
  g_autoptr(ArTask) task = g_object_ref (ar_task_runner_get_task (runner));

  ar_task_runner_run_finish (runner, result);
  ended (self, task);
}

static void
interactive_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskManager) self = user_data;
  ArInteractive *interactive = AR_INTERACTIVE (source);
  g_autoptr(ArTask) task = g_object_ref (ar_interactive_get_task (interactive));

  ar_interactive_run_finish (interactive, result);
  ended (self, task);
}

static void
begin (ArTaskManager *self, ArTaskRunner *runner)
{
  ArInteractive *interactive = g_hash_table_lookup (self->interactives, ar_task_runner_get_task (runner));

  /* An interactive task's runner runs through its terminal. */
  if (interactive != NULL)
    ar_interactive_run_async (interactive, NULL, interactive_done, g_object_ref (self));
  else
    ar_task_runner_run_async (runner, NULL, runner_done, g_object_ref (self));
}

static void
log_waiting (ArTaskManager *self, ArTaskRunner *runner, const char *why)
{
  ArTask *task = ar_task_runner_get_task (runner);

  if (g_hash_table_contains (self->waiting_logged, task))
    return;
  g_hash_table_add (self->waiting_logged, g_object_ref (task));
  ar_task_log_message (ar_task_runner_get_log (runner), "task/queue", AR_LOG_INFO, "%s", why);
}

static void
pump (ArTaskManager *self)
{
  int max_total = self->settings->max_concurrent_tasks;
  GList *l = self->queue.head;

  while (l != NULL)
    {
      GList *next = l->next;
      ArTaskRunner *runner = l->data;
      ArEnvironment *env = ar_task_runner_get_environment (runner);
      int max_env = ar_environment_get_max_agents_running (env);
      const char *engine = engine_of (ar_task_runner_get_task (runner));

      if (max_total > 0 && n_active_on_engine (self, engine) >= (guint) max_total)
        {
          g_autofree char *why = NULL;

          if (ar_settings_get_n_engines (self->settings) > 1)
            why = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "queued: Settings allow %d task at a time on the engine “%s”",
                                                "queued: Settings allow %d tasks at a time on the engine “%s”",
                                                max_total),
                                   max_total, ar_engine_display_name (engine));
          else
            why = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "queued: Settings allow %d task at a time",
                                                "queued: Settings allow %d tasks at a time",
                                                max_total),
                                   max_total);

          /* The tasks of other engines behind it may still start. */
          log_waiting (self, runner, why);
          l = next;
          continue;
        }
      if (max_env > 0 && n_active_for_env (self, ar_environment_get_env_id (env)) >= (guint) max_env)
        {
          g_autofree char *why = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                               "queued: the environment allows %d task at a time",
                                                               "queued: the environment allows %d tasks at a time",
                                                               max_env),
                                                  max_env);

          log_waiting (self, runner, why);
          l = next;
          continue;
        }
      g_queue_delete_link (&self->queue, l);
      begin (self, runner);
      g_object_unref (runner); /* the queue's reference; runners holds one */
      l = next;
    }
}

/* Takes @runner. */
static ArTaskRunner *
add_runner (ArTaskManager *self, ArTask *task, ArTaskRunner *runner)
{
  if (self->extra_label != NULL)
    ar_task_runner_set_extra_label (runner, self->extra_label);
  g_hash_table_insert (self->runners, g_object_ref (task), runner);
  add_task (self, task);
  return runner;
}

/* ---- the engines (design.md §9) ------------------------------------------ */

ArEngine *
ar_task_manager_new_engine (const ArSettings *settings, const char *name, GError **error)
{
  const ArEngineEntry *entry;
  g_autofree char *host = NULL;
  ArEngine *engine;

  g_return_val_if_fail (settings != NULL, NULL);

  if (ar_engine_name_is_local (name))
    {
      engine = ar_engine_new (settings->engine, settings->engine_host);
      ar_engine_set_folders (engine, ar_engine_folders_from_string (settings->engine_folders));
      return engine;
    }
  if ((entry = ar_settings_find_engine (settings, name)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("There is no engine named “%s” in Preferences: add it there, or choose another "
                      "engine in the environment."),
                   name);
      return NULL;
    }
  if ((host = ar_engine_entry_resolve_host (entry, error)) == NULL)
    return NULL;
  engine = ar_engine_new (entry->kind, host);
  ar_engine_set_folders (engine, ar_engine_folders_from_string (entry->folders));
  return engine;
}

ArImageBuilder *
ar_task_manager_get_builder (ArTaskManager *self, const char *engine_name, GError **error)
{
  ArImageBuilder *builder;
  g_autoptr(ArEngine) engine = NULL;

  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);

  if (ar_engine_name_is_local (engine_name))
    return self->builder;
  if ((builder = g_hash_table_lookup (self->builders, engine_name)) != NULL)
    return builder;
  if ((engine = ar_task_manager_new_engine (self->settings, engine_name, error)) == NULL)
    return NULL;
  builder = ar_image_builder_new (engine);
  g_hash_table_insert (self->builders, g_strdup (engine_name), builder);
  return builder;
}

/* The runner of a new task of @env, on the environment's engine; when that
 * engine cannot be had, on the local one, with @engine_error set: the
 * caller fails the task at once (fail_at_start). */
static ArTaskRunner *
new_runner (ArTaskManager *self, ArTask *task, ArEnvironment *env, GError **engine_error)
{
  const char *name = ar_environment_get_engine (env);
  ArImageBuilder *builder = ar_task_manager_get_builder (self, name, engine_error);

  ar_task_set_engine (task, ar_engine_name_is_local (name) ? AR_LOCAL_ENGINE_NAME : name);
  return add_runner (self, task,
                     ar_task_runner_new (builder != NULL ? builder : self->builder, task, env, self->settings));
}

static void ended (ArTaskManager *self, ArTask *task);

static void
fail_at_start (ArTaskManager *self, ArTaskRunner *runner, const GError *error)
{
  g_autoptr(ArTask) task = g_object_ref (ar_task_runner_get_task (runner));

  ar_task_runner_fail_task (runner, "task/engine", error->message);
  ended (self, task);
}

ArTask *
ar_task_manager_start (ArTaskManager *self, ArEnvironment *env, const char *prompt)
{
  g_autoptr(ArTask) task = NULL;
  g_autoptr(GError) engine_error = NULL;
  ArTaskRunner *runner;

  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);

  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), prompt,
                      AR_TASK_KIND_TASK);
  runner = new_runner (self, task, env, &engine_error);
  if (engine_error != NULL)
    {
      fail_at_start (self, runner, engine_error);
      return task;
    }
  g_queue_push_tail (&self->queue, g_object_ref (runner));
  pump (self);
  return task;
}

ArTask *
ar_task_manager_start_interactive (ArTaskManager *self,
                                   ArEnvironment *env,
                                   const char *prompt,
                                   ArInteractiveCommand command,
                                   int master_fd,
                                   GError **error)
{
  g_autoptr(ArTask) task = NULL;
  ArImageBuilder *builder;
  ArInteractive *interactive;
  ArTaskRunner *runner;

  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);

  task = ar_interactive_new_task (env, prompt);
  if ((builder = ar_task_manager_get_builder (self, ar_environment_get_engine (env), error)) == NULL)
    {
      if (master_fd >= 0)
        close (master_fd);
      return NULL;
    }
  ar_task_set_engine (task, ar_engine_name_is_local (ar_environment_get_engine (env))
                              ? AR_LOCAL_ENGINE_NAME
                              : ar_environment_get_engine (env));
  interactive = ar_interactive_new (builder, task, env, self->settings, command, master_fd, error);
  if (interactive == NULL)
    return NULL;
  g_hash_table_insert (self->interactives, g_object_ref (task), interactive);
  runner = add_runner (self, task, g_object_ref (ar_interactive_get_runner (interactive)));
  g_queue_push_tail (&self->queue, g_object_ref (runner));
  pump (self);
  return task;
}

ArInteractive *
ar_task_manager_get_interactive (ArTaskManager *self, ArTask *task)
{
  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);
  return g_hash_table_lookup (self->interactives, task);
}

guint
ar_task_manager_get_n_interactive (ArTaskManager *self)
{
  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), 0);
  return g_hash_table_size (self->interactives);
}

typedef struct {
  GHashTable *waiting; /* ArTask set */
  gulong finished_id;
} StopInteractive;

static void
stop_interactive_free (StopInteractive *stop)
{
  g_hash_table_unref (stop->waiting);
  g_free (stop);
}

static void
stop_interactive_ended (ArTaskManager *self, ArTask *task, gpointer user_data)
{
  GTask *gtask = user_data;
  StopInteractive *stop = g_task_get_task_data (gtask);

  g_hash_table_remove (stop->waiting, task);
  if (g_hash_table_size (stop->waiting) > 0)
    return;
  g_clear_signal_handler (&stop->finished_id, self);
  g_task_return_boolean (gtask, TRUE);
  g_object_unref (gtask);
}

void
ar_task_manager_stop_interactive_async (ArTaskManager *self,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  GTask *gtask;
  StopInteractive *stop;
  g_autoptr(GPtrArray) tasks = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (AR_IS_TASK_MANAGER (self));

  gtask = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (gtask, ar_task_manager_stop_interactive_async);
  stop = g_new0 (StopInteractive, 1);
  stop->waiting = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  g_task_set_task_data (gtask, stop, (GDestroyNotify) stop_interactive_free);
  if (g_hash_table_size (self->interactives) == 0)
    {
      g_task_return_boolean (gtask, TRUE);
      g_object_unref (gtask);
      return;
    }
  tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->interactives);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_hash_table_add (stop->waiting, g_object_ref (key));
      g_ptr_array_add (tasks, g_object_ref (key));
    }
  /* The GTask's reference is released when the last one has ended (a
   * queued one ends at once, inside ar_task_manager_stop()). */
  stop->finished_id = g_signal_connect (self, "task-finished", G_CALLBACK (stop_interactive_ended), gtask);
  for (guint i = 0; i < tasks->len; i++)
    ar_task_manager_stop (self, g_ptr_array_index (tasks, i));
}

void
ar_task_manager_stop_interactive_finish (ArTaskManager *self, GAsyncResult *result)
{
  g_return_if_fail (g_task_is_valid (result, self));
  g_task_propagate_boolean (G_TASK (result), NULL);
}

void
ar_task_manager_configure_preflight_test (ArTaskRunner *runner, ArEnvironment *env, gboolean saved)
{
  g_return_if_fail (AR_IS_TASK_RUNNER (runner));
  g_return_if_fail (AR_IS_ENVIRONMENT (env));

  if (ar_environment_wants_env_layer (env))
    {
      if (saved)
        ar_task_runner_set_build_check (runner);
      else
        ar_task_runner_set_note (runner, _ ("The environment has unsaved changes: this test is the start of a "
                                            "task of the draft, caching included (an image it builds is kept "
                                            "for tasks). Save it, then test again for the build check, which "
                                            "keeps nothing."));
    }
  else if (ar_environment_uses_cached_preflight (env) && !ar_environment_get_cache_container_build (env))
    ar_task_runner_set_note (runner, _ ("Container caching is off: the cached part runs at start, then the run "
                                        "part, as in a task. With caching on, this test builds the cached part "
                                        "in a throwaway image and runs the run part on top of it (the build "
                                        "check)."));
}

ArTask *
ar_task_manager_start_preflight_test (ArTaskManager *self, ArEnvironment *env, gboolean saved)
{
  g_autoptr(ArTask) task = NULL;
  g_autoptr(GError) engine_error = NULL;
  ArTaskRunner *runner;

  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);

  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "",
                      AR_TASK_KIND_PREFLIGHT_TEST);
  runner = new_runner (self, task, env, &engine_error);
  if (engine_error != NULL)
    {
      fail_at_start (self, runner, engine_error);
      return task;
    }
  ar_task_manager_configure_preflight_test (runner, env, saved);
  begin (self, runner);
  return task;
}

/* ---- a container left running by an earlier process ----------------------- */

static void
follow_ended (ArTask *task, gpointer user_data)
{
  ArTaskManager *self = user_data;

  g_object_ref (task);
  g_hash_table_remove (self->follows, task);
  g_signal_emit (self, signals[SIGNAL_TASK_FINISHED], 0, task);
  pump (self);
  g_object_unref (task);
}

static ArEnvironment *
environment_of (ArTaskManager *self, ArTask *task)
{
  return self->env_store != NULL ? ar_env_store_find_by_id (self->env_store, ar_task_get_env_id (task)) : NULL;
}

/* The engine a task left behind runs on, to follow it there; NULL when
 * that engine is no longer in Preferences. */
static ArEngine *
engine_of_task (ArTaskManager *self, ArTask *task)
{
  g_autoptr(GError) error = NULL;
  ArImageBuilder *builder = ar_task_manager_get_builder (self, engine_of (task), &error);

  if (builder == NULL)
    {
      g_debug ("task %s: %s", ar_task_get_id (task), error->message);
      return NULL;
    }
  return ar_image_builder_get_engine (builder);
}

static void
follow_task (ArTaskManager *self, ArTask *task)
{
  ArTaskFollow *follow = ar_task_follow_new (engine_of_task (self, task), task, environment_of (self, task),
                                             follow_ended, self);

  g_hash_table_insert (self->follows, g_object_ref (task), follow);
}

/* An interactive task of an earlier process whose container still runs:
 * its terminal again, through `attach`, for the task view to show. */
static void
attached_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArTaskManager) self = user_data;
  ArInteractive *interactive = AR_INTERACTIVE (source);
  g_autoptr(ArTask) task = g_object_ref (ar_interactive_get_task (interactive));

  ar_interactive_run_finish (interactive, result);
  ar_task_scratch_remove (ar_task_get_id (task));
  ended (self, task);
}

static void
attach_interactive (ArTaskManager *self, ArTask *task)
{
  ArInteractive *interactive = ar_task_follow_attach (engine_of_task (self, task), task, environment_of (self, task));

  if (interactive == NULL)
    {
      follow_task (self, task);
      return;
    }
  g_hash_table_insert (self->interactives, g_object_ref (task), interactive);
  ar_interactive_run_async (interactive, NULL, attached_done, g_object_ref (self));
}

/* ---- stop --------------------------------------------------------------- */

void
ar_task_manager_stop (ArTaskManager *self, ArTask *task)
{
  ArTaskRunner *runner;
  ArInteractive *interactive;
  ArTaskFollow *follow;

  g_return_if_fail (AR_IS_TASK_MANAGER (self));
  g_return_if_fail (AR_IS_TASK (task));

  if ((runner = g_hash_table_lookup (self->runners, task)) != NULL)
    {
      GList *link = g_queue_find (&self->queue, runner);

      if (link != NULL)
        {
          g_queue_delete_link (&self->queue, link);
          g_object_unref (runner);
          g_object_ref (task);
          /* It never ran: ends now, and there is no run_async to finish. */
          ar_task_runner_stop (runner);
          ended (self, task);
          g_object_unref (task);
          return;
        }
      ar_task_runner_stop (runner);
      return;
    }
  if ((interactive = g_hash_table_lookup (self->interactives, task)) != NULL)
    {
      /* Attached again after a restart: no runner of ours. */
      ar_interactive_stop (interactive);
      return;
    }
  if ((follow = g_hash_table_lookup (self->follows, task)) != NULL)
    ar_task_follow_stop (follow);
}

/* ---- load --------------------------------------------------------------- */

typedef struct {
  ArTaskManagerLoadFlags flags;
  GPtrArray *unfinished; /* ArTask: left behind by a process that is gone */
  guint pending;         /* engines asked that have not answered yet */
} LoadData;

/* One engine's listing: the unfinished tasks on it are reconciled with it. */
typedef struct {
  GTask *gtask;
  char *engine;
} EngineListing;

static void
load_data_free (LoadData *data)
{
  g_clear_pointer (&data->unfinished, g_ptr_array_unref);
  g_free (data);
}

static gboolean
read_records (ArTaskManager *self, GPtrArray *unfinished, GError **error)
{
  g_autofree char *tasks_dir = ar_paths_tasks_dir ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (tasks_dir, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _ ("Could not read the tasks folder %s: %s."), tasks_dir, local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tasks_dir, name, AR_TASK_RECORD_FILE, NULL);
      g_autoptr(ArTask) task = NULL;
      ArTask *known;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      if ((task = ar_task_new_from_file (path, NULL)) == NULL)
        continue;
      /* A folder renamed by hand must not act for another task. */
      if (!g_str_equal (ar_task_get_id (task), name))
        continue;
      if ((known = find_task (self, name)) != NULL)
        {
          /* Ours: the live object is right. Another's: refresh from disk. */
          if (!g_hash_table_contains (self->runners, known) && !g_hash_table_contains (self->follows, known) &&
              ar_task_get_state (known) != ar_task_get_state (task))
            {
              ar_task_set_state (known, ar_task_get_state (task));
              ar_task_set_exit_status (known, ar_task_get_exit_status (task));
              ar_task_set_finished_at (known, ar_task_get_finished_at (task));
            }
          continue;
        }
      add_task (self, task);
      if (!ar_task_state_is_finished (ar_task_get_state (task)) && !ar_task_is_owned_elsewhere (task))
        g_ptr_array_add (unfinished, g_object_ref (task));
    }
  return TRUE;
}

static void
listing_done (GTask *gtask)
{
  LoadData *data = g_task_get_task_data (gtask);

  if (--data->pending == 0)
    g_task_return_boolean (gtask, TRUE);
}

static void
never_started_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, &error) != 0)
    g_debug ("a never started copy-mode container could not be removed: %s", error != NULL ? error->message : "");
}

/* design.md §4.2: each task is looked for on its own engine. */
static void
containers_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EngineListing *listing = user_data;
  g_autoptr(GTask) gtask = listing->gtask;
  g_autofree char *engine = listing->engine;
  ArTaskManager *self = g_task_get_source_object (gtask);
  LoadData *data = g_task_get_task_data (gtask);
  g_autoptr(GPtrArray) containers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) running = g_hash_table_new (g_str_hash, g_str_equal);
  /* design.md §4.2: a copy-mode container (no --rm) that ended while no
   * process followed it still holds the result to copy out. */
  g_autoptr(GHashTable) ended_there = g_hash_table_new (g_str_hash, g_str_equal);
  /* …and one made but never started holds nothing: removed. */
  g_autoptr(GHashTable) created_there = g_hash_table_new (g_str_hash, g_str_equal);

  g_free (listing);
  containers = ar_engine_list_containers_finish (AR_ENGINE (source), result, &error);
  if (containers == NULL)
    {
      /* No engine: nothing can be said about them; leave them as they are. */
      g_debug ("engine %s: %s; its unfinished tasks are left as they are", engine, error->message);
      listing_done (gtask);
      return;
    }
  for (guint i = 0; i < containers->len; i++)
    {
      ArContainerInfo *info = g_ptr_array_index (containers, i);
      const char *id = ar_container_info_get_label (info, AR_LABEL_TASK_ID);

      if (id != NULL && g_strcmp0 (info->state, "running") == 0)
        g_hash_table_insert (running, (gpointer) id, info);
      else if (id != NULL && (g_strcmp0 (info->state, "exited") == 0 || g_strcmp0 (info->state, "dead") == 0))
        g_hash_table_insert (ended_there, (gpointer) id, info);
      else if (id != NULL && g_strcmp0 (info->state, "created") == 0)
        g_hash_table_insert (created_there, (gpointer) id, info);
    }

  for (guint i = 0; i < data->unfinished->len; i++)
    {
      ArTask *task = g_ptr_array_index (data->unfinished, i);

      if (!g_str_equal (engine_of (task), engine))
        continue;
      /* Checked again: another manager may have taken it meanwhile. */
      if (ar_task_is_owned_elsewhere (task) || g_hash_table_contains (self->follows, task))
        continue;
      if (ar_task_get_copied (task) && g_hash_table_contains (ended_there, ar_task_get_id (task)) &&
          (data->flags & AR_TASK_MANAGER_LOAD_FOLLOW) && ar_task_acquire_ownership (task))
        {
          /* Its exit status, its last lines and its result, at once. */
          g_debug ("task %s: its copy-mode container ended meanwhile: its result is copied out", ar_task_get_id (task));
          follow_task (self, task);
        }
      else if (g_hash_table_contains (running, ar_task_get_id (task)))
        {
          if ((data->flags & AR_TASK_MANAGER_LOAD_FOLLOW) && ar_task_acquire_ownership (task))
            {
              if (ar_task_get_kind (task) == AR_TASK_KIND_INTERACTIVE)
                attach_interactive (self, task);
              else
                follow_task (self, task);
            }
          else
            g_debug ("task %s: its container still runs; not followed by this process", ar_task_get_id (task));
        }
      else
        {
          if (ar_task_get_copied (task) && g_hash_table_contains (created_there, ar_task_get_id (task)) &&
              (data->flags & AR_TASK_MANAGER_LOAD_FOLLOW))
            {
              const char *args[] = { "rm", "-f", ar_task_get_container_name (task), NULL };

              g_debug ("task %s: its copy-mode container was never started: removed", ar_task_get_id (task));
              ar_engine_run_cli_async (AR_ENGINE (source), args, NULL, NULL, NULL, 30, NULL, never_started_removed,
                                       NULL);
            }
          ar_task_follow_end_left_behind (task);
        }
    }
  listing_done (gtask);
}

void
ar_task_manager_load_async (ArTaskManager *self,
                            ArTaskManagerLoadFlags flags,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr(GTask) gtask = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) engines = NULL;
  LoadData *data;

  g_return_if_fail (AR_IS_TASK_MANAGER (self));

  gtask = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, ar_task_manager_load_async);
  data = g_new0 (LoadData, 1);
  data->flags = flags;
  data->unfinished = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (gtask, data, (GDestroyNotify) load_data_free);

  if (!read_records (self, data->unfinished, &error))
    {
      g_task_return_error (gtask, g_steal_pointer (&error));
      return;
    }
  if (!(flags & (AR_TASK_MANAGER_LOAD_RECONCILE | AR_TASK_MANAGER_LOAD_FOLLOW)) || data->unfinished->len == 0)
    {
      g_task_return_boolean (gtask, TRUE);
      return;
    }
  engines = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < data->unfinished->len; i++)
    {
      const char *engine = engine_of (g_ptr_array_index (data->unfinished, i));

      if (!g_ptr_array_find_with_equal_func (engines, engine, g_str_equal, NULL))
        g_ptr_array_add (engines, g_strdup (engine));
    }
  /* One more than the engines, so that none finishes the load early. */
  data->pending = 1;
  for (guint i = 0; i < engines->len; i++)
    {
      const char *engine = g_ptr_array_index (engines, i);
      g_autoptr(GError) engine_error = NULL;
      ArImageBuilder *builder = ar_task_manager_get_builder (self, engine, &engine_error);
      EngineListing *listing;

      if (builder == NULL)
        {
          /* Removed from Preferences: its tasks are left as they are. */
          g_debug ("%s", engine_error->message);
          continue;
        }
      listing = g_new0 (EngineListing, 1);
      listing->gtask = g_object_ref (gtask);
      listing->engine = g_strdup (engine);
      data->pending++;
      ar_engine_list_containers_async (ar_image_builder_get_engine (builder), AR_LABEL_TASK_ID, cancellable,
                                       containers_listed, listing);
    }
  listing_done (gtask);
}

gboolean
ar_task_manager_load_finish (ArTaskManager *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- lookups ------------------------------------------------------------ */

ArTask *
ar_task_manager_lookup (ArTaskManager *self, const char *id, GError **error)
{
  ArTask *found = NULL;

  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);

  if (id != NULL && *id != '\0')
    {
      if ((found = find_task (self, id)) != NULL)
        return found;
      for (guint i = 0; i < self->tasks->len; i++)
        {
          ArTask *task = g_ptr_array_index (self->tasks, i);

          if (!g_str_has_prefix (ar_task_get_id (task), id))
            continue;
          if (found != NULL)
            {
              g_set_error (error, AR_TASK_ERROR, AR_TASK_ERROR_AMBIGUOUS,
                           _ ("“%s” is the beginning of several task ids: give more of it."), id);
              return NULL;
            }
          found = task;
        }
    }
  if (found == NULL)
    g_set_error (error, AR_TASK_ERROR, AR_TASK_ERROR_NOT_FOUND,
                 _ ("There is no task “%s”: see agents-runner task list."), id != NULL ? id : "");
  return found;
}

ArTaskLog *
ar_task_manager_get_log (ArTaskManager *self, ArTask *task)
{
  ArTaskRunner *runner;
  ArInteractive *interactive;
  ArTaskFollow *follow;

  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);

  if ((runner = g_hash_table_lookup (self->runners, task)) != NULL)
    return ar_task_runner_get_log (runner);
  if ((follow = g_hash_table_lookup (self->follows, task)) != NULL)
    return ar_task_follow_get_log (follow);
  if ((interactive = g_hash_table_lookup (self->interactives, task)) != NULL)
    return ar_interactive_get_log (interactive);
  return NULL;
}

/* ---- settings ----------------------------------------------------------- */

void
ar_task_manager_set_settings (ArTaskManager *self, const ArSettings *settings)
{
  g_return_if_fail (AR_IS_TASK_MANAGER (self));
  g_return_if_fail (settings != NULL);

  /* An engine changed or removed is made again when next used; the tasks
   * running on it keep the one they started with. */
  for (guint i = 0; self->settings != NULL && self->settings->engines != NULL && i < self->settings->engines->len; i++)
    {
      const ArEngineEntry *old = g_ptr_array_index (self->settings->engines, i);
      const ArEngineEntry *now = ar_settings_find_engine (settings, old->name);

      if (now == NULL || !ar_engine_entry_equal (old, now))
        g_hash_table_remove (self->builders, old->name);
    }
  g_clear_pointer (&self->settings, ar_settings_free);
  self->settings = ar_settings_copy (settings);
  /* A larger limit may let queued tasks start now. */
  pump (self);
}

const ArSettings *
ar_task_manager_get_settings (ArTaskManager *self)
{
  g_return_val_if_fail (AR_IS_TASK_MANAGER (self), NULL);
  return self->settings;
}

void
ar_task_manager_set_env_store (ArTaskManager *self, ArEnvStore *store)
{
  g_return_if_fail (AR_IS_TASK_MANAGER (self));
  g_set_object (&self->env_store, store);
}

void
ar_task_manager_set_extra_label (ArTaskManager *self, const char *label)
{
  g_return_if_fail (AR_IS_TASK_MANAGER (self));
  g_free (self->extra_label);
  self->extra_label = g_strdup (label);
}

ArTaskManager *
ar_task_manager_new (ArImageBuilder *builder, const ArSettings *settings)
{
  ArTaskManager *self;

  g_return_val_if_fail (AR_IS_IMAGE_BUILDER (builder), NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  self = g_object_new (AR_TYPE_TASK_MANAGER, NULL);
  self->builder = g_object_ref (builder);
  self->settings = ar_settings_copy (settings);
  return self;
}

static void
ar_task_manager_dispose (GObject *object)
{
  ArTaskManager *self = AR_TASK_MANAGER (object);

  /* Running tasks keep running (their runners hold themselves); only the
   * queue, which nobody would start any more, is let go. */
  g_queue_clear_full (&self->queue, g_object_unref);
  g_hash_table_remove_all (self->follows);
  /* A running one holds itself until it ends, as a runner does. */
  g_hash_table_remove_all (self->interactives);

  G_OBJECT_CLASS (ar_task_manager_parent_class)->dispose (object);
}

static void
ar_task_manager_finalize (GObject *object)
{
  ArTaskManager *self = AR_TASK_MANAGER (object);

  g_clear_object (&self->builder);
  g_hash_table_unref (self->builders);
  g_clear_pointer (&self->settings, ar_settings_free);
  g_clear_object (&self->env_store);
  g_free (self->extra_label);
  g_ptr_array_unref (self->tasks);
  g_hash_table_unref (self->runners);
  g_hash_table_unref (self->waiting_logged);
  g_hash_table_unref (self->follows);
  g_hash_table_unref (self->interactives);

  G_OBJECT_CLASS (ar_task_manager_parent_class)->finalize (object);
}

static void
ar_task_manager_class_init (ArTaskManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ar_task_manager_dispose;
  object_class->finalize = ar_task_manager_finalize;

  signals[SIGNAL_TASK_FINISHED] =
    g_signal_new ("task-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, AR_TYPE_TASK);
}

static void
ar_task_manager_init (ArTaskManager *self)
{
  self->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->builders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->runners = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_object_unref);
  self->waiting_logged = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->follows = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, (GDestroyNotify) ar_task_follow_free);
  self->interactives = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_object_unref);
  g_queue_init (&self->queue);
}
