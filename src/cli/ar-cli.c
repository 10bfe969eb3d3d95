/* ar-cli.c — dispatch of the subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ar-cli-private.h"
#include "ar-paths.h"

static const ArCliCommand *const groups[] = {
  ar_cli_env_commands,
  ar_cli_preflight_commands,
  ar_cli_image_commands,
  ar_cli_run_commands,
  ar_cli_task_commands,
  ar_cli_engine_commands,
};

/* "env list", or just "run" for a command that is its group. */
static char *
command_words (const ArCliCommand *c)
{
  return c->name[0] != '\0' ? g_strdup_printf ("%s %s", c->group, c->name) : g_strdup (c->group);
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _ ("Usage: agents-runner [COMMAND …]"));
  fprintf (out, "%s\n\n", _ ("With no command, opens the window."));
  fprintf (out, "%s\n", _ ("Commands:"));
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const ArCliCommand *c = groups[g]; c->name != NULL; c++)
      {
        g_autofree char *name = command_words (c);
        g_autofree char *words = g_strdup_printf ("%s %s", name, _ (c->synopsis));

        fprintf (out, "  %-44s %s\n", words, _ (c->summary));
      }
  fprintf (out, "\n%s\n", _ ("Exit status: 0 success, 1 failure, 2 bad usage."));
}

int
ar_cli_fail (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "agents-runner: %s\n", message);
  return AR_EXIT_FAILURE;
}

int
ar_cli_fail_error (const GError *error)
{
  return ar_cli_fail ("%s", error->message);
}

void
ar_cli_warn (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, _ ("agents-runner: warning: %s\n"), message);
}

gboolean
ar_cli_parse (const ArCliCommand *command,
              GOptionEntry *entries,
              int *argc,
              char ***argv,
              int n_positional)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = command_words (command);
  g_autofree char *parameter = g_strdup_printf ("%s %s", name, _ (command->synopsis));

  context = g_option_context_new (parameter);
  g_option_context_set_summary (context, _ (command->summary));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      fprintf (stderr, "agents-runner %s: %s\n", name, error->message);
      return FALSE;
    }
  /* argv[0] is the program; the command words were removed by the caller. */
  if (*argc - 1 != n_positional)
    {
      fprintf (stderr, _ ("agents-runner %s: expected %d argument(s), got %d; usage: agents-runner %s\n"),
               name, n_positional, *argc - 1, parameter);
      return FALSE;
    }
  return TRUE;
}

ArEnvStore *
ar_cli_load_store (GError **error)
{
  g_autoptr(ArEnvStore) store = ar_env_store_new (NULL);
  g_auto(GStrv) warnings = NULL;

  if (!ar_env_store_load (store, error))
    return NULL;
  warnings = ar_env_store_dup_warnings (store);
  for (guint i = 0; warnings[i] != NULL; i++)
    ar_cli_warn ("%s", warnings[i]);
  return g_steal_pointer (&store);
}

ArEnvironment *
ar_cli_load_environment (const char *id_or_name, ArEnvStore **out_store, GError **error)
{
  g_autoptr(ArEnvStore) store = ar_cli_load_store (error);
  ArEnvironment *env;

  if (store == NULL)
    return NULL;
  env = ar_env_store_lookup (store, id_or_name, error);
  if (env == NULL)
    return NULL;
  *out_store = g_steal_pointer (&store);
  return env;
}

void
ar_cli_print_json (JsonNode *node)
{
  g_autofree char *text = ar_json_to_pretty_string (node, NULL);

  fputs (text, stdout);
}

JsonNode *
ar_cli_strv_to_json (const char *const *strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  json_node_take_array (node, array);
  return node;
}

int
ar_cli_main (int argc, char **argv)
{
  const char *group;
  const char *name;

  if (argc < 2)
    {
      print_usage (stdout);
      return AR_EXIT_OK;
    }

  group = argv[1];
  if (g_str_equal (group, "--help") || g_str_equal (group, "-h") || g_str_equal (group, "help"))
    {
      print_usage (stdout);
      return AR_EXIT_OK;
    }
  if (g_str_equal (group, "--version"))
    {
      printf ("agents-runner %s\n", PACKAGE_VERSION);
      return AR_EXIT_OK;
    }

  name = argc > 2 ? argv[2] : NULL;
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      gboolean group_known = FALSE;

      for (const ArCliCommand *c = groups[g]; c->name != NULL; c++)
        {
          if (!g_str_equal (c->group, group))
            continue;
          group_known = TRUE;
          if (c->name[0] == '\0')
            {
              /* The group is the command: it sees argv[0] plus what follows. */
              g_autofree char **sub = g_new0 (char *, argc);

              sub[0] = argv[0];
              for (int i = 2; i < argc; i++)
                sub[i - 1] = argv[i];
              return c->func (argc - 1, sub);
            }
          if (name != NULL && g_str_equal (c->name, name))
            {
              /* The command sees argv[0] plus its own arguments. */
              g_autofree char **sub = g_new0 (char *, argc - 1);
              int sub_argc = argc - 2;

              sub[0] = argv[0];
              for (int i = 3; i < argc; i++)
                sub[i - 2] = argv[i];
              return c->func (sub_argc, sub);
            }
        }
      if (group_known)
        {
          if (name == NULL)
            fprintf (stderr, _ ("agents-runner: “%s” needs a subcommand; see agents-runner --help\n"), group);
          else
            fprintf (stderr, _ ("agents-runner: “%s %s” is not a command; see agents-runner --help\n"), group, name);
          return AR_EXIT_USAGE;
        }
    }

  fprintf (stderr, _ ("agents-runner: “%s” is not a command; see agents-runner --help\n"), group);
  return AR_EXIT_USAGE;
}
