/* ar-backend.h — what the window runs tasks with: the one engine, image
 * builder and task manager of the process, kept in step with Preferences
 * (design.md §7, §9)
 *
 * Nothing here probes at construction: ar_backend_start() loads the task
 * records (reconciling those a restart left behind) and pings the engine,
 * both asynchronously, so that everything that needs no engine works at
 * once. When Preferences change the engine, a new engine and builder are
 * made and pinged; the task manager follows as soon as no task of the old
 * one is unfinished (running tasks keep the engine they started with).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-engine.h"
#include "ar-env-store.h"
#include "ar-image-builder.h"
#include "ar-settings.h"
#include "ar-task-manager.h"

G_BEGIN_DECLS

#define AR_TYPE_BACKEND (ar_backend_get_type ())
G_DECLARE_FINAL_TYPE (ArBackend, ar_backend, AR, BACKEND, GObject)

/* Reads Preferences from GSettings when the schema is installed, else uses
 * the defaults. */
ArBackend *ar_backend_new (ArEnvStore *store);

ArEnvStore *ar_backend_get_store (ArBackend *self);
/* The Preferences now (a snapshot, replaced on every change). */
const ArSettings *ar_backend_get_settings (ArBackend *self);
/* Used for later tasks and builds, as if Preferences had changed. */
void ar_backend_set_settings (ArBackend *self,
                              const ArSettings *settings);

/* Each of these may be replaced when the engine changes: listen to
 * notify::builder and notify::task-manager. */
ArEngine *ar_backend_get_engine (ArBackend *self);
ArImageBuilder *ar_backend_get_builder (ArBackend *self);
ArTaskManager *ar_backend_get_task_manager (ArBackend *self);

/* Loads the task records (reconcile + follow) and pings the engine. Once;
 * later calls do nothing. */
void ar_backend_start (ArBackend *self);
/* Asks the engine again (the banner's Retry, the images page's Refresh). */
void ar_backend_ping (ArBackend *self);

/* More than the local engine is configured (design.md §7): the window
 * then says which engine each task and image belongs to. Notified. */
gboolean ar_backend_get_several_engines (ArBackend *self);

/* Why the engine cannot be used, with what to do about it; NULL when the
 * last ping answered, or before any answer. */
const char *ar_backend_get_engine_problem (ArBackend *self);
/* A ping has answered, one way or the other. */
gboolean ar_backend_get_engine_checked (ArBackend *self);
/* The task records have been read. */
gboolean ar_backend_get_tasks_loaded (ArBackend *self);

/* Signal "error" (const char *message): something failed that the user
 * should hear about once (the tasks folder could not be read…). */

G_END_DECLS
