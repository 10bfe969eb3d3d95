/* ar-ui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ar-auto-split-dialog.h"
#include "ar-environment-editor.h"
#include "ar-environment-row.h"
#include "ar-environments-page.h"
#include "ar-preflight-editor.h"
#include "ar-settings.h"
#include "ar-ui-resources.h"
#include "ar-ui.h"

void
ar_ui_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      ar_ui_register_resource ();
      gtk_source_init ();
      g_type_ensure (GTK_SOURCE_TYPE_VIEW);
      g_type_ensure (AR_TYPE_PREFLIGHT_EDITOR);
      g_type_ensure (AR_TYPE_ENVIRONMENT_EDITOR);
      g_type_ensure (AR_TYPE_ENVIRONMENT_ROW);
      g_type_ensure (AR_TYPE_ENVIRONMENTS_PAGE);
      g_type_ensure (AR_TYPE_AUTO_SPLIT_DIALOG);
      g_once_init_leave (&initialized, 1);
    }
}

GSettings *
ar_ui_settings_new (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, AR_SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

void
ar_ui_reveal (GtkWidget *widget)
{
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();

  for (GtkWidget *w = widget; w != NULL; w = gtk_widget_get_parent (w))
    g_ptr_array_add (chain, w);

  /* Outermost first: switching a stack page that is itself hidden leaks
   * the text views in it in GTK 4.8. */
  for (guint i = chain->len - 1; i > 0; i--)
    {
      GtkWidget *parent = g_ptr_array_index (chain, i);
      GtkWidget *child = g_ptr_array_index (chain, i - 1);

      if (GTK_IS_STACK (parent))
        gtk_stack_set_visible_child (GTK_STACK (parent), child);
      else if (ADW_IS_VIEW_STACK (parent))
        adw_view_stack_set_visible_child (ADW_VIEW_STACK (parent), child);
      else if (GTK_IS_NOTEBOOK (parent))
        {
          int page = gtk_notebook_page_num (GTK_NOTEBOOK (parent), child);

          if (page >= 0)
            gtk_notebook_set_current_page (GTK_NOTEBOOK (parent), page);
        }
    }
}

void
ar_ui_add_toast (GtkWidget *widget, AdwToast *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (toast);
}

GtkWindow *
ar_ui_get_window (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
update_scheme (GtkSourceBuffer *buffer)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";

  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

void
ar_ui_setup_script_view (GtkSourceView *view, gboolean shell_language)
{
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)));

  if (shell_language)
    {
      GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();

      gtk_source_buffer_set_language (buffer, gtk_source_language_manager_get_language (languages, "sh"));
      gtk_source_buffer_set_highlight_syntax (buffer, TRUE);
    }
  gtk_source_view_set_show_line_numbers (view, TRUE);
  gtk_source_view_set_tab_width (view, 2);
  gtk_source_view_set_auto_indent (view, TRUE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);

  update_scheme (buffer);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_scheme), buffer, G_CONNECT_SWAPPED);
}

char *
ar_ui_tilde_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize len = strlen (home);

  if (path != NULL && len > 1 && g_str_has_prefix (path, home) &&
      (path[len] == '/' || path[len] == '\0'))
    return g_strconcat ("~", path + len, NULL);
  return g_strdup (path);
}

static gboolean
on_spin_output (GtkSpinButton *spin_button)
{
  if (gtk_spin_button_get_value_as_int (spin_button) != -1)
    return FALSE;
  /* Translators: a maximum of -1, shown in a number field */
  gtk_editable_set_text (GTK_EDITABLE (spin_button), _("Unlimited"));
  return TRUE;
}

static int
on_spin_input (GtkSpinButton *spin_button, double *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin_button));

  if (g_strcmp0 (text, _("Unlimited")) != 0)
    return FALSE;
  *value = -1;
  return TRUE;
}

void
ar_ui_spin_button_show_unlimited (GtkSpinButton *spin_button)
{
  g_signal_connect (spin_button, "output", G_CALLBACK (on_spin_output), NULL);
  g_signal_connect (spin_button, "input", G_CALLBACK (on_spin_input), NULL);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin_button), 9);
  gtk_spin_button_update (spin_button);
}

char *
ar_ui_color_css_class (const char *color)
{
  return g_strdup_printf ("ar-color-%s", color != NULL && *color ? color : "emerald");
}

const char *
ar_ui_color_label (const char *color)
{
  static const struct { const char *id; const char *label; } labels[] = {
    { "slate", N_("Slate") }, { "cyan", N_("Cyan") }, { "emerald", N_("Emerald") },
    { "violet", N_("Violet") }, { "rose", N_("Rose") }, { "amber", N_("Amber") },
    { "blue", N_("Blue") }, { "teal", N_("Teal") }, { "lime", N_("Lime") },
    { "fuchsia", N_("Fuchsia") }, { "indigo", N_("Indigo") }, { "orange", N_("Orange") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].id, color) == 0)
      return _(labels[i].label);
  return color;
}
