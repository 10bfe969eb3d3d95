/* ar-preflight-guarantee.c — the edges between the units of a split, the
 * check and the guarantee (design.md §5.1)
 *
 * Edges link a unit to the unit that provides what it uses (its facts come
 * from ar-preflight-deps.c): the nearest earlier setter of a variable, the
 * definition of a function, the creator of a path or of a folder above it,
 * the last cd, the last activate, the unit before a $? capture.
 *
 * The guarantee moves units along edges until every edge holds, each unit
 * only along RUN → CACHED → BOTH → RUN-for-good, so the worklist ends after
 * at most three moves a unit. The check reads the same edges.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ar-preflight-analyzer-private.h"
#include "ar-preflight-deps-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Edges                                                                    */

typedef enum {
  EDGE_VAR,
  EDGE_FUNC,
  EDGE_FILE,
  EDGE_CWD,
  EDGE_VENV,
  EDGE_STATUS,
  /* soft: a pure provider goes to both, nothing else moves for them */
  EDGE_EXPORT,
  EDGE_STATE,
} EdgeKind;

typedef struct {
  guint user;
  guint provider;
  EdgeKind kind;
  const char *name; /* owned by a unit's facts */
} Edge;

typedef struct {
  GArray *edges;       /* Edge */
  const char **secret; /* per unit: first secret it reads, itself or in a function it calls */
  SecretKind *secret_kind;
} Graph;

static void
graph_clear (Graph *g)
{
  g_array_unref (g->edges);
  g_free (g->secret);
  g_free (g->secret_kind);
}

static ArPreflightDeps *
deps_at (GPtrArray *units, guint i)
{
  return ((ArPreflightUnit *) g_ptr_array_index (units, i))->deps;
}

static void
add_edge (Graph *g, guint user, guint provider, EdgeKind kind, const char *name)
{
  Edge e = { user, provider, kind, name };

  if (user != provider)
    g_array_append_val (g->edges, e);
}

/* The unit that created @path or the nearest folder above it (only folders
 * above when @parents_only), or -1. */
static int
find_creator (GHashTable *creators, const char *path, gboolean parents_only)
{
  g_autofree char *p = g_strdup (path);

  if (g_str_has_prefix (p, "unit:"))
    return parents_only ? -1 : GPOINTER_TO_INT (g_hash_table_lookup (creators, p)) - 1;
  for (;;)
    {
      char *slash;

      if (!parents_only)
        {
          gpointer v = g_hash_table_lookup (creators, p);

          if (v != NULL)
            return GPOINTER_TO_INT (v) - 1;
        }
      parents_only = FALSE;
      slash = strrchr (p, '/');
      if (slash == NULL || slash == p || (slash == p + 1 && p[0] == '~'))
        return -1;
      *slash = '\0';
    }
}

/* What unit @p created that @path is or is under, as its facts hold it
 * (for a reason: "line 3 creates /opt/c", not "/opt/c/x"). */
static const char *
created_path (GPtrArray *units, guint p, const char *path)
{
  ArPreflightDeps *d = deps_at (units, p);
  const char *best = path;
  gsize best_len = 0;

  for (guint k = 0; k < d->files->len; k++)
    {
      FileFact *ff = &g_array_index (d->files, FileFact, k);
      gsize n = strlen (ff->path);

      if (ff->op == FILE_CREATE && n > best_len && strncmp (path, ff->path, n) == 0 &&
          (path[n] == '\0' || path[n] == '/'))
        {
          best = ff->path;
          best_len = n;
        }
    }
  return best;
}

static void
build_graph (GPtrArray *units, Graph *g)
{
  guint n = units->len;
  g_autoptr(GHashTable) first_def = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) defs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) setters = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) creators = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) exporters = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree GArray **callees = g_new0 (GArray *, n);
  g_autofree guint *stamp = g_new0 (guint, n);
  g_autoptr(GArray) closure = g_array_new (FALSE, FALSE, sizeof (guint));
  int cwd_setter = -1, venv_setter = -1, state_setter = -1;
  /* Following calls through bodies is quadratic when every function calls
   * every other: past this many steps a unit gets only its direct calls'
   * bodies, which keeps any script fast (real ones stay far below). */
  guint64 budget = 4000000;

  g->edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  g->secret = g_new0 (const char *, n);
  g->secret_kind = g_new0 (SecretKind, n);

  /* the functions each unit calls directly: the nearest definition before
   * it, else the first one (a body may call a function defined later) */
  for (guint i = 0; i < n; i++)
    {
      ArPreflightDeps *d = deps_at (units, i);

      for (guint k = 0; d != NULL && k < d->defines->len; k++)
        if (!g_hash_table_contains (first_def, g_ptr_array_index (d->defines, k)))
          g_hash_table_insert (first_def, g_ptr_array_index (d->defines, k), GUINT_TO_POINTER (i + 1));
    }
  for (guint i = 0; i < n; i++)
    {
      ArPreflightDeps *d = deps_at (units, i);

      if (d == NULL)
        continue;
      for (guint k = 0; k < d->calls->len; k++)
        {
          const char *c = g_ptr_array_index (d->calls, k);
          gpointer v = g_hash_table_lookup (defs, c);

          if (v == NULL)
            v = g_hash_table_lookup (first_def, c);
          if (v != NULL && GPOINTER_TO_UINT (v) - 1 != i)
            {
              guint def = GPOINTER_TO_UINT (v) - 1;

              if (callees[i] == NULL)
                callees[i] = g_array_new (FALSE, FALSE, sizeof (guint));
              g_array_append_val (callees[i], def);
            }
        }
      for (guint k = 0; k < d->defines->len; k++)
        g_hash_table_insert (defs, g_ptr_array_index (d->defines, k), GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < n; i++)
    {
      ArPreflightDeps *own = deps_at (units, i);
      guint n_facts;

      if (own == NULL)
        continue;

      /* the definitions it calls, through bodies too */
      g_array_set_size (closure, 0);
      stamp[i] = i + 1;
      if (callees[i] != NULL)
        for (guint k = 0; k < callees[i]->len; k++)
          {
            guint c = g_array_index (callees[i], guint, k);

            if (stamp[c] != i + 1)
              {
                stamp[c] = i + 1;
                g_array_append_val (closure, c);
              }
          }
      for (guint q = 0; q < closure->len && budget > 0; q++)
        {
          guint c = g_array_index (closure, guint, q);

          for (guint k = 0; callees[c] != NULL && k < callees[c]->len && budget > 0; k++, budget--)
            {
              guint cc = g_array_index (callees[c], guint, k);

              if (stamp[cc] != i + 1)
                {
                  stamp[cc] = i + 1;
                  g_array_append_val (closure, cc);
                }
            }
        }

      if (own->secret != NULL)
        {
          g->secret[i] = own->secret;
          g->secret_kind[i] = own->secret_kind;
        }

      /* own facts first (unless a definition's), then each called body's */
      n_facts = closure->len + (own->definition ? 0 : 1);
      for (guint f = 0; f < n_facts; f++)
        {
          gboolean is_own = !own->definition && f == 0;
          guint src = is_own ? i : g_array_index (closure, guint, f - (own->definition ? 0 : 1));
          ArPreflightDeps *d = deps_at (units, src);

          if (!is_own)
            {
              add_edge (g, i, src, EDGE_FUNC, NULL);
              if (g->secret[i] == NULL && d->secret != NULL)
                {
                  g->secret[i] = d->secret;
                  g->secret_kind[i] = d->secret_kind;
                }
            }
          for (guint k = 0; k < d->reads->len; k++)
            {
              const char *v = g_ptr_array_index (d->reads, k);
              gpointer p;

              if (is_own && g_ptr_array_find_with_equal_func (own->sets, v, g_str_equal, NULL))
                continue;
              p = g_hash_table_lookup (setters, v);
              if (p != NULL)
                add_edge (g, i, GPOINTER_TO_UINT (p) - 1, EDGE_VAR, v);
            }
          for (guint k = 0; k < d->files->len; k++)
            {
              FileFact *ff = &g_array_index (d->files, FileFact, k);
              int p = find_creator (creators, ff->path, ff->op == FILE_CREATE);

              if (p >= 0)
                add_edge (g, i, p, EDGE_FILE, created_path (units, p, ff->path));
            }
          if (d->cwd_read && !d->cwd_set && cwd_setter >= 0)
            add_edge (g, i, cwd_setter, EDGE_CWD, NULL);
          if (d->venv_read && !d->venv_set && venv_setter >= 0)
            add_edge (g, i, venv_setter, EDGE_VENV, NULL);
        }

      if (!own->definition)
        {
          if (own->status_read && i > 0 && deps_at (units, i - 1) != NULL)
            add_edge (g, i, i - 1, EDGE_STATUS, NULL);
          if (!own->pure || closure->len > 0)
            {
              GHashTableIter it;
              gpointer key, value;

              g_hash_table_iter_init (&it, exporters);
              while (g_hash_table_iter_next (&it, &key, &value))
                add_edge (g, i, GPOINTER_TO_UINT (value) - 1, EDGE_EXPORT, key);
            }
          if (state_setter >= 0)
            add_edge (g, i, state_setter, EDGE_STATE, NULL);
        }

      /* what it provides to the units after it */
      for (guint f = 0; f < n_facts; f++)
        {
          gboolean is_own = !own->definition && f == 0;
          guint src = is_own ? i : g_array_index (closure, guint, f - (own->definition ? 0 : 1));
          ArPreflightDeps *d = deps_at (units, src);

          for (guint k = 0; k < d->sets->len; k++)
            g_hash_table_insert (setters, g_ptr_array_index (d->sets, k), GUINT_TO_POINTER (i + 1));
          for (guint k = 0; k < d->exports->len; k++)
            g_hash_table_insert (exporters, g_ptr_array_index (d->exports, k), GUINT_TO_POINTER (i + 1));
          for (guint k = 0; k < d->files->len; k++)
            {
              FileFact *ff = &g_array_index (d->files, FileFact, k);

              if (ff->op != FILE_CREATE)
                continue;
              g_hash_table_insert (creators, g_strdup (ff->path), GUINT_TO_POINTER (i + 1));
              if (g_str_has_suffix (ff->path, ".service") || g_str_has_suffix (ff->path, ".timer") ||
                  g_str_has_suffix (ff->path, ".socket") || g_str_has_suffix (ff->path, ".path"))
                g_hash_table_insert (creators, g_strconcat ("unit:", strrchr (ff->path, '/') + 1, NULL),
                                     GUINT_TO_POINTER (i + 1));
            }
          if (d->cwd_set)
            cwd_setter = i;
          if (d->venv_set)
            venv_setter = i;
          if (d->state)
            state_setter = i;
        }
    }

  for (guint i = 0; i < n; i++)
    if (callees[i] != NULL)
      g_array_unref (callees[i]);
}

static gboolean
on_cached_side (ArPreflightPart part)
{
  return part == AR_PREFLIGHT_PART_CACHED || part == AR_PREFLIGHT_PART_BOTH;
}

static gboolean
on_run_side (ArPreflightPart part)
{
  return part == AR_PREFLIGHT_PART_RUN || part == AR_PREFLIGHT_PART_BOTH;
}

/* A file of the image is there at start whichever part made it; a $?
 * capture in both parts is whole where its command is. */
static gboolean
run_side_broken (const Edge *e, const ArPreflightUnit *u, const ArPreflightUnit *p)
{
  if (e->kind == EDGE_FILE)
    return FALSE;
  if (e->kind == EDGE_STATUS)
    return u->part == AR_PREFLIGHT_PART_RUN && !on_run_side (p->part);
  return on_run_side (u->part) && !on_run_side (p->part);
}

static char *
secret_reason (SecretKind kind, const char *name)
{
  g_autofree char *nm = ar_preflight_one_line (name);

  switch (kind)
    {
    case SECRET_TASK:
      return g_strdup_printf (_ ("Uses $%s, which is different for every task."), nm);
    case SECRET_ENV:
      return g_strdup_printf (_ ("Uses $%s, an env var of the environment: it is not there at build time, and a secret would be baked into the image."), nm);
    case SECRET_NAME:
    case SECRET_NONE:
    default:
      return g_strdup_printf (_ ("Uses $%s, whose name looks like a secret: it must never reach the image, so it runs at start."), nm);
    }
}

/* ------------------------------------------------------------------------ */
/* The check                                                                */

static const char *
describe_kind (EdgeKind kind)
{
  switch (kind)
    {
    case EDGE_VAR: return _ ("a variable");
    case EDGE_FUNC: return _ ("a function");
    case EDGE_FILE: return _ ("a file or folder");
    case EDGE_CWD: return _ ("the working folder");
    case EDGE_VENV: return _ ("the virtualenv");
    case EDGE_STATUS: return _ ("the exit status");
    case EDGE_EXPORT:
    case EDGE_STATE:
    default: return _ ("shell state");
    }
}

gboolean
ar_preflight_check_split (GPtrArray *units, GPtrArray **problems)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  Graph g;

  g_return_val_if_fail (units != NULL, FALSE);

  build_graph (units, &g);
  for (guint i = 0; i < units->len; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (g.secret[i] != NULL && on_cached_side (u->part))
        {
          g_autofree char *nm = ar_preflight_one_line (g.secret[i]);

          g_ptr_array_add (out, g_strdup_printf (_ ("Line %u is in the cached part but reads $%s, which must not reach the image."),
                                                 u->deps->line, nm));
        }
    }
  for (guint k = 0; k < g.edges->len; k++)
    {
      Edge *e = &g_array_index (g.edges, Edge, k);
      ArPreflightUnit *u = g_ptr_array_index (units, e->user);
      ArPreflightUnit *p = g_ptr_array_index (units, e->provider);
      g_autofree char *what = NULL;

      if (e->kind == EDGE_EXPORT || e->kind == EDGE_STATE)
        continue;
      what = e->name != NULL ? g_strdup_printf ("%s %s", describe_kind (e->kind), e->name)
                             : g_strdup (describe_kind (e->kind));
      if (on_cached_side (u->part) && !on_cached_side (p->part))
        g_ptr_array_add (out, g_strdup_printf (_ ("Line %u is in the cached part but uses %s from line %u, which only the run part has."),
                                               u->deps->line, what, p->deps->line));
      else if (run_side_broken (e, u, p))
        g_ptr_array_add (out, g_strdup_printf (_ ("Line %u is in the run part but uses %s from line %u, which only the cached part sets up."),
                                               u->deps->line, what, p->deps->line));
    }
  graph_clear (&g);
  if (problems != NULL)
    *problems = g_ptr_array_ref (out);
  return out->len == 0;
}

/* ------------------------------------------------------------------------ */
/* The guarantee                                                            */

typedef struct {
  GPtrArray *units;
  gboolean *pinned; /* runs at start for good */
  guint *adj_start; /* edges of unit i: adj[adj_start[i] .. adj_start[i + 1]) */
  guint *adj;
  GQueue work;
  gboolean *queued;
} Fix;

static gboolean
pure_able (Fix *fx, guint i)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, i);

  return !fx->pinned[i] && ar_preflight_deps_is_pure (u->deps);
}

static gboolean
cacheable (Fix *fx, guint i)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, i);

  return !fx->pinned[i] && !u->deps->home && u->category != AR_PREFLIGHT_CATEGORY_ENV_EXPORT &&
         u->category != AR_PREFLIGHT_CATEGORY_TASK_VARIABLE && u->category != AR_PREFLIGHT_CATEGORY_TEMP_DIR;
}

static void
touched (Fix *fx, guint i)
{
  for (guint k = fx->adj_start[i]; k < fx->adj_start[i + 1]; k++)
    if (!fx->queued[fx->adj[k]])
      {
        fx->queued[fx->adj[k]] = TRUE;
        g_queue_push_tail (&fx->work, GUINT_TO_POINTER (fx->adj[k]));
      }
}

static void
set_reason (ArPreflightUnit *u, char *reason)
{
  g_free (u->reason);
  u->reason = reason;
}

static const char *
category_sentence (ArPreflightCategory category)
{
  switch (category)
    {
    case AR_PREFLIGHT_CATEGORY_PACKAGE_INSTALL: return _ ("Installs or updates packages.");
    case AR_PREFLIGHT_CATEGORY_DOWNLOAD: return _ ("Downloads into a system place.");
    case AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG: return _ ("Changes system configuration.");
    case AR_PREFLIGHT_CATEGORY_STATIC_DIR: return _ ("Creates a folder.");
    case AR_PREFLIGHT_CATEGORY_AMBIGUOUS: return _ ("Not recognised.");
    case AR_PREFLIGHT_CATEGORY_ENV_EXPORT:
    case AR_PREFLIGHT_CATEGORY_TASK_VARIABLE:
    case AR_PREFLIGHT_CATEGORY_TEMP_DIR:
    case AR_PREFLIGHT_CATEGORY_SHEBANG:
    case AR_PREFLIGHT_CATEGORY_SHELL_OPTION:
    case AR_PREFLIGHT_CATEGORY_VARIABLE:
    default:
      return NULL;
    }
}

/* @u must run at start because of @e. */
static void
move_to_run (Fix *fx, const Edge *e)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, e->user);
  ArPreflightUnit *p = g_ptr_array_index (fx->units, e->provider);
  guint line = p->deps->line;
  g_autofree char *nm = ar_preflight_one_line (e->name);
  g_autofree char *why = NULL;
  const char *what;

  switch (e->kind)
    {
    case EDGE_VAR:
      why = g_strdup_printf (_ ("Runs at start because line %u sets $%s at start."), line, nm);
      break;
    case EDGE_FUNC:
      {
        g_autofree char *fn = ar_preflight_one_line (p->deps->defines->len > 0 ? g_ptr_array_index (p->deps->defines, 0) : "");

        why = g_strdup_printf (_ ("Runs at start because it calls %s (line %u), which runs at start."), fn, line);
      }
      break;
    case EDGE_FILE:
      why = g_strdup_printf (_ ("Runs at start because line %u creates %s at start."), line, nm);
      break;
    case EDGE_CWD:
      why = g_strdup_printf (_ ("Runs at start because line %u changes into its working folder at start."), line);
      break;
    case EDGE_VENV:
      why = g_strdup_printf (_ ("Runs at start because line %u activates its virtualenv at start."), line);
      break;
    case EDGE_STATUS:
    case EDGE_EXPORT:
    case EDGE_STATE:
    default:
      why = g_strdup_printf (_ ("Runs at start because it checks the exit status of line %u, which runs at start."), line);
      break;
    }
  if (u->category == AR_PREFLIGHT_CATEGORY_VARIABLE || u->category == AR_PREFLIGHT_CATEGORY_SHELL_OPTION)
    u->category = AR_PREFLIGHT_CATEGORY_TASK_VARIABLE;
  what = category_sentence (u->category);
  set_reason (u, what != NULL ? g_strdup_printf ("%s %s", what, why) : g_steal_pointer (&why));
  g_debug ("guarantee: line %u runs at start because of line %u", u->deps->line, line);
  u->part = AR_PREFLIGHT_PART_RUN;
  u->moved_by_line = line;
  fx->pinned[e->user] = TRUE;
  touched (fx, e->user);
}

/* @p goes to both parts because @u (the other end of @e) needs it. */
static void
move_to_both (Fix *fx, const Edge *e, guint who)
{
  ArPreflightUnit *p = g_ptr_array_index (fx->units, who);
  guint other = who == e->provider ? e->user : e->provider;
  guint line = ((ArPreflightUnit *) g_ptr_array_index (fx->units, other))->deps->line;
  g_autofree char *nm = ar_preflight_one_line (e->name);

  if (p->deps->definition)
    {
      g_autofree char *fn = ar_preflight_one_line (p->deps->defines->len > 0 ? g_ptr_array_index (p->deps->defines, 0) : "");

      set_reason (p, g_strdup_printf (_ ("Defines the function %s, which line %u calls in the other part too, so it goes to both parts."),
                                      fn, line));
    }
  else
    switch (e->kind)
      {
      case EDGE_VAR:
        set_reason (p, g_strdup_printf (_ ("Sets $%s, which line %u uses in the other part too, so it goes to both parts."), nm, line));
        break;
      case EDGE_EXPORT:
        set_reason (p, g_strdup_printf (_ ("Exports %s, which line %u needs too, so it goes to both parts."), nm, line));
        break;
      case EDGE_CWD:
        set_reason (p, g_strdup_printf (_ ("Changes the working folder that line %u relies on, so it goes to both parts."), line));
        break;
      case EDGE_VENV:
        set_reason (p, g_strdup_printf (_ ("Activates the virtualenv that line %u uses, so it goes to both parts."), line));
        break;
      case EDGE_STATUS:
        set_reason (p, g_strdup_printf (_ ("Line %u checks its exit status in the other part too, so it goes to both parts."), line));
        break;
      case EDGE_STATE:
      case EDGE_FUNC:
      case EDGE_FILE:
      default:
        set_reason (p, g_strdup_printf (_ ("Sets shell state that line %u relies on in the other part too, so it goes to both parts."), line));
        break;
      }
  if (p->category == AR_PREFLIGHT_CATEGORY_AMBIGUOUS)
    p->category = e->kind == EDGE_VAR || p->deps->definition ? AR_PREFLIGHT_CATEGORY_VARIABLE
                                                             : AR_PREFLIGHT_CATEGORY_SHELL_OPTION;
  g_debug ("guarantee: line %u goes to both because of line %u", p->deps->line, line);
  p->part = AR_PREFLIGHT_PART_BOTH;
  touched (fx, who);
}

static void
move_to_cached (Fix *fx, const Edge *e)
{
  ArPreflightUnit *p = g_ptr_array_index (fx->units, e->provider);
  guint line = ((ArPreflightUnit *) g_ptr_array_index (fx->units, e->user))->deps->line;
  g_autofree char *nm = ar_preflight_one_line (e->name);

  set_reason (p, g_strdup_printf (_ ("Creates %s, which line %u changes in the cached part, so the image holds it too."), nm, line));
  if (p->category == AR_PREFLIGHT_CATEGORY_AMBIGUOUS)
    p->category = AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG;
  g_debug ("guarantee: line %u goes to the cached part because of line %u", p->deps->line, line);
  p->part = AR_PREFLIGHT_PART_CACHED;
  touched (fx, e->provider);
}

static void
resolve (Fix *fx, const Edge *e)
{
  ArPreflightUnit *u = g_ptr_array_index (fx->units, e->user);
  ArPreflightUnit *p = g_ptr_array_index (fx->units, e->provider);
  gboolean cached_broken = on_cached_side (u->part) && !on_cached_side (p->part);
  gboolean run_broken = run_side_broken (e, u, p);

  if (!cached_broken && !run_broken)
    return;
  if (e->kind == EDGE_EXPORT || e->kind == EDGE_STATE)
    {
      if (pure_able (fx, e->provider))
        move_to_both (fx, e, e->provider);
      return;
    }
  if (cached_broken)
    {
      /* the provider runs at start only */
      if (pure_able (fx, e->provider))
        move_to_both (fx, e, e->provider);
      else if (e->kind == EDGE_FILE && cacheable (fx, e->provider))
        move_to_cached (fx, e);
      else
        move_to_run (fx, e);
      return;
    }
  /* the provider is only in the cached part */
  if (e->kind == EDGE_STATUS && !fx->pinned[e->user] && u->part == AR_PREFLIGHT_PART_RUN &&
      cacheable (fx, e->user))
    {
      u->part = AR_PREFLIGHT_PART_CACHED;
      set_reason (u, g_strdup_printf (_ ("Checks the exit status of line %u, so it goes where that line goes."), p->deps->line));
      if (u->category == AR_PREFLIGHT_CATEGORY_AMBIGUOUS)
        u->category = AR_PREFLIGHT_CATEGORY_SYSTEM_CONFIG;
      touched (fx, e->user);
    }
  else
    move_to_both (fx, e, e->provider);
}

void
ar_preflight_guarantee (GPtrArray *units)
{
  guint n = units->len;
  Graph g;
  Fix fx = { 0 };
  g_autofree guint *fill = NULL;

  build_graph (units, &g);
  fx.units = units;
  fx.pinned = g_new0 (gboolean, n);
  fx.adj_start = g_new0 (guint, n + 1);
  fx.adj = g_new (guint, g.edges->len * 2 + 1);
  fx.queued = g_new0 (gboolean, g.edges->len + 1);
  g_queue_init (&fx.work);

  /* what reads a secret, a task variable or an environment's variable runs
   * at start and nowhere else */
  for (guint i = 0; i < n; i++)
    {
      ArPreflightUnit *u = g_ptr_array_index (units, i);

      if (u->deps == NULL)
        continue;
      if (u->category == AR_PREFLIGHT_CATEGORY_TASK_VARIABLE || u->category == AR_PREFLIGHT_CATEGORY_TEMP_DIR)
        fx.pinned[i] = TRUE;
      if (g.secret[i] == NULL)
        continue;
      fx.pinned[i] = TRUE;
      if (u->part != AR_PREFLIGHT_PART_RUN ||
          (g.secret_kind[i] == SECRET_NAME && u->category != AR_PREFLIGHT_CATEGORY_ENV_EXPORT &&
           u->category != AR_PREFLIGHT_CATEGORY_TASK_VARIABLE && u->category != AR_PREFLIGHT_CATEGORY_TEMP_DIR))
        {
          u->part = AR_PREFLIGHT_PART_RUN;
          u->category = AR_PREFLIGHT_CATEGORY_TASK_VARIABLE;
          set_reason (u, secret_reason (g.secret_kind[i], g.secret[i]));
        }
    }

  /* edges by unit, both ends */
  for (guint k = 0; k < g.edges->len; k++)
    {
      Edge *e = &g_array_index (g.edges, Edge, k);

      fx.adj_start[e->user + 1]++;
      fx.adj_start[e->provider + 1]++;
    }
  for (guint i = 0; i < n; i++)
    fx.adj_start[i + 1] += fx.adj_start[i];
  fill = g_memdup2 (fx.adj_start, sizeof (guint) * (n + 1));
  for (guint k = 0; k < g.edges->len; k++)
    {
      Edge *e = &g_array_index (g.edges, Edge, k);

      fx.adj[fill[e->user]++] = k;
      fx.adj[fill[e->provider]++] = k;
    }

  for (guint k = 0; k < g.edges->len; k++)
    {
      fx.queued[k] = TRUE;
      g_queue_push_tail (&fx.work, GUINT_TO_POINTER (k));
    }
  while (!g_queue_is_empty (&fx.work))
    {
      guint k = GPOINTER_TO_UINT (g_queue_pop_head (&fx.work));

      fx.queued[k] = FALSE;
      resolve (&fx, &g_array_index (g.edges, Edge, k));
    }

  g_free (fx.pinned);
  g_free (fx.adj_start);
  g_free (fx.adj);
  g_free (fx.queued);
  graph_clear (&g);
}
