/* ar-environment.h — one environment (design.md §2.1)
 *
 * The model/ folder (this is its main header). Owns what the app knows
 * without running anything: the environment and its store (file format,
 * migration, import), the Settings snapshot, the paths of the app's
 * folders, the task log and its tail, env/mount/port line checks, JSON
 * helpers and small shared utilities (ar-util). May use: GLib, GIO and
 * json-glib only, no other folder of src/; every other folder may use it.
 * Log domain: agents-runner-model.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "ar-util.h"

G_BEGIN_DECLS

typedef enum {
  AR_PREFLIGHT_MODE_SINGLE,
  AR_PREFLIGHT_MODE_SPLIT,
} ArPreflightMode;

/* workspace_type (design.md §2.1); stored as "none", "mounted", "cloned". */
typedef enum {
  AR_WORKSPACE_NONE,
  AR_WORKSPACE_MOUNTED,
  AR_WORKSPACE_CLONED,
} ArWorkspaceType;

#define AR_ENVIRONMENT_ERROR (ar_environment_error_quark ())
GQuark ar_environment_error_quark (void);

typedef enum {
  AR_ENVIRONMENT_ERROR_BAD_MOUNT,    /* not host:container[:ro|rw] */
  AR_ENVIRONMENT_ERROR_MISSING_PATH, /* a host folder that is not there */
} ArEnvironmentError;

/* One line of extra_mounts: host:container[:ro|rw], where host is an
 * absolute path (or ~/…) for a bind mount, or else a named volume. */
typedef enum {
  AR_MOUNT_BIND,
  AR_MOUNT_VOLUME,
} ArMountType;

typedef struct {
  ArMountType type;
  char *source; /* bind: the host path, ~ expanded; volume: its name */
  char *target; /* absolute path in the container */
  char *mode;   /* "ro", "rw", or NULL when not given */
} ArMount;

/* NULL with AR_ENVIRONMENT_ERROR_BAD_MOUNT when the text is not a mount;
 * nothing on disk is looked at. */
ArMount *ar_mount_parse (const char *text, GError **error);
void ar_mount_free (ArMount *mount);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArMount, ar_mount_free)

#define AR_TYPE_ENVIRONMENT (ar_environment_get_type ())
G_DECLARE_FINAL_TYPE (ArEnvironment, ar_environment, AR, ENVIRONMENT, GObject)

#define AR_ENVIRONMENT_FORMAT_VERSION 1
#define AR_DEFAULT_COLOR "emerald"
#define AR_DEFAULT_CONTAINER_WORKDIR "/home/midori-ai/workspace"
#define AR_DEFAULT_AGENT "codex"

ArEnvironment *ar_environment_new (void);
/* A fresh environment with a new `env-<8 hex>` id. */
ArEnvironment *ar_environment_new_with_id (void);
ArEnvironment *ar_environment_copy (ArEnvironment *self);
char *ar_environment_generate_id (void);

/* Validity helpers shared by the store, the CLI and the editor. */
gboolean ar_environment_is_valid_color (const char *color);
const char *const *ar_environment_colors (void);
gboolean ar_environment_is_valid_agent (const char *agent);
const char *const *ar_environment_agents (void);
gboolean ar_environment_is_valid_workspace_type (const char *type);
/* "none", "mounted", "cloned": the stored names, in enum order. */
const char *const *ar_workspace_type_ids (void);
const char *ar_workspace_type_to_string (ArWorkspaceType type);
gboolean ar_workspace_type_from_string (const char *str, ArWorkspaceType *type);
/* The name a user reads ("Mounted folder"), translated. */
const char *ar_workspace_type_display_name (ArWorkspaceType type);
/* TRUE for NULL and for text of only spaces, tabs and line breaks: such a
 * script does nothing and is never run, baked or written. */
gboolean ar_script_is_blank (const char *script);
const char *ar_preflight_mode_to_string (ArPreflightMode mode);
gboolean ar_preflight_mode_from_string (const char *str, ArPreflightMode *mode);
/* The default host config folder of an agent ("~/.codex"…), expanded. */
char *ar_environment_default_host_config_dir (const char *agent);

/* Plain accessors; each setter notifies its property. Strings are never NULL
 * on get (an unset string reads as ""). */
const char *ar_environment_get_env_id (ArEnvironment *self);
void ar_environment_set_env_id (ArEnvironment *self, const char *value);
const char *ar_environment_get_name (ArEnvironment *self);
void ar_environment_set_name (ArEnvironment *self, const char *value);
const char *ar_environment_get_color (ArEnvironment *self);
void ar_environment_set_color (ArEnvironment *self, const char *value);
const char *ar_environment_get_base_image (ArEnvironment *self);
void ar_environment_set_base_image (ArEnvironment *self, const char *value);
/* The stored name; ar_environment_get_workspace_kind() to compare. */
const char *ar_environment_get_workspace_type (ArEnvironment *self);
void ar_environment_set_workspace_type (ArEnvironment *self, const char *value);
ArWorkspaceType ar_environment_get_workspace_kind (ArEnvironment *self);
void ar_environment_set_workspace_kind (ArEnvironment *self, ArWorkspaceType type);
const char *ar_environment_get_workspace_target (ArEnvironment *self);
void ar_environment_set_workspace_target (ArEnvironment *self, const char *value);
const char *ar_environment_get_container_workdir (ArEnvironment *self);
void ar_environment_set_container_workdir (ArEnvironment *self, const char *value);
const char *ar_environment_get_agent_cli (ArEnvironment *self);
void ar_environment_set_agent_cli (ArEnvironment *self, const char *value);
const char *ar_environment_get_agent_cli_args (ArEnvironment *self);
void ar_environment_set_agent_cli_args (ArEnvironment *self, const char *value);
/* argv template for the `custom` agent; NULL-terminated, never NULL itself. */
const char *const *ar_environment_get_custom_command (ArEnvironment *self);
void ar_environment_set_custom_command (ArEnvironment *self, const char *const *argv);
const char *ar_environment_get_host_config_dir (ArEnvironment *self);
void ar_environment_set_host_config_dir (ArEnvironment *self, const char *value);
/* The engine its tasks run on, by its name in Preferences (design.md §9);
 * "" = the local engine. */
const char *ar_environment_get_engine (ArEnvironment *self);
void ar_environment_set_engine (ArEnvironment *self, const char *value);

/* env_vars is an ordered map, exposed as a NULL-terminated "NAME=VALUE" list. */
const char *const *ar_environment_get_env_vars (ArEnvironment *self);
void ar_environment_set_env_vars (ArEnvironment *self, const char *const *name_value);
/* The names only, in order (for the analyzer and validator). */
GStrv ar_environment_dup_env_var_names (ArEnvironment *self);
const char *const *ar_environment_get_extra_mounts (ArEnvironment *self);
void ar_environment_set_extra_mounts (ArEnvironment *self, const char *const *mounts);
const char *const *ar_environment_get_ports (ArEnvironment *self);
void ar_environment_set_ports (ArEnvironment *self, const char *const *ports);
int ar_environment_get_max_agents_running (ArEnvironment *self);
void ar_environment_set_max_agents_running (ArEnvironment *self, int value);

gboolean ar_environment_get_headless_desktop_enabled (ArEnvironment *self);
void ar_environment_set_headless_desktop_enabled (ArEnvironment *self, gboolean value);
gboolean ar_environment_get_cache_desktop_build (ArEnvironment *self);
void ar_environment_set_cache_desktop_build (ArEnvironment *self, gboolean value);
gboolean ar_environment_get_cache_container_build (ArEnvironment *self);
void ar_environment_set_cache_container_build (ArEnvironment *self, gboolean value);
const char *ar_environment_get_cached_preflight_script (ArEnvironment *self);
void ar_environment_set_cached_preflight_script (ArEnvironment *self, const char *value);
const char *ar_environment_get_run_preflight_script (ArEnvironment *self);
void ar_environment_set_run_preflight_script (ArEnvironment *self, const char *value);
ArPreflightMode ar_environment_get_preflight_mode (ArEnvironment *self);
void ar_environment_set_preflight_mode (ArEnvironment *self, ArPreflightMode mode);
gboolean ar_environment_get_preflight_enabled (ArEnvironment *self);
void ar_environment_set_preflight_enabled (ArEnvironment *self, gboolean value);
const char *ar_environment_get_preflight_script (ArEnvironment *self);
void ar_environment_set_preflight_script (ArEnvironment *self, const char *value);

/* The entry's "version" as read from disk (1 for new ones). */
int ar_environment_get_version (ArEnvironment *self);
void ar_environment_set_version (ArEnvironment *self, int version);

/* Keys this version does not know, kept verbatim and written back (§2.3).
 * Also holds the raw value of a known field whose type was wrong on load;
 * that raw value is written back until the field is set again. */
JsonObject *ar_environment_get_extra (ArEnvironment *self);

/* Warnings recorded while loading or migrating (§2.4), plus the live
 * "caching is on but the cached preflight is empty" check. */
GStrv ar_environment_dup_warnings (ArEnvironment *self);
void ar_environment_add_load_warning (ArEnvironment *self, const char *warning);
void ar_environment_clear_load_warnings (ArEnvironment *self);

/* The one rule for the cached preflight (design.md §2.2): it is in use when the
 * mode is split and the script is not blank. */
gboolean ar_environment_uses_cached_preflight (ArEnvironment *self);
/* True when an environment layer would be built (design.md §3.1): the cached
 * preflight is in use and caching is on. */
gboolean ar_environment_wants_env_layer (ArEnvironment *self);
/* Whether the cached preflight runs at task start: in use, and not baked
 * into the image the task runs on (caching off, or the layer failed). */
gboolean ar_environment_runs_cached_preflight_at_start (ArEnvironment *self,
                                                        gboolean baked);
/* True when a desktop layer would be built (design.md §3.1). */
gboolean ar_environment_wants_desktop_layer (ArEnvironment *self);

G_END_DECLS
