/* test-connection.c — BuzonConnection against real servers on 127.0.0.1
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The connection layer the IMAP, POP3 and SMTP sessions stand on, against the
 * private Dovecot and SMTP servers of tests/common: implicit TLS verified
 * against the test CA, STARTTLS/STLS upgrades followed by a SASL login,
 * certificates that do not verify (the self-signed "untrusted" instance) with
 * their fingerprint, pins in a real store, and the faults real servers do not
 * make, from small servers in this process on 127.0.0.1: a closed port, a
 * server that never answers, endless lines, bytes injected after STARTTLS,
 * cancellation. Nothing connects anywhere but 127.0.0.1.
 */

#include "config.h"

#include <string.h>

#include "buzon-net.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"
#include "buzon-test-store.h"

#define MAX_LINE 8192

/* One instance of each kind for the whole executable, started on first use. */
static BuzonTestServers *trusted_servers;
static BuzonTestServers *untrusted_servers;
static gboolean trusted_tried;
static gboolean untrusted_tried;

static BuzonTestServers *
get_trusted_servers (void)
{
  return buzon_test_servers_start_once (&trusted_servers, &trusted_tried, "full", NULL);
}

static BuzonTestServers *
get_untrusted_servers (void)
{
  const char * const args[] = { "--cert", "untrusted", NULL };

  return buzon_test_servers_start_once (&untrusted_servers, &untrusted_tried, "minimal", args);
}

static const char *
untrusted_sha256 (BuzonTestServers *servers)
{
  return json_object_get_string_member (buzon_test_servers_get_info (servers),
                                        "untrusted_cert_sha256");
}

/* Running the asynchronous API to completion */

static BuzonConnection *
connection_new (const char    *host,
                guint          port,
                BuzonSecurity  security,
                GTlsDatabase  *database,
                BuzonStore    *store)
{
  BuzonConnection *connection = buzon_connection_new (host, (guint16) port, security);

  buzon_connection_set_tls_database (connection, database);
  buzon_connection_set_store (connection, store);
  buzon_connection_set_connect_timeout (connection, 20);
  buzon_connection_set_io_timeout (connection, 20);

  return connection;
}

/* A connection to one of @servers' services, trusting the test CA. */
static BuzonConnection *
server_connection_new (BuzonTestServers *servers,
                       const char       *service,
                       BuzonSecurity     security,
                       BuzonStore       *store)
{
  return connection_new (buzon_test_servers_get_host (servers),
                         buzon_test_servers_get_port (servers, service), security,
                         buzon_test_servers_get_tls_database (servers), store);
}

static gboolean
connect_sync (BuzonConnection  *connection,
              GCancellable     *cancellable,
              GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_connection_connect_async (connection, cancellable, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  return buzon_connection_connect_finish (connection, result, error);
}

static gboolean
start_tls_sync (BuzonConnection  *connection,
                GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_connection_start_tls_async (connection, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  return buzon_connection_start_tls_finish (connection, result, error);
}

static char *
read_line_sync (BuzonConnection  *connection,
                gsize             max_length,
                GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_connection_read_line_async (connection, max_length, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  return buzon_connection_read_line_finish (connection, result, NULL, error);
}

static gboolean
write_sync (BuzonConnection  *connection,
            const char       *text,
            GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_connection_write_async (connection, text, -1, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  return buzon_connection_write_finish (connection, result, error);
}

static void
send_line (BuzonConnection *connection,
           const char      *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (text, "\r\n", NULL);

  write_sync (connection, line, &error);
  g_assert_no_error (error);
}

/* Reads a line and checks how it starts; returns it. */
static char *
expect_line (BuzonConnection *connection,
             const char      *prefix)
{
  g_autoptr(GError) error = NULL;
  char *line = read_line_sync (connection, MAX_LINE, &error);

  g_assert_no_error (error);
  g_test_message ("S: %s", line);
  if (!g_str_has_prefix (line, prefix))
    g_error ("Expected a line starting with “%s”, got “%s”", prefix, line);

  return line;
}

/* Reads lines up to the one starting with @end; returns them all, joined. */
static char *
expect_until (BuzonConnection *connection,
              const char      *end)
{
  g_autoptr(GString) all = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = read_line_sync (connection, MAX_LINE, &error);

      g_assert_no_error (error);
      g_test_message ("S: %s", line);
      g_string_append (all, line);
      g_string_append_c (all, '\n');
      if (g_str_has_prefix (line, end))
        break;
    }

  return g_string_free (g_steal_pointer (&all), FALSE);
}

static void
close_sync (BuzonConnection *connection)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_connection_close_async (connection, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  buzon_connection_close_finish (connection, result, &error);
  /* A server that already hung up after LOGOUT/QUIT may make this fail; the
   * connection is closed either way. */
  g_assert_false (buzon_connection_is_open (connection));
}

/* A server in this process on 127.0.0.1 that does what a test tells it */

typedef struct
{
  GSocketService    *service;
  guint16            port;
  GSocketConnection *peer;       /* the server side of the last connection */
  const char        *greeting;   /* sent when a client connects, if set */
  gboolean           hang_up;    /* close once the greeting is out */
  guint              writing;    /* greetings still being written */
} FakeServer;

static void
fake_greeting_written_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  FakeServer *fake = user_data;

  /* It may fail: the client may hang up first (the endless line test). */
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL);
  if (fake->hang_up)
    g_io_stream_close (G_IO_STREAM (fake->peer), NULL, NULL);
  fake->writing--;
}

static gboolean
fake_incoming_cb (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  gpointer           user_data)
{
  FakeServer *fake = user_data;

  g_set_object (&fake->peer, connection);
  if (fake->greeting != NULL)
    {
      /* Asynchronously: the client reads it in this very thread. */
      fake->writing++;
      g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                       fake->greeting, strlen (fake->greeting),
                                       G_PRIORITY_DEFAULT, NULL, fake_greeting_written_cb, fake);
    }
  else if (fake->hang_up)
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static FakeServer *
fake_server_new (const char *greeting)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) effective = NULL;
  FakeServer *fake = g_new0 (FakeServer, 1);

  fake->greeting = greeting;
  fake->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (fake->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  fake->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (fake->service, "incoming", G_CALLBACK (fake_incoming_cb), fake);
  g_socket_service_start (fake->service);

  return fake;
}

/* After the clients are gone (declare the FakeServer first, so g_autoptr
 * frees it last). */
static void
fake_server_free (FakeServer *fake)
{
  g_socket_service_stop (fake->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fake->service));
  g_clear_object (&fake->service);
  if (fake->peer != NULL)
    {
      GSocket *socket = g_socket_connection_get_socket (fake->peer);

      /* Ends a greeting nobody reads. */
      if (!g_socket_is_closed (socket))
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
  while (fake->writing > 0)
    g_main_context_iteration (NULL, TRUE);
  if (fake->peer != NULL)
    g_io_stream_close (G_IO_STREAM (fake->peer), NULL, NULL);
  g_clear_object (&fake->peer);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

static BuzonConnection *
fake_connection_new (FakeServer    *fake,
                     BuzonSecurity  security)
{
  return connection_new ("127.0.0.1", fake->port, security, NULL, NULL);
}

static void
fake_wait_for_client (FakeServer *fake)
{
  while (fake->peer == NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* Reads what the client sent, up to and with the first LF. */
static char *
fake_read_line (FakeServer *fake)
{
  g_autoptr(GString) line = g_string_new (NULL);
  GInputStream *input;

  fake_wait_for_client (fake);
  input = g_io_stream_get_input_stream (G_IO_STREAM (fake->peer));
  while (line->len == 0 || line->str[line->len - 1] != '\n')
    {
      g_autoptr(GError) error = NULL;
      char c;

      g_assert_cmpint (g_input_stream_read (input, &c, 1, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_string_append_c (line, c);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
fake_write (FakeServer *fake,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  fake_wait_for_client (fake);
  while (fake->writing > 0)
    g_main_context_iteration (NULL, TRUE);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (fake->peer)),
                             text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A port on 127.0.0.1 where nothing listens (it did a moment ago). */
static guint16
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) effective = NULL;
  guint16 port;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_listener_close (listener);

  return port;
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Implicit TLS */

static void
assert_verified (BuzonConnection  *connection,
                 BuzonTestServers *servers)
{
  g_assert_true (buzon_connection_is_open (connection));
  g_assert_true (buzon_connection_is_encrypted (connection));
  g_assert_false (buzon_connection_is_pinned (connection));
  g_assert_nonnull (buzon_connection_get_peer_certificate (connection));
  g_assert_cmpuint (buzon_connection_get_peer_certificate_errors (connection), ==, 0);
  g_assert_cmpstr (buzon_connection_get_peer_sha256 (connection), ==,
                   buzon_test_servers_get_cert_sha256 (servers));
}

static void
test_tls_imaps (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *bye = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "imaps", BUZON_SECURITY_TLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  assert_verified (connection, servers);

  greeting = expect_line (connection, "* OK");
  send_line (connection, "a LOGOUT");
  bye = expect_until (connection, "a OK");
  g_assert_nonnull (strstr (bye, "* BYE"));
  close_sync (connection);
  g_assert_finalize_object (g_steal_pointer (&connection));
}

static void
test_tls_pop3s (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *bye = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "pop3s", BUZON_SECURITY_TLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  assert_verified (connection, servers);

  greeting = expect_line (connection, "+OK");
  send_line (connection, "QUIT");
  bye = expect_line (connection, "+OK");
  close_sync (connection);
}

static void
test_tls_smtps (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *ehlo = NULL;
  g_autofree char *bye = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "smtps", BUZON_SECURITY_TLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  assert_verified (connection, servers);

  greeting = expect_line (connection, "220 ");
  send_line (connection, "EHLO client.example.test");
  ehlo = expect_until (connection, "250 ");
  g_assert_nonnull (strstr (ehlo, "AUTH"));
  send_line (connection, "QUIT");
  bye = expect_line (connection, "221");
  close_sync (connection);
}

/* Without the test CA, the test servers' certificate does not verify: the
 * system's trust store is all that is trusted by default. */
static void
test_tls_system_store_only (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  if (servers == NULL)
    return;

  connection = connection_new (buzon_test_servers_get_host (servers),
                               buzon_test_servers_get_port (servers, "imaps"),
                               BUZON_SECURITY_TLS, NULL, NULL);
  g_assert_false (connect_sync (connection, NULL, &error));
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_cmpstr (buzon_connection_get_peer_sha256 (connection), ==,
                   buzon_test_servers_get_cert_sha256 (servers));
  g_assert_true (buzon_connection_get_peer_certificate_errors (connection)
                 & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_false (buzon_connection_is_open (connection));
}

/* Implicit TLS on a clear port: a sentence about the port, not GnuTLS's. */
static void
test_tls_on_clear_port (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "imap", BUZON_SECURITY_TLS, NULL);
  g_assert_false (connect_sync (connection, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED);
  port = g_strdup_printf ("port %u", buzon_test_servers_get_port (servers, "imap"));
  g_assert_nonnull (strstr (error->message, port));
}

/* STARTTLS */

static void
test_starttls_imap (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *before = NULL;
  g_autofree char *go_ahead = NULL;
  g_autofree char *after = NULL;
  g_autofree char *login = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *command = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "imap", BUZON_SECURITY_STARTTLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_connection_is_encrypted (connection));
  g_assert_null (buzon_connection_get_peer_certificate (connection));

  greeting = expect_line (connection, "* OK");
  send_line (connection, "a CAPABILITY");
  before = expect_until (connection, "a OK");
  g_assert_nonnull (strstr (before, "STARTTLS"));
  g_assert_nonnull (strstr (before, "LOGINDISABLED"));

  send_line (connection, "b STARTTLS");
  go_ahead = expect_line (connection, "b OK");
  g_assert_true (start_tls_sync (connection, &error));
  g_assert_no_error (error);
  assert_verified (connection, servers);

  send_line (connection, "c CAPABILITY");
  after = expect_until (connection, "c OK");
  g_assert_nonnull (strstr (after, "AUTH=PLAIN"));
  g_assert_null (strstr (after, "LOGINDISABLED"));

  /* The UTF-8 user, with SASL-IR (RFC 4959): what the IMAP session will do. */
  plain = buzon_sasl_plain_encode (NULL, "ñandú@example.test",
                                   buzon_test_servers_get_password (servers, "ñandú@example.test"),
                                   &error);
  g_assert_no_error (error);
  command = g_strdup_printf ("d AUTHENTICATE PLAIN %s", plain);
  send_line (connection, command);
  login = expect_until (connection, "d ");
  g_assert_nonnull (strstr (login, "d OK"));

  send_line (connection, "e LOGOUT");
  g_free (expect_until (connection, "e OK"));
  close_sync (connection);
}

static void
test_starttls_pop3 (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *go_ahead = NULL;
  g_autofree char *capa = NULL;
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *command = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "pop3", BUZON_SECURITY_STARTTLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);

  greeting = expect_line (connection, "+OK");
  send_line (connection, "STLS");
  go_ahead = expect_line (connection, "+OK");
  g_assert_true (start_tls_sync (connection, &error));
  g_assert_no_error (error);
  assert_verified (connection, servers);

  send_line (connection, "CAPA");
  capa = expect_until (connection, ".");
  g_assert_nonnull (strstr (capa, "USER"));

  command = g_strdup_printf ("USER %s", "ana@example.test");
  send_line (connection, command);
  user = expect_line (connection, "+OK");
  g_free (command);
  command = g_strdup_printf ("PASS %s", buzon_test_servers_get_password (servers,
                                                                          "ana@example.test"));
  send_line (connection, command);
  pass = expect_line (connection, "+OK");

  send_line (connection, "QUIT");
  g_free (expect_line (connection, "+OK"));
  close_sync (connection);
}

/* SMTP submission: EHLO, STARTTLS, EHLO again, AUTH LOGIN with the SASL
 * helpers answering the server's prompts. */
static void
test_starttls_smtp (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *before = NULL;
  g_autofree char *go_ahead = NULL;
  g_autofree char *after = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *done = NULL;
  g_autoptr(GBytes) decoded = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "smtp", BUZON_SECURITY_STARTTLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);

  greeting = expect_line (connection, "220 ");
  send_line (connection, "EHLO client.example.test");
  before = expect_until (connection, "250 ");
  g_assert_nonnull (strstr (before, "STARTTLS"));
  send_line (connection, "STARTTLS");
  go_ahead = expect_line (connection, "220");
  g_assert_true (start_tls_sync (connection, &error));
  g_assert_no_error (error);
  assert_verified (connection, servers);

  send_line (connection, "EHLO client.example.test");
  after = expect_until (connection, "250 ");
  g_assert_nonnull (strstr (after, "AUTH"));

  send_line (connection, "AUTH LOGIN");
  prompt = expect_line (connection, "334 ");
  /* "Username:" from most servers; aiosmtpd says "User Name". */
  decoded = buzon_sasl_decode_challenge (prompt + 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (decoded), >, 0);
  user = buzon_sasl_login_encode ("bruno@example.test");
  send_line (connection, user);
  g_free (expect_line (connection, "334 "));
  password = buzon_sasl_login_encode (buzon_test_servers_get_password (servers,
                                                                       "bruno@example.test"));
  send_line (connection, password);
  done = expect_line (connection, "235");

  send_line (connection, "QUIT");
  g_free (expect_line (connection, "221"));
  close_sync (connection);
}

/* Certificates that do not verify, and pins */

static void
assert_untrusted (const GError     *error,
                  BuzonConnection  *connection,
                  BuzonTestServers *servers)
{
  g_autofree char *fingerprint = buzon_certificate_format_fingerprint (untrusted_sha256 (servers));
  g_autofree char *host = g_strdup_printf ("“%s”", buzon_test_servers_get_host (servers));

  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (fingerprint);
  g_assert_nonnull (strstr (error->message, fingerprint));
  g_assert_nonnull (strstr (error->message, host));
  g_assert_nonnull (strstr (error->message, "self-signed"));
  g_assert_cmpstr (buzon_connection_get_peer_sha256 (connection), ==, untrusted_sha256 (servers));
  g_assert_nonnull (buzon_connection_get_peer_certificate (connection));
  g_assert_true (buzon_connection_get_peer_certificate_errors (connection)
                 & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_false (buzon_connection_is_open (connection));
  g_assert_false (buzon_connection_is_encrypted (connection));
}

static void
test_untrusted_imaps (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) later = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "imaps", BUZON_SECURITY_TLS, NULL);
  g_assert_false (connect_sync (connection, NULL, &error));
  assert_untrusted (error, connection, servers);
  g_assert_null (strstr (error->message, "chose to trust"));

  /* Nothing goes over a connection that failed. */
  g_assert_false (write_sync (connection, "a LOGIN ana secret\r\n", &later));
  g_assert_error (later, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED);
}

/* A failed STARTTLS closes the connection: the session cannot fall back to
 * sending its password in the clear. */
static void
test_untrusted_starttls (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) later = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *go_ahead = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "imap", BUZON_SECURITY_STARTTLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  greeting = expect_line (connection, "* OK");
  send_line (connection, "a STARTTLS");
  go_ahead = expect_line (connection, "a OK");

  g_assert_false (start_tls_sync (connection, &error));
  assert_untrusted (error, connection, servers);

  g_assert_false (write_sync (connection, "b LOGIN ana@example.test ana-secret\r\n", &later));
  g_assert_error (later, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED);
}

/* The pinned certificate is accepted, for that host and port only. */
static void
test_untrusted_pinned (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonTestStore) test_store = NULL;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(BuzonConnection) other_port = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  const char *host;

  if (servers == NULL)
    return;

  host = buzon_test_servers_get_host (servers);
  test_store = buzon_test_store_new ("buzon-net-store-XXXXXX");
  buzon_store_set_pin (test_store->store, host,
                       (guint16) buzon_test_servers_get_port (servers, "imaps"),
                       untrusted_sha256 (servers), &error);
  g_assert_no_error (error);

  connection = server_connection_new (servers, "imaps", BUZON_SECURITY_TLS, test_store->store);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_connection_is_encrypted (connection));
  g_assert_true (buzon_connection_is_pinned (connection));
  g_assert_cmpstr (buzon_connection_get_peer_sha256 (connection), ==, untrusted_sha256 (servers));
  g_assert_true (buzon_connection_get_peer_certificate_errors (connection)
                 & G_TLS_CERTIFICATE_UNKNOWN_CA);
  greeting = expect_line (connection, "* OK");
  close_sync (connection);

  other_port = server_connection_new (servers, "pop3s", BUZON_SECURITY_TLS, test_store->store);
  g_assert_false (connect_sync (other_port, NULL, &error));
  assert_untrusted (error, other_port, servers);
  g_assert_null (strstr (error->message, "chose to trust"));

  g_clear_object (&connection);
  g_clear_object (&other_port);
}

/* A pin of another certificate does not make this one acceptable. */
static void
test_untrusted_other_pin (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonTestStore) test_store = NULL;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GTlsCertificate) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *other_sha256 = NULL;

  if (servers == NULL)
    return;

  /* The instance's CA-signed certificate, which it does not present. */
  path = g_build_filename (buzon_test_servers_get_dir (servers), "tls", "server.pem", NULL);
  other = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  other_sha256 = buzon_certificate_dup_sha256 (other);
  g_assert_cmpstr (other_sha256, !=, untrusted_sha256 (servers));

  test_store = buzon_test_store_new ("buzon-net-store-XXXXXX");
  buzon_store_set_pin (test_store->store, buzon_test_servers_get_host (servers),
                       (guint16) buzon_test_servers_get_port (servers, "imaps"),
                       other_sha256, &error);
  g_assert_no_error (error);

  connection = server_connection_new (servers, "imaps", BUZON_SECURITY_TLS, test_store->store);
  g_assert_false (connect_sync (connection, NULL, &error));
  assert_untrusted (error, connection, servers);
  g_assert_nonnull (strstr (error->message, "not the certificate you chose to trust"));
  g_assert_false (buzon_connection_is_pinned (connection));

  g_clear_object (&connection);
}

/* "Trust this certificate" after the failure, then connect again. */
static void
test_untrusted_trust_peer (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonTestStore) test_store = NULL;
  g_autoptr(BuzonConnection) refused = NULL;
  g_autoptr(BuzonConnection) accepted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *greeting = NULL;
  guint16 port;

  if (servers == NULL)
    return;

  port = (guint16) buzon_test_servers_get_port (servers, "smtps");
  test_store = buzon_test_store_new ("buzon-net-store-XXXXXX");
  refused = server_connection_new (servers, "smtps", BUZON_SECURITY_TLS, test_store->store);
  g_assert_false (connect_sync (refused, NULL, &error));
  assert_untrusted (error, refused, servers);
  g_clear_error (&error);

  g_assert_true (buzon_connection_trust_peer_certificate (refused, &error));
  g_assert_no_error (error);
  pin = buzon_store_lookup_pin (test_store->store, buzon_test_servers_get_host (servers), port,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pin, ==, untrusted_sha256 (servers));

  accepted = server_connection_new (servers, "smtps", BUZON_SECURITY_TLS, test_store->store);
  g_assert_true (connect_sync (accepted, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_connection_is_pinned (accepted));
  greeting = expect_line (accepted, "220 ");
  close_sync (accepted);

  g_clear_object (&refused);
  g_clear_object (&accepted);
}

/* A pin does not stand in the way of a certificate that verifies: after a
 * legitimate renewal by a real CA the new certificate is accepted. */
static void
test_pin_ca_renewal (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonTestStore) test_store = NULL;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  if (servers == NULL)
    return;

  test_store = buzon_test_store_new ("buzon-net-store-XXXXXX");
  buzon_store_set_pin (test_store->store, buzon_test_servers_get_host (servers),
                       (guint16) buzon_test_servers_get_port (servers, "imaps"),
                       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                       &error);
  g_assert_no_error (error);

  connection = server_connection_new (servers, "imaps", BUZON_SECURITY_TLS, test_store->store);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  assert_verified (connection, servers);
  close_sync (connection);
  g_clear_object (&connection);
}

/* Faults */

static void
test_connect_refused (void)
{
  guint16 port = closed_port ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  gint64 start = g_get_monotonic_time ();

  connection = connection_new ("127.0.0.1", port, BUZON_SECURITY_TLS, NULL, NULL);
  g_assert_false (connect_sync (connection, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED);
  expected = g_strdup_printf ("The server “127.0.0.1” refused the connection on port %u.",
                              (guint) port);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_false (buzon_connection_is_open (connection));
}

/* A listener that never accepts, with its queue full: Linux drops further
 * SYNs, so a connect hangs in the TCP handshake, on loopback. */
static void
test_connect_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BuzonConnection) connection = NULL;
  gint64 start, elapsed;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                           &error);
  g_assert_no_error (error);
  g_socket_bind (listener, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (listener, 0);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, &error);

      g_assert_no_error (error);
      g_socket_set_blocking (filler, FALSE);
      if (!g_socket_connect (filler, bound, NULL, &error))
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
          g_clear_error (&error);
        }
      g_ptr_array_add (fillers, filler);
    }

  connection = connection_new ("127.0.0.1",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)),
                               BUZON_SECURITY_TLS, NULL, NULL);
  buzon_connection_set_connect_timeout (connection, 1);
  start = g_get_monotonic_time ();
  g_assert_false (connect_sync (connection, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("%s (after %" G_GINT64_FORMAT " ms)", error->message, elapsed / 1000);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "did not answer within 1 second"));
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
  g_assert_false (buzon_connection_is_open (connection));
}

/* Cancelled while the TLS handshake waits for a server that never answers,
 * and before anything happened. */
static void
test_connect_cancel (void)
{
  g_autoptr(FakeServer) fake = fake_server_new (NULL);
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(BuzonConnection) early = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) early_cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  connection = fake_connection_new (fake, BUZON_SECURITY_TLS);
  g_timeout_add (300, cancel_cb, cancellable);
  g_assert_false (connect_sync (connection, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_nonnull (fake->peer);
  g_assert_false (buzon_connection_is_open (connection));
  g_clear_error (&error);

  early = fake_connection_new (fake, BUZON_SECURITY_NONE);
  buzon_connection_connect_async (early, early_cancellable, buzon_test_result_cb, &result);
  g_cancellable_cancel (early_cancellable);
  buzon_test_wait_for (&result);
  g_assert_false (buzon_connection_connect_finish (early, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A server that accepts and says nothing: the I/O timeout ends the read, and
 * the TLS handshake, with "stopped answering". */
static void
test_timeout_silent_server (void)
{
  g_autoptr(FakeServer) fake = fake_server_new (NULL);
  g_autoptr(BuzonConnection) clear = NULL;
  g_autoptr(BuzonConnection) tls = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gint64 start, elapsed;

  clear = fake_connection_new (fake, BUZON_SECURITY_NONE);
  buzon_connection_set_io_timeout (clear, 1);
  g_assert_true (connect_sync (clear, NULL, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  line = read_line_sync (clear, MAX_LINE, &error);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("%s (after %" G_GINT64_FORMAT " ms)", error->message, elapsed / 1000);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "“127.0.0.1” stopped answering"));
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
  g_assert_false (buzon_connection_is_open (clear));
  g_clear_error (&error);

  tls = fake_connection_new (fake, BUZON_SECURITY_TLS);
  buzon_connection_set_io_timeout (tls, 1);
  start = g_get_monotonic_time ();
  g_assert_false (connect_sync (tls, NULL, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TIMEOUT);
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
}

static void
test_server_hangs_up (void)
{
  g_autoptr(FakeServer) fake = fake_server_new ("* BYE not today\r\n");
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bye = NULL;
  g_autofree char *line = NULL;

  fake->hang_up = TRUE;
  connection = fake_connection_new (fake, BUZON_SECURITY_NONE);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  bye = expect_line (connection, "* BYE");
  line = read_line_sync (connection, MAX_LINE, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CLOSED);
  g_assert_cmpstr (error->message, ==, "The server “127.0.0.1” closed the connection.");
}

/* A line longer than the limit, from a real server (the greeting) and from
 * one that never ends its line. */
static void
test_protocol_long_line (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(BuzonConnection) endless = NULL;
  g_autoptr(FakeServer) fake = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *garbage = NULL;

  if (servers == NULL)
    return;

  connection = server_connection_new (servers, "imaps", BUZON_SECURITY_TLS, NULL);
  g_assert_true (connect_sync (connection, NULL, &error));
  g_assert_no_error (error);
  line = read_line_sync (connection, 8, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
  g_assert_null (line);
  g_assert_false (buzon_connection_is_open (connection));
  g_clear_error (&error);

  garbage = g_malloc (200001);
  memset (garbage, 'A', 200000);
  garbage[200000] = '\0';
  fake = fake_server_new (garbage);
  endless = fake_connection_new (fake, BUZON_SECURITY_NONE);
  g_assert_true (connect_sync (endless, NULL, &error));
  g_assert_no_error (error);
  line = read_line_sync (endless, 1000, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "longer than 1000 bytes"));
}

/* A man in the middle answers STARTTLS and appends a response of its own, in
 * the same packet or just after: the client must not take it, nor start TLS
 * with it pending. */
static void
test_protocol_starttls_injection (void)
{
  for (guint same_packet = 0; same_packet < 2; same_packet++)
    {
      g_autoptr(FakeServer) fake =
        fake_server_new ("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
      g_autoptr(BuzonConnection) connection = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) later = NULL;
      g_autofree char *greeting = NULL;
      g_autofree char *command = NULL;
      g_autofree char *go_ahead = NULL;

      connection = fake_connection_new (fake, BUZON_SECURITY_STARTTLS);
      g_assert_true (connect_sync (connection, NULL, &error));
      g_assert_no_error (error);
      greeting = expect_line (connection, "* OK");
      send_line (connection, "a STARTTLS");
      command = fake_read_line (fake);
      g_assert_cmpstr (command, ==, "a STARTTLS\r\n");

      if (same_packet)
        {
          fake_write (fake, "a OK Begin TLS negotiation now\r\n"
                            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
          go_ahead = expect_line (connection, "a OK");
        }
      else
        {
          fake_write (fake, "a OK Begin TLS negotiation now\r\n");
          go_ahead = expect_line (connection, "a OK");
          fake_write (fake, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
          /* Let it arrive. */
          g_usleep (G_USEC_PER_SEC / 10);
        }

      g_assert_false (start_tls_sync (connection, &error));
      g_test_message ("%s", error->message);
      g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
      g_assert_false (buzon_connection_is_open (connection));
      g_assert_false (buzon_connection_is_encrypted (connection));

      g_assert_false (write_sync (connection, "b LOGIN ana secret\r\n", &later));
      g_assert_error (later, BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/net/connection/tls/imaps", test_tls_imaps);
  g_test_add_func ("/buzon/net/connection/tls/pop3s", test_tls_pop3s);
  g_test_add_func ("/buzon/net/connection/tls/smtps", test_tls_smtps);
  g_test_add_func ("/buzon/net/connection/tls/system-store-only", test_tls_system_store_only);
  g_test_add_func ("/buzon/net/connection/tls/clear-port", test_tls_on_clear_port);
  g_test_add_func ("/buzon/net/connection/starttls/imap", test_starttls_imap);
  g_test_add_func ("/buzon/net/connection/starttls/pop3", test_starttls_pop3);
  g_test_add_func ("/buzon/net/connection/starttls/smtp", test_starttls_smtp);
  g_test_add_func ("/buzon/net/connection/untrusted/imaps", test_untrusted_imaps);
  g_test_add_func ("/buzon/net/connection/untrusted/starttls", test_untrusted_starttls);
  g_test_add_func ("/buzon/net/connection/untrusted/pinned", test_untrusted_pinned);
  g_test_add_func ("/buzon/net/connection/untrusted/other-pin", test_untrusted_other_pin);
  g_test_add_func ("/buzon/net/connection/untrusted/trust-peer", test_untrusted_trust_peer);
  g_test_add_func ("/buzon/net/connection/pin/ca-renewal", test_pin_ca_renewal);
  g_test_add_func ("/buzon/net/connection/fault/refused", test_connect_refused);
  g_test_add_func ("/buzon/net/connection/fault/connect-timeout", test_connect_timeout);
  g_test_add_func ("/buzon/net/connection/fault/cancel", test_connect_cancel);
  g_test_add_func ("/buzon/net/connection/fault/timeout", test_timeout_silent_server);
  g_test_add_func ("/buzon/net/connection/fault/hang-up", test_server_hangs_up);
  g_test_add_func ("/buzon/net/connection/fault/long-line", test_protocol_long_line);
  g_test_add_func ("/buzon/net/connection/fault/starttls-injection",
                   test_protocol_starttls_injection);

  status = g_test_run ();

  g_clear_pointer (&trusted_servers, buzon_test_servers_stop);
  g_clear_pointer (&untrusted_servers, buzon_test_servers_stop);
  buzon_test_let_pool_threads_exit ();

  return status;
}
