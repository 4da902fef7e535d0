/* buzon-mime-summary.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-mime"

#include "config.h"

#include <string.h>

#include "buzon-mime-private.h"
#include "buzon-mime-summary.h"
#include "buzon-mime-text.h"

/* Deeper than any real message; bounds the walk over hostile ones. */
#define MAX_DEPTH 32

#define PREVIEW_CHARS 200

static char *
format_addresses (InternetAddressList *list)
{
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;

  return internet_address_list_to_string (list, NULL, FALSE);
}

/* A header's value, unfolded and trimmed; NULL when absent or empty. */
static char *
dup_header (GMimeMessage *message,
            const char   *name)
{
  const char *value = g_mime_object_get_header (GMIME_OBJECT (message), name);
  g_autofree char *unfolded = NULL;

  if (value == NULL)
    return NULL;

  unfolded = g_mime_utils_header_unfold (value);
  g_strstrip (unfolded);
  if (*unfolded == '\0')
    return NULL;

  return g_utf8_make_valid (unfolded, -1);
}

static gboolean
has_attachments (GMimeObject *object,
                 guint        depth)
{
  GMimeContentDisposition *disposition;

  if (object == NULL || depth > MAX_DEPTH)
    return FALSE;

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < count; i++)
        if (has_attachments (g_mime_multipart_get_part (multipart, i), depth + 1))
          return TRUE;
      return FALSE;
    }

  if (GMIME_IS_MESSAGE_PART (object))
    return TRUE;  /* a forwarded message */

  disposition = g_mime_object_get_content_disposition (object);
  if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
    return TRUE;

  /* A named part that is not text (an image, a PDF) is one too. */
  return GMIME_IS_PART (object) && !GMIME_IS_TEXT_PART (object) &&
         g_mime_part_get_filename (GMIME_PART (object)) != NULL;
}

/**
 * buzon_mime_summary_from_bytes:
 * @raw: an RFC 5322 message
 * @folder_id: the folder it goes to
 * @arrival: when it arrived here (its internal date), seconds since the epoch
 * @out_text: (out) (optional) (transfer full) (nullable): its text, for the
 *   search index
 *
 * Reads a message's summary with GMime: addresses, subject, dates,
 * Message-ID (in angle brackets, as an IMAP ENVELOPE gives it), threading
 * fields, whether it has attachments, the preview. A message GMime cannot
 * read at all still gets a summary (its size and dates), so it is kept and
 * shown rather than lost.
 *
 * Returns: (transfer full): the summary; flags and body state are left to
 *   the caller
 */
BuzonMessageSummary *
buzon_mime_summary_from_bytes (GBytes  *raw,
                               gint64   folder_id,
                               gint64   arrival,
                               char   **out_text)
{
  BuzonMessageSummary *summary;
  GMimeMessage *message;
  g_autofree char *text = NULL;

  g_return_val_if_fail (raw != NULL, NULL);

  summary = buzon_message_summary_new ();
  summary->folder_id = folder_id;
  summary->size = g_bytes_get_size (raw);
  summary->internal_date = arrival;

  message = _buzon_mime_parse (raw);
  if (message != NULL)
    {
      GDateTime *date = g_mime_message_get_date (message);
      const char *message_id = g_mime_message_get_message_id (message);
      const char *subject = g_mime_message_get_subject (message);

      if (subject != NULL)
        summary->subject = g_utf8_make_valid (subject, -1);
      summary->from = format_addresses (g_mime_message_get_from (message));
      summary->to = format_addresses (g_mime_message_get_to (message));
      summary->cc = format_addresses (g_mime_message_get_cc (message));
      if (message_id != NULL && *message_id != '\0')
        summary->message_id = g_strdup_printf ("<%s>", message_id);
      summary->in_reply_to = dup_header (message, "In-Reply-To");
      summary->references = dup_header (message, "References");
      if (date != NULL)
        summary->date = g_date_time_to_unix (date);
      summary->has_attachments = has_attachments (g_mime_message_get_mime_part (message), 0);
      text = _buzon_mime_message_text (message);
      g_object_unref (message);
    }

  /* A message without a usable Date sorts by when it arrived. */
  if (summary->date == 0)
    summary->date = arrival;

  summary->preview = buzon_mime_make_preview (text, PREVIEW_CHARS);
  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);

  return summary;
}
