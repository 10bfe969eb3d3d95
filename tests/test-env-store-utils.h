/* test-env-store-utils.h — what the test-env-store programs share (fixtures and helpers)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-env-store.h"
#include "ar-paths.h"
#include <glib/gstdio.h>
#include "test-utils.h"

char *store_path (void);

ArEnvStore *load_from_text (const char *path, const char *text);

ArEnvStore *quiet_store (const char *path);
