/* test-field-desktop.c — the headless desktop for real (issue 11, design.md §3.1,
 * §4.2): on the Debian base of test-debian.h, through the bundled desktop
 * scripts and Debian's real packages (apt, through the tests' apt proxy),
 * in all four combinations of desktop caching and container caching on
 * Docker, and on rootful podman the desktop layer built then found
 * (desktop-cached, then a cache HIT); each task run from the window's New
 * task page. (Installing the desktop at task start is the same script in
 * the container whatever the engine: the two docker cases without desktop
 * caching run it; a third run of it on podman cost the suite 45 s of CPU
 * on a budget bound by CPU.)
 *  - the task runs on the image its layers say (desktop layer, environment
 *    layer on top of it or of the base, or the base with everything
 *    installed at start), and a second desktop-cached task is a cache HIT;
 *  - the task record gets http://127.0.0.1:PORT/vnc.html, the port the
 *    engine published for 6080, and the task view shows "Open desktop" for
 *    that task while it runs;
 *  - that URL answers 200 with the noVNC page, and a WebSocket to
 *    /websockify on the same port gets the VNC server's RFB greeting: the
 *    whole chain Xvfb → x11vnc → websockify → published port works;
 *  - the record on disk keeps the URL after the task ends.
 * The agent waits (at most five minutes) for a file the test writes into
 * the mounted workspace once it has checked all this.
 * The apt proxy's cache is apt-cacher-ng-field-desktop (-podman for the
 * podman half), this program's own (beside field-docker's, field-podman's
 * and the auto-split test's, which run at the same time: one proxy at a
 * time may use a cache).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ar-backend.h"
#include "ar-task-view.h"
#include "ar-tasks-page.h"
#include "ar-window.h"
#include "test-debian.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

/* The desktop layer installs about 120 packages; on two busy cores that
 * takes minutes. */
#define TASK_SECONDS 900
#define PAGE_SECONDS 120
#define STOP_FILE "stop-desktop"

typedef ArTestUiWindowFixture Fixture;

typedef struct {
  const char *engine; /* the window's engine: "docker" or "podman" */
  gboolean cache_desktop;
  gboolean cache_env;
} Combination;

static const Combination both_cached = { "docker", TRUE, TRUE };
static const Combination desktop_cached = { "docker", TRUE, FALSE };
static const Combination env_cached = { "docker", FALSE, TRUE };
static const Combination none_cached = { "docker", FALSE, FALSE };
static const Combination podman_both_cached = { "podman", TRUE, TRUE };
static const Combination podman_desktop_cached = { "podman", TRUE, FALSE };

static char *debian_base_docker;
static char *debian_base_podman;

/* The Debian base in ENGINE, and the window set to use that engine. */
static const char *
need_debian (const char *engine)
{
  char **base = g_str_equal (engine, "podman") ? &debian_base_podman : &debian_base_docker;
  g_autoptr(GSettings) settings = g_settings_new ("io.github.agents_runner.AgentsRunner");
  g_autofree char *why = NULL;
  gboolean fatal = FALSE;

  if (*base == NULL && !ar_test_debian_images (engine, base, NULL, &fatal, &why))
    {
      if (fatal)
        g_test_fail_printf ("%s", why);
      else
        g_test_skip (why);
      return NULL;
    }
  /* The window's engine and builds carry this run's label too. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);
  /* The desktop layer's build took more than the default 600 s on two
   * cores shared with a dozen other jobs (seen): a fallback to installing
   * at start is not what these tests are about. */
  g_settings_set_uint (settings, "build-timeout", TASK_SECONDS);
  g_settings_set_string (settings, "engine", engine);
  return *base;
}

/* IMAGE without the "localhost/" podman puts before local names. */
static const char *
short_name (const char *image)
{
  return g_str_has_prefix (image, "localhost/") ? image + strlen ("localhost/") : image;
}

/* ---- HTTP and WebSocket on 127.0.0.1, with a plain socket (GSocketClient
 * would ask GSettings for a proxy) ---------------------------------------- */

/* Sends REQUEST to 127.0.0.1:PORT and returns what came back within a few
 * seconds (until the peer closed, or until UNTIL appeared), or NULL when
 * nothing could connect. */
static char *
exchange (guint16 port, const char *request, const char *until)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_socket_set_timeout (socket, 5);
  if (!g_socket_connect (socket, address, NULL, NULL)
      || g_socket_send (socket, request, strlen (request), NULL, NULL) != (gssize) strlen (request))
    return NULL;
  while (g_get_monotonic_time () < deadline)
    {
      guint8 buffer[4096];
      gssize n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, NULL);

      if (n <= 0)
        break;
      /* NULs (binary frames) would cut the text short: shown as '.' */
      for (gssize i = 0; i < n; i++)
        if (buffer[i] == '\0')
          buffer[i] = '.';
      g_byte_array_append (reply, buffer, n);
      if (until != NULL && g_strstr_len ((const char *) reply->data, reply->len, until) != NULL)
        break;
    }
  g_byte_array_append (reply, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&reply), FALSE);
}

static guint16
url_port (const char *url)
{
  const char *prefix = "http://127.0.0.1:";
  char *end = NULL;
  guint64 port;

  g_assert_true (g_str_has_prefix (url, prefix));
  port = g_ascii_strtoull (url + strlen (prefix), &end, 10);
  g_assert_cmpstr (end, ==, "/vnc.html");
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpuint (port, <=, 65535);
  return (guint16) port;
}

/* GET /vnc.html until it is the noVNC page (websockify starts in the
 * background while the agent already runs; without the desktop layer the
 * port is published while the desktop is still being installed, which
 * takes minutes), keeping the window alive. */
static char *
fetch_novnc_page (guint16 port, int seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  g_autofree char *last = NULL;

  while (g_get_monotonic_time () < deadline)
    {
      g_free (last);
      last = exchange (port, "GET /vnc.html HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", NULL);
      if (last != NULL && g_str_has_prefix (last, "HTTP/1.") && strstr (last, " 200 ") != NULL
          && strstr (last, "noVNC") != NULL)
        return g_steal_pointer (&last);
      ar_test_ui_iterate (500);
    }
  g_error ("the noVNC page did not answer on 127.0.0.1:%u within %d s; last answer: %s", port, seconds,
           last != NULL ? last : "(no connection)");
  return NULL;
}

/* The RFB greeting of the VNC server behind websockify. */
static char *
websocket_greeting (guint16 port)
{
  g_autofree char *request =
    g_strdup_printf ("GET /websockify HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n"
                     "Origin: http://127.0.0.1:%u\r\n\r\n",
                     port, port);
  gint64 deadline = g_get_monotonic_time () + PAGE_SECONDS * G_USEC_PER_SEC;
  g_autofree char *last = NULL;

  while (g_get_monotonic_time () < deadline)
    {
      g_free (last);
      last = exchange (port, request, "RFB 00");
      if (last != NULL && strstr (last, " 101 ") != NULL && strstr (last, "RFB 00") != NULL)
        return g_steal_pointer (&last);
      ar_test_ui_iterate (500);
    }
  g_error ("no VNC server answered through the WebSocket on 127.0.0.1:%u; last answer: %s", port,
           last != NULL ? last : "(no connection)");
  return NULL;
}

/* ---- the window -------------------------------------------------------- */

static void
open_window (Fixture *f)
{
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  ar_test_ui_await (ar_backend_get_tasks_loaded (f->backend));
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  g_assert_null (ar_backend_get_engine_problem (f->backend));
}

static gboolean
task_finished (ArTask *task)
{
  return ar_task_state_is_finished (ar_task_get_state (task));
}

static gboolean
task_has_url_or_ended (ArTask *task)
{
  return *ar_task_get_desktop_url (task) != '\0' || task_finished (task);
}

static char *
task_log (ArTask *task)
{
  g_autofree char *path = ar_task_dup_log_path (task);

  return ar_test_read_file (path);
}

static void
test_desktop (Fixture *f, gconstpointer data)
{
  const Combination *c = data;
  const char *const command[] = {
    "sh", "-c",
    "cat /etc/field-marker; i=0; while [ ! -e " STOP_FILE " ] && [ $i -lt 1500 ]; do sleep 0.2; i=$((i + 1)); done; "
    "test -e " STOP_FILE " && echo agent saw the stop file",
    NULL
  };
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ArTask) record = NULL;
  g_autofree char *workspace = ar_test_mkdtemp ("desktop-workspace");
  g_autofree char *stop = g_build_filename (workspace, STOP_FILE, NULL);
  g_autofree char *url = NULL;
  g_autofree char *page = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *log = NULL;
  g_autofree char *record_path = NULL;
  ArNewTaskPage *new_task;
  ArTaskView *view;
  ArTask *task;
  const char *debian_base;
  const char *image;
  guint16 port;

  if ((debian_base = need_debian (c->engine)) == NULL)
    return;
  ar_environment_set_name (env, "Desktop");
  ar_environment_set_base_image (env, debian_base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, command);
  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, workspace);
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  ar_environment_set_cache_desktop_build (env, c->cache_desktop);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, c->cache_env);
  ar_environment_set_cached_preflight_script (env, "echo 'field: the cached preflight ran' > /etc/field-marker\n");
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);

  open_window (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL));
  new_task = ar_window_get_new_task_page (f->window);
  ar_new_task_page_select_environment (new_task, ar_environment_get_env_id (env));
  ar_new_task_page_set_prompt (new_task, "Wait for the desktop to be looked at.");
  g_assert_null (ar_new_task_page_get_blocker (new_task));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (new_task), "new-task.run", NULL));
  task = ar_tasks_page_get_selected_task (ar_window_get_tasks_page (f->window));
  g_assert_nonnull (task);
  g_object_ref (task);
  view = ar_tasks_page_get_task_view (ar_window_get_tasks_page (f->window));

  ar_test_ui_await_for (task_has_url_or_ended (task), TASK_SECONDS);
  log = task_log (task);
  if (task_finished (task))
    g_error ("the task ended (%s: %s) without a desktop URL; its log:\n%s", ar_task_state_to_string (ar_task_get_state (task)),
             ar_task_get_error_message (task), log);

  /* The image is the one the two switches ask for. */
  image = short_name (ar_task_get_image (task));
  if (c->cache_env)
    g_assert_true (g_str_has_prefix (image, "agents-runner-env:"));
  else if (c->cache_desktop)
    g_assert_true (g_str_has_prefix (image, "agents-runner-desktop:"));
  else
    g_assert_cmpstr (image, ==, short_name (debian_base));
  {
    /* in the engine the window was set to */
    const char *inspect[] = { "image", "inspect", "--format", "{{.Id}}", image, NULL };
    g_autofree char *inspect_err = NULL;
    int status = g_str_equal (c->engine, "podman") ? ar_test_engine_podman (inspect, NULL, &inspect_err)
                                                   : ar_test_engine_docker (inspect, NULL, &inspect_err);

    if (status != 0)
      g_error ("the task's image %s is not in %s: %s", image, c->engine, inspect_err);
  }
  if (c->cache_desktop)
    {
      /* Built by the first desktop-cached test, found by the second. */
      g_assert_nonnull (strstr (log, c->cache_env ? "agents-runner-desktop:" : "cache HIT agents-runner-desktop:"));
      g_assert_null (strstr (log, "desktop/install"));
    }
  else
    {
      g_assert_null (strstr (log, "agents-runner-desktop:"));
    }

  /* The URL: on the task, in the task view's "Open desktop". */
  url = g_strdup (ar_task_get_desktop_url (task));
  g_test_message ("%s: %s on %s", g_test_get_path (), url, image);
  g_assert_true (g_str_has_suffix (url, "/vnc.html"));
  port = url_port (url);
  g_assert_cmpuint (port, >, 0);
  g_assert_true (ar_task_view_get_task (view) == task);
  ar_test_ui_await (gtk_widget_get_visible (ar_test_ui_child (view, AR_TYPE_TASK_VIEW, "desktop_squeezer")));
  ar_test_ui_await (gtk_widget_get_mapped (ar_test_ui_child (view, AR_TYPE_TASK_VIEW, "desktop_button")));
  g_assert_true (gtk_widget_is_sensitive (ar_test_ui_child (view, AR_TYPE_TASK_VIEW, "desktop_button")));

  /* The page, and the VNC server behind it. */
  page = fetch_novnc_page (port, c->cache_desktop ? PAGE_SECONDS : TASK_SECONDS);
  greeting = websocket_greeting (port);
  g_assert_nonnull (strstr (greeting, "RFB 003."));
  if (c->cache_desktop && c->cache_env)
    {
      g_autofree char *name = g_strconcat ("field-desktop-running-", c->engine, NULL);

      ar_test_ui_screenshot (GTK_WIDGET (f->window), name);
      /* and on a phone's width: "Open desktop" still there, as an icon */
      ar_test_ui_screenshot_at (GTK_WINDOW (f->window), 360, 640, name);
      g_assert_true (gtk_widget_get_mapped (ar_test_ui_child (view, AR_TYPE_TASK_VIEW, "desktop_icon_button")));
      g_assert_true (gtk_widget_is_sensitive (ar_test_ui_child (view, AR_TYPE_TASK_VIEW, "desktop_icon_button")));
    }

  /* Let the agent end; the record keeps the URL. */
  ar_test_write_file (stop, "");
  ar_test_ui_await_for (task_finished (task), 120);
  g_free (log);
  log = task_log (task);
  if (ar_task_get_state (task) != AR_TASK_STATE_DONE)
    g_error ("the task ended %s; its log:\n%s", ar_task_state_to_string (ar_task_get_state (task)), log);
  g_assert_nonnull (strstr (log, "field: the cached preflight ran"));
  g_assert_nonnull (strstr (log, "agent saw the stop file"));
  g_assert_nonnull (strstr (log, "desktop: started"));
  if (!c->cache_desktop)
    g_assert_nonnull (strstr (log, "[desktop/install]"));
  g_assert_false (gtk_widget_get_visible (ar_test_ui_child (view, AR_TYPE_TASK_VIEW, "desktop_squeezer")));
  record_path = ar_task_dup_record_path (task);
  record = ar_task_new_from_file (record_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ar_task_get_desktop_url (record), ==, url);
  g_object_unref (task);
}

int
main (int argc, char **argv)
{
  /* An apt cache of this program's own, kept across runs (the shared one
   * is held by the auto-split test's proxy when they run side by side:
   * a private one would download every package again); meson runs the
   * docker and the podman halves side by side (-p /field/desktop/docker,
   * -p /field/desktop/podman), each with its own. */
  ar_test_debian_choose_apt_cache (argc, argv, "apt-cacher-ng-field-desktop", "/field/desktop/podman",
                                   "apt-cacher-ng-field-desktop-podman");
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

  /* In this order, per engine: the first builds the desktop layer, the
   * second finds it. */
  g_test_add ("/field/desktop/docker/desktop-cached-env-cached", Fixture, &both_cached,
              ar_test_ui_window_fixture_set_up, test_desktop, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/field/desktop/docker/desktop-cached-env-uncached", Fixture, &desktop_cached,
              ar_test_ui_window_fixture_set_up, test_desktop, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/field/desktop/docker/desktop-uncached-env-cached", Fixture, &env_cached,
              ar_test_ui_window_fixture_set_up, test_desktop, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/field/desktop/docker/desktop-uncached-env-uncached", Fixture, &none_cached,
              ar_test_ui_window_fixture_set_up, test_desktop, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/field/desktop/podman/desktop-cached-env-cached", Fixture, &podman_both_cached,
              ar_test_ui_window_fixture_set_up, test_desktop, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/field/desktop/podman/desktop-cached-env-uncached", Fixture, &podman_desktop_cached,
              ar_test_ui_window_fixture_set_up, test_desktop, ar_test_ui_window_fixture_tear_down);
  {
    int status = g_test_run ();

    ar_test_debian_cleanup ();
    return status;
  }
}
