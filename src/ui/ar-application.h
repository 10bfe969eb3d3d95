/* ar-application.h — the GTK application: actions, shortcuts, windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-backend.h"
#include "ar-env-store.h"

G_BEGIN_DECLS

#define AR_TYPE_APPLICATION (ar_application_get_type ())
G_DECLARE_FINAL_TYPE (ArApplication, ar_application, AR, APPLICATION, AdwApplication)

ArApplication *ar_application_new (void);

/* The environments, loaded at startup from the default place. */
ArEnvStore *ar_application_get_env_store (ArApplication *self);
/* The engine, builder and task manager, made at startup. */
ArBackend *ar_application_get_backend (ArApplication *self);

/* ~/.midoriai/agents-runner/environments.json: offered for import on the
 * first start that finds it (once; the legacy-import-offered key). */
char *ar_application_dup_legacy_environments_path (void);

G_END_DECLS
