/* buzon-account-row.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "buzon-account.h"

G_BEGIN_DECLS

#define BUZON_TYPE_ACCOUNT_ROW (buzon_account_row_get_type ())

G_DECLARE_FINAL_TYPE (BuzonAccountRow, buzon_account_row, BUZON, ACCOUNT_ROW, GtkListBoxRow)

GtkWidget    *buzon_account_row_new           (BuzonAccount  *account) G_GNUC_WARN_UNUSED_RESULT;
BuzonAccount *buzon_account_row_get_account   (BuzonAccountRow *self);
const char   *buzon_account_row_protocol_text (BuzonProtocol  protocol);

G_END_DECLS
