/* ar-cache-key.h — cache keys of the image layers (design.md §3.2)
 *
 * A key is the lowercase hex SHA-256 of a canonical byte string that holds
 * every input of a layer. The encoding, version 1 (the `format` value), is a
 * sequence of records, each
 *
 *     <name> NUL <length> NUL <value> LF
 *
 * where <name> is the ASCII field name below, <length> is the byte length of
 * <value> in decimal ASCII (no sign, no leading zeros, "0" when empty) and
 * <value> is the raw bytes. Because every value is length-prefixed, no choice
 * of values can move a field boundary. The records come in this fixed order:
 *
 *     format      "agents-runner/desktop/1" or "agents-runner/env/1"
 *     layer       "desktop" or "env"
 *     parent      the parent's image ID as given (for example "sha256:<64 hex>")
 *     platform    for example "linux/amd64"; empty when not forced
 *     build-user  the parent's Config.User; empty means root
 *     dockerfile  the exact Dockerfile text the builder uses
 *
 * then, for each context file, sorted by name (bytewise, as strcmp; equal
 * names by digest), two records:
 *
 *     file        the file's path inside the build context ("cached-preflight.sh",
 *                 "desktop/install.sh", ...)
 *     sha256      the lowercase hex SHA-256 of the file's contents (64 bytes)
 *
 * NULL strings encode as empty values. The Dockerfile itself is not a context
 * file: it has its own record. Example for an env layer with one script:
 *
 *     printf 'format\0%s\0%s\n' 19 agents-runner/env/1
 *     printf 'layer\0%s\0%s\n' 3 env
 *     ...
 *     printf 'file\0%s\0%s\n' 19 cached-preflight.sh
 *     printf 'sha256\0%s\0%s\n' 64 "$(printf '%s' "$SCRIPT" | sha256sum | cut -c1-64)"
 *
 * piped together into `sha256sum` gives the key (tests/test-cache-key.c has a
 * complete known-answer example).
 *
 * Not in any key: the run preflight, env vars, mounts, ports, the agent and
 * the prompt — changing those rebuilds nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-environment.h"

G_BEGIN_DECLS

typedef enum {
  AR_LAYER_DESKTOP,
  AR_LAYER_ENV,
} ArLayerKind;

#define AR_LABEL_PREFIX "io.github.agents-runner."

/* Labels on every built image (design.md §3.3, §3.5). */
#define AR_LABEL_LAYER AR_LABEL_PREFIX "layer"
#define AR_LABEL_CACHE_KEY AR_LABEL_PREFIX "cache-key"
#define AR_LABEL_PARENT AR_LABEL_PREFIX "parent"
#define AR_LABEL_ENV_ID AR_LABEL_PREFIX "env-id"
#define AR_LABEL_FORMAT AR_LABEL_PREFIX "format"
#define AR_LABEL_CREATED AR_LABEL_PREFIX "created"
#define AR_LABEL_PLATFORM AR_LABEL_PREFIX "platform"
#define AR_LABEL_BUILD_USER AR_LABEL_PREFIX "build-user"
#define AR_LABEL_DOCKERFILE_SHA256 AR_LABEL_PREFIX "dockerfile-sha256"
#define AR_LABEL_CONTEXT_SHA256 AR_LABEL_PREFIX "context-sha256"
#define AR_LABEL_CACHED_PREFLIGHT_SHA256 AR_LABEL_PREFIX "cached-preflight-sha256"
#define AR_LABEL_DESKTOP_SCRIPTS_SHA256 AR_LABEL_PREFIX "desktop-scripts-sha256"

/* Names inside the build context. The builder writes exactly the files it
 * hashed (mode 0644), so the key covers every byte the build can see. */
#define AR_CONTEXT_ENV_SCRIPT "cached-preflight.sh"
#define AR_CONTEXT_DESKTOP_DIR "desktop"
#define AR_CONTEXT_DESKTOP_ENTRY "install.sh"

#define AR_CACHE_KEY_ERROR (ar_cache_key_error_quark ())

typedef enum {
  AR_CACHE_KEY_ERROR_UNSUPPORTED_FILE,
} ArCacheKeyError;

GQuark ar_cache_key_error_quark (void);

/* "desktop", "env" */
const char *ar_layer_kind_to_string (ArLayerKind layer);
/* "agents-runner/desktop/1", "agents-runner/env/1" */
const char *ar_layer_kind_format (ArLayerKind layer);

typedef struct {
  const char *name;
  GBytes *contents;
} ArContextFile;

typedef struct {
  ArLayerKind layer;
  const char *parent_id;
  const char *platform;
  const char *dockerfile;
  const ArContextFile *files;
  gsize n_files;
  const char *build_user;
} ArCacheKeyInputs;

/* 64 lowercase hex digits. The files may come in any order. */
char *ar_cache_key_compute (const ArCacheKeyInputs *in);
/* The canonical byte string described above. */
GBytes *ar_cache_key_encode (const ArCacheKeyInputs *in);
/* "agents-runner-desktop:<first 16 hex>" / "agents-runner-env:<first 16 hex>" */
char *ar_cache_key_tag (ArLayerKind layer, const char *key);

/* The labels of an image built from @in, as "name=value" strings for
 * `docker build --label`: layer, cache-key, parent, env-id (env layer, when
 * @env_id is not NULL), format, created (@created, ISO-8601 UTC, when not
 * NULL), platform, build-user, dockerfile-sha256, context-sha256 (SHA-256 of
 * the file/sha256 records of the encoding), and cached-preflight-sha256 (env
 * layer: the contents of AR_CONTEXT_ENV_SCRIPT) or desktop-scripts-sha256
 * (desktop layer: SHA-256 of the records of the files under "desktop/").
 * The key label cannot be in the Dockerfile, whose text is part of the key. */
GStrv ar_cache_key_labels (const ArCacheKeyInputs *in,
                           const char *env_id,
                           const char *created);

/* Arrays of ArContextFile that own their names and contents; free with
 * g_array_unref (g_autoptr (GArray) works). */
GArray *ar_context_files_new (void);
void ar_context_files_add (GArray *files, const char *name, GBytes *contents);

/* The environment layer's context: AR_CONTEXT_ENV_SCRIPT holding the cached
 * preflight byte for byte. Nothing else of @env goes into the layer. */
GArray *ar_cache_key_env_layer_files (ArEnvironment *env);

/* The desktop layer's context: every file under @scripts_dir, recursively,
 * named "desktop/<relative path>". Symbolic links are followed; anything
 * that is neither a regular file nor a folder is an error. */
GArray *ar_cache_key_desktop_layer_files (const char *scripts_dir, GError **error);

G_END_DECLS
