/* test-engine-utils.h — what the test-engine programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-engine.h"
#include "test-utils.h"

#define RUN_LABEL_KEY "io.github.agents-runner.test-run"

double now_seconds (void);

ArEngine *engine_on (ArEngineQueryPath path);

int run_sync (ArEngine *engine, const char *const *args, char **out, char **err);
