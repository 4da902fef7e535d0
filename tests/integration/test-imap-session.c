/* test-imap-session.c — BuzonImapSession against a real Dovecot on 127.0.0.1
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Logging in (IMAPS, STARTTLS, UTF-8 credentials, a wrong password), LIST
 * with special-use and non-ASCII names, CREATE/RENAME/DELETE/(UN)SUBSCRIBE
 * with non-ASCII names, UID SEARCH (ALL, UID ranges, non-ASCII TEXT), APPEND
 * with flags, date and APPENDUID, UID COPY with COPYUID, UID MOVE and its
 * fallback without MOVE or UIDPLUS (minimal profile: no EXPUNGE), SELECT,
 * GETQUOTAROOT, UID FETCH of summaries and bodies checked against the server's own state, pipelining, unsolicited
 * EXISTS, IDLE (news while idling, DONE by idle_done(), by cancelling and
 * by another command, none on the minimal profile), STATUS, UID FETCH of
 * flags with CHANGEDSINCE and VANISHED, SELECT with QRESYNC, UID FETCH of
 * whole bodies in bulk, EXPUNGE and UID EXPUNGE, UID SEARCH HEADER; and,
 * from small scripted servers in this process, a server without STARTTLS (no
 * password may leave), a server that says BYE mid-session or while idling,
 * one that never answers DONE, and 100 000 FETCH responses at once.
 */

#include "config.h"

#include <string.h>

#include "buzon-imap-error.h"
#include "buzon-imap-session.h"
#include "buzon-imap-uid-set.h"
#include "buzon-net.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"

static BuzonTestServers *servers;
static gboolean servers_tried;

static BuzonTestServers *
get_servers (void)
{
  return buzon_test_servers_start_once (&servers, &servers_tried, "full", NULL);
}

static BuzonImapSession *
session_new (const char    *host,
             guint          port,
             BuzonSecurity  security)
{
  g_autoptr(BuzonConnection) connection = buzon_connection_new (host, (guint16) port, security);

  if (servers != NULL)
    buzon_connection_set_tls_database (connection, buzon_test_servers_get_tls_database (servers));
  buzon_connection_set_connect_timeout (connection, 20);
  buzon_connection_set_io_timeout (connection, 20);

  return buzon_imap_session_new (connection);
}

static gboolean
connect_sync (BuzonImapSession  *session,
              const char        *username,
              const char        *password,
              GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_imap_session_connect_async (session, username, password, NULL, buzon_test_result_cb,
                                    &result);
  buzon_test_wait_for (&result);
  return buzon_imap_session_connect_finish (session, result, error);
}

/* A session logged in over IMAPS. */
static BuzonImapSession *
login (const char *address)
{
  g_autoptr(GError) error = NULL;
  BuzonImapSession *session = session_new (buzon_test_servers_get_host (servers),
                                           buzon_test_servers_get_port (servers, "imaps"),
                                           BUZON_SECURITY_TLS);

  g_assert_true (connect_sync (session, address,
                               buzon_test_servers_get_password (servers, address), &error));
  g_assert_no_error (error);
  return session;
}

static void
logout (BuzonImapSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_imap_session_logout_async (session, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_logout_finish (session, result, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_imap_session_is_connected (session));
}

static BuzonImapSelectInfo *
select_sync (BuzonImapSession *session,
             const char       *mailbox)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  BuzonImapSelectInfo *info;

  buzon_imap_session_select_async (session, mailbox, FALSE, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  info = buzon_imap_session_select_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  return info;
}

static void
append (const char *mailbox,
        const char *subject,
        const char *message_id,
        const char *flags)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("From: Ana <ana@example.test>\r\n"
                                           "To: Bruno <bruno@example.test>\r\n"
                                           "Subject: %s\r\n"
                                           "Message-ID: <%s>\r\n"
                                           "References: <parent@example.test>\r\n"
                                           "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                                           "MIME-Version: 1.0\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n"
                                           "\r\n"
                                           "Hola, %s.\r\n", subject, message_id, message_id);
  g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));

  g_assert_true (buzon_test_servers_append (servers, "ana@example.test", mailbox, message,
                                            flags, &error));
  g_assert_no_error (error);
}

/* Logging in */

static void
test_login_imaps (void)
{
  g_autoptr(BuzonImapSession) session = NULL;

  if (get_servers () == NULL)
    return;

  session = login ("ana@example.test");
  g_assert_true (buzon_imap_session_is_connected (session));
  g_assert_true (buzon_imap_session_has_capability (session, "IMAP4rev1"));
  g_assert_false (buzon_imap_session_has_capability (session, "LOGINDISABLED"));
  logout (session);
}

static void
test_login_utf8 (void)
{
  g_autoptr(BuzonImapSession) session = NULL;

  if (get_servers () == NULL)
    return;

  session = login ("ñandú@example.test");
  g_assert_true (buzon_imap_session_is_connected (session));
  logout (session);
}

static void
test_login_wrong_password (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  session = session_new (buzon_test_servers_get_host (servers),
                         buzon_test_servers_get_port (servers, "imaps"), BUZON_SECURITY_TLS);
  g_assert_false (connect_sync (session, "ana@example.test", "not-the-password", &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_AUTH);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "did not accept the user name or password"));
  g_assert_nonnull (strstr (error->message, buzon_test_servers_get_host (servers)));
  g_assert_false (buzon_imap_session_is_connected (session));
}

static void
test_login_starttls (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  session = session_new (buzon_test_servers_get_host (servers),
                         buzon_test_servers_get_port (servers, "imap"), BUZON_SECURITY_STARTTLS);
  g_assert_true (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_no_error (error);
  g_assert_true (buzon_connection_is_encrypted (buzon_imap_session_get_connection (session)));
  /* Re-read after TLS and login: the clear port said LOGINDISABLED and
   * STARTTLS. */
  g_assert_false (buzon_imap_session_has_capability (session, "LOGINDISABLED"));
  g_assert_false (buzon_imap_session_has_capability (session, "STARTTLS"));
  g_assert_true (buzon_imap_session_has_capability (session, "IMAP4rev1"));
  logout (session);
}

static void
test_login_disabled (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  /* No STARTTLS asked for: the clear port says LOGINDISABLED. */
  session = session_new (buzon_test_servers_get_host (servers),
                         buzon_test_servers_get_port (servers, "imap"), BUZON_SECURITY_NONE);
  g_assert_false (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_LOGIN_DISABLED);
}

/* Scripted servers in a thread of this process */

typedef enum
{
  FAKE_NO_STARTTLS,
  FAKE_BYE,
  FAKE_DROP,
  FAKE_AUTH_LOGIN,
  FAKE_AUTH_PLAIN_NO_IR,
  FAKE_LOGIN_LITERAL,
  FAKE_IDLE,
  FAKE_IDLE_BYE,
  FAKE_IDLE_SILENT,
  FAKE_MANY_FETCHES,
} FakeMode;

/* How many FETCH responses FAKE_MANY_FETCHES sends. */
#define FAKE_N_FETCHES 100000

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  FakeMode         mode;
  GString         *received;
  GThread         *thread;
  char            *idle_tag;
} FakeServer;

static void
fake_write (GOutputStream *out,
            const char    *text)
{
  g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

static void
fake_reply (GOutputStream *out,
            const char    *tag,
            const char    *text)
{
  g_autofree char *reply = g_strdup_printf ("%s %s\r\n", tag, text);

  fake_write (out, reply);
}

/* Reads one SASL response line and records it decoded. */
static void
fake_read_sasl (FakeServer       *fake,
                GDataInputStream *in)
{
  g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  g_autofree guchar *decoded = NULL;
  gsize length = 0;

  if (line == NULL)
    return;

  decoded = g_base64_decode (line, &length);
  for (gsize i = 0; i < length; i++)
    g_string_append_c (fake->received, decoded[i] == '\0' ? '|' : (char) decoded[i]);
  g_string_append_c (fake->received, '\n');
}

/* Handles one complete command; returns FALSE to close the connection. */
static gboolean
fake_handle (FakeServer       *fake,
             const char       *command,
             GDataInputStream *in,
             GOutputStream    *out)
{
  g_autofree char *tag = g_strndup (command, strcspn (command, " "));
  const char *rest = command + strlen (tag);

  g_string_append_printf (fake->received, "%s\n", command);

  if (g_str_equal (command, "DONE"))
    {
      /* FAKE_IDLE_SILENT never answers it. */
      if (fake->mode != FAKE_IDLE_SILENT && fake->idle_tag != NULL)
        fake_reply (out, fake->idle_tag, "OK idle over");
      g_clear_pointer (&fake->idle_tag, g_free);
    }
  else if (g_str_equal (rest, " IDLE"))
    {
      fake_write (out, "+ idling\r\n");
      if (fake->mode == FAKE_IDLE_BYE)
        {
          fake_write (out, "* BYE going away now\r\n");
          return FALSE;
        }
      g_free (fake->idle_tag);
      fake->idle_tag = g_strdup (tag);
    }
  else if (g_str_has_prefix (rest, " UID FETCH ") && fake->mode == FAKE_MANY_FETCHES)
    {
      g_autoptr(GString) many = g_string_new (NULL);

      /* One write: the client must keep up with a whole mailbox at once. */
      for (guint i = 1; i <= FAKE_N_FETCHES; i++)
        g_string_append_printf (many,
                                "* %u FETCH (UID %u FLAGS (\\Seen $Etiqueta) MODSEQ (%u))\r\n",
                                i, i * 2, 1000 + i);
      g_string_append_printf (many, "%s OK fetched\r\n", tag);
      g_output_stream_write_all (out, many->str, many->len, NULL, NULL, NULL);
    }
  else if (g_str_has_prefix (rest, " AUTHENTICATE PLAIN ")
           && (fake->mode == FAKE_IDLE || fake->mode == FAKE_IDLE_BYE
               || fake->mode == FAKE_IDLE_SILENT))
    fake_reply (out, tag, "OK [CAPABILITY IMAP4rev1 IDLE] logged in");
  else if (fake->mode == FAKE_NO_STARTTLS)
    fake_reply (out, tag, "BAD no");
  else if (g_str_equal (rest, " AUTHENTICATE LOGIN"))
    {
      fake_write (out, "+ VXNlcm5hbWU6\r\n");
      fake_read_sasl (fake, in);
      fake_write (out, "+ UGFzc3dvcmQ6\r\n");
      fake_read_sasl (fake, in);
      fake_reply (out, tag, "OK logged in");
    }
  else if (g_str_equal (rest, " AUTHENTICATE PLAIN"))
    {
      fake_write (out, "+ \r\n");
      fake_read_sasl (fake, in);
      fake_reply (out, tag, "OK logged in");
    }
  else if (g_str_has_prefix (rest, " AUTHENTICATE") || g_str_has_prefix (rest, " LOGIN "))
    fake_reply (out, tag, "OK [CAPABILITY IMAP4rev1] logged in");
  else if (g_str_equal (rest, " NOOP") && fake->mode == FAKE_BYE)
    {
      fake_write (out, "* BYE going away now\r\n");
      return FALSE;
    }
  else if (g_str_equal (rest, " NOOP") && fake->mode == FAKE_DROP)
    return FALSE;
  else if (g_str_equal (rest, " LOGOUT"))
    {
      fake_write (out, "* BYE see you\r\n");
      fake_reply (out, tag, "OK bye");
      return FALSE;
    }
  else
    fake_reply (out, tag, "OK done");

  return TRUE;
}

static gpointer
fake_server_thread (gpointer user_data)
{
  FakeServer *fake = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) command = g_string_new (NULL);
  GOutputStream *out;
  char *line;

  connection = g_socket_listener_accept (fake->listener, NULL, NULL, NULL);
  if (connection == NULL)
    return NULL;

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  switch (fake->mode)
    {
    case FAKE_AUTH_LOGIN:
      fake_write (out, "* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN] fake ready\r\n");
      break;
    case FAKE_AUTH_PLAIN_NO_IR:
      fake_write (out, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n");
      break;
    case FAKE_LOGIN_LITERAL:
      /* No capabilities in the greeting: the client must ask. */
      fake_write (out, "* OK fake ready\r\n");
      break;
    case FAKE_NO_STARTTLS:
    case FAKE_BYE:
    case FAKE_DROP:
    default:
      fake_write (out, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] fake ready\r\n");
      break;
    }

  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    {
      g_autofree char *owned = line;
      gsize length = strlen (line);

      g_string_append (command, line);

      /* A synchronising literal: ask for it, read it, then the rest. */
      if (length > 2 && line[length - 1] == '}' && strrchr (line, '{') != NULL)
        {
          gsize size = (gsize) g_ascii_strtoull (strrchr (line, '{') + 1, NULL, 10);
          g_autofree char *data = g_malloc (size + 1);

          g_string_append (fake->received, "[continuation]\n");
          fake_write (out, "+ go on\r\n");
          if (!g_input_stream_read_all (G_INPUT_STREAM (in), data, size, NULL, NULL, NULL))
            break;
          g_string_append_len (command, data, (gssize) size);
          continue;
        }

      if (g_str_has_suffix (command->str, " CAPABILITY"))
        {
          g_autofree char *tag = g_strndup (command->str, strcspn (command->str, " "));

          g_string_append_printf (fake->received, "%s\n", command->str);
          fake_write (out, "* CAPABILITY IMAP4rev1\r\n");
          fake_reply (out, tag, "OK done");
        }
      else if (!fake_handle (fake, command->str, in, out))
        break;
      g_string_truncate (command, 0);
    }

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return NULL;
}

static FakeServer *
fake_server_start (FakeMode mode)
{
  FakeServer *fake = g_new0 (FakeServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  fake->mode = mode;
  fake->received = g_string_new (NULL);
  fake->listener = g_socket_listener_new ();
  g_assert_true (g_socket_listener_add_address (fake->listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error));
  g_assert_no_error (error);
  fake->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  fake->thread = g_thread_new ("fake-imap", fake_server_thread, fake);

  return fake;
}

/* Joins the thread; returns what the server received. */
static char *
fake_server_stop (FakeServer *fake)
{
  char *received;

  g_thread_join (fake->thread);
  g_socket_listener_close (fake->listener);
  g_object_unref (fake->listener);
  received = g_string_free (fake->received, FALSE);
  g_free (fake->idle_tag);
  g_free (fake);

  return received;
}

static void
test_starttls_missing (void)
{
  FakeServer *fake = fake_server_start (FAKE_NO_STARTTLS);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_STARTTLS);
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;

  g_assert_false (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR,
                  BUZON_IMAP_SESSION_ERROR_STARTTLS_UNAVAILABLE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "STARTTLS"));

  received = fake_server_stop (fake);
  g_assert_null (strstr (received, "LOGIN"));
  g_assert_null (strstr (received, "AUTHENTICATE"));
  g_assert_null (strstr (received, "ana-secret"));
}

static void
bye_cb (BuzonImapSession *session,
        const char       *text,
        gpointer          user_data)
{
  char **slot = user_data;

  g_free (*slot);
  *slot = g_strdup (text);
}

static void
test_bye (void)
{
  FakeServer *fake = fake_server_start (FAKE_BYE);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) noop = NULL;
  g_autoptr(GAsyncResult) list = NULL;
  g_autoptr(GAsyncResult) later = NULL;
  g_autoptr(GPtrArray) mailboxes = NULL;
  g_autofree char *bye = NULL;
  g_autofree char *received = NULL;

  g_signal_connect (session, "bye", G_CALLBACK (bye_cb), &bye);
  g_assert_true (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_no_error (error);

  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &noop);
  buzon_imap_session_list_async (session, NULL, buzon_test_result_cb, &list);
  buzon_test_wait_for (&noop);
  buzon_test_wait_for (&list);

  g_assert_false (buzon_imap_session_noop_finish (session, noop, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "going away now"));
  g_clear_error (&error);

  mailboxes = buzon_imap_session_list_finish (session, list, &error);
  g_assert_null (mailboxes);
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED);
  g_clear_error (&error);

  g_assert_cmpstr (bye, ==, "going away now");
  g_assert_false (buzon_imap_session_is_connected (session));

  /* Commands issued afterwards fail at once. */
  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &later);
  buzon_test_wait_for (&later);
  g_assert_false (buzon_imap_session_noop_finish (session, later, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_NOT_CONNECTED);

  received = fake_server_stop (fake);
  g_assert_nonnull (strstr (received, "AUTHENTICATE PLAIN"));
}

static void
test_drop (void)
{
  FakeServer *fake = fake_server_start (FAKE_DROP);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) noop = NULL;
  g_autoptr(GAsyncResult) select = NULL;
  g_autofree char *received = NULL;

  g_assert_true (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_no_error (error);

  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &noop);
  buzon_imap_session_select_async (session, "INBOX", FALSE, NULL, buzon_test_result_cb, &select);
  buzon_test_wait_for (&noop);
  buzon_test_wait_for (&select);

  g_assert_false (buzon_imap_session_noop_finish (session, noop, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_clear_error (&error);
  g_assert_null (buzon_imap_session_select_finish (session, select, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED);
  g_assert_false (buzon_imap_session_is_connected (session));

  received = fake_server_stop (fake);
}

typedef struct
{
  FakeMode    mode;
  const char *expected;
} LoginCase;

/* AUTHENTICATE without SASL-IR, AUTHENTICATE LOGIN and LOGIN with a
 * synchronising literal, all through continuations. */
static void
test_fake_login (gconstpointer data)
{
  const LoginCase *login_case = data;
  FakeServer *fake = fake_server_start (login_case->mode);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) noop = NULL;
  g_autofree char *received = NULL;

  g_assert_true (connect_sync (session, "ñandú@example.test", "contraseña-ñandú", &error));
  g_assert_no_error (error);

  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &noop);
  buzon_test_wait_for (&noop);
  g_assert_true (buzon_imap_session_noop_finish (session, noop, &error));
  g_assert_no_error (error);
  logout (session);

  received = fake_server_stop (fake);
  g_test_message ("%s", received);
  g_assert_nonnull (strstr (received, login_case->expected));
}

/* LIST */

static const BuzonImapMailbox *
find_mailbox (GPtrArray  *mailboxes,
              const char *name)
{
  for (guint i = 0; i < mailboxes->len; i++)
    {
      const BuzonImapMailbox *mailbox = g_ptr_array_index (mailboxes, i);

      if (g_strcmp0 (mailbox->name, name) == 0)
        return mailbox;
    }

  return NULL;
}

static void
test_list (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) mailboxes = NULL;
  g_autoptr(GError) error = NULL;
  const char * const names[] = { "Viajes/Año 2026", "日本語", "Cartas 📬" };
  const BuzonImapMailbox *mailbox;

  if (get_servers () == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", names[i],
                                                       &error));
      g_assert_no_error (error);
    }

  session = login ("ana@example.test");
  buzon_imap_session_list_async (session, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  mailboxes = buzon_imap_session_list_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mailboxes);

  mailbox = find_mailbox (mailboxes, "INBOX");
  g_assert_nonnull (mailbox);
  g_assert_cmpint (mailbox->delimiter, ==, '/');
  g_assert_false (mailbox->flags & BUZON_IMAP_MAILBOX_NOSELECT);

  mailbox = find_mailbox (mailboxes, "Sent");
  g_assert_nonnull (mailbox);
  g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_SENT);
  mailbox = find_mailbox (mailboxes, "Trash");
  g_assert_nonnull (mailbox);
  g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_TRASH);
  mailbox = find_mailbox (mailboxes, "Drafts");
  g_assert_nonnull (mailbox);
  g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_DRAFTS);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      mailbox = find_mailbox (mailboxes, names[i]);
      g_assert_nonnull (mailbox);
      g_assert_cmpstr (mailbox->name, !=, mailbox->raw_name);
    }
  g_assert_cmpstr (find_mailbox (mailboxes, "Viajes/Año 2026")->raw_name, ==,
                   "Viajes/A&APE-o 2026");
  mailbox = find_mailbox (mailboxes, "Viajes");
  g_assert_nonnull (mailbox);
  g_assert_true (mailbox->flags & BUZON_IMAP_MAILBOX_HAS_CHILDREN);

  logout (session);
}

/* UID SEARCH */

static GArray *
uid_search_sync (BuzonImapSession *session,
                 guint32           first_uid,
                 guint32           last_uid,
                 const char       *text)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GArray *uids;

  buzon_imap_session_uid_search_async (session, first_uid, last_uid, text, NULL,
                                       buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  uids = buzon_imap_session_uid_search_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uids);
  return uids;
}

static guint32
state_uid (JsonNode   *state,
           const char *message_id)
{
  JsonObject *message = buzon_test_state_find_message (state, "Buscar", message_id);

  g_assert_nonnull (message);
  return (guint32) json_object_get_int_member (message, "uid");
}

static void
test_uid_search (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GArray) uids = NULL;
  guint32 first, second, third;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Buscar", &error));
  g_assert_no_error (error);
  append ("Buscar", "Canción de cuna", "cancion1@example.test", NULL);
  append ("Buscar", "Otro asunto", "otro@example.test", NULL);
  append ("Buscar", "Una canción más", "cancion2@example.test", "\\Seen");

  state = buzon_test_servers_get_state (servers, "ana@example.test", "Buscar", FALSE, &error);
  g_assert_no_error (error);
  first = state_uid (state, "<cancion1@example.test>");
  second = state_uid (state, "<otro@example.test>");
  third = state_uid (state, "<cancion2@example.test>");

  session = login ("ana@example.test");
  info = select_sync (session, "Buscar");

  uids = uid_search_sync (session, 0, 0, NULL);
  g_assert_cmpuint (uids->len, ==, 3);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, first);
  g_assert_cmpuint (g_array_index (uids, guint32, 1), ==, second);
  g_assert_cmpuint (g_array_index (uids, guint32, 2), ==, third);
  g_clear_pointer (&uids, g_array_unref);

  /* Non-ASCII: CHARSET UTF-8, and the server folds the case. */
  uids = uid_search_sync (session, 0, 0, "canción");
  g_assert_cmpuint (uids->len, ==, 2);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, first);
  g_assert_cmpuint (g_array_index (uids, guint32, 1), ==, third);
  g_clear_pointer (&uids, g_array_unref);

  uids = uid_search_sync (session, second, 0, "canción");
  g_assert_cmpuint (uids->len, ==, 1);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, third);
  g_clear_pointer (&uids, g_array_unref);

  uids = uid_search_sync (session, first, second, NULL);
  g_assert_cmpuint (uids->len, ==, 2);
  g_clear_pointer (&uids, g_array_unref);

  uids = uid_search_sync (session, 0, 0, "asunto \"que no está\"");
  g_assert_cmpuint (uids->len, ==, 0);

  logout (session);
}

/* APPEND */

static gboolean
json_strv_contains (JsonArray  *array,
                    const char *text)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), text) == 0)
      return TRUE;

  return FALSE;
}

static void
test_append (void)
{
  const char *text = "From: Ana <ana@example.test>\r\n"
                     "To: Bruno <bruno@example.test>\r\n"
                     "Subject: Guardado en «Añadidos»\r\n"
                     "Message-ID: <append@example.test>\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "\r\n"
                     "Año nuevo.\r\n";
  const char * const flags[] = { "\\Seen", "\\Flagged", "$Etiqueta", NULL };
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  g_autoptr(GDateTime) date = g_date_time_new_utc (2026, 3, 5, 12, 30, 0);
  g_autoptr(JsonNode) state = NULL;
  JsonObject *box;
  JsonObject *stored;
  JsonArray *stored_flags;
  guint32 uidvalidity = 1;
  guint32 uid = 1;

  if (get_servers () == NULL)
    return;

  session = login ("ana@example.test");
  buzon_imap_session_create_async (session, "Añadidos", NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_create_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  buzon_imap_session_append_async (session, "Añadidos", message, flags, date, NULL,
                                   buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_append_finish (session, result, &uidvalidity, &uid, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  state = buzon_test_servers_get_state (servers, "ana@example.test", "Añadidos", FALSE, &error);
  g_assert_no_error (error);
  box = buzon_test_state_get_mailbox (state, "Añadidos");
  g_assert_nonnull (box);
  stored = buzon_test_state_find_message (state, "Añadidos", "<append@example.test>");
  g_assert_nonnull (stored);

  /* Dovecot has UIDPLUS: APPENDUID names the new message. */
  g_assert_true (buzon_imap_session_has_capability (session, "UIDPLUS"));
  g_assert_cmpuint (uidvalidity, ==, json_object_get_int_member (box, "uidvalidity"));
  g_assert_cmpuint (uid, ==, json_object_get_int_member (stored, "uid"));
  g_assert_cmpint (json_object_get_int_member (stored, "size"), ==, strlen (text));

  stored_flags = json_object_get_array_member (stored, "flags");
  g_assert_true (json_strv_contains (stored_flags, "\\Seen"));
  g_assert_true (json_strv_contains (stored_flags, "\\Flagged"));
  g_assert_true (json_strv_contains (stored_flags, "$Etiqueta"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (stored, "internaldate"),
                                   "05-Mar-2026"));

  /* Without flags or date; a missing mailbox is a NO, with TRYCREATE. */
  buzon_imap_session_append_async (session, "No existe", message, NULL, NULL, NULL,
                                   buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_false (buzon_imap_session_append_finish (session, result, &uidvalidity, &uid, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED);
  g_assert_cmpuint (uidvalidity, ==, 0);
  g_assert_cmpuint (uid, ==, 0);

  logout (session);
}

/* UID COPY */

static void
test_uid_copy (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(BuzonImapCopyUid) copy_uid = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *message;
  BuzonImapUidRange *range;
  guint32 uid;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Origen",
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Destino ñ",
                                                   &error));
  g_assert_no_error (error);
  append ("Origen", "Primero", "copy1@example.test", NULL);
  append ("Origen", "Segundo", "copy2@example.test", "\\Flagged");

  state = buzon_test_servers_get_state (servers, "ana@example.test", "Origen", FALSE, &error);
  g_assert_no_error (error);
  message = buzon_test_state_find_message (state, "Origen", "<copy2@example.test>");
  g_assert_nonnull (message);
  uid = (guint32) json_object_get_int_member (message, "uid");
  g_clear_pointer (&state, json_node_unref);

  session = login ("ana@example.test");
  info = select_sync (session, "Origen");
  buzon_imap_session_uid_copy_async (session, &uid, 1, "Destino ñ", NULL, buzon_test_result_cb,
                                     &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_uid_copy_finish (session, result, &copy_uid, &error));
  g_assert_no_error (error);
  g_assert_nonnull (copy_uid);

  state = buzon_test_servers_get_state (servers, "ana@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (buzon_test_state_find_message (state, "Origen", "<copy2@example.test>"));
  g_assert_null (buzon_test_state_find_message (state, "Destino ñ", "<copy1@example.test>"));
  message = buzon_test_state_find_message (state, "Destino ñ", "<copy2@example.test>");
  g_assert_nonnull (message);

  /* Dovecot has UIDPLUS: COPYUID maps the source UID to the copy's. */
  g_assert_cmpuint (copy_uid->uidvalidity, ==,
                    json_object_get_int_member (buzon_test_state_get_mailbox (state, "Destino ñ"),
                                                "uidvalidity"));
  g_assert_nonnull (copy_uid->source_uids);
  g_assert_cmpuint (copy_uid->source_uids->len, ==, 1);
  range = &g_array_index (copy_uid->source_uids, BuzonImapUidRange, 0);
  g_assert_cmpuint (range->first, ==, uid);
  g_assert_cmpuint (range->last, ==, uid);
  g_assert_cmpuint (copy_uid->dest_uids->len, ==, 1);
  range = &g_array_index (copy_uid->dest_uids, BuzonImapUidRange, 0);
  g_assert_cmpuint (range->first, ==, json_object_get_int_member (message, "uid"));
  g_assert_cmpuint (range->last, ==, range->first);

  logout (session);
}

/* UID MOVE */

/* A session logged in over IMAPS on @instance, which may be another
 * instance than the shared one. */
static BuzonImapSession *
login_on (BuzonTestServers *instance,
          const char       *address)
{
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  BuzonImapSession *session;

  connection = buzon_connection_new (buzon_test_servers_get_host (instance),
                                     (guint16) buzon_test_servers_get_port (instance, "imaps"),
                                     BUZON_SECURITY_TLS);
  buzon_connection_set_tls_database (connection, buzon_test_servers_get_tls_database (instance));
  buzon_connection_set_connect_timeout (connection, 20);
  buzon_connection_set_io_timeout (connection, 20);
  session = buzon_imap_session_new (connection);

  g_assert_true (connect_sync (session, address,
                               buzon_test_servers_get_password (instance, address), &error));
  g_assert_no_error (error);
  return session;
}

static void
move_sync (BuzonImapSession  *session,
           guint32            uid,
           const char        *mailbox,
           BuzonImapCopyUid **copy_uid,
           gboolean          *left_deleted)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_imap_session_uid_move_async (session, &uid, 1, mailbox, NULL, buzon_test_result_cb,
                                     &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_uid_move_finish (session, result, copy_uid, left_deleted,
                                                     &error));
  g_assert_no_error (error);
  g_assert_nonnull (*copy_uid);
}

static guint32
prepare_move (BuzonTestServers *instance,
              const char       *source,
              const char       *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  const char *text = "From: Ana <ana@example.test>\r\n"
                     "Subject: Para mover\r\n"
                     "Message-ID: <move@example.test>\r\n"
                     "\r\n"
                     "Hola.\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  JsonObject *stored;

  g_assert_true (buzon_test_servers_create_folder (instance, "bruno@example.test", source,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_create_folder (instance, "bruno@example.test", target,
                                                   &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_append (instance, "bruno@example.test", source, message,
                                            NULL, &error));
  g_assert_no_error (error);
  /* A message the user marked \Deleted before: no EXPUNGE may take it. */
  g_assert_true (buzon_test_servers_append (instance, "bruno@example.test", source, message,
                                            "\\Deleted", &error));
  g_assert_no_error (error);

  state = buzon_test_servers_get_state (instance, "bruno@example.test", source, FALSE, &error);
  g_assert_no_error (error);
  stored = buzon_test_state_find_message (state, source, "<move@example.test>");
  g_assert_nonnull (stored);
  return (guint32) json_object_get_int_member (stored, "uid");
}

static gboolean
message_has_flag (JsonObject *message,
                  const char *flag)
{
  JsonArray *flags = json_object_get_array_member (message, "flags");

  for (guint i = 0; i < json_array_get_length (flags); i++)
    if (g_strcmp0 (json_array_get_string_element (flags, i), flag) == 0)
      return TRUE;

  return FALSE;
}

static void
test_uid_move (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(BuzonImapCopyUid) copy_uid = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *box;
  JsonArray *messages;
  JsonObject *moved;
  BuzonImapUidRange *range;
  gboolean left_deleted = TRUE;
  guint32 uid;

  if (get_servers () == NULL)
    return;

  uid = prepare_move (servers, "Mover", "Movidos ñ");
  session = login ("bruno@example.test");
  g_assert_true (buzon_imap_session_has_capability (session, "MOVE"));
  info = select_sync (session, "Mover");
  move_sync (session, uid, "Movidos ñ", &copy_uid, &left_deleted);
  g_assert_false (left_deleted);

  state = buzon_test_servers_get_state (servers, "bruno@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  /* The source keeps only the message marked \Deleted before. */
  box = buzon_test_state_get_mailbox (state, "Mover");
  messages = json_object_get_array_member (box, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_cmpuint (json_object_get_int_member (json_array_get_object_element (messages, 0),
                                                "uid"), !=, uid);
  moved = buzon_test_state_find_message (state, "Movidos ñ", "<move@example.test>");
  g_assert_nonnull (moved);

  g_assert_cmpuint (copy_uid->uidvalidity, ==,
                    json_object_get_int_member (buzon_test_state_get_mailbox (state, "Movidos ñ"),
                                                "uidvalidity"));
  g_assert_nonnull (copy_uid->source_uids);
  range = &g_array_index (copy_uid->source_uids, BuzonImapUidRange, 0);
  g_assert_cmpuint (range->first, ==, uid);
  range = &g_array_index (copy_uid->dest_uids, BuzonImapUidRange, 0);
  g_assert_cmpuint (range->first, ==, json_object_get_int_member (moved, "uid"));

  logout (session);
}

static void
test_uid_move_fallback (void)
{
  g_autoptr(BuzonTestServers) minimal = NULL;
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(BuzonImapCopyUid) copy_uid = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *box;
  JsonObject *original;
  gboolean left_deleted = FALSE;
  guint32 uid;

  minimal = buzon_test_servers_start_or_skip ("minimal", NULL);
  if (minimal == NULL)
    return;

  uid = prepare_move (minimal, "Mover", "Movidos ñ");
  session = login_on (minimal, "bruno@example.test");
  /* Neither MOVE nor UIDPLUS: COPY and STORE, and no EXPUNGE at all. */
  g_assert_false (buzon_imap_session_has_capability (session, "MOVE"));
  g_assert_false (buzon_imap_session_has_capability (session, "UIDPLUS"));
  info = select_sync (session, "Mover");
  move_sync (session, uid, "Movidos ñ", &copy_uid, &left_deleted);
  g_assert_true (left_deleted);
  /* Dovecot still sends COPYUID without advertising UIDPLUS; either way
   * the session takes what it gets, so copy_uid is not checked here. */

  state = buzon_test_servers_get_state (minimal, "bruno@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  box = buzon_test_state_get_mailbox (state, "Mover");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (box, "messages")), ==,
                    2);
  original = buzon_test_state_find_message (state, "Mover", "<move@example.test>");
  g_assert_nonnull (original);
  g_assert_cmpuint (json_object_get_int_member (original, "uid"), ==, uid);
  g_assert_true (message_has_flag (original, "\\Deleted"));
  g_assert_nonnull (buzon_test_state_find_message (state, "Movidos ñ", "<move@example.test>"));

  logout (session);
}

/* GETQUOTAROOT */

static void
test_getquotaroot (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint64 usage = G_MAXUINT64;
  guint64 limit = 0;

  if (get_servers () == NULL)
    return;

  append ("INBOX", "Cuota", "quota@example.test", NULL);
  session = login ("ana@example.test");
  g_assert_true (buzon_imap_session_has_capability (session, "QUOTA"));
  buzon_imap_session_getquotaroot_async (session, "INBOX", NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_getquotaroot_finish (session, result, &usage, &limit,
                                                         &error));
  g_assert_no_error (error);
  /* The harness gives every user a storage quota; usage is in KiB. */
  g_assert_cmpuint (limit, >, 0);
  g_assert_cmpuint (usage, >, 0);
  g_assert_cmpuint (usage, <, limit);

  logout (session);
}

/* CREATE, RENAME, DELETE, SUBSCRIBE, UNSUBSCRIBE */

typedef enum
{
  MAILBOX_CREATE,
  MAILBOX_DELETE,
  MAILBOX_SUBSCRIBE,
  MAILBOX_UNSUBSCRIBE,
} MailboxOp;

static void
mailbox_op_sync (BuzonImapSession *session,
                 MailboxOp         op,
                 const char       *mailbox)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  switch (op)
    {
    case MAILBOX_CREATE:
      buzon_imap_session_create_async (session, mailbox, NULL, buzon_test_result_cb, &result);
      buzon_test_wait_for (&result);
      ok = buzon_imap_session_create_finish (session, result, &error);
      break;
    case MAILBOX_DELETE:
      buzon_imap_session_delete_async (session, mailbox, NULL, buzon_test_result_cb, &result);
      buzon_test_wait_for (&result);
      ok = buzon_imap_session_delete_finish (session, result, &error);
      break;
    case MAILBOX_SUBSCRIBE:
      buzon_imap_session_subscribe_async (session, mailbox, NULL, buzon_test_result_cb, &result);
      buzon_test_wait_for (&result);
      ok = buzon_imap_session_subscribe_finish (session, result, &error);
      break;
    case MAILBOX_UNSUBSCRIBE:
      buzon_imap_session_unsubscribe_async (session, mailbox, NULL, buzon_test_result_cb, &result);
      buzon_test_wait_for (&result);
      ok = buzon_imap_session_unsubscribe_finish (session, result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  g_assert_no_error (error);
  g_assert_true (ok);
}

static JsonNode *
folders_state (const char *address)
{
  g_autoptr(GError) error = NULL;
  JsonNode *state = buzon_test_servers_get_state (servers, address, NULL, FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (state);
  return state;
}

static void
test_mailbox_management (void)
{
  const char *address = "bruno@example.test";
  const char * const names[] = { "Viajes/Año 2026", "日本語", "Cartas 📬" };
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *folder;

  if (get_servers () == NULL)
    return;

  session = login (address);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      mailbox_op_sync (session, MAILBOX_CREATE, names[i]);
      mailbox_op_sync (session, MAILBOX_SUBSCRIBE, names[i]);
    }

  state = folders_state (address);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      folder = buzon_test_state_find_folder (state, names[i]);
      g_assert_nonnull (folder);
      g_assert_true (json_object_get_boolean_member (folder, "subscribed"));
    }
  g_assert_cmpstr (json_object_get_string_member (buzon_test_state_find_folder (state,
                                                                                "Viajes/Año 2026"),
                                                  "raw_name"), ==, "Viajes/A&APE-o 2026");
  g_clear_pointer (&state, json_node_unref);

  /* Renaming the parent renames the child too (RFC 3501 section 6.3.5). */
  buzon_imap_session_rename_async (session, "Viajes", "Viajes pasados", NULL, buzon_test_result_cb,
                                   &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_rename_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  buzon_imap_session_rename_async (session, "日本語", "日本語 🗾", NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_rename_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  mailbox_op_sync (session, MAILBOX_UNSUBSCRIBE, "Cartas 📬");

  state = folders_state (address);
  g_assert_null (buzon_test_state_find_folder (state, "Viajes/Año 2026"));
  g_assert_nonnull (buzon_test_state_find_folder (state, "Viajes pasados/Año 2026"));
  g_assert_null (buzon_test_state_find_folder (state, "日本語"));
  g_assert_nonnull (buzon_test_state_find_folder (state, "日本語 🗾"));
  folder = buzon_test_state_find_folder (state, "Cartas 📬");
  g_assert_nonnull (folder);
  g_assert_false (json_object_get_boolean_member (folder, "subscribed"));
  g_clear_pointer (&state, json_node_unref);

  mailbox_op_sync (session, MAILBOX_DELETE, "Cartas 📬");
  mailbox_op_sync (session, MAILBOX_DELETE, "日本語 🗾");
  state = folders_state (address);
  g_assert_null (buzon_test_state_find_folder (state, "Cartas 📬"));
  g_assert_null (buzon_test_state_find_folder (state, "日本語 🗾"));
  g_assert_nonnull (buzon_test_state_find_folder (state, "Viajes pasados/Año 2026"));
  g_clear_pointer (&state, json_node_unref);

  /* A NO from the server is an error carrying its text. */
  buzon_imap_session_delete_async (session, "No existe ñ", NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_false (buzon_imap_session_delete_finish (session, result, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED);

  logout (session);
}

/* SELECT and FETCH */

static void
test_select_and_fetch (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) fetches = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *box;
  JsonArray *messages;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Fetch", &error));
  g_assert_no_error (error);
  append ("Fetch", "Primero", "one@example.test", NULL);
  append ("Fetch", "=?UTF-8?Q?Caf=C3=A9_ma=C3=B1ana?=", "two@example.test", "\\Seen");
  append ("Fetch", "Tercero", "three@example.test", "\\Flagged \\Seen");

  state = buzon_test_servers_get_state (servers, "ana@example.test", "Fetch", TRUE, &error);
  g_assert_no_error (error);
  box = buzon_test_state_get_mailbox (state, "Fetch");
  g_assert_nonnull (box);
  messages = json_object_get_array_member (box, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);

  session = login ("ana@example.test");
  info = select_sync (session, "Fetch");
  g_assert_cmpuint (info->exists, ==, json_object_get_int_member (box, "exists"));
  g_assert_cmpuint (info->uidvalidity, ==, json_object_get_int_member (box, "uidvalidity"));
  g_assert_cmpuint (info->uidnext, ==, json_object_get_int_member (box, "uidnext"));
  g_assert_false (info->read_only);
  g_assert_nonnull (info->permanent_flags);
  g_assert_true (g_strv_contains ((const char * const *) info->permanent_flags, "\\Seen"));
  if (buzon_imap_session_has_capability (session, "CONDSTORE"))
    g_assert_cmpuint (info->highestmodseq, ==, json_object_get_int_member (box, "highestmodseq"));

  buzon_imap_session_uid_fetch_summaries_async (session, 1, BUZON_IMAP_UID_STAR, NULL,
                                                buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  fetches = buzon_imap_session_uid_fetch_summaries_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fetches->len, ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);
      JsonObject *message = json_array_get_object_element (messages, i);
      const BuzonImapFetchBody *references;
      g_autoptr(GAsyncResult) body_result = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *sha256 = NULL;

      g_assert_cmpuint (fetch->uid, ==, json_object_get_int_member (message, "uid"));
      g_assert_cmpuint (fetch->size, ==, json_object_get_int_member (message, "size"));
      g_assert_nonnull (fetch->envelope);
      g_assert_cmpstr (fetch->envelope->subject, ==,
                       json_object_get_string_member (message, "subject"));
      g_assert_nonnull (fetch->body);
      g_assert_nonnull (fetch->internal_date);
      references = buzon_imap_fetch_get_body (fetch, "HEADER.FIELDS (REFERENCES)");
      g_assert_nonnull (references);
      /* \Recent is session-specific: the state's reader does not get it. */
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (message, "flags")),
                        ==, g_strv_length (fetch->flags)
                            - (g_strv_contains ((const char * const *) fetch->flags, "\\Recent")
                               ? 1 : 0));

      buzon_imap_session_uid_fetch_body_async (session, fetch->uid, NULL, buzon_test_result_cb,
                                               &body_result);
      buzon_test_wait_for (&body_result);
      body = buzon_imap_session_uid_fetch_body_finish (session, body_result, &error);
      g_assert_no_error (error);
      sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
      g_assert_cmpstr (sha256, ==, json_object_get_string_member (message, "sha256"));
    }

  g_assert_cmpstr (((BuzonImapFetch *) g_ptr_array_index (fetches, 1))->envelope->subject,
                   ==, "Café mañana");
  g_assert_true (((BuzonImapFetch *) g_ptr_array_index (fetches, 1))->system_flags
                 & BUZON_IMAP_FLAG_SEEN);
  g_assert_false (((BuzonImapFetch *) g_ptr_array_index (fetches, 0))->system_flags
                  & BUZON_IMAP_FLAG_SEEN);
  g_assert_true (((BuzonImapFetch *) g_ptr_array_index (fetches, 2))->system_flags
                 & BUZON_IMAP_FLAG_FLAGGED);

  logout (session);
}

static void
test_uid_store (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GAsyncResult) add = NULL;
  g_autoptr(GAsyncResult) remove = NULL;
  g_autoptr(GAsyncResult) bad = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  const guint32 uids[] = { 1, 2 };
  const char * const flagged[] = { "\\Flagged", "$Etiqueta", NULL };
  const char * const seen[] = { "\\Seen", NULL };
  const char * const invalid[] = { "not a flag", NULL };
  JsonArray *messages;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Store", &error));
  g_assert_no_error (error);
  append ("Store", "A", "store-1@example.test", "\\Seen");
  append ("Store", "B", "store-2@example.test", "\\Seen");

  session = login ("ana@example.test");
  info = select_sync (session, "Store");
  buzon_imap_session_uid_store_async (session, uids, 2, BUZON_IMAP_STORE_ADD, flagged, NULL,
                                      buzon_test_result_cb, &add);
  buzon_imap_session_uid_store_async (session, uids + 1, 1, BUZON_IMAP_STORE_REMOVE, seen, NULL,
                                      buzon_test_result_cb, &remove);
  buzon_imap_session_uid_store_async (session, uids, 1, BUZON_IMAP_STORE_ADD, invalid, NULL,
                                      buzon_test_result_cb, &bad);
  buzon_test_wait_for (&add);
  buzon_test_wait_for (&remove);
  buzon_test_wait_for (&bad);
  g_assert_true (buzon_imap_session_uid_store_finish (session, add, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_imap_session_uid_store_finish (session, remove, &error));
  g_assert_no_error (error);
  g_assert_false (buzon_imap_session_uid_store_finish (session, bad, &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
  g_clear_error (&error);
  logout (session);

  state = buzon_test_servers_get_state (servers, "ana@example.test", "Store", FALSE, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (buzon_test_state_get_mailbox (state, "Store"),
                                           "messages");
  for (guint i = 0; i < 2; i++)
    {
      JsonArray *flags = json_object_get_array_member (json_array_get_object_element (messages, i),
                                                       "flags");
      gboolean has_seen = FALSE, has_flagged = FALSE, has_keyword = FALSE;

      for (guint j = 0; j < json_array_get_length (flags); j++)
        {
          const char *flag = json_array_get_string_element (flags, j);

          has_seen |= g_str_equal (flag, "\\Seen");
          has_flagged |= g_str_equal (flag, "\\Flagged");
          has_keyword |= g_str_equal (flag, "$Etiqueta");
        }
      g_assert_true (has_flagged);
      g_assert_true (has_keyword);
      g_assert_true (has_seen == (i == 0));
    }
}

/* Several commands in flight at once. */
static void
test_pipelining (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *results[6] = { NULL, };
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GPtrArray) mailboxes = NULL;
  g_autoptr(GPtrArray) fetches = NULL;
  g_autoptr(GBytes) body = NULL;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Pipe", &error));
  g_assert_no_error (error);
  append ("Pipe", "Uno", "pipe-1@example.test", NULL);
  append ("Pipe", "Dos", "pipe-2@example.test", NULL);

  session = login ("ana@example.test");
  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &results[0]);
  buzon_imap_session_list_async (session, NULL, buzon_test_result_cb, &results[1]);
  buzon_imap_session_select_async (session, "Pipe", TRUE, NULL, buzon_test_result_cb, &results[2]);
  buzon_imap_session_uid_fetch_summaries_async (session, 1, 2, NULL, buzon_test_result_cb,
                                                &results[3]);
  buzon_imap_session_uid_fetch_body_async (session, 2, NULL, buzon_test_result_cb, &results[4]);
  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &results[5]);
  /* Nothing has completed yet: all were issued before the loop ran. */
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    g_assert_null (results[i]);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    buzon_test_wait_for (&results[i]);

  g_assert_true (buzon_imap_session_noop_finish (session, results[0], &error));
  g_assert_no_error (error);
  mailboxes = buzon_imap_session_list_finish (session, results[1], &error);
  g_assert_no_error (error);
  g_assert_nonnull (find_mailbox (mailboxes, "Pipe"));
  info = buzon_imap_session_select_finish (session, results[2], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->exists, ==, 2);
  g_assert_true (info->read_only);
  fetches = buzon_imap_session_uid_fetch_summaries_finish (session, results[3], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fetches->len, ==, 2);
  body = buzon_imap_session_uid_fetch_body_finish (session, results[4], &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (g_bytes_get_data (body, NULL), "pipe-2@example.test"));
  g_assert_true (buzon_imap_session_noop_finish (session, results[5], &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    g_object_unref (results[i]);

  logout (session);
}

static void
exists_cb (BuzonImapSession *session,
           guint             exists,
           gpointer          user_data)
{
  guint *slot = user_data;

  *slot = exists;
}

static void
test_unsolicited_exists (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  guint exists = 0;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Nuevos", &error));
  g_assert_no_error (error);
  append ("Nuevos", "Antes", "before@example.test", NULL);

  session = login ("ana@example.test");
  g_signal_connect (session, "exists", G_CALLBACK (exists_cb), &exists);
  info = select_sync (session, "Nuevos");
  g_assert_cmpuint (info->exists, ==, 1);
  g_assert_cmpuint (exists, ==, 0);

  append ("Nuevos", "Después", "after@example.test", NULL);

  for (guint attempt = 0; attempt < 20 && exists == 0; attempt++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &result);
      buzon_test_wait_for (&result);
      g_assert_true (buzon_imap_session_noop_finish (session, result, &error));
      g_assert_no_error (error);
      if (exists == 0)
        g_usleep (G_USEC_PER_SEC / 10);
    }
  g_assert_cmpuint (exists, ==, 2);

  logout (session);
}

/* IDLE */

/* The server accepted the IDLE: the session raised the I/O timeout for it. */
static gboolean
idle_accepted (gpointer data)
{
  BuzonImapSession *session = data;

  return buzon_connection_get_io_timeout (buzon_imap_session_get_connection (session)) == 31 * 60;
}

static gboolean
exists_reached_two (gpointer data)
{
  return *(guint *) data >= 2;
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
noop_sync (BuzonImapSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_noop_finish (session, result, &error));
  g_assert_no_error (error);
}

static void
idle_finish_ok (BuzonImapSession  *session,
                GAsyncResult     **slot)
{
  g_autoptr(GError) error = NULL;

  buzon_test_wait_for (slot);
  g_assert_true (buzon_imap_session_idle_finish (session, *slot, &error));
  g_assert_no_error (error);
  g_clear_object (slot);
}

static void
test_idle (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GAsyncResult) idle = NULL;
  g_autoptr(GError) error = NULL;
  BuzonConnection *connection;
  guint exists = 0;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Idle", &error));
  g_assert_no_error (error);
  append ("Idle", "Antes", "idle-before@example.test", NULL);

  session = login ("ana@example.test");
  connection = buzon_imap_session_get_connection (session);
  g_assert_true (buzon_imap_session_has_capability (session, "IDLE"));
  info = select_sync (session, "Idle");
  g_assert_cmpuint (info->exists, ==, 1);
  g_signal_connect (session, "exists", G_CALLBACK (exists_cb), &exists);

  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  g_assert_true (buzon_imap_session_is_idling (session));
  g_assert_true (buzon_test_spin_until (idle_accepted, session, 5000));

  /* Another session delivers: the news comes with no command of ours. */
  append ("Idle", "Durante", "idle-during@example.test", NULL);
  g_assert_true (buzon_test_spin_until (exists_reached_two, &exists, 5000));
  g_assert_cmpuint (exists, ==, 2);
  g_assert_null (idle);
  g_assert_true (buzon_imap_session_is_idling (session));

  buzon_imap_session_idle_done (session);
  g_assert_false (buzon_imap_session_is_idling (session));
  /* The connection's own timeout is back as soon as DONE is written. */
  g_assert_cmpuint (buzon_connection_get_io_timeout (connection), ==, 20);
  idle_finish_ok (session, &idle);

  /* Nothing left over: the session goes on. */
  buzon_imap_session_idle_done (session);
  noop_sync (session);
  g_assert_true (buzon_imap_session_is_connected (session));
  logout (session);
}

/* A command issued while idling ends the IDLE first. */
static void
test_idle_auto_done (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GAsyncResult) idle = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) noop = NULL;
  g_autoptr(GError) error = NULL;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Idle auto",
                                                   &error));
  g_assert_no_error (error);
  append ("Idle auto", "Uno", "idle-auto@example.test", NULL);

  session = login ("ana@example.test");
  info = select_sync (session, "Idle auto");

  /* While the server idles: STATUS sends DONE first, and the IDLE
   * completes before it. */
  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  g_assert_true (buzon_test_spin_until (idle_accepted, session, 5000));
  buzon_imap_session_status_async (session, "INBOX", NULL, buzon_test_result_cb, &result);
  g_assert_false (buzon_imap_session_is_idling (session));
  buzon_test_wait_for (&result);
  g_assert_nonnull (idle);
  idle_finish_ok (session, &idle);
  status = buzon_imap_session_status_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status);
  g_clear_object (&result);

  /* Before the server's continuation: DONE follows it. */
  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &noop);
  g_assert_false (buzon_imap_session_is_idling (session));
  idle_finish_ok (session, &idle);
  buzon_test_wait_for (&noop);
  g_assert_true (buzon_imap_session_noop_finish (session, noop, &error));
  g_assert_no_error (error);
  g_clear_object (&noop);

  /* Ended before it was even written (the NOOP is being written). */
  buzon_imap_session_noop_async (session, NULL, buzon_test_result_cb, &noop);
  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  g_assert_true (buzon_imap_session_is_idling (session));
  buzon_imap_session_idle_done (session);
  g_assert_false (buzon_imap_session_is_idling (session));
  idle_finish_ok (session, &idle);
  buzon_test_wait_for (&noop);
  g_assert_true (buzon_imap_session_noop_finish (session, noop, &error));
  g_assert_no_error (error);
  g_clear_object (&noop);

  /* Cancelling is DONE too, and a success: the session stays usable. */
  cancellable = g_cancellable_new ();
  buzon_imap_session_idle_async (session, cancellable, buzon_test_result_cb, &idle);
  g_assert_true (buzon_test_spin_until (idle_accepted, session, 5000));
  g_cancellable_cancel (cancellable);
  idle_finish_ok (session, &idle);
  g_assert_false (buzon_imap_session_is_idling (session));
  noop_sync (session);

  /* Cancelled before: nothing is sent. */
  buzon_imap_session_idle_async (session, cancellable, buzon_test_result_cb, &idle);
  g_assert_false (buzon_imap_session_is_idling (session));
  buzon_test_wait_for (&idle);
  g_assert_false (buzon_imap_session_idle_finish (session, idle, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* LOGOUT ends an IDLE as well. */
  g_clear_object (&idle);
  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  g_assert_true (buzon_test_spin_until (idle_accepted, session, 5000));
  logout (session);
  idle_finish_ok (session, &idle);
}

/* DONE goes before the next command; BYE or silence end the IDLE with
 * BUZON_IMAP_SESSION_ERROR_CLOSED. */
static void
test_idle_fake (void)
{
  FakeServer *fake = fake_server_start (FAKE_IDLE);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_NONE);
  g_autoptr(GAsyncResult) idle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;

  g_assert_true (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_no_error (error);
  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  g_assert_true (buzon_test_spin_until (idle_accepted, session, 5000));
  noop_sync (session);
  idle_finish_ok (session, &idle);
  logout (session);

  received = fake_server_stop (fake);
  g_test_message ("%s", received);
  g_assert_nonnull (strstr (received, "A0002 IDLE\nDONE\nA0003 NOOP\n"));
}

static void
test_idle_bye (void)
{
  FakeServer *fake = fake_server_start (FAKE_IDLE_BYE);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_NONE);
  g_autoptr(GAsyncResult) idle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;

  g_assert_true (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_no_error (error);
  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  buzon_test_wait_for (&idle);
  g_assert_false (buzon_imap_session_idle_finish (session, idle, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED);
  g_assert_nonnull (strstr (error->message, "going away now"));
  g_assert_false (buzon_imap_session_is_idling (session));
  g_assert_false (buzon_imap_session_is_connected (session));

  received = fake_server_stop (fake);
}

static void
test_idle_done_unanswered (void)
{
  FakeServer *fake = fake_server_start (FAKE_IDLE_SILENT);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_NONE);
  BuzonConnection *connection = buzon_imap_session_get_connection (session);
  g_autoptr(GAsyncResult) idle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  gint64 done_time;

  g_assert_true (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_no_error (error);
  buzon_connection_set_io_timeout (connection, 1);
  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &idle);
  g_assert_true (buzon_test_spin_until (idle_accepted, session, 5000));

  /* Quiet for longer than the normal timeout: the IDLE holds. */
  g_assert_false (buzon_test_spin_until (result_arrived, &idle, 2500));
  g_assert_true (buzon_imap_session_is_connected (session));

  /* The server never completes the IDLE: the normal timeout counts from
   * the DONE. */
  done_time = g_get_monotonic_time ();
  buzon_imap_session_idle_done (session);
  g_assert_cmpuint (buzon_connection_get_io_timeout (connection), ==, 1);
  buzon_test_wait_for (&idle);
  g_test_message ("DONE unanswered for %.1f s",
                  (double) (g_get_monotonic_time () - done_time) / G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - done_time, <, 5 * G_USEC_PER_SEC);
  g_assert_false (buzon_imap_session_idle_finish (session, idle, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "stopped answering"));
  g_assert_false (buzon_imap_session_is_connected (session));

  received = fake_server_stop (fake);
  g_assert_nonnull (strstr (received, "IDLE\nDONE\n"));
}

/* STATUS */

static void
test_status (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  g_autoptr(BuzonImapMailboxStatus) inbox = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) inbox_result = NULL;
  g_autoptr(GAsyncResult) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *box;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Estado ñ",
                                                   &error));
  g_assert_no_error (error);
  append ("Estado ñ", "Uno", "status-1@example.test", "\\Seen");
  append ("Estado ñ", "Dos", "status-2@example.test", NULL);
  append ("Estado ñ", "Tres", "status-3@example.test", NULL);
  append ("INBOX", "Para el buzón", "status-inbox@example.test", NULL);

  state = buzon_test_servers_get_state (servers, "ana@example.test", NULL, FALSE, &error);
  g_assert_no_error (error);
  box = buzon_test_state_get_mailbox (state, "Estado ñ");

  session = login ("ana@example.test");
  g_assert_true (buzon_imap_session_has_condstore (session));
  /* Pipelined: each STATUS takes the response that names its mailbox. */
  buzon_imap_session_status_async (session, "Estado ñ", NULL, buzon_test_result_cb, &result);
  buzon_imap_session_status_async (session, "inbox", NULL, buzon_test_result_cb, &inbox_result);
  buzon_imap_session_status_async (session, "No existe ñ", NULL, buzon_test_result_cb, &missing);
  buzon_test_wait_for (&result);
  buzon_test_wait_for (&inbox_result);
  buzon_test_wait_for (&missing);

  status = buzon_imap_session_status_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status);
  g_assert_cmpuint (status->items & (BUZON_IMAP_STATUS_MESSAGES | BUZON_IMAP_STATUS_UIDNEXT
                                     | BUZON_IMAP_STATUS_UIDVALIDITY | BUZON_IMAP_STATUS_UNSEEN
                                     | BUZON_IMAP_STATUS_HIGHESTMODSEQ),
                    ==, BUZON_IMAP_STATUS_MESSAGES | BUZON_IMAP_STATUS_UIDNEXT
                        | BUZON_IMAP_STATUS_UIDVALIDITY | BUZON_IMAP_STATUS_UNSEEN
                        | BUZON_IMAP_STATUS_HIGHESTMODSEQ);
  g_assert_cmpuint (status->messages, ==, 3);
  g_assert_cmpuint (status->messages, ==, json_object_get_int_member (box, "exists"));
  g_assert_cmpuint (status->unseen, ==, 2);
  g_assert_cmpuint (status->unseen, ==, json_object_get_int_member (box, "unseen"));
  g_assert_cmpuint (status->uidnext, ==, json_object_get_int_member (box, "uidnext"));
  g_assert_cmpuint (status->uidvalidity, ==, json_object_get_int_member (box, "uidvalidity"));
  g_assert_cmpuint (status->highestmodseq, ==,
                    json_object_get_int_member (box, "highestmodseq"));

  inbox = buzon_imap_session_status_finish (session, inbox_result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (inbox->name, ==, "INBOX");
  g_assert_cmpuint (inbox->messages, ==,
                    json_object_get_int_member (buzon_test_state_get_mailbox (state, "INBOX"),
                                                "exists"));

  g_assert_null (buzon_imap_session_status_finish (session, missing, &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED);

  logout (session);
}

/* UID FETCH of flags */

static GPtrArray *
fetch_flags_sync (BuzonImapSession  *session,
                  guint64            changedsince,
                  GArray           **vanished)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *fetches;

  buzon_imap_session_uid_fetch_flags_async (session, 1, BUZON_IMAP_UID_STAR, changedsince, NULL,
                                            buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  fetches = buzon_imap_session_uid_fetch_flags_finish (session, result, vanished, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fetches);
  g_assert_true (vanished == NULL || *vanished != NULL);
  return fetches;
}

static gboolean
fetch_has_flag (const BuzonImapFetch *fetch,
                const char           *flag)
{
  return fetch->flags != NULL && g_strv_contains ((const char * const *) fetch->flags, flag);
}

static void
test_fetch_flags (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSession) fresh = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(BuzonImapSelectInfo) fresh_info = NULL;
  g_autoptr(GPtrArray) fetches = NULL;
  g_autoptr(GArray) vanished = NULL;
  g_autoptr(GError) error = NULL;
  const BuzonImapFetch *fetch;
  guint64 modseq;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Banderas",
                                                   &error));
  g_assert_no_error (error);
  append ("Banderas", "Uno", "flags-1@example.test", NULL);
  append ("Banderas", "Dos", "flags-2@example.test", "\\Seen");
  append ("Banderas", "Tres", "flags-3@example.test", NULL);

  session = login ("ana@example.test");
  g_assert_true (buzon_imap_session_has_condstore (session));
  g_assert_true (buzon_imap_session_has_qresync (session));
  info = select_sync (session, "Banderas");
  modseq = info->highestmodseq;
  g_assert_cmpuint (modseq, >, 0);

  /* Everything. */
  fetches = fetch_flags_sync (session, 0, &vanished);
  g_assert_cmpuint (fetches->len, ==, 3);
  g_assert_cmpuint (vanished->len, ==, 0);
  for (guint i = 0; i < 3; i++)
    {
      fetch = g_ptr_array_index (fetches, i);
      g_assert_cmpuint (fetch->uid, ==, i + 1);
      g_assert_true (fetch->items & BUZON_IMAP_FETCH_FLAGS);
      g_assert_true (fetch->items & BUZON_IMAP_FETCH_MODSEQ);
      g_assert_cmpuint (fetch->modseq, <=, modseq);
      g_assert_true (fetch_has_flag (fetch, "\\Seen") == (i == 1));
    }
  g_clear_pointer (&fetches, g_ptr_array_unref);
  g_clear_pointer (&vanished, g_array_unref);

  /* Changed elsewhere: only that one. */
  g_assert_true (buzon_test_servers_set_flags (servers, "ana@example.test", "Banderas", "2",
                                               "\\Flagged", BUZON_TEST_FLAGS_ADD, &error));
  g_assert_no_error (error);
  fetches = fetch_flags_sync (session, modseq, &vanished);
  g_assert_cmpuint (fetches->len, ==, 1);
  fetch = g_ptr_array_index (fetches, 0);
  g_assert_cmpuint (fetch->uid, ==, 2);
  g_assert_true (fetch_has_flag (fetch, "\\Flagged"));
  g_assert_true (fetch_has_flag (fetch, "\\Seen"));
  g_assert_cmpuint (fetch->modseq, >, modseq);
  g_assert_cmpuint (vanished->len, ==, 0);
  g_clear_pointer (&fetches, g_ptr_array_unref);
  g_clear_pointer (&vanished, g_array_unref);

  /* Expunged elsewhere: VANISHED (EARLIER), also once this session has
   * heard of the expunge. */
  g_assert_true (buzon_test_servers_expunge (servers, "ana@example.test", "Banderas", "3",
                                             &error));
  g_assert_no_error (error);
  noop_sync (session);
  fetches = fetch_flags_sync (session, modseq, &vanished);
  g_assert_cmpuint (fetches->len, ==, 1);
  g_assert_cmpuint (((BuzonImapFetch *) g_ptr_array_index (fetches, 0))->uid, ==, 2);
  g_assert_cmpuint (vanished->len, ==, 1);
  g_assert_cmpuint (g_array_index (vanished, guint32, 0), ==, 3);
  g_clear_pointer (&fetches, g_ptr_array_unref);
  g_clear_pointer (&vanished, g_array_unref);

  /* And to a session that never saw message 3 go. */
  fresh = login ("ana@example.test");
  fresh_info = select_sync (fresh, "Banderas");
  fetches = fetch_flags_sync (fresh, modseq, &vanished);
  g_assert_cmpuint (fetches->len, ==, 1);
  g_assert_cmpuint (vanished->len, ==, 1);
  g_assert_cmpuint (g_array_index (vanished, guint32, 0), ==, 3);
  g_clear_pointer (&fetches, g_ptr_array_unref);

  /* out_vanished is optional. */
  fetches = fetch_flags_sync (fresh, 0, NULL);
  g_assert_cmpuint (fetches->len, ==, 2);

  logout (fresh);
  logout (session);
}

/* 100 000 responses to one UID FETCH, from a scripted server. */
static void
test_fetch_flags_many (void)
{
  FakeServer *fake = fake_server_start (FAKE_MANY_FETCHES);
  g_autoptr(BuzonImapSession) session = session_new ("127.0.0.1", fake->port,
                                                     BUZON_SECURITY_NONE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) fetches = NULL;
  g_autoptr(GArray) vanished = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  gint64 start;

  g_assert_true (connect_sync (session, "ana@example.test", "ana-secret", &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  buzon_imap_session_uid_fetch_flags_async (session, 1, BUZON_IMAP_UID_STAR, 0, NULL,
                                            buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  fetches = buzon_imap_session_uid_fetch_flags_finish (session, result, &vanished, &error);
  g_test_message ("%u FETCH responses in %.2f s", FAKE_N_FETCHES,
                  (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  g_assert_no_error (error);
  g_assert_cmpuint (fetches->len, ==, FAKE_N_FETCHES);
  for (guint i = 0; i < fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);

      g_assert_cmpuint (fetch->uid, ==, (i + 1) * 2);
      g_assert_true (fetch->system_flags & BUZON_IMAP_FLAG_SEEN);
    }
  g_assert_cmpuint (vanished->len, ==, 0);
  logout (session);

  received = fake_server_stop (fake);
  g_assert_nonnull (strstr (received, "UID FETCH 1:* (UID FLAGS)\n"));
}

/* SELECT with QRESYNC */

static BuzonImapSelectInfo *
select_qresync_sync (BuzonImapSession  *session,
                     const char        *mailbox,
                     gboolean           read_only,
                     guint32            uidvalidity,
                     guint64            modseq,
                     const char        *known_uids,
                     GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_imap_session_select_qresync_async (session, mailbox, read_only, uidvalidity, modseq,
                                           known_uids, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  return buzon_imap_session_select_finish (session, result, error);
}

static void
test_select_qresync (void)
{
  g_autoptr(BuzonImapSession) before = NULL;
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) old = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const BuzonImapFetch *changed;
  guint32 uidvalidity;
  guint64 modseq;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Resync",
                                                   &error));
  g_assert_no_error (error);
  for (guint i = 1; i <= 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("resync-%u@example.test", i);

      append ("Resync", "Resync", id, NULL);
    }

  /* What a client knew when it last saw the mailbox. */
  before = login ("ana@example.test");
  g_assert_null (buzon_imap_session_get_selected (before));
  old = select_sync (before, "Resync");
  g_assert_null (old->vanished);
  g_assert_null (old->changed);
  g_assert_cmpstr (buzon_imap_session_get_selected (before), ==, "Resync");
  uidvalidity = old->uidvalidity;
  modseq = old->highestmodseq;
  logout (before);
  g_assert_null (buzon_imap_session_get_selected (before));

  g_assert_true (buzon_test_servers_set_flags (servers, "ana@example.test", "Resync", "2",
                                               "\\Seen", BUZON_TEST_FLAGS_ADD, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_expunge (servers, "ana@example.test", "Resync", "3",
                                             &error));
  g_assert_no_error (error);

  session = login ("ana@example.test");
  g_assert_true (buzon_imap_session_has_qresync (session));
  info = select_qresync_sync (session, "Resync", FALSE, uidvalidity, modseq, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->exists, ==, 3);
  g_assert_cmpuint (info->uidvalidity, ==, uidvalidity);
  g_assert_cmpuint (info->highestmodseq, >, modseq);
  g_assert_nonnull (info->vanished);
  g_assert_cmpuint (info->vanished->len, ==, 1);
  g_assert_cmpuint (g_array_index (info->vanished, guint32, 0), ==, 3);
  g_assert_nonnull (info->changed);
  g_assert_cmpuint (info->changed->len, ==, 1);
  changed = g_ptr_array_index (info->changed, 0);
  g_assert_cmpuint (changed->uid, ==, 2);
  g_assert_true (fetch_has_flag (changed, "\\Seen"));
  g_assert_cmpuint (changed->modseq, >, modseq);
  g_assert_cmpstr (buzon_imap_session_get_selected (session), ==, "Resync");
  g_assert_cmpuint (buzon_imap_session_get_selected_uidvalidity (session), ==, uidvalidity);
  g_clear_pointer (&info, buzon_imap_select_info_free);

  /* Again with known UIDs, read-only, while selected: what the server says
   * about the mailbox closed ([CLOSED]) does not count. */
  info = select_qresync_sync (session, "Resync", TRUE, uidvalidity, modseq, "1:4", &error);
  g_assert_no_error (error);
  g_assert_true (info->read_only);
  g_assert_cmpuint (info->exists, ==, 3);
  g_assert_cmpuint (info->vanished->len, ==, 1);
  g_assert_cmpuint (g_array_index (info->vanished, guint32, 0), ==, 3);
  g_assert_cmpuint (info->changed->len, ==, 1);
  g_clear_pointer (&info, buzon_imap_select_info_free);

  /* Another UIDVALIDITY: the server ignores what the client knew. */
  info = select_qresync_sync (session, "Resync", FALSE, uidvalidity + 1, modseq, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->uidvalidity, ==, uidvalidity);
  g_assert_cmpuint (info->vanished->len, ==, 0);
  g_assert_cmpuint (info->changed->len, ==, 0);
  g_clear_pointer (&info, buzon_imap_select_info_free);

  /* Nothing known yet: a plain SELECT. */
  info = select_qresync_sync (session, "Resync", FALSE, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (info->vanished);
  g_assert_null (info->changed);
  g_clear_pointer (&info, buzon_imap_select_info_free);

  /* A UID set with `*` is not a set of known UIDs. */
  g_assert_null (select_qresync_sync (session, "Resync", FALSE, uidvalidity, modseq, "1:*",
                                      &error));
  g_assert_error (error, BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpstr (buzon_imap_session_get_selected (session), ==, "Resync");

  /* A failed SELECT leaves none selected. */
  g_assert_null (select_qresync_sync (session, "No existe ñ", FALSE, uidvalidity, modseq, NULL,
                                      &error));
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED);
  g_assert_null (buzon_imap_session_get_selected (session));
  g_assert_cmpuint (buzon_imap_session_get_selected_uidvalidity (session), ==, 0);

  logout (session);
}

/* UID FETCH of whole messages */

static void
test_fetch_bodies (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) fetches = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GBytes) big_bytes = NULL;
  g_autoptr(GBytes) none = NULL;
  const guint32 uids[] = { 3, 1, 2, 99 };
  JsonArray *messages;
  gboolean spooled = FALSE;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Cuerpos",
                                                   &error));
  g_assert_no_error (error);
  append ("Cuerpos", "Uno", "body-1@example.test", "\\Seen");
  append ("Cuerpos", "=?UTF-8?Q?Ni=C3=B1o?=", "body-2@example.test", NULL);

  /* Larger than the parser keeps in memory: spooled to a file. */
  g_string_append (big, "From: Ana <ana@example.test>\r\n"
                        "Subject: Grande\r\n"
                        "Message-ID: <body-big@example.test>\r\n"
                        "\r\n");
  for (guint i = 0; big->len < 1536 * 1024; i++)
    g_string_append_printf (big, "%06u Línea de un mensaje grande, con ñ y acentos: áéíóú.\r\n", i);
  big_bytes = g_bytes_new (big->str, big->len);
  g_assert_true (buzon_test_servers_append (servers, "ana@example.test", "Cuerpos", big_bytes,
                                            NULL, &error));
  g_assert_no_error (error);

  state = buzon_test_servers_get_state (servers, "ana@example.test", "Cuerpos", TRUE, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (buzon_test_state_get_mailbox (state, "Cuerpos"),
                                           "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);

  session = login ("ana@example.test");
  info = select_sync (session, "Cuerpos");
  buzon_imap_session_uid_fetch_bodies_async (session, uids, G_N_ELEMENTS (uids), NULL,
                                             buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  fetches = buzon_imap_session_uid_fetch_bodies_finish (session, result, &error);
  g_assert_no_error (error);
  /* UID 99 does not exist: it is missing. */
  g_assert_cmpuint (fetches->len, ==, 3);

  for (guint i = 0; i < fetches->len; i++)
    {
      const BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);
      JsonObject *message = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *sha256 = NULL;

      for (guint j = 0; j < json_array_get_length (messages); j++)
        if (json_object_get_int_member (json_array_get_object_element (messages, j), "uid")
            == fetch->uid)
          message = json_array_get_object_element (messages, j);
      g_assert_nonnull (message);

      g_assert_true (fetch->items & BUZON_IMAP_FETCH_FLAGS);
      g_assert_true (fetch_has_flag (fetch, "\\Seen") == (fetch->uid == 1));
      body = buzon_imap_fetch_dup_body_bytes (fetch, "", &error);
      g_assert_no_error (error);
      g_assert_nonnull (body);
      g_assert_cmpuint (g_bytes_get_size (body), ==, json_object_get_int_member (message, "size"));
      sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
      g_assert_cmpstr (sha256, ==, json_object_get_string_member (message, "sha256"));
      if (fetch->uid == 3)
        {
          g_assert_true (g_bytes_equal (body, big_bytes));
          spooled = buzon_imap_value_is_spooled (buzon_imap_fetch_get_body (fetch, "")->data);
        }
    }
  g_assert_true (spooled);

  /* A section the response does not have. */
  none = buzon_imap_fetch_dup_body_bytes (g_ptr_array_index (fetches, 0), "TEXT", &error);
  g_assert_null (none);
  g_assert_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED);
  g_clear_error (&error);

  /* BODY.PEEK: nothing became \Seen. */
  g_clear_pointer (&state, json_node_unref);
  state = buzon_test_servers_get_state (servers, "ana@example.test", "Cuerpos", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (buzon_test_state_get_mailbox (state, "Cuerpos"),
                                               "unseen"), ==, 2);

  logout (session);
}

/* EXPUNGE and UID EXPUNGE */

static void
vanished_cb (BuzonImapSession *session,
             GArray           *uids,
             gboolean          earlier,
             gpointer          user_data)
{
  guint *count = user_data;

  *count += (guint) buzon_imap_uid_set_count (uids);
}

static void
expunge_cb (BuzonImapSession *session,
            guint             seq,
            gpointer          user_data)
{
  guint *count = user_data;

  (*count)++;
}

static GArray *
state_uids (const char *mailbox)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonArray *messages;
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (guint32));

  state = buzon_test_servers_get_state (servers, "ana@example.test", mailbox, FALSE, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (buzon_test_state_get_mailbox (state, mailbox),
                                           "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      guint32 uid = (guint32) json_object_get_int_member (json_array_get_object_element (messages,
                                                                                         i),
                                                          "uid");

      g_array_append_val (uids, uid);
    }

  return uids;
}

static void
test_uid_expunge (void)
{
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) left = NULL;
  const guint32 uids[] = { 3, 1 };
  guint gone = 0;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Borrar",
                                                   &error));
  g_assert_no_error (error);
  append ("Borrar", "Uno", "expunge-1@example.test", "\\Deleted");
  append ("Borrar", "Dos", "expunge-2@example.test", "\\Deleted");
  append ("Borrar", "Tres", "expunge-3@example.test", "\\Deleted");
  append ("Borrar", "Cuatro", "expunge-4@example.test", NULL);

  session = login ("ana@example.test");
  g_signal_connect (session, "vanished", G_CALLBACK (vanished_cb), &gone);
  g_signal_connect (session, "expunge", G_CALLBACK (expunge_cb), &gone);
  info = select_sync (session, "Borrar");

  /* Only those two, though 2 is \Deleted as well. */
  buzon_imap_session_uid_expunge_async (session, uids, G_N_ELEMENTS (uids), NULL,
                                        buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_uid_expunge_finish (session, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (gone, ==, 2);
  left = state_uids ("Borrar");
  g_assert_cmpuint (left->len, ==, 2);
  g_assert_cmpuint (g_array_index (left, guint32, 0), ==, 2);
  g_assert_cmpuint (g_array_index (left, guint32, 1), ==, 4);
  g_clear_pointer (&left, g_array_unref);

  /* A plain EXPUNGE takes every \Deleted message. */
  buzon_imap_session_expunge_async (session, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_session_expunge_finish (session, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (gone, ==, 3);
  left = state_uids ("Borrar");
  g_assert_cmpuint (left->len, ==, 1);
  g_assert_cmpuint (g_array_index (left, guint32, 0), ==, 4);

  logout (session);
}

/* UID SEARCH HEADER */

static GArray *
search_header_sync (BuzonImapSession *session,
                    const char       *field,
                    const char       *value)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GArray *uids;

  buzon_imap_session_uid_search_header_async (session, field, value, NULL, buzon_test_result_cb,
                                              &result);
  buzon_test_wait_for (&result);
  uids = buzon_imap_session_uid_search_header_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uids);
  return uids;
}

static void
assert_uids (GArray        *uids,
             const guint32 *expected,
             guint          n_expected)
{
  g_assert_cmpuint (uids->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpuint (g_array_index (uids, guint32, i), ==, expected[i]);
}

static void
test_uid_search_header (void)
{
  const char *labelled = "From: Ana <ana@example.test>\r\n"
                         "Subject: Etiquetado\r\n"
                         "Message-ID: <header-3@example.test>\r\n"
                         "X-Etiqueta: ñandú feliz\r\n"
                         "\r\n"
                         "Hola.\r\n";
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static (labelled, strlen (labelled));
  g_autoptr(GError) error = NULL;
  GArray *uids;

  if (get_servers () == NULL)
    return;

  g_assert_true (buzon_test_servers_create_folder (servers, "ana@example.test", "Cabeceras",
                                                   &error));
  g_assert_no_error (error);
  append ("Cabeceras", "Uno", "header-1@example.test", NULL);
  append ("Cabeceras", "=?UTF-8?Q?Caf=C3=A9_ma=C3=B1ana?=", "header-2@example.test", NULL);
  g_assert_true (buzon_test_servers_append (servers, "ana@example.test", "Cabeceras", message,
                                            NULL, &error));
  g_assert_no_error (error);

  session = login ("ana@example.test");
  info = select_sync (session, "Cabeceras");

  uids = search_header_sync (session, "Message-ID", "<header-2@example.test>");
  assert_uids (uids, (const guint32[]) { 2 }, 1);
  g_array_unref (uids);

  /* Ascending, however the server orders them. */
  uids = search_header_sync (session, "Message-ID", "header-");
  assert_uids (uids, (const guint32[]) { 1, 2, 3 }, 3);
  g_array_unref (uids);

  /* Non-ASCII values: CHARSET UTF-8; the server decodes RFC 2047. */
  uids = search_header_sync (session, "Subject", "mañana");
  assert_uids (uids, (const guint32[]) { 2 }, 1);
  g_array_unref (uids);
  uids = search_header_sync (session, "X-Etiqueta", "ñandú");
  assert_uids (uids, (const guint32[]) { 3 }, 1);
  g_array_unref (uids);

  uids = search_header_sync (session, "Message-ID", "<nadie@example.test>");
  g_assert_cmpuint (uids->len, ==, 0);
  g_array_unref (uids);

  logout (session);
}

/* The minimal profile: no IDLE, UIDPLUS, CONDSTORE, QRESYNC nor LITERAL+. */
static void
test_minimal_extensions (void)
{
  g_autoptr(BuzonTestServers) minimal = NULL;
  g_autoptr(BuzonImapSession) session = NULL;
  g_autoptr(BuzonImapSelectInfo) info = NULL;
  g_autoptr(BuzonImapMailboxStatus) status = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) fetches = NULL;
  g_autoptr(GArray) vanished = NULL;
  g_autoptr(GArray) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  const char *text = "From: Ana <ana@example.test>\r\n"
                     "Subject: =?UTF-8?Q?Ni=C3=B1o?=\r\n"
                     "Message-ID: <minimal@example.test>\r\n"
                     "\r\n"
                     "Hola.\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  const guint32 uid = 1;

  minimal = buzon_test_servers_start_or_skip ("minimal", NULL);
  if (minimal == NULL)
    return;

  g_assert_true (buzon_test_servers_append (minimal, "bruno@example.test", "INBOX", message,
                                            "\\Deleted", &error));
  g_assert_no_error (error);

  session = login_on (minimal, "bruno@example.test");
  g_assert_false (buzon_imap_session_has_condstore (session));
  g_assert_false (buzon_imap_session_has_qresync (session));

  buzon_imap_session_idle_async (session, NULL, buzon_test_result_cb, &result);
  g_assert_false (buzon_imap_session_is_idling (session));
  buzon_test_wait_for (&result);
  g_assert_false (buzon_imap_session_idle_finish (session, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_clear_object (&result);

  /* Without QRESYNC: a plain SELECT. */
  info = select_qresync_sync (session, "INBOX", FALSE, 1, 1, "1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info->exists, ==, 1);
  g_assert_null (info->vanished);
  g_assert_null (info->changed);
  g_assert_cmpstr (buzon_imap_session_get_selected (session), ==, "INBOX");

  /* Without CONDSTORE, CHANGEDSINCE is not sent: every message. */
  fetches = fetch_flags_sync (session, 12345, &vanished);
  g_assert_cmpuint (fetches->len, ==, 1);
  g_assert_false (((BuzonImapFetch *) g_ptr_array_index (fetches, 0))->items
                  & BUZON_IMAP_FETCH_MODSEQ);
  g_assert_cmpuint (vanished->len, ==, 0);

  buzon_imap_session_status_async (session, "Sent", NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  status = buzon_imap_session_status_finish (session, result, &error);
  g_assert_no_error (error);
  g_assert_false (status->items & BUZON_IMAP_STATUS_HIGHESTMODSEQ);
  g_assert_true (status->items & BUZON_IMAP_STATUS_UIDNEXT);
  g_clear_object (&result);

  /* A non-ASCII value goes as a synchronising literal. */
  found = search_header_sync (session, "Subject", "Niño");
  assert_uids (found, (const guint32[]) { 1 }, 1);

  /* No UID EXPUNGE without UIDPLUS: nothing is sent. */
  buzon_imap_session_uid_expunge_async (session, &uid, 1, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_false (buzon_imap_session_uid_expunge_finish (session, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);
  noop_sync (session);
  state = buzon_test_servers_get_state (minimal, "bruno@example.test", "INBOX", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      buzon_test_state_get_mailbox (state, "INBOX"), "messages")), ==, 1);

  logout (session);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/imap/session/login/imaps", test_login_imaps);
  g_test_add_func ("/buzon/imap/session/login/utf8", test_login_utf8);
  g_test_add_func ("/buzon/imap/session/login/wrong-password", test_login_wrong_password);
  g_test_add_func ("/buzon/imap/session/login/starttls", test_login_starttls);
  g_test_add_func ("/buzon/imap/session/login/login-disabled", test_login_disabled);
  g_test_add_func ("/buzon/imap/session/login/starttls-missing", test_starttls_missing);
  g_test_add_func ("/buzon/imap/session/list", test_list);
  g_test_add_func ("/buzon/imap/session/mailbox-management", test_mailbox_management);
  g_test_add_func ("/buzon/imap/session/uid-search", test_uid_search);
  g_test_add_func ("/buzon/imap/session/append", test_append);
  g_test_add_func ("/buzon/imap/session/uid-copy", test_uid_copy);
  g_test_add_func ("/buzon/imap/session/uid-move", test_uid_move);
  g_test_add_func ("/buzon/imap/session/uid-move-fallback", test_uid_move_fallback);
  g_test_add_func ("/buzon/imap/session/getquotaroot", test_getquotaroot);
  g_test_add_func ("/buzon/imap/session/select-and-fetch", test_select_and_fetch);
  g_test_add_func ("/buzon/imap/session/pipelining", test_pipelining);
  g_test_add_func ("/buzon/imap/session/uid-store", test_uid_store);
  g_test_add_func ("/buzon/imap/session/unsolicited-exists", test_unsolicited_exists);
  g_test_add_func ("/buzon/imap/session/idle", test_idle);
  g_test_add_func ("/buzon/imap/session/idle/auto-done", test_idle_auto_done);
  g_test_add_func ("/buzon/imap/session/idle/fake", test_idle_fake);
  g_test_add_func ("/buzon/imap/session/idle/bye", test_idle_bye);
  g_test_add_func ("/buzon/imap/session/idle/done-unanswered", test_idle_done_unanswered);
  g_test_add_func ("/buzon/imap/session/status", test_status);
  g_test_add_func ("/buzon/imap/session/uid-fetch-flags", test_fetch_flags);
  g_test_add_func ("/buzon/imap/session/uid-fetch-flags/many", test_fetch_flags_many);
  g_test_add_func ("/buzon/imap/session/select-qresync", test_select_qresync);
  g_test_add_func ("/buzon/imap/session/uid-fetch-bodies", test_fetch_bodies);
  g_test_add_func ("/buzon/imap/session/uid-expunge", test_uid_expunge);
  g_test_add_func ("/buzon/imap/session/uid-search-header", test_uid_search_header);
  g_test_add_func ("/buzon/imap/session/minimal-extensions", test_minimal_extensions);
  g_test_add_func ("/buzon/imap/session/bye", test_bye);
  g_test_add_func ("/buzon/imap/session/drop", test_drop);
  {
    static const LoginCase auth_login = {
      FAKE_AUTH_LOGIN, "A0001 AUTHENTICATE LOGIN\nñandú@example.test\ncontraseña-ñandú\n",
    };
    static const LoginCase auth_plain = {
      FAKE_AUTH_PLAIN_NO_IR, "A0001 AUTHENTICATE PLAIN\n|ñandú@example.test|contraseña-ñandú\n",
    };
    static const LoginCase login_literal = {
      FAKE_LOGIN_LITERAL, "[continuation]\nA0002 LOGIN",
    };

    g_test_add_data_func ("/buzon/imap/session/login/authenticate-login", &auth_login,
                          test_fake_login);
    g_test_add_data_func ("/buzon/imap/session/login/authenticate-plain-no-ir", &auth_plain,
                          test_fake_login);
    g_test_add_data_func ("/buzon/imap/session/login/login-literal", &login_literal,
                          test_fake_login);
  }

  status = g_test_run ();

  g_clear_pointer (&servers, buzon_test_servers_stop);
  buzon_test_let_pool_threads_exit ();

  return status;
}
