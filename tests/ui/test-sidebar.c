/* test-sidebar.c — BuzonSidebar, the folder tree, under Xvfb
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A store of its own with an IMAP account (INBOX, Sent, Work, Work/2026, a
 * \Noselect folder) and a POP3 account: the tree's order and nesting, the
 * unread badge following the store in place (same item, selection kept),
 * the drop rules (each refusal and each valid case), the real drop target
 * emitting "move-messages" and "move-folder", and "New Folder" through the
 * folder. actions creating the folder in the store, and the account's storage
 * quota (level bar, accessible properties, the warnings at 90% and 100%). A
 * screenshot of the sidebar goes to the build dir: tests/ui/sidebar.png, and
 * of the quota warnings: sidebar-quota-warning.png, sidebar-quota-full.png.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "buzon-dnd.h"
#include "buzon-mail-ops.h"
#include "buzon-sidebar-private.h"
#include "buzon-test-ui.h"
#include "buzon-store.h"

static char *data_home;

typedef struct
{
  BuzonStore   *store;
  BuzonAccount *imap;
  BuzonAccount *pop;
  GListStore   *accounts;
  GtkWidget    *window;
  BuzonSidebar *sidebar;
  gint64        inbox, sent, work, year, shared, pop_inbox;
} Fixture;

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gint64
add_folder (BuzonStore      *store,
            BuzonAccount    *account,
            const char      *name,
            BuzonSpecialUse  use,
            const char      *attributes)
{
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();
  g_autoptr(GError) error = NULL;

  folder->account_id = buzon_account_get_id (account);
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup ("/");
  folder->special_use = use;
  folder->attributes = g_strdup (attributes);
  g_assert_true (buzon_store_upsert_folder (store, folder, &error));
  g_assert_no_error (error);
  return folder->id;
}

static BuzonAccount *
add_account (BuzonStore    *store,
             const char    *name,
             BuzonProtocol  protocol)
{
  g_autoptr(BuzonAccount) account = buzon_account_new (name);
  g_autoptr(GError) error = NULL;

  buzon_account_set_address (account, "bruno@example.test");
  buzon_account_set_protocol (account, protocol);
  buzon_account_set_host (account, "127.0.0.1");
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, "echo x");
  g_assert_true (buzon_store_add_account (store, account, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_mail_ops_ensure_local_folders (store, account, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&account);
}

static void
add_messages (BuzonStore *store,
              gint64      folder_id,
              guint       first_uid,
              guint       n,
              gboolean    seen)
{
  g_autoptr(GPtrArray) summaries = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      BuzonMessageSummary *summary = buzon_message_summary_new ();

      summary->folder_id = folder_id;
      summary->uid = first_uid + i;
      summary->subject = g_strdup_printf ("Message %u", first_uid + i);
      summary->from = g_strdup ("ana@example.test");
      summary->date = 1700000000 + i;
      summary->flags = seen ? BUZON_MESSAGE_FLAG_SEEN : 0;
      g_ptr_array_add (summaries, summary);
    }
  g_assert_true (buzon_store_upsert_messages (store, summaries, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = g_build_filename (data_home, "sidebar.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) pop_inbox = NULL;

  g_remove (path);
  f->store = buzon_store_open (path, &error);
  g_assert_no_error (error);

  f->imap = add_account (f->store, "trabajo", BUZON_PROTOCOL_IMAP);
  f->inbox = add_folder (f->store, f->imap, "INBOX", BUZON_SPECIAL_USE_INBOX, NULL);
  f->work = add_folder (f->store, f->imap, "Work", BUZON_SPECIAL_USE_NONE, NULL);
  f->year = add_folder (f->store, f->imap, "Work/2026", BUZON_SPECIAL_USE_NONE, NULL);
  f->sent = add_folder (f->store, f->imap, "Sent", BUZON_SPECIAL_USE_SENT, NULL);
  f->shared = add_folder (f->store, f->imap, "Shared", BUZON_SPECIAL_USE_NONE,
                          "\\Noselect \\HasChildren");
  add_messages (f->store, f->inbox, 1, 3, FALSE);
  add_messages (f->store, f->work, 1, 12, TRUE);

  f->pop = add_account (f->store, "casa", BUZON_PROTOCOL_POP3);
  pop_inbox = buzon_store_lookup_folder (f->store, buzon_account_get_id (f->pop), "INBOX", NULL);
  g_assert_nonnull (pop_inbox);
  f->pop_inbox = pop_inbox->id;

  f->accounts = g_list_store_new (BUZON_TYPE_ACCOUNT);
  g_list_store_append (f->accounts, f->imap);
  g_list_store_append (f->accounts, f->pop);

  f->sidebar = BUZON_SIDEBAR (buzon_sidebar_new ());
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 300, 600);
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->sidebar));
  buzon_sidebar_set_store (f->sidebar, f->store);
  buzon_sidebar_set_accounts (f->sidebar, G_LIST_MODEL (f->accounts));
  gtk_window_present (GTK_WINDOW (f->window));
  while (gtk_widget_get_width (f->window) == 0)
    g_main_context_iteration (NULL, TRUE);
  spin (100);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin (50);
  g_clear_object (&f->accounts);
  g_clear_object (&f->imap);
  g_clear_object (&f->pop);
  g_clear_object (&f->store);
}

static char *
dump_tree (Fixture *f)
{
  GtkTreeListModel *tree = _buzon_sidebar_get_tree (f->sidebar);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (tree)); i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (tree), i);
      g_autoptr(BuzonSidebarItem) item = gtk_tree_list_row_get_item (row);
      g_autofree char *title = _buzon_sidebar_item_dup_title (item);

      g_string_append_printf (out, "%s%u:%s", i > 0 ? " " : "", gtk_tree_list_row_get_depth (row),
                              title);
    }
  return g_string_free (out, FALSE);
}

static GtkDropTarget *
drop_target_of (Fixture          *f,
                BuzonSidebarItem *item)
{
  GtkWidget *row = NULL;
  g_autoptr(GListModel) controllers = NULL;

  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (_buzon_sidebar_get_list_view (f->sidebar)));
       w != NULL && row == NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *child = gtk_widget_get_first_child (w);

      if (child != NULL && GTK_IS_TREE_EXPANDER (child))
        {
          g_autoptr(GObject) shown = gtk_tree_expander_get_item (GTK_TREE_EXPANDER (child));

          if (shown == (gpointer)item)
            row = child;
        }
    }
  g_assert_nonnull (row);

  controllers = gtk_widget_observe_controllers (row);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }
  g_assert_not_reached ();
}

static void
test_tree (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *tree = dump_tree (f);
  BuzonSidebarItem *inbox = _buzon_sidebar_find_folder_item (f->sidebar, f->inbox);
  BuzonSidebarItem *shared = _buzon_sidebar_find_folder_item (f->sidebar, f->shared);
  g_autofree char *label = NULL;

  g_assert_cmpstr (tree, ==,
                   "0:trabajo 1:Inbox 1:Sent 1:Shared 1:Work 2:2026 "
                   "0:casa 1:Inbox 1:Drafts 1:Sent 1:Archive 1:Trash");

  /* The Inbox of the first account, selected by default. */
  g_assert_nonnull (buzon_sidebar_get_selected_folder (f->sidebar));
  g_assert_cmpint (buzon_sidebar_get_selected_folder (f->sidebar)->id, ==, f->inbox);

  label = _buzon_sidebar_item_dup_accessible_label (inbox);
  g_assert_cmpstr (label, ==, "Inbox, 3 unread");

  /* \Noselect cannot be selected. */
  g_assert_false (buzon_sidebar_select_folder (f->sidebar, f->shared));
  g_assert_cmpint (buzon_sidebar_get_selected_folder (f->sidebar)->id, ==, f->inbox);
  g_assert_nonnull (shared);
  g_assert_true (buzon_sidebar_select_folder (f->sidebar, f->year));
  g_assert_cmpint (buzon_sidebar_get_selected_folder (f->sidebar)->id, ==, f->year);
}

static void
count_cb (guint *count)
{
  (*count)++;
}

static void
test_unread_in_place (Fixture       *f,
                      gconstpointer  data)
{
  BuzonSidebarItem *inbox = _buzon_sidebar_find_folder_item (f->sidebar, f->inbox);
  GtkTreeListModel *tree = _buzon_sidebar_get_tree (f->sidebar);
  guint notified = 0;
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (tree));
  g_autofree char *label = NULL;

  g_assert_true (buzon_sidebar_select_folder (f->sidebar, f->work));
  g_assert_cmpuint (_buzon_sidebar_item_get_unread_count (inbox), ==, 3);
  g_signal_connect_swapped (inbox, "notify::unread-count", G_CALLBACK (count_cb), &notified);

  add_messages (f->store, f->inbox, 10, 2, FALSE);
  spin (200);

  g_assert_cmpuint (notified, >=, 1);
  g_assert_true (_buzon_sidebar_find_folder_item (f->sidebar, f->inbox) == inbox);
  g_assert_cmpuint (_buzon_sidebar_item_get_unread_count (inbox), ==, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tree)), ==, n_rows);
  g_assert_cmpint (buzon_sidebar_get_selected_folder (f->sidebar)->id, ==, f->work);
  label = _buzon_sidebar_item_dup_accessible_label (inbox);
  g_assert_cmpstr (label, ==, "Inbox, 5 unread");
  g_signal_handlers_disconnect_by_data (inbox, &notified);
}

static void
test_rules (Fixture       *f,
            gconstpointer  data)
{
  gint64 imap = buzon_account_get_id (f->imap);
  gint64 pop = buzon_account_get_id (f->pop);
  gint64 ids[] = { 1, 2 };
  g_autoptr(BuzonMessageDrag) from_inbox = NULL;
  g_autoptr(BuzonMessageDrag) empty = NULL;
  g_autoptr(BuzonFolderDrag) year = buzon_folder_drag_new (imap, f->year);
  g_autoptr(BuzonFolderDrag) work = buzon_folder_drag_new (imap, f->work);
  g_autoptr(BuzonFolderDrag) sent = buzon_folder_drag_new (imap, f->sent);
  g_autoptr(GError) error = NULL;
  gint64 clash;

  from_inbox = buzon_message_drag_new (imap, f->inbox, ids, 2);
  empty = buzon_message_drag_new (imap, f->inbox, NULL, 0);

  /* Messages. */
  g_assert_true (buzon_sidebar_can_drop_messages (f->sidebar, f->work, from_inbox));
  g_assert_true (buzon_sidebar_can_drop_messages (f->sidebar, f->year, from_inbox));
  g_assert_false (buzon_sidebar_can_drop_messages (f->sidebar, f->inbox, from_inbox));
  g_assert_false (buzon_sidebar_can_drop_messages (f->sidebar, f->shared, from_inbox));
  g_assert_false (buzon_sidebar_can_drop_messages (f->sidebar, f->pop_inbox, from_inbox));
  g_assert_false (buzon_sidebar_can_drop_messages (f->sidebar, f->work, empty));

  /* Folders. */
  g_assert_true (buzon_sidebar_can_drop_folder (f->sidebar, imap, 0, year));
  g_assert_true (buzon_sidebar_can_drop_folder (f->sidebar, imap, f->shared, year));
  g_assert_true (buzon_sidebar_can_drop_folder (f->sidebar, imap, f->inbox, work));
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, imap, f->work, year));  /* parent */
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, imap, 0, work));        /* parent */
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, imap, f->work, work));  /* itself */
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, imap, f->year, work));  /* below */
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, pop, f->pop_inbox, year));
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, pop, 0, year));
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, imap, f->work, sent));  /* special */

  /* A sibling of the same name. */
  clash = add_folder (f->store, f->imap, "Shared/2026", BUZON_SPECIAL_USE_NONE, NULL);
  spin (100);
  g_assert_nonnull (_buzon_sidebar_find_folder_item (f->sidebar, clash));
  g_assert_false (buzon_sidebar_can_drop_folder (f->sidebar, imap, f->shared, year));
  g_assert_true (buzon_sidebar_can_drop_folder (f->sidebar, imap, 0, year));
  (void)error;
}

typedef struct
{
  guint   moves;
  gint64  target;
  gboolean copy;
  guint   folder_moves;
  gint64  folder;
  gint64  parent;
} Seen;

static void
move_messages_cb (BuzonSidebar     *sidebar,
                  BuzonFolder      *target,
                  BuzonMessageDrag *drag,
                  gboolean          copy,
                  Seen             *seen)
{
  seen->moves++;
  seen->target = target->id;
  seen->copy = copy;
}

static void
move_folder_cb (BuzonSidebar *sidebar,
                BuzonFolder  *folder,
                BuzonFolder  *parent,
                BuzonAccount *account,
                Seen         *seen)
{
  seen->folder_moves++;
  seen->folder = folder->id;
  seen->parent = parent != NULL ? parent->id : 0;
}

static gboolean
emit_drop (GtkDropTarget *target,
           const GValue  *value)
{
  gboolean ret = FALSE;

  g_signal_emit_by_name (target, "drop", value, 1.0, 1.0, &ret);
  return ret;
}

static void
test_drops (Fixture       *f,
            gconstpointer  data)
{
  gint64 imap = buzon_account_get_id (f->imap);
  gint64 ids[] = { 1, 2 };
  Seen seen = { 0 };
  g_auto(GValue) messages = G_VALUE_INIT;
  g_auto(GValue) folder = G_VALUE_INIT;
  BuzonSidebarItem *work = _buzon_sidebar_find_folder_item (f->sidebar, f->work);
  BuzonSidebarItem *inbox = _buzon_sidebar_find_folder_item (f->sidebar, f->inbox);
  BuzonSidebarItem *shared = _buzon_sidebar_find_folder_item (f->sidebar, f->shared);
  BuzonSidebarItem *account = _buzon_sidebar_find_account_item (f->sidebar, imap);

  g_signal_connect (f->sidebar, "move-messages", G_CALLBACK (move_messages_cb), &seen);
  g_signal_connect (f->sidebar, "move-folder", G_CALLBACK (move_folder_cb), &seen);

  g_value_init (&messages, BUZON_TYPE_MESSAGE_DRAG);
  g_value_take_boxed (&messages, buzon_message_drag_new (imap, f->inbox, ids, 2));

  /* The real drop targets: refused onto the folder they come from and a
   * \Noselect folder, taken (moved) by Work. */
  g_assert_false (emit_drop (drop_target_of (f, inbox), &messages));
  g_assert_false (emit_drop (drop_target_of (f, shared), &messages));
  g_assert_false (emit_drop (drop_target_of (f, account), &messages));
  g_assert_cmpuint (seen.moves, ==, 0);
  g_assert_true (emit_drop (drop_target_of (f, work), &messages));
  g_assert_cmpuint (seen.moves, ==, 1);
  g_assert_cmpint (seen.target, ==, f->work);
  g_assert_false (seen.copy);

  /* With Ctrl: a copy. */
  g_assert_true (_buzon_sidebar_drop_for_test (f->sidebar, work, &messages, GDK_ACTION_COPY));
  g_assert_cmpuint (seen.moves, ==, 2);
  g_assert_true (seen.copy);

  /* Folders: Work/2026 into Shared, then to the top (the account row). */
  g_value_init (&folder, BUZON_TYPE_FOLDER_DRAG);
  g_value_take_boxed (&folder, buzon_folder_drag_new (imap, f->year));
  g_assert_false (emit_drop (drop_target_of (f, work), &folder));
  g_assert_true (emit_drop (drop_target_of (f, shared), &folder));
  g_assert_cmpuint (seen.folder_moves, ==, 1);
  g_assert_cmpint (seen.folder, ==, f->year);
  g_assert_cmpint (seen.parent, ==, f->shared);
  g_assert_true (emit_drop (drop_target_of (f, account), &folder));
  g_assert_cmpuint (seen.folder_moves, ==, 2);
  g_assert_cmpint (seen.parent, ==, 0);

  g_signal_handlers_disconnect_by_data (f->sidebar, &seen);
}

static void
test_new_folder (Fixture       *f,
                 gconstpointer  data)
{
  gint64 imap = buzon_account_get_id (f->imap);
  BuzonSidebarItem *account = _buzon_sidebar_find_account_item (f->sidebar, imap);
  BuzonSidebarItem *work = _buzon_sidebar_find_folder_item (f->sidebar, f->work);
  g_autoptr(BuzonFolder) created = NULL;
  g_autoptr(BuzonFolder) sub = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;
  g_autofree char *tree = NULL;

  _buzon_sidebar_set_context_item (f->sidebar, account);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "folder.new-folder", NULL));
  dialog = _buzon_sidebar_get_dialog (f->sidebar);
  g_assert_nonnull (dialog);
  entry = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Projects");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  spin (200);

  created = buzon_store_lookup_folder (f->store, imap, "Projects", NULL);
  g_assert_nonnull (created);
  g_assert_nonnull (_buzon_sidebar_find_folder_item (f->sidebar, created->id));

  /* A subfolder of Work: the delimiter makes the full name. */
  _buzon_sidebar_set_context_item (f->sidebar, work);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "folder.new-subfolder", NULL));
  dialog = _buzon_sidebar_get_dialog (f->sidebar);
  entry = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Clients");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  spin (200);
  sub = buzon_store_lookup_folder (f->store, imap, "Work/Clients", NULL);
  g_assert_nonnull (sub);
  g_assert_cmpint (sub->parent_id, ==, f->work);

  tree = dump_tree (f);
  g_assert_cmpstr (tree, ==,
                   "0:trabajo 1:Inbox 1:Sent 1:Projects 1:Shared 1:Work 2:2026 2:Clients "
                   "0:casa 1:Inbox 1:Drafts 1:Sent 1:Archive 1:Trash");
}

static gboolean
menu_has (GMenuModel *menu,
          const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      for (int j = 0; section != NULL && j < g_menu_model_get_n_items (section); j++)
        {
          g_autofree char *name = NULL;

          if (g_menu_model_get_item_attribute (section, j, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
              g_strcmp0 (name, action) == 0)
            return TRUE;
        }
    }
  return FALSE;
}

static void
test_menu_actions (Fixture       *f,
                   gconstpointer  data)
{
  gint64 imap = buzon_account_get_id (f->imap);
  BuzonSidebarItem *work = _buzon_sidebar_find_folder_item (f->sidebar, f->work);
  BuzonSidebarItem *inbox = _buzon_sidebar_find_folder_item (f->sidebar, f->inbox);
  g_autoptr(BuzonFolder) trash = buzon_store_lookup_folder (f->store, buzon_account_get_id (f->pop),
                                                            "Trash", NULL);
  g_autoptr(BuzonFolder) gone = NULL;
  GtkWidget *dialog;

  /* Empty Trash only on the Trash. */
  _buzon_sidebar_set_context_item (f->sidebar, _buzon_sidebar_find_folder_item (f->sidebar, trash->id));
  g_assert_true (menu_has (_buzon_sidebar_get_menu_model (f->sidebar), "folder.empty"));
  _buzon_sidebar_set_context_item (f->sidebar, inbox);
  g_assert_false (menu_has (_buzon_sidebar_get_menu_model (f->sidebar), "folder.empty"));
  g_assert_true (menu_has (_buzon_sidebar_get_menu_model (f->sidebar), "folder.mark-all-read"));

  /* Mark All as Read: on a worker thread, the count follows. */
  g_assert_cmpuint (_buzon_sidebar_item_get_unread_count (inbox), >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "folder.mark-all-read", NULL));
  for (guint i = 0; i < 300 && _buzon_sidebar_item_get_unread_count (inbox) > 0; i++)
    spin (100);
  g_assert_cmpuint (_buzon_sidebar_item_get_unread_count (inbox), ==, 0);

  /* Empty Trash, once confirmed: every message gone, on a worker thread. */
  {
    g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
    g_autoptr(GArray) left = NULL;
    g_autoptr(GError) error = NULL;
    BuzonSidebarItem *trash_item = _buzon_sidebar_find_folder_item (f->sidebar, trash->id);

    for (guint i = 0; i < 3; i++)
      {
        BuzonMessageSummary *summary = buzon_message_summary_new ();

        summary->folder_id = trash->id;
        summary->subject = g_strdup_printf ("binned %u", i);
        summary->message_id = g_strdup_printf ("<binned-%u@example.test>", i);
        summary->date = 1700000000 + i;
        g_ptr_array_add (batch, summary);
      }
    g_assert_true (buzon_store_upsert_messages (f->store, batch, &error));
    g_assert_no_error (error);
    spin (100);

    _buzon_sidebar_set_context_item (f->sidebar, trash_item);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "folder.empty", NULL));
    dialog = _buzon_sidebar_get_dialog (f->sidebar);
    g_assert_nonnull (dialog);
    g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==,
                     "Its 3 messages are deleted for good. This cannot be undone.");
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "empty");
    for (guint i = 0; i < 300; i++)
      {
        g_clear_pointer (&left, g_array_unref);
        left = buzon_store_list_message_ids (f->store, trash->id, NULL);
        if (left != NULL && left->len == 0)
          break;
        spin (100);
      }
    g_assert_nonnull (left);
    g_assert_cmpuint (left->len, ==, 0);
  }

  /* Delete names the folder and its messages. */
  _buzon_sidebar_set_context_item (f->sidebar, work);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->sidebar), "folder.delete", NULL));
  dialog = _buzon_sidebar_get_dialog (f->sidebar);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Delete “Work” and its 12 messages?");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  spin (200);
  gone = buzon_store_get_folder (f->store, f->work, NULL);
  g_assert_null (gone);
  g_assert_null (_buzon_sidebar_find_folder_item (f->sidebar, f->work));
  g_assert_null (_buzon_sidebar_find_folder_item (f->sidebar, f->year));
  (void)imap;
}

static void
screenshot (GtkWidget  *window,
            const char *name)
{
  buzon_test_ui_screenshot (window, name, 300);
}

/* The row widget (the GtkTreeExpander) that shows @item. */
static GtkWidget *
row_widget_of (Fixture          *f,
               BuzonSidebarItem *item)
{
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (_buzon_sidebar_get_list_view (f->sidebar)));
       w != NULL; w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *child = gtk_widget_get_first_child (w);

      if (child != NULL && GTK_IS_TREE_EXPANDER (child))
        {
          g_autoptr(GObject) shown = gtk_tree_expander_get_item (GTK_TREE_EXPANDER (child));

          if (shown == (gpointer)item)
            return child;
        }
    }
  g_assert_not_reached ();
}

/* The first descendant of @widget of @type, depth first. */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        return w;
      if ((found = find_descendant (w, type)) != NULL)
        return found;
    }
  return NULL;
}

/* The visible label under @widget that says @text, or NULL. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  for (GtkWidget *w = gtk_widget_get_first_child (widget); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (w) && gtk_widget_get_visible (w) &&
          g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), text) == 0)
        return w;
      if ((found = find_label (w, text)) != NULL)
        return found;
    }
  return NULL;
}

/* gtk_test_accessible_assert_property() pastes the expected text into a
 * printf format, which a "%" in it breaks. */
static void
assert_text_property (GtkWidget             *widget,
                      GtkAccessibleProperty  property,
                      const char            *expected)
{
  g_autofree char *value = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), property,
                                                               expected);

  if (value != NULL)
    g_error ("accessible property %d is “%s”, not “%s”", property, value, expected);
}

static void
set_quota (Fixture *f,
           guint64  usage,
           guint64  limit)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (buzon_store_set_account_quota (f->store, buzon_account_get_id (f->imap), usage,
                                                limit, &error));
  g_assert_no_error (error);
  spin (100);
}

/* g_format_size() puts a no-break space before the unit. */
#define NBSP "\302\240"
#define ALMOST_FULL "Mailbox almost full"
#define FULL "Mailbox full: new mail cannot arrive. Delete messages or empty the Trash."

/* The account row shows the stored quota: a level bar with the numbers in
 * its tooltip and accessible properties, a warning from 90%, another at
 * 100%, following the store's quota-changed in place. */
static void
test_quota (Fixture       *f,
            gconstpointer  data)
{
  BuzonSidebarItem *imap = _buzon_sidebar_find_account_item (f->sidebar,
                                                             buzon_account_get_id (f->imap));
  BuzonSidebarItem *pop = _buzon_sidebar_find_account_item (f->sidebar,
                                                            buzon_account_get_id (f->pop));
  GtkWidget *row = row_widget_of (f, imap);
  GtkWidget *bar = find_descendant (row, GTK_TYPE_LEVEL_BAR);
  GtkWidget *pop_bar = find_descendant (row_widget_of (f, pop), GTK_TYPE_LEVEL_BAR);
  g_autofree char *label = NULL;
  guint notified = 0;
  guint64 usage, limit;

  /* Unknown: nothing shown, nothing said. */
  g_assert_nonnull (bar);
  g_assert_false (_buzon_sidebar_item_get_quota (imap, NULL, NULL));
  g_assert_false (gtk_widget_get_visible (bar));
  label = _buzon_sidebar_item_dup_accessible_label (imap);
  g_assert_null (strstr (label, "used"));
  g_clear_pointer (&label, g_free);

  /* 12%: the bar, its numbers, no warning. */
  g_signal_connect_swapped (imap, "notify::quota-fraction", G_CALLBACK (count_cb), &notified);
  set_quota (f, 12300000, 100000000);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_true (_buzon_sidebar_find_account_item (f->sidebar, buzon_account_get_id (f->imap))
                 == imap);
  g_assert_true (_buzon_sidebar_item_get_quota (imap, &usage, &limit));
  g_assert_cmpuint (usage, ==, 12300000);
  g_assert_cmpuint (limit, ==, 100000000);
  g_assert_true (gtk_widget_get_visible (bar));
  g_assert_cmpfloat_with_epsilon (gtk_level_bar_get_value (GTK_LEVEL_BAR (bar)), 0.123, 1e-9);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (bar), ==, "12.3" NBSP "MB of 100.0" NBSP "MB used");
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_ROLE_METER);
  assert_text_property (bar, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Mailbox storage, 12% used");
  assert_text_property (bar, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT,
                                       "12.3" NBSP "MB of 100.0" NBSP "MB used");
  assert_text_property (bar, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "12.3" NBSP "MB of 100.0" NBSP "MB used");
  g_assert_false (gtk_widget_has_css_class (bar, "warning"));
  g_assert_null (find_label (row, ALMOST_FULL));
  g_assert_null (find_label (row, FULL));
  label = _buzon_sidebar_item_dup_accessible_label (imap);
  g_assert_cmpstr (label, ==,
                   "trabajo, bruno@example.test, Kept on the server (IMAP), "
                   "12.3" NBSP "MB of 100.0" NBSP "MB used");
  g_clear_pointer (&label, g_free);

  /* The same numbers again change nothing. */
  set_quota (f, 12300000, 100000000);
  g_assert_cmpuint (notified, ==, 1);

  /* 90%: almost full, in warning colours. */
  set_quota (f, 90000000, 100000000);
  g_assert_cmpuint (notified, ==, 2);
  g_assert_true (gtk_widget_has_css_class (bar, "warning"));
  g_assert_nonnull (find_label (row, ALMOST_FULL));
  g_assert_true (gtk_widget_has_css_class (find_label (row, ALMOST_FULL), "warning"));
  g_assert_null (find_label (row, FULL));
  assert_text_property (bar, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Mailbox storage, 90% used");
  assert_text_property (bar, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "90.0" NBSP "MB of 100.0" NBSP "MB used. " ALMOST_FULL);
  label = _buzon_sidebar_item_dup_accessible_label (imap);
  g_assert_true (g_str_has_suffix (label, ", 90.0" NBSP "MB of 100.0" NBSP "MB used, " ALMOST_FULL));
  g_clear_pointer (&label, g_free);
  screenshot (f->window, "sidebar-quota-warning.png");

  /* 100% and over: full, what to do, in error colours; the bar stays full. */
  set_quota (f, 105000000, 100000000);
  g_assert_cmpfloat (gtk_level_bar_get_value (GTK_LEVEL_BAR (bar)), ==, 1.0);
  g_assert_true (gtk_widget_has_css_class (bar, "error"));
  g_assert_false (gtk_widget_has_css_class (bar, "warning"));
  g_assert_null (find_label (row, ALMOST_FULL));
  g_assert_nonnull (find_label (row, FULL));
  g_assert_true (gtk_widget_has_css_class (find_label (row, FULL), "error"));
  assert_text_property (bar, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Mailbox storage, 105% used");
  label = _buzon_sidebar_item_dup_accessible_label (imap);
  g_assert_true (g_str_has_suffix (label, ", 105.0" NBSP "MB of 100.0" NBSP "MB used, " FULL));
  g_clear_pointer (&label, g_free);
  screenshot (f->window, "sidebar-quota-full.png");

  /* Forgotten (the server stopped offering QUOTA): gone again. */
  g_assert_true (buzon_store_clear_account_quota (f->store, buzon_account_get_id (f->imap),
                                                  NULL));
  spin (100);
  g_assert_false (_buzon_sidebar_item_get_quota (imap, NULL, NULL));
  g_assert_false (gtk_widget_get_visible (bar));
  g_assert_null (find_label (row, FULL));

  /* The other account never had one. */
  g_assert_nonnull (pop_bar);
  g_assert_false (gtk_widget_get_visible (pop_bar));
  g_signal_handlers_disconnect_by_data (imap, &notified);
}

static void
test_screenshot (Fixture       *f,
                 gconstpointer  data)
{
  buzon_sidebar_set_account_status (f->sidebar, buzon_account_get_id (f->pop),
                                    BUZON_SIDEBAR_STATUS_ERROR, "The server refused the password.");
  buzon_sidebar_set_account_status (f->sidebar, buzon_account_get_id (f->imap),
                                    BUZON_SIDEBAR_STATUS_SYNCING, NULL);
  screenshot (f->window, "sidebar.png");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("SKIP: no display; run the UI tests under xvfb-run (and dbus-run-session)\n");
      return 77;
    }

  data_home = g_dir_make_tmp ("buzon-test-sidebar-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", data_home, TRUE);
  g_setenv ("LANGUAGE", "en", TRUE);

  g_set_prgname ("test-sidebar");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/buzon/ui/sidebar/tree", Fixture, NULL, fixture_set_up, test_tree, fixture_tear_down);
  g_test_add ("/buzon/ui/sidebar/unread-in-place", Fixture, NULL, fixture_set_up,
              test_unread_in_place, fixture_tear_down);
  g_test_add ("/buzon/ui/sidebar/rules", Fixture, NULL, fixture_set_up, test_rules,
              fixture_tear_down);
  g_test_add ("/buzon/ui/sidebar/drops", Fixture, NULL, fixture_set_up, test_drops,
              fixture_tear_down);
  g_test_add ("/buzon/ui/sidebar/new-folder", Fixture, NULL, fixture_set_up, test_new_folder,
              fixture_tear_down);
  g_test_add ("/buzon/ui/sidebar/menu-actions", Fixture, NULL, fixture_set_up, test_menu_actions,
              fixture_tear_down);
  g_test_add ("/buzon/ui/sidebar/quota", Fixture, NULL, fixture_set_up, test_quota,
              fixture_tear_down);
  g_test_add ("/buzon/ui/sidebar/screenshot", Fixture, NULL, fixture_set_up, test_screenshot,
              fixture_tear_down);

  ret = g_test_run ();

  command = g_strdup_printf ("rm -rf '%s'", data_home);
  (void)system (command);
  g_free (data_home);

  return ret;
}
