/* buzon-store-sync.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonStore, continued: what the sync engine writes.
 *
 * The engine learns the server's state in batches (flag changes, expunged
 * UIDs, new UIDs for messages the user moved or copied) and writes each
 * batch here in one transaction. None of these functions records a pending
 * operation: they bring the store in line with the server, they do not
 * express a user's wish.
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "buzon-store-private.h"

/* xgettext:c-format */
#define NO_FOLDER  N_("The folder is not in the mail store (any more).")
/* xgettext:c-format */
#define NO_MESSAGE N_("The message is not in the mail store (any more).")
/* xgettext:c-format */
#define NO_OP      N_("The operation is not in the queue (any more).")

/**
 * buzon_store_apply_server_flags:
 * @folder_id: the folder
 * @changes: (element-type BuzonMessageSummary): partial summaries: @uid,
 *   @flags and @keywords are read, nothing else
 * @error: return location for an error
 *
 * Sets the flags the server reported (FETCH FLAGS) on the folder's messages
 * with those UIDs, in one transaction. UIDs not in the store are skipped: a
 * flag change never creates a message.
 *
 * Emits #BuzonStore::messages-changed when a row changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_apply_server_flags (BuzonStore  *self,
                                gint64       folder_id,
                                GPtrArray   *changes,
                                GError     **error)
{
  BuzonStoreConn *w;
  gboolean ok;
  gboolean changed = FALSE;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (changes->len == 0)
    return TRUE;

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    /* Only rows whose flags differ: an unchanged row costs no write (and no
     * trigger), which is what a full FLAGS resync mostly finds. */
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (w, "UPDATE messages SET flags = ?3, keywords = ?4 "
                               "WHERE folder_id = ?1 AND uid = ?2 "
                               "AND (flags IS NOT ?3 OR keywords IS NOT ?4)",
                            error);

    ok = stmt != NULL;
    for (guint i = 0; ok && i < changes->len; i++)
      {
        const BuzonMessageSummary *change = g_ptr_array_index (changes, i);

        sqlite3_reset (stmt);
        sqlite3_bind_int64 (stmt, 1, folder_id);
        sqlite3_bind_int64 (stmt, 2, change->uid);
        sqlite3_bind_int (stmt, 3, change->flags & BUZON_MESSAGE_FLAGS_ALL);
        if (change->keywords != NULL && *change->keywords != '\0')
          _buzon_bind_text_static (stmt, 4, change->keywords);
        else
          sqlite3_bind_null (stmt, 4);
        ok = _buzon_store_step_done (w, stmt, error);
        if (ok && sqlite3_changes (w->db) > 0)
          changed = TRUE;
      }
  }

  if (ok && changed)
    _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);

  return _buzon_store_write_end (self, ok, error);
}

/**
 * buzon_store_expunge_uids:
 * @folder_id: the folder
 * @uids: (array length=n_uids): UIDs the server no longer has
 * @n_uids: how many
 * @error: return location for an error
 *
 * Deletes the folder's messages with those UIDs (and their bodies), as the
 * server expunged them. Messages that exist only here (no UID) are never
 * touched.
 *
 * Emits #BuzonStore::messages-changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_expunge_uids (BuzonStore     *self,
                          gint64          folder_id,
                          const guint32  *uids,
                          guint           n_uids,
                          GError        **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (uids != NULL || n_uids == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_uids == 0)
    return TRUE;

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (w, "DELETE FROM messages WHERE folder_id = ?1 AND uid = ?2", error);

    ok = stmt != NULL;
    for (guint i = 0; ok && i < n_uids; i++)
      {
        sqlite3_reset (stmt);
        sqlite3_bind_int64 (stmt, 1, folder_id);
        sqlite3_bind_int64 (stmt, 2, uids[i]);
        ok = _buzon_store_step_done (w, stmt, error);
      }
  }

  if (ok)
    _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);

  return _buzon_store_write_end (self, ok, error);
}

/**
 * buzon_store_lookup_message_by_uid:
 * @folder_id: the folder
 * @uid: the IMAP UID
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the message's summary, or %NULL with
 *   %BUZON_STORE_ERROR_NOT_FOUND
 */
BuzonMessageSummary *
buzon_store_lookup_message_by_uid (BuzonStore  *self,
                                   gint64       folder_id,
                                   guint32      uid,
                                   GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " BUZON_STORE_SUMMARY_COLUMNS " FROM messages "
                                        "WHERE folder_id = ?1 AND uid = ?2",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);

  return _buzon_store_read_row (self, stmt, _buzon_store_summary_from_row, error, NO_MESSAGE);
}

/**
 * buzon_store_set_message_location:
 * @message_id: the message
 * @folder_id: the folder it is in on the server
 * @uid: its UID there, or 0 for none (yet)
 * @error: return location for an error
 *
 * Puts a message where the server says it is: after a move or copy was
 * replayed (RFC 4315 COPYUID), or back where it was when the server refused
 * the move. If a sync already fetched the server's copy as another row with
 * that UID, that row is dropped in favour of this one, which may hold the
 * body and is the one the user acted on.
 *
 * Emits #BuzonStore::messages-changed for both folders.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if
 *   the message is gone
 */
gboolean
buzon_store_set_message_location (BuzonStore  *self,
                                  gint64       message_id,
                                  gint64       folder_id,
                                  guint32      uid,
                                  GError     **error)
{
  BuzonStoreConn *w;
  gint64 old_folder = 0;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (w, "SELECT folder_id FROM messages WHERE id = ?1", message_id,
                             error, NO_MESSAGE);

    ok = stmt != NULL;
    if (ok)
      old_folder = sqlite3_column_int64 (stmt, 0);
  }

  if (ok && uid != 0)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "DELETE FROM messages WHERE folder_id = ?1 AND uid = ?2 "
                                 "AND id <> ?3",
                              error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, folder_id);
          sqlite3_bind_int64 (stmt, 2, uid);
          sqlite3_bind_int64 (stmt, 3, message_id);
          ok = _buzon_store_step_done (w, stmt, error);
        }
    }

  if (ok)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "UPDATE messages SET folder_id = ?2, uid = ?3 WHERE id = ?1",
                              error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, message_id);
          sqlite3_bind_int64 (stmt, 2, folder_id);
          if (uid != 0)
            sqlite3_bind_int64 (stmt, 3, uid);
          else
            sqlite3_bind_null (stmt, 3);
          ok = _buzon_store_step_done (w, stmt, error);
        }
    }

  if (ok)
    {
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, old_folder);
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);
    }

  return _buzon_store_write_end (self, ok, error);
}

/* Copies message @source_id (row, body and indexed body text) into
 * @folder_id, without a UID; *out_id is the copy's id. */
static gboolean
copy_one (BuzonStoreConn  *conn,
          gint64           source_id,
          gint64           folder_id,
          gint64          *out_id,
          GError         **error)
{
  g_autoptr(BuzonStmt) row = NULL;
  g_autoptr(BuzonStmt) body = NULL;

  row = _buzon_store_prepare (conn,
                              "INSERT INTO messages (folder_id, uid, message_id, in_reply_to, refs, "
                              "subject, from_addr, to_addrs, cc_addrs, date, internal_date, size, "
                              "flags, keywords, has_attachments, preview, body_state, thread_id, "
                              "thread_subject) "
                              "SELECT ?2, NULL, message_id, in_reply_to, refs, subject, from_addr, "
                              "to_addrs, cc_addrs, date, internal_date, size, flags, keywords, "
                              "has_attachments, preview, body_state, thread_id, thread_subject "
                              "FROM messages WHERE id = ?1",
                              error);
  if (row == NULL)
    return FALSE;

  sqlite3_bind_int64 (row, 1, source_id);
  sqlite3_bind_int64 (row, 2, folder_id);
  if (!_buzon_store_step_done (conn, row, error))
    return FALSE;

  /* No row inserted: the source is gone. (Comparing last-insert rowids
   * would not do: another table's last insert may have had the same one.) */
  if (sqlite3_changes (conn->db) == 0)
    {
      *out_id = 0;
      return TRUE;
    }
  *out_id = sqlite3_last_insert_rowid (conn->db);

  body = _buzon_store_prepare (conn, "INSERT INTO message_bodies (message_id, raw) "
                                     "SELECT ?2, raw FROM message_bodies WHERE message_id = ?1",
                               error);
  if (body == NULL)
    return FALSE;

  sqlite3_bind_int64 (body, 1, source_id);
  sqlite3_bind_int64 (body, 2, *out_id);
  if (!_buzon_store_step_done (conn, body, error))
    return FALSE;

  /* The index entry of the copy, with the body text the source had. */
  if (!_buzon_store_flush_fts (conn, error))
    return FALSE;

  {
    g_autoptr(BuzonStmt) fts =
      _buzon_store_prepare (conn, "UPDATE messages_fts SET body = "
                                  "(SELECT body FROM messages_fts WHERE rowid = ?1) "
                                  "WHERE rowid = ?2",
                            error);

    if (fts == NULL)
      return FALSE;

    sqlite3_bind_int64 (fts, 1, source_id);
    sqlite3_bind_int64 (fts, 2, *out_id);
    return _buzon_store_step_done (conn, fts, error);
  }
}

/**
 * buzon_store_copy_messages:
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @folder_id: the destination folder
 * @op: (nullable): the operation that replays this on the server, enqueued
 *   in the same transaction. Its JSON payload gets a member `new_ids`: the
 *   copies' ids, in the order of @message_ids (0 for a message that was gone)
 * @out_new_ids: (out) (optional) (element-type gint64): the same ids
 * @error: return location for an error
 *
 * Copies messages into another folder, bodies and all, as a user action
 * does. The copies have no UID until the server gives them one.
 *
 * Emits #BuzonStore::messages-changed for the destination.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if
 *   the destination does not exist
 */
gboolean
buzon_store_copy_messages (BuzonStore      *self,
                           const gint64    *message_ids,
                           guint            n_message_ids,
                           gint64           folder_id,
                           BuzonPendingOp  *op,
                           GArray         **out_new_ids,
                           GError         **error)
{
  g_autoptr(GArray) new_ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_autoptr(GString) json = g_string_new ("[");
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (message_ids != NULL || n_message_ids == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (w, "SELECT id FROM folders WHERE id = ?1", folder_id, error,
                             NO_FOLDER);

    ok = stmt != NULL;
  }

  for (guint i = 0; ok && i < n_message_ids; i++)
    {
      gint64 new_id = 0;

      ok = copy_one (w, message_ids[i], folder_id, &new_id, error);
      g_array_append_val (new_ids, new_id);
      g_string_append_printf (json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", new_id);
    }
  g_string_append_c (json, ']');

  if (ok && op != NULL)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "SELECT json_set (?1, '$.new_ids', json (?2))", error);

      ok = stmt != NULL;
      if (ok)
        {
          _buzon_bind_text (stmt, 1, op->payload != NULL ? op->payload : "{}");
          _buzon_bind_text (stmt, 2, json->str);
          ok = _buzon_store_step_first (w, stmt, error, NULL);
        }
      if (ok)
        {
          g_free (op->payload);
          op->payload = _buzon_column_dup_text (stmt, 0);
        }
    }

  if (ok)
    _buzon_store_note_change (self, BUZON_STORE_SIGNAL_MESSAGES_CHANGED, folder_id);

  if (!_buzon_store_write_end_with_op (self, ok, op, error))
    return FALSE;

  if (out_new_ids != NULL)
    *out_new_ids = g_steal_pointer (&new_ids);

  return TRUE;
}

static void
append_ref_cb (BuzonStmt *stmt,
               gpointer   user_data)
{
  BuzonStoreUidRef ref = {
    .id = sqlite3_column_int64 (stmt, 0),
    .uid = (guint32)sqlite3_column_int64 (stmt, 1),
  };

  g_array_append_val ((GArray *)user_data, ref);
}

/**
 * buzon_store_list_missing_bodies:
 * @folder_id: the folder
 * @since: only messages received at or after this time (seconds since the
 *   epoch, by internal date, else Date); 0 for all
 * @limit: at most this many; 0 for all
 * @error: return location for an error
 *
 * The messages of a folder kept offline whose bodies are not downloaded
 * yet, newest first: what the background download fetches next.
 *
 * Returns: (element-type BuzonStoreUidRef) (transfer full) (nullable): ids
 *   and UIDs, only of messages that have a UID
 */
GArray *
buzon_store_list_missing_bodies (BuzonStore  *self,
                                 gint64       folder_id,
                                 gint64       since,
                                 guint        limit,
                                 GError     **error)
{
  g_autoptr(GArray) refs = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT id, uid FROM messages "
                                        "WHERE folder_id = ?1 AND uid IS NOT NULL "
                                        "AND body_state < 2 "
                                        "AND coalesce (nullif (internal_date, 0), date) >= ?2 "
                                        "ORDER BY uid DESC LIMIT ?3",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64)limit : -1);

  refs = g_array_new (FALSE, FALSE, sizeof (BuzonStoreUidRef));
  if (!_buzon_store_read_each (self, stmt, append_ref_cb, refs, error))
    return NULL;

  return g_steal_pointer (&refs);
}

static void
add_unplaced_cb (BuzonStmt *stmt,
                 gpointer   user_data)
{
  GHashTable *table = user_data;
  const char *message_id = (const char *)sqlite3_column_text (stmt, 1);
  gint64 *id = g_new (gint64, 1);

  *id = sqlite3_column_int64 (stmt, 0);
  g_hash_table_replace (table, g_strdup (message_id), id);
}

/**
 * buzon_store_list_unplaced:
 * @folder_id: the folder
 * @error: return location for an error
 *
 * The folder's messages that have no UID yet, by Message-ID: messages the
 * user moved or copied here whose replay did not learn the new UID (no
 * UIDPLUS, or the connection broke in between). When the sync finds a new
 * server message with the same Message-ID, it is that one.
 *
 * Returns: (transfer full) (element-type utf8 gint64): Message-ID → id;
 *   empty when there are none
 */
GHashTable *
buzon_store_list_unplaced (BuzonStore  *self,
                           gint64       folder_id,
                           GError     **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT id, message_id FROM messages "
                                        "WHERE folder_id = ?1 AND uid IS NULL "
                                        "AND message_id IS NOT NULL",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (!_buzon_store_read_each (self, stmt, add_unplaced_cb, table, error))
    return NULL;

  return g_steal_pointer (&table);
}

/**
 * buzon_store_update_op_payload:
 * @op_id: the queued operation
 * @payload: its new JSON payload
 * @error: return location for an error
 *
 * Rewrites a queued operation's details, when an earlier replay taught the
 * engine something the later operation needs (the UID a moved message got).
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_update_op_payload (BuzonStore  *self,
                               gint64       op_id,
                               const char  *payload,
                               GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "UPDATE pending_ops SET payload = ?2 WHERE id = ?1",
                                        error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, op_id);
  _buzon_bind_text (stmt, 2, payload);

  return _buzon_store_write_stmt_end (self, stmt, error, NO_OP);
}

/**
 * buzon_store_drop_op:
 * @op_id: the queued operation
 * @message: (nullable): why it was dropped, a sentence for the user; %NULL
 *   when it simply has nothing left to do
 * @error: return location for an error
 *
 * Removes an operation from the queue without replaying it, because the
 * server refused it for good. The message is kept in the account's list of
 * failures (buzon_store_list_op_failures()) in the same transaction, so the
 * user learns about it even when nobody was watching.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_drop_op (BuzonStore  *self,
                     gint64       op_id,
                     const char  *message,
                     GError     **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  if (message != NULL)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "INSERT INTO op_failures (account_id, kind, message, created) "
                                 "SELECT account_id, kind, ?2, ?3 FROM pending_ops WHERE id = ?1",
                              error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, op_id);
          _buzon_bind_text (stmt, 2, message);
          sqlite3_bind_int64 (stmt, 3, _buzon_store_now ());
          ok = _buzon_store_step_done (w, stmt, error);
        }
    }
  else
    ok = TRUE;

  if (ok)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_query_id (w, "DELETE FROM pending_ops WHERE id = ?1 RETURNING id", op_id,
                               error, NO_OP);

      ok = stmt != NULL;
    }

  return _buzon_store_write_end (self, ok, error);
}

static gpointer
failure_from_row (BuzonStmt *stmt)
{
  BuzonOpFailure *failure = g_new0 (BuzonOpFailure, 1);

  failure->id = sqlite3_column_int64 (stmt, 0);
  failure->account_id = sqlite3_column_int64 (stmt, 1);
  failure->kind = _buzon_column_dup_text (stmt, 2);
  failure->message = _buzon_column_dup_text (stmt, 3);
  failure->created = sqlite3_column_int64 (stmt, 4);

  return failure;
}

/**
 * buzon_store_list_op_failures:
 * @account_id: the account
 * @after_id: only failures with a larger id (0 for all)
 * @error: return location for an error
 *
 * Returns: (element-type BuzonOpFailure) (transfer full) (nullable): the
 *   operations the server refused, oldest first
 */
GPtrArray *
buzon_store_list_op_failures (BuzonStore  *self,
                              gint64       account_id,
                              gint64       after_id,
                              GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT id, account_id, kind, message, created "
                                        "FROM op_failures WHERE account_id = ?1 AND id > ?2 "
                                        "ORDER BY id",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, after_id);

  return _buzon_store_read_rows (self, stmt, failure_from_row,
                                 (GDestroyNotify)buzon_op_failure_free, error);
}

/**
 * buzon_store_clear_op_failures:
 * @account_id: the account
 * @up_to_id: remove the failures up to this id, once shown
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_clear_op_failures (BuzonStore  *self,
                               gint64       account_id,
                               gint64       up_to_id,
                               GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "DELETE FROM op_failures "
                                              "WHERE account_id = ?1 AND id <= ?2",
                                        error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  sqlite3_bind_int64 (stmt, 2, up_to_id);

  return _buzon_store_write_stmt_end (self, stmt, error, NULL);
}

static gboolean
add_local_message (BuzonStore           *self,
                   BuzonMessageSummary  *summary,
                   GBytes               *raw,
                   const char           *body_text,
                   BuzonPendingOp       *op,
                   gint64                outbox_id,
                   GError              **error)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  BuzonStoreConn *w;
  guint32 uid;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (summary != NULL && summary->folder_id > 0, FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Durable: this may be the only copy of what the user wrote. */
  if ((w = _buzon_store_write_begin (self, TRUE, error)) == NULL)
    return FALSE;

  uid = summary->uid;
  summary->uid = 0;
  summary->id = 0;
  g_ptr_array_add (batch, summary);
  ok = _buzon_store_upsert_messages_locked (self, w, batch, error);
  summary->uid = uid;

  if (ok)
    ok = _buzon_store_set_body_locked (self, w, summary->id, raw, body_text, error);

  if (ok && op != NULL)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "SELECT json_set (?1, '$.id', ?2)", error);

      ok = stmt != NULL;
      if (ok)
        {
          _buzon_bind_text (stmt, 1, op->payload != NULL ? op->payload : "{}");
          sqlite3_bind_int64 (stmt, 2, summary->id);
          ok = _buzon_store_step_first (w, stmt, error, NULL);
        }
      if (ok)
        {
          g_free (op->payload);
          op->payload = _buzon_column_dup_text (stmt, 0);
        }
    }

  /* Filed in Sent and out of the outbox together: never sent twice, never
   * filed twice. */
  if (ok && outbox_id > 0)
    {
      g_autoptr(BuzonStmt) stmt = _buzon_store_prepare (w, "DELETE FROM outbox WHERE id = ?1",
                                                        error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, outbox_id);
          ok = _buzon_store_step_done (w, stmt, error);
        }
      if (ok && sqlite3_changes (w->db) == 0)
        {
          g_set_error_literal (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                               _("The message is no longer in the outbox."));
          ok = FALSE;
        }
      if (ok)
        _buzon_store_note_change (self, BUZON_STORE_SIGNAL_OUTBOX_CHANGED, 0);
    }

  if (!_buzon_store_write_end_with_op (self, ok, op, error))
    {
      summary->id = 0;
      return FALSE;
    }

  summary->uid = 0;
  return TRUE;
}

/**
 * buzon_store_add_local_message:
 * @summary: the message's summary; @folder_id must be set, @uid is ignored
 *   (a message added here has none until the server gives it one)
 * @raw: its RFC 5322 bytes
 * @body_text: (nullable): its text, for search
 * @op: (nullable): the operation that puts it on the server, enqueued in the
 *   same transaction; its JSON payload gets a member `id`, the new message's id
 * @error: return location for an error
 *
 * Adds a message written or saved here (a draft, a sent message, a file
 * the user dropped in) with its body, in one transaction: after a crash it
 * is either stored and queued for the server, or not there at all. On
 * success @summary->id is set.
 *
 * Emits #BuzonStore::messages-changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_add_local_message (BuzonStore           *self,
                               BuzonMessageSummary  *summary,
                               GBytes               *raw,
                               const char           *body_text,
                               BuzonPendingOp       *op,
                               GError              **error)
{
  return add_local_message (self, summary, raw, body_text, op, 0, error);
}

/**
 * buzon_store_outbox_file_sent:
 * @item_id: the outbox item the server accepted
 * @summary: as for buzon_store_add_local_message()
 * @raw: the message as sent
 * @body_text: (nullable): its text, for search
 * @op: (nullable): the APPEND to queue, for IMAP accounts
 * @error: return location for an error
 *
 * Files a sent message in the Sent folder and removes it from the outbox,
 * in one durable transaction. Fails with %BUZON_STORE_ERROR_NOT_FOUND, and
 * files nothing, when the item is no longer in the outbox.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_outbox_file_sent (BuzonStore           *self,
                              gint64                item_id,
                              BuzonMessageSummary  *summary,
                              GBytes               *raw,
                              const char           *body_text,
                              BuzonPendingOp       *op,
                              GError              **error)
{
  g_return_val_if_fail (item_id > 0, FALSE);

  return add_local_message (self, summary, raw, body_text, op, item_id, error);
}
