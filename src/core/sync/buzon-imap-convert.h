/* buzon-imap-convert.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* From what IMAP says to what the store keeps: FETCH responses to message
 * summaries, flags both ways, LIST entries to folders (special use, with a
 * fallback on well-known names for servers without SPECIAL-USE). Pure
 * functions, unit-tested in tests/unit/test-imap-convert.c. */

#pragma once

#include "buzon-imap-fetch.h"
#include "buzon-imap-session.h"
#include "buzon-store-records.h"

G_BEGIN_DECLS

G_GNUC_WARN_UNUSED_RESULT
BuzonMessageSummary *buzon_imap_summary_from_fetch  (const BuzonImapFetch    *fetch,
                                                     gint64                   folder_id);
BuzonMessageFlags    buzon_imap_flags_to_store      (BuzonImapSystemFlags     flags);
G_GNUC_WARN_UNUSED_RESULT
char                *buzon_imap_keywords_from_flags (const char * const      *flags);
G_GNUC_WARN_UNUSED_RESULT
GStrv                buzon_imap_flags_from_store    (BuzonMessageFlags        flags);
BuzonSpecialUse      buzon_imap_special_use         (const BuzonImapMailbox  *mailbox,
                                                     gboolean                 by_name);
G_GNUC_WARN_UNUSED_RESULT
char                *buzon_imap_attributes_string   (BuzonImapMailboxFlags    flags);
G_GNUC_WARN_UNUSED_RESULT
BuzonFolder         *buzon_imap_folder_from_mailbox (const BuzonImapMailbox  *mailbox,
                                                     gint64                   account_id,
                                                     gboolean                 by_name);
G_GNUC_WARN_UNUSED_RESULT
char                *buzon_imap_format_addresses    (GPtrArray               *addresses);

G_END_DECLS
