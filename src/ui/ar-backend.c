/* ar-backend.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-backend.h"
#include "ar-ui.h"

struct _ArBackend {
  GObject parent_instance;

  ArEnvStore *store;
  GSettings *gsettings; /* NULL when the schema is not installed */
  ArSettings *settings;
  ArEngine *engine;
  ArImageBuilder *builder;
  ArTaskManager *manager;
  /* The engine changed while the manager had unfinished tasks: a new
   * manager is made when the last of them ends. */
  gboolean manager_outdated;

  char *engine_problem;
  gboolean engine_checked;
  gboolean tasks_loaded;
  gboolean started;

  GCancellable *cancellable;      /* loads, for the object's lifetime */
  GCancellable *ping_cancellable; /* the ping running now */
};

G_DEFINE_FINAL_TYPE (ArBackend, ar_backend, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUILDER,
  PROP_TASK_MANAGER,
  PROP_ENGINE_PROBLEM,
  PROP_ENGINE_CHECKED,
  PROP_TASKS_LOADED,
  PROP_SEVERAL_ENGINES,
  N_PROPS
};

enum {
  SIGNAL_ERROR,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

ArEnvStore *
ar_backend_get_store (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), NULL);
  return self->store;
}

const ArSettings *
ar_backend_get_settings (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), NULL);
  return self->settings;
}

ArEngine *
ar_backend_get_engine (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), NULL);
  return self->engine;
}

ArImageBuilder *
ar_backend_get_builder (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), NULL);
  return self->builder;
}

ArTaskManager *
ar_backend_get_task_manager (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), NULL);
  return self->manager;
}

gboolean
ar_backend_get_several_engines (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), FALSE);
  return ar_settings_get_n_engines (self->settings) > 1;
}

const char *
ar_backend_get_engine_problem (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), NULL);
  return self->engine_problem;
}

gboolean
ar_backend_get_engine_checked (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), FALSE);
  return self->engine_checked;
}

gboolean
ar_backend_get_tasks_loaded (ArBackend *self)
{
  g_return_val_if_fail (AR_IS_BACKEND (self), FALSE);
  return self->tasks_loaded;
}

/* ---- the engine ---------------------------------------------------------- */

static void
set_engine_problem (ArBackend *self, const char *problem)
{
  gboolean was_checked = self->engine_checked;

  self->engine_checked = TRUE;
  if (!was_checked)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE_CHECKED]);
  if (g_strcmp0 (self->engine_problem, problem) == 0)
    return;
  g_free (self->engine_problem);
  self->engine_problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE_PROBLEM]);
}

static void
ping_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (AR_IS_BACKEND (self));

  if (!ar_engine_ping_finish (AR_ENGINE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* An answer from an engine we no longer use says nothing. */
      if (AR_ENGINE (source) == self->engine)
        set_engine_problem (self, error->message);
      return;
    }
  if (AR_ENGINE (source) == self->engine)
    set_engine_problem (self, NULL);
}

void
ar_backend_ping (ArBackend *self)
{
  g_return_if_fail (AR_IS_BACKEND (self));

  if (self->ping_cancellable != NULL)
    g_cancellable_cancel (self->ping_cancellable);
  g_clear_object (&self->ping_cancellable);
  self->ping_cancellable = g_cancellable_new ();
  ar_engine_ping_async (self->engine, self->ping_cancellable, ping_done, g_object_ref (self));
}

/* ---- the task manager ---------------------------------------------------- */

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (AR_IS_BACKEND (self));

  if (!ar_task_manager_load_finish (AR_TASK_MANAGER (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, error->message);
    }
  if (AR_TASK_MANAGER (source) == self->manager && !self->tasks_loaded)
    {
      self->tasks_loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_LOADED]);
    }
}

static void
load_tasks (ArBackend *self)
{
  ar_task_manager_load_async (self->manager,
                              AR_TASK_MANAGER_LOAD_RECONCILE | AR_TASK_MANAGER_LOAD_FOLLOW,
                              self->cancellable, load_done, g_object_ref (self));
}

static gboolean
has_unfinished_tasks (ArTaskManager *manager)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (manager));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArTask) task = g_list_model_get_item (G_LIST_MODEL (manager), i);

      if (!ar_task_state_is_finished (ar_task_get_state (task)))
        return TRUE;
    }
  return FALSE;
}

static void on_task_finished (ArBackend *self, ArTask *task, ArTaskManager *manager);

static void
new_manager (ArBackend *self)
{
  if (self->manager != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->manager, on_task_finished, self);
      g_clear_object (&self->manager);
    }
  self->manager = ar_task_manager_new (self->builder, self->settings);
  ar_task_manager_set_env_store (self->manager, self->store);
  g_signal_connect_object (self->manager, "task-finished", G_CALLBACK (on_task_finished), self,
                           G_CONNECT_SWAPPED);
  self->manager_outdated = FALSE;
}

static void
replace_manager (ArBackend *self)
{
  new_manager (self);
  /* The records on disk are the same tasks: the list looks the same. */
  if (self->started)
    load_tasks (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASK_MANAGER]);
}

static gboolean
replace_manager_idle (gpointer user_data)
{
  ArBackend *self = user_data;

  g_assert (AR_IS_BACKEND (self));

  if (self->manager_outdated && !has_unfinished_tasks (self->manager))
    replace_manager (self);
  return G_SOURCE_REMOVE;
}

static void
on_task_finished (ArBackend *self, ArTask *task, ArTaskManager *manager)
{
  /* From an idle: the manager is still inside its own signal. */
  if (self->manager_outdated)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, replace_manager_idle, g_object_ref (self), g_object_unref);
}

static void
new_engine (ArBackend *self)
{
  g_clear_object (&self->builder);
  g_clear_object (&self->engine);
  /* The same construction as the other engines' (design.md §9). */
  self->engine = ar_task_manager_new_engine (self->settings, AR_LOCAL_ENGINE_NAME, NULL);
  self->builder = ar_image_builder_new (self->engine);
}

static void
apply_settings (ArBackend *self, ArSettings *settings)
{
  gboolean several = ar_settings_get_n_engines (settings) > 1;
  gboolean several_changed = several != (ar_settings_get_n_engines (self->settings) > 1);
  gboolean engine_changed = g_strcmp0 (settings->engine, self->settings->engine) != 0 ||
                            g_strcmp0 (settings->engine_host, self->settings->engine_host) != 0 ||
                            g_strcmp0 (settings->engine_folders, self->settings->engine_folders) != 0;

  ar_settings_free (self->settings);
  self->settings = settings;
  ar_task_manager_set_settings (self->manager, self->settings);
  if (several_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEVERAL_ENGINES]);
  if (!engine_changed)
    return;

  new_engine (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUILDER]);
  if (has_unfinished_tasks (self->manager))
    self->manager_outdated = TRUE;
  else
    replace_manager (self);

  /* Until the new engine answers, the old answer says nothing about it. */
  g_clear_pointer (&self->engine_problem, g_free);
  self->engine_checked = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE_PROBLEM]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGINE_CHECKED]);
  if (self->started)
    ar_backend_ping (self);
}

void
ar_backend_set_settings (ArBackend *self, const ArSettings *settings)
{
  g_return_if_fail (AR_IS_BACKEND (self));
  g_return_if_fail (settings != NULL);

  apply_settings (self, ar_settings_copy (settings));
}

static void
on_settings_changed (ArBackend *self, const char *key, GSettings *gsettings)
{
  /* The window's own keys change on every resize: nothing to do for them. */
  if (g_str_has_prefix (key, "window-") || g_str_equal (key, "legacy-import-offered"))
    return;
  apply_settings (self, ar_settings_new_from_gsettings ());
}

void
ar_backend_start (ArBackend *self)
{
  g_return_if_fail (AR_IS_BACKEND (self));

  if (self->started)
    return;
  self->started = TRUE;
  load_tasks (self);
  ar_backend_ping (self);
}

/* ---- object -------------------------------------------------------------- */

static void
ar_backend_dispose (GObject *object)
{
  ArBackend *self = AR_BACKEND (object);

  g_cancellable_cancel (self->cancellable);
  if (self->ping_cancellable != NULL)
    g_cancellable_cancel (self->ping_cancellable);
  if (self->gsettings != NULL)
    g_signal_handlers_disconnect_by_func (self->gsettings, on_settings_changed, self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, on_task_finished, self);

  G_OBJECT_CLASS (ar_backend_parent_class)->dispose (object);
}

static void
ar_backend_finalize (GObject *object)
{
  ArBackend *self = AR_BACKEND (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->builder);
  g_clear_object (&self->engine);
  g_clear_object (&self->gsettings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->settings, ar_settings_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->ping_cancellable);
  g_free (self->engine_problem);

  G_OBJECT_CLASS (ar_backend_parent_class)->finalize (object);
}

static void
ar_backend_get_property (GObject *object,
                         guint prop_id,
                         GValue *value,
                         GParamSpec *pspec)
{
  ArBackend *self = AR_BACKEND (object);

  switch (prop_id)
    {
    case PROP_BUILDER: g_value_set_object (value, self->builder); break;
    case PROP_TASK_MANAGER: g_value_set_object (value, self->manager); break;
    case PROP_ENGINE_PROBLEM: g_value_set_string (value, self->engine_problem); break;
    case PROP_ENGINE_CHECKED: g_value_set_boolean (value, self->engine_checked); break;
    case PROP_TASKS_LOADED: g_value_set_boolean (value, self->tasks_loaded); break;
    case PROP_SEVERAL_ENGINES: g_value_set_boolean (value, ar_backend_get_several_engines (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_backend_class_init (ArBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ar_backend_dispose;
  object_class->finalize = ar_backend_finalize;
  object_class->get_property = ar_backend_get_property;

  properties[PROP_BUILDER] =
    g_param_spec_object ("builder", NULL, NULL, AR_TYPE_IMAGE_BUILDER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TASK_MANAGER] =
    g_param_spec_object ("task-manager", NULL, NULL, AR_TYPE_TASK_MANAGER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENGINE_PROBLEM] =
    g_param_spec_string ("engine-problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENGINE_CHECKED] =
    g_param_spec_boolean ("engine-checked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TASKS_LOADED] =
    g_param_spec_boolean ("tasks-loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEVERAL_ENGINES] =
    g_param_spec_boolean ("several-engines", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ar_backend_init (ArBackend *self)
{
  self->cancellable = g_cancellable_new ();
}

ArBackend *
ar_backend_new (ArEnvStore *store)
{
  ArBackend *self;

  g_return_val_if_fail (AR_IS_ENV_STORE (store), NULL);

  self = g_object_new (AR_TYPE_BACKEND, NULL);
  self->store = g_object_ref (store);
  self->gsettings = ar_ui_settings_new ();
  self->settings = self->gsettings != NULL ? ar_settings_new_from_gsettings () : ar_settings_new_default ();
  if (self->gsettings != NULL)
    g_signal_connect_object (self->gsettings, "changed", G_CALLBACK (on_settings_changed), self,
                             G_CONNECT_SWAPPED);
  new_engine (self);
  new_manager (self);
  return self;
}
