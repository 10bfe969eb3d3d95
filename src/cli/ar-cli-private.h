/* ar-cli-private.h — what the command-line files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ar-cli.h"
#include "ar-env-store.h"
#include "ar-task.h"
#include "ar-util.h" /* the commands drive the async core one call at a time: ArSyncWait */

G_BEGIN_DECLS

typedef int (*ArCliCommandFunc) (int argc, char **argv);

typedef struct {
  const char *group;    /* "env", "preflight", … */
  const char *name;     /* "list", … */
  const char *synopsis; /* translatable usage after the command words */
  const char *summary;  /* translatable one-line description */
  ArCliCommandFunc func;
} ArCliCommand;

extern const ArCliCommand ar_cli_env_commands[];
extern const ArCliCommand ar_cli_preflight_commands[];
extern const ArCliCommand ar_cli_image_commands[];
/* A command whose name is "" is the group itself: `run ENV`. */
extern const ArCliCommand ar_cli_run_commands[];
extern const ArCliCommand ar_cli_task_commands[];
/* `engine list` (ar-cli-engine.c). */
extern const ArCliCommand ar_cli_engine_commands[];

/* `preflight test ENV` (in ar-cli-run.c, listed in the preflight table). */
int ar_cli_preflight_test (int argc, char **argv);

/* What `run` exits with when the task ended: 0 when it is done,
 * AR_CLI_EXIT_INTERRUPTED when it was cancelled, else the container's
 * status (1 when it failed before anything ran). In ar-cli-run.c. */
#define AR_CLI_EXIT_INTERRUPTED 130
int ar_cli_task_exit_status (ArTask *task);
/* "agents-runner: <why>" on stderr when the task failed with a message. */
void ar_cli_print_task_error (ArTask *task);

/* `run ENV --interactive [--shell]` (ar-cli-interactive.c): the exit status
 * is the task's, as for `run`. */
int ar_cli_run_interactive (ArEnvironment *env, const char *prompt, gboolean shell);

/* Parses argv with entries; on bad usage prints why to stderr and returns
 * FALSE. n_positional is how many positional arguments must remain. */
gboolean ar_cli_parse (const ArCliCommand *command,
                       GOptionEntry *entries,
                       int *argc,
                       char ***argv,
                       int n_positional);

/* "agents-runner: <message>" on stderr; returns AR_EXIT_FAILURE. */
int ar_cli_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);
int ar_cli_fail_error (const GError *error);
void ar_cli_warn (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* Loads the environments file, printing its file-level warnings. */
ArEnvStore *ar_cli_load_store (GError **error);
/* Loads the store into *out_store and finds the environment in it; NULL with
 * error (and *out_store untouched) when either fails. */
ArEnvironment *ar_cli_load_environment (const char *id_or_name, ArEnvStore **out_store, GError **error);

/* Prints node as pretty JSON on stdout. */
void ar_cli_print_json (JsonNode *node);
JsonNode *ar_cli_strv_to_json (const char *const *strv);

G_END_DECLS
