/* ar-task-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-task-row.h"
#include "ar-settings.h"
#include "ar-task-view.h"
#include "ar-terminal-view.h"
#include "ar-ui.h"

struct _ArTaskView {
  AdwBin parent_instance;

  ArEnvStore *store;
  ArTask *task;
  ArTaskManager *manager;
  gboolean live; /* the log view follows the task's ArTaskLog */
  guint tick_id;
  /* ArTask → ArTerminalView of the interactive tasks that run: kept while
   * another task is shown, so that coming back reattaches the same
   * terminal, with what it showed meanwhile. */
  GHashTable *terminals;

  GtkLabel *state_label;
  GtkLabel *title_label;
  GtkWidget *color_dot;
  GtkLabel *env_label;
  GtkLabel *exit_label;
  GtkLabel *duration_label;
  GtkLabel *id_label;
  GtkWidget *desktop_squeezer; /* the labelled button, or the icon where that does not fit */
  GtkWidget *stop_button;
  GtkWidget *image_title;
  GtkLabel *image_label;
  GtkWidget *cache_title;
  GtkLabel *cache_label;
  GtkWidget *error_title;
  GtkLabel *error_label;
  GtkWidget *engine_title;
  GtkLabel *engine_label;
  ArLogView *log_view;
  AdwBin *terminal_bin;
};

G_DEFINE_FINAL_TYPE (ArTaskView, ar_task_view, ADW_TYPE_BIN)

static void
set_row (GtkWidget *title, GtkLabel *label, const char *text)
{
  gboolean shown = text != NULL && *text != '\0';

  gtk_label_set_label (label, shown ? text : "");
  /* A long tag is cut in the middle: the whole text on hover. (The cache
   * summary wraps: all of it is there.) */
  gtk_widget_set_tooltip_text (GTK_WIDGET (label),
                               shown && gtk_label_get_ellipsize (label) != PANGO_ELLIPSIZE_NONE ? text : NULL);
  gtk_widget_set_visible (title, shown);
  gtk_widget_set_visible (GTK_WIDGET (label), shown);
}

static void
update_duration (ArTaskView *self)
{
  g_autofree char *duration = NULL;

  if (ar_task_get_started_at (self->task) > 0)
    {
      g_autofree char *text = ar_ui_format_duration (ar_task_get_duration (self->task));

      /* Translators: %s is a duration like "3 min 05 s" */
      duration = g_strdup_printf (ar_task_state_is_finished (ar_task_get_state (self->task)) ? _ ("took %s")
                                                                                             : _ ("running for %s"),
                                  text);
    }
  gtk_label_set_label (self->duration_label, duration != NULL ? duration : "");
}

static gboolean
tick (gpointer user_data)
{
  update_duration (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update (ArTaskView *self)
{
  ArTask *task = self->task;
  ArTaskState state;
  ArEnvironment *env = NULL;
  g_autofree char *title = NULL;
  g_autofree char *color_class = NULL;
  g_autofree char *color_name = NULL;
  g_autofree char *exit_text = NULL;
  g_autofree char *image = NULL;
  const char *env_name;
  gboolean finished;
  int status;

  if (task == NULL)
    return;
  state = ar_task_get_state (task);
  finished = ar_task_state_is_finished (state);

  ar_ui_set_state_badge (self->state_label, state);
  title = ar_task_dup_title (task);
  gtk_label_set_label (self->title_label, title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), ar_task_get_prompt (task));

  if (self->store != NULL)
    env = ar_env_store_find_by_id (self->store, ar_task_get_env_id (task));
  env_name = env != NULL ? ar_environment_get_name (env) : ar_task_get_env_name (task);
  color_class = ar_ui_color_css_class (env != NULL ? ar_environment_get_color (env) : "slate");
  gtk_widget_set_css_classes (self->color_dot, (const char *[]){ "ar-color-dot", color_class, NULL });
  /* Translators: what a screen reader says for an environment's color dot; %s is a color's name */
  color_name = g_strdup_printf (_ ("Color: %s"), ar_ui_color_label (env != NULL ? ar_environment_get_color (env) : "slate"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->color_dot), GTK_ACCESSIBLE_PROPERTY_LABEL, color_name, -1);
  gtk_label_set_label (self->env_label, *env_name != '\0' ? env_name : ar_task_get_env_id (task));
  gtk_label_set_label (self->id_label, ar_task_get_id (task));

  status = ar_task_get_exit_status (task);
  if (status >= 0)
    /* Translators: the exit status of the agent's container */
    exit_text = g_strdup_printf (_ ("Exit status %d"), status);
  else if (finished)
    exit_text = g_strdup (_ ("No exit status"));
  gtk_label_set_label (self->exit_label, exit_text != NULL ? exit_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->exit_label), exit_text != NULL);
  if (status > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->exit_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->exit_label), "error");
  if (status == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->exit_label), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->exit_label), "success");
  update_duration (self);

  if (*ar_task_get_image (task) != '\0')
    image = *ar_task_get_layers (task) != '\0'
              ? g_strdup_printf ("%s  (%s)", ar_task_get_image (task), ar_task_get_layers (task))
              : g_strdup (ar_task_get_image (task));
  set_row (self->image_title, self->image_label, image);
  set_row (self->cache_title, self->cache_label, ar_task_get_cache_summary (task));
  set_row (self->error_title, self->error_label, ar_task_get_error_message (task));
  /* design.md §6.4: only a task on another engine than the local one. */
  set_row (self->engine_title, self->engine_label,
           ar_engine_name_is_local (ar_task_get_engine (task)) ? NULL : ar_task_get_engine (task));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "task.stop", !finished && self->manager != NULL);
  gtk_widget_set_visible (self->stop_button, !finished);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "task.open-desktop",
                                 !finished && *ar_task_get_desktop_url (task) != '\0');
  gtk_widget_set_visible (self->desktop_squeezer, !finished && *ar_task_get_desktop_url (task) != '\0');

  if (ar_task_state_is_active (state) && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick, self);
  else if (!ar_task_state_is_active (state))
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
show_log (ArTaskView *self)
{
  ArTaskLog *log = NULL;
  g_autofree char *path = ar_task_dup_log_path (self->task);

  if (self->manager != NULL)
    log = ar_task_manager_get_log (self->manager, self->task);
  self->live = log != NULL;
  ar_log_view_show_log (self->log_view, log, path);
}

static void
on_state_changed (ArTaskView *self)
{
  /* A task found running after a restart gets its live log only once the
   * manager follows it. */
  if (!self->live && self->manager != NULL && !ar_task_state_is_finished (ar_task_get_state (self->task)) &&
      ar_task_manager_get_log (self->manager, self->task) != NULL)
    show_log (self);
}

/* The terminal of the task shown, reattached, or a new one attached to the
 * task's ArInteractive; none for other tasks. Terminals of tasks that have
 * ended go once another task is shown. */
static void
show_terminal (ArTaskView *self)
{
  ArInteractive *interactive = NULL;
  ArTerminalView *terminal = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gboolean created = FALSE;

  adw_bin_set_child (self->terminal_bin, NULL);
  g_hash_table_iter_init (&iter, self->terminals);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (key != self->task && (self->manager == NULL || ar_task_manager_get_interactive (self->manager, key) == NULL))
      g_hash_table_iter_remove (&iter);

  if (self->task != NULL && self->manager != NULL)
    interactive = ar_task_manager_get_interactive (self->manager, self->task);
  if (self->task != NULL)
    terminal = g_hash_table_lookup (self->terminals, self->task);
  if (terminal == NULL && interactive != NULL)
    {
      terminal = AR_TERMINAL_VIEW (g_object_ref_sink (ar_terminal_view_new ()));
      ar_terminal_view_set_interactive (terminal, interactive);
      g_hash_table_insert (self->terminals, g_object_ref (self->task), terminal);
      created = TRUE;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->terminal_bin), terminal != NULL);
  if (terminal == NULL)
    return;
  adw_bin_set_child (self->terminal_bin, GTK_WIDGET (terminal));
  /* Just started: what the user types goes to it. */
  if (created)
    gtk_widget_grab_focus (GTK_WIDGET (ar_terminal_view_get_terminal (terminal)));
}

ArTerminalView *
ar_task_view_get_terminal_view (ArTaskView *self)
{
  GtkWidget *child;

  g_return_val_if_fail (AR_IS_TASK_VIEW (self), NULL);
  child = adw_bin_get_child (self->terminal_bin);
  return child != NULL ? AR_TERMINAL_VIEW (child) : NULL;
}

ArTask *
ar_task_view_get_task (ArTaskView *self)
{
  g_return_val_if_fail (AR_IS_TASK_VIEW (self), NULL);
  return self->task;
}

void
ar_task_view_set_task (ArTaskView *self,
                       ArTask *task,
                       ArTaskManager *manager)
{
  g_return_if_fail (AR_IS_TASK_VIEW (self));
  g_return_if_fail (task == NULL || AR_IS_TASK (task));
  g_return_if_fail (manager == NULL || AR_IS_TASK_MANAGER (manager));

  if (self->task == task && self->manager == manager)
    return;
  if (self->task != NULL)
    g_signal_handlers_disconnect_by_data (self->task, self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_set_object (&self->task, task);
  g_set_object (&self->manager, manager);
  self->live = FALSE;
  show_terminal (self);
  if (task == NULL)
    {
      ar_log_view_clear (self->log_view);
      return;
    }

  g_signal_connect_swapped (task, "notify", G_CALLBACK (update), self);
  g_signal_connect_swapped (task, "notify::state", G_CALLBACK (on_state_changed), self);
  update (self);
  ar_log_view_set_follow (self->log_view, TRUE);
  show_log (self);
}

void
ar_task_view_set_store (ArTaskView *self,
                        ArEnvStore *store)
{
  g_return_if_fail (AR_IS_TASK_VIEW (self));

  g_set_object (&self->store, store);
  update (self);
}

ArLogView *
ar_task_view_get_log_view (ArTaskView *self)
{
  g_return_val_if_fail (AR_IS_TASK_VIEW (self), NULL);
  return self->log_view;
}

static void
stop_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  ArTaskView *self = AR_TASK_VIEW (widget);

  if (self->task != NULL && self->manager != NULL)
    ar_task_manager_stop (self->manager, self->task);
}

static void
open_desktop_action (GtkWidget *widget,
                     const char *action_name,
                     GVariant *parameter)
{
  ArTaskView *self = AR_TASK_VIEW (widget);

  if (self->task != NULL && *ar_task_get_desktop_url (self->task) != '\0')
    gtk_show_uri (ar_ui_get_window (widget), ar_task_get_desktop_url (self->task), GDK_CURRENT_TIME);
}

static void
ar_task_view_dispose (GObject *object)
{
  ArTaskView *self = AR_TASK_VIEW (object);

  if (self->task != NULL)
    g_signal_handlers_disconnect_by_data (self->task, self);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->task);
  g_clear_object (&self->manager);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_TASK_VIEW);
  g_clear_pointer (&self->terminals, g_hash_table_unref);

  G_OBJECT_CLASS (ar_task_view_parent_class)->dispose (object);
}

static void
ar_task_view_class_init (ArTaskViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_task_view_dispose;

  g_type_ensure (AR_TYPE_LOG_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-task-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, state_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, title_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, color_dot);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, env_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, exit_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, duration_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, id_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, engine_title);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, engine_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, desktop_squeezer);
  /* the squeezer's two buttons, for the tests: the code needs neither */
  gtk_widget_class_bind_template_child_full (widget_class, "desktop_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "desktop_icon_button", FALSE, 0);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, image_title);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, image_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, cache_title);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, cache_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, error_title);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, error_label);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, log_view);
  gtk_widget_class_bind_template_child (widget_class, ArTaskView, terminal_bin);

  gtk_widget_class_install_action (widget_class, "task.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "task.open-desktop", NULL, open_desktop_action);
}

static void
ar_task_view_init (ArTaskView *self)
{
  self->terminals = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ar_task_view_new (void)
{
  return g_object_new (AR_TYPE_TASK_VIEW, NULL);
}
