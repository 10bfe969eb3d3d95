/* test-autosplit-engine.c — a split keeps a real script working, on a real
 * Debian base with real apt-get installs (issue 9 items 5 and 6)
 *
 * For every corpus script marked runnable (tests/corpus/autosplit/README.md),
 * the unsplit script runs in a container on the Debian base, then the split
 * pair goes through the build check (ar-preflight-build-check.h): the cached
 * part is built on the base, the run part runs on top. Both runs end with
 * the same listing of the file system (type, mode, owner, path, link target,
 * and a SHA-256 of every regular file) in place of the agent, and both must
 * leave the same files and end with the same exit status.
 *
 * The Debian base is made as ../shared/ENGINE.md says (debootstrap
 * --variant=minbase bookworm, tar, docker import) and the tar is kept in
 * AR_TEST_DEBIAN_TAR (default /var/cache/agents-runner-tests/…): built once
 * (≈ 3.5 min), reused after. apt needs a network: when the engine at hand
 * has no bridge (tests/engine-up.sh starts one with --bridge=none), this
 * test starts its own private dockerd on a bridge of its own (never
 * docker0, which another engine may hold), and proves that a container
 * reaches Debian's archive before anything else.
 *
 * Every package still comes from Debian's archive through a real apt-get,
 * but through a caching proxy: apt-cacher-ng, started by this test on the
 * bridge's address and stopped at its end, with its cache kept in
 * AR_TEST_APT_CACHE (default /var/cache/agents-runner-tests/apt-cacher-ng),
 * so that the .debs each script installs twice (split and unsplit), and
 * those scripts share, are downloaded once. The Debian base the checks use
 * is the imported one with one line more, in /etc/apt/apt.conf.d/, naming
 * the proxy. A proxy that cannot start fails the test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-preflight-analyzer.h"
#include "ar-preflight-build-check.h"
#include "ar-task-runner.h"
#include "test-utils.h"

#define RUN_LABEL_KEY "io.github.agents-runner.test-run"
#define DEFAULT_DEBIAN_TAR "/var/cache/agents-runner-tests/debian-bookworm-minbase.tar"
#define DEFAULT_APT_CACHE "/var/cache/agents-runner-tests/apt-cacher-ng"
#define APT_PROXY_CONF "01agents-runner-test-proxy"
#define DEBIAN_MIRROR "http://deb.debian.org/debian"
#define LISTING_MARK "@@ "

static char *debian_image;       /* in the engine this test uses */
static ArEngine *engine;
static gboolean engine_failed;
static gboolean engine_fatal;    /* engine_skip is a failure, not a skip */
static char *engine_skip;
static char *bridge_gateway;     /* the host's address on our bridge */

/* ---- the Debian base --------------------------------------------------- */

static const char *
debian_tar_path (void)
{
  const char *path = g_getenv ("AR_TEST_DEBIAN_TAR");

  return path != NULL && *path != '\0' ? path : DEFAULT_DEBIAN_TAR;
}

static int
run_argv (const char *const *argv, char **out, char **err)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &wait_status, &error))
    {
      if (err != NULL)
        *err = g_strdup (error->message);
      return 127;
    }
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* The tar of a minbase bookworm, made once and kept: a folder next to it
 * while debootstrap works, renamed into place only when whole. */
static gboolean
ensure_debian_tar (char **why)
{
  const char *tar = debian_tar_path ();
  g_autofree char *dir = g_path_get_dirname (tar);
  g_autofree char *root = NULL;
  g_autofree char *part = g_strconcat (tar, ".part", NULL);
  g_autofree char *err = NULL;

  if (g_file_test (tar, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  if (geteuid () != 0 || g_find_program_in_path ("debootstrap") == NULL)
    {
      *why = g_strdup_printf ("no %s, and only root with debootstrap installed can make it", tar);
      return FALSE;
    }
  g_mkdir_with_parents (dir, 0755);
  root = g_build_filename (dir, "root-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (root));
  g_test_message ("making the Debian base once (about 3.5 minutes): %s", tar);
  {
    const char *argv[] = { "debootstrap", "--variant=minbase", "bookworm", root, DEBIAN_MIRROR, NULL };

    if (run_argv (argv, NULL, &err) != 0)
      {
        const char *rm[] = { "rm", "-rf", "--one-file-system", root, NULL };

        run_argv (rm, NULL, NULL);
        *why = g_strdup_printf ("debootstrap failed: %s", err);
        return FALSE;
      }
  }
  {
    const char *argv[] = { "tar", "--numeric-owner", "-C", root, "-cf", part, ".", NULL };
    const char *rm[] = { "rm", "-rf", "--one-file-system", root, NULL };
    int status = run_argv (argv, NULL, NULL);

    run_argv (rm, NULL, NULL);
    g_assert_cmpint (status, ==, 0);
  }
  g_assert_cmpint (g_rename (part, tar), ==, 0);
  return TRUE;
}

/* ---- an engine with a network ------------------------------------------ */

static gboolean
engine_answers (void)
{
  const char *args[] = { "info", "--format", "{{.ServerVersion}}", NULL };

  return ar_test_engine_docker (args, NULL, NULL) == 0;
}

static gboolean
engine_has_bridge (void)
{
  const char *args[] = { "network", "inspect", "bridge", NULL };

  return ar_test_engine_docker (args, NULL, NULL) == 0;
}

/* Stops our dockerd and removes its bridge, its NAT rule and its folder
 * when this process is gone, however it went. */
static const char net_reaper_script[] =
  "dir=\"$1\" bridge=\"$2\" subnet=\"$3\"\n"
  "cat >/dev/null\n"
  "if [ -e \"$dir/pid\" ]; then\n"
  "  pid=$(cat \"$dir/pid\")\n"
  "  kill \"$pid\" 2>/dev/null\n"
  "  i=0\n"
  "  while [ -e \"$dir/pid\" ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done\n"
  "  [ -e \"$dir/pid\" ] && kill -9 \"$pid\" 2>/dev/null\n"
  "fi\n"
  "iptables -t nat -D POSTROUTING -s \"$subnet\" ! -o \"$bridge\" -j MASQUERADE 2>/dev/null\n"
  "ip link del \"$bridge\" 2>/dev/null\n"
  "rm -rf --one-file-system \"$dir\"\n";

static GSubprocess *net_reaper;

static void
new_session (gpointer user_data)
{
  setsid ();
}

/* A private dockerd on a bridge of its own (ENGINE.md: never the docker0
 * another engine may hold), with iptables for the NAT to the host's
 * network. Everything under a folder of this run. */
static gboolean
start_networked_engine (char **why)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *bridge = g_strdup_printf ("ar-t%08x", g_random_int ());
  g_autofree char *subnet = NULL;
  g_autofree char *address = NULL;
  g_autofree char *host = NULL;
  g_autofree char *ns = NULL;
  g_autofree char *data = NULL, *exec_root = NULL, *pidfile = NULL, *log_path = NULL;
  g_autofree char *addrs = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const char *show[] = { "ip", "-4", "addr", NULL };
  guint third = 0;

  if (geteuid () != 0 || g_find_program_in_path ("dockerd") == NULL || g_find_program_in_path ("ip") == NULL)
    {
      *why = g_strdup ("the engine has no network, and only root with dockerd and ip can start one that has");
      return FALSE;
    }
  run_argv (show, &addrs, NULL);
  for (guint tries = 0; tries < 50; tries++)
    {
      g_autofree char *probe = NULL;

      third = g_random_int_range (0, 256);
      probe = g_strdup_printf (" 10.213.%u.", third);
      if (addrs == NULL || strstr (addrs, probe) == NULL)
        break;
    }
  subnet = g_strdup_printf ("10.213.%u.0/24", third);
  address = g_strdup_printf ("10.213.%u.1/24", third);
  g_free (bridge_gateway);
  bridge_gateway = g_strdup_printf ("10.213.%u.1", third);

  dir = g_dir_make_tmp ("ar-test-net-XXXXXX", &error);
  g_assert_no_error (error);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
  net_reaper = g_subprocess_launcher_spawn (launcher, &error, "sh", "-c", net_reaper_script, "ar-test-net-reaper",
                                            dir, bridge, subnet, NULL);
  g_assert_no_error (error);

  {
    const char *add[] = { "ip", "link", "add", bridge, "type", "bridge", NULL };
    const char *addr[] = { "ip", "addr", "add", address, "dev", bridge, NULL };
    const char *up[] = { "ip", "link", "set", bridge, "up", NULL };
    g_autofree char *err = NULL;

    if (run_argv (add, NULL, &err) != 0 || run_argv (addr, NULL, NULL) != 0 || run_argv (up, NULL, NULL) != 0)
      {
        *why = g_strdup_printf ("could not make the bridge %s: %s", bridge, err != NULL ? err : "");
        return FALSE;
      }
  }

  data = g_build_filename (dir, "data", NULL);
  exec_root = g_build_filename (dir, "exec", NULL);
  pidfile = g_build_filename (dir, "pid", NULL);
  log_path = g_build_filename (dir, "dockerd.log", NULL);
  host = g_strconcat ("unix://", dir, "/docker.sock", NULL);
  ns = g_strdup_printf ("ar-test-net-%08x", g_random_int ());
  {
    g_autofree char *bridge_opt = g_strconcat ("--bridge=", bridge, NULL);
    g_autofree char *plugins_ns = g_strconcat (ns, "-plugins", NULL);
    const char *argv[] = {
      "dockerd", "--data-root", data, "--exec-root", exec_root, "--pidfile", pidfile, "-H", host,
      bridge_opt, "--iptables=true", "--containerd-namespace", ns, "--containerd-plugins-namespace", plugins_ns,
      NULL
    };
    g_autoptr(GSubprocessLauncher) dl = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
    g_autoptr(GSubprocess) dockerd = NULL;
    gint64 deadline;

    g_subprocess_launcher_set_child_setup (dl, new_session, NULL, NULL);
    g_subprocess_launcher_set_stdout_file_path (dl, log_path);
    g_subprocess_launcher_set_stderr_file_path (dl, log_path);
    dockerd = g_subprocess_launcher_spawnv (dl, argv, &error);
    g_assert_no_error (error);
    g_setenv ("DOCKER_HOST", host, TRUE);
    deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    while (g_get_monotonic_time () < deadline)
      {
        const char *info[] = { "info", "--format", "{{.ServerVersion}}", NULL };

        if (ar_test_engine_docker (info, NULL, NULL) == 0)
          {
            g_test_message ("a private dockerd with the bridge %s (%s) at %s", bridge, subnet, host);
            return TRUE;
          }
        g_usleep (200 * 1000);
      }
  }
  *why = g_strdup_printf ("the private dockerd did not answer within 30 s (see %s)", log_path);
  return FALSE;
}

/* ---- a caching apt proxy ------------------------------------------------ */

static GSubprocess *apt_proxy;         /* flock + apt-cacher-ng, a session of their own */
static GSubprocess *apt_proxy_reaper;  /* stops them when this process is gone */
static char *apt_proxy_dir;            /* its configuration and log, this run only */

static const char *
apt_cache_path (void)
{
  const char *path = g_getenv ("AR_TEST_APT_CACHE");

  return path != NULL && *path != '\0' ? path : DEFAULT_APT_CACHE;
}

/* The address the containers reach the host at: our bridge's, else the
 * gateway of the engine's own bridge network. */
static char *
proxy_address (void)
{
  const char *args[] = { "network", "inspect", "bridge", "--format",
                         "{{range .IPAM.Config}}{{.Gateway}} {{end}}", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) words = NULL;

  if (bridge_gateway != NULL)
    return g_strdup (bridge_gateway);
  if (ar_test_engine_docker (args, &out, NULL) != 0 || out == NULL)
    return NULL;
  words = g_strsplit (g_strstrip (out), " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (strchr (words[i], '.') != NULL)  /* IPv4 */
      return g_strdup (words[i]);
  return NULL;
}

/* Whether PORT is free on ADDRESS now. */
static gboolean
port_free (const char *address, guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (socket == NULL || inet == NULL)
    return FALSE;
  socket_address = g_inet_socket_address_new (inet, port);
  return g_socket_bind (socket, socket_address, FALSE, NULL);
}

/* A plain socket: GSocketClient would ask GSettings for a proxy. */
static gboolean
port_answers (const char *address, guint16 port)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) socket_address = NULL;

  if (socket == NULL || inet == NULL)
    return FALSE;
  g_socket_set_timeout (socket, 2);
  socket_address = g_inet_socket_address_new (inet, port);
  return g_socket_connect (socket, socket_address, NULL, NULL);
}

/* When this process is gone, however it went: stops the proxy's whole
 * session (flock and apt-cacher-ng; its group is in DIR/pgid while it
 * runs) and removes DIR. */
static const char apt_proxy_reaper_script[] =
  "cat >/dev/null\n"
  "if [ -s \"$1/pgid\" ]; then\n"
  "  p=$(cat \"$1/pgid\")\n"
  "  kill -TERM \"-$p\" 2>/dev/null\n"
  "  i=0\n"
  "  while kill -0 \"-$p\" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done\n"
  "  kill -KILL \"-$p\" 2>/dev/null\n"
  "fi\n"
  "rm -rf --one-file-system \"$1\"\n";

static void
kill_apt_proxy (void)
{
  g_autofree char *group = NULL;
  g_autofree char *pgid_path = NULL;
  const char *kill_argv[] = { "kill", "-TERM", "--", NULL, NULL };

  if (apt_proxy == NULL)
    return;
  group = g_strconcat ("-", g_subprocess_get_identifier (apt_proxy), NULL);
  kill_argv[3] = group;
  run_argv (kill_argv, NULL, NULL);
  g_subprocess_wait (apt_proxy, NULL, NULL);
  g_clear_object (&apt_proxy);
  pgid_path = g_build_filename (apt_proxy_dir, "pgid", NULL);
  g_unlink (pgid_path);
}

/* Starts apt-cacher-ng on ADDRESS with the kept cache, which one proxy at a
 * time may use (flock): while another run holds it, a cache of this run
 * only (nothing is shared that two proxies could write at once). Sets
 * *url to the proxy's URL. apt-cacher-ng 3.7 takes no port above 32767
 * and, when it cannot listen, says so and goes on running: the port is
 * checked free first, and its output read while it is waited for. */
static gboolean
start_apt_proxy (const char *address, char **url, char **why)
{
  g_autofree char *acng = g_find_program_in_path ("apt-cacher-ng");
  g_autofree char *flock_path = g_find_program_in_path ("flock");
  g_autoptr(GError) error = NULL;
  const char *cache = apt_cache_path ();
  g_autofree char *lock = NULL;
  g_autofree char *log_dir = NULL;
  g_autofree char *conf_dir = NULL;
  g_autofree char *private_cache = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *out_log = NULL;
  g_autofree char *last_output = NULL;
  gboolean shared = TRUE;

  if (acng == NULL && g_file_test ("/usr/sbin/apt-cacher-ng", G_FILE_TEST_IS_EXECUTABLE))
    acng = g_strdup ("/usr/sbin/apt-cacher-ng");
  if (acng == NULL || flock_path == NULL)
    {
      *why = g_strdup ("apt-cacher-ng (or flock) is not installed; tools/deps.sh test installs it");
      return FALSE;
    }
  if (g_mkdir_with_parents (cache, 0755) != 0)
    {
      *why = g_strdup_printf ("cannot make its cache folder %s: %s", cache, g_strerror (errno));
      return FALSE;
    }
  apt_proxy_dir = g_dir_make_tmp ("ar-test-apt-proxy-XXXXXX", &error);
  g_assert_no_error (error);
  log_dir = g_build_filename (apt_proxy_dir, "log", NULL);
  conf_dir = g_build_filename (apt_proxy_dir, "conf", NULL);
  private_cache = g_build_filename (apt_proxy_dir, "cache", NULL);
  conf_path = g_build_filename (conf_dir, "acng.conf", NULL);
  out_log = g_build_filename (apt_proxy_dir, "output.log", NULL);
  g_mkdir_with_parents (log_dir, 0755);
  g_mkdir_with_parents (conf_dir, 0755);
  lock = g_build_filename (cache, ".lock", NULL);
  {
    g_autoptr(GSubprocessLauncher) reaper_launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

    g_subprocess_launcher_set_child_setup (reaper_launcher, new_session, NULL, NULL);
    apt_proxy_reaper = g_subprocess_launcher_spawn (reaper_launcher, &error, "sh", "-c", apt_proxy_reaper_script,
                                                    "ar-test-apt-proxy-reaper", apt_proxy_dir, NULL);
    g_assert_no_error (error);
  }

  for (guint attempt = 0; attempt < 8; attempt++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autofree char *conf = NULL;
      g_autofree char *pid_text = NULL;
      guint16 port = attempt == 0 ? 3142 : (guint16) g_random_int_range (20000, 32768);
      gboolean ended = FALSE;
      gboolean said_error = FALSE;
      gint64 deadline;

      if (!port_free (address, port))
        continue;
      /* No Remap lines: every URL is fetched from the host it names
       * (deb.debian.org), none from a mirror of apt-cacher-ng's choosing. */
      conf = g_strdup_printf ("CacheDir: %s\nLogDir: %s\nSupportDir: /usr/lib/apt-cacher-ng\n"
                              "Port: %u\nBindAddress: %s\nForeGround: 1\n",
                              shared ? cache : private_cache, log_dir, port, address);
      ar_test_write_file (conf_path, conf);
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
      g_subprocess_launcher_set_child_setup (launcher, new_session, NULL, NULL);
      g_subprocess_launcher_set_stdout_file_path (launcher, out_log);
      g_subprocess_launcher_set_stderr_file_path (launcher, out_log);
      /* flock exits 75 at once when another proxy holds the cache */
      apt_proxy = g_subprocess_launcher_spawn (launcher, &error, flock_path, "-n", "-E", "75", lock,
                                               acng, "-c", conf_dir, NULL);
      g_assert_no_error (error);
      pid_text = g_strdup (g_subprocess_get_identifier (apt_proxy));
      {
        g_autofree char *pgid_path = g_build_filename (apt_proxy_dir, "pgid", NULL);

        ar_test_write_file (pgid_path, pid_text);
      }

      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (g_get_monotonic_time () < deadline)
        {
          g_autofree char *proc = g_strdup_printf ("/proc/%s/stat", pid_text);
          g_autofree char *stat = NULL;

          if (port_answers (address, port))
            {
              *url = g_strdup_printf ("http://%s:%u/", address, port);
              g_test_message ("apt-cacher-ng at %s, cache %s", *url, shared ? cache : private_cache);
              return TRUE;
            }
          g_clear_pointer (&last_output, g_free);
          g_file_get_contents (out_log, &last_output, NULL, NULL);
          /* gone, a zombie, or it said why it cannot listen */
          ended = !g_file_get_contents (proc, &stat, NULL, NULL) || strstr (stat, ") Z ") != NULL;
          said_error = last_output != NULL && strstr (last_output, "rror") != NULL;
          if (ended || said_error)
            break;
          g_usleep (100 * 1000);
        }
      kill_apt_proxy ();
      if ((ended && !shared) || (!ended && !said_error))  /* or silent for 30 s */
        break;
      if (ended && shared)
        {
          /* flock's 75 (whatever else ended it, a cache of its own is tried) */
          g_test_message ("the cache %s is held by another run's proxy: this run uses one of its own", cache);
          shared = FALSE;
        }
    }
  *why = g_strdup_printf ("apt-cacher-ng did not answer on %s (%s)", address,
                          last_output != NULL && *g_strstrip (last_output) != '\0' ? last_output : "no output");
  return FALSE;
}

static void
stop_apt_proxy (void)
{
  kill_apt_proxy ();
  if (apt_proxy_dir != NULL)
    {
      const char *rm[] = { "rm", "-rf", "--one-file-system", apt_proxy_dir, NULL };

      run_argv (rm, NULL, NULL);
      g_clear_pointer (&apt_proxy_dir, g_free);
    }
  g_clear_object (&apt_proxy_reaper);  /* its stdin closes: it ends */
}

/* The imported base with one line more: apt's proxy. */
static char *
derive_proxied_base (const char *base, const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ctx = g_dir_make_tmp ("ar-test-apt-base-XXXXXX", &error);
  g_autofree char *conf_path = NULL;
  g_autofree char *dockerfile_path = NULL;
  g_autofree char *conf = g_strdup_printf ("Acquire::http::Proxy \"%s\";\n", url);
  g_autofree char *dockerfile = g_strdup_printf ("FROM %s\nCOPY " APT_PROXY_CONF " /etc/apt/apt.conf.d/" APT_PROXY_CONF "\n",
                                                 base);
  g_autofree char *name = g_strconcat ("ar-test-debian-proxied:", ar_test_engine_run_id (), NULL);
  g_autofree char *err = NULL;
  const char *build[] = { "build", "-q", "-t", name, ctx, NULL };
  const char *rm[] = { "rm", "-rf", "--one-file-system", ctx, NULL };
  int status;

  g_assert_no_error (error);
  conf_path = g_build_filename (ctx, APT_PROXY_CONF, NULL);
  dockerfile_path = g_build_filename (ctx, "Dockerfile", NULL);
  ar_test_write_file (conf_path, conf);
  ar_test_write_file (dockerfile_path, dockerfile);
  g_chmod (conf_path, 0644);
  status = ar_test_engine_docker (build, NULL, &err);
  run_argv (rm, NULL, NULL);
  if (status != 0)
    g_error ("could not add the apt proxy line to the Debian base: %s", err);
  return g_steal_pointer (&name);
}

static gboolean
need_engine (void)
{
  if (debian_image != NULL)
    return TRUE;
  if (engine_failed)
    {
      if (engine_fatal)
        g_test_fail_printf ("%s", engine_skip);
      else
        g_test_skip (engine_skip);
      return FALSE;
    }
  engine_failed = TRUE;
  if (!ensure_debian_tar (&engine_skip))
    {
      g_test_skip (engine_skip);
      return FALSE;
    }
  /* The engine at hand when it has a bridge; else one of our own. */
  if (engine_answers () && engine_has_bridge ())
    g_assert_true (ar_test_engine_ensure ());
  else if (!start_networked_engine (&engine_skip))
    {
      g_test_skip (engine_skip);
      return FALSE;
    }
  {
    g_autofree char *name = g_strconcat ("ar-test-debian:", ar_test_engine_run_id (), NULL);
    g_autofree char *change = g_strconcat ("LABEL " RUN_LABEL_KEY "=", ar_test_engine_run_id (), NULL);
    g_autofree char *err = NULL;
    const char *import[] = { "import", "--change", change, debian_tar_path (), name, NULL };
    gint64 start = g_get_monotonic_time ();

    if (ar_test_engine_docker (import, NULL, &err) != 0)
      g_error ("docker import of %s failed: %s", debian_tar_path (), err);
    g_test_message ("imported the Debian base in %.1f s", (g_get_monotonic_time () - start) / 1e6);
    {
      g_autofree char *address = proxy_address ();
      g_autofree char *url = NULL;
      g_autofree char *why = NULL;

      if (address == NULL || !start_apt_proxy (address, &url, &why))
        {
          engine_skip = g_strdup_printf ("The caching apt proxy could not start: %s.",
                                         address == NULL ? "the engine's bridge network has no IPv4 gateway" : why);
          engine_fatal = TRUE;
          g_test_fail_printf ("%s", engine_skip);
          return FALSE;
        }
      debian_image = derive_proxied_base (name, url);
    }
  }
  engine = ar_engine_new ("docker", "");
  engine_failed = FALSE;
  return TRUE;
}

/* ---- checks -------------------------------------------------------------- */

typedef struct {
  GPtrArray *listing;  /* LISTING_MARK lines, without the mark */
  GString *output;     /* everything else */
} Captured;

static void
capture_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  Captured *c = user_data;

  if (g_str_has_prefix (line, LISTING_MARK))
    g_ptr_array_add (c->listing, g_strdup (line + strlen (LISTING_MARK)));
  else
    g_string_append_printf (c->output, "[%s] %s\n", ar_build_check_stage_to_string (stage), line);
}

/* What the agent does in these checks: list the file system. Noise that
 * differs between any two containers is left out: kernel and runtime
 * mounts, /tmp, apt's lists and downloads, logs, debconf's and ldconfig's
 * caches (they hold times and inode numbers), and the files the engine
 * mounts over /etc. A Python bytecode file (*.pyc) is listed (type, mode,
 * owner) but not hashed: it holds the modification time of its source,
 * which for anything pip unpacks (the pip and setuptools a `python3 -m
 * venv` installs) is the moment it ran, so two runs of the same line never
 * give the same bytes (seen: every .pyc of a workspace virtualenv). */
static const char listing_script[] =
  "cd / && LC_ALL=C find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp"
  " -o -path /var/tmp -o -path /var/cache/apt -o -path /var/lib/apt/lists -o -path /var/log"
  " -o -path /var/cache/debconf -o -path /var/cache/ldconfig -o -path /etc/hostname -o -path /etc/hosts"
  " -o -path /etc/resolv.conf -o -path /etc/mtab -o -path /.dockerenv -o -path /root/.cache \\) -prune"
  " -o -printf '" LISTING_MARK "%y %m %u:%g %p -> %l\\n' -o -true >/tmp/ar-list 2>/dev/null;"
  " sed -n '/\\.pyc -> $/!s|^" LISTING_MARK "f [^ ]* [^ ]* \\(.*\\) -> $|\\1|p' /tmp/ar-list | tr '\\n' '\\0' |"
  " xargs -0 -r sha256sum | sed 's|^|" LISTING_MARK "sha256 |';"
  " cat /tmp/ar-list";

typedef struct {
  ArBuildCheckResult *result;
  GPtrArray *listing;
  char *output;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->result, ar_build_check_result_free);
  g_clear_pointer (&o->listing, g_ptr_array_unref);
  g_clear_pointer (&o->output, g_free);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

typedef struct {
  Captured c;
  GAsyncResult *result;
  ArEnvironment *env;
  ArSettings *settings;
} Pending;

static const char *const listing_agent[] = { "/bin/sh", "-c", listing_script, NULL };

/* Starts a check; checks run side by side (their downloads overlap). */
static void
check_start (const char *cached, const char *run, gboolean list, Pending *p)
{
  p->c.listing = g_ptr_array_new_with_free_func (g_free);
  p->c.output = g_string_new (NULL);
  p->result = NULL;
  p->env = ar_environment_new ();
  p->settings = ar_settings_new_default ();
  ar_environment_set_base_image (p->env, debian_image);
  /* Not the default working folder under /home/midori-ai: the engine makes
   * the working folder and its parents (as root) before any script runs,
   * so there an unsplit `useradd --create-home midori-ai` finds its home
   * already made and copies no skeleton files, while the cached part, built
   * with no working folder, gets them. That is a difference between build
   * time and start time, not one the split makes (the split's result is the
   * one the script asked for); a working folder of its own keeps it out. */
  ar_environment_set_container_workdir (p->env, "/workspace");
  p->settings->build_timeout = 600;
  ar_preflight_check_build_async (engine, p->env, p->settings, cached, run, list ? listing_agent : NULL,
                                  capture_line, &p->c, NULL, ar_test_store_result, &p->result);
}

static void
check_finish (Pending *p, Outcome *out)
{
  g_autoptr(GError) error = NULL;

  out->result = ar_preflight_check_build_finish (ar_test_wait_result (&p->result), &error);
  g_clear_object (&p->result);
  g_clear_object (&p->env);
  g_clear_pointer (&p->settings, ar_settings_free);
  g_assert_no_error (error);
  g_ptr_array_sort (p->c.listing, compare_strings);
  out->listing = p->c.listing;
  out->output = g_string_free (p->c.output, FALSE);
}

static void
check (const char *cached, const char *run, gboolean list, Outcome *out)
{
  Pending p;

  check_start (cached, run, list, &p);
  check_finish (&p, out);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_find_line (void)
{
  const char *name = "cached-preflight.sh";

  g_assert_cmpuint (ar_preflight_build_check_find_line ("", name), ==, 0);
  g_assert_cmpuint (ar_preflight_build_check_find_line ("E: Unable to locate package nope", name), ==, 0);
  /* dash, run directly */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "x\n/tmp/agents-runner-build/cached-preflight.sh: 7: nope: not found\n", name), ==, 7);
  /* bash */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/tmp/agents-runner-build/cached-preflight.sh: line 12: nope: command not found", name), ==, 12);
  /* dash, sourced by the entry script */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/tmp/agents-runner/entry.sh: 3: /tmp/agents-runner/run-preflight.sh: nope: not found",
                      "run-preflight.sh"), ==, 3);
  /* busybox ash, sourced */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/tmp/agents-runner/entry.sh: /tmp/agents-runner/run-preflight.sh: line 9: nope: not found",
                      "run-preflight.sh"), ==, 9);
  /* the other part's file does not count; the last message wins */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/x/run-preflight.sh: 4: a: not found\n/x/cached-preflight.sh: 2: b: not found\n"
                      "/x/cached-preflight.sh: 5: c: not found", name), ==, 5);
}

/* A container on the Debian base reaches Debian's archive: without this
 * nothing below means anything. */
static void
test_network (void)
{
  Outcome o = { 0 };

  if (!need_engine ())
    return;
  check ("", "#!/bin/sh\nset -e\napt-get update\n", FALSE, &o);
  if (!o.result->ok)
    g_error ("apt-get update failed in a container: %s\n%s", o.result->output, o.output);
  g_assert_true (strstr (o.output, "deb.debian.org") != NULL);
  outcome_clear (&o);
}

/* A cached part that fails: the result names the part, the line and the
 * status, and the image and the container are gone. */
static void
test_build_fails (void)
{
  Outcome o = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *describe = NULL;
  const char *ls[] = { "image", "ls", "-q", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK, NULL };
  const char *ps[] = { "ps", "-aq", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK, NULL };

  if (!need_engine ())
    return;
  check ("#!/bin/sh\nset -e\nmkdir -p /opt/x\nno_such_command --now\necho never\n", "echo run\n", FALSE, &o);
  g_assert_false (o.result->ok);
  g_assert_cmpint (o.result->failed_stage, ==, AR_BUILD_CHECK_STAGE_BUILD);
  g_assert_cmpint (o.result->exit_status, !=, 0);
  g_assert_cmpuint (o.result->line, ==, 4);
  g_assert_cmpstr (o.result->line_text, ==, "no_such_command --now");
  describe = ar_build_check_result_describe (o.result);
  g_assert_true (strstr (describe, "line 4 of the cached part") != NULL);
  outcome_clear (&o);

  /* the run part fails on top of a cached part that builds */
  check ("#!/bin/sh\nmkdir -p /opt/tool\n", "#!/bin/sh\nset -e\ntest -d /opt/tool\nexit 7\n", FALSE, &o);
  g_assert_false (o.result->ok);
  g_assert_true (o.result->built);
  g_assert_cmpint (o.result->failed_stage, ==, AR_BUILD_CHECK_STAGE_RUN);
  g_assert_cmpint (o.result->exit_status, ==, 7);
  outcome_clear (&o);

  g_assert_cmpint (ar_test_engine_docker (ls, &out, NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ar_test_engine_docker (ps, &out, NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "");
}

/* ---- the corpus ---------------------------------------------------------- */

static char *
corpus_dir (void)
{
  const char *dir = g_getenv ("AR_AUTOSPLIT_CORPUS_DIR");
  const char *root = g_getenv ("AR_SOURCE_ROOT");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (root != NULL ? root : ".", "tests", "corpus", "autosplit", NULL);
}

/* The scripts README.md marks runnable: a line that says "runnable" and
 * names scripts, or a table with a "runnable" column holding yes / x / ✓. */
static GPtrArray *
runnable_scripts (const char *dir)
{
  g_autofree char *readme_path = g_build_filename (dir, "README.md", NULL);
  g_autofree char *readme = NULL;
  g_autoptr(GRegex) name_re = g_regex_new ("[A-Za-z0-9_.-]+\\.(?:sh|bash)\\b", 0, 0, NULL);
  g_auto(GStrv) lines = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  int runnable_column = -1;

  if (!g_file_get_contents (readme_path, &readme, NULL, NULL))
    return names;
  lines = g_strsplit (readme, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *lower = g_utf8_strdown (lines[i], -1);
      gboolean table_row = g_str_has_prefix (g_strchug (lower), "|");
      gboolean marked = FALSE;

      if (table_row)
        {
          g_auto(GStrv) cells = g_strsplit (lower, "|", -1);
          guint n = g_strv_length (cells);

          for (guint k = 0; k < n; k++)
            if (strstr (cells[k], "runnable") != NULL && strstr (lower, ".sh") == NULL)
              runnable_column = k;
          if (runnable_column >= 0 && (guint) runnable_column < n)
            {
              char *cell = g_strstrip (cells[runnable_column]);

              marked = g_str_equal (cell, "yes") || g_str_equal (cell, "x") || g_str_equal (cell, "✓") ||
                       g_str_equal (cell, "✔") || g_str_equal (cell, "runnable") || g_str_equal (cell, "y");
            }
          else
            marked = strstr (lower, "runnable") != NULL && strstr (lower, "not runnable") == NULL;
        }
      else
        marked = strstr (lower, "runnable") != NULL && strstr (lower, "not runnable") == NULL;
      if (!marked)
        continue;
      g_regex_match (name_re, lines[i], 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *name = g_match_info_fetch (match, 0);
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR) &&
              !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
            g_ptr_array_add (names, g_steal_pointer (&name));
          g_match_info_next (match, NULL);
        }
    }
  return names;
}

static char *
listing_diff (GPtrArray *a, GPtrArray *b)
{
  GString *diff = g_string_new (NULL);
  guint i = 0, j = 0, shown = 0;

  while ((i < a->len || j < b->len) && shown < 40)
    {
      int cmp = i >= a->len ? 1 : j >= b->len ? -1 : strcmp (a->pdata[i], b->pdata[j]);

      if (cmp == 0)
        {
          i++;
          j++;
          continue;
        }
      if (cmp < 0)
        g_string_append_printf (diff, "  unsplit only: %s\n", (char *) a->pdata[i++]);
      else
        g_string_append_printf (diff, "  split only:   %s\n", (char *) b->pdata[j++]);
      shown++;
    }
  return g_string_free (diff, FALSE);
}

/* Scripts checked side by side (each as two checks, unsplit and split):
 * AR_AUTOSPLIT_PARALLEL, 3 unless set. Most of a check is dpkg unpacking
 * and downloads; on a loaded machine several at once take a fair share of
 * it and overlap the downloads, which brings the whole corpus within the
 * engine suite's budget. */
static guint
corpus_parallel (void)
{
  const char *value = g_getenv ("AR_AUTOSPLIT_PARALLEL");
  guint64 n = 3;

  if (value != NULL && *value != '\0')
    n = g_ascii_strtoull (value, NULL, 10);
  return (guint) CLAMP (n, 1, 16);
}

typedef struct {
  Pending whole;
  Pending split;
  gint64 started;
} ScriptJob;

/* Analyses a script and starts its two checks. */
static void
script_job_start (ScriptJob  *job,
                  const char *dir,
                  const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *script = ar_test_read_file (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) units = ar_preflight_analyze (script, NULL, &error);
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;

  g_assert_no_error (error);
  cached = ar_preflight_render (units, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (units, AR_PREFLIGHT_PART_RUN);
  job->started = g_get_monotonic_time ();
  check_start ("", script, TRUE, &job->whole);
  check_start (cached, run, TRUE, &job->split);
}

static void
test_corpus (void)
{
  g_autofree char *dir = corpus_dir ();
  g_autoptr(GPtrArray) names = runnable_scripts (dir);
  guint same = 0;
  guint n_parallel;
  ScriptJob *jobs;
  gint64 start;
  GString *failures = g_string_new (NULL);

  if (names->len == 0)
    {
      g_autofree char *why = g_strdup_printf ("no script marked runnable in %s/README.md", dir);

      g_string_free (failures, TRUE);
      g_test_skip (why);
      return;
    }
  if (!need_engine ())
    {
      g_string_free (failures, TRUE);
      return;
    }
  start = g_get_monotonic_time ();
  n_parallel = corpus_parallel ();
  jobs = g_new0 (ScriptJob, names->len);
  for (guint k = 0; k < names->len && k < n_parallel; k++)
    script_job_start (&jobs[k], dir, names->pdata[k]);
  for (guint i = 0; i < names->len; i++)
    {
      ScriptJob *job = &jobs[i];
      const char *name = names->pdata[i];
      Outcome whole = { 0 }, split = { 0 };

      /* The others go on while this one is waited for. */
      check_finish (&job->whole, &whole);
      check_finish (&job->split, &split);
      if (i + n_parallel < names->len)
        script_job_start (&jobs[i + n_parallel], dir, names->pdata[i + n_parallel]);
      g_test_message ("%s: unsplit exit %d (%.0f s), split %s exit %d (build %.0f s, run %.0f s), %u listed; %.0f s",
                      name, whole.result->exit_status, whole.result->run_seconds,
                      split.result->ok ? "ok" : ar_build_check_stage_to_string (split.result->failed_stage),
                      split.result->exit_status, split.result->build_seconds, split.result->run_seconds,
                      whole.listing->len, (g_get_monotonic_time () - job->started) / 1e6);

      if (!split.result->ok && split.result->failed_stage == AR_BUILD_CHECK_STAGE_BUILD)
        g_string_append_printf (failures, "%s: the cached part does not build (exit %d, line %u):\n%s\n", name,
                                split.result->exit_status, split.result->line, split.result->output);
      else if (whole.result->exit_status != split.result->exit_status)
        g_string_append_printf (failures, "%s: exit status %d unsplit, %d split:\n%s\n", name,
                                whole.result->exit_status, split.result->exit_status, split.result->output);
      else if (whole.listing->len == 0 && whole.result->ok)
        g_string_append_printf (failures, "%s: no listing:\n%s\n", name, whole.output);
      else
        {
          g_autofree char *diff = listing_diff (whole.listing, split.listing);

          if (*diff != '\0')
            g_string_append_printf (failures, "%s: different files:\n%s", name, diff);
          else
            same++;
        }
      outcome_clear (&whole);
      outcome_clear (&split);
    }
  g_free (jobs);
  g_test_message ("%u of %u runnable scripts: same files and exit status split and unsplit; %.0f s in all",
                  same, names->len, (g_get_monotonic_time () - start) / 1e6);
  if (failures->len > 0)
    g_error ("%s", failures->str);
  g_string_free (failures, TRUE);
  /* Done means at least 8 (issue 9), once the corpus marks them. */
  if (g_getenv ("AR_AUTOSPLIT_CORPUS_DIR") == NULL)
    g_assert_cmpuint (names->len, >=, 8);
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_setenv (AR_TEST_RUN_LABEL_ENV, ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/autosplit-engine/find-line", test_find_line);
  g_test_add_func ("/autosplit-engine/network", test_network);
  g_test_add_func ("/autosplit-engine/build-fails", test_build_fails);
  g_test_add_func ("/autosplit-engine/corpus", test_corpus);

  status = g_test_run ();
  stop_apt_proxy ();
  g_clear_object (&engine);
  g_clear_pointer (&debian_image, g_free);
  g_clear_pointer (&engine_skip, g_free);
  g_clear_pointer (&bridge_gateway, g_free);
  g_clear_object (&net_reaper);
  return status;
}
