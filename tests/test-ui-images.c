/* test-ui-images.c — the Cached images page (design.md §3.6) on the real
 * engine: Rebuild with its log, the list with environment names and use,
 * the per-environment counters, and Remove unused, which asks first and
 * removes only what nothing uses — while other containers come and go on
 * the engine. The page fits 360 px, Tab reaches every control, every
 * control has a name, and the counters are read off the UI thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ar-backend.h"
#include "ar-image-stats.h"
#include "ar-images-page.h"
#include "ar-log-view.h"
#include "ar-paths.h"
#include "ar-rebuild-dialog.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

typedef ArTestUiWindowFixture Fixture;

/* A split environment with caching: its cached preflight is baked into an
 * environment layer on the test base image. */
static ArEnvironment *
add_cached_env (Fixture *f, const char *name, const char *color, const char *marker)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autofree char *base = ar_test_engine_base_image ();
  g_autofree char *cached = g_strdup_printf ("#!/bin/sh\nmkdir -p /opt/ar-test\necho %s > /opt/ar-test/%s\n", marker,
                                             marker);
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (env, name);
  ar_environment_set_color (env, color);
  ar_environment_set_base_image (env, base);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, (const char *const[]) { "sh", "-c", "cat /opt/ar-test/*", NULL });
  ar_environment_set_preflight_mode (env, AR_PREFLIGHT_MODE_SPLIT);
  ar_environment_set_cache_container_build (env, TRUE);
  ar_environment_set_cached_preflight_script (env, cached);
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  return env;
}

static ArImagesPage *
images_page (Fixture *f)
{
  return ar_window_get_images_page (f->window);
}

static const ArCachedImage *
image_of (Fixture *f, const char *env_id)
{
  GPtrArray *images = ar_images_page_get_images (images_page (f));

  for (guint i = 0; i < images->len; i++)
    {
      const ArCachedImage *image = g_ptr_array_index (images, i);

      if (image->layer == AR_LAYER_ENV && g_strcmp0 (image->env_id, env_id) == 0)
        return image;
    }
  return NULL;
}

/* The row of the image tagged @tag in the Images group. */
static AdwActionRow *
row_of (Fixture *f, const char *tag)
{
  GtkWidget *group = ar_test_ui_child (images_page (f), AR_TYPE_IMAGES_PAGE, "images_group");

  for (guint i = 0;; i++)
    {
      GtkWidget *row = ar_test_ui_find_descendant (group, ADW_TYPE_ACTION_ROW, i);

      if (row == NULL)
        return NULL;
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), tag) == 0)
        return ADW_ACTION_ROW (row);
    }
}

static gboolean
row_has_label (AdwActionRow *row, const char *text)
{
  for (guint i = 0;; i++)
    {
      GtkWidget *label = ar_test_ui_find_descendant (GTK_WIDGET (row), GTK_TYPE_LABEL, i);

      if (label == NULL)
        return FALSE;
      if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (label)), text) == 0)
        return TRUE;
    }
}

static gboolean
engine_has_image (const char *tag)
{
  const char *args[] = { "image", "inspect", tag, NULL };

  return ar_test_engine_docker (args, NULL, NULL) == 0;
}

/* The dry run asks the engine first: slower than a dialog that is just
 * shown when the machine is busy. */
static AdwMessageDialog *
await_dialog (void)
{
  ar_test_ui_await_for (ar_test_ui_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL &&
             gtk_widget_get_mapped (GTK_WIDGET (ar_test_ui_find_window (ADW_TYPE_MESSAGE_DIALOG))), 60);
  return ADW_MESSAGE_DIALOG (ar_test_ui_find_window (ADW_TYPE_MESSAGE_DIALOG));
}

/* The page alone in a window of its own (the window shell is tested
 * apart), with an unused image so that Remove Unused is on: every width,
 * every name, the whole focus chain. */
static void
check_page_usable (Fixture *f, guint n_images)
{
  const int widths[] = { 360, 600, 1280 };
  GtkWidget *window = gtk_window_new ();
  ArImagesPage *page = AR_IMAGES_PAGE (ar_images_page_new (f->backend));
  GtkWidget *refresh = ar_test_ui_child (page, AR_TYPE_IMAGES_PAGE, "refresh_button");
  GtkWidget *remove = ar_test_ui_child (page, AR_TYPE_IMAGES_PAGE, "remove_button");
  g_autoptr(GPtrArray) rebuilds = g_ptr_array_new ();
  g_auto(GStrv) unnamed = NULL;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  ar_test_ui_await (gtk_widget_get_mapped (window));
  ar_test_ui_await_for (!ar_images_page_get_loading (page) && ar_images_page_get_images (page)->len == n_images, 60);

  /* Asks first: not styled destructive (the dialog's Remove is). */
  g_assert_true (gtk_widget_get_sensitive (remove));
  g_assert_false (gtk_widget_has_css_class (remove, "destructive-action"));

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_auto(GStrv) cut = NULL;

      ar_test_ui_screenshot_at (GTK_WINDOW (window), widths[w], 640, "images-page");
      cut = ar_test_ui_cut_off_widgets (window);
      for (guint i = 0; cut[i] != NULL; i++)
        g_test_message ("at %d: cut off: %s", widths[w], cut[i]);
      g_assert_cmpuint (g_strv_length (cut), ==, 0);
    }

  unnamed = ar_test_ui_unnamed_widgets (window);
  for (guint i = 0; unnamed[i] != NULL; i++)
    g_test_message ("no accessible name: %s", unnamed[i]);
  g_assert_cmpuint (g_strv_length (unnamed), ==, 0);

  for (guint i = 0;; i++)
    {
      GtkWidget *button = ar_test_ui_find_descendant (GTK_WIDGET (page), GTK_TYPE_BUTTON, i);

      if (button == NULL)
        break;
      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), "_Rebuild") == 0 && gtk_widget_get_sensitive (button))
        g_ptr_array_add (rebuilds, button);
    }
  g_assert_cmpuint (rebuilds->len, >=, 2);
  for (guint backward = 0; backward < 2; backward++)
    {
      g_autoptr(GPtrArray) chain = NULL;
      int last = -1;

      gtk_window_set_focus (GTK_WINDOW (window), NULL);
      chain = ar_test_ui_focus_chain (GTK_WINDOW (window), 60, backward);
      for (guint i = 1; i < chain->len; i++)
        g_assert_true (g_ptr_array_index (chain, i) != g_ptr_array_index (chain, i - 1));
      /* Forward, in reading order: the toolbar, then the rows. */
      for (guint i = 0; i < rebuilds->len + 2; i++)
        {
          GtkWidget *widget = i == 0 ? refresh : i == 1 ? remove : g_ptr_array_index (rebuilds, i - 2);
          int at = ar_test_ui_chain_first_visit (chain, widget);
          g_autofree char *what = ar_test_ui_describe (widget);

          if (at < 0)
            g_error ("Tab %s never reaches %s", backward ? "backward" : "forward", what);
          if (!backward)
            {
              g_assert_cmpint (at, >, last);
              last = at;
            }
        }
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
rebuild (Fixture *f, const char *env_id, const char *screenshot)
{
  ArRebuildDialog *dialog = AR_REBUILD_DIALOG (ar_images_page_rebuild (images_page (f), env_id));

  g_assert_nonnull (dialog);
  g_assert_true (ar_rebuild_dialog_get_running (dialog));
  ar_test_ui_await_for (!ar_rebuild_dialog_get_running (dialog), 180);
  g_assert_true (ar_rebuild_dialog_get_succeeded (dialog));
  {
    g_autofree char *log = ar_log_view_dup_text (ar_rebuild_dialog_get_log_view (dialog));

    /* The cached preflight ran again, in the build. */
    g_assert_nonnull (strstr (log, "cache MISS"));
  }
  if (screenshot != NULL)
    ar_test_ui_screenshot (GTK_WIDGET (dialog), screenshot);
  gtk_window_close (GTK_WINDOW (dialog));
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_REBUILD_DIALOG) == NULL);
}

/* Containers that come and go on the same engine while the page lists and
 * removes, as the tasks of other programs (the other UI tests beside this
 * one in a test run) do: each listing's `ps -a` may name containers that
 * are gone by the time it inspects them. */
typedef struct {
  char *image;
  gint stop;
  guint made;
} Churn;

static gpointer
churn_thread (gpointer data)
{
  Churn *churn = data;

  while (!g_atomic_int_get (&churn->stop))
    {
      const char *create[] = { "create", "--label", ar_test_engine_run_label (), churn->image, "true", NULL };
      g_autofree char *id = NULL;

      if (ar_test_engine_docker (create, &id, NULL) != 0)
        continue;
      {
        const char *rm[] = { "rm", "-f", g_strstrip (id), NULL };

        ar_test_engine_docker (rm, NULL, NULL);
      }
      churn->made++;
    }
  return NULL;
}

static void
test_list_and_remove_unused (Fixture *f, gconstpointer data)
{
  Churn churn = { 0 };
  GThread *churner;
  g_autoptr(ArEnvironment) alpha = NULL;
  g_autoptr(ArEnvironment) beta = NULL;
  g_autofree char *alpha_id = NULL;
  g_autofree char *beta_id = NULL;
  g_autofree char *alpha_tag = NULL;
  g_autofree char *beta_tag = NULL;
  const ArCachedImage *image;
  AdwActionRow *row;
  AdwMessageDialog *dialog;
  GtkWidget *list_label;
  g_autoptr(GError) error = NULL;

  if (!ar_test_engine_ensure ())
    {
      g_autofree char *why = g_strdup_printf ("no container engine: %s", ar_test_engine_skip_reason ());

      g_test_skip (why);
      return;
    }
  alpha = g_object_ref (add_cached_env (f, "Alpha images", "cyan", "alpha"));
  beta = g_object_ref (add_cached_env (f, "Beta images", "rose", "beta"));
  alpha_id = g_strdup (ar_environment_get_env_id (alpha));
  beta_id = g_strdup (ar_environment_get_env_id (beta));
  churn.image = ar_test_engine_base_image ();
  churner = g_thread_new ("churn", churn_thread, &churn);

  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));

  /* Shown: it lists at once. */
  ar_window_show_page (f->window, "images");
  ar_test_ui_await_for (!ar_images_page_get_loading (images_page (f)), 60);
  g_assert_null (image_of (f, alpha_id));

  /* Rebuild builds them, with the build's log in the dialog. */
  rebuild (f, alpha_id, "rebuild-dialog");
  rebuild (f, beta_id, NULL);
  ar_test_ui_await_for (!ar_images_page_get_loading (images_page (f)) && image_of (f, beta_id) != NULL, 60);

  image = image_of (f, alpha_id);
  g_assert_nonnull (image);
  g_assert_true (ar_cached_image_in_use (image));
  alpha_tag = g_strdup (image->info->repo_tags[0]);
  beta_tag = g_strdup (image_of (f, beta_id)->info->repo_tags[0]);
  g_assert_true (g_str_has_prefix (alpha_tag, "agents-runner-env:"));
  row = row_of (f, alpha_tag);
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "Alpha images"));
  g_assert_true (row_has_label (row, "In use"));
  g_assert_nonnull (strstr (gtk_label_get_label (ar_test_ui_child (images_page (f), AR_TYPE_IMAGES_PAGE,
                                                                   "summary_label")),
                            "2 images"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "images");

  /* Beta goes: its image is no longer wanted by anything. */
  g_assert_true (ar_env_store_remove (f->store, beta_id));
  g_assert_true (ar_env_store_save (f->store, &error));
  g_assert_no_error (error);
  ar_test_ui_await_for (!ar_images_page_get_loading (images_page (f)) && image_of (f, beta_id) != NULL &&
             !ar_cached_image_in_use (image_of (f, beta_id)), 60);
  row = row_of (f, beta_tag);
  g_assert_nonnull (row);
  g_assert_true (row_has_label (row, "Unused"));
  g_assert_true (row_has_label (row_of (f, alpha_tag), "In use"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "images-one-unused");
  check_page_usable (f, ar_images_page_get_images (images_page (f))->len);

  /* Remove unused asks first, naming what goes — and only that. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (images_page (f)), "images.remove-unused", NULL));
  dialog = await_dialog ();
  list_label = ar_test_ui_find_descendant (adw_message_dialog_get_extra_child (dialog), GTK_TYPE_LABEL, 0);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (list_label)), beta_tag));
  g_assert_null (strstr (gtk_label_get_label (GTK_LABEL (list_label)), alpha_tag));
  /* Only the confirming button is destructive. */
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "remove"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "cancel"), ==, ADW_RESPONSE_DEFAULT);
  {
    g_auto(GStrv) unnamed = ar_test_ui_unnamed_widgets (GTK_WIDGET (dialog));

    g_assert_cmpuint (g_strv_length (unnamed), ==, 0);
  }
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "remove-unused-dialog");
  /* Escape cancels, and cancel removes nothing. */
  g_assert_true (ar_test_ui_press_shortcut (GTK_WINDOW (dialog), GDK_KEY_Escape, 0));
  ar_test_ui_await (ar_test_ui_no_message_dialog ());
  ar_test_ui_iterate (100);
  g_assert_true (engine_has_image (beta_tag));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (images_page (f)), "images.remove-unused", NULL));
  dialog = await_dialog ();
  ar_test_ui_respond (dialog, "remove");
  ar_test_ui_await_for (!ar_images_page_get_loading (images_page (f)) && image_of (f, beta_id) == NULL, 120);
  g_assert_false (engine_has_image (beta_tag));
  g_assert_true (engine_has_image (alpha_tag));
  g_assert_nonnull (image_of (f, alpha_id));
  g_assert_nonnull (row_of (f, alpha_tag));
  g_assert_null (row_of (f, beta_tag));

  /* The environment's counters: one build each time Rebuild ran. */
  {
    GtkWidget *group = ar_test_ui_child (images_page (f), AR_TYPE_IMAGES_PAGE, "envs_group");
    AdwActionRow *env_row = ADW_ACTION_ROW (ar_test_ui_find_descendant (group, ADW_TYPE_ACTION_ROW, 0));

    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (env_row)), ==, "Alpha images");
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (env_row), "1 build"));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (env_row), "Last build"));
  }
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "images-after-remove");

  g_atomic_int_set (&churn.stop, TRUE);
  g_thread_join (churner);
  g_test_message ("%u containers came and went meanwhile", churn.made);
  g_assert_cmpuint (churn.made, >, 0);
  g_free (churn.image);
}

/* One real task of @env on the engine, to its end. */
static void
run_task (Fixture *f, ArEnvironment *env)
{
  ArTaskManager *manager = ar_backend_get_task_manager (f->backend);
  g_autoptr(ArTask) task = g_object_ref (ar_task_manager_start (manager, env, "Print the marker."));

  ar_test_ui_await_for (ar_task_state_is_finished (ar_task_get_state (task)), 180);
  g_assert_cmpint (ar_task_get_state (task), ==, AR_TASK_STATE_DONE);
}

static AdwActionRow *
env_row_of (Fixture *f, const char *name)
{
  GtkWidget *group = ar_test_ui_child (images_page (f), AR_TYPE_IMAGES_PAGE, "envs_group");

  for (guint i = 0;; i++)
    {
      GtkWidget *row = ar_test_ui_find_descendant (group, ADW_TYPE_ACTION_ROW, i);

      if (row == NULL)
        return NULL;
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name) == 0)
        return ADW_ACTION_ROW (row);
    }
}

/* After real tasks the page shows a real hit rate: the first task built
 * the layer (a miss), the next two found it (issue 10 item 1). */
static void
test_hit_rate_after_tasks (Fixture *f, gconstpointer data)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autofree char *nonce = g_strdup_printf ("gamma%08x", g_random_int ());
  AdwActionRow *row;
  const char *subtitle;
  ArImageStats stats;

  if (!ar_test_engine_ensure ())
    {
      g_autofree char *why = g_strdup_printf ("no container engine: %s", ar_test_engine_skip_reason ());

      g_test_skip (why);
      return;
    }
  env = g_object_ref (add_cached_env (f, "Gamma tasks", "amber", nonce));

  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);

  for (guint i = 0; i < 3; i++)
    run_task (f, env);
  ar_image_stats_get (ar_environment_get_env_id (env), &stats);
  g_assert_cmpuint (stats.tasks, ==, 3);
  g_assert_cmpuint (stats.hits, ==, 2);
  g_assert_cmpuint (stats.builds, ==, 1);

  ar_window_show_page (f->window, "images");
  ar_test_ui_await_for (!ar_images_page_get_loading (images_page (f)) && image_of (f, ar_environment_get_env_id (env)) != NULL,
                        60);
  row = env_row_of (f, "Gamma tasks");
  g_assert_nonnull (row);
  subtitle = adw_action_row_get_subtitle (row);
  g_test_message ("%s", subtitle);
  g_assert_nonnull (strstr (subtitle, "Hit rate 67 % (2 hits in 3 tasks)"));
  g_assert_nonnull (strstr (subtitle, "1 build"));
  g_assert_nonnull (strstr (subtitle, "building"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "images-hit-rate");
}

/* Releases whoever waits to read the FIFO, from @seconds on. */
typedef struct {
  const char *path;
  guint seconds;
  gint stop;
  guint released;
} FifoFeeder;

static gpointer
fifo_feeder (gpointer data)
{
  FifoFeeder *feeder = data;

  g_usleep (feeder->seconds * G_USEC_PER_SEC);
  while (!g_atomic_int_get (&feeder->stop))
    {
      /* Opens only while a reader waits; closing at once reads as empty. */
      int fd = open (feeder->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

      if (fd >= 0)
        {
          close (fd);
          g_atomic_int_inc ((gint *) &feeder->released);
        }
      g_usleep (20 * 1000);
    }
  return NULL;
}

static gboolean
note_tick (gpointer data)
{
  gint64 *ticks = data;
  gint64 now = g_get_monotonic_time ();

  ticks[1] = MAX (ticks[1], now - ticks[0]);
  ticks[0] = now;
  return G_SOURCE_CONTINUE;
}

/* The counters file is read off the UI thread: made a FIFO nobody writes
 * for 4 s, it blocks its reader that long, and the window must go on
 * drawing meanwhile. (Read on the UI thread, the main loop stood still
 * once per row.) */
static void
test_stats_read_off_ui_thread (Fixture *f, gconstpointer data)
{
  g_autoptr(ArEnvironment) env = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  FifoFeeder feeder = { 0 };
  GThread *thread;
  gint64 ticks[2];
  guint tick;

  if (!ar_test_engine_ensure ())
    {
      g_autofree char *why = g_strdup_printf ("no container engine: %s", ar_test_engine_skip_reason ());

      g_test_skip (why);
      return;
    }
  env = g_object_ref (add_cached_env (f, "Delta stats", "violet", "delta"));
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);

  dir = ar_paths_state_dir ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "image-stats.json", NULL);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  feeder.path = path;
  feeder.seconds = 4;
  thread = g_thread_new ("fifo", fifo_feeder, &feeder);

  ticks[0] = g_get_monotonic_time ();
  ticks[1] = 0;
  tick = g_timeout_add (10, note_tick, ticks);
  ar_window_show_page (f->window, "images");
  ar_test_ui_iterate (100);
  g_assert_true (ar_images_page_get_loading (images_page (f)));
  ar_test_ui_await_for (!ar_images_page_get_loading (images_page (f)) && env_row_of (f, "Delta stats") != NULL, 60);
  g_source_remove (tick);
  g_atomic_int_set (&feeder.stop, TRUE);
  g_thread_join (thread);

  g_test_message ("readers released: %u; longest pause of the main loop: %" G_GINT64_FORMAT " ms",
                  feeder.released, ticks[1] / 1000);
  /* The readers waited for the feeder, the window did not. */
  g_assert_cmpuint (feeder.released, >=, 1);
  g_assert_cmpint (ticks[1], <, 2 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (env_row_of (f, "Delta stats")), "No task with a cached image yet"));
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();
  /* Everything this run builds carries its label: the builder lists and
   * prunes only those, and the fixture removes them at the end. */
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add ("/ui/images/list-and-remove-unused", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_list_and_remove_unused,
              ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/images/hit-rate-after-tasks", Fixture, NULL, ar_test_ui_window_fixture_set_up,
              test_hit_rate_after_tasks, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/images/stats-read-off-ui-thread", Fixture, NULL, ar_test_ui_window_fixture_set_up,
              test_stats_read_off_ui_thread, ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
