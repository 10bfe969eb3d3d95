/* ar-engine.c — which engine, where it listens, and the query front door
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "ar-engine-private.h"

#define DEFAULT_DOCKER_SOCKET "/var/run/docker.sock"
#define FLATPAK_INFO_PATH "/.flatpak-info"

/* clang-format off */
G_DEFINE_QUARK (ar-engine-error-quark, ar_engine_error)
/* clang-format on */

G_DEFINE_FINAL_TYPE (ArEngine, ar_engine, G_TYPE_OBJECT)

/* ---- names -------------------------------------------------------------- */

char *
ar_engine_normalize_image_name (const char *name)
{
  const char *s = name;
  const char *last_slash;

  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_has_prefix (s, "localhost/"))
    s += strlen ("localhost/");
  else if (g_str_has_prefix (s, "docker.io/"))
    s += strlen ("docker.io/");
  else if (g_str_has_prefix (s, "index.docker.io/"))
    s += strlen ("index.docker.io/");

  /* "library/foo" is Docker Hub's spelling of "foo". */
  if (g_str_has_prefix (s, "library/") && strchr (s + strlen ("library/"), '/') == NULL)
    s += strlen ("library/");

  if (strchr (s, '@') != NULL)
    return g_strdup (s);
  last_slash = strrchr (s, '/');
  if (strchr (last_slash != NULL ? last_slash : s, ':') == NULL)
    return g_strconcat (s, ":latest", NULL);
  return g_strdup (s);
}

gboolean
ar_engine_check_image_reference (const char *ref, GError **error)
{
  static GRegex *grammar;

  if (g_once_init_enter (&grammar))
    {
#define COMPONENT "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
#define DOMAIN_PART "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
      GRegex *r = g_regex_new ("^(?:(?:sha256:)?[a-f0-9]{64}|"
                               "(?:" DOMAIN_PART "(?:\\." DOMAIN_PART ")*(?::[0-9]+)?/)?" COMPONENT "(?:/" COMPONENT ")*"
                               "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                               "(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?)$",
                               G_REGEX_OPTIMIZE | G_REGEX_DOLLAR_ENDONLY, 0, NULL);
#undef COMPONENT
#undef DOMAIN_PART
      g_once_init_leave (&grammar, r);
    }

  g_return_val_if_fail (ref != NULL, FALSE);
  if (strlen (ref) <= 255 + 1 + 128 + 1 + 160 && g_regex_match (grammar, ref, 0, NULL))
    return TRUE;
  g_set_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_BAD_REFERENCE,
               _ ("“%s” is not a valid image name: use lowercase letters, digits and . _ - between slashes, "
                  "then an optional :tag or @sha256:digest (for example ubuntu:24.04 or ghcr.io/owner/image:1)."),
               ref);
  return FALSE;
}

gboolean
ar_engine_image_names_equal (const char *a, const char *b)
{
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  na = ar_engine_normalize_image_name (a);
  nb = ar_engine_normalize_image_name (b);
  return g_str_equal (na, nb);
}

const char *
ar_engine_kind_to_string (ArEngineKind kind)
{
  switch (kind)
    {
    case AR_ENGINE_KIND_DOCKER:
      return "docker";
    case AR_ENGINE_KIND_PODMAN:
      return "podman";
    case AR_ENGINE_KIND_NONE:
    default:
      return "none";
    }
}

gboolean
ar_engine_detect_flatpak (const char *info_path)
{
  return info_path != NULL && g_file_test (info_path, G_FILE_TEST_EXISTS);
}

/* ---- the object --------------------------------------------------------- */

static void
ar_engine_finalize (GObject *object)
{
  ArEngine *self = AR_ENGINE (object);

  ar_engine_api_dispose (self);
  g_free (self->host_setting);
  g_free (self->env_docker_host);
  g_free (self->env_container_host);
  g_free (self->env_container_connection);
  g_free (self->folders_reason);
  g_free (self->flatpak_info_path);
  g_free (self->host);
  g_free (self->socket_path);
  g_free (self->api_version);

  G_OBJECT_CLASS (ar_engine_parent_class)->finalize (object);
}

static void
ar_engine_class_init (ArEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ar_engine_finalize;
}

static void
ar_engine_init (ArEngine *self)
{
  self->flatpak_info_path = g_strdup (FLATPAK_INFO_PATH);
}

ArEngine *
ar_engine_new (const char *kind, const char *host)
{
  ArEngine *self = g_object_new (AR_TYPE_ENGINE, NULL);

  if (g_strcmp0 (kind, "docker") == 0)
    self->requested_kind = AR_ENGINE_KIND_DOCKER;
  else if (g_strcmp0 (kind, "podman") == 0)
    self->requested_kind = AR_ENGINE_KIND_PODMAN;
  else
    self->requested_kind = AR_ENGINE_KIND_NONE;
  self->host_setting = g_strdup (host != NULL ? host : "");
  self->env_docker_host = g_strdup (g_getenv ("DOCKER_HOST"));
  self->env_container_host = g_strdup (g_getenv ("CONTAINER_HOST"));
  self->env_container_connection = g_strdup (g_getenv ("CONTAINER_CONNECTION"));
  self->env_docker_tls = (g_getenv ("DOCKER_TLS_VERIFY") != NULL && *g_getenv ("DOCKER_TLS_VERIFY") != '\0') ||
                         (g_getenv ("DOCKER_TLS") != NULL && *g_getenv ("DOCKER_TLS") != '\0');
  return self;
}

void
ar_engine_set_flatpak_info_path (ArEngine *self, const char *path)
{
  g_return_if_fail (AR_IS_ENGINE (self));

  g_free (self->flatpak_info_path);
  self->flatpak_info_path = g_strdup (path);
  self->resolved = FALSE;
  ar_engine_api_dispose (self);
}

static char *
docker_config_dir (void)
{
  const char *dir = g_getenv ("DOCKER_CONFIG");
  const char *home = g_getenv ("HOME");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  /* the docker CLI goes by $HOME, which may differ from GLib's idea */
  return g_build_filename (home != NULL && *home != '\0' ? home : g_get_home_dir (), ".docker", NULL);
}

static JsonObject *
load_json_object (const char *path, JsonParser *parser)
{
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

/* The host of the docker context in use (DOCKER_CONTEXT, else the config's
 * currentContext), read the way the docker CLI stores it; NULL = default.
 * *@out_name: the context's name; *@out_tls: whether it speaks TLS (TLS
 * material stored beside it, or SkipTLSVerify). */
static char *
docker_context_host (char **out_name, gboolean *out_tls)
{
  g_autofree char *config_dir = docker_config_dir ();
  g_autofree char *name = g_strdup (g_getenv ("DOCKER_CONTEXT"));
  g_autofree char *digest = NULL;
  g_autofree char *meta_path = NULL;
  g_autoptr(JsonParser) meta_parser = json_parser_new ();
  JsonObject *meta;
  JsonObject *docker;

  if (name == NULL || *name == '\0')
    {
      g_autofree char *config_path = g_build_filename (config_dir, "config.json", NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *config = load_json_object (config_path, parser);

      g_free (name);
      name = g_strdup (ar_engine_json_string (config, "currentContext"));
    }
  if (name == NULL || *name == '\0' || g_str_equal (name, "default"))
    return NULL;

  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  meta_path = g_build_filename (config_dir, "contexts", "meta", digest, "meta.json", NULL);
  meta = load_json_object (meta_path, meta_parser);
  docker = ar_engine_json_object_member (ar_engine_json_object_member (meta, "Endpoints"), "docker");
  if (out_tls != NULL)
    {
      g_autofree char *tls_dir = g_build_filename (config_dir, "contexts", "tls", digest, "docker", NULL);
      JsonNode *skip = docker != NULL ? json_object_get_member (docker, "SkipTLSVerify") : NULL;

      *out_tls = g_file_test (tls_dir, G_FILE_TEST_IS_DIR) ||
                 (skip != NULL && JSON_NODE_HOLDS_VALUE (skip) && json_node_get_value_type (skip) == G_TYPE_BOOLEAN &&
                  json_node_get_boolean (skip));
    }
  if (out_name != NULL)
    *out_name = g_strdup (name);
  g_debug ("docker context “%s” (%s): host %s", name,
           g_getenv ("DOCKER_CONTEXT") != NULL && *g_getenv ("DOCKER_CONTEXT") != '\0'
             ? "from DOCKER_CONTEXT"
             : "the current context in the docker config",
           ar_engine_json_string (docker, "Host") != NULL ? ar_engine_json_string (docker, "Host")
                                                          : "not found, so the default socket");
  return g_strdup (ar_engine_json_string (docker, "Host"));
}

static char *
podman_default_socket (void)
{
  if (geteuid () == 0)
    return g_strdup ("/run/podman/podman.sock");
  return g_build_filename (g_get_user_runtime_dir (), "podman", "podman.sock", NULL);
}

/* Whether a host URL names this machine's own socket or pipe. */
static gboolean
host_is_local (const char *host)
{
  return g_str_has_prefix (host, "unix://") || g_str_has_prefix (host, "npipe://") || g_str_has_prefix (host, "fd://");
}

/* design.md §9: whether the engine sees this computer's folders, and why. */
static void
resolve_folders (ArEngine *self, const char *host, const char *host_why, const char *context_name, gboolean context_tls)
{
  gboolean shared = TRUE;
  char *reason = NULL;

  self->unencrypted_tcp = FALSE;
  if (host != NULL && g_str_has_prefix (host, "tcp://"))
    self->unencrypted_tcp = self->kind == AR_ENGINE_KIND_PODMAN || (context_name != NULL ? !context_tls : !self->env_docker_tls);

  if (host != NULL && *host != '\0' && !host_is_local (host))
    {
      shared = FALSE;
      if (context_name != NULL)
        reason = g_strdup_printf ("remote context %s", context_name);
      else if (g_str_equal (host_why, "CONTAINER_HOST"))
        reason = g_strdup ("CONTAINER_HOST");
      else if (g_str_has_prefix (host, "tcp://"))
        reason = g_strdup ("tcp:// host");
      else if (g_str_has_prefix (host, "ssh://"))
        reason = g_strdup ("ssh:// host");
      else
        reason = g_strdup ("remote host");
    }
  else if (self->kind == AR_ENGINE_KIND_PODMAN && (host == NULL || *host == '\0') &&
           self->env_container_connection != NULL && *self->env_container_connection != '\0')
    {
      shared = FALSE;
      reason = g_strdup_printf ("remote connection %s", self->env_container_connection);
    }
  else if (host != NULL && g_str_has_prefix (host, "npipe://"))
    reason = g_strdup ("npipe:// pipe");
  else if (host != NULL && host_is_local (host))
    reason = g_strdup ("unix:// socket");
  else
    reason = g_strdup ("default socket");

  self->shares_folders = shared; /* AUTO's answer; the getters apply the preference */
  g_free (self->folders_reason);
  self->folders_reason = reason;
}

void
ar_engine_resolve (ArEngine *self)
{
  g_autofree char *context_host = NULL;
  g_autofree char *context_name = NULL;
  gboolean context_tls = FALSE;
  const char *host;
  const char *kind_why;
  const char *host_why;

  if (self->resolved)
    return;
  self->resolved = TRUE;

  self->in_flatpak = ar_engine_detect_flatpak (self->flatpak_info_path);

  /* Inside the sandbox the host's programs cannot be looked up without
   * running something there; Docker is the common case. */
  self->kind = self->requested_kind;
  kind_why = "as the settings ask";
  if (self->kind == AR_ENGINE_KIND_NONE)
    {
      g_autofree char *docker = NULL;
      g_autofree char *podman = NULL;

      if (self->in_flatpak || (docker = g_find_program_in_path ("docker")) != NULL)
        self->kind = AR_ENGINE_KIND_DOCKER;
      else if ((podman = g_find_program_in_path ("podman")) != NULL)
        self->kind = AR_ENGINE_KIND_PODMAN;
      kind_why = self->in_flatpak ? "inside Flatpak the host's programs cannot be looked up, so docker"
                 : docker != NULL ? "docker is in PATH"
                 : podman != NULL ? "no docker in PATH, podman is"
                                  : "neither docker nor podman is in PATH";
    }

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->socket_path, g_free);
  g_clear_pointer (&self->api_version, g_free);

  if (self->kind == AR_ENGINE_KIND_PODMAN)
    {
      /* CONTAINER_HOST is to podman what DOCKER_HOST is to docker: taken
       * here so that the API socket and the CLI speak to one engine. */
      if (*self->host_setting != '\0')
        self->host = g_strdup (self->host_setting);
      else if (self->env_container_host != NULL && *self->env_container_host != '\0')
        self->host = g_strdup (self->env_container_host);
      else
        self->host = g_strdup ("");
      host_why = *self->host_setting != '\0' ? "the engine host setting"
                 : *self->host != '\0'       ? "CONTAINER_HOST"
                                             : "none set: podman's default socket";
      if (*self->host == '\0')
        self->socket_path = podman_default_socket ();
    }
  else
    {
      if (*self->host_setting != '\0')
        self->host = g_strdup (self->host_setting);
      else if (self->env_docker_host != NULL && *self->env_docker_host != '\0')
        self->host = g_strdup (self->env_docker_host);
      else
        self->host = g_strdup ("");
      host_why = *self->host_setting != '\0' ? "the engine host setting"
                 : *self->host != '\0'       ? "DOCKER_HOST"
                                             : "none set";

      if (*self->host == '\0')
        {
          context_host = docker_context_host (&context_name, &context_tls);
          if (context_host == NULL)
            self->socket_path = g_strdup (DEFAULT_DOCKER_SOCKET);
          host_why = context_host != NULL ? "none set: the docker context's" : "none set: docker's default socket";
        }
    }

  host = *self->host != '\0' ? self->host : context_host;
  if (host != NULL && g_str_has_prefix (host, "unix://"))
    self->socket_path = g_strdup (host + strlen ("unix://"));
  resolve_folders (self, host, host_why, *self->host == '\0' ? context_name : NULL, context_tls);

  g_debug ("Engine: %s (%s); host %s (%s); API socket: %s; the CLI runs %s; this computer's folders: %s (%s)",
           ar_engine_kind_to_string (self->kind), kind_why,
           host != NULL && *host != '\0' ? host : "default", host_why,
           self->socket_path != NULL ? self->socket_path : "none (a TCP or ssh host), queries use the CLI",
           self->in_flatpak ? "on the host through flatpak-spawn --host (inside Flatpak)" : "here",
           ar_engine_shares_host_folders (self) ? "shared" : "not shared, files are copied",
           ar_engine_folders_reason (self));
}

gboolean
ar_engine_get_in_flatpak (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), FALSE);

  ar_engine_resolve (self);
  return self->in_flatpak;
}

ArEngineKind
ar_engine_get_kind (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), AR_ENGINE_KIND_NONE);

  ar_engine_resolve (self);
  return self->kind;
}

const char *
ar_engine_get_host (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  ar_engine_resolve (self);
  return self->host;
}

const char *
ar_engine_get_socket_path (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  ar_engine_resolve (self);
  return self->socket_path;
}

const char *
ar_engine_folders_to_string (ArEngineFolders folders)
{
  switch (folders)
    {
    case AR_ENGINE_FOLDERS_SHARED:
      return "shared";
    case AR_ENGINE_FOLDERS_NOT_SHARED:
      return "not-shared";
    case AR_ENGINE_FOLDERS_AUTO:
    default:
      return "auto";
    }
}

ArEngineFolders
ar_engine_folders_from_string (const char *str)
{
  if (g_strcmp0 (str, "shared") == 0)
    return AR_ENGINE_FOLDERS_SHARED;
  if (g_strcmp0 (str, "not-shared") == 0)
    return AR_ENGINE_FOLDERS_NOT_SHARED;
  return AR_ENGINE_FOLDERS_AUTO;
}

void
ar_engine_set_folders (ArEngine *self, ArEngineFolders folders)
{
  g_return_if_fail (AR_IS_ENGINE (self));

  self->folders = folders;
}

ArEngineFolders
ar_engine_get_folders (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), AR_ENGINE_FOLDERS_AUTO);

  return self->folders;
}

gboolean
ar_engine_shares_host_folders (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), TRUE);

  if (self->folders != AR_ENGINE_FOLDERS_AUTO)
    return self->folders == AR_ENGINE_FOLDERS_SHARED;
  ar_engine_resolve (self);
  return self->shares_folders;
}

const char *
ar_engine_folders_reason (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);

  if (self->folders != AR_ENGINE_FOLDERS_AUTO)
    return "preference";
  ar_engine_resolve (self);
  return self->folders_reason;
}

gboolean
ar_engine_is_unencrypted_tcp (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), FALSE);

  ar_engine_resolve (self);
  return self->unencrypted_tcp;
}

void
ar_engine_set_query_path (ArEngine *self, ArEngineQueryPath path)
{
  g_return_if_fail (AR_IS_ENGINE (self));

  self->query_path = path;
}

ArEngineQueryPath
ar_engine_get_query_path (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), AR_ENGINE_QUERY_PATH_AUTO);

  return self->query_path;
}

ArEngineQueryPath
ar_engine_get_last_query_path (ArEngine *self)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), AR_ENGINE_QUERY_PATH_AUTO);

  return self->last_path;
}

/* ---- errors ------------------------------------------------------------- */

/* Where the engine is, for messages. */
static char *
engine_location (ArEngine *self)
{
  if (*self->host != '\0')
    return g_strdup (self->host);
  if (self->socket_path != NULL)
    return g_strconcat ("unix://", self->socket_path, NULL);
  return g_strdup (_ ("its default address"));
}

GError *
ar_engine_unreachable_error (ArEngine *self)
{
  g_autofree char *where = NULL;

  ar_engine_resolve (self);
  where = engine_location (self);

  if (*self->host != '\0' && !g_str_has_prefix (self->host, "unix://"))
    return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_UNREACHABLE,
                        _ ("The container engine at %s does not answer: check that it runs and that this computer can reach it."),
                        where);
  if (self->kind == AR_ENGINE_KIND_PODMAN)
    return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_UNREACHABLE,
                        _ ("The Podman service at %s is not running: start the service: systemctl --user start podman.socket."),
                        where);
  return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_UNREACHABLE,
                      _ ("The Docker engine at %s is not running: start the service: sudo systemctl start docker."),
                      where);
}

GError *
ar_engine_permission_error (ArEngine *self)
{
  g_autofree char *where = NULL;

  ar_engine_resolve (self);
  where = engine_location (self);

  if (self->kind == AR_ENGINE_KIND_PODMAN)
    return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_PERMISSION_DENIED,
                        _ ("You may not use the Podman socket at %s: run Podman as your own user or fix the socket's permissions."),
                        where);
  return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_PERMISSION_DENIED,
                      _ ("You may not use the Docker socket at %s: add yourself to the docker group: sudo usermod -aG docker $USER, then log in again."),
                      where);
}

GError *
ar_engine_not_found_error (ArEngine *self)
{
  ar_engine_resolve (self);

  if (self->in_flatpak)
    return g_error_new (AR_ENGINE_ERROR, AR_ENGINE_ERROR_NOT_FOUND,
                        _ ("The %s command was not found on the host: install it there, for example: sudo apt install %s."),
                        self->kind == AR_ENGINE_KIND_PODMAN ? "podman" : "docker",
                        self->kind == AR_ENGINE_KIND_PODMAN ? "podman" : "docker.io");
  switch (self->kind)
    {
    case AR_ENGINE_KIND_DOCKER:
      return g_error_new_literal (AR_ENGINE_ERROR, AR_ENGINE_ERROR_NOT_FOUND,
                                  _ ("The docker command is not installed: install Docker, for example: sudo apt install docker.io."));
    case AR_ENGINE_KIND_PODMAN:
      return g_error_new_literal (AR_ENGINE_ERROR, AR_ENGINE_ERROR_NOT_FOUND,
                                  _ ("The podman command is not installed: install Podman, for example: sudo apt install podman."));
    case AR_ENGINE_KIND_NONE:
    default:
      return g_error_new_literal (AR_ENGINE_ERROR, AR_ENGINE_ERROR_NOT_FOUND,
                                  _ ("No container engine is installed: install Docker or Podman, for example: sudo apt install docker.io."));
    }
}

/* ---- queries: the API first, the CLI when the socket does not answer ---- */

typedef struct {
  ArEngineQuery query;
  char *arg;
  GError *api_error;
} QueryData;

/* For the debug messages: what a query asks. */
static const char *
query_name (ArEngineQuery query)
{
  switch (query)
    {
    case AR_ENGINE_QUERY_PING:
      return "ping";
    case AR_ENGINE_QUERY_INSPECT_IMAGE:
      return "inspect image";
    case AR_ENGINE_QUERY_LIST_IMAGES:
      return "list images";
    case AR_ENGINE_QUERY_LIST_CONTAINERS:
      return "list containers";
    default:
      return "query";
    }
}

static void
query_data_free (QueryData *data)
{
  g_free (data->arg);
  g_clear_error (&data->api_error);
  g_free (data);
}

static void
query_cli_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArEngine *self = AR_ENGINE (source);
  g_autoptr(GTask) task = user_data;
  QueryData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gpointer value;

  value = ar_engine_cli_query_finish (self, result, &error);
  if (error != NULL)
    {
      /* Without a CLI, why the socket failed is the more useful news. */
      if (data->api_error != NULL && g_error_matches (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_NOT_FOUND))
        g_task_return_error (task, g_steal_pointer (&data->api_error));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->last_path = AR_ENGINE_QUERY_PATH_CLI;
  g_task_return_pointer (task, value, ar_engine_query_result_free_func (data->query));
}

static void
query_start_cli (GTask *task)
{
  ArEngine *self = g_task_get_source_object (task);
  QueryData *data = g_task_get_task_data (task);

  ar_engine_cli_query_async (self, data->query, data->arg,
                             g_task_get_cancellable (task),
                             query_cli_done, task);
}

static void
query_api_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArEngine *self = AR_ENGINE (source);
  g_autoptr(GTask) task = user_data;
  QueryData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gpointer value;

  value = ar_engine_api_query_finish (self, result, &error);
  if (error == NULL)
    {
      self->last_path = AR_ENGINE_QUERY_PATH_API;
      g_task_return_pointer (task, value, ar_engine_query_result_free_func (data->query));
      return;
    }

  if (self->query_path == AR_ENGINE_QUERY_PATH_AUTO &&
      (g_error_matches (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_UNREACHABLE) ||
       g_error_matches (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_PERMISSION_DENIED)))
    {
      g_debug ("%s: the Engine API at %s did not answer (%s), so the CLI is asked instead",
               query_name (data->query), self->socket_path, error->message);
      data->api_error = g_steal_pointer (&error);
      query_start_cli (g_steal_pointer (&task));
      return;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
query_async (ArEngine *self,
             ArEngineQuery query,
             const char *arg,
             gpointer source_tag,
             GCancellable *cancellable,
             GAsyncReadyCallback callback,
             gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  QueryData *data;

  ar_engine_resolve (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  data = g_new0 (QueryData, 1);
  data->query = query;
  data->arg = g_strdup (arg);
  g_task_set_task_data (task, data, (GDestroyNotify) query_data_free);

  if (self->query_path != AR_ENGINE_QUERY_PATH_CLI && self->socket_path != NULL)
    {
      g_debug ("%s: through the Engine API at %s%s", query_name (query), self->socket_path,
               self->query_path == AR_ENGINE_QUERY_PATH_API ? " (API only)" : ", the CLI if it does not answer");
      ar_engine_api_query_async (self, query, arg, cancellable, query_api_done, g_steal_pointer (&task));
    }
  else if (self->query_path == AR_ENGINE_QUERY_PATH_API)
    {
      g_debug ("%s: API only, but there is no API socket for host %s", query_name (query), self->host);
      g_task_return_new_error (task, AR_ENGINE_ERROR, AR_ENGINE_ERROR_UNREACHABLE,
                               _ ("The container engine at %s has no API socket to ask."),
                               *self->host != '\0' ? self->host : _ ("its default address"));
    }
  else
    {
      g_debug ("%s: through the %s CLI (%s)", query_name (query), ar_engine_kind_to_string (self->kind),
               self->query_path == AR_ENGINE_QUERY_PATH_CLI ? "CLI only" : "no API socket for this host");
      query_start_cli (g_steal_pointer (&task));
    }
}

static gpointer
query_finish (ArEngine *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ar_engine_ping_async (ArEngine *self,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_return_if_fail (AR_IS_ENGINE (self));

  query_async (self, AR_ENGINE_QUERY_PING, NULL, ar_engine_ping_async,
               cancellable, callback, user_data);
}

gboolean
ar_engine_ping_finish (ArEngine *self, GAsyncResult *result, GError **error)
{
  return query_finish (self, result, ar_engine_ping_async, error) != NULL;
}

void
ar_engine_inspect_image_async (ArEngine *self,
                               const char *name,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GError *error = NULL;

  g_return_if_fail (AR_IS_ENGINE (self));
  g_return_if_fail (name != NULL);

  /* Before it becomes part of a URL path or a command line. */
  if (!ar_engine_check_image_reference (name, &error))
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, ar_engine_inspect_image_async);
      g_task_return_error (task, error);
      return;
    }
  query_async (self, AR_ENGINE_QUERY_INSPECT_IMAGE, name, ar_engine_inspect_image_async,
               cancellable, callback, user_data);
}

ArImageInfo *
ar_engine_inspect_image_finish (ArEngine *self, GAsyncResult *result, GError **error)
{
  return query_finish (self, result, ar_engine_inspect_image_async, error);
}

void
ar_engine_list_images_async (ArEngine *self,
                             const char *label,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (AR_IS_ENGINE (self));
  g_return_if_fail (label != NULL);

  query_async (self, AR_ENGINE_QUERY_LIST_IMAGES, label, ar_engine_list_images_async,
               cancellable, callback, user_data);
}

GPtrArray *
ar_engine_list_images_finish (ArEngine *self, GAsyncResult *result, GError **error)
{
  return query_finish (self, result, ar_engine_list_images_async, error);
}

void
ar_engine_list_containers_async (ArEngine *self,
                                 const char *label,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (AR_IS_ENGINE (self));
  g_return_if_fail (label != NULL);

  query_async (self, AR_ENGINE_QUERY_LIST_CONTAINERS, label, ar_engine_list_containers_async,
               cancellable, callback, user_data);
}

GPtrArray *
ar_engine_list_containers_finish (ArEngine *self, GAsyncResult *result, GError **error)
{
  return query_finish (self, result, ar_engine_list_containers_async, error);
}

/* ---- blocking variants -------------------------------------------------- */

/* A query's blocking form: the same query on a private main context. */
static gpointer
query_sync (ArEngine *self,
            ArEngineQuery query,
            const char *arg,
            gpointer source_tag,
            GCancellable *cancellable,
            GError **error)
{
  ArSyncWait wait;
  gpointer value;

  ar_sync_wait_begin (&wait);
  query_async (self, query, arg, source_tag, cancellable, ar_sync_wait_callback, &wait);
  value = query_finish (self, ar_sync_wait_run (&wait), source_tag, error);
  ar_sync_wait_end (&wait);
  return value;
}

gboolean
ar_engine_ping_sync (ArEngine *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), FALSE);

  return query_sync (self, AR_ENGINE_QUERY_PING, NULL, ar_engine_ping_async, cancellable, error) != NULL;
}

ArImageInfo *
ar_engine_inspect_image_sync (ArEngine *self,
                              const char *name,
                              GCancellable *cancellable,
                              GError **error)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  /* Before it becomes part of a URL path or a command line. */
  if (!ar_engine_check_image_reference (name, error))
    return NULL;
  return query_sync (self, AR_ENGINE_QUERY_INSPECT_IMAGE, name, ar_engine_inspect_image_async, cancellable, error);
}

GPtrArray *
ar_engine_list_images_sync (ArEngine *self,
                            const char *label,
                            GCancellable *cancellable,
                            GError **error)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  return query_sync (self, AR_ENGINE_QUERY_LIST_IMAGES, label, ar_engine_list_images_async, cancellable, error);
}

GPtrArray *
ar_engine_list_containers_sync (ArEngine *self,
                                const char *label,
                                GCancellable *cancellable,
                                GError **error)
{
  g_return_val_if_fail (AR_IS_ENGINE (self), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  return query_sync (self, AR_ENGINE_QUERY_LIST_CONTAINERS, label, ar_engine_list_containers_async,
                     cancellable, error);
}
