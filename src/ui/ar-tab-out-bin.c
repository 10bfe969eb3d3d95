/* ar-tab-out-bin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-tab-out-bin.h"

struct _ArTabOutBin {
  AdwBin parent_instance;
  GtkListView *list_view;
};

G_DEFINE_FINAL_TYPE (ArTabOutBin, ar_tab_out_bin, ADW_TYPE_BIN)

static gboolean
ar_tab_out_bin_focus (GtkWidget *widget,
                      GtkDirectionType direction)
{
  ArTabOutBin *self = AR_TAB_OUT_BIN (widget);
  GtkSelectionModel *model;
  guint selected, n;

  if ((direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD) || self->list_view == NULL)
    return GTK_WIDGET_CLASS (ar_tab_out_bin_parent_class)->focus (widget, direction);

  /* Inside: leave. */
  if (gtk_widget_get_focus_child (widget) != NULL)
    return FALSE;

  model = gtk_list_view_get_model (self->list_view);
  n = model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
  if (n == 0)
    return FALSE;
  selected = gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (model));
  if (selected >= n)
    selected = 0;
  /* The list's focus follows this action (a row calls it when focused). */
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", selected);
  return gtk_widget_child_focus (GTK_WIDGET (self->list_view), direction);
}

static void
ar_tab_out_bin_class_init (ArTabOutBinClass *klass)
{
  GTK_WIDGET_CLASS (klass)->focus = ar_tab_out_bin_focus;
}

static void
ar_tab_out_bin_init (ArTabOutBin *self)
{
}

void
ar_tab_out_bin_set_list_view (ArTabOutBin *self,
                              GtkListView *list_view)
{
  g_return_if_fail (AR_IS_TAB_OUT_BIN (self));
  g_return_if_fail (list_view == NULL || GTK_IS_LIST_VIEW (list_view));

  self->list_view = list_view;
}
