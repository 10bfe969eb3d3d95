/* ar-cli-env.c — env list|show|import|export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ar-cli-private.h"
#include "ar-env-import.h"

static gboolean opt_json;
static gboolean opt_replace;

static GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print JSON"), NULL },
  { NULL }
};

static GOptionEntry import_entries[] = {
  { "replace", 0, 0, G_OPTION_ARG_NONE, &opt_replace, N_ ("Overwrite environments whose id exists already"), NULL },
  { NULL }
};

/* The entry as stored (§2.3) plus its warnings. */
static JsonNode *
entry_with_warnings (ArEnvironment *env)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = ar_env_entry_to_json (env);
  g_auto(GStrv) warnings = ar_environment_dup_warnings (env);

  json_object_set_member (object, "warnings", ar_cli_strv_to_json ((const char *const *) warnings));
  json_node_take_object (node, object);
  return node;
}

static int
env_list (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  guint n;

  if (!ar_cli_parse (&ar_cli_env_commands[0], json_entries, &argc, &argv, 0))
    return AR_EXIT_USAGE;

  store = ar_cli_load_store (&error);
  if (store == NULL)
    return ar_cli_fail_error (error);

  n = ar_env_store_get_n_environments (store);
  if (opt_json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      JsonArray *array = json_array_sized_new (n);

      for (guint i = 0; i < n; i++)
        json_array_add_element (array, entry_with_warnings (ar_env_store_get_environment (store, i)));
      json_node_take_array (root, array);
      ar_cli_print_json (root);
      return AR_EXIT_OK;
    }

  if (n == 0)
    {
      printf ("%s\n", _ ("No environments yet."));
      return AR_EXIT_OK;
    }

  {
    g_autoptr(GString) out = g_string_new (NULL);

    g_string_append_printf (out, "%-16s %-24s %-7s %-8s %s\n",
                            _ ("ID"), _ ("NAME"), _ ("MODE"), _ ("CACHING"), _ ("AGENT"));
    for (guint i = 0; i < n; i++)
      {
        ArEnvironment *env = ar_env_store_get_environment (store, i);
        g_auto(GStrv) warnings = ar_environment_dup_warnings (env);

        g_string_append_printf (out, "%-16s %-24s %-7s %-8s %s%s\n",
                                ar_environment_get_env_id (env),
                                ar_environment_get_name (env),
                                ar_preflight_mode_to_string (ar_environment_get_preflight_mode (env)),
                                ar_environment_get_cache_container_build (env) ? _ ("on") : _ ("off"),
                                ar_environment_get_agent_cli (env),
                                warnings[0] != NULL ? _ ("  (warnings: see env show)") : "");
      }
    fputs (out->str, stdout);
  }
  return AR_EXIT_OK;
}

static void
print_field (const char *label, const char *value)
{
  printf ("%-26s %s\n", label, value);
}

static void
print_script (const char *label, const char *script)
{
  if (script[0] == '\0')
    {
      print_field (label, _ ("(empty)"));
      return;
    }
  printf ("%s\n", label);
  {
    g_auto(GStrv) lines = g_strsplit (script, "\n", -1);
    guint n = g_strv_length (lines);

    /* A final newline does not make an extra line. */
    if (n > 0 && lines[n - 1][0] == '\0')
      n--;
    for (guint i = 0; i < n; i++)
      printf ("  %4u | %s\n", i + 1, lines[i]);
  }
}

static void
print_list (const char *label, const char *const *items)
{
  if (items[0] == NULL)
    {
      print_field (label, _ ("(none)"));
      return;
    }
  for (guint i = 0; items[i] != NULL; i++)
    print_field (i == 0 ? label : "", items[i]);
}

static int
env_show (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_auto(GStrv) warnings = NULL;
  g_auto(GStrv) env_names = NULL;
  g_autofree char *max = NULL;
  ArEnvironment *env;

  if (!ar_cli_parse (&ar_cli_env_commands[1], json_entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;

  env = ar_cli_load_environment (argv[1], &store, &error);
  if (env == NULL)
    return ar_cli_fail_error (error);

  if (opt_json)
    {
      g_autoptr(JsonNode) node = entry_with_warnings (env);
      ar_cli_print_json (node);
      return AR_EXIT_OK;
    }

  /* Values are shown, never the contents of env vars: they may be secrets. */
  env_names = ar_environment_dup_env_var_names (env);
  max = ar_environment_get_max_agents_running (env) < 0
          ? g_strdup (_ ("unlimited"))
          : g_strdup_printf ("%d", ar_environment_get_max_agents_running (env));

  print_field (_ ("Id:"), ar_environment_get_env_id (env));
  print_field (_ ("Name:"), ar_environment_get_name (env));
  print_field (_ ("Color:"), ar_environment_get_color (env));
  print_field (_ ("Base image:"), ar_environment_get_base_image (env)[0] ? ar_environment_get_base_image (env)
                                                                         : _ ("(Settings default)"));
  print_field (_ ("Workspace:"), ar_environment_get_workspace_type (env));
  if (ar_environment_get_workspace_target (env)[0])
    print_field (_ ("Workspace target:"), ar_environment_get_workspace_target (env));
  print_field (_ ("Container workdir:"), ar_environment_get_container_workdir (env));
  print_field (_ ("Agent:"), ar_environment_get_agent_cli (env));
  if (ar_environment_get_agent_cli_args (env)[0])
    print_field (_ ("Agent arguments:"), ar_environment_get_agent_cli_args (env));
  if (g_str_equal (ar_environment_get_agent_cli (env), "custom"))
    print_list (_ ("Custom command:"), ar_environment_get_custom_command (env));
  print_list (_ ("Env vars (names):"), (const char *const *) env_names);
  print_list (_ ("Extra mounts:"), ar_environment_get_extra_mounts (env));
  print_list (_ ("Ports:"), ar_environment_get_ports (env));
  print_field (_ ("Max agents running:"), max);
  print_field (_ ("Headless desktop:"), ar_environment_get_headless_desktop_enabled (env) ? _ ("on") : _ ("off"));
  print_field (_ ("Cache desktop build:"), ar_environment_get_cache_desktop_build (env) ? _ ("on") : _ ("off"));
  print_field (_ ("Container caching:"), ar_environment_get_cache_container_build (env) ? _ ("on") : _ ("off"));
  print_field (_ ("Preflight mode:"), ar_preflight_mode_to_string (ar_environment_get_preflight_mode (env)));
  print_script (_ ("Cached preflight:"), ar_environment_get_cached_preflight_script (env));
  print_script (_ ("Run preflight:"), ar_environment_get_run_preflight_script (env));
  print_field (_ ("Legacy preflight enabled:"), ar_environment_get_preflight_enabled (env) ? _ ("yes") : _ ("no"));
  print_script (_ ("Legacy preflight:"), ar_environment_get_preflight_script (env));

  warnings = ar_environment_dup_warnings (env);
  for (guint i = 0; warnings[i] != NULL; i++)
    printf (_ ("Warning: %s\n"), warnings[i]);
  return AR_EXIT_OK;
}

static void
print_summary_list (const char *label, GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    printf ("  %s %s\n", label, (const char *) g_ptr_array_index (items, i));
}

static int
env_import (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(ArImportSummary) summary = NULL;
  const char *path;

  if (!ar_cli_parse (&ar_cli_env_commands[2], import_entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;
  path = argv[1];

  store = ar_cli_load_store (&error);
  if (store == NULL)
    return ar_cli_fail_error (error);

  summary = ar_env_import_file (store, path, opt_replace, &error);
  if (summary == NULL)
    return ar_cli_fail_error (error);

  if (summary->added->len + summary->replaced->len > 0 && !ar_env_store_save (store, &error))
    return ar_cli_fail_error (error);

  for (guint i = 0; i < summary->warnings->len; i++)
    ar_cli_warn ("%s", (const char *) g_ptr_array_index (summary->warnings, i));

  /* TRANSLATORS: the import summary */
  printf (_ ("Imported from %s: %u added, %u replaced, %u skipped, %u renamed.\n"), path,
          summary->added->len, summary->replaced->len, summary->skipped->len, summary->renamed->len);
  print_summary_list (_ ("added:"), summary->added);
  print_summary_list (_ ("replaced:"), summary->replaced);
  print_summary_list (_ ("skipped:"), summary->skipped);
  print_summary_list (_ ("renamed:"), summary->renamed);
  return AR_EXIT_OK;
}

static int
env_export (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autofree char *text = NULL;
  ArEnvironment *env;

  if (!ar_cli_parse (&ar_cli_env_commands[3], NULL, &argc, &argv, 1))
    return AR_EXIT_USAGE;

  env = ar_cli_load_environment (argv[1], &store, &error);
  if (env == NULL)
    return ar_cli_fail_error (error);

  text = ar_env_entry_to_string (env);
  fputs (text, stdout);
  return AR_EXIT_OK;
}

const ArCliCommand ar_cli_env_commands[] = {
  { "env", "list", N_ ("[--json]"), N_ ("List the environments"), env_list },
  { "env", "show", N_ ("ENV [--json]"), N_ ("Show one environment (ENV = id or exact name)"), env_show },
  { "env", "import", N_ ("FILE [--replace]"), N_ ("Import environments, also the earlier tool's files"), env_import },
  { "env", "export", N_ ("ENV"), N_ ("Print one environment as JSON"), env_export },
  { NULL }
};
