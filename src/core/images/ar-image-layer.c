/* ar-image-layer.c — one cached layer: decide, wait, lock, build, fall back
 * (design.md §3.3–§3.5); the build itself is in ar-image-layer-build.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-build-lock.h"
#include "ar-dockerfile.h"
#include "ar-image-layer-private.h"
#include "ar-util.h"

static void
layer_op_free (LayerOp *op)
{
  g_assert (op->wait_source == NULL && op->lock == NULL && op->context_dir == NULL);

  ar_resolve_ctx_unref (op->ctx);
  g_free (op->parent_ref);
  g_free (op->parent_id);
  g_free (op->build_user);
  g_clear_pointer (&op->files, g_array_unref);
  g_free (op->dockerfile_key);
  g_free (op->dockerfile_build);
  ar_layer_result_clear (&op->result);
  g_free (op->image_user);
  g_queue_clear_full (&op->tail, g_free);
  g_clear_pointer (&op->step_ids, g_ptr_array_unref);
  g_free (op->fail_reason);
  g_free (op);
}

static void layer_start (GTask *task);

/* ---- helpers ---------------------------------------------------------------- */

const char *
ar_layer_op_env_id (LayerOp *op)
{
  const char *id = ar_environment_get_env_id (op->ctx->env);

  return id[0] != '\0' ? id : NULL;
}

const char *
ar_layer_kind_display_name (ArLayerKind layer)
{
  return layer == AR_LAYER_DESKTOP ? _ ("desktop layer") : _ ("environment layer");
}

void
ar_layer_op_inputs (LayerOp *op, ArCacheKeyInputs *in)
{
  *in = (ArCacheKeyInputs){
    .layer = op->layer,
    .parent_id = op->parent_id,
    .platform = "",
    .dockerfile = op->dockerfile_key,
    .files = (const ArContextFile *) op->files->data,
    .n_files = op->files->len,
    .build_user = op->build_user,
  };
}

gboolean
ar_image_info_is_layer (const ArImageInfo *info, const char *key)
{
  return info != NULL && g_strcmp0 (ar_image_info_get_label (info, AR_LABEL_CACHE_KEY), key) == 0;
}

void
ar_layer_op_note_state_error (LayerOp *op, GError *error)
{
  if (error != NULL)
    ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN,
                        _ ("could not update the image records in the state folder: %s"), error->message);
}

/* ---- the end of an operation --------------------------------------------------- */

/* A build of this key in this process ended: the tasks that waited for it
 * decide again (and find the image, or the failure record). */
static void
unregister (ArImageBuilder *self, const char *key)
{
  g_autoptr(GPtrArray) waiters = NULL;
  gpointer stolen_key = NULL;
  gpointer stolen_value = NULL;

  if (!g_hash_table_steal_extended (self->building, key, &stolen_key, &stolen_value))
    return;
  waiters = stolen_value;
  if (waiters->len > 0)
    g_debug ("key %s: its build in this process ended; %u waiting task(s) decide again",
             (const char *) stolen_key, waiters->len);
  g_free (stolen_key);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);
      LayerOp *op = g_task_get_task_data (waiter);

      if (op->wait_source != NULL)
        {
          g_source_destroy (op->wait_source);
          g_clear_pointer (&op->wait_source, g_source_unref);
        }
      /* What it waited for was a fresh build of this very key. */
      op->force = FALSE;
      layer_start (waiter);
    }
}

void
ar_layer_op_return (GTask *task, GError *error)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);

  if (op->wait_source != NULL)
    {
      g_source_destroy (op->wait_source);
      g_clear_pointer (&op->wait_source, g_source_unref);
    }
  g_clear_pointer (&op->lock, ar_build_lock_release);
  if (op->context_dir != NULL)
    {
      ar_remove_tree (op->context_dir);
      g_clear_pointer (&op->context_dir, g_free);
    }
  if (op->registered)
    {
      op->registered = FALSE;
      unregister (self, op->result.key);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
layer_hit (GTask *task, const ArImageInfo *info, const char *note)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->result.state = AR_LAYER_STATE_HIT;
  op->result.image_id = g_strdup (info->id);
  op->image_user = g_strdup (info->user != NULL ? info->user : "");
  g_debug ("%s%s: cache HIT %s key %s%s%s%s", op->ctx->plan_only ? "plan: " : "", op->scope, op->result.tag,
           op->result.key, note != NULL ? " (" : "", note != NULL ? note : "", note != NULL ? ")" : "");
  if (!op->ctx->plan_only)
    {
      if (note != NULL)
        ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _ ("cache HIT %s key %s (%s)"),
                            op->result.tag, op->result.key, note);
      else
        ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _ ("cache HIT %s key %s"),
                            op->result.tag, op->result.key);
      if (!ar_image_stats_record_use (op->result.tag, &error))
        ar_layer_op_note_state_error (op, error);
    }
  ar_layer_op_return (task, NULL);
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_seconds);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

/* A build that ran as a user other than root and failed on a permission:
 * the log says why (design.md §3.3: the build user is the parent's), instead of
 * leaving the user to guess from "Permission denied". */
static void
explain_build_user (LayerOp *op, const char *const *lines)
{
  static const char *const denied[] = { "Permission denied", "Operation not permitted", "are you root",
                                        "must be run as root", "must be root", NULL };
  gboolean found = FALSE;

  if (op->build_user == NULL || op->build_user[0] == '\0' || g_str_equal (op->build_user, "root") ||
      g_str_equal (op->build_user, "0") || g_str_has_prefix (op->build_user, "0:") ||
      g_str_has_prefix (op->build_user, "root:"))
    return;
  for (guint i = 0; lines != NULL && lines[i] != NULL && !found; i++)
    for (guint k = 0; denied[k] != NULL && !found; k++)
      found = strstr (lines[i], denied[k]) != NULL;
  if (found)
    ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN,
                        _ ("the script ran as %s, the user of the image it builds on, not as root: "
                           "what changes the system (packages, /etc) needs sudo in the script, "
                           "or a base image whose user is root"),
                        op->build_user);
}

static void
layer_skip (GTask *task, const ArFailedBuild *record)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autofree char *when = format_time (record->time);

  op->result.state = AR_LAYER_STATE_SKIPPED_FAILED_BEFORE;
  op->result.exit_status = record->exit_status;
  op->result.miss_reason = g_strdup (_ ("the same inputs failed to build before"));
  op->result.failure = g_strdup_printf (_ ("the same inputs failed to build on %s (%s)"), when, record->reason);
  g_debug ("%s%s: cache MISS %s key %s: the same inputs failed to build before, on %s (%s); not built again; "
           "fallback: %s",
           op->ctx->plan_only ? "plan: " : "", op->scope, op->result.tag, op->result.key, when,
           record->reason, ar_layer_kind_fallback_text (op->layer));
  if (!op->ctx->plan_only)
    {
      ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN,
                          _ ("cache MISS %s key %s: the same inputs failed to build on %s (%s); "
                             "not building them again: %s. “Rebuild” (image build --force) tries again."),
                          op->result.tag, op->result.key, when, record->reason, ar_layer_kind_fallback_text (op->layer));
      for (guint i = 0; record->last_lines != NULL && record->last_lines[i] != NULL; i++)
        ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, "  | %s", record->last_lines[i]);
      explain_build_user (op, (const char *const *) record->last_lines);
    }
  ar_layer_op_return (task, NULL);
}

/* The build failed, timed out or the engine refused it. Only a build that
 * ran and failed is remembered: an engine that is down says nothing about
 * the inputs. */
void
ar_layer_op_failed (GTask *task, int exit_status, const char *reason, gboolean remember)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->result.state = AR_LAYER_STATE_FAILED;
  op->result.exit_status = exit_status;
  op->result.failure = g_strdup (reason);
  g_debug ("%s: %s key %s could not be built (%s); fallback: %s", op->scope,
           op->result.tag != NULL ? op->result.tag : "the layer", op->result.key != NULL ? op->result.key : "(none)",
           reason, ar_layer_kind_fallback_text (op->layer));

  if (op->ctx->plan_only)
    {
      ar_layer_op_return (task, NULL);
      return;
    }

  if (!ar_image_stats_record_failure (ar_layer_op_env_id (op), &error))
    ar_layer_op_note_state_error (op, error);
  g_clear_error (&error);
  if (remember)
    {
      g_autoptr(GPtrArray) lines = g_ptr_array_new ();
      ArFailedBuild record = { 0 };

      for (GList *l = op->tail.head; l != NULL; l = l->next)
        g_ptr_array_add (lines, l->data);
      g_ptr_array_add (lines, NULL);
      record.key = op->result.key;
      record.layer = (char *) ar_layer_kind_to_string (op->layer);
      record.env_id = (char *) ar_layer_op_env_id (op);
      record.tag = op->result.tag;
      record.exit_status = exit_status;
      record.reason = (char *) reason;
      record.last_lines = (char **) lines->pdata;
      if (!ar_failed_build_remember (&record, &error))
        ar_layer_op_note_state_error (op, error);
    }

  if (op->result.tag != NULL)
    ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, _ ("the %s %s could not be built (%s); %s"),
                        ar_layer_kind_display_name (op->layer), op->result.tag, reason, ar_layer_kind_fallback_text (op->layer));
  else
    ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, _ ("the %s could not be built (%s); %s"),
                        ar_layer_kind_display_name (op->layer), reason, ar_layer_kind_fallback_text (op->layer));
  if (op->tail.length > 0)
    {
      g_autoptr(GPtrArray) lines = g_ptr_array_new ();

      ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, _ ("last lines of the build:"));
      for (GList *l = op->tail.head; l != NULL; l = l->next)
        {
          ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, "  | %s", (const char *) l->data);
          g_ptr_array_add (lines, l->data);
        }
      g_ptr_array_add (lines, NULL);
      explain_build_user (op, (const char *const *) lines->pdata);
    }
  ar_layer_op_return (task, NULL);
}

/* ---- the decision ------------------------------------------------------------------ */

static void
rechecked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImageInfo) info = NULL;
  g_autoptr(ArFailedBuild) record = NULL;

  info = ar_engine_inspect_image_finish (AR_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ar_layer_op_return (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      ar_layer_op_failed (task, -1, error->message, FALSE);
      return;
    }
  if (ar_image_info_is_layer (info, op->result.key))
    {
      layer_hit (task, info, _ ("built by another process meanwhile"));
      return;
    }
  record = ar_failed_build_lookup (op->result.key);
  if (record != NULL && !op->force)
    {
      layer_skip (task, record);
      return;
    }
  ar_layer_op_build (task);
}

static void
layer_locked (GTask *task, ArBuildLock *lock, gboolean waited)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);

  op->lock = lock;
  g_debug ("%s: %s the build lock of key %s%s", op->scope, waited ? "got" : "took", op->result.key,
           waited ? " after waiting for another process" : "");
  /* Someone may have built it between our look and the lock: look again,
   * unless this is a rebuild nobody else was doing. */
  if (op->force && !waited)
    ar_layer_op_build (task);
  else
    {
      op->force = op->force && !waited;
      ar_engine_inspect_image_async (self->engine, op->result.tag, g_task_get_cancellable (task),
                                     rechecked, g_object_ref (task));
    }
}

static void
lock_acquired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ArBuildLock *lock;

  lock = ar_build_lock_acquire_finish (result, &error);
  if (lock == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ar_layer_op_return (task, g_steal_pointer (&error));
      else
        ar_layer_op_failed (task, -1, error->message, FALSE);
      return;
    }
  layer_locked (task, lock, TRUE);
}

static void
take_lock (GTask *task)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ArBuildLock *lock;

  lock = ar_build_lock_try (op->result.key, &error);
  if (error != NULL)
    {
      ar_layer_op_failed (task, -1, error->message, FALSE);
      return;
    }
  if (lock != NULL)
    {
      layer_locked (task, lock, FALSE);
      return;
    }
  g_debug ("%s: another process holds the build lock of key %s: waiting for it", op->scope, op->result.key);
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO,
                      _ ("waiting for another Agents Runner process that is building %s"), op->result.tag);
  ar_build_lock_acquire_async (op->result.key, g_task_get_cancellable (task), lock_acquired, g_object_ref (task));
}

static void
miss_explained (GTask *task, char *reason)
{
  LayerOp *op = g_task_get_task_data (task);

  op->result.miss_reason = reason;
  g_debug ("%s%s: cache MISS %s key %s: %s", op->ctx->plan_only ? "plan: " : "", op->scope, op->result.tag,
           op->result.key, reason);
  if (op->ctx->plan_only)
    {
      op->result.state = AR_LAYER_STATE_ABSENT;
      ar_layer_op_return (task, NULL);
      return;
    }
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _ ("cache MISS %s key %s: %s"),
                      op->result.tag, op->result.key, reason);
  take_lock (task);
}

static void
images_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  ArCacheKeyInputs in;

  images = ar_engine_list_images_finish (AR_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ar_layer_op_return (task, g_steal_pointer (&error));
      return;
    }
  if (images == NULL)
    {
      miss_explained (task, g_strdup_printf (_ ("could not compare with earlier images: %s"), error->message));
      return;
    }
  ar_layer_op_inputs (op, &in);
  miss_explained (task, ar_image_layer_explain_miss (&in, op->ctx->env, op->ctx->base_name, op->parent_is_base,
                                                     op->ctx->pulled, images));
}

static void
explain_miss (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  g_autofree char *filter = g_strconcat (AR_LABEL_LAYER "=", ar_layer_kind_to_string (op->layer), NULL);

  if (op->force && !op->ctx->plan_only)
    {
      miss_explained (task, g_strdup (_ ("rebuild requested")));
      return;
    }
  ar_engine_list_images_async (self->engine, filter, g_task_get_cancellable (task), images_listed,
                               g_object_ref (task));
}

static gboolean
wait_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  GPtrArray *waiters = g_hash_table_lookup (self->building, op->result.key);
  GError *error = NULL;

  g_clear_pointer (&op->wait_source, g_source_unref);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  /* The source's reference keeps the task alive until we return. */
  if (waiters != NULL)
    g_ptr_array_remove (waiters, task);
  ar_layer_op_return (task, error);
  return G_SOURCE_REMOVE;
}

static void
wait_in_process (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  GPtrArray *waiters = g_hash_table_lookup (self->building, op->result.key);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_ptr_array_add (waiters, g_object_ref (task));
  op->waited_in_process = TRUE;
  g_debug ("%s: another task of this process is building key %s: waiting for it", op->scope, op->result.key);
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _ ("waiting for another task that is building %s"),
                      op->result.tag);
  if (cancellable != NULL)
    {
      op->wait_source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, op->wait_source, G_SOURCE_FUNC (wait_cancelled));
    }
}

static void
inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImageInfo) info = NULL;
  g_autoptr(ArFailedBuild) record = NULL;
  gboolean present;

  info = ar_engine_inspect_image_finish (AR_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ar_layer_op_return (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      g_autofree char *reason = g_strdup_printf (_ ("could not look for %s: %s"), op->result.tag, error->message);

      ar_layer_op_failed (task, -1, reason, FALSE);
      return;
    }

  present = ar_image_info_is_layer (info, op->result.key);
  if (present && !op->force)
    {
      layer_hit (task, info, op->waited_in_process ? _ ("built by another task just now") : NULL);
      return;
    }
  record = ar_failed_build_lookup (op->result.key);
  if (record != NULL && !op->force)
    {
      layer_skip (task, record);
      return;
    }
  if (op->ctx->plan_only)
    {
      if (g_hash_table_contains (self->building, op->result.key))
        miss_explained (task, g_strdup (_ ("another task is building it now")));
      else
        explain_miss (task);
      return;
    }

  /* MISS: this process builds each key once at a time. */
  if (g_hash_table_contains (self->building, op->result.key))
    {
      wait_in_process (task);
      return;
    }
  g_hash_table_insert (self->building, g_strdup (op->result.key),
                       g_ptr_array_new_with_free_func (g_object_unref));
  op->registered = TRUE;
  explain_miss (task);
}

static void
layer_start (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);

  if (!op->ctx->plan_only && g_hash_table_contains (self->building, op->result.key))
    {
      wait_in_process (task);
      return;
    }
  ar_engine_inspect_image_async (self->engine, op->result.tag, g_task_get_cancellable (task),
                                 inspected, g_object_ref (task));
}

/* ---- entry points ------------------------------------------------------------------ */

static GBytes *
find_file (GArray *files, const char *name)
{
  for (guint i = 0; i < files->len; i++)
    {
      const ArContextFile *file = &g_array_index (files, ArContextFile, i);

      if (g_strcmp0 (file->name, name) == 0)
        return file->contents;
    }
  return NULL;
}

static gboolean
prepare (LayerOp *op, GError **error)
{
  ArDockerfileParams params = { .layer = op->layer, .build_user = op->build_user };
  const char *entry = op->layer == AR_LAYER_ENV ? AR_CONTEXT_ENV_SCRIPT
                                                : AR_CONTEXT_DESKTOP_DIR "/" AR_CONTEXT_DESKTOP_ENTRY;
  GBytes *script = find_file (op->files, entry);
  ArCacheKeyInputs in;

  if (script == NULL)
    {
      g_autofree char *dir = ar_settings_desktop_scripts_dir (op->ctx->settings);

      g_set_error (error, AR_IMAGE_BUILDER_ERROR, AR_IMAGE_BUILDER_ERROR_BUILD_FAILED,
                   _ ("The desktop scripts folder %s has no %s: choose another folder in Preferences"),
                   dir, AR_CONTEXT_DESKTOP_ENTRY);
      return FALSE;
    }
  params.has_shebang = ar_dockerfile_has_shebang (script);

  params.parent = op->parent_id;
  op->dockerfile_key = ar_dockerfile_generate (&params, error);
  if (op->dockerfile_key == NULL)
    return FALSE;
  params.parent = op->parent_ref;
  op->dockerfile_build = ar_dockerfile_generate (&params, error);
  if (op->dockerfile_build == NULL)
    return FALSE;

  ar_layer_op_inputs (op, &in);
  op->result.key = ar_cache_key_compute (&in);
  op->result.tag = ar_cache_key_tag (op->layer, op->result.key);
  return TRUE;
}

void
ar_image_layer_run_async (ArImageBuilder *self,
                          ArResolveCtx *ctx,
                          ArLayerKind layer,
                          const char *parent_ref,
                          const char *parent_id,
                          const char *build_user,
                          gboolean parent_is_base,
                          GArray *files,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  LayerOp *op;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_image_layer_run_async);
  /* Cancellation is answered once the build has stopped and its folder is gone. */
  g_task_set_check_cancellable (task, FALSE);

  op = g_new0 (LayerOp, 1);
  op->ctx = ar_resolve_ctx_ref (ctx);
  op->layer = layer;
  op->scope = ar_layer_kind_scope (layer);
  op->force = ctx->force;
  op->parent_is_base = parent_is_base;
  op->parent_ref = g_strdup (parent_ref);
  op->parent_id = g_strdup (parent_id);
  op->build_user = g_strdup (build_user != NULL ? build_user : "");
  op->files = g_array_ref (files);
  op->result.layer = layer;
  op->result.parent = g_strdup (parent_id);
  g_queue_init (&op->tail);
  g_task_set_task_data (task, op, (GDestroyNotify) layer_op_free);

  if (!prepare (op, &error))
    {
      ar_layer_op_failed (task, -1, error->message, FALSE);
      return;
    }
  layer_start (task);
}

gboolean
ar_image_layer_finish (GAsyncResult *result, ArLayerResult *out, char **out_user, GError **error)
{
  LayerOp *op;

  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_image_layer_run_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  op = g_task_get_task_data (G_TASK (result));
  ar_layer_result_clear (out);
  *out = op->result;
  memset (&op->result, 0, sizeof op->result);
  if (out_user != NULL)
    {
      g_free (*out_user);
      *out_user = g_steal_pointer (&op->image_user);
    }
  return TRUE;
}
