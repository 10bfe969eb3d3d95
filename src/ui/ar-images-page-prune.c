/* ar-images-page-prune.c — Remove Unused: the dry run, the confirmation
 * that lists what would go, the removal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-images-page-private.h"
#include "ar-image-stats.h"
#include "ar-ui.h"

/* ---- remove unused ---------------------------------------------------------- */

static void
pruned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArImagesPage) self = user_data;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *size = NULL;
  g_autofree char *message = NULL;
  gint64 total = 0;

  g_assert (AR_IS_IMAGES_PAGE (self));

  removed = ar_image_builder_prune_finish (AR_IMAGE_BUILDER (source), result, &error);
  self->op_running = FALSE;
  ar_images_page_update_loading (self);
  if (removed == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GtkWidget *dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                                      _ ("Not Every Image Was Removed"), error->message);

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      ar_images_page_refresh (self);
      return;
    }
  for (guint i = 0; i < removed->len; i++)
    total += ((ArCachedImage *) g_ptr_array_index (removed, i))->info->size;
  size = g_format_size (total);
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image removed, %s freed", "%u images removed, %s freed",
                                          removed->len),
                             removed->len, size);
  ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (message));
  ar_images_page_refresh (self);
}

static void
prune (ArImagesPage *self)
{
  g_autoptr(GPtrArray) envs = ar_images_page_store_environments (self);

  self->op_running = TRUE;
  ar_images_page_update_loading (self);
  /* The core decides again what is unused: a task may have started since
   * the question, and its image must stay. */
  ar_image_builder_prune_async (ar_backend_get_builder (self->backend), envs, ar_backend_get_settings (self->backend),
                                FALSE, self->op_cancellable, pruned, g_object_ref (self));
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char *response,
                    ArImagesPage *self)
{
  if (g_strcmp0 (response, "remove") == 0)
    prune (self);
  else if (self->dirty)
    ar_images_page_refresh (self);
}

static void
dry_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArImagesPage) self = user_data;
  g_autoptr(GPtrArray) unused = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *size = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog, *label, *scrolled;
  gint64 total = 0;
  guint others = 0;

  g_assert (AR_IS_IMAGES_PAGE (self));

  unused = ar_image_builder_prune_finish (AR_IMAGE_BUILDER (source), result, &error);
  self->op_running = FALSE;
  ar_images_page_update_loading (self);
  if (unused == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (unused == NULL)
    {
      ar_images_page_show_problem (self, _ ("Could Not List the Images"), error->message);
      return;
    }
  if (unused->len == 0)
    {
      ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (_ ("Nothing to remove: every cached image is in use")));
      ar_images_page_refresh (self);
      return;
    }

  for (guint i = 0; i < unused->len; i++)
    {
      const ArCachedImage *image = g_ptr_array_index (unused, i);
      g_autofree char *name = ar_images_page_image_name (image);
      g_autofree char *one = g_format_size (image->info->size);

      total += image->info->size;
      g_string_append_printf (list, "%s%s  (%s)", list->len > 0 ? "\n" : "", name, one);
    }
  size = g_format_size (total);
  if (unused->len == 1)
    body = g_strdup_printf (_ ("No environment's current configuration wants this image and no container uses it. Removing it frees %s; a later task that needs it builds it again."),
                            size);
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "No environment's current configuration wants these %u image and no container uses them. Removing them frees %s; a later task that needs one builds it again.",
                                         "No environment's current configuration wants these %u images and no container uses them. Removing them frees %s; a later task that needs one builds it again.",
                                         unused->len),
                            unused->len, size);

  /* The listing's own view of the others: what the page shows. */
  for (guint i = 0; i < self->images->len; i++)
    others += !((const ArCachedImage *) g_ptr_array_index (self->images, i))->ours;
  if (others > 0)
    {
      g_autofree char *more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%s\n\nThe %u image of other installs sharing this engine is left alone: only the install that built an image removes it.",
                                                            "%s\n\nThe %u images of other installs sharing this engine are left alone: only the install that built an image removes it.",
                                                            others),
                                               body, others);

      g_free (body);
      body = g_steal_pointer (&more);
    }
  dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)), _ ("Remove Unused Images?"), body);
  label = gtk_label_new (list->str);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "ar-code");
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scrolled);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "remove", _ ("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
ar_images_page_remove_unused_action (GtkWidget *widget,
                                     const char *action_name,
                                     GVariant *parameter)
{
  ArImagesPage *self = AR_IMAGES_PAGE (widget);
  g_autoptr(GPtrArray) envs = NULL;

  if (self->op_running)
    return;
  envs = ar_images_page_store_environments (self);
  self->op_running = TRUE;
  ar_images_page_update_loading (self);
  ar_image_builder_prune_async (ar_backend_get_builder (self->backend), envs, ar_backend_get_settings (self->backend),
                                TRUE, self->op_cancellable, dry_run_done, g_object_ref (self));
}
