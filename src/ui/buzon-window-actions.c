/* buzon-window-actions.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What the user does to messages and folders in the main window: the win.*
 * actions (delete, archive, mark read or unread, flag, move to a folder,
 * search, undo), the "move to…" picker, and the drops the sidebar reports.
 *
 * Every change goes through buzon-mail-ops, which changes the store at once
 * (so the list and the sidebar show it) and queues the server operation; the
 * sync manager is then kicked to replay the queue. In a threaded list a
 * conversation's row stands for all its messages in the folder: actions,
 * moves and drags take them all, and Undo puts them all back. A move shows a toast with
 * Undo, which moves the very messages (ids survive a move) back where each
 * came from; a folder moved by dragging is renamed back. Only the newest
 * toast's change can be undone, as in Files and Geary. */

#define G_LOG_DOMAIN "buzon-ui"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "buzon-mail-ops.h"

#include "buzon-message-row.h"
#include "buzon-window-compose.h"
#include "buzon-window-private.h"

/* The selection */

/**
 * _buzon_window_dup_selected_rows:
 *
 * Returns: (transfer full): the ids of the selected rows, in list order: in a
 *   threaded list, each conversation's newest message in the folder
 */
GArray *
_buzon_window_dup_selected_rows (BuzonWindow *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  if (self->selection == NULL || self->messages == NULL)
    return ids;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 id = buzon_message_list_get_id_at (self->messages, position);

      if (id > 0)
        g_array_append_val (ids, id);
    }

  return ids;
}

/* The messages @rows of the list shown stand for: themselves in a flat
 * list, every message of their conversations in the folder in a threaded
 * one. @rows is taken. */
static GArray *
expand_rows (BuzonWindow *self,
             GArray      *rows)
{
  g_autoptr(GArray) owned = rows;
  g_autoptr(GError) error = NULL;
  GArray *ids;
  gint64 folder_id;

  if (rows->len == 0 || self->messages == NULL ||
      !buzon_message_list_get_threaded (self->messages))
    return g_steal_pointer (&owned);

  folder_id = buzon_message_list_get_folder_id (self->messages);
  ids = buzon_store_list_thread_message_ids_in_folder (self->store, folder_id,
                                                       (const gint64 *)(gpointer)rows->data,
                                                       rows->len, &error);
  if (ids == NULL)
    {
      /* The rows themselves, rather than nothing. */
      g_warning ("The messages of the selected conversations could not be read: %s",
                 error->message);
      return g_steal_pointer (&owned);
    }

  return ids;
}

/**
 * _buzon_window_dup_selected_ids:
 *
 * What the message actions act on. In a threaded list, a conversation's
 * row stands for all its messages in the folder (not its replies in Sent).
 *
 * Returns: (transfer full): the store ids of the selected messages, in list
 *   order (newest first within the conversations of a threaded list)
 */
GArray *
_buzon_window_dup_selected_ids (BuzonWindow *self)
{
  return expand_rows (self, _buzon_window_dup_selected_rows (self));
}

/* The account of the selected messages: the folder's, or in a search over
 * all folders, the first message's (actions on a mixed selection act on
 * that account's messages only). */
static BuzonAccount *
selection_account (BuzonWindow *self,
                   GArray      *ids)
{
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonFolder) folder = NULL;

  if (self->messages != NULL && buzon_message_list_get_folder_id (self->messages) != 0)
    return self->account;
  if (ids->len == 0)
    return NULL;

  summary = buzon_store_get_message (self->store, g_array_index (ids, gint64, 0), NULL);
  if (summary != NULL)
    folder = buzon_store_get_folder (self->store, summary->folder_id, NULL);

  return folder != NULL ? _buzon_window_find_account (self, folder->account_id) : NULL;
}

/* The account's folder with that special use, or NULL. */
static BuzonFolder *
find_special (BuzonWindow     *self,
              BuzonAccount    *account,
              BuzonSpecialUse  use)
{
  g_autoptr(GPtrArray) folders = NULL;

  folders = buzon_store_list_folders (self->store, buzon_account_get_id (account), NULL);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      BuzonFolder *folder = folders->pdata[i];

      if (folder->special_use == use)
        return buzon_folder_copy (folder);
    }

  return NULL;
}

static void
kick (BuzonWindow  *self,
      BuzonAccount *account)
{
  if (self->sync != NULL)
    buzon_sync_manager_kick (self->sync, buzon_account_get_id (account));
}

static void
show_error_toast (BuzonWindow  *self,
                  const GError *error)
{
  buzon_window_add_toast (self, adw_toast_new (error->message));
}

/* Narrow windows: one pane at a time, and the way back (GNOME HIG). */

static void
show_folders_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);

  (void)action_name;
  (void)parameter;
  adw_leaflet_navigate (self->outer_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);

  (void)action_name;
  (void)parameter;
  adw_leaflet_navigate (self->inner_leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Undo */

void
_buzon_window_undo_free (BuzonUndo *undo)
{
  if (undo == NULL)
    return;
  g_clear_object (&undo->account);
  g_clear_pointer (&undo->ids, g_array_unref);
  g_clear_pointer (&undo->from_folders, g_array_unref);
  g_clear_pointer (&undo->old_name, g_free);
  if (undo->toast != NULL)
    g_object_remove_weak_pointer (G_OBJECT (undo->toast), (gpointer *)&undo->toast);
  g_free (undo);
}

static void
toast_dismissed_cb (AdwToast    *toast,
                    BuzonWindow *self)
{
  if (self->undo != NULL && self->undo->toast == toast)
    g_clear_pointer (&self->undo, _buzon_window_undo_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", self->undo != NULL);
}

/* Shows @text in a toast with Undo for @undo (taken). */
static void
offer_undo (BuzonWindow *self,
            const char  *text,
            BuzonUndo   *undo)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 8);

  g_clear_pointer (&self->undo, _buzon_window_undo_free);
  self->undo = undo;
  undo->toast = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *)&undo->toast);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", TRUE);

  buzon_window_add_toast (self, toast);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  BuzonUndo *undo = g_steal_pointer (&self->undo);
  gboolean ok = TRUE;

  (void)action_name;
  (void)parameter;
  gtk_widget_action_set_enabled (widget, "win.undo", FALSE);
  if (undo == NULL)
    return;
  if (undo->toast != NULL)
    adw_toast_dismiss (undo->toast);

  switch (undo->kind)
    {
    case BUZON_UNDO_MOVE_MESSAGES:
      /* Back to each message's own folder (a search can mix folders). */
      for (guint i = 0; ok && i < undo->ids->len; i++)
        {
          gint64 from = g_array_index (undo->from_folders, gint64, i);
          g_autoptr(GArray) group = g_array_new (FALSE, FALSE, sizeof (gint64));

          if (from == 0)
            continue;
          for (guint j = i; j < undo->ids->len; j++)
            if (g_array_index (undo->from_folders, gint64, j) == from)
              {
                g_array_append_val (group, g_array_index (undo->ids, gint64, j));
                g_array_index (undo->from_folders, gint64, j) = 0;
              }
          ok = buzon_mail_ops_move (self->store, undo->account,
                                    (const gint64 *)(gpointer)group->data, group->len,
                                    from, &error);
        }
      break;

    case BUZON_UNDO_RENAME_FOLDER:
      ok = buzon_mail_ops_rename_folder (self->store, undo->account, undo->folder_id,
                                         undo->old_name, &error);
      break;

    case BUZON_UNDO_COPY_MESSAGES:
      /* The copies go, for good: they were never meant to be. */
      ok = buzon_mail_ops_delete_for_good (self->store, undo->account,
                                           (const gint64 *)(gpointer)undo->ids->data,
                                           undo->ids->len, &error);
      break;

    case BUZON_UNDO_NONE:
    default:
      break;
    }

  if (!ok)
    show_error_toast (self, error);
  kick (self, undo->account);
  _buzon_window_undo_free (undo);
}

/* Moving messages */

/* Moves (or copies) @ids to @target and offers Undo (of a copy: deleting
 * the copies for good). @what is
 * the toast's text, with one %u (how many) and one %s (the folder). */
static gboolean
move_ids (BuzonWindow       *self,
          BuzonAccount      *account,
          GArray            *ids,
          const BuzonFolder *target,
          gboolean           copy)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) from = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ids->len);
  g_autoptr(GArray) copies = NULL;
  g_autofree char *title = buzon_sidebar_dup_folder_title (target);
  g_autofree char *text = NULL;
  BuzonUndo *undo;
  gboolean ok;

  /* Where each one is now, for Undo: one read for all of them. */
  {
    g_autoptr(GPtrArray) summaries = NULL;
    g_autoptr(GHashTable) folders = g_hash_table_new (g_int64_hash, g_int64_equal);

    summaries = buzon_store_get_messages (self->store, (const gint64 *)(gpointer)ids->data,
                                          ids->len, NULL);
    for (guint i = 0; summaries != NULL && i < summaries->len; i++)
      {
        BuzonMessageSummary *summary = summaries->pdata[i];

        g_hash_table_insert (folders, &summary->id, &summary->folder_id);
      }
    for (guint i = 0; i < ids->len; i++)
      {
        const gint64 *folder_id = g_hash_table_lookup (folders, &g_array_index (ids, gint64, i));
        gint64 id = folder_id != NULL ? *folder_id : 0;

        g_array_append_val (from, id);
      }
  }

  if (copy)
    ok = buzon_mail_ops_copy_full (self->store, account, (const gint64 *)(gpointer)ids->data,
                                   ids->len, target->id, &copies, &error);
  else
    ok = buzon_mail_ops_move (self->store, account, (const gint64 *)(gpointer)ids->data,
                              ids->len, target->id, &error);
  if (!ok)
    {
      show_error_toast (self, error);
      return FALSE;
    }
  kick (self, account);

  if (copy)
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Copied %u message to “%s”",
                                           "Copied %u messages to “%s”", ids->len),
                              ids->len, title);
      undo = g_new0 (BuzonUndo, 1);
      undo->kind = BUZON_UNDO_COPY_MESSAGES;
      undo->account = g_object_ref (account);
      undo->ids = g_steal_pointer (&copies);
      offer_undo (self, text, undo);
      return TRUE;
    }

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Moved %u message to “%s”",
                                       "Moved %u messages to “%s”", ids->len),
                          ids->len, title);
  undo = g_new0 (BuzonUndo, 1);
  undo->kind = BUZON_UNDO_MOVE_MESSAGES;
  undo->account = g_object_ref (account);
  undo->ids = g_array_ref (ids);
  undo->from_folders = g_steal_pointer (&from);
  offer_undo (self, text, undo);

  return TRUE;
}

void
_buzon_window_sidebar_move_messages_cb (BuzonWindow      *self,
                                        BuzonFolder      *target,
                                        BuzonMessageDrag *drag,
                                        gboolean          copy)
{
  BuzonAccount *account = _buzon_window_find_account (self, drag->account_id);
  /* The sidebar's folder may be replaced while the move changes the store. */
  g_autoptr(BuzonFolder) to = buzon_folder_copy (target);
  g_autoptr(GArray) ids = g_array_ref (drag->ids);

  if (account == NULL || ids->len == 0)
    return;
  move_ids (self, account, ids, to, copy);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    BuzonWindow      *self)
{
  GArray *ids = g_object_get_data (G_OBJECT (dialog), "ids");
  BuzonAccount *account = g_object_get_data (G_OBJECT (dialog), "account");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;
  if (!buzon_mail_ops_delete (self->store, account, (const gint64 *)(gpointer)ids->data,
                              ids->len, &error))
    {
      show_error_toast (self, error);
      return;
    }
  kick (self, account);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);
  g_autoptr(BuzonFolder) trash = NULL;
  g_autoptr(BuzonMessageSummary) first = NULL;
  BuzonAccount *account;
  gboolean for_good;

  (void)action_name;
  (void)parameter;
  account = selection_account (self, ids);
  if (account == NULL || ids->len == 0)
    return;

  /* As buzon_mail_ops_delete() decides: into Trash, unless the messages are
   * in Trash or Junk already, or there is no Trash. */
  trash = find_special (self, account, BUZON_SPECIAL_USE_TRASH);
  first = buzon_store_get_message (self->store, g_array_index (ids, gint64, 0), NULL);
  for_good = trash == NULL || first == NULL || first->folder_id == trash->id;
  if (!for_good && self->folder != NULL && self->folder->special_use == BUZON_SPECIAL_USE_JUNK)
    for_good = TRUE;

  if (!for_good)
    {
      move_ids (self, account, ids, trash, FALSE);
      return;
    }

  {
    g_autofree char *heading = NULL;
    GtkWidget *dialog;

    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Delete %u Message for Good?",
                                            "Delete %u Messages for Good?", ids->len),
                               ids->len);
    dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                     _("They cannot be brought back afterwards."));
    adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                      "cancel", _("_Cancel"),
                                      "delete", _("_Delete"),
                                      NULL);
    adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                                ADW_RESPONSE_DESTRUCTIVE);
    adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
    adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
    g_object_set_data_full (G_OBJECT (dialog), "ids", g_array_ref (ids),
                            (GDestroyNotify)g_array_unref);
    g_object_set_data_full (G_OBJECT (dialog), "account", g_object_ref (account),
                            g_object_unref);
    g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
    gtk_window_present (GTK_WINDOW (dialog));
  }
}

static void
archive_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);
  g_autoptr(BuzonFolder) archive = NULL;
  BuzonAccount *account;

  (void)action_name;
  (void)parameter;
  account = selection_account (self, ids);
  if (account == NULL || ids->len == 0)
    return;

  archive = find_special (self, account, BUZON_SPECIAL_USE_ARCHIVE);
  if (archive == NULL)
    {
      buzon_window_add_toast (self, adw_toast_new (_("This account has no Archive folder")));
      return;
    }
  move_ids (self, account, ids, archive, FALSE);
}

/* Whether every one of @ids has @flag (TRUE for none), in one read. */
static gboolean
all_have_flag (BuzonWindow       *self,
               GArray            *ids,
               BuzonMessageFlags  flag)
{
  g_autoptr(GPtrArray) summaries = NULL;

  summaries = buzon_store_get_messages (self->store, (const gint64 *)(gpointer)ids->data,
                                        ids->len, NULL);
  for (guint i = 0; summaries != NULL && i < summaries->len; i++)
    if ((((BuzonMessageSummary *)summaries->pdata[i])->flags & flag) == 0)
      return FALSE;

  return TRUE;
}

static void
set_flag (BuzonWindow       *self,
          BuzonMessageFlags  flag,
          gboolean           add)
{
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);
  g_autoptr(GError) error = NULL;
  BuzonAccount *account = selection_account (self, ids);

  if (account == NULL || ids->len == 0)
    return;

  if (!buzon_mail_ops_set_flags (self->store, account, (const gint64 *)(gpointer)ids->data,
                                 ids->len, add ? flag : 0, add ? 0 : flag, &error))
    {
      show_error_toast (self, error);
      return;
    }
  kick (self, account);
  _buzon_window_update_actions (self);
}

static void
toggle_read_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);
  gboolean all_read;

  (void)action_name;
  (void)parameter;
  /* Read when any is unread: one click makes them alike. */
  all_read = all_have_flag (self, ids, BUZON_MESSAGE_FLAG_SEEN);
  set_flag (self, BUZON_MESSAGE_FLAG_SEEN, !all_read);
}

static void
toggle_flag_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);

  (void)action_name;
  (void)parameter;
  /* Flag them all unless all are flagged already. */
  set_flag (self, BUZON_MESSAGE_FLAG_FLAGGED,
            !all_have_flag (self, ids, BUZON_MESSAGE_FLAG_FLAGGED));
}

/* The "move to…" picker */

static gboolean
move_row_matches (GtkListBoxRow *row,
                  gpointer       user_data)
{
  BuzonWindow *self = user_data;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->move_entry));
  const char *key = g_object_get_data (G_OBJECT (row), "key");
  g_autofree char *needle = NULL;

  if (text == NULL || text[0] == '\0')
    return TRUE;
  needle = g_utf8_casefold (text, -1);

  return key != NULL && strstr (key, needle) != NULL;
}

static void
on_move_popover_show_cb (BuzonWindow *self)
{
  g_autoptr(GArray) ids = _buzon_window_dup_selected_rows (self);
  g_autoptr(GPtrArray) folders = NULL;
  BuzonAccount *account = selection_account (self, ids);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->move_list))) != NULL)
    gtk_list_box_remove (self->move_list, child);
  gtk_editable_set_text (GTK_EDITABLE (self->move_entry), "");
  if (account == NULL)
    return;

  folders = buzon_store_list_folders (self->store, buzon_account_get_id (account), NULL);
  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      BuzonFolder *folder = folders->pdata[i];
      g_autofree char *title = NULL;
      g_autofree char *path = NULL;
      g_autofree char *key = NULL;
      GtkWidget *row;
      GtkWidget *label;

      if (buzon_folder_has_attribute (folder, "\\Noselect") ||
          (self->folder != NULL && folder->id == self->folder->id))
        continue;

      title = buzon_sidebar_dup_folder_title (folder);
      /* Nested folders by their path, "Work › 2026". */
      if (folder->special_use == BUZON_SPECIAL_USE_NONE && folder->delimiter != NULL &&
          folder->delimiter[0] != '\0')
        {
          g_auto(GStrv) parts = g_strsplit (folder->name, folder->delimiter, -1);

          path = g_strjoinv (" › ", parts);
        }
      else
        path = g_strdup (title);

      label = gtk_label_new (path);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, path, -1);
      key = g_utf8_casefold (path, -1);
      g_object_set_data_full (G_OBJECT (row), "key", g_steal_pointer (&key), g_free);
      g_object_set_data_full (G_OBJECT (row), "folder", buzon_folder_copy (folder),
                              (GDestroyNotify)buzon_folder_free);
      gtk_list_box_append (self->move_list, row);
    }
  gtk_list_box_set_filter_func (self->move_list, move_row_matches, self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->move_entry));
}

static void
on_move_filter_changed_cb (BuzonWindow *self)
{
  gtk_list_box_invalidate_filter (self->move_list);
}

static void
on_move_row_activated_cb (BuzonWindow   *self,
                          GtkListBoxRow *row)
{
  g_autoptr(GArray) ids = _buzon_window_dup_selected_ids (self);
  BuzonFolder *target = g_object_get_data (G_OBJECT (row), "folder");
  BuzonAccount *account = selection_account (self, ids);

  gtk_popover_popdown (self->move_popover);
  if (target == NULL || account == NULL || ids->len == 0)
    return;
  move_ids (self, account, ids, target, FALSE);
}

static void
on_move_entry_activate_cb (BuzonWindow *self)
{
  /* Enter takes the first folder that matches. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->move_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_child_visible (child) &&
          move_row_matches (GTK_LIST_BOX_ROW (child), self))
        {
          on_move_row_activated_cb (self, GTK_LIST_BOX_ROW (child));
          return;
        }
    }
}

static void
move_to_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);

  (void)action_name;
  (void)parameter;
  /* The button lives in the reader's header: bring that pane forward. */
  adw_leaflet_set_visible_child_name (self->inner_leaflet, "reader");
  gtk_menu_button_popup (self->move_button);
}

/* Moving folders */

void
_buzon_window_sidebar_move_folder_cb (BuzonWindow  *self,
                                      BuzonFolder  *folder,
                                      BuzonFolder  *new_parent,
                                      BuzonAccount *account)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *leaf = buzon_folder_dup_leaf_name (folder);
  /* The sidebar's folder follows the store: its name is the new one as soon
   * as the rename is stored. */
  g_autofree char *old_name = g_strdup (folder->name);
  gint64 folder_id = folder->id;
  g_autofree char *parent = new_parent != NULL ? buzon_sidebar_dup_folder_title (new_parent) : NULL;
  g_autofree char *new_name = NULL;
  g_autofree char *text = NULL;
  BuzonUndo *undo;

  new_name = buzon_sidebar_dup_child_name (self->sidebar, buzon_account_get_id (account),
                                           new_parent != NULL ? new_parent->id : 0, leaf);
  /* From here on @folder and @new_parent may be gone: the rename changes
   * the folder list, and the sidebar's folders with it. */
  folder = NULL;
  new_parent = NULL;
  if (new_name == NULL || g_strcmp0 (new_name, old_name) == 0)
    return;

  if (!buzon_mail_ops_rename_folder (self->store, account, folder_id, new_name, &error))
    {
      show_error_toast (self, error);
      return;
    }
  kick (self, account);

  if (parent != NULL)
    text = g_strdup_printf (_("Moved “%s” into “%s”"), leaf, parent);
  else
    text = g_strdup_printf (_("Moved “%s” to the top level"), leaf);

  undo = g_new0 (BuzonUndo, 1);
  undo->kind = BUZON_UNDO_RENAME_FOLDER;
  undo->account = g_object_ref (account);
  undo->folder_id = folder_id;
  undo->old_name = g_steal_pointer (&old_name);
  offer_undo (self, text, undo);
}

void
_buzon_window_sidebar_show_toast_cb (BuzonWindow *self,
                                     const char  *text)
{
  buzon_window_add_toast (self, adw_toast_new (text));
}

/* The context menu of the message list */

static GMenuModel *
message_menu_model (void)
{
  GMenu *menu = g_menu_new ();
  GMenu *section = g_menu_new ();

  _buzon_window_add_compose_menu_section (menu);
  g_menu_append (section, _("Mark as _Read or Unread"), "win.toggle-read");
  g_menu_append (section, _("_Flag or Unflag"), "win.toggle-flag");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);

  section = g_menu_new ();
  g_menu_append (section, _("_Move to…"), "win.move-to");
  g_menu_append (section, _("_Archive"), "win.archive");
  g_menu_append (section, _("Move to _Trash"), "win.delete");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_object_unref (section);

  return G_MENU_MODEL (menu);
}

static void
popup_message_menu (BuzonWindow *self,
                    double       x,
                    double       y)
{
  GtkWidget *view = GTK_WIDGET (self->message_view);

  if (self->message_menu == NULL)
    {
      g_autoptr(GMenuModel) model = message_menu_model ();

      self->message_menu = gtk_popover_menu_new_from_model (model);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->message_menu), FALSE);
      gtk_widget_set_halign (self->message_menu, GTK_ALIGN_START);
      gtk_widget_set_parent (self->message_menu, view);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->message_menu),
                               &(GdkRectangle) { (int)x, (int)y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->message_menu));
}

/* A right click acts on the row under the pointer: it joins the selection,
 * or becomes it when it was not selected. */
static void
message_pressed_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    BuzonWindow     *self)
{
  GtkWidget *view = GTK_WIDGET (self->message_view);
  GtkWidget *picked = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);
  guint position;

  (void)n_press;
  while (picked != NULL && picked != view && !BUZON_IS_MESSAGE_ROW (picked))
    picked = gtk_widget_get_parent (picked);
  if (picked == NULL || picked == view || self->messages == NULL)
    return;

  {
    BuzonMessageItem *item = buzon_message_row_get_item (BUZON_MESSAGE_ROW (picked));

    if (item == NULL ||
        !buzon_message_list_get_position_of (self->messages, buzon_message_item_get_id (item),
                                             &position))
      return;
  }
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_message_menu (self, x, y);
}

/* Menu key and Shift+F10: the menu of the selection, at the list's top. */
static gboolean
message_menu_key_cb (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  BuzonWindow *self = user_data;
  g_autoptr(GArray) ids = _buzon_window_dup_selected_rows (self);

  (void)widget;
  (void)args;
  if (ids->len == 0)
    return FALSE;
  popup_message_menu (self, 24, 24);

  return TRUE;
}

/**
 * _buzon_window_init_message_menu:
 *
 * The context menu of the message list: a right click, the Menu key or
 * Shift+F10.
 */
void
_buzon_window_init_message_menu (BuzonWindow *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *keys = gtk_shortcut_controller_new ();
  GtkShortcutAction *action = gtk_callback_action_new (message_menu_key_cb, self, NULL);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (message_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->message_view), GTK_EVENT_CONTROLLER (click));

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_F10,
                                                                           GDK_SHIFT_MASK)),
                      g_object_ref (action)));
  g_object_unref (action);
  gtk_widget_add_controller (GTK_WIDGET (self->message_view), keys);
}

/* Search */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  BuzonWindow *self = BUZON_WINDOW (widget);

  (void)action_name;
  (void)parameter;
  adw_leaflet_set_visible_child_name (self->outer_leaflet, "content");
  adw_leaflet_set_visible_child_name (self->inner_leaflet, "message-list");
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * _buzon_window_update_actions:
 *
 * Enables the message actions that apply to the selection, and names the
 * read/unread button for what it will do.
 */
void
_buzon_window_update_actions (BuzonWindow *self)
{
  g_autoptr(GArray) ids = _buzon_window_dup_selected_rows (self);
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean any = ids->len > 0;
  gboolean unread;
  const char *label;

  /* The button's name follows the first selected row (a conversation's
   * messages, in a threaded list): reading the flags of a whole Ctrl+A
   * selection on every change would not be quick. */
  if (any)
    g_array_append_val (first, g_array_index (ids, gint64, 0));
  first = expand_rows (self, g_steal_pointer (&first));
  unread = any && !all_have_flag (self, first, BUZON_MESSAGE_FLAG_SEEN);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.archive", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-read", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-flag", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.move-to", any);
  gtk_widget_set_sensitive (GTK_WIDGET (self->move_button), any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", self->undo != NULL);

  label = unread ? _("Mark as Read") : _("Mark as Unread");
  gtk_button_set_icon_name (self->unread_button,
                            unread ? "mail-read-symbolic" : "mail-unread-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->unread_button), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->unread_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  _buzon_window_update_compose_actions (self);
}

void
_buzon_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "win.archive", NULL, archive_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-read", NULL, toggle_read_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-flag", NULL, toggle_flag_action);
  gtk_widget_class_install_action (widget_class, "win.move-to", NULL, move_to_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.show-folders", NULL, show_folders_action);
  gtk_widget_class_install_action (widget_class, "win.show-list", NULL, show_list_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK,
                                       "win.toggle-read", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK,
                                       "win.toggle-flag", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK,
                                       "win.move-to", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.archive", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "win.undo", NULL);

  gtk_widget_class_bind_template_callback (widget_class, on_move_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_move_filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_move_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_move_entry_activate_cb);
}
