/* ar-auto-split-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-auto-split-dialog.h"
#include "ar-preflight-build-check.h"
#include "ar-task-log.h"

struct _ArAutoSplitDialog
{
  AdwWindow parent_instance;

  GPtrArray *units;
  /* One per unit, NULL for the ones that go to both parts. */
  GPtrArray *switches;

  GtkStack *stack;
  GtkListBox *list_box;
  GtkLabel *summary_label;
  GtkWidget *replace_box;
  GtkWidget *apply_button;
  AdwWindowTitle *window_title;
  GtkLabel *trust_label;
  GtkLabel *moved_label;
  GtkWidget *check_button;
  GtkSpinner *check_spinner;
  GtkLabel *check_label;
  GtkLabel *check_output;

  /* The build check (SPEC §5.1): NULL engine = no engine to check on. */
  ArEngine *engine;
  ArEnvironment *environment;
  ArSettings *settings;
  GCancellable *check_cancellable;
  ArBuildCheckResult *check_result;
  gboolean check_stale;
};

G_DEFINE_FINAL_TYPE (ArAutoSplitDialog, ar_auto_split_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
ar_preflight_category_label (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return _("Package install");
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return _("Download");
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return _("System configuration");
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return _("Static folder");
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT: return _("Environment export");
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE: return _("Task variable");
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR: return _("Temporary folder");
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS: return _("Not recognised");
    case AR_PREFLIGHT_CATEGORY_SHEBANG: return _("Interpreter line");
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION: return _("Shell option");
    case AR_PREFLIGHT_CATEGORY_VARIABLE: return _("Variable");
    default: return "";
    }
}

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
                                      "%u steps not recognised (run at start)", unrecognised), unrecognised);

      /* Translators: "12 of 40 lines cached · 3 steps not recognised (run at start)" */
      text = g_strdup_printf (_("%s · %s"), cached, not_recognised);
    }
  else
    text = g_strdup (cached);
  gtk_label_set_label (self->trust_label, text);

  for (guint i = 0; i < n_moved; i++)
    {
      const ArPreflightMove *move = ar_preflight_summary_get_moved (summary, i);

      if (moved->len > 0)
        g_string_append_c (moved, '\n');
      g_string_append_printf (moved, _("Line %u runs at start because of line %u"), move->line, move->because_of);
    }
  gtk_label_set_label (self->moved_label, moved->str);
  gtk_widget_set_visible (GTK_WIDGET (self->moved_label), moved->len > 0);
}

static void show_check_state (ArAutoSplitDialog *self);

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
  text = g_strdup_printf (_("%s, %s."), cached_text, run_text);
  gtk_label_set_label (self->summary_label, text);
  update_trust (self);
  adw_window_title_set_subtitle (self->window_title,
                                 self->units->len > 0 ? gtk_label_get_label (self->trust_label) : NULL);
}

static void
sync_part_label (GtkSwitch *sw, GtkLabel *label)
{
  gtk_label_set_label (label, gtk_switch_get_active (sw) ? _("Cached") : _("Run"));
}

static void
on_switch_active (GtkSwitch         *sw,
                  GParamSpec        *pspec,
                  ArAutoSplitDialog *self)
{
  ArPreflightUnit *unit = g_object_get_data (G_OBJECT (sw), "unit");

  unit->part = gtk_switch_get_active (sw) ? AR_PREFLIGHT_PART_CACHED : AR_PREFLIGHT_PART_RUN;
  sync_part_label (sw, g_object_get_data (G_OBJECT (sw), "label"));
  update_summary (self);
  if (self->check_result != NULL)
    {
      self->check_stale = TRUE;
      show_check_state (self);
    }
}

static GtkWidget *
create_row (ArAutoSplitDialog *self, ArPreflightUnit *unit)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *meta_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *part_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *line, *code, *category, *reason, *part_label;
  g_autofree char *line_text = NULL;
  GtkWidget *sw = NULL;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  if (unit->end_line > unit->line)
    line_text = g_strdup_printf ("%u–%u", unit->line, unit->end_line);
  else
    line_text = g_strdup_printf ("%u", unit->line);
  line = gtk_label_new (line_text);
  gtk_label_set_width_chars (GTK_LABEL (line), 5);
  gtk_label_set_xalign (GTK_LABEL (line), 1);
  gtk_widget_set_valign (line, GTK_ALIGN_START);
  gtk_widget_add_css_class (line, "ar-line-number");
  gtk_widget_add_css_class (line, "dim-label");
  gtk_box_append (GTK_BOX (box), line);

  code = gtk_label_new (unit->text);
  gtk_label_set_xalign (GTK_LABEL (code), 0);
  gtk_label_set_wrap (GTK_LABEL (code), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (code), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (code), TRUE);
  gtk_widget_set_focusable (code, FALSE);
  gtk_widget_add_css_class (code, "ar-code");
  gtk_box_append (GTK_BOX (text_box), code);

  category = gtk_label_new (ar_preflight_category_label (unit->category));
  gtk_widget_add_css_class (category, "caption-heading");
  gtk_widget_set_valign (category, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (meta_box), category);
  reason = gtk_label_new (unit->reason);
  gtk_label_set_xalign (GTK_LABEL (reason), 0);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_widget_set_hexpand (reason, TRUE);
  gtk_widget_add_css_class (reason, "caption");
  gtk_widget_add_css_class (reason, "dim-label");
  gtk_box_append (GTK_BOX (meta_box), reason);
  gtk_box_append (GTK_BOX (text_box), meta_box);

  gtk_widget_set_hexpand (text_box, TRUE);
  gtk_box_append (GTK_BOX (box), text_box);

  gtk_widget_set_valign (part_box, GTK_ALIGN_CENTER);
  part_label = gtk_label_new (NULL);
  gtk_label_set_width_chars (GTK_LABEL (part_label), 6);
  gtk_label_set_xalign (GTK_LABEL (part_label), 1);
  gtk_box_append (GTK_BOX (part_box), part_label);
  if (unit->part == AR_PREFLIGHT_PART_BOTH)
    {
      gtk_label_set_label (GTK_LABEL (part_label), _("Both"));
      gtk_widget_add_css_class (part_label, "dim-label");
      gtk_widget_set_tooltip_text (part_label, _("Goes into both parts, so that each runs with the same shell settings and variables."));
      /* Keeps the labels of all rows in one column. */
      gtk_widget_set_margin_end (part_label, 58);
    }
  else
    {
      g_autofree char *a11y_label = g_strdup_printf (_("Line %u cached"), unit->line);

      sw = gtk_switch_new ();
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (sw), unit->part == AR_PREFLIGHT_PART_CACHED);
      gtk_widget_set_tooltip_text (sw, _("On: cached in the image. Off: runs at every task start."));
      gtk_accessible_update_property (GTK_ACCESSIBLE (sw),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      a11y_label,
                                      -1);
      g_object_set_data (G_OBJECT (sw), "unit", unit);
      g_object_set_data (G_OBJECT (sw), "label", part_label);
      sync_part_label (GTK_SWITCH (sw), GTK_LABEL (part_label));
      g_signal_connect (sw, "notify::active", G_CALLBACK (on_switch_active), self);
      gtk_box_append (GTK_BOX (part_box), sw);
    }
  gtk_box_append (GTK_BOX (box), part_box);
  g_ptr_array_add (self->switches, sw);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

char *
ar_auto_split_dialog_render (ArAutoSplitDialog *self, ArPreflightPart which)
{
  g_return_val_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self), NULL);

  return ar_preflight_render (self->units, which);
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
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
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_window_destroy (GTK_WINDOW (widget));
}

GPtrArray *
ar_auto_split_dialog_get_units (ArAutoSplitDialog *self)
{
  g_return_val_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self), NULL);

  return self->units;
}

void
ar_auto_split_dialog_set_part (ArAutoSplitDialog *self,
                               guint              index,
                               ArPreflightPart    part)
{
  GtkSwitch *sw;

  g_return_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self));
  g_return_if_fail (index < self->units->len);
  g_return_if_fail (part == AR_PREFLIGHT_PART_CACHED || part == AR_PREFLIGHT_PART_RUN);

  sw = g_ptr_array_index (self->switches, index);
  g_return_if_fail (sw != NULL);
  gtk_switch_set_active (sw, part == AR_PREFLIGHT_PART_CACHED);
}


/* ---- the build check -------------------------------------------------- */

static void
show_check_state (ArAutoSplitDialog *self)
{
  gboolean running = self->check_cancellable != NULL;
  gboolean can = self->engine != NULL && self->units->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "auto-split.check", can && !running);
  gtk_spinner_set_spinning (self->check_spinner, running);
  gtk_widget_set_visible (GTK_WIDGET (self->check_spinner), running);
  if (running)
    return;
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_label), "error");
  if (self->engine == NULL)
    {
      gtk_label_set_label (self->check_label,
                           _("Save the environment and connect to a container engine to check the build."));
      gtk_widget_set_visible (GTK_WIDGET (self->check_output), FALSE);
      return;
    }
  if (self->check_result == NULL)
    {
      gtk_label_set_label (self->check_label,
                           _("Check Build builds the cached part on the base image in a throwaway image, "
                             "then runs the run part on top of it, before you apply."));
      gtk_widget_set_visible (GTK_WIDGET (self->check_output), FALSE);
      return;
    }
  {
    g_autofree char *sentence = ar_build_check_result_describe (self->check_result);
    g_autofree char *text = NULL;

    if (self->check_stale)
      /* Translators: %s is the result of the last check */
      text = g_strdup_printf (_("%s (Checked before the last change: check again.)"), sentence);
    gtk_label_set_label (self->check_label, text != NULL ? text : sentence);
    gtk_widget_add_css_class (GTK_WIDGET (self->check_label), self->check_result->ok ? "success" : "error");
    gtk_label_set_label (self->check_output, self->check_result->output);
    gtk_widget_set_visible (GTK_WIDGET (self->check_output),
                            !self->check_result->ok && *self->check_result->output != '\0');
  }
}

static void
on_check_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  ArAutoSplitDialog *self = user_data;
  g_autofree char *clean = ar_log_strip_ansi (line);
  const char *what = stage == AR_BUILD_CHECK_STAGE_BUILD ? _("Building the cached part…")
                                                        : _("Running the run part on top…");
  g_autofree char *text = NULL;

  if (*g_strstrip (clean) == '\0')
    return;
  text = g_strdup_printf ("%s\n%s", what, clean);
  gtk_label_set_label (self->check_label, text);
}

static void
check_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(ArAutoSplitDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  ArBuildCheckResult *result;

  result = ar_preflight_check_build_finish (res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->check_cancellable);
  g_clear_pointer (&self->check_result, ar_build_check_result_free);
  self->check_stale = FALSE;
  if (result == NULL)
    {
      /* the check could not be made: say why, as a failure of the build */
      result = g_new0 (ArBuildCheckResult, 1);
      result->failed_stage = AR_BUILD_CHECK_STAGE_BUILD;
      result->exit_status = -1;
      result->output = g_strdup (error->message);
    }
  self->check_result = result;
  show_check_state (self);
  g_signal_emit_by_name (self, "check-finished");
}

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ArAutoSplitDialog *self = AR_AUTO_SPLIT_DIALOG (widget);
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;

  if (self->engine == NULL || self->check_cancellable != NULL || self->units->len == 0)
    return;
  cached = ar_preflight_render (self->units, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (self->units, AR_PREFLIGHT_PART_RUN);
  self->check_cancellable = g_cancellable_new ();
  gtk_label_set_label (self->check_label, *cached != '\0' ? _("Building the cached part…")
                                                          : _("Running the run part…"));
  gtk_widget_set_visible (GTK_WIDGET (self->check_output), FALSE);
  show_check_state (self);
  ar_preflight_check_build_async (self->engine, self->environment, self->settings, cached, run, NULL,
                                  on_check_line, self, self->check_cancellable, check_done, g_object_ref (self));
}

void
ar_auto_split_dialog_set_check_target (ArAutoSplitDialog *self,
                                       ArEngine          *engine,
                                       ArEnvironment     *environment,
                                       const ArSettings  *settings)
{
  g_return_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self));
  g_return_if_fail (engine == NULL || (AR_IS_ENGINE (engine) && AR_IS_ENVIRONMENT (environment) && settings != NULL));

  g_set_object (&self->engine, engine);
  g_clear_object (&self->environment);
  g_clear_pointer (&self->settings, ar_settings_free);
  if (engine != NULL)
    {
      /* a snapshot: later edits of the environment do not change a check */
      self->environment = ar_environment_copy (environment);
      self->settings = ar_settings_copy (settings);
    }
  show_check_state (self);
}

const ArBuildCheckResult *
ar_auto_split_dialog_get_check_result (ArAutoSplitDialog *self)
{
  g_return_val_if_fail (AR_IS_AUTO_SPLIT_DIALOG (self), NULL);

  return self->check_result;
}

static void
ar_auto_split_dialog_dispose (GObject *object)
{
  ArAutoSplitDialog *self = AR_AUTO_SPLIT_DIALOG (object);

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);

  G_OBJECT_CLASS (ar_auto_split_dialog_parent_class)->dispose (object);
}

static void
ar_auto_split_dialog_finalize (GObject *object)
{
  ArAutoSplitDialog *self = AR_AUTO_SPLIT_DIALOG (object);

  g_clear_pointer (&self->units, g_ptr_array_unref);
  g_clear_pointer (&self->switches, g_ptr_array_unref);
  g_clear_object (&self->engine);
  g_clear_object (&self->environment);
  g_clear_pointer (&self->settings, ar_settings_free);
  g_clear_pointer (&self->check_result, ar_build_check_result_free);

  G_OBJECT_CLASS (ar_auto_split_dialog_parent_class)->finalize (object);
}

static void
ar_auto_split_dialog_class_init (ArAutoSplitDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_auto_split_dialog_dispose;
  object_class->finalize = ar_auto_split_dialog_finalize;

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

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-auto-split-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ArAutoSplitDialog, list_box);
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

  gtk_widget_class_install_action (widget_class, "auto-split.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "auto-split.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "auto-split.check", NULL, check_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "auto-split.cancel", NULL);
}

static void
ar_auto_split_dialog_init (ArAutoSplitDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->switches = g_ptr_array_new ();
}

ArAutoSplitDialog *
ar_auto_split_dialog_new (const char        *script,
                          const char *const *env_var_names,
                          gboolean           replaces_text)
{
  ArAutoSplitDialog *self = g_object_new (AR_TYPE_AUTO_SPLIT_DIALOG, NULL);
  g_autoptr(GError) error = NULL;

  self->units = ar_preflight_analyze (script != NULL ? script : "", env_var_names, &error);
  if (self->units == NULL)
    {
      /* nested too deeply to analyse: say so instead of a list */
      GtkWidget *page = adw_status_page_new ();
      g_autofree char *markup = g_markup_escape_text (error->message, -1);

      adw_status_page_set_icon_name (ADW_STATUS_PAGE (page), "dialog-warning-symbolic");
      adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Cannot Split This Script"));
      adw_status_page_set_description (ADW_STATUS_PAGE (page), markup);
      gtk_stack_add_named (self->stack, page, "error");
      self->units = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_preflight_unit_free);
    }
  for (guint i = 0; i < self->units->len; i++)
    gtk_list_box_append (self->list_box, create_row (self, g_ptr_array_index (self->units, i)));

  gtk_widget_set_visible (self->replace_box, replaces_text && self->units->len > 0);
  gtk_stack_set_visible_child_name (self->stack, error != NULL ? "error" : self->units->len > 0 ? "units" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "auto-split.apply", self->units->len > 0);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->apply_button);
  update_summary (self);
  show_check_state (self);

  return self;
}
