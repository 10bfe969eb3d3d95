/* ar-env-store.h — environments.json load/save with migration (design.md §2.3, §2.4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ar-environment.h"
#include "ar-json.h"

G_BEGIN_DECLS

#define AR_ENV_STORE_FORMAT 2

#define AR_ENV_STORE_ERROR (ar_env_store_error_quark ())
GQuark ar_env_store_error_quark (void);

typedef enum {
  AR_ENV_STORE_ERROR_PARSE, /* not JSON: message has path, line and column */
  AR_ENV_STORE_ERROR_SHAPE, /* JSON, but not an environments file */
  AR_ENV_STORE_ERROR_IO,
  AR_ENV_STORE_ERROR_NOT_FOUND, /* no environment with that id or name */
  AR_ENV_STORE_ERROR_AMBIGUOUS, /* a name that several environments share */
  AR_ENV_STORE_ERROR_EXISTS,    /* an id that is already taken */
  AR_ENV_STORE_ERROR_REFUSED,   /* save after a failed load */
  AR_ENV_STORE_ERROR_CONFLICT,  /* another program changed the same entries */
} ArEnvStoreError;

/* A GListModel of ArEnvironment, in file order. */
#define AR_TYPE_ENV_STORE (ar_env_store_get_type ())
G_DECLARE_FINAL_TYPE (ArEnvStore, ar_env_store, AR, ENV_STORE, GObject)

/* path NULL = the default place (ar_paths_environments_file()). */
ArEnvStore *ar_env_store_new (const char *path);
const char *ar_env_store_get_path (ArEnvStore *self);

/* A missing file loads as an empty list. A malformed file is an error, the
 * list stays as it was, and save refuses until a later load succeeds or
 * ar_env_store_allow_overwrite() says the user decided. Also removes the
 * temp files a killed save left behind (when no save is running). An
 * entry that did not change keeps its ArEnvironment object. */
gboolean ar_env_store_load (ArEnvStore *self, GError **error);
/* The same from contents the caller read (data NULL: the file is gone),
 * for a window watching the file. Nothing happens when data is what this
 * store last read or wrote; *changed says whether the list was reloaded. */
gboolean ar_env_store_reload_data (ArEnvStore *self,
                                   const char *data,
                                   gsize length,
                                   gboolean *changed,
                                   GError **error);
/* Atomic: temp file beside the file (beside a symlink's target: the link
 * stays), fsync, rename; the previous file is kept as <path>.bak. Holds an
 * flock on <file>.lock throughout; when another program wrote the file
 * since this store read it, their changes and ours are merged per entry,
 * and an entry both sides changed fails with CONFLICT, writing nothing. */
gboolean ar_env_store_save (ArEnvStore *self, GError **error);
/* The same without blocking the caller's thread, which must run the
 * default main context: the list is serialised there when the save's turn
 * comes, the lock, the .bak and the writes with their fsyncs happen in a
 * worker thread, and a merge with another program's changes happens back
 * on the caller's thread before writing again. Saves run one at a time in
 * the order they were asked for. The cancellable only stops a save that
 * has not started writing. */
void ar_env_store_save_async (ArEnvStore *self,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean ar_env_store_save_finish (ArEnvStore *self,
                                   GAsyncResult *result,
                                   GError **error);
/* TRUE while an asynchronous save is queued or running (property
 * "saving"): a reader of the file waits for it. */
gboolean ar_env_store_get_saving (ArEnvStore *self);
/* Tests only: each asynchronous write waits this long first. */
void ar_env_store_set_save_delay (ArEnvStore *self, guint milliseconds);
/* Bumped each time the store reads or writes the file: a reader of the file
 * that started before a change compares it to know its bytes are stale. */
guint ar_env_store_get_disk_serial (ArEnvStore *self);
/* Tests and fuzzers only: skip fsync (on by default). */
void ar_env_store_set_durable (ArEnvStore *self, gboolean durable);
void ar_env_store_allow_overwrite (ArEnvStore *self);
/* The exact bytes save would write. */
char *ar_env_store_to_data (ArEnvStore *self, gsize *length);

/* File-level warnings from the last load (entries carry their own). */
GStrv ar_env_store_dup_warnings (ArEnvStore *self);

guint ar_env_store_get_n_environments (ArEnvStore *self);
ArEnvironment *ar_env_store_get_environment (ArEnvStore *self, guint position);
/* By id, else by exact name; NULL with NOT_FOUND or AMBIGUOUS. */
ArEnvironment *ar_env_store_lookup (ArEnvStore *self, const char *id_or_name, GError **error);
ArEnvironment *ar_env_store_find_by_id (ArEnvStore *self, const char *env_id);
/* Appends; fails with EXISTS when the id is taken. */
gboolean ar_env_store_add (ArEnvStore *self, ArEnvironment *env, GError **error);
/* Puts env in place of the entry with the same id, or appends. */
void ar_env_store_replace (ArEnvStore *self, ArEnvironment *env);
void ar_env_store_insert (ArEnvStore *self, guint position, ArEnvironment *env);
gboolean ar_env_store_remove (ArEnvStore *self, const char *env_id);

/* One entry <-> JSON, shared by the store, import and export.
 * `context` names the entry in warnings ("entry 3"). Warnings go on the
 * environment (ar_environment_dup_warnings). Never fails: a bad field keeps
 * its default and its raw value (§2.4). */
ArEnvironment *ar_env_entry_from_json (JsonObject *object, const char *context);
JsonObject *ar_env_entry_to_json (ArEnvironment *env);
/* One entry as pretty JSON text (two-space indent, trailing newline). */
char *ar_env_entry_to_string (ArEnvironment *env);

G_END_DECLS
