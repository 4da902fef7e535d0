/* buzon-imap-uid-set.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Sequence sets (RFC 3501 §9 sequence-set, RFC 4315 uid-set): writing a list
 * of UIDs compactly (`1:5,7,9:12`) and reading them back, for commands
 * (UID FETCH, STORE, MOVE) and for what servers send (COPYUID, VANISHED,
 * ESEARCH ALL). */

#define G_LOG_DOMAIN "buzon-imap"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buzon-imap-error.h"
#include "buzon-imap-uid-set.h"

static int
compare_uids (gconstpointer a,
              gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* @star: write BUZON_IMAP_UID_STAR as `*` (parsed ranges), or as the number
 * it also is (UIDs, where 4294967295 is a valid UID). */
static void
append_range (GString                 *out,
              const BuzonImapUidRange *range,
              gboolean                 star)
{
  if (out->len > 0)
    g_string_append_c (out, ',');

  if (star && range->first == BUZON_IMAP_UID_STAR)
    g_string_append_c (out, '*');
  else
    g_string_append_printf (out, "%u", range->first);

  if (range->last != range->first)
    {
      if (star && range->last == BUZON_IMAP_UID_STAR)
        g_string_append (out, ":*");
      else
        g_string_append_printf (out, ":%u", range->last);
    }
}

/**
 * buzon_imap_uid_set_format:
 * @uids: (array length=n_uids): UIDs in any order, duplicates allowed
 * @n_uids: how many
 *
 * Writes the UIDs as a sequence set, sorted, each run of consecutive UIDs
 * as a range: `{9, 1, 2, 3, 4, 5, 7, 10, 11, 12}` gives `1:5,7,9:12`. Zeros
 * (not UIDs, RFC 3501 §2.3.1.1) are left out.
 *
 * Returns: (transfer full) (nullable): the set, or %NULL when there is no
 *   UID to write
 */
char *
buzon_imap_uid_set_format (const guint32 *uids,
                           gsize          n_uids)
{
  g_autofree guint32 *sorted = NULL;
  GString *out;
  gsize i = 0;

  g_return_val_if_fail (uids != NULL || n_uids == 0, NULL);

  if (n_uids == 0)
    return NULL;

  sorted = g_memdup2 (uids, n_uids * sizeof (guint32));
  qsort (sorted, n_uids, sizeof (guint32), compare_uids);

  while (i < n_uids && sorted[i] == 0)
    i++;
  if (i == n_uids)
    return NULL;

  out = g_string_new (NULL);
  while (i < n_uids)
    {
      BuzonImapUidRange range = { sorted[i], sorted[i] };

      while (i + 1 < n_uids &&
             (sorted[i + 1] == range.last || sorted[i + 1] == range.last + 1))
        range.last = sorted[++i];
      i++;
      append_range (out, &range, FALSE);
    }

  return g_string_free (out, FALSE);
}

/**
 * buzon_imap_uid_set_format_ranges:
 * @ranges: (array length=n_ranges): ranges, written in this order
 * @n_ranges: how many
 *
 * Writes ranges as they are, such as those of a parsed set; a range whose
 * last is %BUZON_IMAP_UID_STAR is written `n:*`.
 *
 * Returns: (transfer full) (nullable): the set, or %NULL for no ranges
 */
char *
buzon_imap_uid_set_format_ranges (const BuzonImapUidRange *ranges,
                                  gsize                    n_ranges)
{
  GString *out;

  g_return_val_if_fail (ranges != NULL || n_ranges == 0, NULL);

  if (n_ranges == 0)
    return NULL;

  out = g_string_new (NULL);
  for (gsize i = 0; i < n_ranges; i++)
    append_range (out, &ranges[i], TRUE);
  return g_string_free (out, FALSE);
}

static gboolean
parse_number (const char **p,
              const char  *end,
              gboolean     allow_star,
              guint32     *number)
{
  guint64 value = 0;
  const char *begin = *p;

  if (*p < end && **p == '*')
    {
      if (!allow_star)
        return FALSE;
      (*p)++;
      *number = BUZON_IMAP_UID_STAR;
      return TRUE;
    }

  /* nz-number: no leading zero, no zero. */
  if (*p == end || **p < '1' || **p > '9')
    return FALSE;
  while (*p < end && g_ascii_isdigit (**p))
    {
      value = value * 10 + (**p - '0');
      if (value > G_MAXUINT32 || *p - begin >= 10)
        return FALSE;
      (*p)++;
    }
  *number = (guint32) value;
  return TRUE;
}

/**
 * buzon_imap_uid_set_parse:
 * @text: a sequence set such as `1:5,7,9:*`
 * @length: its length, or -1 when NUL-terminated
 * @allow_star: whether `*` may appear (not in COPYUID, VANISHED or
 *   ESEARCH's ALL)
 * @error: return location for a #GError
 *
 * Reads a sequence set. Ranges keep their order (COPYUID's two sets
 * correspond in order); a range written backwards (`7:3`) is stored as
 * `3:7`; `*` becomes %BUZON_IMAP_UID_STAR.
 *
 * Returns: (transfer full) (element-type BuzonImapUidRange): the ranges, or
 *   %NULL with @error set (%BUZON_IMAP_ERROR_INVALID)
 */
GArray *
buzon_imap_uid_set_parse (const char  *text,
                          gssize       length,
                          gboolean     allow_star,
                          GError     **error)
{
  g_autoptr(GArray) ranges = NULL;
  const char *p, *end;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (text);
  p = text;
  end = text + length;
  ranges = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));

  for (;;)
    {
      BuzonImapUidRange range;

      if (!parse_number (&p, end, allow_star, &range.first))
        goto invalid;
      range.last = range.first;
      if (p < end && *p == ':')
        {
          p++;
          if (!parse_number (&p, end, allow_star, &range.last))
            goto invalid;
        }
      if (range.first > range.last)
        {
          guint32 swap = range.first;

          range.first = range.last;
          range.last = swap;
        }
      g_array_append_val (ranges, range);

      if (p < end && *p == ',')
        p++;
      else
        break;
    }

  if (p != end)
    goto invalid;
  return g_steal_pointer (&ranges);

invalid:
  g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID,
               "Invalid IMAP sequence set at position %" G_GSIZE_FORMAT,
               (gsize) (p - text));
  return NULL;
}

/**
 * buzon_imap_uid_set_count:
 * @ranges: (element-type BuzonImapUidRange): parsed ranges
 *
 * Returns: how many numbers the ranges cover (overlaps counted twice)
 */
guint64
buzon_imap_uid_set_count (const GArray *ranges)
{
  guint64 count = 0;

  g_return_val_if_fail (ranges != NULL, 0);

  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      count += (guint64) range->last - range->first + 1;
    }
  return count;
}

/**
 * buzon_imap_uid_set_expand:
 * @ranges: (element-type BuzonImapUidRange): parsed ranges, without `*`
 * @max_uids: the most UIDs to produce; a server's `1:4294967295` must not
 *   become 16 GiB of memory
 * @error: return location for a #GError
 *
 * Lists every UID of the ranges, in their order (for pairing COPYUID's
 * source and destination UIDs one by one).
 *
 * Returns: (transfer full) (element-type guint32): the UIDs, or %NULL with
 *   @error set when there would be more than @max_uids or a range has `*`
 */
GArray *
buzon_imap_uid_set_expand (const GArray  *ranges,
                           gsize          max_uids,
                           GError       **error)
{
  g_autoptr(GArray) uids = NULL;
  guint64 count;

  g_return_val_if_fail (ranges != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  count = buzon_imap_uid_set_count (ranges);
  if (count > max_uids)
    {
      g_set_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_TOO_BIG,
                   "IMAP sequence set of %" G_GUINT64_FORMAT " numbers is over the limit of %"
                   G_GSIZE_FORMAT, count, max_uids);
      return NULL;
    }

  uids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), (guint) count);
  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      if (range->last == BUZON_IMAP_UID_STAR)
        {
          g_set_error_literal (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID,
                               "Cannot expand an IMAP sequence set with '*'");
          return NULL;
        }
      for (guint64 uid = range->first; uid <= range->last; uid++)
        {
          guint32 value = (guint32) uid;

          g_array_append_val (uids, value);
        }
    }

  return g_steal_pointer (&uids);
}

/**
 * buzon_imap_uid_set_contains:
 * @ranges: (element-type BuzonImapUidRange): parsed ranges
 * @uid: a UID
 *
 * Returns: whether one of the ranges covers @uid
 */
gboolean
buzon_imap_uid_set_contains (const GArray *ranges,
                             guint32       uid)
{
  g_return_val_if_fail (ranges != NULL, FALSE);

  for (guint i = 0; i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);

      if (uid >= range->first && uid <= range->last)
        return TRUE;
    }
  return FALSE;
}
