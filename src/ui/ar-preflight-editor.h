/* ar-preflight-editor.h — the Preflight tab of the environment editor
 * (design.md §6.3): mode selector, the three script editors, Auto-Split,
 * Validate and Test preflight.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-environment.h"

G_BEGIN_DECLS

#define AR_TYPE_PREFLIGHT_EDITOR (ar_preflight_editor_get_type ())
G_DECLARE_FINAL_TYPE (ArPreflightEditor, ar_preflight_editor, AR, PREFLIGHT_EDITOR, AdwBin)

GtkWidget *ar_preflight_editor_new (void);

/* The environment whose scripts are edited, in place: pass a draft copy
 * (ar_environment_copy) when edits must not reach the store directly. */
ArEnvironment *ar_preflight_editor_get_environment (ArPreflightEditor *self);
void ar_preflight_editor_set_environment (ArPreflightEditor *self,
                                          ArEnvironment *environment);

/* The user the cached preflight runs as at image build time, named by the
 * warning on the cached tab. "root" until the engine knows better; NULL
 * while it is not known. */
const char *ar_preflight_editor_get_build_user (ArPreflightEditor *self);
void ar_preflight_editor_set_build_user (ArPreflightEditor *self,
                                         const char *build_user);
/* The build user cannot be known: the warning says "the image's user" and
 * @why (translated, short: "the image is not on the engine"). */
void ar_preflight_editor_set_build_user_unknown (ArPreflightEditor *self,
                                                 const char *why);

/* "single" or "split": the environment's preflight mode. */
const char *ar_preflight_editor_get_mode (ArPreflightEditor *self);
void ar_preflight_editor_set_mode (ArPreflightEditor *self,
                                   const char *mode);

/* Lists validator warnings (element-type ArPreflightWarning) under the
 * editors; an empty array says that nothing was found. NULL hides the list. */
void ar_preflight_editor_show_warnings (ArPreflightEditor *self,
                                        GPtrArray *warnings);

/* Opens the Auto-Split dialog for the current scripts. */
void ar_preflight_editor_auto_split (ArPreflightEditor *self);

G_END_DECLS
