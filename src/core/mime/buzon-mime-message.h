/* buzon-mime-message.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Bounds on what a message may make Buzón do. Real mail stays far below them. */

/* Multipart and message/rfc822 levels walked; deeper parts are listed as
 * opaque attachments and not looked into. */
#define BUZON_MIME_MAX_DEPTH 32
/* Leaf parts listed per message; the rest are counted but not listed. */
#define BUZON_MIME_MAX_PARTS 512
/* Bytes of a header value kept for display (Subject, each name and address). */
#define BUZON_MIME_MAX_HEADER_BYTES 4096
/* Addresses kept per address header; Message-IDs kept from References. */
#define BUZON_MIME_MAX_ADDRESSES 1000
#define BUZON_MIME_MAX_REFERENCES 256
/* Decoded bytes of a text body (plain or HTML) kept for display. */
#define BUZON_MIME_MAX_BODY_BYTES (8 * 1024 * 1024)

typedef enum {
  BUZON_MIME_DISPOSITION_NONE,
  BUZON_MIME_DISPOSITION_INLINE,
  BUZON_MIME_DISPOSITION_ATTACHMENT,
} BuzonMimeDisposition;

/* One address of a From/To/Cc/Reply-To header; groups are flattened. */
typedef struct {
  char *name;     /* decoded display name, or NULL */
  char *address;  /* the addr-spec, or "" when the header had only a name */
} BuzonMimeAddress;

/* A leaf of the MIME tree, owned by its BuzonMimeMessage. */
typedef struct _BuzonMimePart BuzonMimePart;

#define BUZON_TYPE_MIME_MESSAGE (buzon_mime_message_get_type ())
G_DECLARE_FINAL_TYPE (BuzonMimeMessage, buzon_mime_message, BUZON, MIME_MESSAGE, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonMimeMessage *buzon_mime_message_new_from_bytes      (GBytes           *raw);

gboolean          buzon_mime_message_is_broken           (BuzonMimeMessage *self);
GBytes           *buzon_mime_message_get_raw             (BuzonMimeMessage *self);
G_GNUC_WARN_UNUSED_RESULT
char             *buzon_mime_message_dup_source          (BuzonMimeMessage *self,
                                                          gsize             max_bytes);

const char       *buzon_mime_message_get_subject         (BuzonMimeMessage *self);
GPtrArray        *buzon_mime_message_get_from            (BuzonMimeMessage *self);
GPtrArray        *buzon_mime_message_get_to              (BuzonMimeMessage *self);
GPtrArray        *buzon_mime_message_get_cc              (BuzonMimeMessage *self);
GPtrArray        *buzon_mime_message_get_reply_to        (BuzonMimeMessage *self);
GDateTime        *buzon_mime_message_get_date            (BuzonMimeMessage *self);
const char       *buzon_mime_message_get_message_id      (BuzonMimeMessage *self);
const char       *buzon_mime_message_get_in_reply_to     (BuzonMimeMessage *self);
const char * const *buzon_mime_message_get_references    (BuzonMimeMessage *self);

const char       *buzon_mime_message_get_body_text       (BuzonMimeMessage *self);
const char       *buzon_mime_message_get_body_html       (BuzonMimeMessage *self);
gboolean          buzon_mime_message_get_body_truncated  (BuzonMimeMessage *self);
G_GNUC_WARN_UNUSED_RESULT
char             *buzon_mime_message_dup_index_text      (BuzonMimeMessage *self);

GPtrArray        *buzon_mime_message_get_parts           (BuzonMimeMessage *self);
GPtrArray        *buzon_mime_message_get_attachments     (BuzonMimeMessage *self);
guint             buzon_mime_message_get_n_unlisted_parts (BuzonMimeMessage *self);
BuzonMimePart    *buzon_mime_message_get_part            (BuzonMimeMessage *self,
                                                          const char       *part_id);
BuzonMimePart    *buzon_mime_message_find_by_content_id  (BuzonMimeMessage *self,
                                                          const char       *content_id);
G_GNUC_WARN_UNUSED_RESULT
GBytes           *buzon_mime_message_dup_part_bytes      (BuzonMimeMessage *self,
                                                          const char       *part_id);
gboolean          buzon_mime_message_write_part          (BuzonMimeMessage *self,
                                                          const char       *part_id,
                                                          GOutputStream    *output,
                                                          GCancellable     *cancellable,
                                                          GError          **error);
BuzonMimeMessage *buzon_mime_message_get_nested          (BuzonMimeMessage *self,
                                                          const char       *part_id);

const char          *buzon_mime_part_get_id              (BuzonMimePart *part);
const char          *buzon_mime_part_get_content_type    (BuzonMimePart *part);
const char          *buzon_mime_part_get_filename        (BuzonMimePart *part);
const char          *buzon_mime_part_get_content_id      (BuzonMimePart *part);
BuzonMimeDisposition buzon_mime_part_get_disposition     (BuzonMimePart *part);
guint64              buzon_mime_part_get_size            (BuzonMimePart *part);
gboolean             buzon_mime_part_is_inline_image     (BuzonMimePart *part);
gboolean             buzon_mime_part_is_attachment       (BuzonMimePart *part);
gboolean             buzon_mime_part_is_message          (BuzonMimePart *part);
gboolean             buzon_mime_part_is_opaque           (BuzonMimePart *part);

G_END_DECLS
