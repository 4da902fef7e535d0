/* buzon-compose-build.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A draft to the bytes that go after SMTP's DATA, and the envelope that
 * goes with them. */

#pragma once

#include "buzon-compose-draft.h"

G_BEGIN_DECLS

/**
 * BuzonComposeResult:
 * @raw: the message, RFC 5322 with MIME, every line ended by CRLF (not yet
 *   dot-stuffed: that is the SMTP layer's)
 * @recipients: (array zero-terminated=1): the envelope's RCPT TO addresses:
 *   To, Cc and Bcc, each once (compared without case), in that order
 * @envelope_from: the MAIL FROM address: the draft's from address
 * @message_id: the Message-ID given to the message, without angle brackets
 * @needs_smtputf8: %TRUE when an address has a non-ASCII local part, or a
 *   non-ASCII domain that cannot be written in IDNA: only a server with
 *   SMTPUTF8 (RFC 6531) can take it
 * @size: the size of @raw in octets
 */
typedef struct
{
  GBytes    *raw;
  char     **recipients;
  char      *envelope_from;
  char      *message_id;
  gboolean   needs_smtputf8;
  gsize      size;
} BuzonComposeResult;

void                buzon_compose_result_free (BuzonComposeResult      *result);

G_GNUC_WARN_UNUSED_RESULT
BuzonComposeResult *buzon_compose_build       (const BuzonComposeDraft *draft,
                                               GDateTime               *date,
                                               GError                 **error);

G_GNUC_WARN_UNUSED_RESULT
GBytes             *buzon_compose_build_draft (const BuzonComposeDraft *draft,
                                               GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonComposeResult, buzon_compose_result_free)

G_END_DECLS
