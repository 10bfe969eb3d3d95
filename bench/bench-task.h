/* bench-task.h — timing one task and one bare `docker run`, for the
 * benchmarks that compare the two (bench-task-start, bench-field).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ar-task-runner.h"

/* Runs one task of @env to its end (g_error() unless it ends done) and
 * returns its wall-clock seconds; @image, if not NULL, gets the image the
 * task ran. */
double bench_time_task (ArImageBuilder *builder, ArEnvironment *env, const ArSettings *settings, char **image);

/* `docker run --rm IMAGE true` (labelled for clean-up); wall-clock seconds. */
double bench_time_bare_run (const char *image);
