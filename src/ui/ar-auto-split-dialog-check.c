/* ar-auto-split-dialog-check.c — the build check (design.md §5.1) from the
 * dialog: running it on the engine, its progress and its verdict
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-auto-split-dialog-private.h"
#include "ar-preflight-build-check.h"
#include "ar-task-log.h"

/* ---- the build check -------------------------------------------------- */

void
ar_auto_split_dialog_show_check_state (ArAutoSplitDialog *self)
{
  gboolean running = self->check_cancellable != NULL;
  gboolean can = self->engine != NULL && !self->analysing && self->units->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "auto-split.check", can && !running);
  gtk_spinner_set_spinning (self->check_spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->check_spinner), running);
  if (running)
    return;
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "error");
  if (self->engine == NULL)
    {
      gtk_label_set_label (self->check_label,
                           _ ("Save the environment and connect to a container engine to check the build."));
      gtk_widget_set_visible (GTK_WIDGET (self->check_output), FALSE);
      return;
    }
  if (self->check_result == NULL)
    {
      gtk_label_set_label (self->check_label,
                           _ ("Check Build builds the cached part on the base image in a throwaway image, "
                              "then runs the run part on top of it, before you apply."));
      gtk_widget_set_visible (GTK_WIDGET (self->check_output), FALSE);
      return;
    }
  {
    g_autofree char *sentence = ar_build_check_result_describe (self->check_result);
    g_autofree char *text = NULL;

    if (self->check_stale)
      /* Translators: %s is the result of the last check */
      text = g_strdup_printf (_ ("%s (Checked before the last change: check again.)"), sentence);
    gtk_label_set_label (self->check_label, text != NULL ? text : sentence);
    gtk_widget_add_css_class (GTK_WIDGET (self->check_label), self->check_result->ok ? "success" : "error");
    gtk_label_set_label (self->check_output, self->check_result->output);
    gtk_widget_set_visible (GTK_WIDGET (self->check_output),
                            !self->check_result->ok && *self->check_result->output != '\0');
  }
}

static void
on_check_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  ArAutoSplitDialog *self = user_data;
  g_autofree char *clean = ar_log_strip_ansi (line);
  const char *what = stage == AR_BUILD_CHECK_STAGE_BUILD ? _ ("Building the cached part…")
                                                         : _ ("Running the run part on top…");
  g_autofree char *text = NULL;

  g_assert (AR_IS_AUTO_SPLIT_DIALOG (self));

  if (*g_strstrip (clean) == '\0')
    return;
  text = g_strdup_printf ("%s\n%s", what, clean);
  gtk_label_set_label (self->check_label, text);
}

static void
check_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(ArAutoSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  ArBuildCheckResult *result;

  g_assert (AR_IS_AUTO_SPLIT_DIALOG (self));

  result = ar_preflight_check_build_finish (res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->check_cancellable);
  g_clear_pointer (&self->check_result, ar_build_check_result_free);
  self->check_stale = FALSE;
  if (result == NULL)
    {
      /* the check could not be made: say why, as a failure of the build */
      result = g_new0 (ArBuildCheckResult, 1);
      result->failed_stage = AR_BUILD_CHECK_STAGE_BUILD;
      result->exit_status = -1;
      result->output = g_strdup (error->message);
    }
  self->check_result = result;
  ar_auto_split_dialog_show_check_state (self);
  g_signal_emit_by_name (self, "check-finished");
}

void
ar_auto_split_dialog_check_action (GtkWidget *widget,
                                   const char *action_name,
                                   GVariant *parameter)
{
  ArAutoSplitDialog *self = AR_AUTO_SPLIT_DIALOG (widget);
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;

  if (self->engine == NULL || self->check_cancellable != NULL || self->units->len == 0)
    return;
  cached = ar_preflight_render (self->units, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (self->units, AR_PREFLIGHT_PART_RUN);
  self->check_cancellable = g_cancellable_new ();
  gtk_label_set_label (self->check_label, *cached != '\0' ? _ ("Building the cached part…")
                                                          : _ ("Running the run part…"));
  gtk_widget_set_visible (GTK_WIDGET (self->check_output), FALSE);
  ar_auto_split_dialog_show_check_state (self);
  ar_preflight_check_build_async (self->engine, self->environment, self->settings, cached, run, NULL,
                                  on_check_line, self, self->check_cancellable, check_done, g_object_ref (self));
}

void
ar_auto_split_dialog_set_check_target (ArAutoSplitDialog *self,
                                       ArEngine *engine,
                                       ArEnvironment *environment,
                                       const ArSettings *settings)
{
  g_return_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self));
  g_return_if_fail (engine == NULL || (AR_IS_ENGINE (engine) && AR_IS_ENVIRONMENT (environment) && settings != NULL));

  g_set_object (&self->engine, engine);
  g_clear_object (&self->environment);
  g_clear_pointer (&self->settings, ar_settings_free);
  if (engine != NULL)
    {
      /* a snapshot: later edits of the environment do not change a check */
      self->environment = ar_environment_copy (environment);
      self->settings = ar_settings_copy (settings);
    }
  ar_auto_split_dialog_show_check_state (self);
}

const ArBuildCheckResult *
ar_auto_split_dialog_get_check_result (ArAutoSplitDialog *self)
{
  g_return_val_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self), NULL);

  return self->check_result;
}
