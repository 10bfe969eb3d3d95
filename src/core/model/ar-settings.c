/* ar-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ar-environment.h"
#include "ar-settings.h"

/* ---- the engines (design.md §7) ------------------------------------------ */

ArEngineEntry *
ar_engine_entry_new (const char *name, const char *endpoint, const char *kind, const char *folders)
{
  ArEngineEntry *entry = g_new0 (ArEngineEntry, 1);

  entry->name = g_strdup (name != NULL ? name : "");
  entry->endpoint = g_strdup (endpoint != NULL ? endpoint : "");
  entry->kind = g_strdup (kind != NULL && *kind != '\0' ? kind : "docker");
  entry->folders = g_strdup (folders != NULL && *folders != '\0' ? folders : "auto");
  return entry;
}

ArEngineEntry *
ar_engine_entry_copy (const ArEngineEntry *entry)
{
  return ar_engine_entry_new (entry->name, entry->endpoint, entry->kind, entry->folders);
}

void
ar_engine_entry_free (ArEngineEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry->endpoint);
  g_free (entry->kind);
  g_free (entry->folders);
  g_free (entry);
}

gboolean
ar_engine_entry_equal (const ArEngineEntry *a, const ArEngineEntry *b)
{
  return g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->endpoint, b->endpoint) == 0 &&
         g_strcmp0 (a->kind, b->kind) == 0 && g_strcmp0 (a->folders, b->folders) == 0;
}

static gboolean
is_context_name (const char *name)
{
  if (!g_ascii_isalnum (name[0]))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_.+-", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* "[user@]host[:port][/…]" with a host. */
static gboolean
has_host (const char *authority)
{
  g_autofree char *part = g_strndup (authority, strcspn (authority, "/"));
  const char *at = strrchr (part, '@');
  const char *host = at != NULL ? at + 1 : part;

  return host[0] != '\0' && host[0] != ':';
}

gboolean
ar_engine_entry_validate_endpoint (const char *endpoint, GError **error)
{
  static const char *const schemes[] = { "unix", "tcp", "ssh", "npipe", NULL };
  const char *sep;
  g_autofree char *scheme = NULL;
  const char *rest;

  if (endpoint == NULL || *endpoint == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Give the engine’s address: ssh://user@host, tcp://host:2376, unix:///path "
                              "or a docker context name."));
      return FALSE;
    }
  for (const char *p = endpoint; *p != '\0'; p++)
    if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
      {
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                             _ ("The engine’s address must not contain spaces."));
        return FALSE;
      }
  if ((sep = strstr (endpoint, "://")) == NULL)
    {
      if (is_context_name (endpoint))
        return TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is neither an address (ssh://, tcp://, unix://) nor a docker context name."),
                   endpoint);
      return FALSE;
    }
  scheme = g_ascii_strdown (endpoint, sep - endpoint);
  rest = sep + 3;
  if (!g_strv_contains (schemes, scheme))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s://” is not an engine address: use ssh://, tcp://, unix:// or npipe://."), scheme);
      return FALSE;
    }
  if (g_str_equal (scheme, "unix") && rest[0] != '/')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("A unix:// address needs the socket’s full path, as in unix:///run/docker.sock."));
      return FALSE;
    }
  if ((g_str_equal (scheme, "tcp") || g_str_equal (scheme, "ssh")) && !has_host (rest))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("A %s:// address needs a host, as in %s."), scheme,
                   g_str_equal (scheme, "tcp") ? "tcp://host:2376" : "ssh://user@host");
      return FALSE;
    }
  return TRUE;
}

gboolean
ar_engine_name_is_local (const char *name)
{
  return name == NULL || *name == '\0' || g_ascii_strcasecmp (name, AR_LOCAL_ENGINE_NAME) == 0;
}

const char *
ar_engine_display_name (const char *name)
{
  return ar_engine_name_is_local (name) ? _ ("Local") : name;
}

const ArEngineEntry *
ar_settings_find_engine (const ArSettings *settings, const char *name)
{
  if (ar_engine_name_is_local (name) || settings->engines == NULL)
    return NULL;
  for (guint i = 0; i < settings->engines->len; i++)
    {
      const ArEngineEntry *entry = g_ptr_array_index (settings->engines, i);

      if (g_str_equal (entry->name, name))
        return entry;
    }
  return NULL;
}

gboolean
ar_settings_has_engine (const ArSettings *settings, const char *name)
{
  return ar_engine_name_is_local (name) || ar_settings_find_engine (settings, name) != NULL;
}

guint
ar_settings_get_n_engines (const ArSettings *settings)
{
  return 1 + (settings->engines != NULL ? settings->engines->len : 0);
}

gboolean
ar_settings_validate_engine (const ArSettings *settings,
                             const ArEngineEntry *entry,
                             const char *replacing,
                             GError **error)
{
  g_autofree char *name = g_strstrip (g_strdup (entry->name != NULL ? entry->name : ""));

  if (*name == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Give the engine a name."));
      return FALSE;
    }
  if (ar_engine_name_is_local (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is the name of this computer’s engine: choose another."), name);
      return FALSE;
    }
  if (ar_settings_find_engine (settings, name) != NULL && g_strcmp0 (name, replacing) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("There is already an engine named “%s”."), name);
      return FALSE;
    }
  if (!ar_engine_entry_validate_endpoint (entry->endpoint, error))
    return FALSE;
  if (g_strcmp0 (entry->kind, "docker") != 0 && g_strcmp0 (entry->kind, "podman") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not an engine kind: docker or podman."), entry->kind);
      return FALSE;
    }
  if (g_strcmp0 (entry->folders, "auto") != 0 && g_strcmp0 (entry->folders, "shared") != 0 &&
      g_strcmp0 (entry->folders, "not-shared") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not a folder sharing choice: auto, shared or not-shared."), entry->folders);
      return FALSE;
    }
  return TRUE;
}

char *
ar_engine_entry_resolve_host (const ArEngineEntry *entry, GError **error)
{
  const char *config = g_getenv ("DOCKER_CONFIG");
  g_autofree char *config_dir = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *meta_path = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  const char *host = NULL;

  if (strstr (entry->endpoint, "://") != NULL)
    return g_strdup (entry->endpoint);
  /* A context is read as the docker CLI stores it (design.md §9). */
  config_dir = config != NULL && *config != '\0' ? g_strdup (config)
                                                 : g_build_filename (g_get_home_dir (), ".docker", NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, entry->endpoint, -1);
  meta_path = g_build_filename (config_dir, "contexts", "meta", digest, "meta.json", NULL);
  if (json_parser_load_from_file (parser, meta_path, NULL) && (root = json_parser_get_root (parser)) != NULL &&
      JSON_NODE_HOLDS_OBJECT (root))
    {
      object = json_node_get_object (root);
      if (json_object_has_member (object, "Endpoints") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "Endpoints")))
        {
          JsonObject *endpoints = json_object_get_object_member (object, "Endpoints");

          if (json_object_has_member (endpoints, "docker") &&
              JSON_NODE_HOLDS_OBJECT (json_object_get_member (endpoints, "docker")))
            host = json_object_get_string_member_with_default (json_object_get_object_member (endpoints, "docker"),
                                                               "Host", NULL);
        }
    }
  if (host == NULL || *host == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("The engine “%s” names the docker context “%s”, which does not exist here "
                      "(see docker context ls)."),
                   entry->name, entry->endpoint);
      return NULL;
    }
  return g_strdup (host);
}

GVariant *
ar_settings_engines_to_variant (GPtrArray *engines)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssss)"));
  for (guint i = 0; engines != NULL && i < engines->len; i++)
    {
      const ArEngineEntry *entry = g_ptr_array_index (engines, i);

      g_variant_builder_add (&builder, "(ssss)", entry->name, entry->endpoint, entry->kind, entry->folders);
    }
  return g_variant_builder_end (&builder);
}

GPtrArray *
ar_settings_engines_from_variant (GVariant *variant)
{
  GPtrArray *engines = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_engine_entry_free);
  GVariantIter iter;
  const char *name, *endpoint, *kind, *folders;

  if (variant == NULL || !g_variant_is_of_type (variant, G_VARIANT_TYPE ("a(ssss)")))
    return engines;
  g_variant_iter_init (&iter, variant);
  while (g_variant_iter_next (&iter, "(&s&s&s&s)", &name, &endpoint, &kind, &folders))
    {
      g_autoptr(ArEngineEntry) entry = ar_engine_entry_new (name, endpoint, kind, folders);
      g_autoptr(ArSettings) check = ar_settings_new_default ();
      g_autoptr(GError) error = NULL;

      g_ptr_array_unref (check->engines);
      check->engines = g_ptr_array_ref (engines);
      /* A value written by hand (gsettings set) that makes no sense is left
       * out rather than given to the engine. */
      if (!ar_settings_validate_engine (check, entry, NULL, &error))
        {
          g_message ("Preferences: the engine “%s” is left out: %s", name, error->message);
          continue;
        }
      g_ptr_array_add (engines, g_steal_pointer (&entry));
    }
  return engines;
}

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
  s->engines = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_engine_entry_free);
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
  {
    g_autoptr(GVariant) engines = g_settings_get_value (gs, "engines");

    s->engines = ar_settings_engines_from_variant (engines);
  }
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
  s->engines = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_engine_entry_free);
  for (guint i = 0; settings->engines != NULL && i < settings->engines->len; i++)
    g_ptr_array_add (s->engines, ar_engine_entry_copy (g_ptr_array_index (settings->engines, i)));
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
  g_clear_pointer (&settings->engines, g_ptr_array_unref);
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
