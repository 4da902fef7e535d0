/* buzon-smtp-error.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* What went wrong in sending, as the user should hear it. A server's reply
 * (its code, and its RFC 3463 enhanced code when it sends one) becomes a
 * %BUZON_SMTP_SESSION_ERROR whose message is a complete, translated
 * sentence, and buzon_smtp_error_is_temporary() tells the outbox whether
 * trying again later may help. */

#pragma once

#include <glib.h>

#include "buzon-smtp-parser.h"

G_BEGIN_DECLS

/**
 * BUZON_SMTP_SESSION_ERROR:
 *
 * The error domain of #BuzonSmtpSession. Its messages are sentences for the
 * user. Failures of the connection itself (not reachable, TLS, certificate,
 * closed) are %BUZON_NET_ERROR; cancellation is %G_IO_ERROR_CANCELLED.
 */
#define BUZON_SMTP_SESSION_ERROR (buzon_smtp_session_error_quark ())

/**
 * BuzonSmtpSessionError:
 * @BUZON_SMTP_SESSION_ERROR_FAILED: the server refused for good, for a
 *   reason with no error of its own; the message includes its text
 * @BUZON_SMTP_SESSION_ERROR_TEMPORARY: the server cannot do it now (a 4xx
 *   reply: busy, greylisting, a full disk, a mailbox over quota for now);
 *   try again later
 * @BUZON_SMTP_SESSION_ERROR_AUTH: the user name or password is wrong
 * @BUZON_SMTP_SESSION_ERROR_AUTH_REQUIRED: the server wants a login before
 *   sending and the account has no user name for it
 * @BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE: the account asks for
 *   STARTTLS and the server does not offer it or refused it; no password was
 *   sent
 * @BUZON_SMTP_SESSION_ERROR_PLAINTEXT_REFUSED: the server takes passwords
 *   only on encrypted connections
 * @BUZON_SMTP_SESSION_ERROR_NO_MECHANISM: no way to log in that both sides
 *   know
 * @BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG: the message is larger than the
 *   server accepts
 * @BUZON_SMTP_SESSION_ERROR_SENDER_REJECTED: the server does not accept the
 *   sender's address
 * @BUZON_SMTP_SESSION_ERROR_RECIPIENT_UNKNOWN: a recipient's address does
 *   not exist
 * @BUZON_SMTP_SESSION_ERROR_RECIPIENT_REJECTED: a recipient was refused for
 *   another lasting reason
 * @BUZON_SMTP_SESSION_ERROR_RECIPIENTS_REJECTED: every recipient was
 *   refused, so nothing was sent; the message names them
 * @BUZON_SMTP_SESSION_ERROR_RELAY_DENIED: the server does not pass mail on
 *   to that recipient for this user (not logged in, or not its customer)
 * @BUZON_SMTP_SESSION_ERROR_MAILBOX_FULL: a recipient's mailbox is full
 * @BUZON_SMTP_SESSION_ERROR_SMTPUTF8_REQUIRED: an address is international
 *   (not ASCII) and the server does not have SMTPUTF8
 * @BUZON_SMTP_SESSION_ERROR_8BIT_UNSUPPORTED: the message has 8-bit content
 *   and the server does not have 8BITMIME
 * @BUZON_SMTP_SESSION_ERROR_INVALID_ADDRESS: an address has characters an
 *   SMTP command cannot carry (line breaks, angle brackets, controls)
 * @BUZON_SMTP_SESSION_ERROR_REFUSED: the server greeted with a refusal (554)
 * @BUZON_SMTP_SESSION_ERROR_CLOSED: the server said it is closing the
 *   connection (421) or the session was closed; try again later
 * @BUZON_SMTP_SESSION_ERROR_PROTOCOL: the server sent something that is not
 *   SMTP, or a reply no command can have
 * @BUZON_SMTP_SESSION_ERROR_NOT_CONNECTED: the session is not connected
 */
typedef enum
{
  BUZON_SMTP_SESSION_ERROR_FAILED,
  BUZON_SMTP_SESSION_ERROR_TEMPORARY,
  BUZON_SMTP_SESSION_ERROR_AUTH,
  BUZON_SMTP_SESSION_ERROR_AUTH_REQUIRED,
  BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE,
  BUZON_SMTP_SESSION_ERROR_PLAINTEXT_REFUSED,
  BUZON_SMTP_SESSION_ERROR_NO_MECHANISM,
  BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG,
  BUZON_SMTP_SESSION_ERROR_SENDER_REJECTED,
  BUZON_SMTP_SESSION_ERROR_RECIPIENT_UNKNOWN,
  BUZON_SMTP_SESSION_ERROR_RECIPIENT_REJECTED,
  BUZON_SMTP_SESSION_ERROR_RECIPIENTS_REJECTED,
  BUZON_SMTP_SESSION_ERROR_RELAY_DENIED,
  BUZON_SMTP_SESSION_ERROR_MAILBOX_FULL,
  BUZON_SMTP_SESSION_ERROR_SMTPUTF8_REQUIRED,
  BUZON_SMTP_SESSION_ERROR_8BIT_UNSUPPORTED,
  BUZON_SMTP_SESSION_ERROR_INVALID_ADDRESS,
  BUZON_SMTP_SESSION_ERROR_REFUSED,
  BUZON_SMTP_SESSION_ERROR_CLOSED,
  BUZON_SMTP_SESSION_ERROR_PROTOCOL,
  BUZON_SMTP_SESSION_ERROR_NOT_CONNECTED,
} BuzonSmtpSessionError;

GQuark buzon_smtp_session_error_quark (void);

/**
 * BuzonSmtpStage:
 * @BUZON_SMTP_STAGE_GREETING: the server's greeting
 * @BUZON_SMTP_STAGE_EHLO: EHLO or HELO
 * @BUZON_SMTP_STAGE_STARTTLS: STARTTLS
 * @BUZON_SMTP_STAGE_AUTH: AUTH and its exchanges
 * @BUZON_SMTP_STAGE_MAIL: MAIL FROM
 * @BUZON_SMTP_STAGE_RCPT: RCPT TO
 * @BUZON_SMTP_STAGE_DATA: DATA (the 354 go-ahead)
 * @BUZON_SMTP_STAGE_MESSAGE: the reply after the message's final "."
 *
 * Which command a reply answers: the same code means different things
 * after different commands.
 */
typedef enum
{
  BUZON_SMTP_STAGE_GREETING,
  BUZON_SMTP_STAGE_EHLO,
  BUZON_SMTP_STAGE_STARTTLS,
  BUZON_SMTP_STAGE_AUTH,
  BUZON_SMTP_STAGE_MAIL,
  BUZON_SMTP_STAGE_RCPT,
  BUZON_SMTP_STAGE_DATA,
  BUZON_SMTP_STAGE_MESSAGE,
} BuzonSmtpStage;

G_GNUC_WARN_UNUSED_RESULT
GError   *buzon_smtp_reply_to_error        (const BuzonSmtpReply *reply,
                                            BuzonSmtpStage        stage,
                                            const char           *host,
                                            const char           *address);
G_GNUC_WARN_UNUSED_RESULT
GError   *buzon_smtp_too_big_error_new     (const char           *host,
                                            guint64               size,
                                            guint64               limit);
gboolean  buzon_smtp_error_is_temporary    (const GError         *error);

G_END_DECLS
