/* test-delivery-utils.h — what the tests of tasks on an engine that does
 * not see this computer's folders share (test-delivery.c on a local engine
 * set to not-shared, test-delivery-remote.c on the remote fixture)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-image-builder.h"
#include "ar-task.h"

G_BEGIN_DECLS

#define DELIVERY_TASK_SECONDS 120

/* git with a test identity, in @dir; fails the test when git does. */
void delivery_git (const char *dir, const char *first, ...) G_GNUC_NULL_TERMINATED;

/* A git workspace: tracked.txt committed, then changed without a commit;
 * draft.txt untracked; *.log ignored. */
char *delivery_make_workspace (void);

/* An environment whose agent is codex, a `codex` of our own installed by
 * the run preflight, which prints token=set when MY_API_TOKEN is set,
 * shows /home/midori-ai/.codex/config.toml, writes result.txt, appends
 * "three" to tracked.txt, removes draft.txt, writes an ignored build.log
 * and a binary sub/blob.bin; the workspace @ws mounted, the config folder
 * @config (with config.toml saying model = "copied-in"), @secret in
 * MY_API_TOKEN. */
ArEnvironment *delivery_new_env (const char *base_image, const char *ws, const char *config, const char *secret);

/* Runs a task of @env to its end (failing after DELIVERY_TASK_SECONDS);
 * meanwhile no process's command line may hold @secret (NULL: not
 * watched). Its log text; the task in *out_task. */
char *delivery_run_task (ArImageBuilder *builder,
                         ArEnvironment *env,
                         const ArSettings *settings,
                         const char *secret,
                         ArTask **out_task);

/* The task of delivery_new_env() done: its log says it, the config came
 * in, the secret is not in the log; the agent's files in the review folder
 * beside @ws; @ws untouched; changes.patch applies there with git apply
 * and gives the agent's changes (applied: @ws changes). */
void delivery_assert_result (ArTask *task, const char *log, const char *ws, const char *secret);

void delivery_assert_contains (const char *text, const char *needle);
void delivery_assert_not_contains (const char *text, const char *needle);

G_END_DECLS
