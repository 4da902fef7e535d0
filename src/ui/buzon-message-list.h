/* buzon-message-list.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "buzon-store.h"
#include "buzon-message-item.h"

G_BEGIN_DECLS

#define BUZON_TYPE_MESSAGE_LIST (buzon_message_list_get_type ())

G_DECLARE_FINAL_TYPE (BuzonMessageList, buzon_message_list, BUZON, MESSAGE_LIST, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonMessageList *buzon_message_list_new          (BuzonStore       *store,
                                                   gint64            folder_id);
G_GNUC_WARN_UNUSED_RESULT
BuzonMessageList *buzon_message_list_new_threaded (BuzonStore       *store,
                                                   gint64            folder_id);
G_GNUC_WARN_UNUSED_RESULT
BuzonMessageList *buzon_message_list_new_for_ids  (BuzonStore       *store,
                                                   GArray           *ids);
BuzonStore       *buzon_message_list_get_store    (BuzonMessageList *self);
gint64            buzon_message_list_get_folder_id (BuzonMessageList *self);
gboolean          buzon_message_list_get_threaded (BuzonMessageList *self);
gboolean          buzon_message_list_get_loading  (BuzonMessageList *self);
gboolean          buzon_message_list_get_position_of (BuzonMessageList *self,
                                                      gint64            message_id,
                                                      guint            *out_position);
gint64            buzon_message_list_get_id_at    (BuzonMessageList *self,
                                                   guint             position);

G_END_DECLS
