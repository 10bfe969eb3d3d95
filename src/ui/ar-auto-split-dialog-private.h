/* ar-auto-split-dialog-private.h — what the files of ArAutoSplitDialog
 * share: the instance struct, the units' list model type, and the helpers
 * one file uses of another's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-auto-split-dialog.h"
#include "ar-preflight-build-check.h"

G_BEGIN_DECLS

#define AR_TYPE_SPLIT_MODEL (ar_split_model_get_type ())
G_DECLARE_FINAL_TYPE (ArSplitModel, ar_split_model, AR, SPLIT_MODEL, GObject)
struct _ArAutoSplitDialog {
  AdwWindow parent_instance;

  /* Empty until the analysis (in a thread) has ended. */
  GPtrArray *units;
  ArSplitModel *model;
  GCancellable *analysis_cancellable;
  guint fill_source;
  gboolean analysing;
  gboolean replaces_text;
  /* Set while a row is filled, so that its switch's "notify::active" is
   * not taken for a flip. */
  gboolean binding;

  GtkStack *stack;
  GtkListView *list_view;
  GtkLabel *progress_label;
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

  /* The build check (design.md §5.1): NULL engine = no engine to check on. */
  ArEngine *engine;
  ArEnvironment *environment;
  ArSettings *settings;
  GCancellable *check_cancellable;
  ArBuildCheckResult *check_result;
  gboolean check_stale;
};

void ar_auto_split_dialog_show_check_state (ArAutoSplitDialog *self);
void ar_auto_split_dialog_check_action (GtkWidget *widget, const char *action_name, GVariant *parameter);

G_END_DECLS
