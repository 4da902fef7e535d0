/* buzon-imap-session.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapSession: an IMAP4rev1 client session over a BuzonConnection.
 *
 * What exists: connect (greeting, capabilities, STARTTLS, LOGINDISABLED,
 * AUTHENTICATE PLAIN with or without SASL-IR, AUTHENTICATE LOGIN, LOGIN,
 * ENABLE CONDSTORE QRESYNC, ID), a pipelining command engine with
 * synchronising literals and continuations, unsolicited responses as
 * signals, and the commands LIST, SELECT, EXAMINE (with QRESYNC's VANISHED
 * and FETCH; the selected mailbox is remembered), STATUS, IDLE (ended by
 * idle_done(), by its cancellable, or by any other command issued), UID
 * FETCH (summaries, one whole body, whole bodies in bulk, flags with
 * CHANGEDSINCE and VANISHED), UID STORE of flags, UID SEARCH (ALL, a UID
 * range, TEXT, HEADER), APPEND (with APPENDUID), UID COPY and UID MOVE
 * (COPYUID; without MOVE, COPY + STORE \Deleted + UID EXPUNGE with UIDPLUS),
 * EXPUNGE, UID EXPUNGE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE,
 * GETQUOTAROOT (STORAGE), NOOP and LOGOUT.
 *
 * Not yet: other SEARCH criteria and ESEARCH, CLOSE and UNSELECT, COMPRESS,
 * automatic renewal of a long IDLE, batched delivery of fetch results (they
 * are collected).
 *
 * Commands fail with %BUZON_IMAP_SESSION_ERROR_NOT_CONNECTED until connect
 * has finished. A command once written runs to its end: the cancellables of
 * the commands are not used yet. The read loop keeps the session alive while
 * the connection is open: end it with buzon_imap_session_logout_async() or
 * buzon_imap_session_disconnect(). */

#pragma once

#include <gio/gio.h>

#include "buzon-connection.h"
#include "buzon-imap-fetch.h"
#include "buzon-imap-response.h"

G_BEGIN_DECLS

/**
 * BUZON_IMAP_SESSION_ERROR:
 *
 * The error domain of #BuzonImapSession. Its messages are sentences for the
 * user.
 */
#define BUZON_IMAP_SESSION_ERROR (buzon_imap_session_error_quark ())

/**
 * BuzonImapSessionError:
 * @BUZON_IMAP_SESSION_ERROR_FAILED: the server answered NO or BAD to a
 *   command; the message includes its text
 * @BUZON_IMAP_SESSION_ERROR_AUTH: the server did not accept the user name or
 *   password
 * @BUZON_IMAP_SESSION_ERROR_STARTTLS_UNAVAILABLE: the account asks for
 *   STARTTLS and the server does not offer it; no password was sent
 * @BUZON_IMAP_SESSION_ERROR_LOGIN_DISABLED: the server refuses logins on a
 *   connection that is not encrypted (LOGINDISABLED); no password was sent
 * @BUZON_IMAP_SESSION_ERROR_REFUSED: the server greeted with BYE
 * @BUZON_IMAP_SESSION_ERROR_CLOSED: the connection closed (BYE, or lost)
 *   while the command was pending
 * @BUZON_IMAP_SESSION_ERROR_PROTOCOL: the server sent something that is not
 *   IMAP
 * @BUZON_IMAP_SESSION_ERROR_NOT_CONNECTED: the session is not logged in
 */
typedef enum
{
  BUZON_IMAP_SESSION_ERROR_FAILED,
  BUZON_IMAP_SESSION_ERROR_AUTH,
  BUZON_IMAP_SESSION_ERROR_STARTTLS_UNAVAILABLE,
  BUZON_IMAP_SESSION_ERROR_LOGIN_DISABLED,
  BUZON_IMAP_SESSION_ERROR_REFUSED,
  BUZON_IMAP_SESSION_ERROR_CLOSED,
  BUZON_IMAP_SESSION_ERROR_PROTOCOL,
  BUZON_IMAP_SESSION_ERROR_NOT_CONNECTED,
} BuzonImapSessionError;

GQuark buzon_imap_session_error_quark (void);

/**
 * BuzonImapMailbox:
 * @name: the mailbox name in UTF-8
 * @raw_name: the name as the server sent it (modified UTF-7)
 * @delimiter: the hierarchy delimiter, or `'\0'` for a flat namespace
 * @flags: attributes, including the special use
 *
 * One mailbox of a LIST.
 */
typedef struct
{
  char                  *name;
  char                  *raw_name;
  char                   delimiter;
  BuzonImapMailboxFlags  flags;
} BuzonImapMailbox;

#define BUZON_TYPE_IMAP_MAILBOX (buzon_imap_mailbox_get_type ())

GType             buzon_imap_mailbox_get_type (void) G_GNUC_CONST;
BuzonImapMailbox *buzon_imap_mailbox_copy     (const BuzonImapMailbox *mailbox);
void              buzon_imap_mailbox_free     (BuzonImapMailbox       *mailbox);

/**
 * BuzonImapSelectInfo:
 * @exists: EXISTS
 * @uidvalidity: UIDVALIDITY (0 if the server sent none)
 * @uidnext: UIDNEXT (0 if the server sent none)
 * @highestmodseq: HIGHESTMODSEQ, 0 with NOMODSEQ or without CONDSTORE
 * @nomodseq: the server said NOMODSEQ
 * @flags: (nullable): FLAGS
 * @permanent_flags: (nullable): PERMANENTFLAGS
 * @read_only: the mailbox is read-only (EXAMINE, or [READ-ONLY])
 * @vanished: (element-type guint32) (nullable): with QRESYNC parameters
 *   (buzon_imap_session_select_qresync_async()), the UIDs the server
 *   reported expunged with VANISHED (EARLIER), sorted; %NULL when none were
 *   sent
 * @changed: (element-type BuzonImapFetch) (nullable): with QRESYNC
 *   parameters, the FETCH responses (UID, FLAGS, MODSEQ) of the messages
 *   that changed; %NULL when none were sent
 *
 * What SELECT or EXAMINE said about a mailbox.
 */
typedef struct
{
  guint32   exists;
  guint32   uidvalidity;
  guint32   uidnext;
  guint64   highestmodseq;
  gboolean  nomodseq;
  GStrv     flags;
  GStrv     permanent_flags;
  gboolean  read_only;
  GArray   *vanished;
  GPtrArray *changed;
} BuzonImapSelectInfo;

void buzon_imap_select_info_free (BuzonImapSelectInfo *info);

/**
 * BuzonImapStoreMode:
 * @BUZON_IMAP_STORE_ADD: add the flags (`+FLAGS`)
 * @BUZON_IMAP_STORE_REMOVE: remove the flags (`-FLAGS`)
 * @BUZON_IMAP_STORE_REPLACE: set exactly these flags (`FLAGS`)
 */
typedef enum
{
  BUZON_IMAP_STORE_ADD,
  BUZON_IMAP_STORE_REMOVE,
  BUZON_IMAP_STORE_REPLACE,
} BuzonImapStoreMode;

#define BUZON_TYPE_IMAP_SESSION (buzon_imap_session_get_type ())

G_DECLARE_FINAL_TYPE (BuzonImapSession, buzon_imap_session, BUZON, IMAP_SESSION, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonImapSession *buzon_imap_session_new                 (BuzonConnection      *connection);
BuzonConnection  *buzon_imap_session_get_connection      (BuzonImapSession     *self);
gboolean          buzon_imap_session_is_connected        (BuzonImapSession     *self);
gboolean          buzon_imap_session_has_capability      (BuzonImapSession     *self,
                                                          const char           *capability);
const char *const *buzon_imap_session_get_capabilities   (BuzonImapSession     *self);
gboolean          buzon_imap_session_has_condstore       (BuzonImapSession     *self);
gboolean          buzon_imap_session_has_qresync         (BuzonImapSession     *self);
const char       *buzon_imap_session_get_selected        (BuzonImapSession     *self);
guint32           buzon_imap_session_get_selected_uidvalidity (BuzonImapSession *self);

void              buzon_imap_session_connect_async       (BuzonImapSession     *self,
                                                          const char           *username,
                                                          const char           *password,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_connect_finish      (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_noop_async          (BuzonImapSession     *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_noop_finish         (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_idle_async          (BuzonImapSession     *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_idle_finish         (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
void              buzon_imap_session_idle_done           (BuzonImapSession     *self);
gboolean          buzon_imap_session_is_idling           (BuzonImapSession     *self);

void              buzon_imap_session_list_async          (BuzonImapSession     *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray        *buzon_imap_session_list_finish         (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_select_async        (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          gboolean              read_only,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
void              buzon_imap_session_select_qresync_async (BuzonImapSession    *self,
                                                          const char           *mailbox,
                                                          gboolean              read_only,
                                                          guint32               uidvalidity,
                                                          guint64               modseq,
                                                          const char           *known_uids,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
BuzonImapSelectInfo *buzon_imap_session_select_finish    (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_status_async        (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
BuzonImapMailboxStatus *buzon_imap_session_status_finish (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_uid_fetch_summaries_async (BuzonImapSession *self,
                                                          guint32               first_uid,
                                                          guint32               last_uid,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray        *buzon_imap_session_uid_fetch_summaries_finish (BuzonImapSession *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_uid_fetch_body_async (BuzonImapSession    *self,
                                                          guint32               uid,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GBytes           *buzon_imap_session_uid_fetch_body_finish (BuzonImapSession   *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_uid_fetch_flags_async (BuzonImapSession   *self,
                                                          guint32               first_uid,
                                                          guint32               last_uid,
                                                          guint64               changedsince,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray        *buzon_imap_session_uid_fetch_flags_finish (BuzonImapSession  *self,
                                                          GAsyncResult         *result,
                                                          GArray              **out_vanished,
                                                          GError              **error);

void              buzon_imap_session_uid_fetch_bodies_async (BuzonImapSession  *self,
                                                          const guint32        *uids,
                                                          gsize                 n_uids,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray        *buzon_imap_session_uid_fetch_bodies_finish (BuzonImapSession *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

G_GNUC_WARN_UNUSED_RESULT
GBytes           *buzon_imap_fetch_dup_body_bytes        (const BuzonImapFetch *fetch,
                                                          const char           *section,
                                                          GError              **error);

void              buzon_imap_session_uid_store_async     (BuzonImapSession     *self,
                                                          const guint32        *uids,
                                                          gsize                 n_uids,
                                                          BuzonImapStoreMode    mode,
                                                          const char * const   *flags,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_uid_store_finish    (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_uid_search_async    (BuzonImapSession     *self,
                                                          guint32               first_uid,
                                                          guint32               last_uid,
                                                          const char           *text,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GArray           *buzon_imap_session_uid_search_finish   (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_uid_search_header_async (BuzonImapSession *self,
                                                          const char           *field,
                                                          const char           *value,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GArray           *buzon_imap_session_uid_search_header_finish (BuzonImapSession *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_uid_expunge_async   (BuzonImapSession     *self,
                                                          const guint32        *uids,
                                                          gsize                 n_uids,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_uid_expunge_finish  (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_expunge_async       (BuzonImapSession     *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_expunge_finish      (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_append_async        (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          GBytes               *message,
                                                          const char * const   *flags,
                                                          GDateTime            *internal_date,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_append_finish       (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          guint32              *out_uidvalidity,
                                                          guint32              *out_uid,
                                                          GError              **error);

void              buzon_imap_session_uid_copy_async      (BuzonImapSession     *self,
                                                          const guint32        *uids,
                                                          gsize                 n_uids,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_uid_copy_finish     (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          BuzonImapCopyUid    **out_copy_uid,
                                                          GError              **error);

void              buzon_imap_session_uid_move_async      (BuzonImapSession     *self,
                                                          const guint32        *uids,
                                                          gsize                 n_uids,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_uid_move_finish     (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          BuzonImapCopyUid    **out_copy_uid,
                                                          gboolean             *out_left_deleted,
                                                          GError              **error);

void              buzon_imap_session_getquotaroot_async  (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_getquotaroot_finish (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          guint64              *out_usage,
                                                          guint64              *out_limit,
                                                          GError              **error);

void              buzon_imap_session_create_async        (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_create_finish       (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_delete_async        (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_delete_finish       (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_rename_async        (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          const char           *new_name,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_rename_finish       (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_subscribe_async     (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_subscribe_finish    (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_unsubscribe_async   (BuzonImapSession     *self,
                                                          const char           *mailbox,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_unsubscribe_finish  (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

void              buzon_imap_session_logout_async        (BuzonImapSession     *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          buzon_imap_session_logout_finish       (BuzonImapSession     *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
void              buzon_imap_session_disconnect          (BuzonImapSession     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapMailbox, buzon_imap_mailbox_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapSelectInfo, buzon_imap_select_info_free)

G_END_DECLS
