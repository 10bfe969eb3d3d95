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

/* An engine beside the local one (design.md §7, §9). */
typedef struct {
  char *name;     /* unique, not "local" */
  char *endpoint; /* a DOCKER_HOST value (unix://, tcp://, ssh://, npipe://) or a docker context name */
  char *kind;     /* "docker" | "podman" */
  char *folders;  /* "auto" | "shared" | "not-shared" (ArEngineFolders) */
} ArEngineEntry;

/* The name of the engine of the engine and engine-host settings, always
 * there and the default: "" names it too. Shown as "Local". */
#define AR_LOCAL_ENGINE_NAME "local"

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
  GPtrArray *engines;        /* ArEngineEntry: the engines beside the local one */
} ArSettings;

/* The defaults of the schema. */
ArSettings *ar_settings_new_default (void);
/* Read from GSettings when the schema is installed, else the defaults. */
ArSettings *ar_settings_new_from_gsettings (void);
ArSettings *ar_settings_copy (const ArSettings *settings);
void ar_settings_free (ArSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArSettings, ar_settings_free)

ArEngineEntry *ar_engine_entry_new (const char *name,
                                    const char *endpoint,
                                    const char *kind,
                                    const char *folders);
ArEngineEntry *ar_engine_entry_copy (const ArEngineEntry *entry);
void ar_engine_entry_free (ArEngineEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArEngineEntry, ar_engine_entry_free)
gboolean ar_engine_entry_equal (const ArEngineEntry *a, const ArEngineEntry *b);

/* A DOCKER_HOST value (unix:///path, tcp://host:port, ssh://[user@]host,
 * npipe://…) or a docker context name; FALSE with a sentence saying what
 * is wrong (G_IO_ERROR_INVALID_ARGUMENT). */
gboolean ar_engine_entry_validate_endpoint (const char *endpoint, GError **error);
/* The whole entry as an addition to @settings' list (@replacing: the name
 * of the entry it replaces when edited, else NULL): a non-empty name that
 * no other engine has (nor "local"), a valid endpoint, kind and folders. */
gboolean ar_settings_validate_engine (const ArSettings *settings,
                                      const ArEngineEntry *entry,
                                      const char *replacing,
                                      GError **error);
/* "" and "local" (any case) name the local engine. */
gboolean ar_engine_name_is_local (const char *name);
/* The entry of that name; NULL for the local engine or an unknown name. */
const ArEngineEntry *ar_settings_find_engine (const ArSettings *settings, const char *name);
/* Whether @name is the local engine or one of the list. */
gboolean ar_settings_has_engine (const ArSettings *settings, const char *name);
/* The local engine and the others: 1 + engines->len. */
guint ar_settings_get_n_engines (const ArSettings *settings);
/* What the user reads: "Local" (translated) for the local engine, else the name. */
const char *ar_engine_display_name (const char *name);
/* The host to give the engine: the endpoint itself when it is a URL, else
 * the named docker context's host (read from the docker config, as the CLI
 * does); NULL with an error when there is no such context. */
char *ar_engine_entry_resolve_host (const ArEngineEntry *entry, GError **error);

/* The `engines` key: a(ssss) of name, endpoint, kind, folders. */
GVariant *ar_settings_engines_to_variant (GPtrArray *engines);
GPtrArray *ar_settings_engines_from_variant (GVariant *variant);

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
