/* buzon-message-list-private.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Between BuzonMessageList and BuzonMessageItem, and hooks for the tests. */

#pragma once

#include "buzon-message-list.h"

G_BEGIN_DECLS

/* How many summaries one read brings, and how many such pages stay cached. */
#define BUZON_MESSAGE_LIST_PAGE_SIZE    100
#define BUZON_MESSAGE_LIST_CACHED_PAGES 10

BuzonMessageItem *_buzon_message_item_new            (gint64               id);
void              _buzon_message_item_set_summary    (BuzonMessageItem    *self,
                                                      BuzonMessageSummary *summary);
void              _buzon_message_item_set_thread     (BuzonMessageItem    *self,
                                                      guint                count,
                                                      guint                unread);

guint             _buzon_message_list_count_live     (BuzonMessageList    *self);
guint             _buzon_message_list_count_loaded   (BuzonMessageList    *self);
gboolean          _buzon_message_list_is_busy        (BuzonMessageList    *self);

G_END_DECLS
