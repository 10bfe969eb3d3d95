/* ar-image-miss.c — why a cache lookup missed (design.md §3.5)
 *
 * Every built image carries its key's inputs as labels, so the labels the
 * new inputs would get are compared with those of the newest image of the
 * same environment and layer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-image-builder-private.h"

static GHashTable *
labels_table (char **labels)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; labels[i] != NULL; i++)
    {
      const char *eq = strchr (labels[i], '=');

      if (eq != NULL)
        g_hash_table_insert (table, g_strndup (labels[i], eq - labels[i]), g_strdup (eq + 1));
    }
  return table;
}

static const char *
user_name (const char *user)
{
  return user != NULL && user[0] != '\0' ? user : "root";
}

/* When it was built, in microseconds: the engine's created time has whole
 * seconds, too coarse for two builds in a row; our label has more. */
static gint64
built_at (const ArImageInfo *info)
{
  const char *label = ar_image_info_get_label (info, AR_LABEL_CREATED);
  g_autoptr(GDateTime) time = label != NULL ? g_date_time_new_from_iso8601 (label, NULL) : NULL;

  if (time != NULL)
    return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return info->created * G_USEC_PER_SEC;
}

static gboolean
newer (const ArImageInfo *candidate, const ArImageInfo *best)
{
  return best == NULL || built_at (candidate) > built_at (best);
}

/* The newest image of the same environment and layer: for the environment
 * layer its env-id; for the shared desktop layer the one this environment
 * built, else the newest on the same base image. */
static const ArImageInfo *
find_previous (const ArCacheKeyInputs *in,
               ArEnvironment *env,
               const char *base_name,
               GPtrArray *images,
               gboolean *same_key_exists)
{
  const char *env_id = ar_environment_get_env_id (env);
  const char *layer = ar_layer_kind_to_string (in->layer);
  g_autofree char *key = ar_cache_key_compute (in);
  const ArImageInfo *same_env = NULL;
  const ArImageInfo *same_base = NULL;

  *same_key_exists = FALSE;
  for (guint i = 0; i < images->len; i++)
    {
      const ArImageInfo *info = g_ptr_array_index (images, i);
      const char *owner;

      if (g_strcmp0 (ar_image_info_get_label (info, AR_LABEL_LAYER), layer) != 0)
        continue;
      if (g_strcmp0 (ar_image_info_get_label (info, AR_LABEL_CACHE_KEY), key) == 0)
        {
          *same_key_exists = TRUE;
          continue;
        }
      owner = ar_image_info_get_label (info, in->layer == AR_LAYER_ENV ? AR_LABEL_ENV_ID : AR_LABEL_BUILT_FOR);
      if (env_id[0] != '\0' && g_strcmp0 (owner, env_id) == 0)
        {
          if (newer (info, same_env))
            same_env = info;
        }
      else if (in->layer == AR_LAYER_DESKTOP && newer (info, same_base) &&
               ar_engine_image_names_equal (ar_image_info_get_label (info, AR_LABEL_BASE_IMAGE), base_name))
        same_base = info;
    }
  return same_env != NULL ? same_env : same_base;
}

char *
ar_image_layer_explain_miss (const ArCacheKeyInputs *in,
                             ArEnvironment *env,
                             const char *base_name,
                             gboolean parent_is_base,
                             gboolean pulled,
                             GPtrArray *images)
{
  g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) now = NULL;
  g_auto(GStrv) labels = NULL;
  const ArImageInfo *old;
  gboolean same_key_exists = FALSE;

  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);
  g_return_val_if_fail (images != NULL, NULL);

  old = find_previous (in, env, base_name, images, &same_key_exists);
  if (old == NULL)
    return g_strdup (same_key_exists ? _ ("the image of this key is there but no longer tagged")
                                     : _ ("no image of this layer existed yet"));

  labels = ar_cache_key_labels (in, ar_environment_get_env_id (env), NULL);
  now = labels_table (labels);

#define OLD(label) ar_image_info_get_label (old, label)
#define DIFFERS(label) (g_strcmp0 (g_hash_table_lookup (now, label), OLD (label)) != 0)

  /* The Dockerfile names the parent's ID and the build user, and follows
   * the script's shebang: its text changing says something of its own only
   * when none of those did. */
  if (DIFFERS (AR_LABEL_FORMAT) ||
      (DIFFERS (AR_LABEL_DOCKERFILE_SHA256) && !DIFFERS (AR_LABEL_PARENT) && !DIFFERS (AR_LABEL_BUILD_USER) &&
       !DIFFERS (AR_LABEL_CONTEXT_SHA256)))
    g_ptr_array_add (reasons, g_strdup (_ ("Dockerfile format changed")));

  if (DIFFERS (AR_LABEL_PARENT))
    {
      const char *old_parent_layer = OLD (AR_LABEL_PARENT_LAYER);
      const char *new_parent_layer = parent_is_base ? "base" : "desktop";
      const char *old_base = OLD (AR_LABEL_BASE_IMAGE);

      if (old_parent_layer != NULL && g_strcmp0 (old_parent_layer, new_parent_layer) != 0)
        g_ptr_array_add (reasons, g_strdup (parent_is_base
                                              ? _ ("parent image changed (now the base image: no desktop layer)")
                                              : _ ("parent image changed (now the desktop layer)")));
      else if (!parent_is_base)
        g_ptr_array_add (reasons, g_strdup (_ ("parent image changed (the desktop layer was rebuilt)")));
      else if (old_base != NULL && !ar_engine_image_names_equal (old_base, base_name))
        g_ptr_array_add (reasons, g_strdup_printf (_ ("base image changed (%s → %s)"), old_base, base_name));
      else if (pulled)
        g_ptr_array_add (reasons, g_strdup (_ ("base image ID changed (pulled)")));
      else
        g_ptr_array_add (reasons, g_strdup (_ ("base image ID changed")));
    }

  if (in->layer == AR_LAYER_ENV && DIFFERS (AR_LABEL_CACHED_PREFLIGHT_SHA256))
    g_ptr_array_add (reasons, g_strdup (_ ("cached preflight changed")));
  if (in->layer == AR_LAYER_DESKTOP && DIFFERS (AR_LABEL_DESKTOP_SCRIPTS_SHA256))
    g_ptr_array_add (reasons, g_strdup (_ ("desktop scripts changed")));
  if (DIFFERS (AR_LABEL_BUILD_USER))
    g_ptr_array_add (reasons, g_strdup_printf (_ ("build user changed (%s → %s)"),
                                               user_name (OLD (AR_LABEL_BUILD_USER)), user_name (in->build_user)));
  if (DIFFERS (AR_LABEL_PLATFORM))
    g_ptr_array_add (reasons, g_strdup (_ ("platform changed")));

#undef DIFFERS
#undef OLD

  if (reasons->len == 0)
    return g_strdup (_ ("cache key changed"));
  g_ptr_array_add (reasons, NULL);
  return g_strjoinv (", ", (char **) reasons->pdata);
}
