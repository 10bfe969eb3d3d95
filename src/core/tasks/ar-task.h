/* ar-task.h — one task: one agent run with one prompt (design.md §4)
 *
 * A plain model object with a property per thing the UI shows. Its record
 * is $XDG_STATE_HOME/agents-runner/tasks/<id>/task.json, with task.log
 * beside it. A process that runs or follows a task holds a lock on
 * owner.lock in that folder, so that another process (or another manager
 * in this one) can tell a live task from one left behind by a restart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define AR_TASK_ERROR (ar_task_error_quark ())
GQuark ar_task_error_quark (void);

typedef enum {
  AR_TASK_ERROR_NOT_FOUND,  /* no record with that id */
  AR_TASK_ERROR_AMBIGUOUS,  /* an id prefix that several tasks share */
  AR_TASK_ERROR_BAD_RECORD, /* task.json is not a task record */
} ArTaskError;

/* Container labels (the image labels are in ar-cache-key.h). */
#define AR_LABEL_TASK_ID "io.github.agents-runner.task-id"
#define AR_TASK_RECORD_FILE "task.json"
#define AR_TASK_LOG_FILE "task.log"
#define AR_TASK_RECORD_VERSION 1

typedef enum {
  AR_TASK_STATE_QUEUED,
  AR_TASK_STATE_PREPARING,
  AR_TASK_STATE_BUILDING,
  AR_TASK_STATE_STARTING,
  AR_TASK_STATE_RUNNING,
  AR_TASK_STATE_DONE,
  AR_TASK_STATE_FAILED,
  AR_TASK_STATE_CANCELLED,
} ArTaskState;

GType ar_task_state_get_type (void);
#define AR_TYPE_TASK_STATE (ar_task_state_get_type ())

typedef enum {
  AR_TASK_KIND_TASK,
  AR_TASK_KIND_PREFLIGHT_TEST, /* §4.3: the agent replaced by "preflight complete" */
  AR_TASK_KIND_INTERACTIVE,    /* the agent's own terminal interface, on a TTY */
} ArTaskKind;

GType ar_task_kind_get_type (void);
#define AR_TYPE_TASK_KIND (ar_task_kind_get_type ())

/* "queued", "preparing", … as in the record and the CLI. */
const char *ar_task_state_to_string (ArTaskState state);
gboolean ar_task_state_from_string (const char *str, ArTaskState *state);
/* A readable, translated name ("Queued", …). */
const char *ar_task_state_to_label (ArTaskState state);
/* done, failed or cancelled */
gboolean ar_task_state_is_finished (ArTaskState state);
/* preparing … running: it holds a slot of the queue */
gboolean ar_task_state_is_active (ArTaskState state);
const char *ar_task_kind_to_string (ArTaskKind kind);

#define AR_TYPE_TASK (ar_task_get_type ())
G_DECLARE_FINAL_TYPE (ArTask, ar_task, AR, TASK, GObject)

/* "YYYYMMDD-HHMMSS-xxxxxx": sortable, and valid in a container name. */
char *ar_task_generate_id (void);

/* A new queued task with a new id, created now. */
ArTask *ar_task_new (const char *env_id,
                     const char *env_name,
                     const char *prompt,
                     ArTaskKind kind);
/* From a task.json. */
ArTask *ar_task_new_from_file (const char *path, GError **error);
ArTask *ar_task_new_from_json (JsonObject *object, GError **error);
JsonNode *ar_task_to_json (ArTask *self);

/* tasks/<id>/, tasks/<id>/task.json, tasks/<id>/task.log */
char *ar_task_dup_dir (ArTask *self);
char *ar_task_dup_record_path (ArTask *self);
char *ar_task_dup_log_path (ArTask *self);
/* Writes task.json atomically (temporary file, fsync, rename). */
gboolean ar_task_save (ArTask *self, GError **error);

/* owner.lock: TRUE when this object now holds it (or already did). */
gboolean ar_task_acquire_ownership (ArTask *self);
void ar_task_release_ownership (ArTask *self);
gboolean ar_task_get_owned (ArTask *self);
/* Whether another process, or another ArTask for the same id, holds it. */
gboolean ar_task_is_owned_elsewhere (ArTask *self);

const char *ar_task_get_id (ArTask *self);
const char *ar_task_get_env_id (ArTask *self);
const char *ar_task_get_env_name (ArTask *self);
const char *ar_task_get_prompt (ArTask *self);
ArTaskKind ar_task_get_kind (ArTask *self);
/* What the Tasks list and the task view call it: the first line of the
 * prompt; "Preflight test" for one; "Interactive session" for an
 * interactive task without a first message; else "No prompt". */
char *ar_task_dup_title (ArTask *self);

ArTaskState ar_task_get_state (ArTask *self);
void ar_task_set_state (ArTask *self, ArTaskState state);
/* The container's exit status; -1 = none (not run, or unknown). */
int ar_task_get_exit_status (ArTask *self);
void ar_task_set_exit_status (ArTask *self, int status);
/* Wall-clock times in µs since the epoch (g_get_real_time); 0 = not yet. */
gint64 ar_task_get_created_at (ArTask *self);
gint64 ar_task_get_started_at (ArTask *self);
void ar_task_set_started_at (ArTask *self, gint64 time);
gint64 ar_task_get_finished_at (ArTask *self);
void ar_task_set_finished_at (ArTask *self, gint64 time);
/* Seconds from start to finish (to now while it runs); 0 before start. */
double ar_task_get_duration (ArTask *self);

/* What docker run used, and how it came to be. */
const char *ar_task_get_image (ArTask *self);
void ar_task_set_image (ArTask *self, const char *image);
/* "base + desktop + environment", … */
const char *ar_task_get_layers (ArTask *self);
void ar_task_set_layers (ArTask *self, const char *layers);
/* One line per layer decision: "environment layer: cache HIT agents-runner-env:…" */
const char *ar_task_get_cache_summary (ArTask *self);
void ar_task_set_cache_summary (ArTask *self, const char *summary);
/* http://127.0.0.1:<port>/vnc.html, "" without a desktop. */
const char *ar_task_get_desktop_url (ArTask *self);
void ar_task_set_desktop_url (ArTask *self, const char *url);
const char *ar_task_get_container_name (ArTask *self);
void ar_task_set_container_name (ArTask *self, const char *name);
/* The engine it runs on, by its name in Preferences ("local" for the
 * local engine; "" in records from before several engines). */
const char *ar_task_get_engine (ArTask *self);
void ar_task_set_engine (ArTask *self, const char *engine);
/* design.md §4.2, "Copied, not mounted": the engine did not see this
 * computer's folders, so the task's files were copied into its container
 * (created without --rm): the workspace @workspace ("" for none) at
 * @workdir there, to be copied out at the end, also by a process that
 * follows the task after a restart. In the record only when set. */
void ar_task_set_copied (ArTask *self, const char *workspace, const char *workdir);
gboolean ar_task_get_copied (ArTask *self);
const char *ar_task_get_copied_workspace (ArTask *self);
const char *ar_task_get_copied_workdir (ArTask *self);
/* Why it failed (one sentence), "" otherwise. */
const char *ar_task_get_error_message (ArTask *self);
void ar_task_set_error_message (ArTask *self, const char *message);

G_END_DECLS
