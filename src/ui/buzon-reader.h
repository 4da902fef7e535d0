/* buzon-reader.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "buzon-account.h"
#include "buzon-store.h"

G_BEGIN_DECLS

#define BUZON_TYPE_READER (buzon_reader_get_type ())

G_DECLARE_FINAL_TYPE (BuzonReader, buzon_reader, BUZON, READER, GtkWidget)

GtkWidget *buzon_reader_new                (void) G_GNUC_WARN_UNUSED_RESULT;
void       buzon_reader_show_message       (BuzonReader  *self,
                                            BuzonStore   *store,
                                            BuzonAccount *account,
                                            gint64        message_id);
void       buzon_reader_clear              (BuzonReader  *self);
void       buzon_reader_set_conversation   (BuzonReader  *self,
                                            GPtrArray    *messages);
gint64     buzon_reader_get_message_id     (BuzonReader  *self);
void       buzon_reader_set_mark_read_delay (BuzonReader *self,
                                            guint         seconds);
void       buzon_reader_set_prefer_plain_text (BuzonReader *self,
                                            gboolean      prefer_plain);
void       buzon_reader_set_fetch_automatically (BuzonReader *self,
                                            gboolean      fetch);
void       buzon_reader_show_fetch_error   (BuzonReader  *self,
                                            gint64        message_id,
                                            const char   *message);
void       buzon_reader_allow_remote_senders (BuzonReader        *self,
                                            const char * const *addresses);

G_END_DECLS
