/* test-preflight-deps.c — the dependency model of the auto-split and the
 * guarantee (design.md §5.1, issue 9 items 1, 2 and 4): each example of the
 * issue, the fixed point, reasons naming lines, the summary and the check.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer.h"
#include "ar-preflight-deps.h"
#include "test-utils.h"

#include <json-glib/json-glib.h>
#include <string.h>

static GPtrArray *
analyze (const char *script, const char *const *names)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *units = ar_preflight_analyze (script, names, &error);

  g_assert_no_error (error);
  g_assert_nonnull (units);
  return units;
}

static void
dump (GPtrArray *units)
{
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      g_printerr ("# %u-%u %s/%s moved_by=%u: %s\n#   %s\n", u->line, u->end_line,
                  ar_preflight_category_to_string (u->category), ar_preflight_part_to_string (u->part),
                  u->moved_by_line, u->reason, u->text);
    }
}

/* The unit whose first code line is @line (comments above it allowed). */
static ArPreflightUnit *
at_line (GPtrArray *units, guint line)
{
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (line >= u->line && line <= u->end_line)
        return u;
    }
  dump (units);
  g_error ("no unit holds line %u", line);
  return NULL;
}

static void
assert_part (GPtrArray *units, guint line, ArPreflightPart part)
{
  ArPreflightUnit *u = at_line (units, line);

  if (u->part != part)
    {
      dump (units);
      g_error ("line %u: expected %s, got %s (%s)", line, ar_preflight_part_to_string (part),
               ar_preflight_part_to_string (u->part), u->reason);
    }
}

static void
assert_reason_has (GPtrArray *units, guint line, const char *needle)
{
  ArPreflightUnit *u = at_line (units, line);

  if (strstr (u->reason, needle) == NULL)
    {
      dump (units);
      g_error ("line %u: reason \"%s\" lacks \"%s\"", line, u->reason, needle);
    }
}

/* The split the analyzer gives holds the guarantee. */
static void
assert_split_holds (GPtrArray *units)
{
  g_autoptr(GPtrArray) problems = NULL;

  if (!ar_preflight_check_split (units, &problems))
    {
      dump (units);
      for (guint i = 0; i < problems->len; i++)
        g_printerr ("# problem: %s\n", (char *) g_ptr_array_index (problems, i));
      g_error ("the split breaks %u dependencies", problems->len);
    }
  g_assert_cmpuint (problems->len, ==, 0);
}

/* tee FILE <<EOF at start, tee -a FILE cached: the image would hold the
 * appended half and every start truncate the file again. */
static void
test_tee_then_append (void)
{
  /* the creation uses a per-task value: the append follows it to run */
  g_autoptr(GPtrArray) task = analyze ("tee /etc/app.conf <<EOF\n"
                                       "task=$TASK_ID\n"
                                       "EOF\n"
                                       "echo 'more=1' | tee -a /etc/app.conf\n",
                                       NULL);
  /* the creation can be cached: it moves there */
  g_autoptr(GPtrArray) plain = analyze ("tee /srv/app/app.conf <<EOF\n"
                                        "a=1\n"
                                        "EOF\n"
                                        "echo 'more=1' | sudo tee -a /srv/app/app.conf /etc/app.conf\n",
                                        NULL);

  assert_part (task, 1, AR_PREFLIGHT_PART_RUN);
  assert_part (task, 4, AR_PREFLIGHT_PART_RUN);
  assert_reason_has (task, 4, "line 1");
  g_assert_cmpuint (at_line (task, 4)->moved_by_line, ==, 1);
  assert_split_holds (task);

  assert_part (plain, 4, AR_PREFLIGHT_PART_CACHED);
  assert_part (plain, 1, AR_PREFLIGHT_PART_CACHED);
  assert_reason_has (plain, 1, "line 4");
  assert_split_holds (plain);
}

/* echo … | sudo tee /etc/default/x at start, chmod cached: the build
 * fails on a missing file. */
static void
test_tee_then_chmod (void)
{
  g_autoptr(GPtrArray) units = analyze ("echo \"ID=$TASK_ID\" | sudo tee /etc/default/x\n"
                                        "sudo chmod 644 /etc/default/x\n",
                                        NULL);

  assert_part (units, 1, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 2, AR_PREFLIGHT_PART_RUN);
  assert_reason_has (units, 2, "line 1");
  /* the category stays what the line does; the reason says both */
  g_assert_cmpint (at_line (units, 2)->category, ==, AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG);
  assert_reason_has (units, 2, "system configuration");
  assert_split_holds (units);
}

/* systemctl --user enable of a unit file that the run part writes in the
 * home folder: the enable runs at start too. */
static void
test_enable_unit_written_at_start (void)
{
  g_autoptr(GPtrArray) units = analyze ("mkdir -p ~/.config/systemd/user\n"
                                        "tee ~/.config/systemd/user/foo.service <<'EOF'\n"
                                        "[Service]\n"
                                        "ExecStart=/usr/bin/foo\n"
                                        "EOF\n"
                                        "systemctl --user enable foo.service\n"
                                        "sudo systemctl enable /etc/systemd/system/bar.service\n",
                                        NULL);

  assert_part (units, 2, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 6, AR_PREFLIGHT_PART_RUN);
  assert_split_holds (units);
}

/* log_info (called in the cached part) calls format_log_line: both
 * definitions must be in the cached part, and the run part too. */
static void
test_function_calls_function (void)
{
  g_autoptr(GPtrArray) units = analyze ("format_log_line() {\n"
                                        "  printf '[%s] %s\\n' \"$1\" \"$2\"\n"
                                        "}\n"
                                        "log_info() {\n"
                                        "  format_log_line INFO \"$*\"\n"
                                        "}\n"
                                        "log_info installing\n"
                                        "apt-get install -y git && log_info done\n"
                                        "log_info \"task $TASK_ID\"\n",
                                        NULL);

  assert_part (units, 8, AR_PREFLIGHT_PART_CACHED);
  assert_part (units, 1, AR_PREFLIGHT_PART_BOTH);
  assert_part (units, 4, AR_PREFLIGHT_PART_BOTH);
  /* a function's reason describes the function */
  assert_reason_has (units, 1, "format_log_line");
  assert_reason_has (units, 4, "log_info");
  assert_split_holds (units);
}

/* A function whose body reads a secret: it and its cached callers run at
 * start, and the caller's reason names the function's line. */
static void
test_function_reading_secret (void)
{
  g_autoptr(GPtrArray) units = analyze ("fetch() {\n"
                                        "  curl -H \"Authorization: token $GITHUB_TOKEN\" -o /usr/local/bin/t \"$1\"\n"
                                        "}\n"
                                        "fetch https://example.com/t\n",
                                        NULL);

  assert_part (units, 1, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 4, AR_PREFLIGHT_PART_RUN);
  assert_split_holds (units);
}

/* . /etc/os-release and the detection after it are pure definitions:
 * they go to both, and the distro-dependent install stays cached. */
static void
test_os_release (void)
{
  g_autoptr(GPtrArray) units = analyze ("#!/bin/sh\n"
                                        ". /etc/os-release\n"
                                        "ADJUSTED_ID=$ID\n"
                                        "if [ \"$ID_LIKE\" = debian ]; then ADJUSTED_ID=debian; fi\n"
                                        "architecture=\"$(dpkg --print-architecture)\"\n"
                                        "if [ \"$ADJUSTED_ID\" = debian ]; then\n"
                                        "  apt-get install -y git\n"
                                        "fi\n"
                                        "curl -fsSLo /usr/local/bin/t https://example.com/t-${architecture}\n",
                                        NULL);

  assert_part (units, 2, AR_PREFLIGHT_PART_BOTH);
  assert_part (units, 3, AR_PREFLIGHT_PART_BOTH);
  assert_part (units, 4, AR_PREFLIGHT_PART_BOTH);
  assert_part (units, 5, AR_PREFLIGHT_PART_BOTH);
  assert_part (units, 6, AR_PREFLIGHT_PART_CACHED);
  assert_part (units, 9, AR_PREFLIGHT_PART_CACHED);
  assert_split_holds (units);
}

/* A value that really is per task: what uses it in the cached part moves
 * to run, saying which line forced it. */
static void
test_reason_names_line (void)
{
  g_autoptr(GPtrArray) units = analyze ("set -e\n"
                                        "\n"
                                        "ADJUSTED_ID=$(cat /workspace/.distro)\n"
                                        "ADJUSTED_ID=\"${ADJUSTED_ID}-${TASK_ID}\"\n"
                                        "apt-get install -y \"git-$ADJUSTED_ID\"\n",
                                        NULL);
  ArPreflightUnit *u = at_line (units, 5);

  g_assert_cmpint (u->part, ==, AR_PREFLIGHT_PART_RUN);
  g_assert_cmpuint (u->moved_by_line, ==, 4);
  assert_reason_has (units, 5, "line 4");
  assert_reason_has (units, 5, "ADJUSTED_ID");
  /* no "ambiguous" with a package-install reason: the category is still
   * what the line does */
  g_assert_cmpint (u->category, ==, AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL);
  assert_split_holds (units);
}

/* export DEBIAN_FRONTEND=noninteractive protects the cached apt-get. */
static void
test_debian_frontend (void)
{
  g_autoptr(GPtrArray) units = analyze ("export DEBIAN_FRONTEND=noninteractive\n"
                                        "apt-get update\n"
                                        "apt-get install -y tzdata\n",
                                        NULL);

  assert_part (units, 1, AR_PREFLIGHT_PART_BOTH);
  g_assert_cmpint (at_line (units, 1)->category, ==, AR_PREFLIGHT_CATEGORY_ENV_EXPORT);
  assert_part (units, 2, AR_PREFLIGHT_PART_CACHED);
  assert_part (units, 3, AR_PREFLIGHT_PART_CACHED);
  assert_split_holds (units);
}

/* ${GITHUB_TOKEN} in a URL: never cached or both, with or without an
 * environment, nor what uses the variable built from it. */
static void
test_token_never_baked (void)
{
  const char *script = "REPO_URL=\"https://${GITHUB_TOKEN}@github.com/o/r\"\n"
                       "git clone \"$REPO_URL\" /opt/r\n"
                       "OPENAI_api_key=sk-123\n"
                       "DB_PASSWORD=hunter2 psql -c 'select 1'\n";
  const char *const names[] = { "GITHUB_TOKEN", NULL };
  const char *const *envs[] = { NULL, names };

  for (guint k = 0; k < G_N_ELEMENTS (envs); k++)
    {
      g_autoptr(GPtrArray) units = analyze (script, envs[k]);

      for (guint i = 0; i < units->len; i++)
        {
          ArPreflightUnit *u = g_ptr_array_index (units, i);

          if (u->part != AR_PREFLIGHT_PART_RUN)
            {
              dump (units);
              g_error ("line %u holds a secret and is not only in the run part", u->line);
            }
        }
      assert_reason_has (units, 1, "GITHUB_TOKEN");
      assert_reason_has (units, 2, "line 1");
      assert_split_holds (units);
    }
}

/* pip install into a virtualenv that the run part creates and activates. */
static void
test_pip_into_run_venv (void)
{
  g_autoptr(GPtrArray) units = analyze ("python3 -m venv ~/.venv\n"
                                        ". ~/.venv/bin/activate\n"
                                        "pip install requests\n"
                                        "pip3 install --user black\n",
                                        NULL);
  g_autoptr(GPtrArray) image = analyze ("python3 -m venv /opt/venv\n"
                                        ". /opt/venv/bin/activate\n"
                                        "pip install requests\n",
                                        NULL);

  assert_part (units, 1, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 2, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 3, AR_PREFLIGHT_PART_RUN);
  assert_split_holds (units);

  /* a virtualenv in the image: its activation is in both parts */
  assert_part (image, 3, AR_PREFLIGHT_PART_CACHED);
  assert_part (image, 2, AR_PREFLIGHT_PART_BOTH);
  assert_split_holds (image);
}

/* cd into a folder: what works relative to it follows the cd. */
static void
test_working_folder (void)
{
  g_autoptr(GPtrArray) units = analyze ("mkdir -p /opt/src\n"
                                        "cd /opt/src\n"
                                        "curl -fsSLo tool.tar.gz https://example.com/tool.tar.gz\n"
                                        "tar -C /opt -xzf /opt/src/tool.tar.gz\n"
                                        "cd \"/tmp/$TASK_ID\"\n"
                                        "make install\n",
                                        NULL);

  assert_part (units, 2, AR_PREFLIGHT_PART_BOTH);
  assert_part (units, 5, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 6, AR_PREFLIGHT_PART_RUN);
  assert_split_holds (units);
}

/* X=$? belongs with the command before it. */
static void
test_status_capture (void)
{
  g_autoptr(GPtrArray) units = analyze ("apt-get install -y git\n"
                                        "rc=$?\n"
                                        "echo \"$TASK_ID\"\n"
                                        "status=$?\n",
                                        NULL);

  assert_part (units, 1, AR_PREFLIGHT_PART_CACHED);
  g_assert_true (at_line (units, 2)->part != AR_PREFLIGHT_PART_RUN);
  g_assert_true (at_line (units, 4)->part != AR_PREFLIGHT_PART_CACHED);
  assert_split_holds (units);
}

/* Moves that cascade: each one may break another dependency, and the
 * guarantee goes on until none is broken. */
static void
test_fixed_point (void)
{
  g_autoptr(GPtrArray) units = analyze ("A=$(cat /srv/a-$TASK_ID)\n"    /* 1: run, per task */
                                        "B=\"$A-x\"\n"                   /* 2: both → run */
                                        "mkdir -p \"/opt/$B\"\n"         /* 3: cached → run */
                                        "mkdir -p /opt/c\n"              /* 4: cached */
                                        "helper() { cp /opt/c/x \"/opt/$B/x\"; }\n" /* 5 */
                                        "touch /opt/c/x\n"                /* 6: cached */
                                        "helper\n"                        /* 7: cached → run */
                                        "chmod 600 /opt/c/x\n",           /* 8: cached */
                                        NULL);

  assert_part (units, 1, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 2, AR_PREFLIGHT_PART_RUN);
  assert_reason_has (units, 2, "line 1");
  assert_part (units, 3, AR_PREFLIGHT_PART_RUN);
  assert_part (units, 7, AR_PREFLIGHT_PART_RUN);
  assert_reason_has (units, 7, "line 2");
  assert_part (units, 4, AR_PREFLIGHT_PART_CACHED);
  assert_part (units, 6, AR_PREFLIGHT_PART_CACHED);
  assert_part (units, 8, AR_PREFLIGHT_PART_CACHED);
  assert_split_holds (units);
}

/* The check finds what a hand-flipped split breaks, naming both lines. */
static void
test_check_split (void)
{
  g_autoptr(GPtrArray) units = analyze ("VERSION=1.2\n"
                                        "curl -o /opt/t-$VERSION.tgz https://example.com/t-$VERSION.tgz\n"
                                        "echo \"$TASK_ID\"\n",
                                        NULL);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) hand = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_preflight_unit_free);
  ArPreflightUnit *made = g_new0 (ArPreflightUnit, 1);

  assert_split_holds (units);
  at_line (units, 1)->part = AR_PREFLIGHT_PART_RUN;
  at_line (units, 3)->part = AR_PREFLIGHT_PART_CACHED;
  g_assert_false (ar_preflight_check_split (units, &problems));
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 0), "Line 3"));
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 0), "TASK_ID"));
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 1), "Line 2"));
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 1), "line 1"));

  /* a unit made by hand uses nothing */
  made->line = made->end_line = 1;
  made->text = g_strdup ("echo $X");
  made->reason = g_strdup ("by hand");
  g_ptr_array_add (hand, made);
  g_assert_true (ar_preflight_check_split (hand, &none));
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_true (ar_preflight_check_split (hand, NULL));
}

static void
test_summary (void)
{
  g_autoptr(GPtrArray) units = analyze ("#!/bin/sh\n"
                                        "# tools\n"
                                        "apt-get install -y git\n"
                                        "ID=$(cat /srv/id-$TASK_ID)\n"
                                        "mkdir -p \"/opt/$ID\"\n"
                                        "frobnicate --all\n",
                                        NULL);
  g_autoptr(ArPreflightSummary) s = ar_preflight_summary_new (units);
  g_autofree char *text = ar_preflight_summary_describe (s);
  const ArPreflightMove *m;

  g_assert_cmpuint (ar_preflight_summary_get_units (s), ==, 5);
  g_assert_cmpuint (ar_preflight_summary_get_lines (s), ==, 6);
  g_assert_cmpuint (ar_preflight_summary_get_cached_lines (s), ==, 2);
  g_assert_cmpuint (ar_preflight_summary_get_cached (s), ==, 1);
  g_assert_cmpuint (ar_preflight_summary_get_both (s), ==, 1);
  g_assert_cmpuint (ar_preflight_summary_get_run (s), ==, 3);
  g_assert_cmpuint (ar_preflight_summary_get_unrecognised (s), ==, 1);
  g_assert_cmpuint (ar_preflight_summary_get_n_moved (s), ==, 1);
  m = ar_preflight_summary_get_moved (s, 0);
  g_assert_cmpuint (m->line, ==, 5);
  g_assert_cmpuint (m->because_of, ==, 4);
  g_assert_cmpstr (text, ==, "2 of 6 lines cached");
}

/* Copies share the facts, so a copied split can be checked. */
static void
test_copy_keeps_facts (void)
{
  g_autoptr(GPtrArray) units = analyze ("V=1\ncurl -o /opt/t https://e.com/$V\n", NULL);
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func ((GDestroyNotify) ar_preflight_unit_free);

  for (guint i = 0; i < units->len; i++)
    g_ptr_array_add (copies, ar_preflight_unit_copy (g_ptr_array_index (units, i)));
  g_clear_pointer (&units, g_ptr_array_unref);
  ((ArPreflightUnit *) g_ptr_array_index (copies, 0))->part = AR_PREFLIGHT_PART_RUN;
  g_assert_false (ar_preflight_check_split (copies, NULL));
}

/* agents-runner preflight split: the summary in text and in --json, in
 * the shape of design.md §5.1. */
static void
test_cli_summary (void)
{
  const char *script = "apt-get install -y git\n"
                       "ID=$(cat /srv/id-$TASK_ID)\n"
                       "mkdir -p \"/opt/$ID\"\n"
                       "frobnicate --all\n";
  const char *const json_args[] = { "preflight", "split", "-", "--json", NULL };
  const char *const text_args[] = { "preflight", "split", "-", NULL };
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *summary;
  JsonArray *moved;
  JsonObject *m;

  g_assert_cmpint (ar_test_run_cli (json_args, script, &out, NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  summary = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "summary");
  g_assert_nonnull (summary);
  g_assert_cmpint (json_object_get_int_member (summary, "units"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (summary, "cached"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "run"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (summary, "both"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (summary, "unrecognised"), ==, 1);
  moved = json_object_get_array_member (summary, "moved");
  g_assert_cmpuint (json_array_get_length (moved), ==, 1);
  m = json_array_get_object_element (moved, 0);
  g_assert_cmpint (json_object_get_int_member (m, "line"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (m, "because_of"), ==, 2);

  g_assert_cmpint (ar_test_run_cli (text_args, script, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "1 of 4 lines cached"));
  g_assert_nonnull (strstr (text, "4 units: 1 cached, 3 run, 0 both; 1 not recognised"));
  g_assert_nonnull (strstr (text, "line 3 runs at start because of line 2"));
}

int
main (int argc, char **argv)
{
  ar_test_init (&argc, &argv);

  g_test_add_func ("/preflight-deps/tee-then-append", test_tee_then_append);
  g_test_add_func ("/preflight-deps/tee-then-chmod", test_tee_then_chmod);
  g_test_add_func ("/preflight-deps/enable-unit-written-at-start", test_enable_unit_written_at_start);
  g_test_add_func ("/preflight-deps/function-calls-function", test_function_calls_function);
  g_test_add_func ("/preflight-deps/function-reading-secret", test_function_reading_secret);
  g_test_add_func ("/preflight-deps/os-release", test_os_release);
  g_test_add_func ("/preflight-deps/reason-names-line", test_reason_names_line);
  g_test_add_func ("/preflight-deps/debian-frontend", test_debian_frontend);
  g_test_add_func ("/preflight-deps/token-never-baked", test_token_never_baked);
  g_test_add_func ("/preflight-deps/pip-into-run-venv", test_pip_into_run_venv);
  g_test_add_func ("/preflight-deps/working-folder", test_working_folder);
  g_test_add_func ("/preflight-deps/status-capture", test_status_capture);
  g_test_add_func ("/preflight-deps/fixed-point", test_fixed_point);
  g_test_add_func ("/preflight-deps/check-split", test_check_split);
  g_test_add_func ("/preflight-deps/summary", test_summary);
  g_test_add_func ("/preflight-deps/copy-keeps-facts", test_copy_keeps_facts);
  g_test_add_func ("/preflight-deps/cli-summary", test_cli_summary);
  return g_test_run ();
}
