/* buzon-preferences-window.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Preferences window: the application's GSettings, each row bound to
 * its key, so a change applies at once (GNOME HIG: no Apply button). A key
 * this build's schema lacks gets no row. Per-account settings live with the
 * account, not here. */

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-preferences-window.h"

struct _BuzonPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (BuzonPreferencesWindow, buzon_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
has_key (GSettings  *settings,
         const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  return schema != NULL && g_settings_schema_has_key (schema, key);
}

static AdwActionRow *
new_row (const char *title,
         const char *subtitle)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (row, subtitle);

  return row;
}

/* A switch row bound to a boolean key. */
static void
add_switch (BuzonPreferencesWindow *self,
            AdwPreferencesGroup    *group,
            const char             *key,
            const char             *title,
            const char             *subtitle)
{
  AdwActionRow *row;
  GtkWidget *toggle;

  if (!has_key (self->settings, key))
    return;

  row = new_row (title, subtitle);
  toggle = gtk_switch_new ();
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_name (toggle, key);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  g_settings_bind (self->settings, key, toggle, "active", G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (row, toggle);
  adw_action_row_set_activatable_widget (row, toggle);
  adw_preferences_group_add (group, GTK_WIDGET (row));
}

/* A number row bound to an unsigned key, within the key's range. */
static void
add_number (BuzonPreferencesWindow *self,
            AdwPreferencesGroup    *group,
            const char             *key,
            const char             *title,
            const char             *subtitle)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) limits = NULL;
  g_autofree char *type = NULL;
  guint min = 0;
  guint max = 3600;
  AdwActionRow *row;
  GtkWidget *spin;

  if (!has_key (self->settings, key))
    return;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);
  range = g_settings_schema_key_get_range (schema_key);
  g_variant_get (range, "(sv)", &type, &limits);
  if (g_strcmp0 (type, "range") == 0)
    g_variant_get (limits, "(uu)", &min, &max);

  row = new_row (title, subtitle);
  spin = gtk_spin_button_new_with_range (min, max, 1);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_name (spin, key);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  g_settings_bind (self->settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  adw_action_row_add_suffix (row, spin);
  adw_action_row_set_activatable_widget (row, spin);
  adw_preferences_group_add (group, GTK_WIDGET (row));
}

static AdwPreferencesGroup *
new_group (AdwPreferencesPage *page,
           const char         *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (group));

  return ADW_PREFERENCES_GROUP (group);
}

static void
build (BuzonPreferencesWindow *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  AdwPreferencesGroup *group;

  adw_preferences_page_set_title (page, _("General"));
  adw_preferences_page_set_icon_name (page, "preferences-system-symbolic");

  group = new_group (page, _("Reading"));
  add_switch (self, group, "show-threads", _("Group by Conversation"),
              _("A conversation’s messages share one row in the message list"));
  add_switch (self, group, "prefer-plain-text", _("Prefer Plain Text"),
              _("Show the plain text of messages that also have an HTML version"));
  add_number (self, group, "mark-read-delay", _("Mark as Read After"),
              _("Seconds an opened message is shown before it counts as read; 0 marks it "
                "at once"));

  group = new_group (page, _("New Mail"));
  add_switch (self, group, "notify-new-mail", _("Notifications"),
              _("Tell me when new mail arrives in an Inbox"));
  add_number (self, group, "pop3-check-interval", _("Check POP3 Accounts Every"),
              _("Minutes between checks of accounts that download mail (POP3); 0 checks "
                "only at start"));

  group = new_group (page, _("Sending"));
  add_number (self, group, "undo-send-delay", _("Undo Send Delay"),
              _("Seconds a sent message waits in the outbox, when it can still be taken "
                "back; 0 sends at once"));

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
}

static void
buzon_preferences_window_dispose (GObject *object)
{
  BuzonPreferencesWindow *self = BUZON_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (buzon_preferences_window_parent_class)->dispose (object);
}

static void
buzon_preferences_window_class_init (BuzonPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_preferences_window_dispose;
}

static void
buzon_preferences_window_init (BuzonPreferencesWindow *self)
{
}

/**
 * buzon_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 * @settings: the application's settings
 *
 * Returns: (transfer full): a Preferences window, not shown yet
 */
BuzonPreferencesWindow *
buzon_preferences_window_new (GtkWindow *parent,
                              GSettings *settings)
{
  BuzonPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (BUZON_TYPE_PREFERENCES_WINDOW,
                       "title", _("Preferences"),
                       "modal", TRUE,
                       "search-enabled", FALSE,
                       "default-width", 560,
                       "default-height", 600,
                       NULL);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->settings = g_object_ref (settings);
  build (self);

  return self;
}
