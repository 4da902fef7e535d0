/* test-smtp-session.c — BuzonSmtpSession against the real aiosmtpd of
 * build-aux/test-servers on 127.0.0.1, and a scripted fake for the faults it
 * won't make
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sending over STARTTLS and over implicit TLS with AUTH, the message
 * arriving byte for byte (the server's "data" event has the SHA-256 of what
 * it received after dot-unstuffing) with lines that begin with "." and
 * 8-bit text (BODY=8BITMIME); two messages on one session; an
 * international recipient (SMTPUTF8); a wrong password; a message over the
 * server's SIZE refused before anything is uploaded, naming the limit in
 * MB; cancelling. tests/common/fake-smtp.py: a rejected recipient reported
 * by name while the others get the message, every recipient rejected, a
 * mailbox full for now (temporary), STARTTLS asked for but not offered (no
 * AUTH is ever sent), an international address to a server without
 * SMTPUTF8 (refused before MAIL).
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "buzon-net.h"
#include "buzon-smtp.h"
#include "buzon-test-async.h"
#include "buzon-test-fake-smtp.h"
#include "buzon-test-servers.h"

static BuzonTestServers *servers;
static gboolean servers_tried;

static BuzonTestServers *
get_servers (void)
{
  return buzon_test_servers_start_once (&servers, &servers_tried, "full", NULL);
}

static BuzonSmtpSession *
session_new_for (const char    *host,
                 guint          port,
                 BuzonSecurity  security)
{
  g_autoptr(BuzonConnection) connection = buzon_connection_new (host, (guint16) port, security);

  if (servers != NULL)
    buzon_connection_set_tls_database (connection,
                                       buzon_test_servers_get_tls_database (servers));
  buzon_connection_set_connect_timeout (connection, 20);
  buzon_connection_set_io_timeout (connection, 20);

  return buzon_smtp_session_new (connection);
}

static BuzonSmtpSession *
session_new (const char    *service,
             BuzonSecurity  security)
{
  return session_new_for (buzon_test_servers_get_host (servers),
                          buzon_test_servers_get_port (servers, service), security);
}

static gboolean
connect_sync (BuzonSmtpSession  *session,
              const char        *username,
              const char        *password,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_smtp_session_connect_async (session, username, password, NULL, buzon_test_result_cb,
                                    &result);
  return buzon_smtp_session_connect_finish (session, buzon_test_wait_for (&result), error);
}

static BuzonSmtpSendResult *
send_sync (BuzonSmtpSession    *session,
           const char          *from,
           const char * const  *to,
           GBytes              *message,
           GCancellable        *cancellable,
           GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_smtp_session_send_async (session, from, to, message, cancellable, buzon_test_result_cb,
                                 &result);
  return buzon_smtp_session_send_finish (session, buzon_test_wait_for (&result), error);
}

static void
quit_sync (BuzonSmtpSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_smtp_session_quit_async (session, NULL, buzon_test_result_cb, &result);
  g_assert_true (buzon_smtp_session_quit_finish (session, buzon_test_wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_false (buzon_smtp_session_is_connected (session));
}

static BuzonSmtpSession *
login (const char    *service,
       BuzonSecurity  security,
       const char    *address)
{
  g_autoptr(GError) error = NULL;
  BuzonSmtpSession *session = session_new (service, security);

  g_assert_true (connect_sync (session, address,
                               buzon_test_servers_get_password (servers, address), &error));
  g_assert_no_error (error);
  g_assert_true (buzon_smtp_session_is_connected (session));
  return session;
}

static GBytes *
make_message (const char *subject,
              gsize       body_size)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text,
                          "From: Ana <ana@example.test>\r\n"
                          "To: Bruno <bruno@example.test>\r\n"
                          "Subject: %s\r\n"
                          "Message-ID: <%s@example.test>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n"
                          "\r\n"
                          "Hola, ¿qué tal?\r\n"
                          ".\r\n"
                          "..\r\n"
                          ".a line that begins with a dot\r\n"
                          "...three\r\n"
                          " .not at the start\r\n",
                          subject, subject);
  while (text->len < body_size)
    g_string_append (text, "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n");
  g_string_append (text, ".\r\n");

  return g_string_free_to_bytes (g_steal_pointer (&text));
}

/* The server's last event named @name. */
static JsonObject *
last_event (JsonNode   *events,
            const char *name)
{
  JsonArray *array = json_node_get_array (events);

  for (guint i = json_array_get_length (array); i > 0; i--)
    {
      JsonObject *event = json_array_get_object_element (array, i - 1);

      if (g_strcmp0 (json_object_get_string_member (event, "event"), name) == 0)
        return event;
    }
  return NULL;
}

static guint
count_events (JsonNode   *events,
              const char *name)
{
  JsonArray *array = json_node_get_array (events);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *event = json_array_get_object_element (array, i);

      count += g_strcmp0 (json_object_get_string_member (event, "event"), name) == 0;
    }
  return count;
}

static gboolean
options_contain (JsonObject *event,
                 const char *option)
{
  JsonArray *options = json_object_get_array_member (event, "options");

  for (guint i = 0; i < json_array_get_length (options); i++)
    if (g_ascii_strcasecmp (json_array_get_string_element (options, i), option) == 0)
      return TRUE;
  return FALSE;
}

/* The message arrived exactly as given. */
static void
assert_delivered (GBytes *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) events = buzon_test_servers_get_smtp_events (servers, &error);
  g_autofree char *sha256 = NULL;
  JsonObject *data;

  g_assert_no_error (error);
  data = last_event (events, "data");
  g_assert_nonnull (data);
  g_assert_false (json_object_has_member (data, "error"));
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, message);
  g_assert_cmpstr (json_object_get_string_member (data, "sha256"), ==, sha256);
  g_assert_cmpint (json_object_get_int_member (data, "size"), ==, g_bytes_get_size (message));
}

static void
test_starttls_send (void)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonSmtpSession) session = NULL;
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(GBytes) message = make_message ("starttls", 4000);
  g_autoptr(JsonNode) events = NULL;
  g_autoptr(GError) error = NULL;
  const BuzonSmtpExtensions *ext;
  JsonObject *event;

  if (get_servers () == NULL)
    return;

  session = login ("smtp", BUZON_SECURITY_STARTTLS, "ana@example.test");
  g_assert_true (buzon_connection_is_encrypted (buzon_smtp_session_get_connection (session)));
  ext = buzon_smtp_session_get_extensions (session);
  g_assert_true (ext->pipelining);
  g_assert_true (ext->eightbitmime);
  g_assert_true (ext->smtputf8);
  g_assert_false (ext->starttls);
  g_assert_cmpuint (ext->size, ==, 25 * 1024 * 1024);
  g_assert_cmpstr (buzon_smtp_session_get_used_auth_mechanism (session), ==, "PLAIN");

  sent = send_sync (session, "ana@example.test", to, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  g_assert_cmpuint (sent->accepted->len, ==, 1);
  g_assert_cmpuint (sent->rejected->len, ==, 0);
  assert_delivered (message);

  events = buzon_test_servers_get_smtp_events (servers, &error);
  g_assert_no_error (error);
  event = last_event (events, "auth");
  g_assert_true (json_object_get_boolean_member (event, "tls"));
  g_assert_true (json_object_get_boolean_member (event, "success"));
  event = last_event (events, "mail");
  g_assert_true (json_object_get_boolean_member (event, "tls"));
  g_assert_true (options_contain (event, "BODY=8BITMIME"));
  g_assert_nonnull (json_object_get_array_member (event, "options"));

  quit_sync (session);
}

static void
test_implicit_tls_send (void)
{
  const char * const to[] = { "bruno@example.test", "someone@elsewhere.test", NULL };
  const char * const to_intl[] = { "ñandú@example.test", NULL };
  g_autoptr(BuzonSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  session = login ("smtps", BUZON_SECURITY_TLS, "bruno@example.test");

  /* Two messages on one session, the first to two recipients. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *subject = g_strdup_printf ("implicit-%u", i);
      g_autoptr(GBytes) message = make_message (subject, 100 + i * 70000);
      g_autoptr(BuzonSmtpSendResult) sent = NULL;

      sent = send_sync (session, "bruno@example.test", i == 0 ? to : to_intl, message, NULL,
                        &error);
      g_assert_no_error (error);
      g_assert_cmpuint (sent->accepted->len, ==, i == 0 ? 2 : 1);
      g_assert_cmpuint (sent->rejected->len, ==, 0);
      assert_delivered (message);
    }

  {
    g_autoptr(JsonNode) events = buzon_test_servers_get_smtp_events (servers, &error);
    JsonObject *mail;

    g_assert_no_error (error);
    mail = last_event (events, "mail");
    g_assert_true (options_contain (mail, "SMTPUTF8"));
  }

  quit_sync (session);
}

static void
test_wrong_password (void)
{
  g_autoptr(BuzonSmtpSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  session = session_new ("smtp", BUZON_SECURITY_STARTTLS);
  g_assert_false (connect_sync (session, "ana@example.test", "not-her-password", &error));
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "ana@example.test"));
  g_assert_false (buzon_smtp_error_is_temporary (error));
  g_assert_false (buzon_smtp_session_is_connected (session));
}

static void
test_cancel (void)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonSmtpSession) session = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) message = make_message ("cancelled", 1000);
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  session = login ("smtps", BUZON_SECURITY_TLS, "ana@example.test");
  buzon_smtp_session_send_async (session, "ana@example.test", to, message, cancellable,
                                 buzon_test_result_cb, &result);
  g_cancellable_cancel (cancellable);
  sent = buzon_smtp_session_send_finish (session, buzon_test_wait_for (&result), &error);
  g_assert_null (sent);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (buzon_smtp_session_is_connected (session));
  g_clear_error (&error);

  /* Cancelled before connecting. */
  g_clear_object (&session);
  session = session_new ("smtps", BUZON_SECURITY_TLS);
  g_clear_object (&result);
  buzon_smtp_session_connect_async (session, "ana@example.test", "ana-secret", cancellable,
                                    buzon_test_result_cb, &result);
  g_assert_false (buzon_smtp_session_connect_finish (session, buzon_test_wait_for (&result),
                                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A second instance with a small SIZE. */
static void
test_size_limit (void)
{
  const char * const args[] = { "--smtp-size", "300000", NULL };
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonTestServers) small = NULL;
  BuzonTestServers *main_servers = servers;
  g_autoptr(BuzonSmtpSession) session = NULL;
  g_autoptr(GBytes) big = make_message ("big", 400000);
  g_autoptr(GBytes) fits = make_message ("fits", 1000);
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(JsonNode) events = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;
  small = buzon_test_servers_start_or_skip ("full", args);
  if (small == NULL)
    return;

  servers = small;
  session = login ("smtp", BUZON_SECURITY_STARTTLS, "ana@example.test");
  g_assert_cmpuint (buzon_smtp_session_get_extensions (session)->size, ==, 300000);

  sent = send_sync (session, "ana@example.test", to, big, NULL, &error);
  g_assert_null (sent);
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_MESSAGE_TOO_BIG);
  g_assert_nonnull (strstr (error->message, "0.3 MB"));
  g_assert_nonnull (strstr (error->message, "0.4 MB"));
  g_assert_false (buzon_smtp_error_is_temporary (error));
  g_clear_error (&error);

  /* Nothing went out: the server saw no MAIL at all. */
  events = buzon_test_servers_get_smtp_events (servers, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_events (events, "mail"), ==, 0);

  /* And the session is still good for a message that fits. */
  g_assert_true (buzon_smtp_session_is_connected (session));
  sent = send_sync (session, "ana@example.test", to, fits, NULL, &error);
  g_assert_no_error (error);
  assert_delivered (fits);
  quit_sync (session);

  servers = main_servers;
}

/* The scripted fake */

static BuzonSmtpSession *
fake_login (BuzonTestFakeSmtp *fake)
{
  g_autoptr(GError) error = NULL;
  BuzonSmtpSession *session = session_new_for ("127.0.0.1", fake->port, BUZON_SECURITY_NONE);

  g_assert_true (connect_sync (session, "fake@example.test", "fake-secret", &error));
  g_assert_no_error (error);
  return session;
}

static void
test_rejected_recipient (void)
{
  const char * const to[] = { "ok@example.test", "nobody@example.test", "full@example.test",
                              "also-ok@example.test", NULL };
  const char * const none[] = { "nobody@example.test", "full@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start ("--reject", "nobody@example.test",
                                              "--full", "full@example.test", NULL);
  g_autoptr(BuzonSmtpSession) session = fake_login (fake);
  g_autoptr(GBytes) message = make_message ("partial", 100);
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  BuzonSmtpRejection *rejection;

  sent = send_sync (session, "fake@example.test", to, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  g_assert_cmpuint (sent->accepted->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (sent->accepted, 0), ==, "ok@example.test");
  g_assert_cmpstr (g_ptr_array_index (sent->accepted, 1), ==, "also-ok@example.test");
  g_assert_cmpuint (sent->rejected->len, ==, 2);

  rejection = g_ptr_array_index (sent->rejected, 0);
  g_assert_cmpstr (rejection->address, ==, "nobody@example.test");
  g_assert_cmpuint (rejection->code, ==, 550);
  g_assert_cmpstr (rejection->enhanced, ==, "5.1.1");
  g_assert_error (rejection->error, BUZON_SMTP_SESSION_ERROR,
                  BUZON_SMTP_SESSION_ERROR_RECIPIENT_UNKNOWN);
  g_assert_nonnull (strstr (rejection->error->message, "nobody@example.test"));
  g_assert_false (buzon_smtp_error_is_temporary (rejection->error));

  rejection = g_ptr_array_index (sent->rejected, 1);
  g_assert_cmpstr (rejection->address, ==, "full@example.test");
  g_assert_error (rejection->error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_TEMPORARY);
  g_assert_true (buzon_smtp_error_is_temporary (rejection->error));

  /* Everyone refused: nothing sent, an error naming them, the session reset
   * and still good. */
  g_clear_pointer (&sent, buzon_smtp_send_result_free);
  sent = send_sync (session, "fake@example.test", none, message, NULL, &error);
  g_assert_null (sent);
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_RECIPIENTS_REJECTED);
  g_assert_nonnull (strstr (error->message, "nobody@example.test"));
  g_assert_nonnull (strstr (error->message, "full@example.test"));
  g_assert_true (buzon_smtp_session_is_connected (session));
  quit_sync (session);

  commands = buzon_test_fake_smtp_commands (fake);
  /* One DATA upload only, and the RSET after the refused transaction. */
  g_assert_nonnull (strstr (commands, "DATA-BYTES"));
  g_assert_null (strstr (strstr (commands, "DATA-BYTES") + 1, "DATA-BYTES"));
  g_assert_nonnull (strstr (commands, "\nRSET\n"));
  g_assert_nonnull (strstr (commands, "AUTH PLAIN "));
}

static void
test_starttls_not_offered (void)
{
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start ("--no-starttls", NULL);
  g_autoptr(BuzonSmtpSession) session =
    session_new_for ("127.0.0.1", fake->port, BUZON_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;

  g_assert_false (connect_sync (session, "fake@example.test", "fake-secret", &error));
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE);
  g_assert_false (buzon_smtp_error_is_temporary (error));
  g_assert_false (buzon_smtp_session_is_connected (session));
  g_clear_error (&error);
  g_clear_object (&session);

  /* Offered, but refused (454): no password either. */
  {
    g_autoptr(BuzonTestFakeSmtp) refusing = buzon_test_fake_smtp_start (NULL, NULL);
    g_autofree char *refused_commands = NULL;

    session = session_new_for ("127.0.0.1", refusing->port, BUZON_SECURITY_STARTTLS);
    g_assert_false (connect_sync (session, "fake@example.test", "fake-secret", &error));
    g_assert_error (error, BUZON_SMTP_SESSION_ERROR,
                    BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE);
    g_clear_object (&session);
    refused_commands = buzon_test_fake_smtp_commands (refusing);
    g_assert_nonnull (strstr (refused_commands, "STARTTLS"));
    g_assert_null (strstr (refused_commands, "AUTH"));
  }

  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_nonnull (strstr (commands, "EHLO "));
  g_assert_null (strstr (commands, "AUTH"));
  g_assert_null (strstr (commands, "fake-secret"));
}

static void
test_smtputf8_missing (void)
{
  const char * const to[] = { "ñandú@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start ("--no-smtputf8", NULL);
  g_autoptr(BuzonSmtpSession) session = fake_login (fake);
  g_autoptr(GBytes) message = make_message ("utf8", 100);
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;

  sent = send_sync (session, "fake@example.test", to, message, NULL, &error);
  g_assert_null (sent);
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_SMTPUTF8_REQUIRED);
  g_assert_nonnull (strstr (error->message, "ñandú@example.test"));
  g_assert_true (buzon_smtp_session_is_connected (session));
  quit_sync (session);

  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_null (strstr (commands, "MAIL"));
}

/* A server from before EHLO (RFC 821): HELO, no extensions; sending works
 * without a login, and a login is refused clearly, with no password sent. */
static void
test_helo_fallback (void)
{
  const char * const to[] = { "ok@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start ("--no-ehlo", NULL);
  g_autoptr(BuzonSmtpSession) session = session_new_for ("127.0.0.1", fake->port,
                                                         BUZON_SECURITY_NONE);
  g_autoptr(BuzonSmtpSession) login = session_new_for ("127.0.0.1", fake->port,
                                                       BUZON_SECURITY_NONE);
  static const char ascii[] = "From: fake@example.test\r\nTo: ok@example.test\r\n"
                              "Subject: helo\r\n\r\nSeven bits only.\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (ascii, strlen (ascii));
  g_autoptr(GBytes) eight_bit = make_message ("helo", 100);
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  const BuzonSmtpExtensions *ext;

  g_assert_true (connect_sync (session, NULL, NULL, &error));
  g_assert_no_error (error);
  ext = buzon_smtp_session_get_extensions (session);
  g_assert_false (ext->pipelining);
  g_assert_false (ext->eightbitmime);
  g_assert_false (ext->has_size);
  sent = send_sync (session, "fake@example.test", to, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  /* No 8BITMIME after HELO: 8-bit text is refused before anything is sent. */
  g_assert_null (send_sync (session, "fake@example.test", to, eight_bit, NULL, &error));
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_8BIT_UNSUPPORTED);
  g_clear_error (&error);
  quit_sync (session);

  g_assert_false (connect_sync (login, "fake@example.test", "fake-secret", &error));
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_NO_MECHANISM);

  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_nonnull (strstr (commands, "EHLO "));
  g_assert_nonnull (strstr (commands, "HELO "));
  g_assert_nonnull (strstr (commands, "DATA-BYTES"));
  g_assert_null (strstr (commands, "AUTH"));
}

/* A server that offers only AUTH LOGIN gets LOGIN. */
static void
test_auth_login (void)
{
  const char * const to[] = { "ok@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start ("--auth", "LOGIN", NULL);
  g_autoptr(BuzonSmtpSession) session = fake_login (fake);
  g_autoptr(GBytes) message = make_message ("login", 100);
  g_autoptr(BuzonSmtpSendResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;

  g_assert_cmpstr (buzon_smtp_session_get_used_auth_mechanism (session), ==, "LOGIN");
  sent = send_sync (session, "fake@example.test", to, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sent);
  quit_sync (session);

  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_nonnull (strstr (commands, "AUTH LOGIN"));
  g_assert_null (strstr (commands, "AUTH PLAIN"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp-session/starttls-send", test_starttls_send);
  g_test_add_func ("/smtp-session/implicit-tls-send", test_implicit_tls_send);
  g_test_add_func ("/smtp-session/wrong-password", test_wrong_password);
  g_test_add_func ("/smtp-session/cancel", test_cancel);
  g_test_add_func ("/smtp-session/size-limit", test_size_limit);
  g_test_add_func ("/smtp-session/rejected-recipient", test_rejected_recipient);
  g_test_add_func ("/smtp-session/starttls-not-offered", test_starttls_not_offered);
  g_test_add_func ("/smtp-session/smtputf8-missing", test_smtputf8_missing);
  g_test_add_func ("/smtp-session/helo-fallback", test_helo_fallback);
  g_test_add_func ("/smtp-session/auth-login", test_auth_login);

  status = g_test_run ();
  g_clear_pointer (&servers, buzon_test_servers_stop);

  return status;
}
