/* ar-task-desktop.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-desktop-tunnel.h"
#include "ar-run-args.h"
#include "ar-task-desktop.h"
#include "ar-task-runner.h"

#define PORT_TIMEOUT 20
#define TUNNEL_TIMEOUT 40

/* Held by its owner and by the engine command or forward on its way: one
 * that finishes after ar_task_desktop_close() finds it inactive. */
struct _ArTaskDesktop {
  gint ref_count;
  gboolean active;
  ArEngine *engine;
  ArTask *task;
  ArTaskLog *log;
  GCancellable *cancellable;
  GString *port_output; /* what `docker port` printed */
  guint remote_port;
  ArDesktopTunnel *tunnel;
};

static ArTaskDesktop *
desktop_ref (ArTaskDesktop *self)
{
  self->ref_count++;
  return self;
}

static void
desktop_unref (ArTaskDesktop *self)
{
  if (--self->ref_count > 0)
    return;
  g_clear_pointer (&self->tunnel, ar_desktop_tunnel_close);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->task);
  g_clear_object (&self->log);
  g_string_free (self->port_output, TRUE);
  g_free (self);
}

void
ar_task_desktop_close (ArTaskDesktop *desktop)
{
  if (desktop == NULL)
    return;
  desktop->active = FALSE;
  g_cancellable_cancel (desktop->cancellable);
  g_clear_pointer (&desktop->tunnel, ar_desktop_tunnel_close);
  desktop_unref (desktop);
}

gboolean
ar_task_desktop_port_is_here (ArEngine *engine)
{
  if (g_str_has_prefix (ar_engine_get_host (engine), "ssh://"))
    return FALSE;
  /* The preference says where folders are, not ports; a user who set it
   * either way has the engine's ports here, as with the default socket. */
  return ar_engine_shares_host_folders (engine) || g_str_equal (ar_engine_folders_reason (engine), "preference");
}

static void
note_url (ArTaskDesktop *self, guint port)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/vnc.html", port);

  ar_task_set_desktop_url (self->task, url);
  ar_task_runner_save_task (self->task, self->log);
  ar_task_log_message (self->log, "desktop/port", AR_LOG_INFO, _ ("desktop: %s"), url);
}

static void
tunnel_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArTaskDesktop *self = user_data;
  g_autoptr(GError) error = NULL;
  ArDesktopTunnel *tunnel = ar_desktop_tunnel_open_finish (result, &error);
  const char *host = ar_engine_get_host (self->engine);

  if (!self->active)
    g_clear_pointer (&tunnel, ar_desktop_tunnel_close);
  else if (tunnel == NULL)
    {
      g_autofree char *advice = ar_desktop_tunnel_advice (host, self->remote_port);

      ar_task_log_message (self->log, "desktop/port", AR_LOG_WARN,
                           _ ("Could not forward a port of this computer to the desktop through ssh (%s). %s"),
                           error->message, advice);
    }
  else
    {
      g_debug ("task %s: desktop: 127.0.0.1:%u here forwarded by ssh to 127.0.0.1:%u of %s",
               ar_task_get_id (self->task), ar_desktop_tunnel_get_local_port (tunnel), self->remote_port, host);
      self->tunnel = tunnel;
      ar_task_log_message (self->log, "desktop/port", AR_LOG_INFO,
                           _ ("The desktop is published on the engine's machine (%s, port %u there): forwarded to "
                              "this computer through ssh, for as long as the task runs."),
                           host, self->remote_port);
      note_url (self, ar_desktop_tunnel_get_local_port (tunnel));
    }
  desktop_unref (self);
}

/* The host port in `docker port NAME 6080/tcp`'s output ("127.0.0.1:32768"
 * lines), 0 when there is none. */
static guint
published_port (const char *port_output)
{
  g_auto(GStrv) lines = g_strsplit (port_output, "\n", -1);
  const char *colon;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if ((colon = strrchr (lines[i], ':')) != NULL && colon[1] != '\0' &&
          strspn (colon + 1, "0123456789") == strlen (colon + 1))
        return (guint) g_ascii_strtoull (colon + 1, NULL, 10);
    }
  return 0;
}

static void
port_queried (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArTaskDesktop *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *tail = NULL;
  int status = ar_engine_run_cli_finish (AR_ENGINE (source), result, &tail, &error);
  const char *host = ar_engine_get_host (self->engine);

  if (!self->active)
    ;
  else if (status != 0 || (self->remote_port = published_port (self->port_output->str)) == 0)
    ar_task_log_message (self->log, "desktop/port", AR_LOG_WARN,
                         _ ("The engine published no host port for the desktop (%s): %s There is no “Open desktop” for this task; an engine without a bridge network cannot publish ports."),
                         AR_RUN_ARGS_DESKTOP_PORT,
                         error != NULL ? error->message : (tail != NULL && *tail != '\0' ? g_strstrip (tail) : "-"));
  else if (g_str_has_prefix (host, "ssh://"))
    ar_desktop_tunnel_open_async (host, self->remote_port, TUNNEL_TIMEOUT, self->cancellable, tunnel_opened,
                                  desktop_ref (self));
  else if (ar_task_desktop_port_is_here (self->engine))
    note_url (self, self->remote_port);
  else
    {
      g_autofree char *advice = ar_desktop_tunnel_advice (host, self->remote_port);

      ar_task_log_message (self->log, "desktop/port", AR_LOG_WARN, "%s", advice);
    }
  desktop_unref (self);
}

static void
port_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  ArTaskDesktop *self = user_data;

  if (stream == AR_ENGINE_STREAM_STDOUT)
    {
      g_string_append (self->port_output, line);
      g_string_append_c (self->port_output, '\n');
    }
}

ArTaskDesktop *
ar_task_desktop_reach (ArEngine *engine, ArTask *task, ArTaskLog *log)
{
  const char *args[] = { "port", ar_task_get_container_name (task), AR_RUN_ARGS_DESKTOP_PORT "/tcp", NULL };
  ArTaskDesktop *self;

  g_return_val_if_fail (AR_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (AR_IS_TASK (task), NULL);

  self = g_new0 (ArTaskDesktop, 1);
  self->ref_count = 1;
  self->active = TRUE;
  self->engine = g_object_ref (engine);
  self->task = g_object_ref (task);
  self->log = g_object_ref (log);
  self->cancellable = g_cancellable_new ();
  self->port_output = g_string_new (NULL);
  /* port_line writes into it until port_queried: the command holds a ref. */
  ar_engine_run_cli_async (engine, args, NULL, port_line, self, PORT_TIMEOUT, self->cancellable, port_queried,
                           desktop_ref (self));
  return self;
}
