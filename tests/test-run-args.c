/* test-run-args.c — the arguments of a task's `docker run`, without an
 * engine: secrets never in argv, the env file and what goes into it, the
 * mounts (read-only, SELinux labels, volumes, bad and missing paths, a
 * container path taken twice), ports, and the checks before a task starts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "ar-container-lines.h"
#include "ar-entry-script.h"
#include "ar-run-args.h"
#include "ar-task.h"
#include "ar-task-runner.h"
#include "test-utils.h"

#define SECRET "s3cret-value-9f2c"

typedef struct {
  char *dir;          /* a fresh folder for this case */
  char *log_path;
  ArTaskLog *log;
  const char *agent_argv[3];
  ArRunArgsSpec spec;
  GPtrArray *args;
  GPtrArray *run_env;
  gboolean env_file_written;
} Fixture;

static void
fixture_init (Fixture *f)
{
  memset (f, 0, sizeof *f);
  f->dir = ar_test_mkdtemp ("run-args");
  f->log_path = g_build_filename (f->dir, "task.log", NULL);
  f->log = ar_task_log_new (f->log_path, NULL);
  g_assert_nonnull (f->log);
  f->agent_argv[0] = "codex";
  f->agent_argv[1] = "do it";
  f->spec = (ArRunArgsSpec) {
    .task_id = "t-1",
    .env_id = "e-1",
    .container_name = "agents-runner-t-1",
    .image = "example/image:1",
    .agent_argv = f->agent_argv,
    .workdir = "",
    .agent = "codex",
    .scratch = "/host/run/t-1",
    .init = TRUE,
  };
  f->spec.env_file = g_build_filename (f->dir, "t-1.env", NULL);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_object (&f->log);
  g_clear_pointer (&f->args, g_ptr_array_unref);
  g_clear_pointer (&f->run_env, g_ptr_array_unref);
  g_free ((char *) f->spec.env_file);
  g_free (f->log_path);
  g_free (f->dir);
}

static gboolean
build (Fixture *f, GError **error)
{
  g_clear_pointer (&f->args, g_ptr_array_unref);
  g_clear_pointer (&f->run_env, g_ptr_array_unref);
  return ar_run_args_build (&f->spec, f->log, &f->args, &f->run_env, &f->env_file_written, error);
}

static void
build_ok (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (build (f, &error));
  g_assert_no_error (error);
  /* Both end with the NULL an argv needs. */
  g_assert_null (g_ptr_array_index (f->args, f->args->len - 1));
  g_assert_null (g_ptr_array_index (f->run_env, f->run_env->len - 1));
}

static char *
log_text (Fixture *f)
{
  ar_task_log_close (f->log);
  return ar_test_read_file (f->log_path);
}

/* The index of @value in the argv, or -1. */
static int
arg_index (Fixture *f, const char *value)
{
  for (guint i = 0; i + 1 < f->args->len; i++)
    if (g_str_equal (g_ptr_array_index (f->args, i), value))
      return (int) i;
  return -1;
}

/* Whether the argv has @option directly followed by @value. */
static gboolean
has_pair (Fixture *f, const char *option, const char *value)
{
  for (guint i = 0; i + 2 < f->args->len; i++)
    if (g_str_equal (g_ptr_array_index (f->args, i), option) &&
        g_str_equal (g_ptr_array_index (f->args, i + 1), value))
      return TRUE;
  return FALSE;
}

static guint
count_option (Fixture *f, const char *option)
{
  guint n = 0;

  for (guint i = 0; i + 1 < f->args->len; i++)
    if (g_str_equal (g_ptr_array_index (f->args, i), option))
      n++;
  return n;
}

static gboolean
argv_mentions (Fixture *f, const char *needle)
{
  for (guint i = 0; i + 1 < f->args->len; i++)
    if (strstr (g_ptr_array_index (f->args, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
env_has (Fixture *f, const char *name_value)
{
  for (guint i = 0; i + 1 < f->run_env->len; i++)
    if (g_str_equal (g_ptr_array_index (f->run_env, i), name_value))
      return TRUE;
  return FALSE;
}

static void
assert_contains (const char *text, const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, text);
}

/* ---- the options and the command ---------------------------------------- */

static void
test_options (void)
{
  Fixture f;
  int image;

  fixture_init (&f);
  build_ok (&f);
  g_assert_cmpstr (g_ptr_array_index (f.args, 0), ==, "run");
  g_assert_cmpstr (g_ptr_array_index (f.args, 1), ==, "--rm");
  g_assert_cmpint (arg_index (&f, "--init"), >, 0);
  g_assert_cmpint (arg_index (&f, "-i"), <, 0);
  g_assert_cmpint (arg_index (&f, "--userns=keep-id"), <, 0);
  g_assert_true (has_pair (&f, "--name", "agents-runner-t-1"));
  g_assert_true (has_pair (&f, "--label", AR_LABEL_TASK_ID "=t-1"));
  g_assert_true (has_pair (&f, "--label", AR_LABEL_ENV_ID "=e-1"));
  g_assert_cmpuint (count_option (&f, "--label"), ==, 2);
  /* The default working folder, without a desktop port. */
  g_assert_true (has_pair (&f, "-w", AR_DEFAULT_CONTAINER_WORKDIR));
  g_assert_cmpuint (count_option (&f, "-p"), ==, 0);
  /* The end: IMAGE /bin/sh ENTRY AGENT-ARGV… */
  image = arg_index (&f, "example/image:1");
  g_assert_cmpint (image, >, 0);
  g_assert_cmpuint ((guint) image + 6, ==, f.args->len);
  g_assert_cmpstr (g_ptr_array_index (f.args, image + 1), ==, "/bin/sh");
  g_assert_cmpstr (g_ptr_array_index (f.args, image + 2), ==, AR_ENTRY_CONTAINER_DIR "/" AR_ENTRY_SCRIPT_FILE);
  g_assert_cmpstr (g_ptr_array_index (f.args, image + 3), ==, "codex");
  g_assert_cmpstr (g_ptr_array_index (f.args, image + 4), ==, "do it");
  /* The task's own variables: names in argv, values in the environment. */
  g_assert_true (has_pair (&f, "-e", "AGENTS_RUNNER_TASK_ID"));
  g_assert_true (env_has (&f, "AGENTS_RUNNER_TASK_ID=t-1"));
  g_assert_true (env_has (&f, "TASK_ID=t-1"));
  g_assert_true (env_has (&f, "AGENTS_RUNNER_ENV_ID=e-1"));
  g_assert_false (f.env_file_written);
  g_assert_false (g_file_test (f.spec.env_file, G_FILE_TEST_EXISTS));

  /* Interactive, podman without init, rootless, a test label, podman
   * entering the working folder itself, the desktop. */
  f.spec.tty = TRUE;
  f.spec.init = FALSE;
  f.spec.userns_keep_id = TRUE;
  f.spec.extra_label = "io.example.run=42";
  f.spec.workdir = "/work";
  f.spec.workdir_from_script = TRUE;
  f.spec.desktop = TRUE;
  build_ok (&f);
  g_assert_cmpint (arg_index (&f, "-i"), ==, 2);
  g_assert_cmpint (arg_index (&f, "-t"), ==, 3);
  g_assert_cmpint (arg_index (&f, "--init"), <, 0);
  g_assert_cmpint (arg_index (&f, "--userns=keep-id"), >, 0);
  g_assert_true (has_pair (&f, "--label", "io.example.run=42"));
  g_assert_cmpint (arg_index (&f, "-w"), <, 0);
  g_assert_true (has_pair (&f, "-e", "AGENTS_RUNNER_WORKDIR"));
  g_assert_true (env_has (&f, "AGENTS_RUNNER_WORKDIR=/work"));
  /* The desktop only on the loopback, on a port the engine picks. */
  g_assert_true (has_pair (&f, "-p", "127.0.0.1::" AR_RUN_ARGS_DESKTOP_PORT));
  fixture_clear (&f);
}

/* ---- variables ----------------------------------------------------------- */

static void
test_secrets_never_in_argv (void)
{
  const char *vars[] = {
    "API_TOKEN=" SECRET, "OPENAI_API_KEY=" SECRET "-2", "PLAIN=" SECRET "-3",
    "WITH_EQUALS=a=b=" SECRET, "EMPTY=", "NO_VALUE", NULL
  };
  Fixture f;

  fixture_init (&f);
  f.spec.vars = vars;
  build_ok (&f);
  g_assert_false (argv_mentions (&f, SECRET));
  g_assert_false (argv_mentions (&f, "API_TOKEN="));
  for (const char *const *name = (const char *[]) { "API_TOKEN", "OPENAI_API_KEY", "PLAIN", "WITH_EQUALS",
                                                    "EMPTY", "NO_VALUE", NULL };
       *name != NULL; name++)
    g_assert_true (has_pair (&f, "-e", *name));
  g_assert_true (env_has (&f, "API_TOKEN=" SECRET));
  g_assert_true (env_has (&f, "OPENAI_API_KEY=" SECRET "-2"));
  g_assert_true (env_has (&f, "WITH_EQUALS=a=b=" SECRET));
  g_assert_true (env_has (&f, "EMPTY="));
  /* A line without "=" is the name with an empty value. */
  g_assert_true (env_has (&f, "NO_VALUE="));
  g_assert_false (f.env_file_written);
  fixture_clear (&f);
}

static void
test_env_file_routing (void)
{
  const char *vars[] = {
    "PATH=/opt/bin:/usr/bin", "DOCKER_HOST=tcp://" SECRET, "HTTPS_PROXY=http://proxy:3128",
    "HOME_TOKEN=" SECRET, "SSH_AUTH_SOCK=/x\ny", NULL
  };
  Fixture f;
  g_autofree char *text = NULL;
  g_autofree char *log = NULL;
  GStatBuf st;

  fixture_init (&f);
  f.spec.vars = vars;
  build_ok (&f);
  g_assert_true (f.env_file_written);
  g_assert_true (has_pair (&f, "--env-file", f.spec.env_file));
  g_assert_cmpint (g_stat (f.spec.env_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  text = ar_test_read_file (f.spec.env_file);
  g_assert_cmpstr (text, ==, "PATH=/opt/bin:/usr/bin\nDOCKER_HOST=tcp://" SECRET "\nHTTPS_PROXY=http://proxy:3128\n");
  /* Names the CLI reads itself go neither into its environment nor argv. */
  for (guint i = 0; i + 1 < f.run_env->len; i++)
    {
      const char *item = g_ptr_array_index (f.run_env, i);

      g_assert_false (g_str_has_prefix (item, "PATH="));
      g_assert_false (g_str_has_prefix (item, "DOCKER_HOST="));
      g_assert_false (g_str_has_prefix (item, "HTTPS_PROXY="));
      g_assert_false (g_str_has_prefix (item, "SSH_AUTH_SOCK="));
    }
  g_assert_false (has_pair (&f, "-e", "PATH"));
  g_assert_false (has_pair (&f, "-e", "DOCKER_HOST"));
  g_assert_false (argv_mentions (&f, SECRET));
  /* An ordinary name that merely contains HOME is passed the usual way. */
  g_assert_true (has_pair (&f, "-e", "HOME_TOKEN"));
  g_assert_true (env_has (&f, "HOME_TOKEN=" SECRET));
  /* A line break cannot go into an env file: left out, and said. */
  log = log_text (&f);
  assert_contains (log, "The value of SSH_AUTH_SOCK has a line break");
  g_assert_null (strstr (log, SECRET));
  fixture_clear (&f);
}

static void
test_env_left_out (void)
{
  const char *vars[] = { "2X=1", "BAD-NAME=x", "=nothing", "TASK_ID=mine", "AGENTS_RUNNER_ENV_ID=mine", "OK_1=yes", NULL };
  Fixture f;
  g_autofree char *log = NULL;

  fixture_init (&f);
  f.spec.vars = vars;
  build_ok (&f);
  g_assert_false (has_pair (&f, "-e", "2X"));
  g_assert_false (has_pair (&f, "-e", "BAD-NAME"));
  g_assert_true (has_pair (&f, "-e", "OK_1"));
  /* The task's own values win, once each. */
  g_assert_true (env_has (&f, "TASK_ID=t-1"));
  g_assert_false (env_has (&f, "TASK_ID=mine"));
  g_assert_false (env_has (&f, "AGENTS_RUNNER_ENV_ID=mine"));
  g_assert_cmpuint (count_option (&f, "-e"), ==, 4);
  log = log_text (&f);
  assert_contains (log, "“2X” is not a valid variable name");
  assert_contains (log, "“BAD-NAME” is not a valid variable name");
  assert_contains (log, "TASK_ID is set by Agents Runner for every task");
  /* The same rule as the editor's (ar-container-lines.h). */
  {
    g_autofree char *name = NULL;
    const char *value = NULL;

    g_assert_false (ar_container_lines_split_env_var ("2X=1", &name, &value));
    g_clear_pointer (&name, g_free);
    g_assert_true (ar_container_lines_split_env_var ("_A1=b=c", &name, &value));
    g_assert_cmpstr (name, ==, "_A1");
    g_assert_cmpstr (value, ==, "b=c");
  }
  fixture_clear (&f);
}

/* ---- mounts -------------------------------------------------------------- */

static void
test_mounts (void)
{
  Fixture f;
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  g_autofree char *workspace = NULL;
  g_autofree char *bind_ro = NULL;
  g_autofree char *bind_rw = NULL;
  g_autofree char *bind_plain = NULL;
  g_autofree char *taken = NULL;
  g_autofree char *log = NULL;
  g_autofree char *expected = NULL;

  fixture_init (&f);
  data = g_build_filename (f.dir, "data", NULL);
  config = g_build_filename (f.dir, "config", NULL);
  workspace = g_build_filename (f.dir, "ws", NULL);
  g_assert_cmpint (g_mkdir (data, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (config, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (workspace, 0755), ==, 0);
  bind_ro = g_strdup_printf ("  %s:/data:ro  ", data);
  bind_rw = g_strdup_printf ("%s:/data-rw:rw", data);
  bind_plain = g_strdup_printf ("%s:/data-plain", data);
  taken = g_strdup_printf ("%s:/work", data);
  {
    const char *mounts[] = { bind_ro, "", "   ", bind_rw, bind_plain, "cache-vol:/cache:ro", "vol2:/v2",
                             taken, NULL };

    f.spec.extra_mounts = mounts;
    f.spec.workspace = workspace;
    f.spec.workdir = "/work";
    f.spec.config_dir = config;
    f.spec.container_config = "/home/midori-ai/.codex";
    build_ok (&f);
  }
  expected = g_strdup_printf ("%s:/work", workspace);
  g_assert_true (has_pair (&f, "-v", expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s:/home/midori-ai/.codex", config);
  g_assert_true (has_pair (&f, "-v", expected));
  g_assert_true (has_pair (&f, "-v", "/host/run/t-1:" AR_ENTRY_CONTAINER_DIR ":ro"));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s:/data:ro", data);
  g_assert_true (has_pair (&f, "-v", expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s:/data-rw:rw", data);
  g_assert_true (has_pair (&f, "-v", expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s:/data-plain", data);
  g_assert_true (has_pair (&f, "-v", expected));
  g_assert_true (has_pair (&f, "--mount", "type=volume,src=cache-vol,dst=/cache,ro"));
  g_assert_true (has_pair (&f, "--mount", "type=volume,src=vol2,dst=/v2"));
  /* A second bind mount at the workspace's path is left out, and said. */
  g_assert_cmpuint (count_option (&f, "-v"), ==, 6);
  log = log_text (&f);
  assert_contains (log, "/work not mounted: /work is already mounted");
  assert_contains (log, "volume cache-vol mounted at /cache (read-only)");
  assert_contains (log, "config folder");
  fixture_clear (&f);
}

static void
test_mounts_selinux (void)
{
  Fixture f;
  g_autofree char *data = NULL;
  g_autofree char *bind_ro = NULL;
  g_autofree char *bind_plain = NULL;
  g_autofree char *expected = NULL;

  fixture_init (&f);
  data = g_build_filename (f.dir, "data", NULL);
  g_assert_cmpint (g_mkdir (data, 0755), ==, 0);
  bind_ro = g_strdup_printf ("%s:/data:ro", data);
  bind_plain = g_strdup_printf ("%s:/plain", data);
  {
    const char *mounts[] = { bind_ro, bind_plain, NULL };

    f.spec.extra_mounts = mounts;
    f.spec.selinux = TRUE;
    build_ok (&f);
  }
  /* Shared folders: z; the scratch folder is this task's alone: Z. */
  g_assert_true (has_pair (&f, "-v", "/host/run/t-1:" AR_ENTRY_CONTAINER_DIR ":ro,Z"));
  expected = g_strdup_printf ("%s:/data:ro,z", data);
  g_assert_true (has_pair (&f, "-v", expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s:/plain:z", data);
  g_assert_true (has_pair (&f, "-v", expected));
  fixture_clear (&f);
}

static void
test_config_dir_missing (void)
{
  Fixture f;
  g_autofree char *missing = NULL;
  g_autofree char *log = NULL;

  fixture_init (&f);
  missing = g_build_filename (f.dir, "no-such-config", NULL);
  f.spec.config_dir = missing;
  f.spec.container_config = "/home/midori-ai/.codex";
  build_ok (&f);
  g_assert_cmpuint (count_option (&f, "-v"), ==, 1);
  log = log_text (&f);
  assert_contains (log, "no config folder");
  assert_contains (log, "for codex on this computer: not mounted");
  fixture_clear (&f);
}

/* One extra mount line that must fail the task, with @code. */
static void
assert_mount_fails (const char *line, gint code, const char *words)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  const char *mounts[] = { "vol:/taken", line, NULL };

  fixture_init (&f);
  f.spec.extra_mounts = mounts;
  g_assert_false (build (&f, &error));
  g_assert_error (error, AR_ENVIRONMENT_ERROR, code);
  assert_contains (error->message, words);
  g_assert_null (f.args);
  g_assert_null (f.run_env);
  fixture_clear (&f);
}

static void
test_mounts_bad (void)
{
  assert_mount_fails ("/no/such/folder/anywhere:/data", AR_ENVIRONMENT_ERROR_MISSING_PATH, "does not exist");
  assert_mount_fails ("no-colon-at-all", AR_ENVIRONMENT_ERROR_BAD_MOUNT, "is not host:container");
  assert_mount_fails ("/tmp:relative/path", AR_ENVIRONMENT_ERROR_BAD_MOUNT, "is not absolute");
  assert_mount_fails ("/tmp:/data:rx", AR_ENVIRONMENT_ERROR_BAD_MOUNT, "must be ro or rw");
  assert_mount_fails ("bad name!:/data", AR_ENVIRONMENT_ERROR_BAD_MOUNT, "neither an absolute path");
  /* A volume cannot go where something is mounted already. */
  assert_mount_fails ("other:/taken", AR_ENVIRONMENT_ERROR_BAD_MOUNT, "where something else is already mounted");
  assert_mount_fails ("other:" AR_ENTRY_CONTAINER_DIR, AR_ENVIRONMENT_ERROR_BAD_MOUNT, "already mounted");
}

/* ---- ports --------------------------------------------------------------- */

static void
test_ports (void)
{
  const char *ports[] = { "  8080:80  ", "", "  ", "127.0.0.1:9000:9000/udp", "3000-3002:3000-3002", NULL };
  Fixture f;

  fixture_init (&f);
  f.spec.ports = ports;
  build_ok (&f);
  g_assert_cmpuint (count_option (&f, "-p"), ==, 3);
  g_assert_true (has_pair (&f, "-p", "8080:80"));
  g_assert_true (has_pair (&f, "-p", "127.0.0.1:9000:9000/udp"));
  g_assert_true (has_pair (&f, "-p", "3000-3002:3000-3002"));
  fixture_clear (&f);
}

/* ---- before a task starts ------------------------------------------------ */

static ArEnvironment *
new_environment (const char *const *mounts, const char *const *ports)
{
  ArEnvironment *env = ar_environment_new ();

  ar_environment_set_workspace_kind (env, AR_WORKSPACE_NONE);
  ar_environment_set_extra_mounts (env, mounts);
  ar_environment_set_ports (env, ports);
  return env;
}

static void
test_check_environment (void)
{
  const char *none[] = { NULL };
  g_autofree char *dir = ar_test_mkdtemp ("run-args-check");
  g_autofree char *bind = g_strdup_printf ("%s:/data", dir);
  g_autofree char *bind_again = g_strdup_printf ("%s:/data:ro", dir);
  g_autoptr(GError) error = NULL;

  {
    const char *mounts[] = { bind, " ", "vol:/v", NULL };
    const char *ports[] = { "8080:80", "  ", "[::1]:53:53/udp", NULL };
    g_autoptr(ArEnvironment) env = new_environment (mounts, ports);

    g_assert_true (ar_run_args_check_environment (env, &error));
    g_assert_no_error (error);
  }
  {
    /* Two at one container path: the second is named. */
    const char *mounts[] = { bind, bind_again, NULL };
    g_autoptr(ArEnvironment) env = new_environment (mounts, none);

    g_assert_false (ar_run_args_check_environment (env, &error));
    g_assert_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT);
    assert_contains (error->message, bind_again);
    g_clear_error (&error);
  }
  {
    /* The workspace's path is taken when there is a workspace. */
    const char *mounts[] = { "vol:" AR_DEFAULT_CONTAINER_WORKDIR, NULL };
    g_autoptr(ArEnvironment) env = new_environment (mounts, none);

    g_assert_true (ar_run_args_check_environment (env, NULL));
    ar_environment_set_workspace_kind (env, AR_WORKSPACE_CLONED);
    g_assert_false (ar_run_args_check_environment (env, &error));
    g_assert_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT);
    g_clear_error (&error);
  }
  {
    const char *mounts[] = { "/no/such/folder/anywhere:/data", NULL };
    g_autoptr(ArEnvironment) env = new_environment (mounts, none);

    g_assert_false (ar_run_args_check_environment (env, &error));
    g_assert_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_MISSING_PATH);
    g_clear_error (&error);
  }
  {
    /* A port the editor refuses does not start either, with its reason. */
    const char *ports[] = { "8080:80", "99999:80", NULL };
    g_autoptr(ArEnvironment) env = new_environment (none, ports);

    g_assert_false (ar_run_args_check_environment (env, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    assert_contains (error->message, "99999:80");
    assert_contains (error->message, "the host port “99999” must be a number from 1 to 65535");
    g_clear_error (&error);
    /* …also where a task really starts. */
    g_assert_false (ar_task_runner_check_environment (env, AR_TASK_KIND_INTERACTIVE, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/run-args/options", test_options);
  g_test_add_func ("/run-args/secrets-never-in-argv", test_secrets_never_in_argv);
  g_test_add_func ("/run-args/env-file-routing", test_env_file_routing);
  g_test_add_func ("/run-args/env-left-out", test_env_left_out);
  g_test_add_func ("/run-args/mounts", test_mounts);
  g_test_add_func ("/run-args/mounts-selinux", test_mounts_selinux);
  g_test_add_func ("/run-args/config-dir-missing", test_config_dir_missing);
  g_test_add_func ("/run-args/mounts-bad", test_mounts_bad);
  g_test_add_func ("/run-args/ports", test_ports);
  g_test_add_func ("/run-args/check-environment", test_check_environment);

  return g_test_run ();
}
