/* bench-analyzer.c — what the auto-split costs on a 1 000-line installer
 * (design.md §5.1, issue 9: under 20 ms)
 *
 * A realistic installer (os-release and architecture detection, log and
 * cleanup helpers, distro-dispatch blocks, apt installs, downloads,
 * here-documents, cd and tar, exports, per-task lines) repeated to 1 000
 * lines, analysed by the full analyzer (classification, dependency model,
 * guarantee) and by the classification alone (as before the guarantee).
 * Prints the best time of each and their ratio; asserts nothing about
 * time, which depends on the machine.
 *
 * Run: meson test -C BUILDDIR --benchmark analyzer -v
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "ar-preflight-analyzer-private.h"

#define ROUNDS 30
#define LINES 1000

static const char *const block[] = {
  "# ---- section %u ----",
  ". /etc/os-release",
  "ADJUSTED_ID=\"${ID}\"",
  "if [ \"${ID_LIKE:-}\" = debian ]; then ADJUSTED_ID=debian; fi",
  "architecture=\"$(dpkg --print-architecture)\"",
  "log_%u() {",
  "  echo \"[install] $*\" >&2",
  "}",
  "cleanup_%u() {",
  "  rm -rf /var/lib/apt/lists/*",
  "}",
  "trap cleanup_%u EXIT",
  "export DEBIAN_FRONTEND=noninteractive",
  "if [ \"$(id -u)\" -ne 0 ]; then",
  "  echo 'run as root' >&2",
  "  exit 1",
  "fi",
  "case \"${ADJUSTED_ID}\" in",
  "  debian) apt-get update && apt-get install -y --no-install-recommends git curl ca-certificates ;;",
  "  alpine) apk add --no-cache git curl ;;",
  "  *) log_%u \"unsupported\"; exit 1 ;;",
  "esac",
  "log_%u \"installing tool %u\"",
  "mkdir -p /opt/tool%u",
  "curl -fsSL \"https://example.com/tool-${architecture}.tar.gz\" -o /opt/tool%u/tool.tar.gz",
  "cd /opt/tool%u",
  "tar -xzf tool.tar.gz",
  "chmod +x /opt/tool%u/bin/tool",
  "ln -sf /opt/tool%u/bin/tool /usr/local/bin/tool%u",
  "tee /etc/profile.d/tool%u.sh <<'EOF'",
  "export PATH=\"/opt/tool%u/bin:$PATH\"",
  "EOF",
  "python3 -m venv /opt/venv%u",
  ". /opt/venv%u/bin/activate",
  "pip install --no-cache-dir requests",
  "npm install -g pnpm",
  "git config --global user.name \"agent-$TASK_ID\"",
  "mkdir -p /tmp/work-$TASK_ID && cd /tmp/work-$TASK_ID",
  "echo \"token ${GITHUB_TOKEN:-none}\" > ~/.netrc",
  "rc=$?",
  "",
};

static char *
make_installer (void)
{
  GString *s = g_string_new ("#!/bin/bash\nset -euo pipefail\n");
  guint lines = 2;

  for (guint section = 0; lines < LINES; section++)
    for (guint i = 0; i < G_N_ELEMENTS (block) && lines < LINES; i++, lines++)
      {
        /* every %u in a line is the section number */
        const char *p = block[i];

        for (; *p != '\0'; p++)
          if (p[0] == '%' && p[1] == 'u')
            {
              g_string_append_printf (s, "%u", section);
              p++;
            }
          else
            g_string_append_c (s, *p);
        g_string_append_c (s, '\n');
      }
  return g_string_free (s, FALSE);
}

static double
best_of (const char *script, gboolean guarantee, guint *units)
{
  double best = G_MAXDOUBLE;

  for (guint r = 0; r < ROUNDS; r++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(GPtrArray) u = guarantee ? ar_preflight_analyze (script, NULL, &error)
                                         : ar_preflight_analyze_classify_only (script, NULL, &error);
      double ms = (g_get_monotonic_time () - t0) / 1000.0;

      g_assert_no_error (error);
      *units = u->len;
      best = MIN (best, ms);
    }
  return best;
}

int
main (void)
{
  g_autofree char *script = make_installer ();
  guint full_units = 0, plain_units = 0;
  double plain = best_of (script, FALSE, &plain_units);
  double full = best_of (script, TRUE, &full_units);
  g_autoptr(GPtrArray) units = ar_preflight_analyze (script, NULL, NULL);
  g_autoptr(ArPreflightSummary) summary = ar_preflight_summary_new (units);
  g_autofree char *described = ar_preflight_summary_describe (summary);

  printf ("installer: %u lines, %u units\n", (guint) LINES, full_units);
  printf ("classification alone:            %.2f ms (best of %u)\n", plain, (guint) ROUNDS);
  printf ("with dependencies and guarantee: %.2f ms (best of %u)\n", full, (guint) ROUNDS);
  printf ("ratio: %.2fx\n", plain > 0 ? full / plain : 0.0);
  printf ("split: %s, %u moved to run by a dependency\n", described,
          ar_preflight_summary_get_n_moved (summary));
  return 0;
}
