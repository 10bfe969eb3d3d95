/* ar-environment-editor-save.c — Save and the unsaved-changes question of
 * ArEnvironmentEditor (design.md §6.2, §6.3): refuse with field errors, run the
 * validator, ask about warnings, write through the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-environment-editor-private.h"
#include "ar-preflight-validator.h"
#include "ar-ui.h"

static void
show_error_dialog (ArEnvironmentEditor *self,
                   const char *heading,
                   const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct {
  ArEnvStore *store;
  ArEnvironment *stored;
  ArEnvironment *previous;
  gboolean was_new; /* previous was a draft, not in the store */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->stored);
  g_clear_object (&data->previous);
  g_free (data);
}

static void
save_done (ArEnvironmentEditor *self, GTask *task)
{
  SaveData *data = g_task_get_task_data (task);
  g_autofree char *message = NULL;

  ar_environment_editor_notify_environment (self);
  ar_environment_editor_update_state (self);
  message = g_strdup_printf (_ ("“%s” saved"), ar_environment_get_name (data->stored));
  ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (message));
  g_task_return_boolean (task, TRUE);
}

static void
save_written_cb (GObject *source,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ArEnvironmentEditor *self = g_task_get_source_object (task);
  SaveData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  g_assert (AR_IS_ENVIRONMENT_EDITOR (self));

  ar_environment_editor_set_saving (self, FALSE);
  if (ar_env_store_save_finish (AR_ENV_STORE (source), result, &error))
    {
      save_done (self, task);
      return;
    }

  /* Back to what the file holds, unless the list or the editor moved on
   * while the save was written. */
  if (ar_env_store_find_by_id (data->store, ar_environment_get_env_id (data->stored)) == data->stored)
    {
      if (data->previous != NULL && !data->was_new)
        ar_env_store_replace (data->store, data->previous);
      else
        ar_env_store_remove (data->store, ar_environment_get_env_id (data->stored));
    }
  if (self->environment == data->stored)
    {
      g_set_object (&self->environment, data->previous);
      self->is_new = data->was_new;
    }
  ar_environment_editor_update_state (self);
  show_error_dialog (self, _ ("Could Not Save the Environment"), error->message);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* Takes the task's reference. */
static void
save_write (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  ArEnvironmentEditor *self = g_task_get_source_object (task);
  SaveData *data = g_new0 (SaveData, 1);

  g_assert (AR_IS_ENVIRONMENT_EDITOR (self));

  data->stored = ar_environment_copy (self->draft);
  data->previous = g_steal_pointer (&self->environment);
  data->was_new = self->is_new;
  data->store = self->store != NULL ? g_object_ref (self->store) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  /* Point at the new object before the store announces it, so that the
   * list sees the editor already showing it. */
  self->environment = g_object_ref (data->stored);
  self->is_new = FALSE;
  if (data->store == NULL)
    {
      save_done (self, task);
      return;
    }

  ar_env_store_replace (data->store, data->stored);
  /* Written in a worker thread: the window stays responsive meanwhile, and
   * the button says a save is under way. */
  ar_environment_editor_set_saving (self, TRUE);
  ar_env_store_save_async (data->store, NULL, save_written_cb, g_steal_pointer (&task));
}

static void
on_warnings_response (AdwMessageDialog *dialog,
                      const char *response,
                      GTask *task)
{
  ArEnvironmentEditor *self = g_task_get_source_object (task);
  GPtrArray *warnings = g_object_get_data (G_OBJECT (dialog), "ar-warnings");

  g_assert (AR_IS_ENVIRONMENT_EDITOR (self));

  if (g_strcmp0 (response, "save") == 0)
    save_write (g_object_ref (task));
  else
    {
      ar_ui_reveal (GTK_WIDGET (self->preflight_editor));
      ar_preflight_editor_show_warnings (self->preflight_editor, warnings);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _ ("Not saved: the preflight has warnings"));
    }
  g_object_unref (task);
}

static void
ask_about_warnings (GTask *task, GPtrArray *warnings)
{
  ArEnvironmentEditor *self = g_task_get_source_object (task);
  GtkWidget *dialog;
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  g_assert (AR_IS_ENVIRONMENT_EDITOR (self));

  dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                   _ ("Save Despite Preflight Warnings?"),
                                   _ ("These lines may make caching useless, slow every task down, or bake a secret into the image."));

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < warnings->len; i++)
    {
      g_autofree char *text = ar_preflight_warning_to_string (g_ptr_array_index (warnings, i));
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_top (label, 8);
      gtk_widget_set_margin_bottom (label, 8);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_list_box_append (GTK_LIST_BOX (list), label);
    }
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), MIN (warnings->len, 3) * 64);
  /* The dialog is as wide as the window allows (it fits a 360 px one). */
  gtk_widget_set_hexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "back", _ ("_Go Back"),
                                    "save", _ ("_Save Anyway"),
                                    NULL);
  /* Saving destroys nothing: no destructive style (GNOME HIG). */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "back");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "back");
  g_object_set_data_full (G_OBJECT (dialog), "ar-warnings", g_ptr_array_ref (warnings),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_warnings_response), g_object_ref (task));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
save_validated_cb (GObject *object,
                   GAsyncResult *result,
                   gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ArEnvironmentEditor *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (AR_IS_ENVIRONMENT_EDITOR (self));

  warnings = ar_preflight_validate_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      /* The check could not run (no shell): warnings never block saving. */
      ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (error->message));
    }

  if (warnings != NULL && warnings->len > 0)
    ask_about_warnings (task, warnings);
  else
    save_write (g_steal_pointer (&task));
}

void
ar_environment_editor_save_async (ArEnvironmentEditor *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (AR_IS_ENVIRONMENT_EDITOR (self));

  /* Without one from the caller, the editor's own: disposing the editor
   * stops a validation that is still running. */
  if (cancellable == NULL)
    cancellable = self->cancellable;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_environment_editor_save_async);

  if (self->draft == NULL)
    {
      g_task_return_new_error (task, AR_ENVIRONMENT_EDITOR_ERROR, AR_ENVIRONMENT_EDITOR_ERROR_NOTHING,
                               _ ("There is no environment to save"));
      return;
    }

  if (self->has_errors)
    {
      const char *message = _ ("Some fields have errors: fix the marked lines before saving");

      if (self->command_error || self->args_error)
        ar_ui_reveal (self->general_page);
      else
        ar_ui_reveal (self->container_page);
      ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (message));
      g_task_return_new_error (task, AR_ENVIRONMENT_EDITOR_ERROR, AR_ENVIRONMENT_EDITOR_ERROR_INVALID,
                               "%s", message);
      return;
    }

  name = g_strstrip (g_strdup (ar_environment_get_name (self->draft)));
  if (*name == '\0')
    {
      const char *message = _ ("Give the environment a name before saving");

      ar_ui_reveal (self->general_page);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (message));
      g_task_return_new_error (task, AR_ENVIRONMENT_EDITOR_ERROR, AR_ENVIRONMENT_EDITOR_ERROR_INVALID,
                               "%s", message);
      return;
    }

  ar_preflight_validate_async (self->draft, cancellable, save_validated_cb, g_steal_pointer (&task));
}

gboolean
ar_environment_editor_save_finish (ArEnvironmentEditor *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- leaving with unsaved changes ---- */

static void
leave_saved_cb (GObject *object,
                GAsyncResult *result,
                gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_return_boolean (task, ar_environment_editor_save_finish (AR_ENVIRONMENT_EDITOR (object), result, NULL));
}

static void
on_leave_response (AdwMessageDialog *dialog,
                   const char *response,
                   GTask *task)
{
  ArEnvironmentEditor *self = g_task_get_source_object (task);

  g_assert (AR_IS_ENVIRONMENT_EDITOR (self));

  if (g_strcmp0 (response, "save") == 0)
    ar_environment_editor_save_async (self, g_task_get_cancellable (task), leave_saved_cb, g_object_ref (task));
  else if (g_strcmp0 (response, "discard") == 0)
    {
      g_autoptr(ArEnvironment) draft = NULL;

      if (self->environment != NULL)
        draft = ar_environment_copy (self->environment);
      ar_environment_editor_set_draft (self, draft);
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_boolean (task, FALSE);
  g_object_unref (task);
}

void
ar_environment_editor_confirm_leave_async (ArEnvironmentEditor *self,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  GtkWidget *dialog;
  const char *name;

  g_return_if_fail (AR_IS_ENVIRONMENT_EDITOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_environment_editor_confirm_leave_async);

  if (!self->modified)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  name = ar_environment_get_name (self->draft);
  if (self->is_new)
    {
      dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                       _ ("Save the New Environment?"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      _ ("“%s” has never been saved. Unless you save it, it will not be kept."),
                                      *name != '\0' ? name : _ ("Unnamed environment"));
    }
  else
    {
      dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                       _ ("Save Changes?"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      _ ("“%s” has unsaved changes. Changes which are not saved will be lost."),
                                      *name != '\0' ? name : _ ("Unnamed environment"));
    }
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "discard", _ ("_Discard"),
                                    "save", _ ("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_leave_response), g_steal_pointer (&task));
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
ar_environment_editor_confirm_leave_finish (ArEnvironmentEditor *self,
                                            GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), NULL);
}
