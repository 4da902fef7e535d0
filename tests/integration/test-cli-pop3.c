/* test-cli-pop3.c — `buzon-cli sync` of POP3 accounts, as a user runs it
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing lost, nothing twice: the real buzon-cli downloads 500 messages
 * (lines beginning with "." among them) from the real Dovecot and is killed
 * with SIGKILL at a named point of the check (BUZON_TEST_CRASH_AT, see
 * buzon-pop3-sync.c): connected, listed, while RETRs are in flight, after a
 * RETR arrived but before its batch was committed, between a commit and its
 * DELEs, while DELEs are in flight, before QUIT, while QUIT is in flight,
 * after QUIT but before the bookkeeping. After every kill it runs again to
 * the end; then every message put on the server is stored here exactly
 * once (Message-ID and bytes), and the server's mailbox is empty (delete
 * mode) or still holds every message (leave on server).
 *
 * Also: a server without UIDL (the scripted fake server; the account warns
 * that leave-on-server cannot be exact), without TOP, one that drops the
 * connection after DELE before QUIT (nothing deleted, nothing lost), and a
 * 10,000-message mailbox.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "buzon-account.h"
#include "buzon-store.h"
#include "buzon-test-cli.h"
#include "buzon-test-fake-pop3.h"
#include "buzon-test-servers.h"

#define ACCOUNT "Casa"
#define PASSWORD "pop-cli-secret"
#define N_KILL_MESSAGES 500

static BuzonTestServers *servers;
static gboolean servers_tried;
static guint user_counter;

typedef struct
{
  BuzonTestCli *cli;       /* the private profile */
  char         *address;
  gboolean      trusted;
} Fixture;

static BuzonTestServers *
get_servers (void)
{
  return buzon_test_servers_start_once (&servers, &servers_tried, "full", NULL);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  (void)data;
  fixture->cli = buzon_test_cli_new ("buzon-cli-pop3-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  (void)data;
  g_clear_pointer (&fixture->cli, buzon_test_cli_free);
  g_clear_pointer (&fixture->address, g_free);
}

/* Running buzon-cli: being killed is a result here (BUZON_TEST_CRASH_AT). */

/* Runs buzon-cli with @args (NULL-terminated) and, if @crash_at is set,
 * BUZON_TEST_CRASH_AT=@crash_at in its environment. */
static void
run_cli_env (Fixture            *fixture,
             BuzonTestCliResult *result,
             const char         *crash_at,
             const char * const *args)
{
  g_autofree char *hook = crash_at != NULL ? g_strconcat ("BUZON_TEST_CRASH_AT=", crash_at, NULL)
                                           : NULL;
  const char * const env[] = { hook, NULL };
  BuzonTestCliOptions options = { .flags = BUZON_TEST_CLI_SIGNAL_OK, .env = env };

  buzon_test_cli_runv (fixture->cli, &options, args, result);
}

static void run_cli (Fixture *fixture, BuzonTestCliResult *result, ...) G_GNUC_NULL_TERMINATED;

static void
run_cli (Fixture            *fixture,
         BuzonTestCliResult *result,
         ...)
{
  static const BuzonTestCliOptions options = { .flags = BUZON_TEST_CLI_SIGNAL_OK };
  va_list ap;

  va_start (ap, result);
  buzon_test_cli_run_valist (fixture->cli, &options, result, va_arg (ap, const char *), ap);
  va_end (ap);
}

static void
assert_ok (const BuzonTestCliResult *result,
           const char   *what)
{
  if (result->status != 0)
    g_error ("%s failed (status %d, signal %d):\n%s%s", what, result->status, result->signal,
             result->out, result->err);
}

/* A POP3 account on @port, in @mode. */
static void
add_account (Fixture       *fixture,
             const char    *address,
             guint          port,
             const char    *security,
             const char    *password,
             const char    *mode)
{
  g_auto(BuzonTestCliResult) result = { 0, };
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *command = g_strdup_printf ("echo %s", password);
  g_autofree char *mode_option = g_strdup_printf ("--pop3-mode=%s", mode);

  run_cli (fixture, &result, "account", "add", ACCOUNT, "--address", address, "--protocol",
           "pop3", "--host", "127.0.0.1", "--port", port_text, "--security", security,
           "--password-command", command, mode_option, NULL);
  assert_ok (&result, "account add");
}

/* A new Dovecot user with an account for it, its certificate trusted. */
static void
add_dovecot_account (Fixture    *fixture,
                     const char *mode)
{
  g_autoptr(GError) error = NULL;
  g_auto(BuzonTestCliResult) result = { 0, };

  fixture->address = g_strdup_printf ("pop-cli-%u@example.test", ++user_counter);
  g_assert_true (buzon_test_servers_add_user (servers, fixture->address, PASSWORD, &error));
  g_assert_no_error (error);
  add_account (fixture, fixture->address, buzon_test_servers_get_port (servers, "pop3s"), "tls",
               PASSWORD, mode);
  run_cli (fixture, &result, "account", "trust", ACCOUNT, "--fingerprint",
           buzon_test_servers_get_cert_sha256 (servers), NULL);
  assert_ok (&result, "account trust");
}

/* What was put on the server: sha256 → Message-ID. */
static GHashTable *
fill (Fixture *fixture,
      guint    count,
      guint    seed)
{
  BuzonTestFillOptions options = { .seed = seed, .flags = BUZON_TEST_FILL_DOT_LINES };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  GHashTable *sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *messages;

  node = buzon_test_servers_fill (servers, fixture->address, count, &options, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (json_node_get_object (node), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, count);
  for (guint i = 0; i < count; i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      g_hash_table_insert (sent, g_strdup (json_object_get_string_member (message, "sha256")),
                           g_strdup (json_object_get_string_member (message, "message_id")));
    }

  return sent;
}

/* Every message in @sent is in the local Inbox exactly once, byte for
 * byte with its Message-ID, and nothing else is. */
static void
assert_stored_once (Fixture    *fixture,
                    GHashTable *sent)
{
  g_autoptr(BuzonStore) store = buzon_test_cli_open_store (fixture->cli);
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;

  account = buzon_store_lookup_account (store, ACCOUNT, &error);
  g_assert_no_error (error);
  inbox = buzon_store_lookup_folder (store, buzon_account_get_id (account), "INBOX", &error);
  g_assert_no_error (error);
  messages = buzon_store_list_messages (store, inbox->id, 0, G_MAXUINT, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < messages->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (messages, i);
      g_autoptr(GBytes) body = buzon_store_get_body (store, summary->id, &error);
      g_autofree char *digest = NULL;
      const char *message_id;

      g_assert_no_error (error);
      digest = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
      message_id = g_hash_table_lookup (sent, digest);
      if (message_id == NULL)
        g_error ("stored message %" G_GINT64_FORMAT " (%s) was never sent", summary->id,
                 summary->message_id);
      g_assert_cmpstr (summary->message_id, ==, message_id);
      if (!g_hash_table_add (seen, g_strdup (digest)))
        g_error ("message %s is stored twice", message_id);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_hash_table_size (sent));
}

static guint
server_count (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = buzon_test_servers_pop3_state (servers, fixture->address,
                                                             BUZON_TEST_POP3_STATE_NONE, &error);

  g_assert_no_error (error);
  return (guint)json_object_get_int_member (json_node_get_object (state), "count");
}

/* The kill points */

typedef struct
{
  const char *mode;
  const char *point;
} KillCase;

/* Delete mode: 23 points. Batches hold 100 messages, so 500 make 5. */
static const char * const delete_points[] = {
  "connected:1", "listed:1",
  "retr-sent:1", "retr-sent:40",
  "retr-received:1", "retr-received:99", "retr-received:100", "retr-received:101",
  "retr-received:250", "retr-received:500",
  "batch-committed:1", "batch-committed:3", "batch-committed:5",
  "dele-sent:1", "dele-sent:150", "dele-sent:500",
  "dele-answered:1", "dele-answered:300", "dele-answered:500",
  "before-quit:1", "quit-sent:1", "after-quit:1", "after-bookkeeping:1",
  NULL
};

/* Leave on server: 20 points (no DELE in this mode). */
static const char * const keep_points[] = {
  "connected:1", "listed:1",
  "retr-sent:1", "retr-sent:33", "retr-sent:300",
  "retr-received:1", "retr-received:50", "retr-received:100", "retr-received:101",
  "retr-received:333", "retr-received:500",
  "batch-committed:1", "batch-committed:2", "batch-committed:4", "batch-committed:5",
  "deletions-answered:1", "before-quit:1", "quit-sent:1", "after-quit:1",
  "after-bookkeeping:1",
  NULL
};

static void
kill_and_finish (const char         *mode,
                 const char * const *points)
{
  guint n = 0;

  for (guint i = 0; points[i] != NULL; i++, n++)
    {
      Fixture fixture = { NULL, };
      g_autoptr(GHashTable) sent = NULL;
      const char * const sync_args[] = { "sync", ACCOUNT, NULL };

      fixture_set_up (&fixture, NULL);
      add_dovecot_account (&fixture, mode);
      sent = fill (&fixture, N_KILL_MESSAGES, 1000 + user_counter);

      {
        g_auto(BuzonTestCliResult) killed = { 0, };

        run_cli_env (&fixture, &killed, points[i], sync_args);
        if (killed.signal != SIGKILL)
          g_error ("%s: buzon-cli was not killed at %s (status %d):\n%s", mode, points[i],
                   killed.status, killed.err);
      }

      {
        g_auto(BuzonTestCliResult) rest = { 0, };

        run_cli_env (&fixture, &rest, NULL, sync_args);
        assert_ok (&rest, points[i]);
      }

      assert_stored_once (&fixture, sent);
      if (g_strcmp0 (mode, "delete") == 0)
        g_assert_cmpuint (server_count (&fixture), ==, 0);
      else
        g_assert_cmpuint (server_count (&fixture), ==, N_KILL_MESSAGES);

      /* And once more: nothing new, nothing twice. */
      {
        g_auto(BuzonTestCliResult) again = { 0, };

        run_cli_env (&fixture, &again, NULL, sync_args);
        assert_ok (&again, "the check after");
      }
      assert_stored_once (&fixture, sent);

      g_test_message ("%s: killed at %s, then finished: %u messages, each stored once", mode,
                      points[i], N_KILL_MESSAGES);
      fixture_tear_down (&fixture, NULL);
    }

  g_assert_cmpuint (n, >=, 20);
}

static void
test_kill_delete (void)
{
  if (get_servers () == NULL)
    return;

  kill_and_finish ("delete", delete_points);
}

static void
test_kill_keep (void)
{
  if (get_servers () == NULL)
    return;

  kill_and_finish ("keep", keep_points);
}

/* 10,000 messages left on the server, then a check with nothing to do. */
static void
test_big_mailbox (Fixture       *fixture,
                  gconstpointer  data)
{
  BuzonTestFillOptions options = { .seed = 77, .flags = BUZON_TEST_FILL_QUIET };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonStore) store = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  g_auto(BuzonTestCliResult) first = { 0, };
  g_auto(BuzonTestCliResult) second = { 0, };

  (void)data;
  if (get_servers () == NULL)
    return;

  add_dovecot_account (fixture, "keep");
  node = buzon_test_servers_fill (servers, fixture->address, 10000, &options, &error);
  g_assert_no_error (error);

  run_cli (fixture, &first, "sync", ACCOUNT, NULL);
  assert_ok (&first, "sync of 10,000");
  g_assert_nonnull (strstr (first.err, "10000 new messages"));
  run_cli (fixture, &second, "sync", ACCOUNT, NULL);
  assert_ok (&second, "the second sync");
  g_assert_nonnull (strstr (second.err, "0 new messages"));

  store = buzon_test_cli_open_store (fixture->cli);
  account = buzon_store_lookup_account (store, ACCOUNT, &error);
  g_assert_no_error (error);
  inbox = buzon_store_lookup_folder (store, buzon_account_get_id (account), "INBOX", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (inbox->total_count, ==, 10000);
  g_assert_cmpuint (server_count (fixture), ==, 10000);
}

/* The scripted server: no UIDL, no TOP, a drop after DELE. */

static GBytes *
letter (guint       n,
        const char *message_id)
{
  g_autofree char *text = NULL;

  if (message_id != NULL)
    text = g_strdup_printf ("From: Ana <ana@example.test>\r\nTo: fake@example.test\r\n"
                            "Subject: Fake %u\r\nMessage-ID: %s\r\n"
                            "Date: Wed, 02 Dec 2026 09:%02u:00 +0000\r\n\r\nBody %u.\r\n"
                            ".dot line\r\n", n, message_id, n % 60, n);
  else
    text = g_strdup_printf ("From: Ana <ana@example.test>\r\nTo: fake@example.test\r\n"
                            "Subject: Fake %u\r\nDate: Wed, 02 Dec 2026 09:%02u:00 +0000\r\n"
                            "\r\nBody %u.\r\n", n, n % 60, n);

  return g_bytes_new_take (g_steal_pointer (&text), strlen (text));
}

static BuzonTestFakePop3 *
start_fake (Fixture                *fixture,
            BuzonTestFakePop3Flags  flags,
            guint                   count)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *messages_dir = g_build_filename (buzon_test_cli_get_dir (fixture->cli), "fake-mail",
                                                 NULL);
  BuzonTestFakePop3 *fake;
  gboolean fresh = !g_file_test (messages_dir, G_FILE_TEST_IS_DIR);

  g_assert_cmpint (g_mkdir_with_parents (messages_dir, 0700), ==, 0);
  fake = buzon_test_fake_pop3_start (messages_dir, flags, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; fresh && i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("%04u.eml", i);
      g_autofree char *id = g_strdup_printf ("<fake-%u@example.test>", i);
      g_autoptr(GBytes) bytes = letter (i, i % 5 == 4 ? NULL : id);

      g_assert_true (buzon_test_fake_pop3_add_message (fake, name, bytes, &error));
      g_assert_no_error (error);
    }

  return fake;
}

static void
test_no_uidl (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(BuzonTestFakePop3) fake = NULL;
  g_auto(BuzonTestCliResult) first = { 0, };
  g_auto(BuzonTestCliResult) second = { 0, };
  g_auto(BuzonTestCliResult) show = { 0, };
  gboolean no_top = GPOINTER_TO_INT (data);

  fake = start_fake (fixture, BUZON_TEST_FAKE_POP3_NO_UIDL |
                              (no_top ? BUZON_TEST_FAKE_POP3_NO_TOP : 0), 12);
  add_account (fixture, buzon_test_fake_pop3_get_user (fake), buzon_test_fake_pop3_get_port (fake),
               "none", buzon_test_fake_pop3_get_password (fake), "keep");

  run_cli (fixture, &first, "sync", ACCOUNT, NULL);
  assert_ok (&first, "sync without UIDL");
  g_assert_nonnull (strstr (first.err, "12 new messages"));
  g_assert_nonnull (strstr (first.err, "UIDL"));
  g_assert_nonnull (strstr (first.err, "cannot be exact"));

  /* Told apart by their fingerprints: nothing twice. */
  run_cli (fixture, &second, "sync", ACCOUNT, NULL);
  assert_ok (&second, "second sync without UIDL");
  g_assert_nonnull (strstr (second.err, "0 new messages"));
  g_assert_cmpuint (buzon_test_fake_pop3_count_messages (fake), ==, 12);

  /* The account says so too. */
  run_cli (fixture, &show, "account", "show", ACCOUNT, NULL);
  assert_ok (&show, "account show");
  g_assert_nonnull (strstr (show.out, "cannot be exact"));
}

static void
test_drop_after_dele (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(BuzonTestFakePop3) fake = NULL;
  g_auto(BuzonTestCliResult) dropped = { 0, };
  g_auto(BuzonTestCliResult) again = { 0, };

  (void)data;
  fake = start_fake (fixture, BUZON_TEST_FAKE_POP3_DROP_AFTER_DELE, 6);
  add_account (fixture, buzon_test_fake_pop3_get_user (fake), buzon_test_fake_pop3_get_port (fake),
               "none", buzon_test_fake_pop3_get_password (fake), "delete");

  /* Downloaded and stored; the server went away before QUIT, so nothing
   * was deleted there, and the user is told so in a sentence. */
  run_cli (fixture, &dropped, "sync", ACCOUNT, NULL);
  g_assert_cmpint (dropped.status, ==, 1);
  g_assert_nonnull (strstr (dropped.err, "Nothing is lost"));
  g_assert_cmpuint (buzon_test_fake_pop3_count_messages (fake), ==, 6);

  /* A server that behaves: the stored ones are deleted, none fetched again. */
  g_clear_pointer (&fake, buzon_test_fake_pop3_stop);
  fake = start_fake (fixture, BUZON_TEST_FAKE_POP3_NONE, 0);
  {
    g_autoptr(BuzonStore) store = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(BuzonAccount) account = NULL;
    g_autofree char *port = g_strdup_printf ("%u", buzon_test_fake_pop3_get_port (fake));

    /* The new instance listens on a new port. */
    store = buzon_test_cli_open_store (fixture->cli);
    account = buzon_store_lookup_account (store, ACCOUNT, &error);
    g_assert_no_error (error);
    buzon_account_set_port (account, buzon_test_fake_pop3_get_port (fake));
    g_assert_true (buzon_store_update_account (store, account, &error));
    g_assert_no_error (error);
  }
  run_cli (fixture, &again, "sync", ACCOUNT, NULL);
  assert_ok (&again, "sync after the drop");
  g_assert_nonnull (strstr (again.err, "0 new messages, 6 deleted from the server"));
  g_assert_cmpuint (buzon_test_fake_pop3_count_messages (fake), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-pop3/kill/delete", test_kill_delete);
  g_test_add_func ("/cli-pop3/kill/keep", test_kill_keep);
  g_test_add ("/cli-pop3/big-mailbox", Fixture, NULL, fixture_set_up, test_big_mailbox,
              fixture_tear_down);
  g_test_add ("/cli-pop3/no-uidl", Fixture, GINT_TO_POINTER (FALSE), fixture_set_up,
              test_no_uidl, fixture_tear_down);
  g_test_add ("/cli-pop3/no-uidl-no-top", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up,
              test_no_uidl, fixture_tear_down);
  g_test_add ("/cli-pop3/drop-after-dele", Fixture, NULL, fixture_set_up, test_drop_after_dele,
              fixture_tear_down);

  status = g_test_run ();
  g_clear_pointer (&servers, buzon_test_servers_stop);

  return status;
}
