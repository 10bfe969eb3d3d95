/* ar-env-store.c
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
#include "ar-paths.h"

G_DEFINE_QUARK (ar-env-store-error-quark, ar_env_store_error)

struct _ArEnvStore
{
  GObject parent_instance;

  char *path;
  GPtrArray *items;       /* ArEnvironment */
  JsonObject *top_extra;  /* unknown top-level keys, in file order */
  GPtrArray *warnings;
  gboolean load_failed;
  gboolean durable;

  /* What the file held when last read or written (NULL: no file), and each
   * entry's text then: the base of the merge when another program wrote
   * the file meanwhile. have_base is FALSE until a load or save. */
  gboolean have_base;
  guint disk_serial;
  GBytes *disk;
  GHashTable *base;       /* env_id -> entry text */
  char *base_top;         /* top-level extra keys as text */

  /* ar_env_store_save_async(): waiting GTasks, the head one running. */
  GQueue saves;
  guint save_delay_ms;    /* tests: each write waits this long first */
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

/* ---- one entry ---------------------------------------------------------- */

typedef enum {
  FIELD_STRING,
  FIELD_STRV,
  FIELD_MAP,
  FIELD_INT,
  FIELD_BOOL,
} FieldType;

typedef struct {
  const char *key;   /* JSON member */
  const char *prop;  /* GObject property */
  FieldType type;
} Field;

/* The order in which entries are written (§2.3: a stable order). version,
 * env_id and container_caching_enabled are handled on their own. */
static const Field fields[] = {
  { "name", "name", FIELD_STRING },
  { "color", "color", FIELD_STRING },
  { "base_image", "base-image", FIELD_STRING },
  { "workspace_type", "workspace-type", FIELD_STRING },
  { "workspace_target", "workspace-target", FIELD_STRING },
  { "container_workdir", "container-workdir", FIELD_STRING },
  { "agent_cli", "agent-cli", FIELD_STRING },
  { "agent_cli_args", "agent-cli-args", FIELD_STRING },
  { "custom_command", "custom-command", FIELD_STRV },
  { "host_config_dir", "host-config-dir", FIELD_STRING },
  { "env_vars", "env-vars", FIELD_MAP },
  { "extra_mounts", "extra-mounts", FIELD_STRV },
  { "ports", "ports", FIELD_STRV },
  { "max_agents_running", "max-agents-running", FIELD_INT },
  { "headless_desktop_enabled", "headless-desktop-enabled", FIELD_BOOL },
  { "cache_desktop_build", "cache-desktop-build", FIELD_BOOL },
  { "cache_container_build", "cache-container-build", FIELD_BOOL },
  { "preflight_mode", "preflight-mode", FIELD_STRING },
  { "cached_preflight_script", "cached-preflight-script", FIELD_STRING },
  { "run_preflight_script", "run-preflight-script", FIELD_STRING },
  { "preflight_enabled", "preflight-enabled", FIELD_BOOL },
  { "preflight_script", "preflight-script", FIELD_STRING },
};

#define KEY_CACHING_ALIAS "container_caching_enabled"

static gboolean
is_known_key (const char *key)
{
  if (g_str_equal (key, "version") || g_str_equal (key, "env_id") ||
      g_str_equal (key, KEY_CACHING_ALIAS))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i].key, key))
      return TRUE;
  return FALSE;
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_int (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
node_is_bool (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

static GStrv
node_to_strv (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      if (!node_is_string (element))
        return NULL;
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

/* env_vars is an object of strings; a list of "NAME=VALUE" is accepted too. */
static GStrv
node_to_env_vars (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_auto(GStrv) list = node_to_strv (node);
      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        if (strchr (list[i], '=') == NULL || list[i][0] == '=')
          return NULL;
      return g_steal_pointer (&list);
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  builder = g_strv_builder_new ();
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *pair = NULL;
      if (!node_is_string (value) || name[0] == '\0' || strchr (name, '=') != NULL)
        return NULL;
      pair = g_strconcat (name, "=", json_node_get_string (value), NULL);
      g_strv_builder_add (builder, pair);
    }
  return g_strv_builder_end (builder);
}

static const char *
type_name (FieldType type)
{
  switch (type)
    {
    case FIELD_STRING: return _("a string");
    case FIELD_STRV: return _("a list of strings");
    case FIELD_MAP: return _("an object of strings");
    case FIELD_INT: return _("a whole number");
    case FIELD_BOOL: return _("true or false");
    default: g_assert_not_reached ();
    }
}

/* Sets the field from node; FALSE when the value does not fit. */
static gboolean
apply_field (ArEnvironment *env, const Field *field, JsonNode *node)
{
  switch (field->type)
    {
    case FIELD_STRING:
      {
        const char *value;
        g_autofree char *now = NULL;

        if (!node_is_string (node))
          return FALSE;
        value = json_node_get_string (node);
        g_object_set (env, field->prop, value, NULL);
        /* Closed sets (color, agent, workspace type, mode) refuse bad values. */
        g_object_get (env, field->prop, &now, NULL);
        return g_strcmp0 (now, value) == 0;
      }
    case FIELD_STRV:
      {
        g_auto(GStrv) strv = node_to_strv (node);
        if (strv == NULL)
          return FALSE;
        g_object_set (env, field->prop, strv, NULL);
        return TRUE;
      }
    case FIELD_MAP:
      {
        g_auto(GStrv) strv = node_to_env_vars (node);
        if (strv == NULL)
          return FALSE;
        g_object_set (env, field->prop, strv, NULL);
        return TRUE;
      }
    case FIELD_INT:
      {
        gint64 value;
        if (!node_is_int (node))
          return FALSE;
        value = json_node_get_int (node);
        if (value < -1 || value > G_MAXINT)
          return FALSE;
        g_object_set (env, field->prop, (int) value, NULL);
        return TRUE;
      }
    case FIELD_BOOL:
      if (!node_is_bool (node))
        return FALSE;
      g_object_set (env, field->prop, json_node_get_boolean (node), NULL);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static void
warnf (ArEnvironment *env, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
warnf (ArEnvironment *env, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  ar_environment_add_load_warning (env, message);
}

ArEnvironment *
ar_env_entry_from_json (JsonObject *object, const char *context)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  g_autoptr(GPtrArray) raw_keys = g_ptr_array_new ();
  JsonObject *extra = ar_environment_get_extra (env);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;
  JsonNode *id_node;

  /* Unknown keys first, in file order, so they are written back as read. */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &key, &node))
    if (!is_known_key (key))
      json_object_set_member (extra, key, ar_json_node_deep_copy (node));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      node = json_object_get_member (object, fields[i].key);
      if (node == NULL)
        continue;
      if (JSON_NODE_HOLDS_NULL (node))
        {
          /* null reads as the default, and is written back as null */
          g_ptr_array_add (raw_keys, (gpointer) fields[i].key);
          continue;
        }
      if (!apply_field (env, &fields[i], node))
        {
          /* Cut on a character boundary: warnings go out as JSON too. */
          g_autofree char *shown = ar_json_to_short_string (node, 60);
          g_ptr_array_add (raw_keys, (gpointer) fields[i].key);
          if (fields[i].type == FIELD_STRING && node_is_string (node))
            warnf (env, _("%s: field “%s” has the unknown value %s; the default is used and the value is kept in the file"),
                   context, fields[i].key, shown);
          else
            warnf (env, _("%s: field “%s” should be %s but is %s; the default is used and the value is kept in the file"),
                   context, fields[i].key, type_name (fields[i].type), shown);
        }
    }

  /* The earlier tool's name for the caching switch. */
  if (!json_object_has_member (object, "cache_container_build") &&
      json_object_has_member (object, KEY_CACHING_ALIAS))
    {
      node = json_object_get_member (object, KEY_CACHING_ALIAS);
      if (node_is_bool (node))
        ar_environment_set_cache_container_build (env, json_node_get_boolean (node));
      else
        warnf (env, _("%s: field “%s” should be true or false; caching stays off"),
               context, KEY_CACHING_ALIAS);
    }

  /* Identity: env_id, else the earlier tool's id, else a new one. */
  id_node = json_object_get_member (object, "env_id");
  if (id_node == NULL || !node_is_string (id_node) || json_node_get_string (id_node)[0] == '\0')
    id_node = json_object_get_member (object, "id");
  if (id_node != NULL && node_is_string (id_node) && json_node_get_string (id_node)[0] != '\0')
    {
      ar_environment_set_env_id (env, json_node_get_string (id_node));
    }
  else
    {
      g_autofree char *id = ar_environment_generate_id ();
      ar_environment_set_env_id (env, id);
      warnf (env, _("%s has no id; it was given the new id “%s”"), context, id);
    }

  node = json_object_get_member (object, "version");
  if (node != NULL && node_is_int (node))
    {
      gint64 version = json_node_get_int (node);
      ar_environment_set_version (env, (int) CLAMP (version, G_MININT, G_MAXINT));
      if (version != AR_ENVIRONMENT_FORMAT_VERSION)
        warnf (env, _("%s has version %" G_GINT64_FORMAT ", this app knows version %d; what could be read was loaded"),
               context, version, AR_ENVIRONMENT_FORMAT_VERSION);
    }
  else if (node != NULL)
    {
      g_ptr_array_add (raw_keys, (gpointer) "version");
      warnf (env, _("%s: field “version” should be a whole number; version 1 is assumed"), context);
    }

  /* §2.4: an enabled legacy script becomes the run preflight; a disabled one
   * stays only in the legacy field (it would start running in split mode). */
  if (!json_object_has_member (object, "run_preflight_script") &&
      ar_environment_get_preflight_enabled (env) &&
      ar_environment_get_preflight_script (env)[0] != '\0')
    ar_environment_set_run_preflight_script (env, ar_environment_get_preflight_script (env));

  if (!json_object_has_member (object, "preflight_mode"))
    ar_environment_set_preflight_mode (env, ar_environment_get_cached_preflight_script (env)[0] != '\0'
                                              ? AR_PREFLIGHT_MODE_SPLIT
                                              : AR_PREFLIGHT_MODE_SINGLE);

  /* Raw values last: the setters above drop a key from the extra store. */
  for (guint i = 0; i < raw_keys->len; i++)
    {
      const char *raw_key = g_ptr_array_index (raw_keys, i);
      json_object_set_member (extra, raw_key, ar_json_node_deep_copy (json_object_get_member (object, raw_key)));
    }

  return g_steal_pointer (&env);
}

static JsonNode *
strv_to_node (const char *const *strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
env_vars_to_node (const char *const *pairs)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *name = eq ? g_strndup (pairs[i], eq - pairs[i]) : g_strdup (pairs[i]);
      json_object_set_string_member (object, name, eq ? eq + 1 : "");
    }
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
field_to_node (ArEnvironment *env, const Field *field)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  switch (field->type)
    {
    case FIELD_STRING:
      {
        g_autofree char *value = NULL;
        g_object_get (env, field->prop, &value, NULL);
        json_node_set_string (node, value);
        return node;
      }
    case FIELD_STRV:
      {
        g_auto(GStrv) value = NULL;
        json_node_unref (node);
        g_object_get (env, field->prop, &value, NULL);
        return strv_to_node ((const char *const *) value);
      }
    case FIELD_MAP:
      json_node_unref (node);
      return env_vars_to_node (ar_environment_get_env_vars (env));
    case FIELD_INT:
      {
        int value;
        g_object_get (env, field->prop, &value, NULL);
        json_node_set_int (node, value);
        return node;
      }
    case FIELD_BOOL:
      {
        gboolean value;
        g_object_get (env, field->prop, &value, NULL);
        json_node_set_boolean (node, value);
        return node;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
set_member (JsonObject *out, JsonObject *extra, const char *key, JsonNode *value)
{
  /* A raw value kept from load wins until the field is set again. */
  if (json_object_has_member (extra, key))
    {
      json_object_set_member (out, key, ar_json_node_deep_copy (json_object_get_member (extra, key)));
      json_node_unref (value);
    }
  else
    json_object_set_member (out, key, value);
}

JsonObject *
ar_env_entry_to_json (ArEnvironment *env)
{
  JsonObject *out = json_object_new ();
  JsonObject *extra = ar_environment_get_extra (env);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_int (node, ar_environment_get_version (env));
  set_member (out, extra, "version", node);
  json_object_set_string_member (out, "env_id", ar_environment_get_env_id (env));

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      set_member (out, extra, fields[i].key, field_to_node (env, &fields[i]));
      if (g_str_equal (fields[i].key, "cache_container_build"))
        {
          node = json_node_new (JSON_NODE_VALUE);
          json_node_set_boolean (node, ar_environment_get_cache_container_build (env));
          set_member (out, extra, KEY_CACHING_ALIAS, node);
        }
    }

  json_object_iter_init_ordered (&iter, extra);
  while (json_object_iter_next_ordered (&iter, &key, &node))
    if (!json_object_has_member (out, key))
      json_object_set_member (out, key, ar_json_node_deep_copy (node));

  return out;
}

char *
ar_env_entry_to_string (ArEnvironment *env)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, ar_env_entry_to_json (env));
  return ar_json_to_pretty_string (node, NULL);
}

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

static void
warn_into (GPtrArray *warnings, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
warn_into (GPtrArray *warnings, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (warnings, g_strdup_vprintf (format, args));
  va_end (args);
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

/* environments.json may be a link (into a dotfiles folder, say): saving
 * writes through it, next to its target, instead of replacing the link. */
static char *
resolve_links (const char *path)
{
  g_autofree char *current = g_strdup (path);

  for (int hops = 0; hops < 40; hops++)
    {
      g_autofree char *target = g_file_read_link (current, NULL);
      g_autofree char *dir = NULL;

      if (target == NULL)
        break;
      if (g_path_is_absolute (target))
        {
          g_free (current);
          current = g_steal_pointer (&target);
          continue;
        }
      dir = g_path_get_dirname (current);
      g_free (current);
      current = g_build_filename (dir, target, NULL);
    }
  return g_steal_pointer (&current);
}

/* Every writer holds an flock on <file>.lock around read-compare-write, so
 * two saves never interleave and a temp file nobody holds the lock for is
 * stale. The lock file stays: removing it would race with the next taker. */
static int
take_lock (const char *target, gboolean wait, GError **error)
{
  g_autofree char *lock_path = g_strconcat (target, ".lock", NULL);
  int fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _("Could not open the lock file %s: %s"), lock_path, g_strerror (saved));
      return -1;
    }
  while (flock (fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      if (saved == EINTR)
        continue;
      close (fd);
      if (saved != EWOULDBLOCK)
        g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                     _("Could not lock %s: %s"), lock_path, g_strerror (saved));
      return -1;
    }
  return fd;
}

/* g_mkstemp's pattern: <prefix>.XXXXXX with letters and digits. */
static gboolean
is_temp_name (const char *name, const char *prefix)
{
  gsize n = strlen (prefix);

  if (strlen (name) != n + 7 || strncmp (name, prefix, n) != 0 || name[n] != '.')
    return FALSE;
  for (gsize i = n + 1; i < n + 7; i++)
    if (!g_ascii_isalnum (name[i]))
      return FALSE;
  return TRUE;
}

/* One pass over the folder for the file's and the backup's temp files. */
static void
remove_temps_in (const char *dir_path, const char *prefix, const char *other_prefix)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *full = NULL;
      GStatBuf st;

      if (!is_temp_name (name, prefix) && (other_prefix == NULL || !is_temp_name (name, other_prefix)))
        continue;
      full = g_build_filename (dir_path, name, NULL);
      if (g_lstat (full, &st) == 0 && S_ISREG (st.st_mode) && st.st_uid == getuid ())
        {
          g_debug ("Removing %s, left by a save that did not finish", full);
          g_unlink (full);
        }
    }
}

/* A save killed between writing its temp file and renaming it leaves a full
 * copy (0600) behind. Only while nobody holds the lock is none in use. */
static void
remove_stale_temps (const char *path, const char *target)
{
  g_autofree char *target_dir = g_path_get_dirname (target);
  g_autofree char *target_base = g_path_get_basename (target);
  g_autofree char *bak = g_strconcat (path, ".bak", NULL);
  g_autofree char *bak_target = resolve_links (bak);
  g_autofree char *bak_dir = g_path_get_dirname (bak_target);
  g_autofree char *bak_base = g_path_get_basename (bak_target);
  gboolean same_dir;
  int lock;

  if (!g_file_test (target_dir, G_FILE_TEST_IS_DIR))
    return;
  lock = take_lock (target, FALSE, NULL);
  if (lock < 0)
    return;
  same_dir = g_str_equal (bak_dir, target_dir);
  remove_temps_in (target_dir, target_base, same_dir ? bak_base : NULL);
  if (!same_dir)
    remove_temps_in (bak_dir, bak_base, NULL);
  close (lock);
}

/* A temp file beside target, fsync unless tests turned it off, rename. */
static gboolean
write_atomically (const char *target, const char *data, gsize length, gboolean durable, GError **error)
{
  g_autofree char *tmp = g_strconcat (target, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  gsize done = 0;
  int saved;

  if (fd < 0)
    {
      saved = errno;
      g_set_error_literal (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO, g_strerror (saved));
      return FALSE;
    }
  while (done < length)
    {
      gssize n = write (fd, data + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += n;
    }
  if (durable && fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, target) != 0)
    goto fail;
  return TRUE;

fail:
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_unlink (tmp);
  g_set_error_literal (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO, g_strerror (saved));
  return FALSE;
}

/* disk NULL: there is no file. */
static gboolean
read_disk (const char *target, GBytes **disk, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char *data = NULL;
  gsize length;

  *disk = NULL;
  if (g_file_get_contents (target, &data, &length, &local_error))
    {
      *disk = g_bytes_new_take (data, length);
      return TRUE;
    }
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return TRUE;
  g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO, "%s", local_error->message);
  return FALSE;
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

/* Reads an environments file into entries and top-level extra keys. */
static gboolean
parse_store (const char *path,
             GBytes *disk,
             GPtrArray **out_items,
             JsonObject **out_top_extra,
             GPtrArray *warnings,
             GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) top_extra = json_object_new ();
  g_autofree char *keep_key = NULL;
  JsonArray *entries = NULL;
  gsize length;
  const char *data;

  if (disk == NULL)
    {
      *out_items = g_steal_pointer (&items);
      *out_top_extra = g_steal_pointer (&top_extra);
      return TRUE;
    }
  data = g_bytes_get_data (disk, &length);
  root = ar_json_parse_data (data != NULL ? data : "", length, path, error);
  if (root == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_ARRAY (root))
    entries = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *top = json_node_get_object (root);
      JsonNode *list = json_object_get_member (top, "environments");
      JsonNode *format = json_object_get_member (top, "format");
      JsonObjectIter iter;
      const char *key;
      JsonNode *node;

      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        {
          g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE,
                       _("%s has no “environments” list, so it is not an environments file"),
                       path);
          return FALSE;
        }
      entries = json_node_get_array (list);
      if (format != NULL && !(node_is_int (format) && json_node_get_int (format) == AR_ENV_STORE_FORMAT))
        {
          g_autofree char *shown = ar_json_to_short_string (format, 60);
          warn_into (warnings, _("%s has format %s, this app writes format %d; what could be read was loaded"),
                     path, shown, AR_ENV_STORE_FORMAT);
        }
      json_object_iter_init_ordered (&iter, top);
      while (json_object_iter_next_ordered (&iter, &key, &node))
        if (!g_str_equal (key, "environments") && !g_str_equal (key, "format"))
          json_object_set_member (top_extra, key, ar_json_node_deep_copy (node));
    }
  else
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_SHAPE,
                   _("%s holds neither an object nor a list, so it is not an environments file"),
                   path);
      return FALSE;
    }

  /* Entries that are not objects are kept in a top-level list; if the file
   * already has that key holding something else, the next free name. */
  keep_key = g_strdup ("unreadable_entries");
  for (guint n = 2; json_object_has_member (top_extra, keep_key) &&
                    !JSON_NODE_HOLDS_ARRAY (json_object_get_member (top_extra, keep_key)); n++)
    {
      g_free (keep_key);
      keep_key = g_strdup_printf ("unreadable_entries_%u", n);
    }

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *element = json_array_get_element (entries, i);
      g_autofree char *context = g_strdup_printf (_("entry %u"), i + 1);
      g_autoptr(ArEnvironment) env = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          /* Not an environment at all: keep it so nothing is lost. */
          g_autofree char *shown = ar_json_to_short_string (element, 60);
          warn_into (warnings, _("%s is not an object and was skipped (kept in the file under “%s”): %s"),
                     context, keep_key, shown);
          if (!json_object_has_member (top_extra, keep_key))
            json_object_set_array_member (top_extra, keep_key, json_array_new ());
          json_array_add_element (json_object_get_array_member (top_extra, keep_key),
                                  ar_json_node_deep_copy (element));
          continue;
        }

      env = ar_env_entry_from_json (json_node_get_object (element), context);
      if (g_hash_table_contains (seen, ar_environment_get_env_id (env)))
        {
          g_autofree char *old_id = g_strdup (ar_environment_get_env_id (env));
          g_autofree char *new_id = ar_environment_generate_id ();

          ar_environment_set_env_id (env, new_id);
          warnf (env, _("%s repeats the id “%s”; it was given the new id “%s”"),
                 context, old_id, new_id);
        }
      g_hash_table_add (seen, (gpointer) ar_environment_get_env_id (env));
      g_ptr_array_add (items, g_steal_pointer (&env));
    }

  *out_items = g_steal_pointer (&items);
  *out_top_extra = g_steal_pointer (&top_extra);
  return TRUE;
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
  if (!parse_store (self->path, disk, &items, &top_extra, self->warnings, error))
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

  target = resolve_links (self->path);
  remove_stale_temps (self->path, target);
  if (!read_disk (target, &disk, error))
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
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *top = json_object_new ();
  JsonArray *entries = json_array_new ();
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  json_object_set_int_member (top, "format", AR_ENV_STORE_FORMAT);
  for (guint i = 0; i < self->items->len; i++)
    {
      JsonNode *entry = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (entry, ar_env_entry_to_json (g_ptr_array_index (self->items, i)));
      json_array_add_element (entries, entry);
    }
  json_object_set_array_member (top, "environments", entries);

  json_object_iter_init_ordered (&iter, self->top_extra);
  while (json_object_iter_next_ordered (&iter, &key, &node))
    json_object_set_member (top, key, ar_json_node_deep_copy (node));

  json_node_take_object (root, top);
  return ar_json_to_pretty_string (root, length);
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

  if (!parse_store (self->path, now, &theirs, &their_top, warnings, &local_error))
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT,
                   _("Another program changed %s and it can no longer be read, so it was not overwritten: %s"),
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
      g_string_append (conflicts, _("the file’s other top-level keys"));
    }

  if (conflicts->len > 0)
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_CONFLICT,
                   _("Another program changed %s since it was read, and changed differently what is being saved here: %s; nothing was saved, so reload and make the change again"),
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

  if (!read_disk (target, &now, error))
    return FALSE;
  if (self->have_base && !same_bytes (now, self->disk) && !merge_from_disk (self, now, error))
    return FALSE;

  data = ar_env_store_to_data (self, &length);
  written = g_bytes_new_take (data, length);

  if (now != NULL)
    {
      g_autofree char *bak = g_strconcat (self->path, ".bak", NULL);
      g_autofree char *bak_target = resolve_links (bak);
      gsize old_length;
      const char *old = g_bytes_get_data (now, &old_length);

      if (g_bytes_equal (now, written))
        {
          remember_disk (self, written);
          return TRUE;
        }
      /* Keep the previous file as .bak; written atomically too, so a crash
       * here leaves either the old .bak or the new one. */
      if (!write_atomically (bak_target, old, old_length, self->durable, &local_error))
        {
          g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                       _("Could not keep a backup of %s: %s"), self->path, local_error->message);
          return FALSE;
        }
    }

  if (!write_atomically (target, data, length, self->durable, &local_error))
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _("Could not save %s: %s"), self->path, local_error->message);
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
                   _("%s could not be read, so it was not overwritten; fix it or restore %s.bak first"),
                   self->path, self->path);
      return FALSE;
    }

  target = resolve_links (self->path);
  dir = g_path_get_dirname (target);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  lock = take_lock (target, TRUE, error);
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
  gboolean check;          /* compare the file with expected first */
  GBytes *expected;        /* the file as the store last knew it */
  GBytes *data;            /* what to write */
  GHashTable *texts;       /* the entries in data: the next merge base */
  char *top;
  gboolean changed;        /* out: the file was not as expected... */
  GBytes *found;           /* ...but this (NULL: gone) */
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

  if (!read_disk (job->target, &now, error))
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
      g_autofree char *bak_target = resolve_links (bak);
      gsize old_length;
      const char *old = g_bytes_get_data (now, &old_length);

      if (g_bytes_equal (now, job->data))
        return TRUE;
      if (!write_atomically (bak_target, old, old_length, job->durable, &local_error))
        {
          g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                       _("Could not keep a backup of %s: %s"), job->path, local_error->message);
          return FALSE;
        }
    }
  if (!write_atomically (job->target, data, length, job->durable, &local_error))
    {
      g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_IO,
                   _("Could not save %s: %s"), job->path, local_error->message);
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
                               _("Could not create the folder %s: %s"), dir, g_strerror (saved));
      return;
    }
  lock = take_lock (job->target, TRUE, &error);
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
                                           _("%s could not be read, so it was not overwritten; fix it or restore %s.bak first"),
                                           self->path, self->path));
      return;
    }

  job = g_new0 (SaveJob, 1);
  job->path = g_strdup (self->path);
  job->target = resolve_links (self->path);
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
ar_env_store_save_async (ArEnvStore          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
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
ar_env_store_save_finish (ArEnvStore    *self,
                          GAsyncResult  *result,
                          GError       **error)
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
                 _("%u environments are named “%s”; use the id instead"), matches, id_or_name);
  else
    g_set_error (error, AR_ENV_STORE_ERROR, AR_ENV_STORE_ERROR_NOT_FOUND,
                 _("No environment has the id or name “%s”"), id_or_name);
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
                   _("An environment with the id “%s” already exists"),
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
ar_env_store_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
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
