/* ar-task-runner.h — runs one task through the steps of design.md §4.1
 *
 * Snapshot of the environment and the Settings → images (the builder, with
 * its cache decisions and fallbacks) → the scratch folder with the entry
 * script and the preflight scripts → `docker run` with the output streamed
 * into the task's log → exit status, duration, record; the scratch folder
 * is removed at the end whatever happened.
 *
 * Secrets: the values of the environment's env vars reach the container
 * only through the engine CLI's own process environment (`-e NAME`), never
 * its argv, and every value whose name looks secret is redacted in the log.
 *
 * The tasks/ folder (this is its main header). Owns running tasks: the
 * task, its runner (the `docker run` arguments apart in ar-run-args, the
 * scratch folder in ar-task-scratch, the container in
 * ar-task-runner-container, the clone of a workspace in ar-task-clone), the
 * queue (ar-task-manager) and reattaching to containers an earlier run left
 * (ar-task-follow), interactive tasks, the entry script, the agents and the
 * preflight build check. May use: images/,
 * engine/ and model/ (tasks → images → engine → model); never preflight/,
 * cli/ or ui/. Used by cli/ and ui/. Log domain: agents-runner-tasks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-environment.h"
#include "ar-image-builder.h"
#include "ar-settings.h"
#include "ar-task-log.h"
#include "ar-task.h"

G_BEGIN_DECLS

/* The agent of a preflight test (§4.3): what a task would do at start,
 * then this line instead of the agent. */
#define AR_PREFLIGHT_COMPLETE_LINE "preflight complete"
/* When set ("KEY=VALUE"), an extra label on every container (tests). */
#define AR_TEST_RUN_LABEL_ENV "AR_TEST_RUN_LABEL"

#define AR_TYPE_TASK_RUNNER (ar_task_runner_get_type ())
G_DECLARE_FINAL_TYPE (ArTaskRunner, ar_task_runner, AR, TASK_RUNNER, GObject)

/* Takes snapshots of environment and settings: later edits do not change
 * the task. The task's kind decides whether this is a preflight test. The
 * log (task.log in the task's folder) is open from here on. */
ArTaskRunner *ar_task_runner_new (ArImageBuilder *builder,
                                  ArTask *task,
                                  ArEnvironment *environment,
                                  const ArSettings *settings);
/* A new task of kind preflight-test for the (possibly unsaved) draft. */
ArTaskRunner *ar_task_runner_new_preflight_test (ArImageBuilder *builder,
                                                 ArEnvironment *draft,
                                                 const ArSettings *settings);

ArTask *ar_task_runner_get_task (ArTaskRunner *self);
ArTaskLog *ar_task_runner_get_log (ArTaskRunner *self);
ArEnvironment *ar_task_runner_get_environment (ArTaskRunner *self);

/* An extra "KEY=VALUE" label on the container; defaults to
 * $AR_TEST_RUN_LABEL. NULL or "" for none. */
void ar_task_runner_set_extra_label (ArTaskRunner *self, const char *label);

/* Runs the task to its end. Cancelling `cancellable` is the same as
 * ar_task_runner_stop(). Finishes with the task's final state (done,
 * failed or cancelled); why is on the task and in its log. */
void ar_task_runner_run_async (ArTaskRunner *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
ArTaskState ar_task_runner_run_finish (ArTaskRunner *self,
                                       GAsyncResult *result);

/* Stops it: a build or clone is cancelled; a container gets
 * `docker stop -t 10`, then `docker kill` if it is still there. The task
 * ends `cancelled`. Does nothing once it has ended. */
void ar_task_runner_stop (ArTaskRunner *self);
gboolean ar_task_runner_get_stopping (ArTaskRunner *self);

/* Can a task of this environment start? The one answer for the New task
 * page, `run` and the runner itself: FALSE with the first reason, in words
 * a user acts on (the agent's command line, the workspace, each extra
 * mount: its form, a host folder that is not there, a container path
 * already taken). Looks at the disk, not at the engine. */
gboolean ar_task_runner_check_environment (ArEnvironment *env,
                                           ArTaskKind kind,
                                           const char *prompt,
                                           GError **error);

/* Whether the engine CLI reads a variable of this name itself (PATH, HOME,
 * DOCKER_*, *PROXY*, STORAGE_*, _CONTAINERS_*, SSH_*, …; see
 * ar_engine_env_name_steers_cli()): its value for the container then goes through a
 * private --env-file (0600, in the 0700 run folder) instead of the CLI's
 * environment, where it would change what the CLI does. */
gboolean ar_task_runner_env_name_is_reserved (const char *name);

/* Whether a line of task.log is a message the runner (or a follower) wrote
 * while the container ran — "[desktop/port]", "[task/stop]", "[task/record]",
 * "[task/follow]", "[task/end]" — rather than the container's output. */
gboolean ar_task_runner_is_own_line (const char *line);

/* `url` without its user:password@ (or token@): they go to *username and
 * *password, percent-decoded (NULL when absent). An ssh login name stays
 * in the URL. Anything that is not a scheme://authority URL comes back as
 * it is. */
char *ar_task_runner_strip_url_credentials (const char *url, char **username, char **password);
/* The git command that clones `target` into `workspace`, with no
 * credentials in it: those of the URL go to *env ("NAME=VALUE": the
 * AR_GIT_USERNAME and AR_GIT_PASSWORD that the askpass program at
 * `askpass` prints for git, GIT_ASKPASS, and GIT_TERMINAL_PROMPT=0 always).
 * *shown_url: the URL as it may be logged. */
char **ar_task_runner_clone_argv (const char *target,
                                  const char *workspace,
                                  const char *askpass,
                                  char ***env,
                                  char **shown_url);

/* Saves @task's record; a failure is a warning in @log. Shared with the
 * follower and the desktop (ar-task-desktop.h). */
void ar_task_runner_save_task (ArTask *task, ArTaskLog *log);

/* A piece of container output into `log` (open[2]: per stream, whether a
 * line came in part; FALSE at first). Shared with the follower. */
void ar_task_runner_log_output_piece (ArTaskLog *log,
                                      gboolean *open,
                                      ArEngineStream stream,
                                      const char *text,
                                      gsize len,
                                      ArEngineLineEnd end);

G_END_DECLS
