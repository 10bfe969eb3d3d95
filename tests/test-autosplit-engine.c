/* test-autosplit-engine.c — a split keeps a real script working, on a real
 * Debian base with real apt-get installs (issue 9 items 5 and 6)
 *
 * For every corpus script marked runnable (tests/corpus/autosplit/README.md),
 * the unsplit script runs in a container on the Debian base, then the split
 * pair goes through the build check (ar-preflight-build-check.h): the cached
 * part is built on the base, the run part runs on top. Both runs end with
 * the same listing of the file system (type, mode, owner, path, link target,
 * and a BLAKE2b hash of every regular file) in place of the agent, and both must
 * leave the same files and end with the same exit status.
 *
 * The Debian base and the caching apt proxy (every package from Debian's
 * archive through a real apt-get, but downloaded once across runs) are the
 * fixture of test-debian.h, shared with test-field; the engine is the one
 * at hand, with a bridge network (tests/engine-up.sh gives its private
 * engine one). Before anything else a container reaches Debian's archive
 * through the proxy, else the test fails saying so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ar-preflight-analyzer.h"
#include "ar-preflight-build-check.h"
#include "ar-task-runner.h"
#include "test-debian.h"
#include "test-utils.h"

#define LISTING_MARK "@@ "

static char *debian_image;       /* in the engine this test uses */
static ArEngine *engine;
static gboolean engine_failed;
static gboolean engine_fatal;    /* engine_skip is a failure, not a skip */
static char *engine_skip;

static gboolean
need_engine (void)
{
  if (debian_image != NULL)
    return TRUE;
  if (!engine_failed && !ar_test_debian_images ("docker", &debian_image, NULL, &engine_fatal, &engine_skip))
    engine_failed = TRUE;
  if (engine_failed)
    {
      if (engine_fatal)
        g_test_fail_printf ("%s", engine_skip);
      else
        g_test_skip (engine_skip);
      return FALSE;
    }
  engine = ar_engine_new ("docker", "");
  return TRUE;
}

/* ---- checks -------------------------------------------------------------- */

typedef struct {
  GPtrArray *listing;  /* LISTING_MARK lines, without the mark */
  GString *output;     /* everything else */
} Captured;

static void
capture_line (ArBuildCheckStage stage, const char *line, gpointer user_data)
{
  Captured *c = user_data;

  if (g_str_has_prefix (line, LISTING_MARK))
    g_ptr_array_add (c->listing, g_strdup (line + strlen (LISTING_MARK)));
  else
    g_string_append_printf (c->output, "[%s] %s\n", ar_build_check_stage_to_string (stage), line);
}

/* What the agent does in these checks: list the file system. Noise that
 * differs between any two containers is left out: kernel and runtime
 * mounts, /tmp, apt's lists and downloads, logs, debconf's and ldconfig's
 * caches (they hold times and inode numbers), and the files the engine
 * mounts over /etc. A Python bytecode file (*.pyc) is listed (type, mode,
 * owner) but not hashed: it holds the modification time of its source,
 * which for anything pip unpacks (the pip and setuptools a `python3 -m
 * venv` installs) is the moment it ran, so two runs of the same line never
 * give the same bytes (seen: every .pyc of a workspace virtualenv). The
 * hash is b2sum's: any hash that tells two contents apart does, and it
 * takes half sha256sum's CPU here (0.25 against 0.45 s over /usr). */
static const char listing_script[] =
  "cd / && LC_ALL=C find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp"
  " -o -path /var/tmp -o -path /var/cache/apt -o -path /var/lib/apt/lists -o -path /var/log"
  " -o -path /var/cache/debconf -o -path /var/cache/ldconfig -o -path /etc/hostname -o -path /etc/hosts"
  " -o -path /etc/resolv.conf -o -path /etc/mtab -o -path /.dockerenv -o -path /root/.cache \\) -prune"
  " -o -printf '" LISTING_MARK "%y %m %u:%g %p -> %l\\n' -o -true >/tmp/ar-list 2>/dev/null;"
  " sed -n '/\\.pyc -> $/!s|^" LISTING_MARK "f [^ ]* [^ ]* \\(.*\\) -> $|\\1|p' /tmp/ar-list | tr '\\n' '\\0' |"
  " xargs -0 -r b2sum | sed 's|^|" LISTING_MARK "b2 |';"
  " cat /tmp/ar-list";

typedef struct {
  ArBuildCheckResult *result;
  GPtrArray *listing;
  char *output;
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->result, ar_build_check_result_free);
  g_clear_pointer (&o->listing, g_ptr_array_unref);
  g_clear_pointer (&o->output, g_free);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

typedef struct {
  Captured c;
  GAsyncResult *result;
  ArEnvironment *env;
  ArSettings *settings;
} Pending;

static const char *const listing_agent[] = { "/bin/sh", "-c", listing_script, NULL };

/* Starts a check; checks run side by side (their downloads overlap). */
static void
check_start (const char *cached, const char *run, gboolean list, Pending *p)
{
  p->c.listing = g_ptr_array_new_with_free_func (g_free);
  p->c.output = g_string_new (NULL);
  p->result = NULL;
  p->env = ar_environment_new ();
  p->settings = ar_settings_new_default ();
  ar_environment_set_base_image (p->env, debian_image);
  /* Not the default working folder under /home/midori-ai: the engine makes
   * the working folder and its parents (as root) before any script runs,
   * so there an unsplit `useradd --create-home midori-ai` finds its home
   * already made and copies no skeleton files, while the cached part, built
   * with no working folder, gets them. That is a difference between build
   * time and start time, not one the split makes (the split's result is the
   * one the script asked for); a working folder of its own keeps it out. */
  ar_environment_set_container_workdir (p->env, "/workspace");
  p->settings->build_timeout = 600;
  ar_preflight_check_build_async (engine, p->env, p->settings, cached, run, list ? listing_agent : NULL,
                                  capture_line, &p->c, NULL, ar_test_store_result, &p->result);
}

static void
check_finish (Pending *p, Outcome *out)
{
  g_autoptr(GError) error = NULL;

  out->result = ar_preflight_check_build_finish (ar_test_wait_result (&p->result), &error);
  g_clear_object (&p->result);
  g_clear_object (&p->env);
  g_clear_pointer (&p->settings, ar_settings_free);
  g_assert_no_error (error);
  g_ptr_array_sort (p->c.listing, compare_strings);
  out->listing = p->c.listing;
  out->output = g_string_free (p->c.output, FALSE);
}

static void
check (const char *cached, const char *run, gboolean list, Outcome *out)
{
  Pending p;

  check_start (cached, run, list, &p);
  check_finish (&p, out);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_find_line (void)
{
  const char *name = "cached-preflight.sh";

  g_assert_cmpuint (ar_preflight_build_check_find_line ("", name), ==, 0);
  g_assert_cmpuint (ar_preflight_build_check_find_line ("E: Unable to locate package nope", name), ==, 0);
  /* dash, run directly */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "x\n/tmp/agents-runner-build/cached-preflight.sh: 7: nope: not found\n", name), ==, 7);
  /* bash */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/tmp/agents-runner-build/cached-preflight.sh: line 12: nope: command not found", name), ==, 12);
  /* dash, sourced by the entry script */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/tmp/agents-runner/entry.sh: 3: /tmp/agents-runner/run-preflight.sh: nope: not found",
                      "run-preflight.sh"), ==, 3);
  /* busybox ash, sourced */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/tmp/agents-runner/entry.sh: /tmp/agents-runner/run-preflight.sh: line 9: nope: not found",
                      "run-preflight.sh"), ==, 9);
  /* the other part's file does not count; the last message wins */
  g_assert_cmpuint (ar_preflight_build_check_find_line (
                      "/x/run-preflight.sh: 4: a: not found\n/x/cached-preflight.sh: 2: b: not found\n"
                      "/x/cached-preflight.sh: 5: c: not found", name), ==, 5);
}

/* A container on the Debian base reaches Debian's archive: without this
 * nothing below means anything. */
static void
test_network (void)
{
  Outcome o = { 0 };

  if (!need_engine ())
    return;
  check ("", "#!/bin/sh\nset -e\napt-get update\n", FALSE, &o);
  if (!o.result->ok)
    g_error ("apt-get update failed in a container: %s\n%s", o.result->output, o.output);
  g_assert_true (strstr (o.output, "deb.debian.org") != NULL);
  outcome_clear (&o);
}

/* A cached part that fails: the result names the part, the line and the
 * status, and the image and the container are gone. */
static void
test_build_fails (void)
{
  Outcome o = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *describe = NULL;
  const char *ls[] = { "image", "ls", "-q", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK, NULL };
  const char *ps[] = { "ps", "-aq", "--filter", "label=" AR_LABEL_PREFLIGHT_CHECK, NULL };

  if (!need_engine ())
    return;
  check ("#!/bin/sh\nset -e\nmkdir -p /opt/x\nno_such_command --now\necho never\n", "echo run\n", FALSE, &o);
  g_assert_false (o.result->ok);
  g_assert_cmpint (o.result->failed_stage, ==, AR_BUILD_CHECK_STAGE_BUILD);
  g_assert_cmpint (o.result->exit_status, !=, 0);
  g_assert_cmpuint (o.result->line, ==, 4);
  g_assert_cmpstr (o.result->line_text, ==, "no_such_command --now");
  describe = ar_build_check_result_describe (o.result);
  g_assert_true (strstr (describe, "line 4 of the cached part") != NULL);
  outcome_clear (&o);

  /* the run part fails on top of a cached part that builds */
  check ("#!/bin/sh\nmkdir -p /opt/tool\n", "#!/bin/sh\nset -e\ntest -d /opt/tool\nexit 7\n", FALSE, &o);
  g_assert_false (o.result->ok);
  g_assert_true (o.result->built);
  g_assert_cmpint (o.result->failed_stage, ==, AR_BUILD_CHECK_STAGE_RUN);
  g_assert_cmpint (o.result->exit_status, ==, 7);
  outcome_clear (&o);

  g_assert_cmpint (ar_test_engine_docker (ls, &out, NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ar_test_engine_docker (ps, &out, NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "");
}

/* ---- the corpus ---------------------------------------------------------- */

static char *
corpus_dir (void)
{
  const char *dir = g_getenv ("AR_AUTOSPLIT_CORPUS_DIR");
  const char *root = g_getenv ("AR_SOURCE_ROOT");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (root != NULL ? root : ".", "tests", "corpus", "autosplit", NULL);
}

/* The scripts README.md marks runnable: a line that says "runnable" and
 * names scripts, or a table with a "runnable" column holding yes / x / ✓. */
static GPtrArray *
runnable_scripts (const char *dir)
{
  g_autofree char *readme_path = g_build_filename (dir, "README.md", NULL);
  g_autofree char *readme = NULL;
  g_autoptr(GRegex) name_re = g_regex_new ("[A-Za-z0-9_.-]+\\.(?:sh|bash)\\b", 0, 0, NULL);
  g_auto(GStrv) lines = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  int runnable_column = -1;

  if (!g_file_get_contents (readme_path, &readme, NULL, NULL))
    return names;
  lines = g_strsplit (readme, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *lower = g_utf8_strdown (lines[i], -1);
      gboolean table_row = g_str_has_prefix (g_strchug (lower), "|");
      gboolean marked = FALSE;

      if (table_row)
        {
          g_auto(GStrv) cells = g_strsplit (lower, "|", -1);
          guint n = g_strv_length (cells);

          for (guint k = 0; k < n; k++)
            if (strstr (cells[k], "runnable") != NULL && strstr (lower, ".sh") == NULL)
              runnable_column = k;
          if (runnable_column >= 0 && (guint) runnable_column < n)
            {
              char *cell = g_strstrip (cells[runnable_column]);

              marked = g_str_equal (cell, "yes") || g_str_equal (cell, "x") || g_str_equal (cell, "✓") ||
                       g_str_equal (cell, "✔") || g_str_equal (cell, "runnable") || g_str_equal (cell, "y");
            }
          else
            marked = strstr (lower, "runnable") != NULL && strstr (lower, "not runnable") == NULL;
        }
      else
        marked = strstr (lower, "runnable") != NULL && strstr (lower, "not runnable") == NULL;
      if (!marked)
        continue;
      g_regex_match (name_re, lines[i], 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *name = g_match_info_fetch (match, 0);
          g_autofree char *path = g_build_filename (dir, name, NULL);

          if (g_file_test (path, G_FILE_TEST_IS_REGULAR) &&
              !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
            g_ptr_array_add (names, g_steal_pointer (&name));
          g_match_info_next (match, NULL);
        }
    }
  return names;
}

static char *
listing_diff (GPtrArray *a, GPtrArray *b)
{
  GString *diff = g_string_new (NULL);
  guint i = 0, j = 0, shown = 0;

  while ((i < a->len || j < b->len) && shown < 40)
    {
      int cmp = i >= a->len ? 1 : j >= b->len ? -1 : strcmp (a->pdata[i], b->pdata[j]);

      if (cmp == 0)
        {
          i++;
          j++;
          continue;
        }
      if (cmp < 0)
        g_string_append_printf (diff, "  unsplit only: %s\n", (char *) a->pdata[i++]);
      else
        g_string_append_printf (diff, "  split only:   %s\n", (char *) b->pdata[j++]);
      shown++;
    }
  return g_string_free (diff, FALSE);
}

/* Scripts checked side by side (each as two checks, unsplit and split):
 * AR_AUTOSPLIT_PARALLEL, 3 unless set. Most of a check is dpkg unpacking
 * and downloads; on a loaded machine several at once take a fair share of
 * it and overlap the downloads, which brings the whole corpus within the
 * engine suite's budget. */
static guint
corpus_parallel (void)
{
  const char *value = g_getenv ("AR_AUTOSPLIT_PARALLEL");
  guint64 n = 3;

  if (value != NULL && *value != '\0')
    n = g_ascii_strtoull (value, NULL, 10);
  return (guint) CLAMP (n, 1, 16);
}

typedef struct {
  Pending whole;
  Pending split;
  gint64 started;
} ScriptJob;

/* Analyses a script and starts its two checks. */
static void
script_job_start (ScriptJob  *job,
                  const char *dir,
                  const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *script = ar_test_read_file (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) units = ar_preflight_analyze (script, NULL, &error);
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;

  g_assert_no_error (error);
  cached = ar_preflight_render (units, AR_PREFLIGHT_PART_CACHED);
  run = ar_preflight_render (units, AR_PREFLIGHT_PART_RUN);
  job->started = g_get_monotonic_time ();
  check_start ("", script, TRUE, &job->whole);
  check_start (cached, run, TRUE, &job->split);
}

static void
test_corpus (void)
{
  g_autofree char *dir = corpus_dir ();
  g_autoptr(GPtrArray) names = runnable_scripts (dir);
  guint same = 0;
  guint n_parallel;
  ScriptJob *jobs;
  gint64 start;
  GString *failures = g_string_new (NULL);

  if (names->len == 0)
    {
      g_autofree char *why = g_strdup_printf ("no script marked runnable in %s/README.md", dir);

      g_string_free (failures, TRUE);
      g_test_skip (why);
      return;
    }
  if (!need_engine ())
    {
      g_string_free (failures, TRUE);
      return;
    }
  start = g_get_monotonic_time ();
  n_parallel = corpus_parallel ();
  jobs = g_new0 (ScriptJob, names->len);
  for (guint k = 0; k < names->len && k < n_parallel; k++)
    script_job_start (&jobs[k], dir, names->pdata[k]);
  for (guint i = 0; i < names->len; i++)
    {
      ScriptJob *job = &jobs[i];
      const char *name = names->pdata[i];
      Outcome whole = { 0 }, split = { 0 };

      /* The others go on while this one is waited for. */
      check_finish (&job->whole, &whole);
      check_finish (&job->split, &split);
      if (i + n_parallel < names->len)
        script_job_start (&jobs[i + n_parallel], dir, names->pdata[i + n_parallel]);
      g_test_message ("%s: unsplit exit %d (%.0f s), split %s exit %d (build %.0f s, run %.0f s), %u listed; %.0f s",
                      name, whole.result->exit_status, whole.result->run_seconds,
                      split.result->ok ? "ok" : ar_build_check_stage_to_string (split.result->failed_stage),
                      split.result->exit_status, split.result->build_seconds, split.result->run_seconds,
                      whole.listing->len, (g_get_monotonic_time () - job->started) / 1e6);

      if (!split.result->ok && split.result->failed_stage == AR_BUILD_CHECK_STAGE_BUILD)
        g_string_append_printf (failures, "%s: the cached part does not build (exit %d, line %u):\n%s\n", name,
                                split.result->exit_status, split.result->line, split.result->output);
      else if (whole.result->exit_status != split.result->exit_status)
        g_string_append_printf (failures, "%s: exit status %d unsplit, %d split:\n%s\n", name,
                                whole.result->exit_status, split.result->exit_status, split.result->output);
      else if (whole.listing->len == 0 && whole.result->ok)
        g_string_append_printf (failures, "%s: no listing:\n%s\n", name, whole.output);
      else
        {
          g_autofree char *diff = listing_diff (whole.listing, split.listing);

          if (*diff != '\0')
            g_string_append_printf (failures, "%s: different files:\n%s", name, diff);
          else
            same++;
        }
      outcome_clear (&whole);
      outcome_clear (&split);
    }
  g_free (jobs);
  g_test_message ("%u of %u runnable scripts: same files and exit status split and unsplit; %.0f s in all",
                  same, names->len, (g_get_monotonic_time () - start) / 1e6);
  if (failures->len > 0)
    g_error ("%s", failures->str);
  g_string_free (failures, TRUE);
  /* Done means at least 8 (issue 9), once the corpus marks them. */
  if (g_getenv ("AR_AUTOSPLIT_CORPUS_DIR") == NULL)
    g_assert_cmpuint (names->len, >=, 8);
}

int
main (int argc, char **argv)
{
  int status;

  ar_test_init (&argc, &argv);
  g_setenv (AR_TEST_RUN_LABEL_ENV, ar_test_engine_run_label (), TRUE);

  g_test_add_func ("/autosplit-engine/find-line", test_find_line);
  g_test_add_func ("/autosplit-engine/network", test_network);
  g_test_add_func ("/autosplit-engine/build-fails", test_build_fails);
  g_test_add_func ("/autosplit-engine/corpus", test_corpus);

  status = g_test_run ();
  ar_test_debian_cleanup ();
  g_clear_object (&engine);
  g_clear_pointer (&debian_image, g_free);
  g_clear_pointer (&engine_skip, g_free);
  return status;
}
