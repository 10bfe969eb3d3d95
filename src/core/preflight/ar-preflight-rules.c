/* ar-preflight-rules.c — the category, part and reason of a unit (design.md §5.1)
 *
 * Per-task values first (rules 5–7: exports, task and environment
 * variables, values an earlier run-only unit sets, /tmp), then calls of the
 * script's own functions that run at start, installs into the workspace,
 * the cached rules 1–4 (the lowest number wins), and last shell options and
 * plain variables, which go to both parts. Anything else runs at start:
 * never wrong, only slower. It records what later units need (the taint
 * of run-only values, the script's functions, the calls between parts);
 * the scans it reads are in ar-preflight-analysis.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Variables installers read without naming them ($PATH for the commands,
 * DEBIAN_FRONTEND for apt, CARGO_HOME for cargo, …): a constant export of
 * one goes to both parts, since the cached lines rely on it unseen. */
static gboolean
is_tool_variable (const char *name, gsize n)
{
  static const char *const names[] = {
    "PATH", "DEBIAN_FRONTEND", "DEBCONF_NONINTERACTIVE_SEEN", "NVM_DIR", "GOPATH", "GOROOT",
    "GOBIN", "GOFLAGS", "GOPROXY", NULL
  };
  static const char *const prefixes[] = {
    "CARGO_", "RUSTUP_", "PIP_", "PIPX_", "NPM_CONFIG_", "UV_", "POETRY_", NULL
  };
  g_autofree char *s = g_strndup (name, n);

  if (ar_preflight_str_in (s, names) || g_str_has_suffix (s, "_HOME"))
    return TRUE;
  for (guint i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix (s, prefixes[i]))
      return TRUE;
  return FALSE;
}

static int
rule_of (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return 1;
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return 2;
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return 3;
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return 4;
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT: return 5;
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE: return 6;
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR: return 7;
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS:
    case AR_PREFLIGHT_CATEGORY_SHEBANG:
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION:
    case AR_PREFLIGHT_CATEGORY_VARIABLE:
    default:
      return 0;
    }
}

static ArPreflightPart
part_for (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL:
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD:
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG:
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR:
      return AR_PREFLIGHT_PART_CACHED;
    case AR_PREFLIGHT_CATEGORY_SHEBANG:
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION:
    case AR_PREFLIGHT_CATEGORY_VARIABLE:
      return AR_PREFLIGHT_PART_BOTH;
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT:
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE:
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR:
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS:
    default:
      return AR_PREFLIGHT_PART_RUN;
    }
}

void
ar_preflight_classify (ArPreflightAnalysis *an,
                       ArPreflightLexer *lx,
                       ArPreflightRawUnit *ru,
                       ArPreflightCursor *cursor,
                       guint unit_index,
                       ArPreflightUnit *u)
{
  g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func (ar_preflight_cmd_free);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GPtrArray) defines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *code = NULL;
  g_autofree char *vars = NULL;
  g_autofree char *cached_detail = NULL;
  g_autofree char *workspace_detail = NULL;
  gsize base = ar_preflight_analysis_line_start (an, u->line);
  gsize n = strlen (u->text);
  ArPreflightVarScan vs = { 0 };
  gssize tmp_off, dyn_off;
  int cached_rule = 0;
  gboolean cached_installer = FALSE;
  const char *export_name = NULL;
  gsize export_len = 0;
  gboolean mktemp = FALSE;
  const char *run_call = NULL; /* a call of a script function that runs at start */
  ArPreflightFuncInfo *run_call_info = NULL;
  gboolean all_options = ru->cmds->len > 0;
  gboolean all_assignments = ru->cmds->len > 0;
  g_autoptr(GPtrArray) shadows = g_ptr_array_new_with_free_func (ar_preflight_cmd_free);
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();
  gboolean all_setup = ru->cmds->len > 0; /* only scaffolding (issue 9 item 3) */
  gboolean only_messages = ru->cmds->len > 0;
  gboolean any_wrapper = FALSE, any_detect = FALSE, any_assign = FALSE, any_trap = FALSE;
  gboolean any_exit = FALSE;
  gboolean literal_export = FALSE; /* export NAME=constant, any name */
  gboolean block = FALSE;          /* an if, case, loop, { } or function, not one line */
  gboolean any_source = FALSE;
  const char *net_assign = NULL;   /* NAME=$(curl …): a value looked up on the network */
  gint venv = -1;                  /* 1: activates a workspace virtualenv, 0: another one */
  const char *const_export = NULL; /* export NAME=constant */
  gsize const_export_len = 0;

  ar_preflight_expand_nested (lx, ru->cmds, &an->pipeline, 0, extra);
  g_ptr_array_extend (all, ru->cmds, NULL, NULL);
  g_ptr_array_extend (all, extra, NULL, NULL);
  if (extra->len > 0)
    all_setup = only_messages = FALSE;
  {
    static const char *const openers[] = { "if", "case", "for", "while", "until", "{", "(", "function", NULL };
    gsize at = 0;
    g_autofree char *first = NULL;

    for (guint i = ru->line; i < ru->token_line; i++) /* comment lines above */
      at += strcspn (u->text + at, "\n") + (u->text[at + strcspn (u->text + at, "\n")] != '\0');
    at += strspn (u->text + at, " \t");
    first = g_strndup (u->text + at, strcspn (u->text + at, " \t\n;("));
    block = ar_preflight_str_in (first, openers) || u->text[at] == '(' || ru->functions->len > 0;
  }
  /* the matchers see constants put in and wrappers ($SUDO, as_root) dropped */
  for (guint k = 0; k < all->len; k++)
    {
      ArPreflightCmd *cmd = g_ptr_array_index (all, k);
      ArPreflightCmd *shadow = ar_preflight_shadow_cmd (an, cmd);

      if (shadow != NULL)
        g_ptr_array_add (shadows, shadow);
      g_ptr_array_add (seen, shadow != NULL ? shadow : cmd);
    }

  /* Two views of the text: code (no comments, no here-document data) for
   * paths, and the same plus unquoted here-document bodies for variables,
   * which the shell expands there. */
  code = g_strndup (u->text, n);
  vars = g_strndup (u->text, n);
  ar_preflight_blank_unread (lx, cursor, base, n, code, vars);

  ar_preflight_scan_variables (an, vars, n, &vs);
  tmp_off = ar_preflight_scan_tmp (code, n, &dyn_off);
  mktemp = strstr (code, "mktemp") != NULL;

  for (guint k = 0; k < all->len; k++)
    {
      ArPreflightCmd *cmd = g_ptr_array_index (seen, k);
      gboolean top = k < ru->cmds->len;
      gboolean workspace = FALSE;
      gboolean to_etc = FALSE;
      gboolean installer = FALSE;
      g_autofree char *detail = NULL;
      int rule = 0;
      ArPreflightView v;
      ArPreflightView ov; /* the command as written */

      ar_preflight_view_init (&v, cmd);
      ar_preflight_view_init (&ov, g_ptr_array_index (all, k));
      if (top)
        {
          gsize len = 0;
          const char *exported = ar_preflight_match_export (&ov, &len);
          /* export DEBIAN_FRONTEND=… inside an install block is set-up of
           * that install; on one line with it (export … && apt-get), rule 5
           * wins as §5.1 says */
          gboolean literal = exported != NULL && ar_preflight_is_constant_export (&ov, an->constants);
          gboolean constant = literal && is_tool_variable (exported, len) && (block || ru->cmds->len == 1);

          literal_export |= literal;
          ArPreflightSetupKind kind = ar_preflight_match_setup (&v);
          ArPreflightFuncInfo *called = ov.name != NULL && ov.i < ov.w->len
                                          ? g_hash_table_lookup (an->functions, g_ptr_array_index (ov.w, ov.i))
                                          : NULL;
          gboolean helper_call = called != NULL && called->helper && !called->wrapper;
          gboolean runs_args = v.name != NULL && (strcmp (v.name, "$@") == 0 || strcmp (v.name, "$*") == 0);
          gboolean option = ar_preflight_is_shell_option (&ov);
          gboolean variable = ar_preflight_is_variable_cmd (&ov);

          if (constant && const_export == NULL)
            {
              const_export = exported;
              const_export_len = len;
            }
          else if (exported != NULL && !constant && export_name == NULL)
            {
              export_name = exported;
              export_len = len;
            }
          if (!option)
            all_options = FALSE;
          if (!variable)
            all_assignments = FALSE;
          if (kind == AR_PREFLIGHT_SETUP_NONE && !helper_call && !runs_args && !option && !variable && !constant)
            all_setup = FALSE;
          if (kind != AR_PREFLIGHT_SETUP_MESSAGE && !helper_call)
            only_messages = FALSE;
          any_wrapper |= runs_args;
          any_detect |= kind == AR_PREFLIGHT_SETUP_DETECT;
          any_trap |= kind == AR_PREFLIGHT_SETUP_TRAP;
          any_assign |= variable || constant;
          any_exit |= (v.name != NULL && strcmp (v.name, "exit") == 0) || (helper_call && called->exits);
          any_source |= kind == AR_PREFLIGHT_SETUP_SOURCE;
          ar_preflight_collect_defines (&ov, defines);

          if (variable && net_assign == NULL)
            for (guint j = 0; j < ov.w->len && net_assign == NULL; j++)
              {
                const char *a = g_ptr_array_index (ov.w, j);

                if (strstr (a, "$(curl ") != NULL || strstr (a, "$(wget ") != NULL)
                  net_assign = strstr (a, "$(curl ") != NULL ? "curl" : "wget";
              }
          if (ov.name != NULL && (strcmp (ov.name, ".") == 0 || strcmp (ov.name, "source") == 0))
            {
              const char *file = ar_preflight_view_word (&ov, ov.i + 1);

              if (file != NULL && g_str_has_suffix (file, "/bin/activate"))
                venv = ar_preflight_is_system_path (file) ? 0 : 1;
            }
          if (ov.name != NULL && strcmp (ov.name, "deactivate") == 0)
            venv = 0;
        }

      /* a call of the script's own function is what its body is */
      if (ov.name != NULL && ov.i < ov.w->len)
        {
          ArPreflightFuncInfo *f = g_hash_table_lookup (an->functions, g_ptr_array_index (ov.w, ov.i));
          int frule = f != NULL ? rule_of (f->category) : 0;

          if (f != NULL)
            {
              ArPreflightCall call = { f, unit_index };

              g_array_append_val (an->calls, call);
            }

          if (frule >= 5 && run_call == NULL)
            {
              run_call = g_ptr_array_index (ov.w, ov.i);
              run_call_info = f;
            }
          else if (frule >= 1 && frule <= 4)
            {
              rule = frule;
              detail = g_strdup (g_ptr_array_index (ov.w, ov.i));
              if (rule == 1 && u->package_line == 0)
                u->package_line = cmd->line;
            }
        }

      if (rule != 0)
        ;
      else if ((detail = ar_preflight_match_package (&v, &workspace)) != NULL)
        {
          rule = 1;
          if (u->package_line == 0)
            u->package_line = cmd->line;
          /* pip into the virtualenv a run-only line made and activated */
          if (an->run_venv_line != 0 && ((const char *) g_ptr_array_index (v.w, v.i))[0] != '/' &&
              (g_str_has_prefix (detail, "pip") || g_str_has_prefix (detail, "python") ||
               g_str_has_prefix (detail, "uv ")))
            {
              workspace = TRUE;
              rule = 0;
              g_clear_pointer (&detail, g_free);
            }
        }
      else if ((detail = ar_preflight_match_download (seen, k, &v, &to_etc, &installer)) != NULL)
        rule = to_etc ? 3 : 2;
      else if ((detail = ar_preflight_match_system_config (&v)) != NULL)
        rule = 3;
      else if ((detail = ar_preflight_match_static_dir (&v)) != NULL)
        rule = 4;

      if (workspace && workspace_detail == NULL)
        workspace_detail = ar_preflight_join_words (&v);
      if (rule != 0 && (cached_rule == 0 || rule < cached_rule))
        {
          cached_rule = rule;
          cached_installer = installer;
          g_free (cached_detail);
          cached_detail = g_steal_pointer (&detail);
        }
    }

  /* The validator's signals */
  if (vs.task_off >= 0)
    {
      u->task_variable = g_strdup (vs.task);
      u->task_variable_line = ar_preflight_line_of (vars, vs.task_off, u->line);
    }
  if (vs.env_off >= 0)
    {
      u->env_variable = g_strdup (vs.env);
      u->env_variable_line = ar_preflight_line_of (vars, vs.env_off, u->line);
    }
  if (dyn_off >= 0)
    u->dynamic_tmp_line = ar_preflight_line_of (code, dyn_off, u->line);

  /* Rules 5–7 first: a per-task value can never be baked. */
  if (export_name != NULL)
    {
      g_autofree char *name = g_strndup (export_name, export_len);
      g_autofree char *shown = ar_preflight_one_line (name);

      u->category = AR_PREFLIGHT_CATEGORY_ENV_EXPORT;
      u->reason = g_strdup_printf (_ ("Exports %s for the task; an export in the cached part would not reach it."), shown);
    }
  else if (vs.task_off >= 0 || vs.env_off >= 0 || vs.taint_off >= 0 || vs.secret_off >= 0)
    {
      gssize first = G_MAXSSIZE;
      g_autofree char *task = vs.task != NULL ? ar_preflight_one_line (vs.task) : NULL;

      u->category = AR_PREFLIGHT_CATEGORY_TASK_VARIABLE;
      if (vs.task_off >= 0)
        first = vs.task_off;
      if (vs.env_off >= 0)
        first = MIN (first, vs.env_off);
      if (vs.taint_off >= 0)
        first = MIN (first, vs.taint_off);
      if (vs.secret_off >= 0 && vs.secret_off < first)
        u->reason = g_strdup_printf (_ ("Uses $%s, whose name says it holds a secret: it is not there at build time, and it must never be baked into the image."), vs.secret);
      else if (first == vs.task_off)
        u->reason = g_strdup_printf (_ ("Uses $%s, which is different for every task."), task);
      else if (first == vs.env_off)
        u->reason = g_strdup_printf (_ ("Uses $%s, an env var of the environment: it is not there at build time, and a secret would be baked into the image."), vs.env);
      else
        u->reason = g_strdup_printf (_ ("Uses $%s, which line %u sets at task start."), vs.taint,
                                     GPOINTER_TO_UINT (g_hash_table_lookup (an->taint, vs.taint)));
    }
  else if (tmp_off >= 0 || vs.tmpdir_off >= 0 || mktemp)
    {
      u->category = AR_PREFLIGHT_CATEGORY_TEMP_DIR;
      u->reason = g_strdup (_ ("Uses the temporary folder /tmp, whose contents belong to one task."));
    }
  else if (run_call != NULL)
    {
      g_autofree char *call = ar_preflight_one_line (run_call);

      u->category = run_call_info->category;
      u->reason = g_strdup_printf (_ ("Calls %s (line %u), which runs at start."), call, run_call_info->line);
    }
  else if (workspace_detail != NULL)
    {
      g_autofree char *detail = ar_preflight_one_line (workspace_detail);

      u->category = AR_PREFLIGHT_CATEGORY_AMBIGUOUS;
      u->reason = g_strdup_printf (_ ("Installs into the workspace or the home folder (%s), which only a running task has."),
                                   detail);
    }
  else if (cached_rule != 0)
    {
      g_autofree char *detail = ar_preflight_one_line (cached_detail);

      switch (cached_rule)
        {
        case 1:
          u->category = AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL;
          u->reason = g_strdup_printf (_ ("Installs or updates packages (%s): the same for every task, so it can be baked into the image."), detail);
          break;
        case 2:
          u->category = AR_PREFLIGHT_CATEGORY_DOWNLOAD;
          if (cached_installer)
            u->reason = g_strdup_printf (_ ("Downloads and runs an installer (%s): the same for every task, so it can be baked into the image."), detail);
          else
            u->reason = g_strdup_printf (_ ("Downloads into a system place (%s): the same for every task, so it can be baked into the image."), detail);
          break;
        case 3:
          u->category = AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG;
          u->reason = g_strdup_printf (_ ("Changes system configuration (%s): the same for every task, so it can be baked into the image."), detail);
          break;
        default:
          u->category = AR_PREFLIGHT_CATEGORY_STATIC_DIR;
          u->reason = g_strdup_printf (_ ("Creates the folder %s: the same for every task, so it can be baked into the image."), detail);
          break;
        }
    }
  else if (const_export != NULL && all_setup)
    {
      g_autofree char *name = g_strndup (const_export, const_export_len);
      g_autofree char *shown = ar_preflight_one_line (name);

      /* rule 5; ar_preflight_share_called_functions adds the build when a
       * cached line follows */
      u->category = AR_PREFLIGHT_CATEGORY_ENV_EXPORT;
      u->reason = g_strdup_printf (_ ("Exports %s for the task; an export in the cached part would not reach it."), shown);
      g_array_append_val (an->tool_exports, unit_index);
    }
  else if (net_assign != NULL && all_setup)
    {
      u->category = AR_PREFLIGHT_CATEGORY_DOWNLOAD;
      u->reason = g_strdup_printf (_ ("Looks up a value on the network (%s) for what the build installs: looked up once, at build time."), net_assign);
    }
  else if (all_options)
    {
      u->category = AR_PREFLIGHT_CATEGORY_SHELL_OPTION;
      u->reason = g_strdup (_ ("Changes how the shell runs the lines after it: it goes to both parts, so both scripts behave alike."));
    }
  else if (all_assignments)
    {
      u->category = AR_PREFLIGHT_CATEGORY_VARIABLE;
      u->reason = g_strdup (_ ("Sets a shell variable: it goes to both parts, so later lines of either can use it."));
    }
  else if (all_setup && ru->functions->len > 0)
    {
      g_autofree char *name = ar_preflight_one_line (g_ptr_array_index (ru->functions, 0));

      u->category = AR_PREFLIGHT_CATEGORY_VARIABLE;
      if (any_wrapper)
        u->reason = g_strdup_printf (_ ("Defines %s, a helper that runs the command it is given (like sudo): both parts may call it."), name);
      else
        u->reason = g_strdup_printf (_ ("Defines %s, a helper that only prints, tests or sets shell variables: both parts may call it."), name);
    }
  else if (all_setup && only_messages)
    {
      /* rule 8: nothing ties it to the line it announces */
      u->category = AR_PREFLIGHT_CATEGORY_AMBIGUOUS;
      u->reason = g_strdup (_ ("Only prints a message; it runs at start, which is always correct."));
    }
  else if (all_setup && (any_detect || any_source))
    {
      u->category = AR_PREFLIGHT_CATEGORY_VARIABLE;
      if (any_detect)
        u->reason = g_strdup (_ ("Reads /etc/os-release to detect the distribution: pure set-up that sets shell variables, so both parts run it."));
      else
        u->reason = g_strdup (_ ("Loads shell functions and settings from a file in the image: both parts load it."));
    }
  else if (all_setup && (!any_assign || any_exit))
    {
      u->category = AR_PREFLIGHT_CATEGORY_SHELL_OPTION;
      if (any_trap)
        u->reason = g_strdup (_ ("Sets a trap: it shapes how the script ends, so both parts have it."));
      else
        u->reason = g_strdup (_ ("A check that stops the script early (root, distribution, architecture or a command it needs): pure set-up, so both parts make it."));
    }
  else
    {
      u->category = AR_PREFLIGHT_CATEGORY_AMBIGUOUS;
      u->reason = g_strdup (_ ("What it does is not known, so it runs at every task start: safe, only slower. Switch it to Cached if it does the same for every task."));
    }
  u->part = part_for (u->category);

  /* A value set by a unit that runs at start is not there at build time:
   * later units using it must run at start too. */
  for (guint i = 0; i < ru->defines->len; i++)
    g_ptr_array_add (defines, g_strdup (g_ptr_array_index (ru->defines, i)));
  for (guint i = 0; i < defines->len; i++)
    {
      const char *name = g_ptr_array_index (defines, i);

      if (u->part == AR_PREFLIGHT_PART_RUN)
        g_hash_table_insert (an->taint, g_strdup (name), GUINT_TO_POINTER (ru->token_line));
      else
        g_hash_table_remove (an->taint, name);
    }

  for (guint i = 0; i < ru->functions->len; i++)
    {
      ArPreflightFuncInfo *f = g_new0 (ArPreflightFuncInfo, 1);

      f->name = g_strdup (g_ptr_array_index (ru->functions, i));
      f->category = u->category;
      f->line = ru->token_line;
      f->unit = unit_index;
      f->helper = all_setup && u->part == AR_PREFLIGHT_PART_BOTH;
      f->exits = f->helper && any_exit;
      f->wrapper = all_setup && any_wrapper;
      g_ptr_array_add (an->func_infos, f);
      g_hash_table_insert (an->functions, f->name, f);
    }

  /* the value of a constant export is known even while the export itself
   * runs at start: a cached line naming it is then seen for what it does,
   * and the guarantee shares the export */
  ar_preflight_record_constants (an, ru, u, literal_export && u->category == AR_PREFLIGHT_CATEGORY_ENV_EXPORT, defines);
  ar_preflight_record_choices (an, all);
  if (venv == 1)
    an->run_venv_line = ru->token_line;
  else if (venv == 0)
    an->run_venv_line = 0;

  g_free (vs.task);
  g_free (vs.env);
  g_free (vs.taint);
  g_free (vs.secret);
}

/* A function called from the other part must be defined there too;
 * a definition has no effect of its own, so both parts may hold it. */
void
ar_preflight_share_called_functions (ArPreflightAnalysis *an, GPtrArray *units)
{
  for (guint i = 0; i < an->calls->len; i++)
    {
      ArPreflightCall *call = &g_array_index (an->calls, ArPreflightCall, i);
      ArPreflightUnit *def = g_ptr_array_index (units, call->func->unit);
      ArPreflightUnit *user = g_ptr_array_index (units, call->unit);

      if (def->part != AR_PREFLIGHT_PART_BOTH && user->part != AR_PREFLIGHT_PART_BOTH &&
          def->part != user->part)
        {
          g_autofree char *name = ar_preflight_one_line (call->func->name);

          def->part = AR_PREFLIGHT_PART_BOTH;
          g_free (def->reason);
          def->reason = g_strdup_printf (_ ("Defines %s, which both parts call, so it goes to both."), name);
        }
    }

  /* export PATH=…, DEBIAN_FRONTEND=…: the cached lines after it read it
   * without naming it (apt, the commands PATH finds), so the build needs it
   * too; the value is the same for every task. */
  for (guint i = 0; i < an->tool_exports->len; i++)
    {
      guint index = g_array_index (an->tool_exports, guint, i);
      ArPreflightUnit *u = g_ptr_array_index (units, index);

      for (guint j = index + 1; j < units->len; j++)
        {
          ArPreflightUnit *later = g_ptr_array_index (units, j);
          const char *at = strstr (u->text, "export ");
          g_autofree char *name = NULL;

          if (later->part != AR_PREFLIGHT_PART_CACHED)
            continue;
          at = at != NULL ? at + strlen ("export ") : u->text;
          name = g_strndup (at, strspn (at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"));
          u->part = AR_PREFLIGHT_PART_BOTH;
          g_free (u->reason);
          u->reason = g_strdup_printf (_ ("Exports %s, which installs read without naming it, with a value that is the same for every task; line %u after it is cached, so both parts set it."),
                                       name, later->line);
          break;
        }
    }
}
