/* test-cache-key-utils.c — what the test-cache-key programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ar-cache-key.h"
#include "ar-dockerfile.h"
#include "ar-environment.h"
#include "test-utils.h"
#include "test-cache-key-utils.h"

const Case base_case = {
  .layer = AR_LAYER_ENV,
  .parent = PARENT_A,
  .platform = "linux/amd64",
  .user = "midori-ai",
  .dockerfile = "FROM scratch\nRUN true\n",
  .files = {
    { "cached-preflight.sh", "#!/bin/sh\nyay -S --noconfirm ripgrep\n" },
    { "a-helper.sh", "echo helper\n" },
  },
  .n_files = 2,
};

GArray *
case_files (const Case *c)
{
  GArray *files = ar_context_files_new ();

  for (gsize i = 0; i < c->n_files; i++)
    {
      g_autoptr(GBytes) contents = g_bytes_new (c->files[i].contents, strlen (c->files[i].contents));

      ar_context_files_add (files, c->files[i].name, contents);
    }
  return files;
}

void
case_inputs (const Case *c, GArray *files, ArCacheKeyInputs *in)
{
  *in = (ArCacheKeyInputs) {
    .layer = c->layer,
    .parent_id = c->parent,
    .platform = c->platform,
    .dockerfile = c->dockerfile,
    .files = (const ArContextFile *) (gpointer) files->data,
    .n_files = files->len,
    .build_user = c->user,
  };
}

char *
case_key (const Case *c)
{
  g_autoptr(GArray) files = case_files (c);
  ArCacheKeyInputs in;

  case_inputs (c, files, &in);
  return ar_cache_key_compute (&in);
}

/* Dockerfile ------------------------------------------------------------- */

char *
generate (ArLayerKind layer, const char *parent, const char *user, gboolean shebang)
{
  g_autoptr(GError) error = NULL;
  ArDockerfileParams params = { 0 };
  char *text;

  params.layer = layer;
  params.parent = parent;
  params.build_user = user;
  params.has_shebang = shebang;
  text = ar_dockerfile_generate (&params, &error);
  g_assert_no_error (error);
  return text;
}
