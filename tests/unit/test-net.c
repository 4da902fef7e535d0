/* test-net.c — the pure parts of src/core/net, without a network
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fingerprints, the error sentences, and BuzonConnection's reader and writer
 * over memory streams, a stream that hands out a few bytes at a time, and a
 * Unix socket pair (timeouts, cancellation, the STARTTLS injection check).
 * The same connection against real servers on loopback is
 * tests/integration/test-connection.c.
 */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buzon-net.h"
#include "buzon-net-private.h"

/* A self-signed certificate, and the SHA-256 of its DER as
 * `openssl x509 -noout -fingerprint -sha256` printed it. */
static const char test_certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBnjCCAUOgAwIBAgIUBi9miMY55AupsITLrVSzFkDNVGEwCgYIKoZIzj0EAwIw\n"
  "IzEhMB8GA1UEAwwYZmluZ2VycHJpbnQuZXhhbXBsZS50ZXN0MCAXDTI2MTEyMzE5\n"
  "MDIyMVoYDzIxMjYxMDMwMTkwMjIxWjAjMSEwHwYDVQQDDBhmaW5nZXJwcmludC5l\n"
  "eGFtcGxlLnRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASxCI/kfDbS1CNT\n"
  "imIcBYcdw5qtOQEw99Ud0xMYirdieF1cuNe5mTDHKWY1wU0gcngEHSjAywbA3dsu\n"
  "FbdjzlzFo1MwUTAdBgNVHQ4EFgQUmTwnkhJGjy05pUk1wt+3qx4hVM0wHwYDVR0j\n"
  "BBgwFoAUmTwnkhJGjy05pUk1wt+3qx4hVM0wDwYDVR0TAQH/BAUwAwEB/zAKBggq\n"
  "hkjOPQQDAgNJADBGAiEA6ZBe15NR7kedakjBT5m8aNvqWKHKIGIsQz4JwBH88xQC\n"
  "IQDZzDtgnQGqnINK5aFNLK4o1j9CIHqvE9HZPEJNODAp4g==\n"
  "-----END CERTIFICATE-----\n";
static const char test_certificate_sha256[] =
  "aaed989fcd2755177a9cbde4e2b5fd812d198fd25f1c7d8ee4d0bd6b1e4d46ce";
static const char test_certificate_fingerprint[] =
  "AA:ED:98:9F:CD:27:55:17:7A:9C:BD:E4:E2:B5:FD:81:2D:19:8F:D2:5F:1C:7D:8E:E4:D0:BD:6B:1E:4D:46:CE";

/* A stream that returns 1 to 5 bytes per read, so every line and literal
 * straddles reads. */
#define TEST_TYPE_TRICKLE_INPUT_STREAM (test_trickle_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleInputStream, test_trickle_input_stream,
                      TEST, TRICKLE_INPUT_STREAM, GFilterInputStream)

struct _TestTrickleInputStream
{
  GFilterInputStream parent_instance;
  guint              reads;
};

G_DEFINE_FINAL_TYPE (TestTrickleInputStream, test_trickle_input_stream,
                     G_TYPE_FILTER_INPUT_STREAM)

static gssize
test_trickle_input_stream_read (GInputStream  *stream,
                                void          *buffer,
                                gsize          count,
                                GCancellable  *cancellable,
                                GError       **error)
{
  TestTrickleInputStream *self = TEST_TRICKLE_INPUT_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gsize most = 1 + (self->reads++ % 5);

  return g_input_stream_read (base, buffer, MIN (count, most), cancellable, error);
}

static void
test_trickle_input_stream_class_init (TestTrickleInputStreamClass *klass)
{
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_trickle_input_stream_read;
}

static void
test_trickle_input_stream_init (TestTrickleInputStream *self)
{
}

/* Running the asynchronous API to completion */

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static char *
read_line (BuzonConnection  *connection,
           gsize             max_length,
           gsize            *length,
           GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_connection_read_line_async (connection, max_length, NULL, result_cb, &result);
  wait_for (&result);
  return buzon_connection_read_line_finish (connection, result, length, error);
}

static GBytes *
read_bytes (BuzonConnection  *connection,
            gsize             count,
            GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_connection_read_bytes_async (connection, count, NULL, result_cb, &result);
  wait_for (&result);
  return buzon_connection_read_bytes_finish (connection, result, error);
}

static void
assert_line (BuzonConnection *connection,
             gsize            max_length,
             const char      *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = read_line (connection, max_length, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, expected);
  g_assert_cmpuint (length, ==, strlen (expected));
}

static void
assert_read_error (BuzonConnection *connection,
                   GQuark           domain,
                   int              code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = read_line (connection, 1000, NULL, &error);

  g_assert_error (error, domain, code);
  g_assert_null (line);
}

/* A connection reading @data, writing into *@output (nullable). */
static BuzonConnection *
memory_connection_new (const void           *data,
                       gsize                 length,
                       gboolean              trickle,
                       GMemoryOutputStream **output)
{
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = NULL;

  input = g_memory_input_stream_new_from_data (g_memdup2 (data, length), (gssize) length, g_free);
  if (trickle)
    {
      GInputStream *slow = g_object_new (TEST_TYPE_TRICKLE_INPUT_STREAM,
                                         "base-stream", input, NULL);

      g_object_unref (input);
      input = slow;
    }
  stream = g_simple_io_stream_new (input, sink);
  if (output != NULL)
    *output = G_MEMORY_OUTPUT_STREAM (g_object_ref (sink));

  return buzon_connection_new_for_stream (stream, "mail.example.test", 993);
}

/* A connection over one end of a Unix socket pair; the test writes to and
 * closes *@peer. */
static BuzonConnection *
socketpair_connection_new (int *peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  connection = g_socket_connection_factory_create_connection (socket);
  *peer = fds[1];

  return buzon_connection_new_for_stream (G_IO_STREAM (connection), "mail.example.test", 143);
}

static void
peer_write (int         peer,
            const char *text)
{
  gsize length = strlen (text);

  g_assert_cmpint (write (peer, text, length), ==, (gssize) length);
}

/* Fingerprints */

static void
test_fingerprint_format (void)
{
  const char *invalid[] = {
    "",
    "aaed989fcd2755177a9cbde4e2b5fd812d198fd25f1c7d8ee4d0bd6b1e4d46c",     /* 63 */
    "aaed989fcd2755177a9cbde4e2b5fd812d198fd25f1c7d8ee4d0bd6b1e4d46ce0",   /* 65 */
    "gaed989fcd2755177a9cbde4e2b5fd812d198fd25f1c7d8ee4d0bd6b1e4d46ce",
  };
  g_autofree char *lower = buzon_certificate_format_fingerprint (test_certificate_sha256);
  g_autofree char *again = buzon_certificate_format_fingerprint (test_certificate_fingerprint);

  g_assert_cmpstr (lower, ==, test_certificate_fingerprint);
  g_assert_cmpstr (again, ==, test_certificate_fingerprint);
  g_assert_cmpuint (strlen (lower), ==, 95);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *formatted = buzon_certificate_format_fingerprint (invalid[i]);

      g_assert_null (formatted);
    }
}

static void
test_fingerprint_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *sha256 = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("No GIO TLS backend (glib-networking)");
      return;
    }

  certificate = g_tls_certificate_new_from_pem (test_certificate_pem, -1, &error);
  g_assert_no_error (error);
  sha256 = buzon_certificate_dup_sha256 (certificate);
  g_assert_cmpstr (sha256, ==, test_certificate_sha256);
}

/* Sentences */

static void
test_error_certificate (void)
{
  const struct {
    GTlsCertificateFlags flag;
    const char *sentence;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "not signed by a certificate authority this computer trusts" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY,
      "issued for a different server name than “mail.example.test”" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "not valid yet" },
    { G_TLS_CERTIFICATE_EXPIRED, "has expired" },
    { G_TLS_CERTIFICATE_REVOKED, "revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "insecure algorithm" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "could not be checked" },
  };
  g_autoptr(GError) all = NULL;
  g_autoptr(GError) mismatch = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      g_autoptr(GError) error = NULL;

      error = _buzon_net_certificate_error_new ("mail.example.test", reasons[i].flag,
                                                test_certificate_sha256, FALSE);
      g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "“mail.example.test”"));
      g_assert_nonnull (strstr (error->message, reasons[i].sentence));
      g_assert_nonnull (strstr (error->message, test_certificate_fingerprint));
      g_assert_nonnull (strstr (error->message, "trust the certificate explicitly"));
      g_assert_null (strchr (error->message, '\n'));
      /* Only the sentence of this flag. */
      for (guint j = 0; j < G_N_ELEMENTS (reasons); j++)
        if (j != i)
          g_assert_null (strstr (error->message, reasons[j].sentence));
      g_assert_null (strstr (error->message, "chose to trust"));
    }

  all = _buzon_net_certificate_error_new ("mail.example.test",
                                          G_TLS_CERTIFICATE_UNKNOWN_CA
                                          | G_TLS_CERTIFICATE_BAD_IDENTITY
                                          | G_TLS_CERTIFICATE_EXPIRED,
                                          test_certificate_sha256, FALSE);
  g_assert_nonnull (strstr (all->message, reasons[0].sentence));
  g_assert_nonnull (strstr (all->message, reasons[1].sentence));
  g_assert_nonnull (strstr (all->message, reasons[3].sentence));

  mismatch = _buzon_net_certificate_error_new ("mail.example.test",
                                               G_TLS_CERTIFICATE_UNKNOWN_CA,
                                               test_certificate_sha256, TRUE);
  g_assert_nonnull (strstr (mismatch->message, "not the certificate you chose to trust"));
}

static void
test_error_connect (void)
{
  g_autoptr(GError) not_found = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                                     "Name or service not known");
  g_autoptr(GError) refused = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                   "Connection refused");
  g_autoptr(GError) unreachable = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                                                       "Network is unreachable");
  g_autoptr(GError) timed_out = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                     "Connection timed out");
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                                 "Permission denied");
  g_autoptr(GError) error = NULL;

  error = _buzon_net_connect_error_new (not_found, "mail.example.test", 993);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED);
  g_assert_cmpstr (error->message, ==,
                   "Could not find the server “mail.example.test”. Check the name, or your "
                   "internet connection.");
  g_clear_error (&error);

  error = _buzon_net_connect_error_new (refused, "mail.example.test", 993);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED);
  g_assert_nonnull (strstr (error->message, "refused the connection on port 993"));
  g_clear_error (&error);

  error = _buzon_net_connect_error_new (unreachable, "mail.example.test", 993);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED);
  g_assert_nonnull (strstr (error->message, "cannot be reached"));
  g_clear_error (&error);

  error = _buzon_net_connect_error_new (timed_out, "mail.example.test", 993);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  g_clear_error (&error);

  error = _buzon_net_connect_error_new (other, "mail.example.test", 993);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED);
  g_assert_nonnull (strstr (error->message, "Permission denied"));
}

static void
test_error_other (void)
{
  g_autoptr(GError) not_tls = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_NOT_TLS, "Not TLS");
  g_autoptr(GError) unexpected = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_MISC,
                                                      "Error performing TLS handshake: An "
                                                      "unexpected TLS packet was received.");
  g_autoptr(GError) eof = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_EOF, "EOF");
  g_autoptr(GError) reset = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                                 "Connection reset by peer");
  g_autoptr(GError) error = NULL;

  error = _buzon_net_tls_error_new (not_tls, "mail.example.test", 143, FALSE);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED);
  g_assert_nonnull (strstr (error->message, "on port 143"));
  g_assert_nonnull (strstr (error->message, "STARTTLS"));
  g_clear_error (&error);

  /* GnuTLS's word for a clear greeting on a TLS port. */
  error = _buzon_net_tls_error_new (unexpected, "mail.example.test", 143, TRUE);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED);
  g_assert_nonnull (strstr (error->message, "on port 143"));
  g_assert_nonnull (strstr (error->message, "STARTTLS"));
  g_assert_nonnull (strstr (error->message, "unexpected TLS packet"));
  g_clear_error (&error);

  /* After STARTTLS the port is right: no hint, the library's reason. */
  error = _buzon_net_tls_error_new (unexpected, "mail.example.test", 143, FALSE);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED);
  g_assert_null (strstr (error->message, "port"));
  g_assert_nonnull (strstr (error->message, "unexpected TLS packet"));
  g_clear_error (&error);

  error = _buzon_net_io_error_new (eof, "mail.example.test");
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "The server “mail.example.test” closed the connection.");
  g_clear_error (&error);

  error = _buzon_net_io_error_new (reset, "mail.example.test");
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
  g_clear_error (&error);

  error = _buzon_net_io_timeout_error_new ("mail.example.test", 1);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  g_assert_cmpstr (error->message, ==,
                   "The server “mail.example.test” stopped answering; Buzón waited 1 second.");
  g_clear_error (&error);

  error = _buzon_net_io_timeout_error_new ("mail.example.test", 60);
  g_assert_cmpstr (error->message, ==,
                   "The server “mail.example.test” stopped answering; Buzón waited 60 seconds.");
  g_clear_error (&error);

  error = _buzon_net_connect_timeout_error_new ("mail.example.test", 30);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "did not answer within 30 seconds"));
  g_clear_error (&error);

  error = _buzon_net_line_too_long_error_new ("mail.example.test", 8192);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "longer than 8192 bytes"));
}

/* Lines over memory streams */

static void
test_stream_lines (void)
{
  static const char data[] = "* OK ready\r\nbare LF\n\r\n  spaces  \r\nCR\rinside\r\nlast\r\n";
  g_autoptr(BuzonConnection) connection = NULL;

  for (guint trickle = 0; trickle < 2; trickle++)
    {
      connection = memory_connection_new (data, strlen (data), trickle, NULL);
      g_assert_true (buzon_connection_is_open (connection));
      g_assert_false (buzon_connection_is_encrypted (connection));

      assert_line (connection, 100, "* OK ready");
      assert_line (connection, 100, "bare LF");
      assert_line (connection, 100, "");
      assert_line (connection, 100, "  spaces  ");
      assert_line (connection, 100, "CR\rinside");
      assert_line (connection, 100, "last");
      assert_read_error (connection, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
      g_assert_false (buzon_connection_is_open (connection));
      g_assert_finalize_object (g_steal_pointer (&connection));
    }
}

static void
test_stream_nul (void)
{
  static const char data[] = "a\0b\r\n";
  g_autoptr(BuzonConnection) connection = memory_connection_new (data, sizeof data - 1, FALSE,
                                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = read_line (connection, 100, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (line, length, "a\0b", 3);
  g_assert_cmpint (line[length], ==, '\0');
}

/* Exactly the limit is fine, CR or not; one more byte is a protocol error,
 * and the connection stays failed with that error. */
static void
test_stream_limit (void)
{
  static const char data[] = "12345\r\n12345\n123456\r\nafter\r\n";
  g_autoptr(BuzonConnection) connection = memory_connection_new (data, strlen (data), FALSE,
                                                                 NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  assert_line (connection, 5, "12345");
  assert_line (connection, 5, "12345");

  line = read_line (connection, 5, NULL, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "mail.example.test"));
  g_assert_null (line);
  g_assert_false (buzon_connection_is_open (connection));
  g_clear_error (&error);

  line = read_line (connection, 100, NULL, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
  g_assert_null (line);
}

/* A server that sends an endless line: the error comes once the limit is
 * passed, after reading little more than the limit, not the whole stream. */
static void
test_stream_limit_bounded (void)
{
  const gsize limits[] = { 100, 200000 };
  const gsize size = 4 * 1024 * 1024;
  g_autofree char *data = g_malloc (size);

  memset (data, 'x', size);

  for (guint i = 0; i < G_N_ELEMENTS (limits); i++)
    {
      g_autoptr(GInputStream) input = NULL;
      g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
      g_autoptr(GIOStream) stream = NULL;
      g_autoptr(BuzonConnection) connection = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *line = NULL;
      goffset consumed;

      input = g_memory_input_stream_new_from_data (data, (gssize) size, NULL);
      stream = g_simple_io_stream_new (input, output);
      connection = buzon_connection_new_for_stream (stream, "mail.example.test", 993);

      line = read_line (connection, limits[i], NULL, &error);
      g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
      g_assert_null (line);

      consumed = g_seekable_tell (G_SEEKABLE (input));
      g_test_message ("limit %" G_GSIZE_FORMAT ": read %" G_GOFFSET_FORMAT " bytes",
                      limits[i], consumed);
      g_assert_cmpint (consumed, >=, (goffset) limits[i] + 2);
      g_assert_cmpint (consumed, <=, (goffset) (MAX (limits[i] + 2, 16384) + 16384));
      g_assert_finalize_object (g_steal_pointer (&connection));
    }
}

static void
test_stream_bytes (void)
{
  static const char data[] =
    "* 1 FETCH (BODY[] {11}\r\nhello world)\r\n* 2 FETCH (BODY[] {0}\r\n)\r\n";
  g_autoptr(BuzonConnection) connection = NULL;

  for (guint trickle = 0; trickle < 2; trickle++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) literal = NULL;
      g_autoptr(GBytes) empty = NULL;

      connection = memory_connection_new (data, strlen (data), trickle, NULL);
      assert_line (connection, 100, "* 1 FETCH (BODY[] {11}");
      literal = read_bytes (connection, 11, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (literal, NULL), g_bytes_get_size (literal),
                       "hello world", 11);
      assert_line (connection, 100, ")");
      assert_line (connection, 100, "* 2 FETCH (BODY[] {0}");
      empty = read_bytes (connection, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);
      assert_line (connection, 100, ")");
      g_assert_finalize_object (g_steal_pointer (&connection));
    }
}

/* A large literal read in chunks, the first of which is partly buffered. */
static void
test_stream_bytes_chunked (void)
{
  const gsize literal_size = 300000;
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GChecksum) sent = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GChecksum) received = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GError) error = NULL;
  gsize remaining = literal_size;

  g_byte_array_append (data, (const guint8 *) "* 1 FETCH (BODY[] {300000}\r\n", 28);
  for (gsize i = 0; i < literal_size; i++)
    {
      guint8 byte = (guint8) (i * 7 + i / 251);

      g_byte_array_append (data, &byte, 1);
    }
  g_checksum_update (sent, data->data + 28, literal_size);
  g_byte_array_append (data, (const guint8 *) ")\r\n", 3);

  connection = memory_connection_new (data->data, data->len, FALSE, NULL);
  assert_line (connection, 100, "* 1 FETCH (BODY[] {300000}");
  while (remaining > 0)
    {
      g_autoptr(GBytes) chunk = read_bytes (connection, MIN (remaining, 65536), &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (chunk), ==, MIN (remaining, 65536));
      g_checksum_update (received, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      remaining -= g_bytes_get_size (chunk);
    }
  g_assert_cmpstr (g_checksum_get_string (received), ==, g_checksum_get_string (sent));
  assert_line (connection, 100, ")");
}

static void
test_stream_eof (void)
{
  static const char data[] = "* OK\r\nhalf a li";
  g_autoptr(BuzonConnection) connection = memory_connection_new (data, strlen (data), FALSE,
                                                                 NULL);
  g_autoptr(BuzonConnection) literal = memory_connection_new (data, strlen (data), FALSE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  assert_line (connection, 100, "* OK");
  assert_read_error (connection, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);

  bytes = read_bytes (literal, 100, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
  g_assert_null (bytes);
}

static void
test_stream_write (void)
{
  g_autoptr(GMemoryOutputStream) output = NULL;
  g_autoptr(BuzonConnection) connection = memory_connection_new ("", 0, FALSE, &output);
  g_autoptr(GBytes) body = g_bytes_new_static ("Subject: hi\r\n\r\nbody\r\n.\r\n", 24);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) third = NULL;
  g_autoptr(GError) error = NULL;

  buzon_connection_write_async (connection, "a LOGIN x y\r\n", -1, NULL, result_cb, &first);
  wait_for (&first);
  g_assert_true (buzon_connection_write_finish (connection, first, &error));
  g_assert_no_error (error);

  buzon_connection_write_bytes_async (connection, body, NULL, result_cb, &second);
  wait_for (&second);
  g_assert_true (buzon_connection_write_bytes_finish (connection, second, &error));
  g_assert_no_error (error);

  buzon_connection_write_async (connection, NULL, 0, NULL, result_cb, &third);
  wait_for (&third);
  g_assert_true (buzon_connection_write_finish (connection, third, &error));
  g_assert_no_error (error);

  g_assert_cmpmem (g_memory_output_stream_get_data (output),
                   g_memory_output_stream_get_data_size (output),
                   "a LOGIN x y\r\nSubject: hi\r\n\r\nbody\r\n.\r\n", 37);
}

/* Over a socket pair */

static void
test_socket_pending (void)
{
  int peer;
  g_autoptr(BuzonConnection) connection = socketpair_connection_new (&peer);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  buzon_connection_read_line_async (connection, 100, NULL, result_cb, &first);
  buzon_connection_read_line_async (connection, 100, NULL, result_cb, &second);
  wait_for (&second);
  line = buzon_connection_read_line_finish (connection, second, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_null (line);
  g_clear_error (&error);

  peer_write (peer, "first\r\n");
  wait_for (&first);
  line = buzon_connection_read_line_finish (connection, first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "first");
  close (peer);
}

static void
test_socket_timeout (void)
{
  int peer;
  g_autoptr(BuzonConnection) connection = socketpair_connection_new (&peer);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gint64 start, elapsed;

  buzon_connection_set_io_timeout (connection, 1);
  g_assert_cmpuint (buzon_connection_get_io_timeout (connection), ==, 1);

  start = g_get_monotonic_time ();
  line = read_line (connection, 100, NULL, &error);
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "stopped answering"));
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC * 5);
  g_assert_false (buzon_connection_is_open (connection));
  g_clear_error (&error);

  /* Later calls say why it closed. */
  line = read_line (connection, 100, NULL, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  close (peer);
}

typedef struct
{
  int   peer;
  guint sent;
} Trickle;

static gboolean
trickle_cb (gpointer user_data)
{
  Trickle *trickle = user_data;
  static const char line[] = "slow\r\n";

  g_assert_cmpint (write (trickle->peer, line + trickle->sent, 1), ==, 1);
  trickle->sent++;

  return trickle->sent < strlen (line) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* The timeout counts from the last progress: a line that takes 3 s to
 * arrive, a byte every 500 ms, is fine with a 1 s timeout. */
static void
test_socket_timeout_progress (void)
{
  Trickle trickle = { 0, 0 };
  g_autoptr(BuzonConnection) connection = socketpair_connection_new (&trickle.peer);

  buzon_connection_set_io_timeout (connection, 1);
  g_timeout_add (500, trickle_cb, &trickle);
  assert_line (connection, 100, "slow");
  g_assert_cmpuint (trickle.sent, ==, 6);
  close (trickle.peer);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* A read the caller cancels consumes nothing: the next one gets the line. */
static void
test_socket_cancel_read (void)
{
  int peer;
  g_autoptr(BuzonConnection) connection = socketpair_connection_new (&peer);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  peer_write (peer, "half ");
  g_timeout_add (100, cancel_cb, cancellable);
  buzon_connection_read_line_async (connection, 100, cancellable, result_cb, &result);
  wait_for (&result);
  line = buzon_connection_read_line_finish (connection, result, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (line);
  g_assert_true (buzon_connection_is_open (connection));

  peer_write (peer, "a line\r\n");
  assert_line (connection, 100, "half a line");
  close (peer);
}

/* A write the peer does not take: the socket buffers fill up, then the I/O
 * timeout ends the write, or the caller cancels it; either way the
 * connection is closed, since part of the data went out. */
static void
test_socket_write_stalled (void)
{
  const gsize size = 16 * 1024 * 1024;
  g_autofree guint8 *data = g_malloc0 (size);

  for (guint cancel = 0; cancel < 2; cancel++)
    {
      int peer;
      g_autoptr(BuzonConnection) connection = socketpair_connection_new (&peer);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GAsyncResult) later = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      buzon_connection_set_io_timeout (connection, cancel ? 30 : 1);
      if (cancel)
        g_timeout_add (200, cancel_cb, cancellable);
      buzon_connection_write_async (connection, data, (gssize) size, cancellable,
                                    result_cb, &result);
      wait_for (&result);
      g_assert_false (buzon_connection_write_finish (connection, result, &error));
      if (cancel)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      else
        g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
      g_assert_false (buzon_connection_is_open (connection));
      g_clear_error (&error);

      buzon_connection_write_async (connection, "x", 1, NULL, result_cb, &later);
      wait_for (&later);
      g_assert_false (buzon_connection_write_finish (connection, later, &error));
      if (cancel)
        g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
      else
        g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
      close (peer);
    }
}

static void
test_socket_closed (void)
{
  int peer;
  g_autoptr(BuzonConnection) connection = socketpair_connection_new (&peer);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  peer_write (peer, "* BYE\r\n");
  close (peer);
  assert_line (connection, 100, "* BYE");
  assert_read_error (connection, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
  g_assert_false (buzon_connection_is_open (connection));

  buzon_connection_write_async (connection, "x", 1, NULL, result_cb, &result);
  wait_for (&result);
  g_assert_false (buzon_connection_write_finish (connection, result, &error));
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
}

/* disconnect() ends a pending read with "the connection is closed". */
static void
test_socket_disconnect (void)
{
  int peer;
  g_autoptr(BuzonConnection) connection = socketpair_connection_new (&peer);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  buzon_connection_read_line_async (connection, 100, NULL, result_cb, &result);
  g_main_context_iteration (NULL, FALSE);
  buzon_connection_disconnect (connection);
  wait_for (&result);
  line = buzon_connection_read_line_finish (connection, result, NULL, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
  g_assert_nonnull (strstr (error->message, "is closed"));
  close (peer);
}

static gboolean
start_tls (BuzonConnection  *connection,
           GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_connection_start_tls_async (connection, NULL, result_cb, &result);
  wait_for (&result);
  return buzon_connection_start_tls_finish (connection, result, error);
}

/* Bytes after the STARTTLS go-ahead and before the handshake are refused,
 * whether the reader already buffered them or they wait on the socket. */
static void
test_socket_starttls_injection (void)
{
  for (guint buffered = 0; buffered < 2; buffered++)
    {
      int peer;
      g_autoptr(BuzonConnection) connection = socketpair_connection_new (&peer);
      g_autoptr(GError) error = NULL;

      if (buffered)
        {
          peer_write (peer, "a OK Begin TLS negotiation now\r\n* OK [CAPABILITY IMAP4rev1] x\r\n");
          assert_line (connection, 100, "a OK Begin TLS negotiation now");
        }
      else
        {
          peer_write (peer, "a OK Begin TLS negotiation now\r\n");
          assert_line (connection, 100, "a OK Begin TLS negotiation now");
          peer_write (peer, "* OK [CAPABILITY IMAP4rev1] x\r\n");
        }

      g_assert_false (start_tls (connection, &error));
      g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "before the encrypted connection"));
      g_assert_false (buzon_connection_is_open (connection));
      g_assert_false (buzon_connection_is_encrypted (connection));
      close (peer);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/net/fingerprint/format", test_fingerprint_format);
  g_test_add_func ("/buzon/net/fingerprint/certificate", test_fingerprint_certificate);
  g_test_add_func ("/buzon/net/error/certificate", test_error_certificate);
  g_test_add_func ("/buzon/net/error/connect", test_error_connect);
  g_test_add_func ("/buzon/net/error/other", test_error_other);
  g_test_add_func ("/buzon/net/stream/lines", test_stream_lines);
  g_test_add_func ("/buzon/net/stream/nul", test_stream_nul);
  g_test_add_func ("/buzon/net/stream/limit", test_stream_limit);
  g_test_add_func ("/buzon/net/stream/limit-bounded", test_stream_limit_bounded);
  g_test_add_func ("/buzon/net/stream/bytes", test_stream_bytes);
  g_test_add_func ("/buzon/net/stream/bytes-chunked", test_stream_bytes_chunked);
  g_test_add_func ("/buzon/net/stream/eof", test_stream_eof);
  g_test_add_func ("/buzon/net/stream/write", test_stream_write);
  g_test_add_func ("/buzon/net/socket/pending", test_socket_pending);
  g_test_add_func ("/buzon/net/socket/timeout", test_socket_timeout);
  g_test_add_func ("/buzon/net/socket/timeout-progress", test_socket_timeout_progress);
  g_test_add_func ("/buzon/net/socket/cancel-read", test_socket_cancel_read);
  g_test_add_func ("/buzon/net/socket/write-stalled", test_socket_write_stalled);
  g_test_add_func ("/buzon/net/socket/closed", test_socket_closed);
  g_test_add_func ("/buzon/net/socket/disconnect", test_socket_disconnect);
  g_test_add_func ("/buzon/net/socket/starttls-injection", test_socket_starttls_injection);

  return g_test_run ();
}
