/* buzon-application.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonApplication owns what every window shares: the message store, opened
 * once at startup, and the settings. It never fails to start because of the
 * store: when the store cannot be opened (a database from a newer Buzón, a
 * data directory that cannot be written…) the window shows the error instead
 * of the mail. The app actions live here, from one GActionEntry array.
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-store.h"
#include "buzon-sync-manager.h"

#include "buzon-application.h"
#include "buzon-preferences-window.h"
#include "buzon-window.h"
#include "buzon-window-compose.h"

struct _BuzonApplication
{
  AdwApplication  parent_instance;

  BuzonStore         *store;
  GError             *store_error;
  GSettings          *settings;
  BuzonSyncManager   *sync;
  gint64              start_time;
};

G_DEFINE_FINAL_TYPE (BuzonApplication, buzon_application, ADW_TYPE_APPLICATION)

static BuzonWindow *
buzon_application_ensure_window (BuzonApplication *self)
{
  GtkWindow *window;

  /* The active window is a BuzonWindow unless a dialog (About, Shortcuts) is. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (BUZON_IS_WINDOW (l->data))
        return BUZON_WINDOW (l->data);
    }

  window = GTK_WINDOW (buzon_window_new (self));
  return BUZON_WINDOW (window);
}

static void
buzon_application_about_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  static const char *developers[] = {
    "The Buzón developers https://github.com/buzonmail/Buzon",
    NULL
  };
  BuzonApplication *self = BUZON_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", "Buzón",
                        "application-icon", APP_ID,
                        "developer-name", _("The Buzón developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Read and send e-mail over IMAP or POP3"),
                        "website", "https://buzonmail.github.io/Buzon/",
                        "issue-url", "https://github.com/buzonmail/Buzon/issues",
                        "developers", developers,
                        "copyright", "© 2026 The Buzón developers",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: your names and e-mail addresses, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
buzon_application_preferences_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  BuzonApplication *self = BUZON_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  BuzonPreferencesWindow *preferences;

  (void)action;
  (void)parameter;
  if (self->settings == NULL)
    return;

  preferences = buzon_preferences_window_new (parent, self->settings);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
buzon_application_quit_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  BuzonApplication *self = BUZON_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;

  /* Close the windows rather than g_application_quit(): closing saves each
   * window's state, and the application ends when the last one is gone. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
}

/* A new-mail notification was clicked: that message, in the window. */
static void
buzon_application_show_message_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  BuzonApplication *self = BUZON_APPLICATION (user_data);
  BuzonWindow *window = buzon_application_ensure_window (self);

  (void)action;
  gtk_window_present (GTK_WINDOW (window));
  buzon_window_show_message (window, g_variant_get_int64 (parameter));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = buzon_application_about_action },
  { .name = "preferences", .activate = buzon_application_preferences_action },
  { .name = "quit", .activate = buzon_application_quit_action },
  { .name = "show-message", .activate = buzon_application_show_message_action,
    .parameter_type = "x" },
};

static void
buzon_application_open_store (BuzonApplication *self)
{
  g_autoptr(GError) error = NULL;

  self->store = buzon_store_open (NULL, &error);
  if (self->store == NULL)
    {
      /* Not a g_warning(): the window says it to the user, which is the point. */
      g_message ("The message store could not be opened: %s", error->message);
      self->store_error = g_steal_pointer (&error);
    }
}

static void
buzon_application_load_settings (BuzonApplication *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* An uninstalled build has no compiled schema unless GSETTINGS_SCHEMA_DIR
   * points at it; g_settings_new() would abort, so the window then just
   * starts at its default size. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_debug ("GSettings schema %s is not installed; window state is not kept", APP_ID);
}

static void
pop3_interval_changed_cb (GSettings        *settings,
                          const char       *key,
                          BuzonApplication *self)
{
  (void)key;
  buzon_sync_manager_set_pop3_interval (self->sync,
                                        g_settings_get_uint (settings, "pop3-check-interval") * 60);
}

/* Every account is kept in sync while the application runs: IMAP accounts
 * by a full sync and then IDLE, POP3 accounts checked at start and every
 * "pop3-check-interval" minutes. */
static void
buzon_application_start_sync (BuzonApplication *self)
{
  if (self->store == NULL)
    return;

  self->sync = buzon_sync_manager_new (self->store);
  if (self->settings != NULL)
    {
      g_signal_connect (self->settings, "changed::pop3-check-interval",
                        G_CALLBACK (pop3_interval_changed_cb), self);
      pop3_interval_changed_cb (self->settings, "pop3-check-interval", self);
    }
  if (g_getenv ("BUZON_NO_SYNC") == NULL)
    buzon_sync_manager_start (self->sync);
}

static void
buzon_application_startup (GApplication *application)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  BuzonApplication *self = BUZON_APPLICATION (application);

  G_APPLICATION_CLASS (buzon_application_parent_class)->startup (application);

  /* For screenshots and tests: the desktop's dark or light style without a
   * desktop (Xvfb has no settings portal). */
  if (g_strcmp0 (g_getenv ("BUZON_COLOR_SCHEME"), "dark") == 0)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                        ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_strcmp0 (g_getenv ("BUZON_COLOR_SCHEME"), "light") == 0)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                        ADW_COLOR_SCHEME_FORCE_LIGHT);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);

  buzon_application_load_settings (self);
  buzon_application_open_store (self);
  buzon_application_start_sync (self);
}

static void
buzon_application_activate (GApplication *application)
{
  BuzonApplication *self = BUZON_APPLICATION (application);

  gtk_window_present (GTK_WINDOW (buzon_application_ensure_window (self)));
}

static void
buzon_application_open (GApplication  *application,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  BuzonApplication *self = BUZON_APPLICATION (application);
  BuzonWindow *window = buzon_application_ensure_window (self);

  gtk_window_present (GTK_WINDOW (window));

  /* Buzón is the handler for mailto: links (see the .desktop file). */
  for (int i = 0; i < n_files; i++)
    {
      if (g_file_has_uri_scheme (files[i], "mailto"))
        {
          g_autofree char *uri = g_file_get_uri (files[i]);

          buzon_window_compose_mailto (window, uri);
        }
    }
}

static void
sync_stopped_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;

  buzon_sync_manager_stop_finish (BUZON_SYNC_MANAGER (object), result, NULL);
  *done = TRUE;
}

/* The sessions are logged out before the application ends (a few seconds
 * at most: a server that does not answer is not waited for). */
static void
buzon_application_shutdown (GApplication *application)
{
  BuzonApplication *self = BUZON_APPLICATION (application);

  if (self->sync != NULL)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      gboolean done = FALSE;

      buzon_sync_manager_stop_async (self->sync, cancellable, sync_stopped_cb, &done);
      while (!done)
        {
          if (g_get_monotonic_time () > end)
            g_cancellable_cancel (cancellable);
          g_main_context_iteration (NULL, FALSE);
          if (!done)
            g_usleep (2000);
        }
    }

  G_APPLICATION_CLASS (buzon_application_parent_class)->shutdown (application);
}

static void
buzon_application_dispose (GObject *object)
{
  BuzonApplication *self = BUZON_APPLICATION (object);


  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->sync);
  g_clear_object (&self->store);
  g_clear_error (&self->store_error);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (buzon_application_parent_class)->dispose (object);
}

static void
buzon_application_class_init (BuzonApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = buzon_application_dispose;

  app_class->startup = buzon_application_startup;
  app_class->shutdown = buzon_application_shutdown;
  app_class->activate = buzon_application_activate;
  app_class->open = buzon_application_open;
}

static void
buzon_application_init (BuzonApplication *self)
{
  self->start_time = g_get_monotonic_time ();
}

/**
 * buzon_application_new:
 * @application_id: the application id, normally %APP_ID
 * @flags: flags; %G_APPLICATION_HANDLES_OPEN is always added, for mailto: links
 *
 * Returns: (transfer full): a new #BuzonApplication
 */
BuzonApplication *
buzon_application_new (const char        *application_id,
                       GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (BUZON_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/buzonmail/Buzon",
                       NULL);
}

/**
 * buzon_application_get_store:
 * @self: a #BuzonApplication
 *
 * Returns: (transfer none) (nullable): the message store, or %NULL before
 *   startup or when it could not be opened (see
 *   buzon_application_get_store_error())
 */
BuzonStore *
buzon_application_get_store (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), NULL);

  return self->store;
}

/**
 * buzon_application_get_store_error:
 * @self: a #BuzonApplication
 *
 * Returns: (transfer none) (nullable): why the store could not be opened
 */
const GError *
buzon_application_get_store_error (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), NULL);

  return self->store_error;
}

/**
 * buzon_application_get_settings:
 * @self: a #BuzonApplication
 *
 * Returns: (transfer none) (nullable): the application settings, or %NULL
 *   when the schema is not installed (an uninstalled build)
 */
GSettings *
buzon_application_get_settings (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * buzon_application_get_sync_manager:
 * @self: a #BuzonApplication
 *
 * Returns: (transfer none) (nullable): what keeps the accounts in sync, or
 *   %NULL when the store could not be opened
 */
BuzonSyncManager *
buzon_application_get_sync_manager (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), NULL);

  return self->sync;
}

/**
 * buzon_application_get_start_time:
 * @self: a #BuzonApplication
 *
 * Returns: when the application was made, in g_get_monotonic_time() µs
 */
gint64
buzon_application_get_start_time (BuzonApplication *self)
{
  g_return_val_if_fail (BUZON_IS_APPLICATION (self), 0);

  return self->start_time;
}
