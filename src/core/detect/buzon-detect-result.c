/* buzon-detect-result.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The result model of server detection: for one address, the candidate
 * servers every step (provider database, SRV, autoconfig, guessing) turns
 * into the same shape, so the setup wizard offers the user exactly what was
 * found and says where it came from. */

#define G_LOG_DOMAIN "buzon-detect"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib-object.h>

#include "buzon-detect-private.h"

struct _BuzonDetectResult
{
  gatomicrefcount    ref_count;

  char              *address;
  char              *local_part;
  char              *domain;
  BuzonDetectSource  source;
  char              *provider_id;
  char              *provider_name;
  char              *note_id;
  GPtrArray         *servers;
};

G_DEFINE_QUARK (buzon-detect-error-quark, buzon_detect_error)

BUZON_DEFINE_BOXED_TYPE (BuzonDetectServer, buzon_detect_server)

GType
buzon_detect_result_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id,
                       g_boxed_type_register_static (g_intern_static_string ("BuzonDetectResult"),
                                                     (GBoxedCopyFunc) buzon_detect_result_ref,
                                                     (GBoxedFreeFunc) buzon_detect_result_unref));

  return type_id;
}

/**
 * buzon_detect_server_copy:
 *
 * Returns: (transfer full): a copy of @server
 */
BuzonDetectServer *
buzon_detect_server_copy (const BuzonDetectServer *server)
{
  BuzonDetectServer *copy;

  g_return_val_if_fail (server != NULL, NULL);

  copy = g_memdup2 (server, sizeof *server);
  copy->host = g_strdup (server->host);
  copy->username = g_strdup (server->username);

  return copy;
}

/**
 * buzon_detect_server_free:
 *
 * Frees @server and its strings.
 */
void
buzon_detect_server_free (BuzonDetectServer *server)
{
  if (server == NULL)
    return;

  g_free (server->host);
  g_free (server->username);
  g_free (server);
}

/**
 * buzon_detect_split_address:
 * @address: an e-mail address
 * @out_local_part: (out) (optional): the part before the last "@"
 * @out_domain: (out) (optional): the domain, lowercase, in ASCII (an
 *   internationalised domain is converted with IDNA)
 * @error: %BUZON_DETECT_ERROR_INVALID_ADDRESS
 *
 * Returns: %TRUE if @address has a local part and a domain detection can
 *   look up
 */
gboolean
buzon_detect_split_address (const char  *address,
                            char       **out_local_part,
                            char       **out_domain,
                            GError     **error)
{
  g_autofree char *ascii = NULL;
  const char *at;

  g_return_val_if_fail (address != NULL, FALSE);

  at = strrchr (address, '@');
  if (!g_utf8_validate (address, -1, NULL) || at == NULL || at == address || at[1] == '\0'
      || strlen (address) > 320 || strpbrk (address, " \t\r\n<>") != NULL)
    goto invalid;

  ascii = g_hostname_to_ascii (at + 1);
  if (ascii == NULL || ascii[0] == '.' || strstr (ascii, "..") != NULL
      || strchr (ascii, '.') == NULL || g_str_has_suffix (ascii, "."))
    goto invalid;
  for (const char *p = ascii; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      goto invalid;

  if (out_local_part != NULL)
    *out_local_part = g_strndup (address, (gsize) (at - address));
  if (out_domain != NULL)
    *out_domain = g_ascii_strdown (ascii, -1);
  return TRUE;

invalid:
  g_set_error (error, BUZON_DETECT_ERROR, BUZON_DETECT_ERROR_INVALID_ADDRESS,
               _("“%s” is not an e-mail address like name@example.com."), address);
  return FALSE;
}

BuzonDetectResult *
_buzon_detect_result_new (const char         *address,
                          BuzonDetectSource   source,
                          GError            **error)
{
  g_autofree char *local_part = NULL;
  g_autofree char *domain = NULL;
  BuzonDetectResult *self;

  if (!buzon_detect_split_address (address, &local_part, &domain, error))
    return NULL;

  self = g_new0 (BuzonDetectResult, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->address = g_strdup (address);
  self->local_part = g_steal_pointer (&local_part);
  self->domain = g_steal_pointer (&domain);
  self->source = source;
  self->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) buzon_detect_server_free);

  return self;
}

void
_buzon_detect_result_set_provider (BuzonDetectResult *self,
                                   const char        *id,
                                   const char        *name,
                                   const char        *note_id)
{
  g_free (self->provider_id);
  self->provider_id = g_strdup (id);
  g_free (self->provider_name);
  self->provider_name = g_strdup (name);
  g_free (self->note_id);
  self->note_id = g_strdup (note_id);
}

const char *
_buzon_detect_result_get_local_part (BuzonDetectResult *self)
{
  return self->local_part;
}

void
_buzon_detect_result_take_server (BuzonDetectResult *self,
                                  BuzonDetectServer *server)
{
  /* The same server twice (an autoconfig document or SRV records listing
   * it again) is offered once. */
  for (guint i = 0; i < self->servers->len; i++)
    {
      BuzonDetectServer *other = g_ptr_array_index (self->servers, i);

      if (other->protocol == server->protocol && other->port == server->port
          && other->security == server->security
          && g_ascii_strcasecmp (other->host, server->host) == 0)
        {
          buzon_detect_server_free (server);
          return;
        }
    }

  g_ptr_array_add (self->servers, server);
}

/* @username: the name for %BUZON_DETECT_USERNAME_OTHER, else ignored */
void
_buzon_detect_result_add_server (BuzonDetectResult   *self,
                                 BuzonDetectProtocol  protocol,
                                 const char          *host,
                                 guint16              port,
                                 BuzonSecurity        security,
                                 BuzonDetectUsername  username_form,
                                 const char          *username)
{
  BuzonDetectServer *server = g_new0 (BuzonDetectServer, 1);

  server->protocol = protocol;
  server->host = g_ascii_strdown (host, -1);
  server->port = port;
  server->security = security;
  server->username_form = username_form;
  server->source = self->source;
  switch (username_form)
    {
    case BUZON_DETECT_USERNAME_LOCAL_PART:
      server->username = g_strdup (self->local_part);
      break;
    case BUZON_DETECT_USERNAME_OTHER:
      server->username = g_strdup (username);
      break;
    case BUZON_DETECT_USERNAME_ADDRESS:
    default:
      server->username = g_strdup (self->address);
      break;
    }

  _buzon_detect_result_take_server (self, server);
}

/**
 * buzon_detect_result_ref:
 *
 * Returns: (transfer full): @self
 */
BuzonDetectResult *
buzon_detect_result_ref (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * buzon_detect_result_unref:
 *
 * Drops a reference; the last one frees @self.
 */
void
buzon_detect_result_unref (BuzonDetectResult *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->address);
  g_free (self->local_part);
  g_free (self->domain);
  g_free (self->provider_id);
  g_free (self->provider_name);
  g_free (self->note_id);
  g_ptr_array_unref (self->servers);
  g_free (self);
}

/**
 * buzon_detect_result_get_address:
 *
 * Returns: the address detection ran for
 */
const char *
buzon_detect_result_get_address (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->address;
}

/**
 * buzon_detect_result_get_domain:
 *
 * Returns: the address's domain, lowercase ASCII
 */
const char *
buzon_detect_result_get_domain (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->domain;
}

/**
 * buzon_detect_result_get_source:
 *
 * Returns: the step whose answer this is
 */
BuzonDetectSource
buzon_detect_result_get_source (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, BUZON_DETECT_SOURCE_GUESS);

  return self->source;
}

/**
 * buzon_detect_result_get_provider_id:
 *
 * Returns: (nullable): the provider's id in the database ("gmail") or the
 *   autoconfig document's emailProvider id
 */
const char *
buzon_detect_result_get_provider_id (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->provider_id;
}

/**
 * buzon_detect_result_get_provider_name:
 *
 * Returns: (nullable): the provider's name for people ("Gmail")
 */
const char *
buzon_detect_result_get_provider_name (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->provider_name;
}

/**
 * buzon_detect_result_get_note_id:
 *
 * Returns: (nullable): what the provider's note is about, as a stable key:
 *   "app-password", "enable-access", "bridge", "oauth-only"
 */
const char *
buzon_detect_result_get_note_id (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->note_id;
}

/**
 * buzon_detect_result_get_note:
 *
 * Returns: (nullable): what the user must know or do before the account
 *   works, as a translated sentence
 */
const char *
buzon_detect_result_get_note (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->note_id == NULL)
    return NULL;
  if (g_str_equal (self->note_id, "app-password"))
    return _("This provider needs an app password: create one in your account’s security "
             "settings and use it here instead of your usual password.");
  if (g_str_equal (self->note_id, "enable-access"))
    return _("Turn on IMAP and POP3 access in the provider’s web mail settings first; it is "
             "off until you do.");
  if (g_str_equal (self->note_id, "enable-access-app-password"))
    return _("Turn on IMAP access in the provider’s web mail settings first, and use an app "
             "password if your account has two-step verification.");
  if (g_str_equal (self->note_id, "bridge"))
    return _("Proton Mail works only through Proton Mail Bridge, which runs on this computer: "
             "install it, sign in there, and use the password the Bridge shows, not your "
             "Proton password.");
  if (g_str_equal (self->note_id, "oauth-only"))
    return _("Microsoft accepts only its own sign-in (OAuth2) for these accounts, which Buzón "
             "does not support yet: your password will be refused.");

  return NULL;
}

/**
 * buzon_detect_result_get_servers:
 *
 * Returns: (transfer none) (element-type BuzonDetectServer): every server
 *   found, best first within each protocol
 */
GPtrArray *
buzon_detect_result_get_servers (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->servers;
}

/**
 * buzon_detect_result_get_server:
 * @protocol: IMAP, POP3 or SMTP
 *
 * Returns: (transfer none) (nullable): the best server found for @protocol
 */
const BuzonDetectServer *
buzon_detect_result_get_server (BuzonDetectResult   *self,
                                BuzonDetectProtocol  protocol)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->servers->len; i++)
    {
      const BuzonDetectServer *server = g_ptr_array_index (self->servers, i);

      if (server->protocol == protocol)
        return server;
    }

  return NULL;
}

/**
 * buzon_detect_result_has_incoming:
 *
 * Returns: %TRUE if an IMAP or a POP3 server was found: without one, an
 *   answer is no answer
 */
gboolean
buzon_detect_result_has_incoming (BuzonDetectResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return buzon_detect_result_get_server (self, BUZON_DETECT_PROTOCOL_IMAP) != NULL
         || buzon_detect_result_get_server (self, BUZON_DETECT_PROTOCOL_POP3) != NULL;
}

/**
 * buzon_detect_protocol_to_string:
 *
 * Returns: "imap", "pop3" or "smtp"
 */
const char *
buzon_detect_protocol_to_string (BuzonDetectProtocol protocol)
{
  switch (protocol)
    {
    case BUZON_DETECT_PROTOCOL_IMAP:
      return "imap";
    case BUZON_DETECT_PROTOCOL_POP3:
      return "pop3";
    case BUZON_DETECT_PROTOCOL_SMTP:
    default:
      return "smtp";
    }
}

/**
 * buzon_detect_source_to_string:
 *
 * Returns: "provider", "srv", "autoconfig" or "guess"
 */
const char *
buzon_detect_source_to_string (BuzonDetectSource source)
{
  switch (source)
    {
    case BUZON_DETECT_SOURCE_PROVIDER:
      return "provider";
    case BUZON_DETECT_SOURCE_SRV:
      return "srv";
    case BUZON_DETECT_SOURCE_AUTOCONFIG:
      return "autoconfig";
    case BUZON_DETECT_SOURCE_GUESS:
    default:
      return "guess";
    }
}

/**
 * buzon_detect_username_to_string:
 *
 * Returns: "address", "local-part" or "other"
 */
const char *
buzon_detect_username_to_string (BuzonDetectUsername form)
{
  switch (form)
    {
    case BUZON_DETECT_USERNAME_ADDRESS:
      return "address";
    case BUZON_DETECT_USERNAME_LOCAL_PART:
      return "local-part";
    case BUZON_DETECT_USERNAME_OTHER:
    default:
      return "other";
    }
}
