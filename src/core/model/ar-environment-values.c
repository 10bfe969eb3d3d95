/* ar-environment-values.c — what an environment's fields may hold: the
 * colors, agents, workspace types and preflight modes, extra mount lines,
 * default folders and new ids (design.md §2.1). The ArEnvironment object itself
 * is ar-environment.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ar-environment.h"

static const char *const colors[] = {
  "slate", "cyan", "emerald", "violet", "rose", "amber", "blue", "teal",
  "lime", "fuchsia", "indigo", "orange", NULL
};

static const char *const agents[] = {
  "codex", "claude", "copilot", "gemini", "custom", NULL
};

static const char *const workspace_ids[] = { "none", "mounted", "cloned", NULL };

const char *const *
ar_environment_colors (void)
{
  return colors;
}

const char *const *
ar_environment_agents (void)
{
  return agents;
}

gboolean
ar_environment_is_valid_color (const char *color)
{
  return color != NULL && g_strv_contains (colors, color);
}

gboolean
ar_environment_is_valid_agent (const char *agent)
{
  return agent != NULL && g_strv_contains (agents, agent);
}

gboolean
ar_environment_is_valid_workspace_type (const char *type)
{
  ArWorkspaceType ignored;

  return ar_workspace_type_from_string (type, &ignored);
}

const char *const *
ar_workspace_type_ids (void)
{
  return workspace_ids;
}

const char *
ar_workspace_type_to_string (ArWorkspaceType type)
{
  g_return_val_if_fail (type <= AR_WORKSPACE_CLONED, "none");
  return workspace_ids[type];
}

gboolean
ar_workspace_type_from_string (const char *str, ArWorkspaceType *type)
{
  for (guint i = 0; str != NULL && workspace_ids[i] != NULL; i++)
    if (g_str_equal (str, workspace_ids[i]))
      {
        *type = (ArWorkspaceType) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ar_workspace_type_display_name (ArWorkspaceType type)
{
  switch (type)
    {
    case AR_WORKSPACE_MOUNTED: return _ ("Mounted folder");
    case AR_WORKSPACE_CLONED: return _ ("Cloned repository");
    case AR_WORKSPACE_NONE:
    default: return _ ("None");
    }
}

gboolean
ar_script_is_blank (const char *script)
{
  if (script == NULL)
    return TRUE;
  for (const char *p = script; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

/* Docker's rule for volume names. */
static gboolean
is_volume_name (const char *name)
{
  if (!g_ascii_isalnum (name[0]))
    return FALSE;
  for (const char *p = name + 1; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_' || *p == '.' || *p == '-'))
      return FALSE;
  return TRUE;
}

void
ar_mount_free (ArMount *mount)
{
  if (mount == NULL)
    return;
  g_free (mount->source);
  g_free (mount->target);
  g_free (mount->mode);
  g_free (mount);
}

ArMount *
ar_mount_parse (const char *text, GError **error)
{
  g_autofree char *line = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_auto(GStrv) parts = g_strsplit (line, ":", -1);
  guint n = g_strv_length (parts);
  g_autoptr(ArMount) mount = g_new0 (ArMount, 1);
  const char *host;

  if (n != 2 && n != 3)
    {
      g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
                   _ ("The extra mount “%s” is not host:container or host:container:ro|rw: correct it in the environment's Container tab."),
                   line);
      return NULL;
    }
  host = parts[0];
  if (n == 3 && !g_str_equal (parts[2], "ro") && !g_str_equal (parts[2], "rw"))
    {
      g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
                   _ ("The mode “%s” of the extra mount “%s” must be ro or rw: correct it in the environment's Container tab."),
                   parts[2], line);
      return NULL;
    }
  if (parts[1][0] != '/')
    {
      g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
                   _ ("The container path “%s” of the extra mount “%s” is not absolute: correct it in the environment's Container tab."),
                   parts[1], line);
      return NULL;
    }
  if (host[0] == '/' || host[0] == '~')
    {
      mount->type = AR_MOUNT_BIND;
      mount->source = ar_expand_home (host);
      if (!g_path_is_absolute (mount->source))
        {
          g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
                       _ ("The host path “%s” of the extra mount “%s” is not absolute: correct it in the environment's Container tab."),
                       host, line);
          return NULL;
        }
    }
  else if (is_volume_name (host))
    {
      mount->type = AR_MOUNT_VOLUME;
      mount->source = g_strdup (host);
    }
  else
    {
      g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT,
                   _ ("The host side “%s” of the extra mount “%s” is neither an absolute path (or ~/…) nor a volume name (letters, digits, _ . -): correct it in the environment's Container tab."),
                   host, line);
      return NULL;
    }
  mount->target = g_strdup (parts[1]);
  mount->mode = n == 3 ? g_strdup (parts[2]) : NULL;
  return g_steal_pointer (&mount);
}

const char *
ar_preflight_mode_to_string (ArPreflightMode mode)
{
  return mode == AR_PREFLIGHT_MODE_SPLIT ? "split" : "single";
}

gboolean
ar_preflight_mode_from_string (const char *str, ArPreflightMode *mode)
{
  if (g_strcmp0 (str, "single") == 0)
    *mode = AR_PREFLIGHT_MODE_SINGLE;
  else if (g_strcmp0 (str, "split") == 0)
    *mode = AR_PREFLIGHT_MODE_SPLIT;
  else
    return FALSE;
  return TRUE;
}

char *
ar_environment_default_host_config_dir (const char *agent)
{
  if (agent == NULL || g_strcmp0 (agent, "custom") == 0 || !ar_environment_is_valid_agent (agent))
    return g_strdup ("");
  return g_strdup_printf ("%s/.%s", g_get_home_dir (), agent);
}

char *
ar_environment_generate_id (void)
{
  return g_strdup_printf ("env-%08x", g_random_int ());
}
