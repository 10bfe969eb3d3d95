/* ar-environment-row.h — one environment in the list of the Environments
 * page: color, name, id and a caching badge. The list is a GtkListView:
 * rows are recycled, so the environment can be set again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-environment.h"

G_BEGIN_DECLS

#define AR_TYPE_ENVIRONMENT_ROW (ar_environment_row_get_type ())
G_DECLARE_FINAL_TYPE (ArEnvironmentRow, ar_environment_row, AR, ENVIRONMENT_ROW, AdwBin)

GtkWidget *ar_environment_row_new (ArEnvironment *environment);
ArEnvironment *ar_environment_row_get_environment (ArEnvironmentRow *self);
void ar_environment_row_set_environment (ArEnvironmentRow *self,
                                         ArEnvironment *environment);

G_END_DECLS
