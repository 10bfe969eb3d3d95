/* ar-environment.c — the ArEnvironment object: its properties, change
 * notification, copies and warnings (what the fields may hold is
 * ar-environment-values.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ar-environment.h"
#include "ar-json.h"

struct _ArEnvironment {
  GObject parent_instance;

  char *env_id;
  char *name;
  char *color;
  char *base_image;
  ArWorkspaceType workspace_type;
  char *workspace_target;
  char *container_workdir;
  char *agent_cli;
  char *agent_cli_args;
  GStrv custom_command;
  char *host_config_dir;
  char *engine;
  GStrv env_vars;
  GStrv extra_mounts;
  GStrv ports;
  int max_agents_running;
  gboolean headless_desktop_enabled;
  gboolean cache_desktop_build;
  gboolean cache_container_build;
  char *cached_preflight_script;
  char *run_preflight_script;
  ArPreflightMode preflight_mode;
  gboolean preflight_enabled;
  char *preflight_script;
  int version;

  JsonObject *extra;
  GPtrArray *load_warnings;
};

G_DEFINE_FINAL_TYPE (ArEnvironment, ar_environment, G_TYPE_OBJECT)

/* clang-format off */
G_DEFINE_QUARK (ar-environment-error-quark, ar_environment_error)
/* clang-format on */

enum {
  PROP_0,
  PROP_ENV_ID,
  PROP_NAME,
  PROP_COLOR,
  PROP_BASE_IMAGE,
  PROP_WORKSPACE_TYPE,
  PROP_WORKSPACE_TARGET,
  PROP_CONTAINER_WORKDIR,
  PROP_AGENT_CLI,
  PROP_AGENT_CLI_ARGS,
  PROP_CUSTOM_COMMAND,
  PROP_HOST_CONFIG_DIR,
  PROP_ENGINE,
  PROP_ENV_VARS,
  PROP_EXTRA_MOUNTS,
  PROP_PORTS,
  PROP_MAX_AGENTS_RUNNING,
  PROP_HEADLESS_DESKTOP_ENABLED,
  PROP_CACHE_DESKTOP_BUILD,
  PROP_CACHE_CONTAINER_BUILD,
  PROP_CACHED_PREFLIGHT_SCRIPT,
  PROP_RUN_PREFLIGHT_SCRIPT,
  PROP_PREFLIGHT_MODE,
  PROP_PREFLIGHT_ENABLED,
  PROP_PREFLIGHT_SCRIPT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The JSON key of each property; a field set again by the user drops the raw
 * value that a type error left in the extra store. */
static const char *const json_keys[N_PROPS] = {
  [PROP_ENV_ID] = "env_id",
  [PROP_NAME] = "name",
  [PROP_COLOR] = "color",
  [PROP_BASE_IMAGE] = "base_image",
  [PROP_WORKSPACE_TYPE] = "workspace_type",
  [PROP_WORKSPACE_TARGET] = "workspace_target",
  [PROP_CONTAINER_WORKDIR] = "container_workdir",
  [PROP_AGENT_CLI] = "agent_cli",
  [PROP_AGENT_CLI_ARGS] = "agent_cli_args",
  [PROP_CUSTOM_COMMAND] = "custom_command",
  [PROP_HOST_CONFIG_DIR] = "host_config_dir",
  [PROP_ENGINE] = "engine",
  [PROP_ENV_VARS] = "env_vars",
  [PROP_EXTRA_MOUNTS] = "extra_mounts",
  [PROP_PORTS] = "ports",
  [PROP_MAX_AGENTS_RUNNING] = "max_agents_running",
  [PROP_HEADLESS_DESKTOP_ENABLED] = "headless_desktop_enabled",
  [PROP_CACHE_DESKTOP_BUILD] = "cache_desktop_build",
  [PROP_CACHE_CONTAINER_BUILD] = "cache_container_build",
  [PROP_CACHED_PREFLIGHT_SCRIPT] = "cached_preflight_script",
  [PROP_RUN_PREFLIGHT_SCRIPT] = "run_preflight_script",
  [PROP_PREFLIGHT_MODE] = "preflight_mode",
  [PROP_PREFLIGHT_ENABLED] = "preflight_enabled",
  [PROP_PREFLIGHT_SCRIPT] = "preflight_script",
};

static const char *const empty_strv[] = { NULL };

static void
replace_str (char **field, const char *value)
{
  g_free (*field);
  *field = g_strdup (value != NULL ? value : "");
}

static void
replace_strv (GStrv *field, const char *const *value)
{
  g_strfreev (*field);
  *field = g_strdupv ((char **) (value != NULL ? value : empty_strv));
}

static gboolean
str_equal (const char *a, const char *b)
{
  return g_strcmp0 (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static gboolean
strv_equal (const char *const *a, const char *const *b)
{
  return g_strv_equal (a != NULL ? a : empty_strv, b != NULL ? b : empty_strv);
}

static void
changed (ArEnvironment *self, guint prop_id)
{
  if (json_object_has_member (self->extra, json_keys[prop_id]))
    json_object_remove_member (self->extra, json_keys[prop_id]);
  if (prop_id == PROP_CACHE_CONTAINER_BUILD &&
      json_object_has_member (self->extra, "container_caching_enabled"))
    json_object_remove_member (self->extra, "container_caching_enabled");
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

#define DEFINE_STR_PROP(field, PROP)                                       \
  const char *ar_environment_get_##field (ArEnvironment *self)             \
  {                                                                        \
    g_return_val_if_fail (AR_IS_ENVIRONMENT (self), "");                   \
    return self->field;                                                    \
  }                                                                        \
  void ar_environment_set_##field (ArEnvironment *self, const char *value) \
  {                                                                        \
    g_return_if_fail (AR_IS_ENVIRONMENT (self));                           \
    if (str_equal (self->field, value))                                    \
      return;                                                              \
    replace_str (&self->field, value);                                     \
    changed (self, PROP);                                                  \
  }

#define DEFINE_STRV_PROP(field, PROP)                                             \
  const char *const *ar_environment_get_##field (ArEnvironment *self)             \
  {                                                                               \
    g_return_val_if_fail (AR_IS_ENVIRONMENT (self), empty_strv);                  \
    return (const char *const *) self->field;                                     \
  }                                                                               \
  void ar_environment_set_##field (ArEnvironment *self, const char *const *value) \
  {                                                                               \
    g_return_if_fail (AR_IS_ENVIRONMENT (self));                                  \
    if (strv_equal ((const char *const *) self->field, value))                    \
      return;                                                                     \
    replace_strv (&self->field, value);                                           \
    changed (self, PROP);                                                         \
  }

#define DEFINE_SCALAR_PROP(type, field, PROP)                       \
  type ar_environment_get_##field (ArEnvironment *self)             \
  {                                                                 \
    g_return_val_if_fail (AR_IS_ENVIRONMENT (self), (type) 0);      \
    return self->field;                                             \
  }                                                                 \
  void ar_environment_set_##field (ArEnvironment *self, type value) \
  {                                                                 \
    g_return_if_fail (AR_IS_ENVIRONMENT (self));                    \
    if (self->field == value)                                       \
      return;                                                       \
    self->field = value;                                            \
    changed (self, PROP);                                           \
  }

DEFINE_STR_PROP (env_id, PROP_ENV_ID)
DEFINE_STR_PROP (name, PROP_NAME)
DEFINE_STR_PROP (base_image, PROP_BASE_IMAGE)
DEFINE_STR_PROP (workspace_target, PROP_WORKSPACE_TARGET)
DEFINE_STR_PROP (container_workdir, PROP_CONTAINER_WORKDIR)
DEFINE_STR_PROP (agent_cli_args, PROP_AGENT_CLI_ARGS)
DEFINE_STR_PROP (host_config_dir, PROP_HOST_CONFIG_DIR)
DEFINE_STR_PROP (engine, PROP_ENGINE)
DEFINE_STR_PROP (cached_preflight_script, PROP_CACHED_PREFLIGHT_SCRIPT)
DEFINE_STR_PROP (run_preflight_script, PROP_RUN_PREFLIGHT_SCRIPT)
DEFINE_STR_PROP (preflight_script, PROP_PREFLIGHT_SCRIPT)
DEFINE_STRV_PROP (custom_command, PROP_CUSTOM_COMMAND)
DEFINE_STRV_PROP (env_vars, PROP_ENV_VARS)
DEFINE_STRV_PROP (extra_mounts, PROP_EXTRA_MOUNTS)
DEFINE_STRV_PROP (ports, PROP_PORTS)
DEFINE_SCALAR_PROP (int, max_agents_running, PROP_MAX_AGENTS_RUNNING)
DEFINE_SCALAR_PROP (gboolean, headless_desktop_enabled, PROP_HEADLESS_DESKTOP_ENABLED)
DEFINE_SCALAR_PROP (gboolean, cache_desktop_build, PROP_CACHE_DESKTOP_BUILD)
DEFINE_SCALAR_PROP (gboolean, cache_container_build, PROP_CACHE_CONTAINER_BUILD)
DEFINE_SCALAR_PROP (ArPreflightMode, preflight_mode, PROP_PREFLIGHT_MODE)
DEFINE_SCALAR_PROP (gboolean, preflight_enabled, PROP_PREFLIGHT_ENABLED)

/* Color, workspace type and agent have closed sets; anything else keeps the
 * current value (the store reports the bad value as a warning). */
const char *
ar_environment_get_color (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), AR_DEFAULT_COLOR);
  return self->color;
}

void
ar_environment_set_color (ArEnvironment *self, const char *value)
{
  g_return_if_fail (AR_IS_ENVIRONMENT (self));
  if (!ar_environment_is_valid_color (value) || str_equal (self->color, value))
    return;
  replace_str (&self->color, value);
  changed (self, PROP_COLOR);
}

const char *
ar_environment_get_workspace_type (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), "none");
  return ar_workspace_type_to_string (self->workspace_type);
}

void
ar_environment_set_workspace_type (ArEnvironment *self, const char *value)
{
  ArWorkspaceType type;

  g_return_if_fail (AR_IS_ENVIRONMENT (self));
  if (ar_workspace_type_from_string (value, &type))
    ar_environment_set_workspace_kind (self, type);
}

ArWorkspaceType
ar_environment_get_workspace_kind (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), AR_WORKSPACE_NONE);
  return self->workspace_type;
}

void
ar_environment_set_workspace_kind (ArEnvironment *self, ArWorkspaceType type)
{
  g_return_if_fail (AR_IS_ENVIRONMENT (self));
  g_return_if_fail (type <= AR_WORKSPACE_CLONED);
  if (self->workspace_type == type)
    return;
  self->workspace_type = type;
  changed (self, PROP_WORKSPACE_TYPE);
}

const char *
ar_environment_get_agent_cli (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), AR_DEFAULT_AGENT);
  return self->agent_cli;
}

void
ar_environment_set_agent_cli (ArEnvironment *self, const char *value)
{
  g_return_if_fail (AR_IS_ENVIRONMENT (self));
  if (!ar_environment_is_valid_agent (value) || str_equal (self->agent_cli, value))
    return;
  replace_str (&self->agent_cli, value);
  changed (self, PROP_AGENT_CLI);
}

GStrv
ar_environment_dup_env_var_names (ArEnvironment *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), NULL);

  for (guint i = 0; self->env_vars[i] != NULL; i++)
    {
      const char *eq = strchr (self->env_vars[i], '=');
      g_autofree char *name = eq ? g_strndup (self->env_vars[i], eq - self->env_vars[i])
                                 : g_strdup (self->env_vars[i]);
      g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}

int
ar_environment_get_version (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), AR_ENVIRONMENT_FORMAT_VERSION);
  return self->version;
}

void
ar_environment_set_version (ArEnvironment *self, int version)
{
  g_return_if_fail (AR_IS_ENVIRONMENT (self));
  self->version = version;
}

JsonObject *
ar_environment_get_extra (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), NULL);
  return self->extra;
}

void
ar_environment_add_load_warning (ArEnvironment *self, const char *warning)
{
  g_return_if_fail (AR_IS_ENVIRONMENT (self));
  g_ptr_array_add (self->load_warnings, g_strdup (warning));
}

void
ar_environment_clear_load_warnings (ArEnvironment *self)
{
  g_return_if_fail (AR_IS_ENVIRONMENT (self));
  g_ptr_array_set_size (self->load_warnings, 0);
}

GStrv
ar_environment_dup_warnings (ArEnvironment *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), NULL);

  for (guint i = 0; i < self->load_warnings->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->load_warnings, i));

  /* A live check, so it disappears as soon as the user fills the script. */
  if (self->cache_container_build && ar_script_is_blank (self->cached_preflight_script))
    g_strv_builder_add (builder, _ ("container caching is on but the cached preflight is empty: nothing will be cached"));
  if (self->cache_container_build && self->preflight_mode == AR_PREFLIGHT_MODE_SINGLE)
    g_strv_builder_add (builder, _ ("container caching is on but the preflight mode is single: split the preflight to get a cached image"));

  return g_strv_builder_end (builder);
}

gboolean
ar_environment_wants_desktop_layer (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), FALSE);
  return self->headless_desktop_enabled && self->cache_desktop_build;
}

gboolean
ar_environment_uses_cached_preflight (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), FALSE);
  return self->preflight_mode == AR_PREFLIGHT_MODE_SPLIT &&
         !ar_script_is_blank (self->cached_preflight_script);
}

gboolean
ar_environment_wants_env_layer (ArEnvironment *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), FALSE);
  return self->cache_container_build && ar_environment_uses_cached_preflight (self);
}

gboolean
ar_environment_runs_cached_preflight_at_start (ArEnvironment *self, gboolean baked)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), FALSE);
  return ar_environment_uses_cached_preflight (self) && !baked;
}

ArEnvironment *
ar_environment_new (void)
{
  return g_object_new (AR_TYPE_ENVIRONMENT, NULL);
}

ArEnvironment *
ar_environment_new_with_id (void)
{
  g_autofree char *id = ar_environment_generate_id ();

  return g_object_new (AR_TYPE_ENVIRONMENT, "env-id", id, NULL);
}

ArEnvironment *
ar_environment_copy (ArEnvironment *self)
{
  ArEnvironment *copy = ar_environment_new ();

  g_return_val_if_fail (AR_IS_ENVIRONMENT (self), NULL);

  for (guint i = 1; i < N_PROPS; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_value_init (&value, properties[i]->value_type);
      g_object_get_property (G_OBJECT (self), properties[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), properties[i]->name, &value);
    }
  copy->version = self->version;

  /* Raw values of mistyped fields come along last: the setters above drop
   * them, and the copy must write back exactly what the original would. */
  json_object_unref (copy->extra);
  copy->extra = ar_json_object_copy (self->extra);
  for (guint i = 0; i < self->load_warnings->len; i++)
    g_ptr_array_add (copy->load_warnings, g_strdup (g_ptr_array_index (self->load_warnings, i)));

  return copy;
}

static void
ar_environment_finalize (GObject *object)
{
  ArEnvironment *self = AR_ENVIRONMENT (object);

  g_free (self->env_id);
  g_free (self->name);
  g_free (self->color);
  g_free (self->base_image);
  g_free (self->workspace_target);
  g_free (self->container_workdir);
  g_free (self->agent_cli);
  g_free (self->agent_cli_args);
  g_strfreev (self->custom_command);
  g_free (self->host_config_dir);
  g_free (self->engine);
  g_strfreev (self->env_vars);
  g_strfreev (self->extra_mounts);
  g_strfreev (self->ports);
  g_free (self->cached_preflight_script);
  g_free (self->run_preflight_script);
  g_free (self->preflight_script);
  json_object_unref (self->extra);
  g_ptr_array_unref (self->load_warnings);

  G_OBJECT_CLASS (ar_environment_parent_class)->finalize (object);
}

static void
ar_environment_get_property (GObject *object,
                             guint prop_id,
                             GValue *value,
                             GParamSpec *pspec)
{
  ArEnvironment *self = AR_ENVIRONMENT (object);

  switch (prop_id)
    {
    case PROP_ENV_ID: g_value_set_string (value, self->env_id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_COLOR: g_value_set_string (value, self->color); break;
    case PROP_BASE_IMAGE: g_value_set_string (value, self->base_image); break;
    case PROP_WORKSPACE_TYPE: g_value_set_string (value, ar_workspace_type_to_string (self->workspace_type)); break;
    case PROP_WORKSPACE_TARGET: g_value_set_string (value, self->workspace_target); break;
    case PROP_CONTAINER_WORKDIR: g_value_set_string (value, self->container_workdir); break;
    case PROP_AGENT_CLI: g_value_set_string (value, self->agent_cli); break;
    case PROP_AGENT_CLI_ARGS: g_value_set_string (value, self->agent_cli_args); break;
    case PROP_CUSTOM_COMMAND: g_value_set_boxed (value, self->custom_command); break;
    case PROP_HOST_CONFIG_DIR: g_value_set_string (value, self->host_config_dir); break;
    case PROP_ENGINE: g_value_set_string (value, self->engine); break;
    case PROP_ENV_VARS: g_value_set_boxed (value, self->env_vars); break;
    case PROP_EXTRA_MOUNTS: g_value_set_boxed (value, self->extra_mounts); break;
    case PROP_PORTS: g_value_set_boxed (value, self->ports); break;
    case PROP_MAX_AGENTS_RUNNING: g_value_set_int (value, self->max_agents_running); break;
    case PROP_HEADLESS_DESKTOP_ENABLED: g_value_set_boolean (value, self->headless_desktop_enabled); break;
    case PROP_CACHE_DESKTOP_BUILD: g_value_set_boolean (value, self->cache_desktop_build); break;
    case PROP_CACHE_CONTAINER_BUILD: g_value_set_boolean (value, self->cache_container_build); break;
    case PROP_CACHED_PREFLIGHT_SCRIPT: g_value_set_string (value, self->cached_preflight_script); break;
    case PROP_RUN_PREFLIGHT_SCRIPT: g_value_set_string (value, self->run_preflight_script); break;
    case PROP_PREFLIGHT_MODE: g_value_set_string (value, ar_preflight_mode_to_string (self->preflight_mode)); break;
    case PROP_PREFLIGHT_ENABLED: g_value_set_boolean (value, self->preflight_enabled); break;
    case PROP_PREFLIGHT_SCRIPT: g_value_set_string (value, self->preflight_script); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_environment_set_property (GObject *object,
                             guint prop_id,
                             const GValue *value,
                             GParamSpec *pspec)
{
  ArEnvironment *self = AR_ENVIRONMENT (object);

  switch (prop_id)
    {
    case PROP_ENV_ID: ar_environment_set_env_id (self, g_value_get_string (value)); break;
    case PROP_NAME: ar_environment_set_name (self, g_value_get_string (value)); break;
    case PROP_COLOR: ar_environment_set_color (self, g_value_get_string (value)); break;
    case PROP_BASE_IMAGE: ar_environment_set_base_image (self, g_value_get_string (value)); break;
    case PROP_WORKSPACE_TYPE: ar_environment_set_workspace_type (self, g_value_get_string (value)); break;
    case PROP_WORKSPACE_TARGET: ar_environment_set_workspace_target (self, g_value_get_string (value)); break;
    case PROP_CONTAINER_WORKDIR: ar_environment_set_container_workdir (self, g_value_get_string (value)); break;
    case PROP_AGENT_CLI: ar_environment_set_agent_cli (self, g_value_get_string (value)); break;
    case PROP_AGENT_CLI_ARGS: ar_environment_set_agent_cli_args (self, g_value_get_string (value)); break;
    case PROP_CUSTOM_COMMAND: ar_environment_set_custom_command (self, g_value_get_boxed (value)); break;
    case PROP_HOST_CONFIG_DIR: ar_environment_set_host_config_dir (self, g_value_get_string (value)); break;
    case PROP_ENGINE: ar_environment_set_engine (self, g_value_get_string (value)); break;
    case PROP_ENV_VARS: ar_environment_set_env_vars (self, g_value_get_boxed (value)); break;
    case PROP_EXTRA_MOUNTS: ar_environment_set_extra_mounts (self, g_value_get_boxed (value)); break;
    case PROP_PORTS: ar_environment_set_ports (self, g_value_get_boxed (value)); break;
    case PROP_MAX_AGENTS_RUNNING: ar_environment_set_max_agents_running (self, g_value_get_int (value)); break;
    case PROP_HEADLESS_DESKTOP_ENABLED: ar_environment_set_headless_desktop_enabled (self, g_value_get_boolean (value)); break;
    case PROP_CACHE_DESKTOP_BUILD: ar_environment_set_cache_desktop_build (self, g_value_get_boolean (value)); break;
    case PROP_CACHE_CONTAINER_BUILD: ar_environment_set_cache_container_build (self, g_value_get_boolean (value)); break;
    case PROP_CACHED_PREFLIGHT_SCRIPT: ar_environment_set_cached_preflight_script (self, g_value_get_string (value)); break;
    case PROP_RUN_PREFLIGHT_SCRIPT: ar_environment_set_run_preflight_script (self, g_value_get_string (value)); break;
    case PROP_PREFLIGHT_MODE:
      {
        ArPreflightMode mode;
        if (ar_preflight_mode_from_string (g_value_get_string (value), &mode))
          ar_environment_set_preflight_mode (self, mode);
      }
      break;
    case PROP_PREFLIGHT_ENABLED: ar_environment_set_preflight_enabled (self, g_value_get_boolean (value)); break;
    case PROP_PREFLIGHT_SCRIPT: ar_environment_set_preflight_script (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
str_pspec (const char *name, const char *def)
{
  return g_param_spec_string (name, NULL, NULL, def,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
strv_pspec (const char *name)
{
  return g_param_spec_boxed (name, NULL, NULL, G_TYPE_STRV,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
bool_pspec (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE,
                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
ar_environment_class_init (ArEnvironmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ar_environment_finalize;
  object_class->get_property = ar_environment_get_property;
  object_class->set_property = ar_environment_set_property;

  properties[PROP_ENV_ID] = str_pspec ("env-id", "");
  properties[PROP_NAME] = str_pspec ("name", "");
  properties[PROP_COLOR] = str_pspec ("color", AR_DEFAULT_COLOR);
  properties[PROP_BASE_IMAGE] = str_pspec ("base-image", "");
  properties[PROP_WORKSPACE_TYPE] = str_pspec ("workspace-type", "none");
  properties[PROP_WORKSPACE_TARGET] = str_pspec ("workspace-target", "");
  properties[PROP_CONTAINER_WORKDIR] = str_pspec ("container-workdir", AR_DEFAULT_CONTAINER_WORKDIR);
  properties[PROP_AGENT_CLI] = str_pspec ("agent-cli", AR_DEFAULT_AGENT);
  properties[PROP_AGENT_CLI_ARGS] = str_pspec ("agent-cli-args", "");
  properties[PROP_CUSTOM_COMMAND] = strv_pspec ("custom-command");
  properties[PROP_HOST_CONFIG_DIR] = str_pspec ("host-config-dir", "");
  properties[PROP_ENGINE] = str_pspec ("engine", "");
  properties[PROP_ENV_VARS] = strv_pspec ("env-vars");
  properties[PROP_EXTRA_MOUNTS] = strv_pspec ("extra-mounts");
  properties[PROP_PORTS] = strv_pspec ("ports");
  properties[PROP_MAX_AGENTS_RUNNING] =
    g_param_spec_int ("max-agents-running", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HEADLESS_DESKTOP_ENABLED] = bool_pspec ("headless-desktop-enabled");
  properties[PROP_CACHE_DESKTOP_BUILD] = bool_pspec ("cache-desktop-build");
  properties[PROP_CACHE_CONTAINER_BUILD] = bool_pspec ("cache-container-build");
  properties[PROP_CACHED_PREFLIGHT_SCRIPT] = str_pspec ("cached-preflight-script", "");
  properties[PROP_RUN_PREFLIGHT_SCRIPT] = str_pspec ("run-preflight-script", "");
  properties[PROP_PREFLIGHT_MODE] = str_pspec ("preflight-mode", "single");
  properties[PROP_PREFLIGHT_ENABLED] = bool_pspec ("preflight-enabled");
  properties[PROP_PREFLIGHT_SCRIPT] = str_pspec ("preflight-script", "");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ar_environment_init (ArEnvironment *self)
{
  self->env_id = g_strdup ("");
  self->name = g_strdup ("");
  self->color = g_strdup (AR_DEFAULT_COLOR);
  self->base_image = g_strdup ("");
  self->workspace_type = AR_WORKSPACE_NONE;
  self->workspace_target = g_strdup ("");
  self->container_workdir = g_strdup (AR_DEFAULT_CONTAINER_WORKDIR);
  self->agent_cli = g_strdup (AR_DEFAULT_AGENT);
  self->agent_cli_args = g_strdup ("");
  self->custom_command = g_new0 (char *, 1);
  self->host_config_dir = g_strdup ("");
  self->engine = g_strdup ("");
  self->env_vars = g_new0 (char *, 1);
  self->extra_mounts = g_new0 (char *, 1);
  self->ports = g_new0 (char *, 1);
  self->max_agents_running = -1;
  self->cached_preflight_script = g_strdup ("");
  self->run_preflight_script = g_strdup ("");
  self->preflight_mode = AR_PREFLIGHT_MODE_SINGLE;
  self->preflight_script = g_strdup ("");
  self->version = AR_ENVIRONMENT_FORMAT_VERSION;
  self->extra = json_object_new ();
  self->load_warnings = g_ptr_array_new_with_free_func (g_free);
}
