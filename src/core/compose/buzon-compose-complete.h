/* buzon-compose-complete.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "buzon-store.h"

G_BEGIN_DECLS

G_GNUC_WARN_UNUSED_RESULT
GPtrArray *buzon_compose_complete_addresses (BuzonStore  *store,
                                             gint64       account_id,
                                             const char  *text,
                                             guint        limit,
                                             GError     **error);

G_GNUC_WARN_UNUSED_RESULT
char      *buzon_compose_address_token      (const char  *text);
G_GNUC_WARN_UNUSED_RESULT
char      *buzon_compose_address_complete   (const char  *text,
                                             const char  *choice);

G_END_DECLS
