/* test-cli-account.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Drives the real buzon-cli binary as a script would: a private XDG profile,
 * the test session's keyring (build-aux/dev test unlocks one), and checks the
 * exit codes, the one-line errors and the JSON the `account` commands print.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "buzon-account.h"
#include "buzon-secrets.h"

typedef struct
{
  char *dir;
} Fixture;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_clear_pointer (&result->out, g_free);
  g_clear_pointer (&result->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("buzon-cli-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Runs buzon-cli with @args (NULL-terminated) and @input on stdin. */
static void
run_cli (Fixture     *fixture,
         const char  *input,
         Result      *result,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_build_filename (fixture->dir, "data", NULL);
  g_autofree char *config_home = g_build_filename (fixture->dir, "config", NULL);
  g_autofree char *cache_home = g_build_filename (fixture->dir, "cache", NULL);
  const char *arg;
  va_list args;

  g_assert_nonnull (g_getenv ("BUZON_BUILD_ROOT"));
  g_ptr_array_add (argv, g_build_filename (g_getenv ("BUZON_BUILD_ROOT"), "src", "cli",
                                           "buzon-cli", NULL));
  va_start (args, result);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &result->out, &result->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  result->status = g_subprocess_get_exit_status (process);
}

/* build-aux/dev's test session unlocks a keyring and says so; there the
 * keyring tests must run, never skip. */
static gboolean
have_keyring (void)
{
  return g_strcmp0 (g_getenv ("BUZON_TEST_KEYRING"), "1") == 0;
}

static void
assert_one_line_error (const Result *result,
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
  g_auto(Result) version = { 0 };
  g_auto(Result) help = { 0 };
  g_auto(Result) nothing = { 0 };
  g_auto(Result) unknown = { 0 };

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
  g_auto(Result) empty = { 0 };
  g_auto(Result) add_imap = { 0 };
  g_auto(Result) add_pop = { 0 };
  g_auto(Result) list = { 0 };
  g_auto(Result) text = { 0 };
  g_auto(Result) show = { 0 };
  g_auto(Result) remove = { 0 };
  g_auto(Result) after = { 0 };
  g_autoptr(JsonArray) accounts = NULL;
  g_autofree char *db = g_build_filename (fixture->dir, "data", "buzon", "buzon.db", NULL);
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
      g_auto(Result) result = { 0 };
      const char * const *a = cases[i].args;

      g_test_message ("case %u: %s %s", i, a[0], a[1]);
      run_cli (fixture, "", &result, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
               a[10], a[11], a[12], a[13], a[14], a[15], NULL);
      g_assert_cmpint (result.status, ==, cases[i].status);
      assert_one_line_error (&result, cases[i].fragment);
    }

  /* A failed add leaves nothing behind. */
  {
    g_auto(Result) list = { 0 };

    run_cli (fixture, NULL, &list, "account", "list", NULL);
    g_assert_cmpint (list.status, ==, 0);
    g_assert_cmpstr (list.out, ==, "");
  }
}

static void
test_duplicate (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(Result) first = { 0 };
  g_auto(Result) second = { 0 };

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
  g_auto(Result) add = { 0 };
  g_auto(Result) set = { 0 };
  g_auto(Result) remove = { 0 };
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
    g_autofree char *db = g_build_filename (fixture->dir, "data", "buzon", "buzon.db", NULL);
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
  g_test_add_func ("/buzon/secrets/password-command", test_password_command);
  g_test_add_func ("/buzon/secrets/password-command-async", test_password_command_async);

  return g_test_run ();
}
