/* test-debian.h — a real Debian base and a caching apt proxy for the tests
 * that install real packages (test-autosplit-engine, test-field)
 *
 * The images come from tests/make-debian-base.sh (debootstrap minbase
 * bookworm, made once and kept in AR_TEST_CACHE_DIR, else
 * ~/.cache/agents-runner-tests; a variant with USER dev and passwordless
 * sudo). Every package comes from Debian's archive through a real apt-get,
 * but through apt-cacher-ng, started here on the address containers reach
 * the host at (the gateway of the Docker engine's bridge network) and
 * stopped at the end, with its cache kept in AR_TEST_APT_CACHE (default
 * /var/cache/agents-runner-tests/apt-cacher-ng when root, else the cache
 * folder above): the .debs are downloaded once, across runs. The images the
 * tests get are those two with one line more, in /etc/apt/apt.conf.d/,
 * naming the proxy (carrying this run's label: removed at the end).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Debian images in the engine `cli` ("docker", or "podman" once
 * ar_test_engine_podman_ensure() said yes): *base runs as root, *dev
 * (may be NULL: then it is not made until a call asks for it) as `dev`
 * (uid 1000, passwordless sudo). Made once per process and engine; a container on *base has run `apt-get update`
 * through the proxy before this returns TRUE.
 * FALSE with one sentence in *why: *fatal FALSE when the test should skip
 * (no engine, no root to make the base), TRUE when it must fail (the
 * engine has no network, the proxy cannot start, or a container cannot
 * reach Debian's package archive). */
gboolean ar_test_debian_images (const char  *cli,
                                char       **base,
                                char       **dev,
                                gboolean    *fatal,
                                char       **why);

/* "http://ADDRESS:PORT/": the apt proxy, once started; NULL before. */
const char *ar_test_debian_apt_proxy (void);

/* Stops the apt proxy (also done when the process is gone, however). */
void ar_test_debian_cleanup (void);

/* Before ar_test_init: the apt cache this program's proxy keeps across runs,
 * when AR_TEST_APT_CACHE does not name one and this runs as root:
 * /var/cache/agents-runner-tests/@name, or @podman_name when an argument
 * (meson's -p PATH) starts with @podman_path. Programs that run side by side
 * each keep their own: one proxy at a time may use a cache. */
void ar_test_debian_choose_apt_cache (int          argc,
                                     char       **argv,
                                     const char  *name,
                                     const char  *podman_path,
                                     const char  *podman_name);

G_END_DECLS
