/* main.c — agents-runner: the window, or a subcommand without one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ar-application.h"
#include "ar-cli.h"

int
main (int argc, char **argv)
{
  g_autoptr(ArApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Subcommands never touch GTK, so they work without a display. */
  if (argc > 1)
    return ar_cli_main (argc, argv);

  g_set_application_name (_ ("Agents Runner"));
  app = ar_application_new ();

  /* GApplication must not parse the command line: it belongs to the CLI. */
  return g_application_run (G_APPLICATION (app), 0, NULL);
}
