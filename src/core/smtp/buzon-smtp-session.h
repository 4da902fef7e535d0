/* buzon-smtp-session.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* An SMTP submission client session (RFC 6409, RFC 5321) over a
 * #BuzonConnection: implicit TLS (RFC 8314) or STARTTLS (RFC 3207) that
 * must succeed, EHLO with a HELO fallback, AUTH PLAIN and LOGIN (RFC 4954),
 * SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), PIPELINING
 * (RFC 2920) and ENHANCEDSTATUSCODES (RFC 2034).
 *
 * An outbox sender connects once, sends each waiting message with
 * buzon_smtp_session_send_async() and quits:
 *
 *   connect → send → send → … → quit
 *
 * A message the server refuses (for good or for now) leaves the session
 * usable for the next one: the transaction is reset with RSET. A lost
 * connection, a 421, bytes that are not SMTP or a cancellation leave it
 * disconnected (buzon_smtp_session_is_connected() says so). Either way
 * buzon_smtp_error_is_temporary() tells whether to keep the message for
 * later. One operation at a time. */

#pragma once

#include <gio/gio.h>

#include "buzon-connection.h"
#include "buzon-smtp-error.h"
#include "buzon-smtp-parser.h"

G_BEGIN_DECLS

/**
 * BuzonSmtpRejection:
 * @address: the recipient, as given to buzon_smtp_session_send_async()
 * @code: the server's reply code to its RCPT
 * @enhanced: (nullable): the reply's enhanced status code, like "5.1.1"
 * @error: why, as a %BUZON_SMTP_SESSION_ERROR for the user (its message
 *   names @address); buzon_smtp_error_is_temporary() applies
 *
 * A recipient the server refused.
 */
typedef struct
{
  char   *address;
  guint   code;
  char   *enhanced;
  GError *error;
} BuzonSmtpRejection;

void                 buzon_smtp_rejection_free             (BuzonSmtpRejection *rejection);

/**
 * BuzonSmtpSendResult:
 * @accepted: (element-type utf8): the recipients that got the message
 * @rejected: (element-type BuzonSmtpRejection): the ones refused, in the
 *   order given; the message was not sent to them
 * @size: the octets sent after DATA (dot-stuffed, CRLF line ends), without
 *   the final "." line
 * @reply: (nullable): the server's text after the message was accepted
 *   (often names its queue id)
 *
 * What buzon_smtp_session_send_finish() returns once the server has taken
 * the message for at least one recipient.
 */
typedef struct
{
  GPtrArray *accepted;
  GPtrArray *rejected;
  guint64    size;
  char      *reply;
} BuzonSmtpSendResult;

void                 buzon_smtp_send_result_free           (BuzonSmtpSendResult *result);

#define BUZON_TYPE_SMTP_SESSION (buzon_smtp_session_get_type ())

G_DECLARE_FINAL_TYPE (BuzonSmtpSession, buzon_smtp_session, BUZON, SMTP_SESSION, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonSmtpSession    *buzon_smtp_session_new                (BuzonConnection      *connection);
BuzonConnection     *buzon_smtp_session_get_connection     (BuzonSmtpSession     *self);
gboolean             buzon_smtp_session_is_connected       (BuzonSmtpSession     *self);
const BuzonSmtpExtensions *
                     buzon_smtp_session_get_extensions     (BuzonSmtpSession     *self);
void                 buzon_smtp_session_set_helo_name      (BuzonSmtpSession     *self,
                                                            const char           *name);
const char          *buzon_smtp_session_get_used_auth_mechanism
                                                           (BuzonSmtpSession     *self);

void                 buzon_smtp_session_connect_async      (BuzonSmtpSession     *self,
                                                            const char           *username,
                                                            const char           *password,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             buzon_smtp_session_connect_finish     (BuzonSmtpSession     *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

void                 buzon_smtp_session_send_async         (BuzonSmtpSession     *self,
                                                            const char           *from,
                                                            const char * const   *recipients,
                                                            GBytes               *message,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
BuzonSmtpSendResult *buzon_smtp_session_send_finish        (BuzonSmtpSession     *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

void                 buzon_smtp_session_reset_async        (BuzonSmtpSession     *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             buzon_smtp_session_reset_finish       (BuzonSmtpSession     *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

void                 buzon_smtp_session_quit_async         (BuzonSmtpSession     *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean             buzon_smtp_session_quit_finish        (BuzonSmtpSession     *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

void                 buzon_smtp_session_disconnect         (BuzonSmtpSession     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpRejection, buzon_smtp_rejection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonSmtpSendResult, buzon_smtp_send_result_free)

G_END_DECLS
