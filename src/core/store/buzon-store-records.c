/* buzon-store-records.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The plain records the store reads and writes: folders, message summaries,
 * POP3 UIDLs, pending operations and outbox items. They are boxed structs with
 * public fields, not GObjects, because the sync engine creates and discards
 * them by the ten thousand; the UI wraps the ones it shows.
 */

#define G_LOG_DOMAIN "buzon-store"

#include "config.h"

#include <string.h>

#include "buzon-types.h"
#include "buzon-store-records.h"

/* Spelled out: see buzon-types.h. */
BUZON_DEFINE_BOXED_TYPE (BuzonFolder, buzon_folder)
BUZON_DEFINE_BOXED_TYPE (BuzonMessageSummary, buzon_message_summary)
BUZON_DEFINE_BOXED_TYPE (BuzonThreadSummary, buzon_thread_summary)
BUZON_DEFINE_BOXED_TYPE (BuzonPop3Uidl, buzon_pop3_uidl)
BUZON_DEFINE_BOXED_TYPE (BuzonPendingOp, buzon_pending_op)
BUZON_DEFINE_BOXED_TYPE (BuzonOutboxItem, buzon_outbox_item)

/**
 * buzon_folder_new:
 *
 * Returns: (transfer full): an empty, subscribed folder record
 */
BuzonFolder *
buzon_folder_new (void)
{
  BuzonFolder *folder = g_new0 (BuzonFolder, 1);

  folder->subscribed = TRUE;

  return folder;
}

/**
 * buzon_folder_copy:
 *
 * Returns: (transfer full): a deep copy of @folder
 */
BuzonFolder *
buzon_folder_copy (const BuzonFolder *folder)
{
  BuzonFolder *copy;

  g_return_val_if_fail (folder != NULL, NULL);

  copy = g_memdup2 (folder, sizeof *folder);
  copy->name = g_strdup (folder->name);
  copy->delimiter = g_strdup (folder->delimiter);
  copy->attributes = g_strdup (folder->attributes);

  return copy;
}

void
buzon_folder_free (BuzonFolder *folder)
{
  if (folder == NULL)
    return;

  g_free (folder->name);
  g_free (folder->delimiter);
  g_free (folder->attributes);
  g_free (folder);
}

/**
 * buzon_folder_dup_leaf_name:
 *
 * Returns: (transfer full): the last part of the folder's name, as the sidebar
 *   shows it: `2026` for `Work/2026`
 */
char *
buzon_folder_dup_leaf_name (const BuzonFolder *folder)
{
  const char *leaf;

  g_return_val_if_fail (folder != NULL, NULL);

  if (folder->name == NULL)
    return NULL;

  if (folder->delimiter == NULL || *folder->delimiter == '\0')
    return g_strdup (folder->name);

  leaf = g_strrstr (folder->name, folder->delimiter);
  if (leaf == NULL)
    return g_strdup (folder->name);

  return g_strdup (leaf + strlen (folder->delimiter));
}

/**
 * buzon_folder_has_attribute:
 * @attribute: a LIST attribute such as `\Noselect`
 *
 * Returns: whether the server listed the folder with @attribute (compared
 *   without regard to case, as RFC 3501 section 7.2.2 says)
 */
gboolean
buzon_folder_has_attribute (const BuzonFolder *folder,
                            const char        *attribute)
{
  g_auto(GStrv) attributes = NULL;

  g_return_val_if_fail (folder != NULL, FALSE);
  g_return_val_if_fail (attribute != NULL, FALSE);

  if (folder->attributes == NULL)
    return FALSE;

  attributes = g_strsplit_set (folder->attributes, " \t", -1);
  for (guint i = 0; attributes[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (attributes[i], attribute) == 0)
        return TRUE;
    }

  return FALSE;
}

/**
 * buzon_message_summary_new:
 *
 * Returns: (transfer full): an empty summary
 */
BuzonMessageSummary *
buzon_message_summary_new (void)
{
  return g_new0 (BuzonMessageSummary, 1);
}

/**
 * buzon_message_summary_copy:
 *
 * Returns: (transfer full): a deep copy of @summary
 */
BuzonMessageSummary *
buzon_message_summary_copy (const BuzonMessageSummary *summary)
{
  BuzonMessageSummary *copy;

  g_return_val_if_fail (summary != NULL, NULL);

  copy = g_memdup2 (summary, sizeof *summary);
  copy->message_id = g_strdup (summary->message_id);
  copy->in_reply_to = g_strdup (summary->in_reply_to);
  copy->references = g_strdup (summary->references);
  copy->subject = g_strdup (summary->subject);
  copy->from = g_strdup (summary->from);
  copy->to = g_strdup (summary->to);
  copy->cc = g_strdup (summary->cc);
  copy->keywords = g_strdup (summary->keywords);
  copy->preview = g_strdup (summary->preview);

  return copy;
}

void
buzon_message_summary_free (BuzonMessageSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->message_id);
  g_free (summary->in_reply_to);
  g_free (summary->references);
  g_free (summary->subject);
  g_free (summary->from);
  g_free (summary->to);
  g_free (summary->cc);
  g_free (summary->keywords);
  g_free (summary->preview);
  g_free (summary);
}

/**
 * buzon_thread_summary_copy:
 *
 * Returns: (transfer full): a deep copy of @thread
 */
BuzonThreadSummary *
buzon_thread_summary_copy (const BuzonThreadSummary *thread)
{
  BuzonThreadSummary *copy;

  g_return_val_if_fail (thread != NULL, NULL);

  copy = g_memdup2 (thread, sizeof *thread);
  if (thread->latest != NULL)
    copy->latest = buzon_message_summary_copy (thread->latest);

  return copy;
}

/**
 * buzon_thread_summary_free:
 * @thread: (nullable): a thread summary
 */
void
buzon_thread_summary_free (BuzonThreadSummary *thread)
{
  if (thread == NULL)
    return;

  buzon_message_summary_free (thread->latest);
  g_free (thread);
}

/**
 * buzon_pop3_uidl_copy:
 *
 * Returns: (transfer full): a deep copy of @uidl
 */
BuzonPop3Uidl *
buzon_pop3_uidl_copy (const BuzonPop3Uidl *uidl)
{
  BuzonPop3Uidl *copy;

  g_return_val_if_fail (uidl != NULL, NULL);

  copy = g_memdup2 (uidl, sizeof *uidl);
  copy->uidl = g_strdup (uidl->uidl);

  return copy;
}

void
buzon_pop3_uidl_free (BuzonPop3Uidl *uidl)
{
  if (uidl == NULL)
    return;

  g_free (uidl->uidl);
  g_free (uidl);
}

/**
 * buzon_pending_op_new:
 * @account_id: the account whose server must replay it
 * @folder_id: the folder it concerns, or 0
 * @kind: the operation's name
 * @payload: (nullable): its details as JSON text; %NULL means `{}`
 *
 * Returns: (transfer full): an operation ready for buzon_store_enqueue_op()
 */
BuzonPendingOp *
buzon_pending_op_new (gint64      account_id,
                      gint64      folder_id,
                      const char *kind,
                      const char *payload)
{
  BuzonPendingOp *op;

  g_return_val_if_fail (kind != NULL, NULL);

  op = g_new0 (BuzonPendingOp, 1);
  op->account_id = account_id;
  op->folder_id = folder_id;
  op->kind = g_strdup (kind);
  op->payload = g_strdup (payload != NULL ? payload : "{}");

  return op;
}

/**
 * buzon_pending_op_copy:
 *
 * Returns: (transfer full): a deep copy of @op
 */
BuzonPendingOp *
buzon_pending_op_copy (const BuzonPendingOp *op)
{
  BuzonPendingOp *copy;

  g_return_val_if_fail (op != NULL, NULL);

  copy = g_memdup2 (op, sizeof *op);
  copy->kind = g_strdup (op->kind);
  copy->payload = g_strdup (op->payload);
  copy->last_error = g_strdup (op->last_error);

  return copy;
}

void
buzon_pending_op_free (BuzonPendingOp *op)
{
  if (op == NULL)
    return;

  g_free (op->kind);
  g_free (op->payload);
  g_free (op->last_error);
  g_free (op);
}

/**
 * buzon_outbox_item_new:
 * @account_id: the sending account
 * @raw: the message
 * @recipients: (array zero-terminated=1): the envelope recipients
 *
 * Returns: (transfer full): an item ready for buzon_store_outbox_enqueue()
 */
BuzonOutboxItem *
buzon_outbox_item_new (gint64              account_id,
                       GBytes             *raw,
                       const char * const *recipients)
{
  BuzonOutboxItem *item;

  g_return_val_if_fail (raw != NULL, NULL);
  g_return_val_if_fail (recipients != NULL, NULL);

  item = g_new0 (BuzonOutboxItem, 1);
  item->account_id = account_id;
  item->raw = g_bytes_ref (raw);
  item->recipients = g_strdupv ((char **)recipients);

  return item;
}

/**
 * buzon_outbox_item_copy:
 *
 * Returns: (transfer full): a copy of @item sharing its bytes
 */
BuzonOutboxItem *
buzon_outbox_item_copy (const BuzonOutboxItem *item)
{
  BuzonOutboxItem *copy;

  g_return_val_if_fail (item != NULL, NULL);

  copy = g_memdup2 (item, sizeof *item);
  copy->raw = item->raw != NULL ? g_bytes_ref (item->raw) : NULL;
  copy->recipients = g_strdupv (item->recipients);
  copy->last_error = g_strdup (item->last_error);

  return copy;
}

void
buzon_outbox_item_free (BuzonOutboxItem *item)
{
  if (item == NULL)
    return;

  g_clear_pointer (&item->raw, g_bytes_unref);
  g_strfreev (item->recipients);
  g_free (item->last_error);
  g_free (item);
}

/**
 * buzon_op_failure_free:
 * @failure: (nullable): a failure
 */
void
buzon_op_failure_free (BuzonOpFailure *failure)
{
  if (failure == NULL)
    return;

  g_free (failure->kind);
  g_free (failure->message);
  g_free (failure);
}

static const char * const special_use_names[] = {
  [BUZON_SPECIAL_USE_NONE] = NULL,
  [BUZON_SPECIAL_USE_INBOX] = "inbox",
  [BUZON_SPECIAL_USE_DRAFTS] = "drafts",
  [BUZON_SPECIAL_USE_SENT] = "sent",
  [BUZON_SPECIAL_USE_TRASH] = "trash",
  [BUZON_SPECIAL_USE_JUNK] = "junk",
  [BUZON_SPECIAL_USE_ARCHIVE] = "archive",
  [BUZON_SPECIAL_USE_ALL] = "all",
  [BUZON_SPECIAL_USE_FLAGGED] = "flagged",
};

/**
 * buzon_special_use_to_string:
 *
 * Returns: (nullable): the name the store keeps, e.g. `sent`; %NULL for none
 */
const char *
buzon_special_use_to_string (BuzonSpecialUse use)
{
  if ((guint)use >= G_N_ELEMENTS (special_use_names))
    return NULL;

  return special_use_names[use];
}

/**
 * buzon_special_use_from_string:
 * @text: (nullable): a name as buzon_special_use_to_string() gives, or an
 *   RFC 6154 attribute such as `\Sent`, in any case
 *
 * Returns: the special use, %BUZON_SPECIAL_USE_NONE for anything unknown
 */
BuzonSpecialUse
buzon_special_use_from_string (const char *text)
{
  if (text == NULL)
    return BUZON_SPECIAL_USE_NONE;

  if (*text == '\\')
    text++;

  for (guint i = 1; i < G_N_ELEMENTS (special_use_names); i++)
    {
      if (g_ascii_strcasecmp (text, special_use_names[i]) == 0)
        return (BuzonSpecialUse)i;
    }

  return BUZON_SPECIAL_USE_NONE;
}

static const char * const outbox_state_names[] = {
  [BUZON_OUTBOX_STATE_QUEUED] = "queued",
  [BUZON_OUTBOX_STATE_SENDING] = "sending",
  [BUZON_OUTBOX_STATE_SENT] = "sent",
  [BUZON_OUTBOX_STATE_FAILED] = "failed",
};

const char *
buzon_outbox_state_to_string (BuzonOutboxState state)
{
  g_return_val_if_fail ((guint)state < G_N_ELEMENTS (outbox_state_names), "queued");

  return outbox_state_names[state];
}

BuzonOutboxState
buzon_outbox_state_from_string (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (outbox_state_names); i++)
    {
      if (g_str_equal (text, outbox_state_names[i]))
        return (BuzonOutboxState)i;
    }

  return BUZON_OUTBOX_STATE_QUEUED;
}
