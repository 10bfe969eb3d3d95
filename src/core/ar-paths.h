/* ar-paths.h — where things live on disk (SPEC §1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/agents-runner/environments.json */
char *ar_paths_environments_file (void);
/* $XDG_STATE_HOME/agents-runner */
char *ar_paths_state_dir (void);
/* $XDG_STATE_HOME/agents-runner/tasks */
char *ar_paths_tasks_dir (void);
/* $XDG_CACHE_HOME/agents-runner */
char *ar_paths_cache_dir (void);
/* $XDG_CACHE_HOME/agents-runner/run */
char *ar_paths_run_dir (void);
/* ~/.midoriai/agents-runner, where the earlier tool kept its files */
char *ar_paths_legacy_dir (void);

G_END_DECLS
