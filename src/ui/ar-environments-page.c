/* ar-environments-page.c
 *
 * The list shows the store, that is, what is on disk, followed by the new
 * environment not saved yet (add and duplicate make one; it is written on
 * its first Save, and leaving it unsaved asks as for edits). The editor
 * shows a draft of the selected entry; edits wait for Save. Delete writes
 * at once and offers Undo. The page watches the file: when another
 * program (an `env import`, a second window) changes it, the list reloads;
 * unsaved edits of an entry that changed there too are never dropped
 * without asking.
 *
 * The list and the editor sit in an AdwLeaflet: below some 600 px one
 * shows at a time, and the editor gets a back button. The list is a
 * GtkListView (a thousand environments cost no more at start than ten);
 * Tab leaves it, arrows and activation change the selection, as in
 * GNOME's sidebars.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-environment-row.h"
#include "ar-environments-page-private.h"
#include "ar-tab-out-bin.h"
#include "ar-ui.h"

/* ---- the page ---- */

G_DEFINE_FINAL_TYPE (ArEnvironmentsPage, ar_environments_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_row_released (GtkGestureClick *gesture,
                 int n_press,
                 double x,
                 double y,
                 gpointer user_data)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));

  /* A click chose this row (the list selected it): when folded, show it. */
  gtk_widget_activate_action (row, "environments.show-editor", NULL);
}

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem *item,
           gpointer user_data)
{
  GtkWidget *row = ar_environment_row_new (NULL);
  GtkGesture *click = gtk_gesture_click_new ();

  g_signal_connect (click, "released", G_CALLBACK (on_row_released), NULL);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (click));
  gtk_list_item_set_child (item, row);
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem *item,
          gpointer user_data)
{
  ar_environment_row_set_environment (AR_ENVIRONMENT_ROW (gtk_list_item_get_child (item)),
                                      gtk_list_item_get_item (item));
}

static void
row_unbind (GtkSignalListItemFactory *factory,
            GtkListItem *item,
            gpointer user_data)
{
  ar_environment_row_set_environment (AR_ENVIRONMENT_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
row_teardown (GtkSignalListItemFactory *factory,
              GtkListItem *item,
              gpointer user_data)
{
  gtk_list_item_set_child (item, NULL);
}

static ArEnvironment *
selected_environment (ArEnvironmentsPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static guint
find_position (ArEnvironmentsPage *self, ArEnvironment *env)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);
  const char *env_id = ar_environment_get_env_id (env);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArEnvironment) item = g_list_model_get_item (model, i);

      if (item == env || g_strcmp0 (ar_environment_get_env_id (item), env_id) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static gboolean
is_draft (ArEnvironmentsPage *self, ArEnvironment *env)
{
  guint position;

  return env != NULL && g_list_store_find (self->drafts, env, &position);
}

void
ar_environments_page_select_quietly (ArEnvironmentsPage *self, ArEnvironment *env)
{
  guint position = env != NULL ? find_position (self, env) : GTK_INVALID_LIST_POSITION;

  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->syncing = FALSE;
}

/* When folded, one pane shows at a time. */
static void
show_pane (ArEnvironmentsPage *self, const char *name)
{
  adw_leaflet_set_visible_child_name (self->leaflet, name);
}

/* Drafts the user left without saving go; a saved one is in the store. */
static void
drop_stale_drafts (ArEnvironmentsPage *self)
{
  ArEnvironment *current = ar_environment_editor_get_environment (self->editor);

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->drafts)); i-- > 0;)
    {
      g_autoptr(ArEnvironment) draft = g_list_model_get_item (G_LIST_MODEL (self->drafts), i);
      gboolean saved = self->store != NULL && ar_env_store_find_by_id (self->store, ar_environment_get_env_id (draft)) != NULL;

      if (saved || draft != current)
        g_list_store_remove (self->drafts, i);
    }
}

void
ar_environments_page_show_environment (ArEnvironmentsPage *self, ArEnvironment *env)
{
  /* Focus in an editor about to be emptied and hidden goes to "+" first (a
   * text field that loses the focus that way keeps blinking, GTK 4.8). */
  if (env == NULL && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self)));

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->editor)))
        gtk_widget_grab_focus (self->add_button);
    }
  if (is_draft (self, env))
    ar_environment_editor_set_new_environment (self->editor, env);
  else
    ar_environment_editor_set_environment (self->editor, env);
  drop_stale_drafts (self);
  gtk_stack_set_visible_child_name (self->content_stack, env != NULL ? "editor" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "environments.duplicate", env != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "environments.delete", env != NULL);
  ar_environments_page_select_quietly (self, env);
}

static void
store_saved (GObject *source,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(ArEnvironmentsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  g_assert (AR_IS_ENVIRONMENTS_PAGE (self));

  if (!ar_env_store_save_finish (AR_ENV_STORE (source), result, &error))
    ar_ui_add_toast (GTK_WIDGET (self), adw_toast_new (error->message));
}

/* Written in a worker thread, one save after the other (the store keeps
 * them in order): the window never waits on the disk. */
static void
save_store (ArEnvironmentsPage *self)
{
  ar_env_store_save_async (self->store, NULL, store_saved, g_object_ref (self));
}

/* ---- switching environments ---- */

/* In the store or a draft. */
ArEnvironment *
ar_environments_page_find_environment (ArEnvironmentsPage *self, const char *env_id)
{
  ArEnvironment *env = self->store != NULL ? ar_env_store_find_by_id (self->store, env_id) : NULL;

  for (guint i = 0; env == NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->drafts)); i++)
    {
      g_autoptr(ArEnvironment) draft = g_list_model_get_item (G_LIST_MODEL (self->drafts), i);

      if (g_strcmp0 (ar_environment_get_env_id (draft), env_id) == 0)
        env = draft;
    }
  return env;
}

typedef struct {
  ArEnvironmentsPage *self;
  char *env_id;
} PendingSwitch;

static void
leave_cb (GObject *object,
          GAsyncResult *result,
          gpointer user_data)
{
  PendingSwitch *pending = user_data;
  g_autoptr(ArEnvironmentsPage) self = pending->self;
  g_autofree char *env_id = pending->env_id;
  ArEnvironment *env;

  g_free (pending);
  if (!ar_environment_editor_confirm_leave_finish (AR_ENVIRONMENT_EDITOR (object), result))
    return;

  env = env_id != NULL ? ar_environments_page_find_environment (self, env_id) : NULL;
  if (env != NULL)
    ar_environments_page_show_environment (self, env);
  else
    ar_environments_page_select_quietly (self, ar_environment_editor_get_environment (self->editor));
}

static void
request_environment (ArEnvironmentsPage *self, ArEnvironment *env)
{
  ArEnvironment *current = ar_environment_editor_get_environment (self->editor);
  PendingSwitch *pending;

  if (env == current)
    return;

  if (!ar_environment_editor_get_modified (self->editor))
    {
      ar_environments_page_show_environment (self, env);
      return;
    }

  /* Keep the current row selected while the user decides. */
  ar_environments_page_select_quietly (self, current);
  /* Where to go travels with this question: an earlier one may still be
   * finishing. */
  pending = g_new0 (PendingSwitch, 1);
  pending->self = g_object_ref (self);
  pending->env_id = g_strdup (ar_environment_get_env_id (env));
  ar_environment_editor_confirm_leave_async (self->editor, self->cancellable, leave_cb, pending);
}

static void
on_selection_changed (GtkSelectionModel *model,
                      guint position,
                      guint n_items,
                      ArEnvironmentsPage *self)
{
  ArEnvironment *env;

  if (self->syncing)
    return;
  env = selected_environment (self);
  if (env == NULL)
    {
      /* Nothing is ever unselected by the user: keep the shown one. */
      ar_environments_page_select_quietly (self, ar_environment_editor_get_environment (self->editor));
      return;
    }
  request_environment (self, env);
}

/* Enter (or a double click) on a row: show it, and when folded, its editor. */
static void
on_list_activate (GtkListView *list_view,
                  guint position,
                  ArEnvironmentsPage *self)
{
  g_autoptr(ArEnvironment) env = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (env == NULL)
    return;
  request_environment (self, env);
  show_pane (self, "content");
}

static void
on_folded_changed (ArEnvironmentsPage *self)
{
  if (self->leaflet != NULL && self->editor != NULL)
    ar_environment_editor_set_show_back_button (self->editor, adw_leaflet_get_folded (self->leaflet));
}

void
ar_environments_page_select (ArEnvironmentsPage *self,
                             const char *env_id)
{
  ArEnvironment *env;

  g_return_if_fail (AR_IS_ENVIRONMENTS_PAGE (self));

  env = ar_environments_page_find_environment (self, env_id);
  if (env != NULL)
    request_environment (self, env);
}

static void
on_items_changed (GListModel *model,
                  guint position,
                  guint removed,
                  guint added,
                  ArEnvironmentsPage *self)
{
  ArEnvironment *current = ar_environment_editor_get_environment (self->editor);
  guint n = g_list_model_get_n_items (model);
  ArEnvironment *now;

  /* A reload from disk decides itself (ar_environments_page_reload_cb). */
  if (self->reloading)
    return;

  if (current == NULL)
    {
      g_autoptr(ArEnvironment) first = n > 0 ? g_list_model_get_item (model, 0) : NULL;

      ar_environments_page_show_environment (self, first);
      return;
    }

  now = ar_environments_page_find_environment (self, ar_environment_get_env_id (current));
  if (now == NULL)
    {
      /* Deleted: show a neighbour. */
      g_autoptr(ArEnvironment) next = n > 0 ? g_list_model_get_item (model, MIN (position, n - 1)) : NULL;

      ar_environments_page_show_environment (self, next);
    }
  else if (now != current && !ar_environment_editor_get_modified (self->editor))
    ar_environments_page_show_environment (self, now);
  else
    {
      drop_stale_drafts (self);
      ar_environments_page_select_quietly (self, current);
    }
}

/* ---- add, duplicate, delete ---- */

static char *
unique_name (ArEnvironmentsPage *self, const char *base)
{
  char *name = g_strdup (base);

  for (guint i = 2;; i++)
    {
      gboolean taken = FALSE;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (self->selection)); j++)
        {
          g_autoptr(ArEnvironment) env = g_list_model_get_item (G_LIST_MODEL (self->selection), j);

          if (g_strcmp0 (ar_environment_get_name (env), name) == 0)
            taken = TRUE;
        }
      if (!taken)
        return name;
      g_free (name);
      /* Translators: a name made unique, "New Environment 2" */
      name = g_strdup_printf (_ ("%s %u"), base, i);
    }
}

/* A draft: nothing is written until its first Save. */
static void
add_environment (ArEnvironmentsPage *self, ArEnvironment *env)
{
  g_list_store_remove_all (self->drafts);
  g_list_store_append (self->drafts, env);
  ar_environments_page_show_environment (self, env);
  show_pane (self, "content");
  ar_environment_editor_focus_name (self->editor);
}

typedef enum { AFTER_LEAVE_ADD,
               AFTER_LEAVE_DUPLICATE } AfterLeave;

static void
do_add (ArEnvironmentsPage *self)
{
  g_autoptr(ArEnvironment) env = ar_environment_new_with_id ();
  g_autofree char *name = unique_name (self, _ ("New Environment"));

  ar_environment_set_name (env, name);
  add_environment (self, env);
}

static void
do_duplicate (ArEnvironmentsPage *self)
{
  ArEnvironment *source = ar_environment_editor_get_environment (self->editor);
  g_autoptr(ArEnvironment) env = NULL;
  g_autofree char *id = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  if (source == NULL)
    return;

  env = ar_environment_copy (source);
  id = ar_environment_generate_id ();
  ar_environment_set_env_id (env, id);
  ar_environment_clear_load_warnings (env);
  /* Translators: the name of a duplicated environment */
  base = g_strdup_printf (_ ("%s (copy)"), ar_environment_get_name (source));
  name = unique_name (self, base);
  ar_environment_set_name (env, name);
  add_environment (self, env);
}

static void
after_leave_cb (GObject *object,
                GAsyncResult *result,
                gpointer user_data)
{
  g_autoptr(ArEnvironmentsPage) self = user_data;
  AfterLeave what = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self), "ar-after"));

  g_assert (AR_IS_ENVIRONMENTS_PAGE (self));

  if (!ar_environment_editor_confirm_leave_finish (AR_ENVIRONMENT_EDITOR (object), result))
    return;
  if (what == AFTER_LEAVE_ADD)
    do_add (self);
  else
    do_duplicate (self);
}

static void
confirm_then (ArEnvironmentsPage *self, AfterLeave what)
{
  if (!ar_environment_editor_get_modified (self->editor))
    {
      if (what == AFTER_LEAVE_ADD)
        do_add (self);
      else
        do_duplicate (self);
      return;
    }
  g_object_set_data (G_OBJECT (self), "ar-after", GUINT_TO_POINTER (what));
  ar_environment_editor_confirm_leave_async (self->editor, self->cancellable,
                                             after_leave_cb, g_object_ref (self));
}

static void
add_action (GtkWidget *widget,
            const char *action_name,
            GVariant *parameter)
{
  confirm_then (AR_ENVIRONMENTS_PAGE (widget), AFTER_LEAVE_ADD);
}

static void
duplicate_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  confirm_then (AR_ENVIRONMENTS_PAGE (widget), AFTER_LEAVE_DUPLICATE);
}

void
ar_environments_page_new_environment (ArEnvironmentsPage *self)
{
  g_return_if_fail (AR_IS_ENVIRONMENTS_PAGE (self));

  if (self->store != NULL)
    confirm_then (self, AFTER_LEAVE_ADD);
}

void
ar_environments_page_save (ArEnvironmentsPage *self)
{
  g_return_if_fail (AR_IS_ENVIRONMENTS_PAGE (self));

  if (ar_environment_editor_get_modified (self->editor) && !ar_environment_editor_get_saving (self->editor))
    ar_environment_editor_save_async (self->editor, NULL, NULL, NULL);
}

static void
save_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  ar_environments_page_save (AR_ENVIRONMENTS_PAGE (widget));
}

static void
show_list_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *parameter)
{
  ArEnvironmentsPage *self = AR_ENVIRONMENTS_PAGE (widget);

  show_pane (self, "list");
  gtk_widget_child_focus (GTK_WIDGET (self->list_bin), GTK_DIR_TAB_FORWARD);
}

static void
show_editor_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  ArEnvironmentsPage *self = AR_ENVIRONMENTS_PAGE (widget);

  if (ar_environment_editor_get_environment (self->editor) != NULL)
    show_pane (self, "content");
}

static void
undo_delete_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  ArEnvironmentsPage *self = AR_ENVIRONMENTS_PAGE (widget);
  g_autoptr(ArEnvironment) env = g_steal_pointer (&self->deleted);

  if (env == NULL || ar_env_store_find_by_id (self->store, ar_environment_get_env_id (env)) != NULL)
    return;

  ar_env_store_insert (self->store, MIN (self->deleted_position, ar_env_store_get_n_environments (self->store)), env);
  save_store (self);
  ar_environments_page_show_environment (self, env);
  gtk_widget_action_set_enabled (widget, "environments.undo-delete", FALSE);
}

static void
on_undo_clicked (AdwToast *toast,
                 ArEnvironmentsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "environments.undo-delete", NULL);
}

static void
delete_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  ArEnvironmentsPage *self = AR_ENVIRONMENTS_PAGE (widget);
  ArEnvironment *env = ar_environment_editor_get_environment (self->editor);
  g_autofree char *title = NULL;
  AdwToast *toast;
  guint position = 0;

  if (env == NULL)
    return;

  /* A draft was never written: it just goes. */
  if (is_draft (self, env))
    {
      g_autoptr(ArEnvironment) next = NULL;

      g_list_store_remove_all (self->drafts);
      if (ar_env_store_get_n_environments (self->store) > 0)
        next = g_list_model_get_item (G_LIST_MODEL (self->store), ar_env_store_get_n_environments (self->store) - 1);
      ar_environments_page_show_environment (self, next);
      return;
    }

  for (guint i = 0; i < ar_env_store_get_n_environments (self->store); i++)
    if (ar_env_store_get_environment (self->store, i) == env)
      position = i;

  g_set_object (&self->deleted, env);
  self->deleted_position = position;
  ar_env_store_remove (self->store, ar_environment_get_env_id (env));
  save_store (self);
  gtk_widget_action_set_enabled (widget, "environments.undo-delete", TRUE);

  title = g_strdup_printf (_ ("“%s” deleted"), ar_environment_get_name (self->deleted));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _ ("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
  ar_ui_add_toast (widget, toast);
}

/* ---- properties ---- */

ArEnvStore *
ar_environments_page_get_store (ArEnvironmentsPage *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENTS_PAGE (self), NULL);

  return self->store;
}

void
ar_environments_page_set_store (ArEnvironmentsPage *self,
                                ArEnvStore *store)
{
  g_return_if_fail (AR_IS_ENVIRONMENTS_PAGE (self));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);

  g_list_store_remove_all (self->drafts);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->models)) > 1)
    g_list_store_remove (self->models, 0);
  if (store != NULL)
    g_list_store_insert (self->models, 0, store);
  ar_environment_editor_set_store (self->editor, store);
  ar_environments_page_watch_store (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "environments.add", store != NULL);

  if (store != NULL)
    {
      g_autoptr(ArEnvironment) first = g_list_model_get_item (G_LIST_MODEL (store), 0);

      /* After the list's own handler, so that its rows exist. */
      g_signal_connect (store, "items-changed", G_CALLBACK (on_items_changed), self);
      ar_environments_page_show_environment (self, first);
    }
  else
    ar_environments_page_show_environment (self, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

ArEnvironmentEditor *
ar_environments_page_get_editor (ArEnvironmentsPage *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENTS_PAGE (self), NULL);

  return self->editor;
}

static void
ar_environments_page_dispose (GObject *object)
{
  ArEnvironmentsPage *self = AR_ENVIRONMENTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->read_cancellable);
  g_clear_object (&self->read_cancellable);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);
  if (self->list_bin != NULL)
    ar_tab_out_bin_set_list_view (self->list_bin, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->models);
  g_clear_object (&self->drafts);
  g_clear_object (&self->store);
  g_clear_object (&self->deleted);

  /* The leaflet goes first, while all it holds is alive (libadwaita 1.2
   * otherwise frees it before AdwBin lets go of it). */
  if (self->leaflet != NULL)
    g_signal_handlers_disconnect_by_data (self->leaflet, self);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_ENVIRONMENTS_PAGE);

  G_OBJECT_CLASS (ar_environments_page_parent_class)->dispose (object);
}

static void
ar_environments_page_get_property (GObject *object,
                                   guint prop_id,
                                   GValue *value,
                                   GParamSpec *pspec)
{
  ArEnvironmentsPage *self = AR_ENVIRONMENTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_environments_page_set_property (GObject *object,
                                   guint prop_id,
                                   const GValue *value,
                                   GParamSpec *pspec)
{
  ArEnvironmentsPage *self = AR_ENVIRONMENTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE: ar_environments_page_set_store (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_environments_page_class_init (ArEnvironmentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_environments_page_dispose;
  object_class->get_property = ar_environments_page_get_property;
  object_class->set_property = ar_environments_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, AR_TYPE_ENV_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-environments-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentsPage, sidebar);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentsPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentsPage, list_bin);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentsPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentsPage, editor);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);

  gtk_widget_class_install_action (widget_class, "environments.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "environments.duplicate", NULL, duplicate_action);
  gtk_widget_class_install_action (widget_class, "environments.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "environments.undo-delete", NULL, undo_delete_action);
  gtk_widget_class_install_action (widget_class, "environments.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "environments.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "environments.show-editor", NULL, show_editor_action);

  g_type_ensure (AR_TYPE_TAB_OUT_BIN);
}

static void
ar_environments_page_init (ArEnvironmentsPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkFlattenListModel *flat;
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  /* The store (inserted in front by set_store), then the drafts. */
  self->drafts = g_list_store_new (AR_TYPE_ENVIRONMENT);
  self->models = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (self->models, self->drafts);
  flat = gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->models)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (flat));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (row_unbind), NULL);
  g_signal_connect (factory, "teardown", G_CALLBACK (row_teardown), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  ar_tab_out_bin_set_list_view (self->list_bin, self->list_view);

  /* Delete removes the selected environment, but only from the list: in
   * the editor's fields the key edits text. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new ("environments.delete")));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), shortcuts);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "environments.add", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "environments.undo-delete", FALSE);
  ar_environments_page_show_environment (self, NULL);
  on_folded_changed (self);
}

GtkWidget *
ar_environments_page_new (ArEnvStore *store)
{
  return g_object_new (AR_TYPE_ENVIRONMENTS_PAGE, "store", store, NULL);
}
