/* ar-cli-preflight.c — preflight split|check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-cli-private.h"

const ArCliCommand ar_cli_preflight_commands[] = {
  { NULL }
};
