/* ar-task-delivery.h — a task's files on an engine that does not see this
 * computer's folders (design.md §4.2, "Copied, not mounted")
 *
 * Owns: the copies that stand in for bind mounts when
 * ar_engine_shares_host_folders() says no: the scratch folder, the agent's
 * configuration folder and the workspace copied into a created container
 * (`docker cp` / `podman cp`, argv arrays, before `start`), the workspace
 * copied back out at the end into a review folder beside it
 * (<workspace>.agents-runner/<task id>/workspace), never over the user's
 * files, and for a git workspace a patch of the agent's changes
 * (changes.patch there) that `git apply` takes in the workspace. The git
 * snapshots write their objects into a folder of the task's own, never into
 * the user's repository.
 * May use: model (task log), engine (the CLI).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-engine.h"
#include "ar-task-log.h"

G_BEGIN_DECLS

#define AR_DELIVERY_REVIEW_SUFFIX ".agents-runner"
#define AR_DELIVERY_RESULT_DIR "workspace"
#define AR_DELIVERY_PATCH_FILE "changes.patch"
/* In a snapshot's objects folder: the snapshot's tree id. */
#define AR_DELIVERY_BASE_TREE_FILE "base-tree"

/* <workspace>.agents-runner/<task id>: beside the workspace, one folder a
 * task. */
char *ar_task_delivery_review_dir (const char *workspace, const char *task_id);

/* One engine CLI command of a delivery (the argv without the program). */
typedef struct {
  char **args;
  char *what; /* for the log and a message: "the workspace /home/me/proj" */
  char *dest; /* where it goes, for the same */
  /* Into a container: its name and the path made there; a missing parent
   * of that path is made first (folders of root, 0755), then the copy is
   * tried once more. NULL for a copy out. */
  char *container;
  char *container_path;
} ArDeliveryStep;

void ar_delivery_step_free (ArDeliveryStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArDeliveryStep, ar_delivery_step_free)

/* The copies into the created container @container, in order: the scratch
 * folder's content to @entry_dir (readable by any user: its files are
 * 0644), the config folder @config_dir (NULL: none) to @container_config,
 * the workspace @workspace (NULL: none) to @workdir. docker keeps the
 * owner of the files on this computer (`cp -a`), as a bind mount shows
 * them; podman gives them the container's user. ArDeliveryStep array. */
GPtrArray *ar_task_delivery_copy_in_steps (ArEngineKind kind,
                                           const char *container,
                                           const char *scratch,
                                           const char *entry_dir,
                                           const char *config_dir,
                                           const char *container_config,
                                           const char *workspace,
                                           const char *workdir);
/* The copy of @workdir in @container out to @result (which must not exist
 * yet; its parent must). */
ArDeliveryStep *ar_task_delivery_copy_out_step (const char *container,
                                                const char *workdir,
                                                const char *result);

/* Runs @steps (ArDeliveryStep) one after the other, each said in @log
 * (scope @scope) with its time; stops at the first that fails, with a
 * message naming what and where and the engine's own words. A copy into a
 * container whose destination's parent is missing there (podman does not
 * make the working folder at create; a config folder outside it) makes
 * the missing folders, each by a copy of an empty folder, and tries again. */
void ar_task_delivery_run_async (ArEngine *engine,
                                 GPtrArray *steps,
                                 ArTaskLog *log,
                                 const char *scope,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean ar_task_delivery_run_finish (GAsyncResult *result, GError **error);
/* The same, the steps side by side (over ssh:// each command opens its own
 * connection) when no step's container path holds another's; else one
 * after the other. Finish with ar_task_delivery_run_finish(): the first
 * failure, once all have ended. */
void ar_task_delivery_run_parallel_async (ArEngine *engine,
                                          GPtrArray *steps,
                                          ArTaskLog *log,
                                          const char *scope,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);

/* Whether @workspace is the top of a git repository (a .git folder in it). */
gboolean ar_task_delivery_is_git (const char *workspace);

/* The tree of @repo's files as they are (tracked and untracked, ignored
 * ones left out), its objects written into @objects_dir (made when
 * missing), never into the repository. Its id, or NULL with @error. In a
 * thread: blocking git commands. */
void ar_task_delivery_git_snapshot_async (const char *repo,
                                          const char *objects_dir,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
char *ar_task_delivery_git_snapshot_finish (GAsyncResult *result, GError **error);

/* `git diff --binary` from @base_tree (a snapshot of @workspace) to the
 * files of @result (the copy that came out, with its .git), written to
 * @patch_path; the objects go into @objects_dir. TRUE with *@empty when
 * nothing changed (an empty file is still written). */
void ar_task_delivery_git_patch_async (const char *workspace,
                                       const char *result_dir,
                                       const char *objects_dir,
                                       const char *base_tree,
                                       const char *patch_path,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean ar_task_delivery_git_patch_finish (GAsyncResult *result, gboolean *empty, GError **error);

/* The tree id a snapshot kept in @objects_dir, or NULL. */
char *ar_task_delivery_read_base_tree (const char *objects_dir);

/* A copy-mode task's end, for a process that did not start it (a follow
 * after a restart, design.md §4.2): when @started and @workspace is set,
 * @workdir of @container copied out into the review folder of @task_id
 * beside @workspace (never over a folder there) and, when @objects_dir
 * holds the snapshot taken at copy-in, changes.patch from it; then the
 * container removed and @objects_dir too. Each step is said in @log; a
 * step that fails is said and the next ones still run, so it always
 * returns TRUE. */
void ar_task_delivery_collect_async (ArEngine *engine,
                                     const char *container,
                                     const char *workdir,
                                     const char *workspace,
                                     const char *task_id,
                                     const char *objects_dir,
                                     gboolean started,
                                     ArTaskLog *log,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean ar_task_delivery_collect_finish (GAsyncResult *result, GError **error);

G_END_DECLS
