/* ar-engine-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-engine-dialog.h"
#include "ar-settings.h"

struct _ArEngineDialog {
  AdwWindow parent_instance;

  GSettings *settings;
  char *editing; /* NULL: a new engine */
  char *error;

  AdwWindowTitle *window_title;
  GtkLabel *error_label;
  AdwEntryRow *name_row;
  AdwEntryRow *endpoint_row;
  AdwComboRow *kind_row;
  AdwComboRow *folders_row;
  GtkWidget *save_button;
};

G_DEFINE_FINAL_TYPE (ArEngineDialog, ar_engine_dialog, ADW_TYPE_WINDOW)

/* In the order of the combo rows' items. */
static const char *const kinds[] = { "docker", "podman", NULL };
static const char *const folders[] = { "auto", "shared", "not-shared", NULL };

static guint
index_of (const char *const *values, const char *value)
{
  for (guint i = 0; values[i] != NULL; i++)
    if (g_strcmp0 (values[i], value) == 0)
      return i;
  return 0;
}

static GPtrArray *
read_engines (ArEngineDialog *self)
{
  g_autoptr(GVariant) value = g_settings_get_value (self->settings, "engines");

  return ar_settings_engines_from_variant (value);
}

static void
show_error (ArEngineDialog *self, const char *message, GtkWidget *focus)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  /* Read out when it appears, and kept as the row's description. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (focus), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (focus), GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE, -1);
  gtk_widget_grab_focus (focus);
}

/* An edit makes the last refusal stale. */
static void
on_edited (ArEngineDialog *self)
{
  if (self->error == NULL)
    return;
  g_clear_pointer (&self->error, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->name_row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->endpoint_row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->name_row), GTK_ACCESSIBLE_STATE_INVALID);
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->endpoint_row), GTK_ACCESSIBLE_STATE_INVALID);
}

static void
on_save_clicked (ArEngineDialog *self)
{
  g_autoptr(GPtrArray) engines = read_engines (self);
  g_autoptr(ArSettings) check = ar_settings_new_default ();
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *endpoint = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->endpoint_row))));
  guint kind = adw_combo_row_get_selected (self->kind_row);
  guint folder = adw_combo_row_get_selected (self->folders_row);
  g_autoptr(ArEngineEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  gboolean replaced = FALSE;

  entry = ar_engine_entry_new (name, endpoint, kinds[MIN (kind, G_N_ELEMENTS (kinds) - 2)],
                               folders[MIN (folder, G_N_ELEMENTS (folders) - 2)]);
  g_ptr_array_unref (check->engines);
  check->engines = g_ptr_array_ref (engines);
  if (!ar_settings_validate_engine (check, entry, self->editing, &error))
    {
      g_autoptr(GError) endpoint_error = NULL;
      /* The row the message is about: the address's, or the name's. */
      GtkWidget *focus = !ar_engine_entry_validate_endpoint (endpoint, &endpoint_error) &&
                             g_str_equal (endpoint_error->message, error->message)
                           ? GTK_WIDGET (self->endpoint_row)
                           : GTK_WIDGET (self->name_row);

      show_error (self, error->message, focus);
      return;
    }
  for (guint i = 0; i < engines->len && self->editing != NULL; i++)
    {
      ArEngineEntry *old = g_ptr_array_index (engines, i);

      if (g_str_equal (old->name, self->editing))
        {
          /* In place: the list keeps its order. */
          engines->pdata[i] = g_steal_pointer (&entry);
          ar_engine_entry_free (old);
          replaced = TRUE;
          break;
        }
    }
  if (!replaced)
    g_ptr_array_add (engines, g_steal_pointer (&entry));
  g_settings_set_value (self->settings, "engines", ar_settings_engines_to_variant (engines));
  gtk_window_close (GTK_WINDOW (self));
}

const char *
ar_engine_dialog_get_error (ArEngineDialog *self)
{
  g_return_val_if_fail (AR_IS_ENGINE_DIALOG (self), NULL);
  return self->error;
}

static void
ar_engine_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), AR_TYPE_ENGINE_DIALOG);
  G_OBJECT_CLASS (ar_engine_dialog_parent_class)->dispose (object);
}

static void
ar_engine_dialog_finalize (GObject *object)
{
  ArEngineDialog *self = AR_ENGINE_DIALOG (object);

  g_clear_object (&self->settings);
  g_free (self->editing);
  g_free (self->error);
  G_OBJECT_CLASS (ar_engine_dialog_parent_class)->finalize (object);
}

static void
ar_engine_dialog_class_init (ArEngineDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_engine_dialog_dispose;
  object_class->finalize = ar_engine_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-engine-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ArEngineDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ArEngineDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ArEngineDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, ArEngineDialog, endpoint_row);
  gtk_widget_class_bind_template_child (widget_class, ArEngineDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, ArEngineDialog, folders_row);
  gtk_widget_class_bind_template_child (widget_class, ArEngineDialog, save_button);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_edited);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ar_engine_dialog_init (ArEngineDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ar_engine_dialog_new (GtkWindow *parent, GSettings *settings, const char *editing)
{
  ArEngineDialog *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (AR_TYPE_ENGINE_DIALOG, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  self->editing = g_strdup (editing);
  if (editing != NULL)
    {
      g_autoptr(GPtrArray) engines = read_engines (self);

      adw_window_title_set_title (self->window_title, _ ("Edit Engine"));
      gtk_window_set_title (GTK_WINDOW (self), _ ("Edit Engine"));
      for (guint i = 0; i < engines->len; i++)
        {
          ArEngineEntry *entry = g_ptr_array_index (engines, i);

          if (!g_str_equal (entry->name, editing))
            continue;
          gtk_editable_set_text (GTK_EDITABLE (self->name_row), entry->name);
          gtk_editable_set_text (GTK_EDITABLE (self->endpoint_row), entry->endpoint);
          adw_combo_row_set_selected (self->kind_row, index_of (kinds, entry->kind));
          adw_combo_row_set_selected (self->folders_row, index_of (folders, entry->folders));
        }
    }
  else
    gtk_window_set_title (GTK_WINDOW (self), _ ("Add Engine"));
  return GTK_WIDGET (self);
}
