/* test-flatpak.c — the Flatpak manifest, and the folders the host's engine
 * must see under the same path as the sandboxed app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ar-paths.h"

/* What the sandbox may do, and nothing more. Why each one is needed is in
 * flatpak/README.md; a change here is a change of the app's permissions. */
static const char *const expected_finish_args[] = {
  "--socket=wayland",
  "--socket=fallback-x11",
  "--share=ipc",
  "--device=dri",
  "--talk-name=org.freedesktop.Flatpak",
  "--filesystem=home",
  "--filesystem=~/.midoriai/agents-runner:ro",
  NULL,
};

static JsonNode *
load_manifest (void)
{
  const char *path = g_getenv ("AR_FLATPAK_MANIFEST");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (path);
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_copy (json_parser_get_root (parser));
}

static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
test_ids (void)
{
  g_autoptr(JsonNode) root = load_manifest ();
  JsonObject *manifest = json_node_get_object (root);

  /* flatpak-builder takes either spelling; exactly one avoids a conflict. */
  g_assert_true (json_object_has_member (manifest, "id") != json_object_has_member (manifest, "app-id"));
  g_assert_cmpstr (member_string (manifest, json_object_has_member (manifest, "id") ? "id" : "app-id"), ==, APP_ID);
  g_assert_cmpstr (member_string (manifest, "command"), ==, "agents-runner");
  g_assert_cmpstr (member_string (manifest, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (member_string (manifest, "sdk"), ==, "org.gnome.Sdk");
  /* GNOME 43: GTK 4.8, libadwaita 1.2, GtkSourceView 5.6, GLib 2.74, the
   * versions meson.build pins the version-guard macros to. */
  g_assert_cmpstr (member_string (manifest, "runtime-version"), ==, "43");
}

static void
test_finish_args (void)
{
  g_autoptr(JsonNode) root = load_manifest ();
  JsonObject *manifest = json_node_get_object (root);
  JsonArray *args;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_true (json_object_has_member (manifest, "finish-args"));
  args = json_object_get_array_member (manifest, "finish-args");
  g_assert_nonnull (args);

  for (guint i = 0; i < json_array_get_length (args); i++)
    {
      const char *arg = json_array_get_string_element (args, i);

      g_assert_nonnull (arg);
      if (!g_strv_contains (expected_finish_args, arg))
        g_error ("finish-args has %s, which is not one of the permissions the app needs", arg);
      if (!g_hash_table_add (seen, (gpointer) arg))
        g_error ("finish-args lists %s twice", arg);
    }
  for (guint i = 0; expected_finish_args[i] != NULL; i++)
    if (!g_hash_table_contains (seen, expected_finish_args[i]))
      g_error ("finish-args lacks %s", expected_finish_args[i]);
}

static void
test_app_module (void)
{
  g_autoptr(JsonNode) root = load_manifest ();
  JsonObject *manifest = json_node_get_object (root);
  JsonArray *modules = json_object_get_array_member (manifest, "modules");
  JsonObject *app;
  JsonObject *vte;
  JsonArray *sources;
  JsonObject *source;
  JsonArray *opts;
  gboolean gtk4 = FALSE;

  /* The runtime has every library we link (GTK, libadwaita, GtkSourceView,
   * json-glib, libsoup 3) but VTE for GTK 4, the interactive tasks'
   * terminal: it is built first, then the app. */
  g_assert_nonnull (modules);
  g_assert_cmpuint (json_array_get_length (modules), ==, 2);
  vte = json_array_get_object_element (modules, 0);
  g_assert_cmpstr (member_string (vte, "name"), ==, "vte");
  g_assert_cmpstr (member_string (vte, "buildsystem"), ==, "meson");
  opts = json_object_get_array_member (vte, "config-opts");
  g_assert_nonnull (opts);
  for (guint i = 0; i < json_array_get_length (opts); i++)
    if (g_str_equal (json_array_get_string_element (opts, i), "-Dgtk4=true"))
      gtk4 = TRUE;
  g_assert_true (gtk4);
  source = json_array_get_object_element (json_object_get_array_member (vte, "sources"), 0);
  g_assert_cmpstr (member_string (source, "type"), ==, "archive");
  /* the version the native build uses (Debian 12: 0.70), checksummed */
  g_assert_true (g_str_has_prefix (member_string (source, "url"), "https://download.gnome.org/sources/vte/0.70/"));
  g_assert_cmpuint (strlen (member_string (source, "sha256")), ==, 64);

  app = json_array_get_object_element (modules, 1);
  g_assert_nonnull (app);
  g_assert_cmpstr (member_string (app, "name"), ==, "agents-runner");
  g_assert_cmpstr (member_string (app, "buildsystem"), ==, "meson");

  sources = json_object_get_array_member (app, "sources");
  g_assert_nonnull (sources);
  g_assert_cmpuint (json_array_get_length (sources), ==, 1);
  source = json_array_get_object_element (sources, 0);
  g_assert_cmpstr (member_string (source, "type"), ==, "dir");
  /* Relative to the manifest: the repository's root. */
  g_assert_cmpstr (member_string (source, "path"), ==, "..");
}

/* Inside Flatpak, HOME is the host's home at the same path and Flatpak sets
 * XDG_CACHE_HOME to ~/.var/app/<id>/cache, a real folder of the host. The
 * host's engine bind-mounts the per-task scratch folder and reads the build
 * context from the cache folder, so both must be under that path, never
 * under a sandbox-only tree (/app, /tmp, /run/user/…/doc). */
static void
test_scratch_on_host (void)
{
  const char *home = g_get_home_dir ();
  g_autofree char *app_cache = g_build_filename (home, ".var", "app", APP_ID, "cache", NULL);
  g_autofree char *app_state = g_build_filename (home, ".var", "app", APP_ID, ".local", "state", NULL);
  g_autofree char *want_cache = g_build_filename (app_cache, "agents-runner", NULL);
  g_autofree char *want_run = g_build_filename (app_cache, "agents-runner", "run", NULL);
  g_autofree char *want_tasks = g_build_filename (app_state, "agents-runner", "tasks", NULL);
  g_autofree char *cache = NULL;
  g_autofree char *run = NULL;
  g_autofree char *tasks = NULL;

  g_setenv ("XDG_CACHE_HOME", app_cache, TRUE);
  g_setenv ("XDG_STATE_HOME", app_state, TRUE);

  cache = ar_paths_cache_dir ();
  run = ar_paths_run_dir ();
  tasks = ar_paths_tasks_dir ();
  g_assert_cmpstr (cache, ==, want_cache);
  g_assert_cmpstr (run, ==, want_run);
  /* A cloned workspace is made in the task's folder and mounted from there. */
  g_assert_cmpstr (tasks, ==, want_tasks);
}

/* Flatpak before 1.13 sets no XDG_STATE_HOME: the fallback must still be a
 * host folder (the home, which the app may use). */
static void
test_fallback_on_host (void)
{
  g_autofree char *home_prefix = g_strconcat (g_get_home_dir (), G_DIR_SEPARATOR_S, NULL);
  g_autofree char *cache = NULL;
  g_autofree char *tasks = NULL;

  g_unsetenv ("XDG_CACHE_HOME");
  g_unsetenv ("XDG_STATE_HOME");
  cache = ar_paths_run_dir ();
  tasks = ar_paths_tasks_dir ();
  g_assert_true (g_str_has_prefix (cache, home_prefix));
  g_assert_true (g_str_has_prefix (tasks, home_prefix));
}

/* Nothing in the manifest may move the cache or state folder away from the
 * path the host sees: no --persist, no --env for them. */
static void
test_cache_not_remapped (void)
{
  g_autoptr(JsonNode) root = load_manifest ();
  JsonArray *args = json_object_get_array_member (json_node_get_object (root), "finish-args");

  g_assert_nonnull (args);
  for (guint i = 0; i < json_array_get_length (args); i++)
    {
      const char *arg = json_array_get_string_element (args, i);

      g_assert_false (g_str_has_prefix (arg, "--persist"));
      g_assert_false (g_str_has_prefix (arg, "--env=XDG_"));
      g_assert_false (g_str_has_prefix (arg, "--unset-env=XDG_"));
      g_assert_false (g_str_has_prefix (arg, "--nofilesystem"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/flatpak/manifest/ids", test_ids);
  g_test_add_func ("/flatpak/manifest/finish-args", test_finish_args);
  g_test_add_func ("/flatpak/manifest/app-module", test_app_module);
  g_test_add_func ("/flatpak/manifest/cache-not-remapped", test_cache_not_remapped);
  g_test_add_func ("/flatpak/paths/scratch-on-host", test_scratch_on_host);
  g_test_add_func ("/flatpak/paths/fallback-on-host", test_fallback_on_host);

  return g_test_run ();
}
