/* test-task-runner-utils.h — what the test-task-runner programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <libsoup/soup.h>

#include "ar-env-store.h"
#include "ar-paths.h"
#include "ar-task-manager.h"
#include "ar-task-runner.h"
#include "test-utils.h"
#define TASK_SECONDS 60   /* nothing here may take longer */

/* The caching scenarios run on each engine, podman as well as Docker: one
 * test body, given the engine it runs on. */
typedef struct {
  const char *name;          /* "docker" or "podman": the ArEngine kind and the test path */
  int (*cli) (const char *const *args, char **out_stdout, char **out_stderr);
  char *base;                /* the fixture's base image in this engine */
  ArEngine *engine;
  ArImageBuilder *builder;
} Engine;

extern Engine on_docker;

extern Engine on_podman;

gboolean need_engine (Engine *e);

double now_seconds (void);

gboolean wake (gpointer user_data);

void wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds, const char *what);

gboolean task_finished (gpointer task);

gboolean task_running (gpointer task);

ArSettings *new_settings (Engine *e);

ArEnvironment *new_env (Engine *e, const char *name, const char *const *agent);

void run_done (GObject *source, GAsyncResult *result, gpointer user_data);

gboolean flag_set (gpointer flag);

ArTaskRunner *run_task (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, const char *prompt);

char *task_log_text (ArTask *task);

void assert_contains (const char *text, const char *needle);

void assert_not_contains (const char *text, const char *needle);

gboolean has_line_with (const char *text, const char *a, const char *b);

char *engine_out (Engine *e, const char *const *args);

gboolean container_exists (Engine *e, const char *name);

void count_finished (ArTaskManager *manager, ArTask *task, gpointer user_data);

typedef struct {
  guint *count;
  guint want;
} Count;

gboolean count_reached (gpointer data);

void load_done (GObject *source, GAsyncResult *result, gpointer user_data);

/* A new manager with @settings, as the next process makes it: it loads the
 * saved tasks, reconciles them with their engines and follows those still
 * running. Returns it; *task is its task @task_id. Each task that ends
 * counts in *finished. */
ArTaskManager *manager_following (ArImageBuilder *builder,
                                  const ArSettings *settings,
                                  const char *task_id,
                                  guint *finished,
                                  ArTask **task);
