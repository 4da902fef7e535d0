/* buzon-certificate.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

G_GNUC_WARN_UNUSED_RESULT
char *buzon_certificate_dup_sha256         (GTlsCertificate *certificate);
G_GNUC_WARN_UNUSED_RESULT
char *buzon_certificate_format_fingerprint (const char      *sha256);

G_END_DECLS
