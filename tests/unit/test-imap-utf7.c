/* test-imap-utf7.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Modified UTF-7 mailbox names (RFC 3501 §5.1.3), both ways. */

#include "config.h"

#include "buzon-imap.h"

static const struct
{
  const char *utf8;
  const char *mutf7;
} pairs[] = {
  /* RFC 3501 §5.1.3 */
  { "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
  { "", "" },
  { "INBOX", "INBOX" },
  { "&", "&-" },
  { "A&B", "A&-B" },
  { "&&", "&-&-" },
  { "Año", "A&APE-o" },
  { "Entwürfe", "Entw&APw-rfe" },
  { "Émoji 😀", "&AMk-moji &2D3eAA-" },
  { "😀😀", "&2D3eANg93gA-" },
  { "€", "&IKw-" },
  { "Ελληνικά", "&A5UDuwO7A7cDvQO5A7oDrA-" },
  { "tab\there", "tab&AAk-here" },
  { "del\x7f", "del&AH8-" },
  { "a~b-c&-d", "a~b-c&--d" },
  { "Папка/Входящие", "&BB8EMAQ,BDoEMA-/&BBIERQQ+BDQETwRJBDgENQ-" },
};

static void
test_pairs (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *encoded = buzon_imap_utf7_encode (pairs[i].utf8, &error);
      g_autofree char *decoded = NULL;

      g_assert_no_error (error);
      g_assert_cmpstr (encoded, ==, pairs[i].mutf7);
      decoded = buzon_imap_utf7_decode (pairs[i].mutf7, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (decoded, ==, pairs[i].utf8);
    }
}

static void
test_invalid_decode (void)
{
  static const char *invalid[] = {
    "&",                 /* a shift and nothing */
    "&U,BTFw",           /* no '-' at the end */
    "A&APE",             /* same */
    "&Jjo!-",            /* '!' is not a base64 digit */
    "&AP/-",             /* '/' is not modified base64 (',' is) */
    "caf\xc3\xa9",       /* 8-bit */
    "tab\there",         /* a control character as itself */
    "&AGE-",             /* 'a' must stand for itself */
    "&ACY-",             /* '&' too */
    "&AAA-",             /* U+0000 */
    "&ZeVnLIqe-&ZeVnLIqe-", /* a null shift between two runs */
    "&2D0-",             /* unpaired high surrogate */
    "&3gA-",             /* unpaired low surrogate */
    "&2D0A6Q-",          /* high surrogate followed by a BMP character */
    "&AOl-",             /* leftover bits not zero */
    "&AOkA-",            /* a whole base64 digit too many */
    "&A-",               /* not even one UTF-16 unit */
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *decoded = buzon_imap_utf7_decode (invalid[i], &error);

      g_test_message ("%s: %s", invalid[i], error != NULL ? error->message : "accepted");
      g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
      g_assert_null (decoded);
    }
}

static void
test_invalid_encode (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = buzon_imap_utf7_encode ("caf\xe9", &error);

  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
  g_assert_null (encoded);
}

/* Random names from every plane round-trip, and encode to printable ASCII. */
static void
test_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GString) name = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *decoded = NULL;
      guint length = g_rand_int_range (rand, 0, 12);

      for (guint i = 0; i < length; i++)
        {
          gunichar c;

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              c = g_rand_int_range (rand, 0x01, 0x80);
              break;
            case 1:
              c = g_rand_int_range (rand, 0x80, 0x800);
              break;
            case 2:
              c = g_rand_int_range (rand, 0x800, 0x10000);
              break;
            default:
              c = g_rand_int_range (rand, 0x10000, 0x110000);
              break;
            }
          if (c >= 0xd800 && c <= 0xdfff)
            c = '&';
          g_string_append_unichar (name, c);
        }

      encoded = buzon_imap_utf7_encode (name->str, &error);
      g_assert_no_error (error);
      for (const char *p = encoded; *p != '\0'; p++)
        g_assert_true (*p >= 0x20 && *p <= 0x7e);
      decoded = buzon_imap_utf7_decode (encoded, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (decoded, ==, name->str);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/imap/utf7/pairs", test_pairs);
  g_test_add_func ("/buzon/imap/utf7/invalid-decode", test_invalid_decode);
  g_test_add_func ("/buzon/imap/utf7/invalid-encode", test_invalid_encode);
  g_test_add_func ("/buzon/imap/utf7/round-trip", test_round_trip);

  return g_test_run ();
}
