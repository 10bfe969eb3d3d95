/* test-image-builder-utils.h — what the test-image-builder programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <glib/gstdio.h>
#include <string.h>

#include "ar-build-lock.h"
#include "ar-dockerfile.h"
#include "ar-image-builder-private.h"
#include "ar-image-builder.h"
#include "ar-paths.h"
#include "test-utils.h"

/* ---- the engines --------------------------------------------------------------- */

/* The caching scenarios run on each engine, podman as well as Docker: one
 * test body, given the engine it runs on. */
typedef struct {
  const char *name;   /* "docker" or "podman": the ArEngine kind and the test path */
  int (*cli) (const char *const *args, char **out_stdout, char **out_stderr);
  char *base;         /* the fixture's base image in this engine, made on first use */
} Engine;

extern Engine on_docker;

extern Engine on_podman;

gboolean need_engine (Engine *e);

double now_seconds (void);

char *new_nonce (void);

char *engine_out (Engine *e, const char *const *args);

char *inspect_format (Engine *e, const char *image, const char *format);

char *image_label (Engine *e, const char *image, const char *label);

guint count_images (Engine *e, const char *label);

guint count_env_images (Engine *e, ArEnvironment *env);

/* A log in memory whose lines the test can read. */
typedef struct {
  ArTaskLog *log;
  GString *text;
} Log;

void on_line (ArTaskLog *log, const char *line, int level, gpointer user_data);

Log *log_new (void);

void log_free (Log *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Log, log_free)

gboolean log_has (Log *log, const char *needle);

char *log_line_with (Log *log, const char *a, const char *b);

void assert_log_has (Log *log, const char *needle);

void assert_log_lacks (Log *log, const char *needle);

void assert_context_removed (Log *log);

ArSettings *test_settings (Engine *e);

ArEnvironment *split_env (const char *base, const char *cached, const char *run);

char *desktop_scripts (const char *nonce, const char *install_body);

void with_desktop (ArEnvironment *env, ArSettings *settings, const char *scripts);

ArImageBuilder *new_builder (Engine *e);

ArImageResolution *resolve_full (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, Log *log, gboolean force, GCancellable *cancellable, GError **error);

ArImageResolution *resolve (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings, Log *log, gboolean force);

ArImageResolution *plan (ArImageBuilder *builder, ArEnvironment *env, ArSettings *settings);

char *image_id (Engine *e, const char *image);

char *base_id (Engine *e);

char *marker_script (const char *nonce, const char *path);

void add_engine_test (Engine *e, const char *name, GTestDataFunc func);
