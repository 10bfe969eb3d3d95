/* ar-cli-preflight.c — preflight split|check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>

#include "ar-cli-private.h"
#include "ar-preflight-analyzer.h"
#include "ar-preflight-build-check.h"
#include "ar-preflight-validator.h"
#include "ar-task-log.h"
#include "ar-task-manager.h"

static gboolean opt_json;
static char *opt_env;
static gboolean opt_check_build;

static GOptionEntry split_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print JSON"), NULL },
  { "env", 0, 0, G_OPTION_ARG_STRING, &opt_env,
    N_ ("Treat the env vars of this environment as per-task values"), N_ ("ENV") },
  { "check-build", 0, 0, G_OPTION_ARG_NONE, &opt_check_build,
    N_ ("Build the cached part on ENV's base image and run the run part on top (needs --env and an engine)"), NULL },
  { NULL }
};

static GOptionEntry check_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print JSON"), NULL },
  { NULL }
};

/* FILE, or standard input for "-". */
static char *
read_script (const char *path, GError **error)
{
  char *contents = NULL;
  gsize length = 0;

  if (g_str_equal (path, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (0, FALSE);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
        return NULL;
      g_output_stream_write (out, "", 1, NULL, NULL);
      length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)) - 1;
      contents = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    }
  else if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  if (!g_utf8_validate (contents, length, NULL) || memchr (contents, '\0', length) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("%s is not a text script (it is not valid UTF-8)"),
                   g_str_equal (path, "-") ? _ ("Standard input") : path);
      g_free (contents);
      return NULL;
    }
  return contents;
}

/* "summary" of design.md §5.1: {"units", "cached", "run", "both",
 * "unrecognised", "moved": [{"line", "because_of"}]}, and the lines. */
static void
add_summary_json (JsonBuilder *b, const ArPreflightSummary *summary)
{
  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "units");
  json_builder_add_int_value (b, ar_preflight_summary_get_units (summary));
  json_builder_set_member_name (b, "cached");
  json_builder_add_int_value (b, ar_preflight_summary_get_cached (summary));
  json_builder_set_member_name (b, "run");
  json_builder_add_int_value (b, ar_preflight_summary_get_run (summary));
  json_builder_set_member_name (b, "both");
  json_builder_add_int_value (b, ar_preflight_summary_get_both (summary));
  json_builder_set_member_name (b, "unrecognised");
  json_builder_add_int_value (b, ar_preflight_summary_get_unrecognised (summary));
  json_builder_set_member_name (b, "lines");
  json_builder_add_int_value (b, ar_preflight_summary_get_lines (summary));
  json_builder_set_member_name (b, "cached_lines");
  json_builder_add_int_value (b, ar_preflight_summary_get_cached_lines (summary));
  json_builder_set_member_name (b, "moved");
  json_builder_begin_array (b);
  for (guint i = 0; i < ar_preflight_summary_get_n_moved (summary); i++)
    {
      const ArPreflightMove *m = ar_preflight_summary_get_moved (summary, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "line");
      json_builder_add_int_value (b, m->line);
      json_builder_set_member_name (b, "because_of");
      json_builder_add_int_value (b, m->because_of);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

/* --check-build: the build check of design.md §5.1 on the engine of the
 * Settings; its output streams to stderr, so stdout stays the split (and
 * its JSON). */
static void
check_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  g_autofree char *clean = ar_log_strip_ansi (line);

  fprintf (stderr, "[check/%s] %s\n", ar_build_check_stage_to_string (stage), clean);
}

static ArBuildCheckResult *
check_build (ArEnvironment *env, const char *cached, const char *run, GError **error)
{
  g_autoptr(ArSettings) settings = ar_settings_new_from_gsettings ();
  /* On the environment's own engine (design.md §8). */
  g_autoptr(ArEngine) engine = ar_task_manager_new_engine (settings, env != NULL ? ar_environment_get_engine (env) : "", error);
  ArSyncWait wait;
  ArBuildCheckResult *check;

  if (engine == NULL)
    return NULL;

  ar_sync_wait_begin_shared (&wait);
  ar_preflight_check_build_async (engine, env, settings, cached, run, NULL, check_line, NULL, NULL,
                                  ar_sync_wait_callback, &wait);
  check = ar_preflight_check_build_finish (ar_sync_wait_run (&wait), error);
  ar_sync_wait_end (&wait);
  return check;
}

static int
preflight_split (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autoptr(GPtrArray) units = NULL;
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;
  g_auto(GStrv) env_names = NULL;
  g_autoptr(ArPreflightSummary) summary = NULL;
  g_autofree char *described = NULL;
  g_autoptr(ArEnvStore) env_store = NULL;
  ArEnvironment *env = NULL;
  g_autoptr(ArBuildCheckResult) check = NULL;

  if (!ar_cli_parse (&ar_cli_preflight_commands[0], split_entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;
  if (opt_check_build && opt_env == NULL)
    {
      g_printerr ("agents-runner: %s\n",
                  _ ("--check-build needs --env ENV: the environment whose base image the check builds on"));
      return AR_EXIT_USAGE;
    }

  script = read_script (argv[1], &error);
  if (script == NULL)
    return ar_cli_fail_error (error);

  if (opt_env != NULL)
    {
      env = ar_cli_load_environment (opt_env, &env_store, &error);
      if (env == NULL)
        return ar_cli_fail_error (error);
      env_names = ar_environment_dup_env_var_names (env);
    }

  units = ar_preflight_analyze (script, (const char *const *) env_names, &error);
  if (units == NULL)
    return ar_cli_fail_error (error);
  cached = ar_preflight_render (units, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (units, AR_PREFLIGHT_PART_RUN);
  summary = ar_preflight_summary_new (units);
  if (opt_check_build && (check = check_build (env, cached, run, &error)) == NULL)
    return ar_cli_fail_error (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "lines");
      json_builder_begin_array (b);
      for (guint i = 0; i < units->len; i++)
        {
          ArPreflightUnit *u = g_ptr_array_index (units, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "line");
          json_builder_add_int_value (b, u->line);
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, u->text);
          json_builder_set_member_name (b, "category");
          json_builder_add_string_value (b, ar_preflight_category_to_string (u->category));
          json_builder_set_member_name (b, "reason");
          json_builder_add_string_value (b, u->reason);
          json_builder_set_member_name (b, "part");
          json_builder_add_string_value (b, ar_preflight_part_to_string (u->part));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "cached");
      json_builder_add_string_value (b, cached);
      json_builder_set_member_name (b, "run");
      json_builder_add_string_value (b, run);
      add_summary_json (b, summary);
      if (check != NULL)
        {
          json_builder_set_member_name (b, "check");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "ok");
          json_builder_add_boolean_value (b, check->ok);
          json_builder_set_member_name (b, "stage");
          if (check->ok)
            json_builder_add_null_value (b);
          else
            json_builder_add_string_value (b, ar_build_check_stage_to_string (check->failed_stage));
          json_builder_set_member_name (b, "exit_status");
          json_builder_add_int_value (b, check->exit_status);
          json_builder_set_member_name (b, "line");
          json_builder_add_int_value (b, check->line);
          json_builder_set_member_name (b, "text");
          if (check->line_text != NULL)
            json_builder_add_string_value (b, check->line_text);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "output");
          json_builder_add_string_value (b, check->output);
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ar_cli_print_json (root);
      return check == NULL || check->ok ? AR_EXIT_OK : AR_EXIT_FAILURE;
    }

  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);
      g_auto(GStrv) lines = g_strsplit (u->text, "\n", -1);

      printf ("%4u  %-6s  %-15s  %s\n", u->line, ar_preflight_part_to_string (u->part),
              ar_preflight_category_to_string (u->category), lines[0]);
      for (guint l = 1; lines[l] != NULL; l++)
        printf ("%4s  %-6s  %-15s  %s\n", "", "", "", lines[l]);
      printf ("%4s  %-6s  %-15s  ↳ %s\n", "", "", "", u->reason);
    }
  described = ar_preflight_summary_describe (summary);
  printf ("\n%s\n", described);
  printf (_ ("%u units: %u cached, %u run, %u both; %u not recognised\n"),
          ar_preflight_summary_get_units (summary), ar_preflight_summary_get_cached (summary),
          ar_preflight_summary_get_run (summary), ar_preflight_summary_get_both (summary),
          ar_preflight_summary_get_unrecognised (summary));
  for (guint i = 0; i < ar_preflight_summary_get_n_moved (summary); i++)
    {
      const ArPreflightMove *m = ar_preflight_summary_get_moved (summary, i);

      printf (_ ("line %u runs at start because of line %u\n"), m->line, m->because_of);
    }
  printf ("\n%s\n%s", _ ("--- cached preflight (build time) ---"), cached[0] ? cached : _ ("(nothing to cache)\n"));
  printf ("\n%s\n%s", _ ("--- run preflight (every task start) ---"), run[0] ? run : _ ("(empty)\n"));
  if (check != NULL)
    {
      g_autofree char *sentence = ar_build_check_result_describe (check);

      printf ("\n%s\n%s\n", _ ("--- build check ---"), sentence);
      if (!check->ok)
        printf ("%s\n", check->output);
      return check->ok ? AR_EXIT_OK : AR_EXIT_FAILURE;
    }
  return AR_EXIT_OK;
}

static int
preflight_check (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  ArEnvironment *env;

  if (!ar_cli_parse (&ar_cli_preflight_commands[1], check_entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;

  env = ar_cli_load_environment (argv[1], &store, &error);
  if (env == NULL)
    return ar_cli_fail_error (error);

  warnings = ar_preflight_validate (env, NULL, &error);
  if (warnings == NULL)
    return ar_cli_fail_error (error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "env_id");
      json_builder_add_string_value (b, ar_environment_get_env_id (env));
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < warnings->len; i++)
        {
          ArPreflightWarning *w = g_ptr_array_index (warnings, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "script");
          json_builder_add_string_value (b, ar_preflight_script_kind_to_string (w->script));
          json_builder_set_member_name (b, "line");
          json_builder_add_int_value (b, w->line);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, w->code);
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, w->message);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ar_cli_print_json (root);
    }
  else if (warnings->len == 0)
    printf (_ ("No warnings: the preflight of “%s” looks right.\n"), ar_environment_get_name (env)[0]
                                                                       ? ar_environment_get_name (env)
                                                                       : ar_environment_get_env_id (env));
  else
    for (guint i = 0; i < warnings->len; i++)
      {
        g_autofree char *text = ar_preflight_warning_to_string (g_ptr_array_index (warnings, i));
        printf (_ ("warning: %s\n"), text);
      }

  /* Like a linter: warnings never block a save, but scripts can test for them. */
  return warnings->len == 0 ? AR_EXIT_OK : AR_EXIT_FAILURE;
}

const ArCliCommand ar_cli_preflight_commands[] = {
  { "preflight", "split", N_ ("FILE [--json] [--env ENV]"),
    N_ ("Split a preflight script into cached and run parts (FILE - for stdin)"), preflight_split },
  { "preflight", "check", N_ ("ENV [--json]"), N_ ("Check an environment's preflight scripts"), preflight_check },
  /* in ar-cli-run.c: the build check, or the task pipeline */
  { "preflight", "test", N_ ("ENV [--json-events]"),
    N_ ("Test the preflights of ENV without the agent (a build check when caching is on)"), ar_cli_preflight_test },
  { NULL }
};
