/* test-compose.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* libbuzon-compose: every built message is parsed back with GMime and
 * checked against what was put in (names, subject, text and attachment
 * bytes exactly), and its bytes against what SMTP needs (CRLF only, no line
 * over 998 octets). Dates are shown in the C locale and UTC, set in main(),
 * so the attribution lines can be compared exactly. */

#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "buzon-compose.h"

static const char original_text[] =
  "From: =?UTF-8?Q?Jos=C3=A9_N=C3=BA=C3=B1ez?= <jose@example.com>\n"
  "To: Me <me@example.org>, Ana <ana@example.org>\n"
  "Cc: Bob <bob@example.net>, ME@example.ORG\n"
  "Subject: =?UTF-8?Q?A=C3=B1o_nuevo?=\n"
  "Date: Tue, 01 Dec 2026 10:00:00 +0000\n"
  "Message-ID: <orig@example.com>\n"
  "References: <r1@example.com> <r2@example.com>\n"
  "In-Reply-To: <r2@example.com>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=utf-8\n"
  "Content-Transfer-Encoding: 8bit\n"
  "\n"
  "Hola,\n"
  "> citado\n"
  "\n"
  "Adiós\n";

static const guint8 binary_data[] = {
  0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x00, 0x0a, 0x0d, 0xff, 0xfe, 0x0d, 0x0a, 0x00, 0x80, 0x7f,
  0x0a, 0x0a, 0x2e, 0x0d, 0x0a, 0xff, 0xff, 0x00,
};

static GMimeMessage *
parse (const char *data,
       gsize       size)
{
  GMimeStream *stream = g_mime_stream_mem_new_with_buffer (data, size);
  GMimeParser *parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);

  g_object_unref (parser);
  g_object_unref (stream);
  g_assert_nonnull (message);

  return message;
}

static GMimeMessage *
parse_bytes (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return parse (data, size);
}

/* CRLF only, and RFC 5322 §2.1.1's 998 octets a line at most. */
static void
assert_smtp_ready (GBytes *raw)
{
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);
  gsize line = 0;

  g_assert_cmpuint (size, >, 0);
  for (gsize i = 0; i < size; i++)
    {
      if (data[i] == '\n')
        {
          g_assert_true (i > 0 && data[i - 1] == '\r');
          line = 0;
        }
      else if (data[i] == '\r')
        g_assert_true (i + 1 < size && data[i + 1] == '\n');
      else
        {
          line++;
          g_assert_cmpuint (line, <=, 998);
        }
    }
}

static gboolean
raw_contains (GBytes     *raw,
              const void *needle,
              gsize       needle_size)
{
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);

  return memmem (data, size, needle, needle_size) != NULL;
}

static char *
lf_to_crlf (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  return g_strjoinv ("\r\n", lines);
}

/* The decoded content of @part. */
static GBytes *
part_bytes (GMimeObject *part)
{
  GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part));
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;

  g_mime_data_wrapper_write_to_stream (content, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (stream), FALSE);
  g_object_unref (stream);

  return g_byte_array_free_to_bytes (array);
}

static char *
part_text (GMimeObject *part)
{
  g_autoptr(GBytes) bytes = part_bytes (part);

  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return size > 0 ? g_strndup (data, size) : g_strdup ("");
}

/* The addresses of a typed or parsed list, lower case, comma-separated. */
static char *
addresses_of_list (InternetAddressList *list)
{
  GString *out = g_string_new (NULL);

  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      g_assert_true (INTERNET_ADDRESS_IS_MAILBOX (address));
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out,
                       internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));
    }

  return g_string_free (out, FALSE);
}

static char *
addresses_of (const char *typed)
{
  InternetAddressList *list;
  char *out;

  if (typed == NULL)
    return g_strdup ("");
  list = internet_address_list_parse (NULL, typed);
  out = addresses_of_list (list);
  g_clear_object (&list);

  return out;
}

static GDateTime *
fixed_date (void)
{
  return g_date_time_new_utc (2026, 12, 2, 13, 30, 0);
}

static BuzonComposeDraft *
sample_draft (void)
{
  BuzonComposeDraft *draft = buzon_compose_draft_new ();

  buzon_compose_draft_set_from (draft, "José Núñez", "jose@example.com");
  draft->to = g_strdup ("Ana <ana@example.org>, bob@example.net");
  draft->cc = g_strdup ("Carla Pérez <carla@example.com>");
  draft->bcc = g_strdup ("secret@example.org");
  draft->subject = g_strdup ("Año nuevo: ¿café?");
  draft->body = g_strdup ("Hola, ¿qué tal?\nNos vemos.\n");

  return draft;
}

static BuzonComposeResult *
build_ok (const BuzonComposeDraft *draft)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) date = fixed_date ();
  BuzonComposeResult *result = buzon_compose_build (draft, date, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  assert_smtp_ready (result->raw);
  g_assert_cmpuint (result->size, ==, g_bytes_get_size (result->raw));

  return result;
}

static void
test_build_headers (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeResult) result = NULL;
  GMimeMessage *message;
  InternetAddressList *from;
  InternetAddressList *reply_to;
  InternetAddress *sender;
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected_id = NULL;
  g_autofree char *user_agent = NULL;
  const char *recipients[] = {
    "ana@example.org", "bob@example.net", "carla@example.com", "secret@example.org", NULL
  };
  g_autoptr(GDateTime) date = fixed_date ();
  GMimeContentType *content_type;

  draft->reply_to = g_strdup ("Lista Año <lista@example.org>");
  result = build_ok (draft);
  message = parse_bytes (result->raw);
  from = g_mime_message_get_from (message);
  reply_to = g_mime_message_get_reply_to (message);

  g_assert_cmpint (internet_address_list_length (reply_to), ==, 1);
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (reply_to, 0)),
                   ==, "Lista Año");
  g_assert_cmpint (internet_address_list_length (from), ==, 1);
  sender = internet_address_list_get_address (from, 0);
  g_assert_cmpstr (internet_address_get_name (sender), ==, "José Núñez");
  g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (sender)), ==,
                   "jose@example.com");
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Año nuevo: ¿café?");
  /* Encoded (as UTF-8, chosen explicitly), never raw 8-bit. */
  g_assert_true (raw_contains (result->raw, "Subject: =?UTF-8?", 17));
  g_assert_false (raw_contains (result->raw, "Núñez", strlen ("Núñez")));

  to = addresses_of_list (g_mime_message_get_to (message));
  g_assert_cmpstr (to, ==, "ana@example.org,bob@example.net");
  cc = addresses_of_list (g_mime_message_get_cc (message));
  g_assert_cmpstr (cc, ==, "carla@example.com");
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (
                     g_mime_message_get_cc (message), 0)), ==, "Carla Pérez");

  /* Bcc: in the envelope only. */
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "Bcc"));
  g_assert_cmpint (internet_address_list_length (g_mime_message_get_bcc (message)), ==, 0);
  g_assert_false (raw_contains (result->raw, "secret", 6));
  g_assert_false (raw_contains (result->raw, "Bcc", 3));
  g_assert_cmpstrv (result->recipients, recipients);
  g_assert_cmpstr (result->envelope_from, ==, "jose@example.com");
  g_assert_false (result->needs_smtputf8);

  g_assert_true (g_str_has_suffix (result->message_id, "@example.com"));
  g_assert_cmpuint (strlen (result->message_id), >, strlen ("@example.com") + 16);
  g_assert_cmpstr (g_mime_message_get_message_id (message), ==, result->message_id);
  expected_id = g_strdup_printf ("<%s>", result->message_id);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "Message-ID"), ==,
                   expected_id);

  g_assert_true (g_date_time_equal (g_mime_message_get_date (message), date));
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "MIME-Version"), ==, "1.0");
  user_agent = g_strdup_printf ("Buzón/%s", PACKAGE_VERSION);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "User-Agent"), ==,
                   user_agent);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "References"));

  /* A single text part, UTF-8, quoted-printable for its non-ASCII. */
  g_assert_true (GMIME_IS_TEXT_PART (g_mime_message_get_mime_part (message)));
  content_type = g_mime_object_get_content_type (g_mime_message_get_mime_part (message));
  g_assert_true (g_mime_content_type_is_type (content_type, "text", "plain"));
  g_assert_cmpstr (g_mime_content_type_get_parameter (content_type, "charset"), ==, "utf-8");
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (g_mime_message_get_mime_part (message))),
                   ==, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  text = part_text (g_mime_message_get_mime_part (message));
  g_assert_cmpstr (text, ==, "Hola, ¿qué tal?\r\nNos vemos.\r\n");

  g_object_unref (message);
}

static void
test_build_dedup (void)
{
  g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new ();
  g_autoptr(BuzonComposeResult) result = NULL;
  const char *recipients[] = { "a@x.org", "b@x.org", "c@x.org", "d@x.org", NULL };

  buzon_compose_draft_set_from (draft, NULL, "me@x.org");
  draft->to = g_strdup ("A <a@x.org>, b@x.org, a@x.org");
  draft->cc = g_strdup ("Big A <A@X.ORG>; c@x.org");
  draft->bcc = g_strdup ("B@x.org, d@x.org, C@x.org");
  result = build_ok (draft);
  g_assert_cmpstrv (result->recipients, recipients);
}

static void
test_build_seven_bit (void)
{
  g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new ();
  g_autoptr(BuzonComposeResult) result = NULL;
  GMimeMessage *message;
  GMimeObject *body;
  g_autofree char *text = NULL;

  buzon_compose_draft_set_from (draft, "Plain Person", "me@x.org");
  draft->to = g_strdup ("you@x.org");
  draft->subject = g_strdup ("Plain");
  draft->body = g_strdup ("Short lines,\r\nonly ASCII.\n");
  draft->signature = g_strdup ("Me");
  result = build_ok (draft);
  message = parse_bytes (result->raw);
  body = g_mime_message_get_mime_part (message);
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (body)), ==,
                   GMIME_CONTENT_ENCODING_7BIT);
  g_assert_cmpstr (g_mime_content_type_get_parameter (g_mime_object_get_content_type (body),
                                                      "charset"), ==, "utf-8");
  text = part_text (body);
  g_assert_cmpstr (text, ==, "Short lines,\r\nonly ASCII.\r\n-- \r\nMe\r\n");
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Plain");
  g_assert_true (raw_contains (result->raw, "\r\nSubject: Plain\r\n", 17));
  g_object_unref (message);
}

static void
test_build_quoted_printable (void)
{
  g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new ();
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  GMimeMessage *message;
  GMimeObject *part;

  for (guint i = 0; i < 200; i++)
    g_string_append_c (body, 'a' + i % 26);
  g_string_append (body, "\nTrailing spaces   \n");
  for (guint i = 0; i < 3000; i++)
    g_string_append (body, i % 7 == 0 ? " " : "x");
  g_string_append (body, "\nFrom here on\n.\n=3D is not an escape\n\n\n");

  buzon_compose_draft_set_from (draft, NULL, "me@x.org");
  draft->to = g_strdup ("you@x.org");
  draft->body = g_strdup (body->str);
  draft->signature = g_strdup ("Long signature line that goes on and on and on and on and on "
                               "and on and on and on\n");
  result = build_ok (draft);

  message = parse_bytes (result->raw);
  part = g_mime_message_get_mime_part (message);
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (part)), ==,
                   GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  g_string_append (body, "-- \n");
  g_string_append (body, draft->signature);
  expected = lf_to_crlf (body->str);
  text = part_text (part);
  g_assert_cmpstr (text, ==, expected);
  g_object_unref (message);
}

static void
test_build_attachments (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autoptr(GBytes) pdf = g_bytes_new_static (binary_data, sizeof binary_data);
  g_autoptr(GBytes) notes = g_bytes_new_static ("line 1\nline 2\n", 14);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GBytes) back_notes = NULL;
  g_autofree char *text = NULL;
  const char *rfc2231 = "filename*=UTF-8''r%C3%A9sum%C3%A9%20a%C3%B1o.pdf";
  BuzonComposeAttachment *attachment;
  GMimeMessage *message;
  GMimeMultipart *mixed;
  GMimeObject *part;

  attachment = buzon_compose_draft_add_attachment (draft, "résumé año.pdf", NULL, pdf);
  g_assert_cmpstr (attachment->content_type, ==, "application/pdf");
  buzon_compose_draft_add_attachment (draft, "notes.txt", "text/plain", notes);
  result = build_ok (draft);

  message = parse_bytes (result->raw);
  g_assert_true (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (message)));
  mixed = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (GMIME_OBJECT (mixed)),
                                              "multipart", "mixed"));
  g_assert_cmpint (g_mime_multipart_get_count (mixed), ==, 3);

  part = g_mime_multipart_get_part (mixed, 0);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (part),
                                              "text", "plain"));
  g_assert_null (g_mime_object_get_content_disposition (part));
  text = part_text (part);
  g_assert_cmpstr (text, ==, "Hola, ¿qué tal?\r\nNos vemos.\r\n");

  part = g_mime_multipart_get_part (mixed, 1);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (part),
                                              "application", "pdf"));
  g_assert_cmpstr (g_mime_object_get_disposition (part), ==, "attachment");
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (part)), ==,
                   GMIME_CONTENT_ENCODING_BASE64);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "résumé año.pdf");
  g_assert_cmpstr (g_mime_content_type_get_parameter (g_mime_object_get_content_type (part),
                                                      "name"), ==, "résumé año.pdf");
  g_assert_true (raw_contains (result->raw, rfc2231, strlen (rfc2231)));
  back = part_bytes (part);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back),
                   binary_data, sizeof binary_data);

  /* A text file is bytes too: its LF line ends stay LF. */
  part = g_mime_multipart_get_part (mixed, 2);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "notes.txt");
  g_assert_true (raw_contains (result->raw, "filename=notes.txt", 18));
  back_notes = part_bytes (part);
  g_assert_cmpmem (g_bytes_get_data (back_notes, NULL), g_bytes_get_size (back_notes),
                   "line 1\nline 2\n", 14);

  g_object_unref (message);
}

static void
test_build_attachment_from_file (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeDraft) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *dir_path = NULL;
  BuzonComposeAttachment *attachment;

  dir_path = g_dir_make_tmp ("test-compose-XXXXXX", &error);
  g_assert_no_error (error);
  dir = g_file_new_for_path (dir_path);
  file = g_file_get_child (dir, "año.bin");
  g_file_replace_contents (file, (const char *) binary_data, sizeof binary_data, NULL, FALSE,
                           G_FILE_CREATE_NONE, NULL, NULL, &error);
  g_assert_no_error (error);

  attachment = buzon_compose_draft_add_attachment_from_file (draft, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attachment);
  g_assert_cmpstr (attachment->filename, ==, "año.bin");
  g_assert_nonnull (attachment->content_type);
  g_assert_cmpmem (g_bytes_get_data (attachment->data, NULL), g_bytes_get_size (attachment->data),
                   binary_data, sizeof binary_data);

  copy = buzon_compose_draft_copy (draft);
  g_assert_cmpuint (copy->attachments->len, ==, 1);
  g_assert_cmpstr (((BuzonComposeAttachment *) g_ptr_array_index (copy->attachments, 0))->filename,
                   ==, "año.bin");
  g_assert_cmpstr (copy->subject, ==, draft->subject);

  g_file_delete (file, NULL, &error);
  g_assert_no_error (error);
  g_file_delete (dir, NULL, &error);
  g_assert_no_error (error);

  g_assert_null (buzon_compose_draft_add_attachment_from_file (draft, file, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (draft->attachments->len, ==, 1);
}

static void
test_build_forwarded (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autofree char *crlf = lf_to_crlf (original_text);
  GMimeMessage *message;
  GMimeObject *part;
  GMimeMessage *nested;

  draft->forwarded = g_bytes_new_static (original_text, strlen (original_text));
  result = build_ok (draft);
  g_assert_true (raw_contains (result->raw, crlf, strlen (crlf)));

  message = parse_bytes (result->raw);
  part = g_mime_multipart_get_part (GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 1);
  g_assert_true (GMIME_IS_MESSAGE_PART (part));
  nested = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));
  g_assert_cmpstr (g_mime_message_get_subject (nested), ==, "Año nuevo");
  g_assert_cmpstr (g_mime_message_get_message_id (nested), ==, "orig@example.com");
  g_object_unref (message);
}

static void
test_build_threading (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeResult) result = NULL;
  const char *references[] = { "r1@example.com", "<r2@example.com>", "bad id", NULL };
  GMimeMessage *message;

  draft->in_reply_to = g_strdup ("r2@example.com");
  draft->references = g_strdupv ((char **) references);
  result = build_ok (draft);
  message = parse_bytes (result->raw);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"), ==,
                   "<r2@example.com>");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "References"), ==,
                   "<r1@example.com> <r2@example.com>");
  g_object_unref (message);
}

static void
test_build_international (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeResult) idna = NULL;
  g_autoptr(BuzonComposeResult) utf8 = NULL;
  const char *idna_recipients[] = { "ana@xn--mnchen-3ya.de", NULL };
  const char *utf8_recipients[] = { "josé@example.com", "ana@example.org", NULL };
  GMimeMessage *message;
  g_autofree char *to = NULL;

  g_clear_pointer (&draft->cc, g_free);
  g_clear_pointer (&draft->bcc, g_free);
  g_free (draft->to);
  draft->to = g_strdup ("\"Núñez, Ana\" <ana@münchen.de>");
  idna = build_ok (draft);
  g_assert_false (idna->needs_smtputf8);
  g_assert_cmpstrv (idna->recipients, idna_recipients);
  message = parse_bytes (idna->raw);
  /* Written in IDNA; GMime gives the domain back in Unicode. */
  g_assert_true (raw_contains (idna->raw, "<ana@xn--mnchen-3ya.de>", 23));
  g_assert_false (raw_contains (idna->raw, "münchen", strlen ("münchen")));
  to = addresses_of_list (g_mime_message_get_to (message));
  g_assert_cmpstr (to, ==, "ana@münchen.de");
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (
                     g_mime_message_get_to (message), 0)), ==, "Núñez, Ana");
  g_object_unref (message);

  g_free (draft->to);
  draft->to = g_strdup ("josé@example.com, ana@example.org");
  utf8 = build_ok (draft);
  g_assert_true (utf8->needs_smtputf8);
  g_assert_cmpstrv (utf8->recipients, utf8_recipients);
}

/* Header values with no room to fold: GMime must still keep each line
 * within 998 octets (assert_smtp_ready), and the values come back whole. */
static void
test_build_long_headers (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("x", 1);
  g_autofree char *subject = g_strnfill (1500, 'a');
  g_autofree char *name = g_strnfill (1200, 'n');
  g_autofree char *filename_base = g_strnfill (1100, 'f');
  g_autofree char *filename = g_strconcat (filename_base, "ñ.txt", NULL);
  GMimeMessage *message;
  GMimeObject *part;

  g_free (draft->subject);
  draft->subject = g_strdup (subject);
  g_free (draft->from_name);
  draft->from_name = g_strdup (name);
  buzon_compose_draft_add_attachment (draft, filename, "text/plain", data);
  result = build_ok (draft);

  message = parse_bytes (result->raw);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, subject);
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (
                     g_mime_message_get_from (message), 0)), ==, name);
  part = g_mime_multipart_get_part (GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 1);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, filename);
  g_object_unref (message);
}

/* Line breaks typed or pasted into a one-line field make no new header. */
static void
test_build_no_injection (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeResult) result = NULL;
  GMimeMessage *message;

  g_free (draft->subject);
  draft->subject = g_strdup ("Hola\r\nBcc: victim@example.com\nX-Evil: 1");
  g_free (draft->from_name);
  draft->from_name = g_strdup ("José\r\nX-Evil: 2");
  draft->in_reply_to = g_strdup ("a@b>\r\nX-Evil: 3");
  result = build_ok (draft);
  g_assert_false (raw_contains (result->raw, "\r\nX-Evil", 9));
  g_assert_false (raw_contains (result->raw, "\r\nBcc", 5));
  message = parse_bytes (result->raw);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==,
                   "Hola  Bcc: victim@example.com X-Evil: 1");
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"));
  g_object_unref (message);
}

static void
test_build_errors (void)
{
  const char *bad[] = {
    "ana@", "not an address", "José <jose@>", "@example.org", "a@b..c", NULL
  };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(BuzonComposeDraft) draft = sample_draft ();
      g_autoptr(GError) error = NULL;
      g_autoptr(BuzonComposeResult) result = NULL;
      g_autofree char *expected = NULL;

      g_free (draft->cc);
      draft->cc = g_strdup_printf ("ok@example.org, %s, other@example.org", bad[i]);
      result = buzon_compose_build (draft, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_INVALID_ADDRESS);
      expected = g_strdup_printf ("“%s” is not a valid email address.", bad[i]);
      g_assert_cmpstr (error->message, ==, expected);
    }

  {
    g_autoptr(BuzonComposeDraft) draft = sample_draft ();
    g_autoptr(GError) error = NULL;

    g_clear_pointer (&draft->to, g_free);
    g_clear_pointer (&draft->cc, g_free);
    g_free (draft->bcc);
    draft->bcc = g_strdup (" , ");
    g_assert_null (buzon_compose_build (draft, NULL, &error));
    g_assert_error (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_NO_RECIPIENTS);
  }

  {
    g_autoptr(BuzonComposeDraft) draft = sample_draft ();
    g_autoptr(GError) error = NULL;

    buzon_compose_draft_set_from (draft, "José", "  ");
    g_assert_null (buzon_compose_build (draft, NULL, &error));
    g_assert_error (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_NO_SENDER);
  }

  {
    g_autoptr(BuzonComposeDraft) draft = sample_draft ();
    g_autoptr(GError) error = NULL;

    buzon_compose_draft_set_from (draft, "José", "jose.example.com");
    g_assert_null (buzon_compose_build (draft, NULL, &error));
    g_assert_error (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_INVALID_ADDRESS);
    g_assert_nonnull (strstr (error->message, "“jose.example.com”"));
  }

  {
    /* Only Bcc is enough; the date defaults to now. */
    g_autoptr(BuzonComposeDraft) draft = sample_draft ();
    g_autoptr(GError) error = NULL;
    g_autoptr(BuzonComposeResult) result = NULL;
    const char *recipients[] = { "secret@example.org", NULL };

    g_clear_pointer (&draft->to, g_free);
    g_clear_pointer (&draft->cc, g_free);
    result = buzon_compose_build (draft, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstrv (result->recipients, recipients);
  }
}

static void
test_subject_prefixes (void)
{
  static const struct { const char *in; const char *reply; const char *forward; } cases[] = {
    { "Hola", "Re: Hola", "Fwd: Hola" },
    { "Re: Hola", "Re: Hola", "Fwd: Re: Hola" },
    { "RE: Hola", "RE: Hola", "Fwd: RE: Hola" },
    { "re: hola", "re: hola", "Fwd: re: hola" },
    { "Re[2]: Hola", "Re[2]: Hola", "Fwd: Re[2]: Hola" },
    { "Re(3): Hola", "Re(3): Hola", "Fwd: Re(3): Hola" },
    { "Aw: Hallo", "Aw: Hallo", "Fwd: Aw: Hallo" },
    { "AW: Hallo", "AW: Hallo", "Fwd: AW: Hallo" },
    { "Sv: Hej", "Sv: Hej", "Fwd: Sv: Hej" },
    { "Res: Olá", "Res: Olá", "Fwd: Res: Olá" },
    { "Fwd: Hola", "Re: Fwd: Hola", "Fwd: Hola" },
    { "FW: Hola", "Re: FW: Hola", "FW: Hola" },
    { "Fw: Hola", "Re: Fw: Hola", "Fw: Hola" },
    { "RV: Hola", "Re: RV: Hola", "RV: Hola" },
    { "TR: Salut", "Re: TR: Salut", "TR: Salut" },
    { "WG: Hallo", "Re: WG: Hallo", "WG: Hallo" },
    { "Reunión", "Re: Reunión", "Fwd: Reunión" },
    { "Resumen: x", "Re: Resumen: x", "Fwd: Resumen: x" },
    { "Re Hola", "Re: Re Hola", "Fwd: Re Hola" },
    { "Re[]: x", "Re: Re[]: x", "Fwd: Re[]: x" },
    { "Fwdx: y", "Re: Fwdx: y", "Fwd: Fwdx: y" },
    { "", "Re: ", "Fwd: " },
    { NULL, "Re: ", "Fwd: " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *reply = buzon_compose_reply_subject (cases[i].in);
      g_autofree char *forward = buzon_compose_forward_subject (cases[i].in);

      g_assert_cmpstr (reply, ==, cases[i].reply);
      g_assert_cmpstr (forward, ==, cases[i].forward);
    }
}

static void
test_references (void)
{
  const char *refs[] = { "a@x", "b@x", NULL };
  const char *expect_refs[] = { "a@x", "b@x", "m@x", NULL };
  const char *expect_irt[] = { "i@x", "m@x", NULL };
  const char *expect_none[] = { "m@x", NULL };
  const char *expect_dup[] = { "a@x", "b@x", NULL };
  const char *expect_empty[] = { NULL };
  g_auto(GStrv) with_refs = buzon_compose_reply_references (refs, "i@x", "m@x");
  g_auto(GStrv) with_irt = buzon_compose_reply_references (NULL, "i@x", "m@x");
  g_auto(GStrv) none = buzon_compose_reply_references (NULL, NULL, "m@x");
  g_auto(GStrv) dup = buzon_compose_reply_references (refs, NULL, "b@x");
  g_auto(GStrv) empty = buzon_compose_reply_references (NULL, NULL, NULL);
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) expect_many = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) truncated = NULL;

  g_assert_cmpstrv (with_refs, expect_refs);
  g_assert_cmpstrv (with_irt, expect_irt);
  g_assert_cmpstrv (none, expect_none);
  g_assert_cmpstrv (dup, expect_dup);
  g_assert_cmpstrv (empty, expect_empty);

  /* 30 and the Message-ID: the first, then the last ten. */
  for (guint i = 1; i <= 30; i++)
    g_ptr_array_add (many, g_strdup_printf ("r%u@x", i));
  g_ptr_array_add (many, NULL);
  truncated = buzon_compose_reply_references ((const char * const *) many->pdata, NULL, "m@x");
  g_ptr_array_add (expect_many, g_strdup ("r1@x"));
  for (guint i = 22; i <= 30; i++)
    g_ptr_array_add (expect_many, g_strdup_printf ("r%u@x", i));
  g_ptr_array_add (expect_many, g_strdup ("m@x"));
  g_ptr_array_add (expect_many, NULL);
  g_assert_cmpuint (g_strv_length (truncated), ==, BUZON_COMPOSE_MAX_REFERENCES);
  g_assert_cmpstrv (truncated, (const char * const *) expect_many->pdata);

  /* Exactly at the bound: nothing dropped. */
  {
    const char *ten[] = { "1@x", "2@x", "3@x", "4@x", "5@x", "6@x", "7@x", "8@x", "9@x", "10@x",
                          NULL };
    g_auto(GStrv) eleven = buzon_compose_reply_references (ten, NULL, "m@x");

    g_assert_cmpuint (g_strv_length (eleven), ==, 11);
    g_assert_cmpstr (eleven[0], ==, "1@x");
    g_assert_cmpstr (eleven[10], ==, "m@x");
  }
}

static void
test_quote (void)
{
  g_autofree char *quoted = buzon_compose_quote ("a\n> b\n>> c\n\nd\n\n\n", "X wrote:");
  g_autofree char *crlf = buzon_compose_quote ("one\r\ntwo\r\n", NULL);
  g_autofree char *empty = buzon_compose_quote ("", "X wrote:");
  g_autofree char *blank = buzon_compose_quote ("\n\n", "X wrote:");
  g_autofree char *none = buzon_compose_quote (NULL, "X wrote:");

  g_assert_cmpstr (quoted, ==, "X wrote:\n> a\n>> b\n>>> c\n>\n> d\n");
  g_assert_cmpstr (crlf, ==, "> one\n> two\n");
  g_assert_cmpstr (empty, ==, "X wrote:\n");
  g_assert_cmpstr (blank, ==, "X wrote:\n");
  g_assert_cmpstr (none, ==, "X wrote:\n");
}

static GMimeMessage *
original_with (const char *headers,
               const char *body)
{
  g_autofree char *text = g_strdup_printf ("%s"
                                           "MIME-Version: 1.0\n"
                                           "Content-Type: text/plain; charset=utf-8\n"
                                           "Content-Transfer-Encoding: 8bit\n"
                                           "\n%s",
                                           headers, body);

  return parse (text, strlen (text));
}

static const char * const own[] = { "me@example.org", "me.too@example.org", NULL };

static void
test_reply_sender (void)
{
  GMimeMessage *original = parse (original_text, strlen (original_text));
  g_autoptr(BuzonComposeDraft) draft =
    buzon_compose_reply (original, BUZON_COMPOSE_REPLY, own, "Me", "me@example.org");
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autofree char *to = addresses_of (draft->to);
  const char *references[] = { "r1@example.com", "r2@example.com", "orig@example.com", NULL };
  GMimeMessage *message;
  InternetAddressList *list;

  g_assert_cmpstr (to, ==, "jose@example.com");
  list = internet_address_list_parse (NULL, draft->to);
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (list, 0)), ==,
                   "José Núñez");
  g_object_unref (list);
  g_assert_null (draft->cc);
  g_assert_null (draft->bcc);
  g_assert_cmpstr (draft->from_name, ==, "Me");
  g_assert_cmpstr (draft->from_address, ==, "me@example.org");
  g_assert_cmpstr (draft->subject, ==, "Re: Año nuevo");
  g_assert_cmpstr (draft->in_reply_to, ==, "orig@example.com");
  g_assert_cmpstrv (draft->references, references);
  g_assert_cmpstr (draft->body, ==,
                   "On 12/01/26 10:00:00, José Núñez wrote:\n"
                   "> Hola,\n"
                   ">> citado\n"
                   ">\n"
                   "> Adiós\n");

  /* And it builds, threaded. */
  result = build_ok (draft);
  message = parse_bytes (result->raw);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "In-Reply-To"), ==,
                   "<orig@example.com>");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "References"), ==,
                   "<r1@example.com> <r2@example.com> <orig@example.com>");
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Re: Año nuevo");
  g_object_unref (message);
  g_object_unref (original);
}

static void
test_reply_all (void)
{
  GMimeMessage *original = parse (original_text, strlen (original_text));
  g_autoptr(BuzonComposeDraft) draft =
    buzon_compose_reply (original, BUZON_COMPOSE_REPLY_ALL, own, NULL, "me@example.org");
  g_autofree char *to = addresses_of (draft->to);
  g_autofree char *cc = addresses_of (draft->cc);

  /* Me <me@example.org> and ME@example.ORG are both left out. */
  g_assert_cmpstr (to, ==, "jose@example.com");
  g_assert_cmpstr (cc, ==, "ana@example.org,bob@example.net");
  g_object_unref (original);
}

static void
test_reply_reply_to (void)
{
  GMimeMessage *original =
    original_with ("From: Ana <ana@example.org>\n"
                   "Reply-To: The List <list@example.org>\n"
                   "To: list@example.org, Me <me@example.org>, Bob <bob@example.net>\n"
                   "Cc: ana@example.org, BOB@example.net, carla@example.com\n"
                   "Subject: Re[2]: Lista\n"
                   "Message-ID: <list1@example.org>\n",
                   "");
  g_autoptr(BuzonComposeDraft) reply =
    buzon_compose_reply (original, BUZON_COMPOSE_REPLY, own, NULL, "me@example.org");
  g_autoptr(BuzonComposeDraft) all =
    buzon_compose_reply (original, BUZON_COMPOSE_REPLY_ALL, own, NULL, "me@example.org");
  const char *references[] = { "list1@example.org", NULL };
  g_autofree char *reply_to = addresses_of (reply->to);
  g_autofree char *all_to = addresses_of (all->to);
  g_autofree char *all_cc = addresses_of (all->cc);

  g_assert_cmpstr (reply_to, ==, "list@example.org");
  g_assert_null (reply->cc);
  g_assert_cmpstr (reply->subject, ==, "Re[2]: Lista");
  g_assert_cmpstrv (reply->references, references);
  /* An empty original (and no date): the attribution alone. */
  g_assert_cmpstr (reply->body, ==, "Ana wrote:\n");

  g_assert_cmpstr (all_to, ==, "list@example.org");
  g_assert_cmpstr (all_cc, ==, "bob@example.net,ana@example.org,carla@example.com");
  g_object_unref (original);
}

static void
test_reply_own_message (void)
{
  GMimeMessage *original =
    original_with ("From: Me <me@example.org>\n"
                   "To: Ana <ana@example.org>, bob@example.net, me.too@example.org\n"
                   "Cc: Carla <carla@example.com>\n"
                   "Subject: Plan\n"
                   "Date: Tue, 01 Dec 2026 10:00:00 +0000\n",
                   "Mi plan\n");
  g_autoptr(BuzonComposeDraft) reply =
    buzon_compose_reply (original, BUZON_COMPOSE_REPLY, own, "Me", "me@example.org");
  g_autoptr(BuzonComposeDraft) all =
    buzon_compose_reply (original, BUZON_COMPOSE_REPLY_ALL, own, "Me", "me@example.org");
  GMimeMessage *to_self =
    original_with ("From: me@example.org\nTo: me@example.org\nSubject: Note\n", "x\n");
  g_autoptr(BuzonComposeDraft) self_reply =
    buzon_compose_reply (to_self, BUZON_COMPOSE_REPLY, own, NULL, "me@example.org");
  g_autofree char *reply_to = addresses_of (reply->to);
  g_autofree char *all_to = addresses_of (all->to);
  g_autofree char *all_cc = addresses_of (all->cc);
  g_autofree char *self_to = addresses_of (self_reply->to);

  g_assert_cmpstr (reply_to, ==, "ana@example.org,bob@example.net");
  g_assert_null (reply->cc);
  g_assert_cmpstr (all_to, ==, "ana@example.org,bob@example.net");
  g_assert_cmpstr (all_cc, ==, "carla@example.com");
  g_assert_null (reply->in_reply_to);
  g_assert_null (reply->references);
  g_assert_cmpstr (reply->body, ==, "On 12/01/26 10:00:00, Me wrote:\n> Mi plan\n");
  g_assert_cmpstr (self_to, ==, "me@example.org");
  g_assert_cmpstr (self_reply->body, ==, "me@example.org wrote:\n> x\n");
  g_object_unref (to_self);
  g_object_unref (original);
}

static void
test_reply_long_references (void)
{
  g_autoptr(GString) headers = g_string_new ("From: ana@example.org\nSubject: Hilo\n"
                                             "Message-ID: <last@example.org>\nReferences:");
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(BuzonComposeResult) result = NULL;
  GMimeMessage *original;
  GMimeMessage *message;
  GMimeReferences *refs;

  for (guint i = 1; i <= 40; i++)
    g_string_append_printf (headers, " <ref%u@example.org>", i);
  g_string_append_c (headers, '\n');
  original = original_with (headers->str, "hilo\n");
  draft = buzon_compose_reply (original, BUZON_COMPOSE_REPLY, own, NULL, "me@example.org");
  g_assert_cmpuint (g_strv_length (draft->references), ==, BUZON_COMPOSE_MAX_REFERENCES);
  g_assert_cmpstr (draft->references[0], ==, "ref1@example.org");
  g_assert_cmpstr (draft->references[1], ==, "ref32@example.org");
  g_assert_cmpstr (draft->references[9], ==, "ref40@example.org");
  g_assert_cmpstr (draft->references[10], ==, "last@example.org");

  result = build_ok (draft);
  message = parse_bytes (result->raw);
  refs = g_mime_references_parse (NULL, g_mime_object_get_header (GMIME_OBJECT (message),
                                                                  "References"));
  g_assert_cmpint (g_mime_references_length (refs), ==, BUZON_COMPOSE_MAX_REFERENCES);
  g_assert_cmpstr (g_mime_references_get_message_id (refs, 0), ==, "ref1@example.org");
  g_assert_cmpstr (g_mime_references_get_message_id (refs, 10), ==, "last@example.org");
  g_mime_references_free (refs);
  g_object_unref (message);
  g_object_unref (original);
}

static const char multipart_original[] =
  "From: =?UTF-8?Q?Jos=C3=A9_N=C3=BA=C3=B1ez?= <jose@example.com>\n"
  "To: Ana <ana@example.org>\n"
  "Cc: bob@example.net\n"
  "Subject: Fwd: Informe\n"
  "Date: Tue, 01 Dec 2026 10:00:00 +0000\n"
  "Message-ID: <informe@example.com>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: multipart/mixed; boundary=\"b1\"\n"
  "\n"
  "--b1\n"
  "Content-Type: text/plain; charset=utf-8\n"
  "Content-Transfer-Encoding: quoted-printable\n"
  "\n"
  "Aqu=C3=AD va el informe.\n"
  "--b1\n"
  "Content-Type: application/pdf; name=\"informe.pdf\"\n"
  "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20a%C3%B1o.pdf\n"
  "Content-Transfer-Encoding: base64\n"
  "\n"
  "JVBERgD/AAoN//4NCgCAfwoKLg0K//8A\n"
  "--b1--\n";

static void
test_forward_inline (void)
{
  GMimeMessage *original = parse (multipart_original, strlen (multipart_original));
  g_autoptr(BuzonComposeDraft) draft =
    buzon_compose_forward (original, BUZON_COMPOSE_FORWARD_INLINE, "Me", "me@example.org");
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autoptr(GBytes) back = NULL;
  BuzonComposeAttachment *attachment;
  GMimeMessage *message;
  GMimeMultipart *mixed;
  GMimeObject *part;

  g_assert_null (draft->to);
  g_assert_null (draft->forwarded);
  g_assert_null (draft->in_reply_to);
  /* "Fwd:" is not stacked. */
  g_assert_cmpstr (draft->subject, ==, "Fwd: Informe");
  g_assert_cmpstr (draft->body, ==,
                   "---------- Forwarded message ----------\n"
                   "From: José Núñez <jose@example.com>\n"
                   "Date: 12/01/26 10:00:00\n"
                   "Subject: Fwd: Informe\n"
                   "To: Ana <ana@example.org>\n"
                   "Cc: bob@example.net\n"
                   "\n"
                   "Aquí va el informe.\n");

  g_assert_cmpuint (draft->attachments->len, ==, 1);
  attachment = g_ptr_array_index (draft->attachments, 0);
  g_assert_cmpstr (attachment->filename, ==, "résumé año.pdf");
  g_assert_cmpstr (attachment->content_type, ==, "application/pdf");
  g_assert_cmpmem (g_bytes_get_data (attachment->data, NULL), g_bytes_get_size (attachment->data),
                   binary_data, sizeof binary_data);

  draft->to = g_strdup ("carla@example.com");
  result = build_ok (draft);
  message = parse_bytes (result->raw);
  mixed = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  g_assert_cmpint (g_mime_multipart_get_count (mixed), ==, 2);
  part = g_mime_multipart_get_part (mixed, 1);
  g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "résumé año.pdf");
  back = part_bytes (part);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back),
                   binary_data, sizeof binary_data);
  g_object_unref (message);
  g_object_unref (original);
}

static void
test_forward_attachment (void)
{
  GMimeMessage *original = parse (original_text, strlen (original_text));
  g_autoptr(BuzonComposeDraft) draft =
    buzon_compose_forward (original, BUZON_COMPOSE_FORWARD_ATTACHMENT, NULL, "me@example.org");
  g_autoptr(BuzonComposeResult) result = NULL;
  g_autofree char *crlf = lf_to_crlf (original_text);
  g_autoptr(GBytes) back = NULL;
  GMimeMessage *message;
  GMimeMultipart *mixed;
  GMimeObject *part;
  g_autofree char *text = NULL;

  g_assert_cmpstr (draft->subject, ==, "Fwd: Año nuevo");
  g_assert_cmpstr (draft->body, ==, "");
  g_assert_cmpuint (draft->attachments->len, ==, 0);
  g_assert_nonnull (draft->forwarded);
  g_assert_cmpmem (g_bytes_get_data (draft->forwarded, NULL), g_bytes_get_size (draft->forwarded),
                   crlf, strlen (crlf));

  draft->to = g_strdup ("carla@example.com");
  result = build_ok (draft);
  g_assert_true (raw_contains (result->raw, crlf, strlen (crlf)));
  message = parse_bytes (result->raw);
  mixed = GMIME_MULTIPART (g_mime_message_get_mime_part (message));
  g_assert_cmpint (g_mime_multipart_get_count (mixed), ==, 2);
  text = part_text (g_mime_multipart_get_part (mixed, 0));
  g_assert_cmpstr (text, ==, "");
  part = g_mime_multipart_get_part (mixed, 1);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (part),
                                              "message", "rfc822"));
  /* Its body has 8-bit UTF-8, and message/rfc822 may not be base64. */
  g_assert_cmpstr (g_mime_object_get_header (part, "Content-Transfer-Encoding"), ==, "8bit");
  g_assert_cmpstr (g_mime_message_get_subject (
                     g_mime_message_part_get_message (GMIME_MESSAGE_PART (part))), ==,
                   "Año nuevo");
  g_object_unref (message);
  g_object_unref (original);
}

/* --- mailto: (RFC 6068) --- */

/* GMime 3.2 has no autoptr support of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

static BuzonComposeDraft *
mailto_ok (const char *uri)
{
  g_autoptr(GError) error = NULL;
  BuzonComposeDraft *draft = buzon_compose_draft_new_from_mailto (uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (draft);

  return draft;
}

static void
test_mailto_fields (void)
{
  g_autoptr(BuzonComposeDraft) draft = NULL;
  g_autoptr(BuzonComposeDraft) bare = NULL;
  g_autoptr(BuzonComposeDraft) only_fields = NULL;
  g_autoptr(BuzonComposeDraft) upper = NULL;

  draft = mailto_ok ("mailto:ana@example.com,%20bruno@example.com"
                     "?subject=Hola%20mundo%3A%20%C2%BFcaf%C3%A9%3F"
                     "&cc=carmen@example.com"
                     "&body=L%C3%ADnea%201%0D%0AL%C3%ADnea%202%0D%0A"
                     "&X-Unknown=whatever"
                     "&from=evil@example.net"
                     "&Reply-To=evil@example.net"
                     "&BCC=dora@example.com"
                     "&to=eva@example.com"
                     "&In-Reply-To=%3Chilo.1@example.com%3E"
                     "&subject=second");
  g_assert_cmpstr (draft->to, ==, "ana@example.com, bruno@example.com, eva@example.com");
  g_assert_cmpstr (draft->cc, ==, "carmen@example.com");
  g_assert_cmpstr (draft->bcc, ==, "dora@example.com");
  g_assert_cmpstr (draft->subject, ==, "Hola mundo: ¿café?");
  g_assert_cmpstr (draft->body, ==, "Línea 1\nLínea 2\n");
  g_assert_cmpstr (draft->in_reply_to, ==, "hilo.1@example.com");
  /* Fields that could hurt are not taken. */
  g_assert_null (draft->from_address);
  g_assert_null (draft->reply_to);

  bare = mailto_ok ("mailto:ana@example.com");
  g_assert_cmpstr (bare->to, ==, "ana@example.com");
  g_assert_null (bare->cc);
  g_assert_null (bare->subject);
  g_assert_null (bare->body);

  /* No address before "?", a "+" that stays a plus, a fragment ignored,
   * a field without a value skipped. */
  only_fields = mailto_ok ("mailto:?to=ana%2Bnews@example.com&subject=1+1&body#frag");
  g_assert_cmpstr (only_fields->to, ==, "ana+news@example.com");
  g_assert_cmpstr (only_fields->subject, ==, "1+1");
  g_assert_null (only_fields->body);

  upper = mailto_ok ("MAILTO:Ana%20Garc%C3%ADa%20%3Cana@example.com%3E");
  g_assert_cmpstr (upper->to, ==, "Ana García <ana@example.com>");

  /* A subject cannot smuggle a header in: line breaks become spaces. */
  {
    g_autoptr(BuzonComposeDraft) crlf = mailto_ok ("mailto:a@example.com?subject=a%0D%0ABcc:%20x@y");

    g_assert_null (strchr (crlf->subject, '\n'));
    g_assert_null (strchr (crlf->subject, '\r'));
  }
}

static void
test_mailto_errors (void)
{
  static const char * const bad[] = {
    "http://example.com/",
    "mail:ana@example.com",
    "mailto:ana%ZZ@example.com",
    "mailto:ana@example.com?subject=%00",
    "mailto:ana@example.com?body=%FF%FE",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new_from_mailto (bad[i], &error);

      g_assert_null (draft);
      g_assert_error (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_INVALID_ADDRESS);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

/* --- drafts kept in a Drafts folder and read back --- */

static void
test_draft_round_trip (void)
{
  g_autoptr(BuzonComposeDraft) draft = sample_draft ();
  g_autoptr(BuzonComposeDraft) back = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static (binary_data, sizeof binary_data);
  g_autoptr(GError) error = NULL;
  static const char *references[] = { "first@example.com", "parent@example.com", NULL };
  BuzonComposeAttachment *attachment;

  g_free (draft->body);
  draft->body = g_strdup ("Hola, ¿qué tal?\n\nNos vemos.");
  draft->reply_to = g_strdup ("not an address yet");
  draft->in_reply_to = g_strdup ("parent@example.com");
  draft->references = g_strdupv ((char **) references);
  buzon_compose_draft_add_attachment (draft, "datos ñ.bin", "application/octet-stream", data);

  raw = buzon_compose_build_draft (draft, &error);
  g_assert_no_error (error);
  g_assert_nonnull (raw);
  /* Bcc is kept in a draft: the copy is the sender's. */
  g_assert_true (raw_contains (raw, "secret@example.org", strlen ("secret@example.org")));

  message = buzon_compose_parse_message (raw);
  g_assert_nonnull (message);
  back = buzon_compose_draft_new_from_message (message);

  g_assert_cmpstr (back->from_name, ==, "José Núñez");
  g_assert_cmpstr (back->from_address, ==, "jose@example.com");
  g_assert_cmpstr (back->to, ==, "Ana <ana@example.org>, bob@example.net");
  g_assert_cmpstr (back->cc, ==, "Carla Pérez <carla@example.com>");
  g_assert_cmpstr (back->bcc, ==, "secret@example.org");
  g_assert_cmpstr (back->reply_to, ==, "not an address yet");
  g_assert_cmpstr (back->subject, ==, "Año nuevo: ¿café?");
  g_assert_cmpstr (back->body, ==, "Hola, ¿qué tal?\n\nNos vemos.");
  g_assert_cmpstr (back->in_reply_to, ==, "parent@example.com");
  g_assert_nonnull (back->references);
  g_assert_cmpstr (back->references[0], ==, "first@example.com");
  g_assert_cmpstr (back->references[1], ==, "parent@example.com");
  g_assert_null (back->references[2]);
  g_assert_null (back->forwarded);

  g_assert_cmpuint (back->attachments->len, ==, 1);
  attachment = g_ptr_array_index (back->attachments, 0);
  g_assert_cmpstr (attachment->filename, ==, "datos ñ.bin");
  g_assert_cmpstr (attachment->content_type, ==, "application/octet-stream");
  g_assert_true (g_bytes_equal (attachment->data, data));
}

static void
test_draft_incomplete (void)
{
  g_autoptr(BuzonComposeDraft) draft = buzon_compose_draft_new ();
  g_autoptr(BuzonComposeDraft) back = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonComposeResult) sent = NULL;

  /* Nothing but a half-typed address: not sendable, but worth keeping. */
  draft->to = g_strdup ("ana@, bob@example.net");
  draft->body = g_strdup ("Empezado…");

  sent = buzon_compose_build (draft, NULL, &error);
  g_assert_null (sent);
  g_assert_error (error, BUZON_COMPOSE_ERROR, BUZON_COMPOSE_ERROR_NO_SENDER);
  g_clear_error (&error);

  raw = buzon_compose_build_draft (draft, &error);
  g_assert_no_error (error);
  message = buzon_compose_parse_message (raw);
  back = buzon_compose_draft_new_from_message (message);
  g_assert_null (back->from_address);
  g_assert_cmpstr (back->to, ==, "ana@, bob@example.net");
  g_assert_null (back->cc);
  g_assert_null (back->bcc);
  g_assert_cmpstr (back->subject, ==, "");
  g_assert_cmpstr (back->body, ==, "Empezado…");
  g_assert_cmpuint (back->attachments->len, ==, 0);
}

/* Address completion over a store of its own */

static gint64
add_test_folder (BuzonStore      *store,
                 gint64           account_id,
                 const char      *name,
                 BuzonSpecialUse  use)
{
  g_autoptr(BuzonFolder) folder = buzon_folder_new ();
  g_autoptr(GError) error = NULL;

  folder->account_id = account_id;
  folder->name = g_strdup (name);
  folder->delimiter = g_strdup ("/");
  folder->special_use = use;
  g_assert_true (buzon_store_upsert_folder (store, folder, &error));
  g_assert_no_error (error);

  return folder->id;
}

static void
add_test_message (BuzonStore *store,
                  gint64      folder_id,
                  guint32     uid,
                  const char *from,
                  const char *to,
                  gint64      date)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (
    (GDestroyNotify)buzon_message_summary_free);
  g_autoptr(GError) error = NULL;
  BuzonMessageSummary *summary = buzon_message_summary_new ();

  summary->folder_id = folder_id;
  summary->uid = uid;
  summary->subject = g_strdup ("hola");
  summary->from = g_strdup (from);
  summary->to = g_strdup (to);
  summary->date = date;
  summary->message_id = g_strdup_printf ("<%u.%u@example.com>", (guint)folder_id, uid);
  g_ptr_array_add (batch, summary);
  g_assert_true (buzon_store_upsert_messages (store, batch, &error));
  g_assert_no_error (error);
}

static void
assert_suggestions (BuzonStore         *store,
                    const char         *text,
                    const char * const *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) got = buzon_compose_complete_addresses (store, 0, text, 5, &error);

  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_ptr_array_add (got, NULL);
  g_assert_cmpstrv ((char **)got->pdata, expected);
}

static void
test_complete_addresses (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("buzon-complete-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "buzon.db", NULL);
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = buzon_account_new ("me");
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);
  gint64 inbox, sent;

  g_assert_no_error (error);
  store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  buzon_account_set_address (account, "me@example.com");
  buzon_account_set_host (account, "imap.example.com");
  g_assert_true (buzon_store_add_account (store, account, &error));
  inbox = add_test_folder (store, buzon_account_get_id (account), "INBOX",
                           BUZON_SPECIAL_USE_INBOX);
  sent = add_test_folder (store, buzon_account_get_id (account), "Sent", BUZON_SPECIAL_USE_SENT);

  add_test_message (store, inbox, 1, "José Núñez <jose@example.es>", "me@example.com", 100);
  add_test_message (store, inbox, 2, "Ana <ana@example.com>", "me@example.com", 200);
  add_test_message (store, inbox, 3, "Anabel Ruiz <anabel@example.org>", "me@example.com", 300);
  add_test_message (store, inbox, 4, "Anabel Ruiz <anabel@example.org>", "me@example.com", 310);
  add_test_message (store, inbox, 5, "news@shop.example", "me@example.com", 400);
  /* Written to: counts three times a received one; the newest name wins. */
  add_test_message (store, sent, 1, "me@example.com",
                    "Ana García <ana@example.com>, \"Ruiz, Pedro\" <pedro@example.net>", 500);

  /* Ana: one received, one written to (4); Anabel: two received (2). */
  assert_suggestions (store, "an", (const char *[]) {
    "Ana García <ana@example.com>", "Anabel Ruiz <anabel@example.org>", NULL });
  /* A word of the name, whatever its accents and case. */
  assert_suggestions (store, "núñ", (const char *[]) { "José Núñez <jose@example.es>", NULL });
  assert_suggestions (store, "JOS", (const char *[]) { "José Núñez <jose@example.es>", NULL });
  /* The address, and a name that needs quoting. */
  assert_suggestions (store, "pedro", (const char *[]) { "\"Ruiz, Pedro\" <pedro@example.net>",
                                                          NULL });
  assert_suggestions (store, "news", (const char *[]) { "news@shop.example", NULL });
  /* Not the middle of a word; nothing; white space. */
  assert_suggestions (store, "nabel", (const char *[]) { NULL });
  assert_suggestions (store, "zzz", (const char *[]) { NULL });
  assert_suggestions (store, "  ", (const char *[]) { NULL });
  /* LIKE's own characters are text. */
  assert_suggestions (store, "%", (const char *[]) { NULL });
  assert_suggestions (store, "_", (const char *[]) { NULL });

  g_clear_object (&store);
  g_assert_cmpint (system (command), ==, 0);
}

static void
test_complete_tokens (void)
{
  static const struct { const char *text, *token, *completed; } cases[] = {
    { "", "", "Ana <ana@example.com>, " },
    { "an", "an", "Ana <ana@example.com>, " },
    { "pedro@example.net, an", "an", "pedro@example.net, Ana <ana@example.com>, " },
    { "pedro@example.net,an", "an", "pedro@example.net, Ana <ana@example.com>, " },
    { "pedro@example.net;  an", "an", "pedro@example.net; Ana <ana@example.com>, " },
    /* A comma inside a quoted name is not a separator. */
    { "\"Ruiz, Pedro\" <p@x.org>, a", "a",
      "\"Ruiz, Pedro\" <p@x.org>, Ana <ana@example.com>, " },
    { "\"Ruiz, Pe", "\"Ruiz, Pe", "Ana <ana@example.com>, " },
    { "p@x.org, ", "", "p@x.org, Ana <ana@example.com>, " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *token = buzon_compose_address_token (cases[i].text);
      g_autofree char *completed =
        buzon_compose_address_complete (cases[i].text, "Ana <ana@example.com>");

      g_assert_cmpstr (token, ==, cases[i].token);
      g_assert_cmpstr (completed, ==, cases[i].completed);
    }
}

int
main (int   argc,
      char *argv[])
{
  /* Attribution dates in UTC and the C locale's "%x %X". */
  g_setenv ("TZ", "UTC", TRUE);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LANGUAGE");

  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  g_test_add_func ("/buzon/compose/build/headers", test_build_headers);
  g_test_add_func ("/buzon/compose/build/dedup", test_build_dedup);
  g_test_add_func ("/buzon/compose/build/seven-bit", test_build_seven_bit);
  g_test_add_func ("/buzon/compose/build/quoted-printable", test_build_quoted_printable);
  g_test_add_func ("/buzon/compose/build/attachments", test_build_attachments);
  g_test_add_func ("/buzon/compose/build/attachment-from-file", test_build_attachment_from_file);
  g_test_add_func ("/buzon/compose/build/forwarded", test_build_forwarded);
  g_test_add_func ("/buzon/compose/build/threading", test_build_threading);
  g_test_add_func ("/buzon/compose/build/international", test_build_international);
  g_test_add_func ("/buzon/compose/build/long-headers", test_build_long_headers);
  g_test_add_func ("/buzon/compose/build/no-injection", test_build_no_injection);
  g_test_add_func ("/buzon/compose/build/errors", test_build_errors);
  g_test_add_func ("/buzon/compose/subject-prefixes", test_subject_prefixes);
  g_test_add_func ("/buzon/compose/references", test_references);
  g_test_add_func ("/buzon/compose/quote", test_quote);
  g_test_add_func ("/buzon/compose/reply/sender", test_reply_sender);
  g_test_add_func ("/buzon/compose/reply/all", test_reply_all);
  g_test_add_func ("/buzon/compose/reply/reply-to", test_reply_reply_to);
  g_test_add_func ("/buzon/compose/reply/own-message", test_reply_own_message);
  g_test_add_func ("/buzon/compose/reply/long-references", test_reply_long_references);
  g_test_add_func ("/buzon/compose/forward/inline", test_forward_inline);
  g_test_add_func ("/buzon/compose/forward/attachment", test_forward_attachment);
  g_test_add_func ("/buzon/compose/mailto/fields", test_mailto_fields);
  g_test_add_func ("/buzon/compose/mailto/errors", test_mailto_errors);
  g_test_add_func ("/buzon/compose/draft/round-trip", test_draft_round_trip);
  g_test_add_func ("/buzon/compose/draft/incomplete", test_draft_incomplete);
  g_test_add_func ("/buzon/compose/complete-addresses", test_complete_addresses);
  g_test_add_func ("/buzon/compose/complete-tokens", test_complete_tokens);

  return g_test_run ();
}
