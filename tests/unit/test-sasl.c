/* test-sasl.c — the SASL encoders of src/core/net (buzon-sasl.c)
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PLAIN (RFC 4616) and LOGIN, checked against the RFC's own examples and
 * against base64 computed independently (Python's base64 module), with the
 * test servers' UTF-8 user; and the strict challenge decoder.
 */

#include "config.h"

#include <string.h>

#include "buzon-net.h"

static void
assert_bytes_equal (GBytes     *bytes,
                    const char *expected,
                    gsize       expected_len)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpmem (data, len, expected, expected_len);
}

static void
test_plain_ascii (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = NULL;

  encoded = buzon_sasl_plain_encode (NULL, "ana@example.test", "ana-secret", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (encoded, ==, "AGFuYUBleGFtcGxlLnRlc3QAYW5hLXNlY3JldA==");
}

/* RFC 4616 §4, the two examples. */
static void
test_plain_rfc4616 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tim = NULL;
  g_autofree char *kurt = NULL;

  tim = buzon_sasl_plain_encode (NULL, "tim", "tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tim, ==, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");

  kurt = buzon_sasl_plain_encode ("Ursel", "Kurt", "xipj3plmq", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kurt, ==, "VXJzZWwAS3VydAB4aXBqM3BsbXE=");
}

/* An empty authzid is the same as none: the message starts with NUL. */
static void
test_plain_empty_authzid (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *with_null = NULL;
  g_autofree char *with_empty = NULL;
  g_autofree guchar *decoded = NULL;
  gsize len;

  with_null = buzon_sasl_plain_encode (NULL, "tim", "tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  with_empty = buzon_sasl_plain_encode ("", "tim", "tanstaaftanstaaf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (with_null, ==, with_empty);

  decoded = g_base64_decode (with_empty, &len);
  g_assert_cmpmem (decoded, len, "\0tim\0tanstaaftanstaaf", 21);
}

/* The test servers' UTF-8 user: the bytes go out as UTF-8, not transcoded. */
static void
test_plain_utf8 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = NULL;
  g_autofree guchar *decoded = NULL;
  const char expected[] = "\0ñandú@example.test\0contraseña-ñandú";
  gsize len;

  encoded = buzon_sasl_plain_encode (NULL, "ñandú@example.test", "contraseña-ñandú", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (encoded, ==, "AMOxYW5kw7pAZXhhbXBsZS50ZXN0AGNvbnRyYXNlw7FhLcOxYW5kw7o=");

  decoded = g_base64_decode (encoded, &len);
  g_assert_cmpmem (decoded, len, expected, sizeof expected - 1);
}

static void
test_plain_invalid (void)
{
  const struct {
    const char *authzid;
    const char *username;
    const char *password;
  } cases[] = {
    { NULL, "ana", "contrase\xf1" "a" },       /* Latin-1, not UTF-8 */
    { NULL, "\xc3", "secret" },                /* truncated sequence */
    { "\xff", "ana", "secret" },
    { NULL, "", "secret" },
    { NULL, "ana", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *encoded = NULL;

      encoded = buzon_sasl_plain_encode (cases[i].authzid, cases[i].username, cases[i].password,
                                         &error);
      g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CREDENTIALS);
      g_assert_null (encoded);
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_login (void)
{
  g_autofree char *user = buzon_sasl_login_encode ("ñandú@example.test");
  g_autofree char *password = buzon_sasl_login_encode ("contraseña-ñandú");
  g_autofree char *empty = buzon_sasl_login_encode ("");
  g_autofree char *latin1 = buzon_sasl_login_encode ("contrase\xf1" "a");
  g_autofree guchar *decoded = NULL;
  gsize len;

  g_assert_cmpstr (user, ==, "w7FhbmTDukBleGFtcGxlLnRlc3Q=");
  g_assert_cmpstr (password, ==, "Y29udHJhc2XDsWEtw7FhbmTDug==");
  g_assert_cmpstr (empty, ==, "");

  /* LOGIN names no charset: bytes go out as given. */
  decoded = g_base64_decode (latin1, &len);
  g_assert_cmpmem (decoded, len, "contrase\xf1" "a", 10);
}

/* The prompts servers send for LOGIN, and the base64 corner cases. */
static void
test_decode_challenge (void)
{
  const struct {
    const char *text;
    const char *expected;
    gsize expected_len;
  } valid[] = {
    { "VXNlcm5hbWU6", "Username:", 9 },
    { "UGFzc3dvcmQ6", "Password:", 9 },
    { "", "", 0 },
    { "YQ==", "a", 1 },
    { "YWI=", "ab", 2 },
    { "AHRpbQ==", "\0tim", 4 },
  };
  const char *invalid[] = {
    "VXNlcm5hbWU",         /* not a multiple of four */
    "VXNlcm5hbWU6=",
    "YQ=a",                /* data after padding */
    "Y===",                /* three padding characters */
    "====",
    "VXNl cm5hbWU6",
    "VXNlcm5hbWU6\r",
    "VXNl-m5hbWU6",        /* base64url is not base64 */
    "VXNl_m5hbWU6",
    "ñandú===",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = buzon_sasl_decode_challenge (valid[i].text, &error);

      g_assert_no_error (error);
      assert_bytes_equal (bytes, valid[i].expected, valid[i].expected_len);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = buzon_sasl_decode_challenge (invalid[i], &error);

      g_test_message ("challenge %s", invalid[i]);
      g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
      g_assert_null (bytes);
    }
}

/* What an encoder produces, a decoder reads back. */
static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = NULL;
  g_autoptr(GBytes) decoded = NULL;

  encoded = buzon_sasl_plain_encode ("admin", "ñandú@example.test", "p\xc3\xa4ss word", &error);
  g_assert_no_error (error);
  decoded = buzon_sasl_decode_challenge (encoded, &error);
  g_assert_no_error (error);
  assert_bytes_equal (decoded, "admin\0ñandú@example.test\0p\xc3\xa4ss word",
                      strlen ("admin") + 1 + strlen ("ñandú@example.test") + 1
                      + strlen ("p\xc3\xa4ss word"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/net/sasl/plain/ascii", test_plain_ascii);
  g_test_add_func ("/buzon/net/sasl/plain/rfc4616", test_plain_rfc4616);
  g_test_add_func ("/buzon/net/sasl/plain/empty-authzid", test_plain_empty_authzid);
  g_test_add_func ("/buzon/net/sasl/plain/utf8", test_plain_utf8);
  g_test_add_func ("/buzon/net/sasl/plain/invalid", test_plain_invalid);
  g_test_add_func ("/buzon/net/sasl/login", test_login);
  g_test_add_func ("/buzon/net/sasl/decode-challenge", test_decode_challenge);
  g_test_add_func ("/buzon/net/sasl/round-trip", test_round_trip);

  return g_test_run ();
}
