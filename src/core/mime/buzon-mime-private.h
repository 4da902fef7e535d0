/* buzon-mime-private.h — shared internals of libbuzon-mime
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

void          _buzon_mime_ensure_init  (void);
GMimeMessage *_buzon_mime_parse        (GBytes       *raw);
char         *_buzon_mime_message_text (GMimeMessage *message);

G_END_DECLS
