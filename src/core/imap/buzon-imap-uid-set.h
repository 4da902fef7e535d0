/* buzon-imap-uid-set.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * BUZON_IMAP_UID_STAR:
 *
 * What `*` ("the largest number in use", RFC 3501 §9 seq-number) stands for
 * in a parsed #BuzonImapUidRange.
 */
#define BUZON_IMAP_UID_STAR G_MAXUINT32

/**
 * BuzonImapUidRange:
 * @first: the first UID (or sequence number) of the range
 * @last: the last one, `>= @first`; %BUZON_IMAP_UID_STAR for `*`
 *
 * One element of a sequence set, such as `7` (first = last = 7) or `9:12`.
 * Ranges written backwards (`12:9`) are stored in order.
 */
typedef struct
{
  guint32 first;
  guint32 last;
} BuzonImapUidRange;

char    *buzon_imap_uid_set_format        (const guint32 *uids,
                                           gsize          n_uids) G_GNUC_WARN_UNUSED_RESULT;
char    *buzon_imap_uid_set_format_ranges (const BuzonImapUidRange *ranges,
                                           gsize          n_ranges) G_GNUC_WARN_UNUSED_RESULT;
GArray  *buzon_imap_uid_set_parse         (const char    *text,
                                           gssize         length,
                                           gboolean       allow_star,
                                           GError       **error) G_GNUC_WARN_UNUSED_RESULT;
guint64  buzon_imap_uid_set_count         (const GArray  *ranges);
GArray  *buzon_imap_uid_set_expand        (const GArray  *ranges,
                                           gsize          max_uids,
                                           GError       **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean buzon_imap_uid_set_contains      (const GArray  *ranges,
                                           guint32        uid);

G_END_DECLS
