/* buzon-imap-utf7.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *buzon_imap_utf7_encode (const char  *utf8,
                              GError     **error) G_GNUC_WARN_UNUSED_RESULT;
char *buzon_imap_utf7_decode (const char  *mutf7,
                              GError     **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
