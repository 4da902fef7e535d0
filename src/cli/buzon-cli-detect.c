/* buzon-cli-detect.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `buzon-cli detect ADDRESS [--json] [--offline]`: the servers of an
 * address, as the setup wizard will find them (src/core/detect/), and where
 * they came from. Nothing is logged into.
 *
 * --json prints one object (the shape is an interface: keep it):
 *   {
 *     "address": "ana@example.com",
 *     "domain": "example.com",
 *     "source": "provider" | "srv" | "autoconfig" | "guess",
 *     "provider": { "id": "gmail", "name": "Gmail" } or null,
 *     "note": { "id": "app-password", "text": "…translated sentence…" } or null,
 *     "imap": [ SERVER, … ], "pop3": [ SERVER, … ], "smtp": [ SERVER, … ]
 *   }
 * with each list best first (empty when nothing was found for it) and
 *   SERVER = { "host": "imap.gmail.com", "port": 993,
 *              "security": "tls" | "starttls",
 *              "username": "ana@example.com",
 *              "username_form": "address" | "local-part" | "other",
 *              "source": as above,
 *              "untrusted_certificate": false }
 * Exit status: 0 found, 1 nothing found (a sentence on stderr), 2 usage.
 */

#define G_LOG_DOMAIN "buzon-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <signal.h>

#include "buzon-detect.h"

#include "buzon-cli-private.h"

static void
detect_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

static const char *
describe_source (BuzonDetectSource source)
{
  switch (source)
    {
    case BUZON_DETECT_SOURCE_PROVIDER:
      return _("Buzón’s provider database");
    case BUZON_DETECT_SOURCE_SRV:
      return _("the domain’s DNS SRV records");
    case BUZON_DETECT_SOURCE_AUTOCONFIG:
      return _("the domain’s autoconfig document");
    case BUZON_DETECT_SOURCE_GUESS:
    default:
      return _("guessed server names that answered");
    }
}

static const char *
describe_protocol (BuzonDetectProtocol protocol)
{
  switch (protocol)
    {
    case BUZON_DETECT_PROTOCOL_IMAP:
      return _("Incoming (IMAP)");
    case BUZON_DETECT_PROTOCOL_POP3:
      return _("Incoming (POP3)");
    case BUZON_DETECT_PROTOCOL_SMTP:
    default:
      return _("Outgoing (SMTP)");
    }
}

static void
print_text (BuzonDetectResult *result)
{
  GPtrArray *servers = buzon_detect_result_get_servers (result);
  const char *provider = buzon_detect_result_get_provider_name (result);
  const char *note = buzon_detect_result_get_note (result);

  if (provider != NULL)
    /* TRANSLATORS: "Servers for ana@example.com (Gmail), from Buzón’s provider database:" */
    g_print (_("Servers for %s (%s), from %s:"), buzon_detect_result_get_address (result),
             provider, describe_source (buzon_detect_result_get_source (result)));
  else
    g_print (_("Servers for %s, from %s:"), buzon_detect_result_get_address (result),
             describe_source (buzon_detect_result_get_source (result)));
  g_print ("\n");

  for (BuzonDetectProtocol protocol = BUZON_DETECT_PROTOCOL_IMAP;
       protocol <= BUZON_DETECT_PROTOCOL_SMTP; protocol++)
    for (guint i = 0; i < servers->len; i++)
      {
        const BuzonDetectServer *server = g_ptr_array_index (servers, i);

        if (server->protocol != protocol)
          continue;
        /* TRANSLATORS: "  Incoming (IMAP): imap.gmail.com, port 993, TLS; user name ana@gmail.com" */
        g_print (_("  %s: %s, port %u, %s; user name %s"), describe_protocol (protocol),
                 server->host, (guint) server->port,
                 server->security == BUZON_SECURITY_TLS ? _("TLS") : _("STARTTLS"),
                 server->username);
        if (server->untrusted_certificate)
          g_print (" (%s)", _("its certificate does not verify: you will be asked whether to "
                              "trust it"));
        g_print ("\n");
      }

  if (buzon_detect_result_get_server (result, BUZON_DETECT_PROTOCOL_SMTP) == NULL)
    g_print ("%s\n", _("No outgoing (SMTP) server was found: enter it yourself."));
  if (note != NULL)
    g_print ("%s %s\n", _("Note:"), note);
}

static JsonNode *
server_to_json (const BuzonDetectServer *server)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, server->host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, server->port);
  json_builder_set_member_name (builder, "security");
  json_builder_add_string_value (builder, buzon_security_to_string (server->security));
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, server->username);
  json_builder_set_member_name (builder, "username_form");
  json_builder_add_string_value (builder, buzon_detect_username_to_string (server->username_form));
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, buzon_detect_source_to_string (server->source));
  json_builder_set_member_name (builder, "untrusted_certificate");
  json_builder_add_boolean_value (builder, server->untrusted_certificate);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
print_json (BuzonDetectResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  GPtrArray *servers = buzon_detect_result_get_servers (result);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, buzon_detect_result_get_address (result));
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, buzon_detect_result_get_domain (result));
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder,
                                 buzon_detect_source_to_string (buzon_detect_result_get_source (result)));

  json_builder_set_member_name (builder, "provider");
  if (buzon_detect_result_get_provider_id (result) != NULL
      || buzon_detect_result_get_provider_name (result) != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, buzon_detect_result_get_provider_id (result));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, buzon_detect_result_get_provider_name (result));
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "note");
  if (buzon_detect_result_get_note (result) != NULL)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, buzon_detect_result_get_note_id (result));
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, buzon_detect_result_get_note (result));
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);

  for (BuzonDetectProtocol protocol = BUZON_DETECT_PROTOCOL_IMAP;
       protocol <= BUZON_DETECT_PROTOCOL_SMTP; protocol++)
    {
      json_builder_set_member_name (builder, buzon_detect_protocol_to_string (protocol));
      json_builder_begin_array (builder);
      for (guint i = 0; i < servers->len; i++)
        {
          const BuzonDetectServer *server = g_ptr_array_index (servers, i);

          if (server->protocol == protocol)
            json_builder_add_value (builder, server_to_json (server));
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  _buzon_cli_print_json (root);
}

int
_buzon_cli_detect (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonDetector) detector = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  gboolean json = FALSE;
  gboolean offline = FALSE;
  guint interrupt_id;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the servers as JSON (see below)"), NULL },
    { "offline", 0, 0, G_OPTION_ARG_NONE, &offline,
      N_("Look only in Buzón’s provider database: no network"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("ADDRESS — find the mail servers of an address"));
  g_option_context_set_description (context,
                                    _("Looks for the incoming (IMAP, POP3) and outgoing (SMTP) "
                                      "servers of the address, as the setup wizard does: first "
                                      "in Buzón’s provider database, then in the domain’s DNS "
                                      "SRV records, then in its autoconfig document over HTTPS, "
                                      "and last by trying the usual server names and ports. "
                                      "Nothing is logged into and no password is sent.\n\n"
                                      "With --json it prints one object: address, domain, "
                                      "source (provider, srv, autoconfig or guess), provider "
                                      "(id and name, or null), note (id and text, or null) and "
                                      "the lists imap, pop3 and smtp, best first, of servers "
                                      "with host, port, security (tls or starttls), username, "
                                      "username_form (address, local-part or other), source and "
                                      "untrusted_certificate. It exits with 1 when nothing was "
                                      "found."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* argv[0] is "detect": options start at argv[1]. */
  if (!_buzon_cli_parse (context, argc, argv, 1, &args))
    return BUZON_CLI_EXIT_USAGE;
  if (g_strv_length (args) != 2)
    return _buzon_cli_usage_error ("%s", _("detect takes one e-mail address"));

  detector = buzon_detector_new ();
  if (offline)
    buzon_detector_set_steps (detector, BUZON_DETECT_STEP_PROVIDER);

  cancellable = g_cancellable_new ();
  interrupt_id = g_unix_signal_add (SIGINT, interrupted_cb, cancellable);
  buzon_detector_detect_async (detector, args[1], cancellable, detect_done_cb, &async_result);
  while (async_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (interrupt_id);

  result = buzon_detector_detect_finish (detector, async_result, &error);
  /* What the probes left behind (closing connections) finishes first. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  _buzon_cli_let_pool_threads_exit ();

  if (result == NULL)
    {
      if (g_error_matches (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_ADDRESS))
        return _buzon_cli_usage_error ("%s", error->message);
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (json)
    print_json (result);
  else
    print_text (result);

  return BUZON_CLI_EXIT_OK;
}
