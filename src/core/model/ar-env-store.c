/* ar-env-store.c — the environment store: the list, loading, merging and
 * saving (the JSON is ar-env-store-json.c, the file ar-env-store-file.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "ar-env-store.h"
#include "ar-env-store-private.h"
#include "ar-paths.h"

/* clang-format off */
G_DEFINE_QUARK (ar-env-store-error-quark, ar_env_store_error)
/* clang-format on */

struct _ArEnvStore {
  GObject parent_instance;

  char *path;
  GPtrArray *items;      /* ArEnvironment */
  JsonObject *top_extra; /* unknown top-level keys, in file order */
  GPtrArray *warnings;
  gboolean load_failed;
  gboolean durable;

  /* What the file held when last read or written (NULL: no file), and each
   * entry's text then: the base of the merge when another program wrote
   * the file meanwhile. have_base is FALSE until a load or save. */
  gboolean have_base;
  guint disk_serial;
  GBytes *disk;
  GHashTable *base; /* env_id -> entry text */
  char *base_top;   /* top-level extra keys as text */

  /* ar_env_store_save_async(): waiting GTasks, the head one running. */
  GQueue saves;
  guint save_delay_ms; /* tests: each write waits this long first */
};

enum {
  PROP_0,
  PROP_SAVING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArEnvStore, ar_env_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* ---- the store ---------------------------------------------------------- */

ArEnvStore *
ar_env_store_new (const char *path)
{
  ArEnvStore *self = g_object_new (AR_TYPE_ENV_STORE, NULL);

  self->path = path != NULL ? g_strdup (path) : ar_paths_environments_file ();
  return self;
}

const char *
ar_env_store_get_path (ArEnvStore *self)
{
  g_return_val_if_fail (AR_IS_ENV_STORE (self), NULL);
  return self->path;
}

guint
ar_env_store_get_disk_serial (ArEnvStore *self)
{
  g_return_val_if_fail (AR_IS_ENV_STORE (self), 0);
  return self->disk_serial;
}

void
ar_env_store_set_durable (ArEnvStore *self, gboolean durable)
{
  g_return_if_fail (AR_IS_ENV_STORE (self));
  self->durable = durable;
}

/* Swaps the whole list in one items-changed. */
static void
set_items (ArEnvStore *self, GPtrArray *items)
{
  guint removed = self->items->len;

  g_ptr_array_unref (self->items);
  self->items = g_ptr_array_ref (items);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, items->len);
}

static gboolean
same_bytes (GBytes *a, GBytes *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_bytes_equal (a, b);
}

static char *
top_text (JsonObject *top)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), top);

  return ar_json_to_short_string (node, 0);
}

static GHashTable *
entry_texts (ArEnvStore *self)
{
  GHashTable *texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < self->items->len; i++)
    {
      ArEnvironment *env = g_ptr_array_index (self->items, i);
      g_hash_table_insert (texts, g_strdup (ar_environment_get_env_id (env)), ar_env_entry_to_string (env));
    }
  return texts;
}

/* The file as it is now is the base of the next merge; texts and top are
 * the entries it holds (taken). */
static void
remember_disk_as (ArEnvStore *self, GBytes *disk, GHashTable *texts, char *top)
{
  g_clear_pointer (&self->disk, g_bytes_unref);
  self->disk = disk != NULL ? g_bytes_ref (disk) : NULL;
  self->have_base = TRUE;
  self->disk_serial++;
  g_hash_table_unref (self->base);
  self->base = texts;
  g_free (self->base_top);
  self->base_top = top;
}

static void
remember_disk (ArEnvStore *self, GBytes *disk)
{
  remember_disk_as (self, disk, entry_texts (self), top_text (self->top_extra));
}

/* On a reload, an entry that did not change keeps its object, so a view
 * or an editor showing it is not disturbed. */
static void
keep_unchanged_objects (ArEnvStore *self, GPtrArray *items)
{
  for (guint i = 0; i < items->len && self->items->len > 0; i++)
    {
      ArEnvironment *fresh = g_ptr_array_index (items, i);
      ArEnvironment *old = ar_env_store_find_by_id (self, ar_environment_get_env_id (fresh));
      g_autofree char *old_text = NULL;
      g_autofree char *fresh_text = NULL;

      if (old == NULL)
        continue;
      old_text = ar_env_entry_to_string (old);
      fresh_text = ar_env_entry_to_string (fresh);
      if (g_str_equal (old_text, fresh_text))
        {
          g_object_unref (fresh);
          g_ptr_array_index (items, i) = g_object_ref (old);
        }
    }
}

static gboolean
load_bytes (ArEnvStore *self, GBytes *disk, GError **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(JsonObject) top_extra = NULL;

  g_ptr_array_set_size (self->warnings, 0);
  if (!ar_env_store_parse_document (self->path, disk, &items, &top_extra, self->warnings, error))
    {
      self->load_failed = TRUE;
      return FALSE;
    }
  keep_unchanged_objects (self, items);
  self->load_failed = FALSE;
  g_clear_pointer (&self->top_extra, json_object_unref);
  self->top_extra = g_steal_pointer (&top_extra);
  set_items (self, items);
  remember_disk (self, disk);
  return TRUE;
}

gboolean
ar_env_store_load (ArEnvStore *self, GError **error)
{
  g_autofree char *target = NULL;
  g_autoptr(GBytes) disk = NULL;

  g_return_val_if_fail (AR_IS_ENV_STORE (self), FALSE);

  target = ar_env_file_resolve_links (self->path);
  ar_env_file_remove_stale_temps (self->path, target);
  if (!ar_env_file_read (target, &disk, error))
    {
      g_ptr_array_set_size (self->warnings, 0);
      self->load_failed = TRUE;
      return FALSE;
    }
  return load_bytes (self, disk, error);
}

gboolean
ar_env_store_reload_data (ArEnvStore *self,
                          const char *data,
                          gsize length,
                          gboolean *changed,
                          GError **error)
{
  g_autoptr(GBytes) disk = data != NULL ? g_bytes_new (data, length) : NULL;

  g_return_val_if_fail (AR_IS_ENV_STORE (self), FALSE);

  if (changed != NULL)
    *changed = FALSE;
  if (self->have_base && !self->load_failed && same_bytes (disk, self->disk))
    return TRUE;
  if (changed != NULL)
    *changed = TRUE;
  return load_bytes (self, disk, error);
}

void
ar_env_store_allow_overwrite (ArEnvStore *self)
{
  g_return_if_fail (AR_IS_ENV_STORE (self));
  self->load_failed = FALSE;
  /* The user chose this list over the file: nothing to merge with. */
  self->have_base = FALSE;
}

char *
ar_env_store_to_data (ArEnvStore *self, gsize *length)
{
  return ar_env_store_format_document (self->items, self->top_extra, length);
}

static void
add_conflict (GString *conflicts, ArEnvironment *env)
{
  if (conflicts->len > 0)
    g_string_append (conflicts, ", ");
  g_string_append_printf (conflicts, "“%s” (%s)", ar_environment_get_name (env), ar_environment_get_env_id (env));
}

/* Another program wrote the file since this store read it: a three-way
 * merge per entry against what was read then. Entries only one side
 * changed take that side; an entry both changed differently is a conflict,
 * and then nothing is saved, so neither side is lost. */
static gboolean
merge_from_disk (ArEnvStore *self, GBytes *now, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) theirs = NULL;
  g_autoptr(JsonObject) their_top = NULL;
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) merged = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) in_theirs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) conflicts = g_string_new (NULL);
  g_autofree char *my_top = NULL;
  g_autofree char *new_top = NULL;

  if (!ar_env_store_parse_document (self->path, now, &theirs, &their_top, warnings, &local_error))
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT,
                   _ ("Another program changed %s and it can no longer be read, so it was not overwritten: %s"),
                   self->path, local_error->message);
      return FALSE;
    }

  for (guint i = 0; i < theirs->len; i++)
    {
      ArEnvironment *their = g_ptr_array_index (theirs, i);
      const char *id = ar_environment_get_env_id (their);
      const char *base = g_hash_table_lookup (self->base, id);
      ArEnvironment *mine = ar_env_store_find_by_id (self, id);
      g_autofree char *their_text = ar_env_entry_to_string (their);
      g_autofree char *my_text = mine != NULL ? ar_env_entry_to_string (mine) : NULL;
      ArEnvironment *take = NULL;

      g_hash_table_add (in_theirs, (gpointer) id);
      if (base == NULL)
        {
          /* Added there; here too only if it is the same. */
          if (mine == NULL)
            take = their;
          else if (g_str_equal (my_text, their_text))
            take = mine;
          else
            add_conflict (conflicts, mine);
        }
      else if (mine == NULL)
        {
          /* Removed here: gone, unless it was changed there. */
          if (!g_str_equal (their_text, base))
            add_conflict (conflicts, their);
        }
      else if (g_str_equal (my_text, base))
        take = g_str_equal (their_text, base) ? mine : their;
      else if (g_str_equal (their_text, base) || g_str_equal (my_text, their_text))
        take = mine;
      else
        add_conflict (conflicts, mine);

      if (take != NULL)
        g_ptr_array_add (merged, g_object_ref (take));
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      ArEnvironment *mine = g_ptr_array_index (self->items, i);
      const char *id = ar_environment_get_env_id (mine);
      const char *base = g_hash_table_lookup (self->base, id);
      g_autofree char *my_text = NULL;

      if (g_hash_table_contains (in_theirs, id))
        continue;
      if (base == NULL)
        {
          g_ptr_array_add (merged, g_object_ref (mine));
          continue;
        }
      /* Removed there: gone, unless it was changed here. */
      my_text = ar_env_entry_to_string (mine);
      if (!g_str_equal (my_text, base))
        add_conflict (conflicts, mine);
    }

  my_top = top_text (self->top_extra);
  new_top = top_text (their_top);
  if (g_strcmp0 (my_top, self->base_top) != 0 && g_strcmp0 (new_top, self->base_top) != 0 &&
      !g_str_equal (my_top, new_top))
    {
      if (conflicts->len > 0)
        g_string_append (conflicts, ", ");
      g_string_append (conflicts, _ ("the file’s other top-level keys"));
    }

  if (conflicts->len > 0)
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT,
                   _ ("Another program changed %s since it was read, and changed differently what is being saved here: %s; nothing was saved, so reload and make the change again"),
                   self->path, conflicts->str);
      return FALSE;
    }

  g_debug ("%s changed on disk; merged %u entries", self->path, merged->len);
  if (g_strcmp0 (my_top, self->base_top) == 0)
    {
      g_clear_pointer (&self->top_extra, json_object_unref);
      self->top_extra = g_steal_pointer (&their_top);
    }
  set_items (self, merged);
  /* Their file is the base now: what differs from it is ours to write
   * (an asynchronous save writes later, and may meet yet another change). */
  {
    GHashTable *their_texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

    for (guint i = 0; i < theirs->len; i++)
      {
        ArEnvironment *their = g_ptr_array_index (theirs, i);
        g_hash_table_insert (their_texts, g_strdup (ar_environment_get_env_id (their)), ar_env_entry_to_string (their));
      }
    remember_disk_as (self, now, their_texts, g_steal_pointer (&new_top));
  }
  return TRUE;
}

static gboolean
save_locked (ArEnvStore *self, const char *target, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) now = NULL;
  g_autoptr(GBytes) written = NULL;
  char *data;
  gsize length;

  if (!ar_env_file_read (target, &now, error))
    return FALSE;
  if (self->have_base && !same_bytes (now, self->disk) && !merge_from_disk (self, now, error))
    return FALSE;

  data = ar_env_store_to_data (self, &length);
  written = g_bytes_new_take (data, length);

  if (now != NULL)
    {
      g_autofree char *bak = g_strconcat (self->path, ".bak", NULL);
      g_autofree char *bak_target = ar_env_file_resolve_links (bak);
      gsize old_length;
      const char *old = g_bytes_get_data (now, &old_length);

      if (g_bytes_equal (now, written))
        {
          remember_disk (self, written);
          return TRUE;
        }
      /* Keep the previous file as .bak; written atomically too, so a crash
       * here leaves either the old .bak or the new one. */
      if (!ar_env_file_write_atomically (bak_target, old, old_length, self->durable, &local_error))
        {
          g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                       _ ("Could not keep a backup of %s: %s"), self->path, local_error->message);
          return FALSE;
        }
    }

  if (!ar_env_file_write_atomically (target, data, length, self->durable, &local_error))
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _ ("Could not save %s: %s"), self->path, local_error->message);
      return FALSE;
    }
  remember_disk (self, written);
  return TRUE;
}

gboolean
ar_env_store_save (ArEnvStore *self, GError **error)
{
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  gboolean ok;
  int lock;

  g_return_val_if_fail (AR_IS_ENV_STORE (self), FALSE);

  if (self->load_failed)
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_REFUSED,
                   _ ("%s could not be read, so it was not overwritten; fix it or restore %s.bak first"),
                   self->path, self->path);
      return FALSE;
    }

  target = ar_env_file_resolve_links (self->path);
  dir = g_path_get_dirname (target);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _ ("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  lock = ar_env_file_take_lock (target, TRUE, error);
  if (lock < 0)
    return FALSE;
  ok = save_locked (self, target, error);
  close (lock);
  return ok;
}

/* ---- saving without blocking --------------------------------------------- */

/* What a worker needs: copies only, it never touches the store. */
typedef struct {
  char *path;
  char *target;
  gboolean durable;
  guint delay_ms;
  gboolean check;    /* compare the file with expected first */
  GBytes *expected;  /* the file as the store last knew it */
  GBytes *data;      /* what to write */
  GHashTable *texts; /* the entries in data: the next merge base */
  char *top;
  gboolean changed; /* out: the file was not as expected... */
  GBytes *found;    /* ...but this (NULL: gone) */
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_free (job->path);
  g_free (job->target);
  g_clear_pointer (&job->expected, g_bytes_unref);
  g_clear_pointer (&job->data, g_bytes_unref);
  g_clear_pointer (&job->texts, g_hash_table_unref);
  g_free (job->top);
  g_clear_pointer (&job->found, g_bytes_unref);
  g_free (job);
}

static gboolean
write_job (SaveJob *job, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) now = NULL;
  gsize length;
  const char *data = g_bytes_get_data (job->data, &length);

  if (!ar_env_file_read (job->target, &now, error))
    return FALSE;
  if (job->check && !same_bytes (now, job->expected))
    {
      /* Another program wrote it: merged on the store's thread, then again. */
      job->changed = TRUE;
      job->found = g_steal_pointer (&now);
      return TRUE;
    }
  if (now != NULL)
    {
      g_autofree char *bak = g_strconcat (job->path, ".bak", NULL);
      g_autofree char *bak_target = ar_env_file_resolve_links (bak);
      gsize old_length;
      const char *old = g_bytes_get_data (now, &old_length);

      if (g_bytes_equal (now, job->data))
        return TRUE;
      if (!ar_env_file_write_atomically (bak_target, old, old_length, job->durable, &local_error))
        {
          g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                       _ ("Could not keep a backup of %s: %s"), job->path, local_error->message);
          return FALSE;
        }
    }
  if (!ar_env_file_write_atomically (job->target, data, length, job->durable, &local_error))
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _ ("Could not save %s: %s"), job->path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SaveJob *job = task_data;
  g_autofree char *dir = g_path_get_dirname (job->target);
  GError *error = NULL;
  gboolean ok;
  int lock;

  if (job->delay_ms > 0)
    g_usleep ((gulong) job->delay_ms * 1000);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_task_return_new_error (task, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                               _ ("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return;
    }
  lock = ar_env_file_take_lock (job->target, TRUE, &error);
  if (lock < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  ok = write_job (job, &error);
  close (lock);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void start_next_save (ArEnvStore *self);

static void
finish_head_save (ArEnvStore *self, GError *error)
{
  g_autoptr(GTask) task = g_queue_pop_head (&self->saves);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  if (g_queue_is_empty (&self->saves))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
  else
    start_next_save (self);
}

static void
save_thread_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArEnvStore) self = user_data;
  SaveJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      finish_head_save (self, error);
      return;
    }
  if (job->changed)
    {
      /* Merge here, where the entries live, then write what came of it. */
      if (!merge_from_disk (self, job->found, &error))
        {
          finish_head_save (self, error);
          return;
        }
      g_debug ("%s changed on disk during a save; merged, saving again", self->path);
      start_next_save (self);
      return;
    }
  remember_disk_as (self, job->data, g_steal_pointer (&job->texts), g_steal_pointer (&job->top));
  finish_head_save (self, NULL);
}

/* The head of the queue: serialised here, written in a worker. */
static void
start_next_save (ArEnvStore *self)
{
  GTask *head = g_queue_peek_head (&self->saves);
  g_autoptr(GTask) worker = NULL;
  SaveJob *job;
  char *data;
  gsize length;

  if (g_task_return_error_if_cancelled (head))
    {
      g_object_unref (g_queue_pop_head (&self->saves));
      if (g_queue_is_empty (&self->saves))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
      else
        start_next_save (self);
      return;
    }
  if (self->load_failed)
    {
      finish_head_save (self, g_error_new (AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_REFUSED,
                                           _ ("%s could not be read, so it was not overwritten; fix it or restore %s.bak first"),
                                           self->path, self->path));
      return;
    }

  job = g_new0 (SaveJob, 1);
  job->path = g_strdup (self->path);
  job->target = ar_env_file_resolve_links (self->path);
  job->durable = self->durable;
  job->delay_ms = self->save_delay_ms;
  job->check = self->have_base;
  job->expected = self->disk != NULL ? g_bytes_ref (self->disk) : NULL;
  data = ar_env_store_to_data (self, &length);
  job->data = g_bytes_new_take (data, length);
  job->texts = entry_texts (self);
  job->top = top_text (self->top_extra);

  /* Without a source object: the worker thread lets go of its task a
   * little after the result is handed over, and the store must not wait
   * for that to be finalized. */
  worker = g_task_new (NULL, NULL, save_thread_done, g_object_ref (self));
  g_task_set_source_tag (worker, start_next_save);
  g_task_set_task_data (worker, job, (GDestroyNotify) save_job_free);
  g_task_run_in_thread (worker, save_thread);
}

void
ar_env_store_save_async (ArEnvStore *self,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  GTask *task;

  g_return_if_fail (AR_IS_ENV_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ar_env_store_save_async);
  g_queue_push_tail (&self->saves, task);
  if (self->saves.length == 1)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
      start_next_save (self);
    }
}

gboolean
ar_env_store_save_finish (ArEnvStore *self,
                          GAsyncResult *result,
                          GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ar_env_store_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ar_env_store_get_saving (ArEnvStore *self)
{
  g_return_val_if_fail (AR_IS_ENV_STORE (self), FALSE);
  return !g_queue_is_empty (&self->saves);
}

void
ar_env_store_set_save_delay (ArEnvStore *self, guint milliseconds)
{
  g_return_if_fail (AR_IS_ENV_STORE (self));
  self->save_delay_ms = milliseconds;
}

GStrv
ar_env_store_dup_warnings (ArEnvStore *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (AR_IS_ENV_STORE (self), NULL);
  for (guint i = 0; i < self->warnings->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->warnings, i));
  return g_strv_builder_end (builder);
}

guint
ar_env_store_get_n_environments (ArEnvStore *self)
{
  g_return_val_if_fail (AR_IS_ENV_STORE (self), 0);
  return self->items->len;
}

ArEnvironment *
ar_env_store_get_environment (ArEnvStore *self, guint position)
{
  g_return_val_if_fail (AR_IS_ENV_STORE (self), NULL);
  g_return_val_if_fail (position < self->items->len, NULL);
  return g_ptr_array_index (self->items, position);
}

static gboolean
find_index (ArEnvStore *self, const char *env_id, guint *index)
{
  for (guint i = 0; i < self->items->len; i++)
    if (g_strcmp0 (ar_environment_get_env_id (g_ptr_array_index (self->items, i)), env_id) == 0)
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

ArEnvironment *
ar_env_store_find_by_id (ArEnvStore *self, const char *env_id)
{
  guint index;

  g_return_val_if_fail (AR_IS_ENV_STORE (self), NULL);
  return find_index (self, env_id, &index) ? g_ptr_array_index (self->items, index) : NULL;
}

ArEnvironment *
ar_env_store_lookup (ArEnvStore *self, const char *id_or_name, GError **error)
{
  ArEnvironment *found;
  guint matches = 0;

  g_return_val_if_fail (AR_IS_ENV_STORE (self), NULL);

  found = ar_env_store_find_by_id (self, id_or_name);
  if (found != NULL)
    return found;

  for (guint i = 0; i < self->items->len; i++)
    {
      ArEnvironment *env = g_ptr_array_index (self->items, i);
      if (g_strcmp0 (ar_environment_get_name (env), id_or_name) == 0)
        {
          found = env;
          matches++;
        }
    }
  if (matches == 1)
    return found;
  if (matches > 1)
    g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_AMBIGUOUS,
                 _ ("%u environments are named “%s”; use the id instead"), matches, id_or_name);
  else
    g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_NOT_FOUND,
                 _ ("No environment has the id or name “%s”"), id_or_name);
  return NULL;
}

gboolean
ar_env_store_add (ArEnvStore *self, ArEnvironment *env, GError **error)
{
  g_return_val_if_fail (AR_IS_ENV_STORE (self), FALSE);
  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), FALSE);

  if (ar_env_store_find_by_id (self, ar_environment_get_env_id (env)) != NULL)
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_EXISTS,
                   _ ("An environment with the id “%s” already exists"),
                   ar_environment_get_env_id (env));
      return FALSE;
    }
  ar_env_store_insert (self, self->items->len, env);
  return TRUE;
}

void
ar_env_store_insert (ArEnvStore *self, guint position, ArEnvironment *env)
{
  g_return_if_fail (AR_IS_ENV_STORE (self));
  g_return_if_fail (AR_IS_ENVIRONMENT (env));

  position = MIN (position, self->items->len);
  g_ptr_array_insert (self->items, position, g_object_ref (env));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

void
ar_env_store_replace (ArEnvStore *self, ArEnvironment *env)
{
  guint index;

  g_return_if_fail (AR_IS_ENV_STORE (self));
  g_return_if_fail (AR_IS_ENVIRONMENT (env));

  if (!find_index (self, ar_environment_get_env_id (env), &index))
    {
      ar_env_store_insert (self, self->items->len, env);
      return;
    }
  g_object_ref (env);
  g_object_unref (g_ptr_array_index (self->items, index));
  g_ptr_array_index (self->items, index) = env;
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 1);
}

gboolean
ar_env_store_remove (ArEnvStore *self, const char *env_id)
{
  guint index;

  g_return_val_if_fail (AR_IS_ENV_STORE (self), FALSE);

  if (!find_index (self, env_id, &index))
    return FALSE;
  g_ptr_array_remove_index (self->items, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);
  return TRUE;
}

static GType
list_get_item_type (GListModel *model)
{
  return AR_TYPE_ENVIRONMENT;
}

static guint
list_get_n_items (GListModel *model)
{
  return AR_ENV_STORE (model)->items->len;
}

static gpointer
list_get_item (GListModel *model, guint position)
{
  ArEnvStore *self = AR_ENV_STORE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
ar_env_store_finalize (GObject *object)
{
  ArEnvStore *self = AR_ENV_STORE (object);

  g_free (self->path);
  g_ptr_array_unref (self->items);
  g_clear_pointer (&self->top_extra, json_object_unref);
  g_ptr_array_unref (self->warnings);
  g_clear_pointer (&self->disk, g_bytes_unref);
  g_hash_table_unref (self->base);
  g_free (self->base_top);
  /* Each queued save holds a reference: none is left here. */
  g_warn_if_fail (g_queue_is_empty (&self->saves));

  G_OBJECT_CLASS (ar_env_store_parent_class)->finalize (object);
}

static void
ar_env_store_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  ArEnvStore *self = AR_ENV_STORE (object);

  switch (prop_id)
    {
    case PROP_SAVING: g_value_set_boolean (value, ar_env_store_get_saving (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_env_store_class_init (ArEnvStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ar_env_store_finalize;
  object_class->get_property = ar_env_store_get_property;

  /**
   * ArEnvStore:saving:
   *
   * TRUE from ar_env_store_save_async() until the last queued save ended.
   */
  properties[PROP_SAVING] =
    g_param_spec_boolean ("saving", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ar_env_store_init (ArEnvStore *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->top_extra = json_object_new ();
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->base = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->durable = TRUE;
  g_queue_init (&self->saves);
}
