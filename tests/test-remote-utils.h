/* test-remote-utils.h — a "remote" Docker engine on this machine, for the
 * tests of engines that share no folders with the app (issue 15)
 *
 * tests/remote-engine-up.sh, started once per test program and stopped
 * when the process is gone, however it goes (a reaper on a pipe, as the
 * engine fixture of test-utils.c): a second dockerd in a mount namespace
 * of its own (its /tmp, /home, /root and /run are empty tmpfs: this
 * machine's user folders do not exist there), reached over
 * ssh://root@127.0.0.1:PORT (an sshd inside that namespace) and over
 * tcp://127.0.0.1:PORT with TLS (certificates made for the run). All on
 * loopback.
 *
 * Usage:
 *   if (!ar_test_remote_need ()) return;          // skipped or failed, saying why
 *   engine = ar_engine_new ("docker", ar_test_remote_host (AR_TEST_REMOTE_SSH));
 *   image = ar_test_remote_base_image ();         // busybox, imported there
 * The CLI needs no more than this process's environment, which
 * ar_test_remote_ensure() sets for both ways at once (and leaves a local
 * unix:// engine working): PATH starts with a folder whose `ssh` adds
 * `-F <the run's ssh config>` (key, known_hosts; nothing under ~/.ssh),
 * DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH=<the client's certificates>.
 * A child process given its own environment gets the same with
 * ar_test_remote_environ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  AR_TEST_REMOTE_SSH, /* ssh://root@127.0.0.1:PORT */
  AR_TEST_REMOTE_TLS, /* tcp://127.0.0.1:PORT, --tlsverify */
} ArTestRemoteWay;

/* Starts the remote engine (once per process) and sets this process's
 * environment for it. FALSE with one sentence in *why (may be NULL):
 * *fatal FALSE when it cannot be had here (not root, dockerd or sshd
 * missing: skip), TRUE when it should have started and did not (fail). */
gboolean ar_test_remote_ensure (gboolean *fatal, char **why);

/* The start of a test that needs it: ar_test_remote_ensure(), else the
 * test is skipped or failed, saying why, and FALSE is returned (return at
 * once). */
gboolean ar_test_remote_need (void);

/* "ssh://root@127.0.0.1:PORT" or "tcp://127.0.0.1:PORT": an ArEngine host. */
const char *ar_test_remote_host (ArTestRemoteWay way);
/* "SSH" or "TLS", for messages and test paths. */
const char *ar_test_remote_way_name (ArTestRemoteWay way);

/* envp (consumed; g_get_environ() when NULL) with what the CLI needs to
 * reach the remote engine that way (PATH; DOCKER_TLS_VERIFY and
 * DOCKER_CERT_PATH). */
char **ar_test_remote_environ (ArTestRemoteWay way, char **envp);

/* "unix:///var/tmp/ar-test-remote-XXXXXX/docker.sock": the remote engine's
 * own socket, for setting up and checking from this side (not how the app
 * reaches it). */
const char *ar_test_remote_socket (void);
/* Its folder (data-root, certificates, keys, logs), and its dockerd's pid
 * (for `nsenter -t PID -m`: to look at the "remote" side's files). */
const char *ar_test_remote_dir (void);
int ar_test_remote_pid (void);

/* The docker CLI on the remote engine's own socket; exit status. */
int ar_test_remote_docker (const char *const *args, char **out_stdout, char **out_stderr);

/* Whether `path` exists on the remote side (in its mount namespace). */
gboolean ar_test_remote_path_exists (const char *path);

/* "ar-test-remote-base:<run id>" on the remote engine: the busybox base of
 * ar_test_engine_base_image() (root, and midori uid 1000), carrying
 * ar_test_engine_run_label(); made once. The non-root one: USER midori. */
char *ar_test_remote_base_image (void);
char *ar_test_remote_nonroot_base_image (void);

/* The Debian images of test-debian.h (made on the local engine, apt through
 * its caching proxy, which the remote engine's containers reach too),
 * copied to the remote engine (docker save | docker load). As
 * ar_test_debian_images(): FALSE with *fatal and *why. */
gboolean ar_test_remote_debian_images (char    **base,
                                       char    **dev,
                                       gboolean *fatal,
                                       char    **why);

G_END_DECLS
