/* ar-preflight-deps-private.h — the facts of one unit, as the dependency
 * model (ar-preflight-deps.c) finds them and the check and the guarantee
 * (ar-preflight-guarantee.c) read them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-preflight-deps.h"

G_BEGIN_DECLS

typedef enum {
  FILE_CREATE,
  FILE_APPEND,
  FILE_MODIFY,
  FILE_USE,
} FileOp;

typedef struct {
  char *path;
  FileOp op;
} FileFact;

typedef enum {
  SECRET_NONE,
  SECRET_NAME, /* looks like a secret */
  SECRET_TASK, /* $TASK_ID, $AGENTS_RUNNER_… */
  SECRET_ENV,  /* an env var of the environment */
} SecretKind;

struct _ArPreflightDeps {
  gint ref_count;
  guint line;           /* first line with code */
  gboolean definition;  /* defines functions: the facts below are its body's */
  gboolean pure;        /* only definitions and queries: may run in both parts */
  gboolean home;        /* uses the home folder or the workspace */
  gboolean state;       /* set, shopt, umask, trap */
  gboolean status_read; /* $? of the unit before */
  gboolean cwd_read;
  gboolean cwd_set;
  gboolean venv_read;
  gboolean venv_set;
  char *cwd;          /* literal folder the cd goes to, or NULL */
  GPtrArray *sets;    /* char *: variables */
  GPtrArray *reads;   /* char *: variables */
  GPtrArray *exports; /* char *: exported variables commands read */
  GPtrArray *defines; /* char *: functions */
  GPtrArray *calls;   /* char *: command names, some of them functions */
  GArray *files;      /* FileFact */
  SecretKind secret_kind;
  char *secret;
  guint secret_line;
};

G_END_DECLS
