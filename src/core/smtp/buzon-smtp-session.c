/* buzon-smtp-session.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Everything is built on one internal operation, an exchange: write some
 * bytes (one command, a pipelined group of commands, or the message data)
 * and read a given number of replies. The reply parser is fed whatever
 * arrives, so replies to a pipelined group (RFC 2920) come apart by
 * themselves. Connecting and sending are chains of exchanges whose
 * callbacks decide the next step from the replies.
 *
 * Any failure of the connection (or bytes that are not SMTP, or a caller's
 * cancellation halfway through an exchange) disconnects the session:
 * there is no other way back to a known state. A refusal by the server is
 * not a failure of the session: the transaction is reset and the session
 * can send the next message. */

#define G_LOG_DOMAIN "buzon-smtp"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-smtp-session.h"

#include "buzon-net-error.h"
#include "buzon-sasl.h"

#define READ_CHUNK (64 * 1024)

struct _BuzonSmtpSession
{
  GObject              parent_instance;

  BuzonConnection     *connection;
  BuzonSmtpParser     *parser;
  BuzonSmtpExtensions *extensions;
  char                *helo_name;
  const char          *used_mech;   /* static string, or NULL */
  gboolean             connected;   /* logged in, ready for MAIL */
  gboolean             busy;        /* an operation is running */
};

G_DEFINE_FINAL_TYPE (BuzonSmtpSession, buzon_smtp_session, G_TYPE_OBJECT)

/**
 * buzon_smtp_rejection_free:
 * @rejection: (nullable): a rejection
 */
void
buzon_smtp_rejection_free (BuzonSmtpRejection *rejection)
{
  if (rejection == NULL)
    return;

  g_free (rejection->address);
  g_free (rejection->enhanced);
  g_clear_error (&rejection->error);
  g_free (rejection);
}

/**
 * buzon_smtp_send_result_free:
 * @result: (nullable): a result
 */
void
buzon_smtp_send_result_free (BuzonSmtpSendResult *result)
{
  if (result == NULL)
    return;

  g_clear_pointer (&result->accepted, g_ptr_array_unref);
  g_clear_pointer (&result->rejected, g_ptr_array_unref);
  g_free (result->reply);
  g_free (result);
}

static const char *
host (BuzonSmtpSession *self)
{
  return buzon_connection_get_host (self->connection);
}

static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/* Gives up on the connection. */
static void
drop (BuzonSmtpSession *self)
{
  self->connected = FALSE;
  buzon_connection_disconnect (self->connection);
  buzon_smtp_parser_free (self->parser);
  self->parser = buzon_smtp_parser_new ();
}

static void
finalize (GObject *object)
{
  BuzonSmtpSession *self = BUZON_SMTP_SESSION (object);

  if (self->connection != NULL)
    buzon_connection_disconnect (self->connection);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->parser, buzon_smtp_parser_free);
  g_clear_pointer (&self->extensions, buzon_smtp_extensions_free);
  g_free (self->helo_name);

  G_OBJECT_CLASS (buzon_smtp_session_parent_class)->finalize (object);
}

static void
buzon_smtp_session_class_init (BuzonSmtpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = finalize;
}

static void
buzon_smtp_session_init (BuzonSmtpSession *self)
{
  self->parser = buzon_smtp_parser_new ();
  /* RFC 5321 §4.1.4 allows an address literal; a fixed one tells the
   * server nothing about this computer (its name or its local address). */
  self->helo_name = g_strdup ("[127.0.0.1]");
}

/**
 * buzon_smtp_session_new:
 * @connection: a connection to a submission server, not connected yet;
 *   its security (TLS, STARTTLS or none) decides how the session protects
 *   the login
 *
 * Returns: (transfer full): a new session
 */
BuzonSmtpSession *
buzon_smtp_session_new (BuzonConnection *connection)
{
  BuzonSmtpSession *self;

  g_return_val_if_fail (BUZON_IS_CONNECTION (connection), NULL);

  self = g_object_new (BUZON_TYPE_SMTP_SESSION, NULL);
  self->connection = g_object_ref (connection);

  return self;
}

/**
 * buzon_smtp_session_get_connection:
 *
 * Returns: (transfer none): the connection
 */
BuzonConnection *
buzon_smtp_session_get_connection (BuzonSmtpSession *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_SESSION (self), NULL);

  return self->connection;
}

/**
 * buzon_smtp_session_is_connected:
 *
 * Returns: whether the session is connected (and logged in, if it was
 *   given a user name) and can send
 */
gboolean
buzon_smtp_session_is_connected (BuzonSmtpSession *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_SESSION (self), FALSE);

  return self->connected && buzon_connection_is_open (self->connection);
}

/**
 * buzon_smtp_session_get_extensions:
 *
 * Returns: (transfer none) (nullable): what the server's last EHLO offered,
 *   or %NULL before it
 */
const BuzonSmtpExtensions *
buzon_smtp_session_get_extensions (BuzonSmtpSession *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_SESSION (self), NULL);

  return self->extensions;
}

/**
 * buzon_smtp_session_set_helo_name:
 * @name: the name EHLO gives for this client: a domain or an address
 *   literal like "[192.0.2.1]"; the default is "[127.0.0.1]"
 */
void
buzon_smtp_session_set_helo_name (BuzonSmtpSession *self,
                                  const char       *name)
{
  g_return_if_fail (BUZON_IS_SMTP_SESSION (self));
  g_return_if_fail (name != NULL && *name != '\0' && strpbrk (name, " \r\n") == NULL);

  g_free (self->helo_name);
  self->helo_name = g_strdup (name);
}

/**
 * buzon_smtp_session_get_used_auth_mechanism:
 *
 * Returns: (nullable): "PLAIN" or "LOGIN" once logged in with it; %NULL
 *   before, or when no login was asked for
 */
const char *
buzon_smtp_session_get_used_auth_mechanism (BuzonSmtpSession *self)
{
  g_return_val_if_fail (BUZON_IS_SMTP_SESSION (self), NULL);

  return self->used_mech;
}

/* Exchanges */

typedef struct
{
  GBytes    *out;
  guint      want;
  GPtrArray *replies;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  g_clear_pointer (&ex->out, g_bytes_unref);
  g_clear_pointer (&ex->replies, g_ptr_array_unref);
  g_free (ex);
}

static void exchange_collect (GTask *task);

static void
exchange_fail (GTask  *task,
               GError *error)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);

  drop (self);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
exchange_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  BuzonSmtpSession *self = g_task_get_source_object (task);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) parse_error = NULL;
  GError *error = NULL;
  const char *data;
  gsize size;

  bytes = buzon_connection_read_some_finish (BUZON_CONNECTION (object), result, &error);
  if (bytes == NULL)
    {
      exchange_fail (task, error);
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  if (!buzon_smtp_parser_feed (self->parser, data, size, &parse_error))
    {
      exchange_fail (task, g_error_new (BUZON_SMTP_SESSION_ERROR,
                                        BUZON_SMTP_SESSION_ERROR_PROTOCOL,
                                        _("The server “%s” sent something that is not SMTP "
                                          "(%s)."),
                                        host (self), parse_error->message));
      return;
    }

  exchange_collect (task);
}

static void
exchange_collect (GTask *task)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Exchange *ex = g_task_get_task_data (task);
  BuzonSmtpReply *reply;

  while (ex->replies->len < ex->want && (reply = buzon_smtp_parser_pop (self->parser)) != NULL)
    g_ptr_array_add (ex->replies, reply);

  if (ex->replies->len >= ex->want)
    {
      g_task_return_pointer (task, g_steal_pointer (&ex->replies),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  buzon_connection_read_some_async (self->connection, READ_CHUNK, g_task_get_cancellable (task),
                                    exchange_read_cb, task);
}

static void
exchange_write_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!buzon_connection_write_bytes_finish (BUZON_CONNECTION (object), result, &error))
    {
      exchange_fail (task, error);
      return;
    }

  exchange_collect (task);
}

/* Writes @out (nullable) and reads @want replies. */
static void
exchange_async (BuzonSmtpSession    *self,
                GBytes              *out,
                guint                want,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Exchange *ex = g_new0 (Exchange, 1);

  /* Cancellation reaches the connection's reads and writes; what they
   * return decides. */
  g_task_set_check_cancellable (task, FALSE);
  ex->want = want;
  ex->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_smtp_reply_free);
  g_task_set_task_data (task, ex, (GDestroyNotify) exchange_free);

  if (out != NULL)
    {
      ex->out = g_bytes_ref (out);
      buzon_connection_write_bytes_async (self->connection, out, cancellable,
                                          exchange_write_cb, task);
    }
  else
    exchange_collect (task);
}

/* Sends one command line (without CRLF) and reads its reply. */
static void
command_async (BuzonSmtpSession    *self,
               const char          *line,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  gsize length = strlen (line);
  char *wire = g_malloc (length + 3);
  g_autoptr(GBytes) out = NULL;

  memcpy (wire, line, length);
  memcpy (wire + length, "\r\n", 3);
  /* The line may carry a password: its copy is wiped when freed. */
  out = g_bytes_new_with_free_func (wire, length + 2, (GDestroyNotify) wipe_free, wire);
  exchange_async (self, out, 1, cancellable, callback, user_data);
}

static GPtrArray *
exchange_finish (BuzonSmtpSession  *self,
                 GAsyncResult      *result,
                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The single reply of a command's exchange. */
static BuzonSmtpReply *
reply_finish (BuzonSmtpSession  *self,
              GAsyncResult      *result,
              GError           **error)
{
  g_autoptr(GPtrArray) replies = exchange_finish (self, result, error);

  if (replies == NULL)
    return NULL;
  return g_ptr_array_steal_index (replies, 0);
}

/* An error reply ends the session when the server says it is going
 * (421); any other leaves it as it is. */
static GError *
reply_error (BuzonSmtpSession     *self,
             const BuzonSmtpReply *reply,
             BuzonSmtpStage        stage,
             const char           *address)
{
  GError *error = buzon_smtp_reply_to_error (reply, stage, host (self), address);

  if (reply->code == 421)
    drop (self);
  return error;
}

/* Connecting */

typedef enum
{
  STEP_GREETING,
  STEP_EHLO,
  STEP_HELO,
  STEP_STARTTLS,
  STEP_AUTH_PLAIN,
  STEP_AUTH_PLAIN_RESPONSE,
  STEP_AUTH_LOGIN,
  STEP_AUTH_LOGIN_USER,
  STEP_AUTH_LOGIN_PASSWORD,
} Step;

typedef struct
{
  char     *username;
  char     *password;
  Step      step;
  gboolean  tls_started;
} Login;

static void
login_free (Login *login)
{
  g_free (login->username);
  wipe_free (login->password);
  g_free (login);
}

static void login_reply_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
login_send (GTask      *task,
            Step        step,
            const char *line)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);

  login->step = step;
  command_async (self, line, g_task_get_cancellable (task), login_reply_cb, task);
}

static void
login_fail (GTask  *task,
            GError *error)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);

  drop (self);
  self->busy = FALSE;
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
send_ehlo (GTask *task)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);
  g_autofree char *line = g_strconcat ("EHLO ", self->helo_name, NULL);

  login_send (task, STEP_EHLO, line);
}

static void
login_done (GTask *task)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);

  self->connected = TRUE;
  self->busy = FALSE;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* After EHLO (again after STARTTLS): encrypt, log in, or be done. */
static void
after_ehlo (GTask *task)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  BuzonSecurity security = buzon_connection_get_security (self->connection);

  if (security == BUZON_SECURITY_STARTTLS && !login->tls_started)
    {
      if (!self->extensions->starttls)
        {
          login_fail (task, g_error_new (BUZON_SMTP_SESSION_ERROR,
                                         BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE,
                                         _("The server “%s” does not offer STARTTLS, so the "
                                           "connection cannot be encrypted and no password was "
                                           "sent. Choose TLS (usually port 465) in the account "
                                           "settings, or ask your provider."),
                                         host (self)));
          return;
        }
      login_send (task, STEP_STARTTLS, "STARTTLS");
      return;
    }

  if (login->username == NULL || *login->username == '\0')
    {
      login_done (task);
      return;
    }

  /* Never a password on a clear connection where the account asked for
   * encryption (DESIGN.md: no silent downgrade). */
  if (security != BUZON_SECURITY_NONE && !buzon_connection_is_encrypted (self->connection))
    {
      login_fail (task, g_error_new (BUZON_SMTP_SESSION_ERROR,
                                     BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE,
                                     _("The connection to the server “%s” is not encrypted, so "
                                       "no password was sent."),
                                     host (self)));
      return;
    }

  if (buzon_smtp_extensions_has_auth (self->extensions, "PLAIN"))
    {
      g_autoptr(GError) error = NULL;
      char *encoded = buzon_sasl_plain_encode (NULL, login->username, login->password, &error);
      char *line;

      if (encoded == NULL)
        {
          login_fail (task, g_steal_pointer (&error));
          return;
        }
      self->used_mech = "PLAIN";
      /* RFC 4954 §4: the initial response saves a round trip. */
      line = g_strconcat ("AUTH PLAIN ", encoded, NULL);
      wipe_free (encoded);
      login_send (task, STEP_AUTH_PLAIN, line);
      wipe_free (line);
      return;
    }

  if (buzon_smtp_extensions_has_auth (self->extensions, "LOGIN"))
    {
      self->used_mech = "LOGIN";
      login_send (task, STEP_AUTH_LOGIN, "AUTH LOGIN");
      return;
    }

  if (self->extensions->auth[0] == NULL)
    login_fail (task, g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_NO_MECHANISM,
                                   _("The server “%s” does not offer a login, but the account "
                                     "has a user name for it. Check the outgoing server in the "
                                     "account settings."),
                                   host (self)));
  else
    login_fail (task, g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_NO_MECHANISM,
                                   _("The server “%s” does not accept the login methods Buzón "
                                     "knows (PLAIN and LOGIN)."),
                                   host (self)));
}

static void
start_tls_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  GError *error = NULL;

  if (!buzon_connection_start_tls_finish (BUZON_CONNECTION (object), result, &error))
    {
      login_fail (task, error);
      return;
    }

  /* RFC 3207 §4.2: forget what the clear EHLO said and ask again. */
  login->tls_started = TRUE;
  g_clear_pointer (&self->extensions, buzon_smtp_extensions_free);
  send_ehlo (task);
}

static gboolean
is_auth_step (Step step)
{
  return step >= STEP_AUTH_PLAIN;
}

static void
login_reply_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  BuzonSmtpSession *self = BUZON_SMTP_SESSION (object);
  GTask *task = user_data;
  Login *login = g_task_get_task_data (task);
  g_autoptr(BuzonSmtpReply) reply = NULL;
  GError *error = NULL;

  reply = reply_finish (self, result, &error);
  if (reply == NULL)
    {
      login_fail (task, error);
      return;
    }

  if (is_auth_step (login->step) && reply->code == 235)
    {
      login_done (task);
      return;
    }

  switch (login->step)
    {
    case STEP_GREETING:
      if (reply->code != 220)
        {
          login_fail (task, buzon_smtp_reply_to_error (reply, BUZON_SMTP_STAGE_GREETING,
                                                       host (self), NULL));
          return;
        }
      send_ehlo (task);
      return;

    case STEP_EHLO:
    case STEP_HELO:
      if (reply->code == 250)
        {
          g_clear_pointer (&self->extensions, buzon_smtp_extensions_free);
          self->extensions = buzon_smtp_parse_ehlo (reply);
          if (login->step == STEP_HELO)
            {
              /* HELO has no extensions, whatever lines came with it. */
              g_clear_pointer (&self->extensions, buzon_smtp_extensions_free);
              self->extensions = g_new0 (BuzonSmtpExtensions, 1);
              self->extensions->auth = g_new0 (char *, 1);
            }
          after_ehlo (task);
          return;
        }
      /* RFC 5321 §4.1.4: a server without EHLO answers 500 or 502; HELO
       * then, and no extensions. */
      if (login->step == STEP_EHLO && (reply->code == 500 || reply->code == 502))
        {
          g_autofree char *line = g_strconcat ("HELO ", self->helo_name, NULL);

          login_send (task, STEP_HELO, line);
          return;
        }
      login_fail (task, buzon_smtp_reply_to_error (reply, BUZON_SMTP_STAGE_EHLO, host (self),
                                                   NULL));
      return;

    case STEP_STARTTLS:
      if (reply->code != 220)
        {
          g_autofree char *text = buzon_smtp_reply_dup_text (reply);

          login_fail (task, g_error_new (BUZON_SMTP_SESSION_ERROR,
                                         BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE,
                                         _("The server “%s” refused to encrypt the connection "
                                           "(STARTTLS), so no password was sent. Choose TLS "
                                           "(usually port 465) in the account settings. (The "
                                           "server said: %u %s)"),
                                         host (self), reply->code, text));
          return;
        }
      /* RFC 3207 §5: bytes before the handshake would be taken for
       * protected ones (CVE-2011-0411). */
      if (buzon_smtp_parser_get_buffered (self->parser) > 0
          || buzon_smtp_parser_get_ready (self->parser) > 0)
        {
          login_fail (task, g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL,
                                         _("The server “%s” sent data before the encrypted "
                                           "connection was set up, which a server must never "
                                           "do. Someone may be tampering with the connection, "
                                           "so Buzón closed it."),
                                         host (self)));
          return;
        }
      buzon_connection_start_tls_async (self->connection, g_task_get_cancellable (task),
                                        start_tls_cb, task);
      return;

    case STEP_AUTH_PLAIN:
      if (reply->code == 334)
        {
          /* A server that wants no initial response sends "334 " first. */
          char *encoded = buzon_sasl_plain_encode (NULL, login->username, login->password, NULL);

          login_send (task, STEP_AUTH_PLAIN_RESPONSE, encoded != NULL ? encoded : "*");
          wipe_free (encoded);
          return;
        }
      break;

    case STEP_AUTH_LOGIN:
      if (reply->code == 334)
        {
          char *encoded = buzon_sasl_login_encode (login->username);

          login_send (task, STEP_AUTH_LOGIN_USER, encoded);
          g_free (encoded);
          return;
        }
      break;

    case STEP_AUTH_LOGIN_USER:
      if (reply->code == 334)
        {
          char *encoded = buzon_sasl_login_encode (login->password);

          login_send (task, STEP_AUTH_LOGIN_PASSWORD, encoded);
          wipe_free (encoded);
          return;
        }
      break;

    case STEP_AUTH_PLAIN_RESPONSE:
    case STEP_AUTH_LOGIN_PASSWORD:
    default:
      break;
    }

  /* A failed login (or a 334 where the mechanism has no more to say). */
  if (reply->code == 334)
    {
      login_fail (task, g_error_new (BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_PROTOCOL,
                                     _("The server “%s” asked for more than the login method "
                                       "has to say."),
                                     host (self)));
      return;
    }
  login_fail (task, buzon_smtp_reply_to_error (reply, BUZON_SMTP_STAGE_AUTH, host (self),
                                               login->username));
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  GError *error = NULL;

  if (!buzon_connection_connect_finish (BUZON_CONNECTION (object), result, &error))
    {
      login_fail (task, error);
      return;
    }

  /* The greeting is the reply to no command. */
  login->step = STEP_GREETING;
  exchange_async (self, NULL, 1, g_task_get_cancellable (task), login_reply_cb, task);
}

static gboolean
has_line_break (const char *text)
{
  return text != NULL && strpbrk (text, "\r\n") != NULL;
}

/**
 * buzon_smtp_session_connect_async:
 * @username: (nullable): the user name for AUTH; %NULL or "" to send
 *   without logging in
 * @password: (nullable): its password
 * @cancellable: (nullable): a cancellable
 * @callback: called when ready to send, or not
 * @user_data: data for @callback
 *
 * Connects (with implicit TLS if the connection's security is TLS), reads
 * the greeting, says EHLO (HELO if the server has no EHLO), encrypts the
 * connection with STARTTLS when the security is STARTTLS — failing with
 * %BUZON_SMTP_SESSION_ERROR_STARTTLS_UNAVAILABLE, and no password sent, if
 * the server does not offer it — and logs in with AUTH PLAIN, else AUTH
 * LOGIN. Certificates are checked (and pins honoured) by the connection,
 * as for IMAP and POP3.
 */
void
buzon_smtp_session_connect_async (BuzonSmtpSession    *self,
                                  const char          *username,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Login *login;

  g_return_if_fail (BUZON_IS_SMTP_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_smtp_session_connect_async));
  g_task_set_check_cancellable (task, FALSE);

  if (self->busy || self->connected)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The session is busy or already connected."));
      return;
    }
  if (username != NULL && *username != '\0' && password == NULL)
    password = "";
  if (has_line_break (username) || has_line_break (password))
    {
      g_task_return_new_error (task, BUZON_NET_ERROR, BUZON_NET_ERROR_CREDENTIALS, "%s",
                               _("The user name or password contains a line break."));
      return;
    }

  login = g_new0 (Login, 1);
  login->username = g_strdup (username);
  login->password = g_strdup (password);
  g_task_set_task_data (task, login, (GDestroyNotify) login_free);

  self->busy = TRUE;
  self->used_mech = NULL;
  g_clear_pointer (&self->extensions, buzon_smtp_extensions_free);
  buzon_connection_connect_async (self->connection, cancellable, connect_cb,
                                  g_steal_pointer (&task));
}

/**
 * buzon_smtp_session_connect_finish:
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_SMTP_SESSION_ERROR, a
 *   %BUZON_NET_ERROR (connection, TLS, certificate) or
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE when the session can send
 */
gboolean
buzon_smtp_session_connect_finish (BuzonSmtpSession  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sending */

typedef enum
{
  SEND_GROUP,       /* MAIL, RCPT..., DATA, pipelined */
  SEND_MAIL,
  SEND_RCPT,
  SEND_DATA,
  SEND_MESSAGE,
  SEND_DOT,         /* a lone "." after an unwanted 354 */
  SEND_RSET,
} SendStep;

typedef struct
{
  char                *from;
  GStrv                recipients;
  GBytes              *data;
  SendStep             step;
  guint                next_rcpt;     /* without PIPELINING */
  BuzonSmtpSendResult *result;
  GError              *error;         /* to return after RSET */
} Send;

static void
send_free (Send *send)
{
  g_free (send->from);
  g_strfreev (send->recipients);
  g_clear_pointer (&send->data, g_bytes_unref);
  g_clear_pointer (&send->result, buzon_smtp_send_result_free);
  g_clear_error (&send->error);
  g_free (send);
}

static void send_reply_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
send_return_error (GTask  *task,
                   GError *error)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);

  self->busy = FALSE;
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
send_command (GTask      *task,
              SendStep    step,
              const char *line)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);

  send->step = step;
  command_async (self, line, g_task_get_cancellable (task), send_reply_cb, task);
}

/* Ends the transaction with RSET, then fails with @error (taken), unless
 * the session is gone already. */
static void
send_reset_and_fail (GTask  *task,
                     GError *error)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);

  if (!buzon_smtp_session_is_connected (self))
    {
      send_return_error (task, error);
      return;
    }
  g_clear_error (&send->error);
  send->error = error;
  send_command (task, SEND_RSET, "RSET");
}

/* The message's size as RFC 1870 §3 counts it: its octets with CRLF line
 * ends, here with the dot-stuffing (a few octets more: on the safe side)
 * but without the final ".". */
static guint64
message_size (Send *send)
{
  return g_bytes_get_size (send->data) - 3;
}

static char *
mail_command (BuzonSmtpSession *self,
              Send             *send,
              gboolean          eight_bit,
              gboolean          utf8)
{
  GString *line = g_string_new ("MAIL FROM:<");

  g_string_append (line, send->from);
  g_string_append_c (line, '>');
  /* RFC 1870 §6: the size, so a server can refuse before the upload. */
  if (self->extensions->has_size)
    g_string_append_printf (line, " SIZE=%" G_GUINT64_FORMAT, message_size (send));
  if (eight_bit)
    g_string_append (line, " BODY=8BITMIME");
  if (utf8)
    g_string_append (line, " SMTPUTF8");

  return g_string_free (line, FALSE);
}

static char *
rcpt_command (const char *address)
{
  return g_strdup_printf ("RCPT TO:<%s>", address);
}

/* One RCPT reply: accepted, or a rejection for the result. */
static void
note_rcpt_reply (BuzonSmtpSession     *self,
                 Send                 *send,
                 const char           *address,
                 const BuzonSmtpReply *reply)
{
  BuzonSmtpRejection *rejection;

  if (reply->code == 250 || reply->code == 251)
    {
      g_ptr_array_add (send->result->accepted, g_strdup (address));
      return;
    }

  rejection = g_new0 (BuzonSmtpRejection, 1);
  rejection->address = g_strdup (address);
  rejection->code = reply->code;
  rejection->enhanced = buzon_smtp_reply_dup_enhanced (reply);
  rejection->error = buzon_smtp_reply_to_error (reply, BUZON_SMTP_STAGE_RCPT, host (self),
                                                address);
  g_ptr_array_add (send->result->rejected, rejection);
}

/* No recipient was accepted: one rejection's own error, or one that names
 * them all. */
static GError *
all_rejected_error (BuzonSmtpSession *self,
                    Send             *send)
{
  GPtrArray *rejected = send->result->rejected;
  g_autoptr(GString) names = g_string_new (NULL);
  gboolean all_temporary = TRUE;

  if (rejected->len == 1)
    return g_error_copy (((BuzonSmtpRejection *) g_ptr_array_index (rejected, 0))->error);

  for (guint i = 0; i < rejected->len; i++)
    {
      BuzonSmtpRejection *rejection = g_ptr_array_index (rejected, i);

      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, rejection->address);
      all_temporary &= buzon_smtp_error_is_temporary (rejection->error);
    }

  return g_error_new (BUZON_SMTP_SESSION_ERROR,
                      all_temporary ? BUZON_SMTP_SESSION_ERROR_TEMPORARY
                                    : BUZON_SMTP_SESSION_ERROR_RECIPIENTS_REJECTED,
                      _("The server “%s” refused every recipient (%s), so the message was not "
                        "sent."),
                      host (self), names->str);
}

/* MAIL's, every RCPT's and DATA's replies are in: send the message, or end
 * the transaction. @data_reply is NULL when DATA was not sent yet. */
static void
after_envelope (GTask                *task,
                const BuzonSmtpReply *mail_reply,
                const BuzonSmtpReply *data_reply)
{
  BuzonSmtpSession *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  GError *error = NULL;

  if (mail_reply != NULL && mail_reply->code != 250)
    error = reply_error (self, mail_reply, BUZON_SMTP_STAGE_MAIL, send->from);
  else if (send->result->accepted->len == 0)
    error = all_rejected_error (self, send);
  else if (data_reply == NULL)
    {
      send_command (task, SEND_DATA, "DATA");
      return;
    }
  else if (data_reply->code != 354)
    error = reply_error (self, data_reply, BUZON_SMTP_STAGE_DATA, NULL);

  if (error != NULL)
    {
      /* RFC 2920 §3.1: a DATA that got 354 all the same is ended with a
       * lone "." before anything else. */
      if (data_reply != NULL && data_reply->code == 354 && buzon_smtp_session_is_connected (self))
        {
          g_autoptr(GBytes) dot = g_bytes_new_static (".\r\n", 3);

          send->error = error;
          send->step = SEND_DOT;
          exchange_async (self, dot, 1, g_task_get_cancellable (task), send_reply_cb, task);
          return;
        }
      send_reset_and_fail (task, error);
      return;
    }

  send->step = SEND_MESSAGE;
  exchange_async (self, send->data, 1, g_task_get_cancellable (task), send_reply_cb, task);
}

static void
send_next_rcpt (GTask *task)
{
  Send *send = g_task_get_task_data (task);
  g_autofree char *line = rcpt_command (send->recipients[send->next_rcpt]);

  send_command (task, SEND_RCPT, line);
}

static void
send_reply_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  BuzonSmtpSession *self = BUZON_SMTP_SESSION (object);
  GTask *task = user_data;
  Send *send = g_task_get_task_data (task);
  g_autoptr(GPtrArray) replies = NULL;
  GError *error = NULL;
  BuzonSmtpReply *reply;

  replies = exchange_finish (self, result, &error);
  if (replies == NULL)
    {
      /* After a refusal, a failing RSET still returns the refusal. */
      if (send->error != NULL)
        {
          g_clear_error (&error);
          error = g_steal_pointer (&send->error);
        }
      send_return_error (task, error);
      return;
    }
  reply = g_ptr_array_index (replies, 0);

  switch (send->step)
    {
    case SEND_GROUP:
      {
        guint n = g_strv_length (send->recipients);

        for (guint i = 0; i < n; i++)
          note_rcpt_reply (self, send, send->recipients[i], g_ptr_array_index (replies, i + 1));
        after_envelope (task, reply, g_ptr_array_index (replies, n + 1));
        return;
      }

    case SEND_MAIL:
      if (reply->code != 250)
        {
          after_envelope (task, reply, NULL);
          return;
        }
      send->next_rcpt = 0;
      send_next_rcpt (task);
      return;

    case SEND_RCPT:
      note_rcpt_reply (self, send, send->recipients[send->next_rcpt], reply);
      send->next_rcpt++;
      if (send->recipients[send->next_rcpt] != NULL)
        {
          send_next_rcpt (task);
          return;
        }
      after_envelope (task, NULL, NULL);
      return;

    case SEND_DATA:
      after_envelope (task, NULL, reply);
      return;

    case SEND_MESSAGE:
      if (reply->code != 250)
        {
          /* The transaction is over either way (RFC 5321 §4.1.1.4). */
          send_return_error (task, reply_error (self, reply, BUZON_SMTP_STAGE_MESSAGE, NULL));
          return;
        }
      send->result->reply = buzon_smtp_reply_dup_text (reply);
      send->result->size = message_size (send);
      self->busy = FALSE;
      g_task_return_pointer (task, g_steal_pointer (&send->result),
                             (GDestroyNotify) buzon_smtp_send_result_free);
      g_object_unref (task);
      return;

    case SEND_DOT:
      send_reset_and_fail (task, g_steal_pointer (&send->error));
      return;

    case SEND_RSET:
    default:
      if (reply->code != 250)
        drop (self);
      send_return_error (task, g_steal_pointer (&send->error));
      return;
    }
}

/* What an address may not hold in "<…>" of MAIL and RCPT. */
static gboolean
address_is_valid (const char *address,
                  gboolean    may_be_empty)
{
  if (*address == '\0')
    return may_be_empty;
  if (!g_utf8_validate (address, -1, NULL))
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    if ((guchar) *p < 0x21 || *p == 0x7f || *p == '<' || *p == '>')
      return FALSE;
  return TRUE;
}

/**
 * buzon_smtp_session_send_async:
 * @from: the envelope sender (MAIL FROM), usually the account's address;
 *   "" for none
 * @recipients: (array zero-terminated=1): the envelope recipients (To, Cc
 *   and Bcc together), at least one
 * @message: the message (RFC 5322 bytes, ideally with CRLF line ends; bare
 *   LFs are sent as CRLF, lines starting with "." are dot-stuffed)
 * @cancellable: (nullable): a cancellable; cancelling disconnects the
 *   session
 * @callback: called when the server has taken the message, or not
 * @user_data: data for @callback
 *
 * Sends one message on a connected session. Checks come first, before
 * anything is sent: an international address (not ASCII) needs the
 * server's SMTPUTF8, 8-bit content its 8BITMIME (announced as
 * BODY=8BITMIME), and a message larger than the server's SIZE is refused
 * with the limit in the error. Then MAIL, every RCPT and DATA go out in
 * one write when the server offers PIPELINING, else one by one. Recipients
 * the server refuses are collected: the message goes to the others, and
 * the result names the refused ones. Only if every recipient is refused
 * does the send fail.
 */
void
buzon_smtp_session_send_async (BuzonSmtpSession    *self,
                               const char          *from,
                               const char * const  *recipients,
                               GBytes              *message,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean eight_bit = FALSE;
  gboolean utf8 = FALSE;
  Send *send;
  g_autofree char *mail = NULL;

  g_return_if_fail (BUZON_IS_SMTP_SESSION (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_smtp_session_send_async));
  g_task_set_check_cancellable (task, FALSE);

  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The session is busy."));
      return;
    }
  if (!buzon_smtp_session_is_connected (self))
    {
      g_task_return_new_error (task, BUZON_SMTP_SESSION_ERROR,
                               BUZON_SMTP_SESSION_ERROR_NOT_CONNECTED, "%s",
                               _("Not connected to the outgoing server."));
      return;
    }
  if (recipients[0] == NULL)
    {
      g_task_return_new_error (task, BUZON_SMTP_SESSION_ERROR,
                               BUZON_SMTP_SESSION_ERROR_INVALID_ADDRESS, "%s",
                               _("The message has no recipients."));
      return;
    }

  for (gint i = -1; i < 0 || recipients[i] != NULL; i++)
    {
      const char *address = i < 0 ? from : recipients[i];

      if (!address_is_valid (address, i < 0))
        {
          g_task_return_new_error (task, BUZON_SMTP_SESSION_ERROR,
                                   BUZON_SMTP_SESSION_ERROR_INVALID_ADDRESS,
                                   _("“%s” is not an e-mail address Buzón can send to or from."),
                                   address);
          return;
        }
      if (!buzon_smtp_address_is_ascii (address))
        {
          if (!self->extensions->smtputf8)
            {
              g_task_return_new_error (task, BUZON_SMTP_SESSION_ERROR,
                                       BUZON_SMTP_SESSION_ERROR_SMTPUTF8_REQUIRED,
                                       _("The address “%s” has letters outside English, and "
                                         "the server “%s” cannot handle such international "
                                         "addresses (it lacks SMTPUTF8)."),
                                       address, host (self));
              return;
            }
          utf8 = TRUE;
        }
    }

  send = g_new0 (Send, 1);
  send->from = g_strdup (from);
  send->recipients = g_strdupv ((char **) recipients);
  send->data = buzon_smtp_encode_data (message, &eight_bit);
  send->result = g_new0 (BuzonSmtpSendResult, 1);
  send->result->accepted = g_ptr_array_new_with_free_func (g_free);
  send->result->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_smtp_rejection_free);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);

  /* RFC 6531 §3.1 item 8: SMTPUTF8 servers have 8BITMIME too. */
  if (eight_bit && !self->extensions->eightbitmime && !self->extensions->smtputf8)
    {
      g_task_return_new_error (task, BUZON_SMTP_SESSION_ERROR,
                               BUZON_SMTP_SESSION_ERROR_8BIT_UNSUPPORTED,
                               _("The message has 8-bit text, which the server “%s” cannot "
                                 "carry (it lacks 8BITMIME)."),
                               host (self));
      return;
    }

  if (self->extensions->size > 0 && message_size (send) > self->extensions->size)
    {
      g_task_return_error (task, buzon_smtp_too_big_error_new (host (self), message_size (send),
                                                               self->extensions->size));
      return;
    }

  self->busy = TRUE;
  mail = mail_command (self, send, eight_bit, utf8);

  if (self->extensions->pipelining)
    {
      g_autoptr(GString) group = g_string_new (mail);
      g_autoptr(GBytes) out = NULL;
      guint n = g_strv_length (send->recipients);

      g_string_append (group, "\r\n");
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *line = rcpt_command (send->recipients[i]);

          g_string_append (group, line);
          g_string_append (group, "\r\n");
        }
      g_string_append (group, "DATA\r\n");
      out = g_bytes_new (group->str, group->len);
      send->step = SEND_GROUP;
      exchange_async (self, out, n + 2, cancellable, send_reply_cb, g_steal_pointer (&task));
      return;
    }

  send->step = SEND_MAIL;
  command_async (self, mail, cancellable, send_reply_cb, g_steal_pointer (&task));
}

/**
 * buzon_smtp_session_send_finish:
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_SMTP_SESSION_ERROR, a
 *   %BUZON_NET_ERROR or %G_IO_ERROR_CANCELLED; see
 *   buzon_smtp_error_is_temporary()
 *
 * Returns: (transfer full) (nullable): who got the message and who did
 *   not, or %NULL if nobody did
 */
BuzonSmtpSendResult *
buzon_smtp_session_send_finish (BuzonSmtpSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* RSET and QUIT */

static void
simple_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  BuzonSmtpSession *self = BUZON_SMTP_SESSION (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(BuzonSmtpReply) reply = NULL;
  GError *error = NULL;
  gboolean quit =
    g_task_get_source_tag (task) == BUZON_SOURCE_TAG (buzon_smtp_session_quit_async);

  self->busy = FALSE;
  reply = reply_finish (self, result, &error);
  if (quit)
    {
      /* The server's goodbye (221), or not: the session ends either way. */
      g_clear_error (&error);
      drop (self);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->code != 250)
    {
      g_task_return_error (task, reply_error (self, reply, BUZON_SMTP_STAGE_EHLO, NULL));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
simple_async (BuzonSmtpSession    *self,
              const char          *line,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);

  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("The session is busy."));
      return;
    }
  if (!buzon_smtp_session_is_connected (self))
    {
      if (source_tag == BUZON_SOURCE_TAG (buzon_smtp_session_quit_async))
        {
          drop (self);
          g_task_return_boolean (task, TRUE);
          return;
        }
      g_task_return_new_error (task, BUZON_SMTP_SESSION_ERROR,
                               BUZON_SMTP_SESSION_ERROR_NOT_CONNECTED, "%s",
                               _("Not connected to the outgoing server."));
      return;
    }

  self->busy = TRUE;
  command_async (self, line, cancellable, simple_cb, g_steal_pointer (&task));
}

/**
 * buzon_smtp_session_reset_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Sends RSET (RFC 5321 §4.1.1.5). buzon_smtp_session_send_async() resets
 * by itself after a refusal; this is for an owner that wants to be sure.
 */
void
buzon_smtp_session_reset_async (BuzonSmtpSession    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_SMTP_SESSION (self));

  simple_async (self, "RSET", BUZON_SOURCE_TAG (buzon_smtp_session_reset_async), cancellable,
                callback, user_data);
}

/**
 * buzon_smtp_session_reset_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE if the server answered 250
 */
gboolean
buzon_smtp_session_reset_finish (BuzonSmtpSession  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_smtp_session_quit_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Says QUIT, waits for the goodbye and closes the connection. A session
 * that is not connected just closes.
 */
void
buzon_smtp_session_quit_async (BuzonSmtpSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_SMTP_SESSION (self));

  simple_async (self, "QUIT", BUZON_SOURCE_TAG (buzon_smtp_session_quit_async), cancellable,
                callback, user_data);
}

/**
 * buzon_smtp_session_quit_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE (the session is closed, whatever the server said), or
 *   %FALSE if the session was busy
 */
gboolean
buzon_smtp_session_quit_finish (BuzonSmtpSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_smtp_session_disconnect:
 *
 * Closes the connection at once, without QUIT. An operation in progress
 * fails.
 */
void
buzon_smtp_session_disconnect (BuzonSmtpSession *self)
{
  g_return_if_fail (BUZON_IS_SMTP_SESSION (self));

  drop (self);
}
