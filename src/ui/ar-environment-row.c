/* ar-environment-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-environment-row.h"
#include "ar-ui.h"

struct _ArEnvironmentRow {
  AdwBin parent_instance;

  ArEnvironment *environment;

  GtkWidget *color_dot;
  GtkLabel *name_label;
  GtkLabel *id_label;
  GtkWidget *badge;
};

G_DEFINE_FINAL_TYPE (ArEnvironmentRow, ar_environment_row, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENVIRONMENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (ArEnvironmentRow *self)
{
  ArEnvironment *env = self->environment;
  g_autofree char *color_class = NULL;
  const char *name;
  gboolean caching, split;

  if (env == NULL)
    return;

  name = ar_environment_get_name (env);
  gtk_label_set_label (self->name_label, *name != '\0' ? name : _ ("Unnamed environment"));
  gtk_label_set_label (self->id_label, ar_environment_get_env_id (env));
  color_class = ar_ui_color_css_class (ar_environment_get_color (env));
  gtk_widget_set_css_classes (self->color_dot, (const char *[]){ "ar-color-dot", color_class, NULL });
  /* The dot is a picture to assistive technologies: it says its colour. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->color_dot),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ar_ui_color_label (ar_environment_get_color (env)),
                                  -1);

  caching = ar_environment_get_cache_container_build (env);
  split = ar_environment_get_preflight_mode (env) == AR_PREFLIGHT_MODE_SPLIT;
  gtk_widget_set_visible (self->badge, caching);
  if (caching && split)
    {
      gtk_widget_set_opacity (self->badge, 1.0);
      gtk_widget_set_tooltip_text (self->badge, _ ("Container caching is on: the cached preflight is baked into the image"));
    }
  else
    {
      /* Caching without a split preflight builds nothing (design.md §2.2). */
      gtk_widget_set_opacity (self->badge, 0.5);
      gtk_widget_set_tooltip_text (self->badge, _ ("Container caching is on, but the preflight is not split: nothing is cached yet"));
    }
}

ArEnvironment *
ar_environment_row_get_environment (ArEnvironmentRow *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_ROW (self), NULL);

  return self->environment;
}

void
ar_environment_row_set_environment (ArEnvironmentRow *self,
                                    ArEnvironment *environment)
{
  g_return_if_fail (AR_IS_ENVIRONMENT_ROW (self));
  g_return_if_fail (environment == NULL || AR_IS_ENVIRONMENT (environment));

  if (self->environment == environment)
    return;
  if (self->environment != NULL)
    g_signal_handlers_disconnect_by_data (self->environment, self);
  g_set_object (&self->environment, environment);
  if (environment != NULL)
    g_signal_connect_object (environment, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
}

static void
ar_environment_row_dispose (GObject *object)
{
  ArEnvironmentRow *self = AR_ENVIRONMENT_ROW (object);

  ar_environment_row_set_environment (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_ENVIRONMENT_ROW);

  G_OBJECT_CLASS (ar_environment_row_parent_class)->dispose (object);
}

static void
ar_environment_row_get_property (GObject *object,
                                 guint prop_id,
                                 GValue *value,
                                 GParamSpec *pspec)
{
  ArEnvironmentRow *self = AR_ENVIRONMENT_ROW (object);

  switch (prop_id)
    {
    case PROP_ENVIRONMENT: g_value_set_object (value, self->environment); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_environment_row_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  ArEnvironmentRow *self = AR_ENVIRONMENT_ROW (object);

  switch (prop_id)
    {
    case PROP_ENVIRONMENT: ar_environment_row_set_environment (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_environment_row_class_init (ArEnvironmentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_environment_row_dispose;
  object_class->get_property = ar_environment_row_get_property;
  object_class->set_property = ar_environment_row_set_property;

  properties[PROP_ENVIRONMENT] =
    g_param_spec_object ("environment", NULL, NULL, AR_TYPE_ENVIRONMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-environment-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentRow, color_dot);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentRow, id_label);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentRow, badge);
}

static void
ar_environment_row_init (ArEnvironmentRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ar_environment_row_new (ArEnvironment *environment)
{
  return g_object_new (AR_TYPE_ENVIRONMENT_ROW, "environment", environment, NULL);
}
