/* buzon-net-error.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The BUZON_NET_ERROR domain and the sentences the connection layer tells the
 * user. GIO's own messages ("Error connecting to 127.0.0.1: Connection
 * refused") say what failed, not what to do; these say both, name the server,
 * and are translated. A GIO message is appended only where it carries detail
 * no sentence here can (an unusual socket or TLS failure).
 */

#define G_LOG_DOMAIN "buzon-net"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "buzon-certificate.h"
#include "buzon-net-private.h"

G_DEFINE_QUARK (buzon-net-error-quark, buzon_net_error)

/* Connecting: name lookup, TCP connect, proxy. */
GError *
_buzon_net_connect_error_new (const GError *error,
                              const char   *host,
                              guint16       port)
{
  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);

  if (error->domain == G_RESOLVER_ERROR
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED,
                        _("Could not find the server “%s”. Check the name, or your internet "
                          "connection."),
                        host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED,
                        _("The server “%s” refused the connection on port %u. Check the port "
                          "number, and that the server is running."),
                        host, (guint) port);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED,
                        _("The server “%s” cannot be reached. Check your internet connection."),
                        host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT,
                        _("The server “%s” did not answer. Check the name and port, or your "
                          "internet connection."),
                        host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PROXY_AUTH_FAILED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PROXY_NEED_AUTH)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PROXY_NOT_ALLOWED))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED,
                        _("Could not connect to the server “%s” through the proxy: %s"),
                        host, error->message);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED,
                      _("Could not connect to the server “%s” on port %u: %s"),
                      host, (guint) port, error->message);
}

GError *
_buzon_net_connect_timeout_error_new (const char *host,
                                      guint       seconds)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "The server “%s” did not answer within %u second. Check the "
                                   "name and port, or your internet connection.",
                                   "The server “%s” did not answer within %u seconds. Check the "
                                   "name and port, or your internet connection.",
                                   seconds),
                      host, seconds);
}

GError *
_buzon_net_io_timeout_error_new (const char *host,
                                 guint       seconds)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "The server “%s” stopped answering; Buzón waited %u second.",
                                   "The server “%s” stopped answering; Buzón waited %u seconds.",
                                   seconds),
                      host, seconds);
}

GError *
_buzon_net_closed_error_new (const char *host)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED,
                      _("The server “%s” closed the connection."), host);
}

GError *
_buzon_net_already_closed_error_new (const char *host)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED,
                      _("The connection to the server “%s” is closed."), host);
}

/* Reading and writing on an open connection. */
GError *
_buzon_net_io_error_new (const GError *error,
                         const char   *host)
{
  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED)
      || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
    return _buzon_net_closed_error_new (host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT,
                        _("The server “%s” stopped answering."), host);

  if (error->domain == G_TLS_ERROR)
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED,
                        _("The encrypted connection to the server “%s” failed: %s"),
                        host, error->message);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED,
                      _("The connection to the server “%s” broke: %s"), host, error->message);
}

/* The TLS handshake failed for a reason other than the certificate.
 * @implicit: it was the handshake right after connecting (security TLS),
 * where the likeliest cause is a port that expects STARTTLS or no TLS: the
 * server's clear greeting reaches GnuTLS as "an unexpected TLS packet". */
GError *
_buzon_net_tls_error_new (const GError *error,
                          const char   *host,
                          guint16       port,
                          gboolean      implicit)
{
  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED,
                        _("The server “%s” did not answer with an encrypted connection on port "
                          "%u. Check the port, and whether the server expects TLS or "
                          "STARTTLS."),
                        host, (guint) port);

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE))
    return g_error_new_literal (BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED,
                                _("Encrypted connections are not available: GIO’s TLS support "
                                  "(the glib-networking package) is not installed."));

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED,
                        _("The server “%s” closed the connection while setting up encryption."),
                        host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT,
                        _("The server “%s” stopped answering."), host);

  if (implicit && error->domain == G_TLS_ERROR)
    return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED,
                        /* TRANSLATORS: the last %s is the TLS library's own message */
                        _("Could not set up an encrypted connection with the server “%s” on "
                          "port %u. Check the port, and whether the server expects TLS or "
                          "STARTTLS. (%s)"),
                        host, (guint) port, error->message);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED,
                      _("Could not set up an encrypted connection with the server “%s”: %s"),
                      host, error->message);
}

/* One sentence per verification failure GIO reports. They follow a headline
 * that names the certificate, so each one starts with "It". */
static void
append_certificate_reasons (GString              *message,
                            const char           *host,
                            GTlsCertificateFlags  flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    {
      g_string_append_c (message, ' ');
      g_string_append (message, _("It is not signed by a certificate authority this computer "
                                  "trusts; it may be self-signed."));
    }
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    {
      g_string_append_c (message, ' ');
      g_string_append_printf (message,
                              _("It was issued for a different server name than “%s”."),
                              host);
    }
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    {
      g_string_append_c (message, ' ');
      g_string_append (message, _("It is not valid yet; check this computer’s date and time."));
    }
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    {
      g_string_append_c (message, ' ');
      g_string_append (message, _("It has expired."));
    }
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    {
      g_string_append_c (message, ' ');
      g_string_append (message, _("It has been revoked by its certificate authority."));
    }
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    {
      g_string_append_c (message, ' ');
      g_string_append (message, _("It uses an insecure algorithm."));
    }
  if ((flags & G_TLS_CERTIFICATE_GENERIC_ERROR)
      || (flags & G_TLS_CERTIFICATE_VALIDATE_ALL) == 0)
    {
      g_string_append_c (message, ' ');
      g_string_append (message, _("It could not be checked."));
    }
}

/* The certificate did not verify and is not pinned. One line (the CLI prints
 * errors on one line): what happened, why, the fingerprint, and what to do. */
GError *
_buzon_net_certificate_error_new (const char           *host,
                                  GTlsCertificateFlags  flags,
                                  const char           *sha256,
                                  gboolean              pin_mismatch)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  g_string_append_printf (message,
                          _("Buzón could not verify the identity of the server “%s”, so it did "
                            "not connect: its certificate is not trusted."),
                          host);
  append_certificate_reasons (message, host, flags);
  if (pin_mismatch)
    {
      g_string_append_c (message, ' ');
      g_string_append (message, _("It is not the certificate you chose to trust for this "
                                  "server earlier."));
    }

  if (sha256 != NULL)
    fingerprint = buzon_certificate_format_fingerprint (sha256);
  if (fingerprint != NULL)
    {
      g_string_append_c (message, ' ');
      /* TRANSLATORS: %s is like 3A:0F:…:9C (32 pairs of hexadecimal digits) */
      g_string_append_printf (message, _("Its SHA-256 fingerprint is %s."), fingerprint);
    }

  g_string_append_c (message, ' ');
  g_string_append (message, _("If you expected this certificate (your own server may use a "
                              "self-signed one), compare the fingerprint with the one your "
                              "provider or administrator gives you, and trust the certificate "
                              "explicitly only if they match. Otherwise someone may be "
                              "intercepting the connection."));

  return g_error_new_literal (BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED,
                              message->str);
}

GError *
_buzon_net_line_too_long_error_new (const char *host,
                                    gsize       max_length)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "The server “%s” sent a line longer than %lu byte, which is "
                                   "more than Buzón accepts.",
                                   "The server “%s” sent a line longer than %lu bytes, which is "
                                   "more than Buzón accepts.",
                                   (gulong) max_length),
                      host, (gulong) max_length);
}

/* RFC 3207 §5, RFC 2595 §3.1: nothing may come before the TLS handshake after
 * the server's go-ahead. Bytes that did were sent in the clear and would be
 * taken for protected ones (the STARTTLS injection of CVE-2011-0411, seen
 * from the client's side). */
GError *
_buzon_net_starttls_injection_error_new (const char *host)
{
  g_return_val_if_fail (host != NULL, NULL);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL,
                      _("The server “%s” sent data before the encrypted connection was set "
                        "up, which a server must never do. Someone may be tampering with the "
                        "connection, so Buzón closed it."),
                      host);
}
