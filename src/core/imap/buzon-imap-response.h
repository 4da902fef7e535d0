/* buzon-imap-response.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "buzon-imap-value.h"

G_BEGIN_DECLS

/**
 * BuzonImapResponseKind:
 * @BUZON_IMAP_RESPONSE_CONTINUATION: `+ text` (RFC 3501 §7.5): the server
 *   waits for a literal's data, the next step of AUTHENTICATE, or is idling
 * @BUZON_IMAP_RESPONSE_UNTAGGED: `* ...`, which may arrive at any time
 * @BUZON_IMAP_RESPONSE_TAGGED: `tag OK|NO|BAD ...`, a command's completion
 */
typedef enum
{
  BUZON_IMAP_RESPONSE_CONTINUATION,
  BUZON_IMAP_RESPONSE_UNTAGGED,
  BUZON_IMAP_RESPONSE_TAGGED,
} BuzonImapResponseKind;

/**
 * BuzonImapCondition:
 * @BUZON_IMAP_CONDITION_NONE: not a status response (a data response or a
 *   continuation)
 * @BUZON_IMAP_CONDITION_OK: `OK`
 * @BUZON_IMAP_CONDITION_NO: `NO`
 * @BUZON_IMAP_CONDITION_BAD: `BAD`
 * @BUZON_IMAP_CONDITION_PREAUTH: `PREAUTH` (greeting only)
 * @BUZON_IMAP_CONDITION_BYE: `BYE`: the server is closing the connection
 */
typedef enum
{
  BUZON_IMAP_CONDITION_NONE,
  BUZON_IMAP_CONDITION_OK,
  BUZON_IMAP_CONDITION_NO,
  BUZON_IMAP_CONDITION_BAD,
  BUZON_IMAP_CONDITION_PREAUTH,
  BUZON_IMAP_CONDITION_BYE,
} BuzonImapCondition;

#define BUZON_TYPE_IMAP_RESPONSE (buzon_imap_response_get_type ())

typedef struct _BuzonImapResponse BuzonImapResponse;

GType                  buzon_imap_response_get_type       (void) G_GNUC_CONST;
BuzonImapResponse     *buzon_imap_response_ref            (BuzonImapResponse *self);
void                   buzon_imap_response_unref          (BuzonImapResponse *self);

BuzonImapResponseKind  buzon_imap_response_get_kind       (const BuzonImapResponse *self);
const char            *buzon_imap_response_get_tag        (const BuzonImapResponse *self);
const char            *buzon_imap_response_get_name       (const BuzonImapResponse *self);
gboolean               buzon_imap_response_is_named       (const BuzonImapResponse *self,
                                                           const char              *name);
gboolean               buzon_imap_response_get_number     (const BuzonImapResponse *self,
                                                           guint32                 *number);
BuzonImapCondition     buzon_imap_response_get_condition  (const BuzonImapResponse *self);
const char            *buzon_imap_response_get_code       (const BuzonImapResponse *self);
const char            *buzon_imap_response_get_code_text  (const BuzonImapResponse *self);
BuzonImapValue        *buzon_imap_response_get_code_args  (const BuzonImapResponse *self);
gboolean               buzon_imap_response_get_code_number (const BuzonImapResponse *self,
                                                            guint64                 *number);
const char            *buzon_imap_response_get_text       (const BuzonImapResponse *self);
BuzonImapValue        *buzon_imap_response_get_args       (const BuzonImapResponse *self);
char                  *buzon_imap_response_to_string      (const BuzonImapResponse *self)
                                                           G_GNUC_WARN_UNUSED_RESULT;

/* CAPABILITY, ENABLED, FLAGS, PERMANENTFLAGS */
GStrv                  buzon_imap_response_parse_capability (const BuzonImapResponse *self,
                                                             GError                 **error)
                                                             G_GNUC_WARN_UNUSED_RESULT;
GStrv                  buzon_imap_response_parse_enabled  (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;
GStrv                  buzon_imap_response_parse_flags    (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;

/* UIDPLUS: APPENDUID and COPYUID response codes (RFC 4315 §3). */

/**
 * BuzonImapCopyUid:
 * @uidvalidity: UIDVALIDITY of the destination mailbox
 * @source_uids: (element-type BuzonImapUidRange) (nullable): the copied or
 *   moved messages' UIDs in the source mailbox; %NULL for APPENDUID
 * @dest_uids: (element-type BuzonImapUidRange): their UIDs in the
 *   destination, in the same order
 */
typedef struct
{
  guint32  uidvalidity;
  GArray  *source_uids;
  GArray  *dest_uids;
} BuzonImapCopyUid;

BuzonImapCopyUid      *buzon_imap_response_parse_copyuid  (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;
void                   buzon_imap_copy_uid_free           (BuzonImapCopyUid        *copy_uid);

/* CONDSTORE: the MODIFIED response code (RFC 7162 §3.1.3). */
GArray                *buzon_imap_response_parse_modified (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;

/* LIST / LSUB with LIST-EXTENDED, CHILDREN and SPECIAL-USE attributes. */

/**
 * BuzonImapMailboxFlags:
 * @BUZON_IMAP_MAILBOX_NOSELECT: `\Noselect`
 * @BUZON_IMAP_MAILBOX_NOINFERIORS: `\Noinferiors`
 * @BUZON_IMAP_MAILBOX_HAS_CHILDREN: `\HasChildren` (RFC 3348)
 * @BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN: `\HasNoChildren`
 * @BUZON_IMAP_MAILBOX_MARKED: `\Marked`
 * @BUZON_IMAP_MAILBOX_UNMARKED: `\Unmarked`
 * @BUZON_IMAP_MAILBOX_NONEXISTENT: `\NonExistent` (RFC 5258)
 * @BUZON_IMAP_MAILBOX_SUBSCRIBED: `\Subscribed` (RFC 5258)
 * @BUZON_IMAP_MAILBOX_REMOTE: `\Remote` (RFC 5258)
 * @BUZON_IMAP_MAILBOX_ALL: `\All` (RFC 6154)
 * @BUZON_IMAP_MAILBOX_ARCHIVE: `\Archive`
 * @BUZON_IMAP_MAILBOX_DRAFTS: `\Drafts`
 * @BUZON_IMAP_MAILBOX_FLAGGED: `\Flagged`
 * @BUZON_IMAP_MAILBOX_JUNK: `\Junk`
 * @BUZON_IMAP_MAILBOX_SENT: `\Sent`
 * @BUZON_IMAP_MAILBOX_TRASH: `\Trash`
 * @BUZON_IMAP_MAILBOX_IMPORTANT: `\Important` (RFC 8457)
 *
 * Mailbox attributes a LIST response may carry, compared case-insensitively.
 */
typedef enum
{
  BUZON_IMAP_MAILBOX_NOSELECT        = 1 << 0,
  BUZON_IMAP_MAILBOX_NOINFERIORS     = 1 << 1,
  BUZON_IMAP_MAILBOX_HAS_CHILDREN    = 1 << 2,
  BUZON_IMAP_MAILBOX_HAS_NO_CHILDREN = 1 << 3,
  BUZON_IMAP_MAILBOX_MARKED          = 1 << 4,
  BUZON_IMAP_MAILBOX_UNMARKED        = 1 << 5,
  BUZON_IMAP_MAILBOX_NONEXISTENT     = 1 << 6,
  BUZON_IMAP_MAILBOX_SUBSCRIBED      = 1 << 7,
  BUZON_IMAP_MAILBOX_REMOTE          = 1 << 8,
  BUZON_IMAP_MAILBOX_ALL             = 1 << 9,
  BUZON_IMAP_MAILBOX_ARCHIVE         = 1 << 10,
  BUZON_IMAP_MAILBOX_DRAFTS          = 1 << 11,
  BUZON_IMAP_MAILBOX_FLAGGED         = 1 << 12,
  BUZON_IMAP_MAILBOX_JUNK            = 1 << 13,
  BUZON_IMAP_MAILBOX_SENT            = 1 << 14,
  BUZON_IMAP_MAILBOX_TRASH           = 1 << 15,
  BUZON_IMAP_MAILBOX_IMPORTANT       = 1 << 16,
} BuzonImapMailboxFlags;

/**
 * BUZON_IMAP_MAILBOX_SPECIAL_USE_MASK:
 *
 * The SPECIAL-USE bits of #BuzonImapMailboxFlags.
 */
#define BUZON_IMAP_MAILBOX_SPECIAL_USE_MASK \
  (BUZON_IMAP_MAILBOX_ALL | BUZON_IMAP_MAILBOX_ARCHIVE | BUZON_IMAP_MAILBOX_DRAFTS | \
   BUZON_IMAP_MAILBOX_FLAGGED | BUZON_IMAP_MAILBOX_JUNK | BUZON_IMAP_MAILBOX_SENT | \
   BUZON_IMAP_MAILBOX_TRASH | BUZON_IMAP_MAILBOX_IMPORTANT)

/**
 * BuzonImapListEntry:
 * @name: the mailbox name as the server sent it (modified UTF-7 unless
 *   UTF8=ACCEPT is on); send this back in commands
 * @display_name: the name in UTF-8: decoded from modified UTF-7 when it is
 *   valid modified UTF-7, otherwise the name made valid UTF-8
 * @delimiter: the hierarchy delimiter, or `'\0'` when the server said NIL
 *   (a flat namespace)
 * @attributes: the attributes as sent, such as `\HasNoChildren`
 * @flags: the attributes Buzón knows, as bits
 * @lsub: %TRUE for an LSUB response
 *
 * One `* LIST` or `* LSUB` response (RFC 3501 §7.2.2, RFC 5258, RFC 6154).
 */
typedef struct
{
  char                  *name;
  char                  *display_name;
  char                   delimiter;
  GStrv                  attributes;
  BuzonImapMailboxFlags  flags;
  gboolean               lsub;
} BuzonImapListEntry;

BuzonImapListEntry    *buzon_imap_response_parse_list     (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;
void                   buzon_imap_list_entry_free         (BuzonImapListEntry      *entry);

/* STATUS (RFC 3501 §7.2.4, CONDSTORE HIGHESTMODSEQ, STATUS=SIZE). */

/**
 * BuzonImapStatusItems:
 * @BUZON_IMAP_STATUS_MESSAGES: @messages is set
 * @BUZON_IMAP_STATUS_RECENT: @recent is set
 * @BUZON_IMAP_STATUS_UIDNEXT: @uidnext is set
 * @BUZON_IMAP_STATUS_UIDVALIDITY: @uidvalidity is set
 * @BUZON_IMAP_STATUS_UNSEEN: @unseen is set
 * @BUZON_IMAP_STATUS_HIGHESTMODSEQ: @highestmodseq is set
 * @BUZON_IMAP_STATUS_SIZE: @size is set
 *
 * Which items a STATUS response carried.
 */
typedef enum
{
  BUZON_IMAP_STATUS_MESSAGES      = 1 << 0,
  BUZON_IMAP_STATUS_RECENT        = 1 << 1,
  BUZON_IMAP_STATUS_UIDNEXT       = 1 << 2,
  BUZON_IMAP_STATUS_UIDVALIDITY   = 1 << 3,
  BUZON_IMAP_STATUS_UNSEEN        = 1 << 4,
  BUZON_IMAP_STATUS_HIGHESTMODSEQ = 1 << 5,
  BUZON_IMAP_STATUS_SIZE          = 1 << 6,
} BuzonImapStatusItems;

/**
 * BuzonImapMailboxStatus:
 * @name: the mailbox name as sent
 * @items: which of the fields below the response carried
 * @messages: MESSAGES
 * @recent: RECENT
 * @uidnext: UIDNEXT
 * @uidvalidity: UIDVALIDITY
 * @unseen: UNSEEN
 * @highestmodseq: HIGHESTMODSEQ (CONDSTORE)
 * @size: SIZE (STATUS=SIZE, RFC 8438)
 */
typedef struct
{
  char                 *name;
  BuzonImapStatusItems  items;
  guint32               messages;
  guint32               recent;
  guint32               uidnext;
  guint32               uidvalidity;
  guint32               unseen;
  guint64               highestmodseq;
  guint64               size;
} BuzonImapMailboxStatus;

BuzonImapMailboxStatus *buzon_imap_response_parse_status  (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;
void                   buzon_imap_mailbox_status_free     (BuzonImapMailboxStatus  *status);

/* SEARCH (with CONDSTORE's MODSEQ) and ESEARCH (RFC 4731). */
GArray                *buzon_imap_response_parse_search   (const BuzonImapResponse *self,
                                                           guint64                 *modseq,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;

/**
 * BuzonImapEsearchItems:
 * @BUZON_IMAP_ESEARCH_MIN: @min is set
 * @BUZON_IMAP_ESEARCH_MAX: @max is set
 * @BUZON_IMAP_ESEARCH_COUNT: @count is set
 * @BUZON_IMAP_ESEARCH_ALL: @all is set
 * @BUZON_IMAP_ESEARCH_MODSEQ: @modseq is set
 */
typedef enum
{
  BUZON_IMAP_ESEARCH_MIN    = 1 << 0,
  BUZON_IMAP_ESEARCH_MAX    = 1 << 1,
  BUZON_IMAP_ESEARCH_COUNT  = 1 << 2,
  BUZON_IMAP_ESEARCH_ALL    = 1 << 3,
  BUZON_IMAP_ESEARCH_MODSEQ = 1 << 4,
} BuzonImapEsearchItems;

/**
 * BuzonImapEsearch:
 * @tag: (nullable): the tag of the command it answers
 * @uid: %TRUE when the numbers are UIDs
 * @items: which of the fields below were present
 * @min: MIN
 * @max: MAX
 * @count: COUNT
 * @all: (element-type BuzonImapUidRange) (nullable): ALL
 * @modseq: MODSEQ
 */
typedef struct
{
  char                  *tag;
  gboolean               uid;
  BuzonImapEsearchItems  items;
  guint32                min;
  guint32                max;
  guint32                count;
  GArray                *all;
  guint64                modseq;
} BuzonImapEsearch;

BuzonImapEsearch      *buzon_imap_response_parse_esearch  (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;
void                   buzon_imap_esearch_free            (BuzonImapEsearch        *esearch);

/* QRESYNC VANISHED (RFC 7162 §3.2.10). */
GArray                *buzon_imap_response_parse_vanished (const BuzonImapResponse *self,
                                                           gboolean                *earlier,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;

/* QUOTA and QUOTAROOT (RFC 9208). */

/**
 * BuzonImapQuotaResource:
 * @name: the resource name, upper case (`STORAGE` is in KiB, `MESSAGE`...)
 * @usage: current usage
 * @limit: the limit
 */
typedef struct
{
  char    *name;
  guint64  usage;
  guint64  limit;
} BuzonImapQuotaResource;

/**
 * BuzonImapQuota:
 * @root: the quota root name
 * @resources: (element-type BuzonImapQuotaResource): its resources
 */
typedef struct
{
  char   *root;
  GArray *resources;
} BuzonImapQuota;

BuzonImapQuota        *buzon_imap_response_parse_quota    (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;
void                   buzon_imap_quota_free              (BuzonImapQuota          *quota);
GStrv                  buzon_imap_response_parse_quotaroot (const BuzonImapResponse *self,
                                                            char                   **mailbox,
                                                            GError                 **error)
                                                            G_GNUC_WARN_UNUSED_RESULT;

/* ID (RFC 2971). */
GHashTable            *buzon_imap_response_parse_id       (const BuzonImapResponse *self,
                                                           GError                 **error)
                                                           G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapResponse, buzon_imap_response_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapCopyUid, buzon_imap_copy_uid_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapListEntry, buzon_imap_list_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapMailboxStatus, buzon_imap_mailbox_status_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapEsearch, buzon_imap_esearch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonImapQuota, buzon_imap_quota_free)

G_END_DECLS
