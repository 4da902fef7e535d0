/* buzon-message-item.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "buzon-store-records.h"

G_BEGIN_DECLS

#define BUZON_TYPE_MESSAGE_ITEM (buzon_message_item_get_type ())

G_DECLARE_FINAL_TYPE (BuzonMessageItem, buzon_message_item, BUZON, MESSAGE_ITEM, GObject)

gint64                     buzon_message_item_get_id              (BuzonMessageItem *self);
gboolean                   buzon_message_item_get_loaded          (BuzonMessageItem *self);
const BuzonMessageSummary *buzon_message_item_get_summary         (BuzonMessageItem *self);
const char                *buzon_message_item_get_subject         (BuzonMessageItem *self);
const char                *buzon_message_item_get_sender          (BuzonMessageItem *self);
const char                *buzon_message_item_get_preview         (BuzonMessageItem *self);
gint64                     buzon_message_item_get_date            (BuzonMessageItem *self);
const char                *buzon_message_item_get_date_text       (BuzonMessageItem *self);
gboolean                   buzon_message_item_get_unread          (BuzonMessageItem *self);
gboolean                   buzon_message_item_get_flagged         (BuzonMessageItem *self);
gboolean                   buzon_message_item_get_has_attachments (BuzonMessageItem *self);
gboolean                   buzon_message_item_get_answered        (BuzonMessageItem *self);
guint                      buzon_message_item_get_thread_count    (BuzonMessageItem *self);
guint                      buzon_message_item_get_thread_unread_count (BuzonMessageItem *self);

G_GNUC_WARN_UNUSED_RESULT
char                      *buzon_message_item_format_date         (gint64            date,
                                                                   GDateTime        *now);
G_GNUC_WARN_UNUSED_RESULT
char                      *buzon_message_item_sender_from_text    (const char       *from);

G_END_DECLS
