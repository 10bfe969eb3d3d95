/* ar-env-import.h — import environments from files (design.md §2.5)
 *
 * Accepts the earlier tool's environments.json ({"environments":[…]} or a
 * bare list), its environment-<id>.json files (one entry), this app's own
 * file, and the single entry that `env export` prints.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-env-store.h"

G_BEGIN_DECLS

typedef struct {
  GPtrArray *added;    /* env ids */
  GPtrArray *replaced; /* env ids */
  GPtrArray *skipped;  /* "id: reason" */
  GPtrArray *renamed;  /* "old → new" */
  GPtrArray *warnings; /* what loading the entries reported */
} ArImportSummary;

ArImportSummary *ar_import_summary_new (void);
void ar_import_summary_free (ArImportSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArImportSummary, ar_import_summary_free)

/* Applies the earlier tool's field mapping to one loaded entry:
 * codex_extra_args → agent_cli_args when that is empty, host_workdir with
 * workspace_type none → a mounted workspace. The original keys stay in the
 * extra store, so an export writes them again. */
void ar_env_import_map_legacy_fields (ArEnvironment *env);

/* Reads path and adds its entries to store (in memory; the caller saves).
 * An id that exists is skipped unless replace. Fails only when the file
 * cannot be read or is not one of the accepted shapes. */
ArImportSummary *ar_env_import_file (ArEnvStore *store,
                                     const char *path,
                                     gboolean replace,
                                     GError **error);

G_END_DECLS
