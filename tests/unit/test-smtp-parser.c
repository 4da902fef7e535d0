/* test-smtp-parser.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The SMTP reply parser, the EHLO decoder, the DATA encoder and the
 * reply-to-error mapping, from RFC examples and real server output (Postfix,
 * aiosmtpd, Exchange's AUTH=): every input is also fed one byte at a time,
 * since a reply may arrive in any number of reads. */

#include "config.h"

#include <string.h>

#include "buzon-net-error.h"
#include "buzon-smtp.h"

static GPtrArray *
parse_all (const char  *input,
           gboolean     bytewise,
           GError     **error)
{
  g_autoptr(BuzonSmtpParser) parser = buzon_smtp_parser_new ();
  g_autoptr(GPtrArray) replies =
    g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_smtp_reply_free);
  gsize length = strlen (input);
  BuzonSmtpReply *reply;

  if (bytewise)
    {
      for (gsize i = 0; i < length; i++)
        if (!buzon_smtp_parser_feed (parser, input + i, 1, error))
          return NULL;
    }
  else if (!buzon_smtp_parser_feed (parser, input, length, error))
    return NULL;

  while ((reply = buzon_smtp_parser_pop (parser)) != NULL)
    g_ptr_array_add (replies, reply);

  return g_steal_pointer (&replies);
}

static void
test_pipelined (void)
{
  /* RFC 2920 §3.2's example, the server side, with Postfix's enhanced codes. */
  static const char input[] =
    "220 mx.example.org ESMTP Postfix\r\n"
    "250-mx.example.org\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250 ENHANCEDSTATUSCODES\r\n"
    "250 2.1.0 Ok\r\n"
    "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\r\n"
    "250 2.1.5 Ok\r\n"
    "354 End data with <CR><LF>.<CR><LF>\r\n"
    "250 2.0.0 Ok: queued as 4ABC\n"
    "221 2.0.0 Bye\r\n";

  for (int bytewise = 0; bytewise < 2; bytewise++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) replies = parse_all (input, bytewise, &error);
      BuzonSmtpReply *r;
      g_autofree char *text = NULL;
      g_autofree char *enhanced = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 8);

      r = replies->pdata[0];
      g_assert_cmpuint (r->code, ==, 220);
      g_assert_cmpuint (r->klass, ==, 0);
      g_assert_cmpstr (r->lines[0], ==, "mx.example.org ESMTP Postfix");

      r = replies->pdata[1];
      g_assert_cmpuint (r->code, ==, 250);
      g_assert_cmpuint (g_strv_length (r->lines), ==, 4);
      g_assert_cmpstr (r->lines[3], ==, "ENHANCEDSTATUSCODES");

      r = replies->pdata[3];
      g_assert_cmpuint (r->code, ==, 550);
      g_assert_cmpuint (r->klass, ==, 5);
      g_assert_cmpuint (r->subject, ==, 1);
      g_assert_cmpuint (r->detail, ==, 1);
      g_assert_true (buzon_smtp_reply_has_enhanced (r, 1, 1));
      enhanced = buzon_smtp_reply_dup_enhanced (r);
      g_assert_cmpstr (enhanced, ==, "5.1.1");
      text = buzon_smtp_reply_dup_text (r);
      g_assert_cmpstr (text, ==, "<nobody@example.org>: Recipient address rejected: User unknown");

      g_assert_cmpuint (((BuzonSmtpReply *) replies->pdata[5])->code, ==, 354);
      r = replies->pdata[6];
      g_assert_cmpuint (r->code, ==, 250);
      g_assert_cmpstr (r->lines[0], ==, "Ok: queued as 4ABC");
      g_assert_cmpuint (((BuzonSmtpReply *) replies->pdata[7])->code, ==, 221);
    }
}

static void
test_partial (void)
{
  g_autoptr(BuzonSmtpParser) parser = buzon_smtp_parser_new ();
  g_autoptr(BuzonSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (buzon_smtp_parser_feed (parser, "250-first\r\n250", 14, &error));
  g_assert_no_error (error);
  g_assert_null (buzon_smtp_parser_pop (parser));
  g_assert_cmpuint (buzon_smtp_parser_get_ready (parser), ==, 0);
  g_assert_cmpuint (buzon_smtp_parser_get_buffered (parser), >, 0);
  g_assert_true (buzon_smtp_parser_feed (parser, "\r", 1, &error));
  g_assert_true (buzon_smtp_parser_feed (parser, "\n", 1, &error));
  g_assert_true (buzon_smtp_parser_feed (parser, NULL, 0, &error));
  reply = buzon_smtp_parser_pop (parser);
  g_assert_nonnull (reply);
  /* "250" alone is a legal last line. */
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 2);
  g_assert_cmpstr (reply->lines[1], ==, "");
  g_assert_cmpuint (buzon_smtp_parser_get_buffered (parser), ==, 0);
}

static void
test_enhanced_codes (void)
{
  static const struct
  {
    const char *input;
    guint       klass, subject, detail;
    const char *text;
  } cases[] = {
    { "535 5.7.8 Error: authentication failed: authentication failure\r\n", 5, 7, 8,
      "Error: authentication failed: authentication failure" },
    { "452 4.2.2 Mailbox full\r\n", 4, 2, 2, "Mailbox full" },
    { "552 5.3.4 Message size exceeds fixed limit\r\n", 5, 3, 4,
      "Message size exceeds fixed limit" },
    { "250 2.0.0\r\n", 2, 0, 0, "" },
    { "550 5.7.1 Relaying denied\r\n", 5, 7, 1, "Relaying denied" },
    { "554 5.7.100 three-digit detail\r\n", 5, 7, 100, "three-digit detail" },
    /* No enhanced code: a class that differs, a version number, a number. */
    { "550 4.1.1 class is not 5\r\n", 0, 0, 0, "4.1.1 class is not 5" },
    { "220 mail 2.0.1 ready\r\n", 0, 0, 0, "mail 2.0.1 ready" },
    { "250 2.0.0.1 too many parts\r\n", 0, 0, 0, "2.0.0.1 too many parts" },
    { "550 5.1.1000 detail too long\r\n", 0, 0, 0, "5.1.1000 detail too long" },
    { "550 5.1.1x\r\n", 0, 0, 0, "5.1.1x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) replies = parse_all (cases[i].input, FALSE, &error);
      BuzonSmtpReply *r;

      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 1);
      r = replies->pdata[0];
      g_assert_cmpuint (r->klass, ==, cases[i].klass);
      g_assert_cmpuint (r->subject, ==, cases[i].subject);
      g_assert_cmpuint (r->detail, ==, cases[i].detail);
      g_assert_cmpstr (r->lines[0], ==, cases[i].text);
    }
}

static void
test_ehlo (void)
{
  /* aiosmtpd after STARTTLS (the harness), and an old Exchange with AUTH=. */
  static const char input[] =
    "250-localhost\r\n"
    "250-SIZE 33554432\r\n"
    "250-8BITMIME\r\n"
    "250-SMTPUTF8\r\n"
    "250-AUTH LOGIN PLAIN\r\n"
    "250-PIPELINING\r\n"
    "250 HELP\r\n"
    "250-exchange.example.com Hello [192.0.2.1]\r\n"
    "250-size\r\n"
    "250-starttls\r\n"
    "250-AUTH=LOGIN\r\n"
    "250-AUTH GSSAPI NTLM login\r\n"
    "250-Enhancedstatuscodes\r\n"
    "250 X-EXPS GSSAPI NTLM\r\n"
    "250-hostile\r\n"
    "250-SIZE 99999999999999999999999\r\n"
    "250-AUTH PLAIN,LOGIN WAY-TOO-LONG-MECHANISM-NAME-HERE\r\n"
    "250-\r\n"
    "250 SIZE -5\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (input, TRUE, &error);
  g_autoptr(BuzonSmtpExtensions) a = NULL;
  g_autoptr(BuzonSmtpExtensions) b = NULL;
  g_autoptr(BuzonSmtpExtensions) c = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 3);

  a = buzon_smtp_parse_ehlo (replies->pdata[0]);
  g_assert_true (a->has_size);
  g_assert_cmpuint (a->size, ==, 33554432);
  g_assert_true (a->eightbitmime);
  g_assert_true (a->smtputf8);
  g_assert_true (a->pipelining);
  g_assert_false (a->starttls);
  g_assert_false (a->enhancedstatuscodes);
  g_assert_cmpuint (g_strv_length (a->auth), ==, 2);
  g_assert_true (buzon_smtp_extensions_has_auth (a, "PLAIN"));
  g_assert_true (buzon_smtp_extensions_has_auth (a, "login"));

  b = buzon_smtp_parse_ehlo (replies->pdata[1]);
  g_assert_true (b->has_size);
  g_assert_cmpuint (b->size, ==, 0);
  g_assert_true (b->starttls);
  g_assert_true (b->enhancedstatuscodes);
  g_assert_false (b->pipelining);
  g_assert_cmpuint (g_strv_length (b->auth), ==, 3);
  g_assert_cmpstr (b->auth[0], ==, "LOGIN");
  g_assert_cmpstr (b->auth[1], ==, "GSSAPI");
  g_assert_cmpstr (b->auth[2], ==, "NTLM");
  g_assert_false (buzon_smtp_extensions_has_auth (b, "PLAIN"));

  c = buzon_smtp_parse_ehlo (replies->pdata[2]);
  g_assert_true (c->has_size);
  g_assert_cmpuint (c->size, ==, 0);
  g_assert_cmpuint (g_strv_length (c->auth), ==, 0);
}

static void
test_malformed (void)
{
  static const char *inputs[] = {
    "hello\r\n",
    "* OK IMAP4rev1 ready\r\n",
    "+OK POP3 ready\r\n",
    "25\r\n",
    "2500 four digits\r\n",
    "199 not a code\r\n",
    "600 not a code\r\n",
    "260 second digit over 5\r\n",
    "250-one code\r\n251 another\r\n",
    "250 a NUL\0 here\r\n",
    "\r\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(BuzonSmtpParser) parser = buzon_smtp_parser_new ();
      g_autoptr(GError) error = NULL;
      gsize length = strlen (inputs[i]);

      if (i == 9)
        length = sizeof "250 a NUL\0 here\r\n" - 1;
      g_assert_false (buzon_smtp_parser_feed (parser, inputs[i], length, &error));
      g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_PARSE);
      g_clear_error (&error);
      /* Broken for good. */
      g_assert_false (buzon_smtp_parser_feed (parser, "250 ok\r\n", 8, &error));
      g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_PARSE);
    }
}

static void
test_limits (void)
{
  g_autoptr(BuzonSmtpParser) parser = buzon_smtp_parser_new ();
  g_autoptr(BuzonSmtpParser) lines = buzon_smtp_parser_new ();
  g_autoptr(BuzonSmtpParser) exact = buzon_smtp_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strnfill (BUZON_SMTP_DEFAULT_MAX_LINE + 1, 'a');

  /* A line over the bound, with no line end yet. */
  line[0] = '2';
  line[1] = '5';
  line[2] = '0';
  line[3] = ' ';
  g_assert_false (buzon_smtp_parser_feed (parser, line, strlen (line), &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* Exactly at the bound, its CR and LF in separate reads. */
  buzon_smtp_parser_set_limits (exact, 8, 0);
  g_assert_true (buzon_smtp_parser_feed (exact, "250 abcd\r", 9, &error));
  g_assert_true (buzon_smtp_parser_feed (exact, "\n", 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_smtp_parser_get_ready (exact), ==, 1);

  /* Too many lines in one reply. */
  buzon_smtp_parser_set_limits (lines, 0, 3);
  g_assert_true (buzon_smtp_parser_feed (lines, "250-a\r\n250-b\r\n250-c\r\n", 21, &error));
  g_assert_false (buzon_smtp_parser_feed (lines, "250 d\r\n", 7, &error));
  g_assert_error (error, BUZON_SMTP_ERROR, BUZON_SMTP_ERROR_TOO_LONG);
}

static void
assert_encoded (const char *message,
                const char *expected,
                gboolean    expected_8bit)
{
  g_autoptr(GBytes) in = g_bytes_new (message, strlen (message));
  gboolean eight = !expected_8bit;
  g_autoptr(GBytes) out = buzon_smtp_encode_data (in, &eight);
  gsize length;
  const char *data = g_bytes_get_data (out, &length);

  g_assert_cmpmem (data, length, expected, strlen (expected));
  g_assert_cmpint (eight, ==, expected_8bit);
}

static void
test_encode_data (void)
{
  assert_encoded ("", ".\r\n", FALSE);
  assert_encoded ("a\r\nb\r\n", "a\r\nb\r\n.\r\n", FALSE);
  assert_encoded ("a\nb", "a\r\nb\r\n.\r\n", FALSE);
  assert_encoded ("a\rb\r\n", "a\r\nb\r\n.\r\n", FALSE);
  assert_encoded (".\r\n..\r\n.x\r\n x.\r\n", "..\r\n...\r\n..x\r\n x.\r\n.\r\n", FALSE);
  assert_encoded ("\n.\n", "\r\n..\r\n.\r\n", FALSE);
  assert_encoded (".", "..\r\n.\r\n", FALSE);
  assert_encoded ("¿qué?\r\n", "¿qué?\r\n.\r\n", TRUE);
  g_assert_true (buzon_smtp_address_is_ascii ("ana@example.test"));
  g_assert_false (buzon_smtp_address_is_ascii ("ñandú@example.test"));
}

static GError *
error_for (const char     *input,
           BuzonSmtpStage  stage,
           const char     *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (input, FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
  return buzon_smtp_reply_to_error (replies->pdata[0], stage, "smtp.example.test", address);
}

static void
test_errors (void)
{
  static const struct
  {
    const char     *input;
    BuzonSmtpStage  stage;
    gint            code;
    gboolean        temporary;
    const char     *needle;
  } cases[] = {
    { "535 5.7.8 Error: authentication failed\r\n", BUZON_SMTP_STAGE_AUTH,
      BUZON_SMTP_SESSION_ERROR_AUTH, FALSE, "ana@example.test" },
    { "538 5.7.11 Encryption required\r\n", BUZON_SMTP_STAGE_AUTH,
      BUZON_SMTP_SESSION_ERROR_PLAINTEXT_REFUSED, FALSE, "encrypted" },
    { "454 4.7.0 Temporary authentication failure\r\n", BUZON_SMTP_STAGE_AUTH,
      BUZON_SMTP_SESSION_ERROR_TEMPORARY, TRUE, "later" },
    { "550 5.1.1 User unknown\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_RECIPIENT_UNKNOWN, FALSE, "ana@example.test" },
    { "553 sorry, that domain isn't in my list\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_RECIPIENT_UNKNOWN, FALSE, "ana@example.test" },
    { "554 5.7.1 <x@y.test>: Relay access denied\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_RELAY_DENIED, FALSE, "relaying" },
    { "550 relaying denied\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_RELAY_DENIED, FALSE, "relaying" },
    { "552 5.2.2 Mailbox full\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_MAILBOX_FULL, FALSE, "full" },
    { "452 4.2.2 Over quota\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_TEMPORARY, TRUE, "full" },
    { "450 4.7.1 Greylisted, try again\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_TEMPORARY, TRUE, "later" },
    { "552 5.3.4 Message size exceeds fixed limit\r\n", BUZON_SMTP_STAGE_MESSAGE,
      BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG, FALSE, "too big" },
    { "552 Too much mail data\r\n", BUZON_SMTP_STAGE_MESSAGE,
      BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG, FALSE, "too big" },
    { "530 5.7.0 Authentication required\r\n", BUZON_SMTP_STAGE_MAIL,
      BUZON_SMTP_SESSION_ERROR_AUTH_REQUIRED, FALSE, "log in" },
    { "553 5.7.1 Sender address rejected: not owned by user\r\n", BUZON_SMTP_STAGE_MAIL,
      BUZON_SMTP_SESSION_ERROR_SENDER_REJECTED, FALSE, "ana@example.test" },
    { "421 4.3.2 Service shutting down\r\n", BUZON_SMTP_STAGE_MAIL,
      BUZON_SMTP_SESSION_ERROR_CLOSED, TRUE, "closing" },
    { "451 4.3.0 Local error in processing\r\n", BUZON_SMTP_STAGE_MESSAGE,
      BUZON_SMTP_SESSION_ERROR_TEMPORARY, TRUE, "later" },
    { "554 5.7.1 Message rejected as spam\r\n", BUZON_SMTP_STAGE_MESSAGE,
      BUZON_SMTP_SESSION_ERROR_FAILED, FALSE, "spam" },
    { "554 No SMTP service here\r\n", BUZON_SMTP_STAGE_GREETING,
      BUZON_SMTP_SESSION_ERROR_REFUSED, FALSE, "No SMTP service here" },
    { "553 5.6.7 SMTPUTF8 required\r\n", BUZON_SMTP_STAGE_RCPT,
      BUZON_SMTP_SESSION_ERROR_SMTPUTF8_REQUIRED, FALSE, "international" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = error_for (cases[i].input, cases[i].stage, "ana@example.test");

      g_assert_error (error, BUZON_SMTP_SESSION_ERROR, cases[i].code);
      g_assert_cmpint (buzon_smtp_error_is_temporary (error), ==, cases[i].temporary);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, error->message, cases[i].needle);
      /* The server's words are always there, with its codes. */
      if (cases[i].code != BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG)
        g_assert_nonnull (strstr (error->message, "(The server said: "));
    }

  {
    g_autoptr(GError) big = buzon_smtp_too_big_error_new ("smtp.example.test",
                                                          31 * 1024 * 1024 + 400 * 1024,
                                                          25 * 1024 * 1024);
    g_autoptr(GError) net = g_error_new_literal (BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED, "x");
    g_autoptr(GError) cert = g_error_new_literal (BUZON_NET_ERROR,
                                                  BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED, "x");
    g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");

    g_assert_error (big, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG);
    g_assert_nonnull (strstr (big->message, "31.4 MB"));
    g_assert_nonnull (strstr (big->message, "25.0 MB"));
    g_assert_true (buzon_smtp_error_is_temporary (net));
    g_assert_false (buzon_smtp_error_is_temporary (cert));
    g_assert_false (buzon_smtp_error_is_temporary (cancelled));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/smtp/parser/pipelined", test_pipelined);
  g_test_add_func ("/buzon/smtp/parser/partial", test_partial);
  g_test_add_func ("/buzon/smtp/parser/enhanced-codes", test_enhanced_codes);
  g_test_add_func ("/buzon/smtp/parser/ehlo", test_ehlo);
  g_test_add_func ("/buzon/smtp/parser/malformed", test_malformed);
  g_test_add_func ("/buzon/smtp/parser/limits", test_limits);
  g_test_add_func ("/buzon/smtp/data/encode", test_encode_data);
  g_test_add_func ("/buzon/smtp/error/mapping", test_errors);

  return g_test_run ();
}
