/* test-preflight-analyzer-syntax.c — the preflight analyzer on shell syntax: chains, blocks, functions, heredocs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ar-preflight-analyzer.h"
#include "test-utils.h"

#include <string.h>
#include <time.h>
#include "test-preflight-analyzer-utils.h"

static void
test_shebang_and_set (void)
{
  g_autoptr(GPtrArray) units =
    analyze ("#!/usr/bin/env bash\nset -euo pipefail\nshopt -s globstar\napt-get update\necho hi\n", NULL);

  g_assert_cmpuint (units->len, ==, 5);
  g_assert_cmpint (unit_at (units, 0)->category, ==, AR_PREFLIGHT_CATEGORY_SHEBANG);
  g_assert_cmpint (unit_at (units, 0)->part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpstr (unit_at (units, 0)->text, ==, "#!/usr/bin/env bash");
  g_assert_cmpint (unit_at (units, 1)->category, ==, AR_PREFLIGHT_CATEGORY_SHELL_OPTION);
  g_assert_cmpint (unit_at (units, 1)->part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpint (unit_at (units, 2)->category, ==, AR_PREFLIGHT_CATEGORY_SHELL_OPTION);
  g_assert_cmpint (unit_at (units, 3)->part, ==, AR_PREFLIGHT_PART_CACHED);
  g_assert_cmpint (unit_at (units, 4)->part, ==, AR_PREFLIGHT_PART_RUN);

  /* set -- sets positional parameters: not an option */
  assert_single ("set -- a b", NULL, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
  /* a "#!" that is not on line 1 is a comment */
  {
    g_autoptr(GPtrArray) u2 = analyze ("echo a\n#!/bin/sh\necho b\n", NULL);

    g_assert_cmpuint (u2->len, ==, 2);
    g_assert_cmpstr (unit_at (u2, 1)->text, ==, "#!/bin/sh\necho b");
  }
}

static void
test_continuation (void)
{
  g_autoptr(GPtrArray) units =
    analyze ("apt-get update && \\\n  apt-get install -y \\\n    git \\\n    curl\necho done\n"
                          "echo \"a\nb\" && \\\n  echo c\n", NULL);
  ArPreflightUnit *u;

  g_assert_cmpuint (units->len, ==, 3);
  u = unit_at (units, 0);
  g_assert_cmpuint (u->line, ==, 1);
  g_assert_cmpuint (u->end_line, ==, 4);
  g_assert_cmpstr (u->text, ==, "apt-get update && \\\n  apt-get install -y \\\n    git \\\n    curl");
  g_assert_cmpint (u->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  g_assert_cmpuint (unit_at (units, 1)->line, ==, 5);
  /* a quoted newline and a continuation in one unit */
  g_assert_cmpuint (unit_at (units, 2)->line, ==, 6);
  g_assert_cmpuint (unit_at (units, 2)->end_line, ==, 8);
}

static void
test_chains (void)
{
  g_autoptr(GPtrArray) units =
    analyze ("apt-get update &&\n  apt-get install -y jq ||\n  echo failed\n"
                          "cat list |\n  sort\necho a; echo b\n", NULL);

  g_assert_cmpuint (units->len, ==, 3);
  g_assert_cmpuint (unit_at (units, 0)->end_line, ==, 3);
  g_assert_cmpint (unit_at (units, 0)->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  g_assert_cmpuint (unit_at (units, 1)->line, ==, 4);
  g_assert_cmpuint (unit_at (units, 1)->end_line, ==, 5);
  g_assert_cmpstr (unit_at (units, 2)->text, ==, "echo a; echo b");
}

static void
test_heredoc (void)
{
  /* the body looks like commands but is data; quoted: not expanded */
  const char *script = "cat > /etc/app.conf <<'EOF'\napt-get install -y foo\nid=$TASK_ID\ncd /tmp\nEOF\necho after\n";
  g_autoptr(GPtrArray) units = analyze (script, NULL);
  g_autoptr(GPtrArray) unquoted = NULL;
  g_autoptr(GPtrArray) tabs = NULL;
  g_autoptr(GPtrArray) shell = NULL;
  g_autoptr(GPtrArray) piped = NULL;
  ArPreflightUnit *u;

  g_assert_cmpuint (units->len, ==, 2);
  u = unit_at (units, 0);
  g_assert_cmpuint (u->line, ==, 1);
  g_assert_cmpuint (u->end_line, ==, 5);
  g_assert_cmpstr (u->text, ==, "cat > /etc/app.conf <<'EOF'\napt-get install -y foo\nid=$TASK_ID\ncd /tmp\nEOF");
  g_assert_cmpint (u->category, ==, AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG);
  g_assert_cmpuint (u->package_line, ==, 0);
  g_assert_cmpstr (unit_at (units, 1)->text, ==, "echo after");

  /* unquoted: the shell expands $TASK_ID in the body */
  unquoted = analyze ("cat > /etc/app.conf <<EOF\nid=$TASK_ID\nEOF\n", NULL);
  g_assert_cmpuint (unquoted->len, ==, 1);
  g_assert_cmpint (unit_at (unquoted, 0)->category, ==, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE);
  g_assert_cmpuint (unit_at (unquoted, 0)->task_variable_line, ==, 2);

  /* <<- strips leading tabs from the delimiter line; the body holds "fi" */
  tabs = analyze ("if true; then\n\tcat <<-END\n\tfi\n\tEND\nfi\necho next\n", NULL);
  g_assert_cmpuint (tabs->len, ==, 2);
  g_assert_cmpuint (unit_at (tabs, 0)->end_line, ==, 5);

  /* fed to a shell, the body is commands */
  shell = analyze ("bash <<\"SCRIPT\"\napt-get install -y foo\nSCRIPT\n", NULL);
  g_assert_cmpuint (shell->len, ==, 1);
  g_assert_cmpint (unit_at (shell, 0)->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  g_assert_cmpuint (unit_at (shell, 0)->package_line, ==, 2);
  piped = analyze ("cat <<EOF | sudo sh\ndnf install -y vim\nEOF\n", NULL);
  g_assert_cmpint (unit_at (piped, 0)->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
}

static void
test_nested_blocks (void)
{
  const char *script =
    "if ! command -v node >/dev/null; then\n"
    "  for v in 18 20; do\n"
    "    if [ \"$v\" = 20 ]; then\n"
    "      npm install -g n\n"
    "    fi\n"
    "  done\n"
    "elif true; then\n"
    "  while false; do :; done\n"
    "else\n"
    "  until true; do sleep 1; done\n"
    "fi\n"
    "echo after\n";
  g_autoptr(GPtrArray) units = analyze (script, NULL);
  g_autoptr(GPtrArray) run = NULL;

  g_assert_cmpuint (units->len, ==, 2);
  g_assert_cmpuint (unit_at (units, 0)->line, ==, 1);
  g_assert_cmpuint (unit_at (units, 0)->end_line, ==, 11);
  g_assert_cmpint (unit_at (units, 0)->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  g_assert_cmpuint (unit_at (units, 0)->package_line, ==, 4);
  g_assert_cmpuint (unit_at (units, 1)->line, ==, 12);

  /* any part needing run makes the whole block run */
  run = analyze ("for p in a b; do\n  apt-get install -y \"$p\"\n  echo \"$TASK_ID\"\ndone\n", NULL);
  g_assert_cmpuint (run->len, ==, 1);
  g_assert_cmpint (unit_at (run, 0)->category, ==, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE);
  g_assert_cmpint (unit_at (run, 0)->part, ==, AR_PREFLIGHT_PART_RUN);
}

static void
test_case_block (void)
{
  const char *script =
    "case \"$(uname -m)\" in\n"
    "  x86_64) arch=amd64 ;;\n"
    "  (aarch64|arm64) arch=arm64\n"
    "    echo esac fi done ;;\n"
    "  *) case $x in y) : ;; esac ;;\n"
    "esac\n"
    "curl -o /opt/t-$arch https://example.com/t\n";
  g_autoptr(GPtrArray) units = analyze (script, NULL);

  g_autoptr(GPtrArray) pure = NULL;

  g_assert_cmpuint (units->len, ==, 2);
  g_assert_cmpuint (unit_at (units, 0)->end_line, ==, 6);
  /* architecture detection (only tests, echo and assignments) is a pure
   * definition: the guarantee puts it in both parts, because the cached
   * download on line 7 uses $arch (issue 9) */
  g_assert_cmpint (unit_at (units, 0)->part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpint (unit_at (units, 0)->category, ==, AR_PREFLIGHT_CATEGORY_VARIABLE);
  g_assert_nonnull (strstr (unit_at (units, 0)->reason, "line 7"));
  g_assert_cmpuint (unit_at (units, 1)->line, ==, 7);
  g_assert_cmpint (unit_at (units, 1)->category, ==, AR_PREFLIGHT_CATEGORY_DOWNLOAD);
  g_assert_cmpint (unit_at (units, 1)->part, ==, AR_PREFLIGHT_PART_CACHED);

  /* a block that only sets variables goes to both parts */
  pure = analyze ("case \"$(uname -m)\" in\n"
                               "  x86_64) arch=amd64 ;;\n"
                               "  *) arch=arm64 ;;\n"
                               "esac\n"
                               "curl -o /opt/t-$arch https://example.com/t\n", NULL);
  g_assert_cmpuint (pure->len, ==, 2);
  g_assert_cmpint (unit_at (pure, 0)->category, ==, AR_PREFLIGHT_CATEGORY_VARIABLE);
  g_assert_cmpint (unit_at (pure, 0)->part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpint (unit_at (pure, 1)->category, ==, AR_PREFLIGHT_CATEGORY_DOWNLOAD);
}

static void
test_quoted_keywords (void)
{
  g_autoptr(GPtrArray) units =
    analyze ("echo \"if then\"\necho 'for x in; do'\necho \\{\necho case\nprintf '%s\\n' \"$(echo fi)\"\n", NULL);

  g_assert_cmpuint (units->len, ==, 5);
  for (guint i = 0; i < units->len; i++)
    g_assert_cmpuint (unit_at (units, i)->line, ==, i + 1);
}

static void
test_functions_and_groups (void)
{
  const char *script =
    "install_tools() {\n"
    "  apt-get install -y jq\n"
    "}\n"
    "function greet {\n"
    "  echo hi\n"
    "}\n"
    "setup()\n"
    "{\n"
    "  { echo a; echo b; } > /etc/ab\n"
    "}\n"
    "( cd /opt && ls )\n"
    "{ echo x\n"
    "  echo y; }\n";
  g_autoptr(GPtrArray) units = analyze (script, NULL);

  g_assert_cmpuint (units->len, ==, 5);
  g_assert_cmpuint (unit_at (units, 0)->end_line, ==, 3);
  g_assert_cmpint (unit_at (units, 0)->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  g_assert_cmpuint (unit_at (units, 1)->line, ==, 4);
  g_assert_cmpuint (unit_at (units, 1)->end_line, ==, 6);
  g_assert_cmpuint (unit_at (units, 2)->line, ==, 7);
  g_assert_cmpuint (unit_at (units, 2)->end_line, ==, 10);
  g_assert_cmpint (unit_at (units, 2)->category, ==, AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG);
  g_assert_cmpuint (unit_at (units, 3)->line, ==, 11);
  g_assert_cmpuint (unit_at (units, 4)->line, ==, 12);
  g_assert_cmpuint (unit_at (units, 4)->end_line, ==, 13);
}

static void
test_function_calls (void)
{
  const char *script =
    "install_deps() {\n"
    "  apt-get install -y jq\n"
    "}\n"
    "install_deps\n"
    "main() {\n"
    "  echo \"$TASK_ID\"\n"
    "}\n"
    "main\n"
    "helper() { echo hi; }\n"
    "helper\n";
  g_autoptr(GPtrArray) units = analyze (script, NULL);
  g_autoptr(GPtrArray) mixed = NULL;
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;

  g_assert_cmpuint (units->len, ==, 6);
  /* a call is what the function's body is */
  g_assert_cmpint (unit_at (units, 0)->part, ==, AR_PREFLIGHT_PART_CACHED);
  g_assert_cmpint (unit_at (units, 1)->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  g_assert_cmpuint (unit_at (units, 1)->package_line, ==, 4);
  g_assert_cmpint (unit_at (units, 2)->category, ==, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE);
  g_assert_cmpint (unit_at (units, 3)->category, ==, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE);
  g_assert_nonnull (strstr (unit_at (units, 3)->reason, "main"));
  g_assert_cmpint (unit_at (units, 5)->category, ==, AR_PREFLIGHT_CATEGORY_AMBIGUOUS);

  /* called from both parts: defined in both */
  mixed = analyze ("setup() {\n  mkdir -p /opt/app\n}\nsetup\nsetup && echo \"$TASK_ID\"\n", NULL);
  g_assert_cmpuint (mixed->len, ==, 3);
  g_assert_cmpint (unit_at (mixed, 0)->part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpint (unit_at (mixed, 1)->part, ==, AR_PREFLIGHT_PART_CACHED);
  g_assert_cmpint (unit_at (mixed, 2)->part, ==, AR_PREFLIGHT_PART_RUN);
  cached = ar_preflight_render (mixed, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (mixed, AR_PREFLIGHT_PART_RUN);
  g_assert_cmpstr (cached, ==, "setup() {\n  mkdir -p /opt/app\n}\nsetup\n");
  g_assert_cmpstr (run, ==, "setup() {\n  mkdir -p /opt/app\n}\nsetup && echo \"$TASK_ID\"\n");
}

static void
test_comments (void)
{
  const char *script =
    "# install the toolchain\n"
    "# (apt-get install in a comment means nothing)\n"
    "\n"
    "echo hi # apt-get install -y x; cd /tmp\n"
    "\n"
    "# last words\n";
  g_autoptr(GPtrArray) units = analyze (script, NULL);
  g_autoptr(GPtrArray) only = analyze ("# nothing\n# here\n", NULL);
  ArPreflightUnit *u;

  g_assert_cmpuint (units->len, ==, 1);
  u = unit_at (units, 0);
  g_assert_cmpuint (u->line, ==, 1);
  g_assert_cmpuint (u->end_line, ==, 6);
  g_assert_cmpstr (u->text, ==,
                   "# install the toolchain\n# (apt-get install in a comment means nothing)\n\n"
                   "echo hi # apt-get install -y x; cd /tmp\n\n# last words");
  g_assert_cmpint (u->category, ==, AR_PREFLIGHT_CATEGORY_AMBIGUOUS);

  /* a comment travels with the line below it, into that line's part */
  {
    g_autoptr(GPtrArray) two = analyze ("echo a\n# tools\napt-get install -y git\n", NULL);

    g_assert_cmpuint (two->len, ==, 2);
    g_assert_cmpuint (unit_at (two, 1)->line, ==, 2);
    g_assert_cmpstr (unit_at (two, 1)->text, ==, "# tools\napt-get install -y git");
    g_assert_cmpint (unit_at (two, 1)->part, ==, AR_PREFLIGHT_PART_CACHED);
  }

  g_assert_cmpuint (only->len, ==, 0);
}

static void
test_precedence (void)
{
  assert_single ("apt-get install -y $TASK_ID-pkg", NULL, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
  assert_single ("mkdir -p /opt/x/$AGENTS_RUNNER_TASK_ID", NULL, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
  assert_single ("export DEBIAN_FRONTEND=noninteractive && apt-get install -y git", NULL,
                 AR_PREFLIGHT_CATEGORY_ENV_EXPORT, AR_PREFLIGHT_PART_RUN);
  assert_single ("curl -o /tmp/t.tgz https://example.com/t.tgz && tar -C /opt -xzf /tmp/t.tgz", NULL,
                 AR_PREFLIGHT_CATEGORY_TEMP_DIR, AR_PREFLIGHT_PART_RUN);
  /* rule 5 before 6 before 7 */
  assert_single ("export X=$TASK_ID", NULL, AR_PREFLIGHT_CATEGORY_ENV_EXPORT, AR_PREFLIGHT_PART_RUN);
  assert_single ("cp /tmp/$TASK_ID /opt", NULL, AR_PREFLIGHT_CATEGORY_TASK_VARIABLE, AR_PREFLIGHT_PART_RUN);
}

static void
test_nested_shell (void)
{
  assert_single ("sh -c 'apt-get install -y zsh'", NULL, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL, AR_PREFLIGHT_PART_CACHED);
  assert_single ("sudo bash -lc \"mkdir -p /opt/a\"", NULL, AR_PREFLIGHT_CATEGORY_STATIC_DIR, AR_PREFLIGHT_PART_CACHED);
  assert_single ("echo 'apt-get install -y zsh'", NULL, AR_PREFLIGHT_CATEGORY_AMBIGUOUS, AR_PREFLIGHT_PART_RUN);
}

static void
test_strings (void)
{
  const char *const expected[] = {
    "package-install", "download", "system-config", "static-dir", "env-export",
    "task-variable", "temp-dir", "ambiguous", "shebang", "shell-option", "variable",
  };
  ArPreflightPart part = AR_PREFLIGHT_PART_RUN;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (ar_preflight_category_to_string ((ArPreflightCategory) i), ==, expected[i]);
  g_assert_cmpstr (ar_preflight_part_to_string (AR_PREFLIGHT_PART_CACHED), ==, "cached");
  g_assert_cmpstr (ar_preflight_part_to_string (AR_PREFLIGHT_PART_RUN), ==, "run");
  g_assert_cmpstr (ar_preflight_part_to_string (AR_PREFLIGHT_PART_BOTH), ==, "both");
  g_assert_true (ar_preflight_part_from_string ("cached", &part));
  g_assert_cmpint (part, ==, AR_PREFLIGHT_PART_CACHED);
  g_assert_true (ar_preflight_part_from_string ("both", &part));
  g_assert_cmpint (part, ==, AR_PREFLIGHT_PART_BOTH);
  g_assert_false (ar_preflight_part_from_string ("later", &part));
  g_assert_false (ar_preflight_part_from_string (NULL, &part));
}

int
main (int argc, char *argv[])
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/preflight-analyzer/shebang-and-set", test_shebang_and_set);
  g_test_add_func ("/preflight-analyzer/continuation", test_continuation);
  g_test_add_func ("/preflight-analyzer/chains", test_chains);
  g_test_add_func ("/preflight-analyzer/heredoc", test_heredoc);
  g_test_add_func ("/preflight-analyzer/nested-blocks", test_nested_blocks);
  g_test_add_func ("/preflight-analyzer/case-block", test_case_block);
  g_test_add_func ("/preflight-analyzer/quoted-keywords", test_quoted_keywords);
  g_test_add_func ("/preflight-analyzer/functions-and-groups", test_functions_and_groups);
  g_test_add_func ("/preflight-analyzer/function-calls", test_function_calls);
  g_test_add_func ("/preflight-analyzer/comments", test_comments);
  g_test_add_func ("/preflight-analyzer/precedence", test_precedence);
  g_test_add_func ("/preflight-analyzer/nested-shell", test_nested_shell);
  g_test_add_func ("/preflight-analyzer/strings", test_strings);

  return g_test_run ();
}
