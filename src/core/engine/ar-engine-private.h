/* ar-engine-private.h — what the parts of ArEngine share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ar-engine.h"
#include "ar-util.h"

G_BEGIN_DECLS

typedef enum {
  AR_ENGINE_QUERY_PING,
  AR_ENGINE_QUERY_INSPECT_IMAGE,
  AR_ENGINE_QUERY_LIST_IMAGES,
  AR_ENGINE_QUERY_LIST_CONTAINERS,
} ArEngineQuery;

struct _ArEngine {
  GObject parent_instance;

  /* as asked for, and the environment captured at construction so that a
   * later change of DOCKER_HOST does not split the API and CLI paths */
  ArEngineKind requested_kind; /* NONE = auto */
  char *host_setting;
  char *env_docker_host;
  char *env_container_host;       /* podman's DOCKER_HOST */
  char *env_container_connection; /* a named podman connection */
  gboolean env_docker_tls;        /* DOCKER_TLS_VERIFY or DOCKER_TLS set */
  char *flatpak_info_path;
  ArEngineFolders folders;

  /* resolved on first use */
  gboolean resolved;
  gboolean in_flatpak;
  ArEngineKind kind;
  char *host;              /* "" = the CLI's default / context */
  char *socket_path;       /* NULL = CLI only */
  gboolean shares_folders; /* as AUTO decides */
  char *folders_reason;
  gboolean unencrypted_tcp;

  ArEngineQueryPath query_path;
  ArEngineQueryPath last_path;

  /* Engine API */
  SoupSession *session;
  char *api_version; /* "1.41", from GET /version */
};

void ar_engine_resolve (ArEngine *self);

/* The messages of design.md §9, one sentence each with the fix. */
GError *ar_engine_unreachable_error (ArEngine *self);
GError *ar_engine_permission_error (ArEngine *self);
GError *ar_engine_not_found_error (ArEngine *self);

/* ar-engine-info.c: both the API and `docker … inspect` shapes (and podman's). */
ArImageInfo *ar_image_info_from_json (JsonObject *obj);
ArContainerInfo *ar_container_info_from_json (JsonObject *obj);
void ar_engine_sort_images (GPtrArray *images);
void ar_engine_sort_containers (GPtrArray *containers);
GDestroyNotify ar_engine_query_result_free_func (ArEngineQuery query);
/* A member of @obj (NULL-safe) when it is a string / an object, else NULL. */
const char *ar_engine_json_string (JsonObject *obj, const char *member);
JsonObject *ar_engine_json_object_member (JsonObject *obj, const char *member);

/* ar-engine-api.c */
void ar_engine_api_query_async (ArEngine *self,
                                ArEngineQuery query,
                                const char *arg,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gpointer ar_engine_api_query_finish (ArEngine *self, GAsyncResult *result, GError **error);
void ar_engine_api_dispose (ArEngine *self);

/* ar-engine-cli.c */
void ar_engine_cli_query_async (ArEngine *self,
                                ArEngineQuery query,
                                const char *arg,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gpointer ar_engine_cli_query_finish (ArEngine *self, GAsyncResult *result, GError **error);

/* ar-engine-cli-argv.c */
/* The argv that runs the CLI with @args (@env_fd: inside Flatpak, through
 * the script that exports the lines on fd 3 first). */
GPtrArray *ar_engine_cli_build_argv (ArEngine *self, const char *const *args, gboolean env_fd);
/* A launcher whose environment points the CLI at this engine. */
GSubprocessLauncher *ar_engine_cli_new_launcher (ArEngine *self, GSubprocessFlags flags);
/* "docker run", "docker image inspect": what a message calls a command. */
char *ar_engine_cli_command_label (ArEngine *self, const char *const *args);
/* @args with a --cidfile of ours after "run" (a NULL-terminated array of
 * borrowed strings); *@cid_dir and *@cidfile are set for a `run` only. */
GPtrArray *ar_engine_cli_prepare_args (ArEngine *self,
                                       const char *const *args,
                                       char **cid_dir,
                                       char **cidfile,
                                       GError **error);
/* NAME=VALUE for the container, into the launcher's environment (inside
 * Flatpak: onto fd 3); refuses names that would steer the CLI itself. */
gboolean ar_engine_cli_setup_extra_env (ArEngine *self,
                                        GSubprocessLauncher *launcher,
                                        const char *const *extra_env,
                                        GError **error);

G_END_DECLS
