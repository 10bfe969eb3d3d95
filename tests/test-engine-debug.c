/* test-engine-debug.c — G_MESSAGES_DEBUG=agents-runner-engine says which
 * engine, host and transport were chosen, and why. No engine needed: the
 * hosts here answer nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-engine.h"
#include "test-utils.h"

static GPtrArray *messages;

/* The program logs structured (G_LOG_USE_STRUCTURED): a writer of our own
 * gets the engine's debug messages whatever G_MESSAGES_DEBUG says; the
 * default writer, which a user sees, filters by it. */
static GLogWriterOutput
collect (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  if ((level & G_LOG_LEVEL_DEBUG) != 0 && g_strcmp0 (domain, "agents-runner-engine") == 0 &&
      message != NULL && messages != NULL)
    {
      g_ptr_array_add (messages, g_strdup (message));
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
start_collecting (void)
{
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = g_ptr_array_new_with_free_func (g_free);
}

/* The one message that contains all of @parts (NULL-terminated). */
static const char *
find_message (const char *first, ...)
{
  for (guint i = 0; i < messages->len; i++)
    {
      const char *message = messages->pdata[i];
      const char *part = first;
      gboolean all = TRUE;
      va_list args;

      va_start (args, first);
      for (; part != NULL && all; part = va_arg (args, const char *))
        all = strstr (message, part) != NULL;
      va_end (args);
      if (all)
        return message;
    }
  for (guint i = 0; i < messages->len; i++)
    g_test_message ("debug: %s", (const char *) messages->pdata[i]);
  return NULL;
}

static void
test_tcp_host_uses_cli (void)
{
  g_autoptr(ArEngine) engine = ar_engine_new ("docker", "tcp://127.0.0.1:1");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  ar_engine_set_flatpak_info_path (engine, "/nonexistent/flatpak-info");
  start_collecting ();
  g_assert_null (ar_engine_get_socket_path (engine));
  g_assert_nonnull (find_message ("Engine: docker (as the settings ask)",
                                  "host tcp://127.0.0.1:1 (the engine host setting)",
                                  "API socket: none", "the CLI runs here", NULL));

  list = ar_engine_list_images_sync (engine, "agents-runner.test=debug", NULL, &error);
  g_assert_null (list);
  g_assert_nonnull (error);
  g_assert_nonnull (find_message ("list images: through the docker CLI (no API socket for this host)", NULL));
}

static void
test_unix_socket_falls_back_to_cli (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("debug");
  g_autofree char *socket = g_build_filename (dir, "nobody.sock", NULL);
  g_autofree char *host = g_strconcat ("unix://", socket, NULL);
  g_autoptr(ArEngine) engine = ar_engine_new ("docker", host);
  g_autoptr(GError) error = NULL;

  ar_engine_set_flatpak_info_path (engine, "/nonexistent/flatpak-info");
  start_collecting ();
  g_assert_false (ar_engine_ping_sync (engine, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (find_message ("API socket: ", socket, NULL));
  g_assert_nonnull (find_message ("ping: through the Engine API at ", socket,
                                  "the CLI if it does not answer", NULL));
  g_assert_nonnull (find_message ("ping: the Engine API at ", socket, "did not answer",
                                  "so the CLI is asked instead", NULL));
}

static void
test_api_only_and_cli_only (void)
{
  g_autoptr(ArEngine) api_only = ar_engine_new ("podman", "tcp://127.0.0.1:1");
  g_autoptr(ArEngine) cli_only = ar_engine_new ("docker", "unix:///nonexistent/docker.sock");
  g_autoptr(GError) error = NULL;

  ar_engine_set_flatpak_info_path (api_only, "/nonexistent/flatpak-info");
  ar_engine_set_flatpak_info_path (cli_only, "/nonexistent/flatpak-info");
  start_collecting ();
  ar_engine_set_query_path (api_only, AR_ENGINE_QUERY_PATH_API);
  g_assert_false (ar_engine_ping_sync (api_only, NULL, &error));
  g_assert_error (error, AR_ENGINE_ERROR, AR_ENGINE_ERROR_UNREACHABLE);
  g_assert_nonnull (find_message ("Engine: podman (as the settings ask)", NULL));
  g_assert_nonnull (find_message ("ping: API only, but there is no API socket for host tcp://127.0.0.1:1", NULL));

  g_clear_error (&error);
  ar_engine_set_query_path (cli_only, AR_ENGINE_QUERY_PATH_CLI);
  g_assert_false (ar_engine_ping_sync (cli_only, NULL, &error));
  g_assert_nonnull (find_message ("ping: through the docker CLI (CLI only)", NULL));
}

static void
test_flatpak_says_host (void)
{
  g_autofree char *dir = ar_test_mkdtemp ("flatpak");
  g_autofree char *info = g_build_filename (dir, ".flatpak-info", NULL);
  g_autoptr(ArEngine) engine = ar_engine_new (NULL, "");

  ar_test_write_file (info, "[Application]\nname=test\n");
  ar_engine_set_flatpak_info_path (engine, info);
  start_collecting ();
  g_assert_true (ar_engine_get_in_flatpak (engine));
  g_assert_nonnull (find_message ("Engine: docker (inside Flatpak the host's programs cannot be looked up",
                                  "the CLI runs on the host through flatpak-spawn --host", NULL));
}

int
main (int argc, char *argv[])
{
  int status;

  ar_test_init (&argc, &argv);
  g_unsetenv ("DOCKER_HOST");
  g_unsetenv ("DOCKER_CONTEXT");
  g_log_set_writer_func (collect, NULL, NULL);

  g_test_add_func ("/engine-debug/tcp-host-uses-cli", test_tcp_host_uses_cli);
  g_test_add_func ("/engine-debug/unix-socket-falls-back-to-cli", test_unix_socket_falls_back_to_cli);
  g_test_add_func ("/engine-debug/api-only-and-cli-only", test_api_only_and_cli_only);
  g_test_add_func ("/engine-debug/flatpak-says-host", test_flatpak_says_host);
  status = g_test_run ();
  g_clear_pointer (&messages, g_ptr_array_unref);
  return status;
}
