/* buzon-mime-private.h — shared internals of libbuzon-mime
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

#include "buzon-mime-message.h"

G_BEGIN_DECLS

void          _buzon_mime_ensure_init       (void);
GMimeMessage *_buzon_mime_parse             (GBytes           *raw);
char         *_buzon_mime_strip_html        (const char       *html);
GMimeMessage *_buzon_mime_message_get_gmime (BuzonMimeMessage *self);

G_END_DECLS
