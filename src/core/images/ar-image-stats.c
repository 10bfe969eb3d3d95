/* ar-image-stats.c — counters, last use and failed keys in the state folder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ar-engine.h"
#include "ar-image-stats.h"
#include "ar-json.h"
#include "ar-paths.h"

#define STATS_FILE "image-stats.json"
#define FAILED_FILE "failed-builds.json"
#define LOCK_FILE "image-state.lock"
/* Old failures beyond this are dropped: their inputs are long gone. */
#define MAX_FAILED_RECORDS 200

typedef void (*MutateFunc) (JsonObject *root, gpointer user_data);

static char *
state_file (const char *name)
{
  g_autofree char *dir = ar_paths_state_dir ();

  return g_build_filename (dir, name, NULL);
}

static JsonObject *
read_root (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, path, NULL))
    return json_object_new ();
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return json_object_new ();
  return json_object_ref (json_node_get_object (root));
}

/* json-glib 1.6 has no _with_default for these two. */
static JsonObject *
object_member (JsonObject *obj, const char *name, JsonObject *fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : fallback;
}

static JsonArray *
array_member (JsonObject *obj, const char *name, JsonArray *fallback)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : fallback;
}

static JsonObject *
child_object (JsonObject *parent, const char *name)
{
  JsonNode *node = json_object_get_member (parent, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      json_object_set_object_member (parent, name, json_object_new ());
      node = json_object_get_member (parent, name);
    }
  return json_node_get_object (node);
}

/* Runs @mutate on the file's contents under the state lock and writes the
 * result back atomically. */
static gboolean
update_file (const char *name, MutateFunc mutate, gpointer user_data, GError **error)
{
  g_autofree char *dir = ar_paths_state_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *lock_path = g_build_filename (dir, LOCK_FILE, NULL);
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  gboolean ok;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not create the state folder %s: %s."), dir, g_strerror (saved));
      return FALSE;
    }
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not open %s: %s."), lock_path, g_strerror (saved));
      return FALSE;
    }
  /* Held for a read and a small write only. */
  while (flock (fd, LOCK_EX) != 0 && errno == EINTR)
    ;

  root = read_root (path);
  mutate (root, user_data);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, root);
  /* The shortest form of each number: 49.155, not 49.155000000000001. */
  text = ar_json_to_pretty_string (node, &len);
  ok = g_file_set_contents_full (path, text, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);

  close (fd);
  return ok;
}

/* ---- counters ------------------------------------------------------------ */

typedef struct {
  const char *env_id;
  const char *tag;
  guint64 tasks;
  guint64 hits;
  guint64 partial_hits;
  guint64 builds;
  guint64 failures;
  double seconds;
} StatsChange;

static void
add_int (JsonObject *obj, const char *member, guint64 delta)
{
  if (delta == 0 && json_object_has_member (obj, member))
    return;
  json_object_set_int_member (obj, member, json_object_get_int_member_with_default (obj, member, 0) + delta);
}

static double
round_ms (double seconds)
{
  return seconds > 0 ? (double) (gint64) (seconds * 1000 + 0.5) / 1000 : 0;
}

static void
apply_stats_change (JsonObject *root, gpointer user_data)
{
  StatsChange *change = user_data;

  if (change->env_id != NULL && change->env_id[0] != '\0')
    {
      JsonObject *env = child_object (child_object (root, "environments"), change->env_id);
      double seconds = json_object_get_double_member_with_default (env, "build_seconds", 0) + change->seconds;

      add_int (env, "tasks", change->tasks);
      add_int (env, "hits", change->hits);
      add_int (env, "partial_hits", change->partial_hits);
      add_int (env, "builds", change->builds);
      add_int (env, "build_failures", change->failures);
      /* Counted per layer before, against tasks nobody counted: meaningless. */
      json_object_remove_member (env, "cache_hits");
      json_object_set_double_member (env, "build_seconds", round_ms (seconds));
    }
  if (change->tag != NULL)
    {
      g_autofree char *tag = ar_engine_normalize_image_name (change->tag);

      json_object_set_int_member (child_object (root, "last_used"), tag, g_get_real_time () / G_USEC_PER_SEC);
    }
}

/* ---- one read of the counters, for many rows ------------------------------ */

struct _ArImageStatsSnapshot {
  JsonObject *root; /* read only once made */
};

static void
snapshot_clear (gpointer data)
{
  ArImageStatsSnapshot *snapshot = data;

  g_clear_pointer (&snapshot->root, json_object_unref);
}

static ArImageStatsSnapshot *
snapshot_read_path (const char *path)
{
  ArImageStatsSnapshot *snapshot = g_atomic_rc_box_new0 (ArImageStatsSnapshot);

  snapshot->root = read_root (path);
  return snapshot;
}

ArImageStatsSnapshot *
ar_image_stats_snapshot_read (void)
{
  g_autofree char *path = state_file (STATS_FILE);

  return snapshot_read_path (path);
}

static void
snapshot_read_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  g_task_return_pointer (task, snapshot_read_path (task_data), (GDestroyNotify) ar_image_stats_snapshot_unref);
}

void
ar_image_stats_snapshot_read_async (GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ar_image_stats_snapshot_read_async);
  /* The folder is looked up here: the environment is the caller's. */
  g_task_set_task_data (task, state_file (STATS_FILE), g_free);
  g_task_run_in_thread (task, snapshot_read_thread);
}

ArImageStatsSnapshot *
ar_image_stats_snapshot_read_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_image_stats_snapshot_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

ArImageStatsSnapshot *
ar_image_stats_snapshot_ref (ArImageStatsSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NULL);

  return g_atomic_rc_box_acquire (snapshot);
}

void
ar_image_stats_snapshot_unref (ArImageStatsSnapshot *snapshot)
{
  if (snapshot != NULL)
    g_atomic_rc_box_release_full (snapshot, snapshot_clear);
}

void
ar_image_stats_snapshot_get (const ArImageStatsSnapshot *snapshot, const char *env_id, ArImageStats *out)
{
  JsonObject *envs;
  JsonObject *env;

  g_return_if_fail (snapshot != NULL);
  g_return_if_fail (out != NULL);

  *out = (ArImageStats){ 0 };
  envs = object_member (snapshot->root, "environments", NULL);
  env = envs != NULL && env_id != NULL ? object_member (envs, env_id, NULL) : NULL;
  if (env == NULL)
    return;
  out->tasks = MAX (0, json_object_get_int_member_with_default (env, "tasks", 0));
  out->hits = MAX (0, json_object_get_int_member_with_default (env, "hits", 0));
  out->partial_hits = MAX (0, json_object_get_int_member_with_default (env, "partial_hits", 0));
  out->builds = MAX (0, json_object_get_int_member_with_default (env, "builds", 0));
  out->build_failures = MAX (0, json_object_get_int_member_with_default (env, "build_failures", 0));
  out->build_seconds = round_ms (json_object_get_double_member_with_default (env, "build_seconds", 0));
  /* A file edited by hand cannot make the rate pass 100 %. */
  out->hits = MIN (out->hits, out->tasks);
  out->partial_hits = MIN (out->partial_hits, out->tasks - out->hits);
}

gint64
ar_image_stats_snapshot_get_last_used (const ArImageStatsSnapshot *snapshot, const char *tag)
{
  g_autofree char *normalized = NULL;
  JsonObject *last_used;

  g_return_val_if_fail (snapshot != NULL, 0);
  g_return_val_if_fail (tag != NULL, 0);

  last_used = object_member (snapshot->root, "last_used", NULL);
  if (last_used == NULL)
    return 0;
  normalized = ar_engine_normalize_image_name (tag);
  return json_object_get_int_member_with_default (last_used, normalized, 0);
}

void
ar_image_stats_get (const char *env_id, ArImageStats *out)
{
  g_autoptr(ArImageStatsSnapshot) snapshot = ar_image_stats_snapshot_read ();

  g_return_if_fail (out != NULL);

  ar_image_stats_snapshot_get (snapshot, env_id, out);
}

double
ar_image_stats_hit_rate (const ArImageStats *stats)
{
  g_return_val_if_fail (stats != NULL, 0);

  return stats->tasks > 0 ? (double) MIN (stats->hits, stats->tasks) / stats->tasks : 0;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GStrv
ar_image_stats_dup_env_ids (void)
{
  g_autofree char *path = state_file (STATS_FILE);
  g_autoptr(JsonObject) root = read_root (path);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonObject *envs = object_member (root, "environments", NULL);
  g_auto(GStrv) ids = NULL;

  if (envs != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (envs);

      for (GList *l = members; l != NULL; l = l->next)
        g_strv_builder_add (builder, l->data);
    }
  ids = g_strv_builder_end (builder);
  qsort (ids, g_strv_length (ids), sizeof (char *), compare_strings);
  return g_steal_pointer (&ids);
}

gboolean
ar_image_stats_record_task (const char *env_id, ArTaskCacheOutcome outcome, GError **error)
{
  StatsChange change = { .env_id = env_id, .tasks = 1 };

  g_return_val_if_fail (env_id != NULL && env_id[0] != '\0', FALSE);

  change.hits = outcome == AR_TASK_CACHE_HIT;
  change.partial_hits = outcome == AR_TASK_CACHE_PARTIAL;
  return update_file (STATS_FILE, apply_stats_change, &change, error);
}

gboolean
ar_image_stats_record_use (const char *tag, GError **error)
{
  StatsChange change = { .tag = tag };

  g_return_val_if_fail (tag != NULL, FALSE);

  return update_file (STATS_FILE, apply_stats_change, &change, error);
}

gboolean
ar_image_stats_record_build (const char *env_id, const char *tag, double seconds, GError **error)
{
  StatsChange change = { .env_id = env_id, .tag = tag, .builds = 1, .seconds = seconds };

  return update_file (STATS_FILE, apply_stats_change, &change, error);
}

gboolean
ar_image_stats_record_failure (const char *env_id, GError **error)
{
  StatsChange change = { .env_id = env_id, .failures = 1 };

  return update_file (STATS_FILE, apply_stats_change, &change, error);
}

gint64
ar_image_stats_get_last_used (const char *tag)
{
  g_autoptr(ArImageStatsSnapshot) snapshot = NULL;

  g_return_val_if_fail (tag != NULL, 0);

  snapshot = ar_image_stats_snapshot_read ();
  return ar_image_stats_snapshot_get_last_used (snapshot, tag);
}

static void
apply_forget_tags (JsonObject *root, gpointer user_data)
{
  const char *const *tags = user_data;
  JsonObject *last_used = child_object (root, "last_used");

  for (guint i = 0; tags[i] != NULL; i++)
    {
      g_autofree char *normalized = ar_engine_normalize_image_name (tags[i]);

      json_object_remove_member (last_used, normalized);
    }
}

gboolean
ar_image_stats_forget_tags (const char *const *tags, GError **error)
{
  if (tags == NULL || tags[0] == NULL)
    return TRUE;
  return update_file (STATS_FILE, apply_forget_tags, (gpointer) tags, error);
}

/* ---- failed keys ---------------------------------------------------------- */

void
ar_failed_build_free (ArFailedBuild *record)
{
  if (record == NULL)
    return;
  g_free (record->key);
  g_free (record->layer);
  g_free (record->env_id);
  g_free (record->tag);
  g_free (record->reason);
  g_strfreev (record->last_lines);
  g_free (record);
}

ArFailedBuild *
ar_failed_build_lookup (const char *key)
{
  g_autofree char *path = state_file (FAILED_FILE);
  g_autoptr(JsonObject) root = read_root (path);
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  JsonObject *failed = object_member (root, "failed", NULL);
  JsonObject *entry;
  JsonArray *array;
  ArFailedBuild *record;

  g_return_val_if_fail (key != NULL, NULL);

  entry = failed != NULL ? object_member (failed, key, NULL) : NULL;
  if (entry == NULL)
    return NULL;

  record = g_new0 (ArFailedBuild, 1);
  record->key = g_strdup (key);
  record->layer = g_strdup (json_object_get_string_member_with_default (entry, "layer", ""));
  record->env_id = g_strdup (json_object_get_string_member_with_default (entry, "env_id", ""));
  record->tag = g_strdup (json_object_get_string_member_with_default (entry, "tag", ""));
  record->exit_status = json_object_get_int_member_with_default (entry, "exit_status", -1);
  record->reason = g_strdup (json_object_get_string_member_with_default (entry, "reason", ""));
  record->time = json_object_get_int_member_with_default (entry, "time", 0);
  array = array_member (entry, "last_lines", NULL);
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (lines, json_node_get_string (node));
    }
  record->last_lines = g_strv_builder_end (lines);
  return record;
}

static gint64
entry_time (JsonObject *failed, const char *key)
{
  JsonObject *entry = object_member (failed, key, NULL);

  return entry != NULL ? json_object_get_int_member_with_default (entry, "time", 0) : 0;
}

static void
apply_remember (JsonObject *root, gpointer user_data)
{
  const ArFailedBuild *record = user_data;
  JsonObject *failed = child_object (root, "failed");
  JsonObject *entry = json_object_new ();
  JsonArray *lines = json_array_new ();

  json_object_set_string_member (entry, "layer", record->layer != NULL ? record->layer : "");
  json_object_set_string_member (entry, "env_id", record->env_id != NULL ? record->env_id : "");
  json_object_set_string_member (entry, "tag", record->tag != NULL ? record->tag : "");
  json_object_set_int_member (entry, "exit_status", record->exit_status);
  json_object_set_string_member (entry, "reason", record->reason != NULL ? record->reason : "");
  json_object_set_int_member (entry, "time", record->time != 0 ? record->time : g_get_real_time () / G_USEC_PER_SEC);
  for (guint i = 0; record->last_lines != NULL && record->last_lines[i] != NULL; i++)
    json_array_add_string_element (lines, record->last_lines[i]);
  json_object_set_array_member (entry, "last_lines", lines);
  json_object_set_object_member (failed, record->key, entry);

  /* Keep the file small: drop the oldest records. */
  while (json_object_get_size (failed) > MAX_FAILED_RECORDS)
    {
      g_autoptr(GList) members = json_object_get_members (failed);
      const char *oldest = NULL;

      for (GList *l = members; l != NULL; l = l->next)
        if (oldest == NULL || entry_time (failed, l->data) < entry_time (failed, oldest))
          oldest = l->data;
      json_object_remove_member (failed, oldest);
    }
}

gboolean
ar_failed_build_remember (const ArFailedBuild *record, GError **error)
{
  g_return_val_if_fail (record != NULL && record->key != NULL, FALSE);

  return update_file (FAILED_FILE, apply_remember, (gpointer) record, error);
}

static void
apply_forget (JsonObject *root, gpointer user_data)
{
  json_object_remove_member (child_object (root, "failed"), user_data);
}

gboolean
ar_failed_build_forget (const char *key, GError **error)
{
  g_autofree char *path = state_file (FAILED_FILE);

  g_return_val_if_fail (key != NULL, FALSE);

  /* Nothing to write when there is no record: the common case of a build. */
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  {
    g_autoptr(ArFailedBuild) record = ar_failed_build_lookup (key);

    if (record == NULL)
      return TRUE;
  }
  return update_file (FAILED_FILE, apply_forget, (gpointer) key, error);
}
