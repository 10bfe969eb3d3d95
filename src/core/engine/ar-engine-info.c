/* ar-engine-info.c — what the engine answers: images and containers read
 * from the API's and the CLI's JSON (docker's and podman's shapes), sorted
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ar-engine-private.h"

void
ar_image_info_free (ArImageInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_strfreev (info->repo_tags);
  g_free (info->user);
  g_clear_pointer (&info->labels, g_hash_table_unref);
  g_free (info);
}

const char *
ar_image_info_get_label (const ArImageInfo *info, const char *key)
{
  return g_hash_table_lookup (info->labels, key);
}

gboolean
ar_image_info_has_tag (const ArImageInfo *info, const char *name)
{
  for (guint i = 0; info->repo_tags[i] != NULL; i++)
    if (ar_engine_image_names_equal (info->repo_tags[i], name))
      return TRUE;
  return FALSE;
}

void
ar_container_info_free (ArContainerInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_strfreev (info->names);
  g_free (info->image);
  g_free (info->image_id);
  g_free (info->state);
  g_clear_pointer (&info->labels, g_hash_table_unref);
  g_free (info);
}

const char *
ar_container_info_get_label (const ArContainerInfo *info, const char *key)
{
  return g_hash_table_lookup (info->labels, key);
}

const char *
ar_engine_json_string (JsonObject *obj, const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return NULL;
  node = json_object_get_member (obj, member);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
ar_engine_json_object_member (JsonObject *obj, const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return NULL;
  node = json_object_get_member (obj, member);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
json_array_member (JsonObject *obj, const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return NULL;
  node = json_object_get_member (obj, member);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The API lists give unix seconds, the inspect commands RFC 3339 text. */
static gint64
json_time (JsonObject *obj, const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return 0;
  node = json_object_get_member (obj, member);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (json_node_get_string (node), NULL);

      return dt != NULL ? g_date_time_to_unix (dt) : 0;
    }
  return json_node_get_int (node);
}

static gint64
json_int (JsonObject *obj, const char *member)
{
  JsonNode *node;

  if (obj == NULL || !json_object_has_member (obj, member))
    return 0;
  node = json_object_get_member (obj, member);
  return JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

static GHashTable *
labels_from_json (JsonObject *obj)
{
  GHashTable *labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (obj == NULL)
    return labels;
  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &key, &value))
    if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
      g_hash_table_insert (labels, g_strdup (key), g_strdup (json_node_get_string (value)));
  return labels;
}

/* Podman prints image ids without the digest algorithm. */
static char *
normalize_image_id (const char *id)
{
  if (id == NULL)
    return g_strdup ("");
  if (strlen (id) == 64 && strspn (id, "0123456789abcdef") == 64)
    return g_strconcat ("sha256:", id, NULL);
  return g_strdup (id);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

ArImageInfo *
ar_image_info_from_json (JsonObject *obj)
{
  ArImageInfo *info = g_new0 (ArImageInfo, 1);
  JsonObject *config = ar_engine_json_object_member (obj, "Config");
  JsonArray *tags = json_array_member (obj, "RepoTags");
  JsonObject *labels = ar_engine_json_object_member (config, "Labels");
  g_autoptr(GPtrArray) tag_list = g_ptr_array_new ();

  /* An inspect result carries Config; a list entry has Labels on top. */
  if (config == NULL)
    labels = ar_engine_json_object_member (obj, "Labels");
  else if (labels == NULL)
    labels = ar_engine_json_object_member (obj, "Labels");

  info->id = normalize_image_id (ar_engine_json_string (obj, "Id"));
  for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
    {
      const char *tag = json_array_get_string_element (tags, i);

      /* Docker < 25 lists untagged images as "<none>:<none>". */
      if (tag != NULL && !g_str_equal (tag, "<none>:<none>"))
        g_ptr_array_add (tag_list, g_strdup (tag));
    }
  g_ptr_array_sort (tag_list, compare_strings);
  g_ptr_array_add (tag_list, NULL);
  info->repo_tags = (char **) g_ptr_array_steal (tag_list, NULL);
  if (config != NULL)
    info->user = g_strdup (ar_engine_json_string (config, "User") != NULL ? ar_engine_json_string (config, "User") : "");
  info->size = json_int (obj, "Size");
  info->created = json_time (obj, "Created");
  info->labels = labels_from_json (labels);
  return info;
}

ArContainerInfo *
ar_container_info_from_json (JsonObject *obj)
{
  ArContainerInfo *info = g_new0 (ArContainerInfo, 1);
  JsonObject *config = ar_engine_json_object_member (obj, "Config");
  JsonObject *state = ar_engine_json_object_member (obj, "State");
  JsonArray *names = json_array_member (obj, "Names");
  g_autoptr(GPtrArray) name_list = g_ptr_array_new ();

  info->id = g_strdup (ar_engine_json_string (obj, "Id") != NULL ? ar_engine_json_string (obj, "Id") : "");

  if (names != NULL)
    {
      for (guint i = 0; i < json_array_get_length (names); i++)
        {
          const char *name = json_array_get_string_element (names, i);

          if (name != NULL)
            g_ptr_array_add (name_list, g_strdup (name[0] == '/' ? name + 1 : name));
        }
    }
  else if (ar_engine_json_string (obj, "Name") != NULL)
    {
      const char *name = ar_engine_json_string (obj, "Name");

      g_ptr_array_add (name_list, g_strdup (name[0] == '/' ? name + 1 : name));
    }
  g_ptr_array_add (name_list, NULL);
  info->names = (char **) g_ptr_array_steal (name_list, NULL);

  if (config != NULL)
    {
      /* `container inspect`: Image is the id; the reference is in Config
       * (docker) or ImageName (podman). */
      const char *ref = ar_engine_json_string (obj, "ImageName");

      if (ref == NULL)
        ref = ar_engine_json_string (config, "Image");
      info->image = g_strdup (ref != NULL ? ref : "");
      info->image_id = normalize_image_id (ar_engine_json_string (obj, "Image"));
      info->labels = labels_from_json (ar_engine_json_object_member (config, "Labels"));
      info->state = g_strdup (ar_engine_json_string (state, "Status") != NULL ? ar_engine_json_string (state, "Status") : "");
    }
  else
    {
      info->image = g_strdup (ar_engine_json_string (obj, "Image") != NULL ? ar_engine_json_string (obj, "Image") : "");
      info->image_id = normalize_image_id (ar_engine_json_string (obj, "ImageID"));
      info->labels = labels_from_json (ar_engine_json_object_member (obj, "Labels"));
      info->state = g_strdup (ar_engine_json_string (obj, "State") != NULL ? ar_engine_json_string (obj, "State") : "");
    }
  info->created = json_time (obj, "Created");
  return info;
}

static int
compare_images (gconstpointer a, gconstpointer b)
{
  const ArImageInfo *ia = *(ArImageInfo *const *) a;
  const ArImageInfo *ib = *(ArImageInfo *const *) b;

  if (ia->created != ib->created)
    return ia->created > ib->created ? -1 : 1;
  return g_strcmp0 (ia->id, ib->id);
}

static int
compare_containers (gconstpointer a, gconstpointer b)
{
  const ArContainerInfo *ca = *(ArContainerInfo *const *) a;
  const ArContainerInfo *cb = *(ArContainerInfo *const *) b;

  if (ca->created != cb->created)
    return ca->created > cb->created ? -1 : 1;
  return g_strcmp0 (ca->id, cb->id);
}

void
ar_engine_sort_images (GPtrArray *images)
{
  g_ptr_array_sort (images, compare_images);
}

void
ar_engine_sort_containers (GPtrArray *containers)
{
  g_ptr_array_sort (containers, compare_containers);
}

GDestroyNotify
ar_engine_query_result_free_func (ArEngineQuery query)
{
  switch (query)
    {
    case AR_ENGINE_QUERY_INSPECT_IMAGE:
      return (GDestroyNotify) ar_image_info_free;
    case AR_ENGINE_QUERY_LIST_IMAGES:
    case AR_ENGINE_QUERY_LIST_CONTAINERS:
      return (GDestroyNotify) g_ptr_array_unref;
    case AR_ENGINE_QUERY_PING:
    default:
      return NULL;
    }
}
