/* test-outbox-sender.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonOutboxSender against the real SMTP submission server (STARTTLS and
 * implicit TLS, delivering into Dovecot) and the scripted one
 * (tests/common/fake-smtp.py) for what a real server will not do on demand:
 * a temporary refusal, a permanent one, a refused recipient, a connection
 * dropped in the middle of the data; and a server that is not there at all.
 * What is checked each time is the outbox afterwards (state, attempts,
 * backoff, reason), what reached the server, and the copy in Sent: on the
 * IMAP server with \Seen after the queue's replay, or the local Sent folder of
 * a POP3 account.
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "buzon-account.h"
#include "buzon-imap-sync.h"
#include "buzon-mail-ops.h"
#include "buzon-net-error.h"
#include "buzon-outbox-scheduler.h"
#include "buzon-outbox-sender.h"
#include "buzon-smtp-error.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-fake-smtp.h"
#include "buzon-test-servers.h"

#define ADDRESS          "bruno@example.test"
#define PASSWORD_COMMAND "echo bruno-secret"

static BuzonTestServers *servers;
static gboolean servers_tried;

static BuzonTestServers *
get_servers (void)
{
  return buzon_test_servers_start_once (&servers, &servers_tried, "full", NULL);
}

typedef struct
{
  char       *dir;
  BuzonStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("buzon-outbox-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", fixture->dir);

  buzon_test_finalize_object (g_steal_pointer (&fixture->store));
  g_assert_cmpint (system (command), ==, 0);
  g_clear_pointer (&fixture->dir, g_free);
}

/* An account of the real servers: IMAP over TLS, SMTP on @smtp_service. */
static BuzonAccount *
add_real_account (Fixture         *fixture,
                  BuzonProtocol    protocol,
                  const char      *smtp_service,
                  BuzonSecurity    smtp_security,
                  const char      *password_command)
{
  g_autoptr(BuzonAccount) account = buzon_account_new (protocol == BUZON_PROTOCOL_IMAP ? "imap"
                                                                                       : "pop");
  g_autoptr(GError) error = NULL;

  buzon_account_set_address (account, ADDRESS);
  buzon_account_set_protocol (account, protocol);
  buzon_account_set_host (account, buzon_test_servers_get_host (servers));
  buzon_account_set_port (account, buzon_test_servers_get_port (servers, protocol ==
                                                                BUZON_PROTOCOL_IMAP ? "imaps"
                                                                                    : "pop3s"));
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, password_command);
  buzon_account_set_smtp_host (account, buzon_test_servers_get_host (servers));
  buzon_account_set_smtp_port (account, buzon_test_servers_get_port (servers, smtp_service));
  buzon_account_set_smtp_security (account, smtp_security);
  buzon_store_add_account (fixture->store, account, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&account);
}

/* A POP3 account whose SMTP server is the scripted one (or, with port 0, a
 * port where nothing listens). */
static BuzonAccount *
add_fake_account (Fixture *fixture,
                  guint    port)
{
  g_autoptr(BuzonAccount) account = buzon_account_new ("fake");
  g_autoptr(GError) error = NULL;

  buzon_account_set_address (account, "ana@example.test");
  buzon_account_set_protocol (account, BUZON_PROTOCOL_POP3);
  buzon_account_set_host (account, "127.0.0.1");
  buzon_account_set_port (account, 9);
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, "echo " BUZON_TEST_FAKE_SMTP_PASSWORD);
  buzon_account_set_smtp_host (account, "127.0.0.1");
  buzon_account_set_smtp_port (account, port);
  buzon_account_set_smtp_security (account, BUZON_SECURITY_NONE);
  buzon_account_set_smtp_username (account, BUZON_TEST_FAKE_SMTP_USER);
  buzon_store_add_account (fixture->store, account, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&account);
}

static GBytes *
make_message (const char *tag)
{
  g_autofree char *text =
    g_strdup_printf ("From: Bruno <" ADDRESS ">\r\n"
                     "To: Ana <ana@example.test>\r\n"
                     "Subject: =?UTF-8?Q?Prueba_=C2=BFqu=C3=A9_tal=3F?= %s\r\n"
                     "Message-ID: <%s@outbox.example.test>\r\n"
                     "Date: Wed, 02 Dec 2026 10:00:00 +0000\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\n"
                     "\r\n"
                     "Hola, ¿qué tal?\r\n"
                     ".a line that begins with a dot\r\n",
                     tag, tag);

  return g_bytes_new (text, strlen (text));
}

static gint64
enqueue (Fixture            *fixture,
         BuzonAccount       *account,
         const char         *tag,
         const char * const *recipients)
{
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GBytes) raw = make_message (tag);
  g_autoptr(GError) error = NULL;

  item = buzon_outbox_item_new (buzon_account_get_id (account), raw, recipients);
  g_assert_true (buzon_store_outbox_enqueue (fixture->store, item, &error));
  g_assert_no_error (error);
  g_assert_cmpint (item->id, >, 0);

  return item->id;
}

typedef struct
{
  guint      sent;
  guint      failed;
  GPtrArray *rejected;   /* char * */
  GPtrArray *reasons;    /* char * */
} Signals;

static void
sent_cb (BuzonOutboxSender  *sender,
         gint64              item_id,
         char              **rejected,
         Signals            *signals)
{
  signals->sent++;
  for (guint i = 0; rejected[i] != NULL; i++)
    g_ptr_array_add (signals->rejected, g_strdup (rejected[i]));
}

static void
failed_cb (BuzonOutboxSender *sender,
           gint64             item_id,
           const char        *message,
           gboolean           permanent,
           Signals           *signals)
{
  signals->failed++;
  g_ptr_array_add (signals->reasons, g_strdup (message));
}

static void
signals_clear (Signals *signals)
{
  g_clear_pointer (&signals->rejected, g_ptr_array_unref);
  g_clear_pointer (&signals->reasons, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Signals, signals_clear)

/* One run of the sender; the signals it emitted go to @signals. */
static gboolean
run_sender (Fixture           *fixture,
            BuzonAccount      *account,
            gboolean           all,
            BuzonOutboxStats  *stats,
            Signals           *signals,
            GError           **error)
{
  g_autoptr(BuzonOutboxSender) sender = buzon_outbox_sender_new (fixture->store, account);
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  if (signals->rejected == NULL)
    {
      signals->rejected = g_ptr_array_new_with_free_func (g_free);
      signals->reasons = g_ptr_array_new_with_free_func (g_free);
    }

  if (servers != NULL)
    buzon_outbox_sender_set_tls_database (sender, buzon_test_servers_get_tls_database (servers));
  g_signal_connect (sender, "sent", G_CALLBACK (sent_cb), signals);
  g_signal_connect (sender, "failed", G_CALLBACK (failed_cb), signals);

  buzon_outbox_sender_run_async (sender, all, NULL, buzon_test_result_cb, &result);
  g_assert_true (buzon_outbox_sender_is_running (sender));
  buzon_test_wait_for (&result);
  ok = buzon_outbox_sender_run_finish (sender, result, stats, error);
  g_assert_false (buzon_outbox_sender_is_running (sender));

  /* Emissions queued before the run ended come before its result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_handlers_disconnect_by_data (sender, signals);

  return ok;
}

static BuzonOutboxItem *
get_item (Fixture *fixture,
          gint64   id)
{
  g_autoptr(GError) error = NULL;
  BuzonOutboxItem *item = buzon_store_outbox_get (fixture->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (item);

  return item;
}

static guint
outbox_length (Fixture *fixture)
{
  g_autoptr(GPtrArray) items = buzon_store_outbox_list (fixture->store, 0, NULL);

  g_assert_nonnull (items);
  return items->len;
}

static BuzonFolder *
sent_folder (Fixture      *fixture,
             BuzonAccount *account)
{
  g_autoptr(GPtrArray) folders =
    buzon_store_list_folders (fixture->store, buzon_account_get_id (account), NULL);

  for (guint i = 0; folders != NULL && i < folders->len; i++)
    {
      BuzonFolder *folder = g_ptr_array_index (folders, i);

      if (folder->special_use == BUZON_SPECIAL_USE_SENT)
        return buzon_folder_copy (folder);
    }

  return NULL;
}

/* The local Sent folder holds exactly one message with @tag's Message-ID,
 * read. */
static void
assert_filed (Fixture      *fixture,
              BuzonAccount *account,
              const char   *tag)
{
  g_autoptr(BuzonFolder) folder = sent_folder (fixture, account);
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *message_id = g_strdup_printf ("<%s@outbox.example.test>", tag);
  guint found = 0;

  g_assert_nonnull (folder);
  messages = buzon_store_list_messages (fixture->store, folder->id, 0, G_MAXUINT, NULL);
  g_assert_nonnull (messages);
  for (guint i = 0; i < messages->len; i++)
    {
      BuzonMessageSummary *summary = g_ptr_array_index (messages, i);

      if (g_strcmp0 (summary->message_id, message_id) == 0)
        {
          found++;
          g_assert_true (summary->flags & BUZON_MESSAGE_FLAG_SEEN);
        }
    }
  g_assert_cmpuint (found, ==, 1);
}

static void
run_imap_sync (Fixture      *fixture,
               BuzonAccount *account)
{
  g_autoptr(BuzonImapSync) sync = buzon_imap_sync_new (fixture->store, account);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GError) error = NULL;

  buzon_imap_sync_set_tls_database (sync, buzon_test_servers_get_tls_database (servers));
  buzon_imap_sync_run_async (sync, BUZON_IMAP_SYNC_DEFAULT, NULL, NULL, buzon_test_result_cb,
                             &result);
  buzon_test_wait_for (&result);
  g_assert_true (buzon_imap_sync_run_finish (sync, result, &error));
  g_assert_no_error (error);
  buzon_imap_sync_close_async (sync, NULL, buzon_test_result_cb, &closed);
  buzon_test_wait_for (&closed);
  buzon_imap_sync_close_finish (sync, closed, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The real server */

static void
send_to_real_server (Fixture       *fixture,
                     const char    *smtp_service,
                     BuzonSecurity  smtp_security,
                     const char    *tag)
{
  const char * const to[] = { "ana@example.test", ADDRESS, NULL };
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(GBytes) raw = make_message (tag);
  g_autoptr(JsonNode) events = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = g_strdup_printf ("<%s@outbox.example.test>", tag);
  g_autofree char *sha256 = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;
  JsonObject *sent_copy;
  JsonArray *array;
  JsonObject *data = NULL;

  if (get_servers () == NULL)
    return;

  account = add_real_account (fixture, BUZON_PROTOCOL_IMAP, smtp_service, smtp_security,
                              PASSWORD_COMMAND);
  /* The folders, so that Sent is known. */
  run_imap_sync (fixture, account);

  enqueue (fixture, account, tag, to);
  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (stats.failed, ==, 0);
  g_assert_cmpuint (stats.deferred, ==, 0);
  g_assert_cmpint (stats.next_attempt, ==, 0);
  g_assert_cmpuint (signals.sent, ==, 1);
  g_assert_cmpuint (signals.rejected->len, ==, 0);
  g_assert_cmpuint (outbox_length (fixture), ==, 0);

  /* What the server got: these bytes, over TLS, for both recipients. */
  events = buzon_test_servers_get_smtp_events (servers, &error);
  g_assert_no_error (error);
  array = json_node_get_array (events);
  for (guint i = json_array_get_length (array); i > 0 && data == NULL; i--)
    {
      JsonObject *event = json_array_get_object_element (array, i - 1);

      if (g_strcmp0 (json_object_get_string_member (event, "event"), "data") == 0)
        data = event;
    }
  g_assert_nonnull (data);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, raw);
  g_assert_cmpstr (json_object_get_string_member (data, "sha256"), ==, sha256);
  g_assert_cmpstr (json_object_get_string_member (data, "sender"), ==, ADDRESS);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (data, "recipients")),
                    ==, 2);

  /* Filed here at once, on the server after the queue's replay. */
  assert_filed (fixture, account, tag);
  run_imap_sync (fixture, account);
  state = buzon_test_servers_get_state (servers, ADDRESS, NULL, FALSE, &error);
  g_assert_no_error (error);
  sent_copy = buzon_test_state_find_message (state, "Sent", message_id);
  g_assert_nonnull (sent_copy);
  g_assert_true (strstr (json_node_get_string (json_array_get_element (
                           json_object_get_array_member (sent_copy, "flags"), 0)),
                         "Seen") != NULL);
  /* And delivered to the account's own Inbox (one of the recipients). */
  g_assert_nonnull (buzon_test_state_find_message (state, "INBOX", message_id));
  assert_filed (fixture, account, tag);
}

static void
test_starttls (Fixture       *fixture,
               gconstpointer  data)
{
  send_to_real_server (fixture, "smtp", BUZON_SECURITY_STARTTLS, "starttls");
}

static void
test_implicit_tls (Fixture       *fixture,
                   gconstpointer  data)
{
  send_to_real_server (fixture, "smtps", BUZON_SECURITY_TLS, "implicit-tls");
}

/* A POP3 account keeps its Sent copy here. */
static void
test_pop3_local_sent (Fixture       *fixture,
                      gconstpointer  data)
{
  const char * const to[] = { "ana@example.test", NULL };
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;

  if (get_servers () == NULL)
    return;

  account = add_real_account (fixture, BUZON_PROTOCOL_POP3, "smtps", BUZON_SECURITY_TLS,
                              PASSWORD_COMMAND);
  enqueue (fixture, account, "pop3-sent", to);
  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (outbox_length (fixture), ==, 0);
  assert_filed (fixture, account, "pop3-sent");
  /* Nothing for a server to replay. */
  {
    g_autoptr(GPtrArray) ops = buzon_store_list_ops (fixture->store,
                                                     buzon_account_get_id (account), NULL);

    g_assert_nonnull (ops);
    g_assert_cmpuint (ops->len, ==, 0);
  }
}

/* A wrong password concerns the account: the message stays queued, with
 * the reason, and nothing was sent. */
static void
test_wrong_password (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const to[] = { "ana@example.test", NULL };
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;
  gint64 id;

  if (get_servers () == NULL)
    return;

  account = add_real_account (fixture, BUZON_PROTOCOL_POP3, "smtps", BUZON_SECURITY_TLS,
                              "echo wrong");
  id = enqueue (fixture, account, "wrong-password", to);
  g_assert_false (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_error (error, BUZON_SMTP_SESSION_ERROR, BUZON_SMTP_SESSION_ERROR_AUTH);
  g_assert_cmpuint (stats.sent, ==, 0);
  g_assert_cmpuint (stats.deferred, ==, 1);

  item = get_item (fixture, id);
  g_assert_cmpint (item->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpstr (item->last_error, ==, error->message);
}

/* The scripted server */

/* How many of the lines the client sent start with @prefix. */
static guint
count_lines (const char *commands,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (commands, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    count += g_str_has_prefix (lines[i], prefix);

  return count;
}

/* 451 after the data: queued again, not before its backoff; then sent. */
static void
test_temporary_failure (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake =
    buzon_test_fake_smtp_start ("--data-reply", "451 4.3.0 Temporary local problem, try later",
                                NULL);
  g_autoptr(BuzonAccount) account = add_fake_account (fixture, fake->port);
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;
  gint64 before = buzon_store_now ();
  gint64 id;

  id = enqueue (fixture, account, "temporary", to);
  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 0);
  g_assert_cmpuint (stats.deferred, ==, 1);
  g_assert_cmpuint (signals.failed, ==, 1);

  item = get_item (fixture, id);
  g_assert_cmpint (item->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_cmpint (item->next_attempt, >=, before + 30);
  g_assert_cmpint (item->next_attempt, <=, buzon_store_now () + 30);
  g_assert_cmpint (stats.next_attempt, ==, item->next_attempt);
  g_assert_nonnull (strstr (item->last_error, "try later"));
  g_clear_pointer (&item, buzon_outbox_item_free);

  /* Not due yet: nothing is tried, not even a connection. */
  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_cmpuint (stats.sent + stats.deferred + stats.failed, ==, 0);
  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_cmpuint (count_lines (commands, "EHLO"), ==, 1);
  g_clear_pointer (&commands, g_free);

  /* All of them now: the server takes it. */
  g_assert_true (run_sender (fixture, account, TRUE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (outbox_length (fixture), ==, 0);
  assert_filed (fixture, account, "temporary");
}

/* 554 after the data: failed for good, with the server's reason, never
 * tried again by itself; retry() sends it. */
static void
test_permanent_failure (Fixture       *fixture,
                        gconstpointer  data)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake =
    buzon_test_fake_smtp_start ("--data-reply", "554 5.7.1 Message rejected as spam", NULL);
  g_autoptr(BuzonAccount) account = add_fake_account (fixture, fake->port);
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;
  gint64 id;

  id = enqueue (fixture, account, "permanent", to);
  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.failed, ==, 1);
  g_assert_cmpuint (stats.sent, ==, 0);
  g_assert_cmpint (stats.next_attempt, ==, 0);

  item = get_item (fixture, id);
  g_assert_cmpint (item->state, ==, BUZON_OUTBOX_STATE_FAILED);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_nonnull (strstr (item->last_error, "rejected as spam"));
  g_clear_pointer (&item, buzon_outbox_item_free);

  /* Even "all" leaves a failed message to the user. */
  g_assert_true (run_sender (fixture, account, TRUE, &stats, &signals, &error));
  g_assert_cmpuint (stats.sent + stats.failed + stats.deferred, ==, 0);

  g_assert_true (buzon_store_outbox_retry (fixture->store, id, &error));
  g_assert_no_error (error);
  item = get_item (fixture, id);
  g_assert_cmpint (item->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 0);
  g_clear_pointer (&item, buzon_outbox_item_free);

  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (outbox_length (fixture), ==, 0);
}

/* One refused recipient: sent to the others, the refused one named; a
 * second message on the same session after a first one refused for good. */
static void
test_rejected_recipient (Fixture       *fixture,
                         gconstpointer  data)
{
  const char * const to[] = { "bruno@example.test", "nobody@example.test", NULL };
  const char * const only_bad[] = { "nobody@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake =
    buzon_test_fake_smtp_start ("--reject", "nobody@example.test", NULL);
  g_autoptr(BuzonAccount) account = add_fake_account (fixture, fake->port);
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;
  gint64 bad;

  bad = enqueue (fixture, account, "only-bad", only_bad);
  enqueue (fixture, account, "one-bad", to);
  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.failed, ==, 1);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (signals.rejected->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (signals.rejected, 0),
                                   "nobody@example.test: "));

  item = get_item (fixture, bad);
  g_assert_cmpint (item->state, ==, BUZON_OUTBOX_STATE_FAILED);
  g_assert_nonnull (strstr (item->last_error, "nobody@example.test"));
  g_assert_cmpuint (outbox_length (fixture), ==, 1);
  assert_filed (fixture, account, "one-bad");

  /* One connection for both. */
  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_cmpuint (count_lines (commands, "EHLO"), ==, 1);
  g_assert_cmpuint (count_lines (commands, "DATA-BYTES"), ==, 1);
}

/* The connection lost in the middle of the data: queued again; sent by the
 * next attempt, on a new connection. */
static void
test_dropped_in_data (Fixture       *fixture,
                      gconstpointer  data)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start ("--drop-in-data", "1", NULL);
  g_autoptr(BuzonAccount) account = add_fake_account (fixture, fake->port);
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;
  gint64 id;

  id = enqueue (fixture, account, "dropped", to);
  g_assert_true (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.deferred, ==, 1);
  item = get_item (fixture, id);
  g_assert_cmpint (item->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 1);

  g_assert_true (run_sender (fixture, account, TRUE, &stats, &signals, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_cmpuint (outbox_length (fixture), ==, 0);
  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_cmpuint (count_lines (commands, "DROPPED-IN-DATA"), ==, 1);
  g_assert_cmpuint (count_lines (commands, "DATA-BYTES"), ==, 1);
  g_assert_cmpuint (count_lines (commands, "EHLO"), ==, 2);
}

/* No server at all: a network error, the messages wait with backoff. */
static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonOutboxItem) first = NULL;
  g_autoptr(BuzonOutboxItem) second = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;
  gint64 id1, id2;
  guint port;

  /* A port that was free a moment ago and has no listener. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  account = add_fake_account (fixture, port);
  id1 = enqueue (fixture, account, "unreachable-1", to);
  id2 = enqueue (fixture, account, "unreachable-2", to);
  g_assert_false (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == BUZON_NET_ERROR);
  g_assert_cmpuint (stats.deferred, ==, 2);
  g_assert_cmpint (stats.next_attempt, >, buzon_store_now ());

  first = get_item (fixture, id1);
  second = get_item (fixture, id2);
  g_assert_cmpint (first->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (second->state, ==, BUZON_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (first->attempts, ==, 1);
  g_assert_cmpstr (first->last_error, ==, error->message);
}

/* An account with no SMTP server says so. */
static void
test_no_smtp_server (Fixture       *fixture,
                     gconstpointer  data)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonAccount) account = add_fake_account (fixture, 25);
  g_autoptr(GError) error = NULL;
  g_auto(Signals) signals = { 0, };
  BuzonOutboxStats stats;

  buzon_account_set_smtp_host (account, NULL);
  buzon_store_update_account (fixture->store, account, &error);
  g_assert_no_error (error);
  enqueue (fixture, account, "no-smtp", to);
  g_assert_false (run_sender (fixture, account, FALSE, &stats, &signals, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "outgoing mail"));
  g_assert_cmpuint (outbox_length (fixture), ==, 1);
}

/* The scheduler */

typedef struct
{
  guint  sent;
  gint64 account_id;
} SchedulerSignals;

static void
scheduler_sent_cb (BuzonOutboxScheduler  *scheduler,
                   gint64                 account_id,
                   gint64                 item_id,
                   char                 **rejected,
                   SchedulerSignals      *signals)
{
  signals->sent++;
  signals->account_id = account_id;
}

static gboolean
spin_done_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, spin_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* A message queued with a delay (undo send) goes when it is due, by
 * itself; one queued while the scheduler runs goes at once. */
static void
test_scheduler (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const to[] = { "bruno@example.test", NULL };
  g_autoptr(BuzonTestFakeSmtp) fake = buzon_test_fake_smtp_start (NULL, NULL);
  g_autoptr(BuzonAccount) account = add_fake_account (fixture, fake->port);
  g_autoptr(BuzonOutboxScheduler) scheduler = buzon_outbox_scheduler_new (fixture->store);
  g_autoptr(BuzonOutboxItem) item = NULL;
  g_autoptr(GBytes) raw = make_message ("delayed");
  g_autoptr(GError) error = NULL;
  g_autofree char *commands = NULL;
  SchedulerSignals signals = { 0, };

  g_signal_connect (scheduler, "sent", G_CALLBACK (scheduler_sent_cb), &signals);
  buzon_outbox_scheduler_start (scheduler);

  item = buzon_outbox_item_new (buzon_account_get_id (account), raw, to);
  item->next_attempt = buzon_store_now () + 3;
  g_assert_true (buzon_store_outbox_enqueue (fixture->store, item, &error));
  g_assert_no_error (error);

  /* Not before it is due. */
  spin (1000);
  g_assert_cmpuint (signals.sent, ==, 0);
  commands = buzon_test_fake_smtp_commands (fake);
  g_assert_cmpuint (count_lines (commands, "DATA-BYTES"), ==, 0);
  g_clear_pointer (&commands, g_free);

  while (signals.sent == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (signals.account_id, ==, buzon_account_get_id (account));
  g_assert_cmpint (buzon_store_now (), >=, item->next_attempt);
  g_clear_pointer (&item, buzon_outbox_item_free);

  /* Queued now: sent now. */
  enqueue (fixture, account, "at-once", to);
  while (signals.sent < 2)
    g_main_context_iteration (NULL, TRUE);
  while (buzon_outbox_scheduler_is_busy (scheduler) || outbox_length (fixture) > 0)
    g_main_context_iteration (NULL, TRUE);
  assert_filed (fixture, account, "delayed");
  assert_filed (fixture, account, "at-once");

  buzon_outbox_scheduler_stop (scheduler);
  g_signal_handlers_disconnect_by_data (scheduler, &signals);
}

static void
test_backoff (void)
{
  g_assert_cmpuint (buzon_outbox_backoff (1), ==, 30);
  g_assert_cmpuint (buzon_outbox_backoff (2), ==, 60);
  g_assert_cmpuint (buzon_outbox_backoff (3), ==, 120);
  g_assert_cmpuint (buzon_outbox_backoff (7), ==, 1920);
  g_assert_cmpuint (buzon_outbox_backoff (8), ==, 3600);
  g_assert_cmpuint (buzon_outbox_backoff (1000), ==, 3600);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/buzon/outbox/backoff", test_backoff);
#define ADD(path, func) \
  g_test_add ("/buzon/outbox/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("real/starttls", test_starttls);
  ADD ("real/implicit-tls", test_implicit_tls);
  ADD ("real/pop3-local-sent", test_pop3_local_sent);
  ADD ("real/wrong-password", test_wrong_password);
  ADD ("fake/temporary-failure", test_temporary_failure);
  ADD ("fake/permanent-failure", test_permanent_failure);
  ADD ("fake/rejected-recipient", test_rejected_recipient);
  ADD ("fake/dropped-in-data", test_dropped_in_data);
  ADD ("fake/scheduler", test_scheduler);
  ADD ("unreachable", test_unreachable);
  ADD ("no-smtp-server", test_no_smtp_server);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&servers, buzon_test_servers_stop);

  return status;
}
