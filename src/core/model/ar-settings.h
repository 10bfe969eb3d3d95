/* ar-settings.h — the Preferences that the core reads (design.md §7)
 *
 * A plain snapshot, so that a task is not changed by edits made while it
 * runs and tests can set values without GSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AR_SETTINGS_SCHEMA_ID "io.github.agents_runner.AgentsRunner"
#define AR_DEFAULT_BASE_IMAGE "lunamidori5/pixelarch:emerald"

typedef enum {
  AR_PULL_MISSING,
  AR_PULL_ALWAYS,
  AR_PULL_NEVER,
} ArPullPolicy;

typedef struct {
  char *default_base_image;
  char *engine;         /* "auto" | "docker" | "podman" */
  char *engine_host;    /* "" = the CLI's own DOCKER_HOST / context */
  char *engine_folders; /* "auto" | "shared" | "not-shared" (ar_engine_folders_from_string) */
  ArPullPolicy pull_policy;
  guint build_timeout;        /* seconds */
  int max_concurrent_tasks;   /* -1 = unlimited */
  gboolean preflight_enabled; /* the Settings-wide preflight */
  char *preflight_script;
  char *codex_config_dir; /* "" = ~/.codex, likewise below */
  char *claude_config_dir;
  char *copilot_config_dir;
  char *gemini_config_dir;
  char *desktop_scripts_dir; /* "" = the bundled scripts */
} ArSettings;

/* The defaults of the schema. */
ArSettings *ar_settings_new_default (void);
/* Read from GSettings when the schema is installed, else the defaults. */
ArSettings *ar_settings_new_from_gsettings (void);
ArSettings *ar_settings_copy (const ArSettings *settings);
void ar_settings_free (ArSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArSettings, ar_settings_free)

const char *ar_pull_policy_to_string (ArPullPolicy policy);
gboolean ar_pull_policy_from_string (const char *str, ArPullPolicy *policy);

/* The host folder for an agent's config: the environment's own value, else
 * the Settings one, else ~/.<agent>. "" for custom. */
char *ar_settings_agent_config_dir (const ArSettings *settings,
                                    const char *agent,
                                    const char *env_value);

/* The bundled desktop scripts (data/desktop), or the Settings folder. */
char *ar_settings_desktop_scripts_dir (const ArSettings *settings);

G_END_DECLS
