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
#include "ar-images-page.h"
#include "ar-log-view.h"
#include "ar-new-task-page.h"
#include "ar-preflight-editor.h"
#include "ar-task-row.h"
#include "ar-task-view.h"
#include "ar-tasks-page.h"
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
      g_type_ensure (AR_TYPE_LOG_VIEW);
      g_type_ensure (AR_TYPE_TASK_ROW);
      g_type_ensure (AR_TYPE_TASK_VIEW);
      g_type_ensure (AR_TYPE_TASKS_PAGE);
      g_type_ensure (AR_TYPE_NEW_TASK_PAGE);
      g_type_ensure (AR_TYPE_IMAGES_PAGE);
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
  gtk_editable_set_text (GTK_EDITABLE (spin_button), _ ("Unlimited"));
  return TRUE;
}

static int
on_spin_input (GtkSpinButton *spin_button, double *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin_button));

  if (g_strcmp0 (text, _ ("Unlimited")) != 0)
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
  static const struct {
    const char *id;
    const char *label;
  } labels[] = {
    { "slate", N_ ("Slate") },
    { "cyan", N_ ("Cyan") },
    { "emerald", N_ ("Emerald") },
    { "violet", N_ ("Violet") },
    { "rose", N_ ("Rose") },
    { "amber", N_ ("Amber") },
    { "blue", N_ ("Blue") },
    { "teal", N_ ("Teal") },
    { "lime", N_ ("Lime") },
    { "fuchsia", N_ ("Fuchsia") },
    { "indigo", N_ ("Indigo") },
    { "orange", N_ ("Orange") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].id, color) == 0)
      return _ (labels[i].label);
  return color;
}

char *
ar_ui_format_duration (double seconds)
{
  gint64 total = seconds > 0 ? (gint64) (seconds + 0.5) : 0;

  if (total < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_ ("%d s"), (int) total);
  if (total < 3600)
    /* Translators: a duration in minutes and seconds */
    return g_strdup_printf (_ ("%d min %02d s"), (int) (total / 60), (int) (total % 60));
  /* Translators: a duration in hours and minutes */
  return g_strdup_printf (_ ("%d h %02d min"), (int) (total / 3600), (int) (total % 3600 / 60));
}

char *
ar_ui_format_time (gint64 unix_seconds, const char *never_text)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) yesterday = NULL;

  if (unix_seconds <= 0)
    return g_strdup (never_text);
  time = g_date_time_new_from_unix_local (unix_seconds);
  if (time == NULL)
    return g_strdup (never_text);
  now = g_date_time_new_now_local ();
  yesterday = g_date_time_add_days (now, -1);

  if (g_date_time_get_year (time) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
    {
      g_autofree char *clock = g_date_time_format (time, "%H:%M");

      /* Translators: %s is a time of day */
      return g_strdup_printf (_ ("Today %s"), clock);
    }
  if (g_date_time_get_year (time) == g_date_time_get_year (yesterday) &&
      g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (yesterday))
    {
      g_autofree char *clock = g_date_time_format (time, "%H:%M");

      /* Translators: %s is a time of day */
      return g_strdup_printf (_ ("Yesterday %s"), clock);
    }
  return g_date_time_format (time, "%Y-%m-%d %H:%M");
}

void
ar_ui_set_state_badge (GtkLabel *label, ArTaskState state)
{
  g_autofree char *state_class = g_strdup_printf ("ar-state-%s", ar_task_state_to_string (state));

  gtk_label_set_label (label, ar_task_state_to_label (state));
  gtk_widget_set_css_classes (GTK_WIDGET (label), (const char *[]){ "ar-state-badge", state_class, NULL });
}

GtkWidget *
ar_ui_color_dot_row_new (gboolean ellipsize)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *dot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (ellipsize)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), dot);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

void
ar_ui_color_dot_row_set (GtkWidget *row,
                         const char *color,
                         const char *label)
{
  GtkWidget *dot = gtk_widget_get_first_child (row);
  g_autofree char *color_class = ar_ui_color_css_class (color);

  gtk_widget_set_css_classes (dot, (const char *[]){ "ar-color-dot", color_class, NULL });
  gtk_label_set_label (GTK_LABEL (gtk_widget_get_last_child (row)), label);
}

static void
environment_item_setup (GtkSignalListItemFactory *factory,
                        GtkListItem *item,
                        gpointer user_data)
{
  gtk_list_item_set_child (item, ar_ui_color_dot_row_new (TRUE));
}

static void
environment_item_bind (GtkSignalListItemFactory *factory,
                       GtkListItem *item,
                       gpointer user_data)
{
  ArEnvironment *env = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  const char *name = ar_environment_get_name (env);

  ar_ui_color_dot_row_set (row, ar_environment_get_color (env), *name != '\0' ? name : _ ("Unnamed environment"));
  gtk_widget_set_visible (gtk_widget_get_first_child (row), *ar_environment_get_env_id (env) != '\0');
}

GtkListItemFactory *
ar_ui_environment_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (environment_item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (environment_item_bind), NULL);
  return factory;
}

void
ar_ui_env_choices_sync (GListStore *choices,
                        ArEnvironment *first,
                        GListModel *environments)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (environments);

  if (first != NULL)
    g_ptr_array_add (items, g_object_ref (first));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (environments, i));

  g_list_store_splice (choices, 0, g_list_model_get_n_items (G_LIST_MODEL (choices)), items->pdata, items->len);
}

guint
ar_ui_env_choices_find (GListModel *choices,
                        const char *env_id)
{
  guint n = g_list_model_get_n_items (choices);

  for (guint i = 0; i < n && env_id != NULL; i++)
    {
      g_autoptr(ArEnvironment) env = g_list_model_get_item (choices, i);

      if (g_str_equal (ar_environment_get_env_id (env), env_id))
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}
