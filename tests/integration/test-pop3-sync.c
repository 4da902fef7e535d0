/* test-pop3-sync.c — BuzonPop3Sync against a real Dovecot on 127.0.0.1
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each POP3 mode end to end: delete from the server after download; keep
 * forever; keep N days (with the test clock, BUZON_TEST_NOW); keep until
 * deleted here. Messages whose lines begin with "." are stored byte for
 * byte; a second check downloads nothing; a wrong password changes nothing;
 * STLS works; a check that is cancelled keeps what it stored and deletes
 * nothing it did not store.
 */

#include "config.h"

#include <string.h>

#include "buzon-account.h"
#include "buzon-pop3-scheduler.h"
#include "buzon-pop3-sync.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-fake-pop3.h"
#include "buzon-test-servers.h"

#define PASSWORD "pop-sync-secret"

static BuzonTestServers *servers;
static gboolean servers_tried;
static guint user_counter;

typedef struct
{
  char         *dir;
  BuzonStore   *store;
  char         *address;
  BuzonAccount *account;
  GPtrArray    *sent;     /* char *: the SHA-256 of what was put on the server */
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
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  (void)data;
  fixture->dir = g_dir_make_tmp ("buzon-pop3-sync-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (path, &error);
  g_assert_no_error (error);
  fixture->sent = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  (void)data;
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->store);
  g_ptr_array_unref (fixture->sent);
  g_free (fixture->address);
  g_assert_cmpint (system (command), ==, 0);
  g_free (fixture->dir);
}

/* A new server user and its POP3 account in the store. */
static void
add_account (Fixture       *fixture,
             const char    *mode,
             const char    *service,
             BuzonSecurity  security)
{
  g_autoptr(GError) error = NULL;

  fixture->address = g_strdup_printf ("pop-sync-%u@example.test", ++user_counter);
  g_assert_true (buzon_test_servers_add_user (servers, fixture->address, PASSWORD, &error));
  g_assert_no_error (error);

  fixture->account = buzon_account_new ("pop");
  buzon_account_set_address (fixture->account, fixture->address);
  buzon_account_set_protocol (fixture->account, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (fixture->account, buzon_test_servers_get_host (servers));
  buzon_account_set_port (fixture->account, buzon_test_servers_get_port (servers, service));
  buzon_account_set_security (fixture->account, security);
  buzon_account_set_password_command (fixture->account, "echo " PASSWORD);
  g_assert_true (buzon_account_set_pop3_mode_string (fixture->account, mode, &error));
  g_assert_no_error (error);
  g_assert_true (buzon_store_add_account (fixture->store, fixture->account, &error));
  g_assert_no_error (error);
}

/* Puts @count messages on the server (lines beginning with "." in each);
 * remembers the SHA-256 of each. */
static void
put_messages (Fixture *fixture,
              guint    count)
{
  BuzonTestFillOptions options = {
    .start_index = fixture->sent->len + 1,
    .flags = BUZON_TEST_FILL_DOT_LINES,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *messages;

  node = buzon_test_servers_fill (servers, fixture->address, count, &options, &error);
  g_assert_no_error (error);
  messages = json_object_get_array_member (json_node_get_object (node), "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      g_ptr_array_add (fixture->sent,
                       g_strdup (json_object_get_string_member (message, "sha256")));
    }
  g_assert_cmpuint (json_array_get_length (messages), ==, count);
}

static gboolean
check (Fixture               *fixture,
       BuzonPop3CheckResult  *out,
       GError               **error)
{
  g_autoptr(BuzonPop3Sync) sync = buzon_pop3_sync_new (fixture->store, fixture->account);
  g_autoptr(GAsyncResult) result = NULL;

  buzon_pop3_sync_set_tls_database (sync, buzon_test_servers_get_tls_database (servers));
  buzon_pop3_sync_check_async (sync, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);

  return buzon_pop3_sync_check_finish (sync, result, out, error);
}

static void
check_ok (Fixture              *fixture,
          BuzonPop3CheckResult *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (check (fixture, out, &error));
  g_assert_no_error (error);
}

static BuzonFolder *
inbox (Fixture *fixture)
{
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GError) error = NULL;

  folders = buzon_store_list_folders (fixture->store, buzon_account_get_id (fixture->account),
                                      &error);
  g_assert_no_error (error);
  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == BUZON_SPECIAL_USE_INBOX)
        return buzon_folder_copy (folder);
    }
  g_assert_not_reached ();
}

/* Every message put on the server is stored exactly once, byte for byte. */
static GPtrArray *
assert_stored_once (Fixture *fixture)
{
  g_autoptr(BuzonFolder) folder = inbox (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *messages;

  messages = buzon_store_list_messages (fixture->store, folder->id, 0, G_MAXUINT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, fixture->sent->len);
  for (guint i = 0; i < messages->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (messages, i);
      g_autoptr(GBytes) body = buzon_store_get_body (fixture->store, summary->id, &error);

      g_assert_no_error (error);
      g_assert_cmpint (summary->body_state, ==, BUZON_BODY_STATE_FULL);
      g_assert_true (g_hash_table_add (found, g_compute_checksum_for_bytes (G_CHECKSUM_SHA256,
                                                                            body)));
    }
  for (guint i = 0; i < fixture->sent->len; i++)
    g_assert_true (g_hash_table_contains (found, fixture->sent->pdata[i]));

  return messages;
}

static guint
server_count (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = buzon_test_servers_get_state (servers, fixture->address, "INBOX",
                                                            FALSE, &error);
  JsonObject *boxes;

  g_assert_no_error (error);
  boxes = json_object_get_object_member (json_node_get_object (state), "mailboxes");
  return (guint)json_object_get_int_member (json_object_get_object_member (boxes, "INBOX"),
                                            "exists");
}

static void
test_delete_mode (Fixture       *fixture,
                  gconstpointer  data)
{
  BuzonPop3CheckResult result;
  g_autoptr(GPtrArray) stored = NULL;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "delete", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 250);

  check_ok (fixture, &result);
  g_assert_cmpuint (result.on_server, ==, 250);
  g_assert_cmpuint (result.downloaded, ==, 250);
  g_assert_cmpuint (result.deleted, ==, 250);
  g_assert_false (result.fingerprints);
  stored = assert_stored_once (fixture);
  g_assert_cmpuint (server_count (fixture), ==, 0);

  /* The summary came from the message. */
  {
    BuzonMessageSummary *summary = g_ptr_array_index (stored, 0);

    g_assert_nonnull (summary->subject);
    g_assert_cmpstr (summary->subject, !=, "");
    g_assert_nonnull (strchr (summary->from, '@'));
    g_assert_true (g_str_has_prefix (summary->message_id, "<fill-"));
  }

  /* New mail, and a check with nothing to do. */
  put_messages (fixture, 3);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 3);
  g_assert_cmpuint (result.deleted, ==, 3);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.on_server, ==, 0);
  g_assert_cmpuint (result.downloaded, ==, 0);
  g_clear_pointer (&stored, g_ptr_array_unref);
  stored = assert_stored_once (fixture);
}

static void
test_keep_mode (Fixture       *fixture,
                gconstpointer  data)
{
  BuzonPop3CheckResult result;
  g_autoptr(GPtrArray) stored = NULL;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "keep", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 40);

  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 40);
  g_assert_cmpuint (result.deleted, ==, 0);
  g_assert_cmpuint (server_count (fixture), ==, 40);

  put_messages (fixture, 2);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.on_server, ==, 42);
  g_assert_cmpuint (result.downloaded, ==, 2);
  g_assert_cmpuint (result.deleted, ==, 0);
  stored = assert_stored_once (fixture);
  g_assert_cmpuint (server_count (fixture), ==, 42);

  /* Deleted here: still kept there, and not downloaded again. */
  {
    BuzonMessageSummary *summary = g_ptr_array_index (stored, 0);
    g_autoptr(GError) error = NULL;

    g_assert_true (buzon_store_delete_messages (fixture->store, &summary->id, 1, NULL, &error));
    g_assert_no_error (error);
  }
  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 0);
  g_assert_cmpuint (result.deleted, ==, 0);
  g_assert_cmpuint (server_count (fixture), ==, 42);
}

static void
check_at (Fixture              *fixture,
          gint64                offset,
          BuzonPop3CheckResult *result)
{
  g_autofree char *now = g_strdup_printf ("+%" G_GINT64_FORMAT, offset);

  g_setenv ("BUZON_TEST_NOW", now, TRUE);
  check_ok (fixture, result);
  g_unsetenv ("BUZON_TEST_NOW");
}

static void
test_keep_days (Fixture       *fixture,
                gconstpointer  data)
{
  const gint64 day = 24 * 60 * 60;
  BuzonPop3CheckResult result;
  g_autoptr(GPtrArray) stored = NULL;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "keep-days:7", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 5);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 5);
  g_assert_cmpuint (result.deleted, ==, 0);

  /* Six days later: two more arrive; nothing is old enough. */
  put_messages (fixture, 2);
  check_at (fixture, 6 * day, &result);
  g_assert_cmpuint (result.downloaded, ==, 2);
  g_assert_cmpuint (result.deleted, ==, 0);
  g_assert_cmpuint (server_count (fixture), ==, 7);

  /* Seven days and a minute after the first check: the first five go. */
  check_at (fixture, 7 * day + 60, &result);
  g_assert_cmpuint (result.downloaded, ==, 0);
  g_assert_cmpuint (result.deleted, ==, 5);
  g_assert_cmpuint (server_count (fixture), ==, 2);

  /* Thirteen days: the other two, seven days after they were first seen. */
  check_at (fixture, 12 * day, &result);
  g_assert_cmpuint (result.deleted, ==, 0);
  check_at (fixture, 13 * day + 60, &result);
  g_assert_cmpuint (result.deleted, ==, 2);
  g_assert_cmpuint (server_count (fixture), ==, 0);

  stored = assert_stored_once (fixture);

  /* In this mode a message deleted here stays there until its days are up. */
  put_messages (fixture, 1);
  check_at (fixture, 14 * day, &result);
  g_assert_cmpuint (result.downloaded, ==, 1);
  g_clear_pointer (&stored, g_ptr_array_unref);
  stored = assert_stored_once (fixture);
  {
    g_autoptr(GError) error = NULL;
    BuzonMessageSummary *summary = NULL;

    for (guint i = 0; i < stored->len; i++)
      if (((BuzonMessageSummary *)stored->pdata[i])->internal_date >= buzon_store_now () + 13 * day)
        summary = stored->pdata[i];
    g_assert_nonnull (summary);
    g_assert_true (buzon_store_delete_messages (fixture->store, &summary->id, 1, NULL, &error));
    g_assert_no_error (error);
  }
  check_at (fixture, 15 * day, &result);
  g_assert_cmpuint (result.deleted, ==, 0);
  g_assert_cmpuint (server_count (fixture), ==, 1);
}

/* Until deleted here, at most N days. */
static void
test_keep_until_deleted_days (Fixture       *fixture,
                              gconstpointer  data)
{
  const gint64 day = 24 * 60 * 60;
  BuzonPop3CheckResult result;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  BuzonMessageSummary *first;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "keep-until-deleted:3", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 4);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 4);
  stored = assert_stored_once (fixture);

  /* One deleted here: gone from the server at the next check. */
  first = g_ptr_array_index (stored, 0);
  g_assert_true (buzon_store_delete_messages (fixture->store, &first->id, 1, NULL, &error));
  g_assert_no_error (error);
  check_at (fixture, day, &result);
  g_assert_cmpuint (result.deleted, ==, 1);
  g_assert_cmpuint (server_count (fixture), ==, 3);

  /* The others when their three days are up. */
  check_at (fixture, 2 * day, &result);
  g_assert_cmpuint (result.deleted, ==, 0);
  check_at (fixture, 3 * day + 60, &result);
  g_assert_cmpuint (result.deleted, ==, 3);
  g_assert_cmpuint (server_count (fixture), ==, 0);
}

static void
test_keep_until_deleted (Fixture       *fixture,
                         gconstpointer  data)
{
  BuzonPop3CheckResult result;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  BuzonMessageSummary *first, *second;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "keep-until-deleted", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 6);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 6);
  g_assert_cmpuint (result.deleted, ==, 0);
  stored = assert_stored_once (fixture);

  /* Two deleted here for good. */
  first = g_ptr_array_index (stored, 0);
  second = g_ptr_array_index (stored, 3);
  g_assert_true (buzon_store_delete_messages (fixture->store, &first->id, 1, NULL, &error));
  g_assert_true (buzon_store_delete_messages (fixture->store, &second->id, 1, NULL, &error));
  g_assert_no_error (error);

  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 0);
  g_assert_cmpuint (result.deleted, ==, 2);
  g_assert_cmpuint (server_count (fixture), ==, 4);

  check_ok (fixture, &result);
  g_assert_cmpuint (result.deleted, ==, 0);
  g_assert_cmpuint (result.on_server, ==, 4);
}

static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  BuzonPop3CheckResult result;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(BuzonFolder) folder = NULL;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "delete", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 3);
  buzon_account_set_password_command (fixture->account, "echo wrong");

  g_assert_false (check (fixture, &result, &error));
  g_assert_error (error, BUZON_POP3_SESSION_ERROR, BUZON_POP3_SESSION_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, fixture->address));
  g_assert_cmpuint (result.downloaded, ==, 0);
  g_assert_cmpuint (server_count (fixture), ==, 3);
  folder = inbox (fixture);
  messages = buzon_store_list_messages (fixture->store, folder->id, 0, G_MAXUINT, NULL);
  g_assert_cmpuint (messages->len, ==, 0);
}

static void
test_stls (Fixture       *fixture,
           gconstpointer  data)
{
  BuzonPop3CheckResult result;
  g_autoptr(GPtrArray) stored = NULL;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "delete", "pop3", BUZON_SECURITY_STARTTLS);
  put_messages (fixture, 4);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 4);
  stored = assert_stored_once (fixture);
  g_assert_cmpuint (server_count (fixture), ==, 0);
}

static void
cancel_on_progress_cb (BuzonPop3Sync *sync,
                       guint          done,
                       guint          total,
                       gpointer       user_data)
{
  (void)sync;
  (void)total;
  if (done >= 100)
    g_cancellable_cancel (user_data);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(BuzonPop3Sync) sync = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  BuzonPop3CheckResult out;
  guint left;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "delete", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 400);

  sync = buzon_pop3_sync_new (fixture->store, fixture->account);
  buzon_pop3_sync_set_tls_database (sync, buzon_test_servers_get_tls_database (servers));
  g_signal_connect (sync, "progress", G_CALLBACK (cancel_on_progress_cb), cancellable);
  buzon_pop3_sync_check_async (sync, cancellable, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_false (buzon_pop3_sync_check_finish (sync, result, &out, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (out.downloaded, >=, 100);
  g_assert_cmpuint (out.downloaded, <, 400);
  g_assert_cmpuint (out.deleted, ==, 0);

  /* No QUIT: nothing left the server. */
  g_usleep (200 * 1000);
  left = server_count (fixture);
  g_assert_cmpuint (left, ==, 400);

  {
    guint first = out.downloaded;

    check_ok (fixture, &out);
    g_assert_cmpuint (out.downloaded, ==, 400 - first);
    g_assert_cmpuint (out.deleted, ==, 400);
  }
  stored = assert_stored_once (fixture);
  g_assert_cmpuint (server_count (fixture), ==, 0);
}

/* A server that lists a message again after it was deleted (one that hides
 * downloaded mail and shows it later, or a DELE that did not take): it is
 * known, so it is not downloaded twice; in delete mode it is deleted again.
 * The same for a message that comes back under a new UIDL. */
static void
test_listed_again (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(BuzonTestFakePop3) fake = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) letter = g_bytes_new_static ("From: <a@example.test>\r\nSubject: again\r\n"
                                                 "Message-ID: <again@example.test>\r\n\r\n"
                                                 "Hello.\r\n", 84);
  BuzonPop3CheckResult result;

  (void)data;
  fake = buzon_test_fake_pop3_start (NULL, BUZON_TEST_FAKE_POP3_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (buzon_test_fake_pop3_add_message (fake, "again.eml", letter, &error));
  g_assert_no_error (error);

  fixture->account = buzon_account_new ("fake");
  buzon_account_set_address (fixture->account, buzon_test_fake_pop3_get_user (fake));
  buzon_account_set_protocol (fixture->account, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (fixture->account, buzon_test_fake_pop3_get_host (fake));
  buzon_account_set_port (fixture->account, buzon_test_fake_pop3_get_port (fake));
  buzon_account_set_security (fixture->account, BUZON_SECURITY_NONE);
  buzon_account_set_password_command (fixture->account, "echo " BUZON_TEST_FAKE_POP3_PASSWORD);
  buzon_account_set_pop3_mode (fixture->account, BUZON_POP3_MODE_DELETE);
  g_assert_true (buzon_store_add_account (fixture->store, fixture->account, &error));
  g_assert_no_error (error);

  check_ok (fixture, &result);
  g_assert_cmpuint (result.downloaded, ==, 1);
  g_assert_cmpuint (result.deleted, ==, 1);
  g_assert_cmpuint (buzon_test_fake_pop3_count_messages (fake), ==, 0);

  /* Nothing listed: the record stays. */
  check_ok (fixture, &result);
  g_assert_cmpuint (result.on_server, ==, 0);

  /* Back on the server, with the same UIDL. */
  g_assert_true (buzon_test_fake_pop3_add_message (fake, "again.eml", letter, &error));
  g_assert_no_error (error);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.on_server, ==, 1);
  g_assert_cmpuint (result.downloaded, ==, 0);
  g_assert_cmpuint (result.deleted, ==, 1);

  {
    g_autoptr(BuzonFolder) folder = inbox (fixture);
    g_autoptr(GPtrArray) messages =
      buzon_store_list_messages (fixture->store, folder->id, 0, G_MAXUINT, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (messages->len, ==, 1);
  }

  /* Renumbered: the same message under a new UIDL (a mailbox rebuilt, moved to
   * another server) is recognised by its Message-ID and bytes. */
  g_assert_true (buzon_test_fake_pop3_add_message (fake, "renumbered.eml", letter, &error));
  g_assert_no_error (error);
  check_ok (fixture, &result);
  g_assert_cmpuint (result.on_server, ==, 1);
  g_assert_cmpuint (result.downloaded, ==, 0);
  g_assert_cmpuint (result.deleted, ==, 1);
  {
    g_autoptr(BuzonFolder) folder = inbox (fixture);
    g_autoptr(GPtrArray) messages =
      buzon_store_list_messages (fixture->store, folder->id, 0, G_MAXUINT, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (messages->len, ==, 1);
  }

  /* A different message with the same Message-ID is a different message. */
  {
    g_autoptr(GBytes) other = g_bytes_new_static ("From: <a@example.test>\r\nSubject: again\r\n"
                                                  "Message-ID: <again@example.test>\r\n\r\n"
                                                  "Hullo.\r\n", 84);
    g_autoptr(BuzonFolder) folder = NULL;
    g_autoptr(GPtrArray) messages = NULL;

    g_assert_true (buzon_test_fake_pop3_add_message (fake, "other.eml", other, &error));
    g_assert_no_error (error);
    check_ok (fixture, &result);
    g_assert_cmpuint (result.downloaded, ==, 1);
    folder = inbox (fixture);
    messages = buzon_store_list_messages (fixture->store, folder->id, 0, G_MAXUINT, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (messages->len, ==, 2);
  }
}

static void
count_notice_cb (BuzonPop3Sync *sync,
                 const char    *text,
                 gpointer       user_data)
{
  guint *count = user_data;

  (void)sync;
  if (strstr (text, "too large") != NULL)
    (*count)++;
}

/* A message too large to hold is left on the server, with a word to the user,
 * and does not stop the check. */
static void
test_too_large (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(BuzonPop3Sync) sync = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  BuzonPop3CheckResult out;
  guint notices = 0;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "delete", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 3);

  sync = buzon_pop3_sync_new (fixture->store, fixture->account);
  buzon_pop3_sync_set_tls_database (sync, buzon_test_servers_get_tls_database (servers));
  buzon_pop3_sync_set_max_message_size (sync, 100);
  g_signal_connect (sync, "notice", G_CALLBACK (count_notice_cb), &notices);
  buzon_pop3_sync_check_async (sync, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_pop3_sync_check_finish (sync, result, &out, &error));
  g_assert_no_error (error);
  /* The notices come through the main context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (out.downloaded, ==, 0);
  g_assert_cmpuint (out.deleted, ==, 0);
  g_assert_cmpuint (notices, ==, 3);
  g_assert_cmpuint (server_count (fixture), ==, 3);

  check_ok (fixture, &out);
  g_assert_cmpuint (out.downloaded, ==, 3);
  g_assert_cmpuint (out.deleted, ==, 3);
}

typedef struct
{
  guint rounds;
  guint checks;
  guint downloaded;
  guint failed;
} Rounds;

static void
checked_cb (BuzonPop3Scheduler *scheduler,
            BuzonAccount       *account,
            const GError       *error,
            guint               downloaded,
            gpointer            user_data)
{
  Rounds *rounds = user_data;

  (void)scheduler;
  (void)account;
  rounds->checks++;
  rounds->downloaded += downloaded;
  if (error != NULL)
    rounds->failed++;
}

static void
round_done_cb (BuzonPop3Scheduler *scheduler,
               gpointer            user_data)
{
  Rounds *rounds = user_data;

  (void)scheduler;
  rounds->rounds++;
}

static gboolean
rounds_reached (gpointer data)
{
  const guint *wanted = data;
  const Rounds *rounds = (const Rounds *)(wanted + 1);

  return rounds->rounds >= *wanted;
}

/* What the window does: every POP3 account at start, then every interval. */
static void
test_scheduler (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(BuzonPop3Scheduler) scheduler = NULL;
  struct { guint wanted; Rounds rounds; } wait = { 0, { 0, } };
  g_autoptr(BuzonAccount) second = NULL;
  g_autoptr(GError) error = NULL;

  (void)data;
  if (get_servers () == NULL)
    return;

  add_account (fixture, "keep", "pop3s", BUZON_SECURITY_TLS);
  put_messages (fixture, 5);

  scheduler = buzon_pop3_scheduler_new (fixture->store);
  buzon_pop3_scheduler_set_tls_database (scheduler, buzon_test_servers_get_tls_database (servers));
  buzon_pop3_scheduler_set_interval (scheduler, 1);
  g_signal_connect (scheduler, "checked", G_CALLBACK (checked_cb), &wait.rounds);
  g_signal_connect (scheduler, "round-done", G_CALLBACK (round_done_cb), &wait.rounds);

  /* At start. */
  buzon_pop3_scheduler_start (scheduler);
  g_assert_true (buzon_pop3_scheduler_is_checking (scheduler));
  wait.wanted = 1;
  g_assert_true (buzon_test_spin_until (rounds_reached, &wait, 30000));
  g_assert_cmpuint (wait.rounds.checks, ==, 1);
  g_assert_cmpuint (wait.rounds.downloaded, ==, 5);
  g_assert_cmpuint (wait.rounds.failed, ==, 0);

  /* A second later, by itself: new mail, and an account added meanwhile. */
  put_messages (fixture, 2);
  second = buzon_account_new ("pop-2");
  buzon_account_set_address (second, fixture->address);
  buzon_account_set_protocol (second, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (second, buzon_test_servers_get_host (servers));
  buzon_account_set_port (second, buzon_test_servers_get_port (servers, "pop3s"));
  buzon_account_set_security (second, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (second, "echo wrong");
  g_assert_true (buzon_store_add_account (fixture->store, second, &error));
  g_assert_no_error (error);

  wait.wanted = 2;
  g_assert_true (buzon_test_spin_until (rounds_reached, &wait, 30000));
  g_assert_cmpuint (wait.rounds.checks, ==, 3);
  g_assert_cmpuint (wait.rounds.downloaded, ==, 7);
  /* The second account's password is wrong: reported, and the round goes on. */
  g_assert_cmpuint (wait.rounds.failed, ==, 1);

  /* Checking now during a round makes one more round, not two at once. */
  buzon_pop3_scheduler_set_interval (scheduler, 0);
  buzon_pop3_scheduler_check_now (scheduler);
  buzon_pop3_scheduler_check_now (scheduler);
  wait.wanted = 3;
  g_assert_true (buzon_test_spin_until (rounds_reached, &wait, 30000));
  buzon_pop3_scheduler_stop (scheduler);
  g_assert_false (buzon_pop3_scheduler_is_checking (scheduler));
  g_assert_cmpuint (wait.rounds.downloaded, ==, 7);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/pop3-sync/delete", test_delete_mode);
  ADD ("/pop3-sync/keep", test_keep_mode);
  ADD ("/pop3-sync/keep-days", test_keep_days);
  ADD ("/pop3-sync/keep-until-deleted", test_keep_until_deleted);
  ADD ("/pop3-sync/keep-until-deleted-days", test_keep_until_deleted_days);
  ADD ("/pop3-sync/wrong-password", test_wrong_password);
  ADD ("/pop3-sync/stls", test_stls);
  ADD ("/pop3-sync/cancel", test_cancel);
  ADD ("/pop3-sync/too-large", test_too_large);
  ADD ("/pop3-sync/listed-again", test_listed_again);
  ADD ("/pop3-sync/scheduler", test_scheduler);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&servers, buzon_test_servers_stop);

  return status;
}
