/* ar-ui.h — what every window of the application shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "ar-environment.h"
#include "ar-task.h"

G_BEGIN_DECLS

#define AR_RESOURCE_PATH "/io/github/agents_runner/AgentsRunner"

/* Registers the resources and the widget types the templates use; call
 * before building any widget (the application does; tests must). Safe to
 * call more than once. */
void ar_ui_init (void);

/* The settings, or NULL when the schema is not installed (an uninstalled
 * build run without GSETTINGS_SCHEMA_DIR). */
GSettings *ar_ui_settings_new (void);

/* Makes @widget visible by switching every GtkStack, AdwViewStack and
 * GtkNotebook above it to the page that contains it. */
void ar_ui_reveal (GtkWidget *widget);

/* Shows @toast in the nearest AdwToastOverlay above @widget; the toast is
 * dropped when there is none. Takes ownership of @toast. */
void ar_ui_add_toast (GtkWidget *widget, AdwToast *toast);

/* The window @widget is in, for transient dialogs; may be NULL. */
GtkWindow *ar_ui_get_window (GtkWidget *widget);

/* Shell highlighting, line numbers, a monospace font and a style scheme that
 * follows the dark/light preference. */
void ar_ui_setup_script_view (GtkSourceView *view, gboolean shell_language);

/* @path with the home folder written as "~", for placeholders. */
char *ar_ui_tilde_path (const char *path);

/* Shows @unlimited_label instead of -1 in @spin_button. */
void ar_ui_spin_button_show_unlimited (GtkSpinButton *spin_button);

/* "ar-color-emerald" and so on, for the color dots of style.css. */
char *ar_ui_color_css_class (const char *color);
/* The translated name of one of the 12 environment colors. */
const char *ar_ui_color_label (const char *color);

/* "45 s", "3 min 05 s", "2 h 04 min". */
char *ar_ui_format_duration (double seconds);
/* "Today 14:03", "Yesterday 09:12", "2026-11-20 18:40"; @never_text for 0. */
char *ar_ui_format_time (gint64 unix_seconds, const char *never_text);

/* Makes @label the status badge of @state: its name, in its colour. */
void ar_ui_set_state_badge (GtkLabel *label, ArTaskState state);

/* Rows of ArEnvironment: the color dot and the name (an environment with
 * an empty id is a "none" entry: no dot). For dropdowns and combo rows. */
GtkListItemFactory *ar_ui_environment_factory_new (void);

/* A list item child of a color dot and a label, for factories; the label
 * is ellipsized at the end when @ellipsize. ar_ui_color_dot_row_set fills
 * it in. */
GtkWidget *ar_ui_color_dot_row_new (gboolean ellipsize);
void ar_ui_color_dot_row_set (GtkWidget *row,
                              const char *color,
                              const char *label);

/* Makes @choices hold @first (when not NULL) and then the environments of
 * @environments, in one change, for the environment dropdowns. */
void ar_ui_env_choices_sync (GListStore *choices,
                             ArEnvironment *first,
                             GListModel *environments);
/* The position in @choices of the environment with id @env_id, or
 * GTK_INVALID_LIST_POSITION when it is not there or @env_id is NULL. */
guint ar_ui_env_choices_find (GListModel *choices,
                              const char *env_id);

G_END_DECLS
