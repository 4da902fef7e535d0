/* test-servers.c — the test mail servers themselves (tests/common)
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every later protocol and sync test talks to these servers, so they are checked
 * here from GIO, the way the product talks to them: TLS verified against the
 * test CA (and refused without it), STARTTLS, LOGINDISABLED, SMTP submission
 * delivered into Dovecot and read back over IMAP and POP3, the minimal profile,
 * and the helpers that change the server behind a client's back.
 */

#include "config.h"

#include <string.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "buzon-test-servers.h"

/* A line-oriented client for IMAP, POP3 and SMTP, synchronous: enough to drive
 * the servers from a test. */
typedef struct
{
  GSocketConnection *socket;
  GIOStream         *stream;       /* the socket, or TLS over it */
  GDataInputStream  *input;
  GTlsCertificateFlags tls_errors;
} Client;

static void
client_free (Client *client)
{
  if (client == NULL)
    return;
  g_clear_object (&client->input);
  if (client->stream != NULL)
    g_io_stream_close (client->stream, NULL, NULL);
  g_clear_object (&client->stream);
  g_clear_object (&client->socket);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_set_stream (Client    *client,
                   GIOStream *stream)
{
  g_clear_object (&client->input);
  g_set_object (&client->stream, stream);
  client->input = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (client->input), FALSE);
  g_data_input_stream_set_newline_type (client->input, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
}

static Client *
client_connect (BuzonTestServers *servers,
                const char       *service)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = (guint16) buzon_test_servers_get_port (servers, service);
  Client *client = g_new0 (Client, 1);

  g_socket_client_set_timeout (socket_client, 30);
  /* Straight to 127.0.0.1, whatever proxy the environment names. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  client->socket = g_socket_client_connect_to_host (socket_client,
                                                    buzon_test_servers_get_host (servers),
                                                    port, NULL, &error);
  g_assert_no_error (error);
  client_set_stream (client, G_IO_STREAM (client->socket));

  return client;
}

static gboolean
accept_certificate_cb (GTlsConnection       *connection,
                       GTlsCertificate      *peer_cert,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Client *client = user_data;

  client->tls_errors = errors;
  return FALSE;
}

/* Starts TLS on the connection (right away for implicit TLS, or after
 * STARTTLS/STLS), verifying against DATABASE with IDENTITY as the server name. */
static gboolean
client_start_tls (Client        *client,
                  GTlsDatabase  *database,
                  const char    *identity,
                  GError       **error)
{
  g_autoptr(GSocketConnectable) connectable = g_network_address_new (identity, 0);
  g_autoptr(GIOStream) tls = NULL;

  tls = g_tls_client_connection_new (G_IO_STREAM (client->socket), connectable, error);
  if (tls == NULL)
    return FALSE;
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), client);
  client_set_stream (client, tls);

  return g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, error);
}

static Client *
client_connect_tls (BuzonTestServers *servers,
                    const char       *service)
{
  g_autoptr(GError) error = NULL;
  Client *client = client_connect (servers, service);

  client_start_tls (client, buzon_test_servers_get_tls_database (servers),
                    buzon_test_servers_get_hostname (servers), &error);
  g_assert_no_error (error);

  return client;
}

static char *
client_read_line (Client *client)
{
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line (client->input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  return line;
}

static void
client_send (Client     *client,
             const char *text)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *output = g_io_stream_get_output_stream (client->stream);

  g_output_stream_write_all (output, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (output, "\r\n", 2, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Sends an IMAP command and returns its tagged reply; untagged lines are
 * appended to UNTAGGED if given. */
static char *
imap_command (Client     *client,
              const char *tag,
              const char *command,
              GString    *untagged)
{
  g_autofree char *text = g_strdup_printf ("%s %s", tag, command);
  g_autofree char *prefix = g_strdup_printf ("%s ", tag);

  client_send (client, text);
  for (;;)
    {
      char *line = client_read_line (client);

      if (g_str_has_prefix (line, prefix))
        return line;
      if (untagged != NULL)
        g_string_append_printf (untagged, "%s\n", line);
      g_free (line);
    }
}

/* Reads one SMTP reply (all its lines); returns the code. */
static guint
smtp_read_reply (Client   *client,
                 GString  *text)
{
  for (;;)
    {
      g_autofree char *line = client_read_line (client);

      g_assert_cmpuint (strlen (line), >=, 3);
      if (text != NULL)
        g_string_append_printf (text, "%s\n", line);
      if (line[3] != '-')
        return (guint) g_ascii_strtoull (line, NULL, 10);
    }
}

static guint
smtp_command (Client     *client,
              const char *command,
              GString    *text)
{
  client_send (client, command);
  return smtp_read_reply (client, text);
}

static char *
sasl_plain (const char *user,
            const char *password)
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();

  g_byte_array_append (blob, (const guint8 *) "", 1);
  g_byte_array_append (blob, (const guint8 *) user, strlen (user));
  g_byte_array_append (blob, (const guint8 *) "", 1);
  g_byte_array_append (blob, (const guint8 *) password, strlen (password));

  return g_base64_encode (blob->data, blob->len);
}

static char *
certificate_sha256 (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static gboolean
pid_exists (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  state = strrchr (stat, ')');

  /* A zombie is gone for our purposes. */
  return state != NULL && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

static gboolean
wait_until_gone (gint64 pid,
                 guint  timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (pid_exists (pid))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }

  return TRUE;
}

static GBytes *
make_message (const char *message_id,
              const char *subject,
              const char *body)
{
  g_autofree char *text = g_strdup_printf ("From: Ana <ana@example.test>\r\n"
                                           "To: Bruno <bruno@example.test>\r\n"
                                           "Subject: %s\r\n"
                                           "Date: Mon, 2 Mar 2026 10:00:00 +0100\r\n"
                                           "Message-ID: %s\r\n"
                                           "MIME-Version: 1.0\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n"
                                           "Content-Transfer-Encoding: 8bit\r\n"
                                           "\r\n"
                                           "%s\r\n",
                                           subject, message_id, body);
  gsize length = strlen (text);

  return g_bytes_new_take (g_steal_pointer (&text), length);
}

static gboolean
json_array_has_string (JsonArray  *array,
                       const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_word (const char *text,
          const char *word)
{
  g_auto(GStrv) words = g_strsplit_set (text, " []\r\n", -1);

  return g_strv_contains ((const char * const *) words, word);
}

/* ------------------------------------------------------------------------- */

static void
test_start_stop (void)
{
  g_autoptr(BuzonTestServers) servers = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GHashTable) ports = g_hash_table_new (NULL, NULL);
  const char *services[] = { "imap", "imaps", "pop3", "pop3s", "smtp", "smtps" };
  JsonObject *pids;
  gint64 supervisor, dovecot;
  gint64 start = g_get_monotonic_time ();

  servers = buzon_test_servers_start_or_skip ("full", NULL);
  if (servers == NULL)
    return;
  g_test_message ("started in %.3f s", (g_get_monotonic_time () - start) / 1e6);

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      guint port = buzon_test_servers_get_port (servers, services[i]);

      g_assert_cmpuint (port, >=, 1024);
      g_assert_false (g_hash_table_contains (ports, GUINT_TO_POINTER (port)));
      g_hash_table_add (ports, GUINT_TO_POINTER (port));
    }
  g_assert_cmpstr (buzon_test_servers_get_host (servers), ==, "127.0.0.1");
  g_assert_true (g_file_test (buzon_test_servers_get_ca_file (servers), G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (buzon_test_servers_get_dovecot_log (servers),
                              G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (strlen (buzon_test_servers_get_cert_sha256 (servers)), ==, 64);
  g_assert_cmpstr (buzon_test_servers_get_password (servers, "ana@example.test"), ==,
                   "ana-secret");
  g_assert_cmpstr (buzon_test_servers_get_password (servers, "ñandú@example.test"), ==,
                   "contraseña-ñandú");
  g_assert_null (buzon_test_servers_get_password (servers, "nobody@example.test"));

  pids = json_object_get_object_member (buzon_test_servers_get_info (servers), "pids");
  supervisor = json_object_get_int_member (pids, "supervisor");
  dovecot = json_object_get_int_member (pids, "dovecot");
  g_assert_true (pid_exists (supervisor));
  g_assert_true (pid_exists (dovecot));
  dir = g_strdup (buzon_test_servers_get_dir (servers));

  start = g_get_monotonic_time ();
  g_clear_pointer (&servers, buzon_test_servers_stop);
  g_test_message ("stopped in %.3f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_false (pid_exists (supervisor));
  g_assert_false (pid_exists (dovecot));
  if (g_getenv ("BUZON_TEST_KEEP_SERVERS") == NULL)
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_imaps_login (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", NULL);
  g_autoptr(Client) client = NULL;
  g_autoptr(GString) untagged = g_string_new (NULL);
  const char *expected[] = { "IMAP4rev1", "IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC",
                             "SPECIAL-USE", "QUOTA", "LITERAL+", "ENABLE" };
  GTlsCertificate *peer;
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *log = NULL;

  if (servers == NULL)
    return;

  client = client_connect_tls (servers, "imaps");
  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (client->stream));
  sha256 = certificate_sha256 (peer);
  g_assert_cmpstr (sha256, ==, buzon_test_servers_get_cert_sha256 (servers));
  g_assert_true (g_tls_certificate_is_same (peer, buzon_test_servers_get_certificate (servers)));

  greeting = client_read_line (client);
  g_assert_true (g_str_has_prefix (greeting, "* OK "));
  g_assert_false (has_word (greeting, "LOGINDISABLED"));

  reply = imap_command (client, "a", "LOGIN ana@example.test ana-secret", NULL);
  g_assert_true (g_str_has_prefix (reply, "a OK") && g_str_has_suffix (reply, "Logged in"));
  g_clear_pointer (&reply, g_free);

  reply = imap_command (client, "b", "CAPABILITY", untagged);
  g_assert_true (g_str_has_prefix (reply, "b OK"));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (has_word (untagged->str, expected[i]));
  g_clear_pointer (&reply, g_free);

  g_string_truncate (untagged, 0);
  reply = imap_command (client, "c", "LOGOUT", untagged);
  g_assert_true (g_str_has_prefix (untagged->str, "* BYE"));
  g_assert_true (g_str_has_prefix (reply, "c OK"));

  /* Dovecot's log says the login was over TLS. */
  log = read_file (buzon_test_servers_get_dovecot_log (servers));
  g_assert_nonnull (strstr (log, "imap-login: Info: Login: user=<ana@example.test>"));
  g_assert_nonnull (strstr (log, "TLS, session="));
}

static void
test_imap_starttls (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", NULL);
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) untagged = g_string_new (NULL);
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;

  if (servers == NULL)
    return;

  client = client_connect (servers, "imap");
  greeting = client_read_line (client);
  g_assert_true (g_str_has_prefix (greeting, "* OK "));
  /* Clear connections from 127.0.0.1 are not "secured" here (see the
   * supervisor's forwarder in build-aux/test-servers). */
  g_assert_true (has_word (greeting, "STARTTLS"));
  g_assert_true (has_word (greeting, "LOGINDISABLED"));

  reply = imap_command (client, "a", "LOGIN ana@example.test ana-secret", NULL);
  g_assert_true (g_str_has_prefix (reply, "a NO"));
  g_clear_pointer (&reply, g_free);

  reply = imap_command (client, "b", "STARTTLS", NULL);
  g_assert_true (g_str_has_prefix (reply, "b OK"));
  g_clear_pointer (&reply, g_free);
  /* Verified by IP address this time (the certificate has both). */
  client_start_tls (client, buzon_test_servers_get_tls_database (servers), "127.0.0.1", &error);
  g_assert_no_error (error);

  reply = imap_command (client, "c", "CAPABILITY", untagged);
  g_assert_true (g_str_has_prefix (reply, "c OK"));
  g_assert_false (has_word (untagged->str, "LOGINDISABLED"));
  g_assert_false (has_word (untagged->str, "STARTTLS"));
  g_clear_pointer (&reply, g_free);

  reply = imap_command (client, "d", "LOGIN bruno@example.test bruno-secret", NULL);
  g_assert_true (g_str_has_prefix (reply, "d OK") && g_str_has_suffix (reply, "Logged in"));
  g_clear_pointer (&reply, g_free);
  reply = imap_command (client, "e", "LOGOUT", NULL);
  g_assert_true (g_str_has_prefix (reply, "e OK"));
}

static void
test_allow_plaintext (void)
{
  const char *args[] = { "--allow-plaintext", NULL };
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", args);
  g_autoptr(Client) client = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  if (servers == NULL)
    return;

  client = client_connect (servers, "imap");
  greeting = client_read_line (client);
  g_assert_true (has_word (greeting, "STARTTLS"));
  g_assert_false (has_word (greeting, "LOGINDISABLED"));
  reply = imap_command (client, "a", "LOGIN ana@example.test ana-secret", NULL);
  g_assert_true (g_str_has_prefix (reply, "a OK") && g_str_has_suffix (reply, "Logged in"));
  g_clear_pointer (&reply, g_free);
  reply = imap_command (client, "b", "LOGOUT", NULL);

  /* The log shows a login that was not over TLS. */
  log = read_file (buzon_test_servers_get_dovecot_log (servers));
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "imap-login: Info: Login: user=<ana@example.test>") != NULL)
        {
          g_assert_null (strstr (lines[i], "TLS"));
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
expect_bad_certificate (BuzonTestServers *servers,
                        const char       *service)
{
  g_autoptr(Client) client = client_connect (servers, service);
  g_autoptr(GError) error = NULL;
  GTlsCertificate *peer;
  g_autofree char *sha256 = NULL;

  g_assert_false (client_start_tls (client, buzon_test_servers_get_tls_database (servers),
                                    buzon_test_servers_get_hostname (servers), &error));
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_cmpint (client->tls_errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);

  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (client->stream));
  g_assert_nonnull (peer);
  sha256 = certificate_sha256 (peer);
  g_assert_cmpstr (sha256, ==, buzon_test_servers_get_cert_sha256 (servers));
}

static void
test_untrusted_certificate (void)
{
  const char *args[] = { "--cert", "untrusted", NULL };
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", args);
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) pinned = NULL;
  g_autofree char *greeting = NULL;
  JsonObject *info;

  if (servers == NULL)
    return;

  info = buzon_test_servers_get_info (servers);
  g_assert_cmpstr (buzon_test_servers_get_cert_sha256 (servers), ==,
                   json_object_get_string_member (info, "untrusted_cert_sha256"));

  expect_bad_certificate (servers, "imaps");
  expect_bad_certificate (servers, "pop3s");
  expect_bad_certificate (servers, "smtps");

  /* Trusting exactly that certificate (what pinning does) works. */
  pinned = g_tls_file_database_new (json_object_get_string_member (info, "untrusted_cert_file"),
                                    &error);
  g_assert_no_error (error);
  client = client_connect (servers, "imaps");
  client_start_tls (client, pinned, "localhost", &error);
  g_assert_no_error (error);
  greeting = client_read_line (client);
  g_assert_true (g_str_has_prefix (greeting, "* OK"));
}

static JsonObject *
find_event (JsonNode   *events,
            const char *event,
            guint       nth)
{
  JsonArray *array = json_node_get_array (events);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (object, "event"), event) == 0 && nth-- == 0)
        return object;
    }
  return NULL;
}

static void
pop3_expect_message (BuzonTestServers *servers,
                     const char       *user,
                     const char       *password,
                     const char       *message_id)
{
  g_autoptr(Client) client = client_connect_tls (servers, "pop3s");
  g_autofree char *line = NULL;
  g_autofree char *command = NULL;
  g_autofree char *header = g_strdup_printf ("Message-ID: %s", message_id);
  gboolean found = FALSE;

  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  g_clear_pointer (&line, g_free);

  command = g_strdup_printf ("USER %s", user);
  client_send (client, command);
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  g_clear_pointer (&line, g_free);
  g_clear_pointer (&command, g_free);

  command = g_strdup_printf ("PASS %s", password);
  client_send (client, command);
  line = client_read_line (client);
  g_assert_cmpstr (line, ==, "+OK Logged in.");
  g_clear_pointer (&line, g_free);

  client_send (client, "STAT");
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK 1 "));
  g_clear_pointer (&line, g_free);

  client_send (client, "RETR 1");
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  for (;;)
    {
      g_clear_pointer (&line, g_free);
      line = client_read_line (client);
      if (g_str_equal (line, "."))
        break;
      if (g_str_equal (line, header))
        found = TRUE;
    }
  g_assert_true (found);
  g_clear_pointer (&line, g_free);

  client_send (client, "QUIT");
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK"));
}

static void
test_smtp_submission (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", NULL);
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonNode) events = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *command = NULL;
  JsonObject *event;
  JsonArray *delivered;
  const char *message_id = "<submission-1@example.test>";

  if (servers == NULL)
    return;

  client = client_connect (servers, "smtp");
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 220);
  g_assert_cmpuint (smtp_command (client, "EHLO client.example.test", text), ==, 250);
  g_assert_nonnull (strstr (text->str, "250-STARTTLS\n"));
  g_assert_null (strstr (text->str, "AUTH"));

  /* No password before TLS, no mail without AUTH. */
  auth = sasl_plain ("ana@example.test", "ana-secret");
  command = g_strdup_printf ("AUTH PLAIN %s", auth);
  g_assert_cmpuint (smtp_command (client, command, NULL), ==, 538);
  g_assert_cmpuint (smtp_command (client, "MAIL FROM:<ana@example.test>", NULL), ==, 530);

  g_assert_cmpuint (smtp_command (client, "STARTTLS", NULL), ==, 220);
  client_start_tls (client, buzon_test_servers_get_tls_database (servers), "localhost", &error);
  g_assert_no_error (error);

  g_string_truncate (text, 0);
  g_assert_cmpuint (smtp_command (client, "EHLO client.example.test", text), ==, 250);
  g_assert_nonnull (strstr (text->str, "AUTH LOGIN PLAIN"));
  g_assert_nonnull (strstr (text->str, "SIZE 26214400"));
  g_assert_nonnull (strstr (text->str, "8BITMIME"));
  g_assert_nonnull (strstr (text->str, "SMTPUTF8"));
  g_assert_nonnull (strstr (text->str, "PIPELINING"));
  g_assert_null (strstr (text->str, "STARTTLS"));

  g_assert_cmpuint (smtp_command (client, command, NULL), ==, 235);

  /* A pipelined transaction (RFC 2920): one write, then the replies. */
  client_send (client, "MAIL FROM:<ana@example.test> BODY=8BITMIME\r\n"
                       "RCPT TO:<bruno@example.test>\r\n"
                       "RCPT TO:<someone@elsewhere.example>\r\n"
                       "DATA");
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 250);
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 250);
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 250);
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 354);
  client_send (client, "From: Ana <ana@example.test>\r\n"
                       "To: Bruno <bruno@example.test>, someone@elsewhere.example\r\n"
                       "Subject: Prueba de envío\r\n"
                       "Message-ID: <submission-1@example.test>\r\n"
                       "MIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n"
                       "Content-Transfer-Encoding: 8bit\r\n"
                       "\r\n"
                       "Hola, Bruno: ¿llegó?\r\n"
                       "..a line that starts with a dot\r\n"
                       ".");
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 250);
  g_assert_cmpuint (smtp_command (client, "QUIT", NULL), ==, 221);

  /* The user got it, and the other address went to the catch-all. */
  state = buzon_test_servers_get_state (servers, "bruno@example.test", "INBOX", TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (buzon_test_state_find_message (state, "INBOX", message_id));
  g_clear_pointer (&state, json_node_unref);
  state = buzon_test_servers_get_state (servers, "catchall@example.test", "INBOX", FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (buzon_test_state_find_message (state, "INBOX", message_id));
  g_clear_pointer (&state, json_node_unref);
  state = buzon_test_servers_get_state (servers, "ana@example.test", "INBOX", FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (buzon_test_state_find_message (state, "INBOX", message_id));

  pop3_expect_message (servers, "bruno@example.test", "bruno-secret", message_id);

  events = buzon_test_servers_get_smtp_events (servers, &error);
  g_assert_no_error (error);
  event = find_event (events, "auth", 0);
  g_assert_nonnull (event);
  g_assert_false (json_object_get_boolean_member (event, "tls"));
  g_assert_false (json_object_get_boolean_member (event, "success"));
  event = find_event (events, "auth", 1);
  g_assert_nonnull (event);
  g_assert_cmpstr (json_object_get_string_member (event, "user"), ==, "ana@example.test");
  g_assert_true (json_object_get_boolean_member (event, "tls"));
  g_assert_true (json_object_get_boolean_member (event, "success"));
  event = find_event (events, "data", 0);
  g_assert_nonnull (event);
  g_assert_cmpint (json_object_get_int_member (event, "size"), >, 100);
  delivered = json_object_get_array_member (event, "delivered");
  g_assert_cmpuint (json_array_get_length (delivered), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (delivered, 1),
                                                  "user"), ==, "catchall@example.test");
}

static void
test_smtp_implicit_tls (void)
{
  const char *args[] = { "--smtp-size", "4096", NULL };
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", args);
  g_autoptr(Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *wrong = NULL;

  if (servers == NULL)
    return;

  client = client_connect_tls (servers, "smtps");
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 220);
  g_assert_cmpuint (smtp_command (client, "EHLO [127.0.0.1]", text), ==, 250);
  g_assert_nonnull (strstr (text->str, "AUTH LOGIN PLAIN"));
  g_assert_nonnull (strstr (text->str, "SIZE 4096"));
  g_assert_null (strstr (text->str, "STARTTLS"));

  /* AUTH LOGIN with a UTF-8 user name and password, after a wrong one. */
  user = g_base64_encode ((const guint8 *) "ñandú@example.test", strlen ("ñandú@example.test"));
  wrong = g_base64_encode ((const guint8 *) "wrong", 5);
  password = g_base64_encode ((const guint8 *) "contraseña-ñandú",
                              strlen ("contraseña-ñandú"));
  g_assert_cmpuint (smtp_command (client, "AUTH LOGIN", NULL), ==, 334);
  g_assert_cmpuint (smtp_command (client, user, NULL), ==, 334);
  g_assert_cmpuint (smtp_command (client, wrong, NULL), ==, 535);
  g_assert_cmpuint (smtp_command (client, "AUTH LOGIN", NULL), ==, 334);
  g_assert_cmpuint (smtp_command (client, user, NULL), ==, 334);
  g_assert_cmpuint (smtp_command (client, password, NULL), ==, 235);

  /* SIZE is enforced. */
  g_assert_cmpuint (smtp_command (client, "MAIL FROM:<ñandú@example.test> SIZE=5000 SMTPUTF8",
                                  NULL), ==, 552);

  /* SMTPUTF8: a UTF-8 envelope (Dovecot's LMTP cannot; see the script). */
  g_assert_cmpuint (smtp_command (client, "MAIL FROM:<ñandú@example.test> SMTPUTF8", NULL),
                    ==, 250);
  g_assert_cmpuint (smtp_command (client, "RCPT TO:<ñandú@example.test>", NULL), ==, 250);
  g_assert_cmpuint (smtp_command (client, "DATA", NULL), ==, 354);
  client_send (client, "From: =?utf-8?q?=C3=B1and=C3=BA?= <ñandú@example.test>\r\n"
                       "To: ñandú@example.test\r\n"
                       "Subject: =?utf-8?q?A_m=C3=AD_mismo?=\r\n"
                       "Message-ID: <utf8-1@example.test>\r\n"
                       "\r\n"
                       "Nota.\r\n"
                       ".");
  g_assert_cmpuint (smtp_read_reply (client, NULL), ==, 250);
  g_assert_cmpuint (smtp_command (client, "QUIT", NULL), ==, 221);

  state = buzon_test_servers_get_state (servers, "ñandú@example.test", "INBOX", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (
                     buzon_test_state_find_message (state, "INBOX", "<utf8-1@example.test>"),
                     "subject"), ==, "A mí mismo");
}

static void
test_minimal_profile (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("minimal", NULL);
  g_autoptr(Client) client = NULL;
  g_autoptr(GString) untagged = g_string_new (NULL);
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  const char *hidden[] = { "IDLE", "MOVE", "UIDPLUS", "CONDSTORE", "QRESYNC", "SPECIAL-USE",
                           "ENABLE", "LITERAL+", "NAMESPACE", "QUOTA" };
  JsonObject *sent;

  if (servers == NULL)
    return;

  client = client_connect_tls (servers, "imaps");
  greeting = client_read_line (client);
  g_assert_true (has_word (greeting, "IMAP4rev1"));
  reply = imap_command (client, "a", "LOGIN ana@example.test ana-secret", NULL);
  g_assert_true (g_str_has_prefix (reply, "a OK"));
  g_clear_pointer (&reply, g_free);
  reply = imap_command (client, "b", "CAPABILITY", untagged);
  g_assert_true (g_str_has_prefix (reply, "b OK"));
  g_assert_cmpstr (untagged->str, ==, "* CAPABILITY IMAP4rev1\n");
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    g_assert_false (has_word (greeting, hidden[i]));

  /* "." as separator and no special-use attributes. */
  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Viajes.Año 2026",
                                                   &error));
  g_assert_no_error (error);
  state = buzon_test_servers_get_state (servers, "ana@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (state), "delimiter"),
                   ==, ".");
  sent = buzon_test_state_find_folder (state, "Sent");
  g_assert_nonnull (sent);
  g_assert_false (json_array_has_string (json_object_get_array_member (sent, "attributes"),
                                         "\\Sent"));
  g_assert_nonnull (buzon_test_state_find_folder (state, "Viajes.Año 2026"));
  g_assert_false (json_object_has_member (buzon_test_state_get_mailbox (state, "INBOX"),
                                          "highestmodseq"));
}

static void
test_append_state (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", NULL);
  g_autoptr(GBytes) first = make_message ("<a1@example.test>", "=?utf-8?q?Caf=C3=A9?=",
                                          "Uno, con eñe.");
  g_autoptr(GBytes) second = make_message ("<a2@example.test>", "Second", "Dos.");
  g_autoptr(GDateTime) date = g_date_time_new_from_iso8601 ("2026-01-05T10:00:00+01:00", NULL);
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *uid_text = NULL;
  const char *folder = "Viajes/Año 2026";
  JsonObject *box;
  JsonObject *message;
  JsonObject *info;
  JsonArray *flags;
  guint32 uid, uidvalidity = 0;

  if (servers == NULL)
    return;

  g_assert_true (buzon_test_servers_append (servers, "ana@example.test", folder, first,
                                            "\\Seen \\Flagged $Etiqueta", &error));
  g_assert_no_error (error);
  uid = buzon_test_servers_append_full (servers, "ana@example.test", folder, second, NULL, date,
                                        &uidvalidity, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uid, ==, 2);
  g_assert_cmpuint (uidvalidity, >, 0);

  state = buzon_test_servers_get_state (servers, "ana@example.test", NULL, TRUE, &error);
  g_assert_no_error (error);
  info = buzon_test_state_find_folder (state, folder);
  g_assert_nonnull (info);
  g_assert_cmpstr (json_object_get_string_member (info, "raw_name"), ==, "Viajes/A&APE-o 2026");
  g_assert_cmpstr (json_object_get_string_member (info, "delimiter"), ==, "/");
  g_assert_true (json_object_get_boolean_member (info, "subscribed"));
  g_assert_true (json_array_has_string (
    json_object_get_array_member (buzon_test_state_find_folder (state, "Sent"), "attributes"),
    "\\Sent"));

  box = buzon_test_state_get_mailbox (state, folder);
  g_assert_cmpint (json_object_get_int_member (box, "uidvalidity"), ==, uidvalidity);
  g_assert_cmpint (json_object_get_int_member (box, "uidnext"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (box, "exists"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (box, "unseen"), ==, 1);
  g_assert_true (json_object_has_member (box, "highestmodseq"));

  message = buzon_test_state_find_message (state, folder, "<a1@example.test>");
  g_assert_nonnull (message);
  g_assert_cmpint (json_object_get_int_member (message, "uid"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (message, "subject"), ==, "Café");
  g_assert_cmpint (json_object_get_int_member (message, "size"), ==, g_bytes_get_size (first));
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, first);
  g_assert_cmpstr (json_object_get_string_member (message, "sha256"), ==, sha256);
  flags = json_object_get_array_member (message, "flags");
  g_assert_true (json_array_has_string (flags, "\\Seen"));
  g_assert_true (json_array_has_string (flags, "\\Flagged"));
  g_assert_true (json_array_has_string (flags, "$Etiqueta"));
  g_assert_cmpuint (json_array_get_length (flags), ==, 3);

  message = buzon_test_state_find_message (state, folder, "<a2@example.test>");
  g_assert_cmpstr (json_object_get_string_member (message, "internaldate"), ==,
                   "05-Jan-2026 09:00:00 +0000");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (message, "flags")),
                    ==, 0);
  g_clear_pointer (&state, json_node_unref);

  /* Behind the client's back: flags, expunge, move, folders. */
  uid_text = g_strdup_printf ("%u", uid);
  g_assert_true (buzon_test_servers_set_flags (servers, "ana@example.test", folder, "1",
                                               "\\Seen", BUZON_TEST_FLAGS_REMOVE, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_set_flags (servers, "ana@example.test", folder, uid_text,
                                               "\\Answered", BUZON_TEST_FLAGS_ADD, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_move (servers, "ana@example.test", folder, uid_text, "INBOX",
                                          &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_expunge (servers, "ana@example.test", folder, "1", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Ñ/&más",
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_rename_folder (servers, "ana@example.test", "Ñ/&más",
                                                   "Ñ/Otra", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_delete_folder (servers, "ana@example.test", "Ñ/Otra",
                                                   &error));
  g_assert_no_error (error);
  g_assert_false (buzon_test_servers_delete_folder (servers, "ana@example.test", "Ñ/Otra",
                                                    &error));
  g_assert_error (error, BUZON_TEST_SERVERS_ERROR, BUZON_TEST_SERVERS_ERROR_FAILED);
  g_clear_error (&error);

  state = buzon_test_servers_get_state (servers, "ana@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (buzon_test_state_get_mailbox (state, folder),
                                               "exists"), ==, 0);
  message = buzon_test_state_find_message (state, "INBOX", "<a2@example.test>");
  g_assert_nonnull (message);
  g_assert_true (json_array_has_string (json_object_get_array_member (message, "flags"),
                                        "\\Answered"));
  g_assert_nonnull (buzon_test_state_find_folder (state, "Ñ"));
  g_assert_null (buzon_test_state_find_folder (state, "Ñ/Otra"));
  g_clear_pointer (&state, json_node_unref);

  /* Another user's mailbox is separate. */
  state = buzon_test_servers_get_state (servers, "bruno@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (buzon_test_state_find_folder (state, folder));
}

/* --quota sets the STORAGE limit; `quota` reads what GETQUOTAROOT says, in KiB,
 * and mail written by fill is counted at once. The minimal profile has none. */
static void
test_quota (void)
{
  const char *args[] = { "--quota", "1048576", NULL };
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", args);
  g_autoptr(BuzonTestServers) minimal = NULL;
  g_autoptr(JsonNode) fill = NULL;
  g_autoptr(GError) error = NULL;
  BuzonTestFillOptions options = { .size = 10000, .flags = BUZON_TEST_FILL_QUIET };
  guint64 usage = 1, limit = 0, total;

  if (servers == NULL)
    return;

  g_assert_true (buzon_test_servers_get_quota (servers, "ana@example.test", NULL, &usage,
                                               &limit, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage, ==, 0);
  g_assert_cmpuint (limit, ==, 1024);

  fill = buzon_test_servers_fill (servers, "ana@example.test", 20, &options, &error);
  g_assert_no_error (error);
  total = json_object_get_int_member (json_node_get_object (fill), "total_size");
  g_assert_true (buzon_test_servers_get_quota (servers, "ana@example.test", "INBOX", &usage,
                                               &limit, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage, >=, total / 1024);
  g_assert_cmpuint (usage, <=, total / 1024 + 1);
  g_assert_cmpuint (limit, ==, 1024);

  minimal = buzon_test_servers_start_or_skip ("minimal", NULL);
  g_assert_true (buzon_test_servers_get_quota (minimal, "ana@example.test", NULL, &usage,
                                               &limit, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage, ==, 0);
  g_assert_cmpuint (limit, ==, 0);
}

static void
test_add_user (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Client) client = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *command = NULL;
  g_autofree char *blob = NULL;
  const char *address = "zoë@example.test";
  const char *password = "pässwörd: €uro ✓";

  if (servers == NULL)
    return;

  g_assert_true (buzon_test_servers_add_user (servers, address, password, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (buzon_test_servers_get_password (servers, address), ==, password);

  client = client_connect_tls (servers, "imaps");
  greeting = client_read_line (client);
  blob = sasl_plain (address, "not the password");
  command = g_strdup_printf ("AUTHENTICATE PLAIN %s", blob);
  reply = imap_command (client, "a", command, NULL);
  g_assert_true (g_str_has_prefix (reply, "a NO"));
  g_clear_pointer (&reply, g_free);
  g_clear_pointer (&command, g_free);
  g_clear_pointer (&blob, g_free);

  blob = sasl_plain (address, password);
  command = g_strdup_printf ("AUTHENTICATE PLAIN %s", blob);
  reply = imap_command (client, "b", command, NULL);
  g_assert_true (g_str_has_prefix (reply, "b OK"));
  g_clear_pointer (&reply, g_free);
  reply = imap_command (client, "c", "LOGOUT", NULL);

  /* A new password replaces the old one. */
  g_assert_true (buzon_test_servers_add_user (servers, address, "otra", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (buzon_test_servers_get_password (servers, address), ==, "otra");
}

static void
test_parallel_instances (void)
{
  g_autoptr(BuzonTestServers) one = buzon_test_servers_start_or_skip ("full", NULL);
  g_autoptr(BuzonTestServers) two = NULL;
  g_autoptr(Client) a = NULL;
  g_autoptr(Client) b = NULL;
  g_autofree char *line_a = NULL;
  g_autofree char *line_b = NULL;

  if (one == NULL)
    return;
  two = buzon_test_servers_start_or_skip ("minimal", NULL);

  g_assert_cmpstr (buzon_test_servers_get_dir (one), !=, buzon_test_servers_get_dir (two));
  g_assert_cmpuint (buzon_test_servers_get_port (one, "imaps"), !=,
                    buzon_test_servers_get_port (two, "imaps"));
  a = client_connect_tls (one, "imaps");
  b = client_connect_tls (two, "imaps");
  line_a = client_read_line (a);
  line_b = client_read_line (b);
  g_assert_true (has_word (line_a, "IDLE"));
  g_assert_false (has_word (line_b, "IDLE"));
}

static void
test_watchdog (void)
{
  g_autoptr(GSubprocess) parent = NULL;
  g_autoptr(BuzonTestServers) servers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  const char *args[] = { "--parent-pid", NULL, NULL };
  JsonObject *pids;
  gint64 supervisor, dovecot;

  /* The servers watch a stand-in for the test process; when it dies (as a test
   * that aborts does) they stop and remove their directory by themselves. */
  parent = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sleep", "600", NULL);
  g_assert_no_error (error);
  args[1] = g_subprocess_get_identifier (parent);

  servers = buzon_test_servers_start_or_skip ("full", args);
  if (servers == NULL)
    {
      g_subprocess_force_exit (parent);
      return;
    }
  pids = json_object_get_object_member (buzon_test_servers_get_info (servers), "pids");
  supervisor = json_object_get_int_member (pids, "supervisor");
  dovecot = json_object_get_int_member (pids, "dovecot");
  dir = g_strdup (buzon_test_servers_get_dir (servers));
  g_assert_true (pid_exists (supervisor));

  g_subprocess_force_exit (parent);
  g_subprocess_wait (parent, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (wait_until_gone (supervisor, 10000));
  g_assert_true (wait_until_gone (dovecot, 10000));
  if (g_getenv ("BUZON_TEST_KEEP_SERVERS") == NULL)
    g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* Stopping what already stopped is fine. */
  g_clear_pointer (&servers, buzon_test_servers_stop);
}

static void
test_demo (void)
{
  const char *args[] = { "--demo", "--demo-date", "2026-03-20", NULL };
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", args);
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Client) client = NULL;
  g_autofree char *line = NULL;
  const char *folders[] = { "INBOX", "Trabajo", "Viajes", "Facturas", "Facturas/2026", "Sent",
                            "Drafts", "Trash", "Junk" };
  JsonObject *inbox;
  JsonArray *messages;
  guint replies = 0, flagged = 0;

  if (servers == NULL)
    return;

  state = buzon_test_servers_get_state (servers, "demo@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    g_assert_nonnull (buzon_test_state_find_folder (state, folders[i]));

  inbox = buzon_test_state_get_mailbox (state, "INBOX");
  g_assert_cmpint (json_object_get_int_member (inbox, "exists"), >=, 12);
  g_assert_cmpint (json_object_get_int_member (inbox, "unseen"), >=, 3);
  messages = json_object_get_array_member (inbox, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (!json_object_get_null_member (message, "in_reply_to"))
        replies++;
      if (json_array_has_string (json_object_get_array_member (message, "flags"), "\\Flagged"))
        flagged++;
    }
  g_assert_cmpuint (replies, >=, 7);
  g_assert_cmpuint (flagged, >=, 2);
  g_assert_cmpint (json_object_get_int_member (
                     buzon_test_state_get_mailbox (state, "Facturas/2026"), "exists"), >=, 2);

  /* The POP3 demo account, over POP3. */
  client = client_connect_tls (servers, "pop3s");
  line = client_read_line (client);
  g_clear_pointer (&line, g_free);
  client_send (client, "USER demo-pop@example.test");
  line = client_read_line (client);
  g_clear_pointer (&line, g_free);
  client_send (client, "PASS demo");
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  g_clear_pointer (&line, g_free);
  client_send (client, "STAT");
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK 7 "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* A failed write to a server that hung up must be an error, not a signal. */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/buzon/test-servers/start-stop", test_start_stop);
  g_test_add_func ("/buzon/test-servers/imaps/login", test_imaps_login);
  g_test_add_func ("/buzon/test-servers/imap/starttls", test_imap_starttls);
  g_test_add_func ("/buzon/test-servers/imap/allow-plaintext", test_allow_plaintext);
  g_test_add_func ("/buzon/test-servers/tls/untrusted", test_untrusted_certificate);
  g_test_add_func ("/buzon/test-servers/smtp/submission", test_smtp_submission);
  g_test_add_func ("/buzon/test-servers/smtp/implicit-tls", test_smtp_implicit_tls);
  g_test_add_func ("/buzon/test-servers/profile/minimal", test_minimal_profile);
  g_test_add_func ("/buzon/test-servers/helpers/append-state", test_append_state);
  g_test_add_func ("/buzon/test-servers/helpers/add-user", test_add_user);
  g_test_add_func ("/buzon/test-servers/helpers/quota", test_quota);
  g_test_add_func ("/buzon/test-servers/parallel", test_parallel_instances);
  g_test_add_func ("/buzon/test-servers/watchdog", test_watchdog);
  g_test_add_func ("/buzon/test-servers/demo", test_demo);

  return g_test_run ();
}
