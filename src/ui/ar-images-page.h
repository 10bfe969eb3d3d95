/* ar-images-page.h — the Cached images page (design.md §3.6): every
 * agents-runner image with its layer, environment, size, times and use;
 * the total disk use; per environment the cache's hit rate, builds and
 * failures; "Remove unused" (asking first, never an image a container
 * uses) and "Rebuild".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-backend.h"

G_BEGIN_DECLS

#define AR_TYPE_IMAGES_PAGE (ar_images_page_get_type ())
G_DECLARE_FINAL_TYPE (ArImagesPage, ar_images_page, AR, IMAGES_PAGE, AdwBin)

GtkWidget *ar_images_page_new (ArBackend *backend);

/* Lists again (the Refresh button). */
void ar_images_page_refresh (ArImagesPage *self);
/* A listing is running. */
gboolean ar_images_page_get_loading (ArImagesPage *self);
/* What the last listing found (ArCachedImage); empty before any. */
GPtrArray *ar_images_page_get_images (ArImagesPage *self);

/* Opens the rebuild dialog for the environment @env_id. */
GtkWidget *ar_images_page_rebuild (ArImagesPage *self,
                                   const char *env_id);

G_END_DECLS
