/* test-cli-send.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* buzon-cli send and outbox, end to end: a message written with non-ASCII
 * names, subject, text and attachment name goes through the real SMTP
 * submission server (STARTTLS and implicit TLS) into Dovecot, is synced back
 * over IMAP and parsed with GMime, and everything is as written (the
 * attachment byte for byte, Bcc nowhere in it); its copy is in Sent on the
 * server, read. The outbox survives being killed after the server took a
 * message (never sent twice, filed once) and during the exchange (sent again:
 * the documented window). With the scripted server: a temporary refusal
 * (exit 75, queued, then retry), a permanent one (exit 1, failed with the
 * reason, then drop).
 */

#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "buzon-test-cli.h"
#include "buzon-test-fake-smtp.h"
#include "buzon-test-servers.h"

#define ADDRESS          "bruno@example.test"
#define PASSWORD_COMMAND "echo bruno-secret"

static BuzonTestServers *servers;
static gboolean servers_tried;

typedef struct
{
  BuzonTestCli *cli;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->cli = buzon_test_cli_new ("buzon-cli-send-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->cli, buzon_test_cli_free);
}

static BuzonTestServers *
get_servers (void)
{
  return buzon_test_servers_start_once (&servers, &servers_tried, "full", NULL);
}

/* Runs buzon-cli; fails the test unless it exits with @status. */
static void
cli_expect (Fixture            *fixture,
            int                 status,
            BuzonTestCliResult *result,
            const char         *input,
            const char * const *env,
            const char * const *args)
{
  BuzonTestCliOptions options = { .flags = BUZON_TEST_CLI_UTF8, .input = input, .env = env };

  buzon_test_cli_runv (fixture->cli, &options, args, result);
  if (result->status != status)
    {
      g_autofree char *command = buzon_test_cli_describe (args);

      g_error ("%s exited with %d, not %d\nstdout: %s\nstderr: %s", command, result->status,
               status, result->out, result->err);
    }
}

static char *
cli_ok (Fixture            *fixture,
        const char * const *args)
{
  g_auto(BuzonTestCliResult) result = { 0, };

  cli_expect (fixture, 0, &result, NULL, NULL, args);
  return g_steal_pointer (&result.out);
}

/* Runs buzon-cli, which must succeed and print @needle. */
static void
assert_output (Fixture            *fixture,
               const char * const *args,
               const char         *needle)
{
  g_autofree char *out = cli_ok (fixture, args);

  if (strstr (out, needle) == NULL)
    g_error ("“%s” is not in the output:\n%s", needle, out);
}

static void
add_real_account (Fixture    *fixture,
                  const char *name,
                  const char *smtp_service,
                  const char *smtp_security)
{
  g_autofree char *port = g_strdup_printf ("%u", buzon_test_servers_get_port (servers, "imaps"));
  g_autofree char *smtp_port =
    g_strdup_printf ("%u", buzon_test_servers_get_port (servers, smtp_service));
  const char *host = buzon_test_servers_get_host (servers);
  const char *fingerprint = buzon_test_servers_get_cert_sha256 (servers);

  g_free (cli_ok (fixture, (const char *[]) {
    "account", "add", name, "--address", ADDRESS, "--display-name", "Bruno Díaz",
    "--signature", "Bruno Díaz\nBuzón, Madrid", "--protocol", "imap", "--host", host,
    "--port", port, "--security", "tls", "--password-command", PASSWORD_COMMAND,
    "--smtp-host", host, "--smtp-port", smtp_port, "--smtp-security", smtp_security, NULL }));
  g_free (cli_ok (fixture, (const char *[]) { "account", "trust", name, "--fingerprint",
                                              fingerprint, NULL }));
  g_free (cli_ok (fixture, (const char *[]) { "account", "trust", name, "--smtp",
                                              "--fingerprint", fingerprint, NULL }));
  g_free (cli_ok (fixture, (const char *[]) { "sync", name, NULL }));
}

static void
add_fake_account (Fixture           *fixture,
                  BuzonTestFakeSmtp *fake)
{
  g_autofree char *port = g_strdup_printf ("%u", fake->port);

  g_free (cli_ok (fixture, (const char *[]) {
    "account", "add", "fake", "--address", "ana@example.test", "--protocol", "pop3",
    "--host", "127.0.0.1", "--port", "9", "--security", "tls",
    "--password-command", "echo " BUZON_TEST_FAKE_SMTP_PASSWORD,
    "--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-security", "none",
    "--smtp-user", BUZON_TEST_FAKE_SMTP_USER, NULL }));
}

static guint
count_data_events (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) events = buzon_test_servers_get_smtp_events (servers, &error);
  JsonArray *array;
  guint count = 0;

  g_assert_no_error (error);
  array = json_node_get_array (events);
  for (guint i = 0; i < json_array_get_length (array); i++)
    count += g_strcmp0 (json_object_get_string_member (json_array_get_object_element (array, i),
                                                       "event"),
                        "data") == 0;

  return count;
}

/* How many messages of @mailbox on the server have @subject. */
static guint
count_on_server (const char *mailbox,
                 const char *subject,
                 gboolean    must_be_seen)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = buzon_test_servers_get_state (servers, ADDRESS, mailbox, FALSE,
                                                            &error);
  JsonArray *messages;
  guint count = 0;

  g_assert_no_error (error);
  messages = json_object_get_array_member (buzon_test_state_get_mailbox (state, mailbox),
                                           "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      JsonArray *flags = json_object_get_array_member (message, "flags");
      gboolean seen = FALSE;

      if (g_strcmp0 (json_object_get_string_member (message, "subject"), subject) != 0)
        continue;
      for (guint j = 0; j < json_array_get_length (flags); j++)
        seen |= g_str_equal (json_array_get_string_element (flags, j), "\\Seen");
      g_assert_true (seen || !must_be_seen);
      g_test_message ("%s: uid %" G_GINT64_FORMAT " %s", mailbox,
                      json_object_get_int_member (message, "uid"),
                      json_object_get_string_member (message, "message_id"));
      count++;
    }

  return count;
}

/* The UID of the newest message of @folder here with @subject, after a sync. */
static char *
find_uid (Fixture    *fixture,
          const char *account,
          const char *folder,
          const char *subject)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *messages;

  g_free (cli_ok (fixture, (const char *[]) { "sync", account, NULL }));
  out = cli_ok (fixture, (const char *[]) { "list", account, folder, "--json", NULL });
  root = json_from_string (out, &error);
  g_assert_no_error (error);
  messages = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (g_strcmp0 (json_object_get_string_member (message, "subject"), subject) == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (message, "uid"));
    }

  g_error ("no message “%s” in %s: %s", subject, folder, out);
}

/* An account whose server files sent mail itself: no copy uploaded. */
static void
test_no_sent_copy (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *port = NULL;
  g_autofree char *smtp_port = NULL;
  g_autofree char *shown = NULL;
  g_auto(BuzonTestCliResult) result = { 0, };
  const char *host;
  const char *fingerprint;

  if (get_servers () == NULL)
    return;

  port = g_strdup_printf ("%u", buzon_test_servers_get_port (servers, "imaps"));
  smtp_port = g_strdup_printf ("%u", buzon_test_servers_get_port (servers, "smtps"));
  host = buzon_test_servers_get_host (servers);
  fingerprint = buzon_test_servers_get_cert_sha256 (servers);
  g_free (cli_ok (fixture, (const char *[]) {
    "account", "add", "gmailish", "--address", ADDRESS, "--protocol", "imap", "--host", host,
    "--port", port, "--security", "tls", "--password-command", PASSWORD_COMMAND,
    "--smtp-host", host, "--smtp-port", smtp_port, "--smtp-security", "tls", "--no-sent-copy",
    NULL }));
  g_free (cli_ok (fixture, (const char *[]) { "account", "trust", "gmailish", "--fingerprint",
                                              fingerprint, NULL }));
  g_free (cli_ok (fixture, (const char *[]) { "account", "trust", "gmailish", "--smtp",
                                              "--fingerprint", fingerprint, NULL }));
  shown = cli_ok (fixture, (const char *[]) { "account", "show", "gmailish", NULL });
  g_assert_nonnull (strstr (shown, "filed in Sent by the server"));
  g_free (cli_ok (fixture, (const char *[]) { "sync", "gmailish", NULL }));

  cli_expect (fixture, 0, &result, "text\n", NULL, (const char *[]) {
    "send", "--account", "gmailish", "--to", ADDRESS, "--subject", "no sent copy", NULL });
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");
  g_assert_cmpuint (count_on_server ("Sent", "no sent copy", FALSE), ==, 0);
  g_assert_cmpuint (count_on_server ("INBOX", "no sent copy", FALSE), ==, 1);
}

static void
send_and_check (Fixture    *fixture,
                const char *smtp_service,
                const char *smtp_security)
{
  g_autofree char *subject = g_strdup_printf ("Año nuevo: ¿café? (%s)", smtp_service);
  static const char text[] = "Hola, ¿qué tal?\n\nUna línea muy larga que pasa de los setenta y "
                             "seis caracteres para que el texto vaya en quoted-printable.\n"
                             ".una línea que empieza con un punto\n";
  g_autofree char *attachment_path = NULL;
  g_autofree char *uid = NULL;
  g_autoptr(GBytes) raw = NULL;
  GMimeStream *stream;
  GMimeParser *parser;
  GMimeMessage *message;
  g_autoptr(GError) error = NULL;
  g_auto(BuzonTestCliResult) result = { 0, };
  g_auto(BuzonTestCliResult) shown = { 0, };
  guchar attachment[300];
  GMimePartIter *iter;
  InternetAddressList *from;
  gboolean found_attachment = FALSE;
  guint data_before;

  if (get_servers () == NULL)
    return;

  add_real_account (fixture, "real", smtp_service, smtp_security);

  for (guint i = 0; i < sizeof attachment; i++)
    attachment[i] = (guchar)(i * 7);
  attachment_path = g_build_filename (buzon_test_cli_get_dir (fixture->cli), "résumé año.bin",
                                      NULL);
  g_assert_true (g_file_set_contents (attachment_path, (const char *)attachment,
                                      sizeof attachment, &error));
  g_assert_no_error (error);

  data_before = count_data_events ();
  cli_expect (fixture, 0, &result, text, NULL, (const char *[]) {
    "send", "--account", "real", "--to", ADDRESS, "--cc", "Ana Núñez <ana@example.test>",
    "--bcc", "hidden@example.test", "--subject", subject, "--attach", attachment_path, NULL });
  g_assert_nonnull (strstr (result.out, "sent."));
  g_assert_cmpuint (count_data_events (), ==, data_before + 1);
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");

  /* In Sent on the server, read; delivered to the Inbox. */
  g_assert_cmpuint (count_on_server ("Sent", subject, TRUE), ==, 1);

  /* Back over IMAP, as a reader gets it. */
  uid = find_uid (fixture, "real", "INBOX", subject);
  cli_expect (fixture, 0, &shown, NULL, NULL,
              (const char *[]) { "show", "real", "INBOX", uid, "--raw", NULL });
  raw = g_bytes_ref (shown.out_bytes);
  stream = g_mime_stream_mem_new_with_byte_array (g_bytes_unref_to_array (g_bytes_ref (raw)));
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);

  g_assert_cmpstr (g_mime_message_get_subject (message), ==, subject);
  from = g_mime_message_get_from (message);
  g_assert_cmpint (internet_address_list_length (from), ==, 1);
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (from, 0)), ==,
                   "Bruno Díaz");
  g_assert_cmpstr (internet_address_get_name (internet_address_list_get_address (
                     g_mime_message_get_cc (message), 0)),
                   ==, "Ana Núñez");
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "Bcc"));
  g_assert_null (strstr (g_bytes_get_data (raw, NULL), "hidden@example.test"));
  g_assert_nonnull (g_mime_message_get_message_id (message));
  g_assert_nonnull (g_mime_message_get_date (message));

  iter = g_mime_part_iter_new (g_mime_message_get_mime_part (message));
  do
    {
      GMimeObject *part = g_mime_part_iter_get_current (iter);

      if (GMIME_IS_PART (part) && g_mime_part_is_attachment (GMIME_PART (part)))
        {
          GMimeStream *out = g_mime_stream_mem_new ();
          GByteArray *bytes;

          g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, "résumé año.bin");
          g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (GMIME_PART (part)), out);
          bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (out));
          g_assert_cmpmem (bytes->data, bytes->len, attachment, sizeof attachment);
          g_object_unref (out);
          found_attachment = TRUE;
        }
      else if (GMIME_IS_TEXT_PART (part))
        {
          g_autofree char *body = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
          g_autofree char *expected = NULL;
          g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

          expected = g_strjoinv ("\r\n", lines);
          /* The account's signature, after the separator readers know. */
          g_assert_true (g_str_has_prefix (body, expected));
          g_assert_cmpstr (body + strlen (expected), ==,
                           "-- \r\nBruno Díaz\r\nBuzón, Madrid\r\n");
        }
    }
  while (g_mime_part_iter_next (iter));
  g_mime_part_iter_free (iter);
  g_assert_true (found_attachment);
  g_object_unref (message);
  g_object_unref (parser);
  g_object_unref (stream);
}

static void
test_send_starttls (Fixture       *fixture,
                    gconstpointer  data)
{
  send_and_check (fixture, "smtp", "starttls");
}

static void
test_send_implicit_tls (Fixture       *fixture,
                        gconstpointer  data)
{
  send_and_check (fixture, "smtps", "tls");
}

/* Killed right after the server took it and SENT was written: the next run
 * files it without sending it again. */
static void
test_kill_after_sent (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char subject[] = "kill after sent";
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *listed = NULL;
  guint data_before;

  if (get_servers () == NULL)
    return;

  add_real_account (fixture, "real", "smtps", "tls");
  data_before = count_data_events ();

  buzon_test_cli_runv (fixture->cli, &(BuzonTestCliOptions) {
                         .flags = BUZON_TEST_CLI_SIGNAL_OK, .input = "text\n",
                         .env = (const char *[]) { "BUZON_TEST_OUTBOX_KILL=sent:1", NULL } },
                       (const char *[]) { "send", "--account", "real", "--to", ADDRESS,
                                          "--subject", subject, NULL },
                       &result);
  g_assert_cmpint (result.signal, ==, SIGKILL);
  g_assert_cmpuint (count_data_events (), ==, data_before + 1);
  listed = cli_ok (fixture, (const char *[]) { "outbox", "list", "--json", NULL });
  g_assert_nonnull (strstr (listed, "\"state\" : \"sent\""));

  g_free (cli_ok (fixture, (const char *[]) { "sync", "real", NULL }));
  g_assert_cmpuint (count_data_events (), ==, data_before + 1);
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");
  g_assert_cmpuint (count_on_server ("Sent", subject, TRUE), ==, 1);
  g_assert_cmpuint (count_on_server ("INBOX", subject, FALSE), ==, 1);
}

/* Killed after the server took it but before SENT was written: whether it
 * went cannot be known, so it is sent again (the one duplicate window); it
 * is still filed once. */
static void
test_kill_after_accepted (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char subject[] = "kill after accepted";
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *listed = NULL;
  guint data_before;

  if (get_servers () == NULL)
    return;

  add_real_account (fixture, "real", "smtps", "tls");
  data_before = count_data_events ();

  buzon_test_cli_runv (fixture->cli, &(BuzonTestCliOptions) {
                         .flags = BUZON_TEST_CLI_SIGNAL_OK, .input = "text\n",
                         .env = (const char *[]) { "BUZON_TEST_OUTBOX_KILL=accepted:1", NULL } },
                       (const char *[]) { "send", "--account", "real", "--to", ADDRESS,
                                          "--subject", subject, NULL },
                       &result);
  g_assert_cmpint (result.signal, ==, SIGKILL);
  listed = cli_ok (fixture, (const char *[]) { "outbox", "list", "--json", NULL });
  g_assert_nonnull (strstr (listed, "\"state\" : \"sending\""));

  g_free (cli_ok (fixture, (const char *[]) { "sync", "real", NULL }));
  g_assert_cmpuint (count_data_events (), ==, data_before + 2);
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");
  g_assert_cmpuint (count_on_server ("Sent", subject, TRUE), ==, 1);
  g_assert_cmpuint (count_on_server ("INBOX", subject, FALSE), ==, 2);
}

static void
test_temporary_then_retry (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(BuzonTestFakeSmtp) fake =
    buzon_test_fake_smtp_start ("--data-reply", "451 4.7.1 Greylisted, try again later", NULL);
  g_auto(BuzonTestCliResult) result = { 0, };
  g_auto(BuzonTestCliResult) retried = { 0, };
  g_autofree char *listed = NULL;

  add_fake_account (fixture, fake);
  cli_expect (fixture, 75, &result, "hello\n", NULL, (const char *[]) {
    "send", "--account", "fake", "--to", "bruno@example.test", "--subject", "later", NULL });
  g_assert_nonnull (strstr (result.err, "Greylisted"));
  g_assert_nonnull (strstr (result.err, "will be tried again"));

  listed = cli_ok (fixture, (const char *[]) { "outbox", "list", NULL });
  g_assert_nonnull (strstr (listed, "\tqueued\tfake\tbruno@example.test\tlater"));
  g_assert_nonnull (strstr (listed, "1 failed attempt, next after"));

  cli_expect (fixture, 0, &retried, NULL, NULL,
              (const char *[]) { "outbox", "retry", "--all", NULL });
  g_assert_nonnull (strstr (retried.out, "sent."));
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");
  /* Its copy is in the local Sent folder. */
  assert_output (fixture, (const char *[]) { "list", "fake", "Sent", NULL }, "later");
}

static void
test_permanent_then_drop (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(BuzonTestFakeSmtp) fake =
    buzon_test_fake_smtp_start ("--data-reply", "554 5.7.1 Message rejected as spam", NULL);
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *listed = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  JsonObject *item;

  add_fake_account (fixture, fake);
  cli_expect (fixture, 1, &result, "buy now\n", NULL, (const char *[]) {
    "send", "--account", "fake", "--to", "bruno@example.test", "--subject", "spam", NULL });
  g_assert_nonnull (strstr (result.err, "rejected as spam"));
  g_assert_nonnull (strstr (result.err, "It stays in the outbox"));

  listed = cli_ok (fixture, (const char *[]) { "outbox", "list", "--json", NULL });
  root = json_from_string (listed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  item = json_array_get_object_element (json_node_get_array (root), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (item, "subject"), ==, "spam");
  g_assert_nonnull (strstr (json_object_get_string_member (item, "last_error"),
                            "rejected as spam"));
  g_assert_cmpint (json_object_get_int_member (item, "attempts"), ==, 1);

  /* A sync does not try it again by itself. */
  {
    g_autofree char *commands = buzon_test_fake_smtp_commands (fake);
    g_auto(BuzonTestCliResult) synced = { 0, };
    g_autofree char *after = NULL;

    buzon_test_cli_runv (fixture->cli, NULL, (const char *[]) { "sync", "fake", NULL }, &synced);
    after = buzon_test_fake_smtp_commands (fake);
    g_assert_cmpstr (after, ==, commands);
  }

  id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (item, "id"));
  assert_output (fixture, (const char *[]) { "outbox", "drop", id, NULL }, "It was not sent.");
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");
}

/* A port on 127.0.0.1 that was free a moment ago. */
static guint
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;
  guint port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return port;
}

static guint
count_lines (const char *commands,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (commands, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    count += g_str_has_prefix (lines[i], prefix);

  return count;
}

/* The server gone: the message waits; back: sent, once. */
static void
test_server_down_then_back (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *port = g_strdup_printf ("%u", free_port ());
  g_autoptr(BuzonTestFakeSmtp) fake = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *commands = NULL;
  g_auto(BuzonTestCliResult) result = { 0, };

  g_free (cli_ok (fixture, (const char *[]) {
    "account", "add", "fake", "--address", "ana@example.test", "--protocol", "pop3",
    "--host", "127.0.0.1", "--port", "9", "--security", "tls",
    "--password-command", "echo " BUZON_TEST_FAKE_SMTP_PASSWORD,
    "--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-security", "none",
    "--smtp-user", BUZON_TEST_FAKE_SMTP_USER, NULL }));

  cli_expect (fixture, 75, &result, "are you there?\n", NULL, (const char *[]) {
    "send", "--account", "fake", "--to", "bruno@example.test", "--subject", "down", NULL });
  g_assert_nonnull (strstr (result.err, "refused the connection"));
  listed = cli_ok (fixture, (const char *[]) { "outbox", "list", NULL });
  g_assert_nonnull (strstr (listed, "\tqueued\t"));

  fake = buzon_test_fake_smtp_start ("--port", port, NULL);
  g_free (cli_ok (fixture, (const char *[]) { "outbox", "retry", "--all", NULL }));
  g_free (cli_ok (fixture, (const char *[]) { "outbox", "retry", "--all", NULL }));
  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_cmpuint (count_lines (commands, "DATA-BYTES"), ==, 1);
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");
}

/* Larger than the server's SIZE: refused before the upload, with the limit,
 * and kept. */
static void
test_too_big (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start (NULL, NULL);
  g_autofree char *path = g_build_filename (buzon_test_cli_get_dir (fixture->cli), "big.bin",
                                            NULL);
  g_autofree char *big = g_malloc0 (1200 * 1000);
  g_autofree char *commands = NULL;
  g_auto(BuzonTestCliResult) result = { 0, };

  add_fake_account (fixture, fake);
  g_assert_true (g_file_set_contents (path, big, 1200 * 1000, NULL));
  cli_expect (fixture, 1, &result, "big\n", NULL, (const char *[]) {
    "send", "--account", "fake", "--to", "bruno@example.test", "--subject", "big",
    "--attach", path, NULL });
  g_assert_nonnull (strstr (result.err, "1.0 MB"));
  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_cmpuint (count_lines (commands, "MAIL"), ==, 0);
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "\tfailed\t");
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start (NULL, NULL);
  g_auto(BuzonTestCliResult) no_account = { 0, };
  g_auto(BuzonTestCliResult) no_to = { 0, };
  g_auto(BuzonTestCliResult) bad_address = { 0, };
  g_auto(BuzonTestCliResult) queued = { 0, };
  g_auto(BuzonTestCliResult) bad_id = { 0, };
  g_autofree char *commands = NULL;

  add_fake_account (fixture, fake);
  cli_expect (fixture, 2, &no_account, "x\n", NULL,
              (const char *[]) { "send", "--to", "a@example.test", "--subject", "s", NULL });
  g_assert_nonnull (strstr (no_account.err, "--account"));
  cli_expect (fixture, 2, &no_to, "x\n", NULL,
              (const char *[]) { "send", "--account", "fake", "--subject", "s", NULL });
  cli_expect (fixture, 1, &bad_address, "x\n", NULL, (const char *[]) {
    "send", "--account", "fake", "--to", "not an address", "--subject", "s", NULL });
  g_assert_nonnull (strstr (bad_address.err, "not an address"));
  assert_output (fixture, (const char *[]) { "outbox", "list", NULL }, "The outbox is empty.");

  cli_expect (fixture, 0, &queued, "x\n", NULL, (const char *[]) {
    "send", "--account", "fake", "--to", "a@example.test", "--subject", "s", "--queue", NULL });
  g_assert_nonnull (strstr (queued.out, "is in the outbox"));
  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_cmpstr (commands, ==, "");

  cli_expect (fixture, 2, &bad_id, NULL, NULL,
              (const char *[]) { "outbox", "drop", "twelve", NULL });
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

#define ADD(path, func) \
  g_test_add ("/cli-send/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("starttls", test_send_starttls);
  ADD ("implicit-tls", test_send_implicit_tls);
  ADD ("no-sent-copy", test_no_sent_copy);
  ADD ("kill-after-sent", test_kill_after_sent);
  ADD ("kill-after-accepted", test_kill_after_accepted);
  ADD ("temporary-then-retry", test_temporary_then_retry);
  ADD ("permanent-then-drop", test_permanent_then_drop);
  ADD ("server-down-then-back", test_server_down_then_back);
  ADD ("too-big", test_too_big);
  ADD ("usage", test_usage);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&servers, buzon_test_servers_stop);
  g_mime_shutdown ();

  return status;
}
