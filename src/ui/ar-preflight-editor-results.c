/* ar-preflight-editor-results.c — the validator's results under the script
 * editors: the list, going to a line, the Validate action
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-preflight-editor-private.h"
#include "ar-preflight-validator.h"
#include "ar-ui.h"

/* ---- validation results ---- */

static const char *
script_title (ArPreflightScriptKind script)
{
  switch (script)
    {
    case AR_PREFLIGHT_SCRIPT_CACHED: return _ ("Cached preflight");
    case AR_PREFLIGHT_SCRIPT_RUN: return _ ("Run preflight");
    case AR_PREFLIGHT_SCRIPT_SINGLE:
    default: return _ ("Single preflight");
    }
}

static Script
script_from_validator (ArPreflightScriptKind script)
{
  switch (script)
    {
    case AR_PREFLIGHT_SCRIPT_CACHED: return SCRIPT_CACHED;
    case AR_PREFLIGHT_SCRIPT_RUN: return SCRIPT_RUN;
    case AR_PREFLIGHT_SCRIPT_SINGLE:
    default: return SCRIPT_SINGLE;
    }
}

void
ar_preflight_editor_on_result_activated (GtkListBox *list,
                                         GtkListBoxRow *row,
                                         ArPreflightEditor *self)
{
  ArPreflightScriptKind script = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "ar-script"));
  guint line = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "ar-line"));

  ar_preflight_editor_show_script_line (self, script_from_validator (script), line);
}

void
ar_preflight_editor_show_warnings (ArPreflightEditor *self,
                                   GPtrArray *warnings)
{
  GtkWidget *child;

  g_return_if_fail (AR_IS_PREFLIGHT_EDITOR (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_list))) != NULL)
    gtk_list_box_remove (self->results_list, child);

  if (warnings == NULL)
    {
      gtk_revealer_set_reveal_child (self->results_revealer, FALSE);
      return;
    }

  if (warnings->len == 0)
    {
      gtk_label_set_label (self->results_title, _ ("No problems found"));
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->results_list)), FALSE);
    }
  else
    {
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings", warnings->len),
                                                warnings->len);
      gtk_label_set_label (self->results_title, title);
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->results_list)), TRUE);
    }

  for (guint i = 0; i < warnings->len; i++)
    {
      ArPreflightWarning *warning = g_ptr_array_index (warnings, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");
      g_autofree char *title = NULL;

      if (warning->line > 0)
        /* Translators: "Cached preflight, line 3" */
        title = g_strdup_printf (_ ("%s, line %u"), script_title (warning->script), warning->line);
      else
        title = g_strdup (script_title (warning->script));

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), warning->message);
      gtk_widget_add_css_class (icon, "warning");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data (G_OBJECT (row), "ar-script", GINT_TO_POINTER (warning->script));
      g_object_set_data (G_OBJECT (row), "ar-line", GUINT_TO_POINTER (warning->line));
      gtk_list_box_append (self->results_list, row);
    }

  /* Show the script of the first warning. */
  if (warnings->len > 0)
    {
      ArPreflightWarning *first = g_ptr_array_index (warnings, 0);
      Script which = script_from_validator (first->script);

      gtk_notebook_set_current_page (self->notebook, gtk_notebook_page_num (self->notebook, self->pages[which]));
    }

  gtk_revealer_set_reveal_child (self->results_revealer, TRUE);
}

static void
validate_cb (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(ArPreflightEditor) self = user_data;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (AR_IS_PREFLIGHT_EDITOR (self));

  warnings = ar_preflight_validate_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preflight.validate", TRUE);
  if (error != NULL)
    {
      ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (error->message));
      return;
    }
  ar_preflight_editor_show_warnings (self, warnings);
}

void
ar_preflight_editor_validate_action (GtkWidget *widget,
                                     const char *action_name,
                                     GVariant *parameter)
{
  ArPreflightEditor *self = AR_PREFLIGHT_EDITOR (widget);

  if (self->environment == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_widget_action_set_enabled (widget, "preflight.validate", FALSE);
  ar_preflight_validate_async (self->environment, self->cancellable,
                               validate_cb, g_object_ref (self));
}

void
ar_preflight_editor_hide_results_action (GtkWidget *widget,
                                         const char *action_name,
                                         GVariant *parameter)
{
  ar_preflight_editor_show_warnings (AR_PREFLIGHT_EDITOR (widget), NULL);
}
