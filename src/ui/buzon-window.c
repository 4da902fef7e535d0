/* buzon-window.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonWindow is the main window: the accounts and their folders in the
 * sidebar (BuzonSidebar), the message list of the folder chosen there (a
 * GtkListView over a lazily read BuzonMessageList), and the reader
 * (BuzonReader), in two nested AdwLeaflets so it folds on narrow screens.
 *
 * The window owns no sync: the application's BuzonSyncManager keeps the
 * accounts in sync, and the window shows its state (a status per account in
 * the sidebar; a banner over the list for the account shown, with the action
 * that fixes the problem), tells it which folder is looked at (so IDLE
 * follows it), asks it for bodies that are not stored, and kicks it after
 * every change the user makes, which goes through buzon-mail-ops (the store
 * first, then the operation queue to the server). Message actions, moves,
 * drops and Undo live in buzon-window-actions.c.
 *
 * A folder's list is grouped by conversation (a threaded BuzonMessageList)
 * while the setting show-threads is on; the stateful action win.show-threads
 * in the primary menu switches it at once, keeping the folder and the
 * message read. Search results are always single messages.
 *
 * The search bar (Ctrl+F) searches the store's full-text index in the folder
 * or in all folders, as the user types; for IMAP accounts the server can be
 * searched too, for mail whose text is not stored here.
 *
 * When the store could not be opened, the window shows why instead of the
 * panes. The window keeps its size and maximized state in GSettings. With
 * BUZON_REPORT_TIMINGS set, it prints when a folder's first rows were drawn
 * (the benchmark reads it).
 */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "buzon-certificate.h"
#include "buzon-net-error.h"
#include "buzon-pop3-sync.h"
#include "buzon-secrets.h"
#include "buzon-store.h"
#include "buzon-tls-probe.h"

#include "buzon-application.h"
#include "buzon-message-row.h"
#include "buzon-window-compose.h"
#include "buzon-window-private.h"

G_DEFINE_FINAL_TYPE (BuzonWindow, buzon_window, ADW_TYPE_APPLICATION_WINDOW)

/* Search results shown at most; the index ranks them, so these are the best. */
#define SEARCH_LIMIT 1000

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

static void show_list_page      (BuzonWindow *self);
static void update_banner       (BuzonWindow *self);
static void select_pending      (BuzonWindow *self);

/* Helpers */

/**
 * _buzon_window_find_account:
 * @account_id: an account's store id
 *
 * Returns: (transfer none) (nullable): the account, from the sidebar's list
 */
BuzonAccount *
_buzon_window_find_account (BuzonWindow *self,
                            gint64       account_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BuzonAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (buzon_account_get_id (account) == account_id)
        return account;  /* the list keeps its reference */
    }

  return NULL;
}

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

/* Accounts */

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

  /* The account shown may be gone, or have changed (its name, its mode). */
  if (self->account != NULL)
    {
      BuzonAccount *now = _buzon_window_find_account (self, buzon_account_get_id (self->account));

      if (now == NULL)
        g_clear_object (&self->account);
      else
        g_set_object (&self->account, now);
    }
  for (guint i = 0; i < accounts->len; i++)
    {
      BuzonAccount *account = accounts->pdata[i];
      const GError *state_error = NULL;
      BuzonSyncState state = BUZON_SYNC_STATE_IDLE;

      if (self->sync != NULL)
        state = buzon_sync_manager_get_state (self->sync, buzon_account_get_id (account),
                                              &state_error);
      buzon_sidebar_set_account_status (self->sidebar, buzon_account_get_id (account),
                                        (BuzonSidebarStatus)state,
                                        state_error != NULL ? state_error->message : NULL);
    }
  update_banner (self);
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

/* The message list */

static void
report_first_rows_drawn (BuzonWindow *self)
{
  BuzonApplication *app = BUZON_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  gint64 now = g_get_monotonic_time ();

  if (!self->report_timings || self->first_rows_reported)
    return;
  self->first_rows_reported = TRUE;
  g_print ("buzon: first rows of “%s” (%u messages) drawn %.1f ms after start, "
           "%.1f ms after the folder was opened\n",
           self->folder != NULL ? self->folder->name : "",
           g_list_model_get_n_items (G_LIST_MODEL (self->messages)),
           app != NULL ? (now - buzon_application_get_start_time (app)) / 1000.0 : 0.0,
           (now - self->folder_opened_at) / 1000.0);
}

static void
after_paint_cb (GdkFrameClock *clock,
                BuzonWindow   *self)
{
  g_clear_signal_handler (&self->after_paint_handler, clock);
  report_first_rows_drawn (self);
}

static void
first_page_loaded_cb (BuzonWindow      *self,
                      BuzonMessageList *messages)
{
  GdkFrameClock *clock;

  if (messages != self->messages || !self->report_timings)
    return;

  /* The rows are filled now; they are drawn at the next frame. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self->message_view));
  if (clock == NULL)
    {
      report_first_rows_drawn (self);
      return;
    }
  if (self->after_paint_handler == 0)
    self->after_paint_handler = g_signal_connect_object (clock, "after-paint",
                                                         G_CALLBACK (after_paint_cb), self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self->message_view));
}

static void
show_list_page (BuzonWindow *self)
{
  guint n;

  if (self->messages == NULL)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "no-folder");
      return;
    }
  if (buzon_message_list_get_loading (self->messages))
    {
      gtk_spinner_start (self->list_spinner);
      gtk_stack_set_visible_child_name (self->list_stack, "loading");
      return;
    }
  gtk_spinner_stop (self->list_spinner);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  if (n > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      select_pending (self);
      return;
    }

  if (self->search_text != NULL)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (gtk_check_button_get_active (self->search_all_button)
                                ? _("No message matches “%s”.")
                                : _("No message in this folder matches “%s”. Try searching all folders."),
                              self->search_text);
      adw_status_page_set_description (self->no_results_page, text);
      gtk_stack_set_visible_child_name (self->list_stack, "no-results");
      return;
    }

  if (self->folder != NULL && self->folder->special_use == BUZON_SPECIAL_USE_INBOX &&
      self->account != NULL && buzon_account_get_protocol (self->account) == BUZON_PROTOCOL_POP3)
    adw_status_page_set_description (self->empty_folder_page,
                                     _("New mail is downloaded here from the server. "
                                       "Nothing has arrived yet."));
  else if (self->folder != NULL && self->folder->special_use == BUZON_SPECIAL_USE_INBOX)
    adw_status_page_set_description (self->empty_folder_page,
                                     _("New mail appears here as soon as it arrives."));
  else
    adw_status_page_set_description (self->empty_folder_page,
                                     _("Drag messages here from another folder to move them."));
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
messages_changed_cb (BuzonWindow *self)
{
  show_list_page (self);
  _buzon_window_update_actions (self);
}

/* Over the reader, the messages of the conversation opened, when the row is
 * a conversation's: the ones the row stands for in the folder. */
static void
show_conversation (BuzonWindow *self)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  if (self->messages != NULL && buzon_message_list_get_threaded (self->messages))
    {
      gint64 folder_id = buzon_message_list_get_folder_id (self->messages);

      ids = buzon_store_list_thread_message_ids_in_folder (self->store, folder_id,
                                                           &self->reader_message, 1, NULL);
    }
  if (ids != NULL && ids->len > 1)
    messages = buzon_store_get_messages (self->store, (const gint64 *)(gpointer)ids->data,
                                         ids->len, NULL);
  buzon_reader_set_conversation (self->reader, messages);
}

/* Shows the first selected message in the reader, or how many are selected. */
static void
update_reader (BuzonWindow *self)
{
  g_autoptr(GArray) ids = _buzon_window_dup_selected_rows (self);
  BuzonAccount *account;

  if (ids->len == 0)
    {
      self->reader_message = 0;
      g_cancellable_cancel (self->fetch_cancellable);
      buzon_reader_clear (self->reader);
      gtk_stack_set_visible_child_name (self->reader_stack, "none");
      return;
    }

  if (ids->len > 1)
    {
      g_autofree char *title = NULL;

      if (self->messages != NULL && buzon_message_list_get_threaded (self->messages))
        /* Translators: the reader pane when several conversations are
         * selected in a list grouped by conversation. */
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Conversation Selected",
                                              "%u Conversations Selected", ids->len),
                                 ids->len);
      else
        /* Translators: the reader pane when several messages are selected. */
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Message Selected",
                                              "%u Messages Selected", ids->len),
                                 ids->len);
      /* Back to one, that one is shown again (the pane shows the count now). */
      self->reader_message = 0;
      adw_status_page_set_title (self->selection_page, title);
      adw_status_page_set_description (self->selection_page,
                                       _("Drag them onto a folder to move them, "
                                         "or use the buttons above."));
      gtk_stack_set_visible_child_name (self->reader_stack, "selection");
      return;
    }

  if (g_array_index (ids, gint64, 0) == self->reader_message)
    return;

  self->reader_message = g_array_index (ids, gint64, 0);
  account = self->account;
  if (self->messages != NULL && buzon_message_list_get_folder_id (self->messages) == 0)
    {
      /* A search over all folders: the message's own account. */
      g_autoptr(BuzonMessageSummary) summary = NULL;
      g_autoptr(BuzonFolder) folder = NULL;

      summary = buzon_store_get_message (self->store, self->reader_message, NULL);
      if (summary != NULL)
        folder = buzon_store_get_folder (self->store, summary->folder_id, NULL);
      if (folder != NULL)
        account = _buzon_window_find_account (self, folder->account_id);
    }
  if (account == NULL)
    return;

  g_cancellable_cancel (self->fetch_cancellable);
  buzon_reader_show_message (self->reader, self->store, account, self->reader_message);
  show_conversation (self);
  gtk_stack_set_visible_child_name (self->reader_stack, "message");
}

static void
selection_changed_cb (BuzonWindow *self)
{
  update_reader (self);
  _buzon_window_update_actions (self);
}

static void
message_activated_cb (BuzonWindow *self,
                      guint        position)
{
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  adw_leaflet_set_visible_child_name (self->inner_leaflet, "reader");
}

/* In a threaded list, the row of @message_id's conversation: its newest
 * message in the folder. */
static gboolean
find_conversation_row (BuzonWindow *self,
                       gint64       message_id,
                       guint       *out_position)
{
  g_autoptr(GArray) ids = NULL;
  gint64 folder_id;

  if (self->messages == NULL || !buzon_message_list_get_threaded (self->messages))
    return FALSE;
  folder_id = buzon_message_list_get_folder_id (self->messages);
  ids = buzon_store_list_thread_message_ids_in_folder (self->store, folder_id, &message_id, 1,
                                                       NULL);

  return ids != NULL && ids->len > 0 &&
         buzon_message_list_get_position_of (self->messages, g_array_index (ids, gint64, 0),
                                             out_position);
}

/* Selects pending_message once the list holds it (a notification clicked,
 * the list regrouped); in a threaded list, its conversation's row, with the
 * message itself in the reader. */
static void
select_pending (BuzonWindow *self)
{
  gint64 pending = self->pending_message;
  gboolean in_conversation = FALSE;
  guint position;

  if (pending == 0 || self->messages == NULL || buzon_message_list_get_loading (self->messages))
    return;
  self->pending_message = 0;

  if (!buzon_message_list_get_position_of (self->messages, pending, &position))
    {
      if (!find_conversation_row (self, pending, &position))
        return;
      in_conversation = TRUE;
    }

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (self->message_view), "list.scroll-to-item",
                              "u", position);
  adw_leaflet_set_visible_child_name (self->outer_leaflet, "content");
  adw_leaflet_set_visible_child_name (self->inner_leaflet, "reader");

  /* The row opened its conversation's newest message: the one asked for
   * instead, in the conversation's strip. */
  if (in_conversation && self->account != NULL && self->reader_message != 0 &&
      buzon_reader_get_message_id (self->reader) != pending)
    {
      buzon_reader_show_message (self->reader, self->store, self->account, pending);
      show_conversation (self);
    }
}

/* The drag source of the list carries the selection and the account shown:
 * one per list, never one more for each folder opened. */
static void
replace_drag_source (BuzonWindow *self)
{
  g_autoptr(GListModel) controllers = NULL;
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func (g_object_unref);

  controllers = gtk_widget_observe_controllers (GTK_WIDGET (self->message_view));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DRAG_SOURCE (controller))
        g_ptr_array_add (sources, g_steal_pointer (&controller));
    }
  for (guint i = 0; i < sources->len; i++)
    gtk_widget_remove_controller (GTK_WIDGET (self->message_view), sources->pdata[i]);

  if (self->selection != NULL && self->account != NULL)
    buzon_message_row_add_drag_source (self->message_view, GTK_SELECTION_MODEL (self->selection),
                                       buzon_account_get_id (self->account));
}

/* Puts @messages (a folder, or search results) in the list. */
static void
set_messages (BuzonWindow      *self,
              BuzonMessageList *messages)
{
  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);

  g_set_object (&self->messages, messages);
  g_clear_object (&self->selection);
  self->reader_message = 0;
  self->first_rows_reported = FALSE;
  self->folder_opened_at = g_get_monotonic_time ();

  if (messages != NULL)
    {
      self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (messages)));
      g_signal_connect_object (messages, "notify::loading",
                               G_CALLBACK (messages_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (messages, "items-changed",
                               G_CALLBACK (messages_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (messages, "first-page-loaded",
                               G_CALLBACK (first_page_loaded_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->selection, "selection-changed",
                               G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
    }

  gtk_list_view_set_model (self->message_view, GTK_SELECTION_MODEL (self->selection));
  replace_drag_source (self);
  update_reader (self);
  show_list_page (self);
  _buzon_window_update_actions (self);
}

/* The list of a folder: its conversations or its messages, as set. */
static BuzonMessageList *
new_folder_list (BuzonWindow *self,
                 gint64       folder_id)
{
  if (self->show_threads)
    return buzon_message_list_new_threaded (self->store, folder_id);

  return buzon_message_list_new (self->store, folder_id);
}

static void
show_folder (BuzonWindow       *self,
             BuzonAccount      *account,
             const BuzonFolder *folder)
{
  g_autoptr(BuzonMessageList) messages = NULL;
  g_autofree char *title = NULL;

  g_set_object (&self->account, account);
  g_clear_pointer (&self->folder, buzon_folder_free);

  if (folder == NULL)
    {
      adw_window_title_set_title (self->list_title, "");
      adw_window_title_set_subtitle (self->list_title, "");
      set_messages (self, NULL);
      update_banner (self);
      return;
    }

  self->folder = buzon_folder_copy (folder);
  title = buzon_sidebar_dup_folder_title (folder);
  adw_window_title_set_title (self->list_title, title);
  adw_window_title_set_subtitle (self->list_title, buzon_account_get_name (account));
  gtk_widget_set_visible (GTK_WIDGET (self->search_server_button),
                          buzon_account_get_protocol (account) == BUZON_PROTOCOL_IMAP);

  if (self->sync != NULL)
    buzon_sync_manager_set_viewed_folder (self->sync, folder->id);

  if (self->search_text != NULL)
    {
      /* The search follows the folder. */
      g_signal_emit_by_name (self->search_entry, "search-changed");
    }
  else
    {
      messages = new_folder_list (self, folder->id);
      set_messages (self, messages);
    }
  update_banner (self);
}

static void
folder_selected_cb (BuzonWindow  *self,
                    BuzonAccount *account,
                    BuzonFolder  *folder)
{
  if (folder != NULL && self->folder != NULL && folder->id == self->folder->id &&
      self->messages != NULL)
    return;

  show_folder (self, account, folder);
  if (folder != NULL)
    adw_leaflet_set_visible_child_name (self->outer_leaflet, "content");
}

/* Grouping by conversation */

/* Shows the folder's list grouped or not, as #BuzonWindow:show_threads now
 * says, with the same folder, and the message read before selected again
 * (in a threaded list, its conversation's row). Search results stay as
 * they are: they are always single messages. */
static void
apply_show_threads (BuzonWindow *self,
                    gboolean     show_threads)
{
  g_autoptr(BuzonMessageList) messages = NULL;
  gint64 keep;

  if (self->show_threads == show_threads)
    return;
  self->show_threads = show_threads;
  if (self->folder == NULL || self->search_text != NULL || self->messages == NULL)
    return;

  keep = buzon_reader_get_message_id (self->reader);
  if (keep <= 0 || self->reader_message == 0)
    {
      g_autoptr(GArray) rows = _buzon_window_dup_selected_rows (self);

      keep = rows->len > 0 ? g_array_index (rows, gint64, 0) : 0;
    }

  messages = new_folder_list (self, self->folder->id);
  set_messages (self, messages);
  self->pending_message = keep;
  select_pending (self);
}

static void
show_threads_changed_cb (BuzonWindow *self)
{
  apply_show_threads (self, g_settings_get_boolean (self->settings, "show-threads"));
}

/* Without settings (an uninstalled build with no compiled schema) the
 * action still works, for this window only. */
static void
show_threads_change_state_cb (GSimpleAction *action,
                              GVariant      *state,
                              BuzonWindow   *self)
{
  g_simple_action_set_state (action, state);
  apply_show_threads (self, g_variant_get_boolean (state));
}

static void
init_show_threads (BuzonWindow *self)
{
  g_autoptr(GAction) action = NULL;

  if (self->settings != NULL)
    {
      self->show_threads = g_settings_get_boolean (self->settings, "show-threads");
      action = g_settings_create_action (self->settings, "show-threads");
      g_signal_connect_object (self->settings, "changed::show-threads",
                               G_CALLBACK (show_threads_changed_cb), self, G_CONNECT_SWAPPED);
    }
  else
    {
      self->show_threads = FALSE;
      action = G_ACTION (g_simple_action_new_stateful ("show-threads", NULL,
                                                       g_variant_new_boolean (FALSE)));
      g_signal_connect_object (action, "change-state",
                               G_CALLBACK (show_threads_change_state_cb), self, 0);
    }
  g_action_map_add_action (G_ACTION_MAP (self), action);
}

/* Search */

typedef struct
{
  BuzonWindow *self;
  BuzonStore  *store;
  guint        serial;
  char        *query;
  gint64       folder_id;
  gboolean     server;
} SearchRequest;

static void
search_request_free (SearchRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->store);
  g_free (request->query);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SearchRequest, search_request_free)

static void
search_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchRequest *request = task_data;
  GError *error = NULL;
  GArray *ids;

  (void)source_object;
  ids = buzon_store_search (request->store, request->query, request->folder_id,
                            SEARCH_LIMIT, &error);
  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify)g_array_unref);
}

static void
search_server_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SearchRequest) request = user_data;
  BuzonWindow *self = request->self;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GArray) merged = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageList) messages = NULL;
  guint n;

  found = buzon_sync_manager_search_server_finish (BUZON_SYNC_MANAGER (object), result, &error);
  if (request->serial != self->search_serial || self->messages == NULL)
    return;
  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("The server could not be searched: %s"),
                                                   error->message);

          buzon_window_add_toast (self, adw_toast_new (text));
        }
      return;
    }

  /* What the index found first, then what only the server found. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  merged = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n + found->len);
  for (guint i = 0; i < n; i++)
    {
      gint64 id = buzon_message_list_get_id_at (self->messages, i);

      g_array_append_val (merged, id);
    }
  for (guint i = 0; i < found->len; i++)
    {
      gint64 id = ((BuzonMessageSummary *)found->pdata[i])->id;
      guint position;

      if (!buzon_message_list_get_position_of (self->messages, id, &position))
        g_array_append_val (merged, id);
    }
  if (merged->len == n)
    return;

  messages = buzon_message_list_new_for_ids (self->store, merged);
  set_messages (self, messages);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  BuzonWindow *self = BUZON_WINDOW (object);
  SearchRequest *request = g_task_get_task_data (G_TASK (result));
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonMessageList) messages = NULL;

  (void)user_data;
  ids = g_task_propagate_pointer (G_TASK (result), &error);
  if (request->serial != self->search_serial)
    return;
  if (ids == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("The search failed: %s"), error->message);
      buzon_window_add_toast (self, adw_toast_new (text));
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    }

  messages = buzon_message_list_new_for_ids (self->store, ids);
  set_messages (self, messages);

  if (request->server && self->sync != NULL && self->account != NULL && self->folder != NULL)
    {
      SearchRequest *server = g_new0 (SearchRequest, 1);

      server->self = g_object_ref (self);
      server->serial = request->serial;
      buzon_sync_manager_search_server_async (self->sync,
                                              buzon_account_get_id (self->account),
                                              self->folder->name, request->query,
                                              self->search_cancellable,
                                              search_server_cb, server);
    }
}

static void
on_search_changed_cb (BuzonWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autoptr(GTask) task = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  SearchRequest *request;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->search_serial++;

  if (stripped[0] == '\0' || !gtk_search_bar_get_search_mode (self->search_bar))
    {
      g_autoptr(BuzonMessageList) messages = NULL;

      if (self->search_text == NULL)
        return;
      g_clear_pointer (&self->search_text, g_free);
      if (self->folder != NULL)
        messages = new_folder_list (self, self->folder->id);
      set_messages (self, messages);
      return;
    }

  g_free (self->search_text);
  self->search_text = g_steal_pointer (&stripped);
  self->search_cancellable = g_cancellable_new ();

  request = g_new0 (SearchRequest, 1);
  request->store = g_object_ref (self->store);
  request->serial = self->search_serial;
  request->query = g_strdup (self->search_text);
  request->folder_id = gtk_check_button_get_active (self->search_all_button) || self->folder == NULL
                         ? 0 : self->folder->id;
  request->server = gtk_widget_get_visible (GTK_WIDGET (self->search_server_button)) &&
                    gtk_check_button_get_active (self->search_server_button) &&
                    request->folder_id != 0;

  task = g_task_new (self, self->search_cancellable, search_cb, NULL);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (on_search_changed_cb));
  g_task_set_task_data (task, request, (GDestroyNotify)search_request_free);
  g_task_run_in_thread (task, search_worker);
}

static void
on_stop_search_cb (BuzonWindow *self)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
search_mode_changed_cb (BuzonWindow *self)
{
  if (!gtk_search_bar_get_search_mode (self->search_bar))
    on_search_changed_cb (self);
}

/* The reader */

typedef struct
{
  BuzonWindow *self;
  gint64       message_id;
} FetchRequest;

static void
fetch_body_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FetchRequest *request = user_data;
  BuzonWindow *self = request->self;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = buzon_sync_manager_fetch_body_finish (BUZON_SYNC_MANAGER (object), result, &error);
  if (body == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    buzon_reader_show_fetch_error (self->reader, request->message_id, error->message);
  else if (body != NULL && buzon_reader_get_message_id (self->reader) == request->message_id)
    {
      BuzonAccount *account = self->account;

      if (account != NULL)
        buzon_reader_show_message (self->reader, self->store, account, request->message_id);
    }

  g_object_unref (request->self);
  g_free (request);
}

static void
reader_fetch_body_cb (BuzonWindow *self,
                      gint64       message_id,
                      BuzonReader *reader)
{
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  FetchRequest *request;

  (void)reader;
  if (self->sync == NULL)
    {
      buzon_reader_show_fetch_error (self->reader, message_id,
                                     _("Buzón is not connected to this account’s server."));
      return;
    }

  summary = buzon_store_get_message (self->store, message_id, NULL);
  if (summary != NULL)
    folder = buzon_store_get_folder (self->store, summary->folder_id, NULL);
  if (folder == NULL)
    {
      buzon_reader_show_fetch_error (self->reader, message_id,
                                     _("The message is no longer in this folder."));
      return;
    }

  g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->fetch_cancellable);
  self->fetch_cancellable = g_cancellable_new ();

  request = g_new0 (FetchRequest, 1);
  request->self = g_object_ref (self);
  request->message_id = message_id;
  buzon_sync_manager_fetch_body_async (self->sync, folder->account_id, message_id,
                                       self->fetch_cancellable, fetch_body_cb, request);
}

/* Sync state */

/* The banner over the list says what is wrong with the account shown, and
 * offers what fixes it. */
static void
update_banner (BuzonWindow *self)
{
  const GError *error = NULL;
  BuzonSyncState state;
  const char *button = NULL;
  g_autofree char *text = NULL;

  g_clear_object (&self->banner_account);
  if (self->sync == NULL)
    {
      gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
      return;
    }

  /* The account shown; with no folder shown (an account that never synced
   * has none), the first account that has a problem. */
  if (self->account != NULL)
    self->banner_account = g_object_ref (self->account);
  else
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->accounts)); i++)
      {
        g_autoptr(BuzonAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

        if (buzon_sync_manager_get_state (self->sync, buzon_account_get_id (account), NULL) >=
            BUZON_SYNC_STATE_OFFLINE)
          {
            self->banner_account = g_steal_pointer (&account);
            break;
          }
      }
  if (self->banner_account == NULL)
    {
      gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
      return;
    }

  state = buzon_sync_manager_get_state (self->sync, buzon_account_get_id (self->banner_account),
                                        &error);
  switch (state)
    {
    case BUZON_SYNC_STATE_OFFLINE:
      text = g_strdup (_("You are offline. Changes are kept and sent when the network is back."));
      break;
    case BUZON_SYNC_STATE_ERROR:
      if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CREDENTIALS))
        {
          text = g_strdup (_("The server rejected the password."));
          button = _("_Enter Password");
        }
      else if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED))
        {
          text = g_strdup (_("The server’s certificate is not trusted."));
          button = _("_Review");
        }
      else
        {
          text = g_strdup (error != NULL ? error->message : _("The account could not be checked."));
          button = _("_Try Again");
        }
      break;
    case BUZON_SYNC_STATE_IDLE:
    case BUZON_SYNC_STATE_SYNCING:
    default:
      /* A POP3 server without UIDL: leaving mail on it cannot be exact. */
      if (buzon_account_get_protocol (self->banner_account) == BUZON_PROTOCOL_POP3 &&
          buzon_account_get_pop3_mode (self->banner_account) != BUZON_POP3_MODE_DELETE &&
          buzon_store_pop3_uses_fingerprints (self->store,
                                              buzon_account_get_id (self->banner_account)))
        text = g_strdup (buzon_pop3_sync_fingerprint_warning ());
      break;
    }

  if (text == NULL)
    {
      gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
      return;
    }
  gtk_label_set_text (self->banner_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_button), button != NULL);
  if (button != NULL)
    gtk_button_set_label (self->banner_button, button);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

static void
sync_state_changed_cb (BuzonWindow      *self,
                       gint64            account_id,
                       BuzonSyncManager *sync)
{
  const GError *error = NULL;
  BuzonSyncState state = buzon_sync_manager_get_state (sync, account_id, &error);
  const char *tooltip = NULL;

  switch (state)
    {
    case BUZON_SYNC_STATE_SYNCING:
      tooltip = _("Checking for mail…");
      break;
    case BUZON_SYNC_STATE_OFFLINE:
      tooltip = _("Offline");
      break;
    case BUZON_SYNC_STATE_ERROR:
      tooltip = error != NULL ? error->message : NULL;
      break;
    case BUZON_SYNC_STATE_IDLE:
    default:
      break;
    }
  buzon_sidebar_set_account_status (self->sidebar, account_id, (BuzonSidebarStatus)state, tooltip);
  update_banner (self);
}

static void
password_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      BuzonWindow      *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  BuzonAccount *account = g_object_get_data (G_OBJECT (dialog), "account");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "save") != 0 || account == NULL)
    return;

  if (!buzon_secrets_store_password (account, BUZON_SECRET_INCOMING,
                                     gtk_editable_get_text (entry), NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("The password could not be saved: %s"),
                                               error->message);

      buzon_window_add_toast (self, adw_toast_new (text));
      return;
    }
  buzon_sync_manager_retry (self->sync, buzon_account_get_id (account));
}

static void
ask_password (BuzonWindow  *self,
              BuzonAccount *account)
{
  GtkWidget *dialog;
  GtkWidget *entry = gtk_password_entry_new ();
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("Enter the password of %s. It is kept in your keyring."),
                          buzon_account_get_address (account));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Password Rejected"), body);
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Password"), -1);
  g_object_set (entry, "activates-default", TRUE, NULL);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save and Connect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "account", g_object_ref (account), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (password_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
trust_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   BuzonWindow      *self)
{
  BuzonTlsProbeResult *probe = g_object_get_data (G_OBJECT (dialog), "probe");
  BuzonAccount *account = g_object_get_data (G_OBJECT (dialog), "account");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "trust") != 0)
    return;
  if (!buzon_tls_probe_result_pin (probe, self->store, &error))
    {
      buzon_window_add_toast (self, adw_toast_new (error->message));
      return;
    }
  buzon_sync_manager_retry (self->sync, buzon_account_get_id (account));
}

typedef struct
{
  BuzonWindow  *self;
  BuzonAccount *account;
} ProbeRequest;

static void
probe_request_free (ProbeRequest *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->account);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProbeRequest, probe_request_free)

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ProbeRequest) request = user_data;
  BuzonWindow *self = request->self;
  g_autoptr(BuzonTlsProbeResult) probe = NULL;
  g_autoptr(GError) error = NULL;
  BuzonAccount *account = request->account;
  GtkWidget *dialog;
  g_autofree char *body = NULL;
  g_autofree char *fingerprint = NULL;

  (void)object;
  probe = buzon_tls_probe_finish (result, &error);
  if (probe == NULL || account == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        buzon_window_add_toast (self, adw_toast_new (error->message));
      return;
    }
  if (buzon_tls_probe_result_is_trusted (probe))
    {
      buzon_sync_manager_retry (self->sync, buzon_account_get_id (account));
      return;
    }

  fingerprint = buzon_certificate_format_fingerprint (buzon_tls_probe_result_get_sha256 (probe));
  /* Translators: %s are the server's name, port, the certificate's owner
   * and issuer, and its SHA-256 fingerprint. */
  body = g_strdup_printf (_("Buzón cannot confirm that %s:%u is the server it claims to be. "
                            "The certificate is issued to “%s” by “%s”.\n\n"
                            "SHA-256 fingerprint:\n%s\n\n"
                            "Trust it only if your mail provider gave you this fingerprint, "
                            "or you run this server yourself."),
                          buzon_tls_probe_result_get_host (probe),
                          buzon_tls_probe_result_get_port (probe),
                          buzon_tls_probe_result_get_subject_name (probe) != NULL
                            ? buzon_tls_probe_result_get_subject_name (probe) : "",
                          buzon_tls_probe_result_get_issuer_name (probe) != NULL
                            ? buzon_tls_probe_result_get_issuer_name (probe) : "",
                          fingerprint);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Certificate Not Trusted"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "trust", _("_Trust This Certificate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "trust",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "probe", buzon_tls_probe_result_ref (probe),
                          (GDestroyNotify)buzon_tls_probe_result_unref);
  g_object_set_data_full (G_OBJECT (dialog), "account", g_object_ref (account), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (trust_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_banner_button_clicked_cb (BuzonWindow *self)
{
  const GError *error = NULL;
  gint64 account_id;

  if (self->sync == NULL || self->banner_account == NULL)
    return;

  account_id = buzon_account_get_id (self->banner_account);
  buzon_sync_manager_get_state (self->sync, account_id, &error);
  if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CREDENTIALS))
    ask_password (self, self->banner_account);
  else if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED))
    {
      ProbeRequest *request = g_new0 (ProbeRequest, 1);

      request->self = g_object_ref (self);
      request->account = g_object_ref (self->banner_account);
      buzon_tls_probe_async (self->banner_account, BUZON_CONNECTION_SERVER_INCOMING, self->store,
                             NULL, self->cancellable, probe_cb, request);
    }
  else
    buzon_sync_manager_retry (self->sync, account_id);
}

/* Something the user should know that is not an error of the account: a
 * change the server refused (and that was undone here), for instance. */
static void
sync_notice_cb (BuzonWindow *self,
                gint64       account_id,
                const char  *text)
{
  BuzonAccount *account = _buzon_window_find_account (self, account_id);
  g_autofree char *message = NULL;

  if (account == NULL || text == NULL)
    return;
  /* Translators: an account's name, then what happened. */
  message = g_strdup_printf (_("%s: %s"), buzon_account_get_name (account), text);
  buzon_window_add_toast (self, adw_toast_new (message));
}

/* New mail */

static void
new_messages_cb (BuzonWindow      *self,
                 gint64            account_id,
                 gint64            folder_id,
                 GArray           *ids,
                 BuzonSyncManager *sync)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  BuzonAccount *account = _buzon_window_find_account (self, account_id);
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(BuzonMessageSummary) first = NULL;
  g_autofree char *title = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *id = NULL;

  (void)sync;
  if (app == NULL || account == NULL || ids->len == 0)
    return;
  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "notify-new-mail"))
    return;
  /* Someone looking at that very folder sees the mail arrive. */
  if (gtk_window_is_active (GTK_WINDOW (self)) && self->folder != NULL &&
      self->folder->id == folder_id && self->search_text == NULL)
    return;

  first = buzon_store_get_message (self->store, g_array_index (ids, gint64, ids->len - 1), NULL);
  if (first == NULL)
    return;

  if (ids->len == 1)
    {
      sender = buzon_message_item_sender_from_text (first->from);
      title = g_strdup_printf (_("New message from %s"),
                               sender != NULL && sender[0] != '\0' ? sender : _("Unknown sender"));
      notification = g_notification_new (title);
      g_notification_set_body (notification, first->subject != NULL && first->subject[0] != '\0'
                                               ? first->subject : _("(No subject)"));
    }
  else
    {
      g_autofree char *body = NULL;

      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message", "%u new messages",
                                            ids->len),
                               ids->len);
      notification = g_notification_new (title);
      body = g_strdup_printf (_("In %s"), buzon_account_get_name (account));
      g_notification_set_body (notification, body);
    }
  g_notification_set_default_action_and_target (notification, "app.show-message", "x",
                                                g_array_index (ids, gint64, ids->len - 1));
  g_notification_set_category (notification, "email.arrived");

  /* One notification per account, replaced by the next. */
  id = g_strdup_printf ("new-mail-%" G_GINT64_FORMAT, account_id);
  g_application_send_notification (app, id, notification);
}

static void
sidebar_queued_cb (BuzonWindow *self,
                   gint64       account_id)
{
  if (self->sync != NULL)
    buzon_sync_manager_kick (self->sync, account_id);
}

/* Window state */

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

static void
reader_settings_changed_cb (BuzonWindow *self)
{
  buzon_reader_set_mark_read_delay (self->reader,
                                    g_settings_get_uint (self->settings, "mark-read-delay"));
  buzon_reader_set_prefer_plain_text (self->reader,
                                      g_settings_get_boolean (self->settings, "prefer-plain-text"));
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
  g_cancellable_cancel (self->search_cancellable);
  g_cancellable_cancel (self->fetch_cancellable);
  self->list_serial++;
  self->search_serial++;

  if (self->messages != NULL)
    g_signal_handlers_disconnect_by_data (self->messages, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  g_clear_pointer (&self->message_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), BUZON_TYPE_WINDOW);

  g_clear_pointer (&self->undo, _buzon_window_undo_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->fetch_cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->messages);
  g_clear_object (&self->account);
  g_clear_object (&self->banner_account);
  g_clear_pointer (&self->folder, buzon_folder_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_object (&self->sync);
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

  g_type_ensure (BUZON_TYPE_SIDEBAR);
  g_type_ensure (BUZON_TYPE_READER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/buzonmail/Buzon/ui/buzon-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, error_menu_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, outer_leaflet);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, inner_leaflet);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, banner_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, search_all_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, search_server_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, list_spinner);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, message_view);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, empty_folder_page);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, no_results_page);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, reader_stack);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, selection_page);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, reader);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, move_button);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, move_popover);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, move_entry);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, move_list);
  gtk_widget_class_bind_template_child (widget_class, BuzonWindow, unread_button);
  gtk_widget_class_bind_template_callback (widget_class, on_banner_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);

  _buzon_window_class_init_actions (widget_class);
  _buzon_window_class_init_compose (widget_class);
}

static void
buzon_window_init (BuzonWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->fetch_cancellable = g_cancellable_new ();
  self->accounts = g_list_store_new (BUZON_TYPE_ACCOUNT);
  self->report_timings = g_getenv ("BUZON_REPORT_TIMINGS") != NULL;

  buzon_sidebar_set_accounts (self->sidebar, G_LIST_MODEL (self->accounts));
  g_signal_connect_object (self->sidebar, "folder-selected",
                           G_CALLBACK (folder_selected_cb), self, G_CONNECT_SWAPPED);

  gtk_list_view_set_factory (self->message_view, buzon_message_row_new_factory ());
  _buzon_window_init_message_menu (self);
  g_signal_connect_object (self->message_view, "activate",
                           G_CALLBACK (message_activated_cb), self, G_CONNECT_SWAPPED);

  g_object_bind_property (self->search_button, "active",
                          self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self->message_view));
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (search_mode_changed_cb), self, G_CONNECT_SWAPPED);

  buzon_reader_set_fetch_automatically (self->reader, TRUE);
  g_signal_connect_object (self->reader, "fetch-body",
                           G_CALLBACK (reader_fetch_body_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reader, "queued",
                           G_CALLBACK (sidebar_queued_cb), self, G_CONNECT_SWAPPED);

  gtk_spinner_start (self->loading_spinner);
  show_list_page (self);
  _buzon_window_update_actions (self);
}

/**
 * buzon_window_new:
 * @application: the application; its store (or the store's error), its
 *   sync manager and its settings are what the window shows and keeps
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
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::mark-read-delay",
                               G_CALLBACK (reader_settings_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::prefer-plain-text",
                               G_CALLBACK (reader_settings_changed_cb), self, G_CONNECT_SWAPPED);
      reader_settings_changed_cb (self);
    }
  init_show_threads (self);

  g_set_object (&self->store, buzon_application_get_store (application));
  g_set_object (&self->sync, buzon_application_get_sync_manager (application));
  store_error = buzon_application_get_store_error (application);

  if (self->store != NULL)
    {
      buzon_sidebar_set_store (self->sidebar, self->store);
      g_signal_connect_object (self->sidebar, "move-messages",
                               G_CALLBACK (_buzon_window_sidebar_move_messages_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sidebar, "move-folder",
                               G_CALLBACK (_buzon_window_sidebar_move_folder_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sidebar, "show-toast",
                               G_CALLBACK (_buzon_window_sidebar_show_toast_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sidebar, "queued",
                               G_CALLBACK (sidebar_queued_cb), self, G_CONNECT_SWAPPED);
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

  if (self->sync != NULL)
    {
      g_signal_connect_object (self->sync, "state-changed",
                               G_CALLBACK (sync_state_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync, "new-messages",
                               G_CALLBACK (new_messages_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync, "notice",
                               G_CALLBACK (sync_notice_cb), self, G_CONNECT_SWAPPED);
    }
  _buzon_window_init_compose (self);

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

/**
 * buzon_window_show_message:
 * @self: a #BuzonWindow
 * @message_id: a message in the store
 *
 * Opens the message's folder and selects it (a notification was clicked).
 */
void
buzon_window_show_message (BuzonWindow *self,
                           gint64       message_id)
{
  g_autoptr(BuzonMessageSummary) summary = NULL;

  g_return_if_fail (BUZON_IS_WINDOW (self));

  if (self->store == NULL)
    return;
  summary = buzon_store_get_message (self->store, message_id, NULL);
  if (summary == NULL)
    return;

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  self->pending_message = message_id;
  if (self->folder == NULL || self->folder->id != summary->folder_id)
    buzon_sidebar_select_folder (self->sidebar, summary->folder_id);
  select_pending (self);
}
