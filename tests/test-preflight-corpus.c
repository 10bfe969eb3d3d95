/* test-preflight-corpus.c — the auto-split on a corpus of realistic setup
 * scripts, against hand labels (issue 9 item 6; design.md §5.1)
 *
 * tests/corpus/autosplit/NAME.sh is a script written here, modelled on the
 * patterns of devcontainer feature installers, Codespaces and Gitpod
 * set-ups, distrobox hooks, coding-agent sandbox entrypoints and desktop
 * preflights; NAME.labels says, for the first line of each logical line,
 * which part a careful engineer puts it in (format in README.md there).
 * For every script: how many labelled lines the analyzer agrees with (a
 * TAP comment, with each disagreement), no unit that reads a per-task
 * value or a secret in the cached part or in both, and no broken
 * dependency between the parts. Over the corpus: agreement of 90 % or more.
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
  gboolean per_task; /* reads a task variable, an env var or a secret */
} Label;

typedef struct {
  char *name;
  char *script;
  GArray *labels;   /* Label, in line order */
  GStrv env_names;  /* the environment's env vars the script is split for */
} CorpusScript;

static void
corpus_script_free (CorpusScript *cs)
{
  g_free (cs->name);
  g_free (cs->script);
  g_array_unref (cs->labels);
  g_strfreev (cs->env_names);
  g_free (cs);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CorpusScript, corpus_script_free)

static char *
corpus_dir (void)
{
  return g_test_build_filename (G_TEST_DIST, "corpus", "autosplit", NULL);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The scripts' names, sorted. */
static GPtrArray *
corpus_names (void)
{
  g_autofree char *dir_path = corpus_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  g_assert_no_error (error);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".sh"))
      g_ptr_array_add (names, g_strndup (entry, strlen (entry) - 3));
  g_ptr_array_sort (names, compare_names);
  return names;
}

static CorpusScript *
load_script (const char *name)
{
  g_autofree char *dir = corpus_dir ();
  g_autofree char *sh_name = g_strconcat (name, ".sh", NULL);
  g_autofree char *labels_name = g_strconcat (name, ".labels", NULL);
  g_autofree char *sh_path = g_build_filename (dir, sh_name, NULL);
  g_autofree char *labels_path = g_build_filename (dir, labels_name, NULL);
  g_autofree char *labels_text = NULL;
  g_auto(GStrv) lines = NULL;
  CorpusScript *cs = g_new0 (CorpusScript, 1);
  guint prev = 0;

  cs->name = g_strdup (name);
  cs->script = ar_test_read_file (sh_path);
  labels_text = ar_test_read_file (labels_path);
  cs->labels = g_array_new (FALSE, FALSE, sizeof (Label));
  lines = g_strsplit (labels_text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      Label l = { 0 };
      char *end = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      f = g_strsplit_set (lines[i], " \t", -1);
      if (strcmp (f[0], "env") == 0)
        {
          GPtrArray *names = g_ptr_array_new ();

          for (guint j = 1; f[j] != NULL; j++)
            if (f[j][0] != '\0')
              g_ptr_array_add (names, g_strdup (f[j]));
          g_ptr_array_add (names, NULL);
          g_strfreev (cs->env_names);
          cs->env_names = (GStrv) g_ptr_array_free (names, FALSE);
          continue;
        }
      l.line = (guint) g_ascii_strtoull (f[0], &end, 10);
      if (l.line == 0 || *end != '\0' || f[1] == NULL || !ar_preflight_part_from_string (f[1], &l.part))
        g_error ("%s, line %u: \"%s\" is not \"LINE cached|run|both [per-task]\"", labels_name, i + 1, lines[i]);
      if (f[2] != NULL && strcmp (f[2], "per-task") == 0)
        l.per_task = TRUE;
      else if (f[2] != NULL)
        g_error ("%s, line %u: unknown flag \"%s\"", labels_name, i + 1, f[2]);
      if (l.line <= prev)
        g_error ("%s, line %u: labels must be in line order", labels_name, i + 1);
      prev = l.line;
      g_array_append_val (cs->labels, l);
    }
  g_assert_cmpuint (cs->labels->len, >, 0);
  return cs;
}

static GPtrArray *
analyze (CorpusScript *cs)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *units = ar_preflight_analyze (cs->script, (const char *const *) cs->env_names, &error);

  g_assert_no_error (error);
  g_assert_nonnull (units);
  return units;
}

static ArPreflightUnit *
unit_holding (GPtrArray *units, guint line)
{
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (u->line <= line && line <= u->end_line)
        return u;
    }
  return NULL;
}

/* A name the issue counts as a secret even without an environment. */
static gboolean
looks_secret (const char *name)
{
  static const char *const suffixes[] = { "TOKEN", "SECRET", "PASSWORD", "_KEY", "CREDENTIALS", NULL };
  g_autofree char *up = g_ascii_strup (name, -1);

  for (guint i = 0; suffixes[i] != NULL; i++)
    if (g_str_has_suffix (up, suffixes[i]))
      return TRUE;
  return FALSE;
}

/* The first $NAME / ${NAME…} in @text that is per task (a task variable,
 * one of @env_names) or looks like a secret; NULL when none. Written apart
 * from the analyzer's own scan, so that the two check each other. */
static char *
per_task_use (const char *text, const char *const *env_names)
{
  for (const char *p = strchr (text, '$'); p != NULL; p = strchr (p + 1, '$'))
    {
      const char *a = p + 1;
      const char *e;
      g_autofree char *name = NULL;

      if (p > text && p[-1] == '\\')
        continue;
      if (*a == '{')
        a++;
      for (e = a; g_ascii_isalnum (*e) || *e == '_'; e++)
        ;
      if (e == a || g_ascii_isdigit (*a))
        continue;
      name = g_strndup (a, e - a);
      if (strcmp (name, "TASK_ID") == 0 || g_str_has_prefix (name, "AGENTS_RUNNER_") ||
          looks_secret (name) ||
          (env_names != NULL && g_strv_contains (env_names, name)))
        return g_steal_pointer (&name);
    }
  return NULL;
}

/* Agreement of the analysis of @cs with its labels; each disagreement is a
 * TAP comment when @verbose. */
static void
score (CorpusScript *cs, GPtrArray *units, gboolean verbose, guint *agree, guint *total)
{
  *agree = 0;
  *total = cs->labels->len;
  for (guint i = 0; i < cs->labels->len; i++)
    {
      Label *l = &g_array_index (cs->labels, Label, i);
      ArPreflightUnit *u = unit_holding (units, l->line);

      if (u != NULL && u->part == l->part)
        (*agree)++;
      else if (verbose && u == NULL)
        g_test_message ("  %s:%u: labelled %s, but no unit holds the line", cs->name, l->line,
                        ar_preflight_part_to_string (l->part));
      else if (verbose)
        g_test_message ("  %s:%u: labelled %s, analyzer says %s (%s: %s)", cs->name, l->line,
                        ar_preflight_part_to_string (l->part), ar_preflight_part_to_string (u->part),
                        ar_preflight_category_to_string (u->category), u->reason);
    }
}

static void
test_script (gconstpointer data)
{
  const char *name = data;
  g_autoptr(CorpusScript) cs = load_script (name);
  g_autoptr(GPtrArray) units = analyze (cs);
  guint agree, total;

  score (cs, units, TRUE, &agree, &total);
  g_test_message ("%s: %u of %u labelled lines agree (%.1f %%)", name, agree, total,
                  100.0 * agree / total);

  /* Nothing per task or secret in the cached part: neither by the labels
   * nor by a scan of the unit's text. */
  for (guint i = 0; i < cs->labels->len; i++)
    {
      Label *l = &g_array_index (cs->labels, Label, i);
      ArPreflightUnit *u = unit_holding (units, l->line);

      g_assert_nonnull (u);
      if (l->per_task && u->part != AR_PREFLIGHT_PART_RUN)
        g_test_fail_printf ("%s:%u reads a per-task value or a secret but goes to %s: %s", name, l->line,
                            ar_preflight_part_to_string (u->part), u->text);
    }
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);
      g_autofree char *use = per_task_use (u->text, (const char *const *) cs->env_names);

      if (use != NULL && u->part != AR_PREFLIGHT_PART_RUN)
        g_test_fail_printf ("%s:%u reads $%s but goes to %s: %s", name, u->line, use,
                            ar_preflight_part_to_string (u->part), u->text);
    }

  /* Each part has everything it uses (the guarantee, checked by the
   * dependency model). */
  {
    g_autoptr(GPtrArray) problems = NULL;

    if (!ar_preflight_check_split (units, &problems))
      {
        for (guint i = 0; i < problems->len; i++)
          g_test_message ("  %s: %s", name, (char *) g_ptr_array_index (problems, i));
        g_test_fail_printf ("%s: %u broken dependencies between the parts", name, problems->len);
      }
  }
}

static void
test_overall (void)
{
  g_autoptr(GPtrArray) names = corpus_names ();
  guint agree_all = 0, total_all = 0;

  g_assert_cmpuint (names->len, >=, 20);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(CorpusScript) cs = load_script (g_ptr_array_index (names, i));
      g_autoptr(GPtrArray) units = analyze (cs);
      guint agree, total;

      score (cs, units, FALSE, &agree, &total);
      g_test_message ("%-28s %3u / %3u  %5.1f %%", cs->name, agree, total, 100.0 * agree / total);
      agree_all += agree;
      total_all += total;
    }
  g_test_message ("corpus: %u scripts, %u of %u labelled lines agree (%.1f %%)", names->len,
                  agree_all, total_all, 100.0 * agree_all / total_all);
  g_assert_cmpfloat (100.0 * agree_all / total_all, >=, 90.0);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GPtrArray) names = NULL;

  ar_test_init (&argc, &argv);
  names = corpus_names ();
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/preflight-corpus/script/%s",
                                               (char *) g_ptr_array_index (names, i));

      g_test_add_data_func (path, g_ptr_array_index (names, i), test_script);
    }
  g_test_add_func ("/preflight-corpus/total/overall", test_overall);
  return g_test_run ();
}
