/* buzon-imap-fetch.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "buzon-imap-response.h"
#include "buzon-imap-value.h"

G_BEGIN_DECLS

/**
 * BuzonImapSystemFlags:
 * @BUZON_IMAP_FLAG_SEEN: `\Seen`
 * @BUZON_IMAP_FLAG_ANSWERED: `\Answered`
 * @BUZON_IMAP_FLAG_FLAGGED: `\Flagged`
 * @BUZON_IMAP_FLAG_DELETED: `\Deleted`
 * @BUZON_IMAP_FLAG_DRAFT: `\Draft`
 * @BUZON_IMAP_FLAG_RECENT: `\Recent`
 *
 * The system flags of RFC 3501 §2.3.2, as bits.
 */
typedef enum
{
  BUZON_IMAP_FLAG_SEEN     = 1 << 0,
  BUZON_IMAP_FLAG_ANSWERED = 1 << 1,
  BUZON_IMAP_FLAG_FLAGGED  = 1 << 2,
  BUZON_IMAP_FLAG_DELETED  = 1 << 3,
  BUZON_IMAP_FLAG_DRAFT    = 1 << 4,
  BUZON_IMAP_FLAG_RECENT   = 1 << 5,
} BuzonImapSystemFlags;

BuzonImapSystemFlags buzon_imap_system_flags_from_strv (const char * const *flags);

/**
 * BuzonImapAddress:
 * @name: (nullable): the display name, RFC 2047 decoded, UTF-8
 * @mailbox: (nullable): the local part
 * @host: (nullable): the domain
 * @address: (nullable): `mailbox@host`, or the local part alone
 * @group: (nullable): the RFC 5322 group the address was listed in
 *
 * One address of an ENVELOPE address list (RFC 3501 §7.4.2). Group markers
 * are not listed themselves; their members carry the group's name.
 */
typedef struct
{
  char *name;
  char *mailbox;
  char *host;
  char *address;
  char *group;
} BuzonImapAddress;

/**
 * BuzonImapEnvelope:
 * @date_text: (nullable): the Date header as sent
 * @date: (nullable): the date, when it could be parsed
 * @subject: (nullable): the subject, RFC 2047 decoded, UTF-8
 * @from: (element-type BuzonImapAddress): From
 * @sender: (element-type BuzonImapAddress): Sender
 * @reply_to: (element-type BuzonImapAddress): Reply-To
 * @to: (element-type BuzonImapAddress): To
 * @cc: (element-type BuzonImapAddress): Cc
 * @bcc: (element-type BuzonImapAddress): Bcc
 * @in_reply_to: (nullable): In-Reply-To, as sent
 * @message_id: (nullable): Message-ID, as sent
 *
 * A decoded ENVELOPE. Address lists are never %NULL (maybe empty).
 */
typedef struct
{
  char      *date_text;
  GDateTime *date;
  char      *subject;
  GPtrArray *from;
  GPtrArray *sender;
  GPtrArray *reply_to;
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  char      *in_reply_to;
  char      *message_id;
} BuzonImapEnvelope;

void               buzon_imap_envelope_free        (BuzonImapEnvelope *envelope);

typedef struct _BuzonImapBodyPart BuzonImapBodyPart;

/**
 * BuzonImapBodyPart:
 * @type: the media type, lower case (`text`, `multipart`, ...)
 * @subtype: the subtype, lower case (`plain`, `alternative`, ...)
 * @section: the part's section number for BODY[section] (`1.2`); `""` for
 *   the top multipart of a message, or the multipart inside a
 *   message/rfc822 part, which have none of their own
 * @params: (element-type utf8 utf8): Content-Type parameters, lower-case
 *   names (`charset`, `name`, `boundary`)
 * @charset: (nullable): the charset parameter
 * @id: (nullable): Content-ID
 * @description: (nullable): Content-Description
 * @encoding: (nullable): Content-Transfer-Encoding, lower case
 * @size: the size in octets of the (encoded) part
 * @lines: lines, for text and message/rfc822 parts
 * @disposition: (nullable): Content-Disposition, lower case
 * @disposition_params: (element-type utf8 utf8) (nullable): its parameters
 * @filename: (nullable): the file name, from the disposition's filename or
 *   the type's name parameter, RFC 2231 and RFC 2047 decoded
 * @envelope: (nullable): the envelope of a message/rfc822 part
 * @children: (element-type BuzonImapBodyPart): the parts of a multipart,
 *   or the one body of a message/rfc822 part; empty otherwise
 * @is_attachment: whether a mail client should show the part as an
 *   attachment (see buzon_imap_body_part_has_attachments())
 *
 * A decoded BODYSTRUCTURE (or BODY) node (RFC 3501 §7.4.2).
 */
struct _BuzonImapBodyPart
{
  char              *type;
  char              *subtype;
  char              *section;
  GHashTable        *params;
  char              *charset;
  char              *id;
  char              *description;
  char              *encoding;
  guint64            size;
  guint64            lines;
  char              *disposition;
  GHashTable        *disposition_params;
  char              *filename;
  BuzonImapEnvelope *envelope;
  GPtrArray         *children;
  gboolean           is_attachment;
};

void                     buzon_imap_body_part_free             (BuzonImapBodyPart       *part);
gboolean                 buzon_imap_body_part_is_type          (const BuzonImapBodyPart *part,
                                                                const char              *type,
                                                                const char              *subtype);
gboolean                 buzon_imap_body_part_has_attachments  (const BuzonImapBodyPart *part);
gboolean                 buzon_imap_body_part_has_alternative  (const BuzonImapBodyPart *part);
const BuzonImapBodyPart *buzon_imap_body_part_find_section     (const BuzonImapBodyPart *part,
                                                                const char              *section);
const BuzonImapBodyPart *buzon_imap_body_part_find_text        (const BuzonImapBodyPart *part,
                                                                const char              *subtype);

/**
 * BuzonImapFetchBody:
 * @section: the section spec between the brackets, as sent
 *   (`HEADER.FIELDS (REFERENCES)`, `1.2`, `""` for BODY[])
 * @binary: %TRUE for BINARY[section] (RFC 3516)
 * @has_origin: whether a partial fetch's `<origin>` was given
 * @origin: the origin octet of a partial fetch
 * @data: the data: a string value (maybe a literal spooled to a file) or NIL
 *
 * One `BODY[section]<origin>` item of a FETCH response.
 */
typedef struct
{
  char           *section;
  gboolean        binary;
  gboolean        has_origin;
  guint32         origin;
  BuzonImapValue *data;
} BuzonImapFetchBody;

/**
 * BuzonImapFetchItems:
 * @BUZON_IMAP_FETCH_UID: @uid is set
 * @BUZON_IMAP_FETCH_FLAGS: @flags and @system_flags are set
 * @BUZON_IMAP_FETCH_INTERNALDATE: @internal_date is set
 * @BUZON_IMAP_FETCH_RFC822_SIZE: @size is set
 * @BUZON_IMAP_FETCH_MODSEQ: @modseq is set
 * @BUZON_IMAP_FETCH_ENVELOPE: @envelope is set
 * @BUZON_IMAP_FETCH_BODYSTRUCTURE: @body is set (from BODYSTRUCTURE or BODY)
 * @BUZON_IMAP_FETCH_BODY_SECTION: @bodies holds at least one section
 */
typedef enum
{
  BUZON_IMAP_FETCH_UID           = 1 << 0,
  BUZON_IMAP_FETCH_FLAGS         = 1 << 1,
  BUZON_IMAP_FETCH_INTERNALDATE  = 1 << 2,
  BUZON_IMAP_FETCH_RFC822_SIZE   = 1 << 3,
  BUZON_IMAP_FETCH_MODSEQ        = 1 << 4,
  BUZON_IMAP_FETCH_ENVELOPE      = 1 << 5,
  BUZON_IMAP_FETCH_BODYSTRUCTURE = 1 << 6,
  BUZON_IMAP_FETCH_BODY_SECTION  = 1 << 7,
} BuzonImapFetchItems;

/**
 * BuzonImapFetch:
 * @seq: the message sequence number
 * @items: which fields below the response carried
 * @uid: UID
 * @flags: FLAGS as sent (`\Seen`, `$Junk`, ...)
 * @system_flags: the system flags among @flags
 * @internal_date: (nullable): INTERNALDATE
 * @size: RFC822.SIZE
 * @modseq: MODSEQ (CONDSTORE)
 * @envelope: (nullable): ENVELOPE
 * @body: (nullable): BODYSTRUCTURE, or BODY without a section
 * @bodies: (element-type BuzonImapFetchBody): BODY[...] / BINARY[...] items
 * @attributes: the whole msg-att list, for items not decoded here
 *   (X-GM-MSGID, PREVIEW, BINARY.SIZE, ...)
 *
 * A decoded `* n FETCH (...)` response (RFC 3501 §7.4.2).
 */
typedef struct
{
  guint32               seq;
  BuzonImapFetchItems   items;
  guint32               uid;
  GStrv                 flags;
  BuzonImapSystemFlags  system_flags;
  GDateTime            *internal_date;
  guint64               size;
  guint64               modseq;
  BuzonImapEnvelope    *envelope;
  BuzonImapBodyPart    *body;
  GPtrArray            *bodies;
  BuzonImapValue       *attributes;
} BuzonImapFetch;

BuzonImapFetch           *buzon_imap_response_parse_fetch  (const BuzonImapResponse *response,
                                                            GError                 **error)
                                                            G_GNUC_WARN_UNUSED_RESULT;
void                      buzon_imap_fetch_free            (BuzonImapFetch          *fetch);
const BuzonImapFetchBody *buzon_imap_fetch_get_body        (const BuzonImapFetch    *fetch,
                                                            const char              *section);
BuzonImapValue           *buzon_imap_fetch_get_attribute   (const BuzonImapFetch    *fetch,
                                                            const char              *name);

BuzonImapEnvelope        *buzon_imap_envelope_decode       (const BuzonImapValue    *value,
                                                            GError                 **error)
                                                            G_GNUC_WARN_UNUSED_RESULT;
BuzonImapBodyPart        *buzon_imap_body_part_decode      (const BuzonImapValue    *value,
                                                            GError                 **error)
                                                            G_GNUC_WARN_UNUSED_RESULT;
GDateTime                *buzon_imap_parse_internal_date   (const char              *text)
                                                            G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapEnvelope, buzon_imap_envelope_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapBodyPart, buzon_imap_body_part_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapFetch, buzon_imap_fetch_free)

G_END_DECLS
