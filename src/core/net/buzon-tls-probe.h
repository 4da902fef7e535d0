/* buzon-tls-probe.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-types.h"
#include "buzon-account.h"
#include "buzon-connection.h"

G_BEGIN_DECLS

#define BUZON_TLS_PROBE_ERROR (buzon_tls_probe_error_quark ())

/**
 * BuzonTlsProbeError:
 * @BUZON_TLS_PROBE_ERROR_NOT_ENCRYPTED: the account's security for that server
 *   is %BUZON_SECURITY_NONE: there is no certificate to look at
 * @BUZON_TLS_PROBE_ERROR_NO_SERVER: the account has no outgoing (SMTP) server
 * @BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE: the server does not offer
 *   STARTTLS (STLS for POP3), or refused it
 * @BUZON_TLS_PROBE_ERROR_REFUSED: the server's greeting turned the client
 *   away (IMAP BYE, POP3 -ERR, SMTP 554)
 *
 * Errors of buzon_tls_probe_finish() besides the %BUZON_NET_ERROR ones of the
 * connection. Their messages are complete, translated sentences that name the
 * server.
 */
typedef enum
{
  BUZON_TLS_PROBE_ERROR_NOT_ENCRYPTED,
  BUZON_TLS_PROBE_ERROR_NO_SERVER,
  BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE,
  BUZON_TLS_PROBE_ERROR_REFUSED,
} BuzonTlsProbeError;

GQuark buzon_tls_probe_error_quark (void);

/**
 * BuzonTlsProbeResult:
 *
 * What buzon_tls_probe_async() found out about a server's certificate. An
 * immutable, reference-counted boxed type.
 */
typedef struct _BuzonTlsProbeResult BuzonTlsProbeResult;

#define BUZON_TYPE_TLS_PROBE_RESULT (buzon_tls_probe_result_get_type ())

GType                 buzon_tls_probe_result_get_type            (void) G_GNUC_CONST;

BuzonTlsProbeResult  *buzon_tls_probe_result_ref                 (BuzonTlsProbeResult  *self);
void                  buzon_tls_probe_result_unref               (BuzonTlsProbeResult  *self);

const char           *buzon_tls_probe_result_get_host            (BuzonTlsProbeResult  *self);
guint16               buzon_tls_probe_result_get_port            (BuzonTlsProbeResult  *self);
BuzonSecurity         buzon_tls_probe_result_get_security        (BuzonTlsProbeResult  *self);
GTlsCertificate      *buzon_tls_probe_result_get_certificate     (BuzonTlsProbeResult  *self);
const char           *buzon_tls_probe_result_get_sha256          (BuzonTlsProbeResult  *self);
GTlsCertificateFlags  buzon_tls_probe_result_get_errors          (BuzonTlsProbeResult  *self);
gboolean              buzon_tls_probe_result_is_verified         (BuzonTlsProbeResult  *self);
gboolean              buzon_tls_probe_result_is_pinned           (BuzonTlsProbeResult  *self);
gboolean              buzon_tls_probe_result_is_trusted          (BuzonTlsProbeResult  *self);
const char           *buzon_tls_probe_result_get_stored_pin      (BuzonTlsProbeResult  *self);
const char           *buzon_tls_probe_result_get_subject_name    (BuzonTlsProbeResult  *self);
const char           *buzon_tls_probe_result_get_issuer_name     (BuzonTlsProbeResult  *self);
GDateTime            *buzon_tls_probe_result_get_not_valid_before
                                                                 (BuzonTlsProbeResult  *self);
GDateTime            *buzon_tls_probe_result_get_not_valid_after (BuzonTlsProbeResult  *self);
gboolean              buzon_tls_probe_result_matches_fingerprint (BuzonTlsProbeResult  *self,
                                                                  const char           *fingerprint);
gboolean              buzon_tls_probe_result_pin                 (BuzonTlsProbeResult  *self,
                                                                  BuzonStore           *store,
                                                                  GError              **error);

void                  buzon_tls_probe_async                      (BuzonAccount         *account,
                                                                  BuzonConnectionServer server,
                                                                  BuzonStore           *store,
                                                                  GTlsDatabase         *database,
                                                                  GCancellable         *cancellable,
                                                                  GAsyncReadyCallback   callback,
                                                                  gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
BuzonTlsProbeResult  *buzon_tls_probe_finish                     (GAsyncResult         *result,
                                                                  GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonTlsProbeResult, buzon_tls_probe_result_unref)

G_END_DECLS
