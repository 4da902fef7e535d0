/* buzon-account.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonAccount is the configuration of one mail account: where its mail is read
 * from (IMAP or POP3), how (TLS, STARTTLS or clear), the POP3 keep/delete mode,
 * the offline sync policy, and where mail is sent (SMTP submission). It holds
 * no password: those live in the keyring or come from a command (buzon-secrets).
 * The store persists accounts; this object is a plain value with properties so
 * the UI can bind to it.
 *
 * The properties hold what was set (0 or NULL for "not set"); the getters apply
 * the defaults: standard ports, the address as user name, the incoming user
 * name for SMTP. Saving reads the properties, so defaults are never frozen in.
 */

#define G_LOG_DOMAIN "buzon-account"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "buzon-account.h"
#include "buzon-account-enums.h"

struct _BuzonAccount
{
  GObject          parent_instance;

  gint64           id;
  char            *name;
  char            *display_name;
  char            *address;
  BuzonProtocol    protocol;
  char            *host;
  guint            port;
  BuzonSecurity    security;
  char            *username;
  char            *password_command;
  BuzonPop3Mode    pop3_mode;
  guint            pop3_keep_days;
  BuzonSyncPolicy  sync_policy;
  guint            sync_days;
  char            *smtp_host;
  guint            smtp_port;
  BuzonSecurity    smtp_security;
  char            *smtp_username;
  gboolean         save_sent;
  char            *signature;
};

G_DEFINE_FINAL_TYPE (BuzonAccount, buzon_account, G_TYPE_OBJECT)

G_DEFINE_QUARK (buzon-account-error-quark, buzon_account_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_ADDRESS,
  PROP_PROTOCOL,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_USERNAME,
  PROP_PASSWORD_COMMAND,
  PROP_POP3_MODE,
  PROP_POP3_KEEP_DAYS,
  PROP_SYNC_POLICY,
  PROP_SYNC_DAYS,
  PROP_SMTP_HOST,
  PROP_SMTP_PORT,
  PROP_SMTP_SECURITY,
  PROP_SMTP_USERNAME,
  PROP_SAVE_SENT,
  PROP_SIGNATURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Sets *field to value, notifying @prop when it changed. Empty strings count as unset. */
static void
set_string (BuzonAccount  *self,
            char         **field,
            const char    *value,
            guint          prop)
{
  if (value != NULL && *value == '\0')
    value = NULL;

  /* g_set_str() is GLib 2.76; we build against 2.74. */
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint (BuzonAccount *self,
          guint        *field,
          guint         value,
          guint         prop)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
buzon_account_finalize (GObject *object)
{
  BuzonAccount *self = (BuzonAccount *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->password_command, g_free);
  g_clear_pointer (&self->smtp_host, g_free);
  g_clear_pointer (&self->smtp_username, g_free);
  g_clear_pointer (&self->signature, g_free);

  G_OBJECT_CLASS (buzon_account_parent_class)->finalize (object);
}

static void
buzon_account_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BuzonAccount *self = BUZON_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_PROTOCOL:
      g_value_set_enum (value, self->protocol);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_PASSWORD_COMMAND:
      g_value_set_string (value, self->password_command);
      break;
    case PROP_POP3_MODE:
      g_value_set_enum (value, self->pop3_mode);
      break;
    case PROP_POP3_KEEP_DAYS:
      g_value_set_uint (value, self->pop3_keep_days);
      break;
    case PROP_SYNC_POLICY:
      g_value_set_enum (value, self->sync_policy);
      break;
    case PROP_SYNC_DAYS:
      g_value_set_uint (value, self->sync_days);
      break;
    case PROP_SMTP_HOST:
      g_value_set_string (value, self->smtp_host);
      break;
    case PROP_SMTP_PORT:
      g_value_set_uint (value, self->smtp_port);
      break;
    case PROP_SMTP_SECURITY:
      g_value_set_enum (value, self->smtp_security);
      break;
    case PROP_SMTP_USERNAME:
      g_value_set_string (value, self->smtp_username);
      break;
    case PROP_SAVE_SENT:
      g_value_set_boolean (value, self->save_sent);
      break;
    case PROP_SIGNATURE:
      g_value_set_string (value, self->signature);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
buzon_account_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BuzonAccount *self = BUZON_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      buzon_account_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_NAME:
      buzon_account_set_name (self, g_value_get_string (value));
      break;
    case PROP_DISPLAY_NAME:
      buzon_account_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_ADDRESS:
      buzon_account_set_address (self, g_value_get_string (value));
      break;
    case PROP_PROTOCOL:
      buzon_account_set_protocol (self, g_value_get_enum (value));
      break;
    case PROP_HOST:
      buzon_account_set_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      buzon_account_set_port (self, g_value_get_uint (value));
      break;
    case PROP_SECURITY:
      buzon_account_set_security (self, g_value_get_enum (value));
      break;
    case PROP_USERNAME:
      buzon_account_set_username (self, g_value_get_string (value));
      break;
    case PROP_PASSWORD_COMMAND:
      buzon_account_set_password_command (self, g_value_get_string (value));
      break;
    case PROP_POP3_MODE:
      buzon_account_set_pop3_mode (self, g_value_get_enum (value));
      break;
    case PROP_POP3_KEEP_DAYS:
      buzon_account_set_pop3_keep_days (self, g_value_get_uint (value));
      break;
    case PROP_SYNC_POLICY:
      buzon_account_set_sync_policy (self, g_value_get_enum (value));
      break;
    case PROP_SYNC_DAYS:
      buzon_account_set_sync_days (self, g_value_get_uint (value));
      break;
    case PROP_SMTP_HOST:
      buzon_account_set_smtp_host (self, g_value_get_string (value));
      break;
    case PROP_SMTP_PORT:
      buzon_account_set_smtp_port (self, g_value_get_uint (value));
      break;
    case PROP_SMTP_SECURITY:
      buzon_account_set_smtp_security (self, g_value_get_enum (value));
      break;
    case PROP_SMTP_USERNAME:
      buzon_account_set_smtp_username (self, g_value_get_string (value));
      break;
    case PROP_SAVE_SENT:
      buzon_account_set_save_sent (self, g_value_get_boolean (value));
      break;
    case PROP_SIGNATURE:
      buzon_account_set_signature (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
uint_pspec (const char *name,
            guint       max)
{
  return g_param_spec_uint (name, NULL, NULL, 0, max, 0,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
enum_pspec (const char *name,
            GType       type,
            int         default_value)
{
  return g_param_spec_enum (name, NULL, NULL, type, default_value,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
buzon_account_class_init (BuzonAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = buzon_account_finalize;
  object_class->get_property = buzon_account_get_property;
  object_class->set_property = buzon_account_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = string_pspec ("name");
  properties[PROP_DISPLAY_NAME] = string_pspec ("display-name");
  properties[PROP_ADDRESS] = string_pspec ("address");
  properties[PROP_PROTOCOL] = enum_pspec ("protocol", BUZON_TYPE_PROTOCOL, BUZON_PROTOCOL_IMAP);
  properties[PROP_HOST] = string_pspec ("host");
  properties[PROP_PORT] = uint_pspec ("port", 65535);
  properties[PROP_SECURITY] = enum_pspec ("security", BUZON_TYPE_SECURITY, BUZON_SECURITY_TLS);
  properties[PROP_USERNAME] = string_pspec ("username");
  properties[PROP_PASSWORD_COMMAND] = string_pspec ("password-command");
  properties[PROP_POP3_MODE] = enum_pspec ("pop3-mode", BUZON_TYPE_POP3_MODE, BUZON_POP3_MODE_KEEP);
  properties[PROP_POP3_KEEP_DAYS] = uint_pspec ("pop3-keep-days", 36500);
  properties[PROP_SYNC_POLICY] =
    enum_pspec ("sync-policy", BUZON_TYPE_SYNC_POLICY, BUZON_SYNC_POLICY_HEADERS);
  properties[PROP_SYNC_DAYS] = uint_pspec ("sync-days", 36500);
  properties[PROP_SMTP_HOST] = string_pspec ("smtp-host");
  properties[PROP_SMTP_PORT] = uint_pspec ("smtp-port", 65535);
  properties[PROP_SMTP_SECURITY] =
    enum_pspec ("smtp-security", BUZON_TYPE_SECURITY, BUZON_SECURITY_STARTTLS);
  properties[PROP_SMTP_USERNAME] = string_pspec ("smtp-username");
  properties[PROP_SAVE_SENT] =
    g_param_spec_boolean ("save-sent", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNATURE] = string_pspec ("signature");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
buzon_account_init (BuzonAccount *self)
{
  self->protocol = BUZON_PROTOCOL_IMAP;
  self->security = BUZON_SECURITY_TLS;
  self->pop3_mode = BUZON_POP3_MODE_KEEP;
  self->sync_policy = BUZON_SYNC_POLICY_HEADERS;
  self->save_sent = TRUE;
  self->smtp_security = BUZON_SECURITY_STARTTLS;
}

/**
 * buzon_account_new:
 * @name: the short name the user gives the account, unique in a profile
 *
 * Returns: (transfer full): a new account with default settings
 */
BuzonAccount *
buzon_account_new (const char *name)
{
  return g_object_new (BUZON_TYPE_ACCOUNT, "name", name, NULL);
}

gint64
buzon_account_get_id (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), 0);
  return self->id;
}

void
buzon_account_set_id (BuzonAccount *self,
                      gint64        id)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));

  if (self->id == id)
    return;

  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

const char *
buzon_account_get_name (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->name;
}

void
buzon_account_set_name (BuzonAccount *self,
                        const char   *name)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->name, name, PROP_NAME);
}

const char *
buzon_account_get_display_name (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

void
buzon_account_set_display_name (BuzonAccount *self,
                                const char   *display_name)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->display_name, display_name, PROP_DISPLAY_NAME);
}

const char *
buzon_account_get_address (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->address;
}

void
buzon_account_set_address (BuzonAccount *self,
                           const char   *address)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));

  set_string (self, &self->address, address, PROP_ADDRESS);
}

BuzonProtocol
buzon_account_get_protocol (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), BUZON_PROTOCOL_IMAP);
  return self->protocol;
}

void
buzon_account_set_protocol (BuzonAccount  *self,
                            BuzonProtocol  protocol)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_uint (self, &self->protocol, protocol, PROP_PROTOCOL);
}

const char *
buzon_account_get_host (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->host;
}

void
buzon_account_set_host (BuzonAccount *self,
                        const char   *host)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->host, host, PROP_HOST);
}

/**
 * buzon_account_get_port:
 *
 * Returns: the incoming server's port; when none was set, the standard port
 *   for the protocol and security (993, 143, 995 or 110)
 */
guint
buzon_account_get_port (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), 0);

  if (self->port == 0)
    return buzon_protocol_default_port (self->protocol, self->security);

  return self->port;
}

void
buzon_account_set_port (BuzonAccount *self,
                        guint         port)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  g_return_if_fail (port <= 65535);
  set_uint (self, &self->port, port, PROP_PORT);
}

BuzonSecurity
buzon_account_get_security (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), BUZON_SECURITY_TLS);
  return self->security;
}

void
buzon_account_set_security (BuzonAccount  *self,
                            BuzonSecurity  security)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_uint (self, &self->security, security, PROP_SECURITY);
}

/**
 * buzon_account_get_username:
 *
 * Returns: (nullable): the incoming server's user name, the address when none was set
 */
const char *
buzon_account_get_username (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->username != NULL ? self->username : self->address;
}

void
buzon_account_set_username (BuzonAccount *self,
                            const char   *username)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->username, username, PROP_USERNAME);
}

const char *
buzon_account_get_password_command (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->password_command;
}

void
buzon_account_set_password_command (BuzonAccount *self,
                                    const char   *command)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->password_command, command, PROP_PASSWORD_COMMAND);
}

BuzonPop3Mode
buzon_account_get_pop3_mode (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), BUZON_POP3_MODE_KEEP);
  return self->pop3_mode;
}

void
buzon_account_set_pop3_mode (BuzonAccount  *self,
                             BuzonPop3Mode  mode)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_uint (self, &self->pop3_mode, mode, PROP_POP3_MODE);
}

guint
buzon_account_get_pop3_keep_days (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), 0);
  return self->pop3_keep_days;
}

void
buzon_account_set_pop3_keep_days (BuzonAccount *self,
                                  guint         days)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_uint (self, &self->pop3_keep_days, days, PROP_POP3_KEEP_DAYS);
}

BuzonSyncPolicy
buzon_account_get_sync_policy (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), BUZON_SYNC_POLICY_HEADERS);
  return self->sync_policy;
}

void
buzon_account_set_sync_policy (BuzonAccount    *self,
                               BuzonSyncPolicy  policy)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_uint (self, &self->sync_policy, policy, PROP_SYNC_POLICY);
}

guint
buzon_account_get_sync_days (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), 0);
  return self->sync_days;
}

void
buzon_account_set_sync_days (BuzonAccount *self,
                             guint         days)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_uint (self, &self->sync_days, days, PROP_SYNC_DAYS);
}

const char *
buzon_account_get_smtp_host (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->smtp_host;
}

void
buzon_account_set_smtp_host (BuzonAccount *self,
                             const char   *host)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->smtp_host, host, PROP_SMTP_HOST);
}

/**
 * buzon_account_get_smtp_port:
 *
 * Returns: the submission port; when none was set, 465 for TLS and 587 otherwise
 */
guint
buzon_account_get_smtp_port (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), 0);

  if (self->smtp_port == 0)
    return buzon_smtp_default_port (self->smtp_security);

  return self->smtp_port;
}

void
buzon_account_set_smtp_port (BuzonAccount *self,
                             guint         port)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  g_return_if_fail (port <= 65535);
  set_uint (self, &self->smtp_port, port, PROP_SMTP_PORT);
}

BuzonSecurity
buzon_account_get_smtp_security (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), BUZON_SECURITY_STARTTLS);
  return self->smtp_security;
}

void
buzon_account_set_smtp_security (BuzonAccount  *self,
                                 BuzonSecurity  security)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_uint (self, &self->smtp_security, security, PROP_SMTP_SECURITY);
}

/**
 * buzon_account_get_smtp_username:
 *
 * Returns: (nullable): the SMTP user name; the incoming user name when none was set
 */
const char *
buzon_account_get_smtp_username (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->smtp_username != NULL ? self->smtp_username : buzon_account_get_username (self);
}

void
buzon_account_set_smtp_username (BuzonAccount *self,
                                 const char   *username)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->smtp_username, username, PROP_SMTP_USERNAME);
}

/**
 * buzon_account_get_save_sent:
 *
 * Returns: whether a copy of each sent message is kept in the Sent folder
 *   (%TRUE, the default); %FALSE for IMAP servers that file sent mail
 *   themselves (Gmail, Outlook.com), which would otherwise get two copies.
 *   POP3 accounts always keep their copy here.
 */
gboolean
buzon_account_get_save_sent (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), TRUE);
  return self->save_sent;
}

void
buzon_account_set_save_sent (BuzonAccount *self,
                             gboolean      save_sent)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));

  save_sent = !!save_sent;
  if (self->save_sent == save_sent)
    return;

  self->save_sent = save_sent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVE_SENT]);
}

/**
 * buzon_account_get_signature:
 *
 * Returns: (nullable): the text put under new messages (after "-- "), or
 *   %NULL for none
 */
const char *
buzon_account_get_signature (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);
  return self->signature;
}

void
buzon_account_set_signature (BuzonAccount *self,
                             const char   *signature)
{
  g_return_if_fail (BUZON_IS_ACCOUNT (self));
  set_string (self, &self->signature, signature != NULL && *signature != '\0' ? signature : NULL,
              PROP_SIGNATURE);
}

static gboolean
host_is_valid (const char *host)
{
  if (host == NULL || *host == '\0' || strlen (host) > 253)
    return FALSE;

  for (const char *p = host; *p; p++)
    {
      if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p) || *p == '/' || *p == '@')
        return FALSE;
    }

  return TRUE;
}

/**
 * buzon_account_validate:
 *
 * Checks that the account can be saved: it has a name, an address that looks
 * like one, an incoming server, and an SMTP server that is either fully set
 * or not set at all.
 *
 * Returns: %TRUE if valid; otherwise %FALSE with a sentence for the user in @error
 */
gboolean
buzon_account_validate (BuzonAccount  *self,
                        GError       **error)
{
  const char *at;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), FALSE);

  if (self->name == NULL || !g_utf8_validate (self->name, -1, NULL))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("The account needs a name."));
      return FALSE;
    }

  for (const char *p = self->name; *p; p++)
    {
      if (g_ascii_iscntrl (*p))
        {
          g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                       _("The account name cannot contain control characters."));
          return FALSE;
        }
    }

  at = self->address != NULL ? strrchr (self->address, '@') : NULL;
  if (at == NULL || at == self->address || at[1] == '\0' || strchr (self->address, ' ') != NULL)
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not an e-mail address. Write it as name@example.com."),
                   self->address != NULL ? self->address : "");
      return FALSE;
    }

  if (!host_is_valid (self->host))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("The incoming mail server is missing or not a valid host name."));
      return FALSE;
    }

  if (self->smtp_host != NULL && !host_is_valid (self->smtp_host))
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("The outgoing (SMTP) server is not a valid host name."));
      return FALSE;
    }

  if (self->pop3_mode == BUZON_POP3_MODE_KEEP_DAYS && self->pop3_keep_days == 0)
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("Say for how many days mail stays on the server (1 or more)."));
      return FALSE;
    }

  if (self->sync_policy == BUZON_SYNC_POLICY_FULL_DAYS && self->sync_days == 0)
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("Say how many days of mail to keep offline (1 or more)."));
      return FALSE;
    }

  return TRUE;
}

/**
 * buzon_account_dup_pop3_mode_string:
 *
 * Returns: (transfer full): the POP3 mode as buzon-cli writes it:
 *   `delete`, `keep`, `keep-days:N`, `keep-until-deleted` or
 *   `keep-until-deleted:N` (until deleted here, at most N days)
 */
char *
buzon_account_dup_pop3_mode_string (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);

  switch (self->pop3_mode)
    {
    case BUZON_POP3_MODE_DELETE:
      return g_strdup ("delete");
    case BUZON_POP3_MODE_KEEP:
      return g_strdup ("keep");
    case BUZON_POP3_MODE_KEEP_DAYS:
      return g_strdup_printf ("keep-days:%u", self->pop3_keep_days);
    case BUZON_POP3_MODE_KEEP_UNTIL_DELETED:
      if (self->pop3_keep_days > 0)
        return g_strdup_printf ("keep-until-deleted:%u", self->pop3_keep_days);
      return g_strdup ("keep-until-deleted");
    default:
      g_assert_not_reached ();
    }
}

/**
 * buzon_account_dup_sync_string:
 *
 * Returns: (transfer full): the sync policy as buzon-cli writes it:
 *   `headers`, `full` or `full-days:N`
 */
char *
buzon_account_dup_sync_string (BuzonAccount *self)
{
  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), NULL);

  switch (self->sync_policy)
    {
    case BUZON_SYNC_POLICY_HEADERS:
      return g_strdup ("headers");
    case BUZON_SYNC_POLICY_FULL:
      return g_strdup ("full");
    case BUZON_SYNC_POLICY_FULL_DAYS:
      return g_strdup_printf ("full-days:%u", self->sync_days);
    default:
      g_assert_not_reached ();
    }
}

/* Parses "PREFIX:N" with N in 1..36500 (a hundred years). */
static gboolean
parse_days (const char *text,
            const char *prefix,
            guint      *out_days)
{
  guint64 days;
  gsize len = strlen (prefix);

  if (strncmp (text, prefix, len) != 0 || text[len] != ':')
    return FALSE;

  if (!g_ascii_string_to_unsigned (text + len + 1, 10, 1, 36500, &days, NULL))
    return FALSE;

  *out_days = (guint)days;
  return TRUE;
}

gboolean
buzon_account_set_pop3_mode_string (BuzonAccount  *self,
                                    const char    *text,
                                    GError       **error)
{
  guint days = 0;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (g_str_equal (text, "delete"))
    buzon_account_set_pop3_mode (self, BUZON_POP3_MODE_DELETE);
  else if (g_str_equal (text, "keep"))
    buzon_account_set_pop3_mode (self, BUZON_POP3_MODE_KEEP);
  else if (g_str_equal (text, "keep-until-deleted") ||
           parse_days (text, "keep-until-deleted", &days))
    buzon_account_set_pop3_mode (self, BUZON_POP3_MODE_KEEP_UNTIL_DELETED);
  else if (parse_days (text, "keep-days", &days))
    buzon_account_set_pop3_mode (self, BUZON_POP3_MODE_KEEP_DAYS);
  else
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("Unknown POP3 mode “%s”: use delete, keep, keep-days:N, keep-until-deleted "
                     "or keep-until-deleted:N."),
                   text);
      return FALSE;
    }
  /* Only the modes with days keep a number of days. */
  buzon_account_set_pop3_keep_days (self, days);

  return TRUE;
}

gboolean
buzon_account_set_sync_string (BuzonAccount  *self,
                               const char    *text,
                               GError       **error)
{
  guint days = 0;

  g_return_val_if_fail (BUZON_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (g_str_equal (text, "headers"))
    buzon_account_set_sync_policy (self, BUZON_SYNC_POLICY_HEADERS);
  else if (g_str_equal (text, "full"))
    buzon_account_set_sync_policy (self, BUZON_SYNC_POLICY_FULL);
  else if (parse_days (text, "full-days", &days))
    {
      buzon_account_set_sync_policy (self, BUZON_SYNC_POLICY_FULL_DAYS);
      buzon_account_set_sync_days (self, days);
    }
  else
    {
      g_set_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_INVALID,
                   _("Unknown sync policy “%s”: use headers, full or full-days:N."),
                   text);
      return FALSE;
    }

  return TRUE;
}

const char *
buzon_protocol_to_string (BuzonProtocol protocol)
{
  return protocol == BUZON_PROTOCOL_POP3 ? "pop3" : "imap";
}

gboolean
buzon_protocol_from_string (const char    *text,
                            BuzonProtocol *out_protocol)
{
  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "imap") == 0)
    *out_protocol = BUZON_PROTOCOL_IMAP;
  else if (g_ascii_strcasecmp (text, "pop3") == 0)
    *out_protocol = BUZON_PROTOCOL_POP3;
  else
    return FALSE;
  return TRUE;
}

const char *
buzon_security_to_string (BuzonSecurity security)
{
  switch (security)
    {
    case BUZON_SECURITY_TLS:
      return "tls";
    case BUZON_SECURITY_STARTTLS:
      return "starttls";
    case BUZON_SECURITY_NONE:
      return "none";
    default:
      g_assert_not_reached ();
    }
}

gboolean
buzon_security_from_string (const char    *text,
                            BuzonSecurity *out_security)
{
  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "tls") == 0)
    *out_security = BUZON_SECURITY_TLS;
  else if (g_ascii_strcasecmp (text, "starttls") == 0)
    *out_security = BUZON_SECURITY_STARTTLS;
  else if (g_ascii_strcasecmp (text, "none") == 0)
    *out_security = BUZON_SECURITY_NONE;
  else
    return FALSE;
  return TRUE;
}

/**
 * buzon_protocol_default_port:
 *
 * Returns: the IANA port: 993 (IMAP over TLS), 143 (IMAP), 995 (POP3 over TLS), 110 (POP3)
 */
guint
buzon_protocol_default_port (BuzonProtocol protocol,
                             BuzonSecurity security)
{
  if (protocol == BUZON_PROTOCOL_POP3)
    return security == BUZON_SECURITY_TLS ? 995 : 110;

  return security == BUZON_SECURITY_TLS ? 993 : 143;
}

/**
 * buzon_smtp_default_port:
 *
 * Returns: 465 for implicit TLS (RFC 8314), 587 for submission otherwise (RFC 6409)
 */
guint
buzon_smtp_default_port (BuzonSecurity security)
{
  return security == BUZON_SECURITY_TLS ? 465 : 587;
}
