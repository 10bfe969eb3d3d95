/* ar-image-inventory.c — the cached images: list and prune (design.md §3.6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-image-builder-private.h"
#include "ar-paths.h"

void
ar_cached_image_free (ArCachedImage *image)
{
  if (image == NULL)
    return;
  g_clear_pointer (&image->info, ar_image_info_free);
  g_free (image->env_id);
  g_free (image->built_for);
  g_free (image->install_id);
  g_strfreev (image->wanted_by);
  g_free (image);
}

gboolean
ar_cached_image_in_use (const ArCachedImage *image)
{
  g_return_val_if_fail (image != NULL, FALSE);

  return image->used_by_container || (image->wanted_by != NULL && image->wanted_by[0] != NULL);
}

gboolean
ar_cached_image_is_unused (const ArCachedImage *image)
{
  g_return_val_if_fail (image != NULL, FALSE);

  return image->ours && !ar_cached_image_in_use (image);
}

/* ---- list ------------------------------------------------------------------------ */

typedef struct {
  GPtrArray *environments;
  ArSettings *settings;
  GPtrArray *images;           /* ArImageInfo */
  GHashTable *container_ids;   /* bare image id → TRUE */
  GHashTable *wanted;          /* cache key → GPtrArray of env ids */
  GPtrArray *lines;            /* output of the CLI step running now */
  ArImageStatsSnapshot *stats; /* last uses, read once */
  guint next_env;
  char *install_id; /* this install's; NULL when it cannot be had */
} ListData;

static void
list_data_free (ListData *data)
{
  g_clear_pointer (&data->environments, g_ptr_array_unref);
  g_clear_pointer (&data->settings, ar_settings_free);
  g_clear_pointer (&data->images, g_ptr_array_unref);
  g_clear_pointer (&data->container_ids, g_hash_table_unref);
  g_clear_pointer (&data->wanted, g_hash_table_unref);
  g_clear_pointer (&data->lines, g_ptr_array_unref);
  g_clear_pointer (&data->stats, ar_image_stats_snapshot_unref);
  g_free (data->install_id);
  g_free (data);
}

static gboolean
in_scope (ArImageBuilder *self, const ArImageInfo *info)
{
  const char *scope = self->scope_label;
  const char *eq;
  g_autofree char *name = NULL;

  if (scope == NULL)
    return TRUE;
  eq = strchr (scope, '=');
  name = g_strndup (scope, eq - scope);
  return g_strcmp0 (ar_image_info_get_label (info, name), eq + 1) == 0;
}

static void
want_key (ListData *data, const char *key, const char *env_id)
{
  GPtrArray *ids;

  if (key == NULL)
    return;
  ids = g_hash_table_lookup (data->wanted, key);
  if (ids == NULL)
    {
      ids = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (data->wanted, g_strdup (key), ids);
    }
  if (!g_ptr_array_find_with_equal_func (ids, env_id, g_str_equal, NULL))
    g_ptr_array_add (ids, g_strdup (env_id));
}

/* The steps take the reference they are given. */
static void
list_complete (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  ArImageBuilder *self = g_task_get_source_object (task);
  ListData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_cached_image_free);

  for (guint i = 0; i < data->images->len; i++)
    {
      ArImageInfo *info = g_ptr_array_index (data->images, i);
      ArCachedImage *image;
      GPtrArray *ids;
      const char *layer = ar_image_info_get_label (info, AR_LABEL_LAYER);
      const char *key;

      const char *install = ar_image_info_get_label (info, AR_LABEL_INSTALL);
      gboolean ours = data->install_id != NULL && g_strcmp0 (install, data->install_id) == 0;
      gboolean leftover = FALSE;

      if (!in_scope (self, info))
        continue;
      if (g_strcmp0 (layer, "desktop") != 0 && g_strcmp0 (layer, "env") != 0)
        {
          /* A step image of our failed build: no layer label (that comes
           * last), no tag, no child (the engine lists only the newest). */
          if (!ours || layer != NULL || info->repo_tags[0] != NULL)
            continue;
          leftover = TRUE;
        }

      image = g_new0 (ArCachedImage, 1);
      image->ours = ours;
      image->leftover = leftover;
      image->install_id = g_strdup (install != NULL ? install : "");
      image->layer = g_strcmp0 (layer, "desktop") == 0 ? AR_LAYER_DESKTOP : AR_LAYER_ENV;
      image->env_id = image->layer == AR_LAYER_ENV && !leftover ? g_strdup (ar_image_info_get_label (info, AR_LABEL_ENV_ID))
                                                                : NULL;
      image->built_for = g_strdup (ar_image_info_get_label (info, AR_LABEL_BUILT_FOR) != NULL
                                     ? ar_image_info_get_label (info, AR_LABEL_BUILT_FOR)
                                     : "");
      for (guint t = 0; info->repo_tags[t] != NULL; t++)
        image->last_used = MAX (image->last_used, ar_image_stats_snapshot_get_last_used (data->stats, info->repo_tags[t]));
      key = ar_image_info_get_label (info, AR_LABEL_CACHE_KEY);
      ids = key != NULL ? g_hash_table_lookup (data->wanted, key) : NULL;
      if (ids != NULL)
        {
          g_ptr_array_add (ids, NULL);
          image->wanted_by = g_strdupv ((char **) ids->pdata);
          g_ptr_array_remove_index (ids, ids->len - 1);
        }
      else
        image->wanted_by = g_new0 (char *, 1);
      image->used_by_container = g_hash_table_contains (data->container_ids, ar_image_bare_id (info->id));
      /* steal the info from the list */
      image->info = g_ptr_array_index (data->images, i);
      data->images->pdata[i] = NULL;
      g_ptr_array_add (out, image);
    }
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_ptr_array_unref);
}

static void plan_next (GTask *task);

static void
stats_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ListData *data = g_task_get_task_data (task);

  /* A snapshot is never an error: a missing file reads as empty. */
  data->stats = ar_image_stats_snapshot_read_finish (result, NULL);
  list_complete (task);
}

static void
planned (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  ArEnvironment *env = g_ptr_array_index (data->environments, data->next_env - 1);
  g_autoptr(ArImageResolution) plan = NULL;
  g_autoptr(GError) error = NULL;

  plan = ar_image_builder_plan_finish (AR_IMAGE_BUILDER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* An environment that cannot be planned wants nothing that exists. */
  if (plan != NULL)
    {
      want_key (data, plan->desktop.key, ar_environment_get_env_id (env));
      want_key (data, plan->env.key, ar_environment_get_env_id (env));
    }
  plan_next (g_steal_pointer (&task));
}

static void
plan_next (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  ListData *data = g_task_get_task_data (task);
  ArEnvironment *env;

  if (data->next_env >= data->environments->len)
    {
      /* The last uses of every image, in one read off this thread. */
      ar_image_stats_snapshot_read_async (NULL, stats_read, task);
      return;
    }
  env = g_ptr_array_index (data->environments, data->next_env++);
  ar_image_builder_plan_async (self, env, data->settings, g_task_get_cancellable (task), planned, task);
}

/* What the engine prints for a container that is not there (Docker,
 * Podman). */
static gboolean
says_no_such_container (const char *stderr_tail)
{
  g_autofree char *lower = g_ascii_strdown (stderr_tail != NULL ? stderr_tail : "", -1);

  return strstr (lower, "no such container") != NULL || strstr (lower, "no such object") != NULL;
}

/* Every container, in any state, by the ID of its image. The engine's
 * container list takes a label filter, and what must be protected here is
 * any container at all, so this asks the CLI: ids, then their images. */
static void
collect_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  GPtrArray *lines = user_data;

  if (stream == AR_ENGINE_STREAM_STDOUT && line[0] != '\0')
    g_ptr_array_add (lines, g_strdup (line));
}

static void
containers_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), result, &tail, &error);
  /* A container removed since the list makes inspect fail for it alone;
   * the others are still printed. Nothing printed is a real failure, unless
   * the engine says the containers are gone: every one listed was removed
   * meanwhile (another program's tasks end all the time), and a gone
   * container protects no image. */
  if (error == NULL && status != 0 && data->lines->len == 0 && !says_no_such_container (tail))
    {
      const char *args[] = { "container", "inspect", NULL };

      error = ar_engine_cli_error_new (AR_ENGINE (source), args, status, tail);
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < data->lines->len; i++)
    g_hash_table_add (data->container_ids, g_strdup (ar_image_bare_id (g_strstrip (g_ptr_array_index (data->lines, i)))));
  plan_next (g_steal_pointer (&task));
}

static void
containers_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = NULL;
  g_autofree char *tail = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), result, &tail, &error);
  if (error == NULL && status != 0)
    {
      const char *ps[] = { "ps", NULL };

      error = ar_engine_cli_error_new (AR_ENGINE (source), ps, status, tail);
    }
  if (error != NULL)
    {
      /* Without the containers nothing can be called unused. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ids = g_steal_pointer (&data->lines);
  data->lines = g_ptr_array_new_with_free_func (g_free);
  if (ids->len == 0)
    {
      plan_next (g_steal_pointer (&task));
      return;
    }
  g_ptr_array_add (args, (char *) "container");
  g_ptr_array_add (args, (char *) "inspect");
  g_ptr_array_add (args, (char *) "--format");
  g_ptr_array_add (args, (char *) "{{.Image}}");
  g_ptr_array_add (args, (char *) "--");
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (args, g_ptr_array_index (ids, i));
  g_ptr_array_add (args, NULL);
  ar_engine_run_cli_async (AR_ENGINE (source), (const char *const *) args->pdata, NULL, collect_line, data->lines,
                           60, g_task_get_cancellable (task), containers_inspected, g_object_ref (task));
}

static void
list_containers (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  ListData *data = g_task_get_task_data (task);
  ArImageBuilder *self = g_task_get_source_object (task);
  const char *ps[] = { "ps", "-a", "-q", "--no-trunc", NULL };

  ar_engine_run_cli_async (self->engine, ps, NULL, collect_line, data->lines, 60,
                           g_task_get_cancellable (task), containers_listed, g_object_ref (task));
}

/* Ours, by the install label: the cached images again, and the untagged
 * step images our failed builds left. */
static void
ours_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ours = NULL;

  ours = ar_engine_list_images_finish (AR_ENGINE (source), result, &error);
  if (ours == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < ours->len; i++)
    {
      ArImageInfo *info = g_ptr_array_index (ours, i);

      if (ar_image_info_get_label (info, AR_LABEL_LAYER) != NULL || info->repo_tags[0] != NULL)
        continue;
      g_ptr_array_add (data->images, info);
      ours->pdata[i] = NULL;
    }
  list_containers (g_steal_pointer (&task));
}

static void
images_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->images = ar_engine_list_images_finish (AR_ENGINE (source), result, &error);
  if (data->images == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->install_id != NULL)
    {
      g_autofree char *label = g_strconcat (AR_LABEL_INSTALL "=", data->install_id, NULL);
      GCancellable *cancellable = g_task_get_cancellable (task);

      ar_engine_list_images_async (AR_ENGINE (source), label, cancellable, ours_listed, g_steal_pointer (&task));
      return;
    }
  list_containers (g_steal_pointer (&task));
}

void
ar_image_builder_list_cached_async (ArImageBuilder *self,
                                    GPtrArray *environments,
                                    const ArSettings *settings,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  ListData *data;

  g_return_if_fail (AR_IS_IMAGE_BUILDER (self));
  g_return_if_fail (settings != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_image_builder_list_cached_async);
  data = g_new0 (ListData, 1);
  data->environments = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; environments != NULL && i < environments->len; i++)
    g_ptr_array_add (data->environments, ar_environment_copy (g_ptr_array_index (environments, i)));
  data->settings = ar_settings_copy (settings);
  data->container_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  data->wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  data->lines = g_ptr_array_new_with_free_func (g_free);
  /* Without it nothing is ours: nothing is unused, nothing is pruned. */
  data->install_id = ar_paths_dup_install_id (NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  ar_engine_list_images_async (self->engine, AR_LABEL_LAYER, cancellable, images_listed, g_steal_pointer (&task));
}

GPtrArray *
ar_image_builder_list_cached_finish (ArImageBuilder *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_image_builder_list_cached_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- prune ------------------------------------------------------------------------ */

typedef struct {
  gboolean dry_run;
  GPtrArray *candidates; /* ArCachedImage, in removal order */
  GPtrArray *removed;    /* ArCachedImage */
  GPtrArray *failures;   /* char* */
  guint next;
} PruneData;

static void
prune_data_free (PruneData *data)
{
  g_clear_pointer (&data->candidates, g_ptr_array_unref);
  g_clear_pointer (&data->removed, g_ptr_array_unref);
  g_clear_pointer (&data->failures, g_ptr_array_unref);
  g_free (data);
}

static void prune_next (GTask *task);

static char *
image_display_name (const ArCachedImage *image)
{
  if (image->info->repo_tags[0] != NULL)
    return g_strdup (image->info->repo_tags[0]);
  return ar_image_short_id (image->info->id);
}

static void
prune_done (GTask *owned_task)
{
  g_autoptr(GTask) task = owned_task;
  PruneData *data = g_task_get_task_data (task);

  if (!data->dry_run)
    {
      g_autoptr(GPtrArray) tags = g_ptr_array_new ();

      for (guint i = 0; i < data->removed->len; i++)
        {
          ArCachedImage *image = g_ptr_array_index (data->removed, i);

          for (guint t = 0; image->info->repo_tags[t] != NULL; t++)
            g_ptr_array_add (tags, image->info->repo_tags[t]);
        }
      g_ptr_array_add (tags, NULL);
      /* Only bookkeeping: the images are gone either way. */
      ar_image_stats_forget_tags ((const char *const *) tags->pdata, NULL);
    }
  if (data->failures->len > 0)
    {
      guint n = data->failures->len;
      g_autofree char *joined = NULL;

      g_ptr_array_add (data->failures, NULL);
      joined = g_strjoinv ("; ", (char **) data->failures->pdata);
      g_task_return_new_error (task, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                               g_dngettext (GETTEXT_PACKAGE, "%u cached image could not be removed: %s",
                                            "%u cached images could not be removed: %s", n),
                               n, joined);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->removed), (GDestroyNotify) g_ptr_array_unref);
}

static void
removed_one (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PruneData *data = g_task_get_task_data (task);
  ArCachedImage *image = g_ptr_array_index (data->candidates, data->next - 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), result, &tail, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (error == NULL && status == 0)
    {
      g_ptr_array_add (data->removed, image);
      data->candidates->pdata[data->next - 1] = NULL;
    }
  else
    {
      g_autofree char *name = image_display_name (image);

      g_ptr_array_add (data->failures,
                       g_strdup_printf ("%s: %s", name, error != NULL ? error->message : g_strstrip (tail)));
    }
  prune_next (g_steal_pointer (&task));
}

static void
prune_next (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  PruneData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  ArCachedImage *image;

  if (data->next >= data->candidates->len)
    {
      prune_done (task);
      return;
    }
  image = g_ptr_array_index (data->candidates, data->next++);
  /* Without -f: the engine itself refuses an image a container started
   * meanwhile uses. Tags, not the ID, so that an image with several tags
   * is not refused for that. */
  g_ptr_array_add (args, (char *) "image");
  g_ptr_array_add (args, (char *) "rm");
  g_ptr_array_add (args, (char *) "--");
  if (image->info->repo_tags[0] != NULL)
    for (guint t = 0; image->info->repo_tags[t] != NULL; t++)
      g_ptr_array_add (args, image->info->repo_tags[t]);
  else
    g_ptr_array_add (args, image->info->id);
  g_ptr_array_add (args, NULL);
  ar_engine_run_cli_async (self->engine, (const char *const *) args->pdata, NULL, NULL, NULL, 120,
                           g_task_get_cancellable (task), removed_one, task);
}

static int
children_first (gconstpointer a, gconstpointer b)
{
  const ArCachedImage *ia = *(ArCachedImage *const *) a;
  const ArCachedImage *ib = *(ArCachedImage *const *) b;

  /* env (on top of desktop) before desktop, so removing a desktop image
   * frees its space */
  return (ia->layer == AR_LAYER_DESKTOP) - (ib->layer == AR_LAYER_DESKTOP);
}

static void
prune_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PruneData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;

  images = ar_image_builder_list_cached_finish (AR_IMAGE_BUILDER (source), result, &error);
  if (images == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < images->len; i++)
    {
      ArCachedImage *image = g_ptr_array_index (images, i);

      if (!ar_cached_image_is_unused (image))
        continue;
      g_ptr_array_add (data->candidates, image);
      images->pdata[i] = NULL;
    }
  g_ptr_array_sort (data->candidates, children_first);

  if (data->dry_run)
    {
      g_ptr_array_extend_and_steal (data->removed, g_steal_pointer (&data->candidates));
      data->candidates = g_ptr_array_new ();
      prune_done (g_steal_pointer (&task));
      return;
    }
  prune_next (g_steal_pointer (&task));
}

void
ar_image_builder_prune_async (ArImageBuilder *self,
                              GPtrArray *environments,
                              const ArSettings *settings,
                              gboolean dry_run,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  PruneData *data;

  g_return_if_fail (AR_IS_IMAGE_BUILDER (self));
  g_return_if_fail (settings != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_image_builder_prune_async);
  data = g_new0 (PruneData, 1);
  data->dry_run = dry_run;
  data->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_cached_image_free);
  data->removed = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_cached_image_free);
  data->failures = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) prune_data_free);

  ar_image_builder_list_cached_async (self, environments, settings, cancellable, prune_listed,
                                      g_steal_pointer (&task));
}

GPtrArray *
ar_image_builder_prune_finish (ArImageBuilder *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_image_builder_prune_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
