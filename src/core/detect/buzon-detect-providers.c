/* buzon-detect-providers.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The first detection step: the provider database, data/detect/providers.json,
 * compiled in as a GResource and read once with json-glib. An address of a
 * provider it knows resolves without any network access. Also here: the
 * ordering of SRV records (RFC 2782), a pure function. */

#define G_LOG_DOMAIN "buzon-detect"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "buzon-detect-private.h"
#include "buzon-detect-resources.h"

#define PROVIDERS_PATH "/io/github/buzonmail/Buzon/detect/providers.json"

/* domain → the provider's JsonObject; both owned by the parsed document
 * (document), which lives as long as the process. */
static GHashTable *
get_domains (void)
{
  static gsize once = 0;
  static GHashTable *domains = NULL;
  static JsonNode *document = NULL;

  if (g_once_init_enter (&once))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      GHashTable *table = g_hash_table_new (g_str_hash, g_str_equal);
      JsonArray *providers;

      bytes = g_resource_lookup_data (_buzon_detect_get_resource (), PROVIDERS_PATH,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      /* The database is built in: a broken one is a bug, caught by the tests. */
      g_assert_no_error (error);
      if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                       (gssize) g_bytes_get_size (bytes), &error))
        g_error ("The provider database is not valid JSON: %s", error->message);

      document = json_parser_steal_root (parser);
      providers = json_object_get_array_member (json_node_get_object (document), "providers");
      for (guint i = 0; i < json_array_get_length (providers); i++)
        {
          JsonObject *provider = json_array_get_object_element (providers, i);
          JsonArray *names = json_object_get_array_member (provider, "domains");

          for (guint j = 0; j < json_array_get_length (names); j++)
            g_hash_table_insert (table, (gpointer) json_array_get_string_element (names, j),
                                 provider);
        }

      /* Kept for the process's lifetime, like any built-in table. */
      domains = table;
      g_once_init_leave (&once, 1);
    }

  return domains;
}

static gboolean
parse_security (const char    *text,
                BuzonSecurity *security)
{
  if (g_strcmp0 (text, "tls") == 0)
    *security = BUZON_SECURITY_TLS;
  else if (g_strcmp0 (text, "starttls") == 0)
    *security = BUZON_SECURITY_STARTTLS;
  else
    return FALSE;

  return TRUE;
}

static gboolean
parse_protocol (const char          *text,
                BuzonDetectProtocol *protocol)
{
  if (g_strcmp0 (text, "imap") == 0)
    *protocol = BUZON_DETECT_PROTOCOL_IMAP;
  else if (g_strcmp0 (text, "pop3") == 0)
    *protocol = BUZON_DETECT_PROTOCOL_POP3;
  else if (g_strcmp0 (text, "smtp") == 0)
    *protocol = BUZON_DETECT_PROTOCOL_SMTP;
  else
    return FALSE;

  return TRUE;
}

/**
 * buzon_detect_lookup_provider:
 * @address: an e-mail address (the domain in any case)
 * @error: %BUZON_DETECT_ERROR_INVALID_ADDRESS, or
 *   %BUZON_DETECT_ERROR_NOT_FOUND when the database does not know the domain
 *
 * Looks the address's domain up in the provider database shipped with
 * Buzón. No network.
 *
 * Returns: (transfer full) (nullable): the provider's servers, with the
 *   source %BUZON_DETECT_SOURCE_PROVIDER, its id, name and note
 */
BuzonDetectResult *
buzon_detect_lookup_provider (const char  *address,
                              GError     **error)
{
  g_autoptr(BuzonDetectResult) result = NULL;
  JsonObject *provider;
  JsonArray *servers;

  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = _buzon_detect_result_new (address, BUZON_DETECT_SOURCE_PROVIDER, error);
  if (result == NULL)
    return NULL;

  provider = g_hash_table_lookup (get_domains (), buzon_detect_result_get_domain (result));
  if (provider == NULL)
    {
      g_set_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND,
                   _("Buzón does not know the provider of “%s”."),
                   buzon_detect_result_get_domain (result));
      return NULL;
    }

  _buzon_detect_result_set_provider (result,
                                     json_object_get_string_member (provider, "id"),
                                     json_object_get_string_member (provider, "name"),
                                     json_object_get_string_member_with_default (provider, "note",
                                                                                 NULL));

  servers = json_object_get_array_member (provider, "servers");
  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonObject *server = json_array_get_object_element (servers, i);
      const char *username = json_object_get_string_member_with_default (server, "username",
                                                                         "address");
      BuzonDetectProtocol protocol;
      BuzonSecurity security;
      gint64 port = json_object_get_int_member (server, "port");

      if (!parse_protocol (json_object_get_string_member (server, "protocol"), &protocol)
          || !parse_security (json_object_get_string_member (server, "security"), &security)
          || port <= 0 || port > 65535)
        {
          g_warning ("The provider database has a bad server for %s",
                     json_object_get_string_member (provider, "id"));
          continue;
        }

      _buzon_detect_result_add_server (result, protocol,
                                       json_object_get_string_member (server, "host"),
                                       (guint16) port, security,
                                       g_str_equal (username, "local-part")
                                         ? BUZON_DETECT_USERNAME_LOCAL_PART
                                         : BUZON_DETECT_USERNAME_ADDRESS,
                                       NULL);
    }

  return g_steal_pointer (&result);
}

static gint
compare_srv (gconstpointer a,
             gconstpointer b)
{
  GSrvTarget *x = (GSrvTarget *) a;
  GSrvTarget *y = (GSrvTarget *) b;

  if (g_srv_target_get_priority (x) != g_srv_target_get_priority (y))
    return g_srv_target_get_priority (x) < g_srv_target_get_priority (y) ? -1 : 1;
  if (g_srv_target_get_weight (x) != g_srv_target_get_weight (y))
    return g_srv_target_get_weight (x) > g_srv_target_get_weight (y) ? -1 : 1;

  return 0;
}

/**
 * buzon_detect_sort_srv_targets:
 * @targets: (transfer full) (element-type GSrvTarget): SRV records of one
 *   service, in any order
 *
 * Puts SRV records in the order a client should try them (RFC 2782):
 * lowest priority first and, within a priority, highest weight first (the
 * weights' random choice made deterministic: detection proposes one server,
 * and the same one each time). A record whose target is "." says the
 * service is not offered at all (RFC 2782, RFC 6186 §3.4): the result is
 * then empty. Records with port 0 are dropped.
 *
 * Returns: (transfer full) (element-type GSrvTarget): the sorted list
 */
GList *
buzon_detect_sort_srv_targets (GList *targets)
{
  GList *l = targets;

  while (l != NULL)
    {
      GList *next = l->next;
      const char *host = g_srv_target_get_hostname (l->data);

      if (g_strcmp0 (host, ".") == 0 || host == NULL || host[0] == '\0')
        {
          g_list_free_full (targets, (GDestroyNotify) g_srv_target_free);
          return NULL;
        }
      if (g_srv_target_get_port (l->data) == 0)
        {
          g_srv_target_free (l->data);
          targets = g_list_delete_link (targets, l);
        }
      l = next;
    }

  /* g_list_sort() is a stable merge sort. */
  return g_list_sort (targets, compare_srv);
}
