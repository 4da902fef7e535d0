/* test-pop3-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The POP3 reply parser, from RFC 1939's examples and awkward but legal
 * server output: every input is also fed one byte at a time, since a
 * reply may arrive in any number of reads. */

#include "config.h"

#include <string.h>

#include "buzon-pop3-parser.h"

/* Feeds @input whole, or one byte at a time; returns the replies. */
static GPtrArray *
parse_all (const char     *input,
           gsize           length,
           const gboolean *expect,
           guint           n_expect,
           gboolean        bytewise,
           GError        **error)
{
  g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
  g_autoptr(GPtrArray) replies =
    g_ptr_array_new_with_free_func ((GDestroyNotify)buzon_pop3_reply_free);
  BuzonPop3Reply *reply;

  for (guint i = 0; i < n_expect; i++)
    buzon_pop3_parser_expect (parser, expect[i]);

  if (bytewise)
    {
      for (gsize i = 0; i < length; i++)
        if (!buzon_pop3_parser_feed (parser, input + i, 1, error))
          return NULL;
    }
  else if (!buzon_pop3_parser_feed (parser, input, length, error))
    return NULL;

  while ((reply = buzon_pop3_parser_pop (parser)) != NULL)
    g_ptr_array_add (replies, reply);

  g_assert_cmpuint (buzon_pop3_parser_get_pending (parser), ==, n_expect - replies->len);

  return g_steal_pointer (&replies);
}

static void
assert_data (const BuzonPop3Reply *reply,
             const char           *expected)
{
  gsize length = 0;
  const char *data;

  g_assert_nonnull (reply->data);
  data = g_bytes_get_data (reply->data, &length);
  g_assert_cmpmem (data, length, expected, strlen (expected));
}

static void
test_rfc1939_session (void)
{
  /* RFC 1939 §10, the example session's server side: greeting, STAT,
   * LIST, RETR (with a stuffed line), DELE, QUIT. */
  static const char input[] =
    "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"
    "+OK 2 320\r\n"
    "+OK 2 messages (320 octets)\r\n"
    "1 120\r\n"
    "2 200\r\n"
    ".\r\n"
    "+OK 120 octets\r\n"
    "Subject: hola\r\n"
    "\r\n"
    "..a line that began with a dot\r\n"
    "...two\r\n"
    ".\r\n"
    "+OK message 1 deleted\r\n"
    "+OK dewey POP3 server signing off\r\n";
  static const gboolean expect[] = { FALSE, FALSE, TRUE, TRUE, FALSE, FALSE };

  for (int bytewise = 0; bytewise <= 1; bytewise++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) replies = parse_all (input, sizeof input - 1, expect,
                                                G_N_ELEMENTS (expect), bytewise, &error);
      g_autoptr(GPtrArray) listing = NULL;
      g_autofree char *timestamp = NULL;
      const BuzonPop3Reply *r;
      guint count = 0;
      guint64 size = 0;

      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 6);

      r = g_ptr_array_index (replies, 0);
      g_assert_cmpint (r->status, ==, BUZON_POP3_OK);
      g_assert_null (r->data);
      timestamp = buzon_pop3_greeting_timestamp (r->text);
      g_assert_cmpstr (timestamp, ==, "<1896.697170952@dbc.mtview.ca.us>");

      r = g_ptr_array_index (replies, 1);
      g_assert_true (buzon_pop3_parse_stat (r->text, &count, &size));
      g_assert_cmpuint (count, ==, 2);
      g_assert_cmpuint (size, ==, 320);

      r = g_ptr_array_index (replies, 2);
      assert_data (r, "1 120\r\n2 200\r\n");
      listing = buzon_pop3_parse_listing (r->data, FALSE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (listing->len, ==, 2);
      g_assert_cmpuint (((BuzonPop3Listing *)g_ptr_array_index (listing, 1))->number, ==, 2);
      g_assert_cmpuint (((BuzonPop3Listing *)g_ptr_array_index (listing, 1))->size, ==, 200);

      r = g_ptr_array_index (replies, 3);
      assert_data (r, "Subject: hola\r\n\r\n.a line that began with a dot\r\n..two\r\n");

      r = g_ptr_array_index (replies, 5);
      g_assert_cmpstr (r->text, ==, "dewey POP3 server signing off");
    }
}

static void
test_err_and_codes (void)
{
  static const char input[] =
    "-ERR [IN-USE] mailbox locked\r\n"
    "-ERR no such message\r\n"
    "-err\r\n"
    "+OK\r\n"
    "-ERR [sys/temp] try later\r\n";
  /* A multi-line command answered -ERR has no payload. */
  static const gboolean expect[] = { FALSE, TRUE, FALSE, FALSE, TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (input, sizeof input - 1, expect,
                                            G_N_ELEMENTS (expect), FALSE, &error);
  const BuzonPop3Reply *r;

  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 5);
  r = g_ptr_array_index (replies, 0);
  g_assert_cmpint (r->status, ==, BUZON_POP3_ERR);
  g_assert_cmpstr (r->code, ==, "IN-USE");
  g_assert_cmpstr (r->text, ==, "mailbox locked");
  r = g_ptr_array_index (replies, 1);
  g_assert_null (r->code);
  g_assert_null (r->data);
  r = g_ptr_array_index (replies, 2);
  g_assert_cmpint (r->status, ==, BUZON_POP3_ERR);
  g_assert_cmpstr (r->text, ==, "");
  r = g_ptr_array_index (replies, 3);
  g_assert_cmpint (r->status, ==, BUZON_POP3_OK);
  r = g_ptr_array_index (replies, 4);
  g_assert_cmpstr (r->code, ==, "SYS/TEMP");
  g_assert_null (r->data);
}

static void
test_sasl_continuation (void)
{
  static const char input[] = "+ \r\n+ VXNlcm5hbWU6\r\n+OK logged in\r\n";
  static const gboolean expect[] = { FALSE, FALSE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (input, sizeof input - 1, expect,
                                            G_N_ELEMENTS (expect), TRUE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 3);
  g_assert_cmpint (((BuzonPop3Reply *)g_ptr_array_index (replies, 0))->status, ==,
                   BUZON_POP3_CONTINUE);
  g_assert_cmpstr (((BuzonPop3Reply *)g_ptr_array_index (replies, 0))->text, ==, "");
  g_assert_cmpstr (((BuzonPop3Reply *)g_ptr_array_index (replies, 1))->text, ==, "VXNlcm5hbWU6");
  g_assert_cmpint (((BuzonPop3Reply *)g_ptr_array_index (replies, 2))->status, ==,
                   BUZON_POP3_OK);
}

static void
test_bare_lf_and_empty_payload (void)
{
  static const char input[] = "+OK\n.\n+OK top\nFrom: a\n\n.\n";
  static const gboolean expect[] = { TRUE, TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (input, sizeof input - 1, expect,
                                            G_N_ELEMENTS (expect), FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 2);
  assert_data (g_ptr_array_index (replies, 0), "");
  assert_data (g_ptr_array_index (replies, 1), "From: a\r\n\r\n");
}

static void
test_binary_payload (void)
{
  /* A message may carry any octet but LF in its lines, NUL included. */
  static const char input[] = "+OK\r\nA\0B\xff\r\n.\r\n";
  static const gboolean expect[] = { TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (input, sizeof input - 1, expect, 1, TRUE, &error);
  gsize length = 0;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (((BuzonPop3Reply *)g_ptr_array_index (replies, 0))->data, &length);
  g_assert_cmpmem (data, length, "A\0B\xff\r\n", 6);
}

static void
test_partial (void)
{
  g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPop3Reply) reply = NULL;

  buzon_pop3_parser_expect (parser, TRUE);
  g_assert_true (buzon_pop3_parser_feed (parser, "+OK\r\nline\r\n.", 12, &error));
  g_assert_null (buzon_pop3_parser_pop (parser));
  g_assert_cmpuint (buzon_pop3_parser_get_pending (parser), ==, 1);
  g_assert_true (buzon_pop3_parser_feed (parser, "\r\n", 2, &error));
  g_assert_no_error (error);
  reply = buzon_pop3_parser_pop (parser);
  assert_data (reply, "line\r\n");
  g_assert_cmpuint (buzon_pop3_parser_get_pending (parser), ==, 0);
}

static void
test_errors (void)
{
  struct { const char *input; gint code; } cases[] = {
    { "HELLO there\r\n", BUZON_POP3_ERROR_PARSE },
    { "+OKAY\r\n", BUZON_POP3_ERROR_PARSE },
    { "* OK IMAP4rev1 ready\r\n", BUZON_POP3_ERROR_PARSE },
    { "+OK one\r\n+OK two\r\n", BUZON_POP3_ERROR_UNEXPECTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
      g_autoptr(GError) error = NULL;

      buzon_pop3_parser_expect (parser, FALSE);
      g_assert_false (buzon_pop3_parser_feed (parser, cases[i].input, strlen (cases[i].input),
                                              &error));
      g_assert_error (error, BUZON_POP3_ERROR, cases[i].code);
      g_clear_error (&error);
      /* Broken for good. */
      g_assert_false (buzon_pop3_parser_feed (parser, "+OK\r\n", 5, &error));
      g_assert_nonnull (error);
    }

  {
    g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
    g_autoptr(GError) error = NULL;
    static const char nul[] = "+OK a\0b\r\n";

    buzon_pop3_parser_expect (parser, FALSE);
    g_assert_false (buzon_pop3_parser_feed (parser, nul, sizeof nul - 1, &error));
    g_assert_error (error, BUZON_POP3_ERROR, BUZON_POP3_ERROR_PARSE);
  }
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_line = g_strnfill (2000, 'x');

  /* A status line without end is cut off at the line limit, not buffered
   * forever. */
  {
    g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();

    buzon_pop3_parser_set_limits (parser, 1024, 4096);
    buzon_pop3_parser_expect (parser, FALSE);
    g_assert_true (buzon_pop3_parser_feed (parser, "+OK ", 4, &error));
    g_assert_false (buzon_pop3_parser_feed (parser, long_line, 2000, &error));
    g_assert_error (error, BUZON_POP3_ERROR, BUZON_POP3_ERROR_TOO_LONG);
    g_clear_error (&error);
  }

  /* A payload over the data limit. */
  {
    g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
    gboolean ok = TRUE;

    buzon_pop3_parser_set_limits (parser, 1024, 4096);
    buzon_pop3_parser_expect (parser, TRUE);
    ok = buzon_pop3_parser_feed (parser, "+OK\r\n", 5, &error);
    for (guint i = 0; ok && i < 10; i++)
      {
        ok = buzon_pop3_parser_feed (parser, long_line, 2000, &error) &&
             buzon_pop3_parser_feed (parser, "\r\n", 2, &error);
      }
    g_assert_false (ok);
    g_assert_error (error, BUZON_POP3_ERROR, BUZON_POP3_ERROR_TOO_LONG);
  }
}

static void
test_listing_lines (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonPop3Listing) uidl = buzon_pop3_parse_listing_line ("2 QhdPYR:00WBw1Ph7x7", TRUE,
                                                                    &error);
  g_autoptr(BuzonPop3Listing) list = buzon_pop3_parse_listing_line ("3 4096 extra", FALSE, &error);
  g_autofree char *seventy_one = g_strnfill (71, 'a');
  g_autofree char *too_long = g_strdup_printf ("1 %s", seventy_one);
  static const char *bad_uidl[] = { "0 abc", "x abc", "1", "1 ", "1 abc\tdef", NULL };
  guint count;
  guint64 size;

  g_assert_no_error (error);
  g_assert_cmpuint (uidl->number, ==, 2);
  g_assert_cmpstr (uidl->uidl, ==, "QhdPYR:00WBw1Ph7x7");
  g_assert_cmpuint (list->size, ==, 4096);

  for (guint i = 0; bad_uidl[i] != NULL; i++)
    {
      g_assert_null (buzon_pop3_parse_listing_line (bad_uidl[i], TRUE, &error));
      g_assert_error (error, BUZON_POP3_ERROR, BUZON_POP3_ERROR_PARSE);
      g_clear_error (&error);
    }
  g_assert_null (buzon_pop3_parse_listing_line (too_long, TRUE, &error));
  g_clear_error (&error);
  g_assert_null (buzon_pop3_parse_listing_line ("1 99999999999999999999999", FALSE, &error));
  g_clear_error (&error);

  g_assert_false (buzon_pop3_parse_stat ("two 320", &count, &size));
  g_assert_false (buzon_pop3_parse_stat ("2", &count, &size));
  g_assert_true (buzon_pop3_parse_stat ("0 0", &count, &size));
  g_assert_cmpuint (count, ==, 0);
}

static void
test_capa (void)
{
  static const char text[] = "top\r\nUSER\r\nSASL PLAIN LOGIN\r\nRESP-CODES\r\nUIDL\r\n"
                             "IMPLEMENTATION Dovecot\r\n  STLS  \r\n";
  g_autoptr(GBytes) data = g_bytes_new_static (text, sizeof text - 1);
  g_auto(GStrv) capa = buzon_pop3_parse_capa (data);

  g_assert_cmpuint (g_strv_length (capa), ==, 7);
  g_assert_cmpstr (capa[0], ==, "TOP");
  g_assert_cmpstr (capa[2], ==, "SASL PLAIN LOGIN");
  g_assert_cmpstr (capa[5], ==, "IMPLEMENTATION Dovecot");
  g_assert_cmpstr (capa[6], ==, "STLS");
}

static void
test_timestamp (void)
{
  g_autofree char *none = buzon_pop3_greeting_timestamp ("Dovecot ready.");
  g_autofree char *no_at = buzon_pop3_greeting_timestamp ("ready <1896.697170952>");
  g_autofree char *spaced = buzon_pop3_greeting_timestamp ("ready <a b@c>");
  g_autofree char *ok = buzon_pop3_greeting_timestamp ("Dovecot ready. <2c.1.6571@host>");

  g_assert_null (none);
  g_assert_null (no_at);
  g_assert_null (spaced);
  g_assert_cmpstr (ok, ==, "<2c.1.6571@host>");
}

static void
test_empty_listing (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GPtrArray) listing = NULL;
  g_auto(GStrv) capa = NULL;
  g_autoptr(GError) error = NULL;

  /* An empty mailbox: "+OK 0 messages" then "." at once. */
  listing = buzon_pop3_parse_listing (empty, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (listing);
  g_assert_cmpuint (listing->len, ==, 0);
  capa = buzon_pop3_parse_capa (empty);
  g_assert_nonnull (capa);
  g_assert_null (capa[0]);
}

/* Found by fuzz-pop3-parser: a line exactly at the limit whose CR and LF
 * come in different reads; an empty feed before any data. */
static void
test_fuzz_regressions (void)
{
  g_autoptr(BuzonPop3Parser) parser = buzon_pop3_parser_new ();
  g_autoptr(BuzonPop3Reply) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (buzon_pop3_parser_feed (parser, "", 0, &error));
  g_assert_no_error (error);

  buzon_pop3_parser_set_limits (parser, 16, 1024);
  buzon_pop3_parser_expect (parser, FALSE);
  g_assert_true (buzon_pop3_parser_feed (parser, "+OK 0123456789AB\r", 17, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_pop3_parser_feed (parser, "\n", 1, &error));
  g_assert_no_error (error);
  reply = buzon_pop3_parser_pop (parser);
  g_assert_nonnull (reply);
  g_assert_cmpint (reply->status, ==, BUZON_POP3_OK);
  g_assert_cmpstr (reply->text, ==, "0123456789AB");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/pop3/parser/rfc1939-session", test_rfc1939_session);
  g_test_add_func ("/buzon/pop3/parser/err-and-codes", test_err_and_codes);
  g_test_add_func ("/buzon/pop3/parser/sasl-continuation", test_sasl_continuation);
  g_test_add_func ("/buzon/pop3/parser/bare-lf", test_bare_lf_and_empty_payload);
  g_test_add_func ("/buzon/pop3/parser/empty-listing", test_empty_listing);
  g_test_add_func ("/buzon/pop3/parser/fuzz-regressions", test_fuzz_regressions);
  g_test_add_func ("/buzon/pop3/parser/binary", test_binary_payload);
  g_test_add_func ("/buzon/pop3/parser/partial", test_partial);
  g_test_add_func ("/buzon/pop3/parser/errors", test_errors);
  g_test_add_func ("/buzon/pop3/parser/limits", test_limits);
  g_test_add_func ("/buzon/pop3/listing", test_listing_lines);
  g_test_add_func ("/buzon/pop3/capa", test_capa);
  g_test_add_func ("/buzon/pop3/apop-timestamp", test_timestamp);

  return g_test_run ();
}
