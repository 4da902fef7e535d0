/* test-cli-account.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Drives the real buzon-cli binary as a script would: a private XDG profile,
 * the test session's keyring (build-aux/dev test unlocks one), and checks the
 * exit codes, the one-line errors and the JSON the `account` commands print.
 * `account trust` runs against the private servers of tests/common with
 * their self-signed certificate (--cert untrusted): the CLI has no way to be
 * told about the test CA, by design, so every certificate it sees from them
 * is one that does not verify. The "trusted already" case of a CA-verified
 * certificate is covered by test-tls-probe.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "buzon-account.h"
#include "buzon-net.h"
#include "buzon-secrets.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-cli.h"
#include "buzon-test-servers.h"

typedef struct
{
  BuzonTestCli *cli;   /* the private profile */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->cli = buzon_test_cli_new ("buzon-cli-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->cli, buzon_test_cli_free);
}

/* Runs buzon-cli with @args (NULL-terminated) and @input on stdin; what it
 * prints must be UTF-8. */
static void
run_cli (Fixture            *fixture,
         const char         *input,
         BuzonTestCliResult *result,
         ...) G_GNUC_NULL_TERMINATED;

static void
run_cli (Fixture            *fixture,
         const char         *input,
         BuzonTestCliResult *result,
         ...)
{
  BuzonTestCliOptions options = { .flags = BUZON_TEST_CLI_UTF8, .input = input };
  va_list args;

  va_start (args, result);
  buzon_test_cli_run_valist (fixture->cli, &options, result, va_arg (args, const char *), args);
  va_end (args);
}

/* build-aux/dev's test session unlocks a keyring and says so; there the
 * keyring tests must run, never skip. */
static gboolean
have_keyring (void)
{
  return g_strcmp0 (g_getenv ("BUZON_TEST_KEYRING"), "1") == 0;
}

static void
assert_one_line_error (const BuzonTestCliResult *result,
                       const char   *fragment)
{
  g_assert_cmpint (result->status, !=, 0);
  g_assert_nonnull (result->err);
  g_assert_true (g_str_has_prefix (result->err, "buzon-cli: "));
  g_assert_true (g_str_has_suffix (result->err, "\n"));
  /* Exactly one line: the only newline is the last character. */
  g_assert_true (strchr (result->err, '\n') == result->err + strlen (result->err) - 1);
  if (fragment != NULL && strstr (result->err, fragment) == NULL)
    g_error ("“%s” not in the error “%s”", fragment, result->err);
}

static JsonArray *
parse_array (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_ref (json_node_get_array (root));
}

static void
test_version_help (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(BuzonTestCliResult) version = { 0 };
  g_auto(BuzonTestCliResult) help = { 0 };
  g_auto(BuzonTestCliResult) nothing = { 0 };
  g_auto(BuzonTestCliResult) unknown = { 0 };

  run_cli (fixture, NULL, &version, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_cmpstr (version.out, ==, "buzon-cli " PACKAGE_VERSION "\n");

  run_cli (fixture, NULL, &help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "account"));

  run_cli (fixture, NULL, &nothing, NULL);
  g_assert_cmpint (nothing.status, ==, 2);

  run_cli (fixture, NULL, &unknown, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
  assert_one_line_error (&unknown, "frobnicate");
}

static void
test_add_list_remove (Fixture       *fixture,
                      gconstpointer  data)
{
  g_auto(BuzonTestCliResult) empty = { 0 };
  g_auto(BuzonTestCliResult) add_imap = { 0 };
  g_auto(BuzonTestCliResult) add_pop = { 0 };
  g_auto(BuzonTestCliResult) list = { 0 };
  g_auto(BuzonTestCliResult) text = { 0 };
  g_auto(BuzonTestCliResult) show = { 0 };
  g_auto(BuzonTestCliResult) remove = { 0 };
  g_auto(BuzonTestCliResult) after = { 0 };
  g_autoptr(JsonArray) accounts = NULL;
  g_autofree char *db = buzon_test_cli_dup_store_path (fixture->cli);
  g_autofree char *db_dir = g_path_get_dirname (db);
  JsonObject *imap, *pop, *smtp;
  struct stat st;

  run_cli (fixture, NULL, &empty, "account", "list", "--json", NULL);
  g_assert_cmpint (empty.status, ==, 0);
  accounts = parse_array (empty.out);
  g_assert_cmpuint (json_array_get_length (accounts), ==, 0);
  g_clear_pointer (&accounts, json_array_unref);

  /* The store lives in the profile, private to the user. */
  g_assert_cmpint (g_stat (db_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (db, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  run_cli (fixture, NULL, &add_imap, "account", "add", "Trabajo",
           "--address", "ana@example.test", "--protocol", "imap", "--host", "127.0.0.1",
           "--security", "starttls", "--password-command", "echo secreto",
           "--sync", "full-days:30",
           "--smtp-host", "smtp.example.test", "--smtp-security", "tls", "--smtp-user", "ana",
           NULL);
  g_assert_cmpint (add_imap.status, ==, 0);
  g_assert_cmpstr (add_imap.err, ==, "");

  run_cli (fixture, "", &add_pop, "account", "add", "Casa",
           "--address", "bruno@example.test", "--protocol", "pop3", "--host", "pop.example.test",
           "--port", "10995", "--security", "tls", "--user", "bruno",
           "--pop3-mode", "keep-days:7", "--password-command", "printf 'p w\\n'", NULL);
  g_assert_cmpint (add_pop.status, ==, 0);

  run_cli (fixture, NULL, &list, "account", "list", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);
  accounts = parse_array (list.out);
  g_assert_cmpuint (json_array_get_length (accounts), ==, 2);

  imap = json_array_get_object_element (accounts, 0);
  g_assert_cmpstr (json_object_get_string_member (imap, "name"), ==, "Trabajo");
  g_assert_cmpstr (json_object_get_string_member (imap, "address"), ==, "ana@example.test");
  g_assert_cmpstr (json_object_get_string_member (imap, "protocol"), ==, "imap");
  g_assert_cmpstr (json_object_get_string_member (imap, "security"), ==, "starttls");
  g_assert_cmpint (json_object_get_int_member (imap, "port"), ==, 143);
  g_assert_cmpstr (json_object_get_string_member (imap, "user"), ==, "ana@example.test");
  g_assert_cmpstr (json_object_get_string_member (imap, "sync"), ==, "full-days:30");
  g_assert_cmpstr (json_object_get_string_member (imap, "password_command"), ==, "echo secreto");
  smtp = json_object_get_object_member (imap, "smtp");
  g_assert_nonnull (smtp);
  g_assert_cmpstr (json_object_get_string_member (smtp, "host"), ==, "smtp.example.test");
  g_assert_cmpint (json_object_get_int_member (smtp, "port"), ==, 465);
  g_assert_cmpstr (json_object_get_string_member (smtp, "security"), ==, "tls");
  g_assert_cmpstr (json_object_get_string_member (smtp, "user"), ==, "ana");

  pop = json_array_get_object_element (accounts, 1);
  g_assert_cmpstr (json_object_get_string_member (pop, "name"), ==, "Casa");
  g_assert_cmpstr (json_object_get_string_member (pop, "protocol"), ==, "pop3");
  g_assert_cmpint (json_object_get_int_member (pop, "port"), ==, 10995);
  g_assert_cmpstr (json_object_get_string_member (pop, "user"), ==, "bruno");
  g_assert_cmpstr (json_object_get_string_member (pop, "pop3_mode"), ==, "keep-days:7");
  g_assert_true (json_object_get_null_member (pop, "smtp"));

  run_cli (fixture, NULL, &text, "account", "list", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_cmpstr (text.out, ==,
                   "Trabajo\tana@example.test\timap\t127.0.0.1:143\n"
                   "Casa\tbruno@example.test\tpop3\tpop.example.test:10995\n");

  run_cli (fixture, NULL, &show, "account", "show", "Casa", NULL);
  g_assert_cmpint (show.status, ==, 0);
  g_assert_nonnull (strstr (show.out, "keep-days:7"));

  run_cli (fixture, NULL, &remove, "account", "remove", "Trabajo", NULL);
  g_assert_cmpint (remove.status, ==, 0);

  run_cli (fixture, NULL, &after, "account", "list", "--json", NULL);
  g_clear_pointer (&accounts, json_array_unref);
  accounts = parse_array (after.out);
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (accounts, 0),
                                                  "name"), ==, "Casa");
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  struct {
    const char *args[16];
    int         status;
    const char *fragment;
  } cases[] = {
    { { "account", "add", "X", "--protocol", "imap", "--host", "h", "--security", "tls" },
      2, "--address" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "jmap", "--host", "h",
        "--security", "tls" }, 2, "jmap" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "imap", "--host", "h",
        "--security", "ssl" }, 2, "ssl" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "imap", "--host", "h",
        "--security", "tls", "--port", "70000" }, 2, "65535" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "imap", "--host", "h",
        "--security", "tls", "--port", "many" }, 2, "many" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "pop3", "--host", "h",
        "--security", "tls", "--pop3-mode", "keep-days:0" }, 2, "keep-days:0" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "imap", "--host", "h",
        "--security", "tls", "--pop3-mode", "delete" }, 2, "POP3" },
    { { "account", "add", "X", "--address", "not-an-address", "--protocol", "imap",
        "--host", "h", "--security", "tls", "--password-command", "true" }, 2, "not-an-address" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "imap", "--host", "h",
        "--security", "tls", "--smtp-port", "25" }, 2, "--smtp-host" },
    { { "account", "add", "X", "--address", "a@b.c", "--protocol", "imap", "--host", "h",
        "--security", "tls", "--password-stdin", "--password-command", "x" }, 2, "both" },
    { { "account", "add" }, 2, "one account name" },
    { { "account", "remove", "Nobody" }, 1, "Nobody" },
    { { "account", "show", "Nobody" }, 1, "Nobody" },
    { { "account", "list", "extra" }, 2, NULL },
    { { "account", "rename" }, 2, "rename" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(BuzonTestCliResult) result = { 0 };
      const char * const *a = cases[i].args;

      g_test_message ("case %u: %s %s", i, a[0], a[1]);
      run_cli (fixture, "", &result, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
               a[10], a[11], a[12], a[13], a[14], a[15], NULL);
      g_assert_cmpint (result.status, ==, cases[i].status);
      assert_one_line_error (&result, cases[i].fragment);
    }

  /* A failed add leaves nothing behind. */
  {
    g_auto(BuzonTestCliResult) list = { 0 };

    run_cli (fixture, NULL, &list, "account", "list", NULL);
    g_assert_cmpint (list.status, ==, 0);
    g_assert_cmpstr (list.out, ==, "");
  }
}

static void
test_duplicate (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(BuzonTestCliResult) first = { 0 };
  g_auto(BuzonTestCliResult) second = { 0 };

  run_cli (fixture, NULL, &first, "account", "add", "Dup", "--address", "a@b.c",
           "--protocol", "imap", "--host", "h", "--security", "tls",
           "--password-command", "echo one", NULL);
  g_assert_cmpint (first.status, ==, 0);

  run_cli (fixture, NULL, &second, "account", "add", "Dup", "--address", "z@b.c",
           "--protocol", "pop3", "--host", "h", "--security", "tls",
           "--password-command", "echo two", NULL);
  g_assert_cmpint (second.status, ==, 1);
  assert_one_line_error (&second, "Dup");
}

static BuzonAccount *
account_named (const char *name,
               const char *address)
{
  BuzonAccount *account = buzon_account_new (name);

  buzon_account_set_address (account, address);
  return account;
}

static void
test_keyring (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *name = g_strdup_printf ("Keyring test %d", (int)getpid ());
  g_autoptr(BuzonAccount) account = account_named (name, "k@example.test");
  g_auto(BuzonTestCliResult) add = { 0 };
  g_auto(BuzonTestCliResult) set = { 0 };
  g_auto(BuzonTestCliResult) remove = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *smtp_password = NULL;

  if (!have_keyring ())
    {
      g_test_skip ("no session keyring (run through build-aux/dev test)");
      return;
    }

  run_cli (fixture, "contraseña con espacios\n", &add, "account", "add", name,
           "--address", "k@example.test", "--protocol", "imap", "--host", "127.0.0.1",
           "--security", "tls", "--password-stdin", NULL);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_cmpstr (add.err, ==, "");

  password = buzon_secrets_lookup_password (account, BUZON_SECRET_INCOMING, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "contraseña con espacios");

  /* Without an SMTP password of its own, SMTP uses the incoming one. */
  smtp_password = buzon_secrets_lookup_password (account, BUZON_SECRET_SMTP, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtp_password, ==, "contraseña con espacios");
  g_clear_pointer (&smtp_password, g_free);

  run_cli (fixture, "smtp-pw\r\n", &set, "account", "set-password", name, "--smtp", NULL);
  g_assert_cmpint (set.status, ==, 0);
  smtp_password = buzon_secrets_lookup_password (account, BUZON_SECRET_SMTP, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (smtp_password, ==, "smtp-pw");

  /* The password is not in the store's files. */
  {
    g_autofree char *db = buzon_test_cli_dup_store_path (fixture->cli);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    const char *files[] = { db, wal };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *contents = NULL;
        gsize len = 0;

        if (!g_file_get_contents (files[i], &contents, &len, NULL))
          continue;
        g_assert_null (g_strstr_len (contents, (gssize)len, "contraseña con espacios"));
        g_assert_null (g_strstr_len (contents, (gssize)len, "smtp-pw"));
      }
  }

  run_cli (fixture, NULL, &remove, "account", "remove", name, NULL);
  g_assert_cmpint (remove.status, ==, 0);

  g_clear_pointer (&password, g_free);
  password = buzon_secrets_lookup_password (account, BUZON_SECRET_INCOMING, NULL, &error);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_NO_PASSWORD);
  g_assert_null (password);
}

static void
test_password_command (void)
{
  g_autoptr(BuzonAccount) account = account_named ("Cmd", "c@example.test");
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;

  buzon_account_set_password_command (account, "printf 'first line\\nsecond line\\n'");
  password = buzon_secrets_lookup_password (account, BUZON_SECRET_INCOMING, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "first line");

  g_clear_pointer (&password, g_free);
  buzon_account_set_password_command (account, "exit 3");
  password = buzon_secrets_lookup_password (account, BUZON_SECRET_INCOMING, NULL, &error);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
  g_assert_null (password);
  g_clear_error (&error);

  buzon_account_set_password_command (account, "true");
  password = buzon_secrets_lookup_password (account, BUZON_SECRET_INCOMING, NULL, &error);
  g_assert_error (error, BUZON_ACCOUNT_ERROR, BUZON_ACCOUNT_ERROR_PASSWORD_COMMAND);
  g_assert_null (password);
}

/* account trust */

/* One instance for the whole executable, started on first use. */
static BuzonTestServers *untrusted_servers;
static gboolean untrusted_tried;

static BuzonTestServers *
get_untrusted_servers (void)
{
  const char * const args[] = { "--cert", "untrusted", NULL };

  return buzon_test_servers_start_once (&untrusted_servers, &untrusted_tried, "minimal", args);
}

static const char *
untrusted_sha256 (BuzonTestServers *servers)
{
  return json_object_get_string_member (buzon_test_servers_get_info (servers),
                                        "untrusted_cert_sha256");
}

static char *
port_string (BuzonTestServers *servers,
             const char       *service)
{
  return g_strdup_printf ("%u", buzon_test_servers_get_port (servers, service));
}

/* Adds an account named @name on @servers' @service port (no SMTP server). */
static void
add_account (Fixture          *fixture,
             BuzonTestServers *servers,
             const char       *name,
             const char       *protocol,
             const char       *service,
             const char       *security)
{
  g_auto(BuzonTestCliResult) add = { 0 };
  g_autofree char *port = port_string (servers, service);

  run_cli (fixture, NULL, &add, "account", "add", name, "--address", "ana@example.test",
           "--protocol", protocol, "--host", buzon_test_servers_get_host (servers),
           "--port", port, "--security", security, "--password-command", "echo ana-secret",
           NULL);
  g_assert_cmpint (add.status, ==, 0);
}

/* The pin the profile holds for @servers' @service port, or NULL. */
static char *
lookup_pin (Fixture          *fixture,
            BuzonTestServers *servers,
            const char       *service)
{
  BuzonStore *store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(GError) error = NULL;
  char *pin;

  pin = buzon_store_lookup_pin (store, buzon_test_servers_get_host (servers),
                                (guint16) buzon_test_servers_get_port (servers, service), &error);
  if (pin == NULL)
    g_assert_error (error, BUZON_STORE_ERROR, BUZON_STORE_ERROR_NOT_FOUND);
  buzon_test_finalize_object (store);

  return pin;
}

static void
assert_contains (const char *text,
                 const char *fragment)
{
  if (strstr (text, fragment) == NULL)
    g_error ("“%s” not in “%s”", fragment, text);
}

/* --fingerprint: a wrong one pins nothing, the right one (in any spelling)
 * pins, and a session's connection with the store then accepts the
 * certificate. */
static void
test_trust_fingerprint (Fixture       *fixture,
                        gconstpointer  data)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_auto(BuzonTestCliResult) wrong = { 0 };
  g_auto(BuzonTestCliResult) malformed = { 0 };
  g_auto(BuzonTestCliResult) right = { 0 };
  g_auto(BuzonTestCliResult) again = { 0 };
  g_autofree char *fingerprint = NULL;
  g_autofree char *other = NULL;
  g_autofree char *other_fingerprint = NULL;
  g_autofree char *server = NULL;
  g_autofree char *pin = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonConnection) connection = NULL;
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GError) error = NULL;
  BuzonStore *store;

  if (servers == NULL)
    return;

  add_account (fixture, servers, "Tls", "imap", "imaps", "tls");
  fingerprint = buzon_certificate_format_fingerprint (untrusted_sha256 (servers));
  server = g_strdup_printf ("%s:%u", buzon_test_servers_get_host (servers),
                            buzon_test_servers_get_port (servers, "imaps"));

  /* A well-formed fingerprint of another certificate. */
  other = g_strnfill (64, 'a');
  other_fingerprint = buzon_certificate_format_fingerprint (other);
  run_cli (fixture, NULL, &wrong, "account", "trust", "Tls", "--fingerprint", other, NULL);
  g_test_message ("%s%s", wrong.out, wrong.err);
  g_assert_cmpint (wrong.status, ==, 1);
  assert_one_line_error (&wrong, fingerprint);
  assert_contains (wrong.err, other_fingerprint);
  assert_contains (wrong.err, "nothing was trusted");
  assert_contains (wrong.out, fingerprint);
  assert_contains (wrong.out, server);
  g_assert_null (lookup_pin (fixture, servers, "imaps"));

  /* Not a fingerprint at all: a usage error, before connecting. */
  run_cli (fixture, NULL, &malformed, "account", "trust", "Tls", "--fingerprint", "WRONG", NULL);
  g_assert_cmpint (malformed.status, ==, 2);
  assert_one_line_error (&malformed, "WRONG");
  g_assert_cmpstr (malformed.out, ==, "");
  g_assert_null (lookup_pin (fixture, servers, "imaps"));

  /* Uppercase with colons, as browsers show it. */
  run_cli (fixture, NULL, &right, "account", "trust", "Tls", "--fingerprint", fingerprint, NULL);
  g_test_message ("%s%s", right.out, right.err);
  g_assert_cmpint (right.status, ==, 0);
  g_assert_cmpstr (right.err, ==, "");
  assert_contains (right.out, server);
  assert_contains (right.out, fingerprint);
  assert_contains (right.out, "Issued to: ");
  assert_contains (right.out, "self-signed");
  assert_contains (right.out, "Trusted now");
  pin = lookup_pin (fixture, servers, "imaps");
  g_assert_cmpstr (pin, ==, untrusted_sha256 (servers));

  /* A second run finds it pinned and changes nothing; lowercase works too. */
  run_cli (fixture, NULL, &again, "account", "trust", "Tls", "--fingerprint",
           untrusted_sha256 (servers), NULL);
  g_assert_cmpint (again.status, ==, 0);
  assert_contains (again.out, "trusted already");
  assert_contains (again.out, "you chose to trust it");

  /* What a session does: connect with the store, which holds the pin. */
  store = buzon_test_cli_open_store (fixture->cli);
  account = buzon_store_lookup_account (store, "Tls", &error);
  g_assert_no_error (error);
  connection = buzon_connection_new_for_account (account, BUZON_CONNECTION_SERVER_INCOMING);
  buzon_connection_set_store (connection, store);
  buzon_connection_connect_async (connection, NULL, buzon_test_result_cb, &connected);
  g_assert_true (buzon_connection_connect_finish (connection, buzon_test_wait_for (&connected),
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (buzon_connection_is_pinned (connection));
  buzon_connection_disconnect (connection);
  g_clear_object (&connected);
  g_clear_object (&connection);
  buzon_test_finalize_object (store);
}

/* Without --fingerprint the presented certificate is pinned, for that port
 * only: IMAP STARTTLS, POP3 STLS, SMTP STARTTLS (--smtp). */
static void
test_trust_starttls (Fixture       *fixture,
                     gconstpointer  data)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_auto(BuzonTestCliResult) imap = { 0 };
  g_auto(BuzonTestCliResult) pop = { 0 };
  g_auto(BuzonTestCliResult) add_smtp = { 0 };
  g_auto(BuzonTestCliResult) smtp = { 0 };
  g_auto(BuzonTestCliResult) smtp_again = { 0 };
  g_autofree char *smtp_port = NULL;
  g_autofree char *imap_pin = NULL;
  g_autofree char *pop_pin = NULL;
  g_autofree char *smtp_pin = NULL;
  g_autofree char *server = NULL;

  if (servers == NULL)
    return;

  add_account (fixture, servers, "Imap", "imap", "imap", "starttls");
  add_account (fixture, servers, "Pop", "pop3", "pop3", "starttls");

  run_cli (fixture, NULL, &imap, "account", "trust", "Imap", NULL);
  g_test_message ("%s%s", imap.out, imap.err);
  g_assert_cmpint (imap.status, ==, 0);
  g_assert_cmpstr (imap.err, ==, "");
  assert_contains (imap.out, "(imap, starttls)");
  assert_contains (imap.out, "Trusted now");
  imap_pin = lookup_pin (fixture, servers, "imap");
  g_assert_cmpstr (imap_pin, ==, untrusted_sha256 (servers));
  /* Nothing for the other ports. */
  g_assert_null (lookup_pin (fixture, servers, "imaps"));
  g_assert_null (lookup_pin (fixture, servers, "pop3"));

  run_cli (fixture, NULL, &pop, "account", "trust", "Pop", NULL);
  g_assert_cmpint (pop.status, ==, 0);
  assert_contains (pop.out, "(pop3, starttls)");
  pop_pin = lookup_pin (fixture, servers, "pop3");
  g_assert_cmpstr (pop_pin, ==, untrusted_sha256 (servers));

  smtp_port = port_string (servers, "smtp");
  run_cli (fixture, NULL, &add_smtp, "account", "add", "Smtp", "--address", "ana@example.test",
           "--protocol", "imap", "--host", buzon_test_servers_get_host (servers),
           "--security", "starttls", "--password-command", "echo ana-secret",
           "--smtp-host", buzon_test_servers_get_host (servers), "--smtp-port", smtp_port,
           "--smtp-security", "starttls", NULL);
  g_assert_cmpint (add_smtp.status, ==, 0);

  run_cli (fixture, NULL, &smtp, "account", "trust", "Smtp", "--smtp", NULL);
  g_test_message ("%s%s", smtp.out, smtp.err);
  g_assert_cmpint (smtp.status, ==, 0);
  server = g_strdup_printf ("%s:%s (smtp, starttls)", buzon_test_servers_get_host (servers),
                            smtp_port);
  assert_contains (smtp.out, server);
  assert_contains (smtp.out, "Trusted now");
  smtp_pin = lookup_pin (fixture, servers, "smtp");
  g_assert_cmpstr (smtp_pin, ==, untrusted_sha256 (servers));

  run_cli (fixture, NULL, &smtp_again, "account", "trust", "Smtp", "--smtp", NULL);
  g_assert_cmpint (smtp_again.status, ==, 0);
  assert_contains (smtp_again.out, "trusted already");
}

/* A pin of another certificate is replaced, and the output says so. */
static void
test_trust_replaces_pin (Fixture       *fixture,
                         gconstpointer  data)
{
  BuzonTestServers *servers = get_untrusted_servers ();
  g_auto(BuzonTestCliResult) trust = { 0 };
  g_autofree char *old = g_strnfill (64, 'b');
  g_autofree char *old_fingerprint = buzon_certificate_format_fingerprint (old);
  g_autofree char *pin = NULL;
  g_autoptr(GError) error = NULL;
  BuzonStore *store;

  if (servers == NULL)
    return;

  add_account (fixture, servers, "Pop", "pop3", "pop3s", "tls");
  store = buzon_test_cli_open_store (fixture->cli);
  buzon_store_set_pin (store, buzon_test_servers_get_host (servers),
                       (guint16) buzon_test_servers_get_port (servers, "pop3s"), old, &error);
  g_assert_no_error (error);
  buzon_test_finalize_object (store);

  run_cli (fixture, NULL, &trust, "account", "trust", "Pop", NULL);
  g_test_message ("%s%s", trust.out, trust.err);
  g_assert_cmpint (trust.status, ==, 0);
  assert_contains (trust.out, "Trusted now");
  assert_contains (trust.out, "replaces");
  assert_contains (trust.out, old_fingerprint);
  pin = lookup_pin (fixture, servers, "pop3s");
  g_assert_cmpstr (pin, ==, untrusted_sha256 (servers));
}

/* A port nothing listens on: one that was free a moment ago. */
static guint16
unused_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return port;
}

static void
test_trust_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(BuzonTestCliResult) add_none = { 0 };
  g_auto(BuzonTestCliResult) add_down = { 0 };
  g_auto(BuzonTestCliResult) none = { 0 };
  g_auto(BuzonTestCliResult) down = { 0 };
  g_auto(BuzonTestCliResult) no_smtp = { 0 };
  g_auto(BuzonTestCliResult) nobody = { 0 };
  g_auto(BuzonTestCliResult) no_name = { 0 };
  g_auto(BuzonTestCliResult) help = { 0 };
  g_autofree char *port = g_strdup_printf ("%u", unused_port ());

  run_cli (fixture, NULL, &add_none, "account", "add", "Clear", "--address", "a@example.test",
           "--protocol", "pop3", "--host", "127.0.0.1", "--port", "110", "--security", "none",
           "--password-command", "echo x", NULL);
  g_assert_cmpint (add_none.status, ==, 0);
  run_cli (fixture, NULL, &add_down, "account", "add", "Down", "--address", "a@example.test",
           "--protocol", "imap", "--host", "127.0.0.1", "--port", port, "--security", "tls",
           "--password-command", "echo x", NULL);
  g_assert_cmpint (add_down.status, ==, 0);

  run_cli (fixture, NULL, &none, "account", "trust", "Clear", NULL);
  g_assert_cmpint (none.status, ==, 1);
  assert_one_line_error (&none, "no certificate to trust");
  assert_contains (none.err, "“127.0.0.1”");
  g_assert_cmpstr (none.out, ==, "");

  run_cli (fixture, NULL, &down, "account", "trust", "Down", NULL);
  g_assert_cmpint (down.status, ==, 1);
  assert_one_line_error (&down, "“127.0.0.1”");
  assert_contains (down.err, port);
  g_assert_cmpstr (down.out, ==, "");

  run_cli (fixture, NULL, &no_smtp, "account", "trust", "Down", "--smtp", NULL);
  g_assert_cmpint (no_smtp.status, ==, 1);
  assert_one_line_error (&no_smtp, "SMTP");

  run_cli (fixture, NULL, &nobody, "account", "trust", "Nobody", NULL);
  g_assert_cmpint (nobody.status, ==, 1);
  assert_one_line_error (&nobody, "Nobody");

  run_cli (fixture, NULL, &no_name, "account", "trust", NULL);
  g_assert_cmpint (no_name.status, ==, 2);
  assert_one_line_error (&no_name, "one account name");

  run_cli (fixture, NULL, &help, "account", "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  assert_contains (help.out, "trust NAME");
}

static void
lookup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = buzon_secrets_lookup_password_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_password_command_async (void)
{
  g_autoptr(BuzonAccount) account = account_named ("Async", "a@example.test");
  g_autofree char *password = NULL;

  buzon_account_set_password_command (account, "echo from-a-thread");
  buzon_secrets_lookup_password_async (account, BUZON_SECRET_INCOMING, NULL,
                                       lookup_done_cb, &password);
  while (password == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (password, ==, "from-a-thread");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/cli/version-help", Fixture, NULL,
              fixture_set_up, test_version_help, fixture_tear_down);
  g_test_add ("/buzon/cli/account/add-list-remove", Fixture, NULL,
              fixture_set_up, test_add_list_remove, fixture_tear_down);
  g_test_add ("/buzon/cli/account/errors", Fixture, NULL,
              fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/buzon/cli/account/duplicate", Fixture, NULL,
              fixture_set_up, test_duplicate, fixture_tear_down);
  g_test_add ("/buzon/cli/account/keyring", Fixture, NULL,
              fixture_set_up, test_keyring, fixture_tear_down);
  g_test_add ("/buzon/cli/account/trust/fingerprint", Fixture, NULL,
              fixture_set_up, test_trust_fingerprint, fixture_tear_down);
  g_test_add ("/buzon/cli/account/trust/starttls", Fixture, NULL,
              fixture_set_up, test_trust_starttls, fixture_tear_down);
  g_test_add ("/buzon/cli/account/trust/replaces-pin", Fixture, NULL,
              fixture_set_up, test_trust_replaces_pin, fixture_tear_down);
  g_test_add ("/buzon/cli/account/trust/errors", Fixture, NULL,
              fixture_set_up, test_trust_errors, fixture_tear_down);
  g_test_add_func ("/buzon/secrets/password-command", test_password_command);
  g_test_add_func ("/buzon/secrets/password-command-async", test_password_command_async);

  status = g_test_run ();

  g_clear_pointer (&untrusted_servers, buzon_test_servers_stop);
  /* As test-connection.c: the pinned connection ran GnuTLS handshakes in
   * thread-pool workers (see buzon_test_let_pool_threads_exit()). */
  buzon_test_let_pool_threads_exit ();

  return status;
}
