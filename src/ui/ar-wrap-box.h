/* ar-wrap-box.h — a row of widgets that wraps onto more rows when the
 * width runs out (button rows and headers that must fit at 360 px; GTK 4.8
 * and libadwaita 1.2 have no wrapping box). Children keep their order,
 * left to right then top to bottom, which is also the Tab order; a child
 * that is wider than the box gets the box's width (a wrapping label then
 * wraps); children with hexpand share what is left of their row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AR_TYPE_WRAP_BOX (ar_wrap_box_get_type ())
G_DECLARE_FINAL_TYPE (ArWrapBox, ar_wrap_box, AR, WRAP_BOX, GtkWidget)

GtkWidget *ar_wrap_box_new (int spacing, int row_spacing);
void ar_wrap_box_append (ArWrapBox *self, GtkWidget *child);

G_END_DECLS
