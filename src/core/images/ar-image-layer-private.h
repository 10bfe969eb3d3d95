/* ar-image-layer-private.h — what the decision about one layer
 * (ar-image-layer.c) and its build (ar-image-layer-build.c) share: the
 * operation and the ways it ends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-build-lock.h"
#include "ar-image-builder-private.h"

G_BEGIN_DECLS

/* Lines of build output kept for the WARN of a failure and its record. */
#define TAIL_LINES 8

/* One layer of one resolve() or plan(): the task data of its GTask. */
typedef struct {
  ArResolveCtx *ctx;
  ArLayerKind layer;
  const char *scope;
  gboolean force;
  gboolean parent_is_base;
  gboolean waited_in_process;
  char *parent_ref;
  char *parent_id;
  char *build_user;
  GArray *files;
  char *dockerfile_key;   /* FROM <parent ID>: what the key covers */
  char *dockerfile_build; /* FROM <parent_ref>: what is built */
  ArLayerResult result;
  char *image_user;

  gboolean registered;  /* the key is ours in self->building */
  GSource *wait_source; /* cancels a wait for another task's build */
  ArBuildLock *lock;
  char *context_dir;
  gint64 build_started;
  GQueue tail;
  GPtrArray *step_ids; /* images the build's steps made ("---> ID"), in order */
  /* a failed build, said once its leftovers are removed: */
  int fail_status;
  char *fail_reason;
  gboolean fail_remember;
} LayerOp;

/* The end of the operation: the wait, lock and build folder let go, the
 * key's waiters told; @error (taken) or success returned. */
void ar_layer_op_return (GTask *task, GError *error);
/* The build failed, timed out or the engine refused it: the fallback, said
 * at WARN with the build's last lines; only a build that ran and failed is
 * remembered (@remember). Ends the operation. */
void ar_layer_op_failed (GTask *task, int exit_status, const char *reason, gboolean remember);
/* A WARN that the image records in the state folder could not be updated. */
void ar_layer_op_note_state_error (LayerOp *op, GError *error);
/* The environment's ID, or NULL when it has none. */
const char *ar_layer_op_env_id (LayerOp *op);
/* The cache key's inputs of @op (pointers into @op). */
void ar_layer_op_inputs (LayerOp *op, ArCacheKeyInputs *in);
/* Whether @info (may be NULL) is the image of the key @key. */
gboolean ar_image_info_is_layer (const ArImageInfo *info, const char *key);

/* ar-image-layer-build.c: builds the layer of @task (its key's lock is
 * held) and ends the operation: BUILT, or FAILED with the fallback. */
void ar_layer_op_build (GTask *task);

G_END_DECLS
