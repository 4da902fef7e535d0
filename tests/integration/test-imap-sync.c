/* test-imap-sync.c
 *
 * Copyright 2026 The Buzón developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* BuzonImapSync itself, against a private Dovecot per test: what buzon-cli
 * cannot show from outside. An interrupted first sync of a big folder keeps
 * what it stored (a strict subset, no duplicates) and the next one fetches
 * only the rest, and what came meanwhile; a sync with nothing new stores nothing; a headers-only
 * account and a full one on the same mailbox keep their own copies, the full
 * one with the server's exact bytes. Everything is checked against the
 * server's own state, read over an independent IMAP session
 * (buzon_test_servers_get_state()).
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "buzon-account.h"
#include "buzon-imap-sync.h"
#include "buzon-store.h"
#include "buzon-test-async.h"
#include "buzon-test-servers.h"

#define ADDRESS "bruno@example.test"
#define PASSWORD_COMMAND "echo bruno-secret"
/* Enough for several summary batches (SUMMARY_BATCH is 250). */
#define N_MESSAGES 1500
#define N_LATER    5

typedef struct
{
  char             *dir;
  BuzonTestServers *servers;
  BuzonStore       *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("buzon-imap-sync-XXXXXX", &error);
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
  g_clear_pointer (&fixture->servers, buzon_test_servers_stop);
  g_assert_cmpint (system (command), ==, 0);
  g_clear_pointer (&fixture->dir, g_free);
}

static gboolean
start_servers (Fixture *fixture)
{
  fixture->servers = buzon_test_servers_start_or_skip ("full", NULL);

  return fixture->servers != NULL;
}

/* The account, as buzon-cli would add it. */
static BuzonAccount *
add_account (Fixture         *fixture,
             const char      *name,
             BuzonSyncPolicy  policy)
{
  g_autoptr(BuzonAccount) account = buzon_account_new (name);
  g_autoptr(GError) error = NULL;

  /* The password command gives the default user's password. */
  g_assert_cmpstr (buzon_test_servers_get_password (fixture->servers, ADDRESS), ==,
                   "bruno-secret");

  buzon_account_set_address (account, ADDRESS);
  buzon_account_set_protocol (account, BUZON_PROTOCOL_IMAP);
  buzon_account_set_host (account, buzon_test_servers_get_host (fixture->servers));
  buzon_account_set_port (account, buzon_test_servers_get_port (fixture->servers, "imaps"));
  buzon_account_set_security (account, BUZON_SECURITY_TLS);
  buzon_account_set_password_command (account, PASSWORD_COMMAND);
  buzon_account_set_sync_policy (account, policy);
  buzon_store_add_account (fixture->store, account, &error);
  g_assert_no_error (error);
  g_assert_cmpint (buzon_account_get_id (account), >, 0);

  return g_steal_pointer (&account);
}

/* Running the engine */

typedef struct
{
  char  *folder;
  guint  done;
  guint  total;
} Progress;

static void
progress_free (Progress *progress)
{
  g_free (progress->folder);
  g_free (progress);
}

typedef struct
{
  GPtrArray    *progress;             /* Progress * */
  GCancellable *cancellable;
  gboolean      cancel_when_partial;  /* at the first progress with done < total */
  gboolean      cancelled;
} Run;

static void
progress_cb (BuzonImapSync *sync,
             const char    *folder,
             guint          done,
             guint          total,
             gpointer       user_data)
{
  Run *run = user_data;
  Progress *progress = g_new0 (Progress, 1);

  progress->folder = g_strdup (folder);
  progress->done = done;
  progress->total = total;
  g_ptr_array_add (run->progress, progress);

  if (run->cancel_when_partial && !run->cancelled && done < total)
    {
      g_test_message ("cancelling at %s %u/%u", folder, done, total);
      run->cancelled = TRUE;
      g_cancellable_cancel (run->cancellable);
    }
}

static BuzonImapSync *
new_engine (Fixture      *fixture,
            BuzonAccount *account)
{
  BuzonImapSync *sync = buzon_imap_sync_new (fixture->store, account);

  buzon_imap_sync_set_tls_database (sync, buzon_test_servers_get_tls_database (fixture->servers));

  return sync;
}

/* Runs one sync of every folder; its progress goes to @run->progress. */
static gboolean
run_sync (BuzonImapSync  *sync,
          Run            *run,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gulong handler;
  gboolean ok;

  handler = g_signal_connect (sync, "progress", G_CALLBACK (progress_cb), run);
  buzon_imap_sync_run_async (sync, BUZON_IMAP_SYNC_DEFAULT, NULL, run->cancellable,
                             buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  ok = buzon_imap_sync_run_finish (sync, result, error);

  /* Emissions queued before the job ended come before its result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_signal_handler_disconnect (sync, handler);

  return ok;
}

static void
run_init (Run *run)
{
  memset (run, 0, sizeof *run);
  run->progress = g_ptr_array_new_with_free_func ((GDestroyNotify)progress_free);
  run->cancellable = g_cancellable_new ();
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->progress, g_ptr_array_unref);
  g_clear_object (&run->cancellable);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
close_engine (BuzonImapSync *sync)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  buzon_imap_sync_close_async (sync, NULL, buzon_test_result_cb, &result);
  buzon_test_wait_for (&result);
  buzon_imap_sync_close_finish (sync, result, &error);
  g_assert_no_error (error);
  /* The task holds the engine too. */
  g_clear_object (&result);
  buzon_test_finalize_object (sync);
}

/* The server */

static GBytes *
make_message (const char *key,
              const char *subject,
              const char *body)
{
  char *text = g_strdup_printf ("From: Ana <ana@example.test>\r\n"
                                "To: Bruno <" ADDRESS ">\r\n"
                                "Subject: %s\r\n"
                                "Message-ID: <%s@example.test>\r\n"
                                "Date: Mon, 05 Jan 2026 08:00:00 +0000\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: 8bit\r\n"
                                "\r\n"
                                "%s\r\n",
                                subject, key, body);

  return g_bytes_new_take (text, strlen (text));
}

/* APPENDs @n messages <@prefix-N@example.test> to @mailbox, in one session. */
static void
append_many (Fixture    *fixture,
             const char *mailbox,
             const char *prefix,
             guint       n)
{
  g_autofree char *dir = g_build_filename (fixture->dir, prefix, NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) appended = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_ptr_array_add (args, g_strdup ("append"));
  g_ptr_array_add (args, g_strdup ("--create"));
  g_ptr_array_add (args, g_strdup ("--"));
  g_ptr_array_add (args, g_strdup (ADDRESS));
  g_ptr_array_add (args, g_strdup (mailbox));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s-%u", prefix, i);
      g_autofree char *subject = g_strdup_printf ("Mensaje %u de %u", i, n);
      g_autofree char *body = g_strdup_printf ("Texto número %u.", i);
      g_autoptr(GBytes) raw = make_message (key, subject, body);
      char *path = g_strdup_printf ("%s/%05u.eml", dir, i);

      g_file_set_contents (path, g_bytes_get_data (raw, NULL), (gssize)g_bytes_get_size (raw),
                           &error);
      g_assert_no_error (error);
      g_ptr_array_add (args, path);
    }
  g_ptr_array_add (args, NULL);

  appended = buzon_test_servers_runv (fixture->servers, NULL, (const char * const *)args->pdata,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (appended), "uids")), ==, n);
  g_test_message ("appended %u messages in %.1f s", n,
                  (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC);
}

/* The server's @mailbox: UID → its JSON object (of @state). */
static GHashTable *
server_messages (JsonNode   *state,
                 const char *mailbox)
{
  JsonObject *box = buzon_test_state_get_mailbox (state, mailbox);
  JsonArray *messages;
  GHashTable *by_uid = g_hash_table_new (g_direct_hash, g_direct_equal);

  g_assert_nonnull (box);
  messages = json_object_get_array_member (box, "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);
      guint uid = (guint)json_object_get_int_member (message, "uid");

      g_assert_false (g_hash_table_contains (by_uid, GUINT_TO_POINTER (uid)));
      g_hash_table_insert (by_uid, GUINT_TO_POINTER (uid), message);
    }

  return by_uid;
}

static JsonNode *
server_state (Fixture    *fixture,
              const char *mailbox,
              gboolean    raw)
{
  g_autoptr(GError) error = NULL;
  JsonNode *state;

  if (raw)
    state = buzon_test_servers_run (fixture->servers, NULL, &error, "state", "--raw", "--",
                                    ADDRESS, NULL);
  else
    state = buzon_test_servers_get_state (fixture->servers, ADDRESS, mailbox, FALSE, &error);
  g_assert_no_error (error);

  return state;
}

/* The store */

static BuzonFolder *
local_folder (Fixture      *fixture,
              BuzonAccount *account,
              const char   *name)
{
  g_autoptr(GError) error = NULL;
  BuzonFolder *folder = buzon_store_lookup_folder (fixture->store,
                                                   buzon_account_get_id (account), name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (folder);

  return folder;
}

static GPtrArray *
local_messages (Fixture     *fixture,
                BuzonFolder *folder)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages = buzon_store_list_messages (fixture->store, folder->id, 0, 0, &error);

  g_assert_no_error (error);

  return messages;
}

/* Every stored message of @folder is a message of the server's @mailbox
 * (same UID, same Message-ID), each once, none without a UID. Returns how
 * many there are. */
static guint
assert_stored_subset (Fixture     *fixture,
                      BuzonFolder *folder,
                      GHashTable  *server)
{
  g_autoptr(GPtrArray) messages = local_messages (fixture, folder);
  g_autoptr(GHashTable) uids = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) listed = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < messages->len; i++)
    {
      BuzonMessageSummary *message = g_ptr_array_index (messages, i);
      JsonObject *on_server = g_hash_table_lookup (server, GUINT_TO_POINTER (message->uid));

      if (message->uid == 0)
        g_error ("“%s” holds a message without a UID (%s)", folder->name, message->message_id);
      if (g_hash_table_contains (uids, GUINT_TO_POINTER (message->uid)))
        g_error ("UID %u is stored twice in “%s”", message->uid, folder->name);
      if (on_server == NULL)
        g_error ("UID %u of “%s” is not on the server", message->uid, folder->name);
      g_assert_nonnull (message->message_id);
      if (g_hash_table_contains (ids, message->message_id))
        g_error ("%s is stored twice in “%s”", message->message_id, folder->name);
      g_assert_cmpstr (message->message_id, ==,
                       json_object_get_string_member (on_server, "message_id"));

      g_hash_table_add (uids, GUINT_TO_POINTER (message->uid));
      g_hash_table_add (ids, message->message_id);
    }

  listed = buzon_store_list_uids (fixture->store, folder->id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, messages->len);

  return messages->len;
}

/* Progress of @run for @folder: how many signals; the totals must all be
 * @total, the last one done. */
static guint
assert_progress (Run        *run,
                 const char *folder,
                 guint       total)
{
  guint count = 0;
  guint last_done = 0;

  for (guint i = 0; i < run->progress->len; i++)
    {
      Progress *progress = g_ptr_array_index (run->progress, i);

      if (g_strcmp0 (progress->folder, folder) != 0)
        continue;
      g_assert_cmpuint (progress->total, ==, total);
      g_assert_cmpuint (progress->done, >=, last_done);
      g_assert_cmpuint (progress->done, <=, total);
      last_done = progress->done;
      count++;
    }
  if (count > 0)
    g_assert_cmpuint (last_done, ==, total);

  return count;
}

/* 1. An interrupted first sync, resumed */

static void
test_resume (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonImapSync) sync = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GHashTable) server = NULL;
  g_autoptr(BuzonFolder) interrupted = NULL;
  g_autoptr(BuzonFolder) complete = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) first = { NULL, };
  g_auto(Run) second = { NULL, };
  g_auto(Run) third = { NULL, };
  guint stored, missing;
  JsonObject *box;

  if (!start_servers (fixture))
    return;

  append_many (fixture, "INBOX", "resume", N_MESSAGES);
  state = server_state (fixture, "INBOX", FALSE);
  server = server_messages (state, "INBOX");
  box = buzon_test_state_get_mailbox (state, "INBOX");
  g_assert_cmpuint (g_hash_table_size (server), ==, N_MESSAGES);

  account = add_account (fixture, "Correo", BUZON_SYNC_POLICY_HEADERS);
  sync = new_engine (fixture, account);

  /* Cancelled while the summaries come in: it fails, and keeps what it
   * stored, each message once. */
  run_init (&first);
  first.cancel_when_partial = TRUE;
  g_assert_false (run_sync (sync, &first, &error));
  g_assert_nonnull (error);
  g_test_message ("the cancelled sync ended with: %s", error->message);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (first.cancelled);

  interrupted = local_folder (fixture, account, "INBOX");
  stored = assert_stored_subset (fixture, interrupted, server);
  g_test_message ("%u of %u messages stored before the cancellation", stored, N_MESSAGES);
  g_assert_cmpuint (stored, >, 0);
  g_assert_cmpuint (stored, <, N_MESSAGES);
  g_assert_cmpuint (interrupted->total_count, ==, stored);
  /* Only a complete sync stores the folder's state (its shortcut). */
  g_assert_cmpuint (interrupted->uidnext, ==, 0);
  g_assert_cmpuint (interrupted->highestmodseq, ==, 0);

  /* Meanwhile on the server: some of what was stored is expunged, and new
   * mail comes (UIDs above the gap the interruption left). */
  {
    g_autoptr(GPtrArray) messages = local_messages (fixture, interrupted);
    g_autoptr(GString) uids = g_string_new (NULL);
    guint32 highest = 0;

    for (guint i = 0; i < messages->len; i++)
      highest = MAX (highest, ((BuzonMessageSummary *)g_ptr_array_index (messages, i))->uid);
    g_string_append_printf (uids, "%u,%u,%u", highest, highest - 1, highest - 2);
    buzon_test_servers_expunge (fixture->servers, ADDRESS, "INBOX", uids->str, &error);
    g_assert_no_error (error);
    append_many (fixture, "INBOX", "later", N_LATER);

    g_clear_pointer (&state, json_node_unref);
    g_clear_pointer (&server, g_hash_table_unref);
    state = server_state (fixture, "INBOX", FALSE);
    server = server_messages (state, "INBOX");
    box = buzon_test_state_get_mailbox (state, "INBOX");
    g_assert_cmpuint (g_hash_table_size (server), ==, N_MESSAGES - 3 + N_LATER);
  }
  missing = N_MESSAGES - stored + N_LATER;

  /* Again, on the same engine (it connects anew): only the missing ones. */
  run_init (&second);
  g_assert_true (run_sync (sync, &second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_progress (&second, "INBOX", missing), >, 0);
  /* Nothing else had anything to fetch. */
  g_assert_cmpuint (assert_progress (&second, "INBOX", missing), ==, second.progress->len);

  complete = local_folder (fixture, account, "INBOX");
  g_assert_cmpuint (assert_stored_subset (fixture, complete, server), ==,
                    g_hash_table_size (server));
  g_assert_cmpuint (complete->total_count, ==, g_hash_table_size (server));
  g_assert_cmpuint (complete->uidnext, ==, json_object_get_int_member (box, "uidnext"));
  g_assert_cmpuint (complete->uidvalidity, ==, json_object_get_int_member (box, "uidvalidity"));
  close_engine (g_steal_pointer (&sync));

  /* Nothing changed on the server: a new engine stores nothing. */
  before = local_messages (fixture, complete);
  sync = new_engine (fixture, account);
  run_init (&third);
  g_assert_true (run_sync (sync, &third, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < third.progress->len; i++)
    g_assert_cmpuint (((Progress *)g_ptr_array_index (third.progress, i))->total, ==, 0);
  {
    g_autoptr(GPtrArray) after = local_messages (fixture, complete);

    g_assert_cmpuint (after->len, ==, before->len);
    for (guint i = 0; i < after->len; i++)
      {
        BuzonMessageSummary *a = g_ptr_array_index (after, i);
        BuzonMessageSummary *b = g_ptr_array_index (before, i);

        /* The same rows, not stored again. */
        g_assert_cmpint (a->id, ==, b->id);
        g_assert_cmpuint (a->uid, ==, b->uid);
      }
  }
  close_engine (g_steal_pointer (&sync));
}

/* 2. Headers only, then a full account on the same mailbox */

static const struct
{
  const char *folder;
  const char *text;
} samples[] = {
  { "INBOX",
    "From: Ana <ana@example.test>\r\n"
    "To: Bruno <" ADDRESS ">\r\n"
    "Subject: =?UTF-8?Q?Canci=C3=B3n?=\r\n"
    "Message-ID: <bytes-1@example.test>\r\n"
    "Date: Mon, 05 Jan 2026 08:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Ñandú, pingüino y murciélago. 日本語. 📁\r\n"
    "Trailing spaces   \r\n"
    "\tand a tab.\r\n" },
  { "INBOX",
    "From: Ana <ana@example.test>\r\n"
    "To: Bruno <" ADDRESS ">\r\n"
    "Subject: Adjunto\r\n"
    "Message-ID: <bytes-2@example.test>\r\n"
    "Date: Mon, 05 Jan 2026 09:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"frontera\"\r\n"
    "\r\n"
    "--frontera\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Se habl=C3=B3 del presupuesto.=\r\n"
    " Sigue.\r\n"
    "--frontera\r\n"
    "Content-Type: application/octet-stream; name=\"datos.bin\"\r\n"
    "Content-Disposition: attachment; filename=\"datos.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\r\n"
    "--frontera--\r\n" },
  { "Archivo",
    "From: Ana <ana@example.test>\r\n"
    "Subject: Sin Content-Type\r\n"
    "Message-ID: <bytes-3@example.test>\r\n"
    "\r\n"
    "Plain ASCII.\r\n"
    ".\r\n"
    "A line that is only a dot, and one that starts with From:\r\n"
    "From here on.\r\n" },
};

/* Every message of the server's @mailbox is in @folder, with the server's
 * exact bytes (when @bodies) or none at all. */
static void
assert_bodies (Fixture      *fixture,
               BuzonFolder  *folder,
               JsonNode     *state,
               gboolean      bodies)
{
  g_autoptr(GPtrArray) messages = local_messages (fixture, folder);
  g_autoptr(GHashTable) server = server_messages (state, folder->name);

  g_assert_cmpuint (messages->len, ==, g_hash_table_size (server));
  for (guint i = 0; i < messages->len; i++)
    {
      BuzonMessageSummary *message = g_ptr_array_index (messages, i);
      JsonObject *on_server = g_hash_table_lookup (server, GUINT_TO_POINTER (message->uid));
      g_autoptr(GBytes) body = buzon_store_get_body (fixture->store, message->id, NULL);

      g_assert_nonnull (on_server);
      g_assert_cmpstr (message->message_id, ==,
                       json_object_get_string_member (on_server, "message_id"));
      if (!bodies)
        {
          g_assert_null (body);
          g_assert_cmpint (message->body_state, !=, BUZON_BODY_STATE_FULL);
          continue;
        }

      {
        gsize length = 0;
        g_autofree guchar *raw =
          g_base64_decode (json_object_get_string_member (on_server, "raw"), &length);
        g_autoptr(GBytes) expected = g_bytes_new_take (g_steal_pointer (&raw), length);

        if (body == NULL)
          g_error ("no body for UID %u of “%s”", message->uid, folder->name);
        if (!g_bytes_equal (body, expected))
          g_error ("UID %u of “%s”: %" G_GSIZE_FORMAT " bytes here, %" G_GSIZE_FORMAT
                   " on the server, not the same", message->uid, folder->name,
                   g_bytes_get_size (body), g_bytes_get_size (expected));
        g_assert_cmpint (message->body_state, ==, BUZON_BODY_STATE_FULL);
        g_assert_cmpuint (message->size, ==, length);
      }
    }
}

static void
test_headers_then_full (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(BuzonAccount) headers = NULL;
  g_autoptr(BuzonAccount) full = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const folders[] = { "INBOX", "Archivo" };
  guint large_size;

  if (!start_servers (fixture))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autoptr(GBytes) raw = g_bytes_new_static (samples[i].text, strlen (samples[i].text));

      buzon_test_servers_append (fixture->servers, ADDRESS, samples[i].folder, raw, NULL, &error);
      g_assert_no_error (error);
    }
  /* Larger than what a parser keeps in memory, and than one read. */
  {
    g_autoptr(GString) text = g_string_new ("From: Ana <ana@example.test>\r\n"
                                            "Subject: Grande\r\n"
                                            "Message-ID: <bytes-large@example.test>\r\n"
                                            "MIME-Version: 1.0\r\n"
                                            "Content-Type: text/plain; charset=utf-8\r\n"
                                            "\r\n");
    g_autoptr(GBytes) raw = NULL;

    for (guint i = 0; text->len < 3 * 1024 * 1024; i++)
      g_string_append_printf (text, "Línea %07u: %s\r\n", i,
                              "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ áéíóú");
    large_size = (guint)text->len;
    raw = g_bytes_new (text->str, text->len);
    buzon_test_servers_append (fixture->servers, ADDRESS, "Archivo", raw, "\\Seen", &error);
    g_assert_no_error (error);
  }
  state = server_state (fixture, NULL, TRUE);

  /* Headers only: summaries, no bodies. */
  headers = add_account (fixture, "Cabeceras", BUZON_SYNC_POLICY_HEADERS);
  {
    g_autoptr(BuzonImapSync) sync = new_engine (fixture, headers);
    g_auto(Run) run = { NULL, };

    run_init (&run);
    g_assert_true (run_sync (sync, &run, &error));
    g_assert_no_error (error);
    close_engine (g_steal_pointer (&sync));
  }
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autoptr(BuzonFolder) folder = local_folder (fixture, headers, folders[i]);

      assert_bodies (fixture, folder, state, FALSE);
    }

  /* A full account on the same mailbox: bodies, the very bytes; the
   * headers-only account's copy stays without them. */
  full = add_account (fixture, "Completa", BUZON_SYNC_POLICY_FULL);
  {
    g_autoptr(BuzonImapSync) sync = new_engine (fixture, full);
    g_auto(Run) run = { NULL, };

    run_init (&run);
    g_assert_true (run_sync (sync, &run, &error));
    g_assert_no_error (error);
    close_engine (g_steal_pointer (&sync));
  }
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autoptr(BuzonFolder) with = local_folder (fixture, full, folders[i]);
      g_autoptr(BuzonFolder) without = local_folder (fixture, headers, folders[i]);

      assert_bodies (fixture, with, state, TRUE);
      assert_bodies (fixture, without, state, FALSE);
    }
  {
    g_autoptr(BuzonFolder) archive = local_folder (fixture, full, "Archivo");
    g_autoptr(GPtrArray) messages = local_messages (fixture, archive);
    gboolean found = FALSE;

    for (guint i = 0; i < messages->len; i++)
      {
        BuzonMessageSummary *message = g_ptr_array_index (messages, i);

        if (g_strcmp0 (message->message_id, "<bytes-large@example.test>") == 0)
          {
            g_assert_cmpuint (message->size, ==, large_size);
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  /* The headers-only account switched to full: the bodies of what it has,
   * and no summary fetched again (the only progress is the bodies'). */
  buzon_account_set_sync_policy (headers, BUZON_SYNC_POLICY_FULL);
  buzon_store_update_account (fixture->store, headers, &error);
  g_assert_no_error (error);
  {
    g_autoptr(BuzonImapSync) sync = new_engine (fixture, headers);
    g_auto(Run) run = { NULL, };
    g_autoptr(GPtrArray) before = NULL;
    g_autoptr(BuzonFolder) inbox = local_folder (fixture, headers, "INBOX");

    before = local_messages (fixture, inbox);
    run_init (&run);
    g_assert_true (run_sync (sync, &run, &error));
    g_assert_no_error (error);
    close_engine (g_steal_pointer (&sync));

    for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
      {
        g_autoptr(BuzonFolder) folder = local_folder (fixture, headers, folders[i]);
        g_autoptr(GHashTable) server = server_messages (state, folders[i]);

        assert_bodies (fixture, folder, state, TRUE);
        g_assert_cmpuint (assert_progress (&run, folders[i], g_hash_table_size (server)), ==, 1);
      }
    {
      g_autoptr(GPtrArray) after = local_messages (fixture, inbox);

      g_assert_cmpuint (after->len, ==, before->len);
      for (guint i = 0; i < after->len; i++)
        g_assert_cmpint (((BuzonMessageSummary *)g_ptr_array_index (after, i))->id, ==,
                         ((BuzonMessageSummary *)g_ptr_array_index (before, i))->id);
    }
  }
}

static gboolean
has_folder (Fixture      *fixture,
            BuzonAccount *account,
            const char   *name)
{
  g_autoptr(BuzonFolder) folder =
    buzon_store_lookup_folder (fixture->store, buzon_account_get_id (account), name, NULL);

  return folder != NULL;
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits (at most 60 s) until the store has, or no longer has, @name. */
static void
wait_for_folder (Fixture      *fixture,
                 BuzonAccount *account,
                 const char   *name,
                 gboolean      present)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add_seconds (60, timeout_cb, &timed_out);

  while (has_folder (fixture, account, name) != present && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (source);
  g_assert_cmpint (has_folder (fixture, account, name), ==, present);
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* While watching the Inbox (IDLE on it says nothing of other folders), the
 * folder list is read again every folder-list-interval: folders another
 * client makes, renames or deletes show up. */
static void
test_watch_relists_folders (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(BuzonAccount) account = NULL;
  g_autoptr(BuzonImapSync) sync = NULL;
  g_autoptr(GAsyncResult) watched = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Run) run;
  static const char * const inbox[] = { "INBOX", NULL };
  guint tick;

  if (!start_servers (fixture))
    return;

  account = add_account (fixture, "relist", BUZON_SYNC_POLICY_HEADERS);
  sync = new_engine (fixture, account);
  run_init (&run);
  g_assert_true (run_sync (sync, &run, &error));
  g_assert_no_error (error);
  g_assert_false (has_folder (fixture, account, "Proyectos"));

  g_object_set (sync, "folder-list-interval", 1, NULL);
  buzon_imap_sync_watch_async (sync, inbox, cancellable, buzon_test_result_cb, &watched);
  /* The store's signals come through this context; wake it now and then. */
  tick = g_timeout_add (200, tick_cb, NULL);

  buzon_test_servers_create_folder (fixture->servers, ADDRESS, "Proyectos", &error);
  g_assert_no_error (error);
  wait_for_folder (fixture, account, "Proyectos", TRUE);

  buzon_test_servers_rename_folder (fixture->servers, ADDRESS, "Proyectos", "Proyectos 2026",
                                    &error);
  g_assert_no_error (error);
  wait_for_folder (fixture, account, "Proyectos 2026", TRUE);
  wait_for_folder (fixture, account, "Proyectos", FALSE);

  buzon_test_servers_delete_folder (fixture->servers, ADDRESS, "Proyectos 2026", &error);
  g_assert_no_error (error);
  wait_for_folder (fixture, account, "Proyectos 2026", FALSE);

  g_source_remove (tick);
  g_cancellable_cancel (cancellable);
  buzon_test_wait_for (&watched);
  g_assert_false (buzon_imap_sync_watch_finish (sync, watched, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&watched);
  close_engine (g_steal_pointer (&sync));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/buzon/sync/imap/resume", Fixture, NULL,
              fixture_set_up, test_resume, fixture_tear_down);
  g_test_add ("/buzon/sync/imap/headers-then-full", Fixture, NULL,
              fixture_set_up, test_headers_then_full, fixture_tear_down);
  g_test_add ("/buzon/sync/imap/watch-relists-folders", Fixture, NULL,
              fixture_set_up, test_watch_relists_folders, fixture_tear_down);

  status = g_test_run ();
  buzon_test_let_pool_threads_exit ();

  return status;
}
