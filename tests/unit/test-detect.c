/* test-detect.c — server detection without a network
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The provider database (lookups, aliases, case, unknown domains, and every
 * entry of it), the autoconfig parser over tests/data/autoconfig/ (a
 * realistic ISPDB document, placeholders, malformed and oversized input) and
 * the ordering of SRV records. Detection against servers and a resolver
 * double is tests/integration/test-detect.c.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "buzon-detect.h"
#include "buzon-detect-resources.h"

static void
assert_server (const BuzonDetectServer *server,
               BuzonDetectProtocol      protocol,
               const char              *host,
               guint16                  port,
               BuzonSecurity            security,
               BuzonDetectUsername      form,
               const char              *username)
{
  g_assert_nonnull (server);
  g_assert_cmpint (server->protocol, ==, protocol);
  g_assert_cmpstr (server->host, ==, host);
  g_assert_cmpuint (server->port, ==, port);
  g_assert_cmpint (server->security, ==, security);
  g_assert_cmpint (server->username_form, ==, form);
  g_assert_cmpstr (server->username, ==, username);
  g_assert_false (server->untrusted_certificate);
}

static const BuzonDetectServer *
nth_server (BuzonDetectResult *result,
            guint              index)
{
  GPtrArray *servers = buzon_detect_result_get_servers (result);

  g_assert_cmpuint (index, <, servers->len);
  return g_ptr_array_index (servers, index);
}

static void
test_split_address (void)
{
  const char *invalid[] = {
    "", "nobody", "@example.com", "ana@", "ana@example", "ana@.example.com",
    "ana@example..com", "ana@example.com.", "ana smith@example.com", "ana@exa_mple.com",
    "<ana@example.com>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (buzon_detect_split_address (invalid[i], NULL, NULL, &error));
      g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_ADDRESS);
      g_assert_nonnull (strstr (error->message, invalid[i]));
    }

  {
    g_autofree char *local = NULL;
    g_autofree char *domain = NULL;

    g_assert_true (buzon_detect_split_address ("Ana.Ruiz+news@Example.COM", &local, &domain,
                                               NULL));
    g_assert_cmpstr (local, ==, "Ana.Ruiz+news");
    g_assert_cmpstr (domain, ==, "example.com");
  }
  {
    g_autofree char *local = NULL;
    g_autofree char *domain = NULL;

    /* The last "@" splits; an internationalised domain comes out in IDNA. */
    g_assert_true (buzon_detect_split_address ("\"a@b\"@ñandú.example", &local, &domain, NULL));
    g_assert_cmpstr (local, ==, "\"a@b\"");
    g_assert_cmpstr (domain, ==, "xn--and-6ma2c.example");
  }
}

static void
test_provider_gmail (void)
{
  const char *addresses[] = { "ana@gmail.com", "ana@googlemail.com", "ana@GMail.COM" };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BuzonDetectResult) result = buzon_detect_lookup_provider (addresses[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (buzon_detect_result_get_source (result), ==, BUZON_DETECT_SOURCE_PROVIDER);
      g_assert_cmpstr (buzon_detect_result_get_address (result), ==, addresses[i]);
      g_assert_cmpstr (buzon_detect_result_get_provider_id (result), ==, "gmail");
      g_assert_cmpstr (buzon_detect_result_get_provider_name (result), ==, "Gmail");
      g_assert_cmpstr (buzon_detect_result_get_note_id (result), ==, "app-password");
      g_assert_nonnull (strstr (buzon_detect_result_get_note (result), "app password"));
      g_assert_cmpuint (buzon_detect_result_get_servers (result)->len, ==, 4);
      assert_server (nth_server (result, 0), BUZON_DETECT_PROTOCOL_IMAP, "imap.gmail.com", 993,
                     BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_ADDRESS, addresses[i]);
      assert_server (nth_server (result, 1), BUZON_DETECT_PROTOCOL_POP3, "pop.gmail.com", 995,
                     BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_ADDRESS, addresses[i]);
      assert_server (nth_server (result, 2), BUZON_DETECT_PROTOCOL_SMTP, "smtp.gmail.com", 465,
                     BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_ADDRESS, addresses[i]);
      assert_server (nth_server (result, 3), BUZON_DETECT_PROTOCOL_SMTP, "smtp.gmail.com", 587,
                     BUZON_SECURITY_STARTTLS, BUZON_DETECT_USERNAME_ADDRESS, addresses[i]);
      g_assert_true (buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_SMTP)
                     == nth_server (result, 2));
    }
}

static void
test_provider_others (void)
{
  const struct
  {
    const char *address;
    const char *id;
    const char *imap;
    const char *pop3;
    const char *smtp;
    guint16     smtp_port;
    const char *note;
  } cases[] = {
    { "luis@hotmail.com", "outlook", "outlook.office365.com", "outlook.office365.com",
      "smtp.office365.com", 587, "oauth-only" },
    { "luis@outlook.es", "outlook", "outlook.office365.com", "outlook.office365.com",
      "smtp.office365.com", 587, "oauth-only" },
    { "luis@live.com", "outlook", "outlook.office365.com", "outlook.office365.com",
      "smtp.office365.com", 587, "oauth-only" },
    { "luis@yahoo.es", "yahoo", "imap.mail.yahoo.com", "pop.mail.yahoo.com",
      "smtp.mail.yahoo.com", 465, "app-password" },
    { "luis@me.com", "icloud", "imap.mail.me.com", NULL, "smtp.mail.me.com", 587,
      "app-password" },
    { "luis@gmx.es", "gmx", "imap.gmx.com", "pop.gmx.com", "mail.gmx.com", 465,
      "enable-access" },
    { "luis@zoho.com", "zoho", "imap.zoho.com", "pop.zoho.com", "smtp.zoho.com", 465,
      "enable-access-app-password" },
    { "luis@fastmail.com", "fastmail", "imap.fastmail.com", "pop.fastmail.com",
      "smtp.fastmail.com", 465, "app-password" },
    { "luis@proton.me", "proton", "127.0.0.1", NULL, "127.0.0.1", 1025, "bridge" },
    { "luis@telefonica.net", "telefonica", "imap.telefonica.net", "pop3.telefonica.net",
      "smtp.telefonica.net", 465, NULL },
    { "luis@movistar.es", "movistar", "imap.movistar.es", "pop3.movistar.es",
      "smtp.movistar.es", 465, NULL },
    { "luis@orange.es", "orange-es", "imap.orange.es", "pop.orange.es", "smtp.orange.es", 465,
      NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BuzonDetectResult) result = buzon_detect_lookup_provider (cases[i].address,
                                                                          &error);
      const BuzonDetectServer *imap, *pop3, *smtp;

      g_test_message ("%s", cases[i].address);
      g_assert_no_error (error);
      g_assert_cmpstr (buzon_detect_result_get_provider_id (result), ==, cases[i].id);
      g_assert_cmpstr (buzon_detect_result_get_note_id (result), ==, cases[i].note);
      if (cases[i].note != NULL)
        g_assert_nonnull (buzon_detect_result_get_note (result));
      else
        g_assert_null (buzon_detect_result_get_note (result));

      imap = buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_IMAP);
      pop3 = buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_POP3);
      smtp = buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_SMTP);
      g_assert_cmpstr (imap->host, ==, cases[i].imap);
      if (cases[i].pop3 == NULL)
        g_assert_null (pop3);
      else
        g_assert_cmpstr (pop3->host, ==, cases[i].pop3);
      g_assert_cmpstr (smtp->host, ==, cases[i].smtp);
      g_assert_cmpuint (smtp->port, ==, cases[i].smtp_port);
    }

  /* iCloud: IMAP wants the name before the "@", SMTP the whole address. */
  {
    g_autoptr(BuzonDetectResult) result = buzon_detect_lookup_provider ("Luis@iCloud.com", NULL);

    assert_server (buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_IMAP),
                   BUZON_DETECT_PROTOCOL_IMAP, "imap.mail.me.com", 993, BUZON_SECURITY_TLS,
                   BUZON_DETECT_USERNAME_LOCAL_PART, "Luis");
    assert_server (buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_SMTP),
                   BUZON_DETECT_PROTOCOL_SMTP, "smtp.mail.me.com", 587, BUZON_SECURITY_STARTTLS,
                   BUZON_DETECT_USERNAME_ADDRESS, "Luis@iCloud.com");
  }
}

static void
test_provider_unknown (void)
{
  const char *unknown[] = { "ana@example.com", "ana@gmail.com.example", "ana@mail.gmail.com" };

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BuzonDetectResult) result = buzon_detect_lookup_provider (unknown[i], &error);

      g_assert_null (result);
      g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BuzonDetectResult) result = buzon_detect_lookup_provider ("gmail.com", &error);

    g_assert_null (result);
    g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_ADDRESS);
  }
}

/* Every entry of the database: known fields, usable servers, an incoming
 * server, a sentence for its note, no domain twice. */
static void
test_provider_database (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  JsonArray *providers;

  bytes = g_resource_lookup_data (_buzon_detect_get_resource (),
                                  "/io/github/buzonmail/Buzon/detect/providers.json", 0, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                              (gssize) g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  providers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "providers");
  g_assert_cmpuint (json_array_get_length (providers), >=, 15);
  for (guint i = 0; i < json_array_get_length (providers); i++)
    {
      JsonObject *provider = json_array_get_object_element (providers, i);
      JsonArray *domains = json_object_get_array_member (provider, "domains");
      JsonArray *servers = json_object_get_array_member (provider, "servers");

      g_assert_nonnull (json_object_get_string_member (provider, "id"));
      g_assert_nonnull (json_object_get_string_member (provider, "name"));
      g_assert_cmpuint (json_array_get_length (domains), >, 0);
      for (guint j = 0; j < json_array_get_length (domains); j++)
        {
          const char *domain = json_array_get_string_element (domains, j);
          g_autofree char *address = g_strconcat ("someone@", domain, NULL);
          g_autoptr(BuzonDetectResult) result = NULL;

          g_assert_false (g_hash_table_contains (seen, domain));
          g_hash_table_add (seen, (gpointer) domain);

          result = buzon_detect_lookup_provider (address, &error);
          g_assert_no_error (error);
          g_assert_true (buzon_detect_result_has_incoming (result));
          g_assert_nonnull (buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_SMTP));
          /* Every server was usable (a bad one would be left out). */
          g_assert_cmpuint (buzon_detect_result_get_servers (result)->len, ==,
                            json_array_get_length (servers));
          if (buzon_detect_result_get_note_id (result) != NULL)
            g_assert_nonnull (buzon_detect_result_get_note (result));
        }
    }
}

static char *
read_sample (const char *name,
             gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "autoconfig", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_autoconfig_ispdb (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autofree char *xml = NULL;
  gsize length;

  xml = read_sample ("ispdb-full.txt", &length);
  result = buzon_detect_parse_autoconfig (xml, length, "maria@example.net", &error);
  g_assert_no_error (error);

  g_assert_cmpint (buzon_detect_result_get_source (result), ==, BUZON_DETECT_SOURCE_AUTOCONFIG);
  g_assert_cmpstr (buzon_detect_result_get_provider_id (result), ==, "example.net");
  g_assert_cmpstr (buzon_detect_result_get_provider_name (result), ==, "Example Mail");
  g_assert_null (buzon_detect_result_get_note (result));

  /* In document order; the plain IMAP entry and the Exchange one are left
   * out; the second SMTP entry allows a password too. */
  g_assert_cmpuint (buzon_detect_result_get_servers (result)->len, ==, 5);
  assert_server (nth_server (result, 0), BUZON_DETECT_PROTOCOL_IMAP, "imap.example.net", 993,
                 BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_ADDRESS, "maria@example.net");
  assert_server (nth_server (result, 1), BUZON_DETECT_PROTOCOL_IMAP, "imap.example.net", 143,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_USERNAME_ADDRESS, "maria@example.net");
  assert_server (nth_server (result, 2), BUZON_DETECT_PROTOCOL_POP3, "pop.example.net", 995,
                 BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_LOCAL_PART, "maria");
  assert_server (nth_server (result, 3), BUZON_DETECT_PROTOCOL_SMTP, "smtp.example.net", 465,
                 BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_ADDRESS, "maria@example.net");
  assert_server (nth_server (result, 4), BUZON_DETECT_PROTOCOL_SMTP, "smtp.example.net", 587,
                 BUZON_SECURITY_STARTTLS, BUZON_DETECT_USERNAME_ADDRESS, "maria@example.net");
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (nth_server (result, i)->source, ==, BUZON_DETECT_SOURCE_AUTOCONFIG);

  /* %EMAILDOMAIN% is the address's domain, whatever the document's. */
  {
    g_autoptr(BuzonDetectResult) other = buzon_detect_parse_autoconfig (xml, length,
                                                                        "pepe@Example.ORG", NULL);

    assert_server (nth_server (other, 0), BUZON_DETECT_PROTOCOL_IMAP, "imap.example.org", 993,
                   BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_ADDRESS, "pepe@Example.ORG");
  }
}

static void
test_autoconfig_placeholders (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autofree char *xml = NULL;
  gsize length;

  /* A fixed user name made of the local part; no XML declaration. */
  xml = read_sample ("minimal.txt", &length);
  result = buzon_detect_parse_autoconfig (xml, length, "maria@example.net", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buzon_detect_result_get_servers (result)->len, ==, 1);
  assert_server (nth_server (result, 0), BUZON_DETECT_PROTOCOL_POP3, "mail.example.net", 995,
                 BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_OTHER, "user-maria");
  g_assert_null (buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_SMTP));
}

static void
test_autoconfig_unusable (void)
{
  g_autofree char *xml = NULL;
  gsize length;

  /* Only OAuth2: nothing Buzón can log in to. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BuzonDetectResult) result = NULL;

    xml = read_sample ("oauth-only.txt", &length);
    result = buzon_detect_parse_autoconfig (xml, length, "maria@oauth.example", &error);
    g_assert_null (result);
    g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND);
    g_clear_pointer (&xml, g_free);
  }

  /* Bad host names, ports and socket types are left out; the one good
   * entry stays, its user name unescaped. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(BuzonDetectResult) result = NULL;

    xml = read_sample ("bad-values.txt", &length);
    result = buzon_detect_parse_autoconfig (xml, length, "maria@example.net", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (buzon_detect_result_get_servers (result)->len, ==, 1);
    assert_server (nth_server (result, 0), BUZON_DETECT_PROTOCOL_IMAP, "imap.example.net", 993,
                   BUZON_SECURITY_TLS, BUZON_DETECT_USERNAME_OTHER, "&<odd>");
  }
}

static void
assert_invalid (const char *xml,
                gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;

  result = buzon_detect_parse_autoconfig (xml, length < 0 ? strlen (xml) : (gsize) length,
                                          "maria@example.net", &error);
  g_assert_null (result);
  g_assert_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "example.net"));
}

static void
test_autoconfig_malformed (void)
{
  g_autofree char *xml = NULL;
  g_autoptr(GString) deep = g_string_new ("<clientConfig>");
  gsize length;

  xml = read_sample ("malformed.txt", &length);
  assert_invalid (xml, (gssize) length);
  assert_invalid ("", 0);
  assert_invalid ("   ", -1);
  assert_invalid ("not xml at all", -1);
  assert_invalid ("<html><body>Not found</body></html>", -1);
  assert_invalid ("<clientConfig><emailProvider>\xff\xfe</emailProvider></clientConfig>", -1);
  assert_invalid ("<clientConfig></clientConfig><clientConfig>", -1);

  for (guint i = 0; i < 100; i++)
    g_string_append (deep, "<a>");
  assert_invalid (deep->str, (gssize) deep->len);

  /* A host name longer than any real one. */
  {
    g_autoptr(GString) text = g_string_new ("<clientConfig><emailProvider><incomingServer "
                                            "type=\"imap\"><hostname>");

    for (guint i = 0; i < 2000; i++)
      g_string_append_c (text, 'a');
    g_string_append (text, "</hostname></incomingServer></emailProvider></clientConfig>");
    assert_invalid (text->str, (gssize) text->len);
  }

  /* The length counts, not a terminating nul: a document cut short is
   * malformed. */
  {
    g_autofree char *full = read_sample ("minimal.txt", &length);

    assert_invalid (full, (gssize) (length / 2));
  }
}

static void
test_autoconfig_oversized (void)
{
  g_autofree char *xml = NULL;
  g_autoptr(GString) big = NULL;
  gsize length;

  /* A real document, padded with a comment past the limit. */
  xml = read_sample ("ispdb-full.txt", &length);
  big = g_string_new_len (xml, (gssize) length);
  g_string_append (big, "<!-- ");
  while (big->len <= BUZON_DETECT_MAX_AUTOCONFIG_SIZE)
    g_string_append (big, "padding padding padding ");
  g_string_append (big, "-->");
  assert_invalid (big->str, (gssize) big->len);

  /* Just under it is fine. */
  g_string_truncate (big, length);
  g_string_append (big, "<!-- ");
  while (big->len < BUZON_DETECT_MAX_AUTOCONFIG_SIZE - 64)
    g_string_append_c (big, 'x');
  g_string_append (big, " -->");
  {
    g_autoptr(BuzonDetectResult) result = buzon_detect_parse_autoconfig (big->str, big->len,
                                                                         "maria@example.net",
                                                                         NULL);
    g_assert_nonnull (result);
  }
}

static GList *
srv_list (const char *first_host,
          ...)
{
  GList *list = NULL;
  const char *host = first_host;
  va_list args;

  va_start (args, first_host);
  while (host != NULL)
    {
      guint port = va_arg (args, guint);
      guint priority = va_arg (args, guint);
      guint weight = va_arg (args, guint);

      list = g_list_append (list, g_srv_target_new (host, (guint16) port, (guint16) priority,
                                                    (guint16) weight));
      host = va_arg (args, const char *);
    }
  va_end (args);

  return list;
}

static void
test_srv_order (void)
{
  GList *sorted;

  /* Lowest priority first; highest weight first within one; port 0 out. */
  sorted = buzon_detect_sort_srv_targets (srv_list ("c.example.net", 993u, 20u, 0u,
                                                    "b.example.net", 993u, 10u, 5u,
                                                    "zero.example.net", 0u, 1u, 0u,
                                                    "a.example.net", 993u, 10u, 60u,
                                                    "d.example.net", 1993u, 20u, 0u,
                                                    NULL));
  g_assert_cmpuint (g_list_length (sorted), ==, 4);
  g_assert_cmpstr (g_srv_target_get_hostname (g_list_nth_data (sorted, 0)), ==, "a.example.net");
  g_assert_cmpstr (g_srv_target_get_hostname (g_list_nth_data (sorted, 1)), ==, "b.example.net");
  /* Equal records keep their order. */
  g_assert_cmpstr (g_srv_target_get_hostname (g_list_nth_data (sorted, 2)), ==, "c.example.net");
  g_assert_cmpstr (g_srv_target_get_hostname (g_list_nth_data (sorted, 3)), ==, "d.example.net");
  g_list_free_full (sorted, (GDestroyNotify) g_srv_target_free);

  /* "." : the service is not offered (RFC 6186 §3.4). */
  sorted = buzon_detect_sort_srv_targets (srv_list (".", 0u, 0u, 0u, NULL));
  g_assert_null (sorted);
  sorted = buzon_detect_sort_srv_targets (srv_list ("imap.example.net", 143u, 0u, 0u,
                                                    ".", 0u, 0u, 0u, NULL));
  g_assert_null (sorted);
  g_assert_null (buzon_detect_sort_srv_targets (NULL));
}

static void
test_strings (void)
{
  g_assert_cmpstr (buzon_detect_protocol_to_string (BUZON_DETECT_PROTOCOL_POP3), ==, "pop3");
  g_assert_cmpstr (buzon_detect_source_to_string (BUZON_DETECT_SOURCE_SRV), ==, "srv");
  g_assert_cmpstr (buzon_detect_source_to_string (BUZON_DETECT_SOURCE_AUTOCONFIG), ==,
                   "autoconfig");
  g_assert_cmpstr (buzon_detect_username_to_string (BUZON_DETECT_USERNAME_LOCAL_PART), ==,
                   "local-part");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/detect/address/split", test_split_address);
  g_test_add_func ("/buzon/detect/provider/gmail", test_provider_gmail);
  g_test_add_func ("/buzon/detect/provider/others", test_provider_others);
  g_test_add_func ("/buzon/detect/provider/unknown", test_provider_unknown);
  g_test_add_func ("/buzon/detect/provider/database", test_provider_database);
  g_test_add_func ("/buzon/detect/autoconfig/ispdb", test_autoconfig_ispdb);
  g_test_add_func ("/buzon/detect/autoconfig/placeholders", test_autoconfig_placeholders);
  g_test_add_func ("/buzon/detect/autoconfig/unusable", test_autoconfig_unusable);
  g_test_add_func ("/buzon/detect/autoconfig/malformed", test_autoconfig_malformed);
  g_test_add_func ("/buzon/detect/autoconfig/oversized", test_autoconfig_oversized);
  g_test_add_func ("/buzon/detect/srv/order", test_srv_order);
  g_test_add_func ("/buzon/detect/strings", test_strings);

  return g_test_run ();
}
