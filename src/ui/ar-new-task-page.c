/* ar-new-task-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-agent.h"
#include "ar-container-lines.h"
#include "ar-interactive.h"
#include "ar-new-task-page.h"
#include "ar-task-runner.h"
#include "ar-terminal-view.h"
#include "ar-ui.h"

struct _ArNewTaskPage {
  AdwBin parent_instance;

  ArBackend *backend;
  char *env_id;            /* the chosen environment, kept across store changes */
  GListStore *env_choices; /* the store's environments, see sync_env_choices */
  gboolean syncing;
  char *blocker;
  char *interactive_blocker; /* the same for Run Interactive, which needs no prompt */

  AdwComboRow *env_row;
  AdwActionRow *agent_row;
  GtkTextView *prompt_view;
  GtkWidget *placeholder;
  GtkLabel *reason_label;
  GtkWidget *run_button;
  GtkWidget *interactive_button;
};

G_DEFINE_FINAL_TYPE (ArNewTaskPage, ar_new_task_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BACKEND,
  N_PROPS
};

enum {
  SIGNAL_TASK_STARTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

ArEnvironment *
ar_new_task_page_get_environment (ArNewTaskPage *self)
{
  g_return_val_if_fail (AR_IS_NEW_TASK_PAGE (self), NULL);

  if (self->backend == NULL || self->env_id == NULL)
    return NULL;
  return ar_env_store_find_by_id (ar_backend_get_store (self->backend), self->env_id);
}

char *
ar_new_task_page_dup_prompt (ArNewTaskPage *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (AR_IS_NEW_TASK_PAGE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->prompt_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
ar_new_task_page_set_prompt (ArNewTaskPage *self,
                             const char *prompt)
{
  g_return_if_fail (AR_IS_NEW_TASK_PAGE (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->prompt_view), prompt != NULL ? prompt : "", -1);
}

const char *
ar_new_task_page_get_blocker (ArNewTaskPage *self)
{
  g_return_val_if_fail (AR_IS_NEW_TASK_PAGE (self), NULL);
  return self->blocker;
}

const char *
ar_new_task_page_get_interactive_blocker (ArNewTaskPage *self)
{
  g_return_val_if_fail (AR_IS_NEW_TASK_PAGE (self), NULL);
  return self->interactive_blocker;
}

/* ---- can it run? ---------------------------------------------------------- */

static gboolean
needs_prompt (ArEnvironment *env)
{
  if (!g_str_equal (ar_environment_get_agent_cli (env), "custom"))
    return TRUE;
  /* A custom command uses the prompt only where its template says so. */
  return ar_agent_command_uses_prompt (ar_environment_get_custom_command (env));
}

/* The runner's own check (the agent, the workspace, the extra mounts):
 * better said here than as a failed task. */
static char *
find_blocker (ArNewTaskPage *self, ArEnvironment *env, const char *prompt, ArTaskKind kind)
{
  ArEnvStore *store = ar_backend_get_store (self->backend);
  g_autoptr(GError) error = NULL;

  if (g_list_model_get_n_items (G_LIST_MODEL (store)) == 0)
    return g_strdup (_ ("There is no environment yet: add one on the Environments page."));
  if (env == NULL)
    return g_strdup (_ ("Choose the environment the task runs in."));

  if (!ar_task_runner_check_environment (env, kind, prompt, &error))
    return g_strdup (error->message);
  if (kind == AR_TASK_KIND_INTERACTIVE)
    {
      /* The agent's interactive command; the prompt, if any, is its first
       * message. */
      g_auto(GStrv) argv = ar_interactive_build_argv (env, AR_INTERACTIVE_AGENT, prompt, &error);

      if (argv == NULL)
        return g_strdup (error->message);
    }

  if (ar_backend_get_engine_problem (self->backend) != NULL)
    return g_strdup (_ ("The container engine does not answer: see the message at the top of the window."));

  if (kind == AR_TASK_KIND_TASK && needs_prompt (env))
    {
      g_autofree char *stripped = g_strstrip (g_strdup (prompt));

      if (*stripped == '\0')
        return g_strdup (_ ("Write the prompt for the agent."));
    }
  return NULL;
}

static char *
describe_agent (ArEnvironment *env)
{
  const char *agent = ar_environment_get_agent_cli (env);
  g_autofree char *agent_text = NULL;
  g_autofree char *workspace = NULL;

  if (g_str_equal (agent, "custom"))
    {
      g_autofree char *command = ar_shell_join (ar_environment_get_custom_command (env));

      /* Translators: %s is a command line */
      agent_text = g_strdup_printf (_ ("Custom command: %s"), command);
    }
  else
    agent_text = g_strdup (ar_agent_display_name (agent));

  switch (ar_environment_get_workspace_kind (env))
    {
    case AR_WORKSPACE_MOUNTED:
      /* Translators: %s is a folder */
      workspace = g_strdup_printf (_ ("workspace folder %s"), ar_environment_get_workspace_target (env));
      break;
    case AR_WORKSPACE_CLONED:
      /* Translators: %s is a repository */
      workspace = g_strdup_printf (_ ("clones %s"), ar_environment_get_workspace_target (env));
      break;
    case AR_WORKSPACE_NONE:
    default:
      workspace = g_strdup (_ ("no workspace"));
      break;
    }

  return g_strdup_printf ("%s · %s", agent_text, workspace);
}

static void
update (ArNewTaskPage *self)
{
  ArEnvironment *env = ar_new_task_page_get_environment (self);
  g_autofree char *prompt = ar_new_task_page_dup_prompt (self);
  g_autofree char *agent = NULL;

  g_free (self->blocker);
  self->blocker = find_blocker (self, env, prompt, AR_TASK_KIND_TASK);
  g_free (self->interactive_blocker);
  self->interactive_blocker = find_blocker (self, env, prompt, AR_TASK_KIND_INTERACTIVE);
  gtk_label_set_label (self->reason_label, self->blocker != NULL ? self->blocker : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label), self->blocker != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-task.run", self->blocker == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-task.run-interactive", self->interactive_blocker == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "new-task.run-shell", self->interactive_blocker == NULL);
  gtk_widget_set_tooltip_text (self->interactive_button,
                               self->interactive_blocker != NULL
                                 ? self->interactive_blocker
                                 : _ ("The agent's own interface in a terminal (Ctrl+Shift+Enter)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->interactive_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (self->interactive_button), -1);
  /* Disabled, the button would give no reason on hover; the label does.
   * A screen reader reads the same as the button's description. */
  gtk_widget_set_tooltip_text (self->run_button,
                               self->blocker != NULL ? self->blocker : _ ("Start the task (Ctrl+Enter)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->run_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_widget_get_tooltip_text (self->run_button), -1);

  gtk_widget_set_visible (self->placeholder, *prompt == '\0');
  if (env != NULL)
    {
      g_autofree char *text = describe_agent (env);

      /* Row subtitles are markup; a command may hold & < >. */
      agent = g_markup_escape_text (text, -1);
    }
  adw_action_row_set_subtitle (self->agent_row, agent != NULL ? agent : "");
  gtk_widget_set_visible (GTK_WIDGET (self->agent_row), env != NULL);
}

/* ---- the environment ------------------------------------------------------- */

static void
select_env_choice (ArNewTaskPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->env_choices));
  guint position = ar_ui_env_choices_find (G_LIST_MODEL (self->env_choices), self->env_id);

  if (position != GTK_INVALID_LIST_POSITION)
    {
      adw_combo_row_set_selected (self->env_row, position);
      return;
    }
  /* Gone, or none chosen yet: the first one. */
  g_clear_pointer (&self->env_id, g_free);
  if (n > 0)
    {
      g_autoptr(ArEnvironment) first = g_list_model_get_item (G_LIST_MODEL (self->env_choices), 0);

      self->env_id = g_strdup (ar_environment_get_env_id (first));
      adw_combo_row_set_selected (self->env_row, 0);
    }
  else
    adw_combo_row_set_selected (self->env_row, GTK_INVALID_LIST_POSITION);
}

static void
sync_env_choices (ArNewTaskPage *self)
{
  self->syncing = TRUE;
  ar_ui_env_choices_sync (self->env_choices, NULL, G_LIST_MODEL (ar_backend_get_store (self->backend)));
  select_env_choice (self);
  self->syncing = FALSE;
  update (self);
}

static void
on_env_selected (ArNewTaskPage *self)
{
  ArEnvironment *env;

  if (self->syncing || self->backend == NULL)
    return;
  env = adw_combo_row_get_selected_item (self->env_row);
  if (env == NULL)
    return;
  g_free (self->env_id);
  self->env_id = g_strdup (ar_environment_get_env_id (env));
  update (self);
}

void
ar_new_task_page_select_environment (ArNewTaskPage *self,
                                     const char *env_id)
{
  g_return_if_fail (AR_IS_NEW_TASK_PAGE (self));

  g_free (self->env_id);
  self->env_id = g_strdup (env_id);
  self->syncing = TRUE;
  select_env_choice (self);
  self->syncing = FALSE;
  update (self);
}

/* ---- run -------------------------------------------------------------------- */

static void
run_action (GtkWidget *widget,
            const char *action_name,
            GVariant *parameter)
{
  ArNewTaskPage *self = AR_NEW_TASK_PAGE (widget);
  ArEnvironment *env;
  g_autofree char *prompt = NULL;
  g_autoptr(ArTask) task = NULL;

  /* The folder may have gone since the page last looked. */
  update (self);
  if (self->blocker != NULL)
    return;
  env = ar_new_task_page_get_environment (self);
  prompt = ar_new_task_page_dup_prompt (self);
  task = g_object_ref (ar_task_manager_start (ar_backend_get_task_manager (self->backend), env, prompt));
  ar_new_task_page_set_prompt (self, "");
  g_signal_emit (self, signals[SIGNAL_TASK_STARTED], 0, task);
}

static void
start_interactive (ArNewTaskPage *self, ArInteractiveCommand command)
{
  ArEnvironment *env;
  g_autofree char *prompt = NULL;
  g_autoptr(ArTask) task = NULL;
  g_autoptr(GError) error = NULL;
  ArTask *started = NULL;
  int fd;

  update (self);
  if (self->interactive_blocker != NULL)
    return;
  env = ar_new_task_page_get_environment (self);
  prompt = ar_new_task_page_dup_prompt (self);
  /* The terminal the view shows; the task holds its master side. */
  fd = ar_terminal_view_open_pty (&error);
  if (fd >= 0)
    started = ar_task_manager_start_interactive (ar_backend_get_task_manager (self->backend), env,
                                                 command == AR_INTERACTIVE_SHELL ? "" : prompt,
                                                 command, fd, &error);
  if (started == NULL)
    {
      gtk_label_set_label (self->reason_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->reason_label), TRUE);
      return;
    }
  task = g_object_ref (started);
  if (command != AR_INTERACTIVE_SHELL)
    ar_new_task_page_set_prompt (self, "");
  g_signal_emit (self, signals[SIGNAL_TASK_STARTED], 0, task);
}

static void
run_interactive_action (GtkWidget *widget,
                        const char *action_name,
                        GVariant *parameter)
{
  start_interactive (AR_NEW_TASK_PAGE (widget), AR_INTERACTIVE_AGENT);
}

static void
run_shell_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  start_interactive (AR_NEW_TASK_PAGE (widget), AR_INTERACTIVE_SHELL);
}

/* ---- object ----------------------------------------------------------------- */

static void
ar_new_task_page_constructed (GObject *object)
{
  ArNewTaskPage *self = AR_NEW_TASK_PAGE (object);
  g_autoptr(GtkListItemFactory) factory = ar_ui_environment_factory_new ();
  g_autoptr(GtkListItemFactory) list_factory = ar_ui_environment_factory_new ();
  GtkEventController *shortcuts;
  GtkShortcutAction *run;

  G_OBJECT_CLASS (ar_new_task_page_parent_class)->constructed (object);

  g_return_if_fail (self->backend != NULL);

  self->syncing = TRUE;
  adw_combo_row_set_factory (self->env_row, factory);
  adw_combo_row_set_list_factory (self->env_row, list_factory);
  adw_combo_row_set_model (self->env_row, G_LIST_MODEL (self->env_choices));
  self->syncing = FALSE;
  sync_env_choices (self);
  g_signal_connect_object (ar_backend_get_store (self->backend), "items-changed", G_CALLBACK (sync_env_choices),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->backend, "notify::engine-problem", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->prompt_view), "changed", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  /* Folders come and go while the page is away. */
  g_signal_connect (self, "map", G_CALLBACK (update), NULL);

  /* Before the text view, which would take Ctrl+Enter as a new line. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  run = gtk_named_action_new ("new-task.run");
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK)),
                                                          run));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Return, GDK_CONTROL_MASK | GDK_SHIFT_MASK),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Enter, GDK_CONTROL_MASK | GDK_SHIFT_MASK)),
                                                          gtk_named_action_new ("new-task.run-interactive")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  update (self);
}

static void
ar_new_task_page_dispose (GObject *object)
{
  ArNewTaskPage *self = AR_NEW_TASK_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_NEW_TASK_PAGE);
  g_clear_object (&self->backend);
  g_clear_object (&self->env_choices);

  G_OBJECT_CLASS (ar_new_task_page_parent_class)->dispose (object);
}

static void
ar_new_task_page_finalize (GObject *object)
{
  ArNewTaskPage *self = AR_NEW_TASK_PAGE (object);

  g_free (self->env_id);
  g_free (self->blocker);
  g_free (self->interactive_blocker);

  G_OBJECT_CLASS (ar_new_task_page_parent_class)->finalize (object);
}

static void
ar_new_task_page_get_property (GObject *object,
                               guint prop_id,
                               GValue *value,
                               GParamSpec *pspec)
{
  ArNewTaskPage *self = AR_NEW_TASK_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACKEND: g_value_set_object (value, self->backend); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_new_task_page_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  ArNewTaskPage *self = AR_NEW_TASK_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACKEND: self->backend = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_new_task_page_class_init (ArNewTaskPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ar_new_task_page_constructed;
  object_class->dispose = ar_new_task_page_dispose;
  object_class->finalize = ar_new_task_page_finalize;
  object_class->get_property = ar_new_task_page_get_property;
  object_class->set_property = ar_new_task_page_set_property;

  properties[PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, AR_TYPE_BACKEND,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ArNewTaskPage::task-started:
   * @task: the task Run started
   */
  signals[SIGNAL_TASK_STARTED] =
    g_signal_new ("task-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, AR_TYPE_TASK);

  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-new-task-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArNewTaskPage, env_row);
  gtk_widget_class_bind_template_child (widget_class, ArNewTaskPage, agent_row);
  gtk_widget_class_bind_template_child (widget_class, ArNewTaskPage, prompt_view);
  gtk_widget_class_bind_template_child (widget_class, ArNewTaskPage, placeholder);
  gtk_widget_class_bind_template_child (widget_class, ArNewTaskPage, reason_label);
  gtk_widget_class_bind_template_child (widget_class, ArNewTaskPage, run_button);
  gtk_widget_class_bind_template_child (widget_class, ArNewTaskPage, interactive_button);
  gtk_widget_class_bind_template_callback (widget_class, on_env_selected);

  gtk_widget_class_install_action (widget_class, "new-task.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "new-task.run-interactive", NULL, run_interactive_action);
  gtk_widget_class_install_action (widget_class, "new-task.run-shell", NULL, run_shell_action);
}

static void
ar_new_task_page_init (ArNewTaskPage *self)
{
  self->env_choices = g_list_store_new (AR_TYPE_ENVIRONMENT);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ar_new_task_page_new (ArBackend *backend)
{
  g_return_val_if_fail (AR_IS_BACKEND (backend), NULL);

  return g_object_new (AR_TYPE_NEW_TASK_PAGE, "backend", backend, NULL);
}
