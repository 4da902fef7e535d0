/* buzon-compose-reply.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Replies and forwards. Who a reply goes to follows what mail clients have
 * converged on (and RFC 5322 §3.6.2): the Reply-To if the sender set one,
 * else the From; a reply to a message one sent oneself goes to its
 * recipients again. The text to quote or forward is the one the reader
 * shows and the index holds (buzon_mime_message_dup_index_text()). */

#define G_LOG_DOMAIN "buzon-compose"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-compose-private.h"
#include "buzon-compose-reply.h"
#include "buzon-mime-message.h"
#include "buzon-mime-private.h"
#include "buzon-mime-text.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeReferences, g_mime_references_free)

/* Prefixes that already mark a reply: English "Re", German "Aw", the
 * Scandinavian "Sv", Portuguese "Res"; Outlook's "RE" is "Re" without
 * case. */
static const char * const reply_prefixes[] = { "re", "aw", "sv", "res", NULL };
/* And a forward: "Fwd", "Fw", Spanish "RV", French "TR", German "WG". */
static const char * const forward_prefixes[] = { "fwd", "fw", "rv", "tr", "wg", NULL };

/* Whether @subject starts with one of @prefixes, maybe numbered as some
 * clients do ("Re[2]:", "Re(2):"), then a colon. */
static gboolean
has_prefix (const char         *subject,
            const char * const *prefixes)
{
  while (g_ascii_isspace (*subject))
    subject++;

  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      gsize len = strlen (prefixes[i]);
      const char *p = subject + len;

      if (g_ascii_strncasecmp (subject, prefixes[i], len) != 0)
        continue;

      if (*p == '[' || *p == '(')
        {
          char close = *p == '[' ? ']' : ')';
          const char *digits = ++p;

          while (g_ascii_isdigit (*p))
            p++;
          if (p == digits || *p != close)
            continue;
          p++;
        }
      while (*p == ' ')
        p++;
      if (*p == ':')
        return TRUE;
    }

  return FALSE;
}

static char *
prefixed (const char         *subject,
          const char * const *prefixes,
          const char         *prefix)
{
  g_autofree char *clean = _buzon_compose_clean_line (subject != NULL ? subject : "");

  g_strstrip (clean);
  if (has_prefix (clean, prefixes))
    return g_steal_pointer (&clean);

  return g_strconcat (prefix, clean, NULL);
}

/**
 * buzon_compose_reply_subject:
 * @subject: (nullable): the original's subject
 *
 * The subject of a reply: "Re: " and @subject, unless @subject already
 * starts with a reply prefix ("Re:", "RE:", "Re[2]:", "Aw:", "Sv:",
 * "Res:"), so that prefixes do not pile up.
 *
 * Returns: (transfer full): the reply's subject
 */
char *
buzon_compose_reply_subject (const char *subject)
{
  /* Not translated: "Re:" is what every client recognises. */
  return prefixed (subject, reply_prefixes, "Re: ");
}

/**
 * buzon_compose_forward_subject:
 * @subject: (nullable): the original's subject
 *
 * The subject of a forward: "Fwd: " and @subject, unless @subject already
 * starts with a forward prefix ("Fwd:", "Fw:", "RV:", "TR:", "WG:").
 *
 * Returns: (transfer full): the forward's subject
 */
char *
buzon_compose_forward_subject (const char *subject)
{
  return prefixed (subject, forward_prefixes, "Fwd: ");
}

/**
 * buzon_compose_reply_references:
 * @references: (nullable) (array zero-terminated=1): the original's
 *   References, oldest first, without angle brackets
 * @in_reply_to: (nullable): the original's In-Reply-To, used when it has
 *   no References
 * @message_id: (nullable): the original's Message-ID
 *
 * A reply's References (RFC 5322 §3.6.4): the original's (or its
 * In-Reply-To), then its Message-ID; each id once. When that is more than
 * %BUZON_COMPOSE_MAX_REFERENCES, the first (the thread's start) and the
 * last ones are kept.
 *
 * Returns: (transfer full) (array zero-terminated=1): the ids, maybe none
 */
char **
buzon_compose_reply_references (const char * const *references,
                                const char         *in_reply_to,
                                const char         *message_id)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *kept;

  if (references != NULL && references[0] != NULL)
    {
      for (guint i = 0; references[i] != NULL; i++)
        if (references[i][0] != '\0' && g_hash_table_add (seen, (gpointer) references[i]))
          g_ptr_array_add (ids, g_strdup (references[i]));
    }
  else if (in_reply_to != NULL && in_reply_to[0] != '\0')
    {
      g_hash_table_add (seen, (gpointer) in_reply_to);
      g_ptr_array_add (ids, g_strdup (in_reply_to));
    }

  if (message_id != NULL && message_id[0] != '\0' && !g_hash_table_contains (seen, message_id))
    g_ptr_array_add (ids, g_strdup (message_id));

  kept = g_ptr_array_new ();
  for (guint i = 0; i < ids->len; i++)
    if (ids->len <= BUZON_COMPOSE_MAX_REFERENCES || i == 0 ||
        i >= ids->len - (BUZON_COMPOSE_MAX_REFERENCES - 1))
      g_ptr_array_add (kept, g_strdup (g_ptr_array_index (ids, i)));
  g_ptr_array_add (kept, NULL);

  return (char **) g_ptr_array_free (kept, FALSE);
}

/**
 * buzon_compose_quote:
 * @text: (nullable): the text to quote
 * @attribution: (nullable): the line to put before it
 *
 * @text quoted as a reply quotes it: "> " before each line, but only ">"
 * before a line that is already quoted (so that "> > >" does not grow
 * spaces) and for an empty line. Trailing empty lines are dropped.
 *
 * Returns: (transfer full): the attribution line and the quoted lines,
 *   each ended by "\n"
 */
char *
buzon_compose_quote (const char *text,
                     const char *attribution)
{
  GString *quoted = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint n_lines;

  if (attribution != NULL)
    {
      g_string_append (quoted, attribution);
      g_string_append_c (quoted, '\n');
    }

  if (text == NULL)
    return g_string_free (quoted, FALSE);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }

  n_lines = g_strv_length (lines);
  while (n_lines > 0 && _buzon_compose_is_blank (lines[n_lines - 1]))
    n_lines--;

  for (guint i = 0; i < n_lines; i++)
    {
      const char *line = lines[i];

      if (line[0] == '>' || line[0] == '\0')
        g_string_append_c (quoted, '>');
      else
        g_string_append (quoted, "> ");
      g_string_append (quoted, line);
      g_string_append_c (quoted, '\n');
    }

  return g_string_free (quoted, FALSE);
}

static gboolean
is_own (const char         *address,
        const char * const *own_addresses)
{
  g_autofree char *key = NULL;

  if (address == NULL || own_addresses == NULL)
    return FALSE;

  key = g_utf8_casefold (address, -1);
  for (guint i = 0; own_addresses[i] != NULL; i++)
    {
      g_autofree char *own = g_utf8_casefold (own_addresses[i], -1);

      if (strcmp (key, own) == 0)
        return TRUE;
    }

  return FALSE;
}

static char *
address_key (InternetAddress *address)
{
  return g_utf8_casefold (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)),
                          -1);
}

/* Adds the mailboxes of @from to @to, except those in @seen (which grows)
 * and, with @own_addresses, one's own. */
static void
add_unique (InternetAddressList *to,
            InternetAddressList *from,
            GHashTable          *seen,
            const char * const  *own_addresses)
{
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

  _buzon_compose_collect_mailboxes (from, mailboxes);
  for (guint i = 0; i < mailboxes->len; i++)
    {
      InternetAddress *address = g_ptr_array_index (mailboxes, i);
      const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      g_autofree char *key = address_key (address);

      if (addr == NULL || addr[0] == '\0' || is_own (addr, own_addresses))
        continue;
      if (g_hash_table_add (seen, g_steal_pointer (&key)))
        internet_address_list_add (to, address);
    }
}

static char *
list_to_typed (InternetAddressList *list)
{
  if (internet_address_list_length (list) == 0)
    return NULL;

  /* Unencoded: the text the user would see and could have typed. */
  return internet_address_list_to_string (list, NULL, FALSE);
}

/* The first From's name, else its address. */
static char *
sender_name (GMimeMessage *message)
{
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

  _buzon_compose_collect_mailboxes (g_mime_message_get_from (message), mailboxes);
  for (guint i = 0; i < mailboxes->len; i++)
    {
      InternetAddress *address = g_ptr_array_index (mailboxes, i);
      const char *name = internet_address_get_name (address);
      const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));

      if (!_buzon_compose_is_blank (name))
        return g_strstrip (_buzon_compose_clean_line (name));
      if (!_buzon_compose_is_blank (addr))
        return g_strdup (addr);
    }

  return NULL;
}

/* The date in the user's time zone and their locale's way of writing it. */
static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return NULL;

  local = g_date_time_to_local (date);
  return g_date_time_format (local != NULL ? local : date, "%x %X");
}

/* The original's bytes, as GMime writes it back; for a parsed message,
 * the bytes it was parsed from, with CRLF line ends. */
GBytes *
_buzon_compose_message_to_bytes (GMimeMessage *message)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new ();
  GMimeFormatOptions *options = g_mime_format_options_new ();
  GByteArray *array;

  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, stream);
  g_mime_format_options_free (options);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);

  return g_byte_array_free_to_bytes (array);
}

static char **
parse_ids (const char *value)
{
  g_autoptr(GMimeReferences) refs = NULL;
  GPtrArray *ids = g_ptr_array_new ();

  if (value != NULL)
    refs = g_mime_references_parse (NULL, value);
  for (int i = 0; refs != NULL && i < g_mime_references_length (refs); i++)
    g_ptr_array_add (ids, g_strdup (g_mime_references_get_message_id (refs, i)));
  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (ids, FALSE);
}

/**
 * buzon_compose_reply:
 * @original: the message replied to
 * @mode: to the sender only, or to everyone
 * @own_addresses: (nullable) (array zero-terminated=1): the account's
 *   addresses, never replied to
 * @from_name: (nullable): the name to send the reply as
 * @from_address: (nullable): the address to send the reply from
 *
 * A reply to @original. To: its Reply-To if it has one, else its From;
 * for a message sent from one of @own_addresses, its To (and with
 * %BUZON_COMPOSE_REPLY_ALL its Cc) again. With %BUZON_COMPOSE_REPLY_ALL,
 * Cc: its other To and Cc recipients, without @own_addresses and without
 * anyone already in To. The subject has "Re: " (see
 * buzon_compose_reply_subject()); In-Reply-To and References thread it
 * under @original; the body is an attribution line and @original's text,
 * quoted (see buzon_compose_quote()).
 *
 * Returns: (transfer full): the reply's draft
 */
BuzonComposeDraft *
buzon_compose_reply (GMimeMessage          *original,
                     BuzonComposeReplyMode  mode,
                     const char * const    *own_addresses,
                     const char            *from_name,
                     const char            *from_address)
{
  g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new ();
  g_autoptr(InternetAddressList) to = internet_address_list_new ();
  g_autoptr(InternetAddressList) cc = internet_address_list_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) from_mailboxes = g_ptr_array_new ();
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *date = NULL;
  g_autofree char *attribution = NULL;
  g_auto(GStrv) references = NULL;
  g_auto(GStrv) in_reply_to = NULL;
  InternetAddressList *original_to;
  InternetAddressList *original_cc;
  InternetAddressList *original_reply_to;
  const char *message_id;
  gboolean sent_by_me = FALSE;

  g_return_val_if_fail (GMIME_IS_MESSAGE (original), NULL);

  _buzon_mime_ensure_init ();

  buzon_compose_draft_set_from (draft, from_name, from_address);

  original_to = g_mime_message_get_to (original);
  original_cc = g_mime_message_get_cc (original);
  original_reply_to = g_mime_message_get_reply_to (original);

  _buzon_compose_collect_mailboxes (g_mime_message_get_from (original), from_mailboxes);
  for (guint i = 0; i < from_mailboxes->len; i++)
    if (is_own (internet_address_mailbox_get_addr (g_ptr_array_index (from_mailboxes, i)),
                own_addresses))
      sent_by_me = TRUE;

  if (sent_by_me)
    {
      add_unique (to, original_to, seen, own_addresses);
      if (mode == BUZON_COMPOSE_REPLY_ALL)
        add_unique (cc, original_cc, seen, own_addresses);
      /* A message to oneself: the reply goes to oneself again. */
      if (internet_address_list_length (to) == 0)
        add_unique (to, g_mime_message_get_from (original), seen, NULL);
    }
  else
    {
      if (internet_address_list_length (original_reply_to) > 0)
        add_unique (to, original_reply_to, seen, NULL);
      else
        add_unique (to, g_mime_message_get_from (original), seen, NULL);

      if (mode == BUZON_COMPOSE_REPLY_ALL)
        {
          add_unique (cc, original_to, seen, own_addresses);
          add_unique (cc, original_cc, seen, own_addresses);
        }
    }

  draft->to = list_to_typed (to);
  draft->cc = list_to_typed (cc);
  draft->subject = buzon_compose_reply_subject (g_mime_message_get_subject (original));

  message_id = g_mime_message_get_message_id (original);
  draft->in_reply_to = g_strdup (message_id);
  references = parse_ids (g_mime_object_get_header (GMIME_OBJECT (original), "References"));
  in_reply_to = parse_ids (g_mime_object_get_header (GMIME_OBJECT (original), "In-Reply-To"));
  draft->references = buzon_compose_reply_references ((const char * const *) references,
                                                      in_reply_to[0], message_id);
  if (draft->references[0] == NULL)
    g_clear_pointer (&draft->references, g_strfreev);

  raw = _buzon_compose_message_to_bytes (original);
  text = buzon_mime_extract_text (raw);
  name = sender_name (original);
  if (name == NULL)
    name = g_strdup (_("an unknown sender"));
  date = format_date (g_mime_message_get_date (original));
  if (date != NULL)
    /* TRANSLATORS: the line before the quoted text of a reply: the first %s
     * is the original's date and time, the second who sent it */
    attribution = g_strdup_printf (_("On %s, %s wrote:"), date, name);
  else
    /* TRANSLATORS: the line before the quoted text of a reply, for a message
     * with no date: %s is who sent it */
    attribution = g_strdup_printf (_("%s wrote:"), name);
  draft->body = buzon_compose_quote (text, attribution);

  return g_steal_pointer (&draft);
}

static void
append_header_line (GString    *block,
                    const char *label,
                    const char *value)
{
  if (_buzon_compose_is_blank (value))
    return;

  g_string_append_printf (block, "%s %s\n", label, value);
}

/**
 * buzon_compose_forward:
 * @original: the message to forward
 * @mode: inline or as an attachment
 * @from_name: (nullable): the name to send it as
 * @from_address: (nullable): the address to send it from
 *
 * A forward of @original, with no recipients yet and "Fwd: " in the
 * subject (see buzon_compose_forward_subject()). Inline, the body is a
 * "Forwarded message" block with @original's From, Date, Subject, To and
 * Cc, then its text, and its attachments are attached again; as an
 * attachment, @original is attached whole and the body is empty.
 *
 * Returns: (transfer full): the forward's draft
 */
BuzonComposeDraft *
buzon_compose_forward (GMimeMessage            *original,
                       BuzonComposeForwardMode  mode,
                       const char              *from_name,
                       const char              *from_address)
{
  g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new ();
  g_autoptr(BuzonMimeMessage) parsed = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GString) body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  g_autofree char *date = NULL;
  g_autofree char *subject = NULL;
  GPtrArray *attachments;

  g_return_val_if_fail (GMIME_IS_MESSAGE (original), NULL);

  _buzon_mime_ensure_init ();

  buzon_compose_draft_set_from (draft, from_name, from_address);
  draft->subject = buzon_compose_forward_subject (g_mime_message_get_subject (original));
  raw = _buzon_compose_message_to_bytes (original);

  if (mode == BUZON_COMPOSE_FORWARD_ATTACHMENT)
    {
      draft->body = g_strdup ("");
      draft->forwarded = g_steal_pointer (&raw);
      return g_steal_pointer (&draft);
    }

  parsed = buzon_mime_message_new_from_bytes (raw);
  from = list_to_typed (g_mime_message_get_from (original));
  to = list_to_typed (g_mime_message_get_to (original));
  cc = list_to_typed (g_mime_message_get_cc (original));
  date = format_date (g_mime_message_get_date (original));
  subject = _buzon_compose_clean_line (g_mime_message_get_subject (original));

  body = g_string_new (NULL);
  g_string_append (body, _("---------- Forwarded message ----------"));
  g_string_append_c (body, '\n');
  /* TRANSLATORS: the labels of the forwarded message's header block */
  append_header_line (body, _("From:"), from);
  append_header_line (body, _("Date:"), date);
  append_header_line (body, _("Subject:"), subject);
  append_header_line (body, _("To:"), to);
  append_header_line (body, _("Cc:"), cc);
  g_string_append_c (body, '\n');

  text = buzon_mime_message_dup_index_text (parsed);
  if (text != NULL)
    {
      g_autofree char *normal = NULL;
      g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

      normal = g_strjoinv ("\n", lines);
      g_string_append (body, normal);
      if (body->len > 0 && body->str[body->len - 1] != '\n')
        g_string_append_c (body, '\n');
    }
  draft->body = g_string_free (g_steal_pointer (&body), FALSE);

  attachments = buzon_mime_message_get_attachments (parsed);
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      BuzonMimePart *part = g_ptr_array_index (attachments, i);
      g_autoptr(GBytes) data =
        buzon_mime_message_dup_part_bytes (parsed, buzon_mime_part_get_id (part));
      const char *filename = buzon_mime_part_get_filename (part);

      if (data == NULL)
        continue;
      buzon_compose_draft_add_attachment (draft,
                                          filename != NULL ? filename : _("attachment"),
                                          buzon_mime_part_get_content_type (part), data);
    }

  return g_steal_pointer (&draft);
}
