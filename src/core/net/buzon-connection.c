/* buzon-connection.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonConnection is one connection to a mail server, shared by the IMAP, POP3
 * and SMTP sessions: it connects (GSocketClient), sets up TLS at once
 * (BUZON_SECURITY_TLS) or when the session says so after its STARTTLS or STLS
 * exchange (buzon_connection_start_tls_async()), verifies the certificate, and
 * reads and writes with timeouts: CRLF lines of bounded length, exact byte
 * counts for literals, whole buffers.
 *
 * Trust. A certificate is accepted when it verifies against the system's trust
 * store (g_tls_backend_get_default_database()) or against the extra database a
 * program (the tests) gave with buzon_connection_set_tls_database(); there is
 * no environment variable for it, by design. Otherwise the handshake fails
 * closed with %BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED, unless the user pinned
 * this exact certificate for this host and port (buzon_store_set_pin(), or
 * buzon_connection_trust_peer_certificate() after the failure).
 *
 * What a pin means: "accept this certificate even though it does not verify".
 * It is an addition to the CA check, not a replacement: a different
 * certificate that does verify against a trusted CA is still accepted, because
 * that is what a legitimate renewal by a real CA looks like and users expect
 * their mail to keep working through it. A different certificate that does not
 * verify is refused, and the error says it is not the one the user trusted.
 * An exact match is accepted whatever its flags (expired, other name): the
 * user saw this certificate and chose it.
 *
 * STARTTLS. The session's STARTTLS command and its answer travel in the clear.
 * Anything the server sent after that answer and before the handshake arrived
 * unprotected and could have been injected by a man in the middle, to be read
 * later as if it had come over TLS (CVE-2011-0411 is the server-side version
 * of this). So start_tls refuses to run when such bytes are in the read
 * buffer or waiting on the socket, and afterwards reading starts from an empty
 * buffer over the TLS stream. A failed start_tls closes the connection: the
 * session cannot go on in the clear and send a password.
 *
 * Timeouts. The connect timeout bounds name lookup and TCP connect; the I/O
 * timeout bounds every read, write and TLS handshake, counted from the last
 * progress (bytes moved), so a slow but alive server is not cut off in the
 * middle of a large message while a stalled one is within the timeout. A
 * session waiting for server pushes (IMAP IDLE) sets the I/O timeout to 0 or
 * to its own longer limit for that read. Each operation gets its own
 * GCancellable, cancelled by the caller's or by the timer, which tells the two
 * apart when the operation ends.
 *
 * After a timeout, a protocol error, a failed write or handshake, or the server
 * closing, the connection is closed and every later call fails with the same
 * error. A read cancelled by the caller leaves the connection usable (nothing
 * was consumed); a cancelled write or handshake does not.
 *
 * One read and one write may be pending at a time (IMAP pipelining writes
 * while a response is read); start_tls refuses to run while either is
 * pending, and close then closes at once instead of politely. Like GIO
 * streams, a connection belongs to one thread: call it from the thread whose
 * thread-default main context runs its callbacks.
 */

#define G_LOG_DOMAIN "buzon-net"

#include "config.h"

#include <string.h>

#include "buzon-account-enums.h"
#include "buzon-certificate.h"
#include "buzon-connection.h"
#include "buzon-net-private.h"
#include "buzon-store.h"

/* The read buffer starts at this size and grows only for a long line, up to
 * the line limit the caller gave; once drained it shrinks back. */
#define BUFFER_MIN_SIZE   (16 * 1024)
#define BUFFER_KEEP_SIZE  (64 * 1024)

/* The longest timeout the properties accept: a day, in seconds. */
#define MAX_TIMEOUT       (24 * 60 * 60)

typedef enum
{
  STATE_NEW,
  STATE_CONNECTING,
  STATE_OPEN,
  STATE_CLOSED,
} State;

struct _BuzonConnection
{
  GObject               parent_instance;

  char                 *host;
  guint16               port;
  BuzonSecurity         security;
  BuzonStore           *store;
  GTlsDatabase         *tls_database;
  guint                 connect_timeout;
  guint                 io_timeout;

  State                 state;
  GError               *error;           /* why it closed; NULL when the caller closed it */

  GIOStream            *base_stream;     /* the socket connection, or a given stream */
  GTlsConnection       *tls;             /* TLS over base_stream, once set up */
  GIOStream            *stream;          /* base_stream or tls: what is read and written */
  GInputStream         *input;           /* stream's; not owned */
  GOutputStream        *output;          /* stream's; not owned */

  guint8               *buffer;
  gsize                 buffer_size;
  gsize                 buffer_start;    /* first unread byte */
  gsize                 buffer_end;      /* one past the last buffered byte */

  GTlsCertificate      *peer_certificate;
  GTlsCertificateFlags  peer_errors;
  char                 *peer_sha256;

  guint                 reading : 1;
  guint                 writing : 1;
  guint                 handshaking : 1;
  guint                 closing : 1;
  guint                 pinned : 1;
  guint                 pin_mismatch : 1;
};

G_DEFINE_FINAL_TYPE (BuzonConnection, buzon_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_STORE,
  PROP_TLS_DATABASE,
  PROP_CONNECT_TIMEOUT,
  PROP_IO_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* How a failed GIO call of an operation is put into words. */
typedef enum
{
  FAILURE_CONNECT,
  FAILURE_HANDSHAKE,
  FAILURE_IO,
} Failure;

/* The state of one asynchronous operation, the task data of its GTask. */
typedef struct
{
  BuzonConnection *self;
  GMainContext    *context;
  GCancellable    *cancellable;          /* given to every GIO call of the operation */
  GCancellable    *caller_cancellable;
  gulong           cancelled_id;

  GSource         *timer;
  guint            timeout;              /* seconds, 0 for none */
  gint64           deadline;             /* monotonic µs: timeout after the last progress */
  gboolean         timed_out;
  gboolean         connecting;           /* the timeout is the connect timeout */
  gboolean         implicit_tls;         /* the handshake right after connecting */

  /* read_line */
  gsize            max_length;
  gsize            scanned;              /* buffered bytes known to hold no LF */
  gsize            line_length;

  /* read_bytes */
  guint8          *data;
  gsize            count;
  gsize            done;

  /* write */
  GBytes          *bytes;

  /* handshake */
  GTlsConnection  *tls;
  gulong           accept_id;
  gboolean         rejected;             /* accept-certificate said no */
} Op;

static void
caller_cancelled_cb (GCancellable *caller_cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
op_stop_timer (Op *op)
{
  if (op->timer != NULL)
    {
      g_source_destroy (op->timer);
      g_clear_pointer (&op->timer, g_source_unref);
    }
}

static gboolean op_timer_cb (gpointer user_data);

static void
op_arm_timer (Op     *op,
              gint64  usec)
{
  op->timer = g_timeout_source_new ((guint) ((usec + 999) / 1000));
  g_source_set_static_name (op->timer, "[buzon] connection timeout");
  g_source_set_callback (op->timer, op_timer_cb, op, NULL);
  g_source_attach (op->timer, op->context);
}

/* Fires at the deadline, or earlier if there was progress since it was armed:
 * then it arms itself again for what is left. */
static gboolean
op_timer_cb (gpointer user_data)
{
  Op *op = user_data;
  gint64 now = g_get_monotonic_time ();

  g_clear_pointer (&op->timer, g_source_unref);

  if (now < op->deadline)
    {
      op_arm_timer (op, op->deadline - now);
      return G_SOURCE_REMOVE;
    }

  op->timed_out = TRUE;
  g_cancellable_cancel (op->cancellable);

  return G_SOURCE_REMOVE;
}

/* Starts (or restarts) the timeout of @op: @seconds without progress. */
static void
op_set_timeout (Op    *op,
                guint  seconds)
{
  op_stop_timer (op);
  op->timeout = seconds;
  if (seconds == 0)
    return;

  op->deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  op_arm_timer (op, (gint64) seconds * G_USEC_PER_SEC);
}

/* Bytes moved: the timeout counts from now. */
static void
op_progress (Op *op)
{
  if (op->timeout > 0)
    op->deadline = g_get_monotonic_time () + (gint64) op->timeout * G_USEC_PER_SEC;
}

/* The operation is over: no timer, no link to the caller's cancellable. Runs
 * before the task returns, since the caller may keep the task for long. */
static void
op_done (Op *op)
{
  op_stop_timer (op);
  if (op->caller_cancellable != NULL && op->cancelled_id != 0)
    g_cancellable_disconnect (op->caller_cancellable, op->cancelled_id);
  op->cancelled_id = 0;
  if (op->tls != NULL && op->accept_id != 0)
    g_clear_signal_handler (&op->accept_id, op->tls);
}

static void
op_free (Op *op)
{
  op_done (op);
  g_clear_object (&op->caller_cancellable);
  g_clear_object (&op->cancellable);
  g_clear_pointer (&op->context, g_main_context_unref);
  g_clear_pointer (&op->data, g_free);
  g_clear_pointer (&op->bytes, g_bytes_unref);
  g_clear_object (&op->tls);
  g_clear_object (&op->self);
  g_free (op);
}

/* Makes the Op of @task, whose GIO calls are cancelled by @cancellable or
 * after @timeout seconds without progress. */
static Op *
op_new (BuzonConnection *self,
        GTask           *task,
        GCancellable    *cancellable,
        guint            timeout)
{
  Op *op = g_new0 (Op, 1);

  op->self = g_object_ref (self);
  op->context = g_main_context_ref (g_task_get_context (task));
  op->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      op->caller_cancellable = g_object_ref (cancellable);
      op->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                g_object_ref (op->cancellable), g_object_unref);
    }
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  op_set_timeout (op, timeout);

  return op;
}

static gboolean
op_cancelled_by_caller (Op *op)
{
  return op->caller_cancellable != NULL && g_cancellable_is_cancelled (op->caller_cancellable);
}

/* What to report for @error, returned by a GIO call of @op. */
static GError *
op_translate_error (Op           *op,
                    const GError *error,
                    Failure       failure)
{
  BuzonConnection *self = op->self;
  GError *translated = NULL;

  if (op_cancelled_by_caller (op))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_error_copy (error);
      g_cancellable_set_error_if_cancelled (op->caller_cancellable, &translated);
      return translated;
    }

  if (op->timed_out)
    return op->connecting ? _buzon_net_connect_timeout_error_new (self->host, op->timeout)
                          : _buzon_net_io_timeout_error_new (self->host, op->timeout);

  switch (failure)
    {
    case FAILURE_CONNECT:
      return _buzon_net_connect_error_new (error, self->host, self->port);
    case FAILURE_HANDSHAKE:
      return _buzon_net_tls_error_new (error, self->host, self->port, op->implicit_tls);
    case FAILURE_IO:
    default:
      return _buzon_net_io_error_new (error, self->host);
    }
}

/* Ends the connection at once, without waiting for the server: shuts the
 * socket down (which also wakes any operation still waiting on it) but keeps
 * the descriptor until dispose, so no other thread can see it reused. */
static void
shutdown_socket (BuzonConnection *self)
{
  if (G_IS_SOCKET_CONNECTION (self->base_stream))
    {
      GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->base_stream));

      if (!g_socket_is_closed (socket))
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
}

/* The connection cannot go on. @error (nullable) is what later calls report;
 * a cancellation is not: they get "the connection is closed". */
static void
buzon_connection_fail (BuzonConnection *self,
                       const GError    *error)
{
  if (self->state == STATE_CLOSED)
    return;

  self->state = STATE_CLOSED;
  if (error != NULL && self->error == NULL
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->error = g_error_copy (error);
  shutdown_socket (self);
}

/* The error for a call on a connection that is not open. */
static GError *
not_open_error (BuzonConnection *self)
{
  if (self->state == STATE_CLOSED)
    return self->error != NULL ? g_error_copy (self->error)
                               : _buzon_net_already_closed_error_new (self->host);

  /* A programming error: the session did not wait for connect. */
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                              "The connection is not open yet");
}

/* Fails @task (and returns FALSE) unless the connection can start a read or a
 * write now. */
static gboolean
check_open (BuzonConnection *self,
            GTask           *task)
{
  if (self->state != STATE_OPEN)
    {
      g_task_return_error (task, not_open_error (self));
      return FALSE;
    }
  if (self->handshaking || self->closing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The connection is busy setting up or closing TLS");
      return FALSE;
    }

  return TRUE;
}

static void
set_stream (BuzonConnection *self,
            GIOStream       *stream)
{
  g_assert (self->buffer_start == self->buffer_end);

  g_set_object (&self->stream, stream);
  self->input = g_io_stream_get_input_stream (stream);
  self->output = g_io_stream_get_output_stream (stream);
  self->buffer_start = self->buffer_end = 0;
}

static void
clear_peer (BuzonConnection *self)
{
  g_clear_object (&self->peer_certificate);
  g_clear_pointer (&self->peer_sha256, g_free);
  self->peer_errors = 0;
  self->pinned = FALSE;
  self->pin_mismatch = FALSE;
}

static void
set_peer (BuzonConnection      *self,
          GTlsCertificate      *certificate,
          GTlsCertificateFlags  errors)
{
  clear_peer (self);
  if (certificate == NULL)
    return;

  self->peer_certificate = g_object_ref (certificate);
  self->peer_sha256 = buzon_certificate_dup_sha256 (certificate);
  self->peer_errors = errors;
}

/* Read buffer */

/* Consumes @length buffered bytes. */
static void
buffer_consume (BuzonConnection *self,
                gsize            length)
{
  g_assert (length <= self->buffer_end - self->buffer_start);

  self->buffer_start += length;
  if (self->buffer_start < self->buffer_end)
    return;

  self->buffer_start = self->buffer_end = 0;
  /* A long line grew the buffer; do not keep it for the connection's life. */
  if (self->buffer_size > BUFFER_KEEP_SIZE)
    {
      g_clear_pointer (&self->buffer, g_free);
      self->buffer_size = 0;
    }
}

/* Makes room after the buffered bytes, growing the buffer to at most @limit
 * (or BUFFER_MIN_SIZE). The caller made sure fewer than @limit bytes are
 * buffered, so there is always room afterwards. */
static void
buffer_make_room (BuzonConnection *self,
                  gsize            limit)
{
  gsize buffered = self->buffer_end - self->buffer_start;

  g_assert (buffered < MAX (limit, BUFFER_MIN_SIZE));

  if (self->buffer_start > 0)
    {
      memmove (self->buffer, self->buffer + self->buffer_start, buffered);
      self->buffer_start = 0;
      self->buffer_end = buffered;
    }

  if (self->buffer_end == self->buffer_size)
    {
      gsize size = MAX (self->buffer_size * 2, BUFFER_MIN_SIZE);

      size = MIN (size, MAX (limit, BUFFER_MIN_SIZE));
      g_assert (size > self->buffer_end);
      self->buffer = g_realloc (self->buffer, size);
      self->buffer_size = size;
    }
}

/* Reading lines */

static void read_line_step (GTask *task);

/* What an operation that failed with @error (taken) reports, closing the
 * connection unless @keep_open. If the connection was closed already (by the
 * other direction's failure, or by the caller), that reason is reported. */
static GError *
op_fail (Op       *op,
         GError   *error,
         gboolean  keep_open)
{
  BuzonConnection *self = op->self;

  if (op_cancelled_by_caller (op))
    {
      if (!keep_open)
        buzon_connection_fail (self, NULL);
      return error;
    }

  if (self->state == STATE_CLOSED)
    {
      g_error_free (error);
      return not_open_error (self);
    }

  buzon_connection_fail (self, error);
  return error;
}

/* A read failed or hit end of stream: ends @task (taken) with @error (taken).
 * A read the caller cancelled consumed nothing, so the connection stays. */
static void
read_fail (GTask  *task,
           GError *error)
{
  Op *op = g_task_get_task_data (task);

  op->self->reading = FALSE;
  op_done (op);
  g_task_return_error (task, op_fail (op, error, TRUE));
  g_object_unref (task);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      read_fail (g_steal_pointer (&task), op_translate_error (op, error, FAILURE_IO));
      return;
    }
  if (n == 0)
    {
      read_fail (g_steal_pointer (&task), _buzon_net_closed_error_new (self->host));
      return;
    }

  self->buffer_end += (gsize) n;
  op_progress (op);
  read_line_step (g_steal_pointer (&task));
}

/* Returns the next line if it is buffered, else reads more. Takes @task. */
static void
read_line_step (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;
  const guint8 *data = self->buffer + self->buffer_start;
  gsize buffered = self->buffer_end - self->buffer_start;
  const guint8 *newline = NULL;

  if (buffered > op->scanned)
    newline = memchr (data + op->scanned, '\n', buffered - op->scanned);

  if (newline != NULL)
    {
      gsize length = (gsize) (newline - data);
      gsize content = length;
      char *line;

      /* CRLF ends lines in all three protocols; a bare LF is accepted too
       * (some POP3 servers send message lines that way). */
      if (content > 0 && data[content - 1] == '\r')
        content--;
      if (content > op->max_length)
        {
          read_fail (task, _buzon_net_line_too_long_error_new (self->host, op->max_length));
          return;
        }

      line = g_malloc (content + 1);
      memcpy (line, data, content);
      line[content] = '\0';
      op->line_length = content;
      buffer_consume (self, length + 1);

      self->reading = FALSE;
      op_done (op);
      g_task_return_pointer (task, line, g_free);
      g_object_unref (task);
      return;
    }

  op->scanned = buffered;

  /* max_length bytes, a CR and the LF fit in max_length + 2: this many
   * without an LF can only be the start of a line that is too long. Failing
   * here bounds what a server can make us buffer. */
  if (buffered >= op->max_length + 2)
    {
      read_fail (task, _buzon_net_line_too_long_error_new (self->host, op->max_length));
      return;
    }

  buffer_make_room (self, op->max_length + 2);
  g_input_stream_read_async (self->input,
                             self->buffer + self->buffer_end,
                             self->buffer_size - self->buffer_end,
                             G_PRIORITY_DEFAULT, op->cancellable,
                             read_line_cb, task);
}

/* Reading bytes */

static void read_bytes_step (GTask *task);

static void
read_bytes_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      read_fail (g_steal_pointer (&task), op_translate_error (op, error, FAILURE_IO));
      return;
    }
  if (n == 0)
    {
      read_fail (g_steal_pointer (&task), _buzon_net_closed_error_new (op->self->host));
      return;
    }

  op->done += (gsize) n;
  op_progress (op);
  read_bytes_step (g_steal_pointer (&task));
}

/* Takes @task. Buffered bytes come first; the rest is read straight into the
 * result, which saves a copy for large literals. */
static void
read_bytes_step (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;

  if (op->done < op->count && self->buffer_end > self->buffer_start)
    {
      gsize take = MIN (op->count - op->done, self->buffer_end - self->buffer_start);

      memcpy (op->data + op->done, self->buffer + self->buffer_start, take);
      op->done += take;
      buffer_consume (self, take);
    }

  if (op->done == op->count)
    {
      self->reading = FALSE;
      op_done (op);
      g_task_return_pointer (task, g_bytes_new_take (g_steal_pointer (&op->data), op->count),
                             (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }

  g_input_stream_read_async (self->input, op->data + op->done, op->count - op->done,
                             G_PRIORITY_DEFAULT, op->cancellable, read_bytes_cb, task);
}

/* Reading what is there */

static void
read_some_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      read_fail (g_steal_pointer (&task), op_translate_error (op, error, FAILURE_IO));
      return;
    }
  if (n == 0)
    {
      read_fail (g_steal_pointer (&task), _buzon_net_closed_error_new (op->self->host));
      return;
    }

  op->self->reading = FALSE;
  op_done (op);
  g_task_return_pointer (task, g_bytes_new_take (g_steal_pointer (&op->data), (gsize)n),
                         (GDestroyNotify) g_bytes_unref);
}

/* Writing */

static void write_step (GTask *task);

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;
  gssize n;

  n = g_output_stream_write_finish (G_OUTPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      self->writing = FALSE;
      op_done (op);
      /* Part of a command may have gone out: nothing sensible can follow. */
      g_task_return_error (task, op_fail (op, op_translate_error (op, error, FAILURE_IO), FALSE));
      return;
    }

  op->done += (gsize) n;
  op_progress (op);
  write_step (g_steal_pointer (&task));
}

/* Takes @task. */
static void
write_step (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;
  gsize size;
  const guint8 *data = g_bytes_get_data (op->bytes, &size);

  if (op->done == size)
    {
      self->writing = FALSE;
      op_done (op);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  g_output_stream_write_async (self->output, data + op->done, size - op->done,
                               G_PRIORITY_DEFAULT, op->cancellable, write_cb, task);
}

/* TLS */

/* GIO calls this when the certificate did not verify against the system's
 * trust store; it decides whether to accept it anyway (see the top of the
 * file) and remembers what it saw for the error and the "trust" action. */
static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *peer_certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Op *op = user_data;
  BuzonConnection *self = op->self;
  GTlsCertificateFlags flags = errors;

  set_peer (self, peer_certificate, errors);

  if (self->tls_database != NULL)
    {
      g_autoptr(GError) error = NULL;
      GSocketConnectable *identity;
      GTlsCertificateFlags extra;

      identity = g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (tls));
      extra = g_tls_database_verify_chain (self->tls_database, peer_certificate,
                                           G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                           identity, g_tls_connection_get_interaction (tls),
                                           G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
      if (error != NULL)
        {
          g_debug ("Could not verify the certificate of %s against the extra database: %s",
                   self->host, error->message);
          extra |= G_TLS_CERTIFICATE_GENERIC_ERROR;
        }
      if (extra == 0)
        {
          self->peer_errors = 0;
          return TRUE;
        }

      /* What both databases object to is the real problem: a certificate
       * from the extra CA with the wrong name is a name problem, not an
       * unknown CA. */
      flags = (errors & extra) != 0 ? (errors & extra) : extra;
    }
  self->peer_errors = flags;

  if (self->store != NULL && self->peer_sha256 != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *pin = buzon_store_lookup_pin (self->store, self->host, self->port, &error);

      if (pin != NULL && g_ascii_strcasecmp (pin, self->peer_sha256) == 0)
        {
          g_debug ("Accepting the pinned certificate of %s:%u", self->host, (guint) self->port);
          self->pinned = TRUE;
          return TRUE;
        }
      self->pin_mismatch = pin != NULL;
      if (error != NULL && !g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        g_debug ("Could not look up the pin of %s:%u: %s", self->host, (guint) self->port,
                 error->message);
    }

  op->rejected = TRUE;
  return FALSE;
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *ciphersuite = NULL;
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;
  GTlsConnection *tls = G_TLS_CONNECTION (object);

  self->handshaking = FALSE;

  if (!g_tls_connection_handshake_finish (tls, result, &error))
    {
      GError *translated;

      op_done (op);
      if (op->rejected && !op_cancelled_by_caller (op) && !op->timed_out)
        translated = _buzon_net_certificate_error_new (self->host, self->peer_errors,
                                                       self->peer_sha256, self->pin_mismatch);
      else
        translated = op_translate_error (op, error, FAILURE_HANDSHAKE);

      /* Half a handshake leaves nothing to talk over, and after STARTTLS the
       * session must not go on in the clear. */
      g_task_return_error (task, op_fail (op, translated, FALSE));
      return;
    }

  if (self->peer_certificate == NULL)
    set_peer (self, g_tls_connection_get_peer_certificate (tls), 0);

  ciphersuite = g_tls_connection_get_ciphersuite_name (tls);
  g_debug ("TLS with %s:%u: %s, %s%s", self->host, (guint) self->port,
           g_tls_connection_get_protocol_version (tls) == G_TLS_PROTOCOL_VERSION_TLS_1_3
             ? "TLS 1.3" : "TLS 1.2 or older",
           ciphersuite != NULL ? ciphersuite : "?",
           self->pinned ? ", pinned certificate" : "");

  g_set_object (&self->tls, tls);
  set_stream (self, G_IO_STREAM (tls));
  self->state = STATE_OPEN;
  op_done (op);
  g_task_return_boolean (task, TRUE);
}

/* Sets up TLS over base_stream. Takes @task, whose Op is set up. */
static void
handshake_start (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  identity = g_network_address_new (self->host, self->port);
  tls = g_tls_client_connection_new (self->base_stream, identity, &error);
  if (tls == NULL)
    {
      op_done (op);
      g_task_return_error (task, op_fail (op, _buzon_net_tls_error_new (error, self->host,
                                                                         self->port, FALSE),
                                          FALSE));
      g_object_unref (task);
      return;
    }

  /* The system's trust store, named explicitly: it is the only thing GIO
   * trusts by itself; the extra database is checked in accept_certificate_cb. */
  database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  /* The mail protocols end their own sessions (LOGOUT, QUIT), so a missing
   * close_notify truncates nothing; many servers do not send one. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);

  clear_peer (self);
  op->rejected = FALSE;
  op->tls = G_TLS_CONNECTION (g_object_ref (tls));
  op->accept_id = g_signal_connect (tls, "accept-certificate",
                                    G_CALLBACK (accept_certificate_cb), op);
  op->connecting = FALSE;
  op_set_timeout (op, self->io_timeout);
  self->handshaking = TRUE;

  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, op->cancellable,
                                    handshake_cb, task);
}

/* Connecting */

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), result, &error);
  if (connection == NULL)
    {
      op_done (op);
      g_task_return_error (task, op_fail (op, op_translate_error (op, error, FAILURE_CONNECT),
                                          FALSE));
      return;
    }

  /* Notices a peer that vanished during a long IMAP IDLE. */
  g_socket_set_keepalive (g_socket_connection_get_socket (connection), TRUE);

  self->base_stream = G_IO_STREAM (g_steal_pointer (&connection));
  set_stream (self, self->base_stream);

  if (self->security == BUZON_SECURITY_TLS)
    {
      op->implicit_tls = TRUE;
      handshake_start (g_steal_pointer (&task));
      return;
    }

  self->state = STATE_OPEN;
  op_done (op);
  g_task_return_boolean (task, TRUE);
}

/* Closing */

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Op *op = g_task_get_task_data (task);
  BuzonConnection *self = op->self;

  self->closing = FALSE;
  op_done (op);
  shutdown_socket (self);

  if (!g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    {
      g_task_return_error (task, op_translate_error (op, error, FAILURE_IO));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/* GObject */

static void
buzon_connection_dispose (GObject *object)
{
  BuzonConnection *self = (BuzonConnection *)object;

  /* Closing a TLS stream would send close_notify and could block; the caller
   * had buzon_connection_close_async() for a polite goodbye. */
  shutdown_socket (self);

  g_clear_object (&self->tls);
  g_clear_object (&self->stream);
  g_clear_object (&self->base_stream);
  self->input = NULL;
  self->output = NULL;
  g_clear_object (&self->store);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->peer_certificate);

  G_OBJECT_CLASS (buzon_connection_parent_class)->dispose (object);
}

static void
buzon_connection_finalize (GObject *object)
{
  BuzonConnection *self = (BuzonConnection *)object;

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->peer_sha256, g_free);
  g_clear_pointer (&self->buffer, g_free);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (buzon_connection_parent_class)->finalize (object);
}

static void
buzon_connection_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  BuzonConnection *self = BUZON_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_IO_TIMEOUT:
      g_value_set_uint (value, self->io_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_connection_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  BuzonConnection *self = BUZON_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_HOST:
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = (guint16) g_value_get_uint (value);
      break;
    case PROP_SECURITY:
      self->security = g_value_get_enum (value);
      break;
    case PROP_STORE:
      buzon_connection_set_store (self, g_value_get_object (value));
      break;
    case PROP_TLS_DATABASE:
      buzon_connection_set_tls_database (self, g_value_get_object (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      buzon_connection_set_connect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_IO_TIMEOUT:
      buzon_connection_set_io_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_connection_class_init (BuzonConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = buzon_connection_dispose;
  object_class->finalize = buzon_connection_finalize;
  object_class->get_property = buzon_connection_get_property;
  object_class->set_property = buzon_connection_set_property;

  /**
   * BuzonConnection:host:
   *
   * The server's host name or address, as the user gave it: what is looked
   * up, what the certificate must name, and the key of its pin.
   */
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonConnection:port:
   *
   * The server's TCP port.
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonConnection:security:
   *
   * %BUZON_SECURITY_TLS sets up TLS right after connecting;
   * %BUZON_SECURITY_STARTTLS and %BUZON_SECURITY_NONE connect in the clear
   * (with STARTTLS the session then calls buzon_connection_start_tls_async()).
   */
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, NULL, BUZON_TYPE_SECURITY, BUZON_SECURITY_TLS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonConnection:store:
   *
   * The store that holds certificate pins, or %NULL to accept only
   * certificates that verify.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, BUZON_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonConnection:tls-database:
   *
   * More trust anchors, checked after the system's (the tests' CA). Only a
   * program sets this; nothing a user or the environment controls does.
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonConnection:connect-timeout:
   *
   * Seconds to wait for the name lookup and TCP connection; 0 waits as long
   * as the system does.
   */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL,
                       0, MAX_TIMEOUT, BUZON_CONNECTION_DEFAULT_CONNECT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * BuzonConnection:io-timeout:
   *
   * Seconds a read, write or TLS handshake may make no progress before the
   * server counts as stalled; 0 for no limit. Read at the start of each
   * operation.
   */
  properties[PROP_IO_TIMEOUT] =
    g_param_spec_uint ("io-timeout", NULL, NULL,
                       0, MAX_TIMEOUT, BUZON_CONNECTION_DEFAULT_IO_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_connection_init (BuzonConnection *self)
{
  self->security = BUZON_SECURITY_TLS;
  self->connect_timeout = BUZON_CONNECTION_DEFAULT_CONNECT_TIMEOUT;
  self->io_timeout = BUZON_CONNECTION_DEFAULT_IO_TIMEOUT;
}

/* Public API */

/**
 * buzon_connection_new:
 * @host: the server's host name or address
 * @port: its port
 * @security: how the connection is protected
 *
 * Creates a connection; buzon_connection_connect_async() connects it. A
 * connection connects once: make a new one to try again.
 *
 * Returns: (transfer full): the new connection
 */
BuzonConnection *
buzon_connection_new (const char    *host,
                      guint16        port,
                      BuzonSecurity  security)
{
  g_return_val_if_fail (host != NULL && *host != '\0', NULL);
  g_return_val_if_fail (port != 0, NULL);

  return g_object_new (BUZON_TYPE_CONNECTION,
                       "host", host,
                       "port", (guint) port,
                       "security", security,
                       NULL);
}

/**
 * buzon_connection_new_for_account:
 * @account: an account
 * @server: which of its servers
 *
 * Creates a connection to @account's incoming (IMAP or POP3) or outgoing
 * (SMTP) server with its port and security settings.
 *
 * Returns: (transfer full): the new connection
 */
BuzonConnection *
buzon_connection_new_for_account (BuzonAccount          *account,
                                  BuzonConnectionServer  server)
{
  const char *host;
  guint port;
  BuzonSecurity security;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (account), NULL);

  if (server == BUZON_CONNECTION_SERVER_OUTGOING)
    {
      host = buzon_account_get_smtp_host (account);
      port = buzon_account_get_smtp_port (account);
      security = buzon_account_get_smtp_security (account);
    }
  else
    {
      host = buzon_account_get_host (account);
      port = buzon_account_get_port (account);
      security = buzon_account_get_security (account);
    }

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (port > 0 && port <= G_MAXUINT16, NULL);

  return buzon_connection_new (host, (guint16) port, security);
}

/**
 * buzon_connection_new_for_stream:
 * @stream: a connected stream to a server
 * @host: the server's name, for messages, certificates and pins
 * @port: its port
 *
 * Wraps a stream that is already connected (a socket pair or memory streams
 * in tests, a tunnel): the connection is open at once, in the clear, and
 * buzon_connection_start_tls_async() can set up TLS over @stream.
 *
 * Returns: (transfer full): the new, open connection
 */
BuzonConnection *
buzon_connection_new_for_stream (GIOStream  *stream,
                                 const char *host,
                                 guint16     port)
{
  BuzonConnection *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (host != NULL && *host != '\0', NULL);

  self = g_object_new (BUZON_TYPE_CONNECTION,
                       "host", host,
                       "port", (guint) port,
                       "security", BUZON_SECURITY_NONE,
                       NULL);
  self->base_stream = g_object_ref (stream);
  set_stream (self, stream);
  self->state = STATE_OPEN;

  return self;
}

/**
 * buzon_connection_get_host:
 *
 * Returns: the server's host name or address
 */
const char *
buzon_connection_get_host (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);

  return self->host;
}

/**
 * buzon_connection_get_port:
 *
 * Returns: the server's port
 */
guint16
buzon_connection_get_port (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), 0);

  return self->port;
}

/**
 * buzon_connection_get_security:
 *
 * Returns: how the connection is protected
 */
BuzonSecurity
buzon_connection_get_security (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), BUZON_SECURITY_TLS);

  return self->security;
}

/**
 * buzon_connection_get_store:
 *
 * Returns: (transfer none) (nullable): the store holding certificate pins
 */
BuzonStore *
buzon_connection_get_store (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);

  return self->store;
}

/**
 * buzon_connection_set_store:
 * @store: (nullable): the store holding certificate pins
 *
 * Sets where pinned certificates are looked up (and saved by
 * buzon_connection_trust_peer_certificate()). Without a store only
 * certificates that verify are accepted.
 */
void
buzon_connection_set_store (BuzonConnection *self,
                            BuzonStore      *store)
{
  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (store == NULL || BUZON_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * buzon_connection_get_tls_database:
 *
 * Returns: (transfer none) (nullable): the extra trust anchors
 */
GTlsDatabase *
buzon_connection_get_tls_database (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);

  return self->tls_database;
}

/**
 * buzon_connection_set_tls_database:
 * @database: (nullable): more trust anchors
 *
 * Also accepts certificates that verify against @database (with the server's
 * name checked as usual), besides the system's trust store. This is for
 * programs that bring their own CA, like the tests with theirs; the shipped
 * application never sets it, and no environment variable does.
 */
void
buzon_connection_set_tls_database (BuzonConnection *self,
                                   GTlsDatabase    *database)
{
  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (g_set_object (&self->tls_database, database))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_DATABASE]);
}

/**
 * buzon_connection_get_connect_timeout:
 *
 * Returns: the connect timeout in seconds, 0 for none
 */
guint
buzon_connection_get_connect_timeout (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), 0);

  return self->connect_timeout;
}

/**
 * buzon_connection_set_connect_timeout:
 * @seconds: how long name lookup and TCP connect may take; 0 for the
 *   system's limit
 */
void
buzon_connection_set_connect_timeout (BuzonConnection *self,
                                      guint            seconds)
{
  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (seconds <= MAX_TIMEOUT);

  if (self->connect_timeout == seconds)
    return;

  self->connect_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECT_TIMEOUT]);
}

/**
 * buzon_connection_get_io_timeout:
 *
 * Returns: the I/O timeout in seconds, 0 for none
 */
guint
buzon_connection_get_io_timeout (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), 0);

  return self->io_timeout;
}

/**
 * buzon_connection_set_io_timeout:
 * @seconds: how long a read, write or handshake may go without progress; 0
 *   for no limit
 *
 * Applies to operations started afterwards.
 */
void
buzon_connection_set_io_timeout (BuzonConnection *self,
                                 guint            seconds)
{
  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (seconds <= MAX_TIMEOUT);

  if (self->io_timeout == seconds)
    return;

  self->io_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IO_TIMEOUT]);
}

/**
 * buzon_connection_is_open:
 *
 * Returns: %TRUE once connected and until closed or failed
 */
gboolean
buzon_connection_is_open (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);

  return self->state == STATE_OPEN;
}

/**
 * buzon_connection_is_encrypted:
 *
 * Returns: %TRUE once TLS is set up (implicit or STARTTLS)
 */
gboolean
buzon_connection_is_encrypted (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);

  return self->tls != NULL;
}

/**
 * buzon_connection_is_pinned:
 *
 * Returns: %TRUE if the certificate was accepted only because the user pinned
 *   it (it does not verify against a trusted CA)
 */
gboolean
buzon_connection_is_pinned (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);

  return self->tls != NULL && self->pinned;
}

/**
 * buzon_connection_get_peer_certificate:
 *
 * The certificate the server presented in the last TLS handshake, accepted
 * or not. After %BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED it is the one a "Trust
 * this certificate" action would pin.
 *
 * Returns: (transfer none) (nullable): the certificate, or %NULL before a
 *   handshake got that far
 */
GTlsCertificate *
buzon_connection_get_peer_certificate (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);

  return self->peer_certificate;
}

/**
 * buzon_connection_get_peer_certificate_errors:
 *
 * Returns: why the peer certificate did not verify (0 if it did); for a
 *   pinned certificate, the problems the pin overrode
 */
GTlsCertificateFlags
buzon_connection_get_peer_certificate_errors (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), 0);

  return self->peer_errors;
}

/**
 * buzon_connection_get_peer_sha256:
 *
 * The fingerprint of buzon_connection_get_peer_certificate(), as pins store
 * it; buzon_certificate_format_fingerprint() formats it for people.
 *
 * Returns: (nullable): 64 lowercase hexadecimal digits, or %NULL
 */
const char *
buzon_connection_get_peer_sha256 (BuzonConnection *self)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);

  return self->peer_sha256;
}

/**
 * buzon_connection_trust_peer_certificate:
 * @error: return location for an error
 *
 * Pins the certificate the server presented (after
 * %BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED, once the user chose to trust it)
 * for this host and port in the connection's store, replacing any earlier
 * pin. The failed connection stays closed; a new one will accept the
 * certificate.
 *
 * Returns: %TRUE if the pin was saved
 */
gboolean
buzon_connection_trust_peer_certificate (BuzonConnection  *self,
                                         GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (self->store != NULL, FALSE);
  g_return_val_if_fail (self->peer_sha256 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return buzon_store_set_pin (self->store, self->host, self->port, self->peer_sha256, error);
}

/**
 * buzon_connection_connect_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called when connected (and, for %BUZON_SECURITY_TLS, when the
 *   certificate is accepted) or failed
 * @user_data: data for @callback
 *
 * Connects to the server, within the connect timeout, and for
 * %BUZON_SECURITY_TLS sets up TLS within the I/O timeout.
 */
void
buzon_connection_connect_async (BuzonConnection     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) address = NULL;
  Op *op;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (self->state == STATE_NEW);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_connect_async));
  /* Every operation reports what happened, even if the caller cancelled
   * after it was done: an open connection, a consumed line, sent bytes. */
  g_task_set_check_cancellable (task, FALSE);
  if (g_task_return_error_if_cancelled (task))
    return;

  self->state = STATE_CONNECTING;
  op = op_new (self, task, cancellable, self->connect_timeout);
  op->connecting = TRUE;

  /* The timeouts are ours (see op_set_timeout()), so GSocketClient has none:
   * its timeout would also stay on the socket and fail reads of a session
   * that is idle on purpose. */
  client = g_socket_client_new ();
  address = g_network_address_new (self->host, self->port);
  g_socket_client_connect_async (client, address, op->cancellable, connect_cb,
                                 g_steal_pointer (&task));
}

/**
 * buzon_connection_connect_finish:
 * @result: the result passed to the callback
 * @error: return location for an error: %BUZON_NET_ERROR_CONNECT_FAILED,
 *   %BUZON_NET_ERROR_TIMEOUT, %BUZON_NET_ERROR_TLS_FAILED,
 *   %BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED, or %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE if the connection is open
 */
gboolean
buzon_connection_connect_finish (BuzonConnection  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_connection_start_tls_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called when TLS is set up or failed
 * @user_data: data for @callback
 *
 * Sets up TLS on a clear connection, after the session's STARTTLS (IMAP,
 * SMTP) or STLS (POP3) command got its go-ahead and before anything else is
 * sent. Fails with %BUZON_NET_ERROR_PROTOCOL if the server sent anything after
 * that go-ahead. Any failure closes the connection, so the session cannot
 * carry on in the clear.
 */
void
buzon_connection_start_tls_async (BuzonConnection     *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean injected = FALSE;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_start_tls_async));
  g_task_set_check_cancellable (task, FALSE);

  if (!check_open (self, task))
    return;
  if (self->tls != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "The connection is already encrypted");
      return;
    }
  if (self->reading || self->writing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A read or write is still pending");
      return;
    }

  if (self->buffer_end > self->buffer_start)
    injected = TRUE;
  else if (G_IS_SOCKET_CONNECTION (self->base_stream))
    {
      GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (self->base_stream));

      injected = g_socket_get_available_bytes (socket) > 0;
    }
  if (injected)
    {
      GError *error = _buzon_net_starttls_injection_error_new (self->host);

      self->buffer_start = self->buffer_end = 0;
      buzon_connection_fail (self, error);
      g_task_return_error (task, error);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      buzon_connection_fail (self, NULL);
      return;
    }

  op_new (self, task, cancellable, self->io_timeout);
  handshake_start (g_steal_pointer (&task));
}

/**
 * buzon_connection_start_tls_finish:
 * @result: the result passed to the callback
 * @error: return location for an error: %BUZON_NET_ERROR_TLS_FAILED,
 *   %BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED, %BUZON_NET_ERROR_PROTOCOL,
 *   %BUZON_NET_ERROR_TIMEOUT, %BUZON_NET_ERROR_CLOSED or
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE if the connection is now encrypted; on %FALSE it is closed
 */
gboolean
buzon_connection_start_tls_finish (BuzonConnection  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Common start of a read: FALSE (and @task done) if it cannot start. */
static gboolean
read_begin (BuzonConnection *self,
            GTask           *task)
{
  if (!check_open (self, task))
    return FALSE;
  if (self->reading)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A read is already pending");
      return FALSE;
    }
  if (g_task_return_error_if_cancelled (task))
    return FALSE;

  self->reading = TRUE;
  return TRUE;
}

/**
 * buzon_connection_read_line_async:
 * @max_length: the longest line accepted, in bytes without the line end; at
 *   most %BUZON_CONNECTION_MAX_READ_BYTES
 * @cancellable: (nullable): a cancellable; cancelling leaves the connection
 *   usable
 * @callback: called with the line
 * @user_data: data for @callback
 *
 * Reads one line, ended by CRLF (or a bare LF). A longer line fails with
 * %BUZON_NET_ERROR_PROTOCOL as soon as more than @max_length bytes came
 * without an end, so a server cannot make the client buffer without bound.
 */
void
buzon_connection_read_line_async (BuzonConnection     *self,
                                  gsize                max_length,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (max_length > 0 && max_length <= BUZON_CONNECTION_MAX_READ_BYTES);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_read_line_async));
  /* A line that was read is returned even if the caller cancelled just
   * after: it is consumed, and dropping it would lose sync. */
  g_task_set_check_cancellable (task, FALSE);

  if (!read_begin (self, task))
    return;

  op = op_new (self, task, cancellable, self->io_timeout);
  op->max_length = max_length;
  read_line_step (g_steal_pointer (&task));
}

/**
 * buzon_connection_read_line_finish:
 * @result: the result passed to the callback
 * @length: (out) (optional): the line's length in bytes (a server may send
 *   NUL bytes, which would end the string early)
 * @error: return location for an error: %BUZON_NET_ERROR_PROTOCOL,
 *   %BUZON_NET_ERROR_TIMEOUT, %BUZON_NET_ERROR_CLOSED,
 *   %BUZON_NET_ERROR_TLS_FAILED or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): the line without its CRLF,
 *   NUL-terminated
 */
char *
buzon_connection_read_line_finish (BuzonConnection  *self,
                                   GAsyncResult     *result,
                                   gsize            *length,
                                   GError          **error)
{
  char *line;

  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  line = g_task_propagate_pointer (G_TASK (result), error);
  if (line != NULL && length != NULL)
    {
      Op *op = g_task_get_task_data (G_TASK (result));

      *length = op->line_length;
    }

  return line;
}

/**
 * buzon_connection_read_bytes_async:
 * @count: how many bytes to read, at most %BUZON_CONNECTION_MAX_READ_BYTES
 * @cancellable: (nullable): a cancellable; cancelling leaves the connection
 *   usable only if nothing was read yet, so sessions should not cancel in
 *   the middle of a literal
 * @callback: called with the bytes
 * @user_data: data for @callback
 *
 * Reads exactly @count bytes (an IMAP literal, a chunk of one). Large
 * payloads are read in chunks of, say, 64 KiB and written out as they come,
 * so they are never whole in memory.
 */
void
buzon_connection_read_bytes_async (BuzonConnection     *self,
                                   gsize                count,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (count <= BUZON_CONNECTION_MAX_READ_BYTES);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_read_bytes_async));
  g_task_set_check_cancellable (task, FALSE);

  if (!read_begin (self, task))
    return;

  op = op_new (self, task, cancellable, self->io_timeout);
  op->count = count;
  op->data = g_malloc (MAX (count, 1));
  read_bytes_step (g_steal_pointer (&task));
}

/**
 * buzon_connection_read_bytes_finish:
 * @result: the result passed to the callback
 * @error: return location for an error: %BUZON_NET_ERROR_TIMEOUT,
 *   %BUZON_NET_ERROR_CLOSED, %BUZON_NET_ERROR_TLS_FAILED or
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): exactly the bytes asked for
 */
GBytes *
buzon_connection_read_bytes_finish (BuzonConnection  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * buzon_connection_read_some_async:
 * @max_count: the most bytes to return, at least 1 and at most
 *   %BUZON_CONNECTION_MAX_READ_BYTES
 * @cancellable: (nullable): a cancellable
 * @callback: called with the bytes
 * @user_data: data for @callback
 *
 * Reads whatever the server sent, at least one byte and at most @max_count:
 * what is buffered, or else what one read returns. For protocols parsed
 * incrementally (POP3), where a reply's length is known only at its end.
 */
void
buzon_connection_read_some_async (BuzonConnection     *self,
                                  gsize                max_count,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (max_count >= 1 && max_count <= BUZON_CONNECTION_MAX_READ_BYTES);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_read_some_async));
  g_task_set_check_cancellable (task, FALSE);

  if (!read_begin (self, task))
    return;

  op = op_new (self, task, cancellable, self->io_timeout);

  if (self->buffer_end > self->buffer_start)
    {
      gsize take = MIN (max_count, self->buffer_end - self->buffer_start);
      GBytes *bytes = g_bytes_new (self->buffer + self->buffer_start, take);

      buffer_consume (self, take);
      self->reading = FALSE;
      op_done (op);
      g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
      return;
    }

  op->count = max_count;
  op->data = g_malloc (max_count);
  g_input_stream_read_async (self->input, op->data, max_count, G_PRIORITY_DEFAULT,
                             op->cancellable, read_some_cb, g_steal_pointer (&task));
}

/**
 * buzon_connection_read_some_finish:
 * @result: the result passed to the callback
 * @error: return location for an error, as for
 *   buzon_connection_read_bytes_finish()
 *
 * Returns: (transfer full) (nullable): one or more bytes
 */
GBytes *
buzon_connection_read_some_finish (BuzonConnection  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
write_start (BuzonConnection *self,
             GTask           *task,
             GBytes          *bytes,
             GCancellable    *cancellable)
{
  Op *op;

  /* Bytes that went out are reported sent, even if the caller cancelled
   * after that. */
  g_task_set_check_cancellable (task, FALSE);
  if (!check_open (self, task))
    return;
  if (self->writing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A write is already pending");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  self->writing = TRUE;
  op = op_new (self, task, cancellable, self->io_timeout);
  op->bytes = g_bytes_ref (bytes);
  write_step (g_object_ref (task));
}

/**
 * buzon_connection_write_async:
 * @data: (array length=length): the bytes to send
 * @length: their length, or -1 if @data is a NUL-terminated string
 * @cancellable: (nullable): a cancellable; cancelling closes the connection,
 *   since part of the data may have been sent
 * @callback: called when all of @data was sent
 * @user_data: data for @callback
 *
 * Sends all of @data (copied first, so it may be freed at once).
 */
void
buzon_connection_write_async (BuzonConnection     *self,
                              const void          *data,
                              gssize               length,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (length < 0)
    length = (gssize) strlen (data);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_write_async));
  bytes = g_bytes_new (data, (gsize) length);
  write_start (self, task, bytes, cancellable);
}

/**
 * buzon_connection_write_finish:
 * @result: the result passed to the callback
 * @error: return location for an error: %BUZON_NET_ERROR_TIMEOUT,
 *   %BUZON_NET_ERROR_CLOSED, %BUZON_NET_ERROR_TLS_FAILED or
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: %TRUE if everything was sent
 */
gboolean
buzon_connection_write_finish (BuzonConnection  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_connection_write_bytes_async:
 * @bytes: the bytes to send (kept, not copied)
 * @cancellable: (nullable): a cancellable; cancelling closes the connection
 * @callback: called when all of @bytes was sent
 * @user_data: data for @callback
 *
 * Sends all of @bytes: a message body, without a copy.
 */
void
buzon_connection_write_bytes_async (BuzonConnection     *self,
                                    GBytes              *bytes,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (bytes != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_write_bytes_async));
  write_start (self, task, bytes, cancellable);
}

/**
 * buzon_connection_write_bytes_finish:
 * @result: the result passed to the callback
 * @error: return location for an error, as buzon_connection_write_finish()
 *
 * Returns: %TRUE if everything was sent
 */
gboolean
buzon_connection_write_bytes_finish (BuzonConnection  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_connection_close_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called when closed
 * @user_data: data for @callback
 *
 * Closes the connection politely: TLS close_notify, then the socket, within
 * the I/O timeout. With a read or write still pending it closes at once, like
 * buzon_connection_disconnect(). Closing a closed connection succeeds.
 */
void
buzon_connection_close_async (BuzonConnection     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (BUZON_IS_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_connection_close_async));

  if (self->state != STATE_OPEN || self->closing)
    {
      if (self->state == STATE_CONNECTING || self->closing)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                                   "The connection is still connecting or closing");
          return;
        }
      self->state = STATE_CLOSED;
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (self->reading || self->writing || self->handshaking)
    {
      buzon_connection_disconnect (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->state = STATE_CLOSED;
  self->closing = TRUE;
  op = op_new (self, task, cancellable, self->io_timeout);
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, op->cancellable, close_cb,
                           g_steal_pointer (&task));
}

/**
 * buzon_connection_close_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: %TRUE if the connection closed cleanly; it is closed either way
 */
gboolean
buzon_connection_close_finish (BuzonConnection  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (BUZON_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * buzon_connection_disconnect:
 *
 * Ends the connection at once, without a TLS goodbye or waiting for
 * anything. Pending reads and writes fail. For owners going away, and for
 * sessions giving up on a server.
 */
void
buzon_connection_disconnect (BuzonConnection *self)
{
  g_return_if_fail (BUZON_IS_CONNECTION (self));

  if (self->state == STATE_CONNECTING)
    return;

  if (self->state == STATE_NEW)
    self->state = STATE_CLOSED;
  buzon_connection_fail (self, NULL);
}
