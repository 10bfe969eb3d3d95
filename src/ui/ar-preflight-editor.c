/* ar-preflight-editor.c
 *
 * The three script editors are always there and always keep their text;
 * the mode only decides which ones are editable (design.md §2.2: switching mode
 * never erases a script).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ar-auto-split-dialog.h"
#include "ar-preflight-editor-private.h"
#include "ar-preflight-validator.h"
#include "ar-ui.h"
#include "ar-window.h"
#include "ar-wrap-box.h"

/* The environment property each editor shows. */
static const char *const script_props[N_SCRIPTS] = {
  "preflight-script",
  "cached-preflight-script",
  "run-preflight-script",
};

G_DEFINE_FINAL_TYPE (ArPreflightEditor, ar_preflight_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ENVIRONMENT,
  PROP_BUILD_USER,
  PROP_MODE,
  N_PROPS
};

enum {
  SIGNAL_TEST_PREFLIGHT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
is_split (ArPreflightEditor *self)
{
  return self->environment != NULL &&
         ar_environment_get_preflight_mode (self->environment) == AR_PREFLIGHT_MODE_SPLIT;
}

static char *
buffer_dup_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static GtkTextBuffer *
script_buffer (ArPreflightEditor *self, Script which)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->views[which]));
}

static void
update_placeholder (ArPreflightEditor *self, Script which)
{
  gtk_widget_set_visible (self->placeholders[which],
                          gtk_text_buffer_get_char_count (script_buffer (self, which)) == 0);
}

static void
set_script_active (ArPreflightEditor *self, Script which, gboolean active)
{
  GtkTextView *view = GTK_TEXT_VIEW (self->views[which]);

  /* The caret stays, so that a read-only script can still be browsed and
   * copied from with the keyboard. */
  gtk_text_view_set_editable (view, active);
  if (active)
    gtk_widget_remove_css_class (self->overlays[which], "ar-inactive");
  else
    gtk_widget_add_css_class (self->overlays[which], "ar-inactive");
  gtk_widget_set_visible (self->inactive_labels[which], !active);
}

static void
update_mode (ArPreflightEditor *self)
{
  gboolean split = is_split (self);
  gboolean caching = self->environment != NULL &&
                     ar_environment_get_cache_container_build (self->environment);

  set_script_active (self, SCRIPT_SINGLE, !split);
  set_script_active (self, SCRIPT_CACHED, split);
  set_script_active (self, SCRIPT_RUN, split);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enabled_switch), !split);
  gtk_widget_set_visible (self->caching_hint, caching && !split);

  if (!split)
    gtk_label_set_label (self->mode_label,
                         _ ("Single mode: the Single preflight runs in full at every task start when “Run at task start” is on. Nothing is cached."));
  else if (caching)
    gtk_label_set_label (self->mode_label,
                         _ ("Split mode: the Cached preflight is baked into the environment image once; the Run preflight runs at every task start."));
  else
    gtk_label_set_label (self->mode_label,
                         _ ("Split mode without container caching: both parts run at every task start, the cached part first. Enable container caching in the General tab to bake it into the image."));
}

static void
sync_script (ArPreflightEditor *self, Script which)
{
  GtkTextBuffer *buffer = script_buffer (self, which);
  g_autofree char *current = buffer_dup_text (buffer);
  g_autofree char *value = NULL;

  if (self->environment != NULL)
    g_object_get (self->environment, script_props[which], &value, NULL);
  if (g_strcmp0 (current, value != NULL ? value : "") == 0)
    return;

  self->syncing = TRUE;
  gtk_text_buffer_set_text (buffer, value != NULL ? value : "", -1);
  self->syncing = FALSE;
  update_placeholder (self, which);
}

static void
on_buffer_changed (GtkTextBuffer *buffer,
                   ArPreflightEditor *self)
{
  Script which = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (buffer), "ar-script"));
  g_autofree char *text = NULL;

  update_placeholder (self, which);
  if (self->syncing || self->environment == NULL)
    return;

  text = buffer_dup_text (buffer);
  /* A new single script runs at task start unless the user says
   * otherwise: a newcomer's script that silently never runs is the worse
   * surprise. Only the first text written into a script that was blank
   * (and off) when the environment was opened turns it on, once; loading
   * an environment never does, so existing files keep their choice. */
  if (which == SCRIPT_SINGLE && self->auto_enable && !is_split (self) && !ar_script_is_blank (text))
    {
      self->auto_enable = FALSE;
      self->enabling = TRUE;
      ar_environment_set_preflight_enabled (self->environment, TRUE);
      self->enabling = FALSE;
    }
  g_object_set (self->environment, script_props[which], text, NULL);
}

/* ---- the tabs: toggle buttons over a notebook without its own tabs ---- */

static void
on_tab_toggled (GtkToggleButton *tab,
                ArPreflightEditor *self)
{
  if (!gtk_toggle_button_get_active (tab))
    return;
  for (guint i = 0; i < N_SCRIPTS; i++)
    if (self->tabs[i] == tab)
      gtk_notebook_set_current_page (self->notebook, gtk_notebook_page_num (self->notebook, self->pages[i]));
}

static void
on_switch_page (GtkNotebook *notebook,
                GtkWidget *page,
                guint page_num,
                ArPreflightEditor *self)
{
  for (guint i = 0; i < N_SCRIPTS; i++)
    if (self->pages[i] == page && self->tabs[i] != NULL)
      gtk_toggle_button_set_active (self->tabs[i], TRUE);
}

void
ar_preflight_editor_show_script_line (ArPreflightEditor *self, Script which, guint line)
{
  GtkTextBuffer *buffer = script_buffer (self, which);
  GtkTextIter iter;

  ar_ui_reveal (self->pages[which]);
  gtk_notebook_set_current_page (self->notebook, gtk_notebook_page_num (self->notebook, self->pages[which]));
  if (line > 0)
    {
      gtk_text_buffer_get_iter_at_line (buffer, &iter, line - 1);
      gtk_text_buffer_place_cursor (buffer, &iter);
      gtk_text_view_scroll_to_iter (GTK_TEXT_VIEW (self->views[which]), &iter, 0.1, FALSE, 0, 0);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->views[which]));
}

/* ---- the caching-in-single-mode dialog ---- */

static void
on_caching_response (AdwMessageDialog *dialog,
                     const char *response,
                     ArPreflightEditor *self)
{
  if (g_strcmp0 (response, "open") == 0)
    ar_preflight_editor_show_script_line (self, SCRIPT_SINGLE, 0);
  else if (g_strcmp0 (response, "split") == 0)
    {
      ar_ui_reveal (GTK_WIDGET (self));
      ar_preflight_editor_auto_split (self);
    }
  else if (g_strcmp0 (response, "disable") == 0 && self->environment != NULL)
    ar_environment_set_cache_container_build (self->environment, FALSE);
}

static void
ask_about_caching (ArPreflightEditor *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (ar_ui_get_window (GTK_WIDGET (self)),
                                   _ ("Caching Needs Split Mode"),
                                   _ ("A single preflight runs in full at every task start and is never cached. Split it into a cached part, baked into the image once, and a run part for every task start."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "later", _ ("_Later"),
                                    "disable", _ ("_Disable Container Caching"),
                                    "open", _ ("_Open Preflight Tab"),
                                    "split", _ ("_Split Automatically…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "split", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "split");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "later");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_caching_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_environment_notify (ArEnvironment *environment,
                       GParamSpec *pspec,
                       ArPreflightEditor *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "preflight-mode"))
    {
      update_mode (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
    }
  else if (g_str_equal (name, "preflight-enabled"))
    {
      if (!self->enabling)
        self->auto_enable = FALSE;
    }
  else if (g_str_equal (name, "cache-container-build"))
    {
      update_mode (self);
      if (ar_environment_get_cache_container_build (environment) && !is_split (self))
        ask_about_caching (self);
    }
  else
    {
      for (guint i = 0; i < N_SCRIPTS; i++)
        if (g_str_equal (name, script_props[i]))
          sync_script (self, i);
    }
}

/* ---- auto-split ---- */

static void
replace_text (ArPreflightEditor *self, Script which, const char *text)
{
  GtkTextBuffer *buffer = script_buffer (self, which);
  GtkTextIter start, end;

  /* One user action, so that Ctrl+Z in that editor brings the old text
   * back (gtk_text_buffer_set_text() would forget it). */
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, text, -1);
  gtk_text_buffer_end_user_action (buffer);
}

static void
on_auto_split_applied (ArAutoSplitDialog *dialog,
                       const char *cached,
                       const char *run,
                       ArPreflightEditor *self)
{
  if (self->environment == NULL)
    return;

  replace_text (self, SCRIPT_CACHED, cached);
  replace_text (self, SCRIPT_RUN, run);
  ar_environment_set_preflight_mode (self->environment, AR_PREFLIGHT_MODE_SPLIT);
  ar_preflight_editor_show_script_line (self, SCRIPT_CACHED, 0);
}

void
ar_preflight_editor_auto_split (ArPreflightEditor *self)
{
  g_autofree char *single = NULL;
  g_autofree char *cached = NULL;
  g_autofree char *run = NULL;
  g_autofree char *single_stripped = NULL;
  g_auto(GStrv) names = NULL;
  ArAutoSplitDialog *dialog;
  const char *source;

  g_return_if_fail (AR_IS_PREFLIGHT_EDITOR (self));

  if (self->environment == NULL)
    return;

  single = buffer_dup_text (script_buffer (self, SCRIPT_SINGLE));
  cached = buffer_dup_text (script_buffer (self, SCRIPT_CACHED));
  run = buffer_dup_text (script_buffer (self, SCRIPT_RUN));
  /* The legacy script is what gets split; with none, a run preflight that
   * grew package installs can be split too. */
  single_stripped = g_strstrip (g_strdup (single));
  source = *single_stripped != '\0' ? single : run;
  names = ar_environment_dup_env_var_names (self->environment);

  dialog = ar_auto_split_dialog_new (source, (const char *const *) names,
                                     *cached != '\0' || (source != run && *run != '\0'));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), ar_ui_get_window (GTK_WIDGET (self)));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "applied", G_CALLBACK (on_auto_split_applied), self, 0);
  /* Check Build runs on the window's engine, when it has one. */
  {
    GtkWindow *window = ar_ui_get_window (GTK_WIDGET (self));
    ArBackend *backend = AR_IS_WINDOW (window) ? ar_window_get_backend (AR_WINDOW (window)) : NULL;

    if (backend != NULL && ar_backend_get_engine (backend) != NULL)
      ar_auto_split_dialog_set_check_target (dialog, ar_backend_get_engine (backend), self->environment,
                                             ar_backend_get_settings (backend));
  }
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
auto_split_action (GtkWidget *widget,
                   const char *action_name,
                   GVariant *parameter)
{
  ar_preflight_editor_auto_split (AR_PREFLIGHT_EDITOR (widget));
}

static void
test_action (GtkWidget *widget,
             const char *action_name,
             GVariant *parameter)
{
  ArPreflightEditor *self = AR_PREFLIGHT_EDITOR (widget);

  if (self->environment != NULL)
    g_signal_emit (self, signals[SIGNAL_TEST_PREFLIGHT], 0, self->environment);
}

/* ---- properties ---- */

static void
update_warning_label (ArPreflightEditor *self)
{
  g_autofree char *markup = NULL;

  if (self->build_user != NULL)
    /* Translators: %s is a user name ("root"); keep the <b> tags */
    markup = g_markup_printf_escaped (_ ("Runs at image build time as <b>%s</b>, can change anything in the image, and its result is reused by every task: never put secrets here."),
                                      self->build_user);
  else
    /* Translators: %s says why the image's default user is not known ("the image is not on the engine"); keep the <b> tags */
    markup = g_markup_printf_escaped (_ ("Runs at image build time as <b>the image's user</b> (not known: %s), can change anything in the image, and its result is reused by every task: never put secrets here."),
                                      self->build_user_unknown);

  gtk_label_set_markup (self->cached_warning_label, markup);
}

const char *
ar_preflight_editor_get_build_user (ArPreflightEditor *self)
{
  g_return_val_if_fail (AR_IS_PREFLIGHT_EDITOR (self), NULL);

  return self->build_user;
}

void
ar_preflight_editor_set_build_user (ArPreflightEditor *self,
                                    const char *build_user)
{
  g_return_if_fail (AR_IS_PREFLIGHT_EDITOR (self));

  if (build_user == NULL || *build_user == '\0')
    build_user = "root";
  if (g_strcmp0 (self->build_user, build_user) == 0)
    return;
  g_clear_pointer (&self->build_user_unknown, g_free);
  g_free (self->build_user);
  self->build_user = g_strdup (build_user);
  update_warning_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUILD_USER]);
}

void
ar_preflight_editor_set_build_user_unknown (ArPreflightEditor *self,
                                            const char *why)
{
  gboolean was_known;

  g_return_if_fail (AR_IS_PREFLIGHT_EDITOR (self));
  g_return_if_fail (why != NULL);

  if (g_strcmp0 (self->build_user_unknown, why) == 0)
    return;
  was_known = self->build_user != NULL;
  g_clear_pointer (&self->build_user, g_free);
  g_free (self->build_user_unknown);
  self->build_user_unknown = g_strdup (why);
  update_warning_label (self);
  if (was_known)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUILD_USER]);
}

const char *
ar_preflight_editor_get_mode (ArPreflightEditor *self)
{
  g_return_val_if_fail (AR_IS_PREFLIGHT_EDITOR (self), NULL);

  return ar_preflight_mode_to_string (is_split (self) ? AR_PREFLIGHT_MODE_SPLIT : AR_PREFLIGHT_MODE_SINGLE);
}

void
ar_preflight_editor_set_mode (ArPreflightEditor *self,
                              const char *mode)
{
  ArPreflightMode value;

  g_return_if_fail (AR_IS_PREFLIGHT_EDITOR (self));

  if (self->environment != NULL && ar_preflight_mode_from_string (mode, &value))
    ar_environment_set_preflight_mode (self->environment, value);
}

ArEnvironment *
ar_preflight_editor_get_environment (ArPreflightEditor *self)
{
  g_return_val_if_fail (AR_IS_PREFLIGHT_EDITOR (self), NULL);

  return self->environment;
}

void
ar_preflight_editor_set_environment (ArPreflightEditor *self,
                                     ArEnvironment *environment)
{
  g_return_if_fail (AR_IS_PREFLIGHT_EDITOR (self));
  g_return_if_fail (environment == NULL || AR_IS_ENVIRONMENT (environment));

  if (self->environment == environment)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->enabled_binding, g_binding_unbind);
  if (self->environment != NULL)
    g_signal_handlers_disconnect_by_data (self->environment, self);
  g_set_object (&self->environment, environment);

  for (guint i = 0; i < N_SCRIPTS; i++)
    {
      GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (script_buffer (self, i));

      /* Loading another environment is not an edit that Ctrl+Z undoes. */
      gtk_text_buffer_begin_irreversible_action (GTK_TEXT_BUFFER (buffer));
      sync_script (self, i);
      gtk_text_buffer_end_irreversible_action (GTK_TEXT_BUFFER (buffer));
    }

  self->auto_enable = environment != NULL &&
                      ar_script_is_blank (ar_environment_get_preflight_script (environment)) &&
                      !ar_environment_get_preflight_enabled (environment);
  if (environment != NULL)
    {
      self->enabled_binding = g_object_bind_property (environment, "preflight-enabled",
                                                      self->enabled_switch, "active",
                                                      G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
      g_signal_connect (environment, "notify", G_CALLBACK (on_environment_notify), self);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self), environment != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "preflight.validate", environment != NULL);
  ar_preflight_editor_show_warnings (self, NULL);
  update_mode (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

static void
ar_preflight_editor_dispose (GObject *object)
{
  ArPreflightEditor *self = AR_PREFLIGHT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->enabled_binding, g_binding_unbind);
  if (self->environment != NULL)
    g_signal_handlers_disconnect_by_data (self->environment, self);
  g_clear_object (&self->environment);

  gtk_widget_dispose_template (GTK_WIDGET (self), AR_TYPE_PREFLIGHT_EDITOR);

  G_OBJECT_CLASS (ar_preflight_editor_parent_class)->dispose (object);
}

static void
ar_preflight_editor_finalize (GObject *object)
{
  ArPreflightEditor *self = AR_PREFLIGHT_EDITOR (object);

  g_free (self->build_user);
  g_free (self->build_user_unknown);

  G_OBJECT_CLASS (ar_preflight_editor_parent_class)->finalize (object);
}

static void
ar_preflight_editor_get_property (GObject *object,
                                  guint prop_id,
                                  GValue *value,
                                  GParamSpec *pspec)
{
  ArPreflightEditor *self = AR_PREFLIGHT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_ENVIRONMENT:
      g_value_set_object (value, self->environment);
      break;
    case PROP_BUILD_USER:
      g_value_set_string (value, self->build_user);
      break;
    case PROP_MODE:
      g_value_set_string (value, ar_preflight_editor_get_mode (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ar_preflight_editor_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  ArPreflightEditor *self = AR_PREFLIGHT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_ENVIRONMENT:
      ar_preflight_editor_set_environment (self, g_value_get_object (value));
      break;
    case PROP_BUILD_USER:
      ar_preflight_editor_set_build_user (self, g_value_get_string (value));
      break;
    case PROP_MODE:
      ar_preflight_editor_set_mode (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define BIND_SCRIPT_CHILD(klass, name, field, index)             \
  gtk_widget_class_bind_template_child_full (klass, name, FALSE, \
                                             G_STRUCT_OFFSET (ArPreflightEditor, field) + (index) * sizeof (gpointer))

static void
ar_preflight_editor_class_init (ArPreflightEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ar_preflight_editor_dispose;
  object_class->finalize = ar_preflight_editor_finalize;
  object_class->get_property = ar_preflight_editor_get_property;
  object_class->set_property = ar_preflight_editor_set_property;

  properties[PROP_ENVIRONMENT] =
    g_param_spec_object ("environment", NULL, NULL, AR_TYPE_ENVIRONMENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUILD_USER] =
    g_param_spec_string ("build-user", NULL, NULL, "root",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODE] =
    g_param_spec_string ("mode", NULL, NULL, "single",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ArPreflightEditor::test-preflight:
   * @environment: the draft environment, as edited
   *
   * The user asked to try the preflight of the draft (design.md §4.3).
   */
  signals[SIGNAL_TEST_PREFLIGHT] =
    g_signal_new ("test-preflight", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, AR_TYPE_ENVIRONMENT);

  g_type_ensure (AR_TYPE_WRAP_BOX);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/agents_runner/AgentsRunner/ar-preflight-editor.ui");
  BIND_SCRIPT_CHILD (widget_class, "single_view", views, SCRIPT_SINGLE);
  BIND_SCRIPT_CHILD (widget_class, "cached_view", views, SCRIPT_CACHED);
  BIND_SCRIPT_CHILD (widget_class, "run_view", views, SCRIPT_RUN);
  BIND_SCRIPT_CHILD (widget_class, "single_overlay", overlays, SCRIPT_SINGLE);
  BIND_SCRIPT_CHILD (widget_class, "cached_overlay", overlays, SCRIPT_CACHED);
  BIND_SCRIPT_CHILD (widget_class, "run_overlay", overlays, SCRIPT_RUN);
  BIND_SCRIPT_CHILD (widget_class, "single_placeholder", placeholders, SCRIPT_SINGLE);
  BIND_SCRIPT_CHILD (widget_class, "cached_placeholder", placeholders, SCRIPT_CACHED);
  BIND_SCRIPT_CHILD (widget_class, "run_placeholder", placeholders, SCRIPT_RUN);
  BIND_SCRIPT_CHILD (widget_class, "single_inactive_label", inactive_labels, SCRIPT_SINGLE);
  BIND_SCRIPT_CHILD (widget_class, "cached_inactive_label", inactive_labels, SCRIPT_CACHED);
  BIND_SCRIPT_CHILD (widget_class, "run_inactive_label", inactive_labels, SCRIPT_RUN);
  BIND_SCRIPT_CHILD (widget_class, "single_page", pages, SCRIPT_SINGLE);
  BIND_SCRIPT_CHILD (widget_class, "cached_page", pages, SCRIPT_CACHED);
  BIND_SCRIPT_CHILD (widget_class, "run_page", pages, SCRIPT_RUN);
  BIND_SCRIPT_CHILD (widget_class, "single_tab", tabs, SCRIPT_SINGLE);
  BIND_SCRIPT_CHILD (widget_class, "cached_tab", tabs, SCRIPT_CACHED);
  BIND_SCRIPT_CHILD (widget_class, "run_tab", tabs, SCRIPT_RUN);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, notebook);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, mode_label);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, caching_hint);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, cached_warning_label);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, results_revealer);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, results_title);
  gtk_widget_class_bind_template_child (widget_class, ArPreflightEditor, results_list);
  /* Reachable with gtk_widget_get_template_child(), for tests. */
  gtk_widget_class_bind_template_child_full (widget_class, "single_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "split_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "auto_split_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "validate_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "test_button", FALSE, 0);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_result_activated", G_CALLBACK (ar_preflight_editor_on_result_activated));
  gtk_widget_class_bind_template_callback (widget_class, on_tab_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_switch_page);

  gtk_widget_class_install_property_action (widget_class, "preflight.mode", "mode");
  gtk_widget_class_install_action (widget_class, "preflight.auto-split", NULL, auto_split_action);
  gtk_widget_class_install_action (widget_class, "preflight.validate", NULL, ar_preflight_editor_validate_action);
  gtk_widget_class_install_action (widget_class, "preflight.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "preflight.hide-results", NULL, ar_preflight_editor_hide_results_action);
}

static void
ar_preflight_editor_init (ArPreflightEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->build_user = g_strdup ("root");

  for (guint i = 0; i < N_SCRIPTS; i++)
    {
      GtkTextBuffer *buffer = script_buffer (self, i);

      ar_ui_setup_script_view (self->views[i], TRUE);
      /* Tab moves on to the next control, as everywhere else in the
       * window: a script editor that kept it would be a dead end for the
       * keyboard (indentation is kept from line to line). */
      gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (self->views[i]), FALSE);
      g_object_set_data (G_OBJECT (buffer), "ar-script", GUINT_TO_POINTER (i));
      g_signal_connect (buffer, "changed", G_CALLBACK (on_buffer_changed), self);
    }

  update_warning_label (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);
  update_mode (self);
  gtk_toggle_button_set_active (self->tabs[SCRIPT_SINGLE], TRUE);
}

GtkWidget *
ar_preflight_editor_new (void)
{
  return g_object_new (AR_TYPE_PREFLIGHT_EDITOR, NULL);
}
