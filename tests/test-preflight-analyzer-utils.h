/* test-preflight-analyzer-utils.h — what the test-preflight-analyzer programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include "ar-preflight-analyzer.h"
#include "test-utils.h"

#include <string.h>
#include <time.h>

GPtrArray *analyze (const char *script, const char *const *names);

ArPreflightUnit *unit_at (GPtrArray *units, guint i);

void assert_single (const char *script, const char *const *names, ArPreflightCategory category, ArPreflightPart part);
