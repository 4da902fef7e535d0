/* buzon-compose-draft.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A message being written, as the composer, the CLI's `send` and the
 * outbox hold it: the fields as the user typed them (recipients are still
 * comma-separated text), the body as plain UTF-8, attachments as bytes.
 * Nothing in it is encoded yet; buzon_compose_build() turns it into the
 * RFC 5322 bytes to send. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * BUZON_COMPOSE_ERROR:
 *
 * The error domain of composing. Its messages are sentences for the user.
 */
#define BUZON_COMPOSE_ERROR (buzon_compose_error_quark ())

/**
 * BuzonComposeError:
 * @BUZON_COMPOSE_ERROR_INVALID_ADDRESS: a recipient, the sender or the
 *   reply-to address is not an email address; the message quotes it
 * @BUZON_COMPOSE_ERROR_NO_RECIPIENTS: the draft has no recipient at all
 * @BUZON_COMPOSE_ERROR_NO_SENDER: the draft has no from address
 * @BUZON_COMPOSE_ERROR_INVALID_MESSAGE: the message to forward or an
 *   attachment cannot be used
 */
typedef enum
{
  BUZON_COMPOSE_ERROR_INVALID_ADDRESS,
  BUZON_COMPOSE_ERROR_NO_RECIPIENTS,
  BUZON_COMPOSE_ERROR_NO_SENDER,
  BUZON_COMPOSE_ERROR_INVALID_MESSAGE,
} BuzonComposeError;

GQuark buzon_compose_error_quark (void);

/**
 * BuzonComposeAttachment:
 * @filename: the file name the recipient sees, UTF-8
 * @content_type: a MIME type such as "application/pdf"
 * @data: the file's bytes
 *
 * One attached file.
 */
typedef struct
{
  char   *filename;
  char   *content_type;
  GBytes *data;
} BuzonComposeAttachment;

/**
 * BuzonComposeDraft:
 * @from_name: (nullable): the sender's display name
 * @from_address: (nullable): the sender's address; required to build
 * @to: (nullable): the To recipients as typed: comma-separated addresses,
 *   each maybe with a name ("José Núñez <jose@example.com>, ana@example.com")
 * @cc: (nullable): the Cc recipients, likewise
 * @bcc: (nullable): the Bcc recipients, likewise; they get the message but
 *   no header names them
 * @reply_to: (nullable): where replies should go, likewise
 * @subject: (nullable): the subject
 * @body: (nullable): the text, UTF-8, lines ended by "\n" (or "\r\n")
 * @signature: (nullable): a signature, appended after the "-- " line
 * @attachments: (element-type BuzonComposeAttachment): the files, in order
 * @in_reply_to: (nullable): the Message-ID this replies to, without angle
 *   brackets
 * @references: (nullable) (array zero-terminated=1): the Message-IDs of
 *   the thread, oldest first, without angle brackets
 * @forwarded: (nullable): a whole message (RFC 5322 bytes) to attach as
 *   message/rfc822, unchanged
 *
 * The fields are public: set them directly (the strings and the bytes are
 * owned by the draft) or with the helpers below.
 */
typedef struct
{
  char       *from_name;
  char       *from_address;
  char       *to;
  char       *cc;
  char       *bcc;
  char       *reply_to;
  char       *subject;
  char       *body;
  char       *signature;
  GPtrArray  *attachments;
  char       *in_reply_to;
  char      **references;
  GBytes     *forwarded;
} BuzonComposeDraft;

G_GNUC_WARN_UNUSED_RESULT
BuzonComposeAttachment *buzon_compose_attachment_new  (const char                   *filename,
                                                       const char                   *content_type,
                                                       GBytes                       *data);
G_GNUC_WARN_UNUSED_RESULT
BuzonComposeAttachment *buzon_compose_attachment_copy (const BuzonComposeAttachment *attachment);
void                    buzon_compose_attachment_free (BuzonComposeAttachment       *attachment);

G_GNUC_WARN_UNUSED_RESULT
BuzonComposeDraft *buzon_compose_draft_new                  (void);
G_GNUC_WARN_UNUSED_RESULT
BuzonComposeDraft *buzon_compose_draft_copy                 (const BuzonComposeDraft *draft);
void               buzon_compose_draft_free                 (BuzonComposeDraft       *draft);

void               buzon_compose_draft_set_from             (BuzonComposeDraft       *draft,
                                                             const char              *name,
                                                             const char              *address);
BuzonComposeAttachment *
                   buzon_compose_draft_add_attachment       (BuzonComposeDraft       *draft,
                                                             const char              *filename,
                                                             const char              *content_type,
                                                             GBytes                  *data);
BuzonComposeAttachment *
                   buzon_compose_draft_add_attachment_from_file (BuzonComposeDraft   *draft,
                                                             GFile                   *file,
                                                             GCancellable            *cancellable,
                                                             GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonComposeAttachment, buzon_compose_attachment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonComposeDraft, buzon_compose_draft_free)

G_END_DECLS
