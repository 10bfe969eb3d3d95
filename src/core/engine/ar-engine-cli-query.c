/* ar-engine-cli-query.c — captured CLI runs (ar_engine_run_cli_sync) and
 * the queries through the CLI: ping, inspect, the image and container lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-engine-private.h"
#include "ar-json.h"

#define QUERY_TIMEOUT_SECONDS 60

/* ---- captured runs --------------------------------------------------------- */

typedef struct {
  GString *out;
  GString *err;
} Capture;

/* All of it, however long a line: what a query parses must be whole. */
static void
capture_piece (ArEngineStream stream, const char *text, gsize len, ArEngineLineEnd end, gpointer user_data)
{
  Capture *capture = user_data;
  GString *dest = stream == AR_ENGINE_STREAM_STDOUT ? capture->out : capture->err;

  g_string_append_len (dest, text, (gssize) len);
  if (end != AR_ENGINE_LINE_CONTINUES)
    g_string_append_c (dest, '\n');
}

int
ar_engine_run_cli_sync (ArEngine *self,
                        const char *const *args,
                        const char *const *extra_env,
                        guint timeout_seconds,
                        GCancellable *cancellable,
                        char **out_stdout,
                        char **out_stderr,
                        GError **error)
{
  ArSyncWait wait;
  Capture capture = { g_string_new (NULL), g_string_new (NULL) };
  int status;

  g_return_val_if_fail (AR_IS_ENGINE (self), -1);

  ar_sync_wait_begin (&wait);
  ar_engine_run_cli_pieces_async (self, args, extra_env, capture_piece, &capture, timeout_seconds,
                                  cancellable, ar_sync_wait_callback, &wait);
  status = ar_engine_run_cli_finish (self, ar_sync_wait_run (&wait), NULL, error);
  ar_sync_wait_end (&wait);

  if (out_stdout != NULL)
    *out_stdout = g_string_free (g_steal_pointer (&capture.out), FALSE);
  if (out_stderr != NULL)
    *out_stderr = g_string_free (g_steal_pointer (&capture.err), FALSE);
  if (capture.out != NULL)
    g_string_free (capture.out, TRUE);
  if (capture.err != NULL)
    g_string_free (capture.err, TRUE);
  return status;
}

/* ---- queries through the CLI ---------------------------------------------- */

typedef struct {
  ArEngineQuery query;
  char *arg;
  GPtrArray *args; /* of the command running now */
  Capture capture;
  GHashTable *ps_images; /* container id → image, as `ps` (the API list) shows it */
} CliQuery;

static void
cli_query_free (CliQuery *q)
{
  g_free (q->arg);
  g_clear_pointer (&q->args, g_ptr_array_unref);
  g_string_free (q->capture.out, TRUE);
  g_string_free (q->capture.err, TRUE);
  g_clear_pointer (&q->ps_images, g_hash_table_unref);
  g_free (q);
}

static void
cli_query_run (GTask *task, GPtrArray *args, GAsyncReadyCallback done)
{
  ArEngine *self = g_task_get_source_object (task);
  CliQuery *q = g_task_get_task_data (task);

  g_ptr_array_add (args, NULL);
  g_clear_pointer (&q->args, g_ptr_array_unref);
  q->args = args;
  g_string_truncate (q->capture.out, 0);
  g_string_truncate (q->capture.err, 0);
  ar_engine_run_cli_pieces_async (self, (const char *const *) args->pdata, NULL,
                                  capture_piece, &q->capture, QUERY_TIMEOUT_SECONDS,
                                  g_task_get_cancellable (task), done, task);
}

static GPtrArray *
new_args (const char *first, ...) G_GNUC_NULL_TERMINATED;

static GPtrArray *
new_args (const char *first, ...)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strdup (a));
  va_end (ap);
  return args;
}

/* Runs finished: the status, or FALSE with the task answered. */
static gboolean
cli_query_status (GTask *task, GAsyncResult *result, int *status)
{
  ArEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  *status = ar_engine_run_cli_finish (self, result, NULL, &error);
  if (*status < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
says_no_such (const char *stderr_text)
{
  g_autofree char *lower = g_ascii_strdown (stderr_text, -1);

  return strstr (lower, "no such image") != NULL || strstr (lower, "image not known") != NULL ||
         strstr (lower, "no such container") != NULL || strstr (lower, "no such object") != NULL;
}

static void
cli_query_fail (GTask *task, int status)
{
  ArEngine *self = g_task_get_source_object (task);
  CliQuery *q = g_task_get_task_data (task);

  g_task_return_error (task, ar_engine_cli_error_new (self, (const char *const *) q->args->pdata,
                                                      status, q->capture.err->str));
}

/* Runs finished with status 0, or FALSE with the task answered. */
static gboolean
cli_query_succeeded (GTask *task, GAsyncResult *result)
{
  int status;

  if (!cli_query_status (task, result, &status))
    return FALSE;
  if (status != 0)
    {
      cli_query_fail (task, status);
      return FALSE;
    }
  return TRUE;
}

/* An inspect of several objects prints those it found even when it exits
 * 1 for one that went away in the meantime. */
static JsonArray *
parse_inspect_output (GTask *task, int status, JsonParser *parser)
{
  CliQuery *q = g_task_get_task_data (task);
  JsonNode *root;

  if (status != 0 && !says_no_such (q->capture.err->str))
    {
      cli_query_fail (task, status);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, q->capture.out->str, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      if (status != 0)
        cli_query_fail (task, status);
      else
        g_task_return_new_error (task, AR_ENGINE_ERROR, AR_ENGINE_ERROR_FAILED,
                                 _ ("The container engine printed something that is not JSON: check that %s is Docker or Podman."),
                                 (const char *) q->args->pdata[0]);
      return NULL;
    }
  return json_node_get_array (root);
}

static GPtrArray *
lines_to_ids (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      /* `image ls -q` repeats an id once per tag */
      if (lines[i][0] != '\0' && !g_ptr_array_find_with_equal_func (ids, lines[i], g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (lines[i]));
    }
  return ids;
}

static void
ping_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  int status;

  if (!cli_query_status (task, result, &status))
    return;
  if (status != 0 || q->capture.out->len == 0)
    {
      cli_query_fail (task, status);
      return;
    }
  g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
}

static void
inspect_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *array;
  JsonObject *obj;
  int status;

  if (!cli_query_status (task, result, &status))
    return;
  if (status != 0 && says_no_such (q->capture.err->str))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  if ((array = parse_inspect_output (task, status, parser)) == NULL)
    return;
  if (json_array_get_length (array) == 0 || (obj = json_array_get_object_element (array, 0)) == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_return_pointer (task, ar_image_info_from_json (obj), (GDestroyNotify) ar_image_info_free);
}

static gpointer
listed_image_from_json (JsonObject *obj)
{
  ArImageInfo *info = ar_image_info_from_json (obj);

  /* the API list does not carry the user: neither does this one */
  g_clear_pointer (&info->user, g_free);
  return info;
}

static gpointer
listed_container_from_json (JsonObject *obj, CliQuery *q)
{
  ArContainerInfo *info = ar_container_info_from_json (obj);
  const char *image;

  /* `ps` shows what the API list shows: the reference, or the image id
   * when the reference has moved on to another image */
  image = g_hash_table_lookup (q->ps_images, info->id);
  if (image != NULL)
    {
      g_free (info->image);
      info->image = g_strdup (image);
    }
  return info;
}

/* The answer to a list query: @list, or an empty list when NULL. */
static void
return_list (GTask *task, GPtrArray *list)
{
  CliQuery *q = g_task_get_task_data (task);

  if (list == NULL)
    list = g_ptr_array_new_with_free_func (q->query == AR_ENGINE_QUERY_LIST_IMAGES
                                             ? (GDestroyNotify) ar_image_info_free
                                             : (GDestroyNotify) ar_container_info_free);
  g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

/* The inspect of what a list query found: its entries, sorted. */
static void
list_inspected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  gboolean images = q->query == AR_ENGINE_QUERY_LIST_IMAGES;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) list = NULL;
  JsonArray *array;
  int status;

  if (!cli_query_status (task, result, &status))
    return;
  if ((array = parse_inspect_output (task, status, parser)) == NULL)
    return;
  list = g_ptr_array_new_with_free_func (images ? (GDestroyNotify) ar_image_info_free
                                                : (GDestroyNotify) ar_container_info_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *obj = json_array_get_object_element (array, i);

      if (obj == NULL)
        continue;
      g_ptr_array_add (list, images ? listed_image_from_json (obj) : listed_container_from_json (obj, q));
    }
  if (images)
    ar_engine_sort_images (list);
  else
    ar_engine_sort_containers (list);
  return_list (task, g_steal_pointer (&list));
}

static void
list_images_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  g_autoptr(GPtrArray) ids = NULL;
  GPtrArray *args;

  if (!cli_query_succeeded (task, result))
    return;
  ids = lines_to_ids (q->capture.out->str);
  if (ids->len == 0)
    {
      return_list (task, NULL);
      return;
    }
  args = new_args ("image", "inspect", "--", NULL);
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (args, g_strdup (ids->pdata[i]));
  cli_query_run (g_steal_pointer (&task), args, list_inspected);
}

static void
list_containers_listed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CliQuery *q = g_task_get_task_data (task);
  g_auto(GStrv) lines = NULL;
  GPtrArray *args;

  if (!cli_query_succeeded (task, result))
    return;

  q->ps_images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  args = new_args ("container", "inspect", "--", NULL);
  lines = g_strsplit (q->capture.out->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *tab = strchr (lines[i], '\t');

      if (tab == NULL)
        continue;
      *tab = '\0';
      if (g_hash_table_insert (q->ps_images, g_strdup (lines[i]), g_strdup (tab + 1)))
        g_ptr_array_add (args, g_strdup (lines[i]));
    }
  if (args->len == 3)
    {
      g_ptr_array_unref (args);
      return_list (task, NULL);
      return;
    }
  cli_query_run (g_steal_pointer (&task), args, list_inspected);
}

void
ar_engine_cli_query_async (ArEngine *self,
                           ArEngineQuery query,
                           const char *arg,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  CliQuery *q = g_new0 (CliQuery, 1);
  g_autofree char *filter = NULL;

  g_task_set_source_tag (task, ar_engine_cli_query_async);
  q->query = query;
  q->arg = g_strdup (arg);
  q->capture.out = g_string_new (NULL);
  q->capture.err = g_string_new (NULL);
  g_task_set_task_data (task, q, (GDestroyNotify) cli_query_free);

  ar_engine_resolve (self);
  if (arg != NULL)
    filter = g_strconcat ("label=", arg, NULL);

  switch (query)
    {
    case AR_ENGINE_QUERY_PING:
      cli_query_run (task, new_args ("version", "--format", self->kind == AR_ENGINE_KIND_PODMAN ? "{{.Client.Version}}" : "{{.Server.APIVersion}}", NULL),
                     ping_done);
      break;
    case AR_ENGINE_QUERY_INSPECT_IMAGE:
      cli_query_run (task, new_args ("image", "inspect", "--", arg, NULL), inspect_done);
      break;
    case AR_ENGINE_QUERY_LIST_IMAGES:
      cli_query_run (task, new_args ("image", "ls", "-q", "--no-trunc", "--filter", filter, NULL),
                     list_images_listed);
      break;
    case AR_ENGINE_QUERY_LIST_CONTAINERS:
      cli_query_run (task, new_args ("ps", "-a", "--no-trunc", "--filter", filter, "--format", "{{.ID}}\t{{.Image}}", NULL),
                     list_containers_listed);
      break;
    default:
      g_assert_not_reached ();
    }
}

gpointer
ar_engine_cli_query_finish (ArEngine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
