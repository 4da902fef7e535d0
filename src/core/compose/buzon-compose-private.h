/* buzon-compose-private.h — shared internals of libbuzon-compose
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

/* GMime 3.2 has no autoptr support of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeContentType, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)

gboolean             _buzon_compose_is_blank          (const char   *text);

char                *_buzon_compose_normalize_address (const char   *address,
                                                       gboolean     *needs_smtputf8);
InternetAddressList *_buzon_compose_parse_addresses   (const char   *typed,
                                                       GError      **error);
void                 _buzon_compose_collect_mailboxes (InternetAddressList *list,
                                                       GPtrArray           *mailboxes);
char                *_buzon_compose_clean_line        (const char   *text);
GBytes              *_buzon_compose_message_to_bytes  (GMimeMessage *message);

G_END_DECLS
