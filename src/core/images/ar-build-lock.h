/* ar-build-lock.h — one build per cache key across processes (design.md §3.3)
 *
 * A lock file per key, $XDG_CACHE_HOME/agents-runner/locks/<key>.lock,
 * held with flock(2): the kernel releases it when its holder dies, so a
 * crashed build never blocks the next one. Waiting polls without blocking,
 * so the main loop keeps running and the wait can be cancelled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _ArBuildLock ArBuildLock;

/* The lock at once, or NULL without an error when another process holds
 * it. */
ArBuildLock *ar_build_lock_try (const char *key, GError **error);

/* Waits (polling every 100 ms) until the lock is ours. */
void ar_build_lock_acquire_async (const char *key,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
ArBuildLock *ar_build_lock_acquire_finish (GAsyncResult *result, GError **error);

/* Removes the lock file and releases the lock. */
void ar_build_lock_release (ArBuildLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArBuildLock, ar_build_lock_release)

G_END_DECLS
