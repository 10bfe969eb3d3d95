/* ar-tab-out-bin.h — a bin around a sidebar's list view that Tab leaves
 * at once.
 *
 * GtkListView (4.8) moves focus row by row on Tab; in a sidebar Tab should
 * go to the next control instead, and entering the list should land on
 * the selected row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AR_TYPE_TAB_OUT_BIN (ar_tab_out_bin_get_type ())
G_DECLARE_FINAL_TYPE (ArTabOutBin, ar_tab_out_bin, AR, TAB_OUT_BIN, AdwBin)

/* The list inside (not a reference: clear it before the list goes). */
void ar_tab_out_bin_set_list_view (ArTabOutBin *self,
                                   GtkListView *list_view);

G_END_DECLS
