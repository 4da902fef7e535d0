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
 * an AUTHENTICATE exchange, STARTTLS, IDLE) holds back the ones behind it.
 *
 * IDLE (RFC 2177) is a command like the others that ends only when the
 * client writes DONE. While the server idles nothing else may be written, so
 * the IDLE command stays the blocking one; a command issued meanwhile (or
 * buzon_imap_session_idle_done()) queues DONE first, and the commands behind
 * it follow at once, before the IDLE's completion comes back. The read that
 * waits for the server's news runs with a long I/O timeout (the connection's
 * own would cut a quiet IDLE); once DONE is written, a timer of the normal
 * length watches that read until the server answers.
 *
 * The read loop holds a reference on the session while the connection is
 * open: end a session with buzon_imap_session_logout_async() or
 * buzon_imap_session_disconnect(). */

#include "config.h"

#include <stdlib.h>
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

/* How long the read of an IDLE may wait for news: past the 29 minutes after
 * which a client is to renew its IDLE (RFC 2177) and the 30 after which a
 * server may log an idle client out (RFC 3501 section 5.4). */
#define IDLE_IO_TIMEOUT (31 * 60)

/* The most UIDs a VANISHED (EARLIER) is expanded to: a server's
 * `1:4294967295` must not become 16 GiB of memory. */
#define MAX_VANISHED_UIDS (16 * 1024 * 1024)

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
  g_clear_pointer (&info->vanished, g_array_unref);
  g_clear_pointer (&info->changed, g_ptr_array_unref);
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
  gboolean          idle;
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
  gboolean          qresync;
  gboolean          logging_out;
  char             *bye_text;
  char             *last_refusal;

  /* IDLE: the command from its issue until DONE is queued (or it ended). */
  Cmd              *idle;
  gboolean          idle_accepted;
  gboolean          idle_end_wanted;
  gboolean          idle_timeout_set;
  guint             idle_saved_timeout;
  GSource          *done_timer;
  guint             idle_serial;

  /* The mailbox of the last successful SELECT or EXAMINE. */
  char             *selected;
  guint32           selected_uidvalidity;
  guint             select_serial;
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
static void idle_reset     (BuzonImapSession *self);

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
  g_free (self->selected);

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
  idle_reset (self);
  g_clear_pointer (&self->selected, g_free);
  self->selected_uidvalidity = 0;

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
      || cmd->auth_steps != NULL || cmd->pause_reading || cmd->idle)
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

/* IDLE */

static void
stop_done_timer (BuzonImapSession *self)
{
  if (self->done_timer != NULL)
    {
      g_source_destroy (self->done_timer);
      g_clear_pointer (&self->done_timer, g_source_unref);
    }
}

/* The read that waits for the server's news must outlast a quiet IDLE. A
 * timeout of 0 (none) or one already longer stays. */
static void
idle_set_timeout (BuzonImapSession *self)
{
  guint timeout = buzon_connection_get_io_timeout (self->connection);

  if (self->idle_timeout_set || timeout == 0 || timeout >= IDLE_IO_TIMEOUT)
    return;

  self->idle_saved_timeout = timeout;
  self->idle_timeout_set = TRUE;
  buzon_connection_set_io_timeout (self->connection, IDLE_IO_TIMEOUT);
}

/* Back to the connection's own timeout, unless the owner changed it since. */
static void
idle_restore_timeout (BuzonImapSession *self)
{
  if (!self->idle_timeout_set)
    return;

  self->idle_timeout_set = FALSE;
  if (self->connection != NULL
      && buzon_connection_get_io_timeout (self->connection) == IDLE_IO_TIMEOUT)
    buzon_connection_set_io_timeout (self->connection, self->idle_saved_timeout);
}

static void
idle_reset (BuzonImapSession *self)
{
  self->idle = NULL;
  self->idle_accepted = FALSE;
  self->idle_end_wanted = FALSE;
  idle_restore_timeout (self);
  stop_done_timer (self);
}

static gboolean
done_timer_cb (gpointer user_data)
{
  BuzonImapSession *self = user_data;
  g_autoptr(GError) error = NULL;
  guint seconds = buzon_connection_get_io_timeout (self->connection);

  g_clear_pointer (&self->done_timer, g_source_unref);

  error = g_error_new (BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_CLOSED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The server “%s” stopped answering; Buzón waited %u second.",
                                    "The server “%s” stopped answering; Buzón waited %u seconds.",
                                    seconds),
                       buzon_connection_get_host (self->connection), seconds);
  connection_lost (self, error);

  return G_SOURCE_REMOVE;
}

/* Writes DONE; the commands queued behind the IDLE follow it at once. */
static void
idle_send_done (BuzonImapSession *self)
{
  Cmd *cmd = self->idle;
  gboolean long_read = self->idle_timeout_set;
  guint timeout;

  self->idle = NULL;
  self->idle_accepted = FALSE;
  self->idle_end_wanted = FALSE;
  if (self->blocking == cmd)
    self->blocking = NULL;
  idle_restore_timeout (self);

  /* The read in progress began with the long timeout: until the server
   * answers, the normal one counts from now. */
  timeout = buzon_connection_get_io_timeout (self->connection);
  if (long_read && self->reading && timeout > 0 && self->done_timer == NULL)
    {
      self->done_timer = g_timeout_source_new_seconds (timeout);
      g_source_set_static_name (self->done_timer, "[buzon] IMAP DONE timeout");
      g_source_set_callback (self->done_timer, done_timer_cb, self, NULL);
      g_source_attach (self->done_timer, g_main_context_get_thread_default ());
    }

  g_queue_push_tail (&self->out, g_bytes_new_static ("DONE\r\n", 6));
  pump_writes (self);
}

/* Ends the IDLE: drops it when it was not written yet, writes DONE when the
 * server idles, or asks for DONE as soon as its continuation comes. */
static void
idle_end (BuzonImapSession *self)
{
  Cmd *cmd = self->idle;
  GList *link;

  if (cmd == NULL)
    return;

  link = g_queue_find (&self->pending, cmd);
  if (link != NULL)
    {
      g_queue_delete_link (&self->pending, link);
      self->idle = NULL;
      self->idle_end_wanted = FALSE;
      /* Over before it began: a success without a response. */
      g_task_return_pointer (cmd->task, NULL, NULL);
      cmd_free (cmd);
      return;
    }

  if (self->idle_accepted)
    idle_send_done (self);
  else
    self->idle_end_wanted = TRUE;
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

  if (cmd->idle)
    {
      /* `+ idling` (RFC 2177): news arrive as untagged responses now. */
      if (cmd == self->idle && !self->idle_accepted)
        {
          self->idle_accepted = TRUE;
          idle_set_timeout (self);
          if (self->idle_end_wanted || !g_queue_is_empty (&self->pending))
            idle_send_done (self);
        }
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
  if (cmd->idle)
    {
      stop_done_timer (self);
      /* The server ended the IDLE without a DONE (a NO or BAD). */
      if (self->idle == cmd)
        idle_reset (self);
    }

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

  stop_done_timer (self);
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

  stop_done_timer (self);
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
static Cmd *
cmd_new (BuzonImapSession    *self,
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
  g_task_set_source_tag (cmd->task, BUZON_SOURCE_TAG (cmd_new));
  cmd->collect = collect;
  cmd->collect_data = collect_data;
  cmd->auth_steps = auth_steps;
  cmd->pause_reading = pause_reading;

  return cmd;
}

/* Queues @cmd; a command issued while the session idles ends the IDLE
 * first (RFC 2177: DONE, then the command). */
static void
queue_command (BuzonImapSession *self,
               Cmd              *cmd)
{
  if (self->closed)
    {
      g_task_return_new_error (cmd->task, BUZON_IMAP_SESSION_ERROR,
                               BUZON_IMAP_SESSION_ERROR_CLOSED,
                               _("The connection to the mail server was closed."));
      cmd_free (cmd);
      return;
    }

  buzon_imap_command_set_literal_mode (cmd->command,
                                       g_hash_table_contains (self->capabilities, "LITERAL+")
                                       ? BUZON_IMAP_LITERAL_PLUS : BUZON_IMAP_LITERAL_SYNC);
  g_queue_push_tail (&self->pending, cmd);
  if (self->idle != NULL)
    idle_end (self);
  if (cmd->idle)
    self->idle = cmd;
  pump_writes (self);
}

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
  queue_command (self, cmd_new (self, command, collect, collect_data, auth_steps,
                                pause_reading, callback, user_data));
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

/* `* ENABLED ...` says what the server turned on (RFC 5161 section 3.2);
 * QRESYNC implies CONDSTORE (RFC 7162 section 3.2.3). */
static gboolean
collect_enabled (BuzonImapSession  *self,
                 gpointer           data,
                 BuzonImapResponse *response)
{
  g_auto(GStrv) enabled = NULL;

  if (!buzon_imap_response_is_named (response, "ENABLED"))
    return FALSE;

  enabled = buzon_imap_response_parse_enabled (response, NULL);
  for (guint i = 0; enabled != NULL && enabled[i] != NULL; i++)
    {
      if (g_str_equal (enabled[i], "QRESYNC"))
        self->qresync = self->condstore = TRUE;
      else if (g_str_equal (enabled[i], "CONDSTORE"))
        self->condstore = TRUE;
    }

  return TRUE;
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
      /* Without ENABLE, SELECT (CONDSTORE) turns CONDSTORE on (RFC 7162
       * section 3.1.8). */
      self->condstore = condstore;
      send_id (self, task);
      return;
    }

  command = new_command (self, "ENABLE");
  if (condstore)
    buzon_imap_command_add_atom (command, "CONDSTORE");
  if (qresync)
    buzon_imap_command_add_atom (command, "QRESYNC");
  run_command (self, command, collect_enabled, NULL, NULL, FALSE, enable_cb, task);
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

static gint
compare_uids (gconstpointer a,
              gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

/* Sorts @uids and drops duplicates. */
static void
sort_uids (GArray *uids)
{
  guint kept = 0;

  g_array_sort (uids, compare_uids);
  for (guint i = 0; i < uids->len; i++)
    if (kept == 0 || g_array_index (uids, guint32, i) != g_array_index (uids, guint32, kept - 1))
      g_array_index (uids, guint32, kept++) = g_array_index (uids, guint32, i);
  g_array_set_size (uids, kept);
}

/* The UIDs of the VANISHED @ranges that lie in @low:@high, sorted. The
 * bounds keep a server's `1:4294967295` from becoming gigabytes; past
 * MAX_VANISHED_UIDS the answer is taken for nonsense. */
static GArray *
expand_vanished (BuzonImapSession  *self,
                 const GArray      *ranges,
                 guint32            low,
                 guint32            high,
                 GError           **error)
{
  g_autoptr(GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; ranges != NULL && i < ranges->len; i++)
    {
      const BuzonImapUidRange *range = &g_array_index (ranges, BuzonImapUidRange, i);
      guint32 first = MAX (range->first, low);
      guint32 last = MIN (range->last, high);

      if (first > last)
        continue;
      if ((guint64) uids->len + (last - first) + 1 > MAX_VANISHED_UIDS)
        {
          g_debug ("IMAP: VANISHED lists more than %u UIDs", (guint) MAX_VANISHED_UIDS);
          g_set_error (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_PROTOCOL,
                       _("The server “%s” sent something that is not IMAP."),
                       buzon_connection_get_host (self->connection));
          return NULL;
        }
      for (guint64 uid = first; uid <= last; uid++)
        {
          guint32 value = (guint32) uid;

          g_array_append_val (uids, value);
        }
    }

  sort_uids (uids);
  return g_steal_pointer (&uids);
}

typedef struct
{
  BuzonImapSelectInfo *info;
  char                *mailbox;
  guint                serial;
  gboolean             qresync;
  GArray              *vanished;
} SelectData;

static void
select_data_free (SelectData *data)
{
  g_clear_pointer (&data->info, buzon_imap_select_info_free);
  g_free (data->mailbox);
  g_clear_pointer (&data->vanished, g_array_unref);
  g_free (data);
}

/* `* OK [CLOSED]`: what came before was about the mailbox selected until
 * now (RFC 7162 section 3.2.11). */
static void
select_data_forget (SelectData *data)
{
  BuzonImapSelectInfo *info = data->info;

  info->exists = 0;
  info->uidvalidity = 0;
  info->uidnext = 0;
  info->highestmodseq = 0;
  info->nomodseq = FALSE;
  g_clear_pointer (&info->flags, g_strfreev);
  g_clear_pointer (&info->permanent_flags, g_strfreev);
  if (info->changed != NULL)
    g_ptr_array_set_size (info->changed, 0);
  if (data->vanished != NULL)
    g_array_set_size (data->vanished, 0);
}

static gboolean
collect_select (BuzonImapSession  *self,
                gpointer           user_data,
                BuzonImapResponse *response)
{
  SelectData *data = user_data;
  BuzonImapSelectInfo *info = data->info;
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
  else if (data->qresync && buzon_imap_response_is_named (response, "VANISHED"))
    {
      g_autoptr(GArray) ranges = buzon_imap_response_parse_vanished (response, NULL, NULL);

      if (ranges == NULL)
        return FALSE;
      g_array_append_vals (data->vanished, ranges->data, ranges->len);
    }
  else if (data->qresync && buzon_imap_response_is_named (response, "FETCH"))
    {
      g_autoptr(BuzonImapFetch) fetch = buzon_imap_response_parse_fetch (response, NULL);

      if (fetch == NULL || !(fetch->items & BUZON_IMAP_FETCH_UID))
        return FALSE;
      g_ptr_array_add (info->changed, g_steal_pointer (&fetch));
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
      else if (g_str_equal (code, "CLOSED"))
        select_data_forget (data);
      else
        return FALSE;
    }
  else
    return FALSE;

  return TRUE;
}

static void
select_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  SelectData *data = g_task_get_task_data (task);
  BuzonImapSelectInfo *info = data->info;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_strcmp0 (buzon_imap_response_get_code (response), "READ-ONLY") == 0)
    info->read_only = TRUE;

  /* Only UIDs below UIDNEXT can have vanished. */
  if (data->qresync)
    {
      info->vanished = expand_vanished (self, data->vanished, 1,
                                        info->uidnext > 0 ? info->uidnext - 1
                                                          : BUZON_IMAP_UID_STAR - 1,
                                        &error);
      if (info->vanished == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  /* Unless another SELECT was issued since. */
  if (data->serial == self->select_serial)
    {
      g_free (self->selected);
      self->selected = g_strdup (data->mailbox);
      self->selected_uidvalidity = info->uidvalidity;
    }

  g_task_return_pointer (task, g_steal_pointer (&data->info),
                         (GDestroyNotify) buzon_imap_select_info_free);
}

/* Sends SELECT or EXAMINE, with QRESYNC's parameters when @uidvalidity and
 * @modseq are given and QRESYNC is on. */
static void
select_start (BuzonImapSession *self,
              GTask            *task,
              const char       *mailbox,
              gboolean          read_only,
              guint32           uidvalidity,
              guint64           modseq,
              const char       *known_uids)
{
  g_autoptr(BuzonImapCommand) command = NULL;
  SelectData *data;
  GError *error = NULL;

  if (!check_connected (self, task))
    {
      g_object_unref (task);
      return;
    }

  command = new_command (self, read_only ? "EXAMINE" : "SELECT");
  if (!buzon_imap_command_add_mailbox (command, mailbox, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data = g_new0 (SelectData, 1);
  data->info = g_new0 (BuzonImapSelectInfo, 1);
  data->info->read_only = read_only;
  data->mailbox = g_strdup (mailbox);
  data->qresync = self->qresync && uidvalidity > 0 && modseq > 0;
  g_task_set_task_data (task, data, (GDestroyNotify) select_data_free);

  if (data->qresync)
    {
      /* `(QRESYNC (uidvalidity modseq [known-uids]))`, RFC 7162 section
       * 3.2.5; known-uids has no `*`. */
      if (known_uids != NULL)
        {
          g_autoptr(GArray) ranges = buzon_imap_uid_set_parse (known_uids, -1, FALSE, &error);

          if (ranges == NULL)
            {
              g_task_return_error (task, error);
              g_object_unref (task);
              return;
            }
        }

      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_atom (command, "QRESYNC");
      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_number (command, uidvalidity);
      buzon_imap_command_add_number (command, modseq);
      if (known_uids != NULL)
        buzon_imap_command_add_raw (command, known_uids);
      buzon_imap_command_end_list (command);
      buzon_imap_command_end_list (command);

      data->info->changed = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
      data->vanished = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
    }
  else if (self->condstore)
    buzon_imap_command_add_raw (command, "(CONDSTORE)");

  /* A SELECT that fails leaves no mailbox selected (RFC 3501 section
   * 6.3.1); one that succeeds records its name in select_cb(). */
  g_clear_pointer (&self->selected, g_free);
  self->selected_uidvalidity = 0;
  data->serial = ++self->select_serial;

  run_command (self, g_steal_pointer (&command), collect_select, data, NULL, FALSE,
               select_cb, task);
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
  GTask *task;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_select_async));
  select_start (self, task, mailbox, read_only, 0, 0, NULL);
}

/**
 * buzon_imap_session_select_qresync_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox name in UTF-8 (a #BuzonImapMailbox's name)
 * @read_only: %TRUE for EXAMINE, %FALSE for SELECT
 * @uidvalidity: the UIDVALIDITY the client last knew, or 0
 * @modseq: the HIGHESTMODSEQ the client last knew, or 0
 * @known_uids: (nullable): the UIDs the client knows, as a UID set without
 *   `*` (`1:40,52`), or %NULL for all of them
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with what the server said about the mailbox
 * @user_data: data for @callback
 *
 * Selects @mailbox and, with QRESYNC enabled (see
 * buzon_imap_session_has_qresync()), resynchronises it in the same round
 * trip (RFC 7162 section 3.2.5): `SELECT mailbox (QRESYNC (uidvalidity
 * modseq known-uids))`. The server then reports the messages expunged since
 * @modseq with VANISHED (EARLIER) and those whose flags changed with FETCH;
 * buzon_imap_session_select_finish() returns them in the
 * #BuzonImapSelectInfo's @vanished and @changed, which are %NULL when no
 * QRESYNC parameters were sent. When @uidvalidity is not the mailbox's, the
 * server ignores them: compare it with the result's.
 *
 * Without QRESYNC enabled, or when @uidvalidity or @modseq is 0 (nothing
 * known yet), this is buzon_imap_session_select_async().
 */
void
buzon_imap_session_select_qresync_async (BuzonImapSession    *self,
                                         const char          *mailbox,
                                         gboolean             read_only,
                                         guint32              uidvalidity,
                                         guint64              modseq,
                                         const char          *known_uids,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_select_qresync_async));
  select_start (self, task, mailbox, read_only, uidvalidity, modseq, known_uids);
}

/**
 * buzon_imap_session_select_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback of
 *   buzon_imap_session_select_async() or
 *   buzon_imap_session_select_qresync_async()
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name or UID set that cannot be sent
 *
 * Returns: (transfer full): the mailbox's state, or %NULL with @error set
 */
BuzonImapSelectInfo *
buzon_imap_session_select_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == BUZON_SOURCE_TAG (buzon_imap_session_select_async)
                        || g_task_get_source_tag (G_TASK (result))
                        == BUZON_SOURCE_TAG (buzon_imap_session_select_qresync_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_imap_session_get_selected:
 * @self: a #BuzonImapSession
 *
 * The mailbox of the last SELECT or EXAMINE that succeeded, so that a
 * caller can skip selecting it again. A SELECT issued since (even one that
 * has not completed yet or that failed) clears it, and so does the end of
 * the session.
 *
 * Returns: (transfer none) (nullable): the mailbox name in UTF-8, as given
 *   to buzon_imap_session_select_async(), or %NULL when none is selected
 */
const char *
buzon_imap_session_get_selected (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), NULL);

  return self->selected;
}

/**
 * buzon_imap_session_get_selected_uidvalidity:
 * @self: a #BuzonImapSession
 *
 * Returns: the UIDVALIDITY of the mailbox buzon_imap_session_get_selected()
 *   names, or 0 when none is selected
 */
guint32
buzon_imap_session_get_selected_uidvalidity (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), 0);

  return self->selected_uidvalidity;
}

/**
 * buzon_imap_session_has_condstore:
 * @self: a #BuzonImapSession
 *
 * Whether CONDSTORE (RFC 7162) is on: the server confirmed ENABLE
 * CONDSTORE or QRESYNC, or advertises CONDSTORE without ENABLE (then each
 * SELECT turns it on). MODSEQ values are then fetched and reported.
 *
 * Returns: whether CONDSTORE is in use
 */
gboolean
buzon_imap_session_has_condstore (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);

  return self->condstore;
}

/**
 * buzon_imap_session_has_qresync:
 * @self: a #BuzonImapSession
 *
 * Whether the server confirmed ENABLE QRESYNC (RFC 7162 section 3.2.3),
 * which buzon_imap_session_connect_async() sends when it is advertised; not
 * just whether it is advertised. The server then reports expunges with
 * VANISHED instead of EXPUNGE.
 *
 * Returns: whether QRESYNC is in use
 */
gboolean
buzon_imap_session_has_qresync (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);

  return self->qresync;
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

/* IDLE */

typedef struct
{
  GSource *cancel_source;
  guint    serial;
} IdleData;

static void
idle_data_stop (IdleData *data)
{
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_clear_pointer (&data->cancel_source, g_source_unref);
    }
}

static void
idle_data_free (IdleData *data)
{
  idle_data_stop (data);
  g_free (data);
}

/* Cancelling is idle_done(); in a source of its own, since nothing may be
 * disconnected from a GCancellable inside its ::cancelled handler. */
static gboolean
idle_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  IdleData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->cancel_source, g_source_unref);
  if (self->idle != NULL && self->idle_serial == data->serial)
    idle_end (self);

  return G_SOURCE_REMOVE;
}

static void
idle_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  idle_data_stop (g_task_get_task_data (task));

  /* No response and no error: ended before it was written. */
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * buzon_imap_session_idle_async:
 * @self: a #BuzonImapSession, usually with a mailbox selected
 * @cancellable: (nullable): a #GCancellable: cancelling it is calling
 *   buzon_imap_session_idle_done()
 * @callback: called when the IDLE is over
 * @user_data: data for @callback
 *
 * Sends IDLE (RFC 2177) and lets the server report changes as they happen:
 * while it idles, its untagged responses are emitted as usual, through
 * #BuzonImapSession::exists, #BuzonImapSession::expunge,
 * #BuzonImapSession::vanished and #BuzonImapSession::fetch.
 *
 * The IDLE lasts until buzon_imap_session_idle_done() is called, @cancellable
 * is cancelled, or another command is issued: that command ends the IDLE
 * first (DONE is written before it), so callers can just issue commands.
 * @callback runs when the server has completed the IDLE. A cancelled IDLE
 * ends with DONE like any other and completes with %TRUE, not
 * %G_IO_ERROR_CANCELLED, since the session stays usable; only a
 * @cancellable cancelled before the call gives %G_IO_ERROR_CANCELLED (and
 * nothing is sent).
 *
 * While the server idles, the connection's I/O timeout is raised to 31
 * minutes (unless it is 0, no limit, or longer), so that a quiet mailbox does
 * not cut the connection; it is put back when DONE is written. Servers may
 * log out a client that idles for more than 30 minutes (RFC 3501 section
 * 5.4): end and restart the IDLE within 29 minutes.
 *
 * Fails with %G_IO_ERROR_NOT_SUPPORTED when the server does not advertise
 * IDLE, and with %BUZON_IMAP_SESSION_ERROR_CLOSED when the connection is lost
 * or the server says BYE.
 */
void
buzon_imap_session_idle_async (BuzonImapSession    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  IdleData *data;
  Cmd *cmd;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_idle_async));
  /* Cancelling ends the IDLE cleanly: the result is TRUE, not an error. */
  g_task_set_check_cancellable (task, FALSE);
  if (!check_connected (self, task))
    return;

  if (!g_hash_table_contains (self->capabilities, "IDLE"))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               /* TRANSLATORS: the second %s is the name of an IMAP
                                * extension, such as IDLE */
                               _("The server “%s” does not support %s."),
                               buzon_connection_get_host (self->connection), "IDLE");
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  data = g_new0 (IdleData, 1);
  data->serial = ++self->idle_serial;
  g_task_set_task_data (task, data, (GDestroyNotify) idle_data_free);
  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (data->cancel_source, "[buzon] IMAP IDLE cancelled");
      g_source_set_callback (data->cancel_source, G_SOURCE_FUNC (idle_cancelled_cb), task, NULL);
      g_source_attach (data->cancel_source, g_task_get_context (task));
    }

  cmd = cmd_new (self, new_command (self, "IDLE"), NULL, NULL, NULL, FALSE,
                 idle_cb, g_steal_pointer (&task));
  cmd->idle = TRUE;
  queue_command (self, cmd);
}

/**
 * buzon_imap_session_idle_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or
 *   %G_IO_ERROR_NOT_SUPPORTED, or %G_IO_ERROR_CANCELLED when the cancellable
 *   was cancelled before the call
 *
 * Returns: %TRUE when the IDLE ended normally (with DONE, or before it was
 *   sent)
 */
gboolean
buzon_imap_session_idle_finish (BuzonImapSession  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_session_idle_done:
 * @self: a #BuzonImapSession
 *
 * Ends the IDLE: writes DONE (at once, or as soon as the server has
 * accepted the IDLE); the IDLE's callback runs when the server has
 * answered it. An IDLE not written yet is dropped, and its callback gets
 * %TRUE. Does nothing when the session is not idling.
 */
void
buzon_imap_session_idle_done (BuzonImapSession *self)
{
  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  idle_end (self);
}

/**
 * buzon_imap_session_is_idling:
 * @self: a #BuzonImapSession
 *
 * Returns: whether an IDLE was issued and not ended yet: from
 *   buzon_imap_session_idle_async() until DONE is written (or the server
 *   ended it); %FALSE from buzon_imap_session_idle_done() on, even before
 *   the IDLE's callback runs
 */
gboolean
buzon_imap_session_is_idling (BuzonImapSession *self)
{
  g_return_val_if_fail (BUZON_IS_IMAP_SESSION (self), FALSE);

  return self->idle != NULL && !self->idle_end_wanted;
}

/* STATUS */

typedef struct
{
  char                   *mailbox;
  char                   *sent_name;
  BuzonImapMailboxStatus *status;
} StatusData;

static void
status_data_free (StatusData *data)
{
  g_free (data->mailbox);
  g_free (data->sent_name);
  g_clear_pointer (&data->status, buzon_imap_mailbox_status_free);
  g_free (data);
}

/* The STATUS response names its mailbox: with several STATUS commands in
 * flight, each takes its own. */
static gboolean
collect_status (BuzonImapSession  *self,
                gpointer           user_data,
                BuzonImapResponse *response)
{
  StatusData *data = user_data;
  g_autoptr(BuzonImapMailboxStatus) status = NULL;

  if (!buzon_imap_response_is_named (response, "STATUS"))
    return FALSE;

  status = buzon_imap_response_parse_status (response, NULL);
  if (status == NULL)
    return FALSE;
  if (!g_str_equal (status->name, data->sent_name)
      && !(g_str_equal (data->sent_name, "INBOX")
           && g_ascii_strcasecmp (status->name, "INBOX") == 0))
    return FALSE;

  g_clear_pointer (&data->status, buzon_imap_mailbox_status_free);
  data->status = g_steal_pointer (&status);
  return TRUE;
}

static void
status_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  StatusData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->status == NULL)
    {
      g_task_return_new_error (task, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED,
                               _("The server “%s” did not send the status of the mailbox “%s”."),
                               buzon_connection_get_host (self->connection), data->mailbox);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&data->status),
                         (GDestroyNotify) buzon_imap_mailbox_status_free);
}

/**
 * buzon_imap_session_status_async:
 * @self: a #BuzonImapSession
 * @mailbox: the mailbox name in UTF-8
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the mailbox's status
 * @user_data: data for @callback
 *
 * Asks for a mailbox's counters without selecting it (STATUS, RFC 3501
 * section 6.3.10): MESSAGES, UIDNEXT, UIDVALIDITY and UNSEEN, and
 * HIGHESTMODSEQ when CONDSTORE is on (RFC 7162 section 3.1.6). RFC 3501
 * advises against STATUS on the selected mailbox; it works, but SELECT's
 * answer and the unsolicited responses say the same.
 */
void
buzon_imap_session_status_async (BuzonImapSession    *self,
                                 const char          *mailbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;
  StatusData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (mailbox != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_status_async));
  if (!check_connected (self, task))
    return;

  data = g_new0 (StatusData, 1);
  data->mailbox = g_strdup (mailbox);
  g_task_set_task_data (task, data, (GDestroyNotify) status_data_free);

  /* The name as buzon_imap_command_add_mailbox() writes it, to match the
   * response's. */
  if (g_ascii_strcasecmp (mailbox, "INBOX") == 0)
    data->sent_name = g_strdup ("INBOX");
  else
    data->sent_name = buzon_imap_utf7_encode (mailbox, NULL);

  command = new_command (self, "STATUS");
  if (!buzon_imap_command_add_mailbox (command, mailbox, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  buzon_imap_command_add_raw (command,
                              self->condstore
                              ? "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)"
                              : "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)");

  run_command (self, g_steal_pointer (&command), collect_status, data, NULL, FALSE,
               status_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_status_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a name that cannot be sent
 *
 * Returns: (transfer full): the status (its @items say which fields the
 *   server sent; its @name is the name as the server sent it, in modified
 *   UTF-7), or %NULL with @error set
 */
BuzonImapMailboxStatus *
buzon_imap_session_status_finish (BuzonImapSession  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* UID FETCH of flags, with CHANGEDSINCE and VANISHED */

typedef struct
{
  GPtrArray *fetches;
  GArray    *vanished;
  GArray    *vanished_uids;
  guint32    first_uid;
  guint32    last_uid;
} FlagsData;

static void
flags_data_free (FlagsData *data)
{
  g_clear_pointer (&data->fetches, g_ptr_array_unref);
  g_clear_pointer (&data->vanished, g_array_unref);
  g_clear_pointer (&data->vanished_uids, g_array_unref);
  g_free (data);
}

static gboolean
collect_flags (BuzonImapSession  *self,
               gpointer           user_data,
               BuzonImapResponse *response)
{
  FlagsData *data = user_data;
  g_autoptr(BuzonImapFetch) fetch = NULL;

  /* VANISHED (EARLIER) answers the command; a plain VANISHED is news of an
   * expunge just now, for the signal (RFC 7162 section 3.2.10). */
  if (data->vanished != NULL && buzon_imap_response_is_named (response, "VANISHED"))
    {
      gboolean earlier = FALSE;
      g_autoptr(GArray) ranges = buzon_imap_response_parse_vanished (response, &earlier, NULL);

      if (ranges == NULL || !earlier)
        return FALSE;
      g_array_append_vals (data->vanished, ranges->data, ranges->len);
      return TRUE;
    }

  if (!buzon_imap_response_is_named (response, "FETCH"))
    return FALSE;

  fetch = buzon_imap_response_parse_fetch (response, NULL);
  if (fetch == NULL
      || (fetch->items & (BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_FLAGS))
         != (BUZON_IMAP_FETCH_UID | BUZON_IMAP_FETCH_FLAGS)
      || fetch->uid < data->first_uid || fetch->uid > data->last_uid)
    return FALSE;

  g_ptr_array_add (data->fetches, g_steal_pointer (&fetch));
  return TRUE;
}

/* A change made meanwhile may come as an unsolicited FETCH of a message the
 * command fetches too: keep one per UID, the later (newer) one, in the
 * place of the first. */
static void
dedupe_fetches (GPtrArray *fetches)
{
  g_autoptr(GHashTable) seen = NULL;
  guint kept = 0;

  if (fetches->len < 2)
    return;

  seen = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < fetches->len; i++)
    {
      BuzonImapFetch *fetch = g_ptr_array_index (fetches, i);
      gpointer at;

      if (g_hash_table_lookup_extended (seen, GUINT_TO_POINTER (fetch->uid), NULL, &at))
        {
          buzon_imap_fetch_free (g_ptr_array_index (fetches, GPOINTER_TO_UINT (at)));
          fetches->pdata[GPOINTER_TO_UINT (at)] = fetch;
        }
      else
        {
          g_hash_table_insert (seen, GUINT_TO_POINTER (fetch->uid), GUINT_TO_POINTER (kept));
          fetches->pdata[kept++] = fetch;
        }
    }

  /* Every fetch from kept on was moved or freed above. */
  for (guint i = kept; i < fetches->len; i++)
    fetches->pdata[i] = NULL;
  g_ptr_array_set_size (fetches, kept);
}

static void
fetch_flags_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BuzonImapSession *self = g_task_get_source_object (task);
  FlagsData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The server reports only UIDs of the fetched range (RFC 7162 section
   * 3.2.6). */
  data->vanished_uids = expand_vanished (self, data->vanished, data->first_uid,
                                         MIN (data->last_uid, BUZON_IMAP_UID_STAR - 1), &error);
  if (data->vanished_uids == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  dedupe_fetches (data->fetches);
  g_task_return_pointer (task, g_ptr_array_ref (data->fetches),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_imap_session_uid_fetch_flags_async:
 * @self: a #BuzonImapSession with a selected mailbox
 * @first_uid: the first UID
 * @last_uid: the last UID, or %BUZON_IMAP_UID_STAR
 * @changedsince: with CONDSTORE, only the messages whose flags changed
 *   after this mod-sequence; 0 for all of them
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the flags
 * @user_data: data for @callback
 *
 * Fetches the flags (and MODSEQ, with CONDSTORE) of the messages whose UID
 * is in @first_uid:@last_uid: `UID FETCH first:last (UID FLAGS MODSEQ)`.
 *
 * With @changedsince and CONDSTORE on, the CHANGEDSINCE modifier (RFC 7162
 * section 3.1.4) leaves out the messages that did not change; with QRESYNC
 * on too, the VANISHED modifier (section 3.2.6) makes the server also list
 * the UIDs of the range expunged since then, which
 * buzon_imap_session_uid_fetch_flags_finish() returns apart. Without
 * CONDSTORE @changedsince is ignored and every message is returned.
 *
 * One response per message, decoded as it arrives: fine for a whole mailbox
 * of 100 000 messages.
 */
void
buzon_imap_session_uid_fetch_flags_async (BuzonImapSession    *self,
                                          guint32              first_uid,
                                          guint32              last_uid,
                                          guint64              changedsince,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *set = NULL;
  BuzonImapCommand *command;
  BuzonImapUidRange range = { first_uid, last_uid };
  FlagsData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (first_uid > 0 && first_uid <= last_uid);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_fetch_flags_async));
  if (!check_connected (self, task))
    return;

  data = g_new0 (FlagsData, 1);
  data->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
  data->first_uid = first_uid;
  data->last_uid = last_uid;
  g_task_set_task_data (task, data, (GDestroyNotify) flags_data_free);

  set = buzon_imap_uid_set_format_ranges (&range, 1);
  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "FETCH");
  buzon_imap_command_add_raw (command, set);
  buzon_imap_command_add_raw (command, self->condstore ? "(UID FLAGS MODSEQ)" : "(UID FLAGS)");
  if (changedsince > 0 && self->condstore)
    {
      buzon_imap_command_begin_list (command);
      buzon_imap_command_add_atom (command, "CHANGEDSINCE");
      buzon_imap_command_add_number (command, changedsince);
      if (self->qresync)
        {
          buzon_imap_command_add_atom (command, "VANISHED");
          data->vanished = g_array_new (FALSE, FALSE, sizeof (BuzonImapUidRange));
        }
      buzon_imap_command_end_list (command);
    }

  run_command (self, command, collect_flags, data, NULL, FALSE,
               fetch_flags_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_fetch_flags_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @out_vanished: (out) (optional) (transfer full) (element-type guint32):
 *   the UIDs the server reported expunged with VANISHED (EARLIER), sorted;
 *   empty unless the VANISHED modifier was sent
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: (transfer container) (element-type BuzonImapFetch): the messages
 *   that have a UID, one each (the latest response when the server sent
 *   two), in the order the server sent them, or %NULL with @error set
 */
GPtrArray *
buzon_imap_session_uid_fetch_flags_finish (BuzonImapSession  *self,
                                           GAsyncResult      *result,
                                           GArray           **out_vanished,
                                           GError           **error)
{
  FlagsData *data;
  GPtrArray *fetches;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (out_vanished != NULL)
    *out_vanished = NULL;

  fetches = g_task_propagate_pointer (G_TASK (result), error);
  if (fetches == NULL)
    return NULL;

  data = g_task_get_task_data (G_TASK (result));
  if (out_vanished != NULL)
    *out_vanished = g_steal_pointer (&data->vanished_uids);
  return fetches;
}

/* UID FETCH of whole messages */

typedef struct
{
  guint32   *uids;
  gsize      n_uids;
  GPtrArray *fetches;
} BodiesData;

static void
bodies_data_free (BodiesData *data)
{
  g_free (data->uids);
  g_clear_pointer (&data->fetches, g_ptr_array_unref);
  g_free (data);
}

static gboolean
collect_bodies (BuzonImapSession  *self,
                gpointer           user_data,
                BuzonImapResponse *response)
{
  BodiesData *data = user_data;
  g_autoptr(BuzonImapFetch) fetch = NULL;

  if (!buzon_imap_response_is_named (response, "FETCH"))
    return FALSE;

  fetch = buzon_imap_response_parse_fetch (response, NULL);
  if (fetch == NULL || !(fetch->items & BUZON_IMAP_FETCH_UID)
      || buzon_imap_fetch_get_body (fetch, "") == NULL
      || bsearch (&fetch->uid, data->uids, data->n_uids, sizeof (guint32), compare_uids) == NULL)
    return FALSE;

  g_ptr_array_add (data->fetches, g_steal_pointer (&fetch));
  return TRUE;
}

static void
fetch_bodies_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BodiesData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_ptr_array_ref (data->fetches),
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * buzon_imap_session_uid_fetch_bodies_async:
 * @self: a #BuzonImapSession with a selected mailbox
 * @uids: (array length=n_uids): the messages' UIDs
 * @n_uids: how many, at least one
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the messages
 * @user_data: data for @callback
 *
 * Fetches whole messages in one command: `UID FETCH set (UID FLAGS
 * BODY.PEEK[])`, which does not set \Seen. Large messages are spooled to
 * files as they arrive (see #BuzonImapValue); take each one's bytes with
 * buzon_imap_fetch_dup_body_bytes(), or its stream with
 * buzon_imap_value_open(). The UIDs go on one command line: send a few
 * hundred at a time, not a whole mailbox of scattered UIDs.
 */
void
buzon_imap_session_uid_fetch_bodies_async (BuzonImapSession    *self,
                                           const guint32       *uids,
                                           gsize                n_uids,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;
  BodiesData *data;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (uids != NULL && n_uids > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_fetch_bodies_async));
  if (!check_connected (self, task))
    return;

  data = g_new0 (BodiesData, 1);
  data->uids = g_memdup2 (uids, n_uids * sizeof (guint32));
  data->n_uids = n_uids;
  qsort (data->uids, n_uids, sizeof (guint32), compare_uids);
  data->fetches = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_imap_fetch_free);
  g_task_set_task_data (task, data, (GDestroyNotify) bodies_data_free);

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "FETCH");
  if (!buzon_imap_command_add_uid_set (command, uids, n_uids, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  buzon_imap_command_add_raw (command, "(UID FLAGS BODY.PEEK[])");

  run_command (self, g_steal_pointer (&command), collect_bodies, data, NULL, FALSE,
               fetch_bodies_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_fetch_bodies_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, or a
 *   %BUZON_IMAP_ERROR_INVALID for a UID set that cannot be sent
 *
 * Messages that no longer exist are simply missing.
 *
 * Returns: (transfer container) (element-type BuzonImapFetch): the messages
 *   in the order the server sent them, each with its UID, flags and
 *   `BODY[]`, or %NULL with @error set
 */
GPtrArray *
buzon_imap_session_uid_fetch_bodies_finish (BuzonImapSession  *self,
                                            GAsyncResult      *result,
                                            GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_imap_fetch_dup_body_bytes:
 * @fetch: a #BuzonImapFetch
 * @section: the section between the brackets: `""` for `BODY[]`, `TEXT`,
 *   `1.2`...
 * @error: return location for a #GError
 *
 * The bytes of one `BODY[section]` item, from memory or, for a large
 * literal, from the file it was spooled to.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set: a
 *   %BUZON_IMAP_SESSION_ERROR_FAILED when the response has no such section
 *   or it is NIL, or a #GIOErrorEnum when the spool file cannot be read
 */
GBytes *
buzon_imap_fetch_dup_body_bytes (const BuzonImapFetch  *fetch,
                                 const char            *section,
                                 GError               **error)
{
  const BuzonImapFetchBody *body;

  g_return_val_if_fail (fetch != NULL, NULL);
  g_return_val_if_fail (section != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  body = buzon_imap_fetch_get_body (fetch, section);
  if (body != NULL && body->data != NULL
      && buzon_imap_value_get_value_type (body->data) == BUZON_IMAP_VALUE_STRING)
    return value_to_bytes (body->data, error);

  g_set_error_literal (error, BUZON_IMAP_SESSION_ERROR, BUZON_IMAP_SESSION_ERROR_FAILED,
                       _("The server did not send this part of the message."));
  return NULL;
}

/* EXPUNGE and UID EXPUNGE */

/**
 * buzon_imap_session_uid_expunge_async:
 * @self: a #BuzonImapSession with a mailbox selected read-write
 * @uids: (array length=n_uids): the messages' UIDs
 * @n_uids: how many, at least one
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Removes those of the messages that are marked \Deleted, and no others
 * (`UID EXPUNGE`, UIDPLUS, RFC 4315 section 2.1). The server reports each
 * removal through #BuzonImapSession::expunge or #BuzonImapSession::vanished.
 * Fails with %G_IO_ERROR_NOT_SUPPORTED, sending nothing, when the server
 * lacks UIDPLUS: a plain EXPUNGE would also remove the messages marked
 * \Deleted elsewhere.
 */
void
buzon_imap_session_uid_expunge_async (BuzonImapSession    *self,
                                      const guint32       *uids,
                                      gsize                n_uids,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BuzonImapCommand) command = NULL;
  GError *error = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (uids != NULL && n_uids > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_expunge_async));
  if (!check_connected (self, task))
    return;

  if (!g_hash_table_contains (self->capabilities, "UIDPLUS"))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               /* TRANSLATORS: the second %s is the name of an IMAP
                                * extension, such as IDLE */
                               _("The server “%s” does not support %s."),
                               buzon_connection_get_host (self->connection), "UIDPLUS");
      return;
    }

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "EXPUNGE");
  if (!buzon_imap_command_add_uid_set (command, uids, n_uids, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  run_command (self, g_steal_pointer (&command), NULL, NULL, NULL, FALSE,
               boolean_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_expunge_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR, a
 *   %G_IO_ERROR_NOT_SUPPORTED, or a %BUZON_IMAP_ERROR_INVALID for a UID set
 *   that cannot be sent
 *
 * Returns: whether the server expunged the messages
 */
gboolean
buzon_imap_session_uid_expunge_finish (BuzonImapSession  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_imap_session_expunge_async:
 * @self: a #BuzonImapSession with a mailbox selected read-write
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Removes every message of the selected mailbox marked \Deleted, by anyone
 * (EXPUNGE, RFC 3501 section 6.4.3). The server reports each removal
 * through #BuzonImapSession::expunge or #BuzonImapSession::vanished.
 */
void
buzon_imap_session_expunge_async (BuzonImapSession    *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_expunge_async));
  if (!check_connected (self, task))
    return;

  run_command (self, new_command (self, "EXPUNGE"), NULL, NULL, NULL, FALSE,
               boolean_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_expunge_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: whether the server expunged the messages
 */
gboolean
buzon_imap_session_expunge_finish (BuzonImapSession  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* UID SEARCH HEADER */

static void
uid_search_sorted_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GArray *uids = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(BuzonImapResponse) response = run_command_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  sort_uids (uids);
  g_task_return_pointer (task, g_array_ref (uids), (GDestroyNotify) g_array_unref);
}

/**
 * buzon_imap_session_uid_search_header_async:
 * @self: a #BuzonImapSession with a mailbox selected
 * @field: a header field name, such as `Message-ID`
 * @value: UTF-8 text the field must contain (the server compares
 *   substrings, case-insensitively); `""` matches every message that has the
 *   field
 * @cancellable: (nullable): a #GCancellable (unused once sent)
 * @callback: called with the UIDs
 * @user_data: data for @callback
 *
 * Searches the selected mailbox by a header field (`UID SEARCH HEADER field
 * value`, RFC 3501 section 6.4.4), to find a message by its Message-ID, say.
 * The value is sent quoted or as a literal, with `CHARSET UTF-8` when it is
 * not ASCII.
 */
void
buzon_imap_session_uid_search_header_async (BuzonImapSession    *self,
                                            const char          *field,
                                            const char          *value,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BuzonImapCommand *command;
  GArray *uids;

  g_return_if_fail (BUZON_IS_IMAP_SESSION (self));
  g_return_if_fail (field != NULL && *field != '\0' && is_ascii (field));
  g_return_if_fail (value != NULL && g_utf8_validate (value, -1, NULL));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_imap_session_uid_search_header_async));
  if (!check_connected (self, task))
    return;

  uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_task_set_task_data (task, uids, (GDestroyNotify) g_array_unref);

  command = new_command (self, "UID");
  buzon_imap_command_add_atom (command, "SEARCH");
  if (!is_ascii (value))
    {
      buzon_imap_command_add_atom (command, "CHARSET");
      buzon_imap_command_add_atom (command, "UTF-8");
    }
  buzon_imap_command_add_atom (command, "HEADER");
  buzon_imap_command_add_string (command, field);
  buzon_imap_command_add_string (command, value);

  run_command (self, command, collect_search, uids, NULL, FALSE,
               uid_search_sorted_cb, g_steal_pointer (&task));
}

/**
 * buzon_imap_session_uid_search_header_finish:
 * @self: a #BuzonImapSession
 * @result: the result passed to the callback
 * @error: return location for a %BUZON_IMAP_SESSION_ERROR
 *
 * Returns: (transfer full) (element-type guint32): the matching UIDs in
 *   ascending order, or %NULL with @error set
 */
GArray *
buzon_imap_session_uid_search_header_finish (BuzonImapSession  *self,
                                             GAsyncResult      *result,
                                             GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
