/* buzon-pop3-session.h
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A POP3 client session (RFC 1939, CAPA and response codes of RFC 2449,
 * STLS of RFC 2595, AUTH of RFC 5034) over a #BuzonConnection.
 *
 * Commands are asynchronous and may be issued back to back: with PIPELINING
 * they go out at once, one write for all that are waiting; without it each
 * waits for the reply before it. Replies come back in order.
 *
 * Deletions: DELE only marks a message; the server removes the marked ones
 * when QUIT succeeds (the UPDATE state). A session that ends any other way
 * deletes nothing. */

#pragma once

#include <gio/gio.h>

#include "buzon-connection.h"
#include "buzon-pop3-parser.h"

G_BEGIN_DECLS

/**
 * BUZON_POP3_SESSION_ERROR:
 *
 * The error domain of #BuzonPop3Session. Its messages are sentences for the
 * user.
 */
#define BUZON_POP3_SESSION_ERROR (buzon_pop3_session_error_quark ())

/**
 * BuzonPop3SessionError:
 * @BUZON_POP3_SESSION_ERROR_FAILED: the server answered -ERR; the message
 *   includes its text
 * @BUZON_POP3_SESSION_ERROR_AUTH: the server did not accept the user name or
 *   password
 * @BUZON_POP3_SESSION_ERROR_STLS_UNAVAILABLE: the account asks for STLS and
 *   the server does not offer it or refused it; no password was sent
 * @BUZON_POP3_SESSION_ERROR_PLAINTEXT_REFUSED: the server accepts passwords
 *   only on encrypted connections
 * @BUZON_POP3_SESSION_ERROR_NO_MECHANISM: no way to log in that both sides
 *   know
 * @BUZON_POP3_SESSION_ERROR_IN_USE: another program is using the mailbox
 *   (RFC 2449 IN-USE); try again later
 * @BUZON_POP3_SESSION_ERROR_TEMPORARY: the server has a temporary problem
 *   (RFC 3206 SYS/TEMP)
 * @BUZON_POP3_SESSION_ERROR_REFUSED: the server greeted with -ERR
 * @BUZON_POP3_SESSION_ERROR_CLOSED: the connection closed while a command
 *   was pending
 * @BUZON_POP3_SESSION_ERROR_PROTOCOL: the server sent something that is not
 *   POP3
 * @BUZON_POP3_SESSION_ERROR_NOT_CONNECTED: the session is not logged in
 * @BUZON_POP3_SESSION_ERROR_UNSUPPORTED: the server does not have the
 *   command (UIDL, TOP are optional)
 */
typedef enum
{
  BUZON_POP3_SESSION_ERROR_FAILED,
  BUZON_POP3_SESSION_ERROR_AUTH,
  BUZON_POP3_SESSION_ERROR_STLS_UNAVAILABLE,
  BUZON_POP3_SESSION_ERROR_PLAINTEXT_REFUSED,
  BUZON_POP3_SESSION_ERROR_NO_MECHANISM,
  BUZON_POP3_SESSION_ERROR_IN_USE,
  BUZON_POP3_SESSION_ERROR_TEMPORARY,
  BUZON_POP3_SESSION_ERROR_REFUSED,
  BUZON_POP3_SESSION_ERROR_CLOSED,
  BUZON_POP3_SESSION_ERROR_PROTOCOL,
  BUZON_POP3_SESSION_ERROR_NOT_CONNECTED,
  BUZON_POP3_SESSION_ERROR_UNSUPPORTED,
} BuzonPop3SessionError;

GQuark buzon_pop3_session_error_quark (void);

/**
 * BuzonPop3AuthMethod:
 * @BUZON_POP3_AUTH_AUTO: on an encrypted connection AUTH PLAIN where the
 *   server lists it, else USER/PASS, else APOP; on a clear one APOP first,
 *   since it does not send the password
 * @BUZON_POP3_AUTH_USER: USER and PASS
 * @BUZON_POP3_AUTH_APOP: APOP (needs a timestamp in the greeting)
 * @BUZON_POP3_AUTH_PLAIN: AUTH PLAIN (SASL)
 */
typedef enum
{
  BUZON_POP3_AUTH_AUTO,
  BUZON_POP3_AUTH_USER,
  BUZON_POP3_AUTH_APOP,
  BUZON_POP3_AUTH_PLAIN,
} BuzonPop3AuthMethod;

#define BUZON_TYPE_POP3_SESSION (buzon_pop3_session_get_type ())

G_DECLARE_FINAL_TYPE (BuzonPop3Session, buzon_pop3_session, BUZON, POP3_SESSION, GObject)

G_GNUC_WARN_UNUSED_RESULT
BuzonPop3Session   *buzon_pop3_session_new              (BuzonConnection      *connection);
BuzonConnection    *buzon_pop3_session_get_connection   (BuzonPop3Session     *self);
gboolean            buzon_pop3_session_is_connected     (BuzonPop3Session     *self);
void                buzon_pop3_session_set_auth_method  (BuzonPop3Session     *self,
                                                         BuzonPop3AuthMethod   method);
BuzonPop3AuthMethod buzon_pop3_session_get_used_auth_method
                                                        (BuzonPop3Session     *self);
gboolean            buzon_pop3_session_has_capability   (BuzonPop3Session     *self,
                                                         const char           *name);
const char * const *buzon_pop3_session_get_capabilities (BuzonPop3Session     *self);

void                buzon_pop3_session_connect_async    (BuzonPop3Session     *self,
                                                         const char           *username,
                                                         const char           *password,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean            buzon_pop3_session_connect_finish   (BuzonPop3Session     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void                buzon_pop3_session_stat_async       (BuzonPop3Session     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean            buzon_pop3_session_stat_finish      (BuzonPop3Session     *self,
                                                         GAsyncResult         *result,
                                                         guint                *out_count,
                                                         guint64              *out_size,
                                                         GError              **error);

void                buzon_pop3_session_list_async       (BuzonPop3Session     *self,
                                                         gboolean              uidl,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GPtrArray          *buzon_pop3_session_list_finish      (BuzonPop3Session     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void                buzon_pop3_session_retrieve_async   (BuzonPop3Session     *self,
                                                         guint                 number,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
void                buzon_pop3_session_top_async        (BuzonPop3Session     *self,
                                                         guint                 number,
                                                         guint                 lines,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
G_GNUC_WARN_UNUSED_RESULT
GBytes             *buzon_pop3_session_retrieve_finish  (BuzonPop3Session     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void                buzon_pop3_session_delete_async     (BuzonPop3Session     *self,
                                                         guint                 number,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
void                buzon_pop3_session_reset_async      (BuzonPop3Session     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
void                buzon_pop3_session_noop_async       (BuzonPop3Session     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
void                buzon_pop3_session_quit_async       (BuzonPop3Session     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean            buzon_pop3_session_command_finish   (BuzonPop3Session     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

void                buzon_pop3_session_disconnect       (BuzonPop3Session     *self);

G_END_DECLS
