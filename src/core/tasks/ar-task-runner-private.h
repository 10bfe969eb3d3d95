/* ar-task-runner-private.h — what the task runner shares with the core
 *
 * The pieces of a task's container that the preflight build check
 * (ar-preflight-build-check.c) makes the same way, so that both follow one
 * rule; and the preflight test that is a build check (the task manager).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-task-runner.h"

G_BEGIN_DECLS

/* Interactive tasks (ar-interactive.c): the container runs with `-i -t`
 * on the terminal @tty_fd, with @agent_argv as the agent's command; @drain
 * (called with the runner and @drain_data) reads the last output before
 * the task ends. Before ar_task_runner_run_async(). */
void ar_task_runner_set_terminal (ArTaskRunner      *self,
                                  int                tty_fd,
                                  const char *const *agent_argv,
                                  GFunc              drain,
                                  gpointer           drain_data);

/* The variables of a task's container (SPEC §4.2): the task's own
 * (AGENTS_RUNNER_TASK_ID and TASK_ID = @task_id, AGENTS_RUNNER_ENV_ID =
 * @env_id), then the environment's @vars ("NAME=VALUE"). Names go into
 * @args as `-e NAME`, values into @run_env as "NAME=VALUE" (the engine
 * CLI's own environment, never its argv); a name that would steer the CLI
 * goes into @env_file_text as a line of an env file instead. A variable
 * that cannot be passed (a bad name, one of the task's own, a line break in
 * an env-file value) is left out, and said in @log when it is not NULL. */
void ar_task_runner_add_env (ArTaskLog         *log,
                             const char        *task_id,
                             const char        *env_id,
                             const char *const *vars,
                             GPtrArray         *args,
                             GPtrArray         *run_env,
                             GString           *env_file_text);
/* With @env_file_text not empty: writes it to @path (0600: run/ is 0700,
 * only this user reads it) and adds `--env-file PATH` to @args. */
gboolean ar_task_runner_add_env_file (const char  *path,
                                      GString     *env_file_text,
                                      GPtrArray   *args,
                                      GError     **error);
/* The working folder @workdir: `-w WORKDIR`, or, @from_script (podman
 * without a workspace mounted there), AGENTS_RUNNER_WORKDIR for the entry
 * script to make and enter. */
void ar_task_runner_add_workdir (const char *workdir,
                                 gboolean    from_script,
                                 GPtrArray  *args,
                                 GPtrArray  *run_env);
/* The end of the run argv: IMAGE /bin/sh <entry script> AGENT-ARGV…, then
 * the NULL that ends @args and @run_env. */
void ar_task_runner_add_command (const char        *image,
                                 const char *const *agent_argv,
                                 GPtrArray         *args,
                                 GPtrArray         *run_env);
/* A script of the scratch folder: @dir/@name with a last line end, 0644
 * whatever the umask (a container user with another uid reads it through
 * the read-only mount). */
gboolean ar_task_runner_write_script (const char  *dir,
                                      const char  *name,
                                      const char  *text,
                                      GError     **error);

/* Makes this preflight-test task (§4.3), before it runs, the preflight
 * build check (ar-preflight-build-check.h) of its environment: the cached
 * part built on the base image in a throwaway build (no cache key, no
 * failure remembered, removed afterwards), the run part run on top with
 * the agent replaced by `true`. The check's output goes into the task's
 * log; the task ends done when the check is ok, failed otherwise, with the
 * check's description (the failing line and its part) as its error and the
 * failing part's exit status. Stopping it cancels the check, which still
 * removes what it made. For a saved environment with container caching on
 * (the task manager decides). */
void ar_task_runner_set_build_check (ArTaskRunner *self);
/* A line (INFO, scope task/preflight-test) said right after the task's
 * first line: why a preflight test is, or is not, the build check. */
void ar_task_runner_set_note (ArTaskRunner *self,
                              const char   *note);

G_END_DECLS
