/* ar-task-desktop.h — a running task's headless desktop, reached from this
 * computer
 *
 * Owns: once the desktop in a task's container has started (the entry
 * script's AR_ENTRY_DESKTOP_STARTED_LINE), asking the engine for the port
 * it published (`port NAME 6080/tcp`) and making it reachable from here
 * (design.md §4.2): the port itself for an engine on this computer (or one
 * the preferences declare so); for an ssh:// engine, a local port forwarded
 * there through ssh (ar-desktop-tunnel.h) for as long as the desktop is
 * held; for any other engine, one sentence in the log saying where the
 * desktop is and how to reach it. What comes of it is the task's desktop
 * URL, saved and said in the log. Shared by the runner, which starts the
 * container, the follower, which takes a batch task up after a restart,
 * and the interactive task attached again after one (ar-interactive.c).
 * May use: engine, the task, its log, the desktop tunnel.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-engine.h"
#include "ar-task.h"
#include "ar-task-log.h"

G_BEGIN_DECLS

typedef struct _ArTaskDesktop ArTaskDesktop;

/* Starts reaching the desktop of @task's running container on @engine: the
 * engine's port, then the URL or the log's sentence (see above). */
ArTaskDesktop *ar_task_desktop_reach (ArEngine *engine, ArTask *task, ArTaskLog *log);
/* Stops: a port query or a forward on its way is given up, an open
 * forward ends (ssh gets SIGTERM). NULL does nothing. */
void ar_task_desktop_close (ArTaskDesktop *desktop);

/* Whether @engine's published ports are ports of this computer: the task's
 * desktop URL then stays good for as long as its container runs, whatever
 * becomes of the process that took it (an ssh forward's ends with it). */
gboolean ar_task_desktop_port_is_here (ArEngine *engine);

G_END_DECLS
