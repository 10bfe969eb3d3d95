/* ar-preflight-build-check.h — does a split still work? (design.md §5.1, issue 9)
 *
 * Builds the cached part on the environment's base image in a throwaway
 * build — the Dockerfile of an environment layer (ar_dockerfile_generate()),
 * so exactly what the real layer would run, as the same build user — but
 * with no cache key, no failure remembered, no counters, a tag of its own
 * (agents-runner-check:<random>) and the label AR_LABEL_PREFLIGHT_CHECK, and
 * the image removed afterwards. Then it runs the run part on top of that
 * image in a throwaway container, through the task's own entry script
 * (ar_entry_script_generate()) with the Settings preflight when it is on,
 * the environment's variables, and the agent replaced by `true`. The result
 * says ok, or which part failed, its exit status, the line the shell named
 * when it named one, and the last lines of its output.
 *
 * Nothing is pulled: the base image must be on the engine. Everything made
 * carries $AR_TEST_RUN_LABEL as well when it is set (tests).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-engine.h"
#include "ar-environment.h"
#include "ar-settings.h"

G_BEGIN_DECLS

#define AR_PREFLIGHT_BUILD_CHECK_ERROR (ar_preflight_build_check_error_quark ())
GQuark ar_preflight_build_check_error_quark (void);

typedef enum {
  AR_PREFLIGHT_BUILD_CHECK_ERROR_NO_BASE_IMAGE, /* the base image is not on the engine */
  AR_PREFLIGHT_BUILD_CHECK_ERROR_FAILED,        /* a folder or file could not be made */
} ArPreflightBuildCheckError;

/* On every image and container of a check: "…preflight-check=1". */
#define AR_LABEL_PREFLIGHT_CHECK "io.github.agents-runner.preflight-check"
/* What AGENTS_RUNNER_TASK_ID and TASK_ID hold during a check: the same in
 * every check, so that two checks of one script see the same values. */
#define AR_PREFLIGHT_CHECK_TASK_ID "preflight-check"
/* Lines of output kept for the result. */
#define AR_PREFLIGHT_CHECK_TAIL_LINES 20

typedef enum {
  AR_BUILD_CHECK_STAGE_BUILD, /* building the cached part */
  AR_BUILD_CHECK_STAGE_RUN,   /* running the run part on top */
} ArBuildCheckStage;

/* "build", "run" */
const char *ar_build_check_stage_to_string (ArBuildCheckStage stage);

typedef struct {
  gboolean ok;
  ArBuildCheckStage failed_stage; /* when !ok: which part failed */
  int exit_status;                /* of the failing build or run, -1 when it did not exit
                                   * (timeout); 0 when ok */
  guint line;                     /* 1-based line of the failing part that the shell's
                                   * message named, 0 when it named none */
  char *line_text;                /* that line of the part's text; NULL with line 0 */
  char *output;                   /* the last lines of the failing stage's output,
                                   * "\n"-joined; "" when ok */
  gboolean built;                 /* the cached part was not empty and was built */
  double build_seconds;
  double run_seconds;
} ArBuildCheckResult;

void ar_build_check_result_free (ArBuildCheckResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArBuildCheckResult, ar_build_check_result_free)

/* One line of output (ANSI escapes kept) as it arrives. */
typedef void (*ArBuildCheckLineFunc) (ArBuildCheckStage stage,
                                      const char *line,
                                      gpointer user_data);

/* Checks the pair @cached_text / @run_text for @env (its base image, or
 * the Settings default; its variables and working folder). An empty or
 * blank @cached_text builds nothing: the run part runs on the base.
 * @agent_argv (NULL = { "true" }) is what the entry script execs after the
 * run part. The build has the Settings build timeout. Fails (GError) only
 * when the check could not be made: no base image, an engine that does not
 * answer, cancellation; a part that fails is an ok == FALSE result. */
void ar_preflight_check_build_async (ArEngine *engine,
                                     ArEnvironment *env,
                                     const ArSettings *settings,
                                     const char *cached_text,
                                     const char *run_text,
                                     const char *const *agent_argv,
                                     ArBuildCheckLineFunc on_line,
                                     gpointer line_data,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
ArBuildCheckResult *ar_preflight_check_build_finish (GAsyncResult *result,
                                                     GError **error);

/* The line a shell's error message in @output names for the script file
 * @script_name ("cached-preflight.sh"): dash's "FILE: N: …" (also
 * "ENTRY: N: FILE: …" when sourced), bash's "FILE: line N: …", busybox's
 * "…FILE: line N: …". The last such line wins; 0 when none. */
guint ar_preflight_build_check_find_line (const char *output, const char *script_name);

/* One sentence for the user: "The cached part builds and the run part
 * runs on top of it." or which part failed where. */
char *ar_build_check_result_describe (const ArBuildCheckResult *result);

G_END_DECLS
