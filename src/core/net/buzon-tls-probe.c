/* buzon-tls-probe.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The TLS probe connects to one of an account's servers the way its session
 * would (implicit TLS, or the protocol's STARTTLS exchange: RFC 3501 §6.2.1,
 * RFC 2595 §4, RFC 3207 §4), sets up TLS and reports the certificate the
 * server presented: its SHA-256, whether it verified, whether only a pin made
 * it acceptable, and who it names. It is what "buzon-cli account trust" and a
 * "Trust this certificate" dialog stand on.
 *
 * A certificate that does not verify is the probe's subject, not its failure:
 * the connection layer still fails closed with
 * %BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED (and closes the connection, so
 * nothing could be sent over it), and the probe turns that into a result
 * with the certificate the connection kept (buzon_connection_get_peer_*).
 * Every other failure (unreachable, not TLS, no STARTTLS) is an error.
 *
 * No credentials are involved: the probe sends only the STARTTLS command, the
 * SMTP EHLO it needs to ask for it, and a goodbye (LOGOUT, QUIT) once TLS is
 * up. The goodbye is a courtesy with a short timeout; its failures are
 * ignored, since the answer is known by then.
 */

#define G_LOG_DOMAIN "buzon-net"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-certificate.h"
#include "buzon-net-error.h"
#include "buzon-store.h"
#include "buzon-tls-probe.h"

/* Longest line read: greetings and capability lists are far shorter. */
#define MAX_LINE          (64 * 1024)
/* Lines one step may read (SMTP multi-line replies, IMAP untagged responses
 * before the tagged one): a server that never stops is cut off. */
#define MAX_LINES         256
/* Largest IMAP literal accepted in an untagged response before STARTTLS's
 * answer; no real server sends one there. */
#define MAX_LITERAL       (64 * 1024)
/* Seconds the goodbye may take, once the answer is known. */
#define GOODBYE_TIMEOUT   5
/* How much of a server's line goes into an error message. */
#define MAX_QUOTED        80

struct _BuzonTlsProbeResult
{
  gatomicrefcount       ref_count;

  char                 *host;
  guint16               port;
  BuzonSecurity         security;
  GTlsCertificate      *certificate;
  char                 *sha256;
  GTlsCertificateFlags  errors;
  gboolean              verified;
  gboolean              pinned;
  char                 *stored_pin;
  char                 *subject_name;
  char                 *issuer_name;
  GDateTime            *not_valid_before;
  GDateTime            *not_valid_after;
};

/* G_DEFINE_BOXED_TYPE() type-checks its functions with a GCC transparent
 * union, which -Wpedantic (warning_level=3) rejects; this is the same
 * registration spelled out, as the store's and the IMAP layer's. */
GType
buzon_tls_probe_result_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id,
                       g_boxed_type_register_static (g_intern_static_string ("BuzonTlsProbeResult"),
                                                     (GBoxedCopyFunc) buzon_tls_probe_result_ref,
                                                     (GBoxedFreeFunc) buzon_tls_probe_result_unref));

  return type_id;
}

G_DEFINE_QUARK (buzon-tls-probe-error-quark, buzon_tls_probe_error)

typedef enum
{
  DIALECT_IMAP,
  DIALECT_POP3,
  DIALECT_SMTP,
} Dialect;

typedef enum
{
  STEP_GREETING,          /* the clear greeting, before STARTTLS */
  STEP_EHLO,              /* SMTP: the answer to EHLO */
  STEP_STARTTLS,          /* the answer to STARTTLS (STLS) */
  STEP_TLS_GREETING,      /* implicit TLS: the greeting, read before saying goodbye */
  STEP_GOODBYE,           /* the answer to LOGOUT or QUIT */
} Step;

typedef struct
{
  BuzonConnection     *connection;
  BuzonStore          *store;
  BuzonTlsProbeResult *result;
  Dialect              dialect;
  Step                 step;
  guint                lines;             /* lines read in this step */
  gboolean             starttls_offered;  /* SMTP: EHLO listed STARTTLS */
  gboolean             in_untagged;       /* IMAP: the next line goes on after a literal */
} Probe;

static void
probe_free (Probe *probe)
{
  if (probe->connection != NULL)
    buzon_connection_disconnect (probe->connection);
  g_clear_object (&probe->connection);
  g_clear_object (&probe->store);
  g_clear_pointer (&probe->result, buzon_tls_probe_result_unref);
  g_free (probe);
}

static const char *
dialect_name (Dialect dialect)
{
  switch (dialect)
    {
    case DIALECT_IMAP:
      return "IMAP";
    case DIALECT_POP3:
      return "POP3";
    case DIALECT_SMTP:
    default:
      return "SMTP";
    }
}

/* The command that asks for TLS, as the protocol spells it. */
static const char *
starttls_command_name (Dialect dialect)
{
  return dialect == DIALECT_POP3 ? "STLS" : "STARTTLS";
}

/* Whatever a server sent, made safe to show in a one-line message: printable,
 * valid UTF-8, not too long. */
static char *
quote_line (const char *line)
{
  g_autoptr(GString) quoted = g_string_new (NULL);

  for (const char *p = line; *p != '\0' && quoted->len < MAX_QUOTED; p++)
    g_string_append_c (quoted, ((guchar) *p < 0x20 || *p == 0x7f) ? '?' : *p);
  if (strlen (line) > MAX_QUOTED)
    g_string_append (quoted, "…");

  /* A cut in the middle of a character, or Latin-1, becomes U+FFFD. */
  return g_utf8_make_valid (quoted->str, (gssize) quoted->len);
}

static GError *
unexpected_error_new (Probe      *probe,
                      const char *line)
{
  g_autofree char *quoted = quote_line (line);

  return g_error_new (BUZON_NET_ERROR, BUZON_NET_ERROR_PROTOCOL,
                      /* TRANSLATORS: the second %s is IMAP, POP3 or SMTP; the last is what
                       * the server sent */
                      _("The server “%s” did not answer like a mail server speaking %s on "
                        "port %u (it sent “%s”). Check the port and the protocol."),
                      buzon_connection_get_host (probe->connection),
                      dialect_name (probe->dialect),
                      (guint) buzon_connection_get_port (probe->connection),
                      quoted);
}

static GError *
refused_error_new (Probe      *probe,
                   const char *line)
{
  g_autofree char *quoted = quote_line (line);

  return g_error_new (BUZON_TLS_PROBE_ERROR, BUZON_TLS_PROBE_ERROR_REFUSED,
                      /* TRANSLATORS: the last %s is what the server sent */
                      _("The server “%s” turned the connection away on port %u: “%s”"),
                      buzon_connection_get_host (probe->connection),
                      (guint) buzon_connection_get_port (probe->connection),
                      quoted);
}

static GError *
starttls_unavailable_error_new (Probe *probe)
{
  return g_error_new (BUZON_TLS_PROBE_ERROR, BUZON_TLS_PROBE_ERROR_STARTTLS_UNAVAILABLE,
                      /* TRANSLATORS: the second %s is STARTTLS or STLS, a command name */
                      _("The server “%s” does not offer %s on port %u, so the connection "
                        "cannot be encrypted. Check the port and the security setting."),
                      buzon_connection_get_host (probe->connection),
                      starttls_command_name (probe->dialect),
                      (guint) buzon_connection_get_port (probe->connection));
}

/* Whether @line starts with @word (any case), followed by a space or nothing:
 * "A1 OK done" has "A1 OK", "A1 OKAY" does not. */
static gboolean
starts_with_word (const char *line,
                  const char *word)
{
  gsize length = strlen (word);

  return g_ascii_strncasecmp (line, word, length) == 0
         && (line[length] == '\0' || line[length] == ' ');
}

/* SMTP replies (RFC 5321 §4.2): three digits, then '-' on all lines but the
 * last, then text. Returns the code, or 0 if @line is not a reply line. */
static guint
smtp_reply_code (const char  *line,
                 gboolean    *last,
                 const char **text)
{
  if (!g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1]) || !g_ascii_isdigit (line[2])
      || (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
    return 0;

  *last = line[3] != '-';
  *text = line[3] != '\0' ? line + 4 : line + 3;

  return (guint) ((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
}

/* The size of the IMAP literal that ends @line ("{123}" or "{123+}"), -1 if
 * there is none, more than MAX_LITERAL for any size above it. */
static gint64
imap_literal_size (const char *line)
{
  gsize length = strlen (line);
  const char *open;
  char *end;
  guint64 size;

  if (length < 3 || line[length - 1] != '}')
    return -1;
  open = strrchr (line, '{');
  if (open == NULL || !g_ascii_isdigit (open[1]))
    return -1;

  size = g_ascii_strtoull (open + 1, &end, 10);
  if (*end == '+')
    end++;
  if (end != line + length - 1)
    return -1;

  return size > MAX_LITERAL ? MAX_LITERAL + 1 : (gint64) size;
}

static BuzonTlsProbeResult *
result_new (Probe    *probe,
            gboolean  accepted)
{
  BuzonConnection *connection = probe->connection;
  BuzonTlsProbeResult *self = g_new0 (BuzonTlsProbeResult, 1);
  GTlsCertificate *certificate = buzon_connection_get_peer_certificate (connection);

  g_atomic_ref_count_init (&self->ref_count);
  self->host = g_strdup (buzon_connection_get_host (connection));
  self->port = buzon_connection_get_port (connection);
  self->security = buzon_connection_get_security (connection);
  self->certificate = g_object_ref (certificate);
  self->sha256 = g_strdup (buzon_connection_get_peer_sha256 (connection));
  self->errors = buzon_connection_get_peer_certificate_errors (connection);
  self->pinned = accepted && buzon_connection_is_pinned (connection);
  self->verified = accepted && !self->pinned;
  self->subject_name = g_tls_certificate_get_subject_name (certificate);
  self->issuer_name = g_tls_certificate_get_issuer_name (certificate);
  self->not_valid_before = g_tls_certificate_get_not_valid_before (certificate);
  self->not_valid_after = g_tls_certificate_get_not_valid_after (certificate);

  if (probe->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->stored_pin = buzon_store_lookup_pin (probe->store, self->host, self->port, &error);
      if (error != NULL && !g_error_matches (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND))
        g_debug ("Could not look up the pin of %s:%u: %s", self->host, (guint) self->port,
                 error->message);
    }

  return self;
}

/* Steps */

static void read_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static gboolean
probe_in_goodbye (Probe *probe)
{
  return probe->step >= STEP_TLS_GREETING;
}

/* Takes @task. */
static void
probe_read (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  buzon_connection_read_line_async (probe->connection, MAX_LINE, g_task_get_cancellable (task),
                                    read_cb, task);
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Probe *probe = g_task_get_task_data (task);

  if (!buzon_connection_close_finish (BUZON_CONNECTION (object), result, &error))
    g_debug ("Closing the probe of %s: %s", buzon_connection_get_host (probe->connection),
             error->message);

  g_task_return_pointer (task, g_steal_pointer (&probe->result),
                         (GDestroyNotify) buzon_tls_probe_result_unref);
}

/* The answer is known: close, then report it. Takes @task. */
static void
probe_close (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  buzon_connection_close_async (probe->connection, g_task_get_cancellable (task), close_cb, task);
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Probe *probe = g_task_get_task_data (task);

  if (!buzon_connection_write_finish (BUZON_CONNECTION (object), result, &error))
    {
      if (probe_in_goodbye (probe))
        probe_close (g_steal_pointer (&task));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  probe_read (g_steal_pointer (&task));
}

/* Sends @command, then reads the answer in @step. Takes @task. */
static void
probe_send (GTask      *task,
            const char *command,
            Step        step)
{
  Probe *probe = g_task_get_task_data (task);

  probe->step = step;
  probe->lines = 0;
  buzon_connection_write_async (probe->connection, command, -1, g_task_get_cancellable (task),
                                write_cb, task);
}

static void
probe_goodbye (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  probe_send (task, probe->dialect == DIALECT_IMAP ? "A2 LOGOUT\r\n" : "QUIT\r\n", STEP_GOODBYE);
}

/* TLS is up and the certificate was accepted. Takes @task. */
static void
handshake_done (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  probe->result = result_new (probe, TRUE);
  buzon_connection_set_io_timeout (probe->connection, GOODBYE_TIMEOUT);

  if (buzon_connection_get_security (probe->connection) == BUZON_SECURITY_TLS)
    {
      probe->step = STEP_TLS_GREETING;
      probe->lines = 0;
      probe_read (task);
      return;
    }

  probe_goodbye (task);
}

/* The TLS set-up failed with @error (taken). An untrusted certificate is the
 * result the probe is for; anything else is the probe's error. */
static void
handshake_failed (GTask  *task,
                  GError *error)
{
  Probe *probe = g_task_get_task_data (task);

  if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED)
      && buzon_connection_get_peer_certificate (probe->connection) != NULL)
    {
      g_debug ("%s", error->message);
      g_error_free (error);
      g_task_return_pointer (task, result_new (probe, FALSE),
                             (GDestroyNotify) buzon_tls_probe_result_unref);
      return;
    }

  g_task_return_error (task, error);
}

static void
start_tls_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!buzon_connection_start_tls_finish (BUZON_CONNECTION (object), result, &error))
    {
      handshake_failed (task, error);
      return;
    }

  handshake_done (g_steal_pointer (&task));
}

/* The server said go ahead. Takes @task. */
static void
probe_start_tls (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  buzon_connection_start_tls_async (probe->connection, g_task_get_cancellable (task),
                                    start_tls_cb, task);
}

static void
literal_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = buzon_connection_read_bytes_finish (BUZON_CONNECTION (object), result, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The response goes on after the literal, on the next line. */
  probe_read (g_steal_pointer (&task));
}

/* The next line of the clear part, before TLS. Returns the error to end the
 * probe with, or NULL with @task taken on. */
static GError *
handle_clear_line (GTask      *task,
                   const char *line)
{
  Probe *probe = g_task_get_task_data (task);
  const char *text = NULL;
  gboolean last = TRUE;
  guint code = 0;

  if (probe->dialect == DIALECT_SMTP)
    {
      code = smtp_reply_code (line, &last, &text);
      if (code == 0)
        return unexpected_error_new (probe, line);
    }

  switch (probe->step)
    {
    case STEP_GREETING:
      if (probe->dialect == DIALECT_IMAP)
        {
          /* RFC 3501 §7.1: OK, or PREAUTH (already logged in, where STARTTLS
           * is not allowed), or BYE. */
          if (starts_with_word (line, "* OK"))
            probe_send (task, "A1 STARTTLS\r\n", STEP_STARTTLS);
          else if (starts_with_word (line, "* PREAUTH"))
            return starttls_unavailable_error_new (probe);
          else if (starts_with_word (line, "* BYE"))
            return refused_error_new (probe, line);
          else
            return unexpected_error_new (probe, line);
        }
      else if (probe->dialect == DIALECT_POP3)
        {
          if (starts_with_word (line, "+OK"))
            probe_send (task, "STLS\r\n", STEP_STARTTLS);
          else if (starts_with_word (line, "-ERR"))
            return refused_error_new (probe, line);
          else
            return unexpected_error_new (probe, line);
        }
      else
        {
          /* RFC 5321 §4.3.2: 220, or 554 (no service here). */
          if (code >= 400)
            return refused_error_new (probe, line);
          if (code != 220)
            return unexpected_error_new (probe, line);
          if (last)
            probe_send (task, "EHLO buzon\r\n", STEP_EHLO);
          else
            probe_read (task);
        }
      return NULL;

    case STEP_EHLO:
      g_assert (probe->dialect == DIALECT_SMTP);
      /* A server that does not know EHLO has no extensions, STARTTLS among
       * them (RFC 3207 §4). */
      if (code >= 400)
        return starttls_unavailable_error_new (probe);
      if (code != 250)
        return unexpected_error_new (probe, line);
      /* The first line greets; the others are keywords (RFC 5321 §4.1.1.1). */
      if (probe->lines > 1 && starts_with_word (text, "STARTTLS"))
        probe->starttls_offered = TRUE;
      if (!last)
        probe_read (task);
      else if (probe->starttls_offered)
        probe_send (task, "STARTTLS\r\n", STEP_STARTTLS);
      else
        return starttls_unavailable_error_new (probe);
      return NULL;

    case STEP_STARTTLS:
      if (probe->dialect == DIALECT_IMAP)
        {
          gint64 literal;

          /* Untagged responses may come before the tagged answer; one
           * with a literal goes on in the line after it (RFC 3501 §4.3). */
          if (probe->in_untagged || g_str_has_prefix (line, "* "))
            {
              literal = imap_literal_size (line);
              if (literal > MAX_LITERAL)
                return unexpected_error_new (probe, line);
              probe->in_untagged = literal >= 0;
              if (literal >= 0)
                buzon_connection_read_bytes_async (probe->connection, (gsize) literal,
                                                   g_task_get_cancellable (task),
                                                   literal_cb, task);
              else
                probe_read (task);
            }
          else if (starts_with_word (line, "A1 OK"))
            probe_start_tls (task);
          else if (starts_with_word (line, "A1 NO")
                   || starts_with_word (line, "A1 BAD"))
            return starttls_unavailable_error_new (probe);
          else
            return unexpected_error_new (probe, line);
        }
      else if (probe->dialect == DIALECT_POP3)
        {
          if (starts_with_word (line, "+OK"))
            probe_start_tls (task);
          else if (starts_with_word (line, "-ERR"))
            return starttls_unavailable_error_new (probe);
          else
            return unexpected_error_new (probe, line);
        }
      else
        {
          if (code >= 400)
            return starttls_unavailable_error_new (probe);
          if (code != 220)
            return unexpected_error_new (probe, line);
          if (last)
            probe_start_tls (task);
          else
            probe_read (task);
        }
      return NULL;

    case STEP_TLS_GREETING:
    case STEP_GOODBYE:
    default:
      g_assert_not_reached ();
    }

  return NULL;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Probe *probe = g_task_get_task_data (task);

  line = buzon_connection_read_line_finish (BUZON_CONNECTION (object), result, NULL, &error);

  if (probe_in_goodbye (probe))
    {
      gboolean last = TRUE;
      const char *text;

      if (line == NULL)
        g_debug ("Saying goodbye to %s: %s", buzon_connection_get_host (probe->connection),
                 error->message);

      /* Implicit TLS: the greeting (all of SMTP's lines) comes first. */
      if (line != NULL && probe->step == STEP_TLS_GREETING)
        {
          if (probe->dialect == DIALECT_SMTP && smtp_reply_code (line, &last, &text) != 0
              && !last && ++probe->lines < MAX_LINES)
            probe_read (g_steal_pointer (&task));
          else
            probe_goodbye (g_steal_pointer (&task));
          return;
        }

      probe_close (g_steal_pointer (&task));
      return;
    }

  if (line == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (++probe->lines > MAX_LINES)
    {
      g_task_return_error (task, unexpected_error_new (probe, line));
      return;
    }

  error = handle_clear_line (task, line);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* handle_clear_line() passed the task on. */
  task = NULL;
}

static void
connect_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  Probe *probe = g_task_get_task_data (task);

  if (!buzon_connection_connect_finish (BUZON_CONNECTION (object), result, &error))
    {
      /* With implicit TLS the handshake was part of connecting. */
      handshake_failed (task, error);
      return;
    }

  if (buzon_connection_get_security (probe->connection) == BUZON_SECURITY_TLS)
    {
      handshake_done (g_steal_pointer (&task));
      return;
    }

  probe->step = STEP_GREETING;
  probe->lines = 0;
  probe_read (g_steal_pointer (&task));
}

/* The result */

/**
 * buzon_tls_probe_result_ref:
 *
 * Returns: (transfer full): @self
 */
BuzonTlsProbeResult *
buzon_tls_probe_result_ref (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * buzon_tls_probe_result_unref:
 *
 * Drops a reference; the last one frees @self.
 */
void
buzon_tls_probe_result_unref (BuzonTlsProbeResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->host);
  g_clear_object (&self->certificate);
  g_free (self->sha256);
  g_free (self->stored_pin);
  g_free (self->subject_name);
  g_free (self->issuer_name);
  g_clear_pointer (&self->not_valid_before, g_date_time_unref);
  g_clear_pointer (&self->not_valid_after, g_date_time_unref);
  g_free (self);
}

/**
 * buzon_tls_probe_result_get_host:
 *
 * Returns: the server's host name, as the account names it (the key of its pin)
 */
const char *
buzon_tls_probe_result_get_host (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->host;
}

/**
 * buzon_tls_probe_result_get_port:
 *
 * Returns: the server's port (the other key of its pin)
 */
guint16
buzon_tls_probe_result_get_port (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/**
 * buzon_tls_probe_result_get_security:
 *
 * Returns: %BUZON_SECURITY_TLS or %BUZON_SECURITY_STARTTLS: how TLS was set up
 */
BuzonSecurity
buzon_tls_probe_result_get_security (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, BUZON_SECURITY_TLS);

  return self->security;
}

/**
 * buzon_tls_probe_result_get_certificate:
 *
 * Returns: (transfer none): the certificate the server presented
 */
GTlsCertificate *
buzon_tls_probe_result_get_certificate (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->certificate;
}

/**
 * buzon_tls_probe_result_get_sha256:
 *
 * The certificate's fingerprint as pins store it;
 * buzon_certificate_format_fingerprint() formats it for people.
 *
 * Returns: 64 lowercase hexadecimal digits
 */
const char *
buzon_tls_probe_result_get_sha256 (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->sha256;
}

/**
 * buzon_tls_probe_result_get_errors:
 *
 * Returns: why the certificate did not verify (0 if it did); for a pinned
 *   certificate, the problems the pin overrides
 */
GTlsCertificateFlags
buzon_tls_probe_result_get_errors (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->errors;
}

/**
 * buzon_tls_probe_result_is_verified:
 *
 * Returns: %TRUE if the certificate verified against the system's trust store
 *   (or the probe's extra database), with the server's name: it needs no pin
 */
gboolean
buzon_tls_probe_result_is_verified (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->verified;
}

/**
 * buzon_tls_probe_result_is_pinned:
 *
 * Returns: %TRUE if the certificate does not verify and was accepted only
 *   because the store pins it for this host and port
 */
gboolean
buzon_tls_probe_result_is_pinned (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->pinned;
}

/**
 * buzon_tls_probe_result_is_trusted:
 *
 * Returns: %TRUE if a connection with the probe's store would accept the
 *   certificate: it is verified or pinned
 */
gboolean
buzon_tls_probe_result_is_trusted (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->verified || self->pinned;
}

/**
 * buzon_tls_probe_result_get_stored_pin:
 *
 * The pin the store held for this host and port when the probe ran. When
 * the certificate is not trusted it is another certificate's: pinning this
 * one replaces it.
 *
 * Returns: (nullable): 64 lowercase hexadecimal digits, or %NULL if there is
 *   no pin (or the probe had no store)
 */
const char *
buzon_tls_probe_result_get_stored_pin (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->stored_pin;
}

/**
 * buzon_tls_probe_result_get_subject_name:
 *
 * Returns: (nullable): whom the certificate was issued to, as a
 *   distinguished name ("CN=mail.example.com"), if the TLS backend tells
 */
const char *
buzon_tls_probe_result_get_subject_name (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->subject_name;
}

/**
 * buzon_tls_probe_result_get_issuer_name:
 *
 * Returns: (nullable): who issued the certificate, as a distinguished name;
 *   the subject's own for a self-signed certificate
 */
const char *
buzon_tls_probe_result_get_issuer_name (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->issuer_name;
}

/**
 * buzon_tls_probe_result_get_not_valid_before:
 *
 * Returns: (transfer none) (nullable): when the certificate becomes valid
 */
GDateTime *
buzon_tls_probe_result_get_not_valid_before (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->not_valid_before;
}

/**
 * buzon_tls_probe_result_get_not_valid_after:
 *
 * Returns: (transfer none) (nullable): when the certificate expires
 */
GDateTime *
buzon_tls_probe_result_get_not_valid_after (BuzonTlsProbeResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->not_valid_after;
}

/**
 * buzon_tls_probe_result_matches_fingerprint:
 * @fingerprint: a SHA-256 fingerprint in hexadecimal, any case, optionally
 *   with colons or spaces between the digits (as browsers and
 *   `openssl x509 -fingerprint -sha256` show it)
 *
 * Returns: %TRUE if @fingerprint is the certificate's; %FALSE if it is
 *   another one or not a SHA-256 fingerprint at all
 */
gboolean
buzon_tls_probe_result_matches_fingerprint (BuzonTlsProbeResult *self,
                                            const char          *fingerprint)
{
  g_autofree char *given = NULL;
  g_autofree char *presented = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (fingerprint != NULL, FALSE);

  given = buzon_certificate_format_fingerprint (fingerprint);
  presented = buzon_certificate_format_fingerprint (self->sha256);

  return given != NULL && presented != NULL && g_str_equal (given, presented);
}

/**
 * buzon_tls_probe_result_pin:
 * @store: the store that holds the pins
 * @error: return location for an error
 *
 * Trusts the probed certificate for its host and port from now on, replacing
 * any earlier pin: the user's explicit choice, after comparing the
 * fingerprint. A certificate that verifies needs no pin, and one is not
 * refused for having one.
 *
 * Returns: %TRUE if the pin was saved
 */
gboolean
buzon_tls_probe_result_pin (BuzonTlsProbeResult  *self,
                            BuzonStore           *store,
                            GError              **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (BUZON_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return buzon_store_set_pin (store, self->host, self->port, self->sha256, error);
}

/* The probe */

/**
 * buzon_tls_probe_async:
 * @account: the account
 * @server: its incoming (IMAP or POP3) or outgoing (SMTP) server
 * @store: (nullable): the store with the pins, so a pinned certificate is
 *   reported as such (and buzon_tls_probe_result_get_stored_pin() is known)
 * @database: (nullable): more trust anchors besides the system's, as
 *   buzon_connection_set_tls_database() (the tests' CA)
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Connects to the server with the account's port and security, runs the
 * protocol's STARTTLS exchange when the security is STARTTLS, sets up TLS
 * and reports the server's certificate, whether or not it is trusted. No
 * password is sent; the connection is closed afterwards (LOGOUT or QUIT
 * over TLS when it was accepted).
 */
void
buzon_tls_probe_async (BuzonAccount          *account,
                       BuzonConnectionServer  server,
                       BuzonStore            *store,
                       GTlsDatabase          *database,
                       GCancellable          *cancellable,
                       GAsyncReadyCallback    callback,
                       gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  BuzonConnection *connection;
  Probe *probe;
  const char *host;
  BuzonSecurity security;

  g_return_if_fail (BUZON_IS_ACCOUNT (account));
  g_return_if_fail (server == BUZON_CONNECTION_SERVER_INCOMING
                    || server == BUZON_CONNECTION_SERVER_OUTGOING);
  g_return_if_fail (store == NULL || BUZON_IS_STORE (store));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_tls_probe_async));

  if (server == BUZON_CONNECTION_SERVER_OUTGOING)
    {
      host = buzon_account_get_smtp_host (account);
      security = buzon_account_get_smtp_security (account);
      if (host == NULL)
        {
          g_task_return_new_error (task, BUZON_TLS_PROBE_ERROR, BUZON_TLS_PROBE_ERROR_NO_SERVER,
                                   _("The account “%s” has no outgoing (SMTP) server."),
                                   buzon_account_get_name (account));
          return;
        }
    }
  else
    {
      host = buzon_account_get_host (account);
      security = buzon_account_get_security (account);
    }

  if (security == BUZON_SECURITY_NONE)
    {
      g_task_return_new_error (task, BUZON_TLS_PROBE_ERROR, BUZON_TLS_PROBE_ERROR_NOT_ENCRYPTED,
                               _("The account “%s” does not use an encrypted connection to the "
                                 "server “%s”, so there is no certificate to trust."),
                               buzon_account_get_name (account), host);
      return;
    }

  connection = buzon_connection_new_for_account (account, server);
  buzon_connection_set_store (connection, store);
  buzon_connection_set_tls_database (connection, database);

  probe = g_new0 (Probe, 1);
  probe->connection = connection;
  probe->store = store != NULL ? g_object_ref (store) : NULL;
  if (server == BUZON_CONNECTION_SERVER_OUTGOING)
    probe->dialect = DIALECT_SMTP;
  else if (buzon_account_get_protocol (account) == BUZON_PROTOCOL_POP3)
    probe->dialect = DIALECT_POP3;
  else
    probe->dialect = DIALECT_IMAP;
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);

  buzon_connection_connect_async (connection, cancellable, connect_cb, g_steal_pointer (&task));
}

/**
 * buzon_tls_probe_finish:
 * @result: the result passed to the callback
 * @error: return location for an error: %BUZON_TLS_PROBE_ERROR, the
 *   %BUZON_NET_ERROR of connecting (never
 *   %BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED: that is a result), or
 *   %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): what the server presented
 */
BuzonTlsProbeResult *
buzon_tls_probe_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == BUZON_SOURCE_TAG (buzon_tls_probe_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
