/* ar-engine.h — the container engine, the one object the app asks (design.md §9)
 *
 * Builds, runs and stops go through the engine's CLI (docker or podman) with
 * GSubprocess; queries go to the Engine API over its unix socket when it
 * answers and through the CLI otherwise, with the same normalized results.
 *
 * The engine/ folder (this is its main header). Owns ArEngine (ar-engine.c:
 * which engine and host, the query front door and its fallback), its two
 * transports: the docker or podman CLI (ar-engine-cli.c runs it,
 * ar-engine-cli-argv.c builds its command line, ar-engine-cli-query.c asks
 * through it) and the Engine API over the unix socket (ar-engine-api.c),
 * and the answers both give (ar-engine-info.c). May use: model/ only. Used
 * by images/, tasks/, cli/ and ui/. Log domain: agents-runner-engine;
 * G_MESSAGES_DEBUG=agents-runner-engine says which engine, host and
 * transport were chosen and why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AR_ENGINE_ERROR (ar_engine_error_quark ())
GQuark ar_engine_error_quark (void);

typedef enum {
  AR_ENGINE_ERROR_NOT_FOUND,         /* no docker / podman program */
  AR_ENGINE_ERROR_UNREACHABLE,       /* the daemon does not answer */
  AR_ENGINE_ERROR_PERMISSION_DENIED, /* no access to its socket */
  AR_ENGINE_ERROR_TIMEOUT,           /* a command ran out of time and was stopped */
  AR_ENGINE_ERROR_FAILED,            /* the engine refused or a command failed */
  AR_ENGINE_ERROR_BAD_REFERENCE,     /* not an image name, tag, digest or id */
} ArEngineError;

typedef enum {
  AR_ENGINE_KIND_NONE, /* nothing installed */
  AR_ENGINE_KIND_DOCKER,
  AR_ENGINE_KIND_PODMAN,
} ArEngineKind;

typedef enum {
  AR_ENGINE_QUERY_PATH_AUTO, /* API when the socket answers, else CLI; also "no query yet" */
  AR_ENGINE_QUERY_PATH_API,
  AR_ENGINE_QUERY_PATH_CLI,
} ArEngineQueryPath;

typedef enum {
  AR_ENGINE_STREAM_STDOUT,
  AR_ENGINE_STREAM_STDERR,
} ArEngineStream;

/* Output is split into lines at "\n", "\r\n" and a lone "\r" (a progress
 * update, which a terminal would overwrite with the next). */
#define AR_ENGINE_MAX_LINE_BYTES (64 * 1024)

/* One line of output (without its line end, valid UTF-8) as it arrives.
 * A line longer than AR_ENGINE_MAX_LINE_BYTES arrives cut there, with a
 * marker saying how many bytes are missing; of a run of "\r" updates only
 * the last arrives, when a "\n" line or the end of the output follows. */
typedef void (*ArEngineLineFunc) (ArEngineStream stream,
                                  const char *line,
                                  gpointer user_data);

typedef enum {
  AR_ENGINE_LINE_CONTINUES, /* more of this line follows */
  AR_ENGINE_LINE_NEWLINE,   /* ended by "\n", "\r\n" or the end of the output */
  AR_ENGINE_LINE_RETURN,    /* ended by a lone "\r" */
} ArEngineLineEnd;

/* All of the output as it arrives, in pieces (valid UTF-8, no line end
 * inside) of at most AR_ENGINE_MAX_LINE_BYTES: what a log file keeps
 * whole while memory stays bounded. */
typedef void (*ArEnginePieceFunc) (ArEngineStream stream,
                                   const char *text,
                                   gsize len,
                                   ArEngineLineEnd end,
                                   gpointer user_data);

/* Reads `in` to its end, handing its output on as ArEnginePieceFunc says:
 * split at "\n", "\r\n" and a lone "\r", a line longer than
 * AR_ENGINE_MAX_LINE_BYTES in pieces, made valid UTF-8, read in batches
 * below GTK's redraw priority; memory bounded whatever comes. What the
 * engine CLI's output and a git clone's go through. Finishes at the end of
 * the stream, or on an error or cancellation (after what came so far). */
void ar_engine_read_pieces_async (GInputStream *in,
                                  ArEngineStream stream,
                                  ArEnginePieceFunc on_piece,
                                  gpointer piece_data,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean ar_engine_read_pieces_finish (GAsyncResult *result, GError **error);

typedef struct {
  char *id;           /* "sha256:<hex>" */
  char **repo_tags;   /* as the engine names them (podman: "localhost/…"); never NULL */
  char *user;         /* Config.User, "" when unset; NULL in list results */
  gint64 size;        /* bytes */
  gint64 created;     /* unix seconds */
  GHashTable *labels; /* char* → char*; never NULL */
} ArImageInfo;

typedef struct {
  char *id;           /* full hex id */
  char **names;       /* without the leading "/"; never NULL */
  char *image;        /* the reference it was created from, or the image id
                       * when that reference now names another image */
  char *image_id;     /* "sha256:<hex>" */
  char *state;        /* "created", "running", "exited", … */
  gint64 created;     /* unix seconds */
  GHashTable *labels; /* char* → char*; never NULL */
} ArContainerInfo;

void ar_image_info_free (ArImageInfo *info);
const char *ar_image_info_get_label (const ArImageInfo *info, const char *key);
/* Whether one of its tags names `name` (compared normalized). */
gboolean ar_image_info_has_tag (const ArImageInfo *info, const char *name);
void ar_container_info_free (ArContainerInfo *info);
const char *ar_container_info_get_label (const ArContainerInfo *info, const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArImageInfo, ar_image_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArContainerInfo, ar_container_info_free)

/* "localhost/foo:1", "docker.io/library/foo:1" and "foo:1" all become
 * "foo:1"; a missing tag becomes ":latest" (not for digests). */
char *ar_engine_normalize_image_name (const char *name);
gboolean ar_engine_image_names_equal (const char *a, const char *b);

/* Whether `ref` is an image reference in Docker's grammar —
 * [host[:port]/]component(/component)*[:tag][@algo:hex], each component
 * [a-z0-9]+ joined by ".", "_", "__" or "-"s — or an image id (64 hex, or
 * "sha256:" and 64 hex). Nothing else (no "..", "%", "?", "#", spaces, a
 * leading "/" or "-") goes into an API path or a command line. */
gboolean ar_engine_check_image_reference (const char *ref, GError **error);

/* Whether the file that marks a Flatpak sandbox exists at `info_path`
 * (normally "/.flatpak-info"). */
gboolean ar_engine_detect_flatpak (const char *info_path);

const char *ar_engine_kind_to_string (ArEngineKind kind);

#define AR_TYPE_ENGINE (ar_engine_get_type ())
G_DECLARE_FINAL_TYPE (ArEngine, ar_engine, AR, ENGINE, GObject)

/* kind: "auto", "docker" or "podman"; host: "" or NULL = the CLI's own
 * DOCKER_HOST / context. Never probes: nothing runs until first use. */
ArEngine *ar_engine_new (const char *kind, const char *host);

/* Where to look for the Flatpak marker (tests); call before first use. */
void ar_engine_set_flatpak_info_path (ArEngine *self, const char *path);
gboolean ar_engine_get_in_flatpak (ArEngine *self);

/* The engine actually used: the requested one, or for "auto" docker when
 * installed, else podman (inside Flatpak "auto" means docker). */
ArEngineKind ar_engine_get_kind (ArEngine *self);
/* The host the CLI talks to ("" = its default / context). */
const char *ar_engine_get_host (ArEngine *self);
/* The Engine API socket queries try first; NULL = CLI only (tcp://, ssh://). */
const char *ar_engine_get_socket_path (ArEngine *self);
/* "docker", "podman", or "flatpak-spawn" inside Flatpak. */
const char *ar_engine_get_cli_argv0 (ArEngine *self);
/* The full argv a CLI run of `args` uses (without any secret). */
char **ar_engine_build_argv (ArEngine *self, const char *const *args);

/* Whether the engine sees this computer's folders (design.md §9): AUTO
 * decides by where the engine is; the other two are the user's word. */
typedef enum {
  AR_ENGINE_FOLDERS_AUTO,
  AR_ENGINE_FOLDERS_SHARED,
  AR_ENGINE_FOLDERS_NOT_SHARED,
} ArEngineFolders;

const char *ar_engine_folders_to_string (ArEngineFolders folders);
/* "auto", "shared", "not-shared" (the settings key engine-folders); AUTO
 * for anything else. */
ArEngineFolders ar_engine_folders_from_string (const char *str);

void ar_engine_set_folders (ArEngine *self, ArEngineFolders folders);
ArEngineFolders ar_engine_get_folders (ArEngine *self);
/* The decision: whether a path of this computer given to the engine (a
 * bind mount) is the same folder there. AUTO: not for a tcp:// or ssh://
 * host (the engine host setting, else DOCKER_HOST for docker or
 * CONTAINER_HOST for podman), a docker context whose endpoint is not a
 * unix:// socket, or a podman connection (CONTAINER_CONNECTION); yes for a
 * unix:// socket or a named pipe, and by default. */
gboolean ar_engine_shares_host_folders (ArEngine *self);
/* Why, for the log (not translated): "tcp:// host", "ssh:// host",
 * "remote context NAME", "CONTAINER_HOST", "remote connection NAME",
 * "preference", "unix:// socket", "default socket", … */
const char *ar_engine_folders_reason (ArEngine *self);
/* Whether the CLI reaches the engine over plain tcp:// without TLS (no
 * DOCKER_TLS_VERIFY / DOCKER_TLS, no TLS material in the context): what
 * goes to the engine (files copied in, variables) travels unencrypted. */
gboolean ar_engine_is_unencrypted_tcp (ArEngine *self);

void ar_engine_set_query_path (ArEngine *self, ArEngineQueryPath path);
ArEngineQueryPath ar_engine_get_query_path (ArEngine *self);
/* The path the last finished query took (AUTO = none yet). */
ArEngineQueryPath ar_engine_get_last_query_path (ArEngine *self);

/* ---- the CLI ----------------------------------------------------------- */

/* Runs the engine CLI with `args` (without the program name). extra_env
 * ("NAME=VALUE", may be NULL) is added to the CLI's own environment: this is
 * how secrets travel (`-e NAME` in args), never argv. Lines of stdout and
 * stderr reach on_line as they arrive. timeout_seconds (0 = none) and
 * cancellation stop the CLI (SIGTERM, SIGKILL after a grace period), remove
 * the container of a `run`, and wait for all of it before finishing. */
void ar_engine_run_cli_async (ArEngine *self,
                              const char *const *args,
                              const char *const *extra_env,
                              ArEngineLineFunc on_line,
                              gpointer line_data,
                              guint timeout_seconds,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
/* The same with the output in pieces: nothing is cut or dropped. */
void ar_engine_run_cli_pieces_async (ArEngine *self,
                                     const char *const *args,
                                     const char *const *extra_env,
                                     ArEnginePieceFunc on_piece,
                                     gpointer piece_data,
                                     guint timeout_seconds,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
/* The same with a terminal (the slave side of a pseudo-terminal) as the
 * CLI's stdin, stdout, stderr and controlling terminal: for `run -i -t`.
 * Its output goes to the terminal, whose owner reads it from the master
 * side; no timeout. The fd stays the caller's. `run` and `attach` get
 * --sig-proxy=false: the terminal's hang-up (the app gone) does not reach
 * the container. Finish with ar_engine_run_cli_finish(). */
void ar_engine_run_cli_tty_async (ArEngine *self,
                                  const char *const *args,
                                  const char *const *extra_env,
                                  int tty_fd,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
/* Whether the engine CLI (docker, podman, their Go runtime, ssh for an
 * ssh:// host, the Flatpak wrapper's shell) reads a variable of this name
 * itself: where it connects, which storage, agent or libraries it uses.
 * Such a name in extra_env is refused: a value meant for the container
 * must not steer the CLI (it goes in an --env-file instead). */
gboolean ar_engine_env_name_steers_cli (const char *name);
/* The exit status (128 + signal when killed by one), or -1 with error.
 * stderr_tail (may be NULL) gets the last lines of stderr. */
int ar_engine_run_cli_finish (ArEngine *self,
                              GAsyncResult *result,
                              char **stderr_tail,
                              GError **error);
/* The same, blocking, capturing stdout and stderr (both may be NULL). */
int ar_engine_run_cli_sync (ArEngine *self,
                            const char *const *args,
                            const char *const *extra_env,
                            guint timeout_seconds,
                            GCancellable *cancellable,
                            char **out_stdout,
                            char **out_stderr,
                            GError **error);
/* The error for a CLI run of `args` that exited with `exit_status`:
 * UNREACHABLE / PERMISSION_DENIED when stderr says so, else FAILED. */
GError *ar_engine_cli_error_new (ArEngine *self,
                                 const char *const *args,
                                 int exit_status,
                                 const char *stderr_text);

/* ---- queries ----------------------------------------------------------- */

void ar_engine_ping_async (ArEngine *self,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
gboolean ar_engine_ping_finish (ArEngine *self, GAsyncResult *result, GError **error);
gboolean ar_engine_ping_sync (ArEngine *self, GCancellable *cancellable, GError **error);

/* NULL without an error when there is no such image. */
void ar_engine_inspect_image_async (ArEngine *self,
                                    const char *name,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
ArImageInfo *ar_engine_inspect_image_finish (ArEngine *self,
                                             GAsyncResult *result,
                                             GError **error);
ArImageInfo *ar_engine_inspect_image_sync (ArEngine *self,
                                           const char *name,
                                           GCancellable *cancellable,
                                           GError **error);

/* label: "KEY" or "KEY=VALUE". Results (ArImageInfo, user NULL) newest first. */
void ar_engine_list_images_async (ArEngine *self,
                                  const char *label,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
GPtrArray *ar_engine_list_images_finish (ArEngine *self,
                                         GAsyncResult *result,
                                         GError **error);
GPtrArray *ar_engine_list_images_sync (ArEngine *self,
                                       const char *label,
                                       GCancellable *cancellable,
                                       GError **error);

/* All states. Results (ArContainerInfo) newest first. */
void ar_engine_list_containers_async (ArEngine *self,
                                      const char *label,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
GPtrArray *ar_engine_list_containers_finish (ArEngine *self,
                                             GAsyncResult *result,
                                             GError **error);
GPtrArray *ar_engine_list_containers_sync (ArEngine *self,
                                           const char *label,
                                           GCancellable *cancellable,
                                           GError **error);

G_END_DECLS
