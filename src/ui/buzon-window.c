/* buzon-window.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonWindow is the main window: the accounts (and later their folders) in
 * the sidebar, the message list, and the reader, in two nested AdwLeaflets so
 * it folds on narrow screens. The sidebar shows a GListStore of BuzonAccount
 * that follows the store's "accounts-changed" signal; the list is read off
 * the UI thread by buzon_store_list_accounts_async(). When the store could
 * not be opened, the window shows why instead of the panes. The window keeps
 * its size and maximized state in GSettings.
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-store.h"

#include "buzon-account-row.h"
#include "buzon-window.h"

struct _BuzonWindow
{
  AdwApplicationWindow  parent_instance;

  BuzonStore           *store;
  GSettings            *settings;
  GListStore           *accounts;
  GCancellable         *cancellable;
  guint                 list_serial;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  GtkStack             *sidebar_stack;
  GtkSpinner           *loading_spinner;
  GtkListBox           *account_list;
  AdwStatusPage        *error_page;
  GtkMenuButton        *primary_menu_button;
  GtkMenuButton        *error_menu_button;
};

G_DEFINE_FINAL_TYPE (BuzonWindow, buzon_window, ADW_TYPE_APPLICATION_WINDOW)

/* One buzon_store_list_accounts_async() call. Only the newest request may
 * fill the list: "accounts-changed" can fire again before a listing ends,
 * and listings run in a thread pool, so they may finish out of order. */
typedef struct
{
  BuzonWindow *self;
  guint        serial;
} ListRequest;

static void
list_request_free (ListRequest *request)
{
  g_clear_object (&request->self);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListRequest, list_request_free)

static void
buzon_window_show_error (BuzonWindow *self,
                         const char  *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_status_page_set_description (self->error_page, escaped);
  gtk_stack_set_visible_child_name (self->main_stack, "error");

  /* F10 opens the menu of the page that is shown. */
  gtk_menu_button_set_primary (self->primary_menu_button, FALSE);
  gtk_menu_button_set_primary (self->error_menu_button, TRUE);
}

static void
buzon_window_update_sidebar (BuzonWindow *self)
{
  guint n_accounts = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  gtk_spinner_stop (self->loading_spinner);
  gtk_stack_set_visible_child_name (self->sidebar_stack, n_accounts > 0 ? "accounts" : "empty");
}

static void
buzon_window_list_accounts_cb (GObject      *object,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(ListRequest) request = user_data;
  BuzonWindow *self = request->self;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  accounts = buzon_store_list_accounts_finish (BUZON_STORE (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      request->serial != self->list_serial)
    return;

  if (accounts == NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("The list of accounts could not be read: %s"), error->message);
      buzon_window_show_error (self, message);
      return;
    }

  g_list_store_splice (self->accounts,
                       0, g_list_model_get_n_items (G_LIST_MODEL (self->accounts)),
                       accounts->pdata, accounts->len);
  buzon_window_update_sidebar (self);
}

static void
buzon_window_reload_accounts (BuzonWindow *self)
{
  ListRequest *request;

  g_assert (self->store != NULL);

  request = g_new0 (ListRequest, 1);
  request->self = g_object_ref (self);
  request->serial = ++self->list_serial;

  buzon_store_list_accounts_async (self->store,
                                   self->cancellable,
                                   buzon_window_list_accounts_cb,
                                   request);
}

static void
buzon_window_accounts_changed_cb (BuzonWindow *self,
                                  BuzonStore  *store)
{
  buzon_window_reload_accounts (self);
}

static GtkWidget *
buzon_window_create_account_row (gpointer item,
                                 gpointer user_data)
{
  return buzon_account_row_new (BUZON_ACCOUNT (item));
}

static void
buzon_window_save_state (BuzonWindow *self)
{
  int width = 0;
  int height = 0;

  if (self->settings == NULL)
    return;

  /* The default size follows the window while it is neither maximized nor
   * fullscreen, so it is the size to come back to. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static void
buzon_window_restore_state (BuzonWindow *self)
{
  /* Without settings (an uninstalled build with no compiled schema), the
   * schema's default size, not the panes' natural size. */
  if (self->settings == NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self), 1100, 700);
      return;
    }

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
buzon_window_close_request (GtkWindow *window)
{
  buzon_window_save_state (BUZON_WINDOW (window));

  return GTK_WINDOW_CLASS (buzon_window_parent_class)->close_request (window);
}

static void
buzon_window_dispose (GObject *object)
{
  BuzonWindow *self = BUZON_WINDOW (object);

  /* Pending listings end cancelled, or, if they finish anyway, find their
   * serial stale and leave the (by then cleared) list alone. */
  g_cancellable_cancel (self->cancellable);
  self->list_serial++;

  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_WINDOW);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (buzon_window_parent_class)->dispose (object);
}

static void
buzon_window_class_init (BuzonWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = buzon_window_dispose;

  window_class->close_request = buzon_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/ui/buzon-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, account_list);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, error_menu_button);
}

static void
buzon_window_init (BuzonWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->accounts = g_list_store_new (BUZON_TYPE_ACCOUNT);

  gtk_list_box_bind_model (self->account_list,
                           G_LIST_MODEL (self->accounts),
                           buzon_window_create_account_row,
                           NULL, NULL);
  gtk_spinner_start (self->loading_spinner);
}

/**
 * buzon_window_new:
 * @application: the application; its store (or the store's error) and its
 *   settings are what the window shows and keeps
 *
 * Returns: (transfer full): a new #BuzonWindow
 */
BuzonWindow *
buzon_window_new (BuzonApplication *application)
{
  BuzonWindow *self;
  const GError *store_error;

  g_return_val_if_fail (BUZON_IS_APPLICATION (application), NULL);

  self = g_object_new (BUZON_TYPE_WINDOW,
                       "application", application,
                       NULL);

  g_set_object (&self->settings, buzon_application_get_settings (application));
  buzon_window_restore_state (self);

  g_set_object (&self->store, buzon_application_get_store (application));
  store_error = buzon_application_get_store_error (application);

  if (self->store != NULL)
    {
      g_signal_connect_object (self->store, "accounts-changed",
                               G_CALLBACK (buzon_window_accounts_changed_cb), self,
                               G_CONNECT_SWAPPED);
      buzon_window_reload_accounts (self);
    }
  else
    {
      /* The store's errors are written for the user (what happened, what to
       * do), and the page title already says the mail cannot be opened. */
      buzon_window_show_error (self, store_error != NULL
                                       ? store_error->message
                                       : _("The mail store could not be opened."));
    }

  return self;
}

/**
 * buzon_window_get_accounts:
 * @self: a #BuzonWindow
 *
 * Returns: (transfer none): the accounts shown in the sidebar, as
 *   #BuzonAccount items
 */
GListModel *
buzon_window_get_accounts (BuzonWindow *self)
{
  g_return_val_if_fail (BUZON_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->accounts);
}

/**
 * buzon_window_add_toast:
 * @self: a #BuzonWindow
 * @toast: (transfer full): the toast to show
 *
 * Shows @toast at the bottom of the window.
 */
void
buzon_window_add_toast (BuzonWindow *self,
                        AdwToast    *toast)
{
  g_return_if_fail (BUZON_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
