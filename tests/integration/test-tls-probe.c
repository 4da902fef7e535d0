/* test-tls-probe.c — the TLS probe against real servers on 127.0.0.1
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * buzon_tls_probe_async() on every port of the private Dovecot and SMTP
 * servers of tests/common: implicit TLS and the STARTTLS/STLS exchange of each
 * protocol, a certificate that verifies against the test CA, the self-signed
 * "untrusted" one (a result, not an error), pins in a real store, and the
 * errors: no encryption, no SMTP server, a closed port. Small scripted
 * servers in this process add what real ones do not do: refuse STARTTLS,
 * untagged responses with a literal before the tagged answer, hostile
 * greetings. Nothing connects anywhere but 127.0.0.1.
 */

#include "config.h"

#include <string.h>

#include "buzon-net.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"
#include "buzon-test-store.h"

/* One instance of each kind for the whole executable, started on first use. */
static BuzonTestServers *trusted_servers;
static BuzonTestServers *untrusted_servers;
static gboolean trusted_tried;
static gboolean untrusted_tried;

static BuzonTestServers *
get_trusted_servers (void)
{
  return buzon_test_servers_start_once (&trusted_servers, &trusted_tried, "minimal", NULL);
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

/* Accounts and running the probe */

static BuzonAccount *
account_new (const char    *host,
             guint          port,
             BuzonProtocol  protocol,
             BuzonSecurity  security)
{
  BuzonAccount *account = buzon_account_new ("Probe");

  buzon_account_set_address (account, "ana@example.test");
  buzon_account_set_protocol (account, protocol);
  buzon_account_set_host (account, host);
  buzon_account_set_port (account, port);
  buzon_account_set_security (account, security);

  return account;
}

static BuzonAccount *
smtp_account_new (const char    *host,
                  guint          port,
                  BuzonSecurity  security)
{
  BuzonAccount *account = account_new (host, 1, BUZON_PROTOCOL_IMAP, BUZON_SECURITY_NONE);

  buzon_account_set_smtp_host (account, host);
  buzon_account_set_smtp_port (account, port);
  buzon_account_set_smtp_security (account, security);

  return account;
}

/* One port of the test servers, with the protocol and security it speaks. */
typedef struct
{
  const char            *service;
  BuzonConnectionServer  server;
  BuzonProtocol          protocol;
  BuzonSecurity          security;
} Port;

static const Port ports[] = {
  { "imaps", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_IMAP, BUZON_SECURITY_TLS },
  { "imap",  BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_IMAP, BUZON_SECURITY_STARTTLS },
  { "pop3s", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_POP3, BUZON_SECURITY_TLS },
  { "pop3",  BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_POP3, BUZON_SECURITY_STARTTLS },
  { "smtps", BUZON_CONNECTION_SERVER_OUTGOING, BUZON_PROTOCOL_IMAP, BUZON_SECURITY_TLS },
  { "smtp",  BUZON_CONNECTION_SERVER_OUTGOING, BUZON_PROTOCOL_IMAP, BUZON_SECURITY_STARTTLS },
};

static BuzonAccount *
port_account_new (BuzonTestServers *servers,
                  const Port       *port)
{
  const char *host = buzon_test_servers_get_host (servers);
  guint number = buzon_test_servers_get_port (servers, port->service);

  if (port->server == BUZON_CONNECTION_SERVER_OUTGOING)
    return smtp_account_new (host, number, port->security);

  return account_new (host, number, port->protocol, port->security);
}

static BuzonTlsProbeResult *
probe_sync (BuzonAccount           *account,
            BuzonConnectionServer   server,
            BuzonStore             *store,
            GTlsDatabase           *database,
            GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_tls_probe_async (account, server, store, database, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);

  return buzon_tls_probe_finish (result, error);
}

static void
assert_result_names (BuzonTlsProbeResult *result,
                     BuzonTestServers    *servers,
                     const Port          *port)
{
  g_assert_cmpstr (buzon_tls_probe_result_get_host (result), ==,
                   buzon_test_servers_get_host (servers));
  g_assert_cmpuint (buzon_tls_probe_result_get_port (result), ==,
                    buzon_test_servers_get_port (servers, port->service));
  g_assert_cmpint (buzon_tls_probe_result_get_security (result), ==, port->security);
  g_assert_true (G_IS_TLS_CERTIFICATE (buzon_tls_probe_result_get_certificate (result)));
}

/* Certificates from the test CA */

static void
test_trusted (void)
{
  BuzonTestServers *servers = get_trusted_servers ();

  if (servers == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_autoptr(BuzonAccount) account = port_account_new (servers, &ports[i]);
      g_autoptr(BuzonTlsProbeResult) result = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", ports[i].service);
      result = probe_sync (account, ports[i].server, NULL,
                           buzon_test_servers_get_tls_database (servers), &error);
      g_assert_no_error (error);
      g_assert_nonnull (result);
      assert_result_names (result, servers, &ports[i]);
      g_assert_true (buzon_tls_probe_result_is_verified (result));
      g_assert_false (buzon_tls_probe_result_is_pinned (result));
      g_assert_true (buzon_tls_probe_result_is_trusted (result));
      g_assert_cmpint (buzon_tls_probe_result_get_errors (result), ==, 0);
      g_assert_cmpstr (buzon_tls_probe_result_get_sha256 (result), ==,
                       buzon_test_servers_get_cert_sha256 (servers));
      g_assert_null (buzon_tls_probe_result_get_stored_pin (result));

      /* GnuTLS tells who the certificate names and how long it is valid. */
      g_assert_nonnull (strstr (buzon_tls_probe_result_get_subject_name (result), "localhost"));
      g_assert_nonnull (buzon_tls_probe_result_get_issuer_name (result));
      g_assert_cmpstr (buzon_tls_probe_result_get_issuer_name (result), !=,
                       buzon_tls_probe_result_get_subject_name (result));
      g_assert_nonnull (buzon_tls_probe_result_get_not_valid_before (result));
      g_assert_nonnull (buzon_tls_probe_result_get_not_valid_after (result));
      g_assert_cmpint (g_date_time_compare (buzon_tls_probe_result_get_not_valid_before (result),
                                            buzon_tls_probe_result_get_not_valid_after (result)),
                       <, 0);
    }
}

/* Without the test CA the same certificate is only shown, not trusted: the
 * system store does not know that CA. */
static void
test_trusted_system_store_only (void)
{
  BuzonTestServers *servers = get_trusted_servers ();
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (servers == NULL)
    return;

  account = port_account_new (servers, &ports[0]);
  result = probe_sync (account, ports[0].server, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (buzon_tls_probe_result_is_verified (result));
  g_assert_false (buzon_tls_probe_result_is_trusted (result));
  g_assert_true (buzon_tls_probe_result_get_errors (result) & G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_cmpstr (buzon_tls_probe_result_get_sha256 (result), ==,
                   buzon_test_servers_get_cert_sha256 (servers));
}

/* Certificates that do not verify: the result says so */

static void
test_untrusted (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonTestStore) test_store = NULL;

  if (servers == NULL)
    return;

  test_store = buzon_test_store_new ("buzon-probe-store-XXXXXX");
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_autoptr(BuzonAccount) account = port_account_new (servers, &ports[i]);
      g_autoptr(BuzonTlsProbeResult) result = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", ports[i].service);
      result = probe_sync (account, ports[i].server, test_store->store,
                           buzon_test_servers_get_tls_database (servers), &error);
      g_assert_no_error (error);
      g_assert_nonnull (result);
      assert_result_names (result, servers, &ports[i]);
      g_assert_false (buzon_tls_probe_result_is_verified (result));
      g_assert_false (buzon_tls_probe_result_is_pinned (result));
      g_assert_false (buzon_tls_probe_result_is_trusted (result));
      g_assert_true (buzon_tls_probe_result_get_errors (result) & G_TLS_CERTIFICATE_UNKNOWN_CA);
      g_assert_cmpstr (buzon_tls_probe_result_get_sha256 (result), ==,
                       untrusted_sha256 (servers));
      g_assert_null (buzon_tls_probe_result_get_stored_pin (result));
      /* Self-signed: issued by itself. */
      g_assert_cmpstr (buzon_tls_probe_result_get_issuer_name (result), ==,
                       buzon_tls_probe_result_get_subject_name (result));
    }
}

/* Pin what the probe saw; the next probe and a real connection accept it,
 * on that port only. */
static void
test_untrusted_pin (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonTestStore) test_store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonAccount) other = NULL;
  g_autoptr(BuzonTlsProbeResult) first = NULL;
  g_autoptr(BuzonTlsProbeResult) again = NULL;
  g_autoptr(BuzonTlsProbeResult) other_port = NULL;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pin = NULL;
  const char *host;
  guint port;

  if (servers == NULL)
    return;

  host = buzon_test_servers_get_host (servers);
  port = buzon_test_servers_get_port (servers, "imap");
  test_store = buzon_test_store_new ("buzon-probe-store-XXXXXX");
  account = account_new (host, port, BUZON_PROTOCOL_IMAP, BUZON_SECURITY_STARTTLS);

  first = probe_sync (account, BUZON_CONNECTION_SERVER_INCOMING, test_store->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (buzon_tls_probe_result_is_trusted (first));
  g_assert_true (buzon_tls_probe_result_pin (first, test_store->store, &error));
  g_assert_no_error (error);
  pin = buzon_store_lookup_pin (test_store->store, host, (guint16) port, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pin, ==, untrusted_sha256 (servers));

  again = probe_sync (account, BUZON_CONNECTION_SERVER_INCOMING, test_store->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_tls_probe_result_is_pinned (again));
  g_assert_false (buzon_tls_probe_result_is_verified (again));
  g_assert_true (buzon_tls_probe_result_is_trusted (again));
  g_assert_cmpstr (buzon_tls_probe_result_get_stored_pin (again), ==, untrusted_sha256 (servers));
  /* What the pin overrides is still reported. */
  g_assert_true (buzon_tls_probe_result_get_errors (again) & G_TLS_CERTIFICATE_UNKNOWN_CA);

  /* A session's connection honours the pin. */
  connection = buzon_connection_new_for_account (account, BUZON_CONNECTION_SERVER_INCOMING);
  buzon_connection_set_store (connection, test_store->store);
  buzon_connection_connect_async (connection, NULL, buzon_test_result_cb, &connected);
  buzon_test_wait_for (&connected);
  g_assert_true (buzon_connection_connect_finish (connection, connected, &error));
  g_assert_no_error (error);
  buzon_connection_disconnect (connection);

  /* The pin is for that port. */
  other = account_new (host, buzon_test_servers_get_port (servers, "imaps"), BUZON_PROTOCOL_IMAP,
                       BUZON_SECURITY_TLS);
  other_port = probe_sync (other, BUZON_CONNECTION_SERVER_INCOMING, test_store->store, NULL,
                           &error);
  g_assert_no_error (error);
  g_assert_false (buzon_tls_probe_result_is_trusted (other_port));
  g_assert_null (buzon_tls_probe_result_get_stored_pin (other_port));
}

static void
test_matches_fingerprint (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GTlsCertificate) other = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *colons = NULL;
  g_autofree char *lower_colons = NULL;
  g_autofree char *path = NULL;
  g_autofree char *other_sha256 = NULL;
  const char *sha256;

  if (servers == NULL)
    return;

  account = port_account_new (servers, &ports[2]);
  result = probe_sync (account, ports[2].server, NULL, NULL, &error);
  g_assert_no_error (error);

  sha256 = untrusted_sha256 (servers);
  upper = g_ascii_strup (sha256, -1);
  colons = buzon_certificate_format_fingerprint (sha256);
  lower_colons = g_ascii_strdown (colons, -1);
  g_assert_true (buzon_tls_probe_result_matches_fingerprint (result, sha256));
  g_assert_true (buzon_tls_probe_result_matches_fingerprint (result, upper));
  g_assert_true (buzon_tls_probe_result_matches_fingerprint (result, colons));
  g_assert_true (buzon_tls_probe_result_matches_fingerprint (result, lower_colons));

  /* The instance's CA-signed certificate, which it does not present. */
  path = g_build_filename (buzon_test_servers_get_dir (servers), "tls", "server.pem", NULL);
  other = g_tls_certificate_new_from_file (path, &error);
  g_assert_no_error (error);
  other_sha256 = buzon_certificate_dup_sha256 (other);
  g_assert_false (buzon_tls_probe_result_matches_fingerprint (result, other_sha256));
  g_assert_false (buzon_tls_probe_result_matches_fingerprint (result, "WRONG"));
  g_assert_false (buzon_tls_probe_result_matches_fingerprint (result, ""));
  /* One digit short. */
  g_assert_false (buzon_tls_probe_result_matches_fingerprint (result, sha256 + 1));
}

/* Errors */

static void
test_not_encrypted (void)
{
  g_autoptr(BuzonAccount) account = account_new ("127.0.0.1", 1, BUZON_PROTOCOL_IMAP,
                                                 BUZON_SECURITY_NONE);
  g_autoptr(BuzonAccount) smtp = smtp_account_new ("127.0.0.1", 1, BUZON_SECURITY_NONE);
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = probe_sync (account, BUZON_CONNECTION_SERVER_INCOMING, NULL, NULL, &error);
  g_assert_error (error, BUZON_TLS_PROBE_ERROR, BUZON_TLS_PROBE_ERROR_NOT_ENCRYPTED);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "“127.0.0.1”"));
  g_assert_nonnull (strstr (error->message, "no certificate to trust"));
  g_clear_error (&error);

  result = probe_sync (smtp, BUZON_CONNECTION_SERVER_OUTGOING, NULL, NULL, &error);
  g_assert_error (error, BUZON_TLS_PROBE_ERROR, BUZON_TLS_PROBE_ERROR_NOT_ENCRYPTED);
  g_assert_null (result);
}

static void
test_no_smtp_server (void)
{
  g_autoptr(BuzonAccount) account = account_new ("127.0.0.1", 1, BUZON_PROTOCOL_IMAP,
                                                 BUZON_SECURITY_TLS);
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = probe_sync (account, BUZON_CONNECTION_SERVER_OUTGOING, NULL, NULL, &error);
  g_assert_error (error, BUZON_TLS_PROBE_ERROR, BUZON_TLS_PROBE_ERROR_NO_SERVER);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "“Probe”"));
}

/* A port nothing listens on: one that was free a moment ago. */
static guint16
unused_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return port;
}

static void
test_connection_refused (void)
{
  g_autoptr(BuzonAccount) account = account_new ("127.0.0.1", unused_port (),
                                                 BUZON_PROTOCOL_POP3, BUZON_SECURITY_STARTTLS);
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = probe_sync (account, BUZON_CONNECTION_SERVER_INCOMING, NULL, NULL, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CONNECT_FAILED);
  g_assert_null (result);
  g_assert_nonnull (strstr (error->message, "“127.0.0.1”"));
}

/* Implicit TLS on a port that speaks in the clear. */
static void
test_not_tls (void)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (servers == NULL)
    return;

  account = account_new (buzon_test_servers_get_host (servers),
                         buzon_test_servers_get_port (servers, "imap"), BUZON_PROTOCOL_IMAP,
                         BUZON_SECURITY_TLS);
  result = probe_sync (account, BUZON_CONNECTION_SERVER_INCOMING, NULL, NULL, &error);
  g_assert_error (error, BUZON_NET_ERROR, BUZON_NET_ERROR_TLS_FAILED);
  g_assert_null (result);
}

/* Scripted servers: a thread on 127.0.0.1 that sends and expects lines */

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  GThread         *thread;
  const char     **script;     /* "> line" is sent, "<" reads one line */
  GPtrArray       *received;   /* every line the client sent */
} ScriptedServer;

static gpointer
scripted_server_thread (gpointer user_data)
{
  ScriptedServer *server = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  GOutputStream *output;
  char *line;

  connection = g_socket_listener_accept (server->listener, NULL, NULL, &error);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  for (const char **step = server->script; *step != NULL; step++)
    {
      if (g_str_has_prefix (*step, "> "))
        {
          g_autofree char *text = g_strconcat (*step + 2, "\r\n", NULL);

          g_output_stream_write_all (output, text, strlen (text), NULL, NULL, &error);
          g_assert_no_error (error);
        }
      else
        {
          line = g_data_input_stream_read_line (input, NULL, NULL, NULL);
          if (line == NULL)
            return NULL;
          g_ptr_array_add (server->received, line);
        }
    }

  /* Then whatever else the client sends, until it hangs up. */
  while ((line = g_data_input_stream_read_line (input, NULL, NULL, NULL)) != NULL)
    g_ptr_array_add (server->received, line);

  return NULL;
}

static ScriptedServer *
scripted_server_new (const char **script)
{
  ScriptedServer *server = g_new0 (ScriptedServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  server->listener = g_socket_listener_new ();
  g_socket_listener_add_address (server->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  server->script = script;
  server->received = g_ptr_array_new_with_free_func (g_free);
  server->thread = g_thread_new ("scripted-server", scripted_server_thread, server);

  return server;
}

/* Waits for the client to be gone; received is complete afterwards. */
static void
scripted_server_free (ScriptedServer *server)
{
  if (server->thread != NULL)
    g_thread_join (server->thread);
  g_socket_listener_close (server->listener);
  g_clear_object (&server->listener);
  g_ptr_array_unref (server->received);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScriptedServer, scripted_server_free)

typedef struct
{
  const char            *name;
  BuzonConnectionServer  server;
  BuzonProtocol          protocol;
  const char            *script[12];
  gboolean               net_error;    /* BUZON_NET_ERROR, else BUZON_TLS_PROBE_ERROR */
  int                    code;
  const char            *fragment;     /* in the error message */
  const char            *sent[4];      /* exactly what the client sent */
} ScriptedCase;

static const ScriptedCase scripted_cases[] = {
  /* The literal holds what looks like the tagged answer; it is not. */
  { "imap-starttls-refused", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_IMAP,
    { "> * OK ready", "<", "> * CAPABILITY IMAP4rev1 LOGINDISABLED",
      "> * 1 FETCH (BODY[] {7}", "> A1 OK )", "> A1 NO not today", NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE, "does not offer STARTTLS",
    { "A1 STARTTLS", NULL } },
  { "imap-preauth", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_IMAP,
    { "> * PREAUTH welcome back", NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE, "STARTTLS", { NULL } },
  { "imap-bye", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_IMAP,
    { "> * BYE \x1b[31mtoo many connections", NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_REFUSED, "?[31mtoo many connections", { NULL } },
  { "imap-not-imap", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_IMAP,
    { "> +OK POP3 here", NULL },
    TRUE, BUZON_NET_ERROR_PROTOCOL, "+OK POP3 here", { NULL } },
  { "pop3-busy", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_POP3,
    { "> -ERR busy, try later", NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_REFUSED, "busy, try later", { NULL } },
  { "pop3-stls-refused", BUZON_CONNECTION_SERVER_INCOMING, BUZON_PROTOCOL_POP3,
    { "> +OK hello", "<", "> -ERR unknown command", NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE, "does not offer STLS", { "STLS", NULL } },
  /* STARTTLS must be a keyword of its own, not part of the greeting line. */
  { "smtp-no-starttls", BUZON_CONNECTION_SERVER_OUTGOING, BUZON_PROTOCOL_IMAP,
    { "> 220-smtp.example.test ESMTP", "> 220 no STARTTLS here", "<",
      "> 250-STARTTLS", "> 250-SIZE 1000", "> 250-X-STARTTLS-NOT", "> 250 8BITMIME",
      NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE, "does not offer STARTTLS",
    { "EHLO buzon", NULL } },
  { "smtp-starttls-refused", BUZON_CONNECTION_SERVER_OUTGOING, BUZON_PROTOCOL_IMAP,
    { "> 220 ready", "<", "> 250-smtp.example.test", "> 250 STARTTLS", "<",
      "> 454 TLS not available due to temporary reason", NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE, "STARTTLS",
    { "EHLO buzon", "STARTTLS", NULL } },
  { "smtp-554", BUZON_CONNECTION_SERVER_OUTGOING, BUZON_PROTOCOL_IMAP,
    { "> 554 no service for you", NULL },
    FALSE, BUZON_TLS_PROBE_ERROR_REFUSED, "no service for you", { NULL } },
  { "smtp-garbage", BUZON_CONNECTION_SERVER_OUTGOING, BUZON_PROTOCOL_IMAP,
    { "> HTTP/1.1 400 Bad Request", NULL },
    TRUE, BUZON_NET_ERROR_PROTOCOL, "HTTP/1.1 400", { NULL } },
};

/* Each case: the error, and what the client sent: the STARTTLS exchange and
 * nothing more (no credentials, nothing after a refusal). */
static void
test_scripted (gconstpointer data)
{
  const ScriptedCase *c = data;
  g_autoptr(ScriptedServer) server = scripted_server_new ((const char **) c->script);
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n_sent = 0;

  if (c->server == BUZON_CONNECTION_SERVER_OUTGOING)
    account = smtp_account_new ("127.0.0.1", server->port, BUZON_SECURITY_STARTTLS);
  else
    account = account_new ("127.0.0.1", server->port, c->protocol, BUZON_SECURITY_STARTTLS);

  result = probe_sync (account, c->server, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, (c->net_error ? BUZON_NET_ERROR : BUZON_TLS_PROBE_ERROR), c->code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“127.0.0.1”"));
  if (strstr (error->message, c->fragment) == NULL)
    g_error ("“%s” not in the error “%s”", c->fragment, error->message);
  g_assert_null (strchr (error->message, '\x1b'));

  /* The probe's connection went with its task: the server has seen it all. */
  g_thread_join (g_steal_pointer (&server->thread));
  while (c->sent[n_sent] != NULL)
    n_sent++;
  g_assert_cmpuint (server->received->len, ==, n_sent);
  for (guint i = 0; i < n_sent; i++)
    g_assert_cmpstr (g_ptr_array_index (server->received, i), ==, c->sent[i]);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/net/tls-probe/trusted", test_trusted);
  g_test_add_func ("/buzon/net/tls-probe/trusted/system-store-only",
                   test_trusted_system_store_only);
  g_test_add_func ("/buzon/net/tls-probe/untrusted", test_untrusted);
  g_test_add_func ("/buzon/net/tls-probe/untrusted/pin", test_untrusted_pin);
  g_test_add_func ("/buzon/net/tls-probe/matches-fingerprint", test_matches_fingerprint);
  g_test_add_func ("/buzon/net/tls-probe/error/not-encrypted", test_not_encrypted);
  g_test_add_func ("/buzon/net/tls-probe/error/no-smtp-server", test_no_smtp_server);
  g_test_add_func ("/buzon/net/tls-probe/error/connection-refused", test_connection_refused);
  g_test_add_func ("/buzon/net/tls-probe/error/not-tls", test_not_tls);
  for (guint i = 0; i < G_N_ELEMENTS (scripted_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/buzon/net/tls-probe/scripted/%s",
                                               scripted_cases[i].name);

      g_test_add_data_func (path, &scripted_cases[i], test_scripted);
    }

  status = g_test_run ();

  g_clear_pointer (&trusted_servers, buzon_test_servers_stop);
  g_clear_pointer (&untrusted_servers, buzon_test_servers_stop);
  buzon_test_let_pool_threads_exit ();

  return status;
}
