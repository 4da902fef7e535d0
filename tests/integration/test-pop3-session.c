/* test-pop3-session.c — BuzonPop3Session against a real Dovecot on 127.0.0.1
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Logging in over implicit TLS and over STLS (USER/PASS and AUTH PLAIN),
 * a wrong password (a clear error, the mailbox untouched), a clear
 * connection without STLS where the server refuses passwords; STAT, LIST,
 * UIDL, TOP, RETR of messages with lines that begin with "." (byte for byte),
 * NOOP; DELE then RSET, DELE then a dropped connection (nothing deleted) and
 * DELE then QUIT (deleted); many RETR pipelined at once; APOP (asked for
 * over TLS, chosen by itself on a clear connection, a wrong password, a
 * server without it).
 */

#include "config.h"

#include <string.h>

#include "buzon-net.h"
#include "buzon-pop3-session.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"

static BuzonTestServers *servers;
static gboolean servers_tried;

static BuzonTestServers *
get_servers (void)
{
  return buzon_test_servers_start_once (&servers, &servers_tried, "full", NULL);
}

static BuzonPop3Session *
session_new (const char    *service,
             BuzonSecurity  security)
{
  g_autoptr(BuzonConnection) connection =
    buzon_connection_new (buzon_test_servers_get_host (servers),
                          (guint16)buzon_test_servers_get_port (servers, service), security);

  buzon_connection_set_tls_database (connection, buzon_test_servers_get_tls_database (servers));
  buzon_connection_set_connect_timeout (connection, 20);
  buzon_connection_set_io_timeout (connection, 20);

  return buzon_pop3_session_new (connection);
}

static gboolean
connect_sync (BuzonPop3Session  *session,
              const char        *username,
              const char        *password,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_pop3_session_connect_async (session, username, password, NULL, buzon_test_result_cb,
                                    &result);
  return buzon_pop3_session_connect_finish (session, buzon_test_wait_for (&result), error);
}

static BuzonPop3Session *
login (const char *address)
{
  g_autoptr(GError) error = NULL;
  BuzonPop3Session *session = session_new ("pop3s", BUZON_SECURITY_TLS);

  g_assert_true (connect_sync (session, address,
                               buzon_test_servers_get_password (servers, address), &error));
  g_assert_no_error (error);
  g_assert_true (buzon_pop3_session_is_connected (session));
  return session;
}

static GPtrArray *
list_sync (BuzonPop3Session *session,
           gboolean          uidl)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *listing;

  buzon_pop3_session_list_async (session, uidl, NULL, buzon_test_result_cb, &result);
  listing = buzon_pop3_session_list_finish (session, buzon_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (listing);
  return listing;
}

static guint
stat_sync (BuzonPop3Session *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;
  guint64 size = 0;

  buzon_pop3_session_stat_async (session, NULL, buzon_test_result_cb, &result);
  g_assert_true (buzon_pop3_session_stat_finish (session, buzon_test_wait_for (&result), &count,
                                                 &size, &error));
  g_assert_no_error (error);
  return count;
}

static GBytes *
retr_sync (BuzonPop3Session *session,
           guint             number)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  buzon_pop3_session_retrieve_async (session, number, NULL, buzon_test_result_cb, &result);
  bytes = buzon_pop3_session_retrieve_finish (session, buzon_test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

typedef enum
{
  SIMPLE_DELE,
  SIMPLE_RSET,
  SIMPLE_NOOP,
  SIMPLE_QUIT,
} Simple;

static gboolean
simple_sync (BuzonPop3Session  *session,
             Simple             what,
             guint              number,
             GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  switch (what)
    {
    case SIMPLE_DELE:
      buzon_pop3_session_delete_async (session, number, NULL, buzon_test_result_cb, &result);
      break;
    case SIMPLE_RSET:
      buzon_pop3_session_reset_async (session, NULL, buzon_test_result_cb, &result);
      break;
    case SIMPLE_NOOP:
      buzon_pop3_session_noop_async (session, NULL, buzon_test_result_cb, &result);
      break;
    case SIMPLE_QUIT:
    default:
      buzon_pop3_session_quit_async (session, NULL, buzon_test_result_cb, &result);
      break;
    }
  return buzon_pop3_session_command_finish (session, buzon_test_wait_for (&result), error);
}

/* A fresh user with @count messages in INBOX; returns their bytes. */
static GPtrArray *
user_with_mail (const char *address,
                guint       count,
                gboolean    dot_lines)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);

  g_assert_true (buzon_test_servers_add_user (servers, address, "pop-secret", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *text = g_strdup_printf (
        "From: Ana <ana@example.test>\r\n"
        "To: %s\r\n"
        "Subject: Message %u\r\n"
        "Message-ID: <pop-%u-%s>\r\n"
        "Date: Tue, 01 Dec 2026 10:%02u:00 +0000\r\n"
        "\r\n"
        "Line one of %u.\r\n"
        "%s"
        "Last line.\r\n",
        address, i, i, address, i % 60, i,
        dot_lines ? ".\r\n..\r\n.hidden\r\n...three\r\n. space\r\n" : "");
      GBytes *bytes = g_bytes_new_take (g_steal_pointer (&text), strlen (text));

      g_assert_true (buzon_test_servers_append (servers, address, "INBOX", bytes, NULL, &error));
      g_assert_no_error (error);
      g_ptr_array_add (messages, bytes);
    }

  return messages;
}

static void
test_login_tls_and_commands (void)
{
  g_autoptr(BuzonPop3Session) session = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) uidls = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  messages = user_with_mail ("pop-basic@example.test", 3, TRUE);
  session = login ("pop-basic@example.test");

  g_assert_true (buzon_pop3_session_has_capability (session, "UIDL"));
  g_assert_true (buzon_pop3_session_has_capability (session, "TOP"));
  g_assert_true (buzon_pop3_session_has_capability (session, "PIPELINING"));

  g_assert_cmpuint (stat_sync (session), ==, 3);

  list = list_sync (session, FALSE);
  uidls = list_sync (session, TRUE);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpuint (uidls->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      BuzonPop3Listing *entry = g_ptr_array_index (list, i);
      BuzonPop3Listing *unique = g_ptr_array_index (uidls, i);
      g_autoptr(GBytes) body = retr_sync (session, i + 1);

      g_assert_cmpuint (entry->number, ==, i + 1);
      g_assert_cmpuint (entry->size, ==, g_bytes_get_size (messages->pdata[i]));
      g_assert_cmpuint (unique->number, ==, i + 1);
      g_assert_nonnull (unique->uidl);
      /* Byte for byte, with the lines that begin with "." */
      g_assert_true (g_bytes_equal (body, messages->pdata[i]));
    }

  /* TOP: the header and one line. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) top = NULL;
    gsize size;
    const char *data;

    buzon_pop3_session_top_async (session, 2, 1, NULL, buzon_test_result_cb, &result);
    top = buzon_pop3_session_retrieve_finish (session, buzon_test_wait_for (&result), &error);
    g_assert_no_error (error);
    data = g_bytes_get_data (top, &size);
    g_assert_nonnull (g_strstr_len (data, size, "Subject: Message 1\r\n"));
    g_assert_nonnull (g_strstr_len (data, size, "Line one of 1.\r\n"));
    g_assert_null (g_strstr_len (data, size, "Last line."));
  }

  g_assert_true (simple_sync (session, SIMPLE_NOOP, 0, &error));
  g_assert_no_error (error);

  /* A message that does not exist: -ERR, the session goes on. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GBytes) none = NULL;

    buzon_pop3_session_retrieve_async (session, 99, NULL, buzon_test_result_cb, &result);
    none = buzon_pop3_session_retrieve_finish (session, buzon_test_wait_for (&result), &error);
    g_assert_null (none);
    g_assert_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_FAILED);
    g_clear_error (&error);
    g_assert_true (buzon_pop3_session_is_connected (session));
  }

  /* DELE then RSET: nothing deleted. */
  g_assert_true (simple_sync (session, SIMPLE_DELE, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stat_sync (session), ==, 2);
  g_assert_true (simple_sync (session, SIMPLE_RSET, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stat_sync (session), ==, 3);

  g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_pop3_session_is_connected (session));
}

static void
test_delete_needs_quit (void)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  messages = user_with_mail ("pop-dele@example.test", 4, FALSE);

  /* DELE, then the connection drops: RFC 1939 §6, nothing is deleted. */
  {
    g_autoptr(BuzonPop3Session) session = login ("pop-dele@example.test");

    g_assert_true (simple_sync (session, SIMPLE_DELE, 1, &error));
    g_assert_true (simple_sync (session, SIMPLE_DELE, 2, &error));
    g_assert_no_error (error);
    buzon_pop3_session_disconnect (session);
    g_assert_false (buzon_pop3_session_is_connected (session));
    g_assert_false (simple_sync (session, SIMPLE_NOOP, 0, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  /* Dovecot may still be closing the dropped session's mailbox. */
  g_usleep (200 * 1000);

  {
    g_autoptr(BuzonPop3Session) session = login ("pop-dele@example.test");

    g_assert_cmpuint (stat_sync (session), ==, 4);
    g_assert_true (simple_sync (session, SIMPLE_DELE, 1, &error));
    g_assert_true (simple_sync (session, SIMPLE_DELE, 3, &error));
    g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(BuzonPop3Session) session = login ("pop-dele@example.test");
    g_autoptr(GBytes) first = NULL;

    g_assert_cmpuint (stat_sync (session), ==, 2);
    first = retr_sync (session, 1);
    g_assert_true (g_bytes_equal (first, messages->pdata[1]));
    g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
    g_assert_no_error (error);
  }
}

static void
test_pipelined_retr (void)
{
  g_autoptr(BuzonPop3Session) session = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  const guint count = 60;

  if (get_servers () == NULL)
    return;

  messages = user_with_mail ("pop-pipe@example.test", count, TRUE);
  session = login ("pop-pipe@example.test");

  /* All at once: the replies come back in order. */
  results = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < count; i++)
    {
      GAsyncResult **slot = g_new0 (GAsyncResult *, 1);

      g_ptr_array_add (results, slot);
      buzon_pop3_session_retrieve_async (session, i + 1, NULL, buzon_test_result_cb, slot);
    }
  for (guint i = 0; i < count; i++)
    {
      GAsyncResult **slot = results->pdata[i];
      g_autoptr(GBytes) body = NULL;

      body = buzon_pop3_session_retrieve_finish (session, buzon_test_wait_for (slot), &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (body, messages->pdata[i]));
      g_clear_object (slot);
    }

  g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
  g_assert_no_error (error);
}

static void
test_stls (void)
{
  g_autoptr(BuzonPop3Session) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;

  if (get_servers () == NULL)
    return;

  messages = user_with_mail ("pop-stls@example.test", 1, FALSE);
  session = session_new ("pop3", BUZON_SECURITY_STARTTLS);
  g_assert_true (connect_sync (session, "pop-stls@example.test", "pop-secret", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_connection_is_encrypted (buzon_pop3_session_get_connection (session)));
  /* Dovecot lists SASL PLAIN: AUTH PLAIN is the way on TLS. */
  g_assert_cmpint (buzon_pop3_session_get_used_auth_method (session), ==, BUZON_POP3_AUTH_PLAIN);
  g_assert_cmpuint (stat_sync (session), ==, 1);
  g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
  g_assert_no_error (error);

  /* USER/PASS, asked for. */
  g_clear_object (&session);
  session = session_new ("pop3s", BUZON_SECURITY_TLS);
  buzon_pop3_session_set_auth_method (session, BUZON_POP3_AUTH_USER);
  g_assert_true (connect_sync (session, "pop-stls@example.test", "pop-secret", &error));
  g_assert_no_error (error);
  g_assert_cmpint (buzon_pop3_session_get_used_auth_method (session), ==, BUZON_POP3_AUTH_USER);
  g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
  g_assert_no_error (error);
}

static void
test_wrong_password (void)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  messages = user_with_mail ("pop-wrong@example.test", 2, FALSE);

  for (guint method = BUZON_POP3_AUTH_AUTO; method <= BUZON_POP3_AUTH_PLAIN; method++)
    {
      g_autoptr(BuzonPop3Session) session = session_new ("pop3s", BUZON_SECURITY_TLS);

      if (method == BUZON_POP3_AUTH_APOP)
        continue;
      buzon_pop3_session_set_auth_method (session, method);
      g_assert_false (connect_sync (session, "pop-wrong@example.test", "not-it", &error));
      g_assert_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_AUTH);
      g_assert_nonnull (strstr (error->message, "pop-wrong@example.test"));
      g_clear_error (&error);
      g_assert_false (buzon_pop3_session_is_connected (session));
    }

  /* Nothing changed. */
  {
    g_autoptr(BuzonPop3Session) session = login ("pop-wrong@example.test");

    g_assert_cmpuint (stat_sync (session), ==, 2);
    g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
    g_assert_no_error (error);
  }
}

static void
test_clear_refused (void)
{
  g_autoptr(BuzonPop3Session) session = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  /* The clear port without STLS: Dovecot takes no password there. */
  session = session_new ("pop3", BUZON_SECURITY_NONE);
  buzon_pop3_session_set_auth_method (session, BUZON_POP3_AUTH_USER);
  g_assert_false (connect_sync (session, "ana@example.test",
                                buzon_test_servers_get_password (servers, "ana@example.test"),
                                &error));
  g_assert_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_PLAINTEXT_REFUSED);
}

static void
test_cancel (void)
{
  g_autoptr(BuzonPop3Session) session = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  session = login ("pop-basic@example.test");
  buzon_pop3_session_retrieve_async (session, 1, cancellable, buzon_test_result_cb, &result);
  g_cancellable_cancel (cancellable);
  body = buzon_pop3_session_retrieve_finish (session, buzon_test_wait_for (&result), &error);
  g_assert_null (body);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (buzon_pop3_session_is_connected (session));
}

/* A second instance, with APOP on. */
static void
test_apop (void)
{
  const char * const args[] = { "--apop", NULL };
  BuzonTestServers *main_servers = servers;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  servers = buzon_test_servers_start_or_skip ("full", args);
  if (servers == NULL)
    {
      servers = main_servers;
      return;
    }

  {
    g_autoptr(GPtrArray) messages = user_with_mail ("pop-apop@example.test", 2, TRUE);
    g_autoptr(BuzonPop3Session) session = NULL;
    g_autoptr(GBytes) body = NULL;

    /* Asked for, over TLS. */
    session = session_new ("pop3s", BUZON_SECURITY_TLS);
    buzon_pop3_session_set_auth_method (session, BUZON_POP3_AUTH_APOP);
    g_assert_true (connect_sync (session, "pop-apop@example.test", "pop-secret", &error));
    g_assert_no_error (error);
    g_assert_cmpint (buzon_pop3_session_get_used_auth_method (session), ==, BUZON_POP3_AUTH_APOP);
    body = retr_sync (session, 2);
    g_assert_true (g_bytes_equal (body, messages->pdata[1]));
    g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
    g_assert_no_error (error);
    g_clear_object (&session);

    /* Chosen by itself on a clear connection: the password is not sent. */
    session = session_new ("pop3", BUZON_SECURITY_NONE);
    g_assert_true (connect_sync (session, "pop-apop@example.test", "pop-secret", &error));
    g_assert_no_error (error);
    g_assert_cmpint (buzon_pop3_session_get_used_auth_method (session), ==, BUZON_POP3_AUTH_APOP);
    g_assert_cmpuint (stat_sync (session), ==, 2);
    g_assert_true (simple_sync (session, SIMPLE_QUIT, 0, &error));
    g_assert_no_error (error);
    g_clear_object (&session);

    /* A wrong password. */
    session = session_new ("pop3s", BUZON_SECURITY_TLS);
    buzon_pop3_session_set_auth_method (session, BUZON_POP3_AUTH_APOP);
    g_assert_false (connect_sync (session, "pop-apop@example.test", "wrong", &error));
    g_assert_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_AUTH);
    g_clear_error (&error);
  }

  /* Without --apop there is no timestamp: APOP is refused before anything is sent. */
  buzon_test_servers_stop (servers);
  servers = main_servers;
  {
    g_autoptr(BuzonPop3Session) session = session_new ("pop3s", BUZON_SECURITY_TLS);

    buzon_pop3_session_set_auth_method (session, BUZON_POP3_AUTH_APOP);
    g_assert_false (connect_sync (session, "pop-basic@example.test", "pop-secret", &error));
    g_assert_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_NO_MECHANISM);
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pop3-session/login-tls-and-commands", test_login_tls_and_commands);
  g_test_add_func ("/pop3-session/delete-needs-quit", test_delete_needs_quit);
  g_test_add_func ("/pop3-session/pipelined-retr", test_pipelined_retr);
  g_test_add_func ("/pop3-session/stls", test_stls);
  g_test_add_func ("/pop3-session/wrong-password", test_wrong_password);
  g_test_add_func ("/pop3-session/clear-refused", test_clear_refused);
  g_test_add_func ("/pop3-session/cancel", test_cancel);
  g_test_add_func ("/pop3-session/apop", test_apop);

  status = g_test_run ();
  g_clear_pointer (&servers, buzon_test_servers_stop);

  return status;
}
