/* test-entry-script-utils.h — what the test-entry-script programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ar-entry-script.h"
#include "test-utils.h"

char *make_scratch (const ArEntrySteps *steps);

void write_step (const char *dir, const char *file, const char *text);
