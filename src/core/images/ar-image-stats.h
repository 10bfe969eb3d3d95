/* ar-image-stats.h — what the image cache remembers in the state folder
 * (design.md §3.4, §3.6)
 *
 * Per-environment counters, per task (tasks, hits, partial hits) and per
 * build (builds, build seconds, build failures), and the last time each
 * image tag was used, in
 * $XDG_STATE_HOME/agents-runner/image-stats.json; the keys whose build
 * failed, in …/failed-builds.json. Every change is a read-modify-write under
 * a lock file, so that two processes never lose each other's updates, and
 * is written atomically. A missing or unreadable file reads as empty: these
 * are records, never a reason to fail a task.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  guint64 tasks;          /* tasks that wanted at least one cached layer */
  guint64 hits;           /* …and found every layer they wanted present */
  guint64 partial_hits;   /* …and found some of them present, not all */
  guint64 builds;         /* layers built successfully */
  guint64 build_failures; /* builds that failed, timed out or were refused */
  double build_seconds;   /* wall-clock time of the successful builds, to the millisecond */
} ArImageStats;

/* What a task found (design.md §3.6). */
typedef enum {
  AR_TASK_CACHE_MISS,    /* none of the layers it wanted was present */
  AR_TASK_CACHE_PARTIAL, /* some were */
  AR_TASK_CACHE_HIT,     /* every one was */
} ArTaskCacheOutcome;

/* The counters of @env_id; zeros when it has none. */
void ar_image_stats_get (const char *env_id, ArImageStats *out);
/* Every environment id that has counters, sorted. */
GStrv ar_image_stats_dup_env_ids (void);
/* One read of the file, shared by everything that shows it (a row per
 * environment, a last use per image): read it once, off the UI thread with
 * _read_async (GTask), and ask the snapshot. Immutable; refcounted (any
 * thread). */
typedef struct _ArImageStatsSnapshot ArImageStatsSnapshot;

ArImageStatsSnapshot *ar_image_stats_snapshot_read (void);
void ar_image_stats_snapshot_read_async (GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
ArImageStatsSnapshot *ar_image_stats_snapshot_read_finish (GAsyncResult *result,
                                                           GError **error);
ArImageStatsSnapshot *ar_image_stats_snapshot_ref (ArImageStatsSnapshot *snapshot);
void ar_image_stats_snapshot_unref (ArImageStatsSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArImageStatsSnapshot, ar_image_stats_snapshot_unref)
/* As ar_image_stats_get() and ar_image_stats_get_last_used(), from the snapshot. */
void ar_image_stats_snapshot_get (const ArImageStatsSnapshot *snapshot, const char *env_id, ArImageStats *out);
gint64 ar_image_stats_snapshot_get_last_used (const ArImageStatsSnapshot *snapshot, const char *tag);

/* hits ÷ tasks, from 0 to 1; 0 when there was no task. */
double ar_image_stats_hit_rate (const ArImageStats *stats);

/* One task of @env_id that wanted a cached layer, and what it found. */
gboolean ar_image_stats_record_task (const char *env_id, ArTaskCacheOutcome outcome, GError **error);
/* A task used @tag (a cache HIT): touches the tag's last use. */
gboolean ar_image_stats_record_use (const char *tag, GError **error);
/* A successful build of @tag taking @seconds; touches the tag's last use. */
gboolean ar_image_stats_record_build (const char *env_id, const char *tag, double seconds, GError **error);
gboolean ar_image_stats_record_failure (const char *env_id, GError **error);

/* Unix seconds of the tag's last HIT or build; 0 = never recorded. Tags are
 * compared normalized ("localhost/…" = "…"). */
gint64 ar_image_stats_get_last_used (const char *tag);
/* Drops the last-use records of removed images. */
gboolean ar_image_stats_forget_tags (const char *const *tags, GError **error);

/* A key whose build failed (design.md §3.4). */
typedef struct {
  char *key;    /* full digest */
  char *layer;  /* "desktop" | "env" */
  char *env_id; /* the environment whose task tried it */
  char *tag;
  int exit_status;   /* the build's exit status; -1 when it did not exit (timeout, refusal) */
  char *reason;      /* one sentence: "exit status 1", "timed out after 600 s", … */
  char **last_lines; /* the build's last lines of output; never NULL */
  gint64 time;       /* unix seconds */
} ArFailedBuild;

void ar_failed_build_free (ArFailedBuild *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArFailedBuild, ar_failed_build_free)

/* NULL when @key has not failed (or was forgotten). */
ArFailedBuild *ar_failed_build_lookup (const char *key);
gboolean ar_failed_build_remember (const ArFailedBuild *record, GError **error);
gboolean ar_failed_build_forget (const char *key, GError **error);

G_END_DECLS
