/* ar-environment-row.h — one environment in the list of the Environments
 * page: color, name, id and a caching badge.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ar-environment.h"

G_BEGIN_DECLS

#define AR_TYPE_ENVIRONMENT_ROW (ar_environment_row_get_type ())
G_DECLARE_FINAL_TYPE (ArEnvironmentRow, ar_environment_row, AR, ENVIRONMENT_ROW, GtkListBoxRow)

GtkWidget *ar_environment_row_new (ArEnvironment *environment);
ArEnvironment *ar_environment_row_get_environment (ArEnvironmentRow *self);

G_END_DECLS
