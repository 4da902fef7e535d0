/* buzon-text-to-html.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BuzonTextToHtmlFlags:
 * @BUZON_TEXT_TO_HTML_NONE: the text is shown line by line as it is
 * @BUZON_TEXT_TO_HTML_FLOWED: the text is format=flowed (RFC 3676) and not
 *   decoded yet: soft line breaks (a line ending in a space) are joined and
 *   space-stuffing is removed
 */
typedef enum
{
  BUZON_TEXT_TO_HTML_NONE   = 0,
  BUZON_TEXT_TO_HTML_FLOWED = 1 << 0,
} BuzonTextToHtmlFlags;

/* The deepest quote level given its own collapsible block; deeper levels are
 * shown at this one. Bounds the nesting of the markup we make. */
#define BUZON_TEXT_TO_HTML_MAX_QUOTE_DEPTH 16

char *buzon_text_to_html      (const char           *plain) G_GNUC_WARN_UNUSED_RESULT;
char *buzon_text_to_html_full (const char           *plain,
                               BuzonTextToHtmlFlags  flags) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
