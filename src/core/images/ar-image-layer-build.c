/* ar-image-layer-build.c — the build of one cached layer: its private build
 * folder, the labels in the file built, `docker build` with the Settings
 * timeout, and what a failed build leaves behind (design.md §3.3, §3.4). The
 * decision that comes first is in ar-image-layer.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ar-image-layer-private.h"
#include "ar-paths.h"
#include "ar-util.h"

/* The legacy builder says " ---> 0123456789ab" after each step, podman
 * "--> 0123456789ab": the image that step made. Docker keeps them as the
 * build's cache, untagged, and a failed build leaves them behind. */
void
ar_image_layer_note_step_image (GPtrArray **step_ids, const char *line)
{
  const char *p = line;
  gsize n = 0;

  while (*p == '-')
    p++;
  if (p - line < 2 || *p != '>')
    return;
  p++;
  while (*p == ' ')
    p++;
  while (g_ascii_isxdigit (p[n]) && !g_ascii_isupper (p[n]))
    n++;
  if (n < 12 || n > 64 || p[n] != '\0')
    return;
  if (*step_ids == NULL)
    *step_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (*step_ids, g_strndup (p, n));
}

static void
build_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  LayerOp *op = user_data;
  g_autofree char *clean = NULL;

  if (op->ctx->log != NULL)
    ar_task_log_output (op->ctx->log, line);
  clean = ar_log_strip_ansi (line);
  if (g_strstrip (clean)[0] == '\0')
    return;
  ar_image_layer_note_step_image (&op->step_ids, clean);
  g_queue_push_tail (&op->tail, g_steal_pointer (&clean));
  if (op->tail.length > TAIL_LINES)
    g_free (g_queue_pop_head (&op->tail));
}

static void
built_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImageInfo) info = NULL;
  g_autofree char *id = NULL;

  info = ar_engine_inspect_image_finish (AR_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ar_layer_op_return (task, g_steal_pointer (&error));
      return;
    }
  if (!ar_image_info_is_layer (info, op->result.key))
    {
      g_autofree char *reason = g_strdup_printf (_ ("the build finished but %s is not there%s%s"), op->result.tag,
                                                 error != NULL ? ": " : "", error != NULL ? error->message : "");

      ar_layer_op_failed (task, -1, reason, FALSE);
      return;
    }

  op->result.state = AR_LAYER_STATE_BUILT;
  op->result.image_id = g_strdup (info->id);
  op->image_user = g_strdup (info->user != NULL ? info->user : "");
  id = ar_image_short_id (info->id);
  g_debug ("%s: built %s key %s in %.1f s", op->scope, op->result.tag, op->result.key, op->result.build_seconds);
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _ ("built %s (%s) in %.1f s"),
                      op->result.tag, id, op->result.build_seconds);
  if (!ar_image_stats_record_build (ar_layer_op_env_id (op), op->result.tag, op->result.build_seconds, &error))
    ar_layer_op_note_state_error (op, error);
  g_clear_error (&error);
  if (!ar_failed_build_forget (op->result.key, &error))
    ar_layer_op_note_state_error (op, error);
  ar_layer_op_return (task, NULL);
}

static void
leftovers_removed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LayerOp *op = g_task_get_task_data (task);
  g_autofree char *reason = g_steal_pointer (&op->fail_reason);

  /* Some may be refused (another image still builds on them) or already
   * gone with their child: what is left is for `image prune`. */
  ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, NULL);
  ar_layer_op_failed (task, op->fail_status, reason, op->fail_remember);
}

GPtrArray *
ar_image_layer_leftovers_argv (ArEngine *engine, GPtrArray *step_ids, const char *parent_id)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  const char *parent = ar_image_bare_id (parent_id);

  g_ptr_array_add (args, g_strdup ("image"));
  g_ptr_array_add (args, g_strdup ("rm"));
  g_ptr_array_add (args, g_strdup ("--"));
  for (guint i = step_ids != NULL ? step_ids->len : 0; i > 0; i--)
    {
      const char *id = g_ptr_array_index (step_ids, i - 1);

      if (parent[0] == '\0' || !g_str_has_prefix (parent, id))
        g_ptr_array_add (args, g_strdup (id));
    }
  /* Podman's own cleanup of a killed build races with a removal of its
   * images and leaves the build's containers: left to `image prune` there. */
  if (args->len == 3 || ar_engine_get_kind (engine) == AR_ENGINE_KIND_PODMAN)
    return NULL;
  g_ptr_array_add (args, NULL);
  return g_steal_pointer (&args);
}

/* A failed build leaves the images of the steps that ran (the legacy
 * builder's cache, untagged): removed (Docker), newest first, without -f, so that
 * the engine keeps any that a tag, a container or another image still
 * needs, and never the parent the build started FROM. */
static void
clean_then_fail (GTask *owned_task, int exit_status, const char *reason, gboolean remember)
{
  g_autoptr(GTask) task = owned_task;
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) args = ar_image_layer_leftovers_argv (self->engine, op->step_ids, op->parent_id);

  if (args == NULL)
    {
      ar_layer_op_failed (task, exit_status, reason, remember);
      return;
    }
  op->fail_status = exit_status;
  op->fail_reason = g_strdup (reason);
  op->fail_remember = remember;
  ar_engine_run_cli_async (self->engine, (const char *const *) args->pdata, NULL, NULL, NULL, 60, NULL,
                           leftovers_removed, g_steal_pointer (&task));
}

static void
build_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  int status;

  status = ar_engine_run_cli_finish (AR_ENGINE (source), result, NULL, &error);
  op->result.build_seconds = (g_get_monotonic_time () - op->build_started) / (double) G_USEC_PER_SEC;
  /* Before anything else: the context never outlives its build. */
  ar_remove_tree (op->context_dir);
  g_clear_pointer (&op->context_dir, g_free);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _ ("the build of %s was cancelled"), op->result.tag);
      ar_layer_op_return (task, g_steal_pointer (&error));
      return;
    }
  if (g_error_matches (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_TIMEOUT))
    {
      reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "timed out after %u second",
                                             "timed out after %u seconds", op->ctx->settings->build_timeout),
                                op->ctx->settings->build_timeout);
      clean_then_fail (g_steal_pointer (&task), -1, reason, TRUE);
      return;
    }
  if (error != NULL)
    {
      clean_then_fail (g_steal_pointer (&task), -1, error->message, FALSE);
      return;
    }
  if (status != 0)
    {
      reason = g_strdup_printf (_ ("exit status %d"), status);
      clean_then_fail (g_steal_pointer (&task), status, reason, TRUE);
      return;
    }
  ar_engine_inspect_image_async (self->engine, op->result.tag, g_task_get_cancellable (task),
                                 built_inspected, g_object_ref (task));
}

/* A private folder with the Dockerfile and exactly the files the key
 * covers. Inside Flatpak the CLI runs on the host, which sees the app's
 * cache folder under the same path but not its /tmp. */
char *
ar_image_layer_make_context (ArEngine *engine,
                             const char *pattern,
                             const char *dockerfile_text,
                             GArray *files,
                             GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *dockerfile = NULL;

  if (ar_engine_get_in_flatpak (engine))
    {
      g_autofree char *cache = ar_paths_cache_dir ();
      g_autofree char *parent = g_build_filename (cache, "build", NULL);

      g_mkdir_with_parents (parent, 0700);
      dir = g_build_filename (parent, pattern, NULL);
      if (g_mkdtemp_full (dir, 0700) == NULL)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not make a build folder in %s: %s."), parent, g_strerror (saved));
          return NULL;
        }
    }
  else if ((dir = g_dir_make_tmp (pattern, error)) == NULL)
    return NULL;

  dockerfile = g_build_filename (dir, "Dockerfile", NULL);
  if (!g_file_set_contents_full (dockerfile, dockerfile_text, -1, G_FILE_SET_CONTENTS_NONE, 0644, error))
    goto fail;
  for (guint i = 0; i < files->len; i++)
    {
      const ArContextFile *file = &g_array_index (files, ArContextFile, i);
      g_autofree char *path = g_build_filename (dir, file->name, NULL);
      g_autofree char *parent = g_path_get_dirname (path);
      gsize len = 0;
      const char *bytes = g_bytes_get_data (file->contents, &len);

      g_mkdir_with_parents (parent, 0755);
      if (!g_file_set_contents_full (path, bytes != NULL ? bytes : "", len, G_FILE_SET_CONTENTS_NONE, 0644, error))
        goto fail;
      /* whatever the umask: the build user may not be root */
      g_chmod (path, 0644);
    }
  return g_steal_pointer (&dir);

fail:
  ar_remove_tree (dir);
  return NULL;
}

static gboolean
is_plain_label (const char *label)
{
  const char *eq = strchr (label, '=');

  if (eq == NULL || eq == label)
    return FALSE;
  for (const char *p = label; p < eq; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  for (const char *p = eq + 1; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._:/@+,=-", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* One LABEL instruction of the plain labels, or "" when none is plain;
 * the others go as --label in argv. */
static char *
label_line (GPtrArray *labels, GPtrArray *args)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < labels->len; i++)
    {
      const char *label = g_ptr_array_index (labels, i);
      const char *eq = strchr (label, '=');

      if (!is_plain_label (label))
        {
          g_ptr_array_add (args, g_strdup ("--label"));
          g_ptr_array_add (args, g_strdup (label));
          continue;
        }
      g_string_append (text, text->len > 0 ? " \\\n      " : "LABEL ");
      g_string_append_len (text, label, eq - label);
      g_string_append_printf (text, "=\"%s\"", eq + 1);
    }
  if (text->len > 0)
    g_string_append_c (text, '\n');
  return g_string_free (text, FALSE);
}

/* The labels go into LABEL lines of the file built: the legacy builder
 * makes a step of each --label (15 of them cost more than the build
 * itself). Only values made of plain characters are written there, in
 * double quotes, so nothing in them can be read as syntax or expanded; any
 * other value goes as --label in argv. @early (the install's, and the
 * extra labels) come right after FROM, so that every image a step makes
 * carries them, the untagged ones a failed build leaves too (design.md §3.6:
 * `image prune` finds them by it); @late (the key's) at the end, where no
 * step image but the finished one has them. */
char *
ar_image_layer_dockerfile_with_labels (const char *dockerfile, GPtrArray *early, GPtrArray *late, GPtrArray *args)
{
  GString *text = g_string_new (NULL);
  g_autofree char *early_line = NULL;
  g_autofree char *late_line = NULL;
  const char *from = g_str_has_prefix (dockerfile, "FROM ") ? dockerfile : strstr (dockerfile, "\nFROM ");
  const char *after_from = from != NULL ? strchr (from + 1, '\n') : NULL;

  /* @early NULL: all at the end. */
  if (early == NULL)
    after_from = NULL;
  else
    early_line = label_line (early, args);
  late_line = label_line (late, args);
  if (early_line == NULL)
    early_line = g_strdup ("");

  if (after_from != NULL)
    {
      g_string_append_len (text, dockerfile, after_from + 1 - dockerfile);
      g_string_append (text, early_line);
      g_string_append (text, after_from + 1);
    }
  else
    {
      g_string_append (text, dockerfile);
      g_string_append (text, early_line);
    }
  g_string_append (text, late_line);
  return g_string_free (text, FALSE);
}

void
ar_layer_op_build (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) early = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *install_id = NULL;
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *dockerfile = NULL;
  g_autofree char *text = NULL;
  g_autofree char *parent = NULL;
  g_auto(GStrv) key_labels = NULL;
  ArCacheKeyInputs in;

  install_id = ar_paths_dup_install_id (&error);
  if (install_id == NULL)
    {
      ar_layer_op_failed (task, -1, error->message, FALSE);
      return;
    }
  g_ptr_array_add (early, g_strconcat (AR_LABEL_INSTALL "=", install_id, NULL));
  for (guint i = 0; self->extra_labels != NULL && self->extra_labels[i] != NULL; i++)
    g_ptr_array_add (early, g_strdup (self->extra_labels[i]));

  ar_layer_op_inputs (op, &in);
  key_labels = ar_cache_key_labels (&in, ar_layer_op_env_id (op), created);
  for (guint i = 0; key_labels[i] != NULL; i++)
    g_ptr_array_add (labels, g_strdup (key_labels[i]));
  g_ptr_array_add (labels, g_strconcat (AR_LABEL_BASE_IMAGE "=", op->ctx->base_name, NULL));
  g_ptr_array_add (labels, g_strconcat (AR_LABEL_PARENT_LAYER "=", op->parent_is_base ? "base" : "desktop", NULL));
  g_ptr_array_add (labels, g_strconcat (AR_LABEL_BUILT_FOR "=", ar_layer_op_env_id (op) != NULL ? ar_layer_op_env_id (op) : "", NULL));

  g_ptr_array_add (args, g_strdup ("build"));
  /* A failed build must not leave its stopped intermediate container. */
  g_ptr_array_add (args, g_strdup ("--force-rm"));
  /* "Rebuild" runs the scripts again, not the builder's cache of them. */
  if (op->force)
    g_ptr_array_add (args, g_strdup ("--no-cache"));
  /* Podman commits a LABEL step on its own, and a build killed by the
   * timeout while it commits leaves its working containers behind: there
   * the install's label goes with the others, at the end (the step images
   * of a failed build are still removed, through its output). */
  if (ar_engine_get_kind (self->engine) == AR_ENGINE_KIND_PODMAN)
    {
      g_ptr_array_extend_and_steal (labels, g_steal_pointer (&early));
    }
  text = ar_image_layer_dockerfile_with_labels (op->dockerfile_build, early, labels, args);

  op->context_dir = ar_image_layer_make_context (self->engine, "agents-runner-build-XXXXXX", text, op->files, &error);
  if (op->context_dir == NULL)
    {
      ar_layer_op_failed (task, -1, error->message, FALSE);
      return;
    }

  dockerfile = g_build_filename (op->context_dir, "Dockerfile", NULL);
  g_ptr_array_add (args, g_strdup ("-t"));
  g_ptr_array_add (args, g_strdup (op->result.tag));
  g_ptr_array_add (args, g_strdup ("-f"));
  g_ptr_array_add (args, g_strdup (dockerfile));
  g_ptr_array_add (args, g_strdup (op->context_dir));
  g_ptr_array_add (args, NULL);

  parent = ar_image_short_id (op->parent_id);
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _ ("building %s FROM %s (%s) as %s"),
                      op->result.tag, op->parent_ref, parent,
                      op->build_user[0] != '\0' ? op->build_user : "root");
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_DEBUG, _ ("build context: %s"), op->context_dir);

  op->build_started = g_get_monotonic_time ();
  ar_engine_run_cli_async (self->engine, (const char *const *) args->pdata, NULL, build_line, op,
                           op->ctx->settings->build_timeout, g_task_get_cancellable (task),
                           build_done, g_object_ref (task));
}
