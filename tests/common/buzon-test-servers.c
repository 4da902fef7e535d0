/* buzon-test-servers.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "buzon-test-servers"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "buzon-test-servers.h"

/* Exit status of build-aux/test-servers when a program it needs is missing. */
#define EXIT_UNAVAILABLE 77

/* The servers also stop by themselves after this long, in case a test hangs
 * without dying (they always stop when the test process exits). */
#define DEFAULT_MAX_LIFETIME_SECONDS (3 * 60 * 60)

struct _BuzonTestServers
{
  char            *dir;
  JsonNode        *info_root;
  JsonObject      *info;         /* owned by info_root */
  GTlsDatabase    *database;
  GTlsCertificate *certificate;
  gboolean         keep;
};

G_DEFINE_QUARK (buzon-test-servers-error-quark, buzon_test_servers_error)

static char *
get_script_path (void)
{
  const char *root = g_getenv ("BUZON_SOURCE_ROOT");

  if (root == NULL || *root == '\0')
    root = BUZON_TEST_SOURCE_ROOT;

  return g_build_filename (root, "build-aux", "test-servers", NULL);
}

static const char *
get_python (void)
{
  const char *python = g_getenv ("BUZON_TEST_PYTHON");

  if (python != NULL && *python != '\0')
    return python;

  /* Debian's interpreter is the one python3-aiosmtpd is installed for; an
   * earlier python3 on PATH (pyenv, a venv) may not have it. */
  if (g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    return "/usr/bin/python3";

  return "python3";
}

static GPtrArray *
command_new (const char *subcommand,
             const char *dir)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup (get_python ()));
  g_ptr_array_add (args, get_script_path ());
  g_ptr_array_add (args, g_strdup (subcommand));
  g_ptr_array_add (args, g_strdup ("--dir"));
  g_ptr_array_add (args, g_strdup (dir));

  return args;
}

static void
command_add (GPtrArray  *args,
             const char *arg)
{
  g_ptr_array_add (args, g_strdup (arg));
}

/* Runs ARGS and parses what it prints as JSON; empty output gives a null node. */
static JsonNode *
command_run (GPtrArray  *args,
             GBytes     *input,
             GError    **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE;
  const char *subcommand = g_ptr_array_index (args, 2);
  const char *text;
  gsize length;
  int status;

  if (input != NULL)
    flags |= G_SUBPROCESS_FLAGS_STDIN_PIPE;

  g_ptr_array_add (args, NULL);
  launcher = g_subprocess_launcher_new (flags);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata,
                                          &local_error);
  g_ptr_array_remove_index (args, args->len - 1);

  if (process == NULL)
    {
      g_set_error (error, BUZON_TEST_SERVERS_ERROR,
                   g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT)
                     ? BUZON_TEST_SERVERS_ERROR_UNAVAILABLE
                     : BUZON_TEST_SERVERS_ERROR_FAILED,
                   "Cannot run %s: %s", (const char *) g_ptr_array_index (args, 0),
                   local_error->message);
      return NULL;
    }

  if (!g_subprocess_communicate (process, input, NULL, &out, &err, error))
    return NULL;

  if (!g_subprocess_get_if_exited (process))
    {
      g_set_error (error, BUZON_TEST_SERVERS_ERROR, BUZON_TEST_SERVERS_ERROR_FAILED,
                   "test-servers %s was killed by signal %d", subcommand,
                   g_subprocess_get_term_sig (process));
      return NULL;
    }

  status = g_subprocess_get_exit_status (process);
  if (status != 0)
    {
      g_autofree char *message = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));

      g_set_error (error, BUZON_TEST_SERVERS_ERROR,
                   status == EXIT_UNAVAILABLE ? BUZON_TEST_SERVERS_ERROR_UNAVAILABLE
                                              : BUZON_TEST_SERVERS_ERROR_FAILED,
                   "test-servers %s failed (exit status %d): %s", subcommand, status,
                   g_strstrip (message));
      return NULL;
    }

  text = g_bytes_get_data (out, &length);
  if (length == 0)
    return json_node_new (JSON_NODE_NULL);

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_set_error (error, BUZON_TEST_SERVERS_ERROR, BUZON_TEST_SERVERS_ERROR_FAILED,
                   "test-servers %s printed invalid JSON: %s", subcommand,
                   local_error->message);
      return NULL;
    }

  return json_parser_steal_root (parser);
}

static gboolean
command_run_quiet (GPtrArray  *args,
                   GBytes     *input,
                   GError    **error)
{
  g_autoptr(JsonNode) node = command_run (args, input, error);

  return node != NULL;
}

static const char *
info_string (BuzonTestServers *self,
             const char       *member)
{
  if (!json_object_has_member (self->info, member))
    return NULL;

  return json_object_get_string_member (self->info, member);
}

static void
remove_failed_dir (const char *dir)
{
  g_autoptr(GPtrArray) args = command_new ("stop", dir);

  command_add (args, "--remove");
  if (!command_run_quiet (args, NULL, NULL))
    g_rmdir (dir);
}

static void
buzon_test_servers_free (BuzonTestServers *self)
{
  g_clear_object (&self->database);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->info_root, json_node_unref);
  g_free (self->dir);
  g_free (self);
}

/**
 * buzon_test_servers_start:
 * @profile: "full" (everything Dovecot offers) or "minimal" (plain IMAP4rev1)
 * @error: return location for an error; %BUZON_TEST_SERVERS_ERROR_UNAVAILABLE
 *   means the servers are not installed and the test should skip
 *
 * Starts a private instance in a new temporary directory.
 *
 * Returns: (transfer full) (nullable): the running servers
 */
BuzonTestServers *
buzon_test_servers_start (const char  *profile,
                          GError     **error)
{
  return buzon_test_servers_start_full (profile, NULL, error);
}

/**
 * buzon_test_servers_start_full:
 * @profile: "full" or "minimal"
 * @extra_args: (nullable) (array zero-terminated=1): more options of
 *   `test-servers start`, such as "--cert", "untrusted", "--allow-plaintext",
 *   "--apop" (POP3 APOP: the greeting carries a timestamp), "--smtp-size",
 *   "4096", "--rawlog", "--demo"
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the running servers
 */
BuzonTestServers *
buzon_test_servers_start_full (const char          *profile,
                               const char * const  *extra_args,
                               GError             **error)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *lifetime = NULL;
  BuzonTestServers *self;
  const char *lifetime_env;
  gboolean keep;

  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dir = g_dir_make_tmp ("buzon-servers-XXXXXX", error);
  if (dir == NULL)
    return NULL;

  keep = g_strcmp0 (g_getenv ("BUZON_TEST_KEEP_SERVERS"), "1") == 0;
  parent = g_strdup_printf ("%d", (int) getpid ());
  lifetime_env = g_getenv ("BUZON_TEST_SERVERS_MAX_LIFETIME");
  lifetime = lifetime_env != NULL ? g_strdup (lifetime_env)
                                  : g_strdup_printf ("%d", DEFAULT_MAX_LIFETIME_SECONDS);

  args = command_new ("start", dir);
  command_add (args, "--profile");
  command_add (args, profile);
  command_add (args, "--parent-pid");
  command_add (args, parent);
  command_add (args, "--max-lifetime");
  command_add (args, lifetime);
  if (!keep)
    command_add (args, "--cleanup");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    command_add (args, extra_args[i]);

  root = command_run (args, NULL, error);
  if (root == NULL)
    {
      remove_failed_dir (dir);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      remove_failed_dir (dir);
      g_set_error (error, BUZON_TEST_SERVERS_ERROR, BUZON_TEST_SERVERS_ERROR_FAILED,
                   "test-servers start printed no servers object");
      return NULL;
    }

  self = g_new0 (BuzonTestServers, 1);
  self->dir = g_steal_pointer (&dir);
  self->keep = keep;
  self->info_root = g_steal_pointer (&root);
  self->info = json_node_get_object (self->info_root);

  self->database = g_tls_file_database_new (info_string (self, "ca_file"), &local_error);
  if (self->database != NULL)
    self->certificate = g_tls_certificate_new_from_file (info_string (self, "cert_file"),
                                                         &local_error);
  if (self->certificate == NULL)
    {
      gboolean unavailable = g_error_matches (local_error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE);

      g_set_error (error, BUZON_TEST_SERVERS_ERROR,
                   unavailable ? BUZON_TEST_SERVERS_ERROR_UNAVAILABLE
                               : BUZON_TEST_SERVERS_ERROR_FAILED,
                   "Cannot load the test certificates: %s", local_error->message);
      buzon_test_servers_stop (self);
      return NULL;
    }

  if (keep)
    g_test_message ("test servers kept in %s", self->dir);

  return self;
}

/**
 * buzon_test_servers_start_or_skip:
 * @profile: "full" or "minimal"
 * @extra_args: (nullable) (array zero-terminated=1): see
 *   buzon_test_servers_start_full()
 *
 * Starts the servers; if they are not installed, marks the current test as
 * skipped (g_test_skip()) and returns %NULL; any other failure fails the test.
 *
 * Returns: (transfer full) (nullable): the running servers, or %NULL to skip
 */
BuzonTestServers *
buzon_test_servers_start_or_skip (const char         *profile,
                                  const char * const *extra_args)
{
  g_autoptr(GError) error = NULL;
  BuzonTestServers *self;

  self = buzon_test_servers_start_full (profile, extra_args, &error);
  if (g_error_matches (error, BUZON_TEST_SERVERS_ERROR, BUZON_TEST_SERVERS_ERROR_UNAVAILABLE))
    {
      g_test_skip (error->message);
      return NULL;
    }
  g_assert_no_error (error);

  return self;
}

/**
 * buzon_test_servers_start_once:
 * @servers: (inout) (nullable): where the executable keeps its servers
 * @tried: (inout): whether they were started (or tried) already
 * @profile: "full" or "minimal"
 * @extra_args: (nullable) (array zero-terminated=1): see
 *   buzon_test_servers_start_full()
 *
 * One instance for the whole test executable, started on first use: the first
 * call runs buzon_test_servers_start_or_skip() into @servers; later ones give
 * the same servers back or, when they could not be started, mark the current
 * test as skipped too. Stop them after g_test_run() with
 * `g_clear_pointer (&servers, buzon_test_servers_stop)`.
 *
 * Returns: (transfer none) (nullable): the running servers, or %NULL to skip
 */
BuzonTestServers *
buzon_test_servers_start_once (BuzonTestServers   **servers,
                               gboolean            *tried,
                               const char          *profile,
                               const char * const  *extra_args)
{
  if (!*tried)
    {
      *tried = TRUE;
      *servers = buzon_test_servers_start_or_skip (profile, extra_args);
    }
  else if (*servers == NULL)
    g_test_skip ("The test servers are not available");

  return *servers;
}

/**
 * buzon_test_servers_stop:
 * @self: (nullable) (transfer full): the servers
 *
 * Stops the servers, waits until they are gone, removes their directory (unless
 * BUZON_TEST_KEEP_SERVERS=1) and frees @self.
 */
void
buzon_test_servers_stop (BuzonTestServers *self)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  args = command_new ("stop", self->dir);
  if (!self->keep)
    command_add (args, "--remove");
  /* Not a g_warning(): tests run with fatal warnings, and a server that would
   * not stop must not hide the test's own result. */
  if (!command_run_quiet (args, NULL, &error))
    g_printerr ("# %s\n", error->message);

  buzon_test_servers_free (self);
}

/**
 * buzon_test_servers_get_port:
 * @self: the servers
 * @service: "imap" (STARTTLS), "imaps", "pop3" (STLS), "pop3s", "smtp"
 *   (submission with STARTTLS) or "smtps"
 *
 * Returns: the port on buzon_test_servers_get_host()
 */
guint
buzon_test_servers_get_port (BuzonTestServers *self,
                             const char       *service)
{
  static const struct {
    const char *service;
    const char *member;
  } names[] = {
    { "imap", "imap_port" },
    { "imaps", "imap_tls_port" },
    { "pop3", "pop3_port" },
    { "pop3s", "pop3_tls_port" },
    { "smtp", "smtp_port" },
    { "smtps", "smtp_tls_port" },
  };

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (service != NULL, 0);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_str_equal (service, names[i].service))
        return (guint) json_object_get_int_member (self->info, names[i].member);
    }

  g_return_val_if_reached (0);
}

/**
 * buzon_test_servers_get_host:
 *
 * Returns: "127.0.0.1", where every server listens
 */
const char *
buzon_test_servers_get_host (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return info_string (self, "host");
}

/**
 * buzon_test_servers_get_hostname:
 *
 * Returns: "localhost", the name in the servers' certificate (which also holds
 *   127.0.0.1 as an IP address)
 */
const char *
buzon_test_servers_get_hostname (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return info_string (self, "hostname");
}

/**
 * buzon_test_servers_get_ca_file:
 *
 * Returns: the PEM file of the test CA that signed the servers' certificate
 */
const char *
buzon_test_servers_get_ca_file (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return info_string (self, "ca_file");
}

/**
 * buzon_test_servers_get_tls_database:
 *
 * The test CA, ready for g_tls_connection_set_database(). With "--cert
 * untrusted" the servers present a certificate this database does not verify.
 *
 * Returns: (transfer none): the database
 */
GTlsDatabase *
buzon_test_servers_get_tls_database (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->database;
}

/**
 * buzon_test_servers_get_certificate:
 *
 * Returns: (transfer none): the certificate the servers present (for pinning
 *   tests)
 */
GTlsCertificate *
buzon_test_servers_get_certificate (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->certificate;
}

/**
 * buzon_test_servers_get_cert_sha256:
 *
 * Returns: the SHA-256 of the presented certificate's DER, lowercase hex
 */
const char *
buzon_test_servers_get_cert_sha256 (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return info_string (self, "cert_sha256");
}

/**
 * buzon_test_servers_get_dir:
 *
 * Returns: the instance's directory (servers.json, logs, mail)
 */
const char *
buzon_test_servers_get_dir (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->dir;
}

/**
 * buzon_test_servers_get_dovecot_log:
 *
 * Returns: Dovecot's log file; "Login: user=<…>, method=…, …, TLS" lines say
 *   whether a login was over TLS
 */
const char *
buzon_test_servers_get_dovecot_log (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return info_string (self, "dovecot_log");
}

/**
 * buzon_test_servers_get_smtp_log:
 *
 * Returns: the SMTP server's log (JSON Lines, see
 *   buzon_test_servers_get_smtp_events())
 */
const char *
buzon_test_servers_get_smtp_log (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return info_string (self, "smtp_log");
}

/**
 * buzon_test_servers_get_password:
 * @address: a user's address
 *
 * Returns: (nullable): the password of @address as of the start or the last
 *   buzon_test_servers_add_user(), or %NULL if it is not a user
 */
const char *
buzon_test_servers_get_password (BuzonTestServers *self,
                                 const char       *address)
{
  JsonArray *users;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  users = json_object_get_array_member (self->info, "users");
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);

      if (g_strcmp0 (json_object_get_string_member (user, "address"), address) == 0)
        return json_object_get_string_member (user, "password");
    }

  return NULL;
}

/**
 * buzon_test_servers_get_info:
 *
 * Returns: (transfer none): everything `test-servers start` printed
 *   (servers.json)
 */
JsonObject *
buzon_test_servers_get_info (BuzonTestServers *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->info;
}

/**
 * buzon_test_servers_add_user:
 * @address: the new user's address (the login name)
 * @password: any UTF-8 password
 *
 * Adds a user, or changes the password of an existing one, while running.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_add_user (BuzonTestServers  *self,
                             const char        *address,
                             const char        *password,
                             GError           **error)
{
  g_autoptr(GPtrArray) args = NULL;
  JsonArray *users;
  JsonObject *user;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  args = command_new ("add-user", self->dir);
  command_add (args, "--");
  command_add (args, address);
  command_add (args, password);
  if (!command_run_quiet (args, NULL, error))
    return FALSE;

  users = json_object_get_array_member (self->info, "users");
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      user = json_array_get_object_element (users, i);
      if (g_strcmp0 (json_object_get_string_member (user, "address"), address) == 0)
        {
          json_object_set_string_member (user, "password", password);
          return TRUE;
        }
    }

  user = json_object_new ();
  json_object_set_string_member (user, "address", address);
  json_object_set_string_member (user, "password", password);
  json_array_add_object_element (users, user);

  return TRUE;
}

/**
 * buzon_test_servers_append:
 * @address: the user
 * @mailbox: the folder, UTF-8, created if missing
 * @message: the message's bytes (CRLF line ends)
 * @flags: (nullable): space-separated flags, like "\\Seen \\Flagged $Label1"
 *
 * APPENDs a message over an independent IMAPS session.
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_append (BuzonTestServers  *self,
                           const char        *address,
                           const char        *mailbox,
                           GBytes            *message,
                           const char        *flags,
                           GError           **error)
{
  return buzon_test_servers_append_full (self, address, mailbox, message, flags, NULL, NULL,
                                         error) != 0;
}

/**
 * buzon_test_servers_append_full:
 * @address: the user
 * @mailbox: the folder, UTF-8, created if missing
 * @message: the message's bytes
 * @flags: (nullable): space-separated flags
 * @internal_date: (nullable): the INTERNALDATE to give the message
 * @out_uidvalidity: (out) (optional): the folder's UIDVALIDITY
 *
 * Returns: the new message's UID, or 0 on error
 */
guint32
buzon_test_servers_append_full (BuzonTestServers  *self,
                                const char        *address,
                                const char        *mailbox,
                                GBytes            *message,
                                const char        *flags,
                                GDateTime         *internal_date,
                                guint32           *out_uidvalidity,
                                GError           **error)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *date = NULL;
  JsonObject *object;
  JsonArray *uids;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (address != NULL, 0);
  g_return_val_if_fail (mailbox != NULL, 0);
  g_return_val_if_fail (message != NULL, 0);

  args = command_new ("append", self->dir);
  command_add (args, "--create");
  if (flags != NULL && *flags != '\0')
    {
      /* "--flags=…", since a value could start with "-". */
      g_ptr_array_add (args, g_strconcat ("--flags=", flags, NULL));
    }
  if (internal_date != NULL)
    {
      date = g_date_time_format_iso8601 (internal_date);
      g_ptr_array_add (args, g_strconcat ("--date=", date, NULL));
    }
  command_add (args, "--");
  command_add (args, address);
  command_add (args, mailbox);
  command_add (args, "-");   /* the message comes on stdin */

  result = command_run (args, message, error);
  if (result == NULL)
    return 0;

  object = json_node_get_object (result);
  uids = json_object_get_array_member (object, "uids");
  if (json_array_get_length (uids) != 1 || json_array_get_null_element (uids, 0))
    {
      g_set_error (error, BUZON_TEST_SERVERS_ERROR, BUZON_TEST_SERVERS_ERROR_FAILED,
                   "The server gave no APPENDUID");
      return 0;
    }

  if (out_uidvalidity != NULL)
    *out_uidvalidity = (guint32) json_object_get_int_member (object, "uidvalidity");

  return (guint32) json_array_get_int_element (uids, 0);
}

/**
 * buzon_test_servers_get_state:
 * @address: the user
 * @mailbox: (nullable): one folder, or %NULL for all of them
 * @bodies: whether to include each message's "sha256"
 *
 * Reads the server's state over a second, independent, read-only IMAPS session:
 * {address, capabilities, delimiter, folders: [{name, raw_name, delimiter,
 * attributes, subscribed, selectable}], mailboxes: {NAME: {uidvalidity,
 * uidnext, exists, unseen, highestmodseq, messages: [{uid, flags, size,
 * internaldate, modseq, message_id, in_reply_to, subject, from, sha256}]}}}.
 * See also buzon_test_state_get_mailbox() and friends.
 *
 * Returns: (transfer full) (nullable): the state
 */
JsonNode *
buzon_test_servers_get_state (BuzonTestServers  *self,
                              const char        *address,
                              const char        *mailbox,
                              gboolean           bodies,
                              GError           **error)
{
  g_autoptr(GPtrArray) args = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  args = command_new ("state", self->dir);
  if (mailbox != NULL)
    g_ptr_array_add (args, g_strconcat ("--mailbox=", mailbox, NULL));
  if (bodies)
    command_add (args, "--bodies");
  command_add (args, "--");
  command_add (args, address);

  return command_run (args, NULL, error);
}

static gboolean
run_folder_command (BuzonTestServers  *self,
                    const char        *subcommand,
                    GError           **error,
                    const char        *first,
                    ...) G_GNUC_NULL_TERMINATED;

static gboolean
run_folder_command (BuzonTestServers  *self,
                    const char        *subcommand,
                    GError           **error,
                    const char        *first,
                    ...)
{
  g_autoptr(GPtrArray) args = command_new (subcommand, self->dir);
  va_list ap;

  /* The positional arguments (addresses, folder names, UID sets) come after
   * "--", so a folder called "-x" is still a folder. */
  command_add (args, "--");
  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    command_add (args, arg);
  va_end (ap);

  return command_run_quiet (args, NULL, error);
}

/**
 * buzon_test_servers_create_folder:
 * @mailbox: the folder to create (and subscribe), UTF-8; use the server's
 *   delimiter for nested ones ("/" in full, "." in minimal)
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_create_folder (BuzonTestServers  *self,
                                  const char        *address,
                                  const char        *mailbox,
                                  GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL && mailbox != NULL, FALSE);

  return run_folder_command (self, "mkdir", error, address, mailbox, NULL);
}

/**
 * buzon_test_servers_delete_folder:
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_delete_folder (BuzonTestServers  *self,
                                  const char        *address,
                                  const char        *mailbox,
                                  GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL && mailbox != NULL, FALSE);

  return run_folder_command (self, "delete-folder", error, address, mailbox, NULL);
}

/**
 * buzon_test_servers_rename_folder:
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_rename_folder (BuzonTestServers  *self,
                                  const char        *address,
                                  const char        *old_name,
                                  const char        *new_name,
                                  GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL && old_name != NULL && new_name != NULL, FALSE);

  return run_folder_command (self, "rename-folder", error, address, old_name, new_name, NULL);
}

/**
 * buzon_test_servers_set_flags:
 * @uids: an IMAP UID set, like "1,4:6" or "1:*"
 * @flags: space-separated flags
 * @mode: add, remove or replace
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_set_flags (BuzonTestServers    *self,
                              const char          *address,
                              const char          *mailbox,
                              const char          *uids,
                              const char          *flags,
                              BuzonTestFlagsMode   mode,
                              GError             **error)
{
  g_autoptr(GPtrArray) args = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL && mailbox != NULL && uids != NULL, FALSE);
  g_return_val_if_fail (flags != NULL, FALSE);

  args = command_new ("set-flags", self->dir);
  if (mode == BUZON_TEST_FLAGS_REMOVE)
    command_add (args, "--remove");
  else if (mode == BUZON_TEST_FLAGS_REPLACE)
    command_add (args, "--replace");
  command_add (args, "--");
  command_add (args, address);
  command_add (args, mailbox);
  command_add (args, uids);
  command_add (args, flags);

  return command_run_quiet (args, NULL, error);
}

/**
 * buzon_test_servers_expunge:
 * @uids: an IMAP UID set
 *
 * Expunges exactly these messages (UID EXPUNGE).
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_expunge (BuzonTestServers  *self,
                            const char        *address,
                            const char        *mailbox,
                            const char        *uids,
                            GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL && mailbox != NULL && uids != NULL, FALSE);

  return run_folder_command (self, "expunge", error, address, mailbox, uids, NULL);
}

/**
 * buzon_test_servers_move:
 * @uids: an IMAP UID set
 * @target: the destination folder
 *
 * Returns: %TRUE on success
 */
gboolean
buzon_test_servers_move (BuzonTestServers  *self,
                         const char        *address,
                         const char        *mailbox,
                         const char        *uids,
                         const char        *target,
                         GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL && mailbox != NULL && uids != NULL, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);

  return run_folder_command (self, "move", error, address, mailbox, uids, target, NULL);
}

/**
 * buzon_test_servers_fill:
 * @address: the user
 * @count: how many messages
 * @options: (nullable): where and what to generate; %NULL for the defaults
 *
 * Delivers @count generated messages at once, fast (10,000 in about 1 s):
 * `test-servers fill` writes them straight into the user's Maildir. Message
 * @options->start_index + i has the Message-ID
 * "<fill-INDEX-SEED@example.test>", CRLF line ends and a text body that differs
 * from the others'; Dovecot numbers them (UIDs, POP3 message numbers) in
 * index order, after the messages already there.
 *
 * Returns: (transfer full) (nullable): {address, mailbox, count, start_index,
 *   seed, total_size, seconds, messages: [{index, message_id, size, sha256}]}
 *   (no messages with %BUZON_TEST_FILL_QUIET); sha256 is that of the bytes
 *   POP3's RETR returns once dot-unstuffed
 */
JsonNode *
buzon_test_servers_fill (BuzonTestServers            *self,
                         const char                  *address,
                         guint                        count,
                         const BuzonTestFillOptions  *options,
                         GError                     **error)
{
  static const BuzonTestFillOptions defaults = { 0 };
  g_autoptr(GPtrArray) args = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  if (options == NULL)
    options = &defaults;

  args = command_new ("fill", self->dir);
  if (options->mailbox != NULL)
    g_ptr_array_add (args, g_strconcat ("--mailbox=", options->mailbox, NULL));
  if (options->size != 0)
    g_ptr_array_add (args, g_strdup_printf ("--size=%" G_GSIZE_FORMAT, options->size));
  g_ptr_array_add (args, g_strdup_printf ("--seed=%u", options->seed));
  if (options->start_index != 0)
    g_ptr_array_add (args, g_strdup_printf ("--start-index=%u", options->start_index));
  if (options->flags & BUZON_TEST_FILL_DOT_LINES)
    command_add (args, "--dot-lines");
  if (options->flags & BUZON_TEST_FILL_QUIET)
    command_add (args, "--quiet");
  command_add (args, "--");
  command_add (args, address);
  g_ptr_array_add (args, g_strdup_printf ("%u", count));

  return command_run (args, NULL, error);
}

/**
 * buzon_test_servers_get_quota:
 * @address: the user
 * @mailbox: (nullable): the mailbox whose quota roots are asked for; %NULL for INBOX
 * @out_usage_kib: (out) (optional): the STORAGE usage the server reports, in KiB
 * @out_limit_kib: (out) (optional): the STORAGE limit, in KiB
 *
 * Runs `test-servers quota`: GETQUOTAROOT over a session of its own, for the
 * numbers to check a client's against. Both are 0 when the server has no
 * QUOTA (the minimal profile) or no STORAGE resource.
 *
 * Returns: whether the command ran
 */
gboolean
buzon_test_servers_get_quota (BuzonTestServers  *self,
                              const char        *address,
                              const char        *mailbox,
                              guint64           *out_usage_kib,
                              guint64           *out_limit_kib,
                              GError           **error)
{
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (out_usage_kib != NULL)
    *out_usage_kib = 0;
  if (out_limit_kib != NULL)
    *out_limit_kib = 0;

  args = command_new ("quota", self->dir);
  if (mailbox != NULL)
    g_ptr_array_add (args, g_strconcat ("--mailbox=", mailbox, NULL));
  command_add (args, "--");
  command_add (args, address);
  node = command_run (args, NULL, error);
  if (node == NULL)
    return FALSE;

  object = json_node_get_object (node);
  if (out_usage_kib != NULL && !json_object_get_null_member (object, "storage_usage_kib"))
    *out_usage_kib = json_object_get_int_member (object, "storage_usage_kib");
  if (out_limit_kib != NULL && !json_object_get_null_member (object, "storage_limit_kib"))
    *out_limit_kib = json_object_get_int_member (object, "storage_limit_kib");
  return TRUE;
}

/**
 * buzon_test_servers_pop3_state:
 * @address: the user
 * @flags: #BuzonTestPop3StateFlags
 *
 * Reads what a POP3 client sees, over an independent POP3 session (implicit
 * TLS, verified against the test CA) that QUITs without deleting anything.
 * Dovecot's UIDLs are the UID and the UIDVALIDITY in hex ("000000016b0f8082").
 *
 * Returns: (transfer full) (nullable): {address, greeting, apop_timestamp,
 *   capabilities_before_login, capabilities, count, size, messages: [{number,
 *   uidl, size, message_id, sha256, retr_size}]}; sha256 and retr_size (of the
 *   dot-unstuffed RETR bytes) only with %BUZON_TEST_POP3_STATE_BODIES
 */
JsonNode *
buzon_test_servers_pop3_state (BuzonTestServers         *self,
                               const char               *address,
                               BuzonTestPop3StateFlags   flags,
                               GError                  **error)
{
  g_autoptr(GPtrArray) args = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  args = command_new ("pop3-state", self->dir);
  if (flags & BUZON_TEST_POP3_STATE_BODIES)
    command_add (args, "--bodies");
  if (flags & BUZON_TEST_POP3_STATE_APOP)
    command_add (args, "--apop");
  command_add (args, "--");
  command_add (args, address);

  return command_run (args, NULL, error);
}

/**
 * buzon_test_servers_get_smtp_events:
 *
 * What the SMTP server logged so far, one object per event, in order: {time,
 * session, listener ("smtp" or "smtps"), event, ...}. Events: "connect" {peer,
 * tls}, "ehlo" {hostname, tls}, "starttls", "auth" {mechanism, user, tls,
 * success, detail} — "tls" says whether TLS was active at that moment —,
 * "mail" {address, options, tls, user}, "rcpt" {address, options}, "data"
 * {size, sender, recipients, delivered: [{rcpt, user, status}], sha256},
 * "disconnect".
 *
 * Returns: (transfer full) (nullable): a JSON array
 */
JsonNode *
buzon_test_servers_get_smtp_events (BuzonTestServers  *self,
                                    GError           **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonArray) events = NULL;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  if (!g_file_get_contents (buzon_test_servers_get_smtp_log (self), &contents, NULL, error))
    return NULL;

  events = json_array_new ();
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = NULL;

      if (*lines[i] == '\0')
        continue;
      parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, lines[i], -1, error))
        return NULL;
      json_array_add_element (events, json_parser_steal_root (parser));
    }

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, events);

  return node;
}

/**
 * buzon_test_servers_run:
 * @input: (nullable): bytes for the command's stdin
 * @subcommand: a `test-servers` subcommand
 * @...: its arguments after "--dir DIR", %NULL-terminated
 *
 * Runs any `test-servers` subcommand on this instance.
 *
 * Returns: (transfer full) (nullable): what it printed (a null node if nothing)
 */
JsonNode *
buzon_test_servers_run (BuzonTestServers  *self,
                        GBytes            *input,
                        GError           **error,
                        const char        *subcommand,
                        ...)
{
  g_autoptr(GPtrArray) args = NULL;
  va_list ap;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (subcommand != NULL, NULL);

  args = command_new (subcommand, self->dir);
  va_start (ap, subcommand);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    command_add (args, arg);
  va_end (ap);

  return command_run (args, input, error);
}

/**
 * buzon_test_servers_runv:
 * @input: (nullable): bytes for the command's stdin
 * @args: (array zero-terminated=1): a `test-servers` subcommand, then its
 *   arguments after "--dir DIR"
 *
 * Like buzon_test_servers_run(), for an argument list built at run time (an
 * `append` of many files at once).
 *
 * Returns: (transfer full) (nullable): what it printed (a null node if nothing)
 */
JsonNode *
buzon_test_servers_runv (BuzonTestServers   *self,
                         GBytes             *input,
                         const char * const *args,
                         GError            **error)
{
  g_autoptr(GPtrArray) command = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (args != NULL && args[0] != NULL, NULL);

  command = command_new (args[0], self->dir);
  for (guint i = 1; args[i] != NULL; i++)
    command_add (command, args[i]);

  return command_run (command, input, error);
}

/**
 * buzon_test_state_get_mailbox:
 * @state: what buzon_test_servers_get_state() returned
 * @mailbox: a folder name
 *
 * Returns: (transfer none) (nullable): the folder's {uidvalidity, uidnext,
 *   exists, unseen, messages, …}
 */
JsonObject *
buzon_test_state_get_mailbox (JsonNode   *state,
                              const char *mailbox)
{
  JsonObject *mailboxes;

  g_return_val_if_fail (state != NULL && JSON_NODE_HOLDS_OBJECT (state), NULL);
  g_return_val_if_fail (mailbox != NULL, NULL);

  mailboxes = json_object_get_object_member (json_node_get_object (state), "mailboxes");
  if (!json_object_has_member (mailboxes, mailbox))
    return NULL;

  return json_object_get_object_member (mailboxes, mailbox);
}

/**
 * buzon_test_state_find_message:
 * @message_id: a Message-ID, with its angle brackets
 *
 * Returns: (transfer none) (nullable): the first message of @mailbox with that
 *   Message-ID
 */
JsonObject *
buzon_test_state_find_message (JsonNode   *state,
                               const char *mailbox,
                               const char *message_id)
{
  JsonObject *box;
  JsonArray *messages;

  g_return_val_if_fail (message_id != NULL, NULL);

  box = buzon_test_state_get_mailbox (state, mailbox);
  if (box == NULL)
    return NULL;

  messages = json_object_get_array_member (box, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (!json_object_get_null_member (message, "message_id") &&
          g_strcmp0 (json_object_get_string_member (message, "message_id"), message_id) == 0)
        return message;
    }

  return NULL;
}

/**
 * buzon_test_state_find_folder:
 * @name: a folder name (UTF-8, with the server's delimiter)
 *
 * Returns: (transfer none) (nullable): the folder's {name, raw_name,
 *   delimiter, attributes, subscribed, selectable}
 */
JsonObject *
buzon_test_state_find_folder (JsonNode   *state,
                              const char *name)
{
  JsonArray *folders;

  g_return_val_if_fail (state != NULL && JSON_NODE_HOLDS_OBJECT (state), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  folders = json_object_get_array_member (json_node_get_object (state), "folders");
  for (guint i = 0; i < json_array_get_length (folders); i++)
    {
      JsonObject *folder = json_array_get_object_element (folders, i);

      if (g_strcmp0 (json_object_get_string_member (folder, "name"), name) == 0)
        return folder;
    }

  return NULL;
}

/**
 * buzon_test_pop3_state_find_message:
 * @state: what buzon_test_servers_pop3_state() returned
 * @message_id: a Message-ID, with its angle brackets
 *
 * Returns: (transfer none) (nullable): the first message with that Message-ID:
 *   {number, uidl, size, message_id, sha256, retr_size}
 */
JsonObject *
buzon_test_pop3_state_find_message (JsonNode   *state,
                                    const char *message_id)
{
  JsonArray *messages;

  g_return_val_if_fail (state != NULL && JSON_NODE_HOLDS_OBJECT (state), NULL);
  g_return_val_if_fail (message_id != NULL, NULL);

  messages = json_object_get_array_member (json_node_get_object (state), "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (!json_object_get_null_member (message, "message_id") &&
          g_strcmp0 (json_object_get_string_member (message, "message_id"), message_id) == 0)
        return message;
    }

  return NULL;
}
