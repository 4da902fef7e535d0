/* buzon-mime-text.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The text of a message, for the search index and the list's preview: the
 * body BuzonMimeMessage chooses (buzon-mime-message.h), so the index, the
 * preview and the reader agree. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

G_GNUC_WARN_UNUSED_RESULT
char *buzon_mime_extract_text (GBytes     *raw);
G_GNUC_WARN_UNUSED_RESULT
char *buzon_mime_make_preview (const char *text,
                               guint       max_chars);

G_END_DECLS
