/* buzon-smtp-error.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Reply codes to sentences. The enhanced code (RFC 3463, registry of RFC
 * 5248) says more than the three digits when the server sends one, so it
 * is looked at first; the basic code (RFC 5321 §4.2.2, §4.2.3) decides
 * otherwise. The first digit alone decides whether the failure is
 * temporary: 4 is "try again later", 5 is "not like this". Every sentence
 * ends with what the server said, which the user may have to quote to the
 * provider. */

#define G_LOG_DOMAIN "buzon-smtp"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-smtp-error.h"
#include "buzon-net-error.h"

G_DEFINE_QUARK (buzon-smtp-session-error-quark, buzon_smtp_session_error)

#define MEGABYTE (1024.0 * 1024.0)

/**
 * buzon_smtp_too_big_error_new:
 * @host: the server's name
 * @size: the size of the message in octets, as it would be sent
 * @limit: the largest message the server accepts, or 0 if unknown
 *
 * Returns: (transfer full): a %BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG
 *   naming both sizes in megabytes
 */
GError *
buzon_smtp_too_big_error_new (const char *host,
                              guint64     size,
                              guint64     limit)
{
  g_return_val_if_fail (host != NULL, NULL);

  if (limit == 0)
    return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG,
                        _("The message is too big for the server “%s”. Remove some attachments, "
                          "or share large files another way."),
                        host);

  return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG,
                      /* TRANSLATORS: the sizes are in megabytes, like 31.4 and 25.0 */
                      _("The message is %.1f MB, but the server “%s” accepts messages of at "
                        "most %.1f MB. Remove some attachments, or share large files another "
                        "way."),
                      (double) size / MEGABYTE, host, (double) limit / MEGABYTE);
}

static GError *
temporary (const char *host,
           const char *text)
{
  return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_TEMPORARY,
                      _("The server “%s” cannot send the message right now. Try again later. "
                        "(The server said: %s)"),
                      host, text);
}

/* A recipient's refusal (RCPT), by what the enhanced code or the basic code
 * says; @address is the recipient. */
/* 530 5.7.0 authentication required (RFC 4954 section 6). */
static GError *
auth_required (const char *host,
               const char *text)
{
  return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_AUTH_REQUIRED,
                      _("The server “%s” sends mail only for users who log in. Enter the user "
                        "name and password of the outgoing server in the account settings. "
                        "(The server said: %s)"),
                      host, text);
}

static GError *
recipient_error (const BuzonSmtpReply *reply,
                 const char           *host,
                 const char           *address,
                 const char           *text)
{
  gboolean temp = reply->code / 100 == 4;

  /* X.2.2 mailbox full; 452 and 552 after RCPT (RFC 5321 §4.5.3.1.10
   * explains why a 552 here is really temporary in spirit, but the server
   * chose 5: the user should know now). */
  if (buzon_smtp_reply_has_enhanced (reply, 2, 2)
      || (reply->klass == 0 && (reply->code == 452 || reply->code == 552)))
    {
      if (temp)
        return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_TEMPORARY,
                            _("The mailbox of “%s” is full right now. Try again later. (The "
                              "server said: %s)"),
                            address, text);
      return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_MAILBOX_FULL,
                          _("The mailbox of “%s” is full, so it cannot receive the message. "
                            "(The server said: %s)"),
                          address, text);
    }

  if (temp)
    return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_TEMPORARY,
                        _("The server “%s” cannot take mail for “%s” right now. Try again "
                          "later. (The server said: %s)"),
                        host, address, text);

  /* X.7.1 delivery not authorized; 551 user not local; 550 or 554 that
   * speaks of relaying. */
  if (buzon_smtp_reply_has_enhanced (reply, 7, 1) || reply->code == 551
      || (reply->klass == 0 && strstr (text, "elay") != NULL))
    return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_RELAY_DENIED,
                        _("The server “%s” does not let you send mail to “%s” (relaying "
                          "denied). Check that the outgoing server and its login in the account "
                          "settings are your provider’s. (The server said: %s)"),
                        host, address, text);

  /* X.1.1 bad mailbox, X.1.2 bad domain, X.1.3 bad syntax, X.1.6 moved,
   * X.1.10 null MX; 550 and 553 without an enhanced code. */
  if ((reply->klass != 0 && reply->subject == 1)
      || (reply->klass == 0 && (reply->code == 550 || reply->code == 553)))
    return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_RECIPIENT_UNKNOWN,
                        _("The address “%s” does not exist, or the server “%s” does not know "
                          "it. Check it for typing mistakes. (The server said: %s)"),
                        address, host, text);

  return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_RECIPIENT_REJECTED,
                      _("The server “%s” refused the recipient “%s”. (The server said: %s)"),
                      host, address, text);
}

/**
 * buzon_smtp_reply_to_error:
 * @reply: a reply that is not the one the command hoped for
 * @stage: which command it answers
 * @host: the server's name
 * @address: (nullable): the address involved: the user name at
 *   %BUZON_SMTP_STAGE_AUTH, the sender at %BUZON_SMTP_STAGE_MAIL, the
 *   recipient at %BUZON_SMTP_STAGE_RCPT
 *
 * Returns: (transfer full): a %BUZON_SMTP_SESSION_ERROR whose message says
 *   what happened in plain words, and then what the server said
 */
GError *
buzon_smtp_reply_to_error (const BuzonSmtpReply *reply,
                           BuzonSmtpStage        stage,
                           const char           *host,
                           const char           *address)
{
  g_autofree char *said = NULL;
  g_autofree char *enhanced = NULL;
  g_autofree char *text = NULL;
  gboolean temp;

  g_return_val_if_fail (reply != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);

  said = buzon_smtp_reply_dup_text (reply);
  enhanced = buzon_smtp_reply_dup_enhanced (reply);
  text = g_strdup_printf ("%u %s%s%s", reply->code, enhanced != NULL ? enhanced : "",
                          enhanced != NULL ? " " : "", said);
  g_strstrip (text);
  if (address == NULL)
    address = "";
  temp = reply->code / 100 == 4;

  /* RFC 5321 §3.8: 421 may answer any command when the server goes away. */
  if (reply->code == 421)
    return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_CLOSED,
                        _("The server “%s” is closing the connection. Try again later. (The "
                          "server said: %s)"),
                        host, text);

  /* X.3.4 message too big for system; 552 to DATA or to the final dot. */
  if (buzon_smtp_reply_has_enhanced (reply, 3, 4)
      || (reply->code == 552 && (stage == BUZON_SMTP_STAGE_MAIL
                                 || stage == BUZON_SMTP_STAGE_DATA
                                 || stage == BUZON_SMTP_STAGE_MESSAGE)
          && reply->klass == 0))
    return buzon_smtp_too_big_error_new (host, 0, 0);

  /* X.6.7 / X.6.8 / X.6.9: the address needs SMTPUTF8 (RFC 6531 §3.7.4). */
  if (reply->klass == 5 && reply->subject == 6 && reply->detail >= 7 && reply->detail <= 9)
    return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_SMTPUTF8_REQUIRED,
                        _("The server “%s” cannot send to or from international addresses "
                          "(with letters outside English). (The server said: %s)"),
                        host, text);

  switch (stage)
    {
    case BUZON_SMTP_STAGE_GREETING:
      if (temp)
        return temporary (host, text);
      return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_REFUSED,
                          _("The server “%s” does not accept connections from you. (The server "
                            "said: %s)"),
                          host, text);

    case BUZON_SMTP_STAGE_AUTH:
      /* 535 5.7.8 credentials invalid (RFC 4954 §6). */
      if (reply->code == 535 || buzon_smtp_reply_has_enhanced (reply, 7, 8))
        return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_AUTH,
                            _("The outgoing server “%s” did not accept the user name “%s” or "
                              "its password. Check them in the account settings. (The server "
                              "said: %s)"),
                            host, address, text);
      /* 538 5.7.11 encryption required. */
      if (reply->code == 538 || buzon_smtp_reply_has_enhanced (reply, 7, 11))
        return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_PLAINTEXT_REFUSED,
                            _("The server “%s” takes passwords only on an encrypted "
                              "connection. Choose TLS or STARTTLS in the account settings. (The "
                              "server said: %s)"),
                            host, text);
      /* 534 5.7.9 mechanism too weak; 504 unrecognized mechanism. */
      if (reply->code == 534 || reply->code == 504 || buzon_smtp_reply_has_enhanced (reply, 7, 9))
        return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_NO_MECHANISM,
                            _("The server “%s” does not accept the login methods Buzón knows "
                              "(PLAIN and LOGIN). (The server said: %s)"),
                            host, text);
      if (temp)
        return temporary (host, text);
      return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_AUTH,
                          _("The outgoing server “%s” refused the login as “%s”. (The server "
                            "said: %s)"),
                          host, address, text);

    case BUZON_SMTP_STAGE_MAIL:
      /* 530 5.7.0 authentication required (RFC 4954 §6). */
      if (reply->code == 530)
        return auth_required (host, text);
      if (temp)
        return temporary (host, text);
      /* X.1.7 / X.1.8 bad sender address, X.7.1 not allowed to send as it. */
      return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_SENDER_REJECTED,
                          _("The server “%s” does not let you send as “%s”. Check the address "
                            "in the account settings. (The server said: %s)"),
                          host, address, text);

    case BUZON_SMTP_STAGE_RCPT:
      if (reply->code == 530)
        return auth_required (host, text);
      return recipient_error (reply, host, address, text);

    case BUZON_SMTP_STAGE_EHLO:
    case BUZON_SMTP_STAGE_STARTTLS:
    case BUZON_SMTP_STAGE_DATA:
    case BUZON_SMTP_STAGE_MESSAGE:
    default:
      if (temp)
        return temporary (host, text);
      if (reply->code / 100 != 5)
        return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_PROTOCOL,
                            _("The server “%s” gave an answer that makes no sense here. (The "
                              "server said: %s)"),
                            host, text);
      if (buzon_smtp_reply_has_enhanced (reply, 7, 1))
        return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_FAILED,
                            _("The server “%s” refused the message; it may have taken it for "
                              "spam. (The server said: %s)"),
                            host, text);
      return g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_FAILED,
                          _("The server “%s” refused the message. (The server said: %s)"),
                          host, text);
    }
}

/**
 * buzon_smtp_error_is_temporary:
 * @error: an error from #BuzonSmtpSession
 *
 * Whether sending again later may succeed with nothing changed: a 4xx
 * reply, a server that went away or did not answer, a network that is
 * down. A wrong password, an unknown recipient, a message too big, a
 * certificate not trusted are not: the user has to act first.
 *
 * Returns: %TRUE for a failure worth retrying
 */
gboolean
buzon_smtp_error_is_temporary (const GError *error)
{
  g_return_val_if_fail (error != NULL, FALSE);

  if (error->domain == BUZON_SMTP_SESSION_ERROR)
    return error->code == BUZON_SMTP_SESSION_ERROR_TEMPORARY
           || error->code == BUZON_SMTP_SESSION_ERROR_CLOSED;

  if (error->domain == BUZON_NET_ERROR)
    return error->code == BUZON_NET_ERROR_CONNECT_FAILED
           || error->code == BUZON_NET_ERROR_TIMEOUT
           || error->code == BUZON_NET_ERROR_CLOSED;

  return FALSE;
}
