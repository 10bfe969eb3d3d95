/* ar-environment-editor-build-user.c — tells the Preflight tab which user
 * the cached preflight runs as at build time: the base image's Config.User
 * (design.md §3.3, §6.3), asked of the window's engine when the editor
 * shows an environment and, after a short pause, when its base image or the
 * default one changes. Never blocks: the inspect runs asynchronously and a
 * newer question cancels the older one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-backend.h"
#include "ar-environment-editor-private.h"
#include "ar-settings.h"
#include "ar-ui.h"
#include "ar-window.h"

/* Typing in the base image field asks once, after this pause. */
#define LOOKUP_DELAY_MS 400

typedef struct {
  ArEnvironmentEditor *self; /* weak: the cancellable says when it is gone */
  GCancellable *cancellable;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->cancellable);
  g_free (lookup);
}

static void
on_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  ArImageInfo *info = ar_engine_inspect_image_finish (AR_ENGINE (source), result, &error);

  if (g_cancellable_is_cancelled (lookup->cancellable))
    {
      g_clear_pointer (&info, ar_image_info_free);
      lookup_free (lookup);
      return;
    }

  if (info != NULL)
    ar_preflight_editor_set_build_user (lookup->self->preflight_editor, info->user);
  else if (error == NULL)
    ar_preflight_editor_set_build_user_unknown (lookup->self->preflight_editor,
                                                _ ("the image is not on the engine"));
  else if (g_error_matches (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_BAD_REFERENCE))
    ar_preflight_editor_set_build_user_unknown (lookup->self->preflight_editor,
                                                _ ("the base image is not an image name"));
  else if (g_error_matches (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED))
    ar_preflight_editor_set_build_user_unknown (lookup->self->preflight_editor,
                                                _ ("the engine could not inspect the image"));
  else
    ar_preflight_editor_set_build_user_unknown (lookup->self->preflight_editor,
                                                _ ("the engine cannot be reached"));
  if (error != NULL)
    g_debug ("build user of the base image: %s", error->message);

  g_clear_pointer (&info, ar_image_info_free);
  lookup_free (lookup);
}

/* The base image a task of the draft would use: its own, else the default
 * of the Preferences (the backend's snapshot, as the builder sees it). */
static char *
dup_base_image (ArEnvironmentEditor *self, ArBackend *backend)
{
  g_autofree char *base = g_strstrip (g_strdup (ar_environment_get_base_image (self->draft)));

  if (base[0] != '\0')
    return g_steal_pointer (&base);
  if (backend != NULL && ar_backend_get_settings (backend)->default_base_image != NULL &&
      ar_backend_get_settings (backend)->default_base_image[0] != '\0')
    return g_strdup (ar_backend_get_settings (backend)->default_base_image);
  return g_strdup (AR_DEFAULT_BASE_IMAGE);
}

static gboolean
lookup_now (gpointer user_data)
{
  ArEnvironmentEditor *self = user_data;
  GtkWindow *window;
  ArBackend *backend;
  ArEngine *engine;
  g_autofree char *base = NULL;
  Lookup *lookup;

  self->build_user_source = 0;
  if (self->draft == NULL)
    return G_SOURCE_REMOVE;

  window = ar_ui_get_window (GTK_WIDGET (self));
  backend = AR_IS_WINDOW (window) ? ar_window_get_backend (AR_WINDOW (window)) : NULL;
  engine = backend != NULL ? ar_backend_get_engine (backend) : NULL;
  if (engine == NULL)
    {
      ar_preflight_editor_set_build_user_unknown (self->preflight_editor, _ ("no container engine"));
      return G_SOURCE_REMOVE;
    }

  base = dup_base_image (self, backend);
  lookup = g_new0 (Lookup, 1);
  lookup->self = self;
  lookup->cancellable = g_object_ref (self->build_user_cancellable);
  ar_engine_inspect_image_async (engine, base, lookup->cancellable, on_inspected, lookup);
  return G_SOURCE_REMOVE;
}

void
ar_environment_editor_update_build_user (ArEnvironmentEditor *self, gboolean at_once)
{
  g_clear_handle_id (&self->build_user_source, g_source_remove);
  /* An answer still on its way is about another image now. */
  if (self->build_user_cancellable != NULL)
    g_cancellable_cancel (self->build_user_cancellable);
  g_clear_object (&self->build_user_cancellable);
  if (self->draft == NULL)
    return;

  self->build_user_cancellable = g_cancellable_new ();
  if (at_once)
    self->build_user_source = g_idle_add (lookup_now, self);
  else
    self->build_user_source = g_timeout_add (LOOKUP_DELAY_MS, lookup_now, self);
}

void
ar_environment_editor_stop_build_user (ArEnvironmentEditor *self)
{
  g_clear_handle_id (&self->build_user_source, g_source_remove);
  if (self->build_user_cancellable != NULL)
    g_cancellable_cancel (self->build_user_cancellable);
  g_clear_object (&self->build_user_cancellable);
}
