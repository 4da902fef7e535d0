/* buzon-sasl.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

G_GNUC_WARN_UNUSED_RESULT
char   *buzon_sasl_plain_encode    (const char  *authzid,
                                    const char  *username,
                                    const char  *password,
                                    GError     **error);
G_GNUC_WARN_UNUSED_RESULT
char   *buzon_sasl_login_encode    (const char  *value);
G_GNUC_WARN_UNUSED_RESULT
GBytes *buzon_sasl_decode_challenge (const char  *text,
                                     GError     **error);

G_END_DECLS
