/* ar-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-engine-dialog.h"
#include "ar-environment.h"
#include "ar-preferences-window.h"
#include "ar-settings.h"
#include "ar-ui.h"

struct _ArPreferencesWindow {
  AdwPreferencesWindow parent_instance;

  GSettings *settings;

  AdwEntryRow *base_image_row;
  AdwComboRow *pull_policy_row;
  GtkSpinButton *build_timeout_spin;
  AdwComboRow *engine_row;
  GtkEntry *engine_host_entry;
  GtkListBox *engines_list;
  GtkButton *add_engine_button;
  GtkSpinButton *max_tasks_spin;
  GtkSwitch *preflight_switch;
  GtkSourceView *preflight_view;
  GtkEntry *codex_entry;
  GtkEntry *claude_entry;
  GtkEntry *copilot_entry;
  GtkEntry *gemini_entry;
  GtkEntry *desktop_scripts_entry;
};

G_DEFINE_FINAL_TYPE (ArPreferencesWindow, ar_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The combo rows list an enum's values in schema order. */
static const char *const engine_nicks[] = { "auto", "docker", "podman", NULL };
static const char *const pull_policy_nicks[] = { "missing", "always", "never", NULL };

static gboolean
nick_to_index (GValue *value,
               GVariant *variant,
               gpointer user_data)
{
  const char *const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
index_to_nick (const GValue *value,
               const GVariantType *expected_type,
               gpointer user_data)
{
  const char *const *nicks = user_data;
  guint index = g_value_get_uint (value);

  if (index >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[index]);
}

static void
bind_enum (ArPreferencesWindow *self,
           const char *key,
           AdwComboRow *row,
           const char *const *nicks)
{
  g_settings_bind_with_mapping (self->settings, key, row, "selected", G_SETTINGS_BIND_DEFAULT,
                                nick_to_index, index_to_nick, (gpointer) nicks, NULL);
}

static void
set_folder_placeholder (GtkEntry *entry, const char *agent)
{
  g_autofree char *folder = ar_environment_default_host_config_dir (agent);
  g_autofree char *shown = ar_ui_tilde_path (folder);

  gtk_entry_set_placeholder_text (entry, shown);
}

/* ---- other engines (design.md §7) ---------------------------------------- */

static const char *
kind_label (const char *kind)
{
  return g_strcmp0 (kind, "podman") == 0 ? _ ("Podman") : _ ("Docker");
}

static const char *
folders_label (const char *folders)
{
  if (g_strcmp0 (folders, "shared") == 0)
    return _ ("shares this computer’s folders");
  if (g_strcmp0 (folders, "not-shared") == 0)
    return _ ("copies files in and out");
  return _ ("folders: automatic");
}

static void
open_engine_dialog (ArPreferencesWindow *self, const char *editing)
{
  GtkWidget *dialog = ar_engine_dialog_new (GTK_WINDOW (self), self->settings, editing);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_add_engine (ArPreferencesWindow *self)
{
  open_engine_dialog (self, NULL);
}

static void
on_edit_engine (GtkButton *button, ArPreferencesWindow *self)
{
  open_engine_dialog (self, g_object_get_data (G_OBJECT (button), "engine-name"));
}

static void
on_remove_engine (GtkButton *button, ArPreferencesWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "engine-name");
  g_autoptr(GVariant) value = g_settings_get_value (self->settings, "engines");
  g_autoptr(GPtrArray) engines = ar_settings_engines_from_variant (value);
  g_autofree char *message = NULL;

  for (guint i = 0; i < engines->len; i++)
    if (g_str_equal (((ArEngineEntry *) g_ptr_array_index (engines, i))->name, name))
      {
        message = g_strdup_printf (_ ("Engine “%s” removed"), name);
        g_ptr_array_remove_index (engines, i);
        break;
      }
  if (message == NULL)
    return;
  /* The rows are made again: the keyboard goes on from the Add button. */
  gtk_widget_grab_focus (GTK_WIDGET (self->add_engine_button));
  g_settings_set_value (self->settings, "engines", ar_settings_engines_to_variant (engines));
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static GtkWidget *
engine_button (const char *icon, const char *tooltip, const char *label, const char *name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (button), "engine-name", g_strdup (name), g_free);
  return button;
}

static void
fill_engines (ArPreferencesWindow *self)
{
  g_autoptr(GVariant) value = g_settings_get_value (self->settings, "engines");
  g_autoptr(GPtrArray) engines = ar_settings_engines_from_variant (value);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->engines_list))) != NULL)
    gtk_list_box_remove (self->engines_list, child);
  for (guint i = 0; i < engines->len; i++)
    {
      const ArEngineEntry *entry = g_ptr_array_index (engines, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = g_strdup_printf ("%s · %s · %s", entry->endpoint, kind_label (entry->kind),
                                                   folders_label (entry->folders));
      g_autofree char *edit_label = g_strdup_printf (_ ("Edit engine “%s”"), entry->name);
      g_autofree char *remove_label = g_strdup_printf (_ ("Remove engine “%s”"), entry->name);
      GtkWidget *edit = engine_button ("document-edit-symbolic", _ ("Edit"), edit_label, entry->name);
      GtkWidget *remove = engine_button ("user-trash-symbolic", _ ("Remove"), remove_label, entry->name);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entry->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
      g_signal_connect (edit, "clicked", G_CALLBACK (on_edit_engine), self);
      g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_engine), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_append (self->engines_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->engines_list), engines->len > 0);
}

static void
ar_preferences_window_constructed (GObject *object)
{
  ArPreferencesWindow *self = AR_PREFERENCES_WINDOW (object);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->preflight_view));

  G_OBJECT_CLASS (ar_preferences_window_parent_class)->constructed (object);

  g_return_if_fail (G_IS_SETTINGS (self->settings));

  g_settings_bind (self->settings, "default-base-image", self->base_image_row, "text", G_SETTINGS_BIND_DEFAULT);
  bind_enum (self, "pull-policy", self->pull_policy_row, pull_policy_nicks);
  g_settings_bind (self->settings, "build-timeout",
                   gtk_spin_button_get_adjustment (self->build_timeout_spin), "value", G_SETTINGS_BIND_DEFAULT);
  bind_enum (self, "engine", self->engine_row, engine_nicks);
  g_settings_bind (self->settings, "engine-host", self->engine_host_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-concurrent-tasks",
                   gtk_spin_button_get_adjustment (self->max_tasks_spin), "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "preflight-enabled", self->preflight_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "preflight-script", buffer, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "codex-config-dir", self->codex_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "claude-config-dir", self->claude_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "copilot-config-dir", self->copilot_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "gemini-config-dir", self->gemini_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "desktop-scripts-dir", self->desktop_scripts_entry, "text", G_SETTINGS_BIND_DEFAULT);

  fill_engines (self);
  g_signal_connect_object (self->settings, "changed::engines", G_CALLBACK (fill_engines), self, G_CONNECT_SWAPPED);

  /* Loading the saved script is not an edit that Ctrl+Z undoes. */
  gtk_text_buffer_set_enable_undo (buffer, FALSE);
  gtk_text_buffer_set_enable_undo (buffer, TRUE);
}

static void
ar_preferences_window_dispose (GObject *object)
{
  ArPreferencesWindow *self = AR_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ar_preferences_window_parent_class)->dispose (object);
}

static void
ar_preferences_window_get_property (GObject *object,
                                    guint prop_id,
                                    GValue *value,
                                    GParamSpec *pspec)
{
  ArPreferencesWindow *self = AR_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: g_value_set_object (value, self->settings); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_preferences_window_set_property (GObject *object,
                                    guint prop_id,
                                    const GValue *value,
                                    GParamSpec *pspec)
{
  ArPreferencesWindow *self = AR_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: self->settings = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_preferences_window_class_init (ArPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ar_preferences_window_constructed;
  object_class->dispose = ar_preferences_window_dispose;
  object_class->get_property = ar_preferences_window_get_property;
  object_class->set_property = ar_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, base_image_row);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, pull_policy_row);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, build_timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, engine_row);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, engine_host_entry);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, engines_list);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, add_engine_button);
  gtk_widget_class_bind_template_callback (widget_class, on_add_engine);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, max_tasks_spin);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, preflight_switch);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, preflight_view);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, codex_entry);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, claude_entry);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, copilot_entry);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, gemini_entry);
  gtk_widget_class_bind_template_child (widget_class, ArPreferencesWindow, desktop_scripts_entry);
}

/* libadwaita 1.2 gives its own search button only a tooltip, and its
 * search entry nothing, for a screen reader to say. */
static void
name_search (ArPreferencesWindow *self)
{
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW, "search_button");
  GObject *entry = gtk_widget_get_template_child (GTK_WIDGET (self), ADW_TYPE_PREFERENCES_WINDOW, "search_entry");

  if (GTK_IS_ACCESSIBLE (button))
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Search"), -1);
  if (GTK_IS_ACCESSIBLE (entry))
    gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Search preferences"), -1);
}

static void
ar_preferences_window_init (ArPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ar_ui_setup_script_view (self->preflight_view, TRUE);
  /* Tab moves on to the next control, as in the environment editor's
   * scripts: a script view that kept it would be a dead end for the
   * keyboard (indentation is kept from line to line). */
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self->preflight_view), FALSE);
  ar_ui_spin_button_show_unlimited (self->max_tasks_spin);
  name_search (self);
  set_folder_placeholder (self->codex_entry, "codex");
  set_folder_placeholder (self->claude_entry, "claude");
  set_folder_placeholder (self->copilot_entry, "copilot");
  set_folder_placeholder (self->gemini_entry, "gemini");
}

ArPreferencesWindow *
ar_preferences_window_new (GSettings *settings)
{
  return g_object_new (AR_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
