/* test-second-engine.h — a second private Docker engine beside the run's
 * (issue 15 part 2: several engines side by side), on this machine
 *
 * tests/engine-up.sh with AR_TEST_ENGINE_UP_DIR=<a folder of its own>, as
 * test-field.c's test_engine_network does: a dockerd of its own socket,
 * data, bridge and NAT, which shares this machine's folders. Started once
 * per process, stopped when the process is gone, however it goes (a reaper
 * on a pipe, as the other engine fixtures).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Its DOCKER_HOST value (unix://…/docker.sock), with @image (the run's
 * base image, ar_test_engine_base_image()'s name) imported there under the
 * run's label; NULL after g_test_skip() when it cannot be had here (not
 * root). After ar_test_engine_need(). */
const char *ar_test_second_engine_up (const char *image);

/* The docker CLI on it; exit status. */
int ar_test_second_engine_docker (const char *const *args, char **out_stdout, char **out_stderr);

G_END_DECLS
