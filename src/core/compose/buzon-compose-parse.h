/* buzon-compose-parse.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Drafts from elsewhere: a mailto: link (RFC 6068), and a message kept in
 * a Drafts folder, read back to be written on. */

#pragma once

#include <gmime/gmime.h>

#include "buzon-compose-draft.h"

G_BEGIN_DECLS

G_GNUC_WARN_UNUSED_RESULT
GMimeMessage      *buzon_compose_parse_message           (GBytes        *raw);
G_GNUC_WARN_UNUSED_RESULT
BuzonComposeDraft *buzon_compose_draft_new_from_mailto   (const char    *uri,
                                                          GError       **error);
G_GNUC_WARN_UNUSED_RESULT
BuzonComposeDraft *buzon_compose_draft_new_from_message  (GMimeMessage  *message);

G_END_DECLS
