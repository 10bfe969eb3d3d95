/* ar-task-runner-internal.h — what the files of the task runner share
 *
 * Only for ar-task-runner.c (the task's steps: images, workspace, scratch
 * folder, the end) and ar-task-runner-container.c (`docker run`: its
 * arguments, the output, the desktop's port, stopping the container).
 * Nothing else includes it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-task-desktop.h"
#include "ar-task-runner.h"

G_BEGIN_DECLS

struct _ArTaskRunner {
  GObject parent_instance;

  ArImageBuilder *builder;
  ArEngine *engine;
  ArTask *task;
  ArEnvironment *env;   /* the snapshot */
  ArSettings *settings; /* the snapshot */
  ArTaskLog *log;
  GError *log_error; /* task.log could not be opened */
  char *extra_label;

  GTask *run;                    /* the pending run_async */
  GCancellable *cancellable;     /* builds, clones: cancelled by stop */
  GCancellable *run_cancellable; /* the docker run CLI: cancelled last */
  GCancellable *external;
  gulong external_id;

  ArImageResolution *resolution;
  char *layers_detail; /* base and layers, for the line before docker run */
  GStrv agent_argv;
  gboolean build_check; /* a preflight test that is the build check */
  char *note;           /* said after the first line */
  char *workspace;      /* host folder mounted at the workdir, or NULL */
  char *scratch;        /* run/<id> */
  GPtrArray *run_args;
  GPtrArray *run_env;
  gboolean desktop;             /* -p 127.0.0.1::6080 */
  ArTaskDesktop *desktop_reach; /* once the desktop started, until the container ends */
  int tty_fd;                   /* interactive: the terminal of `run -i -t`, else -1 */
  GStrv terminal_argv;          /* interactive: the agent's command on it */
  GFunc terminal_drain;         /* interactive: reads the last output, before the end */
  gpointer terminal_data;

  /* The engine does not see this computer's folders (design.md §4.2):
   * created, files copied in, started; the workspace copied back out into
   * the review folder before the container is removed
   * (ar_task_delivery_collect_async). */
  gboolean copy_mode;
  guint prepare_pending; /* create and the snapshot, side by side */
  gboolean created;      /* `create` succeeded: the container exists */
  gboolean started;      /* `start` ran: there is a result to copy out */
  gboolean collecting;   /* the end is waiting for the copy out */
  gboolean collected;
  ArTaskState end_state; /* what the end was asked to be */
  char *config_copy;     /* the config folder to copy in, or NULL */
  char *git_objects;     /* the task's own objects for the patch */
  char *base_tree;       /* the workspace at copy-in, for a git workspace */

  gboolean run_spawned;
  gboolean container_started;
  gboolean stop_requested;
  gboolean ended;
  gboolean without_init; /* podman without catatonit: retried once */
  gboolean saw_no_init;
  gboolean output_open[2]; /* per stream: a line came in part */
  guint stop_grace_id;
};

/* The task record written, a failure said in the log. */
void ar_task_runner_save_record (ArTaskRunner *self);
/* The task's state set and saved. */
void ar_task_runner_update_state (ArTaskRunner *self, ArTaskState state);
/* The end, once: the scratch folder removed, the last line, the record;
 * run_async returns @state (cancelled when a stop was asked and it is not
 * done). */
void ar_task_runner_end_task (ArTaskRunner *self, ArTaskState state);
/* Ends it failed with @message, on the task and in the log under @scope. */
void ar_task_runner_fail_task (ArTaskRunner *self, const char *scope, const char *message);
/* Podman fails on a -w the image lacks (docker makes it): without a
 * workspace mounted there, the entry script makes and enters it. */
gboolean ar_task_runner_workdir_from_script (ArTaskRunner *self);

/* ar-task-runner-container.c: `docker run` with the scratch folder written,
 * to its end; and `docker stop`, then `docker kill`, of a running one. */
void ar_task_runner_start_container (ArTaskRunner *self);
/* In copy mode, at the end: the workspace copied out, the patch, the
 * container removed; then ar_task_runner_end_task (self->end_state). */
void ar_task_runner_collect (ArTaskRunner *self);
void ar_task_runner_stop_container (ArTaskRunner *self);

G_END_DECLS
