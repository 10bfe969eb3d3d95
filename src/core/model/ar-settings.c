/* ar-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-environment.h"
#include "ar-settings.h"

const char *
ar_pull_policy_to_string (ArPullPolicy policy)
{
  switch (policy)
    {
    case AR_PULL_ALWAYS: return "always";
    case AR_PULL_NEVER: return "never";
    case AR_PULL_MISSING:
    default: return "missing";
    }
}

gboolean
ar_pull_policy_from_string (const char *str, ArPullPolicy *policy)
{
  if (g_strcmp0 (str, "missing") == 0)
    *policy = AR_PULL_MISSING;
  else if (g_strcmp0 (str, "always") == 0)
    *policy = AR_PULL_ALWAYS;
  else if (g_strcmp0 (str, "never") == 0)
    *policy = AR_PULL_NEVER;
  else
    return FALSE;
  return TRUE;
}

ArSettings *
ar_settings_new_default (void)
{
  ArSettings *s = g_new0 (ArSettings, 1);

  s->default_base_image = g_strdup (AR_DEFAULT_BASE_IMAGE);
  s->engine = g_strdup ("auto");
  s->engine_host = g_strdup ("");
  s->engine_folders = g_strdup ("auto");
  s->pull_policy = AR_PULL_MISSING;
  s->build_timeout = 600;
  s->max_concurrent_tasks = -1;
  s->preflight_script = g_strdup ("");
  s->codex_config_dir = g_strdup ("");
  s->claude_config_dir = g_strdup ("");
  s->copilot_config_dir = g_strdup ("");
  s->gemini_config_dir = g_strdup ("");
  s->desktop_scripts_dir = g_strdup ("");
  return s;
}

ArSettings *
ar_settings_new_from_gsettings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) gs = NULL;
  g_autofree char *pull = NULL;
  ArSettings *s;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, AR_SETTINGS_SCHEMA_ID, TRUE);
  /* The CLI also runs from a build folder without an installed schema. */
  if (schema == NULL)
    return ar_settings_new_default ();

  gs = g_settings_new (AR_SETTINGS_SCHEMA_ID);
  s = g_new0 (ArSettings, 1);
  s->default_base_image = g_settings_get_string (gs, "default-base-image");
  if (s->default_base_image[0] == '\0')
    {
      g_free (s->default_base_image);
      s->default_base_image = g_strdup (AR_DEFAULT_BASE_IMAGE);
    }
  s->engine = g_settings_get_string (gs, "engine");
  s->engine_host = g_settings_get_string (gs, "engine-host");
  s->engine_folders = g_settings_get_string (gs, "engine-folders");
  pull = g_settings_get_string (gs, "pull-policy");
  if (!ar_pull_policy_from_string (pull, &s->pull_policy))
    s->pull_policy = AR_PULL_MISSING;
  s->build_timeout = g_settings_get_uint (gs, "build-timeout");
  s->max_concurrent_tasks = g_settings_get_int (gs, "max-concurrent-tasks");
  s->preflight_enabled = g_settings_get_boolean (gs, "preflight-enabled");
  s->preflight_script = g_settings_get_string (gs, "preflight-script");
  s->codex_config_dir = g_settings_get_string (gs, "codex-config-dir");
  s->claude_config_dir = g_settings_get_string (gs, "claude-config-dir");
  s->copilot_config_dir = g_settings_get_string (gs, "copilot-config-dir");
  s->gemini_config_dir = g_settings_get_string (gs, "gemini-config-dir");
  s->desktop_scripts_dir = g_settings_get_string (gs, "desktop-scripts-dir");
  return s;
}

ArSettings *
ar_settings_copy (const ArSettings *settings)
{
  ArSettings *s = g_memdup2 (settings, sizeof *settings);

  s->default_base_image = g_strdup (settings->default_base_image);
  s->engine = g_strdup (settings->engine);
  s->engine_host = g_strdup (settings->engine_host);
  s->engine_folders = g_strdup (settings->engine_folders);
  s->preflight_script = g_strdup (settings->preflight_script);
  s->codex_config_dir = g_strdup (settings->codex_config_dir);
  s->claude_config_dir = g_strdup (settings->claude_config_dir);
  s->copilot_config_dir = g_strdup (settings->copilot_config_dir);
  s->gemini_config_dir = g_strdup (settings->gemini_config_dir);
  s->desktop_scripts_dir = g_strdup (settings->desktop_scripts_dir);
  return s;
}

void
ar_settings_free (ArSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->default_base_image);
  g_free (settings->engine);
  g_free (settings->engine_host);
  g_free (settings->engine_folders);
  g_free (settings->preflight_script);
  g_free (settings->codex_config_dir);
  g_free (settings->claude_config_dir);
  g_free (settings->copilot_config_dir);
  g_free (settings->gemini_config_dir);
  g_free (settings->desktop_scripts_dir);
  g_free (settings);
}

char *
ar_settings_agent_config_dir (const ArSettings *settings,
                              const char *agent,
                              const char *env_value)
{
  const char *configured = NULL;

  if (env_value != NULL && env_value[0] != '\0')
    return g_strdup (env_value);
  if (g_strcmp0 (agent, "codex") == 0)
    configured = settings->codex_config_dir;
  else if (g_strcmp0 (agent, "claude") == 0)
    configured = settings->claude_config_dir;
  else if (g_strcmp0 (agent, "copilot") == 0)
    configured = settings->copilot_config_dir;
  else if (g_strcmp0 (agent, "gemini") == 0)
    configured = settings->gemini_config_dir;
  else
    return g_strdup ("");
  if (configured != NULL && configured[0] != '\0')
    return g_strdup (configured);
  return ar_environment_default_host_config_dir (agent);
}

char *
ar_settings_desktop_scripts_dir (const ArSettings *settings)
{
  const char *override = g_getenv ("AR_DESKTOP_SCRIPTS_DIR");

  if (settings->desktop_scripts_dir != NULL && settings->desktop_scripts_dir[0] != '\0')
    return g_strdup (settings->desktop_scripts_dir);
  /* An uninstalled build (tests, tools/run) finds the source tree's copy. */
  if (override != NULL && override[0] != '\0')
    return g_strdup (override);
  return g_build_filename (PKGDATADIR, "desktop", NULL);
}
