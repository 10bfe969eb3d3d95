/* ar-rebuild-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-rebuild-dialog.h"
#include "ar-ui.h"

struct _ArRebuildDialog {
  AdwWindow parent_instance;

  ArImageBuilder *builder;
  ArEnvironment *environment; /* a snapshot: later edits do not change the build */
  ArSettings *settings;
  ArTaskLog *log;
  GCancellable *cancellable;
  gboolean running;
  gboolean succeeded;

  AdwWindowTitle *window_title;
  GtkButton *close_button;
  GtkSpinner *spinner;
  GtkImage *status_icon;
  GtkLabel *status_label;
  ArLogView *log_view;
};

G_DEFINE_FINAL_TYPE (ArRebuildDialog, ar_rebuild_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

gboolean
ar_rebuild_dialog_get_running (ArRebuildDialog *self)
{
  g_return_val_if_fail (AR_IS_REBUILD_DIALOG (self), FALSE);
  return self->running;
}

gboolean
ar_rebuild_dialog_get_succeeded (ArRebuildDialog *self)
{
  g_return_val_if_fail (AR_IS_REBUILD_DIALOG (self), FALSE);
  return self->succeeded;
}

ArLogView *
ar_rebuild_dialog_get_log_view (ArRebuildDialog *self)
{
  g_return_val_if_fail (AR_IS_REBUILD_DIALOG (self), NULL);
  return self->log_view;
}

static void
finish (ArRebuildDialog *self, gboolean succeeded, const char *status)
{
  self->running = FALSE;
  self->succeeded = succeeded;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_image_set_from_icon_name (self->status_icon, succeeded ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_set_css_classes (GTK_WIDGET (self->status_icon), (const char *[]){ succeeded ? "success" : "warning", NULL });
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), TRUE);
  gtk_label_set_label (self->status_label, status);
  gtk_button_set_label (self->close_button, _ ("_Close"));
  gtk_widget_add_css_class (GTK_WIDGET (self->close_button), "suggested-action");
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, succeeded);
}

static void
resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArRebuildDialog) self = user_data;
  g_autoptr(ArImageResolution) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) missing = g_string_new (NULL);
  const ArLayerResult *layers[2];

  g_assert (AR_IS_REBUILD_DIALOG (self));

  res = ar_image_builder_resolve_finish (AR_IMAGE_BUILDER (source), result, &error);
  if (res == NULL)
    {
      g_autofree char *status = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (self->running)
            finish (self, FALSE, _ ("Cancelled."));
          return;
        }
      /* The log says it too: it stayed empty when nothing could start. */
      ar_task_log_message (self->log, "image", AR_LOG_ERROR, _ ("nothing was built: %s"), error->message);
      /* Translators: %s says why, one sentence */
      status = g_strdup_printf (_ ("Nothing was built: %s"), error->message);
      finish (self, FALSE, status);
      return;
    }

  layers[0] = &res->desktop;
  layers[1] = &res->env;
  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    {
      const ArLayerResult *layer = layers[i];
      const char *why;

      if (layer->state == AR_LAYER_STATE_NOT_WANTED || ar_layer_result_in_image (layer))
        continue;
      why = layer->failure != NULL ? layer->failure : layer->miss_reason != NULL ? layer->miss_reason
                                                                                 : "";
      if (missing->len > 0)
        g_string_append_c (missing, ' ');
      g_string_append_printf (missing,
                              layer->layer == AR_LAYER_DESKTOP ? _ ("The desktop layer was not built: %s")
                                                               : _ ("The environment layer was not built: %s"),
                              why);
    }
  if (missing->len > 0)
    finish (self, FALSE, missing->str);
  else
    {
      /* Translators: %s is an image name */
      g_autofree char *status = g_strdup_printf (_ ("Done: tasks now start from %s."), res->runtime_image);

      finish (self, TRUE, status);
    }
}

static gboolean
ar_rebuild_dialog_close_request (GtkWindow *window)
{
  ArRebuildDialog *self = AR_REBUILD_DIALOG (window);

  if (self->running)
    {
      self->running = FALSE;
      g_cancellable_cancel (self->cancellable);
      g_signal_emit (self, signals[SIGNAL_FINISHED], 0, FALSE);
    }
  return GTK_WINDOW_CLASS (ar_rebuild_dialog_parent_class)->close_request (window);
}

static void
ar_rebuild_dialog_dispose (GObject *object)
{
  ArRebuildDialog *self = AR_REBUILD_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_REBUILD_DIALOG);

  G_OBJECT_CLASS (ar_rebuild_dialog_parent_class)->dispose (object);
}

static void
ar_rebuild_dialog_finalize (GObject *object)
{
  ArRebuildDialog *self = AR_REBUILD_DIALOG (object);

  g_clear_object (&self->builder);
  g_clear_object (&self->environment);
  g_clear_pointer (&self->settings, ar_settings_free);
  g_clear_object (&self->log);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ar_rebuild_dialog_parent_class)->finalize (object);
}

static void
ar_rebuild_dialog_class_init (ArRebuildDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ar_rebuild_dialog_dispose;
  object_class->finalize = ar_rebuild_dialog_finalize;
  window_class->close_request = ar_rebuild_dialog_close_request;

  /**
   * ArRebuildDialog::finished:
   * @succeeded: every image the environment wants exists
   */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (AR_TYPE_LOG_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-rebuild-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ArRebuildDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ArRebuildDialog, close_button);
  gtk_widget_class_bind_template_child (widget_class, ArRebuildDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ArRebuildDialog, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ArRebuildDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, ArRebuildDialog, log_view);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ar_rebuild_dialog_init (ArRebuildDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
ar_rebuild_dialog_new (GtkWindow *parent,
                       ArImageBuilder *builder,
                       ArEnvironment *environment,
                       const ArSettings *settings)
{
  ArRebuildDialog *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  const char *name;

  g_return_val_if_fail (AR_IS_IMAGE_BUILDER (builder), NULL);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (environment), NULL);
  g_return_val_if_fail (settings != NULL, NULL);

  self = g_object_new (AR_TYPE_REBUILD_DIALOG, "transient-for", parent, NULL);
  self->builder = g_object_ref (builder);
  self->environment = ar_environment_copy (environment);
  self->settings = ar_settings_copy (settings);

  name = ar_environment_get_name (environment);
  adw_window_title_set_subtitle (self->window_title, *name != '\0' ? name : ar_environment_get_env_id (environment));
  /* Translators: %s is an environment's name */
  status = g_strdup_printf (_ ("Building the images of “%s” again, without the build cache…"),
                            *name != '\0' ? name : ar_environment_get_env_id (environment));
  gtk_label_set_label (self->status_label, status);

  /* In memory: a rebuild is not a task and has no record. */
  self->log = ar_task_log_new (NULL, &error);
  if (self->log == NULL)
    {
      finish (self, FALSE, error->message);
      return GTK_WIDGET (self);
    }
  ar_task_log_add_secret_env_vars (self->log, ar_environment_get_env_vars (self->environment));
  ar_log_view_show_log (self->log_view, self->log, NULL);

  self->running = TRUE;
  ar_image_builder_resolve_async (self->builder, self->environment, self->settings, self->log, TRUE,
                                  self->cancellable, resolved, g_object_ref (self));
  return GTK_WIDGET (self);
}
