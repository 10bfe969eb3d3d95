/* ar-image-builder-private.h — what the parts of ArImageBuilder share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-image-builder.h"

G_BEGIN_DECLS

struct _ArImageBuilder {
  GObject parent_instance;

  ArEngine *engine;
  /* key → GPtrArray of the layer GTasks waiting for its build in this
   * process; a key is in the table while it is being built */
  GHashTable *building;
  GStrv extra_labels;
  char *scope_label;
};

/* What the layers of one resolve() or plan() share. */
typedef struct {
  ArEnvironment *env;
  ArSettings *settings;
  ArTaskLog *log;  /* NULL: nothing is logged (plan) */
  char *base_name; /* as resolved: the environment's or the Settings default */
  gboolean force;
  gboolean plan_only;
  gboolean pulled; /* a pull ran in this resolve */
} ArResolveCtx;

ArResolveCtx *ar_resolve_ctx_ref (ArResolveCtx *ctx);
void ar_resolve_ctx_unref (ArResolveCtx *ctx);
void ar_resolve_ctx_say (ArResolveCtx *ctx,
                         const char *scope,
                         ArLogLevel level,
                         const char *format,
                         ...) G_GNUC_PRINTF (4, 5);

void ar_layer_result_clear (ArLayerResult *layer);

/* An image ID without its "sha256:" (NULL: ""), and its first 12 digits,
 * as the engine shows them. */
const char *ar_image_bare_id (const char *id);
char *ar_image_short_id (const char *id);
/* The task log's scope of a layer: "image/desktop" or "image/env". */
const char *ar_layer_kind_scope (ArLayerKind layer);
/* What the task does at start instead when the layer is not in the image
 * (translated). */
const char *ar_layer_kind_fallback_text (ArLayerKind layer);

/* ar-image-layer.c: one layer from its inputs: key → present? (HIT) →
 * failed before? (SKIPPED) → wait for a build of the same key in this
 * process / take the key's lock → build (BUILT or FAILED). A plan stops
 * after the decision (HIT, SKIPPED or ABSENT with the reason). @parent_ref
 * is the local name FROM uses; @parent_id goes into the key. Fails only on
 * cancellation. */
void ar_image_layer_run_async (ArImageBuilder *self,
                               ArResolveCtx *ctx,
                               ArLayerKind layer,
                               const char *parent_ref,
                               const char *parent_id,
                               const char *build_user,
                               gboolean parent_is_base,
                               GArray *files,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
/* Moves the result into @out; @out_user gets the layer image's Config.User
 * when it is in the image. */
gboolean ar_image_layer_finish (GAsyncResult *result,
                                ArLayerResult *out,
                                char **out_user,
                                GError **error);

/* The pieces of a layer's build that the preflight build check
 * (ar-preflight-build-check.c) makes the same way. */

/* The build folder: a private folder (@pattern, "…-XXXXXX") with the
 * Dockerfile @dockerfile_text and the ArContextFile @files, all readable by
 * the build user. In the temporary folder, or inside Flatpak in the cache
 * folder (the CLI runs on the host, which sees that but not the app's
 * /tmp). */
char *ar_image_layer_make_context (ArEngine *engine,
                                   const char *pattern,
                                   const char *dockerfile_text,
                                   GArray *files,
                                   GError **error);
/* @dockerfile with LABEL lines: @early right after FROM (every image a
 * step makes carries them; NULL: all at the end), @late at the end. A
 * label whose value is not made of plain characters goes into @args as
 * `--label KEY=VALUE` instead. */
char *ar_image_layer_dockerfile_with_labels (const char *dockerfile,
                                             GPtrArray *early,
                                             GPtrArray *late,
                                             GPtrArray *args);
/* One line of build output (ANSI stripped): the image a step made
 * ("---> ID", podman "--> ID") is added to *@step_ids (made when NULL). */
void ar_image_layer_note_step_image (GPtrArray **step_ids, const char *line);
/* What removes the leftovers of a failed build: `image rm -- ID…` of
 * @step_ids, newest first, never the parent @parent_id the build started
 * FROM, NULL-terminated; NULL when there is nothing to remove, or on
 * podman (its own cleanup of a killed build races with a removal). */
GPtrArray *ar_image_layer_leftovers_argv (ArEngine *engine,
                                          GPtrArray *step_ids,
                                          const char *parent_id);

/* ar-image-miss.c: why a layer missed (§3.5), from the newest image of
 * the same environment and layer among @images (ArImageInfo with labels,
 * any order): the inputs that changed, "no image of this layer existed
 * yet", or that the image of this very key lost its tag. */
char *ar_image_layer_explain_miss (const ArCacheKeyInputs *in,
                                   ArEnvironment *env,
                                   const char *base_name,
                                   gboolean parent_is_base,
                                   gboolean pulled,
                                   GPtrArray *images);

G_END_DECLS
