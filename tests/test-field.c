/* test-field.c — the field suite (issue 11): the real core on a real Debian
 * base, with real apt-get installs, on Docker and on rootful podman
 *
 * Per engine:
 *  - apt: a cached preflight that runs `apt-get update && apt-get install`
 *    builds once; the next task is a cache HIT and the installed tools work
 *    in it; changing only the run preflight rebuilds nothing; changing the
 *    cached preflight rebuilds the environment layer only;
 *  - ports: a port the environment declares is published on 127.0.0.1 and
 *    answers HTTP from the host (busybox httpd, installed by that cached
 *    preflight, serving from the task);
 *  - nonroot: on the base whose default user is `dev` the build log names
 *    `dev` as the build user, and so does plan() (what the editor's
 *    Preflight tab shows); `sudo apt-get install` in the cached preflight
 *    works; writing to /etc without sudo fails at build, the task falls
 *    back to running it at start (and the log says so), and the log
 *    explains the failure.
 * Plus the test engine's network (tests/engine-up.sh): a second private
 * engine leaves the first one's bridge, its containers' reach and an
 * existing docker0 alone.
 *
 * The base and the apt proxy are test-debian.h's (the proxy's cache here is
 * apt-cacher-ng-field-ENGINE, beside the auto-split test's). When a container
 * cannot reach Debian's package archive every test here fails, saying so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-task-runner.h"
#include "test-debian.h"
#include "test-utils.h"

#define TASK_SECONDS 300
#define APT_INSTALL "DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends"

typedef struct {
  const char *name;          /* "docker" or "podman" */
  int (*cli) (const char *const *args, char **out_stdout, char **out_stderr);
  char *base;                /* Debian, root, apt through the proxy */
  char *dev;                 /* the same with USER dev and sudo */
  ArEngine *engine;
  ArImageBuilder *builder;
  ArEnvironment *apt_env;    /* the apt test's environment, reused by the ports test */
} Engine;

static Engine on_docker = { "docker", ar_test_engine_docker, NULL, NULL, NULL, NULL, NULL };
static Engine on_podman = { "podman", ar_test_engine_podman, NULL, NULL, NULL, NULL, NULL };

static gboolean
need_engine (Engine *e)
{
  g_autofree char *why = NULL;
  gboolean fatal = FALSE;

  if (e->builder != NULL)
    return TRUE;
  if (!ar_test_debian_images (e->name, &e->base, &e->dev, &fatal, &why))
    {
      if (fatal)
        g_test_fail_printf ("%s", why);
      else
        g_test_skip (why);
      return FALSE;
    }
  e->engine = ar_engine_new (e->name, "");
  e->builder = ar_image_builder_new (e->engine);
  return TRUE;
}

static double
now_seconds (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
wait_until (gboolean (*cond) (gpointer), gpointer data, double seconds, const char *what)
{
  double deadline = now_seconds () + seconds;
  guint tick = g_timeout_add (50, wake, NULL);

  while (!cond (data))
    {
      if (now_seconds () > deadline)
        g_error ("timed out after %.0f s waiting for %s", seconds, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static gboolean
flag_set (gpointer flag)
{
  return *(gboolean *) flag;
}

static gboolean
task_running (gpointer task)
{
  ArTaskState state = ar_task_get_state (task);

  return state == AR_TASK_STATE_RUNNING || ar_task_state_is_finished (state);
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ar_task_runner_run_finish (AR_TASK_RUNNER (source), result);
  *(gboolean *) user_data = TRUE;
}

static ArSettings *
new_settings (Engine *e)
{
  ArSettings *settings = ar_settings_new_default ();

  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (e->base);
  g_free (settings->engine);
  settings->engine = g_strdup (e->name);
  settings->build_timeout = 240;
  return settings;
}

static ArEnvironment *
new_env (const char *name, const char *base, const char *cached, const char *run, const char *const *agent)
{
  ArEnvironment *env = ar_environment_new_with_id ();
  g_autofree char *full_name = g_strdup_printf ("field %s %s", name, ar_environment_get_env_id (env));

  ar_environment_set_name (env, full_name);
  ar_environment_set_base_image (env, base);
  ar_environment_set_container_workdir (env, "/tmp/field-workspace");
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, cached);
  ar_environment_set_run_preflight_script (env, run);
  return env;
}

typedef struct {
  ArTask *task;
  char *log;
  double seconds;
} Ran;

static void
ran_clear (Ran *r)
{
  g_clear_object (&r->task);
  g_clear_pointer (&r->log, g_free);
}

/* One task to its end, through the real runner. */
static void
run_task (Engine *e, ArEnvironment *env, Ran *out)
{
  g_autoptr(ArSettings) settings = new_settings (e);
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autofree char *path = NULL;
  gboolean done = FALSE;
  double started = now_seconds ();

  out->task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "p", AR_TASK_KIND_TASK);
  runner = ar_task_runner_new (e->builder, out->task, env, settings);
  ar_task_runner_run_async (runner, NULL, run_done, &done);
  wait_until (flag_set, &done, TASK_SECONDS, "the task to end");
  out->seconds = now_seconds () - started;
  path = ar_task_dup_log_path (out->task);
  out->log = ar_test_read_file (path);
}

static void
assert_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in:\n%s", needle, text);
}

static void
assert_not_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” should not be in:\n%s", needle, text);
}

static guint
lines_with (const char *text, const char *a, const char *b)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], a) != NULL && (b == NULL || strstr (lines[i], b) != NULL))
      n++;
  return n;
}

static void
assert_line_with (const char *text, const char *a, const char *b)
{
  if (lines_with (text, a, b) == 0)
    g_error ("no line holds both “%s” and “%s” in:\n%s", a, b, text);
}

static void
assert_done (Ran *r)
{
  if (ar_task_get_state (r->task) != AR_TASK_STATE_DONE)
    g_error ("the task ended %s (exit status %d):\n%s", ar_task_state_to_string (ar_task_get_state (r->task)),
             ar_task_get_exit_status (r->task), r->log);
}

static char *
engine_out (Engine *e, const char *const *args)
{
  char *out = NULL;
  g_autofree char *err = NULL;

  if (e->cli (args, &out, &err) != 0)
    g_error ("%s %s failed: %s", e->name, args[0], err);
  return g_strstrip (out);
}

/* The environment layers this engine holds for ENV, one ID a line, sorted. */
static char *
env_layers (Engine *e, ArEnvironment *env)
{
  g_autofree char *filter = g_strconcat ("label=" AR_LABEL_ENV_ID "=", ar_environment_get_env_id (env), NULL);
  const char *args[] = { "image", "ls", "-q", "--no-trunc", "--filter", filter, NULL };
  g_autofree char *out = engine_out (e, args);
  g_auto(GStrv) ids = g_strsplit (out, "\n", -1);
  g_autoptr(GPtrArray) unique = g_ptr_array_new ();

  for (guint i = 0; ids[i] != NULL; i++)
    if (*ids[i] != '\0' && !g_ptr_array_find_with_equal_func (unique, ids[i], g_str_equal, NULL))
      g_ptr_array_add (unique, ids[i]);
  g_ptr_array_sort (unique, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (unique, NULL);
  return g_strjoinv ("\n", (char **) unique->pdata);
}

static char *
image_id (Engine *e, const char *image)
{
  const char *args[] = { "image", "inspect", "--format", "{{.Id}}", image, NULL };

  return engine_out (e, args);
}

/* ---- apt: build once, HIT, what changes what ----------------------------- */

static const char apt_cached[] =
  "#!/bin/sh\nset -e\napt-get update -q\n" APT_INSTALL " jq busybox\n";
static const char *const apt_agent[] = {
  "sh", "-c", "echo \"jq says $(echo '{\"a\": 41}' | jq '.a + 1')\"; busybox | head -n 1", NULL
};

static void
test_apt (gconstpointer data)
{
  Engine *e = (Engine *) data;
  Ran r = { 0 };
  g_autofree char *layers = NULL;
  g_autofree char *layers_now = NULL;
  g_autofree char *base_id = NULL;
  g_autofree char *changed = NULL;
  ArEnvironment *env;

  if (!need_engine (e))
    return;
  base_id = image_id (e, e->base);
  env = e->apt_env = new_env ("apt", e->base, apt_cached, "echo run part one\n", apt_agent);

  /* 1. builds once, streaming apt's output */
  run_task (e, env, &r);
  g_test_message ("%s: first task (build) %.1f s", e->name, r.seconds);
  assert_done (&r);
  assert_line_with (r.log, "cache MISS", "agents-runner-env:");
  assert_contains (r.log, "Setting up jq");
  assert_contains (r.log, "run part one\n");
  assert_contains (r.log, "jq says 42\n");
  assert_contains (r.log, "BusyBox v");
  g_assert_cmpstr (ar_task_get_layers (r.task), ==, "base + environment");
  layers = env_layers (e, env);
  g_assert_cmpuint (strlen (layers), >, 0);
  g_assert_null (strchr (layers, '\n'));
  ran_clear (&r);

  /* 2. a HIT: nothing built, apt not run, the tools there */
  run_task (e, env, &r);
  g_test_message ("%s: second task (HIT) %.1f s", e->name, r.seconds);
  assert_done (&r);
  assert_line_with (r.log, "cache HIT", "agents-runner-env:");
  assert_not_contains (r.log, "cache MISS");
  assert_not_contains (r.log, "Setting up jq");
  assert_contains (r.log, "jq says 42\n");
  ran_clear (&r);

  /* 3. only the run preflight changes: nothing is built */
  ar_environment_set_run_preflight_script (env, "echo run part two\n");
  run_task (e, env, &r);
  assert_done (&r);
  assert_line_with (r.log, "cache HIT", "agents-runner-env:");
  assert_not_contains (r.log, "cache MISS");
  assert_contains (r.log, "run part two\n");
  layers_now = env_layers (e, env);
  g_assert_cmpstr (layers_now, ==, layers);
  g_clear_pointer (&layers_now, g_free);
  ran_clear (&r);

  /* 4. the cached preflight changes: the environment layer, and only it,
   * is built again, on the same base (a short script: what matters is
   * what is built, and one more apt run would cost a minute) */
  changed = g_strdup ("#!/bin/sh\nset -e\nmkdir -p /opt/field\necho the cached part changed | tee /opt/field/mark\n");
  ar_environment_set_cached_preflight_script (env, changed);
  run_task (e, env, &r);
  g_test_message ("%s: task after the cached preflight changed %.1f s", e->name, r.seconds);
  assert_done (&r);
  g_assert_cmpuint (lines_with (r.log, "cache MISS", NULL), ==, 1);
  assert_line_with (r.log, "cache MISS", "agents-runner-env:");
  assert_line_with (r.log, "cache MISS", "cached preflight changed");
  assert_contains (r.log, "the cached part changed\n");
  assert_not_contains (r.log, "Setting up jq");
  g_assert_cmpstr (ar_task_get_layers (r.task), ==, "base + environment");
  {
    g_autofree char *base_now = image_id (e, e->base);

    g_assert_cmpstr (base_now, ==, base_id);
  }
  layers_now = env_layers (e, env);
  g_assert_cmpstr (layers_now, !=, layers);
  g_assert_true (strstr (layers_now, layers) != NULL);  /* the old one, and a new one */
  ran_clear (&r);
}

/* ---- ports: published, reachable on 127.0.0.1 ---------------------------- */

/* GET / on 127.0.0.1:PORT with a plain socket (GSocketClient would ask
 * GSettings for a proxy); the whole answer, or NULL. */
static char *
http_get (guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  const char request[] = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  GString *answer = g_string_new (NULL);
  char buffer[4096];
  gssize n;

  g_socket_set_timeout (socket, 5);
  if (!g_socket_connect (socket, address, NULL, NULL) ||
      g_socket_send (socket, request, sizeof request - 1, NULL, NULL) != (gssize) sizeof request - 1)
    return (g_string_free (answer, TRUE), NULL);
  while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (answer, buffer, n);
  return g_string_free (answer, FALSE);
}

typedef struct {
  Engine *e;
  const char *container;
  guint16 port;
  char *body;
} PortProbe;

/* Whether the engine names a host port for 8000/tcp and it answers. */
static gboolean
port_answers (gpointer data)
{
  PortProbe *p = data;
  const char *args[] = { "port", p->container, "8000/tcp", NULL };
  g_autofree char *out = NULL;
  g_autofree char *answer = NULL;
  const char *colon;

  if (p->e->cli (args, &out, NULL) != 0 || (colon = strrchr (g_strstrip (out), ':')) == NULL)
    return FALSE;
  g_assert_true (g_str_has_prefix (out, "127.0.0.1:"));
  p->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  answer = http_get (p->port);
  if (answer == NULL || strstr (answer, "field port ok") == NULL)
    return FALSE;
  p->body = g_steal_pointer (&answer);
  return TRUE;
}

static void
test_ports (gconstpointer data)
{
  Engine *e = (Engine *) data;
  const char *agent[] = {
    "sh", "-c", "mkdir -p /tmp/www && echo 'field port ok' >/tmp/www/index.html && "
    "exec busybox httpd -f -p 8000 -h /tmp/www", NULL
  };
  const char *ports[] = { "127.0.0.1::8000", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArTaskRunner) runner = NULL;
  g_autoptr(ArTask) task = NULL;
  PortProbe probe = { e, NULL, 0, NULL };
  gboolean done = FALSE;

  if (!need_engine (e))
    return;
  if (e->apt_env == NULL)
    {
      g_test_skip ("the apt test did not run (it builds the image this one uses)");
      return;
    }
  env = ar_environment_copy (e->apt_env);
  ar_environment_set_cached_preflight_script (env, apt_cached);  /* the layer with busybox: a HIT */
  ar_environment_set_custom_command (env, agent);
  ar_environment_set_ports (env, ports);
  settings = new_settings (e);
  task = ar_task_new (ar_environment_get_env_id (env), ar_environment_get_name (env), "p", AR_TASK_KIND_TASK);
  runner = ar_task_runner_new (e->builder, task, env, settings);
  ar_task_runner_run_async (runner, NULL, run_done, &done);
  wait_until (task_running, task, TASK_SECONDS, "the task to start");
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_RUNNING);
  probe.container = ar_task_get_container_name (task);
  wait_until (port_answers, &probe, 30, "the published port to answer on 127.0.0.1");
  g_test_message ("%s: 127.0.0.1:%u answered: %s", e->name, probe.port, probe.body);
  assert_contains (probe.body, "200 OK");
  g_free (probe.body);
  ar_task_runner_stop (runner);
  wait_until (flag_set, &done, 60, "the stopped task to end");
}

/* ---- a non-root base: the build user, sudo, and what needs root --------- */

static void
on_plan (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_nonroot (gconstpointer data)
{
  Engine *e = (Engine *) data;
  const char *agent[] = { "sh", "-c", "echo \"agent as $(id -un)\"; echo \"jq says $(jq -n '1 + 1')\"", NULL };
  g_autoptr(ArEnvironment) env = NULL;
  g_autoptr(ArEnvironment) etc_env = NULL;
  Ran r = { 0 };

  if (!need_engine (e))
    return;
  env = new_env ("sudo", e->dev,
                 "#!/bin/sh\nset -e\nsudo apt-get update -q\nsudo " APT_INSTALL " jq\n", "", agent);

  /* What the Preflight tab's warning names: plan()'s build user. */
  {
    g_autoptr(ArSettings) settings = new_settings (e);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ArImageResolution) plan = NULL;

    ar_image_builder_plan_async (e->builder, env, settings, NULL, on_plan, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    plan = ar_image_builder_plan_finish (e->builder, result, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (plan->base_user, ==, "dev");
  }

  /* sudo apt-get install at build time works; the task runs as dev */
  run_task (e, env, &r);
  g_test_message ("%s: the sudo build %.1f s", e->name, r.seconds);
  assert_done (&r);
  assert_line_with (r.log, "cache MISS", "agents-runner-env:");
  assert_line_with (r.log, "building agents-runner-env:", " as dev");
  assert_contains (r.log, "Setting up jq");
  assert_contains (r.log, "agent as dev\n");
  assert_contains (r.log, "jq says 2\n");
  ran_clear (&r);

  /* writing to /etc as dev fails at build; the task falls back to running
   * the cached preflight at start, which fails there too, and says why */
  etc_env = new_env ("etc", e->dev, "#!/bin/sh\nset -e\necho field >/etc/agents-runner-field\n", "", agent);
  run_task (e, etc_env, &r);
  g_test_message ("%s: the /etc fallback:\n%s", e->name, r.log);
  assert_line_with (r.log, "building agents-runner-env:", " as dev");
  assert_line_with (r.log, "][WARN]", "could not be built");
  assert_line_with (r.log, "][WARN]", "the cached preflight will run at task start instead");
  assert_line_with (r.log, "][WARN]", "Permission denied");
  assert_line_with (r.log, "][WARN]", "the script ran as dev");
  assert_contains (ar_task_get_cache_summary (r.task), "cached preflight runs at start");
  assert_contains (r.log, "[task/preflight][INFO] running cached preflight\n");
  assert_line_with (r.log, "[task/preflight][ERROR]", "cached preflight failed");
  g_assert_cmpint (ar_task_get_state (r.task), ==, AR_TASK_STATE_FAILED);
  assert_not_contains (r.log, "agent as dev");
  ran_clear (&r);
}

/* ---- the test engine's network ------------------------------------------- */

static gboolean
link_exists (const char *name)
{
  g_autofree char *path = g_build_filename ("/sys/class/net", name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static char *
own_bridge (void)
{
  const char *args[] = { "network", "inspect", "bridge", "--format", "{{index .Options \"com.docker.network.bridge.name\"}}", NULL };
  g_autofree char *out = NULL;

  if (ar_test_engine_docker (args, &out, NULL) != 0)
    return NULL;
  return g_strdup (g_strstrip (out));
}

/* Whether BRIDGE's MAC address was set (the kernel's NET_ADDR_SET, 3):
 * else it follows the lowest MAC of its ports, changing as containers
 * start and stop, and a container that had resolved the gateway sends to
 * a MAC no longer there: its connections to the host (the apt proxy)
 * time out until ARP probes again (seen in CI). */
static gboolean
bridge_mac_is_set (const char *bridge)
{
  g_autofree char *path = g_build_filename ("/sys/class/net", bridge, "addr_assign_type", NULL);
  g_autofree char *type = NULL;

  g_assert_true (g_file_get_contents (path, &type, NULL, NULL));
  return g_str_equal (g_strstrip (type), "3");
}

/* A second private engine (tests/engine-up.sh with a folder of its own)
 * starts and stops; docker0 (made here when absent, as another engine
 * would have it), the first engine's bridge and its containers' reach to
 * the archive all survive. The second engine's bridge has a MAC address
 * of its own, set (bridge_mac_is_set()). */
static void
test_engine_network (void)
{
  Engine *e = &on_docker;
  g_autofree char *bridge = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) envp = NULL;
  gboolean made_docker0 = FALSE;
  g_autofree char *second_bridge = NULL;
  gboolean second_mac_set = FALSE;
  const char *root = g_getenv ("AR_SOURCE_ROOT");

  if (!need_engine (e))
    return;
  if (geteuid () != 0)
    {
      g_test_skip ("only root may start a private engine");
      return;
    }
  bridge = own_bridge ();
  g_assert_nonnull (bridge);
  g_test_message ("the engine's bridge: %s", bridge);
  g_assert_cmpstr (bridge, !=, "");
  if (!link_exists ("docker0"))
    {
      const char *add[] = { "ip", "link", "add", "docker0", "type", "bridge", NULL };

      g_assert_cmpint (ar_test_run_argv (add, NULL, NULL, NULL), ==, 0);
      made_docker0 = TRUE;
    }

  dir = g_dir_make_tmp ("ar-test-engine-XXXXXX", NULL);
  g_assert_nonnull (dir);
  script = g_build_filename (root != NULL ? root : ".", "tests", "engine-up.sh", NULL);
  envp = g_environ_setenv (g_get_environ (), "AR_TEST_ENGINE_UP_DIR", dir, TRUE);
  envp = g_environ_unsetenv (envp, "DOCKER_HOST");
  {
    const char *up[] = { "sh", script, NULL };
    int status = ar_test_run_argv (up, (const char *const *) envp, &out, &err);

    if (status != 0)
      g_error ("tests/engine-up.sh could not start a second engine: %s", err);
  }
  g_assert_true (strstr (out, "export DOCKER_HOST=unix://") != NULL);
  g_assert_true (link_exists ("docker0"));
  g_assert_true (link_exists (bridge));
  {
    g_autofree char *teardown_path = g_build_filename (dir, "teardown", NULL);
    g_autofree char *teardown = ar_test_read_file (teardown_path);
    const char *del = strstr (teardown, "ip link del ");

    g_assert_nonnull (del);
    second_bridge = g_strndup (del + strlen ("ip link del "), strcspn (del + strlen ("ip link del "), " \n"));
    g_assert_true (link_exists (second_bridge));
    second_mac_set = bridge_mac_is_set (second_bridge);  /* said once that engine is stopped */
  }
  {
    const char *update[] = { "run", "--rm", "--label", ar_test_engine_run_label (), e->base,
                             "apt-get", "-q", "update", NULL };
    g_autofree char *update_err = NULL;

    if (ar_test_engine_docker (update, NULL, &update_err) != 0)
      g_error ("with a second engine up, a container of the first one no longer reaches the archive: %s",
               update_err);
  }
  {
    g_autofree char *dir_env = g_strconcat ("AR_TEST_DOCKERD_DIR=", dir, NULL);
    const char *stop[] = { "env", dir_env, "sh", script, "stop", NULL };

    g_assert_cmpint (ar_test_run_argv (stop, NULL, NULL, NULL), ==, 0);
  }
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_true (link_exists ("docker0"));
  g_assert_true (link_exists (bridge));
  if (made_docker0)
    {
      const char *del[] = { "ip", "link", "del", "docker0", NULL };

      ar_test_run_argv (del, NULL, NULL, NULL);
    }
  if (!second_mac_set)
    g_error ("the bridge %s of a private engine had no MAC address of its own: it changes as containers come and go",
             second_bridge);
}

int
main (int argc, char **argv)
{
  int status;

  /* meson runs the docker and the podman halves side by side (-p
   * /field/docker, -p /field/podman). Each keeps an apt cache of its own
   * (a few MB: jq, busybox, sudo and the lists), apart from the auto-split
   * test's, which runs beside them: nothing is downloaded twice across
   * runs. */
  ar_test_debian_choose_apt_cache (argc, argv, "apt-cacher-ng-field-docker", "/field/podman",
                                   "apt-cacher-ng-field-podman");
  ar_test_init (&argc, &argv);
  g_setenv (AR_TEST_RUN_LABEL_ENV, ar_test_engine_run_label (), TRUE);

  g_test_add_data_func ("/field/docker/apt", &on_docker, test_apt);
  g_test_add_data_func ("/field/docker/ports", &on_docker, test_ports);
  g_test_add_data_func ("/field/docker/nonroot", &on_docker, test_nonroot);
  g_test_add_data_func ("/field/podman/apt", &on_podman, test_apt);
  g_test_add_data_func ("/field/podman/ports", &on_podman, test_ports);
  g_test_add_data_func ("/field/podman/nonroot", &on_podman, test_nonroot);
  g_test_add_func ("/field/docker/engine-network", test_engine_network);

  status = g_test_run ();
  ar_test_debian_cleanup ();
  for (guint i = 0; i < 2; i++)
    {
      Engine *e = i == 0 ? &on_docker : &on_podman;

      g_clear_object (&e->apt_env);
      g_clear_object (&e->builder);
      g_clear_object (&e->engine);
      g_clear_pointer (&e->base, g_free);
      g_clear_pointer (&e->dev, g_free);
    }
  return status;
}
