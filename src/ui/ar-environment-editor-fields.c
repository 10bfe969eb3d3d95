/* ar-environment-editor-fields.c — the fields: combo rows bound to the
 * draft, fields that follow others, the line fields (env vars, mounts,
 * ports) and the command lines
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

/* The draft's property each line field edits. */
const char *const ar_environment_editor_line_field_props[N_LINE_FIELDS] = {
  "env-vars",
  "extra-mounts",
  "ports",
};

/* ---- combo rows ---- */

static gboolean
string_to_index (GBinding *binding,
                 const GValue *from,
                 GValue *to,
                 gpointer user_data)
{
  const char *const *ids = user_data;
  const char *value = g_value_get_string (from);

  for (guint i = 0; ids[i] != NULL; i++)
    if (g_strcmp0 (ids[i], value) == 0)
      {
        g_value_set_uint (to, i);
        return TRUE;
      }
  return FALSE;
}

static gboolean
index_to_string (GBinding *binding,
                 const GValue *from,
                 GValue *to,
                 gpointer user_data)
{
  const char *const *ids = user_data;
  guint index = g_value_get_uint (from);

  if (index >= g_strv_length ((char **) ids))
    return FALSE;
  g_value_set_string (to, ids[index]);
  return TRUE;
}

void
ar_environment_editor_bind_combo (ArEnvironmentEditor *self,
                                  const char *property,
                                  AdwComboRow *row,
                                  const char *const *ids)
{
  g_ptr_array_add (self->bindings,
                   g_object_bind_property_full (self->draft, property, row, "selected",
                                                G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                                string_to_index, index_to_string,
                                                (gpointer) ids, NULL));
}

void
ar_environment_editor_bind (ArEnvironmentEditor *self,
                            const char *property,
                            gpointer target,
                            const char *target_property)
{
  g_ptr_array_add (self->bindings,
                   g_object_bind_property (self->draft, property, target, target_property,
                                           G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
}

static void
color_setup (GtkSignalListItemFactory *factory,
             GtkListItem *item,
             gpointer user_data)
{
  gtk_list_item_set_child (item, ar_ui_color_dot_row_new (FALSE));
}

static void
color_bind (GtkSignalListItemFactory *factory,
            GtkListItem *item,
            gpointer user_data)
{
  const char *color = gtk_string_object_get_string (gtk_list_item_get_item (item));

  ar_ui_color_dot_row_set (gtk_list_item_get_child (item), color, ar_ui_color_label (color));
}

void
ar_environment_editor_setup_combo_models (ArEnvironmentEditor *self)
{
  g_autoptr(GtkStringList) colors = gtk_string_list_new ((const char *const *) ar_environment_colors ());
  g_autoptr(GtkStringList) workspaces = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) agents = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  const char *const *agent_ids = ar_environment_agents ();

  g_signal_connect (factory, "setup", G_CALLBACK (color_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (color_bind), NULL);
  adw_combo_row_set_factory (self->color_row, factory);
  adw_combo_row_set_model (self->color_row, G_LIST_MODEL (colors));

  for (guint i = 0; ar_workspace_type_ids ()[i] != NULL; i++)
    gtk_string_list_append (workspaces, ar_workspace_type_display_name ((ArWorkspaceType) i));
  adw_combo_row_set_model (self->workspace_type_row, G_LIST_MODEL (workspaces));

  for (guint i = 0; agent_ids[i] != NULL; i++)
    gtk_string_list_append (agents, ar_agent_display_name (agent_ids[i]));
  adw_combo_row_set_model (self->agent_row, G_LIST_MODEL (agents));
}

/* ---- fields that depend on others ---- */

void
ar_environment_editor_update_workspace_fields (ArEnvironmentEditor *self)
{
  ArWorkspaceType type = self->draft != NULL ? ar_environment_get_workspace_kind (self->draft) : AR_WORKSPACE_NONE;

  if (type == AR_WORKSPACE_MOUNTED)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->workspace_target_row), _ ("Host _folder"));
  else if (type == AR_WORKSPACE_CLONED)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->workspace_target_row), _ ("_Repository (owner/repo or URL)"));
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->workspace_target_row), _ ("Target (not used without a workspace)"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->workspace_target_row), type != AR_WORKSPACE_NONE);
  gtk_widget_set_visible (self->workspace_choose_button, type == AR_WORKSPACE_MOUNTED);
}

void
ar_environment_editor_update_agent_fields (ArEnvironmentEditor *self)
{
  const char *agent = self->draft != NULL ? ar_environment_get_agent_cli (self->draft) : "codex";
  g_autofree char *placeholder = NULL;
  g_autofree char *key = g_strdup_printf ("%s-config-dir", agent);
  gboolean custom = g_str_equal (agent, "custom");

  gtk_widget_set_visible (GTK_WIDGET (self->custom_command_row), custom);
  gtk_widget_set_visible (GTK_WIDGET (self->agent_args_row), !custom);

  if (self->settings != NULL && !custom)
    {
      g_autoptr(GSettingsSchema) schema = NULL;

      g_object_get (self->settings, "settings-schema", &schema, NULL);
      if (g_settings_schema_has_key (schema, key))
        placeholder = g_settings_get_string (self->settings, key);
    }
  if (placeholder == NULL || *placeholder == '\0')
    {
      g_autofree char *folder = ar_environment_default_host_config_dir (agent);

      g_free (placeholder);
      placeholder = ar_ui_tilde_path (folder);
    }
  gtk_entry_set_placeholder_text (self->host_config_entry, placeholder);
}

void
ar_environment_editor_update_base_image_placeholder (ArEnvironmentEditor *self)
{
  g_autofree char *image = NULL;

  if (self->settings != NULL)
    image = g_settings_get_string (self->settings, "default-base-image");
  if (image == NULL || *image == '\0')
    {
      g_free (image);
      image = g_strdup (AR_DEFAULT_BASE_IMAGE);
    }
  gtk_entry_set_placeholder_text (self->base_image_entry, image);
}

/* Whether the engine row already shows the draft's engine (its own
 * selection set it): its model must not be replaced from inside that. */
static gboolean
engine_row_shows_draft (ArEnvironmentEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->engine_row);

  return self->engine_ids != NULL && selected < g_strv_length (self->engine_ids) &&
         g_str_equal (self->engine_ids[selected], ar_environment_get_engine (self->draft));
}

void
ar_environment_editor_on_draft_notify (ArEnvironment *draft,
                                       GParamSpec *pspec,
                                       ArEnvironmentEditor *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "workspace-type"))
    ar_environment_editor_update_workspace_fields (self);
  else if (g_str_equal (name, "engine") && !engine_row_shows_draft (self))
    ar_environment_editor_update_engine_row (self);
  else if (g_str_equal (name, "agent-cli"))
    ar_environment_editor_update_agent_fields (self);
  else if (g_str_equal (name, "base-image"))
    ar_environment_editor_update_build_user (self, FALSE);

  ar_environment_editor_update_state (self);
}

/* ---- the engine ---- */

void
ar_environment_editor_update_engine_row (ArEnvironmentEditor *self)
{
  g_autoptr(GtkStringList) items = gtk_string_list_new (NULL);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GPtrArray) engines = NULL;
  const char *wanted = self->draft != NULL ? ar_environment_get_engine (self->draft) : "";
  gboolean known = ar_engine_name_is_local (wanted);
  guint selected = 0;
  guint n = 1;

  if (self->settings != NULL)
    {
      g_autoptr(GVariant) value = g_settings_get_value (self->settings, "engines");

      engines = ar_settings_engines_from_variant (value);
    }
  gtk_string_list_append (items, ar_engine_display_name (""));
  g_strv_builder_add (ids, "");
  for (guint i = 0; engines != NULL && i < engines->len; i++, n++)
    {
      const ArEngineEntry *entry = g_ptr_array_index (engines, i);

      gtk_string_list_append (items, entry->name);
      g_strv_builder_add (ids, entry->name);
      if (g_str_equal (entry->name, wanted))
        {
          selected = n;
          known = TRUE;
        }
    }
  if (!known)
    {
      /* Kept as it is, and said: its tasks would fail at start. */
      g_autofree char *shown = g_strdup_printf (_ ("%s (missing)"), wanted);

      gtk_string_list_append (items, shown);
      g_strv_builder_add (ids, wanted);
      selected = n;
    }
  g_strfreev (self->engine_ids);
  self->engine_ids = g_strv_builder_end (ids);

  self->filling_engines = TRUE;
  adw_combo_row_set_model (self->engine_row, G_LIST_MODEL (items));
  adw_combo_row_set_selected (self->engine_row, selected);
  self->filling_engines = FALSE;

  if (!known)
    {
      g_autofree char *warning = g_strdup_printf (_ ("There is no engine named “%s” in Preferences: its tasks "
                                                     "will not start. Add it there, or choose another engine."),
                                                  wanted);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->engine_row), warning);
      gtk_widget_add_css_class (GTK_WIDGET (self->engine_row), "ar-engine-unknown");
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->engine_row),
                                   n > 1 ? _ ("Where this environment's tasks run and its images are kept") : "");
      gtk_widget_remove_css_class (GTK_WIDGET (self->engine_row), "ar-engine-unknown");
    }
  /* With only the local engine there is nothing to choose. */
  gtk_widget_set_visible (GTK_WIDGET (self->engine_row), n > 1 || !known);
}

void
ar_environment_editor_on_engine_selected (ArEnvironmentEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->engine_row);

  if (self->filling_engines || self->draft == NULL || self->engine_ids == NULL ||
      selected >= g_strv_length (self->engine_ids))
    return;
  ar_environment_set_engine (self->draft, self->engine_ids[selected]);
}

/* ---- line fields and the command line ---- */

char *
ar_environment_editor_buffer_dup_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

void
ar_environment_editor_on_line_buffer_changed (GtkTextBuffer *buffer,
                                              ArEnvironmentEditor *self)
{
  LineField field = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (buffer), "ar-field"));
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = ar_environment_editor_buffer_dup_text (buffer);
  g_auto(GStrv) items = NULL;

  switch (field)
    {
    case FIELD_ENV_VARS: items = ar_container_lines_parse_env_vars (text, errors); break;
    case FIELD_MOUNTS: items = ar_container_lines_parse_mounts (text, errors); break;
    case FIELD_PORTS: items = ar_container_lines_parse_ports (text, errors); break;
    case N_LINE_FIELDS:
    default: g_assert_not_reached ();
    }

  self->line_errors[field] = errors->len > 0;
  if (errors->len > 0)
    {
      g_autofree char *message = NULL;

      g_ptr_array_add (errors, NULL);
      message = g_strjoinv ("\n", (char **) errors->pdata);
      gtk_label_set_label (self->line_error_labels[field], message);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->line_error_labels[field]), self->line_errors[field]);

  /* A field with errors keeps the draft's last good value; Save refuses
   * until the lines are fixed. */
  if (!self->line_errors[field] && !self->loading && self->draft != NULL)
    g_object_set (self->draft, ar_environment_editor_line_field_props[field], items, NULL);

  ar_environment_editor_update_state (self);
}

void
ar_environment_editor_on_custom_command_changed (ArEnvironmentEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ar_shell_split (gtk_editable_get_text (GTK_EDITABLE (self->custom_command_row)), &error);

  self->command_error = argv == NULL;
  if (argv == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->custom_command_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->custom_command_row), error->message);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->custom_command_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->custom_command_row), NULL);
      if (!self->loading && self->draft != NULL)
        ar_environment_set_custom_command (self->draft, (const char *const *) argv);
    }
  ar_environment_editor_update_state (self);
}

void
ar_environment_editor_on_agent_args_changed (ArEnvironmentEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ar_shell_split (gtk_editable_get_text (GTK_EDITABLE (self->agent_args_row)), &error);

  /* The value is kept as typed; only show whether it splits. */
  self->args_error = argv == NULL;
  if (argv == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->agent_args_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->agent_args_row), error->message);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->agent_args_row), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->agent_args_row), NULL);
    }
  ar_environment_editor_update_state (self);
}
