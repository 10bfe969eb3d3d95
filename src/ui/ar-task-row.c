/* ar-task-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ar-settings.h"
#include "ar-task-row.h"
#include "ar-ui.h"

struct _ArTaskRow {
  AdwBin parent_instance;

  ArEnvStore *store;
  ArTask *task;
  guint tick_id; /* the duration counts while the task holds a slot */
  gboolean show_engine;

  GtkWidget *color_dot;
  GtkLabel *env_label;
  GtkLabel *state_label;
  GtkLabel *title_label;
  GtkLabel *time_label;
  GtkLabel *duration_label;
  GtkLabel *engine_label;
};

G_DEFINE_FINAL_TYPE (ArTaskRow, ar_task_row, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SHOW_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* design.md §6.4: which engine, only when there is more than one. */
static void
update_engine (ArTaskRow *self)
{
  const char *name = self->task != NULL ? ar_engine_display_name (ar_task_get_engine (self->task)) : "";
  g_autofree char *spoken = g_strdup_printf (_ ("Engine: %s"), name);

  gtk_label_set_label (self->engine_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->engine_label), spoken);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->engine_label), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->engine_label), self->show_engine && self->task != NULL);
}

gboolean
ar_task_row_get_show_engine (ArTaskRow *self)
{
  g_return_val_if_fail (AR_IS_TASK_ROW (self), FALSE);
  return self->show_engine;
}

void
ar_task_row_set_show_engine (ArTaskRow *self, gboolean show)
{
  g_return_if_fail (AR_IS_TASK_ROW (self));

  show = !!show;
  if (self->show_engine == show)
    return;
  self->show_engine = show;
  update_engine (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_ENGINE]);
}

static void
update_duration (ArTaskRow *self)
{
  g_autofree char *text = NULL;

  if (ar_task_get_started_at (self->task) > 0)
    text = ar_ui_format_duration (ar_task_get_duration (self->task));
  gtk_label_set_label (self->duration_label, text != NULL ? text : "");
}

static gboolean
tick (gpointer user_data)
{
  update_duration (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_state (ArTaskRow *self)
{
  ArTaskState state = ar_task_get_state (self->task);
  gboolean counting = ar_task_state_is_active (state);

  ar_ui_set_state_badge (self->state_label, state);
  if (counting && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick, self);
  else if (!counting)
    g_clear_handle_id (&self->tick_id, g_source_remove);
  update_duration (self);
}

static void
update (ArTaskRow *self)
{
  ArEnvironment *env = NULL;
  g_autofree char *color_class = NULL;
  g_autofree char *color_name = NULL;
  g_autofree char *title = NULL;
  g_autofree char *created = NULL;
  const char *env_name;

  if (self->store != NULL)
    env = ar_env_store_find_by_id (self->store, ar_task_get_env_id (self->task));
  /* The name as it is now; the task's own when the environment is gone. */
  env_name = env != NULL ? ar_environment_get_name (env) : ar_task_get_env_name (self->task);
  color_class = ar_ui_color_css_class (env != NULL ? ar_environment_get_color (env) : "slate");
  gtk_widget_set_css_classes (self->color_dot, (const char *[]){ "ar-color-dot", color_class, NULL });
  /* Translators: what a screen reader says for an environment's color dot; %s is a color's name */
  color_name = g_strdup_printf (_ ("Color: %s"), ar_ui_color_label (env != NULL ? ar_environment_get_color (env) : "slate"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->color_dot), GTK_ACCESSIBLE_PROPERTY_LABEL, color_name, -1);
  gtk_label_set_label (self->env_label, *env_name != '\0' ? env_name : ar_task_get_env_id (self->task));

  title = ar_task_dup_title (self->task);
  gtk_label_set_label (self->title_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), ar_task_get_prompt (self->task));
  created = ar_ui_format_time (ar_task_get_created_at (self->task) / G_USEC_PER_SEC, "");
  gtk_label_set_label (self->time_label, created);
  update_engine (self);
  update_state (self);
}

ArTask *
ar_task_row_get_task (ArTaskRow *self)
{
  g_return_val_if_fail (AR_IS_TASK_ROW (self), NULL);
  return self->task;
}

void
ar_task_row_set_task (ArTaskRow *self,
                      ArTask *task)
{
  g_return_if_fail (AR_IS_TASK_ROW (self));
  g_return_if_fail (task == NULL || AR_IS_TASK (task));

  if (self->task == task)
    return;
  if (self->task != NULL)
    g_signal_handlers_disconnect_by_data (self->task, self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_set_object (&self->task, task);
  if (task == NULL)
    {
      update_engine (self);
      return;
    }

  g_signal_connect_swapped (task, "notify::state", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (task, "notify::started-at", G_CALLBACK (update_duration), self);
  g_signal_connect_swapped (task, "notify::finished-at", G_CALLBACK (update_duration), self);
  update (self);
}

static void
ar_task_row_dispose (GObject *object)
{
  ArTaskRow *self = AR_TASK_ROW (object);

  ar_task_row_set_task (self, NULL);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_TASK_ROW);

  G_OBJECT_CLASS (ar_task_row_parent_class)->dispose (object);
}

static void
ar_task_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SHOW_ENGINE: g_value_set_boolean (value, AR_TASK_ROW (object)->show_engine); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_task_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SHOW_ENGINE: ar_task_row_set_show_engine (AR_TASK_ROW (object), g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_task_row_class_init (ArTaskRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_task_row_dispose;
  object_class->get_property = ar_task_row_get_property;
  object_class->set_property = ar_task_row_set_property;

  properties[PROP_SHOW_ENGINE] =
    g_param_spec_boolean ("show-engine", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-task-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArTaskRow, color_dot);
  gtk_widget_class_bind_template_child (widget_class, ArTaskRow, env_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskRow, duration_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskRow, engine_label);
}

static void
ar_task_row_init (ArTaskRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ar_task_row_new (ArEnvStore *store)
{
  ArTaskRow *self = g_object_new (AR_TYPE_TASK_ROW, NULL);

  g_set_object (&self->store, store);
  return GTK_WIDGET (self);
}
