/* test-metadata.c — the desktop file, the metainfo and the icons agree with
 * each other and with the build (application id, command, version)
 *
 * The formats themselves are checked by desktop-file-validate and
 * appstreamcli; this checks what those tools cannot know.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#define SCREENSHOT_URL_PREFIX "https://raw.githubusercontent.com/agents-runner/agents-runner/main/data/screenshots/"

static const char *
env_path (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this test through meson test", name);
  return value;
}

/* ---- the metainfo, read with GMarkup ------------------------------------ */

typedef struct {
  GPtrArray *stack;        /* element names, outermost first */
  GString *text;           /* text of the element being read */
  char *id;
  char *launchable;
  char *launchable_type;
  GPtrArray *releases;     /* "version date", in file order */
  GPtrArray *images;       /* screenshot image URLs */
  guint captions;
  guint screenshots;
  guint default_screenshots;
} Metainfo;

static void
metainfo_clear (Metainfo *m)
{
  g_ptr_array_unref (m->stack);
  g_string_free (m->text, TRUE);
  g_free (m->id);
  g_free (m->launchable);
  g_free (m->launchable_type);
  g_ptr_array_unref (m->releases);
  g_ptr_array_unref (m->images);
}

static const char *
parent_name (Metainfo *m)
{
  return m->stack->len > 0 ? g_ptr_array_index (m->stack, m->stack->len - 1) : NULL;
}

static void
on_start (GMarkupParseContext *context,
          const char          *element,
          const char         **names,
          const char         **values,
          gpointer             user_data,
          GError             **error)
{
  Metainfo *m = user_data;
  const char *parent = parent_name (m);

  g_string_truncate (m->text, 0);
  if (g_str_equal (element, "release") && g_strcmp0 (parent, "releases") == 0)
    {
      const char *version = NULL;
      const char *date = NULL;

      for (guint i = 0; names[i] != NULL; i++)
        {
          if (g_str_equal (names[i], "version"))
            version = values[i];
          else if (g_str_equal (names[i], "date"))
            date = values[i];
        }
      g_ptr_array_add (m->releases, g_strdup_printf ("%s %s", version ? version : "?", date ? date : "?"));
    }
  else if (g_str_equal (element, "screenshot"))
    {
      m->screenshots++;
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "type") && g_str_equal (values[i], "default"))
          m->default_screenshots++;
    }
  else if (g_str_equal (element, "launchable"))
    {
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "type"))
          m->launchable_type = g_strdup (values[i]);
    }
  g_ptr_array_add (m->stack, g_strdup (element));
}

static void
on_end (GMarkupParseContext *context,
        const char          *element,
        gpointer             user_data,
        GError             **error)
{
  Metainfo *m = user_data;
  g_autofree char *text = g_strstrip (g_strdup (m->text->str));

  g_ptr_array_remove_index (m->stack, m->stack->len - 1);
  /* Only the component's own <id>, not one inside <provides> or elsewhere. */
  if (g_str_equal (element, "id") && g_strcmp0 (parent_name (m), "component") == 0)
    m->id = g_steal_pointer (&text);
  else if (g_str_equal (element, "launchable"))
    m->launchable = g_steal_pointer (&text);
  else if (g_str_equal (element, "image") && g_strcmp0 (parent_name (m), "screenshot") == 0)
    g_ptr_array_add (m->images, g_steal_pointer (&text));
  else if (g_str_equal (element, "caption") && g_strcmp0 (parent_name (m), "screenshot") == 0 && *text != '\0')
    m->captions++;
  g_string_truncate (m->text, 0);
}

static void
on_text (GMarkupParseContext *context,
         const char          *text,
         gsize                len,
         gpointer             user_data,
         GError             **error)
{
  Metainfo *m = user_data;

  g_string_append_len (m->text, text, len);
}

static void
load_metainfo (Metainfo *m)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  memset (m, 0, sizeof *m);
  m->stack = g_ptr_array_new_with_free_func (g_free);
  m->text = g_string_new (NULL);
  m->releases = g_ptr_array_new_with_free_func (g_free);
  m->images = g_ptr_array_new_with_free_func (g_free);

  g_file_get_contents (env_path ("AR_METAINFO"), &contents, &len, &error);
  g_assert_no_error (error);
  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, m, NULL);
  g_markup_parse_context_parse (context, contents, len, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
}

static void
test_metainfo_ids (void)
{
  Metainfo m;
  g_autofree char *base = g_path_get_basename (env_path ("AR_METAINFO"));

  load_metainfo (&m);
  g_assert_cmpstr (base, ==, APP_ID ".metainfo.xml");
  g_assert_cmpstr (m.id, ==, APP_ID);
  g_assert_cmpstr (m.launchable_type, ==, "desktop-id");
  g_assert_cmpstr (m.launchable, ==, APP_ID ".desktop");
  metainfo_clear (&m);
}

/* The newest release is the first one, and it is the version meson builds:
 * a release without its metainfo entry (or the reverse) fails here. */
static void
test_metainfo_version (void)
{
  Metainfo m;
  const char *version = env_path ("AR_PROJECT_VERSION");
  g_auto(GStrv) first = NULL;

  load_metainfo (&m);
  g_assert_cmpuint (m.releases->len, >=, 1);
  first = g_strsplit (g_ptr_array_index (m.releases, 0), " ", 2);
  g_assert_cmpstr (first[0], ==, version);
  g_assert_cmpstr (PACKAGE_VERSION, ==, version);
  /* ISO dates, newest first. */
  for (guint i = 0; i < m.releases->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (m.releases, i), " ", 2);
      g_autoptr(GDateTime) when = NULL;
      g_autofree char *iso = g_strconcat (parts[1], "T00:00:00Z", NULL);

      when = g_date_time_new_from_iso8601 (iso, NULL);
      if (when == NULL)
        g_error ("release %s has no valid date: %s", parts[0], parts[1]);
      if (i > 0)
        {
          g_auto(GStrv) newer = g_strsplit (g_ptr_array_index (m.releases, i - 1), " ", 2);

          if (strcmp (newer[1], parts[1]) < 0)
            g_error ("releases are not newest first: %s before %s", newer[0], parts[0]);
        }
    }
  metainfo_clear (&m);
}

static void
test_metainfo_screenshots (void)
{
  static const char *const names[] = {
    "environments.png", "preflight-editor.png", "auto-split.png", "tasks.png", NULL,
  };
  Metainfo m;

  load_metainfo (&m);
  g_assert_cmpuint (m.screenshots, ==, g_strv_length ((char **) names));
  g_assert_cmpuint (m.images->len, ==, m.screenshots);
  g_assert_cmpuint (m.captions, ==, m.screenshots);
  g_assert_cmpuint (m.default_screenshots, ==, 1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *url = g_strconcat (SCREENSHOT_URL_PREFIX, names[i], NULL);

      if (!g_ptr_array_find_with_equal_func (m.images, url, g_str_equal, NULL))
        g_error ("the metainfo lists no screenshot %s", url);
    }
  metainfo_clear (&m);
}

/* The URLs point at data/screenshots/ in the repository: once the folder is
 * there, every listed picture must be a PNG in it. */
static void
test_screenshot_files (void)
{
  g_autofree char *dir = g_build_filename (env_path ("AR_SOURCE_ROOT"), "data", "screenshots", NULL);
  Metainfo m;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("data/screenshots/ does not exist yet: the UI tests make the pictures");
      return;
    }
  load_metainfo (&m);
  for (guint i = 0; i < m.images->len; i++)
    {
      const char *url = g_ptr_array_index (m.images, i);
      g_autofree char *path = g_build_filename (dir, url + strlen (SCREENSHOT_URL_PREFIX), NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (!g_file_get_contents (path, &contents, &len, NULL))
        g_error ("the metainfo lists %s, but %s is missing", url, path);
      if (len < 8 || memcmp (contents, "\x89PNG\r\n\x1a\n", 8) != 0)
        g_error ("%s is not a PNG", path);
    }
  metainfo_clear (&m);
}

/* ---- the desktop file ---------------------------------------------------- */

static void
test_desktop_file (void)
{
  const char *path = env_path ("AR_DESKTOP_FILE");
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) categories = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *icon = NULL;
  g_autofree char *type = NULL;

  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (base, ==, APP_ID ".desktop");

  type = g_key_file_get_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TYPE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (type, ==, "Application");
  exec = g_key_file_get_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exec, ==, env_path ("AR_COMMAND"));
  icon = g_key_file_get_string (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (icon, ==, APP_ID);

  categories = g_key_file_get_string_list (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_CATEGORIES, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char *const *) categories, "Development"));
  g_assert_true (g_strv_contains ((const char *const *) categories, "GTK"));
  g_assert_true (g_strv_contains ((const char *const *) categories, "GNOME"));

  g_assert_true (g_key_file_get_boolean (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_STARTUP_NOTIFY, &error));
  g_assert_no_error (error);
  /* The app has no D-Bus service file: activation would fail. */
  g_assert_false (g_key_file_get_boolean (file, G_KEY_FILE_DESKTOP_GROUP, "DBusActivatable", &error));
  g_assert_no_error (error);
  g_assert_false (g_key_file_get_boolean (file, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TERMINAL, &error));
  g_assert_no_error (error);
  g_assert_true (g_key_file_has_key (file, G_KEY_FILE_DESKTOP_GROUP, "Keywords", NULL));
}

/* ---- the icons ----------------------------------------------------------- */

typedef struct {
  char *root;
  char *width;
  char *height;
  char *view_box;
  GHashTable *colors;   /* every fill / stroke / stop-color that paints */
} Svg;

static void
svg_start (GMarkupParseContext *context,
           const char          *element,
           const char         **names,
           const char         **values,
           gpointer             user_data,
           GError             **error)
{
  Svg *svg = user_data;

  if (svg->root == NULL)
    {
      svg->root = g_strdup (element);
      for (guint i = 0; names[i] != NULL; i++)
        {
          if (g_str_equal (names[i], "width"))
            svg->width = g_strdup (values[i]);
          else if (g_str_equal (names[i], "height"))
            svg->height = g_strdup (values[i]);
          else if (g_str_equal (names[i], "viewBox"))
            svg->view_box = g_strdup (values[i]);
        }
    }
  for (guint i = 0; names[i] != NULL; i++)
    if ((g_str_equal (names[i], "fill") || g_str_equal (names[i], "stroke") || g_str_equal (names[i], "stop-color")) &&
        !g_str_equal (values[i], "none"))
      g_hash_table_add (svg->colors, g_ascii_strdown (values[i], -1));
}

static void
load_svg (const char *relative, Svg *svg)
{
  static const GMarkupParser parser = { svg_start, NULL, NULL, NULL, NULL };
  g_autofree char *path = g_build_filename (env_path ("AR_SOURCE_ROOT"), "data", "icons", "hicolor", relative, NULL);
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  memset (svg, 0, sizeof *svg);
  svg->colors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  context = g_markup_parse_context_new (&parser, 0, svg, NULL);
  g_markup_parse_context_parse (context, contents, len, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (svg->root, ==, "svg");
}

static void
svg_clear (Svg *svg)
{
  g_free (svg->root);
  g_free (svg->width);
  g_free (svg->height);
  g_free (svg->view_box);
  g_hash_table_unref (svg->colors);
}

static void
test_icons (void)
{
  Svg app;
  Svg symbolic;

  load_svg ("scalable/apps/" APP_ID ".svg", &app);
  /* The GNOME app icon grid. */
  g_assert_cmpstr (app.view_box, ==, "0 0 128 128");
  g_assert_cmpuint (g_hash_table_size (app.colors), >, 1);
  svg_clear (&app);

  load_svg ("symbolic/apps/" APP_ID "-symbolic.svg", &symbolic);
  g_assert_cmpstr (symbolic.width, ==, "16");
  g_assert_cmpstr (symbolic.height, ==, "16");
  g_assert_cmpstr (symbolic.view_box, ==, "0 0 16 16");
  /* GTK recolours a symbolic icon: one colour, no gradients. */
  g_assert_cmpuint (g_hash_table_size (symbolic.colors), ==, 1);
  svg_clear (&symbolic);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/metadata/metainfo/ids", test_metainfo_ids);
  g_test_add_func ("/metadata/metainfo/version", test_metainfo_version);
  g_test_add_func ("/metadata/metainfo/screenshots", test_metainfo_screenshots);
  g_test_add_func ("/metadata/metainfo/screenshot-files", test_screenshot_files);
  g_test_add_func ("/metadata/desktop-file", test_desktop_file);
  g_test_add_func ("/metadata/icons", test_icons);

  return g_test_run ();
}
