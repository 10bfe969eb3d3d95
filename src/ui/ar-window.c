/* ar-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-ui.h"
#include "ar-window.h"

struct _ArWindow {
  AdwApplicationWindow parent_instance;

  ArEnvStore *store;
  ArBackend *backend;
  GSettings *settings;
  /* Set once unsaved changes were saved or discarded on close. */
  gboolean may_close;
  /* Set once the user agreed to close with tasks running. */
  gboolean tasks_confirmed;

  AdwToastOverlay *toast_overlay;
  AdwViewStack *stack;
  GtkRevealer *engine_revealer;
  GtkLabel *engine_label;
  GtkWidget *retry_button;
  AdwBin *tasks_bin;
  AdwBin *new_task_bin;
  AdwBin *images_bin;
  AdwBin *environments_bin;
  ArEnvironmentsPage *environments_page;
  ArTasksPage *tasks_page;
  ArNewTaskPage *new_task_page;
  ArImagesPage *images_page;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar *switcher_bar;
  guint switcher_idle;
  gboolean in_dispose;
};

G_DEFINE_FINAL_TYPE (ArWindow, ar_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_BACKEND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

ArEnvStore *
ar_window_get_store (ArWindow *self)
{
  g_return_val_if_fail (AR_IS_WINDOW (self), NULL);

  return self->store;
}

ArBackend *
ar_window_get_backend (ArWindow *self)
{
  g_return_val_if_fail (AR_IS_WINDOW (self), NULL);

  return self->backend;
}

static void on_task_started (ArWindow *self, ArTask *task);
static void on_test_preflight (ArWindow *self, ArEnvironment *draft, ArPreflightEditor *editor);

/* Builds the page @name if it is not yet (Environments needs only the
 * store; the others need a backend). */
static void
ensure_page (ArWindow *self,
             const char *name)
{
  if (self->in_dispose)
    return;
  if (g_strcmp0 (name, "environments") == 0 && self->environments_page == NULL)
    {
      self->environments_page = AR_ENVIRONMENTS_PAGE (ar_environments_page_new (self->store));
      adw_bin_set_child (self->environments_bin, GTK_WIDGET (self->environments_page));
      if (self->backend != NULL)
        {
          ArEnvironmentEditor *editor = ar_environments_page_get_editor (self->environments_page);

          g_signal_connect_object (ar_environment_editor_get_preflight_editor (editor), "test-preflight",
                                   G_CALLBACK (on_test_preflight), self, G_CONNECT_SWAPPED);
        }
      return;
    }
  if (self->backend == NULL)
    return;
  if (g_strcmp0 (name, "tasks") == 0 && self->tasks_page == NULL)
    {
      self->tasks_page = AR_TASKS_PAGE (ar_tasks_page_new (self->backend));
      ar_window_set_page_content (self, "tasks", GTK_WIDGET (self->tasks_page));
    }
  else if (g_strcmp0 (name, "new-task") == 0 && self->new_task_page == NULL)
    {
      self->new_task_page = AR_NEW_TASK_PAGE (ar_new_task_page_new (self->backend));
      ar_window_set_page_content (self, "new-task", GTK_WIDGET (self->new_task_page));
      g_signal_connect_object (self->new_task_page, "task-started", G_CALLBACK (on_task_started), self,
                               G_CONNECT_SWAPPED);
    }
  else if (g_strcmp0 (name, "images") == 0 && self->images_page == NULL)
    {
      self->images_page = AR_IMAGES_PAGE (ar_images_page_new (self->backend));
      ar_window_set_page_content (self, "images", GTK_WIDGET (self->images_page));
    }
}

static void
on_visible_page (ArWindow *self)
{
  ensure_page (self, adw_view_stack_get_visible_child_name (self->stack));
}

ArTasksPage *
ar_window_get_tasks_page (ArWindow *self)
{
  g_return_val_if_fail (AR_IS_WINDOW (self), NULL);

  ensure_page (self, "tasks");
  return self->tasks_page;
}

ArNewTaskPage *
ar_window_get_new_task_page (ArWindow *self)
{
  g_return_val_if_fail (AR_IS_WINDOW (self), NULL);

  ensure_page (self, "new-task");
  return self->new_task_page;
}

ArImagesPage *
ar_window_get_images_page (ArWindow *self)
{
  g_return_val_if_fail (AR_IS_WINDOW (self), NULL);

  ensure_page (self, "images");
  return self->images_page;
}

void
ar_window_show_task (ArWindow *self,
                     ArTask *task)
{
  g_return_if_fail (AR_IS_WINDOW (self));
  g_return_if_fail (AR_IS_TASK (task));

  if (self->backend == NULL)
    return;
  ar_window_show_page (self, "tasks");
  ar_tasks_page_select_task (ar_window_get_tasks_page (self), task);
}

AdwViewStack *
ar_window_get_stack (ArWindow *self)
{
  g_return_val_if_fail (AR_IS_WINDOW (self), NULL);

  return self->stack;
}

void
ar_window_set_page_content (ArWindow *self,
                            const char *name,
                            GtkWidget *child)
{
  AdwBin *bin = NULL;

  g_return_if_fail (AR_IS_WINDOW (self));

  if (g_strcmp0 (name, "tasks") == 0)
    bin = self->tasks_bin;
  else if (g_strcmp0 (name, "new-task") == 0)
    bin = self->new_task_bin;
  else if (g_strcmp0 (name, "images") == 0)
    bin = self->images_bin;
  g_return_if_fail (bin != NULL);

  adw_bin_set_child (bin, child);
}

void
ar_window_show_page (ArWindow *self,
                     const char *name)
{
  g_return_if_fail (AR_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->stack, name);
}

ArEnvironmentsPage *
ar_window_get_environments_page (ArWindow *self)
{
  g_return_val_if_fail (AR_IS_WINDOW (self), NULL);

  ensure_page (self, "environments");
  return self->environments_page;
}

void
ar_window_set_engine_problem (ArWindow *self,
                              const char *message)
{
  g_return_if_fail (AR_IS_WINDOW (self));

  if (message != NULL)
    gtk_label_set_label (self->engine_label, message);
  gtk_revealer_set_reveal_child (self->engine_revealer, message != NULL);
}

void
ar_window_add_toast (ArWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (AR_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static gboolean
update_switcher_bar (gpointer data)
{
  ArWindow *self = data;

  g_assert (AR_IS_WINDOW (self));

  self->switcher_idle = 0;
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    adw_view_switcher_title_get_title_visible (self->switcher_title));
  return G_SOURCE_REMOVE;
}

/* Narrow, the switcher moves from the header to a bar at the bottom. The
 * title changes while the header allocates: revealing the bar at once
 * would resize it in the middle of the window's allocation. */
static void
on_title_visible (ArWindow *self)
{
  if (self->switcher_idle == 0)
    self->switcher_idle = g_idle_add (update_switcher_bar, self);
}

static void
new_task_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *parameter)
{
  ar_window_show_page (AR_WINDOW (widget), "new-task");
}

/* Ctrl+N: what is new on the page shown: an environment on Environments,
 * else a task. */
static void
new_action (GtkWidget *widget,
            const char *action_name,
            GVariant *parameter)
{
  ArWindow *self = AR_WINDOW (widget);

  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->stack), "environments") == 0)
    ar_environments_page_new_environment (ar_window_get_environments_page (self));
  else
    ar_window_show_page (self, "new-task");
}

static void
save_environment_action (GtkWidget *widget,
                         const char *action_name,
                         GVariant *parameter)
{
  ArWindow *self = AR_WINDOW (widget);

  /* Not built yet: nothing was edited. */
  if (self->environments_page != NULL)
    ar_environments_page_save (self->environments_page);
}

static void
retry_engine_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  ArWindow *self = AR_WINDOW (widget);

  if (self->backend != NULL)
    ar_backend_ping (self->backend);
}

static void
show_page_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  ar_window_show_page (AR_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
save_window_state (ArWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
}

static void
close_confirmed_cb (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr(ArWindow) self = user_data;

  g_assert (AR_IS_WINDOW (self));

  if (!ar_environment_editor_confirm_leave_finish (AR_ENVIRONMENT_EDITOR (object), result))
    return;

  self->may_close = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
interactive_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GApplication) app = user_data;

  ar_task_manager_stop_interactive_finish (AR_TASK_MANAGER (source), result);
  if (app != NULL)
    g_application_release (app);
}

/* After the dialog's response has run its course: closing the window
 * destroys the dialog, which must not go while it still emits. */
static gboolean
close_after_response (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
close_with_tasks_response (AdwMessageDialog *dialog,
                           const char *response,
                           ArWindow *self)
{
  ArTaskManager *manager = ar_backend_get_task_manager (self->backend);

  if (g_strcmp0 (response, "close") != 0)
    return;
  self->tasks_confirmed = TRUE;
  /* Interactive tasks live on this process's terminals: stopped, and the
   * application stays until their containers are gone. */
  if (ar_task_manager_get_n_interactive (manager) > 0)
    {
      GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

      if (app != NULL)
        g_application_hold (app);
      ar_task_manager_stop_interactive_async (manager, interactive_stopped, app != NULL ? g_object_ref (app) : NULL);
    }
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_after_response, g_object_ref (self), g_object_unref);
}

/* Asks before closing while tasks run: they keep running in their
 * containers, and the next start finds them again by their label
 * (design.md §4.2). Queued tasks have no container yet: they end. */
static gboolean
confirm_close_with_tasks (ArWindow *self)
{
  ArTaskManager *manager = ar_backend_get_task_manager (self->backend);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (manager));
  guint active = ar_task_manager_get_n_active (manager);
  guint queued = 0;
  guint interactive = 0;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArTask) task = g_list_model_get_item (G_LIST_MODEL (manager), i);

      if (ar_task_manager_get_interactive (manager, task) != NULL)
        {
          interactive++;
          if (ar_task_state_is_active (ar_task_get_state (task)))
            active--;
        }
      else if (ar_task_get_state (task) == AR_TASK_STATE_QUEUED)
        queued++;
    }
  if (active == 0 && queued == 0 && interactive == 0)
    return FALSE;

  if (active == 0 && queued == 0)
    body = NULL; /* interactive tasks only: said below */
  else if (active > 0 && queued > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u task is running: it keeps running in its container, and Agents Runner finds it again the next time it starts. The %u queued tasks have not started and are cancelled.",
                                         "%u tasks are running: they keep running in their containers, and Agents Runner finds them again the next time it starts. The %u queued tasks have not started and are cancelled.",
                                         active),
                            active, queued);
  else if (active > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u task is running: it keeps running in its container, and Agents Runner finds it again the next time it starts.",
                                         "%u tasks are running: they keep running in their containers, and Agents Runner finds them again the next time it starts.",
                                         active),
                            active);
  else
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u queued task has not started yet and is cancelled.",
                                         "%u queued tasks have not started yet and are cancelled.",
                                         queued),
                            queued);
  if (interactive > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Closing stops %u interactive task: its terminal is in this window.",
                                                            "Closing stops %u interactive tasks: their terminals are in this window.",
                                                            interactive),
                                               interactive);
      char *both = body != NULL ? g_strconcat (body, " ", text, NULL) : g_steal_pointer (&text);

      g_free (body);
      body = both;
    }

  ar_window_show_page (self, "tasks");
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _ ("Close With Tasks Running?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "close", _ ("C_lose"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close",
                                              interactive > 0 ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_with_tasks_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
ar_window_close_request (GtkWindow *window)
{
  ArWindow *self = AR_WINDOW (window);
  ArEnvironmentEditor *editor = NULL;

  /* The Environments page is built when first shown: before, nothing to lose. */
  if (self->environments_page != NULL)
    editor = ar_environments_page_get_editor (self->environments_page);
  if (!self->may_close && editor != NULL && ar_environment_editor_get_modified (editor))
    {
      ar_window_show_page (self, "environments");
      ar_environment_editor_confirm_leave_async (editor, NULL, close_confirmed_cb, g_object_ref (self));
      return TRUE;
    }
  if (!self->tasks_confirmed && self->backend != NULL && confirm_close_with_tasks (self))
    return TRUE;

  save_window_state (self);
  return GTK_WINDOW_CLASS (ar_window_parent_class)->close_request (window);
}

static void
update_engine_problem (ArWindow *self)
{
  ar_window_set_engine_problem (self, ar_backend_get_engine_problem (self->backend));
}

static void
on_task_started (ArWindow *self, ArTask *task)
{
  ar_window_show_task (self, task);
}

/* Test Preflight: the saved environment when the editor holds no unsaved
 * changes (with caching on that is the build check, which keeps nothing),
 * else the draft as edited; the task's log says which. */
static void
on_test_preflight (ArWindow *self,
                   ArEnvironment *draft,
                   ArPreflightEditor *editor)
{
  ArEnvironmentEditor *env_editor = ar_environments_page_get_editor (self->environments_page);
  ArEnvironment *saved = ar_env_store_find_by_id (self->store, ar_environment_get_env_id (draft));
  ArTask *task;

  if (saved != NULL && !ar_environment_editor_get_modified (env_editor))
    task = ar_task_manager_start_preflight_test (ar_backend_get_task_manager (self->backend), saved, TRUE);
  else
    task = ar_task_manager_start_preflight_test (ar_backend_get_task_manager (self->backend), draft, FALSE);
  ar_window_show_task (self, task);
}

static void
on_backend_error (ArWindow *self, const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 0);
  ar_window_add_toast (self, toast);
}

static void
ar_window_constructed (GObject *object)
{
  ArWindow *self = AR_WINDOW (object);

  G_OBJECT_CLASS (ar_window_parent_class)->constructed (object);

  if (self->backend != NULL && self->store == NULL)
    self->store = g_object_ref (ar_backend_get_store (self->backend));
  if (self->backend == NULL)
    {
      on_visible_page (self);
      return;
    }

  /* Every page is built when first shown (or asked for): the first frame
   * has only the page it shows. */
  g_signal_connect_object (self->stack, "notify::visible-child-name", G_CALLBACK (on_visible_page), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend, "notify::engine-problem", G_CALLBACK (update_engine_problem), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend, "error", G_CALLBACK (on_backend_error), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (self->retry_button, TRUE);
  update_engine_problem (self);
  ar_backend_start (self->backend);

  if (ar_env_store_get_n_environments (self->store) > 0)
    adw_view_stack_set_visible_child_name (self->stack, "tasks");
  on_visible_page (self);
}

static void
ar_window_dispose (GObject *object)
{
  ArWindow *self = AR_WINDOW (object);

  self->in_dispose = TRUE;
  g_clear_handle_id (&self->switcher_idle, g_source_remove);
  /* The switchers let go of the stack while it still has its pages. */
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_WINDOW);
  g_clear_object (&self->store);
  g_clear_object (&self->backend);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ar_window_parent_class)->dispose (object);
}

static void
ar_window_get_property (GObject *object,
                        guint prop_id,
                        GValue *value,
                        GParamSpec *pspec)
{
  ArWindow *self = AR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_BACKEND: g_value_set_object (value, self->backend); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_window_set_property (GObject *object,
                        guint prop_id,
                        const GValue *value,
                        GParamSpec *pspec)
{
  ArWindow *self = AR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE: self->store = g_value_dup_object (value); break;
    case PROP_BACKEND: self->backend = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_window_class_init (ArWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ar_window_constructed;
  object_class->dispose = ar_window_dispose;
  object_class->get_property = ar_window_get_property;
  object_class->set_property = ar_window_set_property;
  window_class->close_request = ar_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, AR_TYPE_ENV_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, AR_TYPE_BACKEND,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, engine_revealer);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, engine_label);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, tasks_bin);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, new_task_bin);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, images_bin);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, environments_bin);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, ArWindow, switcher_bar);
  gtk_widget_class_bind_template_callback (widget_class, on_title_visible);
  /* For the tests' walks over the shell. */
  gtk_widget_class_bind_template_child_full (widget_class, "header_bar", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "win.new-task", NULL, new_task_action);
  gtk_widget_class_install_action (widget_class, "win.save-environment", NULL, save_environment_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.retry-engine", NULL, retry_engine_action);

  gtk_widget_class_install_action (widget_class, "win.new", NULL, new_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save-environment", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page", "s", "tasks");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page", "s", "new-task");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-page", "s", "environments");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-page", "s", "images");
}

static void
ar_window_init (ArWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = ar_ui_settings_new ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  else
    gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);

  adw_view_stack_set_visible_child_name (self->stack, "environments");
}

ArWindow *
ar_window_new (GtkApplication *application,
               ArEnvStore *store)
{
  return g_object_new (AR_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);
}

ArWindow *
ar_window_new_with_backend (GtkApplication *application,
                            ArBackend *backend)
{
  g_return_val_if_fail (AR_IS_BACKEND (backend), NULL);

  return g_object_new (AR_TYPE_WINDOW,
                       "application", application,
                       "backend", backend,
                       NULL);
}
