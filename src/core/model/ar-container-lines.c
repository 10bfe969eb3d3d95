/* ar-container-lines.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "ar-container-lines.h"
#include "ar-environment.h"
#include "ar-util.h"

typedef gboolean (*LineCheck) (const char *line, char **message, gpointer data);

static void
add_error (GPtrArray *errors, guint line, const char *message)
{
  if (errors != NULL)
    /* Translators: an error under a text field; %u is a line number */
    g_ptr_array_add (errors, g_strdup_printf (_ ("line %u: %s"), line, message));
}

static GStrv
parse_lines (const char *text, GPtrArray *errors, LineCheck check, gpointer data)
{
  g_autoptr(GStrvBuilder) items = g_strv_builder_new ();
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_autofree char *message = NULL;

      if (*line == '\0')
        continue;
      if (!check (line, &message, data))
        add_error (errors, i + 1, message);
      g_strv_builder_add (items, line);
    }

  return g_strv_builder_end (items);
}

gboolean
ar_container_lines_split_env_var (const char *line, char **name, const char **value)
{
  const char *eq = strchr (line, '=');
  gsize len = eq != NULL ? (gsize) (eq - line) : strlen (line);

  *name = g_strndup (line, len);
  *value = eq != NULL ? eq + 1 : "";
  return ar_is_env_name (line, (gssize) len);
}

static gboolean
check_env_var (const char *line, char **message, gpointer data)
{
  GHashTable *seen = data;
  g_autofree char *name = NULL;
  const char *value;

  if (strchr (line, '=') == NULL)
    {
      *message = g_strdup_printf (_ ("“%s” has no “=”: write NAME=VALUE"), line);
      return FALSE;
    }
  if (!ar_container_lines_split_env_var (line, &name, &value))
    {
      *message = g_strdup_printf (_ ("“%s” is not a variable name: use letters, digits and _, not starting with a digit"), name);
      return FALSE;
    }
  if (g_hash_table_contains (seen, name))
    {
      *message = g_strdup_printf (_ ("“%s” is set twice"), name);
      return FALSE;
    }
  g_hash_table_add (seen, g_steal_pointer (&name));
  return TRUE;
}

GStrv
ar_container_lines_parse_env_vars (const char *text, GPtrArray *errors)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return parse_lines (text, errors, check_env_var, seen);
}

/* The rule of core (ar_mount_parse), so that the editor accepts exactly
 * the mounts a task can make. */
static gboolean
check_mount (const char *line, char **message, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArMount) mount = ar_mount_parse (line, &error);

  if (mount == NULL)
    {
      *message = g_strdup (error->message);
      return FALSE;
    }
  return TRUE;
}

GStrv
ar_container_lines_parse_mounts (const char *text, GPtrArray *errors)
{
  return parse_lines (text, errors, check_mount, NULL);
}

ArMount *
ar_container_lines_check_mount (const char *line, GError **error)
{
  g_autoptr(ArMount) mount = ar_mount_parse (line, error);

  if (mount == NULL)
    return NULL;
  if (mount->type == AR_MOUNT_BIND && !g_file_test (mount->source, G_FILE_TEST_EXISTS))
    {
      /* Docker would make a missing folder, owned by root. */
      g_set_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_MISSING_PATH,
                   _ ("The host path %s of the extra mount “%s” does not exist: create it, or change the mount in the environment's Container tab."),
                   mount->source, line);
      return NULL;
    }
  return g_steal_pointer (&mount);
}

/* A port (1–65535) or a range of them. */
static gboolean
is_port_or_range (const char *text, gboolean allow_empty)
{
  g_auto(GStrv) ends = NULL;
  guint n;
  guint64 first = 0;

  if (*text == '\0')
    return allow_empty;
  ends = g_strsplit (text, "-", -1);
  n = g_strv_length (ends);
  if (n > 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      guint64 value;

      if (!g_ascii_string_to_unsigned (ends[i], 10, 1, 65535, &value, NULL))
        return FALSE;
      if (i == 1 && value < first)
        return FALSE;
      first = value;
    }
  return TRUE;
}

static gboolean
check_port (const char *line, char **message, gpointer data)
{
  g_autofree char *spec = g_strdup (line);
  g_autofree char *ip = NULL;
  g_auto(GStrv) parts = NULL;
  char *slash = strrchr (spec, '/');
  char *rest = spec;
  const char *host_port = "";
  const char *container_port;
  guint n;

  if (slash != NULL)
    {
      *slash = '\0';
      if (g_strcmp0 (slash + 1, "tcp") != 0 && g_strcmp0 (slash + 1, "udp") != 0 &&
          g_strcmp0 (slash + 1, "sctp") != 0)
        {
          *message = g_strdup_printf (_ ("the protocol “%s” must be tcp, udp or sctp"), slash + 1);
          return FALSE;
        }
    }

  /* An IPv6 address is written in brackets: [::1]:8080:80 */
  if (rest[0] == '[')
    {
      char *close = strchr (rest, ']');

      if (close == NULL || close[1] != ':')
        {
          *message = g_strdup_printf (_ ("“%s” is not a port mapping"), line);
          return FALSE;
        }
      ip = g_strndup (rest + 1, close - rest - 1);
      rest = close + 2;
      parts = g_strsplit (rest, ":", -1);
      if (g_strv_length (parts) != 2)
        {
          *message = g_strdup_printf (_ ("“%s” is not a port mapping"), line);
          return FALSE;
        }
      host_port = parts[0];
      container_port = parts[1];
    }
  else
    {
      parts = g_strsplit (rest, ":", -1);
      n = g_strv_length (parts);
      if (n == 1)
        container_port = parts[0];
      else if (n == 2)
        {
          host_port = parts[0];
          container_port = parts[1];
        }
      else if (n == 3)
        {
          ip = g_strdup (parts[0]);
          host_port = parts[1];
          container_port = parts[2];
        }
      else
        {
          *message = g_strdup_printf (_ ("“%s” is not [address:][host-port:]container-port[/protocol]"), line);
          return FALSE;
        }
    }

  if (ip != NULL)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (ip);

      if (address == NULL)
        {
          *message = g_strdup_printf (_ ("“%s” is not an IP address"), ip);
          return FALSE;
        }
    }
  if (!is_port_or_range (host_port, TRUE))
    {
      *message = g_strdup_printf (_ ("the host port “%s” must be a number from 1 to 65535 or a range"), host_port);
      return FALSE;
    }
  if (!is_port_or_range (container_port, FALSE))
    {
      *message = g_strdup_printf (_ ("the container port “%s” must be a number from 1 to 65535 or a range"), container_port);
      return FALSE;
    }
  return TRUE;
}

GStrv
ar_container_lines_parse_ports (const char *text, GPtrArray *errors)
{
  return parse_lines (text, errors, check_port, NULL);
}

gboolean
ar_container_lines_check_port (const char *line, GError **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (line));
  g_autofree char *message = NULL;

  if (check_port (stripped, &message, NULL))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               /* Translators: %s is a port line, then why it is wrong */
               _ ("The port “%s” cannot be published: %s. Correct it in the environment's Container tab."),
               stripped, message);
  return FALSE;
}

char *
ar_container_lines_join (const char *const *items)
{
  if (items == NULL || items[0] == NULL)
    return g_strdup ("");
  return g_strjoinv ("\n", (char **) items);
}

GStrv
ar_shell_split (const char *line, GError **error)
{
  g_auto(GStrv) argv = NULL;
  int argc = 0;
  const char *p = line != NULL ? line : "";

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0')
    return g_new0 (char *, 1);
  if (!g_shell_parse_argv (p, &argc, &argv, error))
    return NULL;
  return g_steal_pointer (&argv);
}

static gboolean
needs_quoting (const char *word)
{
  if (*word == '\0')
    return TRUE;
  for (const char *p = word; *p; p++)
    if (!(g_ascii_isalnum (*p) || strchr ("_@%+=:,./-{}", *p) != NULL))
      return TRUE;
  return FALSE;
}

char *
ar_shell_join (const char *const *argv)
{
  g_autoptr(GString) out = g_string_new ("");

  for (guint i = 0; argv != NULL && argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      if (needs_quoting (argv[i]))
        {
          g_autofree char *quoted = g_shell_quote (argv[i]);
          g_string_append (out, quoted);
        }
      else
        g_string_append (out, argv[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
