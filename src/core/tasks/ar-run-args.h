/* ar-run-args.h — the arguments of a task's `docker run`, without an engine
 *
 * Owns: turning what a task runs with (its ids, image, agent command, the
 * workspace, the agent's config folder, the scratch folder, the
 * environment's variables, extra mounts and ports) into the engine CLI's
 * argv and the CLI's own process environment. No engine is asked: what an
 * engine would need is decided by the caller and handed in (ArRunArgsSpec).
 * It looks at the disk only where a folder must be there (the config folder,
 * the host side of an extra mount) and writes only the private env file.
 * May use: model (the environment, container lines, the task log), the entry
 * script's names.
 *
 * Secrets: a variable's value never goes into the argv, only into the run
 * environment ("NAME=VALUE", the CLI's own environment; the argv has
 * `-e NAME`) or, for a name the CLI itself reads, into an env file (0600).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-environment.h"
#include "ar-task-log.h"

G_BEGIN_DECLS

/* The port of the headless desktop's web view inside the container. */
#define AR_RUN_ARGS_DESKTOP_PORT "6080"

/* What `docker run` is made of. Strings are borrowed; NULL lists are empty. */
typedef struct {
  const char *task_id;             /* AGENTS_RUNNER_TASK_ID, TASK_ID, the label */
  const char *env_id;              /* AGENTS_RUNNER_ENV_ID, the label */
  const char *container_name;      /* --name */
  const char *extra_label;         /* "KEY=VALUE", or NULL/"" for none */
  const char *image;               /* the image to run */
  const char *const *agent_argv;   /* after the entry script */
  const char *workdir;             /* in the container; "" for the default */
  const char *workspace;           /* host folder mounted at the workdir, or NULL */
  const char *agent;               /* the agent's name, for a message */
  const char *config_dir;          /* host config folder ("~" allowed), or NULL */
  const char *container_config;    /* where it is mounted, or NULL */
  const char *scratch;             /* the host scratch folder (read-only mount) */
  const char *env_file;            /* where an env file goes when one is needed */
  const char *const *vars;         /* the environment's "NAME=VALUE" lines */
  const char *const *extra_mounts; /* the environment's mount lines */
  const char *const *ports;        /* the environment's port lines */
  gboolean tty;                    /* -i -t */
  gboolean init;                   /* --init */
  gboolean userns_keep_id;         /* --userns=keep-id (rootless local podman) */
  gboolean selinux;                /* :z on shared folders, :Z on the scratch folder */
  gboolean desktop;                /* -p 127.0.0.1::6080 */
  gboolean workdir_from_script;    /* podman without a workspace mounted there */
  gboolean copy_in;                /* the engine does not see this computer's folders:
                                    * `create` (no --rm) without the bind mounts of the
                                    * workspace, config and scratch folders, which are
                                    * copied in (ar-task-delivery.h); an extra bind
                                    * mount is an error */
} ArRunArgsSpec;

/* The whole `run …` argv (NULL-terminated) in *args and the run
 * environment (NULL-terminated "NAME=VALUE") in *run_env. Mounts: the first
 * one at a container path wins (a later bind mount there is left out and
 * said in @log; a later volume is an error). An env file is written at
 * spec->env_file only when a variable needs one; *env_file_written says
 * whether it was. What is left out is said in @log when not NULL. FALSE
 * with @error (nothing in *args and *run_env) when an extra mount cannot be
 * made, or the env file cannot be written. */
gboolean ar_run_args_build (const ArRunArgsSpec *spec,
                            ArTaskLog *log,
                            GPtrArray **args,
                            GPtrArray **run_env,
                            gboolean *env_file_written,
                            GError **error);

/* With an engine that does not see this computer's folders
 * (ar_engine_shares_host_folders()): FALSE, naming the mount, when @env has
 * an extra mount of a folder of this computer (a named volume is fine).
 * @where says where the engine is, for the message. */
gboolean ar_run_args_check_not_shared (ArEnvironment *env,
                                       const char *where,
                                       GError **error);

/* The pieces, shared with the preflight build check
 * (ar-preflight-build-check.c), so that both follow one rule:
 *
 * The variables of a task's container (design.md §4.2): the task's own
 * (AGENTS_RUNNER_TASK_ID and TASK_ID = @task_id, AGENTS_RUNNER_ENV_ID =
 * @env_id), then the environment's @vars ("NAME=VALUE"). Names go into
 * @args as `-e NAME`, values into @run_env as "NAME=VALUE" (the engine
 * CLI's own environment, never its argv); a name that would steer the CLI
 * goes into @env_file_text as a line of an env file instead. A variable
 * that cannot be passed (a bad name, one of the task's own, a line break in
 * an env-file value) is left out, and said in @log when it is not NULL. */
void ar_run_args_add_env (ArTaskLog *log,
                          const char *task_id,
                          const char *env_id,
                          const char *const *vars,
                          GPtrArray *args,
                          GPtrArray *run_env,
                          GString *env_file_text);
/* With @env_file_text not empty: writes it to @path (0600: run/ is 0700,
 * only this user reads it) and adds `--env-file PATH` to @args. */
gboolean ar_run_args_add_env_file (const char *path,
                                   GString *env_file_text,
                                   GPtrArray *args,
                                   GError **error);
/* The working folder @workdir: `-w WORKDIR`, or, @from_script (podman
 * without a workspace mounted there), AGENTS_RUNNER_WORKDIR for the entry
 * script to make and enter. */
void ar_run_args_add_workdir (const char *workdir,
                              gboolean from_script,
                              GPtrArray *args,
                              GPtrArray *run_env);
/* The end of the run argv: IMAGE /bin/sh <entry script> AGENT-ARGV…, then
 * the NULL that ends @args and @run_env. */
void ar_run_args_add_command (const char *image,
                              const char *const *agent_argv,
                              GPtrArray *args,
                              GPtrArray *run_env);

/* The extra mounts and ports of @env checked before a task starts (part of
 * ar_task_runner_check_environment()): each mount line by the editor's
 * rule, plus a host folder that is not there or a container path already
 * taken (by the scratch folder, the workspace, or an earlier mount); each
 * port line by the editor's rule. */
gboolean ar_run_args_check_environment (ArEnvironment *env,
                                        GError **error);

G_END_DECLS
