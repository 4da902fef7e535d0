/* buzon-cli-account.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* `buzon-cli account add|list|show|remove|set-password|trust`. The option
 * names are an interface that tests and users' scripts rely on: keep them
 * exactly.
 */

#define G_LOG_DOMAIN "buzon-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "buzon-account.h"
#include "buzon-certificate.h"
#include "buzon-mail-ops.h"
#include "buzon-net.h"
#include "buzon-pop3-switch.h"
#include "buzon-pop3-sync.h"
#include "buzon-secrets.h"
#include "buzon-store.h"
#include "buzon-tls-probe.h"

#include "buzon-cli-private.h"

/* A password longer than this is not a password someone typed or a keyring holds. */
#define MAX_PASSWORD_LENGTH 4096

typedef struct
{
  char     *display_name;
  char     *address;
  char     *protocol;
  char     *host;
  int       port;
  char     *security;
  char     *user;
  char     *password_command;
  gboolean  password_stdin;
  char     *pop3_mode;
  char     *sync;
  char     *smtp_host;
  int       smtp_port;
  char     *smtp_security;
  char     *smtp_user;
  gboolean  no_sent_copy;
  char     *signature;
} AddOptions;

static void
add_options_clear (AddOptions *options)
{
  g_free (options->display_name);
  g_free (options->address);
  g_free (options->protocol);
  g_free (options->host);
  g_free (options->security);
  g_free (options->user);
  g_free (options->password_command);
  g_free (options->pop3_mode);
  g_free (options->sync);
  g_free (options->smtp_host);
  g_free (options->smtp_security);
  g_free (options->smtp_user);
  g_free (options->signature);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AddOptions, add_options_clear)

/* Reads one line from stdin: the password, without its line ending. When
 * stdin is a terminal the typing is not echoed. */
static char *
read_password (gboolean   prompt,
               GError   **error)
{
  g_autofree char *buffer = g_malloc0 (MAX_PASSWORD_LENGTH + 2);
  struct termios saved;
  gboolean restore = FALSE;
  gsize len;

  if (isatty (STDIN_FILENO))
    {
      struct termios quiet;

      if (prompt)
        {
          g_printerr ("%s", _("Password: "));
          fflush (stderr);
        }

      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t)ECHO;
          restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  if (fgets (buffer, MAX_PASSWORD_LENGTH + 2, stdin) == NULL)
    buffer[0] = '\0';

  if (restore)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  len = strlen (buffer);
  if (len > MAX_PASSWORD_LENGTH)
    {
      explicit_bzero (buffer, MAX_PASSWORD_LENGTH + 2);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The password is longer than %d characters."), MAX_PASSWORD_LENGTH);
      return NULL;
    }

  while (len > 0 && (buffer[len - 1] == '\n' || buffer[len - 1] == '\r'))
    buffer[--len] = '\0';

  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("No password was given on standard input."));
      return NULL;
    }

  if (!g_utf8_validate (buffer, (gssize)len, NULL))
    {
      explicit_bzero (buffer, len);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The password is not valid UTF-8 text."));
      return NULL;
    }

  return g_steal_pointer (&buffer);
}

static void
free_password (char *password)
{
  if (password != NULL)
    {
      explicit_bzero (password, strlen (password));
      g_free (password);
    }
}

typedef char BuzonPassword;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BuzonPassword, free_password)

/* Builds the account from the options; prints the error and returns NULL on bad input. */
static BuzonAccount *
account_from_options (const char *name,
                      AddOptions *options)
{
  g_autoptr(BuzonAccount) account = buzon_account_new (name);
  g_autoptr(GError) error = NULL;
  BuzonProtocol protocol;
  BuzonSecurity security;

  if (options->address == NULL)
    return (_buzon_cli_usage_error (_("--address is required")), NULL);
  if (options->protocol == NULL)
    return (_buzon_cli_usage_error (_("--protocol is required (imap or pop3)")), NULL);
  if (options->host == NULL)
    return (_buzon_cli_usage_error (_("--host is required")), NULL);
  if (options->security == NULL)
    return (_buzon_cli_usage_error (_("--security is required (tls, starttls or none)")), NULL);

  if (!buzon_protocol_from_string (options->protocol, &protocol))
    return (_buzon_cli_usage_error (_("unknown protocol “%s”: use imap or pop3"),
                                    options->protocol), NULL);
  if (!buzon_security_from_string (options->security, &security))
    return (_buzon_cli_usage_error (_("unknown security “%s”: use tls, starttls or none"),
                                    options->security), NULL);
  if (options->port < 0 || options->port > 65535 || options->smtp_port < 0 ||
      options->smtp_port > 65535)
    return (_buzon_cli_usage_error (_("a port is a number from 1 to 65535")), NULL);
  if (options->password_command != NULL && options->password_stdin)
    return (_buzon_cli_usage_error (_("give either --password-command or --password-stdin, "
                                      "not both")), NULL);
  if (options->pop3_mode != NULL && protocol != BUZON_PROTOCOL_POP3)
    return (_buzon_cli_usage_error (_("--pop3-mode only applies to POP3 accounts")), NULL);

  buzon_account_set_display_name (account, options->display_name);
  buzon_account_set_address (account, options->address);
  buzon_account_set_protocol (account, protocol);
  buzon_account_set_host (account, options->host);
  buzon_account_set_port (account, (guint)options->port);
  buzon_account_set_security (account, security);
  buzon_account_set_username (account, options->user);
  buzon_account_set_password_command (account, options->password_command);

  if (options->pop3_mode != NULL &&
      !buzon_account_set_pop3_mode_string (account, options->pop3_mode, &error))
    return (_buzon_cli_usage_error ("%s", error->message), NULL);

  if (options->sync != NULL && !buzon_account_set_sync_string (account, options->sync, &error))
    return (_buzon_cli_usage_error ("%s", error->message), NULL);

  if (options->smtp_host != NULL)
    {
      BuzonSecurity smtp_security = BUZON_SECURITY_STARTTLS;

      if (options->smtp_security != NULL &&
          !buzon_security_from_string (options->smtp_security, &smtp_security))
        return (_buzon_cli_usage_error (_("unknown security “%s”: use tls, starttls or none"),
                                        options->smtp_security), NULL);

      buzon_account_set_smtp_host (account, options->smtp_host);
      buzon_account_set_smtp_security (account, smtp_security);
      buzon_account_set_smtp_port (account, (guint)options->smtp_port);
      buzon_account_set_smtp_username (account, options->smtp_user);
    }
  else if (options->smtp_port != 0 || options->smtp_security != NULL || options->smtp_user != NULL)
    {
      return (_buzon_cli_usage_error (_("the SMTP options need --smtp-host")), NULL);
    }

  buzon_account_set_save_sent (account, !options->no_sent_copy);
  buzon_account_set_signature (account, options->signature);

  if (!buzon_account_validate (account, &error))
    {
      _buzon_cli_error ("%s", error->message);
      return NULL;
    }

  return g_steal_pointer (&account);
}

static int
account_add (int    argc,
             char **argv)
{
  g_auto(AddOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonAccount) existing = NULL;
  g_autoptr(BuzonPassword) password = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &options.display_name,
      N_("Your name, as others see it"), N_("NAME") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &options.address,
      N_("The e-mail address"), N_("ADDR") },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &options.protocol,
      N_("How mail is read: imap (kept on the server) or pop3 (downloaded here)"), "imap|pop3" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options.host,
      N_("Incoming mail server"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &options.port,
      N_("Incoming port (default: 993/143 for IMAP, 995/110 for POP3)"), N_("PORT") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &options.security,
      N_("Connection security"), "tls|starttls|none" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options.user,
      N_("User name (default: the address)"), N_("USER") },
    { "password-command", 0, 0, G_OPTION_ARG_STRING, &options.password_command,
      N_("Run this command to get the password, each time it is needed"), N_("CMD") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &options.password_stdin,
      N_("Read the password from standard input and keep it in the keyring"), NULL },
    { "pop3-mode", 0, 0, G_OPTION_ARG_STRING, &options.pop3_mode,
      N_("POP3: delete from the server after download, or keep it there (forever, N days, "
         "until deleted here, or until deleted here but at most N days)"),
      "delete|keep|keep-days:N|keep-until-deleted[:N]" },
    { "sync", 0, 0, G_OPTION_ARG_STRING, &options.sync,
      N_("IMAP: what to keep offline"), "headers|full|full-days:N" },
    { "smtp-host", 0, 0, G_OPTION_ARG_STRING, &options.smtp_host,
      N_("Outgoing (SMTP submission) server"), N_("HOST") },
    { "smtp-port", 0, 0, G_OPTION_ARG_INT, &options.smtp_port,
      N_("Outgoing port (default: 465 for tls, 587 otherwise)"), N_("PORT") },
    { "smtp-security", 0, 0, G_OPTION_ARG_STRING, &options.smtp_security,
      N_("Outgoing connection security (default: starttls)"), "tls|starttls|none" },
    { "smtp-user", 0, 0, G_OPTION_ARG_STRING, &options.smtp_user,
      N_("Outgoing user name (default: the incoming one)"), N_("USER") },
    { "signature", 0, 0, G_OPTION_ARG_STRING, &options.signature,
      N_("Text put under each new message (after a “-- ” line)"), N_("TEXT") },
    { "no-sent-copy", 0, 0, G_OPTION_ARG_NONE, &options.no_sent_copy,
      N_("IMAP: do not keep a copy of sent mail in Sent, because the server files it there "
         "itself (Gmail, Outlook.com)"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("NAME — add a mail account"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = _buzon_cli_prepare (context, argc, argv, 1, _("account add takes one account name"),
                               &args, NULL);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  account = account_from_options (args[1], &options);
  if (account == NULL)
    return BUZON_CLI_EXIT_USAGE;

  if (buzon_account_get_security (account) == BUZON_SECURITY_NONE ||
      (buzon_account_get_smtp_host (account) != NULL &&
       buzon_account_get_smtp_security (account) == BUZON_SECURITY_NONE))
    _buzon_cli_error (_("warning: with security “none” the password travels unencrypted; "
                        "anyone on the network can read it"));

  store = buzon_store_open (NULL, &error);
  if (store == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  /* Refuse a taken name before touching the keyring, so a failed add never
   * replaces the password of the account that has that name. */
  existing = buzon_store_lookup_account (store, args[1], NULL);
  if (existing != NULL)
    {
      _buzon_cli_error (_("there is already an account named “%s”"), args[1]);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (options.password_stdin ||
      (options.password_command == NULL && isatty (STDIN_FILENO)))
    {
      password = read_password (!options.password_stdin, &error);
      if (password == NULL)
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }

      if (!buzon_secrets_store_password (account, BUZON_SECRET_INCOMING, password, NULL, &error))
        {
          _buzon_cli_error ("%s", error->message);
          return BUZON_CLI_EXIT_FAILED;
        }
    }

  if (!buzon_store_add_account (store, account, &error))
    {
      if (password != NULL)
        buzon_secrets_clear_passwords (account, NULL, NULL);
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  /* A POP3 account's folders are local: it has them from the start. */
  if (!buzon_mail_ops_ensure_local_folders (store, account, &error))
    {
      _buzon_cli_error (_("The account “%s” was added, but its folders could not be created "
                          "here: %s"),
                        args[1], error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (password == NULL && options.password_command == NULL)
    _buzon_cli_error (_("note: no password saved for “%s”; save it with "
                        "“buzon-cli account set-password %s”"),
                      args[1], args[1]);

  return BUZON_CLI_EXIT_OK;
}

/* account set: change settings of an existing account. The protocol is not
 * one of them: a POP3 account becomes an IMAP one with switch-to-imap,
 * which takes its mail along. */
static int
account_set (int    argc,
             char **argv)
{
  g_auto(AddOptions) options = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &options.display_name,
      N_("Your name, as others see it"), N_("NAME") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &options.address,
      N_("The e-mail address"), N_("ADDR") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options.host,
      N_("Incoming mail server"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &options.port,
      N_("Incoming port (0: the standard one)"), N_("PORT") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &options.security,
      N_("Connection security"), "tls|starttls|none" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options.user,
      N_("User name (empty: the address)"), N_("USER") },
    { "password-command", 0, 0, G_OPTION_ARG_STRING, &options.password_command,
      N_("Run this command to get the password (empty: use the keyring)"), N_("CMD") },
    { "pop3-mode", 0, 0, G_OPTION_ARG_STRING, &options.pop3_mode,
      N_("POP3: delete from the server after download, or keep it there (forever, N days, "
         "until deleted here, or until deleted here but at most N days)"),
      "delete|keep|keep-days:N|keep-until-deleted[:N]" },
    { "sync", 0, 0, G_OPTION_ARG_STRING, &options.sync,
      N_("IMAP: what to keep offline"), "headers|full|full-days:N" },
    { NULL }
  };
  BuzonSecurity security;

  options.port = -1;
  context = g_option_context_new (_("NAME — change a mail account’s settings"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = _buzon_cli_prepare (context, argc, argv, 1, _("account set takes one account name"),
                               &args, &store);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  account = _buzon_cli_lookup_account (store, args[1]);
  if (account == NULL)
    return BUZON_CLI_EXIT_FAILED;

  if (options.pop3_mode != NULL && buzon_account_get_protocol (account) != BUZON_PROTOCOL_POP3)
    return _buzon_cli_usage_error (_("--pop3-mode only applies to POP3 accounts"));
  if (options.sync != NULL && buzon_account_get_protocol (account) != BUZON_PROTOCOL_IMAP)
    return _buzon_cli_usage_error (_("--sync only applies to IMAP accounts (POP3 keeps all its "
                                     "mail here)"));
  if (options.port < -1 || options.port > 65535)
    return _buzon_cli_usage_error (_("a port is a number from 1 to 65535"));
  if (options.security != NULL && !buzon_security_from_string (options.security, &security))
    return _buzon_cli_usage_error (_("unknown security “%s”: use tls, starttls or none"),
                                   options.security);

  if (options.display_name != NULL)
    buzon_account_set_display_name (account, options.display_name);
  if (options.address != NULL)
    buzon_account_set_address (account, options.address);
  if (options.host != NULL)
    buzon_account_set_host (account, options.host);
  if (options.port >= 0)
    buzon_account_set_port (account, (guint)options.port);
  if (options.security != NULL)
    buzon_account_set_security (account, security);
  if (options.user != NULL)
    buzon_account_set_username (account, *options.user != '\0' ? options.user : NULL);
  if (options.password_command != NULL)
    buzon_account_set_password_command (account, *options.password_command != '\0'
                                                 ? options.password_command : NULL);
  if (options.pop3_mode != NULL &&
      !buzon_account_set_pop3_mode_string (account, options.pop3_mode, &error))
    return _buzon_cli_usage_error ("%s", error->message);
  if (options.sync != NULL && !buzon_account_set_sync_string (account, options.sync, &error))
    return _buzon_cli_usage_error ("%s", error->message);

  if (!buzon_account_validate (account, &error) ||
      !buzon_store_update_account (store, account, &error))
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (options.security != NULL && buzon_account_get_security (account) == BUZON_SECURITY_NONE)
    _buzon_cli_error (_("warning: with security “none” the password travels unencrypted; "
                        "anyone on the network can read it"));

  return BUZON_CLI_EXIT_OK;
}

static JsonNode *
account_to_json (BuzonAccount *account)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *pop3_mode = buzon_account_dup_pop3_mode_string (account);
  g_autofree char *sync = buzon_account_dup_sync_string (account);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, buzon_account_get_name (account));
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, buzon_account_get_display_name (account));
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, buzon_account_get_address (account));
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder,
                                 buzon_protocol_to_string (buzon_account_get_protocol (account)));
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, buzon_account_get_host (account));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, buzon_account_get_port (account));
  json_builder_set_member_name (builder, "security");
  json_builder_add_string_value (builder,
                                 buzon_security_to_string (buzon_account_get_security (account)));
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, buzon_account_get_username (account));
  json_builder_set_member_name (builder, "password_command");
  json_builder_add_string_value (builder, buzon_account_get_password_command (account));

  if (buzon_account_get_protocol (account) == BUZON_PROTOCOL_POP3)
    {
      json_builder_set_member_name (builder, "pop3_mode");
      json_builder_add_string_value (builder, pop3_mode);
    }
  else
    {
      json_builder_set_member_name (builder, "sync");
      json_builder_add_string_value (builder, sync);
    }

  json_builder_set_member_name (builder, "signature");
  if (buzon_account_get_signature (account) != NULL)
    json_builder_add_string_value (builder, buzon_account_get_signature (account));
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "smtp");
  if (buzon_account_get_smtp_host (account) != NULL)
    {
      BuzonSecurity smtp_security = buzon_account_get_smtp_security (account);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, buzon_account_get_smtp_host (account));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, buzon_account_get_smtp_port (account));
      json_builder_set_member_name (builder, "security");
      json_builder_add_string_value (builder, buzon_security_to_string (smtp_security));
      json_builder_set_member_name (builder, "user");
      json_builder_add_string_value (builder, buzon_account_get_smtp_username (account));
      json_builder_set_member_name (builder, "sent_copy");
      json_builder_add_boolean_value (builder, buzon_account_get_save_sent (account) ||
                                      buzon_account_get_protocol (account) == BUZON_PROTOCOL_POP3);
      json_builder_end_object (builder);
    }
  else
    {
      json_builder_add_null_value (builder);
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
print_account_text (BuzonAccount *account,
                    gboolean      verbose)
{
  BuzonProtocol protocol = buzon_account_get_protocol (account);
  const char *how = protocol == BUZON_PROTOCOL_IMAP ? _("IMAP, kept on the server")
                                                    : _("POP3, downloaded to this computer");

  g_print ("%s\t%s\t%s\t%s:%u\n",
           buzon_account_get_name (account),
           buzon_account_get_address (account),
           buzon_protocol_to_string (protocol),
           buzon_account_get_host (account),
           buzon_account_get_port (account));

  if (verbose)
    {
      g_autofree char *pop3_mode = buzon_account_dup_pop3_mode_string (account);
      g_autofree char *sync = buzon_account_dup_sync_string (account);

      g_print ("  %s\n", how);
      g_print ("  %s: %s\n", _("Security"),
               buzon_security_to_string (buzon_account_get_security (account)));
      g_print ("  %s: %s\n", _("User"), buzon_account_get_username (account));
      if (buzon_account_get_password_command (account) != NULL)
        g_print ("  %s: %s\n", _("Password command"),
                 buzon_account_get_password_command (account));
      if (protocol == BUZON_PROTOCOL_POP3)
        g_print ("  %s: %s\n", _("POP3 mode"), pop3_mode);
      else
        g_print ("  %s: %s\n", _("Offline sync"), sync);
      if (buzon_account_get_smtp_host (account) != NULL)
        g_print ("  %s: %s:%u (%s, %s)\n", _("SMTP"),
                 buzon_account_get_smtp_host (account),
                 buzon_account_get_smtp_port (account),
                 buzon_security_to_string (buzon_account_get_smtp_security (account)),
                 buzon_account_get_smtp_username (account));
      if (protocol == BUZON_PROTOCOL_IMAP && !buzon_account_get_save_sent (account))
        g_print ("  %s\n", _("Sent mail: filed in Sent by the server (no copy uploaded)"));
      if (buzon_account_get_signature (account) != NULL)
        {
          g_auto(GStrv) lines = g_strsplit (buzon_account_get_signature (account), "\n", -1);

          g_print ("  %s: %s%s\n", _("Signature"), lines[0], lines[1] != NULL ? " …" : "");
        }
    }
}

static int
account_list (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  int status;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("— list the mail accounts"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = _buzon_cli_prepare (context, argc, argv, 0, _("account list takes no arguments"),
                               &args, &store);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  accounts = buzon_store_list_accounts (store, &error);
  if (accounts == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonArray) array = json_array_sized_new (accounts->len);
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < accounts->len; i++)
        json_array_add_element (array, account_to_json (g_ptr_array_index (accounts, i)));

      json_node_set_array (root, array);
      _buzon_cli_print_json (root);
    }
  else
    {
      for (guint i = 0; i < accounts->len; i++)
        print_account_text (g_ptr_array_index (accounts, i), FALSE);
    }

  return BUZON_CLI_EXIT_OK;
}

/* "Quota: 12.3 MB of 100.0 MB used (12%)", from bytes (@limit not 0). The
 * percentage is rounded down, so 100% means full. */
static char *
dup_quota_text (guint64 usage,
                guint64 limit)
{
  g_autofree char *used = g_format_size (usage);
  g_autofree char *total = g_format_size (limit);
  guint percent = (guint)MIN ((double)usage * 100.0 / (double)limit, 9999.0);

  /* TRANSLATORS: an account's storage on the server: "Quota: 12.3 MB of
   * 100.0 MB used (12%)"; %u%% is the percentage used. */
  return g_strdup_printf (_("Quota: %s of %s used (%u%%)"), used, total, percent);
}

static int
account_show (int    argc,
              char **argv)
{
  gboolean inexact;
  gboolean has_quota;
  guint64 usage = 0;
  guint64 limit = 0;
  gint64 updated = 0;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_auto(GStrv) args = NULL;
  int status;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("NAME — show one mail account"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = _buzon_cli_prepare (context, argc, argv, 1, _("account show takes one account name"),
                               &args, &store);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  account = _buzon_cli_lookup_account (store, args[1]);
  if (account == NULL)
    return BUZON_CLI_EXIT_FAILED;

  inexact = buzon_account_get_protocol (account) == BUZON_PROTOCOL_POP3 &&
            buzon_store_pop3_uses_fingerprints (store, buzon_account_get_id (account));
  /* What the last sync read; unknown (or unreadable) prints nothing. */
  has_quota = buzon_store_get_account_quota (store, buzon_account_get_id (account), &usage,
                                             &limit, &updated, NULL);

  if (json)
    {
      g_autoptr(JsonNode) node = account_to_json (account);
      JsonArray *warnings = json_array_new ();

      if (inexact)
        json_array_add_string_element (warnings, buzon_pop3_sync_fingerprint_warning ());
      json_object_set_array_member (json_node_get_object (node), "warnings", warnings);
      if (has_quota)
        {
          JsonObject *quota = json_object_new ();

          json_object_set_int_member (quota, "usage", (gint64)usage);
          json_object_set_int_member (quota, "limit", (gint64)limit);
          json_object_set_int_member (quota, "updated", updated);
          json_object_set_object_member (json_node_get_object (node), "quota", quota);
        }
      else
        {
          json_object_set_null_member (json_node_get_object (node), "quota");
        }
      _buzon_cli_print_json (node);
    }
  else
    {
      print_account_text (account, TRUE);
      if (has_quota)
        {
          g_autofree char *text = dup_quota_text (usage, limit);

          g_print ("  %s\n", text);
        }
      if (inexact)
        g_print ("  %s: %s\n", _("Warning"), buzon_pop3_sync_fingerprint_warning ());
    }

  return BUZON_CLI_EXIT_OK;
}

static int
account_remove (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  int status;

  context = g_option_context_new (_("NAME — remove a mail account and its local mail"));
  g_option_context_set_description (context,
                                    _("Mail kept on the server stays there. Mail downloaded "
                                      "with POP3 exists only on this computer and is deleted."));
  status = _buzon_cli_prepare (context, argc, argv, 1, _("account remove takes one account name"),
                               &args, &store);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  account = _buzon_cli_lookup_account (store, args[1]);
  if (account == NULL)
    return BUZON_CLI_EXIT_FAILED;

  if (!buzon_store_remove_account (store, args[1], &error))
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  /* An account with a password command keeps nothing in the keyring (and
   * the demo profile must not wake the user's keyring). Otherwise the account
   * is gone; a keyring that is not running leaves a stale password behind,
   * which we say but do not fail on. */
  if (buzon_account_get_password_command (account) == NULL &&
      !buzon_secrets_clear_passwords (account, NULL, &error))
    _buzon_cli_error (_("warning: %s"), error->message);

  return BUZON_CLI_EXIT_OK;
}

static int
account_set_password (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonPassword) password = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  int status;
  gboolean smtp = FALSE;
  const GOptionEntry entries[] = {
    { "smtp", 0, 0, G_OPTION_ARG_NONE, &smtp,
      N_("Set the outgoing (SMTP) password, when it differs from the incoming one"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("NAME — save an account’s password in the keyring"));
  g_option_context_set_description (context,
                                    _("The password is read from standard input (one line)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = _buzon_cli_prepare (context, argc, argv, 1,
                               _("account set-password takes one account name"),
                               &args, &store);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  account = _buzon_cli_lookup_account (store, args[1]);
  if (account == NULL)
    return BUZON_CLI_EXIT_FAILED;

  if (buzon_account_get_password_command (account) != NULL)
    {
      _buzon_cli_error (_("the account “%s” gets its password from a command; "
                          "the keyring is not used for it"), args[1]);
      return BUZON_CLI_EXIT_FAILED;
    }

  password = read_password (TRUE, &error);
  if (password == NULL ||
      !buzon_secrets_store_password (account, smtp ? BUZON_SECRET_SMTP : BUZON_SECRET_INCOMING,
                                     password, NULL, &error))
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  return BUZON_CLI_EXIT_OK;
}

static void
probe_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Why a certificate does not verify, in a few words each. */
static char *
describe_certificate_errors (GTlsCertificateFlags flags)
{
  g_autoptr(GPtrArray) reasons = g_ptr_array_new ();

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (reasons, _("not signed by a certificate authority this computer trusts "
                                "(it may be self-signed)"));
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (reasons, _("issued for another server name"));
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (reasons, _("not valid yet"));
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (reasons, _("expired"));
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (reasons, _("revoked"));
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (reasons, _("uses an insecure algorithm"));
  if ((flags & G_TLS_CERTIFICATE_GENERIC_ERROR) || reasons->len == 0)
    g_ptr_array_add (reasons, _("could not be checked"));
  g_ptr_array_add (reasons, NULL);

  /* TRANSLATORS: the separator between the reasons a certificate is not trusted */
  return g_strjoinv (_("; "), (char **) reasons->pdata);
}

/* "host:port", with brackets around an IPv6 address. */
static char *
format_server (const char *host,
               guint16     port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, (guint) port);

  return g_strdup_printf ("%s:%u", host, (guint) port);
}

static void
print_probe_result (BuzonTlsProbeResult *result,
                    const char          *protocol,
                    const char          *server)
{
  g_autofree char *fingerprint =
    buzon_certificate_format_fingerprint (buzon_tls_probe_result_get_sha256 (result));
  GDateTime *not_before = buzon_tls_probe_result_get_not_valid_before (result);
  GDateTime *not_after = buzon_tls_probe_result_get_not_valid_after (result);
  BuzonSecurity security = buzon_tls_probe_result_get_security (result);

  g_print ("%s: %s (%s, %s)\n", _("Server"), server, protocol,
           buzon_security_to_string (security));
  if (buzon_tls_probe_result_get_subject_name (result) != NULL)
    g_print ("%s: %s\n", _("Issued to"), buzon_tls_probe_result_get_subject_name (result));
  if (buzon_tls_probe_result_get_issuer_name (result) != NULL)
    g_print ("%s: %s\n", _("Issued by"), buzon_tls_probe_result_get_issuer_name (result));
  if (not_before != NULL && not_after != NULL)
    {
      g_autofree char *from = g_date_time_format (not_before, "%Y-%m-%d");
      g_autofree char *until = g_date_time_format (not_after, "%Y-%m-%d");
      g_autofree char *validity = NULL;

      /* TRANSLATORS: dates like 2026-01-31 */
      validity = g_strdup_printf (_("from %s until %s"), from, until);
      g_print ("%s: %s\n", _("Valid"), validity);
    }
  g_print ("%s: %s\n", _("SHA-256 fingerprint"), fingerprint);

  if (!buzon_tls_probe_result_is_verified (result))
    {
      g_autofree char *reasons =
        describe_certificate_errors (buzon_tls_probe_result_get_errors (result));

      g_print ("%s: %s\n", _("Not verified"), reasons);
    }
}

static int
account_trust (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(GAsyncResult) async_result = NULL;
  g_autoptr(BuzonTlsProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *given = NULL;
  g_autofree char *server = NULL;
  g_auto(GStrv) args = NULL;
  BuzonConnectionServer which;
  const char *protocol;
  const char *stored_pin;
  int status;
  gboolean smtp = FALSE;
  const GOptionEntry entries[] = {
    { "fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint,
      N_("Trust the certificate only if it has this SHA-256 fingerprint"), N_("SHA256") },
    { "smtp", 0, 0, G_OPTION_ARG_NONE, &smtp,
      N_("The outgoing (SMTP) server’s certificate instead of the incoming one’s"), NULL },
    { NULL }
  };

  context = g_option_context_new (_("NAME — trust the certificate of an account’s server"));
  g_option_context_set_description (context,
                                    _("Connects to the server (no password is sent), shows its "
                                      "certificate and, if it does not verify, trusts exactly "
                                      "that certificate for that server and port from now on. "
                                      "Compare the fingerprint with the one your provider or "
                                      "administrator gives you, or pass it with --fingerprint: "
                                      "then nothing is trusted unless it matches."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = _buzon_cli_prepare (context, argc, argv, 1, _("account trust takes one account name"),
                               &args, &store);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  if (fingerprint != NULL)
    {
      given = buzon_certificate_format_fingerprint (fingerprint);
      if (given == NULL)
        return _buzon_cli_usage_error (_("“%s” is not a SHA-256 fingerprint: it needs 64 "
                                         "hexadecimal digits."), fingerprint);
    }

  account = _buzon_cli_lookup_account (store, args[1]);
  if (account == NULL)
    return BUZON_CLI_EXIT_FAILED;

  which = smtp ? BUZON_CONNECTION_SERVER_OUTGOING : BUZON_CONNECTION_SERVER_INCOMING;
  buzon_tls_probe_async (account, which, store, NULL, NULL, probe_done_cb, &async_result);
  while (async_result == NULL)
    g_main_context_iteration (NULL, TRUE);

  result = buzon_tls_probe_finish (async_result, &error);
  if (result == NULL)
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  protocol = smtp ? "smtp" : buzon_protocol_to_string (buzon_account_get_protocol (account));
  server = format_server (buzon_tls_probe_result_get_host (result),
                          buzon_tls_probe_result_get_port (result));
  print_probe_result (result, protocol, server);

  /* The user said which certificate they expect: any other is not it, even
   * one that verifies. */
  if (given != NULL && !buzon_tls_probe_result_matches_fingerprint (result, given))
    {
      g_autofree char *presented =
        buzon_certificate_format_fingerprint (buzon_tls_probe_result_get_sha256 (result));

      _buzon_cli_error (_("the certificate of the server “%s” has the SHA-256 fingerprint %s, "
                          "not %s as given; nothing was trusted"),
                        buzon_tls_probe_result_get_host (result), presented, given);
      return BUZON_CLI_EXIT_FAILED;
    }

  if (buzon_tls_probe_result_is_verified (result))
    {
      g_print ("%s\n", _("This certificate is trusted already: it verifies against the "
                         "certificate authorities this computer trusts. Nothing needs pinning."));
      return BUZON_CLI_EXIT_OK;
    }

  if (buzon_tls_probe_result_is_pinned (result))
    {
      g_print (_("This certificate is trusted already: you chose to trust it for %s before."),
               server);
      g_print ("\n");
      return BUZON_CLI_EXIT_OK;
    }

  stored_pin = buzon_tls_probe_result_get_stored_pin (result);
  if (!buzon_tls_probe_result_pin (result, store, &error))
    {
      _buzon_cli_error ("%s", error->message);
      return BUZON_CLI_EXIT_FAILED;
    }

  g_print (_("Trusted now: Buzón will accept this certificate, and only this one, from %s."),
           server);
  g_print ("\n");
  if (stored_pin != NULL)
    {
      g_autofree char *before = buzon_certificate_format_fingerprint (stored_pin);

      g_print (_("It replaces the certificate trusted for %s before (%s)."), server,
               before != NULL ? before : stored_pin);
      g_print ("\n");
    }

  return BUZON_CLI_EXIT_OK;
}

/* switch-to-imap */

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
  const char   *account;
  gboolean      tty;
  gboolean      progress_shown;
} SwitchRun;

static void
switch_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SwitchRun *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

static gboolean
switch_interrupt_cb (gpointer user_data)
{
  SwitchRun *run = user_data;

  g_cancellable_cancel (run->cancellable);

  return G_SOURCE_CONTINUE;
}

static void
switch_end_progress (SwitchRun *run)
{
  if (run->progress_shown && run->tty)
    g_printerr ("\n");
  run->progress_shown = FALSE;
}

static void
switch_progress_cb (BuzonPop3Switch *sw,
                    const char      *folder,
                    guint            done,
                    guint            total,
                    gpointer         user_data)
{
  SwitchRun *run = user_data;

  /* As sync does it: one line that updates on a terminal, else a line per
   * folder when it is done. */
  if (run->tty)
    {
      g_printerr ("\r\033[K%s: %s %u/%u", run->account, folder, done, total);
      run->progress_shown = TRUE;
    }
  else if (done == total)
    g_printerr ("%s: %s %u/%u\n", run->account, folder, done, total);
}

static void
switch_folder_created_cb (BuzonPop3Switch *sw,
                          const char      *folder,
                          gpointer         user_data)
{
  SwitchRun *run = user_data;

  switch_end_progress (run);
  g_printerr (_("%s: created the folder “%s” on the server\n"), run->account, folder);
}

static void
switch_notice_cb (BuzonPop3Switch *sw,
                  const char      *message,
                  gpointer         user_data)
{
  SwitchRun *run = user_data;

  switch_end_progress (run);
  _buzon_cli_error ("%s: %s", run->account, message);
}

static int
account_switch_to_imap (int    argc,
                        char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonAccount) switched = NULL;
  g_autoptr(BuzonPop3Switch) sw = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *security_text = NULL;
  g_autofree char *user = NULL;
  g_autofree char *server = NULL;
  g_auto(GStrv) args = NULL;
  BuzonPop3SwitchStats stats = { 0, };
  BuzonAccount *target;
  BuzonSecurity security;
  SwitchRun run = { NULL, };
  guint sigint, sigterm;
  int port = 0;
  int status;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host,
      N_("IMAP server (default: the account’s server)"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      N_("IMAP port (default: 993 for tls, 143 otherwise)"), N_("PORT") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &security_text,
      N_("Connection security (default: the account’s)"), "tls|starttls|none" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user,
      N_("User name on the IMAP server (default: the account’s)"), N_("USER") },
    { NULL }
  };

  context = g_option_context_new (_("NAME — put a POP3 account’s mail on the server and make it "
                                    "an IMAP account"));
  g_option_context_set_description (context,
                                    _("Mail that vanishes from the inbox is usually another "
                                      "device using POP3 in delete mode. With IMAP the mail "
                                      "stays on the server, in its folders, for every device. "
                                      "This uploads the mail stored here (with its folders, "
                                      "read and flagged state and dates) to the account’s IMAP "
                                      "server, skips what is there already, and then makes the "
                                      "account an IMAP account that keeps its mail on this "
                                      "computer too. It can be interrupted and run again: "
                                      "nothing is uploaded twice, nothing here is deleted."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  status = _buzon_cli_prepare (context, argc, argv, 1,
                               _("account switch-to-imap takes one account name"), &args, &store);
  if (status != BUZON_CLI_EXIT_OK)
    return status;

  if (port < 0 || port > 65535)
    return _buzon_cli_usage_error (_("a port is a number from 1 to 65535"));
  if (security_text != NULL && !buzon_security_from_string (security_text, &security))
    return _buzon_cli_usage_error (_("unknown security “%s”: use tls, starttls or none"),
                                   security_text);

  account = _buzon_cli_lookup_account (store, args[1]);
  if (account == NULL)
    return BUZON_CLI_EXIT_FAILED;

  /* Run again after it worked: nothing left to do, and that is no error. */
  if (buzon_account_get_protocol (account) == BUZON_PROTOCOL_IMAP)
    {
      g_print (_("The account “%s” uses IMAP already: nothing was uploaded."), args[1]);
      g_print ("\n");
      return BUZON_CLI_EXIT_OK;
    }

  sw = buzon_pop3_switch_new (store, account);
  target = buzon_pop3_switch_get_target (sw);
  if (host != NULL)
    buzon_account_set_host (target, host);
  if (security_text != NULL)
    buzon_account_set_security (target, security);
  if (port != 0)
    buzon_account_set_port (target, (guint)port);
  if (user != NULL)
    buzon_account_set_username (target, user);

  if (buzon_account_get_security (target) == BUZON_SECURITY_NONE)
    _buzon_cli_error (_("warning: with security “none” the password travels unencrypted; "
                        "anyone on the network can read it"));

  server = format_server (buzon_account_get_host (target),
                          (guint16)buzon_account_get_port (target));
  g_print (_("Uploading the mail of “%s” to the IMAP server %s (%s)…"), args[1], server,
           buzon_security_to_string (buzon_account_get_security (target)));
  g_print ("\n");

  run.loop = g_main_loop_new (NULL, FALSE);
  run.cancellable = g_cancellable_new ();
  run.account = args[1];
  run.tty = isatty (STDERR_FILENO);
  g_signal_connect (sw, "progress", G_CALLBACK (switch_progress_cb), &run);
  g_signal_connect (sw, "folder-created", G_CALLBACK (switch_folder_created_cb), &run);
  g_signal_connect (sw, "notice", G_CALLBACK (switch_notice_cb), &run);
  sigint = g_unix_signal_add (SIGINT, switch_interrupt_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, switch_interrupt_cb, &run);

  buzon_pop3_switch_run_async (sw, run.cancellable, switch_done_cb, &run);
  while (run.result == NULL)
    g_main_loop_run (run.loop);
  ok = buzon_pop3_switch_run_finish (sw, run.result, &stats, &error);

  /* Signals queued before the end. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  switch_end_progress (&run);
  g_signal_handlers_disconnect_by_data (sw, &run);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&run.result);
  g_clear_pointer (&run.loop, g_main_loop_unref);

  /* After a failure, only when it got that far. */
  if (ok || stats.uploaded > 0 || stats.already_there > 0 || stats.folders_created > 0)
    {
      g_print (_("Uploaded %u, already on the server %u, folders created %u."), stats.uploaded,
               stats.already_there, stats.folders_created);
      g_print ("\n");
    }

  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_cancellable_is_cancelled (run.cancellable))
        _buzon_cli_error (_("Interrupted. What was uploaded stays on the server and “%s” stays "
                            "a POP3 account; run the command again to go on."),
                          args[1]);
      else
        {
          _buzon_cli_error ("%s: %s", args[1], error->message);
          if (g_error_matches (error, BUZON_NET_ERROR, BUZON_NET_ERROR_CERTIFICATE_UNTRUSTED))
            _buzon_cli_error (_("Certificates are checked as for any IMAP account. To trust this "
                                "one, add an IMAP account for %s and run “buzon-cli account "
                                "trust” on it (a certificate is trusted per server and port), "
                                "then switch again."),
                              server);
        }
      g_clear_object (&run.cancellable);
      g_clear_object (&sw);
      _buzon_cli_let_pool_threads_exit ();
      return BUZON_CLI_EXIT_FAILED;
    }

  g_clear_object (&run.cancellable);
  g_clear_object (&sw);
  _buzon_cli_let_pool_threads_exit ();

  g_print (_("“%s” is an IMAP account now: its mail is on %s, and kept on this computer too."),
           args[1], server);
  g_print ("\n");

  return BUZON_CLI_EXIT_OK;
}

static void
print_account_help (void)
{
  g_print ("%s\n", _("Usage: buzon-cli account COMMAND [OPTIONS…]"));
  g_print ("\n%s\n", _("Commands:"));
  g_print ("  add NAME     %s\n", _("Add a mail account (see “buzon-cli account add --help”)"));
  g_print ("  list         %s\n", _("List the accounts (--json for JSON)"));
  g_print ("  show NAME    %s\n", _("Show one account’s settings (--json for JSON)"));
  g_print ("  set NAME     %s\n", _("Change an account’s settings (see “buzon-cli account set "
                                   "--help”)"));
  g_print ("  remove NAME  %s\n", _("Remove an account and its local mail"));
  g_print ("  set-password NAME  %s\n", _("Save the password in the keyring (read from stdin)"));
  g_print ("  trust NAME   %s\n", _("Show the server’s certificate and trust it "
                                   "(see “buzon-cli account trust --help”)"));
  g_print ("  switch-to-imap NAME  %s\n", _("Upload a POP3 account’s mail to its IMAP server "
                                           "and make it an IMAP account"));
}

int
_buzon_cli_account (int    argc,
                    char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_account_help ();
      return argc < 2 ? BUZON_CLI_EXIT_USAGE : BUZON_CLI_EXIT_OK;
    }

  if (g_str_equal (argv[1], "add"))
    return account_add (argc, argv);
  if (g_str_equal (argv[1], "list"))
    return account_list (argc, argv);
  if (g_str_equal (argv[1], "show"))
    return account_show (argc, argv);
  if (g_str_equal (argv[1], "set"))
    return account_set (argc, argv);
  if (g_str_equal (argv[1], "remove"))
    return account_remove (argc, argv);
  if (g_str_equal (argv[1], "set-password"))
    return account_set_password (argc, argv);
  if (g_str_equal (argv[1], "trust"))
    return account_trust (argc, argv);
  if (g_str_equal (argv[1], "switch-to-imap"))
    return account_switch_to_imap (argc, argv);

  return _buzon_cli_usage_error (_("unknown account command “%s”"), argv[1]);
}
