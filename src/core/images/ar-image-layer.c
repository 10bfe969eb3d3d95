/* ar-image-layer.c — one cached layer: decide, wait, lock, build, fall back
 * (SPEC §3.3–§3.5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ar-build-lock.h"
#include "ar-dockerfile.h"
#include "ar-image-builder-private.h"
#include "ar-paths.h"

/* Lines of build output kept for the WARN of a failure and its record. */
#define TAIL_LINES 8

typedef struct {
  ArResolveCtx *ctx;
  ArLayerKind layer;
  const char *scope;
  gboolean force;
  gboolean parent_is_base;
  gboolean waited_in_process;
  char *parent_ref;
  char *parent_id;
  char *build_user;
  GArray *files;
  char *dockerfile_key;    /* FROM <parent ID>: what the key covers */
  char *dockerfile_build;  /* FROM <parent_ref>: what is built */
  ArLayerResult result;
  char *image_user;

  gboolean registered;     /* the key is ours in self->building */
  GSource *wait_source;    /* cancels a wait for another task's build */
  ArBuildLock *lock;
  char *context_dir;
  gint64 build_started;
  GQueue tail;
  GPtrArray *step_ids;     /* images the build's steps made ("---> ID"), in order */
  /* a failed build, said once its leftovers are removed: */
  int fail_status;
  char *fail_reason;
  gboolean fail_remember;
} LayerOp;

static void
layer_op_free (LayerOp *op)
{
  g_assert (op->wait_source == NULL && op->lock == NULL && op->context_dir == NULL);

  ar_resolve_ctx_unref (op->ctx);
  g_free (op->parent_ref);
  g_free (op->parent_id);
  g_free (op->build_user);
  g_clear_pointer (&op->files, g_array_unref);
  g_free (op->dockerfile_key);
  g_free (op->dockerfile_build);
  ar_layer_result_clear (&op->result);
  g_free (op->image_user);
  g_queue_clear_full (&op->tail, g_free);
  g_clear_pointer (&op->step_ids, g_ptr_array_unref);
  g_free (op->fail_reason);
  g_free (op);
}

static void layer_start (GTask *task);

/* ---- helpers ---------------------------------------------------------------- */

static const char *
env_id_of (LayerOp *op)
{
  const char *id = ar_environment_get_env_id (op->ctx->env);

  return id[0] != '\0' ? id : NULL;
}

static const char *
layer_name (ArLayerKind layer)
{
  return layer == AR_LAYER_DESKTOP ? _("desktop layer") : _("environment layer");
}

static const char *
fallback_text (ArLayerKind layer)
{
  return layer == AR_LAYER_DESKTOP ? _("the desktop will be installed at task start instead")
                                   : _("the cached preflight will run at task start instead");
}

static void
op_inputs (LayerOp *op, ArCacheKeyInputs *in)
{
  *in = (ArCacheKeyInputs) {
    .layer = op->layer,
    .parent_id = op->parent_id,
    .platform = "",
    .dockerfile = op->dockerfile_key,
    .files = (const ArContextFile *) op->files->data,
    .n_files = op->files->len,
    .build_user = op->build_user,
  };
}

static gboolean
is_layer_image (const ArImageInfo *info, const char *key)
{
  return info != NULL && g_strcmp0 (ar_image_info_get_label (info, AR_LABEL_CACHE_KEY), key) == 0;
}

static void
note_state_error (LayerOp *op, GError *error)
{
  if (error != NULL)
    ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN,
                        _("could not update the image records in the state folder: %s"), error->message);
}

void
ar_image_layer_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (path == NULL)
    return;
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        ar_image_layer_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ---- the end of an operation --------------------------------------------------- */

/* A build of this key in this process ended: the tasks that waited for it
 * decide again (and find the image, or the failure record). */
static void
unregister (ArImageBuilder *self, const char *key)
{
  g_autoptr(GPtrArray) waiters = NULL;
  gpointer stolen_key = NULL;
  gpointer stolen_value = NULL;

  if (!g_hash_table_steal_extended (self->building, key, &stolen_key, &stolen_value))
    return;
  g_free (stolen_key);
  waiters = stolen_value;
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);
      LayerOp *op = g_task_get_task_data (waiter);

      if (op->wait_source != NULL)
        {
          g_source_destroy (op->wait_source);
          g_clear_pointer (&op->wait_source, g_source_unref);
        }
      /* What it waited for was a fresh build of this very key. */
      op->force = FALSE;
      layer_start (waiter);
    }
}

static void
layer_return (GTask *task, GError *error)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);

  if (op->wait_source != NULL)
    {
      g_source_destroy (op->wait_source);
      g_clear_pointer (&op->wait_source, g_source_unref);
    }
  g_clear_pointer (&op->lock, ar_build_lock_release);
  if (op->context_dir != NULL)
    {
      ar_image_layer_remove_tree (op->context_dir);
      g_clear_pointer (&op->context_dir, g_free);
    }
  if (op->registered)
    {
      op->registered = FALSE;
      unregister (self, op->result.key);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
layer_hit (GTask *task, const ArImageInfo *info, const char *note)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->result.state = AR_LAYER_STATE_HIT;
  op->result.image_id = g_strdup (info->id);
  op->image_user = g_strdup (info->user != NULL ? info->user : "");
  if (!op->ctx->plan_only)
    {
      if (note != NULL)
        ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _("cache HIT %s key %s (%s)"),
                            op->result.tag, op->result.key, note);
      else
        ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _("cache HIT %s key %s"),
                            op->result.tag, op->result.key);
      if (!ar_image_stats_record_use (op->result.tag, &error))
        note_state_error (op, error);
    }
  layer_return (task, NULL);
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_seconds);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static void
layer_skip (GTask *task, const ArFailedBuild *record)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autofree char *when = format_time (record->time);

  op->result.state = AR_LAYER_STATE_SKIPPED_FAILED_BEFORE;
  op->result.exit_status = record->exit_status;
  op->result.miss_reason = g_strdup (_("the same inputs failed to build before"));
  op->result.failure = g_strdup_printf (_("the same inputs failed to build on %s (%s)"), when, record->reason);
  if (!op->ctx->plan_only)
    {
      ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN,
                          _("cache MISS %s key %s: the same inputs failed to build on %s (%s); "
                            "not building them again: %s. “Rebuild” (image build --force) tries again."),
                          op->result.tag, op->result.key, when, record->reason, fallback_text (op->layer));
      for (guint i = 0; record->last_lines != NULL && record->last_lines[i] != NULL; i++)
        ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, "  | %s", record->last_lines[i]);
    }
  layer_return (task, NULL);
}

/* The build failed, timed out or the engine refused it. Only a build that
 * ran and failed is remembered: an engine that is down says nothing about
 * the inputs. */
static void
layer_failed (GTask *task, int exit_status, const char *reason, gboolean remember)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  op->result.state = AR_LAYER_STATE_FAILED;
  op->result.exit_status = exit_status;
  op->result.failure = g_strdup (reason);

  if (op->ctx->plan_only)
    {
      layer_return (task, NULL);
      return;
    }

  if (!ar_image_stats_record_failure (env_id_of (op), &error))
    note_state_error (op, error);
  g_clear_error (&error);
  if (remember)
    {
      g_autoptr(GPtrArray) lines = g_ptr_array_new ();
      ArFailedBuild record = { 0 };

      for (GList *l = op->tail.head; l != NULL; l = l->next)
        g_ptr_array_add (lines, l->data);
      g_ptr_array_add (lines, NULL);
      record.key = op->result.key;
      record.layer = (char *) ar_layer_kind_to_string (op->layer);
      record.env_id = (char *) env_id_of (op);
      record.tag = op->result.tag;
      record.exit_status = exit_status;
      record.reason = (char *) reason;
      record.last_lines = (char **) lines->pdata;
      if (!ar_failed_build_remember (&record, &error))
        note_state_error (op, error);
    }

  if (op->result.tag != NULL)
    ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, _("the %s %s could not be built (%s); %s"),
                        layer_name (op->layer), op->result.tag, reason, fallback_text (op->layer));
  else
    ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, _("the %s could not be built (%s); %s"),
                        layer_name (op->layer), reason, fallback_text (op->layer));
  if (op->tail.length > 0)
    {
      ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, _("last lines of the build:"));
      for (GList *l = op->tail.head; l != NULL; l = l->next)
        ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_WARN, "  | %s", (const char *) l->data);
    }
  layer_return (task, NULL);
}

/* ---- building ---------------------------------------------------------------------- */

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
      layer_return (task, g_steal_pointer (&error));
      return;
    }
  if (!is_layer_image (info, op->result.key))
    {
      g_autofree char *reason = g_strdup_printf (_("the build finished but %s is not there%s%s"), op->result.tag,
                                                 error != NULL ? ": " : "", error != NULL ? error->message : "");

      layer_failed (task, -1, reason, FALSE);
      return;
    }

  op->result.state = AR_LAYER_STATE_BUILT;
  op->result.image_id = g_strdup (info->id);
  op->image_user = g_strdup (info->user != NULL ? info->user : "");
  id = g_strndup (g_str_has_prefix (info->id, "sha256:") ? info->id + 7 : info->id, 12);
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _("built %s (%s) in %.1f s"),
                      op->result.tag, id, op->result.build_seconds);
  if (!ar_image_stats_record_build (env_id_of (op), op->result.tag, op->result.build_seconds, &error))
    note_state_error (op, error);
  g_clear_error (&error);
  if (!ar_failed_build_forget (op->result.key, &error))
    note_state_error (op, error);
  layer_return (task, NULL);
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
  layer_failed (task, op->fail_status, reason, op->fail_remember);
}

GPtrArray *
ar_image_layer_leftovers_argv (ArEngine *engine, GPtrArray *step_ids, const char *parent_id)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  const char *parent = parent_id != NULL && g_str_has_prefix (parent_id, "sha256:") ? parent_id + 7 : parent_id;

  g_ptr_array_add (args, g_strdup ("image"));
  g_ptr_array_add (args, g_strdup ("rm"));
  g_ptr_array_add (args, g_strdup ("--"));
  for (guint i = step_ids != NULL ? step_ids->len : 0; i > 0; i--)
    {
      const char *id = g_ptr_array_index (step_ids, i - 1);

      if (parent == NULL || !g_str_has_prefix (parent, id))
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
      layer_failed (task, exit_status, reason, remember);
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
  ar_image_layer_remove_tree (op->context_dir);
  g_clear_pointer (&op->context_dir, g_free);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _("the build of %s was cancelled"), op->result.tag);
      layer_return (task, g_steal_pointer (&error));
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
      reason = g_strdup_printf (_("exit status %d"), status);
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
ar_image_layer_make_context (ArEngine    *engine,
                             const char  *pattern,
                             const char  *dockerfile_text,
                             GArray      *files,
                             GError     **error)
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
                       _("Could not make a build folder in %s: %s."), parent, g_strerror (saved));
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
  ar_image_layer_remove_tree (dir);
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
 * carries them, the untagged ones a failed build leaves too (SPEC §3.6:
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

static void
layer_build (GTask *task)
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
      layer_failed (task, -1, error->message, FALSE);
      return;
    }
  g_ptr_array_add (early, g_strconcat (AR_LABEL_INSTALL "=", install_id, NULL));
  for (guint i = 0; self->extra_labels != NULL && self->extra_labels[i] != NULL; i++)
    g_ptr_array_add (early, g_strdup (self->extra_labels[i]));

  op_inputs (op, &in);
  key_labels = ar_cache_key_labels (&in, env_id_of (op), created);
  for (guint i = 0; key_labels[i] != NULL; i++)
    g_ptr_array_add (labels, g_strdup (key_labels[i]));
  g_ptr_array_add (labels, g_strconcat (AR_LABEL_BASE_IMAGE "=", op->ctx->base_name, NULL));
  g_ptr_array_add (labels, g_strconcat (AR_LABEL_PARENT_LAYER "=", op->parent_is_base ? "base" : "desktop", NULL));
  g_ptr_array_add (labels, g_strconcat (AR_LABEL_BUILT_FOR "=", env_id_of (op) != NULL ? env_id_of (op) : "", NULL));

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
      layer_failed (task, -1, error->message, FALSE);
      return;
    }

  dockerfile = g_build_filename (op->context_dir, "Dockerfile", NULL);
  g_ptr_array_add (args, g_strdup ("-t"));
  g_ptr_array_add (args, g_strdup (op->result.tag));
  g_ptr_array_add (args, g_strdup ("-f"));
  g_ptr_array_add (args, g_strdup (dockerfile));
  g_ptr_array_add (args, g_strdup (op->context_dir));
  g_ptr_array_add (args, NULL);

  parent = g_strndup (g_str_has_prefix (op->parent_id, "sha256:") ? op->parent_id + 7 : op->parent_id, 12);
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _("building %s FROM %s (%s) as %s"),
                      op->result.tag, op->parent_ref, parent,
                      op->build_user[0] != '\0' ? op->build_user : "root");
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_DEBUG, _("build context: %s"), op->context_dir);

  op->build_started = g_get_monotonic_time ();
  ar_engine_run_cli_async (self->engine, (const char *const *) args->pdata, NULL, build_line, op,
                           op->ctx->settings->build_timeout, g_task_get_cancellable (task),
                           build_done, g_object_ref (task));
}

/* ---- the decision ------------------------------------------------------------------ */

static void
rechecked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImageInfo) info = NULL;
  g_autoptr(ArFailedBuild) record = NULL;

  info = ar_engine_inspect_image_finish (AR_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      layer_return (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      layer_failed (task, -1, error->message, FALSE);
      return;
    }
  if (is_layer_image (info, op->result.key))
    {
      layer_hit (task, info, _("built by another process meanwhile"));
      return;
    }
  record = ar_failed_build_lookup (op->result.key);
  if (record != NULL && !op->force)
    {
      layer_skip (task, record);
      return;
    }
  layer_build (task);
}

static void
layer_locked (GTask *task, ArBuildLock *lock, gboolean waited)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);

  op->lock = lock;
  /* Someone may have built it between our look and the lock: look again,
   * unless this is a rebuild nobody else was doing. */
  if (op->force && !waited)
    layer_build (task);
  else
    {
      op->force = op->force && !waited;
      ar_engine_inspect_image_async (self->engine, op->result.tag, g_task_get_cancellable (task),
                                     rechecked, g_object_ref (task));
    }
}

static void
lock_acquired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ArBuildLock *lock;

  lock = ar_build_lock_acquire_finish (result, &error);
  if (lock == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        layer_return (task, g_steal_pointer (&error));
      else
        layer_failed (task, -1, error->message, FALSE);
      return;
    }
  layer_locked (task, lock, TRUE);
}

static void
take_lock (GTask *task)
{
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ArBuildLock *lock;

  lock = ar_build_lock_try (op->result.key, &error);
  if (error != NULL)
    {
      layer_failed (task, -1, error->message, FALSE);
      return;
    }
  if (lock != NULL)
    {
      layer_locked (task, lock, FALSE);
      return;
    }
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO,
                      _("waiting for another Agents Runner process that is building %s"), op->result.tag);
  ar_build_lock_acquire_async (op->result.key, g_task_get_cancellable (task), lock_acquired, g_object_ref (task));
}

static void
miss_explained (GTask *task, char *reason)
{
  LayerOp *op = g_task_get_task_data (task);

  op->result.miss_reason = reason;
  if (op->ctx->plan_only)
    {
      op->result.state = AR_LAYER_STATE_ABSENT;
      layer_return (task, NULL);
      return;
    }
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _("cache MISS %s key %s: %s"),
                      op->result.tag, op->result.key, reason);
  take_lock (task);
}

static void
images_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  ArCacheKeyInputs in;

  images = ar_engine_list_images_finish (AR_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      layer_return (task, g_steal_pointer (&error));
      return;
    }
  if (images == NULL)
    {
      miss_explained (task, g_strdup_printf (_("could not compare with earlier images: %s"), error->message));
      return;
    }
  op_inputs (op, &in);
  miss_explained (task, ar_image_layer_explain_miss (&in, op->ctx->env, op->ctx->base_name, op->parent_is_base,
                                                     op->ctx->pulled, images));
}

static void
explain_miss (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  g_autofree char *filter = g_strconcat (AR_LABEL_LAYER "=", ar_layer_kind_to_string (op->layer), NULL);

  if (op->force && !op->ctx->plan_only)
    {
      miss_explained (task, g_strdup (_("rebuild requested")));
      return;
    }
  ar_engine_list_images_async (self->engine, filter, g_task_get_cancellable (task), images_listed,
                               g_object_ref (task));
}

static gboolean
wait_cancelled (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  GPtrArray *waiters = g_hash_table_lookup (self->building, op->result.key);
  GError *error = NULL;

  g_clear_pointer (&op->wait_source, g_source_unref);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  /* The source's reference keeps the task alive until we return. */
  if (waiters != NULL)
    g_ptr_array_remove (waiters, task);
  layer_return (task, error);
  return G_SOURCE_REMOVE;
}

static void
wait_in_process (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  GPtrArray *waiters = g_hash_table_lookup (self->building, op->result.key);
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_ptr_array_add (waiters, g_object_ref (task));
  op->waited_in_process = TRUE;
  ar_resolve_ctx_say (op->ctx, op->scope, AR_LOG_INFO, _("waiting for another task that is building %s"),
                      op->result.tag);
  if (cancellable != NULL)
    {
      op->wait_source = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, op->wait_source, G_SOURCE_FUNC (wait_cancelled));
    }
}

static void
inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArImageInfo) info = NULL;
  g_autoptr(ArFailedBuild) record = NULL;
  gboolean present;

  info = ar_engine_inspect_image_finish (AR_ENGINE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      layer_return (task, g_steal_pointer (&error));
      return;
    }
  if (error != NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("could not look for %s: %s"), op->result.tag, error->message);

      layer_failed (task, -1, reason, FALSE);
      return;
    }

  present = is_layer_image (info, op->result.key);
  if (present && !op->force)
    {
      layer_hit (task, info, op->waited_in_process ? _("built by another task just now") : NULL);
      return;
    }
  record = ar_failed_build_lookup (op->result.key);
  if (record != NULL && !op->force)
    {
      layer_skip (task, record);
      return;
    }
  if (op->ctx->plan_only)
    {
      if (g_hash_table_contains (self->building, op->result.key))
        miss_explained (task, g_strdup (_("another task is building it now")));
      else
        explain_miss (task);
      return;
    }

  /* MISS: this process builds each key once at a time. */
  if (g_hash_table_contains (self->building, op->result.key))
    {
      wait_in_process (task);
      return;
    }
  g_hash_table_insert (self->building, g_strdup (op->result.key),
                       g_ptr_array_new_with_free_func (g_object_unref));
  op->registered = TRUE;
  explain_miss (task);
}

static void
layer_start (GTask *task)
{
  ArImageBuilder *self = g_task_get_source_object (task);
  LayerOp *op = g_task_get_task_data (task);

  if (!op->ctx->plan_only && g_hash_table_contains (self->building, op->result.key))
    {
      wait_in_process (task);
      return;
    }
  ar_engine_inspect_image_async (self->engine, op->result.tag, g_task_get_cancellable (task),
                                 inspected, g_object_ref (task));
}

/* ---- entry points ------------------------------------------------------------------ */

static GBytes *
find_file (GArray *files, const char *name)
{
  for (guint i = 0; i < files->len; i++)
    {
      const ArContextFile *file = &g_array_index (files, ArContextFile, i);

      if (g_strcmp0 (file->name, name) == 0)
        return file->contents;
    }
  return NULL;
}

static gboolean
prepare (LayerOp *op, GError **error)
{
  ArDockerfileParams params = { .layer = op->layer, .build_user = op->build_user };
  const char *entry = op->layer == AR_LAYER_ENV ? AR_CONTEXT_ENV_SCRIPT
                                                : AR_CONTEXT_DESKTOP_DIR "/" AR_CONTEXT_DESKTOP_ENTRY;
  GBytes *script = find_file (op->files, entry);
  ArCacheKeyInputs in;

  if (script == NULL)
    {
      g_autofree char *dir = ar_settings_desktop_scripts_dir (op->ctx->settings);

      g_set_error (error, AR_IMAGE_BUILDER_ERROR, AR_IMAGE_BUILDER_ERROR_BUILD_FAILED,
                   _("The desktop scripts folder %s has no %s: choose another folder in Preferences"),
                   dir, AR_CONTEXT_DESKTOP_ENTRY);
      return FALSE;
    }
  params.has_shebang = ar_dockerfile_has_shebang (script);

  params.parent = op->parent_id;
  op->dockerfile_key = ar_dockerfile_generate (&params, error);
  if (op->dockerfile_key == NULL)
    return FALSE;
  params.parent = op->parent_ref;
  op->dockerfile_build = ar_dockerfile_generate (&params, error);
  if (op->dockerfile_build == NULL)
    return FALSE;

  op_inputs (op, &in);
  op->result.key = ar_cache_key_compute (&in);
  op->result.tag = ar_cache_key_tag (op->layer, op->result.key);
  return TRUE;
}

void
ar_image_layer_run_async (ArImageBuilder      *self,
                          ArResolveCtx        *ctx,
                          ArLayerKind          layer,
                          const char          *parent_ref,
                          const char          *parent_id,
                          const char          *build_user,
                          gboolean             parent_is_base,
                          GArray              *files,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  LayerOp *op;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_image_layer_run_async);
  /* Cancellation is answered once the build has stopped and its folder is gone. */
  g_task_set_check_cancellable (task, FALSE);

  op = g_new0 (LayerOp, 1);
  op->ctx = ar_resolve_ctx_ref (ctx);
  op->layer = layer;
  op->scope = layer == AR_LAYER_DESKTOP ? "image/desktop" : "image/env";
  op->force = ctx->force;
  op->parent_is_base = parent_is_base;
  op->parent_ref = g_strdup (parent_ref);
  op->parent_id = g_strdup (parent_id);
  op->build_user = g_strdup (build_user != NULL ? build_user : "");
  op->files = g_array_ref (files);
  op->result.layer = layer;
  op->result.parent = g_strdup (parent_id);
  g_queue_init (&op->tail);
  g_task_set_task_data (task, op, (GDestroyNotify) layer_op_free);

  if (!prepare (op, &error))
    {
      layer_failed (task, -1, error->message, FALSE);
      return;
    }
  layer_start (task);
}

gboolean
ar_image_layer_finish (GAsyncResult *result, ArLayerResult *out, char **out_user, GError **error)
{
  LayerOp *op;

  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_image_layer_run_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  op = g_task_get_task_data (G_TASK (result));
  ar_layer_result_clear (out);
  *out = op->result;
  memset (&op->result, 0, sizeof op->result);
  if (out_user != NULL)
    {
      g_free (*out_user);
      *out_user = g_steal_pointer (&op->image_user);
    }
  return TRUE;
}
