/* buzon-store-queues.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonStore, continued: the bookkeeping that makes Buzón lose nothing. POP3
 * UIDLs (nothing fetched twice, nothing deleted before it is on disk), the
 * queue of user actions waiting for the server, the outbox, and pinned
 * certificates.
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-store-private.h"

#define UIDL_COLUMNS "u.account_id, u.uidl, u.local_message, u.first_seen, u.downloaded, " \
                     "u.deleted_on_server, (u.downloaded > 0 AND (u.local_message IS NULL OR " \
                     "f.special_use = 'trash'))"
#define UIDL_FROM "pop3_uidls u LEFT JOIN messages m ON m.id = u.local_message " \
                  "LEFT JOIN folders f ON f.id = m.folder_id"
#define OP_COLUMNS "id, account_id, folder_id, kind, payload, created, attempts, last_error"
#define OUTBOX_COLUMNS \
  "id, account_id, raw, recipients, created, attempts, next_attempt, last_error, state"

/* xgettext:c-format */
#define NO_OP     N_("The operation is no longer queued.")
/* xgettext:c-format */
#define NO_OUTBOX N_("The message is no longer in the outbox.")
#define NO_PIN    N_("No certificate is trusted for %s port %u.")
#define TOO_LATE  N_("The message is being sent or was sent already; it can no longer be taken "\
                     "back.")

/* POP3 */

/* Reads UIDL_COLUMNS into a new BuzonPop3Uidl. */
static gpointer
uidl_from_row (BuzonStmt *stmt)
{
  BuzonPop3Uidl *uidl = g_new0 (BuzonPop3Uidl, 1);

  uidl->account_id = sqlite3_column_int64 (stmt, 0);
  uidl->uidl = _buzon_column_dup_text (stmt, 1);
  uidl->message_id = sqlite3_column_int64 (stmt, 2);
  uidl->first_seen = sqlite3_column_int64 (stmt, 3);
  uidl->downloaded = sqlite3_column_int64 (stmt, 4);
  uidl->deleted_on_server = sqlite3_column_int (stmt, 5) != 0;
  uidl->deleted_here = sqlite3_column_int (stmt, 6) != 0;

  return uidl;
}

/**
 * buzon_store_pop3_record_uidl:
 * @account_id: the POP3 account
 * @uidl: a UIDL the server listed
 * @error: return location for an error
 *
 * Remembers when a UIDL was first seen (the "keep N days" mode counts from
 * then). Recording a known UIDL again changes nothing.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_pop3_record_uidl (BuzonStore  *self,
                              gint64       account_id,
                              const char  *uidl,
                              GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (uidl != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "INSERT INTO pop3_uidls (account_id, uidl, "
                                              "first_seen) VALUES (?1, ?2, ?3) "
                                              "ON CONFLICT DO NOTHING",
                                        error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _buzon_bind_text (stmt, 2, uidl);
  sqlite3_bind_int64 (stmt, 3, _buzon_store_now ());

  return _buzon_store_write_stmt_end (self, stmt, error, NULL);
}

/**
 * buzon_store_pop3_save_message:
 * @account_id: the POP3 account
 * @uidl: the message's UIDL
 * @summary: its summary, with @folder_id set (usually the local Inbox)
 * @raw: the bytes RETR returned, dot-unstuffed
 * @body_text: (nullable): its text, for search
 * @error: return location for an error
 *
 * Stores one downloaded POP3 message; see buzon_store_pop3_save_messages().
 *
 * Returns: %TRUE on success; @summary then has its id
 */
gboolean
buzon_store_pop3_save_message (BuzonStore           *self,
                               gint64                account_id,
                               const char           *uidl,
                               BuzonMessageSummary  *summary,
                               GBytes               *raw,
                               const char           *body_text,
                               GError              **error)
{
  BuzonPop3Download download = { (char *)uidl, summary, raw, (char *)body_text };
  BuzonPop3Download *one = &download;

  g_return_val_if_fail (uidl != NULL, FALSE);

  return buzon_store_pop3_save_messages (self, account_id, &one, 1, error);
}

/**
 * buzon_store_pop3_save_messages:
 * @account_id: the POP3 account
 * @downloads: (array length=n_downloads): the downloaded messages
 * @n_downloads: how many
 * @error: return location for an error
 *
 * Stores downloaded POP3 messages: their summaries, their bodies (state
 * full) and their UIDL records, in one transaction that is on disk (fsync)
 * when this returns. Only after that may the POP3 client send DELE for
 * them. A UIDL already stored with a local copy is skipped (a second
 * download of the same message keeps the first copy), and so is a message
 * stored here under another UIDL (same Message-ID and bytes): its UIDL is
 * pointed at that copy. Both get @already_here set.
 *
 * Returns: %TRUE on success; each summary stored then has its id
 */
gboolean
buzon_store_pop3_save_messages (BuzonStore          *self,
                                gint64               account_id,
                                BuzonPop3Download  **downloads,
                                guint                n_downloads,
                                GError             **error)
{
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GArray) old_ids = NULL;
  BuzonStoreConn *w;
  gboolean ok = TRUE;
  gint64 now = _buzon_store_now ();

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (downloads != NULL || n_downloads == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_downloads; i++)
    {
      g_return_val_if_fail (downloads[i]->uidl != NULL && downloads[i]->raw != NULL, FALSE);
      g_return_val_if_fail (downloads[i]->summary != NULL &&
                            downloads[i]->summary->folder_id > 0, FALSE);
    }

  if ((w = _buzon_store_write_begin (self, TRUE, error)) == NULL)
    return FALSE;

  batch = g_ptr_array_new ();
  old_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  {
    g_autoptr(BuzonStmt) known =
      _buzon_store_prepare (w, "SELECT 1 FROM pop3_uidls WHERE account_id = ?1 AND uidl = ?2 "
                               "AND downloaded > 0",
                            error);
    /* The same message under another UIDL: a server that renumbered its
     * mailbox (a rebuild, a move to another server) must not make every
     * message come twice. Same Message-ID, same size, same bytes. */
    g_autoptr(BuzonStmt) same =
      known == NULL ? NULL :
      _buzon_store_prepare (w, "SELECT m.id, b.raw FROM messages m "
                               "JOIN folders f ON f.id = m.folder_id "
                               "JOIN message_bodies b ON b.message_id = m.id "
                               "WHERE m.message_id = ?2 AND f.account_id = ?1 AND m.size = ?3",
                            error);
    g_autoptr(BuzonStmt) link =
      same == NULL ? NULL :
      _buzon_store_prepare (w, "INSERT INTO pop3_uidls (account_id, uidl, local_message, "
                               "first_seen, downloaded) VALUES (?1, ?2, ?3, ?4, ?4) "
                               "ON CONFLICT (account_id, uidl) DO UPDATE SET "
                               "local_message = excluded.local_message, "
                               "downloaded = excluded.downloaded",
                            error);

    ok = link != NULL;
    for (guint i = 0; ok && i < n_downloads; i++)
      {
        BuzonPop3Download *download = downloads[i];
        gint64 copy = 0;
        int rc;

        download->already_here = FALSE;
        sqlite3_reset (known);
        sqlite3_bind_int64 (known, 1, account_id);
        _buzon_bind_text (known, 2, download->uidl);
        rc = sqlite3_step (known);
        if (rc == SQLITE_ROW)
          {
            download->already_here = TRUE;
            continue;
          }

        if (download->summary->message_id != NULL)
          {
            gsize size;
            const void *data = g_bytes_get_data (download->raw, &size);

            sqlite3_reset (same);
            sqlite3_bind_int64 (same, 1, account_id);
            _buzon_bind_text (same, 2, download->summary->message_id);
            sqlite3_bind_int64 (same, 3, (sqlite3_int64)size);
            while (copy == 0 && (rc = sqlite3_step (same)) == SQLITE_ROW)
              if ((gsize)sqlite3_column_bytes (same, 1) == size &&
                  (size == 0 || memcmp (sqlite3_column_blob (same, 1), data, size) == 0))
                copy = sqlite3_column_int64 (same, 0);
          }
        if (copy != 0)
          {
            sqlite3_reset (link);
            sqlite3_bind_int64 (link, 1, account_id);
            _buzon_bind_text (link, 2, download->uidl);
            sqlite3_bind_int64 (link, 3, copy);
            sqlite3_bind_int64 (link, 4, now);
            ok = _buzon_store_step_done (w, link, error);
            download->already_here = TRUE;
            continue;
          }

        g_ptr_array_add (batch, download);
        g_array_append_val (old_ids, download->summary->id);
      }
  }

  if (ok && batch->len > 0)
    {
      g_autoptr(GPtrArray) summaries = g_ptr_array_sized_new (batch->len);

      for (guint i = 0; i < batch->len; i++)
        g_ptr_array_add (summaries, ((BuzonPop3Download *)batch->pdata[i])->summary);
      ok = _buzon_store_upsert_messages_locked (self, w, summaries, error);
    }

  if (ok && batch->len > 0)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "INSERT INTO pop3_uidls (account_id, uidl, local_message, "
                                 "first_seen, downloaded) VALUES (?1, ?2, ?3, ?4, ?4) "
                                 "ON CONFLICT (account_id, uidl) DO UPDATE SET "
                                 "local_message = excluded.local_message, "
                                 "downloaded = excluded.downloaded",
                              error);

      ok = stmt != NULL;
      for (guint i = 0; ok && i < batch->len; i++)
        {
          BuzonPop3Download *download = batch->pdata[i];

          ok = _buzon_store_set_body_locked (self, w, download->summary->id, download->raw,
                                             download->text, error);
          if (!ok)
            break;
          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, account_id);
          _buzon_bind_text (stmt, 2, download->uidl);
          sqlite3_bind_int64 (stmt, 3, download->summary->id);
          sqlite3_bind_int64 (stmt, 4, now);
          ok = _buzon_store_step_done (w, stmt, error);
        }
    }

  ok = _buzon_store_write_end (self, ok, error);
  if (!ok)
    for (guint i = 0; i < batch->len; i++)
      ((BuzonPop3Download *)batch->pdata[i])->summary->id = g_array_index (old_ids, gint64, i);

  return ok;
}

/**
 * buzon_store_pop3_lookup_uidl:
 * @account_id: the POP3 account
 * @uidl: the UIDL
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): what is known about @uidl, or %NULL
 *   with %BUZON_STORE_ERROR_NOT_FOUND if it was never seen
 */
BuzonPop3Uidl *
buzon_store_pop3_lookup_uidl (BuzonStore  *self,
                              gint64       account_id,
                              const char  *uidl,
                              GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (uidl != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " UIDL_COLUMNS " FROM " UIDL_FROM
                                        " WHERE u.account_id = ?1 AND u.uidl = ?2",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);
  _buzon_bind_text (stmt, 2, uidl);

  return _buzon_store_read_row (self, stmt, uidl_from_row, error,
                                N_("The server’s message “%s” was never seen here."), uidl);
}

/**
 * buzon_store_pop3_list_uidls:
 * @account_id: the POP3 account
 * @error: return location for an error
 *
 * Returns: (element-type BuzonPop3Uidl) (transfer full) (nullable): every
 *   UIDL recorded for the account, oldest first
 */
GPtrArray *
buzon_store_pop3_list_uidls (BuzonStore  *self,
                             gint64       account_id,
                             GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " UIDL_COLUMNS " FROM " UIDL_FROM
                                        " WHERE u.account_id = ?1 ORDER BY u.first_seen, u.rowid",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);

  return _buzon_store_read_rows (self, stmt, uidl_from_row,
                                 (GDestroyNotify)buzon_pop3_uidl_free, error);
}

/**
 * buzon_store_pop3_mark_deleted:
 * @account_id: the POP3 account
 * @uidls: (array zero-terminated=1): UIDLs whose DELE took effect
 * @error: return location for an error
 *
 * Records that the server expunged these messages; call it after QUIT
 * succeeded (RFC 1939 section 6: before that, nothing is deleted), or when
 * the server no longer lists them. The records stay, so a message the
 * server lists again is still known. Unknown UIDLs are skipped.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_pop3_mark_deleted (BuzonStore          *self,
                               gint64               account_id,
                               const char * const  *uidls,
                               GError             **error)
{
  BuzonStoreConn *w;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (uidls != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (uidls[0] == NULL)
    return TRUE;

  if ((w = _buzon_store_write_begin (self, FALSE, error)) == NULL)
    return FALSE;

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (w, "UPDATE pop3_uidls SET deleted_on_server = 1 "
                               "WHERE account_id = ?1 AND uidl = ?2",
                            error);

    ok = stmt != NULL;
    if (ok)
      sqlite3_bind_int64 (stmt, 1, account_id);
    for (guint i = 0; ok && uidls[i] != NULL; i++)
      {
        sqlite3_reset (stmt);
        _buzon_bind_text (stmt, 2, uidls[i]);
        ok = _buzon_store_step_done (w, stmt, error);
      }
  }

  return _buzon_store_write_end (self, ok, error);
}

static void
found_row (BuzonStmt *stmt,
           gpointer   user_data)
{
  gboolean *found = user_data;

  (void)stmt;
  *found = TRUE;
}

/**
 * buzon_store_pop3_uses_fingerprints:
 * @account_id: the POP3 account
 *
 * Whether the account's server gave no UIDL the last time, so messages are
 * known by fingerprints (their "fp:" records), which cannot be exact: two
 * copies of one message count as one. The account says so to the user.
 *
 * Returns: %TRUE if any record is a fingerprint
 */
gboolean
buzon_store_pop3_uses_fingerprints (BuzonStore *self,
                                    gint64      account_id)
{
  BuzonStmt *stmt;
  gboolean found;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);

  stmt = _buzon_store_read_begin (self, "SELECT 1 FROM pop3_uidls WHERE account_id = ?1 AND "
                                        "uidl LIKE 'fp:%' LIMIT 1",
                                  NULL);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, account_id);
  found = FALSE;
  if (!_buzon_store_read_each (self, stmt, found_row, &found, NULL))
    return FALSE;

  return found;
}

/* Remote content */

/**
 * buzon_store_allow_remote_content:
 * @address: a sender's address
 * @allow: %TRUE to show remote content of this sender's messages without
 *   asking, %FALSE to ask again
 * @error: return location for an error
 *
 * Remembers the reader's "always show remote content from this sender".
 * Addresses compare without regard to case.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_allow_remote_content (BuzonStore  *self,
                                  const char  *address,
                                  gboolean     allow,
                                  GError     **error)
{
  g_autofree char *lower = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (address != NULL && *address != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  lower = g_utf8_strdown (address, -1);
  stmt = _buzon_store_write_stmt_begin (self,
                                        allow
                                        ? "INSERT INTO remote_content_senders (address, added) "
                                          "VALUES (?1, ?2) ON CONFLICT DO NOTHING"
                                        : "DELETE FROM remote_content_senders WHERE address = ?1",
                                        error);
  if (stmt == NULL)
    return FALSE;

  _buzon_bind_text (stmt, 1, lower);
  if (allow)
    sqlite3_bind_int64 (stmt, 2, _buzon_store_now ());

  return _buzon_store_write_stmt_end (self, stmt, error, NULL);
}

static gpointer
address_from_row (BuzonStmt *stmt)
{
  return _buzon_column_dup_text (stmt, 0);
}

/**
 * buzon_store_list_remote_content_senders:
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type utf8) (nullable): the senders
 *   whose remote content is shown without asking, lowercase
 */
GPtrArray *
buzon_store_list_remote_content_senders (BuzonStore  *self,
                                         GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT address FROM remote_content_senders "
                                        "ORDER BY address",
                                  error);
  if (stmt == NULL)
    return NULL;

  return _buzon_store_read_rows (self, stmt, address_from_row, g_free, error);
}

/* Pending operations */

/* Reads OP_COLUMNS into a new BuzonPendingOp. */
static gpointer
op_from_row (BuzonStmt *stmt)
{
  BuzonPendingOp *op = g_new0 (BuzonPendingOp, 1);

  op->id = sqlite3_column_int64 (stmt, 0);
  op->account_id = sqlite3_column_int64 (stmt, 1);
  op->folder_id = sqlite3_column_int64 (stmt, 2);
  op->kind = _buzon_column_dup_text (stmt, 3);
  op->payload = _buzon_column_dup_text (stmt, 4);
  op->created = sqlite3_column_int64 (stmt, 5);
  op->attempts = (guint)MAX (sqlite3_column_int64 (stmt, 6), 0);
  op->last_error = _buzon_column_dup_text (stmt, 7);

  return op;
}

static gboolean
insert_op (BuzonStoreConn  *conn,
           BuzonPendingOp  *op,
           GError         **error)
{
  g_autoptr(BuzonStmt) stmt =
    _buzon_store_prepare (conn, "INSERT INTO pending_ops (account_id, folder_id, kind, payload, "
                                "created) VALUES (?1, ?2, ?3, ?4, ?5)",
                          error);
  gint64 now = _buzon_store_now ();

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, op->account_id);
  if (op->folder_id > 0)
    sqlite3_bind_int64 (stmt, 2, op->folder_id);
  _buzon_bind_text (stmt, 3, op->kind);
  _buzon_bind_text (stmt, 4, op->payload != NULL ? op->payload : "{}");
  sqlite3_bind_int64 (stmt, 5, now);

  if (!_buzon_store_step_done (conn, stmt, error))
    return FALSE;

  op->id = sqlite3_last_insert_rowid (conn->db);
  op->created = now;
  op->attempts = 0;
  g_clear_pointer (&op->last_error, g_free);

  return TRUE;
}

gboolean
_buzon_store_write_end_with_op (BuzonStore      *self,
                                gboolean         ok,
                                BuzonPendingOp  *op,
                                GError         **error)
{
  if (ok && op != NULL)
    ok = insert_op (&self->writer, op, error);

  ok = _buzon_store_write_end (self, ok, error);

  if (!ok && op != NULL)
    op->id = 0;

  return ok;
}

/**
 * buzon_store_enqueue_op:
 * @op: the operation; its @kind and @account_id must be set, @payload must
 *   be JSON
 * @error: return location for an error
 *
 * Adds an operation at the end of the queue and sets its id. To record a
 * user action together with its local effect, pass the operation to
 * buzon_store_set_flags(), buzon_store_move_messages() or
 * buzon_store_delete_messages() instead.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_enqueue_op (BuzonStore      *self,
                        BuzonPendingOp  *op,
                        GError         **error)
{
  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (op != NULL && op->kind != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_buzon_store_write_begin (self, FALSE, error) == NULL)
    return FALSE;

  return _buzon_store_write_end_with_op (self, TRUE, op, error);
}

/**
 * buzon_store_peek_op:
 * @account_id: the account, or 0 for any
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the oldest pending operation, or
 *   %NULL with @error unset when there is none
 */
BuzonPendingOp *
buzon_store_peek_op (BuzonStore  *self,
                     gint64       account_id,
                     GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " OP_COLUMNS " FROM pending_ops "
                                        "WHERE ?1 = 0 OR account_id = ?1 ORDER BY id LIMIT 1",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);

  /* An empty queue is not an error. */
  return _buzon_store_read_row (self, stmt, op_from_row, error, NULL);
}

/**
 * buzon_store_list_ops:
 * @account_id: the account, or 0 for all
 * @error: return location for an error
 *
 * Returns: (element-type BuzonPendingOp) (transfer full) (nullable): the
 *   pending operations in replay order
 */
GPtrArray *
buzon_store_list_ops (BuzonStore  *self,
                      gint64       account_id,
                      GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " OP_COLUMNS " FROM pending_ops "
                                        "WHERE ?1 = 0 OR account_id = ?1 ORDER BY id",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);

  return _buzon_store_read_rows (self, stmt, op_from_row,
                                 (GDestroyNotify)buzon_pending_op_free, error);
}

/**
 * buzon_store_complete_op:
 * @op_id: the operation the server has now seen
 * @error: return location for an error
 *
 * Removes the operation from the queue.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if it
 *   was not queued
 */
gboolean
buzon_store_complete_op (BuzonStore  *self,
                         gint64       op_id,
                         GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "DELETE FROM pending_ops WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, op_id);

  return _buzon_store_write_stmt_end (self, stmt, error, NO_OP);
}

/**
 * buzon_store_fail_op:
 * @op_id: the operation
 * @message: why the replay failed, for the user
 * @error: return location for an error
 *
 * Counts a failed replay. The operation stays first in the queue; the sync
 * engine decides when to retry or to give up.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_fail_op (BuzonStore  *self,
                     gint64       op_id,
                     const char  *message,
                     GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "UPDATE pending_ops SET attempts = attempts + 1, "
                                              "last_error = ?2 WHERE id = ?1",
                                        error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, op_id);
  _buzon_bind_text (stmt, 2, message);

  return _buzon_store_write_stmt_end (self, stmt, error, NO_OP);
}

/* Outbox */

/* Reads OUTBOX_COLUMNS into a new BuzonOutboxItem. */
static gpointer
outbox_item_from_row (BuzonStmt *stmt)
{
  BuzonOutboxItem *item = g_new0 (BuzonOutboxItem, 1);
  const char *recipients;

  item->id = sqlite3_column_int64 (stmt, 0);
  item->account_id = sqlite3_column_int64 (stmt, 1);
  item->raw = g_bytes_new (sqlite3_column_blob (stmt, 2), (gsize)sqlite3_column_bytes (stmt, 2));
  recipients = (const char *)sqlite3_column_text (stmt, 3);
  item->recipients = recipients != NULL && *recipients != '\0'
                     ? g_strsplit (recipients, "\n", -1) : g_new0 (char *, 1);
  item->created = sqlite3_column_int64 (stmt, 4);
  item->attempts = (guint)MAX (sqlite3_column_int64 (stmt, 5), 0);
  item->next_attempt = sqlite3_column_int64 (stmt, 6);
  item->last_error = _buzon_column_dup_text (stmt, 7);
  item->state = buzon_outbox_state_from_string ((const char *)sqlite3_column_text (stmt, 8));

  return item;
}

/**
 * buzon_store_outbox_enqueue:
 * @item: the message to send; @account_id, @raw and at least one recipient
 *   must be set, @next_attempt may be
 * @error: return location for an error
 *
 * Stores a message for sending, before the first attempt, and sets the
 * item's id, creation time and state (queued).
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_outbox_enqueue (BuzonStore       *self,
                            BuzonOutboxItem  *item,
                            GError          **error)
{
  g_autofree char *recipients = NULL;
  BuzonStoreConn *w;
  gint64 now = _buzon_store_now ();
  gint64 id = 0;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (item != NULL && item->raw != NULL, FALSE);
  g_return_val_if_fail (item->recipients != NULL && item->recipients[0] != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; item->recipients[i] != NULL; i++)
    g_return_val_if_fail (strchr (item->recipients[i], '\n') == NULL, FALSE);

  recipients = g_strjoinv ("\n", item->recipients);

  /* Durable: until it is sent, this is the only copy of what the user wrote. */
  if ((w = _buzon_store_write_begin (self, TRUE, error)) == NULL)
    return FALSE;

  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_OUTBOX_CHANGED, 0);

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_prepare (w, "INSERT INTO outbox (account_id, raw, recipients, created, "
                               "next_attempt) VALUES (?1, ?2, ?3, ?4, ?5)",
                            error);

    ok = stmt != NULL;
    if (ok)
      {
        sqlite3_bind_int64 (stmt, 1, item->account_id);
        _buzon_bind_bytes (stmt, 2, item->raw);
        _buzon_bind_text (stmt, 3, recipients);
        sqlite3_bind_int64 (stmt, 4, now);
        sqlite3_bind_int64 (stmt, 5, item->next_attempt);
        ok = _buzon_store_step_done (w, stmt, error);
      }
    if (ok)
      id = sqlite3_last_insert_rowid (w->db);
  }

  if (!_buzon_store_write_end (self, ok, error))
    return FALSE;

  item->id = id;
  item->created = now;
  item->attempts = 0;
  item->state = BUZON_OUTBOX_STATE_QUEUED;
  g_clear_pointer (&item->last_error, g_free);

  return TRUE;
}

/**
 * buzon_store_outbox_list:
 * @account_id: the account, or 0 for all
 * @error: return location for an error
 *
 * Returns: (element-type BuzonOutboxItem) (transfer full) (nullable): the
 *   outbox in the order the messages were queued
 */
GPtrArray *
buzon_store_outbox_list (BuzonStore  *self,
                         gint64       account_id,
                         GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " OUTBOX_COLUMNS " FROM outbox "
                                        "WHERE ?1 = 0 OR account_id = ?1 ORDER BY id",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, account_id);

  return _buzon_store_read_rows (self, stmt, outbox_item_from_row,
                                 (GDestroyNotify)buzon_outbox_item_free, error);
}

/**
 * buzon_store_outbox_set_state:
 * @item_id: the item
 * @state: where it is now
 * @error: return location for an error
 *
 * Set %BUZON_OUTBOX_STATE_SENDING before an attempt and
 * %BUZON_OUTBOX_STATE_SENT once the server accepted the message.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_outbox_set_state (BuzonStore        *self,
                              gint64             item_id,
                              BuzonOutboxState   state,
                              GError           **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (state <= BUZON_OUTBOX_STATE_FAILED, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "UPDATE outbox SET state = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_OUTBOX_CHANGED, 0);

  sqlite3_bind_int64 (stmt, 1, item_id);
  _buzon_bind_text (stmt, 2, buzon_outbox_state_to_string (state));

  return _buzon_store_write_stmt_end (self, stmt, error, NO_OUTBOX);
}

/**
 * buzon_store_outbox_record_failure:
 * @item_id: the item
 * @message: why the attempt failed, for the user
 * @next_attempt: when to try again
 * @permanent: whether the server refused it for good (a 5xx reply); the
 *   item is then failed and waits for the user
 * @error: return location for an error
 *
 * Counts a failed attempt.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_outbox_record_failure (BuzonStore  *self,
                                   gint64       item_id,
                                   const char  *message,
                                   gint64       next_attempt,
                                   gboolean     permanent,
                                   GError     **error)
{
  BuzonOutboxState state = permanent ? BUZON_OUTBOX_STATE_FAILED : BUZON_OUTBOX_STATE_QUEUED;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "UPDATE outbox SET attempts = attempts + 1, "
                                              "last_error = ?2, next_attempt = ?3, state = ?4 "
                                              "WHERE id = ?1",
                                        error);
  if (stmt == NULL)
    return FALSE;

  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_OUTBOX_CHANGED, 0);

  sqlite3_bind_int64 (stmt, 1, item_id);
  _buzon_bind_text (stmt, 2, message);
  sqlite3_bind_int64 (stmt, 3, next_attempt);
  _buzon_bind_text (stmt, 4, buzon_outbox_state_to_string (state));

  return _buzon_store_write_stmt_end (self, stmt, error, NO_OUTBOX);
}

/**
 * buzon_store_outbox_remove:
 * @item_id: the item
 * @error: return location for an error
 *
 * Removes a message from the outbox: after the server accepted it and it
 * was saved to Sent, or when the user gives up on it.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_outbox_remove (BuzonStore  *self,
                           gint64       item_id,
                           GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "DELETE FROM outbox WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_OUTBOX_CHANGED, 0);

  sqlite3_bind_int64 (stmt, 1, item_id);

  return _buzon_store_write_stmt_end (self, stmt, error, NO_OUTBOX);
}

/**
 * buzon_store_outbox_get:
 * @item_id: the item
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the item, or %NULL with
 *   %BUZON_STORE_ERROR_NOT_FOUND when it is no longer in the outbox
 */
BuzonOutboxItem *
buzon_store_outbox_get (BuzonStore  *self,
                        gint64       item_id,
                        GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, item_id);

  return _buzon_store_read_row (self, stmt, outbox_item_from_row, error, NO_OUTBOX);
}

/**
 * buzon_store_outbox_retry:
 * @item_id: the item
 * @error: return location for an error
 *
 * Queues a message again for an attempt as soon as possible, with its
 * backoff started afresh: after a permanent failure the user fixed, or
 * when the user does not want to wait.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_outbox_retry (BuzonStore  *self,
                          gint64       item_id,
                          GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "UPDATE outbox SET state = ?2, next_attempt = 0, "
                                              "attempts = 0 WHERE id = ?1 AND state != ?3",
                                        error);
  if (stmt == NULL)
    return FALSE;

  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_OUTBOX_CHANGED, 0);
  sqlite3_bind_int64 (stmt, 1, item_id);
  _buzon_bind_text (stmt, 2, buzon_outbox_state_to_string (BUZON_OUTBOX_STATE_QUEUED));
  _buzon_bind_text (stmt, 3, buzon_outbox_state_to_string (BUZON_OUTBOX_STATE_SENT));

  return _buzon_store_write_stmt_end (self, stmt, error, NO_OUTBOX);
}

/**
 * buzon_store_outbox_take_back:
 * @item_id: the item
 * @error: return location for an error
 *
 * Takes a message out of the outbox before any attempt to send it ("Undo
 * send"): it is removed only while it is queued and was never tried.
 * Fails with %BUZON_STORE_ERROR_NOT_FOUND when it is gone or too late
 * (being sent, or sent).
 *
 * Returns: (transfer full) (nullable): the message taken back
 */
BuzonOutboxItem *
buzon_store_outbox_take_back (BuzonStore  *self,
                              gint64       item_id,
                              GError     **error)
{
  g_autoptr(BuzonOutboxItem) item = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  item = buzon_store_outbox_get (self, item_id, error);
  if (item == NULL)
    return NULL;

  stmt = _buzon_store_write_stmt_begin (self, "DELETE FROM outbox WHERE id = ?1 AND state = ?2 "
                                              "AND attempts = 0",
                                        error);
  if (stmt == NULL)
    return NULL;

  _buzon_store_note_change (self, BUZON_STORE_SIGNAL_OUTBOX_CHANGED, 0);
  sqlite3_bind_int64 (stmt, 1, item_id);
  _buzon_bind_text (stmt, 2, buzon_outbox_state_to_string (BUZON_OUTBOX_STATE_QUEUED));

  if (!_buzon_store_write_stmt_end (self, stmt, error, TOO_LATE))
    return NULL;

  return g_steal_pointer (&item);
}

/* Certificate pins */

/* Lowercase hex without separators, or NULL if @text is not 32 bytes of hex
 * (colons and spaces between digits are allowed, as tools print them). */
static char *
normalize_fingerprint (const char *text)
{
  g_autoptr(GString) hex = g_string_sized_new (64);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        return NULL;
      g_string_append_c (hex, g_ascii_tolower (*p));
    }

  if (hex->len != 64)
    return NULL;

  return g_string_free (g_steal_pointer (&hex), FALSE);
}

/**
 * buzon_store_set_pin:
 * @host: the server's host name
 * @port: its port
 * @sha256: the SHA-256 of the certificate's DER bytes, in hex
 * @error: return location for an error
 *
 * Trusts one certificate for @host and @port, replacing any earlier one.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_set_pin (BuzonStore  *self,
                     const char  *host,
                     guint16      port,
                     const char  *sha256,
                     GError     **error)
{
  g_autofree char *fingerprint = NULL;
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (sha256 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fingerprint = normalize_fingerprint (sha256);
  if (fingerprint == NULL)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("“%s” is not a SHA-256 fingerprint: it needs 64 hexadecimal digits."),
                   sha256);
      return FALSE;
    }

  stmt = _buzon_store_write_stmt_begin (self, "INSERT INTO cert_pins (host, port, sha256, "
                                              "created) VALUES (?1, ?2, ?3, ?4) "
                                              "ON CONFLICT (host, port) DO UPDATE "
                                              "SET sha256 = excluded.sha256, "
                                              "created = excluded.created",
                                        error);
  if (stmt == NULL)
    return FALSE;

  _buzon_bind_text (stmt, 1, host);
  sqlite3_bind_int (stmt, 2, port);
  _buzon_bind_text (stmt, 3, fingerprint);
  sqlite3_bind_int64 (stmt, 4, _buzon_store_now ());

  return _buzon_store_write_stmt_end (self, stmt, error, NULL);
}

/* Reads the fingerprint, column 0, as a new string. */
static gpointer
fingerprint_from_row (BuzonStmt *stmt)
{
  return _buzon_column_dup_text (stmt, 0);
}

/**
 * buzon_store_lookup_pin:
 * @host: the server's host name (any case)
 * @port: its port
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the pinned SHA-256, lowercase hex, or
 *   %NULL with %BUZON_STORE_ERROR_NOT_FOUND
 */
char *
buzon_store_lookup_pin (BuzonStore  *self,
                        const char  *host,
                        guint16      port,
                        GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _buzon_store_read_begin (self, "SELECT sha256 FROM cert_pins "
                                        "WHERE host = ?1 AND port = ?2",
                                  error);
  if (stmt == NULL)
    return NULL;

  _buzon_bind_text (stmt, 1, host);
  sqlite3_bind_int (stmt, 2, port);

  return _buzon_store_read_row (self, stmt, fingerprint_from_row, error, NO_PIN,
                                host, (guint)port);
}

/**
 * buzon_store_remove_pin:
 * @host: the server's host name
 * @port: its port
 * @error: return location for an error
 *
 * Stops trusting the pinned certificate.
 *
 * Returns: %TRUE on success; %FALSE with %BUZON_STORE_ERROR_NOT_FOUND if
 *   none was pinned
 */
gboolean
buzon_store_remove_pin (BuzonStore  *self,
                        const char  *host,
                        guint16      port,
                        GError     **error)
{
  BuzonStmt *stmt;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _buzon_store_write_stmt_begin (self, "DELETE FROM cert_pins WHERE host = ?1 AND port = ?2",
                                        error);
  if (stmt == NULL)
    return FALSE;

  _buzon_bind_text (stmt, 1, host);
  sqlite3_bind_int (stmt, 2, port);

  return _buzon_store_write_stmt_end (self, stmt, error, NO_PIN, host, (guint)port);
}
