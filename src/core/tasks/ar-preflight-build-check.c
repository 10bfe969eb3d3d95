/* ar-preflight-build-check.c — build the cached part, run the run part on top
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-build-check.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ar-cache-key.h"
#include "ar-dockerfile.h"
#include "ar-entry-script.h"
#include "ar-image-builder-private.h"
#include "ar-paths.h"
#include "ar-run-args.h"
#include "ar-task-delivery.h"
#include "ar-task-log.h"
#include "ar-task-runner.h"
#include "ar-task-scratch.h"
#include "ar-util.h"

/* clang-format off */
G_DEFINE_QUARK (ar-preflight-build-check-error-quark, ar_preflight_build_check_error)
/* clang-format on */

/* The image goes away whatever happened: a short wait is enough. */
#define REMOVE_TIMEOUT_SECONDS 60

typedef struct {
  ArEngine *engine;
  ArEnvironment *env;
  ArSettings *settings;
  char *cached_text;
  char *run_text;
  GStrv agent_argv;
  ArBuildCheckLineFunc on_line;
  gpointer line_data;

  char *base_name;
  char *base_id;
  char *base_user;
  GPtrArray *step_ids; /* images the build's steps made ("---> ID") */
  char *tag;           /* the throwaway image, once a build started */
  char *context_dir;
  char *scratch_dir;
  char *env_file;
  /* design.md §4.2, "Copied, not mounted": the engine does not see this
   * computer's folders; the container, created, gets the scripts by copy */
  char *container;
  GPtrArray *start_args; /* `start -a NAME`, once created */
  ArBuildCheckStage stage;
  GQueue tail;
  gint64 started;
  ArBuildCheckResult *result;
  GError *error; /* kept while the image is removed */
} CheckOp;

static void
check_op_free (CheckOp *op)
{
  g_assert (op->context_dir == NULL && op->scratch_dir == NULL && op->env_file == NULL);

  g_clear_object (&op->engine);
  g_clear_object (&op->env);
  g_clear_pointer (&op->settings, ar_settings_free);
  g_free (op->cached_text);
  g_free (op->run_text);
  g_strfreev (op->agent_argv);
  g_free (op->base_name);
  g_free (op->base_id);
  g_free (op->base_user);
  g_clear_pointer (&op->step_ids, g_ptr_array_unref);
  g_free (op->tag);
  g_queue_clear_full (&op->tail, g_free);
  g_clear_pointer (&op->result, ar_build_check_result_free);
  g_clear_error (&op->error);
  g_free (op->container);
  g_clear_pointer (&op->start_args, g_ptr_array_unref);
  g_free (op);
}

void
ar_build_check_result_free (ArBuildCheckResult *result)
{
  if (result == NULL)
    return;
  g_free (result->line_text);
  g_free (result->output);
  g_free (result);
}

const char *
ar_build_check_stage_to_string (ArBuildCheckStage stage)
{
  return stage == AR_BUILD_CHECK_STAGE_BUILD ? "build" : "run";
}

static void
remove_files (CheckOp *op)
{
  if (op->context_dir != NULL)
    ar_remove_tree (op->context_dir);
  g_clear_pointer (&op->context_dir, g_free);
  if (op->scratch_dir != NULL)
    ar_remove_tree (op->scratch_dir);
  g_clear_pointer (&op->scratch_dir, g_free);
  if (op->env_file != NULL)
    g_unlink (op->env_file);
  g_clear_pointer (&op->env_file, g_free);
}

/* "KEY=VALUE" labels of everything a check makes. */
static GPtrArray *
check_labels (void)
{
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_free);
  const char *test_label = g_getenv (AR_TEST_RUN_LABEL_ENV);

  g_ptr_array_add (labels, g_strdup (AR_LABEL_PREFLIGHT_CHECK "=1"));
  if (test_label != NULL && strchr (test_label, '=') != NULL)
    g_ptr_array_add (labels, g_strdup (test_label));
  return labels;
}

/* A private folder for the run part's scripts in @parent (run/, which the
 * engine CLI reads also inside Flatpak). */
static char *
make_scratch_dir (const char *parent, GError **error)
{
  g_autofree char *dir = NULL;

  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not make the folder %s: %s."), parent, g_strerror (saved));
      return NULL;
    }
  dir = g_build_filename (parent, "preflight-check-XXXXXX", NULL);
  if (g_mkdtemp_full (dir, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not make a folder in %s: %s."), parent, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&dir);
}

/* ---- failing lines ------------------------------------------------------ */

guint
ar_preflight_build_check_find_line (const char *output, const char *script_name)
{
  g_autofree char *quoted = NULL;
  g_autofree char *pattern = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_auto(GStrv) lines = NULL;
  guint found = 0;

  g_return_val_if_fail (script_name != NULL, 0);
  if (output == NULL)
    return 0;

  quoted = g_regex_escape_string (script_name, -1);
  /* FILE: N:  |  FILE: line N:  |  : N: …/FILE:  (dash, sourced) */
  pattern = g_strdup_printf ("(?:^|[\\s/])%s:\\s*(?:line\\s+)?(\\d+):|:\\s*(\\d+):\\s*\\S*%s:",
                             quoted, quoted);
  regex = g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, NULL);
  g_return_val_if_fail (regex != NULL, 0);

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;

      if (g_regex_match (regex, lines[i], 0, &match))
        {
          g_autofree char *a = g_match_info_fetch (match, 1);
          g_autofree char *b = g_match_info_fetch (match, 2);
          const char *digits = a != NULL && a[0] != '\0' ? a : b;
          guint64 n = 0;

          if (digits != NULL && g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT, &n, NULL))
            found = (guint) n;
        }
    }
  return found;
}

static char *
nth_line (const char *text, guint n)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  if (n == 0 || n > g_strv_length (lines))
    return NULL;
  return g_strdup (lines[n - 1]);
}

char *
ar_build_check_result_describe (const ArBuildCheckResult *result)
{
  const char *part;

  g_return_val_if_fail (result != NULL, NULL);

  if (result->ok)
    return result->built ? g_strdup (_ ("The cached part builds and the run part runs on top of it."))
                         : g_strdup (_ ("Nothing to cache; the run part runs on the base image."));
  part = result->failed_stage == AR_BUILD_CHECK_STAGE_BUILD ? _ ("The cached part does not build")
                                                            : _ ("The run part fails on top of the cached part");
  if (result->line > 0 && result->line_text != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (result->line_text));

      /* Translators: "The cached part does not build: “apt-get install -y x” (line 4 of the
       * cached part) failed with exit status 100." */
      return g_strdup_printf (result->failed_stage == AR_BUILD_CHECK_STAGE_BUILD
                                ? _ ("%s: “%s” (line %u of the cached part) failed with exit status %d.")
                                : _ ("%s: “%s” (line %u of the run part) failed with exit status %d."),
                              part, text, result->line, result->exit_status);
    }
  if (result->exit_status < 0)
    return g_strdup_printf (_ ("%s: it did not finish (timed out or stopped)."), part);
  return g_strdup_printf (_ ("%s: exit status %d."), part, result->exit_status);
}

/* ---- the stages --------------------------------------------------------- */

static void
on_cli_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  CheckOp *op = user_data;
  g_autofree char *clean = NULL;

  if (op->on_line != NULL)
    op->on_line (op->stage, line, op->line_data);
  clean = ar_log_strip_ansi (line);
  if (g_strstrip (clean)[0] == '\0')
    return;
  if (op->stage == AR_BUILD_CHECK_STAGE_BUILD)
    ar_image_layer_note_step_image (&op->step_ids, clean);
  g_queue_push_tail (&op->tail, g_steal_pointer (&clean));
  if (op->tail.length > AR_PREFLIGHT_CHECK_TAIL_LINES)
    g_free (g_queue_pop_head (&op->tail));
}

static char *
tail_text (CheckOp *op)
{
  GString *text = g_string_new (NULL);

  for (GList *l = op->tail.head; l != NULL; l = l->next)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, l->data);
    }
  return g_string_free (text, FALSE);
}

static void remove_leftovers (GTask *task);
static void return_result (GTask *task);

static void
image_removed (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *err_tail = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), res, &err_tail, &error);
  if (error != NULL || status != 0)
    g_debug ("could not remove the check image %s: %s", op->tag,
             error != NULL ? error->message : (err_tail != NULL ? err_tail : "?"));
  remove_leftovers (task);
}

static void
leftovers_removed (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  /* Some may be refused (another image still builds on them): what is
   * left is for `image prune`. */
  ar_engine_run_cli_finish (AR_ENGINE (source), res, NULL, NULL);
  return_result (task);
}

/* A build that failed leaves the images of the steps that ran (the legacy
 * builder's cache, untagged): removed as a layer's are. */
static void
remove_leftovers (GTask *task)
{
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) args = NULL;

  if (!op->result->built && op->step_ids != NULL)
    args = ar_image_layer_leftovers_argv (op->engine, op->step_ids, op->base_id);
  if (args == NULL)
    {
      return_result (task);
      return;
    }
  g_clear_pointer (&op->step_ids, g_ptr_array_unref);
  /* Not the task's cancellable: a cancelled check still cleans up. */
  ar_engine_run_cli_async (op->engine, (const char *const *) args->pdata, NULL, NULL, NULL,
                           REMOVE_TIMEOUT_SECONDS, NULL, leftovers_removed, g_object_ref (task));
}

static void
return_result (GTask *task)
{
  CheckOp *op = g_task_get_task_data (task);

  if (op->error != NULL)
    g_task_return_error (task, g_steal_pointer (&op->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&op->result), (GDestroyNotify) ar_build_check_result_free);
}

/* The end, whatever happened: files gone, then the image. */
static void finish (GTask *task, GError *error);

static void
container_removed (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  /* Gone already (--rm) when the run part ended: nothing to say. */
  ar_engine_run_cli_finish (AR_ENGINE (source), res, NULL, NULL);
  finish (task, NULL);
}

static void
finish (GTask *task, GError *error)
{
  CheckOp *op = g_task_get_task_data (task);

  remove_files (op);
  if (error != NULL)
    {
      g_clear_error (&op->error);
      op->error = error;
    }
  if (op->container != NULL)
    {
      g_autofree char *name = g_steal_pointer (&op->container);
      const char *args[] = { "rm", "-f", name, NULL };

      /* Created and not started, or a cancelled start: before its image. */
      ar_engine_run_cli_async (op->engine, args, NULL, NULL, NULL, REMOVE_TIMEOUT_SECONDS, NULL,
                               container_removed, g_object_ref (task));
      return;
    }
  if (op->tag != NULL)
    {
      const char *args[] = { "image", "rm", "-f", op->tag, NULL };

      /* Not the task's cancellable: a cancelled check still cleans up. */
      ar_engine_run_cli_async (op->engine, args, NULL, NULL, NULL, REMOVE_TIMEOUT_SECONDS, NULL,
                               image_removed, g_object_ref (task));
      return;
    }
  remove_leftovers (task);
}

static void
stage_failed (GTask *task, int exit_status, const char *script_name, const char *text)
{
  CheckOp *op = g_task_get_task_data (task);
  ArBuildCheckResult *r = op->result;

  r->ok = FALSE;
  r->failed_stage = op->stage;
  r->exit_status = exit_status;
  r->output = tail_text (op);
  r->line = ar_preflight_build_check_find_line (r->output, script_name);
  r->line_text = nth_line (text, r->line);
  if (r->line_text == NULL)
    r->line = 0;
  finish (task, NULL);
}

/* A CLI error that is not about the script: timeouts are a result. */
static gboolean
handle_cli_error (GTask *task, GError **error, const char *script_name, const char *text)
{
  if (*error == NULL)
    return FALSE;
  if (g_error_matches (*error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_TIMEOUT))
    {
      CheckOp *op = g_task_get_task_data (task);

      g_queue_push_tail (&op->tail, g_strdup ((*error)->message));
      g_clear_error (error);
      stage_failed (task, -1, script_name, text);
      return TRUE;
    }
  finish (task, g_steal_pointer (error));
  return TRUE;
}

static void
run_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), res, NULL, &error);
  op->result->run_seconds = (g_get_monotonic_time () - op->started) / (double) G_USEC_PER_SEC;
  if (handle_cli_error (task, &error, AR_ENTRY_RUN_PREFLIGHT_FILE, op->run_text))
    return;
  g_debug ("run part on %s: exit status %d", op->tag != NULL ? op->tag : op->base_name, status);
  if (status != 0)
    {
      stage_failed (task, status, AR_ENTRY_RUN_PREFLIGHT_FILE, op->run_text);
      return;
    }
  op->result->ok = TRUE;
  op->result->output = g_strdup ("");
  finish (task, NULL);
}

static void
copied_in (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ar_task_delivery_run_finish (res, &error))
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  op->started = g_get_monotonic_time ();
  ar_engine_run_cli_async (op->engine, (const char *const *) op->start_args->pdata, NULL, on_cli_line, op, 0,
                           g_task_get_cancellable (task), run_done, g_object_ref (task));
}

static void
created (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autofree char *tail = NULL;
  int status = ar_engine_run_cli_finish (AR_ENGINE (source), res, &tail, &error);
  g_autofree char *name = g_steal_pointer (&op->container);

  if (error == NULL && status != 0)
    {
      const char *const args[] = { "create", name, NULL };

      error = ar_engine_cli_error_new (op->engine, args, status, tail);
    }
  if (error != NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  op->container = g_strdup (name);
  /* The task runner's copies (ar-task-delivery.c): the scripts only. */
  steps = ar_task_delivery_copy_in_steps (ar_engine_get_kind (op->engine), name, op->scratch_dir,
                                          AR_ENTRY_CONTAINER_DIR, NULL, NULL, NULL, NULL);
  ar_task_delivery_run_async (op->engine, steps, NULL, "check/copy", g_task_get_cancellable (task), copied_in,
                              g_object_ref (task));
}

/* Like a task's container (design.md §4.2), without workspace, mounts, ports or
 * config folders: the scripts read-only at /tmp/agents-runner, the task's
 * variables and the environment's (values through the CLI's environment,
 * never argv), the working folder. */
static void
start_run (GTask *task)
{
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) run_env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = check_labels ();
  g_autoptr(GString) env_file_text = g_string_new (NULL);
  g_autofree char *run_dir = ar_paths_run_dir ();
  g_autofree char *entry = NULL;
  g_autofree char *name = NULL;
  const char *workdir = ar_environment_get_container_workdir (op->env);
  gboolean podman = ar_engine_get_kind (op->engine) == AR_ENGINE_KIND_PODMAN;
  gboolean copy;
  ArEntrySteps steps = { 0 };

  op->stage = AR_BUILD_CHECK_STAGE_RUN;
  g_queue_clear_full (&op->tail, g_free);
  g_queue_init (&op->tail);
  if (workdir == NULL || *workdir == '\0')
    workdir = AR_DEFAULT_CONTAINER_WORKDIR;

  /* run/ is 0700; the check's folder in it 0755 and its files 0644, so a
   * container user with another uid reads them (as for a task). */
  op->scratch_dir = make_scratch_dir (run_dir, &error);
  if (op->scratch_dir == NULL || g_chmod (op->scratch_dir, 0755) != 0)
    {
      if (error == NULL)
        g_set_error (&error, AR_PREFLIGHT_BUILD_CHECK_ERROR, AR_PREFLIGHT_BUILD_CHECK_ERROR_FAILED,
                     _ ("Could not make %s readable."), op->scratch_dir);
      finish (task, g_steal_pointer (&error));
      return;
    }
  if (op->settings->preflight_enabled && !ar_script_is_blank (op->settings->preflight_script))
    {
      if (!ar_task_scratch_write_script (op->scratch_dir, AR_ENTRY_SETTINGS_PREFLIGHT_FILE,
                                         op->settings->preflight_script, &error))
        {
          finish (task, g_steal_pointer (&error));
          return;
        }
      steps.settings_preflight = TRUE;
    }
  if (!ar_script_is_blank (op->run_text))
    {
      if (!ar_task_scratch_write_script (op->scratch_dir, AR_ENTRY_RUN_PREFLIGHT_FILE, op->run_text, &error))
        {
          finish (task, g_steal_pointer (&error));
          return;
        }
      steps.run_preflight = TRUE;
    }
  /* Podman refuses a -w the image lacks; docker makes it. */
  steps.enter_workdir = podman;
  entry = ar_entry_script_generate (&steps);
  if (!ar_task_scratch_write_script (op->scratch_dir, AR_ENTRY_SCRIPT_FILE, entry, &error))
    {
      finish (task, g_steal_pointer (&error));
      return;
    }

  name = g_strdup_printf ("agents-runner-check-%08x%08x", g_random_int (), g_random_int ());
  copy = !ar_engine_shares_host_folders (op->engine);
  if (copy)
    {
      g_debug ("build check: the engine does not see this computer's folders (%s): the scripts are copied in",
               ar_engine_folders_reason (op->engine));
      op->start_args = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (op->start_args, g_strdup ("start"));
      g_ptr_array_add (op->start_args, g_strdup ("-a"));
      g_ptr_array_add (op->start_args, g_strdup (name));
      g_ptr_array_add (op->start_args, NULL);
      op->container = g_strdup (name);
    }
  g_ptr_array_add (args, g_strdup (copy ? "create" : "run"));
  g_ptr_array_add (args, g_strdup ("--rm"));
  g_ptr_array_add (args, g_strdup ("--name"));
  g_ptr_array_add (args, g_steal_pointer (&name));
  for (guint i = 0; i < labels->len; i++)
    {
      g_ptr_array_add (args, g_strdup ("--label"));
      g_ptr_array_add (args, g_strdup (g_ptr_array_index (labels, i)));
    }
  if (!copy)
    {
      g_ptr_array_add (args, g_strdup ("-v"));
      g_ptr_array_add (args, g_strdup_printf ("%s:%s:ro", op->scratch_dir, AR_ENTRY_CONTAINER_DIR));
    }

  ar_run_args_add_env (NULL, AR_PREFLIGHT_CHECK_TASK_ID, ar_environment_get_env_id (op->env),
                       ar_environment_get_env_vars (op->env), args, run_env, env_file_text);
  if (env_file_text->len > 0)
    {
      op->env_file = g_strconcat (op->scratch_dir, ".env", NULL);
      if (!ar_run_args_add_env_file (op->env_file, env_file_text, args, &error))
        {
          finish (task, g_steal_pointer (&error));
          return;
        }
    }
  ar_run_args_add_workdir (workdir, podman, args, run_env);
  ar_run_args_add_command (op->tag != NULL ? op->tag : op->base_name, (const char *const *) op->agent_argv,
                           args, run_env);

  if (copy)
    {
      ar_engine_run_cli_async (op->engine, (const char *const *) args->pdata, (const char *const *) run_env->pdata,
                               NULL, NULL, REMOVE_TIMEOUT_SECONDS, g_task_get_cancellable (task), created,
                               g_object_ref (task));
      return;
    }
  op->started = g_get_monotonic_time ();
  ar_engine_run_cli_async (op->engine, (const char *const *) args->pdata, (const char *const *) run_env->pdata,
                           on_cli_line, op, 0, g_task_get_cancellable (task), run_done, g_object_ref (task));
}

static void
build_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), res, NULL, &error);
  op->result->build_seconds = (g_get_monotonic_time () - op->started) / (double) G_USEC_PER_SEC;
  /* The context never outlives its build. */
  ar_remove_tree (op->context_dir);
  g_clear_pointer (&op->context_dir, g_free);
  if (handle_cli_error (task, &error, AR_CONTEXT_ENV_SCRIPT, op->cached_text))
    return;
  g_debug ("build of the cached part as %s: exit status %d in %.1f s", op->tag, status,
           op->result->build_seconds);
  if (status != 0)
    {
      stage_failed (task, status, AR_CONTEXT_ENV_SCRIPT, op->cached_text);
      return;
    }
  op->result->built = TRUE;
  start_run (task);
}

static void
start_build (GTask *task)
{
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = check_labels ();
  g_autoptr(GBytes) script = g_bytes_new (op->cached_text, strlen (op->cached_text));
  g_autoptr(GArray) files = NULL;
  g_autofree char *dockerfile_text = NULL;
  g_autofree char *dockerfile = NULL;
  g_autofree char *with_newline = NULL;
  ArDockerfileParams params = {
    .layer = AR_LAYER_ENV,
    .parent = op->base_name,
    .build_user = op->base_user,
    .has_shebang = ar_dockerfile_has_shebang (script),
  };

  op->stage = AR_BUILD_CHECK_STAGE_BUILD;
  dockerfile_text = ar_dockerfile_generate (&params, &error);
  if (dockerfile_text == NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  /* The script as a task's layer gets it, with a last line end. */
  files = ar_context_files_new ();
  with_newline = g_str_has_suffix (op->cached_text, "\n") ? g_strdup (op->cached_text)
                                                          : g_strconcat (op->cached_text, "\n", NULL);
  {
    gsize len = strlen (with_newline);
    g_autoptr(GBytes) contents = g_bytes_new_take (g_steal_pointer (&with_newline), len);

    ar_context_files_add (files, AR_CONTEXT_ENV_SCRIPT, contents);
  }
  op->context_dir = ar_image_layer_make_context (op->engine, "agents-runner-check-XXXXXX", dockerfile_text,
                                                 files, &error);
  if (op->context_dir == NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  op->tag = g_strdup_printf ("agents-runner-check:%08x%08x", g_random_int (), g_random_int ());
  dockerfile = g_build_filename (op->context_dir, "Dockerfile", NULL);
  g_ptr_array_add (args, g_strdup ("build"));
  /* A failed build must not leave its stopped intermediate container. */
  g_ptr_array_add (args, g_strdup ("--force-rm"));
  for (guint i = 0; i < labels->len; i++)
    {
      g_ptr_array_add (args, g_strdup ("--label"));
      g_ptr_array_add (args, g_strdup (g_ptr_array_index (labels, i)));
    }
  g_ptr_array_add (args, g_strdup ("-t"));
  g_ptr_array_add (args, g_strdup (op->tag));
  g_ptr_array_add (args, g_strdup ("-f"));
  g_ptr_array_add (args, g_strdup (dockerfile));
  g_ptr_array_add (args, g_strdup (op->context_dir));
  g_ptr_array_add (args, NULL);

  g_debug ("building the cached part FROM %s as %s", op->base_name, op->tag);
  op->started = g_get_monotonic_time ();
  ar_engine_run_cli_async (op->engine, (const char *const *) args->pdata, NULL, on_cli_line, op,
                           op->settings->build_timeout, g_task_get_cancellable (task), build_done,
                           g_object_ref (task));
}

static void
base_inspected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImageInfo) info = NULL;

  info = ar_engine_inspect_image_finish (AR_ENGINE (source), res, &error);
  if (error != NULL)
    {
      finish (task, g_steal_pointer (&error));
      return;
    }
  if (info == NULL)
    {
      finish (task, g_error_new (AR_PREFLIGHT_BUILD_CHECK_ERROR, AR_PREFLIGHT_BUILD_CHECK_ERROR_NO_BASE_IMAGE,
                                 _ ("The base image “%s” is not on this machine: pull it (docker pull %s) "
                                    "or run a task of this environment once, then check again."),
                                 op->base_name, op->base_name));
      return;
    }
  op->base_user = g_strdup (info->user != NULL ? info->user : "");
  op->base_id = g_strdup (info->id);
  if (ar_script_is_blank (op->cached_text))
    start_run (task);
  else
    start_build (task);
}

void
ar_preflight_check_build_async (ArEngine *engine,
                                ArEnvironment *env,
                                const ArSettings *settings,
                                const char *cached_text,
                                const char *run_text,
                                const char *const *agent_argv,
                                ArBuildCheckLineFunc on_line,
                                gpointer line_data,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  static const char *const default_agent[] = { "true", NULL };
  g_autoptr(GTask) task = NULL;
  const char *base;
  CheckOp *op;

  g_return_if_fail (AR_IS_ENGINE (engine));
  g_return_if_fail (AR_IS_ENVIRONMENT (env));
  g_return_if_fail (settings != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_preflight_check_build_async);
  /* Cancellation is answered once the image and the folders are gone. */
  g_task_set_check_cancellable (task, FALSE);

  op = g_new0 (CheckOp, 1);
  op->engine = g_object_ref (engine);
  op->env = g_object_ref (env);
  op->settings = ar_settings_copy (settings);
  op->cached_text = g_strdup (cached_text != NULL ? cached_text : "");
  op->run_text = g_strdup (run_text != NULL ? run_text : "");
  op->agent_argv = g_strdupv ((char **) (agent_argv != NULL && agent_argv[0] != NULL ? agent_argv : default_agent));
  op->on_line = on_line;
  op->line_data = line_data;
  op->result = g_new0 (ArBuildCheckResult, 1);
  g_queue_init (&op->tail);
  g_task_set_task_data (task, op, (GDestroyNotify) check_op_free);

  base = ar_environment_get_base_image (env);
  if (base == NULL || *base == '\0')
    base = settings->default_base_image;
  op->base_name = g_strdup (base != NULL ? base : "");
  {
    g_autoptr(GError) error = NULL;

    if (!ar_engine_check_image_reference (op->base_name, &error))
      {
        finish (task, g_steal_pointer (&error));
        return;
      }
  }
  ar_engine_inspect_image_async (engine, op->base_name, cancellable, base_inspected, g_object_ref (task));
}

ArBuildCheckResult *
ar_preflight_check_build_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_preflight_check_build_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
