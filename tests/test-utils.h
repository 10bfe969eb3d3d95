/* test-utils.h — shared helpers for the test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

#include "ar-env-store.h"
#include "ar-task.h"

G_BEGIN_DECLS

/* TRUE in an AddressSanitizer build (tools/test's sanitizer lane), where
 * the allocator's quarantine keeps freed memory: peak-memory bounds are
 * asserted in the ordinary build only. */
#if defined(__SANITIZE_ADDRESS__)
#define AR_TEST_UNDER_ASAN TRUE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AR_TEST_UNDER_ASAN TRUE
#endif
#endif
#ifndef AR_TEST_UNDER_ASAN
#define AR_TEST_UNDER_ASAN FALSE
#endif

/* Call first in main(): g_test_init plus a private temporary HOME and
 * XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_CACHE_HOME, removed at exit.
 * Returns the temporary root. */
const char *ar_test_init (int *argc, char ***argv);

/* A fatal signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE) prints every thread's
 * stack on stderr (gdb, else backtrace()) before the program dies of it;
 * ar_test_init calls it. Not under ASan, which reports crashes itself. */
void ar_test_report_crashes (void);

/* A new empty folder under the temporary root. */
char *ar_test_mkdtemp (const char *prefix);

/* A desktop scripts folder (install.sh, start.sh) whose desktop is
 * `busybox httpd` on 6080 serving /vnc.html, standing in for noVNC: the
 * port publishing and the entry script's lines are what the tests check.
 * start.sh sleeps @start_delay seconds first. */
char *ar_test_stand_in_desktop (guint start_delay);

/* This thread's CPU time in µs: what a speed test measures, since time
 * spent preempted on a busy machine does not count in it. */
gint64 ar_test_thread_cpu_usec (void);

void ar_test_write_file (const char *path, const char *contents);
void ar_test_write_file_fast (const char *path, const char *contents, gsize length);
char *ar_test_read_file (const char *path);

/* Runs the real agents-runner binary (AR_BINARY) with argv (NULL-terminated,
 * without the program name), optional stdin text; returns its exit status and
 * fills stdout / stderr when non-NULL. */
int ar_test_run_cli (const char *const *args,
                     const char *stdin_text,
                     char **out_stdout,
                     char **out_stderr);

/* A GAsyncReadyCallback that keeps a reference on the result in the
 * GAsyncResult * that user_data points to… */
void ar_test_store_result (GObject *source, GAsyncResult *result, gpointer user_data);
/* …and the main-loop wait for it. */
GAsyncResult *ar_test_wait_result (GAsyncResult **slot);

/* Whether any process's command line holds `needle` (reads /proc). */
gboolean ar_test_any_cmdline_contains (const char *needle);

/* The status code of GET @path on 127.0.0.1:@port (HTTP/1.0, 10 s at the
 * most), 0 when nothing answers. Blocking. */
int ar_test_http_status (guint port, const char *path);

/* ---- a real container engine ------------------------------------------- */

/* Makes sure a Docker engine answers: the one DOCKER_HOST or the default
 * socket names, else (as root, with dockerd installed) a private dockerd of
 * this process, reached through DOCKER_HOST and stopped when the process is
 * gone. FALSE when no engine can be had: skip with
 * ar_test_engine_skip_reason(). */
gboolean ar_test_engine_ensure (void);
const char *ar_test_engine_skip_reason (void);

/* The start of a test that needs the engine: ar_test_engine_ensure(), else
 * the test is skipped, saying why, and FALSE is returned (return at once). */
gboolean ar_test_engine_need (void);

/* This run's id, and "io.github.agents-runner.test-run=<id>": label
 * everything a test creates with it; all of it is removed when the process
 * is gone, even after a failed assertion. */
const char *ar_test_engine_run_id (void);
const char *ar_test_engine_run_label (void);

/* "ar-test-base:<id>": busybox-static with sh and the usual tools, an
 * /etc/passwd with root and midori (uid 1000); made once per run. */
char *ar_test_engine_base_image (void);
/* The same image with USER midori. */
char *ar_test_engine_nonroot_base_image (void);
/* Builds image @name from the Dockerfile text @dockerfile (its context an
 * empty folder of its own) in the test engine, labelled with this run's
 * label; fails the test when the build fails. */
void ar_test_engine_build (const char *name, const char *dockerfile);
/* The root file system tar the base image was imported from. */
const char *ar_test_engine_base_tar (void);
/* Makes that root file system in the new folder `root` and its tar at
 * `tar_path` (for another engine: tests/test-remote-utils.c). */
void ar_test_make_base_tar (const char *root, const char *tar_path);

/* Runs @argv (the program found on PATH) with @envp (NULL: ours) and
 * returns its exit status, 128 + signal, or 127 when it cannot run (the
 * reason in *out_stderr); output into out_stdout / out_stderr when non-NULL. */
int ar_test_run_argv (const char *const *argv, const char *const *envp, char **out_stdout, char **out_stderr);

/* Runs the docker CLI (args without the program name) and returns its exit
 * status; output into out_stdout / out_stderr when non-NULL. */
int ar_test_engine_docker (const char *const *args, char **out_stdout, char **out_stderr);

/* Whether rootful podman can be used: as root with podman installed; sets
 * CONTAINERS_CONF to a file that works in this sandbox (no ulimits). What
 * carries the run label is removed from podman too at the end. */
gboolean ar_test_engine_podman_ensure (void);
int ar_test_engine_podman (const char *const *args, char **out_stdout, char **out_stderr);

/* "ar-test-base:<id>" in podman, which keeps its own images: the same root
 * file system as ar_test_engine_base_image(), imported there with the run's
 * label. After ar_test_engine_podman_ensure(). */
char *ar_test_engine_podman_base_image (void);

/* The path of the record (in this run's tasks folder) of the task of
 * environment @env_id, or NULL when there is none (yet). */
char *ar_test_task_record_of_env (const char *env_id);
/* That task, read from its record, or NULL. */
ArTask *ar_test_task_of_env (const char *env_id);

/* The environments file (XDG_CONFIG_HOME) loaded, @env added or replaced,
 * saved; the store, for a task manager (or g_object_unref). Fails the test
 * on any error. */
ArEnvStore *ar_test_save_env (ArEnvironment *env);

G_END_DECLS
