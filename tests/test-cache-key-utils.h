/* test-cache-key-utils.h — what the test-cache-key programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ar-cache-key.h"
#include "ar-dockerfile.h"
#include "ar-environment.h"
#include "test-utils.h"

#define PARENT_A "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PARENT_B "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

typedef struct {
  const char *name;
  const char *contents;
} TextFile;

/* Inputs as plain strings; every computation builds fresh GBytes from them,
 * so nothing is shared between two computations but the text. */
typedef struct {
  ArLayerKind layer;
  const char *parent;
  const char *platform;
  const char *user;
  const char *dockerfile;
  TextFile files[4];
  gsize n_files;
} Case;

extern const Case base_case;

GArray *case_files (const Case *c);

void case_inputs (const Case *c, GArray *files, ArCacheKeyInputs *in);

char *case_key (const Case *c);

char *generate (ArLayerKind layer, const char *parent, const char *user, gboolean shebang);
