/* buzon-store-switch.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonStore, continued: turning a POP3 account into an IMAP account.
 *
 * By the time this runs, buzon-pop3-switch.c has put every local message
 * on the server and written its UID into its row. What is left changes
 * what the rows mean, so it happens in one transaction: the local folders
 * take the names (and UIDVALIDITY) of the server folders they were
 * uploaded to, the account takes its IMAP settings, and the POP3 UIDL
 * bookkeeping goes. After a crash the account is either still a POP3
 * account with its local folders as they were, or an IMAP account whose
 * rows the IMAP sync recognises by UID. A message without a UID would be
 * fetched a second time by that sync, so the switch refuses while any
 * remains.
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "buzon-account-enums.h"
#include "buzon-store-private.h"
#include "buzon-store-switch.h"

static const char *
enum_nick (GType type,
           int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *enum_value = g_enum_get_value (klass, value);
  const char *nick = enum_value != NULL ? enum_value->value_nick : NULL;

  /* The nicks are static strings; they outlive the class reference. */
  g_type_class_unref (klass);

  return nick;
}

/* The account must still be the POP3 account the switch started from. */
static gboolean
check_account_locked (BuzonStoreConn  *conn,
                      BuzonAccount    *account,
                      GError         **error)
{
  g_autoptr(BuzonStmt) stmt =
    _buzon_store_query_id (conn, "SELECT protocol FROM accounts WHERE id = ?1",
                           buzon_account_get_id (account), error,
                           N_("There is no account named “%s”."),
                           buzon_account_get_name (account));

  if (stmt == NULL)
    return FALSE;

  if (g_strcmp0 ((const char *)sqlite3_column_text (stmt, 0),
                 enum_nick (BUZON_TYPE_PROTOCOL, BUZON_PROTOCOL_POP3)) != 0)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("The account “%s” does not use POP3 (any more)."),
                   buzon_account_get_name (account));
      return FALSE;
    }

  return TRUE;
}

/* Every message of the account has its UID, and every folder its place. */
static gboolean
check_complete_locked (BuzonStoreConn  *conn,
                       BuzonAccount    *account,
                       guint            n_placed,
                       GError         **error)
{
  gint64 account_id = buzon_account_get_id (account);

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (conn, "SELECT count(*) FROM messages JOIN folders "
                                   "ON messages.folder_id = folders.id "
                                   "WHERE folders.account_id = ?1 AND messages.uid IS NULL",
                             account_id, error, NULL);
    gint64 left;

    if (stmt == NULL)
      return FALSE;

    left = sqlite3_column_int64 (stmt, 0);
    if (left > 0)
      {
        g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                     _("The account “%s” has messages that are not on the IMAP server yet "
                       "(%u); it stays a POP3 account."),
                     buzon_account_get_name (account), (guint)MIN (left, G_MAXUINT));
        return FALSE;
      }
  }

  {
    g_autoptr(BuzonStmt) stmt =
      _buzon_store_query_id (conn, "SELECT count(*) FROM folders WHERE account_id = ?1",
                             account_id, error, NULL);

    if (stmt == NULL)
      return FALSE;

    if (sqlite3_column_int64 (stmt, 0) != n_placed)
      {
        g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                     _("A folder of the account “%s” has no place on the IMAP server yet; "
                       "it stays a POP3 account."),
                     buzon_account_get_name (account));
        return FALSE;
      }
  }

  return TRUE;
}

static gboolean
place_folder_locked (BuzonStoreConn     *conn,
                     gint64              account_id,
                     const BuzonFolder  *folder,
                     GError            **error)
{
  g_autoptr(BuzonStmt) stmt =
    _buzon_store_prepare (conn, "UPDATE folders SET name = ?3, delimiter = ?4, "
                                "special_use = ?5, subscribed = ?6, attributes = ?7, "
                                "uidvalidity = ?8, uidnext = 0, highestmodseq = 0 "
                                "WHERE id = ?1 AND account_id = ?2",
                          error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, folder->id);
  sqlite3_bind_int64 (stmt, 2, account_id);
  _buzon_bind_text (stmt, 3, folder->name);
  _buzon_bind_text (stmt, 4, folder->delimiter);
  _buzon_bind_text (stmt, 5, buzon_special_use_to_string (folder->special_use));
  sqlite3_bind_int (stmt, 6, folder->subscribed ? 1 : 0);
  _buzon_bind_text (stmt, 7, folder->attributes);
  sqlite3_bind_int64 (stmt, 8, folder->uidvalidity);

  if (!_buzon_store_step_unique (conn, stmt, error,
                                 N_("There is already a folder named “%s”."), folder->name))
    return FALSE;

  if (sqlite3_changes (conn->db) == 0)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND,
                   _("The folder is not in the mail store (any more)."));
      return FALSE;
    }

  return TRUE;
}

/* parent_id from the new name, once every folder has its new name. */
static gboolean
link_parent_locked (BuzonStoreConn     *conn,
                    gint64              account_id,
                    const BuzonFolder  *folder,
                    GError            **error)
{
  g_autoptr(BuzonStmt) link = NULL;
  gint64 parent_id = 0;
  const char *last;

  if (folder->delimiter != NULL && *folder->delimiter != '\0' &&
      (last = g_strrstr (folder->name, folder->delimiter)) != NULL && last != folder->name)
    {
      g_autofree char *parent_name = g_strndup (folder->name, last - folder->name);
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (conn, "SELECT id FROM folders WHERE account_id = ?1 AND name = ?2",
                              error);
      gboolean row = FALSE;

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, account_id);
      _buzon_bind_text (stmt, 2, parent_name);
      if (!_buzon_store_step_row (conn, stmt, &row, error))
        return FALSE;
      if (row)
        parent_id = sqlite3_column_int64 (stmt, 0);
    }

  link = _buzon_store_prepare (conn, "UPDATE folders SET parent_id = ?2 WHERE id = ?1", error);
  if (link == NULL)
    return FALSE;

  sqlite3_bind_int64 (link, 1, folder->id);
  if (parent_id > 0)
    sqlite3_bind_int64 (link, 2, parent_id);

  return _buzon_store_step_done (conn, link, error);
}

static gboolean
update_account_locked (BuzonStoreConn  *conn,
                       BuzonAccount    *account,
                       GError         **error)
{
  g_autofree char *username = NULL;
  g_autoptr(BuzonStmt) stmt = NULL;
  guint port = 0;

  /* What was set, not what the getters make of it: an unset port stays 0
   * (the standard port), an unset user name NULL (the address). */
  g_object_get (account, "port", &port, "username", &username, NULL);

  stmt = _buzon_store_prepare (conn, "UPDATE accounts SET protocol = ?2, host = ?3, port = ?4, "
                                     "security = ?5, username = ?6, sync_policy = ?7, "
                                     "sync_days = ?8 WHERE id = ?1",
                               error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, buzon_account_get_id (account));
  _buzon_bind_text (stmt, 2, enum_nick (BUZON_TYPE_PROTOCOL, buzon_account_get_protocol (account)));
  _buzon_bind_text (stmt, 3, buzon_account_get_host (account));
  sqlite3_bind_int64 (stmt, 4, port);
  _buzon_bind_text (stmt, 5, enum_nick (BUZON_TYPE_SECURITY, buzon_account_get_security (account)));
  _buzon_bind_text (stmt, 6, username);
  _buzon_bind_text (stmt, 7, enum_nick (BUZON_TYPE_SYNC_POLICY,
                                        buzon_account_get_sync_policy (account)));
  sqlite3_bind_int64 (stmt, 8, buzon_account_get_sync_days (account));

  return _buzon_store_step_done (conn, stmt, error);
}

/**
 * buzon_store_switch_to_imap:
 * @account: the POP3 account (its id set) with its new IMAP settings:
 *   protocol %BUZON_PROTOCOL_IMAP, host, port, security, user name, sync
 *   policy. Its other settings are not written.
 * @folders: (element-type BuzonFolder): one entry per folder of the
 *   account: @id is the local folder; @name, @delimiter, @special_use,
 *   @subscribed, @attributes and @uidvalidity say which server folder it is
 *   now
 * @error: return location for an error
 *
 * Makes a POP3 account whose mail is all on an IMAP server an IMAP account,
 * in one durable transaction: every folder takes its server folder's name,
 * delimiter, attributes and UIDVALIDITY (UIDNEXT and HIGHESTMODSEQ are left
 * unknown, so the first sync reads the folders whole), parents are linked
 * from the new names, the account's connection settings and sync policy
 * are written, and its POP3 UIDLs are dropped. Messages and their ids stay.
 *
 * It refuses, changing nothing, unless the account is still a POP3 account,
 * every one of its folders is in @folders and every one of its messages has
 * a UID.
 *
 * Emits #BuzonStore::accounts-changed and #BuzonStore::folders-changed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_store_switch_to_imap (BuzonStore    *self,
                            BuzonAccount  *account,
                            GPtrArray     *folders,
                            GError       **error)
{
  BuzonStoreConn *w;
  gint64 account_id;
  gboolean ok;

  g_return_val_if_fail (BUZON_IS_STORE (self), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (buzon_account_get_protocol (account) == BUZON_PROTOCOL_IMAP, FALSE);
  g_return_val_if_fail (folders != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!buzon_account_validate (account, error))
    return FALSE;

  account_id = buzon_account_get_id (account);

  /* Durable: the account's meaning changes; a reader after a power cut
   * must find one state or the other. */
  if ((w = _buzon_store_write_begin (self, TRUE, error)) == NULL)
    return FALSE;

  ok = check_account_locked (w, account, error) &&
       check_complete_locked (w, account, folders->len, error);

  /* Names out of the way first, so that two folders may trade names. */
  if (ok)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "UPDATE folders SET name = char (1) || 'buzon-switch-' || id "
                                 "WHERE account_id = ?1",
                              error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, account_id);
          ok = _buzon_store_step_done (w, stmt, error);
        }
    }

  for (guint i = 0; ok && i < folders->len; i++)
    ok = place_folder_locked (w, account_id, g_ptr_array_index (folders, i), error);

  for (guint i = 0; ok && i < folders->len; i++)
    ok = link_parent_locked (w, account_id, g_ptr_array_index (folders, i), error);

  if (ok)
    ok = update_account_locked (w, account, error);

  if (ok)
    {
      g_autoptr(BuzonStmt) stmt =
        _buzon_store_prepare (w, "DELETE FROM pop3_uidls WHERE account_id = ?1", error);

      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, account_id);
          ok = _buzon_store_step_done (w, stmt, error);
        }
    }

  if (ok)
    {
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_ACCOUNTS_CHANGED, 0);
      _buzon_store_note_change (self, BUZON_STORE_SIGNAL_FOLDERS_CHANGED, account_id);
    }

  return _buzon_store_write_end (self, ok, error);
}
