/* fuzz-common.h — what the file-based harnesses share: a scratch folder
 * for the whole run (on tmpfs when there is one) and a plain write.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>

#include <glib.h>

/* Makes a folder named after @harness, on /dev/shm when it can (creating
 * and renaming files there is several times cheaper, and every run does
 * both), else in the temporary folder; removed with everything in it when
 * the process exits. Aborts when no folder can be made. */
const char *ar_fuzz_scratch_dir (const char *harness);

/* Writes @size bytes to @file and aborts on any failure: a plain write,
 * since g_file_set_contents would fsync an existing file. */
void ar_fuzz_write_file (const char *file, const void *data, size_t size);
