/* test-debian.c — see test-debian.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-debian.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-utils.h"

#define RUN_LABEL_KEY "io.github.agents-runner.test-run"
#define APT_PROXY_CONF "01agents-runner-test-proxy"

static GSubprocess *apt_proxy;         /* flock + apt-cacher-ng, a session of their own */
static GSubprocess *apt_proxy_reaper;  /* stops them when this process is gone */
static char *apt_proxy_dir;            /* its configuration and log, this run only */
static char *apt_proxy_url;
static char *apt_proxy_failure;        /* why it could not start: said again */

static void
new_session (gpointer user_data)
{
  setsid ();
}

/* The folder the tar and the apt cache are kept in, across runs (the
 * test's own HOME and XDG_CACHE_HOME are temporary). */
static char *
cache_dir (void)
{
  const char *dir = g_getenv ("AR_TEST_CACHE_DIR");
  struct passwd *pw;

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  pw = getpwuid (getuid ());
  return g_build_filename (pw != NULL ? pw->pw_dir : "/tmp", ".cache", "agents-runner-tests", NULL);
}

#define SHARED_CACHE_DIR "/var/cache/agents-runner-tests"

void
ar_test_debian_choose_apt_cache (int          argc,
                                 char       **argv,
                                 const char  *name,
                                 const char  *podman_path,
                                 const char  *podman_name)
{
  g_autofree char *cache = NULL;

  for (int i = 1; i < argc; i++)
    if (g_str_has_prefix (argv[i], podman_path))
      name = podman_name;
  if (g_getenv ("AR_TEST_APT_CACHE") != NULL || geteuid () != 0)
    return;
  cache = g_build_filename (SHARED_CACHE_DIR, name, NULL);
  g_setenv ("AR_TEST_APT_CACHE", cache, TRUE);
}

static char *
apt_cache_path (void)
{
  const char *path = g_getenv ("AR_TEST_APT_CACHE");

  if (path != NULL && *path != '\0')
    return g_strdup (path);
  if (geteuid () == 0)
    return g_build_filename (SHARED_CACHE_DIR, "apt-cacher-ng", NULL);
  {
    g_autofree char *dir = cache_dir ();

    return g_build_filename (dir, "apt-cacher-ng", NULL);
  }
}

/* The address the containers reach the host at: the gateway of the Docker
 * engine's bridge network (podman's containers reach it too: it is the
 * host's). */
static char *
proxy_address (void)
{
  const char *args[] = { "network", "inspect", "bridge", "--format",
                         "{{range .IPAM.Config}}{{.Gateway}} {{end}}", NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) words = NULL;

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
  g_autofree char *pgid = NULL;
  g_autofree char *kill_err = NULL;
  const char *kill_argv[] = { "kill", "-TERM", "--", NULL, NULL };

  if (apt_proxy == NULL)
    return;
  /* from the file: the identifier is gone once the process was reaped */
  pgid_path = g_build_filename (apt_proxy_dir, "pgid", NULL);
  if (g_file_get_contents (pgid_path, &pgid, NULL, NULL) && *pgid != '\0')
    {
      group = g_strconcat ("-", pgid, NULL);
      kill_argv[3] = group;
      ar_test_run_argv (kill_argv, NULL, NULL, &kill_err);  /* quiet when it ended already */
    }
  g_subprocess_wait (apt_proxy, NULL, NULL);
  g_clear_object (&apt_proxy);
  g_unlink (pgid_path);
}

/* Whether apt-cacher-ng's output says it could not listen: 3.7 says
 * "Couldn't bind socket: Address already in use" and goes on running. */
static gboolean
said_cannot_listen (const char *output)
{
  return output != NULL && (strstr (output, "rror") != NULL || strstr (output, "bind") != NULL);
}

/* Starts apt-cacher-ng on ADDRESS with the kept cache, which one proxy at a
 * time may use (flock): while another run holds it, a cache of this run
 * only (nothing is shared that two proxies could write at once). Sets
 * *url to the proxy's URL. apt-cacher-ng 3.7 takes no port above 32767
 * and, when it cannot listen, says so and goes on running: the port is
 * checked free first, and its output read while it is waited for. Two
 * test programs starting their proxies at once (field-docker and
 * field-podman do) could both find 3142 free, and the second one's
 * apt-cacher-ng, unable to listen, looked started since the first one's
 * answered there: the choice of a port and the wait until it answers are
 * one at a time across programs (a lock beside the kept caches). */
static gboolean
start_apt_proxy_locked (const char *address, char **url, char **why);

static gboolean
start_apt_proxy (const char *address, char **url, char **why)
{
  g_autofree char *cache = apt_cache_path ();
  g_autofree char *parent = g_path_get_dirname (cache);
  g_autofree char *lock_path = g_build_filename (parent, ".apt-proxy-start.lock", NULL);
  gboolean started;
  int fd;

  g_mkdir_with_parents (parent, 0755);
  fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0)
    flock (fd, LOCK_EX);
  started = start_apt_proxy_locked (address, url, why);
  if (fd >= 0)
    close (fd);  /* and the lock with it */
  return started;
}

static gboolean
start_apt_proxy_locked (const char *address, char **url, char **why)
{
  g_autofree char *acng = g_find_program_in_path ("apt-cacher-ng");
  g_autofree char *flock_path = g_find_program_in_path ("flock");
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = apt_cache_path ();
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
  g_mkdir_with_parents (private_cache, 0755);  /* apt-cacher-ng ends at once without it */
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
      /* flock exits 75 at once when another proxy holds the cache (a
       * private cache has a lock of its own, which no one else holds) */
      g_free (lock);
      lock = g_build_filename (shared ? cache : private_cache, ".lock", NULL);
      apt_proxy = g_subprocess_launcher_spawn (launcher, &error, flock_path, "-n", "-E", "75", lock,
                                               acng, "-c", conf_dir, NULL);
      g_assert_no_error (error);
      /* NULL once GLib has reaped it: flock can end at once (another
       * proxy holds the cache), before this line (seen: a crash on the
       * NULL, when the auto-split test's proxy held the shared cache). */
      pid_text = g_strdup (g_subprocess_get_identifier (apt_proxy));
      if (pid_text != NULL)
        {
          g_autofree char *pgid_path = g_build_filename (apt_proxy_dir, "pgid", NULL);

          ar_test_write_file (pgid_path, pid_text);
        }
      else
        {
          g_subprocess_wait (apt_proxy, NULL, NULL);
          ended = TRUE;
        }

      deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
      while (!ended && g_get_monotonic_time () < deadline)
        {
          g_autofree char *proc = g_strdup_printf ("/proc/%s/stat", pid_text);
          g_autofree char *stat = NULL;

          g_clear_pointer (&last_output, g_free);
          g_file_get_contents (out_log, &last_output, NULL, NULL);
          said_error = said_cannot_listen (last_output);
          if (!said_error && port_answers (address, port))
            {
              *url = g_strdup_printf ("http://%s:%u/", address, port);
              g_test_message ("apt-cacher-ng at %s, cache %s", *url, shared ? cache : private_cache);
              return TRUE;
            }
          /* gone, a zombie, or it said why it cannot listen */
          ended = !g_file_get_contents (proc, &stat, NULL, NULL) || strstr (stat, ") Z ") != NULL;
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

void
ar_test_debian_cleanup (void)
{
  kill_apt_proxy ();
  if (apt_proxy_dir != NULL)
    {
      const char *rm[] = { "rm", "-rf", "--one-file-system", apt_proxy_dir, NULL };

      ar_test_run_argv (rm, NULL, NULL, NULL);
      g_clear_pointer (&apt_proxy_dir, g_free);
    }
  g_clear_object (&apt_proxy_reaper);  /* its stdin closes: it ends */
}

const char *
ar_test_debian_apt_proxy (void)
{
  return apt_proxy_url;
}

static int
engine_cli (const char *cli, const char *const *args, char **out, char **err)
{
  return g_str_equal (cli, "podman") ? ar_test_engine_podman (args, out, err) : ar_test_engine_docker (args, out, err);
}

/* IMAGE with one line more: apt's proxy; labelled with this run's label. */
static char *
derive_proxied (const char *cli, const char *image, const char *suffix, char **why)
{
  g_autofree char *ctx = ar_test_mkdtemp ("apt-base");
  g_autofree char *conf_path = g_build_filename (ctx, APT_PROXY_CONF, NULL);
  g_autofree char *dockerfile_path = g_build_filename (ctx, "Dockerfile", NULL);
  /* Retries, and a connection given up after 30 s rather than 120: a
   * proxy that cannot be reached for a moment costs seconds, not the
   * build. */
  g_autofree char *conf = g_strdup_printf ("Acquire::http::Proxy \"%s\";\nAcquire::Retries \"5\";\n"
                                           "Acquire::http::Timeout \"30\";\n",
                                           apt_proxy_url);
  g_autofree char *dockerfile = g_strdup_printf ("FROM %s\nCOPY " APT_PROXY_CONF " /etc/apt/apt.conf.d/" APT_PROXY_CONF "\n",
                                                 image);
  g_autofree char *name = g_strdup_printf ("ar-test-debian-proxied:%s%s", ar_test_engine_run_id (), suffix);
  g_autofree char *err = NULL;
  const char *build[] = { "build", "-q", "--label", ar_test_engine_run_label (), "-t", name, ctx, NULL };

  ar_test_write_file (conf_path, conf);
  ar_test_write_file (dockerfile_path, dockerfile);
  g_chmod (conf_path, 0644);
  if (engine_cli (cli, build, NULL, &err) != 0)
    {
      *why = g_strdup_printf ("Could not add the apt proxy line to %s: %s", image, err);
      return NULL;
    }
  return g_steal_pointer (&name);
}

typedef struct {
  char *base;
  char *dev;
  char *failure;
  gboolean fatal;
  gboolean done;
  gboolean probed;  /* the archive answered a container on m->base */
} Made;

static Made made_docker, made_podman;

/* WANT_DEV: the `dev` variant too (else make-debian-base.sh --no-dev,
 * which skips its apt build). */
static void
make_images (const char *cli, gboolean want_dev, Made *m)
{
  g_autofree char *script = NULL;
  g_autofree char *cache = cache_dir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) envp = NULL;
  g_auto(GStrv) lines = NULL;
  const char *root = g_getenv ("AR_SOURCE_ROOT");
  gint64 start = g_get_monotonic_time ();

  m->done = TRUE;
  if (!ar_test_engine_ensure ())
    {
      m->failure = g_strdup_printf ("No container engine can be had here: %s.", ar_test_engine_skip_reason ());
      return;
    }
  if (g_str_equal (cli, "podman") && !ar_test_engine_podman_ensure ())
    {
      m->failure = g_strdup ("Rootful podman cannot be used here (not installed, or not root).");
      return;
    }
  /* The proxy, once for both engines. */
  if (apt_proxy_url == NULL && apt_proxy_failure == NULL)
    {
      g_autofree char *address = proxy_address ();
      g_autofree char *why = NULL;

      if (address == NULL)
        apt_proxy_failure = g_strdup ("The Docker engine has no bridge network with an IPv4 gateway, so containers "
                                      "cannot reach Debian's package archive (tests/engine-up.sh gives its engine one).");
      else if (!start_apt_proxy (address, &apt_proxy_url, &why))
        apt_proxy_failure = g_strdup_printf ("The caching apt proxy could not start: %s.", why);
    }
  if (apt_proxy_failure != NULL)
    {
      m->failure = g_strdup (apt_proxy_failure);
      m->fatal = TRUE;
      return;
    }

  /* The environment as it is now: ar_test_engine_ensure() may have just
   * started the private engine and set DOCKER_HOST for it. */
  envp = g_get_environ ();
  script = g_build_filename (root != NULL ? root : ".", "tests", "make-debian-base.sh", NULL);
  envp = g_environ_setenv (envp, "AR_TEST_CACHE_DIR", cache, TRUE);
  envp = g_environ_setenv (envp, "AR_TEST_ENGINE_CLI", cli, TRUE);
  {
    const char *argv[] = { "sh", script, "--apt-proxy", apt_proxy_url, want_dev ? NULL : "--no-dev", NULL };

    if (ar_test_run_argv (argv, (const char *const *) envp, &out, &err) != 0)
      {
        /* No tar and no way to make one is a skip; anything else fails. */
        m->fatal = err == NULL || strstr (err, "only root can make it") == NULL;
        m->failure = g_strdup_printf ("tests/make-debian-base.sh failed for %s: %s", cli, g_strstrip (err));
        return;
      }
  }
  lines = g_strsplit (g_strstrip (out), "\n", -1);
  if (g_strv_length (lines) != (want_dev ? 2 : 1))
    {
      m->fatal = TRUE;
      m->failure = g_strdup_printf ("tests/make-debian-base.sh printed not %s: %s",
                                    want_dev ? "two image names" : "one image name", out);
      return;
    }
  g_test_message ("the Debian base in %s: %s%s%s (%.1f s)", cli, lines[0], want_dev ? " and " : "",
                  want_dev ? lines[1] : "", (g_get_monotonic_time () - start) / 1e6);
  m->fatal = TRUE;
  if ((m->base == NULL && (m->base = derive_proxied (cli, lines[0], "", &m->failure)) == NULL) ||
      (want_dev && (m->dev = derive_proxied (cli, lines[1], "-dev", &m->failure)) == NULL))
    return;
  if (m->probed)
    {
      m->fatal = FALSE;
      return;
    }

  /* The archive, from a container: straight, and through the proxy. A
   * HEAD of the Release file each (bash's /dev/tcp; minbase has no HTTP
   * client): about a second, where an apt-get update takes 20-50 s. */
  {
    g_autofree char *host_port = g_strndup (apt_proxy_url + strlen ("http://"),
                                            strlen (apt_proxy_url) - strlen ("http://") - 1);
    char *colon = strrchr (host_port, ':');
    const char probe[] =
      "head () {\n"
      "  exec 3<>\"/dev/tcp/$1/$2\" || exit 1\n"
      "  printf 'HEAD %s HTTP/1.1\\r\\nHost: deb.debian.org\\r\\nConnection: close\\r\\n\\r\\n' \"$3\" >&3\n"
      "  read -r line <&3; exec 3<&-\n"
      "  echo \"$4: $line\"\n"
      "  case $line in *' 200 '*) ;; *) exit 1 ;; esac\n"
      "}\n"
      "head deb.debian.org 80 /debian/dists/bookworm/InRelease 'the archive'\n"
      "head \"$1\" \"$2\" http://deb.debian.org/debian/dists/bookworm/InRelease 'through the proxy'\n";
    const char *run[] = { "run", "--rm", "--label", ar_test_engine_run_label (), m->base,
                          "timeout", "30", "bash", "-c", probe, "probe", host_port, colon + 1, NULL };
    g_autofree char *probe_out = NULL;
    g_autofree char *probe_err = NULL;

    *colon = '\0';
    start = g_get_monotonic_time ();
    if (engine_cli (cli, run, &probe_out, &probe_err) != 0)
      {
        g_autofree char *said = g_strstrip (g_strconcat (probe_out, " ", probe_err, NULL));
        const char *diagnose[] = { "sh", script, "--diagnose-proxy", apt_proxy_url, NULL };
        g_autofree char *diagnosis = NULL;

        ar_test_run_argv (diagnose, NULL, &diagnosis, NULL);
        m->failure = g_strdup_printf ("A container on the %s engine cannot reach Debian's package archive "
                                      "(straight, then through the apt proxy at %s): %s\n%s",
                                      cli, apt_proxy_url, said, diagnosis != NULL ? diagnosis : "");
        g_clear_pointer (&m->base, g_free);
        return;
      }
    g_test_message ("a %s container reaches Debian's archive (%.1f s): %s", cli,
                    (g_get_monotonic_time () - start) / 1e6, g_strstrip (probe_out));
  }
  m->probed = TRUE;
  m->fatal = FALSE;
}

gboolean
ar_test_debian_images (const char  *cli,
                       char       **base,
                       char       **dev,
                       gboolean    *fatal,
                       char       **why)
{
  Made *m = g_str_equal (cli, "podman") ? &made_podman : &made_docker;

  /* The dev variant is made the first time it is asked for. */
  if (!m->done || (dev != NULL && m->base != NULL && m->dev == NULL))
    make_images (cli, dev != NULL, m);
  if (m->base == NULL || (dev != NULL && m->dev == NULL))
    {
      if (fatal != NULL)
        *fatal = m->fatal;
      if (why != NULL)
        *why = g_strdup (m->failure);
      return FALSE;
    }
  if (base != NULL)
    *base = g_strdup (m->base);
  if (dev != NULL)
    *dev = g_strdup (m->dev);
  return TRUE;
}
