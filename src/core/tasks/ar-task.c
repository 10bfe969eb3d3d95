/* ar-task.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ar-paths.h"
#include "ar-task.h"

#define OWNER_LOCK_FILE "owner.lock"

struct _ArTask {
  GObject parent_instance;

  char *id;
  char *env_id;
  char *env_name;
  char *prompt;
  ArTaskKind kind;
  ArTaskState state;
  int exit_status;
  gint64 created_at;
  gint64 started_at;
  gint64 finished_at;
  char *image;
  char *layers;
  char *cache_summary;
  char *desktop_url;
  char *container_name;
  char *error_message;
  char *engine;
  /* design.md §4.2, "Copied, not mounted": for a follow after a restart */
  gboolean copied;
  char *copied_workspace;
  char *copied_workdir;

  int owner_fd; /* -1 unless this object holds owner.lock */
};

G_DEFINE_FINAL_TYPE (ArTask, ar_task, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (ar-task-error-quark, ar_task_error)
/* clang-format on */

G_DEFINE_ENUM_TYPE (ArTaskState, ar_task_state,
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_QUEUED, "queued"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_PREPARING, "preparing"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_BUILDING, "building"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_STATE_CANCELLED, "cancelled"))

G_DEFINE_ENUM_TYPE (ArTaskKind, ar_task_kind,
                    G_DEFINE_ENUM_VALUE (AR_TASK_KIND_TASK, "task"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_KIND_PREFLIGHT_TEST, "preflight-test"),
                    G_DEFINE_ENUM_VALUE (AR_TASK_KIND_INTERACTIVE, "interactive"))

enum {
  PROP_0,
  PROP_ID,
  PROP_ENV_ID,
  PROP_ENV_NAME,
  PROP_PROMPT,
  PROP_KIND,
  PROP_STATE,
  PROP_EXIT_STATUS,
  PROP_CREATED_AT,
  PROP_STARTED_AT,
  PROP_FINISHED_AT,
  PROP_DURATION,
  PROP_IMAGE,
  PROP_LAYERS,
  PROP_CACHE_SUMMARY,
  PROP_DESKTOP_URL,
  PROP_ENGINE,
  PROP_CONTAINER_NAME,
  PROP_ERROR_MESSAGE,
  PROP_LOG_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const state_names[] = {
  "queued", "preparing", "building", "starting", "running", "done", "failed", "cancelled", NULL
};

const char *
ar_task_state_to_string (ArTaskState state)
{
  g_return_val_if_fail (state <= AR_TASK_STATE_CANCELLED, "failed");
  return state_names[state];
}

gboolean
ar_task_state_from_string (const char *str, ArTaskState *state)
{
  for (guint i = 0; state_names[i] != NULL; i++)
    if (g_strcmp0 (str, state_names[i]) == 0)
      {
        *state = i;
        return TRUE;
      }
  return FALSE;
}

const char *
ar_task_state_to_label (ArTaskState state)
{
  switch (state)
    {
    case AR_TASK_STATE_QUEUED: return _ ("Queued");
    case AR_TASK_STATE_PREPARING: return _ ("Preparing");
    case AR_TASK_STATE_BUILDING: return _ ("Building");
    case AR_TASK_STATE_STARTING: return _ ("Starting");
    case AR_TASK_STATE_RUNNING: return _ ("Running");
    case AR_TASK_STATE_DONE: return _ ("Done");
    case AR_TASK_STATE_FAILED: return _ ("Failed");
    case AR_TASK_STATE_CANCELLED: return _ ("Cancelled");
    default: return _ ("Failed");
    }
}

gboolean
ar_task_state_is_finished (ArTaskState state)
{
  return state == AR_TASK_STATE_DONE || state == AR_TASK_STATE_FAILED || state == AR_TASK_STATE_CANCELLED;
}

gboolean
ar_task_state_is_active (ArTaskState state)
{
  return state >= AR_TASK_STATE_PREPARING && state <= AR_TASK_STATE_RUNNING;
}

const char *
ar_task_kind_to_string (ArTaskKind kind)
{
  switch (kind)
    {
    case AR_TASK_KIND_PREFLIGHT_TEST:
      return "preflight-test";
    case AR_TASK_KIND_INTERACTIVE:
      return "interactive";
    case AR_TASK_KIND_TASK:
    default:
      return "task";
    }
}

char *
ar_task_generate_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  return g_strdup_printf ("%s-%06x", stamp, g_random_int () & 0xffffff);
}

/* ---- the record --------------------------------------------------------- */

char *
ar_task_dup_dir (ArTask *self)
{
  g_autofree char *tasks = ar_paths_tasks_dir ();

  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return g_build_filename (tasks, self->id, NULL);
}

char *
ar_task_dup_record_path (ArTask *self)
{
  g_autofree char *dir = ar_task_dup_dir (self);

  return g_build_filename (dir, AR_TASK_RECORD_FILE, NULL);
}

char *
ar_task_dup_log_path (ArTask *self)
{
  g_autofree char *dir = ar_task_dup_dir (self);

  return g_build_filename (dir, AR_TASK_LOG_FILE, NULL);
}

static char *
time_to_iso (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec <= 0)
    return NULL;
  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (dt == NULL)
    return NULL;
  {
    g_autoptr(GDateTime) precise = g_date_time_add (dt, usec % G_USEC_PER_SEC);

    return g_date_time_format_iso8601 (precise);
  }
}

static gint64
time_from_iso (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return 0;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return 0;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static void
set_string_member (JsonObject *obj, const char *name, const char *value)
{
  json_object_set_string_member (obj, name, value != NULL ? value : "");
}

static void
set_time_member (JsonObject *obj, const char *name, gint64 usec)
{
  g_autofree char *iso = time_to_iso (usec);

  if (iso != NULL)
    json_object_set_string_member (obj, name, iso);
  else
    json_object_set_null_member (obj, name);
}

JsonNode *
ar_task_to_json (ArTask *self)
{
  JsonObject *obj = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (AR_IS_TASK (self), NULL);

  json_object_set_int_member (obj, "version", AR_TASK_RECORD_VERSION);
  set_string_member (obj, "id", self->id);
  set_string_member (obj, "kind", ar_task_kind_to_string (self->kind));
  set_string_member (obj, "env_id", self->env_id);
  set_string_member (obj, "env_name", self->env_name);
  set_string_member (obj, "state", ar_task_state_to_string (self->state));
  if (self->exit_status >= 0)
    json_object_set_int_member (obj, "exit_status", self->exit_status);
  else
    json_object_set_null_member (obj, "exit_status");
  set_time_member (obj, "created_at", self->created_at);
  set_time_member (obj, "started_at", self->started_at);
  set_time_member (obj, "finished_at", self->finished_at);
  json_object_set_double_member (obj, "duration", ar_task_get_duration (self));
  set_string_member (obj, "image", self->image);
  set_string_member (obj, "layers", self->layers);
  set_string_member (obj, "cache_summary", self->cache_summary);
  set_string_member (obj, "desktop_url", self->desktop_url);
  set_string_member (obj, "container_name", self->container_name);
  set_string_member (obj, "error", self->error_message);
  set_string_member (obj, "engine", self->engine);
  /* Only for a task whose files were copied: older records unchanged. */
  if (self->copied)
    {
      json_object_set_boolean_member (obj, "copied", TRUE);
      set_string_member (obj, "copied_workspace", self->copied_workspace);
      set_string_member (obj, "copied_workdir", self->copied_workdir);
    }
  set_string_member (obj, "prompt", self->prompt);
  json_node_take_object (node, obj);
  return node;
}

static const char *
get_string (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "";
  return json_node_get_string (node);
}

ArTask *
ar_task_new_from_json (JsonObject *obj, GError **error)
{
  g_autoptr(ArTask) self = NULL;
  JsonNode *exit_node;
  const char *id = get_string (obj, "id");

  /* The id names a folder and a container: nothing but what we generate. */
  if (*id == '\0' || strspn (id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") != strlen (id) ||
      id[0] == '.')
    {
      g_set_error_literal (error, AR_TASK_ERROR, AR_TASK_ERROR_BAD_RECORD,
                           _ ("The task record has no valid id."));
      return NULL;
    }

  self = g_object_new (AR_TYPE_TASK, NULL);
  self->id = g_strdup (id);
  self->kind = g_str_equal (get_string (obj, "kind"), "preflight-test") ? AR_TASK_KIND_PREFLIGHT_TEST
               : g_str_equal (get_string (obj, "kind"), "interactive")  ? AR_TASK_KIND_INTERACTIVE
                                                                        : AR_TASK_KIND_TASK;
  self->env_id = g_strdup (get_string (obj, "env_id"));
  self->env_name = g_strdup (get_string (obj, "env_name"));
  self->prompt = g_strdup (get_string (obj, "prompt"));
  if (!ar_task_state_from_string (get_string (obj, "state"), &self->state))
    self->state = AR_TASK_STATE_FAILED;
  exit_node = json_object_get_member (obj, "exit_status");
  if (exit_node != NULL && JSON_NODE_HOLDS_VALUE (exit_node) &&
      json_node_get_value_type (exit_node) == G_TYPE_INT64)
    self->exit_status = (int) json_node_get_int (exit_node);
  self->created_at = time_from_iso (get_string (obj, "created_at"));
  self->started_at = time_from_iso (get_string (obj, "started_at"));
  self->finished_at = time_from_iso (get_string (obj, "finished_at"));
  self->image = g_strdup (get_string (obj, "image"));
  self->layers = g_strdup (get_string (obj, "layers"));
  self->cache_summary = g_strdup (get_string (obj, "cache_summary"));
  self->desktop_url = g_strdup (get_string (obj, "desktop_url"));
  self->container_name = g_strdup (get_string (obj, "container_name"));
  self->error_message = g_strdup (get_string (obj, "error"));
  /* Records from before several engines ran on the local one. */
  self->engine = g_strdup (get_string (obj, "engine"));
  {
    JsonNode *copied = json_object_get_member (obj, "copied");

    self->copied = copied != NULL && JSON_NODE_HOLDS_VALUE (copied) &&
                   json_node_get_value_type (copied) == G_TYPE_BOOLEAN && json_node_get_boolean (copied);
  }
  if (self->copied)
    {
      self->copied_workspace = g_strdup (get_string (obj, "copied_workspace"));
      self->copied_workdir = g_strdup (get_string (obj, "copied_workdir"));
    }
  return g_steal_pointer (&self);
}

ArTask *
ar_task_new_from_file (const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, AR_TASK_ERROR, AR_TASK_ERROR_BAD_RECORD,
                   _ ("Could not read the task record %s: %s."), path, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, AR_TASK_ERROR, AR_TASK_ERROR_BAD_RECORD,
                   _ ("The task record %s is not a JSON object."), path);
      return NULL;
    }
  return ar_task_new_from_json (json_node_get_object (root), error);
}

gboolean
ar_task_save (ArTask *self, GError **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (AR_IS_TASK (self), FALSE);

  dir = ar_task_dup_dir (self);
  path = ar_task_dup_record_path (self);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not make the task folder %s: %s."), dir, g_strerror (saved));
      return FALSE;
    }
  node = ar_task_to_json (self);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  {
    g_autofree char *with_newline = g_strconcat (text, "\n", NULL);

    /* g_file_set_contents: temporary file, fsync, rename. */
    return g_file_set_contents_full (path, with_newline, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  }
}

/* ---- ownership ---------------------------------------------------------- */

static int
open_lock (ArTask *self)
{
  g_autofree char *dir = ar_task_dup_dir (self);
  g_autofree char *path = g_build_filename (dir, OWNER_LOCK_FILE, NULL);

  g_mkdir_with_parents (dir, 0700);
  return g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

gboolean
ar_task_acquire_ownership (ArTask *self)
{
  int fd;

  g_return_val_if_fail (AR_IS_TASK (self), FALSE);

  if (self->owner_fd >= 0)
    return TRUE;
  if ((fd = open_lock (self)) < 0)
    return FALSE;
  /* flock() locks belong to the open file: a second open, even in this
   * process, is refused while this one holds it; a dead process holds none. */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return FALSE;
    }
  self->owner_fd = fd;
  return TRUE;
}

void
ar_task_release_ownership (ArTask *self)
{
  g_return_if_fail (AR_IS_TASK (self));

  if (self->owner_fd < 0)
    return;
  flock (self->owner_fd, LOCK_UN);
  close (self->owner_fd);
  self->owner_fd = -1;
}

gboolean
ar_task_get_owned (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), FALSE);
  return self->owner_fd >= 0;
}

gboolean
ar_task_is_owned_elsewhere (ArTask *self)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  gboolean held;
  int fd;

  g_return_val_if_fail (AR_IS_TASK (self), FALSE);

  if (self->owner_fd >= 0)
    return FALSE;
  dir = ar_task_dup_dir (self);
  path = g_build_filename (dir, OWNER_LOCK_FILE, NULL);
  if ((fd = g_open (path, O_RDWR | O_CLOEXEC, 0)) < 0)
    return FALSE;
  held = flock (fd, LOCK_EX | LOCK_NB) != 0;
  if (!held)
    flock (fd, LOCK_UN);
  close (fd);
  return held;
}

/* ---- accessors ---------------------------------------------------------- */

ArTask *
ar_task_new (const char *env_id, const char *env_name, const char *prompt, ArTaskKind kind)
{
  ArTask *self = g_object_new (AR_TYPE_TASK, NULL);

  self->id = ar_task_generate_id ();
  self->env_id = g_strdup (env_id != NULL ? env_id : "");
  self->env_name = g_strdup (env_name != NULL ? env_name : "");
  self->prompt = g_strdup (prompt != NULL ? prompt : "");
  self->kind = kind;
  self->created_at = g_get_real_time ();
  self->container_name = g_strconcat ("agents-runner-", self->id, NULL);
  return self;
}

/* Unset strings read as "". */
#define STR(s) ((s) != NULL ? (s) : "")

const char *
ar_task_get_id (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return self->id;
}
const char *
ar_task_get_env_id (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return self->env_id;
}
const char *
ar_task_get_env_name (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return self->env_name;
}
const char *
ar_task_get_prompt (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return self->prompt;
}
ArTaskKind
ar_task_get_kind (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), 0);
  return self->kind;
}
ArTaskState
ar_task_get_state (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), 0);
  return self->state;
}
int
ar_task_get_exit_status (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), -1);
  return self->exit_status;
}
gint64
ar_task_get_created_at (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), 0);
  return self->created_at;
}
gint64
ar_task_get_started_at (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), 0);
  return self->started_at;
}
gint64
ar_task_get_finished_at (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), 0);
  return self->finished_at;
}
const char *
ar_task_get_image (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return STR (self->image);
}
const char *
ar_task_get_layers (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return STR (self->layers);
}
const char *
ar_task_get_cache_summary (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return STR (self->cache_summary);
}
const char *
ar_task_get_desktop_url (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return STR (self->desktop_url);
}
const char *
ar_task_get_container_name (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return STR (self->container_name);
}
const char *
ar_task_get_error_message (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), NULL);
  return STR (self->error_message);
}

char *
ar_task_dup_title (ArTask *self)
{
  const char *prompt;
  const char *nl;

  g_return_val_if_fail (AR_IS_TASK (self), NULL);

  if (self->kind == AR_TASK_KIND_PREFLIGHT_TEST)
    return g_strdup (_ ("Preflight test"));
  prompt = self->prompt != NULL ? self->prompt : "";
  while (*prompt == ' ' || *prompt == '\n' || *prompt == '\t')
    prompt++;
  if (*prompt == '\0')
    return g_strdup (self->kind == AR_TASK_KIND_INTERACTIVE ? _ ("Interactive session") : _ ("No prompt"));
  nl = strchr (prompt, '\n');
  return nl != NULL ? g_strndup (prompt, nl - prompt) : g_strdup (prompt);
}

double
ar_task_get_duration (ArTask *self)
{
  gint64 end;

  g_return_val_if_fail (AR_IS_TASK (self), 0);
  if (self->started_at <= 0)
    return 0;
  end = self->finished_at > 0 ? self->finished_at : g_get_real_time ();
  return MAX (0, end - self->started_at) / (double) G_USEC_PER_SEC;
}

void
ar_task_set_state (ArTask *self, ArTaskState state)
{
  g_return_if_fail (AR_IS_TASK (self));
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
ar_task_set_exit_status (ArTask *self, int status)
{
  g_return_if_fail (AR_IS_TASK (self));
  if (self->exit_status == status)
    return;
  self->exit_status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_STATUS]);
}

void
ar_task_set_started_at (ArTask *self, gint64 time)
{
  g_return_if_fail (AR_IS_TASK (self));
  if (self->started_at == time)
    return;
  self->started_at = time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STARTED_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

void
ar_task_set_finished_at (ArTask *self, gint64 time)
{
  g_return_if_fail (AR_IS_TASK (self));
  if (self->finished_at == time)
    return;
  self->finished_at = time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);
}

static void
set_string (ArTask *self, char **field, const char *value, guint prop)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
ar_task_set_image (ArTask *self, const char *v)
{
  g_return_if_fail (AR_IS_TASK (self));
  set_string (self, &self->image, v, PROP_IMAGE);
}
void
ar_task_set_layers (ArTask *self, const char *v)
{
  g_return_if_fail (AR_IS_TASK (self));
  set_string (self, &self->layers, v, PROP_LAYERS);
}
void
ar_task_set_cache_summary (ArTask *self, const char *v)
{
  g_return_if_fail (AR_IS_TASK (self));
  set_string (self, &self->cache_summary, v, PROP_CACHE_SUMMARY);
}
void
ar_task_set_desktop_url (ArTask *self, const char *v)
{
  g_return_if_fail (AR_IS_TASK (self));
  set_string (self, &self->desktop_url, v, PROP_DESKTOP_URL);
}
void
ar_task_set_container_name (ArTask *self, const char *v)
{
  g_return_if_fail (AR_IS_TASK (self));
  set_string (self, &self->container_name, v, PROP_CONTAINER_NAME);
}
const char *
ar_task_get_engine (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), "");
  return STR (self->engine);
}
void
ar_task_set_engine (ArTask *self, const char *v)
{
  g_return_if_fail (AR_IS_TASK (self));
  set_string (self, &self->engine, v, PROP_ENGINE);
}
gboolean
ar_task_get_copied (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), FALSE);
  return self->copied;
}
const char *
ar_task_get_copied_workspace (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), "");
  return STR (self->copied_workspace);
}
const char *
ar_task_get_copied_workdir (ArTask *self)
{
  g_return_val_if_fail (AR_IS_TASK (self), "");
  return STR (self->copied_workdir);
}
void
ar_task_set_copied (ArTask *self, const char *workspace, const char *workdir)
{
  g_return_if_fail (AR_IS_TASK (self));
  self->copied = TRUE;
  g_free (self->copied_workspace);
  self->copied_workspace = g_strdup (workspace != NULL ? workspace : "");
  g_free (self->copied_workdir);
  self->copied_workdir = g_strdup (workdir != NULL ? workdir : "");
}
void
ar_task_set_error_message (ArTask *self, const char *v)
{
  g_return_if_fail (AR_IS_TASK (self));
  set_string (self, &self->error_message, v, PROP_ERROR_MESSAGE);
}

/* ---- GObject ------------------------------------------------------------ */

static void
ar_task_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArTask *self = AR_TASK (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_ENV_ID: g_value_set_string (value, self->env_id); break;
    case PROP_ENV_NAME: g_value_set_string (value, self->env_name); break;
    case PROP_PROMPT: g_value_set_string (value, self->prompt); break;
    case PROP_KIND: g_value_set_enum (value, self->kind); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_EXIT_STATUS: g_value_set_int (value, self->exit_status); break;
    case PROP_CREATED_AT: g_value_set_int64 (value, self->created_at); break;
    case PROP_STARTED_AT: g_value_set_int64 (value, self->started_at); break;
    case PROP_FINISHED_AT: g_value_set_int64 (value, self->finished_at); break;
    case PROP_DURATION: g_value_set_double (value, ar_task_get_duration (self)); break;
    case PROP_IMAGE: g_value_set_string (value, self->image); break;
    case PROP_LAYERS: g_value_set_string (value, self->layers); break;
    case PROP_CACHE_SUMMARY: g_value_set_string (value, self->cache_summary); break;
    case PROP_DESKTOP_URL: g_value_set_string (value, self->desktop_url); break;
    case PROP_CONTAINER_NAME: g_value_set_string (value, self->container_name); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_ENGINE: g_value_set_string (value, self->engine); break;
    case PROP_LOG_PATH: g_value_take_string (value, ar_task_dup_log_path (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_task_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ArTask *self = AR_TASK (object);

  switch (prop_id)
    {
    case PROP_STATE: ar_task_set_state (self, g_value_get_enum (value)); break;
    case PROP_EXIT_STATUS: ar_task_set_exit_status (self, g_value_get_int (value)); break;
    case PROP_STARTED_AT: ar_task_set_started_at (self, g_value_get_int64 (value)); break;
    case PROP_FINISHED_AT: ar_task_set_finished_at (self, g_value_get_int64 (value)); break;
    case PROP_IMAGE: ar_task_set_image (self, g_value_get_string (value)); break;
    case PROP_LAYERS: ar_task_set_layers (self, g_value_get_string (value)); break;
    case PROP_CACHE_SUMMARY: ar_task_set_cache_summary (self, g_value_get_string (value)); break;
    case PROP_DESKTOP_URL: ar_task_set_desktop_url (self, g_value_get_string (value)); break;
    case PROP_CONTAINER_NAME: ar_task_set_container_name (self, g_value_get_string (value)); break;
    case PROP_ERROR_MESSAGE: ar_task_set_error_message (self, g_value_get_string (value)); break;
    case PROP_ENGINE: ar_task_set_engine (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_task_finalize (GObject *object)
{
  ArTask *self = AR_TASK (object);

  ar_task_release_ownership (self);
  g_free (self->id);
  g_free (self->env_id);
  g_free (self->env_name);
  g_free (self->prompt);
  g_free (self->image);
  g_free (self->layers);
  g_free (self->cache_summary);
  g_free (self->desktop_url);
  g_free (self->container_name);
  g_free (self->error_message);
  g_free (self->engine);
  g_free (self->copied_workspace);
  g_free (self->copied_workdir);

  G_OBJECT_CLASS (ar_task_parent_class)->finalize (object);
}

static void
ar_task_class_init (ArTaskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = ar_task_get_property;
  object_class->set_property = ar_task_set_property;
  object_class->finalize = ar_task_finalize;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_ENV_ID] = g_param_spec_string ("env-id", NULL, NULL, NULL, ro);
  properties[PROP_ENV_NAME] = g_param_spec_string ("env-name", NULL, NULL, NULL, ro);
  properties[PROP_PROMPT] = g_param_spec_string ("prompt", NULL, NULL, NULL, ro);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, AR_TYPE_TASK_KIND, AR_TASK_KIND_TASK, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, AR_TYPE_TASK_STATE,
                                              AR_TASK_STATE_QUEUED, rw);
  properties[PROP_EXIT_STATUS] = g_param_spec_int ("exit-status", NULL, NULL, -1, G_MAXINT, -1, rw);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_STARTED_AT] = g_param_spec_int64 ("started-at", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_FINISHED_AT] = g_param_spec_int64 ("finished-at", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_DURATION] = g_param_spec_double ("duration", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_IMAGE] = g_param_spec_string ("image", NULL, NULL, "", rw);
  properties[PROP_LAYERS] = g_param_spec_string ("layers", NULL, NULL, "", rw);
  properties[PROP_CACHE_SUMMARY] = g_param_spec_string ("cache-summary", NULL, NULL, "", rw);
  properties[PROP_DESKTOP_URL] = g_param_spec_string ("desktop-url", NULL, NULL, "", rw);
  properties[PROP_CONTAINER_NAME] = g_param_spec_string ("container-name", NULL, NULL, "", rw);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, "", rw);
  properties[PROP_ENGINE] = g_param_spec_string ("engine", NULL, NULL, "", rw);
  properties[PROP_LOG_PATH] = g_param_spec_string ("log-path", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ar_task_init (ArTask *self)
{
  self->exit_status = -1;
  self->owner_fd = -1;
}
