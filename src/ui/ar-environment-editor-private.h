/* ar-environment-editor-private.h — what the files of ArEnvironmentEditor
 * share: the instance struct and the state helpers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtksourceview/gtksource.h>

#include "ar-environment-editor.h"

G_BEGIN_DECLS

#define N_TABS 3

typedef enum {
  FIELD_ENV_VARS,
  FIELD_MOUNTS,
  FIELD_PORTS,
  N_LINE_FIELDS
} LineField;

struct _ArEnvironmentEditor {
  AdwBin parent_instance;

  ArEnvStore *store;
  ArEnvironment *environment;
  ArEnvironment *draft;
  GPtrArray *bindings;
  GSettings *settings;
  GCancellable *cancellable;
  /* The base image's user for the Preflight tab: the pending lookup. */
  guint build_user_source;
  GCancellable *build_user_cancellable;

  /* Set while the widgets are filled from a new draft. */
  gboolean loading;
  gboolean modified;
  gboolean saving; /* the store is writing this editor's save */
  gboolean has_errors;
  /* The environment is not in the store yet: a draft until its first
   * Save, so there is always something to lose. */
  gboolean is_new;
  /* What Revert threw away, for its Undo. */
  ArEnvironment *reverted;
  /* The folder chooser that is open, if any. */
  GtkNativeDialog *chooser;
  gboolean line_errors[N_LINE_FIELDS];
  gboolean command_error;
  gboolean args_error;

  GtkWidget *back_button;
  AdwSqueezer *switcher_squeezer;
  GtkWidget *no_switcher;
  GtkWidget *narrow_switcher;
  GtkToggleButton *narrow_tabs[N_TABS];
  GtkWidget *color_dot;
  GtkLabel *title_label;
  GtkLabel *id_label;
  GtkWidget *save_button;
  GtkWidget *revert_button;
  GtkStack *tabs;
  GtkWidget *general_page;
  GtkWidget *container_page;

  AdwEntryRow *name_row;
  AdwComboRow *color_row;
  GtkEntry *base_image_entry;
  AdwComboRow *engine_row;
  GStrv engine_ids;         /* the engine row's items: "" (Local), then names */
  gboolean filling_engines; /* the row's model is being made: not an edit */
  AdwComboRow *workspace_type_row;
  AdwEntryRow *workspace_target_row;
  AdwEntryRow *workdir_row;
  AdwComboRow *agent_row;
  AdwEntryRow *agent_args_row;
  AdwEntryRow *custom_command_row;
  GtkEntry *host_config_entry;
  GtkWidget *workspace_choose_button;
  GtkSwitch *desktop_switch;
  GtkWidget *desktop_cache_row;
  GtkSwitch *desktop_cache_switch;
  GtkSwitch *caching_switch;
  GtkSourceView *line_views[N_LINE_FIELDS];
  GtkLabel *line_error_labels[N_LINE_FIELDS];
  GtkSpinButton *max_agents_spin;
  ArPreflightEditor *preflight_editor;
};

/* Recomputes modified / has-errors and what shows them. */
void ar_environment_editor_update_state (ArEnvironmentEditor *self);
/* Shows @draft (a copy the editor may change) in the widgets. */
void ar_environment_editor_set_draft (ArEnvironmentEditor *self,
                                      ArEnvironment *draft);
void ar_environment_editor_notify_environment (ArEnvironmentEditor *self);
void ar_environment_editor_set_saving (ArEnvironmentEditor *self,
                                       gboolean saving);

/* ar-environment-editor-fields.c */
extern const char *const ar_environment_editor_line_field_props[N_LINE_FIELDS];

void ar_environment_editor_bind_combo (ArEnvironmentEditor *self, const char *property, AdwComboRow *row, const char *const *ids);
void ar_environment_editor_bind (ArEnvironmentEditor *self, const char *property, gpointer target, const char *target_property);
void ar_environment_editor_setup_combo_models (ArEnvironmentEditor *self);
void ar_environment_editor_update_workspace_fields (ArEnvironmentEditor *self);
void ar_environment_editor_update_agent_fields (ArEnvironmentEditor *self);
void ar_environment_editor_update_base_image_placeholder (ArEnvironmentEditor *self);
/* The engine row from the Preferences' list and the draft's engine, with a
 * warning when the draft names one that is not in the list (design.md §6.2). */
void ar_environment_editor_update_engine_row (ArEnvironmentEditor *self);
void ar_environment_editor_on_engine_selected (ArEnvironmentEditor *self);
void ar_environment_editor_on_draft_notify (ArEnvironment *draft, GParamSpec *pspec, ArEnvironmentEditor *self);
char *ar_environment_editor_buffer_dup_text (GtkTextBuffer *buffer);
void ar_environment_editor_on_line_buffer_changed (GtkTextBuffer *buffer, ArEnvironmentEditor *self);
void ar_environment_editor_on_custom_command_changed (ArEnvironmentEditor *self);
void ar_environment_editor_on_agent_args_changed (ArEnvironmentEditor *self);

/* ar-environment-editor-build-user.c */
/* Asks the engine for the base image's user, for the Preflight tab's
 * warning: on the next idle, or after a pause (typing). */
void ar_environment_editor_update_build_user (ArEnvironmentEditor *self,
                                              gboolean at_once);
void ar_environment_editor_stop_build_user (ArEnvironmentEditor *self);

G_END_DECLS
