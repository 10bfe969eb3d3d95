/* ar-cli-engine.c — `engine list`: the engines of Preferences (design.md §7,
 * §8), the local one first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ar-cli-private.h"
#include "ar-settings.h"

static gboolean opt_json;

static GOptionEntry list_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print JSON"), NULL },
  { NULL }
};

static void
add_engine (JsonArray *array, const char *name, const char *endpoint, const char *kind, const char *folders,
            gboolean local)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "name", name);
  json_object_set_string_member (object, "endpoint", endpoint);
  json_object_set_string_member (object, "kind", kind);
  json_object_set_string_member (object, "folders", folders);
  json_object_set_boolean_member (object, "local", local);
  json_array_add_object_element (array, object);
}

static int
engine_list (int argc, char **argv)
{
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  opt_json = FALSE;
  if (!ar_cli_parse (&ar_cli_engine_commands[0], list_entries, &argc, &argv, 0))
    return AR_EXIT_USAGE;
  settings = ar_settings_new_from_gsettings ();
  json_node_take_array (node, array);
  add_engine (array, AR_LOCAL_ENGINE_NAME, settings->engine_host, settings->engine, settings->engine_folders, TRUE);
  for (guint i = 0; i < settings->engines->len; i++)
    {
      const ArEngineEntry *entry = g_ptr_array_index (settings->engines, i);

      add_engine (array, entry->name, entry->endpoint, entry->kind, entry->folders, FALSE);
    }
  if (opt_json)
    {
      ar_cli_print_json (node);
      return AR_EXIT_OK;
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      const char *endpoint = json_object_get_string_member (object, "endpoint");

      /* name, endpoint, kind, folders: one engine a line, tab-separated */
      printf ("%s\t%s\t%s\t%s\n", json_object_get_string_member (object, "name"),
              *endpoint != '\0' ? endpoint : _ ("(default)"), json_object_get_string_member (object, "kind"),
              json_object_get_string_member (object, "folders"));
    }
  return AR_EXIT_OK;
}

const ArCliCommand ar_cli_engine_commands[] = {
  { "engine", "list", N_ ("[--json]"), N_ ("The engines of Preferences: the local one, then the others"),
    engine_list },
  { NULL }
};
