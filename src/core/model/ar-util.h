/* ar-util.h — small helpers that several parts of the program need
 *
 * Owns: stateless helpers, GLib/GIO only, each written once here instead
 * of once per caller: removing a folder tree, "~" in a host path, the
 * shell's rule for a variable name, and blocking on one async call.
 * May use: GLib and GIO only; everything else in src/ may use it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Removes the folder @path and everything in it, best effort: a symbolic
 * link in it is removed, never followed; what cannot be removed stays.
 * NULL, a path that does not exist and a plain file are left alone. */
void ar_remove_tree (const char *path);

/* A host path with a leading "~" or "~/" made absolute from the home
 * folder; any other path is returned as it is. */
char *ar_expand_home (const char *path);

/* Whether the first @len bytes of @name (all of it when @len is negative)
 * are a shell variable name: a letter or '_', then letters, digits and
 * '_'. NULL and "" are not. */
gboolean ar_is_env_name (const char *name, gssize len);

/* Blocking on one async call from synchronous code:
 *
 *   ArSyncWait wait;
 *   ar_sync_wait_begin (&wait);
 *   thing_do_async (…, ar_sync_wait_callback, &wait);
 *   value = thing_do_finish (…, ar_sync_wait_run (&wait), error);
 *   ar_sync_wait_end (&wait);
 *
 * ar_sync_wait_begin() gives the call a private main context (pushed as
 * the thread default until ar_sync_wait_end()), so nothing else that is
 * attached to the caller's context runs meanwhile.
 * ar_sync_wait_begin_shared() instead iterates the thread-default context
 * as it is: its other sources (signal handlers, timers, …) keep running,
 * as a command-line program's main loop wants. The result returned by
 * ar_sync_wait_run() belongs to @wait until ar_sync_wait_end(). */
typedef struct {
  GMainContext *context;
  GAsyncResult *result;
  gboolean private_context;
} ArSyncWait;

void ar_sync_wait_begin (ArSyncWait *wait);
void ar_sync_wait_begin_shared (ArSyncWait *wait);
void ar_sync_wait_callback (GObject *source, GAsyncResult *result, gpointer user_data);
GAsyncResult *ar_sync_wait_run (ArSyncWait *wait);
void ar_sync_wait_end (ArSyncWait *wait);

G_END_DECLS
