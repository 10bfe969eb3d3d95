/* ar-image-builder.c — resolve and plan: the decisions per layer
 *
 * The work of one layer (key → present? → wait / lock / build → fallback)
 * is in ar-image-layer.c; this file makes sure the base exists, chains the
 * layers and says what the task must still do at start.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-image-builder-private.h"

/* clang-format off */
G_DEFINE_QUARK (ar-image-builder-error-quark, ar_image_builder_error)
/* clang-format on */

G_DEFINE_FINAL_TYPE (ArImageBuilder, ar_image_builder, G_TYPE_OBJECT)

/* ---- results ---------------------------------------------------------------- */

const char *
ar_layer_state_to_string (ArLayerState state)
{
  switch (state)
    {
    case AR_LAYER_STATE_NOT_WANTED: return "not-wanted";
    case AR_LAYER_STATE_HIT: return "hit";
    case AR_LAYER_STATE_BUILT: return "built";
    case AR_LAYER_STATE_FAILED: return "failed";
    case AR_LAYER_STATE_SKIPPED_FAILED_BEFORE: return "skipped-failed-before";
    case AR_LAYER_STATE_ABSENT: return "absent";
    default: g_return_val_if_reached (NULL);
    }
}

gboolean
ar_layer_result_in_image (const ArLayerResult *layer)
{
  g_return_val_if_fail (layer != NULL, FALSE);

  return layer->state == AR_LAYER_STATE_HIT || layer->state == AR_LAYER_STATE_BUILT;
}

void
ar_layer_result_clear (ArLayerResult *layer)
{
  g_clear_pointer (&layer->key, g_free);
  g_clear_pointer (&layer->tag, g_free);
  g_clear_pointer (&layer->parent, g_free);
  g_clear_pointer (&layer->miss_reason, g_free);
  g_clear_pointer (&layer->image_id, g_free);
  g_clear_pointer (&layer->failure, g_free);
}

const char *
ar_image_bare_id (const char *id)
{
  if (id == NULL)
    return "";
  return g_str_has_prefix (id, "sha256:") ? id + 7 : id;
}

char *
ar_image_short_id (const char *id)
{
  return g_strndup (ar_image_bare_id (id), 12);
}

const char *
ar_layer_kind_scope (ArLayerKind layer)
{
  return layer == AR_LAYER_DESKTOP ? "image/desktop" : "image/env";
}

const char *
ar_layer_kind_fallback_text (ArLayerKind layer)
{
  return layer == AR_LAYER_DESKTOP ? _ ("the desktop will be installed at task start instead")
                                   : _ ("the cached preflight will run at task start instead");
}

void
ar_image_resolution_free (ArImageResolution *resolution)
{
  if (resolution == NULL)
    return;
  g_free (resolution->base_image);
  g_free (resolution->base_image_id);
  g_free (resolution->base_user);
  g_free (resolution->runtime_image);
  g_free (resolution->runtime_user);
  ar_layer_result_clear (&resolution->desktop);
  ar_layer_result_clear (&resolution->env);
  g_free (resolution);
}

char *
ar_image_resolution_describe (const ArImageResolution *resolution)
{
  GString *text;

  g_return_val_if_fail (resolution != NULL, NULL);

  text = g_string_new (NULL);
  g_string_append_printf (text, _ ("base %s"), resolution->base_image);
  if (ar_layer_result_in_image (&resolution->desktop))
    g_string_append (text, _ (" + desktop layer"));
  if (ar_layer_result_in_image (&resolution->env))
    g_string_append (text, _ (" + environment layer"));
  return g_string_free (text, FALSE);
}

gboolean
ar_image_resolution_get_task_outcome (const ArImageResolution *resolution, ArTaskCacheOutcome *out_outcome)
{
  const ArLayerResult *layers[2];
  guint wanted = 0, present = 0;

  g_return_val_if_fail (resolution != NULL, FALSE);

  layers[0] = &resolution->desktop;
  layers[1] = &resolution->env;
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      if (layers[i]->state == AR_LAYER_STATE_NOT_WANTED)
        continue;
      wanted++;
      present += layers[i]->state == AR_LAYER_STATE_HIT;
    }
  if (wanted == 0)
    return FALSE;
  if (out_outcome != NULL)
    *out_outcome = present == wanted ? AR_TASK_CACHE_HIT : present > 0 ? AR_TASK_CACHE_PARTIAL
                                                                       : AR_TASK_CACHE_MISS;
  return TRUE;
}

void
ar_image_resolution_count_task (const ArImageResolution *resolution, ArEnvironment *env, ArTaskLog *log)
{
  g_autoptr(GError) error = NULL;
  ArTaskCacheOutcome outcome;
  const char *env_id;

  g_return_if_fail (resolution != NULL);
  g_return_if_fail (AR_IS_ENVIRONMENT (env));

  env_id = ar_environment_get_env_id (env);
  if (env_id[0] == '\0' || !ar_image_resolution_get_task_outcome (resolution, &outcome))
    return;
  if (!ar_image_stats_record_task (env_id, outcome, &error) && log != NULL)
    ar_task_log_message (log, "image", AR_LOG_WARN,
                         _ ("could not update the image records in the state folder: %s"), error->message);
}

/* ---- the object ------------------------------------------------------------- */

static void
ar_image_builder_finalize (GObject *object)
{
  ArImageBuilder *self = AR_IMAGE_BUILDER (object);

  /* Every layer operation holds a reference: nobody can be waiting. */
  g_warn_if_fail (g_hash_table_size (self->building) == 0);
  g_hash_table_unref (self->building);
  g_clear_object (&self->engine);
  g_strfreev (self->extra_labels);
  g_free (self->scope_label);

  G_OBJECT_CLASS (ar_image_builder_parent_class)->finalize (object);
}

static void
ar_image_builder_class_init (ArImageBuilderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ar_image_builder_finalize;
}

static void
ar_image_builder_init (ArImageBuilder *self)
{
  self->building = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
is_label (const char *label)
{
  const char *eq = label != NULL ? strchr (label, '=') : NULL;

  return eq != NULL && eq != label;
}

ArImageBuilder *
ar_image_builder_new (ArEngine *engine)
{
  ArImageBuilder *self;
  const char *test_label = g_getenv ("AR_TEST_RUN_LABEL");

  g_return_val_if_fail (AR_IS_ENGINE (engine), NULL);

  self = g_object_new (AR_TYPE_IMAGE_BUILDER, NULL);
  self->engine = g_object_ref (engine);
  if (is_label (test_label))
    {
      const char *labels[] = { test_label, NULL };

      ar_image_builder_set_extra_labels (self, labels);
      ar_image_builder_set_scope_label (self, test_label);
    }
  return self;
}

ArEngine *
ar_image_builder_get_engine (ArImageBuilder *self)
{
  g_return_val_if_fail (AR_IS_IMAGE_BUILDER (self), NULL);

  return self->engine;
}

void
ar_image_builder_set_extra_labels (ArImageBuilder *self, const char *const *labels)
{
  g_return_if_fail (AR_IS_IMAGE_BUILDER (self));

  for (guint i = 0; labels != NULL && labels[i] != NULL; i++)
    g_return_if_fail (is_label (labels[i]));
  g_strfreev (self->extra_labels);
  self->extra_labels = g_strdupv ((char **) labels);
}

void
ar_image_builder_set_scope_label (ArImageBuilder *self, const char *label)
{
  g_return_if_fail (AR_IS_IMAGE_BUILDER (self));
  g_return_if_fail (label == NULL || is_label (label));

  g_free (self->scope_label);
  self->scope_label = g_strdup (label);
}

const char *
ar_image_builder_get_scope_label (ArImageBuilder *self)
{
  g_return_val_if_fail (AR_IS_IMAGE_BUILDER (self), NULL);

  return self->scope_label;
}

/* ---- the shared context of one resolve or plan ---------------------------------- */

static void
ctx_clear (gpointer data)
{
  ArResolveCtx *ctx = data;

  g_clear_object (&ctx->env);
  g_clear_pointer (&ctx->settings, ar_settings_free);
  g_clear_object (&ctx->log);
  g_free (ctx->base_name);
}

ArResolveCtx *
ar_resolve_ctx_ref (ArResolveCtx *ctx)
{
  return g_rc_box_acquire (ctx);
}

void
ar_resolve_ctx_unref (ArResolveCtx *ctx)
{
  g_rc_box_release_full (ctx, ctx_clear);
}

void
ar_resolve_ctx_say (ArResolveCtx *ctx, const char *scope, ArLogLevel level, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (ctx->log == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  ar_task_log_message (ctx->log, scope, level, "%s", message);
}

/* ---- resolve and plan --------------------------------------------------------- */

typedef struct {
  ArResolveCtx *ctx;
  ArImageResolution *res;
  char *pull_error;
  gboolean pull_tried;
  char *desktop_user; /* Config.User of the desktop image when it is in use */
} ResolveData;

static void
resolve_data_free (ResolveData *data)
{
  ar_resolve_ctx_unref (data->ctx);
  ar_image_resolution_free (data->res);
  g_free (data->pull_error);
  g_free (data->desktop_user);
  g_free (data);
}

#define BASE_SCOPE "image/base"

static void base_inspect (GTask *task);
static void desktop_step (GTask *task);
static void env_step (GTask *task);
static void resolve_finish_steps (GTask *task);

static void
pull_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  ArResolveCtx *ctx = user_data;

  if (ctx->log != NULL)
    ar_task_log_output (ctx->log, line);
}

static void
pull_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ResolveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), result, &tail, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    data->pull_error = g_strdup (error->message);
  else if (status != 0)
    {
      g_autoptr(GError) cli_error = NULL;
      const char *args[] = { "pull", data->ctx->base_name, NULL };

      cli_error = ar_engine_cli_error_new (AR_ENGINE (source), args, status, tail);
      data->pull_error = g_strdup (cli_error->message);
    }
  else
    {
      data->ctx->pulled = TRUE;
      data->res->base_pulled = TRUE;
    }
  base_inspect (g_steal_pointer (&task));
}

static void
base_pull (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  ResolveData *data = g_task_get_task_data (task);
  const char *args[] = { "pull", data->ctx->base_name, NULL };

  data->pull_tried = TRUE;
  ar_resolve_ctx_say (data->ctx, BASE_SCOPE, AR_LOG_INFO, _ ("pulling %s (pull policy: %s)"),
                      data->ctx->base_name, ar_pull_policy_to_string (data->ctx->settings->pull_policy));
  ar_engine_run_cli_async (self->engine, args, NULL, pull_line, data->ctx,
                           data->ctx->settings->build_timeout, g_task_get_cancellable (task),
                           pull_done, task);
}

static void
base_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ResolveData *data = g_task_get_task_data (task);
  ArResolveCtx *ctx = data->ctx;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImageInfo) info = NULL;

  info = ar_engine_inspect_image_finish (AR_ENGINE (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug (BASE_SCOPE ": %s %s (pull policy %s%s%s)", ctx->base_name,
           info != NULL ? "is on this machine" : "is not on this machine",
           ar_pull_policy_to_string (ctx->settings->pull_policy), data->pull_tried ? ", pulled" : "",
           data->pull_error != NULL ? ", the pull failed" : "");
  if (info == NULL)
    {
      if (ctx->plan_only)
        {
          resolve_finish_steps (g_steal_pointer (&task));
          return;
        }
      if (!data->pull_tried && ctx->settings->pull_policy == AR_PULL_MISSING)
        {
          base_pull (g_steal_pointer (&task));
          return;
        }
      if (ctx->settings->pull_policy == AR_PULL_NEVER)
        g_task_return_new_error (task, AR_IMAGE_BUILDER_ERROR, AR_IMAGE_BUILDER_ERROR_NO_BASE_IMAGE,
                                 _ ("The base image “%s” is not on this machine and the pull policy is “never”: "
                                    "pull it yourself (docker pull %s) or change the pull policy in Preferences."),
                                 ctx->base_name, ctx->base_name);
      else
        g_task_return_new_error (task, AR_IMAGE_BUILDER_ERROR, AR_IMAGE_BUILDER_ERROR_NO_BASE_IMAGE,
                                 _ ("The base image “%s” is not on this machine and could not be pulled (%s): "
                                    "check its name and your network, or pull it yourself."),
                                 ctx->base_name, data->pull_error != NULL ? data->pull_error : _ ("no reason given"));
      return;
    }

  data->res->base_present = TRUE;
  data->res->base_image_id = g_strdup (info->id);
  data->res->base_user = g_strdup (info->user != NULL ? info->user : "");
  if (!ctx->plan_only)
    {
      g_autofree char *id = ar_image_short_id (info->id);

      /* Said once: a failed pull is not also "not pulled". */
      if (data->pull_error != NULL)
        ar_resolve_ctx_say (ctx, BASE_SCOPE, AR_LOG_WARN,
                            _ ("could not pull %s (%s); using the image on this machine (%s)"),
                            ctx->base_name, data->pull_error, id);
      else if (ctx->pulled)
        ar_resolve_ctx_say (ctx, BASE_SCOPE, AR_LOG_INFO, _ ("base image %s is %s"), ctx->base_name, id);
      else
        ar_resolve_ctx_say (ctx, BASE_SCOPE, AR_LOG_INFO, _ ("base image %s (%s) is present; not pulled"),
                            ctx->base_name, id);
    }
  desktop_step (g_steal_pointer (&task));
}

static void
base_inspect (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  ResolveData *data = g_task_get_task_data (task);

  ar_engine_inspect_image_async (self->engine, data->ctx->base_name, g_task_get_cancellable (task),
                                 base_inspected, task);
}

/* The layer result for a layer whose inputs could not even be read. */
static void
layer_unusable (ResolveData *data, ArLayerResult *out, ArLayerKind layer, const GError *error)
{
  out->layer = layer;
  out->state = AR_LAYER_STATE_FAILED;
  out->exit_status = -1;
  out->failure = g_strdup (error->message);
  g_debug ("%s: no key: %s; fallback: %s", ar_layer_kind_scope (layer), error->message,
           ar_layer_kind_fallback_text (layer));
  if (!data->ctx->plan_only)
    ar_resolve_ctx_say (data->ctx, ar_layer_kind_scope (layer), AR_LOG_WARN, "%s; %s", error->message,
                        ar_layer_kind_fallback_text (layer));
}

static void
desktop_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ResolveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ar_image_layer_finish (result, &data->res->desktop, &data->desktop_user, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  env_step (g_steal_pointer (&task));
}

static void
desktop_step (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  ResolveData *data = g_task_get_task_data (task);
  ArResolveCtx *ctx = data->ctx;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) files = NULL;
  g_autofree char *scripts_dir = NULL;

  data->res->desktop.layer = AR_LAYER_DESKTOP;
  if (!ar_environment_wants_desktop_layer (ctx->env))
    {
      env_step (g_steal_pointer (&task));
      return;
    }

  scripts_dir = ar_settings_desktop_scripts_dir (ctx->settings);
  files = ar_cache_key_desktop_layer_files (scripts_dir, &error);
  if (files == NULL)
    {
      g_prefix_error (&error, _ ("The desktop scripts could not be read: "));
      layer_unusable (data, &data->res->desktop, AR_LAYER_DESKTOP, error);
      env_step (g_steal_pointer (&task));
      return;
    }

  ar_image_layer_run_async (self, ctx, AR_LAYER_DESKTOP, ctx->base_name, data->res->base_image_id,
                            data->res->base_user, TRUE, files, g_task_get_cancellable (task),
                            desktop_done, task);
}

static void
env_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ResolveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;

  if (!ar_image_layer_finish (result, &data->res->env, &user, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (ar_layer_result_in_image (&data->res->env))
    {
      g_free (data->res->runtime_user);
      data->res->runtime_user = g_steal_pointer (&user);
    }
  resolve_finish_steps (g_steal_pointer (&task));
}

static void
env_step (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  ResolveData *data = g_task_get_task_data (task);
  ArResolveCtx *ctx = data->ctx;
  ArImageResolution *res = data->res;
  g_autoptr(GArray) files = NULL;
  gboolean on_desktop = ar_layer_result_in_image (&res->desktop);

  res->env.layer = AR_LAYER_ENV;
  if (!ar_environment_wants_env_layer (ctx->env))
    {
      resolve_finish_steps (g_steal_pointer (&task));
      return;
    }

  /* A plan cannot know the ID of a desktop image that does not exist yet,
   * and the environment layer's key covers it. */
  if (res->desktop.state == AR_LAYER_STATE_ABSENT)
    {
      res->env.state = AR_LAYER_STATE_ABSENT;
      res->env.miss_reason = g_strdup (_ ("its key depends on the desktop layer, which must be built first"));
      resolve_finish_steps (g_steal_pointer (&task));
      return;
    }

  files = ar_cache_key_env_layer_files (ctx->env);
  ar_image_layer_run_async (self, ctx, AR_LAYER_ENV,
                            on_desktop ? res->desktop.tag : ctx->base_name,
                            on_desktop ? res->desktop.image_id : res->base_image_id,
                            on_desktop ? data->desktop_user : res->base_user,
                            !on_desktop, files, g_task_get_cancellable (task), env_done, task);
}

/* Like every step, takes the reference it is given. */
static void
resolve_finish_steps (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  ResolveData *data = g_task_get_task_data (task);
  ArResolveCtx *ctx = data->ctx;
  ArImageResolution *res = data->res;
  ArEnvironment *env = ctx->env;

  res->desktop.layer = AR_LAYER_DESKTOP;
  res->env.layer = AR_LAYER_ENV;
  if (!res->base_present)
    {
      /* plan() without a base: what is wanted, without keys. */
      if (ar_environment_wants_desktop_layer (env))
        {
          res->desktop.state = AR_LAYER_STATE_ABSENT;
          res->desktop.miss_reason = g_strdup (_ ("the base image is not on this machine"));
        }
      if (ar_environment_wants_env_layer (env))
        {
          res->env.state = AR_LAYER_STATE_ABSENT;
          res->env.miss_reason = g_strdup (_ ("the base image is not on this machine"));
        }
    }

  if (ar_layer_result_in_image (&res->env))
    res->runtime_image = g_strdup (res->env.tag);
  else if (ar_layer_result_in_image (&res->desktop))
    {
      res->runtime_image = g_strdup (res->desktop.tag);
      g_free (res->runtime_user);
      res->runtime_user = g_strdup (data->desktop_user);
    }
  else
    {
      res->runtime_image = g_strdup (ctx->base_name);
      g_free (res->runtime_user);
      res->runtime_user = g_strdup (res->base_user);
    }
  if (res->runtime_user == NULL)
    res->runtime_user = g_strdup ("");

  res->install_desktop_at_start = ar_environment_get_headless_desktop_enabled (env) &&
                                  !ar_layer_result_in_image (&res->desktop);
  res->run_cached_preflight_at_start = ar_environment_runs_cached_preflight_at_start (env, ar_layer_result_in_image (&res->env));
  g_debug ("image: %sruntime image %s (desktop layer %s, environment layer %s); desktop installed at start: %s; "
           "cached preflight at start: %s",
           ctx->plan_only ? "plan: " : "", res->runtime_image, ar_layer_state_to_string (res->desktop.state),
           ar_layer_state_to_string (res->env.state), res->install_desktop_at_start ? "yes" : "no",
           res->run_cached_preflight_at_start ? "yes" : "no");

  if (!ctx->plan_only)
    {
      g_autofree char *layers = ar_image_resolution_describe (res);

      ar_resolve_ctx_say (ctx, "image", AR_LOG_INFO, _ ("runtime image %s (%s)"), res->runtime_image, layers);
    }
  g_task_return_pointer (task, g_steal_pointer (&data->res), (GDestroyNotify) ar_image_resolution_free);
}

static void
start (ArImageBuilder *self,
       ArEnvironment *snapshot,
       const ArSettings *settings,
       ArTaskLog *log,
       gboolean force,
       gboolean plan_only,
       gpointer source_tag,
       GCancellable *cancellable,
       GAsyncReadyCallback callback,
       gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  ResolveData *data;
  ArResolveCtx *ctx;
  const char *base;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  ctx = g_rc_box_new0 (ArResolveCtx);
  ctx->env = g_object_ref (snapshot);
  ctx->settings = ar_settings_copy (settings);
  ctx->log = log != NULL ? g_object_ref (log) : NULL;
  ctx->force = force;
  ctx->plan_only = plan_only;
  base = ar_environment_get_base_image (snapshot);
  if (base[0] == '\0')
    base = settings->default_base_image;
  if (base == NULL || base[0] == '\0')
    base = AR_DEFAULT_BASE_IMAGE;
  ctx->base_name = g_strdup (base);

  data = g_new0 (ResolveData, 1);
  data->ctx = ctx;
  data->res = g_new0 (ArImageResolution, 1);
  data->res->base_image = g_strdup (base);
  data->res->desktop.layer = AR_LAYER_DESKTOP;
  data->res->env.layer = AR_LAYER_ENV;
  g_task_set_task_data (task, data, (GDestroyNotify) resolve_data_free);

  if (!plan_only && settings->pull_policy == AR_PULL_ALWAYS)
    base_pull (g_steal_pointer (&task));
  else
    base_inspect (g_steal_pointer (&task));
}

void
ar_image_builder_resolve_async (ArImageBuilder *self,
                                ArEnvironment *snapshot,
                                const ArSettings *settings,
                                ArTaskLog *log,
                                gboolean force,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (AR_IS_IMAGE_BUILDER (self));
  g_return_if_fail (AR_IS_ENVIRONMENT (snapshot));
  g_return_if_fail (settings != NULL);
  g_return_if_fail (log == NULL || AR_IS_TASK_LOG (log));

  start (self, snapshot, settings, log, force, FALSE, ar_image_builder_resolve_async,
         cancellable, callback, user_data);
}

ArImageResolution *
ar_image_builder_resolve_finish (ArImageBuilder *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_image_builder_resolve_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ar_image_builder_plan_async (ArImageBuilder *self,
                             ArEnvironment *snapshot,
                             const ArSettings *settings,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (AR_IS_IMAGE_BUILDER (self));
  g_return_if_fail (AR_IS_ENVIRONMENT (snapshot));
  g_return_if_fail (settings != NULL);

  start (self, snapshot, settings, NULL, FALSE, TRUE, ar_image_builder_plan_async,
         cancellable, callback, user_data);
}

ArImageResolution *
ar_image_builder_plan_finish (ArImageBuilder *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_image_builder_plan_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
