/* test-ui-preflight-editor-utils.h — what the test-ui-preflight-editor programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <string.h>

#include "ar-auto-split-dialog.h"
#include "ar-preflight-analyzer.h"
#include "ar-preflight-editor.h"
#include "ar-preflight-validator.h"
#include "ar-ui.h"
#include "test-ui-utils.h"
#include "test-ui-walk.h"

#define KNOWN_SCRIPT "#!/bin/sh\nset -e\napt-get update\napt-get install -y git\nexport FOO=1\necho $TASK_ID\n"

typedef struct {
  GtkWindow *window;
  GtkStack *stack;
  ArPreflightEditor *editor;
  ArEnvironment *env;
} Fixture;

void fixture_set_up (Fixture *f, gconstpointer data);

void fixture_tear_down (Fixture *f, gconstpointer data);

GtkWidget *view (Fixture *f, const char *name);

gboolean view_is_active (Fixture *f, const char *name);

void assert_texts (Fixture *f, const char *single, const char *cached, const char *run);

guint find_unit (GPtrArray *units, const char *text);

GtkSwitch *unit_switch (ArAutoSplitDialog *dialog, guint index);

gboolean check_finished (ArAutoSplitDialog *dialog);

void on_check_finished (ArAutoSplitDialog *dialog);

void run_check (ArAutoSplitDialog *dialog);

void assert_nothing_cut (GtkWidget *root, const char *where);

void assert_all_named (GtkWidget *root, const char *where);

extern const int widths[3];

int screen_width (GtkWindow *window);

void set_size (GtkWindow *window, int width, int height);

void screenshot_at (GtkWindow *window, int width, int height, const char *name);
