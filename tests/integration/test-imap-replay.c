/* test-imap-replay.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The offline queue's harder cases, against a real Dovecot, through the
 * engine itself (BuzonImapSync and buzon-mail-ops, as the window uses
 * them): operations chained on messages whose new UID is not known yet,
 * with and without UIDPLUS; operations the server refuses (undone here,
 * reported, never retried); and operations queued before the folder was
 * replaced on the server (a new UIDVALIDITY), which must not touch the
 * messages that now carry those UIDs. */

#include "config.h"

#include <glib/gstdio.h>

#include "buzon-imap-sync.h"
#include "buzon-mail-ops.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"

#define ADDRESS "bruno@example.test"

typedef struct
{
  BuzonTestServers *servers;
  char             *dir;
  BuzonStore       *store;
  BuzonAccount     *account;
  BuzonImapSync    *sync;
  GPtrArray        *notices;
} Fixture;

static void
notice_cb (BuzonImapSync *sync,
           const char    *message,
           gpointer       user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->notices, g_strdup (message));
}

static gboolean
fixture_start (Fixture    *fixture,
               const char *profile)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint port;

  fixture->servers = buzon_test_servers_start_or_skip (profile, NULL);
  if (fixture->servers == NULL)
    return FALSE;

  fixture->dir = g_dir_make_tmp ("buzon-replay-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "buzon.db", NULL);
  fixture->store = buzon_store_open (path, &error);
  g_assert_no_error (error);

  port = buzon_test_servers_get_port (fixture->servers, "imaps");
  fixture->account = buzon_account_new ("replay");
  buzon_account_set_address (fixture->account, ADDRESS);
  buzon_account_set_protocol (fixture->account, BUZON_PROTOCOL_IMAP);
  buzon_account_set_host (fixture->account, buzon_test_servers_get_host (fixture->servers));
  buzon_account_set_port (fixture->account, port);
  buzon_account_set_security (fixture->account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (fixture->account, "echo bruno-secret");
  g_assert_true (buzon_store_add_account (fixture->store, fixture->account, &error));
  g_assert_no_error (error);

  fixture->sync = buzon_imap_sync_new (fixture->store, fixture->account);
  buzon_imap_sync_set_tls_database (fixture->sync,
                                    buzon_test_servers_get_tls_database (fixture->servers));
  fixture->notices = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->sync, "notice", G_CALLBACK (notice_cb), fixture);

  return TRUE;
}

static void
run_sync (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_imap_sync_run_async (fixture->sync, BUZON_IMAP_SYNC_DEFAULT, NULL, NULL,
                             buzon_test_result_cb, &result);
  g_assert_true (buzon_imap_sync_run_finish (fixture->sync, buzon_test_wait_for (&result),
                                             &error));
  g_assert_no_error (error);
  /* Let the notices queued by the engine reach us. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->sync != NULL)
    {
      g_autoptr(GAsyncResult) result = NULL;

      buzon_imap_sync_close_async (fixture->sync, NULL, buzon_test_result_cb, &result);
      buzon_imap_sync_close_finish (fixture->sync, buzon_test_wait_for (&result), NULL);
      g_clear_object (&result);
      /* The engine's thread may hold the last reference for a moment. */
      buzon_test_finalize_object (g_steal_pointer (&fixture->sync));
    }
  g_clear_pointer (&fixture->notices, g_ptr_array_unref);
  g_clear_object (&fixture->account);
  g_clear_object (&fixture->store);
  if (fixture->dir != NULL)
    {
      g_autofree char *db = g_build_filename (fixture->dir, "buzon.db", NULL);
      g_autofree char *wal = g_strconcat (db, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db, "-shm", NULL);

      g_unlink (db);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (fixture->dir);
      g_free (fixture->dir);
    }
  g_clear_pointer (&fixture->servers, buzon_test_servers_stop);
}

static void
append (Fixture    *fixture,
        const char *mailbox,
        const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text =
    g_strdup_printf ("From: Ana <ana@example.test>\r\nTo: " ADDRESS "\r\n"
                     "Subject: Mensaje %s\r\nMessage-ID: <%s@example.test>\r\n"
                     "Date: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nTexto de %s\r\n",
                     key, key, key);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  g_assert_true (buzon_test_servers_append (fixture->servers, ADDRESS, mailbox, bytes, NULL,
                                            &error));
  g_assert_no_error (error);
}

static BuzonFolder *
folder (Fixture    *fixture,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  BuzonFolder *found = buzon_store_lookup_folder (fixture->store,
                                                  buzon_account_get_id (fixture->account), name,
                                                  &error);

  g_assert_no_error (error);
  return found;
}

/* The local message with this Message-ID key in @name (there must be
 * exactly one in the account). */
static BuzonMessageSummary *
local_message (Fixture    *fixture,
               const char *key,
               const char *name)
{
  g_autoptr(GPtrArray) folders = buzon_store_list_folders (fixture->store,
                                                           buzon_account_get_id (fixture->account),
                                                           NULL);
  g_autofree char *message_id = g_strdup_printf ("<%s@example.test>", key);
  BuzonMessageSummary *found = NULL;
  guint count = 0;

  for (guint i = 0; i < folders->len; i++)
    {
      BuzonFolder *f = g_ptr_array_index (folders, i);
      g_autoptr(GPtrArray) messages = buzon_store_list_messages (fixture->store, f->id, 0, 0,
                                                                 NULL);

      for (guint j = 0; j < messages->len; j++)
        {
          BuzonMessageSummary *m = g_ptr_array_index (messages, j);

          if (g_strcmp0 (m->message_id, message_id) != 0)
            continue;
          count++;
          if (g_strcmp0 (f->name, name) == 0 && found == NULL)
            found = buzon_message_summary_copy (m);
        }
    }

  g_assert_cmpuint (count, ==, 1);
  g_assert_nonnull (found);
  return found;
}

static JsonObject *
server_message (JsonNode   *state,
                const char *key)
{
  g_autofree char *message_id = g_strdup_printf ("<%s@example.test>", key);
  JsonObject *mailboxes = json_object_get_object_member (json_node_get_object (state),
                                                         "mailboxes");
  g_autoptr(GList) names = json_object_get_members (mailboxes);
  JsonObject *found = NULL;
  guint count = 0;

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *box = json_object_get_object_member (mailboxes, l->data);
      JsonArray *messages = json_object_get_array_member (box, "messages");

      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonObject *m = json_array_get_object_element (messages, i);

          if (g_strcmp0 (json_object_get_string_member (m, "message_id"), message_id) == 0)
            {
              count++;
              found = m;
              json_object_set_string_member (m, "mailbox", l->data);
            }
        }
    }

  g_assert_cmpuint (count, ==, 1);
  return found;
}

static gboolean
has_flag (JsonObject *message,
          const char *flag)
{
  JsonArray *flags = json_object_get_array_member (message, "flags");

  for (guint i = 0; i < json_array_get_length (flags); i++)
    if (g_strcmp0 (json_array_get_string_element (flags, i), flag) == 0)
      return TRUE;

  return FALSE;
}

static void
test_chained (Fixture       *fixture,
              gconstpointer  data)
{
  const char *profile = data;
  const char *b = "Uno";
  const char *c = "Dos";
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  g_autoptr(BuzonFolder) fb = NULL;
  g_autoptr(BuzonFolder) fc = NULL;
  g_autoptr(BuzonMessageSummary) m1 = NULL;
  g_autoptr(BuzonMessageSummary) m2 = NULL;
  g_autoptr(BuzonMessageSummary) copy = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  JsonObject *s1, *s2;

  if (!fixture_start (fixture, profile))
    return;

  g_assert_true (buzon_test_servers_create_folder (fixture->servers, ADDRESS, b, &error));
  g_assert_true (buzon_test_servers_create_folder (fixture->servers, ADDRESS, c, &error));
  g_assert_no_error (error);
  append (fixture, "INBOX", "uno");
  append (fixture, "INBOX", "dos");
  run_sync (fixture);

  inbox = folder (fixture, "INBOX");
  fb = folder (fixture, b);
  fc = folder (fixture, c);
  m1 = local_message (fixture, "uno", "INBOX");
  m2 = local_message (fixture, "dos", "INBOX");

  /* Queued without replaying ("offline"): uno goes INBOX → Uno, is
   * flagged there (no UID there yet), then goes on to Dos; dos is copied
   * to Uno and the copy moved on to Dos. */
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &m1->id, 1, fb->id,
                                      &error));
  g_assert_true (buzon_mail_ops_set_flags (fixture->store, fixture->account, &m1->id, 1,
                                           BUZON_MESSAGE_FLAG_FLAGGED, 0, &error));
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &m1->id, 1, fc->id,
                                      &error));
  g_assert_true (buzon_mail_ops_copy (fixture->store, fixture->account, &m2->id, 1, fb->id,
                                      &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) in_b = buzon_store_list_messages (fixture->store, fb->id, 0, 0, NULL);

    g_assert_cmpuint (in_b->len, ==, 1);
    copy = buzon_message_summary_copy (g_ptr_array_index (in_b, 0));
  }
  g_assert_cmpuint (copy->uid, ==, 0);
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &copy->id, 1, fc->id,
                                      &error));
  g_assert_no_error (error);

  run_sync (fixture);

  ops = buzon_store_list_ops (fixture->store, buzon_account_get_id (fixture->account), &error);
  g_assert_cmpuint (ops->len, ==, 0);
  g_assert_cmpuint (fixture->notices->len, ==, 0);

  state = buzon_test_servers_get_state (fixture->servers, ADDRESS, NULL, FALSE, &error);
  g_assert_no_error (error);
  s1 = server_message (state, "uno");
  g_assert_cmpstr (json_object_get_string_member (s1, "mailbox"), ==, c);
  g_assert_true (has_flag (s1, "\\Flagged"));

  /* dos: the original stays in INBOX, one copy ended in Dos. */
  {
    JsonObject *mailboxes = json_object_get_object_member (json_node_get_object (state),
                                                           "mailboxes");
    JsonArray *in_inbox = json_object_get_array_member (
      json_object_get_object_member (mailboxes, "INBOX"), "messages");
    JsonArray *in_b = json_object_get_array_member (
      json_object_get_object_member (mailboxes, b), "messages");
    JsonArray *in_c = json_object_get_array_member (
      json_object_get_object_member (mailboxes, c), "messages");

    g_assert_cmpuint (json_array_get_length (in_inbox), ==, 1);
    g_assert_cmpuint (json_array_get_length (in_b), ==, 0);
    g_assert_cmpuint (json_array_get_length (in_c), ==, 2);
    s2 = json_array_get_object_element (in_inbox, 0);
    g_assert_cmpstr (json_object_get_string_member (s2, "message_id"), ==, "<dos@example.test>");
  }

  /* Here: the same, each row with its server UID, nothing twice. */
  {
    g_autoptr(BuzonMessageSummary) here = local_message (fixture, "uno", c);
    g_autoptr(GPtrArray) in_b = buzon_store_list_messages (fixture->store, fb->id, 0, 0, NULL);
    g_autoptr(GPtrArray) in_c = buzon_store_list_messages (fixture->store, fc->id, 0, 0, NULL);
    g_autoptr(GPtrArray) in_inbox = buzon_store_list_messages (fixture->store, inbox->id, 0, 0,
                                                               NULL);

    g_assert_cmpint (here->id, ==, m1->id);
    g_assert_cmpuint (here->uid, ==, json_object_get_int_member (s1, "uid"));
    g_assert_true (here->flags & BUZON_MESSAGE_FLAG_FLAGGED);
    g_assert_cmpuint (in_b->len, ==, 0);
    g_assert_cmpuint (in_c->len, ==, 2);
    g_assert_cmpuint (in_inbox->len, ==, 1);
    for (guint i = 0; i < in_c->len; i++)
      g_assert_cmpuint (((BuzonMessageSummary *)g_ptr_array_index (in_c, i))->uid, !=, 0);
  }
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) gone = NULL;
  g_autoptr(BuzonMessageSummary) m1 = NULL;
  g_autoptr(BuzonMessageSummary) back = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  g_autoptr(GPtrArray) ops = NULL;
  g_autoptr(JsonNode) state = NULL;

  if (!fixture_start (fixture, "full"))
    return;

  g_assert_true (buzon_test_servers_create_folder (fixture->servers, ADDRESS, "Efímera", &error));
  append (fixture, "INBOX", "uno");
  run_sync (fixture);
  gone = folder (fixture, "Efímera");
  m1 = local_message (fixture, "uno", "INBOX");

  /* Queued here while another device deletes the destination. */
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &m1->id, 1, gone->id,
                                      &error));
  g_assert_no_error (error);
  g_assert_true (buzon_test_servers_delete_folder (fixture->servers, ADDRESS, "Efímera", &error));
  g_assert_no_error (error);

  run_sync (fixture);

  /* Refused: undone (back in INBOX with its UID), said once, dropped. */
  back = local_message (fixture, "uno", "INBOX");
  g_assert_cmpint (back->id, ==, m1->id);
  g_assert_cmpuint (back->uid, ==, m1->uid);
  g_assert_cmpuint (fixture->notices->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->notices, 0), "Efímera"));
  failures = buzon_store_list_op_failures (fixture->store, buzon_account_get_id (fixture->account),
                                           0, &error);
  g_assert_cmpuint (failures->len, ==, 1);
  ops = buzon_store_list_ops (fixture->store, buzon_account_get_id (fixture->account), &error);
  g_assert_cmpuint (ops->len, ==, 0);

  state = buzon_test_servers_get_state (fixture->servers, ADDRESS, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (server_message (state, "uno"), "mailbox"), ==,
                   "INBOX");

  /* Never retried: a second sync says nothing more. */
  run_sync (fixture);
  g_assert_cmpuint (fixture->notices->len, ==, 1);
}

static void
test_uidvalidity_guard (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) box = NULL;
  g_autoptr(BuzonMessageSummary) old = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonObject *newcomer;

  if (!fixture_start (fixture, "full"))
    return;

  g_assert_true (buzon_test_servers_create_folder (fixture->servers, ADDRESS, "Caja", &error));
  append (fixture, "Caja", "viejo");
  run_sync (fixture);
  box = folder (fixture, "Caja");
  old = local_message (fixture, "viejo", "Caja");

  /* Flag (and queue) the old message; meanwhile the folder is replaced on
   * the server by one whose first message has the same UID. */
  g_assert_true (buzon_mail_ops_set_flags (fixture->store, fixture->account, &old->id, 1,
                                           BUZON_MESSAGE_FLAG_FLAGGED, 0, &error));
  g_assert_true (buzon_test_servers_delete_folder (fixture->servers, ADDRESS, "Caja", &error));
  g_assert_true (buzon_test_servers_create_folder (fixture->servers, ADDRESS, "Caja", &error));
  g_assert_no_error (error);
  append (fixture, "Caja", "nuevo");

  run_sync (fixture);

  state = buzon_test_servers_get_state (fixture->servers, ADDRESS, NULL, FALSE, &error);
  g_assert_no_error (error);
  newcomer = server_message (state, "nuevo");
  g_assert_cmpuint (json_object_get_int_member (newcomer, "uid"), ==, old->uid);
  g_assert_false (has_flag (newcomer, "\\Flagged"));
  g_assert_cmpuint (fixture->notices->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (fixture->notices, 0), "UIDVALIDITY"));

  /* Here: the new folder's content, nothing of the old. */
  {
    g_autoptr(GPtrArray) messages = buzon_store_list_messages (fixture->store, box->id, 0, 0,
                                                               NULL);

    g_assert_cmpuint (messages->len, ==, 1);
    g_assert_cmpstr (((BuzonMessageSummary *)g_ptr_array_index (messages, 0))->message_id, ==,
                     "<nuevo@example.test>");
  }
}

/* Without UIDPLUS and without a Message-ID nothing tells a moved
 * message's new UID: it must still end up here once, with the server's. */
static void
test_no_message_id (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char text[] = "From: x@example.test\r\nSubject: Sin identificador\r\n\r\nHola\r\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(BuzonFolder) inbox = NULL;
  g_autoptr(BuzonFolder) dest = NULL;
  g_autoptr(GPtrArray) in_inbox = NULL;
  g_autoptr(GPtrArray) in_dest = NULL;
  g_autoptr(JsonNode) state = NULL;
  gint64 id;

  if (!fixture_start (fixture, "minimal"))
    return;

  g_assert_true (buzon_test_servers_create_folder (fixture->servers, ADDRESS, "Destino", &error));
  g_assert_true (buzon_test_servers_append (fixture->servers, ADDRESS, "INBOX", bytes, NULL,
                                            &error));
  g_assert_no_error (error);
  run_sync (fixture);

  inbox = folder (fixture, "INBOX");
  dest = folder (fixture, "Destino");
  in_inbox = buzon_store_list_messages (fixture->store, inbox->id, 0, 0, NULL);
  g_assert_cmpuint (in_inbox->len, ==, 1);
  id = ((BuzonMessageSummary *)g_ptr_array_index (in_inbox, 0))->id;
  g_assert_true (buzon_mail_ops_move (fixture->store, fixture->account, &id, 1, dest->id,
                                      &error));
  g_assert_no_error (error);

  run_sync (fixture);
  run_sync (fixture);

  state = buzon_test_servers_get_state (fixture->servers, ADDRESS, "Destino", FALSE, &error);
  g_assert_no_error (error);
  in_dest = buzon_store_list_messages (fixture->store, dest->id, 0, 0, NULL);
  g_assert_cmpuint (in_dest->len, ==, 1);
  g_assert_cmpuint (((BuzonMessageSummary *)g_ptr_array_index (in_dest, 0))->uid, ==,
                    json_object_get_int_member (
                      json_array_get_object_element (
                        json_object_get_array_member (buzon_test_state_get_mailbox (state,
                                                                                    "Destino"),
                                                      "messages"), 0),
                      "uid"));
  g_clear_pointer (&in_inbox, g_ptr_array_unref);
  in_inbox = buzon_store_list_messages (fixture->store, inbox->id, 0, 0, NULL);
  g_assert_cmpuint (in_inbox->len, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/imap/replay/chained", Fixture, "full", NULL, test_chained,
              fixture_tear_down);
  g_test_add ("/buzon/imap/replay/chained-minimal", Fixture, "minimal", NULL, test_chained,
              fixture_tear_down);
  g_test_add ("/buzon/imap/replay/refused", Fixture, NULL, NULL, test_refused,
              fixture_tear_down);
  g_test_add ("/buzon/imap/replay/uidvalidity-guard", Fixture, NULL, NULL,
              test_uidvalidity_guard, fixture_tear_down);
  g_test_add ("/buzon/imap/replay/no-message-id", Fixture, NULL, NULL, test_no_message_id,
              fixture_tear_down);

  return g_test_run ();
}
