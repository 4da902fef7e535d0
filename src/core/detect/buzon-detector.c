/* buzon-detector.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonDetector finds an address's mail servers, for the setup wizard and
 * `buzon-cli detect`. Steps, in this order; the first that finds an incoming
 * server wins, each has its own timeout (a step that runs out, or fails, only
 * hands over to the next), and all of them stop when the caller cancels:
 *
 *   1. the provider database shipped with Buzón (no network);
 *   2. DNS SRV records (RFC 6186): _imaps, _imap, _pop3s, _pop3,
 *      _submissions (RFC 8314) and _submission under _tcp, looked up in
 *      parallel through g_resolver_get_default();
 *   3. the autoconfig document over HTTPS only (libsoup; certificates must
 *      verify; redirects are followed to HTTPS only): https://autoconfig.DOMAIN
 *      /mail/config-v1.1.xml?emailaddress=ADDRESS, then
 *      https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml;
 *   4. guessing: imap., pop., pop3., mail. and smtp. before the domain, probed
 *      in parallel on 993, 143, 995, 110, 465 and 587 with short timeouts.
 *      A probe connects, reads the greeting (IMAP "* OK", POP3 "+OK", SMTP
 *      "220") and, on 143, 110 and 587, asks the capabilities (CAPABILITY,
 *      CAPA, EHLO) to see that STARTTLS (STLS) is offered. It never logs in
 *      and never sends a password. Implicit TLS is preferred (RFC 8314), and
 *      a server whose certificate verifies over one that does not (an
 *      implicit-TLS server with an untrusted certificate is kept, marked, as
 *      its greeting cannot be read without trusting it).
 *
 * Test hooks, used only by the tests (tests/integration/test-detect.c):
 *   - the resolver is g_resolver_get_default(), so a test installs a double
 *     with g_resolver_set_default();
 *   - buzon_detector_map_port() connects to another port instead of a
 *     standard one (993, 143, 995, 110, 465, 587, and 443 for autoconfig),
 *     so loopback servers on high ports stand in; the environment variable
 *     BUZON_TEST_DETECT_PORTS="993=40001,443=40002" does the same for every
 *     new detector (buzon-cli under test);
 *   - buzon_detector_set_tls_database() sets the trust anchors of the probes
 *     (besides the system's) and of the HTTPS client (instead of the
 *     system's).
 */

#define G_LOG_DOMAIN "buzon-detect"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "buzon-connection.h"
#include "buzon-net-error.h"
#include "buzon-detect-private.h"
#include "buzon-detector.h"

/* Longest line a probe reads: greetings and capability lists are far shorter. */
#define MAX_LINE      8192
/* Lines a probe reads before giving up on the server. */
#define MAX_LINES     256
/* Redirects an autoconfig request follows (to HTTPS only). */
#define MAX_REDIRECTS 5

struct _BuzonDetector
{
  GObject           parent_instance;

  BuzonDetectSteps  steps;
  guint             step_timeout;
  guint             probe_timeout;
  GTlsDatabase     *tls_database;
  GHashTable       *ports;          /* standard port → stand-in, as GUINT_TO_POINTER */
};

G_DEFINE_FINAL_TYPE (BuzonDetector, buzon_detector, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STEPS,
  PROP_STEP_TIMEOUT,
  PROP_PROBE_TIMEOUT,
  PROP_TLS_DATABASE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The SRV services of RFC 6186 and RFC 8314, in the order of preference. */
static const struct
{
  const char          *service;
  BuzonDetectProtocol  protocol;
  BuzonSecurity        security;
} srv_services[] = {
  { "imaps", BUZON_DETECT_PROTOCOL_IMAP, BUZON_SECURITY_TLS },
  { "imap", BUZON_DETECT_PROTOCOL_IMAP, BUZON_SECURITY_STARTTLS },
  { "pop3s", BUZON_DETECT_PROTOCOL_POP3, BUZON_SECURITY_TLS },
  { "pop3", BUZON_DETECT_PROTOCOL_POP3, BUZON_SECURITY_STARTTLS },
  { "submissions", BUZON_DETECT_PROTOCOL_SMTP, BUZON_SECURITY_TLS },
  { "submission", BUZON_DETECT_PROTOCOL_SMTP, BUZON_SECURITY_STARTTLS },
};

/* Guessing: the host-name prefixes and ports, best first. */
static const char * const imap_prefixes[] = { "imap.", "mail.", NULL };
static const char * const pop3_prefixes[] = { "pop.", "pop3.", "mail.", NULL };
static const char * const smtp_prefixes[] = { "smtp.", "mail.", NULL };

static const struct
{
  BuzonDetectProtocol  protocol;
  guint16              port;
  BuzonSecurity        security;
  const char * const  *prefixes;
} guess_ports[] = {
  { BUZON_DETECT_PROTOCOL_IMAP, 993, BUZON_SECURITY_TLS, imap_prefixes },
  { BUZON_DETECT_PROTOCOL_IMAP, 143, BUZON_SECURITY_STARTTLS, imap_prefixes },
  { BUZON_DETECT_PROTOCOL_POP3, 995, BUZON_SECURITY_TLS, pop3_prefixes },
  { BUZON_DETECT_PROTOCOL_POP3, 110, BUZON_SECURITY_STARTTLS, pop3_prefixes },
  { BUZON_DETECT_PROTOCOL_SMTP, 465, BUZON_SECURITY_TLS, smtp_prefixes },
  { BUZON_DETECT_PROTOCOL_SMTP, 587, BUZON_SECURITY_STARTTLS, smtp_prefixes },
};

typedef enum
{
  OUTCOME_FAILED,
  OUTCOME_OK,
  OUTCOME_UNTRUSTED,
} Outcome;

typedef struct
{
  BuzonDetectProtocol  protocol;
  char                *host;
  guint16              port;
  BuzonSecurity        security;
  Outcome              outcome;
} Candidate;

typedef struct
{
  BuzonDetector     *detector;
  char              *address;
  char              *domain;
  BuzonDetectSteps   step;          /* the step running */
  GCancellable      *cancellable;   /* the caller's, or NULL */
  GCancellable      *step_cancellable;
  GSource           *step_timer;
  gulong             cancelled_id;
  guint              pending;       /* operations of the step still running */

  GList             *srv[G_N_ELEMENTS (srv_services)];
  SoupSession       *soup;
  guint              url_index;
  GArray            *candidates;    /* Candidate */
} Detect;

static void run_step (GTask *task);

static void
candidate_clear (gpointer data)
{
  Candidate *candidate = data;

  g_free (candidate->host);
}

static void
step_stop (Detect *detect)
{
  if (detect->step_timer != NULL)
    {
      g_source_destroy (detect->step_timer);
      g_clear_pointer (&detect->step_timer, g_source_unref);
    }
  if (detect->cancelled_id != 0)
    {
      g_cancellable_disconnect (detect->cancellable, detect->cancelled_id);
      detect->cancelled_id = 0;
    }
  g_clear_object (&detect->step_cancellable);
}

static void
detect_free (Detect *detect)
{
  step_stop (detect);
  for (guint i = 0; i < G_N_ELEMENTS (detect->srv); i++)
    g_list_free_full (detect->srv[i], (GDestroyNotify) g_srv_target_free);
  g_clear_object (&detect->soup);
  g_clear_pointer (&detect->candidates, g_array_unref);
  g_clear_object (&detect->cancellable);
  g_clear_object (&detect->detector);
  g_free (detect->address);
  g_free (detect->domain);
  g_free (detect);
}

static guint16
map_port (BuzonDetector *self,
          guint16        port)
{
  gpointer mapped = g_hash_table_lookup (self->ports, GUINT_TO_POINTER (port));

  return mapped != NULL ? (guint16) GPOINTER_TO_UINT (mapped) : port;
}

static gboolean
step_timeout_cb (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  g_debug ("A detection step ran out of time");
  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
parent_cancelled_cb (GCancellable *parent,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* A new cancellable for the step: cancelled by its timeout or the caller. */
static void
step_start (Detect *detect)
{
  detect->step_cancellable = g_cancellable_new ();
  detect->step_timer = g_timeout_source_new_seconds (detect->detector->step_timeout);
  g_source_set_static_name (detect->step_timer, "[buzon] detection step timeout");
  g_source_set_callback (detect->step_timer, step_timeout_cb,
                         g_object_ref (detect->step_cancellable), g_object_unref);
  g_source_attach (detect->step_timer, g_main_context_get_thread_default ());
  if (detect->cancellable != NULL)
    detect->cancelled_id = g_cancellable_connect (detect->cancellable,
                                                  G_CALLBACK (parent_cancelled_cb),
                                                  g_object_ref (detect->step_cancellable),
                                                  g_object_unref);
}

/* The step is over, with @result (transfer full, nullable) as its answer. */
static void
step_done (GTask             *task,
           BuzonDetectResult *result)
{
  Detect *detect = g_task_get_task_data (task);

  step_stop (detect);

  if (g_cancellable_is_cancelled (detect->cancellable))
    {
      g_clear_pointer (&result, buzon_detect_result_unref);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Looking for the servers was cancelled."));
      g_object_unref (task);
      return;
    }

  if (result != NULL && buzon_detect_result_has_incoming (result))
    {
      g_task_return_pointer (task, result, (GDestroyNotify) buzon_detect_result_unref);
      g_object_unref (task);
      return;
    }
  g_clear_pointer (&result, buzon_detect_result_unref);

  detect->step <<= 1;
  run_step (task);
}

/* SRV */

typedef struct
{
  GTask *task;
  guint  index;
} SrvLookup;

static void
srv_lookup_cb (GObject      *object,
               GAsyncResult *async_result,
               gpointer      user_data)
{
  SrvLookup *lookup = user_data;
  GTask *task = lookup->task;
  Detect *detect = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  BuzonDetectResult *result;
  GList *targets;

  targets = g_resolver_lookup_service_finish (G_RESOLVER (object), async_result, &error);
  if (targets == NULL)
    g_debug ("No SRV records for _%s._tcp: %s", srv_services[lookup->index].service,
             error->message);
  else
    detect->srv[lookup->index] = buzon_detect_sort_srv_targets (targets);
  g_free (lookup);

  if (--detect->pending > 0)
    return;

  /* Every lookup is in: the services in the order of preference. */
  result = _buzon_detect_result_new (detect->address, BUZON_DETECT_SOURCE_SRV, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (srv_services); i++)
    for (GList *l = detect->srv[i]; l != NULL; l = l->next)
      _buzon_detect_result_add_server (result, srv_services[i].protocol,
                                       g_srv_target_get_hostname (l->data),
                                       g_srv_target_get_port (l->data),
                                       srv_services[i].security,
                                       BUZON_DETECT_USERNAME_ADDRESS, NULL);
  step_done (task, result);
}

static void
run_srv (GTask *task)
{
  Detect *detect = g_task_get_task_data (task);
  g_autoptr(GResolver) resolver = g_resolver_get_default ();

  detect->pending = G_N_ELEMENTS (srv_services);
  for (guint i = 0; i < G_N_ELEMENTS (srv_services); i++)
    {
      SrvLookup *lookup = g_new0 (SrvLookup, 1);

      lookup->task = task;
      lookup->index = i;
      g_resolver_lookup_service_async (resolver, srv_services[i].service, "tcp", detect->domain,
                                       detect->step_cancellable, srv_lookup_cb, lookup);
    }
}

/* Autoconfig */

typedef struct
{
  GTask        *task;
  SoupMessage  *message;
  GInputStream *stream;
  guint8       *buffer;
  guint         redirects;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->message);
  g_clear_object (&fetch->stream);
  g_free (fetch->buffer);
  g_free (fetch);
}

static void fetch_next (GTask *task);

static void
fetch_read_cb (GObject      *object,
               GAsyncResult *async_result,
               gpointer      user_data)
{
  Fetch *fetch = user_data;
  GTask *task = fetch->task;
  Detect *detect = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  BuzonDetectResult *result;
  gsize length = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), async_result, &length, &error))
    {
      g_debug ("Reading the autoconfig document failed: %s", error->message);
      fetch_free (fetch);
      fetch_next (task);
      return;
    }

  /* One byte over the limit was asked for: its arrival means too big. */
  result = buzon_detect_parse_autoconfig ((const char *) fetch->buffer, length, detect->address,
                                          &error);
  fetch_free (fetch);
  if (result == NULL)
    {
      g_debug ("Autoconfig: %s", error->message);
      fetch_next (task);
      return;
    }

  step_done (task, result);
}

static void
fetch_send_cb (GObject      *object,
               GAsyncResult *async_result,
               gpointer      user_data)
{
  Fetch *fetch = user_data;
  GTask *task = fetch->task;
  Detect *detect = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  fetch->stream = soup_session_send_finish (SOUP_SESSION (object), async_result, &error);

  /* Redirects are followed here, not by libsoup, so that they lead to
   * HTTPS only: the document says where the password goes. */
  if (fetch->stream != NULL
      && SOUP_STATUS_IS_REDIRECTION (soup_message_get_status (fetch->message))
      && fetch->redirects < MAX_REDIRECTS)
    {
      const char *location = soup_message_headers_get_one (
        soup_message_get_response_headers (fetch->message), "Location");
      g_autoptr(GUri) next = NULL;

      if (location != NULL)
        next = g_uri_parse_relative (soup_message_get_uri (fetch->message), location,
                                     SOUP_HTTP_URI_FLAGS, NULL);
      if (next != NULL && g_strcmp0 (g_uri_get_scheme (next), "https") == 0)
        {
          g_debug ("Autoconfig: redirected to %s", location);
          g_clear_object (&fetch->stream);
          g_clear_object (&fetch->message);
          fetch->redirects++;
          fetch->message = soup_message_new_from_uri (SOUP_METHOD_GET, next);
          soup_message_add_flags (fetch->message, SOUP_MESSAGE_NO_REDIRECT);
          soup_session_send_async (detect->soup, fetch->message, G_PRIORITY_DEFAULT,
                                   detect->step_cancellable, fetch_send_cb, fetch);
          return;
        }
      g_debug ("Autoconfig: not following the redirect to %s", location);
    }

  if (fetch->stream == NULL || soup_message_get_status (fetch->message) != SOUP_STATUS_OK)
    {
      g_debug ("Autoconfig request failed: %s",
               error != NULL ? error->message : soup_message_get_reason_phrase (fetch->message));
      fetch_free (fetch);
      fetch_next (task);
      return;
    }

  fetch->buffer = g_malloc (BUZON_DETECT_MAX_AUTOCONFIG_SIZE + 1);
  g_input_stream_read_all_async (fetch->stream, fetch->buffer,
                                 BUZON_DETECT_MAX_AUTOCONFIG_SIZE + 1, G_PRIORITY_DEFAULT,
                                 detect->step_cancellable, fetch_read_cb, fetch);
}

static char *
autoconfig_url (Detect *detect,
                guint   index)
{
  guint16 port = map_port (detect->detector, 443);
  g_autofree char *authority = NULL;
  g_autofree char *escaped = NULL;
  const char *host_prefix = index == 0 ? "autoconfig." : "";

  authority = port == 443 ? g_strdup_printf ("%s%s", host_prefix, detect->domain)
                          : g_strdup_printf ("%s%s:%u", host_prefix, detect->domain, port);
  if (index == 0)
    {
      escaped = g_uri_escape_string (detect->address, NULL, FALSE);
      return g_strdup_printf ("https://%s/mail/config-v1.1.xml?emailaddress=%s", authority,
                              escaped);
    }

  return g_strdup_printf ("https://%s/.well-known/autoconfig/mail/config-v1.1.xml", authority);
}

static void
fetch_next (GTask *task)
{
  Detect *detect = g_task_get_task_data (task);
  g_autofree char *url = NULL;
  Fetch *fetch;

  if (detect->url_index >= 2 || g_cancellable_is_cancelled (detect->step_cancellable))
    {
      step_done (task, NULL);
      return;
    }

  url = autoconfig_url (detect, detect->url_index++);
  g_debug ("Autoconfig: %s", url);

  fetch = g_new0 (Fetch, 1);
  fetch->task = task;
  fetch->message = soup_message_new (SOUP_METHOD_GET, url);
  if (fetch->message == NULL)
    {
      fetch_free (fetch);
      fetch_next (task);
      return;
    }
  soup_message_add_flags (fetch->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_async (detect->soup, fetch->message, G_PRIORITY_DEFAULT,
                           detect->step_cancellable, fetch_send_cb, fetch);
}

static void
run_autoconfig (GTask *task)
{
  Detect *detect = g_task_get_task_data (task);

  detect->soup = soup_session_new_with_options ("timeout", detect->detector->probe_timeout * 2,
                                                "user-agent", "Buzon/" PACKAGE_VERSION,
                                                NULL);
  if (detect->detector->tls_database != NULL)
    soup_session_set_tls_database (detect->soup, detect->detector->tls_database);
  detect->url_index = 0;
  fetch_next (task);
}

/* Guessing */

typedef enum
{
  PROBE_GREETING,
  PROBE_CAPABILITIES,
} ProbeStage;

typedef struct
{
  GTask           *task;
  guint            index;
  BuzonConnection *connection;
  ProbeStage       stage;
  guint            lines;
  gboolean         starttls;
} Probe;

static void
probe_finish (Probe   *probe,
              Outcome  outcome)
{
  GTask *task = probe->task;
  Detect *detect = g_task_get_task_data (task);
  Candidate *candidate = &g_array_index (detect->candidates, Candidate, probe->index);
  BuzonDetectResult *result;

  candidate->outcome = outcome;
  g_debug ("Probe of %s:%u: %s", candidate->host, candidate->port,
           outcome == OUTCOME_OK ? "a mail server" :
           outcome == OUTCOME_UNTRUSTED ? "TLS with an untrusted certificate" : "no");
  if (probe->connection != NULL)
    buzon_connection_disconnect (probe->connection);
  g_clear_object (&probe->connection);
  g_free (probe);

  if (--detect->pending > 0)
    return;

  /* Every probe is in: the servers that answered, those whose certificate
   * verified first, each group in the order of preference. */
  result = _buzon_detect_result_new (detect->address, BUZON_DETECT_SOURCE_GUESS, NULL);
  for (Outcome wanted = OUTCOME_OK; wanted <= OUTCOME_UNTRUSTED; wanted++)
    for (guint i = 0; i < detect->candidates->len; i++)
      {
        Candidate *c = &g_array_index (detect->candidates, Candidate, i);
        BuzonDetectServer *server;

        if (c->outcome != wanted)
          continue;
        server = g_new0 (BuzonDetectServer, 1);
        server->protocol = c->protocol;
        server->host = g_strdup (c->host);
        server->port = c->port;
        server->security = c->security;
        server->username_form = BUZON_DETECT_USERNAME_ADDRESS;
        server->username = g_strdup (detect->address);
        server->source = BUZON_DETECT_SOURCE_GUESS;
        server->untrusted_certificate = wanted == OUTCOME_UNTRUSTED;
        _buzon_detect_result_take_server (result, server);
      }

  step_done (task, result);
}

/* Whether @word is one of the space-separated words of @text, any case. */
static gboolean
has_word (const char *text,
          const char *word)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (words[i], word) == 0)
      return TRUE;

  return FALSE;
}

static void probe_read (Probe *probe);

static void
probe_write_cb (GObject      *object,
                GAsyncResult *async_result,
                gpointer      user_data)
{
  Probe *probe = user_data;

  if (!buzon_connection_write_finish (BUZON_CONNECTION (object), async_result, NULL))
    {
      probe_finish (probe, OUTCOME_FAILED);
      return;
    }

  probe->stage = PROBE_CAPABILITIES;
  probe->lines = 0;
  probe_read (probe);
}

/* Returns: TRUE if the probe should read another line (outcome untouched),
 * else the outcome in *outcome. */
static gboolean
probe_handle_line (Probe      *probe,
                   Candidate  *candidate,
                   const char *line,
                   Outcome    *outcome)
{
  *outcome = OUTCOME_FAILED;

  if (probe->stage == PROBE_GREETING)
    {
      gboolean done;

      switch (candidate->protocol)
        {
        case BUZON_DETECT_PROTOCOL_IMAP:
          if (!g_str_has_prefix (line, "* OK") && !g_str_has_prefix (line, "* PREAUTH"))
            return FALSE;
          done = TRUE;
          break;
        case BUZON_DETECT_PROTOCOL_POP3:
          if (!g_str_has_prefix (line, "+OK"))
            return FALSE;
          done = TRUE;
          break;
        case BUZON_DETECT_PROTOCOL_SMTP:
        default:
          if (!g_str_has_prefix (line, "220") || (line[3] != '\0' && line[3] != ' '
                                                  && line[3] != '-'))
            return FALSE;
          done = line[3] != '-';
          break;
        }

      if (!done)
        return TRUE;
      if (candidate->security == BUZON_SECURITY_TLS)
        {
          *outcome = OUTCOME_OK;
          return FALSE;
        }

      {
        const char *command = candidate->protocol == BUZON_DETECT_PROTOCOL_IMAP
                                ? "B1 CAPABILITY\r\n"
                                : candidate->protocol == BUZON_DETECT_PROTOCOL_POP3
                                    ? "CAPA\r\n" : "EHLO localhost\r\n";
        Detect *detect = g_task_get_task_data (probe->task);

        buzon_connection_write_async (probe->connection, command, -1, detect->step_cancellable,
                                      probe_write_cb, probe);
        /* Neither another read nor an outcome yet: the write goes on. */
        *outcome = (Outcome) -1;
        return FALSE;
      }
    }

  /* PROBE_CAPABILITIES */
  switch (candidate->protocol)
    {
    case BUZON_DETECT_PROTOCOL_IMAP:
      if (g_str_has_prefix (line, "* CAPABILITY ") && has_word (line + 13, "STARTTLS"))
        probe->starttls = TRUE;
      if (g_str_has_prefix (line, "B1 "))
        {
          *outcome = probe->starttls && g_str_has_prefix (line, "B1 OK")
                       ? OUTCOME_OK : OUTCOME_FAILED;
          return FALSE;
        }
      return TRUE;
    case BUZON_DETECT_PROTOCOL_POP3:
      if (probe->lines == 1)
        return g_str_has_prefix (line, "+OK");
      if (g_str_equal (line, "."))
        {
          *outcome = probe->starttls ? OUTCOME_OK : OUTCOME_FAILED;
          return FALSE;
        }
      if (g_ascii_strcasecmp (line, "STLS") == 0)
        probe->starttls = TRUE;
      return TRUE;
    case BUZON_DETECT_PROTOCOL_SMTP:
    default:
      if (!g_str_has_prefix (line, "250") || (line[3] != ' ' && line[3] != '-'
                                              && line[3] != '\0'))
        return FALSE;
      if (line[3] != '\0' && has_word (line + 4, "STARTTLS"))
        probe->starttls = TRUE;
      if (line[3] == '-')
        return TRUE;
      *outcome = probe->starttls ? OUTCOME_OK : OUTCOME_FAILED;
      return FALSE;
    }
}

static void
probe_read_cb (GObject      *object,
               GAsyncResult *async_result,
               gpointer      user_data)
{
  Probe *probe = user_data;
  Detect *detect = g_task_get_task_data (probe->task);
  Candidate *candidate = &g_array_index (detect->candidates, Candidate, probe->index);
  g_autofree char *line = NULL;
  Outcome outcome;

  line = buzon_connection_read_line_finish (BUZON_CONNECTION (object), async_result, NULL, NULL);
  if (line == NULL || ++probe->lines > MAX_LINES)
    {
      probe_finish (probe, OUTCOME_FAILED);
      return;
    }

  if (probe_handle_line (probe, candidate, line, &outcome))
    probe_read (probe);
  else if (outcome != (Outcome) -1)
    probe_finish (probe, outcome);
}

static void
probe_read (Probe *probe)
{
  Detect *detect = g_task_get_task_data (probe->task);

  buzon_connection_read_line_async (probe->connection, MAX_LINE, detect->step_cancellable,
                                    probe_read_cb, probe);
}

static void
probe_connect_cb (GObject      *object,
                  GAsyncResult *async_result,
                  gpointer      user_data)
{
  Probe *probe = user_data;
  g_autoptr(GError) error = NULL;

  if (!buzon_connection_connect_finish (BUZON_CONNECTION (object), async_result, &error))
    {
      probe_finish (probe, g_error_matches (error, BUZON_NET_ERROR,
                                            BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED)
                             ? OUTCOME_UNTRUSTED : OUTCOME_FAILED);
      return;
    }

  probe->stage = PROBE_GREETING;
  probe_read (probe);
}

static void
run_guess (GTask *task)
{
  Detect *detect = g_task_get_task_data (task);
  BuzonDetector *self = detect->detector;

  detect->candidates = g_array_new (FALSE, TRUE, sizeof (Candidate));
  g_array_set_clear_func (detect->candidates, candidate_clear);
  for (guint i = 0; i < G_N_ELEMENTS (guess_ports); i++)
    for (guint j = 0; guess_ports[i].prefixes[j] != NULL; j++)
      {
        Candidate candidate = { 0, };

        candidate.protocol = guess_ports[i].protocol;
        candidate.host = g_strconcat (guess_ports[i].prefixes[j], detect->domain, NULL);
        candidate.port = guess_ports[i].port;
        candidate.security = guess_ports[i].security;
        g_array_append_val (detect->candidates, candidate);
      }

  detect->pending = detect->candidates->len;
  for (guint i = 0; i < detect->candidates->len; i++)
    {
      Candidate *candidate = &g_array_index (detect->candidates, Candidate, i);
      Probe *probe = g_new0 (Probe, 1);

      probe->task = task;
      probe->index = i;
      probe->connection = buzon_connection_new (candidate->host,
                                                map_port (self, candidate->port),
                                                candidate->security);
      buzon_connection_set_tls_database (probe->connection, self->tls_database);
      buzon_connection_set_connect_timeout (probe->connection, self->probe_timeout);
      buzon_connection_set_io_timeout (probe->connection, self->probe_timeout);
      buzon_connection_connect_async (probe->connection, detect->step_cancellable,
                                      probe_connect_cb, probe);
    }
}

/* The steps */

static void
run_step (GTask *task)
{
  Detect *detect = g_task_get_task_data (task);

  while (detect->step <= BUZON_DETECT_STEP_GUESS
         && (detect->detector->steps & detect->step) == 0)
    detect->step <<= 1;

  if (g_cancellable_is_cancelled (detect->cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("Looking for the servers was cancelled."));
      g_object_unref (task);
      return;
    }

  switch (detect->step)
    {
    case BUZON_DETECT_STEP_PROVIDER:
      step_done (task, buzon_detect_lookup_provider (detect->address, NULL));
      return;
    case BUZON_DETECT_STEP_SRV:
      step_start (detect);
      run_srv (task);
      return;
    case BUZON_DETECT_STEP_AUTOCONFIG:
      step_start (detect);
      run_autoconfig (task);
      return;
    case BUZON_DETECT_STEP_GUESS:
      step_start (detect);
      run_guess (task);
      return;
    case BUZON_DETECT_STEP_ALL:
    default:
      g_task_return_new_error (task, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND,
                               _("No mail servers were found for “%s”. Ask your provider for "
                                 "the server names and enter them yourself."),
                               detect->address);
      g_object_unref (task);
      return;
    }
}

/* The object */

static void
buzon_detector_finalize (GObject *object)
{
  BuzonDetector *self = BUZON_DETECTOR (object);

  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->ports, g_hash_table_unref);

  G_OBJECT_CLASS (buzon_detector_parent_class)->finalize (object);
}

static void
buzon_detector_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  BuzonDetector *self = BUZON_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_STEPS:
      g_value_set_uint (value, self->steps);
      break;
    case PROP_STEP_TIMEOUT:
      g_value_set_uint (value, self->step_timeout);
      break;
    case PROP_PROBE_TIMEOUT:
      g_value_set_uint (value, self->probe_timeout);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_detector_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  BuzonDetector *self = BUZON_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_STEPS:
      buzon_detector_set_steps (self, g_value_get_uint (value));
      break;
    case PROP_STEP_TIMEOUT:
      buzon_detector_set_step_timeout (self, g_value_get_uint (value));
      break;
    case PROP_PROBE_TIMEOUT:
      buzon_detector_set_probe_timeout (self, g_value_get_uint (value));
      break;
    case PROP_TLS_DATABASE:
      buzon_detector_set_tls_database (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_detector_class_init (BuzonDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_detector_finalize;
  object_class->get_property = buzon_detector_get_property;
  object_class->set_property = buzon_detector_set_property;

  /**
   * BuzonDetector:steps:
   *
   * The #BuzonDetectSteps to run.
   */
  properties[PROP_STEPS] =
    g_param_spec_uint ("steps", NULL, NULL, 1, BUZON_DETECT_STEP_ALL, BUZON_DETECT_STEP_ALL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonDetector:step-timeout:
   *
   * Seconds each network step may take.
   */
  properties[PROP_STEP_TIMEOUT] =
    g_param_spec_uint ("step-timeout", NULL, NULL, 1, 600, BUZON_DETECT_DEFAULT_STEP_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonDetector:probe-timeout:
   *
   * Seconds a probe may wait to connect, and for each line.
   */
  properties[PROP_PROBE_TIMEOUT] =
    g_param_spec_uint ("probe-timeout", NULL, NULL, 1, 600, BUZON_DETECT_DEFAULT_PROBE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BuzonDetector:tls-database:
   *
   * Extra trust anchors (a test's CA).
   */
  properties[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_detector_init (BuzonDetector *self)
{
  const char *ports = g_getenv ("BUZON_TEST_DETECT_PORTS");

  self->steps = BUZON_DETECT_STEP_ALL;
  self->step_timeout = BUZON_DETECT_DEFAULT_STEP_TIMEOUT;
  self->probe_timeout = BUZON_DETECT_DEFAULT_PROBE_TIMEOUT;
  self->ports = g_hash_table_new (NULL, NULL);

  if (ports != NULL)
    {
      g_auto(GStrv) pairs = g_strsplit (ports, ",", -1);

      for (guint i = 0; pairs[i] != NULL; i++)
        {
          guint64 from, to;
          char *end;

          from = g_ascii_strtoull (pairs[i], &end, 10);
          if (*end != '=' || from == 0 || from > 65535)
            continue;
          to = g_ascii_strtoull (end + 1, &end, 10);
          if (*end != '\0' || to == 0 || to > 65535)
            continue;
          buzon_detector_map_port (self, (guint16) from, (guint16) to);
        }
    }
}

/**
 * buzon_detector_new:
 *
 * Returns: (transfer full): a detector that runs every step
 */
BuzonDetector *
buzon_detector_new (void)
{
  return g_object_new (BUZON_TYPE_DETECTOR, NULL);
}

/**
 * buzon_detector_get_steps:
 *
 * Returns: the #BuzonDetectSteps that run
 */
BuzonDetectSteps
buzon_detector_get_steps (BuzonDetector *self)
{
  g_return_val_if_fail (BUZON_IS_DETECTOR (self), 0);

  return self->steps;
}

/**
 * buzon_detector_set_steps:
 * @steps: the steps to run (the others are skipped), at least one
 */
void
buzon_detector_set_steps (BuzonDetector    *self,
                          BuzonDetectSteps  steps)
{
  g_return_if_fail (BUZON_IS_DETECTOR (self));
  g_return_if_fail ((steps & BUZON_DETECT_STEP_ALL) != 0);

  if (self->steps == steps)
    return;
  self->steps = steps & BUZON_DETECT_STEP_ALL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEPS]);
}

/**
 * buzon_detector_get_step_timeout:
 *
 * Returns: the seconds each network step may take
 */
guint
buzon_detector_get_step_timeout (BuzonDetector *self)
{
  g_return_val_if_fail (BUZON_IS_DETECTOR (self), 0);

  return self->step_timeout;
}

/**
 * buzon_detector_set_step_timeout:
 * @seconds: how long each network step may take, at least 1
 */
void
buzon_detector_set_step_timeout (BuzonDetector *self,
                                 guint          seconds)
{
  g_return_if_fail (BUZON_IS_DETECTOR (self));
  g_return_if_fail (seconds > 0);

  if (self->step_timeout == seconds)
    return;
  self->step_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP_TIMEOUT]);
}

/**
 * buzon_detector_get_probe_timeout:
 *
 * Returns: the seconds a probe may wait
 */
guint
buzon_detector_get_probe_timeout (BuzonDetector *self)
{
  g_return_val_if_fail (BUZON_IS_DETECTOR (self), 0);

  return self->probe_timeout;
}

/**
 * buzon_detector_set_probe_timeout:
 * @seconds: how long a probe may wait to connect and for each line
 */
void
buzon_detector_set_probe_timeout (BuzonDetector *self,
                                  guint          seconds)
{
  g_return_if_fail (BUZON_IS_DETECTOR (self));
  g_return_if_fail (seconds > 0);

  if (self->probe_timeout == seconds)
    return;
  self->probe_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBE_TIMEOUT]);
}

/**
 * buzon_detector_set_tls_database:
 * @database: (nullable): trust anchors for the probes (besides the
 *   system's) and for the HTTPS client (instead of the system's)
 *
 * A test hook: the tests' CA.
 */
void
buzon_detector_set_tls_database (BuzonDetector *self,
                                 GTlsDatabase  *database)
{
  g_return_if_fail (BUZON_IS_DETECTOR (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (g_set_object (&self->tls_database, database))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS_DATABASE]);
}

/**
 * buzon_detector_map_port:
 * @standard_port: a port detection uses (993, 143, 995, 110, 465, 587, 443)
 * @port: the port to connect to instead
 *
 * A test hook: loopback servers on high ports stand in for the standard
 * ones. Results still name the standard port.
 */
void
buzon_detector_map_port (BuzonDetector *self,
                         guint16        standard_port,
                         guint16        port)
{
  g_return_if_fail (BUZON_IS_DETECTOR (self));
  g_return_if_fail (standard_port > 0 && port > 0);

  g_hash_table_insert (self->ports, GUINT_TO_POINTER (standard_port), GUINT_TO_POINTER (port));
}

/**
 * buzon_detector_detect_async:
 * @address: the e-mail address
 * @cancellable: (nullable): stops every step
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Looks for @address's servers: the provider database, then SRV records,
 * then the autoconfig document, then guessed host names; the first step
 * that finds an incoming server gives the answer. Nothing is ever logged
 * into.
 */
void
buzon_detector_detect_async (BuzonDetector       *self,
                             const char          *address,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Detect *detect;
  char *domain = NULL;

  g_return_if_fail (BUZON_IS_DETECTOR (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, BUZON_SOURCE_TAG (buzon_detector_detect_async));

  if (!buzon_detect_split_address (address, NULL, &domain, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  detect = g_new0 (Detect, 1);
  detect->detector = g_object_ref (self);
  detect->address = g_strdup (address);
  detect->domain = domain;
  detect->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  detect->step = BUZON_DETECT_STEP_PROVIDER;
  g_task_set_task_data (task, detect, (GDestroyNotify) detect_free);

  run_step (g_steal_pointer (&task));
}

/**
 * buzon_detector_detect_finish:
 * @result: the result passed to the callback
 * @error: %BUZON_DETECT_ERROR_INVALID_ADDRESS, %BUZON_DETECT_ERROR_NOT_FOUND
 *   or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): what was found
 */
BuzonDetectResult *
buzon_detector_detect_finish (BuzonDetector  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == BUZON_SOURCE_TAG (buzon_detector_detect_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
detect_sync_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/**
 * buzon_detector_detect:
 * @address: the e-mail address
 * @cancellable: (nullable): stops every step
 * @error: as buzon_detector_detect_finish()
 *
 * buzon_detector_detect_async(), run to the end in a main context of its
 * own (for buzon-cli; never on the UI thread).
 *
 * Returns: (transfer full) (nullable): what was found
 */
BuzonDetectResult *
buzon_detector_detect (BuzonDetector  *self,
                       const char     *address,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  BuzonDetectResult *found;

  g_return_val_if_fail (BUZON_IS_DETECTOR (self), NULL);

  g_main_context_push_thread_default (context);
  buzon_detector_detect_async (self, address, cancellable, detect_sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  found = buzon_detector_detect_finish (self, result, error);
  /* Let what the steps left behind (closed connections) finish. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  return found;
}
