/* buzon-store-records.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * BuzonMessageFlags:
 * @BUZON_MESSAGE_FLAG_NONE: no flag
 * @BUZON_MESSAGE_FLAG_SEEN: \Seen (RFC 3501 section 2.3.2)
 * @BUZON_MESSAGE_FLAG_ANSWERED: \Answered
 * @BUZON_MESSAGE_FLAG_FLAGGED: \Flagged
 * @BUZON_MESSAGE_FLAG_DELETED: \Deleted
 * @BUZON_MESSAGE_FLAG_DRAFT: \Draft
 *
 * The system flags, stored as a bitmask. Other IMAP keywords are kept as
 * text in #BuzonMessageSummary.keywords.
 */
typedef enum
{
  BUZON_MESSAGE_FLAG_NONE     = 0,
  BUZON_MESSAGE_FLAG_SEEN     = 1 << 0,
  BUZON_MESSAGE_FLAG_ANSWERED = 1 << 1,
  BUZON_MESSAGE_FLAG_FLAGGED  = 1 << 2,
  BUZON_MESSAGE_FLAG_DELETED  = 1 << 3,
  BUZON_MESSAGE_FLAG_DRAFT    = 1 << 4,
} BuzonMessageFlags;

#define BUZON_MESSAGE_FLAGS_ALL (BUZON_MESSAGE_FLAG_SEEN | BUZON_MESSAGE_FLAG_ANSWERED | \
                                 BUZON_MESSAGE_FLAG_FLAGGED | BUZON_MESSAGE_FLAG_DELETED | \
                                 BUZON_MESSAGE_FLAG_DRAFT)

/**
 * BuzonBodyState:
 * @BUZON_BODY_STATE_NONE: only the envelope is known
 * @BUZON_BODY_STATE_HEADERS: all header fields are known
 * @BUZON_BODY_STATE_FULL: the raw message is stored; buzon_store_get_body() returns it
 */
typedef enum
{
  BUZON_BODY_STATE_NONE,
  BUZON_BODY_STATE_HEADERS,
  BUZON_BODY_STATE_FULL,
} BuzonBodyState;

/**
 * BuzonSpecialUse:
 *
 * What a folder is for: the inbox, or one of the RFC 6154 special uses.
 */
typedef enum
{
  BUZON_SPECIAL_USE_NONE,
  BUZON_SPECIAL_USE_INBOX,
  BUZON_SPECIAL_USE_DRAFTS,
  BUZON_SPECIAL_USE_SENT,
  BUZON_SPECIAL_USE_TRASH,
  BUZON_SPECIAL_USE_JUNK,
  BUZON_SPECIAL_USE_ARCHIVE,
  BUZON_SPECIAL_USE_ALL,
  BUZON_SPECIAL_USE_FLAGGED,
} BuzonSpecialUse;

/**
 * BuzonOutboxState:
 * @BUZON_OUTBOX_STATE_QUEUED: waiting for its next attempt
 * @BUZON_OUTBOX_STATE_SENDING: an SMTP attempt is under way (after a crash:
 *   the server may or may not have accepted it)
 * @BUZON_OUTBOX_STATE_SENT: the server accepted it; not yet saved to Sent
 * @BUZON_OUTBOX_STATE_FAILED: the server refused it for good; the user must act
 */
typedef enum
{
  BUZON_OUTBOX_STATE_QUEUED,
  BUZON_OUTBOX_STATE_SENDING,
  BUZON_OUTBOX_STATE_SENT,
  BUZON_OUTBOX_STATE_FAILED,
} BuzonOutboxState;

/**
 * BuzonFolder:
 * @id: the store's id, 0 until stored
 * @account_id: the account it belongs to
 * @parent_id: the folder above it, 0 at the top; the store keeps this from the names
 * @name: the full name, UTF-8 (decoded from modified UTF-7), e.g. `Work/2026`
 * @delimiter: (nullable): the hierarchy delimiter, %NULL in a flat namespace
 * @special_use: what the folder is for
 * @subscribed: whether the user is subscribed to it
 * @attributes: (nullable): the LIST attributes, space separated, e.g. `\Noselect \HasChildren`
 * @uidvalidity: RFC 3501 UIDVALIDITY, 0 while unknown
 * @uidnext: RFC 3501 UIDNEXT, 0 while unknown
 * @highestmodseq: RFC 7162 HIGHESTMODSEQ, 0 while unknown
 * @total_count: messages in the store (read-only, kept by the store)
 * @unread_count: messages with neither \Seen nor \Deleted (read-only, kept by the store)
 */
typedef struct
{
  gint64           id;
  gint64           account_id;
  gint64           parent_id;
  char            *name;
  char            *delimiter;
  BuzonSpecialUse  special_use;
  gboolean         subscribed;
  char            *attributes;
  guint32          uidvalidity;
  guint32          uidnext;
  guint64          highestmodseq;
  guint            total_count;
  guint            unread_count;
} BuzonFolder;

/**
 * BuzonMessageSummary:
 * @id: the store's id, 0 until stored
 * @folder_id: the folder holding it
 * @uid: the IMAP UID, 0 when the message exists only here
 * @message_id: (nullable): the Message-ID header field
 * @in_reply_to: (nullable): In-Reply-To
 * @references: (nullable): References
 * @subject: (nullable): the decoded subject
 * @from: (nullable): the From addresses as text, decoded
 * @to: (nullable): the To addresses
 * @cc: (nullable): the Cc addresses
 * @date: the Date header field, seconds since the epoch; the list is sorted by it
 * @internal_date: when the server received it, seconds since the epoch
 * @size: the size of the raw message in bytes
 * @flags: the system flags
 * @keywords: (nullable): other IMAP keywords, space separated
 * @has_attachments: whether it has attachments
 * @preview: (nullable): the first words of the text, for the list
 * @body_state: how much of it is stored. Only buzon_store_set_body() makes
 *   it %BUZON_BODY_STATE_FULL; a summary asking for that is stored as headers.
 * @thread_id: the conversation it belongs to (read-only: the store computes
 *   it when it stores the message, see buzon_store_list_threads()); 0 in a
 *   summary that was not read from the store
 *
 * One row of the message list: everything but the body.
 */
typedef struct
{
  gint64             id;
  gint64             folder_id;
  guint32            uid;
  char              *message_id;
  char              *in_reply_to;
  char              *references;
  char              *subject;
  char              *from;
  char              *to;
  char              *cc;
  gint64             date;
  gint64             internal_date;
  guint64            size;
  BuzonMessageFlags  flags;
  char              *keywords;
  gboolean           has_attachments;
  char              *preview;
  BuzonBodyState     body_state;
  gint64             thread_id;
} BuzonMessageSummary;

/**
 * BuzonThreadSummary:
 * @thread_id: the thread, as in #BuzonMessageSummary.thread_id
 * @latest_date: the date of the folder's newest message of the thread
 * @folder_count: how many of the thread's messages are in the folder
 * @thread_count: how many messages the whole conversation has, in all the
 *   account's folders (what buzon_store_list_thread_messages() returns)
 * @unread_count: how many of the thread's messages in the folder are unread
 *   (neither \Seen nor \Deleted)
 * @latest: the folder's newest message of the thread (by date, then id)
 *
 * One row of a threaded message list: a conversation as seen from a folder.
 */
typedef struct
{
  gint64               thread_id;
  gint64               latest_date;
  guint                folder_count;
  guint                thread_count;
  guint                unread_count;
  BuzonMessageSummary *latest;
} BuzonThreadSummary;

/**
 * BuzonPop3Uidl:
 * @account_id: the POP3 account
 * @uidl: the server's unique id for the message (RFC 1939 section 7)
 * @message_id: the local copy's id, 0 when not downloaded or deleted here since
 * @first_seen: when the UIDL was first listed by the server
 * @downloaded: when the message was stored here, 0 if not yet
 * @deleted_on_server: whether a DELE for it took effect (after QUIT)
 * @deleted_here: it was downloaded and its local copy is gone or in the
 *   Trash (what the "until deleted here" mode turns into a DELE)
 */
typedef struct
{
  gint64    account_id;
  char     *uidl;
  gint64    message_id;
  gint64    first_seen;
  gint64    downloaded;
  gboolean  deleted_on_server;
  gboolean  deleted_here;
} BuzonPop3Uidl;

/**
 * BuzonPop3Download:
 * @uidl: the message's UIDL (or the fingerprint standing in for one)
 * @summary: its summary, with @folder_id set
 * @raw: the bytes RETR returned, dot-unstuffed
 * @text: (nullable): its text, for search
 * @already_here: set by buzon_store_pop3_save_messages() when the same
 *   message (Message-ID and bytes) was stored here already under another
 *   UIDL; the UIDL then points at that copy and nothing new is stored
 *
 * One downloaded message for buzon_store_pop3_save_messages().
 */
typedef struct
{
  char                *uidl;
  BuzonMessageSummary *summary;
  GBytes              *raw;
  char                *text;
  gboolean             already_here;
} BuzonPop3Download;

/**
 * BuzonPendingOp:
 * @id: the queue position, 0 until enqueued; lower ids replay first
 * @account_id: the account whose server must see the operation
 * @folder_id: the folder it concerns, 0 for none (or when that folder is gone)
 * @kind: what to do, as the sync engine names it (`flags`, `move`, …)
 * @payload: the details, JSON text
 * @created: when it was enqueued
 * @attempts: how many replays failed
 * @last_error: (nullable): why the last replay failed
 *
 * A user action applied to the store and waiting to be replayed on the server.
 */
typedef struct
{
  gint64  id;
  gint64  account_id;
  gint64  folder_id;
  char   *kind;
  char   *payload;
  gint64  created;
  guint   attempts;
  char   *last_error;
} BuzonPendingOp;

/**
 * BuzonOutboxItem:
 * @id: the store's id, 0 until enqueued
 * @account_id: the account that sends it
 * @raw: the RFC 5322 message as it will be sent
 * @recipients: (array zero-terminated=1): the envelope recipients (RCPT TO)
 * @created: when it was enqueued
 * @attempts: how many attempts failed
 * @next_attempt: not before this time
 * @last_error: (nullable): why the last attempt failed
 * @state: where it is
 */
typedef struct
{
  gint64            id;
  gint64            account_id;
  GBytes           *raw;
  char            **recipients;
  gint64            created;
  guint             attempts;
  gint64            next_attempt;
  char             *last_error;
  BuzonOutboxState  state;
} BuzonOutboxItem;

/**
 * BuzonStoreUidRef:
 * @id: a message's id in the store
 * @uid: its IMAP UID
 */
typedef struct
{
  gint64  id;
  guint32 uid;
} BuzonStoreUidRef;

/**
 * BuzonOpFailure:
 * @id: the failure's id, increasing
 * @account_id: the account
 * @kind: the kind of the operation that was dropped (`move`, `flags`, …)
 * @message: what did not happen on the server and why, for the user
 * @created: when it was dropped
 *
 * A queued user action the server refused for good, kept to be shown.
 */
typedef struct
{
  gint64  id;
  gint64  account_id;
  char   *kind;
  char   *message;
  gint64  created;
} BuzonOpFailure;

#define BUZON_TYPE_FOLDER          (buzon_folder_get_type ())
#define BUZON_TYPE_MESSAGE_SUMMARY (buzon_message_summary_get_type ())
#define BUZON_TYPE_THREAD_SUMMARY  (buzon_thread_summary_get_type ())
#define BUZON_TYPE_POP3_UIDL       (buzon_pop3_uidl_get_type ())
#define BUZON_TYPE_PENDING_OP      (buzon_pending_op_get_type ())
#define BUZON_TYPE_OUTBOX_ITEM     (buzon_outbox_item_get_type ())

G_GNUC_CONST
GType                buzon_folder_get_type            (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonFolder         *buzon_folder_new                 (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonFolder         *buzon_folder_copy                (const BuzonFolder         *folder);
void                 buzon_folder_free                (BuzonFolder               *folder);
G_GNUC_WARN_UNUSED_RESULT
char                *buzon_folder_dup_leaf_name       (const BuzonFolder         *folder);
gboolean             buzon_folder_has_attribute       (const BuzonFolder         *folder,
                                                       const char                *attribute);

G_GNUC_CONST
GType                buzon_message_summary_get_type   (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonMessageSummary *buzon_message_summary_new        (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonMessageSummary *buzon_message_summary_copy       (const BuzonMessageSummary *summary);
void                 buzon_message_summary_free       (BuzonMessageSummary       *summary);

G_GNUC_CONST
GType                buzon_thread_summary_get_type    (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonThreadSummary  *buzon_thread_summary_copy        (const BuzonThreadSummary  *thread);
void                 buzon_thread_summary_free        (BuzonThreadSummary        *thread);

G_GNUC_CONST
GType                buzon_pop3_uidl_get_type         (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Uidl       *buzon_pop3_uidl_copy             (const BuzonPop3Uidl       *uidl);
void                 buzon_pop3_uidl_free             (BuzonPop3Uidl             *uidl);

G_GNUC_CONST
GType                buzon_pending_op_get_type        (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonPendingOp      *buzon_pending_op_new             (gint64                     account_id,
                                                       gint64                     folder_id,
                                                       const char                *kind,
                                                       const char                *payload);
G_GNUC_WARN_UNUSED_RESULT
BuzonPendingOp      *buzon_pending_op_copy            (const BuzonPendingOp      *op);
void                 buzon_pending_op_free            (BuzonPendingOp            *op);

G_GNUC_CONST
GType                buzon_outbox_item_get_type       (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonOutboxItem     *buzon_outbox_item_new            (gint64                     account_id,
                                                       GBytes                    *raw,
                                                       const char * const        *recipients);
G_GNUC_WARN_UNUSED_RESULT
BuzonOutboxItem     *buzon_outbox_item_copy           (const BuzonOutboxItem     *item);
void                 buzon_outbox_item_free           (BuzonOutboxItem           *item);

void                 buzon_op_failure_free            (BuzonOpFailure            *failure);

const char          *buzon_special_use_to_string      (BuzonSpecialUse            use);
BuzonSpecialUse      buzon_special_use_from_string    (const char                *text);
const char          *buzon_outbox_state_to_string     (BuzonOutboxState           state);
BuzonOutboxState     buzon_outbox_state_from_string   (const char                *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonFolder, buzon_folder_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonMessageSummary, buzon_message_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonThreadSummary, buzon_thread_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonPop3Uidl, buzon_pop3_uidl_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonPendingOp, buzon_pending_op_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonOutboxItem, buzon_outbox_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonOpFailure, buzon_op_failure_free)

G_END_DECLS
