/* test-ui-build-user.c — the Preflight tab's warning names the user the
 * cached preflight runs as at build time (design.md §3.3, §6.3): the base
 * image's Config.User, asked of the real engine by the environment editor.
 * A base imported with USER dev is named "dev", the root test base "root",
 * the Preferences' default base is used when the environment has none, and
 * an image the engine does not have is named as not known, never as root.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ar-backend.h"
#include "ar-environment-editor.h"
#include "ar-environments-page.h"
#include "ar-preflight-editor.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

typedef ArTestUiWindowFixture Fixture;

static char *dev_image;

/* The test base's root file system imported again with USER dev (no such
 * account in it: the build user is what the image's config says). */
static const char *
dev_base_image (void)
{
  if (dev_image == NULL)
    {
      g_autofree char *name = g_strconcat ("ar-test-base-dev:", ar_test_engine_run_id (), NULL);
      g_autofree char *label = g_strconcat ("LABEL ", ar_test_engine_run_label (), NULL);
      g_autofree char *err = NULL;
      const char *import[] = { "import", "--change", "USER dev", "--change", label,
                               ar_test_engine_base_tar (), name, NULL };

      if (ar_test_engine_docker (import, NULL, &err) != 0)
        g_error ("docker import of the USER dev base failed: %s", err);
      dev_image = g_steal_pointer (&name);
    }
  return dev_image;
}

/* Its id: the window loads the store again from its file. */
static char *
add_env (Fixture *f, const char *name, const char *base_image)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (env, name);
  ar_environment_set_base_image (env, base_image);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cached_preflight_script (env, "#!/bin/sh\nsudo apt-get install -y git\n");
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_no_error (error);
  return g_strdup (ar_environment_get_env_id (env));
}

static void
open_window (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1180, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  ar_window_show_page (f->window, "environments");
}

static ArEnvironmentEditor *
editor (Fixture *f)
{
  return ar_environments_page_get_editor (ar_window_get_environments_page (f->window));
}

static ArPreflightEditor *
preflight (Fixture *f)
{
  return ar_environment_editor_get_preflight_editor (editor (f));
}

static const char *
warning_text (Fixture *f)
{
  return gtk_label_get_text (ar_test_ui_child (preflight (f), AR_TYPE_PREFLIGHT_EDITOR, "cached_warning_label"));
}

static gboolean
editor_shows (Fixture *f, const char *env_id)
{
  ArEnvironment *env = ar_environment_editor_get_environment (editor (f));

  return env != NULL && g_strcmp0 (ar_environment_get_env_id (env), env_id) == 0;
}

/* Shows the environment on the Preflight tab, cached script. */
static void
show_env (Fixture *f, const char *env_id)
{
  ar_environments_page_select (ar_window_get_environments_page (f->window), env_id);
  ar_test_ui_await (editor_shows (f, env_id));
  gtk_stack_set_visible_child_name (ar_test_ui_child (editor (f), AR_TYPE_ENVIRONMENT_EDITOR, "tabs"), "preflight");
  gtk_notebook_set_current_page (ar_test_ui_child (preflight (f), AR_TYPE_PREFLIGHT_EDITOR, "notebook"), 1);
}

static gboolean
warning_names (Fixture *f, const char *user)
{
  g_autofree char *as = g_strdup_printf ("as %s,", user);

  return g_strcmp0 (ar_preflight_editor_get_build_user (preflight (f)), user) == 0 &&
         strstr (warning_text (f), as) != NULL;
}

static void
test_names_image_user (Fixture *f, gconstpointer data)
{
  g_autofree char *root_image = NULL;
  g_autofree char *dev_env = NULL;
  g_autofree char *root_env = NULL;

  if (!ar_test_engine_need ())
    return;
  root_image = ar_test_engine_base_image ();
  dev_env = add_env (f, "Dev user", dev_base_image ());
  root_env = add_env (f, "Root user", root_image);
  open_window (f);

  show_env (f, dev_env);
  ar_test_ui_await_for (warning_names (f, "dev"), 30);
  g_assert_null (strstr (warning_text (f), "root"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "build-user-dev");
  {
    /* At 360 px the warning wraps and is whole: nothing of the Preflight
     * tab sticks out, and the label's full text is what is shown. */
    GtkLabel *label = ar_test_ui_child (preflight (f), AR_TYPE_PREFLIGHT_EDITOR, "cached_warning_label");
    g_auto(GStrv) cut = NULL;

    /* folded: activating its row (the first) shows the editor */
    ar_test_ui_set_size (GTK_WINDOW (f->window), 360, 720);
    g_signal_emit_by_name (ar_test_ui_child (ar_window_get_environments_page (f->window), AR_TYPE_ENVIRONMENTS_PAGE,
                                             "list_view"),
                           "activate", 0);
    show_env (f, dev_env);
    ar_test_ui_await_for (warning_names (f, "dev") && gtk_widget_get_mapped (GTK_WIDGET (label)), 30);
    ar_test_ui_screenshot_at (GTK_WINDOW (f->window), 360, 720, "build-user-dev");
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (label)));
    g_assert_true (gtk_label_get_wrap (label));
    g_assert_cmpint (gtk_label_get_ellipsize (label), ==, PANGO_ELLIPSIZE_NONE);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (label)), <=, 360);
    cut = ar_test_ui_cut_off_widgets (GTK_WIDGET (preflight (f)));
    for (guint i = 0; cut[i] != NULL; i++)
      g_test_message ("cut off at 360 px: %s", cut[i]);
    g_assert_cmpuint (g_strv_length (cut), ==, 0);
    ar_test_ui_set_size (GTK_WINDOW (f->window), 1024, 720);
  }

  show_env (f, root_env);
  ar_test_ui_await_for (warning_names (f, "root"), 30);
  g_assert_null (strstr (warning_text (f), "dev"));

  /* Typing another base image in the field: asked again after a pause. */
  gtk_editable_set_text (ar_test_ui_child (editor (f), AR_TYPE_ENVIRONMENT_EDITOR, "base_image_entry"),
                         dev_base_image ());
  ar_test_ui_await_for (warning_names (f, "dev"), 30);
}

static void
test_default_base_image (Fixture *f, gconstpointer data)
{
  g_autoptr(ArSettings) settings = NULL;
  g_autofree char *env = NULL;

  if (!ar_test_engine_need ())
    return;
  env = add_env (f, "Default base", "");
  open_window (f);
  settings = ar_settings_copy (ar_backend_get_settings (f->backend));
  g_free (settings->default_base_image);
  settings->default_base_image = g_strdup (dev_base_image ());
  ar_backend_set_settings (f->backend, settings);

  show_env (f, env);
  ar_test_ui_await_for (warning_names (f, "dev"), 30);
}

static void
test_image_not_on_engine (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = NULL;
  g_autofree char *env = NULL;

  if (!ar_test_engine_need ())
    return;
  missing = g_strconcat ("ar-test-absent:", ar_test_engine_run_id (), NULL);
  env = add_env (f, "Absent base", missing);
  open_window (f);

  show_env (f, env);
  ar_test_ui_await_for (ar_preflight_editor_get_build_user (preflight (f)) == NULL, 30);
  g_assert_nonnull (strstr (warning_text (f), "the image's user (not known: the image is not on the engine)"));
  g_assert_null (strstr (warning_text (f), "root"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "build-user-unknown");
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();

  g_test_add ("/ui/build-user/names-image-user", Fixture, NULL, ar_test_ui_window_fixture_set_up,
              test_names_image_user, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/build-user/default-base-image", Fixture, NULL, ar_test_ui_window_fixture_set_up,
              test_default_base_image, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/build-user/image-not-on-engine", Fixture, NULL, ar_test_ui_window_fixture_set_up,
              test_image_not_on_engine, ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
