/* ar-image-builder.h — the layered cached images (design.md §3)
 *
 * base image → desktop layer (optional) → environment layer (optional).
 * For a snapshot of an environment, resolve() decides per layer from the
 * cache key whether the image is present (cache HIT) or must be built
 * (cache MISS, with the reason of §3.5), builds what is missing with one
 * build per key at a time (in-process waiters and a lock file in the cache
 * folder), and falls back honestly (§3.4) when a build fails: the result
 * says what the task must still do at start.
 *
 * The Dockerfile in a key is the generated text with `FROM <parent ID>`;
 * the file actually built names the same parent by a local name instead
 * (the desktop tag, or the base image's name, both just inspected to that
 * ID), because BuildKit cannot build FROM an ID (moby/buildkit#2204), and
 * ends with one LABEL line holding the labels (the legacy builder makes a
 * step of every --label). A renamed reference to the same image so keeps
 * its key. Builds run in a private temporary folder that is always
 * removed, with the Settings build timeout; "Rebuild" (force) builds with
 * --no-cache so that the scripts really run again.
 *
 * The images/ folder (this is its main header). Owns the cached images:
 * cache keys (ar-cache-key), the generated Dockerfile (ar-dockerfile),
 * resolve and plan (ar-image-builder), one layer's decision
 * (ar-image-layer) and its build (ar-image-layer-build), miss reasons
 * (ar-image-miss), the inventory of cached images (ar-image-inventory),
 * use counts and failure records (ar-image-stats), the build lock between
 * processes (ar-build-lock). May use: engine/ and model/; never tasks/,
 * cli/ or ui/. Log domain: agents-runner-images, and
 * G_MESSAGES_DEBUG=agents-runner-images shows why: each layer's cache
 * decision with its key and miss reason, each wait for another build, and
 * each fallback chosen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-cache-key.h"
#include "ar-engine.h"
#include "ar-environment.h"
#include "ar-image-stats.h"
#include "ar-settings.h"
#include "ar-task-log.h"

G_BEGIN_DECLS

#define AR_IMAGE_BUILDER_ERROR (ar_image_builder_error_quark ())
GQuark ar_image_builder_error_quark (void);

typedef enum {
  AR_IMAGE_BUILDER_ERROR_NO_BASE_IMAGE, /* absent and the pull policy / registry did not give it */
  AR_IMAGE_BUILDER_ERROR_BUILD_FAILED,  /* never returned by resolve(), which falls back instead:
                                         * the domain of a layer's unreadable inputs */
} ArImageBuilderError;

typedef enum {
  AR_LAYER_STATE_NOT_WANTED,            /* the environment does not ask for it */
  AR_LAYER_STATE_HIT,                   /* present before this task */
  AR_LAYER_STATE_BUILT,                 /* built for this task (a MISS) */
  AR_LAYER_STATE_FAILED,                /* build failed, timed out or was refused: fallback */
  AR_LAYER_STATE_SKIPPED_FAILED_BEFORE, /* the same key failed before: fallback without a build */
  AR_LAYER_STATE_ABSENT,                /* plan() only: not present; resolve() would build it */
} ArLayerState;

/* Labels the builder adds to the ones of ar_cache_key_labels(): the base
 * image's name as resolved (both layers), and the environment whose task
 * built the image (also on the shared desktop layer, where the env-id label
 * would claim it for one environment), so that a MISS can be compared with
 * the newest image of the same environment and layer (§3.5). */
#define AR_LABEL_BASE_IMAGE AR_LABEL_PREFIX "base-image"
#define AR_LABEL_BUILT_FOR AR_LABEL_PREFIX "built-for"
/* What the parent is: "base" or "desktop" (the environment layer can sit on
 * either). */
#define AR_LABEL_PARENT_LAYER AR_LABEL_PREFIX "parent-layer"
/* The install that built it (ar_paths_dup_install_id(), design.md §3.6): only
 * this install's images are ever called unused or pruned. Also on every
 * image a step of the build made, so that the leftovers of a failed build
 * are known as ours. */
#define AR_LABEL_INSTALL AR_LABEL_PREFIX "install"

/* "not-wanted", "hit", "built", "failed", "skipped-failed-before", "absent" */
const char *ar_layer_state_to_string (ArLayerState state);
/* "desktop layer", "environment layer": translated, for messages. */
const char *ar_layer_kind_display_name (ArLayerKind layer);

typedef struct {
  ArLayerKind layer;
  ArLayerState state;
  char *key;         /* full digest; NULL when not wanted */
  char *tag;         /* agents-runner-<layer>:<key16> */
  char *parent;      /* the parent image ID */
  char *miss_reason; /* §3.5, readable; NULL on a hit */
  /* Added for the task runner and the UI: */
  char *image_id;       /* the layer's image when it exists (HIT, BUILT; plan: present) */
  char *failure;        /* FAILED / SKIPPED_FAILED_BEFORE: why, one sentence */
  int exit_status;      /* FAILED: the build's exit status, -1 when it did not exit */
  double build_seconds; /* BUILT / FAILED: wall-clock time of the build */
} ArLayerResult;

/* TRUE when the layer's image exists for this task (HIT or BUILT). */
gboolean ar_layer_result_in_image (const ArLayerResult *layer);

typedef struct {
  char *base_image; /* the name resolved (environment's or Settings default) */
  char *base_image_id;
  char *base_user;     /* Config.User of the base, "" = root */
  char *runtime_image; /* what docker run uses: the best layer that exists */
  char *runtime_user;  /* Config.User of the runtime image */
  ArLayerResult desktop;
  ArLayerResult env;
  /* What the task must still do at start because a layer is not baked: */
  gboolean install_desktop_at_start;      /* desktop on but not in the image */
  gboolean run_cached_preflight_at_start; /* split mode, cached preflight not in the image */
  /* Added: */
  gboolean base_present; /* plan(): the base exists (resolve() always, or it fails) */
  gboolean base_pulled;  /* resolve(): a pull ran and gave the base */
} ArImageResolution;

/* "base NAME + desktop layer + environment layer": what the runtime image
 * has, for the line before `docker run`. */
char *ar_image_resolution_describe (const ArImageResolution *resolution);

/* What a task on @resolution found (design.md §3.6): HIT when every layer it
 * wanted was present before it, PARTIAL when some were, MISS when none
 * was. FALSE when it wanted no layer at all: such a task says nothing about
 * the cache and is not counted. */
gboolean ar_image_resolution_get_task_outcome (const ArImageResolution *resolution,
                                               ArTaskCacheOutcome *out_outcome);
/* Counts one task of @env on @resolution in the statistics of the state
 * folder; a failure to write them is a WARN in @log (may be NULL), never a
 * reason to fail the task. The task runner calls it once per task, after
 * resolve(); "Rebuild" and `image build` are not tasks. */
void ar_image_resolution_count_task (const ArImageResolution *resolution,
                                     ArEnvironment *env,
                                     ArTaskLog *log);

void ar_image_resolution_free (ArImageResolution *resolution);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArImageResolution, ar_image_resolution_free)

#define AR_TYPE_IMAGE_BUILDER (ar_image_builder_get_type ())
G_DECLARE_FINAL_TYPE (ArImageBuilder, ar_image_builder, AR, IMAGE_BUILDER, GObject)

/* One per process, shared by every task (it holds the in-process waiters). */
ArImageBuilder *ar_image_builder_new (ArEngine *engine);
ArEngine *ar_image_builder_get_engine (ArImageBuilder *self);

/* "KEY=VALUE" labels added to every image this builder builds (after the
 * cache labels). At construction they are the value of the environment
 * variable AR_TEST_RUN_LABEL, when set, so that tests can remove what they
 * built, even through the CLI. */
void ar_image_builder_set_extra_labels (ArImageBuilder *self, const char *const *labels);
/* "KEY=VALUE": list_cached() and prune() only see images that carry it
 * (NULL = all). Also taken from AR_TEST_RUN_LABEL at construction, so that a
 * test never removes images of other programs sharing the engine. */
void ar_image_builder_set_scope_label (ArImageBuilder *self, const char *label);
const char *ar_image_builder_get_scope_label (ArImageBuilder *self);

/* Makes sure the base exists (pull policy), then each wanted layer: key →
 * present? (log cache HIT) or build (log cache MISS + reason, stream the
 * build into log) → fallback on failure, logged at WARN with the build's
 * exit status and last lines. force = rebuild even when present or failed
 * before ("Rebuild", `image build --force`). log may be NULL. Fails only
 * when there is no base image to run at all (NO_BASE_IMAGE), when the
 * engine cannot be asked for it (AR_ENGINE_ERROR), or on cancellation. */
void ar_image_builder_resolve_async (ArImageBuilder *self,
                                     ArEnvironment *snapshot,
                                     const ArSettings *settings,
                                     ArTaskLog *log,
                                     gboolean force,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
ArImageResolution *ar_image_builder_resolve_finish (ArImageBuilder *self,
                                                    GAsyncResult *result,
                                                    GError **error);

/* Keys, tags and presence only: no pull, no build (for `image key`, the
 * UI's cache badge). Needs the base image present to know its ID; when it
 * is absent the result says so (base_image_id NULL, layers without keys).
 * Wanted layers are HIT (present), SKIPPED_FAILED_BEFORE, or ABSENT with
 * the miss_reason a build would log; the environment layer on top of an
 * absent desktop layer has no key yet (it covers that image's ID), so its
 * key and tag are NULL and the reason says why. runtime_image is the best
 * layer that exists now. */
void ar_image_builder_plan_async (ArImageBuilder *self,
                                  ArEnvironment *snapshot,
                                  const ArSettings *settings,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
ArImageResolution *ar_image_builder_plan_finish (ArImageBuilder *self,
                                                 GAsyncResult *result,
                                                 GError **error);

/* ---- housekeeping (§3.6) ------------------------------------------------ */

typedef struct {
  ArImageInfo *info; /* id, tags (may be none), size, created, labels */
  ArLayerKind layer;
  char *env_id;               /* env layer: its environment; desktop: NULL (shared) */
  char *built_for;            /* the environment whose task built it, "" when unknown */
  gint64 last_used;           /* unix seconds of the last HIT / build; 0 = never */
  char **wanted_by;           /* ids of the environments whose current configuration
                               * wants it (same cache key); never NULL */
  gboolean used_by_container; /* a container (any state) was created from it */
  char *install_id;           /* the install that built it (AR_LABEL_INSTALL); "" when unlabelled */
  gboolean ours;              /* built by this install: only these are ever unused */
  gboolean leftover;          /* no layer of its own: an untagged image a failed build of
                               * ours left (layer is meaningless then) */
} ArCachedImage;

void ar_cached_image_free (ArCachedImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArCachedImage, ar_cached_image_free)
/* Wanted by an environment, or used by a container. */
gboolean ar_cached_image_in_use (const ArCachedImage *image);
/* What prune() removes: this install's, and not in use. Another install's
 * image (another XDG_CONFIG_HOME, the Flatpak beside the native build) is
 * never unused here, whatever our environments want. */
gboolean ar_cached_image_is_unused (const ArCachedImage *image);

/* Every image with the layer label of §3.3 (agents-runner-desktop/env),
 * tagged or not, of every install, and the leftovers of this install's
 * failed builds (dangling images with its install label), newest first.
 * @environments (ArEnvironment) are the configurations that decide what is
 * still wanted (through plan()); every container of the engine, in any
 * state, protects its image. */
void ar_image_builder_list_cached_async (ArImageBuilder *self,
                                         GPtrArray *environments,
                                         const ArSettings *settings,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
/* ArCachedImage elements. */
GPtrArray *ar_image_builder_list_cached_finish (ArImageBuilder *self,
                                                GAsyncResult *result,
                                                GError **error);

/* Removes this install's cached images that are not in use (never one a
 * container uses, running or stopped, nor another install's), and the
 * leftovers of its failed builds; dry_run only lists them. Returns the images
 * removed (or that would be), ArCachedImage elements; failures to remove one
 * are reported as an error after trying the others. */
void ar_image_builder_prune_async (ArImageBuilder *self,
                                   GPtrArray *environments,
                                   const ArSettings *settings,
                                   gboolean dry_run,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
GPtrArray *ar_image_builder_prune_finish (ArImageBuilder *self,
                                          GAsyncResult *result,
                                          GError **error);

G_END_DECLS
