/* ar-preflight-validator.h — warnings about an environment's preflight
 * scripts (design.md §5.2). Warnings never block: the caller shows them and lets
 * the user save anyway.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ar-environment.h"

G_BEGIN_DECLS

#define AR_PREFLIGHT_VALIDATOR_ERROR (ar_preflight_validator_error_quark ())
GQuark ar_preflight_validator_error_quark (void);

typedef enum {
  AR_PREFLIGHT_VALIDATOR_ERROR_NO_SHELL, /* no sh to check the syntax with */
  AR_PREFLIGHT_VALIDATOR_ERROR_FAILED,   /* the check itself could not run */
} ArPreflightValidatorError;

typedef enum {
  AR_PREFLIGHT_SCRIPT_SINGLE,
  AR_PREFLIGHT_SCRIPT_CACHED,
  AR_PREFLIGHT_SCRIPT_RUN,
} ArPreflightScriptKind;

/* Stable machine ids of the warnings (CLI JSON, tests). */
#define AR_PREFLIGHT_WARNING_CACHED_USES_TASK_VARIABLE "cached-uses-task-variable"
#define AR_PREFLIGHT_WARNING_CACHED_USES_ENV_VAR "cached-uses-env-var"
#define AR_PREFLIGHT_WARNING_CACHED_DYNAMIC_TMP "cached-dynamic-tmp"
#define AR_PREFLIGHT_WARNING_RUN_INSTALLS_PACKAGES "run-installs-packages"
#define AR_PREFLIGHT_WARNING_CACHING_EMPTY_CACHED "caching-empty-cached"
#define AR_PREFLIGHT_WARNING_SINGLE_MODE_CACHING "single-mode-caching"
#define AR_PREFLIGHT_WARNING_SYNTAX_ERROR "syntax-error"
#define AR_PREFLIGHT_WARNING_TOO_DEEP "too-deeply-nested"

typedef struct {
  ArPreflightScriptKind script;
  guint line;    /* 1-based; 0 = the whole script or the environment */
  char *code;    /* one of AR_PREFLIGHT_WARNING_… */
  char *message; /* one translated sentence, without the script and line */
} ArPreflightWarning;

#define AR_TYPE_PREFLIGHT_WARNING (ar_preflight_warning_get_type ())
GType ar_preflight_warning_get_type (void) G_GNUC_CONST;
ArPreflightWarning *ar_preflight_warning_copy (const ArPreflightWarning *warning);
void ar_preflight_warning_free (ArPreflightWarning *warning);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArPreflightWarning, ar_preflight_warning_free)

/* "single", "cached", "run" */
const char *ar_preflight_script_kind_to_string (ArPreflightScriptKind kind);
/* "Cached preflight, line 3: …" / "Cached preflight: …", translated. */
char *ar_preflight_warning_to_string (const ArPreflightWarning *warning);

/* Checks the scripts the environment's mode uses: in single mode the legacy
 * script, in split mode the cached and the run script; every non-empty one
 * is syntax-checked with `sh -n` (`bash -n` when its shebang names bash).
 * Returns the warnings ordered by script and line (element-type
 * ArPreflightWarning; empty when all is well), or NULL with @error when the
 * check itself could not run or was cancelled. Runs a subprocess: use the
 * async variant from the UI. */
GPtrArray *ar_preflight_validate (ArEnvironment *env,
                                  GCancellable *cancellable,
                                  GError **error);

/* Takes a snapshot of @env's scripts before it returns, so later edits do
 * not change what is checked. */
void ar_preflight_validate_async (ArEnvironment *env,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
GPtrArray *ar_preflight_validate_finish (GAsyncResult *result,
                                         GError **error);

G_END_DECLS
