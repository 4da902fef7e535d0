/* buzon-compose-parse.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A mailto: URI is "mailto:" to-addresses, then "?" and hfields joined by
 * "&" (RFC 6068 §2), every piece percent-encoded UTF-8. Only the fields a
 * draft has are taken (to, cc, bcc, subject, body, in-reply-to); the RFC
 * (§3) lets a client ignore the rest, and it must not take ones that
 * could hurt (a From, a Reply-To that steals the replies), so it does
 * not. A draft read back from a Drafts folder is the one
 * buzon_compose_build_draft() wrote: its recipients as the user typed
 * them, the text, the attachments and the threading. */

#define G_LOG_DOMAIN "buzon-compose"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-compose-parse.h"
#include "buzon-compose-private.h"
#include "buzon-mime-message.h"
#include "buzon-mime-private.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeReferences, g_mime_references_free)

/**
 * buzon_compose_parse_message:
 * @raw: an RFC 5322 message
 *
 * Returns: (transfer full) (nullable): @raw parsed by GMime, %NULL when it
 *   is not a message at all
 */
GMimeMessage *
buzon_compose_parse_message (GBytes *raw)
{
  g_return_val_if_fail (raw != NULL, NULL);

  return _buzon_mime_parse (raw);
}

static GError *
mailto_error (const char *uri)
{
  return g_error_new (BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_INVALID_ADDRESS,
                      /* TRANSLATORS: %s is the link, as given */
                      _("“%s” is not a valid e-mail link."), uri);
}

/* A percent-decoded piece, or NULL when it does not decode to UTF-8
 * text without NULs. */
static char *
decode (const char *start,
        const char *end)
{
  g_autofree char *piece = g_strndup (start, end - start);
  g_autofree char *text = g_uri_unescape_string (piece, NULL);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  return g_steal_pointer (&text);
}

/* @typed with @more after a comma; takes @more. */
static void
append_addresses (char **typed,
                  char  *more)
{
  g_autofree char *owned = more;

  g_strstrip (owned);
  if (owned[0] == '\0')
    return;
  if (*typed == NULL)
    *typed = g_steal_pointer (&owned);
  else
    {
      char *joined = g_strconcat (*typed, ", ", owned, NULL);

      g_free (*typed);
      *typed = joined;
    }
}

/* "\r\n" and lone "\r" to "\n": RFC 6068 §5 writes line breaks in a body
 * as %0D%0A; the draft's text ends lines in "\n". */
static char *
normalize_lines (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/**
 * buzon_compose_draft_new_from_mailto:
 * @uri: a mailto: URI (RFC 6068), such as
 *   "mailto:ana@example.com?subject=Hola&cc=bruno@example.com"
 * @error: return location for a #GError
 *
 * The draft a mailto: link asks for: its addresses in To, and its to, cc,
 * bcc, subject, body and in-reply-to fields; other fields are ignored.
 * The addresses are not checked here: the composer shows them, and
 * sending says which one is wrong.
 *
 * Returns: (transfer full) (nullable): the draft, or %NULL with @error set
 *   when @uri is not a mailto: URI or does not decode to UTF-8
 */
BuzonComposeDraft *
buzon_compose_draft_new_from_mailto (const char  *uri,
                                     GError     **error)
{
  g_autoptr(BuzonComposeDraft) draft = NULL;
  const char *p;
  const char *query;
  const char *end;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_ascii_strncasecmp (uri, "mailto:", strlen ("mailto:")) != 0)
    {
      g_propagate_error (error, mailto_error (uri));
      return NULL;
    }

  draft = buzon_compose_draft_new ();
  p = uri + strlen ("mailto:");
  /* A fragment is not part of what a mailto: URI says (RFC 6068 §2). */
  end = strchr (p, '#');
  if (end == NULL)
    end = p + strlen (p);
  query = memchr (p, '?', end - p);

  {
    char *to = decode (p, query != NULL ? query : end);

    if (to == NULL)
      {
        g_propagate_error (error, mailto_error (uri));
        return NULL;
      }
    append_addresses (&draft->to, to);
  }

  for (const char *field = query != NULL ? query + 1 : end; field < end;)
    {
      const char *field_end = memchr (field, '&', end - field);
      const char *equals;
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (field_end == NULL)
        field_end = end;
      equals = memchr (field, '=', field_end - field);
      if (equals == NULL)
        {
          /* "?subject" alone: no value, nothing to take. */
          field = field_end + 1;
          continue;
        }

      name = decode (field, equals);
      value = decode (equals + 1, field_end);
      if (name == NULL || value == NULL)
        {
          g_propagate_error (error, mailto_error (uri));
          return NULL;
        }

      if (g_ascii_strcasecmp (name, "to") == 0)
        append_addresses (&draft->to, g_steal_pointer (&value));
      else if (g_ascii_strcasecmp (name, "cc") == 0)
        append_addresses (&draft->cc, g_steal_pointer (&value));
      else if (g_ascii_strcasecmp (name, "bcc") == 0)
        append_addresses (&draft->bcc, g_steal_pointer (&value));
      else if (g_ascii_strcasecmp (name, "subject") == 0 && draft->subject == NULL)
        draft->subject = _buzon_compose_clean_line (value);
      else if (g_ascii_strcasecmp (name, "body") == 0 && draft->body == NULL)
        draft->body = normalize_lines (value);
      else if (g_ascii_strcasecmp (name, "in-reply-to") == 0 && draft->in_reply_to == NULL)
        {
          g_autoptr(GMimeReferences) refs = NULL;

          _buzon_mime_ensure_init ();
          refs = g_mime_references_parse (NULL, value);
          if (refs != NULL && g_mime_references_length (refs) > 0)
            draft->in_reply_to = g_strdup (g_mime_references_get_message_id (refs, 0));
        }

      field = field_end + 1;
    }

  return g_steal_pointer (&draft);
}

/* What buzon_compose_build_draft() kept: the typed text when it was not
 * addresses yet, else the addresses as a user would type them. */
static char *
typed_field (GMimeMessage        *message,
             const char          *field,
             InternetAddressList *list)
{
  g_autofree char *name = g_strdup_printf ("X-Buzon-Draft-%s", field);
  const char *kept = g_mime_object_get_header (GMIME_OBJECT (message), name);

  if (kept != NULL)
    {
      g_autofree char *decoded = g_mime_utils_header_decode_text (NULL, kept);

      return g_strstrip (g_steal_pointer (&decoded));
    }
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;

  return internet_address_list_to_string (list, NULL, FALSE);
}

static char **
parse_ids (const char *value)
{
  g_autoptr(GMimeReferences) refs = NULL;
  GPtrArray *ids;

  if (value == NULL)
    return NULL;
  refs = g_mime_references_parse (NULL, value);
  if (refs == NULL || g_mime_references_length (refs) == 0)
    return NULL;

  ids = g_ptr_array_new ();
  for (int i = 0; i < g_mime_references_length (refs); i++)
    g_ptr_array_add (ids, g_strdup (g_mime_references_get_message_id (refs, i)));
  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (ids, FALSE);
}

/**
 * buzon_compose_draft_new_from_message:
 * @message: a message, normally one buzon_compose_build_draft() wrote
 *
 * The draft a saved message holds, to write on: From, To, Cc, Bcc,
 * Reply-To, Subject, the plain text, the attachments (an attached message
 * becomes the draft's forwarded message), In-Reply-To and References.
 *
 * Returns: (transfer full): the draft
 */
BuzonComposeDraft *
buzon_compose_draft_new_from_message (GMimeMessage *message)
{
  g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new ();
  g_autoptr(GPtrArray) from = g_ptr_array_new ();
  g_autoptr(BuzonMimeMessage) parsed = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_auto(GStrv) in_reply_to = NULL;
  const char *text;
  GPtrArray *attachments;

  g_return_val_if_fail (GMIME_IS_MESSAGE (message), NULL);

  _buzon_mime_ensure_init ();

  _buzon_compose_collect_mailboxes (g_mime_message_get_from (message), from);
  if (from->len > 0)
    {
      InternetAddress *sender = g_ptr_array_index (from, 0);
      const char *name = internet_address_get_name (sender);

      buzon_compose_draft_set_from (draft, _buzon_compose_is_blank (name) ? NULL : name,
                                    internet_address_mailbox_get_addr (
                                      INTERNET_ADDRESS_MAILBOX (sender)));
    }

  draft->to = typed_field (message, "To", g_mime_message_get_to (message));
  draft->cc = typed_field (message, "Cc", g_mime_message_get_cc (message));
  draft->bcc = typed_field (message, "Bcc", g_mime_message_get_bcc (message));
  draft->reply_to = typed_field (message, "Reply-To", g_mime_message_get_reply_to (message));
  if (g_mime_message_get_subject (message) != NULL)
    draft->subject = g_strdup (g_mime_message_get_subject (message));

  in_reply_to = parse_ids (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
  if (in_reply_to != NULL)
    draft->in_reply_to = g_strdup (in_reply_to[0]);
  draft->references = parse_ids (g_mime_object_get_header (GMIME_OBJECT (message),
                                                           "References"));

  raw = _buzon_compose_message_to_bytes (message);
  parsed = buzon_mime_message_new_from_bytes (raw);
  text = buzon_mime_message_get_body_text (parsed);
  draft->body = text != NULL ? normalize_lines (text) : g_strdup ("");
  /* buzon_compose_build() ended the last line; the user did not. */
  if (g_str_has_suffix (draft->body, "\n"))
    draft->body[strlen (draft->body) - 1] = '\0';

  attachments = buzon_mime_message_get_attachments (parsed);
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      BuzonMimePart *part = g_ptr_array_index (attachments, i);
      g_autoptr(GBytes) data =
        buzon_mime_message_dup_part_bytes (parsed, buzon_mime_part_get_id (part));
      const char *filename = buzon_mime_part_get_filename (part);

      if (data == NULL)
        continue;
      if (buzon_mime_part_is_message (part) && draft->forwarded == NULL && filename == NULL)
        {
          draft->forwarded = g_steal_pointer (&data);
          continue;
        }
      buzon_compose_draft_add_attachment (draft,
                                          filename != NULL ? filename : _("attachment"),
                                          buzon_mime_part_get_content_type (part), data);
    }

  return g_steal_pointer (&draft);
}
