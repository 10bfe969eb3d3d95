/* ar-task-scratch.h — a task's scratch folder: the entry script and the
 * scripts it runs
 *
 * Owns: run/<task id>/ (0755 in the private 0700 run folder), mounted
 * read-only at AR_ENTRY_CONTAINER_DIR: the Settings preflight, the cached
 * preflight when it runs at start, the run (or single) preflight, the
 * desktop's install and start scripts, and entry.sh for those steps; and
 * removing it, with the task's env file run/<task id>.env, at the end.
 * May use: model (environment, settings, paths, task log), images (what the
 * builder decided), the entry script.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-environment.h"
#include "ar-image-builder.h"
#include "ar-settings.h"
#include "ar-task-log.h"

G_BEGIN_DECLS

/* run/<task id>: where the scratch folder of that task goes. */
char *ar_task_scratch_dir (const char *task_id);
/* run/<task id>.env: where its env file goes when it needs one. */
char *ar_task_scratch_env_file (const char *task_id);

/* Writes the scratch folder of task @task_id (ar_task_scratch_dir()) for a
 * run of @env on the image @resolution says, with the Settings @settings:
 * what is written is said in @log. @enter_workdir: the entry script makes
 * and enters the working folder (podman without a workspace mounted
 * there). *desktop: whether the desktop starts (its scripts could be read).
 * On FALSE the folder may exist in part: ar_task_scratch_remove() it. */
gboolean ar_task_scratch_write (const char *task_id,
                                ArEnvironment *env,
                                const ArSettings *settings,
                                const ArImageResolution *resolution,
                                gboolean enter_workdir,
                                ArTaskLog *log,
                                gboolean *desktop,
                                GError **error);

/* Removes the scratch folder and the env file of task @task_id, whatever
 * is there of them. */
void ar_task_scratch_remove (const char *task_id);

/* A script of a scratch folder: @dir/@name with a last line end, 0644
 * whatever the umask (a container user with another uid reads it through
 * the read-only mount). Shared with the preflight build check. */
gboolean ar_task_scratch_write_script (const char *dir,
                                       const char *name,
                                       const char *text,
                                       GError **error);

G_END_DECLS
