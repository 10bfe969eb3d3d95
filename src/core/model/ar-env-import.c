/* ar-env-import.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ar-env-import.h"
#include "ar-json.h"

ArImportSummary *
ar_import_summary_new (void)
{
  ArImportSummary *summary = g_new0 (ArImportSummary, 1);

  summary->added = g_ptr_array_new_with_free_func (g_free);
  summary->replaced = g_ptr_array_new_with_free_func (g_free);
  summary->skipped = g_ptr_array_new_with_free_func (g_free);
  summary->renamed = g_ptr_array_new_with_free_func (g_free);
  summary->warnings = g_ptr_array_new_with_free_func (g_free);
  return summary;
}

void
ar_import_summary_free (ArImportSummary *summary)
{
  if (summary == NULL)
    return;
  g_ptr_array_unref (summary->added);
  g_ptr_array_unref (summary->replaced);
  g_ptr_array_unref (summary->skipped);
  g_ptr_array_unref (summary->renamed);
  g_ptr_array_unref (summary->warnings);
  g_free (summary);
}

void
ar_env_import_map_legacy_fields (ArEnvironment *env)
{
  JsonObject *extra = ar_environment_get_extra (env);
  JsonNode *node;

  node = json_object_get_member (extra, "codex_extra_args");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING &&
      ar_environment_get_agent_cli_args (env)[0] == '\0')
    ar_environment_set_agent_cli_args (env, json_node_get_string (node));

  node = json_object_get_member (extra, "host_workdir");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING &&
      json_node_get_string (node)[0] != '\0' &&
      ar_environment_get_workspace_kind (env) == AR_WORKSPACE_NONE)
    {
      ar_environment_set_workspace_kind (env, AR_WORKSPACE_MOUNTED);
      ar_environment_set_workspace_target (env, json_node_get_string (node));
    }
}

/* environment-<id>.json names its entry's id. */
static char *
id_from_file_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  if (g_str_has_prefix (base, "environment-") && g_str_has_suffix (base, ".json"))
    {
      gsize len = strlen (base) - strlen ("environment-") - strlen (".json");
      if (len > 0)
        return g_strndup (base + strlen ("environment-"), len);
    }
  return NULL;
}

static gboolean
looks_like_entry (JsonObject *object)
{
  return !json_object_has_member (object, "environments") &&
         (json_object_has_member (object, "env_id") ||
          json_object_has_member (object, "id") ||
          json_object_has_member (object, "name"));
}

ArImportSummary *
ar_env_import_file (ArEnvStore *store,
                    const char *path,
                    gboolean replace,
                    GError **error)
{
  g_autoptr(ArImportSummary) summary = ar_import_summary_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonArray) single = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *file_id = id_from_file_name (path);
  g_autofree char *base = g_path_get_basename (path);
  JsonArray *entries = NULL;

  root = ar_json_parse_file (path, error);
  if (root == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_ARRAY (root))
    entries = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *top = json_node_get_object (root);
      JsonNode *list = json_object_get_member (top, "environments");

      if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
        entries = json_node_get_array (list);
      else if (looks_like_entry (top))
        {
          single = json_array_new ();
          json_array_add_element (single, ar_json_node_deep_copy (root));
          entries = single;
        }
    }
  if (entries == NULL)
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE,
                   _ ("%s is neither an environments file nor a single environment"), path);
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *element = json_array_get_element (entries, i);
      g_autofree char *context = g_strdup_printf (_ ("%s entry %u"), base, i + 1);
      g_autoptr(ArEnvironment) env = NULL;
      g_auto(GStrv) warnings = NULL;
      JsonObject *object;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_ptr_array_add (summary->skipped,
                           g_strdup_printf (_ ("%s: not an object"), context));
          continue;
        }
      object = json_node_get_object (element);

      /* An entry of environment-<id>.json may leave its id to the file name. */
      if (file_id != NULL && single != NULL &&
          !json_object_has_member (object, "env_id") && !json_object_has_member (object, "id"))
        json_object_set_string_member (object, "env_id", file_id);

      env = ar_env_entry_from_json (object, context);
      ar_env_import_map_legacy_fields (env);
      id = ar_environment_get_env_id (env);

      if (!json_object_has_member (object, "env_id") && !json_object_has_member (object, "id"))
        g_ptr_array_add (summary->renamed, g_strdup_printf (_ ("%s (no id) → %s"), context, id));

      if (g_hash_table_contains (seen, id))
        {
          g_autofree char *new_id = ar_environment_generate_id ();
          g_ptr_array_add (summary->renamed,
                           g_strdup_printf (_ ("%s (id repeated in the file) → %s"), id, new_id));
          ar_environment_set_env_id (env, new_id);
          id = ar_environment_get_env_id (env);
        }
      g_hash_table_add (seen, g_strdup (id));

      warnings = ar_environment_dup_warnings (env);
      for (guint w = 0; warnings[w] != NULL; w++)
        g_ptr_array_add (summary->warnings, g_strdup (warnings[w]));

      if (ar_env_store_find_by_id (store, id) != NULL)
        {
          if (!replace)
            {
              g_ptr_array_add (summary->skipped,
                               g_strdup_printf (_ ("%s: the id exists already (use --replace to overwrite it)"), id));
              continue;
            }
          ar_env_store_replace (store, env);
          g_ptr_array_add (summary->replaced, g_strdup (id));
          continue;
        }
      ar_env_store_insert (store, G_MAXUINT, env);
      g_ptr_array_add (summary->added, g_strdup (id));
    }

  return g_steal_pointer (&summary);
}
