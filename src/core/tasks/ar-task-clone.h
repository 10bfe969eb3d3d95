/* ar-task-clone.h — cloning a task's workspace with git
 *
 * Owns: `git clone` of an environment's repository into the task's
 * workspace folder, with the credentials of the URL handed to git through
 * an askpass program (0700, in the private run folder, removed when the
 * clone ends) and git's environment, never its argv or the log; git's
 * output goes into the task's log as it comes. The URL helpers
 * (ar_task_runner_strip_url_credentials(), ar_task_runner_clone_argv())
 * are declared in ar-task-runner.h.
 * May use: model (paths, task log), engine (reading output in pieces).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-task-log.h"

G_BEGIN_DECLS

/* Whether @target is GitHub's owner/repo shorthand. */
gboolean ar_task_clone_is_github_shorthand (const char *target);

/* Clones @target (a URL, a path, or owner/repo on GitHub) into @workspace
 * for task @task_id, logging into @log. Cancelling @cancellable ends git;
 * the clone still finishes (with an error) once git has exited and its
 * output is read. Fails with the message a user reads: git's exit status
 * and the repository (its credentials left out), or why git could not
 * run. */
void ar_task_clone_async (const char *target,
                          const char *workspace,
                          const char *task_id,
                          ArTaskLog *log,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data);
gboolean ar_task_clone_finish (GAsyncResult *result,
                               GError **error);

/* Copy mode with git in the image (design.md §4.2): writes into the
 * scratch folder @scratch the clone step the entry script runs inside the
 * container (AR_ENTRY_CLONE_FILE, the URL of @target without its
 * credentials in AR_ENTRY_CLONE_URL_FILE, AR_ENTRY_ASKPASS_FILE), and
 * gives the credentials of the URL as "AR_GIT_USERNAME=…",
 * "AR_GIT_PASSWORD=…" in *vars (empty when it has none: the container's
 * variables, passed by name, the values in the CLI's environment). The URL
 * as it may be logged in *shown_url. */
gboolean ar_task_clone_write_container_step (const char *target,
                                             const char *scratch,
                                             GStrv *vars,
                                             char **shown_url,
                                             GError **error);

G_END_DECLS
