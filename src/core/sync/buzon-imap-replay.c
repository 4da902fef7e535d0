/* buzon-imap-replay.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapSync, continued: replaying the queue of user actions.
 *
 * Operations replay in the order they were made (buzon-mail-ops.h names
 * them and their payloads), one at a time, each removed from the queue only
 * once the server confirmed it. A lost connection stops the replay with the
 * operation still queued, to be tried again on the next connection. An
 * operation the server refuses is undone here where that is needed (a
 * refused move puts the messages back), dropped from the queue with a
 * sentence for the user (buzon_store_drop_op()), and never retried.
 *
 * UIDs. A moved or copied message gets a new UID in the destination. With
 * UIDPLUS the server says which (COPYUID, RFC 4315); without it the engine
 * searches the destination for the Message-ID. The UID goes to the local
 * row if it is still in that folder, or into the payload of the next queued
 * operation that took the message further (moved twice while offline). What
 * stays unknown is matched by Message-ID at the folder's next sync. A
 * COPYUID that leaves a message out means the server no longer had it.
 */

#define G_LOG_DOMAIN "buzon-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "buzon-imap-convert.h"
#include "buzon-imap-uid-set.h"
#include "buzon-imap-sync-private.h"
#include "buzon-mail-ops.h"

#define AWAIT(result) (_buzon_imap_sync_wait (self, &(result)))
#define STORE_CB _buzon_imap_sync_store_cb

typedef struct
{
  gint64  id;
  guint32 uid;
  guint32 new_uid;
  gint64  new_id;   /* copies: the copy's id */
} Msg;

static GArray *
read_msgs (JsonObject *payload)
{
  GArray *msgs = g_array_new (FALSE, TRUE, sizeof (Msg));
  JsonArray *array = json_object_has_member (payload, "msgs")
                     ? json_object_get_array_member (payload, "msgs") : NULL;
  JsonArray *new_ids = json_object_has_member (payload, "new_ids")
                       ? json_object_get_array_member (payload, "new_ids") : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonArray *pair = json_array_get_array_element (array, i);
      Msg msg = { 0, };

      if (pair == NULL || json_array_get_length (pair) < 2)
        continue;
      msg.id = json_array_get_int_element (pair, 0);
      msg.uid = (guint32)json_array_get_int_element (pair, 1);
      if (new_ids != NULL && i < json_array_get_length (new_ids))
        msg.new_id = json_array_get_int_element (new_ids, i);
      g_array_append_val (msgs, msg);
    }

  return msgs;
}

/* Fills in UIDs learnt since the op was queued: the row's own, while it is
 * still in @folder. */
static void
resolve_uids (BuzonImapSync *self,
              GArray        *msgs,
              BuzonFolder   *folder)
{
  for (guint i = 0; i < msgs->len; i++)
    {
      Msg *msg = &g_array_index (msgs, Msg, i);
      g_autoptr(BuzonMessageSummary) row = NULL;

      if (msg->uid != 0 || folder == NULL)
        continue;
      row = buzon_store_get_message (self->store, msg->id, NULL);
      if (row != NULL && row->folder_id == folder->id && row->uid != 0)
        msg->uid = row->uid;
    }
}

static GArray *
known_uids (GArray *msgs)
{
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; i < msgs->len; i++)
    {
      const Msg *msg = &g_array_index (msgs, Msg, i);

      if (msg->uid != 0)
        g_array_append_val (uids, msg->uid);
    }

  return uids;
}

static BuzonFolder *
folder_named (BuzonImapSync *self,
              const char    *name)
{
  if (name == NULL)
    return NULL;

  return buzon_store_lookup_folder (self->store, buzon_account_get_id (self->account), name,
                                    NULL);
}

static gboolean
select_named (BuzonImapSync  *self,
              const char     *name,
              GError        **error)
{
  g_autoptr(BuzonImapSelectInfo) info = NULL;

  if (g_strcmp0 (self->selected, name) == 0)
    return TRUE;

  info = _buzon_imap_sync_select (self, name, error);

  return info != NULL;
}

/* Selects the op's folder and checks that its UIDs still mean the same
 * messages: a new UIDVALIDITY makes the op fail (and be undone), never act
 * on other messages. */
static gboolean
select_for_op (BuzonImapSync  *self,
               JsonObject     *payload,
               const char     *name,
               GError        **error)
{
  guint32 expected = (guint32)json_object_get_int_member_with_default (payload, "uidvalidity", 0);
  guint32 current;

  if (!select_named (self, name, error))
    return FALSE;

  current = buzon_imap_session_get_selected_uidvalidity (self->session);
  if (expected != 0 && current != 0 && current != expected)
    {
      g_set_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED,
                   _("The folder “%s” was replaced on the server in the meantime (its "
                     "UIDVALIDITY changed), so the change was not made there."),
                   name);
      return FALSE;
    }

  return TRUE;
}

/* The message with id @id was acted on by later queued ops in
 * @folder_name before its UID there was known: give them that UID. */
static void
patch_later_ops (BuzonImapSync *self,
                 gint64         after_op,
                 const char    *folder_name,
                 gint64         id,
                 guint32        uid)
{
  g_autoptr(GPtrArray) ops = buzon_store_list_ops (self->store,
                                                   buzon_account_get_id (self->account), NULL);

  for (guint i = 0; ops != NULL && i < ops->len; i++)
    {
      BuzonPendingOp *op = g_ptr_array_index (ops, i);
      g_autoptr(JsonNode) root = NULL;
      JsonObject *payload;
      JsonArray *msgs;
      gboolean changed = FALSE;

      if (op->id <= after_op)
        continue;
      root = json_from_string (op->payload, NULL);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      payload = json_node_get_object (root);
      if (g_strcmp0 (json_object_get_string_member_with_default (payload, "folder", NULL),
                     folder_name) != 0 ||
          !json_object_has_member (payload, "msgs"))
        continue;

      msgs = json_object_get_array_member (payload, "msgs");
      for (guint j = 0; j < json_array_get_length (msgs); j++)
        {
          JsonArray *pair = json_array_get_array_element (msgs, j);

          if (pair != NULL && json_array_get_length (pair) >= 2 &&
              json_array_get_int_element (pair, 0) == id &&
              json_array_get_int_element (pair, 1) == 0)
            {
              json_array_remove_element (pair, 1);
              json_array_add_int_element (pair, uid);
              changed = TRUE;
            }
        }

      if (changed)
        {
          g_autofree char *text = json_to_string (root, FALSE);

          buzon_store_update_op_payload (self->store, op->id, text, NULL);
          /* Every op on it there (a flag change, …) up to the one that
           * takes it away from @folder_name: after that, a UID in that
           * folder would be another copy's. */
          if (g_str_equal (op->kind, BUZON_OP_MOVE))
            return;
        }
    }
}

/* Records where a message landed: on its row if it is still in @to, else in
 * the later op that moved it on. */
static void
place (BuzonImapSync  *self,
       BuzonPendingOp *op,
       BuzonFolder    *to,
       gint64          id,
       guint32         uid)
{
  g_autoptr(BuzonMessageSummary) row = NULL;

  if (id <= 0 || uid == 0 || to == NULL)
    return;

  row = buzon_store_get_message (self->store, id, NULL);
  if (row == NULL)
    return;

  if (row->folder_id == to->id)
    buzon_store_set_message_location (self->store, id, to->id, uid, NULL);
  else
    patch_later_ops (self, op->id, to->name, id, uid);
}

/* Without COPYUID: finds the copies by Message-ID in the destination. */
static gboolean
find_by_message_id (BuzonImapSync  *self,
                    const char     *to_name,
                    GArray         *msgs,
                    gboolean        copies,
                    GError        **error)
{
  g_autoptr(GHashTable) taken = g_hash_table_new (g_direct_hash, g_direct_equal);

  if (!select_named (self, to_name, error))
    return FALSE;

  for (guint i = 0; i < msgs->len; i++)
    {
      Msg *msg = &g_array_index (msgs, Msg, i);
      g_autoptr(BuzonMessageSummary) row = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GArray) found = NULL;
      g_autoptr(GError) local_error = NULL;

      if (msg->uid == 0)
        continue;
      row = buzon_store_get_message (self->store, copies ? msg->new_id : msg->id, NULL);
      if (row == NULL || row->message_id == NULL)
        continue;

      buzon_imap_session_uid_search_header_async (self->session, "Message-ID", row->message_id,
                                                  self->job_cancellable, STORE_CB, &result);
      found = buzon_imap_session_uid_search_header_finish (self->session, AWAIT (result),
                                                           &local_error);
      if (found == NULL)
        {
          if (_buzon_imap_sync_is_connection_error (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          continue;
        }

      /* The newest copy not claimed by another message of this op. */
      for (guint j = found->len; j > 0; j--)
        {
          guint32 uid = g_array_index (found, guint32, j - 1);

          if (!g_hash_table_contains (taken, GUINT_TO_POINTER (uid)))
            {
              g_hash_table_add (taken, GUINT_TO_POINTER (uid));
              msg->new_uid = uid;
              break;
            }
        }
    }

  return TRUE;
}

static void
map_copy_uid (GArray           *msgs,
              BuzonImapCopyUid *copy_uid)
{
  g_autoptr(GHashTable) map = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint d = 0;
  guint32 next_dest = 0;
  guint32 dest_left = 0;

  if (copy_uid == NULL || copy_uid->source_uids == NULL || copy_uid->dest_uids == NULL)
    return;

  /* Walk both range lists in step: the n-th source UID went to the n-th
   * destination UID (RFC 4315 §3). */
  for (guint s = 0; s < copy_uid->source_uids->len; s++)
    {
      const BuzonImapUidRange *range = &g_array_index (copy_uid->source_uids,
                                                       BuzonImapUidRange, s);

      for (guint64 uid = range->first; uid <= range->last; uid++)
        {
          if (dest_left == 0)
            {
              const BuzonImapUidRange *dest;

              if (d >= copy_uid->dest_uids->len)
                goto done;
              dest = &g_array_index (copy_uid->dest_uids, BuzonImapUidRange, d++);
              next_dest = dest->first;
              dest_left = dest->last - dest->first + 1;
            }
          g_hash_table_insert (map, GUINT_TO_POINTER ((guint32)uid), GUINT_TO_POINTER (next_dest));
          next_dest++;
          dest_left--;
        }
    }

done:
  for (guint i = 0; i < msgs->len; i++)
    {
      Msg *msg = &g_array_index (msgs, Msg, i);

      msg->new_uid = GPOINTER_TO_UINT (g_hash_table_lookup (map, GUINT_TO_POINTER (msg->uid)));
    }
}

static gboolean
replay_move_or_copy (BuzonImapSync   *self,
                     BuzonPendingOp  *op,
                     JsonObject      *payload,
                     gboolean         copy,
                     GError         **error)
{
  const char *from_name = json_object_get_string_member_with_default (payload, "folder", NULL);
  const char *to_name = json_object_get_string_member_with_default (payload, "to", NULL);
  g_autoptr(BuzonFolder) from = folder_named (self, from_name);
  g_autoptr(BuzonFolder) to = folder_named (self, to_name);
  g_autoptr(GArray) msgs = read_msgs (payload);
  g_autoptr(GArray) uids = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BuzonImapCopyUid) copy_uid = NULL;
  gboolean left_deleted = FALSE;
  gboolean uidplus = buzon_imap_session_has_capability (self->session, "UIDPLUS");
  guint gone = 0;
  gboolean ok;

  if (from_name == NULL || to_name == NULL)
    return TRUE;

  resolve_uids (self, msgs, from);
  uids = known_uids (msgs);
  if (uids->len == 0)
    return TRUE;

  if (!select_for_op (self, payload, from_name, error))
    return FALSE;

  if (copy)
    {
      buzon_imap_session_uid_copy_async (self->session, (const guint32 *)(gpointer)uids->data,
                                         uids->len, to_name, self->job_cancellable, STORE_CB,
                                         &result);
      ok = buzon_imap_session_uid_copy_finish (self->session, AWAIT (result), &copy_uid, error);
    }
  else
    {
      buzon_imap_session_uid_move_async (self->session, (const guint32 *)(gpointer)uids->data,
                                         uids->len, to_name, self->job_cancellable, STORE_CB,
                                         &result);
      ok = buzon_imap_session_uid_move_finish (self->session, AWAIT (result), &copy_uid,
                                               &left_deleted, error);
    }
  if (!ok)
    return FALSE;

  /* Without MOVE or UIDPLUS the originals are only marked \Deleted: the
   * user moved them, so expunge them as other clients do (this also
   * removes what else was marked \Deleted in the folder, which that flag
   * asks for). */
  if (left_deleted)
    {
      g_autoptr(GAsyncResult) expunged = NULL;

      buzon_imap_session_expunge_async (self->session, self->job_cancellable, STORE_CB,
                                        &expunged);
      if (!buzon_imap_session_expunge_finish (self->session, AWAIT (expunged), error))
        return FALSE;
    }

  /* COPYUID only counts where UIDPLUS is advertised: what the server did
   * not promise, the engine does not rely on. */
  if (uidplus && copy_uid != NULL)
    map_copy_uid (msgs, copy_uid);
  else if (!find_by_message_id (self, to_name, msgs, copy, error))
    return FALSE;

  for (guint i = 0; i < msgs->len; i++)
    {
      const Msg *msg = &g_array_index (msgs, Msg, i);
      gint64 id = copy ? msg->new_id : msg->id;

      if (msg->new_uid != 0)
        place (self, op, to, id, msg->new_uid);
      else if (uidplus && copy_uid != NULL && msg->uid != 0)
        {
          /* Not in COPYUID: the server did not have it any more. */
          g_autoptr(BuzonMessageSummary) row = buzon_store_get_message (self->store, id, NULL);

          gone++;
          if (row != NULL && to != NULL && row->folder_id == to->id && row->uid == 0)
            buzon_store_delete_messages (self->store, &id, 1, NULL, NULL);
        }
      else if (msg->uid != 0)
        {
          /* Moved or copied on the server, but nothing tells its new UID:
           * no COPYUID, and no Message-ID to search for or to match at the
           * next sync, which would then store the server's copy beside this
           * row, the message twice. The server has it: the row goes, and
           * the next sync brings the server's copy with its UID. */
          g_autoptr(BuzonMessageSummary) row = buzon_store_get_message (self->store, id, NULL);

          if (row != NULL && to != NULL && row->folder_id == to->id && row->uid == 0 &&
              row->message_id == NULL)
            buzon_store_delete_messages (self->store, &id, 1, NULL, NULL);
        }
    }

  if (gone > 0)
    {
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u message had already been deleted on the server by "
                                      "another device, so it was not moved to “%s”.",
                                      "%u messages had already been deleted on the server by "
                                      "another device, so they were not moved to “%s”.",
                                      gone),
                         gone, to_name);

      _buzon_imap_sync_emit_op_failed (self, message);
    }

  return TRUE;
}

static gboolean
replay_flags (BuzonImapSync   *self,
              JsonObject      *payload,
              GError         **error)
{
  const char *folder_name = json_object_get_string_member_with_default (payload, "folder", NULL);
  g_autoptr(BuzonFolder) folder = folder_named (self, folder_name);
  g_autoptr(GArray) msgs = read_msgs (payload);
  g_autoptr(GArray) uids = NULL;
  BuzonMessageFlags add = json_object_get_int_member_with_default (payload, "add", 0);
  BuzonMessageFlags remove = json_object_get_int_member_with_default (payload, "remove", 0);
  struct { BuzonMessageFlags flags; BuzonImapStoreMode mode; } steps[] = {
    { add, BUZON_IMAP_STORE_ADD },
    { remove, BUZON_IMAP_STORE_REMOVE },
  };

  if (folder_name == NULL)
    return TRUE;

  resolve_uids (self, msgs, folder);
  uids = known_uids (msgs);
  if (uids->len == 0)
    return TRUE;

  if (!select_for_op (self, payload, folder_name, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_auto(GStrv) names = buzon_imap_flags_from_store (steps[i].flags);
      g_autoptr(GAsyncResult) result = NULL;

      if (names[0] == NULL)
        continue;

      buzon_imap_session_uid_store_async (self->session, (const guint32 *)(gpointer)uids->data,
                                          uids->len, steps[i].mode, (const char * const *)names,
                                          self->job_cancellable, STORE_CB, &result);
      if (!buzon_imap_session_uid_store_finish (self->session, AWAIT (result), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
replay_expunge (BuzonImapSync   *self,
                JsonObject      *payload,
                GError         **error)
{
  const char *folder_name = json_object_get_string_member_with_default (payload, "folder", NULL);
  JsonArray *array = json_object_get_array_member (payload, "uids");
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) expunged = NULL;
  static const char * const deleted[] = { "\\Deleted", NULL };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      guint32 uid = (guint32)json_array_get_int_element (array, i);

      if (uid != 0)
        g_array_append_val (uids, uid);
    }

  if (folder_name == NULL || uids->len == 0)
    return TRUE;

  if (!select_for_op (self, payload, folder_name, error))
    return FALSE;

  buzon_imap_session_uid_store_async (self->session, (const guint32 *)(gpointer)uids->data,
                                      uids->len, BUZON_IMAP_STORE_ADD, deleted,
                                      self->job_cancellable, STORE_CB, &stored);
  if (!buzon_imap_session_uid_store_finish (self->session, AWAIT (stored), error))
    return FALSE;

  /* Without UIDPLUS only a plain EXPUNGE exists, which also removes other
   * messages marked \Deleted in the folder: what that flag asks for. */
  if (buzon_imap_session_has_capability (self->session, "UIDPLUS"))
    {
      buzon_imap_session_uid_expunge_async (self->session, (const guint32 *)(gpointer)uids->data,
                                            uids->len, self->job_cancellable, STORE_CB,
                                            &expunged);
      return buzon_imap_session_uid_expunge_finish (self->session, AWAIT (expunged), error);
    }

  buzon_imap_session_expunge_async (self->session, self->job_cancellable, STORE_CB, &expunged);
  return buzon_imap_session_expunge_finish (self->session, AWAIT (expunged), error);
}

/* Whether @name exists on the server (STATUS answers). */
static gboolean
mailbox_exists (BuzonImapSync  *self,
                const char     *name,
                gboolean       *out_exists,
                GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  g_autoptr(GError) local_error = NULL;

  buzon_imap_session_status_async (self->session, name, self->job_cancellable, STORE_CB,
                                   &result);
  status = buzon_imap_session_status_finish (self->session, AWAIT (result), &local_error);
  if (status == NULL && _buzon_imap_sync_is_connection_error (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *out_exists = status != NULL;
  return TRUE;
}

static gboolean
replay_mkdir (BuzonImapSync  *self,
              JsonObject     *payload,
              GError        **error)
{
  const char *name = json_object_get_string_member_with_default (payload, "name", NULL);
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(GAsyncResult) subscribed = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean exists = FALSE;

  if (name == NULL)
    return TRUE;

  buzon_imap_session_create_async (self->session, name, self->job_cancellable, STORE_CB,
                                   &created);
  if (!buzon_imap_session_create_finish (self->session, AWAIT (created), &local_error))
    {
      /* Created already (by another device, or before a lost connection):
       * what the user wanted. */
      if (_buzon_imap_sync_is_connection_error (local_error) ||
          !mailbox_exists (self, name, &exists, error) || !exists)
        {
          if (local_error != NULL && (error == NULL || *error == NULL))
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  buzon_imap_session_subscribe_async (self->session, name, self->job_cancellable, STORE_CB,
                                      &subscribed);
  buzon_imap_session_subscribe_finish (self->session, AWAIT (subscribed), NULL);

  return TRUE;
}

static gboolean
replay_rename (BuzonImapSync  *self,
               JsonObject     *payload,
               GError        **error)
{
  const char *from = json_object_get_string_member_with_default (payload, "from", NULL);
  const char *to = json_object_get_string_member_with_default (payload, "to", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) subscribed = NULL;

  if (from == NULL || to == NULL)
    return TRUE;

  /* A renamed mailbox cannot stay selected under its old name. */
  if (g_strcmp0 (self->selected, from) == 0)
    g_clear_pointer (&self->selected, g_free);

  buzon_imap_session_rename_async (self->session, from, to, self->job_cancellable, STORE_CB,
                                   &result);
  if (!buzon_imap_session_rename_finish (self->session, AWAIT (result), error))
    return FALSE;

  buzon_imap_session_subscribe_async (self->session, to, self->job_cancellable, STORE_CB,
                                      &subscribed);
  buzon_imap_session_subscribe_finish (self->session, AWAIT (subscribed), NULL);

  return TRUE;
}

static gboolean
replay_rmdir (BuzonImapSync  *self,
              JsonObject     *payload,
              GError        **error)
{
  JsonArray *names = json_object_get_array_member (payload, "names");

  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
    {
      const char *name = json_array_get_string_element (names, i);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GAsyncResult) unsubscribed = NULL;
      g_autoptr(GError) local_error = NULL;
      gboolean exists = TRUE;

      if (name == NULL)
        continue;

      if (g_strcmp0 (self->selected, name) == 0)
        g_clear_pointer (&self->selected, g_free);

      buzon_imap_session_delete_async (self->session, name, self->job_cancellable, STORE_CB,
                                       &result);
      if (!buzon_imap_session_delete_finish (self->session, AWAIT (result), &local_error))
        {
          /* Gone already: what the user wanted. */
          if (_buzon_imap_sync_is_connection_error (local_error) ||
              !mailbox_exists (self, name, &exists, error) || exists)
            {
              if (local_error != NULL && (error == NULL || *error == NULL))
                g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }

      buzon_imap_session_unsubscribe_async (self->session, name, self->job_cancellable, STORE_CB,
                                            &unsubscribed);
      buzon_imap_session_unsubscribe_finish (self->session, AWAIT (unsubscribed), NULL);
    }

  return TRUE;
}

static gboolean
replay_append (BuzonImapSync   *self,
               BuzonPendingOp  *op,
               JsonObject      *payload,
               GError         **error)
{
  const char *folder_name = json_object_get_string_member_with_default (payload, "folder", NULL);
  gint64 id = json_object_get_int_member_with_default (payload, "id", 0);
  BuzonMessageFlags flags = json_object_get_int_member_with_default (payload, "flags", 0);
  g_autoptr(BuzonMessageSummary) row = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) names = buzon_imap_flags_from_store (flags);
  gboolean uidplus = buzon_imap_session_has_capability (self->session, "UIDPLUS");
  guint32 uidvalidity = 0, uid = 0, uidnext = 0;

  /* Deleted here before it reached the server: nothing to do. */
  row = buzon_store_get_message (self->store, id, NULL);
  if (folder_name == NULL || row == NULL)
    return TRUE;
  raw = buzon_store_get_body (self->store, id, NULL);
  if (raw == NULL)
    return TRUE;

  if (row->internal_date != 0)
    date = g_date_time_new_from_unix_utc (row->internal_date);

  /* Neither APPENDUID nor a Message-ID to search for: the message will get
   * the UID that UIDNEXT names now (RFC 3501 §2.3.1.1), unless other mail
   * comes in between. A fresh SELECT tells it. */
  if (!uidplus && row->message_id == NULL)
    {
      g_autoptr(BuzonImapSelectInfo) info = _buzon_imap_sync_select (self, folder_name, error);

      if (info == NULL)
        return FALSE;
      uidnext = info->uidnext;
    }

  buzon_imap_session_append_async (self->session, folder_name, raw, (const char * const *)names,
                                   date, self->job_cancellable, STORE_CB, &result);
  if (!buzon_imap_session_append_finish (self->session, AWAIT (result), &uidvalidity, &uid,
                                         error))
    return FALSE;

  folder = folder_named (self, folder_name);
  if (uid != 0 && uidplus)
    place (self, op, folder, id, uid);
  else if (row->message_id == NULL)
    {
      g_autoptr(GAsyncResult) searched = NULL;
      g_autoptr(GArray) found = NULL;
      guint32 new_uid = 0;
      guint n_new = 0;

      /* Without this, the row here would keep no UID, and the folder's
       * next sync (which matches such rows by Message-ID) would store the
       * server's copy beside it: the message twice, for good. */
      if (uidnext != 0)
        {
          buzon_imap_session_uid_search_async (self->session, uidnext, 0, NULL,
                                               self->job_cancellable, STORE_CB, &searched);
          found = buzon_imap_session_uid_search_finish (self->session, AWAIT (searched), error);
          if (found == NULL)
            return FALSE;
          /* "UIDNEXT:*" also matches the highest UID when it is lower. */
          for (guint i = 0; i < found->len; i++)
            if (g_array_index (found, guint32, i) >= uidnext)
              {
                new_uid = g_array_index (found, guint32, i);
                n_new++;
              }
        }

      if (n_new == 1)
        place (self, op, folder, id, new_uid);
      else
        {
          g_autoptr(BuzonMessageSummary) now = buzon_store_get_message (self->store, id, NULL);

          /* Other mail came too, and nothing tells which is this one: the
           * server has it, so the row goes (if it is still there), and the
           * folder's next sync brings the server's copy. */
          g_debug ("could not tell which new message of “%s” was appended", folder_name);
          if (now != NULL && folder != NULL && now->folder_id == folder->id)
            buzon_store_delete_messages (self->store, &id, 1, NULL, NULL);
        }
    }
  else
    {
      /* Without APPENDUID: find it by its Message-ID, as for moves. */
      g_autoptr(GArray) msgs = g_array_new (FALSE, TRUE, sizeof (Msg));
      /* Any non-zero uid: the search skips messages that never had one. */
      Msg msg = { .id = id, .uid = 1 };

      g_array_append_val (msgs, msg);
      if (!find_by_message_id (self, folder_name, msgs, FALSE, error))
        return FALSE;
      place (self, op, folder, id, g_array_index (msgs, Msg, 0).new_uid);
    }

  return TRUE;
}

/* The server refused @op: undo what it did here, where the next sync would
 * not. */
static void
back_out (BuzonImapSync  *self,
          BuzonPendingOp *op,
          JsonObject     *payload)
{
  const char *folder_name = json_object_get_string_member_with_default (payload, "folder", NULL);

  if (g_str_equal (op->kind, BUZON_OP_MOVE))
    {
      g_autoptr(BuzonFolder) from = folder_named (self, folder_name);
      g_autoptr(GArray) msgs = read_msgs (payload);

      /* Back where they were, with their UIDs there. */
      for (guint i = 0; from != NULL && i < msgs->len; i++)
        {
          const Msg *msg = &g_array_index (msgs, Msg, i);

          buzon_store_set_message_location (self->store, msg->id, from->id, msg->uid, NULL);
        }
    }
  else if (g_str_equal (op->kind, BUZON_OP_COPY))
    {
      g_autoptr(GArray) msgs = read_msgs (payload);

      for (guint i = 0; i < msgs->len; i++)
        {
          const Msg *msg = &g_array_index (msgs, Msg, i);

          if (msg->new_id > 0)
            buzon_store_delete_messages (self->store, &msg->new_id, 1, NULL, NULL);
        }
    }
  else if (g_str_equal (op->kind, BUZON_OP_FLAGS))
    {
      g_autoptr(BuzonFolder) folder = folder_named (self, folder_name);

      /* Forget the folder's sync state: the next sync reads every flag. */
      if (folder != NULL)
        buzon_store_update_folder_sync_state (self->store, folder->id, folder->uidvalidity, 0, 0,
                                              NULL, NULL);
    }
  else if (g_str_equal (op->kind, BUZON_OP_MKDIR))
    {
      g_autoptr(BuzonFolder) folder =
        folder_named (self, json_object_get_string_member_with_default (payload, "name", NULL));

      if (folder != NULL)
        buzon_store_delete_folder (self->store, folder->id, NULL);
    }
  else if (g_str_equal (op->kind, BUZON_OP_RENAME))
    {
      g_autoptr(BuzonFolder) folder =
        folder_named (self, json_object_get_string_member_with_default (payload, "to", NULL));
      const char *from = json_object_get_string_member_with_default (payload, "from", NULL);

      if (folder != NULL && from != NULL)
        buzon_store_rename_folder (self->store, folder->id, from, NULL);
    }
  /* expunge, rmdir: the next sync brings back what the server kept.
   * append: the message stays here, never thrown away. */
}

static char *
describe_failure (BuzonPendingOp *op,
                  JsonObject     *payload,
                  const GError   *error)
{
  const char *folder = json_object_get_string_member_with_default (payload, "folder", "");

  if (g_str_equal (op->kind, BUZON_OP_MOVE))
    return g_strdup_printf (_("Messages could not be moved from “%s” to “%s” on the server, so "
                              "they are back in “%s”. %s"),
                            folder, json_object_get_string_member_with_default (payload, "to", ""),
                            folder, error->message);
  if (g_str_equal (op->kind, BUZON_OP_COPY))
    return g_strdup_printf (_("Messages could not be copied to “%s” on the server. %s"),
                            json_object_get_string_member_with_default (payload, "to", ""),
                            error->message);
  if (g_str_equal (op->kind, BUZON_OP_FLAGS))
    return g_strdup_printf (_("A change to messages in “%s” (read, flagged…) could not be saved "
                              "on the server. %s"),
                            folder, error->message);
  if (g_str_equal (op->kind, BUZON_OP_EXPUNGE))
    return g_strdup_printf (_("Messages in “%s” could not be deleted on the server. %s"),
                            folder, error->message);
  if (g_str_equal (op->kind, BUZON_OP_MKDIR))
    return g_strdup_printf (_("The folder “%s” could not be created on the server. %s"),
                            json_object_get_string_member_with_default (payload, "name", ""),
                            error->message);
  if (g_str_equal (op->kind, BUZON_OP_RENAME))
    return g_strdup_printf (_("The folder “%s” could not be renamed to “%s” on the server, so it "
                              "keeps its name. %s"),
                            json_object_get_string_member_with_default (payload, "from", ""),
                            json_object_get_string_member_with_default (payload, "to", ""),
                            error->message);
  if (g_str_equal (op->kind, BUZON_OP_RMDIR))
    return g_strdup_printf (_("A folder could not be deleted on the server. %s"), error->message);
  if (g_str_equal (op->kind, BUZON_OP_APPEND))
    return g_strdup_printf (_("A message could not be saved to “%s” on the server; it stays "
                              "here only. %s"),
                            folder, error->message);

  return g_strdup (error->message);
}

static gboolean
replay_one (BuzonImapSync   *self,
            BuzonPendingOp  *op,
            JsonObject      *payload,
            GError         **error)
{
  if (g_str_equal (op->kind, BUZON_OP_FLAGS))
    return replay_flags (self, payload, error);
  if (g_str_equal (op->kind, BUZON_OP_MOVE))
    return replay_move_or_copy (self, op, payload, FALSE, error);
  if (g_str_equal (op->kind, BUZON_OP_COPY))
    return replay_move_or_copy (self, op, payload, TRUE, error);
  if (g_str_equal (op->kind, BUZON_OP_EXPUNGE))
    return replay_expunge (self, payload, error);
  if (g_str_equal (op->kind, BUZON_OP_MKDIR))
    return replay_mkdir (self, payload, error);
  if (g_str_equal (op->kind, BUZON_OP_RENAME))
    return replay_rename (self, payload, error);
  if (g_str_equal (op->kind, BUZON_OP_RMDIR))
    return replay_rmdir (self, payload, error);
  if (g_str_equal (op->kind, BUZON_OP_APPEND))
    return replay_append (self, op, payload, error);

  g_debug ("dropping an operation of unknown kind “%s”", op->kind);
  return TRUE;
}

gboolean
_buzon_imap_sync_replay_queue (BuzonImapSync  *self,
                               GError        **error)
{
  gint64 account_id = buzon_account_get_id (self->account);

  for (;;)
    {
      g_autoptr(BuzonPendingOp) op = NULL;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonObject *payload;

      op = buzon_store_peek_op (self->store, account_id, &local_error);
      if (op == NULL)
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          return TRUE;
        }

      root = json_from_string (op->payload, NULL);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          if (!buzon_store_drop_op (self->store, op->id, NULL, error))
            return FALSE;
          continue;
        }
      payload = json_node_get_object (root);

      if (replay_one (self, op, payload, &local_error))
        {
          if (!buzon_store_complete_op (self->store, op->id, error))
            return FALSE;
          continue;
        }

      if (_buzon_imap_sync_is_connection_error (local_error))
        {
          /* Stays queued for the next connection. */
          buzon_store_fail_op (self->store, op->id, local_error->message, NULL);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      /* Refused for good. */
      {
        g_autofree char *message = describe_failure (op, payload, local_error);

        back_out (self, op, payload);
        if (!buzon_store_drop_op (self->store, op->id, message, error))
          return FALSE;
        _buzon_imap_sync_emit_op_failed (self, message);
      }
    }
}
