/* ar-cache-key.c — cache keys of the image layers (design.md §3.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-cache-key.h"

#include <stdlib.h>
#include <string.h>

/* clang-format off */
G_DEFINE_QUARK (ar-cache-key-error-quark, ar_cache_key_error)
/* clang-format on */

typedef struct {
  const char *name;
  char *digest;
} HashedFile;

const char *
ar_layer_kind_to_string (ArLayerKind layer)
{
  switch (layer)
    {
    case AR_LAYER_DESKTOP:
      return "desktop";
    case AR_LAYER_ENV:
      return "env";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ar_layer_kind_format (ArLayerKind layer)
{
  switch (layer)
    {
    case AR_LAYER_DESKTOP:
      return "agents-runner/desktop/1";
    case AR_LAYER_ENV:
      return "agents-runner/env/1";
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
put_record (GByteArray *out, const char *name, const void *value, gsize len)
{
  char length[24];
  int n;

  g_byte_array_append (out, (const guint8 *) name, strlen (name) + 1);
  n = g_snprintf (length, sizeof length, "%" G_GSIZE_FORMAT, len);
  g_byte_array_append (out, (const guint8 *) length, n + 1);
  if (len > 0)
    g_byte_array_append (out, value, len);
  g_byte_array_append (out, (const guint8 *) "\n", 1);
}

static void
put_string (GByteArray *out, const char *name, const char *value)
{
  value = value != NULL ? value : "";
  put_record (out, name, value, strlen (value));
}

static char *
sha256_bytes (GBytes *bytes)
{
  gsize len = 0;
  gconstpointer data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data != NULL ? data : (const guchar *) "", len);
}

static int
compare_hashed (gconstpointer a, gconstpointer b)
{
  const HashedFile *fa = a;
  const HashedFile *fb = b;
  int r = strcmp (fa->name, fb->name);

  return r != 0 ? r : strcmp (fa->digest, fb->digest);
}

/* The files with their digests, in canonical order. */
static HashedFile *
hash_files (const ArCacheKeyInputs *in)
{
  HashedFile *hashed = g_new0 (HashedFile, in->n_files + 1);

  for (gsize i = 0; i < in->n_files; i++)
    {
      hashed[i].name = in->files[i].name != NULL ? in->files[i].name : "";
      hashed[i].digest = sha256_bytes (in->files[i].contents);
    }
  qsort (hashed, in->n_files, sizeof *hashed, compare_hashed);
  return hashed;
}

static void
hashed_files_free (HashedFile *hashed)
{
  for (HashedFile *h = hashed; h->name != NULL; h++)
    g_free (h->digest);
  g_free (hashed);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HashedFile, hashed_files_free)

/* Appends the file/sha256 records of the files whose name starts with
 * @prefix (all of them for ""). */
static void
put_files (GByteArray *out, const HashedFile *hashed, const char *prefix)
{
  gsize prefix_len = strlen (prefix);

  for (const HashedFile *h = hashed; h->name != NULL; h++)
    {
      if (strncmp (h->name, prefix, prefix_len) != 0)
        continue;
      put_string (out, "file", h->name);
      put_string (out, "sha256", h->digest);
    }
}

static GByteArray *
encode (const ArCacheKeyInputs *in, const HashedFile *hashed)
{
  GByteArray *out = g_byte_array_sized_new (256 + (in->dockerfile != NULL ? strlen (in->dockerfile) : 0) + in->n_files * 128);

  put_string (out, "format", ar_layer_kind_format (in->layer));
  put_string (out, "layer", ar_layer_kind_to_string (in->layer));
  put_string (out, "parent", in->parent_id);
  put_string (out, "platform", in->platform);
  put_string (out, "build-user", in->build_user);
  put_string (out, "dockerfile", in->dockerfile);
  put_files (out, hashed, "");
  return out;
}

static char *
sha256_array (GByteArray *array)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, array->data, array->len);
}

GBytes *
ar_cache_key_encode (const ArCacheKeyInputs *in)
{
  g_autoptr(HashedFile) hashed = NULL;

  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (in->n_files == 0 || in->files != NULL, NULL);

  hashed = hash_files (in);
  return g_byte_array_free_to_bytes (encode (in, hashed));
}

char *
ar_cache_key_compute (const ArCacheKeyInputs *in)
{
  g_autoptr(HashedFile) hashed = NULL;
  g_autoptr(GByteArray) bytes = NULL;

  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (in->n_files == 0 || in->files != NULL, NULL);

  hashed = hash_files (in);
  bytes = encode (in, hashed);
  return sha256_array (bytes);
}

char *
ar_cache_key_tag (ArLayerKind layer, const char *key)
{
  g_return_val_if_fail (key != NULL && strlen (key) >= 16, NULL);

  return g_strdup_printf ("agents-runner-%s:%.16s", ar_layer_kind_to_string (layer), key);
}

static char *
digest_of_files (const HashedFile *hashed, const char *prefix)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  put_files (bytes, hashed, prefix);
  return sha256_array (bytes);
}

GStrv
ar_cache_key_labels (const ArCacheKeyInputs *in, const char *env_id, const char *created)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(HashedFile) hashed = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  g_autofree char *key = NULL;
  g_autofree char *dockerfile_sha = NULL;
  g_autofree char *context_sha = NULL;

  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (in->n_files == 0 || in->files != NULL, NULL);

  hashed = hash_files (in);
  bytes = encode (in, hashed);
  key = sha256_array (bytes);
  dockerfile_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, in->dockerfile != NULL ? in->dockerfile : "", -1);
  context_sha = digest_of_files (hashed, "");

#define ADD(name, value) g_ptr_array_add (labels, g_strconcat (name, "=", (value) != NULL ? (value) : "", NULL))
  ADD (AR_LABEL_LAYER, ar_layer_kind_to_string (in->layer));
  ADD (AR_LABEL_CACHE_KEY, key);
  ADD (AR_LABEL_PARENT, in->parent_id);
  if (in->layer == AR_LAYER_ENV && env_id != NULL)
    ADD (AR_LABEL_ENV_ID, env_id);
  ADD (AR_LABEL_FORMAT, ar_layer_kind_format (in->layer));
  if (created != NULL)
    ADD (AR_LABEL_CREATED, created);
  ADD (AR_LABEL_PLATFORM, in->platform);
  ADD (AR_LABEL_BUILD_USER, in->build_user);
  ADD (AR_LABEL_DOCKERFILE_SHA256, dockerfile_sha);
  ADD (AR_LABEL_CONTEXT_SHA256, context_sha);

  if (in->layer == AR_LAYER_ENV)
    {
      for (gsize i = 0; i < in->n_files; i++)
        {
          if (g_strcmp0 (in->files[i].name, AR_CONTEXT_ENV_SCRIPT) == 0)
            {
              g_autofree char *script_sha = sha256_bytes (in->files[i].contents);

              ADD (AR_LABEL_CACHED_PREFLIGHT_SHA256, script_sha);
              break;
            }
        }
    }
  else
    {
      g_autofree char *scripts_sha = digest_of_files (hashed, AR_CONTEXT_DESKTOP_DIR "/");

      ADD (AR_LABEL_DESKTOP_SCRIPTS_SHA256, scripts_sha);
    }
#undef ADD

  g_ptr_array_add (labels, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&labels), FALSE);
}

static void
context_file_clear (gpointer data)
{
  ArContextFile *file = data;

  g_free ((char *) file->name);
  g_clear_pointer (&file->contents, g_bytes_unref);
}

GArray *
ar_context_files_new (void)
{
  GArray *files = g_array_new (FALSE, TRUE, sizeof (ArContextFile));

  g_array_set_clear_func (files, context_file_clear);
  return files;
}

void
ar_context_files_add (GArray *files, const char *name, GBytes *contents)
{
  ArContextFile file;

  g_return_if_fail (files != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (contents != NULL);

  file.name = g_strdup (name);
  file.contents = g_bytes_ref (contents);
  g_array_append_val (files, file);
}

GArray *
ar_cache_key_env_layer_files (ArEnvironment *env)
{
  g_autoptr(GArray) files = ar_context_files_new ();
  g_autoptr(GBytes) script = NULL;
  const char *text;

  g_return_val_if_fail (AR_IS_ENVIRONMENT (env), NULL);

  text = ar_environment_get_cached_preflight_script (env);
  script = g_bytes_new (text, strlen (text));
  ar_context_files_add (files, AR_CONTEXT_ENV_SCRIPT, script);
  return g_steal_pointer (&files);
}

/* Deeper than any real scripts folder; stops a symbolic link loop. */
#define MAX_DEPTH 16

static gboolean
add_dir (GArray *files, GFile *dir, const char *prefix, int depth, GError **error)
{
  g_autoptr(GFileEnumerator) children = NULL;

  if (depth > MAX_DEPTH)
    {
      g_autofree char *path = g_file_get_path (dir);

      g_set_error (error, AR_CACHE_KEY_ERROR, AR_CACHE_KEY_ERROR_UNSUPPORTED_FILE,
                   "The desktop scripts folder is nested too deeply at “%s” "
                   "(a symbolic link that points to its own folder?)",
                   path);
      return FALSE;
    }

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NONE, NULL, error);
  if (children == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info = NULL;
      GFile *child = NULL;
      g_autofree char *name = NULL;

      if (!g_file_enumerator_iterate (children, &info, &child, NULL, error))
        return FALSE;
      if (info == NULL)
        break;

      name = g_strconcat (prefix, "/", g_file_info_get_name (info), NULL);
      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          if (!add_dir (files, child, name, depth + 1, error))
            return FALSE;
          break;

        case G_FILE_TYPE_REGULAR:
          {
            g_autoptr(GBytes) contents = g_file_load_bytes (child, NULL, NULL, error);

            if (contents == NULL)
              return FALSE;
            ar_context_files_add (files, name, contents);
          }
          break;

        default:
          {
            g_autofree char *path = g_file_get_path (child);

            g_set_error (error, AR_CACHE_KEY_ERROR, AR_CACHE_KEY_ERROR_UNSUPPORTED_FILE,
                         "“%s” in the desktop scripts folder is neither a file nor a folder; "
                         "remove it or choose another folder in Preferences",
                         path);
            return FALSE;
          }
        }
    }
  return TRUE;
}

GArray *
ar_cache_key_desktop_layer_files (const char *scripts_dir, GError **error)
{
  g_autoptr(GArray) files = ar_context_files_new ();
  g_autoptr(GFile) dir = NULL;

  g_return_val_if_fail (scripts_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_file_new_for_path (scripts_dir);
  if (!add_dir (files, dir, AR_CONTEXT_DESKTOP_DIR, 0, error))
    return NULL;
  return g_steal_pointer (&files);
}
