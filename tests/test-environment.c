/* test-environment.c — ArEnvironment defaults, setters, copy, warnings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-environment.h"
#include "test-utils.h"

static void
test_defaults (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();

  g_assert_cmpstr (ar_environment_get_env_id (env), ==, "");
  g_assert_cmpstr (ar_environment_get_color (env), ==, "emerald");
  g_assert_cmpstr (ar_environment_get_workspace_type (env), ==, "none");
  g_assert_cmpstr (ar_environment_get_container_workdir (env), ==, "/home/midori-ai/workspace");
  g_assert_cmpstr (ar_environment_get_agent_cli (env), ==, "codex");
  g_assert_cmpint (ar_environment_get_max_agents_running (env), ==, -1);
  g_assert_false (ar_environment_get_cache_container_build (env));
  g_assert_false (ar_environment_get_headless_desktop_enabled (env));
  g_assert_false (ar_environment_get_cache_desktop_build (env));
  g_assert_false (ar_environment_get_preflight_enabled (env));
  g_assert_cmpint (ar_environment_get_preflight_mode (env), ==, AR_PREFLIGHT_MODE_SINGLE);
  g_assert_cmpuint (g_strv_length ((char **) ar_environment_get_env_vars (env)), ==, 0);
  g_assert_cmpint (ar_environment_get_version (env), ==, 1);
}

static void
test_new_id (void)
{
  g_autoptr(ArEnvironment) a = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) b = ar_environment_new_with_id ();
  const char *id = ar_environment_get_env_id (a);

  g_assert_true (g_str_has_prefix (id, "env-"));
  g_assert_cmpuint (strlen (id), ==, 12);
  for (guint i = 4; i < 12; i++)
    g_assert_true (g_ascii_isxdigit (id[i]) && !g_ascii_isupper (id[i]));
  g_assert_cmpstr (id, !=, ar_environment_get_env_id (b));
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

static void
test_notify_and_closed_sets (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  guint notified = 0;

  g_signal_connect (env, "notify", G_CALLBACK (count_notify), &notified);
  ar_environment_set_name (env, "One");
  ar_environment_set_name (env, "One");
  g_assert_cmpuint (notified, ==, 1);

  ar_environment_set_color (env, "violet");
  g_assert_cmpstr (ar_environment_get_color (env), ==, "violet");
  ar_environment_set_color (env, "purple");
  g_assert_cmpstr (ar_environment_get_color (env), ==, "violet");
  ar_environment_set_agent_cli (env, "nonsense");
  g_assert_cmpstr (ar_environment_get_agent_cli (env), ==, "codex");
  ar_environment_set_workspace_type (env, "cloned");
  g_assert_cmpstr (ar_environment_get_workspace_type (env), ==, "cloned");
  g_assert_cmpuint (notified, ==, 3);

  g_object_set (env, "preflight-mode", "split", NULL);
  g_assert_cmpint (ar_environment_get_preflight_mode (env), ==, AR_PREFLIGHT_MODE_SPLIT);
  g_assert_cmpuint (notified, ==, 4);
}

static void
test_env_var_names (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  const char *vars[] = { "API_TOKEN=abc=def", "EMPTY=", "PLAIN=1", NULL };
  g_auto(GStrv) names = NULL;

  ar_environment_set_env_vars (env, vars);
  names = ar_environment_dup_env_var_names (env);
  g_assert_cmpuint (g_strv_length (names), ==, 3);
  g_assert_cmpstr (names[0], ==, "API_TOKEN");
  g_assert_cmpstr (names[1], ==, "EMPTY");
  g_assert_cmpstr (names[2], ==, "PLAIN");
}

static void
test_copy (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(ArEnvironment) copy = NULL;
  const char *argv[] = { "my-agent", "--fast", "{prompt}", NULL };
  const char *ports[] = { "127.0.0.1:8080:80", NULL };

  ar_environment_set_name (env, "Copied");
  ar_environment_set_custom_command (env, argv);
  ar_environment_set_ports (env, ports);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cached_preflight_script (env, "apt-get update\n");
  ar_environment_set_max_agents_running (env, 3);
  json_object_set_string_member (ar_environment_get_extra (env), "future_field", "x");
  ar_environment_add_load_warning (env, "a warning");

  copy = ar_environment_copy (env);
  g_assert_cmpstr (ar_environment_get_env_id (copy), ==, ar_environment_get_env_id (env));
  g_assert_cmpstr (ar_environment_get_name (copy), ==, "Copied");
  g_assert_true (g_strv_equal (ar_environment_get_custom_command (copy), argv));
  g_assert_true (g_strv_equal (ar_environment_get_ports (copy), ports));
  g_assert_true (ar_environment_get_cache_container_build (copy));
  g_assert_cmpint (ar_environment_get_preflight_mode (copy), ==, AR_PREFLIGHT_MODE_SPLIT);
  g_assert_cmpint (ar_environment_get_max_agents_running (copy), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (ar_environment_get_extra (copy), "future_field"), ==, "x");

  /* A snapshot: editing the original leaves the copy alone. */
  ar_environment_set_name (env, "Changed");
  json_object_set_string_member (ar_environment_get_extra (env), "future_field", "y");
  g_assert_cmpstr (ar_environment_get_name (copy), ==, "Copied");
  g_assert_cmpstr (json_object_get_string_member (ar_environment_get_extra (copy), "future_field"), ==, "x");

  g_assert_finalize_object (g_steal_pointer (&copy));
}

static gboolean
strv_has_prefix (char **strv, const char *prefix)
{
  for (guint i = 0; strv[i] != NULL; i++)
    if (g_str_has_prefix (strv[i], prefix))
      return TRUE;
  return FALSE;
}

static void
test_live_warnings_and_layers (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  g_auto(GStrv) w0 = NULL;
  g_auto(GStrv) w1 = NULL;
  g_auto(GStrv) w2 = NULL;

  w0 = ar_environment_dup_warnings (env);
  g_assert_cmpuint (g_strv_length (w0), ==, 0);
  g_assert_false (ar_environment_wants_env_layer (env));

  ar_environment_set_cache_container_build (env, TRUE);
  w1 = ar_environment_dup_warnings (env);
  g_assert_true (strv_has_prefix (w1, "container caching is on but the cached preflight is empty"));
  g_assert_true (strv_has_prefix (w1, "container caching is on but the preflight mode is single"));
  g_assert_false (ar_environment_wants_env_layer (env));

  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cached_preflight_script (env, "apk add git\n");
  w2 = ar_environment_dup_warnings (env);
  g_assert_cmpuint (g_strv_length (w2), ==, 0);
  g_assert_true (ar_environment_wants_env_layer (env));

  g_assert_false (ar_environment_wants_desktop_layer (env));
  ar_environment_set_cache_desktop_build (env, TRUE);
  g_assert_false (ar_environment_wants_desktop_layer (env));
  ar_environment_set_headless_desktop_enabled (env, TRUE);
  g_assert_true (ar_environment_wants_desktop_layer (env));
}

/* Issue 10 item 5: one emptiness rule. A cached preflight of only blanks
 * does nothing: no layer is built for it and nothing runs at start. */
static void
test_blank_cached_preflight (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  g_auto(GStrv) warnings = NULL;

  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, "  \n\t\n \r\n");
  g_assert_true (ar_script_is_blank (ar_environment_get_cached_preflight_script (env)));
  g_assert_false (ar_environment_uses_cached_preflight (env));
  g_assert_false (ar_environment_wants_env_layer (env));
  g_assert_false (ar_environment_runs_cached_preflight_at_start (env, FALSE));
  warnings = ar_environment_dup_warnings (env);
  g_assert_true (strv_has_prefix (warnings, "container caching is on but the cached preflight is empty"));

  ar_environment_set_cached_preflight_script (env, "  apk add git\n");
  g_assert_true (ar_environment_wants_env_layer (env));
  /* baked: not at start; not baked (layer failed): at start */
  g_assert_false (ar_environment_runs_cached_preflight_at_start (env, TRUE));
  g_assert_true (ar_environment_runs_cached_preflight_at_start (env, FALSE));
  ar_environment_set_cache_container_build (env, FALSE);
  g_assert_false (ar_environment_wants_env_layer (env));
  g_assert_true (ar_environment_runs_cached_preflight_at_start (env, FALSE));
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SINGLE);
  g_assert_false (ar_environment_runs_cached_preflight_at_start (env, FALSE));
}

/* Issue 10 item 5: the workspace type is an enum with one spelling. */
static void
test_workspace_type (void)
{
  g_autoptr(ArEnvironment) env = ar_environment_new ();
  const char *const *ids = ar_workspace_type_ids ();
  ArWorkspaceType type;
  guint notified = 0;

  g_assert_cmpuint (g_strv_length ((char **) ids), ==, 3);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_assert_true (ar_workspace_type_from_string (ids[i], &type));
      g_assert_cmpint (type, ==, (int) i);
      g_assert_cmpstr (ar_workspace_type_to_string (type), ==, ids[i]);
      g_assert_true (ar_environment_is_valid_workspace_type (ids[i]));
      g_assert_cmpstr (ar_workspace_type_display_name (type), !=, "");
    }
  g_assert_false (ar_workspace_type_from_string ("Mounted", &type));
  g_assert_false (ar_workspace_type_from_string (NULL, &type));

  g_assert_cmpint (ar_environment_get_workspace_kind (env), ==, AR_WORKSPACE_NONE);
  g_signal_connect (env, "notify::workspace-type", G_CALLBACK (count_notify), &notified);
  ar_environment_set_workspace_kind (env, AR_WORKSPACE_CLONED);
  g_assert_cmpstr (ar_environment_get_workspace_type (env), ==, "cloned");
  ar_environment_set_workspace_type (env, "mounted");
  g_assert_cmpint (ar_environment_get_workspace_kind (env), ==, AR_WORKSPACE_MOUNTED);
  ar_environment_set_workspace_type (env, "bogus");
  g_assert_cmpint (ar_environment_get_workspace_kind (env), ==, AR_WORKSPACE_MOUNTED);
  ar_environment_set_workspace_kind (env, AR_WORKSPACE_MOUNTED);
  g_assert_cmpuint (notified, ==, 2);
}

/* Issue 10 item 2: a named volume is a mount like a host folder. */
static void
test_mount_parse (void)
{
  static const struct {
    const char *text;
    ArMountType type;
    const char *source, *target, *mode;
  } good[] = {
    { "volume_1:/data:rw", AR_MOUNT_VOLUME, "volume_1", "/data", "rw" },
    { "cache.v2:/cache", AR_MOUNT_VOLUME, "cache.v2", "/cache", NULL },
    { "/srv/data:/data:ro", AR_MOUNT_BIND, "/srv/data", "/data", "ro" },
    { "  /srv:/srv  ", AR_MOUNT_BIND, "/srv", "/srv", NULL },
  };
  static const char *const bad[] = {
    "/data", "a:b:c:d", "vol:/data:rx", "vol:data", "./rel:/data", "-vol:/data", "my vol:/data", ":/data", "~user:/x",
  };
  g_autofree char *home_target = g_build_filename (g_get_home_dir (), "src", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ArMount) mount = ar_mount_parse (good[i].text, &error);

      g_assert_no_error (error);
      g_assert_nonnull (mount);
      g_assert_cmpint (mount->type, ==, good[i].type);
      g_assert_cmpstr (mount->source, ==, good[i].source);
      g_assert_cmpstr (mount->target, ==, good[i].target);
      g_assert_cmpstr (mount->mode, ==, good[i].mode);
    }
  {
    g_autoptr(ArMount) mount = ar_mount_parse ("~/src:/src", NULL);

    g_assert_cmpint (mount->type, ==, AR_MOUNT_BIND);
    g_assert_cmpstr (mount->source, ==, home_target);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ArMount) mount = ar_mount_parse (bad[i], &error);

      if (mount != NULL)
        g_error ("“%s” should not parse", bad[i]);
      g_assert_error (error, AR_ENVIRONMENT_ERROR, AR_ENVIRONMENT_ERROR_BAD_MOUNT);
      g_assert_nonnull (strstr (error->message, "Container tab"));
    }
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/environment/defaults", test_defaults);
  g_test_add_func ("/environment/new-id", test_new_id);
  g_test_add_func ("/environment/notify-and-closed-sets", test_notify_and_closed_sets);
  g_test_add_func ("/environment/env-var-names", test_env_var_names);
  g_test_add_func ("/environment/copy", test_copy);
  g_test_add_func ("/environment/live-warnings-and-layers", test_live_warnings_and_layers);
  g_test_add_func ("/environment/blank-cached-preflight", test_blank_cached_preflight);
  g_test_add_func ("/environment/workspace-type", test_workspace_type);
  g_test_add_func ("/environment/mount-parse", test_mount_parse);

  return g_test_run ();
}
