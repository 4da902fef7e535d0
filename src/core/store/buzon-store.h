/* buzon-store.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-types.h"
#include "buzon-account.h"
#include "buzon-store-records.h"

G_BEGIN_DECLS

#define BUZON_STORE_ERROR (buzon_store_error_quark ())

/**
 * BuzonStoreError:
 * @BUZON_STORE_ERROR_FAILED: the database failed (disk full, I/O error, permissions…)
 * @BUZON_STORE_ERROR_NEWER_VERSION: the store was written by a newer Buzón
 * @BUZON_STORE_ERROR_EXISTS: the name is already taken
 * @BUZON_STORE_ERROR_NOT_FOUND: no such account, folder, message, …
 * @BUZON_STORE_ERROR_CORRUPT: the file is damaged or is not a Buzón store
 */
typedef enum
{
  BUZON_STORE_ERROR_FAILED,
  BUZON_STORE_ERROR_NEWER_VERSION,
  BUZON_STORE_ERROR_EXISTS,
  BUZON_STORE_ERROR_NOT_FOUND,
  BUZON_STORE_ERROR_CORRUPT,
} BuzonStoreError;

#define BUZON_TYPE_STORE (buzon_store_get_type ())

G_DECLARE_FINAL_TYPE (BuzonStore, buzon_store, BUZON, STORE, GObject)

GQuark               buzon_store_error_quark                (void);

G_GNUC_WARN_UNUSED_RESULT
char                *buzon_store_default_path               (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonStore          *buzon_store_open                       (const char           *path,
                                                             GError              **error);
const char          *buzon_store_get_path                   (BuzonStore           *self);

/* Accounts */
gboolean             buzon_store_add_account                (BuzonStore           *self,
                                                             BuzonAccount         *account,
                                                             GError              **error);
gboolean             buzon_store_update_account             (BuzonStore           *self,
                                                             BuzonAccount         *account,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_accounts              (BuzonStore           *self,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonAccount        *buzon_store_lookup_account             (BuzonStore           *self,
                                                             const char           *name,
                                                             GError              **error);
gboolean             buzon_store_remove_account             (BuzonStore           *self,
                                                             const char           *name,
                                                             GError              **error);
void                 buzon_store_list_accounts_async        (BuzonStore           *self,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_accounts_finish       (BuzonStore           *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* Quota (RFC 9208 STORAGE of the Inbox's quota root), in bytes */
gboolean             buzon_store_set_account_quota          (BuzonStore           *self,
                                                             gint64                account_id,
                                                             guint64               usage,
                                                             guint64               limit,
                                                             GError              **error);
gboolean             buzon_store_clear_account_quota        (BuzonStore           *self,
                                                             gint64                account_id,
                                                             GError              **error);
gboolean             buzon_store_get_account_quota          (BuzonStore           *self,
                                                             gint64                account_id,
                                                             guint64              *out_usage,
                                                             guint64              *out_limit,
                                                             gint64               *out_updated,
                                                             GError              **error);

/* Folders */
gboolean             buzon_store_upsert_folder              (BuzonStore           *self,
                                                             BuzonFolder          *folder,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_folders               (BuzonStore           *self,
                                                             gint64                account_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonFolder         *buzon_store_get_folder                 (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonFolder         *buzon_store_lookup_folder              (BuzonStore           *self,
                                                             gint64                account_id,
                                                             const char           *name,
                                                             GError              **error);
gboolean             buzon_store_update_folder_sync_state   (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             guint32               uidvalidity,
                                                             guint32               uidnext,
                                                             guint64               highestmodseq,
                                                             gboolean             *out_reset,
                                                             GError              **error);
gboolean             buzon_store_rename_folder              (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             const char           *new_name,
                                                             GError              **error);
gboolean             buzon_store_delete_folder              (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GError              **error);
gboolean             buzon_store_ensure_folders             (BuzonStore           *self,
                                                             GPtrArray            *folders,
                                                             GError              **error);
gboolean             buzon_store_recount_folder             (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GError              **error);

/* Messages */
gboolean             buzon_store_upsert_messages            (BuzonStore           *self,
                                                             GPtrArray            *summaries,
                                                             GError              **error);
void                 buzon_store_upsert_messages_async      (BuzonStore           *self,
                                                             GPtrArray            *summaries,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean             buzon_store_upsert_messages_finish     (BuzonStore           *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonMessageSummary *buzon_store_get_message                (BuzonStore           *self,
                                                             gint64                message_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_messages              (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             guint                 offset,
                                                             guint                 limit,
                                                             GError              **error);
void                 buzon_store_list_messages_async        (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             guint                 offset,
                                                             guint                 limit,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_messages_finish       (BuzonStore           *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GArray              *buzon_store_list_uids                  (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GArray              *buzon_store_list_message_ids           (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_get_messages               (BuzonStore           *self,
                                                             const gint64         *message_ids,
                                                             guint                 n_message_ids,
                                                             GError              **error);
gboolean             buzon_store_set_flags                  (BuzonStore           *self,
                                                             const gint64         *message_ids,
                                                             guint                 n_message_ids,
                                                             BuzonMessageFlags     add,
                                                             BuzonMessageFlags     remove,
                                                             BuzonPendingOp       *op,
                                                             GError              **error);
gboolean             buzon_store_move_messages              (BuzonStore           *self,
                                                             const gint64         *message_ids,
                                                             guint                 n_message_ids,
                                                             gint64                folder_id,
                                                             BuzonPendingOp       *op,
                                                             GError              **error);
gboolean             buzon_store_delete_messages            (BuzonStore           *self,
                                                             const gint64         *message_ids,
                                                             guint                 n_message_ids,
                                                             BuzonPendingOp       *op,
                                                             GError              **error);
gboolean             buzon_store_set_body                   (BuzonStore           *self,
                                                             gint64                message_id,
                                                             GBytes               *raw,
                                                             const char           *body_text,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GBytes              *buzon_store_get_body                   (BuzonStore           *self,
                                                             gint64                message_id,
                                                             GError              **error);
gboolean             buzon_store_drop_body                  (BuzonStore           *self,
                                                             gint64                message_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GArray              *buzon_store_search                     (BuzonStore           *self,
                                                             const char           *query,
                                                             gint64                folder_id,
                                                             guint                 limit,
                                                             GError              **error);

gint64               buzon_store_now                        (void);

/* Conversations (buzon-store-threads.c) */
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_threads               (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             guint                 offset,
                                                             guint                 limit,
                                                             GError              **error);
void                 buzon_store_list_threads_async         (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             guint                 offset,
                                                             guint                 limit,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_threads_finish        (BuzonStore           *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GArray              *buzon_store_list_thread_latest_ids     (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_get_threads_by_latest      (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             const gint64         *latest_ids,
                                                             guint                 n_latest_ids,
                                                             GError              **error);
gboolean             buzon_store_count_threads              (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             guint                *out_count,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_thread_messages       (BuzonStore           *self,
                                                             gint64                thread_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GArray              *buzon_store_list_thread_message_ids_in_folder (BuzonStore    *self,
                                                             gint64                folder_id,
                                                             const gint64         *message_ids,
                                                             guint                 n_message_ids,
                                                             GError              **error);

/* POP3 */
gboolean             buzon_store_pop3_record_uidl           (BuzonStore           *self,
                                                             gint64                account_id,
                                                             const char           *uidl,
                                                             GError              **error);
gboolean             buzon_store_pop3_save_message          (BuzonStore           *self,
                                                             gint64                account_id,
                                                             const char           *uidl,
                                                             BuzonMessageSummary  *summary,
                                                             GBytes               *raw,
                                                             const char           *body_text,
                                                             GError              **error);
gboolean             buzon_store_pop3_save_messages         (BuzonStore           *self,
                                                             gint64                account_id,
                                                             BuzonPop3Download   **downloads,
                                                             guint                 n_downloads,
                                                             GError              **error);
gboolean             buzon_store_pop3_uses_fingerprints     (BuzonStore           *self,
                                                             gint64                account_id);
G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Uidl       *buzon_store_pop3_lookup_uidl           (BuzonStore           *self,
                                                             gint64                account_id,
                                                             const char           *uidl,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_pop3_list_uidls            (BuzonStore           *self,
                                                             gint64                account_id,
                                                             GError              **error);
gboolean             buzon_store_pop3_mark_deleted          (BuzonStore           *self,
                                                             gint64                account_id,
                                                             const char * const   *uidls,
                                                             GError              **error);

/* Remote content */
gboolean             buzon_store_allow_remote_content       (BuzonStore           *self,
                                                             const char           *address,
                                                             gboolean              allow,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_remote_content_senders (BuzonStore          *self,
                                                             GError              **error);

/* Pending operations */
gboolean             buzon_store_enqueue_op                 (BuzonStore           *self,
                                                             BuzonPendingOp       *op,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonPendingOp      *buzon_store_peek_op                    (BuzonStore           *self,
                                                             gint64                account_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_ops                   (BuzonStore           *self,
                                                             gint64                account_id,
                                                             GError              **error);
gboolean             buzon_store_complete_op                (BuzonStore           *self,
                                                             gint64                op_id,
                                                             GError              **error);
gboolean             buzon_store_fail_op                    (BuzonStore           *self,
                                                             gint64                op_id,
                                                             const char           *message,
                                                             GError              **error);

/* Address completion (buzon-store-mail.c) */

/**
 * BuzonStoreAddressRow:
 * @header: an address header's value, as stored ("Ana <ana@example.com>, …")
 * @score: how much it counts (see buzon_store_list_address_headers())
 * @last: the date of its newest message
 */
typedef struct
{
  char   *header;
  guint   score;
  gint64  last;
} BuzonStoreAddressRow;

void                 buzon_store_address_row_free           (BuzonStoreAddressRow *row);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_address_headers       (BuzonStore           *self,
                                                             gint64                account_id,
                                                             const char           *needle,
                                                             guint                 limit,
                                                             GError              **error);

/* Outbox */
gboolean             buzon_store_outbox_enqueue             (BuzonStore           *self,
                                                             BuzonOutboxItem      *item,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_outbox_list                (BuzonStore           *self,
                                                             gint64                account_id,
                                                             GError              **error);
gboolean             buzon_store_outbox_set_state           (BuzonStore           *self,
                                                             gint64                item_id,
                                                             BuzonOutboxState      state,
                                                             GError              **error);
gboolean             buzon_store_outbox_record_failure      (BuzonStore           *self,
                                                             gint64                item_id,
                                                             const char           *message,
                                                             gint64                next_attempt,
                                                             gboolean              permanent,
                                                             GError              **error);
gboolean             buzon_store_outbox_remove              (BuzonStore           *self,
                                                             gint64                item_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonOutboxItem     *buzon_store_outbox_get                 (BuzonStore           *self,
                                                             gint64                item_id,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonOutboxItem     *buzon_store_outbox_take_back           (BuzonStore           *self,
                                                             gint64                item_id,
                                                             GError              **error);
gboolean             buzon_store_outbox_retry               (BuzonStore           *self,
                                                             gint64                item_id,
                                                             GError              **error);
gboolean             buzon_store_outbox_file_sent           (BuzonStore           *self,
                                                             gint64                item_id,
                                                             BuzonMessageSummary  *summary,
                                                             GBytes               *raw,
                                                             const char           *body_text,
                                                             BuzonPendingOp       *op,
                                                             GError              **error);

/* Sync engine (buzon-store-sync.c) */
gboolean             buzon_store_apply_server_flags         (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GPtrArray            *changes,
                                                             GError              **error);
gboolean             buzon_store_expunge_uids               (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             const guint32        *uids,
                                                             guint                 n_uids,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonMessageSummary *buzon_store_lookup_message_by_uid      (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             guint32               uid,
                                                             GError              **error);
gboolean             buzon_store_set_message_location       (BuzonStore           *self,
                                                             gint64                message_id,
                                                             gint64                folder_id,
                                                             guint32               uid,
                                                             GError              **error);
gboolean             buzon_store_copy_messages              (BuzonStore           *self,
                                                             const gint64         *message_ids,
                                                             guint                 n_message_ids,
                                                             gint64                folder_id,
                                                             BuzonPendingOp       *op,
                                                             GArray              **out_new_ids,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GArray              *buzon_store_list_missing_bodies        (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             gint64                since,
                                                             guint                 limit,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GHashTable          *buzon_store_list_unplaced              (BuzonStore           *self,
                                                             gint64                folder_id,
                                                             GError              **error);
gboolean             buzon_store_add_local_message          (BuzonStore           *self,
                                                             BuzonMessageSummary  *summary,
                                                             GBytes               *raw,
                                                             const char           *body_text,
                                                             BuzonPendingOp       *op,
                                                             GError              **error);
gboolean             buzon_store_update_op_payload          (BuzonStore           *self,
                                                             gint64                op_id,
                                                             const char           *payload,
                                                             GError              **error);
gboolean             buzon_store_drop_op                    (BuzonStore           *self,
                                                             gint64                op_id,
                                                             const char           *message,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray           *buzon_store_list_op_failures           (BuzonStore           *self,
                                                             gint64                account_id,
                                                             gint64                after_id,
                                                             GError              **error);
gboolean             buzon_store_clear_op_failures          (BuzonStore           *self,
                                                             gint64                account_id,
                                                             gint64                up_to_id,
                                                             GError              **error);

/* Certificate pins */
gboolean             buzon_store_set_pin                    (BuzonStore           *self,
                                                             const char           *host,
                                                             guint16               port,
                                                             const char           *sha256,
                                                             GError              **error);
G_GNUC_WARN_UNUSED_RESULT
char                *buzon_store_lookup_pin                 (BuzonStore           *self,
                                                             const char           *host,
                                                             guint16               port,
                                                             GError              **error);
gboolean             buzon_store_remove_pin                 (BuzonStore           *self,
                                                             const char           *host,
                                                             guint16               port,
                                                             GError              **error);

G_END_DECLS
