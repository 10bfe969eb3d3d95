/* test-preflight-scaffolding.c — install-script scaffolding in the
 * auto-split (issue 9 item 3; design.md §5.1)
 *
 * The set-up at the top of every installer — /etc/os-release, architecture
 * and package-manager detection, root checks, traps, log helpers, exports
 * apt reads — is recognised as pure set-up, so it no longer drags the
 * installs that use it to run; package-cache cleaning and distro dispatch
 * blocks are cached; and what only looks like set-up (a test of a
 * workspace file, pip into a virtualenv made at start, a secret in a URL)
 * is not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-preflight-analyzer.h"
#include "ar-preflight-deps.h"
#include "test-utils.h"

#include <string.h>

typedef struct {
  guint line;
  ArPreflightPart part;
} Expect;

#define END { 0, 0 }

static ArPreflightUnit *
at_line (GPtrArray *units, guint line)
{
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (u->line <= line && line <= u->end_line)
        return u;
    }
  g_error ("no unit holds line %u", line);
  return NULL;
}

/* Analyzes @script, checks the part of each line in @expect and that the
 * split keeps every dependency; returns the units. */
static GPtrArray *
check (const char *script, const Expect *expect)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  GPtrArray *units = ar_preflight_analyze (script, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; expect[i].line != 0; i++)
    {
      ArPreflightUnit *u = at_line (units, expect[i].line);

      if (u->part != expect[i].part)
        g_error ("line %u of\n%s\nexpected %s, got %s (%s: %s)", expect[i].line, script,
                 ar_preflight_part_to_string (expect[i].part), ar_preflight_part_to_string (u->part),
                 ar_preflight_category_to_string (u->category), u->reason);
    }
  if (!ar_preflight_check_split (units, &problems))
    g_error ("%s\nbreaks a dependency: %s", script, (char *) g_ptr_array_index (problems, 0));
  return units;
}

static void
assert_category (GPtrArray *units, guint line, ArPreflightCategory category)
{
  ArPreflightUnit *u = at_line (units, line);

  if (u->category != category)
    g_error ("line %u: expected %s, got %s (%s)", line, ar_preflight_category_to_string (category),
             ar_preflight_category_to_string (u->category), u->reason);
}

/* . /etc/os-release on its own: a pure read, in both parts even when no
 * cached line needs it yet. */
static void
test_os_release (void)
{
  static const Expect expect[] = {
    { 2, AR_PREFLIGHT_PART_BOTH }, { 3, AR_PREFLIGHT_PART_BOTH }, { 4, AR_PREFLIGHT_PART_RUN }, END
  };
  g_autoptr(GPtrArray) units = check ("#!/bin/sh\n"
                                      ". /etc/os-release\n"
                                      "source /usr/lib/os-release\n"
                                      "echo \"$PRETTY_NAME\"\n",
                                      expect);

  assert_category (units, 2, AR_PREFLIGHT_CATEGORY_VARIABLE);
  g_assert_nonnull (strstr (at_line (units, 2)->reason, "os-release"));
}

/* uname -m, dpkg --print-architecture, apk --print-arch feeding a cached
 * download. */
static void
test_architecture (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 2, AR_PREFLIGHT_PART_BOTH }, { 3, AR_PREFLIGHT_PART_BOTH },
    { 8, AR_PREFLIGHT_PART_CACHED }, END
  };
  g_autoptr(GPtrArray) units = check ("architecture=\"$(dpkg --print-architecture)\"\n"
                                      "ARCH=\"$(apk --print-arch 2>/dev/null || uname -m)\"\n"
                                      "case \"$architecture\" in\n"
                                      "  amd64|arm64) ;;\n"
                                      "  *) echo \"unsupported: $architecture\" >&2; exit 1 ;;\n"
                                      "esac\n"
                                      "\n"
                                      "curl -fsSL -o /usr/local/bin/t https://example.com/t-${architecture}\n",
                                      expect);

  /* the guard that stops on an unknown architecture is a check */
  assert_category (units, 3, AR_PREFLIGHT_CATEGORY_SHELL_OPTION);
}

/* Package-manager detection with command -v, and the install through the
 * variable it sets. */
static void
test_package_manager_detection (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 8, AR_PREFLIGHT_PART_CACHED }, { 9, AR_PREFLIGHT_PART_CACHED }, END
  };
  g_autoptr(GPtrArray) units = check ("if command -v apt-get >/dev/null 2>&1; then\n"
                                      "  INSTALL_CMD=apt-get\n"
                                      "elif command -v dnf >/dev/null 2>&1; then\n"
                                      "  INSTALL_CMD=dnf\n"
                                      "else\n"
                                      "  echo 'no package manager' >&2; exit 1\n"
                                      "fi\n"
                                      "${INSTALL_CMD} install -y git\n"
                                      "$INSTALL_CMD clean all\n",
                                      expect);

  assert_category (units, 8, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
}

/* Root checks, in the forms installers write them. */
static void
test_root_check (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 5, AR_PREFLIGHT_PART_BOTH }, { 6, AR_PREFLIGHT_PART_BOTH },
    { 9, AR_PREFLIGHT_PART_BOTH }, { 10, AR_PREFLIGHT_PART_CACHED }, END
  };
  g_autoptr(GPtrArray) units = check ("if [ \"$(id -u)\" -ne 0 ]; then\n"
                                      "    echo -e 'Script must be run as root.'\n"
                                      "    exit 1\n"
                                      "fi\n"
                                      "[ \"$(id -u)\" -eq 0 ] || { echo 'needs root' >&2; exit 1; }\n"
                                      "if [ \"${EUID:-$(id -u)}\" != 0 ]; then\n"
                                      "  exit 1\n"
                                      "fi\n"
                                      "if ! command -v apt-get >/dev/null; then exit 1; fi\n"
                                      "apt-get install -y git\n",
                                      expect);

  assert_category (units, 1, AR_PREFLIGHT_CATEGORY_SHELL_OPTION);
}

/* set -x and traps: both parts; a trap naming a value made at start runs
 * at start. */
static void
test_set_and_trap (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 2, AR_PREFLIGHT_PART_BOTH }, { 3, AR_PREFLIGHT_PART_BOTH },
    { 4, AR_PREFLIGHT_PART_CACHED }, { 5, AR_PREFLIGHT_PART_RUN }, { 6, AR_PREFLIGHT_PART_RUN }, END
  };
  g_autoptr(GPtrArray) units = check ("set -x\n"
                                      "trap 'echo \"failed at line $LINENO\" >&2' ERR\n"
                                      "trap - INT\n"
                                      "apt-get install -y git\n"
                                      "WORK=$(mktemp -d)\n"
                                      "trap 'rm -rf \"$WORK\"' EXIT\n",
                                      expect);

  assert_category (units, 2, AR_PREFLIGHT_CATEGORY_SHELL_OPTION);
}

/* log / err helpers calling each other: both parts, and a cached line
 * that calls them stays cached. */
static void
test_log_helpers (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 4, AR_PREFLIGHT_PART_BOTH }, { 5, AR_PREFLIGHT_PART_BOTH },
    { 6, AR_PREFLIGHT_PART_BOTH }, { 7, AR_PREFLIGHT_PART_CACHED }, { 8, AR_PREFLIGHT_PART_RUN }, END
  };
  g_autoptr(GPtrArray) units = check ("format_log_line() {\n"
                                      "  printf '[%s] %s\\n' \"$(date +%T)\" \"$*\"\n"
                                      "}\n"
                                      "log_info() { format_log_line \"INFO $*\"; }\n"
                                      "err() { format_log_line \"ERROR $*\" >&2; }\n"
                                      "die() { err \"$*\"; exit 1; }\n"
                                      "apt-get install -y git || die 'apt failed'\n"
                                      "log_info done\n",
                                      expect);

  assert_category (units, 1, AR_PREFLIGHT_CATEGORY_VARIABLE);
  g_assert_nonnull (strstr (at_line (units, 4)->reason, "log_info"));
}

/* export DEBIAN_FRONTEND: both when apt follows; inside an install block it
 * belongs to the block, which is cached; apt-get clean and the lists
 * folder are the image's. */
static void
test_debian_frontend_and_cleaning (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 2, AR_PREFLIGHT_PART_CACHED }, { 3, AR_PREFLIGHT_PART_CACHED },
    { 8, AR_PREFLIGHT_PART_CACHED }, { 9, AR_PREFLIGHT_PART_CACHED }, { 10, AR_PREFLIGHT_PART_CACHED },
    { 11, AR_PREFLIGHT_PART_CACHED }, END
  };
  g_autoptr(GPtrArray) units = check ("export DEBIAN_FRONTEND=noninteractive\n"
                                      "apt-get update\n"
                                      "if command -v apt-get >/dev/null; then\n"
                                      "  export DEBIAN_FRONTEND=noninteractive\n"
                                      "  apt-get install -y --no-install-recommends git\n"
                                      "  apt-get clean\n"
                                      "fi\n"
                                      "apt-get clean\n"
                                      "rm -rf /var/lib/apt/lists/*\n"
                                      "dnf clean all\n"
                                      "npm cache clean --force\n",
                                      expect);

  assert_category (units, 1, AR_PREFLIGHT_CATEGORY_ENV_EXPORT);
  assert_category (units, 8, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
}

/* A distro dispatch after the os-release read: cached, also through $SUDO
 * and an as_root wrapper. */
static void
test_distro_dispatch (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 2, AR_PREFLIGHT_PART_BOTH }, { 3, AR_PREFLIGHT_PART_BOTH },
    { 4, AR_PREFLIGHT_PART_BOTH }, { 7, AR_PREFLIGHT_PART_CACHED }, { 13, AR_PREFLIGHT_PART_CACHED },
    { 14, AR_PREFLIGHT_PART_CACHED }, END
  };
  g_autoptr(GPtrArray) units = check (". /etc/os-release\n"
                                      "SUDO=\"\"\n"
                                      "[ \"$(id -u)\" -eq 0 ] || SUDO=sudo\n"
                                      "as_root() { if [ \"$(id -u)\" -eq 0 ]; then \"$@\"; else sudo -n \"$@\"; fi; }\n"
                                      "# the distribution's own packages\n"
                                      "\n"
                                      "case \"$ID\" in\n"
                                      "  debian|ubuntu) $SUDO apt-get install -y git ;;\n"
                                      "  fedora) $SUDO dnf install -y git ;;\n"
                                      "  alpine) $SUDO apk add git ;;\n"
                                      "  *) echo \"unsupported: $ID\" >&2; exit 1 ;;\n"
                                      "esac\n"
                                      "as_root apt-get install -y jq\n"
                                      "echo 'ParallelDownloads = 8' | $SUDO tee -a /etc/pacman.conf\n",
                                      expect);

  assert_category (units, 7, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  g_assert_nonnull (strstr (at_line (units, 4)->reason, "as_root"));
}

/* Folders named through a variable set to a literal path: a systemd unit
 * written, then enabled, both cached. */
static void
test_constant_paths (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 3, AR_PREFLIGHT_PART_CACHED }, { 4, AR_PREFLIGHT_PART_CACHED },
    { 8, AR_PREFLIGHT_PART_CACHED }, { 9, AR_PREFLIGHT_PART_CACHED }, END
  };

  g_autoptr(GPtrArray) units = check ("UNIT_DIR=/etc/systemd/user\n"
                                      "UNIT=indexer.service\n"
                                      "mkdir -p \"$UNIT_DIR\"\n"
                                      "tee \"${UNIT_DIR}/$UNIT\" >/dev/null <<'EOF'\n"
                                      "[Service]\n"
                                      "ExecStart=/usr/local/bin/indexer\n"
                                      "EOF\n"
                                      "chmod 644 \"$UNIT_DIR/$UNIT\"\n"
                                      "systemctl --global enable \"$UNIT\"\n",
                                      expect);

  assert_category (units, 4, AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG);
}

/* An export of a literal path: a cached line naming it is seen for what
 * it does, and the export is shared with the cached part. */
static void
test_constant_export (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 2, AR_PREFLIGHT_PART_CACHED }, { 3, AR_PREFLIGHT_PART_CACHED },
    { 4, AR_PREFLIGHT_PART_CACHED }, { 5, AR_PREFLIGHT_PART_CACHED }, END
  };
  g_autoptr(GPtrArray) units = check ("export PLAYWRIGHT_BROWSERS_PATH=/opt/ms-playwright\n"
                                      "playwright install --with-deps chromium\n"
                                      "chmod -R a+rx \"$PLAYWRIGHT_BROWSERS_PATH\"\n"
                                      "micromamba create -y -p /opt/conda-env python=3.11\n"
                                      "micromamba clean -a -y\n",
                                      expect);

  assert_category (units, 3, AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG);
}

/* Tool managers and keyrings: what they install is the image's. */
static void
test_toolchains (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_BOTH }, { 2, AR_PREFLIGHT_PART_CACHED }, { 3, AR_PREFLIGHT_PART_CACHED },
    { 4, AR_PREFLIGHT_PART_CACHED }, { 5, AR_PREFLIGHT_PART_CACHED }, { 6, AR_PREFLIGHT_PART_CACHED },
    { 7, AR_PREFLIGHT_PART_CACHED }, END
  };
  g_autoptr(GPtrArray) units = check (". /usr/local/share/nvm/nvm.sh\n"
                                      "nvm install 20\n"
                                      "rustup component add clippy\n"
                                      "make -C /usr/local/src/git prefix=/usr/local install\n"
                                      "curl -fsSL https://example.com/k.asc | gpg --dearmor -o /etc/apt/keyrings/k.gpg\n"
                                      "rpm --import https://example.com/k.asc\n"
                                      "if [ \"$V\" = latest ]; then\n"
                                      "  V=\"$(curl -s https://example.com/latest)\"\n"
                                      "fi\n",
                                      expect);

  assert_category (units, 1, AR_PREFLIGHT_CATEGORY_VARIABLE);
  assert_category (units, 7, AR_PREFLIGHT_CATEGORY_DOWNLOAD);
}

/* What only looks like set-up stays at start: a test of a workspace file
 * (in the cached part it would end the build early), a message, pip into
 * the virtualenv the run part makes, a secret-looking name in a URL. */
static void
test_not_setup (void)
{
  static const Expect expect[] = {
    { 1, AR_PREFLIGHT_PART_RUN }, { 2, AR_PREFLIGHT_PART_RUN }, { 3, AR_PREFLIGHT_PART_RUN },
    { 4, AR_PREFLIGHT_PART_RUN }, { 5, AR_PREFLIGHT_PART_RUN }, { 6, AR_PREFLIGHT_PART_CACHED },
    { 7, AR_PREFLIGHT_PART_RUN }, { 8, AR_PREFLIGHT_PART_RUN }, { 9, AR_PREFLIGHT_PART_RUN }, END
  };
  g_autoptr(GPtrArray) units = check ("[ -f requirements.txt ] || exit 0\n"
                                      "echo 'setting up the project'\n"
                                      "python3 -m venv .venv\n"
                                      ". .venv/bin/activate\n"
                                      "pip install requests\n"
                                      "/opt/tools/bin/pip install black\n"
                                      "REPO=\"https://x-access-token:${GITHUB_TOKEN}@github.com/o/r.git\"\n"
                                      "git clone \"$REPO\" /opt/r\n"
                                      "export EDITOR=vim\n",
                                      expect);

  assert_category (units, 2, AR_PREFLIGHT_CATEGORY_AMBIGUOUS);
  assert_category (units, 7, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE);
  g_assert_nonnull (strstr (at_line (units, 5)->reason, "workspace"));
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/preflight-scaffolding/os-release", test_os_release);
  g_test_add_func ("/preflight-scaffolding/architecture", test_architecture);
  g_test_add_func ("/preflight-scaffolding/package-manager-detection", test_package_manager_detection);
  g_test_add_func ("/preflight-scaffolding/root-check", test_root_check);
  g_test_add_func ("/preflight-scaffolding/set-and-trap", test_set_and_trap);
  g_test_add_func ("/preflight-scaffolding/log-helpers", test_log_helpers);
  g_test_add_func ("/preflight-scaffolding/debian-frontend-and-cleaning", test_debian_frontend_and_cleaning);
  g_test_add_func ("/preflight-scaffolding/distro-dispatch", test_distro_dispatch);
  g_test_add_func ("/preflight-scaffolding/constant-paths", test_constant_paths);
  g_test_add_func ("/preflight-scaffolding/constant-export", test_constant_export);
  g_test_add_func ("/preflight-scaffolding/toolchains", test_toolchains);
  g_test_add_func ("/preflight-scaffolding/not-setup", test_not_setup);
  return g_test_run ();
}
