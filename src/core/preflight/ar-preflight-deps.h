/* ar-preflight-deps.h — what each unit of a split uses and provides, and
 * the check that both parts still have everything they use (design.md §5.1,
 * "the guarantee"). Pure: no I/O, no GTK.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-preflight-analyzer.h"

G_BEGIN_DECLS

/* The facts of one unit, found by the analysis (ArPreflightUnit.deps):
 * variables set and read, functions defined and called, files and folders
 * by literal path, the working folder, shell state, a $? capture, and the
 * first secret, task variable or environment variable it reads. */
typedef struct _ArPreflightDeps ArPreflightDeps;

ArPreflightDeps *ar_preflight_deps_ref (ArPreflightDeps *deps);
void ar_preflight_deps_unref (ArPreflightDeps *deps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArPreflightDeps, ar_preflight_deps_unref)

/* Checks @units (with their current parts) against the guarantee:
 * (a) every unit of the cached part (CACHED or BOTH) finds what it uses in
 *     the cached part: variables, functions (also those its functions
 *     call), files and folders by literal path, the working folder, the
 *     virtualenv, a $? it captures;
 * (b) every unit of the run part (RUN or BOTH) finds its variables,
 *     functions, working folder, virtualenv and $? in the run part, and
 *     its files in either part (the image holds the cached part's files);
 * and nothing that reads a secret, a task variable or an environment's
 * env var is in the cached part. Units without facts (deps NULL) use
 * nothing. Returns TRUE when all hold; otherwise FALSE, and @problems (may
 * be NULL) gets one translated sentence per broken dependency, naming both
 * lines (element-type utf8, free with g_ptr_array_unref). */
gboolean ar_preflight_check_split (GPtrArray *units, GPtrArray **problems);

G_END_DECLS
