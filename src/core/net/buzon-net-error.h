/* buzon-net-error.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BUZON_NET_ERROR (buzon_net_error_quark ())

/**
 * BuzonNetError:
 * @BUZON_NET_ERROR_CONNECT_FAILED: the server could not be reached: unknown
 *   name, connection refused, network unreachable, proxy failure
 * @BUZON_NET_ERROR_TIMEOUT: the server did not answer within the connect
 *   timeout, or stopped answering for longer than the I/O timeout
 * @BUZON_NET_ERROR_TLS_FAILED: the encrypted connection could not be set up
 *   or broke (not TLS on that port, handshake failure, TLS unavailable)
 * @BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED: the server's certificate did not
 *   verify and is not pinned; buzon_connection_get_peer_certificate() and
 *   buzon_connection_get_peer_sha256() tell which certificate it was
 * @BUZON_NET_ERROR_PROTOCOL: the server sent something it must not send: a
 *   line longer than the limit, data before the TLS handshake of STARTTLS,
 *   a malformed SASL challenge
 * @BUZON_NET_ERROR_CLOSED: the server closed the connection, or it was
 *   closed before
 * @BUZON_NET_ERROR_CREDENTIALS: a user name or password cannot be encoded for
 *   the SASL mechanism (PLAIN needs UTF-8)
 *
 * Errors of the connection layer. Their messages are complete, translated
 * sentences for the user. Cancellation is reported as %G_IO_ERROR_CANCELLED,
 * never in this domain.
 */
typedef enum
{
  BUZON_NET_ERROR_CONNECT_FAILED,
  BUZON_NET_ERROR_TIMEOUT,
  BUZON_NET_ERROR_TLS_FAILED,
  BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED,
  BUZON_NET_ERROR_PROTOCOL,
  BUZON_NET_ERROR_CLOSED,
  BUZON_NET_ERROR_CREDENTIALS,
} BuzonNetError;

GQuark buzon_net_error_quark (void);

G_END_DECLS
