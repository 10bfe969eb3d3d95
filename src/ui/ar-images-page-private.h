/* ar-images-page-private.h — what the files of ArImagesPage share: the
 * instance struct and the helpers one file uses of another's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ar-images-page.h"

G_BEGIN_DECLS

struct _ArImagesPage {
  AdwBin parent_instance;

  ArBackend *backend;
  ArTaskManager *manager;         /* whose task-finished we listen to */
  GPtrArray *images;              /* ArCachedImage, as last listed */
  GPtrArray *image_engines;       /* char *: the engine of each image, with several engines; else empty */
  char *unreachable;              /* the engines that did not answer the last listing, or NULL */
  ArImageStatsSnapshot *stats;    /* the counters, read with that listing */
  GPtrArray *rows;                /* widgets added to the groups */
  GCancellable *list_cancellable; /* the listing running now */
  GCancellable *op_cancellable;   /* Remove unused, once asked: never cut short by a refresh */
  gboolean listing;
  gboolean op_running;
  gboolean loading;
  gboolean dirty;  /* something changed since the last listing */
  gboolean failed; /* the last listing failed */
  guint refresh_idle;

  GtkLabel *summary_label;
  GtkLabel *unreachable_label;
  GtkSpinner *spinner;
  GtkWidget *refresh_button;
  GtkWidget *remove_button;
  GtkStack *stack;
  AdwStatusPage *problem_page;
  AdwPreferencesGroup *images_group;
  AdwPreferencesGroup *others_group;
  AdwPreferencesGroup *envs_group;
};

GPtrArray *ar_images_page_store_environments (ArImagesPage *self);
char *ar_images_page_image_name (const ArCachedImage *image);
void ar_images_page_update_loading (ArImagesPage *self);
void ar_images_page_show_problem (ArImagesPage *self, const char *title, const char *message);
void ar_images_page_remove_unused_action (GtkWidget *widget, const char *action_name, GVariant *parameter);

G_END_DECLS
