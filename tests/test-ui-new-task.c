/* test-ui-new-task.c — the New task page (design.md §6.1) and the window's
 * wiring: Run is off with the reason beside it while the environment
 * cannot run (none, a missing workspace folder, a custom agent without a
 * command, no engine), the engine banner follows Preferences, the window
 * opens on Environments while there is none, and the first start offers
 * the earlier tool's environments; the page at every width, from the
 * keyboard and for a screen reader (issue 12).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "ar-agent.h"
#include "ar-application.h"
#include "ar-backend.h"
#include "ar-images-page.h"
#include "ar-new-task-page.h"
#include "ar-paths.h"
#include "ar-task-runner.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

typedef ArTestUiWindowFixture Fixture;

static void
open_window (Fixture *f)
{
  f->backend = ar_backend_new (f->store);
  f->window = ar_window_new_with_backend (NULL, f->backend);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 800);
  gtk_window_present (GTK_WINDOW (f->window));
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
}

static ArEnvironment *
add_env (Fixture *f, const char *name, const char *color)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autoptr(GError) error = NULL;

  ar_environment_set_name (env, name);
  ar_environment_set_color (env, color);
  ar_environment_set_agent_cli (env, "custom");
  ar_environment_set_custom_command (env, (const char *const[]) { "sh", "-c", "echo {prompt} >&2 && echo '<done>'", "{prompt}", NULL });
  g_assert_true (ar_env_store_add (f->store, env, &error));
  g_assert_no_error (error);
  return env;
}

static ArNewTaskPage *
new_task_page (Fixture *f)
{
  return ar_window_get_new_task_page (f->window);
}

static gboolean
run_enabled (Fixture *f)
{
  return gtk_widget_get_sensitive (ar_test_ui_child (new_task_page (f), AR_TYPE_NEW_TASK_PAGE, "run_button"));
}

static const char *
reason (Fixture *f)
{
  return gtk_label_get_label (ar_test_ui_child (new_task_page (f), AR_TYPE_NEW_TASK_PAGE, "reason_label"));
}

static const char *
visible_page (Fixture *f)
{
  return adw_view_stack_get_visible_child_name (ar_window_get_stack (f->window));
}

/* ---- nothing to run ------------------------------------------------------ */

static void
test_no_environments (Fixture *f, gconstpointer data)
{
  open_window (f);
  /* Nothing to run yet: the window opens where environments are made. */
  g_assert_cmpstr (visible_page (f), ==, "environments");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL));
  g_assert_cmpstr (visible_page (f), ==, "new-task");
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "no environment yet"));
  g_assert_cmpstr (reason (f), ==, ar_new_task_page_get_blocker (new_task_page (f)));
  /* Run does nothing while it is off. */
  gtk_widget_activate_action (GTK_WIDGET (new_task_page (f)), "new-task.run", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ar_backend_get_task_manager (f->backend))), ==, 0);
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-no-environments");

  /* Ctrl+Enter is Run, caught before the prompt takes it as a new line. */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (new_task_page (f)));
    gboolean found = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
          continue;
        g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==, GTK_PHASE_CAPTURE);
        for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
          {
            g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
            g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
            g_autofree char *action = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));

            if (strstr (trigger, "<Control>Return") != NULL && g_str_equal (action, "action(new-task.run)"))
              found = TRUE;
          }
      }
    g_assert_true (found);
  }
}

/* ---- environments that cannot run ------------------------------------------ */

static void
test_blocked (Fixture *f, gconstpointer data)
{
  ArEnvironment *missing = add_env (f, "Missing folder", "rose");
  ArEnvironment *no_command = add_env (f, "No command", "amber");
  ArEnvironment *ready = add_env (f, "Ready", "emerald");
  g_autofree char *missing_id = g_strdup (ar_environment_get_env_id (missing));
  g_autofree char *no_command_id = g_strdup (ar_environment_get_env_id (no_command));
  g_autofree char *ready_id = g_strdup (ar_environment_get_env_id (ready));
  g_autofree char *folder = ar_test_mkdtemp ("workspace");
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  ArNewTaskPage *page;

  ar_environment_set_workspace_type (missing, "mounted");
  ar_environment_set_workspace_target (missing, "/nonexistent/agents-runner-test/project");
  ar_environment_set_custom_command (no_command, (const char *const[]) { NULL });
  ar_environment_set_workspace_type (ready, "mounted");
  ar_environment_set_workspace_target (ready, folder);

  /* Known before the window pings it: an engine that does not answer would
   * be the first reason given, ahead of the ones checked here. */
  if (!ar_test_engine_ensure ())
    {
      g_test_skip (ar_test_engine_skip_reason ());
      return;
    }
  open_window (f);
  g_assert_cmpstr (visible_page (f), ==, "tasks");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  page = new_task_page (f);

  ar_new_task_page_select_environment (page, missing_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "/nonexistent/agents-runner-test/project"));
  g_assert_nonnull (strstr (reason (f), "does not exist"));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-missing-folder");

  ar_new_task_page_select_environment (page, no_command_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "no command"));

  /* Through the combo row, as a user picks it: position 2 is Ready. */
  adw_combo_row_set_selected (ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, "env_row"), 2);
  g_assert_cmpstr (ar_environment_get_env_id (ar_new_task_page_get_environment (page)), ==, ready_id);
  /* Its command wants the prompt. */
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "prompt"));
  ar_new_task_page_set_prompt (page, "   \n");
  g_assert_false (run_enabled (f));
  ar_new_task_page_set_prompt (page, "List the files");

  if (!ar_test_engine_ensure ())
    {
      g_test_message ("no engine here: the rest needs one (%s)", ar_test_engine_skip_reason ());
      return;
    }
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  g_assert_null (ar_backend_get_engine_problem (f->backend));
  g_assert_true (run_enabled (f));
  g_assert_cmpstr (reason (f), ==, "");

  /* The folder goes away: the page says so when it is shown again. */
  g_assert_cmpint (g_rmdir (folder), ==, 0);
  ar_window_show_page (f->window, "tasks");
  ar_window_show_page (f->window, "new-task");
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "does not exist"));
  g_mkdir (folder, 0700);
  ar_window_show_page (f->window, "tasks");
  ar_window_show_page (f->window, "new-task");
  g_assert_true (run_enabled (f));

  /* Preferences point at an engine that is not there: the banner says
   * why, Run says it cannot, and the Cached images page too. */
  g_assert_nonnull (settings);
  g_settings_set_string (settings, "engine", "docker");
  g_settings_set_string (settings, "engine-host", "unix:///nonexistent/agents-runner-test/docker.sock");
  ar_test_ui_await_for (ar_backend_get_engine_problem (f->backend) != NULL, 60);
  ar_test_ui_iterate (50);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "container engine"));
  g_assert_true (gtk_revealer_get_reveal_child (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_revealer")));
  g_assert_cmpstr (gtk_label_get_label (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_label")), ==,
                   ar_backend_get_engine_problem (f->backend));
  g_assert_true (gtk_widget_get_visible (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "retry_button")));
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-no-engine");

  ar_window_show_page (f->window, "images");
  ar_test_ui_await_for (!ar_images_page_get_loading (ar_window_get_images_page (f->window)), 60);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (ar_test_ui_child (ar_window_get_images_page (f->window),
                                                                       AR_TYPE_IMAGES_PAGE, "stack")),
                   ==, "problem");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "images-no-engine");

  /* Back to the engine that answers: the banner goes away by itself. */
  g_settings_reset (settings, "engine-host");
  g_settings_reset (settings, "engine");
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend) && ar_backend_get_engine_problem (f->backend) == NULL, 60);
  ar_test_ui_iterate (50);
  g_assert_false (gtk_revealer_get_reveal_child (ar_test_ui_child (f->window, AR_TYPE_WINDOW, "engine_revealer")));
  ar_window_show_page (f->window, "new-task");
  g_assert_true (run_enabled (f));
}

/* ---- extra mounts the runner would refuse (issue 10 item 2) --------------- */

static const char *
agent_subtitle (Fixture *f)
{
  return adw_action_row_get_subtitle (ar_test_ui_child (new_task_page (f), AR_TYPE_NEW_TASK_PAGE, "agent_row"));
}

/* The page's reason is the runner's own, word for word. */
static void
assert_runner_says_the_same (Fixture *f, ArEnvironment *env, const char *prompt)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ar_task_runner_check_environment (env, AR_TASK_KIND_TASK, prompt, &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (reason (f), ==, error->message);
}

static void
test_refused_mount (Fixture *f, gconstpointer data)
{
  ArEnvironment *env = add_env (f, "Mounts", "teal");
  g_autofree char *env_id = g_strdup (ar_environment_get_env_id (env));
  g_autofree char *folder = ar_test_mkdtemp ("mount");
  g_autofree char *good = g_strdup_printf ("%s:/data", folder);
  ArNewTaskPage *page;

  open_window (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  page = new_task_page (f);
  ar_new_task_page_select_environment (page, env_id);
  ar_new_task_page_set_prompt (page, "List the files");

  /* A host folder that is not there: said before Run, not after. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { "/nonexistent/agents-runner-test/data:/data:ro", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "/nonexistent/agents-runner-test/data"));
  g_assert_nonnull (strstr (reason (f), "does not exist"));
  assert_runner_says_the_same (f, env, "List the files");
  ar_test_ui_screenshot (GTK_WIDGET (f->window), "new-task-refused-mount");
  /* Run does nothing while it is off. */
  gtk_widget_activate_action (GTK_WIDGET (page), "new-task.run", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ar_backend_get_task_manager (f->backend))), ==, 0);

  /* Neither a path nor a volume name. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { "my data:/data", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "volume name"));
  assert_runner_says_the_same (f, env, "List the files");

  /* Two mounts on one container path: the second would be dropped. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { good, "cache:/data", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "already mounted"));
  assert_runner_says_the_same (f, env, "List the files");

  /* A named volume and an existing folder: nothing to say about mounts. */
  ar_environment_set_extra_mounts (env, (const char *const[]) { good, "volume_1:/cache:rw", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_null (strstr (reason (f), "mount"));
  g_assert_true (ar_task_runner_check_environment (env, AR_TASK_KIND_TASK, "List the files", NULL));

  /* The agent reads as in the editor (issue 10 item 5). */
  ar_environment_set_agent_cli (env, "claude");
  ar_new_task_page_select_environment (page, env_id);
  g_assert_nonnull (strstr (agent_subtitle (f), "Claude Code"));
  g_assert_true (g_str_has_prefix (agent_subtitle (f), ar_agent_display_name ("claude")));
}

/* ---- every width, the keyboard, names (issue 12) ---------------------------- */

static void
assert_none (char **found, const char *what)
{
  if (found[0] != NULL)
    {
      g_autofree char *list = g_strjoinv ("\n  ", found);

      g_error ("%s:\n  %s", what, list);
    }
  g_strfreev (found);
}

/* The page alone in a window of its own, on the same backend: what the
 * page needs at a width, whatever the other pages of the main window
 * need (a stack is as wide as its widest page). */
static GtkWindow *
page_window (Fixture *f, const char *env_id, const char *prompt)
{
  GtkWidget *page = ar_new_task_page_new (f->backend);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_title (window, "New Task");
  gtk_window_set_child (window, page);
  ar_new_task_page_select_environment (AR_NEW_TASK_PAGE (page), env_id);
  ar_new_task_page_set_prompt (AR_NEW_TASK_PAGE (page), prompt);
  gtk_window_set_default_size (window, 1280, 800);
  gtk_window_present (window);
  ar_test_ui_await (gtk_widget_get_mapped (GTK_WIDGET (window)));
  return window;
}

static GtkWidget *
child_of (GtkWidget *page, const char *id)
{
  return ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, id);
}

/* The label under @root that shows @text, or NULL. */
static GtkLabel *
find_label (GtkWidget *root, const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* At 360, 600 and 1 280 px nothing sticks out, whatever the page says:
 * a long environment name, a long command, a long unbreakable path in
 * the reason beside Run. On a wide window the form stays a column. */
static void
test_widths (Fixture *f, gconstpointer data)
{
  ArEnvironment *env = add_env (f, "A rather long environment name for a phone-sized window", "violet");
  g_autofree char *env_id = g_strdup (ar_environment_get_env_id (env));
  const int widths[] = { 360, 600, 1280 };
  GtkWindow *window;
  GtkWidget *page;

  ar_environment_set_workspace_type (env, "mounted");
  ar_environment_set_workspace_target (env, "/nonexistent/agents-runner-test/a-project-folder-with-a-long-name/src");
  ar_environment_set_custom_command (env, (const char *const[]) { "my-agent", "--model", "a-long-model-name-2025", "--message", "Task: {prompt}", NULL });
  f->backend = ar_backend_new (f->store);
  window = page_window (f, env_id, "Add a --json flag to the list command; keep the text output as it is.");
  page = gtk_window_get_child (window);
  g_assert_nonnull (strstr (ar_new_task_page_get_blocker (AR_NEW_TASK_PAGE (page)), "a-project-folder-with-a-long-name"));

  g_assert_cmpint (ar_test_ui_min_width (window), <=, 360);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      ar_test_ui_screenshot_at (window, widths[i], widths[i] == 360 ? 640 : 800, "new-task");
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), ==, widths[i]);
      assert_none (ar_test_ui_cut_off_widgets (GTK_WIDGET (window)), "cut off");
      /* The row's title stays one word on one line: the chosen name is
       * what gives way. */
      {
        GtkWidget *env_row = child_of (page, "env_row");
        GtkLabel *title = find_label (env_row, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (env_row)));

        g_assert_nonnull (title);
        g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (title)), ==, 1);
      }
      /* Run in view, and the reason beside or above it. */
      g_assert_cmpint (gtk_widget_get_width (child_of (page, "run_button")), >, 0);
      g_assert_true (gtk_widget_get_mapped (child_of (page, "reason_label")));
    }
  /* 1 280 px: the clamp keeps the form a readable column, centred. */
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (child_of (page, "prompt_view"), page, &bounds));
    g_assert_cmpfloat (bounds.size.width, <=, 860);
    g_assert_cmpfloat (bounds.origin.x, >, 100);
  }
}

static void
assert_tab_order (GtkWindow *window, GtkWidget *page)
{
  GtkWidget *env_row = child_of (page, "env_row");
  GtkWidget *prompt = child_of (page, "prompt_view");
  GtkWidget *run = child_of (page, "run_button");

  for (guint backward = 0; backward < 2; backward++)
    {
      g_autoptr(GPtrArray) chain = NULL;
      int at_env = -1, at_prompt = -1, at_run = -1;

      gtk_window_set_focus (window, NULL);
      chain = ar_test_ui_focus_chain (window, 40, backward);
      g_assert_true (ar_test_ui_chain_visits (chain, env_row));
      g_assert_true (ar_test_ui_chain_visits (chain, prompt));
      g_assert_true (ar_test_ui_chain_visits (chain, run));
      for (guint i = 0; i < chain->len; i++)
        {
          GtkWidget *focus = g_ptr_array_index (chain, i);

          /* never stuck: each press moves the focus */
          if (i > 0)
            g_assert_true (focus != g_ptr_array_index (chain, i - 1));
          if (focus == NULL)
            continue;
          if (at_env < 0 && (focus == env_row || gtk_widget_is_ancestor (focus, env_row)))
            at_env = i;
          if (at_prompt < 0 && focus == prompt)
            at_prompt = i;
          if (at_run < 0 && focus == run)
            at_run = i;
        }
      /* reading order forward, its reverse backward */
      if (!backward)
        {
          g_assert_cmpint (at_env, <, at_prompt);
          g_assert_cmpint (at_prompt, <, at_run);
        }
      else
        {
          g_assert_cmpint (at_run, <, at_prompt);
          g_assert_cmpint (at_prompt, <, at_env);
        }
    }
}

/* Tab from the top reaches the environment, the prompt and Run in that
 * order and never stays put; Shift+Tab reaches them in reverse: in the
 * main window, and on the page alone at 360 px. */
static void
test_keyboard (Fixture *f, gconstpointer data)
{
  ArEnvironment *env = add_env (f, "Ready", "emerald");
  g_autofree char *env_id = g_strdup (ar_environment_get_env_id (env));
  GtkWindow *narrow;
  GtkWidget *run;
  ArNewTaskPage *page;

  if (!ar_test_engine_ensure ())
    {
      /* Without an engine Run is off, and off is out of the Tab order. */
      g_test_skip (ar_test_engine_skip_reason ());
      return;
    }
  open_window (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  page = new_task_page (f);
  ar_new_task_page_select_environment (page, env_id);
  ar_new_task_page_set_prompt (page, "List the files");
  ar_test_ui_await_for (ar_backend_get_engine_checked (f->backend), 30);
  ar_test_ui_iterate (50);
  g_assert_true (run_enabled (f));
  assert_tab_order (GTK_WINDOW (f->window), GTK_WIDGET (page));

  /* Alt+V is the environment, Alt+M the prompt, Alt+R Run: letters the
   * window's own (Tasks, New Task, Environments, Cached Images,
   * Preferences, Try Again) do not take. */
  {
    GtkWidget *prompt = ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, "prompt_view");
    GtkWidget *label = gtk_widget_get_prev_sibling (gtk_widget_get_parent (gtk_widget_get_parent (prompt)));

    g_assert_true (GTK_IS_LABEL (label));
    g_assert_cmpuint (gtk_label_get_mnemonic_keyval (GTK_LABEL (label)), ==, GDK_KEY_m);
    g_assert_true (gtk_label_get_mnemonic_widget (GTK_LABEL (label)) == prompt);
    g_assert_true (adw_preferences_row_get_use_underline (ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, "env_row")));
    g_assert_cmpstr (adw_preferences_row_get_title (ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, "env_row")), ==,
                     "En_vironment");
    gtk_widget_mnemonic_activate (label, FALSE);
    ar_test_ui_iterate (20);
    g_assert_true (gtk_widget_has_focus (prompt));
  }

  narrow = page_window (f, env_id, "List the files");
  ar_test_ui_set_size (narrow, 360, 640);
  g_assert_true (gtk_widget_get_sensitive (child_of (gtk_window_get_child (narrow), "run_button")));
  assert_tab_order (narrow, gtk_window_get_child (narrow));
  gtk_window_destroy (narrow);

  /* Ctrl+Enter in the prompt is Run (see test_no_environments); a
   * disabled Run says why on hover, as the label beside it does. */
  run = ar_test_ui_child (page, AR_TYPE_NEW_TASK_PAGE, "run_button");
  ar_new_task_page_set_prompt (page, "");
  g_assert_false (run_enabled (f));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (run), ==, reason (f));
  {
    g_autofree char *mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (run), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                                    reason (f));

    g_assert_null (mismatch);
  }

  /* A {prompt} inside a sh -c script wants the prompt too; a command
   * without one runs without it. */
  ar_environment_set_custom_command (env, (const char *const[]) { "sh", "-c", "printf '%s' {prompt}", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_false (run_enabled (f));
  g_assert_nonnull (strstr (reason (f), "prompt"));
  ar_environment_set_custom_command (env, (const char *const[]) { "sh", "-c", "true", NULL });
  ar_new_task_page_select_environment (page, env_id);
  g_assert_true (run_enabled (f));
}

/* Every control has a name a screen reader reads, with environments and
 * without. */
static void
test_accessible_names (Fixture *f, gconstpointer data)
{
  open_window (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-task", NULL);
  assert_none (ar_test_ui_unnamed_widgets (GTK_WIDGET (new_task_page (f))), "without a name (no environment)");
  add_env (f, "Named", "blue");
  ar_test_ui_iterate (50);
  g_assert_true (gtk_widget_get_visible (ar_test_ui_child (new_task_page (f), AR_TYPE_NEW_TASK_PAGE, "agent_row")));
  assert_none (ar_test_ui_unnamed_widgets (GTK_WIDGET (new_task_page (f))), "without a name");
}

/* ---- the application: first start, import of the earlier tool's file --------- */

static const char *legacy_file =
  "{\n"
  "  \"environments\": [\n"
  "    {\n"
  "      \"env_id\": \"env-legacy01\",\n"
  "      \"name\": \"Python work\",\n"
  "      \"color\": \"cyan\",\n"
  "      \"codex_extra_args\": \"--model o3\",\n"
  "      \"preflight_enabled\": true,\n"
  "      \"preflight_script\": \"#!/bin/bash\\npacman -Syu --noconfirm python\\n\"\n"
  "    }\n"
  "  ]\n"
  "}\n";

static ArApplication *
start_application (void)
{
  ArApplication *app = ar_application_new ();
  g_autoptr(GError) error = NULL;

  /* Not unique: registering then needs no session bus. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  ar_test_ui_await (ar_test_ui_find_window (AR_TYPE_WINDOW) != NULL);
  return app;
}

static void
quit_application (ArApplication *app)
{
  GtkWindow *window = ar_test_ui_find_window (AR_TYPE_WINDOW);

  if (window != NULL)
    gtk_window_close (window);
  ar_test_ui_close_all_windows ();
  g_application_quit (G_APPLICATION (app));
  g_object_unref (app);
}

static void
test_legacy_import (Fixture *f, gconstpointer data)
{
  g_autofree char *legacy_path = ar_application_dup_legacy_environments_path ();
  g_autofree char *legacy_dir = g_path_get_dirname (legacy_path);
  g_autofree char *store_path = ar_paths_environments_file ();
  g_autoptr(GSettings) settings = ar_ui_settings_new ();
  ArApplication *app;
  ArWindow *window;
  AdwMessageDialog *dialog;
  ArEnvStore *store;

  g_assert_nonnull (settings);
  g_settings_reset (settings, "legacy-import-offered");
  g_unlink (store_path);
  g_mkdir_with_parents (legacy_dir, 0700);
  ar_test_write_file (legacy_path, legacy_file);

  app = start_application ();
  window = AR_WINDOW (ar_test_ui_find_window (AR_TYPE_WINDOW));
  g_assert_nonnull (ar_window_get_backend (window));
  g_assert_true (ar_window_get_backend (window) == ar_application_get_backend (app));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ar_window_get_stack (window)), ==, "environments");

  dialog = ar_test_ui_await_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Import Your Environments?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), ".midoriai/agents-runner/environments.json"));
  ar_test_ui_screenshot (GTK_WIDGET (dialog), "legacy-import-dialog");
  ar_test_ui_respond (dialog, "import");

  store = ar_application_get_env_store (app);
  /* Written in a worker (issue 10 item 6): done when the store says so. */
  ar_test_ui_await_for (!ar_env_store_get_saving (store), 60);
  g_assert_cmpuint (ar_env_store_get_n_environments (store), ==, 1);
  g_assert_cmpstr (ar_environment_get_name (ar_env_store_get_environment (store, 0)), ==, "Python work");
  /* The earlier tool's extra args became this app's. */
  g_assert_cmpstr (ar_environment_get_agent_cli_args (ar_env_store_get_environment (store, 0)), ==, "--model o3");
  g_assert_true (g_file_test (store_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_settings_get_boolean (settings, "legacy-import-offered"));
  ar_test_ui_screenshot (GTK_WIDGET (window), "legacy-imported");
  quit_application (app);

  /* Asked once: the next start opens on Tasks, without the question. */
  app = start_application ();
  window = AR_WINDOW (ar_test_ui_find_window (AR_TYPE_WINDOW));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ar_window_get_stack (window)), ==, "tasks");
  ar_test_ui_iterate (200);
  g_assert_true (ar_test_ui_no_message_dialog ());
  quit_application (app);

  /* "Not now" is an answer too. */
  g_settings_reset (settings, "legacy-import-offered");
  g_unlink (store_path);
  app = start_application ();
  dialog = ar_test_ui_await_message_dialog ();
  ar_test_ui_respond (dialog, "later");
  g_assert_cmpuint (ar_env_store_get_n_environments (ar_application_get_env_store (app)), ==, 0);
  g_assert_true (g_settings_get_boolean (settings, "legacy-import-offered"));
  quit_application (app);

  g_settings_reset (settings, "legacy-import-offered");
  g_unlink (legacy_path);
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);
  ar_test_ui_init ();
  g_setenv ("AR_TEST_RUN_LABEL", ar_test_engine_run_label (), TRUE);

  g_test_add ("/ui/new-task/no-environments", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_no_environments, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/blocked", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_blocked, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/refused-mount", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_refused_mount, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/widths", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_widths, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/keyboard", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_keyboard, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/accessible-names", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_accessible_names, ar_test_ui_window_fixture_tear_down);
  g_test_add ("/ui/new-task/legacy-import", Fixture, NULL, ar_test_ui_window_fixture_set_up, test_legacy_import, ar_test_ui_window_fixture_tear_down);

  return g_test_run ();
}
