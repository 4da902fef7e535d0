/* buzon-reader-view.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BUZON_TYPE_READER_VIEW (buzon_reader_view_get_type ())

G_DECLARE_FINAL_TYPE (BuzonReaderView, buzon_reader_view, BUZON, READER_VIEW, GtkWidget)

/**
 * BuzonReaderPartResolver:
 * @view: the view asking
 * @content_id: the Content-ID asked for (RFC 2392: the part of a "cid:" URL
 *   after the scheme, %-decoded; no angle brackets)
 * @content_type: (out) (transfer full): set to the part's MIME type
 * @user_data: the data given to buzon_reader_view_set_part_resolver()
 *
 * Finds one part of the message shown for a `cid:` URL in its body.
 *
 * Returns: (transfer full) (nullable): the part's decoded bytes, or %NULL
 *   when the message has no such part
 */
typedef GBytes *(*BuzonReaderPartResolver) (BuzonReaderView *view,
                                            const char      *content_id,
                                            char           **content_type,
                                            gpointer         user_data);

GtkWidget *buzon_reader_view_new                      (void) G_GNUC_WARN_UNUSED_RESULT;
void       buzon_reader_view_set_html                 (BuzonReaderView         *self,
                                                       const char              *html_utf8,
                                                       const char              *base_charset_ignored);
void       buzon_reader_view_set_plain_text           (BuzonReaderView         *self,
                                                       const char              *text);
void       buzon_reader_view_set_allow_remote         (BuzonReaderView         *self,
                                                       gboolean                 allow_remote);
gboolean   buzon_reader_view_get_allow_remote         (BuzonReaderView         *self);
gboolean   buzon_reader_view_get_remote_content_blocked (BuzonReaderView       *self);
void       buzon_reader_view_set_part_resolver        (BuzonReaderView         *self,
                                                       BuzonReaderPartResolver  resolver,
                                                       gpointer                 user_data,
                                                       GDestroyNotify           destroy);

/* For tests and for the reader's own layout: the WebKitWebView inside. */
GtkWidget *buzon_reader_view_get_web_view             (BuzonReaderView         *self);

/* Pure helper, exposed for the tests: does this HTML ask for anything
 * remote (src, background, poster, srcset, <link href>, CSS url() and
 * @import, meta refresh, <base href>)? Conservative: may say TRUE for a
 * message that would load nothing, never FALSE for one that would. */
gboolean   buzon_reader_view_html_wants_remote        (const char              *html);

/* For the tests only: which of the two blocking layers are used, so each
 * can be shown to block everything on its own. Both by default; the
 * application never calls this. */
typedef enum
{
  _BUZON_READER_LAYER_CSP    = 1 << 0,
  _BUZON_READER_LAYER_FILTER = 1 << 1,
  _BUZON_READER_LAYERS_ALL   = _BUZON_READER_LAYER_CSP | _BUZON_READER_LAYER_FILTER,
} _BuzonReaderLayers;

void       _buzon_reader_view_set_layers_for_test     (BuzonReaderView         *self,
                                                       _BuzonReaderLayers       layers);

G_END_DECLS
