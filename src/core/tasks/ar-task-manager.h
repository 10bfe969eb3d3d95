/* ar-task-manager.h — the tasks of this app: list, queue, stop, restart
 * (design.md §4.5)
 *
 * A GListModel of ArTask, newest first. Tasks beyond an environment's
 * max_agents_running, or beyond the Settings-wide maximum, wait `queued`
 * and start in order as slots free (a task held back by its environment's
 * limit does not hold back the tasks of other environments).
 *
 * load() reads the records on disk; tasks that a dead process left behind
 * are reconciled with the engine: a container still running under the
 * task's label is followed again (its output from where the log stopped,
 * its exit status when it ends), the others are marked failed.
 *
 * Several engines (design.md §9): a task runs on its environment's engine
 * (ar_environment_get_engine(); "" is the local one, whose builder is the
 * one given to new()); the others are made from the Preferences' list on
 * first use, one engine and builder each. The Settings-wide limit applies
 * per engine; the record names the engine, and load() looks for each
 * unfinished task's container on its own engine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-env-store.h"
#include "ar-image-builder.h"
#include "ar-interactive.h"
#include "ar-settings.h"
#include "ar-task-log.h"
#include "ar-task-runner.h"
#include "ar-task.h"

G_BEGIN_DECLS

typedef enum {
  AR_TASK_MANAGER_LOAD_RECORDS = 0,        /* records only, no engine */
  AR_TASK_MANAGER_LOAD_RECONCILE = 1 << 0, /* ask the engine about unfinished ones */
  AR_TASK_MANAGER_LOAD_FOLLOW = 1 << 1,    /* and follow their running containers */
} ArTaskManagerLoadFlags;

#define AR_TYPE_TASK_MANAGER (ar_task_manager_get_type ())
G_DECLARE_FINAL_TYPE (ArTaskManager, ar_task_manager, AR, TASK_MANAGER, GObject)

ArTaskManager *ar_task_manager_new (ArImageBuilder *builder, const ArSettings *settings);

/* The engine of that name in @settings (design.md §7): "" or "local" is the
 * engine and engine-host settings; NULL with an error for a name that is
 * not in the list, or a docker context that is not there. */
ArEngine *ar_task_manager_new_engine (const ArSettings *settings, const char *name, GError **error);
/* The builder (and its engine) of the engine of that name, made on first
 * use and kept; NULL with an error as above. */
ArImageBuilder *ar_task_manager_get_builder (ArTaskManager *self, const char *engine_name, GError **error);

/* Used for tasks started from now on (a copy is taken). */
void ar_task_manager_set_settings (ArTaskManager *self, const ArSettings *settings);
const ArSettings *ar_task_manager_get_settings (ArTaskManager *self);
/* Lets a followed task redact its environment's secrets again. */
void ar_task_manager_set_env_store (ArTaskManager *self, ArEnvStore *store);
/* An extra "KEY=VALUE" label on containers; defaults to $AR_TEST_RUN_LABEL. */
void ar_task_manager_set_extra_label (ArTaskManager *self, const char *label);

void ar_task_manager_load_async (ArTaskManager *self,
                                 ArTaskManagerLoadFlags flags,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
/* FALSE only when the tasks folder cannot be read; an engine that does not
 * answer leaves unfinished records as they are. */
gboolean ar_task_manager_load_finish (ArTaskManager *self,
                                      GAsyncResult *result,
                                      GError **error);

/* A new task for a snapshot of env, queued or started at once. */
ArTask *ar_task_manager_start (ArTaskManager *self,
                               ArEnvironment *env,
                               const char *prompt);
/* Test Preflight (§4.3, issue 9 item 5); not held back by the queue. For a
 * @saved environment (as stored, no unsaved changes) with container caching
 * on, the preflight build check (ar-preflight-build-check.h) as a task:
 * nothing is kept. Otherwise, the start of a task of @env (the draft as
 * edited), caching included, then "preflight complete" instead of the
 * agent; its log says why it is not the build check when caching is on
 * (unsaved changes) or off. */
ArTask *ar_task_manager_start_preflight_test (ArTaskManager *self,
                                              ArEnvironment *env,
                                              gboolean saved);
/* What makes @runner (of ar_task_runner_new_preflight_test()) the Test
 * Preflight above: the build check, or the note saying why not. For the
 * command line's `preflight test`, whose environments are saved ones. */
void ar_task_manager_configure_preflight_test (ArTaskRunner *runner,
                                               ArEnvironment *env,
                                               gboolean saved);
/* An interactive task (ar-interactive.h) of a snapshot of @env: queued or
 * started at once, under the same limits as a task. @master_fd as for
 * ar_interactive_new() (taken either way). NULL with @error when its
 * command cannot be made or no terminal opened. */
ArTask *ar_task_manager_start_interactive (ArTaskManager *self,
                                           ArEnvironment *env,
                                           const char *prompt,
                                           ArInteractiveCommand command,
                                           int master_fd,
                                           GError **error);
/* The terminal of an interactive task while it is queued or runs (a view
 * attaches to it, detaches, reattaches); NULL once it ended or for other
 * tasks. */
ArInteractive *ar_task_manager_get_interactive (ArTaskManager *self, ArTask *task);
/* Interactive tasks queued or running: they end with this process (their
 * terminal is ours), unlike tasks, which keep running in their containers. */
guint ar_task_manager_get_n_interactive (ArTaskManager *self);
/* Stops every interactive task; finishes once they have all ended. */
void ar_task_manager_stop_interactive_async (ArTaskManager *self,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
void ar_task_manager_stop_interactive_finish (ArTaskManager *self,
                                              GAsyncResult *result);
/* Queued: it ends cancelled at once. Running: docker stop, then kill. */
void ar_task_manager_stop (ArTaskManager *self, ArTask *task);

/* By id or an unambiguous beginning of one. */
ArTask *ar_task_manager_lookup (ArTaskManager *self, const char *id, GError **error);
/* The live log of a task this manager runs or follows; NULL otherwise
 * (read the file at ar_task_dup_log_path()). */
ArTaskLog *ar_task_manager_get_log (ArTaskManager *self, ArTask *task);
/* Tasks holding a slot (preparing … running), here and followed. */
guint ar_task_manager_get_n_active (ArTaskManager *self);

/* Signal "task-finished" (ArTask *task): it reached done, failed or cancelled. */

G_END_DECLS
