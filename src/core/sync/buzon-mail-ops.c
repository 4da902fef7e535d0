/* buzon-mail-ops.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "buzon-imap-sync.h"
#include "buzon-mail-ops.h"
#include "buzon-mime-summary.h"

static gboolean
is_imap (BuzonAccount *account)
{
  return buzon_account_get_protocol (account) == BUZON_PROTOCOL_IMAP;
}

/* The folders every POP3 account has here. Their names are what the store
 * and buzon-cli know them by (INBOX as in IMAP, RFC 3501 §5.1; the others
 * as most servers name them, which is also what switching the account to
 * IMAP maps them onto by special use), not display text: the window shows
 * a folder with a special use by its translated use. */
static const struct
{
  const char      *name;
  BuzonSpecialUse  use;
} local_folders[] = {
  { "INBOX", BUZON_SPECIAL_USE_INBOX },
  { "Sent", BUZON_SPECIAL_USE_SENT },
  { "Drafts", BUZON_SPECIAL_USE_DRAFTS },
  { "Trash", BUZON_SPECIAL_USE_TRASH },
  { "Archive", BUZON_SPECIAL_USE_ARCHIVE },
};

/* Whether @folder is one of local_folders, which a POP3 account needs. */
static gboolean
is_local_special (const BuzonFolder *folder)
{
  for (guint i = 0; i < G_N_ELEMENTS (local_folders); i++)
    if (folder->special_use == local_folders[i].use)
      return TRUE;

  return FALSE;
}

static BuzonFolder *
new_local_folder (BuzonAccount    *account,
                  const char      *name,
                  BuzonSpecialUse  use)
{
  BuzonFolder *folder = buzon_folder_new ();

  folder->account_id = buzon_account_get_id (account);
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup (BUZON_LOCAL_FOLDER_DELIMITER);
  folder->special_use = use;
  folder->subscribed = TRUE;

  return folder;
}

static char *
builder_to_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/* The messages of @message_ids grouped by folder: folder id → GPtrArray of
 * summaries. Ids of messages that are gone are skipped. */
static GHashTable *
group_by_folder (BuzonStore    *store,
                 const gint64  *message_ids,
                 guint          n_message_ids,
                 GError       **error)
{
  g_autoptr(GHashTable) groups =
    g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                           (GDestroyNotify)g_ptr_array_unref);

  for (guint i = 0; i < n_message_ids; i++)
    {
      g_autoptr(GError) local_error = NULL;
      BuzonMessageSummary *summary = buzon_store_get_message (store, message_ids[i], &local_error);
      GPtrArray *group;

      if (summary == NULL)
        {
          if (g_error_matches (local_error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      group = g_hash_table_lookup (groups, &summary->folder_id);
      if (group == NULL)
        {
          gint64 *key = g_new (gint64, 1);

          *key = summary->folder_id;
          group = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_message_summary_free);
          g_hash_table_insert (groups, key, group);
        }
      g_ptr_array_add (group, summary);
    }

  return g_steal_pointer (&groups);
}

static GArray *
group_ids (GPtrArray *group)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), group->len);

  for (guint i = 0; i < group->len; i++)
    g_array_append_val (ids, ((BuzonMessageSummary *)g_ptr_array_index (group, i))->id);

  return ids;
}

static void
add_msgs (JsonBuilder *builder,
          GPtrArray   *group)
{
  json_builder_set_member_name (builder, "msgs");
  json_builder_begin_array (builder);
  for (guint i = 0; i < group->len; i++)
    {
      const BuzonMessageSummary *summary = g_ptr_array_index (group, i);

      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, summary->id);
      json_builder_add_int_value (builder, summary->uid);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
}

/* A pending op for a group of messages of one folder, or NULL when the
 * account has no server to tell (POP3: local folders only). */
static BuzonPendingOp *
message_op (BuzonAccount *account,
            const char   *kind,
            BuzonFolder  *folder,
            BuzonFolder  *to,
            GPtrArray    *group,
            guint         add,
            guint         remove)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *payload = NULL;

  if (!is_imap (account))
    return NULL;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "folder");
  json_builder_add_string_value (builder, folder->name);
  if (to != NULL)
    {
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, to->name);
    }
  /* The UIDs mean something only under this UIDVALIDITY (RFC 3501
   * §2.3.1.1): replay checks it, so a reset folder is never acted on by
   * UIDs that now name other messages. */
  json_builder_set_member_name (builder, "uidvalidity");
  json_builder_add_int_value (builder, folder->uidvalidity);
  add_msgs (builder, group);
  if (add != 0 || remove != 0)
    {
      json_builder_set_member_name (builder, "add");
      json_builder_add_int_value (builder, add);
      json_builder_set_member_name (builder, "remove");
      json_builder_add_int_value (builder, remove);
    }
  json_builder_end_object (builder);

  payload = builder_to_json (builder);
  return buzon_pending_op_new (buzon_account_get_id (account), folder->id, kind, payload);
}

/* Checks that @folder_id is one of @account's folders. */
static BuzonFolder *
account_folder (BuzonStore    *store,
                BuzonAccount  *account,
                gint64         folder_id,
                GError       **error)
{
  g_autoptr(BuzonFolder) folder = buzon_store_get_folder (store, folder_id, error);

  if (folder == NULL)
    return NULL;

  if (folder->account_id != buzon_account_get_id (account))
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("Messages cannot be moved between accounts yet."));
      return NULL;
    }

  return g_steal_pointer (&folder);
}

/* A \Noselect folder exists only to hold other folders (RFC 3501 §7.2.2). */
static gboolean
holds_messages (BuzonFolder  *folder,
                GError      **error)
{
  if (!buzon_folder_has_attribute (folder, "\\Noselect"))
    return TRUE;

  g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
               _("The folder “%s” cannot hold messages, only other folders."), folder->name);
  return FALSE;
}

/**
 * buzon_mail_ops_set_flags:
 * @store: the store
 * @account: the messages' account
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @add: flags to set
 * @remove: flags to clear
 * @error: return location for an error
 *
 * Marks messages read, unread, flagged… here at once, and on the server
 * when the queue is replayed.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_set_flags (BuzonStore         *store,
                          BuzonAccount       *account,
                          const gint64       *message_ids,
                          guint               n_message_ids,
                          BuzonMessageFlags   add,
                          BuzonMessageFlags   remove,
                          GError            **error)
{
  g_autoptr(GHashTable) groups = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  groups = group_by_folder (store, message_ids, n_message_ids, error);
  if (groups == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(BuzonFolder) folder = account_folder (store, account, *(gint64 *)key, error);
      g_autoptr(BuzonPendingOp) op = NULL;
      g_autoptr(GArray) ids = NULL;

      if (folder == NULL)
        return FALSE;

      op = message_op (account, BUZON_OP_FLAGS, folder, NULL, value, add, remove);
      ids = group_ids (value);
      if (!buzon_store_set_flags (store, (const gint64 *)(gpointer)ids->data, ids->len, add,
                                  remove, op, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
move_or_copy (BuzonStore    *store,
              BuzonAccount  *account,
              const gint64  *message_ids,
              guint          n_message_ids,
              gint64         folder_id,
              gboolean       copy,
              GArray        *new_ids,
              GError       **error)
{
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(BuzonFolder) to = NULL;
  GHashTableIter iter;
  gpointer key, value;

  to = account_folder (store, account, folder_id, error);
  if (to == NULL)
    return FALSE;

  if (!holds_messages (to, error))
    return FALSE;

  groups = group_by_folder (store, message_ids, n_message_ids, error);
  if (groups == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(BuzonFolder) folder = account_folder (store, account, *(gint64 *)key, error);
      g_autoptr(BuzonPendingOp) op = NULL;
      g_autoptr(GArray) ids = NULL;
      gboolean ok;

      if (folder == NULL)
        return FALSE;
      if (folder->id == to->id && !copy)
        continue;

      op = message_op (account, copy ? BUZON_OP_COPY : BUZON_OP_MOVE, folder, to, value, 0, 0);
      ids = group_ids (value);
      if (copy)
        {
          g_autoptr(GArray) copies = NULL;

          ok = buzon_store_copy_messages (store, (const gint64 *)(gpointer)ids->data, ids->len,
                                          to->id, op, new_ids != NULL ? &copies : NULL, error);
          if (ok && copies != NULL)
            g_array_append_vals (new_ids, copies->data, copies->len);
        }
      else
        ok = buzon_store_move_messages (store, (const gint64 *)(gpointer)ids->data, ids->len,
                                        to->id, op, error);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/**
 * buzon_mail_ops_move:
 * @store: the store
 * @account: the messages' account
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @folder_id: the destination, a folder of @account
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_move (BuzonStore    *store,
                     BuzonAccount  *account,
                     const gint64  *message_ids,
                     guint          n_message_ids,
                     gint64         folder_id,
                     GError       **error)
{
  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  return move_or_copy (store, account, message_ids, n_message_ids, folder_id, FALSE, NULL,
                       error);
}

/**
 * buzon_mail_ops_copy:
 * @store: the store
 * @account: the messages' account
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @folder_id: the destination, a folder of @account
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_copy (BuzonStore    *store,
                     BuzonAccount  *account,
                     const gint64  *message_ids,
                     guint          n_message_ids,
                     gint64         folder_id,
                     GError       **error)
{
  return buzon_mail_ops_copy_full (store, account, message_ids, n_message_ids, folder_id, NULL,
                                   error);
}

/**
 * buzon_mail_ops_copy_full:
 * @store: the store
 * @account: the messages' account
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @folder_id: the destination, a folder of @account
 * @out_new_ids: (out) (optional) (transfer full): the copies' ids, for Undo
 * @error: return location for an error
 *
 * Like buzon_mail_ops_copy(), and tells which messages the copies are.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_copy_full (BuzonStore    *store,
                          BuzonAccount  *account,
                          const gint64  *message_ids,
                          guint          n_message_ids,
                          gint64         folder_id,
                          GArray       **out_new_ids,
                          GError       **error)
{
  g_autoptr(GArray) new_ids = NULL;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  if (out_new_ids != NULL)
    new_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!move_or_copy (store, account, message_ids, n_message_ids, folder_id, TRUE, new_ids,
                     error))
    return FALSE;

  if (out_new_ids != NULL)
    *out_new_ids = g_steal_pointer (&new_ids);

  return TRUE;
}

static BuzonFolder *
find_special (BuzonStore      *store,
              BuzonAccount    *account,
              BuzonSpecialUse  use,
              GError         **error)
{
  g_autoptr(GPtrArray) folders = buzon_store_list_folders (store, buzon_account_get_id (account),
                                                           error);

  if (folders == NULL)
    return NULL;

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == use)
        return buzon_folder_copy (folder);
    }

  return NULL;
}

/* Deletes @group (summaries of @folder's messages; @ids their ids) for
 * good: out of the store now, and expunged on an IMAP server. */
static gboolean
expunge_group (BuzonStore    *store,
               BuzonAccount  *account,
               BuzonFolder   *folder,
               GPtrArray     *group,
               GArray        *ids,
               GError       **error)
{
  g_autoptr(BuzonPendingOp) op = NULL;

  if (is_imap (account))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *payload = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, folder->name);
      json_builder_set_member_name (builder, "uidvalidity");
      json_builder_add_int_value (builder, folder->uidvalidity);
      json_builder_set_member_name (builder, "uids");
      json_builder_begin_array (builder);
      for (guint i = 0; i < group->len; i++)
        {
          const BuzonMessageSummary *summary = g_ptr_array_index (group, i);

          if (summary->uid != 0)
            json_builder_add_int_value (builder, summary->uid);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      payload = builder_to_json (builder);
      op = buzon_pending_op_new (buzon_account_get_id (account), folder->id, BUZON_OP_EXPUNGE,
                                 payload);
    }

  if (!buzon_store_delete_messages (store, (const gint64 *)(gpointer)ids->data, ids->len, op,
                                    error))
    return FALSE;

  return TRUE;
}

/**
 * buzon_mail_ops_delete:
 * @store: the store
 * @account: the messages' account
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @error: return location for an error
 *
 * Deletes messages as a mail client does: into Trash, or for good when
 * they are in Trash (or Junk) already, or the account has no Trash. A POP3
 * message deleted for good here keeps its UIDL record, without the local
 * copy, so it is never downloaded again (and, in the "keep until deleted
 * here" mode, the next check deletes it from the server).
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_delete (BuzonStore    *store,
                       BuzonAccount  *account,
                       const gint64  *message_ids,
                       guint          n_message_ids,
                       GError       **error)
{
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(BuzonFolder) trash = NULL;
  g_autoptr(GError) local_error = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  /* A POP3 account always has its Trash here, also one added before
   * accounts had their local folders from the start. */
  if (!is_imap (account) && !buzon_mail_ops_ensure_local_folders (store, account, error))
    return FALSE;

  trash = find_special (store, account, BUZON_SPECIAL_USE_TRASH, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  groups = group_by_folder (store, message_ids, n_message_ids, error);
  if (groups == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(BuzonFolder) folder = account_folder (store, account, *(gint64 *)key, error);
      g_autoptr(GArray) ids = NULL;
      GPtrArray *group = value;

      if (folder == NULL)
        return FALSE;

      ids = group_ids (group);
      if (trash != NULL && folder->id != trash->id &&
          folder->special_use != BUZON_SPECIAL_USE_JUNK)
        {
          if (!move_or_copy (store, account, (const gint64 *)(gpointer)ids->data, ids->len,
                             trash->id, FALSE, NULL, error))
            return FALSE;
          continue;
        }

      if (!expunge_group (store, account, folder, group, ids, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * buzon_mail_ops_delete_for_good:
 * @store: the store
 * @account: the messages' account
 * @message_ids: (array length=n_message_ids): the messages
 * @n_message_ids: how many
 * @error: return location for an error
 *
 * Deletes messages for good wherever they are, without going through
 * Trash: a draft replaced by a newer copy, or sent. On an IMAP server they
 * are expunged; a message whose APPEND has not reached the server yet is
 * simply not appended (the replay finds it gone).
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_delete_for_good (BuzonStore    *store,
                                BuzonAccount  *account,
                                const gint64  *message_ids,
                                guint          n_message_ids,
                                GError       **error)
{
  g_autoptr(GHashTable) groups = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  groups = group_by_folder (store, message_ids, n_message_ids, error);
  if (groups == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(BuzonFolder) folder = account_folder (store, account, *(gint64 *)key, error);
      g_autoptr(GArray) ids = NULL;

      if (folder == NULL)
        return FALSE;
      ids = group_ids (value);
      if (!expunge_group (store, account, folder, value, ids, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
append_message (BuzonStore         *store,
                BuzonAccount       *account,
                gint64              folder_id,
                GBytes             *raw,
                BuzonMessageFlags   flags,
                gint64              outbox_id,
                gint64             *out_id,
                GError            **error)
{
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(BuzonMessageSummary) summary = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);

  folder = account_folder (store, account, folder_id, error);
  if (folder == NULL)
    return FALSE;

  if (!holds_messages (folder, error))
    return FALSE;

  summary = buzon_mime_summary_from_bytes (raw, folder->id, buzon_store_now (), &text);
  summary->flags = flags & BUZON_MESSAGE_FLAGS_ALL;

  if (is_imap (account))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autofree char *payload = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "folder");
      json_builder_add_string_value (builder, folder->name);
      json_builder_set_member_name (builder, "flags");
      json_builder_add_int_value (builder, summary->flags);
      json_builder_end_object (builder);
      payload = builder_to_json (builder);
      op = buzon_pending_op_new (buzon_account_get_id (account), folder->id, BUZON_OP_APPEND,
                                 payload);
    }

  if (outbox_id > 0 ? !buzon_store_outbox_file_sent (store, outbox_id, summary, raw, text, op,
                                                     error)
                    : !buzon_store_add_local_message (store, summary, raw, text, op, error))
    return FALSE;

  if (out_id != NULL)
    *out_id = summary->id;

  return TRUE;
}

/**
 * buzon_mail_ops_append:
 * @store: the store
 * @account: the account
 * @folder_id: the folder to put the message in
 * @raw: the RFC 5322 message
 * @flags: its flags (\Seen for sent mail, \Draft for drafts, …)
 * @out_id: (out) (optional): the new message's id
 * @error: return location for an error
 *
 * Stores a message in a folder here at once and queues its APPEND to the
 * server, in one durable transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_append (BuzonStore         *store,
                       BuzonAccount       *account,
                       gint64              folder_id,
                       GBytes             *raw,
                       BuzonMessageFlags   flags,
                       gint64             *out_id,
                       GError            **error)
{
  return append_message (store, account, folder_id, raw, flags, 0, out_id, error);
}

/**
 * buzon_mail_ops_file_sent:
 * @store: the store
 * @account: the account that sent it
 * @folder_id: its Sent folder
 * @outbox_id: the outbox item the server accepted
 * @raw: the message as sent
 * @error: return location for an error
 *
 * Like buzon_mail_ops_append() with \Seen, and takes the message out of
 * the outbox in the same transaction (see buzon_store_outbox_file_sent()).
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_file_sent (BuzonStore    *store,
                          BuzonAccount  *account,
                          gint64         folder_id,
                          gint64         outbox_id,
                          GBytes        *raw,
                          GError       **error)
{
  g_return_val_if_fail (outbox_id > 0, FALSE);

  return append_message (store, account, folder_id, raw, BUZON_MESSAGE_FLAG_SEEN, outbox_id,
                         NULL, error);
}

/* Enqueues a folder operation before applying it here: should the process
 * die in between, the server still gets it and the next sync brings the
 * folder back in line. If the local change then fails, the op goes. */
static BuzonPendingOp *
enqueue_folder_op (BuzonStore    *store,
                   BuzonAccount  *account,
                   const char    *kind,
                   JsonBuilder   *builder,
                   GError       **error)
{
  g_autofree char *payload = NULL;
  g_autoptr(BuzonPendingOp) op = NULL;

  /* POP3 folders exist only here: their operations never get this far. */
  g_assert (is_imap (account));

  payload = builder_to_json (builder);
  op = buzon_pending_op_new (buzon_account_get_id (account), 0, kind, payload);
  if (!buzon_store_enqueue_op (store, op, error))
    return NULL;

  return g_steal_pointer (&op);
}

static gboolean
undo_enqueue (BuzonStore      *store,
              BuzonPendingOp  *op)
{
  if (op->id > 0)
    buzon_store_drop_op (store, op->id, NULL, NULL);

  return FALSE;
}

static char *
account_delimiter (BuzonStore   *store,
                   BuzonAccount *account)
{
  g_autoptr(GPtrArray) folders = buzon_store_list_folders (store, buzon_account_get_id (account),
                                                           NULL);

  if (folders == NULL)
    return NULL;

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (folder->delimiter != NULL)
        return g_strdup (folder->delimiter);
    }

  return is_imap (account) ? NULL : g_strdup ("/");
}

static gboolean
check_new_name (BuzonStore    *store,
                BuzonAccount  *account,
                const char    *name,
                GError       **error)
{
  g_autoptr(BuzonFolder) existing = NULL;

  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("A folder needs a name."));
      return FALSE;
    }

  existing = buzon_store_lookup_folder (store, buzon_account_get_id (account), name, NULL);
  if (existing != NULL)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS,
                   _("There is already a folder named “%s”."), name);
      return FALSE;
    }

  if (!is_imap (account))
    {
      g_auto(GStrv) parts = g_strsplit (name, BUZON_LOCAL_FOLDER_DELIMITER, -1);

      /* No server to decide: the rules IMAP servers keep. INBOX is
       * INBOX in any case (RFC 3501 §5.1). */
      if (g_ascii_strcasecmp (name, "INBOX") == 0)
        {
          g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_EXISTS,
                       _("There is already a folder named “%s”."), "INBOX");
          return FALSE;
        }
      for (guint i = 0; parts[i] != NULL; i++)
        if (*parts[i] == '\0')
          {
            g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                         _("“%s” is not a folder name: it cannot begin or end with “%s” or "
                           "have two in a row."),
                         name, BUZON_LOCAL_FOLDER_DELIMITER);
            return FALSE;
          }
    }

  return TRUE;
}

/* The local folders above @name that it needs, "A" and "A/B" for "A/B/C",
 * and @name too if @with_self. */
static GPtrArray *
local_folder_path (BuzonAccount *account,
                   const char   *name,
                   gboolean      with_self)
{
  GPtrArray *path = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_folder_free);
  const char *end = name;

  while ((end = strstr (end, BUZON_LOCAL_FOLDER_DELIMITER)) != NULL)
    {
      g_autofree char *parent = g_strndup (name, end - name);

      g_ptr_array_add (path, new_local_folder (account, parent, BUZON_SPECIAL_USE_NONE));
      end += strlen (BUZON_LOCAL_FOLDER_DELIMITER);
    }
  if (with_self)
    g_ptr_array_add (path, new_local_folder (account, name, BUZON_SPECIAL_USE_NONE));

  return path;
}

/**
 * buzon_mail_ops_ensure_local_folders:
 * @store: the store
 * @account: the account, stored
 * @error: return location for an error
 *
 * Gives a POP3 account the folders it keeps mail in here, where they are
 * missing: INBOX, Sent, Drafts, Trash and Archive, with their special uses
 * and BUZON_LOCAL_FOLDER_DELIMITER, in one transaction. Each is looked up by
 * its special use, so one the user renamed or moved is not added again.
 * Idempotent, and cheap when nothing is missing (one read). An IMAP
 * account's folders are the server's: it is left alone.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_ensure_local_folders (BuzonStore    *store,
                                     BuzonAccount  *account,
                                     GError       **error)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) missing = NULL;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (buzon_account_get_id (account) > 0, FALSE);

  if (is_imap (account))
    return TRUE;

  folders = buzon_store_list_folders (store, buzon_account_get_id (account), error);
  if (folders == NULL)
    return FALSE;

  missing = g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_folder_free);
  for (guint i = 0; i < G_N_ELEMENTS (local_folders); i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < folders->len && !found; j++)
        found = ((BuzonFolder *)g_ptr_array_index (folders, j))->special_use ==
                local_folders[i].use;
      if (!found)
        g_ptr_array_add (missing, new_local_folder (account, local_folders[i].name,
                                                    local_folders[i].use));
    }

  /* The store looks again inside its transaction: another process may
   * have added them meanwhile. */
  return missing->len == 0 || buzon_store_ensure_folders (store, missing, error);
}

/**
 * buzon_mail_ops_create_folder:
 * @store: the store
 * @account: the account
 * @name: the new folder's full name (`Work/2026` with the account's
 *   delimiter)
 * @error: return location for an error
 *
 * On a POP3 account the folders above it that are missing are created
 * too (a server creates them or not, as it likes).
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_create_folder (BuzonStore    *store,
                              BuzonAccount  *account,
                              const char    *name,
                              GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  if (!check_new_name (store, account, name, error))
    return FALSE;

  /* Here only, with every folder above it: the sidebar's tree, and a
   * later rename or delete of a parent, go by those. */
  if (!is_imap (account))
    {
      g_autoptr(GPtrArray) path = local_folder_path (account, name, TRUE);

      return buzon_store_ensure_folders (store, path, error);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_end_object (builder);

  op = enqueue_folder_op (store, account, BUZON_OP_MKDIR, builder, error);
  if (op == NULL)
    return FALSE;

  folder->account_id = buzon_account_get_id (account);
  folder->name = g_strdup (name);
  folder->delimiter = account_delimiter (store, account);
  folder->subscribed = TRUE;
  if (!buzon_store_upsert_folder (store, folder, error))
    return undo_enqueue (store, op);

  return TRUE;
}

/**
 * buzon_mail_ops_rename_folder:
 * @store: the store
 * @account: the account
 * @folder_id: the folder
 * @new_name: its new full name; a different parent path moves it there
 * @error: return location for an error
 *
 * Its subfolders move with it, and it keeps its special use. On a POP3
 * account a new parent path that does not exist yet is created.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_rename_folder (BuzonStore    *store,
                              BuzonAccount  *account,
                              gint64         folder_id,
                              const char    *new_name,
                              GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(BuzonFolder) folder = NULL;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  folder = account_folder (store, account, folder_id, error);
  if (folder == NULL)
    return FALSE;

  if (folder->special_use == BUZON_SPECIAL_USE_INBOX)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("The Inbox cannot be renamed or moved."));
      return FALSE;
    }

  if (g_strcmp0 (folder->name, new_name) == 0)
    return TRUE;

  if (!check_new_name (store, account, new_name, error))
    return FALSE;

  if (folder->delimiter != NULL)
    {
      g_autofree char *prefix = g_strconcat (folder->name, folder->delimiter, NULL);

      if (g_str_has_prefix (new_name, prefix))
        {
          g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                       _("The folder “%s” cannot be moved into itself."), folder->name);
          return FALSE;
        }
    }

  if (!is_imap (account))
    {
      g_autoptr(GPtrArray) parents = local_folder_path (account, new_name, FALSE);

      if (parents->len > 0 && !buzon_store_ensure_folders (store, parents, error))
        return FALSE;

      return buzon_store_rename_folder (store, folder->id, new_name, error);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "from");
  json_builder_add_string_value (builder, folder->name);
  json_builder_set_member_name (builder, "to");
  json_builder_add_string_value (builder, new_name);
  json_builder_end_object (builder);

  op = enqueue_folder_op (store, account, BUZON_OP_RENAME, builder, error);
  if (op == NULL)
    return FALSE;

  if (!buzon_store_rename_folder (store, folder->id, new_name, error))
    return undo_enqueue (store, op);

  return TRUE;
}

static gint
name_length_desc_cmp (gconstpointer a,
                      gconstpointer b)
{
  return (gint)strlen (*(const char * const *)b) - (gint)strlen (*(const char * const *)a);
}

/* Deletes a POP3 account's @folder, its subfolders (the @folders named
 * with @prefix) and their messages, here: the folders the account needs
 * stay. @prefix is NULL for a folder without a hierarchy. */
static gboolean
delete_local_folder (BuzonStore   *store,
                     BuzonFolder  *folder,
                     GPtrArray    *folders,
                     const char   *prefix,
                     GError      **error)
{
  if (is_local_special (folder))
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("The folder “%s” is one of those this account keeps its mail in (sent, "
                     "drafts, deleted, archived); it can be renamed or moved, not deleted."),
                   folder->name);
      return FALSE;
    }

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *below = g_ptr_array_index (folders, i);

      if (prefix != NULL && g_str_has_prefix (below->name, prefix) && is_local_special (below))
        {
          g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                       _("The folder “%s” holds “%s”, one of those this account keeps its mail "
                         "in; move that one out first."),
                       folder->name, below->name);
          return FALSE;
        }
    }

  /* One transaction: the subtree goes by its parent links (the store
   * keeps them for local folders, parents being created first). */
  if (!buzon_store_delete_folder (store, folder->id, error))
    return FALSE;

  /* And any folder below it by name that was not linked to it. */
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *below = g_ptr_array_index (folders, i);
      g_autoptr(GError) local_error = NULL;

      if (prefix != NULL && g_str_has_prefix (below->name, prefix) &&
          !buzon_store_delete_folder (store, below->id, &local_error) &&
          !g_error_matches (local_error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * buzon_mail_ops_delete_folder:
 * @store: the store
 * @account: the account
 * @folder_id: the folder; its subfolders and every message in them go too
 * @error: return location for an error
 *
 * The messages are deleted for good, not moved to Trash, as the server
 * does for an IMAP account. INBOX cannot be deleted; on a POP3 account
 * neither can the other folders it keeps mail in (see
 * buzon_mail_ops_ensure_local_folders()), nor a folder holding one.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_mail_ops_delete_folder (BuzonStore    *store,
                              BuzonAccount  *account,
                              gint64         folder_id,
                              GError       **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(BuzonPendingOp) op = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), FALSE);

  folder = account_folder (store, account, folder_id, error);
  if (folder == NULL)
    return FALSE;

  if (folder->special_use == BUZON_SPECIAL_USE_INBOX)
    {
      g_set_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_FAILED,
                   _("The Inbox cannot be deleted."));
      return FALSE;
    }

  folders = buzon_store_list_folders (store, folder->account_id, error);
  if (folders == NULL)
    return FALSE;

  /* IMAP DELETE leaves inferiors alone (RFC 3501 §6.3.4): name them all,
   * deepest first. */
  if (folder->delimiter != NULL)
    prefix = g_strconcat (folder->name, folder->delimiter, NULL);
  g_ptr_array_add (names, folder->name);
  for (guint i = 0; prefix != NULL && i < folders->len; i++)
    {
      BuzonFolder *candidate = g_ptr_array_index (folders, i);

      if (g_str_has_prefix (candidate->name, prefix))
        g_ptr_array_add (names, candidate->name);
    }
  g_ptr_array_sort (names, name_length_desc_cmp);

  if (!is_imap (account))
    return delete_local_folder (store, folder, folders, prefix, error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "names");
  json_builder_begin_array (builder);
  for (guint i = 0; i < names->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (names, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  op = enqueue_folder_op (store, account, BUZON_OP_RMDIR, builder, error);
  if (op == NULL)
    return FALSE;

  if (!buzon_store_delete_folder (store, folder->id, error))
    return undo_enqueue (store, op);

  return TRUE;
}
