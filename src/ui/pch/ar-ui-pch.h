/* ar-ui-pch.h — the toolkit headers every file of the UI library includes,
 * compiled once per build (meson's c_pch): parsing them was about 60 % of
 * each file's compile time (the library: 54.5 s of compiler time without,
 * 37.1 s with, this header's 3.8 s included). Source files still include
 * what they use; this only makes it cheaper.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <gtksourceview/gtksource.h>
#include <vte/vte.h>
