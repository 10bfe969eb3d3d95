/* ar-env-store-json.c — environments.json as JSON: one entry <-> an
 * ArEnvironment (design.md §2.3, §2.4), and the whole document <-> its entries
 * and unknown top-level keys. No file handling (ar-env-store-file.c) and no
 * store state (ar-env-store.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ar-env-store.h"
#include "ar-env-store-private.h"

/* ---- one entry ---------------------------------------------------------- */

typedef enum {
  FIELD_STRING,
  FIELD_STRV,
  FIELD_MAP,
  FIELD_INT,
  FIELD_BOOL,
} FieldType;

typedef struct {
  const char *key;  /* JSON member */
  const char *prop; /* GObject property */
  FieldType type;
} Field;

/* The order in which entries are written (§2.3: a stable order). version,
 * env_id and container_caching_enabled are handled on their own. */
static const Field fields[] = {
  { "name", "name", FIELD_STRING },
  { "color", "color", FIELD_STRING },
  { "base_image", "base-image", FIELD_STRING },
  { "engine", "engine", FIELD_STRING },
  { "workspace_type", "workspace-type", FIELD_STRING },
  { "workspace_target", "workspace-target", FIELD_STRING },
  { "container_workdir", "container-workdir", FIELD_STRING },
  { "agent_cli", "agent-cli", FIELD_STRING },
  { "agent_cli_args", "agent-cli-args", FIELD_STRING },
  { "custom_command", "custom-command", FIELD_STRV },
  { "host_config_dir", "host-config-dir", FIELD_STRING },
  { "env_vars", "env-vars", FIELD_MAP },
  { "extra_mounts", "extra-mounts", FIELD_STRV },
  { "ports", "ports", FIELD_STRV },
  { "max_agents_running", "max-agents-running", FIELD_INT },
  { "headless_desktop_enabled", "headless-desktop-enabled", FIELD_BOOL },
  { "cache_desktop_build", "cache-desktop-build", FIELD_BOOL },
  { "cache_container_build", "cache-container-build", FIELD_BOOL },
  { "preflight_mode", "preflight-mode", FIELD_STRING },
  { "cached_preflight_script", "cached-preflight-script", FIELD_STRING },
  { "run_preflight_script", "run-preflight-script", FIELD_STRING },
  { "preflight_enabled", "preflight-enabled", FIELD_BOOL },
  { "preflight_script", "preflight-script", FIELD_STRING },
};

#define KEY_CACHING_ALIAS "container_caching_enabled"

static gboolean
is_known_key (const char *key)
{
  if (g_str_equal (key, "version") || g_str_equal (key, "env_id") ||
      g_str_equal (key, KEY_CACHING_ALIAS))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i].key, key))
      return TRUE;
  return FALSE;
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_int (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
node_is_bool (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

static GStrv
node_to_strv (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!node_is_string (element))
        return NULL;
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

/* env_vars is an object of strings; a list of "NAME=VALUE" is accepted too. */
static GStrv
node_to_env_vars (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_auto(GStrv) list = node_to_strv (node);
      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        if (strchr (list[i], '=') == NULL || list[i][0] == '=')
          return NULL;
      return g_steal_pointer (&list);
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  builder = g_strv_builder_new ();
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *pair = NULL;
      if (!node_is_string (value) || name[0] == '\0' || strchr (name, '=') != NULL)
        return NULL;
      pair = g_strconcat (name, "=", json_node_get_string (value), NULL);
      g_strv_builder_add (builder, pair);
    }
  return g_strv_builder_end (builder);
}

static const char *
type_name (FieldType type)
{
  switch (type)
    {
    case FIELD_STRING: return _ ("a string");
    case FIELD_STRV: return _ ("a list of strings");
    case FIELD_MAP: return _ ("an object of strings");
    case FIELD_INT: return _ ("a whole number");
    case FIELD_BOOL: return _ ("true or false");
    default: g_assert_not_reached ();
    }
}

/* Sets the field from node; FALSE when the value does not fit. */
static gboolean
apply_field (ArEnvironment *env, const Field *field, JsonNode *node)
{
  switch (field->type)
    {
    case FIELD_STRING:
      {
        const char *value;
        g_autofree char *now = NULL;

        if (!node_is_string (node))
          return FALSE;
        value = json_node_get_string (node);
        g_object_set (env, field->prop, value, NULL);
        /* Closed sets (color, agent, workspace type, mode) refuse bad values. */
        g_object_get (env, field->prop, &now, NULL);
        return g_strcmp0 (now, value) == 0;
      }
    case FIELD_STRV:
      {
        g_auto(GStrv) strv = node_to_strv (node);
        if (strv == NULL)
          return FALSE;
        g_object_set (env, field->prop, strv, NULL);
        return TRUE;
      }
    case FIELD_MAP:
      {
        g_auto(GStrv) strv = node_to_env_vars (node);
        if (strv == NULL)
          return FALSE;
        g_object_set (env, field->prop, strv, NULL);
        return TRUE;
      }
    case FIELD_INT:
      {
        gint64 value;
        if (!node_is_int (node))
          return FALSE;
        value = json_node_get_int (node);
        if (value < -1 || value > G_MAXINT)
          return FALSE;
        g_object_set (env, field->prop, (int) value, NULL);
        return TRUE;
      }
    case FIELD_BOOL:
      if (!node_is_bool (node))
        return FALSE;
      g_object_set (env, field->prop, json_node_get_boolean (node), NULL);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static void
warnf (ArEnvironment *env, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
warnf (ArEnvironment *env, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  ar_environment_add_load_warning (env, message);
}

ArEnvironment *
ar_env_entry_from_json (JsonObject *object, const char *context)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  g_autoptr(GPtrArray) raw_keys = g_ptr_array_new ();
  JsonObject *extra = ar_environment_get_extra (env);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;
  JsonNode *id_node;

  /* Unknown keys first, in file order, so they are written back as read. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &key, &node))
    if (!is_known_key (key))
      json_object_set_member (extra, key, ar_json_node_deep_copy (node));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      node = json_object_get_member (object, fields[i].key);
      if (node == NULL)
        continue;
      if (JSON_NODE_HOLDS_NULL (node))
        {
          /* null reads as the default, and is written back as null */
          g_ptr_array_add (raw_keys, (gpointer) fields[i].key);
          continue;
        }
      if (!apply_field (env, &fields[i], node))
        {
          /* Cut on a character boundary: warnings go out as JSON too. */
          g_autofree char *shown = ar_json_to_short_string (node, 60);
          g_ptr_array_add (raw_keys, (gpointer) fields[i].key);
          if (fields[i].type == FIELD_STRING && node_is_string (node))
            warnf (env, _ ("%s: field “%s” has the unknown value %s; the default is used and the value is kept in the file"),
                   context, fields[i].key, shown);
          else
            warnf (env, _ ("%s: field “%s” should be %s but is %s; the default is used and the value is kept in the file"),
                   context, fields[i].key, type_name (fields[i].type), shown);
        }
    }

  /* The earlier tool's name for the caching switch. */
  if (!json_object_has_member (object, "cache_container_build") &&
      json_object_has_member (object, KEY_CACHING_ALIAS))
    {
      node = json_object_get_member (object, KEY_CACHING_ALIAS);
      if (node_is_bool (node))
        ar_environment_set_cache_container_build (env, json_node_get_boolean (node));
      else
        warnf (env, _ ("%s: field “%s” should be true or false; caching stays off"),
               context, KEY_CACHING_ALIAS);
    }

  /* Identity: env_id, else the earlier tool's id, else a new one. */
  id_node = json_object_get_member (object, "env_id");
  if (id_node == NULL || !node_is_string (id_node) || json_node_get_string (id_node)[0] == '\0')
    id_node = json_object_get_member (object, "id");
  if (id_node != NULL && node_is_string (id_node) && json_node_get_string (id_node)[0] != '\0')
    {
      ar_environment_set_env_id (env, json_node_get_string (id_node));
    }
  else
    {
      g_autofree char *id = ar_environment_generate_id ();
      ar_environment_set_env_id (env, id);
      warnf (env, _ ("%s has no id; it was given the new id “%s”"), context, id);
    }

  node = json_object_get_member (object, "version");
  if (node != NULL && node_is_int (node))
    {
      gint64 version = json_node_get_int (node);
      ar_environment_set_version (env, (int) CLAMP (version, G_MININT, G_MAXINT));
      if (version != AR_ENVIRONMENT_FORMAT_VERSION)
        warnf (env, _ ("%s has version %" G_GINT64_FORMAT ", this app knows version %d; what could be read was loaded"),
               context, version, AR_ENVIRONMENT_FORMAT_VERSION);
    }
  else if (node != NULL)
    {
      g_ptr_array_add (raw_keys, (gpointer) "version");
      warnf (env, _ ("%s: field “version” should be a whole number; version 1 is assumed"), context);
    }

  /* §2.4: an enabled legacy script becomes the run preflight; a disabled one
   * stays only in the legacy field (it would start running in split mode). */
  if (!json_object_has_member (object, "run_preflight_script") &&
      ar_environment_get_preflight_enabled (env) &&
      ar_environment_get_preflight_script (env)[0] != '\0')
    ar_environment_set_run_preflight_script (env, ar_environment_get_preflight_script (env));

  if (!json_object_has_member (object, "preflight_mode"))
    ar_environment_set_preflight_mode (env, ar_environment_get_cached_preflight_script (env)[0] != '\0'
                                              ? AR_PREFLIGHT_MODE_SPLIT
                                              : AR_PREFLIGHT_MODE_SINGLE);

  /* Raw values last: the setters above drop a key from the extra store. */
  for (guint i = 0; i < raw_keys->len; i++)
    {
      const char *raw_key = g_ptr_array_index (raw_keys, i);
      json_object_set_member (extra, raw_key, ar_json_node_deep_copy (json_object_get_member (object, raw_key)));
    }

  return g_steal_pointer (&env);
}

static JsonNode *
strv_to_node (const char *const *strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
env_vars_to_node (const char *const *pairs)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *name = eq ? g_strndup (pairs[i], eq - pairs[i]) : g_strdup (pairs[i]);
      json_object_set_string_member (object, name, eq ? eq + 1 : "");
    }
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
field_to_node (ArEnvironment *env, const Field *field)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  switch (field->type)
    {
    case FIELD_STRING:
      {
        g_autofree char *value = NULL;
        g_object_get (env, field->prop, &value, NULL);
        json_node_set_string (node, value);
        return node;
      }
    case FIELD_STRV:
      {
        g_auto(GStrv) value = NULL;
        json_node_unref (node);
        g_object_get (env, field->prop, &value, NULL);
        return strv_to_node ((const char *const *) value);
      }
    case FIELD_MAP:
      json_node_unref (node);
      return env_vars_to_node (ar_environment_get_env_vars (env));
    case FIELD_INT:
      {
        int value;
        g_object_get (env, field->prop, &value, NULL);
        json_node_set_int (node, value);
        return node;
      }
    case FIELD_BOOL:
      {
        gboolean value;
        g_object_get (env, field->prop, &value, NULL);
        json_node_set_boolean (node, value);
        return node;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
set_member (JsonObject *out, JsonObject *extra, const char *key, JsonNode *value)
{
  /* A raw value kept from load wins until the field is set again. */
  if (json_object_has_member (extra, key))
    {
      json_object_set_member (out, key, ar_json_node_deep_copy (json_object_get_member (extra, key)));
      json_node_unref (value);
    }
  else
    json_object_set_member (out, key, value);
}

JsonObject *
ar_env_entry_to_json (ArEnvironment *env)
{
  JsonObject *out = json_object_new ();
  JsonObject *extra = ar_environment_get_extra (env);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (node, ar_environment_get_version (env));
  set_member (out, extra, "version", node);
  json_object_set_string_member (out, "env_id", ar_environment_get_env_id (env));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      /* §2.3: "engine" is written only when it names one, so that the files
       * of environments on the local engine stay as they were. */
      if (g_str_equal (fields[i].key, "engine") && ar_environment_get_engine (env)[0] == '\0' &&
          !json_object_has_member (extra, "engine"))
        continue;
      set_member (out, extra, fields[i].key, field_to_node (env, &fields[i]));
      if (g_str_equal (fields[i].key, "cache_container_build"))
        {
          node = json_node_new (JSON_NODE_VALUE);
          json_node_set_boolean (node, ar_environment_get_cache_container_build (env));
          set_member (out, extra, KEY_CACHING_ALIAS, node);
        }
    }

  json_object_iter_init_ordered (&iter, extra);
  while (json_object_iter_next_ordered (&iter, &key, &node))
    if (!json_object_has_member (out, key))
      json_object_set_member (out, key, ar_json_node_deep_copy (node));

  return out;
}

char *
ar_env_entry_to_string (ArEnvironment *env)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, ar_env_entry_to_json (env));
  return ar_json_to_pretty_string (node, NULL);
}

/* ---- the whole document ------------------------------------------------ */

static void
warn_into (GPtrArray *warnings, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
warn_into (GPtrArray *warnings, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

gboolean
ar_env_store_parse_document (const char *path,
                             GBytes *disk,
                             GPtrArray **out_items,
                             JsonObject **out_top_extra,
                             GPtrArray *warnings,
                             GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) top_extra = json_object_new ();
  g_autofree char *keep_key = NULL;
  JsonArray *entries = NULL;
  gsize length;
  const char *data;

  if (disk == NULL)
    {
      *out_items = g_steal_pointer (&items);
      *out_top_extra = g_steal_pointer (&top_extra);
      return TRUE;
    }
  data = g_bytes_get_data (disk, &length);
  root = ar_json_parse_data (data != NULL ? data : "", length, path, error);
  if (root == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_ARRAY (root))
    entries = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *top = json_node_get_object (root);
      JsonNode *list = json_object_get_member (top, "environments");
      JsonNode *format = json_object_get_member (top, "format");
      JsonObjectIter iter;
      const char *key;
      JsonNode *node;

      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        {
          g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE,
                       _ ("%s has no “environments” list, so it is not an environments file"),
                       path);
          return FALSE;
        }
      entries = json_node_get_array (list);
      if (format != NULL && !(node_is_int (format) && json_node_get_int (format) == AR_ENV_STORE_FORMAT))
        {
          g_autofree char *shown = ar_json_to_short_string (format, 60);
          warn_into (warnings, _ ("%s has format %s, this app writes format %d; what could be read was loaded"),
                     path, shown, AR_ENV_STORE_FORMAT);
        }
      json_object_iter_init_ordered (&iter, top);
      while (json_object_iter_next_ordered (&iter, &key, &node))
        if (!g_str_equal (key, "environments") && !g_str_equal (key, "format"))
          json_object_set_member (top_extra, key, ar_json_node_deep_copy (node));
    }
  else
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE,
                   _ ("%s holds neither an object nor a list, so it is not an environments file"),
                   path);
      return FALSE;
    }

  /* Entries that are not objects are kept in a top-level list; if the file
   * already has that key holding something else, the next free name. */
  keep_key = g_strdup ("unreadable_entries");
  for (guint n = 2; json_object_has_member (top_extra, keep_key) &&
                    !JSON_NODE_HOLDS_ARRAY (json_object_get_member (top_extra, keep_key));
       n++)
    {
      g_free (keep_key);
      keep_key = g_strdup_printf ("unreadable_entries_%u", n);
    }

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *element = json_array_get_element (entries, i);
      g_autofree char *context = g_strdup_printf (_ ("entry %u"), i + 1);
      g_autoptr(ArEnvironment) env = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          /* Not an environment at all: keep it so nothing is lost. */
          g_autofree char *shown = ar_json_to_short_string (element, 60);
          warn_into (warnings, _ ("%s is not an object and was skipped (kept in the file under “%s”): %s"),
                     context, keep_key, shown);
          if (!json_object_has_member (top_extra, keep_key))
            json_object_set_array_member (top_extra, keep_key, json_array_new ());
          json_array_add_element (json_object_get_array_member (top_extra, keep_key),
                                  ar_json_node_deep_copy (element));
          continue;
        }

      env = ar_env_entry_from_json (json_node_get_object (element), context);
      if (g_hash_table_contains (seen, ar_environment_get_env_id (env)))
        {
          g_autofree char *old_id = g_strdup (ar_environment_get_env_id (env));
          g_autofree char *new_id = ar_environment_generate_id ();

          ar_environment_set_env_id (env, new_id);
          warnf (env, _ ("%s repeats the id “%s”; it was given the new id “%s”"),
                 context, old_id, new_id);
        }
      g_hash_table_add (seen, (gpointer) ar_environment_get_env_id (env));
      g_ptr_array_add (items, g_steal_pointer (&env));
    }

  *out_items = g_steal_pointer (&items);
  *out_top_extra = g_steal_pointer (&top_extra);
  return TRUE;
}

char *
ar_env_store_format_document (GPtrArray *items, JsonObject *top_extra, gsize *length)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *top = json_object_new ();
  JsonArray *entries = json_array_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  json_object_set_int_member (top, "format", AR_ENV_STORE_FORMAT);
  for (guint i = 0; i < items->len; i++)
    {
      JsonNode *entry = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (entry, ar_env_entry_to_json (g_ptr_array_index (items, i)));
      json_array_add_element (entries, entry);
    }
  json_object_set_array_member (top, "environments", entries);

  json_object_iter_init_ordered (&iter, top_extra);
  while (json_object_iter_next_ordered (&iter, &key, &node))
    json_object_set_member (top, key, ar_json_node_deep_copy (node));

  json_node_take_object (root, top);
  return ar_json_to_pretty_string (root, length);
}
