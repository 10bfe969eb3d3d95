/* ar-cli-image.c — image key|build|list|prune (design.md §3, §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ar-cli-private.h"
#include "ar-image-builder.h"
#include "ar-task-manager.h"

static gboolean opt_json;
static gboolean opt_force;
static gboolean opt_dry_run;

static GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_ ("Print JSON"), NULL },
  { NULL }
};

static GOptionEntry build_entries[] = {
  { "force", 0, 0, G_OPTION_ARG_NONE, &opt_force,
    N_ ("Build again even when the image exists or the same inputs failed before"), NULL },
  { NULL }
};

static GOptionEntry prune_entries[] = {
  { "dry-run", 0, 0, G_OPTION_ARG_NONE, &opt_dry_run, N_ ("Only list what would be removed"), NULL },
  { NULL }
};

/* ---- shared ------------------------------------------------------------------ */

/* The builder of the engine of that name (design.md §8: an environment's
 * images are on its own engine; "" is the local one). */
static ArImageBuilder *
new_builder (const ArSettings *settings, const char *engine_name, GError **error)
{
  g_autoptr(ArEngine) engine = ar_task_manager_new_engine (settings, engine_name, error);

  return engine != NULL ? ar_image_builder_new (engine) : NULL;
}

static GPtrArray *
store_environments (ArEnvStore *store)
{
  GPtrArray *envs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < ar_env_store_get_n_environments (store); i++)
    g_ptr_array_add (envs, g_object_ref (ar_env_store_get_environment (store, i)));
  return envs;
}

/* What image list and prune work on: every environment of the store, the
 * settings, and a builder on the configured engine. */
typedef struct {
  ArEnvStore *store;
  ArSettings *settings;
  ArImageBuilder *builder;
  GPtrArray *envs;
} AllImages;

static void
all_images_clear (AllImages *all)
{
  g_clear_pointer (&all->envs, g_ptr_array_unref);
  g_clear_object (&all->builder);
  g_clear_pointer (&all->settings, ar_settings_free);
  g_clear_object (&all->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AllImages, all_images_clear)

static gboolean
all_images_load (AllImages *all, GError **error)
{
  all->store = ar_cli_load_store (error);
  if (all->store == NULL)
    return FALSE;
  all->settings = ar_settings_new_from_gsettings ();
  all->builder = new_builder (all->settings, AR_LOCAL_ENGINE_NAME, NULL);
  all->envs = store_environments (all->store);
  return TRUE;
}

static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = NULL;

  if (unix_seconds <= 0)
    return g_strdup (_ ("never"));
  time = g_date_time_new_from_unix_local (unix_seconds);
  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static const ArLayerResult *
wanted_layer (const ArImageResolution *res, ArLayerKind kind)
{
  const ArLayerResult *layer = kind == AR_LAYER_DESKTOP ? &res->desktop : &res->env;

  return layer->state != AR_LAYER_STATE_NOT_WANTED ? layer : NULL;
}

static const char *
layer_reason (const ArLayerResult *layer)
{
  if (ar_layer_result_in_image (layer))
    return NULL;
  if (layer->failure != NULL)
    return layer->failure;
  return layer->miss_reason;
}

/* ---- image key ------------------------------------------------------------------ */

static void
add_nullable (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_double (JsonBuilder *builder, const char *name, double value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

static void
add_bool (JsonBuilder *builder, const char *name, gboolean value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
print_key_json (const ArImageResolution *res)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "layers");
  json_builder_begin_array (builder);
  for (int kind = AR_LAYER_DESKTOP; kind <= AR_LAYER_ENV; kind++)
    {
      const ArLayerResult *layer = wanted_layer (res, kind);

      if (layer == NULL)
        continue;
      json_builder_begin_object (builder);
      add_nullable (builder, "layer", ar_layer_kind_to_string (kind));
      add_nullable (builder, "tag", layer->tag);
      add_nullable (builder, "key", layer->key);
      add_nullable (builder, "parent", layer->parent);
      add_bool (builder, "present", ar_layer_result_in_image (layer));
      add_nullable (builder, "reason", layer_reason (layer));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_nullable (builder, "runtime_image", res->runtime_image);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  ar_cli_print_json (root);
}

static void
print_key_text (ArEnvironment *env, const ArImageResolution *res)
{
  gboolean any = FALSE;

  printf ("%-14s %s (%s)\n", _ ("Environment:"), ar_environment_get_env_id (env), ar_environment_get_name (env));
  if (res->base_present)
    printf ("%-14s %s (%s)\n", _ ("Base image:"), res->base_image, res->base_image_id);
  else
    printf ("%-14s %s (%s)\n", _ ("Base image:"), res->base_image, _ ("not on this machine"));

  for (int kind = AR_LAYER_DESKTOP; kind <= AR_LAYER_ENV; kind++)
    {
      const ArLayerResult *layer = wanted_layer (res, kind);
      const char *reason;

      if (layer == NULL)
        continue;
      any = TRUE;
      printf ("\n%s %s\n", kind == AR_LAYER_DESKTOP ? _ ("Desktop layer:") : _ ("Environment layer:"),
              ar_layer_result_in_image (layer) ? _ ("present") : _ ("not present"));
      printf ("  %-8s %s\n", _ ("tag"), layer->tag != NULL ? layer->tag : _ ("(not known yet)"));
      printf ("  %-8s %s\n", _ ("key"), layer->key != NULL ? layer->key : _ ("(not known yet)"));
      if (layer->parent != NULL)
        printf ("  %-8s %s\n", _ ("parent"), layer->parent);
      if ((reason = layer_reason (layer)) != NULL)
        printf ("  %-8s %s\n", _ ("reason"), reason);
    }
  if (!any)
    printf ("\n%s\n", _ ("This environment wants no cached layer (container caching and the cached desktop are off, "
                         "or the preflight mode is single)."));
  printf ("\n%-14s %s\n", _ ("Runtime image:"), res->runtime_image);
}

static int
image_key (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  ArSyncWait wait;
  g_autoptr(ArImageResolution) res = NULL;
  ArEnvironment *env;

  if (!ar_cli_parse (&ar_cli_image_commands[0], json_entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;
  env = ar_cli_load_environment (argv[1], &store, &error);
  if (env == NULL)
    return ar_cli_fail_error (error);

  settings = ar_settings_new_from_gsettings ();
  if ((builder = new_builder (settings, ar_environment_get_engine (env), &error)) == NULL)
    return ar_cli_fail_error (error);
  ar_sync_wait_begin_shared (&wait);
  ar_image_builder_plan_async (builder, env, settings, NULL, ar_sync_wait_callback, &wait);
  res = ar_image_builder_plan_finish (builder, ar_sync_wait_run (&wait), &error);
  ar_sync_wait_end (&wait);
  if (res == NULL)
    return ar_cli_fail_error (error);

  if (opt_json)
    print_key_json (res);
  else
    print_key_text (env, res);
  return AR_EXIT_OK;
}

/* ---- image build ---------------------------------------------------------------- */

static void
print_line (ArTaskLog *log, const char *line, int level, gpointer user_data)
{
  printf ("%s\n", line);
  fflush (stdout);
}

static int
image_build (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArEnvStore) store = NULL;
  g_autoptr(ArSettings) settings = NULL;
  g_autoptr(ArImageBuilder) builder = NULL;
  g_autoptr(ArTaskLog) log = NULL;
  ArSyncWait wait;
  g_autoptr(ArImageResolution) res = NULL;
  ArEnvironment *env;
  gboolean ready = TRUE;

  if (!ar_cli_parse (&ar_cli_image_commands[1], build_entries, &argc, &argv, 1))
    return AR_EXIT_USAGE;
  env = ar_cli_load_environment (argv[1], &store, &error);
  if (env == NULL)
    return ar_cli_fail_error (error);

  if (!ar_environment_wants_desktop_layer (env) && !ar_environment_wants_env_layer (env))
    {
      printf ("%s\n", _ ("This environment wants no cached layer: nothing to build."));
      return AR_EXIT_OK;
    }

  settings = ar_settings_new_from_gsettings ();
  if ((builder = new_builder (settings, ar_environment_get_engine (env), &error)) == NULL)
    return ar_cli_fail_error (error);
  log = ar_task_log_new (NULL, &error);
  if (log == NULL)
    return ar_cli_fail_error (error);
  ar_task_log_add_secret_env_vars (log, ar_environment_get_env_vars (env));
  g_signal_connect (log, "line", G_CALLBACK (print_line), NULL);

  ar_sync_wait_begin_shared (&wait);
  ar_image_builder_resolve_async (builder, env, settings, log, opt_force, NULL, ar_sync_wait_callback, &wait);
  res = ar_image_builder_resolve_finish (builder, ar_sync_wait_run (&wait), &error);
  ar_sync_wait_end (&wait);
  if (res == NULL)
    return ar_cli_fail_error (error);

  for (int kind = AR_LAYER_DESKTOP; kind <= AR_LAYER_ENV; kind++)
    {
      const ArLayerResult *layer = wanted_layer (res, kind);

      if (layer != NULL && !ar_layer_result_in_image (layer))
        {
          ar_cli_warn (_ ("the %s layer is not built: %s"), ar_layer_kind_to_string (kind),
                       layer_reason (layer) != NULL ? layer_reason (layer) : _ ("no reason given"));
          ready = FALSE;
        }
    }
  if (!ready)
    return ar_cli_fail (_ ("the images this environment wants do not all exist; tasks will fall back "
                           "(see the log above), and “image build --force” tries again"));
  return AR_EXIT_OK;
}

/* ---- image list ---------------------------------------------------------------- */

static GPtrArray *
list_cached (ArImageBuilder *builder, GPtrArray *envs, const ArSettings *settings, GError **error)
{
  ArSyncWait wait;
  GPtrArray *images;

  ar_sync_wait_begin_shared (&wait);
  ar_image_builder_list_cached_async (builder, envs, settings, NULL, ar_sync_wait_callback, &wait);
  images = ar_image_builder_list_cached_finish (builder, ar_sync_wait_run (&wait), error);
  ar_sync_wait_end (&wait);
  return images;
}

static const char *
image_name (const ArCachedImage *image, char **owned)
{
  if (image->info->repo_tags[0] != NULL)
    return image->info->repo_tags[0];
  *owned = g_strdup_printf ("<untagged> %.12s",
                            g_str_has_prefix (image->info->id, "sha256:") ? image->info->id + 7 : image->info->id);
  return *owned;
}

static char *
in_use_text (const ArCachedImage *image)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (image->wanted_by[0] != NULL)
    {
      g_autofree char *ids = g_strjoinv (",", image->wanted_by);

      g_string_append_printf (text, _ ("yes (%s)"), ids);
    }
  if (image->used_by_container)
    g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", _ ("container"));
  if (text->len == 0)
    g_string_append (text, _ ("no"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The environments of the file, then any others that still have counters
 * (removed since). */
static GPtrArray *
stats_env_ids (GPtrArray *envs)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) counted = ar_image_stats_dup_env_ids ();

  for (guint i = 0; i < envs->len; i++)
    g_ptr_array_add (ids, g_strdup (ar_environment_get_env_id (g_ptr_array_index (envs, i))));
  for (guint i = 0; counted[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (ids, counted[i], g_str_equal, NULL))
      g_ptr_array_add (ids, g_strdup (counted[i]));
  return ids;
}

static void
add_environments_json (JsonBuilder *builder, GPtrArray *envs)
{
  g_autoptr(GPtrArray) ids = stats_env_ids (envs);

  json_builder_set_member_name (builder, "environments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < ids->len; i++)
    {
      ArImageStats stats;

      ar_image_stats_get (g_ptr_array_index (ids, i), &stats);
      json_builder_begin_object (builder);
      add_nullable (builder, "env_id", g_ptr_array_index (ids, i));
      add_int (builder, "tasks", stats.tasks);
      add_int (builder, "hits", stats.hits);
      add_int (builder, "partial_hits", stats.partial_hits);
      add_int (builder, "builds", stats.builds);
      add_int (builder, "build_failures", stats.build_failures);
      add_double (builder, "build_seconds", stats.build_seconds);
      add_double (builder, "hit_rate", ar_image_stats_hit_rate (&stats));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
print_list_json (GPtrArray *images, GPtrArray *envs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  gint64 total = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "images");
  json_builder_begin_array (builder);
  for (guint i = 0; i < images->len; i++)
    {
      ArCachedImage *image = g_ptr_array_index (images, i);

      total += image->info->size;
      json_builder_begin_object (builder);
      add_nullable (builder, "id", image->info->id);
      json_builder_set_member_name (builder, "tags");
      json_builder_begin_array (builder);
      for (guint t = 0; image->info->repo_tags[t] != NULL; t++)
        json_builder_add_string_value (builder, image->info->repo_tags[t]);
      json_builder_end_array (builder);
      add_nullable (builder, "layer", image->leftover ? NULL : ar_layer_kind_to_string (image->layer));
      add_nullable (builder, "env_id", image->env_id);
      add_nullable (builder, "key", ar_image_info_get_label (image->info, AR_LABEL_CACHE_KEY));
      add_int (builder, "size", image->info->size);
      add_int (builder, "created", image->info->created);
      json_builder_set_member_name (builder, "last_used");
      if (image->last_used > 0)
        json_builder_add_int_value (builder, image->last_used);
      else
        json_builder_add_null_value (builder);
      add_bool (builder, "in_use", ar_cached_image_in_use (image));
      json_builder_set_member_name (builder, "wanted_by");
      json_builder_begin_array (builder);
      for (guint w = 0; image->wanted_by[w] != NULL; w++)
        json_builder_add_string_value (builder, image->wanted_by[w]);
      json_builder_end_array (builder);
      add_bool (builder, "used_by_container", image->used_by_container);
      add_nullable (builder, "install", image->install_id[0] != '\0' ? image->install_id : NULL);
      add_bool (builder, "this_install", image->ours);
      add_bool (builder, "failed_build_leftover", image->leftover);
      add_bool (builder, "unused", ar_cached_image_is_unused (image));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_int (builder, "total_size", total);
  add_environments_json (builder, envs);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  ar_cli_print_json (root);
}

static int
image_list (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(AllImages) all = { 0 };
  g_autoptr(GPtrArray) images = NULL;
  gint64 total = 0;

  if (!ar_cli_parse (&ar_cli_image_commands[2], json_entries, &argc, &argv, 0))
    return AR_EXIT_USAGE;
  if (!all_images_load (&all, &error))
    return ar_cli_fail_error (error);
  images = list_cached (all.builder, all.envs, all.settings, &error);
  if (images == NULL)
    return ar_cli_fail_error (error);

  if (opt_json)
    {
      print_list_json (images, all.envs);
      return AR_EXIT_OK;
    }
  if (images->len == 0)
    {
      printf ("%s\n", _ ("No cached images."));
      return AR_EXIT_OK;
    }
  for (int ours = 1; ours >= 0; ours--)
    {
      gboolean header = FALSE;

      for (guint i = 0; i < images->len; i++)
        {
          ArCachedImage *image = g_ptr_array_index (images, i);
          g_autofree char *owned = NULL;
          g_autofree char *size = NULL;
          g_autofree char *created = NULL;
          g_autofree char *last_used = NULL;
          g_autofree char *in_use = NULL;

          if (image->ours != ours)
            continue;
          if (!header)
            {
              if (!ours)
                printf ("\n%s\n", _ ("Images of other installs sharing this engine (never pruned from here):"));
              printf ("%-40s %-8s %-14s %9s %-16s %-16s %s\n", _ ("IMAGE"), _ ("LAYER"), _ ("ENVIRONMENT"), _ ("SIZE"),
                      _ ("CREATED"), _ ("LAST USED"), _ ("IN USE"));
              header = TRUE;
            }
          size = g_format_size (image->info->size);
          created = format_time (image->info->created);
          last_used = format_time (image->last_used);
          in_use = image->leftover ? g_strdup (_ ("no (left by a failed build)")) : in_use_text (image);
          total += image->info->size;
          printf ("%-40s %-8s %-14s %9s %-16s %-16s %s\n", image_name (image, &owned),
                  image->leftover ? "-" : ar_layer_kind_to_string (image->layer),
                  image->leftover                    ? "-"
                  : image->layer == AR_LAYER_DESKTOP ? _ ("(shared)")
                                                     : (image->env_id != NULL ? image->env_id : "?"),
                  size, created, last_used, in_use);
        }
    }
  {
    g_autofree char *size = g_format_size (total);

    printf ("\n%s\n", size);
  }
  return AR_EXIT_OK;
}

/* ---- image prune ---------------------------------------------------------------- */

static int
image_prune (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(AllImages) all = { 0 };
  g_autoptr(GPtrArray) removed = NULL;
  ArSyncWait wait;
  g_autofree char *size = NULL;
  gint64 total = 0;

  if (!ar_cli_parse (&ar_cli_image_commands[3], prune_entries, &argc, &argv, 0))
    return AR_EXIT_USAGE;
  if (!all_images_load (&all, &error))
    return ar_cli_fail_error (error);

  ar_sync_wait_begin_shared (&wait);
  ar_image_builder_prune_async (all.builder, all.envs, all.settings, opt_dry_run, NULL, ar_sync_wait_callback, &wait);
  removed = ar_image_builder_prune_finish (all.builder, ar_sync_wait_run (&wait), &error);
  ar_sync_wait_end (&wait);
  if (removed == NULL)
    return ar_cli_fail_error (error);

  for (guint i = 0; i < removed->len; i++)
    {
      ArCachedImage *image = g_ptr_array_index (removed, i);
      g_autofree char *owned = NULL;
      g_autofree char *one = g_format_size (image->info->size);

      total += image->info->size;
      printf (opt_dry_run ? _ ("would remove %s (%s, %s)\n") : _ ("removed %s (%s, %s)\n"),
              image_name (image, &owned),
              image->leftover ? _ ("left by a failed build") : ar_layer_kind_to_string (image->layer), one);
    }
  size = g_format_size (total);
  if (removed->len == 0)
    printf ("%s\n", _ ("Nothing to remove: every cached image of this install is in use."));
  else if (opt_dry_run)
    printf (g_dngettext (GETTEXT_PACKAGE, "%u unused image, %s; nothing removed (dry run)\n",
                         "%u unused images, %s; nothing removed (dry run)\n", removed->len),
            removed->len, size);
  else
    printf (g_dngettext (GETTEXT_PACKAGE, "%u image removed, %s freed\n", "%u images removed, %s freed\n",
                         removed->len),
            removed->len, size);
  return AR_EXIT_OK;
}

const ArCliCommand ar_cli_image_commands[] = {
  { "image", "key", N_ ("ENV [--json]"), N_ ("Layers, cache keys, tags, and whether each image is present"), image_key },
  { "image", "build", N_ ("ENV [--force]"), N_ ("Build the cached images the environment wants; streams the log"),
    image_build },
  { "image", "list", N_ ("[--json]"), N_ ("Every cached image with its layer, environment, size, use"), image_list },
  { "image", "prune", N_ ("[--dry-run]"), N_ ("Remove the cached images nothing uses"), image_prune },
  { NULL }
};
