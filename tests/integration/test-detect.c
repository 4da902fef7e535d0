/* test-detect.c — server detection against a resolver double and real servers
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GResolver double (installed with g_resolver_set_default()) maps every
 * *.example.test name to 127.0.0.1 and serves SRV records from a table.
 * Against it: SRV detection (order, "." for a service not offered), guessing
 * and probing against the private Dovecot and SMTP servers of
 * build-aux/test-servers standing in for the standard ports
 * (buzon_detector_map_port()), with a closed port and ports that are not mail
 * servers skipped, autoconfig over HTTPS from a loopback HTTPS server
 * (detect-https-server.py, the test servers' certificate), timeouts and
 * cancellation, and `buzon-cli detect` as a subprocess.
 *
 * The test certificate names localhost and 127.0.0.1, not the
 * *.example.test names the double resolves; so the trust store given to the
 * detector is a wrapper of the test CA that checks the chain and not the name
 * (TestAnyNameDatabase). Without it, verification fails as it would for a
 * stranger's certificate.
 */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "buzon-detect.h"
#include "buzon-test-async.h"
#include "buzon-test-cli.h"
#include "buzon-test-servers.h"

/* The resolver double */

typedef struct
{
  const char *rrname;
  const char *host;
  guint16     port;
  guint16     priority;
  guint16     weight;
} SrvRecord;

static const SrvRecord srv_table[] = {
  /* Two IMAP servers, the second one preferred; IMAP with STARTTLS not
   * offered ("."); POP3 with STARTTLS only; submission with STARTTLS. */
  { "_imaps._tcp.srv.example.test", "imap2.srv.example.test", 993, 20, 0 },
  { "_imaps._tcp.srv.example.test", "imap1.srv.example.test", 10993, 10, 0 },
  { "_imap._tcp.srv.example.test", ".", 0, 0, 0 },
  { "_pop3._tcp.srv.example.test", "pop.srv.example.test", 110, 0, 0 },
  { "_submission._tcp.srv.example.test", "smtp.srv.example.test", 587, 0, 0 },
  /* Only outgoing: no answer. */
  { "_submissions._tcp.smtponly.example.test", "smtp.smtponly.example.test", 465, 0, 0 },
};

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver parent_instance;
  guint     service_lookups;
};

G_DEFINE_FINAL_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static gboolean
is_test_name (const char *hostname)
{
  return g_str_equal (hostname, "example.test") || g_str_has_suffix (hostname, ".example.test")
         || g_str_equal (hostname, "localhost");
}

static GList *
resolve (const char                *hostname,
         GResolverNameLookupFlags   flags,
         GError                   **error)
{
  if (!is_test_name (hostname) || (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) != 0)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "No address for “%s” in the test resolver", hostname);
      return NULL;
    }

  return g_list_append (NULL, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));
}

static GList *
test_resolver_lookup_by_name (GResolver     *resolver,
                              const char    *hostname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return resolve (hostname, G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, error);
}

static GList *
test_resolver_lookup_by_name_with_flags (GResolver                 *resolver,
                                         const char                *hostname,
                                         GResolverNameLookupFlags   flags,
                                         GCancellable              *cancellable,
                                         GError                   **error)
{
  return resolve (hostname, flags, error);
}

static void
return_list (GTask *task,
             GList *list,
             GError *error,
             GDestroyNotify free_item)
{
  if (list == NULL && error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, free_item);
}

static void
free_addresses (gpointer list)
{
  g_resolver_free_addresses (list);
}

static void
test_resolver_lookup_by_name_with_flags_async (GResolver                *resolver,
                                               const char               *hostname,
                                               GResolverNameLookupFlags  flags,
                                               GCancellable             *cancellable,
                                               GAsyncReadyCallback       callback,
                                               gpointer                  user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *list = resolve (hostname, flags, &error);

  return_list (task, list, error, free_addresses);
}

static void
test_resolver_lookup_by_name_async (GResolver           *resolver,
                                    const char          *hostname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  test_resolver_lookup_by_name_with_flags_async (resolver, hostname,
                                                 G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
                                                 cancellable, callback, user_data);
}

static GList *
test_resolver_lookup_by_name_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
srv_lookup (TestResolver  *self,
            const char    *rrname,
            GError       **error)
{
  GList *targets = NULL;

  self->service_lookups++;
  for (guint i = 0; i < G_N_ELEMENTS (srv_table); i++)
    if (g_str_equal (srv_table[i].rrname, rrname))
      targets = g_list_append (targets, g_srv_target_new (srv_table[i].host, srv_table[i].port,
                                                          srv_table[i].priority,
                                                          srv_table[i].weight));
  if (targets == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No SRV records for “%s” in the test resolver", rrname);

  return targets;
}

static void
free_targets (gpointer list)
{
  g_list_free_full (list, (GDestroyNotify) g_srv_target_free);
}

static GList *
test_resolver_lookup_service (GResolver     *resolver,
                              const char    *rrname,
                              GCancellable  *cancellable,
                              GError       **error)
{
  return srv_lookup (TEST_RESOLVER (resolver), rrname, error);
}

static void
test_resolver_lookup_service_async (GResolver           *resolver,
                                    const char          *rrname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *targets = srv_lookup (TEST_RESOLVER (resolver), rrname, &error);

  return_list (task, targets, error, free_targets);
}

static GList *
test_resolver_lookup_service_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* SRV records as GVariants "(qqqs)", for whoever asks by record type. */
static GList *
test_resolver_lookup_records (GResolver            *resolver,
                              const char           *rrname,
                              GResolverRecordType   record_type,
                              GCancellable         *cancellable,
                              GError              **error)
{
  GList *records = NULL;

  if (record_type != G_RESOLVER_RECORD_SRV)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "The test resolver has only SRV records");
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (srv_table); i++)
    if (g_str_equal (srv_table[i].rrname, rrname))
      records = g_list_append (records,
                               g_variant_ref_sink (g_variant_new ("(qqqs)", srv_table[i].priority,
                                                                  srv_table[i].weight,
                                                                  srv_table[i].port,
                                                                  srv_table[i].host)));
  if (records == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No SRV records for “%s” in the test resolver", rrname);

  return records;
}

static char *
test_resolver_lookup_by_address (GResolver     *resolver,
                                 GInetAddress  *address,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
               "The test resolver has no reverse lookups");
  return NULL;
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = test_resolver_lookup_by_name;
  resolver_class->lookup_by_name_async = test_resolver_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = test_resolver_lookup_by_name_finish;
  resolver_class->lookup_by_name_with_flags = test_resolver_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = test_resolver_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = test_resolver_lookup_by_name_finish;
  resolver_class->lookup_service = test_resolver_lookup_service;
  resolver_class->lookup_service_async = test_resolver_lookup_service_async;
  resolver_class->lookup_service_finish = test_resolver_lookup_service_finish;
  resolver_class->lookup_records = test_resolver_lookup_records;
  resolver_class->lookup_by_address = test_resolver_lookup_by_address;
}

static void
test_resolver_init (TestResolver *self)
{
}

static TestResolver *test_resolver;

/* A trust store that checks the chain against the test CA, not the name */

#define TEST_TYPE_ANY_NAME_DATABASE (test_any_name_database_get_type ())
G_DECLARE_FINAL_TYPE (TestAnyNameDatabase, test_any_name_database, TEST, ANY_NAME_DATABASE,
                      GTlsDatabase)

struct _TestAnyNameDatabase
{
  GTlsDatabase  parent_instance;
  GTlsDatabase *inner;
};

G_DEFINE_FINAL_TYPE (TestAnyNameDatabase, test_any_name_database, G_TYPE_TLS_DATABASE)

static GTlsCertificateFlags
test_any_name_database_verify_chain (GTlsDatabase             *database,
                                     GTlsCertificate          *chain,
                                     const char               *purpose,
                                     GSocketConnectable       *identity,
                                     GTlsInteraction          *interaction,
                                     GTlsDatabaseVerifyFlags   flags,
                                     GCancellable             *cancellable,
                                     GError                  **error)
{
  TestAnyNameDatabase *self = TEST_ANY_NAME_DATABASE (database);

  return g_tls_database_verify_chain (self->inner, chain, purpose, NULL, interaction, flags,
                                      cancellable, error);
}

static void
test_any_name_database_finalize (GObject *object)
{
  g_clear_object (&TEST_ANY_NAME_DATABASE (object)->inner);
  G_OBJECT_CLASS (test_any_name_database_parent_class)->finalize (object);
}

static void
test_any_name_database_class_init (TestAnyNameDatabaseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_any_name_database_finalize;
  G_TLS_DATABASE_CLASS (klass)->verify_chain = test_any_name_database_verify_chain;
}

static void
test_any_name_database_init (TestAnyNameDatabase *self)
{
}

static GTlsDatabase *
any_name_database_new (GTlsDatabase *inner)
{
  TestAnyNameDatabase *self = g_object_new (TEST_TYPE_ANY_NAME_DATABASE, NULL);

  self->inner = g_object_ref (inner);
  return G_TLS_DATABASE (self);
}

/* Fake servers that are not mail servers */

typedef struct
{
  GSocketService *service;
  guint16         port;
  const char     *greeting;   /* NULL: says nothing */
  GPtrArray      *connections;
} FakeServer;

static gboolean
fake_incoming_cb (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source,
                  gpointer           user_data)
{
  FakeServer *fake = user_data;

  if (fake->greeting != NULL)
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                               fake->greeting, strlen (fake->greeting), NULL, NULL, NULL);
  /* Kept open until the test ends: the client gives up, not the server. */
  g_ptr_array_add (fake->connections, g_object_ref (connection));
  return TRUE;
}

static FakeServer *
fake_server_new (const char *greeting)
{
  g_autoptr(GError) error = NULL;
  FakeServer *fake = g_new0 (FakeServer, 1);

  fake->service = g_socket_service_new ();
  fake->greeting = greeting;
  fake->connections = g_ptr_array_new_with_free_func (g_object_unref);
  fake->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (fake->service), NULL,
                                                    &error);
  g_assert_no_error (error);
  g_signal_connect (fake->service, "incoming", G_CALLBACK (fake_incoming_cb), fake);
  g_socket_service_start (fake->service);

  return fake;
}

static void
fake_server_free (FakeServer *fake)
{
  g_socket_service_stop (fake->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fake->service));
  g_clear_object (&fake->service);
  g_ptr_array_unref (fake->connections);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

/* A port nothing listens on: bound, then closed. */
static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return port;
}

/* Helpers */

static BuzonTestServers *servers;
static gboolean servers_tried;

static BuzonTestServers *
get_servers (void)
{
  return buzon_test_servers_start_once (&servers, &servers_tried, "full", NULL);
}

static BuzonDetectResult *
detect (BuzonDetector  *detector,
        const char     *address,
        GCancellable   *cancellable,
        GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  buzon_detector_detect_async (detector, address, cancellable, buzon_test_result_cb, &result);
  return buzon_detector_detect_finish (detector, buzon_test_wait_for (&result), error);
}

static const BuzonDetectServer *
nth_of (BuzonDetectResult   *result,
        BuzonDetectProtocol  protocol,
        guint                n)
{
  GPtrArray *servers_found = buzon_detect_result_get_servers (result);

  for (guint i = 0; i < servers_found->len; i++)
    {
      const BuzonDetectServer *server = g_ptr_array_index (servers_found, i);

      if (server->protocol == protocol && n-- == 0)
        return server;
    }

  return NULL;
}

static guint
count_of (BuzonDetectResult   *result,
          BuzonDetectProtocol  protocol)
{
  guint n = 0;

  while (nth_of (result, protocol, n) != NULL)
    n++;
  return n;
}

static void
assert_server (const BuzonDetectServer *server,
               const char              *host,
               guint16                  port,
               BuzonSecurity            security,
               BuzonDetectSource        source)
{
  g_assert_nonnull (server);
  g_assert_cmpstr (server->host, ==, host);
  g_assert_cmpuint (server->port, ==, port);
  g_assert_cmpint (server->security, ==, security);
  g_assert_cmpint (server->source, ==, source);
}

/* Probes of servers that answer must not run out of time on a loaded
 * machine (or under valgrind): the timeouts tests rely on are set where
 * they are tested. */
static BuzonDetector *
patient_detector_new (void)
{
  BuzonDetector *detector = buzon_detector_new ();

  buzon_detector_set_probe_timeout (detector, 60);
  buzon_detector_set_step_timeout (detector, 240);
  return detector;
}

static void
map_test_ports (BuzonDetector    *detector,
                BuzonTestServers *test_servers)
{
  buzon_detector_map_port (detector, 993, buzon_test_servers_get_port (test_servers, "imaps"));
  buzon_detector_map_port (detector, 143, buzon_test_servers_get_port (test_servers, "imap"));
  buzon_detector_map_port (detector, 995, buzon_test_servers_get_port (test_servers, "pop3s"));
  buzon_detector_map_port (detector, 110, buzon_test_servers_get_port (test_servers, "pop3"));
  buzon_detector_map_port (detector, 465, buzon_test_servers_get_port (test_servers, "smtps"));
  buzon_detector_map_port (detector, 587, buzon_test_servers_get_port (test_servers, "smtp"));
}

/* SRV */

static void
test_srv (void)
{
  g_autoptr(BuzonDetector) detector = buzon_detector_new ();
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Autoconfig and guessing would find nothing here anyway; SRV answers. */
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_PROVIDER | BUZON_DETECT_STEP_SRV);
  test_resolver->service_lookups = 0;
  result = detect (detector, "rosa@SRV.example.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (test_resolver->service_lookups, ==, 6);

  g_assert_cmpint (buzon_detect_result_get_source (result), ==, BUZON_DETECT_SOURCE_SRV);
  g_assert_cmpstr (buzon_detect_result_get_domain (result), ==, "srv.example.test");
  g_assert_cmpuint (buzon_detect_result_get_servers (result)->len, ==, 4);
  /* Priority order; the SRV record's port as given; no IMAP with STARTTLS. */
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 0), "imap1.srv.example.test", 10993,
                 BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_SRV);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 1), "imap2.srv.example.test", 993,
                 BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_SRV);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_POP3, 0), "pop.srv.example.test", 110,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_SRV);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_SMTP, 0), "smtp.srv.example.test", 587,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_SRV);
  g_assert_cmpstr (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 0)->username, ==,
                   "rosa@SRV.example.test");
}

static void
test_srv_outgoing_only (void)
{
  g_autoptr(BuzonDetector) detector = buzon_detector_new ();
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A submission server alone is no answer: nothing to read mail from. */
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_SRV);
  result = detect (detector, "rosa@smtponly.example.test", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "rosa@smtponly.example.test"));
}

static void
test_provider_first (void)
{
  g_autoptr(BuzonDetector) detector = buzon_detector_new ();
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* A provider the database knows: no SRV lookup, no connection. */
  test_resolver->service_lookups = 0;
  result = detect (detector, "rosa@googlemail.com", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (buzon_detect_result_get_source (result), ==, BUZON_DETECT_SOURCE_PROVIDER);
  g_assert_cmpuint (test_resolver->service_lookups, ==, 0);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 0), "imap.gmail.com", 993,
                 BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_PROVIDER);

  /* The blocking wrapper (for buzon-cli), and its errors. */
  {
    g_autoptr(BuzonDetectResult) sync_result = NULL;

    sync_result = buzon_detector_detect (detector, "rosa@Proton.me", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (buzon_detect_result_get_note_id (sync_result), ==, "bridge");
    assert_server (nth_of (sync_result, BUZON_DETECT_PROTOCOL_IMAP, 0), "127.0.0.1", 1143,
                   BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_PROVIDER);

    g_assert_null (buzon_detector_detect (detector, "rosa", NULL, &error));
    g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_ADDRESS);
    g_clear_error (&error);

    buzon_detector_set_steps (detector, BUZON_DETECT_STEP_PROVIDER);
    g_assert_null (buzon_detector_detect (detector, "rosa@unknown.example.test", NULL, &error));
    g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
  }
}

/* Guessing and probing */

static void
test_guess (void)
{
  BuzonTestServers *test_servers = get_servers ();
  g_autoptr(BuzonDetector) detector = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;

  if (test_servers == NULL)
    return;

  detector = patient_detector_new ();
  database = any_name_database_new (buzon_test_servers_get_tls_database (test_servers));
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_GUESS);
  buzon_detector_set_tls_database (detector, database);
  map_test_ports (detector, test_servers);

  result = detect (detector, "ana@guess.example.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (buzon_detect_result_get_source (result), ==, BUZON_DETECT_SOURCE_GUESS);

  /* Every name resolves to the test servers, so every guess answers: the
   * standard ports in the results, implicit TLS first. */
  g_assert_cmpuint (count_of (result, BUZON_DETECT_PROTOCOL_IMAP), ==, 4);
  g_assert_cmpuint (count_of (result, BUZON_DETECT_PROTOCOL_POP3), ==, 6);
  g_assert_cmpuint (count_of (result, BUZON_DETECT_PROTOCOL_SMTP), ==, 4);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 0), "imap.guess.example.test", 993,
                 BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_GUESS);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 1), "mail.guess.example.test", 993,
                 BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_GUESS);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 2), "imap.guess.example.test", 143,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_GUESS);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_POP3, 0), "pop.guess.example.test", 995,
                 BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_GUESS);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_POP3, 3), "pop.guess.example.test", 110,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_GUESS);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_SMTP, 0), "smtp.guess.example.test", 465,
                 BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_GUESS);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_SMTP, 2), "smtp.guess.example.test", 587,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_GUESS);
  for (guint i = 0; i < buzon_detect_result_get_servers (result)->len; i++)
    g_assert_false (((BuzonDetectServer *)
                     g_ptr_array_index (buzon_detect_result_get_servers (result), i))
                    ->untrusted_certificate);
}

static void
test_guess_skips (void)
{
  BuzonTestServers *test_servers = get_servers ();
  g_autoptr(BuzonDetector) detector = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeServer) ssh = NULL;
  g_autoptr(FakeServer) web = NULL;
  gint64 start;

  if (test_servers == NULL)
    return;

  ssh = fake_server_new ("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
  web = fake_server_new ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");

  detector = patient_detector_new ();
  database = any_name_database_new (buzon_test_servers_get_tls_database (test_servers));
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_GUESS);
  buzon_detector_set_tls_database (detector, database);
  map_test_ports (detector, test_servers);
  /* Nothing on 993 and 465; not mail servers on 995 (no TLS), 110 (SSH)
   * and 143 (HTTP); SMTP's STARTTLS port where IMAP's TLS port is wanted
   * would be a protocol mix-up, so POP3 gets SMTP's TLS port on 995: no
   * "+OK". */
  buzon_detector_map_port (detector, 993, closed_port ());
  buzon_detector_map_port (detector, 465, closed_port ());
  buzon_detector_map_port (detector, 143, web->port);
  buzon_detector_map_port (detector, 110, ssh->port);
  buzon_detector_map_port (detector, 995, buzon_test_servers_get_port (test_servers, "smtps"));

  start = g_get_monotonic_time ();
  result = detect (detector, "ana@skips.example.test", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
  /* Refusals and wrong greetings are quick; nothing waited for a probe's
   * timeout (60 s here). */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 40 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* POP3 back on its own port: that is all there is, with SMTP on 587. */
  buzon_detector_map_port (detector, 110, buzon_test_servers_get_port (test_servers, "pop3"));
  result = detect (detector, "ana@skips.example.test", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_of (result, BUZON_DETECT_PROTOCOL_IMAP), ==, 0);
  g_assert_cmpuint (count_of (result, BUZON_DETECT_PROTOCOL_POP3), ==, 3);
  g_assert_cmpuint (count_of (result, BUZON_DETECT_PROTOCOL_SMTP), ==, 2);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_POP3, 0), "pop.skips.example.test", 110,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_GUESS);
  assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_SMTP, 0), "smtp.skips.example.test", 587,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_GUESS);
}

static void
test_guess_untrusted (void)
{
  BuzonTestServers *test_servers = get_servers ();
  g_autoptr(BuzonDetector) detector = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const BuzonDetectServer *server;

  if (test_servers == NULL)
    return;

  /* The system's trust store only: the test CA's certificate does not
   * verify. The STARTTLS ports (greeting and capabilities read in the
   * clear) come first; the implicit-TLS ones follow, marked. */
  detector = patient_detector_new ();
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_GUESS);
  map_test_ports (detector, test_servers);

  result = detect (detector, "ana@untrusted.example.test", NULL, &error);
  g_assert_no_error (error);
  server = nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 0);
  assert_server (server, "imap.untrusted.example.test", 143, BUZON_SECURITY_STARTTLS,
                 BUZON_DETECT_SOURCE_GUESS);
  g_assert_false (server->untrusted_certificate);
  server = nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 2);
  assert_server (server, "imap.untrusted.example.test", 993, BUZON_SECURITY_TLS,
                 BUZON_DETECT_SOURCE_GUESS);
  g_assert_true (server->untrusted_certificate);
}

static void
test_guess_timeout (void)
{
  g_autoptr(BuzonDetector) detector = buzon_detector_new ();
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeServer) silent = fake_server_new (NULL);
  const guint16 ports[] = { 993, 143, 995, 110, 465, 587 };
  gint64 start;

  /* Servers that accept and never greet: the step's timeout (1 s) ends it,
   * long before the probes' own (120 s). The bound leaves room for valgrind. */
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_GUESS);
  buzon_detector_set_step_timeout (detector, 1);
  buzon_detector_set_probe_timeout (detector, 120);
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    buzon_detector_map_port (detector, ports[i], silent->port);

  start = g_get_monotonic_time ();
  result = detect (detector, "ana@silent.example.test", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 40 * G_USEC_PER_SEC);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(BuzonDetector) detector = buzon_detector_new ();
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(FakeServer) silent = fake_server_new (NULL);
  const guint16 ports[] = { 993, 143, 995, 110, 465, 587, 443 };
  gint64 start;

  /* Every step waiting on a silent server; the caller cancels. */
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    buzon_detector_map_port (detector, ports[i], silent->port);
  buzon_detector_set_probe_timeout (detector, 120);
  buzon_detector_set_step_timeout (detector, 120);

  start = g_get_monotonic_time ();
  g_timeout_add (300, cancel_cb, cancellable);
  result = detect (detector, "ana@cancel.example.test", cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 40 * G_USEC_PER_SEC);
}

/* Autoconfig over HTTPS */

typedef struct
{
  GSubprocess *process;
  guint16      port;
} HttpsServer;

static void
https_server_free (HttpsServer *server)
{
  /* Closing its stdin stops it. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (server->process), NULL, NULL);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HttpsServer, https_server_free)

static HttpsServer *
https_server_start (BuzonTestServers *test_servers)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "integration",
                                                   "detect-https-server.py", NULL);
  g_autofree char *line = NULL;
  JsonObject *info = buzon_test_servers_get_info (test_servers);
  HttpsServer *server = g_new0 (HttpsServer, 1);

  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error, "python3", script,
                                      json_object_get_string_member (info, "cert_file"),
                                      json_object_get_string_member (info, "key_file"), NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  server->port = (guint16) g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (server->port, >, 0);

  return server;
}

static void
test_autoconfig (void)
{
  BuzonTestServers *test_servers = get_servers ();
  g_autoptr(HttpsServer) https = NULL;
  g_autoptr(BuzonDetector) detector = NULL;
  g_autoptr(GTlsDatabase) database = NULL;

  if (test_servers == NULL)
    return;

  https = https_server_start (test_servers);
  detector = patient_detector_new ();
  database = any_name_database_new (buzon_test_servers_get_tls_database (test_servers));
  buzon_detector_set_tls_database (detector, database);
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_PROVIDER | BUZON_DETECT_STEP_SRV
                                      | BUZON_DETECT_STEP_AUTOCONFIG);
  buzon_detector_map_port (detector, 443, https->port);

  /* The first URL: https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=… */
  {
    g_autoptr(BuzonDetectResult) result = NULL;
    g_autoptr(GError) error = NULL;

    result = detect (detector, "rosa@first.example.test", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (buzon_detect_result_get_source (result), ==, BUZON_DETECT_SOURCE_AUTOCONFIG);
    g_assert_cmpstr (buzon_detect_result_get_provider_name (result), ==, "First");
    assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 0), "imap.first.example.test", 993,
                   BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_AUTOCONFIG);
    assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_POP3, 0), "pop.first.example.test", 995,
                   BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_AUTOCONFIG);
    g_assert_cmpstr (nth_of (result, BUZON_DETECT_PROTOCOL_POP3, 0)->username, ==, "rosa");
    assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_SMTP, 0), "smtp.first.example.test", 587,
                   BUZON_SECURITY_STARTTLS, BUZON_DETECT_SOURCE_AUTOCONFIG);
  }

  /* The second: https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml */
  {
    g_autoptr(BuzonDetectResult) result = NULL;
    g_autoptr(GError) error = NULL;

    result = detect (detector, "rosa@second.example.test", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (buzon_detect_result_get_source (result), ==, BUZON_DETECT_SOURCE_AUTOCONFIG);
    assert_server (nth_of (result, BUZON_DETECT_PROTOCOL_IMAP, 0), "mail.second.example.test",
                   993, BUZON_SECURITY_TLS, BUZON_DETECT_SOURCE_AUTOCONFIG);
  }

  /* A redirect to HTTPS is followed. */
  {
    g_autoptr(BuzonDetectResult) result = NULL;
    g_autoptr(GError) error = NULL;

    result = detect (detector, "rosa@hop.example.test", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (buzon_detect_result_get_provider_name (result), ==, "Second");
  }

  /* Too big, a redirect to plain HTTP, and not there at all: nothing. */
  {
    const char *addresses[] = { "rosa@big.example.test", "rosa@plain.example.test",
                                "rosa@nothing.example.test" };

    for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
      {
        g_autoptr(BuzonDetectResult) result = NULL;
        g_autoptr(GError) error = NULL;

        result = detect (detector, addresses[i], NULL, &error);
        g_assert_null (result);
        g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
      }
  }
}

static void
test_autoconfig_untrusted (void)
{
  BuzonTestServers *test_servers = get_servers ();
  g_autoptr(HttpsServer) https = NULL;
  g_autoptr(BuzonDetector) detector = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (test_servers == NULL)
    return;

  /* The system's trust store: the test certificate does not verify, and
   * the document is not used. */
  https = https_server_start (test_servers);
  detector = patient_detector_new ();
  buzon_detector_set_steps (detector, BUZON_DETECT_STEP_AUTOCONFIG);
  buzon_detector_map_port (detector, 443, https->port);

  result = detect (detector, "rosa@first.example.test", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
}

/* buzon-cli detect */

static void
test_cli (void)
{
  g_autoptr(BuzonTestCli) cli = buzon_test_cli_new ("buzon-test-detect-XXXXXX");

  {
    g_auto(BuzonTestCliResult) result = { 0, };

    buzon_test_cli_run (cli, &result, "detect", "pepe@yahoo.es", NULL);
    g_assert_cmpint (result.status, ==, 0);
    g_assert_nonnull (strstr (result.out, "Servers for pepe@yahoo.es (Yahoo Mail), from "
                                          "Buzón’s provider database:"));
    g_assert_nonnull (strstr (result.out, "Incoming (IMAP): imap.mail.yahoo.com, port 993, TLS; "
                                          "user name pepe@yahoo.es"));
    g_assert_nonnull (strstr (result.out, "Incoming (POP3): pop.mail.yahoo.com, port 995, TLS"));
    g_assert_nonnull (strstr (result.out, "Outgoing (SMTP): smtp.mail.yahoo.com, port 465, TLS"));
    g_assert_nonnull (strstr (result.out, "app password"));
  }

  {
    g_auto(BuzonTestCliResult) result = { 0, };
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(GError) error = NULL;
    JsonObject *root, *imap, *smtp;

    buzon_test_cli_run (cli, &result, "detect", "--json", "pepe@icloud.com", NULL);
    g_assert_cmpint (result.status, ==, 0);
    json_parser_load_from_data (parser, result.out, -1, &error);
    g_assert_no_error (error);
    root = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (root, "address"), ==, "pepe@icloud.com");
    g_assert_cmpstr (json_object_get_string_member (root, "source"), ==, "provider");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root,
                                                                                   "provider"),
                                                    "id"), ==, "icloud");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "note"),
                                                    "id"), ==, "app-password");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "pop3")), ==, 0);
    imap = json_array_get_object_element (json_object_get_array_member (root, "imap"), 0);
    g_assert_cmpstr (json_object_get_string_member (imap, "host"), ==, "imap.mail.me.com");
    g_assert_cmpint (json_object_get_int_member (imap, "port"), ==, 993);
    g_assert_cmpstr (json_object_get_string_member (imap, "security"), ==, "tls");
    g_assert_cmpstr (json_object_get_string_member (imap, "username"), ==, "pepe");
    g_assert_cmpstr (json_object_get_string_member (imap, "username_form"), ==, "local-part");
    g_assert_cmpstr (json_object_get_string_member (imap, "source"), ==, "provider");
    g_assert_false (json_object_get_boolean_member (imap, "untrusted_certificate"));
    smtp = json_array_get_object_element (json_object_get_array_member (root, "smtp"), 0);
    g_assert_cmpstr (json_object_get_string_member (smtp, "security"), ==, "starttls");
    g_assert_cmpstr (json_object_get_string_member (smtp, "username"), ==, "pepe@icloud.com");
  }

  /* Nothing found: exit 1 and a sentence. */
  {
    g_auto(BuzonTestCliResult) result = { 0, };

    buzon_test_cli_run (cli, &result, "detect", "--offline", "pepe@nowhere.example.test", NULL);
    g_assert_cmpint (result.status, ==, 1);
    g_assert_cmpstr (result.out, ==, "");
    g_assert_nonnull (strstr (result.err, "No mail servers were found for "
                                          "“pepe@nowhere.example.test”."));
  }

  /* Not an address, or none: usage errors. */
  {
    g_auto(BuzonTestCliResult) result = { 0, };

    buzon_test_cli_run (cli, &result, "detect", "pepe", NULL);
    g_assert_cmpint (result.status, ==, 2);
    g_assert_nonnull (strstr (result.err, "not an e-mail address"));
  }
  {
    g_auto(BuzonTestCliResult) result = { 0, };

    buzon_test_cli_run (cli, &result, "detect", NULL);
    g_assert_cmpint (result.status, ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Every name the detector looks up goes to the double; a proxy from the
   * environment would take the HTTPS requests elsewhere. */
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  test_resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_resolver_set_default (G_RESOLVER (test_resolver));

  g_test_add_func ("/buzon/detect/provider-first", test_provider_first);
  g_test_add_func ("/buzon/detect/srv", test_srv);
  g_test_add_func ("/buzon/detect/srv/outgoing-only", test_srv_outgoing_only);
  g_test_add_func ("/buzon/detect/guess", test_guess);
  g_test_add_func ("/buzon/detect/guess/skips", test_guess_skips);
  g_test_add_func ("/buzon/detect/guess/untrusted", test_guess_untrusted);
  g_test_add_func ("/buzon/detect/guess/timeout", test_guess_timeout);
  g_test_add_func ("/buzon/detect/cancel", test_cancel);
  g_test_add_func ("/buzon/detect/autoconfig", test_autoconfig);
  g_test_add_func ("/buzon/detect/autoconfig/untrusted", test_autoconfig_untrusted);
  g_test_add_func ("/buzon/detect/cli", test_cli);

  status = g_test_run ();

  g_clear_pointer (&servers, buzon_test_servers_stop);
  buzon_test_let_pool_threads_exit ();
  g_clear_object (&test_resolver);

  return status;
}
