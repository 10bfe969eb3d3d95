/* ar-images-page-prune.c — Remove Unused: the dry run, the confirmation
 * that lists what would go, the removal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-images-page-private.h"
#include "ar-image-stats.h"
#include "ar-settings.h"
#include "ar-ui.h"

/* ---- every engine (design.md §3.6) -------------------------------------------- */

/* What one prune (or dry run) found or removed, on every engine. */
typedef void (*PruneDone) (ArImagesPage *self, GPtrArray *images, GError *error);

typedef struct {
  ArImagesPage *self;
  PruneDone done;
  guint pending;
  guint answered;
  GPtrArray *images; /* ArCachedImage */
  GError *error;     /* the first engine's error */
} PruneAll;

static void
prune_all_done (PruneAll *all)
{
  if (--all->pending > 0)
    return;
  /* An engine that does not answer (AR_ENGINE_ERROR) has nothing to remove:
   * the others' say. Any other failure is said. */
  if (all->answered > 0 && (all->error == NULL || all->error->domain == AR_ENGINE_ERROR))
    all->done (all->self, all->images, NULL);
  else
    all->done (all->self, NULL, all->error);
  g_object_unref (all->self);
  g_ptr_array_unref (all->images);
  g_clear_error (&all->error);
  g_free (all);
}

static void
engine_pruned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  PruneAll *all = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *images = ar_image_builder_prune_finish (AR_IMAGE_BUILDER (source), result, &error);

  if (images != NULL)
    {
      all->answered++;
      g_ptr_array_extend_and_steal (all->images, images);
    }
  else if (all->error == NULL)
    all->error = g_steal_pointer (&error);
  prune_all_done (all);
}

static void
prune_on (PruneAll *all, ArImageBuilder *builder, GPtrArray *envs, gboolean dry_run)
{
  all->pending++;
  ar_image_builder_prune_async (builder, envs, ar_backend_get_settings (all->self->backend), dry_run,
                                all->self->op_cancellable, engine_pruned, all);
}

/* The local engine, and with several engines each of the others. */
static void
prune_every_engine (ArImagesPage *self, gboolean dry_run, PruneDone done)
{
  g_autoptr(GPtrArray) envs = ar_images_page_store_environments (self);
  const ArSettings *settings = ar_backend_get_settings (self->backend);
  PruneAll *all = g_new0 (PruneAll, 1);

  all->self = g_object_ref (self);
  all->done = done;
  all->images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_cached_image_free);
  all->pending = 1; /* until every engine is asked */
  self->op_running = TRUE;
  ar_images_page_update_loading (self);
  prune_on (all, ar_backend_get_builder (self->backend), envs, dry_run);
  for (guint i = 0; settings->engines != NULL && i < settings->engines->len; i++)
    {
      const ArEngineEntry *entry = g_ptr_array_index (settings->engines, i);
      ArImageBuilder *builder = ar_task_manager_get_builder (ar_backend_get_task_manager (self->backend),
                                                             entry->name, NULL);

      if (builder != NULL)
        prune_on (all, builder, envs, dry_run);
    }
  prune_all_done (all);
}

/* ---- remove unused ---------------------------------------------------------- */

static void
pruned (ArImagesPage *self, GPtrArray *removed, GError *error)
{
  g_autofree char *size = NULL;
  g_autofree char *message = NULL;
  gint64 total = 0;

  g_assert (AR_IS_IMAGES_PAGE (self));

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
  /* The core decides again what is unused: a task may have started since
   * the question, and its image must stay. */
  prune_every_engine (self, FALSE, pruned);
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
dry_run_done (ArImagesPage *self, GPtrArray *unused, GError *error)
{
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *size = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog, *label, *scrolled;
  gint64 total = 0;
  guint others = 0;

  g_assert (AR_IS_IMAGES_PAGE (self));

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

  if (self->op_running)
    return;
  prune_every_engine (self, TRUE, dry_run_done);
}
