/* ar-task-follow.h — taking up again a task whose container an earlier run
 * of the program left running
 *
 * Owns: following such a container apart from the queue: its output from
 * where the task's log stopped (`docker logs -f`, less the lines the log
 * already has), its end (`docker wait`: exit status, duration, the last
 * line and the record), stopping it (`docker stop`, then `docker kill`);
 * and, for an interactive task, its terminal again through `attach`.
 * The task manager decides which tasks these are (ar-task-manager.c).
 * May use: model (task log, environment), engine, the task, the scratch
 * folder, interactive tasks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-engine.h"
#include "ar-environment.h"
#include "ar-interactive.h"
#include "ar-task.h"
#include "ar-task-log.h"

G_BEGIN_DECLS

typedef struct _ArTaskFollow ArTaskFollow;

/* Called once, when the followed container has ended and the task has its
 * final state (saved, the log closed); not after ar_task_follow_free(). */
typedef void (*ArTaskFollowEnded) (ArTask *task, gpointer user_data);

/* Follows the container of @task (state running from now on). @env, when
 * known, names the values its log must never show. */
ArTaskFollow *ar_task_follow_new (ArEngine *engine,
                                  ArTask *task,
                                  ArEnvironment *env,
                                  ArTaskFollowEnded ended,
                                  gpointer user_data);
ArTaskLog *ar_task_follow_get_log (ArTaskFollow *follow);
/* `docker stop -t 10`, then `docker kill`; the task ends cancelled unless
 * it exits 0. Once: later calls do nothing. */
void ar_task_follow_stop (ArTaskFollow *follow);
/* Stops following (the engine commands are cancelled), without ending the
 * task. */
void ar_task_follow_free (ArTaskFollow *follow);

/* The terminal of the interactive @task again, attached to its running
 * container (state running, saved), for the caller to run; NULL, said in
 * the task's log, when there is none to be had: then follow it as a batch
 * task. */
ArInteractive *ar_task_follow_attach (ArEngine *engine,
                                      ArTask *task,
                                      ArEnvironment *env);

/* A task an earlier process left unfinished, whose container is gone: it
 * ends now, cancelled when it was still queued, failed otherwise (its exit
 * status unknown), with the reason in its log and record. */
void ar_task_follow_end_left_behind (ArTask *task);

G_END_DECLS
