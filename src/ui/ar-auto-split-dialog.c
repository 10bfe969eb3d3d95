/* ar-auto-split-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-auto-split-dialog-private.h"
#include "ar-preflight-build-check.h"
#include "ar-task-log.h"
#include "ar-wrap-box.h"

/* The units as a list model, for a list view that builds rows only for
 * what is on screen (a 100 000-line script has tens of thousands of
 * units). An item is the index of its unit; the dialog owns the units. */
#define AR_TYPE_SPLIT_ITEM (ar_split_item_get_type ())
G_DECLARE_FINAL_TYPE (ArSplitItem, ar_split_item, AR, SPLIT_ITEM, GObject)

struct _ArSplitItem {
  GObject parent_instance;
  guint index;
};

G_DEFINE_FINAL_TYPE (ArSplitItem, ar_split_item, G_TYPE_OBJECT)

static void
ar_split_item_class_init (ArSplitItemClass *klass)
{
}
static void
ar_split_item_init (ArSplitItem *self)
{
}

struct _ArSplitModel {
  GObject parent_instance;
  guint n_items;
};

static GType
ar_split_model_get_item_type (GListModel *model)
{
  return AR_TYPE_SPLIT_ITEM;
}

static guint
ar_split_model_get_n_items (GListModel *model)
{
  return AR_SPLIT_MODEL (model)->n_items;
}

static gpointer
ar_split_model_get_item (GListModel *model, guint position)
{
  ArSplitItem *item;

  if (position >= AR_SPLIT_MODEL (model)->n_items)
    return NULL;
  item = g_object_new (AR_TYPE_SPLIT_ITEM, NULL);
  item->index = position;
  return item;
}

static void
ar_split_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ar_split_model_get_item_type;
  iface->get_n_items = ar_split_model_get_n_items;
  iface->get_item = ar_split_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ArSplitModel, ar_split_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ar_split_model_list_model_init))

static void
ar_split_model_class_init (ArSplitModelClass *klass)
{
}
static void
ar_split_model_init (ArSplitModel *self)
{
}

static void
ar_split_model_set_n_items (ArSplitModel *self, guint n_items)
{
  guint old = self->n_items;

  self->n_items = n_items;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old, n_items);
}

G_DEFINE_FINAL_TYPE (ArAutoSplitDialog, ar_auto_split_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_ANALYSING,
  N_PROPS
};

enum {
  SIGNAL_APPLIED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

const char *
ar_preflight_category_label (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return _ ("Package install");
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return _ ("Download");
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return _ ("System configuration");
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return _ ("Static folder");
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT: return _ ("Environment export");
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE: return _ ("Task variable");
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR: return _ ("Temporary folder");
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS: return _ ("Not recognised");
    case AR_PREFLIGHT_CATEGORY_SHEBANG: return _ ("Interpreter line");
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION: return _ ("Shell option");
    case AR_PREFLIGHT_CATEGORY_VARIABLE: return _ ("Variable");
    default: return "";
    }
}

/* At most this many "line X runs at start because of line Y" are listed;
 * the rest are counted. */
#define MAX_MOVES_LISTED 12

/* "N of M lines cached", the units not recognised, and each unit that
 * runs at start only because of another line, with that line. */
static void
update_trust (ArAutoSplitDialog *self)
{
  g_autoptr(ArPreflightSummary) summary = ar_preflight_summary_new (self->units);
  g_autofree char *cached = ar_preflight_summary_describe (summary);
  g_autoptr(GString) moved = g_string_new (NULL);
  guint unrecognised = ar_preflight_summary_get_unrecognised (summary);
  guint n_moved = ar_preflight_summary_get_n_moved (summary);
  g_autofree char *text = NULL;

  if (unrecognised > 0)
    {
      g_autofree char *not_recognised =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u step not recognised (runs at start)",
                                      "%u steps not recognised (run at start)", unrecognised),
                         unrecognised);

      /* Translators: "12 of 40 lines cached · 3 steps not recognised (run at start)" */
      text = g_strdup_printf (_ ("%s · %s"), cached, not_recognised);
    }
  else
    text = g_strdup (cached);
  gtk_label_set_label (self->trust_label, text);

  for (guint i = 0; i < MIN (n_moved, MAX_MOVES_LISTED); i++)
    {
      const ArPreflightMove *move = ar_preflight_summary_get_moved (summary, i);

      if (moved->len > 0)
        g_string_append_c (moved, '\n');
      g_string_append_printf (moved, _ ("Line %u runs at start because of line %u"), move->line, move->because_of);
    }
  if (n_moved > MAX_MOVES_LISTED)
    {
      guint more = n_moved - MAX_MOVES_LISTED;

      g_string_append_c (moved, '\n');
      g_string_append_printf (moved, g_dngettext (GETTEXT_PACKAGE, "and %u more line for the same kind of reason", "and %u more lines for the same kind of reason", more), more);
    }
  gtk_label_set_label (self->moved_label, moved->str);
  gtk_widget_set_visible (GTK_WIDGET (self->moved_label), moved->len > 0);
}

static void
update_summary (ArAutoSplitDialog *self)
{
  guint cached = 0, run = 0;
  g_autofree char *cached_text = NULL;
  g_autofree char *run_text = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->units->len; i++)
    {
      ArPreflightUnit *unit = g_ptr_array_index (self->units, i);

      if (unit->part == AR_PREFLIGHT_PART_CACHED)
        cached++;
      else if (unit->part == AR_PREFLIGHT_PART_RUN)
        run++;
    }

  cached_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u step is cached", "%u steps are cached", cached), cached);
  run_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u step runs at every task start", "%u steps run at every task start", run), run);
  /* Translators: the two halves are "3 steps are cached" and "2 steps run at every task start" */
  text = g_strdup_printf (_ ("%s, %s."), cached_text, run_text);
  gtk_label_set_label (self->summary_label, text);
  update_trust (self);
  adw_window_title_set_subtitle (self->window_title,
                                 self->units->len > 0 ? gtk_label_get_label (self->trust_label) : NULL);
}

static const char *
part_label (ArPreflightPart part)
{
  switch (part)
    {
    case AR_PREFLIGHT_PART_CACHED: return _ ("Cached");
    case AR_PREFLIGHT_PART_RUN: return _ ("Run");
    case AR_PREFLIGHT_PART_BOTH:
    default: return _ ("Both");
    }
}

/* What a screen reader says for a row: the line, what it does, where it
 * goes. */
static void
label_row (GtkWidget *child, ArPreflightUnit *unit)
{
  GtkWidget *row = gtk_widget_get_parent (child);
  g_auto(GStrv) lines = g_strsplit (unit->text, "\n", 2);
  g_autofree char *label = NULL;

  /* Translators: a row of the auto-split list: "Line 4: apt-get install -y git. Package install. Cached." */
  label = g_strdup_printf (_ ("Line %u: %s. %s. %s."), unit->line, lines[0] != NULL ? lines[0] : "",
                           ar_preflight_category_label (unit->category), part_label (unit->part));
  if (row != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* Moves unit @index to @part and updates what shows it. */
static void
set_unit_part (ArAutoSplitDialog *self, guint index, ArPreflightPart part)
{
  ArPreflightUnit *unit = g_ptr_array_index (self->units, index);

  if (unit->part == part)
    return;
  unit->part = part;
  update_summary (self);
  if (self->check_result != NULL)
    {
      self->check_stale = TRUE;
      ar_auto_split_dialog_show_check_state (self);
    }
}

static void
on_switch_active (GtkSwitch *sw,
                  GParamSpec *pspec,
                  ArAutoSplitDialog *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (sw), "ar-list-item");
  ArSplitItem *item = gtk_list_item_get_item (list_item);
  ArPreflightUnit *unit;

  if (self->binding || item == NULL)
    return;
  unit = g_ptr_array_index (self->units, item->index);
  set_unit_part (self, item->index, gtk_switch_get_active (sw) ? AR_PREFLIGHT_PART_CACHED : AR_PREFLIGHT_PART_RUN);
  gtk_label_set_label (g_object_get_data (G_OBJECT (sw), "ar-part-label"), part_label (unit->part));
  label_row (gtk_list_item_get_child (list_item), unit);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem *list_item,
           ArAutoSplitDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *meta_box = ar_wrap_box_new (8, 2);
  GtkWidget *part_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *line, *code, *category, *reason, *part, *sw;

  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  line = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (line), 3);
  gtk_label_set_xalign (GTK_LABEL (line), 1);
  gtk_widget_set_valign (line, GTK_ALIGN_START);
  gtk_widget_add_css_class (line, "ar-line-number");
  gtk_widget_add_css_class (line, "dim-label");
  gtk_box_append (GTK_BOX (box), line);

  code = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (code), 0);
  gtk_label_set_wrap (GTK_LABEL (code), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (code), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (code, "ar-code");
  gtk_box_append (GTK_BOX (text_box), code);

  category = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (category), 0);
  gtk_widget_add_css_class (category, "caption-heading");
  gtk_widget_set_valign (category, GTK_ALIGN_START);
  ar_wrap_box_append (AR_WRAP_BOX (meta_box), category);
  reason = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (reason), 0);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_widget_set_hexpand (reason, TRUE);
  gtk_widget_add_css_class (reason, "caption");
  gtk_widget_add_css_class (reason, "dim-label");
  ar_wrap_box_append (AR_WRAP_BOX (meta_box), reason);
  gtk_box_append (GTK_BOX (text_box), meta_box);

  gtk_widget_set_hexpand (text_box, TRUE);
  gtk_box_append (GTK_BOX (box), text_box);

  gtk_widget_set_valign (part_box, GTK_ALIGN_CENTER);
  part = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (part), 6);
  gtk_label_set_xalign (GTK_LABEL (part), 1);
  gtk_box_append (GTK_BOX (part_box), part);
  sw = gtk_switch_new ();
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (sw, _ ("On: cached in the image. Off: runs at every task start."));
  g_object_set_data (G_OBJECT (sw), "ar-list-item", list_item);
  g_object_set_data (G_OBJECT (sw), "ar-part-label", part);
  g_signal_connect (sw, "notify::active", G_CALLBACK (on_switch_active), self);
  gtk_box_append (GTK_BOX (part_box), sw);
  gtk_box_append (GTK_BOX (box), part_box);

  g_object_set_data (G_OBJECT (box), "ar-line", line);
  g_object_set_data (G_OBJECT (box), "ar-code", code);
  g_object_set_data (G_OBJECT (box), "ar-category", category);
  g_object_set_data (G_OBJECT (box), "ar-reason", reason);
  g_object_set_data (G_OBJECT (box), "ar-part", part);
  g_object_set_data (G_OBJECT (box), "ar-switch", sw);
  gtk_list_item_set_child (list_item, box);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem *list_item,
          ArAutoSplitDialog *self)
{
  ArSplitItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  ArPreflightUnit *unit = g_ptr_array_index (self->units, item->index);
  GtkWidget *sw = g_object_get_data (G_OBJECT (box), "ar-switch");
  GtkWidget *part = g_object_get_data (G_OBJECT (box), "ar-part");
  g_autofree char *line_text = NULL;
  g_autofree char *a11y_label = NULL;
  gboolean both = unit->part == AR_PREFLIGHT_PART_BOTH;

  if (unit->end_line > unit->line)
    line_text = g_strdup_printf ("%u–%u", unit->line, unit->end_line);
  else
    line_text = g_strdup_printf ("%u", unit->line);
  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "ar-line"), line_text);
  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "ar-code"), unit->text);
  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "ar-category"), ar_preflight_category_label (unit->category));
  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "ar-reason"), unit->reason);
  gtk_label_set_label (GTK_LABEL (part), part_label (unit->part));

  self->binding = TRUE;
  gtk_switch_set_active (GTK_SWITCH (sw), unit->part == AR_PREFLIGHT_PART_CACHED);
  self->binding = FALSE;
  /* A unit for both parts has no switch; its label stays in the column. */
  gtk_widget_set_visible (sw, !both);
  gtk_widget_set_margin_end (part, both ? 58 : 0);
  if (both)
    {
      gtk_widget_add_css_class (part, "dim-label");
      gtk_widget_set_tooltip_text (part, _ ("Goes into both parts, so that each runs with the same shell settings and variables."));
    }
  else
    {
      gtk_widget_remove_css_class (part, "dim-label");
      gtk_widget_set_tooltip_text (part, NULL);
    }
  a11y_label = g_strdup_printf (_ ("Line %u cached"), unit->line);
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y_label, -1);
  label_row (box, unit);
}

/* Enter or a double click on a row flips its unit, as its switch does. */
static void
on_row_activate (GtkListView *list_view,
                 guint position,
                 ArAutoSplitDialog *self)
{
  ArPreflightUnit *unit;

  if (position >= self->units->len)
    return;
  unit = g_ptr_array_index (self->units, position);
  if (unit->part == AR_PREFLIGHT_PART_BOTH)
    return;
  ar_auto_split_dialog_set_part (self, position,
                                 unit->part == AR_PREFLIGHT_PART_CACHED ? AR_PREFLIGHT_PART_RUN : AR_PREFLIGHT_PART_CACHED);
}

char *
ar_auto_split_dialog_render (ArAutoSplitDialog *self, ArPreflightPart which)
{
  g_return_val_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self), NULL);

  return ar_preflight_render (self->units, which);
}

static void
apply_action (GtkWidget *widget,
              const char *action_name,
              GVariant *parameter)
{
  ArAutoSplitDialog *self = AR_AUTO_SPLIT_DIALOG (widget);
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;

  if (self->units->len == 0)
    return;

  cached = ar_preflight_render (self->units, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (self->units, AR_PREFLIGHT_PART_RUN);
  g_signal_emit (self, signals[SIGNAL_APPLIED], 0, cached, run);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
cancel_action (GtkWidget *widget,
               const char *action_name,
               GVariant *parameter)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

GPtrArray *
ar_auto_split_dialog_get_units (ArAutoSplitDialog *self)
{
  g_return_val_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self), NULL);

  return self->units;
}

gboolean
ar_auto_split_dialog_get_analysing (ArAutoSplitDialog *self)
{
  g_return_val_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self), FALSE);

  return self->analysing;
}

void
ar_auto_split_dialog_set_part (ArAutoSplitDialog *self,
                               guint index,
                               ArPreflightPart part)
{
  g_return_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self));
  g_return_if_fail (index < self->units->len);
  g_return_if_fail (part == AR_PREFLIGHT_PART_CACHED || part == AR_PREFLIGHT_PART_RUN);
  g_return_if_fail (((ArPreflightUnit *) g_ptr_array_index (self->units, index))->part != AR_PREFLIGHT_PART_BOTH);

  set_unit_part (self, index, part);
  /* the row, if it is shown, is filled again */
  g_list_model_items_changed (G_LIST_MODEL (self->model), index, 1, 1);
}

/* ---- the analysis, in a thread ------------------------------------------ */

typedef struct {
  char *script;
  char **env_var_names;
} Analysis;

static void
analysis_free (Analysis *analysis)
{
  g_free (analysis->script);
  g_strfreev (analysis->env_var_names);
  g_free (analysis);
}

static void
analyse_in_thread (GTask *task,
                   gpointer source_object,
                   gpointer task_data,
                   GCancellable *cancellable)
{
  Analysis *analysis = task_data;
  GError *error = NULL;
  GPtrArray *units;

  units = ar_preflight_analyze (analysis->script, (const char *const *) analysis->env_var_names, &error);
  if (units == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, units, (GDestroyNotify) g_ptr_array_unref);
}

/* Units are handed to the list a few at a time, one step per main loop
 * iteration, so that the window keeps answering: GTK 4.8's list view makes
 * rows for its first 200 items whatever its height (a few ms each on a
 * busy machine), and takes about half a second to take in 100 000 items
 * at once. */
#define FIRST_ROWS 200
#define FIRST_ROWS_PER_STEP 8
#define ROWS_PER_STEP 5000

static gboolean
add_rows (gpointer data)
{
  ArAutoSplitDialog *self = data;
  guint step = self->model->n_items < FIRST_ROWS ? FIRST_ROWS_PER_STEP : ROWS_PER_STEP;
  guint n = MIN (self->units->len, self->model->n_items + step);
  guint old = self->model->n_items;

  g_assert (AR_IS_AUTO_SPLIT_DIALOG (self));

  self->model->n_items = n;
  g_list_model_items_changed (G_LIST_MODEL (self->model), old, 0, n - old);
  if (n < self->units->len)
    return G_SOURCE_CONTINUE;
  self->fill_source = 0;
  return G_SOURCE_REMOVE;
}

static void
fill_model (ArAutoSplitDialog *self)
{
  g_clear_handle_id (&self->fill_source, g_source_remove);
  ar_split_model_set_n_items (self->model, 0);
  if (add_rows (self))
    /* after the redraw (GDK_PRIORITY_REDRAW), before ordinary idles */
    self->fill_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 30, add_rows, self, NULL);
}

static void
show_units (ArAutoSplitDialog *self, GPtrArray *units, const GError *error)
{
  if (units == NULL)
    {
      /* nested too deeply to analyse: say so instead of a list */
      GtkWidget *page = adw_status_page_new ();
      g_autofree char *markup = g_markup_escape_text (error->message, -1);

      adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "dialog-warning-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (page), _ ("Cannot Split This Script"));
      adw_status_page_set_description (ADW_STATUS_PAGE (page), markup);
      gtk_stack_add_named (self->stack, page, "error");
    }
  else
    {
      g_ptr_array_unref (self->units);
      self->units = g_ptr_array_ref (units);
    }

  self->analysing = FALSE;
  fill_model (self);
  gtk_widget_set_visible (self->replace_box, self->replaces_text && self->units->len > 0);
  gtk_stack_set_visible_child_name (self->stack, units == NULL ? "error" : self->units->len > 0 ? "units"
                                                                                                : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "auto-split.apply", self->units->len > 0);
  update_summary (self);
  ar_auto_split_dialog_show_check_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSING]);
}

/* The analysis' task has no source object and holds no reference on the
 * dialog, so that closing the dialog mid-analysis lets it go at once. When
 * the task held it, GTK 4 did not dispose the closed dialog: the analysis
 * went on, its result was put in the closed dialog's list, and the task
 * then let the dialog go while that list took the rows: the failures seen
 * under load in its test ("Finalizing GtkListView …, but it still has
 * children left"; once, gtk_list_item_widget_dispose's assertion) came
 * when that test closes a dialog mid-analysis. The callback finds the
 * dialog, if it is still there, through a weak reference. */
static void
analysed (GObject *source,
          GAsyncResult *result,
          gpointer user_data)
{
  GWeakRef *dialog_ref = user_data;
  g_autoptr(ArAutoSplitDialog) self = g_weak_ref_get (dialog_ref);
  g_autoptr(GPtrArray) units = NULL;
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (dialog_ref);
  g_free (dialog_ref);
  /* closing the dialog cancels the analysis, so that this reports
   * cancelled even when the thread had finished first */
  units = g_task_propagate_pointer (G_TASK (result), &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->analysis_cancellable);
  show_units (self, units, error);
}

/* What the dialog runs stops when it closes: the analysis is dropped (its
 * thread ends on its own, and nothing waits for it), the list stops
 * filling, a check build is cancelled. */
static void
stop_work (ArAutoSplitDialog *self)
{
  g_cancellable_cancel (self->analysis_cancellable);
  g_clear_object (&self->analysis_cancellable);
  g_clear_handle_id (&self->fill_source, g_source_remove);
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
}

/* Every way of closing the dialog (Cancel, Escape, Apply, the window
 * manager, its parent closing) destroys the window, which unrealizes it;
 * GTK 4 disposes a destroyed window only once nothing holds it any more
 * (a check build holds it until it ends). */
static void
ar_auto_split_dialog_unrealize (GtkWidget *widget)
{
  stop_work (AR_AUTO_SPLIT_DIALOG (widget));
  GTK_WIDGET_CLASS (ar_auto_split_dialog_parent_class)->unrealize (widget);
}

static void
ar_auto_split_dialog_dispose (GObject *object)
{
  stop_work (AR_AUTO_SPLIT_DIALOG (object));
  G_OBJECT_CLASS (ar_auto_split_dialog_parent_class)->dispose (object);
}

static void
ar_auto_split_dialog_finalize (GObject *object)
{
  ArAutoSplitDialog *self = AR_AUTO_SPLIT_DIALOG (object);

  g_clear_pointer (&self->units, g_ptr_array_unref);
  g_clear_object (&self->model);
  g_clear_object (&self->engine);
  g_clear_object (&self->environment);
  g_clear_pointer (&self->settings, ar_settings_free);
  g_clear_pointer (&self->check_result, ar_build_check_result_free);

  G_OBJECT_CLASS (ar_auto_split_dialog_parent_class)->finalize (object);
}

static void
ar_auto_split_dialog_get_property (GObject *object,
                                   guint prop_id,
                                   GValue *value,
                                   GParamSpec *pspec)
{
  ArAutoSplitDialog *self = AR_AUTO_SPLIT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ANALYSING:
      g_value_set_boolean (value, self->analysing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_auto_split_dialog_class_init (ArAutoSplitDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_auto_split_dialog_dispose;
  widget_class->unrealize = ar_auto_split_dialog_unrealize;
  object_class->finalize = ar_auto_split_dialog_finalize;
  object_class->get_property = ar_auto_split_dialog_get_property;

  properties[PROP_ANALYSING] =
    g_param_spec_boolean ("analysing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ArAutoSplitDialog::applied:
   * @cached: the cached preflight to use
   * @run: the run preflight to use
   */
  signals[SIGNAL_APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * ArAutoSplitDialog::check-finished:
   *
   * A build check ended; ar_auto_split_dialog_get_check_result() has it.
   */
  g_signal_new ("check-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (AR_TYPE_WRAP_BOX);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-auto-split-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, list_view);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, replace_box);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, trust_label);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, moved_label);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, check_button);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, check_spinner);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, check_label);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, check_output);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activate);

  gtk_widget_class_install_action (widget_class, "auto-split.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "auto-split.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "auto-split.check", NULL, ar_auto_split_dialog_check_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "auto-split.cancel", NULL);
}

static void
ar_auto_split_dialog_init (ArAutoSplitDialog *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->units = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_preflight_unit_free);
  self->model = g_object_new (AR_TYPE_SPLIT_MODEL, NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->model)))));
}

ArAutoSplitDialog *
ar_auto_split_dialog_new (const char *script,
                          const char *const *env_var_names,
                          gboolean replaces_text)
{
  ArAutoSplitDialog *self = g_object_new (AR_TYPE_AUTO_SPLIT_DIALOG, NULL);
  Analysis *analysis = g_new0 (Analysis, 1);
  GWeakRef *dialog_ref;
  g_autoptr(GTask) task = NULL;
  g_autofree char *progress = NULL;
  guint n_lines = 0;

  analysis->script = g_strdup (script != NULL ? script : "");
  analysis->env_var_names = g_strdupv ((char **) env_var_names);
  for (const char *p = analysis->script; *p != '\0'; p++)
    if (*p == '\n' || p[1] == '\0')
      n_lines++;

  self->replaces_text = replaces_text;
  self->analysing = TRUE;
  /* Translators: shown with a spinner while the analyzer reads the script */
  progress = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Sorting %u line…", "Sorting %u lines…", n_lines), n_lines);
  gtk_label_set_label (self->progress_label, progress);
  gtk_stack_set_visible_child_name (self->stack, "analysing");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "auto-split.apply", FALSE);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->apply_button);
  update_summary (self);
  ar_auto_split_dialog_show_check_state (self);

  /* A long script takes a second or more to analyse: the window stays
   * responsive meanwhile, and closing it drops the analysis. */
  self->analysis_cancellable = g_cancellable_new ();
  dialog_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (dialog_ref, self);
  task = g_task_new (NULL, self->analysis_cancellable, analysed, dialog_ref);
  g_task_set_source_tag (task, ar_auto_split_dialog_new);
  g_task_set_task_data (task, analysis, (GDestroyNotify) analysis_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, analyse_in_thread);

  return self;
}
