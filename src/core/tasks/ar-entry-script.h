/* ar-entry-script.h — the generated POSIX entry script of a task (design.md §4.2)
 *
 * The container runs `/bin/sh /tmp/agents-runner/entry.sh <agent argv…>`.
 * The script runs, in order, the Settings preflight, the cached preflight
 * (when it is not baked into the image), the run preflight (or the legacy
 * single preflight), each through the interpreter of its `#!` line when
 * that interpreter exists, else /bin/sh; the first failure stops with that
 * exit status and a log line naming the step. Then the desktop, if wanted
 * (its failures are warnings: the agent still runs), then `exec "$@"`: the
 * agent argv arrives as separate arguments and no shell ever parses it.
 * What a shell step exports reaches the later steps and the agent byte for
 * byte, handed on as NUL-separated records that no shell ever parses (the
 * generated script's first comment says how).
 *
 * The script holds no user data at all, only the fixed file names below,
 * and finds its scripts next to itself, so it can be tested on the host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the scratch folder is mounted (read-only) in the container. */
#define AR_ENTRY_CONTAINER_DIR "/tmp/agents-runner"

#define AR_ENTRY_SCRIPT_FILE "entry.sh"
#define AR_ENTRY_SETTINGS_PREFLIGHT_FILE "settings-preflight.sh"
#define AR_ENTRY_CACHED_PREFLIGHT_FILE "cached-preflight.sh"
#define AR_ENTRY_RUN_PREFLIGHT_FILE "run-preflight.sh"
#define AR_ENTRY_DESKTOP_INSTALL_FILE "desktop-install.sh"
#define AR_ENTRY_DESKTOP_START_FILE "desktop-start.sh"
/* Copy mode with git in the image (design.md §4.2): the workspace cloned
 * inside the container, into the workdir, before the preflights; the URL
 * (no credentials) in the second file; credentials in AR_GIT_USERNAME and
 * AR_GIT_PASSWORD, printed for git by the askpass script, and unset
 * before the preflights and the agent. */
#define AR_ENTRY_CLONE_FILE "clone.sh"
#define AR_ENTRY_CLONE_URL_FILE "clone-url"
#define AR_ENTRY_ASKPASS_FILE "askpass.sh"

/* The first line the script prints: how the runner knows the container
 * is up (the engine itself says nothing when a container starts). */
#define AR_ENTRY_STARTED_LINE "[task/container][INFO] container started"

/* Printed once the desktop's start script succeeded (it returns when noVNC
 * answers): how the runner knows the desktop can be opened. */
#define AR_ENTRY_DESKTOP_STARTED_LINE "[desktop/start][INFO] desktop started"

typedef struct {
  gboolean settings_preflight;      /* settings-preflight.sh */
  gboolean cached_preflight;        /* cached-preflight.sh: not baked */
  gboolean run_preflight;           /* run-preflight.sh */
  gboolean run_preflight_is_legacy; /* it holds the single-mode script: log "preflight" */
  gboolean desktop_install;         /* desktop-install.sh: the layer is not baked */
  gboolean desktop_start;           /* desktop-start.sh, then DISPLAY=:1 for the agent */
  /* Make and enter $AGENTS_RUNNER_WORKDIR first: podman refuses a -w that
   * the image lacks, where docker makes it. */
  gboolean enter_workdir;
} ArEntrySteps;

/* The text of entry.sh for these steps. */
char *ar_entry_script_generate (const ArEntrySteps *steps);

/* Whether a whole line of the container's output (@len bytes of @text, no
 * line end) is the script's marker line @marker (AR_ENTRY_…_LINE). */
gboolean ar_entry_script_is_line (const char *text, gsize len, const char *marker);
/* The same for a line of a terminal (an interactive task's): its escapes
 * and control characters (the "\r" of "\r\n" too) left out, as the log
 * leaves them out (ar_log_strip_ansi), and what the terminal echoed before
 * the marker (keys typed while the script ran) too. */
gboolean ar_entry_script_is_terminal_line (const char *text, gsize len, const char *marker);

/* The names the log uses for the steps ("cached preflight", …). */
const char *ar_entry_step_name_settings (void);
const char *ar_entry_step_name_cached (void);
const char *ar_entry_step_name_run (gboolean legacy);

G_END_DECLS
