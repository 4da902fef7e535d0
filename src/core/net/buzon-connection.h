/* buzon-connection.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-types.h"
#include "buzon-account.h"

G_BEGIN_DECLS

/**
 * BUZON_CONNECTION_DEFAULT_CONNECT_TIMEOUT:
 *
 * Seconds to wait for the server to accept the connection (name lookup
 * included), unless buzon_connection_set_connect_timeout() says otherwise.
 */
#define BUZON_CONNECTION_DEFAULT_CONNECT_TIMEOUT 30

/**
 * BUZON_CONNECTION_DEFAULT_IO_TIMEOUT:
 *
 * Seconds a read, a write or a TLS handshake may go without any progress
 * before the server counts as stalled, unless
 * buzon_connection_set_io_timeout() says otherwise.
 */
#define BUZON_CONNECTION_DEFAULT_IO_TIMEOUT 60

/**
 * BUZON_CONNECTION_MAX_READ_BYTES:
 *
 * The most buzon_connection_read_bytes_async() reads in one call. Larger
 * payloads (IMAP literals, POP3 messages) are read in chunks and streamed.
 */
#define BUZON_CONNECTION_MAX_READ_BYTES (16 * 1024 * 1024)

/**
 * BuzonConnectionServer:
 * @BUZON_CONNECTION_SERVER_INCOMING: the account's IMAP or POP3 server
 * @BUZON_CONNECTION_SERVER_OUTGOING: the account's SMTP submission server
 */
typedef enum
{
  BUZON_CONNECTION_SERVER_INCOMING,
  BUZON_CONNECTION_SERVER_OUTGOING,
} BuzonConnectionServer;

#define BUZON_TYPE_CONNECTION (buzon_connection_get_type ())

G_DECLARE_FINAL_TYPE (BuzonConnection, buzon_connection, BUZON, CONNECTION, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonConnection      *buzon_connection_new                      (const char            *host,
                                                                 guint16                port,
                                                                 BuzonSecurity          security);
G_GNUC_WARN_UNUSED_RESULT
BuzonConnection      *buzon_connection_new_for_account          (BuzonAccount          *account,
                                                                 BuzonConnectionServer  server);
G_GNUC_WARN_UNUSED_RESULT
BuzonConnection      *buzon_connection_new_for_stream           (GIOStream             *stream,
                                                                 const char            *host,
                                                                 guint16                port);

const char           *buzon_connection_get_host                 (BuzonConnection       *self);
guint16               buzon_connection_get_port                 (BuzonConnection       *self);
BuzonSecurity         buzon_connection_get_security             (BuzonConnection       *self);
BuzonStore           *buzon_connection_get_store                (BuzonConnection       *self);
void                  buzon_connection_set_store                (BuzonConnection       *self,
                                                                 BuzonStore            *store);
GTlsDatabase         *buzon_connection_get_tls_database         (BuzonConnection       *self);
void                  buzon_connection_set_tls_database         (BuzonConnection       *self,
                                                                 GTlsDatabase          *database);
guint                 buzon_connection_get_connect_timeout      (BuzonConnection       *self);
void                  buzon_connection_set_connect_timeout      (BuzonConnection       *self,
                                                                 guint                  seconds);
guint                 buzon_connection_get_io_timeout           (BuzonConnection       *self);
void                  buzon_connection_set_io_timeout           (BuzonConnection       *self,
                                                                 guint                  seconds);

gboolean              buzon_connection_is_open                  (BuzonConnection       *self);
gboolean              buzon_connection_is_encrypted             (BuzonConnection       *self);
gboolean              buzon_connection_is_pinned                (BuzonConnection       *self);
GTlsCertificate      *buzon_connection_get_peer_certificate     (BuzonConnection       *self);
GTlsCertificateFlags  buzon_connection_get_peer_certificate_errors
                                                                (BuzonConnection       *self);
const char           *buzon_connection_get_peer_sha256          (BuzonConnection       *self);
gboolean              buzon_connection_trust_peer_certificate   (BuzonConnection       *self,
                                                                 GError               **error);

void                  buzon_connection_connect_async            (BuzonConnection       *self,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
gboolean              buzon_connection_connect_finish           (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
void                  buzon_connection_start_tls_async          (BuzonConnection       *self,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
gboolean              buzon_connection_start_tls_finish         (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);

void                  buzon_connection_read_line_async          (BuzonConnection       *self,
                                                                 gsize                  max_length,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
G_GNUC_WARN_UNUSED_RESULT
char                 *buzon_connection_read_line_finish         (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 gsize                 *length,
                                                                 GError               **error);
void                  buzon_connection_read_bytes_async         (BuzonConnection       *self,
                                                                 gsize                  count,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
G_GNUC_WARN_UNUSED_RESULT
GBytes               *buzon_connection_read_bytes_finish        (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
void                  buzon_connection_read_some_async          (BuzonConnection       *self,
                                                                 gsize                  max_count,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
G_GNUC_WARN_UNUSED_RESULT
GBytes               *buzon_connection_read_some_finish         (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
void                  buzon_connection_write_async              (BuzonConnection       *self,
                                                                 const void            *data,
                                                                 gssize                 length,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
gboolean              buzon_connection_write_finish             (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
void                  buzon_connection_write_bytes_async        (BuzonConnection       *self,
                                                                 GBytes                *bytes,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
gboolean              buzon_connection_write_bytes_finish       (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);

void                  buzon_connection_close_async              (BuzonConnection       *self,
                                                                 GCancellable          *cancellable,
                                                                 GAsyncReadyCallback    callback,
                                                                 gpointer               user_data);
gboolean              buzon_connection_close_finish             (BuzonConnection       *self,
                                                                 GAsyncResult          *result,
                                                                 GError               **error);
void                  buzon_connection_disconnect               (BuzonConnection       *self);

G_END_DECLS
