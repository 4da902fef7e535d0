/* buzon-net-private.h — shared internals of libbuzon-net
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-net-error.h"

G_BEGIN_DECLS

/* Each returns a BUZON_NET_ERROR with a complete sentence for the user; they
 * live in buzon-net-error.c and are pure, so the unit tests check them. */
GError *_buzon_net_connect_error_new          (const GError         *error,
                                               const char           *host,
                                               guint16               port);
GError *_buzon_net_connect_timeout_error_new  (const char           *host,
                                               guint                 seconds);
GError *_buzon_net_io_timeout_error_new       (const char           *host,
                                               guint                 seconds);
GError *_buzon_net_io_error_new               (const GError         *error,
                                               const char           *host);
GError *_buzon_net_closed_error_new           (const char           *host);
GError *_buzon_net_already_closed_error_new   (const char           *host);
GError *_buzon_net_tls_error_new              (const GError         *error,
                                               const char           *host,
                                               guint16               port,
                                               gboolean              implicit);
GError *_buzon_net_certificate_error_new      (const char           *host,
                                               GTlsCertificateFlags  flags,
                                               const char           *sha256,
                                               gboolean              pin_mismatch);
GError *_buzon_net_line_too_long_error_new    (const char           *host,
                                               gsize                 max_length);
GError *_buzon_net_starttls_injection_error_new (const char         *host);

G_END_DECLS
