/* buzon-pop3-session.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Every command, the greeting included, is a Command in one of two queues:
 * `unsent` (issued, not written yet) and `inflight` (written, its reply
 * expected, oldest first). pump() writes what may go out: everything unsent
 * with PIPELINING, otherwise the next command once nothing is in flight;
 * each written command tells the parser what reply shape to expect, so
 * replies are told apart in order. While anything is in flight one read is
 * pending; what it brings is fed to the parser and each complete reply ends
 * the oldest command in flight.
 *
 * A failure of the connection (or bytes that are not POP3) ends every
 * command with the same error and leaves the session disconnected. A caller
 * cancelling a command disconnects too: halfway through a reply there is no
 * other way back to a known state. Neither loses anything: without QUIT the
 * server deletes nothing. */

#define G_LOG_DOMAIN "buzon-pop3"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-pop3-session.h"

#include "buzon-net-error.h"
#include "buzon-sasl.h"

#define READ_CHUNK (64 * 1024)

/* Pipelined commands are written in one go up to about this much. */
#define WRITE_BATCH (16 * 1024)

G_DEFINE_QUARK (buzon-pop3-session-error-quark, buzon_pop3_session_error)

typedef struct
{
  char     *line;        /* with its CRLF; NULL for the greeting */
  gboolean  multiline;
  GTask    *task;
} Command;

struct _BuzonPop3Session
{
  GObject              parent_instance;

  BuzonConnection     *connection;
  BuzonPop3Parser     *parser;
  GQueue               unsent;
  GQueue               inflight;
  gboolean             writing;
  gboolean             reading;
  gboolean             logged_in;
  GError              *broken;        /* why it stopped; set once */

  GStrv                capabilities;
  gboolean             pipelining;
  char                *timestamp;     /* APOP, from the greeting */
  BuzonPop3AuthMethod  auth_method;
  BuzonPop3AuthMethod  used_auth;

  GCancellable        *watched;       /* a caller's cancellable ... */
  GSource             *watch_source;  /* ... and the source that disconnects */
};

G_DEFINE_FINAL_TYPE (BuzonPop3Session, buzon_pop3_session, G_TYPE_OBJECT)

static void pump (BuzonPop3Session *self);

static void
command_free (Command *cmd)
{
  if (cmd->line != NULL)
    {
      /* It may carry a password. */
      memset (cmd->line, 0, strlen (cmd->line));
      g_free (cmd->line);
    }
  g_clear_object (&cmd->task);
  g_free (cmd);
}

static const char *
host (BuzonPop3Session *self)
{
  return buzon_connection_get_host (self->connection);
}

static void
stop_watching (BuzonPop3Session *self)
{
  if (self->watch_source != NULL)
    {
      g_source_destroy (self->watch_source);
      g_clear_pointer (&self->watch_source, g_source_unref);
    }
  g_clear_object (&self->watched);
}

/* Ends every command with @error (taken) and closes the connection. */
static void
fail_all (BuzonPop3Session *self,
          GError           *error)
{
  g_autoptr(GObject) keep = g_object_ref (G_OBJECT (self));
  Command *cmd;

  if (self->broken == NULL)
    self->broken = error;
  else
    g_error_free (error);

  self->logged_in = FALSE;
  stop_watching (self);
  buzon_connection_disconnect (self->connection);

  while ((cmd = g_queue_pop_head (&self->inflight)) != NULL ||
         (cmd = g_queue_pop_head (&self->unsent)) != NULL)
    {
      g_task_return_error (cmd->task, g_error_copy (self->broken));
      command_free (cmd);
    }
}

static void
dispose (GObject *object)
{
  BuzonPop3Session *self = BUZON_POP3_SESSION (object);

  if (self->connection != NULL && (self->inflight.length > 0 || self->unsent.length > 0))
    fail_all (self, g_error_new_literal (BUZON_POP3_SESSION_ERROR,
                                         BUZON_POP3_SESSION_ERROR_CLOSED,
                                         _("The connection was closed.")));
  stop_watching (self);

  G_OBJECT_CLASS (buzon_pop3_session_parent_class)->dispose (object);
}

static void
finalize (GObject *object)
{
  BuzonPop3Session *self = BUZON_POP3_SESSION (object);

  if (self->connection != NULL)
    buzon_connection_disconnect (self->connection);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->parser, buzon_pop3_parser_free);
  g_clear_error (&self->broken);
  g_clear_pointer (&self->capabilities, g_strfreev);
  g_free (self->timestamp);

  G_OBJECT_CLASS (buzon_pop3_session_parent_class)->finalize (object);
}

static void
buzon_pop3_session_class_init (BuzonPop3SessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dispose;
  object_class->finalize = finalize;
}

static void
buzon_pop3_session_init (BuzonPop3Session *self)
{
  self->parser = buzon_pop3_parser_new ();
  g_queue_init (&self->unsent);
  g_queue_init (&self->inflight);
}

/**
 * buzon_pop3_session_new:
 * @connection: a connection, not connected yet
 *
 * Returns: (transfer full): a new session
 */
BuzonPop3Session *
buzon_pop3_session_new (BuzonConnection *connection)
{
  BuzonPop3Session *self;

  g_return_val_if_fail (BUZON_IS_CONNECTION (connection), NULL);

  self = g_object_new (BUZON_TYPE_POP3_SESSION, NULL);
  self->connection = g_object_ref (connection);

  return self;
}

/**
 * buzon_pop3_session_get_connection:
 *
 * Returns: (transfer none): the connection
 */
BuzonConnection *
buzon_pop3_session_get_connection (BuzonPop3Session *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SESSION (self), NULL);

  return self->connection;
}

/**
 * buzon_pop3_session_is_connected:
 *
 * Returns: whether the session is logged in and its connection open
 */
gboolean
buzon_pop3_session_is_connected (BuzonPop3Session *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SESSION (self), FALSE);

  return self->logged_in && self->broken == NULL && buzon_connection_is_open (self->connection);
}

/**
 * buzon_pop3_session_set_auth_method:
 * @method: how to log in; %BUZON_POP3_AUTH_AUTO by default
 */
void
buzon_pop3_session_set_auth_method (BuzonPop3Session    *self,
                                    BuzonPop3AuthMethod  method)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));

  self->auth_method = method;
}

/**
 * buzon_pop3_session_get_used_auth_method:
 *
 * Returns: how the session logged in (%BUZON_POP3_AUTH_AUTO before it did)
 */
BuzonPop3AuthMethod
buzon_pop3_session_get_used_auth_method (BuzonPop3Session *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SESSION (self), BUZON_POP3_AUTH_AUTO);

  return self->used_auth;
}

/**
 * buzon_pop3_session_get_capabilities:
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): what CAPA
 *   listed last (each line as sent, e.g. "SASL PLAIN LOGIN"), or %NULL if
 *   the server has no CAPA
 */
const char * const *
buzon_pop3_session_get_capabilities (BuzonPop3Session *self)
{
  g_return_val_if_fail (BUZON_IS_POP3_SESSION (self), NULL);

  return (const char * const *)self->capabilities;
}

/* The CAPA line for @name ("SASL PLAIN LOGIN" for "SASL"), or NULL. */
static const char *
find_capability (BuzonPop3Session *self,
                 const char       *name)
{
  gsize n = strlen (name);

  for (guint i = 0; self->capabilities != NULL && self->capabilities[i] != NULL; i++)
    {
      const char *line = self->capabilities[i];

      if (g_ascii_strncasecmp (line, name, n) == 0 && (line[n] == '\0' || line[n] == ' '))
        return line;
    }

  return NULL;
}

/**
 * buzon_pop3_session_has_capability:
 * @name: a capability, e.g. "UIDL", "TOP", "PIPELINING"
 *
 * Returns: whether the last CAPA listed @name
 */
gboolean
buzon_pop3_session_has_capability (BuzonPop3Session *self,
                                   const char       *name)
{
  g_return_val_if_fail (BUZON_IS_POP3_SESSION (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return find_capability (self, name) != NULL;
}

/* Reading */

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(BuzonPop3Session) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const char *data;

  self->reading = FALSE;
  bytes = buzon_connection_read_some_finish (BUZON_CONNECTION (object), result, &error);
  if (self->broken != NULL)
    return;
  if (bytes == NULL)
    {
      fail_all (self, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  if (!buzon_pop3_parser_feed (self->parser, data, size, &error))
    {
      fail_all (self, g_error_new (BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_PROTOCOL,
                                   _("The server %s sent something that is not POP3 (%s)."),
                                   host (self), error->message));
      return;
    }

  for (;;)
    {
      BuzonPop3Reply *reply;
      Command *cmd;

      if (self->broken != NULL || self->inflight.length == 0)
        break;
      reply = buzon_pop3_parser_pop (self->parser);
      if (reply == NULL)
        break;

      cmd = g_queue_pop_head (&self->inflight);
      g_task_return_pointer (cmd->task, reply, (GDestroyNotify)buzon_pop3_reply_free);
      command_free (cmd);
    }

  if (self->broken == NULL && self->inflight.length == 0 &&
      buzon_pop3_parser_get_pending (self->parser) == 0 &&
      buzon_pop3_parser_get_buffered (self->parser) > 0)
    {
      fail_all (self, g_error_new (BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_PROTOCOL,
                                   _("The server %s sent a reply to no command."), host (self)));
      return;
    }

  pump (self);
}

static void
ensure_reading (BuzonPop3Session *self)
{
  if (self->reading || self->broken != NULL || self->inflight.length == 0)
    return;

  self->reading = TRUE;
  buzon_connection_read_some_async (self->connection, READ_CHUNK, NULL, read_cb,
                                    g_object_ref (self));
}

/* Writing */

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BuzonPop3Session) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!buzon_connection_write_bytes_finish (BUZON_CONNECTION (object), result, &error))
    {
      if (self->broken == NULL)
        fail_all (self, g_steal_pointer (&error));
      return;
    }

  pump (self);
}

static void
pump (BuzonPop3Session *self)
{
  GString *out = NULL;

  if (self->broken != NULL)
    return;

  while (!self->writing && self->unsent.length > 0)
    {
      Command *cmd = g_queue_peek_head (&self->unsent);

      /* Without PIPELINING (and while logging in), one command at a time. */
      if (!(self->pipelining && self->logged_in) && (self->inflight.length > 0 || out != NULL))
        break;
      if (out != NULL && out->len >= WRITE_BATCH)
        break;

      g_queue_pop_head (&self->unsent);
      buzon_pop3_parser_expect (self->parser, cmd->multiline);
      g_queue_push_tail (&self->inflight, cmd);
      if (cmd->line != NULL)
        {
          if (out == NULL)
            out = g_string_new (NULL);
          g_string_append (out, cmd->line);
        }
    }

  if (out != NULL)
    {
      g_autoptr(GBytes) bytes = g_string_free_to_bytes (out);

      self->writing = TRUE;
      buzon_connection_write_bytes_async (self->connection, bytes, NULL, write_cb,
                                          g_object_ref (self));
    }

  ensure_reading (self);
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  BuzonPop3Session *self = user_data;

  (void)cancellable;
  g_clear_pointer (&self->watch_source, g_source_unref);
  g_clear_object (&self->watched);
  fail_all (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       _("The operation was cancelled.")));

  return G_SOURCE_REMOVE;
}

/* Cancelling @cancellable disconnects the session (from its own context, so
 * whatever thread cancels). One caller cancellable is watched at a time: the
 * sync passes the same one to all its commands. */
static void
watch_cancellable (BuzonPop3Session *self,
                   GCancellable     *cancellable)
{
  if (cancellable == NULL || cancellable == self->watched)
    return;

  stop_watching (self);
  self->watched = g_object_ref (cancellable);
  self->watch_source = g_cancellable_source_new (cancellable);
  g_source_set_callback (self->watch_source, G_SOURCE_FUNC (cancelled_cb), self, NULL);
  g_source_attach (self->watch_source, g_main_context_get_thread_default ());
}

/* Issues a command: @line without CRLF (NULL for the greeting), whose reply
 * is multi-line if it is +OK and @multiline. The task returns the
 * BuzonPop3Reply, whatever its status. */
static void
command_async (BuzonPop3Session    *self,
               const char          *line,
               gboolean             multiline,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  Command *cmd;
  GTask *task;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_check_cancellable (task, FALSE);

  if (self->broken != NULL)
    {
      g_task_return_error (task, g_error_copy (self->broken));
      g_object_unref (task);
      return;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                               _("The operation was cancelled."));
      g_object_unref (task);
      return;
    }

  watch_cancellable (self, cancellable);

  cmd = g_new0 (Command, 1);
  cmd->line = line != NULL ? g_strconcat (line, "\r\n", NULL) : NULL;
  cmd->multiline = multiline;
  cmd->task = task;
  g_queue_push_tail (&self->unsent, cmd);

  pump (self);
}

static BuzonPop3Reply *
command_finish (BuzonPop3Session  *self,
                GAsyncResult      *result,
                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The server's text, safe to show. */
static char *
reply_text (const BuzonPop3Reply *reply)
{
  return g_utf8_make_valid (reply->text != NULL && *reply->text != '\0' ? reply->text : "-ERR",
                            -1);
}

/* The error for a -ERR (or unexpected continuation) to @what. */
static GError *
reply_error (BuzonPop3Session     *self,
             const BuzonPop3Reply *reply,
             const char           *what)
{
  g_autofree char *text = reply_text (reply);
  const char *code = reply->code;

  if (reply->status == BUZON_POP3_CONTINUE)
    return g_error_new (BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_PROTOCOL,
                        _("The server %s asked for more where POP3 does not (after %s)."),
                        host (self), what);

  if (g_strcmp0 (code, "IN-USE") == 0)
    return g_error_new (BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_IN_USE,
                        _("Another program is reading the mailbox on %s right now. Buzón tries "
                          "again later; if this goes on, close other mail programs that use "
                          "this account. (The server said: %s)"),
                        host (self), text);
  if (g_strcmp0 (code, "SYS/TEMP") == 0 || g_strcmp0 (code, "LOGIN-DELAY") == 0)
    return g_error_new (BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_TEMPORARY,
                        _("The server %s cannot serve the mailbox right now; try again in a "
                          "few minutes. (The server said: %s)"),
                        host (self), text);

  return g_error_new (BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_FAILED,
                      _("The server %s refused %s: %s"), host (self), what, text);
}

/* Connecting and logging in */

typedef enum
{
  STEP_GREETING,
  STEP_CAPA,
  STEP_STLS,
  STEP_CAPA_TLS,
  STEP_USER,
  STEP_PASS,
  STEP_APOP,
  STEP_AUTH_PLAIN,
  STEP_AUTH_PLAIN_RESPONSE,
  STEP_CAPA_LOGGED_IN,
} Step;

typedef struct
{
  char     *username;
  char     *password;
  Step      step;
} Login;

static void
login_free (Login *login)
{
  g_free (login->username);
  if (login->password != NULL)
    {
      memset (login->password, 0, strlen (login->password));
      g_free (login->password);
    }
  g_free (login);
}

static void login_reply_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
login_send (GTask      *task,
            Step        step,
            const char *line,
            gboolean    multiline)
{
  BuzonPop3Session *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);

  login->step = step;
  command_async (self, line, multiline, g_task_get_cancellable (task), login_reply_cb, task);
}

static void
login_fail (GTask  *task,
            GError *error)
{
  BuzonPop3Session *self = g_task_get_source_object (task);

  if (self->broken == NULL)
    fail_all (self, g_error_copy (error));
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
send_capa (GTask *task,
           Step   step)
{
  login_send (task, step, "CAPA", TRUE);
}

static GError *
auth_error (BuzonPop3Session     *self,
            const BuzonPop3Reply *reply,
            const char           *username)
{
  g_autofree char *text = reply_text (reply);

  if (g_strcmp0 (reply->code, "IN-USE") == 0 || g_strcmp0 (reply->code, "SYS/TEMP") == 0 ||
      g_strcmp0 (reply->code, "LOGIN-DELAY") == 0)
    return reply_error (self, reply, "PASS");

  return g_error_new (BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_AUTH,
                      _("The server %s did not accept the user name “%s” or its password. "
                        "Check them in the account settings. (The server said: %s)"),
                      host (self), username, text);
}

/* Picks the way to log in and sends its first command. */
static void
login_start_auth (GTask *task)
{
  BuzonPop3Session *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  BuzonPop3AuthMethod method = self->auth_method;
  const char *sasl = find_capability (self, "SASL");
  gboolean has_plain = FALSE;

  if (sasl != NULL)
    {
      g_auto(GStrv) words = g_strsplit (sasl, " ", -1);

      for (guint i = 1; words[i] != NULL; i++)
        has_plain |= g_ascii_strcasecmp (words[i], "PLAIN") == 0;
    }

  if (method == BUZON_POP3_AUTH_AUTO)
    {
      if (!buzon_connection_is_encrypted (self->connection) && self->timestamp != NULL)
        method = BUZON_POP3_AUTH_APOP;
      else if (has_plain)
        method = BUZON_POP3_AUTH_PLAIN;
      else if (self->capabilities == NULL || find_capability (self, "USER") != NULL)
        method = BUZON_POP3_AUTH_USER;
      else if (self->timestamp != NULL)
        method = BUZON_POP3_AUTH_APOP;
      else
        method = BUZON_POP3_AUTH_USER;
    }

  self->used_auth = method;

  switch (method)
    {
    case BUZON_POP3_AUTH_APOP:
      {
        g_autofree char *digest = NULL;
        g_autofree char *line = NULL;
        g_autofree char *input = NULL;

        if (self->timestamp == NULL)
          {
            login_fail (task, g_error_new (BUZON_POP3_SESSION_ERROR,
                                           BUZON_POP3_SESSION_ERROR_NO_MECHANISM,
                                           _("The server %s does not offer APOP."), host (self)));
            return;
          }
        input = g_strconcat (self->timestamp, login->password, NULL);
        digest = g_compute_checksum_for_string (G_CHECKSUM_MD5, input, -1);
        memset (input, 0, strlen (input));
        line = g_strdup_printf ("APOP %s %s", login->username, digest);
        login_send (task, STEP_APOP, line, FALSE);
        return;
      }

    case BUZON_POP3_AUTH_PLAIN:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *encoded = buzon_sasl_plain_encode (NULL, login->username,
                                                            login->password, &error);
        g_autofree char *line = NULL;

        if (encoded == NULL)
          {
            login_fail (task, g_steal_pointer (&error));
            return;
          }
        line = g_strconcat ("AUTH PLAIN ", encoded, NULL);
        memset (encoded, 0, strlen (encoded));
        login_send (task, STEP_AUTH_PLAIN, line, FALSE);
        memset (line, 0, strlen (line));
        return;
      }

    case BUZON_POP3_AUTH_USER:
    case BUZON_POP3_AUTH_AUTO:
    default:
      {
        g_autofree char *line = g_strconcat ("USER ", login->username, NULL);

        login_send (task, STEP_USER, line, FALSE);
        return;
      }
    }
}

static void
start_tls_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!buzon_connection_start_tls_finish (BUZON_CONNECTION (object), result, &error))
    {
      login_fail (task, error);
      return;
    }

  send_capa (task, STEP_CAPA_TLS);
}

static void
set_capabilities (BuzonPop3Session     *self,
                  const BuzonPop3Reply *reply)
{
  g_clear_pointer (&self->capabilities, g_strfreev);
  if (reply->status == BUZON_POP3_OK && reply->data != NULL)
    self->capabilities = buzon_pop3_parse_capa (reply->data);
  self->pipelining = find_capability (self, "PIPELINING") != NULL;
}

static void
login_reply_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  BuzonPop3Session *self = BUZON_POP3_SESSION (object);
  GTask *task = user_data;
  Login *login = g_task_get_task_data (task);
  g_autoptr(BuzonPop3Reply) reply = NULL;
  GError *error = NULL;

  reply = command_finish (self, result, &error);
  if (reply == NULL)
    {
      login_fail (task, error);
      return;
    }

  switch (login->step)
    {
    case STEP_GREETING:
      if (reply->status != BUZON_POP3_OK)
        {
          g_autofree char *text = reply_text (reply);

          login_fail (task, g_error_new (BUZON_POP3_SESSION_ERROR,
                                         BUZON_POP3_SESSION_ERROR_REFUSED,
                                         _("The server %s does not accept connections right "
                                           "now. (It said: %s)"),
                                         host (self), text));
          return;
        }
      self->timestamp = buzon_pop3_greeting_timestamp (reply->text);
      send_capa (task, STEP_CAPA);
      return;

    case STEP_CAPA:
      set_capabilities (self, reply);
      if (buzon_connection_get_security (self->connection) == BUZON_SECURITY_STARTTLS)
        {
          if (self->capabilities != NULL && find_capability (self, "STLS") == NULL)
            {
              login_fail (task, g_error_new (BUZON_POP3_SESSION_ERROR,
                                             BUZON_POP3_SESSION_ERROR_STLS_UNAVAILABLE,
                                             _("The server %s does not offer STLS, so the "
                                               "connection cannot be encrypted and no password "
                                               "was sent. Choose TLS (usually port 995) in the "
                                               "account settings, or ask your provider."),
                                             host (self)));
              return;
            }
          login_send (task, STEP_STLS, "STLS", FALSE);
          return;
        }
      login_start_auth (task);
      return;

    case STEP_STLS:
      if (reply->status != BUZON_POP3_OK)
        {
          g_autofree char *text = reply_text (reply);

          login_fail (task, g_error_new (BUZON_POP3_SESSION_ERROR,
                                         BUZON_POP3_SESSION_ERROR_STLS_UNAVAILABLE,
                                         _("The server %s refused to encrypt the connection "
                                           "(STLS), so no password was sent. Choose TLS "
                                           "(usually port 995) in the account settings. (The "
                                           "server said: %s)"),
                                         host (self), text));
          return;
        }
      /* Bytes after the +OK, before the handshake, would come from whoever
       * sits on the clear connection (RFC 2595 §2.2 in spirit; CVE-2011-0411
       * in practice): refuse them. */
      if (buzon_pop3_parser_get_buffered (self->parser) > 0)
        {
          login_fail (task, g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL,
                                         _("The server %s sent data before encryption started; "
                                           "someone may be tampering with the connection. "
                                           "Nothing was sent."),
                                         host (self)));
          return;
        }
      buzon_connection_start_tls_async (self->connection, g_task_get_cancellable (task),
                                        start_tls_cb, task);
      return;

    case STEP_CAPA_TLS:
      set_capabilities (self, reply);
      login_start_auth (task);
      return;

    case STEP_USER:
      if (reply->status != BUZON_POP3_OK)
        {
          g_autofree char *text = reply_text (reply);

          if (!buzon_connection_is_encrypted (self->connection))
            error = g_error_new (BUZON_POP3_SESSION_ERROR,
                                 BUZON_POP3_SESSION_ERROR_PLAINTEXT_REFUSED,
                                 _("The server %s does not take passwords on a connection that "
                                   "is not encrypted. Choose TLS or STARTTLS in the account "
                                   "settings. (The server said: %s)"),
                                 host (self), text);
          else
            error = auth_error (self, reply, login->username);
          login_fail (task, error);
          return;
        }
      {
        g_autofree char *line = g_strconcat ("PASS ", login->password, NULL);

        login_send (task, STEP_PASS, line, FALSE);
        memset (line, 0, strlen (line));
      }
      return;

    case STEP_AUTH_PLAIN:
      if (reply->status == BUZON_POP3_CONTINUE)
        {
          /* A server that takes no initial response: "+ " then the same. */
          g_autofree char *encoded = buzon_sasl_plain_encode (NULL, login->username,
                                                              login->password, NULL);

          login_send (task, STEP_AUTH_PLAIN_RESPONSE, encoded != NULL ? encoded : "*", FALSE);
          if (encoded != NULL)
            memset (encoded, 0, strlen (encoded));
          return;
        }
      G_GNUC_FALLTHROUGH;
    case STEP_AUTH_PLAIN_RESPONSE:
    case STEP_PASS:
    case STEP_APOP:
      if (reply->status != BUZON_POP3_OK)
        {
          login_fail (task, auth_error (self, reply, login->username));
          return;
        }
      self->logged_in = TRUE;
      /* RFC 2449 §5: what the server offers may change after login. */
      send_capa (task, STEP_CAPA_LOGGED_IN);
      return;

    case STEP_CAPA_LOGGED_IN:
    default:
      if (reply->status == BUZON_POP3_OK)
        set_capabilities (self, reply);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  BuzonPop3Session *self = g_task_get_source_object (task);
  Login *login = g_task_get_task_data (task);
  GError *error = NULL;
  Command *greeting;

  if (!buzon_connection_connect_finish (BUZON_CONNECTION (object), result, &error))
    {
      login_fail (task, error);
      return;
    }

  /* The greeting is the reply to no command. */
  login->step = STEP_GREETING;
  watch_cancellable (self, g_task_get_cancellable (task));
  greeting = g_new0 (Command, 1);
  greeting->task = g_task_new (self, NULL, login_reply_cb, task);
  g_task_set_check_cancellable (greeting->task, FALSE);
  g_queue_push_tail (&self->unsent, greeting);
  pump (self);
}

static gboolean
has_line_break (const char *text)
{
  return strpbrk (text, "\r\n") != NULL;
}

/**
 * buzon_pop3_session_connect_async:
 * @username: the user name
 * @password: the password
 * @cancellable: (nullable): a cancellable
 * @callback: called when logged in, or not
 * @user_data: data for @callback
 *
 * Connects, reads the greeting and the capabilities, encrypts the
 * connection with STLS when the connection's security is STARTTLS (failing,
 * with no password sent, if that is not possible) and logs in.
 */
void
buzon_pop3_session_connect_async (BuzonPop3Session    *self,
                                  const char          *username,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Login *login;

  g_return_if_fail (BUZON_IS_POP3_SESSION (self));
  g_return_if_fail (username != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_pop3_session_connect_async));

  if (has_line_break (username) || has_line_break (password) || *username == '\0')
    {
      g_task_return_new_error (task, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_AUTH,
                               "%s", _("The user name or password contains a line break, "
                                       "which POP3 cannot send. Check them in the account "
                                       "settings."));
      return;
    }
  if (self->broken != NULL || self->logged_in)
    {
      g_task_return_new_error (task, BUZON_POP3_SESSION_ERROR,
                               BUZON_POP3_SESSION_ERROR_NOT_CONNECTED, "%s",
                               _("This connection to the server was already used; a new one "
                                 "is needed."));
      return;
    }

  login = g_new0 (Login, 1);
  login->username = g_strdup (username);
  login->password = g_strdup (password);
  g_task_set_task_data (task, login, (GDestroyNotify)login_free);

  buzon_connection_connect_async (self->connection, cancellable, connect_cb,
                                  g_steal_pointer (&task));
}

/**
 * buzon_pop3_session_connect_finish:
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_POP3_SESSION_ERROR, a
 *   %BUZON_NET_ERROR or %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE if logged in
 */
gboolean
buzon_pop3_session_connect_finish (BuzonPop3Session  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Commands */

typedef enum
{
  KIND_STAT,
  KIND_LIST,
  KIND_UIDL,
  KIND_RETR,
  KIND_TOP,
  KIND_DELE,
  KIND_RSET,
  KIND_NOOP,
  KIND_QUIT,
} Kind;

static const char * const kind_names[] = {
  [KIND_STAT] = "STAT", [KIND_LIST] = "LIST", [KIND_UIDL] = "UIDL", [KIND_RETR] = "RETR",
  [KIND_TOP] = "TOP", [KIND_DELE] = "DELE", [KIND_RSET] = "RSET", [KIND_NOOP] = "NOOP",
  [KIND_QUIT] = "QUIT",
};

typedef struct
{
  Kind  kind;
  guint number;
} Call;

static void
call_reply_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  BuzonPop3Session *self = BUZON_POP3_SESSION (object);
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(BuzonPop3Reply) reply = NULL;
  GError *error = NULL;

  reply = command_finish (self, result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (reply->status != BUZON_POP3_OK)
    {
      g_autofree char *what = call->number > 0
        ? g_strdup_printf ("%s %u", kind_names[call->kind], call->number)
        : g_strdup (kind_names[call->kind]);

      if ((call->kind == KIND_UIDL || call->kind == KIND_TOP) && reply->code == NULL &&
          reply->status == BUZON_POP3_ERR &&
          !buzon_pop3_session_has_capability (self, kind_names[call->kind]))
        {
          g_autofree char *text = reply_text (reply);

          g_task_return_new_error (task, BUZON_POP3_SESSION_ERROR,
                                   BUZON_POP3_SESSION_ERROR_UNSUPPORTED,
                                   _("The server %s does not have the %s command. (It said: %s)"),
                                   host (self), kind_names[call->kind], text);
          return;
        }
      g_task_return_error (task, reply_error (self, reply, what));
      return;
    }

  if (call->kind == KIND_QUIT)
    {
      /* The UPDATE state is over: deletions took effect. */
      self->logged_in = FALSE;
      stop_watching (self);
      buzon_connection_disconnect (self->connection);
    }

  g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify)buzon_pop3_reply_free);
}

static void
call_async (BuzonPop3Session    *self,
            Kind                 kind,
            guint                number,
            guint                lines,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *line = NULL;
  Call *call;
  gboolean multiline;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);

  if (!self->logged_in || self->broken != NULL)
    {
      if (self->broken != NULL)
        g_task_return_error (task, g_error_copy (self->broken));
      else
        g_task_return_new_error (task, BUZON_POP3_SESSION_ERROR,
                                 BUZON_POP3_SESSION_ERROR_NOT_CONNECTED, "%s",
                                 _("Not connected to the server."));
      return;
    }

  call = g_new0 (Call, 1);
  call->kind = kind;
  call->number = number;
  g_task_set_task_data (task, call, g_free);

  multiline = kind == KIND_RETR || kind == KIND_TOP ||
              ((kind == KIND_LIST || kind == KIND_UIDL) && number == 0);
  if (kind == KIND_TOP)
    line = g_strdup_printf ("TOP %u %u", number, lines);
  else if (number > 0)
    line = g_strdup_printf ("%s %u", kind_names[kind], number);
  else
    line = g_strdup (kind_names[kind]);

  command_async (self, line, multiline, cancellable, call_reply_cb, g_steal_pointer (&task));
}

static BuzonPop3Reply *
call_finish (BuzonPop3Session  *self,
             GAsyncResult      *result,
             GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_pop3_session_stat_async:
 *
 * STAT: how many messages the mailbox holds and their total size.
 */
void
buzon_pop3_session_stat_async (BuzonPop3Session    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));

  call_async (self, KIND_STAT, 0, 0, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_stat_async));
}

/**
 * buzon_pop3_session_stat_finish:
 * @out_count: (out) (optional): the number of messages
 * @out_size: (out) (optional): their size in octets
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_pop3_session_stat_finish (BuzonPop3Session  *self,
                                GAsyncResult      *result,
                                guint             *out_count,
                                guint64           *out_size,
                                GError           **error)
{
  g_autoptr(BuzonPop3Reply) reply = call_finish (self, result, error);
  guint count;
  guint64 size;

  if (reply == NULL)
    return FALSE;
  if (!buzon_pop3_parse_stat (reply->text, &count, &size))
    {
      g_set_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_PROTOCOL,
                   _("The server %s answered STAT with something that is not a count."),
                   host (self));
      return FALSE;
    }
  if (out_count != NULL)
    *out_count = count;
  if (out_size != NULL)
    *out_size = size;

  return TRUE;
}

/**
 * buzon_pop3_session_list_async:
 * @uidl: %TRUE for UIDL (unique ids), %FALSE for LIST (sizes)
 *
 * Lists every message of the mailbox.
 */
void
buzon_pop3_session_list_async (BuzonPop3Session    *self,
                               gboolean             uidl,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));

  call_async (self, uidl ? KIND_UIDL : KIND_LIST, 0, 0, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_list_async));
}

/**
 * buzon_pop3_session_list_finish:
 * @error: %BUZON_POP3_SESSION_ERROR_UNSUPPORTED when the server has no UIDL
 *
 * Returns: (transfer full) (element-type BuzonPop3Listing): the listing, in
 *   the server's order; for LIST each with its size, for UIDL its uidl
 */
GPtrArray *
buzon_pop3_session_list_finish (BuzonPop3Session  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_autoptr(BuzonPop3Reply) reply = call_finish (self, result, error);
  Call *call;
  GError *local_error = NULL;
  GPtrArray *listing;

  if (reply == NULL)
    return NULL;

  call = g_task_get_task_data (G_TASK (result));
  listing = buzon_pop3_parse_listing (reply->data, call->kind == KIND_UIDL, &local_error);
  if (listing == NULL)
    {
      g_set_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_PROTOCOL,
                   _("The server %s sent a %s listing that cannot be read (%s)."), host (self),
                   kind_names[call->kind], local_error->message);
      g_error_free (local_error);
    }

  return listing;
}

/**
 * buzon_pop3_session_retrieve_async:
 * @number: the message number (from 1)
 *
 * RETR: the whole message.
 */
void
buzon_pop3_session_retrieve_async (BuzonPop3Session    *self,
                                   guint                number,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));
  g_return_if_fail (number > 0);

  call_async (self, KIND_RETR, number, 0, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_retrieve_async));
}

/**
 * buzon_pop3_session_top_async:
 * @number: the message number (from 1)
 * @lines: how many body lines besides the header
 *
 * TOP: the header and the first @lines lines of the body, for a quick look.
 * Finish with buzon_pop3_session_retrieve_finish().
 */
void
buzon_pop3_session_top_async (BuzonPop3Session    *self,
                              guint                number,
                              guint                lines,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));
  g_return_if_fail (number > 0);

  call_async (self, KIND_TOP, number, lines, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_top_async));
}

/**
 * buzon_pop3_session_retrieve_finish:
 *
 * Returns: (transfer full): the message's bytes, dot-unstuffed, CRLF line
 *   ends
 */
GBytes *
buzon_pop3_session_retrieve_finish (BuzonPop3Session  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_autoptr(BuzonPop3Reply) reply = call_finish (self, result, error);

  if (reply == NULL)
    return NULL;

  return g_steal_pointer (&reply->data);
}

/**
 * buzon_pop3_session_delete_async:
 * @number: the message number (from 1)
 *
 * DELE: marks the message; it is removed when QUIT succeeds. Finish with
 * buzon_pop3_session_command_finish().
 */
void
buzon_pop3_session_delete_async (BuzonPop3Session    *self,
                                 guint                number,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));
  g_return_if_fail (number > 0);

  call_async (self, KIND_DELE, number, 0, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_delete_async));
}

/**
 * buzon_pop3_session_reset_async:
 *
 * RSET: unmarks every message marked by DELE.
 */
void
buzon_pop3_session_reset_async (BuzonPop3Session    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));

  call_async (self, KIND_RSET, 0, 0, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_reset_async));
}

/**
 * buzon_pop3_session_noop_async:
 *
 * NOOP: keeps the connection alive.
 */
void
buzon_pop3_session_noop_async (BuzonPop3Session    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));

  call_async (self, KIND_NOOP, 0, 0, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_noop_async));
}

/**
 * buzon_pop3_session_quit_async:
 *
 * QUIT: ends the session; on success the messages marked with DELE are
 * gone from the server. The connection is closed afterwards either way.
 */
void
buzon_pop3_session_quit_async (BuzonPop3Session    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));

  call_async (self, KIND_QUIT, 0, 0, cancellable, callback, user_data,
              BUZON_SOURCE_TAG (buzon_pop3_session_quit_async));
}

/**
 * buzon_pop3_session_command_finish:
 * @error: return location for an error
 *
 * Finishes DELE, RSET, NOOP and QUIT.
 *
 * Returns: %TRUE if the server answered +OK (for QUIT: the deletions took
 *   effect)
 */
gboolean
buzon_pop3_session_command_finish (BuzonPop3Session  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_autoptr(BuzonPop3Reply) reply = call_finish (self, result, error);

  return reply != NULL;
}

/**
 * buzon_pop3_session_disconnect:
 *
 * Closes the connection without QUIT: nothing marked is deleted. Pending
 * commands fail with %BUZON_POP3_SESSION_ERROR_CLOSED.
 */
void
buzon_pop3_session_disconnect (BuzonPop3Session *self)
{
  g_return_if_fail (BUZON_IS_POP3_SESSION (self));

  if (self->broken == NULL)
    fail_all (self, g_error_new_literal (BUZON_POP3_SESSION_ERROR,
                                         BUZON_POP3_SESSION_ERROR_CLOSED,
                                         _("The connection was closed.")));
  else
    buzon_connection_disconnect (self->connection);
}
