/* test-field-rootless.c — rootless podman (issue 11, design.md §9): a non-root
 * host user runs a task with the real agents-runner binary on its own
 * rootless podman; the container gets --userns=keep-id, so the files the
 * agent writes in the mounted workspace belong to that user on the host,
 * and inside the container the agent has the user's uid.
 *
 * The fixture (as root) makes the user ar-test-rootless once (useradd, and
 * subordinate ids with usermod, which need the uidmap package's
 * newuidmap), gives it a home of this run, and runs everything as that
 * user with runuser: `podman import` of the tests' busybox base into its
 * own storage, `env import`, `run`. The engine setting comes from a
 * GSettings keyfile in its config folder. CONTAINERS_CONF names a file
 * with what this sandbox needs (no ulimits; no network, since slirp4netns
 * cannot open /dev/net/tun here; the task needs none). At the end the
 * user's podman storage is reset and its home removed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-utils.h"

#define USER_NAME "ar-test-rootless"
#define SUBIDS "400000-465535"
#define TASK_SECONDS 300

static char *home;      /* this run's home of the user */
static uid_t user_uid;
static gid_t user_gid;

/* ARGS run as the user, with an environment of this run only. */
static int
run_as_user (const char *const *args, char **out, char **err)
{
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *state = g_build_filename (home, "state", NULL);
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  g_autofree char *runtime = g_build_filename (home, "run", NULL);
  g_autofree char *conf = g_build_filename (home, "containers.conf", NULL);
  g_autofree char *e_home = g_strconcat ("HOME=", home, NULL);
  g_autofree char *e_config = g_strconcat ("XDG_CONFIG_HOME=", config, NULL);
  g_autofree char *e_state = g_strconcat ("XDG_STATE_HOME=", state, NULL);
  g_autofree char *e_cache = g_strconcat ("XDG_CACHE_HOME=", cache, NULL);
  g_autofree char *e_runtime = g_strconcat ("XDG_RUNTIME_DIR=", runtime, NULL);
  g_autofree char *e_conf = g_strconcat ("CONTAINERS_CONF=", conf, NULL);
  g_autofree char *e_schemas = g_strconcat ("GSETTINGS_SCHEMA_DIR=", g_getenv ("GSETTINGS_SCHEMA_DIR"), NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) "runuser");
  g_ptr_array_add (argv, (gpointer) "-u");
  g_ptr_array_add (argv, (gpointer) USER_NAME);
  g_ptr_array_add (argv, (gpointer) "--");
  g_ptr_array_add (argv, (gpointer) "env");
  g_ptr_array_add (argv, (gpointer) "-i");
  g_ptr_array_add (argv, (gpointer) "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
  g_ptr_array_add (argv, e_home);
  g_ptr_array_add (argv, e_config);
  g_ptr_array_add (argv, e_state);
  g_ptr_array_add (argv, e_cache);
  g_ptr_array_add (argv, e_runtime);
  g_ptr_array_add (argv, e_conf);
  g_ptr_array_add (argv, e_schemas);
  g_ptr_array_add (argv, (gpointer) "GSETTINGS_BACKEND=keyfile");
  /* The runner's run options (a debug message of its log domain). */
  g_ptr_array_add (argv, (gpointer) "G_MESSAGES_DEBUG=agents-runner-tasks");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return ar_test_run_argv ((const char *const *) argv->pdata, NULL, out, err);
}

static void
chown_to_user (const char *path)
{
  g_assert_cmpint (chown (path, user_uid, user_gid), ==, 0);
}

/* The user, its subordinate ids, and a home of this run; NULL when all is
 * well, else why the test cannot run. */
static char *
set_up_user (void)
{
  struct passwd *pw;
  g_autofree char *err = NULL;

  if (geteuid () != 0)
    return g_strdup ("only root can make the non-root user this test runs as");
  for (const char *const *tool = (const char *const[]){ "podman", "newuidmap", "useradd", "usermod", "runuser", NULL };
       *tool != NULL; tool++)
    {
      g_autofree char *path = g_find_program_in_path (*tool);
      g_autofree char *sbin = g_strconcat ("/usr/sbin/", *tool, NULL);

      if (path == NULL && !g_file_test (sbin, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup_printf ("%s is not installed (tools/deps.sh test installs podman and uidmap)", *tool);
    }
  if (getpwnam (USER_NAME) == NULL)
    {
      const char *argv[] = { "useradd", "--create-home", "--shell", "/bin/sh", USER_NAME, NULL };

      if (ar_test_run_argv (argv, NULL, NULL, &err) != 0)
        return g_strdup_printf ("useradd failed: %s", err);
    }
  pw = getpwnam (USER_NAME);
  g_assert_nonnull (pw);
  user_uid = pw->pw_uid;
  user_gid = pw->pw_gid;
  {
    g_autofree char *subuid = NULL;

    g_file_get_contents ("/etc/subuid", &subuid, NULL, NULL);
    if (subuid == NULL || strstr (subuid, USER_NAME ":") == NULL)
      {
        const char *argv[] = { "usermod", "--add-subuids", SUBIDS, "--add-subgids", SUBIDS, USER_NAME, NULL };

        g_clear_pointer (&err, g_free);
        if (ar_test_run_argv (argv, NULL, NULL, &err) != 0)
          return g_strdup_printf ("usermod --add-subuids failed: %s", err);
      }
  }

  /* A home of this run, the user's, readable by it alone. */
  home = g_strdup ("/tmp/ar-test-rootless-XXXXXX");
  g_assert_nonnull (g_mkdtemp_full (home, 0700));
  chown_to_user (home);
  for (const char *const *sub = (const char *const[]){ "config", "state", "cache", "run", "workspace",
                                                       "config/glib-2.0", "config/glib-2.0/settings", NULL };
       *sub != NULL; sub++)
    {
      g_autofree char *path = g_build_filename (home, *sub, NULL);

      g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      chown_to_user (path);
    }
  {
    g_autofree char *keyfile = g_build_filename (home, "config", "glib-2.0", "settings", "keyfile", NULL);
    g_autofree char *conf = g_build_filename (home, "containers.conf", NULL);

    ar_test_write_file (keyfile, "[io/github/agents_runner/AgentsRunner]\nengine='podman'\n");
    chown_to_user (keyfile);
    ar_test_write_file (conf, "[containers]\ndefault_ulimits = []\nnetns = \"none\"\n");
    chown_to_user (conf);
  }
  return NULL;
}

static void
tear_down_user (void)
{
  if (home == NULL)
    return;
  {
    const char *reset[] = { "podman", "system", "reset", "--force", NULL };
    const char *rm[] = { "rm", "-rf", "--one-file-system", home, NULL };

    run_as_user (reset, NULL, NULL);
    ar_test_run_argv (rm, NULL, NULL, NULL);
  }
  g_clear_pointer (&home, g_free);
}

static void
test_keep_id (void)
{
  g_autofree char *why = set_up_user ();
  g_autofree char *workspace = NULL;
  g_autofree char *tar = NULL;
  g_autofree char *env_path = NULL;
  g_autofree char *env_json = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *written = NULL;
  g_autofree char *uid_text = NULL;
  g_autofree char *inner_uid = NULL;
  g_autofree char *dir = NULL;
  GStatBuf st;
  int status;

  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }
  workspace = g_build_filename (home, "workspace", NULL);
  if (!ar_test_engine_ensure ())
    {
      g_test_skip (ar_test_engine_skip_reason ());
      return;
    }
  /* The tests' busybox base, in the user's own storage. */
  g_free (ar_test_engine_base_image ());
  tar = g_build_filename (home, "base.tar", NULL);
  {
    g_autofree char *contents = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (ar_test_engine_base_tar (), &contents, &length, NULL));
    ar_test_write_file_fast (tar, contents, length);
    chown_to_user (tar);
  }
  {
    const char *import[] = { "podman", "import", "-q", tar, "ar-test-rootless-base:1", NULL };

    status = run_as_user (import, &out, &err);
    if (status != 0)
      g_error ("podman import as %s failed (%d): %s", USER_NAME, status, err);
  }

  env_json = g_strdup_printf ("{\"environments\":[{\"env_id\":\"env-7007e550\",\"name\":\"rootless\","
                              "\"base_image\":\"ar-test-rootless-base:1\",\"workspace_type\":\"mounted\","
                              "\"workspace_target\":\"%s\",\"container_workdir\":\"/workspace\","
                              "\"agent_cli\":\"custom\",\"custom_command\":[\"sh\",\"-c\","
                              "\"id -u > agent-uid && echo written by the agent > agent-file && mkdir agent-dir\"]}]}",
                              workspace);
  env_path = g_build_filename (home, "env.json", NULL);
  ar_test_write_file (env_path, env_json);
  chown_to_user (env_path);
  {
    const char *import[] = { g_getenv ("AR_BINARY"), "env", "import", env_path, NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    status = run_as_user (import, &out, &err);
    if (status != 0)
      g_error ("env import as %s ended %d: %s", USER_NAME, status, err);
  }
  {
    const char *run[] = { g_getenv ("AR_BINARY"), "run", "rootless", "--prompt", "write files", NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    status = run_as_user (run, &out, &err);
    if (status != 0)
      g_error ("the task as %s ended %d:\n%s\n%s", USER_NAME, status, out, err);
  }
  /* The container was started with the user's ids. */
  /* (GLib writes debug messages on stdout) */
  if (strstr (out, "--userns=keep-id (rootless podman)") == NULL)
    g_error ("the task's log does not say --userns=keep-id:\n%s\n%s", out, err);

  /* What the agent wrote is the user's on the host. */
  written = g_build_filename (workspace, "agent-file", NULL);
  dir = g_build_filename (workspace, "agent-dir", NULL);
  uid_text = g_build_filename (workspace, "agent-uid", NULL);
  g_assert_cmpint (g_stat (written, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, user_uid);
  g_assert_cmpuint (st.st_gid, ==, user_gid);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_true (S_ISDIR (st.st_mode));
  g_assert_cmpuint (st.st_uid, ==, user_uid);
  inner_uid = ar_test_read_file (uid_text);
  g_assert_cmpuint (g_ascii_strtoull (inner_uid, NULL, 10), ==, user_uid);
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_test_add_func ("/field/rootless-podman/keep-id", test_keep_id);
  status = g_test_run ();
  tear_down_user ();
  return status;
}
