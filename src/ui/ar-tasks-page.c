/* ar-tasks-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-task-row.h"
#include "ar-tasks-page.h"
#include "ar-ui.h"

struct _ArTasksPage {
  AdwBin parent_instance;

  ArBackend *backend;
  ArTaskManager *manager;
  char *env_filter; /* "" = all */
  ArTaskFilter state_filter;
  /* The environment dropdown's entries: "All Environments", then the
   * store's, rebuilt when the store changes (see sync_env_choices). */
  GListStore *env_choices;
  gboolean syncing;

  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;

  GtkDropDown *env_dropdown;
  GtkDropDown *state_dropdown;
  GtkStack *list_stack;
  GtkListView *list_view;
  GtkStack *view_stack;
  ArTaskView *task_view;
  AdwLeaflet *leaflet;
  GtkWidget *sidebar;
  GtkWidget *detail;
  GtkWidget *back_bar;
  GtkWidget *separator;
  /* Set while an arrow key moves the list's selection: folded, that
   * selects without leaving the list (only activation opens the task). */
  gboolean key_moving;
  guint back_bar_idle;
};

G_DEFINE_FINAL_TYPE (ArTasksPage, ar_tasks_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BACKEND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- filtering ----------------------------------------------------------- */

static gboolean
state_matches (ArTaskFilter filter, ArTaskState state)
{
  switch (filter)
    {
    case AR_TASK_FILTER_ALL: return TRUE;
    case AR_TASK_FILTER_ACTIVE: return ar_task_state_is_active (state);
    case AR_TASK_FILTER_QUEUED: return state == AR_TASK_STATE_QUEUED;
    case AR_TASK_FILTER_DONE: return state == AR_TASK_STATE_DONE;
    case AR_TASK_FILTER_FAILED: return state == AR_TASK_STATE_FAILED;
    case AR_TASK_FILTER_CANCELLED: return state == AR_TASK_STATE_CANCELLED;
    default: return TRUE;
    }
}

static gboolean
filter_task (gpointer item, gpointer user_data)
{
  ArTasksPage *self = user_data;
  ArTask *task = item;

  g_assert (AR_IS_TASKS_PAGE (self));

  if (*self->env_filter != '\0' && g_strcmp0 (ar_task_get_env_id (task), self->env_filter) != 0)
    return FALSE;
  return state_matches (self->state_filter, ar_task_get_state (task));
}

static void
update_list_stack (ArTasksPage *self)
{
  guint total = self->manager != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->manager)) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_stack_set_visible_child_name (self->list_stack, total == 0 ? "empty" : shown == 0 ? "no-match"
                                                                                        : "list");
}

static void
on_task_state (ArTasksPage *self)
{
  if (self->state_filter != AR_TASK_FILTER_ALL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_list_stack (self);
}

static void
on_tasks_changed (ArTasksPage *self,
                  guint position,
                  guint removed,
                  guint added,
                  GListModel *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(ArTask) task = g_list_model_get_item (model, i);

      g_signal_connect_object (task, "notify::state", G_CALLBACK (on_task_state), self, G_CONNECT_SWAPPED);
    }
  update_list_stack (self);
}

static void
select_env_choice (ArTasksPage *self)
{
  guint position = ar_ui_env_choices_find (G_LIST_MODEL (self->env_choices), self->env_filter);

  if (position != GTK_INVALID_LIST_POSITION)
    {
      gtk_drop_down_set_selected (self->env_dropdown, position);
      return;
    }
  /* Its environment is gone: show them all. */
  g_free (self->env_filter);
  self->env_filter = g_strdup ("");
  gtk_drop_down_set_selected (self->env_dropdown, 0);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
sync_env_choices (ArTasksPage *self)
{
  g_autoptr(ArEnvironment) all = ar_environment_new ();

  ar_environment_set_env_id (all, "");
  ar_environment_set_name (all, _ ("All Environments"));

  self->syncing = TRUE;
  ar_ui_env_choices_sync (self->env_choices, all, G_LIST_MODEL (ar_backend_get_store (self->backend)));
  select_env_choice (self);
  self->syncing = FALSE;
  /* Rows show the environments' names and colours as they are now. */
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
on_filter_changed (ArTasksPage *self)
{
  ArEnvironment *env;
  ArTaskFilter state;

  if (self->syncing || self->filter == NULL)
    return;
  env = gtk_drop_down_get_selected_item (self->env_dropdown);
  state = (ArTaskFilter) gtk_drop_down_get_selected (self->state_dropdown);
  if (state > AR_TASK_FILTER_CANCELLED)
    state = AR_TASK_FILTER_ALL;
  if (env != NULL)
    {
      g_free (self->env_filter);
      self->env_filter = g_strdup (ar_environment_get_env_id (env));
    }
  self->state_filter = state;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_list_stack (self);
}

void
ar_tasks_page_set_env_filter (ArTasksPage *self,
                              const char *env_id)
{
  g_return_if_fail (AR_IS_TASKS_PAGE (self));

  g_free (self->env_filter);
  self->env_filter = g_strdup (env_id != NULL ? env_id : "");
  self->syncing = TRUE;
  select_env_choice (self);
  self->syncing = FALSE;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_list_stack (self);
}

const char *
ar_tasks_page_get_env_filter (ArTasksPage *self)
{
  g_return_val_if_fail (AR_IS_TASKS_PAGE (self), NULL);
  return self->env_filter;
}

void
ar_tasks_page_set_state_filter (ArTasksPage *self,
                                ArTaskFilter filter)
{
  g_return_if_fail (AR_IS_TASKS_PAGE (self));

  /* Through the dropdown, which says what is shown. */
  gtk_drop_down_set_selected (self->state_dropdown, filter);
}

ArTaskFilter
ar_tasks_page_get_state_filter (ArTasksPage *self)
{
  g_return_val_if_fail (AR_IS_TASKS_PAGE (self), AR_TASK_FILTER_ALL);
  return self->state_filter;
}

GListModel *
ar_tasks_page_get_model (ArTasksPage *self)
{
  g_return_val_if_fail (AR_IS_TASKS_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

/* ---- selection ----------------------------------------------------------- */

static void
show_detail (ArTasksPage *self)
{
  adw_leaflet_set_visible_child (self->leaflet, self->detail);
}

static void
on_selection_changed (ArTasksPage *self)
{
  ArTask *task = gtk_single_selection_get_selected_item (self->selection);

  ar_task_view_set_task (self->task_view, task, self->manager);
  gtk_stack_set_visible_child_name (self->view_stack, task != NULL ? "task" : "none");
  /* Folded, a click opens the task; arrows only move in the list. */
  if (task != NULL && !self->key_moving && adw_leaflet_get_folded (self->leaflet) &&
      gtk_widget_get_mapped (GTK_WIDGET (self->list_view)))
    show_detail (self);
  else if (task == NULL && adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
on_list_activate (ArTasksPage *self, guint position)
{
  if (adw_leaflet_get_folded (self->leaflet))
    show_detail (self);
}

static gboolean
on_list_key_pressed (ArTasksPage *self,
                     guint keyval,
                     guint keycode,
                     GdkModifierType state,
                     GtkEventControllerKey *controller)
{
  self->key_moving = TRUE;
  return GDK_EVENT_PROPAGATE;
}

static void
on_list_key_released (ArTasksPage *self,
                      guint keyval,
                      guint keycode,
                      GdkModifierType state,
                      GtkEventControllerKey *controller)
{
  self->key_moving = FALSE;
}

/* Tab leaves the list at once, as in GNOME's lists (GtkListView's own Tab
 * goes from row to row): the focus moves on as if the list were not
 * there. */
static gboolean
leave_list (GtkWidget *widget,
            GVariant *args,
            gpointer user_data)
{
  GtkWidget *list = widget;
  GtkDirectionType direction = g_variant_get_int32 (args);

  gtk_widget_set_can_focus (list, FALSE);
  g_signal_emit_by_name (gtk_widget_get_root (list), "move-focus", direction);
  gtk_widget_set_can_focus (list, TRUE);
  return TRUE;
}

static void
add_leave_shortcut (GtkEventController *controller, GtkShortcutTrigger *trigger, GtkDirectionType direction)
{
  GtkShortcut *shortcut = gtk_shortcut_new (trigger, gtk_callback_action_new (leave_list, NULL, NULL));

  gtk_shortcut_set_arguments (shortcut, g_variant_new_int32 (direction));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
}

/* A click selects as a click: it opens the task even if a key release
 * went elsewhere. */
static void
on_list_pressed (ArTasksPage *self)
{
  self->key_moving = FALSE;
}

static gboolean
update_back_bar (gpointer data)
{
  ArTasksPage *self = data;

  g_assert (AR_IS_TASKS_PAGE (self));

  self->back_bar_idle = 0;
  gtk_widget_set_visible (self->back_bar, adw_leaflet_get_folded (self->leaflet));
  /* Back and forth go between the list and the task, not the line. */
  adw_leaflet_page_set_navigatable (adw_leaflet_get_page (self->leaflet, self->separator), FALSE);
  return G_SOURCE_REMOVE;
}

/* The leaflet folds while it allocates its children: showing the back
 * bar then would resize a box in the middle of its allocation. */
static void
on_folded_changed (ArTasksPage *self)
{
  if (self->back_bar_idle == 0)
    self->back_bar_idle = g_idle_add (update_back_bar, self);
}

static void
back_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  ArTasksPage *self = AR_TASKS_PAGE (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

gboolean
ar_tasks_page_get_folded (ArTasksPage *self)
{
  g_return_val_if_fail (AR_IS_TASKS_PAGE (self), FALSE);
  return adw_leaflet_get_folded (self->leaflet);
}

gboolean
ar_tasks_page_get_showing_task (ArTasksPage *self)
{
  g_return_val_if_fail (AR_IS_TASKS_PAGE (self), FALSE);
  return !adw_leaflet_get_folded (self->leaflet) || adw_leaflet_get_visible_child (self->leaflet) == self->detail;
}

static gboolean
find_position (ArTasksPage *self, ArTask *task, guint *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArTask) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      if (item == task)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

void
ar_tasks_page_select_task (ArTasksPage *self,
                           ArTask *task)
{
  guint position;

  g_return_if_fail (AR_IS_TASKS_PAGE (self));
  g_return_if_fail (AR_IS_TASK (task));

  if (!find_position (self, task, &position))
    {
      ar_tasks_page_set_env_filter (self, NULL);
      ar_tasks_page_set_state_filter (self, AR_TASK_FILTER_ALL);
      if (!find_position (self, task, &position))
        return;
    }
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  show_detail (self);
}

ArTask *
ar_tasks_page_get_selected_task (ArTasksPage *self)
{
  g_return_val_if_fail (AR_IS_TASKS_PAGE (self), NULL);
  return gtk_single_selection_get_selected_item (self->selection);
}

ArTaskView *
ar_tasks_page_get_task_view (ArTasksPage *self)
{
  g_return_val_if_fail (AR_IS_TASKS_PAGE (self), NULL);
  return self->task_view;
}

/* ---- the manager --------------------------------------------------------- */

static void
set_manager (ArTasksPage *self, ArTaskManager *manager)
{
  if (self->manager == manager)
    return;
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, on_tasks_changed, self);
  g_set_object (&self->manager, manager);
  if (manager != NULL)
    {
      g_signal_connect_object (manager, "items-changed", G_CALLBACK (on_tasks_changed), self,
                               G_CONNECT_SWAPPED);
      on_tasks_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (manager)), G_LIST_MODEL (manager));
    }
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (manager));
  update_list_stack (self);
}

static void
on_manager_replaced (ArTasksPage *self)
{
  set_manager (self, ar_backend_get_task_manager (self->backend));
}

/* ---- rows ---------------------------------------------------------------- */

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem *item,
           ArTasksPage *self)
{
  GtkWidget *row = ar_task_row_new (ar_backend_get_store (self->backend));

  /* The engine's name only when there are several (design.md §6.4). */
  g_object_bind_property (self->backend, "several-engines", row, "show-engine", G_BINDING_SYNC_CREATE);
  gtk_list_item_set_child (item, row);
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem *item,
          ArTasksPage *self)
{
  ar_task_row_set_task (AR_TASK_ROW (gtk_list_item_get_child (item)), gtk_list_item_get_item (item));
}

static void
row_unbind (GtkSignalListItemFactory *factory,
            GtkListItem *item,
            ArTasksPage *self)
{
  ar_task_row_set_task (AR_TASK_ROW (gtk_list_item_get_child (item)), NULL);
}

/* ---- object -------------------------------------------------------------- */

static void
ar_tasks_page_constructed (GObject *object)
{
  ArTasksPage *self = AR_TASKS_PAGE (object);
  g_autoptr(GtkListItemFactory) env_factory = ar_ui_environment_factory_new ();
  g_autoptr(GtkListItemFactory) row_factory = gtk_signal_list_item_factory_new ();
  ArEnvStore *store;

  G_OBJECT_CLASS (ar_tasks_page_parent_class)->constructed (object);

  g_return_if_fail (self->backend != NULL);
  store = ar_backend_get_store (self->backend);

  self->filter = gtk_custom_filter_new (filter_task, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_list_stack), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect (row_factory, "setup", G_CALLBACK (row_setup), self);
  g_signal_connect (row_factory, "bind", G_CALLBACK (row_bind), self);
  g_signal_connect (row_factory, "unbind", G_CALLBACK (row_unbind), self);
  gtk_list_view_set_factory (self->list_view, row_factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (on_list_activate), self, G_CONNECT_SWAPPED);

  self->syncing = TRUE;
  gtk_drop_down_set_factory (self->env_dropdown, env_factory);
  gtk_drop_down_set_model (self->env_dropdown, G_LIST_MODEL (self->env_choices));
  self->syncing = FALSE;
  sync_env_choices (self);
  g_signal_connect_object (store, "items-changed", G_CALLBACK (sync_env_choices), self, G_CONNECT_SWAPPED);

  ar_task_view_set_store (self->task_view, store);
  g_signal_connect_object (self->backend, "notify::task-manager", G_CALLBACK (on_manager_replaced), self,
                           G_CONNECT_SWAPPED);
  set_manager (self, ar_backend_get_task_manager (self->backend));
}

static void
ar_tasks_page_dispose (GObject *object)
{
  ArTasksPage *self = AR_TASKS_PAGE (object);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  g_clear_handle_id (&self->back_bar_idle, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_TASKS_PAGE);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_func (self->manager, on_tasks_changed, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->manager);
  g_clear_object (&self->backend);
  g_clear_object (&self->env_choices);

  G_OBJECT_CLASS (ar_tasks_page_parent_class)->dispose (object);
}

static void
ar_tasks_page_finalize (GObject *object)
{
  ArTasksPage *self = AR_TASKS_PAGE (object);

  g_free (self->env_filter);

  G_OBJECT_CLASS (ar_tasks_page_parent_class)->finalize (object);
}

static void
ar_tasks_page_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  ArTasksPage *self = AR_TASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACKEND: self->backend = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_tasks_page_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  ArTasksPage *self = AR_TASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BACKEND: g_value_set_object (value, self->backend); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_tasks_page_class_init (ArTasksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ar_tasks_page_constructed;
  object_class->dispose = ar_tasks_page_dispose;
  object_class->finalize = ar_tasks_page_finalize;
  object_class->get_property = ar_tasks_page_get_property;
  object_class->set_property = ar_tasks_page_set_property;

  properties[PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, AR_TYPE_BACKEND,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (AR_TYPE_TASK_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, AR_RESOURCE_PATH "/ar-tasks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, env_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, task_view);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, sidebar);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, detail);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, back_bar);
  gtk_widget_class_bind_template_child (widget_class, ArTasksPage, separator);
  gtk_widget_class_bind_template_child_full (widget_class, "back_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);

  gtk_widget_class_install_action (widget_class, "tasks.back", NULL, back_action);
}

static void
ar_tasks_page_init (ArTasksPage *self)
{
  GtkEventController *keys;
  GtkEventController *tab;
  GtkGesture *click;

  self->env_filter = g_strdup ("");
  self->env_choices = g_list_store_new (AR_TYPE_ENVIRONMENT);
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The bin's own child: not bound, as disposing the template would
   * unparent it under the bin's feet. */
  self->leaflet = ADW_LEAFLET (adw_bin_get_child (ADW_BIN (self)));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_list_key_pressed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (keys, "key-released", G_CALLBACK (on_list_key_released), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), keys);
  tab = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (tab, GTK_PHASE_CAPTURE);
  add_leave_shortcut (tab, gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Tab, 0), gtk_keyval_trigger_new (GDK_KEY_KP_Tab, 0)),
                      GTK_DIR_TAB_FORWARD);
  add_leave_shortcut (tab, gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK), gtk_keyval_trigger_new (GDK_KEY_Tab, GDK_SHIFT_MASK)),
                      GTK_DIR_TAB_BACKWARD);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), tab);
  click = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_list_pressed), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));
  gtk_widget_set_visible (self->back_bar, adw_leaflet_get_folded (self->leaflet));
  /* Back and forth go between the list and the task, not the line. */
  adw_leaflet_page_set_navigatable (adw_leaflet_get_page (self->leaflet, self->separator), FALSE);
}

GtkWidget *
ar_tasks_page_new (ArBackend *backend)
{
  g_return_val_if_fail (AR_IS_BACKEND (backend), NULL);

  return g_object_new (AR_TYPE_TASKS_PAGE, "backend", backend, NULL);
}
