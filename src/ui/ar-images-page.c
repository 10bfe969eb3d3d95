/* ar-images-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-image-stats.h"
#include "ar-settings.h"
#include "ar-images-page-private.h"
#include "ar-rebuild-dialog.h"
#include "ar-ui.h"

G_DEFINE_FINAL_TYPE (ArImagesPage, ar_images_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BACKEND,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GPtrArray *
ar_images_page_store_environments (ArImagesPage *self)
{
  ArEnvStore *store = ar_backend_get_store (self->backend);
  GPtrArray *envs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < ar_env_store_get_n_environments (store); i++)
    g_ptr_array_add (envs, g_object_ref (ar_env_store_get_environment (store, i)));
  return envs;
}

static ArEnvironment *
find_env (ArImagesPage *self, const char *env_id)
{
  if (env_id == NULL || *env_id == '\0')
    return NULL;
  return ar_env_store_find_by_id (ar_backend_get_store (self->backend), env_id);
}

static const char *
env_label (ArEnvironment *env)
{
  const char *name = ar_environment_get_name (env);

  return *name != '\0' ? name : ar_environment_get_env_id (env);
}

char *
ar_images_page_image_name (const ArCachedImage *image)
{
  const char *id = image->info->id;

  if (image->leftover)
    /* Translators: %s is the beginning of an image id */
    return g_strdup_printf (_ ("Leftover of a failed build %.12s"), g_str_has_prefix (id, "sha256:") ? id + 7 : id);
  if (image->info->repo_tags[0] != NULL)
    return g_strdup (image->info->repo_tags[0]);
  /* Translators: %s is the beginning of an image id */
  return g_strdup_printf (_ ("Untagged image %.12s"), g_str_has_prefix (id, "sha256:") ? id + 7 : id);
}

/* The environment an image belongs to: its own for the environment layer;
 * the one whose task built it for the shared desktop layer. */
static const char *
image_env_id (const ArCachedImage *image)
{
  if (image->layer == AR_LAYER_ENV && image->env_id != NULL)
    return image->env_id;
  return image->built_for;
}

void
ar_images_page_update_loading (ArImagesPage *self)
{
  gboolean loading = self->listing || self->op_running;

  if (self->loading == loading)
    return;
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

void
ar_images_page_show_problem (ArImagesPage *self, const char *title, const char *message)
{
  adw_status_page_set_title (self->problem_page, title);
  adw_status_page_set_description (self->problem_page, message);
  gtk_stack_set_visible_child_name (self->stack, "problem");
  gtk_label_set_label (self->summary_label, "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.remove-unused", FALSE);
}

/* ---- the lists ----------------------------------------------------------- */

static void
clear_rows (ArImagesPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (ArImagesPage *self, AdwPreferencesGroup *group, GtkWidget *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
}

static GtkWidget *
color_dot (ArEnvironment *env)
{
  const char *color = env != NULL ? ar_environment_get_color (env) : "slate";
  GtkWidget *dot = g_object_new (GTK_TYPE_BOX, "accessible-role", GTK_ACCESSIBLE_ROLE_IMG, NULL);
  g_autofree char *color_class = ar_ui_color_css_class (color);
  g_autofree char *name = NULL;

  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_widget_set_css_classes (dot, (const char *[]){ "ar-color-dot", color_class, NULL });
  /* Translators: what a screen reader says for an environment's color dot; %s is a color's name */
  name = g_strdup_printf (_ ("Color: %s"), ar_ui_color_label (color));
  gtk_accessible_update_property (GTK_ACCESSIBLE (dot), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return dot;
}

static void
on_rebuild_clicked (GtkButton *button, ArImagesPage *self)
{
  ar_images_page_rebuild (self, g_object_get_data (G_OBJECT (button), "env-id"));
}

static GtkWidget *
rebuild_button (ArImagesPage *self, ArEnvironment *env)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (_ ("_Rebuild"));
  gboolean wants = ar_environment_wants_env_layer (env) || ar_environment_wants_desktop_layer (env);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  {
    /* Translators: what a screen reader says for an environment's Rebuild button; %s is its name */
    g_autofree char *name = g_strdup_printf (_ ("Rebuild %s"), env_label (env));

    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  }
  g_object_set_data_full (G_OBJECT (button), "env-id", g_strdup (ar_environment_get_env_id (env)), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_rebuild_clicked), self);
  gtk_widget_set_sensitive (button, wants);
  gtk_widget_set_tooltip_text (button,
                               wants ? _ ("Build this environment's images again, running its cached preflight anew")
                                     : _ ("This environment wants no cached image: turn on container caching with a split preflight, or the cached desktop"));
  return button;
}

static char *
in_use_tooltip (ArImagesPage *self, const ArCachedImage *image)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; image->wanted_by[i] != NULL; i++)
    {
      ArEnvironment *env = find_env (self, image->wanted_by[i]);

      g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "",
                              env != NULL ? env_label (env) : image->wanted_by[i]);
    }
  if (text->len > 0)
    {
      /* Translators: %s is a list of environment names */
      g_autofree char *names = g_string_free (g_steal_pointer (&text), FALSE);

      text = g_string_new (NULL);
      g_string_printf (text, _ ("Wanted by the current configuration of %s"), names);
    }
  if (image->used_by_container)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "; " : "",
                            _ ("a container was made from it, so it cannot be removed"));
  if (!image->ours)
    {
      g_string_truncate (text, 0);
      g_string_append (text, _ ("Built by another install of Agents Runner that shares this engine: only that install decides whether it is still needed, so it is never removed from here"));
    }
  else if (text->len == 0)
    g_string_append (text, _ ("No environment wants it any more and no container uses it: Remove Unused removes it"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GtkWidget *
image_row (ArImagesPage *self, const ArCachedImage *image, const char *engine)
{
  GtkWidget *row = adw_action_row_new ();
  ArEnvironment *env = find_env (self, image_env_id (image));
  g_autofree char *name = ar_images_page_image_name (image);
  g_autofree char *owner = NULL;
  g_autofree char *size = g_format_size (image->info->size);
  g_autofree char *created = ar_ui_format_time (image->info->created, _ ("unknown"));
  g_autofree char *last_used = ar_ui_format_time (image->last_used, _ ("never"));
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = in_use_tooltip (self, image);
  gboolean in_use = ar_cached_image_in_use (image);
  GtkWidget *badge;

  if (image->leftover)
    owner = g_strdup (_ ("Left untagged by a build of this install that failed"));
  else if (!image->ours)
    /* Translators: %s is the beginning of another install's id */
    owner = g_strdup_printf (_ ("Built by another install (%.8s)"),
                             image->install_id[0] != '\0' ? image->install_id : _ ("unknown"));
  else if (image->layer == AR_LAYER_DESKTOP)
    owner = env != NULL ? g_strdup_printf (_ ("Desktop layer, shared; built for %s"), env_label (env))
                        : g_strdup (_ ("Desktop layer, shared"));
  else if (env != NULL)
    /* Translators: %s is an environment's name */
    owner = g_strdup_printf (_ ("Environment layer of %s"), env_label (env));
  else
    /* Translators: %s is an environment id */
    owner = g_strdup_printf (_ ("Environment layer of %s (no longer in the list)"),
                             image->env_id != NULL ? image->env_id : "?");
  /* Translators: size · when it was built · when a task last used it */
  subtitle = g_strdup_printf (_ ("%s\n%s · built %s · last used %s"), owner, size, created, last_used);

  if (engine != NULL)
    {
      /* design.md §3.6: with several engines each image says which. */
      g_autofree char *with_engine = NULL;

      /* Translators: %s is an engine's name; then the lines about the image */
      with_engine = g_strdup_printf (_ ("On %s · %s"), ar_engine_display_name (engine), subtitle);
      g_free (subtitle);
      subtitle = g_steal_pointer (&with_engine);
    }

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), color_dot (env));

  badge = gtk_label_new (!image->ours ? _ ("Other install") : in_use ? _ ("In use")
                                                                     : _ ("Unused"));
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_set_css_classes (badge, !ar_cached_image_is_unused (image) ? (const char *[]){ "ar-badge", NULL }
                                                                        : (const char *[]){ "ar-badge", "ar-unused", NULL });
  gtk_widget_set_tooltip_text (badge, tooltip);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
  if (env != NULL && image->ours && !image->leftover)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), rebuild_button (self, env));
  return row;
}

static gint64
last_build_of (ArImagesPage *self, const char *env_id)
{
  gint64 newest = 0;

  /* The stats keep counters, not dates: the newest image built for the
   * environment says when it last built. */
  for (guint i = 0; i < self->images->len; i++)
    {
      const ArCachedImage *image = g_ptr_array_index (self->images, i);

      if (image->ours && g_strcmp0 (image_env_id (image), env_id) == 0)
        newest = MAX (newest, image->info->created);
    }
  return newest;
}

static GtkWidget *
env_row (ArImagesPage *self, ArEnvironment *env)
{
  GtkWidget *row = adw_action_row_new ();
  const char *env_id = ar_environment_get_env_id (env);
  ArImageStats stats;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *last_build = NULL;

  ar_image_stats_snapshot_get (self->stats, env_id, &stats);
  if (stats.tasks > 0)
    {
      int rate = (int) (100.0 * ar_image_stats_hit_rate (&stats) + 0.5);
      g_autofree char *hits = g_strdup_printf ("%" G_GUINT64_FORMAT, stats.hits);
      g_autofree char *tasks = g_strdup_printf ("%" G_GUINT64_FORMAT, stats.tasks);

      /* Translators: the cache hit rate in percent, then hits and tasks */
      g_string_append_printf (subtitle, _ ("Hit rate %d %% (%s hits in %s tasks)"), rate, hits, tasks);
      if (stats.partial_hits > 0)
        {
          g_autofree char *partial = g_strdup_printf ("%" G_GUINT64_FORMAT, stats.partial_hits);

          g_string_append (subtitle, ", ");
          /* Translators: %s is a number of tasks that found some of their layers ready */
          g_string_append_printf (subtitle, _ ("%s partial"), partial);
        }
    }
  else
    g_string_append (subtitle, _ ("No task with a cached image yet"));
  g_string_append (subtitle, " · ");
  g_string_append_printf (subtitle, g_dngettext (GETTEXT_PACKAGE, "%u build", "%u builds", (gulong) stats.builds),
                          (guint) stats.builds);
  if (stats.build_failures > 0)
    {
      g_string_append (subtitle, ", ");
      g_string_append_printf (subtitle,
                              g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed", (gulong) stats.build_failures),
                              (guint) stats.build_failures);
    }
  if (stats.builds > 0)
    {
      g_autofree char *total = ar_ui_format_duration (stats.build_seconds);
      g_autofree char *average = ar_ui_format_duration (stats.build_seconds / stats.builds);

      g_string_append (subtitle, " · ");
      if (stats.builds == 1)
        /* Translators: %s is the time the one build took */
        g_string_append_printf (subtitle, _ ("%s building"), total);
      else
        /* Translators: the time all builds took, then the time of one build on average */
        g_string_append_printf (subtitle, _ ("%s building, %s a build"), total, average);
    }
  last_build = ar_ui_format_time (last_build_of (self, env_id), NULL);
  if (last_build != NULL)
    {
      g_string_append (subtitle, "\n");
      /* Translators: %s is a date and time */
      g_string_append_printf (subtitle, _ ("Last build %s"), last_build);
    }

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), env_label (env));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), color_dot (env));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), rebuild_button (self, env));
  return row;
}

static void
render (ArImagesPage *self)
{
  ArEnvStore *store = ar_backend_get_store (self->backend);
  gint64 total = 0, unused_size = 0;
  guint unused = 0, others = 0;
  g_autofree char *total_text = NULL;
  g_autofree char *summary = NULL;

  clear_rows (self);
  for (guint i = 0; i < self->images->len; i++)
    {
      const ArCachedImage *image = g_ptr_array_index (self->images, i);
      const char *engine = i < self->image_engines->len ? g_ptr_array_index (self->image_engines, i) : NULL;

      total += image->info->size;
      if (ar_cached_image_is_unused (image))
        {
          unused++;
          unused_size += image->info->size;
        }
      others += !image->ours;
      add_row (self, image->ours ? self->images_group : self->others_group, image_row (self, image, engine));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->others_group), others > 0);
  if (self->images->len == others)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _ ("No cached images yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _ ("An environment with container caching and a split preflight gets its image at its first task, or with Rebuild below."));
      add_row (self, self->images_group, row);
    }
  for (guint i = 0; i < ar_env_store_get_n_environments (store); i++)
    add_row (self, self->envs_group, env_row (self, ar_env_store_get_environment (store, i)));

  total_text = g_format_size (total);
  if (unused > 0)
    {
      g_autofree char *unused_text = g_format_size (unused_size);

      /* Translators: images, their total size, then how many are unused and their size */
      summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image, %s on disk · %u unused (%s)",
                                              "%u images, %s on disk · %u unused (%s)", self->images->len),
                                 self->images->len, total_text, unused, unused_text);
    }
  else
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u image, %s on disk", "%u images, %s on disk",
                                            self->images->len),
                               self->images->len, total_text);
  gtk_label_set_label (self->summary_label, summary);
  gtk_label_set_label (self->unreachable_label, self->unreachable != NULL ? self->unreachable : "");
  gtk_widget_set_visible (GTK_WIDGET (self->unreachable_label), self->unreachable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.remove-unused", unused > 0);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
stats_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GCancellable) request = user_data;
  g_autoptr(ArImagesPage) self = g_object_steal_data (G_OBJECT (request), "ar-images-page");
  g_autoptr(ArImageStatsSnapshot) stats = ar_image_stats_snapshot_read_finish (result, NULL);

  /* As for the listing: a replaced request's answer is older. */
  if (g_cancellable_is_cancelled (request) || stats == NULL)
    return;
  self->listing = FALSE;
  ar_images_page_update_loading (self);
  g_clear_pointer (&self->stats, ar_image_stats_snapshot_unref);
  self->stats = g_steal_pointer (&stats);
  render (self);
}

static void listed_images (ArImagesPage *self, GCancellable *request, GPtrArray *images, GError *error);

/* The cancellable of one listing: cancelled when a later refresh replaces
 * it, whether or not the listing itself stops in time. */
static void
listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GCancellable) request = user_data;
  g_autoptr(ArImagesPage) self = g_object_steal_data (G_OBJECT (request), "ar-images-page");
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;

  images = ar_image_builder_list_cached_finish (AR_IMAGE_BUILDER (source), result, &error);
  /* A replaced listing may still finish, even after the one that replaced
   * it: its answer is older and must not be shown. */
  if (g_cancellable_is_cancelled (request))
    return;
  g_ptr_array_set_size (self->image_engines, 0);
  g_clear_pointer (&self->unreachable, g_free);
  listed_images (self, request, g_steal_pointer (&images), error);
}

/* ---- several engines (design.md §3.6): each one that answers -------------- */

typedef struct {
  ArImagesPage *self;
  GCancellable *request;
  guint pending;
  GPtrArray *images;  /* ArCachedImage, of every engine that answered */
  GPtrArray *engines; /* char *, the engine of each */
  GString *unreachable;
  GError *error; /* the first engine's error, when none answers */
  guint answered;
} Listing;

typedef struct {
  Listing *listing;
  char *engine;
} EngineListing;

static void
listing_free (Listing *listing)
{
  g_object_unref (listing->self);
  g_object_unref (listing->request);
  g_ptr_array_unref (listing->images);
  g_ptr_array_unref (listing->engines);
  g_string_free (listing->unreachable, TRUE);
  g_clear_error (&listing->error);
  g_free (listing);
}

static void
listing_done (Listing *listing)
{
  ArImagesPage *self = listing->self;

  if (--listing->pending > 0)
    return;
  if (!g_cancellable_is_cancelled (listing->request))
    {
      g_ptr_array_unref (self->image_engines);
      self->image_engines = g_ptr_array_ref (listing->engines);
      g_free (self->unreachable);
      self->unreachable = listing->unreachable->len > 0 ? g_strdup (listing->unreachable->str) : NULL;
      g_object_steal_data (G_OBJECT (listing->request), "ar-images-page");
      g_object_unref (self); /* that data's reference */
      if (listing->answered > 0)
        listed_images (self, listing->request, g_ptr_array_ref (listing->images), NULL);
      else
        listed_images (self, listing->request, NULL, listing->error);
    }
  listing_free (listing);
}

static void
engine_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EngineListing *one = user_data;
  Listing *listing = one->listing;
  g_autofree char *engine = one->engine;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;

  g_free (one);
  images = ar_image_builder_list_cached_finish (AR_IMAGE_BUILDER (source), result, &error);
  if (images != NULL)
    {
      listing->answered++;
      for (guint i = 0; i < images->len; i++)
        g_ptr_array_add (listing->engines, g_strdup (engine));
      g_ptr_array_extend_and_steal (listing->images, g_steal_pointer (&images));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (listing->unreachable->len > 0)
        g_string_append_c (listing->unreachable, '\n');
      /* Translators: an engine's name, then why its images could not be listed */
      g_string_append_printf (listing->unreachable, _ ("%s did not answer: %s"), ar_engine_display_name (engine),
                              error->message);
      if (listing->error == NULL)
        listing->error = g_steal_pointer (&error);
    }
  listing_done (listing);
}

static void
list_engine (Listing *listing, ArImageBuilder *builder, const char *engine, GPtrArray *envs)
{
  EngineListing *one = g_new0 (EngineListing, 1);

  one->listing = listing;
  one->engine = g_strdup (engine);
  listing->pending++;
  ar_image_builder_list_cached_async (builder, envs, ar_backend_get_settings (listing->self->backend),
                                      listing->request, engine_listed, one);
}

static void
list_every_engine (ArImagesPage *self, GPtrArray *envs)
{
  const ArSettings *settings = ar_backend_get_settings (self->backend);
  Listing *listing = g_new0 (Listing, 1);

  listing->self = g_object_ref (self);
  listing->request = g_object_ref (self->list_cancellable);
  listing->images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_cached_image_free);
  listing->engines = g_ptr_array_new_with_free_func (g_free);
  listing->unreachable = g_string_new (NULL);
  listing->pending = 1; /* until every engine is asked */
  list_engine (listing, ar_backend_get_builder (self->backend), AR_LOCAL_ENGINE_NAME, envs);
  for (guint i = 0; i < settings->engines->len; i++)
    {
      const ArEngineEntry *entry = g_ptr_array_index (settings->engines, i);
      g_autoptr(GError) error = NULL;
      ArImageBuilder *builder = ar_task_manager_get_builder (ar_backend_get_task_manager (self->backend), entry->name,
                                                             &error);

      if (builder != NULL)
        list_engine (listing, builder, entry->name, envs);
      else
        {
          if (listing->unreachable->len > 0)
            g_string_append_c (listing->unreachable, '\n');
          g_string_append_printf (listing->unreachable, _ ("%s did not answer: %s"), entry->name, error->message);
        }
    }
  listing_done (listing);
}

/* Takes @images (NULL when @error says why). */
static void
listed_images (ArImagesPage *self, GCancellable *request, GPtrArray *images_, GError *error)
{
  g_autoptr(GPtrArray) images = images_;

  self->listing = FALSE;
  ar_images_page_update_loading (self);
  if (images == NULL)
    {
      self->failed = TRUE;
      ar_images_page_show_problem (self, error->domain == AR_ENGINE_ERROR ? _ ("No Container Engine") : _ ("Could Not List the Images"),
                                   error->message);
      return;
    }
  self->failed = FALSE;
  g_ptr_array_unref (self->images);
  self->images = g_steal_pointer (&images);
  /* The counters of every environment row, in one read off this thread;
   * the listing stays current (loading) until they are in. */
  self->listing = TRUE;
  ar_images_page_update_loading (self);
  g_object_set_data_full (G_OBJECT (request), "ar-images-page", g_object_ref (self), g_object_unref);
  ar_image_stats_snapshot_read_async (request, stats_read, g_object_ref (request));
}

void
ar_images_page_refresh (ArImagesPage *self)
{
  g_autoptr(GPtrArray) envs = NULL;

  g_return_if_fail (AR_IS_IMAGES_PAGE (self));

  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  /* The end of Remove unused lists again anyway. */
  if (self->op_running)
    {
      self->dirty = TRUE;
      return;
    }
  if (self->list_cancellable != NULL)
    g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  self->dirty = FALSE;

  /* The banner says the same as this page: ask the engine again. */
  if (ar_backend_get_engine_problem (self->backend) != NULL)
    ar_backend_ping (self->backend);
  if (self->images->len == 0 || self->failed)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  self->listing = TRUE;
  ar_images_page_update_loading (self);
  g_object_set_data_full (G_OBJECT (self->list_cancellable), "ar-images-page",
                          g_object_ref (self), g_object_unref);
  envs = ar_images_page_store_environments (self);
  if (ar_backend_get_several_engines (self->backend))
    {
      list_every_engine (self, envs);
      return;
    }
  ar_image_builder_list_cached_async (ar_backend_get_builder (self->backend), envs,
                                      ar_backend_get_settings (self->backend), self->list_cancellable, listed,
                                      g_object_ref (self->list_cancellable));
}

gboolean
ar_images_page_get_loading (ArImagesPage *self)
{
  g_return_val_if_fail (AR_IS_IMAGES_PAGE (self), FALSE);
  return self->loading;
}

GPtrArray *
ar_images_page_get_images (ArImagesPage *self)
{
  g_return_val_if_fail (AR_IS_IMAGES_PAGE (self), NULL);
  return self->images;
}

static gboolean
refresh_idle_cb (gpointer user_data)
{
  ArImagesPage *self = user_data;

  g_assert (AR_IS_IMAGES_PAGE (self));

  self->refresh_idle = 0;
  ar_images_page_refresh (self);
  return G_SOURCE_REMOVE;
}

/* Lists again now when shown, else when next shown. */
static void
mark_dirty (ArImagesPage *self)
{
  self->dirty = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->refresh_idle == 0)
    self->refresh_idle = g_idle_add (refresh_idle_cb, self);
}

static void
on_map (ArImagesPage *self)
{
  if (self->dirty)
    ar_images_page_refresh (self);
}

static void
on_engine_problem (ArImagesPage *self)
{
  const char *problem = ar_backend_get_engine_problem (self->backend);

  if (problem != NULL)
    {
      if (!self->loading)
        ar_images_page_show_problem (self, _ ("No Container Engine"), problem);
      self->failed = TRUE;
    }
  else if (self->failed)
    mark_dirty (self);
}

static void
on_manager_replaced (ArImagesPage *self)
{
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, mark_dirty, self);
  g_set_object (&self->manager, ar_backend_get_task_manager (self->backend));
  g_signal_connect_object (self->manager, "task-finished", G_CALLBACK (mark_dirty), self, G_CONNECT_SWAPPED);
}

/* ---- rebuild --------------------------------------------------------------- */

GtkWidget *
ar_images_page_rebuild (ArImagesPage *self,
                        const char *env_id)
{
  ArEnvironment *env;
  ArImageBuilder *builder;
  GtkWidget *dialog;

  g_return_val_if_fail (AR_IS_IMAGES_PAGE (self), NULL);

  env = find_env (self, env_id);
  if (env == NULL)
    return NULL;
  /* On the environment's own engine; the local one when it names none
   * that Preferences know (its tasks would not start either). */
  builder = ar_task_manager_get_builder (ar_backend_get_task_manager (self->backend), ar_environment_get_engine (env),
                                         NULL);
  dialog = ar_rebuild_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                  builder != NULL ? builder : ar_backend_get_builder (self->backend), env,
                                  ar_backend_get_settings (self->backend));
  g_signal_connect_object (dialog, "finished", G_CALLBACK (mark_dirty), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
refresh_action (GtkWidget *widget,
                const char *action_name,
                GVariant *parameter)
{
  ar_images_page_refresh (AR_IMAGES_PAGE (widget));
}

/* ---- object ------------------------------------------------------------------ */

static void
ar_images_page_constructed (GObject *object)
{
  ArImagesPage *self = AR_IMAGES_PAGE (object);

  G_OBJECT_CLASS (ar_images_page_parent_class)->constructed (object);

  g_return_if_fail (self->backend != NULL);

  g_signal_connect_object (self->backend, "notify::engine-problem", G_CALLBACK (on_engine_problem), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend, "notify::builder", G_CALLBACK (mark_dirty), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend, "notify::several-engines", G_CALLBACK (mark_dirty), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend, "notify::task-manager", G_CALLBACK (on_manager_replaced), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ar_backend_get_store (self->backend), "items-changed", G_CALLBACK (mark_dirty), self,
                           G_CONNECT_SWAPPED);
  on_manager_replaced (self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  if (ar_backend_get_engine_problem (self->backend) != NULL)
    on_engine_problem (self);
}

static void
ar_images_page_dispose (GObject *object)
{
  ArImagesPage *self = AR_IMAGES_PAGE (object);

  g_cancellable_cancel (self->list_cancellable);
  g_cancellable_cancel (self->op_cancellable);
  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, mark_dirty, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_IMAGES_PAGE);
  g_clear_object (&self->manager);
  g_clear_object (&self->backend);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->op_cancellable);

  G_OBJECT_CLASS (ar_images_page_parent_class)->dispose (object);
}

static void
ar_images_page_finalize (GObject *object)
{
  ArImagesPage *self = AR_IMAGES_PAGE (object);

  g_ptr_array_unref (self->images);
  g_ptr_array_unref (self->image_engines);
  g_free (self->unreachable);
  g_ptr_array_unref (self->rows);
  g_clear_pointer (&self->stats, ar_image_stats_snapshot_unref);

  G_OBJECT_CLASS (ar_images_page_parent_class)->finalize (object);
}

static void
ar_images_page_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  ArImagesPage *self = AR_IMAGES_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACKEND: g_value_set_object (value, self->backend); break;
    case PROP_LOADING: g_value_set_boolean (value, self->loading); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_images_page_set_property (GObject *object,
                             guint prop_id,
                             const GValue *value,
                             GParamSpec *pspec)
{
  ArImagesPage *self = AR_IMAGES_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACKEND: self->backend = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_images_page_class_init (ArImagesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ar_images_page_constructed;
  object_class->dispose = ar_images_page_dispose;
  object_class->finalize = ar_images_page_finalize;
  object_class->get_property = ar_images_page_get_property;
  object_class->set_property = ar_images_page_set_property;

  properties[PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, AR_TYPE_BACKEND,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-images-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, unreachable_label);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, remove_button);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, problem_page);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, images_group);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, others_group);
  gtk_widget_class_bind_template_child (widget_class, ArImagesPage, envs_group);

  gtk_widget_class_install_action (widget_class, "images.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "images.remove-unused", NULL, ar_images_page_remove_unused_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "images.refresh", NULL);
}

static void
ar_images_page_init (ArImagesPage *self)
{
  self->images = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_cached_image_free);
  self->image_engines = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_ptr_array_new ();
  self->dirty = TRUE;
  self->list_cancellable = g_cancellable_new ();
  self->op_cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.remove-unused", FALSE);
}

GtkWidget *
ar_images_page_new (ArBackend *backend)
{
  g_return_val_if_fail (AR_IS_BACKEND (backend), NULL);

  return g_object_new (AR_TYPE_IMAGES_PAGE, "backend", backend, NULL);
}
