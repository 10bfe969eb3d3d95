/* ar-preferences-window.h — Preferences (design.md §7), every key of the schema
 * bound to its widget.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AR_TYPE_PREFERENCES_WINDOW (ar_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ArPreferencesWindow, ar_preferences_window, AR, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @settings: of the io.github.agents_runner.AgentsRunner schema. */
ArPreferencesWindow *ar_preferences_window_new (GSettings *settings);

G_END_DECLS
