/* test-servers-pop3.c — the POP3 test tooling (tests/common)
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The POP3 session and sync tests stand on three tools, checked here from GIO:
 * `test-servers fill` (many messages straight into Dovecot's Maildir, some
 * with lines POP3 must dot-stuff) read back with `test-servers pop3-state` and
 * with a RETR of our own; `start --apop`; and the scripted fake POP3 server
 * (fake-pop3.py): a normal session with DELE applied at QUIT, no UIDL, a
 * connection dropped after DELE, implicit TLS with the test certificate.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "buzon-test-fake-pop3.h"
#include "buzon-test-servers.h"

/* A synchronous line client, enough to drive a POP3 server from a test. */
typedef struct
{
  GSocketConnection *socket;
  GIOStream         *stream;       /* the socket, or TLS over it */
  GDataInputStream  *input;
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

/* Connects to HOST:PORT; with DATABASE, over implicit TLS verified against it
 * for the name "localhost". */
static Client *
client_connect (const char   *host,
                guint16       port,
                GTlsDatabase *database)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Client *client = g_new0 (Client, 1);

  g_socket_client_set_timeout (socket_client, 30);
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  client->socket = g_socket_client_connect_to_host (socket_client, host, port, NULL, &error);
  g_assert_no_error (error);
  client_set_stream (client, G_IO_STREAM (client->socket));

  if (database != NULL)
    {
      g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", port);
      g_autoptr(GIOStream) tls = NULL;

      tls = g_tls_client_connection_new (G_IO_STREAM (client->socket), identity, &error);
      g_assert_no_error (error);
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
      client_set_stream (client, tls);
      g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
      g_assert_no_error (error);
    }

  return client;
}

/* A line without its CRLF, or NULL at the end of the connection. */
static char *
client_read_line_or_eof (Client *client)
{
  g_autoptr(GError) error = NULL;
  char *line;

  line = g_data_input_stream_read_line (client->input, NULL, NULL, &error);
  /* A peer that hangs up may do it with a reset. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    return NULL;
  g_assert_no_error (error);

  return line;
}

static char *
client_read_line (Client *client)
{
  char *line = client_read_line_or_eof (client);

  g_assert_nonnull (line);

  return line;
}

static void
client_send (Client     *client,
             const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strconcat (text, "\r\n", NULL);
  GOutputStream *output = g_io_stream_get_output_stream (client->stream);

  g_output_stream_write_all (output, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Sends TEXT and returns the status line, which must start as EXPECT does. */
static char *
client_command (Client     *client,
                const char *text,
                const char *expect)
{
  char *line;

  client_send (client, text);
  line = client_read_line (client);
  if (!g_str_has_prefix (line, expect))
    g_error ("%s: expected %s, got %s", text, expect, line);

  return line;
}

/* The body of a multi-line reply, dot-unstuffed, CRLF after each line; with
 * STUFFED, whether any line came dot-stuffed. */
static GBytes *
client_read_multiline (Client   *client,
                       gboolean *stuffed)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  if (stuffed != NULL)
    *stuffed = FALSE;

  for (;;)
    {
      g_autofree char *line = client_read_line (client);
      const char *text = line;

      if (g_str_equal (line, "."))
        break;
      if (line[0] == '.')
        {
          text++;
          if (stuffed != NULL)
            *stuffed = TRUE;
        }
      g_byte_array_append (body, (const guint8 *) text, (guint) strlen (text));
      g_byte_array_append (body, (const guint8 *) "\r\n", 2);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

static void
client_login (Client     *client,
              const char *user,
              const char *password)
{
  g_autofree char *user_command = g_strdup_printf ("USER %s", user);
  g_autofree char *pass_command = g_strdup_printf ("PASS %s", password);
  g_autofree char *line = NULL;

  g_free (client_command (client, user_command, "+OK"));
  line = client_command (client, pass_command, "+OK");
}

static gboolean
strv_has_line (char       **lines,
               const char  *line)
{
  return lines != NULL && g_strv_contains ((const char * const *) lines, line);
}

/* The lines of a CAPA reply. */
static char **
client_capa (Client *client)
{
  g_autofree char *line = client_command (client, "CAPA", "+OK");
  g_autoptr(GBytes) body = client_read_multiline (client, NULL);
  g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  return g_strsplit (text, "\r\n", -1);
}

static char *
sha256_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static const char *
message_string (JsonObject *object,
                const char *member)
{
  return json_object_get_string_member (object, member);
}

/* -- test-servers fill and pop3-state ------------------------------------- */

static void
test_fill_pop3_state (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) fill = NULL;
  g_autoptr(JsonNode) more = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonNode) imap_state = NULL;
  g_autoptr(GHashTable) uidls = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(Client) client = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *line = NULL;
  g_autofree char *sha256 = NULL;
  const char *user = "ana@example.test";
  BuzonTestFillOptions options = { .seed = 7, .flags = BUZON_TEST_FILL_DOT_LINES };
  BuzonTestFillOptions quiet = { .seed = 7, .start_index = 41,
                                 .flags = BUZON_TEST_FILL_QUIET };
  BuzonTestFillOptions archive = { .mailbox = "Archive", .size = 300, .seed = 8 };
  JsonArray *filled, *listed;
  JsonObject *first;
  gboolean stuffed = FALSE;

  if (servers == NULL)
    return;

  fill = buzon_test_servers_fill (servers, user, 40, &options, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (fill), "count"), ==, 40);
  filled = json_object_get_array_member (json_node_get_object (fill), "messages");
  g_assert_cmpuint (json_array_get_length (filled), ==, 40);

  state = buzon_test_servers_pop3_state (servers, user, BUZON_TEST_POP3_STATE_BODIES, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "count"), ==, 40);
  /* Without --apop, no APOP timestamp in the greeting. */
  g_assert_true (json_object_get_null_member (json_node_get_object (state), "apop_timestamp"));
  listed = json_object_get_array_member (json_node_get_object (state), "messages");
  g_assert_cmpuint (json_array_get_length (listed), ==, 40);

  /* Dovecot numbers them in the order of their index; RETR gives back exactly
   * the bytes fill wrote, dot-unstuffed; every UIDL is its own. */
  for (guint i = 0; i < 40; i++)
    {
      JsonObject *made = json_array_get_object_element (filled, i);
      JsonObject *seen = json_array_get_object_element (listed, i);
      g_autofree char *message_id = g_strdup_printf ("<fill-%u-7@example.test>", i + 1);
      const char *uidl = message_string (seen, "uidl");

      g_assert_cmpint (json_object_get_int_member (made, "index"), ==, i + 1);
      g_assert_cmpstr (message_string (made, "message_id"), ==, message_id);
      g_assert_cmpint (json_object_get_int_member (seen, "number"), ==, i + 1);
      g_assert_cmpstr (message_string (seen, "message_id"), ==, message_id);
      g_assert_cmpstr (message_string (seen, "sha256"), ==, message_string (made, "sha256"));
      g_assert_cmpint (json_object_get_int_member (seen, "size"), ==,
                       json_object_get_int_member (made, "size"));
      g_assert_cmpint (json_object_get_int_member (seen, "retr_size"), ==,
                       json_object_get_int_member (made, "size"));
      g_assert_true (uidl != NULL && *uidl != '\0');
      g_assert_false (g_hash_table_contains (uidls, uidl));
      g_hash_table_add (uidls, (gpointer) uidl);
    }
  g_assert_nonnull (buzon_test_pop3_state_find_message (state, "<fill-40-7@example.test>"));
  g_assert_null (buzon_test_pop3_state_find_message (state, "<fill-41-7@example.test>"));

  /* On the wire, Dovecot dot-stuffs the lines that begin with "."; unstuffed
   * here, the bytes are those fill reported. */
  client = client_connect (buzon_test_servers_get_host (servers),
                           (guint16) buzon_test_servers_get_port (servers, "pop3s"),
                           buzon_test_servers_get_tls_database (servers));
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  g_assert_null (strchr (line, '<'));
  client_login (client, user, buzon_test_servers_get_password (servers, user));
  g_clear_pointer (&line, g_free);
  line = client_command (client, "RETR 1", "+OK");
  body = client_read_multiline (client, &stuffed);
  g_assert_true (stuffed);
  sha256 = sha256_of (body);
  first = json_array_get_object_element (filled, 0);
  g_assert_cmpstr (sha256, ==, message_string (first, "sha256"));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body),
                                  "\r\n.\r\n"));
  g_clear_pointer (&line, g_free);
  line = client_command (client, "QUIT", "+OK");
  g_clear_pointer (&client, client_free);

  /* Another fill goes after those; --quiet leaves out the list. */
  more = buzon_test_servers_fill (servers, user, 1000, &quiet, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_has_member (json_node_get_object (more), "messages"));
  g_clear_pointer (&state, json_node_unref);
  state = buzon_test_servers_pop3_state (servers, user, BUZON_TEST_POP3_STATE_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "count"), ==, 1040);
  listed = json_object_get_array_member (json_node_get_object (state), "messages");
  g_assert_cmpstr (message_string (json_array_get_object_element (listed, 1039), "message_id"),
                   ==, "<fill-1040-7@example.test>");
  g_assert_false (json_object_has_member (json_array_get_object_element (listed, 0), "sha256"));

  /* Another folder: created over IMAP, seen there. */
  g_clear_pointer (&more, json_node_unref);
  more = buzon_test_servers_fill (servers, user, 3, &archive, &error);
  g_assert_no_error (error);
  imap_state = buzon_test_servers_get_state (servers, user, "Archive", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (buzon_test_state_get_mailbox (imap_state, "Archive"),
                                               "exists"), ==, 3);
  g_assert_nonnull (buzon_test_state_find_message (imap_state, "Archive",
                                                   "<fill-3-8@example.test>"));
}

static void
test_apop (void)
{
  const char *args[] = { "--apop", NULL };
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("full", args);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(JsonNode) fill = NULL;
  g_autoptr(Client) client = NULL;
  g_autofree char *line = NULL;
  const char *timestamp;
  JsonObject *object;

  if (servers == NULL)
    return;

  g_assert_true (json_object_get_boolean_member (buzon_test_servers_get_info (servers), "apop"));

  /* The greeting ends in a timestamp <...>. */
  client = client_connect (buzon_test_servers_get_host (servers),
                           (guint16) buzon_test_servers_get_port (servers, "pop3s"),
                           buzon_test_servers_get_tls_database (servers));
  line = client_read_line (client);
  g_assert_true (g_str_has_prefix (line, "+OK"));
  g_assert_true (g_str_has_suffix (line, ">"));
  g_assert_nonnull (strchr (line, '<'));
  g_clear_pointer (&client, client_free);

  /* IMAP does not advertise APOP. */
  client = client_connect (buzon_test_servers_get_host (servers),
                           (guint16) buzon_test_servers_get_port (servers, "imaps"),
                           buzon_test_servers_get_tls_database (servers));
  g_clear_pointer (&line, g_free);
  line = client_read_line (client);
  g_assert_nonnull (strstr (line, "AUTH=PLAIN"));
  g_assert_null (strstr (line, "APOP"));
  g_clear_pointer (&client, client_free);

  /* pop3-state logs in with APOP. */
  fill = buzon_test_servers_fill (servers, "bruno@example.test", 2, NULL, &error);
  g_assert_no_error (error);
  state = buzon_test_servers_pop3_state (servers, "bruno@example.test",
                                         BUZON_TEST_POP3_STATE_APOP, &error);
  g_assert_no_error (error);
  object = json_node_get_object (state);
  timestamp = message_string (object, "apop_timestamp");
  g_assert_true (g_str_has_prefix (timestamp, "<") && g_str_has_suffix (timestamp, ">"));
  g_assert_cmpint (json_object_get_int_member (object, "count"), ==, 2);
  g_assert_nonnull (buzon_test_pop3_state_find_message (state, "<fill-2-0@example.test>"));
}

/* -- The fake POP3 server -------------------------------------------------- */

/* LF line ends, a line "." and one ".foo": sent CRLF and dot-stuffed. */
static const char first_message[] =
  "Message-ID: <first@example.test>\n"
  "Subject: first\n"
  "\n"
  "one\n"
  ".\n"
  ".foo\n"
  "last\n";
static const char first_message_crlf[] =
  "Message-ID: <first@example.test>\r\n"
  "Subject: first\r\n"
  "\r\n"
  "one\r\n"
  ".\r\n"
  ".foo\r\n"
  "last\r\n";
static const char second_message[] =
  "Message-ID: <second@example.test>\r\n"
  "Subject: second\r\n"
  "\r\n"
  "two\r\n";

static BuzonTestFakePop3 *
start_fake (BuzonTestFakePop3Flags  flags,
            const char * const     *extra_args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) first = g_bytes_new_static (first_message, strlen (first_message));
  g_autoptr(GBytes) second = g_bytes_new_static (second_message, strlen (second_message));
  BuzonTestFakePop3 *fake;

  fake = buzon_test_fake_pop3_start (NULL, flags, extra_args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_test_fake_pop3_get_port (fake), >, 0);
  buzon_test_fake_pop3_add_message (fake, "a-first", first, &error);
  g_assert_no_error (error);
  buzon_test_fake_pop3_add_message (fake, "b-second", second, &error);
  g_assert_no_error (error);

  return fake;
}

static Client *
connect_fake (BuzonTestFakePop3 *fake,
              GTlsDatabase      *database)
{
  Client *client = client_connect (buzon_test_fake_pop3_get_host (fake),
                                   buzon_test_fake_pop3_get_port (fake), database);
  g_autofree char *line = client_read_line (client);

  g_assert_true (g_str_has_prefix (line, "+OK"));

  return client;
}

static void
test_fake_session (void)
{
  g_autoptr(BuzonTestFakePop3) fake = start_fake (BUZON_TEST_FAKE_POP3_NONE, NULL);
  g_autoptr(Client) client = connect_fake (fake, NULL);
  g_auto(GStrv) capa = client_capa (client);
  g_auto(GStrv) commands = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) expected = g_bytes_new_static (first_message_crlf,
                                                   strlen (first_message_crlf));
  g_autofree char *line = NULL;
  g_autofree char *stat = NULL;
  gboolean stuffed = FALSE;

  g_assert_true (strv_has_line (capa, "UIDL"));
  g_assert_true (strv_has_line (capa, "TOP"));
  g_assert_true (strv_has_line (capa, "USER"));

  /* A wrong password is refused with RFC 3206's [AUTH]. */
  g_free (client_command (client, "USER " BUZON_TEST_FAKE_POP3_USER, "+OK"));
  line = client_command (client, "PASS wrong", "-ERR [AUTH]");
  client_login (client, buzon_test_fake_pop3_get_user (fake),
                buzon_test_fake_pop3_get_password (fake));

  stat = g_strdup_printf ("+OK 2 %zu", strlen (first_message_crlf) + strlen (second_message));
  g_clear_pointer (&line, g_free);
  line = client_command (client, "STAT", "+OK");
  g_assert_cmpstr (line, ==, stat);

  g_clear_pointer (&line, g_free);
  line = client_command (client, "UIDL", "+OK");
  g_clear_pointer (&body, g_bytes_unref);
  body = client_read_multiline (client, NULL);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   "1 a-first\r\n2 b-second\r\n", strlen ("1 a-first\r\n2 b-second\r\n"));

  g_clear_pointer (&line, g_free);
  line = client_command (client, "RETR 1", "+OK");
  g_clear_pointer (&body, g_bytes_unref);
  body = client_read_multiline (client, &stuffed);
  g_assert_true (stuffed);
  g_assert_true (g_bytes_equal (body, expected));

  /* DELE only marks; the file goes at QUIT. */
  g_clear_pointer (&line, g_free);
  line = client_command (client, "DELE 1", "+OK");
  g_clear_pointer (&line, g_free);
  line = client_command (client, "RETR 1", "-ERR");
  g_clear_pointer (&line, g_free);
  line = client_command (client, "STAT", "+OK 1 ");
  g_assert_cmpuint (buzon_test_fake_pop3_count_messages (fake), ==, 2);
  g_clear_pointer (&line, g_free);
  line = client_command (client, "QUIT", "+OK");
  g_clear_pointer (&line, g_free);
  line = client_read_line_or_eof (client);
  g_assert_null (line);
  g_assert_cmpuint (buzon_test_fake_pop3_count_messages (fake), ==, 1);

  commands = buzon_test_fake_pop3_dup_commands (fake);
  g_assert_true (strv_has_line (commands, "DELE 1"));
  g_assert_true (strv_has_line (commands, "QUIT"));
}

static void
test_fake_no_uidl (void)
{
  g_autoptr(BuzonTestFakePop3) fake = start_fake (BUZON_TEST_FAKE_POP3_NO_UIDL, NULL);
  g_autoptr(Client) client = connect_fake (fake, NULL);
  g_auto(GStrv) capa = client_capa (client);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *line = NULL;

  g_assert_false (strv_has_line (capa, "UIDL"));
  g_assert_true (strv_has_line (capa, "TOP"));
  client_login (client, buzon_test_fake_pop3_get_user (fake),
                buzon_test_fake_pop3_get_password (fake));
  line = client_command (client, "UIDL", "-ERR");
  g_clear_pointer (&line, g_free);
  line = client_command (client, "UIDL 1", "-ERR");

  /* The rest still works. */
  g_clear_pointer (&line, g_free);
  line = client_command (client, "TOP 2 0", "+OK");
  body = client_read_multiline (client, NULL);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                   "Message-ID: <second@example.test>\r\nSubject: second\r\n\r\n",
                   strlen ("Message-ID: <second@example.test>\r\nSubject: second\r\n\r\n"));
  g_clear_pointer (&line, g_free);
  line = client_command (client, "QUIT", "+OK");
}

static void
test_fake_drop_after_dele (void)
{
  g_autoptr(BuzonTestFakePop3) fake = start_fake (BUZON_TEST_FAKE_POP3_DROP_AFTER_DELE, NULL);
  g_autoptr(Client) client = connect_fake (fake, NULL);
  g_autofree char *line = NULL;

  client_login (client, buzon_test_fake_pop3_get_user (fake),
                buzon_test_fake_pop3_get_password (fake));
  line = client_command (client, "DELE 2", "+OK");
  g_clear_pointer (&line, g_free);
  line = client_read_line_or_eof (client);
  g_assert_null (line);
  g_clear_pointer (&client, client_free);

  /* No QUIT, so no UPDATE: both are still there, for the next session too. */
  g_assert_cmpuint (buzon_test_fake_pop3_count_messages (fake), ==, 2);
  client = connect_fake (fake, NULL);
  client_login (client, buzon_test_fake_pop3_get_user (fake),
                buzon_test_fake_pop3_get_password (fake));
  line = client_command (client, "STAT", "+OK 2 ");
  g_clear_pointer (&line, g_free);
  line = client_command (client, "QUIT", "+OK");
}

static void
test_fake_tls (void)
{
  g_autoptr(BuzonTestServers) servers = buzon_test_servers_start_or_skip ("minimal", NULL);
  g_autoptr(BuzonTestFakePop3) fake = NULL;
  g_autoptr(Client) client = NULL;
  g_autofree char *line = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *apop = NULL;
  const char *args[4] = { "--tls", NULL, NULL, NULL };
  const char *start, *end;
  JsonObject *info;

  if (servers == NULL)
    return;

  /* The test instance's certificate, verified against its CA. */
  info = buzon_test_servers_get_info (servers);
  args[1] = json_object_get_string_member (info, "cert_file");
  args[2] = json_object_get_string_member (info, "key_file");
  fake = start_fake (BUZON_TEST_FAKE_POP3_APOP, args);
  client = client_connect (buzon_test_fake_pop3_get_host (fake),
                           buzon_test_fake_pop3_get_port (fake),
                           buzon_test_servers_get_tls_database (servers));

  /* And APOP (RFC 1939 7): MD5 of the timestamp and the password. */
  line = client_read_line (client);
  start = strchr (line, '<');
  end = strchr (line, '>');
  g_assert_true (start != NULL && end != NULL && end > start);
  {
    g_autofree char *secret = g_strdup_printf ("%.*s%s", (int) (end - start + 1), start,
                                               buzon_test_fake_pop3_get_password (fake));

    digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, secret, -1);
  }
  apop = g_strdup_printf ("APOP %s %s", buzon_test_fake_pop3_get_user (fake), digest);
  g_clear_pointer (&line, g_free);
  line = client_command (client, apop, "+OK 2 messages");
  g_clear_pointer (&line, g_free);
  line = client_command (client, "QUIT", "+OK");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* A failed write to a server that hung up must be an error, not a signal. */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/buzon/test-servers-pop3/fill/pop3-state", test_fill_pop3_state);
  g_test_add_func ("/buzon/test-servers-pop3/apop", test_apop);
  g_test_add_func ("/buzon/test-servers-pop3/fake/session", test_fake_session);
  g_test_add_func ("/buzon/test-servers-pop3/fake/no-uidl", test_fake_no_uidl);
  g_test_add_func ("/buzon/test-servers-pop3/fake/drop-after-dele", test_fake_drop_after_dele);
  g_test_add_func ("/buzon/test-servers-pop3/fake/tls", test_fake_tls);

  return g_test_run ();
}
