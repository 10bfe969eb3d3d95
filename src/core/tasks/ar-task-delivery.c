/* ar-task-delivery.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ar-task-delivery.h"
#include "ar-util.h"

#define COPY_TIMEOUT 3600 /* seconds: a large workspace over a slow link */

char *
ar_task_delivery_review_dir (const char *workspace, const char *task_id)
{
  g_autofree char *clean = g_strdup (workspace);
  gsize len = strlen (clean);

  /* "/home/me/proj/" and "/home/me/proj" have the same review folder. */
  while (len > 1 && clean[len - 1] == '/')
    clean[--len] = '\0';
  return g_strdup_printf ("%s" AR_DELIVERY_REVIEW_SUFFIX "/%s", clean, task_id);
}

void
ar_delivery_step_free (ArDeliveryStep *step)
{
  if (step == NULL)
    return;
  g_strfreev (step->args);
  g_free (step->what);
  g_free (step->dest);
  g_free (step->container);
  g_free (step->container_path);
  g_free (step);
}

static ArDeliveryStep *
step_new (const char *what, const char *dest, const char *first, ...)
{
  ArDeliveryStep *step = g_new0 (ArDeliveryStep, 1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_strv_builder_add (builder, arg);
  va_end (ap);
  step->args = g_strv_builder_end (builder);
  step->what = g_strdup (what);
  step->dest = g_strdup (dest);
  return step;
}

/* "DIR/." : the folder's content into the destination, which is made. */
static char *
content_of (const char *dir)
{
  return g_build_filename (dir, ".", NULL);
}

/* The last step goes into @container at @path. */
static void
into (GPtrArray *steps, const char *container, const char *path)
{
  ArDeliveryStep *step = steps->pdata[steps->len - 1];

  step->container = g_strdup (container);
  step->container_path = g_strdup (path);
}

GPtrArray *
ar_task_delivery_copy_in_steps (ArEngineKind kind,
                                const char *container,
                                const char *scratch,
                                const char *entry_dir,
                                const char *config_dir,
                                const char *container_config,
                                const char *workspace,
                                const char *workdir)
{
  GPtrArray *steps = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_delivery_step_free);
  /* docker: -a keeps the owner the files have here, as a bind mount shows
   * them (without it they would be root's); podman's cp gives them the
   * container's user by default. */
  const char *keep_owner = kind == AR_ENGINE_KIND_PODMAN ? NULL : "-a";
  g_autofree char *scratch_src = content_of (scratch);
  g_autofree char *scratch_dest = g_strdup_printf ("%s:%s", container, entry_dir);
  g_autofree char *what_scripts = g_strdup_printf (_ ("the task's scripts %s"), scratch);

  /* Root's, 0644 in a 0755 folder: any user of the container reads them. */
  g_ptr_array_add (steps, step_new (what_scripts, entry_dir, "cp", scratch_src, scratch_dest, NULL));
  into (steps, container, entry_dir);
  if (config_dir != NULL && container_config != NULL)
    {
      g_autofree char *src = content_of (config_dir);
      g_autofree char *dest = g_strdup_printf ("%s:%s", container, container_config);
      g_autofree char *what = g_strdup_printf (_ ("the agent's configuration folder %s"), config_dir);

      g_ptr_array_add (steps, keep_owner != NULL ? step_new (what, container_config, "cp", keep_owner, src, dest, NULL)
                                                 : step_new (what, container_config, "cp", src, dest, NULL));
      into (steps, container, container_config);
    }
  if (workspace != NULL)
    {
      g_autofree char *src = content_of (workspace);
      g_autofree char *dest = g_strdup_printf ("%s:%s", container, workdir);
      g_autofree char *what = g_strdup_printf (_ ("the workspace %s"), workspace);

      g_ptr_array_add (steps, keep_owner != NULL ? step_new (what, workdir, "cp", keep_owner, src, dest, NULL)
                                                 : step_new (what, workdir, "cp", src, dest, NULL));
      into (steps, container, workdir);
    }
  return steps;
}

ArDeliveryStep *
ar_task_delivery_copy_out_step (const char *container, const char *workdir, const char *result)
{
  g_autofree char *src = g_strdup_printf ("%s:%s/.", container, workdir);
  g_autofree char *what = g_strdup_printf (_ ("the workspace %s of the container"), workdir);

  /* Without -a: the files are this user's, whoever owned them inside. */
  return step_new (what, result, "cp", src, result, NULL);
}

/* ---- running the steps ---------------------------------------------------- */

typedef struct {
  ArEngine *engine;
  GPtrArray *steps;
  ArTaskLog *log;
  char *scope;
  guint next;
  gint64 started;
  gboolean retried;  /* the current step, after making its parents */
  GPtrArray *mkdirs; /* container folders to make, the last first */
  char *stage;       /* empty folders to copy, made on first need */
} Run;

static void
run_free (Run *run)
{
  g_object_unref (run->engine);
  g_ptr_array_unref (run->steps);
  g_clear_object (&run->log);
  g_free (run->scope);
  g_ptr_array_unref (run->mkdirs);
  if (run->stage != NULL)
    ar_remove_tree (run->stage);
  g_free (run->stage);
  g_free (run);
}

static void run_next (GTask *task);

/* What docker and podman say when a container path is not there. */
static gboolean
says_not_found (const char *text)
{
  return text != NULL && (strstr (text, "Could not find the file") != NULL || strstr (text, "could not be found") != NULL ||
                          strstr (text, "no such file or directory") != NULL);
}

static char *
parent_of (const char *path)
{
  return g_path_get_dirname (path);
}

static void
mkdir_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  const char *dir = run->mkdirs->pdata[run->mkdirs->len - 1];
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  g_autofree char *parent = parent_of (dir);
  int status = ar_engine_run_cli_finish (run->engine, result, &tail, &error);

  if (status == 0)
    {
      g_debug ("copy: made %s in the container", dir);
      g_ptr_array_remove_index (run->mkdirs, run->mkdirs->len - 1);
    }
  else if (says_not_found (tail) && !g_str_equal (parent, "/") && run->mkdirs->len < 64)
    g_ptr_array_add (run->mkdirs, g_steal_pointer (&parent));
  else
    {
      ArDeliveryStep *step = run->steps->pdata[run->next];

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Could not copy %s to %s: could not make %s there: %s"),
                               step->what, step->dest, dir,
                               error != NULL ? error->message : (tail != NULL ? g_strstrip (tail) : ""));
      return;
    }
  run_next (g_steal_pointer (&task));
}

/* Makes the last of run->mkdirs: an empty folder of that name copied
 * into its parent. */
static void
make_dir (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  ArDeliveryStep *step = run->steps->pdata[run->next];
  const char *dir = run->mkdirs->pdata[run->mkdirs->len - 1];
  g_autofree char *name = g_path_get_basename (dir);
  g_autofree char *parent = parent_of (dir);
  g_autofree char *holder = NULL;
  g_autofree char *src = NULL;
  g_autofree char *dest = NULL;
  g_autoptr(GError) error = NULL;

  if (run->stage == NULL && (run->stage = g_dir_make_tmp ("agents-runner-dirs-XXXXXX", &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* One holder a level, so that the name is the folder's own. */
  holder = g_strdup_printf ("%s/%u", run->stage, run->mkdirs->len);
  src = g_build_filename (holder, name, NULL);
  if (g_mkdir_with_parents (src, 0755) != 0 || g_chmod (src, 0755) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Could not make %s."), src);
      g_object_unref (task);
      return;
    }
  dest = g_strdup_printf ("%s:%s", step->container, parent);
  {
    const char *const args[] = { "cp", src, dest, NULL };

    ar_engine_run_cli_async (run->engine, args, NULL, NULL, NULL, COPY_TIMEOUT, g_task_get_cancellable (task),
                             mkdir_done, task);
  }
}

static void
step_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  ArDeliveryStep *step = run->steps->pdata[run->next];
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status = ar_engine_run_cli_finish (run->engine, result, &tail, &error);

  if (status != 0 && !run->retried && step->container_path != NULL && says_not_found (tail))
    {
      g_autofree char *parent = parent_of (step->container_path);

      g_debug ("copy: %s is not in the container: made first", parent);
      run->retried = TRUE;
      g_ptr_array_add (run->mkdirs, g_steal_pointer (&parent));
      run_next (g_steal_pointer (&task));
      return;
    }
  if (status != 0)
    {
      g_autoptr(GError) cli_error = error != NULL ? g_steal_pointer (&error)
                                                   : ar_engine_cli_error_new (run->engine, (const char *const *) step->args,
                                                                              status, tail);

      g_task_return_new_error (task, cli_error->domain, cli_error->code,
                               _ ("Could not copy %s to %s: %s"), step->what, step->dest, cli_error->message);
      return;
    }
  if (run->log != NULL)
    ar_task_log_message (run->log, run->scope, AR_LOG_INFO, _ ("copied %s to %s in %.1f s"), step->what, step->dest,
                         (double) (g_get_monotonic_time () - run->started) / G_USEC_PER_SEC);
  run->next++;
  run->retried = FALSE;
  run_next (g_steal_pointer (&task));
}

static void
run_next (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  ArDeliveryStep *step;

  if (run->next >= run->steps->len)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (run->mkdirs->len > 0)
    {
      make_dir (task);
      return;
    }
  step = run->steps->pdata[run->next];
  run->started = g_get_monotonic_time ();
  g_debug ("copy: %s → %s", step->what, step->dest);
  ar_engine_run_cli_async (run->engine, (const char *const *) step->args, NULL, NULL, NULL, COPY_TIMEOUT,
                           g_task_get_cancellable (task), step_done, task);
}

void
ar_task_delivery_run_async (ArEngine *engine,
                            GPtrArray *steps,
                            ArTaskLog *log,
                            const char *scope,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Run *run = g_new0 (Run, 1);

  g_task_set_source_tag (task, ar_task_delivery_run_async);
  run->engine = g_object_ref (engine);
  run->steps = g_ptr_array_ref (steps);
  run->log = log != NULL ? g_object_ref (log) : NULL;
  run->scope = g_strdup (scope);
  run->mkdirs = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  run_next (task);
}

gboolean
ar_task_delivery_run_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  GPtrArray *steps; /* held: the runs borrow its steps */
  guint pending;
  GError *error; /* the first */
} Parallel;

static void
parallel_free (Parallel *p)
{
  g_ptr_array_unref (p->steps);
  g_clear_error (&p->error);
  g_free (p);
}

static void
parallel_step_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Parallel *p = g_task_get_task_data (task);
  GError *error = NULL;

  if (!ar_task_delivery_run_finish (result, &error))
    {
      if (p->error == NULL)
        p->error = error;
      else
        g_error_free (error);
    }
  if (--p->pending > 0)
    return;
  if (p->error != NULL)
    g_task_return_error (task, g_steal_pointer (&p->error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Whether one step's container path is, or is inside, another's. */
static gboolean
paths_nest (GPtrArray *steps)
{
  for (guint i = 0; i < steps->len; i++)
    for (guint j = 0; j < steps->len; j++)
      {
        const char *a = ((ArDeliveryStep *) steps->pdata[i])->container_path;
        const char *b = ((ArDeliveryStep *) steps->pdata[j])->container_path;
        gsize len;

        if (i == j)
          continue;
        if (a == NULL || b == NULL)
          return TRUE;
        len = strlen (a);
        if (strncmp (a, b, len) == 0 && (b[len] == '\0' || b[len] == '/' || g_str_equal (a, "/")))
          return TRUE;
      }
  return FALSE;
}

void
ar_task_delivery_run_parallel_async (ArEngine *engine,
                                     GPtrArray *steps,
                                     ArTaskLog *log,
                                     const char *scope,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  Parallel *p;

  if (steps->len < 2 || paths_nest (steps))
    {
      ar_task_delivery_run_async (engine, steps, log, scope, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_task_delivery_run_parallel_async);
  p = g_new0 (Parallel, 1);
  p->steps = g_ptr_array_ref (steps);
  p->pending = steps->len;
  g_task_set_task_data (task, p, (GDestroyNotify) parallel_free);
  for (guint i = 0; i < steps->len; i++)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_ptr_array_add (one, steps->pdata[i]);
      ar_task_delivery_run_async (engine, one, log, scope, cancellable, parallel_step_done, g_object_ref (task));
    }
}

/* ---- git ------------------------------------------------------------------ */

gboolean
ar_task_delivery_is_git (const char *workspace)
{
  g_autofree char *dot_git = g_build_filename (workspace, ".git", NULL);

  return g_file_test (dot_git, G_FILE_TEST_IS_DIR);
}

/* Runs git with @args in @repo (its .git as GIT_DIR: never a repository
 * above it), the index in @index, new objects into @objects_dir, the
 * repositories' own objects read through @alternates. Its stdout. */
static char *
run_git (const char *repo,
         const char *index,
         const char *objects_dir,
         const char *alternates,
         const char *const *args,
         GError **error)
{
  g_autofree char *git_dir = g_build_filename (repo, ".git", NULL);
  g_autoptr(GStrvBuilder) argv_builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  g_strv_builder_add_many (argv_builder, "git", "-c", "safe.directory=*", "-c", "core.fsmonitor=false",
                           "-c", "core.quotePath=false", NULL);
  for (guint i = 0; args[i] != NULL; i++)
    g_strv_builder_add (argv_builder, args[i]);
  argv = g_strv_builder_end (argv_builder);
  envp = g_environ_setenv (envp, "GIT_DIR", git_dir, TRUE);
  envp = g_environ_setenv (envp, "GIT_WORK_TREE", repo, TRUE);
  envp = g_environ_setenv (envp, "GIT_INDEX_FILE", index, TRUE);
  envp = g_environ_setenv (envp, "GIT_OBJECT_DIRECTORY", objects_dir, TRUE);
  envp = g_environ_setenv (envp, "GIT_ALTERNATE_OBJECT_DIRECTORIES", alternates, TRUE);
  envp = g_environ_setenv (envp, "GIT_OPTIONAL_LOCKS", "0", TRUE);
  envp = g_environ_unsetenv (envp, "GIT_EXTERNAL_DIFF");

  if (!g_spawn_sync (repo, argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status, error))
    return NULL;
  if (!g_spawn_check_wait_status (wait_status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("git %s in %s failed: %s"), args[0], repo,
                   err != NULL ? g_strstrip (err) : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* The tree of @repo's files: `git add -A` into a fresh index of ours. */
static char *
snapshot_tree (const char *repo, const char *objects_dir, const char *alternates, GError **error)
{
  g_autofree char *index = g_strdup_printf ("%s/index-%" G_GINT64_FORMAT, objects_dir, g_get_monotonic_time ());
  const char *const add[] = { "add", "-A", "--", ".", NULL };
  const char *const write[] = { "write-tree", NULL };
  g_autofree char *added = NULL;
  char *tree;

  if (g_mkdir_with_parents (objects_dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("Could not make %s."), objects_dir);
      return NULL;
    }
  /* From the repository's own index: files whose stat matches are not
   * read again, and their objects are the repository's already. */
  {
    g_autofree char *own_index = g_build_filename (repo, ".git", "index", NULL);
    g_autoptr(GFile) from = g_file_new_for_path (own_index);
    g_autoptr(GFile) to = g_file_new_for_path (index);

    if (g_file_test (own_index, G_FILE_TEST_IS_REGULAR))
      g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL);
  }
  added = run_git (repo, index, objects_dir, alternates, add, error);
  tree = added != NULL ? run_git (repo, index, objects_dir, alternates, write, error) : NULL;
  g_unlink (index);
  return tree != NULL ? g_strstrip (tree) : NULL;
}

typedef struct {
  char *workspace;
  char *result;
  char *objects_dir;
  char *base_tree;
  char *patch_path;
  gboolean empty;
} Git;

static void
git_free (Git *git)
{
  g_free (git->workspace);
  g_free (git->result);
  g_free (git->objects_dir);
  g_free (git->base_tree);
  g_free (git->patch_path);
  g_free (git);
}

static void
snapshot_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Git *git = task_data;
  g_autofree char *alternates = g_build_filename (git->workspace, ".git", "objects", NULL);
  GError *error = NULL;
  char *tree = snapshot_tree (git->workspace, git->objects_dir, alternates, &error);
  g_autofree char *kept = NULL;

  if (tree == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Beside its objects: a process following the task after a restart
   * makes the patch from it (ar-task-follow.c). */
  kept = g_build_filename (git->objects_dir, AR_DELIVERY_BASE_TREE_FILE, NULL);
  if (!g_file_set_contents (kept, tree, -1, &error))
    {
      g_debug ("copy: could not keep the snapshot's id in %s: %s", kept, error->message);
      g_clear_error (&error);
    }
  g_task_return_pointer (task, tree, g_free);
}

void
ar_task_delivery_git_snapshot_async (const char *repo,
                                     const char *objects_dir,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Git *git = g_new0 (Git, 1);

  git->workspace = g_strdup (repo);
  git->objects_dir = g_strdup (objects_dir);
  g_task_set_task_data (task, git, (GDestroyNotify) git_free);
  g_task_run_in_thread (task, snapshot_thread);
}

char *
ar_task_delivery_git_snapshot_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
patch_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Git *git = task_data;
  g_autofree char *result_objects = g_build_filename (git->result, ".git", "objects", NULL);
  g_autofree char *workspace_objects = g_build_filename (git->workspace, ".git", "objects", NULL);
  g_autofree char *alternates = g_strconcat (result_objects, ":", workspace_objects, NULL);
  g_autofree char *tree = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *no_index = g_build_filename (git->objects_dir, "index-diff", NULL);
  GError *error = NULL;

  if (!ar_task_delivery_is_git (git->result))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _ ("The result has no .git folder any more: no patch."));
      return;
    }
  if ((tree = snapshot_tree (git->result, git->objects_dir, alternates, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  {
    const char *const args[] = { "diff", "--binary", "--no-color", "--no-ext-diff", "--no-textconv",
                                 git->base_tree, tree, NULL };

    if ((diff = run_git (git->result, no_index, git->objects_dir, alternates, args, &error)) == NULL)
      {
        g_task_return_error (task, error);
        return;
      }
  }
  if (!g_file_set_contents_full (git->patch_path, diff, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  git->empty = *diff == '\0';
  g_task_return_boolean (task, TRUE);
}

void
ar_task_delivery_git_patch_async (const char *workspace,
                                  const char *result_dir,
                                  const char *objects_dir,
                                  const char *base_tree,
                                  const char *patch_path,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Git *git = g_new0 (Git, 1);

  git->workspace = g_strdup (workspace);
  git->result = g_strdup (result_dir);
  git->objects_dir = g_strdup (objects_dir);
  git->base_tree = g_strdup (base_tree);
  git->patch_path = g_strdup (patch_path);
  g_task_set_task_data (task, git, (GDestroyNotify) git_free);
  g_task_run_in_thread (task, patch_thread);
}

gboolean
ar_task_delivery_git_patch_finish (GAsyncResult *result, gboolean *empty, GError **error)
{
  Git *git = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (empty != NULL)
    *empty = git->empty;
  return TRUE;
}

char *
ar_task_delivery_read_base_tree (const char *objects_dir)
{
  g_autofree char *path = g_build_filename (objects_dir, AR_DELIVERY_BASE_TREE_FILE, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strstrip (text);
  if (strlen (text) < 40 || strspn (text, "0123456789abcdef") != strlen (text))
    return NULL;
  return g_steal_pointer (&text);
}

/* ---- the end: copy out, patch, remove -------------------------------------- */

typedef struct {
  ArEngine *engine;
  ArTaskLog *log;
  char *container;
  char *workdir;
  char *workspace;
  char *review_dir;
  char *objects_dir;
  char *base_tree;
  guint pending; /* the patch and the removal, side by side */
} Collect;

static void
collect_free (Collect *c)
{
  g_object_unref (c->engine);
  g_clear_object (&c->log);
  g_free (c->container);
  g_free (c->workdir);
  g_free (c->workspace);
  g_free (c->review_dir);
  g_free (c->objects_dir);
  g_free (c->base_tree);
  g_free (c);
}

static void
collect_log (Collect *c, ArLogLevel level, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
collect_log (Collect *c, ArLogLevel level, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list ap;

  if (c->log == NULL)
    return;
  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  ar_task_log_message (c->log, "task/result", level, "%s", text);
}

static void
collect_one_done (GTask *task)
{
  Collect *c = g_task_get_task_data (task);

  if (--c->pending > 0)
    {
      g_object_unref (task);
      return;
    }
  if (c->objects_dir != NULL)
    ar_remove_tree (c->objects_dir);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
collect_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Collect *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;

  if (ar_engine_run_cli_finish (c->engine, result, &tail, &error) != 0)
    collect_log (c, AR_LOG_WARN, _ ("Could not remove the container %s: %s"), c->container,
                 error != NULL ? error->message : (tail != NULL ? g_strstrip (tail) : ""));
  collect_one_done (task);
}

static void
collect_remove (GTask *task)
{
  Collect *c = g_task_get_task_data (task);
  const char *const args[] = { "rm", "-f", c->container, NULL };

  ar_engine_run_cli_async (c->engine, args, NULL, NULL, NULL, 30, NULL, collect_removed, task);
}

static void
collect_patched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Collect *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *patch = g_build_filename (c->review_dir, AR_DELIVERY_PATCH_FILE, NULL);
  gboolean empty = FALSE;

  if (!ar_task_delivery_git_patch_finish (result, &empty, &error))
    collect_log (c, AR_LOG_WARN, _ ("No patch of the agent's changes: %s"), error->message);
  else if (empty)
    collect_log (c, AR_LOG_INFO, _ ("The agent changed no file of the workspace (%s is empty)."), patch);
  else
    collect_log (c, AR_LOG_INFO,
                 _ ("The agent's changes as a patch: %s. Apply them to your workspace with: git -C %s apply %s"),
                 patch, c->workspace, patch);
  collect_one_done (task);
}

static void
collect_copied_out (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Collect *c = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *result_dir = g_build_filename (c->review_dir, AR_DELIVERY_RESULT_DIR, NULL);

  if (!ar_task_delivery_run_finish (result, &error))
    {
      collect_log (c, AR_LOG_WARN, "%s", error->message);
      collect_remove (task);
      return;
    }
  collect_log (c, AR_LOG_INFO, _ ("The agent's result is in %s; your workspace %s was not changed."), result_dir,
               c->workspace);
  if (c->base_tree != NULL)
    {
      g_autofree char *patch = g_build_filename (c->review_dir, AR_DELIVERY_PATCH_FILE, NULL);

      c->pending = 2;
      ar_task_delivery_git_patch_async (c->workspace, result_dir, c->objects_dir, c->base_tree, patch, NULL,
                                        collect_patched, g_object_ref (task));
    }
  collect_remove (task);
}

void
ar_task_delivery_collect_async (ArEngine *engine,
                                const char *container,
                                const char *workdir,
                                const char *workspace,
                                const char *task_id,
                                const char *objects_dir,
                                gboolean started,
                                ArTaskLog *log,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  Collect *c = g_new0 (Collect, 1);
  g_autofree char *result_dir = NULL;
  g_autoptr(GPtrArray) steps = NULL;

  g_task_set_source_tag (task, ar_task_delivery_collect_async);
  c->engine = g_object_ref (engine);
  c->log = log != NULL ? g_object_ref (log) : NULL;
  c->container = g_strdup (container);
  c->workdir = g_strdup (workdir);
  c->workspace = g_strdup (workspace);
  c->objects_dir = g_strdup (objects_dir);
  c->pending = 1;
  g_task_set_task_data (task, c, (GDestroyNotify) collect_free);
  if (objects_dir != NULL && workspace != NULL)
    c->base_tree = ar_task_delivery_read_base_tree (objects_dir);

  if (!started || workspace == NULL || *workspace == '\0')
    {
      collect_remove (task);
      return;
    }
  c->review_dir = ar_task_delivery_review_dir (workspace, task_id);
  result_dir = g_build_filename (c->review_dir, AR_DELIVERY_RESULT_DIR, NULL);
  if (g_mkdir_with_parents (c->review_dir, 0755) != 0 || g_file_test (result_dir, G_FILE_TEST_EXISTS))
    {
      collect_log (c, AR_LOG_WARN,
                   _ ("Could not make the review folder %s (or it is there already): the agent's result is not "
                      "copied out."),
                   c->review_dir);
      collect_remove (task);
      return;
    }
  steps = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_delivery_step_free);
  g_ptr_array_add (steps, ar_task_delivery_copy_out_step (container, workdir, result_dir));
  ar_task_delivery_run_async (engine, steps, log, "task/result", NULL, collect_copied_out, task);
}

gboolean
ar_task_delivery_collect_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
