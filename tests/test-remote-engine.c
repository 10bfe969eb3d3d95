/* test-remote-engine.c — the app's ArEngine on a "remote" engine, over
 * ssh:// and over TLS (issue 15; the fixture: test-remote-utils.h)
 *
 * The remote engine is a second dockerd on this machine in a mount
 * namespace of its own: this machine's /tmp, /home and /root do not exist
 * there, as on another machine. All traffic stays on 127.0.0.1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-engine.h"
#include "ar-util.h"
#include "test-remote-utils.h"
#include "test-utils.h"

static ArEngine *
remote_engine (ArTestRemoteWay way)
{
  ArEngine *engine = ar_engine_new ("docker", ar_test_remote_host (way));

  /* a remote host: every query goes through the CLI */
  g_assert_null (ar_engine_get_socket_path (engine));
  return engine;
}

/* The CLI's stdout, asserting exit status 0. */
static char *
cli_ok (ArEngine *engine, const char *const *args)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = ar_engine_run_cli_sync (engine, args, NULL, 120, NULL, &out, &err, &error);

  g_assert_no_error (error);
  if (status != 0)
    g_error ("docker %s on %s exited with %d: %s", args[0], ar_engine_get_host (engine), status, err);
  return g_steal_pointer (&out);
}

/* It answers; an image imported there is listed and inspected; a
 * container made there is listed. */
static void
test_engine (gconstpointer data)
{
  ArTestRemoteWay way = GPOINTER_TO_INT (data);
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) containers = NULL;
  g_autoptr(ArImageInfo) info = NULL;
  g_autoptr(ArImageInfo) missing = NULL;
  g_autofree char *base = NULL;
  g_autofree char *id = NULL;
  g_autofree char *missing_name = NULL;
  gboolean listed = FALSE;

  if (!ar_test_remote_need ())
    return;
  base = ar_test_remote_base_image ();
  engine = remote_engine (way);

  g_assert_true (ar_engine_ping_sync (engine, NULL, &error));
  g_assert_no_error (error);

  images = ar_engine_list_images_sync (engine, ar_test_engine_run_label (), NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < images->len; i++)
    listed = listed || ar_image_info_has_tag (g_ptr_array_index (images, i), base);
  g_assert_true (listed);

  info = ar_engine_inspect_image_sync (engine, base, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_true (ar_image_info_has_tag (info, base));
  g_assert_cmpstr (ar_image_info_get_label (info, "io.github.agents-runner.test-run"), ==, ar_test_engine_run_id ());
  /* not there: NULL without an error, as for a local engine */
  missing_name = g_strconcat ("ar-test-remote-missing:", ar_test_engine_run_id (), NULL);
  missing = ar_engine_inspect_image_sync (engine, missing_name, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  {
    const char *create[] = { "create", "--label", ar_test_engine_run_label (), base, "true", NULL };

    id = g_strstrip (cli_ok (engine, create));
  }
  containers = ar_engine_list_containers_sync (engine, ar_test_engine_run_label (), NULL, &error);
  g_assert_no_error (error);
  listed = FALSE;
  for (guint i = 0; i < containers->len; i++)
    listed = listed || g_str_equal (((ArContainerInfo *) g_ptr_array_index (containers, i))->id, id);
  g_assert_true (listed);
  {
    const char *rm[] = { "rm", id, NULL };

    g_free (cli_ok (engine, rm));
  }
}

/* A folder with a file, and what a container started with `-v` of it
 * finds there: "present" or "absent". */
static char *
mounted_sees (ArEngine *engine, const char *folder)
{
  g_autofree char *base = ar_test_remote_base_image ();
  g_autofree char *here = g_build_filename (folder, "here", NULL);
  g_autofree char *volume = g_strconcat (folder, ":/x", NULL);
  const char *run[] = { "run", "--rm", "--label", ar_test_engine_run_label (), "-v", volume, base,
                        "sh", "-c", "ls -A /x; test -e /x/here && echo present || echo absent", NULL };

  ar_test_write_file (here, "from this machine\n");
  return cli_ok (engine, run);
}

/* A folder of this machine's /tmp does not exist on the remote side: a
 * container mounting it finds nothing. A folder both sides share (under
 * /var/tmp, on one disk here) shows its file: the mount itself works. */
static void
test_no_shared_folders (gconstpointer data)
{
  ArTestRemoteWay way = GPOINTER_TO_INT (data);
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local = NULL;
  g_autofree char *shared = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *seen_shared = NULL;

  if (!ar_test_remote_need ())
    return;
  engine = remote_engine (way);

  local = g_dir_make_tmp ("ar-test-remote-here-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (local, "/tmp/"));
  g_assert_false (ar_test_remote_path_exists (local));
  seen = mounted_sees (engine, local);
  g_assert_cmpstr (seen, ==, "absent\n");

  shared = g_build_filename (ar_test_remote_dir (), "shared-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (shared));
  g_assert_true (ar_test_remote_path_exists (shared));
  seen_shared = mounted_sees (engine, shared);
  g_assert_cmpstr (seen_shared, ==, "here\npresent\n");

  ar_remove_tree (local);
  ar_remove_tree (shared);
}

typedef struct {
  const char *secret;
  ArTestRemoteWay way;
  gboolean saw_secret;
  gboolean checked;
} SecretSeen;

/* Whether a process whose command line holds `needle` shows up within
 * about two seconds. */
static gboolean
cmdline_appears (const char *needle)
{
  for (int i = 0; i < 40; i++)
    {
      if (ar_test_any_cmdline_contains (needle))
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

static void
secret_line (ArEngineStream stream, const char *line, gpointer user_data)
{
  SecretSeen *seen = user_data;

  if (stream != AR_ENGINE_STREAM_STDOUT)
    return;
  if (g_str_equal (line, seen->secret))
    {
      seen->saw_secret = TRUE;
      return;
    }
  if (g_str_has_prefix (line, "host "))
    {
      /* The container's `sleep`, run as /tmp/ar-<its hostname>/sleep: the
       * remote side's processes are in this machine's /proc too, so the
       * scan below covers both sides. */
      g_autofree char *sleeper = g_strdup_printf ("/tmp/ar-%s/sleep", line + strlen ("host "));

      g_assert_true (cmdline_appears (sleeper));
      if (seen->way == AR_TEST_REMOTE_SSH)
        g_assert_true (ar_test_any_cmdline_contains ("dial-stdio")); /* the remote side's docker */
      g_assert_false (ar_test_any_cmdline_contains (seen->secret));
      seen->checked = TRUE;
    }
}

/* A secret passed the app's way (`-e NAME`, the value only in the CLI's
 * environment) reaches the container on the remote engine, and is in no
 * process's argv on either side while the container runs. */
static void
test_secret (gconstpointer data)
{
  ArTestRemoteWay way = GPOINTER_TO_INT (data);
  g_autoptr(ArEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *secret = g_strdup_printf ("s3cr3t-%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *env = g_strconcat ("AR_REMOTE_SECRET=", secret, NULL);
  g_autofree char *tail = NULL;
  const char *extra_env[] = { env, NULL };
  SecretSeen seen = { secret, way, FALSE, FALSE };
  GAsyncResult *result = NULL;
  int status;

  if (!ar_test_remote_need ())
    return;
  base = ar_test_remote_base_image ();
  engine = remote_engine (way);
  {
    const char *run[] = { "run", "--rm", "--label", ar_test_engine_run_label (), "-e", "AR_REMOTE_SECRET", base,
                          "sh", "-c",
                          "echo \"$AR_REMOTE_SECRET\"; mkdir /tmp/ar-$HOSTNAME; ln -s /bin/busybox /tmp/ar-$HOSTNAME/sleep; "
                          "echo \"host $HOSTNAME\"; exec /tmp/ar-$HOSTNAME/sleep 4",
                          NULL };

    ar_engine_run_cli_async (engine, run, extra_env, secret_line, &seen, 120, NULL, ar_test_store_result, &result);
  }
  status = ar_engine_run_cli_finish (engine, ar_test_wait_result (&result), &tail, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  if (status != 0)
    g_error ("the run on %s exited with %d: %s", ar_engine_get_host (engine), status, tail);
  g_assert_true (seen.saw_secret);
  g_assert_true (seen.checked);
}

static int
docker_with_env (char **envp, char **out_stderr)
{
  const char *argv[] = { "docker", "version", "--format", "{{.Server.Version}}", NULL };
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, out_stderr, &wait_status, &error));
  g_assert_no_error (error);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128;
}

/* TLS lets in only a client with a certificate of the run's CA: not one
 * without TLS, not one with the CA alone, not one with a certificate of
 * another CA. */
static void
test_tls_refuses (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *ca_only = NULL;
  g_autofree char *other = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) envp = NULL;

  if (!ar_test_remote_need ())
    return;
  envp = g_environ_setenv (ar_test_remote_environ (AR_TEST_REMOTE_TLS, NULL), "DOCKER_HOST",
                           ar_test_remote_host (AR_TEST_REMOTE_TLS), TRUE);
  /* the run's client certificate: in */
  g_assert_cmpint (docker_with_env (envp, &err), ==, 0);
  g_clear_pointer (&err, g_free);

  /* no TLS at all */
  {
    g_auto(GStrv) plain = g_environ_unsetenv (g_environ_unsetenv (g_strdupv (envp), "DOCKER_TLS_VERIFY"),
                                              "DOCKER_CERT_PATH");

    g_assert_cmpint (docker_with_env (plain, &err), !=, 0);
    g_test_message ("without TLS: %s", err);
    g_clear_pointer (&err, g_free);
  }

  /* the CA, but no client certificate */
  dir = ar_test_mkdtemp ("tls");
  ca_only = g_build_filename (dir, "ca-only", NULL);
  g_mkdir (ca_only, 0700);
  ca = g_build_filename (g_environ_getenv (envp, "DOCKER_CERT_PATH"), "ca.pem", NULL);
  {
    g_autofree char *copy = g_build_filename (ca_only, "ca.pem", NULL);
    g_autofree char *text = ar_test_read_file (ca);
    g_auto(GStrv) env = g_environ_setenv (g_strdupv (envp), "DOCKER_CERT_PATH", ca_only, TRUE);

    ar_test_write_file (copy, text);
    g_assert_cmpint (docker_with_env (env, &err), !=, 0);
    g_test_message ("without a client certificate: %s", err);
    g_clear_pointer (&err, g_free);
  }

  /* a client certificate of another CA */
  other = g_build_filename (dir, "other", NULL);
  g_mkdir (other, 0700);
  {
    g_autofree char *copy = g_build_filename (other, "ca.pem", NULL);
    g_autofree char *key = g_build_filename (other, "key.pem", NULL);
    g_autofree char *cert = g_build_filename (other, "cert.pem", NULL);
    g_autofree char *text = ar_test_read_file (ca);
    const char *openssl[] = { "openssl", "req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:P-256", "-days", "1", "-subj", "/CN=not the run's CA",
                              "-addext", "extendedKeyUsage=clientAuth", "-keyout", key, "-out", cert, NULL };
    g_auto(GStrv) env = g_environ_setenv (g_strdupv (envp), "DOCKER_CERT_PATH", other, TRUE);
    g_autoptr(GError) error = NULL;
    int wait_status = 0;

    ar_test_write_file (copy, text);
    g_assert_true (g_spawn_sync (NULL, (char **) openssl, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &wait_status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
    g_assert_cmpint (docker_with_env (env, &err), !=, 0);
    g_test_message ("with a certificate of another CA: %s", err);
  }
}

/* The non-root base runs as midori (uid 1000) there. */
static void
test_nonroot (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autofree char *image = NULL;
  g_autofree char *out = NULL;

  if (!ar_test_remote_need ())
    return;
  image = ar_test_remote_nonroot_base_image ();
  engine = remote_engine (AR_TEST_REMOTE_TLS);
  {
    const char *run[] = { "run", "--rm", "--label", ar_test_engine_run_label (), image, "id", "-u", NULL };

    out = cli_ok (engine, run);
  }
  g_assert_cmpstr (out, ==, "1000\n");
}

/* The Debian images of test-debian.h, copied there: a container on the
 * remote engine reaches Debian's archive through the local apt proxy. */
static void
test_debian (void)
{
  g_autoptr(ArEngine) engine = NULL;
  g_autofree char *base = NULL;
  g_autofree char *why = NULL;
  g_autofree char *out = NULL;
  gboolean fatal = FALSE;
  const char probe[] = "apt-get update -o Acquire::Retries=2 >/tmp/log 2>&1 || { tail -n 5 /tmp/log; exit 1; }; "
                       "apt-cache policy bash | head -n 3";

  if (!ar_test_remote_need ())
    return;
  if (!ar_test_remote_debian_images (&base, NULL, &fatal, &why))
    {
      if (fatal)
        g_error ("%s", why);
      g_test_skip (why);
      return;
    }
  engine = remote_engine (AR_TEST_REMOTE_TLS);
  {
    const char *run[] = { "run", "--rm", "--label", ar_test_engine_run_label (), base, "bash", "-c", probe, NULL };

    out = cli_ok (engine, run);
  }
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "Candidate:"));
}

/* Both ways listen on 127.0.0.1 only, and the hosts the app is given name it. */
static void
test_loopback_only (void)
{
  if (!ar_test_remote_need ())
    return;
  g_assert_true (g_str_has_prefix (ar_test_remote_host (AR_TEST_REMOTE_SSH), "ssh://root@127.0.0.1:"));
  g_assert_true (g_str_has_prefix (ar_test_remote_host (AR_TEST_REMOTE_TLS), "tcp://127.0.0.1:"));
  for (int way = AR_TEST_REMOTE_SSH; way <= AR_TEST_REMOTE_TLS; way++)
    {
      const char *host = ar_test_remote_host (way);
      const char *port = strrchr (host, ':') + 1;
      g_autofree char *filter = g_strconcat ("sport = :", port, NULL);
      const char *ss[] = { "ss", "-Hltn", filter, NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) lines = NULL;
      int wait_status = 0;
      guint n = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) ss, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                                   &wait_status, &error));
      g_assert_no_error (error);
      lines = g_strsplit (g_strstrip (out), "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (lines[i], " \t", -1);
          g_autofree char *local = NULL;
          guint f = 0;

          /* State Recv-Q Send-Q Local:Port Peer:Port: the fourth word */
          for (guint j = 0; fields[j] != NULL && local == NULL; j++)
            if (fields[j][0] != '\0' && ++f == 4)
              local = g_strdup (fields[j]);
          g_assert_nonnull (local);
          g_assert_true (g_str_has_prefix (local, "127.0.0.1:"));
          n++;
        }
      g_assert_cmpuint (n, >=, 1);
    }
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  for (int way = AR_TEST_REMOTE_SSH; way <= AR_TEST_REMOTE_TLS; way++)
    {
      const char *name = way == AR_TEST_REMOTE_SSH ? "ssh" : "tls";
      g_autofree char *engine = g_strdup_printf ("/remote/%s/engine", name);
      g_autofree char *folders = g_strdup_printf ("/remote/%s/no-shared-folders", name);
      g_autofree char *secret = g_strdup_printf ("/remote/%s/secret", name);

      g_test_add_data_func (engine, GINT_TO_POINTER (way), test_engine);
      g_test_add_data_func (folders, GINT_TO_POINTER (way), test_no_shared_folders);
      g_test_add_data_func (secret, GINT_TO_POINTER (way), test_secret);
    }
  g_test_add_func ("/remote/tls/refuses-without-certificates", test_tls_refuses);
  g_test_add_func ("/remote/loopback-only", test_loopback_only);
  g_test_add_func ("/remote/tls/nonroot", test_nonroot);
  g_test_add_func ("/remote/tls/debian", test_debian);

  return g_test_run ();
}
