/* ar-desktop-tunnel.c — an ssh forward to a remote engine's desktop port
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "ar-desktop-tunnel.h"

#define POLL_MS 100

struct _ArDesktopTunnel {
  GSubprocess *ssh;
  guint local_port;
};

static GUri *
parse_ssh (const char *host)
{
  GUri *uri;

  if (host == NULL || !g_str_has_prefix (host, "ssh://"))
    return NULL;
  uri = g_uri_parse (host, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'))
    g_clear_pointer (&uri, g_uri_unref);
  return uri;
}

GStrv
ar_desktop_tunnel_argv (const char *host, guint local_port, guint remote_port)
{
  g_autoptr(GUri) uri = parse_ssh (host);
  g_autoptr(GStrvBuilder) b = NULL;
  g_autofree char *forward = NULL;

  if (uri == NULL)
    return NULL;
  b = g_strv_builder_new ();
  g_strv_builder_add_many (b, "ssh", "-N", "-T", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes", "-o",
                           "ConnectTimeout=30", NULL);
  g_strv_builder_add (b, "-L");
  forward = g_strdup_printf ("127.0.0.1:%u:127.0.0.1:%u", local_port, remote_port);
  g_strv_builder_add (b, forward);
  /* as the docker CLI's ssh: -l user -p port -- host */
  if (g_uri_get_user (uri) != NULL && *g_uri_get_user (uri) != '\0')
    g_strv_builder_add_many (b, "-l", g_uri_get_user (uri), NULL);
  if (g_uri_get_port (uri) > 0)
    {
      g_autofree char *port = g_strdup_printf ("%d", g_uri_get_port (uri));

      g_strv_builder_add_many (b, "-p", port, NULL);
    }
  g_strv_builder_add_many (b, "--", g_uri_get_host (uri), NULL);
  return g_strv_builder_end (b);
}

char *
ar_desktop_tunnel_advice (const char *host, guint remote_port)
{
  g_autoptr(GUri) uri = host != NULL && *host != '\0' ? g_uri_parse (host, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *machine = uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : NULL;

  if (machine == NULL)
    return g_strdup_printf (_ ("The desktop is on the engine's machine (%s), at 127.0.0.1:%u there, not on this "
                               "computer: from this computer, forward a port to it, e.g. ssh -N -L "
                               "127.0.0.1:%u:127.0.0.1:%u USER@ENGINE-MACHINE, then open "
                               "http://127.0.0.1:%u/vnc.html."),
                            host != NULL && *host != '\0' ? host : _ ("its docker context"), remote_port, remote_port,
                            remote_port, remote_port);
  return g_strdup_printf (_ ("The desktop is on the engine's machine %s (%s), at 127.0.0.1:%u there, not on this "
                             "computer: from this computer, forward a port to it, e.g. ssh -N -L "
                             "127.0.0.1:%u:127.0.0.1:%u USER@%s, then open http://127.0.0.1:%u/vnc.html."),
                          machine, host, remote_port, remote_port, remote_port, machine, remote_port);
}

/* ---- opening ------------------------------------------------------------ */

typedef struct {
  ArDesktopTunnel *tunnel;
  GSocketClient *client;
  guint poll_id;
  gint64 deadline;
  gboolean exited;
  gboolean connecting;
  gboolean returned;
  char *ssh_error; /* what ssh said when it exited */
} Open;

static void
open_free (Open *o)
{
  g_clear_handle_id (&o->poll_id, g_source_remove);
  if (o->tunnel != NULL)
    ar_desktop_tunnel_close (o->tunnel);
  g_clear_object (&o->client);
  g_free (o->ssh_error);
  g_free (o);
}

static void
ssh_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Open *o = g_task_get_task_data (task);
  g_autofree char *err = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &err, NULL);
  o->exited = TRUE;
  if (o->returned)
    return;
  o->returned = TRUE;
  g_clear_handle_id (&o->poll_id, g_source_remove);
  o->ssh_error = g_strdup (err != NULL && *g_strstrip (err) != '\0' ? err : "-");
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _ ("ssh ended before the forward was up: %s"),
                           o->ssh_error);
}

static gboolean poll_port (gpointer user_data);

static void
connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Open *o = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);

  o->connecting = FALSE;
  if (o->returned || o->exited)
    return;
  if (conn != NULL)
    {
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      o->returned = TRUE;
      g_clear_handle_id (&o->poll_id, g_source_remove);
      g_task_return_pointer (task, g_steal_pointer (&o->tunnel), (GDestroyNotify) ar_desktop_tunnel_close);
    }
}

static gboolean
poll_port (gpointer user_data)
{
  GTask *task = user_data;
  Open *o = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)) || g_get_monotonic_time () > o->deadline)
    {
      o->poll_id = 0;
      o->returned = TRUE;
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                 _ ("the ssh forward did not answer on 127.0.0.1:%u in time"),
                                 o->tunnel->local_port);
      return G_SOURCE_REMOVE;
    }
  if (!o->connecting)
    {
      o->connecting = TRUE;
      g_socket_client_connect_to_host_async (o->client, "127.0.0.1", (guint16) o->tunnel->local_port, NULL,
                                             connected, g_object_ref (task));
    }
  return G_SOURCE_CONTINUE;
}

static guint
free_local_port (GError **error)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (sock == NULL || !g_socket_bind (sock, any, FALSE, error) ||
      (bound = g_socket_get_local_address (sock, error)) == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* In the child before exec: the forward ends with the process that made it,
 * also when that one is killed and cannot stop it (else an ssh would hold
 * a local port and a connection to the engine's machine for nothing). */
static void
end_with_app (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

void
ar_desktop_tunnel_open_async (const char *host,
                              guint remote_port,
                              guint timeout_s,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  Open *o = g_new0 (Open, 1);
  guint port;

  g_task_set_source_tag (task, ar_desktop_tunnel_open_async);
  g_task_set_task_data (task, o, (GDestroyNotify) open_free);
  if ((port = free_local_port (&error)) == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((argv = ar_desktop_tunnel_argv (host, port, remote_port)) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _ ("%s is not an ssh:// address"), host);
      return;
    }
  o->tunnel = g_new0 (ArDesktopTunnel, 1);
  o->tunnel->local_port = port;
  {
    g_autoptr(GSubprocessLauncher) launcher =
                 g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, end_with_app, NULL, NULL);
    o->tunnel->ssh = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  }
  if (o->tunnel->ssh == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  o->client = g_socket_client_new ();
  /* loopback: no proxy (and no proxy settings looked up) */
  g_socket_client_set_enable_proxy (o->client, FALSE);
  o->deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  /* its stderr read until it exits (stdin: /dev/null) */
  g_subprocess_communicate_utf8_async (o->tunnel->ssh, NULL, NULL, ssh_exited, g_object_ref (task));
  o->poll_id = g_timeout_add_full (G_PRIORITY_DEFAULT, POLL_MS, poll_port, g_object_ref (task), g_object_unref);
}

ArDesktopTunnel *
ar_desktop_tunnel_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
ar_desktop_tunnel_get_local_port (ArDesktopTunnel *tunnel)
{
  return tunnel->local_port;
}

void
ar_desktop_tunnel_close (ArDesktopTunnel *tunnel)
{
  if (tunnel == NULL)
    return;
  if (tunnel->ssh != NULL)
    {
      g_subprocess_send_signal (tunnel->ssh, SIGTERM);
      g_object_unref (tunnel->ssh);
    }
  g_free (tunnel);
}
