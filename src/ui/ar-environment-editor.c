/* ar-environment-editor.c
 *
 * The widgets edit a draft copy of the saved environment; "modified" is the
 * difference between the two as the store would write them, so undoing an
 * edit by hand clears the mark again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-agent.h"
#include "ar-container-lines.h"
#include "ar-environment-editor-private.h"
#include "ar-settings.h"
#include "ar-ui.h"

/* The pages of the tabs stack, in the order of the narrow tab buttons. */
static const char *const tab_names[N_TABS] = { "general", "container", "preflight" };

G_DEFINE_FINAL_TYPE (ArEnvironmentEditor, ar_environment_editor, ADW_TYPE_BIN)

/* clang-format off */
G_DEFINE_QUARK (ar-environment-editor-error-quark, ar_environment_editor_error)
/* clang-format on */

enum {
  PROP_0,
  PROP_STORE,
  PROP_ENVIRONMENT,
  PROP_DRAFT,
  PROP_MODIFIED,
  PROP_HAS_ERRORS,
  PROP_SAVING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
ar_environment_editor_notify_environment (ArEnvironmentEditor *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
}

void
ar_environment_editor_set_saving (ArEnvironmentEditor *self,
                                  gboolean saving)
{
  if (self->saving == saving)
    return;
  self->saving = saving;
  /* Said on the button itself: the rest of the editor stays usable. */
  gtk_button_set_label (GTK_BUTTON (self->save_button), saving ? _ ("Saving…") : _ ("_Save"));
  ar_environment_editor_update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
}

/* ---- state ---- */

static gboolean
same_as_saved (ArEnvironmentEditor *self)
{
  g_autofree char *saved = NULL;
  g_autofree char *draft = NULL;

  if (self->environment == NULL || self->draft == NULL)
    return self->environment == self->draft;

  saved = ar_env_entry_to_string (self->environment);
  draft = ar_env_entry_to_string (self->draft);
  return g_strcmp0 (saved, draft) == 0;
}

static void
update_title (ArEnvironmentEditor *self)
{
  g_autofree char *title = NULL;
  g_autofree char *color_class = NULL;
  const char *name;

  if (self->draft == NULL)
    {
      gtk_label_set_label (self->title_label, "");
      gtk_label_set_label (self->id_label, "");
      return;
    }

  name = ar_environment_get_name (self->draft);
  if (*name == '\0')
    name = _ ("Unnamed environment");
  /* The bullet marks unsaved changes, as editors do in their tab titles. */
  title = self->modified ? g_strdup_printf ("%s •", name) : g_strdup (name);
  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->id_label, ar_environment_get_env_id (self->draft));

  color_class = ar_ui_color_css_class (ar_environment_get_color (self->draft));
  gtk_widget_set_css_classes (self->color_dot, (const char *[]){ "ar-color-dot", "large", color_class, NULL });
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->color_dot),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, ar_ui_color_label (ar_environment_get_color (self->draft)),
                                  -1);
}

void
ar_environment_editor_update_state (ArEnvironmentEditor *self)
{
  gboolean has_errors = self->command_error || self->args_error;
  gboolean changed;
  gboolean modified;

  for (guint i = 0; i < N_LINE_FIELDS; i++)
    has_errors |= self->line_errors[i];
  changed = self->draft != NULL && (has_errors || !same_as_saved (self));
  /* A new environment is unsaved even as it came. */
  modified = changed || (self->draft != NULL && self->is_new);

  if (has_errors != self->has_errors)
    {
      self->has_errors = has_errors;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_ERRORS]);
    }
  if (modified != self->modified)
    {
      self->modified = modified;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
    }

  if (modified)
    gtk_widget_add_css_class (self->save_button, "suggested-action");
  else
    gtk_widget_remove_css_class (self->save_button, "suggested-action");
  gtk_widget_set_visible (self->revert_button, changed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", modified && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.revert", changed);
  update_title (self);
}

/* ---- loading ---- */

static void
load_draft (ArEnvironmentEditor *self)
{
  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);

  self->loading = TRUE;

  if (self->draft != NULL)
    {
      g_autofree char *command = ar_shell_join (ar_environment_get_custom_command (self->draft));

      ar_environment_editor_bind (self, "name", self->name_row, "text");
      ar_environment_editor_bind_combo (self, "color", self->color_row, (const char *const *) ar_environment_colors ());
      ar_environment_editor_bind (self, "base-image", self->base_image_entry, "text");
      ar_environment_editor_bind_combo (self, "workspace-type", self->workspace_type_row, ar_workspace_type_ids ());
      ar_environment_editor_bind (self, "workspace-target", self->workspace_target_row, "text");
      ar_environment_editor_bind (self, "container-workdir", self->workdir_row, "text");
      ar_environment_editor_bind_combo (self, "agent-cli", self->agent_row, ar_environment_agents ());
      ar_environment_editor_bind (self, "agent-cli-args", self->agent_args_row, "text");
      ar_environment_editor_bind (self, "host-config-dir", self->host_config_entry, "text");
      ar_environment_editor_bind (self, "headless-desktop-enabled", self->desktop_switch, "active");
      ar_environment_editor_bind (self, "cache-desktop-build", self->desktop_cache_switch, "active");
      ar_environment_editor_bind (self, "cache-container-build", self->caching_switch, "active");
      ar_environment_editor_bind (self, "max-agents-running", self->max_agents_spin, "value");
      gtk_editable_set_text (GTK_EDITABLE (self->custom_command_row), command);

      for (guint i = 0; i < N_LINE_FIELDS; i++)
        {
          GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->line_views[i])));
          g_auto(GStrv) items = NULL;
          g_autofree char *text = NULL;

          g_object_get (self->draft, ar_environment_editor_line_field_props[i], &items, NULL);
          text = ar_container_lines_join ((const char *const *) items);
          gtk_text_buffer_begin_irreversible_action (GTK_TEXT_BUFFER (buffer));
          gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), text, -1);
          gtk_text_buffer_end_irreversible_action (GTK_TEXT_BUFFER (buffer));
        }
      g_signal_connect (self->draft, "notify", G_CALLBACK (ar_environment_editor_on_draft_notify), self);
    }

  ar_preflight_editor_set_environment (self->preflight_editor, self->draft);
  gtk_widget_set_sensitive (GTK_WIDGET (self->tabs), self->draft != NULL);

  self->loading = FALSE;

  ar_environment_editor_update_workspace_fields (self);
  ar_environment_editor_update_agent_fields (self);
  ar_environment_editor_update_engine_row (self);
  ar_environment_editor_update_state (self);
  ar_environment_editor_update_build_user (self, TRUE);
}

void
ar_environment_editor_set_draft (ArEnvironmentEditor *self, ArEnvironment *draft)
{
  if (self->draft != NULL)
    g_signal_handlers_disconnect_by_data (self->draft, self);
  g_set_object (&self->draft, draft);
  load_draft (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
}

/* ---- actions ---- */

static void
save_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  ar_environment_editor_save_async (AR_ENVIRONMENT_EDITOR (widget), NULL, NULL, NULL);
}

static void
on_undo_revert_clicked (AdwToast *toast,
                        ArEnvironmentEditor *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.undo-revert", NULL);
}

/* Revert asks nothing: it offers Undo instead. */
static void
revert_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  ArEnvironmentEditor *self = AR_ENVIRONMENT_EDITOR (widget);
  g_autoptr(ArEnvironment) draft = NULL;
  AdwToast *toast;

  if (self->environment == NULL || self->draft == NULL)
    return;

  g_set_object (&self->reverted, self->draft);
  draft = ar_environment_copy (self->environment);
  ar_environment_editor_set_draft (self, draft);
  gtk_widget_action_set_enabled (widget, "editor.undo-revert", TRUE);

  toast = adw_toast_new (_ ("Changes reverted"));
  adw_toast_set_button_label (toast, _ ("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_revert_clicked), self, 0);
  ar_ui_add_toast (widget, toast);
}

static void
forget_reverted (ArEnvironmentEditor *self)
{
  g_clear_object (&self->reverted);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.undo-revert", FALSE);
}

static void
undo_revert_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *parameter)
{
  ArEnvironmentEditor *self = AR_ENVIRONMENT_EDITOR (widget);
  g_autoptr(ArEnvironment) draft = g_steal_pointer (&self->reverted);

  forget_reverted (self);
  /* Only onto the environment it was taken from. */
  if (draft == NULL || self->environment == NULL ||
      g_strcmp0 (ar_environment_get_env_id (draft), ar_environment_get_env_id (self->environment)) != 0)
    return;
  ar_environment_editor_set_draft (self, draft);
}

/* ---- folder choosers ---- */

typedef void (*FolderChosen) (ArEnvironmentEditor *self, const char *path);

static void
on_chooser_response (GtkNativeDialog *dialog,
                     int response,
                     ArEnvironmentEditor *self)
{
  FolderChosen chosen = g_object_get_data (G_OBJECT (dialog), "ar-chosen");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      /* Inside Flatpak the portal hands out a path the container sees. */
      if (folder != NULL && g_file_peek_path (folder) != NULL && self->draft != NULL)
        chosen (self, g_file_peek_path (folder));
    }
  gtk_native_dialog_destroy (dialog);
  if (self->chooser == dialog)
    g_clear_object (&self->chooser);
}

/* GtkFileChooserNative: the desktop's own chooser, through the portal in
 * Flatpak. Starts at @current when it names a folder. */
static void
choose_folder (ArEnvironmentEditor *self,
               const char *title,
               const char *current,
               FolderChosen chosen)
{
  GtkFileChooserNative *native;

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (self->chooser);
      return;
    }

  native = gtk_file_chooser_native_new (title, ar_ui_get_window (GTK_WIDGET (self)),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _ ("_Select"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  if (current != NULL && *current != '\0')
    {
      g_autofree char *path = ar_expand_home (current);

      if (g_path_is_absolute (path))
        {
          g_autoptr(GFile) file = g_file_new_for_path (path);

          gtk_file_chooser_set_file (GTK_FILE_CHOOSER (native), file, NULL);
        }
    }
  g_object_set_data (G_OBJECT (native), "ar-chosen", chosen);
  g_signal_connect (native, "response", G_CALLBACK (on_chooser_response), self);
  self->chooser = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_show (self->chooser);
}

static void
workspace_chosen (ArEnvironmentEditor *self, const char *path)
{
  gtk_editable_set_text (GTK_EDITABLE (self->workspace_target_row), path);
}

static void
on_choose_workspace (ArEnvironmentEditor *self)
{
  choose_folder (self, _ ("Choose the Host Folder"),
                 gtk_editable_get_text (GTK_EDITABLE (self->workspace_target_row)), workspace_chosen);
}

static void
host_config_chosen (ArEnvironmentEditor *self, const char *path)
{
  gtk_editable_set_text (GTK_EDITABLE (self->host_config_entry), path);
}

static void
on_choose_host_config (ArEnvironmentEditor *self)
{
  choose_folder (self, _ ("Choose the Configuration Folder"),
                 gtk_editable_get_text (GTK_EDITABLE (self->host_config_entry)), host_config_chosen);
}

/* A line host:/mnt/<name>, at the end of the mounts. */
static void
mount_chosen (ArEnvironmentEditor *self, const char *path)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->line_views[FIELD_MOUNTS]));
  g_autofree char *text = ar_environment_editor_buffer_dup_text (buffer);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *line = NULL;
  GtkTextIter end;

  if (g_str_equal (name, "/"))
    {
      g_free (name);
      name = g_strdup ("host");
    }
  line = g_strdup_printf ("%s%s:/mnt/%s\n",
                          *text != '\0' && !g_str_has_suffix (text, "\n") ? "\n" : "", path, name);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
}

static void
on_add_mount_folder (ArEnvironmentEditor *self)
{
  choose_folder (self, _ ("Choose a Folder to Mount"), NULL, mount_chosen);
}

/* ---- the header ---- */

static void
on_narrow_tab_toggled (GtkToggleButton *button,
                       ArEnvironmentEditor *self)
{
  const char *tab = g_object_get_data (G_OBJECT (button), "ar-tab");

  if (gtk_toggle_button_get_active (button) && tab != NULL)
    gtk_stack_set_visible_child_name (self->tabs, tab);
}

static void
on_tab_changed (ArEnvironmentEditor *self)
{
  const char *visible = gtk_stack_get_visible_child_name (self->tabs);

  for (guint i = 0; i < G_N_ELEMENTS (tab_names); i++)
    if (self->narrow_tabs[i] != NULL && g_strcmp0 (visible, tab_names[i]) == 0)
      gtk_toggle_button_set_active (self->narrow_tabs[i], TRUE);
}

static void
on_switcher_squeezed (ArEnvironmentEditor *self)
{
  gtk_widget_set_visible (self->narrow_switcher,
                          adw_squeezer_get_visible_child (self->switcher_squeezer) == self->no_switcher);
}

/* ---- public ---- */

ArEnvStore *
ar_environment_editor_get_store (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), NULL);

  return self->store;
}

void
ar_environment_editor_set_store (ArEnvironmentEditor *self,
                                 ArEnvStore *store)
{
  g_return_if_fail (AR_IS_ENVIRONMENT_EDITOR (self));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

ArEnvironment *
ar_environment_editor_get_environment (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), NULL);

  return self->environment;
}

void
ar_environment_editor_set_environment (ArEnvironmentEditor *self,
                                       ArEnvironment *environment)
{
  g_autoptr(ArEnvironment) draft = NULL;

  g_return_if_fail (AR_IS_ENVIRONMENT_EDITOR (self));
  g_return_if_fail (environment == NULL || AR_IS_ENVIRONMENT (environment));

  /* set_new_environment() sets it again. */
  self->is_new = FALSE;
  forget_reverted (self);
  g_set_object (&self->environment, environment);
  if (environment != NULL)
    draft = ar_environment_copy (environment);
  ar_environment_editor_set_draft (self, draft);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
}

void
ar_environment_editor_set_new_environment (ArEnvironmentEditor *self,
                                           ArEnvironment *environment)
{
  g_return_if_fail (AR_IS_ENVIRONMENT_EDITOR (self));
  g_return_if_fail (AR_IS_ENVIRONMENT (environment));

  self->is_new = TRUE;
  ar_environment_editor_set_environment (self, environment);
  self->is_new = TRUE;
  ar_environment_editor_update_state (self);
}

gboolean
ar_environment_editor_get_is_new (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), FALSE);

  return self->is_new;
}

void
ar_environment_editor_set_show_back_button (ArEnvironmentEditor *self,
                                            gboolean show)
{
  g_return_if_fail (AR_IS_ENVIRONMENT_EDITOR (self));

  gtk_widget_set_visible (self->back_button, show);
}

void
ar_environment_editor_focus_name (ArEnvironmentEditor *self)
{
  g_return_if_fail (AR_IS_ENVIRONMENT_EDITOR (self));

  ar_ui_reveal (self->general_page);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

ArEnvironment *
ar_environment_editor_get_draft (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), NULL);

  return self->draft;
}

gboolean
ar_environment_editor_get_saving (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), FALSE);
  return self->saving;
}

gboolean
ar_environment_editor_get_modified (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), FALSE);

  return self->modified;
}

gboolean
ar_environment_editor_get_has_errors (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), FALSE);

  return self->has_errors;
}

ArPreflightEditor *
ar_environment_editor_get_preflight_editor (ArEnvironmentEditor *self)
{
  g_return_val_if_fail (AR_IS_ENVIRONMENT_EDITOR (self), NULL);

  return self->preflight_editor;
}

/* ---- GObject ---- */

static void
ar_environment_editor_dispose (GObject *object)
{
  ArEnvironmentEditor *self = AR_ENVIRONMENT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  ar_environment_editor_stop_build_user (self);
  if (self->bindings != NULL)
    {
      for (guint i = 0; i < self->bindings->len; i++)
        g_binding_unbind (g_ptr_array_index (self->bindings, i));
      g_clear_pointer (&self->bindings, g_ptr_array_unref);
    }
  if (self->draft != NULL)
    g_signal_handlers_disconnect_by_data (self->draft, self);
  g_clear_object (&self->draft);
  g_clear_pointer (&self->engine_ids, g_strfreev);
  g_clear_object (&self->environment);
  g_clear_object (&self->reverted);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_ENVIRONMENT_EDITOR);

  G_OBJECT_CLASS (ar_environment_editor_parent_class)->dispose (object);
}

static void
ar_environment_editor_get_property (GObject *object,
                                    guint prop_id,
                                    GValue *value,
                                    GParamSpec *pspec)
{
  ArEnvironmentEditor *self = AR_ENVIRONMENT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_ENVIRONMENT: g_value_set_object (value, self->environment); break;
    case PROP_DRAFT: g_value_set_object (value, self->draft); break;
    case PROP_MODIFIED: g_value_set_boolean (value, self->modified); break;
    case PROP_HAS_ERRORS: g_value_set_boolean (value, self->has_errors); break;
    case PROP_SAVING: g_value_set_boolean (value, self->saving); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_environment_editor_set_property (GObject *object,
                                    guint prop_id,
                                    const GValue *value,
                                    GParamSpec *pspec)
{
  ArEnvironmentEditor *self = AR_ENVIRONMENT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE: ar_environment_editor_set_store (self, g_value_get_object (value)); break;
    case PROP_ENVIRONMENT: ar_environment_editor_set_environment (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define BIND_LINE_CHILD(klass, name, field, index)               \
  gtk_widget_class_bind_template_child_full (klass, name, FALSE, \
                                             G_STRUCT_OFFSET (ArEnvironmentEditor, field) + (index) * sizeof (gpointer))

static void
ar_environment_editor_class_init (ArEnvironmentEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_environment_editor_dispose;
  object_class->get_property = ar_environment_editor_get_property;
  object_class->set_property = ar_environment_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, AR_TYPE_ENV_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENVIRONMENT] =
    g_param_spec_object ("environment", NULL, NULL, AR_TYPE_ENVIRONMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRAFT] =
    g_param_spec_object ("draft", NULL, NULL, AR_TYPE_ENVIRONMENT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_ERRORS] =
    g_param_spec_boolean ("has-errors", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAVING] =
    g_param_spec_boolean ("saving", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-environment-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, back_button);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, switcher_squeezer);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, no_switcher);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, narrow_switcher);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, color_dot);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, id_label);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, revert_button);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, tabs);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, general_page);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, container_page);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, color_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, base_image_entry);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, engine_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, workspace_type_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, workspace_target_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, workdir_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, agent_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, agent_args_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, custom_command_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, host_config_entry);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, workspace_choose_button);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, desktop_switch);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, desktop_cache_row);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, desktop_cache_switch);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, caching_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_workspace);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_host_config);
  gtk_widget_class_bind_template_callback (widget_class, on_add_mount_folder);
  gtk_widget_class_bind_template_callback (widget_class, on_switcher_squeezed);
  gtk_widget_class_bind_template_callback (widget_class, on_narrow_tab_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_tab_changed);
  gtk_widget_class_bind_template_child_full (widget_class, "narrow_general", FALSE,
                                             G_STRUCT_OFFSET (ArEnvironmentEditor, narrow_tabs));
  gtk_widget_class_bind_template_child_full (widget_class, "narrow_container", FALSE,
                                             G_STRUCT_OFFSET (ArEnvironmentEditor, narrow_tabs) + sizeof (gpointer));
  gtk_widget_class_bind_template_child_full (widget_class, "narrow_preflight", FALSE,
                                             G_STRUCT_OFFSET (ArEnvironmentEditor, narrow_tabs) + 2 * sizeof (gpointer));
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, max_agents_spin);
  gtk_widget_class_bind_template_child (widget_class, ArEnvironmentEditor, preflight_editor);
  BIND_LINE_CHILD (widget_class, "env_vars_view", line_views, FIELD_ENV_VARS);
  BIND_LINE_CHILD (widget_class, "mounts_view", line_views, FIELD_MOUNTS);
  BIND_LINE_CHILD (widget_class, "ports_view", line_views, FIELD_PORTS);
  BIND_LINE_CHILD (widget_class, "env_vars_errors", line_error_labels, FIELD_ENV_VARS);
  BIND_LINE_CHILD (widget_class, "mounts_errors", line_error_labels, FIELD_MOUNTS);
  BIND_LINE_CHILD (widget_class, "ports_errors", line_error_labels, FIELD_PORTS);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.revert", NULL, revert_action);
  gtk_widget_class_install_action (widget_class, "editor.undo-revert", NULL, undo_revert_action);
}

static void
on_default_base_image_changed (ArEnvironmentEditor *self)
{
  ar_environment_editor_update_build_user (self, FALSE);
}

/* Shown again: the engine may have the image now, or answer now. */
static void
on_map (ArEnvironmentEditor *self)
{
  ar_environment_editor_update_build_user (self, TRUE);
}

static void
ar_environment_editor_init (ArEnvironmentEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bindings = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->settings = ar_ui_settings_new ();

  ar_environment_editor_setup_combo_models (self);

  for (guint i = 0; i < N_LINE_FIELDS; i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->line_views[i]));

      ar_ui_setup_script_view (self->line_views[i], FALSE);
      g_object_set_data (G_OBJECT (buffer), "ar-field", GUINT_TO_POINTER (i));
      g_signal_connect (buffer, "changed", G_CALLBACK (ar_environment_editor_on_line_buffer_changed), self);
    }
  g_signal_connect_swapped (self->custom_command_row, "changed", G_CALLBACK (ar_environment_editor_on_custom_command_changed), self);
  g_signal_connect_swapped (self->agent_args_row, "changed", G_CALLBACK (ar_environment_editor_on_agent_args_changed), self);
  g_object_bind_property (self->desktop_switch, "active", self->desktop_cache_row, "sensitive", G_BINDING_SYNC_CREATE);
  ar_ui_spin_button_show_unlimited (self->max_agents_spin);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  g_signal_connect_swapped (self->engine_row, "notify::selected", G_CALLBACK (ar_environment_editor_on_engine_selected),
                            self);

  if (self->settings != NULL)
    {
      g_signal_connect_swapped (self->settings, "changed::default-base-image",
                                G_CALLBACK (ar_environment_editor_update_base_image_placeholder), self);
      g_signal_connect_swapped (self->settings, "changed::default-base-image",
                                G_CALLBACK (on_default_base_image_changed), self);
      g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (ar_environment_editor_update_agent_fields), self);
      g_signal_connect_swapped (self->settings, "changed::engines", G_CALLBACK (ar_environment_editor_update_engine_row),
                                self);
    }
  ar_environment_editor_update_base_image_placeholder (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.undo-revert", FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (tab_names); i++)
    g_object_set_data (G_OBJECT (self->narrow_tabs[i]), "ar-tab", (gpointer) tab_names[i]);
  on_tab_changed (self);

  load_draft (self);
  on_switcher_squeezed (self);
}

GtkWidget *
ar_environment_editor_new (void)
{
  return g_object_new (AR_TYPE_ENVIRONMENT_EDITOR, NULL);
}
