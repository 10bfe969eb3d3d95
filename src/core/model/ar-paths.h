/* ar-paths.h — where things live on disk (design.md §1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/agents-runner/environments.json */
char *ar_paths_environments_file (void);
/* $XDG_CONFIG_HOME/agents-runner/install-id: beside environments.json */
char *ar_paths_install_id_file (void);
/* This install's stable id (a random UUID), which labels every image it
 * builds (design.md §3.6): read from ar_paths_install_id_file(), created there
 * once when missing. Two processes creating it at once agree: the file
 * appears whole (written aside, then linked into place) and whoever comes
 * second reads the first one's. NULL with an error when it can neither be
 * read nor created. */
char *ar_paths_dup_install_id (GError **error);

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
