/* test-sync-manager.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonSyncManager against a private Dovecot: an account's mail reaches the
 * store (SYNCING, then IDLE); a flag set through buzon-mail-ops and a kick
 * reaches the server; mail delivered later is announced by "new-messages"
 * (IDLE); a body comes back byte for byte; a wrong password is an ERROR with
 * a sentence; stopping is clean. */

#include "config.h"

#include <string.h>

#include "buzon-account.h"
#include "buzon-mail-ops.h"
#include "buzon-store.h"
#include "buzon-sync-manager.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"

#define ADDRESS "bruno@example.test"

typedef struct
{
  char             *dir;
  BuzonTestServers *servers;
  BuzonStore       *store;
  BuzonSyncManager *manager;
  GArray           *states;     /* BuzonSyncState */
  GArray           *new_ids;    /* gint64 */
  gint64            account_id;
  BuzonSyncState    want;       /* what state_is() waits for */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("buzon-sync-manager-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  fixture->states = g_array_new (FALSE, FALSE, sizeof (BuzonSyncState));
  fixture->new_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  if (fixture->manager != NULL)
    buzon_test_finalize_object (g_steal_pointer (&fixture->manager));
  buzon_test_finalize_object (g_steal_pointer (&fixture->store));
  g_clear_pointer (&fixture->servers, buzon_test_servers_stop);
  g_clear_pointer (&fixture->states, g_array_unref);
  g_clear_pointer (&fixture->new_ids, g_array_unref);
  g_assert_cmpint (system (command), ==, 0);
  g_clear_pointer (&fixture->dir, g_free);
}

static GBytes *
make_message (const char *key)
{
  char *text = g_strdup_printf ("From: Ana <ana@example.test>\r\n"
                                "To: Bruno <" ADDRESS ">\r\n"
                                "Subject: %s\r\n"
                                "Message-ID: <%s@example.test>\r\n"
                                "Date: Mon, 05 Jan 2026 08:00:00 +0000\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n"
                                "\r\n"
                                "Hola, %s.\r\n",
                                key, key, key);

  return g_bytes_new_take (text, strlen (text));
}

static void
add_account (Fixture    *fixture,
             const char *password_command)
{
  g_autoptr(BuzonAccount) account = buzon_account_new ("work");
  g_autoptr(GError) error = NULL;

  buzon_account_set_address (account, ADDRESS);
  buzon_account_set_protocol (account, BUZON_PROTOCOL_IMAP);
  buzon_account_set_host (account, buzon_test_servers_get_host (fixture->servers));
  buzon_account_set_port (account, buzon_test_servers_get_port (fixture->servers, "imaps"));
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, password_command);
  buzon_account_set_sync_policy (account, BUZON_SYNC_POLICY_HEADERS);
  buzon_store_add_account (fixture->store, account, &error);
  g_assert_no_error (error);
  fixture->account_id = buzon_account_get_id (account);
}

static void
state_changed_cb (BuzonSyncManager *manager,
                  gint64            account_id,
                  Fixture          *fixture)
{
  const GError *error = NULL;
  BuzonSyncState state = buzon_sync_manager_get_state (manager, account_id, &error);

  g_test_message ("state %d%s%s", state, error != NULL ? ": " : "",
                  error != NULL ? error->message : "");

  g_assert_cmpint (account_id, ==, fixture->account_id);
  g_array_append_val (fixture->states, state);
}

static void
new_messages_cb (BuzonSyncManager *manager,
                 gint64            account_id,
                 gint64            folder_id,
                 GArray           *ids,
                 Fixture          *fixture)
{
  g_array_append_vals (fixture->new_ids, ids->data, ids->len);
}

static void
start_manager (Fixture *fixture)
{
  fixture->manager = buzon_sync_manager_new (fixture->store);
  buzon_sync_manager_set_tls_database (fixture->manager,
                                       buzon_test_servers_get_tls_database (fixture->servers));
  g_signal_connect (fixture->manager, "state-changed", G_CALLBACK (state_changed_cb), fixture);
  g_signal_connect (fixture->manager, "new-messages", G_CALLBACK (new_messages_cb), fixture);
  buzon_sync_manager_start (fixture->manager);
}

static gboolean
state_is (gpointer data)
{
  Fixture *fixture = data;

  return fixture->states->len > 0 &&
         g_array_index (fixture->states, BuzonSyncState, fixture->states->len - 1) ==
         fixture->want;
}

static void
stop_manager (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_sync_manager_stop_async (fixture->manager, NULL, buzon_test_result_cb, &result);
  buzon_sync_manager_stop_finish (fixture->manager, buzon_test_wait_for (&result), &error);
  g_assert_no_error (error);
}

static BuzonFolder *
inbox (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  BuzonFolder *folder = buzon_store_lookup_folder (fixture->store, fixture->account_id,
                                                   "INBOX", &error);

  g_assert_no_error (error);
  return folder;
}

typedef struct
{
  Fixture *fixture;
  gboolean seen;
} FlagCheck;

static gboolean
server_has_seen (gpointer data)
{
  FlagCheck *check = data;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *messages, *flags;

  state = buzon_test_servers_get_state (check->fixture->servers, ADDRESS, "INBOX", FALSE,
                                        &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (
    json_object_get_object_member (json_object_get_object_member (json_node_get_object (state),
                                                                  "mailboxes"), "INBOX"),
    "messages");
  /* Only the one message the test flagged is seen. */
  for (guint m = 0; m < json_array_get_length (messages); m++)
    {
      flags = json_object_get_array_member (json_array_get_object_element (messages, m), "flags");
      for (guint i = 0; i < json_array_get_length (flags); i++)
        if (g_strcmp0 (json_array_get_string_element (flags, i), "\\Seen") == 0)
          return TRUE;
    }

  return FALSE;
}

static gboolean
has_new (gpointer data)
{
  return ((Fixture *)data)->new_ids->len > 0;
}

static void
test_sync (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) folder = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(GBytes) later = make_message ("later");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  FlagCheck check = { fixture, FALSE };
  gint64 first_id;

  fixture->servers = buzon_test_servers_start_or_skip ("full", NULL);
  if (fixture->servers == NULL)
    return;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *key = g_strdup_printf ("m%u", i);
      g_autoptr(GBytes) raw = make_message (key);

      buzon_test_servers_append (fixture->servers, ADDRESS, "INBOX", raw, NULL, &error);
      g_assert_no_error (error);
    }
  add_account (fixture, "echo bruno-secret");
  fixture->want = BUZON_SYNC_STATE_IDLE;
  start_manager (fixture);

  g_assert_true (buzon_test_spin_until (state_is, fixture, 15000));
  g_assert_cmpint (g_array_index (fixture->states, BuzonSyncState, 0), ==,
                   BUZON_SYNC_STATE_SYNCING);
  folder = inbox (fixture);
  messages = buzon_store_list_messages (fixture->store, folder->id, 0, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 3);
  g_assert_cmpuint (fixture->new_ids->len, ==, 0);

  /* A flag, through the queue. */
  first_id = ((BuzonMessageSummary *)g_ptr_array_index (messages, 0))->id;
  account = buzon_store_lookup_account (fixture->store, "work", &error);
  g_assert_no_error (error);
  buzon_mail_ops_set_flags (fixture->store, account, &first_id, 1, BUZON_MESSAGE_FLAG_SEEN, 0,
                            &error);
  g_assert_no_error (error);
  buzon_sync_manager_kick (fixture->manager, fixture->account_id);
  buzon_sync_manager_kick (fixture->manager, fixture->account_id);
  g_assert_true (buzon_test_spin_until (server_has_seen, &check, 10000));

  /* New mail, through IDLE. */
  buzon_test_servers_append (fixture->servers, ADDRESS, "INBOX", later, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_test_spin_until (has_new, fixture, 10000));
  g_assert_cmpuint (fixture->new_ids->len, ==, 1);

  /* Its body, byte for byte, on a headers-only account. */
  buzon_sync_manager_fetch_body_async (fixture->manager, fixture->account_id,
                                       g_array_index (fixture->new_ids, gint64, 0), NULL,
                                       buzon_test_result_cb, &result);
  body = buzon_sync_manager_fetch_body_finish (fixture->manager, buzon_test_wait_for (&result),
                                               &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, later));
  g_assert_cmpint (buzon_sync_manager_get_state (fixture->manager, fixture->account_id, NULL),
                   ==, BUZON_SYNC_STATE_IDLE);

  stop_manager (fixture);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  const GError *error = NULL;

  fixture->servers = buzon_test_servers_start_or_skip ("full", NULL);
  if (fixture->servers == NULL)
    return;

  add_account (fixture, "echo not-the-password");
  fixture->want = BUZON_SYNC_STATE_ERROR;
  start_manager (fixture);
  g_assert_true (buzon_test_spin_until (state_is, fixture, 15000));
  g_assert_cmpint (buzon_sync_manager_get_state (fixture->manager, fixture->account_id, &error),
                   ==, BUZON_SYNC_STATE_ERROR);
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_true (g_str_has_suffix (error->message, "."));
  stop_manager (fixture);
}

/* A POP3 account's state is its last check's: a wrong password is an
 * ERROR with the server's sentence, as for IMAP. */
static void
test_pop3_wrong_password (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(BuzonAccount) account = buzon_account_new ("home");
  g_autoptr(GError) local_error = NULL;
  const GError *error = NULL;

  fixture->servers = buzon_test_servers_start_or_skip ("full", NULL);
  if (fixture->servers == NULL)
    return;

  buzon_account_set_address (account, ADDRESS);
  buzon_account_set_protocol (account, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (account, buzon_test_servers_get_host (fixture->servers));
  buzon_account_set_port (account, buzon_test_servers_get_port (fixture->servers, "pop3s"));
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, "echo not-the-password");
  g_assert_true (buzon_store_add_account (fixture->store, account, &local_error));
  g_assert_no_error (local_error);
  fixture->account_id = buzon_account_get_id (account);

  fixture->want = BUZON_SYNC_STATE_ERROR;
  start_manager (fixture);
  g_assert_true (buzon_test_spin_until (state_is, fixture, 15000));
  g_assert_cmpint (buzon_sync_manager_get_state (fixture->manager, fixture->account_id, &error),
                   ==, BUZON_SYNC_STATE_ERROR);
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  stop_manager (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/sync-manager/sync", Fixture, NULL, fixture_set_up, test_sync,
              fixture_tear_down);
  g_test_add ("/buzon/sync-manager/wrong-password", Fixture, NULL, fixture_set_up,
              test_wrong_password, fixture_tear_down);
  g_test_add ("/buzon/sync-manager/pop3-wrong-password", Fixture, NULL, fixture_set_up,
              test_pop3_wrong_password, fixture_tear_down);

  return g_test_run ();
}
