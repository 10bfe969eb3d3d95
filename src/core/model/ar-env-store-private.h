/* ar-env-store-private.h — the parts of the environment store that
 * ar-env-store.c uses from its two helpers: the JSON document
 * (ar-env-store-json.c) and the file under it (ar-env-store-file.c).
 * Inside model/ only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ar-env-store.h"

G_BEGIN_DECLS

/* ---- ar-env-store-json.c ---- */

/* Reads an environments file (@disk NULL: there is none, an empty list)
 * into entries (ArEnvironment) and the unknown top-level keys, in file
 * order. File-level warnings are added to @warnings; entries carry their
 * own. FALSE with PARSE or SHAPE when it is not an environments file. */
gboolean ar_env_store_parse_document (const char *path,
                                      GBytes *disk,
                                      GPtrArray **out_items,
                                      JsonObject **out_top_extra,
                                      GPtrArray *warnings,
                                      GError **error);
/* The bytes of an environments file holding @items and @top_extra. */
char *ar_env_store_format_document (GPtrArray *items, JsonObject *top_extra, gsize *length);

/* ---- ar-env-store-file.c ---- */

/* @path with its symbolic links followed: saving writes next to the target
 * and leaves the link in place. */
char *ar_env_file_resolve_links (const char *path);
/* An flock on <target>.lock (@wait FALSE: -1 with no error when another
 * holds it); the file descriptor to close, or -1 with an IO error. */
int ar_env_file_take_lock (const char *target, gboolean wait, GError **error);
/* Removes the temp files a killed save left beside @target and beside
 * <@path>.bak, when nobody holds the lock. */
void ar_env_file_remove_stale_temps (const char *path, const char *target);
/* A temp file beside @target, fsync when @durable, rename over @target. */
gboolean ar_env_file_write_atomically (const char *target,
                                       const char *data,
                                       gsize length,
                                       gboolean durable,
                                       GError **error);
/* The file's bytes in *@disk; NULL when there is no file. */
gboolean ar_env_file_read (const char *target, GBytes **disk, GError **error);

G_END_DECLS
