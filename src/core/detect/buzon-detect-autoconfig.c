/* buzon-detect-autoconfig.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The autoconfig document (Thunderbird's config-v1.1.xml, the format of its
 * ISPDB and of https://autoconfig.DOMAIN/mail/config-v1.1.xml), parsed with
 * GMarkup as a pure function over bytes: no network here, so it is
 * unit-tested and fuzzed on its own (tests/fuzz/fuzz-autoconfig-parser.c).
 *
 * What is used: each emailProvider's id and displayName, and its
 * incomingServer (type "imap" or "pop3") and outgoingServer (type "smtp")
 * entries in document order (the document's preference): hostname, port,
 * socketType ("SSL" is implicit TLS, "STARTTLS"; "plain" entries are
 * dropped, as Buzón never proposes an unencrypted connection), username and
 * authentication (entries that allow only methods Buzón does not have, such
 * as OAuth2, are dropped). %EMAILADDRESS%, %EMAILLOCALPART% and
 * %EMAILDOMAIN% are replaced. Everything else is ignored. */

#define G_LOG_DOMAIN "buzon-detect"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "buzon-detect-private.h"

/* Nesting deeper than this is not a real document. */
#define MAX_DEPTH       32
/* Longest text of one element (a host name, a user name). */
#define MAX_TEXT        1024
/* Servers one document may list. */
#define MAX_SERVERS     64

typedef enum
{
  FIELD_NONE,
  FIELD_HOSTNAME,
  FIELD_PORT,
  FIELD_SOCKET_TYPE,
  FIELD_USERNAME,
  FIELD_AUTHENTICATION,
  FIELD_DISPLAY_NAME,
} Field;

typedef struct
{
  BuzonDetectResult *result;
  guint              depth;
  gboolean           seen_root;
  gboolean           in_provider;
  gboolean           in_server;          /* an incomingServer or outgoingServer */
  gboolean           server_usable_type; /* imap, pop3 or smtp */
  BuzonDetectProtocol protocol;
  Field              field;
  GString           *text;
  guint              servers;

  /* The server being read */
  char              *hostname;
  char              *port;
  char              *socket_type;
  char              *username;
  gboolean           auth_given;
  gboolean           auth_usable;

  char              *provider_id;
  char              *display_name;
} Parser;

static void
parser_clear_server (Parser *parser)
{
  g_clear_pointer (&parser->hostname, g_free);
  g_clear_pointer (&parser->port, g_free);
  g_clear_pointer (&parser->socket_type, g_free);
  g_clear_pointer (&parser->username, g_free);
  parser->auth_given = FALSE;
  parser->auth_usable = FALSE;
}

/* Replaces the placeholders of the format in @text. */
static char *
expand (Parser     *parser,
        const char *text)
{
  g_autoptr(GString) out = g_string_new (text);

  g_string_replace (out, "%EMAILADDRESS%", buzon_detect_result_get_address (parser->result), 0);
  g_string_replace (out, "%EMAILLOCALPART%",
                    _buzon_detect_result_get_local_part (parser->result), 0);
  g_string_replace (out, "%EMAILDOMAIN%", buzon_detect_result_get_domain (parser->result), 0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
hostname_is_valid (const char *host)
{
  if (host[0] == '\0' || strlen (host) > 253 || host[0] == '.' || host[0] == '-')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;

  return TRUE;
}

/* A complete server entry: added if Buzón can use it. */
static void
parser_finish_server (Parser *parser)
{
  g_autofree char *host = NULL;
  g_autofree char *username = NULL;
  BuzonDetectUsername form = BUZON_DETECT_USERNAME_ADDRESS;
  BuzonSecurity security;
  guint64 port;
  char *end;

  if (!parser->server_usable_type || parser->hostname == NULL || parser->port == NULL
      || parser->socket_type == NULL || parser->servers >= MAX_SERVERS)
    return;
  if (parser->auth_given && !parser->auth_usable)
    return;

  if (g_ascii_strcasecmp (parser->socket_type, "SSL") == 0
      || g_ascii_strcasecmp (parser->socket_type, "TLS") == 0)
    security = BUZON_SECURITY_TLS;
  else if (g_ascii_strcasecmp (parser->socket_type, "STARTTLS") == 0)
    security = BUZON_SECURITY_STARTTLS;
  else
    return;

  port = g_ascii_strtoull (parser->port, &end, 10);
  if (end == parser->port || *end != '\0' || port == 0 || port > 65535)
    return;

  host = expand (parser, parser->hostname);
  if (!hostname_is_valid (host))
    return;

  if (parser->username != NULL)
    {
      if (g_str_equal (parser->username, "%EMAILADDRESS%"))
        form = BUZON_DETECT_USERNAME_ADDRESS;
      else if (g_str_equal (parser->username, "%EMAILLOCALPART%"))
        form = BUZON_DETECT_USERNAME_LOCAL_PART;
      else
        {
          username = expand (parser, parser->username);
          if (g_str_equal (username, buzon_detect_result_get_address (parser->result)))
            form = BUZON_DETECT_USERNAME_ADDRESS;
          else if (g_str_equal (username, _buzon_detect_result_get_local_part (parser->result)))
            form = BUZON_DETECT_USERNAME_LOCAL_PART;
          else if (username[0] != '\0')
            form = BUZON_DETECT_USERNAME_OTHER;
        }
    }

  parser->servers++;
  _buzon_detect_result_add_server (parser->result, parser->protocol, host, (guint16) port,
                                   security, form, username);
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *element_name,
                  const char          **attribute_names,
                  const char          **attribute_values,
                  gpointer              user_data,
                  GError              **error)
{
  Parser *parser = user_data;
  const char *type = NULL;
  const char *id = NULL;

  if (++parser->depth > MAX_DEPTH)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                           "nested too deeply");
      return;
    }

  if (parser->depth == 1)
    {
      if (!g_str_equal (element_name, "clientConfig"))
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                       "the root element is “%s”, not clientConfig", element_name);
          return;
        }
      parser->seen_root = TRUE;
      return;
    }

  for (guint i = 0; attribute_names[i] != NULL; i++)
    {
      if (g_str_equal (attribute_names[i], "type"))
        type = attribute_values[i];
      else if (g_str_equal (attribute_names[i], "id"))
        id = attribute_values[i];
    }

  if (parser->depth == 2 && g_str_equal (element_name, "emailProvider"))
    {
      parser->in_provider = TRUE;
      if (id != NULL && parser->provider_id == NULL)
        parser->provider_id = g_strndup (id, MAX_TEXT);
      return;
    }

  if (!parser->in_provider)
    return;

  if (parser->depth == 3 && (g_str_equal (element_name, "incomingServer")
                             || g_str_equal (element_name, "outgoingServer")))
    {
      gboolean incoming = element_name[0] == 'i';

      parser->in_server = TRUE;
      parser_clear_server (parser);
      parser->server_usable_type = TRUE;
      if (incoming && g_strcmp0 (type, "imap") == 0)
        parser->protocol = BUZON_DETECT_PROTOCOL_IMAP;
      else if (incoming && g_strcmp0 (type, "pop3") == 0)
        parser->protocol = BUZON_DETECT_PROTOCOL_POP3;
      else if (!incoming && g_strcmp0 (type, "smtp") == 0)
        parser->protocol = BUZON_DETECT_PROTOCOL_SMTP;
      else
        parser->server_usable_type = FALSE;
      return;
    }

  if (parser->depth == 3 && g_str_equal (element_name, "displayName"))
    parser->field = FIELD_DISPLAY_NAME;
  else if (parser->depth == 4 && parser->in_server)
    {
      if (g_str_equal (element_name, "hostname"))
        parser->field = FIELD_HOSTNAME;
      else if (g_str_equal (element_name, "port"))
        parser->field = FIELD_PORT;
      else if (g_str_equal (element_name, "socketType"))
        parser->field = FIELD_SOCKET_TYPE;
      else if (g_str_equal (element_name, "username"))
        parser->field = FIELD_USERNAME;
      else if (g_str_equal (element_name, "authentication"))
        parser->field = FIELD_AUTHENTICATION;
    }

  if (parser->field != FIELD_NONE)
    g_string_truncate (parser->text, 0);
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *element_name,
                gpointer              user_data,
                GError              **error)
{
  Parser *parser = user_data;
  g_autofree char *text = NULL;
  Field field = parser->field;

  parser->field = FIELD_NONE;
  parser->depth--;

  if (field != FIELD_NONE)
    {
      text = g_strstrip (g_strdup (parser->text->str));
      switch (field)
        {
        case FIELD_HOSTNAME:
          g_free (parser->hostname);
          parser->hostname = g_steal_pointer (&text);
          break;
        case FIELD_PORT:
          g_free (parser->port);
          parser->port = g_steal_pointer (&text);
          break;
        case FIELD_SOCKET_TYPE:
          g_free (parser->socket_type);
          parser->socket_type = g_steal_pointer (&text);
          break;
        case FIELD_USERNAME:
          g_free (parser->username);
          parser->username = g_steal_pointer (&text);
          break;
        case FIELD_AUTHENTICATION:
          parser->auth_given = TRUE;
          /* PLAIN and LOGIN over TLS; "plain" is an old spelling. */
          if (g_ascii_strcasecmp (text, "password-cleartext") == 0
              || g_ascii_strcasecmp (text, "plain") == 0)
            parser->auth_usable = TRUE;
          break;
        case FIELD_DISPLAY_NAME:
          if (parser->display_name == NULL)
            parser->display_name = g_steal_pointer (&text);
          break;
        case FIELD_NONE:
        default:
          break;
        }
      return;
    }

  if (parser->depth == 2 && parser->in_server)
    {
      parser_finish_server (parser);
      parser_clear_server (parser);
      parser->in_server = FALSE;
    }
  else if (parser->depth == 1 && parser->in_provider)
    parser->in_provider = FALSE;
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 text_len,
         gpointer              user_data,
         GError              **error)
{
  Parser *parser = user_data;

  if (parser->field == FIELD_NONE)
    return;

  if (parser->text->len + text_len > MAX_TEXT)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                           "an element's text is too long");
      return;
    }
  g_string_append_len (parser->text, text, (gssize) text_len);
}

static const GMarkupParser markup_parser = {
  start_element_cb,
  end_element_cb,
  text_cb,
  NULL,
  NULL,
};

/**
 * buzon_detect_parse_autoconfig:
 * @xml: the document's bytes (need not be nul-terminated)
 * @len: their length
 * @address: the address the document is for (its placeholders are filled
 *   from it)
 * @error: %BUZON_DETECT_ERROR_INVALID_ADDRESS,
 *   %BUZON_DETECT_ERROR_INVALID_DATA (malformed, or longer than
 *   %BUZON_DETECT_MAX_AUTOCONFIG_SIZE) or %BUZON_DETECT_ERROR_NOT_FOUND (no
 *   incoming server Buzón can use)
 *
 * Returns: (transfer full) (nullable): the servers the document lists, with
 *   the source %BUZON_DETECT_SOURCE_AUTOCONFIG
 */
BuzonDetectResult *
buzon_detect_parse_autoconfig (const char  *xml,
                               gsize        len,
                               const char  *address,
                               GError     **error)
{
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(BuzonDetectResult) result = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) local_error = NULL;
  Parser parser = { 0, };

  g_return_val_if_fail (xml != NULL || len == 0, NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  result = _buzon_detect_result_new (address, BUZON_DETECT_SOURCE_AUTOCONFIG, error);
  if (result == NULL)
    return NULL;

  if (len > BUZON_DETECT_MAX_AUTOCONFIG_SIZE)
    {
      g_autofree char *size = g_format_size (len);

      /* TRANSLATORS: the last %s is a size, like "300.0 kB" */
      g_set_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_DATA,
                   _("The configuration document for “%s” is too big to be real (%s)."),
                   buzon_detect_result_get_domain (result), size);
      return NULL;
    }

  text = g_string_new (NULL);
  parser.result = result;
  parser.text = text;
  context = g_markup_parse_context_new (&markup_parser, G_MARKUP_PREFIX_ERROR_POSITION,
                                        &parser, NULL);

  if (len == 0
      || !g_markup_parse_context_parse (context, xml != NULL ? xml : "", (gssize) len,
                                        &local_error)
      || !g_markup_parse_context_end_parse (context, &local_error) || !parser.seen_root)
    {
      /* GMarkup quotes the input in its messages, which need not be UTF-8
       * where the error is that it is not. */
      g_autofree char *reason = local_error != NULL
                                  ? g_utf8_make_valid (local_error->message, -1)
                                  : g_strdup (_("it is empty"));

      parser_clear_server (&parser);
      g_free (parser.provider_id);
      g_free (parser.display_name);
      g_set_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_DATA,
                   _("The configuration document for “%s” is not valid: %s"),
                   buzon_detect_result_get_domain (result), reason);
      return NULL;
    }

  parser_clear_server (&parser);
  _buzon_detect_result_set_provider (result, parser.provider_id, parser.display_name, NULL);
  g_free (parser.provider_id);
  g_free (parser.display_name);

  if (!buzon_detect_result_has_incoming (result))
    {
      g_set_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_NOT_FOUND,
                   _("The configuration document for “%s” lists no incoming server Buzón can "
                     "use."), buzon_detect_result_get_domain (result));
      return NULL;
    }

  return g_steal_pointer (&result);
}
