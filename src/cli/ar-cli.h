/* ar-cli.h — the command line (design.md §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit status: 0 success, 1 failure, 2 bad usage. */
#define AR_EXIT_OK 0
#define AR_EXIT_FAILURE 1
#define AR_EXIT_USAGE 2

int ar_cli_main (int argc, char **argv);

G_END_DECLS
