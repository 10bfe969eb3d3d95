/* ar-desktop-tunnel.h — the headless desktop of a task on a remote engine
 *
 * Owns: reaching the desktop's port, published on 127.0.0.1 of the
 * ENGINE's machine (design.md §4.2). For an ssh:// engine, a local port
 * forwarded there by `ssh -N -L` (argv, no shell; the user, host and port
 * of the engine's address, the ssh on PATH and its configuration, as the
 * docker CLI uses them), living until closed; for other remote engines,
 * one sentence saying where the desktop is and how to reach it.
 * May use: GIO only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* ssh's argv forwarding 127.0.0.1:@local_port here to 127.0.0.1:@remote_port
 * on the machine of @host ("ssh://[user@]host[:port]"); NULL when @host is
 * not such an address. */
GStrv ar_desktop_tunnel_argv (const char *host, guint local_port, guint remote_port);

/* Where a desktop on @remote_port of the machine of engine @host is, and
 * an `ssh -L` command line that reaches it (translated, one paragraph). */
char *ar_desktop_tunnel_advice (const char *host, guint remote_port);

typedef struct _ArDesktopTunnel ArDesktopTunnel;

/* Starts ssh forwarding a free local port to @remote_port on the machine
 * of @host (ssh://), and finishes once the local port answers, or with
 * ssh's message when it exits first or after @timeout_s seconds. */
void ar_desktop_tunnel_open_async (const char *host,
                                   guint remote_port,
                                   guint timeout_s,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
ArDesktopTunnel *ar_desktop_tunnel_open_finish (GAsyncResult *result, GError **error);

guint ar_desktop_tunnel_get_local_port (ArDesktopTunnel *tunnel);
/* Ends ssh (SIGTERM) and frees the tunnel. */
void ar_desktop_tunnel_close (ArDesktopTunnel *tunnel);

G_END_DECLS
