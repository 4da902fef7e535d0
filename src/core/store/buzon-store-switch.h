/* buzon-store-switch.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonStore, continued: the last step of switching a POP3 account to IMAP
 * (see src/core/sync/buzon-pop3-switch.c), which must happen all at once. */

#pragma once

#include "buzon-store.h"

G_BEGIN_DECLS

gboolean buzon_store_switch_to_imap (BuzonStore    *self,
                                     BuzonAccount  *account,
                                     GPtrArray     *folders,
                                     GError       **error);

G_END_DECLS
