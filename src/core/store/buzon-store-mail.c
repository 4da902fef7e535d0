/* buzon-store-mail.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonStore, continued: folders, messages, bodies and search.
 *
 * Batches are the unit of speed: buzon_store_upsert_messages() writes any
 * number of summaries with one cached statement in one transaction, which
 * is what makes a first sync of a 100,000-message folder take seconds. Folder
 * counts are kept by triggers (version-001.sql) and the full-text index by
 * triggers plus _buzon_store_flush_fts() before each commit, in the same
 * transactions, so neither can drift from the rows.
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-store-private.h"

#define FOLDER_COLUMNS \
  "id, account_id, parent_id, name, delimiter, special_use, subscribed, attributes, " \
  "uidvalidity, uidnext, highestmodseq, total_count, unread_count"

/* What messages_fts indexes as "addresses". */
#define FTS_ADDRESSES \
  "coalesce (m.from_addr, '') || ' ' || coalesce (m.to_addrs, '') || ' ' || " \
  "coalesce (m.cc_addrs, '')"

#define SUMMARY_COLUMNS BUZON_STORE_SUMMARY_COLUMNS

/* xgettext:c-format */
#define NO_FOLDER      N_("The folder is not in the mail store (any more).")
/* xgettext:c-format */
#define NO_MESSAGE     N_("The message is not in the mail store (any more).")
/* xgettext:c-format */
#define NO_BODY        N_("This message has not been downloaded.")
#define FOLDER_EXISTS  N_("There is already a folder named “%s”.")

/* Helpers */

/* The folder holding @message_id; %BUZON_STORE_ERROR_NOT_FOUND if none. */
static gboolean
message_folder (BuzonStoreConn  *conn,
                gint64           message_id,
                gint64          *out_folder_id,
                GError         **error)
{
  g_autoptr(BuzonStmt) stmt =
    _buzon_store_query_id (conn, "SELECT folder_id FROM messages WHERE id = ?1", message_id,
                           error, NO_MESSAGE);

  if (stmt == NULL)
    return FALSE;

  *out_folder_id = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/* Reads FOLDER_COLUMNS into a new BuzonFolder. */
static gpointer
folder_from_row (BuzonStmt *stmt)
{
  BuzonFolder *folder = buzon_folder_new ();

  folder->id = sqlite3_column_int64 (stmt, 0);
  folder->account_id = sqlite3_column_int64 (stmt, 1);
  folder->parent_id = sqlite3_column_int64 (stmt, 2);
  folder->name = _buzon_column_dup_text (stmt, 3);
  folder->delimiter = _buzon_column_dup_text (stmt, 4);
  folder->special_use = buzon_special_use_from_string ((const char *)sqlite3_column_text (stmt, 5));
  folder->subscribed = sqlite3_column_int (stmt, 6) != 0;
  folder->attributes = _buzon_column_dup_text (stmt, 7);
  folder->uidvalidity = (guint32)sqlite3_column_int64 (stmt, 8);
  folder->uidnext = (guint32)sqlite3_column_int64 (stmt, 9);
  folder->highestmodseq = (guint64)sqlite3_column_int64 (stmt, 10);
  folder->total_count = (guint)MAX (sqlite3_column_int64 (stmt, 11), 0);
  folder->unread_count = (guint)MAX (sqlite3_column_int64 (stmt, 12), 0);

  return folder;
}

/* Reads SUMMARY_COLUMNS into a new BuzonMessageSummary. */
gpointer
_buzon_store_summary_from_row (BuzonStmt *stmt)
{
  BuzonMessageSummary *summary = buzon_message_summary_new ();

  summary->id = sqlite3_column_int64 (stmt, 0);
  summary->folder_id = sqlite3_column_int64 (stmt, 1);
  summary->uid = (guint32)sqlite3_column_int64 (stmt, 2);
  summary->message_id = _buzon_column_dup_text (stmt, 3);
  summary->in_reply_to = _buzon_column_dup_text (stmt, 4);
  summary->references = _buzon_column_dup_text (stmt, 5);
  summary->subject = _buzon_column_dup_text (stmt, 6);
  summary->from = _buzon_column_dup_text (stmt, 7);
  summary->to = _buzon_column_dup_text (stmt, 8);
  summary->cc = _buzon_column_dup_text (stmt, 9);
  summary->date = sqlite3_column_int64 (stmt, 10);
  summary->internal_date = sqlite3_column_int64 (stmt, 11);
  summary->size = (guint64)MAX (sqlite3_column_int64 (stmt, 12), 0);
  summary->flags = (BuzonMessageFlags)(sqlite3_column_int (stmt, 13) & BUZON_MESSAGE_FLAGS_ALL);
  summary->keywords = _buzon_column_dup_text (stmt, 14);
  summary->has_attachments = sqlite3_column_int (stmt, 15) != 0;
  summary->preview = _buzon_column_dup_text (stmt, 16);
  summary->body_state = (BuzonBodyState)CLAMP (sqlite3_column_int (stmt, 17),
                                               BUZON_BODY_STATE_NONE, BUZON_BODY_STATE_FULL);
  summary->thread_id = sqlite3_column_int64 (stmt, 18);

  return summary;
}

/* The full-text index */

/* Applies fts_queue (filled by the triggers in version-001.sql) to
 * messages_fts: removes the entries of deleted messages, refreshes the
 * subject and addresses of changed ones (keeping their body text) and adds
 * new ones. A handful of set-based statements instead of one index write per
 * row: FTS5 flushes at every statement boundary. CROSS JOIN keeps the
 * (small) queue as the outer loop; SQLite would otherwise scan messages. */
gboolean
_buzon_store_flush_fts (BuzonStoreConn  *conn,
                        GError         **error)
{
  static const char * const steps[] = {
    "DELETE FROM messages_fts WHERE rowid IN (SELECT q.message_id FROM fts_queue AS q "
    "WHERE NOT EXISTS (SELECT 1 FROM messages AS m WHERE m.id = q.message_id))",

    "UPDATE messages_fts SET (subject, addresses) = "
    "(SELECT m.subject, " FTS_ADDRESSES " FROM messages AS m WHERE m.id = messages_fts.rowid) "
    "WHERE rowid IN (SELECT q.message_id FROM fts_queue AS q "
    "CROSS JOIN messages AS m ON m.id = q.message_id)",

    "INSERT INTO messages_fts (rowid, subject, addresses) "
    "SELECT m.id, m.subject, " FTS_ADDRESSES " FROM fts_queue AS q "
    "CROSS JOIN messages AS m ON m.id = q.message_id "
    "WHERE NOT EXISTS (SELECT 1 FROM messages_fts AS f WHERE f.rowid = m.id)",

    "DELETE FROM fts_queue",
  };
  g_autoptr(BuzonStmt) pending = NULL;
  gboolean row = FALSE;

  pending = _buzon_store_prepare (conn, "SELECT 1 FROM fts_queue LIMIT 1", error);
  if (pending == NULL || !_buzon_store_step_row (conn, pending, &row, error))
    return FALSE;
  if (!row)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(BuzonStmt) stmt = _buzon_store_prepare (conn, steps[i], error);

      if (stmt == NULL || !_buzon_store_step_done (conn, stmt, error))
        return FALSE;
    }

  return TRUE;
}

/* Folders */

/* The id of the folder whose name is @name up to its last delimiter, or 0. */
static gboolean
find_parent_id (BuzonStoreConn  *conn,
                gint64           account_id,
                const char      *name,
                const char      *delimiter,
                gint64          *out_parent_id,
                GError         **error)
{
  g_autoptr(BuzonStmt) stmt = NULL;
  g_autofree char *parent_name = NULL;
  const char *last;
  gboolean row;

  *out_parent_id = 0;

  if (delimiter == NULL || *delimiter == '\0' || (last = g_strrstr (name, delimiter)) == NULL ||
      last == name)
    return TRUE;

  parent_name = g_strndup (name, last - name);

  stmt = _buzon_store_prepare (conn, "SELECT id FROM folders WHERE account_id = ?1 AND name = ?2",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _buzon_bind_text (stmt, 2, parent_name);
  if (!_buzon_store_step_row (conn, stmt, &row, error))
    return FALSE;

  if (row)
    *out_parent_id = sqlite3_column_int64 (stmt, 0);

  return TRUE;
}

/* Makes @folder_id the parent of the folders directly below @name: the
 * server may list a child before its parent. */
static gboolean
adopt_children (BuzonStoreConn  *conn,
                gint64           account_id,
                gint64           folder_id,
                const char      *name,
                const char      *delimiter,
                GError         **error)
{
  g_autoptr(BuzonStmt) stmt = NULL;
  g_autofree char *prefix = NULL;

  if (delimiter == NULL || *delimiter == '\0')
    return TRUE;

  prefix = g_strconcat (name, delimiter, NULL);

  stmt = _buzon_store_prepare (conn,
                               "UPDATE folders SET parent_id = ?4 "
                               "WHERE account_id = ?1 AND id <> ?4 AND parent_id IS NOT ?4 "
                               "AND substr (name, 1, length (?2)) = ?2 "
                               "AND length (name) > length (?2) "
                               "AND instr (substr (name, length (?2) + 1), ?3) = 0",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _buzon_bind_text (stmt, 2, prefix);
  _buzon_bind_text (stmt, 3, delimiter);
  sqlite3_bind_int64 (stmt, 4, folder_id);

  return _buzon_store_step_done (conn, stmt, error);
}

/**
 * buzon_store_upsert_folder:
 * @folder: the folder; @account_id and @name must be set
 * @error: return location for an error
 *
 * Adds the folder, or updates the one of that account with that name: its
 * delimiter, special use, subscription and attributes. The sync state
 * (UIDVALIDITY…) of an existing folder only changes through
 * buzon_store_update_folder_sync_state(). The parent is found from the name
 * and delimiter, and folders already stored below this one are attached to
 * it. On return @folder holds the stored values, id included.
 *
 * Emits #BuzonStore::folders-changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_upsert_folder (BuzonStore   *self,
                           BuzonFolder  *folder,
                           GError      **error)
{
  g_autoptr(BuzonFolder) stored = NULL;
  BuzonStoreConn *w;
  gint64 parent_id = 0;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (folder != NULL, FALSE);
  g_return_val_if_fail (folder->account_id > 0, FALSE);
  g_return_val_if_fail (folder->name != NULL && *folder->name != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  ok = find_parent_id (w, folder->account_id, folder->name, folder->delimiter, &parent_id, error);

  if (ok)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w,
                              "INSERT INTO folders (account_id, parent_id, name, delimiter, "
                              "special_use, subscribed, attributes, uidvalidity, uidnext, "
                              "highestmodseq) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                              "ON CONFLICT (account_id, name) DO UPDATE SET "
                              "parent_id = excluded.parent_id, delimiter = excluded.delimiter, "
                              "special_use = excluded.special_use, "
                              "subscribed = excluded.subscribed, "
                              "attributes = excluded.attributes "
                              "RETURNING " FOLDER_COLUMNS,
                              error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, folder->account_id);
          if (parent_id > 0)
            sqlite3_bind_int64 (stmt, 2, parent_id);
          _buzon_bind_text (stmt, 3, folder->name);
          _buzon_bind_text (stmt, 4, folder->delimiter);
          _buzon_bind_text (stmt, 5, buzon_special_use_to_string (folder->special_use));
          sqlite3_bind_int (stmt, 6, folder->subscribed ? 1 : 0);
          _buzon_bind_text (stmt, 7, folder->attributes);
          sqlite3_bind_int64 (stmt, 8, folder->uidvalidity);
          sqlite3_bind_int64 (stmt, 9, folder->uidnext);
          sqlite3_bind_int64 (stmt, 10, (gint64)MIN (folder->highestmodseq, G_MAXINT64));

          /* RETURNING always gives the row an upsert wrote. */
          ok = _buzon_store_step_first (w, stmt, error, NO_FOLDER);
          if (ok)
            stored = folder_from_row (stmt);
        }
    }

  if (ok)
    ok = adopt_children (w, stored->account_id, stored->id, stored->name, stored->delimiter, error);

  if (ok)
    _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED, folder->account_id);

  if (!_buzon_store_write_end (self, ok, error))
    return FALSE;

  /* Hand the stored values back in the caller's struct; @stored takes the
   * old ones away. */
  {
    BuzonFolder old = *folder;

    *folder = *stored;
    *stored = old;
  }

  return TRUE;
}

/**
 * buzon_store_list_folders:
 * @account_id: the account
 * @error: return location for an error
 *
 * Returns: (element-type BuzonFolder) (transfer full) (nullable): the
 *   account's folders ordered by name, so that parents come before children
 */
GPtrArray *
buzon_store_list_folders (BuzonStore  *self,
                          gint64       account_id,
                          GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " FOLDER_COLUMNS " FROM folders "
                                        "WHERE account_id = ?1 ORDER BY name",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);

  return _buzon_store_read_rows (self, stmt, folder_from_row, (GDestroyNotify)buzon_folder_free,
                                 error);
}

/**
 * buzon_store_get_folder:
 * @folder_id: the folder's id
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the folder, or %NULL with
 *   %BUZON_STORE_ERROR_NOT_FOUND
 */
BuzonFolder *
buzon_store_get_folder (BuzonStore  *self,
                        gint64       folder_id,
                        GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " FOLDER_COLUMNS " FROM folders WHERE id = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);

  return _buzon_store_read_row (self, stmt, folder_from_row, error, NO_FOLDER);
}

/**
 * buzon_store_lookup_folder:
 * @account_id: the account
 * @name: the folder's full name
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the folder, or %NULL with
 *   %BUZON_STORE_ERROR_NOT_FOUND
 */
BuzonFolder *
buzon_store_lookup_folder (BuzonStore  *self,
                           gint64       account_id,
                           const char  *name,
                           GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " FOLDER_COLUMNS " FROM folders "
                                        "WHERE account_id = ?1 AND name = ?2",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _buzon_bind_text (stmt, 2, name);

  return _buzon_store_read_row (self, stmt, folder_from_row, error,
                                N_("There is no folder named “%s” in this account."), name);
}

/**
 * buzon_store_update_folder_sync_state:
 * @folder_id: the folder
 * @uidvalidity: the server's UIDVALIDITY
 * @uidnext: the server's UIDNEXT
 * @highestmodseq: the server's HIGHESTMODSEQ, 0 without CONDSTORE
 * @out_reset: (out) (optional): set to whether the cached messages were dropped
 * @error: return location for an error
 *
 * Records how far the folder is synchronised. When @uidvalidity differs from
 * a known earlier value, the UIDs cached here no longer mean anything
 * (RFC 3501 section 2.3.1.1): the folder's messages are dropped in the same
 * transaction, to be fetched again. Pending operations stay.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_update_folder_sync_state (BuzonStore  *self,
                                      gint64       folder_id,
                                      guint32      uidvalidity,
                                      guint32      uidnext,
                                      guint64      highestmodseq,
                                      gboolean    *out_reset,
                                      GError     **error)
{
  BuzonStoreConn *w;
  gint64 account_id = 0;
  gboolean reset = FALSE;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_reset != NULL)
    *out_reset = FALSE;

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (w, "SELECT account_id, uidvalidity FROM folders WHERE id = ?1",
                             folder_id, error, NO_FOLDER);

    ok = stmt != NULL;
    if (ok)
      {
        guint32 old = (guint32)sqlite3_column_int64 (stmt, 1);

        account_id = sqlite3_column_int64 (stmt, 0);
        reset = old != 0 && uidvalidity != 0 && old != uidvalidity;
      }
  }

  if (ok && reset)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "DELETE FROM messages WHERE folder_id = ?1", error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, folder_id);
          ok = _buzon_store_step_done (w, stmt, error);
        }
      if (ok)
        _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);
    }

  if (ok)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, "
                                 "highestmodseq = ?4 WHERE id = ?1",
                              error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, folder_id);
          sqlite3_bind_int64 (stmt, 2, uidvalidity);
          sqlite3_bind_int64 (stmt, 3, uidnext);
          sqlite3_bind_int64 (stmt, 4, (gint64)MIN (highestmodseq, G_MAXINT64));
          ok = _buzon_store_step_done (w, stmt, error);
        }
    }

  if (ok)
    _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED, account_id);

  if (!_buzon_store_write_end (self, ok, error))
    return FALSE;

  if (out_reset != NULL)
    *out_reset = reset;

  return TRUE;
}

/**
 * buzon_store_rename_folder:
 * @folder_id: the folder
 * @new_name: its new full name
 * @error: return location for an error
 *
 * Renames the folder and everything below it, which moves it when the
 * part before the last delimiter changes (as IMAP RENAME does). Its messages
 * and ids stay.
 *
 * Emits #BuzonStore::folders-changed.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_EXISTS if a
 *   folder of that name exists
 */
gboolean
buzon_store_rename_folder (BuzonStore  *self,
                           gint64       folder_id,
                           const char  *new_name,
                           GError     **error)
{
  g_autofree char *old_name = NULL;
  g_autofree char *delimiter = NULL;
  g_autofree char *old_prefix = NULL;
  BuzonStoreConn *w;
  gint64 account_id = 0;
  gint64 parent_id = 0;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (new_name != NULL && *new_name != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (w, "SELECT account_id, name, delimiter FROM folders WHERE id = ?1",
                             folder_id, error, NO_FOLDER);

    ok = stmt != NULL;
    if (ok)
      {
        account_id = sqlite3_column_int64 (stmt, 0);
        old_name = _buzon_column_dup_text (stmt, 1);
        delimiter = _buzon_column_dup_text (stmt, 2);
      }
  }

  if (ok && delimiter != NULL)
    {
      old_prefix = g_strconcat (old_name, delimiter, NULL);

      if (g_str_has_prefix (new_name, old_prefix))
        {
          g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                       _("The folder “%s” cannot be moved into itself."), old_name);
          ok = FALSE;
        }
    }

  if (ok && g_strcmp0 (old_name, new_name) != 0)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "UPDATE folders SET name = ?2 WHERE id = ?1", error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, folder_id);
          _buzon_bind_text (stmt, 2, new_name);
          ok = _buzon_store_step_unique (w, stmt, error, FOLDER_EXISTS, new_name);
        }

      /* The subtree: "Old/x/y" becomes "New/x/y". */
      if (ok && old_prefix != NULL)
        {
          g_autoptr(BuzonStmt) sub =
            _buzon_store_prepare (w, "UPDATE folders "
                                     "SET name = ?3 || substr (name, length (?2) + 1) "
                                     "WHERE account_id = ?1 AND substr (name, 1, length (?4)) = ?4",
                                  error);

          ok = sub != NULL;
          if (ok)
            {
              sqlite3_bind_int64 (sub, 1, account_id);
              _buzon_bind_text (sub, 2, old_name);
              _buzon_bind_text (sub, 3, new_name);
              _buzon_bind_text (sub, 4, old_prefix);
              ok = _buzon_store_step_unique (w, sub, error, FOLDER_EXISTS, new_name);
            }
        }

      if (ok)
        ok = find_parent_id (w, account_id, new_name, delimiter, &parent_id, error);

      if (ok)
        {
          g_autoptr(BuzonStmt) link =
            _buzon_store_prepare (w, "UPDATE folders SET parent_id = ?2 WHERE id = ?1", error);

          ok = link != NULL;
          if (ok)
            {
              sqlite3_bind_int64 (link, 1, folder_id);
              if (parent_id > 0)
                sqlite3_bind_int64 (link, 2, parent_id);
              ok = _buzon_store_step_done (w, link, error);
            }
        }

      if (ok)
        ok = adopt_children (w, account_id, folder_id, new_name, delimiter, error);

      if (ok)
        _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED, account_id);
    }

  return _buzon_store_write_end (self, ok, error);
}

/**
 * buzon_store_delete_folder:
 * @folder_id: the folder
 * @error: return location for an error
 *
 * Deletes the folder, the folders below it and all their messages.
 * Pending operations that named it stay, without a folder id.
 *
 * Emits #BuzonStore::folders-changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_delete_folder (BuzonStore  *self,
                           gint64       folder_id,
                           GError     **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (w, "DELETE FROM folders WHERE id = ?1 RETURNING account_id",
                             folder_id, error, NO_FOLDER);

    ok = stmt != NULL;
    if (ok)
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED,
                                sqlite3_column_int64 (stmt, 0));
  }

  return _buzon_store_write_end (self, ok, error);
}

/* The folder of @account_id with the special use @use, or with the name
 * @name (one of them NULL / NONE); *out is NULL when there is none. */
static gboolean
find_folder_locked (BuzonStoreConn   *conn,
                    gint64            account_id,
                    BuzonSpecialUse   use,
                    const char       *name,
                    BuzonFolder     **out,
                    GError          **error)
{
  g_autoptr(BuzonStmt) stmt = NULL;
  gboolean row = FALSE;

  *out = NULL;

  if (name == NULL)
    stmt = _buzon_store_prepare (conn, "SELECT " FOLDER_COLUMNS " FROM folders "
                                       "WHERE account_id = ?1 AND special_use = ?2 "
                                       "ORDER BY id LIMIT 1",
                                 error);
  else
    stmt = _buzon_store_prepare (conn, "SELECT " FOLDER_COLUMNS " FROM folders "
                                       "WHERE account_id = ?1 AND name = ?2",
                                 error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _buzon_bind_text (stmt, 2, name != NULL ? name : buzon_special_use_to_string (use));
  if (!_buzon_store_step_row (conn, stmt, &row, error))
    return FALSE;

  if (row)
    *out = folder_from_row (stmt);

  return TRUE;
}

/* Makes @folder (not stored yet, its name free) a folder of the store. */
static BuzonFolder *
insert_folder_locked (BuzonStoreConn     *conn,
                      const BuzonFolder  *folder,
                      GError            **error)
{
  g_autoptr(BuzonStmt) stmt = NULL;
  BuzonFolder *stored;
  gint64 parent_id = 0;

  if (!find_parent_id (conn, folder->account_id, folder->name, folder->delimiter, &parent_id,
                       error))
    return NULL;

  stmt = _buzon_store_prepare (conn,
                               "INSERT INTO folders (account_id, parent_id, name, delimiter, "
                               "special_use, subscribed, attributes) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                               "RETURNING " FOLDER_COLUMNS,
                               error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder->account_id);
  if (parent_id > 0)
    sqlite3_bind_int64 (stmt, 2, parent_id);
  _buzon_bind_text (stmt, 3, folder->name);
  _buzon_bind_text (stmt, 4, folder->delimiter);
  _buzon_bind_text (stmt, 5, buzon_special_use_to_string (folder->special_use));
  sqlite3_bind_int (stmt, 6, folder->subscribed ? 1 : 0);
  _buzon_bind_text (stmt, 7, folder->attributes);
  if (!_buzon_store_step_first (conn, stmt, error, NO_FOLDER))
    return NULL;

  stored = folder_from_row (stmt);
  _buzon_stmt_release (g_steal_pointer (&stmt));

  if (!adopt_children (conn, stored->account_id, stored->id, stored->name, stored->delimiter,
                       error))
    {
      buzon_folder_free (stored);
      return NULL;
    }

  return stored;
}

/* One folder of buzon_store_ensure_folders(): the stored folder it stands
 * for, found or added. */
static BuzonFolder *
ensure_folder_locked (BuzonStore         *self,
                      BuzonStoreConn     *conn,
                      const BuzonFolder  *wanted,
                      GError            **error)
{
  g_autoptr(BuzonFolder) candidate = buzon_folder_copy (wanted);
  BuzonFolder *found = NULL;

  /* Looked up by what it is for: a folder the user renamed is still it. */
  if (wanted->special_use != BUZON_SPECIAL_USE_NONE)
    {
      if (!find_folder_locked (conn, wanted->account_id, wanted->special_use, NULL, &found,
                               error))
        return NULL;
      if (found != NULL)
        return found;
    }

  for (guint n = 2; ; n++)
    {
      if (!find_folder_locked (conn, wanted->account_id, BUZON_SPECIAL_USE_NONE, candidate->name,
                               &found, error))
        return NULL;

      if (found == NULL)
        break;

      /* A folder of that name stands for it, unless it is for something
       * else; one for nothing in particular takes the special use. */
      if (wanted->special_use == BUZON_SPECIAL_USE_NONE ||
          found->special_use == BUZON_SPECIAL_USE_NONE ||
          found->special_use == wanted->special_use)
        {
          if (wanted->special_use != BUZON_SPECIAL_USE_NONE &&
              found->special_use != wanted->special_use)
            {
              g_autoptr(BuzonStmt) stmt =
                _buzon_store_prepare (conn, "UPDATE folders SET special_use = ?2 WHERE id = ?1",
                                      error);

              if (stmt == NULL)
                {
                  buzon_folder_free (found);
                  return NULL;
                }
              sqlite3_bind_int64 (stmt, 1, found->id);
              _buzon_bind_text (stmt, 2, buzon_special_use_to_string (wanted->special_use));
              if (!_buzon_store_step_done (conn, stmt, error))
                {
                  buzon_folder_free (found);
                  return NULL;
                }
              found->special_use = wanted->special_use;
              _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED,
                                        wanted->account_id);
            }
          return found;
        }

      /* The name is taken by a folder for something else: "Trash 2". */
      g_clear_pointer (&found, buzon_folder_free);
      g_free (candidate->name);
      candidate->name = g_strdup_printf ("%s %u", wanted->name, n);
    }

  found = insert_folder_locked (conn, candidate, error);
  if (found != NULL)
    _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED, wanted->account_id);

  return found;
}

/**
 * buzon_store_ensure_folders:
 * @folders: (element-type BuzonFolder): the folders that must exist, in
 *   order (parents before children); @account_id and @name of each must be set
 * @error: return location for an error
 *
 * Makes sure the folders exist, in one transaction: a folder with a special
 * use is looked up by that use first, so one the user renamed is not added
 * again; otherwise a folder of the same name stands for it (and takes the
 * special use if it had none); otherwise it is added, with its delimiter,
 * special use, subscription and attributes, below its parent as
 * buzon_store_upsert_folder() would. When the name is taken by a folder with
 * another special use, a number is added to it ("Trash 2"). Nothing about a
 * folder that exists already changes but a special use it lacked.
 *
 * On return each element of @folders holds the stored folder it stands for.
 *
 * Emits #BuzonStore::folders-changed when something changed.
 *
 * Returns: %TRUE on success; on failure nothing changed
 */
gboolean
buzon_store_ensure_folders (BuzonStore  *self,
                            GPtrArray   *folders,
                            GError     **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  BuzonStoreConn *w;
  gboolean ok = TRUE;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (folders != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < folders->len; i++)
    {
      const BuzonFolder *folder = g_ptr_array_index (folders, i);

      g_return_val_if_fail (folder->account_id > 0, FALSE);
      g_return_val_if_fail (folder->name != NULL && *folder->name != '\0', FALSE);
    }

  stored = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_folder_free);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  for (guint i = 0; ok && i < folders->len; i++)
    {
      BuzonFolder *folder = ensure_folder_locked (self, w, g_ptr_array_index (folders, i), error);

      ok = folder != NULL;
      if (ok)
        g_ptr_array_add (stored, folder);
    }

  if (!_buzon_store_write_end (self, ok, error))
    return FALSE;

  /* Hand the stored values back in the caller's structs, as
   * buzon_store_upsert_folder() does. */
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);
      BuzonFolder *found = g_ptr_array_index (stored, i);
      BuzonFolder old = *folder;

      *folder = *found;
      *found = old;
    }

  return TRUE;
}

/**
 * buzon_store_recount_folder:
 * @folder_id: the folder
 * @error: return location for an error
 *
 * Recomputes the folder's total and unread counts from its messages, and
 * its rows of buzon_store_list_threads() (threading any message that has no
 * thread). The store keeps them exact on every change, so this is a repair
 * tool.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_recount_folder (BuzonStore  *self,
                            gint64       folder_id,
                            GError     **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (w, "UPDATE folders SET "
                                "total_count = (SELECT count(*) FROM messages "
                                "WHERE folder_id = ?1), "
                                "unread_count = (SELECT count(*) FROM messages "
                                "WHERE folder_id = ?1 AND (flags & 9) = 0) "
                                "WHERE id = ?1 RETURNING account_id",
                             folder_id, error, NO_FOLDER);

    ok = stmt != NULL;
    if (ok)
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED,
                                sqlite3_column_int64 (stmt, 0));
  }

  if (ok)
    ok = _buzon_store_recount_threads_locked (w, folder_id, error);

  return _buzon_store_write_end (self, ok, error);
}

/* Messages */

/* Binds the summary's fields to ?1…?17 in SUMMARY_COLUMNS order, id left out.
 * The text is not copied: this is the hot path of a first sync, and the
 * summaries are the caller's until the statement is released, at the end of
 * each turn of the loop in _buzon_store_upsert_messages_locked(). */
static void
bind_summary (BuzonStmt                 *stmt,
              const BuzonMessageSummary *summary)
{
  sqlite3_bind_int64 (stmt, 1, summary->folder_id);
  if (summary->uid != 0)
    sqlite3_bind_int64 (stmt, 2, summary->uid);
  else
    sqlite3_bind_null (stmt, 2);
  _buzon_bind_text_static (stmt, 3, summary->message_id);
  _buzon_bind_text_static (stmt, 4, summary->in_reply_to);
  _buzon_bind_text_static (stmt, 5, summary->references);
  _buzon_bind_text_static (stmt, 6, summary->subject);
  _buzon_bind_text_static (stmt, 7, summary->from);
  _buzon_bind_text_static (stmt, 8, summary->to);
  _buzon_bind_text_static (stmt, 9, summary->cc);
  sqlite3_bind_int64 (stmt, 10, summary->date);
  sqlite3_bind_int64 (stmt, 11, summary->internal_date);
  sqlite3_bind_int64 (stmt, 12, (gint64)MIN (summary->size, G_MAXINT64));
  sqlite3_bind_int (stmt, 13, summary->flags & BUZON_MESSAGE_FLAGS_ALL);
  _buzon_bind_text_static (stmt, 14, summary->keywords);
  sqlite3_bind_int (stmt, 15, summary->has_attachments ? 1 : 0);
  _buzon_bind_text_static (stmt, 16, summary->preview);
  /* Only set_body makes a body full, in the transaction that stores it. */
  sqlite3_bind_int (stmt, 17, MIN (summary->body_state, BUZON_BODY_STATE_HEADERS));
}

/* Fields a summary leaves NULL or 0 keep their stored values, so the sync
 * engine may pass partial summaries (a flag change is just uid + flags).
 * Flags and keywords always replace: they travel together (FETCH FLAGS).
 * A change to what threads the message (the right-hand sides all see the
 * row as it was) clears its thread, for the caller to thread it again. */
#define SUMMARY_MERGE(src) \
  "thread_id = CASE WHEN message_id IS NOT coalesce (" src "3, message_id) " \
  "OR in_reply_to IS NOT coalesce (" src "4, in_reply_to) " \
  "OR refs IS NOT coalesce (" src "5, refs) " \
  "OR subject IS NOT coalesce (" src "6, subject) THEN NULL ELSE thread_id END, " \
  "message_id = coalesce (" src "3, message_id), " \
  "in_reply_to = coalesce (" src "4, in_reply_to), " \
  "refs = coalesce (" src "5, refs), " \
  "subject = coalesce (" src "6, subject), " \
  "from_addr = coalesce (" src "7, from_addr), " \
  "to_addrs = coalesce (" src "8, to_addrs), " \
  "cc_addrs = coalesce (" src "9, cc_addrs), " \
  "date = coalesce (nullif (" src "10, 0), date), " \
  "internal_date = coalesce (nullif (" src "11, 0), internal_date), " \
  "size = coalesce (nullif (" src "12, 0), size), " \
  "flags = " src "13, " \
  "keywords = " src "14, " \
  "has_attachments = max (has_attachments, " src "15), " \
  "preview = coalesce (" src "16, preview), " \
  "body_state = max (body_state, " src "17) "

/* Finds the id of the message an upsert inserted or merged into. RETURNING
 * would say, but costs an ephemeral table per row, and this is the hot path
 * of a first sync (the same goes for the other per-message loops here). Ids
 * are never reused (AUTOINCREMENT), so a changed last-insert rowid means a
 * new row. */
static gboolean
upserted_id (BuzonStoreConn             *conn,
             const BuzonMessageSummary  *summary,
             gint64                      rowid_before,
             gint64                     *out_id,
             gboolean                   *out_unthreaded,
             GError                    **error)
{
  g_autoptr(BuzonStmt) stmt = NULL;

  /* A new row has no thread yet. */
  *out_id = sqlite3_last_insert_rowid (conn->db);
  *out_unthreaded = TRUE;
  if (*out_id != rowid_before || summary->uid == 0)
    return TRUE;

  stmt = _buzon_store_prepare (conn, "SELECT id, thread_id IS NULL FROM messages "
                                     "WHERE folder_id = ?1 AND uid = ?2",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, summary->folder_id);
  sqlite3_bind_int64 (stmt, 2, summary->uid);
  if (!_buzon_store_step_first (conn, stmt, error, NO_MESSAGE))
    return FALSE;

  *out_id = sqlite3_column_int64 (stmt, 0);
  *out_unthreaded = sqlite3_column_int (stmt, 1) != 0;

  return TRUE;
}

/* Whether a summary carries what threading reads; a flags-only update
 * (the common resync) does not, and costs no threading. */
#define THREADING_CHANGED(summary) \
  ((summary)->message_id != NULL || (summary)->in_reply_to != NULL || \
   (summary)->references != NULL || (summary)->subject != NULL)

/* Also threads each message (buzon-store-threads.c), in the same
 * transaction. */
gboolean
_buzon_store_upsert_messages_locked (BuzonStore      *self,
                                     BuzonStoreConn  *conn,
                                     GPtrArray       *summaries,
                                     GError         **error)
{
  gint64 account_folder = 0;   /* the folder whose account_id is known */
  gint64 account_id = 0;

  for (guint i = 0; i < summaries->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (summaries, i);
      g_autoptr(BuzonStmt) stmt = NULL;

      if (summary->id > 0)
        {
          if (!message_folder (conn, summary->id, &summary->folder_id, error))
            return FALSE;

          stmt = _buzon_store_prepare (conn,
                                       "UPDATE messages SET uid = coalesce (?2, uid), "
                                       SUMMARY_MERGE ("?")
                                       "WHERE id = ?18",
                                       error);
          if (stmt == NULL)
            return FALSE;

          bind_summary (stmt, summary);
          sqlite3_bind_int64 (stmt, 18, summary->id);

          if (!_buzon_store_step_done (conn, stmt, error))
            return FALSE;

          if (THREADING_CHANGED (summary) &&
              !_buzon_store_thread_message_locked (self, conn, summary->id, error))
            return FALSE;
        }
      else
        {
          g_autofree char *thread_subject = _buzon_store_thread_subject (summary->subject);
          gint64 rowid_before = sqlite3_last_insert_rowid (conn->db);
          gboolean unthreaded;
          gint64 id;

          /* thread_subject only for a new row: a merged one whose subject
           * changed is threaded again below, which sets it. */
          stmt = _buzon_store_prepare (conn,
                                       "INSERT INTO messages (folder_id, uid, message_id, "
                                       "in_reply_to, refs, subject, from_addr, to_addrs, "
                                       "cc_addrs, date, internal_date, size, flags, keywords, "
                                       "has_attachments, preview, body_state, thread_subject) "
                                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                                       "?12, ?13, ?14, ?15, ?16, ?17, ?18) "
                                       "ON CONFLICT (folder_id, uid) DO UPDATE SET "
                                       SUMMARY_MERGE ("?"),
                                       error);
          if (stmt == NULL)
            return FALSE;

          bind_summary (stmt, summary);
          _buzon_bind_text_static (stmt, 18, thread_subject);

          if (!_buzon_store_step_done (conn, stmt, error) ||
              !upserted_id (conn, summary, rowid_before, &id, &unthreaded, error))
            return FALSE;

          summary->id = id;

          /* A new row, or a merged one whose Message-ID, references or
           * subject changed (SUMMARY_MERGE); a resync that brings the same
           * envelope again costs no threading. A new row is threaded from
           * the summary, without reading it back. */
          if (id != rowid_before)
            {
              if (summary->folder_id != account_folder)
                {
                  g_autoptr(BuzonStmt) folder =
                    _buzon_store_query_id (conn, "SELECT account_id FROM folders WHERE id = ?1",
                                           summary->folder_id, error, NO_FOLDER);

                  if (folder == NULL)
                    return FALSE;
                  account_folder = summary->folder_id;
                  account_id = sqlite3_column_int64 (folder, 0);
                }
              if (!_buzon_store_thread_new_locked (self, conn, account_id, summary, thread_subject,
                                                   error))
                return FALSE;
            }
          else if (unthreaded && !_buzon_store_thread_message_locked (self, conn, id, error))
            return FALSE;
        }

      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, summary->folder_id);
    }

  return TRUE;
}

/**
 * buzon_store_upsert_messages:
 * @summaries: (element-type BuzonMessageSummary): the summaries to store
 * @error: return location for an error
 *
 * Stores a batch of message summaries in one transaction: all of them or,
 * on error, none. A summary with an id updates that message; one without
 * is added, or merged into the message with the same folder and UID. When
 * merging, text fields left %NULL and numbers left 0 keep their stored
 * values, flags and keywords replace, and has_attachments and the body
 * state never go down. On success every summary has its id; on failure the
 * ids are as they were.
 *
 * Batches of thousands are what this is for: the statement is prepared
 * once and the whole batch costs one commit.
 *
 * Emits #BuzonStore::messages-changed for each folder touched.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_upsert_messages (BuzonStore  *self,
                             GPtrArray   *summaries,
                             GError     **error)
{
  g_autofree gint64 *old_ids = NULL;
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (summaries != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (summaries->len == 0)
    return TRUE;

  /* On failure nothing was stored, so no summary may keep a new id. */
  old_ids = g_new (gint64, summaries->len);
  for (guint i = 0; i < summaries->len; i++)
    old_ids[i] = ((BuzonMessageSummary *)g_ptr_array_index (summaries, i))->id;

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  ok = _buzon_store_upsert_messages_locked (self, w, summaries, error);
  ok = _buzon_store_write_end (self, ok, error);

  if (!ok)
    {
      for (guint i = 0; i < summaries->len; i++)
        ((BuzonMessageSummary *)g_ptr_array_index (summaries, i))->id = old_ids[i];
    }

  return ok;
}

static void
upsert_messages_worker (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;

  if (buzon_store_upsert_messages (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * buzon_store_upsert_messages_async:
 * @summaries: (element-type BuzonMessageSummary): the summaries to store
 * @cancellable: (nullable): a #GCancellable; it cancels the write only if
 *   the write has not started yet (a started batch is committed and reported)
 * @callback: called when the batch is committed or failed
 * @user_data: data for @callback
 *
 * Does buzon_store_upsert_messages() in the store's write thread, after
 * the asynchronous writes asked for before it. The store sets the
 * summaries' ids from that thread: leave @summaries alone until @callback.
 */
void
buzon_store_upsert_messages_async (BuzonStore          *self,
                                   GPtrArray           *summaries,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (summaries != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_store_upsert_messages_async));
  /* A committed batch must not be reported as cancelled. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_ptr_array_ref (summaries), (GDestroyNotify)g_ptr_array_unref);
  _buzon_store_run_in_writer (self, g_steal_pointer (&task), upsert_messages_worker);
}

/**
 * buzon_store_upsert_messages_finish:
 *
 * Returns: %TRUE if the batch was stored
 */
gboolean
buzon_store_upsert_messages_finish (BuzonStore    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        BUZON_SOURCE_TAG (buzon_store_upsert_messages_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_store_get_message:
 * @message_id: the message's id
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): its summary, or %NULL with
 *   %BUZON_STORE_ERROR_NOT_FOUND
 */
BuzonMessageSummary *
buzon_store_get_message (BuzonStore  *self,
                         gint64       message_id,
                         GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " SUMMARY_COLUMNS " FROM messages WHERE id = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, message_id);

  return _buzon_store_read_row (self, stmt, _buzon_store_summary_from_row, error, NO_MESSAGE);
}

/**
 * buzon_store_list_messages:
 * @folder_id: the folder
 * @offset: how many messages to skip
 * @limit: how many to return at most; 0 for all
 * @error: return location for an error
 *
 * One page of a folder's messages, newest first (by Date, then by id). The
 * message list model pages through a folder with this; the index on
 * (folder, date) means a page costs the same in any folder.
 *
 * Returns: (element-type BuzonMessageSummary) (transfer full) (nullable): the page
 */
GPtrArray *
buzon_store_list_messages (BuzonStore  *self,
                           gint64       folder_id,
                           guint        offset,
                           guint        limit,
                           GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " SUMMARY_COLUMNS " FROM messages "
                                        "WHERE folder_id = ?1 "
                                        "ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64)limit : -1);
  sqlite3_bind_int64 (stmt, 3, offset);

  return _buzon_store_read_rows (self, stmt, _buzon_store_summary_from_row,
                                 (GDestroyNotify)buzon_message_summary_free, error);
}

typedef struct
{
  gint64 folder_id;
  guint  offset;
  guint  limit;
} PageRequest;

static void
list_messages_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PageRequest *request = task_data;
  GError *error = NULL;
  GPtrArray *page;

  page = buzon_store_list_messages (source_object, request->folder_id, request->offset,
                                    request->limit, &error);
  if (page == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, (GDestroyNotify)g_ptr_array_unref);
}

/**
 * buzon_store_list_messages_async:
 * @folder_id: the folder
 * @offset: how many messages to skip
 * @limit: how many to return at most; 0 for all
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the page
 * @user_data: data for @callback
 *
 * Reads a page as buzon_store_list_messages() does, in a worker thread.
 */
void
buzon_store_list_messages_async (BuzonStore          *self,
                                 gint64               folder_id,
                                 guint                offset,
                                 guint                limit,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PageRequest *request;

  g_return_if_fail (BUZON_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (PageRequest, 1);
  request->folder_id = folder_id;
  request->offset = offset;
  request->limit = limit;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_store_list_messages_async));
  g_task_set_task_data (task, request, g_free);
  g_task_run_in_thread (task, list_messages_worker);
}

/**
 * buzon_store_list_messages_finish:
 *
 * Returns: (element-type BuzonMessageSummary) (transfer full) (nullable): the page
 */
GPtrArray *
buzon_store_list_messages_finish (BuzonStore    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        BUZON_SOURCE_TAG (buzon_store_list_messages_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
append_uid_cb (BuzonStmt *stmt,
               gpointer   user_data)
{
  guint32 uid = (guint32)sqlite3_column_int64 (stmt, 0);

  g_array_append_val ((GArray *)user_data, uid);
}

/**
 * buzon_store_list_uids:
 * @folder_id: the folder
 * @error: return location for an error
 *
 * What the sync engine compares with the server's UID list.
 *
 * Returns: (element-type guint32) (transfer full) (nullable): the UIDs of
 *   the folder's messages, ascending
 */
GArray *
buzon_store_list_uids (BuzonStore  *self,
                       gint64       folder_id,
                       GError     **error)
{
  g_autoptr(GArray) uids = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT uid FROM messages WHERE folder_id = ?1 "
                                        "AND uid IS NOT NULL ORDER BY uid",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);

  uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (!_buzon_store_read_each (self, stmt, append_uid_cb, uids, error))
    return NULL;

  return g_steal_pointer (&uids);
}

/* A _buzon_store_read_each() callback: appends column 0 to the GArray of
 * gint64 @user_data. */
void
_buzon_store_append_id_cb (BuzonStmt *stmt,
                           gpointer   user_data)
{
  gint64 id = sqlite3_column_int64 (stmt, 0);

  g_array_append_val ((GArray *)user_data, id);
}

/* @ids as a JSON array, to bind for `IN (SELECT value FROM json_each (?))`:
 * one statement for any number of ids. */
char *
_buzon_store_ids_to_json (const gint64 *ids,
                          guint         n_ids)
{
  GString *list = g_string_sized_new (n_ids * 8 + 2);

  g_string_append_c (list, '[');
  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (list, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", ids[i]);
  g_string_append_c (list, ']');

  return g_string_free (list, FALSE);
}

/**
 * buzon_store_list_message_ids:
 * @folder_id: the folder
 * @error: return location for an error
 *
 * The ids of all of a folder's messages in the order of
 * buzon_store_list_messages(): newest first (by Date, then by id). This is
 * what the message list model keeps for a whole folder (8 bytes a message),
 * reading the summaries only of the rows it shows; the (folder, date) index
 * gives them without a sort.
 *
 * Returns: (element-type gint64) (transfer full) (nullable): the ids
 */
GArray *
buzon_store_list_message_ids (BuzonStore  *self,
                              gint64       folder_id,
                              GError     **error)
{
  g_autoptr(GArray) ids = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT id FROM messages WHERE folder_id = ?1 "
                                        "ORDER BY date DESC, id DESC",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!_buzon_store_read_each (self, stmt, _buzon_store_append_id_cb, ids, error))
    return NULL;

  return g_steal_pointer (&ids);
}

/**
 * buzon_store_get_messages:
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @error: return location for an error
 *
 * The summaries of several messages in one read, for a page of the message
 * list. Ids of messages that are gone are skipped.
 *
 * Returns: (element-type BuzonMessageSummary) (transfer full) (nullable):
 *   the summaries found, in no particular order
 */
GPtrArray *
buzon_store_get_messages (BuzonStore    *self,
                          const gint64  *message_ids,
                          guint          n_message_ids,
                          GError       **error)
{
  g_autofree char *list = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (message_ids != NULL || n_message_ids == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list = _buzon_store_ids_to_json (message_ids, n_message_ids);

  stmt = _buzon_store_read_begin (self, "SELECT " SUMMARY_COLUMNS " FROM messages "
                                        "WHERE id IN (SELECT value FROM json_each (?1))",
                                  error);
  if (stmt == NULL)
    return NULL;

  _buzon_bind_text (stmt, 1, list);

  return _buzon_store_read_rows (self, stmt, _buzon_store_summary_from_row,
                                 (GDestroyNotify)buzon_message_summary_free, error);
}

/* Runs @action (its other parameters bound) for each id in turn, bound as
 * ?1. Ids of messages that no longer exist are skipped; the folders of the
 * others are noted for the change signal. */
static gboolean
for_each_message (BuzonStore      *self,
                  BuzonStoreConn  *conn,
                  BuzonStmt       *action,
                  const gint64    *message_ids,
                  guint            n_message_ids,
                  GError         **error)
{
  g_autoptr(BuzonStmt) lookup =
    _buzon_store_prepare (conn, "SELECT folder_id FROM messages WHERE id = ?1", error);

  if (lookup == NULL)
    return FALSE;

  for (guint i = 0; i < n_message_ids; i++)
    {
      gboolean row = FALSE;

      sqlite3_reset (lookup);
      sqlite3_bind_int64 (lookup, 1, message_ids[i]);
      if (!_buzon_store_step_row (conn, lookup, &row, error))
        return FALSE;
      if (!row)
        continue;

      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED,
                                sqlite3_column_int64 (lookup, 0));

      sqlite3_reset (action);
      sqlite3_bind_int64 (action, 1, message_ids[i]);
      if (!_buzon_store_step_done (conn, action, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * buzon_store_set_flags:
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @add: flags to set
 * @remove: flags to clear
 * @op: (nullable): the operation that replays this on the server, enqueued
 *   in the same transaction (see buzon_store_enqueue_op())
 * @error: return location for an error
 *
 * Changes the flags of messages, as a user action does. Ids of messages
 * that are gone are skipped.
 *
 * Emits #BuzonStore::messages-changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_set_flags (BuzonStore         *self,
                       const gint64       *message_ids,
                       guint               n_message_ids,
                       BuzonMessageFlags   add,
                       BuzonMessageFlags   remove,
                       BuzonPendingOp     *op,
                       GError            **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (message_ids != NULL || n_message_ids == 0, FALSE);
  g_return_val_if_fail ((add & remove) == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (w, "UPDATE messages SET flags = (flags | ?2) & ~?3 WHERE id = ?1",
                            error);

    ok = stmt != NULL;
    if (ok)
      {
        sqlite3_bind_int (stmt, 2, add & BUZON_MESSAGE_FLAGS_ALL);
        sqlite3_bind_int (stmt, 3, remove & BUZON_MESSAGE_FLAGS_ALL);
        ok = for_each_message (self, w, stmt, message_ids, n_message_ids, error);
      }
  }

  return _buzon_store_write_end_with_op (self, ok, op, error);
}

/**
 * buzon_store_move_messages:
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @folder_id: the destination folder
 * @op: (nullable): the operation that replays this on the server, enqueued
 *   in the same transaction
 * @error: return location for an error
 *
 * Moves messages to another folder, bodies and all. They lose their UID,
 * which belonged to the old folder; the sync engine sets the new one
 * (RFC 4315 COPYUID) with buzon_store_upsert_messages().
 *
 * Emits #BuzonStore::messages-changed for both folders.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if the
 *   destination does not exist
 */
gboolean
buzon_store_move_messages (BuzonStore      *self,
                           const gint64    *message_ids,
                           guint            n_message_ids,
                           gint64           folder_id,
                           BuzonPendingOp  *op,
                           GError         **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (message_ids != NULL || n_message_ids == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) move =
      _buzon_store_prepare (w, "UPDATE messages SET folder_id = ?2, uid = NULL "
                               "WHERE id = ?1 AND folder_id <> ?2",
                            error);

    ok = move != NULL;
    if (ok)
      {
        sqlite3_bind_int64 (move, 2, folder_id);
        ok = for_each_message (self, w, move, message_ids, n_message_ids, error);
      }
    if (ok)
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);
  }

  return _buzon_store_write_end_with_op (self, ok, op, error);
}

/**
 * buzon_store_delete_messages:
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @op: (nullable): the operation that replays this on the server, enqueued
 *   in the same transaction
 * @error: return location for an error
 *
 * Deletes messages with their bodies and index entries. A POP3 UIDL that
 * pointed at one keeps its record, without the local copy, so the message is
 * not downloaded again. Ids of messages that are gone are skipped.
 *
 * Emits #BuzonStore::messages-changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_delete_messages (BuzonStore      *self,
                             const gint64    *message_ids,
                             guint            n_message_ids,
                             BuzonPendingOp  *op,
                             GError         **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (message_ids != NULL || n_message_ids == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (w, "DELETE FROM messages WHERE id = ?1", error);

    ok = stmt != NULL && for_each_message (self, w, stmt, message_ids, n_message_ids, error);
  }

  return _buzon_store_write_end_with_op (self, ok, op, error);
}

gboolean
_buzon_store_set_body_locked (BuzonStore      *self,
                              BuzonStoreConn  *conn,
                              gint64           message_id,
                              GBytes          *raw,
                              const char      *body_text,
                              GError         **error)
{
  g_autoptr(BuzonStmt) state = NULL;
  g_autoptr(BuzonStmt) body = NULL;
  gint64 folder_id = 0;

  if (!message_folder (conn, message_id, &folder_id, error))
    return FALSE;

  /* The body and the state that vouches for it, in one transaction. */
  state = _buzon_store_prepare (conn, "UPDATE messages SET body_state = 2, "
                                      "size = CASE WHEN size = 0 THEN ?2 ELSE size END "
                                      "WHERE id = ?1",
                                error);
  if (state == NULL)
    return FALSE;

  sqlite3_bind_int64 (state, 1, message_id);
  sqlite3_bind_int64 (state, 2, (gint64)g_bytes_get_size (raw));
  if (!_buzon_store_step_done (conn, state, error))
    return FALSE;

  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);

  body = _buzon_store_prepare (conn, "INSERT INTO message_bodies (message_id, raw) "
                                     "VALUES (?1, ?2) "
                                     "ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw",
                               error);
  if (body == NULL)
    return FALSE;

  sqlite3_bind_int64 (body, 1, message_id);
  /* Not copied: a body can be megabytes. @raw and @body_text are the
   * caller's for the whole call, and every statement here is released
   * before it returns. */
  _buzon_bind_bytes_static (body, 2, raw);
  if (!_buzon_store_step_done (conn, body, error))
    return FALSE;

  /* A message added in this same transaction is not indexed yet. */
  if (body_text != NULL && !_buzon_store_flush_fts (conn, error))
    return FALSE;

  if (body_text != NULL)
    {
      g_autoptr(BuzonStmt) fts =
        _buzon_store_prepare (conn, "UPDATE messages_fts SET body = ?2 WHERE rowid = ?1", error);

      if (fts == NULL)
        return FALSE;

      sqlite3_bind_int64 (fts, 1, message_id);
      _buzon_bind_text_static (fts, 2, body_text);  /* as @raw above */
      if (!_buzon_store_step_done (conn, fts, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * buzon_store_set_body:
 * @message_id: the message
 * @raw: its raw RFC 5322 bytes
 * @body_text: (nullable): its text as the MIME layer extracts it, for search
 * @error: return location for an error
 *
 * Stores the message's bytes and marks its body state full, in one
 * transaction: after a crash either both happened or neither did (see the
 * class description). The size is set from @raw if it was unknown.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_set_body (BuzonStore  *self,
                      gint64       message_id,
                      GBytes      *raw,
                      const char  *body_text,
                      GError     **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  ok = _buzon_store_set_body_locked (self, w, message_id, raw, body_text, error);

  return _buzon_store_write_end (self, ok, error);
}

/* Reads the raw message, column 0, into a new GBytes. */
static gpointer
body_from_row (BuzonStmt *stmt)
{
  return g_bytes_new (sqlite3_column_blob (stmt, 0), (gsize)sqlite3_column_bytes (stmt, 0));
}

/**
 * buzon_store_get_body:
 * @message_id: the message
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the raw message, or %NULL with
 *   %BUZON_STORE_ERROR_NOT_FOUND when its body state is not full
 */
GBytes *
buzon_store_get_body (BuzonStore  *self,
                      gint64       message_id,
                      GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT b.raw FROM messages AS m "
                                        "JOIN message_bodies AS b ON b.message_id = m.id "
                                        "WHERE m.id = ?1 AND m.body_state = 2",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, message_id);

  return _buzon_store_read_row (self, stmt, body_from_row, error, NO_BODY);
}

/**
 * buzon_store_drop_body:
 * @message_id: the message
 * @error: return location for an error
 *
 * Frees the space of a downloaded message (the "keep N days offline"
 * policy): its body state goes back to headers. Its text stays in the search
 * index, so it can still be found.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if
 *   there is no such message
 */
gboolean
buzon_store_drop_body (BuzonStore  *self,
                       gint64       message_id,
                       GError     **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) state =
      _buzon_store_prepare (w, "UPDATE messages SET body_state = min (body_state, 1) "
                               "WHERE id = ?1",
                            error);
    g_autoptr(BuzonStmt) body =
      _buzon_store_prepare (w, "DELETE FROM message_bodies WHERE message_id = ?1", error);
    gint64 folder_id = 0;

    ok = state != NULL && body != NULL && message_folder (w, message_id, &folder_id, error);
    if (ok)
      {
        sqlite3_bind_int64 (state, 1, message_id);
        sqlite3_bind_int64 (body, 1, message_id);
        ok = _buzon_store_step_done (w, state, error) && _buzon_store_step_done (w, body, error);
      }
    if (ok)
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);
  }

  return _buzon_store_write_end (self, ok, error);
}

/* Search */

/* Turns what the user typed into an FTS5 query that cannot be a syntax
 * error: every word becomes a quoted prefix phrase ("canc"* finds
 * "canción"), all of them required. Returns NULL for nothing to search. */
static char *
build_fts_query (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \t\r\n", -1);
  g_autoptr(GString) query = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;

      if (query->len > 0)
        g_string_append_c (query, ' ');

      g_string_append_c (query, '"');
      for (const char *p = words[i]; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append (query, "\"*");
    }

  if (query->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&query), FALSE);
}

/**
 * buzon_store_search:
 * @query: words to look for, as the user typed them
 * @folder_id: the folder to search, or 0 for all
 * @limit: how many results at most; 0 for all
 * @error: return location for an error
 *
 * Finds messages whose subject, addresses or body text contain every word
 * of @query, as a word or the start of one, ignoring case and accents
 * ("cancion" finds "Canción").
 *
 * Returns: (element-type gint64) (transfer full) (nullable): the ids of the
 *   messages found, newest first
 */
GArray *
buzon_store_search (BuzonStore  *self,
                    const char  *query,
                    gint64       folder_id,
                    guint        limit,
                    GError     **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autofree char *fts_query = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  fts_query = build_fts_query (query);
  if (fts_query == NULL)
    return g_steal_pointer (&ids);

  stmt = _buzon_store_read_begin (self, "SELECT m.id FROM messages_fts AS f "
                                        "JOIN messages AS m ON m.id = f.rowid "
                                        "WHERE messages_fts MATCH ?1 "
                                        "AND (?2 = 0 OR m.folder_id = ?2) "
                                        "ORDER BY m.date DESC, m.id DESC LIMIT ?3",
                                  error);
  if (stmt == NULL)
    return NULL;

  _buzon_bind_text (stmt, 1, fts_query);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64)limit : -1);

  if (!_buzon_store_read_each (self, stmt, _buzon_store_append_id_cb, ids, error))
    return NULL;

  return g_steal_pointer (&ids);
}

/* Address completion */

static void
append_address_row_cb (BuzonStmt *stmt,
                       gpointer   user_data)
{
  GPtrArray *rows = user_data;
  const char *text = (const char *)sqlite3_column_text (stmt, 0);
  BuzonStoreAddressRow *row;

  if (text == NULL)
    return;

  row = g_new0 (BuzonStoreAddressRow, 1);
  row->header = g_strdup (text);
  row->score = (guint)CLAMP (sqlite3_column_int64 (stmt, 1), 0, G_MAXUINT);
  row->last = sqlite3_column_int64 (stmt, 2);
  g_ptr_array_add (rows, row);
}

void
buzon_store_address_row_free (BuzonStoreAddressRow *row)
{
  if (row == NULL)
    return;
  g_free (row->header);
  g_free (row);
}

/**
 * buzon_store_list_address_headers:
 * @account_id: the account, or 0 for all
 * @needle: what the user typed (at least one character); matched, ASCII
 *   case-insensitively, anywhere in the headers
 * @limit: at most this many rows
 * @error: return location for an error
 *
 * The address headers (From of received mail, To and Cc of sent mail) that
 * contain @needle, for address completion. Each distinct header value comes
 * once, with a score: 1 for each message it is the sender of, 3 for each
 * sent message it is a recipient of (people written to come first), and the
 * date of its newest message. Best first.
 *
 * Returns: (transfer full) (element-type BuzonStoreAddressRow) (nullable):
 *   the rows, or %NULL with @error
 */
GPtrArray *
buzon_store_list_address_headers (BuzonStore  *self,
                                  gint64       account_id,
                                  const char  *needle,
                                  guint        limit,
                                  GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) pattern = g_string_new ("%");
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (needle != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_store_address_row_free);
  if (*needle == '\0')
    return g_steal_pointer (&rows);

  for (const char *p = needle; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');

  stmt = _buzon_store_read_begin (
    self,
    "SELECT v, sum (w), max (d) FROM ("
    " SELECT m.from_addr AS v, 1 AS w, m.date AS d FROM messages AS m"
    "  JOIN folders AS f ON f.id = m.folder_id"
    "  WHERE (?1 = 0 OR f.account_id = ?1) AND f.special_use IS NOT 'sent'"
    "  AND m.from_addr LIKE ?2 ESCAPE '\\'"
    " UNION ALL"
    " SELECT m.to_addrs, 3, m.date FROM messages AS m JOIN folders AS f ON f.id = m.folder_id"
    "  WHERE (?1 = 0 OR f.account_id = ?1) AND f.special_use = 'sent'"
    "  AND m.to_addrs LIKE ?2 ESCAPE '\\'"
    " UNION ALL"
    " SELECT m.cc_addrs, 3, m.date FROM messages AS m JOIN folders AS f ON f.id = m.folder_id"
    "  WHERE (?1 = 0 OR f.account_id = ?1) AND f.special_use = 'sent'"
    "  AND m.cc_addrs LIKE ?2 ESCAPE '\\'"
    ") GROUP BY v ORDER BY 2 DESC, 3 DESC LIMIT ?3",
    error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _buzon_bind_text (stmt, 2, pattern->str);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64)limit : -1);

  if (!_buzon_store_read_each (self, stmt, append_address_row_cb, rows, error))
    return NULL;

  return g_steal_pointer (&rows);
}
