/* test-preflight-validator.c — preflight warnings (design.md §5.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-environment.h"
#include "ar-preflight-validator.h"
#include "test-utils.h"

#include <string.h>

static ArEnvironment *
split_env (const char *cached, const char *run, gboolean caching)
{
  ArEnvironment *env = ar_environment_new ();

  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, caching);
  ar_environment_set_cached_preflight_script (env, cached);
  ar_environment_set_run_preflight_script (env, run);
  return env;
}

static GPtrArray *
validate (ArEnvironment *env)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *warnings = ar_preflight_validate (env, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (warnings);
  return warnings;
}

static guint
count_code (GPtrArray *warnings, const char *code)
{
  guint n = 0;

  for (guint i = 0; i < warnings->len; i++)
    n += strcmp (((ArPreflightWarning *) g_ptr_array_index (warnings, i))->code, code) == 0;
  return n;
}

/* The only warning with @code; fails when there is not exactly one. */
static ArPreflightWarning *
the_warning (GPtrArray *warnings, const char *code)
{
  ArPreflightWarning *found = NULL;

  for (guint i = 0; i < warnings->len; i++)
    {
      ArPreflightWarning *w = g_ptr_array_index (warnings, i);

      if (strcmp (w->code, code) == 0)
        {
          g_assert_null (found);
          found = w;
        }
    }
  if (found == NULL)
    g_error ("no %s warning among %u", code, warnings->len);
  g_assert_nonnull (found->message);
  g_assert_cmpstr (found->message, !=, "");
  return found;
}

static void
test_clean (void)
{
  g_autoptr(ArEnvironment) env =
    split_env ("#!/bin/sh\nset -e\napt-get update && apt-get install -y git\nmkdir -p /opt/tools\n",
               "#!/bin/bash\nset -e\necho \"task $TASK_ID\"\nexport X=1\n[[ -n $X ]] && cp /tmp/a ~/b\n", TRUE);
  g_autoptr(GPtrArray) warnings = NULL;
  const char *const vars[] = { "GITHUB_TOKEN=abc", NULL };

  ar_environment_set_env_vars (env, vars);
  warnings = validate (env);
  g_assert_cmpuint (warnings->len, ==, 0);
}

static void
test_cached_task_variable (void)
{
  g_autoptr(ArEnvironment) env =
    split_env ("apt-get install -y git\n# for $TASK_ID (a comment)\nmkdir -p /opt/$TASK_ID\necho ${AGENTS_RUNNER_ENV_ID}\n",
               "echo $TASK_ID\n", TRUE);
  g_autoptr(GPtrArray) warnings = validate (env);
  ArPreflightWarning *w;

  g_assert_cmpuint (count_code (warnings, AR_PREFLIGHT_WARNING_CACHED_USES_TASK_VARIABLE), ==, 2);
  w = g_ptr_array_index (warnings, 0);
  g_assert_cmpstr (w->code, ==, AR_PREFLIGHT_WARNING_CACHED_USES_TASK_VARIABLE);
  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_CACHED);
  g_assert_cmpuint (w->line, ==, 3);
  g_assert_nonnull (strstr (w->message, "$TASK_ID"));
  w = g_ptr_array_index (warnings, 1);
  g_assert_cmpuint (w->line, ==, 4);
  g_assert_nonnull (strstr (w->message, "AGENTS_RUNNER_ENV_ID"));
  g_assert_cmpuint (warnings->len, ==, 2);
}

static void
test_cached_env_var (void)
{
  const char *const vars[] = { "GITHUB_TOKEN=ghp_x", "EMPTY=", NULL };
  g_autoptr(ArEnvironment) env =
    split_env ("set -e\n\ngit clone \"https://${GITHUB_TOKEN}@github.com/o/r\" /opt/r\n",
               "echo \"$GITHUB_TOKEN\" | gh auth login --with-token\n", TRUE);
  g_autoptr(ArEnvironment) without = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) none = NULL;
  ArPreflightWarning *w;

  ar_environment_set_env_vars (env, vars);
  warnings = validate (env);
  w = the_warning (warnings, AR_PREFLIGHT_WARNING_CACHED_USES_ENV_VAR);
  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_CACHED);
  g_assert_cmpuint (w->line, ==, 3);
  g_assert_nonnull (strstr (w->message, "GITHUB_TOKEN"));
  /* the value is never shown */
  g_assert_null (strstr (w->message, "ghp_x"));
  g_assert_cmpuint (warnings->len, ==, 1);

  /* not an env var of this environment: nothing to say */
  without = split_env ("git clone \"https://${GITHUB_TOKEN}@github.com/o/r\" /opt/r\n", "", TRUE);
  none = validate (without);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_cached_dynamic_tmp (void)
{
  g_autoptr(ArEnvironment) env =
    split_env ("apt-get install -y git\nmkdir -p \"/tmp/build-${VERSION}\"\n", "", TRUE);
  g_autoptr(ArEnvironment) fixed = split_env ("apt-get install -y git\nmkdir -p /tmp/build\n", "", TRUE);
  g_autoptr(GPtrArray) warnings = validate (env);
  g_autoptr(GPtrArray) none = validate (fixed);
  ArPreflightWarning *w = the_warning (warnings, AR_PREFLIGHT_WARNING_CACHED_DYNAMIC_TMP);

  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_CACHED);
  g_assert_cmpuint (w->line, ==, 2);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_run_installs_packages (void)
{
  g_autoptr(ArEnvironment) env =
    split_env ("mkdir -p /opt/a\n", "echo start\n# tools\nsudo apt-get install -y jq\npip install black\n", TRUE);
  g_autoptr(ArEnvironment) per_task =
    split_env ("mkdir -p /opt/a\n", "apt-get install -y \"$TASK_ID-tools\"\npip install --user black\n", TRUE);
  g_autoptr(GPtrArray) warnings = validate (env);
  g_autoptr(GPtrArray) none = validate (per_task);
  ArPreflightWarning *w;

  g_assert_cmpuint (count_code (warnings, AR_PREFLIGHT_WARNING_RUN_INSTALLS_PACKAGES), ==, 2);
  w = g_ptr_array_index (warnings, 0);
  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_RUN);
  g_assert_cmpuint (w->line, ==, 3);
  w = g_ptr_array_index (warnings, 1);
  g_assert_cmpuint (w->line, ==, 4);
  /* installs that cannot be baked are not worth a warning */
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_caching_empty_cached (void)
{
  const char *const empties[] = { "", "  \n\n", "#!/bin/sh\nset -e\n# later\n", NULL };

  for (guint i = 0; empties[i] != NULL; i++)
    {
      g_autoptr(ArEnvironment) env = split_env (empties[i], "echo hi\n", TRUE);
      g_autoptr(ArEnvironment) off = split_env (empties[i], "echo hi\n", FALSE);
      g_autoptr(GPtrArray) warnings = validate (env);
      g_autoptr(GPtrArray) none = validate (off);
      ArPreflightWarning *w = the_warning (warnings, AR_PREFLIGHT_WARNING_CACHING_EMPTY_CACHED);

      g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_CACHED);
      g_assert_cmpuint (w->line, ==, 0);
      g_assert_cmpuint (warnings->len, ==, 1);
      g_assert_cmpuint (none->len, ==, 0);
    }
}

static void
test_single_mode_caching (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) none = NULL;
  ArPreflightWarning *w;

  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SINGLE);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_preflight_enabled (env, TRUE);
  ar_environment_set_preflight_script (env, "apt-get install -y git\necho $TASK_ID\n");
  /* inactive scripts are not checked */
  ar_environment_set_cached_preflight_script (env, "echo $TASK_ID\nif\n");
  ar_environment_set_run_preflight_script (env, "apt-get install -y jq\n");

  warnings = validate (env);
  w = the_warning (warnings, AR_PREFLIGHT_WARNING_SINGLE_MODE_CACHING);
  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_SINGLE);
  g_assert_cmpuint (w->line, ==, 0);
  g_assert_cmpuint (warnings->len, ==, 1);

  ar_environment_set_cache_container_build (env, FALSE);
  none = validate (env);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_syntax_sh (void)
{
  g_autoptr(ArEnvironment) env = split_env ("apt-get update\nif true; then\n  echo b\nfi fi\necho c\n", "", FALSE);
  g_autoptr(GPtrArray) warnings = validate (env);
  ArPreflightWarning *w = the_warning (warnings, AR_PREFLIGHT_WARNING_SYNTAX_ERROR);

  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_CACHED);
  g_assert_cmpuint (w->line, ==, 4);
  g_assert_nonnull (strstr (w->message, "sh -n"));
  g_assert_nonnull (strstr (w->message, "fi"));
  /* the temporary file is an implementation detail */
  g_assert_null (strstr (w->message, "ar-preflight-"));
  g_assert_null (strstr (w->message, g_get_tmp_dir ()));
  g_assert_cmpuint (warnings->len, ==, 1);
}

static void
test_syntax_bash (void)
{
  g_autoptr(ArEnvironment) env = split_env ("", "#!/usr/bin/env bash\nset -e\necho a\nfoo )\n", FALSE);
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree char *bash = g_find_program_in_path ("bash");
  ArPreflightWarning *w;

  if (bash == NULL)
    {
      g_test_skip ("bash is not installed");
      return;
    }

  warnings = validate (env);
  w = the_warning (warnings, AR_PREFLIGHT_WARNING_SYNTAX_ERROR);
  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_RUN);
  g_assert_cmpuint (w->line, ==, 4);
  g_assert_nonnull (strstr (w->message, "bash -n"));
  g_assert_null (strstr (w->message, "ar-preflight-"));
  g_assert_cmpuint (warnings->len, ==, 1);
}

static void
test_syntax_shell_choice (void)
{
  /* arrays are bash: fine with a bash shebang, an error for sh */
  g_autoptr(ArEnvironment) as_bash = split_env ("", "#!/bin/bash\narr=(a b)\necho \"${arr[0]}\"\n", FALSE);
  g_autoptr(ArEnvironment) as_sh = split_env ("", "echo start\narr=(a b)\n", FALSE);
  g_autoptr(ArEnvironment) python = split_env ("", "#!/usr/bin/env python3\nprint('hi')\n", FALSE);
  g_autoptr(GPtrArray) bash_warnings = NULL;
  g_autoptr(GPtrArray) sh_warnings = NULL;
  g_autoptr(GPtrArray) python_warnings = NULL;
  g_autofree char *bash = g_find_program_in_path ("bash");
  g_autofree char *sh = g_find_program_in_path ("sh");
  g_autofree char *real_sh = sh != NULL ? g_file_read_link (sh, NULL) : NULL;
  ArPreflightWarning *w;

  if (bash == NULL)
    {
      g_test_skip ("bash is not installed");
      return;
    }
  bash_warnings = validate (as_bash);
  g_assert_cmpuint (bash_warnings->len, ==, 0);

  python_warnings = validate (python);
  g_assert_cmpuint (python_warnings->len, ==, 0);

  /* where sh is bash itself, arrays parse */
  if (real_sh != NULL && strstr (real_sh, "bash") != NULL)
    return;
  sh_warnings = validate (as_sh);
  w = the_warning (sh_warnings, AR_PREFLIGHT_WARNING_SYNTAX_ERROR);
  g_assert_cmpuint (w->line, ==, 2);
  g_assert_nonnull (strstr (w->message, "sh -n"));
}

static void
test_syntax_end_of_file (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  g_autoptr(GPtrArray) warnings = NULL;
  ArPreflightWarning *w;

  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SINGLE);
  ar_environment_set_preflight_script (env, "#!/bin/bash\necho a\nif true; then\n  echo b\n");
  warnings = validate (env);
  w = the_warning (warnings, AR_PREFLIGHT_WARNING_SYNTAX_ERROR);
  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_SINGLE);
  /* bash says "line 5" for a 4-line script: the line is kept inside it */
  g_assert_cmpuint (w->line, >=, 3);
  g_assert_cmpuint (w->line, <=, 4);
}

static void
test_ordering_and_strings (void)
{
  const char *const vars[] = { "NPM_TOKEN=x", NULL };
  g_autoptr(ArEnvironment) env =
    split_env ("echo $NPM_TOKEN\necho $TASK_ID\nif\n", "apt-get install -y jq\n", TRUE);
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(ArPreflightWarning) copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *whole = NULL;
  ArPreflightWarning *w;

  ar_environment_set_env_vars (env, vars);
  warnings = validate (env);
  g_assert_cmpuint (warnings->len, ==, 4);
  for (guint i = 1; i < warnings->len; i++)
    {
      ArPreflightWarning *a = g_ptr_array_index (warnings, i - 1);
      ArPreflightWarning *b = g_ptr_array_index (warnings, i);

      g_assert_true (a->script < b->script || (a->script == b->script && a->line <= b->line));
    }
  w = g_ptr_array_index (warnings, 0);
  g_assert_cmpstr (w->code, ==, AR_PREFLIGHT_WARNING_CACHED_USES_ENV_VAR);
  g_assert_cmpstr (((ArPreflightWarning *) g_ptr_array_index (warnings, 1))->code, ==,
                   AR_PREFLIGHT_WARNING_CACHED_USES_TASK_VARIABLE);
  g_assert_cmpstr (((ArPreflightWarning *) g_ptr_array_index (warnings, 3))->code, ==,
                   AR_PREFLIGHT_WARNING_RUN_INSTALLS_PACKAGES);

  text = ar_preflight_warning_to_string (w);
  g_assert_true (g_str_has_prefix (text, "Cached preflight, line 1: "));
  g_assert_true (g_str_has_suffix (text, w->message));

  copy = ar_preflight_warning_copy (w);
  copy->line = 0;
  whole = ar_preflight_warning_to_string (copy);
  g_assert_true (g_str_has_prefix (whole, "Cached preflight: "));

  g_assert_cmpstr (ar_preflight_script_kind_to_string (AR_PREFLIGHT_SCRIPT_SINGLE), ==, "single");
  g_assert_cmpstr (ar_preflight_script_kind_to_string (AR_PREFLIGHT_SCRIPT_CACHED), ==, "cached");
  g_assert_cmpstr (ar_preflight_script_kind_to_string (AR_PREFLIGHT_SCRIPT_RUN), ==, "run");
}

static void
on_validated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GPtrArray *
validate_async (ArEnvironment *env, GCancellable *cancellable, gboolean change_after, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ar_preflight_validate_async (env, cancellable, on_validated, &result);
  /* the check works on what the environment held when it was asked */
  if (change_after)
    ar_environment_set_cached_preflight_script (env, "echo fixed\n");
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return ar_preflight_validate_finish (result, error);
}

/* A script nested deeper than the analyzer follows is a warning naming the
 * line, not a crash (300 000 "$( overflowed the analyzer's stack). */
static void
test_too_deeply_nested (void)
{
  g_autoptr(GString) cached = g_string_new ("apt-get update\necho ");
  g_autoptr(GString) run = g_string_new ("echo start\n");
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  ArPreflightWarning *w;

  for (guint i = 0; i < 300000; i++)
    g_string_append (cached, "\"$(");
  g_string_append_c (cached, '\n');
  for (guint i = 0; i < 1001; i++)
    g_string_append (run, "if true; then\n");
  for (guint i = 0; i < 1001; i++)
    g_string_append (run, "fi\n");
  env = split_env (cached->str, run->str, TRUE);
  warnings = validate (env);

  g_assert_cmpuint (count_code (warnings, AR_PREFLIGHT_WARNING_TOO_DEEP), ==, 2);
  w = g_ptr_array_index (warnings, 0);
  g_assert_cmpstr (w->code, ==, AR_PREFLIGHT_WARNING_TOO_DEEP);
  g_assert_cmpint (w->script, ==, AR_PREFLIGHT_SCRIPT_CACHED);
  g_assert_true (g_str_has_prefix (w->message, "Line 2 "));
  g_assert_cmpuint (count_code (warnings, AR_PREFLIGHT_WARNING_CACHING_EMPTY_CACHED), ==, 0);
}

static void
test_async (void)
{
  g_autoptr(ArEnvironment) env =
    split_env ("echo $TASK_ID\nif true; then\nfi fi\n", "apt-get install -y jq\n", TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sync = validate (env);
  g_autoptr(GPtrArray) async = validate_async (env, NULL, TRUE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (async);
  g_assert_cmpuint (async->len, ==, sync->len);
  g_assert_cmpuint (async->len, ==, 3);
  for (guint i = 0; i < async->len; i++)
    {
      ArPreflightWarning *a = g_ptr_array_index (async, i);
      ArPreflightWarning *b = g_ptr_array_index (sync, i);

      g_assert_cmpstr (a->code, ==, b->code);
      g_assert_cmpuint (a->line, ==, b->line);
      g_assert_cmpint (a->script, ==, b->script);
      g_assert_cmpstr (a->message, ==, b->message);
    }
  g_assert_cmpuint (count_code (async, AR_PREFLIGHT_WARNING_SYNTAX_ERROR), ==, 1);

  /* and the edit made meanwhile is seen by the next check */
  {
    g_autoptr(GPtrArray) after = validate (env);

    g_assert_cmpuint (after->len, ==, 1);
    g_assert_cmpstr (((ArPreflightWarning *) g_ptr_array_index (after, 0))->code, ==,
                     AR_PREFLIGHT_WARNING_RUN_INSTALLS_PACKAGES);
  }
}

static void
test_cancelled (void)
{
  g_autoptr(ArEnvironment) env = split_env ("apt-get update\n", "echo hi\n", TRUE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) async_error = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) async = NULL;

  g_cancellable_cancel (cancellable);
  warnings = ar_preflight_validate (env, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (warnings);

  async = validate_async (env, cancellable, FALSE, &async_error);
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (async);
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/preflight-validator/clean", test_clean);
  g_test_add_func ("/preflight-validator/cached-task-variable", test_cached_task_variable);
  g_test_add_func ("/preflight-validator/cached-env-var", test_cached_env_var);
  g_test_add_func ("/preflight-validator/cached-dynamic-tmp", test_cached_dynamic_tmp);
  g_test_add_func ("/preflight-validator/run-installs-packages", test_run_installs_packages);
  g_test_add_func ("/preflight-validator/caching-empty-cached", test_caching_empty_cached);
  g_test_add_func ("/preflight-validator/single-mode-caching", test_single_mode_caching);
  g_test_add_func ("/preflight-validator/syntax-sh", test_syntax_sh);
  g_test_add_func ("/preflight-validator/syntax-bash", test_syntax_bash);
  g_test_add_func ("/preflight-validator/syntax-shell-choice", test_syntax_shell_choice);
  g_test_add_func ("/preflight-validator/syntax-end-of-file", test_syntax_end_of_file);
  g_test_add_func ("/preflight-validator/ordering-and-strings", test_ordering_and_strings);
  g_test_add_func ("/preflight-validator/too-deeply-nested", test_too_deeply_nested);
  g_test_add_func ("/preflight-validator/async", test_async);
  g_test_add_func ("/preflight-validator/cancelled", test_cancelled);

  return g_test_run ();
}
