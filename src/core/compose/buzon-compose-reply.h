/* buzon-compose-reply.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Drafts that start from a message the user has: a reply, which quotes it
 * and threads under it (RFC 5322 §3.6.4), and a forward, which passes it
 * on, as text or whole. */

#pragma once

#include <gmime/gmime.h>

#include "buzon-compose-draft.h"

G_BEGIN_DECLS

/* At most this many Message-IDs in a reply's References: the thread's
 * first and its last BUZON_COMPOSE_MAX_REFERENCES - 1 (RFC 5322 §3.6.4
 * lets the middle go). */
#define BUZON_COMPOSE_MAX_REFERENCES 11

/**
 * BuzonComposeReplyMode:
 * @BUZON_COMPOSE_REPLY: to the sender (or the Reply-To) only
 * @BUZON_COMPOSE_REPLY_ALL: also to the other recipients, on Cc
 */
typedef enum
{
  BUZON_COMPOSE_REPLY,
  BUZON_COMPOSE_REPLY_ALL,
} BuzonComposeReplyMode;

/**
 * BuzonComposeForwardMode:
 * @BUZON_COMPOSE_FORWARD_INLINE: the original's text in the body, under a
 *   header block, and its attachments attached again
 * @BUZON_COMPOSE_FORWARD_ATTACHMENT: the original message attached whole
 *   (message/rfc822) and an empty body
 */
typedef enum
{
  BUZON_COMPOSE_FORWARD_INLINE,
  BUZON_COMPOSE_FORWARD_ATTACHMENT,
} BuzonComposeForwardMode;

G_GNUC_WARN_UNUSED_RESULT
BuzonComposeDraft *buzon_compose_reply            (GMimeMessage            *original,
                                                   BuzonComposeReplyMode    mode,
                                                   const char * const      *own_addresses,
                                                   const char              *from_name,
                                                   const char              *from_address);
G_GNUC_WARN_UNUSED_RESULT
BuzonComposeDraft *buzon_compose_forward          (GMimeMessage            *original,
                                                   BuzonComposeForwardMode  mode,
                                                   const char              *from_name,
                                                   const char              *from_address);

G_GNUC_WARN_UNUSED_RESULT
char              *buzon_compose_reply_subject    (const char              *subject);
G_GNUC_WARN_UNUSED_RESULT
char              *buzon_compose_forward_subject  (const char              *subject);
G_GNUC_WARN_UNUSED_RESULT
char             **buzon_compose_reply_references (const char * const      *references,
                                                   const char              *in_reply_to,
                                                   const char              *message_id);
G_GNUC_WARN_UNUSED_RESULT
char              *buzon_compose_quote            (const char              *text,
                                                   const char              *attribution);

G_END_DECLS
