/* ar-preflight-editor-private.h — what the files of ArPreflightEditor
 * share: the instance struct and the helpers one file uses of another's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "ar-preflight-editor.h"

G_BEGIN_DECLS

typedef enum {
  SCRIPT_SINGLE,
  SCRIPT_CACHED,
  SCRIPT_RUN,
  N_SCRIPTS
} Script;

struct _ArPreflightEditor {
  AdwBin parent_instance;

  ArEnvironment *environment;
  GBinding *enabled_binding;
  char *build_user;
  /* Why the build user is not known (then build_user is NULL), or NULL. */
  char *build_user_unknown;
  GCancellable *cancellable;
  /* Set while the editors are filled from the environment, so that the
   * buffers' "changed" does not write the same text back. */
  gboolean syncing;
  /* The single script was blank and off when the environment was set, and
   * the user has not touched "Run at task start" since. */
  gboolean auto_enable;
  gboolean enabling;

  GtkSourceView *views[N_SCRIPTS];
  GtkWidget *overlays[N_SCRIPTS];
  GtkWidget *placeholders[N_SCRIPTS];
  GtkWidget *inactive_labels[N_SCRIPTS];
  GtkWidget *pages[N_SCRIPTS];
  GtkToggleButton *tabs[N_SCRIPTS];

  GtkNotebook *notebook;
  GtkLabel *mode_label;
  GtkWidget *caching_hint;
  GtkSwitch *enabled_switch;
  GtkLabel *cached_warning_label;
  GtkRevealer *results_revealer;
  GtkLabel *results_title;
  GtkListBox *results_list;
};

void ar_preflight_editor_show_script_line (ArPreflightEditor *self, Script which, guint line);
void ar_preflight_editor_on_result_activated (GtkListBox *list, GtkListBoxRow *row, ArPreflightEditor *self);
void ar_preflight_editor_validate_action (GtkWidget *widget, const char *action_name, GVariant *parameter);
void ar_preflight_editor_hide_results_action (GtkWidget *widget, const char *action_name, GVariant *parameter);

G_END_DECLS
