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

#define PREVIEW_CHARS 200

/* What the store keeps of an address list ("Name <addr>, …"), bounded. */
#define MAX_ADDRESSES_BYTES (64 * 1024)

static char *
format_addresses (InternetAddressList *list)
{
  char *text;

  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;

  text = internet_address_list_to_string (list, NULL, FALSE);
  if (strlen (text) > MAX_ADDRESSES_BYTES)
    {
      char *end = text + MAX_ADDRESSES_BYTES;

      while (end > text && (*end & 0xc0) == 0x80)
        end--;
      *end = '\0';
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      char *valid = g_utf8_make_valid (text, -1);

      g_free (text);
      text = valid;
    }
  return text;
}

/* "<id1> <id2> …", as the header has it, from the parsed (bounded) ids. */
static char *
format_references (const char * const *ids)
{
  GString *text;

  if (ids == NULL || ids[0] == NULL)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; ids[i] != NULL; i++)
    g_string_append_printf (text, "%s<%s>", i > 0 ? " " : "", ids[i]);
  return g_string_free (text, FALSE);
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
 * fields, whether it has attachments (what BuzonMimeMessage lists as
 * attachments), the preview (of the text it chooses as the body). Fields
 * are bounded (a 10 MB header does not reach the store). A message GMime
 * cannot read at all still gets a summary (its size and dates), so it is
 * kept and shown rather than lost.
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
  g_autoptr(BuzonMimeMessage) parsed = NULL;
  GMimeMessage *message;
  g_autofree char *text = NULL;

  g_return_val_if_fail (raw != NULL, NULL);

  summary = buzon_message_summary_new ();
  summary->folder_id = folder_id;
  summary->size = g_bytes_get_size (raw);
  summary->internal_date = arrival;

  parsed = buzon_mime_message_new_from_bytes (raw);
  message = _buzon_mime_message_get_gmime (parsed);
  if (message != NULL)
    {
      GDateTime *date = buzon_mime_message_get_date (parsed);
      const char *message_id = buzon_mime_message_get_message_id (parsed);
      const char *subject = buzon_mime_message_get_subject (parsed);
      const char *in_reply_to = buzon_mime_message_get_in_reply_to (parsed);

      if (subject != NULL)
        summary->subject = g_strdup (subject);
      summary->from = format_addresses (g_mime_message_get_from (message));
      summary->to = format_addresses (g_mime_message_get_to (message));
      summary->cc = format_addresses (g_mime_message_get_cc (message));
      if (message_id != NULL)
        summary->message_id = g_strdup_printf ("<%s>", message_id);
      if (in_reply_to != NULL)
        summary->in_reply_to = g_strdup_printf ("<%s>", in_reply_to);
      summary->references = format_references (buzon_mime_message_get_references (parsed));
      if (date != NULL)
        summary->date = g_date_time_to_unix (date);
      summary->has_attachments = buzon_mime_message_get_attachments (parsed)->len > 0;
      text = buzon_mime_message_dup_index_text (parsed);
    }

  /* A message without a usable Date sorts by when it arrived. */
  if (summary->date == 0)
    summary->date = arrival;

  summary->preview = buzon_mime_make_preview (text, PREVIEW_CHARS);
  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);

  return summary;
}
