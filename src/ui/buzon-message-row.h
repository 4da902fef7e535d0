/* buzon-message-row.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "buzon-message-item.h"

G_BEGIN_DECLS

#define BUZON_TYPE_MESSAGE_ROW (buzon_message_row_get_type ())

G_DECLARE_FINAL_TYPE (BuzonMessageRow, buzon_message_row, BUZON, MESSAGE_ROW, GtkWidget)

G_GNUC_WARN_UNUSED_RESULT
GtkWidget          *buzon_message_row_new             (void);
BuzonMessageItem   *buzon_message_row_get_item        (BuzonMessageRow   *self);
void                buzon_message_row_set_item        (BuzonMessageRow   *self,
                                                       BuzonMessageItem  *item);
G_GNUC_WARN_UNUSED_RESULT
GtkListItemFactory *buzon_message_row_new_factory     (void);
void                buzon_message_row_add_drag_source (GtkListView       *view,
                                                       GtkSelectionModel *selection,
                                                       gint64             account_id);

G_END_DECLS
