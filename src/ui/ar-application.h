/* ar-application.h — the GTK application: actions, shortcuts, windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-env-store.h"

G_BEGIN_DECLS

#define AR_TYPE_APPLICATION (ar_application_get_type ())
G_DECLARE_FINAL_TYPE (ArApplication, ar_application, AR, APPLICATION, AdwApplication)

ArApplication *ar_application_new (void);

/* The environments, loaded at startup from the default place. */
ArEnvStore *ar_application_get_env_store (ArApplication *self);

G_END_DECLS
