/* buzon-imap-session.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The session reads with one loop: a line at a time with
 * buzon_connection_read_line_async(), fed to the parser with its CRLF; when
 * the line announced a literal the parser is waiting for, the literal's bytes
 * are read with buzon_connection_read_bytes_async() and fed too. Complete
 * responses are dispatched: continuations to the command waiting for one,
 * tagged responses to their command, untagged ones to the collectors of the
 * commands in flight and, when none claims them, out as signals.
 *
 * Commands are written in order as soon as they are issued (pipelining),
 * except that a command waiting for a continuation (a synchronising literal,
 * an AUTHENTICATE exchange, STARTTLS) holds back the ones behind it.
 *
 * The read loop holds a reference on the session while the connection is
 * open: end a session with buzon_imap_session_logout_async() or
 * buzon_imap_session_disconnect(). */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-imap-session.h"

#include "buzon-imap-command.h"
#include "buzon-imap-error.h"
#include "buzon-imap-parser.h"
#include "buzon-imap-private.h"
#include "buzon-imap-uid-set.h"
#include "buzon-imap-utf7.h"
#include "buzon-net-error.h"
#include "buzon-sasl.h"

#define MAX_LINE_LENGTH (1024 * 1024)

G_DEFINE_QUARK (buzon-imap-session-error-quark, buzon_imap_session_error)

BUZON_IMAP_DEFINE_BOXED_TYPE (BuzonImapMailbox, buzon_imap_mailbox,
                              buzon_imap_mailbox_copy, buzon_imap_mailbox_free)

/**
 * buzon_imap_mailbox_copy:
 * @mailbox: a #BuzonImapMailbox
 *
 * Returns: (transfer full): a copy of @mailbox
 */
BuzonImapMailbox *
buzon_imap_mailbox_copy (const BuzonImapMailbox *mailbox)
{
  BuzonImapMailbox *copy;

  g_return_val_if_fail (mailbox != NULL, NULL);

  copy = g_new0 (BuzonImapMailbox, 1);
  copy->name = g_strdup (mailbox->name);
  copy->raw_name = g_strdup (mailbox->raw_name);
  copy->delimiter = mailbox->delimiter;
  copy->flags = mailbox->flags;

  return copy;
}

/**
 * buzon_imap_mailbox_free:
 * @mailbox: (nullable): a #BuzonImapMailbox
 */
void
buzon_imap_mailbox_free (BuzonImapMailbox *mailbox)
{
  if (mailbox == NULL)
    return;

  g_free (mailbox->name);
  g_free (mailbox->raw_name);
  g_free (mailbox);
}

/**
 * buzon_imap_select_info_free:
 * @info: (nullable): a #BuzonImapSelectInfo
 */
void
buzon_imap_select_info_free (BuzonImapSelectInfo *info)
{
  if (info == NULL)
    return;

  g_strfreev (info->flags);
  g_strfreev (info->permanent_flags);
  g_free (info);
}

/* Claims an untagged response for a command in flight; returns whether it
 * did. */
typedef gboolean (*CollectFunc) (BuzonImapSession  *self,
                                 gpointer           data,
                                 BuzonImapResponse *response);

typedef struct
{
  BuzonImapCommand *command;
  guint             next_segment;
  GTask            *task;
  CollectFunc       collect;
  gpointer          collect_data;
  GPtrArray        *auth_steps;
  guint             auth_step;
  gboolean          pause_reading;
} Cmd;

static void
cmd_free (Cmd *cmd)
{
  g_clear_pointer (&cmd->command, buzon_imap_command_unref);
  g_clear_object (&cmd->task);
  g_clear_pointer (&cmd->auth_steps, g_ptr_array_unref);
  g_free (cmd);
}

struct _BuzonImapSession
{
  GObject           parent_instance;

  BuzonConnection  *connection;
  BuzonImapParser  *parser;
  GCancellable     *cancellable;
  GHashTable       *capabilities;
  GStrv             capability_list;
  guint             next_tag;

  GQueue            pending;
  GQueue            inflight;
  GQueue            out;
  Cmd              *blocking;

  GTask            *greeting_task;
  gboolean          preauth;

  guint64           literal_left;
  gboolean          reading;
  gboolean          paused;
  gboolean          writing;
  gboolean          started;
  gboolean          logged_in;
  gboolean          closed;
  gboolean          condstore;
  gboolean          logging_out;
  char             *bye_text;
  char             *last_refusal;
};

G_DEFINE_FINAL_TYPE (BuzonImapSession, buzon_imap_session, G_TYPE_OBJECT)

enum
{
  SIGNAL_EXISTS,
  SIGNAL_EXPUNGE,
  SIGNAL_VANISHED,
  SIGNAL_FETCH,
  SIGNAL_BYE,
  SIGNAL_ALERT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_reading  (BuzonImapSession *self);
static void pump_writes    (BuzonImapSession *self);
static void connection_lost (BuzonImapSession *self,
                             const GError     *error);

static void
buzon_imap_session_dispose (GObject *object)
{
  BuzonImapSession *self = BUZON_IMAP_SESSION (object);

  if (!self->closed)
    {
      g_autoptr(GError) error = g_error_new_literal (BUZON_IMAP_SESSION_ERROR,
                                                     BUZON_IMAP_SESSION_ERROR_CLOSED,
                                                     _("The connection to the mail server was closed."));
      connection_lost (self, error);
    }

  g_clear_object (&self->connection);
  g_clear_object (&self->parser);

  G_OBJECT_CLASS (buzon_imap_session_parent_class)->dispose (object);
}

static void
buzon_imap_session_finalize (GObject *object)
{
  BuzonImapSession *self = BUZON_IMAP_SESSION (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->capabilities, g_hash_table_unref);
  g_clear_pointer (&self->capability_list, g_strfreev);
  g_free (self->bye_text);
  g_free (self->last_refusal);

  G_OBJECT_CLASS (buzon_imap_session_parent_class)->finalize (object);
}

static void
buzon_imap_session_class_init (BuzonImapSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_imap_session_dispose;
  object_class->finalize = buzon_imap_session_finalize;

  /**
   * BuzonImapSession::exists:
   * @self: the session
   * @exists: the new number of messages in the selected mailbox
   *
   * An unsolicited `* n EXISTS`.
   */
  signals[SIGNAL_EXISTS] =
    g_signal_new ("exists", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * BuzonImapSession::expunge:
   * @self: the session
   * @seq: the sequence number of the expunged message
   */
  signals[SIGNAL_EXPUNGE] =
    g_signal_new ("expunge", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * BuzonImapSession::vanished:
   * @self: the session
   * @uids: (element-type BuzonImapUidRange): the UIDs that vanished
   * @earlier: whether the response said EARLIER
   */
  signals[SIGNAL_VANISHED] =
    g_signal_new ("vanished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_ARRAY, G_TYPE_BOOLEAN);

  /**
   * BuzonImapSession::fetch:
   * @self: the session
   * @fetch: (type gpointer): the decoded #BuzonImapFetch, valid during the
   *   emission
   *
   * An unsolicited FETCH, such as a flag change made elsewhere.
   */
  signals[SIGNAL_FETCH] =
    g_signal_new ("fetch", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * BuzonImapSession::bye:
   * @self: the session
   * @text: the server's text
   *
   * The server said BYE: it is closing the connection.
   */
  signals[SIGNAL_BYE] =
    g_signal_new ("bye", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * BuzonImapSession::alert:
   * @self: the session
   * @text: the server's text, which the user must see (RFC 3501 §7.1)
   */
  signals[SIGNAL_ALERT] =
    g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
buzon_imap_session_init (BuzonImapSession *self)
{
  self->parser = buzon_imap_parser_new ();
  self->cancellable = g_cancellable_new ();
  self->capabilities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->pending);
  g_queue_init (&self->inflight);
  g_queue_init (&self->out);
}

/**
 * buzon_imap_session_new:
 * @connection: a #BuzonConnection that is not connected yet
 *
 * Returns: (transfer full): a new session over @connection
 */
BuzonImapSession *
buzon_imap_session_new (BuzonConnection *connection)
{
  BuzonImapSession *self;

  g_return_val_if_fail (BUZON_IS_CONNECTION (connection), NULL);

  self = g_object_new (BUZON_TYPE_IMAP_SESSION, NULL);
  self->connection = g_object_ref (connection);

  return self;
}

/**
 * buzon_imap_session_get_connection:
 * @self: a #BuzonImapSession
 *
 * Returns: (transfer none): the connection
 */
BuzonConnection *
buzon_imap_session_get_connection (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), NULL);

  return self->connection;
}

/**
 * buzon_imap_session_is_connected:
 * @self: a #BuzonImapSession
 *
 * Returns: whether the session is logged in and its connection open
 */
gboolean
buzon_imap_session_is_connected (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);

  return self->logged_in && !self->closed;
}

/**
 * buzon_imap_session_has_capability:
 * @self: a #BuzonImapSession
 * @capability: a capability, such as `IDLE` or `AUTH=PLAIN`
 *
 * Returns: whether the server advertises @capability (case-insensitive)
 */
gboolean
buzon_imap_session_has_capability (BuzonImapSession *self,
                                   const char       *capability)
{
  g_autofree char *upper = NULL;

  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  upper = g_ascii_strup (capability, -1);
  return g_hash_table_contains (self->capabilities, upper);
}

/**
 * buzon_imap_session_get_capabilities:
 * @self: a #BuzonImapSession
 *
 * Returns: (transfer none) (nullable): the capabilities last advertised,
 *   upper case
 */
const char * const *
buzon_imap_session_get_capabilities (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), NULL);

  return (const char * const *) self->capability_list;
}

static void
set_capabilities (BuzonImapSession  *self,
                  GStrv              capabilities)
{
  g_hash_table_remove_all (self->capabilities);
  g_clear_pointer (&self->capability_list, g_strfreev);

  if (capabilities == NULL)
    return;

  for (guint i = 0; capabilities[i] != NULL; i++)
    g_hash_table_add (self->capabilities, g_ascii_strup (capabilities[i], -1));
  self->capability_list = capabilities;
}

static GError *
server_error (BuzonImapSession        *self,
              BuzonImapResponse       *response)
{
  const char *text = buzon_imap_response_get_text (response);

  return g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED,
                      _("The server “%s” refused the command: %s"),
                      buzon_connection_get_host (self->connection),
                      text != NULL && *text != '\0' ? text : _("no reason given"));
}

/* Failing everything */

static void
fail_cmd (Cmd          *cmd,
          const GError *error)
{
  g_task_return_error (cmd->task, g_error_copy (error));
  cmd_free (cmd);
}

static void
connection_lost (BuzonImapSession *self,
                 const GError     *error)
{
  g_autoptr(GError) closed = NULL;
  Cmd *cmd;
  GBytes *bytes;

  if (self->closed)
    return;
  self->closed = TRUE;
  self->logged_in = FALSE;

  if (error != NULL && error->domain == BUZON_IMAP_SESSION_ERROR)
    closed = g_error_copy (error);
  else if (self->bye_text != NULL)
    closed = g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED,
                          _("The server “%s” closed the connection: %s"),
                          buzon_connection_get_host (self->connection), self->bye_text);
  else
    closed = g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED,
                          _("The connection to the server “%s” was lost: %s"),
                          buzon_connection_get_host (self->connection),
                          error != NULL ? error->message : _("no reason given"));

  g_cancellable_cancel (self->cancellable);
  if (self->connection != NULL && !self->logging_out)
    buzon_connection_disconnect (self->connection);

  self->blocking = NULL;
  while ((bytes = g_queue_pop_head (&self->out)) != NULL)
    g_bytes_unref (bytes);

  if (self->greeting_task != NULL)
    {
      GTask *task = g_steal_pointer (&self->greeting_task);

      g_task_return_error (task, g_error_copy (closed));
      g_object_unref (task);
    }

  while ((cmd = g_queue_pop_head (&self->inflight)) != NULL)
    fail_cmd (cmd, closed);
  while ((cmd = g_queue_pop_head (&self->pending)) != NULL)
    fail_cmd (cmd, closed);
}

static void
protocol_error (BuzonImapSession *self,
                const GError     *detail)
{
  g_autoptr(GError) error = NULL;

  g_debug ("IMAP protocol error: %s", detail->message);
  error = g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_PROTOCOL,
                       _("The server “%s” sent something that is not IMAP."),
                       buzon_connection_get_host (self->connection));
  connection_lost (self, error);
}

/* Writing */

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BuzonImapSession) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  if (!buzon_connection_write_bytes_finish (BUZON_CONNECTION (object), result, &error))
    {
      connection_lost (self, error);
      return;
    }

  pump_writes (self);
}

static void
start_command (BuzonImapSession *self,
               Cmd              *cmd)
{
  g_queue_push_tail (&self->inflight, cmd);
  g_queue_push_tail (&self->out,
                     g_bytes_ref (buzon_imap_command_get_segment (cmd->command, 0)));
  cmd->next_segment = 1;

  if (cmd->next_segment < buzon_imap_command_get_n_segments (cmd->command)
      || cmd->auth_steps != NULL || cmd->pause_reading)
    self->blocking = cmd;
}

static void
pump_writes (BuzonImapSession *self)
{
  GBytes *bytes;

  if (self->writing || self->closed)
    return;

  if (g_queue_is_empty (&self->out) && self->blocking == NULL
      && !g_queue_is_empty (&self->pending))
    start_command (self, g_queue_pop_head (&self->pending));

  bytes = g_queue_pop_head (&self->out);
  if (bytes == NULL)
    return;

  self->writing = TRUE;
  buzon_connection_write_bytes_async (self->connection, bytes, self->cancellable,
                                      write_cb, g_object_ref (self));
  g_bytes_unref (bytes);
}

/* Dispatching */

static void
handle_continuation (BuzonImapSession *self)
{
  Cmd *cmd = self->blocking;
  guint n_segments;

  if (cmd == NULL)
    {
      g_debug ("IMAP: ignoring an unexpected continuation");
      return;
    }

  n_segments = buzon_imap_command_get_n_segments (cmd->command);
  if (cmd->next_segment < n_segments)
    {
      g_queue_push_tail (&self->out,
                         g_bytes_ref (buzon_imap_command_get_segment (cmd->command,
                                                                      cmd->next_segment)));
      cmd->next_segment++;
      if (cmd->next_segment == n_segments && cmd->auth_steps == NULL && !cmd->pause_reading)
        self->blocking = NULL;
    }
  else if (cmd->auth_steps != NULL && cmd->auth_step < cmd->auth_steps->len)
    {
      const char *step = g_ptr_array_index (cmd->auth_steps, cmd->auth_step++);

      g_queue_push_tail (&self->out, g_bytes_new_take (g_strconcat (step, "\r\n", NULL),
                                                       strlen (step) + 2));
    }
  else
    {
      /* Cancel an exchange we have no answer for (RFC 3501 §6.2.2). */
      g_queue_push_tail (&self->out, g_bytes_new_static ("*\r\n", 3));
    }

  pump_writes (self);
}

static void
handle_tagged (BuzonImapSession  *self,
               BuzonImapResponse *response)
{
  const char *tag = buzon_imap_response_get_tag (response);
  const char *code = buzon_imap_response_get_code (response);
  Cmd *cmd = NULL;

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *candidate = l->data;

      if (g_strcmp0 (buzon_imap_command_get_tag (candidate->command), tag) == 0)
        {
          cmd = candidate;
          g_queue_delete_link (&self->inflight, l);
          break;
        }
    }

  if (cmd == NULL)
    {
      g_debug ("IMAP: ignoring a completion for unknown tag %s", tag);
      return;
    }

  if (self->blocking == cmd)
    self->blocking = NULL;

  if (g_strcmp0 (code, "CAPABILITY") == 0)
    set_capabilities (self, buzon_imap_response_parse_capability (response, NULL));

  if (buzon_imap_response_get_condition (response) == BUZON_IMAP_CONDITION_OK)
    {
      if (cmd->pause_reading)
        self->paused = TRUE;
      g_task_return_pointer (cmd->task, buzon_imap_response_ref (response),
                             (GDestroyNotify) buzon_imap_response_unref);
    }
  else
    {
      g_free (self->last_refusal);
      self->last_refusal = g_strdup (buzon_imap_response_get_text (response));
      g_task_return_error (cmd->task, server_error (self, response));
    }

  cmd_free (cmd);
  pump_writes (self);
}

static void after_greeting (BuzonImapSession *self,
                            GTask            *task);

static void
handle_greeting (BuzonImapSession  *self,
                 BuzonImapResponse *response)
{
  GTask *task = g_steal_pointer (&self->greeting_task);
  BuzonImapCondition condition = buzon_imap_response_get_condition (response);

  if (buzon_imap_response_get_kind (response) != BUZON_IMAP_RESPONSE_UNTAGGED
      || (condition != BUZON_IMAP_CONDITION_OK && condition != BUZON_IMAP_CONDITION_PREAUTH
          && condition != BUZON_IMAP_CONDITION_BYE))
    {
      g_autoptr(GError) error = g_error_new_literal (BUZON_IMAP_ERROR, BUZON_IMAP_ERROR_PARSE,
                                                     "not a greeting");
      self->greeting_task = task;
      protocol_error (self, error);
      return;
    }

  if (condition == BUZON_IMAP_CONDITION_BYE)
    {
      g_autoptr(GError) error = NULL;

      error = g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_REFUSED,
                           _("The server “%s” refused the connection: %s"),
                           buzon_connection_get_host (self->connection),
                           buzon_imap_response_get_text (response));
      self->greeting_task = task;
      connection_lost (self, error);
      return;
    }

  self->preauth = condition == BUZON_IMAP_CONDITION_PREAUTH;
  if (g_strcmp0 (buzon_imap_response_get_code (response), "CAPABILITY") == 0)
    set_capabilities (self, buzon_imap_response_parse_capability (response, NULL));

  after_greeting (self, task);
}

static void
emit_unsolicited (BuzonImapSession  *self,
                  BuzonImapResponse *response)
{
  guint32 number;

  if (buzon_imap_response_is_named (response, "EXISTS")
      && buzon_imap_response_get_number (response, &number))
    g_signal_emit (self, signals[SIGNAL_EXISTS], 0, (guint) number);
  else if (buzon_imap_response_is_named (response, "EXPUNGE")
           && buzon_imap_response_get_number (response, &number))
    g_signal_emit (self, signals[SIGNAL_EXPUNGE], 0, (guint) number);
  else if (buzon_imap_response_is_named (response, "VANISHED"))
    {
      gboolean earlier = FALSE;
      g_autoptr(GArray) uids = buzon_imap_response_parse_vanished (response, &earlier, NULL);

      if (uids != NULL)
        g_signal_emit (self, signals[SIGNAL_VANISHED], 0, uids, earlier);
    }
  else if (buzon_imap_response_is_named (response, "FETCH"))
    {
      g_autoptr(BuzonImapFetch) fetch = buzon_imap_response_parse_fetch (response, NULL);

      if (fetch != NULL)
        g_signal_emit (self, signals[SIGNAL_FETCH], 0, fetch);
    }
}

static void
handle_untagged (BuzonImapSession  *self,
                 BuzonImapResponse *response)
{
  BuzonImapCondition condition = buzon_imap_response_get_condition (response);
  const char *code = buzon_imap_response_get_code (response);

  if (condition == BUZON_IMAP_CONDITION_BYE)
    {
      g_free (self->bye_text);
      self->bye_text = g_strdup (buzon_imap_response_get_text (response));
      g_signal_emit (self, signals[SIGNAL_BYE], 0, self->bye_text);
      return;
    }

  if (condition != BUZON_IMAP_CONDITION_NONE)
    {
      if (g_strcmp0 (code, "ALERT") == 0)
        g_signal_emit (self, signals[SIGNAL_ALERT], 0, buzon_imap_response_get_text (response));
      else if (g_strcmp0 (code, "CAPABILITY") == 0)
        set_capabilities (self, buzon_imap_response_parse_capability (response, NULL));
    }
  else if (buzon_imap_response_is_named (response, "CAPABILITY"))
    {
      set_capabilities (self, buzon_imap_response_parse_capability (response, NULL));
      return;
    }

  for (GList *l = self->inflight.head; l != NULL; l = l->next)
    {
      Cmd *cmd = l->data;

      if (cmd->collect != NULL && cmd->collect (self, cmd->collect_data, response))
        return;
    }

  emit_unsolicited (self, response);
}

static void
dispatch (BuzonImapSession *self)
{
  BuzonImapResponse *response;

  while (!self->closed && (response = buzon_imap_parser_pop (self->parser)) != NULL)
    {
      g_autoptr(BuzonImapResponse) owned = response;

      if (self->greeting_task != NULL)
        handle_greeting (self, response);
      else
        switch (buzon_imap_response_get_kind (response))
          {
          case BUZON_IMAP_RESPONSE_CONTINUATION:
            handle_continuation (self);
            break;
          case BUZON_IMAP_RESPONSE_TAGGED:
            handle_tagged (self, response);
            break;
          case BUZON_IMAP_RESPONSE_UNTAGGED:
          default:
            handle_untagged (self, response);
            break;
          }
    }
}

/* Reading */

/* Whether @line ends with a literal announcement, `{N}` or `{N+}`. */
static gboolean
line_literal (const char *line,
              gsize       length,
              guint64    *size)
{
  gsize end, start;

  if (length < 3 || line[length - 1] != '}')
    return FALSE;

  end = length - 1;
  if (line[end - 1] == '+')
    end--;
  start = end;
  while (start > 0 && g_ascii_isdigit (line[start - 1]))
    start--;
  if (start == end || start == 0 || line[start - 1] != '{')
    return FALSE;

  *size = g_ascii_strtoull (line + start, NULL, 10);
  return TRUE;
}

static void read_literal (BuzonImapSession *self);

static void
continue_reading (BuzonImapSession *self)
{
  self->reading = FALSE;
  dispatch (self);
  if (!self->paused && !self->closed)
    start_reading (self);
}

static void
read_bytes_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BuzonImapSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = buzon_connection_read_bytes_finish (BUZON_CONNECTION (object), result, &error);
  if (bytes == NULL)
    {
      self->reading = FALSE;
      connection_lost (self, error);
      return;
    }

  self->literal_left -= g_bytes_get_size (bytes);
  if (!buzon_imap_parser_feed (self->parser, g_bytes_get_data (bytes, NULL),
                               g_bytes_get_size (bytes), &error))
    {
      self->reading = FALSE;
      protocol_error (self, error);
      return;
    }

  if (self->literal_left > 0)
    read_literal (self);
  else
    {
      /* The rest of the response is on the next line. */
      self->reading = FALSE;
      start_reading (self);
    }
}

static void
read_literal (BuzonImapSession *self)
{
  gsize count = (gsize) MIN (self->literal_left, (guint64) BUZON_CONNECTION_MAX_READ_BYTES);

  buzon_connection_read_bytes_async (self->connection, count, self->cancellable,
                                     read_bytes_cb, g_object_ref (self));
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BuzonImapSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;
  guint64 size;

  line = buzon_connection_read_line_finish (BUZON_CONNECTION (object), result, &length, &error);
  if (line == NULL)
    {
      self->reading = FALSE;
      /* Responses complete before the loss still count (a BYE). */
      dispatch (self);
      connection_lost (self, error);
      return;
    }

  if (!buzon_imap_parser_feed (self->parser, line, length, &error)
      || !buzon_imap_parser_feed (self->parser, "\r\n", 2, &error))
    {
      self->reading = FALSE;
      protocol_error (self, error);
      return;
    }

  if (line_literal (line, length, &size) && !buzon_imap_parser_is_idle (self->parser))
    {
      if (size > 0)
        {
          self->literal_left = size;
          read_literal (self);
          return;
        }
      self->reading = FALSE;
      start_reading (self);
      return;
    }

  continue_reading (self);
}

static void
start_reading (BuzonImapSession *self)
{
  if (self->reading || self->closed)
    return;

  self->reading = TRUE;
  buzon_connection_read_line_async (self->connection, MAX_LINE_LENGTH, self->cancellable,
                                    read_line_cb, g_object_ref (self));
}

/* Running one command */

static BuzonImapCommand *
new_command (BuzonImapSession *self,
             const char       *name)
{
  g_autofree char *tag = g_strdup_printf ("A%04u", ++self->next_tag);

  return buzon_imap_command_new (tag, name);
}

static GError *
not_connected_error (void)
{
  return g_error_new_literal (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_NOT_CONNECTED,
                              _("Not connected to the mail server."));
}

/* Takes @command and @auth_steps. The task returns the tagged OK response. */
static void
run_command (BuzonImapSession    *self,
             BuzonImapCommand    *command,
             CollectFunc          collect,
             gpointer             collect_data,
             GPtrArray           *auth_steps,
             gboolean             pause_reading,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  Cmd *cmd = g_new0 (Cmd, 1);

  cmd->command = command;
  cmd->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (cmd->task, BUZON_SOURCE_TAG (run_command));
  cmd->collect = collect;
  cmd->collect_data = collect_data;
  cmd->auth_steps = auth_steps;
  cmd->pause_reading = pause_reading;

  if (self->closed)
    {
      g_task_return_new_error (cmd->task, BUZON_IMAP_SESSION_ERROR,
                               BUZON_IMAP_SESSION_ERROR_CLOSED,
                               _("The connection to the mail server was closed."));
      cmd_free (cmd);
      return;
    }

  buzon_imap_command_set_literal_mode (command,
                                       g_hash_table_contains (self->capabilities, "LITERAL+")
                                       ? BUZON_IMAP_LITERAL_PLUS : BUZON_IMAP_LITERAL_SYNC);
  g_queue_push_tail (&self->pending, cmd);
  pump_writes (self);
}

static BuzonImapResponse *
run_command_finish (GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Connecting */

typedef struct
{
  char *username;
  char *password;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  g_free (data->username);
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  g_free (data);
}

static void authenticate (BuzonImapSession *self,
                          GTask            *task);
static void after_authenticate (BuzonImapSession *self,
                                GTask            *task);

static void
fail_connect (BuzonImapSession *self,
              GTask            *task,
              GError           *error)
{
  g_autoptr(GError) owned = error;

  connection_lost (self, error);
  g_task_return_error (task, g_steal_pointer (&owned));
  g_object_unref (task);
}

static void
id_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL && self->closed)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->logged_in = TRUE;
  g_task_return_boolean (task, TRUE);
}

static void
send_id (BuzonImapSession *self,
         GTask            *task)
{
  BuzonImapCommand *command;

  if (!g_hash_table_contains (self->capabilities, "ID"))
    {
      self->logged_in = TRUE;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  command = new_command (self, "ID");
  buzon_imap_command_begin_list (command);
  buzon_imap_command_add_string (command, "name");
  buzon_imap_command_add_string (command, "Buzón");
  buzon_imap_command_add_string (command, "version");
  buzon_imap_command_add_string (command, PACKAGE_VERSION);
  buzon_imap_command_end_list (command);
  run_command (self, command, NULL, NULL, NULL, FALSE, id_cb, task);
}

static void
enable_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL && self->closed)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  send_id (self, task);
}

static void
send_enable (BuzonImapSession *self,
             GTask            *task)
{
  gboolean condstore = g_hash_table_contains (self->capabilities, "CONDSTORE");
  gboolean qresync = g_hash_table_contains (self->capabilities, "QRESYNC");
  BuzonImapCommand *command;

  if (!g_hash_table_contains (self->capabilities, "ENABLE") || (!condstore && !qresync))
    {
      send_id (self, task);
      return;
    }

  self->condstore = TRUE;
  command = new_command (self, "ENABLE");
  if (condstore)
    buzon_imap_command_add_atom (command, "CONDSTORE");
  if (qresync)
    buzon_imap_command_add_atom (command, "QRESYNC");
  run_command (self, command, NULL, NULL, NULL, FALSE, enable_cb, task);
}

/* CAPABILITY, then @next. */
typedef void (*ConnectStep) (BuzonImapSession *self,
                             GTask            *task);

static void
capability_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  ConnectStep next = (ConnectStep) (guintptr) g_object_get_data (G_OBJECT (task), "next");
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      fail_connect (self, task, g_steal_pointer (&error));
      return;
    }

  next (self, task);
}

static void
send_capability (BuzonImapSession *self,
                 GTask            *task,
                 ConnectStep       next)
{
  g_object_set_data (G_OBJECT (task), "next", BUZON_SOURCE_TAG (next));
  run_command (self, new_command (self, "CAPABILITY"), NULL, NULL, NULL, FALSE,
               capability_cb, task);
}

static void
after_authenticate (BuzonImapSession *self,
                    GTask            *task)
{
  if (g_hash_table_size (self->capabilities) == 0)
    send_capability (self, task, send_enable);
  else
    send_enable (self, task);
}

static void
authenticate_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      if (g_error_matches (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED))
        {
          GError *auth = g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_AUTH,
                                      _("The server “%s” did not accept the user name or password: %s"),
                                      buzon_connection_get_host (self->connection),
                                      self->last_refusal != NULL && *self->last_refusal != '\0'
                                      ? self->last_refusal : _("no reason given"));
          fail_connect (self, task, auth);
        }
      else
        fail_connect (self, task, g_steal_pointer (&error));
      return;
    }

  after_authenticate (self, task);
}

static void
authenticate (BuzonImapSession *self,
              GTask            *task)
{
  ConnectData *data = g_task_get_task_data (task);
  BuzonImapCommand *command;
  GPtrArray *steps = NULL;
  GError *error = NULL;

  if (self->preauth)
    {
      after_authenticate (self, task);
      return;
    }

  if (!buzon_connection_is_encrypted (self->connection)
      && g_hash_table_contains (self->capabilities, "LOGINDISABLED"))
    {
      fail_connect (self, task,
                    g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_LOGIN_DISABLED,
                                 _("The server “%s” does not accept passwords on a connection that is not encrypted. Use TLS or STARTTLS."),
                                 buzon_connection_get_host (self->connection)));
      return;
    }

  if (g_hash_table_contains (self->capabilities, "AUTH=PLAIN"))
    {
      g_autofree char *initial = buzon_sasl_plain_encode (NULL, data->username,
                                                          data->password, &error);

      if (initial == NULL)
        {
          fail_connect (self, task, error);
          return;
        }

      command = new_command (self, "AUTHENTICATE");
      buzon_imap_command_add_atom (command, "PLAIN");
      if (g_hash_table_contains (self->capabilities, "SASL-IR"))
        buzon_imap_command_add_raw (command, initial);
      else
        {
          steps = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (steps, g_steal_pointer (&initial));
        }
    }
  else if (g_hash_table_contains (self->capabilities, "AUTH=LOGIN"))
    {
      command = new_command (self, "AUTHENTICATE");
      buzon_imap_command_add_atom (command, "LOGIN");
      steps = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (steps, buzon_sasl_login_encode (data->username));
      g_ptr_array_add (steps, buzon_sasl_login_encode (data->password));
    }
  else
    {
      command = new_command (self, "LOGIN");
      buzon_imap_command_add_string (command, data->username);
      buzon_imap_command_add_secret (command, data->password);
    }

  /* The capabilities may change with the login (RFC 3501 §6.2.3). */
  set_capabilities (self, NULL);
  run_command (self, command, NULL, NULL, steps, FALSE, authenticate_cb, task);
}

static void
after_starttls_capabilities (BuzonImapSession *self,
                             GTask            *task)
{
  authenticate (self, task);
}

static void
start_tls_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!buzon_connection_start_tls_finish (BUZON_CONNECTION (object), result, &error))
    {
      fail_connect (self, task, error);
      return;
    }

  /* Forget what was said before TLS (RFC 3501 §6.2.1). */
  set_capabilities (self, NULL);
  self->paused = FALSE;
  start_reading (self);
  send_capability (self, task, after_starttls_capabilities);
}

static void
starttls_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      fail_connect (self, task, error);
      return;
    }

  buzon_connection_start_tls_async (self->connection, g_task_get_cancellable (task),
                                    start_tls_cb, task);
}

static void
after_capabilities (BuzonImapSession *self,
                    GTask            *task)
{
  if (buzon_connection_get_security (self->connection) == BUZON_SECURITY_STARTTLS
      && !buzon_connection_is_encrypted (self->connection))
    {
      if (!g_hash_table_contains (self->capabilities, "STARTTLS"))
        {
          fail_connect (self, task,
                        g_error_new (BUZON_IMAP_SESSION_ERROR,
                                     BUZON_IMAP_SESSION_ERROR_STARTTLS_UNAVAILABLE,
                                     _("The server “%s” does not offer STARTTLS, so the connection cannot be encrypted. No password was sent."),
                                     buzon_connection_get_host (self->connection)));
          return;
        }

      run_command (self, new_command (self, "STARTTLS"), NULL, NULL, NULL, TRUE,
                   starttls_cb, task);
      return;
    }

  authenticate (self, task);
}

static void
after_greeting (BuzonImapSession *self,
                GTask            *task)
{
  if (g_hash_table_size (self->capabilities) == 0)
    send_capability (self, task, after_capabilities);
  else
    after_capabilities (self, task);
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!buzon_connection_connect_finish (BUZON_CONNECTION (object), result, &error))
    {
      fail_connect (self, task, error);
      return;
    }

  self->greeting_task = task;
  start_reading (self);
}

/**
 * buzon_imap_session_connect_async:
 * @self: a #BuzonImapSession
 * @username: the login name
 * @password: the password
 * @cancellable: (nullable): a #GCancellable, for the connection step
 * @callback: called when the session is logged in or has failed
 * @user_data: data for @callback
 *
 * Connects, reads the greeting and capabilities, runs STARTTLS when the
 * connection's security asks for it (and fails with
 * %BUZON_IMAP_SESSION_ERROR_STARTTLS_UNAVAILABLE, sending no password, when
 * the server does not offer it), logs in with AUTHENTICATE PLAIN,
 * AUTHENTICATE LOGIN or LOGIN, then enables CONDSTORE and QRESYNC and sends
 * ID when the server has them.
 */
void
buzon_imap_session_connect_async (BuzonImapSession    *self,
                                  const char          *username,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ConnectData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_connect_async));

  if (self->started)
    {
      g_task_return_new_error (task, BUZON_IMAP_SESSION_ERROR,
                               BUZON_IMAP_SESSION_ERROR_FAILED,
                               _("This session was already used."));
      return;
    }
  self->started = TRUE;

  data = g_new0 (ConnectData, 1);
  data->username = g_strdup (username);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  buzon_connection_connect_async (self->connection, cancellable, connect_cb,
                                  g_steal_pointer (&task));
}

/**
 * buzon_imap_session_connect_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for an error: %BUZON_IMAP_SESSION_ERROR or
 *   %BUZON_NET_ERROR
 *
 * Returns: whether the session is logged in
 */
gboolean
buzon_imap_session_connect_finish (BuzonImapSession  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Commands: the public task is passed as user_data to run_command(). */

static gboolean
check_connected (BuzonImapSession *self,
                 GTask            *task)
{
  if (self->logged_in && !self->closed)
    return TRUE;

  g_task_return_error (task, not_connected_error ());
  return FALSE;
}

static void
boolean_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_session_noop_async:
 * @self: a #BuzonImapSession
 * @cancellable: (nullable): a #GCancellable (unused: a command once sent
 *   runs to its end)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Sends NOOP, which lets the server report changes (as signals).
 */
void
buzon_imap_session_noop_async (BuzonImapSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_noop_async));
  if (!check_connected (self, task))
    return;

  run_command (self, new_command (self, "NOOP"), NULL, NULL, NULL, FALSE,
               boolean_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_noop_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: whether the server answered OK
 */
gboolean
buzon_imap_session_noop_finish (BuzonImapSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* LIST */

static gboolean
collect_list (BuzonImapSession  *self,
              gpointer           data,
              BuzonImapResponse *response)
{
  GPtrArray *mailboxes = data;
  g_autoptr(BuzonImapListEntry) entry = NULL;
  BuzonImapMailbox *mailbox;

  if (!buzon_imap_response_is_named (response, "LIST"))
    return FALSE;

  entry = buzon_imap_response_parse_list (response, NULL);
  if (entry == NULL)
    return TRUE;

  mailbox = g_new0 (BuzonImapMailbox, 1);
  mailbox->name = g_strdup (entry->display_name);
  mailbox->raw_name = g_strdup (entry->name);
  mailbox->delimiter = entry->delimiter;
  mailbox->flags = entry->flags;
  g_ptr_array_add (mailboxes, mailbox);

  return TRUE;
}

static void
list_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_ptr_array_ref (g_task_get_task_data (task)),
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_imap_session_list_async:
 * @self: a #BuzonImapSession
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the mailboxes
 * @user_data: data for @callback
 *
 * Lists every mailbox: `LIST "" "*"`, with `RETURN (SPECIAL-USE CHILDREN)`
 * when the server has LIST-EXTENDED and SPECIAL-USE.
 */
void
buzon_imap_session_list_async (BuzonImapSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BuzonImapCommand *command;
  GPtrArray *mailboxes;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_list_async));
  if (!check_connected (self, task))
    return;

  mailboxes = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_mailbox_free);
  g_task_set_task_data (task, mailboxes, (GDestroyNotify) g_ptr_array_unref);

  command = new_command (self, "LIST");
  buzon_imap_command_add_string (command, "");
  buzon_imap_command_add_string (command, "*");
  if (g_hash_table_contains (self->capabilities, "LIST-EXTENDED")
      && g_hash_table_contains (self->capabilities, "SPECIAL-USE"))
    buzon_imap_command_add_raw (command, "RETURN (SPECIAL-USE CHILDREN)");

  run_command (self, command, collect_list, mailboxes, NULL, FALSE,
               list_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_list_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: (transfer container) (element-type BuzonImapMailbox): the
 *   mailboxes, or %NULL with @error set
 */
GPtrArray *
buzon_imap_session_list_finish (BuzonImapSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SELECT and EXAMINE */

static gboolean
collect_select (BuzonImapSession  *self,
                gpointer           data,
                BuzonImapResponse *response)
{
  BuzonImapSelectInfo *info = data;
  const char *code = buzon_imap_response_get_code (response);
  guint32 number;
  guint64 value;

  if (buzon_imap_response_is_named (response, "EXISTS")
      && buzon_imap_response_get_number (response, &number))
    info->exists = number;
  else if (buzon_imap_response_is_named (response, "RECENT"))
    ;
  else if (buzon_imap_response_is_named (response, "FLAGS"))
    {
      g_strfreev (info->flags);
      info->flags = buzon_imap_response_parse_flags (response, NULL);
    }
  else if (buzon_imap_response_get_condition (response) == BUZON_IMAP_CONDITION_OK
           && code != NULL)
    {
      if (g_str_equal (code, "UIDVALIDITY")
          && buzon_imap_response_get_code_number (response, &value))
        info->uidvalidity = (guint32) value;
      else if (g_str_equal (code, "UIDNEXT")
               && buzon_imap_response_get_code_number (response, &value))
        info->uidnext = (guint32) value;
      else if (g_str_equal (code, "HIGHESTMODSEQ")
               && buzon_imap_response_get_code_number (response, &value))
        info->highestmodseq = value;
      else if (g_str_equal (code, "NOMODSEQ"))
        info->nomodseq = TRUE;
      else if (g_str_equal (code, "PERMANENTFLAGS"))
        {
          g_strfreev (info->permanent_flags);
          info->permanent_flags = buzon_imap_response_parse_flags (response, NULL);
        }
      else
        return FALSE;
    }
  else
    return FALSE;

  return TRUE;
}

static void
select_info_steal_free (gpointer data)
{
  buzon_imap_select_info_free (data);
}

static void
select_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSelectInfo *info = g_task_get_task_data (task);
  BuzonImapSelectInfo *copy;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_strcmp0 (buzon_imap_response_get_code (response), "READ-ONLY") == 0)
    info->read_only = TRUE;

  copy = g_memdup2 (info, sizeof *info);
  copy->flags = g_strdupv (info->flags);
  copy->permanent_flags = g_strdupv (info->permanent_flags);
  g_task_return_pointer (task, copy, select_info_steal_free);
}

/**
 * buzon_imap_session_select_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox name in UTF-8 (a #BuzonImapMailbox's name)
 * @read_only: %TRUE for EXAMINE, %FALSE for SELECT
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with what the server said about the mailbox
 * @user_data: data for @callback
 *
 * Selects @mailbox (with CONDSTORE when it is enabled).
 */
void
buzon_imap_session_select_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 gboolean             read_only,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  BuzonImapSelectInfo *info;
  GError *error = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_select_async));
  if (!check_connected (self, task))
    return;

  command = new_command (self, read_only ? "EXAMINE" : "SELECT");
  if (!buzon_imap_command_add_mailbox (command, mailbox, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->condstore)
    buzon_imap_command_add_raw (command, "(CONDSTORE)");

  info = g_new0 (BuzonImapSelectInfo, 1);
  info->read_only = read_only;
  g_task_set_task_data (task, info, select_info_steal_free);

  run_command (self, g_steal_pointer (&command), collect_select, info, NULL, FALSE,
               select_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_select_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: (transfer full): the mailbox's state, or %NULL with @error set
 */
BuzonImapSelectInfo *
buzon_imap_session_select_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* UID FETCH */

typedef struct
{
  GPtrArray *fetches;
  guint32    uid;
  guint32    first_uid;
  guint32    last_uid;
  gboolean   body;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_pointer (&data->fetches, g_ptr_array_unref);
  g_free (data);
}

static gboolean
collect_fetch (BuzonImapSession  *self,
               gpointer           user_data,
               BuzonImapResponse *response)
{
  FetchData *data = user_data;
  g_autoptr(BuzonImapFetch) fetch = NULL;

  if (!buzon_imap_response_is_named (response, "FETCH"))
    return FALSE;

  fetch = buzon_imap_response_parse_fetch (response, NULL);
  if (fetch == NULL || !(fetch->items & BUZON_IMAP_FETCH_UID))
    return FALSE;

  if (data->body)
    {
      if (fetch->uid != data->uid || buzon_imap_fetch_get_body (fetch, "") == NULL)
        return FALSE;
    }
  else if (!(fetch->items & BUZON_IMAP_FETCH_ENVELOPE)
           || fetch->uid < data->first_uid || fetch->uid > data->last_uid)
    return FALSE;

  g_ptr_array_add (data->fetches, g_steal_pointer (&fetch));
  return TRUE;
}

static void
fetch_summaries_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_ptr_array_ref (data->fetches),
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_imap_session_uid_fetch_summaries_async:
 * @self: a #BuzonImapSession with a selected mailbox
 * @first_uid: the first UID
 * @last_uid: the last UID, or %BUZON_IMAP_UID_STAR
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the summaries
 * @user_data: data for @callback
 *
 * Fetches FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE, the
 * References header (and MODSEQ with CONDSTORE) of the messages whose UID
 * is in @first_uid:@last_uid.
 */
void
buzon_imap_session_uid_fetch_summaries_async (BuzonImapSession    *self,
                                              guint32              first_uid,
                                              guint32              last_uid,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *set = NULL;
  BuzonImapCommand *command;
  BuzonImapUidRange range = { first_uid, last_uid };
  FetchData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (first_uid > 0 && first_uid <= last_uid);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_fetch_summaries_async));
  if (!check_connected (self, task))
    return;

  data = g_new0 (FetchData, 1);
  data->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
  data->first_uid = first_uid;
  data->last_uid = last_uid;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  set = buzon_imap_uid_set_format_ranges (&range, 1);
  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "FETCH");
  buzon_imap_command_add_raw (command, set);
  buzon_imap_command_add_raw (command,
                              self->condstore
                              ? "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE"
                                " BODY.PEEK[HEADER.FIELDS (REFERENCES)] MODSEQ)"
                              : "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE"
                                " BODY.PEEK[HEADER.FIELDS (REFERENCES)])");

  run_command (self, command, collect_fetch, data, NULL, FALSE,
               fetch_summaries_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_fetch_summaries_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: (transfer container) (element-type BuzonImapFetch): the
 *   summaries in the order the server sent them, or %NULL with @error set
 */
GPtrArray *
buzon_imap_session_uid_fetch_summaries_finish (BuzonImapSession  *self,
                                               GAsyncResult      *result,
                                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GBytes *
value_to_bytes (const BuzonImapValue  *value,
                GError               **error)
{
  g_autoptr(GFile) file = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!buzon_imap_value_is_spooled (value))
    return buzon_imap_value_dup_bytes (value);

  file = buzon_imap_value_get_file (value);
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, error))
    return NULL;

  return g_bytes_new_take (contents, length);
}

static void
fetch_body_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);
  const BuzonImapFetchBody *body;
  GBytes *bytes;

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->fetches->len == 0
      || (body = buzon_imap_fetch_get_body (g_ptr_array_index (data->fetches, 0), "")) == NULL
      || body->data == NULL || buzon_imap_value_is_nil (body->data))
    {
      g_task_return_new_error (task, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED,
                               _("The server “%s” did not send the message."),
                               buzon_connection_get_host (self->connection));
      return;
    }

  bytes = value_to_bytes (body->data, &error);
  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

/**
 * buzon_imap_session_uid_fetch_body_async:
 * @self: a #BuzonImapSession with a selected mailbox
 * @uid: a message's UID
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the message
 * @user_data: data for @callback
 *
 * Fetches a whole message (`BODY.PEEK[]`, which does not set \Seen).
 */
void
buzon_imap_session_uid_fetch_body_async (BuzonImapSession    *self,
                                         guint32              uid,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BuzonImapCommand *command;
  FetchData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (uid > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_fetch_body_async));
  if (!check_connected (self, task))
    return;

  data = g_new0 (FetchData, 1);
  data->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
  data->uid = uid;
  data->body = TRUE;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "FETCH");
  buzon_imap_command_add_number (command, uid);
  buzon_imap_command_add_raw (command, "(UID BODY.PEEK[])");

  run_command (self, command, collect_fetch, data, NULL, FALSE,
               fetch_body_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_fetch_body_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: (transfer full): the message's bytes, or %NULL with @error set
 */
GBytes *
buzon_imap_session_uid_fetch_body_finish (BuzonImapSession  *self,
                                          GAsyncResult      *result,
                                          GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* UID STORE */

/**
 * buzon_imap_session_uid_store_async:
 * @self: a #BuzonImapSession with a mailbox selected read-write
 * @uids: (array length=n_uids): the messages' UIDs
 * @n_uids: how many, at least one
 * @mode: whether to add, remove or replace @flags
 * @flags: (array zero-terminated=1): flags such as `\Seen` or keywords
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Changes the flags of messages (`UID STORE ... +FLAGS.SILENT (...)`).
 * Changes the server reports anyway arrive through #BuzonImapSession::fetch.
 */
void
buzon_imap_session_uid_store_async (BuzonImapSession    *self,
                                    const guint32       *uids,
                                    gsize                n_uids,
                                    BuzonImapStoreMode   mode,
                                    const char * const  *flags,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  static const char * const items[] = { "+FLAGS.SILENT", "-FLAGS.SILENT", "FLAGS.SILENT" };
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (uids != NULL && n_uids > 0);
  g_return_if_fail (mode <= BUZON_IMAP_STORE_REPLACE);
  g_return_if_fail (flags != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_store_async));
  if (!check_connected (self, task))
    return;

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "STORE");
  if (!buzon_imap_command_add_uid_set (command, uids, n_uids, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  buzon_imap_command_add_atom (command, items[mode]);
  if (!buzon_imap_command_add_flags (command, flags, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
               boolean_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_store_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a flag that cannot be sent
 *
 * Returns: whether the server changed the flags
 */
gboolean
buzon_imap_session_uid_store_finish (BuzonImapSession  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* UID SEARCH */

static gboolean
collect_search (BuzonImapSession  *self,
                gpointer           data,
                BuzonImapResponse *response)
{
  GArray *uids = data;
  g_autoptr(GArray) found = NULL;

  if (!buzon_imap_response_is_named (response, "SEARCH"))
    return FALSE;

  found = buzon_imap_response_parse_search (response, NULL, NULL);
  if (found != NULL)
    g_array_append_vals (uids, found->data, found->len);

  return TRUE;
}

static void
uid_search_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_array_ref (g_task_get_task_data (task)),
                           (GDestroyNotify) g_array_unref);
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;

  return TRUE;
}

/**
 * buzon_imap_session_uid_search_async:
 * @self: a #BuzonImapSession with a mailbox selected
 * @first_uid: the lowest UID to match, or 0 for no UID criterion
 * @last_uid: the highest UID to match, or 0 for no upper bound (`*`)
 * @text: (nullable): UTF-8 text the message must contain in its header or
 *   body (the TEXT criterion), or %NULL
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the UIDs
 * @user_data: data for @callback
 *
 * Searches the selected mailbox (`UID SEARCH`, RFC 3501 section 6.4.4):
 * with neither criterion, `ALL`. @text is sent quoted or as a literal, with
 * `CHARSET UTF-8` when it is not ASCII.
 */
void
buzon_imap_session_uid_search_async (BuzonImapSession    *self,
                                     guint32              first_uid,
                                     guint32              last_uid,
                                     const char          *text,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;
  GArray *uids;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (last_uid == 0 || first_uid <= last_uid);
  g_return_if_fail (text == NULL || g_utf8_validate (text, -1, NULL));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_search_async));
  if (!check_connected (self, task))
    return;

  uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_task_set_task_data (task, uids, (GDestroyNotify) g_array_unref);

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "SEARCH");
  if (text != NULL && !is_ascii (text))
    {
      buzon_imap_command_add_atom (command, "CHARSET");
      buzon_imap_command_add_atom (command, "UTF-8");
    }
  if (first_uid == 0 && text == NULL)
    buzon_imap_command_add_atom (command, "ALL");
  if (first_uid != 0)
    {
      g_autofree char *set = last_uid == 0
                             ? g_strdup_printf ("%u:*", first_uid)
                             : g_strdup_printf ("%u:%u", first_uid, last_uid);

      buzon_imap_command_add_atom (command, "UID");
      if (!buzon_imap_command_add_sequence_set (command, set, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  if (text != NULL)
    {
      buzon_imap_command_add_atom (command, "TEXT");
      buzon_imap_command_add_string (command, text);
    }

  run_command (self, g_steal_pointer (&command), collect_search, uids, NULL, FALSE,
               uid_search_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_search_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: (transfer full) (element-type guint32): the matching UIDs in the
 *   server's order, or %NULL with @error set
 */
GArray *
buzon_imap_session_uid_search_finish (BuzonImapSession  *self,
                                      GAsyncResult      *result,
                                      GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* APPEND */

typedef struct
{
  guint32 uidvalidity;
  guint32 uid;
} AppendUid;

static void
append_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);
  g_autoptr(BuzonImapCopyUid) copy_uid = NULL;
  AppendUid *append_uid;

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  append_uid = g_new0 (AppendUid, 1);
  /* UIDPLUS (RFC 4315 section 3): `OK [APPENDUID uidvalidity uid]`. */
  if (g_strcmp0 (buzon_imap_response_get_code (response), "APPENDUID") == 0)
    copy_uid = buzon_imap_response_parse_copyuid (response, NULL);
  if (copy_uid != NULL && copy_uid->dest_uids != NULL && copy_uid->dest_uids->len == 1)
    {
      BuzonImapUidRange *range = &g_array_index (copy_uid->dest_uids, BuzonImapUidRange, 0);

      if (range->first == range->last)
        {
          append_uid->uidvalidity = copy_uid->uidvalidity;
          append_uid->uid = range->first;
        }
    }

  g_task_return_pointer (task, append_uid, g_free);
}

/**
 * buzon_imap_session_append_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox's name in UTF-8
 * @message: the whole message (RFC 5322, CRLF line ends)
 * @flags: (nullable) (array zero-terminated=1): flags to set on it, such as
 *   `\Seen`
 * @internal_date: (nullable): its internal date, or %NULL for the server's
 *   clock
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Adds a message to a mailbox (APPEND, RFC 3501 section 6.3.11). The
 * message is sent as a literal.
 */
void
buzon_imap_session_append_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 GBytes              *message,
                                 const char * const  *flags,
                                 GDateTime           *internal_date,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);
  g_return_if_fail (message != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_append_async));
  if (!check_connected (self, task))
    return;

  command = new_command (self, "APPEND");
  if (!buzon_imap_command_add_mailbox (command, mailbox, &error)
      || (flags != NULL && flags[0] != NULL
          && !buzon_imap_command_add_flags (command, flags, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  if (internal_date != NULL)
    buzon_imap_command_add_date_time (command, internal_date);
  buzon_imap_command_add_literal (command, message);

  run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
               append_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_append_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @out_uidvalidity: (out) (optional): the mailbox's UIDVALIDITY from
 *   APPENDUID, or 0 when the server gave none
 * @out_uid: (out) (optional): the new message's UID from APPENDUID, or 0
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name or flag that cannot be sent
 *
 * Returns: whether the server stored the message
 */
gboolean
buzon_imap_session_append_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  guint32           *out_uidvalidity,
                                  guint32           *out_uid,
                                  GError           **error)
{
  g_autofree AppendUid *append_uid = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  append_uid = g_task_propagate_pointer (G_TASK (result), error);
  if (out_uidvalidity != NULL)
    *out_uidvalidity = append_uid != NULL ? append_uid->uidvalidity : 0;
  if (out_uid != NULL)
    *out_uid = append_uid != NULL ? append_uid->uid : 0;

  return append_uid != NULL;
}

/* UID COPY */

static void
uid_copy_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);
  BuzonImapCopyUid *copy_uid = NULL;

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* UIDPLUS (RFC 4315 section 3): `OK [COPYUID uidvalidity source dest]`. */
  if (g_strcmp0 (buzon_imap_response_get_code (response), "COPYUID") == 0)
    copy_uid = buzon_imap_response_parse_copyuid (response, NULL);
  if (copy_uid == NULL)
    copy_uid = g_new0 (BuzonImapCopyUid, 1);

  g_task_return_pointer (task, copy_uid, (GDestroyNotify) buzon_imap_copy_uid_free);
}

/**
 * buzon_imap_session_uid_copy_async:
 * @self: a #BuzonImapSession with a mailbox selected
 * @uids: (array length=n_uids): the messages' UIDs
 * @n_uids: how many, at least one
 * @mailbox: the destination's name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Copies messages to another mailbox (`UID COPY`, RFC 3501 section 6.4.8).
 */
void
buzon_imap_session_uid_copy_async (BuzonImapSession    *self,
                                   const guint32       *uids,
                                   gsize                n_uids,
                                   const char          *mailbox,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (uids != NULL && n_uids > 0);
  g_return_if_fail (mailbox != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_copy_async));
  if (!check_connected (self, task))
    return;

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "COPY");
  if (!buzon_imap_command_add_uid_set (command, uids, n_uids, &error)
      || !buzon_imap_command_add_mailbox (command, mailbox, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
               uid_copy_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_copy_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @out_copy_uid: (out) (optional) (transfer full): the COPYUID mapping of
 *   source to destination UIDs; its @uidvalidity is 0 and its arrays %NULL
 *   when the server gave none (no UIDPLUS)
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: whether the server copied the messages
 */
gboolean
buzon_imap_session_uid_copy_finish (BuzonImapSession  *self,
                                    GAsyncResult      *result,
                                    BuzonImapCopyUid **out_copy_uid,
                                    GError           **error)
{
  g_autoptr(BuzonImapCopyUid) copy_uid = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  copy_uid = g_task_propagate_pointer (G_TASK (result), error);
  if (copy_uid == NULL)
    return FALSE;

  if (out_copy_uid != NULL)
    *out_copy_uid = g_steal_pointer (&copy_uid);
  return TRUE;
}

/* UID MOVE */

typedef struct
{
  guint32          *uids;
  gsize             n_uids;
  BuzonImapCopyUid *copy_uid;
  gboolean          left_deleted;
} MoveData;

static void
move_data_free (MoveData *data)
{
  g_free (data->uids);
  g_clear_pointer (&data->copy_uid, buzon_imap_copy_uid_free);
  g_free (data);
}

static void
move_take_copyuid (MoveData          *data,
                   BuzonImapResponse *response)
{
  BuzonImapCopyUid *copy_uid;

  if (data->copy_uid != NULL
      || g_strcmp0 (buzon_imap_response_get_code (response), "COPYUID") != 0)
    return;

  copy_uid = buzon_imap_response_parse_copyuid (response, NULL);
  if (copy_uid != NULL)
    data->copy_uid = copy_uid;
}

/* MOVE sends COPYUID in an untagged OK before the EXPUNGEs (RFC 6851
 * section 4.3). */
static gboolean
collect_move (BuzonImapSession  *self,
              gpointer           data,
              BuzonImapResponse *response)
{
  if (buzon_imap_response_get_condition (response) != BUZON_IMAP_CONDITION_OK
      || g_strcmp0 (buzon_imap_response_get_code (response), "COPYUID") != 0)
    return FALSE;

  move_take_copyuid (data, response);
  return TRUE;
}

static void
move_return (GTask *task)
{
  MoveData *data = g_task_get_task_data (task);

  if (data->copy_uid == NULL)
    data->copy_uid = g_new0 (BuzonImapCopyUid, 1);
  g_task_return_boolean (task, TRUE);
}

static void
move_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  move_take_copyuid (g_task_get_task_data (task), response);
  move_return (task);
}

static void
move_store_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  MoveData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);
  g_autoptr(BuzonImapCommand) command = NULL;

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Without UIDPLUS only a plain EXPUNGE is left, which would also remove
   * the messages the user marked \Deleted elsewhere: leave ours marked. */
  if (!g_hash_table_contains (self->capabilities, "UIDPLUS"))
    {
      data->left_deleted = TRUE;
      move_return (task);
      return;
    }

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "EXPUNGE");
  if (!buzon_imap_command_add_uid_set (command, data->uids, data->n_uids, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
               move_done_cb, g_steal_pointer (&task));
}

static void
move_copy_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  MoveData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);
  g_autoptr(BuzonImapCommand) command = NULL;
  const char * const deleted[] = { "\\Deleted", NULL };

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  move_take_copyuid (data, response);

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "STORE");
  if (!buzon_imap_command_add_uid_set (command, data->uids, data->n_uids, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  buzon_imap_command_add_atom (command, "+FLAGS.SILENT");
  if (!buzon_imap_command_add_flags (command, deleted, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
               move_store_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_move_async:
 * @self: a #BuzonImapSession with a mailbox selected read-write
 * @uids: (array length=n_uids): the messages' UIDs
 * @n_uids: how many, at least one
 * @mailbox: the destination's name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Moves messages to another mailbox: `UID MOVE` when the server has MOVE
 * (RFC 6851); otherwise `UID COPY`, `UID STORE +FLAGS.SILENT (\Deleted)` and,
 * with UIDPLUS, `UID EXPUNGE` of just these messages (RFC 4315). Without
 * UIDPLUS no EXPUNGE is sent, since it would remove every message marked
 * \Deleted: the originals stay, marked, and the finish function says so.
 */
void
buzon_imap_session_uid_move_async (BuzonImapSession    *self,
                                   const guint32       *uids,
                                   gsize                n_uids,
                                   const char          *mailbox,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;
  MoveData *data;
  gboolean move;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (uids != NULL && n_uids > 0);
  g_return_if_fail (mailbox != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_move_async));
  if (!check_connected (self, task))
    return;

  data = g_new0 (MoveData, 1);
  data->uids = g_memdup2 (uids, n_uids * sizeof (guint32));
  data->n_uids = n_uids;
  g_task_set_task_data (task, data, (GDestroyNotify) move_data_free);

  move = g_hash_table_contains (self->capabilities, "MOVE");
  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, move ? "MOVE" : "COPY");
  if (!buzon_imap_command_add_uid_set (command, uids, n_uids, &error)
      || !buzon_imap_command_add_mailbox (command, mailbox, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (move)
    run_command (self, g_steal_pointer (&command), collect_move, data, NULL, FALSE,
                 move_done_cb, g_steal_pointer (&task));
  else
    run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
                 move_copy_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_move_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @out_copy_uid: (out) (optional) (transfer full): the COPYUID mapping of
 *   source to destination UIDs; its @uidvalidity is 0 and its arrays %NULL
 *   when the server gave none (no UIDPLUS)
 * @out_left_deleted: (out) (optional): set to %TRUE when the originals were
 *   copied and marked \Deleted but not expunged (a server with neither MOVE
 *   nor UIDPLUS); they go at the next EXPUNGE
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: whether the messages were moved (or copied and marked)
 */
gboolean
buzon_imap_session_uid_move_finish (BuzonImapSession  *self,
                                    GAsyncResult      *result,
                                    BuzonImapCopyUid **out_copy_uid,
                                    gboolean          *out_left_deleted,
                                    GError           **error)
{
  MoveData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (out_left_deleted != NULL)
    *out_left_deleted = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (out_copy_uid != NULL)
    *out_copy_uid = g_steal_pointer (&data->copy_uid);
  if (out_left_deleted != NULL)
    *out_left_deleted = data->left_deleted;
  return TRUE;
}

/* GETQUOTAROOT */

typedef struct
{
  guint64 usage;
  guint64 limit;
} QuotaData;

static gboolean
collect_quota (BuzonImapSession  *self,
               gpointer           data,
               BuzonImapResponse *response)
{
  QuotaData *quota_data = data;
  g_autoptr(BuzonImapQuota) quota = NULL;

  if (buzon_imap_response_is_named (response, "QUOTAROOT"))
    return TRUE;
  if (!buzon_imap_response_is_named (response, "QUOTA"))
    return FALSE;

  quota = buzon_imap_response_parse_quota (response, NULL);
  if (quota == NULL || quota->resources == NULL)
    return TRUE;

  /* With several roots, the one with the least room left counts. */
  for (guint i = 0; i < quota->resources->len; i++)
    {
      BuzonImapQuotaResource *resource = &g_array_index (quota->resources,
                                                         BuzonImapQuotaResource, i);

      if (g_ascii_strcasecmp (resource->name, "STORAGE") != 0)
        continue;
      if (quota_data->limit == 0
          || (resource->limit - MIN (resource->usage, resource->limit)
              < quota_data->limit - MIN (quota_data->usage, quota_data->limit)))
        {
          quota_data->usage = resource->usage;
          quota_data->limit = resource->limit;
        }
    }

  return TRUE;
}

static void
quota_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_session_getquotaroot_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox's name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Asks for the storage quota of a mailbox (GETQUOTAROOT, RFC 9208 section
 * 4.1.2). Without QUOTA in the capabilities nothing is sent and the result
 * is 0 of 0.
 */
void
buzon_imap_session_getquotaroot_async (BuzonImapSession    *self,
                                       const char          *mailbox,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;
  QuotaData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_getquotaroot_async));
  if (!check_connected (self, task))
    return;

  data = g_new0 (QuotaData, 1);
  g_task_set_task_data (task, data, g_free);
  if (!g_hash_table_contains (self->capabilities, "QUOTA"))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  command = new_command (self, "GETQUOTAROOT");
  if (!buzon_imap_command_add_mailbox (command, mailbox, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  run_command (self, g_steal_pointer (&command), collect_quota, data, NULL, FALSE,
               quota_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_getquotaroot_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @out_usage: (out) (optional): the STORAGE used, in KiB (RFC 9208 section
 *   5.1), or 0
 * @out_limit: (out) (optional): the STORAGE limit in KiB, or 0 when there
 *   is none (or no QUOTA)
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * With several quota roots, the one with the least room left is reported.
 *
 * Returns: whether the server answered OK (or has no QUOTA)
 */
gboolean
buzon_imap_session_getquotaroot_finish (BuzonImapSession  *self,
                                        GAsyncResult      *result,
                                        guint64           *out_usage,
                                        guint64           *out_limit,
                                        GError           **error)
{
  QuotaData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (out_usage != NULL)
    *out_usage = 0;
  if (out_limit != NULL)
    *out_limit = 0;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (out_usage != NULL)
    *out_usage = data->usage;
  if (out_limit != NULL)
    *out_limit = data->limit;
  return TRUE;
}

/* CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE */

/* Sends @name with one or two mailbox names; the task returns a boolean. */
static void
mailbox_command (BuzonImapSession    *self,
                 const char          *name,
                 const char          *mailbox,
                 const char          *new_mailbox,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  if (!check_connected (self, task))
    return;

  command = new_command (self, name);
  if (!buzon_imap_command_add_mailbox (command, mailbox, &error)
      || (new_mailbox != NULL && !buzon_imap_command_add_mailbox (command, new_mailbox, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
               boolean_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_create_async:
 * @self: a #BuzonImapSession
 * @mailbox: the new mailbox's name in UTF-8, with the server's delimiter
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Creates a mailbox (CREATE, RFC 3501 section 6.3.3). The name is sent in
 * modified UTF-7; the server creates missing parents itself.
 */
void
buzon_imap_session_create_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  mailbox_command (self, "CREATE", mailbox, NULL,
                   BUZON_SOURCE_TAG (buzon_imap_session_create_async),
                   cancellable, callback, user_data);
}

/**
 * buzon_imap_session_create_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: whether the server created the mailbox
 */
gboolean
buzon_imap_session_create_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_session_delete_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox's name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Deletes a mailbox and its messages (DELETE, RFC 3501 section 6.3.4).
 */
void
buzon_imap_session_delete_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  mailbox_command (self, "DELETE", mailbox, NULL,
                   BUZON_SOURCE_TAG (buzon_imap_session_delete_async),
                   cancellable, callback, user_data);
}

/**
 * buzon_imap_session_delete_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: whether the server deleted the mailbox
 */
gboolean
buzon_imap_session_delete_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_session_rename_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox's name in UTF-8
 * @new_name: its new name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Renames a mailbox, with its children (RENAME, RFC 3501 section 6.3.5).
 */
void
buzon_imap_session_rename_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 const char          *new_name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);
  g_return_if_fail (new_name != NULL);

  mailbox_command (self, "RENAME", mailbox, new_name,
                   BUZON_SOURCE_TAG (buzon_imap_session_rename_async),
                   cancellable, callback, user_data);
}

/**
 * buzon_imap_session_rename_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: whether the server renamed the mailbox
 */
gboolean
buzon_imap_session_rename_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
subscribe (BuzonImapSession    *self,
           const char          *mailbox,
           gboolean             subscribe,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  mailbox_command (self, subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE", mailbox, NULL,
                   source_tag, cancellable, callback, user_data);
}

/**
 * buzon_imap_session_subscribe_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox's name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Adds a mailbox to the subscriptions (SUBSCRIBE, RFC 3501 section 6.3.6).
 */
void
buzon_imap_session_subscribe_async (BuzonImapSession    *self,
                                    const char          *mailbox,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  subscribe (self, mailbox, TRUE, BUZON_SOURCE_TAG (buzon_imap_session_subscribe_async),
             cancellable, callback, user_data);
}

/**
 * buzon_imap_session_subscribe_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: whether the server subscribed the mailbox
 */
gboolean
buzon_imap_session_subscribe_finish (BuzonImapSession  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_session_unsubscribe_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox's name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Removes a mailbox from the subscriptions (UNSUBSCRIBE, RFC 3501 section
 * 6.3.7).
 */
void
buzon_imap_session_unsubscribe_async (BuzonImapSession    *self,
                                      const char          *mailbox,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  subscribe (self, mailbox, FALSE, BUZON_SOURCE_TAG (buzon_imap_session_unsubscribe_async),
             cancellable, callback, user_data);
}

/**
 * buzon_imap_session_unsubscribe_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: whether the server unsubscribed the mailbox
 */
gboolean
buzon_imap_session_unsubscribe_finish (BuzonImapSession  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* LOGOUT */

static void
logout_close_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* The server may have closed first; either way the session is over. */
  buzon_connection_close_finish (BUZON_CONNECTION (object), result, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
logout_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);
  g_autoptr(GError) closed = NULL;

  closed = g_error_new_literal (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED,
                                _("The connection to the mail server was closed."));
  /* End the session, without dropping the connection: it is closed
   * properly below. */
  self->logging_out = TRUE;
  connection_lost (self, closed);

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  buzon_connection_close_async (self->connection, NULL, logout_close_cb,
                                g_steal_pointer (&task));
}

/**
 * buzon_imap_session_logout_async:
 * @self: a #BuzonImapSession
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the session is over
 * @user_data: data for @callback
 *
 * Sends LOGOUT and closes the connection. Commands still pending fail with
 * %BUZON_IMAP_SESSION_ERROR_CLOSED.
 */
void
buzon_imap_session_logout_async (BuzonImapSession    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_logout_async));
  if (!check_connected (self, task))
    return;

  run_command (self, new_command (self, "LOGOUT"), NULL, NULL, NULL, FALSE,
               logout_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_logout_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: whether the server accepted the LOGOUT
 */
gboolean
buzon_imap_session_logout_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_session_disconnect:
 * @self: a #BuzonImapSession
 *
 * Drops the connection at once, without LOGOUT. Pending commands fail with
 * %BUZON_IMAP_SESSION_ERROR_CLOSED.
 */
void
buzon_imap_session_disconnect (BuzonImapSession *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  error = g_error_new_literal (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED,
                               _("The connection to the mail server was closed."));
  connection_lost (self, error);
}
