/* buzon-compose-build.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A draft to RFC 5322 bytes with GMime. What GMime would choose by itself
 * is set explicitly, so the same draft always gives the same bytes but for
 * the Message-ID and the MIME boundary:
 *
 * - names and the subject are RFC 2047-encoded as UTF-8 (GMime would pick
 *   ISO-8859-1 when it fits);
 * - the text is text/plain; charset=utf-8, 7bit when it is short-lined
 *   ASCII, else quoted-printable, so that no line is over 76 characters and
 *   no 8-bit byte needs 8BITMIME (RFC 2045 §6.7);
 * - attachments are base64 with Content-Disposition: attachment; their
 *   names, when not ASCII, RFC 2231-encoded as UTF-8 in both filename and
 *   the older Content-Type name;
 * - a forwarded message is message/rfc822 as it is: RFC 2046 §5.2.1 allows
 *   no other encoding than 7bit, 8bit or binary for it;
 * - every line ends in CRLF (RFC 5322 §2.1), as SMTP's DATA wants.
 *
 * Bcc is never written (RFC 5322 §3.6.3 allows either; not writing it is
 * what keeps the blind copies blind): the Bcc addresses are only in the
 * envelope. */

#define G_LOG_DOMAIN "buzon-compose"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gmime/gmime.h>

#include "buzon-compose-build.h"
#include "buzon-compose-private.h"
#include "buzon-mime-private.h"

/* RFC 2045 §6.7 rule 5. */
#define QP_LINE_LENGTH 76

/**
 * buzon_compose_result_free:
 * @result: (nullable): a result
 */
void
buzon_compose_result_free (BuzonComposeResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->raw, g_bytes_unref);
  g_strfreev (result->recipients);
  g_free (result->envelope_from);
  g_free (result->message_id);
  g_free (result);
}

/* "\r\n" and lone "\r" to "\n": GMime writes every "\n" as CRLF. */
static void
append_normalized (GString    *out,
                   const char *text)
{
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
}

static char *
body_text (const BuzonComposeDraft *draft)
{
  GString *text = g_string_new (NULL);

  if (draft->body != NULL)
    append_normalized (text, draft->body);

  if (draft->signature != NULL && draft->signature[0] != '\0')
    {
      /* The separator of "son of RFC 1036" §4.3.2 that readers know. */
      if (text->len > 0 && text->str[text->len - 1] != '\n')
        g_string_append_c (text, '\n');
      g_string_append (text, "-- \n");
      append_normalized (text, draft->signature);
    }

  /* Every line of a body ends in a line break (RFC 5322 §2.3); GMime would
   * add the last one anyway when writing. */
  if (text->len > 0 && text->str[text->len - 1] != '\n')
    g_string_append_c (text, '\n');

  return g_string_free (text, FALSE);
}

static gboolean
needs_quoted_printable (const char *text)
{
  gsize line = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        return TRUE;
      if (*p == '\n')
        line = 0;
      else if (++line > QP_LINE_LENGTH)
        return TRUE;
    }

  return FALSE;
}

static GMimeStream *
stream_new_with_data (const void *data,
                      gsize       size)
{
  GByteArray *array = g_byte_array_sized_new (size);

  g_byte_array_append (array, data, size);
  return g_mime_stream_mem_new_with_byte_array (array);
}

static void
set_content (GMimePart  *part,
             const void *data,
             gsize       size)
{
  GMimeStream *stream = stream_new_with_data (data, size);
  GMimeDataWrapper *wrapper =
    g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);

  g_mime_part_set_content (part, wrapper);
  g_object_unref (wrapper);
  g_object_unref (stream);
}

static GMimeObject *
text_part_new (const char *text)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype ("plain");

  /* Not g_mime_text_part_set_text (): it would convert the text to the
   * smallest charset that holds it. */
  set_content (GMIME_PART (part), text, strlen (text));
  g_mime_object_set_content_type_parameter (GMIME_OBJECT (part), "charset", "utf-8");
  g_mime_part_set_content_encoding (GMIME_PART (part),
                                    needs_quoted_printable (text)
                                      ? GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE
                                      : GMIME_CONTENT_ENCODING_7BIT);

  return GMIME_OBJECT (part);
}

static void
set_param_utf8 (GMimeParamList *params,
                const char     *name)
{
  GMimeParam *param = params != NULL ? g_mime_param_list_get_parameter (params, name) : NULL;

  if (param == NULL)
    return;
  g_mime_param_set_charset (param, "UTF-8");
  g_mime_param_set_encoding_method (param, GMIME_PARAM_ENCODING_METHOD_RFC2231);
}

static gboolean
is_binary (const guint8 *data,
           gsize         size,
           gboolean     *eight_bit)
{
  gsize line = 0;

  *eight_bit = FALSE;
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\0')
        return TRUE;
      if (data[i] >= 0x80)
        *eight_bit = TRUE;
      if (data[i] == '\n')
        line = 0;
      else if (++line > 998)
        return TRUE;
    }

  return FALSE;
}

/* A message/rfc822 part with @raw as it is, when that can be sent in 7bit
 * or 8bit; NULL otherwise (a NUL or a line over 998 octets). */
static GMimeObject *
message_part_new (GBytes *raw)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (raw, &size);
  gboolean eight_bit;
  GMimePart *part;

  if (is_binary (data, size, &eight_bit))
    return NULL;

  part = g_mime_part_new_with_type ("message", "rfc822");
  set_content (part, data, size);
  g_mime_part_set_content_encoding (part, eight_bit ? GMIME_CONTENT_ENCODING_8BIT
                                                    : GMIME_CONTENT_ENCODING_7BIT);
  g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);

  return GMIME_OBJECT (part);
}

static GMimeObject *
attachment_part_new (const BuzonComposeAttachment *attachment)
{
  g_autoptr(GMimeContentType) content_type = NULL;
  g_autofree char *filename = NULL;
  GMimePart *part;
  gsize size;
  const guint8 *data = g_bytes_get_data (attachment->data, &size);

  if (attachment->content_type != NULL)
    content_type = g_mime_content_type_parse (NULL, attachment->content_type);
  if (content_type == NULL || g_mime_content_type_get_media_type (content_type) == NULL ||
      g_mime_content_type_get_media_subtype (content_type) == NULL)
    {
      g_clear_object (&content_type);
      content_type = g_mime_content_type_new ("application", "octet-stream");
    }

  if (g_mime_content_type_is_type (content_type, "message", "*") ||
      g_mime_content_type_is_type (content_type, "multipart", "*"))
    {
      GMimeObject *message = NULL;

      if (g_mime_content_type_is_type (content_type, "message", "rfc822"))
        message = message_part_new (attachment->data);
      if (message != NULL)
        return message;
      /* Composite types cannot be base64 (RFC 2046 §5): send it as bytes. */
      g_clear_object (&content_type);
      content_type = g_mime_content_type_new ("application", "octet-stream");
    }

  part = g_mime_part_new ();
  g_mime_object_set_content_type (GMIME_OBJECT (part), content_type);
  set_content (part, data, size);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);

  /* Only the name: the recipient's file system is not ours. */
  filename = _buzon_compose_clean_line (attachment->filename);
  g_strdelimit (filename, "/\\", '_');
  if (filename[0] != '\0')
    {
      g_mime_part_set_filename (part, filename);
      set_param_utf8 (g_mime_content_type_get_parameters (
                        g_mime_object_get_content_type (GMIME_OBJECT (part))), "name");
      set_param_utf8 (g_mime_content_disposition_get_parameters (
                        g_mime_object_get_content_disposition (GMIME_OBJECT (part))),
                      "filename");
    }

  return GMIME_OBJECT (part);
}

static char *
new_message_id (const char *from_address)
{
  g_autofree char *uuid = g_uuid_string_random ();
  const char *at = strrchr (from_address, '@');
  const char *domain = at != NULL ? at + 1 : "";
  g_autoptr(GString) random = g_string_new (NULL);
  g_autofree char *time = g_strdup_printf ("%" G_GINT64_MODIFIER "x", g_get_real_time ());

  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (random, *p);

  /* Message-IDs are ASCII (RFC 5322 §3.6.4), even when the address is not. */
  for (const char *p = domain; *p != '\0'; p++)
    if ((guchar) *p >= 0x80 || *p == '"' || *p == '\\')
      {
        domain = "buzon.invalid";
        break;
      }
  if (domain[0] == '\0')
    domain = "buzon.invalid";

  return g_strdup_printf ("%s.%s@%s", time, random->str, domain);
}

/* A Message-ID as a header wants it: angle brackets added, one a caller
 * passed with them accepted; NULL for one a header cannot carry. */
static char *
angle_id (const char *id)
{
  g_autofree char *bare = NULL;

  if (id == NULL)
    return NULL;

  bare = g_strdup (id);
  g_strstrip (bare);
  if (bare[0] == '<' && g_str_has_suffix (bare, ">"))
    {
      memmove (bare, bare + 1, strlen (bare));
      bare[strlen (bare) - 1] = '\0';
    }
  if (bare[0] == '\0')
    return NULL;
  for (const char *p = bare; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || *p == '<' || *p == '>')
      return NULL;

  return g_strdup_printf ("<%s>", bare);
}

static void
add_mailboxes (GMimeMessage        *message,
               GMimeAddressType     type,
               InternetAddressList *list)
{
  if (internet_address_list_length (list) > 0)
    internet_address_list_append (g_mime_message_get_addresses (message, type), list);
}

/* Adds @list's addresses to @recipients unless already there, compared
 * without case (RFC 5321 §2.4 lets the local part be case-sensitive, but
 * no server is, and one copy is what the user meant). */
static void
add_recipients (GPtrArray           *recipients,
                GHashTable          *seen,
                InternetAddressList *list,
                gboolean            *needs_smtputf8)
{
  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddressMailbox *mailbox =
        INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, i));
      const char *addr = internet_address_mailbox_get_addr (mailbox);
      g_autofree char *key = g_utf8_casefold (addr, -1);
      g_autofree char *normal = _buzon_compose_normalize_address (addr, needs_smtputf8);

      /* _buzon_compose_parse_addresses() normalized it already. */
      g_assert (normal != NULL);
      if (g_hash_table_add (seen, g_steal_pointer (&key)))
        g_ptr_array_add (recipients, g_steal_pointer (&normal));
    }
}

/* Reply-To is in the header only, but a non-ASCII local part there needs
 * SMTPUTF8 all the same (RFC 6532 headers). */
static void
check_smtputf8 (InternetAddressList *list,
                gboolean            *needs_smtputf8)
{
  for (int i = 0; i < internet_address_list_length (list); i++)
    {
      InternetAddressMailbox *mailbox =
        INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (list, i));

      g_free (_buzon_compose_normalize_address (internet_address_mailbox_get_addr (mailbox),
                                                needs_smtputf8));
    }
}

static GMimeFormatOptions *
format_options (void)
{
  static GMimeFormatOptions *options = NULL;

  if (g_once_init_enter (&options))
    {
      GMimeFormatOptions *o = g_mime_format_options_new ();

      g_mime_format_options_set_newline_format (o, GMIME_NEWLINE_FORMAT_DOS);
      g_mime_format_options_set_param_encoding_method (o, GMIME_PARAM_ENCODING_METHOD_RFC2231);
      g_once_init_leave (&options, o);
    }
  return options;
}

/* The To, Cc, Bcc or Reply-To of @typed for a saved draft: what is not an
 * address yet is kept as typed in an X-Buzon-Draft-* field, for
 * buzon_compose_draft_new_from_message() to give back. */
static InternetAddressList *
draft_addresses (GMimeMessage *message,
                 const char   *field,
                 const char   *typed)
{
  g_autoptr(GError) local_error = NULL;
  InternetAddressList *list = _buzon_compose_parse_addresses (typed, &local_error);
  g_autofree char *name = NULL;
  g_autofree char *clean = NULL;

  if (list != NULL)
    return list;

  name = g_strdup_printf ("X-Buzon-Draft-%s", field);
  clean = _buzon_compose_clean_line (typed);
  g_mime_object_set_header (GMIME_OBJECT (message), name, clean, "UTF-8");

  return internet_address_list_new ();
}

static BuzonComposeResult *compose (const BuzonComposeDraft  *draft,
                                    GDateTime                *date,
                                    gboolean                  as_draft,
                                    GError                  **error);

/**
 * buzon_compose_build:
 * @draft: a draft
 * @date: (nullable): the Date to give the message; %NULL for now
 * @error: return location for a #GError
 *
 * Encodes @draft as the message to send. Fails, with a
 * %BUZON_COMPOSE_ERROR, when an address is not one, when there is no from
 * address or no recipient, or when the forwarded message cannot be sent.
 *
 * Returns: (transfer full) (nullable): the message and its envelope, or
 *   %NULL with @error set
 */
BuzonComposeResult *
buzon_compose_build (const BuzonComposeDraft  *draft,
                     GDateTime                *date,
                     GError                  **error)
{
  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return compose (draft, date, FALSE, error);
}

/**
 * buzon_compose_build_draft:
 * @draft: a draft
 * @error: return location for a #GError
 *
 * Encodes @draft as a message to keep in a Drafts folder: like
 * buzon_compose_build(), but it needs neither a sender nor a recipient,
 * keeps the Bcc addresses in a Bcc field (RFC 5322 §3.6.3: the copy is the
 * sender's), and keeps recipients that are not addresses yet as typed.
 * buzon_compose_draft_new_from_message() reads it back.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error
 *   set (a forwarded message that cannot be attached)
 */
GBytes *
buzon_compose_build_draft (const BuzonComposeDraft  *draft,
                           GError                  **error)
{
  g_autoptr(BuzonComposeResult) result = NULL;

  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = compose (draft, NULL, TRUE, error);

  return result != NULL ? g_bytes_ref (result->raw) : NULL;
}

static BuzonComposeResult *
compose (const BuzonComposeDraft  *draft,
         GDateTime                *date,
         gboolean                  as_draft,
         GError                  **error)
{
  g_autoptr(InternetAddressList) to = NULL;
  g_autoptr(InternetAddressList) cc = NULL;
  g_autoptr(InternetAddressList) bcc = NULL;
  g_autoptr(InternetAddressList) reply_to = NULL;
  g_autoptr(GPtrArray) recipients = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeObject) body = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GString) references = NULL;
  g_autofree char *from_address = NULL;
  g_autofree char *from_name = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *in_reply_to = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *user_agent = NULL;
  InternetAddress *from;
  BuzonComposeResult *result;
  gboolean needs_smtputf8 = FALSE;
  GByteArray *array;

  _buzon_mime_ensure_init ();

  message = g_mime_message_new (FALSE);

  if (as_draft && _buzon_compose_is_blank (draft->from_address))
    from_address = NULL;
  else if (_buzon_compose_is_blank (draft->from_address))
    {
      g_set_error_literal (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_NO_SENDER,
                           _("The message has no sender address. Choose the account to "
                             "send it from."));
      return NULL;
    }
  else
    {
      g_autofree char *normal = NULL;

      from_address = g_strstrip (g_strdup (draft->from_address));
      normal = _buzon_compose_normalize_address (from_address, &needs_smtputf8);
      if (normal == NULL && as_draft)
        g_clear_pointer (&from_address, g_free);
      else if (normal == NULL)
        {
          g_set_error (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_INVALID_ADDRESS,
                       /* TRANSLATORS: %s is the sender's address */
                       _("The sender’s address “%s” is not a valid email address."),
                       from_address);
          return NULL;
        }
      else
        {
          g_free (from_address);
          from_address = g_steal_pointer (&normal);
        }
    }

  if (as_draft)
    {
      to = draft_addresses (message, "To", draft->to);
      cc = draft_addresses (message, "Cc", draft->cc);
      bcc = draft_addresses (message, "Bcc", draft->bcc);
      reply_to = draft_addresses (message, "Reply-To", draft->reply_to);
    }
  else if ((to = _buzon_compose_parse_addresses (draft->to, error)) == NULL ||
           (cc = _buzon_compose_parse_addresses (draft->cc, error)) == NULL ||
           (bcc = _buzon_compose_parse_addresses (draft->bcc, error)) == NULL ||
           (reply_to = _buzon_compose_parse_addresses (draft->reply_to, error)) == NULL)
    return NULL;

  recipients = g_ptr_array_new_with_free_func (g_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  add_recipients (recipients, seen, to, &needs_smtputf8);
  add_recipients (recipients, seen, cc, &needs_smtputf8);
  add_recipients (recipients, seen, bcc, &needs_smtputf8);
  if (recipients->len == 0 && !as_draft)
    {
      g_set_error_literal (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_NO_RECIPIENTS,
                           _("The message has no recipients. Add at least one address to "
                             "To, Cc or Bcc."));
      return NULL;
    }
  check_smtputf8 (reply_to, &needs_smtputf8);

  if (date == NULL)
    date = now = g_date_time_new_now_local ();
  g_mime_message_set_date (message, date);

  if (!_buzon_compose_is_blank (draft->from_name))
    from_name = g_strstrip (_buzon_compose_clean_line (draft->from_name));
  if (from_address != NULL)
    {
      from = internet_address_mailbox_new (from_name, from_address);
      internet_address_set_charset (from, "UTF-8");
      internet_address_list_add (g_mime_message_get_from (message), from);
      g_object_unref (from);
    }

  add_mailboxes (message, GMIME_ADDRESS_TYPE_REPLY_TO, reply_to);
  add_mailboxes (message, GMIME_ADDRESS_TYPE_TO, to);
  add_mailboxes (message, GMIME_ADDRESS_TYPE_CC, cc);
  if (as_draft)
    add_mailboxes (message, GMIME_ADDRESS_TYPE_BCC, bcc);

  subject = _buzon_compose_clean_line (draft->subject != NULL ? draft->subject : "");
  g_mime_message_set_subject (message, subject, "UTF-8");

  message_id = new_message_id (from_address != NULL ? from_address : "");
  g_mime_message_set_message_id (message, message_id);

  if ((in_reply_to = angle_id (draft->in_reply_to)) != NULL)
    g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", in_reply_to, NULL);

  references = g_string_new (NULL);
  for (guint i = 0; draft->references != NULL && draft->references[i] != NULL; i++)
    {
      g_autofree char *id = angle_id (draft->references[i]);

      if (id == NULL)
        continue;
      if (references->len > 0)
        g_string_append_c (references, ' ');
      g_string_append (references, id);
    }
  if (references->len > 0)
    g_mime_object_set_header (GMIME_OBJECT (message), "References", references->str, NULL);

  /* Not ASCII: GMime writes it as an RFC 2047 encoded word. */
  user_agent = g_strdup_printf ("Buzón/%s", PACKAGE_VERSION);
  g_mime_object_set_header (GMIME_OBJECT (message), "User-Agent", user_agent, "UTF-8");
  g_mime_object_set_header (GMIME_OBJECT (message), "MIME-Version", "1.0", NULL);

  text = body_text (draft);
  body = text_part_new (text);

  if (draft->forwarded != NULL || (draft->attachments != NULL && draft->attachments->len > 0))
    {
      GMimeMultipart *mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, body);
      g_object_unref (body);
      body = GMIME_OBJECT (mixed);

      for (guint i = 0; draft->attachments != NULL && i < draft->attachments->len; i++)
        {
          g_autoptr(GMimeObject) part = attachment_part_new (g_ptr_array_index (draft->attachments, i));

          g_mime_multipart_add (mixed, part);
        }

      if (draft->forwarded != NULL)
        {
          g_autoptr(GMimeObject) part = message_part_new (draft->forwarded);

          if (part == NULL)
            {
              g_set_error_literal (error, BUZON_COMPOSE_ERROR,
                                   BUZON_COMPOSE_ERROR_INVALID_MESSAGE,
                                   _("The message to forward has binary content and cannot "
                                     "be attached as a message. Forward it inline instead."));
              return NULL;
            }
          g_mime_multipart_add (mixed, part);
        }
    }
  g_mime_message_set_mime_part (message, body);

  stream = g_mime_stream_mem_new ();
  g_mime_object_write_to_stream (GMIME_OBJECT (message), format_options (), stream);
  g_mime_stream_flush (stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);

  g_ptr_array_add (recipients, NULL);

  result = g_new0 (BuzonComposeResult, 1);
  result->raw = g_byte_array_free_to_bytes (array);
  result->size = g_bytes_get_size (result->raw);
  result->recipients = (char **) g_ptr_array_free (g_steal_pointer (&recipients), FALSE);
  result->envelope_from = g_steal_pointer (&from_address);
  result->message_id = g_steal_pointer (&message_id);
  result->needs_smtputf8 = needs_smtputf8;

  return result;
}
